/* SARIF reporter: the produced log is parsed back with jansson and its important fields
 * checked (rules, ruleIndex, regions, URIs, suppressions, fingerprints, limits). */
#include <criterion/criterion.h>
#include <regionlint/input.h>
#include <regionlint/report.h>
#include <regionlint/rule.h>

#include "report/report_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROOT "/src/repo"

static rl_registry *reg;
static rl_findings *fs;

static void setup(void)
{
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_registry_new(&reg, &err), 0, "%s", err.message);
    cr_assert_eq(rl_findings_new(&fs), 0);
}

static void teardown(void)
{
    rl_findings_free(fs);
    rl_registry_free(reg);
}

TestSuite(sarif, .init = setup, .fini = teardown);

static rl_span span(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2)
{
    rl_span s = {{l1, c1}, {l2, c2}};
    return s;
}

static rl_finding *add(const char *id, rl_level level, const char *file, const rl_span *sp,
                       const char *msg)
{
    rl_finding *f = rl_findings_add(fs, rl_registry_find(reg, id), id, level, file, sp,
                                    "Resources.R", "us-west-2", "us-east-1", msg);
    cr_assert_not_null(f);
    return f;
}

/* Fingerprints and sorts like the engine does (nothing to do for an empty collection:
 * rl_findings_finish() would hand qsort a NULL array). */
static void finish(void)
{
    if (rl_findings_count(fs))
        rl_findings_finish(fs);
}

static rl_report report(void)
{
    rl_report r;
    memset(&r, 0, sizeof(r));
    r.registry = reg;
    r.findings = fs;
    r.primary = "us-east-1";
    r.strategy = RL_STRATEGY_WARM_STANDBY;
    return r;
}

static rl_sarif_opts opts(void)
{
    rl_sarif_opts o;
    rl_sarif_opts_default(&o);
    o.srcroot = ROOT;
    return o;
}

/* Runs the reporter; returns the parsed log and (if asked) the text, which the caller
 * frees. */
static json_t *sarif_text(const rl_report *r, const rl_sarif_opts *o, char **text, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    cr_assert_not_null(out);
    rl_error err;
    rl_error_clear(&err);
    int rc = o ? rl_report_sarif_opts(out, r, o, &err) : rl_report_sarif(out, r, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    cr_assert_eq(fclose(out), 0);
    json_error_t jerr;
    json_t *root = json_loadb(buf, n, 0, &jerr);
    cr_assert_not_null(root, "not JSON: %s (line %d)", jerr.text, jerr.line);
    if (text)
        *text = buf;
    else
        free(buf);
    if (len)
        *len = n;
    return root;
}

static json_t *sarif(const rl_report *r, const rl_sarif_opts *o)
{
    return sarif_text(r, o, NULL, NULL);
}

/* runs[0] (there must be exactly one) */
static json_t *run0(json_t *root)
{
    json_t *runs = json_object_get(root, "runs");
    cr_assert_eq(json_array_size(runs), 1);
    return json_array_get(runs, 0);
}

static json_t *results(json_t *root)
{
    json_t *res = json_object_get(run0(root), "results");
    cr_assert(json_is_array(res));
    return res;
}

static json_t *notifications(json_t *root)
{
    json_t *inv = json_array_get(json_object_get(run0(root), "invocations"), 0);
    cr_assert_not_null(inv);
    return json_object_get(inv, "toolExecutionNotifications");
}

/* json_object_get along a path of keys; "0", "1", ... index arrays. */
static json_t *at(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); j && k; k = strtok_r(NULL, ".", &save))
        j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10)) : json_object_get(j, k);
    return j;
}

static const char *str(json_t *j, const char *path)
{
    json_t *v = at(j, path);
    cr_assert(json_is_string(v), "%s is not a string", path);
    return json_string_value(v);
}

static long long num(json_t *j, const char *path)
{
    json_t *v = at(j, path);
    cr_assert(json_is_integer(v), "%s is not an integer", path);
    return json_integer_value(v);
}

static json_t *result_by_message(json_t *root, const char *msg)
{
    json_t *res = results(root), *r;
    size_t i;
    json_array_foreach(res, i, r)
    {
        if (!strcmp(str(r, "message.text"), msg))
            return r;
    }
    cr_assert_fail("no result '%s'", msg);
    return NULL;
}

