/* Arena allocator: bump allocation in chunks; see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nothing in an arena needs more than pointer alignment (no long double, no vector types);
 * 8 rather than 16 keeps 8-byte item arrays and 72-byte resources unpadded. */
#define ALIGN 8u

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
} chunk;

struct rl_arena {
    chunk *head; /* aligned allocations (nodes, arrays) */
    chunk *text; /* string bytes, unaligned: most strings are short, and padding each one
                    to 16 bytes cost a document ~10% of its memory */
    size_t chunk_size;
    size_t total;
};

static size_t header_size(void)
{
    return (sizeof(chunk) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

rl_arena *rl_arena_new(size_t chunk_size)
{
    rl_arena *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    return a;
}

static void free_chunks(chunk *c)
{
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
}

void rl_arena_free(rl_arena *a)
{
    if (!a)
        return;
    free_chunks(a->head);
    free_chunks(a->text);
    free(a);
}

#ifdef RL_ARENA_MALLOC
void *rl_arena_alloc(rl_arena *a, size_t size)
{
    /* One chunk per allocation, so AddressSanitizer checks every bound. */
    chunk *c = malloc(header_size() + (size ? size : 1));
    if (!c)
        return NULL;
    c->next = a->head;
    c->size = size;
    c->used = size;
    a->head = c;
    a->total += size;
    return (char *)c + header_size();
}

static char *text_alloc(rl_arena *a, size_t size)
{
    return rl_arena_alloc(a, size);
}
#else
/* Bump allocation of `size` bytes rounded up to `align` from the chunk list at *head. */
static void *bump(rl_arena *a, chunk **head, size_t size, size_t align)
{
    size_t need = (size + align - 1) & ~(size_t)(align - 1);
    if (need < size)
        return NULL;
    chunk *c = *head;
    if (!c || c->size - c->used < need) {
        size_t csize = need > a->chunk_size / 4 ? need : a->chunk_size;
        /* Large blocks get their own chunk, kept behind the current one so the
         * current chunk's free space is not wasted. */
        chunk *n = malloc(header_size() + csize);
        if (!n)
            return NULL;
        n->size = csize;
        n->used = 0;
        if (c && csize == need && c->size - c->used >= ALIGN) {
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            *head = n;
        }
        c = n;
        /* grow chunks geometrically up to 1 MiB so huge documents need few mallocs */
        if (a->chunk_size < 1024 * 1024)
            a->chunk_size *= 2;
    }
    void *p = (char *)c + header_size() + c->used;
    c->used += need;
    a->total += need;
    return p;
}

void *rl_arena_alloc(rl_arena *a, size_t size)
{
    return bump(a, &a->head, size, ALIGN);
}

static char *text_alloc(rl_arena *a, size_t size)
{
    return bump(a, &a->text, size, 1);
}
#endif

void rl_arena_reset(rl_arena *a)
{
#ifndef RL_ARENA_MALLOC
    /* keep the newest chunk of each list for reuse: a scratch arena then costs no malloc
     * per use */
    chunk *lists[2] = {a->head, a->text};
    for (int i = 0; i < 2; i++) {
        if (lists[i]) {
            free_chunks(lists[i]->next);
            lists[i]->next = NULL;
            lists[i]->used = 0;
        }
    }
#else
    free_chunks(a->head);
    a->head = NULL;
#endif
    a->total = 0;
}

void *rl_arena_calloc(rl_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = rl_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *rl_arena_strndup(rl_arena *a, const char *s, size_t len)
{
    char *p = text_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *rl_arena_strdup(rl_arena *a, const char *s)
{
    return rl_arena_strndup(a, s, strlen(s));
}

char *rl_arena_printf(rl_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = text_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *rl_arena_cat(rl_arena *a, ...)
{
    va_list ap;
    size_t len = 0;
    va_start(ap, a);
    for (const char *s; (s = va_arg(ap, const char *));)
        len += strlen(s);
    va_end(ap);
    char *p = text_alloc(a, len + 1), *o = p;
    if (!p)
        return NULL;
    va_start(ap, a);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t n = strlen(s);
        memcpy(o, s, n);
        o += n;
    }
    va_end(ap);
    *o = '\0';
    return p;
}

size_t rl_arena_used(const rl_arena *a)
{
    return a ? a->total : 0;
}
