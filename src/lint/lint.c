/* One lint run: config → inputs (discover, load, classify, attribute) → region-pair model
 * → rules → suppressions → sorted findings. Each stage only reads the previous ones. */
#include <regionlint/lint.h>

#include "../rules/engine.h"
#include "baseline.h"
#include "suppress.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rl_lint {
    rl_config *cfg;
    rl_registry *reg;
    rl_inputs *inputs;
    rl_model *model;
    rl_ruleset *rules;
    rl_findings *findings;
    const char **standby; /* merged list (options or config) */
    size_t nstandby;
    const char *primary;
    rl_strategy strategy;
    rl_baseline *baseline;
    char *config_display; /* the config file as findings name it */
};

void rl_lint_free(rl_lint *l)
{
    if (!l)
        return;
    rl_findings_free(l->findings);
    rl_ruleset_free(l->rules);
    rl_model_free(l->model);
    rl_inputs_free(l->inputs);
    rl_registry_free(l->reg);
    rl_config_free(l->cfg);
    rl_baseline_free(l->baseline);
    free(l->config_display);
    free(l->standby);
    free(l);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* -c FILE; else the nearest .regionlint.yaml from the current folder upward; else the
 * nearest one from the first named folder upward (so `regionlint some/snapshot` picks up
 * the snapshot's own config). */
static int load_config(rl_lint *l, const rl_lint_opts *o, rl_error *err)
{
    if (o->config_path)
        return rl_config_load(&l->cfg, o->config_path, err);
    char *found = rl_config_find(".");
    for (size_t i = 0; !found && i < o->npaths; i++) {
        if (!strcmp(o->paths[i], "-"))
            continue;
        if (is_dir(o->paths[i])) {
            found = rl_config_find(o->paths[i]);
        } else {
            char dir[PATH_MAX];
            snprintf(dir, sizeof(dir), "%s", o->paths[i]);
            char *slash = strrchr(dir, '/');
            if (slash) {
                *slash = '\0';
                found = rl_config_find(dir[0] ? dir : "/");
            }
        }
    }
    if (!found)
        return rl_config_empty(&l->cfg) < 0
                   ? rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory")
                   : RL_OK;
    int rc = rl_config_load(&l->cfg, found, err);
    free(found);
    return rc;
}

/* Region folders among the inputs, for the message when no regions are named. */
static void region_folders(const rl_inputs *in, char *out, size_t outsz)
{
    out[0] = '\0';
    const char *seen[16];
    size_t n = 0;
    for (size_t i = 0; i < rl_inputs_count(in) && n < 16; i++) {
        const rl_input *it = rl_inputs_at(in, i);
        if (it->region_from != RL_REGION_FROM_PATH || !it->region)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(seen[j], it->region);
        if (!dup)
            seen[n++] = it->region;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, outsz - len, "%s%s", i ? ", " : "", seen[i]);
    }
}

static int pick_regions(rl_lint *l, const rl_lint_opts *o, rl_error *err)
{
    const rl_config *cfg = l->cfg;
    l->primary = o->primary ? o->primary : cfg->primary;
    const char **sb = o->nstandby ? o->standby : cfg->standby;
    size_t nsb = o->nstandby ? o->nstandby : cfg->nstandby;
    if (!l->primary || !nsb) {
        char folders[256];
        region_folders(l->inputs, folders, sizeof(folders));
        return rl_error_set(
            err, RL_EINVAL, NULL, 0, 0,
            "the %s region%s not named: use --primary REGION and --standby REGION, or set "
            "`primary:` and `standby:` in .regionlint.yaml%s%s%s",
            !l->primary && !nsb ? "primary and standby"
            : !l->primary       ? "primary"
                                : "standby",
            !l->primary && !nsb ? "s are" : " is", folders[0] ? " (region folders found: " : "",
            folders, folders[0] ? ")" : "");
    }
    if (!rl_is_region(l->primary, strlen(l->primary)))
        return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                            "'%s' is not an AWS region code (like us-east-1)", l->primary);
    l->standby = calloc(nsb + 1, sizeof(*l->standby));
    if (!l->standby)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < nsb; i++) {
        if (!rl_is_region(sb[i], strlen(sb[i])))
            return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                "'%s' is not an AWS region code (like us-west-2)", sb[i]);
        if (!strcmp(sb[i], l->primary))
            return rl_error_set(err, RL_EINVAL, NULL, 0, 0, "%s is named both primary and standby",
                                sb[i]);
        bool dup = false;
        for (size_t j = 0; j < l->nstandby && !dup; j++)
            dup = !strcmp(l->standby[j], sb[i]);
        if (!dup)
            l->standby[l->nstandby++] = sb[i];
    }
    return RL_OK;
}

