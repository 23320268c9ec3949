/* Reporters: text excerpts (windowing, tabs, wide characters, control characters), GitHub
 * workflow commands, JUnit XML, Markdown and HTML — escaping of anything a file name or a
 * message can hold, limits and truncation, and the quota chart's contract. */
#include <criterion/criterion.h>
#include <regionlint/report.h>

#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    rl_registry *reg;
    rl_findings *fs;
    rl_inputs *in;
    rl_report r;
    char dir[64];
    const char *standby[1];
} fixture;

static void setup(fixture *x)
{
    memset(x, 0, sizeof(*x));
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_registry_new(&x->reg, &err), 0, "%s", err.message);
    cr_assert_eq(rl_findings_new(&x->fs), 0);
    x->standby[0] = "us-west-2";
    x->r.registry = x->reg;
    x->r.findings = x->fs;
    x->r.primary = "us-east-1";
    x->r.standby = x->standby;
    x->r.nstandby = 1;
    x->r.strategy = RL_STRATEGY_WARM_STANDBY;
    x->r.fail_on = RL_LEVEL_WARNING;
}

static void teardown(fixture *x)
{
    rl_findings_free(x->fs);
    rl_registry_free(x->reg);
    rl_inputs_free(x->in);
    if (x->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
        cr_assert_eq(system(cmd), 0);
    }
}

/* Writes files (name, text, name, text, ..., NULL) to a temporary folder and loads them as
 * the report's inputs. Returns the display path of the first file. */
static const char *with_inputs(fixture *x, ...)
{
    strcpy(x->dir, "/tmp/rl_test_report_XXXXXX");
    cr_assert_not_null(mkdtemp(x->dir));
    va_list ap;
    va_start(ap, x);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *text = va_arg(ap, const char *);
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", x->dir, name);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
    }
    va_end(ap);
    rl_discover_opts opts;
    memset(&opts, 0, sizeof(opts));
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_inputs_new(&x->in), 0);
    cr_assert_eq(rl_inputs_add_path(x->in, x->dir, &opts, &err), 0, "%s", err.message);
    rl_inputs_load(x->in, &opts);
    x->r.inputs = x->in;
    return rl_inputs_at(x->in, 0)->path;
}

static rl_span span(uint32_t l, uint32_t c, uint32_t el, uint32_t ec)
{
    rl_span s = {{l, c}, {el, ec}};
    return s;
}

static rl_finding *add(fixture *x, const char *id, rl_level lv, const char *file, rl_span sp,
                       const char *msg)
{
    rl_finding *f = rl_findings_add(x->fs, rl_registry_find(x->reg, id), id, lv, file, &sp,
                                    "Resources.A", "us-west-2", "us-east-1", msg);
    cr_assert_not_null(f);
    return f;
}

static void suppress(fixture *x, rl_finding *f, const char *reason)
{
    f->suppressed = RL_SUPPRESS_INSOURCE;
    f->suppressed_by = "comment";
    f->justification = rl_findings_strdup(x->fs, reason);
}

/* Runs a reporter into a string (caller frees). */
static char *run(fixture *x, rl_reporter_fn fn)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&buf, &size);
    cr_assert_not_null(m);
    rl_error err;
    rl_error_clear(&err);
    int rc = fn(m, &x->r, &err);
    fclose(m);
    cr_assert_eq(rc, 0, "%s", err.message);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Every byte sequence is valid UTF-8 and no control character other than tab and LF. */
static void assert_clean_utf8(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t n = rl_utf8_seq((const unsigned char *)s + i, len - i, NULL);
        cr_assert(n > 0, "invalid UTF-8 at byte %zu", i);
        unsigned char c = (unsigned char)s[i];
        cr_assert(c >= 0x20 || c == '\n' || c == '\t', "control character 0x%02x at %zu", c, i);
        i += n;
    }
}

/* ---- registry ------------------------------------------------------------------------ */

Test(report, every_format_is_registered)
{
    const char *names[] = {"text", "json", "sarif", "github", "junit", "markdown", "html"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        cr_assert_not_null(rl_reporter_find(names[i]), "%s", names[i]);
        cr_assert_not_null(strstr(rl_reporter_names(), names[i]));
    }
    cr_assert_null(rl_reporter_find("xml"));
    cr_assert_null(rl_reporter_find(NULL));
}

