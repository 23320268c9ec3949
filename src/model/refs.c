/* The reference layer: which resource a value names, and what a property is in its
 * instance, three-valued (see include/regionlint/refs.h). The one place where Ref,
 * Fn::GetAtt, Fn::Sub names, Fn::ImportValue, Terraform addresses, module outputs and plan
 * configuration references are followed; every analysis and rule asks here. */
#include <regionlint/refs.h>

#include "model_private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REF_DEPTH 16

static bool tf_env(const rl_eval_env *env)
{
    return env && env->terraform;
}

static const char *printf_model(const rl_eval_env *env, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A reason, kept in the model's arena. */
static const char *printf_model(const rl_eval_env *env, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return rl_model_intern((rl_model *)env->model, buf);
}

static rl_ref known(const rl_resource *res, const char *attr)
{
    rl_ref r;
    memset(&r, 0, sizeof(r));
    r.state = RL_KNOWN;
    r.res = res;
    r.attr = attr;
    return r;
}

static rl_ref unknown_ref(const char *why)
{
    rl_ref r;
    memset(&r, 0, sizeof(r));
    r.state = RL_UNKNOWN;
    r.why = why;
    return r;
}

static rl_ref absent_ref(void)
{
    rl_ref r;
    memset(&r, 0, sizeof(r));
    return r;
}

/* ---- lookups ---------------------------------------------------------------------- */

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Length of the Terraform address at the start of s: [module.NAME[KEY].]*[data.]TYPE.NAME,
 * or 0. */
static size_t tf_addr_len(const char *s, size_t len)
{
    size_t i = 0;
    while (len - i > 7 && !strncmp(s + i, "module.", 7)) {
        size_t j = i + 7;
        while (j < len && name_char(s[j]))
            j++;
        if (j < len && s[j] == '[') {
            const char *close = memchr(s + j, ']', len - j);
            j = close ? (size_t)(close - s) + 1 : len;
        }
        if (j == i + 7 || j >= len || s[j] != '.')
            return 0;
        i = j + 1;
    }
    if (len - i > 5 && !strncmp(s + i, "data.", 5))
        i += 5;
    size_t t = i;
    while (i < len && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
        i++;
    if (i == t || i >= len || s[i] != '.')
        return 0;
    size_t n = ++i;
    while (i < len && name_char(s[i]))
        i++;
    return i > n ? i : 0;
}

static const rl_resource *cfn_lookup(const rl_eval_env *env, const rl_stack *st, const char *id,
                                     size_t len)
{
    char key[512];
    if (!st || len >= sizeof(key))
        return NULL;
    memcpy(key, id, len);
    key[len] = '\0';
    uintptr_t i = (uintptr_t)rl_hmap_gets(&env->resources, key);
    return i && i <= st->nresources ? &st->resources[i - 1] : NULL;
}

const rl_resource *rl_ref_lookup(const rl_stack *st, const char *id)
{
    if (!st || !st->env || !id)
        return NULL;
    size_t len = strlen(id);
    if (!tf_env(st->env))
        return cfn_lookup(st->env, st, id, strcspn(id, "."));
    size_t n = tf_addr_len(id, len);
    return n ? rl_tf_lookup(st->env, NULL, id, n) : NULL;
}

/* ---- physical identifiers ---------------------------------------------------------- */

/* The scope of a stack's names: the template instance, the module instance or the plan. */
const void *rl_ref_scope(const rl_stack *st)
{
    const rl_eval_env *env = st->env;
    if (env && env->tfmod)
        return env->tfmod;
    if (env && env->plan)
        return env->plan;
    return st;
}

static size_t named_key(char *buf, size_t size, const void *scope, const char *name, size_t len)
{
    int n = snprintf(buf, size, "%p\x1f", scope);
    if (n < 0 || (size_t)n + len >= size)
        return 0;
    for (size_t i = 0; i < len; i++)
        buf[(size_t)n + i] = (char)tolower((unsigned char)name[i]);
    buf[(size_t)n + len] = '\0';
    return (size_t)n + len;
}

static int name_put(rl_model *m, const rl_stack *st, const char *name, const rl_resource *r)
{
    char key[1024];
    size_t n =
        name && *name ? named_key(key, sizeof(key), rl_ref_scope(st), name, strlen(name)) : 0;
    if (!n || rl_hmap_get(&m->priv->named, key, n))
        return RL_OK; /* the first resource of a name wins */
    const char *k = rl_model_intern(m, key);
    return k && rl_hmap_put(&m->priv->named, k, n, (void *)r) >= 0 ? RL_OK : RL_ENOMEM;
}

/* Types whose identifier is written by the user and used by other resources to name them
 * (a DB instance's DBClusterIdentifier). */
static const char *identifier_prop(const char *type)
{
    static const char *const ids[][2] = {{"AWS::RDS::DBCluster", "DBClusterIdentifier"},
                                         {"AWS::RDS::DBInstance", "DBInstanceIdentifier"},
                                         {"AWS::Neptune::DBCluster", "DBClusterIdentifier"},
                                         {"AWS::DocDB::DBCluster", "DBClusterIdentifier"},
                                         {"aws_rds_cluster", "cluster_identifier"},
                                         {"aws_db_instance", "identifier"},
                                         {"aws_neptune_cluster", "cluster_identifier"},
                                         {"aws_docdb_cluster", "cluster_identifier"}};
    for (size_t i = 0; type && i < sizeof(ids) / sizeof(*ids); i++)
        if (!strcmp(type, ids[i][0]))
            return ids[i][1];
    return NULL;
}

int rl_refs_index(rl_model *m)
{
    for (size_t i = 0; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        bool plan = st->env && st->env->plan;
        for (size_t j = 0; j < st->nresources; j++) {
            const rl_resource *r = &st->resources[j];
            const char *idp = identifier_prop(r->type);
            int rc = RL_OK;
            if (plan) {
                rc = name_put(m, st, rl_node_str(rl_node_get(r->props, "id")), r);
                if (rc == RL_OK)
                    rc = name_put(m, st, rl_node_str(rl_node_get(r->props, "arn")), r);
            }
            if (rc == RL_OK && idp) {
                const rl_node *n = rl_node_get(r->props, idp);
                rc = name_put(m, st, n ? rl_eval_string(st, n) : NULL, r);
            }
            if (rc < 0)
                return rc;
        }
    }
    return RL_OK;
}

const rl_resource *rl_ref_named(const rl_stack *st, const char *name, size_t len)
{
    char key[1024];
    if (!st || !st->env || !name)
        return NULL;
    size_t n = named_key(key, sizeof(key), rl_ref_scope(st), name, len);
    return n ? rl_hmap_get(&st->env->model->priv->named, key, n) : NULL;
}

const rl_resource *rl_ref_via(const rl_stack *st, const char *via)
{
    return via ? rl_ref_lookup(st, via) : NULL;
}

bool rl_via_is_input(const rl_stack *st, const char *via)
{
    if (!via || !st || !st->env)
        return false;
    if (!strcmp(via, "AWS::AccountId") || !strcmp(via, "AWS::Partition") ||
        !strcmp(via, "AWS::StackName") || !strcmp(via, "AWS::URLSuffix"))
        return true;
    if (tf_env(st->env))
        return !strncmp(via, "var.", 4) || !strncmp(via, "data.aws_caller_identity.", 25) ||
               !strncmp(via, "data.aws_partition.", 19);
    return rl_hmap_gets(&st->env->params, via) != NULL;
}

/* ---- CloudFormation ---------------------------------------------------------------- */

typedef struct rctx {
    const rl_eval_env *env;
    const rl_stack *st; /* the stack of env (CloudFormation ids index its resources) */
    const rl_resource *from;
    int depth;
} rctx;

static rl_ref ref_in(rctx x, const rl_node *v);

static bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a > b && !strcmp(s + a - b, suffix);
}

/* The first SAM function of the instance with an Api (HttpApi) event that names no API:
 * the one SAM makes the implicit ServerlessRestApi (ServerlessHttpApi) for. */
static const rl_resource *implicit_api(const rl_stack *st, bool http)
{
    for (size_t i = 0; st && i < st->nresources; i++) {
        const rl_resource *r = &st->resources[i];
        if (!r->type || strcmp(r->type, "AWS::Serverless::Function"))
            continue;
        const rl_node *events = rl_node_get(r->props, "Events");
        for (size_t k = 0; rl_node_is_map(events) && k < events->u.map.count; k++) {
            const rl_node *ev = events->u.map.items[k].value;
            const rl_node *props = rl_node_get(ev, "Properties");
            if (rl_node_streq(rl_node_get(ev, "Type"), http ? "HttpApi" : "Api") &&
                !rl_node_get(props, http ? "ApiId" : "RestApiId"))
                return r;
        }
    }
    return NULL;
}

/* SAM's generated resources, named after what generates them: ServerlessRestApi and
 * ServerlessHttpApi (the function that makes them), <Function>Url and <Function>Role (the
 * function). *implicit receives the generated resource's kind. */
static const rl_resource *sam_implicit(rctx x, const char *id, const char **implicit)
{
    if (!strcmp(id, "ServerlessRestApi") || !strcmp(id, "ServerlessHttpApi")) {
        *implicit = !strcmp(id, "ServerlessRestApi") ? "ServerlessRestApi" : "ServerlessHttpApi";
        return implicit_api(x.st, id[10] == 'H');
    }
    static const char *const suffixes[] = {"Url", "Role"};
    for (size_t i = 0; i < 2; i++) {
        if (!has_suffix(id, suffixes[i]))
            continue;
        const rl_resource *fn = cfn_lookup(x.env, x.st, id, strlen(id) - strlen(suffixes[i]));
        if (fn && fn->type && !strcmp(fn->type, "AWS::Serverless::Function")) {
            *implicit = suffixes[i];
            return fn;
        }
    }
    return NULL;
}

static rl_ref cfn_name(rctx x, const char *name, size_t len, const char *attr)
{
    char buf[256];
    if (len >= sizeof(buf))
        return absent_ref();
    memcpy(buf, name, len);
    buf[len] = '\0';
    if (!strncmp(buf, "AWS::", 5))
        return absent_ref();
    const rl_param *p = rl_hmap_gets(&x.env->params, buf);
    if (p)
        return p->value ? absent_ref()
                        : unknown_ref(printf_model(x.env, "parameter %s has no value", buf));
    const rl_resource *r = cfn_lookup(x.env, x.st, buf, len);
    if (r)
        return known(r, attr ? rl_model_intern((rl_model *)x.env->model, attr) : NULL);
    const char *implicit = NULL;
    if ((r = sam_implicit(x, buf, &implicit)))
        return known(r, implicit);
    return unknown_ref(printf_model(x.env, "%s is not defined in the template", buf));
}

/* "${X}" or "${X.Y}" as the whole template: the name, else NULL. */
static const char *whole_sub(const char *t, size_t *len)
{
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && t[n - 1] == ' ')
        n--;
    if (n < 4 || strncmp(t, "${", 2) || t[n - 1] != '}' || t[2] == '!' ||
        memchr(t + 2, '$', n - 3) || memchr(t + 2, '}', n - 3))
        return NULL;
    *len = n - 3;
    return t + 2;
}

