/* JUnit XML, for CI systems that only read test reports: one <testsuite> per file, one
 * <testcase> per rule and file with a <failure> listing that rule's findings in the file
 * (an <error> for RL001, the file could not be read), and a passing "no findings" testcase
 * for a clean file, so a clean run still reports what it looked at. Deterministic: no
 * timestamps or durations. */
#include "common.h"

#include <stdlib.h>
#include <string.h>

typedef struct jitem {
    const rl_finding *f;
    size_t index; /* report order, to keep the sort stable */
} jitem;

typedef struct jcounts {
    size_t tests, failures, errors, skipped;
} jcounts;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_item(const void *a, const void *b)
{
    const jitem *x = a, *y = b;
    int c = strcmp(x->f->file, y->f->file);
    if (!c)
        c = strcmp(x->f->rule_id, y->f->rule_id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void put_pos(rl_strbuf *b, const char *file, const rl_span *sp)
{
    rl_report_put_xml(b, file, false);
    if (sp->start.line)
        rl_strbuf_printf(b, ":%u:%u", sp->start.line, sp->start.column);
}

/* One finding as the text format shows it, inside a <failure> or <error> body. */
static void put_finding_text(rl_strbuf *b, const rl_finding *f)
{
    put_pos(b, f->file, &f->span);
    rl_strbuf_printf(b, ": %s: ", f->suppressed ? "suppressed" : rl_level_name(f->level));
    rl_report_put_xml(b, f->message, false);
    rl_strbuf_puts(b, " [");
    rl_report_put_xml(b, f->rule_id, false);
    rl_strbuf_putc(b, ']');
    if (f->suppressed) {
        rl_strbuf_puts(b, " (suppressed by ");
        rl_report_put_xml(b, f->suppressed_by ? f->suppressed_by : "?", false);
        if (f->justification && *f->justification) {
            rl_strbuf_puts(b, ": ");
            rl_report_put_xml(b, f->justification, false);
        }
        rl_strbuf_putc(b, ')');
    }
    rl_strbuf_putc(b, '\n');
    for (size_t i = 0; i < f->nrelated; i++) {
        rl_strbuf_puts(b, "  note: ");
        put_pos(b, f->related[i].file, &f->related[i].span);
        rl_strbuf_puts(b, ": ");
        rl_report_put_xml(b, f->related[i].message, false);
        rl_strbuf_putc(b, '\n');
    }
}

/* The testcase of one rule in one file: items[0..n) are its findings. */
static void put_testcase(rl_strbuf *b, const jitem *items, size_t n, jcounts *jc)
{
    const rl_finding *first = items[0].f;
    size_t open = 0;
    const rl_finding *worst = NULL, *first_open = NULL;
    for (size_t i = 0; i < n; i++) {
        const rl_finding *f = items[i].f;
        if (f->suppressed)
            continue;
        open++;
        if (!first_open)
            first_open = f;
        if (!worst || f->level > worst->level)
            worst = f;
    }
    rl_strbuf_puts(b, "    <testcase classname=\"");
    rl_report_put_xml(b, first->file, true);
    rl_strbuf_puts(b, "\" name=\"");
    rl_report_put_xml(b, first->rule_id, true);
    if (first->rule && first->rule->title) {
        rl_strbuf_puts(b, ": ");
        rl_report_put_xml(b, first->rule->title, true);
    }
    rl_strbuf_puts(b, "\" file=\"");
    rl_report_put_xml(b, first->file, true);
    rl_strbuf_puts(b, "\">\n");
    jc->tests++;
    if (!open) {
        /* only suppressed findings: the check was waived, with a reason */
        jc->skipped++;
        rl_strbuf_puts(b, "      <skipped message=\"suppressed by ");
        rl_report_put_xml(b, first->suppressed_by ? first->suppressed_by : "?", true);
        if (first->justification && *first->justification) {
            rl_strbuf_puts(b, ": ");
            rl_report_put_xml(b, first->justification, true);
        }
        rl_strbuf_puts(b, "\">");
        for (size_t i = 0; i < n; i++)
            put_finding_text(b, items[i].f);
        rl_strbuf_puts(b, "</skipped>\n");
    } else {
        /* RL001: the file could not be read or parsed, which JUnit calls an error */
        bool is_error = !strcmp(first->rule_id, RL_ID(RL001));
        const char *tag = is_error ? "error" : "failure";
        if (is_error)
            jc->errors++;
        else
            jc->failures++;
        rl_strbuf_printf(b, "      <%s type=\"%s\" message=\"", tag, rl_level_name(worst->level));
        rl_report_put_xml(b, first_open->message, true);
        if (open > 1)
            rl_strbuf_printf(b, " (and %zu more)", open - 1);
        rl_strbuf_puts(b, "\">");
        for (size_t i = 0; i < n; i++)
            put_finding_text(b, items[i].f);
        rl_strbuf_printf(b, "</%s>\n", tag);
    }
    rl_strbuf_puts(b, "    </testcase>\n");
}

int rl_report_junit(FILE *out, const rl_report *r, rl_error *err)
{
    size_t nf = rl_findings_count(r->findings);
    size_t nin = r->inputs ? rl_inputs_count(r->inputs) : 0;
    jitem *items = malloc((nf ? nf : 1) * sizeof(*items));
    const char **files = malloc((nf + nin ? nf + nin : 1) * sizeof(*files));
    rl_strbuf body = RL_STRBUF_INIT, suite = RL_STRBUF_INIT;
    rl_hmap skipped = RL_HMAP_INIT; /* files read and set aside as not a kind we lint */
    int rc = RL_OK;
    if (!items || !files) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    /* every file linted, and any other file a finding names (the config file), sorted */
    size_t nfiles = 0;
    for (size_t i = 0; i < nin; i++) {
        const rl_input *in = rl_inputs_at(r->inputs, i);
        files[nfiles++] = in->path;
        if (in->doc && in->kind == RL_INPUT_UNKNOWN && !in->looks_aws &&
            rl_hmap_puts(&skipped, in->path, (void *)in) < 0) {
            rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
            goto cleanup;
        }
    }
    for (size_t i = 0; i < nf; i++) {
        items[i].f = rl_findings_at(r->findings, i);
        items[i].index = i;
        files[nfiles++] = items[i].f->file;
    }
    qsort(files, nfiles, sizeof(*files), cmp_str);
    qsort(items, nf, sizeof(*items), cmp_item);

    jcounts total = {0, 0, 0, 0};
    size_t k = 0; /* next item */
    for (size_t fi = 0; fi < nfiles; fi++) {
        const char *file = files[fi];
        if (fi && !strcmp(file, files[fi - 1]))
            continue;
        jcounts jc = {0, 0, 0, 0};
        rl_strbuf_clear(&suite);
        while (k < nf && strcmp(items[k].f->file, file) < 0)
            k++; /* not reached: every finding's file is in the list */
        while (k < nf && !strcmp(items[k].f->file, file)) {
            size_t end = k + 1;
            while (end < nf && !strcmp(items[end].f->file, file) &&
                   !strcmp(items[end].f->rule_id, items[k].f->rule_id))
                end++;
            put_testcase(&suite, items + k, end - k, &jc);
            k = end;
        }
        if (!jc.tests) {
            jc.tests++;
            rl_strbuf_puts(&suite, "    <testcase classname=\"");
            rl_report_put_xml(&suite, file, true);
            rl_strbuf_puts(&suite, "\" name=\"no findings\" file=\"");
            rl_report_put_xml(&suite, file, true);
            if (rl_hmap_gets(&skipped, file)) {
                jc.skipped++;
                rl_strbuf_puts(&suite, "\">\n      <skipped message=\"not a kind of input "
                                       "regionlint reads\"/>\n    </testcase>\n");
            } else {
                rl_strbuf_puts(&suite, "\"/>\n");
            }
        }
        rl_strbuf_puts(&body, "  <testsuite name=\"");
        rl_report_put_xml(&body, file, true);
        rl_strbuf_printf(&body,
                         "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
                         jc.tests, jc.failures, jc.errors, jc.skipped);
        rl_strbuf_append(&body, rl_strbuf_cstr(&suite), suite.len);
        rl_strbuf_puts(&body, "  </testsuite>\n");
        total.tests += jc.tests;
        total.failures += jc.failures;
        total.errors += jc.errors;
        total.skipped += jc.skipped;
    }
    if (body.failed || suite.failed) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"regionlint\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
            "skipped=\"%zu\">\n",
            total.tests, total.failures, total.errors, total.skipped);
    fwrite(rl_strbuf_cstr(&body), 1, body.len, out);
    fputs("</testsuites>\n", out);
    if (ferror(out))
        rc = rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
cleanup:
    rl_hmap_free(&skipped);
    rl_strbuf_free(&body);
    rl_strbuf_free(&suite);
    free(items);
    free(files);
    return rc;
}