/* ---- text ---------------------------------------------------------------------------- */

Test(report, text_excerpt_long_line_is_windowed)
{
    fixture x;
    setup(&x);
    char line[400];
    memset(line, 'x', sizeof(line));
    line[sizeof(line) - 1] = '\0';
    memcpy(line + 200, "TARGET", 6);
    char text[512];
    snprintf(text, sizeof(text), "a: \"%s\"\n", line);
    const char *file = with_inputs(&x, "long.yaml", text, NULL);
    add(&x, "RL501", RL_LEVEL_ERROR, file, span(1, 205, 1, 211), "m");
    rl_findings_finish(x.fs);
    x.r.excerpt = true;
    char *out = run(&x, rl_report_text);
    const char *ex = strstr(out, "\n  ...");
    cr_assert_not_null(ex, "%s", out);
    const char *eol = strchr(ex + 1, '\n');
    /* 100 code points, "..." on both sides, two spaces of indent */
    cr_assert_eq(eol - (ex + 1), 2 + 3 + 100 + 3, "%s", out);
    const char *carets = eol + 1;
    cr_assert_eq(strspn(carets, " "), 2 + 3 + 33, "%s", out);
    cr_assert_eq(strspn(carets + 38, "^"), 6, "%s", out);
    free(out);
    teardown(&x);
}

Test(report, text_excerpt_tabs_wide_characters_and_controls)
{
    fixture x;
    setup(&x);
    /* a tab, three CJK characters (two columns each), an emoji (two), e + combining acute
     * (one column), then the target */
    const char *file = with_inputs(&x, "u.yaml",
                                   "a: \"\t\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xf0\x9f\x98\x80"
                                   "e\xcc\x81"
                                   "X\"\n",
                                   NULL);
    /* columns: a=1 :=2 sp=3 "=4 tab=5 CJK 6-8 emoji 9 e 10 accent 11 X 12 */
    add(&x, "RL501", RL_LEVEL_ERROR, file, span(1, 12, 1, 13), "m");
    rl_findings_finish(x.fs);
    x.r.excerpt = true;
    char *out = run(&x, rl_report_text);
    const char *ex = strstr(out, "\n  a: ");
    cr_assert_not_null(ex, "%s", out);
    const char *carets = strchr(ex + 1, '\n') + 1;
    /* "  " + 4 spaces + the tab kept + 6 + 2 + 1 + 0 columns, then one caret */
    cr_assert(!strncmp(carets, "      \t         ^\n", 18), "%s", out);
    free(out);
    teardown(&x);
}

Test(report, text_escapes_control_characters_in_names_and_messages)
{
    fixture x;
    setup(&x);
    add(&x, "RL501", RL_LEVEL_ERROR, "evil\x1b[31m.yaml", span(0, 0, 0, 0), "bell\a here");
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_text);
    cr_assert_null(strchr(out, '\x1b'), "%s", out);
    cr_assert_null(strchr(out, '\a'));
    cr_assert_not_null(strstr(out, "evil\\x1b[31m.yaml: error: bell\\x07 here [RL501]"), "%s", out);
    free(out);
    teardown(&x);
}

Test(report, text_colour_only_when_asked)
{
    fixture x;
    setup(&x);
    add(&x, "RL501", RL_LEVEL_ERROR, "a.yaml", span(1, 1, 1, 2), "m");
    rl_findings_finish(x.fs);
    char *plain = run(&x, rl_report_text);
    cr_assert_null(strchr(plain, '\x1b'));
    x.r.color = true;
    char *colour = run(&x, rl_report_text);
    cr_assert_not_null(strstr(colour, "\x1b[1;31merror\x1b[0m"));
    free(plain);
    free(colour);
    teardown(&x);
}

/* ---- GitHub -------------------------------------------------------------------------- */

