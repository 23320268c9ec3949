/* The observability family: can anyone outside the primary see it fail, and can traffic
 * leave it when it does. Both rules read the application's edge (src/model/edge.h): the
 * primary's entry points, outermost first (a CloudFront distribution before the load
 * balancer it fronts). RL701 looks for Route 53 health checks, canaries outside the primary
 * and failover records that can act on them; RL702 for failover routing over both regions
 * (Route 53 routed record sets, Global Accelerator, CloudFront origin failover, ARC). When
 * nothing of the kind exists at all, each says so once instead of once per entry point: a
 * repository that holds only part of a system then gets one finding to settle, not one per
 * API. */
#include <regionlint/eval.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "../model/edge.h"
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Per entry point: watched (RL701) or covered by failover routing (RL702), and reported
 * already through the record or accelerator that routes to it. */
enum { ST_WATCHED = 1, ST_COVERED = 1, ST_HANDLED = 2 };

typedef struct obs {
    rl_rule_ctx *ctx;
    const rl_model *m;
    rl_edge *edge;
    rl_arena *a;
    rl_strbuf key;
    rl_hmap reported;
    rl_setting types;     /* entry-point-types setting */
    const char *standbys; /* "us-west-2" or "us-west-2, eu-west-1" */
    unsigned char *state; /* per entry point */
    /* RL701 */
    bool generic;               /* some watcher's target is unknown: it may watch anything */
    bool any_outside;           /* some watcher outside the primary watches part of it */
    size_t alarms;              /* CloudWatch alarms in the primary (they fail with it) */
    const rl_resource **inside; /* per entry point: a canary in the primary that watches it */
    /* RL702 */
    bool app_wide;     /* ARC, or routing over both regions whose targets are unknown */
    bool any_failover; /* some failover mechanism covers part of the application */
    struct ga *acc;    /* Global Accelerator endpoint groups, while they are collected */
    int rc;
} obs;

static bool is_tf(const rl_resource *r)
{
    return r->stack->source != RL_STACK_CFN;
}

static const char *ev(const rl_stack *st, const rl_node *n)
{
    return n ? rl_eval_string(st, n) : NULL;
}

static bool is_primary(const obs *o, const char *region)
{
    return rl_model_is_primary(o->m, region);
}

static bool is_standby(const obs *o, const char *region)
{
    return region && rl_model_in_pair(o->m, region) && !is_primary(o, region);
}

/* True the first time a finding of `rule` is made at this place. */
static bool first_time(obs *o, const char *rule, const rl_eloc *l)
{
    rl_strbuf_clear(&o->key);
    rl_strbuf_printf(&o->key, "%s|%s|%u|%u", rule, l->file, l->span.start.line,
                     l->span.start.column);
    if (o->key.failed) {
        o->rc = RL_ENOMEM;
        return false;
    }
    if (rl_hmap_get(&o->reported, o->key.data, o->key.len))
        return false;
    char *k = rl_arena_strndup(o->a, o->key.data, o->key.len);
    if (!k || rl_hmap_put(&o->reported, k, o->key.len, (void *)1) < 0) {
        o->rc = RL_ENOMEM;
        return false;
    }
    return true;
}

static rl_finding *emit(obs *o, const char *rule, const rl_eloc *l, const char *msg)
{
    if (!msg) {
        o->rc = RL_ENOMEM;
        return NULL;
    }
    if (!first_time(o, rule, l))
        return NULL;
    return rl_emit_as(o->ctx, rule, RL_LEVEL_NONE, l->file, l->span.start.line ? &l->span : NULL,
                      l->path, o->m->primary, o->m->nstandby ? o->m->standby[0] : NULL, "%s", msg);
}

static void related(obs *o, rl_finding *f, const rl_eloc *l, const char *msg)
{
    if (f && msg && f->nrelated < 20)
        rl_emit_related(o->ctx, f, l->file, l->span.start.line ? &l->span : NULL, "%s", msg);
}

static const char *ep_text(obs *o, const rl_ep *ep)
{
    if (ep->kind == RL_EP_CLOUDFRONT)
        return rl_arena_printf(o->a, "%s (CloudFront distribution, origins in %s)", ep->name,
                               ep->region);
    return rl_arena_printf(o->a, "%s (%s)", ep->name, ep->what);
}

