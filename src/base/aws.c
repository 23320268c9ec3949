/* AWS identifiers in text: ARNs, hostnames, region tokens; see aws.h. */
#include "aws.h"

#include <regionlint/input.h>

#include <stdio.h>
#include <string.h>

/* ---- ARNs -------------------------------------------------------------------------- */

bool rl_arn_parse(const char *s, size_t len, rl_arn *out)
{
    /* after "arn:", four colons end partition, service, region and account */
    const char *f[4];
    size_t fl[4], nf = 0, start = 4;
    if (!s || len < 4 || memcmp(s, "arn:", 4))
        return false;
    for (size_t i = 4; i < len && nf < 4; i++)
        if (s[i] == ':') {
            f[nf] = s + start;
            fl[nf++] = i - start;
            start = i + 1;
        }
    if (nf < 4)
        return false;
    out->partition = f[0];
    out->partition_len = fl[0];
    out->service = f[1];
    out->service_len = fl[1];
    out->region = f[2];
    out->region_len = fl[2];
    out->account = f[3];
    out->account_len = fl[3];
    out->resource = s + start;
    out->resource_len = len - start;
    return true;
}

bool rl_arn_partition_known(const char *p, size_t len)
{
    static const char *const known[] = {"aws",     "aws-cn",    "aws-us-gov", "aws-eusc",
                                        "aws-iso", "aws-iso-b", "aws-iso-e",  "aws-iso-f"};
    for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
        if (strlen(known[i]) == len && !memcmp(p, known[i], len))
            return true;
    return false;
}

bool rl_arn_is(const rl_arn *a, const char *service)
{
    size_t n = strlen(service);
    return a->service_len == n && !memcmp(a->service, service, n);
}

bool rl_arn_name(const rl_arn *a, const char *prefix, const char **name, size_t *len)
{
    size_t pl = strlen(prefix);
    if (a->resource_len <= pl || memcmp(a->resource, prefix, pl))
        return false;
    const char *nm = a->resource + pl;
    size_t n = a->resource_len - pl, k = 0;
    while (k < n && nm[k] != '/' && nm[k] != ':')
        k++;
    if (!k)
        return false;
    *name = nm;
    *len = k;
    return true;
}

bool rl_arn_region_of(const rl_arn *a, char *out, size_t outsz)
{
    if (!rl_is_region(a->region, a->region_len) || a->region_len >= outsz)
        return false;
    memcpy(out, a->region, a->region_len);
    out[a->region_len] = '\0';
    return true;
}

bool rl_arn_region(const char *arn, char *out, size_t outsz)
{
    rl_arn a;
    return arn && rl_arn_parse(arn, strlen(arn), &a) && rl_arn_region_of(&a, out, outsz);
}

/* ---- hostnames --------------------------------------------------------------------- */

static bool host_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

const char *rl_host_service(const char *host, char *region, size_t regionsz)
{
    char labels[16][64];
    size_t n = 0;
    const char *p = host;
    region[0] = '\0';
    while (*p && n < 16) {
        size_t l = strcspn(p, ".");
        snprintf(labels[n++], sizeof(labels[0]), "%.*s", (int)(l < 63 ? l : 63), p);
        p += l;
        if (*p == '.')
            p++;
    }
    if (*p || n < 2)
        return NULL;
    if (host_ends_with(host, ".cloudfront.net"))
        return "cloudfront";
    /* the region label, or the region after a '-' inside a label (s3-us-west-2) */
    size_t ri = n;
    const char *svc_in_label = NULL;
    for (size_t i = 0; i < n && ri == n; i++) {
        size_t ll = strlen(labels[i]);
        for (size_t k = 0; k < ll; k++) {
            if (k && labels[i][k - 1] != '-')
                continue;
            if (rl_is_region(labels[i] + k, ll - k)) {
                ri = i;
                snprintf(region, regionsz, "%s", labels[i] + k);
                if (k)
                    svc_in_label = labels[i];
                break;
            }
        }
    }
    bool aws = host_ends_with(host, ".amazonaws.com") || host_ends_with(host, ".amazonaws.com.cn");
    if (host_ends_with(host, ".elasticbeanstalk.com"))
        return "elasticbeanstalk";
    if (ri == n) {
        if (aws && n >= 3 && !strcmp(labels[n - 3], "s3"))
            return "s3"; /* bucket.s3.amazonaws.com: the legacy global endpoint */
        return NULL;
    }
    if (svc_in_label) {
        if (!strncmp(svc_in_label, "s3-", 3) || !strncmp(svc_in_label, "s3.", 3))
            return aws ? "s3" : NULL;
        return NULL;
    }
    if (host_ends_with(host, ".on.aws") && ri > 0 && !strcmp(labels[ri - 1], "lambda-url"))
        return "lambda-url";
    if (host_ends_with(host, ".awsapprunner.com"))
        return "awsapprunner";
    if (!aws)
        return NULL;
    if (ri + 1 < n && !strcmp(labels[ri + 1], "elb"))
        return "elb"; /* name-1234.us-east-1.elb.amazonaws.com (ALB, CLB) */
    if (ri > 0) {
        const char *before = labels[ri - 1];
        static const char *const svcs[] = {"execute-api", "elb", "appsync-api", "s3", "s3-website"};
        for (size_t i = 0; i < sizeof(svcs) / sizeof(*svcs); i++)
            if (!strcmp(before, svcs[i]))
                return !strcmp(before, "s3-website") ? "s3" : svcs[i];
    }
    return NULL;
}

