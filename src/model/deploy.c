/* The deployment model (see deploy.h): CodePipeline pipelines (templates and get-pipeline
 * exports), stack sets (templates and operation exports), Terraform root modules, and the
 * describe-stacks / describe-stack-events snapshots. CI workflows are in deploy_ci.c. */
#include "deploy_build.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- flow building ------------------------------------------------------------------ */

void rl_fb_begin(rl_fbuild *fb, rl_dbuild *db, rl_flow_kind kind, const rl_input *in,
                 const char *name)
{
    memset(fb, 0, sizeof(*fb));
    fb->db = db;
    fb->a = db->a;
    fb->in = in;
    fb->file = in && in->doc ? rl_doc_path(in->doc) : (in ? in->path : "");
    fb->flow.kind = kind;
    fb->flow.input = in;
    fb->flow.name = name;
}

static bool grow(void **p, size_t *cap, size_t n, size_t elsz)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *np = realloc(*p, ncap * elsz);
    if (!np)
        return false;
    *p = np;
    *cap = ncap;
    return true;
}

size_t rl_fb_group(rl_fbuild *fb, const rl_dgroup *g)
{
    if (fb->rc)
        return RL_FB_NONE;
    if (!grow((void **)&fb->groups, &fb->capgroups, fb->ngroups, sizeof(*g))) {
        fb->rc = RL_ENOMEM;
        return RL_FB_NONE;
    }
    fb->groups[fb->ngroups] = *g;
    return fb->ngroups++;
}

size_t rl_fb_node(rl_fbuild *fb, const rl_dnode *n, const size_t *preds, size_t npreds)
{
    if (fb->rc || fb->nnodes >= RL_FB_MAX_NODES)
        return RL_FB_NONE;
    if (!grow((void **)&fb->nodes, &fb->capnodes, fb->nnodes, sizeof(*n))) {
        fb->rc = RL_ENOMEM;
        return RL_FB_NONE;
    }
    size_t *p = NULL, np = 0;
    if (npreds) {
        p = rl_arena_alloc(fb->a, npreds * sizeof(*p));
        if (!p) {
            fb->rc = RL_ENOMEM;
            return RL_FB_NONE;
        }
        for (size_t i = 0; i < npreds; i++) {
            bool dup = false;
            if (preds[i] == RL_FB_NONE || preds[i] >= fb->nnodes)
                continue; /* a step that was dropped (over the limit) orders nothing */
            for (size_t j = 0; j < np && !dup; j++)
                dup = p[j] == preds[i];
            if (!dup)
                p[np++] = preds[i];
        }
    }
    rl_dnode *d = &fb->nodes[fb->nnodes];
    *d = *n;
    d->preds = p;
    d->npreds = np;
    if (!d->name)
        d->name = "";
    return fb->nnodes++;
}

int rl_fb_end(rl_fbuild *fb)
{
    rl_dbuild *db = fb->db;
    bool deploys = false;
    for (size_t i = 0; i < fb->nnodes && !deploys; i++)
        deploys = fb->nodes[i].region != NULL;
    if (fb->rc == RL_OK && deploys) {
        rl_flow *f = &fb->flow;
        f->nodes = rl_arena_alloc(fb->a, (fb->nnodes ? fb->nnodes : 1) * sizeof(*f->nodes));
        f->groups = rl_arena_alloc(fb->a, (fb->ngroups ? fb->ngroups : 1) * sizeof(*f->groups));
        if (!f->nodes || !f->groups ||
            !grow((void **)&db->flows, &db->capflows, db->nflows, sizeof(*f))) {
            fb->rc = RL_ENOMEM;
        } else {
            memcpy(f->nodes, fb->nodes, fb->nnodes * sizeof(*f->nodes));
            memcpy(f->groups, fb->groups, fb->ngroups * sizeof(*f->groups));
            f->nnodes = fb->nnodes;
            f->ngroups = fb->ngroups;
            db->flows[db->nflows++] = *f;
        }
    }
    free(fb->nodes);
    free(fb->groups);
    fb->nodes = NULL;
    fb->groups = NULL;
    return fb->rc;
}

rl_dloc rl_fb_loc(const rl_fbuild *fb, const rl_node *n, const char *path)
{
    rl_dloc l;
    memset(&l, 0, sizeof(l));
    l.file = fb->file;
    if (n)
        l.span = n->span;
    l.path = path ? rl_arena_strdup(fb->a, path) : "";
    if (!l.path)
        l.path = "";
    return l;
}

rl_dloc rl_fb_subloc(const rl_fbuild *fb, const rl_node *scalar, size_t off, size_t len,
                     const char *path)
{
    rl_dloc l = rl_fb_loc(fb, scalar, path);
    if (scalar && fb->in && fb->in->doc)
        rl_doc_subspan(fb->in->doc, scalar, off, len, &l.span);
    return l;
}

const char *rl_fb_printf(rl_fbuild *fb, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    const char *s = rl_arena_strdup(fb->a, buf);
    if (!s)
        fb->rc = RL_ENOMEM;
    return s ? s : "";
}

/* ---- small helpers shared with deploy_ci.c ------------------------------------------- */

const char *rl_db_region(rl_dbuild *db, const char *s, size_t len)
{
    char buf[64];
    if (!s || !len || len >= sizeof(buf) || !rl_is_region(s, len))
        return NULL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return rl_model_intern(db->m, buf);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of a UUID (8-4-4-4-12 hex digits) at s, or 0. */
static size_t uuid_at(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    size_t i = 0;
    for (int g = 0; g < 5; g++) {
        for (int k = 0; k < groups[g]; k++, i++)
            if (!is_hex(s[i]))
                return 0;
        if (g < 4 && s[i++] != '-')
            return 0;
    }
    return i;
}

const char *rl_db_target(rl_dbuild *db, const char *name)
{
    if (!name)
        return NULL;
    char buf[512];
    size_t o = 0, n = strlen(name);
    for (size_t i = 0; i < n && o + 1 < sizeof(buf);) {
        size_t rl = 0;
        for (size_t l = 20; l >= 9 && !rl; l--)
            if (i + l <= n && rl_is_region(name + i, l) &&
                (i + l == n || !isalnum((unsigned char)name[i + l])))
                rl = l;
        if (rl) {
            i += rl;
            continue;
        }
        /* stack-set instances are named StackSet-<set>-<uuid>: one per region */
        size_t ul = n - i >= 36 ? uuid_at(name + i) : 0;
        if (ul && i + ul == n) {
            i += ul;
            continue;
        }
        buf[o++] = (char)tolower((unsigned char)name[i++]);
    }
    /* separators left around the removed parts do not make two names differ */
    size_t w = 0;
    for (size_t i = 0; i < o; i++) {
        bool sep = buf[i] == '-' || buf[i] == '_' || buf[i] == '.' || buf[i] == '/';
        if (sep && (w == 0 || buf[w - 1] == '-'))
            continue;
        buf[w++] = sep ? '-' : buf[i];
    }
    while (w && buf[w - 1] == '-')
        w--;
    buf[w] = '\0';
    return rl_model_intern(db->m, buf);
}

static bool has_word(const char *s, const char *const *words, size_t n)
{
    if (!s)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(words[i]);
        for (const char *p = s; *p; p++)
            if (!strncasecmp(p, words[i], wl))
                return true;
    }
    return false;
}

