/* Text output: `file:line:col: level: message [RLnnn]`, the source line with a caret
 * underline, related locations, and a one-line summary. Colour only when asked. */
#include <regionlint/report.h>

#include "../base/hmap.h"
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

static void print_pos(tctx *t, const char *file, const rl_span *sp)
{
    fprintf(t->out, "%s%s", col(t, "\033[1m"), file);
    if (sp->start.line)
        fprintf(t->out, ":%u:%u", sp->start.line, sp->start.column);
    fprintf(t->out, "%s", col(t, "\033[0m"));
}

/* Prints the source line of the span with carets under it; long lines are windowed. */
static void print_excerpt(tctx *t, const char *file, const rl_span *sp)
{
    const rl_source *src = rl_hmap_gets(&t->sources, file);
    const char *line;
    size_t len;
    if (!src || !sp->start.line || rl_source_line(src, sp->start.line, &line, &len) < 0)
        return;
    size_t cps = rl_utf8_count(line, len);
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
    size_t b0 = rl_utf8_offset(line, len, from), b1 = rl_utf8_offset(line, len, to);
    fprintf(t->out, "  %s", from ? "..." : "");
    for (size_t i = b0; i < b1;) {
        unsigned char c = (unsigned char)line[i];
        size_t n = c < 0x80 ? 1 : rl_utf8_seq((const unsigned char *)line + i, b1 - i, NULL);
        if (n == 0 || (c < 0x20 && c != '\t') || c == 0x7F) {
            fputc('?', t->out); /* never copy control bytes or invalid UTF-8 to a terminal */
            i++;
        } else {
            fwrite(line + i, 1, n, t->out);
            i += n;
        }
    }
    fprintf(t->out, "%s\n  %s", to < cps ? "..." : "", from ? "   " : "");
    /* caret line: keep tabs where the source has them so the carets line up */
    size_t b = b0;
    for (size_t cp = from; cp < first && b < b1; cp++) {
        fputc(line[b] == '\t' ? '\t' : ' ', t->out);
        b += rl_utf8_offset(line + b, len - b, 1);
    }
    fputs(col(t, "\033[1;32m"), t->out);
    for (size_t cp = first; cp < last; cp++)
        fputc('^', t->out);
    fprintf(t->out, "%s\n", col(t, "\033[0m"));
}

static void print_finding(tctx *t, const rl_finding *f)
{
    print_pos(t, f->file, &f->span);
    fprintf(t->out, ": %s%s%s: %s [%s]", col(t, level_color(f->level)), rl_level_name(f->level),
            col(t, "\033[0m"), f->message, f->rule_id);
    if (f->suppressed)
        fprintf(t->out, " (suppressed by %s: %s)", f->suppressed_by ? f->suppressed_by : "?",
                f->justification ? f->justification : "");
    fputc('\n', t->out);
    if (t->r->excerpt)
        print_excerpt(t, f->file, &f->span);
    for (size_t i = 0; i < f->nrelated; i++) {
        const rl_related *rel = &f->related[i];
        fprintf(t->out, "  %snote%s: ", col(t, "\033[1;36m"), col(t, "\033[0m"));
        print_pos(t, rel->file, &rel->span);
        fprintf(t->out, ": %s\n", rel->message);
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
    for (size_t i = 0; i < rl_inputs_skipped_count(in); i++)
        fprintf(t->out, "skipped: %s (not a JSON or YAML file)\n", rl_inputs_skipped_at(in, i));
    for (size_t i = 0; i < rl_inputs_count(in); i++) {
        const rl_input *it = rl_inputs_at(in, i);
        if (it->doc && it->kind == RL_INPUT_UNKNOWN && !it->looks_aws)
            fprintf(t->out, "skipped: %s (not a kind of input regionlint reads)\n", it->path);
    }
}

int rl_report_text(FILE *out, const rl_report *r, rl_error *err)
{
    tctx t = {out, r, RL_HMAP_INIT};
    for (size_t i = 0; r->excerpt && r->inputs && i < rl_inputs_count(r->inputs); i++) {
        const rl_input *in = rl_inputs_at(r->inputs, i);
        const rl_source *src = in->doc ? rl_doc_source(in->doc) : in->text;
        if (src && rl_hmap_puts(&t.sources, in->path, (void *)src) < 0) {
            rl_hmap_free(&t.sources);
            return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        }
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
    rl_hmap_free(&t.sources);
    if (ferror(out))
        return rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
    return RL_OK;
}
