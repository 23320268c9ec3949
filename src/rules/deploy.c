/* The deploy family: never both regions at once, bake time between them, primary first.
 * One pass over the deployment model's flows orders every standby deploy against the
 * primary deploys of the same flow and emits RL401 (at the same time), RL402 (no or too
 * little bake between), RL403 (standby first); the snapshots feed RL404; the primary's
 * stacks feed RL405 (all at once where the service offers progressive deployment). */
#include <regionlint/eval.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "../base/time.h"
#include "../model/deploy.h"
#include "checks.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAKE_INF (LONG_MAX / 4)

typedef struct dctx {
    rl_rule_ctx *ctx;
    const rl_model *m;
    const rl_deploy *d;
    bool on401, on402, on403, on404, on405;
    long bake;
    rl_setting protected_envs; /* RL402 setting */
    rl_hmap reported;
    rl_strbuf key;
    rl_arena *arena;
    rl_hmap hooks; /* CodeDeploy hook functions of the stack being read */
    /* snapshot indexes: no pairwise scan over the stacks of two regions */
    rl_hmap prim_stack;  /* key -> the primary's describe-stacks record */
    rl_hmap prim_events; /* key -> (index + 1) of the primary's latest operation */
    rl_hmap events_in;   /* "region\nkey" -> (void *)1 */
    size_t *ev_next;     /* the primary's operations of a key, as a chain of indexes + 1 */
    /* per flow */
    long *dist;
    size_t *via;
    bool *reach;
    size_t cap;
    int rc;
} dctx;

static const char *dur(dctx *c, long secs)
{
    char buf[32];
    rl_duration_format(secs, buf, sizeof(buf));
    const char *r = rl_arena_strdup(c->arena, buf);
    return r ? r : "";
}

static const char *tstr(dctx *c, rl_time t)
{
    char buf[32];
    rl_time_format(t, buf, sizeof(buf));
    const char *r = rl_arena_strdup(c->arena, buf);
    return r ? r : "";
}

/* True the first time (rule, position, regions) is seen: a construct that holds several
 * deploys of the same pair is reported once. */
static bool first_time(dctx *c, const char *rule, const rl_dloc *l, const char *region,
                       const char *other)
{
    rl_strbuf_clear(&c->key);
    rl_strbuf_printf(&c->key, "%s|%s|%u|%u|%s|%s", rule, l->file ? l->file : "", l->span.start.line,
                     l->span.start.column, region ? region : "", other ? other : "");
    if (c->key.failed) {
        c->rc = RL_ENOMEM;
        return false;
    }
    if (rl_hmap_get(&c->reported, c->key.data, c->key.len))
        return false;
    char *k = rl_arena_strndup(c->arena, c->key.data, c->key.len);
    if (!k || rl_hmap_put(&c->reported, k, c->key.len, (void *)1) < 0) {
        c->rc = RL_ENOMEM;
        return false;
    }
    return true;
}

static const rl_span *span_of(const rl_dloc *l)
{
    return l->span.start.line ? &l->span : NULL;
}

static rl_finding *emit(dctx *c, const char *rule, const rl_dloc *l, const char *region,
                        const char *other, const char *msg)
{
    if (!msg) {
        c->rc = RL_ENOMEM;
        return NULL;
    }
    if (!first_time(c, rule, l, region, other))
        return NULL;
    return rl_emit_as(c->ctx, rule, RL_LEVEL_NONE, l->file, span_of(l), l->path, region, other,
                      "%s", msg);
}

static void related(dctx *c, rl_finding *f, const rl_dloc *l, const char *msg)
{
    if (f && l->file && msg && f->nrelated < 20)
        rl_emit_related(c->ctx, f, l->file, span_of(l), "%s", msg);
}

static bool is_standby(const rl_model *m, const char *region)
{
    for (size_t i = 0; region && i < m->nstandby; i++)
        if (!strcmp(m->standby[i], region))
            return true;
    return false;
}

/* ---- bake steps ---------------------------------------------------------------------- */

/* An environment declared as protected in the RL402 settings: required reviewers (as long
 * as they need) or a wait timer (`wait: 30m`). -1: not declared. */
static long protected_env(const dctx *c, const char *env)
{
    for (size_t i = 0; env && i < rl_setting_count(c->protected_envs); i++) {
        rl_setting e = rl_setting_at(c->protected_envs, i);
        bool record = rl_setting_kind_of(e) == RL_SETTING_RECORD;
        const char *pat = rl_setting_str(record ? rl_setting_get(e, "name") : e);
        if (!rl_glob_match(pat, env))
            continue;
        long s = record ? rl_setting_seconds(rl_setting_get(e, "wait")) : -1;
        return s >= 0 ? s : BAKE_INF;
    }
    return -1;
}

static long weight(const dctx *c, const rl_dnode *n)
{
    switch (n->gate) {
    case RL_GATE_APPROVAL:
    case RL_GATE_UNKNOWN:
        return BAKE_INF;
    case RL_GATE_WAIT:
    case RL_GATE_ALARM:
        return n->seconds >= 0 ? n->seconds : BAKE_INF;
    default:
        break;
    }
    long e = protected_env(c, n->environment);
    return e > 0 ? e : 0;
}

static bool is_gate(const dctx *c, const rl_dnode *n)
{
    return n->gate != RL_GATE_NONE || protected_env(c, n->environment) >= 0;
}

static int ensure(dctx *c, size_t n)
{
    if (n <= c->cap)
        return RL_OK;
    long *d = realloc(c->dist, n * sizeof(*d));
    if (d)
        c->dist = d;
    size_t *v = realloc(c->via, n * sizeof(*v));
    if (v)
        c->via = v;
    bool *r = realloc(c->reach, n * sizeof(*r));
    if (r)
        c->reach = r;
    if (!d || !v || !r)
        return RL_ENOMEM;
    c->cap = n;
    return RL_OK;
}