bool rl_db_bake_name(const char *s)
{
    static const char *const words[] = {"wait", "bake", "soak", "sleep", "monitor", "alarm"};
    return has_word(s, words, sizeof(words) / sizeof(*words));
}

bool rl_db_deploy_name(const char *s)
{
    static const char *const words[] = {"deploy", "release", "rollout", "roll-out", "promote"};
    return has_word(s, words, sizeof(words) / sizeof(*words));
}

/* ---- CodePipeline ------------------------------------------------------------------- */

typedef struct cp {
    rl_fbuild fb;
    const rl_stack *st; /* the template instance, or NULL for a get-pipeline export */
    bool api;           /* get-pipeline: camelCase keys */
    const char *home;
    size_t nactions;
} cp;

/* Key `pascal` of a pipeline object, in the casing of the input (configuration keys
 * themselves are PascalCase in both forms). */
static const rl_node *cget(const cp *c, const rl_node *n, const char *pascal)
{
    if (!c->api)
        return rl_node_get(n, pascal);
    char key[64];
    snprintf(key, sizeof(key), "%s", pascal);
    key[0] = (char)tolower((unsigned char)key[0]);
    return rl_node_get(n, key);
}

static const char *cstr(const cp *c, const rl_node *n)
{
    if (!n)
        return NULL;
    return c->st ? rl_eval_string(c->st, n) : rl_node_str(n);
}

static long run_order(const cp *c, const rl_node *action)
{
    const char *s = cstr(c, cget(c, action, "RunOrder"));
    if (!s)
        return 1; /* the default */
    char *end;
    long v = strtol(s, &end, 10);
    return *end || v < 1 ? 1 : v;
}

/* Gates of a stage condition (BeforeEntry, OnSuccess) chained after `prev`. */
static size_t cp_conditions(cp *c, const rl_node *stage, const char *key, const char *spath,
                            size_t prev, size_t group)
{
    const rl_node *conds = cget(c, cget(c, stage, key), "Conditions");
    for (size_t i = 0; i < rl_node_count(conds) && rl_node_is_seq(conds); i++) {
        const rl_node *rules = cget(c, rl_node_at(conds, i), "Rules");
        for (size_t j = 0; j < rl_node_count(rules) && rl_node_is_seq(rules); j++) {
            const rl_node *r = rl_node_at(rules, j);
            const char *prov = cstr(c, cget(c, cget(c, r, "RuleTypeId"), "Provider"));
            if (!prov || strcmp(prov, "CloudWatchAlarm"))
                continue; /* VariableCheck, Commits, DeploymentWindow, LambdaInvoke: no bake */
            const char *name = cstr(c, cget(c, r, "Name"));
            const char *wait = cstr(c, rl_node_get(cget(c, r, "Configuration"), "WaitTime"));
            long minutes = wait ? strtol(wait, NULL, 10) : 0;
            rl_dnode n;
            memset(&n, 0, sizeof(n));
            n.gate = RL_GATE_ALARM;
            n.seconds = minutes > 0 ? minutes * 60 : 0;
            n.gate_what = rl_fb_printf(&c->fb, "CloudWatchAlarm rule '%s' (%s)", name ? name : "?",
                                       wait ? "WaitTime" : "no WaitTime: checked once");
            n.name = rl_fb_printf(&c->fb, "rule '%s'", name ? name : "?");
            char k[32];
            snprintf(k, sizeof(k), "%s", key);
            if (c->api)
                k[0] = (char)tolower((unsigned char)k[0]);
            const char *rp = rl_fb_printf(&c->fb, "%s.%s.%s[%zu].%s[%zu]", spath, k,
                                          c->api ? "conditions" : "Conditions", i,
                                          c->api ? "rules" : "Rules", j);
            n.loc = rl_fb_loc(&c->fb, cget(c, r, "Name") ? cget(c, r, "Name") : r, rp);
            n.group = group;
            size_t id = rl_fb_node(&c->fb, &n, &prev, prev == RL_FB_NONE ? 0 : 1);
            if (id != RL_FB_NONE)
                prev = id;
        }
    }
    return prev;
}

typedef struct cp_cmd {
    cp *c;
    const rl_node *scalar;
    const char *path;
    const char *action;
    const char *region; /* the action's region */
    const char *via;
    size_t group;
    size_t prev;
} cp_cmd;

static const char *cp_lookup(void *ctx, bool expression, const char *name)
{
    (void)ctx;
    (void)expression;
    (void)name;
    return NULL; /* pipeline variables (#{...}) are known only at run time */
}

static int cp_on_cmd(void *ctx, const rl_sh_event *ev)
{
    cp_cmd *cc = ctx;
    rl_dnode n;
    memset(&n, 0, sizeof(n));
    if (ev->kind == RL_SH_SETVAR)
        return 0;
    n.group = cc->group;
    n.loc = rl_fb_subloc(&cc->c->fb, cc->scalar, ev->off, ev->len, cc->path);
    n.name = rl_fb_printf(&cc->c->fb, "%s (`%s`)", cc->action, ev->text);
    if (ev->kind == RL_SH_DEPLOY) {
        n.region = ev->region ? ev->region : cc->region;
        n.region_via = ev->region ? ev->via : cc->via;
        n.target = rl_db_target(cc->c->fb.db, ev->target);
    } else {
        n.gate = ev->seconds < 0 ? RL_GATE_UNKNOWN : RL_GATE_WAIT;
        n.seconds = ev->seconds;
        n.gate_what = rl_fb_printf(&cc->c->fb, "`%s`", ev->text);
    }
    size_t id = rl_fb_node(&cc->c->fb, &n, &cc->prev, cc->prev == RL_FB_NONE ? 0 : 1);
    if (id != RL_FB_NONE)
        cc->prev = id;
    return 0;
}

static bool deploy_mode(const char *provider, const char *mode)
{
    if (!provider || strcmp(provider, "CloudFormation"))
        return true;
    /* creating a change set changes nothing; executing it does */
    return !mode || !strcmp(mode, "CREATE_UPDATE") || !strcmp(mode, "REPLACE_ON_FAILURE") ||
           !strcmp(mode, "CHANGE_SET_EXECUTE") || !strcmp(mode, "DELETE_ONLY");
}

