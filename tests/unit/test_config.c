/* The config file: keys, errors with positions, durations, globs, lookup. */
#include <criterion/criterion.h>

#include "base/time.h"
#include <regionlint/config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/rl-config-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

Test(config, full_example)
{
    char *p =
        write_tmp("primary: us-east-1\n"
                  "standby: [us-west-2, eu-west-1]\n"
                  "strategy: pilot-light\n"
                  "requirements: {rto: 15m, rpo: 1m, tier: 0}\n"
                  "bake-time: 2h30m\n"
                  "inputs:\n  us-east-1: [exports/use1/**]\n  shared: templates/*.yaml\n"
                  "scp: [org/scps/*.json]\n"
                  "rules:\n  disable: [RL506]\n  levels: {RL402: error}\n"
                  "  RL506: {onprem-domains: [corp.example.com]}\n"
                  "ignore:\n  - {rule: RL501, path: templates/legacy.yaml, reason: migrating, "
                  "expires: 2027-03-31}\n"
                  "mandatory: [RL301]\n");
    rl_config *cfg = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_config_load(&cfg, p, &err), 0, "%s", err.message);
    cr_assert_str_eq(cfg->primary, "us-east-1");
    cr_assert_eq(cfg->nstandby, 2);
    cr_assert_str_eq(cfg->standby[1], "eu-west-1");
    cr_assert_eq(cfg->strategy, RL_STRATEGY_PILOT_LIGHT);
    cr_assert_eq(cfg->rto, 900);
    cr_assert_eq(cfg->rpo, 60);
    cr_assert_eq(cfg->tier, 0);
    cr_assert_eq(cfg->bake_time, 9000);
    cr_assert_eq(cfg->ninputs, 2);
    cr_assert_str_eq(cfg->inputs[1].region, "shared");
    cr_assert_str_eq(cfg->inputs[1].globs[0], "templates/*.yaml");
    cr_assert_eq(cfg->nlevels, 1);
    cr_assert_eq(cfg->levels[0].level, RL_LEVEL_ERROR);
    cr_assert_not_null(rl_node_get(rl_config_rule_settings(cfg, "RL506"), "onprem-domains"));
    cr_assert_eq(cfg->nignores, 1);
    cr_assert_str_eq(cfg->ignores[0].reason, "migrating");
    cr_assert_str_eq(cfg->ignores[0].expires, "2027-03-31");
    cr_assert_str_eq(cfg->mandatory[0], "RL301");
    rl_config_free(cfg);
    unlink(p);
    free(p);
}

static void expect_error(const char *text, unsigned line, unsigned col, const char *needle)
{
    char *p = write_tmp(text);
    rl_config *cfg = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_config_load(&cfg, p, &err), RL_ECONFIG, "%s", text);
    cr_assert_null(cfg);
    cr_assert_eq(err.line, line, "%s: line %u", err.message, err.line);
    cr_assert_eq(err.column, col, "%s: column %u", err.message, err.column);
    cr_assert(strstr(err.message, needle), "'%s' lacks '%s'", err.message, needle);
    unlink(p);
    free(p);
}

Test(config, errors_name_the_key_and_position)
{
    expect_error("primary: us-east-1\nstandy: us-west-2\n", 2, 1, "unknown key 'standy'");
    expect_error("primary: us_east_1\n", 1, 10, "not an AWS region code");
    expect_error("strategy: warm\n", 1, 11, "unknown strategy");
    expect_error("bake-time: soon\n", 1, 12, "duration");
    expect_error("rules:\n  levels: {RL402: loud}\n", 2, 19, "level of RL402");
    expect_error("ignore:\n  - {path: x}\n", 2, 5, "needs 'rule'");
    expect_error("primary: us-east-1\nprimary: us-west-2\n", 2, 1, "duplicate key");
    expect_error("primary: [\n", 2, 1, "");
}

Test(config, durations)
{
    cr_assert_eq(rl_duration_parse("1h", 0), 3600);
    cr_assert_eq(rl_duration_parse("15m", 0), 900);
    cr_assert_eq(rl_duration_parse("90", 0), 90);
    cr_assert_eq(rl_duration_parse("1d2h", 0), 93600);
    cr_assert_eq(rl_duration_parse("1w", 0), 604800);
    cr_assert_eq(rl_duration_parse("1h30", 0), -1);
    cr_assert_eq(rl_duration_parse("", 0), -1);
    cr_assert_eq(rl_duration_parse("-1h", 0), -1);
    cr_assert_eq(rl_duration_parse("1y", 0), -1);
}

