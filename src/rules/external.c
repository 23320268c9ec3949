/* Dependencies outside the cloud, in the dependency family: RL506 (a standby resource that
 * calls an on-premises endpoint, the latency trap) and RL507 (a third party with no second
 * provider). One walk over the resolved values of every resource of the pair feeds both;
 * the scanners and indexes they use are in src/base/net.h. */
#include "../base/net.h"

#include <regionlint/eval.h>

#include "../base/strbuf.h"
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the check -------------------------------------------------------------------- */

typedef struct use use;

typedef struct party { /* an entry of RL507's third-parties */
    const char *name;
    const char *alternatives; /* "api.adyen.com, checkout.com", or NULL when none */
    bool alt_used;            /* some resource of the pair calls an alternative */
    use *uses;
} party;

typedef struct alt_link { /* an alternative host belongs to one or more parties */
    party *p;
    struct alt_link *next;
} alt_link;

struct use { /* one place that calls a third party (deduplicated over instances) */
    party *p;
    const char *file;
    rl_span span;
    const char *path;
    const char *res_id, *res_type;
    const char *host;
    bool *in_region; /* per region of the model: an instance of that region makes the call */
    const char *use_file;
    rl_span use_span; /* the property, when the literal is elsewhere (a parameter) */
    const char *via;
    bool elsewhere;
    use *next;
};

typedef struct ext {
    rl_rule_ctx *ctx;
    const rl_model *m;
    const rl_stack *st;
    size_t region_ix;
    const rl_resource *res;
    const rl_node *leaf;
    const rl_walk *w;
    const char *lastkey; /* the last key above the leaf, for messages */
    int lastkeylen;
    const rl_evstr *s;
    bool on506, on507;
    bool skip_type; /* RL506 does not look at this resource's type */
    bool look506;   /* RL506 looks at the current value */
    rl_domains onprem;
    rl_domains hosts; /* third-party host -> party */
    rl_domains alts;  /* alternative host -> alt_link list */
    party *parties;
    size_t nparties;
    rl_globset *ignored_types;
    rl_cidrs vpcs;       /* VPC and subnet blocks of each standby region */
    rl_hmap vpc_unknown; /* region -> 1: a VPC whose block cannot be resolved */
    rl_hmap seen;        /* finding keys: RL506 -> finding, RL507 -> use */
    rl_strbuf key;
    rl_arena *arena;
    int rc;
} ext;

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    return n >= sl && !strncasecmp(s + n - sl, suffix, sl);
}

static bool seg_free_text(const char *s, size_t n)
{
    return (n == 11 && !strncasecmp(s, "Description", 11)) ||
           (n == 4 && !strncasecmp(s, "Tags", 4)) || (n == 8 && !strncmp(s, "tags_all", 8));
}

/* IAM and resource policies: which addresses may call is access control, not a call */
static bool seg_policy(const char *s, size_t n)
{
    return ends_with_ci(s, n, "policy") || ends_with_ci(s, n, "policies") ||
           ends_with_ci(s, n, "policydocument") || (n == 9 && !strncmp(s, "Condition", 9));
}

/* A key in lower case without '_' and '-' (PrivateIpAddress, private_ip and
 * Access-Control-Allow-Origin compare alike); long keys are cut. */
