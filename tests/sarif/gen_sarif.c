/* Writes SARIF logs that cover every corner of the SARIF reporter (positions and none,
 * related locations, suppressions, odd file names, paths outside the repository, input
 * errors, skipped files, truncation) for tests/sarif/validate.sh to run the SARIF
 * multitool on. Usage: gen_sarif OUTDIR; writes OUTDIR/{full,limits,size,empty}.sarif. */
#include "report/report_private.h"

#include <regionlint/input.h>
#include <regionlint/rule.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fixed so that the logs do not depend on where the test runs. */
#define SRCROOT "/src/repo"

static void die(const char *what)
{
    fprintf(stderr, "gen_sarif: %s\n", what);
    exit(1);
}

static rl_span span(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2)
{
    rl_span s = {{l1, c1}, {l2, c2}};
    return s;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0)
        die(path);
}

/* Inputs with a YAML and a JSON syntax error, an unreadable file name, a JSON file that is
 * no AWS data (skipped) and a README (skipped by extension), loaded like the CLI does. */
static rl_inputs *make_inputs(const char *workdir)
{
    char dir[4096];
    if (snprintf(dir, sizeof(dir), "%s/inputs", workdir) >= (int)sizeof(dir))
        die("path too long");
    if ((mkdir(workdir, 0755) && errno != EEXIST) || (mkdir(dir, 0755) && errno != EEXIST) ||
        chdir(workdir))
        die("cannot create the input folder");
    write_file("inputs/bad template \xC3\xA9#1.yaml", "Resources:\n  A: [1, 2\n");
    write_file("inputs/bad.json", "{\"Resources\": {\"A\": 1,, }}\n");
    write_file("inputs/hello.json", "{\"hello\": \"world\"}\n");
    write_file("inputs/README.md", "# not an input\n");
    rl_inputs *in = NULL;
    rl_error err;
    rl_error_clear(&err);
    if (rl_inputs_new(&in) || rl_inputs_add_path(in, "inputs", NULL, &err))
        die("cannot add the inputs");
    rl_inputs_load(in, NULL);
    rl_inputs_classify(in, NULL);
    return in;
}

static rl_finding *add(rl_findings *fs, const rl_registry *reg, const char *id, rl_level level,
                       const char *file, const rl_span *sp, const char *path, const char *msg)
{
    rl_finding *f = rl_findings_add(fs, rl_registry_find(reg, id), id, level, file, sp, path,
                                    "us-west-2", "us-east-1", msg);
    if (!f)
        die("out of memory");
    return f;
}

static void related(rl_findings *fs, rl_finding *f, const char *file, const rl_span *sp,
                    const char *msg)
{
    if (rl_finding_add_related(fs, f, file, sp, msg))
        die("out of memory");
}

/* One finding per case the reporter must get right. */
static void corner_cases(rl_findings *fs, const rl_registry *reg)
{
    rl_span s = span(7, 26, 7, 35), multi = span(3, 1, 9, 1);
    rl_finding *f = add(fs, reg, "RL501", RL_LEVEL_ERROR, "templates/orders service.yaml", &s,
                        "Resources.Q.Properties.Arn", "references an ARN in us-east-1");
    rl_span r1 = span(35, 23, 35, 42);
    related(fs, f, "templates/orders service.yaml", &r1, "used here");
    related(fs, f, "regions/us-east-1/network.yaml", NULL, "defined in us-east-1 (no position)");
    related(fs, f, "", NULL, "a related note without a file");
    related(fs, f, "templates/x.yaml", &r1, "");

    /* no position: a file that was read gets its whole extent as the region */
    add(fs, reg, "RL502", RL_LEVEL_WARNING, "inputs/hello.json", NULL, "hello",
        "no position known");
    add(fs, reg, "RL502", RL_LEVEL_WARNING, "snapshots/us-west-2/quotas#1.json", &multi,
        "Quotas[3]", "a # in the file name");
    add(fs, reg, "RL503", RL_LEVEL_NOTE, "t\xC3\xABmpl\xC3\xA4tes/na\xC3\xAFve \xE2\x98\x83.yaml",
        &multi, "", "unicode file name, multi-line region");
    rl_span lineonly = span(4, 0, 0, 0);
    add(fs, reg, "RL504", RL_LEVEL_WARNING, "a%b?c&d+e=f:g@h.yaml", &lineonly, "Resources.X",
        "reserved characters in the name, line without column");

    rl_span sp = span(2, 5, 2, 9);
    f = add(fs, reg, "RL505", RL_LEVEL_ERROR, "templates/suppressed.yaml", &sp, "Resources.S",
            "suppressed in the source");
    f->suppressed = RL_SUPPRESS_INSOURCE;
    f->justification = rl_findings_strdup(fs, "migrating by Q3");
    f->suppressed_by = rl_findings_strdup(fs, "metadata");
    f = add(fs, reg, "RL501", RL_LEVEL_WARNING, "../shared/outside.yaml", &sp, "Resources.O",
            "outside the repository, suppressed by a baseline");
    f->suppressed = RL_SUPPRESS_EXTERNAL;
    f->justification = rl_findings_strdup(fs, "accepted in review");
    f->suppressed_by = rl_findings_strdup(fs, "baseline");
    f = add(fs, reg, "RL502", RL_LEVEL_NOTE, "templates/nojustification.yaml", &sp, "",
            "suppressed with no justification recorded");
    f->suppressed = RL_SUPPRESS_EXTERNAL;

    add(fs, reg, "RL001", RL_LEVEL_ERROR, SRCROOT "/abs/inside.yaml", &sp, "",
        "absolute path inside the repository");
    add(fs, reg, "RL001", RL_LEVEL_ERROR, "/opt/other dir/x.yaml", &sp, "",
        "absolute path outside the repository");
    add(fs, reg, "RL003", RL_LEVEL_ERROR, "./templates//dup.yaml", &sp, "Resources.D",
        "leading ./ and a doubled slash");
    add(fs, reg, "RL003", RL_LEVEL_ERROR, "templates/../../../../../../up.yaml", &sp, "",
        "more ../ than the source root is deep");
    add(fs, reg, "RL002", RL_LEVEL_WARNING, "bad\xFF\xFEname.json", &sp, "",
        "invalid UTF-8 in the file name and the message \xFF");
    add(fs, reg, "RL002", RL_LEVEL_WARNING, "c:weird.yaml", &sp, "", "colon in the first segment");
    add(fs, reg, "RL002", RL_LEVEL_WARNING, "dir\\back\\slash.yaml", &sp, "", "backslashes");
    add(fs, reg, "RL002", RL_LEVEL_WARNING, "", NULL, "", "a finding without a file");
    /* no rule pointer: the reporter finds the rule by id */
    rl_finding *g = rl_findings_add(fs, NULL, "RL503", RL_LEVEL_WARNING, "by-id.yaml", &sp, "",
                                    NULL, NULL, "rule found by id");
    if (!g)
        die("out of memory");
}

