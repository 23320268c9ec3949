/* Which check implements which rule id. A check that serves several ids is listed once per
 * id and runs once (see engine.c). */
#include "checks.h"

#include <string.h>

/* One binding a line, so that families added on different branches merge cleanly. */
/* clang-format off */
const rl_check_binding rl_check_bindings[] = {
    {"RL001", rl_check_input},
    {"RL002", rl_check_input},
    {"RL003", rl_check_input},
    {"RL101", rl_check_quotas},
    {"RL102", rl_check_quotas},
    {"RL103", rl_check_quotas},
    {"RL104", rl_check_quotas},
    {"RL201", rl_check_iam},
    {"RL202", rl_check_iam},
    {"RL203", rl_check_iam},
    {"RL301", rl_check_services},
    {"RL302", rl_check_services},
    {"RL303", rl_check_services},
    {"RL304", rl_check_services},
    {"RL401", rl_check_deploy},
    {"RL402", rl_check_deploy},
    {"RL403", rl_check_deploy},
    {"RL404", rl_check_deploy},
    {"RL405", rl_check_deploy},
    {"RL501", rl_check_dependency},
    {"RL502", rl_check_dependency},
    {"RL503", rl_check_dependency},
    {"RL504", rl_check_dependency},
    {"RL505", rl_check_imports},
    {"RL506", rl_check_external},
    {"RL507", rl_check_external},
    {"RL601", rl_check_data},
    {"RL602", rl_check_data},
    {"RL603", rl_check_data},
    {"RL701", rl_check_observability},
    {"RL702", rl_check_observability},
    {"RL801", rl_check_inregion},
    {"RL901", rl_check_requirements},
    {"RL902", rl_check_requirements},
    {NULL, NULL}};
/* clang-format on */

bool rl_engine_emits(const char *id)
{
    /* RL004 is reported by the suppression stage (src/lint/suppress.c), after the checks */
    return !strcmp(id, "RL004");
}