static rl_ref cfn_import(rctx x, const rl_node *arg)
{
    const char *name = rl_env_string(x.env, arg);
    const char *region = x.env->region;
    if (!name)
        return unknown_ref("Fn::ImportValue of a name that cannot be known");
    if (!region)
        return unknown_ref(printf_model(x.env, "export %s (region unknown)", name));
    const rl_export *e = rl_model_exports(x.env->model, region, name);
    for (; e; e = e->next) {
        if (!e->stack || !e->value)
            continue;
        rctx y = {e->stack->env, e->stack, NULL, x.depth + 1};
        rl_ref r = ref_in(y, e->value);
        if (r.state != RL_ABSENT && !r.via_stack)
            r.via_stack = e->stack;
        return r;
    }
    const rl_export *any = rl_model_exports(x.env->model, region, name);
    return unknown_ref(printf_model(x.env,
                                    any ? "export %s of a deployed stack"
                                        : "export %s, which no stack read exports in %s",
                                    name, region));
}

static rl_ref cfn_ref(rctx x, const rl_node *v)
{
    const char *fn;
    const rl_node *arg;
    if (!rl_node_intrinsic(v, &fn, &arg))
        return absent_ref();
    if (!strcmp(fn, "Ref")) {
        const char *s = rl_node_str(arg);
        return s ? cfn_name(x, s, strlen(s), NULL) : absent_ref();
    }
    if (!strcmp(fn, "Fn::GetAtt")) {
        if (rl_node_is_seq(arg)) {
            const char *id = rl_node_str(rl_node_at(arg, 0));
            const char *attr = rl_node_str(rl_node_at(arg, 1));
            return id ? cfn_name(x, id, strlen(id), attr) : absent_ref();
        }
        const char *s = rl_node_str(arg);
        if (!s)
            return absent_ref();
        size_t n = strcspn(s, ".");
        return cfn_name(x, s, n, s[n] ? s + n + 1 : NULL);
    }
    if (!strcmp(fn, "Fn::Sub")) {
        const rl_node *t = rl_node_is_seq(arg) ? rl_node_at(arg, 0) : arg;
        const rl_node *vars = rl_node_is_seq(arg) ? rl_node_at(arg, 1) : NULL;
        size_t len = 0;
        const char *name = rl_node_str(t) ? whole_sub(rl_node_str(t), &len) : NULL;
        if (!name)
            return absent_ref();
        size_t n = strcspn(name, ".");
        if (n > len)
            n = len;
        char key[256];
        if (n < sizeof(key)) {
            memcpy(key, name, n);
            key[n] = '\0';
            const rl_node *bound = rl_node_get(vars, key);
            if (bound)
                return ref_in(x, bound);
        }
        char attr[256];
        if (n < len && len - n - 1 < sizeof(attr)) {
            memcpy(attr, name + n + 1, len - n - 1);
            attr[len - n - 1] = '\0';
            return cfn_name(x, name, n, attr);
        }
        return cfn_name(x, name, n, NULL);
    }
    if (!strcmp(fn, "Fn::If")) {
        const char *c = rl_node_str(rl_node_at(arg, 0));
        int cv = c ? rl_env_condition(x.env, c) : -1;
        if (cv >= 0)
            return ref_in(x, rl_node_at(arg, cv ? 1 : 2));
        rl_ref a = ref_in(x, rl_node_at(arg, 1)), b = ref_in(x, rl_node_at(arg, 2));
        if (a.state == RL_KNOWN && b.state == RL_KNOWN && a.res == b.res)
            return a;
        if (a.state == RL_ABSENT && b.state == RL_ABSENT)
            return a;
        return unknown_ref(printf_model(x.env, "condition %s is unknown in %s", c ? c : "?",
                                        x.env->region ? x.env->region : "this region"));
    }
    if (!strcmp(fn, "Fn::ImportValue"))
        return cfn_import(x, arg);
    if (!strcmp(fn, "Fn::Select")) {
        const rl_node *list = rl_node_at(arg, 1);
        if (!rl_node_is_seq(list))
            return ref_in(x, list); /* !Select [0, !GetAtt X.Attr]: X */
        const char *idx = rl_env_string(x.env, rl_node_at(arg, 0));
        char *end = NULL;
        unsigned long i = idx ? strtoul(idx, &end, 10) : 0;
        if (!idx || !end || *end || i >= list->u.seq.count)
            return unknown_ref("Fn::Select of an index that cannot be known");
        return ref_in(x, list->u.seq.items[i]);
    }
    if (!strcmp(fn, "Fn::GetStackOutput"))
        return unknown_ref("Fn::GetStackOutput (an output of another stack)");
    return absent_ref();
}

