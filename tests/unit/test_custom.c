/* Custom rules: loading (errors with positions, id clashes), selection by kind, resource
 * type, path and region role, messages, suppression, and the PCRE2 limits. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void in_tmpdir(void)
{
    char tmpl[] = "/tmp/rl-custom-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_eq(chdir(tmpl), 0);
}

static void put(const char *path, const char *text)
{
    char dir[256];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads one rule file into a fresh registry; returns the error code. */
static int load_rules(const char *text, rl_error *err)
{
    rl_registry *reg = NULL;
    rl_error_clear(err);
    put("rules.yaml", text);
    cr_assert_eq(rl_registry_new(&reg, err), 0, "%s", err->message);
    int rc = rl_registry_load_path(reg, "rules.yaml", err);
    rl_registry_free(reg);
    return rc;
}

static rl_lint *lint(rl_error *err, const char *rules)
{
    static const char *paths[] = {"templates"};
    const char *rule_paths[] = {rules};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = ".regionlint.yaml";
    o.strategy = -1;
    o.rule_paths = rule_paths;
    o.nrule_paths = 1;
    rl_lint *l = NULL;
    rl_error_clear(err);
    rl_lint_run(&l, &o, err);
    return l;
}

static const rl_finding *find(const rl_lint *l, const char *rule, size_t nth)
{
    const rl_findings *fs = rl_lint_findings(l);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *f = rl_findings_at(fs, i);
        if (!strcmp(f->rule_id, rule) && nth-- == 0)
            return f;
    }
    return NULL;
}

static size_t count(const rl_lint *l, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < rl_findings_count(rl_lint_findings(l)); i++)
        n += !strcmp(rl_findings_at(rl_lint_findings(l), i)->rule_id, rule);
    return n;
}

/* ---- loading ---------------------------------------------------------------------------- */

Test(custom, load_errors_name_the_position, .init = in_tmpdir)
{
    static const struct {
        const char *text;
        unsigned line, column;
        const char *msg;
    } cases[] = {
        {"rules:\n  - {id: RL501, title: t, match: {pattern: a}}\n", 2, 5,
         "RL501 is a built-in rule id: custom rule ids start with RLX (such as RLX501)"},
        {"rules:\n  - {id: XY1, title: t, match: {pattern: a}}\n", 2, 5,
         "custom rule ids look like RLX001"},
        {"rules:\n  - {id: RLX1, title: t}\n", 2, 5, "needs `match:`"},
        {"rules:\n  - {id: RLX1, title: t, colour: red, match: {pattern: a}}\n", 2, 26,
         "unknown rule key 'colour'"},
        {"rules:\n  - id: RLX1\n    title: t\n    match:\n      pattern: 'ab(c'\n", 5, 20,
         "not a valid PCRE2 pattern: missing closing parenthesis (at offset 4)"},
        {"rules:\n  - id: RLX1\n    title: t\n    match: {pattern: a, sources: [x]}\n", 4, 25,
         "unknown key 'match.sources'"},
        {"rules:\n  - id: RLX1\n    title: t\n    match: {pattern: a, kinds: [quotas]}\n", 4, 33,
         "'quotas' is not a kind with resources"},
        {"rules:\n  - id: RLX1\n    title: t\n    match: {pattern: a, regions: [dr]}\n", 4, 35,
         "'dr' is neither a region role"},
        {"rules:\n  - id: RLX1\n    title: t\n    match: {pattern: '(a)', message: 'x {2}'}\n", 4,
         41, "unknown placeholder {2}"},
        {"rules:\n  - id: RLX1\n    title: t\n    match: {pattern: a, message: 'x {valeu'}\n", 4,
         37, "'{' without '}'"},
        {"rules:\n  - id: RLX1\n    title: t\n    match: {message: m}\n", 4, 12,
         "needs `pattern:`"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        rl_error err;
        cr_assert_eq(load_rules(cases[i].text, &err), RL_ECONFIG, "case %zu", i);
        cr_assert(strstr(err.message, cases[i].msg), "case %zu: %s", i, err.message);
        cr_assert_str_eq(err.file, "rules.yaml");
        cr_assert_eq(err.line, cases[i].line, "case %zu: line %u", i, err.line);
        cr_assert_eq(err.column, cases[i].column, "case %zu: column %u", i, err.column);
    }
}

Test(custom, registry_holds_custom_rules, .init = in_tmpdir)
{
    rl_registry *reg = NULL;
    rl_error err;
    rl_error_clear(&err);
    put("a.yaml", "rules:\n  - id: RLX-PAY\n    title: t\n    level: error\n    help-uri: "
                  "https://wiki.example.com/pay\n    match: {pattern: pay}\n");
    put("b/b.yaml", "rules:\n  - {id: RLX-PAY, title: again, match: {pattern: x}}\n");
    cr_assert_eq(rl_registry_new(&reg, &err), 0);
    cr_assert_eq(rl_registry_load_path(reg, "a.yaml", &err), 0, "%s", err.message);
    const rl_rule *r = rl_registry_find(reg, "RLX-PAY");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->family, "custom");
    cr_assert_str_eq(r->name, "t"); /* from the title: SARIF wants a name unlike the id */
    cr_assert_eq(r->level, RL_LEVEL_ERROR);
    cr_assert_str_eq(r->help_uri, "https://wiki.example.com/pay");
    cr_assert_not_null(r->custom);
    cr_assert_not_null(r->check);
    cr_assert_geq(rl_registry_index(reg, r), 0);
    cr_assert_eq(rl_registry_load_path(reg, "b", &err), RL_ECONFIG);
    cr_assert(strstr(err.message, "rule id RLX-PAY is already defined in a.yaml"), "%s",
              err.message);
    rl_registry_free(reg);
}

