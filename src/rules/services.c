/* The services family: can the standby use the services its stacks need? One walk over the
 * resources of every standby stack feeds RL303 (the region does not offer the service or
 * resource type) and, through the SCP evaluator, RL301 (an explicit Deny), RL302 (no Allow
 * at some level of root -> OU -> account) and RL304 (a Deny unless a condition the linter
 * cannot know holds). Each decision for the standby is compared with the decision for the
 * same request from the primary: only what blocks the standby and not the primary is a
 * gap; a statement (or a level) that blocks both is one note, however many resources and
 * actions it blocks. SCP decisions depend only on (path, action, region) and are cached,
 * so the walk stays linear in the number of resources. */
#include <regionlint/model.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A statement (RL301) or a level (RL302) that blocks the standby and the primary alike:
 * one note, written after the walk with what it blocks. */
typedef struct both {
    const char *rule;
    const rl_scp_hit *hit;       /* the standby's denying statement, or its level */
    const rl_scp_path *path;     /* the standby's path */
    const rl_scp_decision *pd;   /* the primary's decision for the first action */
    const rl_resource *res;      /* the first resource blocked */
    const char *action, *region; /* the first action and where the standby requests it */
    bool same;                   /* the primary is blocked by this very statement or level */
    size_t nactions, nresources, nstandbys;
    struct both *next;
} both;

typedef struct svc {
    rl_rule_ctx *ctx;
    const rl_model *m;
    bool on301, on302, on303, on304;
    rl_hmap cache;    /* "path|region|action" -> rl_scp_decision* */
    rl_hmap reported; /* "rule|file|line|col|region" of findings made */
    rl_hmap boths;    /* statement or level key -> both* */
    rl_hmap seen;     /* "both|action", "both|resource", "both|region" counted */
    both *first, **last;
    rl_arena *arena;
    rl_strbuf key;
    int rc;
} svc;

/* The actions of one resource that got one outcome. */
typedef struct verdict {
    const char *action; /* the first such action */
    const char *region; /* the region its request names */
    const rl_scp_decision *d;
    size_t count; /* how many of the resource's actions */
} verdict;

