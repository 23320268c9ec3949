/* Suppressions: directives, dates, every in-source and external path, expiry, mandatory
 * rules, stale ignores (RL004), baselines (JSON and SARIF) and --write-baseline. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint/baseline.h"
#include "lint/suppress.h"

/* Each test runs in its own process (Criterion forks), in a fresh folder. */
static void in_tmpdir(void)
{
    char tmpl[] = "/tmp/rl-suppress-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_eq(chdir(tmpl), 0);
    unsetenv("REGIONLINT_TODAY");
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

#define CONFIG "primary: us-east-1\nstandby: [us-west-2]\n"

static rl_lint *lint(rl_error *err, const char *baseline, const char *write_baseline)
{
    static const char *paths[] = {"."};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = ".regionlint.yaml";
    o.strategy = -1;
    o.baseline = baseline;
    o.write_baseline = write_baseline;
    rl_lint *l = NULL;
    rl_error_clear(err);
    rl_lint_run(&l, &o, err);
    return l;
}

static rl_lint *lint_ok(void)
{
    rl_error err;
    rl_lint *l = lint(&err, NULL, NULL);
    cr_assert_not_null(l, "%s", err.message);
    return l;
}

/* The n-th finding (0-based) of `rule` at `line`, or NULL. */
static const rl_finding *find(const rl_lint *l, const char *rule, unsigned line)
{
    const rl_findings *fs = rl_lint_findings(l);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *f = rl_findings_at(fs, i);
        if (!strcmp(f->rule_id, rule) && (!line || f->span.start.line == line))
            return f;
    }
    return NULL;
}

static size_t count(const rl_lint *l, const char *rule)
{
    size_t n = 0;
    const rl_findings *fs = rl_lint_findings(l);
    for (size_t i = 0; i < rl_findings_count(fs); i++)
        n += !strcmp(rl_findings_at(fs, i)->rule_id, rule);
    return n;
}

/* A standby Lambda whose dead-letter queue is in the primary: RL501 at line 8, column 32
 * (the region field), path Resources.Worker.Properties.DeadLetterConfig.TargetArn. */
#define WORKER                                                                                     \
    "Resources:\n"                                                                                 \
    "  Worker:\n"                                                                                  \
    "    Type: AWS::Lambda::Function\n"                                                            \
    "    Properties:\n"                                                                            \
    "      Runtime: python3.12\n"                                                                  \
    "      Role: arn:aws:iam::111122223333:role/worker\n"                                          \
    "      DeadLetterConfig:\n"                                                                    \
    "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n"

/* ---- directives and dates ------------------------------------------------------------ */

static void parse(rl_ignore_directive *d, const char *s)
{
    rl_ignore_directive_parse(d, s, strlen(s));
}

Test(suppress, directive_ids_expiry_reason)
{
    rl_ignore_directive d;
    parse(&d, " RL501 the DLQ is replicated");
    cr_assert_null(d.problem);
    cr_assert_eq(d.nids, 1);
    cr_assert_str_eq(d.ids[0], "RL501");
    cr_assert_eq(d.reason_len, strlen("the DLQ is replicated"));
    cr_assert_eq(strncmp(d.reason, "the DLQ", 7), 0);

    parse(&d, " RL501,RL502 expires=2027-03-31 -- shared by design  ");
    cr_assert_eq(d.nids, 2);
    cr_assert_str_eq(d.ids[1], "RL502");
    cr_assert_str_eq(d.expires, "2027-03-31");
    cr_assert_eq(d.reason_len, strlen("shared by design"));

    parse(&d, " RL501, RL5 # reason");
    cr_assert_eq(d.nids, 2);
    cr_assert_str_eq(d.ids[1], "RL5");
    cr_assert_eq(d.reason_len, 6);

    parse(&d, " RL501");
    cr_assert_null(d.problem);
    cr_assert_eq(d.reason_len, 0);

    parse(&d, "   ");
    cr_assert_not_null(d.problem);
    parse(&d, " the queue is fine");
    cr_assert_not_null(d.problem);
    parse(&d, " RL501 expires= reason");
    cr_assert_str_eq(d.expires, "?");
}

