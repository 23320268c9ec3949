/* Endpoints in text outside AWS's own names; see net.h. */
#include "net.h"

#include <regionlint/eval.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- scanners -------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
    return is_alnum(c) || c == '-' || c == '.';
}

/* Reads one dotted quad at s[i]; returns its length (0 if none) and the address. */
static size_t read_quad(const char *s, size_t len, size_t i, uint32_t *addr)
{
    size_t j = i;
    uint32_t a = 0;
    for (int k = 0; k < 4; k++) {
        unsigned v = 0, nd = 0;
        while (j < len && is_digit(s[j]) && nd < 4) {
            v = v * 10 + (unsigned)(s[j] - '0');
            nd++;
            j++;
        }
        if (nd == 0 || nd > 3 || v > 255)
            return 0;
        a = a << 8 | v;
        if (k < 3) {
            if (j >= len || s[j] != '.')
                return 0;
            j++;
        }
    }
    *addr = a;
    return j - i;
}

int rl_scan_ipv4(const char *s, size_t len, rl_ipv4_fn fn, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        if (!is_digit(s[i]) ||
            (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '_'))) {
            i++;
            continue;
        }
        /* the whole run of digits and dots is one token: never rescanned from inside */
        size_t end = i;
        while (end < len && (is_digit(s[end]) || s[end] == '.'))
            end++;
        uint32_t addr;
        size_t n = read_quad(s, len, i, &addr);
        size_t j = i + n;
        bool alone = n > 0 &&
                     /* 10.1.2.3.4 is a longer dotted number; "10.1.2.3." ends a sentence */
                     !(j < len && s[j] == '.' && j + 1 < len && is_digit(s[j + 1])) &&
                     /* 10.0.0.0/16 is a CIDR block */
                     !(j < len && s[j] == '/' && j + 1 < len && is_digit(s[j + 1])) &&
                     !(j < len && (is_alnum(s[j]) || s[j] == '_'));
        if (alone) {
            int rc = fn(ctx, i, n, addr);
            if (rc)
                return rc;
        }
        i = end > i ? end : i + 1;
    }
    return 0;
}

bool rl_ipv4_rfc1918(uint32_t a)
{
    return (a >> 24) == 10 || (a >> 20) == ((172u << 4) | 1u) || (a >> 16) == ((192u << 8) | 168u);
}

bool rl_cidr_parse(const char *s, size_t len, uint32_t *net, unsigned *prefix)
{
    uint32_t a;
    size_t n = read_quad(s, len, 0, &a);
    if (!n || n + 2 > len || s[n] != '/')
        return false;
    unsigned p = 0;
    size_t j = n + 1;
    if (len - j > 2)
        return false;
    for (; j < len; j++) {
        if (!is_digit(s[j]))
            return false;
        p = p * 10 + (unsigned)(s[j] - '0');
    }
    if (p > 32)
        return false;
    *prefix = p;
    *net = p == 0 ? 0 : a & (0xFFFFFFFFu << (32 - p));
    return true;
}

/* The '@' before s[i] ends a URL's user part ("postgres://app@db.corp:5432"), not an
 * e-mail address ("ops@corp.example.com"): a "://" earlier in the same word. */
static bool url_user(const char *s, size_t i)
{
    size_t lim = i > 256 ? i - 256 : 0;
    for (size_t k = i; k > lim + 2; k--) {
        char c = s[k - 1];
        if ((unsigned char)c <= ' ' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '<')
            return false;
        if (c == '/' && s[k - 2] == '/' && s[k - 3] == ':')
            return true;
    }
    return false;
}

int rl_scan_hosts(const char *s, size_t len, rl_host_fn fn, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        bool start = is_alnum(s[i]) && (i == 0 || !(is_name_char(s[i - 1]) || s[i - 1] == '_'));
        if (!start) {
            i++;
            continue;
        }
        size_t n = 0;
        while (i + n < len && is_name_char(s[i + n]))
            n++;
        size_t next = i + n;
        while (n > 0 && (s[i + n - 1] == '.' || s[i + n - 1] == '-'))
            n--;
        bool dotted = false, empty_label = false;
        for (size_t k = 0; k < n; k++)
            if (s[i + k] == '.') {
                dotted = true;
                if (k + 1 < n && s[i + k + 1] == '.')
                    empty_label = true;
            }
        /* "name_x.corp" is no host name; "ops@corp.example.com" is an e-mail address */
        bool underscore = next < len && s[next] == '_';
        bool email = i > 0 && s[i - 1] == '@' && !url_user(s, i - 1);
        if (dotted && !empty_label && !underscore && !email) {
            int rc = fn(ctx, i, n);
            if (rc)
                return rc;
        }
        i = next;
    }
    return 0;
}

