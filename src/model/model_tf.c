/* Terraform in the model: resources of *.tf.json configurations, `terraform show -json`
 * plans and states, and raw .tfstate files, each placed in the region of its provider
 * configuration (alias) or its own `region` argument (AWS provider 6 and later). */
#include "model_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tf_provider {
    const char *key;    /* "aws" or "aws.west" (config) / provider_config key (plan) */
    const char *region; /* resolved, or NULL */
} tf_provider;

/* A root module: the *.tf.json files of one folder share variables, locals and providers. */
typedef struct tf_module {
    rl_eval_env *env; /* base environment: tf_vars, tf_locals */
    tf_provider provs[64];
    size_t nprovs;
} tf_module;

typedef struct tf_ctx {
    rl_model *m;
    const rl_input *in;
    rl_eval_env *env;
    tf_provider *provs; /* the module's, or the plan's own */
    size_t *nprovs;
    tf_provider own[64];
    size_t nown;
    rl_stack *by_region[16]; /* stacks created for this input, by region */
    size_t nby;
    rl_stack *unknown; /* resources whose region cannot be resolved */
} tf_ctx;

static int env_new(tf_ctx *c, bool interpolate)
{
    rl_eval_env *env = rl_model_new_env(c->m);
    if (!env)
        return RL_ENOMEM;
    env->doc = c->in->doc;
    env->root = rl_doc_root(c->in->doc);
    env->terraform = true;
    env->tf_interpolate = interpolate;
    env->account_id = c->m->account_id;
    c->env = env;
    return RL_OK;
}

/* Resolves a literal region or "${var.x}" through variable defaults. */
static const char *resolve_region(tf_ctx *c, const rl_node *n)
{
    const char *s = rl_node_str(n);
    if (!s)
        return NULL;
    if (!strncmp(s, "${var.", 6)) {
        char name[128];
        const char *end = strchr(s + 6, '}');
        size_t len = end ? (size_t)(end - s - 6) : 0;
        if (!end || len >= sizeof(name) || end[1] != '\0')
            return NULL;
        memcpy(name, s + 6, len);
        name[len] = '\0';
        const rl_tfvalue *v = rl_hmap_gets(&c->env->tf_vars, name);
        s = v ? rl_node_str(v->node) : NULL;
        if (!s)
            return NULL;
    }
    return rl_is_region(s, strlen(s)) ? rl_model_intern(c->m, s) : NULL;
}

static rl_stack *stack_for(tf_ctx *c, const char *region, rl_stack_source src)
{
    if (!region) {
        if (!c->unknown) {
            c->unknown = rl_model_new_stack(c->m, c->in, src, NULL, false);
            if (!c->unknown || rl_model_add_stack(c->m, c->unknown) < 0)
                return NULL;
            c->unknown->env = c->env;
        }
        return c->unknown;
    }
    for (size_t i = 0; i < c->nby; i++)
        if (!strcmp(c->by_region[i]->region, region))
            return c->by_region[i];
    if (c->nby == sizeof(c->by_region) / sizeof(*c->by_region))
        return stack_for(c, NULL, src); /* more regions than any pair needs: unknown */
    rl_stack *st = rl_model_new_stack(c->m, c->in, src, region, false);
    if (!st)
        return NULL;
    /* each region's stack needs its own environment: the region data source differs */
    rl_eval_env *env = rl_model_new_env(c->m);
    if (!env)
        return NULL;
    *env = *c->env;
    memset(&env->params, 0, sizeof(env->params));
    memset(&env->resources, 0, sizeof(env->resources));
    memset(&env->cond_cache, 0, sizeof(env->cond_cache));
    env->borrowed = true;
    env->region = region;
    env->partition = rl_region_partition(region);
    env->account_id = rl_model_account_for(c->m, region);
    st->env = env;
    const char *base = strrchr(c->in->path, '/');
    st->name = rl_model_intern(c->m, base ? base + 1 : c->in->path);
    if (rl_model_add_stack(c->m, st) < 0)
        return NULL;
    c->by_region[c->nby++] = st;
    return st;
}