/* Steps reachable from `from` (steps are stored with predecessors first), and the longest
 * bake (sum of gate lengths strictly between) along a path to each. */
static void forward(dctx *c, const rl_flow *f, size_t from)
{
    for (size_t i = 0; i < f->nnodes; i++) {
        c->reach[i] = i == from;
        c->dist[i] = 0;
        c->via[i] = (size_t)-1;
    }
    for (size_t i = from + 1; i < f->nnodes; i++) {
        const rl_dnode *n = &f->nodes[i];
        for (size_t k = 0; k < n->npreds; k++) {
            size_t p = n->preds[k];
            if (!c->reach[p])
                continue;
            long w = p == from ? 0 : weight(c, &f->nodes[p]);
            long d = c->dist[p] + w;
            if (d > BAKE_INF)
                d = BAKE_INF;
            if (!c->reach[i] || d > c->dist[i]) {
                c->dist[i] = d;
                c->via[i] = p;
            }
            c->reach[i] = true;
        }
    }
}

static bool same_target(const rl_dnode *a, const rl_dnode *b)
{
    return !a->target || !b->target || !strcmp(a->target, b->target);
}

static const char *flow_desc(dctx *c, const rl_flow *f)
{
    switch (f->kind) {
    case RL_FLOW_CODEPIPELINE:
        return rl_arena_printf(c->arena, "pipeline '%s'", f->name);
    case RL_FLOW_GITHUB:
        return rl_arena_printf(c->arena, "workflow '%s'", f->name);
    case RL_FLOW_GITLAB:
        return rl_arena_printf(c->arena, "GitLab CI pipeline %s", f->name);
    case RL_FLOW_STACKSET:
        return f->name;
    case RL_FLOW_TERRAFORM:
        return rl_arena_printf(c->arena, "%s '%s'",
                               f->input->kind == RL_INPUT_TF_PLAN    ? "the plan"
                               : f->input->kind == RL_INPUT_TF_STATE ? "the state of"
                                                                     : "root module",
                               f->name);
    }
    return "";
}

/* ---- RL401 --------------------------------------------------------------------------- */

static void report_parallel(dctx *c, const rl_flow *f, const rl_dnode *p, const rl_dnode *s)
{
    const rl_dgroup *gp = &f->groups[p->group], *gs = &f->groups[s->group];
    const char *fd = flow_desc(c, f);
    const char *msg = NULL;
    const rl_dloc *at = &gs->anchor;
    switch (f->kind) {
    case RL_FLOW_TERRAFORM:
        at = &s->loc;
        msg = rl_arena_printf(c->arena,
                              "one terraform apply of %s deploys the primary %s and the standby "
                              "%s at the same time: it holds %s and %s",
                              fd, p->region, s->region, p->name, s->name);
        break;
    case RL_FLOW_STACKSET:
        msg = rl_arena_printf(c->arena,
                              "%s deploys the primary %s and the standby %s at the same time "
                              "(RegionConcurrencyType: PARALLEL)",
                              fd, p->region, s->region);
        break;
    case RL_FLOW_CODEPIPELINE:
        msg = rl_arena_printf(c->arena,
                              "%s deploys the primary %s and the standby %s at the same time: "
                              "stage '%s' runs %s and %s in parallel (both RunOrder %ld)",
                              fd, p->region, s->region, gs->name, p->label ? p->label : p->name,
                              s->label ? s->label : s->name, gs->run_order);
        break;
    case RL_FLOW_GITHUB:
    case RL_FLOW_GITLAB: {
        bool gl = f->kind == RL_FLOW_GITLAB;
        if (p->group == s->group) {
            if (gs->matrix.file)
                at = &gs->matrix;
            msg = rl_arena_printf(
                c->arena,
                "%s deploys the primary %s and the standby %s at the same time: job '%s' runs "
                "its %s over both regions in parallel%s",
                fd, p->region, s->region, gs->name, gl ? "parallel:matrix" : "matrix",
                gl ? "" : " (no max-parallel: 1)");
        } else if (gl && !gs->needs.file && !gp->needs.file && gs->stage_name && gp->stage_name &&
                   !strcmp(gs->stage_name, gp->stage_name)) {
            at = &gs->stage;
            msg = rl_arena_printf(c->arena,
                                  "%s deploys the primary %s and the standby %s at the same "
                                  "time: jobs '%s' and '%s' are both in stage '%s'",
                                  fd, p->region, s->region, gp->name, gs->name, gs->stage_name);
        } else {
            if (gs->needs.file)
                at = &gs->needs;
            msg = rl_arena_printf(c->arena,
                                  "%s deploys the primary %s and the standby %s at the same "
                                  "time: jobs '%s' and '%s' run in parallel (neither needs the "
                                  "other)",
                                  fd, p->region, s->region, gp->name, gs->name);
        }
        break;
    }
    }
    if (!msg) {
        c->rc = RL_ENOMEM;
        return;
    }
    rl_finding *fi = emit(c, RL_ID(RL401), at, s->region, p->region, msg);
    if (fi) {
        related(c, fi, &p->loc,
                rl_arena_printf(c->arena, "the primary %s deploy: %s", p->region, p->name));
        related(c, fi, &s->loc,
                rl_arena_printf(c->arena, "the standby %s deploy: %s", s->region, s->name));
    }
}

/* ---- RL402 / RL403 ------------------------------------------------------------------- */

/* The gates on the longest-bake path from `from` to `to` (forward() ran from `from`), at
 * most `max`, the last one first. */
static size_t gates_on_path(const dctx *c, const rl_flow *f, size_t from, size_t to, size_t *out,
                            size_t max)
{
    size_t n = 0;
    for (size_t i = c->via[to]; i != (size_t)-1 && i != from && n < max; i = c->via[i])
        if (is_gate(c, &f->nodes[i]))
            out[n++] = i;
    return n;
}

