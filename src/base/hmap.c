/* Open-addressing hash map with linear probing; see hmap.h. */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t rl_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    /* FNV-1a, 64 bit: small, fast on short keys, and good enough for table indexing
     * and for the finding fingerprints (see finding.c). */
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t key_hash(const rl_hmap *m, const void *key, size_t keylen)
{
    if (keylen == RL_HMAP_PTR) {
        uintptr_t v = (uintptr_t)key;
        return rl_hash_bytes(&v, sizeof(v), 0);
    }
    if (!m->ci)
        return rl_hash_bytes(key, keylen, 0);
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < keylen; i++) {
        unsigned char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static bool key_eq(const rl_hmap *m, const rl_hmap_entry *e, const void *key, size_t keylen)
{
    if (e->keylen != keylen)
        return false;
    if (keylen == RL_HMAP_PTR)
        return e->key == key;
    if (!m->ci)
        return memcmp(e->key, key, keylen) == 0;
    const unsigned char *a = e->key, *b = key;
    for (size_t i = 0; i < keylen; i++) {
        unsigned char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

static rl_hmap_entry *find(const rl_hmap *m, const void *key, size_t keylen, uint64_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        rl_hmap_entry *e = &m->slots[i];
        if (!e->key)
            return e;
        if (e->hash == h && key_eq(m, e, key, keylen))
            return e;
    }
}

static int grow(rl_hmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    rl_hmap_entry *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        rl_hmap_entry *e = &m->slots[i];
        if (!e->key)
            continue;
        size_t j = (size_t)e->hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *e;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int rl_hmap_put(rl_hmap *m, const void *key, size_t keylen, void *value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    uint64_t h = key_hash(m, key, keylen);
    rl_hmap_entry *e = find(m, key, keylen, h);
    if (!e->key) {
        e->key = key ? key : (const void *)"";
        e->keylen = keylen;
        e->hash = h;
        m->count++;
    }
    e->value = value;
    return 0;
}

void **rl_hmap_slot(const rl_hmap *m, const void *key, size_t keylen)
{
    rl_hmap_entry *e = find(m, key, keylen, key_hash(m, key, keylen));
    return e && e->key ? &e->value : NULL;
}

void *rl_hmap_get(const rl_hmap *m, const void *key, size_t keylen)
{
    void **slot = rl_hmap_slot(m, key, keylen);
    return slot ? *slot : NULL;
}

void rl_hmap_free(rl_hmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

rl_hmap_entry *rl_hmap_next(const rl_hmap *m, size_t *iter)
{
    while (*iter < m->cap) {
        rl_hmap_entry *e = &m->slots[(*iter)++];
        if (e->key)
            return e;
    }
    return NULL;
}