Test(config, globs)
{
    cr_assert(rl_glob_match("templates/*.yaml", "templates/app.yaml"));
    cr_assert_not(rl_glob_match("templates/*.yaml", "templates/sub/app.yaml"));
    cr_assert(rl_glob_match("exports/**", "exports/a/b/c.json"));
    cr_assert(rl_glob_match("**/*.json", "a/b/c.json"));
    cr_assert(rl_glob_match("**/*.json", "c.json"));
    cr_assert(rl_glob_match("a/**/z.json", "a/z.json"));
    cr_assert(rl_glob_match("./x/?.json", "x/a.json"));
    cr_assert(rl_glob_match("[ab]*.yml", "b1.yml"));
    cr_assert_not(rl_glob_match("[!ab]*.yml", "b1.yml"));
    cr_assert(rl_glob_match("*.Properties.Replicas*", "Resources.T.Properties.Replicas[0].Region"));
    /* the '/' after ** is optional, also before a literal file name */
    cr_assert(rl_glob_match("**/x.json", "x.json"));
    cr_assert(rl_glob_match("a/**/x.json", "a/b/x.json"));
    /* a hostile pattern terminates (bounded backtracking) */
    cr_assert_not(
        rl_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

/* A compiled set matches exactly what rl_glob_match() matches, pattern by pattern. */
Test(config, globset_agrees_with_glob_match)
{
    static const char *const pats[] = {"templates/*.yaml",
                                       "exports/**",
                                       "**/*.json",
                                       "**/x.json",
                                       "a/**/z.json",
                                       "./x/?.json",
                                       "[ab]*.yml",
                                       "[!ab]*.yml",
                                       "*.Properties.Replicas*",
                                       "AWS::Route53::*",
                                       "*.replica*",
                                       "*a*a*a*a*a*a*a*a*a*a*a*a*b",
                                       "[]x]*",
                                       "abc",
                                       "*",
                                       "**",
                                       "a*b*c",
                                       "?"};
    static const char *const strs[] = {"templates/app.yaml",
                                       "templates/sub/app.yaml",
                                       "exports/a/b/c.json",
                                       "a/b/c.json",
                                       "c.json",
                                       "x.json",
                                       "a/z.json",
                                       "a/b/z.json",
                                       "x/a.json",
                                       "./x/a.json",
                                       "b1.yml",
                                       "c1.yml",
                                       "Resources.T.Properties.Replicas[0].Region",
                                       "AWS::Route53::RecordSet",
                                       "AWS::Route53RecoveryControl::Cluster",
                                       "Resources.T.Properties.Tags",
                                       "x.replica_regions",
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                       "]x",
                                       "x",
                                       "abc",
                                       "ab",
                                       "aXbYc",
                                       "",
                                       "a/b"};
    size_t np = sizeof(pats) / sizeof(*pats), ns = sizeof(strs) / sizeof(*strs);
    for (size_t i = 0; i < np; i++) {
        rl_globset *g = NULL;
        cr_assert_eq(rl_globset_new(&g, &pats[i], 1, 0), 0);
        for (size_t j = 0; j < ns; j++)
            cr_assert_eq(rl_globset_match(g, strs[j]), rl_glob_match(pats[i], strs[j]),
                         "pattern %s, string %s", pats[i], strs[j]);
        rl_globset_free(g);
    }
    rl_globset *all = NULL;
    cr_assert_eq(rl_globset_new(&all, pats, np, 0), 0);
    cr_assert_eq(rl_globset_count(all), np);
    for (size_t j = 0; j < ns; j++) {
        bool any = false;
        for (size_t i = 0; i < np; i++)
            any = any || rl_glob_match(pats[i], strs[j]);
        cr_assert_eq(rl_globset_match(all, strs[j]), any, "string %s", strs[j]);
    }
    rl_globset_free(all);
    cr_assert_not(rl_globset_match(NULL, "x"));
}

Test(config, globset_casefold)
{
    static const char *const pats[] = {"s3:Replicate*", "dynamodb:*GlobalTable*", NULL,
                                       "CloudFormation:*"};
    rl_globset *g = NULL;
    cr_assert_eq(rl_globset_new(&g, pats, 4, RL_GLOB_CASEFOLD), 0);
    cr_assert_eq(rl_globset_count(g), 3);
    cr_assert(rl_globset_match(g, "S3:REPLICATEObject"));
    cr_assert(rl_globset_match(g, "dynamodb:CreateGLOBALTable"));
    cr_assert(rl_globset_match(g, "cloudformation:CreateStack"));
    cr_assert_not(rl_globset_match(g, "s3:GetObject"));
    char long_name[300];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    memcpy(long_name, "s3:replicate", 12);
    cr_assert_not(rl_globset_match(g, long_name)); /* 256 bytes or more never match */
    rl_globset_free(g);
}

Test(config, find_walks_upward)
{
    char dir[] = "/tmp/rl-find-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char sub[256], cfg[256];
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", dir);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s && touch %s", sub, cfg);
    cr_assert_eq(system(cmd), 0);
    char *found = rl_config_find(sub);
    cr_assert_not_null(found);
    cr_assert(strstr(found, ".regionlint.yaml"));
    free(found);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
