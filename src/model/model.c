/* The region-pair model: regions, stacks and resources per region, the export index, and
 * the CloudFormation builder (one instance per region for a shared template, parameter
 * files bound by folder and name). */
#include "datastores.h"
#include "deploy.h"
#include "edge.h"
#include "model_private.h"

#include "iam.h"
#include "quotas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rl_model_intern(rl_model *m, const char *s)
{
    const char *p = rl_hmap_gets(&m->priv->interned, s);
    if (p)
        return p;
    char *copy = rl_arena_strdup(m->priv->arena, s);
    if (!copy || rl_hmap_puts(&m->priv->interned, copy, copy) < 0)
        return NULL;
    return copy;
}

rl_eval_env *rl_model_new_env(rl_model *m)
{
    rl_eval_env *env = rl_arena_calloc(m->priv->arena, 1, sizeof(*env));
    if (!env)
        return NULL;
    rl_eval_env **n = realloc(m->priv->envs, (m->priv->nenvs + 1) * sizeof(*n));
    if (!n)
        return NULL;
    m->priv->envs = n;
    n[m->priv->nenvs++] = env;
    env->model = m;
    return env;
}

/* A stack and the capacity of its resources array, which only the model sees. */
typedef struct stack_priv {
    rl_stack st;
    size_t rescap;
} stack_priv;

rl_stack *rl_model_new_stack(rl_model *m, const rl_input *in, rl_stack_source src,
                             const char *region, bool shared)
{
    stack_priv *sp = rl_arena_calloc(m->priv->arena, 1, sizeof(*sp));
    if (!sp)
        return NULL;
    rl_stack *st = &sp->st;
    st->input = in;
    st->source = src;
    st->region = region;
    st->shared = shared;
    return st;
}

int rl_model_add_stack(rl_model *m, rl_stack *st)
{
    rl_stack **n = realloc(m->stacks, (m->nstacks + 1) * sizeof(*n));
    if (!n)
        return RL_ENOMEM;
    m->stacks = n;
    m->stacks[m->nstacks++] = st;
    return RL_OK;
}

int rl_model_reserve_resources(rl_model *m, rl_stack *st, size_t n)
{
    stack_priv *sp = (stack_priv *)st; /* every stack is made by rl_model_new_stack() */
    if (sp->rescap - st->nresources >= n)
        return RL_OK;
    size_t ncap = st->nresources + n;
    rl_resource *r = rl_arena_alloc(m->priv->arena, ncap * sizeof(*r));
    if (!r)
        return RL_ENOMEM;
    if (st->nresources)
        memcpy(r, st->resources, st->nresources * sizeof(*r));
    st->resources = r;
    sp->rescap = ncap;
    return RL_OK;
}

int rl_model_add_resource(rl_model *m, rl_stack *st, const rl_resource *res)
{
    /* resources arrays grow by doubling inside the arena (old blocks are dropped), unless
     * the builder reserved the room (a template knows its resource count) */
    stack_priv *sp = (stack_priv *)st;
    if (st->nresources == sp->rescap &&
        rl_model_reserve_resources(m, st, st->nresources ? st->nresources : 8) < 0)
        return RL_ENOMEM;
    st->resources[st->nresources] = *res;
    st->resources[st->nresources].stack = st;
    st->nresources++;
    return RL_OK;
}

/* ---- path helpers ---------------------------------------------------------------- */

static size_t dir_len(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) : 0;
}

/* File name without folder and without its extensions (".template.json" etc.). */
static void stem(const char *path, char *out, size_t outsz)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    const char *dot = strchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, base, len);
    out[len] = '\0';
}

/* The folder a parameter file serves: its own, or the folder above a params/ or parameters/
 * folder (params/ itself, or params/<region>/ for the file's own region). */
static size_t served_dir(const rl_input *p)
{
    size_t pl = dir_len(p->path);
    const char *d = p->path;
    size_t start = pl;
    while (start > 0 && d[start - 1] != '/')
        start--;
    /* params/<region>/file: step over the region folder of the file's own region */
    if (p->region && pl - start == strlen(p->region) &&
        !strncmp(d + start, p->region, pl - start) && start > 0) {
        pl = start - 1;
        start = pl;
        while (start > 0 && d[start - 1] != '/')
            start--;
    }
    static const char *const names[] = {"params", "parameters"};
    for (size_t i = 0; i < 2; i++)
        if (pl - start == strlen(names[i]) && !strncmp(d + start, names[i], pl - start))
            return start ? start - 1 : 0;
    return dir_len(p->path);
}