static const char *cp_target(cp *c, const char *provider, const rl_node *cfg)
{
    static const struct {
        const char *provider, *a, *b;
    } keys[] = {{"CloudFormation", "StackName", NULL},
                {"CodeDeploy", "ApplicationName", "DeploymentGroupName"},
                {"CodeDeployToECS", "ApplicationName", "DeploymentGroupName"},
                {"ECS", "ClusterName", "ServiceName"},
                {"ElasticBeanstalk", "ApplicationName", "EnvironmentName"},
                {"S3", "BucketName", NULL},
                {"AppConfig", "Application", "Environment"},
                {"ServiceCatalog", "ProductId", NULL}};
    for (size_t i = 0; provider && i < sizeof(keys) / sizeof(*keys); i++) {
        if (strcmp(provider, keys[i].provider))
            continue;
        const char *a = cstr(c, rl_node_get(cfg, keys[i].a));
        const char *b = keys[i].b ? cstr(c, rl_node_get(cfg, keys[i].b)) : NULL;
        if (!a)
            return NULL;
        return rl_db_target(c->fb.db, b ? rl_fb_printf(&c->fb, "%s/%s", a, b) : a);
    }
    return NULL;
}

/* One action; returns the index of its last step (or prev when it adds none). */
static size_t cp_action(cp *c, const rl_node *a, const char *apath, size_t prev, size_t group,
                        const char *stage)
{
    const rl_node *type = cget(c, a, "ActionTypeId");
    const char *cat = cstr(c, cget(c, type, "Category"));
    const char *prov = cstr(c, cget(c, type, "Provider"));
    const rl_node *name_node = cget(c, a, "Name");
    const char *name = cstr(c, name_node);
    const rl_node *rnode = cget(c, a, "Region");
    const rl_node *cfg = cget(c, a, "Configuration");
    const char *rs = cstr(c, rnode);
    const char *region = rs ? rl_db_region(c->fb.db, rs, strlen(rs)) : c->home;
    const char *via = rs ? "Region" : "the pipeline's home region";
    if (!name)
        name = "?";
    c->nactions++;
    rl_dnode n;
    memset(&n, 0, sizeof(n));
    n.group = group;
    n.name = rl_fb_printf(&c->fb, "action '%s' of stage '%s'", name, stage);
    n.label = name;
    const char *rpath = rl_fb_printf(&c->fb, "%s.%s", apath, c->api ? "region" : "Region");
    const char *npath = rl_fb_printf(&c->fb, "%s.%s", apath, c->api ? "name" : "Name");
    n.loc = rnode ? rl_fb_loc(&c->fb, rnode, rpath) : rl_fb_loc(&c->fb, name_node, npath);

    const rl_node *cmds = cget(c, a, "Commands");
    if (rl_node_is_seq(cmds) && rl_node_count(cmds)) {
        /* a Commands action runs shell commands: it may deploy, sleep, or both */
        cp_cmd cc;
        memset(&cc, 0, sizeof(cc));
        cc.c = c;
        cc.action = n.name;
        cc.region = region;
        cc.via = via;
        cc.group = group;
        cc.prev = prev;
        for (size_t i = 0; i < rl_node_count(cmds); i++) {
            const rl_node *cmd = rl_node_at(cmds, i);
            const char *text = cstr(c, cmd);
            if (!text)
                continue;
            cc.scalar = cmd;
            cc.path =
                rl_fb_printf(&c->fb, "%s.%s[%zu]", apath, c->api ? "commands" : "Commands", i);
            int rc = rl_sh_scan(c->fb.db, text, strlen(text), cp_lookup, NULL, cp_on_cmd, &cc);
            if (rc < 0)
                c->fb.rc = rc;
        }
        return cc.prev;
    }
    if (cat && !strcmp(cat, "Approval")) {
        n.gate = RL_GATE_APPROVAL;
        n.gate_what = rl_fb_printf(&c->fb, "manual approval '%s'", name);
    } else if (cat && !strcmp(cat, "Deploy") && region &&
               strcmp(prov ? prov : "", "CloudFormationStackSet") &&
               strcmp(prov ? prov : "", "CloudFormationStackInstances") &&
               deploy_mode(prov, cstr(c, rl_node_get(cfg, "ActionMode")))) {
        n.region = region;
        n.region_via = via;
        n.target = cp_target(c, prov, cfg);
    } else if (cat && !strcmp(cat, "Invoke") && rl_db_bake_name(name)) {
        n.gate = RL_GATE_UNKNOWN;
        n.seconds = -1;
        n.gate_what = rl_fb_printf(&c->fb, "invoke action '%s'", name);
    }
    size_t id = rl_fb_node(&c->fb, &n, &prev, prev == RL_FB_NONE ? 0 : 1);
    return id == RL_FB_NONE ? prev : id;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Stages run one after another; inside a stage, actions with the same run order run in
 * parallel and each run order waits for the one before. */
static int cp_build(cp *c, const rl_node *p, const char *ppath)
{
    const rl_node *stages = cget(c, p, "Stages");
    size_t prev = RL_FB_NONE;
    for (size_t i = 0; i < rl_node_count(stages) && rl_node_is_seq(stages); i++) {
        const rl_node *s = rl_node_at(stages, i);
        const rl_node *sname_node = cget(c, s, "Name");
        const char *sname = cstr(c, sname_node);
        const char *spath =
            rl_fb_printf(&c->fb, "%s.%s[%zu]", ppath, c->api ? "stages" : "Stages", i);
        const rl_node *actions = cget(c, s, "Actions");
        size_t na = rl_node_is_seq(actions) ? rl_node_count(actions) : 0;
        rl_dgroup g;
        memset(&g, 0, sizeof(g));
        g.name = sname ? sname : "?";
        g.anchor = rl_fb_loc(&c->fb, sname_node ? sname_node : s,
                             rl_fb_printf(&c->fb, "%s.%s", spath, c->api ? "name" : "Name"));
        size_t entry_group = rl_fb_group(&c->fb, &g);
        prev = cp_conditions(c, s, "BeforeEntry", spath, prev, entry_group);
        long *orders = calloc(na ? na : 1, sizeof(*orders));
        size_t *ends = calloc(na ? na : 1, sizeof(*ends));
        if (!orders || !ends) {
            free(orders);
            free(ends);
            return c->fb.rc = RL_ENOMEM;
        }
        for (size_t j = 0; j < na; j++)
            orders[j] = run_order(c, rl_node_at(actions, j));
        qsort(orders, na, sizeof(*orders), cmp_long);
        for (size_t k = 0; k < na; k++) {
            if (k && orders[k] == orders[k - 1])
                continue;
            g.run_order = orders[k];
            size_t gid = rl_fb_group(&c->fb, &g);
            size_t nends = 0;
            for (size_t j = 0; j < na; j++) {
                const rl_node *a = rl_node_at(actions, j);
                if (run_order(c, a) != orders[k])
                    continue;
                const char *apath =
                    rl_fb_printf(&c->fb, "%s.%s[%zu]", spath, c->api ? "actions" : "Actions", j);
                size_t last = cp_action(c, a, apath, prev, gid, g.name);
                if (last != prev && last != RL_FB_NONE)
                    ends[nends++] = last;
            }
            rl_dnode barrier;
            memset(&barrier, 0, sizeof(barrier));
            barrier.group = gid;
            barrier.name = rl_fb_printf(&c->fb, "stage '%s' run order %ld", g.name, orders[k]);
            barrier.loc = g.anchor;
            size_t b = nends ? rl_fb_node(&c->fb, &barrier, ends, nends) : prev;
            if (b != RL_FB_NONE)
                prev = b;
        }
        free(orders);
        free(ends);
        prev = cp_conditions(c, s, "OnSuccess", spath, prev, entry_group);
    }
    return c->fb.rc;
}

static bool primary_instance(const rl_model *m, const rl_stack *st)
{
    /* a pipeline or stack set template shared by every region is deployed once, from its
     * home region: read the primary's instance only, so each is reported once */
    return !st->shared || rl_model_is_primary(m, st->region);
}

static int add_cfn_pipelines(rl_dbuild *db, const rl_stack *st)
{
    for (size_t i = 0; i < st->nresources; i++) {
        const rl_resource *r = &st->resources[i];
        if (!r->type || strcmp(r->type, "AWS::CodePipeline::Pipeline") || r->deployed == 0)
            continue;
        cp c;
        memset(&c, 0, sizeof(c));
        const char *name = rl_eval_string(st, rl_node_get(r->props, "Name"));
        rl_fb_begin(&c.fb, db, RL_FLOW_CODEPIPELINE, st->input, name ? name : r->id);
        c.st = st;
        c.home = st->region;
        c.fb.flow.home_region = st->region;
        char path[512];
        snprintf(path, sizeof(path), "%s.Properties", r->path);
        cp_build(&c, r->props, path);
        int rc = rl_fb_end(&c.fb);
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

static int add_api_pipeline(rl_dbuild *db, const rl_input *in)
{
    const rl_node *p = rl_node_get(rl_input_root(in), "pipeline");
    cp c;
    memset(&c, 0, sizeof(c));
    const char *name = rl_node_str(rl_node_get(p, "name"));
    rl_fb_begin(&c.fb, db, RL_FLOW_CODEPIPELINE, in, name ? name : in->path);
    c.api = true;
    c.home = in->region ? rl_model_intern(db->m, in->region) : NULL;
    c.fb.flow.home_region = c.home;
    bool placebo = in->subkind && !strncmp(in->subkind, "placebo:", 8);
    cp_build(&c, p, placebo ? "data.pipeline" : "pipeline");
    return rl_fb_end(&c.fb);
}

/* ---- stack sets ---------------------------------------------------------------------- */

typedef struct ss_region {
    const char *region;
    rl_dloc loc;
} ss_region;

#define SS_MAX 64

typedef struct ss_list {
    ss_region v[SS_MAX];
    size_t n;
} ss_list;

static bool ss_has(const ss_list *l, const char *region)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].region == region)
            return true;
    return false;
}