static const char *provider_region(tf_ctx *c, const char *key)
{
    for (size_t i = 0; i < *c->nprovs; i++)
        if (!strcmp(c->provs[i].key, key))
            return c->provs[i].region;
    return NULL;
}

static int add_res(tf_ctx *c, rl_stack_source src, const char *type, const char *name,
                   const char *path, const rl_node *node, const rl_node *props, const char *region)
{
    rl_stack *st = stack_for(c, region, src);
    if (!st)
        return RL_ENOMEM;
    rl_resource r;
    memset(&r, 0, sizeof(r));
    r.id = name;
    r.type = type;
    r.node = node;
    r.props = props;
    r.path = path;
    r.region = region;
    r.deployed = 1;
    return rl_model_add_resource(c->m, st, &r);
}

/* ---- *.tf.json configuration ------------------------------------------------------ */

/* Calls fn for each (label, body) of a block that may be an object or a list of objects. */
typedef int (*block_fn)(tf_ctx *c, const char *label, const rl_node *body, void *arg);

static int each_labeled(tf_ctx *c, const rl_node *n, block_fn fn, void *arg)
{
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++) {
            int rc = each_labeled(c, n->u.seq.items[i], fn, arg);
            if (rc < 0)
                return rc;
        }
        return RL_OK;
    }
    for (size_t i = 0; rl_node_is_map(n) && i < n->u.map.count; i++) {
        const char *label = rl_node_str(n->u.map.items[i].key);
        const rl_node *body = n->u.map.items[i].value;
        if (!label)
            continue;
        if (rl_node_is_seq(body)) {
            for (size_t j = 0; j < body->u.seq.count; j++) {
                int rc = fn(c, label, body->u.seq.items[j], arg);
                if (rc < 0)
                    return rc;
            }
        } else {
            int rc = fn(c, label, body, arg);
            if (rc < 0)
                return rc;
        }
    }
    return RL_OK;
}

static int put_value(tf_ctx *c, rl_hmap *map, const char *name, const rl_node *node)
{
    rl_tfvalue *v = rl_arena_alloc(c->m->priv->arena, sizeof(*v));
    if (!v)
        return RL_ENOMEM;
    v->node = node;
    v->doc = c->in->doc;
    return rl_hmap_puts(map, name, v) < 0 ? RL_ENOMEM : RL_OK;
}

static int on_variable(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    const rl_node *def = rl_node_get(body, "default");
    return def ? put_value(c, &c->env->tf_vars, name, def) : RL_OK;
}

static int on_locals(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    return put_value(c, &c->env->tf_locals, name, body);
}

static int on_provider(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    if (strcmp(name, "aws") || *c->nprovs == 64)
        return RL_OK;
    const char *alias = rl_node_str(rl_node_get(body, "alias"));
    const char *key = alias ? rl_arena_printf(c->m->priv->arena, "aws.%s", alias) : "aws";
    if (!key)
        return RL_ENOMEM;
    c->provs[(*c->nprovs)++] = (tf_provider){key, resolve_region(c, rl_node_get(body, "region"))};
    return RL_OK;
}

