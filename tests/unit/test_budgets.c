/* The evaluator's budgets (rl_eval_limits): a value that would evaluate to a huge string
 * (a long parameter joined many times), alternatives that multiply (many Fn::If under one
 * undecided condition in one Fn::Join) and a template whose values together pass the
 * template's budget are read as unknown, reported once as an RL001 note at the expression,
 * and never stop the other files' findings. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fx {
    char dir[64];
    rl_lint *l;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    strcpy(f->dir, "/tmp/rl-budgets-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    return f;
}

static FILE *open_in(fx *f, const char *name)
{
    char path[512], cmd[700];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    return fp;
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_lint_free(f->l);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

/* A queue name that joins `refs` copies of a parameter whose default is `len` characters:
 * len * refs bytes once evaluated. The Fn::Join is on line 3, column 17. */
static void put_long_join(fx *f, const char *name, size_t len, size_t refs)
{
    FILE *fp = open_in(f, name);
    fputs("{\"Parameters\": {\"P\": {\"Type\": \"String\", \"Default\": \"", fp);
    for (size_t i = 0; i < len; i++)
        fputc('a', fp);
    fputs("\"}},\n \"Resources\": {\"Q\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\n"
          "   \"QueueName\": {\"Fn::Join\": [\"\", [",
          fp);
    for (size_t i = 0; i < refs; i++)
        fprintf(fp, "%s{\"Ref\": \"P\"}", i ? ", " : "");
    fputs("]]}}}}}\n", fp);
    fclose(fp);
}

/* `resources` queues whose names join `ifs` Fn::If under a condition no region decides:
 * each doubles the alternatives (capped at RL_EVAL_MAX_ALTERNATIVES) and every alternative
 * grows with each item, so the copies grow with the square of `ifs`. The first Fn::Join is
 * on line 4, column 17. */
static void put_ifs(fx *f, const char *name, size_t resources, size_t ifs)
{
    FILE *fp = open_in(f, name);
    fputs("{\"Parameters\": {\"P\": {\"Type\": \"String\"}},\n"
          " \"Conditions\": {\"C\": {\"Fn::Equals\": [{\"Ref\": \"P\"}, \"yes\"]}},\n"
          " \"Resources\": {",
          fp);
    for (size_t r = 0; r < resources; r++) {
        fprintf(fp,
                "%s\"Q%zu\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\n"
                "   \"QueueName\": {\"Fn::Join\": [\"-\", [",
                r ? ",\n  " : "", r);
        for (size_t i = 0; i < ifs; i++)
            fprintf(fp,
                    "%s{\"Fn::If\": [\"C\", {\"Fn::Sub\": \"item-%zu-${AWS::Region}\"}, \"x%zu\"]}",
                    i ? ", " : "", i, i);
        fputs("]]}}}", fp);
    }
    fputs("}}\n", fp);
    fclose(fp);
}

/* The file the other findings come from: a standby function that calls the primary's queue
 * (RL502). */
static void put_good(fx *f)
{
    FILE *fp = open_in(f, "us-west-2/good.json");
    fputs("{\"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": "
          "{\"Environment\": {\"Variables\": {\"Q\": "
          "\"https://sqs.us-east-1.amazonaws.com/111122223333/orders\"}}}}}}\n",
          fp);
    fclose(fp);
}

static void run(fx *f, rl_eval_limits limits)
{
    char cfg[128];
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", f->dir);
    FILE *fp = open_in(f, ".regionlint.yaml");
    fputs("primary: us-east-1\nstandby: [us-west-2]\ninputs: {shared: [\"*.json\"]}\n", fp);
    fclose(fp);
    const char *paths[] = {f->dir};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = cfg;
    o.strategy = -1;
    o.eval_limits = limits;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_lint_run(&f->l, &o, &err), 0, "%s", err.message);
}

/* Counts the findings of `rule` in files whose path ends with `suffix`; the first one's
 * finding in *first. */