Test(suppress, dates)
{
    cr_assert_eq(rl_day_parse("2027-03-31", 10), 20270331);
    cr_assert_eq(rl_day_parse("2028-02-29", 10), 20280229);
    cr_assert_eq(rl_day_parse("2000-02-29", 10), 20000229);
    cr_assert_eq(rl_day_parse("2100-02-29", 10), -1);
    cr_assert_eq(rl_day_parse("2027-02-29", 10), -1);
    cr_assert_eq(rl_day_parse("2027-13-01", 10), -1);
    cr_assert_eq(rl_day_parse("2027-04-31", 10), -1);
    cr_assert_eq(rl_day_parse("2027-3-31", 9), -1);
    cr_assert_eq(rl_day_parse("27-03-2031", 10), -1);
    cr_assert_eq(rl_day_parse("next week!", 10), -1);
}

Test(suppress, today_from_environment)
{
    int d = 0;
    rl_error err;
    rl_error_clear(&err);
    setenv("REGIONLINT_TODAY", "2030-01-02", 1);
    cr_assert_eq(rl_suppress_today(&d, &err), 0);
    cr_assert_eq(d, 20300102);
    setenv("REGIONLINT_TODAY", "tomorrow", 1);
    cr_assert_eq(rl_suppress_today(&d, &err), RL_EINVAL);
    cr_assert(strstr(err.message, "REGIONLINT_TODAY must be a date YYYY-MM-DD"));
    unsetenv("REGIONLINT_TODAY");
    rl_error_clear(&err);
    cr_assert_eq(rl_suppress_today(&d, &err), 0);
    cr_assert_gt(d, 20240101);
}

/* ---- YAML comments ------------------------------------------------------------------ */

Test(suppress, comment_on_the_line_above, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL501 the DLQ is replicated to both regions\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n");
    rl_lint *l = lint_ok();
    const rl_finding *f = find(l, "RL501", 7);
    cr_assert_not_null(f);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_str_eq(f->suppressed_by, "comment");
    cr_assert_str_eq(f->justification, "the DLQ is replicated to both regions");
    cr_assert_eq(count(l, "RL004"), 0);
    cr_assert_eq(rl_lint_exit_status(l, RL_LEVEL_WARNING), 0);
    rl_lint_free(l);
}

Test(suppress, trailing_comment_and_comment_stack, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      Environment:\n"
                  "        Variables:\n"
                  "          # regionlint:ignore RL502 the URL is swapped at failover\n"
                  "          # regionlint:ignore RL501 the topic is read-only\n"
                  "          Q: https://sqs.us-east-1.amazonaws.com/1/q arn:aws:sns:us-east-1:1:t\n"
                  "          T: arn:aws:sns:us-east-1:111122223333:t  # regionlint:ignore RL501 x\n"
                  "          U: arn:aws:sns:us-east-1:111122223333:u\n");
    rl_lint *l = lint_ok();
    cr_assert_eq(find(l, "RL502", 9)->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_eq(find(l, "RL501", 9)->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_str_eq(find(l, "RL501", 9)->justification, "the topic is read-only");
    cr_assert_eq(find(l, "RL501", 10)->suppressed, RL_SUPPRESS_INSOURCE);
    /* a trailing comment covers its own line only */
    cr_assert_eq(find(l, "RL501", 11)->suppressed, RL_SUPPRESS_NONE);
    cr_assert_eq(count(l, "RL004"), 0);
    rl_lint_free(l);
}

Test(suppress, comment_positions_blank_lines_and_scalars, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      Code:\n"
                  "        ZipFile: |\n"
                  "          # regionlint:ignore RL501 this is Python, not a YAML comment\n"
                  "          x = 1\n"
                  "      Description: \"a # regionlint:ignore RL501 in a string\"\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL501 separated by a blank line\n"
                  "\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n");
    rl_lint *l = lint_ok();
    cr_assert_eq(find(l, "RL501", 13)->suppressed, RL_SUPPRESS_NONE);
    /* only the real comment is an ignore, and it applies to no line: stale, at its '#' */
    cr_assert_eq(count(l, "RL004"), 1);
    const rl_finding *r = find(l, "RL004", 0);
    cr_assert_eq(r->span.start.line, 11);
    cr_assert_eq(r->span.start.column, 9);
    cr_assert_eq(r->span.end.column, 60);
    cr_assert(strstr(r->message, "applies to no line"), "%s", r->message);
    rl_lint_free(l);
}

