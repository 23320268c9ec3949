/* The data family: how the primary's data reaches each standby. The model
 * (src/model/datastores.c) finds the primary's stores, every mechanism that copies their data
 * to another region with the best recovery point it can promise, and the writers of stores
 * whose replicas all take writes. RL601 compares that recovery point with the declared RPO,
 * RL602 reports stores written in two regions with last-writer-wins replication, RL603
 * reports stores with no copy in a standby (or only backups where the strategy needs a live
 * replica). */
#include <regionlint/eval.h>

#include "../base/arena.h"
#include "../model/datastores.h"
#include "checks.h"
#include "../base/time.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_RELATED 10
_Static_assert(MAX_RELATED / 2 <= RL_DS_WRITERS_KEPT,
               "the model keeps enough writers per region for RL602's related locations");

typedef struct dc {
    rl_rule_ctx *ctx;
    const rl_model *m;
    bool on601, on602, on603;
    long rpo;          /* declared, seconds; -1 none */
    bool need_replica; /* RL603: the strategy needs a live replica in the standby */
    const char *strategy;
    rl_setting ignore_types;  /* RL603 ignore-types */
    rl_setting single_writer; /* RL602 single-writer */
    rl_arena *a;
    int rc;
} dc;

static bool glob_list_match(rl_setting list, const char *s)
{
    for (size_t i = 0; s && i < rl_setting_count(list); i++)
        if (rl_glob_match(rl_setting_str(rl_setting_at(list, i)), s))
            return true;
    return false;
}

/* Where a finding about a store points: its type (the resource as a whole), as the other
 * resource-level rules do. */
static void locate(const rl_ds_store *s, const char **file, rl_span *span)
{
    const rl_node *n = rl_node_get(s->res->node, "Type");
    if (!n)
        n = s->res->node;
    *file = rl_doc_path(s->res->stack->input->doc);
    *span = n->span;
}

/* "Orders (AWS::DynamoDB::Table, table 'orders')" */
static const char *label(dc *c, const rl_ds_store *s)
{
    const char *r = s->name ? rl_arena_printf(c->a, "%s (%s, %s '%s')", s->res->id, s->res->type,
                                              s->kind, s->name)
                            : rl_arena_printf(c->a, "%s (%s)", s->res->id, s->res->type);
    if (!r)
        c->rc = RL_ENOMEM;
    return r ? r : "";
}

/* Through what a link works: "plan nightly, rule to-dr, every 1d", "to bucket x". */
static const char *how(dc *c, const rl_ds_link *l)
{
    const rl_ds_how *h = &l->how;
    char gap[32];
    rl_duration_format(l->rpo, gap, sizeof(gap));
    const char *every =
        l->rpo > 0 ? rl_arena_cat(c->a, ", every ", gap, NULL) : ", schedule not readable";
    const char *name = h->name ? h->name : "?";
    switch (h->kind) {
    case RL_HOW_PLAN:
        return rl_arena_printf(c->a, "plan %s%s%s%s", name, h->rule ? ", rule " : "",
                               h->rule ? h->rule : "", every ? every : "");
    case RL_HOW_SELECTION:
        return rl_arena_printf(c->a, "selection %s, schedule not readable", name);
    case RL_HOW_LIFECYCLE:
        return rl_arena_printf(c->a, "lifecycle policy %s%s", name, every ? every : "");
    case RL_HOW_BUCKET:
        return rl_arena_printf(c->a, "to bucket %s", name);
    case RL_HOW_UNNAMED_GLOBAL:
        return "a global cluster the files cannot name";
    case RL_HOW_UNNAMED_SECONDARY:
        return "a secondary cluster whose global cluster the files cannot name";
    case RL_HOW_UNNAMED_SOURCE:
        return "a copy whose source the files cannot name";
    default:
        return NULL;
    }
}

/* "S3 replication without Replication Time Control (to bucket x; most objects ...)" */
static const char *mechanism(dc *c, const rl_ds_link *l)
{
    const char *detail = how(c, l);
    const char *r =
        detail ? rl_arena_printf(c->a, "%s (%s; %s)", l->info->name, detail, l->info->figure)
               : rl_arena_printf(c->a, "%s (%s)", l->info->name, l->info->figure);
    if (!r)
        c->rc = RL_ENOMEM;
    return r ? r : "";
}

static void relate_link(dc *c, rl_finding *f, const rl_ds_link *l)
{
    if (f && l && l->file && l->span.start.line)
        rl_emit_related(c->ctx, f, l->file, &l->span, "%s%s%s", l->info->name,
                        l->region ? " to " : "", l->region ? l->region : "");
}

/* ---- RL601 and RL603 ---------------------------------------------------------------------- */

