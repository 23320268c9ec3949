/* Policy documents where they are deployed: the one reader of IAM policy documents for the
 * model and the rules. A document is compiled by the policy evaluator (src/policy) with
 * every value evaluated in its stack instance: an object, a JSON or URL-encoded string, an
 * Fn::Sub of a JSON string (each of its strings a template), a Terraform
 * data "aws_iam_policy_document" (its statement blocks), a plan's rendered JSON. */
#include <regionlint/refs.h>

#include "model_private.h"

#include <stdlib.h>
#include <string.h>

struct rl_mpolicy {
    rl_policy *policy; /* NULL when the document cannot be read */
    const char *why;
    const rl_stack *st;      /* where values are evaluated; NULL: literal (an export) */
    const rl_doc *doc;       /* the document holding a literal document's nodes */
    const rl_node *sub_vars; /* an Fn::Sub document's variable map */
    bool sub;                /* its strings are Fn::Sub templates */
    rl_arena *arena;         /* nodes synthesised from a Terraform policy document */
};

/* An Fn::Sub call of `tmpl` with `vars`, built in caller-owned storage: the strings of an
 * Fn::Sub document are each evaluated as an Fn::Sub of the document's variables. */
typedef struct sub_call {
    rl_node key, args, call;
    rl_node *items[2];
    rl_pair pair;
} sub_call;

static const rl_node *make_sub(sub_call *c, const rl_node *tmpl, const rl_node *vars)
{
    memset(c, 0, sizeof(*c));
    c->key.kind = RL_NODE_SCALAR;
    c->key.u.s.str = "Fn::Sub";
    c->key.u.s.len = 7;
    c->key.span = tmpl->span;
    c->items[0] = (rl_node *)tmpl;
    c->items[1] = (rl_node *)vars;
    c->args.kind = RL_NODE_SEQUENCE;
    c->args.u.seq.items = c->items;
    c->args.u.seq.count = 2;
    c->args.span = tmpl->span;
    c->pair.key = &c->key;
    c->pair.value = vars ? &c->args : (rl_node *)tmpl;
    c->call.kind = RL_NODE_MAPPING;
    c->call.u.map.items = &c->pair;
    c->call.u.map.count = 1;
    c->call.span = tmpl->span;
    return &c->call;
}

int rl_mpolicy_strings(const rl_mpolicy *p, const rl_node *n, rl_evstr_fn fn, void *ctx)
{
    if (!p || !n)
        return 0;
    if (!p->st) {
        if (!rl_node_is_scalar(n))
            return 0;
        rl_strpart part = {0, n->u.s.len, p->doc, n, 0, NULL, NULL};
        rl_evstr s = {n->u.s.str, n->u.s.len, &part, 1, true};
        return fn(ctx, &s);
    }
    sub_call c;
    if (p->sub && rl_node_is_scalar(n))
        return rl_eval_strings(p->st, make_sub(&c, n, p->sub_vars), fn, ctx);
    return rl_eval_strings(p->st, n, fn, ctx);
}

typedef struct adder {
    rl_policy_add_fn add;
    void *actx;
} adder;

static int on_string(void *ctx, const rl_evstr *s)
{
    adder *a = ctx;
    return a->add(a->actx, s->str, s->len);
}

static int expand(void *ctx, const rl_node *value, rl_policy_add_fn add, void *actx)
{
    adder a = {add, actx};
    return rl_mpolicy_strings(ctx, value, on_string, &a);
}

/* ---- Terraform data "aws_iam_policy_document" -------------------------------------- */

static rl_node *node_new(rl_arena *a, rl_node_kind kind, const rl_node *at)
{
    rl_node *n = rl_arena_calloc(a, 1, sizeof(*n));
    if (n) {
        n->kind = (uint8_t)kind;
        n->span = at ? at->span : (rl_span){{0, 0}, {0, 0}};
    }
    return n;
}

static rl_node *scalar_new(rl_arena *a, const char *s, const rl_node *at)
{
    rl_node *n = node_new(a, RL_NODE_SCALAR, at);
    if (n) {
        n->u.s.str = s;
        n->u.s.len = (uint32_t)strlen(s);
    }
    return n;
}

/* A mapping with room for `cap` pairs. */
static rl_node *map_new(rl_arena *a, size_t cap, const rl_node *at)
{
    rl_node *n = node_new(a, RL_NODE_MAPPING, at);
    if (n && !(n->u.map.items = rl_arena_calloc(a, cap ? cap : 1, sizeof(rl_pair))))
        return NULL;
    return n;
}