int rl_domains_init(rl_domains *d)
{
    memset(d, 0, sizeof(*d));
    d->map.ci = true;
    d->arena = rl_arena_new(0);
    return d->arena ? RL_OK : RL_ENOMEM;
}

void rl_domains_free(rl_domains *d)
{
    if (!d)
        return;
    rl_hmap_free(&d->map);
    rl_arena_free(d->arena);
    memset(d, 0, sizeof(*d));
}

/* Strips a leading "*." or "." and trailing dots; false when the rest is no host name. */
static bool domain_norm(const char **name, size_t *len)
{
    const char *s = *name;
    if (!strncmp(s, "*.", 2))
        s += 2;
    else if (s[0] == '.')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || !is_alnum(s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]) || (s[i] == '.' && i + 1 < n && s[i + 1] == '.'))
            return false;
    *name = s;
    *len = n;
    return true;
}

bool rl_domain_valid(const char *name)
{
    size_t n;
    return name && domain_norm(&name, &n);
}

int rl_domains_add(rl_domains *d, const char *name, rl_domain **out)
{
    size_t n;
    *out = NULL;
    if (!domain_norm(&name, &n))
        return RL_EINVAL;
    rl_domain *e = rl_hmap_get(&d->map, name, n);
    if (!e) {
        e = rl_arena_calloc(d->arena, 1, sizeof(*e));
        char *k = rl_arena_strndup(d->arena, name, n);
        if (!e || !k || rl_hmap_put(&d->map, k, n, e) < 0)
            return RL_ENOMEM;
        e->name = k;
    }
    *out = e;
    return RL_OK;
}

const rl_domain *rl_domains_match(const rl_domains *d, const char *host, size_t len)
{
    if (!d->map.count || len > 253)
        return NULL;
    /* longest first: the whole name, then the part after each dot */
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && host[i - 1] != '.')
            continue;
        const rl_domain *e = rl_hmap_get(&d->map, host + i, len - i);
        if (e)
            return e;
    }
    return NULL;
}

int rl_cidrs_init(rl_cidrs *c)
{
    memset(c, 0, sizeof(*c));
    c->arena = rl_arena_new(0);
    return c->arena ? RL_OK : RL_ENOMEM;
}

void rl_cidrs_free(rl_cidrs *c)
{
    if (!c)
        return;
    rl_hmap_free(&c->map);
    rl_arena_free(c->arena);
    memset(c, 0, sizeof(*c));
}

/* key: scope, NUL, prefix length, network (4 bytes, big-endian) */
static size_t cidr_key(char *buf, size_t cap, const char *scope, unsigned prefix, uint32_t net)
{
    size_t sl = strlen(scope);
    if (sl + 6 > cap)
        return 0;
    memcpy(buf, scope, sl + 1);
    buf[sl + 1] = (char)prefix;
    for (int i = 0; i < 4; i++)
        buf[sl + 2 + (size_t)i] = (char)(net >> (24 - 8 * i) & 0xFF);
    return sl + 6;
}

int rl_cidrs_add(rl_cidrs *c, const char *scope, uint32_t net, unsigned prefix)
{
    char buf[128];
    size_t n = cidr_key(buf, sizeof(buf), scope, prefix, net);
    if (!n || prefix > 32)
        return RL_OK; /* no region name is that long */
    if (rl_hmap_get(&c->map, buf, n))
        return RL_OK;
    char *k = rl_arena_alloc(c->arena, n);
    if (!k)
        return RL_ENOMEM;
    memcpy(k, buf, n);
    if (rl_hmap_put(&c->map, k, n, (void *)1) < 0)
        return RL_ENOMEM;
    c->lens |= (uint64_t)1 << prefix;
    return RL_OK;
}

bool rl_cidrs_contain(const rl_cidrs *c, const char *scope, uint32_t addr)
{
    for (unsigned p = 0; p <= 32; p++) {
        if (!(c->lens & ((uint64_t)1 << p)))
            continue;
        char buf[128];
        uint32_t net = p == 0 ? 0 : addr & (0xFFFFFFFFu << (32 - p));
        size_t n = cidr_key(buf, sizeof(buf), scope, p, net);
        if (n && rl_hmap_get(&c->map, buf, n))
            return true;
    }
    return false;
}