static void fold_key(const char *s, size_t n, char *out, size_t cap)
{
    size_t m = 0;
    for (size_t i = 0; i < n && m + 1 < cap; i++)
        if (s[i] != '_' && s[i] != '-')
            out[m++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[m] = '\0';
}

/* Network configuration inside other resources: CIDR blocks and the resource's own
 * private addresses (an instance's PrivateIpAddress, private_ips) */
static bool seg_network(const char *s, size_t n)
{
    char low[64];
    fold_key(s, n, low, sizeof(low));
    return strstr(low, "cidr") || strstr(low, "privateip");
}

/* Names a resource gives itself, who may call it and links for people are not endpoints
 * it calls: a distribution's aliases, a hosted zone's name, CORS origins, a product's
 * support URL. */
static bool seg_not_called(const char *s, size_t n)
{
    char low[64];
    fold_key(s, n, low, sizeof(low));
    return !strcmp(low, "aliases") || !strcmp(low, "hostedzonename") || !strncmp(low, "cors", 4) ||
           strstr(low, "alloworigin") || !strncmp(low, "support", 7);
}

/* DNS records whose values are text or names, not hosts to reach: TXT (SPF, verification
 * tokens), CAA (the certificate authorities allowed), PTR (the name of an address), DS,
 * SOA. */
static bool text_record(const rl_node *type)
{
    static const char *const types[] = {"TXT", "SPF", "CAA", "PTR", "DS", "SOA"};
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
        if (rl_node_streq(type, types[i]))
            return true;
    return false;
}

/* The DNS record a leaf belongs to is a text record: RecordSet.Type,
 * RecordSetGroup.RecordSets[i].Type, aws_route53_record.type. */
static bool in_text_record(const rl_resource *res, const rl_walk *w)
{
    const char *t = res->type ? res->type : "";
    if (!strcmp(t, "AWS::Route53::RecordSet"))
        return text_record(rl_node_get(res->props, "Type"));
    if (!strcmp(t, "aws_route53_record"))
        return text_record(rl_node_get(res->props, "type"));
    if (strcmp(t, "AWS::Route53::RecordSetGroup") || rl_walk_depth(w) < 2 ||
        !rl_node_streq(rl_walk_step(w, 0, NULL), "RecordSets"))
        return false;
    size_t i = 0;
    if (rl_walk_step(w, 1, &i))
        return false;
    return text_record(rl_node_get(rl_node_at(rl_node_get(res->props, "RecordSets"), i), "Type"));
}

/* SAM's custom domain of an API (Domain: {DomainName, Route53}) is the API's own name. */
static bool sam_domain(const rl_resource *res, const rl_node *first)
{
    const char *t = res->type ? res->type : "";
    return (!strcmp(t, "AWS::Serverless::Api") || !strcmp(t, "AWS::Serverless::HttpApi")) &&
           rl_node_streq(first, "Domain");
}

enum {
    KEYS_SKIP = 1,   /* text, a policy, or a name the resource gives itself */
    KEYS_NETWORK = 2 /* network configuration: RL506 does not look */
};

/* What the keys from the properties down to a leaf say about it (read from the walk's
 * steps: no path string per leaf). *last receives the last key that is not Fn::If. */
static unsigned classify_keys(const rl_resource *res, const rl_walk *w, const rl_node **last)
{
    unsigned r = 0;
    size_t depth = rl_walk_depth(w);
    *last = NULL;
    for (size_t i = 0; i < depth; i++) {
        const rl_node *k = rl_walk_step(w, i, NULL);
        if (!rl_node_is_scalar(k))
            continue; /* a list index */
        const char *s = k->u.s.str;
        size_t n = k->u.s.len;
        if (n == 6 && !memcmp(s, "Fn::If", 6))
            continue;
        if (seg_free_text(s, n) || seg_policy(s, n) || seg_not_called(s, n) ||
            (i == 0 && sam_domain(res, k)))
            return KEYS_SKIP;
        if (seg_network(s, n))
            r |= KEYS_NETWORK;
        *last = k;
    }
    /* a DNS record's own name is not an endpoint it calls, nor is a text record's value */
    const char *t = res->type ? res->type : "";
    const char *k = *last ? (*last)->u.s.str : "";
    if ((!strcmp(t, "AWS::Route53::RecordSet") || !strcmp(t, "AWS::Route53::RecordSetGroup")) &&
        !strcmp(k, "Name"))
        return KEYS_SKIP;
    if (in_text_record(res, w))
        return KEYS_SKIP;
    if (!strcmp(t, "aws_route53_record") && !strcmp(k, "name"))
        return KEYS_SKIP;
    return r;
}

/* The text of bytes [off, off+len) of the current string for messages: escaped,
 * shortened, with values that cannot be known shown as the expression they come from. */
static const char *excerpt(ext *x, size_t off, size_t len, size_t max)
{
    rl_strbuf b = RL_STRBUF_INIT;
    size_t end = off + len;
    for (size_t i = 0; i < x->s->nparts && b.len < max; i++) {
        const rl_strpart *p = &x->s->parts[i];
        size_t ps = p->off > off ? p->off : off;
        size_t pe = p->off + p->len < end ? p->off + p->len : end;
        if (ps >= pe)
            continue;
        if (!p->origin && p->via && p->len == 3 && !memcmp(x->s->str + p->off, "\xEF\xBF\xBD", 3)) {
            const char *name = !strncmp(p->via, "parameter ", 10) ? p->via + 10 : p->via;
            rl_strbuf_printf(&b, "${%s}", name);
        } else {
            rl_strbuf_put_escaped(&b, x->s->str + ps, pe - ps, max);
        }
    }
    const char *r = rl_arena_strndup(x->arena, rl_strbuf_cstr(&b), b.len);
    rl_strbuf_free(&b);
    if (!r)
        x->rc = RL_ENOMEM;
    return r ? r : "";
}

static bool continuation(const rl_evstr *s, size_t i)
{
    return i < s->len && ((unsigned char)s->str[i] & 0xC0) == 0x80;
}

/* The value around bytes [off, off+len) for messages: all of it when short, else about 120
 * bytes around the hit (a long user-data script), marked with "..." where cut. */
static const char *window(ext *x, size_t off, size_t len)
{
    size_t start = 0, end = x->s->len;
    if (end > 120) {
        start = off > 40 ? off - 40 : 0;
        end = start + 120 > x->s->len ? x->s->len : start + 120;
        if (end < off + len)
            end = off + len;
        while (start > 0 && continuation(x->s, start))
            start--;
        while (continuation(x->s, end))
            end++;
    }
    const char *mid = excerpt(x, start, end - start, 200);
    const char *r =
        rl_arena_printf(x->arena, "%s%s%s", start ? "..." : "", mid, end < x->s->len ? "..." : "");
    if (!r)
        x->rc = RL_ENOMEM;
    return r ? r : "";
}

/* Where bytes of the current string came from: the exact span in the literal, else the
 * value. `elsewhere`: the literal is not inside the property (a parameter's Default or a
 * parameter file). */
static void locate(ext *x, size_t off, size_t len, const char **file, rl_span *span,
                   bool *elsewhere, const char **via)
{
    const char *own = rl_doc_path(x->st->input->doc);
    *file = own;
    *span = x->leaf->span;
    *elsewhere = false;
    *via = NULL;
    if (rl_evstr_locate(x->s, off, len, file, span, via))
        *elsewhere = strcmp(*file, own) != 0 || span->start.line < x->leaf->span.start.line ||
                     span->start.line > x->leaf->span.end.line;
}

/* Whether a finding (or use) was made at this position already; *slot receives the
 * entry's value slot (NULL when out of memory, then it counts as seen). */
static bool seen_before(ext *x, const char *rule, const char *file, const rl_span *sp,
                        const char *extra, void ***slot)
{
    *slot = NULL;
    rl_strbuf_clear(&x->key);
    rl_strbuf_printf(&x->key, "%s|%s|%u|%u|%s", rule, file, sp->start.line, sp->start.column,
                     extra);
    if (x->key.failed) {
        x->rc = RL_ENOMEM;
        return true;
    }
    void **old = rl_hmap_slot(&x->seen, x->key.data, x->key.len);
    if (old) {
        *slot = old;
        return true;
    }
    char *k = rl_arena_strndup(x->arena, x->key.data, x->key.len);
    if (!k || rl_hmap_put(&x->seen, k, x->key.len, NULL) < 0) {
        x->rc = RL_ENOMEM;
        return true;
    }
    *slot = rl_hmap_slot(&x->seen, k, x->key.len);
    return false;
}

/* A resource's type for messages ("" when the template leaves it out). */
static const char *type_name(const rl_resource *res)
{
    return res->type ? res->type : "";
}

static void add_use_site(ext *x, rl_finding *f, const char *via)
{
    rl_emit_related(x->ctx, f, rl_doc_path(x->st->input->doc), &x->leaf->span,
                    "used here by %s (%s)%s%s", x->res->id, type_name(x->res),
                    via ? " through " : "", via ? via : "");
}

/* RL506: an on-premises endpoint in a standby resource. `domain` is the on-premises
 * domain a host belongs to, NULL for an RFC 1918 address. */
static void report_onprem(ext *x, size_t off, size_t len, const char *domain)
{
    const char *file, *via;
    rl_span span;
    bool elsewhere;
    locate(x, off, len, &file, &span, &elsewhere, &via);
    void **slot;
    if (seen_before(x, RL_ID(RL506), file, &span, x->st->region, &slot)) {
        /* the same literal reached another property (a parameter used twice) */
        rl_finding *prev = slot ? *slot : NULL;
        if (prev && elsewhere && prev->nrelated < 50)
            add_use_site(x, prev, via);
        return;
    }
    const char *what = excerpt(x, off, len, 100);
    const char *value = window(x, off, len);
    const char *region = x->st->region;
    rl_finding *f;
    if (domain)
        f = rl_emit_as(
            x->ctx, RL_ID(RL506), RL_LEVEL_NONE, file, &span, rl_walk_path(x->w), region, NULL,
            "%s (%s) in the standby region %s depends on %s, a host of the "
            "on-premises domain %s, far from the standby (%.*s: \"%s\")",
            x->res->id, type_name(x->res), region, what, domain, x->lastkeylen, x->lastkey, value);
    else
        f = rl_emit_as(
            x->ctx, RL_ID(RL506), RL_LEVEL_NONE, file, &span, rl_walk_path(x->w), region, NULL,
            "%s (%s) in the standby region %s depends on %s, a private (RFC 1918) "
            "address outside the VPCs defined for %s, so an on-premises endpoint far "
            "from the standby (%.*s: \"%s\")",
            x->res->id, type_name(x->res), region, what, region, x->lastkeylen, x->lastkey, value);
    if (f && elsewhere)
        add_use_site(x, f, via);
    *slot = f;
}

/* RL507: remembers a call to a third party; reported after the walk, when it is known
 * whether any resource of the pair uses one of its alternatives. */
static void record_use(ext *x, party *p, size_t off, size_t len)
{
    const char *file, *via;
    rl_span span;
    bool elsewhere;
    locate(x, off, len, &file, &span, &elsewhere, &via);
    void **slot;
    use *u;
    if (seen_before(x, RL_ID(RL507), file, &span, p->name, &slot)) {
        if (slot && (u = *slot))
            u->in_region[x->region_ix] = true;
        return;
    }
    u = rl_arena_calloc(x->arena, 1, sizeof(*u));
    bool *in = rl_arena_calloc(x->arena, x->m->nregions, sizeof(bool));
    const char *path = rl_arena_strdup(x->arena, rl_walk_path(x->w));
    if (!u || !in || !path) {
        x->rc = RL_ENOMEM;
        return;
    }
    u->p = p;
    u->file = file;
    u->span = span;
    u->path = path;
    u->res_id = x->res->id;
    u->res_type = type_name(x->res);
    u->host = excerpt(x, off, len, 100);
    u->in_region = in;
    in[x->region_ix] = true;
    u->elsewhere = elsewhere;
    u->use_file = rl_doc_path(x->st->input->doc);
    u->use_span = x->leaf->span;
    u->via = via;
    u->next = p->uses;
    p->uses = u;
    *slot = u;
}

static int on_ip(void *ctx, size_t off, size_t len, uint32_t addr)
{
    ext *x = ctx;
    if (rl_ipv4_rfc1918(addr) && !rl_cidrs_contain(&x->vpcs, x->st->region, addr) &&
        !rl_hmap_gets(&x->vpc_unknown, x->st->region))
        report_onprem(x, off, len, NULL);
    return x->rc;
}

static int on_host(void *ctx, size_t off, size_t len)
{
    ext *x = ctx;
    const char *h = x->s->str + off;
    const rl_domain *d;
    if (x->look506 && (d = rl_domains_match(&x->onprem, h, len)))
        report_onprem(x, off, len, d->name);
    if (x->on507 && (d = rl_domains_match(&x->hosts, h, len)))
        record_use(x, d->value, off, len);
    if (x->on507 && (d = rl_domains_match(&x->alts, h, len)))
        for (const alt_link *a = d->value; a; a = a->next)
            a->p->alt_used = true;
    return x->rc;
}

static int on_string(void *ctx, const rl_evstr *s)
{
    ext *x = ctx;
    x->s = s;
    int rc = 0;
    if (x->look506)
        rc = rl_scan_ipv4(s->str, s->len, on_ip, x);
    if (!rc && ((x->look506 && x->onprem.map.count) || (x->on507 && x->nparties)))
        rc = rl_scan_hosts(s->str, s->len, on_host, x);
    return rc ? rc : x->rc;
}

static int on_leaf(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w)
{
    ext *x = ctx;
    /* an address and a host name both hold a dot: a literal without one (and without a
     * Terraform interpolation) holds neither; most leaves end here */
    if (rl_node_is_scalar(leaf) && !memchr(leaf->u.s.str, '.', leaf->u.s.len) &&
        !memchr(leaf->u.s.str, '$', leaf->u.s.len))
        return 0;
    const rl_node *last;
    unsigned keys = classify_keys(res, w, &last);
    if (keys & KEYS_SKIP)
        return 0;
    x->res = res;
    x->leaf = leaf;
    x->w = w;
    x->lastkey = last ? last->u.s.str : "";
    x->lastkeylen = last && last->u.s.len < 200 ? (int)last->u.s.len : last ? 200 : 0;
    x->look506 = x->on506 && !x->skip_type && !rl_model_is_primary(x->m, x->st->region) &&
                 !(keys & KEYS_NETWORK);
    if (!x->look506 && !(x->on507 && x->nparties))
        return 0;
    int rc = rl_eval_strings(x->st, leaf, on_string, x);
    return rc ? rc : x->rc;
}

/* ---- settings ----------------------------------------------------------------------- */

/* Adds a host-name setting's entry to a set; the value was checked at config load. */
static int add_domain(ext *x, rl_domains *into, rl_setting item, rl_domain **out)
{
    int rc = rl_domains_add(into, rl_setting_str(item), out);
    return rc == RL_OK ? RL_OK : (x->rc = rc == RL_EINVAL ? RL_ECONFIG : rc);
}

/* RL506: onprem-domains (host suffixes), vpc-cidrs (a list for every standby, or region ->
 * list), ignored-types (globs). */
static int read_onprem(ext *x)
{
    rl_setting doms = rl_ctx_setting(x->ctx, RL_ID(RL506), "onprem-domains");
    for (size_t i = 0; i < rl_setting_count(doms); i++) {
        rl_domain *d;
        int rc = add_domain(x, &x->onprem, rl_setting_at(doms, i), &d);
        if (rc < 0)
            return rc;
    }
    if (rl_ctx_setting_globs(x->ctx, RL_ID(RL506), "ignored-types", 0, &x->ignored_types) < 0)
        return x->rc = RL_ENOMEM;
    rl_setting cidrs = rl_ctx_setting(x->ctx, RL_ID(RL506), "vpc-cidrs");
    bool by_region = rl_setting_kind_of(cidrs) == RL_SETTING_MAP;
    size_t groups = by_region ? rl_setting_count(cidrs) : 1;
    for (size_t g = 0; g < groups; g++) {
        rl_setting list = by_region ? rl_setting_at(cidrs, g) : cidrs;
        const char *region = by_region ? rl_setting_key_at(cidrs, g) : NULL;
        for (size_t i = 0; i < rl_setting_count(list); i++) {
            const char *block = rl_setting_str(rl_setting_at(list, i));
            uint32_t net;
            unsigned prefix;
            if (!rl_cidr_parse(block, strlen(block), &net, &prefix))
                return x->rc = RL_ECONFIG;
            for (size_t r = 0; r < x->m->nstandby; r++) {
                if (region && strcmp(region, x->m->standby[r]))
                    continue;
                if (rl_cidrs_add(&x->vpcs, x->m->standby[r], net, prefix) < 0)
                    return x->rc = RL_ENOMEM;
            }
        }
    }
    return RL_OK;
}

/* RL507: third-parties: [{name, hosts: [...], alternatives: [...]}] */
static int read_parties(ext *x)
{
    rl_setting list = rl_ctx_setting(x->ctx, RL_ID(RL507), "third-parties");
    size_t n = rl_setting_count(list);
    if (!n)
        return RL_OK;
    x->parties = rl_arena_calloc(x->arena, n + 1, sizeof(party));
    if (!x->parties)
        return x->rc = RL_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        rl_setting e = rl_setting_at(list, i);
        rl_setting hosts = rl_setting_get(e, "hosts"), alts = rl_setting_get(e, "alternatives");
        party *p = &x->parties[x->nparties++];
        p->name = rl_setting_str(rl_setting_get(e, "name"));
        for (size_t h = 0; h < rl_setting_count(hosts); h++) {
            rl_domain *d;
            int rc = add_domain(x, &x->hosts, rl_setting_at(hosts, h), &d);
            if (rc < 0)
                return rc;
            if (!d->value) /* a host listed twice belongs to its first party */
                d->value = p;
        }
        rl_strbuf names = RL_STRBUF_INIT;
        for (size_t a = 0; a < rl_setting_count(alts); a++) {
            rl_domain *d;
            int rc = add_domain(x, &x->alts, rl_setting_at(alts, a), &d);
            alt_link *l = rc == RL_OK ? rl_arena_alloc(x->arena, sizeof(*l)) : NULL;
            if (rc == RL_OK && !l)
                rc = x->rc = RL_ENOMEM;
            if (rc < 0) {
                rl_strbuf_free(&names);
                return rc;
            }
            l->p = p;
            l->next = d->value;
            d->value = l;
            rl_strbuf_printf(&names, "%s%s", a ? ", " : "", d->name);
        }
        bool failed = names.failed;
        if (names.len && !failed)
            failed = !(p->alternatives = rl_arena_strndup(x->arena, names.data, names.len));
        rl_strbuf_free(&names);
        if (failed)
            return x->rc = RL_ENOMEM;
    }
    return RL_OK;
}

