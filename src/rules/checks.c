/* Which check implements which rule id. A check that serves several ids is listed once per
 * id and runs once (see engine.c). */
#include "checks.h"

#include <regionlint/model.h>

#include <string.h>

/* One binding a line, so that families added on different branches merge cleanly. */
/* clang-format off */
const rl_check_binding rl_check_bindings[] = {
    {RL_ID(RL001), rl_check_input, 0},
    {RL_ID(RL002), rl_check_input, 0},
    {RL_ID(RL003), rl_check_input, 0},
    {RL_ID(RL101), rl_check_quotas, 0},
    {RL_ID(RL102), rl_check_quotas, 0},
    {RL_ID(RL103), rl_check_quotas, 0},
    {RL_ID(RL104), rl_check_quotas, 0},
    {RL_ID(RL201), rl_check_iam, RL_ANALYSIS_IAM_USES},
    {RL_ID(RL202), rl_check_iam, RL_ANALYSIS_IAM_USES},
    {RL_ID(RL203), rl_check_iam, RL_ANALYSIS_IAM_USES},
    {RL_ID(RL301), rl_check_services, 0},
    {RL_ID(RL302), rl_check_services, 0},
    {RL_ID(RL303), rl_check_services, 0},
    {RL_ID(RL304), rl_check_services, 0},
    {RL_ID(RL401), rl_check_deploy, 0},
    {RL_ID(RL402), rl_check_deploy, 0},
    {RL_ID(RL403), rl_check_deploy, 0},
    {RL_ID(RL404), rl_check_deploy, 0},
    {RL_ID(RL405), rl_check_deploy, 0},
    {RL_ID(RL501), rl_check_dependency, 0},
    {RL_ID(RL502), rl_check_dependency, 0},
    {RL_ID(RL503), rl_check_dependency, 0},
    {RL_ID(RL504), rl_check_dependency, 0},
    {RL_ID(RL505), rl_check_imports, 0},
    {RL_ID(RL506), rl_check_external, 0},
    {RL_ID(RL507), rl_check_external, 0},
    {RL_ID(RL601), rl_check_data, RL_ANALYSIS_DATA},
    {RL_ID(RL602), rl_check_data, RL_ANALYSIS_WRITERS},
    {RL_ID(RL603), rl_check_data, RL_ANALYSIS_DATA},
    {RL_ID(RL701), rl_check_observability, RL_ANALYSIS_EDGE},
    {RL_ID(RL702), rl_check_observability, RL_ANALYSIS_EDGE},
    {RL_ID(RL801), rl_check_inregion, 0},
    {RL_ID(RL901), rl_check_requirements, RL_ANALYSIS_EDGE},
    {RL_ID(RL902), rl_check_requirements, 0},
    {NULL, NULL, 0}};
/* clang-format on */

bool rl_engine_emits(const char *id)
{
    /* RL004 is reported by the suppression stage (src/lint/suppress.c), after the checks */
    return !strcmp(id, RL_ID(RL004));
}