/* The config file relative to the current folder when it is below it, as input paths are,
 * so that RL004 findings about `ignore:` entries read the same on every machine. */
static char *display_path(const char *path)
{
    char abs[PATH_MAX], cwd[PATH_MAX];
    if (!realpath(path, abs) || !getcwd(cwd, sizeof(cwd)))
        return strdup(path);
    size_t n = strlen(cwd);
    if (!strncmp(abs, cwd, n) && abs[n] == '/')
        return strdup(abs + n + 1);
    return strdup(path);
}

/* Suppressions and the baseline, between the checks and the final sort (see
 * docs/suppressions.md): the findings are sorted and fingerprinted first so that baseline
 * matching is deterministic, then sorted again with the RL004 findings. */
static int suppress(rl_lint *l, const rl_lint_opts *o, rl_error *err)
{
    int rc, today;
    if ((rc = rl_suppress_today(&today, err)) < 0)
        return rc;
    rl_findings_finish(l->findings);
    rl_suppress_opts so = {l->rules, l->cfg, l->config_display, l->inputs, today};
    if ((rc = rl_suppress_apply(&so, l->findings, err)) < 0)
        return rc;
    if (l->baseline &&
        (rc = rl_baseline_apply(l->baseline, l->rules, l->findings, o->baseline)) < 0)
        return rl_error_set(err, rc, NULL, 0, 0, "out of memory");
    rl_findings_finish(l->findings);
    if (o->write_baseline) {
        rl_report r;
        rl_lint_report_init(l, &r);
        rc = rl_baseline_write(o->write_baseline, &r, l->rules, l->findings, err);
    }
    return rc;
}

typedef struct exclude_ctx {
    const rl_lint_opts *o;
    const rl_config *cfg;
} exclude_ctx;

/* --exclude globs match the path as shown; the config's `exclude:` globs match the path
 * relative to the config's folder. A file named on the command line is never excluded. */
static bool not_excluded(const rl_input *it, void *ctx)
{
    const exclude_ctx *x = ctx;
    if (it->explicit_arg)
        return true;
    for (size_t i = 0; i < x->o->nexclude; i++)
        if (rl_glob_match(x->o->exclude[i], it->path))
            return false;
    char abs[PATH_MAX];
    size_t dl = x->cfg->dir ? strlen(x->cfg->dir) : 0;
    if (!x->cfg->nexclude || !dl || !realpath(it->fs_path, abs) || strncmp(abs, x->cfg->dir, dl) ||
        abs[dl] != '/')
        return true;
    for (size_t i = 0; i < x->cfg->nexclude; i++)
        if (rl_glob_match(x->cfg->exclude[i], abs + dl + 1))
            return false;
    return true;
}

/* The built-in rules plus the custom ones of the config (`rules.custom`) and --rules. */
static int load_rules(rl_lint *l, const rl_lint_opts *o, rl_error *err)
{
    int rc;
    if ((rc = rl_registry_new(&l->reg, err)) < 0)
        return rc;
    for (size_t i = 0; i < l->cfg->nrule_dirs; i++) {
        char path[PATH_MAX];
        const char *p = l->cfg->rule_dirs[i];
        if (p[0] != '/' && l->cfg->dir)
            snprintf(path, sizeof(path), "%s/%s", l->cfg->dir, p);
        else
            snprintf(path, sizeof(path), "%s", p);
        /* rule files are named in messages and findings: relative, like input paths */
        char *shown = display_path(path);
        rc = rl_registry_load_path(l->reg, shown ? shown : path, err);
        free(shown);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < o->nrule_paths; i++)
        if ((rc = rl_registry_load_path(l->reg, o->rule_paths[i], err)) < 0)
            return rc;
    return RL_OK;
}

int rl_lint_load_rules(rl_registry **out, const rl_lint_opts *o, rl_error *err)
{
    rl_lint l;
    int rc;
    memset(&l, 0, sizeof(l));
    *out = NULL;
    if ((rc = load_config(&l, o, err)) == RL_OK && (rc = load_rules(&l, o, err)) == RL_OK) {
        *out = l.reg;
        l.reg = NULL;
    }
    rl_registry_free(l.reg);
    rl_config_free(l.cfg);
    return rc;
}