Test(suppress, comment_without_reason_and_unknown_rule, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL501\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n"
                  "      # regionlint:ignore RL5O1 typo in the id\n"
                  "      Timeout: 3\n");
    rl_lint *l = lint_ok();
    cr_assert_eq(find(l, "RL501", 7)->suppressed, RL_SUPPRESS_NONE);
    const rl_finding *r = find(l, "RL004", 6);
    cr_assert_not_null(r);
    cr_assert(strstr(r->message, "has no reason"), "%s", r->message);
    cr_assert_str_eq(r->path, "Resources.Worker.Properties.DeadLetterConfig.TargetArn");
    r = find(l, "RL004", 8);
    cr_assert(strstr(r->message, "names no rule RL5O1"), "%s", r->message);
    cr_assert_str_eq(r->path, "Resources.Worker.Properties.Timeout");
    rl_lint_free(l);
}

/* ---- expiry ------------------------------------------------------------------------- */

static void expiry_case(const char *today, bool suppressed)
{
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL501 expires=2027-03-31 until the replica ships\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n");
    setenv("REGIONLINT_TODAY", today, 1);
    rl_lint *l = lint_ok();
    cr_assert_eq(find(l, "RL501", 7)->suppressed != RL_SUPPRESS_NONE, suppressed, "today %s",
                 today);
    const rl_finding *r = find(l, "RL004", 6);
    if (suppressed) {
        cr_assert_null(r);
    } else {
        cr_assert_not_null(r);
        cr_assert(strstr(r->message, "expired on 2027-03-31, so it no longer suppresses"), "%s",
                  r->message);
    }
    rl_lint_free(l);
}

Test(suppress, expiry_day_still_suppresses, .init = in_tmpdir)
{
    expiry_case("2027-03-31", true);
}

Test(suppress, day_after_expiry_does_not, .init = in_tmpdir)
{
    expiry_case("2027-04-01", false);
}

/* ---- CloudFormation Metadata ---------------------------------------------------------- */

