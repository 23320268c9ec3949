/* Text output: `file:line:col: level: message [RLnnn]`, the source line with a caret
 * underline, related locations, and a one-line summary. Colour only when asked. */
#include "common.h"

#include "../base/utf8.h"

#include <string.h>

#define EXCERPT_WIDTH 100 /* code points shown around a span on very long lines */

typedef struct tctx {
    FILE *out;
    const rl_report *r;
    rl_hmap sources; /* path -> rl_source* */
} tctx;

static const char *col(const tctx *t, const char *code)
{
    return t->r->color ? code : "";
}

static const char *level_color(rl_level lv)
{
    return lv == RL_LEVEL_ERROR     ? "\033[1;31m"
           : lv == RL_LEVEL_WARNING ? "\033[1;33m"
                                    : "\033[1;36m";
}

/* File names and messages go to a terminal: control characters (an escape sequence in a
 * file name) are shown escaped, never sent. */
static void put_safe(tctx *t, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7F) {
            rl_strbuf b = RL_STRBUF_INIT;
            rl_strbuf_put_escaped(&b, s, strlen(s), 0);
            fputs(rl_strbuf_cstr(&b), t->out);
            rl_strbuf_free(&b);
            return;
        }
    }
    fputs(s, t->out);
}

static void print_pos(tctx *t, const char *file, const rl_span *sp)
{
    fputs(col(t, "\033[1m"), t->out);
    put_safe(t, file);
    if (sp->start.line)
        fprintf(t->out, ":%u:%u", sp->start.line, sp->start.column);
    fputs(col(t, "\033[0m"), t->out);
}

static bool in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return true;
    return false;
}

/* Columns a code point takes in a terminal: 0 for combining marks and zero-width
 * characters, 2 for East Asian wide characters and emoji, else 1. A small fixed table
 * rather than wcwidth() so that the output does not depend on the locale. */
static unsigned cp_width(uint32_t cp)
{
    static const uint32_t zero[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},  {0x0610, 0x061A}, {0x064B, 0x065F},
        {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},  {0x2060, 0x2064}, {0x20D0, 0x20FF},
        {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF}};
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
    if (in_ranges(cp, zero, sizeof(zero) / sizeof(*zero)))
        return 0;
    return in_ranges(cp, wide, sizeof(wide) / sizeof(*wide)) ? 2 : 1;
}

/* Characters not printed as they are: controls, invalid bytes (U+FFFD from the decoder) and
 * the bidirectional controls that could reorder what the terminal shows (Trojan Source). */