/* Regions of a list value: a sequence, a list parameter, or a comma-separated string. */
static void ss_collect(rl_fbuild *fb, const rl_stack *st, const rl_node *n, const char *path,
                       ss_list *out)
{
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++) {
            const rl_node *it = n->u.seq.items[i];
            ss_collect(fb, st, it, rl_fb_printf(fb, "%s[%zu]", path, i), out);
        }
        return;
    }
    const char *s = st ? rl_eval_string(st, n) : rl_node_str(n);
    for (const char *p = s; p && *p && out->n < SS_MAX;) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t len = strcspn(p, ", ");
        const char *r = rl_db_region(fb->db, p, len);
        if (r && !ss_has(out, r)) {
            out->v[out->n].region = r;
            out->v[out->n].loc = rl_fb_loc(fb, n, path);
            out->n++;
        }
        p += len;
    }
}

/* One flow for a stack set operation over `regions`: PARALLEL runs them together,
 * SEQUENTIAL one after the other in RegionOrder (or an order StackSets picks). */
static int ss_flow(rl_dbuild *db, const rl_input *in, const rl_stack *st, const char *name,
                   const rl_node *prefs, const char *ppath, const ss_list *listed,
                   const rl_dloc *fallback)
{
    rl_fbuild fb;
    rl_fb_begin(&fb, db, RL_FLOW_STACKSET, in, name);
    const rl_node *ct = rl_node_get(prefs, "RegionConcurrencyType");
    const char *ctype = ct ? (st ? rl_eval_string(st, ct) : rl_node_str(ct)) : NULL;
    bool parallel = ctype && !strcmp(ctype, "PARALLEL");
    fb.flow.concurrency = parallel ? "PARALLEL" : "SEQUENTIAL";
    ss_list order;
    memset(&order, 0, sizeof(order));
    const rl_node *ro = rl_node_get(prefs, "RegionOrder");
    if (ro)
        ss_collect(&fb, st, ro, rl_fb_printf(&fb, "%s.RegionOrder", ppath), &order);
    fb.flow.order_unknown = !parallel && order.n == 0;
    /* the regions of the operation: RegionOrder first, then the others as listed */
    for (size_t i = 0; i < listed->n && order.n < SS_MAX; i++)
        if (!ss_has(&order, listed->v[i].region))
            order.v[order.n++] = listed->v[i];
    rl_dgroup g;
    memset(&g, 0, sizeof(g));
    g.name = name;
    if (ct)
        g.anchor = rl_fb_loc(&fb, ct, rl_fb_printf(&fb, "%s.RegionConcurrencyType", ppath));
    else if (prefs)
        g.anchor = rl_fb_loc(&fb, prefs, ppath);
    else
        g.anchor = *fallback;
    size_t gid = rl_fb_group(&fb, &g);
    size_t prev = RL_FB_NONE;
    for (size_t i = 0; i < order.n; i++) {
        rl_dnode n;
        memset(&n, 0, sizeof(n));
        n.region = order.v[i].region;
        n.region_via = "the stack set's regions";
        n.name = rl_fb_printf(&fb, "the stack instances in %s", n.region);
        n.loc = order.v[i].loc;
        n.group = gid;
        size_t id = rl_fb_node(&fb, &n, &prev, parallel || prev == RL_FB_NONE ? 0 : 1);
        if (id != RL_FB_NONE)
            prev = id;
    }
    return rl_fb_end(&fb);
}

