/* Terraform in the model: *.tf.json configurations as module instances (the files of one
 * folder are one module; a root module's `module` calls instantiate the called folder with
 * the providers and arguments they pass), `terraform show -json` plans and states, and raw
 * .tfstate files. Each resource is placed in the region of its provider configuration
 * (alias) or its own `region` argument (AWS provider 6 and later). Each module instance and
 * each plan is one scope of addresses for the reference layer (refs.c). */
#include "model_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROVIDERS    64
#define MAX_MODULE_DEPTH 8

typedef struct tf_provider {
    const char *key;    /* "aws" or "aws.west" (config) / provider_config key (plan) */
    const char *region; /* resolved, or NULL */
} tf_provider;

/* The *.tf.json inputs of one folder. */
typedef struct tf_folder {
    const char *path;
    const rl_input **ins;
    size_t nins, cap;
    bool called; /* another folder of the inputs calls it: instantiated by its callers */
    bool instantiated;
} tf_folder;

/* A module call of an instance: the instance it made, or why it made none. */
typedef struct tf_call {
    struct rl_tf_module *mod;
    const char *why;
} tf_call;

struct rl_tf_module {
    const tf_folder *folder;
    const char *prefix; /* "" for a root module, "module.a.module.b." for a call */
    rl_eval_env *env;   /* variables, locals; the region is its stacks' own */
    tf_provider provs[MAX_PROVIDERS];
    size_t nprovs;
    rl_hmap ids;       /* address without the prefix -> resource */
    rl_hmap outputs;   /* name -> rl_tfvalue* */
    rl_hmap calls;     /* call name -> tf_call* */
    rl_stack **hidden; /* data sources, by file: read, never deployed */
    size_t nhidden;
    int depth;
    struct rl_tf_module *next; /* every instance, for freeing */
};

/* Per plan/state resource: where its configuration and unknowns are. */
typedef struct tf_extra {
    const rl_node *expr;    /* configuration `expressions` of the resource, or NULL */
    const rl_node *unknown; /* resource_changes[].change.after_unknown, or NULL */
    size_t prefix_len;      /* length of "module.a." in its address */
} tf_extra;

struct rl_tf_plan {
    rl_hmap ids;   /* full address (instance keys removed) -> resource */
    rl_hmap extra; /* resource pointer -> tf_extra* */
    const rl_node *config;
    struct rl_tf_plan *next;
};

struct rl_tf_state {
    rl_hmap folders; /* folder -> tf_folder* */
    tf_folder **order;
    size_t nfolders;
    struct rl_tf_module *modules;
    struct rl_tf_plan *plans;
};

typedef struct tf_ctx {
    rl_model *m;
    const rl_input *in;
    rl_eval_env *env;
    struct rl_tf_module *mod; /* configuration: the instance; NULL for plans */
    struct rl_tf_plan *plan;  /* plans and states */
    tf_provider *provs;
    size_t *nprovs;
    tf_provider own[MAX_PROVIDERS];
    size_t nown;
    rl_stack *by_region[16]; /* stacks created for this input, by region */
    size_t nby;
    rl_stack *unknown; /* resources whose region cannot be resolved */
    rl_stack *data;    /* data sources of this file */
} tf_ctx;