static bool map_put(rl_arena *a, rl_node *map, const char *key, const rl_node *value)
{
    rl_node *k = scalar_new(a, key, value);
    if (!k)
        return false;
    map->u.map.items[map->u.map.count].key = k;
    map->u.map.items[map->u.map.count++].value = (rl_node *)value;
    return true;
}

/* Blocks written as an object or a list of objects. */
static size_t blocks(const rl_node *n)
{
    return rl_node_is_seq(n) ? n->u.seq.count : n ? 1 : 0;
}

static const rl_node *block(const rl_node *n, size_t i)
{
    return rl_node_is_seq(n) ? n->u.seq.items[i] : n;
}

/* condition { test, variable, values } blocks as a Condition mapping: operator ->
 * { key -> values }. */
static rl_node *conditions(rl_arena *a, const rl_node *conds)
{
    size_t n = blocks(conds);
    rl_node *out = map_new(a, n, conds);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const rl_node *c = block(conds, i);
        const char *test = rl_node_str(rl_node_get(c, "test"));
        const char *var = rl_node_str(rl_node_get(c, "variable"));
        const rl_node *values = rl_node_get(c, "values");
        if (!test || !var || !values)
            continue;
        rl_node *ops = NULL;
        for (size_t k = 0; k < out->u.map.count && !ops; k++)
            if (!strcmp(out->u.map.items[k].key->u.s.str, test))
                ops = out->u.map.items[k].value;
        if (!ops) {
            if (!(ops = map_new(a, n, c)) || !map_put(a, out, test, ops))
                return NULL;
        }
        if (!map_put(a, ops, var, values))
            return NULL;
    }
    return out;
}

/* The IAM JSON a data "aws_iam_policy_document" stands for, its values the configuration's
 * own nodes (so positions point at them). */
static const rl_node *tf_document(rl_arena *a, const rl_node *props)
{
    static const char *const keys[][2] = {{"sid", "Sid"},
                                          {"effect", "Effect"},
                                          {"actions", "Action"},
                                          {"not_actions", "NotAction"},
                                          {"resources", "Resource"},
                                          {"not_resources", "NotResource"}};
    const rl_node *sts = rl_node_get(props, "statement");
    size_t n = blocks(sts);
    rl_node *doc = map_new(a, 2, props), *list = node_new(a, RL_NODE_SEQUENCE, sts);
    if (!doc || !list || !(list->u.seq.items = rl_arena_calloc(a, n + 1, sizeof(rl_node *))) ||
        !map_put(a, doc, "Statement", list))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const rl_node *s = block(sts, i);
        rl_node *st = map_new(a, 8, s);
        if (!st)
            return NULL;
        for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
            const rl_node *v = rl_node_get(s, keys[k][0]);
            if (v && !map_put(a, st, keys[k][1], v))
                return NULL;
        }
        /* effect defaults to Allow */
        if (!rl_node_get(s, "effect") && !map_put(a, st, "Effect", scalar_new(a, "Allow", s)))
            return NULL;
        const rl_node *conds = rl_node_get(s, "condition");
        rl_node *c = conds ? conditions(a, conds) : NULL;
        if (conds && (!c || !map_put(a, st, "Condition", c)))
            return NULL;
        list->u.seq.items[list->u.seq.count++] = st;
    }
    return doc;
}

/* ---- compiling ------------------------------------------------------------------------ */