static int add_cfn_stacksets(rl_dbuild *db, const rl_stack *st)
{
    for (size_t i = 0; i < st->nresources; i++) {
        const rl_resource *r = &st->resources[i];
        if (!r->type || strcmp(r->type, "AWS::CloudFormation::StackSet") || r->deployed == 0)
            continue;
        rl_fbuild tmp; /* for locations and strings only */
        rl_fb_begin(&tmp, db, RL_FLOW_STACKSET, st->input, NULL);
        ss_list listed;
        memset(&listed, 0, sizeof(listed));
        const rl_node *groups = rl_node_get(r->props, "StackInstancesGroup");
        for (size_t j = 0; j < rl_node_count(groups) && rl_node_is_seq(groups); j++)
            ss_collect(
                &tmp, st, rl_node_get(rl_node_at(groups, j), "Regions"),
                rl_fb_printf(&tmp, "%s.Properties.StackInstancesGroup[%zu].Regions", r->path, j),
                &listed);
        const char *name = rl_eval_string(st, rl_node_get(r->props, "StackSetName"));
        rl_dloc fallback =
            rl_fb_loc(&tmp, rl_node_get(r->node, "Type"), rl_fb_printf(&tmp, "%s.Type", r->path));
        int rc = tmp.rc;
        if (rc == RL_OK && listed.n > 1)
            rc = ss_flow(db, st->input, st,
                         rl_fb_printf(&tmp, "stack set '%s'", name ? name : r->id),
                         rl_node_get(r->props, "OperationPreferences"),
                         rl_fb_printf(&tmp, "%s.Properties.OperationPreferences", r->path), &listed,
                         &fallback);
        rl_fb_end(&tmp);
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

/* ---- snapshots ----------------------------------------------------------------------- */

static int add_snap(rl_dbuild *db, const rl_snap *s)
{
    if (!grow((void **)&db->snaps, &db->capsnaps, db->nsnaps, sizeof(*s)))
        return RL_ENOMEM;
    db->snaps[db->nsnaps++] = *s;
    return RL_OK;
}

/* A timestamp value: an ISO-8601 string in any of the exports' forms, or epoch seconds
 * (some SDK dumps write numbers). */
static bool node_time(const rl_node *n, rl_time *out)
{
    const char *s = rl_node_str(n);
    if (!s)
        return false;
    if (n->type == RL_SCALAR_INT || n->type == RL_SCALAR_FLOAT) {
        double v;
        if (!rl_node_number(n, &v) || v < 0 || v > 1e11)
            return false;
        *out = (rl_time)(v * (double)RL_TIME_PER_SEC);
        return true;
    }
    return rl_time_parse(s, strlen(s), out);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* A stack status that means a deploy is running (a change set waiting for review is not). */
static bool status_in_progress(const char *s)
{
    return ends_with(s, "_IN_PROGRESS") && strcmp(s, "REVIEW_IN_PROGRESS") != 0;
}

static const char *payload_prefix(const rl_input *in)
{
    return in->subkind && !strncmp(in->subkind, "placebo:", 8) ? "data." : "";
}

static int add_stacks_snapshot(rl_dbuild *db, const rl_input *in)
{
    const rl_node *stacks = rl_node_get(rl_input_root(in), "Stacks");
    rl_fbuild fb; /* locations and strings */
    rl_fb_begin(&fb, db, RL_FLOW_CODEPIPELINE, in, NULL);
    const char *pre = payload_prefix(in);
    for (size_t i = 0; i < rl_node_count(stacks) && rl_node_is_seq(stacks) && !fb.rc; i++) {
        const rl_node *s = rl_node_at(stacks, i);
        const char *name = rl_node_str(rl_node_get(s, "StackName"));
        /* nested stacks change with their root; comparing roots is enough */
        if (!name || rl_node_get(s, "ParentId"))
            continue;
        char region[64];
        const char *id = rl_node_str(rl_node_get(s, "StackId"));
        const char *r = id && rl_arn_region(id, region, sizeof(region)) ? region : in->region;
        rl_snap sn;
        memset(&sn, 0, sizeof(sn));
        sn.kind = RL_SNAP_STACK;
        sn.input = in;
        sn.region = r ? rl_db_region(db, r, strlen(r)) : NULL;
        if (!sn.region)
            continue;
        sn.name = name;
        sn.key = rl_db_target(db, name);
        const rl_node *st = rl_node_get(s, "StackStatus");
        sn.status = rl_node_str(st);
        sn.in_progress = status_in_progress(sn.status);
        sn.status_loc = rl_fb_loc(&fb, st, rl_fb_printf(&fb, "%sStacks[%zu].StackStatus", pre, i));
        const rl_node *t = rl_node_get(s, "LastUpdatedTime");
        sn.time_field = "LastUpdatedTime";
        if (!t || !node_time(t, &sn.time)) {
            t = rl_node_get(s, "CreationTime");
            sn.time_field = "CreationTime";
        }
        sn.has_time = t && node_time(t, &sn.time);
        sn.time_loc =
            rl_fb_loc(&fb, t, rl_fb_printf(&fb, "%sStacks[%zu].%s", pre, i, sn.time_field));
        if (!sn.key || add_snap(db, &sn) < 0)
            fb.rc = RL_ENOMEM;
    }
    int rc = fb.rc;
    rl_fb_end(&fb);
    return rc;
}

typedef struct ev_op {
    const char *stack_id;
    const char *op;
    size_t first_idx;
    bool has_start, has_end, open;
    rl_time start, end;
    const rl_node *start_node, *status_node;
    size_t start_i, status_i;
    const char *status;
    rl_time last;
} ev_op;

typedef struct ev_key {
    rl_time t;
    size_t rev; /* n - index: later in the export = older */
} ev_key;

static int cmp_ev_key(const void *a, const void *b)
{
    const ev_key *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->rev > y->rev) - (x->rev < y->rev);
}

static bool terminal_status(const char *s)
{
    return s && !ends_with(s, "_IN_PROGRESS") &&
           (ends_with(s, "_COMPLETE") || ends_with(s, "_FAILED"));
}

/* Stack operations from describe-stack-events: the stack's own events (ResourceType
 * AWS::CloudFormation::Stack, LogicalResourceId = StackName), grouped by OperationId when
 * the export has it, else split where a new *_IN_PROGRESS follows a finished operation. */
static int add_events_snapshot(rl_dbuild *db, const rl_input *in)
{
    const rl_node *evs = rl_node_get(rl_input_root(in), "StackEvents");
    size_t n = rl_node_is_seq(evs) ? rl_node_count(evs) : 0;
    if (!n)
        return RL_OK;
    size_t *order = malloc(n * sizeof(*order));
    rl_time *times = malloc(n * sizeof(*times));
    ev_op *ops = calloc(n, sizeof(*ops));
    size_t nops = 0, norder = 0;
    rl_hmap by_op = RL_HMAP_INIT; /* "StackId\nOperationId" or StackId -> op index + 1 */
    int rc = RL_OK;
    if (!order || !times || !ops) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        const rl_node *e = rl_node_at(evs, i);
        if (!rl_node_streq(rl_node_get(e, "ResourceType"), "AWS::CloudFormation::Stack") ||
            !rl_node_get(e, "StackName") || !rl_node_str(rl_node_get(e, "LogicalResourceId")) ||
            strcmp(rl_node_str(rl_node_get(e, "LogicalResourceId")),
                   rl_node_str(rl_node_get(e, "StackName"))) ||
            !node_time(rl_node_get(e, "Timestamp"), &times[i]))
            continue;
        order[norder++] = i;
    }
    /* oldest first (exports list the newest first); equal times keep the export's order
     * reversed, which is oldest first too */
    ev_key *keys = malloc((norder ? norder : 1) * sizeof(*keys));
    if (!keys) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < norder; i++)
        keys[i] = (ev_key){times[order[i]], n - order[i]};
    qsort(keys, norder, sizeof(*keys), cmp_ev_key);
    for (size_t i = 0; i < norder; i++)
        order[i] = n - keys[i].rev;
    free(keys);
    for (size_t k = 0; k < norder; k++) {
        size_t i = order[k];
        const rl_node *e = rl_node_at(evs, i);
        const char *sid = rl_node_str(rl_node_get(e, "StackId"));
        const char *opid = rl_node_str(rl_node_get(e, "OperationId"));
        const char *status = rl_node_str(rl_node_get(e, "ResourceStatus"));
        /* the operation: by OperationId, else the stack's latest one while it is open */
        const char *key =
            opid ? rl_arena_printf(db->a, "%s\n%s", sid ? sid : "", opid) : (sid ? sid : "");
        if (!key) {
            rc = RL_ENOMEM;
            goto cleanup;
        }
        size_t found = (size_t)(uintptr_t)rl_hmap_gets(&by_op, key);
        ev_op *o = found && (opid || ops[found - 1].open) ? &ops[found - 1] : NULL;
        if (!o) {
            if (!status_in_progress(status))
                continue; /* an operation whose start is outside the export */
            if (rl_hmap_puts(&by_op, key, (void *)(uintptr_t)(nops + 1)) < 0) {
                rc = RL_ENOMEM;
                goto cleanup;
            }
            o = &ops[nops++];
            o->stack_id = sid;
            o->op = opid;
            o->first_idx = i;
            o->open = true;
            o->has_start = true;
            o->start = times[i];
            o->start_node = rl_node_get(e, "Timestamp");
            o->start_i = i;
        }
        o->status = status;
        o->status_node = rl_node_get(e, "ResourceStatus");
        o->status_i = i;
        o->last = times[i];
        if (terminal_status(status) &&
            !(ends_with(status, "_FAILED") && strncmp(status, "ROLLBACK", 8) &&
              strncmp(status, "UPDATE_ROLLBACK", 15) && strncmp(status, "DELETE", 6))) {
            /* CREATE_FAILED / UPDATE_FAILED are followed by a rollback of the same
             * operation; the rollback's end is the operation's end */
            o->has_end = true;
            o->end = times[i];
            o->open = false;
        }
    }
    rl_fbuild fb;
    rl_fb_begin(&fb, db, RL_FLOW_CODEPIPELINE, in, NULL);
    const char *pre = payload_prefix(in);
    for (size_t j = 0; j < nops && !fb.rc; j++) {
        const ev_op *o = &ops[j];
        const rl_node *e = rl_node_at(evs, o->first_idx);
        char region[64];
        const char *r =
            o->stack_id && rl_arn_region(o->stack_id, region, sizeof(region)) ? region : in->region;
        rl_snap sn;
        memset(&sn, 0, sizeof(sn));
        sn.kind = RL_SNAP_EVENTS;
        sn.input = in;
        sn.region = r ? rl_db_region(db, r, strlen(r)) : NULL;
        sn.name = rl_node_str(rl_node_get(e, "StackName"));
        if (!sn.region || !sn.name)
            continue;
        sn.key = rl_db_target(db, sn.name);
        sn.status = o->status;
        sn.in_progress = o->open;
        sn.has_time = true;
        sn.time = o->start;
        sn.has_end = o->has_end;
        sn.end = o->end;
        sn.time_field = "Timestamp";
        sn.operation = o->op;
        sn.time_loc = rl_fb_loc(&fb, o->start_node,
                                rl_fb_printf(&fb, "%sStackEvents[%zu].Timestamp", pre, o->start_i));
        sn.status_loc =
            rl_fb_loc(&fb, o->status_node,
                      rl_fb_printf(&fb, "%sStackEvents[%zu].ResourceStatus", pre, o->status_i));
        if (!sn.key || add_snap(db, &sn) < 0)
            fb.rc = RL_ENOMEM;
    }
    rc = fb.rc;
    rl_fb_end(&fb);

cleanup:
    rl_hmap_free(&by_op);
    free(order);
    free(times);
    free(ops);
    return rc;
}