/* ---- Terraform configurations ------------------------------------------------------- */

static rl_ref tf_value_ref(rctx x, const rl_tfvalue *v)
{
    rctx y = x;
    if (v->env)
        y.env = v->env;
    y.st = NULL;
    return ref_in(y, v->node);
}

/* A reference expression (var.x, module.m.out, aws_x.y.attr, ...). */
static rl_ref tf_expr_ref(rctx x, const char *e, size_t len)
{
    char name[256];
    const rl_tfvalue *v;
    if (len > 4 && !strncmp(e, "var.", 4)) {
        size_t n = strcspn(e + 4, ".[");
        if (n >= sizeof(name) || 4 + n > len)
            return absent_ref();
        memcpy(name, e + 4, n);
        name[n] = '\0';
        if ((v = rl_hmap_gets(&x.env->tf_vars, name)))
            return tf_value_ref(x, v);
        return unknown_ref(printf_model(x.env, "variable %s has no value", name));
    }
    if (len > 6 && !strncmp(e, "local.", 6)) {
        size_t n = strcspn(e + 6, ".[");
        if (n >= sizeof(name) || 6 + n > len)
            return absent_ref();
        memcpy(name, e + 6, n);
        name[n] = '\0';
        return (v = rl_hmap_gets(&x.env->tf_locals, name)) ? tf_value_ref(x, v) : absent_ref();
    }
    if (len > 7 && !strncmp(e, "module.", 7)) {
        const char *call = e + 7, *dot = memchr(call, '.', len - 7), *why = NULL;
        if (!dot)
            return absent_ref();
        size_t ol = strcspn(dot + 1, ".[}");
        v = rl_tf_module_output(x.env, call, (size_t)(dot - call), dot + 1, ol, &why);
        if (v)
            return tf_value_ref(x, v);
        if (!why)
            return absent_ref();
        return unknown_ref(why);
    }
    if (len > 28 && !strncmp(e, "data.terraform_remote_state.", 28)) {
        size_t n = strcspn(e + 28, ".");
        return unknown_ref(printf_model(x.env, "remote state %.*s", (int)n, e + 28));
    }
    size_t n = tf_addr_len(e, len);
    if (!n)
        return absent_ref();
    const rl_resource *r = rl_tf_lookup(x.env, x.from, e, n);
    if (r) {
        const char *attr = NULL, *key = NULL;
        bool splat = false;
        if (n < len && e[n] == '[') { /* an instance key: aws_x.y[0].arn */
            const char *close = memchr(e + n, ']', len - n);
            size_t kl = close ? (size_t)(close - e) - n - 1 : 0;
            splat = kl == 1 && e[n + 1] == '*';
            if (close && !splat && kl < sizeof(name)) {
                memcpy(name, e + n + 1, kl);
                name[kl] = '\0';
                key = rl_model_intern((rl_model *)x.env->model, name);
            }
            n = close ? (size_t)(close - e) + 1 : len;
        } else if (n + 1 < len && e[n] == '.' && e[n + 1] == '*') { /* aws_x.y.*.arn */
            splat = true;
            n += 2;
        }
        if (n + 1 < len && e[n] == '.') {
            size_t al = strcspn(e + n + 1, ".[");
            if (n + 1 + al > len)
                al = len - n - 1;
            snprintf(name, sizeof(name), "%.*s", (int)al, e + n + 1);
            attr = rl_model_intern((rl_model *)x.env->model, name);
        }
        rl_ref out = known(r, attr);
        out.key = key;
        out.splat = splat;
        return out;
    }
    if (!strncmp(e, "aws_", 4) || !strncmp(e, "data.aws_", 9) || !strncmp(e, "module.", 7))
        return unknown_ref(printf_model(x.env, "%.*s is not in the files read", (int)n, e));
    return absent_ref();
}

