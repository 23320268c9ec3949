/* Scanners over resolved strings for the dependency rules; see scan.h. */
#include "scan.h"

#include <regionlint/input.h>

#include <string.h>

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
    size_t fields[6], nf = 0, j = i;
    *has_region = false;
    while (j < len && !ends_arn(s[j])) {
        if (s[j] == ':' && nf < 6)
            fields[nf++] = j;
        j++;
    }
    /* arn : partition : service : region : account : resource  -> 5 colons */
    if (nf < 5)
        return j - i;
    size_t region_off = fields[2] + 1, region_len = fields[3] - fields[2] - 1;
    if (!rl_is_region(s + region_off, region_len))
        return j - i;
    memset(hit, 0, sizeof(*hit));
    hit->kind = RL_HIT_ARN;
    hit->off = i;
    hit->len = j - i;
    hit->region_off = region_off;
    hit->region_len = region_len;
    copy_field(hit->region, sizeof(hit->region), s + region_off, region_len);
    copy_field(hit->service, sizeof(hit->service), s + fields[1] + 1, fields[2] - fields[1] - 1);
    hit->res_off = fields[4] + 1;
    hit->res_len = j - hit->res_off;
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
