/* Evaluation of CloudFormation intrinsics and Terraform interpolations for one stack
 * instance, keeping for every byte of a result the literal it came from. The number of
 * alternatives is capped (an unknown Fn::If doubles them) so no template can make the
 * evaluation explode the way condition scenarios do in single-template linters. */
#include "model_private.h"

#include "../base/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNKNOWN_MARK "\xEF\xBF\xBD" /* U+FFFD stands for a value that cannot be known */
#define MAX_DEPTH    64

typedef struct sv { /* one alternative string */
    char *s;
    size_t len, cap;
    rl_strpart *parts;
    size_t nparts, capparts;
    bool complete;
    bool absent; /* AWS::NoValue */
} sv;

typedef struct svs { /* alternatives */
    sv *v;
    size_t n;
} svs;

typedef struct svlist { /* a list value: items with their alternatives */
    svs *items;
    size_t n;
    bool known;
} svlist;

typedef struct ev {
    const rl_eval_env *env;
    rl_arena *a;
    int depth;
    bool oom;            /* stop: out of memory, or (big) over budget */
    bool big;            /* the value is larger than the budgets allow: it is read as unknown */
    size_t used;         /* scratch bytes this evaluation has taken */
    size_t budget;       /* at most this many */
    size_t max_len;      /* the longest string a value may be */
    bool template_bound; /* budget is what is left of the template's, less than one evaluation's */
} ev;

/* ---- budgets --------------------------------------------------------------------- */

/* Scratch memory within this evaluation's budget: past it the evaluation stops and its
 * value is unknown ("too large to evaluate"), never an out-of-memory. */
static void *ev_alloc(ev *e, size_t n)
{
    if (n > e->budget - e->used) {
        e->big = e->oom = true;
        return NULL;
    }
    void *p = rl_arena_alloc(e->a, n);
    if (!p)
        e->oom = true;
    else
        e->used += n;
    return p;
}