/* The references inside one ${...} expression of a Terraform template string, in order. */
typedef int (*expr_fn)(void *ctx, rctx x, const char *e, size_t len);

static int each_expr_ref(rctx x, const char *e, size_t len, expr_fn fn, void *ctx)
{
    for (size_t i = 0; i < len;) {
        bool start = i == 0 || !(name_char(e[i - 1]) || e[i - 1] == '.');
        if (!start || !isalpha((unsigned char)e[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && (name_char(e[j]) || e[j] == '.' || e[j] == '[' || e[j] == ']' ||
                           e[j] == '*' || e[j] == '"'))
            j++;
        /* function names (lower(...)) and keywords are not references */
        if (j < len && e[j] == '(') {
            i = j + 1;
            continue;
        }
        if (memchr(e + i, '.', j - i)) {
            int rc = fn(ctx, x, e + i, j - i);
            if (rc)
                return rc;
        }
        i = j;
    }
    return 0;
}

/* The ${...} expressions of a template string. */
static int each_interpolation(rctx x, const char *s, size_t len, expr_fn fn, void *ctx)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '$' || s[i + 1] != '{')
            continue;
        if (i > 0 && s[i - 1] == '$')
            continue; /* $${ is the text ${ */
        const char *close = memchr(s + i + 2, '}', len - i - 2);
        if (!close)
            return 0;
        int rc = each_expr_ref(x, s + i + 2, (size_t)(close - s) - i - 2, fn, ctx);
        if (rc)
            return rc;
        i = (size_t)(close - s);
    }
    return 0;
}