static const char *gate_text(dctx *c, const rl_dnode *g)
{
    if (g->gate_what)
        return g->gate_what;
    if (g->environment)
        return rl_arena_printf(c->arena, "%s of environment '%s'",
                               weight(c, g) >= BAKE_INF ? "required reviewers" : "wait timer",
                               g->environment);
    return g->name;
}

static const char *env_hint(dctx *c, const rl_flow *f, size_t s)
{
    /* environments' protection rules live in GitHub/GitLab, not in the file */
    for (size_t i = s + 1; i-- > 0;) {
        const rl_dnode *n = &f->nodes[i];
        if (n->group != f->nodes[s].group || n->instance != f->nodes[s].instance)
            break;
        if (n->environment && protected_env(c, n->environment) < 0)
            return rl_arena_printf(c->arena,
                                   " (if environment '%s' has required reviewers or a wait timer, "
                                   "declare it in rules.RL402.protected-environments)",
                                   n->environment);
    }
    return "";
}

static void report_no_bake(dctx *c, const rl_flow *f, size_t pi, size_t si, long bake)
{
    const rl_dnode *p = &f->nodes[pi], *s = &f->nodes[si];
    const char *fd = flow_desc(c, f);
    const char *bt = dur(c, c->bake);
    if (f->kind == RL_FLOW_STACKSET) {
        const char *msg =
            f->order_unknown
                ? rl_arena_printf(c->arena,
                                  "%s deploys the primary %s and the standby %s one after the "
                                  "other in one operation, in an order StackSets picks (no "
                                  "RegionOrder) and with no bake time between (bake-time %s)",
                                  fd, p->region, s->region, bt)
                : rl_arena_printf(c->arena,
                                  "%s deploys the standby %s right after the primary %s in one "
                                  "operation (RegionConcurrencyType: SEQUENTIAL): StackSets "
                                  "starts the next region as soon as one finishes, with no bake "
                                  "time (bake-time %s)",
                                  fd, s->region, p->region, bt);
        rl_finding *fi = emit(c, RL_ID(RL402), &s->loc, s->region, p->region, msg);
        related(c, fi, &p->loc, rl_arena_printf(c->arena, "the primary %s", p->region));
        return;
    }
    size_t gates[8];
    size_t ng = gates_on_path(c, f, pi, si, gates, 8);
    rl_strbuf b = RL_STRBUF_INIT;
    for (size_t i = ng; i-- > 0;)
        rl_strbuf_printf(&b, "%s%s", i + 1 < ng ? ", " : "", gate_text(c, &f->nodes[gates[i]]));
    const char *msg;
    if (ng == 0)
        msg = rl_arena_printf(c->arena,
                              "%s: %s deploys the standby %s right after %s deployed the primary "
                              "%s, with no bake step between (bake-time %s)%s",
                              fd, s->name, s->region, p->name, p->region, bt, env_hint(c, f, si));
    else if (bake == 0)
        msg = rl_arena_printf(c->arena,
                              "%s: %s deploys the standby %s right after %s deployed the primary "
                              "%s: the steps between (%s) wait no time (bake-time %s)%s",
                              fd, s->name, s->region, p->name, p->region, rl_strbuf_cstr(&b), bt,
                              env_hint(c, f, si));
    else
        msg = rl_arena_printf(c->arena,
                              "%s: %s deploys the standby %s only %s after %s deployed the "
                              "primary %s (bake: %s); bake-time is %s%s",
                              fd, s->name, s->region, dur(c, bake), p->name, p->region,
                              rl_strbuf_cstr(&b), bt, env_hint(c, f, si));
    rl_strbuf_free(&b);
    rl_finding *fi = emit(c, RL_ID(RL402), &s->loc, s->region, p->region, msg);
    related(c, fi, &p->loc,
            rl_arena_printf(c->arena, "the primary %s deploy: %s", p->region, p->name));
    for (size_t i = ng; i-- > 0;) {
        const rl_dnode *g = &f->nodes[gates[i]];
        related(
            c, fi, &g->loc,
            rl_arena_printf(c->arena, "bake step: %s (%s)", gate_text(c, g), dur(c, weight(c, g))));
    }
}

static void report_unordered(dctx *c, const rl_flow *f, const rl_dnode *p, const rl_dnode *s)
{
    rl_finding *fi = emit(
        c, RL_ID(RL402), &s->loc, s->region, p->region,
        rl_arena_printf(c->arena,
                        "%s: %s (standby %s) and %s (primary %s) share the concurrency group "
                        "'%s': they run one after the other in no fixed order, with no bake time "
                        "between (bake-time %s)",
                        flow_desc(c, f), s->name, s->region, p->name, p->region, s->mutex,
                        dur(c, c->bake)));
    related(c, fi, &p->loc,
            rl_arena_printf(c->arena, "the primary %s deploy: %s", p->region, p->name));
}

static void report_standby_first(dctx *c, const rl_flow *f, const rl_dnode *p, const rl_dnode *s)
{
    const char *msg =
        f->kind == RL_FLOW_STACKSET
            ? rl_arena_printf(c->arena,
                              "%s deploys the standby %s before the primary %s (RegionOrder): "
                              "changes reach the standby first",
                              flow_desc(c, f), s->region, p->region)
            : rl_arena_printf(c->arena,
                              "%s: %s deploys the standby %s before %s deploys the primary %s: "
                              "changes reach the standby first",
                              flow_desc(c, f), s->name, s->region, p->name, p->region);
    rl_finding *fi = emit(c, RL_ID(RL403), &s->loc, s->region, p->region, msg);
    related(c, fi, &p->loc,
            rl_arena_printf(c->arena, "the primary %s deploy: %s", p->region, p->name));
}

typedef struct sview { /* what one standby deploy is, relative to the primary deploys */
    size_t before;     /* the primary deploy with the least bake before it */
    long bake;
    size_t parallel, after, unordered;
} sview;

#define MAX_PRIMARY_DEPLOYS 256

