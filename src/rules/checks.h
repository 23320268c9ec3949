/* Internal wiring of the rule checks: which function implements which rule id, and the
 * custom-rule program (RLX ids) compiled from rule files. */
#ifndef RL_CHECKS_H
#define RL_CHECKS_H

#include <regionlint/rule.h>

#include "../base/arena.h"

typedef struct rl_check_binding {
    const char *id;
    rl_check_fn fn;
} rl_check_binding;

/* Terminated by {NULL, NULL}; defined in checks.c. */
extern const rl_check_binding rl_check_bindings[];

/* Rules emitted by the engine itself rather than by a check (e.g. RL004 by suppression). */
bool rl_engine_emits(const char *id);

/* Checks, by family (src/rules/<family>.c). */
int rl_check_input(rl_rule_ctx *ctx);
int rl_check_dependency(rl_rule_ctx *ctx);
int rl_check_imports(rl_rule_ctx *ctx);
int rl_check_quotas(rl_rule_ctx *ctx);
int rl_check_iam(rl_rule_ctx *ctx);

#endif