/* A region code that is a label of a host, or follows a '-' inside one
 * (api.us-east-1.example.com, api-us-east-1.example.com). */
bool rl_host_region(const char *host, char *out, size_t outsz)
{
    const char *p = host;
    while (*p) {
        size_t l = strcspn(p, ".");
        for (size_t k = 0; k < l; k++) {
            if (k && p[k - 1] != '-')
                continue;
            for (size_t e = k + 9; e <= l; e++)
                if ((e == l || p[e] == '-') && rl_is_region(p + k, e - k)) {
                    snprintf(out, outsz, "%.*s", (int)(e - k), p + k);
                    return true;
                }
        }
        p += l;
        if (*p == '.')
            p++;
    }
    return false;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_host_char(char c)
{
    return is_alnum(c) || c == '-' || c == '.';
}

static bool is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool ends_arn(char c)
{
    return (unsigned char)c <= ' ' || strchr("\"',;|()[]<>\\`{}", c) != NULL;
}

static void copy_field(char *dst, size_t dstsz, const char *src, size_t len)
{
    if (len >= dstsz)
        len = dstsz - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* An ARN starting at s[i]; returns its length (0 if none) and fills hit when the region
 * field names a region. */
static size_t scan_arn(const char *s, size_t len, size_t i, rl_hit *hit, bool *has_region)
{
    size_t j = i;
    rl_arn a;
    *has_region = false;
    while (j < len && !ends_arn(s[j]))
        j++;
    if (!rl_arn_parse(s + i, j - i, &a) || !rl_is_region(a.region, a.region_len))
        return j - i;
    memset(hit, 0, sizeof(*hit));
    hit->kind = RL_HIT_ARN;
    hit->off = i;
    hit->len = j - i;
    hit->region_off = (size_t)(a.region - s);
    hit->region_len = a.region_len;
    copy_field(hit->region, sizeof(hit->region), a.region, a.region_len);
    copy_field(hit->service, sizeof(hit->service), a.service, a.service_len);
    hit->res_off = (size_t)(a.resource - s);
    hit->res_len = a.resource_len;
    *has_region = true;
    return j - i;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t sl = strlen(suffix);
    return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

/* A regional AWS hostname in s[i, i+n): the region is a label, or a label's suffix after
 * '-' (s3-us-west-2, s3-website-us-east-1). */
static bool scan_host(const char *s, size_t i, size_t n, rl_hit *hit)
{
    const char *h = s + i;
    if (!(ends_with(h, n, ".amazonaws.com") || ends_with(h, n, ".amazonaws.com.cn") ||
          ends_with(h, n, ".api.aws") || ends_with(h, n, ".on.aws")))
        return false;
    size_t ls = 0;
    for (size_t k = 0; k <= n; k++) {
        if (k < n && h[k] != '.')
            continue;
        /* label h[ls, k) */
        for (size_t p = ls; p < k; p++) {
            if (p != ls && h[p - 1] != '-')
                continue;
            if (rl_is_region(h + p, k - p)) {
                memset(hit, 0, sizeof(*hit));
                hit->kind = RL_HIT_HOST;
                hit->off = i;
                hit->len = n;
                hit->region_off = i + p;
                hit->region_len = k - p;
                copy_field(hit->region, sizeof(hit->region), h + p, k - p);
                size_t first = strcspn(h, ".");
                copy_field(hit->service, sizeof(hit->service), h, first < n ? first : n);
                return true;
            }
        }
        ls = k + 1;
    }
    return false;
}

static bool scoped_id(const char *t, size_t n)
{
    static const char *const prefixes[] = {"ami-", "snap-", "vpc-", "subnet-", "sg-"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (n <= pl || memcmp(t, prefixes[i], pl))
            continue;
        size_t hex = n - pl;
        if (hex != 8 && hex != 17)
            return false;
        for (size_t k = pl; k < n; k++)
            if (!((t[k] >= '0' && t[k] <= '9') || (t[k] >= 'a' && t[k] <= 'f')))
                return false;
        return true;
    }
    return false;
}

/* Region codes and AZ names inside a token, at '-' boundaries (bucket-us-east-1). */
static int scan_token(const char *s, size_t i, size_t n, rl_hit_fn fn, void *ctx)
{
    const char *t = s + i;
    if (scoped_id(t, n)) {
        rl_hit hit;
        memset(&hit, 0, sizeof(hit));
        hit.kind = RL_HIT_SCOPED_ID;
        hit.off = i;
        hit.len = n;
        return fn(ctx, &hit);
    }
    if (n > 128)
        return 0;
    for (size_t p = 0; p < n; p++) {
        if (p != 0 && t[p - 1] != '-')
            continue;
        for (size_t e = p + 9; e <= n && e - p <= 24; e++) {
            bool boundary = e == n || t[e] == '-';
            bool az = !boundary && e + 1 <= n && t[e] >= 'a' && t[e] <= 'z' &&
                      (e + 1 == n || t[e + 1] == '-');
            if ((!boundary && !az) || !rl_is_region(t + p, e - p))
                continue;
            rl_hit hit;
            memset(&hit, 0, sizeof(hit));
            hit.kind = az ? RL_HIT_AZ : RL_HIT_REGION;
            hit.off = i + p;
            hit.len = e - p + (az ? 1 : 0);
            hit.region_off = i + p;
            hit.region_len = e - p;
            copy_field(hit.region, sizeof(hit.region), t + p, e - p);
            int rc = fn(ctx, &hit);
            if (rc)
                return rc;
            p = e;
            break;
        }
    }
    return 0;
}

static bool ends_with_at(const char *s, size_t i, const char *word, size_t n)
{
    return i >= n && !memcmp(s + i - n, word, n);
}

/* A necessary condition for any hit, cheap enough to test on every value: a region code
 * (in an ARN, a hostname, a token) ends in '-' and digits, and a scoped id starts with
 * ami-, snap-, vpc-, subnet- or sg-. Most values (names, numbers, code) have neither. */
static bool may_hit(const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '-', (size_t)(end - p))); p++) {
        size_t i = (size_t)(p - s);
        if (p + 1 < end && p[1] >= '0' && p[1] <= '9')
            return true;
        if (ends_with_at(s, i, "ami", 3) || ends_with_at(s, i, "snap", 4) ||
            ends_with_at(s, i, "vpc", 3) || ends_with_at(s, i, "subnet", 6) ||
            ends_with_at(s, i, "sg", 2))
            return true;
    }
    return false;
}