/* describe-stack-set answers, by StackSetId, for the regions of operations that do not
 * list them. */
typedef struct ss_known {
    const char *id, *name;
    const rl_input *in;
    const rl_node *regions;
    const char *path;
} ss_known;

static const char *stackset_name_of_id(rl_dbuild *db, const char *id)
{
    /* StackSetId is "<name>:<uuid>" */
    const char *colon = id ? strchr(id, ':') : NULL;
    if (!colon)
        return id;
    char buf[256];
    size_t len = (size_t)(colon - id) < sizeof(buf) - 1 ? (size_t)(colon - id) : sizeof(buf) - 1;
    memcpy(buf, id, len);
    buf[len] = '\0';
    return rl_model_intern(db->m, buf);
}

static int add_stackset_op(rl_dbuild *db, const rl_input *in, const rl_node *op, const char *path,
                           const ss_known *known, size_t nknown, bool flow)
{
    const char *sid = rl_node_str(rl_node_get(op, "StackSetId"));
    const ss_known *k = NULL;
    for (size_t i = 0; sid && i < nknown && !k; i++)
        if (known[i].id && !strcmp(known[i].id, sid))
            k = &known[i];
    rl_fbuild tmp;
    rl_fb_begin(&tmp, db, RL_FLOW_STACKSET, in, NULL);
    const rl_node *prefs = rl_node_get(op, "OperationPreferences");
    ss_list regions;
    memset(&regions, 0, sizeof(regions));
    ss_collect(&tmp, NULL, rl_node_get(prefs, "RegionOrder"),
               rl_fb_printf(&tmp, "%s.OperationPreferences.RegionOrder", path), &regions);
    if (regions.n == 0 && k) {
        /* regions from the describe-stack-set export: the steps point at this operation */
        ss_list other;
        memset(&other, 0, sizeof(other));
        ss_collect(&tmp, NULL, k->regions, k->path, &other);
        for (size_t i = 0; i < other.n; i++) {
            regions.v[regions.n] = other.v[i];
            regions.v[regions.n].loc = rl_fb_loc(&tmp, op, path);
            regions.n++;
        }
    }
    const char *name = k && k->name ? k->name : stackset_name_of_id(db, sid);
    const char *opid = rl_node_str(rl_node_get(op, "OperationId"));
    int rc = tmp.rc;
    if (rc == RL_OK && regions.n > 1 && flow) {
        rl_dloc fb_loc = rl_fb_loc(&tmp, op, path);
        const char *desc = name ? rl_fb_printf(&tmp, "stack set '%s'", name)
                                : rl_fb_printf(&tmp, "stack set operation %s", opid ? opid : "?");
        rc = ss_flow(db, in, NULL, desc, prefs, rl_fb_printf(&tmp, "%s.OperationPreferences", path),
                     &regions, &fb_loc);
    }
    if (rc == RL_OK && regions.n > 0) {
        rl_snap sn;
        memset(&sn, 0, sizeof(sn));
        sn.kind = RL_SNAP_STACKSET_OP;
        sn.input = in;
        sn.name = name; /* NULL: list-stack-set-operations does not name its stack set */
        sn.key = rl_db_target(db, name ? name : "");
        sn.operation = opid;
        const rl_node *st = rl_node_get(op, "Status");
        sn.status = rl_node_str(st);
        sn.in_progress =
            sn.status && (!strcmp(sn.status, "RUNNING") || !strcmp(sn.status, "STOPPING"));
        sn.status_loc = rl_fb_loc(&tmp, st, rl_fb_printf(&tmp, "%s.Status", path));
        const rl_node *ct = rl_node_get(op, "CreationTimestamp");
        sn.time_field = "CreationTimestamp";
        sn.has_time = node_time(ct, &sn.time);
        sn.has_end = node_time(rl_node_get(op, "EndTimestamp"), &sn.end);
        sn.time_loc = rl_fb_loc(&tmp, ct, rl_fb_printf(&tmp, "%s.CreationTimestamp", path));
        sn.regions = rl_arena_calloc(db->a, regions.n, sizeof(*sn.regions));
        if (!sn.regions || !sn.key)
            rc = RL_ENOMEM;
        for (size_t i = 0; sn.regions && i < regions.n; i++)
            sn.regions[sn.nregions++] = regions.v[i].region;
        if (rc == RL_OK)
            rc = add_snap(db, &sn);
    }
    rl_fb_end(&tmp);
    return rc < 0 ? rc : tmp.rc;
}