static bool has_notification(json_t *root, const char *level, const char *needle)
{
    json_t *n, *list = notifications(root);
    size_t i;
    json_array_foreach(list, i, n)
    {
        if (!strcmp(str(n, "level"), level) && strstr(str(n, "message.text"), needle))
            return true;
    }
    return false;
}

/* ---- the log and the driver ------------------------------------------------------- */

Test(sarif, log_and_run_properties)
{
    rl_finding_add_related(fs, add("RL501", RL_LEVEL_ERROR, "a.yaml", NULL, "m"), "b.yaml", NULL,
                           "r");
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    cr_assert_str_eq(str(root, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
    cr_assert_str_eq(str(root, "version"), "2.1.0");
    json_t *run = run0(root);
    cr_assert_str_eq(str(run, "columnKind"), "unicodeCodePoints");
    cr_assert_str_eq(str(run, "originalUriBaseIds.%SRCROOT%.uri"), "file:///src/repo/");
    cr_assert_str_eq(str(run, "tool.driver.name"), "regionlint");
    cr_assert_str_eq(str(run, "tool.driver.version"), RL_VERSION);
    cr_assert_str_eq(str(run, "tool.driver.semanticVersion"), RL_VERSION);
    cr_assert_str_eq(str(run, "tool.driver.informationUri"), RL_INFO_URI);
    cr_assert(json_is_true(at(run, "invocations.0.executionSuccessful")));
    json_decref(root);
}

Test(sarif, every_rule_in_registry_order)
{
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *rules = at(run0(root), "tool.driver.rules");
    size_t n = rl_registry_count(reg);
    cr_assert_gt(n, 0);
    cr_assert_eq(json_array_size(rules), n);
    for (size_t i = 0; i < n; i++) {
        const rl_rule *rule = rl_registry_at(reg, i);
        json_t *d = json_array_get(rules, i);
        cr_assert_str_eq(str(d, "id"), rule->id);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(str(json_array_get(rules, j), "id"), rule->id, "duplicate rule");
        cr_assert_str_eq(str(d, "name"), rule->name);
        cr_assert_str_eq(str(d, "shortDescription.text"), rule->title);
        cr_assert_str_eq(str(d, "fullDescription.text"), rule->description);
        cr_assert_str_eq(str(d, "help.text"), rule->doc ? rule->doc : rule->description);
        cr_assert_gt(strlen(str(d, "help.markdown")), 0);
        cr_assert_str_eq(str(d, "helpUri"), rule->help_uri);
        cr_assert_str_eq(str(d, "defaultConfiguration.level"), rl_level_name(rule->level));
        json_t *tags = at(d, "properties.tags");
        cr_assert(json_array_size(tags) >= 1 && json_array_size(tags) <= 10);
        cr_assert_str_eq(json_string_value(json_array_get(tags, 0)), rule->family);
        for (size_t a = 0; a < json_array_size(tags); a++)
            for (size_t b = 0; b < a; b++)
                cr_assert_str_neq(json_string_value(json_array_get(tags, a)),
                                  json_string_value(json_array_get(tags, b)), "duplicate tag");
    }
    json_decref(root);
}

Test(sarif, help_markdown_links_are_absolute)
{
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *rules = at(run0(root), "tool.driver.rules"), *d;
    size_t i;
    bool saw_link = false;
    json_array_foreach(rules, i, d)
    {
        const char *md = str(d, "help.markdown");
        for (const char *p = strstr(md, "]("); p; p = strstr(p + 2, "](")) {
            saw_link = true;
            cr_assert(!strncmp(p + 2, "https://", 8) || p[2] == '#', "relative link in %s: %.40s",
                      str(d, "id"), p);
        }
    }
    /* the rule pages link to each other: without a link this test proves nothing */
    cr_assert(saw_link);
    /* and the text form is the page as written */
    const rl_rule *rl501 = rl_registry_find(reg, "RL501");
    if (rl501->doc && strstr(rl501->doc, "](RL504.md)")) {
        json_t *d501 = json_array_get(rules, (size_t)rl_registry_index(reg, rl501));
        cr_assert(strstr(str(d501, "help.markdown"), "/docs/rules/RL504.md)"));
        cr_assert(strstr(str(d501, "help.text"), "](RL504.md)"));
    }
    json_decref(root);
}

Test(sarif, tags_capped)
{
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    o.max_tags = 1;
    json_t *root = sarif(&r, &o);
    json_t *rules = at(run0(root), "tool.driver.rules"), *d;
    size_t i;
    json_array_foreach(rules, i, d)
    {
        cr_assert_eq(json_array_size(at(d, "properties.tags")), 1);
        cr_assert_str_eq(str(d, "properties.tags.0"), rl_registry_at(reg, i)->family);
    }
    cr_assert(has_notification(root, "note", "more than 1 tags"));
    json_decref(root);
}

/* ---- results ---------------------------------------------------------------------- */

Test(sarif, rule_index_points_at_the_rule)
{
    add("RL505", RL_LEVEL_ERROR, "a.yaml", NULL, "five");
    add("RL001", RL_LEVEL_ERROR, "b.yaml", NULL, "one");
    /* no rule pointer: found by id */
    cr_assert_not_null(rl_findings_add(fs, NULL, "RL503", RL_LEVEL_WARNING, "c.yaml", NULL, "",
                                       NULL, NULL, "three"));
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *rules = at(run0(root), "tool.driver.rules"), *res;
    size_t i;
    cr_assert_eq(json_array_size(results(root)), 3);
    json_array_foreach(results(root), i, res)
    {
        long long idx = num(res, "ruleIndex");
        cr_assert(idx >= 0 && (size_t)idx < json_array_size(rules));
        cr_assert_str_eq(str(json_array_get(rules, (size_t)idx), "id"), str(res, "ruleId"));
        cr_assert_eq(idx, rl_registry_index(reg, rl_registry_find(reg, str(res, "ruleId"))));
    }
    json_decref(root);
}

Test(sarif, levels_messages_properties_fingerprints)
{
    rl_span s = span(7, 26, 7, 35);
    rl_finding *f = add("RL501", RL_LEVEL_WARNING, "t.yaml", &s, "the message");
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *res = result_by_message(root, "the message");
    cr_assert_str_eq(str(res, "level"), "warning");
    cr_assert_str_eq(str(res, "locations.0.logicalLocations.0.fullyQualifiedName"), "Resources.R");
    cr_assert_str_eq(str(res, "properties.region"), "us-west-2");
    cr_assert_str_eq(str(res, "properties.otherRegion"), "us-east-1");
    const char *fp = str(res, "partialFingerprints.regionlint/v1");
    cr_assert_str_eq(fp, f->fingerprint);
    cr_assert_eq(strlen(fp), 32);
    cr_assert_eq(strspn(fp, "0123456789abcdef"), 32);
    cr_assert_null(at(res, "suppressions"));
    json_decref(root);
}

Test(sarif, no_logical_location_when_path_empty)
{
    cr_assert_not_null(rl_findings_add(fs, rl_registry_find(reg, "RL001"), "RL001", RL_LEVEL_ERROR,
                                       "x.yaml", NULL, "", NULL, NULL, "m"));
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *res = result_by_message(root, "m");
    cr_assert_null(at(res, "locations.0.logicalLocations"));
    cr_assert_null(at(res, "properties"));
    json_decref(root);
}

Test(sarif, regions_only_when_known)
{
    rl_span full = span(3, 5, 4, 2), line_only = span(9, 0, 0, 0), start_only = span(2, 7, 0, 0);
    add("RL501", RL_LEVEL_ERROR, "a.yaml", &full, "full");
    add("RL501", RL_LEVEL_ERROR, "a.yaml", NULL, "unknown");
    add("RL501", RL_LEVEL_ERROR, "a.yaml", &line_only, "line only");
    add("RL501", RL_LEVEL_ERROR, "a.yaml", &start_only, "start only");
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);

    json_t *g = at(result_by_message(root, "full"), "locations.0.physicalLocation.region");
    cr_assert_eq(num(g, "startLine"), 3);
    cr_assert_eq(num(g, "startColumn"), 5);
    cr_assert_eq(num(g, "endLine"), 4);
    cr_assert_eq(num(g, "endColumn"), 2);
    /* a.yaml was not read: no position and no text, so no region (never a faked 1:1) */
    json_t *pl = at(result_by_message(root, "unknown"), "locations.0.physicalLocation");
    cr_assert_not_null(at(pl, "artifactLocation"));
    cr_assert_null(at(pl, "region"));
    g = at(result_by_message(root, "line only"), "locations.0.physicalLocation.region");
    cr_assert_eq(num(g, "startLine"), 9);
    cr_assert_eq(json_object_size(g), 1);
    g = at(result_by_message(root, "start only"), "locations.0.physicalLocation.region");
    cr_assert_eq(num(g, "startLine"), 2);
    cr_assert_eq(num(g, "startColumn"), 7);
    cr_assert_eq(json_object_size(g), 2);
    json_decref(root);
}

Test(sarif, related_locations_with_ids_and_messages)
{
    rl_span s = span(1, 1, 1, 5), t = span(8, 3, 8, 9);
    rl_finding *f = add("RL505", RL_LEVEL_ERROR, "a.yaml", &s, "m");
    cr_assert_eq(rl_finding_add_related(fs, f, "b.yaml", &t, "exported here"), 0);
    cr_assert_eq(rl_finding_add_related(fs, f, "c.yaml", NULL, "no position"), 0);
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *rel = at(result_by_message(root, "m"), "relatedLocations");
    cr_assert_eq(json_array_size(rel), 2);
    cr_assert_eq(num(rel, "0.id"), 1);
    cr_assert_eq(num(rel, "1.id"), 2);
    cr_assert_str_eq(str(rel, "0.message.text"), "exported here");
    cr_assert_str_eq(str(rel, "0.physicalLocation.artifactLocation.uri"), "b.yaml");
    cr_assert_eq(num(rel, "0.physicalLocation.region.startLine"), 8);
    cr_assert_null(at(rel, "1.physicalLocation.region"));
    json_decref(root);
}

Test(sarif, suppressions)
{
    rl_span s = span(1, 1, 1, 2);
    rl_finding *a = add("RL501", RL_LEVEL_ERROR, "a.yaml", &s, "in source");
    a->suppressed = RL_SUPPRESS_INSOURCE;
    a->justification = rl_findings_strdup(fs, "migrating by Q3");
    a->suppressed_by = rl_findings_strdup(fs, "comment");
    rl_finding *b = add("RL502", RL_LEVEL_WARNING, "b.yaml", &s, "external");
    b->suppressed = RL_SUPPRESS_EXTERNAL;
    b->justification = rl_findings_strdup(fs, "in the baseline");
    b->suppressed_by = rl_findings_strdup(fs, "baseline");
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    /* suppressed results are kept, with how and why */
    cr_assert_eq(json_array_size(results(root)), 2);
    json_t *sa = at(result_by_message(root, "in source"), "suppressions");
    cr_assert_eq(json_array_size(sa), 1);
    cr_assert_str_eq(str(sa, "0.kind"), "inSource");
    cr_assert_str_eq(str(sa, "0.status"), "accepted");
    cr_assert_str_eq(str(sa, "0.justification"), "migrating by Q3");
    cr_assert_str_eq(str(sa, "0.properties.suppressedBy"), "comment");
    json_t *sb = at(result_by_message(root, "external"), "suppressions");
    cr_assert_str_eq(str(sb, "0.kind"), "external");
    cr_assert_str_eq(str(sb, "0.justification"), "in the baseline");
    json_decref(root);
}

/* ---- URIs ------------------------------------------------------------------------- */

static void check_uri(const char *path, const char *root, const char *want, bool want_rel)
{
    rl_strbuf b = RL_STRBUF_INIT;
    bool rel = rl_sarif_uri(&b, path, root);
    cr_assert_str_eq(rl_strbuf_cstr(&b), want, "uri of '%s'", path);
    cr_assert_eq(rel, want_rel, "uri of '%s' %s relative", path, want_rel ? "should be" : "not");
    rl_strbuf_free(&b);
}

Test(sarif, uri_encoding)
{
    check_uri("templates/a.yaml", ROOT, "templates/a.yaml", true);
    check_uri("a b.yaml", ROOT, "a%20b.yaml", true);
    check_uri("100%#1?.yaml", ROOT, "100%25%231%3F.yaml", true);
    check_uri("t\xC3\xA9st/\xE2\x98\x83.yaml", ROOT, "t%C3%A9st/%E2%98%83.yaml", true);
    check_uri("bad\xFF.json", ROOT, "bad%FF.json", true);
    check_uri("c:x.yaml", ROOT, "c%3Ax.yaml", true); /* never read as a scheme */
    check_uri("a+b&c=d@e.yaml", ROOT, "a%2Bb%26c%3Dd%40e.yaml", true);
    check_uri("dir\\f.yaml", ROOT, "dir%5Cf.yaml", true);
    check_uri("./x//y/./z.yaml", ROOT, "x/y/z.yaml", true);
    check_uri("a/../b.yaml", ROOT, "b.yaml", true);
    check_uri(".", ROOT, ".", true); /* never empty */
    check_uri("", ROOT, ".", true);
}

Test(sarif, uri_outside_and_absolute)
{
    /* absolute inside the source root: relative to it */
    check_uri(ROOT "/abs/x.yaml", ROOT, "abs/x.yaml", true);
    check_uri(ROOT "/", ROOT, "file:///src/repo", false); /* the root itself */
    /* a sibling whose name starts with the root's is not inside it */
    check_uri("/src/repository/x.yaml", ROOT, "file:///src/repository/x.yaml", false);
    check_uri("/opt/x y.yaml", ROOT, "file:///opt/x%20y.yaml", false);
    /* ../ that leaves the root: an absolute file: URI of where it points */
    check_uri("../shared/x.yaml", ROOT, "file:///src/shared/x.yaml", false);
    check_uri("../../../../x.yaml", ROOT, "file:///x.yaml", false);
    /* ../ that comes back in */
    check_uri("../repo/x.yaml", ROOT, "x.yaml", true);
    check_uri("../../x", "/", "x", true);
    /* no known root: still a valid relative reference */
    check_uri("../x.yaml", NULL, "../x.yaml", true);
    check_uri("/abs/x.yaml", NULL, "file:///abs/x.yaml", false);
}

Test(sarif, uri_in_results)
{
    rl_span s = span(1, 1, 1, 2);
    add("RL501", RL_LEVEL_ERROR, "my dir/a#1.yaml", &s, "rel");
    add("RL501", RL_LEVEL_ERROR, "../elsewhere/a.yaml", &s, "outside");
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    json_t *al =
        at(result_by_message(root, "rel"), "locations.0.physicalLocation.artifactLocation");
    cr_assert_str_eq(str(al, "uri"), "my%20dir/a%231.yaml");
    cr_assert_str_eq(str(al, "uriBaseId"), "%SRCROOT%");
    al = at(result_by_message(root, "outside"), "locations.0.physicalLocation.artifactLocation");
    cr_assert_str_eq(str(al, "uri"), "file:///src/elsewhere/a.yaml");
    cr_assert_null(at(al, "uriBaseId"));
    json_decref(root);
}

Test(sarif, srcroot_from_environment)
{
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    o.srcroot = NULL;
    setenv("RL_SARIF_SRCROOT", "file:///golden%20root/", 1);
    json_t *root = sarif(&r, &o);
    cr_assert_str_eq(str(run0(root), "originalUriBaseIds.%SRCROOT%.uri"), "file:///golden%20root/");
    json_decref(root);
    setenv("RL_SARIF_SRCROOT", "/plain/path", 1);
    root = sarif(&r, &o);
    cr_assert_str_eq(str(run0(root), "originalUriBaseIds.%SRCROOT%.uri"), "file:///plain/path/");
    json_decref(root);
    /* unset: the current directory */
    unsetenv("RL_SARIF_SRCROOT");
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    root = sarif(&r, NULL);
    const char *uri = str(run0(root), "originalUriBaseIds.%SRCROOT%.uri");
    cr_assert(!strncmp(uri, "file:///", 8) && uri[strlen(uri) - 1] == '/', "%s", uri);
    json_decref(root);
}

/* ---- inputs: notifications and whole-file regions ---------------------------------- */

static char tmpdir[64];

static rl_inputs *inputs_with(const char *name1, const char *text1, const char *name2,
                              const char *text2)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/rl-sarif-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    const char *names[2] = {name1, name2}, *texts[2] = {text1, text2};
    for (int i = 0; i < 2; i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
        FILE *f = fopen(p, "wb");
        cr_assert_not_null(f);
        fputs(texts[i], f);
        fclose(f);
    }
    rl_inputs *in = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_inputs_new(&in), 0);
    cr_assert_eq(rl_inputs_add_path(in, tmpdir, NULL, &err), 0, "%s", err.message);
    rl_inputs_load(in, NULL);
    rl_inputs_classify(in, NULL);
    return in;
}