Test(suppress, metadata_resource_and_template_level, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("a.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Metadata:\n"
                  "      regionlint:\n"
                  "        ignore:\n"
                  "          - {id: RL501, reason: the DLQ stays in the primary, expires: "
                  "2099-12-31}\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n"
                  "  Other:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:other-dlq\n");
    put("b.json", "{\"Metadata\": {\"regionlint\": {\"ignore\": [{\"id\": [\"RL501\", \"RL502\"],"
                  " \"reason\": \"legacy stack, retired in Q3\"}]}},\n"
                  " \"Resources\": {\"Q\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\n"
                  "  \"RedrivePolicy\": {\"deadLetterTargetArn\": "
                  "\"arn:aws:sqs:us-east-1:111122223333:dlq\"}}}}}\n");
    rl_lint *l = lint_ok();
    const rl_finding *f = find(l, "RL501", 10);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_str_eq(f->suppressed_by, "metadata");
    /* a resource's Metadata covers that resource only */
    cr_assert_eq(find(l, "RL501", 15)->suppressed, RL_SUPPRESS_NONE);
    /* template Metadata covers the whole template; RL502 of it matched nothing */
    const rl_finding *b = find(l, "RL501", 3);
    cr_assert_str_eq(b->file, "b.json");
    cr_assert_eq(b->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_str_eq(b->justification, "legacy stack, retired in Q3");
    const rl_finding *r = find(l, "RL004", 1);
    cr_assert_not_null(r);
    cr_assert(strstr(r->message, "RL502 matches no finding; remove it from the ignore"), "%s",
              r->message);
    cr_assert_str_eq(r->path, "Metadata.regionlint.ignore[0]");
    rl_lint_free(l);
}

Test(suppress, metadata_malformed_entries, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("a.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Metadata:\n"
                  "      regionlint:\n"
                  "        ignore:\n"
                  "          - RL501\n"
                  "          - {id: RL501, reson: typo}\n"
                  "          - {id: RL501, reason: ok, expires: soon}\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n");
    rl_lint *l = lint_ok();
    cr_assert_eq(find(l, "RL501", 12)->suppressed, RL_SUPPRESS_NONE);
    cr_assert(strstr(find(l, "RL004", 7)->message, "has no reason"));
    cr_assert(strstr(find(l, "RL004", 8)->message, "unknown key 'reson'"));
    const rl_finding *r = find(l, "RL004", 9);
    cr_assert(strstr(r->message, "expiry 'soon', which is not a date"), "%s", r->message);
    cr_assert_eq(r->span.start.column, 46); /* at the expiry itself */
    rl_lint_free(l);
}

/* ---- Terraform JSON "//" ------------------------------------------------------------ */

Test(suppress, terraform_comment_keys, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG);
    put("main.tf.json",
        "{\n"
        "  \"provider\": {\"aws\": {\"region\": \"us-west-2\"}},\n"
        "  \"resource\": {\"aws_lambda_function\": {\n"
        "    \"a\": {\n"
        "      \"//\": [\"owned by team x\", \"regionlint:ignore RL501 reads the primary's "
        "table until Q3\"],\n"
        "      \"role\": \"arn:aws:iam::111122223333:role/a\",\n"
        "      \"environment\": {\"variables\": {\"T\": "
        "\"arn:aws:dynamodb:us-east-1:111122223333:table/t\"}}\n"
        "    },\n"
        "    \"b\": {\n"
        "      \"environment\": {\"//\": \"regionlint:ignore RL501\", \"variables\": {\"T\": "
        "\"arn:aws:dynamodb:us-east-1:111122223333:table/t\"}}\n"
        "    }\n"
        "  }}\n"
        "}\n");
    rl_lint *l = lint_ok();
    const rl_finding *a = find(l, "RL501", 7);
    cr_assert_eq(a->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_str_eq(a->suppressed_by, "terraform-comment");
    cr_assert_str_eq(a->justification, "reads the primary's table until Q3");
    cr_assert_eq(find(l, "RL501", 10)->suppressed, RL_SUPPRESS_NONE);
    const rl_finding *r = find(l, "RL004", 10);
    cr_assert(strstr(r->message, "has no reason"), "%s", r->message);
    cr_assert_str_eq(r->path, "resource.aws_lambda_function.b.environment.//");
    rl_lint_free(l);
}

/* ---- config ignore: ------------------------------------------------------------------- */

Test(suppress, config_entries, .init = in_tmpdir)
{
    put(".regionlint.yaml",
        CONFIG "ignore:\n"
               "  - {rule: RL5, path: 'templates/*.yaml', logical-path: Resources.Worker, "
               "reason: migrating by Q3, expires: 2099-01-01}\n"
               "  - {rule: RL501, path: templates/gone.yaml, reason: old}\n"
               "  - {rule: RL501, path: 'other/**', reason: not linted in this run}\n"
               "  - {rule: RL502, reason: nothing fires}\n"
               "  - {rule: RL501, logical-path: Resources.Nothing, reason: ~}\n");
    put("templates/w.yaml", WORKER);
    rl_lint *l = lint_ok();
    const rl_finding *f = find(l, "RL501", 8);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_EXTERNAL);
    cr_assert_str_eq(f->suppressed_by, "config");
    cr_assert_str_eq(f->justification, "migrating by Q3");
    cr_assert_eq(count(l, "RL004"), 3);
    const rl_finding *r = find(l, "RL004", 5);
    cr_assert_str_eq(r->file, ".regionlint.yaml");
    cr_assert_eq(r->span.start.column, 5);
    cr_assert(strstr(r->message, "names the file templates/gone.yaml, which does not exist"), "%s",
              r->message);
    /* the glob under other/ names no file of this run: not called stale */
    cr_assert_null(find(l, "RL004", 6));
    cr_assert(strstr(find(l, "RL004", 7)->message, "RL502 matches no finding"));
    cr_assert(strstr(find(l, "RL004", 8)->message, "has no reason"));
    rl_lint_free(l);
}