typedef struct one_ref {
    rl_ref r;
    int n;
} one_ref;

static int take_one(void *ctx, rctx x, const char *e, size_t len)
{
    one_ref *o = ctx;
    rl_ref r = tf_expr_ref(x, e, len);
    if (r.state == RL_ABSENT)
        return 0;
    if (o->n && !(r.state == RL_KNOWN && o->r.state == RL_KNOWN && r.res == o->r.res)) {
        o->n = 2; /* several things: not one reference */
        return 1;
    }
    if (!o->n)
        o->r = r;
    o->n = 1;
    return 0;
}

static rl_ref tf_ref(rctx x, const rl_node *v)
{
    const char *s = rl_node_str(v);
    if (!s || !x.env->tf_interpolate)
        return absent_ref();
    size_t len = v->u.s.len;
    /* the whole string is one interpolation that names one thing */
    while (len && s[len - 1] == ' ')
        len--;
    if (len < 4 || strncmp(s, "${", 2) || s[len - 1] != '}' || memchr(s + 2, '{', len - 3))
        return absent_ref();
    one_ref o;
    memset(&o, 0, sizeof(o));
    each_expr_ref(x, s + 2, len - 3, take_one, &o);
    return o.n == 1 ? o.r : absent_ref();
}

/* ---- plans ------------------------------------------------------------------------------ */

/* The path from `root` down to `target` (keys and indexes), or false. */
typedef struct npath {
    const rl_node *keys[32];
    size_t idx[32];
    size_t n;
} npath;

static bool find_path(const rl_node *root, const rl_node *target, npath *p, int depth)
{
    if (root == target)
        return true;
    if (!root || depth >= 32 || root->kind == RL_NODE_SCALAR)
        return false;
    size_t at = p->n++;
    if (root->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < root->u.seq.count; i++) {
            p->keys[at] = NULL;
            p->idx[at] = i;
            if (find_path(root->u.seq.items[i], target, p, depth + 1))
                return true;
        }
    } else {
        for (size_t i = 0; i < root->u.map.count; i++) {
            p->keys[at] = root->u.map.items[i].key;
            if (find_path(root->u.map.items[i].value, target, p, depth + 1))
                return true;
        }
    }
    p->n--;
    return false;
}

/* The configuration expression that matches a node of a plan resource's values. */
static const rl_node *plan_expr(const rl_resource *from, const rl_node *v)
{
    const rl_node *e = from ? rl_tf_plan_expressions(from) : NULL;
    npath p;
    p.n = 0;
    if (!e || !find_path(from->props, v, &p, 0))
        return NULL;
    for (size_t i = 0; i < p.n && e; i++) {
        if (p.keys[i]) {
            const char *k = rl_node_str(p.keys[i]);
            e = k ? rl_node_get(e, k) : NULL;
        } else if (rl_node_is_seq(e)) {
            e = rl_node_at(e, p.idx[i]);
        } else if (p.idx[i] != 0) {
            e = NULL; /* one block written as an object */
        }
    }
    return e;
}

/* The first reference of a `references` list that resolves (the list holds the attribute
 * and the resource: ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]). */
static rl_ref plan_refs(rctx x, const rl_node *refs)
{
    rl_ref first = absent_ref();
    for (size_t i = 0; i < rl_node_count(refs) && rl_node_is_seq(refs); i++) {
        const char *s = rl_node_str(refs->u.seq.items[i]);
        if (!s)
            continue;
        rl_ref r = tf_expr_ref(x, s, strlen(s));
        if (r.state == RL_KNOWN)
            return r;
        if (first.state == RL_ABSENT)
            first = r;
    }
    return first;
}

static rl_ref plan_ref(rctx x, const rl_node *v)
{
    const rl_node *e = plan_expr(x.from, v);
    return e ? plan_refs(x, rl_node_get(e, "references")) : absent_ref();
}

/* ---- rl_ref_of ---------------------------------------------------------------------- */

static rl_ref ref_in(rctx x, const rl_node *v)
{
    if (!v || !x.env || x.depth > MAX_REF_DEPTH)
        return absent_ref();
    x.depth++;
    if (!tf_env(x.env))
        return cfn_ref(x, v);
    if (x.env->plan)
        return plan_ref(x, v);
    return tf_ref(x, v);
}

rl_ref rl_ref_of(const rl_stack *st, const rl_resource *from, const rl_node *value)
{
    if (!st || !st->env)
        return absent_ref();
    rctx x = {st->env, st, from, 0};
    return ref_in(x, value);
}

/* ---- rl_refs_each ------------------------------------------------------------------- */

