/* The rule engine: rule states and levels, the check context and finding emission. */
#include "engine.h"

#include "../base/strbuf.h"
#include "checks.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule_state {
    bool enabled;
    bool forced;    /* level set in the config's rules.levels */
    bool mandatory; /* named by the config's `mandatory:` */
    rl_level level;
} rule_state;

struct rl_ruleset {
    const rl_registry *reg;
    rule_state *states;
    rl_strategy strategy;
};

struct rl_rule_ctx {
    const rl_registry *reg;
    const rl_ruleset *rs;
    const rl_model *model;
    const rl_config *cfg;
    rl_findings *fs;
    const rl_rule *rule;
    rl_error *err;
    bool oom;
    const char *undeclared, *undeclared_of; /* a setting read that rules/ does not declare */
};

static size_t best_match(const char **pats, size_t n, const char *id)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++)
        if (rl_rule_id_matches(pats[i], id) && strlen(pats[i]) > best)
            best = strlen(pats[i]);
    return best;
}

static int check_patterns(const rl_registry *reg, const char **pats, size_t n, const char *what,
                          int code, const char *file, rl_error *err)
{
    for (size_t i = 0; i < n; i++) {
        bool any = false;
        for (size_t j = 0; j < rl_registry_count(reg) && !any; j++)
            any = rl_rule_id_matches(pats[i], rl_registry_at(reg, j)->id);
        if (!any)
            return rl_error_set(err, code, file, 0, 0, "%s '%s' matches no rule (see --list-rules)",
                                what, pats[i]);
    }
    return RL_OK;
}

