/* The generated rule ids (rl_rule_ids.h): one enum value per rule of rules/, the
 * value <-> string tables, RL_ID() as the string, and the registry holding exactly them. */
#include <criterion/criterion.h>
#include <regionlint/rule.h>
#include <string.h>

Test(ids, every_rule_of_the_registry_has_an_enum_value_and_back)
{
    rl_registry *reg = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_registry_new(&reg, &err), 0, "%s", err.message);
    cr_assert_eq(rl_registry_count(reg), (size_t)RL_RULE_COUNT);
    cr_assert_eq(RL_RULE_COUNT, RL_RULE_ID_COUNT);
    for (size_t i = 0; i < rl_registry_count(reg); i++) {
        const char *id = rl_registry_at(reg, i)->id;
        int v = rl_rule_id_parse(id);
        cr_assert_geq(v, 0, "%s", id);
        cr_assert_str_eq(rl_rule_id_str((rl_rule_id)v), id);
        /* registry order and enum order are both id order */
        cr_assert_eq((size_t)v, i, "%s", id);
    }
    rl_registry_free(reg);
}

Test(ids, macros_and_enum_agree)
{
    cr_assert_str_eq(RL_ID(RL501), "RL501");
    cr_assert_str_eq(rl_rule_id_str(RL_RULE_RL501), "RL501");
    cr_assert_eq(rl_rule_id_parse(RL_ID(RL004)), RL_RULE_RL004);
    cr_assert_eq(RL_RULE_RL001, 0);
    cr_assert_lt(RL_RULE_RL901, RL_RULE_RL902);
}

Test(ids, unknown_custom_and_null_ids_have_no_value)
{
    cr_assert_eq(rl_rule_id_parse("RL599"), -1);
    cr_assert_eq(rl_rule_id_parse("RL50"), -1);
    cr_assert_eq(rl_rule_id_parse("RL5011"), -1);
    cr_assert_eq(rl_rule_id_parse("RLX-PAYMENTS"), -1);
    cr_assert_eq(rl_rule_id_parse(""), -1);
    cr_assert_eq(rl_rule_id_parse(NULL), -1);
    cr_assert_null(rl_rule_id_str(RL_RULE_COUNT));
    cr_assert_null(rl_rule_id_str((rl_rule_id)-1));
}