typedef struct each_ctx {
    rl_ref_fn fn;
    void *ctx;
    const rl_node *at;
    int rc;
} each_ctx;

static int emit_ref(each_ctx *c, rl_ref r, const rl_node *at)
{
    if (r.state == RL_ABSENT || c->rc)
        return c->rc;
    return c->rc = c->fn(c->ctx, &r, at);
}

static int expr_emit(void *ctx, rctx x, const char *e, size_t len)
{
    each_ctx *c = ctx;
    return emit_ref(c, tf_expr_ref(x, e, len), c->at);
}

/* Each ${X} of a CloudFormation Fn::Sub template that its variable map does not bind. */
static void sub_names(rctx x, each_ctx *c, const rl_node *t, const rl_node *vars)
{
    const char *s = rl_node_str(t);
    for (const char *p = s ? strstr(s, "${") : NULL; p && !c->rc; p = strstr(p + 2, "${")) {
        const char *n = p + 2;
        if (*n == '!')
            continue;
        size_t len = strcspn(n, "}");
        if (!n[len])
            return;
        size_t idl = strcspn(n, ".}");
        char key[256];
        if (idl >= sizeof(key))
            continue;
        memcpy(key, n, idl);
        key[idl] = '\0';
        if (rl_node_get(vars, key))
            continue;
        char attr[256];
        snprintf(attr, sizeof(attr), "%.*s", idl < len ? (int)(len - idl - 1) : 0, n + idl + 1);
        emit_ref(c, cfn_name(x, n, idl, idl < len ? attr : NULL), t);
    }
}

static void each_in(rctx x, each_ctx *c, const rl_node *v, int depth)
{
    if (!v || c->rc || depth > 64)
        return;
    if (v->kind == RL_NODE_SCALAR) {
        if (tf_env(x.env) && x.env->tf_interpolate) {
            c->at = v;
            each_interpolation(x, v->u.s.str, v->u.s.len, expr_emit, c);
        }
        return;
    }
    const char *fn;
    const rl_node *arg;
    if (!tf_env(x.env) && rl_node_intrinsic(v, &fn, &arg)) {
        if (!strcmp(fn, "Ref") || !strcmp(fn, "Fn::GetAtt") || !strcmp(fn, "Fn::ImportValue")) {
            emit_ref(c, cfn_ref(x, v), v);
            return;
        }
        if (!strcmp(fn, "Fn::Sub")) {
            const rl_node *t = rl_node_is_seq(arg) ? rl_node_at(arg, 0) : arg;
            const rl_node *vars = rl_node_is_seq(arg) ? rl_node_at(arg, 1) : NULL;
            sub_names(x, c, t, vars);
            for (size_t i = 0; rl_node_is_map(vars) && i < vars->u.map.count; i++)
                each_in(x, c, vars->u.map.items[i].value, depth + 1);
            return;
        }
        if (!strcmp(fn, "Fn::If")) {
            const char *cn = rl_node_str(rl_node_at(arg, 0));
            int cv = cn ? rl_env_condition(x.env, cn) : -1;
            if (cv != 0)
                each_in(x, c, rl_node_at(arg, 1), depth + 1);
            if (cv != 1)
                each_in(x, c, rl_node_at(arg, 2), depth + 1);
            return;
        }
        each_in(x, c, arg, depth + 1);
        return;
    }
    if (v->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < v->u.seq.count; i++)
            each_in(x, c, v->u.seq.items[i], depth + 1);
        return;
    }
    for (size_t i = 0; i < v->u.map.count; i++)
        each_in(x, c, v->u.map.items[i].value, depth + 1);
}

/* Every `references` list below a plan's configuration expression. */
static void each_plan_expr(rctx x, each_ctx *c, const rl_node *e, const rl_node *at, int depth)
{
    if (!e || c->rc || depth > 64 || e->kind == RL_NODE_SCALAR)
        return;
    if (e->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < e->u.seq.count; i++)
            each_plan_expr(x, c, e->u.seq.items[i], at, depth + 1);
        return;
    }
    const rl_node *refs = rl_node_get(e, "references");
    if (rl_node_is_seq(refs)) {
        emit_ref(c, plan_refs(x, refs), at);
        return;
    }
    for (size_t i = 0; i < e->u.map.count; i++)
        each_plan_expr(x, c, e->u.map.items[i].value, at, depth + 1);
}

int rl_refs_each(const rl_stack *st, const rl_resource *from, const rl_node *value, rl_ref_fn fn,
                 void *ctx)
{
    if (!st || !st->env || !value)
        return 0;
    rctx x = {st->env, st, from, 0};
    each_ctx c = {fn, ctx, value, 0};
    if (st->env->plan) {
        const rl_node *e =
            from && value == from->props ? rl_tf_plan_expressions(from) : plan_expr(from, value);
        each_plan_expr(x, &c, e, value, 0);
        return c.rc;
    }
    each_in(x, &c, value, 0);
    return c.rc;
}

/* ---- values --------------------------------------------------------------------------- */

static rl_val val_known(const rl_node *n, const rl_doc *doc, const rl_node *unk)
{
    rl_val v;
    memset(&v, 0, sizeof(v));
    v.state = RL_KNOWN;
    v.node = n;
    v.doc = doc;
    v.after_unknown = unk;
    return v;
}