static void *ev_calloc(ev *e, size_t n, size_t size)
{
    void *p = n && size > SIZE_MAX / n ? NULL : ev_alloc(e, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

/* ---- string building ------------------------------------------------------------- */

static void sv_reserve(ev *e, sv *s, size_t extra)
{
    if (s->len + extra + 1 <= s->cap)
        return;
    if (s->len + extra + 1 > e->max_len) {
        e->big = e->oom = true; /* longer than a value may be */
        return;
    }
    size_t ncap = s->cap ? s->cap * 2 : 64;
    while (ncap < s->len + extra + 1)
        ncap *= 2;
    char *n = ev_alloc(e, ncap);
    if (!n)
        return;
    if (s->len)
        memcpy(n, s->s, s->len);
    s->s = n;
    s->cap = ncap;
}

static void sv_add_part(ev *e, sv *s, rl_strpart p)
{
    if (s->nparts == s->capparts) {
        size_t ncap = s->capparts ? s->capparts * 2 : 4;
        rl_strpart *n = ev_alloc(e, ncap * sizeof(*n));
        if (!n) {
            e->oom = true;
            return;
        }
        if (s->nparts)
            memcpy(n, s->parts, s->nparts * sizeof(*n));
        s->parts = n;
        s->capparts = ncap;
    }
    s->parts[s->nparts++] = p;
}

/* Appends bytes that came from `origin` at `origin_off` (origin may be NULL). */
static void sv_append(ev *e, sv *s, const char *bytes, size_t len, const rl_doc *doc,
                      const rl_node *origin, size_t origin_off, const char *via)
{
    if (!len)
        return;
    sv_reserve(e, s, len);
    if (e->oom)
        return;
    memcpy(s->s + s->len, bytes, len);
    sv_add_part(e, s, (rl_strpart){s->len, len, doc, origin, origin_off, via, NULL});
    s->len += len;
    s->s[s->len] = '\0';
}

static void sv_unknown(ev *e, sv *s, const char *via)
{
    /* via may be a caller's buffer: keep a copy */
    via = via ? rl_arena_strdup(e->a, via) : NULL;
    sv_append(e, s, UNKNOWN_MARK, 3, NULL, NULL, 0, via);
    s->complete = false;
}

/* Appends all of `src` to `dst`, shifting its parts. */
static void sv_cat(ev *e, sv *dst, const sv *src)
{
    size_t base = dst->len;
    if (!src->len) {
        dst->complete = dst->complete && src->complete;
        return;
    }
    sv_reserve(e, dst, src->len);
    if (e->oom)
        return;
    memcpy(dst->s + dst->len, src->s, src->len);
    dst->len += src->len;
    dst->s[dst->len] = '\0';
    for (size_t i = 0; i < src->nparts; i++) {
        rl_strpart p = src->parts[i];
        p.off += base;
        sv_add_part(e, dst, p);
    }
    dst->complete = dst->complete && src->complete;
}

/* Bytes [off, off+len) of src appended to dst with their origins. */
static void sv_cat_range(ev *e, sv *dst, const sv *src, size_t off, size_t len)
{
    for (size_t i = 0; i < src->nparts && len; i++) {
        const rl_strpart *p = &src->parts[i];
        size_t ps = p->off, pe = p->off + p->len;
        size_t s = off > ps ? off : ps, en = off + len < pe ? off + len : pe;
        if (s >= en)
            continue;
        sv_append(e, dst, src->s + s, en - s, p->doc, p->origin, p->origin_off + (s - ps), p->via);
    }
}

static sv sv_new(void)
{
    sv s;
    memset(&s, 0, sizeof(s));
    s.complete = true;
    return s;
}

static svs svs_one(ev *e, sv s)
{
    svs r = {NULL, 0};
    r.v = ev_alloc(e, sizeof(sv));
    if (!r.v) {
        e->oom = true;
        return r;
    }
    r.v[0] = s;
    r.n = 1;
    return r;
}

static svs svs_unknown(ev *e, const char *via)
{
    sv s = sv_new();
    sv_unknown(e, &s, via);
    return svs_one(e, s);
}

static svs svs_concat(ev *e, svs a, svs b)
{
    /* every combination, capped */
    if (a.n == 0 || b.n == 0)
        return a.n ? a : b;
    size_t n = a.n * b.n;
    if (n > RL_EVAL_MAX_ALTERNATIVES)
        n = RL_EVAL_MAX_ALTERNATIVES;
    svs r = {ev_alloc(e, n * sizeof(sv)), 0};
    if (!r.v) {
        e->oom = true;
        return r;
    }
    for (size_t i = 0; i < a.n && r.n < n; i++)
        for (size_t j = 0; j < b.n && r.n < n; j++) {
            sv s = sv_new();
            sv_cat(e, &s, &a.v[i]);
            sv_cat(e, &s, &b.v[j]);
            s.absent = a.v[i].absent && b.v[j].absent;
            r.v[r.n++] = s;
        }
    return r;
}

/* a followed by b, like svs_concat(); with one alternative on each side (the usual case)
 * b is appended to a's own string instead of both being copied into a new one, so a long
 * Fn::Sub or Fn::Join is built in linear time. `a` must be owned by the caller. */
static svs svs_append(ev *e, svs a, svs b)
{
    if (a.n != 1 || b.n != 1)
        return svs_concat(e, a, b);
    sv_cat(e, &a.v[0], &b.v[0]);
    a.v[0].absent = a.v[0].absent && b.v[0].absent;
    return a;
}

/* a followed by literal bytes of `origin` (appended in place when a has one alternative). */
static svs svs_append_bytes(ev *e, svs a, const char *bytes, size_t len, const rl_doc *doc,
                            const rl_node *origin, size_t origin_off)
{
    if (a.n != 1) {
        sv s = sv_new();
        sv_append(e, &s, bytes, len, doc, origin, origin_off, NULL);
        return svs_concat(e, a, svs_one(e, s));
    }
    sv_append(e, &a.v[0], bytes, len, doc, origin, origin_off, NULL);
    a.v[0].absent = false;
    return a;
}

static svs svs_union(ev *e, svs a, svs b)
{
    size_t n = a.n + b.n;
    if (n > RL_EVAL_MAX_ALTERNATIVES)
        n = RL_EVAL_MAX_ALTERNATIVES;
    svs r = {ev_alloc(e, (n ? n : 1) * sizeof(sv)), 0};
    if (!r.v) {
        e->oom = true;
        return r;
    }
    for (size_t i = 0; i < a.n && r.n < n; i++)
        r.v[r.n++] = a.v[i];
    for (size_t i = 0; i < b.n && r.n < n; i++)
        r.v[r.n++] = b.v[i];
    return r;
}

/* ---- the evaluator ----------------------------------------------------------------- */

static svs eval_node(ev *e, const rl_node *n, const rl_doc *doc);
static svlist eval_list(ev *e, const rl_node *n, const rl_doc *doc);
static int cond_value(ev *e, const char *name);

static svs literal(ev *e, const rl_node *n, const rl_doc *doc)
{
    sv s = sv_new();
    sv_append(e, &s, n->u.s.str, n->u.s.len, doc, n, 0, NULL);
    if (n->u.s.len == 0) {
        /* keep the origin of an empty literal for positions */
        sv_add_part(e, &s, (rl_strpart){0, 0, doc, n, 0, NULL, NULL});
    }
    return svs_one(e, s);
}

/* The value of a pseudo parameter with a value in this environment, or NULL; *canon
 * receives the name as a constant (it becomes the bytes' provenance, and `name` may be a
 * caller's buffer). */
static const char *pseudo_value(const rl_eval_env *env, const char *name, const char **canon)
{
    static const char *const names[] = {"AWS::Region", "AWS::Partition", "AWS::URLSuffix",
                                        "AWS::AccountId", "AWS::StackName"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (strcmp(name, names[i]))
            continue;
        *canon = names[i];
        switch (i) {
        case 0:
            return env->region;
        case 1:
            return env->partition;
        case 2:
            return env->partition && !strcmp(env->partition, "aws-cn") ? "amazonaws.com.cn"
                                                                       : "amazonaws.com";
        case 3:
            return env->account_id;
        default:
            return env->stack_name;
        }
    }
    return NULL;
}

static svs pseudo(ev *e, const char *name)
{
    const char *canon = NULL;
    const char *v = pseudo_value(e->env, name, &canon);
    if (!v && !strcmp(name, "AWS::NoValue")) {
        sv s = sv_new();
        s.absent = true;
        return svs_one(e, s);
    }
    if (!v)
        return svs_unknown(e, name);
    sv s = sv_new();
    sv_append(e, &s, v, strlen(v), NULL, NULL, 0, canon);
    return svs_one(e, s);
}

/* A parameter without a value is one of its AllowedValues when it has them (each one an
 * alternative), else unknown. */
static svs allowed_values(ev *e, const rl_param *p)
{
    const rl_node *allowed = rl_node_get(p->decl, "AllowedValues");
    svs r = {NULL, 0};
    for (size_t i = 0; rl_node_is_seq(allowed) && i < allowed->u.seq.count && !e->oom; i++) {
        const rl_node *v = allowed->u.seq.items[i];
        if (!rl_node_is_scalar(v))
            return svs_unknown(e, p->name);
        sv s = sv_new();
        sv_append(e, &s, v->u.s.str, v->u.s.len, e->env->doc, v, 0, p->via);
        r = r.n ? svs_union(e, r, svs_one(e, s)) : svs_one(e, s);
    }
    return r.n ? r : svs_unknown(e, p->name);
}

static svs ref(ev *e, const char *name)
{
    if (!strncmp(name, "AWS::", 5))
        return pseudo(e, name);
    const rl_param *p = rl_hmap_gets(&e->env->params, name);
    if (p) {
        if (!p->value)
            return allowed_values(e, p);
        svs r = p->is_list && rl_node_is_scalar(p->value) ? literal(e, p->value, p->doc)
                                                          : eval_node(e, p->value, p->doc);
        /* remember that these bytes are a parameter's value (an input of the template,
         * not something it hard-codes) */
        const char *via = p->via;
        for (size_t i = 0; via && i < r.n; i++)
            for (size_t j = 0; j < r.v[i].nparts; j++)
                if (!r.v[i].parts[j].via)
                    r.v[i].parts[j].via = via;
        return r;
    }
    return svs_unknown(e, name); /* a resource: its physical id is known only after deploy */
}

static bool sub_direct(ev *e, sv *acc, const char *name, const rl_node *vars);

/* Resolves the expression of one ${...} (or Terraform %{...}) of a template string. */
typedef svs (*subst_fn)(ev *e, const char *expr, bool directive, const rl_doc *doc, void *ctx);

/* Expands a template string: literal text keeps its exact origin, each ${X} is resolved by
 * `resolve`. Escapes: CloudFormation ${!X} is the text ${X}; Terraform $${ and %%{ are the
 * texts ${ and %{. Terraform strip markers (~) are ignored. */
static svs expand(ev *e, const rl_node *tmpl, const rl_doc *doc, bool terraform, subst_fn resolve,
                  void *ctx)
{
    const char *t = tmpl->u.s.str;
    size_t len = tmpl->u.s.len, i = 0, lit = 0;
    svs acc = svs_one(e, sv_new());
    while (i + 1 < len && !e->oom) {
        bool open = t[i] == '$' || (terraform && t[i] == '%');
        if (!open) {
            /* CloudFormation: only '$' opens; skip to the next one */
            const char *d = terraform ? NULL : memchr(t + i + 1, '$', len - i - 1);
            i = terraform ? i + 1 : d ? (size_t)(d - t) : len;
            continue;
        }
        size_t drop = 0; /* an escape: the byte to leave out */
        if (!terraform && t[i + 1] == '{' && i + 2 < len && t[i + 2] == '!')
            drop = i + 2;
        else if (terraform && t[i + 1] == t[i] && i + 2 < len && t[i + 2] == '{')
            drop = i + 1;
        if (drop) {
            acc = svs_append_bytes(e, acc, t + lit, drop - lit, doc, tmpl, lit);
            lit = drop + 1;
            i = drop + 2;
            continue;
        }
        if (t[i + 1] != '{') {
            i++;
            continue;
        }
        const char *close = memchr(t + i + 2, '}', len - i - 2);
        if (!close)
            break;
        acc = svs_append_bytes(e, acc, t + lit, i - lit, doc, tmpl, lit);
        size_t ns = i + 2, ne = (size_t)(close - t);
        while (ns < ne && (t[ns] == ' ' || (terraform && t[ns] == '~')))
            ns++;
        while (ne > ns && (t[ne - 1] == ' ' || (terraform && t[ne - 1] == '~')))
            ne--;
        char expr[256];
        size_t el = ne - ns < sizeof(expr) - 1 ? ne - ns : sizeof(expr) - 1;
        memcpy(expr, t + ns, el);
        expr[el] = '\0';
        if (terraform || acc.n != 1 || !sub_direct(e, &acc.v[0], expr, ctx)) {
            svs val = resolve(e, expr, t[i] == '%', doc, ctx);
            if (val.n == 0) /* not a string (a list, a mapping): unknown, not empty */
                val = svs_unknown(e, expr);
            acc = svs_append(e, acc, val);
        }
        i = (size_t)(close - t) + 1;
        lit = i;
    }
    if (lit < len)
        acc = svs_append_bytes(e, acc, t + lit, len - lit, doc, tmpl, lit);
    return acc;
}

/* The two usual ${...} of a CloudFormation Fn::Sub, a pseudo parameter with a value and a
 * parameter bound to a scalar, appended to the one alternative `acc` in place: the same
 * bytes and provenance as sub_var() and svs_append() give, without the intermediate
 * values. False for anything else (the general path handles it). */
static bool sub_direct(ev *e, sv *acc, const char *name, const rl_node *vars)
{
    if (e->oom || rl_node_get(vars, name))
        return false;
    const char *canon = NULL, *v;
    if (!strncmp(name, "AWS::", 5)) {
        if (!(v = pseudo_value(e->env, name, &canon)))
            return false;
        sv_append(e, acc, v, strlen(v), NULL, NULL, 0, canon);
        acc->absent = false;
        return true;
    }
    if (strchr(name, '.'))
        return false;
    const rl_param *p = rl_hmap_gets(&e->env->params, name);
    /* ref() evaluates the value one level deeper (eval_node): same limit */
    if (!p || !p->value || !rl_node_is_scalar(p->value) || e->depth + 1 > MAX_DEPTH ||
        e->env->tf_interpolate)
        return false;
    sv_append(e, acc, p->value->u.s.str, p->value->u.s.len, p->doc, p->value, 0, p->via);
    acc->absent = false;
    return true;
}

/* Fn::Sub: a name of the variable map, a parameter or pseudo parameter, or Res.Attr. */
static svs sub_var(ev *e, const char *name, bool directive, const rl_doc *doc, void *ctx)
{
    const rl_node *bound = rl_node_get((const rl_node *)ctx, name);
    (void)directive;
    if (bound)
        return eval_node(e, bound, doc);
    if (strchr(name, '.') && strncmp(name, "AWS::", 5))
        return svs_unknown(e, name); /* ${Resource.Attribute} */
    return ref(e, name);
}

static svs sub(ev *e, const rl_node *tmpl, const rl_node *vars, const rl_doc *doc)
{
    if (!rl_node_is_scalar(tmpl))
        return svs_unknown(e, "Fn::Sub");
    return expand(e, tmpl, doc, false, sub_var, (void *)vars);
}

static svs join(ev *e, const rl_node *arg, const rl_doc *doc)
{
    const rl_node *delim = rl_node_at(arg, 0);
    svlist items = eval_list(e, rl_node_at(arg, 1), doc);
    if (!rl_node_is_scalar(delim) || !items.known)
        return svs_unknown(e, "Fn::Join");
    svs acc = svs_one(e, sv_new());
    bool first = true;
    for (size_t i = 0; i < items.n && !e->oom; i++) {
        if (items.items[i].n == 1 && items.items[i].v[0].absent)
            continue;
        if (!first)
            acc = svs_append_bytes(e, acc, delim->u.s.str, delim->u.s.len, doc, delim, 0);
        acc = svs_append(e, acc, items.items[i]);
        first = false;
    }
    return acc;
}

static svs select_fn(ev *e, const rl_node *arg, const rl_doc *doc)
{
    svs idx = eval_node(e, rl_node_at(arg, 0), doc);
    svlist items = eval_list(e, rl_node_at(arg, 1), doc);
    if (idx.n != 1 || !idx.v[0].complete || !items.known)
        return svs_unknown(e, "Fn::Select");
    char *end = NULL;
    unsigned long i = strtoul(idx.v[0].s ? idx.v[0].s : "", &end, 10);
    if (!end || *end || i >= items.n)
        return svs_unknown(e, "Fn::Select");
    return items.items[i];
}

static svs find_in_map(ev *e, const rl_node *arg, const rl_doc *doc)
{
    const rl_node *map = NULL;
    svs keys[3];
    for (int k = 0; k < 3; k++) {
        keys[k] = eval_node(e, rl_node_at(arg, (size_t)k), doc);
        if (keys[k].n != 1 || !keys[k].v[0].complete)
            return svs_unknown(e, "Fn::FindInMap");
    }
    map = rl_node_get(e->env->mappings, keys[0].v[0].s ? keys[0].v[0].s : "");
    map = rl_node_get(map, keys[1].v[0].s ? keys[1].v[0].s : "");
    map = rl_node_get(map, keys[2].v[0].s ? keys[2].v[0].s : "");
    if (!map)
        return svs_unknown(e, "Fn::FindInMap");
    return eval_node(e, map, e->env->doc);
}

static svs if_fn(ev *e, const rl_node *arg, const rl_doc *doc)
{
    const char *cname = rl_node_str(rl_node_at(arg, 0));
    int c = cname ? cond_value(e, cname) : -1;
    if (c == 1)
        return eval_node(e, rl_node_at(arg, 1), doc);
    if (c == 0)
        return eval_node(e, rl_node_at(arg, 2), doc);
    return svs_union(e, eval_node(e, rl_node_at(arg, 1), doc),
                     eval_node(e, rl_node_at(arg, 2), doc));
}

/* A Terraform variable, local or module output: written in its own file, evaluated in its
 * own environment (a module call's arguments in the caller's). */
static svs tf_value(ev *e, const rl_tfvalue *v)
{
    const rl_eval_env *saved = e->env;
    if (v->env)
        e->env = v->env;
    svs r = eval_node(e, v->node, v->doc);
    e->env = saved;
    return r;
}

/* An attribute of a resource of another region (a Terraform reference across provider
 * aliases): written out when AWS makes it from the resource's region, account and name
 * (rl_attr_form), so the rules see the other region's ARN or endpoint; else one unknown
 * piece. Every byte points at the reference `at` and remembers the resource. */
static svs derived(ev *e, const rl_resource *r, const char *attr, const rl_node *at,
                   const rl_doc *doc, const char *via)
{
    const char *name_prop = NULL;
    const char *form = r->region ? rl_attr_form(r->type, attr, &name_prop) : NULL;
    sv s = sv_new();
    via = via ? rl_arena_strdup(e->a, via) : NULL;
    if (!form) {
        sv_append(e, &s, UNKNOWN_MARK, 3, NULL, NULL, 0, via);
        if (s.nparts)
            s.parts[s.nparts - 1].res = r;
        s.complete = false;
        return svs_one(e, s);
    }
    const rl_eval_env *own = r->stack->env;
    const char *partition = rl_region_partition(r->region);
    const char *account = rl_model_account_for(own->model, r->region);
    const char *name = NULL;
    const rl_node *np = rl_node_get(r->props, name_prop);
    if (np && own != e->env) {
        /* the name in the resource's own environment, without leaving this evaluation */
        const rl_eval_env *saved = e->env;
        e->env = own;
        svs v = eval_node(e, np, own->doc);
        e->env = saved;
        if (v.n == 1 && v.v[0].complete && v.v[0].len)
            name = v.v[0].s;
    }
    for (const char *p = form; *p && !e->oom;) {
        const char *open = strchr(p, '{');
        size_t lit = open ? (size_t)(open - p) : strlen(p);
        if (lit)
            sv_append(e, &s, p, lit, doc, at, 0, via);
        if (!open)
            break;
        const char *close = strchr(open, '}');
        size_t kl = (size_t)(close - open - 1);
        const char *v = NULL;
        if (!strncmp(open + 1, "region", kl))
            v = r->region;
        else if (!strncmp(open + 1, "partition", kl))
            v = partition;
        else if (!strncmp(open + 1, "account", kl))
            v = account;
        else if (!strncmp(open + 1, "name", kl))
            v = name;
        else if (!strncmp(open + 1, "urlsuffix", kl))
            v = strcmp(partition, "aws-cn") ? "amazonaws.com" : "amazonaws.com.cn";
        if (v) {
            sv_append(e, &s, v, strlen(v), doc, at, 0, via);
        } else {
            sv_append(e, &s, UNKNOWN_MARK, 3, NULL, NULL, 0, via);
            s.complete = false;
        }
        p = close + 1;
    }
    for (size_t i = 0; i < s.nparts; i++)
        s.parts[i].res = r;
    return svs_one(e, s);
}

/* A Terraform address in an expression: the resource and its attribute, read across
 * provider aliases (another region's resource gives its derived attribute). */
static bool tf_address(ev *e, const char *expr, const rl_node *at, const rl_doc *doc, svs *out)
{
    size_t n = 0;
    const char *p = expr;
    if (!strncmp(p, "module.", 7))
        return false; /* module outputs are evaluated above */
    if (!strncmp(p, "data.", 5))
        p += 5;
    while (p[n] && (islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) || p[n] == '_'))
        n++;
    if (strncmp(p, "aws_", 4) || p[n] != '.')
        return false;
    n++;
    while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-'))
        n++;
    size_t alen = (size_t)(p - expr) + n;
    const rl_resource *r = rl_tf_lookup(e->env, NULL, expr, alen);
    if (!r || !r->region || !e->env->region || !strcmp(r->region, e->env->region))
        return false; /* the same region: its attributes name it; unknown as ever */
    const char *rest = expr + alen;
    if (*rest == '[')
        rest += strcspn(rest, "]") + (rest[strcspn(rest, "]")] ? 1 : 0);
    char attr[64];
    size_t al = *rest == '.' ? strcspn(rest + 1, ".[") : 0;
    if (!al || al >= sizeof(attr))
        return false;
    memcpy(attr, rest + 1, al);
    attr[al] = '\0';
    *out = derived(e, r, attr, at, doc, expr);
    return true;
}

/* Terraform template strings: ${var.x}, ${local.x}, ${module.m.out} of a module instance
 * in the files, and the region and partition data sources resolve; other references and
 * %{...} directives are unknown. */
static svs tf_expr(ev *e, const char *expr, bool directive, const rl_doc *doc, void *ctx)
{
    const rl_tfvalue *v = NULL;
    if (directive)
        return svs_unknown(e, "template directive");
    if (!strncmp(expr, "var.", 4) && (v = rl_hmap_gets(&e->env->tf_vars, expr + 4)))
        return tf_value(e, v);
    if (!strncmp(expr, "local.", 6) && (v = rl_hmap_gets(&e->env->tf_locals, expr + 6)))
        return tf_value(e, v);
    if (!strncmp(expr, "module.", 7)) {
        const char *call = expr + 7, *dot = strchr(call, '.'), *why;
        size_t ol = dot ? strcspn(dot + 1, ".[") : 0;
        if (dot && ol && !dot[1 + ol] &&
            (v = rl_tf_module_output(e->env, call, (size_t)(dot - call), dot + 1, ol, &why)))
            return tf_value(e, v);
    }
    if (!strncmp(expr, "data.aws_region.", 16) && e->env->region &&
        (strstr(expr, ".name") || strstr(expr, ".id") || strstr(expr, ".region")))
        return pseudo(e, "AWS::Region");
    if (!strncmp(expr, "data.aws_partition.", 19) && strstr(expr, ".partition"))
        return pseudo(e, "AWS::Partition");
    svs addr;
    if (ctx && tf_address(e, expr, ctx, doc, &addr))
        return addr;
    return svs_unknown(e, expr);
}

static svs tf_template(ev *e, const rl_node *n, const rl_doc *doc)
{
    if (!memchr(n->u.s.str, '$', n->u.s.len) && !memchr(n->u.s.str, '%', n->u.s.len))
        return literal(e, n, doc);
    return expand(e, n, doc, true, tf_expr, (void *)n);
}

static svs eval_node(ev *e, const rl_node *n, const rl_doc *doc)
{
    const char *fn;
    const rl_node *arg;
    svs r = {NULL, 0};
    if (!n || e->oom)
        return r;
    if (++e->depth > MAX_DEPTH) {
        e->depth--;
        return svs_unknown(e, "nesting");
    }
    if (rl_node_is_scalar(n)) {
        r = e->env->tf_interpolate && n->type == RL_SCALAR_STRING ? tf_template(e, n, doc)
                                                                  : literal(e, n, doc);
    } else if (!e->env->terraform && rl_node_intrinsic(n, &fn, &arg)) {
        if (!strcmp(fn, "Ref"))
            r = rl_node_is_scalar(arg) ? ref(e, arg->u.s.str) : svs_unknown(e, "Ref");
        else if (!strcmp(fn, "Fn::Sub"))
            r = rl_node_is_seq(arg) ? sub(e, rl_node_at(arg, 0), rl_node_at(arg, 1), doc)
                                    : sub(e, arg, NULL, doc);
        else if (!strcmp(fn, "Fn::Join"))
            r = join(e, arg, doc);
        else if (!strcmp(fn, "Fn::Select"))
            r = select_fn(e, arg, doc);
        else if (!strcmp(fn, "Fn::If"))
            r = if_fn(e, arg, doc);
        else if (!strcmp(fn, "Fn::FindInMap"))
            r = find_in_map(e, arg, doc);
        else if (!strcmp(fn, "Fn::Base64"))
            r = eval_node(e, arg, doc);
        else
            r = svs_unknown(e, fn);
    }
    /* other mappings and sequences are not strings: no alternatives */
    e->depth--;
    return r;
}

/* A list value: a literal sequence, Fn::Split, a list parameter, or Fn::If of lists. */
static svlist eval_list(ev *e, const rl_node *n, const rl_doc *doc)
{
    svlist l = {NULL, 0, false};
    const char *fn;
    const rl_node *arg;
    if (!n || e->oom || e->depth > MAX_DEPTH)
        return l;
    if (rl_node_is_seq(n)) {
        l.items = ev_calloc(e, n->u.seq.count + 1, sizeof(svs));
        if (!l.items) {
            e->oom = true;
            return l;
        }
        for (size_t i = 0; i < n->u.seq.count; i++) {
            l.items[i] = eval_node(e, n->u.seq.items[i], doc);
            if (l.items[i].n == 0)
                l.items[i] = svs_unknown(e, "value");
        }
        l.n = n->u.seq.count;
        l.known = true;
        return l;
    }
    if (e->env->terraform || !rl_node_intrinsic(n, &fn, &arg))
        return l;
    sv src;
    if (!strcmp(fn, "Fn::Split") || !strcmp(fn, "Ref")) {
        const rl_node *delim = NULL;
        svs whole;
        if (!strcmp(fn, "Ref")) {
            const rl_param *p =
                rl_node_is_scalar(arg) ? rl_hmap_gets(&e->env->params, arg->u.s.str) : NULL;
            if (!p || !p->is_list || !p->value)
                return l;
            if (rl_node_is_seq(p->value))
                return eval_list(e, p->value, p->doc);
            whole = literal(e, p->value, p->doc);
        } else {
            delim = rl_node_at(arg, 0);
            if (!rl_node_is_scalar(delim))
                return l;
            whole = eval_node(e, rl_node_at(arg, 1), doc);
        }
        if (whole.n != 1 || !whole.v[0].complete)
            return l;
        src = whole.v[0];
        const char *d = delim ? delim->u.s.str : ",";
        size_t dl = delim ? delim->u.s.len : 1;
        size_t count = 1;
        for (size_t i = 0; dl && i + dl <= src.len; i++)
            if (!memcmp(src.s + i, d, dl)) {
                count++;
                i += dl - 1;
            }
        l.items = ev_calloc(e, count, sizeof(svs));
        if (!l.items) {
            e->oom = true;
            return l;
        }
        size_t start = 0;
        for (size_t i = 0; i <= src.len; i++) {
            if (i == src.len || (dl && i + dl <= src.len && !memcmp(src.s + i, d, dl))) {
                sv item = sv_new();
                size_t b = start, en = i;
                if (!delim) /* CommaDelimitedList values are trimmed */
                    while (b < en && src.s[b] == ' ')
                        b++;
                sv_cat_range(e, &item, &src, b, en - b);
                l.items[l.n++] = svs_one(e, item);
                if (i == src.len)
                    break;
                i += dl - 1;
                start = i + 1;
            }
        }
        l.known = true;
        return l;
    }
    if (!strcmp(fn, "Fn::If")) {
        const char *cname = rl_node_str(rl_node_at(arg, 0));
        int c = cname ? cond_value(e, cname) : -1;
        if (c == 1)
            return eval_list(e, rl_node_at(arg, 1), doc);
        if (c == 0)
            return eval_list(e, rl_node_at(arg, 2), doc);
    }
    return l;
}

/* ---- conditions ------------------------------------------------------------------- */

static int cond_expr(ev *e, const rl_node *n);

static int single_string(ev *e, const rl_node *n, char **out)
{
    svs v = eval_node(e, n, e->env->doc);
    if (v.n != 1 || !v.v[0].complete)
        return -1;
    *out = v.v[0].s ? v.v[0].s : (char *)"";
    return 0;
}

static int cond_expr(ev *e, const rl_node *n)
{
    const char *fn;
    const rl_node *arg;
    if (!rl_node_intrinsic(n, &fn, &arg))
        return -1;
    if (++e->depth > MAX_DEPTH) {
        e->depth--;
        return -1;
    }
    int r = -1;
    if (!strcmp(fn, "Condition")) {
        r = rl_node_is_scalar(arg) ? cond_value(e, arg->u.s.str) : -1;
    } else if (!strcmp(fn, "Fn::Equals")) {
        char *a, *b;
        if (rl_node_count(arg) == 2 && single_string(e, rl_node_at(arg, 0), &a) == 0 &&
            single_string(e, rl_node_at(arg, 1), &b) == 0)
            r = strcmp(a, b) == 0;
    } else if (!strcmp(fn, "Fn::Not")) {
        int v = cond_expr(e, rl_node_at(arg, 0));
        r = v < 0 ? -1 : !v;
    } else if (!strcmp(fn, "Fn::And") || !strcmp(fn, "Fn::Or")) {
        bool is_and = !strcmp(fn, "Fn::And");
        bool unknown = false;
        r = is_and ? 1 : 0;
        for (size_t i = 0; i < rl_node_count(arg); i++) {
            int v = cond_expr(e, rl_node_at(arg, i));
            if (v < 0)
                unknown = true;
            else if (is_and && v == 0) {
                r = 0;
                unknown = false;
                break;
            } else if (!is_and && v == 1) {
                r = 1;
                unknown = false;
                break;
            }
        }
        if (unknown)
            r = -1;
    }
    e->depth--;
    return r;
}

static int cond_value(ev *e, const char *name)
{
    rl_eval_env *env = (rl_eval_env *)e->env; /* the cache is filled lazily */
    void **slot = rl_hmap_slot(&env->cond_cache, name, strlen(name));
    if (slot) {
        intptr_t v = (intptr_t)*slot;
        return v == 1 ? -1 : (int)(v - 3); /* 1: in progress (a cycle) */
    }
    const rl_node *def = rl_node_get(env->conditions, name);
    if (!def)
        return -1;
    const char *key = rl_model_intern((rl_model *)env->model, name);
    if (!key || rl_hmap_puts(&env->cond_cache, key, (void *)(intptr_t)1) < 0) {
        e->oom = true;
        return -1;
    }
    int v = cond_expr(e, def);
    rl_hmap_puts(&env->cond_cache, key, (void *)(intptr_t)(v + 3));
    return v;
}

/* ---- public API ------------------------------------------------------------------- */

static ev ev_begin_env(const rl_eval_env *env)
{
    ev e;
    const struct rl_model_priv *priv = env->model->priv;
    memset(&e, 0, sizeof(e));
    e.env = env;
    e.a = priv->scratch;
    e.max_len = priv->limits.value_bytes;
    /* what is left of the template's budget, at most one evaluation's */
    size_t left = env->eval_spent < priv->limits.template_bytes
                      ? priv->limits.template_bytes - env->eval_spent
                      : 0;
    e.template_bound = left < priv->limits.eval_bytes;
    e.budget = e.template_bound ? left : priv->limits.eval_bytes;
    return e;
}

/* After a top-level evaluation: its scratch counts against the template's budget, and a
 * value over budget is noted once at its expression (the run reports it: RL001 note). */
static void ev_end(ev *e, const rl_node *node)
{
    rl_eval_env *env = (rl_eval_env *)e->env; /* the budget is filled as values are read */
    env->eval_spent += e->used;
    if (!e->big || !node)
        return;
    struct rl_model_priv *priv = env->model->priv;
    if (rl_hmap_get(&priv->eval_hits, node, RL_HMAP_PTR))
        return;
    rl_eval_hit *h = rl_arena_calloc(priv->arena, 1, sizeof(*h));
    if (!h || rl_hmap_put(&priv->eval_hits, node, RL_HMAP_PTR, h) < 0)
        return; /* out of memory while noting it: the value is still unknown */
    h->doc = env->doc;
    h->node = node;
    h->spent = e->template_bound;
    h->next = NULL;
    if (priv->hits_tail)
        priv->hits_tail->next = h;
    else
        priv->hits = h;
    priv->hits_tail = h;
}

static ev ev_begin(const rl_stack *st)
{
    return ev_begin_env(st->env);
}

/* A function call whose value is only known after deploy, as eval_node() sees it: a
 * function it does not evaluate (Fn::GetAtt, Fn::ImportValue, Fn::GetAZs, ...) or a Ref
 * of a resource. *via receives what the unknown piece stands for. */
static bool unknown_call(const rl_eval_env *env, const rl_node *node, const char **via)
{
    static const char *const evaluated[] = {"Fn::Sub", "Fn::Join",      "Fn::Select",
                                            "Fn::If",  "Fn::FindInMap", "Fn::Base64"};
    const char *fn;
    const rl_node *arg;
    if (env->terraform || !rl_node_is_map(node) || node->u.map.count != 1 ||
        !rl_node_intrinsic(node, &fn, &arg))
        return false;
    if (!strcmp(fn, "Ref")) {
        if (!rl_node_is_scalar(arg) || !strncmp(arg->u.s.str, "AWS::", 5) ||
            rl_hmap_gets(&env->params, arg->u.s.str))
            return false;
        *via = arg->u.s.str;
        return true;
    }
    for (size_t i = 0; i < sizeof(evaluated) / sizeof(*evaluated); i++)
        if (!strcmp(fn, evaluated[i]))
            return false;
    *via = fn;
    return true;
}

int rl_eval_strings(const rl_stack *st, const rl_node *node, rl_evstr_fn fn, void *ctx)
{
    if (!st || !st->env)
        return 0;
    /* A literal is itself: no evaluation, no scratch memory. Most leaves are literals and
     * this is called for every one of them. */
    if (rl_node_is_scalar(node) && !(st->env->tf_interpolate && node->type == RL_SCALAR_STRING &&
                                     (memchr(node->u.s.str, '$', node->u.s.len) ||
                                      memchr(node->u.s.str, '%', node->u.s.len)))) {
        rl_strpart part = {0, node->u.s.len, st->env->doc, node, 0, NULL, NULL};
        rl_evstr s = {node->u.s.str, node->u.s.len, &part, 1, true};
        return fn(ctx, &s);
    }
    struct rl_model_priv *priv = st->env->model->priv;
    /* The next most common leaf, Fn::GetAtt: one unknown piece, also without scratch. */
    const char *via;
    if (unknown_call(st->env, node, &via)) {
        rl_strpart part = {0, 3, NULL, NULL, 0, via, NULL};
        rl_evstr s = {UNKNOWN_MARK, 3, &part, 1, false};
        priv->eval_depth++;
        int rc = fn(ctx, &s);
        priv->eval_depth--;
        return rc;
    }
    ev e = ev_begin(st);
    /* scratch memory is reused, except while an outer evaluation's strings are in use */
    if (priv->eval_depth == 0)
        rl_arena_reset(e.a);
    priv->eval_depth++;
    svs r = eval_node(&e, node, st->env->doc);
    ev_end(&e, node);
    int rc = e.oom && !e.big ? RL_ENOMEM : 0;
    if (e.big) {
        /* too large to evaluate: one unknown piece that says so */
        rl_strpart part = {0, 3, NULL, NULL, 0, "too large to evaluate", NULL};
        rl_evstr s = {UNKNOWN_MARK, 3, &part, 1, false};
        rc = fn(ctx, &s);
        r.n = 0;
    }
    for (size_t i = 0; i < r.n && !rc; i++) {
        if (r.v[i].absent)
            continue;
        rl_evstr s = {r.v[i].s ? r.v[i].s : "", r.v[i].len, r.v[i].parts, r.v[i].nparts,
                      r.v[i].complete};
        rc = fn(ctx, &s);
    }
    priv->eval_depth--;
    return rc;
}

/* Scratch memory left by an earlier evaluation is dropped before a new one, unless an
 * rl_eval_strings() callback still reads its strings. */
static void scratch_reuse(const rl_eval_env *env)
{
    if (env->model->priv->eval_depth == 0)
        rl_arena_reset(env->model->priv->scratch);
}

const char *rl_env_string(const rl_eval_env *env, const rl_node *node)
{
    if (!env)
        return rl_node_str(node);
    scratch_reuse(env);
    ev e = ev_begin_env(env);
    svs r = eval_node(&e, node, env->doc);
    ev_end(&e, node);
    if (e.oom || r.n != 1 || !r.v[0].complete || r.v[0].absent)
        return NULL;
    return rl_model_intern((rl_model *)env->model, r.v[0].s ? r.v[0].s : "");
}

const char *rl_eval_string(const rl_stack *st, const rl_node *node)
{
    return st ? rl_env_string(st->env, node) : rl_node_str(node);
}

int rl_env_condition(const rl_eval_env *env, const char *name)
{
    if (!env)
        return -1;
    scratch_reuse(env);
    ev e = ev_begin_env(env);
    int v = cond_value(&e, name);
    ev_end(&e, rl_node_get(env->conditions, name));
    return v;
}

int rl_eval_condition(const rl_stack *st, const char *name)
{
    return st ? rl_env_condition(st->env, name) : -1;
}

bool rl_evstr_locate(const rl_evstr *s, size_t off, size_t len, const char **file, rl_span *span,
                     const char **via)
{
    const rl_strpart *best = NULL;
    for (size_t i = 0; i < s->nparts; i++) {
        const rl_strpart *p = &s->parts[i];
        if (off >= p->off && off < p->off + (p->len ? p->len : 1)) {
            best = p;
            break;
        }
    }
    if (via)
        *via = best ? best->via : NULL;
    if (!best || !best->origin || !best->doc)
        return false;
    *file = rl_doc_path(best->doc);
    if (best->res) {
        /* an attribute derived from a reference: the reference is the place */
        *span = best->origin->span;
        return true;
    }
    size_t ooff = best->origin_off + (off - best->off);
    size_t olen = len;
    if (off + len > best->off + best->len)
        olen = best->off + best->len - off; /* only the part inside this literal */
    rl_doc_subspan(best->doc, best->origin, ooff, olen, span);
    return true;
}

/* ---- walking resources -------------------------------------------------------------- */

/* One step of the path from a resource's properties to the current node: a mapping key, or
 * a list index when key is NULL. */
typedef struct walk_step {
    const rl_node *key;
    size_t index;
    bool cond; /* the key of an Fn::If whose branch follows */
} walk_step;

struct rl_walk {
    const rl_resource *res;
    rl_walk_fn fn;
    void *ctx;
    walk_step *steps;
    size_t nsteps, cap;
    bool terraform; /* no CloudFormation intrinsics */
    bool oom;
    int rc;
    /* The path is text only when a callback asks for it: most leaves are looked at and
     * dropped without it, and building it for every node walked cost more than the walk. */
    rl_strbuf path;
    bool path_ok; /* path holds the current leaf's path */
};

static inline bool push_step(rl_walk *w, const rl_node *key, size_t index, bool cond)
{
    if (w->nsteps == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 32;
        walk_step *n = realloc(w->steps, ncap * sizeof(*n));
        if (!n) {
            w->oom = true;
            return false;
        }
        w->steps = n;
        w->cap = ncap;
    }
    w->steps[w->nsteps++] = (walk_step){key, index, cond};
    return true;
}

static void leaf(rl_walk *w, const rl_node *n)
{
    w->path_ok = false;
    w->rc = w->fn(w->ctx, w->res, n, w);
}

static void walk(rl_walk *w, const rl_node *n, unsigned depth)
{
    if (!n || w->rc || w->oom || depth > 128)
        return;
    size_t mark = w->nsteps;
    if (n->kind == RL_NODE_SCALAR) {
        leaf(w, n);
        return;
    }
    const char *fn;
    const rl_node *arg;
    /* only a one-key mapping can be a function call: most mappings skip the test */
    if (!w->terraform && n->kind == RL_NODE_MAPPING && n->u.map.count == 1 &&
        rl_node_intrinsic(n, &fn, &arg)) {
        if (strcmp(fn, "Fn::If") != 0) {
            leaf(w, n);
            return;
        }
        /* Fn::If: follow the branch the condition picks in this region, or both */
        const char *cname = rl_node_str(rl_node_at(arg, 0));
        int c = cname ? rl_eval_condition(w->res->stack, cname) : -1;
        for (size_t b = 1; b <= 2 && !w->rc; b++) {
            if ((c == 1 && b == 2) || (c == 0 && b == 1))
                continue;
            if (!push_step(w, n->u.map.items[0].key, 0, true) || !push_step(w, NULL, b, false))
                return;
            walk(w, rl_node_at(arg, b), depth + 1);
            w->nsteps = mark;
        }
        return;
    }
    if (n->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.count && !w->rc; i++) {
            if (!push_step(w, NULL, i, false))
                return;
            walk(w, n->u.seq.items[i], depth + 1);
            w->nsteps = mark;
        }
        return;
    }
    for (size_t i = 0; i < n->u.map.count && !w->rc; i++) {
        if (!push_step(w, n->u.map.items[i].key, 0, false))
            return;
        walk(w, n->u.map.items[i].value, depth + 1);
        w->nsteps = mark;
    }
}