/* ---- the walk ------------------------------------------------------------------------ */

/* The property that holds a VPC's (or subnet's) CIDR block, for the in-VPC exemption;
 * *vpc: the block is a VPC's own (not a subnet's, which lies inside one). */
static const char *cidr_property(const rl_resource *res, bool *vpc)
{
    static const struct {
        const char *type, *prop;
        bool vpc;
    } types[] = {{"AWS::EC2::VPC", "CidrBlock", true},
                 {"AWS::EC2::VPCCidrBlock", "CidrBlock", true},
                 {"AWS::EC2::Subnet", "CidrBlock", false},
                 {"aws_vpc", "cidr_block", true},
                 {"aws_default_vpc", "cidr_block", true},
                 {"aws_vpc_ipv4_cidr_block_association", "cidr_block", true},
                 {"aws_subnet", "cidr_block", false},
                 {"aws_default_subnet", "cidr_block", false}};
    const char *t = res->type ? res->type : "";
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
        if (!strcmp(t, types[i].type)) {
            *vpc = types[i].vpc;
            return types[i].prop;
        }
    return NULL;
}

typedef struct cidr_ctx {
    ext *x;
    size_t known; /* alternatives that are a block */
    bool unknown; /* an alternative that is not */
} cidr_ctx;

static int on_cidr(void *ctx, const rl_evstr *s)
{
    cidr_ctx *c = ctx;
    uint32_t net;
    unsigned prefix;
    if (!s->complete || !rl_cidr_parse(s->str, s->len, &net, &prefix)) {
        c->unknown = true;
        return 0;
    }
    c->known++;
    if (rl_cidrs_add(&c->x->vpcs, c->x->st->region, net, prefix) < 0)
        return c->x->rc = RL_ENOMEM;
    return 0;
}

