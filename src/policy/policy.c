/* The policy evaluator: compiles IAM policy documents, matches actions, resources and
 * condition operators with IAM's semantics in three values (yes / no / maybe when a key
 * cannot be known), and evaluates the SCPs of an organization path. See policy.h and
 * docs/rules/RL301.md for the semantics and the decisions behind them. */
#include <regionlint/policy.h>

#include "../base/arena.h"
#include "../base/aws.h"
#include "../base/strbuf.h"
#include "../base/time.h"
#include "../base/utf8.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A piece of an expanded value that cannot be known (U+FFFD). */
#define UNKNOWN_MARK "\xEF\xBF\xBD"

/* A pattern with unknown pieces as a wildcard pattern ("arn:aws:s3:::*" for
 * "arn:aws:s3:::\uFFFD"): false when it has none (buf untouched). */
static bool unknown_as_star(const char *p, char *buf, size_t size)
{
    if (!strstr(p, UNKNOWN_MARK))
        return false;
    size_t o = 0;
    for (const char *s = p; *s && o + 1 < size; s++) {
        if (!strncmp(s, UNKNOWN_MARK, 3)) {
            buf[o++] = '*';
            s += 2;
        } else {
            buf[o++] = *s;
        }
    }
    buf[o] = '\0';
    return true;
}

struct rl_policy {
    rl_arena *arena;
    rl_statement *stmts;
    size_t nstmts;
    bool list; /* Statement is a list */
};

/* ---- matchers ---------------------------------------------------------------------- */

static size_t cp_len(const char *s)
{
    size_t n = rl_utf8_seq((const unsigned char *)s, strnlen(s, 4), NULL);
    return n ? n : 1;
}

static bool char_eq(char a, char b, bool ci)
{
    if (ci)
        return tolower((unsigned char)a) == tolower((unsigned char)b);
    return a == b;
}

bool rl_wildcard_match(const char *pattern, const char *s, bool ci)
{
    /* Greedy match with one backtrack point (the last `*`): linear for the patterns IAM
     * policies use, and never exponential. */
    const char *p = pattern, *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?') {
            p++;
            s += cp_len(s);
        } else if (*p && char_eq(*p, *s, ci)) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            resume += cp_len(resume);
            s = resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

bool rl_action_match(const char *pattern, const char *action)
{
    return pattern && action && rl_wildcard_match(pattern, action, true);
}

static bool field_match(const char *pat, size_t plen, const char *s, size_t slen)
{
    char pb[512], sb[1024];
    if (plen >= sizeof(pb) || slen >= sizeof(sb))
        return false;
    memcpy(pb, pat, plen);
    pb[plen] = '\0';
    memcpy(sb, s, slen);
    sb[slen] = '\0';
    return rl_wildcard_match(pb, sb, false);
}

bool rl_arn_match(const char *pattern, const char *arn)
{
    if (!pattern || !arn)
        return false;
    rl_arn p, a;
    if (!rl_arn_parse(pattern, strlen(pattern), &p) || !rl_arn_parse(arn, strlen(arn), &a))
        return rl_wildcard_match(pattern, arn, false); /* "*" or a malformed pattern */
    return field_match(p.partition, p.partition_len, a.partition, a.partition_len) &&
           field_match(p.service, p.service_len, a.service, a.service_len) &&
           field_match(p.region, p.region_len, a.region, a.region_len) &&
           field_match(p.account, p.account_len, a.account, a.account_len) &&
           field_match(p.resource, p.resource_len, a.resource, a.resource_len);
}

/* ---- compiling ----------------------------------------------------------------------- */

