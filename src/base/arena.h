/* Arena allocator: a document's nodes and strings live in one arena, freed at once.
 * Built with RL_ARENA_MALLOC every allocation is a separate malloc so ASan sees it. */
#ifndef RL_ARENA_H
#define RL_ARENA_H

#include <stddef.h>

typedef struct rl_arena rl_arena;

rl_arena *rl_arena_new(size_t chunk_size);
void rl_arena_free(rl_arena *a);
/* Aligned memory for `size` bytes, or NULL when out of memory. Never freed on its own. */
void *rl_arena_alloc(rl_arena *a, size_t size);
/* Zeroed memory for n * size bytes (overflow-checked). */
void *rl_arena_calloc(rl_arena *a, size_t n, size_t size);
/* Copy of `len` bytes followed by a NUL; string memory is not aligned. */
char *rl_arena_strndup(rl_arena *a, const char *s, size_t len);
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
