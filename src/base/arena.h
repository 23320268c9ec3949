/* Arena allocator: a document's nodes and strings live in one arena, freed at once.
 * Built with RL_ARENA_MALLOC every allocation is a separate malloc so ASan sees it. */
#ifndef RL_ARENA_H
#define RL_ARENA_H

#include <stddef.h>
#include <string.h>

/* Nothing in an arena needs more than pointer alignment (no long double, no vector types);
 * 8 rather than 16 keeps 8-byte item arrays and 72-byte resources unpadded. */
#define RL_ARENA_ALIGN 8u

typedef struct rl_arena_chunk rl_arena_chunk;

/* The fields are the allocator's own (arena.c); they are here so that the common case,
 * room left in the current chunk, is a few inline instructions: a document allocates a
 * node per dozen bytes of input. */
typedef struct rl_arena {
    char *cur, *end;      /* free room of the newest aligned chunk (NULL: none, or malloc mode) */
    char *tcur, *tend;    /* free room of the newest text chunk */
    rl_arena_chunk *head; /* aligned allocations (nodes, arrays) */
    rl_arena_chunk *text; /* string bytes, unaligned: most strings are short, and padding
                             each one cost a document ~10% of its memory */
    size_t chunk_size;
    size_t total;
} rl_arena;

rl_arena *rl_arena_new(size_t chunk_size);
void rl_arena_free(rl_arena *a);
/* Aligned memory for `size` bytes when the current chunk has no room (rl_arena_alloc()). */
void *rl_arena_alloc_slow(rl_arena *a, size_t size);
/* Copy of `len` bytes and a NUL when the current text chunk has no room. */
char *rl_arena_strndup_slow(rl_arena *a, const char *s, size_t len);

/* Aligned memory for `size` bytes, or NULL when out of memory. Never freed on its own. */
static inline void *rl_arena_alloc(rl_arena *a, size_t size)
{
    size_t need = (size + RL_ARENA_ALIGN - 1) & ~(size_t)(RL_ARENA_ALIGN - 1);
    if (a->cur && need >= size && (size_t)(a->end - a->cur) >= need) {
        void *p = a->cur;
        a->cur += need;
        a->total += need;
        return p;
    }
    return rl_arena_alloc_slow(a, size);
}

/* Copy of `len` bytes followed by a NUL; string memory is not aligned. */
static inline char *rl_arena_strndup(rl_arena *a, const char *s, size_t len)
{
    if (a->tcur && len < (size_t)(a->tend - a->tcur)) {
        char *p = a->tcur;
        a->tcur += len + 1;
        a->total += len + 1;
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
        return p;
    }
    return rl_arena_strndup_slow(a, s, len);
}

/* Zeroed memory for n * size bytes (overflow-checked). */
void *rl_arena_calloc(rl_arena *a, size_t n, size_t size);
char *rl_arena_strdup(rl_arena *a, const char *s);
char *rl_arena_printf(rl_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The strings up to a NULL, concatenated: what printf("%s%s...") makes, at a tenth of its
 * cost, for strings made per resource or per value. */
char *rl_arena_cat(rl_arena *a, ...) __attribute__((sentinel));
/* Frees everything but keeps the arena usable (scratch memory reused per evaluation). */
void rl_arena_reset(rl_arena *a);
/* Bytes handed out so far (for the benchmark's memory figures). */
size_t rl_arena_used(const rl_arena *a);

#endif