static const struct {
    const char *name;
    rl_cond_base base;
    bool negated;
} operators[] = {
    {"StringEquals", RL_COND_STRING_EQUALS, false},
    {"StringNotEquals", RL_COND_STRING_EQUALS, true},
    {"StringEqualsIgnoreCase", RL_COND_STRING_EQUALS_IC, false},
    {"StringNotEqualsIgnoreCase", RL_COND_STRING_EQUALS_IC, true},
    {"StringLike", RL_COND_STRING_LIKE, false},
    {"StringNotLike", RL_COND_STRING_LIKE, true},
    {"NumericEquals", RL_COND_NUMERIC_EQ, false},
    {"NumericNotEquals", RL_COND_NUMERIC_EQ, true},
    {"NumericLessThan", RL_COND_NUMERIC_LT, false},
    {"NumericLessThanEquals", RL_COND_NUMERIC_LE, false},
    {"NumericGreaterThan", RL_COND_NUMERIC_GT, false},
    {"NumericGreaterThanEquals", RL_COND_NUMERIC_GE, false},
    {"DateEquals", RL_COND_DATE_EQ, false},
    {"DateNotEquals", RL_COND_DATE_EQ, true},
    {"DateLessThan", RL_COND_DATE_LT, false},
    {"DateLessThanEquals", RL_COND_DATE_LE, false},
    {"DateGreaterThan", RL_COND_DATE_GT, false},
    {"DateGreaterThanEquals", RL_COND_DATE_GE, false},
    {"Bool", RL_COND_BOOL, false},
    {"BinaryEquals", RL_COND_BINARY_EQUALS, false},
    {"IpAddress", RL_COND_IP_ADDRESS, false},
    {"NotIpAddress", RL_COND_IP_ADDRESS, true},
    {"ArnEquals", RL_COND_ARN_LIKE, false},
    {"ArnLike", RL_COND_ARN_LIKE, false},
    {"ArnNotEquals", RL_COND_ARN_LIKE, true},
    {"ArnNotLike", RL_COND_ARN_LIKE, true},
    {"Null", RL_COND_NULL, false},
};

/* Operator names as IAM writes them; compared case-insensitively because hand-written
 * SCPs vary ("forAnyValue:") and IAM is lenient there too. */
static void parse_operator(rl_condition *c)
{
    const char *op = c->op;
    if (!strncasecmp(op, "ForAnyValue:", 12)) {
        c->for_any = true;
        op += 12;
    } else if (!strncasecmp(op, "ForAllValues:", 13)) {
        c->for_all = true;
        op += 13;
    }
    size_t n = strlen(op);
    if (n > 8 && !strcasecmp(op + n - 8, "IfExists")) {
        c->if_exists = true;
        n -= 8;
    }
    for (size_t i = 0; i < sizeof(operators) / sizeof(*operators); i++)
        if (strlen(operators[i].name) == n && !strncasecmp(op, operators[i].name, n)) {
            c->base = operators[i].base;
            c->negated = operators[i].negated;
            return;
        }
    c->base = RL_COND_UNKNOWN;
}

/* What compiling needs: where strings go, and how values expand. */
typedef struct cc {
    rl_arena *a;
    rl_policy_expand_fn expand; /* NULL: literal scalars only */
    void *ctx;
} cc;

/* A growing list of strings with the node each came from. */
typedef struct strlist {
    rl_arena *a;
    const char **v;
    const rl_node **nodes;
    size_t n, cap;
    const rl_node *node; /* the value being expanded */
} strlist;

static int strlist_add(void *actx, const char *s, size_t len)
{
    strlist *l = actx;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        const char **v = rl_arena_alloc(l->a, (ncap + 1) * sizeof(*v));
        const rl_node **nodes = rl_arena_alloc(l->a, (ncap + 1) * sizeof(*nodes));
        if (!v || !nodes)
            return RL_ENOMEM;
        if (l->n) {
            memcpy(v, l->v, l->n * sizeof(*v));
            memcpy(nodes, l->nodes, l->n * sizeof(*nodes));
        }
        l->v = v;
        l->nodes = nodes;
        l->cap = ncap;
    }
    /* a literal is the node's own string, which outlives the policy: no copy */
    const char *copy = rl_node_is_scalar(l->node) && s == l->node->u.s.str && !s[len]
                           ? s
                           : rl_arena_strndup(l->a, s, len);
    if (!copy)
        return RL_ENOMEM;
    l->nodes[l->n] = l->node;
    l->v[l->n++] = copy;
    l->v[l->n] = NULL;
    return RL_OK;
}

static int add_value(cc *c, strlist *l, const rl_node *item)
{
    l->node = item;
    if (c->expand)
        return c->expand(c->ctx, item, strlist_add, l);
    if (!rl_node_is_scalar(item))
        return RL_OK; /* non-scalars are skipped */
    return strlist_add(l, item->u.s.str, item->u.s.len);
}