static void remove_inputs(const char *name1, const char *name2)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name1);
    unlink(p);
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name2);
    unlink(p);
    rmdir(tmpdir);
}

Test(sarif, input_errors_are_notifications)
{
    rl_inputs *in = inputs_with("bad.yaml", "a: [1, 2\n", "other.json", "{\"x\": 1}\n");
    finish();
    rl_report r = report();
    r.inputs = in;
    r.notice = "something to know";
    rl_sarif_opts o = opts();
    o.srcroot = tmpdir; /* the absolute input paths become relative to it */
    json_t *root = sarif(&r, &o);
    json_t *inv = at(run0(root), "invocations.0");
    cr_assert(json_is_false(at(inv, "executionSuccessful")));
    json_t *n = at(inv, "toolExecutionNotifications.0");
    cr_assert_str_eq(str(n, "level"), "error");
    cr_assert(strstr(str(n, "message.text"), "cannot be parsed"));
    cr_assert_str_eq(str(n, "locations.0.physicalLocation.artifactLocation.uri"), "bad.yaml");
    cr_assert_str_eq(str(n, "locations.0.physicalLocation.artifactLocation.uriBaseId"),
                     "%SRCROOT%");
    cr_assert_geq(num(n, "locations.0.physicalLocation.region.startLine"), 1);
    cr_assert_str_eq(str(n, "associatedRule.id"), "RL001");
    cr_assert(has_notification(root, "note", "other.json was skipped"));
    cr_assert(has_notification(root, "warning", "something to know"));
    json_decref(root);
    rl_inputs_free(in);
    remove_inputs("bad.yaml", "other.json");
}