Test(suppress, config_errors, .init = in_tmpdir)
{
    rl_error err;
    put("t.yaml", WORKER);
    put(".regionlint.yaml", CONFIG "ignore:\n  - {rule: RL99, reason: x}\n");
    cr_assert_null(lint(&err, NULL, NULL));
    cr_assert_eq(err.code, RL_ECONFIG);
    cr_assert(strstr(err.message, "'RL99' matches no rule"), "%s", err.message);
    cr_assert_eq(err.line, 4);
    put(".regionlint.yaml", CONFIG "ignore:\n  - {rule: RL501, reason: x, expires: 31.3.2027}\n");
    cr_assert_null(lint(&err, NULL, NULL));
    cr_assert(strstr(err.message, "expires must be a date YYYY-MM-DD, not '31.3.2027'"), "%s",
              err.message);
    cr_assert_eq(err.column, 39);
    put(".regionlint.yaml", CONFIG "ignore:\n  - {rule: RL004, reason: x}\n");
    cr_assert_null(lint(&err, NULL, NULL));
    cr_assert(strstr(err.message, "RL004 cannot be suppressed"), "%s", err.message);
    put(".regionlint.yaml", CONFIG "mandatory: [RL98]\n");
    cr_assert_null(lint(&err, NULL, NULL));
    cr_assert(strstr(err.message, "mandatory 'RL98' matches no rule"), "%s", err.message);
}

/* ---- mandatory rules, disabled rules ---------------------------------------------------- */

Test(suppress, mandatory_rules_cannot_be_suppressed, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG "mandatory: [RL501]\n"
                                   "ignore:\n  - {rule: RL501, reason: accepted}\n");
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL5 the whole family is accepted here\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n");
    rl_error err;
    rl_lint *l = lint(&err, NULL, "b.json");
    cr_assert_not_null(l, "%s", err.message);
    const rl_finding *f = find(l, "RL501", 7);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_NONE);
    cr_assert_eq(rl_lint_exit_status(l, RL_LEVEL_WARNING), 1);
    const rl_finding *c = find(l, "RL004", 6);
    cr_assert_eq(c->level, RL_LEVEL_NOTE);
    cr_assert(strstr(c->message, "cannot suppress RL501, which is mandatory (`mandatory:` in "
                                 ".regionlint.yaml): the finding at t.yaml:7:32 stays reported"),
              "%s", c->message);
    const rl_finding *g = find(l, "RL004", 5);
    cr_assert_str_eq(g->file, ".regionlint.yaml");
    cr_assert_eq(g->level, RL_LEVEL_NOTE);
    rl_lint_free(l);
    /* and no baseline takes it: b.json has no finding */
    rl_baseline *b = NULL;
    cr_assert_eq(rl_baseline_load(&b, "b.json", &err), 0, "%s", err.message);
    cr_assert_eq(rl_baseline_count(b), 0);
    rl_baseline_free(b);
}

Test(suppress, disabled_rule_is_not_stale, .init = in_tmpdir)
{
    put(".regionlint.yaml", CONFIG "rules: {disable: [RL501]}\n");
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL501 the DLQ is replicated\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n"
                  "      # regionlint:ignore RL502 nothing calls an endpoint here\n"
                  "      Timeout: 3\n");
    rl_lint *l = lint_ok();
    cr_assert_eq(count(l, "RL004"), 1);
    cr_assert(strstr(find(l, "RL004", 8)->message, "matches no finding: remove it"));
    rl_lint_free(l);
}

/* ---- baselines ------------------------------------------------------------------------- */

Test(suppress, baseline_round_trip_survives_moved_lines, .init = in_tmpdir)
{
    rl_error err;
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", WORKER);
    rl_lint *l = lint(&err, NULL, "base.json");
    cr_assert_not_null(l, "%s", err.message);
    const rl_finding *f = find(l, "RL501", 8);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_EXTERNAL);
    cr_assert_str_eq(f->justification, "in baseline base.json");
    cr_assert_eq(rl_lint_exit_status(l, RL_LEVEL_WARNING), 0);
    rl_lint_free(l);

    /* lines added above the finding: the fingerprint has no line, it stays accepted */
    put("t.yaml", "Description: moved down\n"
                  "Parameters: {Stage: {Type: String, Default: prod}}\n" WORKER "  Second:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:second-dlq\n");
    l = lint(&err, "base.json", NULL);
    cr_assert_not_null(l, "%s", err.message);
    f = find(l, "RL501", 10);
    cr_assert_eq(f->suppressed, RL_SUPPRESS_EXTERNAL);
    cr_assert_str_eq(f->suppressed_by, "baseline");
    /* a new finding is new */
    cr_assert_eq(find(l, "RL501", 15)->suppressed, RL_SUPPRESS_NONE);
    cr_assert_eq(rl_lint_exit_status(l, RL_LEVEL_WARNING), 1);
    rl_lint_free(l);
}