/* A string or a list of strings, each expanded. */
static int strings_of(cc *c, const rl_node *n, const char ***out, const rl_node ***nodes,
                      size_t *count)
{
    strlist l = {c->a, NULL, NULL, 0, 0, NULL};
    int rc = RL_OK;
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count && rc == RL_OK; i++)
            rc = add_value(c, &l, n->u.seq.items[i]);
    } else if (n) {
        rc = add_value(c, &l, n);
    }
    if (rc < 0)
        return rc;
    if (!l.v && !(l.v = rl_arena_calloc(c->a, 1, sizeof(*l.v))))
        return RL_ENOMEM;
    *out = l.v;
    *nodes = l.nodes;
    *count = l.n;
    return RL_OK;
}

static int compile_conditions(cc *x, rl_statement *st, const rl_node *cond)
{
    if (!rl_node_is_map(cond))
        return RL_OK;
    size_t total = 0;
    for (size_t i = 0; i < cond->u.map.count; i++)
        total += rl_node_is_map(cond->u.map.items[i].value)
                     ? cond->u.map.items[i].value->u.map.count
                     : 0;
    st->conds = rl_arena_calloc(x->a, total + 1, sizeof(*st->conds));
    if (!st->conds)
        return RL_ENOMEM;
    for (size_t i = 0; i < cond->u.map.count; i++) {
        const char *op = rl_node_str(cond->u.map.items[i].key);
        const rl_node *keys = cond->u.map.items[i].value;
        if (!op || !rl_node_is_map(keys))
            continue;
        for (size_t j = 0; j < keys->u.map.count; j++) {
            const char *key = rl_node_str(keys->u.map.items[j].key);
            if (!key)
                continue;
            rl_condition *c = &st->conds[st->nconds++];
            c->op = op;
            c->key = key;
            c->node = keys->u.map.items[j].value;
            parse_operator(c);
            int rc = strings_of(x, c->node, &c->values, &c->value_nodes, &c->nvalues);
            if (rc < 0)
                return rc;
        }
    }
    return RL_OK;
}

static int compile_statement(cc *x, const rl_node *s, size_t index, rl_statement *st, bool *ok)
{
    *ok = false;
    const char *effect = rl_node_str(rl_node_get(s, "Effect"));
    if (!rl_node_is_map(s) || !effect ||
        (strcasecmp(effect, "Allow") != 0 && strcasecmp(effect, "Deny") != 0))
        return RL_OK;
    memset(st, 0, sizeof(*st));
    st->deny = !strcasecmp(effect, "Deny");
    st->index = index;
    st->node = s;
    st->sid = rl_node_str(rl_node_get(s, "Sid"));
    if (st->sid && !*st->sid)
        st->sid = NULL;
    const rl_node *act = rl_node_get(s, "Action");
    if (!act && (act = rl_node_get(s, "NotAction")))
        st->not_action = true;
    const rl_node *res = rl_node_get(s, "Resource");
    if (!res && (res = rl_node_get(s, "NotResource")))
        st->not_resource = true;
    int rc;
    if ((rc = strings_of(x, act, &st->actions, &st->action_nodes, &st->nactions)) == RL_OK &&
        x->expand)
        for (size_t i = 0; i < st->nactions && !st->open_actions; i++)
            st->open_actions = strstr(st->actions[i], UNKNOWN_MARK) != NULL;
    if (rc < 0 ||
        (rc = strings_of(x, res, &st->resources, &st->resource_nodes, &st->nresources)) < 0 ||
        (rc = compile_conditions(x, st, rl_node_get(s, "Condition"))) < 0)
        return rc;
    *ok = true;
    return RL_OK;
}

int rl_policy_new(rl_policy **out, const rl_node *doc, rl_error *err)
{
    return rl_policy_compile(out, doc, NULL, NULL, err);
}