Test(sarif, whole_file_region_when_position_unknown)
{
    /* "é" is one code point: columns count code points */
    rl_inputs *in = inputs_with("t.json", "{\"a\":\n \"\xC3\xA9\xC3\xA9\"}", "u.json", "{}\n");
    char path[128];
    snprintf(path, sizeof(path), "%s/t.json", tmpdir);
    add("RL002", RL_LEVEL_WARNING, path, NULL, "about t.json");
    snprintf(path, sizeof(path), "%s/u.json", tmpdir);
    add("RL002", RL_LEVEL_WARNING, path, NULL, "about u.json");
    finish();
    rl_report r = report();
    r.inputs = in;
    rl_sarif_opts o = opts();
    o.srcroot = tmpdir;
    json_t *root = sarif(&r, &o);
    json_t *g = at(result_by_message(root, "about t.json"), "locations.0.physicalLocation.region");
    cr_assert_not_null(g, "a file that was read gets its whole extent");
    cr_assert_eq(num(g, "startLine"), 1);
    cr_assert_eq(num(g, "startColumn"), 1);
    cr_assert_eq(num(g, "endLine"), 2);
    cr_assert_eq(num(g, "endColumn"), 7); /* ` "éé"}` is 6 code points */
    /* a final line break: the region ends at the start of the (empty) line after it */
    g = at(result_by_message(root, "about u.json"), "locations.0.physicalLocation.region");
    cr_assert_eq(num(g, "endLine"), 2);
    cr_assert_eq(num(g, "endColumn"), 1);
    json_decref(root);
    rl_inputs_free(in);
    remove_inputs("t.json", "u.json");
}