static void check_store(dc *c, const rl_ds_store *s, const char *standby)
{
    rl_ds_reach reach;
    rl_ds_reach_of(s, standby, &reach);
    rl_ds_class got = reach.known > reach.maybe ? reach.known : reach.maybe;
    const char *file;
    rl_span span;
    locate(s, &file, &span);
    const char *primary = s->res->stack->region;
    if (s->unknown && got < RL_DS_ASYNC) {
        /* unknown is never absent: what the files cannot tell may be the replica */
        if (c->on603) {
            rl_finding *f =
                rl_emit_as(c->ctx, RL_ID(RL603), RL_LEVEL_NOTE, file, &span, s->res->path, primary,
                           standby, "cannot tell whether anything copies %s to %s: %s", label(c, s),
                           standby, s->unknown);
            rl_emit_related(c->ctx, f, s->unknown_file, &s->unknown_span,
                            "what the files do not give");
        }
        return;
    }
    if (c->on603 && got == RL_DS_NONE) {
        /* a secret is generated anew by the standby's stack: a different value, not none */
        rl_emit_as(c->ctx, RL_ID(RL603), RL_LEVEL_NONE, file, &span, s->res->path, primary, standby,
                   "%s in the primary region %s has no replica, backup copy or restore path in "
                   "%s: %s",
                   label(c, s), primary, standby,
                   s->data ? "after a failover its data is not there"
                           : "the standby's copy holds a different value, so what the primary's "
                             "value protects cannot be opened there");
        return;
    }
    if (c->on603 && got == RL_DS_BACKUP && c->need_replica) {
        rl_finding *f = rl_emit_as(
            c->ctx, RL_ID(RL603), RL_LEVEL_WARNING, file, &span, s->res->path, primary, standby,
            "%s in the primary region %s reaches %s only as %s: under the %s strategy the "
            "standby needs a live replica to take over, not a restore",
            label(c, s), primary, standby, reach.best ? mechanism(c, reach.best) : "backups",
            c->strategy);
        relate_link(c, f, reach.best);
    }
    if (!c->on601 || c->rpo < 0 || !s->data)
        return;
    char want[32], have[32];
    rl_duration_format(c->rpo, want, sizeof(want));
    if (got == RL_DS_NONE) {
        /* RL603 reports a store with no copy at all; without it, the RPO is the reason */
        if (!c->on603)
            rl_emit_as(c->ctx, RL_ID(RL601), RL_LEVEL_NONE, file, &span, s->res->path, primary,
                       standby,
                       "%s in %s has nothing that copies its data to %s: every write since the "
                       "last deploy is lost in a failover, but the declared RPO is %s",
                       label(c, s), primary, standby, want);
        return;
    }
    if (reach.rpo < 0 || reach.rpo <= c->rpo || !reach.best)
        return; /* a schedule that cannot be read is not compared */
    rl_duration_format(reach.rpo, have, sizeof(have));
    /* a copy whose destination the files do not show may not reach the standby at all:
     * either way the RPO is not met */
    rl_finding *f =
        rl_emit_as(c->ctx, RL_ID(RL601), RL_LEVEL_NONE, file, &span, s->res->path, primary, standby,
                   "%s in %s %s %s through %s: the best recovery point that promises is %s, "
                   "more than the declared RPO of %s",
                   label(c, s), primary, reach.best->region ? "reaches" : "at most reaches",
                   standby, mechanism(c, reach.best), have, want);
    relate_link(c, f, reach.best);
}

/* ---- RL602 -------------------------------------------------------------------------------- */

static bool single_writer(dc *c, const rl_ds_store *s)
{
    return glob_list_match(c->single_writer, s->name) ||
           glob_list_match(c->single_writer, s->res->id);
}

static const char *region_list(dc *c, uint64_t set)
{
    char buf[512];
    size_t o = 0, k = 0, total = 0;
    for (size_t i = 0; i < c->m->nregions && i < 64; i++)
        total += set >> i & 1;
    buf[0] = '\0';
    for (size_t i = 0; i < c->m->nregions && i < 64 && o < sizeof(buf); i++) {
        if (!(set >> i & 1))
            continue;
        k++;
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
                              k == 1       ? ""
                              : k == total ? " and "
                                           : ", ",
                              c->m->regions[i]);
    }
    const char *r = rl_arena_strdup(c->a, buf);
    if (!r)
        c->rc = RL_ENOMEM;
    return r ? r : "";
}

static uint64_t bit_of(const rl_model *m, const char *region)
{
    for (size_t i = 0; region && i < m->nregions && i < 64; i++)
        if (!strcmp(m->regions[i], region))
            return (uint64_t)1 << i;
    return 0;
}

