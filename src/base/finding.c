/* The findings collection: storage, related locations, fingerprints and the stable sort. */
#include <regionlint/finding.h>

#include "arena.h"
#include "hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rl_findings {
    rl_arena *arena;
    rl_finding **items;
    size_t count, cap;
};

int rl_findings_new(rl_findings **out)
{
    rl_findings *fs = calloc(1, sizeof(*fs));
    if (!fs || !(fs->arena = rl_arena_new(0))) {
        free(fs);
        return RL_ENOMEM;
    }
    *out = fs;
    return RL_OK;
}

void rl_findings_free(rl_findings *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->count; i++)
        free(fs->items[i]->related);
    free(fs->items);
    rl_arena_free(fs->arena);
    free(fs);
}

const char *rl_findings_strdup(rl_findings *fs, const char *s)
{
    return s ? rl_arena_strdup(fs->arena, s) : NULL;
}

rl_finding *rl_findings_add(rl_findings *fs, const rl_rule *rule, const char *rule_id,
                            rl_level level, const char *file, const rl_span *span, const char *path,
                            const char *region, const char *other_region, const char *message)
{
    if (fs->count == fs->cap) {
        size_t ncap = fs->cap ? fs->cap * 2 : 64;
        rl_finding **n = realloc(fs->items, ncap * sizeof(*n));
        if (!n)
            return NULL;
        fs->items = n;
        fs->cap = ncap;
    }
    rl_finding *f = rl_arena_calloc(fs->arena, 1, sizeof(*f));
    if (!f)
        return NULL;
    f->rule = rule;
    f->rule_id = rl_arena_strdup(fs->arena, rule_id);
    f->level = level;
    f->file = rl_arena_strdup(fs->arena, file ? file : "");
    if (span)
        f->span = *span;
    f->path = rl_arena_strdup(fs->arena, path ? path : "");
    f->region = region ? rl_arena_strdup(fs->arena, region) : NULL;
    f->other_region = other_region ? rl_arena_strdup(fs->arena, other_region) : NULL;
    f->message = rl_arena_strdup(fs->arena, message ? message : "");
    if (!f->rule_id || !f->file || !f->path || !f->message || (region && !f->region) ||
        (other_region && !f->other_region))
        return NULL;
    fs->items[fs->count++] = f;
    return f;
}

int rl_finding_add_related(rl_findings *fs, rl_finding *f, const char *file, const rl_span *span,
                           const char *message)
{
    rl_related *n = realloc(f->related, (f->nrelated + 1) * sizeof(*n));
    if (!n)
        return RL_ENOMEM;
    f->related = n;
    rl_related *r = &n[f->nrelated];
    memset(r, 0, sizeof(*r));
    r->file = rl_arena_strdup(fs->arena, file ? file : "");
    if (span)
        r->span = *span;
    r->message = rl_arena_strdup(fs->arena, message ? message : "");
    if (!r->file || !r->message)
        return RL_ENOMEM;
    f->nrelated++;
    return RL_OK;
}

size_t rl_findings_count(const rl_findings *fs)
{
    return fs->count;
}

rl_finding *rl_findings_at(const rl_findings *fs, size_t i)
{
    return i < fs->count ? fs->items[i] : NULL;
}

void rl_findings_filter(rl_findings *fs, bool (*keep)(const rl_finding *f, void *ctx), void *ctx)
{
    size_t o = 0;
    for (size_t i = 0; i < fs->count; i++) {
        if (keep(fs->items[i], ctx))
            fs->items[o++] = fs->items[i];
        else
            free(fs->items[i]->related);
    }
    fs->count = o;
}

void rl_fingerprint(char out[33], const char *rule_id, const char *file, const char *path,
                    const char *region, const char *other_region)
{
    /* Two FNV-1a passes with different seeds over the NUL-separated identity; never the
     * line number, so moving code does not reopen an annotation. */
    const char *parts[5] = {rule_id, file, path, region, other_region};
    uint64_t h1 = rl_hash_bytes("regionlint/v1", 13, 0);
    uint64_t h2 = rl_hash_bytes("regionlint/v1", 13, 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 5; i++) {
        const char *s = parts[i] ? parts[i] : "";
        size_t len = strlen(s) + 1; /* include the NUL as separator */
        h1 = rl_hash_bytes(s, len, h1);
        h2 = rl_hash_bytes(s, len, h2 ^ 0x5bd1e995ULL);
    }
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

static int strcmp0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp(const void *pa, const void *pb)
{
    const rl_finding *a = *(rl_finding *const *)pa, *b = *(rl_finding *const *)pb;
    int c;
    if ((c = strcmp(a->file, b->file)))
        return c;
    if (a->span.start.line != b->span.start.line)
        return a->span.start.line < b->span.start.line ? -1 : 1;
    if (a->span.start.column != b->span.start.column)
        return a->span.start.column < b->span.start.column ? -1 : 1;
    if ((c = strcmp(a->rule_id, b->rule_id)))
        return c;
    if ((c = strcmp0(a->region, b->region)))
        return c;
    if ((c = strcmp0(a->other_region, b->other_region)))
        return c;
    if ((c = strcmp(a->path, b->path)))
        return c;
    return strcmp(a->message, b->message);
}

void rl_findings_finish(rl_findings *fs)
{
    for (size_t i = 0; i < fs->count; i++) {
        rl_finding *f = fs->items[i];
        rl_fingerprint(f->fingerprint, f->rule_id, f->file, f->path, f->region, f->other_region);
    }
    if (fs->count > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(fs->items, fs->count, sizeof(*fs->items), cmp);
    size_t o = 0;
    for (size_t i = 0; i < fs->count; i++) {
        if (o > 0 && cmp(&fs->items[o - 1], &fs->items[i]) == 0 &&
            fs->items[o - 1]->span.end.line == fs->items[i]->span.end.line &&
            fs->items[o - 1]->span.end.column == fs->items[i]->span.end.column) {
            free(fs->items[i]->related);
            continue;
        }
        fs->items[o++] = fs->items[i];
    }
    fs->count = o;
}