Test(sarif, finding_without_file_is_a_notification)
{
    rl_span s = span(1, 1, 1, 2);
    add("RL501", RL_LEVEL_ERROR, "a.yaml", &s, "with file");
    cr_assert_not_null(rl_findings_add(fs, rl_registry_find(reg, "RL002"), "RL002",
                                       RL_LEVEL_WARNING, NULL, NULL, "", NULL, NULL, "no file"));
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    cr_assert_eq(json_array_size(results(root)), 1);
    cr_assert(has_notification(root, "warning", "[RL002] no file"));
    json_decref(root);
}

/* ---- limits ------------------------------------------------------------------------ */

/* 4 notes, 4 warnings, 4 errors (and a suppressed error), interleaved by line. */
static void mixed(void)
{
    static const rl_level lv[] = {RL_LEVEL_NOTE, RL_LEVEL_WARNING, RL_LEVEL_ERROR};
    for (unsigned i = 0; i < 12; i++) {
        char msg[32];
        snprintf(msg, sizeof(msg), "%s %u", rl_level_name(lv[i % 3]), i);
        rl_span s = span(i + 1, 1, i + 1, 4);
        add("RL501", lv[i % 3], "m.yaml", &s, msg);
    }
    rl_span s = span(100, 1, 100, 4);
    rl_finding *f = add("RL501", RL_LEVEL_ERROR, "m.yaml", &s, "suppressed error");
    f->suppressed = RL_SUPPRESS_EXTERNAL;
    f->justification = rl_findings_strdup(fs, "baseline");
}