static size_t count(fx *f, const char *rule, const char *suffix, const rl_finding **first)
{
    const rl_findings *fs = rl_lint_findings(f->l);
    size_t n = 0, ls = strlen(suffix);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        size_t lp = strlen(x->file);
        if (strcmp(x->rule_id, rule) != 0 || lp < ls || strcmp(x->file + lp - ls, suffix) != 0)
            continue;
        if (!n++ && first)
            *first = x;
    }
    return n;
}

Test(budgets, a_value_longer_than_the_budget_is_unknown_and_noted_once)
{
    fx *f = fx_new();
    put_long_join(f, "long.json", 100, 100); /* 10,000 bytes */
    put_good(f);
    run(f, (rl_eval_limits){.value_bytes = 4096});
    const rl_finding *x = NULL;
    cr_assert_eq(count(f, "RL001", "long.json", &x), 1);
    cr_assert_eq(x->level, RL_LEVEL_NOTE);
    cr_assert_eq(x->span.start.line, 3);
    cr_assert_eq(x->span.start.column, 17, "at the QueueName's value, column %u",
                 x->span.start.column);
    cr_assert(strstr(x->message, "too large to evaluate"), "%s", x->message);
    cr_assert_eq(count(f, "RL502", "good.json", NULL), 1, "the other file is still linted");
    cr_assert_eq(rl_lint_exit_status(f->l, RL_LEVEL_WARNING), 1,
                 "the RL502 error fails the run; the note does not make it status 2");
    fx_free(f);
}

Test(budgets, a_value_within_the_budget_is_evaluated)
{
    fx *f = fx_new();
    put_long_join(f, "long.json", 100, 30); /* 3,000 bytes */
    put_good(f);
    run(f, (rl_eval_limits){.value_bytes = 4096});
    cr_assert_eq(count(f, "RL001", "long.json", NULL), 0);
    fx_free(f);
}

Test(budgets, alternatives_and_their_copies_stop_at_the_evaluation_budget)
{
    fx *f = fx_new();
    put_ifs(f, "ifs.json", 1, 1000);
    put_good(f);
    run(f, (rl_eval_limits){0});
    const rl_finding *x = NULL;
    cr_assert_eq(count(f, "RL001", "ifs.json", &x), 1);
    cr_assert_eq(x->span.start.line, 4);
    cr_assert(strstr(x->message, "too large to evaluate"), "%s", x->message);
    cr_assert_eq(count(f, "RL502", "good.json", NULL), 1);
    fx_free(f);
}

Test(budgets, many_values_stop_at_the_template_budget)
{
    fx *f = fx_new();
    /* each value takes close to (but under) its evaluation's budget: together they pass the
     * template's, and the rest are read as unknown without being evaluated */
    put_ifs(f, "ifs.json", 8, 300);
    put_good(f);
    run(f, (rl_eval_limits){.eval_bytes = (size_t)1 << 20, .template_bytes = (size_t)2 << 20});
    const rl_finding *x = NULL;
    size_t n = count(f, "RL001", "ifs.json", &x);
    cr_assert(n >= 1 && n <= 8, "%zu notes", n);
    const rl_findings *fs = rl_lint_findings(f->l);
    bool spent = false;
    for (size_t i = 0; i < rl_findings_count(fs); i++)
        spent |= strstr(rl_findings_at(fs, i)->message, "template's budget") != NULL;
    cr_assert(spent, "a note says the template's budget is spent");
    cr_assert_eq(count(f, "RL502", "good.json", NULL), 1);
    fx_free(f);
}

Test(budgets, the_default_budgets_hold_a_hundred_megabyte_value)
{
    fx *f = fx_new();
    put_long_join(f, "long.json", 1000, 100000); /* 100 MB once evaluated */
    put_good(f);
    run(f, (rl_eval_limits){0});
    cr_assert_eq(count(f, "RL001", "long.json", NULL), 1);
    cr_assert_eq(count(f, "RL502", "good.json", NULL), 1);
    fx_free(f);
}