static const char *keyf(svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *keyf(svc *s, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    rl_strbuf_clear(&s->key);
    rl_strbuf_puts(&s->key, tmp);
    if (s->key.failed) {
        s->rc = RL_ENOMEM;
        return NULL;
    }
    return rl_strbuf_cstr(&s->key);
}

/* True the first time `k` is put in `set` (a NULL key is never first). */
static bool first_in(svc *s, rl_hmap *set, const char *k)
{
    if (!k || rl_hmap_gets(set, k))
        return false;
    char *copy = rl_arena_strdup(s->arena, k);
    if (!copy || rl_hmap_puts(set, copy, (void *)1) < 0) {
        s->rc = RL_ENOMEM;
        return false;
    }
    return true;
}

static bool first_time(svc *s, const char *rule, const char *file, const rl_span *sp,
                       const char *region)
{
    return first_in(
        s, &s->reported,
        keyf(s, "%s|%s|%u|%u|%s", rule, file, sp->start.line, sp->start.column, region));
}

static const rl_scp_decision *decide(svc *s, const rl_scp_path *path, const char *action,
                                     const char *region)
{
    const char *k = keyf(s, "%p|%s|%s", (const void *)path, region, action);
    if (!k)
        return NULL;
    const rl_scp_decision *d = rl_hmap_gets(&s->cache, k);
    if (d)
        return d;
    rl_scp_decision *nd = rl_arena_alloc(s->arena, sizeof(*nd));
    char *copy = rl_arena_strdup(s->arena, k);
    if (!nd || !copy) {
        s->rc = RL_ENOMEM;
        return NULL;
    }
    rl_request req = {action, NULL, region, path ? path->account : NULL, NULL, NULL};
    rl_scp_evaluate(path, &req, nd);
    if (rl_hmap_puts(&s->cache, copy, nd) < 0) {
        s->rc = RL_ENOMEM;
        return NULL;
    }
    return nd;
}

/* ---- wording ---------------------------------------------------------------------- */

static void put_scp(rl_strbuf *b, const rl_scp *scp)
{
    rl_strbuf_printf(b, "SCP \"%s\"", scp->name ? scp->name : "?");
    if (scp->id && (!scp->name || strcmp(scp->id, scp->name)))
        rl_strbuf_printf(b, " (%s)", scp->id);
}

static void put_statement(rl_strbuf *b, const rl_statement *st)
{
    if (st->sid)
        rl_strbuf_printf(b, "statement \"%s\"", st->sid);
    else
        rl_strbuf_printf(b, "statement #%zu", st->index + 1);
}

static void put_level(rl_strbuf *b, const rl_scp_level *lv)
{
    if (!lv->target) {
        rl_strbuf_puts(b, "the SCPs given");
        return;
    }
    if (!strcmp(lv->target, "root")) {
        rl_strbuf_puts(b, "the root"); /* a folder called root, its id not exported */
        return;
    }
    rl_strbuf_printf(b, "the %s %s", lv->kind, lv->target);
    if (lv->name)
        rl_strbuf_printf(b, " (\"%s\")", lv->name);
}

/* "no SCP attached to the organizational unit ou-... allows " */
static void put_no_allow(rl_strbuf *b, const rl_scp_level *lv)
{
    if (lv->target) {
        rl_strbuf_puts(b, "no SCP attached to ");
        put_level(b, lv);
    } else {
        rl_strbuf_puts(b, "none of the SCPs given");
    }
    rl_strbuf_puts(b, " allows ");
}

static void put_action(rl_strbuf *b, const verdict *v, const char *region)
{
    rl_strbuf_puts(b, v->action);
    if (strcmp(v->region, region))
        rl_strbuf_printf(b, " (requested in %s, where the global service lives)", v->region);
}

static void put_more(rl_strbuf *b, const verdict *v)
{
    if (v->count > 1)
        rl_strbuf_printf(b, " (and %zu more of the actions it needs)", v->count - 1);
}

/* The way out of a Deny that matched "maybe": any one of its open parts failing. */
static void put_exemption(rl_strbuf *b, const rl_scp_hit *h, bool deny)
{
    char cond[600];
    for (size_t i = 0; i < h->match.nopen; i++) {
        rl_condition_describe(h->match.open[i], deny, cond, sizeof(cond));
        rl_strbuf_printf(b, "%s%s", i ? (deny ? " or " : " and ") : "", cond);
    }
    if (h->match.resource_open && h->stmt->nresources) {
        bool is = h->stmt->not_resource == deny;
        rl_strbuf_printf(b, "%sthe resource is %s\"%s\"%s",
                         h->match.nopen ? (deny ? " or " : " and ") : "", is ? "" : "not ",
                         h->stmt->resources[0],
                         h->stmt->nresources > 1 ? " (or another listed)" : "");
    }
}

static void related_statements(svc *s, rl_finding *f, const rl_scp_path *path,
                               const rl_scp_decision *d, const char *verb)
{
    for (size_t i = 0; f && i < d->nhits; i++) {
        const rl_scp_hit *h = &d->hits[i];
        if (!h->scp || !h->stmt || !h->scp->input)
            continue;
        rl_strbuf b = RL_STRBUF_INIT;
        rl_strbuf_printf(&b, "the %s ", verb);
        put_statement(&b, h->stmt);
        rl_strbuf_puts(&b, " of ");
        put_scp(&b, h->scp);
        const rl_scp_level *lv = &path->levels[h->level];
        if (lv->target) {
            rl_strbuf_puts(&b, ", attached to ");
            put_level(&b, lv);
        } else {
            rl_strbuf_puts(&b, ", in force for every account (no organization structure was "
                               "exported)");
        }
        if (!b.failed)
            rl_emit_related(s->ctx, f, h->scp->input->path, &h->stmt->node->span, "%s",
                            rl_strbuf_cstr(&b));
        rl_strbuf_free(&b);
    }
}

/* Where the finding points: the resource's type (the thing that needs the service). */
static void locate(const rl_resource *res, const char **file, rl_span *span)
{
    const rl_node *n = rl_node_get(res->node, "Type");
    if (!n)
        n = rl_node_get(res->node, "type");
    if (!n)
        n = res->node;
    *file = rl_doc_path(res->stack->input->doc);
    *span = n->span;
}

static void emit(svc *s, const char *rule, const rl_resource *res, const char *msg,
                 rl_finding **out)
{
    const char *file;
    rl_span span;
    locate(res, &file, &span);
    *out = NULL;
    if (!first_time(s, rule, file, &span, res->stack->region))
        return;
    *out = rl_emit_as(s->ctx, rule, RL_LEVEL_NONE, file, &span, res->path, res->stack->region, NULL,
                      "%s", msg);
}

static void lead(rl_strbuf *b, const rl_resource *res, const char *what)
{
    rl_strbuf_printf(b, "%s (%s) %s the standby region %s: ", res->id, res->type, what,
                     res->stack->region);
}

/* ---- RL301, RL302, RL304 ---------------------------------------------------------- */

static void report_denied(svc *s, const rl_resource *res, const rl_scp_path *path, const verdict *v)
{
    const rl_scp_hit *h = &v->d->hits[0];
    rl_strbuf b = RL_STRBUF_INIT;
    lead(&b, res, "cannot be deployed in");
    put_scp(&b, h->scp);
    rl_strbuf_puts(&b, " ");
    put_statement(&b, h->stmt);
    rl_strbuf_puts(&b, " denies ");
    put_action(&b, v, res->stack->region);
    put_more(&b, v);
    rl_finding *f;
    if (!b.failed) {
        emit(s, RL_ID(RL301), res, rl_strbuf_cstr(&b), &f);
        related_statements(s, f, path, v->d, "denying");
    }
    rl_strbuf_free(&b);
}

static void report_not_allowed(svc *s, const rl_resource *res, const rl_scp_path *path,
                               const verdict *v)
{
    const rl_scp_level *lv = &path->levels[v->d->hits[0].level];
    rl_strbuf b = RL_STRBUF_INIT;
    lead(&b, res, "cannot be deployed in");
    put_no_allow(&b, lv);
    put_action(&b, v, res->stack->region);
    rl_strbuf_puts(&b, " there");
    put_more(&b, v);
    rl_strbuf_puts(&b, ", and every level root -> OU -> account needs an Allow");
    rl_finding *f;
    if (b.failed) {
        rl_strbuf_free(&b);
        return;
    }
    emit(s, RL_ID(RL302), res, rl_strbuf_cstr(&b), &f);
    rl_strbuf_free(&b);
    for (size_t i = 0; f && i < lv->nscps && i < 8; i++) {
        const rl_scp *scp = lv->scps[i];
        const rl_statement *allow = NULL;
        for (size_t k = 0; k < rl_policy_count(scp->policy) && !allow; k++)
            if (!rl_policy_statement(scp->policy, k)->deny)
                allow = rl_policy_statement(scp->policy, k);
        if (!scp->input || !allow)
            continue;
        rl_strbuf r = RL_STRBUF_INIT;
        put_scp(&r, scp);
        rl_strbuf_printf(&r, " allows %s", allow->not_action ? "everything but " : "");
        for (size_t k = 0; k < allow->nactions && k < 4; k++)
            rl_strbuf_printf(&r, "%s%s", k ? ", " : "", allow->actions[k]);
        if (allow->nactions > 4)
            rl_strbuf_printf(&r, " and %zu more", allow->nactions - 4);
        for (size_t k = 0; k < allow->nconds; k++) {
            char cond[400];
            rl_condition_describe(&allow->conds[k], false, cond, sizeof(cond));
            rl_strbuf_printf(&r, "%s%s", k ? " and " : " only if ", cond);
        }
        if (!r.failed)
            rl_emit_related(s->ctx, f, scp->input->path, &allow->node->span, "%s",
                            rl_strbuf_cstr(&r));
        rl_strbuf_free(&r);
    }
}

static void report_conditional(svc *s, const rl_resource *res, const rl_scp_path *path,
                               const verdict *v)
{
    const rl_scp_hit *h = &v->d->hits[0];
    bool deny = h->stmt->deny;
    rl_strbuf b = RL_STRBUF_INIT;
    lead(&b, res, "may not be deployable in");
    put_scp(&b, h->scp);
    rl_strbuf_puts(&b, " ");
    put_statement(&b, h->stmt);
    if (deny) {
        rl_strbuf_puts(&b, " denies ");
        put_action(&b, v, res->stack->region);
        put_more(&b, v);
        rl_strbuf_puts(&b, " unless ");
    } else {
        rl_strbuf_puts(&b, " is the only Allow of ");
        put_level(&b, &path->levels[h->level]);
        rl_strbuf_puts(&b, " for ");
        put_action(&b, v, res->stack->region);
        put_more(&b, v);
        rl_strbuf_puts(&b, ", and only if ");
    }
    put_exemption(&b, h, deny);
    rl_strbuf_puts(&b, "; the primary region is not restricted this way");
    rl_finding *f;
    if (!b.failed) {
        emit(s, RL_ID(RL304), res, rl_strbuf_cstr(&b), &f);
        related_statements(s, f, path, v->d, deny ? "conditional" : "conditional allow");
    }
    rl_strbuf_free(&b);
}

static void note(verdict *v, const char *action, const char *region, const rl_scp_decision *d)
{
    if (!v->count++) {
        v->action = action;
        v->region = region;
        v->d = d;
    }
}

static bool in_force(const rl_scp_path *path, const rl_scp *scp)
{
    for (size_t i = 0; path && !path->exempt && i < path->nlevels; i++)
        for (size_t j = 0; j < path->levels[i].nscps; j++)
            if (path->levels[i].scps[j] == scp)
                return true;
    return false;
}

/* The open statements of a conditional decision that the standby region adds: a condition
 * that binds the primary the same way is met there, since the primary is deployed and
 * running, so only a statement that is not in force for the primary's account, or that
 * the primary's region decides, is a readiness gap. Cached like the decisions. */
static const rl_scp_decision *region_gap(svc *s, const rl_scp_decision *d, const rl_scp_path *path,
                                         const rl_scp_path *ppath, const char *action)
{
    const char *pr = rl_model_request_region(s->m, action, s->m->primary);
    const char *k = keyf(s, "gap|%p|%p|%s|%s", (const void *)path, (const void *)ppath, pr, action);
    if (!k)
        return NULL;
    const rl_scp_decision *cached = rl_hmap_gets(&s->cache, k);
    if (cached)
        return cached;
    rl_scp_decision *g = rl_arena_calloc(s->arena, 1, sizeof(*g));
    char *copy = rl_arena_strdup(s->arena, k);
    if (!g || !copy) {
        s->rc = RL_ENOMEM;
        return NULL;
    }
    g->outcome = d->outcome;
    rl_request req = {action, NULL, pr, ppath ? ppath->account : NULL, NULL, NULL};
    for (size_t i = 0; i < d->nhits; i++) {
        const rl_scp_hit *h = &d->hits[i];
        if (in_force(ppath, h->scp) && rl_statement_match(h->stmt, &req, NULL) == RL_TRI_MAYBE)
            continue;
        g->hits[g->nhits++] = *h;
    }
    if (rl_hmap_puts(&s->cache, copy, g) < 0) {
        s->rc = RL_ENOMEM;
        return NULL;
    }
    return g;
}

/* ---- what blocks the primary as it blocks the standby ------------------------------ */

static bool blocked(const rl_scp_decision *d)
{
    return d->outcome == RL_SCP_DENIED || d->outcome == RL_SCP_NOT_ALLOWED;
}

static bool same_level(const rl_scp_level *a, const rl_scp_level *b)
{
    if (!a->target || !b->target)
        return !a->target && !b->target;
    return !strcmp(a->target, b->target);
}

/* Whether the standby's blocking hit blocks the primary's request the same way: the
 * statement is in force for the primary and denies its request for certain, or the
 * primary's first level without an Allow is the same target. */
static bool binds_primary(svc *s, const rl_scp_path *path, const rl_scp_hit *h,
                          const rl_scp_path *ppath, const rl_scp_decision *pd, const char *action)
{
    if (!h->stmt)
        return pd->outcome == RL_SCP_NOT_ALLOWED &&
               same_level(&path->levels[h->level], &ppath->levels[pd->hits[0].level]);
    rl_request preq = {action,
                       NULL,
                       rl_model_request_region(s->m, action, s->m->primary),
                       ppath ? ppath->account : NULL,
                       NULL,
                       NULL};
    return in_force(ppath, h->scp) && rl_statement_match(h->stmt, &preq, NULL) == RL_TRI_YES;
}

/* The standby is blocked by `h` (a denying statement, or for RL302 the level without an
 * Allow) and the primary is blocked too: no gap, counted towards one note per statement
 * or level. `same`: `h` blocks the primary too (else something else does). */
static void blocked_both(svc *s, const char *rule, const rl_resource *res, const rl_scp_path *path,
                         const rl_scp_hit *h, const rl_scp_decision *pd, bool same,
                         const char *action, const char *rr)
{
    const rl_scp_level *lv = &path->levels[h->level];
    const char *k = h->stmt ? keyf(s, "%s|%p", rule, (const void *)h->stmt)
                            : keyf(s, "%s|%s", rule, lv->target ? lv->target : "");
    if (!k)
        return;
    both *b = rl_hmap_gets(&s->boths, k);
    if (!b) {
        char *copy = rl_arena_strdup(s->arena, k);
        if (!copy || !(b = rl_arena_calloc(s->arena, 1, sizeof(*b))) ||
            rl_hmap_puts(&s->boths, copy, b) < 0) {
            s->rc = RL_ENOMEM;
            return;
        }
        b->rule = rule;
        *s->last = b;
        s->last = &b->next;
    }
    if (!b->res || (same && !b->same)) {
        /* the note names a request the statement blocks in both regions, when there is one */
        b->hit = h;
        b->path = path;
        b->pd = pd;
        b->res = res;
        b->action = action;
        b->region = rr;
        b->same = same;
    }
    if (first_in(s, &s->seen, keyf(s, "%p|a|%s", (void *)b, action)))
        b->nactions++;
    /* a shared template's resource is one resource, whatever the number of standbys */
    if (first_in(s, &s->seen, keyf(s, "%p|r|%s|%s", (void *)b, res->stack->input->path, res->path)))
        b->nresources++;
    if (first_in(s, &s->seen, keyf(s, "%p|s|%s", (void *)b, res->stack->region)))
        b->nstandbys++;
}

/* Where a note about a statement points: the statement (the Content string of a
 * describe-policy), with its logical path. */
static const rl_statement *statement_at(const rl_scp *scp, const rl_statement *st, rl_strbuf *lpath)
{
    rl_strbuf_puts(lpath, scp->content ? "Policy.Content.Statement" : "Statement");
    if (rl_policy_statement_list(scp->policy))
        rl_strbuf_printf(lpath, "[%zu]", st->index);
    return st;
}

/* The statement that stands for a level without an Allow: its SCPs' first Allow, else
 * their first statement. */
static const rl_statement *level_statement(const rl_scp_level *lv, const rl_scp **owner)
{
    for (int want_allow = 1; want_allow >= 0; want_allow--)
        for (size_t i = 0; i < lv->nscps; i++) {
            const rl_scp *scp = lv->scps[i];
            for (size_t k = 0; scp->input && k < rl_policy_count(scp->policy); k++) {
                const rl_statement *st = rl_policy_statement(scp->policy, k);
                if (!want_allow || !st->deny) {
                    *owner = scp;
                    return st;
                }
            }
        }
    return NULL;
}

static void put_primary_block(rl_strbuf *b, const rl_scp_path *ppath, const rl_scp_decision *pd)
{
    const rl_scp_hit *h = &pd->hits[0];
    if (pd->outcome == RL_SCP_DENIED && h->scp) {
        rl_strbuf_puts(b, " (by ");
        put_scp(b, h->scp);
        rl_strbuf_puts(b, " ");
        put_statement(b, h->stmt);
        rl_strbuf_puts(b, ")");
    } else if (pd->outcome == RL_SCP_NOT_ALLOWED) {
        const rl_scp_level *lv = &ppath->levels[h->level];
        rl_strbuf_puts(b, " (no Allow at ");
        put_level(b, lv);
        rl_strbuf_puts(b, ")");
    }
}

static void emit_both(svc *s, const both *x)
{
    const rl_model *m = s->m;
    const rl_scp_path *ppath = rl_model_scp_path(m, m->primary);
    const rl_scp_level *lv = &x->path->levels[x->hit->level];
    const char *standby = x->res->stack->region;
    verdict v = {x->action, x->region, NULL, 1};
    rl_strbuf b = RL_STRBUF_INIT, lpath = RL_STRBUF_INIT;
    const rl_scp *scp = x->hit->scp;
    const rl_statement *st = x->hit->stmt;
    if (st) {
        put_scp(&b, scp);
        rl_strbuf_puts(&b, " ");
        put_statement(&b, st);
        rl_strbuf_puts(&b, " denies ");
    } else {
        st = level_statement(lv, &scp);
        put_no_allow(&b, lv);
    }
    put_action(&b, &v, standby);
    if (x->same) {
        rl_strbuf_printf(&b, " for the primary region %s as for the standby %s", m->primary,
                         standby);
    } else {
        rl_strbuf_printf(&b, " for the standby %s, and the primary region %s is denied it too",
                         standby, m->primary);
        put_primary_block(&b, ppath, x->pd);
    }
    if (x->nstandbys > 1)
        rl_strbuf_printf(&b, " (and %zu more standby region%s)", x->nstandbys - 1,
                         x->nstandbys == 2 ? "" : "s");
    rl_strbuf_printf(&b, ": not a standby gap (%zu action%s needed by %s (%s)", x->nactions,
                     x->nactions == 1 ? "" : "s", x->res->id, x->res->type);
    if (x->nresources > 1)
        rl_strbuf_printf(&b, " and %zu more resource%s", x->nresources - 1,
                         x->nresources == 2 ? "" : "s");
    rl_strbuf_puts(&b, x->hit->stmt ? ", denied in both regions)" : ", allowed in neither region)");
    const char *file;
    rl_span span;
    const char *where = x->res->path;
    if (st && scp && scp->input) {
        file = scp->input->path;
        span = st->node->span;
        statement_at(scp, st, &lpath);
        where = rl_strbuf_cstr(&lpath);
    } else {
        locate(x->res, &file, &span);
    }
    if (b.failed || lpath.failed) {
        s->rc = RL_ENOMEM;
    } else {
        rl_finding *f = rl_emit_as(s->ctx, x->rule, RL_LEVEL_NOTE, file, &span, where, standby,
                                   NULL, "%s", rl_strbuf_cstr(&b));
        const char *rfile;
        rl_span rspan;
        locate(x->res, &rfile, &rspan);
        if (f && rfile != file)
            rl_emit_related(s->ctx, f, rfile, &rspan, "%s (%s) in %s needs %s", x->res->id,
                            x->res->type, standby, x->action);
    }
    rl_strbuf_free(&b);
    rl_strbuf_free(&lpath);
}

static void check_scps(svc *s, const rl_resource *res, const rl_service_use *use)
{
    const rl_model *m = s->m;
    const char *region = res->stack->region;
    const rl_scp_path *path = rl_model_scp_path(m, region);
    const rl_scp_path *ppath = rl_model_scp_path(m, m->primary);
    if (!path || path->exempt)
        return;
    verdict denied = {0}, not_allowed = {0}, conditional = {0};
    for (size_t i = 0; i < use->nactions && s->rc == RL_OK; i++) {
        const char *action = use->actions[i];
        const char *rr = rl_model_request_region(m, action, region);
        const rl_scp_decision *d = decide(s, path, action, rr);
        if (!d)
            return;
        if (d->outcome == RL_SCP_ALLOWED)
            continue;
        /* the same request from the primary, which is deployed and running */
        const char *pr = rl_model_request_region(m, action, m->primary);
        const rl_scp_decision *pd = decide(s, ppath, action, pr);
        if (!pd)
            return;
        if (d->outcome == RL_SCP_DENIED && !blocked(pd)) {
            note(&denied, action, rr, d);
        } else if (d->outcome == RL_SCP_DENIED && s->on301) {
            /* a note for each statement that denies both regions; when another statement
             * denies the primary, one for the first that denies the standby */
            size_t nsame = 0;
            for (size_t k = 0; k < d->nhits; k++)
                if (binds_primary(s, path, &d->hits[k], ppath, pd, action)) {
                    blocked_both(s, RL_ID(RL301), res, path, &d->hits[k], pd, true, action, rr);
                    nsame++;
                }
            if (!nsame)
                blocked_both(s, RL_ID(RL301), res, path, &d->hits[0], pd, false, action, rr);
        } else if (d->outcome == RL_SCP_NOT_ALLOWED && !blocked(pd)) {
            note(&not_allowed, action, rr, d);
        } else if (d->outcome == RL_SCP_NOT_ALLOWED && s->on302) {
            blocked_both(s, RL_ID(RL302), res, path, &d->hits[0], pd,
                         binds_primary(s, path, &d->hits[0], ppath, pd, action), action, rr);
        } else if (d->outcome == RL_SCP_CONDITIONAL && s->on304 && !blocked(pd)) {
            const rl_scp_decision *gap = region_gap(s, d, path, ppath, action);
            if (gap && gap->nhits)
                note(&conditional, action, rr, gap);
        }
    }
    if (denied.count && s->on301)
        report_denied(s, res, path, &denied);
    if (not_allowed.count && s->on302)
        report_not_allowed(s, res, path, &not_allowed);
    if (conditional.count && !denied.count && !not_allowed.count)
        report_conditional(s, res, path, &conditional);
}

/* ---- RL303 ------------------------------------------------------------------------ */

static void check_offering(svc *s, const rl_resource *res, const rl_service_use *use)
{
    const rl_model *m = s->m;
    const char *region = res->stack->region;
    const char *source = NULL;
    if (use && use->prefix && rl_model_service_global(m, use->prefix))
        return;
    bool cfn = strstr(res->type, "::") != NULL;
    rl_offered o = RL_OFFERED_UNKNOWN;
    if (cfn) {
        o = rl_model_type_offered(m, region, res->type, &source);
    } else if (use && use->service) {
        /* Terraform calls the service's API: the service table decides, but where
         * CloudFormation has the equivalent type in the region, the service is there
         * (the service table misses a few services in a few regions) */
        if (use->cfn_type &&
            rl_model_type_offered(m, region, use->cfn_type, NULL) == RL_OFFERED_YES)
            return;
        o = rl_model_service_offered(m, region, use->service, &source);
    }
    if (o != RL_OFFERED_NO)
        return;
    rl_strbuf b = RL_STRBUF_INIT;
    lead(&b, res, "cannot be deployed in");
    /* the type table answers for CloudFormation unless the service table had to */
    bool by_type = cfn && source && !strncmp(source, "resource types", 14);
    if (by_type)
        rl_strbuf_printf(&b, "CloudFormation does not offer %s there", res->type);
    else
        rl_strbuf_printf(&b, "the service %s is not offered there", use ? use->service : "?");
    rl_strbuf_printf(&b, " (%s)", source ? source : "built-in table");
    rl_finding *f;
    if (!b.failed)
        emit(s, RL_ID(RL303), res, rl_strbuf_cstr(&b), &f);
    rl_strbuf_free(&b);
}

/* ---- the walk --------------------------------------------------------------------- */

static bool is_standby(const rl_model *m, const char *region)
{
    return region && rl_model_in_pair(m, region) && !rl_model_is_primary(m, region);
}

int rl_check_services(rl_rule_ctx *ctx)
{
    svc s;
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.m = rl_ctx_model(ctx);
    s.on301 = rl_ctx_enabled(ctx, RL_ID(RL301));
    s.on302 = rl_ctx_enabled(ctx, RL_ID(RL302));
    s.on303 = rl_ctx_enabled(ctx, RL_ID(RL303));
    s.on304 = rl_ctx_enabled(ctx, RL_ID(RL304));
    s.key = (rl_strbuf)RL_STRBUF_INIT;
    s.last = &s.first;
    bool scps = s.on301 || s.on302 || s.on304;
    if (!(s.arena = rl_arena_new(0)))
        return RL_ENOMEM;
    for (size_t i = 0; i < s.m->nstacks && s.rc == RL_OK; i++) {
        const rl_stack *st = s.m->stacks[i];
        if (!is_standby(s.m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && s.rc == RL_OK; j++) {
            const rl_resource *res = &st->resources[j];
            if (res->deployed == 0 || !res->type)
                continue;
            const rl_service_use *use = rl_model_service_use(s.m, res->type);
            if (s.on303)
                check_offering(&s, res, use);
            if (scps && use && use->nactions)
                check_scps(&s, res, use);
        }
    }
    for (const both *b = s.first; b && s.rc == RL_OK; b = b->next)
        emit_both(&s, b);
    int rc = s.rc;
    rl_hmap_free(&s.boths);
    rl_hmap_free(&s.seen);
    rl_hmap_free(&s.cache);
    rl_hmap_free(&s.reported);
    rl_strbuf_free(&s.key);
    rl_arena_free(s.arena);
    return rc;
}
