/* The rule engine: which rules run at which level (strategy, config, --enable/--disable),
 * and running the enabled checks over the model. */
#ifndef RL_ENGINE_H
#define RL_ENGINE_H

#include <regionlint/model.h>
#include <regionlint/rule.h>

typedef struct rl_ruleset rl_ruleset;

/* Decides every rule's state. Patterns are ids or id prefixes; the longest matching
 * pattern wins, command-line patterns beat config ones, and disable wins a tie. A pattern
 * that matches no rule is an error (RL_EINVAL for the command line, RL_ECONFIG for the
 * config) so typos never silently do nothing. */
int rl_ruleset_new(rl_ruleset **out, const rl_registry *reg, const rl_config *cfg,
                   rl_strategy strategy, const char **enable, size_t nenable, const char **disable,
                   size_t ndisable, rl_error *err);
void rl_ruleset_free(rl_ruleset *rs);
bool rl_ruleset_enabled(const rl_ruleset *rs, const char *id);
/* Final level of a finding: the config's level for the rule, else `chosen` when the
 * check picked one, else the rule's level for the strategy. */
rl_level rl_ruleset_level(const rl_ruleset *rs, const rl_rule *rule, rl_level chosen);

/* True when the config's `mandatory:` names the rule (by id or id prefix): no suppression
 * may silence its findings. RL004 is always mandatory (a suppression cannot hide a problem
 * with suppressions). */
bool rl_ruleset_mandatory(const rl_ruleset *rs, const char *id);
const rl_registry *rl_ruleset_registry(const rl_ruleset *rs);
/* The analyses (RL_ANALYSIS_*) the enabled rules need the model to build. */
unsigned rl_ruleset_analyses(const rl_ruleset *rs);

/* Runs every enabled check once (checks shared by several ids run once). A check that
 * fails with rl_ctx_fail() keeps its message in err. */
int rl_engine_run(const rl_registry *reg, const rl_ruleset *rs, const rl_model *model,
                  const rl_config *cfg, rl_findings *fs, rl_error *err);

/* Emits a finding of a rule the engine itself reports (rl_engine_emits(), e.g. RL004 from
 * the suppression stage) outside any check. Level as in rl_emit(). *out receives the
 * finding, or NULL when the rule is disabled in this run. Returns 0 or RL_ENOMEM. */
int rl_engine_emit(const rl_ruleset *rs, rl_findings *fs, rl_finding **out, const char *rule_id,
                   rl_level level, const char *file, const rl_span *span, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 9, 10)));

#endif
