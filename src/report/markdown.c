/* Markdown: a summary for a pull-request comment or a CI job summary — counts by level, the
 * findings by rule, a table of findings (collapsed when long) and the suppressed ones. It
 * stays under GitHub's comment limit of 65,536 characters by leaving rows out, with a note
 * that says how many. Text from the inputs is escaped so it can neither break the table nor
 * mention people or link issues in the comment. */
#include "common.h"

#include <stdlib.h>
#include <string.h>

/* GitHub refuses a comment body over 65,536 characters; we count bytes, never fewer. */
#define MD_MAX_BYTES 65536
/* Room kept for the closing lines and the note on rows left out. */
#define MD_RESERVE 1024
/* Longest text written into one cell, in code points. */
#define MD_MAX_CELL 1000
/* More findings than this are put in a collapsed <details> block. */
#define MD_OPEN_ROWS 20

/* Escapes text for a table cell: | \ ` * _ [ ] ~ are backslash-escaped, & < > become
 * entities, line breaks become spaces, controls and invalid bytes U+FFFD. An @ or a # before
 * a digit gets an empty HTML comment after it: GitHub finds mentions and issue references
 * after rendering, so a backslash does not stop them, a comment does. */
static void put_text(rl_strbuf *b, const char *s)
{
    size_t len = s ? strlen(s) : 0, n = 0;
    for (size_t i = 0; i < len; n++) {
        if (n == MD_MAX_CELL) {
            rl_strbuf_puts(b, "…");
            return;
        }
        size_t at = i;
        uint32_t cp = rl_report_next_cp(s, len, &i);
        if (cp < 0x80 && strchr("|\\`*_[]~", (int)cp) && cp) {
            rl_strbuf_putc(b, '\\');
            rl_strbuf_putc(b, (char)cp);
        } else if (cp == '&') {
            rl_strbuf_puts(b, "&amp;");
        } else if (cp == '<') {
            rl_strbuf_puts(b, "&lt;");
        } else if (cp == '>') {
            rl_strbuf_puts(b, "&gt;");
        } else if (cp == '@' || (cp == '#' && i < len && s[i] >= '0' && s[i] <= '9')) {
            rl_strbuf_putc(b, (char)cp);
            rl_strbuf_puts(b, "<!-- -->");
        } else if (cp == '\n' || cp == '\r' || cp == '\t') {
            rl_strbuf_putc(b, ' ');
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFFFD && cp <= 0xFFFF)) {
            rl_strbuf_puts(b, RL_REPLACEMENT_CHAR);
        } else {
            rl_strbuf_append(b, s + at, i - at);
        }
    }
}

/* A code span in a table cell: delimited by one backtick more than the longest run inside;
 * only | needs escaping there (GFM splits cells before it reads code spans). */
static void put_code(rl_strbuf *b, const char *s)
{
    size_t len = strlen(s), run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i <= longest; i++)
        rl_strbuf_putc(b, '`');
    bool pad = len && (s[0] == '`' || s[len - 1] == '`');
    if (pad)
        rl_strbuf_putc(b, ' ');
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = rl_report_next_cp(s, len, &i);
        if (cp == '|')
            rl_strbuf_puts(b, "\\|");
        else if (cp == '\n' || cp == '\r' || cp == '\t')
            rl_strbuf_putc(b, ' ');
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFFFD && cp <= 0xFFFF))
            rl_strbuf_puts(b, RL_REPLACEMENT_CHAR);
        else
            rl_strbuf_append(b, s + at, i - at);
    }
    if (pad)
        rl_strbuf_putc(b, ' ');
    for (size_t i = 0; i <= longest; i++)
        rl_strbuf_putc(b, '`');
}

/* Percent-encodes a repository path for a URL (keeps unreserved characters and /). */
static void put_url_path(rl_strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            rl_strbuf_putc(b, (char)*p);
        else
            rl_strbuf_printf(b, "%%%02X", *p);
    }
}

/* Where a file of the repository can be linked: GitHub Actions and GitLab CI say it in
 * their environment; elsewhere (and for paths outside the repository) there is no link. */
typedef struct mdlinks {
    char *base; /* ".../blob/<sha>/" or NULL */
} mdlinks;

static void links_init(mdlinks *l)
{
    const char *server = getenv("GITHUB_SERVER_URL"), *repo = getenv("GITHUB_REPOSITORY");
    const char *sha = getenv("GITHUB_SHA");
    const char *gl_url = getenv("CI_PROJECT_URL"), *gl_sha = getenv("CI_COMMIT_SHA");
    rl_strbuf b = RL_STRBUF_INIT;
    if (server && *server && repo && *repo && sha && *sha)
        rl_strbuf_printf(&b, "%s/%s/blob/%s/", server, repo, sha);
    else if (gl_url && *gl_url && gl_sha && *gl_sha)
        rl_strbuf_printf(&b, "%s/-/blob/%s/", gl_url, gl_sha);
    l->base = b.len && rl_report_url_ok(b.data) ? rl_strbuf_detach(&b) : NULL;
    rl_strbuf_free(&b);
}