static void check_writers(dc *c, const rl_ds_store *s)
{
    if (single_writer(c, s))
        return;
    const char *file;
    rl_span span;
    locate(s, &file, &span);
    const char *primary = s->res->stack->region;
    if (s->forwarded) {
        const rl_node *fw = rl_node_get(s->forwarder->props, "EnableGlobalWriteForwarding");
        if (!fw)
            fw = rl_node_get(s->forwarder->props, "enable_global_write_forwarding");
        rl_finding *f = rl_emit_as(
            c->ctx, RL_ID(RL602), RL_LEVEL_NONE, file, &span, s->res->path, primary, s->forwarded,
            "%s in %s is also written from %s: its secondary cluster there forwards writes "
            "(global write forwarding), and without aurora_replica_read_consistency SESSION or "
            "GLOBAL a read-modify-write in %s works on stale data and overwrites newer writes "
            "from %s",
            label(c, s), primary, s->forwarded, s->forwarded, primary);
        if (f && fw)
            rl_emit_related(c->ctx, f, rl_doc_path(s->forwarder->stack->input->doc), &fw->span,
                            "write forwarding of %s in %s", s->forwarder->id, s->forwarded);
        return;
    }
    if (!s->lww)
        return;
    uint64_t written = 0;
    for (const rl_ds_writer *w = s->writers; w; w = w->next)
        written |= bit_of(c->m, w->region);
    written &= s->replicas;
    if (!(written & 1) || !(written & ~(uint64_t)1))
        return; /* the primary and at least one standby */
    const char *other = NULL;
    for (size_t i = 1; i < c->m->nregions && i < 64 && !other; i++)
        if (written >> i & 1)
            other = c->m->regions[i];
    rl_finding *f = rl_emit_as(
        c->ctx, RL_ID(RL602), RL_LEVEL_NONE, file, &span, s->res->path, primary, other,
        "%s is written in %s (%s, last writer wins) and no single-writer rule keeps one region "
        "its only writer: when both regions update the same %s before replication catches up, "
        "one update is silently lost",
        label(c, s), region_list(c, written), s->lww_how ? s->lww_how : "replicas",
        strstr(s->kind, "S3") ? "object" : "item");
    /* the writers of each region, the primary's first; a few per region are enough */
    for (size_t i = 0; f && i < c->m->nregions && i < 64; i++) {
        if (!(written >> i & 1))
            continue;
        size_t n = 0;
        for (const rl_ds_writer *w = s->writers; w && n < MAX_RELATED / 2; w = w->next) {
            if (strcmp(w->region, c->m->regions[i]) || !w->file)
                continue;
            bool dup = false;
            for (const rl_ds_writer *v = s->writers; v != w && !dup; v = v->next)
                dup = v->file && !strcmp(v->region, w->region) && !strcmp(v->file, w->file) &&
                      v->span.start.line == w->span.start.line &&
                      v->span.start.column == w->span.start.column;
            if (dup)
                continue;
            rl_emit_related(c->ctx, f, w->file, &w->span, "writes in %s: %s", w->region, w->label);
            n++;
        }
    }
}

/* ---- the check ---------------------------------------------------------------------------- */

int rl_check_data(rl_rule_ctx *ctx)
{
    dc c;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.m = rl_ctx_model(ctx);
    c.on601 = rl_ctx_enabled(ctx, RL_ID(RL601));
    c.on602 = rl_ctx_enabled(ctx, RL_ID(RL602));
    c.on603 = rl_ctx_enabled(ctx, RL_ID(RL603));
    const rl_config *cfg = rl_ctx_config(ctx);
    c.rpo = cfg ? cfg->rpo : -1;
    if (!c.on603 && (!c.on601 || c.rpo < 0) && !c.on602)
        return RL_OK;
    rl_strategy strat = rl_ctx_strategy(ctx);
    c.strategy = rl_strategy_name(strat);
    const char *need =
        rl_setting_str(rl_setting_get(rl_ctx_setting(ctx, RL_ID(RL603), "required"), c.strategy));
    c.need_replica = need ? !strcmp(need, "replication") : strat != RL_STRATEGY_BACKUP_RESTORE;
    c.ignore_types = rl_ctx_setting(ctx, RL_ID(RL603), "ignore-types");
    c.single_writer = rl_ctx_setting(ctx, RL_ID(RL602), "single-writer");
    c.a = rl_arena_new(0);
    if (!c.a)
        return RL_ENOMEM;
    rl_ds_store *const *stores;
    size_t n;
    int rc = rl_ds_stores(c.m, &stores, &n);
    for (size_t i = 0; i < n && rc == RL_OK && c.rc == RL_OK; i++) {
        const rl_ds_store *s = stores[i];
        if (glob_list_match(c.ignore_types, s->res->type))
            continue;
        for (size_t j = 0; j < c.m->nstandby && c.rc == RL_OK; j++)
            if (c.on601 || c.on603)
                check_store(&c, s, c.m->standby[j]);
        if (c.on602)
            check_writers(&c, s);
    }
    if (rc == RL_OK)
        rc = c.rc;
    rl_arena_free(c.a);
    return rc;
}