Test(suppress, baseline_counts_occurrences, .init = in_tmpdir)
{
    /* two ARNs in one property share a fingerprint; the baseline holds one of them, by
     * message, and accepts only that one */
    rl_error err;
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      Description: x\n"
                  "      Environment: {Variables: {A: 'arn:aws:sns:us-east-1:111122223333:b "
                  "arn:aws:sns:us-east-1:111122223333:a'}}\n");
    rl_lint *l = lint_ok();
    cr_assert_eq(count(l, "RL501"), 2);
    const rl_finding *a = rl_findings_at(rl_lint_findings(l), 0);
    const rl_finding *b = rl_findings_at(rl_lint_findings(l), 1);
    cr_assert_str_eq(a->fingerprint, b->fingerprint);
    FILE *out = fopen("base.json", "w");
    fprintf(out,
            "{\"tool\": \"regionlint\", \"findings\": [{\"rule\": \"RL501\", \"message\": "
            "\"%s\", \"fingerprint\": \"%s\"}], \"suppressed\": []}\n",
            b->message, b->fingerprint);
    fclose(out);
    rl_lint_free(l);
    l = lint(&err, "base.json", NULL);
    cr_assert_not_null(l, "%s", err.message);
    a = rl_findings_at(rl_lint_findings(l), 0);
    b = rl_findings_at(rl_lint_findings(l), 1);
    cr_assert_eq(a->suppressed, RL_SUPPRESS_NONE);
    cr_assert_eq(b->suppressed, RL_SUPPRESS_EXTERNAL);
    rl_lint_free(l);
}

Test(suppress, sarif_baseline, .init = in_tmpdir)
{
    rl_error err;
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", WORKER);
    rl_lint *l = lint_ok();
    char fp[33];
    strcpy(fp, find(l, "RL501", 8)->fingerprint);
    rl_lint_free(l);
    FILE *out = fopen("old.sarif", "w");
    fprintf(out,
            "{\"version\": \"2.1.0\", \"runs\": [\n"
            " {\"tool\": {\"driver\": {\"name\": \"other-tool\"}}, \"results\": [\n"
            "   {\"ruleId\": \"X\", \"message\": {\"text\": \"x\"}, \"partialFingerprints\": "
            "{\"regionlint/v1\": \"00000000000000000000000000000000\"}}]},\n"
            " {\"tool\": {\"driver\": {\"name\": \"regionlint\"}}, \"results\": [\n"
            "   {\"ruleId\": \"RL501\", \"message\": {\"text\": \"moved\"}, "
            "\"partialFingerprints\": {\"regionlint/v1\": \"%s\"}},\n"
            "   {\"ruleId\": \"RL502\", \"message\": {\"text\": \"y\"}, \"partialFingerprints\": "
            "{\"regionlint/v1\": \"11111111111111111111111111111111\"}, \"suppressions\": "
            "[{\"kind\": \"inSource\", \"justification\": \"z\"}]}]}]}\n",
            fp);
    fclose(out);
    rl_baseline *b = NULL;
    cr_assert_eq(rl_baseline_load(&b, "old.sarif", &err), 0, "%s", err.message);
    cr_assert_eq(rl_baseline_count(b), 1); /* other tools' runs and suppressed results: no */
    rl_baseline_free(b);
    l = lint(&err, "old.sarif", NULL);
    cr_assert_not_null(l, "%s", err.message);
    cr_assert_str_eq(find(l, "RL501", 8)->justification, "in baseline old.sarif");
    rl_lint_free(l);
}