static rl_val val_unknown(const rl_node *n, const char *why)
{
    rl_val v;
    memset(&v, 0, sizeof(v));
    v.state = RL_UNKNOWN;
    v.node = n;
    v.why = why;
    return v;
}

static rl_val val_absent(void)
{
    rl_val v;
    memset(&v, 0, sizeof(v));
    return v;
}

/* The after_unknown of a plan resource without an entry in resource_changes (a plan or a
 * state that does not say what is known after apply): an attribute missing from its
 * values cannot be told from one that is unset, so it is unknown; a null is still unset. */
static const rl_node plan_silent = {
    .kind = RL_NODE_SCALAR, .type = RL_SCALAR_BOOL, .u.s = {.len = 4, .str = "true"}};

static bool unknown_mark(const rl_node *unk)
{
    bool b;
    return unk && rl_node_bool(unk, &b) && b;
}

/* The value a node stands for in the instance. */
static rl_val decide(const rl_stack *st, const rl_node *n, const rl_doc *doc, const rl_node *unk)
{
    const rl_eval_env *env = st->env;
    for (int depth = 0; depth < MAX_REF_DEPTH; depth++) {
        if (!n)
            return unk == &plan_silent ? val_unknown(NULL, "not in the plan's values")
                   : unknown_mark(unk) ? val_unknown(NULL, "known after apply")
                                       : val_absent();
        if (n->kind == RL_NODE_SCALAR && n->type == RL_SCALAR_NULL)
            return unk != &plan_silent && unknown_mark(unk) ? val_unknown(NULL, "known after apply")
                                                            : val_absent();
        if (!env || tf_env(env))
            return val_known(n, doc, unk);
        const char *fn;
        const rl_node *arg;
        if (!rl_node_intrinsic(n, &fn, &arg))
            return val_known(n, doc, NULL);
        if (!strcmp(fn, "Fn::If")) {
            const char *c = rl_node_str(rl_node_at(arg, 0));
            int cv = c ? rl_env_condition(env, c) : -1;
            if (cv < 0)
                return val_unknown(n,
                                   printf_model(env, "condition %s is unknown in %s", c ? c : "?",
                                                env->region ? env->region : "this region"));
            n = rl_node_at(arg, cv ? 1 : 2);
            continue;
        }
        if (!strcmp(fn, "Ref")) {
            const char *name = rl_node_str(arg);
            if (name && !strcmp(name, "AWS::NoValue"))
                return val_absent();
            const rl_param *p = name ? rl_hmap_gets(&env->params, name) : NULL;
            /* a parameter with a value stays the Ref: evaluating it keeps the provenance
             * of its bytes (a parameter file's literal) */
            if (p && !p->value)
                return val_unknown(n, printf_model(env, "parameter %s has no value", name));
        }
        return val_known(n, doc, NULL);
    }
    return val_unknown(n, "nested too deeply");
}

rl_val rl_val_of(const rl_stack *st, const rl_node *n)
{
    return decide(st, n, st->env ? st->env->doc : NULL, NULL);
}

static const rl_node *block_item(const rl_node *n, size_t i)
{
    return rl_node_is_seq(n) ? rl_node_at(n, i) : i == 0 ? n : NULL;
}

rl_val rl_val_get(const rl_stack *st, rl_val v, const char *key)
{
    if (v.state != RL_KNOWN)
        return v;
    const rl_node *n = v.node, *unk = v.after_unknown;
    bool tf = tf_env(st->env);
    if (tf && rl_node_is_seq(n) && n->u.seq.count == 1) { /* a block written as a list */
        n = n->u.seq.items[0];
        unk = block_item(unk, 0);
    }
    if (!rl_node_is_map(n))
        return val_absent();
    const rl_node *uk = rl_node_is_map(unk) ? rl_node_get(unk, key)
                        : unknown_mark(unk) ? unk
                                            : NULL;
    return decide(st, rl_node_get(n, key), v.doc, uk);
}

rl_val rl_val_at(const rl_stack *st, rl_val v, size_t i)
{
    if (v.state != RL_KNOWN)
        return v;
    const rl_node *unk = v.after_unknown == &plan_silent   ? &plan_silent
                         : rl_node_is_seq(v.after_unknown) ? rl_node_at(v.after_unknown, i)
                                                           : NULL;
    return decide(st, block_item(v.node, i), v.doc, unk);
}

size_t rl_val_count(rl_val v)
{
    if (v.state != RL_KNOWN || !v.node)
        return 0;
    return rl_node_is_seq(v.node) ? v.node->u.seq.count : 1;
}

rl_val rl_prop(const rl_resource *r, const char *path)
{
    if (!r || !r->stack)
        return val_absent();
    const rl_eval_env *env = r->stack->env;
    const rl_node *unk = rl_tf_plan_unknown(r);
    if (!unk && env && env->plan)
        unk = &plan_silent;
    rl_val v = r->props ? val_known(r->props, env ? env->doc : NULL, unk) : val_absent();
    while (path && *path && v.state == RL_KNOWN) {
        char key[256];
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key))
            return val_absent();
        memcpy(key, path, n);
        key[n] = '\0';
        v = rl_val_get(r->stack, v, key);
        path += n + (path[n] == '.');
    }
    return v;
}

