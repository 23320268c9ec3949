/* Rule settings with declared types (src/rules/settings.c): declarations in rule files and
 * their errors, the config's settings blocks checked against them (every error form with
 * its position), custom rules' own declarations, and the typed views checks read. */
#include <criterion/criterion.h>
#include <regionlint/rule.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/engine.h"
#include "rules/settings.h"

typedef struct tfx {
    char dir[64];
    rl_registry *reg;
    rl_config *cfg;
    rl_error err;
} tfx;

static tfx *tfx_new(void)
{
    tfx *t = calloc(1, sizeof(*t));
    cr_assert_not_null(t);
    strcpy(t->dir, "/tmp/rl-settings-XXXXXX");
    cr_assert_not_null(mkdtemp(t->dir));
    rl_error_clear(&t->err);
    cr_assert_eq(rl_registry_new(&t->reg, &t->err), 0, "%s", t->err.message);
    return t;
}

static void tfx_free(tfx *t)
{
    char cmd[128];
    rl_config_free(t->cfg);
    rl_registry_free(t->reg);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
    cr_assert_eq(system(cmd), 0);
    free(t);
}

static const char *put_file(tfx *t, const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", t->dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads a custom rule file: 0 or the error code (message and position in t->err). */
static int load_rules(tfx *t, const char *text)
{
    rl_error_clear(&t->err);
    return rl_registry_load_path(t->reg, put_file(t, "rules.yaml", text), &t->err);
}

/* Loads a config (regions added) and checks its settings blocks against the registry. */
static int check_config(tfx *t, const char *rules)
{
    char text[2048];
    snprintf(text, sizeof(text), "primary: us-east-1\nstandby: us-west-2\nrules:\n%s", rules);
    rl_config_free(t->cfg);
    t->cfg = NULL;
    rl_error_clear(&t->err);
    int rc = rl_config_load(&t->cfg, put_file(t, "c.yaml", text), &t->err);
    cr_assert_eq(rc, 0, "%s", t->err.message);
    return rl_settings_check_config(t->reg, t->cfg, &t->err);
}

#define ASSERT_ERR(t, rc, l, c, text)                                                              \
    do {                                                                                           \
        cr_assert_eq((rc), RL_ECONFIG, "expected an error: %s", (t)->err.message);                 \
        cr_assert_eq((t)->err.line, (l), "line %u: %s", (t)->err.line, (t)->err.message);          \
        cr_assert_eq((t)->err.column, (c), "column %u: %s", (t)->err.column, (t)->err.message);    \
        cr_assert(strstr((t)->err.message, (text)), "%s", (t)->err.message);                       \
    } while (0)

/* ---- the built-in declarations ----------------------------------------------------------- */

Test(settings, every_setting_a_check_reads_is_declared_with_a_type)
{
    tfx *t = tfx_new();
    static const struct {
        const char *rule, *key;
        rl_setting_kind kind;
    } read[] = {
        {"RL201", "unowned-roles", RL_SETTING_BOOL},
        {"RL202", "allowed-actions", RL_SETTING_LIST},
        {"RL202", "allowed-roles", RL_SETTING_LIST},
        {"RL402", "protected-environments", RL_SETTING_LIST},
        {"RL501", "allowed-paths", RL_SETTING_LIST},
        {"RL501", "allowed-types", RL_SETTING_LIST},
        {"RL501", "pinned-endpoints", RL_SETTING_LIST},
        {"RL506", "onprem-domains", RL_SETTING_LIST},
        {"RL506", "vpc-cidrs", RL_SETTING_LIST},
        {"RL506", "ignored-types", RL_SETTING_LIST},
        {"RL507", "third-parties", RL_SETTING_LIST},
        {"RL602", "single-writer", RL_SETTING_LIST},
        {"RL603", "required", RL_SETTING_MAP},
        {"RL603", "ignore-types", RL_SETTING_LIST},
        {"RL701", "entry-point-types", RL_SETTING_LIST},
        {"RL701", "require-edge-layer", RL_SETTING_BOOL},
        {"RL901", "achievable-rto", RL_SETTING_MAP},
    };
    size_t total = 0;
    for (size_t i = 0; i < rl_registry_count(t->reg); i++)
        total += rl_registry_at(t->reg, i)->nsettings;
    cr_assert_eq(total, sizeof(read) / sizeof(*read), "a declared setting no test knows of");
    for (size_t i = 0; i < sizeof(read) / sizeof(*read); i++) {
        const rl_setting_decl *d =
            rl_settings_find(rl_registry_find(t->reg, read[i].rule), read[i].key);
        cr_assert_not_null(d, "%s.%s", read[i].rule, read[i].key);
        cr_assert_not_null(d->def, "%s.%s has a default", read[i].rule, read[i].key);
        cr_assert_eq(rl_setting_kind_of(rl_setting_view(NULL, d->def, d->type)), read[i].kind,
                     "%s.%s", read[i].rule, read[i].key);
    }
    tfx_free(t);
}

Test(settings, a_valid_config_passes)
{
    tfx *t = tfx_new();
    int rc =
        check_config(t, "  RL501:\n    allowed-paths: \"*.Properties.Foo\"\n"
                        "  RL506:\n    onprem-domains: [corp.example.com, \"*.branch.example\"]\n"
                        "    vpc-cidrs: {us-west-2: [10.30.0.0/16]}\n"
                        "  RL507:\n    third-parties:\n"
                        "      - {name: pay, hosts: [stripe.com], alternatives: [adyen.com]}\n"
                        "  RL402:\n    protected-environments: [prod, {name: dr, wait: 30m}]\n"
                        "  RL603:\n    required: {pilot-light: backup}\n"
                        "  RL901:\n    achievable-rto: {hot-standby: 30}\n"
                        "  RL201: {unowned-roles: false}\n");
    cr_assert_eq(rc, 0, "%s", t->err.message);
    tfx_free(t);
}

/* ---- the config's errors, each with its position ----------------------------------------- */

Test(settings, unknown_rule_names_the_nearest_id)
{
    tfx *t = tfx_new();
    int rc = check_config(t, "  RL5O1:\n    allowed-paths: []\n");
    ASSERT_ERR(t, rc, 4, 3,
               "rules.RL5O1: settings for a rule that does not exist (did you mean "
               "RL501?");
    rc = check_config(t, "  RL999: {}\n");
    ASSERT_ERR(t, rc, 4, 3, "rules.RL999: settings for a rule that does not exist (see");
    cr_assert_null(strstr(t->err.message, "did you mean"), "%s", t->err.message);
    tfx_free(t);
}

Test(settings, rule_without_settings)
{
    tfx *t = tfx_new();
    int rc = check_config(t, "  RL503:\n    strict: true\n");
    ASSERT_ERR(t, rc, 5, 5, "rules.RL503: RL503 has no settings");
    tfx_free(t);
}

Test(settings, unknown_key_names_the_nearest_and_lists_the_rest)
{
    tfx *t = tfx_new();
    int rc =
        check_config(t, "  RL506:\n    vpc-cidrs: []\n    onprem-domain: [corp.example.com]\n");
    ASSERT_ERR(t, rc, 6, 5,
               "rules.RL506: RL506 has no setting 'onprem-domain'; did you mean onprem-domains? "
               "(settings: onprem-domains, vpc-cidrs, ignored-types)");
    rc = check_config(t, "  RL506:\n    domains: []\n");
    ASSERT_ERR(t, rc, 5, 5, "RL506 has no setting 'domains' (settings:");
    tfx_free(t);
}

Test(settings, wrong_types_name_the_key_path)
{
    static const struct {
        const char *rules;
        unsigned line, col;
        const char *text;
    } cases[] = {
        {"  RL201:\n    unowned-roles: sometimes\n", 5, 20,
         "rules.RL201.unowned-roles: expected true or false, not 'sometimes'"},
        {"  RL501:\n    allowed-paths: {a: b}\n", 5, 20,
         "rules.RL501.allowed-paths: expected a list of globs, not a mapping"},
        {"  RL501:\n    allowed-paths: [ok, [nested]]\n", 5, 25,
         "rules.RL501.allowed-paths[1]: expected a glob, not a list"},
        {"  RL701:\n    entry-point-types:\n", 5, 23,
         "rules.RL701.entry-point-types: expected a list of globs, not null"},
        {"  RL506:\n    onprem-domains: [\"bad name\"]\n", 5, 22,
         "rules.RL506.onprem-domains[0]: 'bad name' is not a host name"},
        {"  RL506:\n    vpc-cidrs: [10.0.0.0/33]\n", 5, 17,
         "rules.RL506.vpc-cidrs[0]: '10.0.0.0/33' is not an IPv4 CIDR block"},
        {"  RL506:\n    vpc-cidrs: {us_west_2: [10.0.0.0/8]}\n", 5, 17,
         "rules.RL506.vpc-cidrs: 'us_west_2' is not an AWS region code"},
        {"  RL506:\n    vpc-cidrs: {us-west-2: [10.0.0/8]}\n", 5, 29,
         "rules.RL506.vpc-cidrs.us-west-2[0]: '10.0.0/8' is not an IPv4 CIDR block"},
        {"  RL506:\n    vpc-cidrs: true\n", 5, 16,
         "expected a list of IPv4 CIDR blocks or a mapping of region codes to lists of IPv4 "
         "CIDR blocks, not 'true'"},
        {"  RL507:\n    third-parties: [{hosts: [a.com]}]\n", 5, 21,
         "rules.RL507.third-parties[0]: needs the key 'name'"},
        {"  RL507:\n    third-parties: [{name: x, hosts: [a.com], alternative: [b.com]}]\n", 5, 47,
         "rules.RL507.third-parties[0]: unknown key 'alternative'; did you mean alternatives? "
         "(keys: name, hosts, alternatives)"},
        {"  RL507:\n    third-parties:\n      - {name: x, hosts: []}\n", 6, 26,
         "rules.RL507.third-parties[0].hosts: needs at least 1 item"},
        {"  RL402:\n    protected-environments: [{name: prod, wait: 3x}]\n", 5, 49,
         "rules.RL402.protected-environments[0].wait: '3x' is not a duration"},
        {"  RL402:\n    protected-environments: [[prod]]\n", 5, 30,
         "rules.RL402.protected-environments[0]: expected a glob or a mapping {name, wait}, not "
         "a list"},
        {"  RL603:\n    required: {warm-standby: backups}\n", 5, 30,
         "rules.RL603.required.warm-standby: 'backups' is not an allowed value (backup, "
         "replication); did you mean backup?"},
        {"  RL603:\n    required: {warm-stanby: backup}\n", 5, 16,
         "rules.RL603.required: 'warm-stanby' is not a strategy (backup-restore, pilot-light, "
         "warm-standby, hot-standby, active-active); did you mean warm-standby?"},
        {"  RL901:\n    achievable-rto: {pilot-light: 10 min}\n", 5, 35,
         "rules.RL901.achievable-rto.pilot-light: '10 min' is not a duration"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        tfx *t = tfx_new();
        int rc = check_config(t, cases[i].rules);
        cr_assert_eq(rc, RL_ECONFIG, "case %zu", i);
        cr_assert_eq(t->err.line, cases[i].line, "case %zu: line %u: %s", i, t->err.line,
                     t->err.message);
        cr_assert_eq(t->err.column, cases[i].col, "case %zu: column %u: %s", i, t->err.column,
                     t->err.message);
        cr_assert(strstr(t->err.message, cases[i].text), "case %zu: %s", i, t->err.message);
        cr_assert(strstr(t->err.file, "c.yaml"), "case %zu: %s", i, t->err.file);
        tfx_free(t);
    }
}

/* ---- declarations in rule files ---------------------------------------------------------- */

#define CUSTOM(settings)                                                                           \
    "rules:\n"                                                                                     \
    "  - id: RLX-T\n"                                                                              \
    "    title: a test rule\n"                                                                     \
    "    match: {pattern: 'x'}\n"                                                                  \
    "    settings:\n" settings

Test(settings, bad_declarations_are_errors_in_the_rule_file)
{
    static const struct {
        const char *text;
        unsigned line, col;
        const char *msg;
    } cases[] = {
        {CUSTOM("      hosts: {type: strng}\n"), 6, 21,
         "unknown setting type 'strng' (did you mean string?)"},
        {CUSTOM("      hosts: [a.com]\n"), 6, 14, "setting hosts must be declared as {type:"},
        {CUSTOM("      hosts: {type: host, defualt: a.com}\n"), 6, 27,
         "setting hosts: unknown key 'defualt' (expected type, default)"},
        {CUSTOM("      m: {type: {map: strategy}}\n"), 6, 17, "a map type needs `to:`"},
        {CUSTOM("      m: {type: {map: account, to: string}}\n"), 6, 23,
         "map keys are string, region or strategy"},
        {CUSTOM("      l: {type: {list: glob, min: -1}}\n"), 6, 35, "min must be a count"},
        {CUSTOM("      l: {type: {list: glob, to: glob}}\n"), 6, 17,
         "min goes with list, to with map, required with record"},
        {CUSTOM("      l: {type: {list: glob, map: string}}\n"), 6, 30,
         "a setting type has one of list, map, record, enum, one-of"},
        {CUSTOM("      r: {type: {record: {a: string}, required: [b]}}\n"), 6, 50,
         "required names 'b', which is not a field"},
        {CUSTOM("      e: {type: {enum: []}}\n"), 6, 24, "enum must be a non-empty list"},
        {CUSTOM("      o: {type: {one-of: [glob]}}\n"), 6, 26, "one-of needs a list of two"},
        {CUSTOM("      d: {type: duration, default: soon}\n"), 6, 36,
         "RLX-T setting d: default: 'soon' is not a duration"},
        {CUSTOM("      d:\n        type: {list: cidr}\n        default: [10.0.0.0/8, x]\n"), 8, 31,
         "RLX-T setting d: default[1]: 'x' is not an IPv4 CIDR block"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        tfx *t = tfx_new();
        int rc = load_rules(t, cases[i].text);
        cr_assert_eq(rc, RL_ECONFIG, "case %zu: %s", i, t->err.message);
        cr_assert_eq(t->err.line, cases[i].line, "case %zu: line %u: %s", i, t->err.line,
                     t->err.message);
        cr_assert_eq(t->err.column, cases[i].col, "case %zu: column %u: %s", i, t->err.column,
                     t->err.message);
        cr_assert(strstr(t->err.message, cases[i].msg), "case %zu: %s", i, t->err.message);
        cr_assert(strstr(t->err.file, "rules.yaml"), "case %zu: %s", i, t->err.file);
        tfx_free(t);
    }
}

Test(settings, custom_rules_settings_are_checked_from_their_own_metadata)
{
    tfx *t = tfx_new();
    cr_assert_eq(load_rules(t, CUSTOM("      hosts: {type: {list: host}, default: []}\n")), 0, "%s",
                 t->err.message);
    int rc = check_config(t, "  RLX-T:\n    hosts: [pay.example.com]\n");
    cr_assert_eq(rc, 0, "%s", t->err.message);
    rc = check_config(t, "  RLX-T:\n    host: [pay.example.com]\n");
    ASSERT_ERR(t, rc, 5, 5, "RLX-T has no setting 'host'; did you mean hosts?");
    rc = check_config(t, "  RLX-T:\n    hosts: [\"pay example\"]\n");
    ASSERT_ERR(t, rc, 5, 13, "rules.RLX-T.hosts[0]: 'pay example' is not a host name");
    rc = check_config(t, "  RLX-U: {}\n");
    ASSERT_ERR(t, rc, 4, 3,
               "rules.RLX-U: settings for a rule that does not exist (did you mean "
               "RLX-T?");
    tfx_free(t);
}

/* ---- typed views ------------------------------------------------------------------------- */

static rl_setting setting(tfx *t, const char *rule, const char *key)
{
    const rl_rule *r = rl_registry_find(t->reg, rule);
    const rl_setting_decl *d = rl_settings_find(r, key);
    cr_assert_not_null(d, "%s.%s", rule, key);
    const rl_node *v = rl_node_get(rl_config_rule_settings(t->cfg, rule), key);
    return rl_setting_view(v, d->def, d->type);
}

Test(settings, views_read_values_through_their_types)
{
    tfx *t = tfx_new();
    cr_assert_eq(load_rules(t, CUSTOM("      b: {type: bool, default: true}\n"
                                      "      n: {type: number}\n"
                                      "      one: {type: {list: glob}, default: []}\n"
                                      "      rto:\n"
                                      "        type: {map: strategy, to: duration}\n"
                                      "        default: {pilot-light: 10m, warm-standby: 1m}\n"
                                      "      by: {type: {one-of: [{list: cidr}, "
                                      "{map: region, to: {list: cidr}}]}}\n"
                                      "      env: {type: {list: {one-of: [glob, {record: "
                                      "{name: glob, wait: duration}, required: [name]}]}}}\n")),
                 0, "%s", t->err.message);
    int rc = check_config(t, "  RLX-T:\n    one: \"a*\"\n    rto: {warm-standby: 30s}\n"
                             "    by: {us-west-2: [10.1.0.0/16, 10.2.0.0/16]}\n"
                             "    n: 2.5\n    env: [prod, {name: dr, wait: 1h}]\n");
    cr_assert_eq(rc, 0, "%s", t->err.message);

    /* defaults stand where the config is silent; unset settings read as their zero */
    cr_assert(rl_setting_bool(setting(t, "RLX-T", "b")));
    cr_assert_eq(rl_setting_number(setting(t, "RLX-T", "n")), 2.5);
    /* a lone item is a list of one */
    rl_setting one = setting(t, "RLX-T", "one");
    cr_assert_eq(rl_setting_kind_of(one), RL_SETTING_LIST);
    cr_assert_eq(rl_setting_count(one), 1);
    cr_assert_str_eq(rl_setting_str(rl_setting_at(one, 0)), "a*");
    cr_assert_eq(rl_setting_kind_of(rl_setting_at(one, 1)), RL_SETTING_UNSET);
    /* a map keeps the default's entries the config leaves out */
    rl_setting rto = setting(t, "RLX-T", "rto");
    cr_assert_eq(rl_setting_seconds(rl_setting_get(rto, "warm-standby")), 30);
    cr_assert_eq(rl_setting_seconds(rl_setting_get(rto, "pilot-light")), 600);
    cr_assert_eq(rl_setting_seconds(rl_setting_get(rto, "hot-standby")), -1);
    cr_assert_eq(rl_setting_count(rto), 2);
    cr_assert_str_eq(rl_setting_key_at(rto, 0), "warm-standby");
    cr_assert_str_eq(rl_setting_key_at(rto, 1), "pilot-light");
    cr_assert_null(rl_setting_key_at(rto, 2));
    /* a one-of reads as the form the value takes */
    rl_setting by = setting(t, "RLX-T", "by");
    cr_assert_eq(rl_setting_kind_of(by), RL_SETTING_MAP);
    cr_assert_str_eq(rl_setting_key_at(by, 0), "us-west-2");
    cr_assert_eq(rl_setting_count(rl_setting_at(by, 0)), 2);
    cr_assert_str_eq(rl_setting_str(rl_setting_at(rl_setting_at(by, 0), 1)), "10.2.0.0/16");
    rl_setting env = setting(t, "RLX-T", "env");
    cr_assert_eq(rl_setting_kind_of(rl_setting_at(env, 0)), RL_SETTING_STRING);
    rl_setting dr = rl_setting_at(env, 1);
    cr_assert_eq(rl_setting_kind_of(dr), RL_SETTING_RECORD);
    cr_assert_str_eq(rl_setting_str(rl_setting_get(dr, "name")), "dr");
    cr_assert_eq(rl_setting_seconds(rl_setting_get(dr, "wait")), 3600);
    cr_assert_eq(rl_setting_kind_of(rl_setting_get(dr, "nope")), RL_SETTING_UNSET);
    /* a reader of the wrong kind gets the zero value, never another kind's bytes */
    cr_assert_null(rl_setting_str(rto));
    cr_assert_not(rl_setting_bool(one));
    cr_assert_eq(rl_setting_seconds(setting(t, "RLX-T", "b")), -1);
    tfx_free(t);
}

Test(settings, the_lint_run_refuses_a_bad_setting_before_reading_inputs)
{
    tfx *t = tfx_new();
    /* through rl_ruleset_new, as every run goes: a disabled rule's settings are checked too */
    char text[256];
    snprintf(text, sizeof(text),
             "primary: us-east-1\nstandby: us-west-2\nrules:\n"
             "  disable: [RL5]\n  RL501:\n    allowed-path: []\n");
    cr_assert_eq(rl_config_load(&t->cfg, put_file(t, "c.yaml", text), &t->err), 0);
    rl_error_clear(&t->err);
    rl_ruleset *rs = NULL;
    cr_assert_eq(
        rl_ruleset_new(&rs, t->reg, t->cfg, RL_STRATEGY_WARM_STANDBY, NULL, 0, NULL, 0, &t->err),
        RL_ECONFIG);
    cr_assert_null(rs);
    cr_assert_eq(t->err.line, 6);
    cr_assert(strstr(t->err.message, "did you mean allowed-paths?"), "%s", t->err.message);
    tfx_free(t);
}

Test(settings, docs_config_lists_every_built_in_setting)
{
    FILE *f = fopen(RL_SOURCE_DIR "/docs/config.md", "r");
    cr_assert_not_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    tfx *t = tfx_new();
    for (size_t i = 0; i < rl_registry_count(t->reg); i++) {
        const rl_rule *r = rl_registry_at(t->reg, i);
        for (size_t j = 0; j < r->nsettings; j++) {
            /* a row "| `RL506` | `onprem-domains`..." or "..., `ignored-types` |" */
            char row[64], name[96];
            snprintf(row, sizeof(row), "\n| `%s` | ", r->id);
            snprintf(name, sizeof(name), "`%s`", r->settings[j].name);
            bool found = false;
            for (const char *p = strstr(text, row); p && !found; p = strstr(p + 1, row)) {
                const char *end = strchr(p + strlen(row), '|');
                const char *at = strstr(p + strlen(row), name);
                found = at && end && at < end;
            }
            cr_assert(found, "docs/config.md's settings table lacks %s %s", r->id,
                      r->settings[j].name);
        }
    }
    tfx_free(t);
}

/* A check that reads a setting its rule does not declare (a bug) ends the run with an error
 * that names it, instead of reading nothing. */
static int reads_undeclared(rl_rule_ctx *ctx)
{
    rl_setting s = rl_ctx_setting(ctx, RL_ID(RL501), "allowed-path");
    return rl_setting_count(s) == 0 ? RL_OK : RL_EINVAL;
}

static int reads_declared(rl_rule_ctx *ctx)
{
    return rl_setting_count(rl_ctx_setting(ctx, RL_ID(RL501), "allowed-paths")) > 0 &&
                   rl_ctx_setting_bool(ctx, RL_ID(RL701), "require-edge-layer")
               ? RL_OK
               : RL_EINVAL;
}

static int run_one_check(tfx *t, rl_check_fn fn)
{
    rl_rule *r = (rl_rule *)rl_registry_find(t->reg, RL_ID(RL503));
    r->check = fn;
    cr_assert_eq(rl_config_empty(&t->cfg), 0);
    const char *disable[] = {"RL"}, *enable[] = {"RL503"};
    rl_ruleset *rs = NULL;
    cr_assert_eq(rl_ruleset_new(&rs, t->reg, t->cfg, RL_STRATEGY_WARM_STANDBY, enable, 1, disable,
                                1, &t->err),
                 0, "%s", t->err.message);
    rl_findings *fs = NULL;
    cr_assert_eq(rl_findings_new(&fs), 0);
    rl_error_clear(&t->err);
    int rc = rl_engine_run(t->reg, rs, NULL, t->cfg, fs, &t->err);
    rl_findings_free(fs);
    rl_ruleset_free(rs);
    return rc;
}

Test(settings, a_check_reading_an_undeclared_setting_fails_the_run)
{
    tfx *t = tfx_new();
    cr_assert_eq(run_one_check(t, reads_undeclared), RL_EINVAL);
    cr_assert(strstr(t->err.message, "rule RL503 reads the setting RL501.allowed-path, which the "
                                     "rule metadata in rules/ does not declare"),
              "%s", t->err.message);
    tfx_free(t);
    t = tfx_new();
    cr_assert_eq(run_one_check(t, reads_declared), 0, "%s", t->err.message);
    tfx_free(t);
}
