/* Writes reports of every format for runs the fixtures cannot produce (suppressed findings,
 * findings without a position, file names and messages holding quotes, markup, control
 * characters and invalid UTF-8, a quota finding, more findings than a GitHub comment holds),
 * for check_formats.py and check_json_schema.py to validate.
 *   gen_samples OUTDIR   ->  OUTDIR/{edge,big}.{json,junit,md,html,github,txt} */
#include <regionlint/report.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rl_finding *add(rl_findings *fs, const rl_registry *reg, const char *id, rl_level lv,
                       const char *file, uint32_t line, uint32_t col, const char *region,
                       const char *other, const char *msg)
{
    rl_span sp = {{line, line ? col : 0}, {line, line ? col + 3 : 0}};
    rl_finding *f = rl_findings_add(fs, rl_registry_find(reg, id), id, lv, file, &sp,
                                    "Resources.Thing.Properties.Value", region, other, msg);
    if (!f) {
        fprintf(stderr, "gen_samples: out of memory\n");
        exit(2);
    }
    return f;
}

static void edge_findings(rl_findings *fs, const rl_registry *reg)
{
    add(fs, reg, "RL501", RL_LEVEL_ERROR, "templates/a \"b\" <c>&'d'.yaml", 7, 26, "us-west-2",
        "us-east-1", "ARN arn:aws:sqs:us-east-1:111122223333:q in <us-west-2> & \"quotes\" | pipe");
    add(fs, reg, "RL502", RL_LEVEL_WARNING, "bad\xff\xfe-utf8\x01\x1b[31m.json", 1, 1, "us-west-2",
        NULL,
        "control \x01\x02\x7f, invalid \xc3\x28, noncharacter \xef\xbf\xbf, tab\tand\nnewline");
    add(fs, reg, "RL503", RL_LEVEL_NOTE, "notes.yaml", 0, 0, NULL, NULL,
        "no position at all; mentions @octocat and #1; ]]> and <!-- -->; 50% : , %0A");
    rl_finding *q = add(fs, reg, "RL101", RL_LEVEL_ERROR, "exports/us-west-2/quotas.json", 12, 18,
                        "us-west-2", "us-east-1",
                        "Lambda concurrent executions (L-B99A9384) is 1000 in us-west-2, "
                        "3000 in us-east-1");
    rl_span rs = {{12, 18}, {12, 24}};
    rl_finding_add_related(fs, q, "exports/us-east-1/quotas.json", &rs, "the primary's value");
    rl_finding *s = add(fs, reg, "RL504", RL_LEVEL_ERROR, "templates/legacy.yaml", 3, 5,
                        "us-west-2", "us-east-1", "suppressed one");
    s->suppressed = RL_SUPPRESS_INSOURCE;
    s->suppressed_by = "comment";
    s->justification = rl_findings_strdup(fs, "migrating by Q3 <see ticket & \"plan\">");
    rl_finding *e = add(fs, reg, "RL505", RL_LEVEL_ERROR, "templates/legacy.yaml", 9, 1,
                        "us-west-2", "us-east-1", "suppressed externally, no reason recorded");
    e->suppressed = RL_SUPPRESS_EXTERNAL;
    e->suppressed_by = "baseline";
    add(fs, reg, "RL001", RL_LEVEL_ERROR, "broken.json", 3, 9, NULL, NULL,
        "parse error: expected ',' or '}'");
}

static void big_findings(rl_findings *fs, const rl_registry *reg)
{
    char file[64], msg[400];
    for (int i = 0; i < 3000; i++) {
        snprintf(file, sizeof(file), "stacks/service-%04d.yaml", i);
        snprintf(msg, sizeof(msg),
                 "Function%04d (AWS::Lambda::Function) in the standby region us-west-2 calls "
                 "sqs.us-east-1.amazonaws.com, an endpoint in us-east-1 | <%d>",
                 i, i);
        add(fs, reg, i % 3 ? "RL502" : "RL501", (rl_level)(1 + i % 3), file,
            (uint32_t)(10 + i % 50), 5, "us-west-2", "us-east-1", msg);
    }
}

static int write_all(const char *dir, const char *name, const rl_report *r)
{
    static const char *const formats[][2] = {{"json", "json"},     {"junit", "junit"},
                                             {"markdown", "md"},   {"html", "html"},
                                             {"github", "github"}, {"text", "txt"}};
    for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.%s", dir, name, formats[i][1]);
        FILE *out = fopen(path, "w");
        if (!out) {
            perror(path);
            return 2;
        }
        rl_error err;
        rl_error_clear(&err);
        int rc = rl_reporter_find(formats[i][0])(out, r, &err);
        if (fclose(out) != 0 || rc < 0) {
            fprintf(stderr, "gen_samples: %s: %s\n", path, err.message);
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_samples OUTDIR\n");
        return 2;
    }
    rl_registry *reg = NULL;
    rl_error err;
    rl_error_clear(&err);
    if (rl_registry_new(&reg, &err) < 0) {
        fprintf(stderr, "gen_samples: %s\n", err.message);
        return 2;
    }
    const char *standby[] = {"us-west-2", "eu-west-1"};
    int rc = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        rl_findings *fs = NULL;
        if (rl_findings_new(&fs) < 0)
            return 2;
        if (pass == 0)
            edge_findings(fs, reg);
        else
            big_findings(fs, reg);
        rl_findings_finish(fs);
        rl_report r;
        memset(&r, 0, sizeof(r));
        r.registry = reg;
        r.findings = fs;
        r.primary = "us-east-1";
        r.standby = standby;
        r.nstandby = pass == 0 ? 2 : 1;
        r.strategy = RL_STRATEGY_HOT_STANDBY;
        r.fail_on = RL_LEVEL_NOTE;
        r.excerpt = true;
        rc = write_all(argv[1], pass == 0 ? "edge" : "big", &r);
        rl_findings_free(fs);
    }
    rl_registry_free(reg);
    return rc;
}
