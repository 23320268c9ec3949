/* GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…::message`
 * line per unsuppressed finding, which the runner turns into an annotation on that line of
 * the pull request's diff and of the job summary. */
#include "common.h"

#include <string.h>

/* GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job); the
 * rest stay in the log only. */
#define GH_ANNOTATIONS_PER_LEVEL 10

/* Escapes a command's data (the message) or, with prop, a property value, as the runner
 * expects (actions/toolkit's escapeData and escapeProperty): % CR LF, plus : and , in
 * properties, where they delimit. A command is one line, so a message can never start a
 * second command. Other control characters and invalid bytes become U+FFFD. */
static void put_escaped(rl_strbuf *b, const char *s, bool prop)
{
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = rl_report_next_cp(s, len, &i);
        if (cp == '%')
            rl_strbuf_puts(b, "%25");
        else if (cp == '\r')
            rl_strbuf_puts(b, "%0D");
        else if (cp == '\n')
            rl_strbuf_puts(b, "%0A");
        else if (prop && cp == ':')
            rl_strbuf_puts(b, "%3A");
        else if (prop && cp == ',')
            rl_strbuf_puts(b, "%2C");
        else if ((cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0xFFFD && cp <= 0xFFFF))
            rl_strbuf_puts(b, RL_REPLACEMENT_CHAR);
        else
            rl_strbuf_append(b, s + at, i - at);
    }
}

static void put_location(rl_strbuf *b, const char *file, const rl_span *sp)
{
    put_escaped(b, file, false);
    if (sp->start.line)
        rl_strbuf_printf(b, ":%u:%u", sp->start.line, sp->start.column);
}

static void put_finding(rl_strbuf *b, const rl_finding *f)
{
    const char *cmd = f->level == RL_LEVEL_ERROR     ? "error"
                      : f->level == RL_LEVEL_WARNING ? "warning"
                                                     : "notice";
    rl_strbuf_printf(b, "::%s ", cmd);
    const rl_span *sp = &f->span;
    if (f->file && *f->file) {
        rl_strbuf_puts(b, "file=");
        put_escaped(b, f->file, true);
        rl_strbuf_putc(b, ',');
        if (sp->start.line) {
            rl_strbuf_printf(b, "line=%u,", sp->start.line);
            /* GitHub takes columns only for an annotation on a single line */
            bool one_line = !sp->end.line || sp->end.line == sp->start.line;
            if (one_line && sp->start.column)
                rl_strbuf_printf(b, "col=%u,", sp->start.column);
            if (sp->end.line)
                rl_strbuf_printf(b, "endLine=%u,", sp->end.line);
            if (one_line && sp->start.column && sp->end.line && sp->end.column > sp->start.column)
                rl_strbuf_printf(b, "endColumn=%u,", sp->end.column);
        }
    }
    rl_strbuf_puts(b, "title=");
    put_escaped(b, f->rule_id, true);
    rl_strbuf_puts(b, "::");
    put_escaped(b, f->message, false);
    /* related locations as further lines of the annotation's message */
    for (size_t i = 0; i < f->nrelated; i++) {
        rl_strbuf_puts(b, "%0A");
        put_location(b, f->related[i].file, &f->related[i].span);
        rl_strbuf_puts(b, ": ");
        put_escaped(b, f->related[i].message, false);
    }
    rl_strbuf_putc(b, '\n');
}

int rl_report_github(FILE *out, const rl_report *r, rl_error *err)
{
    rl_strbuf b = RL_STRBUF_INIT;
    rl_report_counts c;
    rl_report_count(r, &c);
    /* said first, so that GitHub's per-step limit never drops this notice itself */
    if (c.error > GH_ANNOTATIONS_PER_LEVEL || c.warning > GH_ANNOTATIONS_PER_LEVEL ||
        c.note > GH_ANNOTATIONS_PER_LEVEL)
        rl_strbuf_printf(&b,
                         "::notice title=regionlint::%zu errors, %zu warnings and %zu notes: "
                         "GitHub shows only the first %d annotations of each level per step. "
                         "The job log lists all of them; upload the SARIF report to code "
                         "scanning to see every finding on the pull request.\n",
                         c.error, c.warning, c.note, GH_ANNOTATIONS_PER_LEVEL);
    for (size_t i = 0; i < rl_findings_count(r->findings); i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        if (!f->suppressed)
            put_finding(&b, f);
    }
    if (b.failed) {
        rl_strbuf_free(&b);
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (b.len)
        fwrite(b.data, 1, b.len, out);
    rl_strbuf_free(&b);
    if (ferror(out))
        return rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
    return RL_OK;
}