static int check_flow(dctx *c, const rl_flow *f)
{
    size_t none = (size_t)-1;
    size_t prim[MAX_PRIMARY_DEPLOYS], np = 0, ns = 0;
    for (size_t i = 0; i < f->nnodes; i++) {
        const char *r = f->nodes[i].region;
        if (rl_model_is_primary(c->m, r) && np < MAX_PRIMARY_DEPLOYS)
            prim[np++] = i;
        ns += is_standby(c->m, r);
    }
    if (!np || !ns)
        return RL_OK;
    if (ensure(c, f->nnodes) < 0)
        return RL_ENOMEM;
    int rc = RL_OK;
    sview *v = calloc(f->nnodes, sizeof(*v));
    bool *before = calloc(np * f->nnodes, sizeof(*before)); /* [primary k][step] */
    if (!v || !before) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < f->nnodes; i++) {
        v[i].before = v[i].parallel = v[i].after = v[i].unordered = none;
        v[i].bake = BAKE_INF;
    }
    /* from every primary deploy: the standby deploys after it, with the least bake */
    for (size_t k = 0; k < np; k++) {
        const rl_dnode *p = &f->nodes[prim[k]];
        forward(c, f, prim[k]);
        for (size_t si = 0; si < f->nnodes; si++) {
            const rl_dnode *s = &f->nodes[si];
            before[k * f->nnodes + si] = c->reach[si];
            if (!is_standby(c->m, s->region) || !same_target(p, s) || !c->reach[si])
                continue;
            if (v[si].before == none || c->dist[si] <= v[si].bake) {
                v[si].before = prim[k];
                v[si].bake = c->dist[si];
            }
        }
    }
    /* from every standby deploy: the primary deploys after it; the rest are unordered */
    for (size_t si = 0; si < f->nnodes; si++) {
        const rl_dnode *s = &f->nodes[si];
        if (!is_standby(c->m, s->region))
            continue;
        forward(c, f, si);
        for (size_t k = 0; k < np; k++) {
            const rl_dnode *p = &f->nodes[prim[k]];
            if (!same_target(p, s) || before[k * f->nnodes + si])
                continue;
            if (c->reach[prim[k]]) {
                if (v[si].after == none)
                    v[si].after = prim[k];
                continue;
            }
            bool serial =
                s->mutex && p->mutex && !strcmp(s->mutex, p->mutex) && !strchr(s->mutex, '\x01');
            if (serial && v[si].unordered == none)
                v[si].unordered = prim[k];
            else if (!serial && v[si].parallel == none)
                v[si].parallel = prim[k];
        }
    }
    for (size_t si = 0; si < f->nnodes && c->rc == RL_OK; si++) {
        const rl_dnode *s = &f->nodes[si];
        if (!is_standby(c->m, s->region))
            continue;
        /* at the same time as one primary deploy and too soon after another are two
         * problems; standby-first only when the standby is neither */
        if (v[si].parallel != none && c->on401)
            report_parallel(c, f, &f->nodes[v[si].parallel], s);
        if (v[si].before != none) {
            if (c->on402 && (f->kind == RL_FLOW_STACKSET || v[si].bake < c->bake)) {
                forward(c, f, v[si].before); /* leaves the path in via[] */
                report_no_bake(c, f, v[si].before, si, v[si].bake);
            }
        } else if (v[si].unordered != none) {
            if (c->on402)
                report_unordered(c, f, &f->nodes[v[si].unordered], s);
        } else if (v[si].after != none && f->order_unknown) {
            /* listed first, but StackSets picks the order: no bake either way */
            if (c->on402)
                report_no_bake(c, f, v[si].after, si, 0);
        } else if (v[si].after != none && v[si].parallel == none && c->on403) {
            report_standby_first(c, f, &f->nodes[v[si].after], s);
        }
    }
    rc = c->rc;

cleanup:
    free(v);
    free(before);
    return rc;
}

/* ---- RL404: snapshots ---------------------------------------------------------------- */

/* Whole seconds of a difference, rounded (exports disagree on fractions). */
static long secs(rl_time d)
{
    return (long)((d + (d < 0 ? -RL_TIME_PER_SEC : RL_TIME_PER_SEC) / 2) / RL_TIME_PER_SEC);
}

static const char *pair_text(dctx *c, const char *region)
{
    if (rl_model_is_primary(c->m, region))
        return rl_arena_printf(c->arena, "the primary %s (standby %s)", region,
                               c->m->nstandby ? c->m->standby[0] : "?");
    return rl_arena_printf(c->arena, "the standby %s (primary %s)", region, c->m->primary);
}

static const char *other_of(const dctx *c, const char *region)
{
    if (rl_model_is_primary(c->m, region))
        return c->m->nstandby ? c->m->standby[0] : NULL;
    return c->m->primary;
}

static const char *verb(const char *status)
{
    if (!status)
        return "update";
    if (!strncmp(status, "CREATE", 6) || !strncmp(status, "ROLLBACK", 8))
        return "create";
    if (!strncmp(status, "DELETE", 6))
        return "delete";
    if (!strncmp(status, "IMPORT", 6))
        return "import";
    return "update";
}

static const char *region_key(dctx *c, const char *region, const char *key)
{
    return rl_arena_printf(c->arena, "%s\n%s", region ? region : "", key);
}

static bool has_events(dctx *c, const char *key, const char *region)
{
    const char *k = region_key(c, region, key);
    return k && rl_hmap_gets(&c->events_in, k);
}

static const char *ss_name(dctx *c, const rl_snap *s)
{
    return s->name ? rl_arena_printf(c->arena, "stack set '%s'", s->name) : "stack set";
}