static void put_location(rl_strbuf *b, const mdlinks *l, const char *file, const rl_span *sp)
{
    rl_strbuf loc = RL_STRBUF_INIT;
    rl_strbuf_puts(&loc, file);
    if (sp->start.line)
        rl_strbuf_printf(&loc, ":%u:%u", sp->start.line, sp->start.column);
    bool link = l->base && *file && file[0] != '/' && strncmp(file, "../", 3) && strcmp(file, "-");
    if (link)
        rl_strbuf_putc(b, '[');
    put_code(b, rl_strbuf_cstr(&loc));
    if (link) {
        rl_strbuf_printf(b, "](%s", l->base);
        put_url_path(b, file);
        if (sp->start.line)
            rl_strbuf_printf(b, "#L%u", sp->start.line);
        rl_strbuf_putc(b, ')');
    }
    rl_strbuf_free(&loc);
}

static void put_rule(rl_strbuf *b, const rl_finding *f)
{
    const char *uri = f->rule ? f->rule->help_uri : NULL;
    if (rl_report_url_ok(uri)) {
        rl_strbuf_putc(b, '[');
        put_text(b, f->rule_id);
        rl_strbuf_puts(b, "](");
        /* a URL in a Markdown link ends at a space or ')' */
        for (const char *p = uri; *p; p++) {
            if (*p == ' ' || *p == '(' || *p == ')' || (unsigned char)*p < 0x20)
                rl_strbuf_printf(b, "%%%02X", (unsigned char)*p);
            else
                rl_strbuf_putc(b, *p);
        }
        rl_strbuf_putc(b, ')');
    } else {
        put_text(b, f->rule_id);
    }
}

static void put_row(rl_strbuf *b, const mdlinks *l, const rl_finding *f)
{
    rl_strbuf_printf(b, "| %s | ", rl_level_name(f->level));
    put_rule(b, f);
    rl_strbuf_puts(b, " | ");
    put_location(b, l, f->file, &f->span);
    rl_strbuf_puts(b, " | ");
    put_text(b, f->message);
    for (size_t i = 0; i < f->nrelated; i++) {
        rl_strbuf_puts(b, "<br>↳ ");
        put_location(b, l, f->related[i].file, &f->related[i].span);
        rl_strbuf_putc(b, ' ');
        put_text(b, f->related[i].message);
    }
    if (f->suppressed) {
        rl_strbuf_puts(b, " | ");
        put_text(b, f->suppressed_by ? f->suppressed_by : "?");
        if (f->justification && *f->justification) {
            rl_strbuf_puts(b, ": ");
            put_text(b, f->justification);
        }
    }
    rl_strbuf_puts(b, " |\n");
}

static int cmp_rule_id(const void *a, const void *b)
{
    const rl_finding *x = *(const rl_finding *const *)a, *y = *(const rl_finding *const *)b;
    return strcmp(x->rule_id, y->rule_id);
}

static void put_plural(rl_strbuf *b, size_t n, const char *word)
{
    rl_strbuf_printf(b, "%zu %s%s", n, word, n == 1 ? "" : "s");
}