Test(report, github_commands_and_escaping)
{
    fixture x;
    setup(&x);
    add(&x, "RL501", RL_LEVEL_ERROR, "t/a,b:c%.yaml", span(7, 26, 7, 35), "50% of\r\nthe ARN: a,b");
    add(&x, "RL503", RL_LEVEL_WARNING, "w.yaml", span(3, 2, 5, 1), "spans lines");
    add(&x, "RL503", RL_LEVEL_NOTE, "n.yaml", span(0, 0, 0, 0), "no position");
    add(&x, "RL501", RL_LEVEL_ERROR, "", span(0, 0, 0, 0), "no file");
    suppress(&x, add(&x, "RL502", RL_LEVEL_ERROR, "s.yaml", span(1, 1, 1, 2), "silenced"), "known");
    rl_finding *rel = add(&x, "RL505", RL_LEVEL_ERROR, "r.yaml", span(2, 3, 2, 9), "imports");
    rl_span rs = span(18, 13, 18, 20);
    cr_assert_eq(rl_finding_add_related(x.fs, rel, "net.yaml", &rs, "exported here"), 0);
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_github);
    cr_assert_not_null(strstr(out, "::error title=RL501::no file\n"), "%s", out);
    cr_assert_not_null(strstr(out, "::notice file=n.yaml,title=RL503::no position\n"), "%s", out);
    cr_assert_not_null(strstr(out, "::warning file=w.yaml,line=3,endLine=5,title=RL503::spans "
                                   "lines\n"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "::error file=r.yaml,line=2,col=3,endLine=2,endColumn=9,"
                                   "title=RL505::imports%0Anet.yaml:18:13: exported here\n"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "::error file=t/a%2Cb%3Ac%25.yaml,line=7,col=26,endLine=7,"
                                   "endColumn=35,title=RL501::50%25 of%0D%0Athe ARN: a,b\n"),
                       "%s", out);
    cr_assert_null(strstr(out, "silenced"), "suppressed findings are not annotated");
    cr_assert_eq(count(out, "\n"), 5);
    cr_assert_null(strstr(out, "title=regionlint"), "no limit notice under 10 per level");
    free(out);
    teardown(&x);
}

Test(report, github_says_when_annotations_are_capped)
{
    fixture x;
    setup(&x);
    for (int i = 0; i < 11; i++) {
        char file[32];
        snprintf(file, sizeof(file), "f%02d.yaml", i);
        add(&x, "RL501", RL_LEVEL_ERROR, file, span(1, 1, 1, 2), "m\x01");
    }
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_github);
    cr_assert(!strncmp(out, "::notice title=regionlint::11 errors, 0 warnings and 0 notes", 58),
              "%s", out);
    cr_assert_eq(count(out, "::error "), 11);
    assert_clean_utf8(out);
    free(out);
    teardown(&x);
}

/* ---- JUnit --------------------------------------------------------------------------- */

Test(report, junit_escapes_and_counts)
{
    fixture x;
    setup(&x);
    add(&x, "RL501", RL_LEVEL_ERROR, "a<&>\"'.yaml", span(1, 2, 1, 3),
        "bad \x01 byte \xff and \xef\xbf\xbe <tag> & \"q\"\r\n");
    add(&x, "RL501", RL_LEVEL_WARNING, "a<&>\"'.yaml", span(4, 1, 4, 2), "second");
    add(&x, "RL001", RL_LEVEL_ERROR, "broken.json", span(1, 5, 0, 0), "parse error");
    suppress(&x, add(&x, "RL503", RL_LEVEL_WARNING, "s.yaml", span(2, 1, 2, 2), "waived"),
             "legacy, until Q3");
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_junit);
    assert_clean_utf8(out);
    cr_assert(!strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39));
    cr_assert_not_null(strstr(out, "<testsuites name=\"regionlint\" tests=\"3\" failures=\"1\" "
                                   "errors=\"1\" skipped=\"1\">"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "<testsuite name=\"a&lt;&amp;&gt;&quot;&#39;.yaml\" "
                                   "tests=\"1\" failures=\"1\""),
                       "%s", out);
    /* one testcase per rule and file: two findings, one failure */
    cr_assert_not_null(strstr(out, "<failure type=\"error\" message=\"bad \xef\xbf\xbd byte "
                                   "\xef\xbf\xbd and \xef\xbf\xbd &lt;tag&gt; &amp; "
                                   "&quot;q&quot;&#13;&#10; (and 1 more)\">"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "<error type=\"error\" message=\"parse error\">"), "%s", out);
    cr_assert_not_null(strstr(out, "<skipped message=\"suppressed by comment: legacy, until "
                                   "Q3\">"),
                       "%s", out);
    cr_assert_eq(count(out, "<testcase "), 3);
    cr_assert(!strcmp(out + strlen(out) - 14, "</testsuites>\n"));
    free(out);
    teardown(&x);
}