static void res_loc(rl_eloc *l, const rl_resource *r)
{
    const rl_node *t = rl_node_get(r->node, "Type");
    l->file = rl_doc_path(r->stack->input->doc);
    l->span = t ? t->span : r->node->span;
    l->path = r->path;
}

static bool type_selected(const obs *o, const rl_ep *ep)
{
    for (size_t i = 0; i < rl_setting_count(o->types); i++)
        if (rl_glob_match(rl_setting_str(rl_setting_at(o->types, i)), ep->res->type))
            return true;
    return false;
}

/* The primary's entry points that findings are about: outermost in their chain, in the
 * primary, of a selected type. */
static bool subject(const obs *o, rl_ep *ep)
{
    return !ep->front && is_primary(o, ep->region) && type_selected(o, ep);
}

/* The entry points of the primary a list of entry points leads to, as their chain roots. */
static void mark(obs *o, rl_ep *const *eps, size_t n, unsigned char flag)
{
    for (size_t i = 0; i < n; i++) {
        rl_ep *root = rl_edge_root(eps[i]);
        if (is_primary(o, eps[i]->region) || is_primary(o, root->region))
            o->state[root->index] |= flag;
    }
}

static bool primary_eps(const obs *o, rl_ep *const *eps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_primary(o, eps[i]->region) || is_primary(o, rl_edge_root(eps[i])->region))
            return true;
    return false;
}

