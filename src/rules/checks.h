/* Internal wiring of the rule checks: which function implements which rule id, and the
 * custom-rule program (RLX ids) compiled from rule files. */
#ifndef RL_CHECKS_H
#define RL_CHECKS_H

#include <regionlint/rule.h>

#include "../base/arena.h"

typedef struct rl_check_binding {
    const char *id;
    rl_check_fn fn;
    unsigned analyses; /* RL_ANALYSIS_* the model builds for it */
} rl_check_binding;

/* Terminated by {NULL, NULL}; defined in checks.c. */
extern const rl_check_binding rl_check_bindings[];

/* Rules emitted by the engine itself rather than by a check (e.g. RL004 by suppression). */
bool rl_engine_emits(const char *id);

/* Checks, by family (src/rules/<family>.c). */
int rl_check_input(rl_rule_ctx *ctx);
int rl_check_services(rl_rule_ctx *ctx);
int rl_check_dependency(rl_rule_ctx *ctx);
int rl_check_imports(rl_rule_ctx *ctx);
int rl_check_external(rl_rule_ctx *ctx);
int rl_check_inregion(rl_rule_ctx *ctx);
int rl_check_quotas(rl_rule_ctx *ctx);
int rl_check_iam(rl_rule_ctx *ctx);
int rl_check_deploy(rl_rule_ctx *ctx);
int rl_check_observability(rl_rule_ctx *ctx);
int rl_check_requirements(rl_rule_ctx *ctx);
int rl_check_data(rl_rule_ctx *ctx);

/* ---- custom rules (src/rules/custom.c) ---------------------------------------------- */

/* The compiled `match:` of one RLX rule (rl_rule.custom). */
typedef struct rl_custom rl_custom;

/* Compiles the `match:` mapping of a custom rule read from `file` (document `doc`, for
 * positions): kinds, resource-types, paths, regions, pattern (PCRE2, JIT when available),
 * message. RL_ECONFIG with the position of the bad key or pattern, or RL_ENOMEM. */
int rl_custom_compile(rl_custom **out, const rl_doc *doc, const char *file, const rl_node *match,
                      rl_error *err);
void rl_custom_free(rl_custom *c);
/* The check bound to every custom rule: runs its pattern over the resource values it
 * selects; a pattern that hits a PCRE2 limit ends the run with RL_ELIMIT (rl_ctx_fail). */
int rl_check_custom(rl_rule_ctx *ctx);

#endif