/* ---- scalar values ---------------------------------------------------------------------- */

typedef struct alts_ctx {
    const rl_model *m;
    const char *first; /* interned */
    bool differ, incomplete;
    const char *why; /* the first unknown piece */
    char seen[256];  /* "a or b" for messages */
    size_t n;
} alts_ctx;

static int on_alt(void *ctx, const rl_evstr *s)
{
    alts_ctx *a = ctx;
    if (!s->complete) {
        a->incomplete = true;
        for (size_t i = 0; i < s->nparts && !a->why; i++)
            if (!s->parts[i].origin && s->parts[i].via)
                a->why = s->parts[i].via;
        return 1;
    }
    if (a->n < 4) {
        size_t used = strlen(a->seen);
        snprintf(a->seen + used, sizeof(a->seen) - used, "%s\"%.*s\"", a->n ? " or " : "",
                 (int)(s->len > 60 ? 60 : s->len), s->str);
    }
    if (!a->first) {
        a->first = rl_model_intern((rl_model *)a->m, s->str);
        if (!a->first)
            return RL_ENOMEM;
    } else if (strcmp(a->first, s->str)) {
        a->differ = true;
    }
    a->n++;
    return 0;
}

rl_vstate rl_val_string(const rl_stack *st, rl_val v, const char **out, const char **why)
{
    const rl_eval_env *env = st->env;
    *out = NULL;
    if (why)
        *why = NULL;
    if (v.state == RL_ABSENT)
        return RL_ABSENT;
    if (v.state == RL_UNKNOWN && (!v.node || !rl_node_is_map(v.node))) {
        if (why)
            *why = v.why;
        return RL_UNKNOWN;
    }
    if (!env || !v.node)
        return RL_UNKNOWN;
    if (rl_node_is_scalar(v.node) && !(env->tf_interpolate && strstr(v.node->u.s.str, "${"))) {
        *out = v.node->u.s.str;
        return RL_KNOWN;
    }
    alts_ctx a;
    memset(&a, 0, sizeof(a));
    a.m = env->model;
    rl_eval_strings(st, v.node, on_alt, &a);
    if (a.first && !a.differ && !a.incomplete) {
        *out = a.first;
        return RL_KNOWN;
    }
    if (!a.first && !a.incomplete)
        return v.state == RL_UNKNOWN ? RL_UNKNOWN : RL_ABSENT; /* not a string */
    if (why)
        *why = a.incomplete ? printf_model(env, "%s is unknown", a.why ? a.why : "a piece")
                            : printf_model(env, "it can be %s", a.seen);
    return RL_UNKNOWN;
}

rl_vstate rl_val_number(const rl_stack *st, rl_val v, double *out, const char **why)
{
    if (v.state == RL_KNOWN && rl_node_number(v.node, out))
        return RL_KNOWN;
    const char *s;
    rl_vstate vs = rl_val_string(st, v, &s, why);
    if (vs != RL_KNOWN)
        return vs;
    char *end;
    *out = strtod(s, &end);
    if (end != s && !*end)
        return RL_KNOWN;
    if (why)
        *why = "not a number";
    return RL_UNKNOWN;
}

rl_vstate rl_val_bool(const rl_stack *st, rl_val v, bool *out, const char **why)
{
    if (v.state == RL_KNOWN && rl_node_bool(v.node, out))
        return RL_KNOWN;
    const char *s;
    rl_vstate vs = rl_val_string(st, v, &s, why);
    if (vs != RL_KNOWN)
        return vs;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "false")) {
        *out = !strcasecmp(s, "true");
        return RL_KNOWN;
    }
    if (why)
        *why = "not a boolean";
    return RL_UNKNOWN;
}

/* ---- rl_ref_prop ------------------------------------------------------------------------- */

rl_ref rl_ref_prop(const rl_resource *r, const char *path)
{
    if (!r || !r->stack || !r->stack->env)
        return absent_ref();
    const rl_eval_env *env = r->stack->env;
    if (env->plan) {
        /* the configuration, also for a value that is known only after apply */
        const rl_node *e = rl_tf_plan_expressions(r);
        while (path && *path && e) {
            char key[256];
            size_t n = strcspn(path, ".");
            if (n >= sizeof(key))
                return absent_ref();
            memcpy(key, path, n);
            key[n] = '\0';
            if (rl_node_is_seq(e) && e->u.seq.count == 1)
                e = e->u.seq.items[0];
            e = rl_node_get(e, key);
            path += n + (path[n] == '.');
        }
        rctx x = {env, r->stack, r, 0};
        return e ? plan_refs(x, rl_node_get(e, "references")) : absent_ref();
    }
    rl_val v = rl_prop(r, path);
    if (v.state == RL_UNKNOWN && !v.node)
        return unknown_ref(v.why);
    if (v.state == RL_UNKNOWN) {
        rl_ref ref = rl_ref_of(r->stack, r, v.node);
        return ref.state == RL_ABSENT ? unknown_ref(v.why) : ref;
    }
    return v.state == RL_KNOWN ? rl_ref_of(r->stack, r, v.node) : absent_ref();
}
