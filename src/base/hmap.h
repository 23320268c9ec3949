/* Open-addressing hash map from keys to pointers, used to index by name, ARN or node so
 * that no stage needs a pairwise scan. Keys are not copied: they must outlive the map. */
#ifndef RL_HMAP_H
#define RL_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rl_hmap_entry {
    const void *key;
    size_t keylen; /* RL_HMAP_PTR: the key is the pointer value itself */
    uint64_t hash;
    void *value;
} rl_hmap_entry;

typedef struct rl_hmap {
    rl_hmap_entry *slots;
    size_t cap; /* power of two, 0 when empty */
    size_t count;
    bool ci; /* ASCII case-insensitive string keys */
} rl_hmap;

#define RL_HMAP_PTR ((size_t)-1)
#define RL_HMAP_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

uint64_t rl_hash_bytes(const void *data, size_t len, uint64_t seed);

/* Inserts or replaces; returns 0 or -1 when out of memory. */
int rl_hmap_put(rl_hmap *m, const void *key, size_t keylen, void *value);
/* The value, or NULL. */
void *rl_hmap_get(const rl_hmap *m, const void *key, size_t keylen);
/* Pointer to the stored value slot (for in-place update), or NULL. */
void **rl_hmap_slot(const rl_hmap *m, const void *key, size_t keylen);
static inline int rl_hmap_puts(rl_hmap *m, const char *key, void *value)
{
    return rl_hmap_put(m, key, strlen(key), value);
}
static inline void *rl_hmap_gets(const rl_hmap *m, const char *key)
{
    return rl_hmap_get(m, key, strlen(key));
}
void rl_hmap_free(rl_hmap *m);
/* Iteration: for (size_t i = 0; (e = rl_hmap_next(m, &i)); ) */
rl_hmap_entry *rl_hmap_next(const rl_hmap *m, size_t *iter);

#endif