/* Whether a stack takes part: in the pair, with a known region. */
static bool in_pair(const ext *x, const rl_stack *st, size_t *ix)
{
    if (!st->region)
        return false;
    for (size_t r = 0; r < x->m->nregions; r++)
        if (!strcmp(x->m->regions[r], st->region)) {
            *ix = r;
            return true;
        }
    return false;
}

/* Every VPC and subnet block the standby stacks define: an RFC 1918 address inside one is
 * an address in the standby's own network, not on premises. */
static int collect_vpcs(ext *x)
{
    for (size_t i = 0; i < x->m->nstacks && !x->rc; i++) {
        const rl_stack *st = x->m->stacks[i];
        size_t ix;
        if (!in_pair(x, st, &ix) || rl_model_is_primary(x->m, st->region))
            continue;
        x->st = st;
        for (size_t j = 0; j < st->nresources && !x->rc; j++) {
            const rl_resource *res = &st->resources[j];
            bool vpc = false;
            const char *prop = res->deployed != 0 ? cidr_property(res, &vpc) : NULL;
            if (!prop)
                continue;
            const rl_node *n = rl_node_get(res->props, prop);
            cidr_ctx c = {x, 0, false};
            int rc = n ? rl_eval_strings(st, n, on_cidr, &c) : 0;
            if (rc < 0)
                return rc;
            /* a VPC whose block cannot be known (a parameter without a default, an IPAM
             * pool): any private address may be inside it, so none is reported there */
            if (vpc && (c.unknown || !c.known) &&
                rl_hmap_puts(&x->vpc_unknown, st->region, (void *)1) < 0)
                return x->rc = RL_ENOMEM;
        }
    }
    return x->rc;
}