static void snap_in_progress(dctx *c, const rl_snap *s)
{
    if (s->kind == RL_SNAP_STACKSET_OP) {
        const char *pr = NULL, *sr = NULL;
        for (size_t i = 0; i < s->nregions; i++) {
            if (rl_model_is_primary(c->m, s->regions[i]))
                pr = s->regions[i];
            else if (is_standby(c->m, s->regions[i]) && !sr)
                sr = s->regions[i];
        }
        if (!pr && !sr)
            return;
        const char *region = sr ? sr : pr;
        emit(c, RL_ID(RL404), &s->status_loc, region, other_of(c, region),
             rl_arena_printf(c->arena,
                             "%s operation %s is %s: the snapshot was taken while it deployed "
                             "%s%s%s",
                             ss_name(c, s), s->operation ? s->operation : "?", s->status,
                             pr ? pr : "", pr && sr ? " and " : "", sr ? sr : ""));
        return;
    }
    if (!rl_model_in_pair(c->m, s->region))
        return;
    const char *msg =
        s->kind == RL_SNAP_STACK
            ? rl_arena_printf(c->arena,
                              "stack '%s' in %s is %s: the snapshot was taken in the middle of "
                              "a deploy",
                              s->name, pair_text(c, s->region), s->status)
            : rl_arena_printf(c->arena,
                              "stack '%s' in %s started an %s at %s that had not finished when "
                              "the events were exported (last status %s)",
                              s->name, pair_text(c, s->region), verb(s->status), tstr(c, s->time),
                              s->status ? s->status : "?");
    emit(c, RL_ID(RL404), s->kind == RL_SNAP_STACK ? &s->status_loc : &s->time_loc, s->region,
         other_of(c, s->region), msg);
}

/* describe-stacks: the same stack's last change in the primary and a standby. */
static void snap_stack_pair(dctx *c, const rl_snap *p, const rl_snap *s)
{
    if (has_events(c, s->key, s->region) && has_events(c, p->key, p->region))
        return; /* the events tell the same story with start and end times */
    long gap = secs(s->time - p->time);
    long mag = gap < 0 ? -gap : gap;
    if (mag >= c->bake)
        return;
    bool created = !strcmp(s->time_field, "CreationTime");
    const char *msg = rl_arena_printf(
        c->arena,
        "stack '%s' was last %s in the standby %s at %s, %s %s it was in the primary %s (%s): "
        "the two regions changed within the bake time (%s) of each other",
        s->name, created ? "created" : "updated", s->region, tstr(c, s->time), dur(c, mag),
        gap >= 0 ? "after" : "before", p->region, tstr(c, p->time), dur(c, c->bake));
    rl_finding *fi = emit(c, RL_ID(RL404), &s->time_loc, s->region, p->region, msg);
    related(c, fi, &p->time_loc,
            rl_arena_printf(c->arena, "%s of '%s' in the primary %s", p->time_field, p->name,
                            p->region));
}

/* describe-stack-events: the standby operation closest to a primary operation. */
static void snap_events_pair(dctx *c, const rl_snap *s)
{
    const rl_snap *best = NULL;
    long best_gap = 0;
    bool best_overlap = false;
    for (size_t i = (size_t)(uintptr_t)rl_hmap_gets(&c->prim_events, s->key); i;
         i = c->ev_next[i - 1]) {
        const rl_snap *p = &c->d->snaps[i - 1];
        rl_time s_end = s->has_end ? s->end : s->time;
        rl_time p_end = p->has_end ? p->end : p->time;
        bool overlap = (s->time <= p_end || (!p->has_end && s->time >= p->time)) &&
                       (p->time <= s_end || (!s->has_end && p->time >= s->time));
        long gap = overlap           ? 0
                   : s->time > p_end ? (long)((s->time - p_end) / RL_TIME_PER_SEC)
                                     : (long)((p->time - s_end) / RL_TIME_PER_SEC);
        if (!best || gap < best_gap) {
            best = p;
            best_gap = gap;
            best_overlap = overlap;
        }
    }
    if (!best || best_gap >= c->bake)
        return;
    const rl_snap *p = best;
    const char *pw = rl_arena_printf(c->arena, "%s–%s", tstr(c, p->time),
                                     p->has_end ? tstr(c, p->end) : "not finished");
    const char *msg;
    if (best_overlap)
        msg = rl_arena_printf(c->arena,
                              "stack '%s' in the standby %s started an %s at %s while the "
                              "primary %s's %s (%s) was still running: both regions changed at "
                              "the same time",
                              s->name, s->region, verb(s->status), tstr(c, s->time), p->region,
                              verb(p->status), pw);
    else
        msg = rl_arena_printf(c->arena,
                              "stack '%s' in the standby %s started an %s at %s, %s %s the "
                              "primary %s's %s (%s); bake-time is %s",
                              s->name, s->region, verb(s->status), tstr(c, s->time),
                              dur(c, best_gap), s->time > p->time ? "after" : "before", p->region,
                              verb(p->status), pw, dur(c, c->bake));
    rl_finding *fi = emit(c, RL_ID(RL404), &s->time_loc, s->region, p->region, msg);
    related(c, fi, &p->time_loc,
            rl_arena_printf(c->arena, "the primary %s's %s of '%s'", p->region, verb(p->status),
                            p->name));
}

static void snap_stackset_op(dctx *c, const rl_snap *s)
{
    bool has_p = false;
    const char *sr = NULL;
    for (size_t i = 0; i < s->nregions; i++) {
        has_p |= rl_model_is_primary(c->m, s->regions[i]);
        if (!sr && is_standby(c->m, s->regions[i]))
            sr = s->regions[i];
    }
    if (!has_p || !sr || !s->has_time || !s->has_end)
        return;
    long span = secs(s->end - s->time);
    if (span >= c->bake)
        return; /* the regions' gap is unknown inside a longer operation */
    emit(c, RL_ID(RL404), &s->time_loc, sr, c->m->primary,
         rl_arena_printf(c->arena,
                         "%s operation %s deployed the primary %s and the standby %s within %s "
                         "(%s–%s); bake-time is %s",
                         ss_name(c, s), s->operation ? s->operation : "?", c->m->primary, sr,
                         dur(c, span), tstr(c, s->time), tstr(c, s->end), dur(c, c->bake)));
}