Test(sarif, truncation_keeps_errors_first)
{
    mixed();
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    o.max_results = 6;
    json_t *root = sarif(&r, &o);
    json_t *res = results(root), *x;
    size_t i;
    cr_assert_eq(json_array_size(res), 6);
    size_t errors = 0, warnings = 0;
    long long last = 0;
    json_array_foreach(res, i, x)
    {
        const char *lv = str(x, "level");
        errors += !strcmp(lv, "error");
        warnings += !strcmp(lv, "warning");
        cr_assert_null(at(x, "suppressions"), "unsuppressed results go first");
        /* kept results stay in report order */
        long long line = num(x, "locations.0.physicalLocation.region.startLine");
        cr_assert_gt(line, last);
        last = line;
    }
    cr_assert_eq(errors, 4);
    cr_assert_eq(warnings, 2);
    cr_assert(has_notification(root, "warning", "7 of 13 results were left out"));
    json_decref(root);
}

Test(sarif, no_truncation_under_the_limit)
{
    mixed();
    finish();
    rl_report r = report();
    json_t *root = sarif(&r, NULL);
    cr_assert_eq(json_array_size(results(root)), 13);
    cr_assert_null(notifications(root));
    json_decref(root);
}

/* The estimated gzipped size of the log. */
static size_t gzipped(const rl_report *r, const rl_sarif_opts *o)
{
    char *text = NULL;
    size_t len = 0;
    json_decref(sarif_text(r, o, &text, &len));
    size_t gz = rl_sarif_gzip_size(text, len);
    free(text);
    return gz;
}

