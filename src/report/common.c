/* Helpers shared by the text, GitHub, JUnit, Markdown and HTML reporters; see common.h. */
#include "common.h"

#include "../base/utf8.h"

#include <stdlib.h>
#include <string.h>

uint32_t rl_report_next_cp(const char *s, size_t len, size_t *i)
{
    uint32_t cp = 0;
    size_t n = rl_utf8_seq((const unsigned char *)s + *i, len - *i, &cp);
    if (!n) {
        (*i)++;
        return 0xFFFD;
    }
    *i += n;
    return cp;
}

void rl_report_put_xml(rl_strbuf *b, const char *s, bool attr)
{
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = rl_report_next_cp(s, len, &i);
        switch (cp) {
        case '&':
            rl_strbuf_puts(b, "&amp;");
            continue;
        case '<':
            rl_strbuf_puts(b, "&lt;");
            continue;
        case '>':
            rl_strbuf_puts(b, "&gt;");
            continue;
        case '"':
            rl_strbuf_puts(b, "&quot;");
            continue;
        case '\'':
            rl_strbuf_puts(b, "&#39;");
            continue;
        case '\t':
            rl_strbuf_puts(b, attr ? "&#9;" : "\t");
            continue;
        case '\n':
            rl_strbuf_puts(b, attr ? "&#10;" : "\n");
            continue;
        case '\r':
            /* a raw CR would be turned into LF by any XML parser */
            rl_strbuf_puts(b, "&#13;");
            continue;
        default:
            break;
        }
        /* U+FFFD also stands for an invalid byte, which must not be copied */
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFFFD && cp <= 0xFFFF))
            rl_strbuf_puts(b, RL_REPLACEMENT_CHAR);
        else
            rl_strbuf_append(b, s + at, i - at);
    }
}

bool rl_report_url_ok(const char *url)
{
    return url && (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7));
}

int rl_report_sources(const rl_report *r, rl_hmap *out)
{
    for (size_t i = 0; r->inputs && i < rl_inputs_count(r->inputs); i++) {
        const rl_input *in = rl_inputs_at(r->inputs, i);
        const rl_source *src = in->doc ? rl_doc_source(in->doc) : in->text;
        if (src && rl_hmap_puts(out, in->path, (void *)src) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

size_t rl_report_by_level(const rl_report *r, const rl_finding ***out)
{
    size_t n = 0, total = rl_findings_count(r->findings);
    *out = NULL;
    for (size_t i = 0; i < total; i++)
        n += !rl_findings_at(r->findings, i)->suppressed;
    if (!n)
        return 0;
    const rl_finding **v = malloc(n * sizeof(*v));
    if (!v)
        return (size_t)-1;
    /* a counting pass per level keeps the report's order within a level (a stable sort) */
    size_t k = 0;
    for (int lv = RL_LEVEL_ERROR; lv >= RL_LEVEL_NONE; lv--)
        for (size_t i = 0; i < total; i++) {
            const rl_finding *f = rl_findings_at(r->findings, i);
            if (!f->suppressed && (int)f->level == lv)
                v[k++] = f;
        }
    *out = v;
    return k;
}