const char *rl_walk_path(const rl_walk *cw)
{
    rl_walk *w = (rl_walk *)cw; /* the text is a cache of the steps */
    if (w->path_ok)
        return rl_strbuf_cstr(&w->path);
    rl_strbuf_clear(&w->path);
    rl_strbuf_puts(&w->path, w->res->path);
    if (w->res->stack->source == RL_STACK_CFN)
        rl_strbuf_puts(&w->path, ".Properties");
    for (size_t i = 0; i < w->nsteps; i++) {
        const walk_step *s = &w->steps[i];
        if (!s->key) {
            rl_strbuf_put_index(&w->path, s->index);
            continue;
        }
        rl_strbuf_putc(&w->path, '.');
        if (s->cond)
            rl_strbuf_puts(&w->path, "Fn::If");
        else if (rl_node_is_scalar(s->key))
            rl_strbuf_append(&w->path, s->key->u.s.str, s->key->u.s.len);
    }
    w->path_ok = true;
    if (w->path.failed) {
        /* the walk ends with RL_ENOMEM; the callback sees an empty path until then */
        w->oom = true;
        return "";
    }
    return rl_strbuf_cstr(&w->path);
}

size_t rl_walk_depth(const rl_walk *w)
{
    return w->nsteps;
}

const rl_node *rl_walk_step(const rl_walk *w, size_t i, size_t *index)
{
    if (i >= w->nsteps) {
        if (index)
            *index = 0;
        return NULL;
    }
    if (index)
        *index = w->steps[i].index;
    return w->steps[i].key;
}

size_t rl_walk_keys(const rl_walk *w, const rl_node **keys, size_t n)
{
    size_t found = 0;
    for (size_t i = w->nsteps; i-- > 0 && found < n;)
        if (w->steps[i].key)
            keys[found++] = w->steps[i].key;
    return found;
}

int rl_walk_resource(const rl_resource *res, rl_walk_fn fn, void *ctx)
{
    rl_walk w;
    memset(&w, 0, sizeof(w));
    w.res = res;
    w.fn = fn;
    w.ctx = ctx;
    w.terraform = res->stack->env && res->stack->env->terraform;
    w.path = (rl_strbuf)RL_STRBUF_INIT;
    if (res->props)
        walk(&w, res->props, 0);
    int rc = w.oom ? RL_ENOMEM : w.rc;
    free(w.steps);
    rl_strbuf_free(&w.path);
    return rc;
}