int rl_lint_run(rl_lint **out, const rl_lint_opts *o, rl_error *err)
{
    rl_lint *l = calloc(1, sizeof(*l));
    int rc;
    *out = NULL;
    if (!l)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if ((rc = load_config(l, o, err)) < 0)
        goto cleanup;
    if ((rc = load_rules(l, o, err)) < 0)
        goto cleanup;
    l->strategy = o->strategy >= 0        ? (rl_strategy)o->strategy
                  : l->cfg->strategy >= 0 ? (rl_strategy)l->cfg->strategy
                                          : RL_STRATEGY_WARM_STANDBY;
    if ((rc = rl_ruleset_new(&l->rules, l->reg, l->cfg, l->strategy, o->enable, o->nenable,
                             o->disable, o->ndisable, err)) < 0)
        goto cleanup;
    if ((rc = rl_suppress_check_config(l->cfg, l->reg, err)) < 0)
        goto cleanup;
    if (l->cfg->path && !(l->config_display = display_path(l->cfg->path))) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    /* a bad baseline ends the run before the work, not after it */
    if (o->baseline && (rc = rl_baseline_load(&l->baseline, o->baseline, err)) < 0)
        goto cleanup;

    rl_discover_opts dopts = {
        o->max_file_size, {RL_SYNTAX_AUTO, o->max_depth, o->max_alias_nodes}, o->jobs};
    if ((rc = rl_inputs_new(&l->inputs)) < 0) {
        rl_error_set(err, rc, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < o->npaths; i++)
        if ((rc = rl_inputs_add_path(l->inputs, o->paths[i], &dopts, err)) < 0)
            goto cleanup;
    if ((o->nexclude || l->cfg->nexclude) &&
        rl_inputs_exclude(l->inputs, not_excluded, (void *)&(exclude_ctx){o, l->cfg}) < 0) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    rl_inputs_load(l->inputs, &dopts);
    rl_inputs_classify(l->inputs, l->cfg);
    rl_inputs_attribute(l->inputs, l->cfg);
    if ((rc = pick_regions(l, o, err)) < 0)
        goto cleanup;

    rl_model_opts mopts = {l->primary,
                           l->standby,
                           l->nstandby,
                           l->strategy,
                           l->cfg->bake_time >= 0 ? l->cfg->bake_time : 3600,
                           rl_ruleset_analyses(l->rules)};
    if ((rc = rl_model_build(&l->model, l->inputs, l->cfg, &mopts, err)) < 0)
        goto cleanup;
    if ((rc = rl_findings_new(&l->findings)) < 0) {
        rl_error_set(err, rc, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    if ((rc = rl_engine_run(l->reg, l->rules, l->model, l->cfg, l->findings, err)) < 0)
        goto cleanup;
    rc = suppress(l, o, err);

cleanup:
    if (rc < 0) {
        rl_lint_free(l);
        return rc;
    }
    *out = l;
    return RL_OK;
}

const rl_findings *rl_lint_findings(const rl_lint *l)
{
    return l->findings;
}

const rl_registry *rl_lint_registry(const rl_lint *l)
{
    return l->reg;
}

const rl_model *rl_lint_model(const rl_lint *l)
{
    return l->model;
}

const rl_inputs *rl_lint_inputs(const rl_lint *l)
{
    return l->inputs;
}

const rl_config *rl_lint_config(const rl_lint *l)
{
    return l->cfg;
}

void rl_lint_report_init(const rl_lint *l, rl_report *r)
{
    memset(r, 0, sizeof(*r));
    r->registry = l->reg;
    r->findings = l->findings;
    r->inputs = l->inputs;
    r->primary = l->primary;
    r->standby = l->standby;
    r->nstandby = l->nstandby;
    r->strategy = l->strategy;
    r->fail_on = RL_LEVEL_WARNING;
    r->excerpt = true;
}

int rl_lint_exit_status(const rl_lint *l, rl_level fail_on)
{
    int status = 0;
    for (size_t i = 0; i < rl_findings_count(l->findings); i++) {
        const rl_finding *f = rl_findings_at(l->findings, i);
        if (f->suppressed)
            continue;
        if (!strcmp(f->rule_id, RL_ID(RL001)))
            return 2;
        if (fail_on != RL_LEVEL_NONE && f->level >= fail_on)
            status = 1;
    }
    return status;
}