/* How much of parameter stem `ps` template stem `ts` names: its length when ps is ts, or
 * ts followed by '-', '_' or '.'; 0 otherwise. */
static size_t stem_match(const char *ts, const char *ps)
{
    size_t n = strlen(ts);
    if (!n || strncmp(ps, ts, n))
        return 0;
    return !ps[n] || ps[n] == '-' || ps[n] == '_' || ps[n] == '.' ? n : 0;
}

/* Parameter files and templates of each folder, indexed once (no template is compared with
 * every file of the inputs). */
typedef struct dir_files {
    const rl_input **params, **templates;
    size_t nparams, ntemplates, pcap, tcap;
} dir_files;

static int dir_add(rl_model *m, const char *path, size_t len, const rl_input *in, bool param)
{
    char key[4096];
    if (len >= sizeof(key))
        return RL_OK;
    memcpy(key, path, len);
    key[len] = '\0';
    dir_files *f = rl_hmap_gets(&m->priv->dirs, key);
    if (!f) {
        const char *k = rl_model_intern(m, key);
        f = rl_arena_calloc(m->priv->arena, 1, sizeof(*f));
        if (!k || !f || rl_hmap_puts(&m->priv->dirs, k, f) < 0)
            return RL_ENOMEM;
    }
    const rl_input ***v = param ? &f->params : &f->templates;
    size_t *n = param ? &f->nparams : &f->ntemplates, *cap = param ? &f->pcap : &f->tcap;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        const rl_input **nv = rl_arena_alloc(m->priv->arena, ncap * sizeof(*nv));
        if (!nv)
            return RL_ENOMEM;
        if (*n)
            memcpy(nv, *v, *n * sizeof(*nv));
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = in;
    return RL_OK;
}