static void check_snapshots(dctx *c)
{
    const rl_deploy *d = c->d;
    c->ev_next = calloc(d->nsnaps + 1, sizeof(*c->ev_next));
    if (!c->ev_next) {
        c->rc = RL_ENOMEM;
        return;
    }
    for (size_t i = 0; i < d->nsnaps; i++) {
        const rl_snap *s = &d->snaps[i];
        bool prim = rl_model_is_primary(c->m, s->region);
        int rc = 0;
        if (s->kind == RL_SNAP_EVENTS) {
            const char *k = region_key(c, s->region, s->key);
            rc = k ? rl_hmap_puts(&c->events_in, k, (void *)1) : -1;
            if (prim && rc == 0) {
                c->ev_next[i] = (size_t)(uintptr_t)rl_hmap_gets(&c->prim_events, s->key);
                rc = rl_hmap_puts(&c->prim_events, s->key, (void *)(uintptr_t)(i + 1));
            }
        } else if (s->kind == RL_SNAP_STACK && prim && s->has_time && !s->in_progress &&
                   !rl_hmap_gets(&c->prim_stack, s->key)) {
            rc = rl_hmap_puts(&c->prim_stack, s->key, (void *)s);
        }
        if (rc < 0) {
            c->rc = RL_ENOMEM;
            return;
        }
    }
    for (size_t i = 0; i < d->nsnaps && c->rc == RL_OK; i++) {
        const rl_snap *s = &d->snaps[i];
        if (s->in_progress) {
            snap_in_progress(c, s);
            continue;
        }
        if (s->kind == RL_SNAP_STACKSET_OP) {
            snap_stackset_op(c, s);
            continue;
        }
        if (!is_standby(c->m, s->region) || !s->has_time)
            continue;
        if (s->kind == RL_SNAP_EVENTS) {
            snap_events_pair(c, s);
            continue;
        }
        const rl_snap *p = rl_hmap_gets(&c->prim_stack, s->key);
        if (p)
            snap_stack_pair(c, p, s);
    }
}

/* ---- RL405: the primary deployed all at once ----------------------------------------- */

static const char *ev(const rl_stack *st, const rl_node *n)
{
    return n ? rl_eval_string(st, n) : NULL;
}

static rl_dloc res_loc(const rl_resource *r, const rl_node *n, const char *suffix, dctx *c)
{
    rl_dloc l;
    memset(&l, 0, sizeof(l));
    l.file = rl_doc_path(r->stack->input->doc);
    if (n)
        l.span = n->span;
    l.path = suffix ? rl_arena_printf(c->arena, "%s%s", r->path, suffix) : r->path;
    return l;
}

static void all_at_once(dctx *c, const rl_resource *r, const rl_node *n, const char *suffix,
                        const char *what)
{
    const rl_node *type = rl_node_get(r->node, "Type");
    rl_dloc l = n      ? res_loc(r, n, suffix, c)
                : type ? res_loc(r, type, ".Type", c)
                       : res_loc(r, r->node, NULL, c);
    emit(c, RL_ID(RL405), &l, r->stack->region, other_of(c, r->stack->region),
         rl_arena_printf(c->arena, "%s (%s) in %s %s", r->id, r->type,
                         pair_text(c, r->stack->region), what));
}

static bool is_all_at_once_config(const char *name)
{
    return name && (!strcmp(name, "CodeDeployDefault.AllAtOnce") ||
                    !strcmp(name, "CodeDeployDefault.LambdaAllAtOnce") ||
                    !strcmp(name, "CodeDeployDefault.ECSAllAtOnce"));
}

/* SAM: AutoPublishAlias without a DeploymentPreference (own or in Globals) moves the alias,
 * and all traffic, to the new version in one step. */
static void sam_preference(dctx *c, const rl_resource *r, const char *globals_key,
                           const char *all_type)
{
    const rl_stack *st = r->stack;
    const rl_node *glob =
        rl_node_get(rl_node_get(rl_doc_root(st->input->doc), "Globals"), globals_key);
    const rl_node *alias = rl_node_get(r->props, "AutoPublishAlias");
    const char *asuffix = ".Properties.AutoPublishAlias";
    if (!alias && (alias = rl_node_get(glob, "AutoPublishAlias")))
        asuffix = NULL;
    const rl_node *pref = rl_node_get(r->props, "DeploymentPreference");
    const char *psuffix = ".Properties.DeploymentPreference";
    if (!pref && (pref = rl_node_get(glob, "DeploymentPreference")))
        psuffix = NULL;
    if (!alias || !ev(st, alias))
        return;
    if (!pref) {
        rl_dloc l = res_loc(r, alias, asuffix, c);
        if (!asuffix)
            l.path = rl_arena_printf(c->arena, "Globals.%s.AutoPublishAlias", globals_key);
        emit(c, RL_ID(RL405), &l, st->region, other_of(c, st->region),
             rl_arena_printf(c->arena,
                             "%s (%s) in %s publishes alias '%s' and moves all "
                             "traffic to each new version at once: no DeploymentPreference "
                             "(canary or linear)",
                             r->id, r->type, pair_text(c, st->region), ev(st, alias)));
        return;
    }
    const rl_node *en = rl_node_get(pref, "Enabled");
    const char *enabled = ev(st, en);
    const rl_node *tn = rl_node_get(pref, "Type");
    const char *type = ev(st, tn);
    const char *base =
        psuffix ? psuffix
                : rl_arena_printf(c->arena, "Globals.%s.DeploymentPreference", globals_key);
    if (enabled && !strcmp(enabled, "false")) {
        rl_dloc l = res_loc(r, en, rl_arena_printf(c->arena, "%s.Enabled", base), c);
        if (!psuffix)
            l.path = rl_arena_printf(c->arena, "%s.Enabled", base);
        emit(c, RL_ID(RL405), &l, st->region, other_of(c, st->region),
             rl_arena_printf(c->arena,
                             "%s (%s) in %s turns its DeploymentPreference off: "
                             "alias '%s' moves all traffic to each new version at once",
                             r->id, r->type, pair_text(c, st->region), ev(st, alias)));
    } else if (type && !strcmp(type, all_type)) {
        rl_dloc l = res_loc(r, tn, rl_arena_printf(c->arena, "%s.Type", base), c);
        if (!psuffix)
            l.path = rl_arena_printf(c->arena, "%s.Type", base);
        emit(c, RL_ID(RL405), &l, st->region, other_of(c, st->region),
             rl_arena_printf(c->arena,
                             "%s (%s) in %s deploys with DeploymentPreference %s: "
                             "all traffic moves at once",
                             r->id, r->type, pair_text(c, st->region), all_type));
    }
}

