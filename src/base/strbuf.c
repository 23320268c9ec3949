/* Growable byte buffer; see strbuf.h. */
#include "strbuf.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool grow(rl_strbuf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void rl_strbuf_append(rl_strbuf *b, const char *s, size_t len)
{
    if (!grow(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void rl_strbuf_puts(rl_strbuf *b, const char *s)
{
    rl_strbuf_append(b, s, strlen(s));
}

void rl_strbuf_putc(rl_strbuf *b, char c)
{
    rl_strbuf_append(b, &c, 1);
}

void rl_strbuf_vprintf(rl_strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void rl_strbuf_printf(rl_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rl_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void rl_strbuf_put_escaped(rl_strbuf *b, const char *s, size_t len, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    for (size_t i = 0; i < len;) {
        if (max_chars && chars >= max_chars) {
            rl_strbuf_puts(b, "...");
            return;
        }
        unsigned char c = p[i];
        if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n':
                rl_strbuf_puts(b, "\\n");
                break;
            case '\t':
                rl_strbuf_puts(b, "\\t");
                break;
            case '\r':
                rl_strbuf_puts(b, "\\r");
                break;
            default:
                rl_strbuf_printf(b, "\\x%02x", c);
            }
            i++;
        } else if (c < 0x80) {
            rl_strbuf_putc(b, (char)c);
            i++;
        } else {
            size_t n = rl_utf8_seq(p + i, len - i, NULL);
            if (n == 0) {
                rl_strbuf_printf(b, "\\x%02x", c);
                i++;
            } else {
                rl_strbuf_append(b, s + i, n);
                i += n;
            }
        }
        chars++;
    }
}

void rl_strbuf_put_index(rl_strbuf *b, size_t i)
{
    char buf[24];
    size_t n = sizeof(buf);
    buf[--n] = ']';
    do {
        buf[--n] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    buf[--n] = '[';
    rl_strbuf_append(b, buf + n, sizeof(buf) - n);
}

void rl_strbuf_clear(rl_strbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *rl_strbuf_detach(rl_strbuf *b)
{
    char *p = b->failed ? NULL : b->data;
    if (b->failed)
        free(b->data);
    else if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
    return p;
}

void rl_strbuf_free(rl_strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