int rl_policy_compile(rl_policy **out, const rl_node *doc, rl_policy_expand_fn expand, void *ctx,
                      rl_error *err)
{
    *out = NULL;
    const rl_node *stmts = rl_node_get(doc, "Statement");
    if (!rl_node_is_map(stmts) && !rl_node_is_seq(stmts))
        return rl_error_set(err, RL_EPARSE, NULL, doc ? doc->span.start.line : 0,
                            doc ? doc->span.start.column : 0,
                            "not a policy document (no Statement)");
    rl_policy *p = calloc(1, sizeof(*p));
    int rc = RL_OK;
    if (!p || !(p->arena = rl_arena_new(4096))) {
        free(p);
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    size_t n = rl_node_is_seq(stmts) ? stmts->u.seq.count : 1;
    p->stmts = rl_arena_calloc(p->arena, n + 1, sizeof(*p->stmts));
    if (!p->stmts) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    cc x = {p->arena, expand, ctx};
    p->list = rl_node_is_seq(stmts);
    for (size_t i = 0; i < n; i++) {
        const rl_node *s = rl_node_is_seq(stmts) ? stmts->u.seq.items[i] : stmts;
        bool ok;
        if ((rc = compile_statement(&x, s, i, &p->stmts[p->nstmts], &ok)) < 0)
            goto cleanup;
        if (ok)
            p->nstmts++;
    }

cleanup:
    if (rc < 0) {
        rl_policy_free(p);
        return rl_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    *out = p;
    return RL_OK;
}

void rl_policy_free(rl_policy *p)
{
    if (!p)
        return;
    rl_arena_free(p->arena);
    free(p);
}

bool rl_policy_statement_list(const rl_policy *p)
{
    return p && p->list;
}

size_t rl_policy_count(const rl_policy *p)
{
    return p ? p->nstmts : 0;
}

const rl_statement *rl_policy_statement(const rl_policy *p, size_t i)
{
    return p && i < p->nstmts ? &p->stmts[i] : NULL;
}

bool rl_policy_has_allow(const rl_policy *p)
{
    for (size_t i = 0; p && i < p->nstmts; i++)
        if (!p->stmts[i].deny)
            return true;
    return false;
}

/* ---- three-valued logic ------------------------------------------------------------ */

static rl_tri tri_not(rl_tri t)
{
    return t == RL_TRI_MAYBE ? RL_TRI_MAYBE : t == RL_TRI_YES ? RL_TRI_NO : RL_TRI_YES;
}

static rl_tri tri_or(rl_tri a, rl_tri b)
{
    if (a == RL_TRI_YES || b == RL_TRI_YES)
        return RL_TRI_YES;
    return a == RL_TRI_MAYBE || b == RL_TRI_MAYBE ? RL_TRI_MAYBE : RL_TRI_NO;
}

static rl_tri tri_and(rl_tri a, rl_tri b)
{
    if (a == RL_TRI_NO || b == RL_TRI_NO)
        return RL_TRI_NO;
    return a == RL_TRI_MAYBE || b == RL_TRI_MAYBE ? RL_TRI_MAYBE : RL_TRI_YES;
}

/* ---- request keys ------------------------------------------------------------------ */

/* Keys in every authenticated request (IAM "global condition context keys" that are
 * always present): their value is unknown to the linter, but never missing, so negated
 * operators and ...IfExists do not turn true merely because the key is absent. */
static const char *const always_present[] = {
    "aws:PrincipalArn",    "aws:PrincipalAccount", "aws:PrincipalOrgID",       "aws:PrincipalType",
    "aws:userid",          "aws:RequestedRegion",  "aws:CurrentTime",          "aws:EpochTime",
    "aws:SecureTransport", "aws:ViaAWSService",    "aws:PrincipalIsAWSService"};

rl_key_state rl_policy_key_state(const char *key)
{
    for (size_t i = 0; i < sizeof(always_present) / sizeof(*always_present); i++)
        if (!strcasecmp(key, always_present[i]))
            return RL_KEY_PRESENT;
    return RL_KEY_UNKNOWN;
}

static rl_key_state lookup(const rl_request *req, const char *key, const char *const **vals,
                           size_t *n)
{
    *vals = NULL;
    *n = 0;
    if (!strcasecmp(key, "aws:RequestedRegion") && req->region) {
        *vals = &req->region;
        *n = 1;
        return RL_KEY_PRESENT;
    }
    if ((!strcasecmp(key, "aws:PrincipalAccount") || !strcasecmp(key, "aws:ResourceAccount")) &&
        req->account) {
        *vals = &req->account;
        *n = 1;
        return RL_KEY_PRESENT;
    }
    if (req->key) {
        rl_key_state st = req->key(req->key_ctx, key, vals, n);
        if (st != RL_KEY_UNKNOWN)
            return st;
        *vals = NULL;
        *n = 0;
    }
    return rl_policy_key_state(key);
}

/* ---- value comparison -------------------------------------------------------------- */

/* ISO 8601 (T or space, fraction, Z or +hh:mm, or none), a date alone, or epoch seconds:
 * the one date parser (src/base/time.c). */
static bool parse_date(const char *s, double *out)
{
    rl_time t;
    if (!rl_date_parse(s, strlen(s), RL_DATE_DAY | RL_DATE_EPOCH | RL_DATE_NOZONE, &t))
        return false;
    *out = (double)t / (double)RL_TIME_PER_SEC;
    return true;
}

static bool ip_in(const char *ip, const char *cidr)
{
    char net[64];
    const char *slash = strchr(cidr, '/');
    size_t nl = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (nl >= sizeof(net))
        return false;
    memcpy(net, cidr, nl);
    net[nl] = '\0';
    unsigned char a[16], b[16];
    int fam = strchr(net, ':') ? AF_INET6 : AF_INET;
    size_t bytes = fam == AF_INET6 ? 16 : 4;
    if (inet_pton(fam, net, b) != 1 || inet_pton(fam, ip, a) != 1)
        return false;
    long bits = slash ? strtol(slash + 1, NULL, 10) : (long)bytes * 8;
    if (bits < 0 || bits > (long)bytes * 8)
        return false;
    for (size_t i = 0; i < bytes && bits > 0; i++, bits -= 8) {
        unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
        if ((a[i] & mask) != (b[i] & mask))
            return false;
    }
    return true;
}

/* Resolves policy variables in a condition value: ${*}, ${?} and ${$} stand for those
 * characters, ${key} and ${key, 'default'} take the key's single known value. Returns
 * false when a variable cannot be resolved (the comparison is then "maybe"). */
static bool expand_vars(const char *v, const rl_request *req, char *out, size_t outsz)
{
    size_t o = 0;
    for (const char *p = v; *p;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p + 2, '}');
            if (!close)
                return false;
            char name[256];
            size_t nl = (size_t)(close - p - 2);
            if (nl >= sizeof(name))
                return false;
            memcpy(name, p + 2, nl);
            name[nl] = '\0';
            const char *rep = NULL;
            char def[256];
            if (!strcmp(name, "*") || !strcmp(name, "?") || !strcmp(name, "$")) {
                rep = name;
            } else {
                char *comma = strchr(name, ',');
                def[0] = '\0';
                bool has_def = false;
                if (comma) {
                    const char *q1 = strchr(comma, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
                    if (q1 && q2 && (size_t)(q2 - q1 - 1) < sizeof(def)) {
                        memcpy(def, q1 + 1, (size_t)(q2 - q1 - 1));
                        def[q2 - q1 - 1] = '\0';
                        has_def = true;
                    }
                    *comma = '\0';
                    for (char *e = comma - 1; e >= name && *e == ' '; e--)
                        *e = '\0';
                }
                const char *const *vals;
                size_t n;
                rl_key_state st = lookup(req, name, &vals, &n);
                if (st == RL_KEY_PRESENT && n == 1)
                    rep = vals[0];
                else if (st == RL_KEY_ABSENT && has_def)
                    rep = def;
                else
                    return false;
            }
            size_t rl = strlen(rep);
            if (o + rl >= outsz)
                return false;
            memcpy(out + o, rep, rl);
            o += rl;
            p = close + 1;
        } else {
            if (o + 1 >= outsz)
                return false;
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return true;
}

/* One context value against one condition value, for the positive form of the operator. */
static rl_tri compare(rl_cond_base base, const char *ctx, const char *cv, const rl_request *req)
{
    char buf[1024];
    if (strstr(cv, "${")) {
        if (!expand_vars(cv, req, buf, sizeof(buf)))
            return RL_TRI_MAYBE;
        cv = buf;
    }
    double a, b;
    switch (base) {
    case RL_COND_STRING_EQUALS:
    case RL_COND_BINARY_EQUALS:
        return strcmp(ctx, cv) == 0 ? RL_TRI_YES : RL_TRI_NO;
    case RL_COND_STRING_EQUALS_IC:
        return strcasecmp(ctx, cv) == 0 ? RL_TRI_YES : RL_TRI_NO;
    case RL_COND_STRING_LIKE:
        return rl_wildcard_match(cv, ctx, false) ? RL_TRI_YES : RL_TRI_NO;
    case RL_COND_ARN_LIKE:
        return rl_arn_match(cv, ctx) ? RL_TRI_YES : RL_TRI_NO;
    case RL_COND_BOOL:
        return strcasecmp(ctx, cv) == 0 ? RL_TRI_YES : RL_TRI_NO;
    case RL_COND_IP_ADDRESS:
        return ip_in(ctx, cv) ? RL_TRI_YES : RL_TRI_NO;
    case RL_COND_NUMERIC_EQ:
    case RL_COND_NUMERIC_LT:
    case RL_COND_NUMERIC_LE:
    case RL_COND_NUMERIC_GT:
    case RL_COND_NUMERIC_GE: {
        char *e1, *e2;
        a = strtod(ctx, &e1);
        b = strtod(cv, &e2);
        if (e1 == ctx || e2 == cv)
            return RL_TRI_NO; /* not numbers: IAM's comparison fails */
        break;
    }
    case RL_COND_DATE_EQ:
    case RL_COND_DATE_LT:
    case RL_COND_DATE_LE:
    case RL_COND_DATE_GT:
    case RL_COND_DATE_GE:
        if (!parse_date(ctx, &a) || !parse_date(cv, &b))
            return RL_TRI_NO;
        break;
    default:
        return RL_TRI_MAYBE;
    }
    bool r;
    switch (base) {
    case RL_COND_NUMERIC_EQ:
    case RL_COND_DATE_EQ:
        r = a == b;
        break;
    case RL_COND_NUMERIC_LT:
    case RL_COND_DATE_LT:
        r = a < b;
        break;
    case RL_COND_NUMERIC_LE:
    case RL_COND_DATE_LE:
        r = a <= b;
        break;
    case RL_COND_NUMERIC_GT:
    case RL_COND_DATE_GT:
        r = a > b;
        break;
    default:
        r = a >= b;
        break;
    }
    return r ? RL_TRI_YES : RL_TRI_NO;
}

rl_tri rl_condition_eval(const rl_condition *c, const rl_request *req)
{
    const char *const *vals;
    size_t n;
    rl_key_state st = lookup(req, c->key, &vals, &n);
    if (c->base == RL_COND_NULL) {
        /* Null: "true" holds when the key is missing, "false" when it is present */
        if (st == RL_KEY_UNKNOWN)
            return RL_TRI_MAYBE;
        rl_tri r = RL_TRI_NO;
        for (size_t i = 0; i < c->nvalues; i++) {
            bool want_missing = !strcasecmp(c->values[i], "true");
            r = tri_or(r, want_missing == (st == RL_KEY_ABSENT) ? RL_TRI_YES : RL_TRI_NO);
        }
        return r;
    }
    if (st == RL_KEY_ABSENT) {
        /* A missing key: ...IfExists and ForAllValues hold, ForAnyValue does not, and a
         * plain operator holds only in its negated form ("matches none"). */
        if (c->if_exists || c->for_all)
            return RL_TRI_YES;
        if (c->for_any)
            return RL_TRI_NO;
        return c->negated ? RL_TRI_YES : RL_TRI_NO;
    }
    if (st == RL_KEY_UNKNOWN || n == 0 || c->base == RL_COND_UNKNOWN)
        return RL_TRI_MAYBE;
    /* Per context value: OR over the condition values, NOR for negated operators. Then
     * ForAllValues needs every context value, anything else one of them. */
    rl_tri result = c->for_all ? RL_TRI_YES : RL_TRI_NO;
    for (size_t i = 0; i < n; i++) {
        rl_tri any = RL_TRI_NO;
        for (size_t j = 0; j < c->nvalues; j++)
            any = tri_or(any, strstr(c->values[j], UNKNOWN_MARK)
                                  ? RL_TRI_MAYBE /* a value the files cannot give */
                                  : compare(c->base, vals[i], c->values[j], req));
        rl_tri one = c->negated ? tri_not(any) : any;
        result = c->for_all ? tri_and(result, one) : tri_or(result, one);
    }
    return result;
}

/* ---- statements -------------------------------------------------------------------- */

bool rl_statement_covers(const rl_statement *st, const char *action)
{
    bool any = false;
    char buf[256];
    for (size_t i = 0; i < st->nactions && !any; i++) {
        const char *p = st->actions[i];
        any = rl_action_match(st->open_actions && unknown_as_star(p, buf, sizeof(buf)) ? buf : p,
                              action);
    }
    return st->not_action ? !any : any;
}

static bool all_stars(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s != '*')
            return false;
    return true;
}

static rl_tri resource_match(const rl_statement *st, const rl_request *req)
{
    if (st->nresources == 0)
        return st->not_resource ? RL_TRI_NO : RL_TRI_YES;
    rl_tri any = RL_TRI_NO;
    for (size_t i = 0; i < st->nresources && any != RL_TRI_YES; i++) {
        const char *p = st->resources[i];
        char buf[1024];
        if (all_stars(p))
            any = RL_TRI_YES;
        else if (!req->resource || strstr(p, "${"))
            any = tri_or(any, RL_TRI_MAYBE);
        else if (unknown_as_star(p, buf, sizeof(buf)))
            any = tri_or(any, rl_arn_match(buf, req->resource) ? RL_TRI_MAYBE : RL_TRI_NO);
        else
            any = tri_or(any, rl_arn_match(p, req->resource) ? RL_TRI_YES : RL_TRI_NO);
    }
    return st->not_resource ? tri_not(any) : any;
}

rl_tri rl_statement_match(const rl_statement *st, const rl_request *req, rl_match *why)
{
    if (why)
        memset(why, 0, sizeof(*why));
    if (!rl_statement_covers(st, req->action))
        return RL_TRI_NO;
    rl_tri res = resource_match(st, req);
    rl_tri result = res;
    const rl_condition *open[RL_MATCH_MAX_OPEN];
    size_t nopen = 0;
    for (size_t i = 0; i < st->nconds && result != RL_TRI_NO; i++) {
        rl_tri c = rl_condition_eval(&st->conds[i], req);
        if (c == RL_TRI_MAYBE && nopen < RL_MATCH_MAX_OPEN)
            open[nopen++] = &st->conds[i];
        result = tri_and(result, c);
    }
    if (why) {
        why->result = result;
        if (result == RL_TRI_MAYBE) {
            why->resource_open = res == RL_TRI_MAYBE;
            memcpy(why->open, open, nopen * sizeof(*open));
            why->nopen = nopen;
        }
    }
    return result;
}

/* ---- descriptions ------------------------------------------------------------------ */

static void put_values(rl_strbuf *b, const rl_condition *c, const char *one, const char *many)
{
    if (c->nvalues == 1) {
        rl_strbuf_printf(b, "%s\"", one);
        rl_strbuf_put_escaped(b, c->values[0], strlen(c->values[0]), 120);
        rl_strbuf_putc(b, '"');
        return;
    }
    rl_strbuf_puts(b, many);
    for (size_t i = 0; i < c->nvalues && i < 4; i++) {
        rl_strbuf_printf(b, "%s\"", i ? ", " : "");
        rl_strbuf_put_escaped(b, c->values[i], strlen(c->values[i]), 120);
        rl_strbuf_putc(b, '"');
    }
    if (c->nvalues > 4)
        rl_strbuf_printf(b, " and %zu more", c->nvalues - 4);
}

size_t rl_condition_describe(const rl_condition *c, bool exemption, char *buf, size_t size)
{
    rl_strbuf b = RL_STRBUF_INIT;
    /* what must hold: the condition itself, or for an exemption its opposite */
    bool neg = c->negated != exemption;
    if (c->for_any || c->for_all || c->base == RL_COND_UNKNOWN) {
        rl_strbuf_printf(&b, "%s %s ", c->op, c->key);
        put_values(&b, c, "", "[");
        if (c->nvalues != 1)
            rl_strbuf_putc(&b, ']');
        rl_strbuf_puts(&b, exemption ? " does not hold" : " holds");
    } else if (c->base == RL_COND_NULL) {
        bool missing = c->nvalues && !strcasecmp(c->values[0], "true");
        rl_strbuf_printf(&b, "%s is %s", c->key, missing != exemption ? "absent" : "present");
    } else {
        rl_strbuf_printf(&b, "%s ", c->key);
        switch (c->base) {
        case RL_COND_STRING_EQUALS:
        case RL_COND_STRING_EQUALS_IC:
        case RL_COND_BINARY_EQUALS:
            put_values(&b, c, neg ? "is not " : "is ", neg ? "is none of " : "is one of ");
            if (c->base == RL_COND_STRING_EQUALS_IC)
                rl_strbuf_puts(&b, " (ignoring case)");
            break;
        case RL_COND_STRING_LIKE:
        case RL_COND_ARN_LIKE:
            put_values(&b, c, neg ? "is not like " : "is like ",
                       neg ? "is like none of " : "is like one of ");
            break;
        case RL_COND_BOOL:
            put_values(&b, c, neg ? "is not " : "is ", neg ? "is none of " : "is one of ");
            break;
        case RL_COND_IP_ADDRESS:
            put_values(&b, c, neg ? "is not in " : "is in ",
                       neg ? "is in none of " : "is in one of ");
            break;
        default: {
            static const char *const rel[][2] = {
                /* RL_COND_NUMERIC_EQ .. RL_COND_DATE_GE: the relation and its opposite */
                {"=", "!="}, {"<", ">="}, {"<=", ">"}, {">", "<="}, {">=", "<"},
                {"=", "!="}, {"<", ">="}, {"<=", ">"}, {">", "<="}, {">=", "<"}};
            int i = (int)c->base - (int)RL_COND_NUMERIC_EQ;
            char one[8];
            snprintf(one, sizeof(one), "%s ", rel[i][neg ? 1 : 0]);
            put_values(&b, c, one, neg ? "matches none of " : "matches one of ");
            break;
        }
        }
        if (c->if_exists && !exemption)
            rl_strbuf_printf(&b, " (or %s is absent)", c->key);
    }
    size_t n = b.len < size ? b.len : (size ? size - 1 : 0);
    if (size) {
        memcpy(buf, rl_strbuf_cstr(&b), n);
        buf[n] = '\0';
    }
    rl_strbuf_free(&b);
    return n;
}

/* ---- SCPs -------------------------------------------------------------------------- */

static void add_hit(rl_scp_hit *hits, size_t *n, const rl_scp *scp, const rl_statement *st,
                    size_t level, const rl_match *m)
{
    if (*n >= RL_SCP_MAX_HITS)
        return;
    rl_scp_hit *h = &hits[(*n)++];
    h->scp = scp;
    h->stmt = st;
    h->level = level;
    if (m)
        h->match = *m;
    else
        memset(&h->match, 0, sizeof(h->match));
}

void rl_scp_evaluate(const rl_scp_path *path, const rl_request *req, rl_scp_decision *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = RL_SCP_ALLOWED;
    if (!path || path->exempt)
        return;
    rl_scp_hit deny[RL_SCP_MAX_HITS], maybe[RL_SCP_MAX_HITS];
    size_t ndeny = 0, nmaybe = 0;
    bool not_allowed = false;
    size_t no_level = 0;
    for (size_t li = 0; li < path->nlevels; li++) {
        const rl_scp_level *lv = &path->levels[li];
        rl_tri allow = lv->assume_allow ? RL_TRI_YES : RL_TRI_NO;
        rl_scp_hit allows[RL_SCP_MAX_HITS];
        size_t nallows = 0;
        for (size_t si = 0; si < lv->nscps; si++) {
            const rl_scp *scp = lv->scps[si];
            for (size_t k = 0; k < rl_policy_count(scp->policy); k++) {
                const rl_statement *st = rl_policy_statement(scp->policy, k);
                if (!st->deny && allow == RL_TRI_YES)
                    continue; /* this level already allows */
                rl_match m;
                rl_tri r = rl_statement_match(st, req, &m);
                if (st->deny && r == RL_TRI_YES)
                    add_hit(deny, &ndeny, scp, st, li, &m);
                else if (st->deny && r == RL_TRI_MAYBE)
                    add_hit(maybe, &nmaybe, scp, st, li, &m);
                else if (!st->deny && r != RL_TRI_NO) {
                    allow = tri_or(allow, r);
                    if (r == RL_TRI_MAYBE)
                        add_hit(allows, &nallows, scp, st, li, &m);
                }
            }
        }
        if (allow == RL_TRI_NO && !not_allowed) {
            not_allowed = true;
            no_level = li;
        } else if (allow == RL_TRI_MAYBE) {
            for (size_t i = 0; i < nallows; i++)
                add_hit(maybe, &nmaybe, allows[i].scp, allows[i].stmt, li, &allows[i].match);
        }
    }
    if (ndeny) {
        out->outcome = RL_SCP_DENIED;
        memcpy(out->hits, deny, ndeny * sizeof(*deny));
        out->nhits = ndeny;
    } else if (not_allowed) {
        out->outcome = RL_SCP_NOT_ALLOWED;
        add_hit(out->hits, &out->nhits, NULL, NULL, no_level, NULL);
    } else if (nmaybe) {
        out->outcome = RL_SCP_CONDITIONAL;
        memcpy(out->hits, maybe, nmaybe * sizeof(*maybe));
        out->nhits = nmaybe;
    }
}
