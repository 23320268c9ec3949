/* One lint run from paths to finished findings: config, discovery, loading,
 * classification, attribution, the region-pair model, the rules, suppressions. The CLI is
 * a thin layer over this. */
#ifndef REGIONLINT_LINT_H
#define REGIONLINT_LINT_H

#include "model.h"
#include "report.h"

typedef struct rl_lint_opts {
    const char **paths;
    size_t npaths;
    const char *config_path; /* -c; NULL = search (see docs/config.md) */
    const char *primary;     /* -p; NULL = from the config */
    const char **standby;    /* -s (repeatable) */
    size_t nstandby;
    int strategy; /* rl_strategy, or -1 = config, else warm-standby */
    const char **enable;
    size_t nenable;
    const char **disable;
    size_t ndisable;
    const char **exclude; /* --exclude globs (against the paths as shown) */
    size_t nexclude;
    const char **rule_paths; /* --rules */
    size_t nrule_paths;
    const char *baseline;       /* --baseline FILE, or NULL */
    const char *write_baseline; /* --write-baseline FILE, or NULL */
    size_t max_file_size;       /* 0 = default */
    unsigned max_depth;         /* 0 = default */
    uint64_t max_alias_nodes;
    unsigned jobs; /* --jobs: threads that read and parse the inputs; 0 = one per CPU */
    rl_eval_limits eval_limits; /* the evaluator's budgets; 0 fields: the defaults */
} rl_lint_opts;

typedef struct rl_lint rl_lint;

/* Runs the whole pipeline. Problems in the inputs become findings; the return value is
 * RL_EINVAL (usage: no regions, unknown rule ids, a bad REGIONLINT_TODAY), RL_ECONFIG (bad
 * config, rule or baseline file), RL_EIO (a named path does not exist, the baseline cannot
 * be read or written), RL_ELIMIT (a custom rule's pattern hit a PCRE2 limit) or RL_ENOMEM,
 * with err set; *out is NULL then. With write_baseline set, the findings a baseline may
 * accept are written there and count as suppressed by it in this run. */
int rl_lint_run(rl_lint **out, const rl_lint_opts *opts, rl_error *err);
void rl_lint_free(rl_lint *l);
/* The rules a run with these options would know: built-in ones plus the custom rules of
 * the config and of `rule_paths` (for --list-rules and --explain). */
int rl_lint_load_rules(rl_registry **out, const rl_lint_opts *o, rl_error *err);

const rl_findings *rl_lint_findings(const rl_lint *l);
const rl_registry *rl_lint_registry(const rl_lint *l);
const rl_model *rl_lint_model(const rl_lint *l);
const rl_inputs *rl_lint_inputs(const rl_lint *l);
const rl_config *rl_lint_config(const rl_lint *l);

/* Fills the parts of a report the run knows (registry, findings, inputs, regions). */
void rl_lint_report_init(const rl_lint *l, rl_report *r);

/* 0: no unsuppressed finding at or above fail_on; 1: at least one; 2: an input could not be
 * read or parsed (an unsuppressed RL001). */
int rl_lint_exit_status(const rl_lint *l, rl_level fail_on);

#endif