static int on_resource_type(tf_ctx *c, const char *type, const rl_node *body, void *arg)
{
    bool data = arg != NULL;
    if (strncmp(type, "aws_", 4))
        return RL_OK;
    for (size_t i = 0; rl_node_is_map(body) && i < body->u.map.count; i++) {
        const char *name = rl_node_str(body->u.map.items[i].key);
        const rl_node *attrs = body->u.map.items[i].value;
        if (!name)
            continue;
        if (rl_node_is_seq(attrs))
            attrs = rl_node_at(attrs, 0);
        const char *prov = rl_node_str(rl_node_get(attrs, "provider"));
        const char *region = resolve_region(c, rl_node_get(attrs, "region"));
        if (!region)
            region = provider_region(c, prov ? prov : "aws");
        const char *addr =
            rl_arena_printf(c->m->priv->arena, "%s.%s.%s", data ? "data" : "resource", type, name);
        const char *id =
            rl_arena_printf(c->m->priv->arena, "%s%s.%s", data ? "data." : "", type, name);
        if (!addr || !id)
            return RL_ENOMEM;
        int rc = add_res(c, RL_STACK_TF_CONFIG, type, id, addr, attrs, attrs, region);
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

/* The module of an input's folder, created on first use. */
static tf_module *module_for(rl_model *m, const rl_input *in)
{
    const char *slash = strrchr(in->path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - in->path) : 0, in->path);
    tf_module *mod = rl_hmap_gets(&m->priv->tf_modules, dir);
    if (mod)
        return mod;
    const char *key = rl_model_intern(m, dir);
    mod = rl_arena_calloc(m->priv->arena, 1, sizeof(*mod));
    if (!key || !mod || !(mod->env = rl_model_new_env(m)) ||
        rl_hmap_puts(&m->priv->tf_modules, key, mod) < 0)
        return NULL;
    mod->env->doc = in->doc;
    mod->env->root = rl_doc_root(in->doc);
    mod->env->terraform = true;
    mod->env->tf_interpolate = true;
    mod->env->account_id = m->account_id;
    return mod;
}

static int module_ctx(tf_ctx *c, rl_model *m, const rl_input *in)
{
    tf_module *mod = module_for(m, in);
    if (!mod)
        return RL_ENOMEM;
    c->m = m;
    c->in = in;
    c->env = mod->env;
    c->provs = mod->provs;
    c->nprovs = &mod->nprovs;
    return RL_OK;
}

int rl_model_tf_collect(rl_model *m, const rl_input *in, int phase)
{
    tf_ctx c;
    memset(&c, 0, sizeof(c));
    int rc = module_ctx(&c, m, in);
    if (rc < 0)
        return rc;
    const rl_node *root = rl_doc_root(in->doc);
    if (phase == 1)
        return each_labeled(&c, rl_node_get(root, "provider"), on_provider, NULL);
    if ((rc = each_labeled(&c, rl_node_get(root, "variable"), on_variable, NULL)) < 0)
        return rc;
    const rl_node *locals = rl_node_get(root, "locals");
    if (rl_node_is_seq(locals)) {
        for (size_t i = 0; i < locals->u.seq.count; i++)
            if ((rc = each_labeled(&c, locals->u.seq.items[i], on_locals, NULL)) < 0)
                return rc;
        return RL_OK;
    }
    return each_labeled(&c, locals, on_locals, NULL);
}

/* ---- plans and states ------------------------------------------------------------- */

static const char *plan_var(tf_ctx *c, const char *ref)
{
    if (strncmp(ref, "var.", 4))
        return NULL;
    const rl_node *vars = rl_node_get(rl_doc_root(c->in->doc), "variables");
    return rl_node_str(rl_node_get(rl_node_get(vars, ref + 4), "value"));
}

static void plan_providers(tf_ctx *c)
{
    const rl_node *pc = rl_node_path(rl_doc_root(c->in->doc), "configuration.provider_config");
    for (size_t i = 0; rl_node_is_map(pc) && i < pc->u.map.count; i++) {
        const char *key = rl_node_str(pc->u.map.items[i].key);
        const rl_node *p = pc->u.map.items[i].value;
        if (!key || !rl_node_streq(rl_node_get(p, "name"), "aws") || *c->nprovs == 64)
            continue;
        const rl_node *re = rl_node_path(p, "expressions.region");
        const char *region = rl_node_str(rl_node_get(re, "constant_value"));
        if (!region) {
            const char *ref = rl_node_str(rl_node_at(rl_node_get(re, "references"), 0));
            region = ref ? plan_var(c, ref) : NULL;
        }
        if (region && !rl_is_region(region, strlen(region)))
            region = NULL;
        c->provs[(*c->nprovs)++] =
            (tf_provider){key, region ? rl_model_intern(c->m, region) : NULL};
    }
}

/* Address without instance keys: module.a.aws_x.y[0] -> module.a.aws_x.y */
static void strip_index(const char *addr, char *out, size_t outsz)
{
    size_t o = 0;
    int depth = 0;
    for (const char *p = addr; *p && o + 1 < outsz; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (!depth)
            out[o++] = *p;
    }
    out[o] = '\0';
}

/* provider_config_key of a configuration resource, found by walking module_calls. */
static const char *config_provider_key(const rl_node *module, const char *prefix, const char *addr,
                                       int depth)
{
    if (!module || depth > 16)
        return NULL;
    const rl_node *res = rl_node_get(module, "resources");
    for (size_t i = 0; i < rl_node_count(res) && rl_node_is_seq(res); i++) {
        const rl_node *r = res->u.seq.items[i];
        const char *a = rl_node_str(rl_node_get(r, "address"));
        char full[512];
        snprintf(full, sizeof(full), "%s%s", prefix, a ? a : "");
        if (a && !strcmp(full, addr))
            return rl_node_str(rl_node_get(r, "provider_config_key"));
    }
    const rl_node *calls = rl_node_get(module, "module_calls");
    for (size_t i = 0; rl_node_is_map(calls) && i < calls->u.map.count; i++) {
        const char *name = rl_node_str(calls->u.map.items[i].key);
        char np[512];
        snprintf(np, sizeof(np), "%smodule.%s.", prefix, name ? name : "");
        if (strncmp(addr, np, strlen(np)))
            continue;
        const char *k = config_provider_key(rl_node_get(calls->u.map.items[i].value, "module"), np,
                                            addr, depth + 1);
        if (k)
            return k;
    }
    return NULL;
}

/* Region of a plan resource: its own `region` value, else its provider configuration's
 * (the key may be "aws.east" or, inside modules, "mod:aws.east" / "module.mod:aws.east"),
 * else the region of its ARN. */
static const char *plan_resource_region(tf_ctx *c, const char *addr, const rl_node *values)
{
    const char *r = rl_node_str(rl_node_get(values, "region"));
    if (r && rl_is_region(r, strlen(r)))
        return rl_model_intern(c->m, r);
    char bare[512];
    strip_index(addr, bare, sizeof(bare));
    const rl_node *root = rl_node_path(rl_doc_root(c->in->doc), "configuration.root_module");
    const char *key = config_provider_key(root, "", bare, 0);
    if (key) {
        const char *pr = provider_region(c, key);
        if (pr)
            return pr;
        const char *colon = strchr(key, ':');
        if (colon) {
            char alt[256];
            snprintf(alt, sizeof(alt), "module.%s", key);
            if ((pr = provider_region(c, alt)))
                return pr;
        }
    } else if (!strchr(bare, '.') || strncmp(bare, "module.", 7)) {
        const char *pr = provider_region(c, "aws");
        if (pr && *c->nprovs == 1)
            return pr;
    }
    char buf[64];
    const char *arn = rl_node_str(rl_node_get(values, "arn"));
    if (arn && rl_arn_region(arn, buf, sizeof(buf)))
        return rl_model_intern(c->m, buf);
    return NULL;
}

static int plan_module(tf_ctx *c, const rl_node *module, const char *jpath, int depth)
{
    if (!module || depth > 16)
        return RL_OK;
    const rl_node *res = rl_node_get(module, "resources");
    for (size_t i = 0; i < rl_node_count(res) && rl_node_is_seq(res); i++) {
        const rl_node *r = res->u.seq.items[i];
        const char *type = rl_node_str(rl_node_get(r, "type"));
        const char *addr = rl_node_str(rl_node_get(r, "address"));
        const rl_node *values = rl_node_get(r, "values");
        if (!type || !addr || strncmp(type, "aws_", 4) ||
            rl_node_streq(rl_node_get(r, "mode"), "data"))
            continue;
        const char *path = rl_arena_printf(c->m->priv->arena, "%s.resources[%zu].values", jpath, i);
        if (!path)
            return RL_ENOMEM;
        int rc = add_res(c, RL_STACK_TF_PLAN, type, addr, path, r, values,
                         plan_resource_region(c, addr, values));
        if (rc < 0)
            return rc;
    }
    const rl_node *kids = rl_node_get(module, "child_modules");
    for (size_t i = 0; i < rl_node_count(kids) && rl_node_is_seq(kids); i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s.child_modules[%zu]", jpath, i);
        int rc = plan_module(c, kids->u.seq.items[i], p, depth + 1);
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

static int add_tf_plan(tf_ctx *c)
{
    const rl_node *root = rl_doc_root(c->in->doc);
    c->provs = c->own;
    c->nprovs = &c->nown;
    int rc = env_new(c, false);
    if (rc < 0)
        return rc;
    plan_providers(c);
    const rl_node *pv = rl_node_path(root, "planned_values.root_module");
    if (pv)
        return plan_module(c, pv, "planned_values.root_module", 0);
    return plan_module(c, rl_node_path(root, "values.root_module"), "values.root_module", 0);
}

/* Raw .tfstate v4: resources[].instances[].attributes; the provider string keeps the alias
 * but not its region, so the region comes from the attributes. */
static int add_tfstate(tf_ctx *c)
{
    const rl_node *res = rl_node_get(rl_doc_root(c->in->doc), "resources");
    c->provs = c->own;
    c->nprovs = &c->nown;
    int rc = env_new(c, false);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < rl_node_count(res) && rl_node_is_seq(res); i++) {
        const rl_node *r = res->u.seq.items[i];
        const char *type = rl_node_str(rl_node_get(r, "type"));
        const char *name = rl_node_str(rl_node_get(r, "name"));
        if (!type || !name || strncmp(type, "aws_", 4) ||
            rl_node_streq(rl_node_get(r, "mode"), "data"))
            continue;
        const rl_node *insts = rl_node_get(r, "instances");
        for (size_t j = 0; j < rl_node_count(insts) && rl_node_is_seq(insts); j++) {
            const rl_node *attrs = rl_node_get(insts->u.seq.items[j], "attributes");
            const char *mod = rl_node_str(rl_node_get(r, "module"));
            const char *id = rl_arena_printf(c->m->priv->arena, "%s%s%s.%s", mod ? mod : "",
                                             mod ? "." : "", type, name);
            const char *path = rl_arena_printf(c->m->priv->arena,
                                               "resources[%zu].instances[%zu].attributes", i, j);
            if (!id || !path)
                return RL_ENOMEM;
            if ((rc = add_res(c, RL_STACK_TF_PLAN, type, id, path, r, attrs,
                              plan_resource_region(c, id, attrs))) < 0)
                return rc;
        }
    }
    return RL_OK;
}

int rl_model_add_terraform(rl_model *m, const rl_input *in)
{
    tf_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return RL_ENOMEM;
    c->m = m;
    c->in = in;
    int rc;
    if (in->kind == RL_INPUT_TF_CONFIG) {
        rc = module_ctx(c, m, in);
        if (rc == RL_OK)
            rc = each_labeled(c, rl_node_get(rl_doc_root(in->doc), "resource"), on_resource_type,
                              NULL);
    } else if (in->kind == RL_INPUT_TF_PLAN)
        rc = add_tf_plan(c);
    else
        rc = add_tfstate(c);
    /* the shared environment template is referenced by every stack of this input */
    free(c);
    return rc;
}