/* The document node `value` stands for; sets p->why when it cannot be read. */
static const rl_node *document(rl_mpolicy *p, rl_doc *doc, const rl_node *value, int *rc)
{
    const rl_node *n = value;
    const char *fn;
    const rl_node *arg;
    const rl_stack *st = p->st;
    bool tf = st && st->env && st->env->terraform;
    if (st && !tf && rl_node_intrinsic(n, &fn, &arg)) {
        if (!strcmp(fn, "Fn::Sub")) {
            const rl_node *tmpl = rl_node_is_seq(arg) ? rl_node_at(arg, 0) : arg;
            p->sub_vars = rl_node_is_seq(arg) ? rl_node_at(arg, 1) : NULL;
            p->sub = true;
            n = tmpl;
        } else if (!strcmp(fn, "Fn::If")) {
            rl_val v = rl_val_of(st, n);
            if (v.state != RL_KNOWN) {
                p->why = v.state == RL_ABSENT ? "no document" : v.why;
                return NULL;
            }
            return document(p, doc, v.node, rc);
        }
    }
    if (tf && rl_node_is_scalar(n) && st->env->tf_interpolate) {
        rl_ref r = rl_ref_of(st, NULL, n);
        if (r.state == RL_KNOWN && r.res->type && !strcmp(r.res->type, "aws_iam_policy_document")) {
            /* evaluated where the data source is: its own file and module instance */
            p->st = r.res->stack;
            if (!p->arena && !(p->arena = rl_arena_new(4096))) {
                *rc = RL_ENOMEM;
                return NULL;
            }
            const rl_node *d = tf_document(p->arena, r.res->props);
            if (!d)
                *rc = RL_ENOMEM;
            return d;
        }
        if (r.state == RL_UNKNOWN) {
            p->why = r.why;
            return NULL;
        }
    }
    if (rl_node_is_scalar(n)) {
        const rl_node *parsed = NULL;
        rl_error err;
        rl_error_clear(&err);
        if (rl_doc_parse_embedded(doc, n, &parsed, &err) < 0) {
            if (err.code == RL_ENOMEM)
                *rc = RL_ENOMEM;
            /* a Terraform expression (jsonencode(...)), a template of another kind */
            p->why = "the document is not JSON the files give";
            return NULL;
        }
        n = parsed;
    }
    if (!rl_node_is_map(n)) {
        p->why = "not a policy document";
        return NULL;
    }
    return n;
}

int rl_mpolicy_new(rl_mpolicy **out, const rl_stack *st, rl_doc *doc, const rl_node *value)
{
    *out = NULL;
    rl_mpolicy *p = calloc(1, sizeof(*p));
    if (!p)
        return RL_ENOMEM;
    p->st = st;
    p->doc = doc;
    int rc = RL_OK;
    const rl_node *d = value ? document(p, doc, value, &rc) : NULL;
    if (!value)
        p->why = "no document";
    if (d && rc == RL_OK) {
        rl_error err;
        rl_error_clear(&err);
        rc = rl_policy_compile(&p->policy, d, expand, p, &err);
        if (rc == RL_EPARSE) {
            p->why = "not a policy document (no Statement)";
            rc = RL_OK;
        }
    }
    if (rc < 0) {
        rl_mpolicy_free(p);
        return rc;
    }
    *out = p;
    return RL_OK;
}

void rl_mpolicy_free(rl_mpolicy *p)
{
    if (!p)
        return;
    rl_policy_free(p->policy);
    rl_arena_free(p->arena);
    free(p);
}

/* ---- the model's compiled documents ---------------------------------------------------- */

typedef struct pkey {
    const void *st, *node;
} pkey;

int rl_model_policy_compile(rl_model *m, const rl_stack *st, rl_doc *doc, const rl_node *value,
                            const rl_mpolicy **out)
{
    pkey k = {st, value};
    rl_mpolicy *p = rl_hmap_get(&m->priv->policies, &k, sizeof(k));
    if (!p) {
        void *key = rl_arena_alloc(m->priv->arena, sizeof(k));
        int rc = key ? rl_mpolicy_new(&p, st, doc, value) : RL_ENOMEM;
        if (rc < 0)
            return rc;
        memcpy(key, &k, sizeof(k));
        if (rl_hmap_put(&m->priv->policies, key, sizeof(k), p) < 0) {
            rl_mpolicy_free(p);
            return RL_ENOMEM;
        }
    }
    *out = p;
    return RL_OK;
}

const rl_mpolicy *rl_model_policy(const rl_model *m, const rl_stack *st, const rl_node *value)
{
    pkey k = {st, value};
    return rl_hmap_get(&m->priv->policies, &k, sizeof(k));
}

void rl_model_policies_free(rl_model *m)
{
    size_t it = 0;
    for (rl_hmap_entry *e; (e = rl_hmap_next(&m->priv->policies, &it));)
        rl_mpolicy_free(e->value);
    rl_hmap_free(&m->priv->policies);
}

const rl_policy *rl_mpolicy_policy(const rl_mpolicy *p)
{
    return p ? p->policy : NULL;
}

const char *rl_mpolicy_why(const rl_mpolicy *p)
{
    return p ? p->why : NULL;
}

const rl_stack *rl_mpolicy_stack(const rl_mpolicy *p)
{
    return p ? p->st : NULL;
}