Test(report, junit_lists_clean_files)
{
    fixture x;
    setup(&x);
    with_inputs(&x, "a.yaml", "Resources: {}\n", "b.json", "{\"x\": 1}\n", NULL);
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_junit);
    cr_assert_eq(count(out, "name=\"no findings\""), 2, "%s", out);
    cr_assert_not_null(strstr(out, "tests=\"2\" failures=\"0\" errors=\"0\""), "%s", out);
    free(out);
    teardown(&x);
}

/* ---- Markdown ------------------------------------------------------------------------ */

Test(report, markdown_escapes_cells)
{
    fixture x;
    setup(&x);
    add(&x, "RL501", RL_LEVEL_ERROR, "we|ird`name.yaml", span(3, 4, 3, 5),
        "a|b *c* _d_ <b>x</b> @octocat #12 [l](u)\nnext");
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_markdown);
    assert_clean_utf8(out);
    cr_assert_not_null(strstr(out, "| ``we\\|ird`name.yaml:3:4`` |"), "%s", out);
    cr_assert_not_null(strstr(out, "a\\|b \\*c\\* \\_d\\_ &lt;b&gt;x&lt;/b&gt; @<!-- -->octocat "
                                   "#<!-- -->12 \\[l\\](u) next |"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "## regionlint: 1 error, 0 warnings, 0 notes\n"), "%s", out);
    cr_assert_null(strstr(out, "<details>"), "short lists stay open");
    free(out);
    teardown(&x);
}

Test(report, markdown_links_files_in_ci)
{
    fixture x;
    setup(&x);
    add(&x, "RL501", RL_LEVEL_ERROR, "t/a b#.yaml", span(7, 2, 7, 3), "m");
    rl_findings_finish(x.fs);
    setenv("GITHUB_SERVER_URL", "https://github.com", 1);
    setenv("GITHUB_REPOSITORY", "o/r", 1);
    setenv("GITHUB_SHA", "abc123", 1);
    char *out = run(&x, rl_report_markdown);
    unsetenv("GITHUB_SERVER_URL");
    unsetenv("GITHUB_REPOSITORY");
    unsetenv("GITHUB_SHA");
    cr_assert_not_null(strstr(out, "[`t/a b#.yaml:7:2`](https://github.com/o/r/blob/abc123/"
                                   "t/a%20b%23.yaml#L7)"),
                       "%s", out);
    free(out);
    teardown(&x);
}

Test(report, markdown_stays_under_the_comment_limit)
{
    fixture x;
    setup(&x);
    char msg[600];
    memset(msg, 'm', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    for (int i = 0; i < 400; i++) {
        char file[32];
        snprintf(file, sizeof(file), "f%03d.yaml", i);
        add(&x, "RL503", i % 2 ? RL_LEVEL_WARNING : RL_LEVEL_ERROR, file, span(1, 1, 1, 2), msg);
    }
    suppress(&x, add(&x, "RL501", RL_LEVEL_ERROR, "z.yaml", span(1, 1, 1, 2), "s"), "r");
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_markdown);
    size_t len = strlen(out);
    cr_assert_leq(len, 65536);
    cr_assert_gt(len, 60000, "the limit is used, not wasted: %zu", len);
    cr_assert_not_null(strstr(out, "<details><summary>Findings (400)</summary>"));
    cr_assert_not_null(strstr(out, "findings are not shown:** a GitHub comment holds"), "%s",
                       out + len - 400);
    /* errors first: the rows that fit are the 200 errors before any warning */
    cr_assert_eq(count(out, "| warning | [RL503]"), 0);
    cr_assert_null(strstr(out, "Suppressed findings"), "left out after the open findings");
    free(out);
    teardown(&x);
}

/* ---- HTML ---------------------------------------------------------------------------- */

