/* Growable byte buffer for building messages and output. Allocation failure is sticky:
 * appends become no-ops and rl_strbuf_failed() reports it once at the end. */
#ifndef RL_STRBUF_H
#define RL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rl_strbuf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    bool failed;
} rl_strbuf;

#define RL_STRBUF_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void rl_strbuf_append(rl_strbuf *b, const char *s, size_t len);
void rl_strbuf_puts(rl_strbuf *b, const char *s);
void rl_strbuf_putc(rl_strbuf *b, char c);
void rl_strbuf_printf(rl_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rl_strbuf_vprintf(rl_strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends `s` with control characters, quotes and non-UTF-8 bytes escaped, for messages. */
void rl_strbuf_put_escaped(rl_strbuf *b, const char *s, size_t len, size_t max_chars);
/* Appends "[i]" (a list index in a logical path) without printf. */
void rl_strbuf_put_index(rl_strbuf *b, size_t i);
void rl_strbuf_clear(rl_strbuf *b);
/* Returns the string (caller frees) and resets the buffer; NULL if allocation failed. */
char *rl_strbuf_detach(rl_strbuf *b);
void rl_strbuf_free(rl_strbuf *b);
static inline const char *rl_strbuf_cstr(const rl_strbuf *b)
{
    return b->data ? b->data : "";
}

#endif