int rl_ruleset_new(rl_ruleset **out, const rl_registry *reg, const rl_config *cfg,
                   rl_strategy strategy, const char **enable, size_t nenable, const char **disable,
                   size_t ndisable, rl_error *err)
{
    int rc;
    const char *cfile = cfg && cfg->path ? cfg->path : NULL;
    *out = NULL;
    if ((rc = check_patterns(reg, enable, nenable, "--enable", RL_EINVAL, NULL, err)) < 0 ||
        (rc = check_patterns(reg, disable, ndisable, "--disable", RL_EINVAL, NULL, err)) < 0)
        return rc;
    if (cfg && ((rc = check_patterns(reg, cfg->enable, cfg->nenable, "rules.enable", RL_ECONFIG,
                                     cfile, err)) < 0 ||
                (rc = check_patterns(reg, cfg->disable, cfg->ndisable, "rules.disable", RL_ECONFIG,
                                     cfile, err)) < 0 ||
                (rc = check_patterns(reg, cfg->mandatory, cfg->nmandatory, "mandatory", RL_ECONFIG,
                                     cfile, err)) < 0))
        return rc;
    for (size_t i = 0; cfg && i < cfg->nlevels; i++)
        if (!rl_registry_find(reg, cfg->levels[i].rule)) {
            const rl_node *n = cfg->levels[i].node;
            return rl_error_set(err, RL_ECONFIG, cfile, n ? n->span.start.line : 0,
                                n ? n->span.start.column : 0,
                                "rules.levels: no rule %s (see --list-rules)", cfg->levels[i].rule);
        }
    /* every settings block against the types the rules declare, before anything runs */
    if ((rc = rl_settings_check_config(reg, cfg, err)) < 0)
        return rc;

    rl_ruleset *rs = calloc(1, sizeof(*rs));
    size_t count = rl_registry_count(reg);
    if (!rs || !(rs->states = calloc(count + 1, sizeof(*rs->states)))) {
        free(rs);
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rs->reg = reg;
    rs->strategy = strategy;
    for (size_t i = 0; i < count; i++) {
        const rl_rule *r = rl_registry_at(reg, i);
        rule_state *st = &rs->states[i];
        st->level = rl_rule_level(r, strategy);
        st->mandatory = !strcmp(r->id, RL_ID(RL004)) ||
                        (cfg && best_match(cfg->mandatory, cfg->nmandatory, r->id) > 0);
        for (size_t j = 0; cfg && j < cfg->nlevels; j++)
            if (!strcmp(cfg->levels[j].rule, r->id)) {
                st->level = cfg->levels[j].level;
                st->forced = true;
            }
        /* command-line patterns outrank the config's: +1000 on their length */
        size_t e = best_match(enable, nenable, r->id), d = best_match(disable, ndisable, r->id);
        if (e)
            e += 1000;
        if (d)
            d += 1000;
        if (cfg) {
            size_t ce = best_match(cfg->enable, cfg->nenable, r->id);
            size_t cd = best_match(cfg->disable, cfg->ndisable, r->id);
            if (ce > e)
                e = ce;
            if (cd > d)
                d = cd;
        }
        if (e > d) {
            st->enabled = true;
            if (st->level == RL_LEVEL_NONE)
                st->level = r->level;
        } else if (d > e || (d && d == e)) {
            st->enabled = false;
        } else {
            st->enabled = st->level != RL_LEVEL_NONE;
        }
    }
    *out = rs;
    return RL_OK;
}

void rl_ruleset_free(rl_ruleset *rs)
{
    if (!rs)
        return;
    free(rs->states);
    free(rs);
}

static const rule_state *state_of(const rl_ruleset *rs, const rl_rule *r)
{
    long i = r ? rl_registry_index(rs->reg, r) : -1;
    return i < 0 ? NULL : &rs->states[i];
}

bool rl_ruleset_enabled(const rl_ruleset *rs, const char *id)
{
    const rl_rule *r = rl_registry_find(rs->reg, id);
    const rule_state *st = state_of(rs, r);
    return st && st->enabled;
}

bool rl_ruleset_mandatory(const rl_ruleset *rs, const char *id)
{
    const rule_state *st = state_of(rs, rl_registry_find(rs->reg, id));
    return st && st->mandatory;
}

const rl_registry *rl_ruleset_registry(const rl_ruleset *rs)
{
    return rs->reg;
}

unsigned rl_ruleset_analyses(const rl_ruleset *rs)
{
    unsigned need = 0;
    for (const rl_check_binding *b = rl_check_bindings; b->id; b++)
        if (b->analyses && rl_ruleset_enabled(rs, b->id))
            need |= b->analyses;
    return need;
}

rl_level rl_ruleset_level(const rl_ruleset *rs, const rl_rule *rule, rl_level chosen)
{
    const rule_state *st = state_of(rs, rule);
    if (!st)
        return chosen != RL_LEVEL_NONE ? chosen : RL_LEVEL_WARNING;
    rl_level level = st->level != RL_LEVEL_NONE ? st->level : rule->level;
    /* a note from a rule whose findings are warnings or errors says what the rule could not
     * decide or why something is not a gap: a configured level does not raise it */
    if (chosen == RL_LEVEL_NOTE && rule->level > RL_LEVEL_NOTE)
        return RL_LEVEL_NOTE;
    if (st->forced || chosen == RL_LEVEL_NONE)
        return level;
    return chosen;
}

int rl_engine_run(const rl_registry *reg, const rl_ruleset *rs, const rl_model *model,
                  const rl_config *cfg, rl_findings *fs, rl_error *err)
{
    size_t count = rl_registry_count(reg);
    rl_check_fn *ran = calloc(count + 1, sizeof(*ran));
    size_t nran = 0;
    if (!ran)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = RL_OK;
    for (size_t i = 0; i < count && rc == RL_OK; i++) {
        const rl_rule *r = rl_registry_at(reg, i);
        if (!rs->states[i].enabled || !r->check)
            continue;
        bool done = false;
        for (size_t j = 0; j < nran && !done; j++)
            done = ran[j] == r->check && !r->custom;
        if (done)
            continue;
        if (!r->custom)
            ran[nran++] = r->check;
        rl_rule_ctx ctx = {reg, rs, model, cfg, fs, r, err, false, NULL, NULL};
        rc = r->check(&ctx);
        if (rc == RL_OK && ctx.oom)
            rc = RL_ENOMEM;
        if (rc == RL_OK && ctx.undeclared)
            rc = rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                              "rule %s reads the setting %s.%s, which the rule metadata in "
                              "rules/ does not declare",
                              r->id, ctx.undeclared_of, ctx.undeclared);
        else if (rc < 0)
            rl_error_set(err, rc, NULL, 0, 0, "rule %s could not run: %s", r->id,
                         rc == RL_ENOMEM ? "out of memory" : "internal error");
    }
    free(ran);
    return rc;
}

/* ---- the check context ------------------------------------------------------------ */

const rl_model *rl_ctx_model(const rl_rule_ctx *ctx)
{
    return ctx->model;
}

const rl_config *rl_ctx_config(const rl_rule_ctx *ctx)
{
    return ctx->cfg;
}

const rl_rule *rl_ctx_rule(const rl_rule_ctx *ctx)
{
    return ctx->rule;
}

rl_strategy rl_ctx_strategy(const rl_rule_ctx *ctx)
{
    return ctx->rs->strategy;
}