static bool shown_as_mark(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFD ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Prints the source line of the span with carets under it. Long lines are windowed to
 * EXCERPT_WIDTH code points around the span; tabs are kept in both lines so the carets
 * line up whatever the tab width; wide characters get two columns. */
static void print_excerpt(tctx *t, const char *file, const rl_span *sp)
{
    const rl_source *src = rl_hmap_gets(&t->sources, file);
    const char *line;
    size_t len;
    if (!src || !sp->start.line || rl_source_line(src, sp->start.line, &line, &len) < 0 || !len)
        return; /* an empty line (the end of the file) shows nothing */
    size_t cps = 0;
    for (size_t i = 0; i < len; cps++)
        rl_report_next_cp(line, len, &i);
    size_t first = sp->start.column ? sp->start.column - 1 : 0;
    size_t last = sp->end.line == sp->start.line && sp->end.column > sp->start.column
                      ? sp->end.column - 1
                      : cps;
    if (first > cps)
        first = cps;
    if (last > cps)
        last = cps;
    if (last <= first)
        last = first + 1;
    size_t from = 0, to = cps;
    if (cps > EXCERPT_WIDTH) {
        from = first > EXCERPT_WIDTH / 3 ? first - EXCERPT_WIDTH / 3 : 0;
        to = from + EXCERPT_WIDTH < cps ? from + EXCERPT_WIDTH : cps;
        if (last > to)
            last = to;
    }
    rl_strbuf text = RL_STRBUF_INIT, marks = RL_STRBUF_INIT;
    size_t i = 0, cp_index = 0, carets = 0;
    for (; i < len && cp_index < to; cp_index++) {
        size_t at = i;
        uint32_t cp = rl_report_next_cp(line, len, &i);
        if (cp_index < from)
            continue;
        unsigned w = cp == '\t' ? 1 : shown_as_mark(cp) ? 1 : cp_width(cp);
        if (cp == '\t')
            rl_strbuf_putc(&text, '\t');
        else if (shown_as_mark(cp))
            rl_strbuf_putc(&text, '?');
        else
            rl_strbuf_append(&text, line + at, i - at);
        if (cp_index < first) {
            /* keep tabs where the source has them so the carets line up */
            if (cp == '\t')
                rl_strbuf_putc(&marks, '\t');
            else
                for (unsigned k = 0; k < w; k++)
                    rl_strbuf_putc(&marks, ' ');
        } else if (cp_index < last) {
            for (unsigned k = 0; k < w; k++, carets++)
                rl_strbuf_putc(&marks, '^');
        }
    }
    if (!carets)
        rl_strbuf_putc(&marks, '^'); /* a span at the end of the line, or of zero width */
    fprintf(t->out, "  %s%s%s\n  %s", from ? "..." : "", rl_strbuf_cstr(&text),
            to < cps ? "..." : "", from ? "   " : "");
    /* the caret line: spaces (and tabs) up to the span, then the carets in colour */
    const char *m = rl_strbuf_cstr(&marks);
    size_t lead = strspn(m, " \t");
    fwrite(m, 1, lead, t->out);
    fprintf(t->out, "%s%s%s\n", col(t, "\033[1;32m"), m + lead, col(t, "\033[0m"));
    rl_strbuf_free(&text);
    rl_strbuf_free(&marks);
}

static void print_finding(tctx *t, const rl_finding *f)
{
    print_pos(t, f->file, &f->span);
    fprintf(t->out, ": %s%s%s: ", col(t, level_color(f->level)), rl_level_name(f->level),
            col(t, "\033[0m"));
    put_safe(t, f->message);
    fputs(" [", t->out);
    put_safe(t, f->rule_id);
    fputc(']', t->out);
    if (f->suppressed) {
        fprintf(t->out, " (suppressed by ");
        put_safe(t, f->suppressed_by ? f->suppressed_by : "?");
        fputs(": ", t->out);
        put_safe(t, f->justification ? f->justification : "");
        fputc(')', t->out);
    }
    fputc('\n', t->out);
    if (t->r->excerpt)
        print_excerpt(t, f->file, &f->span);
    for (size_t i = 0; i < f->nrelated; i++) {
        const rl_related *rel = &f->related[i];
        fprintf(t->out, "  %snote%s: ", col(t, "\033[1;36m"), col(t, "\033[0m"));
        print_pos(t, rel->file, &rel->span);
        fputs(": ", t->out);
        put_safe(t, rel->message);
        fputc('\n', t->out);
    }
}

static void print_summary(tctx *t)
{
    rl_report_counts c;
    rl_report_count(t->r, &c);
    fprintf(t->out, "regionlint: ");
    if (!c.error && !c.warning && !c.note)
        fprintf(t->out, "no findings");
    else
        fprintf(t->out, "%zu error%s, %zu warning%s, %zu note%s", c.error, c.error == 1 ? "" : "s",
                c.warning, c.warning == 1 ? "" : "s", c.note, c.note == 1 ? "" : "s");
    if (c.suppressed)
        fprintf(t->out, " (%zu suppressed)", c.suppressed);
    fprintf(t->out, " in %zu file%s; primary %s, standby ", c.files, c.files == 1 ? "" : "s",
            t->r->primary ? t->r->primary : "?");
    for (size_t i = 0; i < t->r->nstandby; i++)
        fprintf(t->out, "%s%s", i ? ", " : "", t->r->standby[i]);
    fprintf(t->out, " (%s)\n", rl_strategy_name(t->r->strategy));
}

static void print_skipped(tctx *t)
{
    const rl_inputs *in = t->r->inputs;
    for (size_t i = 0; i < rl_inputs_skipped_count(in); i++) {
        fputs("skipped: ", t->out);
        put_safe(t, rl_inputs_skipped_at(in, i));
        fprintf(t->out, " (%s)\n", rl_inputs_skipped_why(in, i));
    }
    for (size_t i = 0; i < rl_inputs_count(in); i++) {
        const rl_input *it = rl_inputs_at(in, i);
        if (it->doc && it->kind == RL_INPUT_UNKNOWN && !it->looks_aws) {
            fputs("skipped: ", t->out);
            put_safe(t, it->path);
            fputs(" (not a kind of input regionlint reads)\n", t->out);
        }
    }
}

int rl_report_text(FILE *out, const rl_report *r, rl_error *err)
{
    tctx t = {out, r, RL_HMAP_INIT};
    int rc = RL_OK;
    if (r->excerpt && rl_report_sources(r, &t.sources) < 0) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    if (r->verbose && r->inputs)
        print_skipped(&t);
    for (size_t i = 0; i < rl_findings_count(r->findings); i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        if (!f->suppressed)
            print_finding(&t, f);
    }
    if (!r->quiet)
        print_summary(&t);
    if (ferror(out))
        rc = rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
cleanup:
    rl_hmap_free(&t.sources);
    return rc;
}