Test(report, html_escapes_and_links_only_http)
{
    fixture x;
    setup(&x);
    rl_rule evil = {0};
    evil.id = "RLX_EVIL";
    evil.title = "Custom <script>";
    evil.family = "custom";
    evil.help_uri = "javascript:alert(1)";
    rl_span sp = span(1, 1, 1, 2);
    cr_assert_not_null(rl_findings_add(x.fs, &evil, "RLX_EVIL", RL_LEVEL_WARNING,
                                       "<img src=x onerror=alert(1)>.yaml", &sp, "", NULL, NULL,
                                       "</td><script>alert(1)</script>\x02"));
    add(&x, "RL501", RL_LEVEL_ERROR, "a.yaml", span(2, 1, 2, 2), "ok");
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_html);
    assert_clean_utf8(out);
    cr_assert_null(strstr(out, "<script"), "%s", out);
    cr_assert_null(strstr(out, "<img"));
    cr_assert_null(strstr(out, "javascript:"));
    cr_assert_not_null(strstr(out, "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;\xef\xbf\xbd"));
    cr_assert_not_null(strstr(out, "<a href=\"https://github.com/regionlint/regionlint/blob/main/"
                                   "docs/rules/RL501.md\">RL501</a>"));
    cr_assert_null(strstr(out, "src=\"http"), "self-contained: no external asset");
    cr_assert_null(strstr(out, "<link"));
    /* families in catalogue order: dependency (RL5xx) before the custom rule */
    cr_assert_lt(strstr(out, "id=\"family-dependency\""), strstr(out, "id=\"family-custom\""));
    free(out);
    teardown(&x);
}

Test(report, html_quota_chart_reads_values_at_the_findings)
{
    fixture x;
    setup(&x);
    const char *file = with_inputs(&x, "quotas.json",
                                   "{\"standby\": {\"Value\": 250.0},\n"
                                   " \"primary\": {\"Value\": 1000.0}}\n",
                                   NULL);
    /* RL101 in us-west-2: its value at the finding, the primary's at the related location */
    rl_span sp = span(1, 23, 1, 28);
    rl_finding *f = rl_findings_add(x.fs, NULL, "RL101", RL_LEVEL_ERROR, file, &sp,
                                    "Quotas[0].Value", "us-west-2", "us-east-1",
                                    "L-1216C47A is 250 in us-west-2, 1000 in us-east-1");
    cr_assert_not_null(f);
    rl_span rs = span(2, 23, 2, 29);
    cr_assert_eq(rl_finding_add_related(x.fs, f, file, &rs, "the primary's value"), 0);
    /* a quota finding whose position holds no number is listed without bars, and so is
     * RL104 (a total), even where its positions hold numbers */
    add(&x, "RL102", RL_LEVEL_WARNING, file, span(1, 2, 1, 11), "not exported");
    rl_finding *k = rl_findings_add(x.fs, NULL, "RL104", RL_LEVEL_ERROR, file, &sp, "p",
                                    "us-west-2", NULL, "the stacks ask for 1200");
    cr_assert_eq(rl_finding_add_related(x.fs, k, file, &rs, "the quota in us-west-2"), 0);
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_html);
    cr_assert_not_null(strstr(out, "<div class=\"bar\"><span>the primary&#39;s value</span><span "
                                   "class=\"track\"><span class=\"fill other\" "
                                   "style=\"width:100.0%\"></span></span><span "
                                   "class=\"val\">1000.0</span></div>"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "<div class=\"bar\"><span>us-west-2 (standby)</span><span "
                                   "class=\"track\"><span class=\"fill this\" "
                                   "style=\"width:25.0%\"></span></span><span "
                                   "class=\"val\">250.0</span></div>"),
                       "%s", out);
    cr_assert_eq(count(out, "class=\"bar\""), 2);
    cr_assert_not_null(strstr(out, "not exported"));
    cr_assert_not_null(strstr(out, "the stacks ask for 1200"));
    free(out);
    teardown(&x);
}

Test(report, html_without_quota_findings_says_why)
{
    fixture x;
    setup(&x);
    rl_findings_finish(x.fs);
    char *out = run(&x, rl_report_html);
    cr_assert_not_null(strstr(out, "No quota findings"));
    cr_assert_not_null(strstr(out, "<p>No findings.</p>"));
    cr_assert(!strncmp(out, "<!DOCTYPE html>\n", 16));
    free(out);
    teardown(&x);
}
