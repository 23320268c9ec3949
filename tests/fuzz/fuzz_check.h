/* Invariants every fuzz target checks after a load: a clean result (document or error
 * with a position inside the input), sane spans, sub-spans inside their node, and a
 * line map that covers the input. A violation aborts, which libFuzzer reports. */
#ifndef RL_FUZZ_CHECK_H
#define RL_FUZZ_CHECK_H

#include <regionlint/doc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fuzzers keep the alias limit small so each input stays fast to walk. */
#define RL_FUZZ_MAX_EXPANSION 20000u

#define RL_FUZZ_ASSERT(cond, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz invariant failed: %s: ", #cond);                                 \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static inline bool rl_fuzz_pos_le(rl_pos a, rl_pos b)
{
    return a.line < b.line || (a.line == b.line && a.column <= b.column);
}

/* Position just after the last byte, with lines ended by LF and columns counting code
 * points (lead bytes), a UTF-8 byte order mark excluded: the loaders' conventions. */
static inline rl_pos rl_fuzz_eof(const unsigned char *data, size_t size)
{
    rl_pos p = {1, 1};
    size_t i = size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
    for (; i < size; i++) {
        if (data[i] == '\n') {
            p.line++;
            p.column = 1;
        } else if ((data[i] & 0xC0) != 0x80) {
            p.column++;
        }
    }
    return p;
}

static inline void rl_fuzz_check_error(int rc, const rl_doc *doc, const rl_error *err, rl_pos eof)
{
    RL_FUZZ_ASSERT(rc == RL_EPARSE || rc == RL_ELIMIT || rc == RL_ENOMEM, "code %d", rc);
    RL_FUZZ_ASSERT(doc == NULL, "a failed load returned a document");
    RL_FUZZ_ASSERT(err->code == rc, "err.code %d, returned %d", err->code, rc);
    RL_FUZZ_ASSERT(err->message[0] != '\0', "error without a message");
    if (rc == RL_ENOMEM)
        return;
    rl_pos at = {err->line, err->column};
    RL_FUZZ_ASSERT(at.line >= 1 && at.column >= 1, "error at %u:%u: %s", at.line, at.column,
                   err->message);
    RL_FUZZ_ASSERT(rl_fuzz_pos_le(at, eof), "error at %u:%u after the end (%u:%u): %s", at.line,
                   at.column, eof.line, eof.column, err->message);
}

typedef struct rl_fuzz_walk {
    const rl_doc *doc;
    rl_pos eof;
    size_t visits; /* bounded by the nodes plus the alias limit */
} rl_fuzz_walk;

static inline void rl_fuzz_check_node(rl_fuzz_walk *w, const rl_node *n, unsigned depth)
{
    if (!n)
        return;
    w->visits++;
    RL_FUZZ_ASSERT(depth <= RL_DEFAULT_MAX_DEPTH + 8, "tree deeper than the limit: %u", depth);
    const rl_span *s = &n->span;
    RL_FUZZ_ASSERT(s->start.line >= 1 && s->start.column >= 1, "span starts at %u:%u",
                   s->start.line, s->start.column);
    RL_FUZZ_ASSERT(rl_fuzz_pos_le(s->start, s->end), "span %u:%u-%u:%u ends before it starts",
                   s->start.line, s->start.column, s->end.line, s->end.column);
    RL_FUZZ_ASSERT(rl_fuzz_pos_le(s->end, w->eof), "span %u:%u-%u:%u ends after the input (%u:%u)",
                   s->start.line, s->start.column, s->end.line, s->end.column, w->eof.line,
                   w->eof.column);
    switch (n->kind) {
    case RL_NODE_SCALAR: {
        RL_FUZZ_ASSERT(n->u.s.str != NULL, "scalar without text");
        RL_FUZZ_ASSERT(n->u.s.str[n->u.s.len] == '\0', "scalar text not NUL-terminated");
        size_t len = n->u.s.len;
        size_t cuts[3][2] = {{0, len}, {len / 2, len - len / 2}, {len / 3, len / 3}};
        for (int i = 0; i < 3; i++) {
            rl_span sub;
            if (!rl_doc_subspan(w->doc, n, cuts[i][0], cuts[i][1], &sub))
                continue;
            RL_FUZZ_ASSERT(rl_fuzz_pos_le(s->start, sub.start) && rl_fuzz_pos_le(sub.end, s->end) &&
                               rl_fuzz_pos_le(sub.start, sub.end),
                           "sub-span %u:%u-%u:%u outside its node %u:%u-%u:%u", sub.start.line,
                           sub.start.column, sub.end.line, sub.end.column, s->start.line,
                           s->start.column, s->end.line, s->end.column);
        }
        break;
    }
    case RL_NODE_MAPPING:
        for (size_t i = 0; i < n->u.map.count; i++) {
            RL_FUZZ_ASSERT(n->u.map.items[i].key && n->u.map.items[i].value, "empty pair");
            rl_fuzz_check_node(w, n->u.map.items[i].key, depth + 1);
            rl_fuzz_check_node(w, n->u.map.items[i].value, depth + 1);
        }
        break;
    case RL_NODE_SEQUENCE:
        for (size_t i = 0; i < n->u.seq.count; i++) {
            RL_FUZZ_ASSERT(n->u.seq.items[i], "empty sequence item");
            rl_fuzz_check_node(w, n->u.seq.items[i], depth + 1);
        }
        break;
    default:
        RL_FUZZ_ASSERT(0, "node kind %d", n->kind);
    }
}

/* Checks a loaded document against the bytes it was loaded from. */
static inline void rl_fuzz_check_doc(const rl_doc *doc, const unsigned char *data, size_t size)
{
    rl_fuzz_walk w = {doc, rl_fuzz_eof(data, size), 0};
    rl_fuzz_check_node(&w, rl_doc_root(doc), 0);
    RL_FUZZ_ASSERT(w.visits <= 8 * size + 2 * RL_FUZZ_MAX_EXPANSION + 16,
                   "%zu node visits for %zu bytes", w.visits, size);
    for (size_t i = 0; i < rl_doc_dupkey_count(doc); i++) {
        const rl_dupkey *d = rl_doc_dupkey(doc, i);
        RL_FUZZ_ASSERT(d->first && d->second && d->path, "incomplete duplicate");
        RL_FUZZ_ASSERT(d->first->u.s.len == d->second->u.s.len &&
                           !memcmp(d->first->u.s.str, d->second->u.s.str, d->first->u.s.len),
                       "duplicate keys differ");
    }
    /* the line map covers every byte, and each line's text lies inside the input */
    const rl_source *src = rl_doc_source(doc);
    size_t len;
    const char *text = rl_source_data(src, &len);
    uint32_t nlines = rl_source_line_count(src);
    RL_FUZZ_ASSERT(nlines == w.eof.line, "%u lines, expected %u", nlines, w.eof.line);
    for (uint32_t l = 1; l <= nlines; l++) {
        const char *t;
        size_t tl;
        RL_FUZZ_ASSERT(rl_source_line(src, l, &t, &tl) == 0, "line %u missing", l);
        RL_FUZZ_ASSERT(t >= text && t + tl <= text + len, "line %u outside the input", l);
    }
}

#endif