bool rl_ctx_enabled(const rl_rule_ctx *ctx, const char *rule_id)
{
    return rl_ruleset_enabled(ctx->rs, rule_id);
}

rl_setting rl_ctx_setting(rl_rule_ctx *ctx, const char *rule_id, const char *key)
{
    const rl_rule *r = rl_registry_find(ctx->reg, rule_id);
    const rl_setting_decl *d = rl_settings_find(r, key);
    if (!d) {
        if (!ctx->undeclared) {
            ctx->undeclared = key;
            ctx->undeclared_of = rule_id;
        }
        return (rl_setting){NULL, NULL, NULL};
    }
    const rl_node *v = rl_node_get(rl_config_rule_settings(ctx->cfg, r->id), key);
    return rl_setting_view(v, d->def, d->type);
}

bool rl_ctx_setting_bool(rl_rule_ctx *ctx, const char *rule_id, const char *key)
{
    return rl_setting_bool(rl_ctx_setting(ctx, rule_id, key));
}

int rl_ctx_setting_globs(rl_rule_ctx *ctx, const char *rule_id, const char *key, unsigned flags,
                         rl_globset **out)
{
    rl_setting list = rl_ctx_setting(ctx, rule_id, key);
    size_t n = rl_setting_count(list);
    const char **pats = calloc(n ? n : 1, sizeof(*pats));
    if (!pats)
        return RL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        pats[i] = rl_setting_str(rl_setting_at(list, i));
    int rc = rl_globset_new(out, pats, n, flags);
    free(pats);
    return rc;
}

static rl_finding *vemit(rl_rule_ctx *ctx, const char *rule_id, rl_level level, const char *file,
                         const rl_span *span, const char *path, const char *region,
                         const char *other, const char *fmt, va_list ap)
    __attribute__((format(printf, 9, 0)));

static rl_finding *vemit(rl_rule_ctx *ctx, const char *rule_id, rl_level level, const char *file,
                         const rl_span *span, const char *path, const char *region,
                         const char *other, const char *fmt, va_list ap)
{
    const rl_rule *r = rule_id ? rl_registry_find(ctx->reg, rule_id) : ctx->rule;
    if (!r || !rl_ruleset_enabled(ctx->rs, r->id))
        return NULL;
    rl_strbuf msg = RL_STRBUF_INIT;
    rl_strbuf_vprintf(&msg, fmt, ap);
    rl_finding *f = NULL;
    if (!msg.failed)
        f = rl_findings_add(ctx->fs, r, r->id, rl_ruleset_level(ctx->rs, r, level), file, span,
                            path, region, other, rl_strbuf_cstr(&msg));
    rl_strbuf_free(&msg);
    if (!f)
        ctx->oom = true;
    return f;
}

rl_finding *rl_emit(rl_rule_ctx *ctx, rl_level level, const char *file, const rl_span *span,
                    const char *path, const char *region, const char *other_region, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    rl_finding *f = vemit(ctx, NULL, level, file, span, path, region, other_region, fmt, ap);
    va_end(ap);
    return f;
}

rl_finding *rl_emit_as(rl_rule_ctx *ctx, const char *rule_id, rl_level level, const char *file,
                       const rl_span *span, const char *path, const char *region,
                       const char *other_region, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rl_finding *f = vemit(ctx, rule_id, level, file, span, path, region, other_region, fmt, ap);
    va_end(ap);
    return f;
}

int rl_engine_emit(const rl_ruleset *rs, rl_findings *fs, rl_finding **out, const char *rule_id,
                   rl_level level, const char *file, const rl_span *span, const char *path,
                   const char *fmt, ...)
{
    rl_rule_ctx ctx = {rs->reg, rs, NULL, NULL, fs, NULL, NULL, false, NULL, NULL};
    va_list ap;
    va_start(ap, fmt);
    *out = vemit(&ctx, rule_id, level, file, span, path, NULL, NULL, fmt, ap);
    va_end(ap);
    return ctx.oom ? RL_ENOMEM : RL_OK;
}

int rl_ctx_fail(rl_rule_ctx *ctx, int code, const char *file, const rl_span *span, const char *fmt,
                ...)
{
    char msg[sizeof(ctx->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rl_error_set(ctx->err, code, file, span ? span->start.line : 0,
                        span ? span->start.column : 0, "%s", msg);
}

void rl_emit_related(rl_rule_ctx *ctx, rl_finding *f, const char *file, const rl_span *span,
                     const char *fmt, ...)
{
    if (!f)
        return;
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (rl_finding_add_related(ctx->fs, f, file, span, tmp) < 0)
        ctx->oom = true;
}