static int walk(ext *x)
{
    for (size_t i = 0; i < x->m->nstacks && !x->rc; i++) {
        const rl_stack *st = x->m->stacks[i];
        if (!in_pair(x, st, &x->region_ix))
            continue;
        bool standby = !rl_model_is_primary(x->m, st->region);
        if (!(x->on507 && x->nparties) && !(x->on506 && standby))
            continue;
        x->st = st;
        for (size_t j = 0; j < st->nresources && !x->rc; j++) {
            const rl_resource *res = &st->resources[j];
            /* Terraform data sources read; they do not call */
            if (res->deployed == 0 || !strncmp(res->id, "data.", 5))
                continue;
            const char *t = res->type ? res->type : "";
            /* an IAM policy's addresses are who may call, not what is called */
            if (!strncmp(t, "AWS::IAM::", 10) || !strncmp(t, "aws_iam_", 8))
                continue;
            x->skip_type = rl_globset_match(x->ignored_types, t);
            int rc = rl_walk_resource(res, on_leaf, x);
            if (rc < 0)
                return rc;
        }
    }
    return x->rc;
}

/* RL507 findings: the uses of every third party none of whose alternatives is used. */
static void report_parties(ext *x)
{
    for (size_t i = 0; i < x->nparties; i++) {
        const party *p = &x->parties[i];
        if (p->alt_used)
            continue;
        for (const use *u = p->uses; u; u = u->next) {
            char regions[256];
            size_t n = 0, count = 0;
            const char *first = NULL;
            regions[0] = '\0';
            for (size_t r = 0; r < x->m->nregions; r++)
                if (u->in_region[r])
                    count++;
            for (size_t r = 0, k = 0; r < x->m->nregions; r++) {
                if (!u->in_region[r])
                    continue;
                const char *sep = k == 0 ? "" : k + 1 == count ? " and " : ", ";
                int w = snprintf(regions + n, sizeof(regions) - n, "%s%s", sep, x->m->regions[r]);
                if (w > 0 && n + (size_t)w < sizeof(regions))
                    n += (size_t)w;
                if (!first)
                    first = x->m->regions[r];
                k++;
            }
            rl_finding *f;
            if (p->alternatives)
                f = rl_emit_as(
                    x->ctx, RL_ID(RL507), RL_LEVEL_NONE, u->file, &u->span, u->path, first, NULL,
                    "%s (%s) in %s calls %s (third party %s) and no resource of the "
                    "pair uses a second provider (%s): when %s is down, failing over "
                    "does not help",
                    u->res_id, u->res_type, regions, u->host, p->name, p->alternatives, p->name);
            else
                f = rl_emit_as(x->ctx, RL_ID(RL507), RL_LEVEL_NONE, u->file, &u->span, u->path,
                               first, NULL,
                               "%s (%s) in %s calls %s (third party %s), which has no second "
                               "provider (no alternatives configured): when %s is down, failing "
                               "over does not help",
                               u->res_id, u->res_type, regions, u->host, p->name, p->name);
            if (f && u->elsewhere)
                rl_emit_related(x->ctx, f, u->use_file, &u->use_span, "used here by %s (%s)%s%s",
                                u->res_id, u->res_type, u->via ? " through " : "",
                                u->via ? u->via : "");
        }
    }
}