Test(sarif, truncation_by_size)
{
    /* 300 findings that do not compress into nothing: distinct files and messages */
    static const rl_level lv[] = {RL_LEVEL_NOTE, RL_LEVEL_WARNING, RL_LEVEL_ERROR};
    for (unsigned i = 0; i < 300; i++) {
        char file[64], msg[96];
        snprintf(file, sizeof(file), "d%u/f%u.yaml", i * 7919 % 1000, i);
        snprintf(msg, sizeof(msg), "finding %u: arn:aws:sqs:us-east-1:%u:q%u", i * 104729 % 9973,
                 i * 7907, i * 31);
        rl_span s = span(i + 1, i % 40 + 1, i + 2, 3);
        add("RL501", lv[i % 3], file, &s, msg);
    }
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    size_t full_gz = gzipped(&r, &o);
    o.max_results = 0;
    size_t empty_gz = gzipped(&r, &o);
    o = opts();
    o.max_gzip = empty_gz + (full_gz - empty_gz) / 2;
    char *text = NULL;
    size_t len = 0;
    json_t *root = sarif_text(&r, &o, &text, &len);
    cr_assert_leq(rl_sarif_gzip_size(text, len), o.max_gzip);
    free(text);
    size_t n = json_array_size(results(root));
    cr_assert(n > 100 && n < 300, "%zu results", n);
    /* the most severe are kept: the 100 errors before any warning */
    size_t errors = 0;
    json_t *x;
    size_t i;
    json_array_foreach(results(root), i, x)
    {
        errors += !strcmp(str(x, "level"), "error");
        cr_assert_str_neq(str(x, "level"), "note");
    }
    cr_assert_eq(errors, 100);
    cr_assert(has_notification(root, "warning", "more results were left out to keep the log"));
    json_decref(root);
}

Test(sarif, related_locations_capped)
{
    rl_span s = span(1, 1, 1, 2);
    rl_finding *f = add("RL501", RL_LEVEL_ERROR, "a.yaml", &s, "many");
    for (int i = 0; i < 5; i++)
        cr_assert_eq(rl_finding_add_related(fs, f, "b.yaml", &s, "rel"), 0);
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    o.max_locations = 3; /* the primary location + 2 related */
    json_t *root = sarif(&r, &o);
    json_t *res = result_by_message(root, "many");
    cr_assert_eq(json_array_size(at(res, "relatedLocations")), 2);
    cr_assert_eq(num(res, "properties.omittedRelatedLocations"), 3);
    cr_assert(has_notification(root, "warning", "1 result has more related locations"));
    json_decref(root);
}