static int add_stackset_exports(rl_dbuild *db)
{
    const rl_inputs *ins = db->m->inputs;
    size_t nin = rl_inputs_count(ins), nknown = 0;
    ss_known *known = calloc(nin ? nin : 1, sizeof(*known));
    int rc = RL_OK;
    if (!known)
        return RL_ENOMEM;
    for (size_t i = 0; i < nin; i++) {
        const rl_input *in = rl_inputs_at(ins, i);
        if (!in->doc || in->kind != RL_INPUT_STACKSET || !in->subkind ||
            !strstr(in->subkind, "describe-stack-set") || strstr(in->subkind, "operation"))
            continue;
        const rl_node *s = rl_node_get(rl_input_root(in), "StackSet");
        known[nknown].id = rl_node_str(rl_node_get(s, "StackSetId"));
        known[nknown].name = rl_node_str(rl_node_get(s, "StackSetName"));
        known[nknown].in = in;
        known[nknown].regions = rl_node_get(s, "Regions");
        known[nknown].path = rl_arena_printf(db->a, "%sStackSet.Regions", payload_prefix(in));
        if (!known[nknown].path) {
            rc = RL_ENOMEM;
            goto cleanup;
        }
        nknown++;
    }
    for (size_t i = 0; i < nin && rc == RL_OK; i++) {
        const rl_input *in = rl_inputs_at(ins, i);
        if (!in->doc || in->kind != RL_INPUT_STACKSET || !in->subkind)
            continue;
        const rl_node *root = rl_input_root(in);
        const char *pre = payload_prefix(in);
        const rl_node *op = rl_node_get(root, "StackSetOperation");
        if (op) {
            char path[64];
            snprintf(path, sizeof(path), "%sStackSetOperation", pre);
            rc = add_stackset_op(db, in, op, path, known, nknown, true);
            continue;
        }
        /* list-stack-set-operations: every operation is evidence (RL404); how the stack
         * set deploys is read from the latest one only */
        const rl_node *sums = rl_node_get(root, "Summaries");
        size_t latest = 0;
        rl_time lt = 0;
        bool any = false;
        for (size_t j = 0; j < rl_node_count(sums) && rl_node_is_seq(sums); j++) {
            rl_time t;
            if (node_time(rl_node_get(rl_node_at(sums, j), "CreationTimestamp"), &t) &&
                (!any || t > lt)) {
                latest = j;
                lt = t;
                any = true;
            }
        }
        for (size_t j = 0; j < rl_node_count(sums) && rl_node_is_seq(sums) && rc == RL_OK; j++) {
            char path[64];
            snprintf(path, sizeof(path), "%sSummaries[%zu]", pre, j);
            rc = add_stackset_op(db, in, rl_node_at(sums, j), path, known, nknown,
                                 any && j == latest);
        }
    }
cleanup:
    free(known);
    return rc;
}

/* ---- Terraform ----------------------------------------------------------------------- */

/* Resource types whose objects are global or must live in us-east-1 whatever the pair is:
 * a root module that manages them next to one region's resources does not deploy a second
 * region. */
static bool tf_not_regional(const rl_resource *r, const char *region)
{
    static const char *const global[] = {
        "aws_iam_",        "aws_route53_",       "aws_route53domains_",
        "aws_cloudfront_", "aws_organizations_", "aws_budgets_",
        "aws_ce_",         "aws_shield_",        "aws_globalaccelerator_",
        "aws_account_",    "aws_ecrpublic_",     "aws_s3control_multi_region"};
    const char *t = r->type ? r->type : "";
    for (size_t i = 0; i < sizeof(global) / sizeof(*global); i++)
        if (!strncmp(t, global[i], strlen(global[i])) &&
            strncmp(t, "aws_route53_resolver", 20) != 0)
            return true;
    if (region && !strcmp(region, "us-east-1")) {
        /* CloudFront's certificate and its global WAF web ACL */
        if (!strncmp(t, "aws_acm_certificate", 19))
            return true;
        const char *scope = rl_node_str(rl_node_get(r->props, "scope"));
        if (!strncmp(t, "aws_wafv2_", 10) && scope && !strcmp(scope, "CLOUDFRONT"))
            return true;
    }
    return false;
}

/* The regions of one apply, with what deploys there and where that is set. */
typedef struct apply_regions {
    rl_fbuild *fb;
    const char *regions[32], *labels[32];
    rl_dloc locs[32];
    size_t nr;
} apply_regions;

static bool apply_has(const apply_regions *a, const char *region)
{
    for (size_t k = 0; k < a->nr; k++)
        if (a->regions[k] == region)
            return true;
    return a->nr == 32;
}