int rl_check_external(rl_rule_ctx *ctx)
{
    ext x;
    memset(&x, 0, sizeof(x));
    x.ctx = ctx;
    x.m = rl_ctx_model(ctx);
    x.on506 = rl_ctx_enabled(ctx, RL_ID(RL506));
    x.on507 = rl_ctx_enabled(ctx, RL_ID(RL507));
    x.key = (rl_strbuf)RL_STRBUF_INIT;
    int rc = RL_ENOMEM;
    x.arena = rl_arena_new(0);
    if (!x.arena || rl_domains_init(&x.onprem) < 0 || rl_domains_init(&x.hosts) < 0 ||
        rl_domains_init(&x.alts) < 0 || rl_cidrs_init(&x.vpcs) < 0)
        goto cleanup;
    if ((x.on506 && (rc = read_onprem(&x)) < 0) || (x.on507 && (rc = read_parties(&x)) < 0))
        goto cleanup;
    if ((x.on506 && (rc = collect_vpcs(&x)) < 0) || (rc = walk(&x)) < 0)
        goto cleanup;
    if (x.on507)
        report_parties(&x);
    rc = x.rc;
cleanup:
    rl_hmap_free(&x.seen);
    rl_hmap_free(&x.vpc_unknown);
    rl_strbuf_free(&x.key);
    rl_domains_free(&x.onprem);
    rl_domains_free(&x.hosts);
    rl_domains_free(&x.alts);
    rl_cidrs_free(&x.vpcs);
    rl_globset_free(x.ignored_types);
    rl_arena_free(x.arena);
    return rc;
}