Test(sarif, deterministic)
{
    mixed();
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    json_decref(sarif_text(&r, &o, &a, &la));
    json_decref(sarif_text(&r, &o, &b, &lb));
    cr_assert_eq(la, lb);
    cr_assert(!memcmp(a, b, la));
    cr_assert_eq(a[la - 1], '\n');
    free(a);
    free(b);
}

/* No position anywhere in the log is 0. */
static void no_zero_positions(json_t *j)
{
    static const char *keys[] = {"startLine", "startColumn", "endLine", "endColumn"};
    if (json_is_object(j)) {
        for (size_t k = 0; k < 4; k++) {
            json_t *v = json_object_get(j, keys[k]);
            if (v)
                cr_assert_geq(json_integer_value(v), 1, "%s is %lld", keys[k],
                              (long long)json_integer_value(v));
        }
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            no_zero_positions(v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            no_zero_positions(v);
        }
    }
}

Test(sarif, positions_never_zero)
{
    rl_span odd = span(5, 0, 3, 2), point = span(2, 3, 2, 3), zero = span(0, 4, 6, 7);
    add("RL501", RL_LEVEL_ERROR, "a.yaml", &odd, "end before start");
    add("RL501", RL_LEVEL_ERROR, "a.yaml", &point, "point");
    rl_finding *f = add("RL501", RL_LEVEL_ERROR, "a.yaml", &zero, "line 0");
    cr_assert_eq(rl_finding_add_related(fs, f, "b.yaml", &zero, "line 0 too"), 0);
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    json_t *root = sarif(&r, &o);
    no_zero_positions(root);
    json_t *g =
        at(result_by_message(root, "end before start"), "locations.0.physicalLocation.region");
    cr_assert_eq(json_object_size(g), 1, "an end before the start is dropped");
    g = at(result_by_message(root, "point"), "locations.0.physicalLocation.region");
    cr_assert_eq(num(g, "endColumn"), 3);
    cr_assert_null(at(result_by_message(root, "line 0"), "locations.0.physicalLocation.region"));
    json_decref(root);
}

/* What gzip -6 (zlib's default, as upload tools use) makes of `n` bytes, or 0 when gzip
 * cannot be run. */
static size_t real_gzip(const char *data, size_t n)
{
    char path[] = "/tmp/rl-gz-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, n), (ssize_t)n);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "gzip -6 -n -c %s 2>/dev/null | wc -c", path);
    FILE *p = popen(cmd, "r");
    unsigned long sz = 0;
    if (p && fscanf(p, "%lu", &sz) != 1)
        sz = 0;
    int st = p ? pclose(p) : -1;
    unlink(path);
    return st == 0 && sz > 20 ? (size_t)sz : 0;
}

Test(sarif, gzip_estimate_is_an_upper_bound)
{
    /* a log as written, a text that compresses well and one that does not */
    mixed();
    finish();
    rl_report r = report();
    rl_sarif_opts o = opts();
    char *log = NULL;
    size_t loglen = 0;
    json_decref(sarif_text(&r, &o, &log, &loglen));
    size_t n = 200000;
    char *rep = malloc(n), *noise = malloc(n);
    cr_assert(rep && noise);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        rep[i] = "resources:\n  Queue: {Type: AWS::SQS::Queue}\n"[i % 41];
        x = x * 1103515245u + 12345u;
        noise[i] = (char)(x >> 24);
    }
    const char *texts[] = {log, rep, noise};
    size_t lens[] = {loglen, n, n};
    for (int i = 0; i < 3; i++) {
        size_t est = rl_sarif_gzip_size(texts[i], lens[i]), real = real_gzip(texts[i], lens[i]);
        if (!real)
            cr_skip_test("gzip cannot be run");
        cr_assert_geq(est, real, "text %d: estimate %zu, gzip %zu", i, est, real);
        /* and it is an estimate, not the uncompressed size */
        if (i < 2)
            cr_assert_lt(est, lens[i] / 2, "text %d: estimate %zu of %zu bytes", i, est, lens[i]);
    }
    free(log);
    free(rep);
    free(noise);
}
