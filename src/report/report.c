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

/* ---- writing JSON ---------------------------------------------------------------- */

/* Newline and two spaces per level, as JSON_INDENT(2) writes them. */
static void put_indent(rl_strbuf *b, size_t depth)
{
    static const char spaces[] = "                                ";
    rl_strbuf_putc(b, '\n');
    for (size_t n = depth * 2; n > 0;) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        rl_strbuf_append(b, spaces, k);
        n -= k;
    }
}

/* A JSON string as jansson escapes it without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH:
 * quote, backslash and control characters; everything else (valid UTF-8, as jansson keeps
 * it) as it is. */
static void put_json_string(rl_strbuf *b, const char *s, size_t len)
{
    rl_strbuf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rl_strbuf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            rl_strbuf_puts(b, "\\\"");
            break;
        case '\\':
            rl_strbuf_puts(b, "\\\\");
            break;
        case '\b':
            rl_strbuf_puts(b, "\\b");
            break;
        case '\f':
            rl_strbuf_puts(b, "\\f");
            break;
        case '\n':
            rl_strbuf_puts(b, "\\n");
            break;
        case '\r':
            rl_strbuf_puts(b, "\\r");
            break;
        case '\t':
            rl_strbuf_puts(b, "\\t");
            break;
        default: {
            static const char hex[] = "0123456789ABCDEF";
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rl_strbuf_append(b, u, sizeof(u));
            break;
        }
        }
    }
    rl_strbuf_append(b, s + run, len - run);
    rl_strbuf_putc(b, '"');
}

/* The value in the layout json_dumps(JSON_INDENT(2) | JSON_PRESERVE_ORDER) gives, byte for
 * byte: jansson writes each piece through a callback and checks every container for
 * cycles, about a tenth of the speed, which the report of a big run noticed. False for a
 * value it does not write the same way here (a real number). */
static bool put_json(rl_strbuf *b, const json_t *j, size_t depth)
{
    switch (json_typeof(j)) {
    case JSON_NULL:
        rl_strbuf_puts(b, "null");
        return true;
    case JSON_TRUE:
        rl_strbuf_puts(b, "true");
        return true;
    case JSON_FALSE:
        rl_strbuf_puts(b, "false");
        return true;
    case JSON_INTEGER: {
        char num[32];
        json_int_t v = json_integer_value(j);
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        size_t n = sizeof(num);
        do {
            num[--n] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            num[--n] = '-';
        rl_strbuf_append(b, num + n, sizeof(num) - n);
        return true;
    }
    case JSON_STRING:
        put_json_string(b, json_string_value(j), json_string_length(j));
        return true;
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        rl_strbuf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                rl_strbuf_putc(b, ',');
            put_indent(b, depth + 1);
            if (!put_json(b, json_array_get(j, i), depth + 1))
                return false;
        }
        if (n)
            put_indent(b, depth);
        rl_strbuf_putc(b, ']');
        return true;
    }
    case JSON_OBJECT: {
        void *it = json_object_iter((json_t *)j);
        rl_strbuf_putc(b, '{');
        bool any = it != NULL;
        for (bool first = true; it; it = json_object_iter_next((json_t *)j, it), first = false) {
            if (!first)
                rl_strbuf_putc(b, ',');
            put_indent(b, depth + 1);
            put_json_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            rl_strbuf_append(b, ": ", 2);
            if (!put_json(b, json_object_iter_value(it), depth + 1))
                return false;
        }
        if (any)
            put_indent(b, depth);
        rl_strbuf_putc(b, '}');
        return true;
    }
    default:
        return false;
    }
}

char *rl_json_dumps(const json_t *root, size_t *len)
{
    rl_strbuf b = RL_STRBUF_INIT;
    if (!root || (!json_is_object(root) && !json_is_array(root)))
        return NULL;
    if (!put_json(&b, root, 0)) {
        /* what only jansson writes (real numbers): let it write the whole value */
        rl_strbuf_free(&b);
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s && len)
            *len = strlen(s);
        return s;
    }
    if (len)
        *len = b.len;
    return rl_strbuf_detach(&b);
}

int rl_json_write(FILE *out, json_t *root, rl_error *err)
{
    if (!root)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    size_t len = 0;
    char *text = rl_json_dumps(root, &len);
    if (!text)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = fwrite(text, 1, len, out) == len && fputc('\n', out) != EOF ? 0 : -1;
    free(text);
    if (rc < 0 || ferror(out))
        return rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
    return RL_OK;
}