int rl_report_markdown(FILE *out, const rl_report *r, rl_error *err)
{
    const rl_finding **open = NULL, **by_rule = NULL;
    rl_strbuf head = RL_STRBUF_INIT, rows = RL_STRBUF_INIT, supp = RL_STRBUF_INIT,
              row = RL_STRBUF_INIT;
    mdlinks links = {NULL};
    int rc = RL_OK;
    size_t nopen = rl_report_by_level(r, &open);
    if (nopen == (size_t)-1 || (nopen && !(by_rule = malloc(nopen * sizeof(*by_rule))))) {
        nopen = 0;
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    links_init(&links);
    rl_report_counts c;
    rl_report_count(r, &c);

    /* the title says the outcome; the line under it, what was linted and how */
    rl_strbuf_puts(&head, "## regionlint: ");
    if (!nopen) {
        rl_strbuf_puts(&head, "no findings");
    } else {
        put_plural(&head, c.error, "error");
        rl_strbuf_puts(&head, ", ");
        put_plural(&head, c.warning, "warning");
        rl_strbuf_puts(&head, ", ");
        put_plural(&head, c.note, "note");
    }
    if (c.suppressed)
        rl_strbuf_printf(&head, " (%zu suppressed)", c.suppressed);
    rl_strbuf_puts(&head, "\n\nPrimary ");
    put_code(&head, r->primary ? r->primary : "?");
    rl_strbuf_puts(&head, ", standby ");
    for (size_t i = 0; i < r->nstandby; i++) {
        if (i)
            rl_strbuf_puts(&head, ", ");
        put_code(&head, r->standby[i]);
    }
    rl_strbuf_printf(&head, " (%s); ", rl_strategy_name(r->strategy));
    put_plural(&head, c.files, "file");
    rl_strbuf_printf(&head, " linted by regionlint %s", RL_VERSION);
    rl_strbuf_printf(&head, " with `--fail-on %s`.\n", rl_level_name(r->fail_on));
    if (nopen || c.suppressed)
        rl_strbuf_printf(&head,
                         "\n| Level | Findings |\n|:--|--:|\n| error | %zu |\n| warning | %zu |\n"
                         "| note | %zu |\n| suppressed | %zu |\n",
                         c.error, c.warning, c.note, c.suppressed);

    size_t budget = MD_MAX_BYTES - MD_RESERVE, left_out = 0;
    /* findings by rule: a short table that stays open however long the list is */
    if (nopen) {
        memcpy(by_rule, open, nopen * sizeof(*by_rule));
        qsort(by_rule, nopen, sizeof(*by_rule), cmp_rule_id);
        rl_strbuf_puts(&head, "\n| Rule | Title | Findings |\n|:--|:--|--:|\n");
        for (size_t i = 0, j; i < nopen; i = j) {
            for (j = i + 1; j < nopen && !strcmp(by_rule[j]->rule_id, by_rule[i]->rule_id);)
                j++;
            rl_strbuf_clear(&row);
            rl_strbuf_puts(&row, "| ");
            put_rule(&row, by_rule[i]);
            rl_strbuf_puts(&row, " | ");
            put_text(&row, by_rule[i]->rule ? by_rule[i]->rule->title : "");
            rl_strbuf_printf(&row, " | %zu |\n", j - i);
            if (head.len + row.len <= budget)
                rl_strbuf_append(&head, rl_strbuf_cstr(&row), row.len);
        }
    }
    budget = head.len < budget ? budget - head.len : 0;

    /* the findings, most severe first; rows that do not fit are left out and counted */
    for (size_t i = 0; i < nopen; i++) {
        rl_strbuf_clear(&row);
        put_row(&row, &links, open[i]);
        if (!left_out && rows.len + row.len <= budget)
            rl_strbuf_append(&rows, rl_strbuf_cstr(&row), row.len);
        else
            left_out++;
    }
    budget -= rows.len;
    for (size_t i = 0; i < rl_findings_count(r->findings); i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        if (!f->suppressed)
            continue;
        rl_strbuf_clear(&row);
        put_row(&row, &links, f);
        if (!left_out && supp.len + row.len <= budget)
            rl_strbuf_append(&supp, rl_strbuf_cstr(&row), row.len);
        else
            left_out++;
    }

    if (rows.len) {
        bool fold = nopen > MD_OPEN_ROWS;
        if (fold)
            rl_strbuf_printf(&head, "\n<details><summary>Findings (%zu)</summary>\n", nopen);
        rl_strbuf_puts(&head, "\n| Level | Rule | Location | Message |\n|:--|:--|:--|:--|\n");
        rl_strbuf_append(&head, rl_strbuf_cstr(&rows), rows.len);
        if (fold)
            rl_strbuf_puts(&head, "\n</details>\n");
    }
    if (supp.len) {
        rl_strbuf_printf(&head,
                         "\n<details><summary>Suppressed findings (%zu)</summary>\n\n"
                         "| Level | Rule | Location | Message | Suppressed by |\n"
                         "|:--|:--|:--|:--|:--|\n",
                         c.suppressed);
        rl_strbuf_append(&head, rl_strbuf_cstr(&supp), supp.len);
        rl_strbuf_puts(&head, "\n</details>\n");
    }
    if (left_out)
        rl_strbuf_printf(&head,
                         "\n> **%zu finding%s not shown:** a GitHub comment holds at most 65,536 "
                         "characters. The text, JSON or SARIF report of the same run lists "
                         "every finding.\n",
                         left_out, left_out == 1 ? " is" : "s are");
    if (head.failed || rows.failed || supp.failed || row.failed) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    fwrite(rl_strbuf_cstr(&head), 1, head.len, out);
    if (ferror(out))
        rc = rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
cleanup:
    free(links.base);
    free(open);
    free(by_rule);
    rl_strbuf_free(&head);
    rl_strbuf_free(&rows);
    rl_strbuf_free(&supp);
    rl_strbuf_free(&row);
    return rc;
}