/* A list of entry points for messages: "A (REST API), B (load balancer) and 3 more". */
static const char *ep_list(obs *o, rl_ep *const *eps, size_t n)
{
    rl_strbuf b = RL_STRBUF_INIT;
    for (size_t i = 0; i < n && i < 4; i++)
        rl_strbuf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", ep_text(o, eps[i]));
    if (n > 4)
        rl_strbuf_printf(&b, " and %zu more", n - 4);
    const char *r = rl_arena_strdup(o->a, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    return r ? r : "";
}

static int by_place(const void *a, const void *b)
{
    const rl_ep *x = *(rl_ep *const *)a, *y = *(rl_ep *const *)b;
    int c = strcmp(x->at.file, y->at.file);
    if (c)
        return c;
    if (x->at.span.start.line != y->at.span.start.line)
        return x->at.span.start.line < y->at.span.start.line ? -1 : 1;
    if (x->at.span.start.column != y->at.span.start.column)
        return x->at.span.start.column < y->at.span.start.column ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The primary's entry points with none of `flags`, in file order. */
static rl_ep **unflagged(obs *o, unsigned char flags, size_t *count)
{
    size_t n = rl_edge_count(o->edge), k = 0;
    rl_ep **un = calloc(n + 1, sizeof(*un));
    if (!un) {
        o->rc = RL_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        rl_ep *ep = rl_edge_at(o->edge, i);
        if (subject(o, ep) && !(o->state[i] & flags))
            un[k++] = ep;
    }
    qsort(un, k, sizeof(*un), by_place);
    *count = k;
    return un;
}

/* ---- RL701: watched from outside ---------------------------------------------------------- */

/* A watcher outside the primary region with this target. */
static void outside(obs *o, const rl_target *t)
{
    if (t->neps) {
        if (primary_eps(o, t->eps, t->neps)) {
            mark(o, t->eps, t->neps, ST_WATCHED);
            o->any_outside = true;
        }
        return;
    }
    if (t->region) {
        /* a host of the primary that is none of its known entry points
         * (api.us-east-1.example.com): it watches the primary, assume all of it */
        if (is_primary(o, t->region))
            o->generic = o->any_outside = true;
        return;
    }
    o->generic = true; /* unknown, or a name of another repository's DNS */
}

static void health_check(obs *o, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(r);
    const rl_node *cfg = tf ? r->props : rl_edge_get(st, r->props, "HealthCheckConfig");
    const char *type = ev(st, rl_edge_get(st, cfg, tf ? "type" : "Type"));
    if (type && (!strcasecmp(type, "CALCULATED") || !strcasecmp(type, "RECOVERY_CONTROL")))
        return; /* aggregates other checks / reads a routing control: watches nothing itself */
    if (type && !strcasecmp(type, "CLOUDWATCH_METRIC")) {
        const char *region =
            tf ? ev(st, rl_edge_get(st, cfg, "cloudwatch_alarm_region"))
               : ev(st, rl_edge_get(st, rl_edge_get(st, cfg, "AlarmIdentifier"), "Region"));
        const char *ins = ev(st, rl_edge_get(st, cfg,
                                             tf ? "insufficient_data_health_status"
                                                : "InsufficientDataHealthStatus"));
        /* an alarm of the primary region goes silent with it: the check only turns unhealthy
         * when missing data counts as unhealthy */
        if (region && is_primary(o, region) && !(ins && !strcasecmp(ins, "Unhealthy")))
            return;
        o->generic = o->any_outside = true;
        return;
    }
    rl_target t;
    if (rl_edge_resolve(o->edge, st, rl_edge_get(st, cfg, tf ? "fqdn" : "FullyQualifiedDomainName"),
                        false, &t) < 0 ||
        rl_edge_resolve_more(o->edge, st, rl_edge_get(st, cfg, tf ? "ip_address" : "IPAddress"),
                             false, &t) < 0) {
        o->rc = RL_ENOMEM;
        return;
    }
    /* Route 53's checkers run in several regions at once, wherever the check is defined */
    outside(o, &t);
}

static void canary(obs *o, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(r);
    rl_target t;
    memset(&t, 0, sizeof(t));
    const rl_node *code = rl_edge_get(st, r->props, "Code");
    rl_edge_resolve_more(o->edge, st, rl_edge_get(st, code, "Script"), true, &t);
    const rl_node *env =
        tf ? rl_edge_get(st, rl_edge_get(st, r->props, "run_config"), "environment_variables")
           : rl_edge_get(st, rl_edge_get(st, r->props, "RunConfig"), "EnvironmentVariables");
    for (size_t i = 0; rl_node_is_map(env) && i < env->u.map.count; i++)
        rl_edge_resolve_more(o->edge, st, env->u.map.items[i].value, false, &t);
    if (is_primary(o, st->region)) {
        /* it runs in the region it watches and fails with it */
        for (size_t i = 0; i < t.neps; i++) {
            rl_ep *root = rl_edge_root(t.eps[i]);
            if (!o->inside[root->index])
                o->inside[root->index] = r;
        }
        return;
    }
    outside(o, &t);
}

/* A failover record that Route 53 cannot act on: no health check on the PRIMARY record
 * means Route 53 considers it healthy forever. */
static void unwatched_failover(obs *o, const rl_record *rec)
{
    if (rec->policy != RL_ROUTE_FAILOVER || rec->secondary || rec->health_check ||
        rec->evaluate_health || !rec->name)
        return;
    rl_ep *reached[8];
    size_t n = 0;
    for (size_t i = 0; i < rec->nreach && n < 8; i++) {
        rl_ep *root = rl_edge_root((rl_ep *)rec->reach[i]);
        if (is_primary(o, root->region) && type_selected(o, root) &&
            !(o->state[root->index] & ST_WATCHED))
            reached[n++] = root;
    }
    const char *msg = rl_arena_printf(
        o->a,
        "the PRIMARY failover record %s has no health check: Route 53 considers a record "
        "without one healthy at all times and never answers with the SECONDARY%s%s%s",
        rec->name, n ? ", and nothing else watches " : "", n ? ep_list(o, reached, n) : "",
        n ? " from outside" : "");
    rl_finding *f = emit(o, RL_ID(RL701), &rec->policy_at, msg);
    for (size_t i = 0; i < n; i++) {
        o->state[reached[i]->index] |= ST_HANDLED;
        related(o, f, &reached[i]->at,
                rl_arena_printf(o->a, "the entry point %s", reached[i]->name));
    }
}

static void watch_resource(obs *o, const rl_resource *r)
{
    const char *t = r->type;
    if (!strcmp(t, "AWS::Route53::HealthCheck") || !strcmp(t, "aws_route53_health_check"))
        health_check(o, r);
    else if (!strcmp(t, "AWS::Synthetics::Canary") || !strcmp(t, "aws_synthetics_canary"))
        canary(o, r);
    else if ((!strcmp(t, "AWS::CloudWatch::Alarm") || !strcmp(t, "aws_cloudwatch_metric_alarm")) &&
             is_primary(o, r->stack->region))
        o->alarms++;
}

static void each_resource(obs *o, void (*fn)(obs *o, const rl_resource *r))
{
    for (size_t i = 0; i < o->m->nstacks && !o->rc; i++) {
        const rl_stack *st = o->m->stacks[i];
        if (!rl_model_in_pair(o->m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !o->rc; j++) {
            const rl_resource *r = &st->resources[j];
            if (r->type && r->deployed != 0 && strncmp(r->id, "data.", 5))
                fn(o, r);
        }
    }
}

static void check_watched(obs *o)
{
    each_resource(o, watch_resource);
    size_t nrec = rl_edge_record_count(o->edge);
    /* an alias that evaluates its target's health: Route 53 watches the target */
    for (size_t i = 0; i < nrec; i++) {
        const rl_record *rec = rl_edge_record(o->edge, i);
        if (rec->evaluate_health && rec->nreach &&
            primary_eps(o, (rl_ep *const *)rec->reach, rec->nreach)) {
            mark(o, (rl_ep *const *)rec->reach, rec->nreach, ST_WATCHED);
            o->any_outside = true;
        }
    }
    for (size_t i = 0; i < nrec && !o->rc; i++)
        unwatched_failover(o, rl_edge_record(o->edge, i));
    if (o->generic || o->rc)
        return;
    size_t nun = 0;
    rl_ep **un = unflagged(o, ST_WATCHED | ST_HANDLED, &nun);
    if (!un)
        return;
    const char *alarms =
        o->alarms
            ? rl_arena_printf(o->a, "; the %zu CloudWatch alarm%s in the primary fail%s with it",
                              o->alarms, o->alarms == 1 ? "" : "s", o->alarms == 1 ? "s" : "")
            : "";
    if (o->any_outside) {
        for (size_t i = 0; i < nun; i++) {
            const rl_resource *in = o->inside[un[i]->index];
            rl_finding *f =
                emit(o, RL_ID(RL701), &un[i]->at,
                     rl_arena_printf(
                         o->a,
                         "%s in the primary %s is not watched from outside: no Route 53 "
                         "health check, and no Synthetics canary in the standby %s, "
                         "targets it%s%s%s",
                         ep_text(o, un[i]), o->m->primary, o->standbys, in ? "; canary " : "",
                         in ? in->id : "", in ? " runs in the primary and fails with it" : ""));
            if (in) {
                rl_eloc l;
                res_loc(&l, in);
                related(o, f, &l,
                        rl_arena_printf(o->a, "canary %s runs in the primary %s and fails with it",
                                        in->id, o->m->primary));
            }
        }
    } else if (nun) {
        const rl_resource *in = NULL;
        for (size_t i = 0; i < nun && !in; i++)
            in = o->inside[un[i]->index];
        rl_finding *f =
            emit(o, RL_ID(RL701), &un[0]->at,
                 rl_arena_printf(
                     o->a,
                     "nothing watches the primary %s from outside: no Route 53 health "
                     "check, and no Synthetics canary in the standby %s, targets %s%s%s%s; "
                     "a regional outage is noticed by users first",
                     o->m->primary, o->standbys, nun == 1 ? "" : "any of its entry points ",
                     ep_list(o, un, nun), nun == 1 ? ", its entry point" : "",
                     in ? "; its only canary runs in the primary and fails with it" : alarms));
        for (size_t i = 1; i < nun; i++)
            related(o, f, &un[i]->at, rl_arena_printf(o->a, "entry point %s", un[i]->name));
        if (in) {
            rl_eloc l;
            res_loc(&l, in);
            related(
                o, f, &l,
                rl_arena_printf(o->a, "canary %s runs in the primary %s", in->id, o->m->primary));
        }
    }
    free(un);
}

/* ---- RL702: failover routing ---------------------------------------------------------------- */

static void cover(obs *o, const rl_ep *const *eps, size_t n)
{
    mark(o, (rl_ep *const *)eps, n, ST_COVERED);
    o->any_failover = true;
}

typedef struct ga_group {
    const rl_resource *r;
    const rl_node *region_node;
    const char *region;
    rl_target eps;
    bool unresolved; /* an endpoint that is none of the entry points we know */
} ga_group;

typedef struct ga {
    ga_group *g;
    size_t n, cap;
} ga;

static void ga_group_of(obs *o, const rl_resource *r, ga *acc)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(r);
    if (acc->n == acc->cap) {
        size_t cap = acc->cap ? acc->cap * 2 : 8;
        ga_group *n = realloc(acc->g, cap * sizeof(*n));
        if (!n) {
            o->rc = RL_ENOMEM;
            return;
        }
        acc->g = n;
        acc->cap = cap;
    }
    ga_group *g = &acc->g[acc->n++];
    memset(g, 0, sizeof(*g));
    g->r = r;
    g->region_node =
        rl_edge_get(st, r->props, tf ? "endpoint_group_region" : "EndpointGroupRegion");
    g->region = ev(st, g->region_node);
    if (!g->region)
        g->region = st->region; /* the group is in the region of the stack that creates it */
    const rl_node *cfgs =
        rl_edge_get(st, r->props, tf ? "endpoint_configuration" : "EndpointConfigurations");
    size_t nc = rl_node_is_seq(cfgs) ? cfgs->u.seq.count : cfgs ? 1 : 0;
    for (size_t i = 0; i < nc; i++) {
        const rl_node *c = rl_edge_pick(st, rl_node_is_seq(cfgs) ? cfgs->u.seq.items[i] : cfgs);
        size_t before = g->eps.neps;
        rl_edge_resolve_more(o->edge, st, rl_edge_get(st, c, tf ? "endpoint_id" : "EndpointId"),
                             false, &g->eps);
        if (g->eps.neps == before)
            g->unresolved = true;
    }
}

static void global_accelerators(obs *o, ga *acc)
{
    bool prim = false, stby = false;
    for (size_t i = 0; i < acc->n; i++) {
        prim |= is_primary(o, acc->g[i].region);
        stby |= is_standby(o, acc->g[i].region) || !acc->g[i].region;
    }
    if (acc->n == 0)
        return;
    if (prim && stby) {
        for (size_t i = 0; i < acc->n; i++) {
            if (acc->g[i].unresolved)
                o->app_wide = true;
            cover(o, (const rl_ep *const *)acc->g[i].eps.eps, acc->g[i].eps.neps);
        }
        return;
    }
    for (size_t i = 0; i < acc->n; i++) {
        ga_group *g = &acc->g[i];
        if (!is_primary(o, g->region) || !primary_eps(o, g->eps.eps, g->eps.neps))
            continue;
        rl_eloc l;
        res_loc(&l, g->r);
        if (g->region_node) {
            l.span = g->region_node->span;
            l.path = rl_arena_printf(o->a, "%s.%s", g->r->path,
                                     is_tf(g->r) ? "endpoint_group_region"
                                                 : "Properties.EndpointGroupRegion");
        }
        emit(o, RL_ID(RL702), &l,
             rl_arena_printf(o->a,
                             "Global Accelerator endpoint group %s routes %s only to the primary "
                             "%s: no endpoint group in the standby %s to fail over to",
                             g->r->id, ep_list(o, g->eps.eps, g->eps.neps), o->m->primary,
                             o->standbys));
        mark(o, g->eps.eps, g->eps.neps, ST_HANDLED);
    }
}

static void arc(obs *o, const rl_resource *r, ga *acc)
{
    const char *t = r->type;
    const rl_stack *st = r->stack;
    if (!strcmp(t, "AWS::Route53RecoveryControl::RoutingControl") ||
        !strcmp(t, "aws_route53recoverycontrolconfig_routing_control")) {
        o->app_wide = o->any_failover = true;
    } else if (!strcmp(t, "AWS::Route53::HealthCheck") || !strcmp(t, "aws_route53_health_check")) {
        const rl_node *cfg = is_tf(r) ? r->props : rl_edge_get(st, r->props, "HealthCheckConfig");
        const char *type = ev(st, rl_edge_get(st, cfg, is_tf(r) ? "type" : "Type"));
        if (type && !strcasecmp(type, "RECOVERY_CONTROL"))
            o->app_wide = o->any_failover = true; /* records gated by a routing control */
    } else if (!strcmp(t, "AWS::ARCRegionSwitch::Plan") || !strcmp(t, "aws_arcregionswitch_plan")) {
        const rl_node *regions = rl_edge_get(st, r->props, is_tf(r) ? "regions" : "Regions");
        bool prim = false, stby = false, unknown = !rl_node_is_seq(regions);
        for (size_t i = 0; rl_node_is_seq(regions) && i < regions->u.seq.count; i++) {
            const char *reg = ev(st, regions->u.seq.items[i]);
            prim |= is_primary(o, reg);
            stby |= is_standby(o, reg);
            unknown |= !reg;
        }
        if ((prim && stby) || unknown)
            o->app_wide = o->any_failover = true;
    } else if (!strcmp(t, "AWS::GlobalAccelerator::EndpointGroup") ||
               !strcmp(t, "aws_globalaccelerator_endpoint_group")) {
        ga_group_of(o, r, acc);
    }
}

/* Whether the records of one name send traffic to both regions of the pair. */
static bool spanning(obs *o, const rl_record *const *m, size_t n, bool *unknown_target)
{
    bool prim = false, stby = false, unknown = false, p_role = false, s_role = false;
    rl_route_policy pol = m[0]->policy;
    *unknown_target = false;
    for (size_t i = 0; i < n; i++) {
        prim |= is_primary(o, m[i]->region);
        stby |= is_standby(o, m[i]->region);
        unknown |= !m[i]->region;
        if (m[i]->secondary)
            s_role = true;
        else
            p_role = true;
        if (!m[i]->nreach)
            *unknown_target = true;
        if (m[i]->policy != pol)
            pol = RL_ROUTE_OTHER;
    }
    if (pol == RL_ROUTE_SIMPLE || n < 2)
        return false;
    if (pol == RL_ROUTE_FAILOVER && (!p_role || !s_role))
        return false;
    return (prim && stby) || unknown;
}

typedef struct recs {
    rl_hmap names; /* name -> (index + 1) of the first record; chained by next[] */
    size_t *next;
} recs;

static int group_records(obs *o, recs *g)
{
    size_t n = rl_edge_record_count(o->edge);
    g->next = calloc(n + 1, sizeof(*g->next));
    if (!g->next)
        return RL_ENOMEM;
    for (size_t i = n; i-- > 0;) {
        const rl_record *rec = rl_edge_record(o->edge, i);
        if (!rec->name)
            continue;
        void **slot = rl_hmap_slot(&g->names, rec->name, strlen(rec->name));
        if (slot) {
            g->next[i] = (size_t)(uintptr_t)*slot;
            *slot = (void *)(uintptr_t)(i + 1);
        } else if (rl_hmap_puts(&g->names, rec->name, (void *)(uintptr_t)(i + 1)) < 0) {
            return RL_ENOMEM;
        }
    }
    return RL_OK;
}

static size_t members(obs *o, const recs *g, const char *name, const rl_record **out, size_t max)
{
    size_t n = 0;
    for (size_t j = (size_t)(uintptr_t)rl_hmap_gets(&g->names, name); j && n < max;
         j = g->next[j - 1])
        out[n++] = rl_edge_record(o->edge, j - 1);
    return n;
}

static const char *policy_name(rl_route_policy p)
{
    switch (p) {
    case RL_ROUTE_FAILOVER:
        return "failover";
    case RL_ROUTE_LATENCY:
        return "latency";
    case RL_ROUTE_WEIGHTED:
        return "weighted";
    case RL_ROUTE_OTHER:
        return "routed";
    default:
        return "simple";
    }
}

/* Records of one name that route to the primary only: reported at each record that
 * reaches an entry point of the primary nothing else covers. */
static void one_region(obs *o, const rl_record *const *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const rl_record *rec = m[i];
        rl_ep *reached[8];
        size_t nr = 0;
        for (size_t k = 0; k < rec->nreach && nr < 8; k++) {
            rl_ep *root = rl_edge_root((rl_ep *)rec->reach[k]);
            if ((is_primary(o, root->region) || is_primary(o, rec->reach[k]->region)) &&
                type_selected(o, root) && !(o->state[root->index] & ST_COVERED))
                reached[nr++] = root;
        }
        if (!nr)
            continue;
        const char *to = ep_list(o, reached, nr);
        const char *msg;
        const rl_eloc *at = &rec->at;
        if (rec->policy == RL_ROUTE_SIMPLE) {
            bool twice = rec->res->stack->shared;
            msg = rl_arena_printf(o->a,
                                  "%s is a simple record to %s in the primary %s: no failover, "
                                  "latency or weighted record sends traffic to the standby %s%s",
                                  rec->name, to, o->m->primary, o->standbys,
                                  twice ? " (and the standby's copy of this shared template "
                                          "creates the same name)"
                                        : "");
        } else if (rec->policy == RL_ROUTE_FAILOVER) {
            at = &rec->policy_at;
            msg = rl_arena_printf(o->a,
                                  "%s has a %s failover record to %s in the primary %s but no %s "
                                  "record in the standby %s: there is nothing to fail over to",
                                  rec->name, rec->secondary ? "SECONDARY" : "PRIMARY", to,
                                  o->m->primary, rec->secondary ? "PRIMARY" : "SECONDARY",
                                  o->standbys);
        } else {
            at = &rec->policy_at;
            msg = rl_arena_printf(o->a,
                                  "the %s records of %s send traffic to %s in the primary %s "
                                  "only: none to the standby %s",
                                  policy_name(rec->policy), rec->name, to, o->m->primary,
                                  o->standbys);
        }
        rl_finding *f = emit(o, RL_ID(RL702), at, msg);
        for (size_t k = 0; k < nr; k++) {
            o->state[reached[k]->index] |= ST_HANDLED;
            related(o, f, &reached[k]->at,
                    rl_arena_printf(o->a, "the entry point %s", reached[k]->name));
        }
    }
}

static void arc_each(obs *o, const rl_resource *r)
{
    arc(o, r, o->acc);
}

static void check_routing(obs *o)
{
    ga acc = {NULL, 0, 0};
    o->acc = &acc;
    each_resource(o, arc_each);
    o->acc = NULL;
    if (!o->rc)
        global_accelerators(o, &acc);
    free(acc.g);
    size_t n = rl_edge_count(o->edge);
    for (size_t i = 0; i < n; i++) {
        rl_ep *ep = rl_edge_at(o->edge, i);
        if (ep->origin_failover) {
            o->state[ep->index] |= ST_COVERED;
            o->any_failover = true;
        }
    }
    recs g = {RL_HMAP_INIT, NULL};
    if (o->rc || group_records(o, &g) < 0) {
        o->rc = o->rc ? o->rc : RL_ENOMEM;
        goto cleanup;
    }
    const rl_record *m[64];
    size_t it = 0;
    rl_hmap_entry *he;
    while ((he = rl_hmap_next(&g.names, &it))) {
        size_t k = members(o, &g, he->key, m, 64);
        bool unknown, reach_primary = false;
        if (!k || !spanning(o, m, k, &unknown))
            continue;
        for (size_t i = 0; i < k; i++) {
            reach_primary |= primary_eps(o, (rl_ep *const *)m[i]->reach, m[i]->nreach);
            cover(o, m[i]->reach, m[i]->nreach);
        }
        if (unknown && !reach_primary)
            o->app_wide = true; /* routes something over both regions that we cannot see */
        o->any_failover = true;
    }
    if (o->app_wide)
        goto cleanup;
    /* record sets that route to the primary alone, in file order */
    for (size_t i = 0; i < rl_edge_record_count(o->edge) && !o->rc; i++) {
        const rl_record *rec = rl_edge_record(o->edge, i);
        if (!rec->name)
            continue;
        size_t k = members(o, &g, rec->name, m, 64);
        bool unknown;
        if (k && m[0] == rec && !spanning(o, m, k, &unknown))
            one_region(o, m, k);
    }
    size_t nun = 0;
    rl_ep **un = unflagged(o, ST_COVERED | ST_HANDLED, &nun);
    if (!un)
        goto cleanup;
    if (o->any_failover) {
        for (size_t i = 0; i < nun; i++)
            emit(o, RL_ID(RL702), &un[i]->at,
                 rl_arena_printf(o->a,
                                 "%s in the primary %s has no failover routing: no Route 53 "
                                 "failover, latency or weighted records over both regions, no "
                                 "Global Accelerator, CloudFront origin failover or ARC reaches "
                                 "it, so its traffic cannot move to the standby %s",
                                 ep_text(o, un[i]), o->m->primary, o->standbys));
    } else if (nun) {
        rl_finding *f =
            emit(o, RL_ID(RL702), &un[0]->at,
                 rl_arena_printf(
                     o->a,
                     "no failover routing for the primary %s: %s%s %s behind Route 53 "
                     "failover, latency or weighted records over both regions, a Global "
                     "Accelerator with an endpoint group in the standby %s, CloudFront "
                     "origin failover or ARC",
                     o->m->primary, nun == 1 ? "its entry point " : "none of its entry points ",
                     ep_list(o, un, nun), nun == 1 ? "is not" : "is", o->standbys));
        for (size_t i = 1; i < nun; i++)
            related(o, f, &un[i]->at, rl_arena_printf(o->a, "entry point %s", un[i]->name));
    }
    free(un);
cleanup:
    rl_hmap_free(&g.names);
    free(g.next);
}

int rl_check_observability(rl_rule_ctx *ctx)
{
    obs o;
    memset(&o, 0, sizeof(o));
    o.ctx = ctx;
    o.m = rl_ctx_model(ctx);
    bool on701 = rl_ctx_enabled(ctx, RL_ID(RL701)), on702 = rl_ctx_enabled(ctx, RL_ID(RL702));
    if ((!on701 && !on702) || !o.m->primary || !o.m->nstandby)
        return RL_OK;
    o.types = rl_ctx_setting(ctx, RL_ID(RL701), "entry-point-types");
    bool require = rl_ctx_setting_bool(ctx, RL_ID(RL701), "require-edge-layer");
    const rl_config *cfg = rl_ctx_config(ctx);
    int rc = RL_OK;
    o.key = (rl_strbuf)RL_STRBUF_INIT;
    if (!(o.a = rl_arena_new(0)))
        return RL_ENOMEM;
    if (!(o.edge = rl_model_edge(o.m)))
        goto cleanup;
    /* the edge layer (DNS, CDN, accelerators, ARC, canaries) must be in the inputs, or the
     * config must declare a recovery time: otherwise these files are a piece of a system
     * whose routing and monitoring live elsewhere */
    if (require && !rl_edge_layer_present(o.edge) && !(cfg && cfg->rto >= 0))
        goto cleanup;
    rl_strbuf sb = RL_STRBUF_INIT;
    for (size_t i = 0; i < o.m->nstandby; i++)
        rl_strbuf_printf(&sb, "%s%s", i ? ", " : "", o.m->standby[i]);
    o.standbys = rl_arena_strdup(o.a, rl_strbuf_cstr(&sb));
    rl_strbuf_free(&sb);
    size_t n = rl_edge_count(o.edge);
    o.state = rl_arena_calloc(o.a, n + 1, 1);
    o.inside = rl_arena_calloc(o.a, n + 1, sizeof(*o.inside));
    if (!o.standbys || !o.state || !o.inside) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    if (on701)
        check_watched(&o);
    if (on702 && !o.rc) {
        memset(o.state, 0, n + 1);
        check_routing(&o);
    }
    rc = o.rc;
cleanup:
    rl_hmap_free(&o.reported);
    rl_strbuf_free(&o.key);
    rl_arena_free(o.a);
    return rc;
}