Test(suppress, baseline_errors, .init = in_tmpdir)
{
    rl_error err;
    rl_baseline *b = NULL;
    rl_error_clear(&err);
    cr_assert_eq(rl_baseline_load(&b, "missing.json", &err), RL_EIO);
    cr_assert(strstr(err.message, "cannot read the baseline"), "%s", err.message);
    put("bad.json", "{\"findings\": [\n  {\"rule\": \"RL501\",}\n]}\n");
    rl_error_clear(&err);
    cr_assert_eq(rl_baseline_load(&b, "bad.json", &err), RL_ECONFIG);
    cr_assert_eq(err.line, 2);
    put("other.json", "{\"results\": []}\n");
    rl_error_clear(&err);
    cr_assert_eq(rl_baseline_load(&b, "other.json", &err), RL_ECONFIG);
    cr_assert(strstr(err.message, "neither a regionlint JSON report"), "%s", err.message);
    put("nofp.json", "{\"findings\": [{\"rule\": \"RL501\", \"message\": \"m\"}]}\n");
    rl_error_clear(&err);
    cr_assert_eq(rl_baseline_load(&b, "nofp.json", &err), RL_ECONFIG);
    cr_assert(strstr(err.message, "no regionlint fingerprint"), "%s", err.message);
    /* RL001 and RL004 entries are never accepted */
    put("skip.json", "{\"findings\": [{\"rule\": \"RL001\", \"fingerprint\": "
                     "\"0123456789abcdef0123456789abcdef\"}, {\"rule\": \"RL004\", "
                     "\"fingerprint\": \"0123456789abcdef0123456789abcdee\"}, {\"rule\": "
                     "\"RL501\", \"fingerprint\": \"0123456789abcdef0123456789abcded\"}]}\n");
    cr_assert_eq(rl_baseline_load(&b, "skip.json", &err), 0, "%s", err.message);
    cr_assert_eq(rl_baseline_count(b), 1);
    rl_baseline_free(b);
}

Test(suppress, write_baseline_keeps_what_others_suppress_out, .init = in_tmpdir)
{
    rl_error err;
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Resources:\n"
                  "  Worker:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig:\n"
                  "        # regionlint:ignore RL501 expires=2099-01-01 replicated\n"
                  "        TargetArn: arn:aws:sqs:us-east-1:111122223333:worker-dlq\n"
                  "      Environment: {Variables: {T: 'arn:aws:sns:us-east-1:111122223333:t'}}\n");
    put("broken.json", "{\"Resources\": \n");
    rl_lint *l = lint(&err, NULL, "base.json");
    cr_assert_not_null(l, "%s", err.message);
    /* the comment's suppression stays the comment's (it can expire); the parse error is
     * not accepted (exit status 2 stays) */
    cr_assert_str_eq(find(l, "RL501", 7)->suppressed_by, "comment");
    cr_assert_str_eq(find(l, "RL501", 8)->suppressed_by, "baseline");
    cr_assert_eq(find(l, "RL001", 0)->suppressed, RL_SUPPRESS_NONE);
    cr_assert_eq(rl_lint_exit_status(l, RL_LEVEL_WARNING), 2);
    rl_lint_free(l);
    rl_baseline *b = NULL;
    cr_assert_eq(rl_baseline_load(&b, "base.json", &err), 0, "%s", err.message);
    cr_assert_eq(rl_baseline_count(b), 1);
    rl_baseline_free(b);
}

Test(suppress, resource_metadata_stops_at_the_resource_name, .init = in_tmpdir)
{
    /* Resources.Fn covers Resources.Fn.* but not Resources.FnDlq, and a finding that points
     * at a parameter default belongs to the resource that uses it */
    put(".regionlint.yaml", CONFIG);
    put("t.yaml", "Parameters:\n"
                  "  Dlq: {Type: String, Default: 'arn:aws:sqs:us-east-1:111122223333:dlq'}\n"
                  "Resources:\n"
                  "  Fn:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Metadata: {regionlint: {ignore: [{id: RL501, reason: replicated DLQ}]}}\n"
                  "    Properties:\n"
                  "      DeadLetterConfig: {TargetArn: !Ref Dlq}\n"
                  "  FnDlq:\n"
                  "    Type: AWS::Lambda::Function\n"
                  "    Properties:\n"
                  "      DeadLetterConfig: {TargetArn: 'arn:aws:sqs:us-east-1:111122223333:x'}\n");
    rl_lint *l = lint_ok();
    const rl_finding *p = find(l, "RL501", 2);
    cr_assert_str_eq(p->path, "Resources.Fn.Properties.DeadLetterConfig.TargetArn");
    cr_assert_eq(p->suppressed, RL_SUPPRESS_INSOURCE);
    cr_assert_eq(find(l, "RL501", 12)->suppressed, RL_SUPPRESS_NONE);
    rl_lint_free(l);
}