static const rl_node *tf_block(const rl_node *attrs, const char *key)
{
    const rl_node *b = rl_node_get(attrs, key);
    return rl_node_is_seq(b) ? rl_node_at(b, 0) : b;
}

/* Functions named as PreTraffic/PostTraffic hooks: they run the checks of a traffic shift
 * and are themselves deployed with DeploymentPreference disabled, as SAM documents. */
static void collect_hooks(dctx *c, const rl_stack *st)
{
    rl_hmap_free(&c->hooks);
    const rl_node *glob = rl_node_path(rl_doc_root(st->input->doc), "Globals.Function");
    for (size_t j = 0; j <= st->nresources; j++) {
        const rl_node *props = j < st->nresources ? st->resources[j].props : glob;
        const rl_node *hooks = rl_node_get(rl_node_get(props, "DeploymentPreference"), "Hooks");
        for (size_t k = 0; rl_node_is_map(hooks) && k < hooks->u.map.count; k++) {
            const char *fn;
            const rl_node *arg;
            const rl_node *v = hooks->u.map.items[k].value;
            const char *id = rl_node_intrinsic(v, &fn, &arg) && !strcmp(fn, "Ref")
                                 ? rl_node_str(arg)
                                 : rl_node_str(v);
            if (id && rl_hmap_puts(&c->hooks, id, (void *)1) < 0)
                c->rc = RL_ENOMEM;
        }
    }
}

static bool is_hook(const dctx *c, const rl_resource *r)
{
    const char *name = ev(r->stack, rl_node_get(r->props, "FunctionName"));
    return rl_hmap_gets(&c->hooks, r->id) || (name && !strncmp(name, "CodeDeployHook_", 15));
}

static void check_resource(dctx *c, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    const char *t = r->type ? r->type : "";
    if (!strcmp(t, "AWS::Serverless::Function")) {
        if (!is_hook(c, r))
            sam_preference(c, r, "Function", "AllAtOnce");
    } else if (!strcmp(t, "AWS::Serverless::StateMachine")) {
        sam_preference(c, r, "StateMachine", "ALL_AT_ONCE");
    } else if (!strcmp(t, "AWS::Lambda::Alias")) {
        /* the alias follows a version the template publishes: each deploy moves it */
        const rl_node *fv = rl_node_get(r->props, "FunctionVersion");
        const char *fn;
        const rl_node *arg;
        if (!rl_node_intrinsic(fv, &fn, &arg) || strcmp(fn, "Fn::GetAtt") ||
            rl_node_get(rl_node_get(r->node, "UpdatePolicy"), "CodeDeployLambdaAliasUpdate") ||
            rl_node_get(r->props, "RoutingConfig"))
            return;
        const rl_node *all = rl_node_get(rl_doc_root(st->input->doc), "Resources");
        const char *vid = rl_node_str(rl_node_at(arg, 0));
        const rl_node *vres = vid ? rl_node_get(all, vid) : NULL;
        if (!rl_node_streq(rl_node_get(vres, "Type"), "AWS::Lambda::Version"))
            return;
        /* the alias of a CodeDeploy hook function (SAM output) */
        const rl_node *fnode = rl_node_get(r->props, "FunctionName");
        const rl_node *farg = NULL;
        const char *fname =
            rl_node_intrinsic(fnode, &fn, &farg) && !strcmp(fn, "Ref")
                ? ev(st, rl_node_path(rl_node_get(all, rl_node_str(farg) ? rl_node_str(farg) : ""),
                                      "Properties.FunctionName"))
                : NULL;
        if (fname && !strncmp(fname, "CodeDeployHook_", 15))
            return;
        all_at_once(c, r, fv, ".Properties.FunctionVersion",
                    "moves all traffic to each newly published version at once: no CodeDeploy "
                    "traffic shifting (UpdatePolicy CodeDeployLambdaAliasUpdate) or RoutingConfig");
    } else if (!strcmp(t, "AWS::CodeDeploy::DeploymentGroup") ||
               !strcmp(t, "aws_codedeploy_deployment_group")) {
        bool tf = t[0] == 'a';
        const rl_node *cn =
            rl_node_get(r->props, tf ? "deployment_config_name" : "DeploymentConfigName");
        const char *name = ev(st, cn);
        if (is_all_at_once_config(name)) {
            all_at_once(c, r, cn,
                        tf ? ".deployment_config_name" : ".Properties.DeploymentConfigName",
                        rl_arena_printf(c->arena, "deploys with %s: every target at once", name));
            return;
        }
        /* a custom configuration of the same template that moves everything at once */
        const char *fn;
        const rl_node *arg;
        if (tf || !rl_node_intrinsic(cn, &fn, &arg) || strcmp(fn, "Ref"))
            return;
        const rl_node *cfg = rl_node_get(rl_node_get(rl_doc_root(st->input->doc), "Resources"),
                                         rl_node_str(arg) ? rl_node_str(arg) : "");
        const rl_node *props = rl_node_get(cfg, "Properties");
        const char *tr = ev(st, rl_node_path(props, "TrafficRoutingConfig.Type"));
        const rl_node *mh = rl_node_get(props, "MinimumHealthyHosts");
        double mv = -1;
        bool zero = mh && rl_node_number(rl_node_get(mh, "Value"), &mv) && mv == 0;
        if ((tr && !strcmp(tr, "AllAtOnce")) || zero)
            all_at_once(c, r, cn, ".Properties.DeploymentConfigName",
                        rl_arena_printf(c->arena, "deploys with %s, a configuration that %s",
                                        rl_node_str(arg),
                                        zero ? "keeps no healthy hosts (MinimumHealthyHosts 0)"
                                             : "shifts all traffic at once"));
    } else if (!strcmp(t, "AWS::ECS::Service") || !strcmp(t, "aws_ecs_service")) {
        bool tf = t[0] == 'a';
        const char *ctl =
            tf ? ev(st, rl_node_get(tf_block(r->props, "deployment_controller"), "type"))
               : ev(st, rl_node_path(r->props, "DeploymentController.Type"));
        if (ctl && strcmp(ctl, "ECS"))
            return; /* CODE_DEPLOY (the deployment group decides) or EXTERNAL */
        const rl_node *dc = tf ? tf_block(r->props, "deployment_configuration")
                               : rl_node_get(r->props, "DeploymentConfiguration");
        const char *strategy = ev(st, rl_node_get(dc, tf ? "strategy" : "Strategy"));
        if (strategy && strcmp(strategy, "ROLLING"))
            return; /* BLUE_GREEN, LINEAR, CANARY */
        const rl_node *al = tf ? tf_block(r->props, "alarms") : rl_node_get(dc, "Alarms");
        const char *en = ev(st, rl_node_get(al, tf ? "enable" : "Enable"));
        const char *rb = ev(st, rl_node_get(al, tf ? "rollback" : "Rollback"));
        if (en && rb && !strcmp(en, "true") && !strcmp(rb, "true"))
            return;
        const rl_node *cb = tf ? tf_block(r->props, "deployment_circuit_breaker")
                               : rl_node_get(dc, "DeploymentCircuitBreaker");
        const char *cbe = ev(st, rl_node_get(cb, tf ? "enable" : "Enable"));
        const rl_node *at = tf ? NULL : rl_node_get(dc, "Strategy");
        all_at_once(c, r, at, ".Properties.DeploymentConfiguration.Strategy",
                    cbe && !strcmp(cbe, "true")
                        ? "replaces every task in one rolling update: no CANARY, LINEAR or "
                          "BLUE_GREEN strategy and no alarm-based rollback (the circuit breaker "
                          "only catches tasks that fail to start, not a version that serves "
                          "errors)"
                        : "replaces every task in one rolling update: no CANARY, LINEAR or "
                          "BLUE_GREEN strategy and no alarm-based rollback");
    } else if (!strcmp(t, "AWS::ElasticBeanstalk::Environment")) {
        const rl_node *opts = rl_node_get(r->props, "OptionSettings");
        for (size_t i = 0; i < rl_node_count(opts) && rl_node_is_seq(opts); i++) {
            const rl_node *o = rl_node_at(opts, i);
            const char *ns = ev(st, rl_node_get(o, "Namespace"));
            const char *on = ev(st, rl_node_get(o, "OptionName"));
            const rl_node *vn = rl_node_get(o, "Value");
            const char *val = ev(st, vn);
            if (ns && on && val && !strcmp(ns, "aws:elasticbeanstalk:command") &&
                !strcmp(on, "DeploymentPolicy") && !strcmp(val, "AllAtOnce")) {
                char suffix[64];
                snprintf(suffix, sizeof(suffix), ".Properties.OptionSettings[%zu].Value", i);
                all_at_once(c, r, vn, suffix,
                            "deploys with DeploymentPolicy AllAtOnce: every instance at once");
            }
        }
    }
}