/* ---- selection and messages -------------------------------------------------------------- */

#define CONFIG "primary: us-east-1\nstandby: [us-west-2]\n"

/* A shared template (evaluated for both regions), a primary-only and a Terraform file. */
static void scenario(void)
{
    put(".regionlint.yaml", CONFIG);
    put("templates/app.yaml", "Parameters:\n"
                              "  PayHost: {Type: String, Default: api.pay.example.com}\n"
                              "Resources:\n"
                              "  Checkout:\n"
                              "    Type: AWS::Lambda::Function\n"
                              "    Properties:\n"
                              "      Environment:\n"
                              "        Variables:\n"
                              "          PAY_URL: !Sub https://${PayHost}/v1\n"
                              "          OTHER: https://api.pay.example.com/v1\n"
                              "      Description: https://api.pay.example.com/docs\n"
                              "  Topic:\n"
                              "    Type: AWS::SNS::Topic\n"
                              "    Properties:\n"
                              "      DisplayName: https://api.pay.example.com\n");
    put("templates/main.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-west-2\"}},\n"
        " \"resource\": {\"aws_lambda_function\": {\"refunds\": {\n"
        "   \"environment\": {\"variables\": {\"PAY\": \"https://api.pay.example.com\"}}}}}}\n");
}

Test(custom, selects_by_kind_type_path_and_role, .init = in_tmpdir)
{
    scenario();
    put("rules/pay.yaml",
        "rules:\n"
        "  - id: RLX001\n"
        "    title: A standby calls the single payment provider\n"
        "    match:\n"
        "      kinds: [cfn-template]\n"
        "      resource-types: ['AWS::Lambda::*']\n"
        "      paths: ['*.Environment.Variables']\n"
        "      regions: [standby]\n"
        "      pattern: 'https://(api\\.pay\\.example\\.com)'\n"
        "      message: '{resource} ({type}) in the {role} region {region} calls {1} through "
        "{property} = {value}; {{no second provider}}'\n");
    rl_error err;
    rl_lint *l = lint(&err, "rules");
    cr_assert_not_null(l, "%s", err.message);
    /* standby only; Description (path), the topic (type) and Terraform (kind) are not looked
     * at */
    cr_assert_eq(count(l, "RLX001"), 2);
    const rl_finding *a = find(l, "RLX001", 0);
    cr_assert_str_eq(a->file, "templates/app.yaml");
    cr_assert_eq(a->span.start.line, 2); /* the parameter default carries the host */
    cr_assert_eq(a->span.start.column, 36);
    cr_assert_eq(a->nrelated, 1);
    cr_assert_eq(a->related[0].span.start.line, 9);
    cr_assert_str_eq(a->region, "us-west-2");
    cr_assert_str_eq(a->path, "Resources.Checkout.Properties.Environment.Variables.PAY_URL");
    cr_assert_str_eq(a->message,
                     "Checkout (AWS::Lambda::Function) in the standby region us-west-2 calls "
                     "api.pay.example.com through PAY_URL = https://api.pay.example.com/v1; "
                     "{no second provider}");
    cr_assert_eq(a->level, RL_LEVEL_WARNING);
    const rl_finding *b = find(l, "RLX001", 1);
    cr_assert_eq(b->span.start.line, 10);
    cr_assert_eq(b->span.start.column, 26); /* the capture group: the host */
    cr_assert_eq(b->span.end.column, 45);
    rl_lint_free(l);
}