static struct rl_tf_state *tf_state(rl_model *m)
{
    if (!m->priv->tf)
        m->priv->tf = rl_arena_calloc(m->priv->arena, 1, sizeof(*m->priv->tf));
    return m->priv->tf;
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
            rl_eval_env *env = rl_model_new_env(c->m);
            if (!env)
                return NULL;
            *env = *c->env;
            memset(&env->params, 0, sizeof(env->params));
            memset(&env->resources, 0, sizeof(env->resources));
            memset(&env->cond_cache, 0, sizeof(env->cond_cache));
            env->borrowed = true;
            env->doc = c->in->doc;
            env->root = rl_doc_root(c->in->doc);
            c->unknown->env = env;
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
    env->doc = c->in->doc; /* the module's files share variables, not their positions */
    env->root = rl_doc_root(c->in->doc);
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

/* Sets name in map to a value written in `doc` and evaluated in `env`, unless it is set. */
static int put_value(rl_model *m, rl_hmap *map, const char *name, const rl_node *node,
                     const rl_doc *doc, const rl_eval_env *env)
{
    if (rl_hmap_gets(map, name))
        return RL_OK;
    rl_tfvalue *v = rl_arena_alloc(m->priv->arena, sizeof(*v));
    if (!v)
        return RL_ENOMEM;
    v->node = node;
    v->doc = doc;
    v->env = env;
    return rl_hmap_puts(map, name, v) < 0 ? RL_ENOMEM : RL_OK;
}

static int on_variable(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    /* a module call's argument was set first and wins over the default */
    const rl_node *def = rl_node_get(body, "default");
    return def ? put_value(c->m, &c->env->tf_vars, name, def, c->in->doc, NULL) : RL_OK;
}

static int on_locals(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    return put_value(c->m, &c->env->tf_locals, name, body, c->in->doc, NULL);
}

static int on_output(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    const rl_node *v = rl_node_get(body, "value");
    return v ? put_value(c->m, &c->mod->outputs, name, v, c->in->doc, c->env) : RL_OK;
}

static int add_provider(tf_ctx *c, const char *key, const char *region)
{
    for (size_t i = 0; i < *c->nprovs; i++)
        if (!strcmp(c->provs[i].key, key))
            return RL_OK; /* passed by the caller, or written twice: the first wins */
    if (*c->nprovs < MAX_PROVIDERS)
        c->provs[(*c->nprovs)++] = (tf_provider){key, region};
    return RL_OK;
}

static int on_provider(tf_ctx *c, const char *name, const rl_node *body, void *arg)
{
    (void)arg;
    if (strcmp(name, "aws"))
        return RL_OK;
    const char *alias = rl_node_str(rl_node_get(body, "alias"));
    const char *key = alias ? rl_arena_printf(c->m->priv->arena, "aws.%s", alias) : "aws";
    if (!key)
        return RL_ENOMEM;
    /* no region argument: the one the file's folder is attributed to (envs/us-west-2/) */
    const char *region = resolve_region(c, rl_node_get(body, "region"));
    if (!region && !rl_node_get(body, "region") && c->in->region)
        region = c->in->region;
    return add_provider(c, key, region);
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
        const char *id = rl_arena_printf(c->m->priv->arena, "%s%s%s.%s", c->mod->prefix,
                                         data ? "data." : "", type, name);
        if (!addr || !id)
            return RL_ENOMEM;
        int rc;
        if (data) {
            /* a data source reads; it deploys nothing: kept out of the stacks, in a stack
             * of its own that only the reference layer and the evaluator see */
            rl_stack *hidden = c->data;
            if (!hidden) {
                struct rl_tf_module *mod = c->mod;
                rl_stack **n = realloc(mod->hidden, (mod->nhidden + 1) * sizeof(*n));
                if (!n)
                    return RL_ENOMEM;
                mod->hidden = n;
                hidden = rl_model_new_stack(c->m, c->in, RL_STACK_TF_CONFIG, NULL, false);
                rl_eval_env *env = rl_model_new_env(c->m);
                if (!hidden || !env)
                    return RL_ENOMEM;
                *env = *c->env;
                memset(&env->params, 0, sizeof(env->params));
                memset(&env->resources, 0, sizeof(env->resources));
                memset(&env->cond_cache, 0, sizeof(env->cond_cache));
                env->borrowed = true;
                env->doc = c->in->doc;
                env->root = rl_doc_root(c->in->doc);
                hidden->env = env;
                mod->hidden[mod->nhidden++] = hidden;
                c->data = hidden;
            }
            rl_resource r;
            memset(&r, 0, sizeof(r));
            r.id = id;
            r.type = type;
            r.node = attrs;
            r.props = attrs;
            r.path = addr;
            r.region = region;
            r.deployed = 1;
            rc = rl_model_add_resource(c->m, hidden, &r);
        } else {
            rc = add_res(c, RL_STACK_TF_CONFIG, type, id, addr, attrs, attrs, region);
        }
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

static const char *folder_of(rl_model *m, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
    return rl_model_intern(m, dir);
}

/* The folder a module `source` names relative to `from`, normalised ("a/b/../c" -> "a/c"),
 * or NULL when it is not a local path. */
static const char *source_folder(rl_model *m, const char *from, const char *source)
{
    char buf[4096];
    if (!source || (strncmp(source, "./", 2) && strncmp(source, "../", 3)))
        return NULL;
    int n = snprintf(buf, sizeof(buf), "%s%s%s", from, *from ? "/" : "", source);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return NULL;
    /* normalise the components in place */
    char *parts[256];
    size_t np = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (!strcmp(t, "."))
            continue;
        if (!strcmp(t, "..")) {
            if (np == 0 || !strcmp(parts[np - 1], ".."))
                parts[np++] = t; /* above the linted folder: kept as written */
            else
                np--;
            continue;
        }
        if (np == sizeof(parts) / sizeof(*parts))
            return NULL;
        parts[np++] = t;
    }
    char out[4096];
    size_t o = 0;
    if (from[0] == '/')
        out[o++] = '/';
    for (size_t i = 0; i < np; i++) {
        int w = snprintf(out + o, sizeof(out) - o, "%s%s", i ? "/" : "", parts[i]);
        if (w < 0 || (size_t)w >= sizeof(out) - o)
            return NULL;
        o += (size_t)w;
    }
    out[o] = '\0';
    return rl_model_intern(m, out);
}

static const rl_node *module_blocks(const rl_input *in)
{
    return rl_node_get(rl_doc_root(in->doc), "module");
}

/* Calls fn(ctx, name, body) for every module call of a file. */
typedef int (*call_fn)(void *ctx, const rl_input *in, const char *name, const rl_node *body);

static int each_call(const rl_input *in, call_fn fn, void *ctx)
{
    const rl_node *mods = module_blocks(in);
    size_t outer = rl_node_is_seq(mods) ? rl_node_count(mods) : 1;
    for (size_t o = 0; o < outer; o++) {
        const rl_node *blk = rl_node_is_seq(mods) ? rl_node_at(mods, o) : mods;
        for (size_t i = 0; rl_node_is_map(blk) && i < blk->u.map.count; i++) {
            const char *name = rl_node_str(blk->u.map.items[i].key);
            const rl_node *body = blk->u.map.items[i].value;
            if (rl_node_is_seq(body))
                body = rl_node_at(body, 0);
            int rc = name ? fn(ctx, in, name, body) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

typedef struct mark_ctx {
    rl_model *m;
    struct rl_tf_state *tf;
    const char *from;
} mark_ctx;

static int mark_called(void *ctx, const rl_input *in, const char *name, const rl_node *body)
{
    mark_ctx *x = ctx;
    (void)in;
    (void)name;
    const char *dir = source_folder(x->m, x->from, rl_node_str(rl_node_get(body, "source")));
    tf_folder *f = dir ? rl_hmap_gets(&x->tf->folders, dir) : NULL;
    if (f && strcmp(dir, x->from))
        f->called = true;
    return 0;
}

/* The folders of *.tf.json inputs, and which of them other folders call. */
static int index_folders(rl_model *m)
{
    struct rl_tf_state *tf = tf_state(m);
    if (!tf)
        return RL_ENOMEM;
    for (size_t i = 0; i < rl_inputs_count(m->inputs); i++) {
        const rl_input *in = rl_inputs_at(m->inputs, i);
        if (!in->doc || in->kind != RL_INPUT_TF_CONFIG)
            continue;
        const char *dir = folder_of(m, in->path);
        if (!dir)
            return RL_ENOMEM;
        tf_folder *f = rl_hmap_gets(&tf->folders, dir);
        if (!f) {
            tf_folder **o = realloc(tf->order, (tf->nfolders + 1) * sizeof(*o));
            f = rl_arena_calloc(m->priv->arena, 1, sizeof(*f));
            if (!o || !f) {
                free(o == tf->order ? NULL : o);
                return RL_ENOMEM;
            }
            tf->order = o;
            f->path = dir;
            if (rl_hmap_puts(&tf->folders, dir, f) < 0)
                return RL_ENOMEM;
            tf->order[tf->nfolders++] = f;
        }
        if (f->nins == f->cap) {
            size_t ncap = f->cap ? f->cap * 2 : 4;
            const rl_input **n = rl_arena_alloc(m->priv->arena, ncap * sizeof(*n));
            if (!n)
                return RL_ENOMEM;
            if (f->nins)
                memcpy(n, f->ins, f->nins * sizeof(*n));
            f->ins = n;
            f->cap = ncap;
        }
        f->ins[f->nins++] = in;
    }
    for (size_t i = 0; i < tf->nfolders; i++) {
        mark_ctx x = {m, tf, tf->order[i]->path};
        for (size_t j = 0; j < tf->order[i]->nins; j++)
            each_call(tf->order[i]->ins[j], mark_called, &x);
    }
    return RL_OK;
}

static struct rl_tf_module *instantiate(rl_model *m, const tf_folder *f, const char *prefix,
                                        struct rl_tf_module *parent, const rl_input *call_in,
                                        const rl_node *call, int depth, int *rc);

typedef struct calls_ctx {
    rl_model *m;
    struct rl_tf_module *mod;
    int rc;
} calls_ctx;

static int on_call(void *ctx, const rl_input *in, const char *name, const rl_node *body)
{
    calls_ctx *x = ctx;
    rl_model *m = x->m;
    struct rl_tf_state *tf = m->priv->tf;
    tf_call *call = rl_arena_calloc(m->priv->arena, 1, sizeof(*call));
    if (!call)
        return x->rc = RL_ENOMEM;
    const char *src = rl_node_str(rl_node_get(body, "source"));
    const char *dir = source_folder(m, x->mod->folder->path, src);
    const tf_folder *f = dir ? rl_hmap_gets(&tf->folders, dir) : NULL;
    if (!f || f == x->mod->folder) {
        call->why =
            rl_arena_printf(m->priv->arena, "module %s (%s%s)", name, src ? src : "no source",
                            src ? " is not among the files read" : "");
    } else if (x->mod->depth + 1 > MAX_MODULE_DEPTH) {
        call->why = rl_arena_printf(m->priv->arena, "module %s (modules nested deeper than %d)",
                                    name, MAX_MODULE_DEPTH);
    } else {
        const char *prefix = rl_arena_printf(m->priv->arena, "%smodule.%s.", x->mod->prefix, name);
        if (!prefix)
            return x->rc = RL_ENOMEM;
        call->mod = instantiate(m, f, prefix, x->mod, in, body, x->mod->depth + 1, &x->rc);
        if (x->rc < 0)
            return x->rc;
    }
    if ((!call->mod && !call->why) || rl_hmap_puts(&x->mod->calls, name, call) < 0)
        return x->rc = RL_ENOMEM;
    return 0;
}

/* Providers a module call passes: `providers = {aws = aws.west}`, else the caller's default
 * provider. */
static void inherit_providers(struct rl_tf_module *mod, const struct rl_tf_module *parent,
                              const rl_node *call)
{
    const rl_node *map = rl_node_get(call, "providers");
    if (rl_node_is_seq(map))
        map = rl_node_at(map, 0);
    bool has_default = false;
    for (size_t i = 0; rl_node_is_map(map) && i < map->u.map.count; i++) {
        const char *key = rl_node_str(map->u.map.items[i].key);
        const char *val = rl_node_str(map->u.map.items[i].value);
        if (!key || !val || strncmp(key, "aws", 3) || mod->nprovs == MAX_PROVIDERS)
            continue;
        if (!strncmp(val, "${", 2)) /* older files write "${aws.west}" */
            val += 2;
        const char *region = NULL;
        for (size_t k = 0; k < parent->nprovs; k++)
            if (!strncmp(parent->provs[k].key, val, strlen(parent->provs[k].key)) &&
                strchr("}", val[strlen(parent->provs[k].key)]))
                region = parent->provs[k].region;
        mod->provs[mod->nprovs++] = (tf_provider){key, region};
        has_default = has_default || !strcmp(key, "aws");
    }
    for (size_t k = 0; !has_default && k < parent->nprovs; k++)
        if (!strcmp(parent->provs[k].key, "aws") && mod->nprovs < MAX_PROVIDERS)
            mod->provs[mod->nprovs++] = parent->provs[k];
}

/* The arguments of a module call are the module's variables, evaluated in the caller. */
static int bind_arguments(rl_model *m, struct rl_tf_module *mod, const struct rl_tf_module *parent,
                          const rl_input *call_in, const rl_node *call)
{
    static const char *const meta[] = {"source",   "version",    "providers", "count",
                                       "for_each", "depends_on", "//"};
    for (size_t i = 0; rl_node_is_map(call) && i < call->u.map.count; i++) {
        const char *key = rl_node_str(call->u.map.items[i].key);
        bool skip = !key;
        for (size_t k = 0; !skip && k < sizeof(meta) / sizeof(*meta); k++)
            skip = !strcmp(key, meta[k]);
        if (!skip && put_value(m, &mod->env->tf_vars, key, call->u.map.items[i].value, call_in->doc,
                               parent->env) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

static struct rl_tf_module *instantiate(rl_model *m, const tf_folder *f, const char *prefix,
                                        struct rl_tf_module *parent, const rl_input *call_in,
                                        const rl_node *call, int depth, int *rc)
{
    struct rl_tf_state *tf = m->priv->tf;
    struct rl_tf_module *mod = rl_arena_calloc(m->priv->arena, 1, sizeof(*mod));
    rl_eval_env *env = mod ? rl_model_new_env(m) : NULL;
    if (!env) {
        *rc = RL_ENOMEM;
        return NULL;
    }
    ((tf_folder *)f)->instantiated = true;
    mod->folder = f;
    mod->prefix = prefix;
    mod->depth = depth;
    mod->env = env;
    mod->next = tf->modules;
    tf->modules = mod;
    env->doc = f->ins[0]->doc;
    env->root = rl_doc_root(f->ins[0]->doc);
    env->terraform = true;
    env->tf_interpolate = true;
    env->account_id = m->account_id;
    env->tfmod = mod;
    if (parent) {
        inherit_providers(mod, parent, call);
        if ((*rc = bind_arguments(m, mod, parent, call_in, call)) < 0)
            return NULL;
    }
    /* variables, locals and outputs of every file first: providers and resources of any
     * file may use them */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < f->nins; i++) {
            tf_ctx c;
            memset(&c, 0, sizeof(c));
            c.m = m;
            c.in = f->ins[i];
            c.env = env;
            c.mod = mod;
            c.provs = mod->provs;
            c.nprovs = &mod->nprovs;
            const rl_node *root = rl_doc_root(c.in->doc);
            if (pass == 0) {
                const rl_node *locals = rl_node_get(root, "locals");
                size_t nl = rl_node_is_seq(locals) ? rl_node_count(locals) : 1;
                *rc = each_labeled(&c, rl_node_get(root, "variable"), on_variable, NULL);
                for (size_t k = 0; k < nl && *rc == RL_OK; k++)
                    *rc = each_labeled(&c, rl_node_is_seq(locals) ? rl_node_at(locals, k) : locals,
                                       on_locals, NULL);
                if (*rc == RL_OK)
                    *rc = each_labeled(&c, rl_node_get(root, "output"), on_output, NULL);
            } else if (pass == 1) {
                *rc = each_labeled(&c, rl_node_get(root, "provider"), on_provider, NULL);
            } else {
                *rc = each_labeled(&c, rl_node_get(root, "resource"), on_resource_type, NULL);
                if (*rc == RL_OK)
                    *rc = each_labeled(&c, rl_node_get(root, "data"), on_resource_type, (void *)1);
            }
            if (*rc < 0)
                return NULL;
        }
    calls_ctx x = {m, mod, RL_OK};
    for (size_t i = 0; i < f->nins && x.rc == RL_OK; i++)
        each_call(f->ins[i], on_call, &x);
    *rc = x.rc;
    return *rc < 0 ? NULL : mod;
}

int rl_model_tf_configs(rl_model *m)
{
    return index_folders(m);
}

int rl_model_add_tf_config(rl_model *m, const rl_input *in)
{
    /* a root module is instantiated where its first file comes in the inputs, so stacks
     * keep the order of the inputs */
    struct rl_tf_state *tf = m->priv->tf;
    const char *dir = folder_of(m, in->path);
    tf_folder *f = dir ? rl_hmap_gets(&tf->folders, dir) : NULL;
    int rc = dir ? RL_OK : RL_ENOMEM;
    if (f && !f->called && !f->instantiated && f->ins[0] == in)
        instantiate(m, f, "", NULL, NULL, NULL, 0, &rc);
    return rc;
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
        if (!key || !rl_node_streq(rl_node_get(p, "name"), "aws") || *c->nprovs == MAX_PROVIDERS)
            continue;
        const rl_node *re = rl_node_path(p, "expressions.region");
        const char *region = rl_node_str(rl_node_get(re, "constant_value"));
        if (!region) {
            const char *ref = rl_node_str(rl_node_at(rl_node_get(re, "references"), 0));
            region = ref ? plan_var(c, ref) : NULL;
        }
        if (region && !rl_is_region(region, strlen(region)))
            region = NULL;
        /* no region in the plan (the environment's): the region the file is attributed to */
        if (!region && !rl_node_get(rl_node_get(p, "expressions"), "region"))
            region = c->in->region;
        c->provs[(*c->nprovs)++] =
            (tf_provider){key, region ? rl_model_intern(c->m, region) : NULL};
    }
}

/* Address without instance keys: module.a.aws_x.y[0] -> module.a.aws_x.y */
static void strip_index(const char *addr, size_t len, char *out, size_t outsz)
{
    size_t o = 0;
    int depth = 0;
    for (size_t i = 0; i < len && o + 1 < outsz; i++) {
        char ch = addr[i];
        if (ch == '[')
            depth++;
        else if (ch == ']')
            depth--;
        else if (!depth)
            out[o++] = ch;
    }
    out[o] = '\0';
}

/* The configuration's resources by full address (module prefix + address). */
static int index_config(tf_ctx *c, rl_hmap *idx, const rl_node *module, const char *prefix,
                        int depth)
{
    if (!module || depth > 16)
        return RL_OK;
    const rl_node *res = rl_node_get(module, "resources");
    for (size_t i = 0; i < rl_node_count(res) && rl_node_is_seq(res); i++) {
        const rl_node *r = res->u.seq.items[i];
        const char *a = rl_node_str(rl_node_get(r, "address"));
        const char *full = a ? rl_arena_cat(c->m->priv->arena, prefix, a, NULL) : NULL;
        if (a && (!full || rl_hmap_puts(idx, full, (void *)r) < 0))
            return RL_ENOMEM;
    }
    const rl_node *calls = rl_node_get(module, "module_calls");
    for (size_t i = 0; rl_node_is_map(calls) && i < calls->u.map.count; i++) {
        const char *name = rl_node_str(calls->u.map.items[i].key);
        const char *np =
            name ? rl_arena_printf(c->m->priv->arena, "%smodule.%s.", prefix, name) : NULL;
        if (!name)
            continue;
        int rc = np ? index_config(c, idx, rl_node_get(calls->u.map.items[i].value, "module"), np,
                                   depth + 1)
                    : RL_ENOMEM;
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

/* Region of a plan resource: its own `region` value, else its provider configuration's
 * (the key may be "aws.east" or, inside modules, "mod:aws.east" / "module.mod:aws.east"),
 * else the region of its ARN. */
static const char *plan_resource_region(tf_ctx *c, const char *bare, const rl_node *conf,
                                        const rl_node *values)
{
    const char *r = rl_node_str(rl_node_get(values, "region"));
    if (r && rl_is_region(r, strlen(r)))
        return rl_model_intern(c->m, r);
    const char *key = rl_node_str(rl_node_get(conf, "provider_config_key"));
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
    return c->in->region; /* the region the file is attributed to (folder, config), or none */
}

typedef struct plan_ctx {
    rl_hmap config;  /* full address -> configuration resource */
    rl_hmap unknown; /* address with instance keys -> after_unknown */
} plan_ctx;

static int add_extra(tf_ctx *c, const char *addr, const rl_node *conf, const rl_node *unknown)
{
    tf_extra *x = rl_arena_calloc(c->m->priv->arena, 1, sizeof(*x));
    if (!x)
        return RL_ENOMEM;
    x->expr = rl_node_get(conf, "expressions");
    x->unknown = unknown;
    /* "module.a.module.b.aws_x.y": the prefix ends after the last "module.NAME." */
    for (const char *p = addr; !strncmp(p, "module.", 7);) {
        const char *dot = strchr(p + 7, '.');
        if (!dot)
            break;
        p = dot + 1;
        x->prefix_len = (size_t)(p - addr);
    }
    return rl_hmap_gets(&c->plan->extra, addr) || rl_hmap_puts(&c->plan->extra, addr, x) >= 0
               ? RL_OK
               : RL_ENOMEM;
}

static int plan_module(tf_ctx *c, plan_ctx *pc, const rl_node *module, const char *jpath, int depth)
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
        char bare[512];
        strip_index(addr, strlen(addr), bare, sizeof(bare));
        const rl_node *conf = rl_hmap_gets(&pc->config, bare);
        const char *path = rl_arena_printf(c->m->priv->arena, "%s.resources[%zu].values", jpath, i);
        if (!path)
            return RL_ENOMEM;
        int rc = add_res(c, RL_STACK_TF_PLAN, type, addr, path, r, values,
                         plan_resource_region(c, bare, conf, values));
        if (rc == RL_OK)
            rc = add_extra(c, addr, conf, rl_hmap_gets(&pc->unknown, addr));
        if (rc < 0)
            return rc;
    }
    const rl_node *kids = rl_node_get(module, "child_modules");
    for (size_t i = 0; i < rl_node_count(kids) && rl_node_is_seq(kids); i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s.child_modules[%zu]", jpath, i);
        int rc = plan_module(c, pc, kids->u.seq.items[i], p, depth + 1);
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

static int plan_new(tf_ctx *c)
{
    struct rl_tf_state *tf = tf_state(c->m);
    rl_eval_env *env = rl_model_new_env(c->m);
    c->plan = tf ? rl_arena_calloc(c->m->priv->arena, 1, sizeof(*c->plan)) : NULL;
    if (!env || !c->plan)
        return RL_ENOMEM;
    c->plan->next = tf->plans;
    tf->plans = c->plan;
    c->plan->config = rl_node_get(rl_doc_root(c->in->doc), "configuration");
    env->doc = c->in->doc;
    env->root = rl_doc_root(c->in->doc);
    env->terraform = true;
    env->account_id = c->m->account_id;
    env->plan = c->plan;
    c->env = env;
    c->provs = c->own;
    c->nprovs = &c->nown;
    return RL_OK;
}

static int add_tf_plan(tf_ctx *c)
{
    const rl_node *root = rl_doc_root(c->in->doc);
    plan_ctx pc;
    memset(&pc, 0, sizeof(pc));
    int rc = plan_new(c);
    if (rc == RL_OK)
        rc = index_config(c, &pc.config, rl_node_path(root, "configuration.root_module"), "", 0);
    const rl_node *changes = rl_node_get(root, "resource_changes");
    for (size_t i = 0; rc == RL_OK && i < rl_node_count(changes) && rl_node_is_seq(changes); i++) {
        const rl_node *ch = changes->u.seq.items[i];
        const char *addr = rl_node_str(rl_node_get(ch, "address"));
        const rl_node *unk = rl_node_path(ch, "change.after_unknown");
        if (addr && unk && rl_hmap_puts(&pc.unknown, addr, (void *)unk) < 0)
            rc = RL_ENOMEM;
    }
    if (rc == RL_OK) {
        plan_providers(c);
        const rl_node *pv = rl_node_path(root, "planned_values.root_module");
        rc = pv ? plan_module(c, &pc, pv, "planned_values.root_module", 0)
                : plan_module(c, &pc, rl_node_path(root, "values.root_module"),
                              "values.root_module", 0);
    }
    rl_hmap_free(&pc.config);
    rl_hmap_free(&pc.unknown);
    return rc;
}

/* Raw .tfstate v4: resources[].instances[].attributes; the provider string keeps the alias
 * but not its region, so the region comes from the attributes. */
static int add_tfstate(tf_ctx *c)
{
    const rl_node *res = rl_node_get(rl_doc_root(c->in->doc), "resources");
    int rc = plan_new(c);
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
                              plan_resource_region(c, id, NULL, attrs))) < 0 ||
                (rc = add_extra(c, id, NULL, NULL)) < 0)
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
    int rc = in->kind == RL_INPUT_TF_PLAN ? add_tf_plan(c) : add_tfstate(c);
    free(c);
    return rc;
}

/* ---- the scopes of the reference layer --------------------------------------------- */

static int index_stack(rl_model *m, const rl_stack *st)
{
    (void)m;
    const rl_eval_env *env = st->env;
    for (size_t i = 0; env && i < st->nresources; i++) {
        const rl_resource *r = &st->resources[i];
        char key[512];
        rl_hmap *ids;
        if (env->tfmod) {
            ids = &env->tfmod->ids;
            snprintf(key, sizeof(key), "%s", r->id + strlen(env->tfmod->prefix));
        } else if (env->plan) {
            ids = &env->plan->ids;
            strip_index(r->id, strlen(r->id), key, sizeof(key));
        } else {
            continue;
        }
        /* the first resource of an address wins (another instance key shares it) */
        if (rl_hmap_gets(ids, key))
            continue;
        const char *k = rl_model_intern(m, key);
        if (!k || rl_hmap_puts(ids, k, (void *)r) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

int rl_model_tf_finish(rl_model *m)
{
    struct rl_tf_state *tf = m->priv->tf;
    int rc = RL_OK;
    if (!tf)
        return RL_OK;
    /* folders only called by each other (a cycle): each is a root of its own */
    for (size_t i = 0; rc == RL_OK && i < tf->nfolders; i++)
        if (!tf->order[i]->instantiated)
            instantiate(m, tf->order[i], "", NULL, NULL, NULL, 0, &rc);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < m->nstacks; i++)
        if (index_stack(m, m->stacks[i]) < 0)
            return RL_ENOMEM;
    for (struct rl_tf_module *mod = tf->modules; mod; mod = mod->next)
        for (size_t i = 0; i < mod->nhidden; i++)
            if (index_stack(m, mod->hidden[i]) < 0)
                return RL_ENOMEM;
    return RL_OK;
}

void rl_model_tf_free(rl_model *m)
{
    struct rl_tf_state *tf = m->priv->tf;
    if (!tf)
        return;
    for (struct rl_tf_module *mod = tf->modules; mod; mod = mod->next) {
        rl_hmap_free(&mod->ids);
        rl_hmap_free(&mod->outputs);
        rl_hmap_free(&mod->calls);
        free(mod->hidden);
    }
    for (struct rl_tf_plan *p = tf->plans; p; p = p->next) {
        rl_hmap_free(&p->ids);
        rl_hmap_free(&p->extra);
    }
    rl_hmap_free(&tf->folders);
    free(tf->order);
}

/* ---- lookups for the reference layer ----------------------------------------------- */

const rl_resource *rl_tf_lookup(const rl_eval_env *env, const rl_resource *from, const char *addr,
                                size_t len)
{
    char key[512];
    if (!env || len >= sizeof(key))
        return NULL;
    if (env->tfmod) {
        memcpy(key, addr, len);
        key[len] = '\0';
        return rl_hmap_gets(&env->tfmod->ids, key);
    }
    if (!env->plan)
        return NULL;
    /* inside a module, addresses are relative to it */
    const tf_extra *x = from ? rl_hmap_gets(&env->plan->extra, from->id) : NULL;
    size_t pl = x ? x->prefix_len : 0;
    if (pl && strncmp(addr, "module.", 7) && pl + len < sizeof(key)) {
        char tmp[512];
        memcpy(tmp, from->id, pl);
        memcpy(tmp + pl, addr, len);
        strip_index(tmp, pl + len, key, sizeof(key));
        const rl_resource *r = rl_hmap_gets(&env->plan->ids, key);
        if (r)
            return r;
    }
    strip_index(addr, len, key, sizeof(key));
    return rl_hmap_gets(&env->plan->ids, key);
}

const rl_tfvalue *rl_tf_module_output(const rl_eval_env *env, const char *call, size_t cl,
                                      const char *out, size_t ol, const char **why)
{
    char name[256];
    *why = NULL;
    if (!env || !env->tfmod || cl >= sizeof(name))
        return NULL;
    memcpy(name, call, cl);
    name[cl] = '\0';
    const tf_call *c = rl_hmap_gets(&env->tfmod->calls, name);
    if (!c) {
        *why = "a module call that is not in the files read";
        return NULL;
    }
    if (!c->mod) {
        *why = c->why;
        return NULL;
    }
    if (ol >= sizeof(name))
        return NULL;
    memcpy(name, out, ol);
    name[ol] = '\0';
    const rl_tfvalue *v = rl_hmap_gets(&c->mod->outputs, name);
    if (!v)
        *why = "an output the module does not declare";
    return v;
}

const rl_node *rl_tf_plan_expressions(const rl_resource *r)
{
    const rl_eval_env *env = r->stack->env;
    const tf_extra *x = env && env->plan ? rl_hmap_gets(&env->plan->extra, r->id) : NULL;
    return x ? x->expr : NULL;
}

const rl_node *rl_tf_plan_unknown(const rl_resource *r)
{
    const rl_eval_env *env = r->stack->env;
    const tf_extra *x = env && env->plan ? rl_hmap_gets(&env->plan->extra, r->id) : NULL;
    return x ? x->unknown : NULL;
}
