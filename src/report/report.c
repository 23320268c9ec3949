/* The reporter table and what all reporters share (counts). */
#include "report_private.h"

#include "../base/strbuf.h"
#include "../base/utf8.h"

#include <string.h>

static const struct {
    const char *name;
    rl_reporter_fn fn;
} reporters[] = {{"text", rl_report_text},   {"json", rl_report_json},
                 {"sarif", rl_report_sarif}, {"github", rl_report_github},
                 {"junit", rl_report_junit}, {"markdown", rl_report_markdown},
                 {"html", rl_report_html}};

rl_reporter_fn rl_reporter_find(const char *format)
{
    for (size_t i = 0; format && i < sizeof(reporters) / sizeof(*reporters); i++)
        if (!strcmp(reporters[i].name, format))
            return reporters[i].fn;
    return NULL;
}

const char *rl_reporter_names(void)
{
    return "text, json, sarif, github, junit, markdown, html";
}

void rl_report_count(const rl_report *r, rl_report_counts *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < rl_findings_count(r->findings); i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        if (f->suppressed)
            out->suppressed++;
        else if (f->level == RL_LEVEL_ERROR)
            out->error++;
        else if (f->level == RL_LEVEL_WARNING)
            out->warning++;
        else if (f->level == RL_LEVEL_NOTE)
            out->note++;
    }
    out->files = r->inputs ? rl_inputs_count(r->inputs) : 0;
}

json_t *rl_json_str(const char *s)
{
    if (!s)
        return json_null();
    size_t len = strlen(s);
    json_t *j = json_stringn(s, len);
    if (j)
        return j;
    /* not valid UTF-8: replace the bad bytes */
    rl_strbuf b = RL_STRBUF_INIT;
    for (size_t i = 0; i < len;) {
        size_t n = rl_utf8_seq((const unsigned char *)s + i, len - i, NULL);
        if (n) {
            rl_strbuf_append(&b, s + i, n);
            i += n;
        } else {
            rl_strbuf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    j = json_stringn(rl_strbuf_cstr(&b), b.len);
    rl_strbuf_free(&b);
    return j;
}

int rl_json_write(FILE *out, json_t *root, rl_error *err)
{
    if (!root)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (rc == 0)
        rc = fputc('\n', out) == EOF ? -1 : 0;
    if (rc < 0 || ferror(out))
        return rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
    return RL_OK;
}