Test(custom, roles_region_codes_and_defaults, .init = in_tmpdir)
{
    scenario();
    put("rules/pay.yaml", "rules:\n"
                          "  - id: RLX002\n"
                          "    title: payment host\n"
                          "    level: note\n"
                          "    match:\n"
                          "      regions: [primary]\n"
                          "      pattern: api\\.pay\\.example\\.com\n"
                          "  - id: RLX003\n"
                          "    title: payment host in Oregon\n"
                          "    match:\n"
                          "      kinds: terraform-config\n"
                          "      regions: us-west-2\n"
                          "      pattern: api\\.pay\n");
    rl_error err;
    rl_lint *l = lint(&err, "rules/pay.yaml");
    cr_assert_not_null(l, "%s", err.message);
    /* primary: the shared template's us-east-1 instance (4 values: the parameter default
     * reached twice is one finding, the Description, the topic) */
    cr_assert_eq(count(l, "RLX002"), 4);
    const rl_finding *f = find(l, "RLX002", 0);
    cr_assert_str_eq(f->region, "us-east-1");
    cr_assert_eq(f->level, RL_LEVEL_NOTE);
    cr_assert_str_eq(f->message, "Checkout (AWS::Lambda::Function) in the primary region "
                                 "us-east-1: PAY_URL matches RLX002 (payment host): "
                                 "api.pay.example.com");
    cr_assert_eq(count(l, "RLX003"), 1);
    cr_assert_str_eq(find(l, "RLX003", 0)->file, "templates/main.tf.json");
    cr_assert_str_eq(find(l, "RLX003", 0)->path,
                     "resource.aws_lambda_function.refunds.environment.variables.PAY");
    rl_lint_free(l);
}

Test(custom, findings_are_suppressible_and_selectable, .init = in_tmpdir)
{
    scenario();
    put("templates/app.yaml", "Resources:\n"
                              "  Checkout:\n"
                              "    Type: AWS::Lambda::Function\n"
                              "    Properties:\n"
                              "      Environment:\n"
                              "        Variables:\n"
                              "          # regionlint:ignore RLX001 the provider has a DR site\n"
                              "          PAY: https://api.pay.example.com/v1\n");
    put("rules/pay.yaml",
        "rules:\n"
        "  - {id: RLX001, title: t, match: {regions: [standby], pattern: 'api'}}\n"
        "  - {id: RLX002, title: t, match: {pattern: 'api'}}\n");
    put(".regionlint.yaml", CONFIG "rules: {disable: [RLX002]}\n");
    rl_error err;
    rl_lint *l = lint(&err, "rules");
    cr_assert_not_null(l, "%s", err.message);
    const rl_finding *f = find(l, "RLX001", 0);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_str_eq(f->justification, "the provider has a DR site");
    cr_assert_eq(count(l, "RLX002"), 0);
    cr_assert_eq(count(l, "RL004"), 0);
    rl_lint_free(l);
}

/* ---- hostile patterns ---------------------------------------------------------------------- */

Test(custom, catastrophic_backtracking_hits_the_limit, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    /* (a+)+$ against "aaa...a!" backtracks exponentially; the match limit must stop it and
     * the run must say which rule, pattern and value */
    char *text = malloc(40000);
    cr_assert_not_null(text);
    strcpy(text, "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                 "      Description: x\n      Handler: ");
    size_t n = strlen(text);
    memset(text + n, 'a', 30000);
    strcpy(text + n + 30000, "!\n");
    put("templates/t.yaml", text);
    free(text);
    put("rules/bad.yaml", "rules:\n"
                          "  - id: RLX-HOSTILE\n"
                          "    title: hostile\n"
                          "    match:\n"
                          "      pattern: '(a+)+$'\n");
    rl_error err;
    rl_lint *l = lint(&err, "rules/bad.yaml");
    cr_assert_null(l);
    cr_assert_eq(err.code, RL_ELIMIT);
    cr_assert_str_eq(err.file, "rules/bad.yaml");
    cr_assert_eq(err.line, 5);
    cr_assert_eq(err.column, 16);
    cr_assert(strstr(err.message, "custom rule RLX-HOSTILE: the pattern hit the PCRE2 match limit "
                                  "on the value of Resources.F.Properties.Handler "
                                  "(templates/t.yaml:6:16)"),
              "%s", err.message);
}

Test(custom, nested_alternation_hits_a_limit, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    char *text = malloc(20000);
    cr_assert_not_null(text);
    strcpy(text, "Resources:\n  F:\n    Type: AWS::SNS::Topic\n    Properties:\n"
                 "      DisplayName: ");
    size_t n = strlen(text);
    memset(text + n, 'a', 64);
    strcpy(text + n + 64, "b\n");
    put("templates/t.yaml", text);
    free(text);
    put("rules/bad.yaml", "rules:\n  - {id: RLX9, title: t, match: {pattern: '^(a|a|aa)*$'}}\n");
    rl_error err;
    cr_assert_null(lint(&err, "rules/bad.yaml"));
    cr_assert_eq(err.code, RL_ELIMIT);
    cr_assert(strstr(err.message, "custom rule RLX9: the pattern hit the PCRE2"), "%s",
              err.message);
}