/* Enough findings of every level to be cut by the lowered limits. */
static void many(rl_findings *fs, const rl_registry *reg)
{
    static const rl_level levels[] = {RL_LEVEL_NOTE, RL_LEVEL_WARNING, RL_LEVEL_ERROR};
    for (unsigned i = 0; i < 60; i++) {
        char file[64], msg[64];
        snprintf(file, sizeof(file), "many/file%02u.yaml", i);
        snprintf(msg, sizeof(msg), "finding %u", i);
        rl_span s = span(i + 1, 1, i + 1, 10);
        rl_finding *f = add(fs, reg, "RL501", levels[i % 3], file, &s, "Resources.M", msg);
        for (unsigned j = 0; i == 8 && j < 6; j++) { /* an error: kept */
            rl_span r = span(j + 1, 2, j + 1, 4);
            related(fs, f, file, &r, "one of many related locations");
        }
    }
}

/* The (estimated) gzipped size of the log for `r` with options `o`. */
static size_t measure(const rl_report *r, const rl_sarif_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    rl_error err;
    rl_error_clear(&err);
    if (!out || rl_report_sarif_opts(out, r, o, &err) || fclose(out))
        die("cannot measure a log");
    size_t gz = rl_sarif_gzip_size(buf, len);
    free(buf);
    return gz;
}

static void emit(const char *outdir, const char *name, const rl_report *r, const rl_sarif_opts *o)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", outdir, name) >= (int)sizeof(path))
        die("path too long");
    FILE *out = fopen(path, "wb");
    rl_error err;
    rl_error_clear(&err);
    if (!out)
        die(path);
    if (rl_report_sarif_opts(out, r, o, &err)) {
        fprintf(stderr, "gen_sarif: %s: %s\n", name, err.message);
        exit(1);
    }
    if (fclose(out) != 0)
        die(path);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_sarif OUTDIR\n");
        return 2;
    }
    char outdir[4096], workdir[4096];
    if (!realpath(argv[1], outdir))
        die("OUTDIR does not exist");
    if (snprintf(workdir, sizeof(workdir), "%s/work", outdir) >= (int)sizeof(workdir))
        die("path too long");

    rl_error err;
    rl_error_clear(&err);
    rl_registry *reg = NULL;
    if (rl_registry_new(&reg, &err))
        die(err.message);
    rl_inputs *in = make_inputs(workdir);
    rl_findings *fs = NULL, *lots = NULL, *none = NULL;
    if (rl_findings_new(&fs) || rl_findings_new(&lots) || rl_findings_new(&none))
        die("out of memory");
    corner_cases(fs, reg);
    rl_findings_finish(fs);
    corner_cases(lots, reg);
    many(lots, reg);
    rl_findings_finish(lots);
    /* `none` stays empty: nothing to finish */

    const char *standby[] = {"us-west-2"};
    rl_report r;
    memset(&r, 0, sizeof(r));
    r.registry = reg;
    r.findings = fs;
    r.inputs = in;
    r.primary = "us-east-1";
    r.standby = standby;
    r.nstandby = 1;
    r.strategy = RL_STRATEGY_WARM_STANDBY;
    r.fail_on = RL_LEVEL_WARNING;
    r.verbose = true; /* list the files skipped by extension one by one */
    r.notice = "a run-level notice";

    rl_sarif_opts o;
    rl_sarif_opts_default(&o);
    o.srcroot = SRCROOT;
    emit(outdir, "full.sarif", &r, &o);

    /* GitHub's limits, lowered so that a few dozen findings exceed them */
    r.findings = lots;
    r.verbose = false;
    r.notice = NULL;
    rl_sarif_opts lim = o;
    lim.max_results = 20;
    lim.max_locations = 3;
    lim.max_tags = 2;
    lim.max_skipped = 1;
    emit(outdir, "limits.sarif", &r, &lim);

    /* the size limit: halfway between the log without results and the whole log, gzipped */
    rl_report empty = r;
    empty.findings = none;
    rl_sarif_opts size = o;
    size.max_gzip = (measure(&empty, &o) + measure(&r, &o)) / 2;
    emit(outdir, "size.sarif", &r, &size);

    /* nothing at all: no findings, no inputs */
    empty.inputs = NULL;
    emit(outdir, "empty.sarif", &empty, &o);

    rl_findings_free(fs);
    rl_findings_free(lots);
    rl_findings_free(none);
    rl_inputs_free(in);
    rl_registry_free(reg);
    return 0;
}