static int index_dirs(rl_model *m)
{
    for (size_t i = 0; i < rl_inputs_count(m->inputs); i++) {
        const rl_input *in = rl_inputs_at(m->inputs, i);
        int rc = RL_OK;
        if (in->doc && in->kind == RL_INPUT_CFN_PARAMS)
            rc = dir_add(m, in->path, served_dir(in), in, true);
        else if (in->doc && in->kind == RL_INPUT_CFN_TEMPLATE)
            rc = dir_add(m, in->path, dir_len(in->path), in, false);
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

/* Whether parameter file `p` (of the template's folder) belongs to template `t`: the
 * longest template name of the folder that the file's name starts with, up to a '-', '_'
 * or '.', is its template (app-db.params.json feeds app-db.yaml, not app.yaml); a file
 * whose name no template's starts is the only template's when the folder has one. */
static bool params_match(const dir_files *f, const rl_input *t, const rl_input *p)
{
    char ts[256], ps[256], os[256];
    stem(t->path, ts, sizeof(ts));
    stem(p->path, ps, sizeof(ps));
    size_t mine = stem_match(ts, ps), best = 0;
    for (size_t i = 0; i < f->ntemplates; i++) {
        stem(f->templates[i]->path, os, sizeof(os));
        size_t n = stem_match(os, ps);
        if (n > best)
            best = n;
    }
    if (best)
        return mine == best;
    return f->ntemplates == 1;
}

/* ---- CloudFormation --------------------------------------------------------------- */

static bool param_is_list(const rl_node *decl)
{
    const char *type = rl_node_str(rl_node_get(decl, "Type"));
    return type && (!strcmp(type, "CommaDelimitedList") || !strncmp(type, "List<", 5) ||
                    strstr(type, "<List<"));
}

static bool param_is_ssm(const rl_node *decl)
{
    const char *type = rl_node_str(rl_node_get(decl, "Type"));
    return type && !strncmp(type, "AWS::SSM::Parameter::Value<", 27);
}

/* Value of `name` in a parameter file (both shapes), or NULL. */
static const rl_node *param_file_value(const rl_input *pf, const char *name)
{
    const rl_node *root = pf ? rl_doc_root(pf->doc) : NULL;
    if (rl_node_is_seq(root)) {
        for (size_t i = 0; i < root->u.seq.count; i++) {
            const rl_node *it = root->u.seq.items[i];
            if (rl_node_streq(rl_node_get(it, "ParameterKey"), name))
                return rl_node_get(it, "ParameterValue");
        }
        return NULL;
    }
    return rl_node_get(rl_node_get(root, "Parameters"), name);
}

const char *rl_model_account_for(const rl_model *m, const char *region)
{
    const char *any = NULL;
    for (size_t i = 0; m->cfg && i < m->cfg->naccounts; i++) {
        const rl_config_account *a = &m->cfg->accounts[i];
        if (!a->region)
            any = a->account;
        else if (region && !strcmp(a->region, region))
            return a->account;
    }
    return any ? any : m->account_id;
}

int rl_env_init_cfn(rl_model *m, rl_stack *st, const rl_input *params)
{
    rl_arena *a = m->priv->arena;
    rl_eval_env *env = rl_model_new_env(m);
    if (!env)
        return RL_ENOMEM;
    const rl_node *root = rl_doc_root(st->input->doc);
    env->doc = st->input->doc;
    env->root = root;
    env->region = st->region;
    env->partition = rl_region_partition(st->region);
    env->account_id = rl_model_account_for(m, st->region);
    env->stack_name = st->name;
    env->mappings = rl_node_get(root, "Mappings");
    env->conditions = rl_node_get(root, "Conditions");
    const rl_node *decls = rl_node_get(root, "Parameters");
    for (size_t i = 0; i < rl_node_count(decls) && rl_node_is_map(decls); i++) {
        const rl_node *k = decls->u.map.items[i].key, *d = decls->u.map.items[i].value;
        if (!rl_node_is_scalar(k))
            continue;
        rl_param *p = rl_arena_calloc(a, 1, sizeof(*p));
        if (!p)
            return RL_ENOMEM;
        p->name = k->u.s.str;
        p->decl = d;
        if (!(p->via = rl_arena_cat(a, "parameter ", p->name, NULL)))
            return RL_ENOMEM;
        p->is_list = param_is_list(d);
        const rl_node *v = param_file_value(params, p->name);
        if (v) {
            p->value = v;
            p->doc = params->doc;
        } else if (!param_is_ssm(d)) {
            /* an SSM-typed parameter's default names a parameter, not the value */
            p->value = rl_node_get(d, "Default");
            p->doc = env->doc;
        }
        if (rl_hmap_puts(&env->params, p->name, p) < 0)
            return RL_ENOMEM;
    }
    st->env = env;
    st->params = params;
    return RL_OK;
}

/* `first`: an earlier instance of the same template, or NULL. Its instances hold the same
 * resources in the same order (only regions and conditions differ), so they share the
 * index of logical ids the first one builds. */
static int add_cfn_resources(rl_model *m, rl_stack *st, const rl_stack *first)
{
    const rl_node *res = rl_node_get(rl_doc_root(st->input->doc), "Resources");
    if (!rl_node_is_map(res))
        return RL_OK;
    if (rl_model_reserve_resources(m, st, res->u.map.count) < 0)
        return RL_ENOMEM;
    if (first) {
        st->env->resources = first->env->resources;
        st->env->res_borrowed = true;
    }
    for (size_t i = 0; i < res->u.map.count; i++) {
        const rl_node *k = res->u.map.items[i].key, *v = res->u.map.items[i].value;
        if (!rl_node_is_scalar(k) || !rl_node_is_map(v))
            continue;
        rl_resource r;
        memset(&r, 0, sizeof(r));
        r.id = k->u.s.str;
        r.type = rl_node_str(rl_node_get(v, "Type"));
        if (!r.type)
            continue;
        r.node = v;
        r.props = rl_node_get(v, "Properties");
        /* the first instance's resource at this index is this one */
        r.path = first ? first->resources[st->nresources].path
                       : rl_arena_cat(m->priv->arena, "Resources.", r.id, NULL);
        r.region = st->region;
        r.condition = rl_node_str(rl_node_get(v, "Condition"));
        r.deployed = r.condition ? rl_eval_condition(st, r.condition) : 1;
        if (!r.path)
            return RL_ENOMEM;
        /* the first resource of an id wins (a duplicate key is RL003's finding) */
        if (!first && !rl_hmap_gets(&st->env->resources, r.id) &&
            rl_hmap_puts(&st->env->resources, r.id, (void *)(uintptr_t)(st->nresources + 1)) < 0)
            return RL_ENOMEM;
        if (rl_model_add_resource(m, st, &r) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

static int index_export(rl_model *m, const char *region, const char *name, const rl_input *in,
                        const rl_stack *st, const rl_node *node, const rl_node *value)
{
    char key[1024];
    int n = snprintf(key, sizeof(key), "%s\n%s", region, name);
    if (n < 0 || (size_t)n >= sizeof(key))
        return RL_OK;
    const char *ikey = rl_model_intern(m, key);
    const char *iname = rl_model_intern(m, name);
    rl_export *e = rl_arena_calloc(m->priv->arena, 1, sizeof(*e));
    if (!ikey || !iname || !e)
        return RL_ENOMEM;
    e->region = region;
    e->name = iname;
    e->input = in;
    e->stack = st;
    e->node = node;
    e->value = value;
    e->next = rl_hmap_gets(&m->priv->exports, ikey);
    if (rl_hmap_puts(&m->priv->exports, ikey, e) < 0 ||
        rl_hmap_puts(&m->priv->export_names, iname, (void *)1) < 0)
        return RL_ENOMEM;
    return RL_OK;
}

static int index_cfn_exports(rl_model *m, rl_stack *st)
{
    const rl_node *outs = rl_node_get(rl_doc_root(st->input->doc), "Outputs");
    if (!rl_node_is_map(outs) || !st->region)
        return RL_OK;
    for (size_t i = 0; i < outs->u.map.count; i++) {
        const rl_node *o = outs->u.map.items[i].value;
        const char *cond = rl_node_str(rl_node_get(o, "Condition"));
        if (cond && rl_eval_condition(st, cond) == 0)
            continue;
        const rl_node *nm = rl_node_get(rl_node_get(o, "Export"), "Name");
        const char *name = nm ? rl_eval_string(st, nm) : NULL;
        if (name &&
            index_export(m, st->region, name, st->input, st, nm, rl_node_get(o, "Value")) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

/* Exports recorded in describe-stacks snapshots. */
static int index_snapshot_exports(rl_model *m, const rl_input *in)
{
    const rl_node *stacks = rl_node_get(rl_doc_root(in->doc), "Stacks");
    for (size_t i = 0; i < rl_node_count(stacks) && rl_node_is_seq(stacks); i++) {
        const rl_node *s = stacks->u.seq.items[i];
        char region[64];
        const char *id = rl_node_str(rl_node_get(s, "StackId"));
        const char *r = id && rl_arn_region(id, region, sizeof(region)) ? region : in->region;
        if (!r)
            continue;
        const char *ir = rl_model_intern(m, r);
        const rl_node *outs = rl_node_get(s, "Outputs");
        for (size_t j = 0; j < rl_node_count(outs) && rl_node_is_seq(outs); j++) {
            const rl_node *en = rl_node_get(outs->u.seq.items[j], "ExportName");
            if (rl_node_str(en) &&
                (!ir || index_export(m, ir, en->u.s.str, in, NULL, en, NULL) < 0))
                return RL_ENOMEM;
        }
    }
    return RL_OK;
}

static int add_cfn_instance(rl_model *m, const rl_input *in, const char *region, bool shared,
                            const rl_input *params, rl_stack **made, const rl_stack *first)
{
    rl_stack *st = rl_model_new_stack(m, in, RL_STACK_CFN, region, shared);
    char name[256];
    if (!st)
        return RL_ENOMEM;
    stem(in->path, name, sizeof(name));
    st->name = rl_model_intern(m, name);
    int rc;
    if ((rc = rl_env_init_cfn(m, st, params)) < 0 || (rc = add_cfn_resources(m, st, first)) < 0 ||
        (rc = index_cfn_exports(m, st)) < 0 || (rc = rl_model_add_stack(m, st)) < 0)
        return rc;
    *made = st;
    return RL_OK;
}

/* The parameter file for one instance: a region-specific match beats a shared one. */
static const rl_input *pick_params(const rl_model *m, const rl_input *t, const char *region)
{
    char dir[4096];
    size_t dl = dir_len(t->path);
    if (dl >= sizeof(dir))
        return NULL;
    memcpy(dir, t->path, dl);
    dir[dl] = '\0';
    const dir_files *f = rl_hmap_gets(&m->priv->dirs, dir);
    const rl_input *shared = NULL;
    for (size_t i = 0; f && i < f->nparams; i++) {
        const rl_input *p = f->params[i];
        if (!params_match(f, t, p))
            continue;
        if (p->region && region && !strcmp(p->region, region))
            return p;
        if (!p->region && !shared)
            shared = p;
    }
    return shared;
}

/* A template every resource of which is global (IAM roles, an OIDC provider, CloudFront,
 * Route 53): deployed once, not once per region. */
static bool global_only(const rl_input *in)
{
    const rl_node *res = rl_node_get(rl_doc_root(in->doc), "Resources");
    size_t n = 0;
    for (size_t i = 0; rl_node_is_map(res) && i < res->u.map.count; i++) {
        const char *type = rl_node_str(rl_node_get(res->u.map.items[i].value, "Type"));
        if (!type)
            continue;
        if (!rl_type_global(type))
            return false;
        n++;
    }
    return n > 0;
}

int rl_model_add_cfn(rl_model *m, const rl_input *in)
{
    rl_stack *st = NULL, *first = NULL;
    if (in->region)
        return add_cfn_instance(m, in, in->region, false, pick_params(m, in, in->region), &st,
                                NULL);
    /* a global-only template is deployed once, from the primary, unless the config says it
     * is deployed to every region (inputs: shared:) */
    if (in->region_from == RL_REGION_FROM_NONE && global_only(in))
        return add_cfn_instance(m, in, m->primary, false, pick_params(m, in, m->primary), &st,
                                NULL);
    for (size_t i = 0; i < m->nregions; i++) {
        int rc = add_cfn_instance(m, in, m->regions[i], true, pick_params(m, in, m->regions[i]),
                                  &st, first);
        if (rc < 0)
            return rc;
        if (!first)
            first = st;
    }
    return RL_OK;
}

/* ---- the model -------------------------------------------------------------------- */

int rl_model_build(rl_model **out, const rl_inputs *in, const rl_config *cfg,
                   const rl_model_opts *o, rl_error *err)
{
    rl_model *m = calloc(1, sizeof(*m));
    int rc = RL_OK;
    *out = NULL;
    if (!m || !(m->priv = calloc(1, sizeof(*m->priv))) || !(m->priv->arena = rl_arena_new(0)) ||
        !(m->priv->scratch = rl_arena_new(16 * 1024))) {
        rl_model_free(m);
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    m->cfg = cfg;
    m->inputs = in;
    m->primary = o->primary;
    m->standby = o->standby;
    m->nstandby = o->nstandby;
    m->strategy = o->strategy;
    m->bake_time = o->bake_time;
    m->regions = rl_arena_calloc(m->priv->arena, o->nstandby + 2, sizeof(*m->regions));
    if (!m->regions) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    m->regions[m->nregions++] = o->primary;
    for (size_t i = 0; i < o->nstandby; i++)
        m->regions[m->nregions++] = o->standby[i];

    /* Terraform configurations are modules of files, instantiated by their callers;
     * parameter files and templates are indexed by folder */
    rc = rl_model_tf_configs(m);
    if (rc == RL_OK)
        rc = index_dirs(m);
    if (rc < 0)
        goto cleanup;
    for (size_t i = 0; i < rl_inputs_count(in) && rc == RL_OK; i++) {
        const rl_input *it = rl_inputs_at(in, i);
        if (!it->doc)
            continue;
        switch (it->kind) {
        case RL_INPUT_CFN_TEMPLATE:
            rc = rl_model_add_cfn(m, it);
            break;
        case RL_INPUT_TF_CONFIG:
            rc = rl_model_add_tf_config(m, it);
            break;
        case RL_INPUT_TF_PLAN:
        case RL_INPUT_TF_STATE:
            rc = rl_model_add_terraform(m, it);
            break;
        case RL_INPUT_STACKS:
            rc = index_snapshot_exports(m, it);
            break;
        case RL_INPUT_QUOTAS:
        case RL_INPUT_QUOTA_USAGE:
        case RL_INPUT_TRUSTED_ADVISOR:
            rc = rl_model_add_quotas(m, it);
            break;
        case RL_INPUT_IAM:
            rc = rl_model_add_iam(m, it);
            break;
        default:
            break;
        }
    }
    if (rc == RL_OK)
        rc = rl_model_tf_finish(m);
    if (rc == RL_OK)
        rc = rl_refs_index(m);
    /* deployment flows read the template instances built above (pipelines, stack sets) */
    if (rc == RL_OK)
        rc = rl_model_add_deploy(m);
    if (rc == RL_OK)
        rc = rl_offering_build(m);
    if (rc == RL_OK)
        rc = rl_org_build(m);

    if (rc == RL_OK)
        rc = rl_model_finish_quotas(m);

    /* the analyses the enabled rules read, built once here: rules never build them */
    unsigned need = o->analyses;
    if (need & RL_ANALYSIS_WRITERS)
        need |= RL_ANALYSIS_IAM_USES | RL_ANALYSIS_DATA;
    if (rc == RL_OK && (need & RL_ANALYSIS_IAM_USES))
        rc = rl_iam_uses_build(m);
    if (rc == RL_OK && (need & RL_ANALYSIS_DATA))
        rc = rl_ds_build(m);
    if (rc == RL_OK && (need & RL_ANALYSIS_WRITERS))
        rc = rl_ds_writers_build(m);
    if (rc == RL_OK && (need & RL_ANALYSIS_EDGE))
        rc = rl_edge_build(&m->priv->edge, m);

cleanup:
    if (rc < 0) {
        rl_model_free(m);
        return rl_error_set(err, rc, NULL, 0, 0, "out of memory while building the model");
    }
    *out = m;
    return RL_OK;
}

void rl_model_free(rl_model *m)
{
    if (!m)
        return;
    if (m->priv) {
        for (size_t i = 0; i < m->priv->nenvs; i++) {
            rl_eval_env *env = m->priv->envs[i];
            rl_hmap_free(&env->params);
            if (!env->res_borrowed)
                rl_hmap_free(&env->resources);
            rl_hmap_free(&env->cond_cache);
            if (!env->borrowed) {
                rl_hmap_free(&env->tf_vars);
                rl_hmap_free(&env->tf_locals);
            }
        }
        free(m->priv->envs);
        rl_quota_db_free(m->priv->quotas);
        rl_iam_db_free(m->priv->iam);
        rl_model_tf_free(m);
        rl_hmap_free(&m->priv->named);
        rl_hmap_free(&m->priv->dirs);
        rl_model_policies_free(m);
        rl_offering_free(m->priv->offering);
        rl_org_free(m->priv->org);
        rl_ds_db_free(m->priv->data);
        rl_edge_free(m->priv->edge);
        rl_hmap_free(&m->priv->exports);
        rl_hmap_free(&m->priv->export_names);
        rl_hmap_free(&m->priv->interned);
        rl_arena_free(m->priv->arena);
        rl_arena_free(m->priv->scratch);
        free(m->priv);
    }
    free(m->stacks);
    free(m);
}

bool rl_type_global(const char *t)
{
    static const char *const prefixes[] = {"AWS::Route53::",
                                           "AWS::CloudFront::",
                                           "AWS::IAM::",
                                           "AWS::GlobalAccelerator::",
                                           "AWS::Route53RecoveryControl::",
                                           "AWS::Route53RecoveryReadiness::",
                                           "AWS::Organizations::",
                                           "aws_route53_",
                                           "aws_cloudfront_",
                                           "aws_iam_",
                                           "aws_globalaccelerator_",
                                           "aws_route53recoverycontrolconfig_",
                                           "aws_route53recoveryreadiness_",
                                           "aws_organizations_"};
    for (size_t i = 0; t && i < sizeof(prefixes) / sizeof(*prefixes); i++)
        if (!strncmp(t, prefixes[i], strlen(prefixes[i])))
            /* Route 53 Resolver endpoints and rules are regional */
            return strncmp(t, "aws_route53_resolver", 20) != 0;
    return false;
}

bool rl_model_in_pair(const rl_model *m, const char *region)
{
    for (size_t i = 0; region && i < m->nregions; i++)
        if (!strcmp(m->regions[i], region))
            return true;
    return false;
}

bool rl_model_is_primary(const rl_model *m, const char *region)
{
    return region && m->primary && !strcmp(region, m->primary);
}

const rl_export *rl_model_exports(const rl_model *m, const char *region, const char *name)
{
    char key[1024];
    int n = snprintf(key, sizeof(key), "%s\n%s", region, name);
    if (n < 0 || (size_t)n >= sizeof(key))
        return NULL;
    return rl_hmap_gets(&m->priv->exports, key);
}

bool rl_model_exported_anywhere(const rl_model *m, const char *name)
{
    return rl_hmap_gets(&m->priv->export_names, name) != NULL;
}