static void check_progressive(dctx *c)
{
    for (size_t i = 0; i < c->m->nstacks && c->rc == RL_OK; i++) {
        const rl_stack *st = c->m->stacks[i];
        if (!rl_model_is_primary(c->m, st->region))
            continue;
        collect_hooks(c, st);
        for (size_t j = 0; j < st->nresources; j++)
            if (st->resources[j].deployed != 0)
                check_resource(c, &st->resources[j]);
    }
}

int rl_check_deploy(rl_rule_ctx *ctx)
{
    dctx c;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.m = rl_ctx_model(ctx);
    c.d = rl_model_deploy(c.m);
    c.on401 = rl_ctx_enabled(ctx, RL_ID(RL401));
    c.on402 = rl_ctx_enabled(ctx, RL_ID(RL402));
    c.on403 = rl_ctx_enabled(ctx, RL_ID(RL403));
    c.on404 = rl_ctx_enabled(ctx, RL_ID(RL404));
    c.on405 = rl_ctx_enabled(ctx, RL_ID(RL405));
    c.bake = c.m->bake_time > 0 ? c.m->bake_time : 0;
    /* bake-time: 0 says no bake is wanted: RL402 has nothing to measure against */
    if (c.bake == 0)
        c.on402 = false;
    c.protected_envs = rl_ctx_setting(ctx, RL_ID(RL402), "protected-environments");
    c.key = (rl_strbuf)RL_STRBUF_INIT;
    c.arena = rl_arena_new(0);
    if (!c.arena)
        return RL_ENOMEM;
    int rc = RL_OK;
    if (c.on401 || c.on402 || c.on403)
        for (size_t i = 0; i < c.d->nflows && rc == RL_OK; i++)
            rc = check_flow(&c, &c.d->flows[i]);
    if (rc == RL_OK && c.on404)
        check_snapshots(&c);
    if (rc == RL_OK && c.on405)
        check_progressive(&c);
    if (rc == RL_OK)
        rc = c.rc;
    free(c.dist);
    free(c.via);
    free(c.reach);
    rl_hmap_free(&c.reported);
    rl_hmap_free(&c.hooks);
    rl_hmap_free(&c.prim_stack);
    rl_hmap_free(&c.prim_events);
    rl_hmap_free(&c.events_in);
    free(c.ev_next);
    rl_strbuf_free(&c.key);
    rl_arena_free(c.arena);
    return rc;
}