int rl_scan(const char *s, size_t len, rl_hit_fn fn, void *ctx)
{
    size_t i = 0;
    if (!may_hit(s, len))
        return 0;
    while (i < len) {
        char c = s[i];
        bool start = i == 0 || !(is_alnum(s[i - 1]) || s[i - 1] == '-' || s[i - 1] == '.');
        if (start && c == 'a' && len - i > 4 && !memcmp(s + i, "arn:", 4)) {
            rl_hit hit;
            bool has;
            size_t n = scan_arn(s, len, i, &hit, &has);
            if (has) {
                int rc = fn(ctx, &hit);
                if (rc)
                    return rc;
            }
            i += n ? n : 1;
            continue;
        }
        if (start && is_alnum(c)) {
            size_t n = 0;
            while (i + n < len && is_host_char(s[i + n]))
                n++;
            while (n > 0 && s[i + n - 1] == '.')
                n--;
            rl_hit hit;
            if (memchr(s + i, '.', n) && scan_host(s, i, n, &hit)) {
                int rc = fn(ctx, &hit);
                if (rc)
                    return rc;
                i += n;
                continue;
            }
        }
        if (is_token_char(c) && (i == 0 || !is_token_char(s[i - 1]))) {
            size_t n = 0;
            while (i + n < len && is_token_char(s[i + n]))
                n++;
            bool bounded = i + n == len || !is_alnum(s[i + n]);
            bool open = i == 0 || !(s[i - 1] >= 'A' && s[i - 1] <= 'Z');
            if (bounded && open) {
                int rc = scan_token(s, i, n, fn, ctx);
                if (rc)
                    return rc;
            }
            i += n;
            continue;
        }
        i++;
    }
    return 0;
}