/* A module call whose module is not among the files: the apply deploys it to the region
 * of the provider it is given. */
static void on_unread_call(void *ctx, const char *name, const char *region,
                           const rl_tf_where *where)
{
    apply_regions *a = ctx;
    if (apply_has(a, region))
        return;
    rl_fbuild loc = *a->fb;
    loc.in = where->in;
    loc.file = rl_doc_path(where->in->doc);
    a->regions[a->nr] = region;
    a->labels[a->nr] = rl_fb_printf(a->fb, "module.%s", name);
    a->locs[a->nr++] = rl_fb_loc(&loc, where->node, where->path);
}

/* One Terraform apply (a root module instance with its module calls, or a plan): the
 * regions its regional resources deploy to; one step per region, none ordered. The model
 * placed every resource (providers, aliases, module calls' providers). */
static int tf_apply_flow(rl_dbuild *db, const void *apply, size_t from)
{
    const rl_model *m = db->m;
    rl_fbuild fb;
    apply_regions ar = {&fb, {NULL}, {NULL}, {{0}}, 0};
    const char **regions = ar.regions, **labels = ar.labels;
    rl_dloc *locs = ar.locs;
    size_t nr = 0;
    const rl_input *in = rl_tf_apply_input(m->stacks[from]);
    char dir[512];
    const char *slash = strrchr(in->path, '/');
    if (in->kind == RL_INPUT_TF_CONFIG)
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - in->path) : 1,
                 slash ? in->path : ".");
    else
        snprintf(dir, sizeof(dir), "%s", in->path);
    rl_fb_begin(&fb, db, RL_FLOW_TERRAFORM, in, rl_model_intern(db->m, dir));
    for (size_t i = from; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        if (rl_tf_apply_of(st) != apply || !st->region)
            continue;
        for (size_t j = 0; j < st->nresources; j++) {
            const rl_resource *r = &st->resources[j];
            const char *region = st->region;
            ar.nr = nr;
            if (tf_not_regional(r, region) || apply_has(&ar, region))
                continue;
            regions[nr] = region;
            labels[nr] = r->id;
            /* point at what sends it there: the provider's region, else its own */
            rl_tf_where w;
            const rl_node *rn = rl_node_get(r->props, "region");
            rl_fbuild loc = fb;
            if (!rn && rl_tf_region_source(st, &w)) {
                loc.in = w.in;
                loc.file = rl_doc_path(w.in->doc);
                locs[nr] = rl_fb_loc(&loc, w.node, w.path);
            } else {
                loc.in = st->input;
                loc.file = rl_doc_path(st->input->doc);
                locs[nr] = rn ? rl_fb_loc(&loc, rn, rl_fb_printf(&fb, "%s.region", r->path))
                              : rl_fb_loc(&loc, r->props ? r->props : r->node, r->path);
            }
            nr++;
        }
    }
    ar.nr = nr;
    rl_tf_apply_unread_calls(m->stacks[from], on_unread_call, &ar);
    nr = ar.nr;
    rl_dgroup g;
    memset(&g, 0, sizeof(g));
    g.name = fb.flow.name;
    size_t gid = rl_fb_group(&fb, &g);
    for (size_t i = 0; i < nr; i++) {
        rl_dnode n;
        memset(&n, 0, sizeof(n));
        n.region = regions[i];
        n.region_via = "its resources";
        n.name = rl_fb_printf(&fb, "%s in %s", labels[i], regions[i]);
        n.loc = locs[i];
        n.group = gid;
        rl_fb_node(&fb, &n, NULL, 0);
    }
    return rl_fb_end(&fb);
}

static int add_terraform(rl_dbuild *db)
{
    const rl_model *m = db->m;
    for (size_t i = 0; i < m->nstacks; i++) {
        const void *apply = rl_tf_apply_of(m->stacks[i]);
        bool first = apply != NULL;
        for (size_t j = 0; j < i && first; j++)
            first = rl_tf_apply_of(m->stacks[j]) != apply;
        int rc = first ? tf_apply_flow(db, apply, i) : RL_OK;
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

/* ---- the deployment model ------------------------------------------------------------ */

int rl_model_add_deploy(rl_model *m)
{
    rl_dbuild db;
    memset(&db, 0, sizeof(db));
    db.m = m;
    db.a = m->priv->arena;
    int rc = RL_OK;
    rl_deploy *d = rl_arena_calloc(db.a, 1, sizeof(*d));
    if (!d)
        return RL_ENOMEM;
    for (size_t i = 0; i < m->nstacks && rc == RL_OK; i++) {
        const rl_stack *st = m->stacks[i];
        if (st->source != RL_STACK_CFN || !st->region || !primary_instance(m, st))
            continue;
        if ((rc = add_cfn_pipelines(&db, st)) == RL_OK)
            rc = add_cfn_stacksets(&db, st);
    }
    for (size_t i = 0; i < rl_inputs_count(m->inputs) && rc == RL_OK; i++) {
        const rl_input *in = rl_inputs_at(m->inputs, i);
        if (!in->doc)
            continue;
        switch (in->kind) {
        case RL_INPUT_PIPELINE:
            rc = add_api_pipeline(&db, in);
            break;
        case RL_INPUT_GITHUB_ACTIONS:
            rc = rl_deploy_add_github(&db, in);
            break;
        case RL_INPUT_GITLAB_CI:
            rc = rl_deploy_add_gitlab(&db, in);
            break;
        case RL_INPUT_STACKS:
            rc = add_stacks_snapshot(&db, in);
            break;
        case RL_INPUT_STACK_EVENTS:
            rc = add_events_snapshot(&db, in);
            break;
        default:
            break;
        }
    }
    if (rc == RL_OK)
        rc = add_stackset_exports(&db);
    if (rc == RL_OK)
        rc = add_terraform(&db);
    if (rc == RL_OK) {
        /* move the grown arrays into the arena so the model frees them with everything */
        d->flows = rl_arena_alloc(db.a, (db.nflows ? db.nflows : 1) * sizeof(*d->flows));
        d->snaps = rl_arena_alloc(db.a, (db.nsnaps ? db.nsnaps : 1) * sizeof(*d->snaps));
        if (!d->flows || !d->snaps) {
            rc = RL_ENOMEM;
        } else {
            if (db.nflows)
                memcpy(d->flows, db.flows, db.nflows * sizeof(*d->flows));
            if (db.nsnaps)
                memcpy(d->snaps, db.snaps, db.nsnaps * sizeof(*d->snaps));
            d->nflows = db.nflows;
            d->nsnaps = db.nsnaps;
            m->priv->deploy = d;
        }
    }
    free(db.flows);
    free(db.snaps);
    return rc;
}

const rl_deploy *rl_model_deploy(const rl_model *m)
{
    static const rl_deploy empty;
    return m && m->priv && m->priv->deploy ? m->priv->deploy : &empty;
}
