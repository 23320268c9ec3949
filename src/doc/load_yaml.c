/* YAML loader: libyaml events into rl_node trees with positions. CloudFormation short-form
 * tags become their long forms, duplicate keys are recorded, merge keys are applied, and
 * aliases share nodes under an expansion limit so a "billion laughs" file cannot blow up. */
#include "doc_private.h"

#include "../base/strbuf.h"
#include "../base/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* One entry per distinct tag in a document, with what short-form wrapping needs worked out
 * once: a big template has tens of thousands of !Ref/!Sub/!GetAtt. */
typedef struct tag_ent {
    const char *tag;   /* the one arena copy, shared by every node with this tag */
    const char *fnkey; /* short form: "Ref", "Condition" or "Fn::X"; NULL for other tags */
    size_t fnkey_len;
    uint32_t columns; /* code points in the tag */
    uint8_t id;       /* what node->tag holds for it (rl_doc_tag()) */
    bool getatt;
} tag_ent;

typedef struct frame {
    rl_node_kind kind;
    rl_pos start;
    const tag_ent *tag; /* or NULL */
    char *anchor;       /* arena copy or NULL */
    size_t base;        /* first child in the scratch stack */
    uint64_t weight;
    size_t index;    /* sequence: items so far */
    bool block;      /* block (not flow) style */
    rl_pos last_end; /* where the last child written here ends (aliases: the alias itself) */
} frame;

typedef struct anchor_ent {
    rl_node *node;
    uint64_t weight;
} anchor_ent;

typedef struct yloader {
    rl_doc *doc;
    const rl_load_opts *opts;
    rl_error *err;
    frame *frames;
    size_t nframes, capframes;
    void **stack; /* children: nodes (sequences) or key, value (mappings) */
    uint64_t *weights;
    size_t nstack, capstack;
    rl_hmap anchors;   /* name -> anchor_ent* */
    rl_hmap tags;      /* tag text -> tag_ent* */
    uint64_t expanded; /* nodes reached through aliases so far */
    /* Remapping of libyaml marks onto the source's lines, needed only when the text holds
     * line breaks that libyaml (YAML 1.1) counts and the line map does not. */
    bool remap;
    const unsigned char *text;
    size_t len, cur_index, cur_off, base_off;
    rl_pos cur_pos;
    rl_pos eof; /* just after the last character: no position lies beyond it */
    bool keep;  /* building the first document */
    /* A second cursor from code point index to byte offset, for the end of block scalars
     * (marks arrive in stream order, so it only moves forward). */
    size_t bi_off, bi_index;
} yloader;

static int oom(yloader *y)
{
    return rl_error_set(y->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
}

/* libyaml also ends a line at a lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029); the
 * source's line map and the JSON reader end lines at LF only, as GitHub and most tools
 * number them. A U+2028 pasted into a Description would otherwise move every later
 * position in the file down a line. */
static bool has_extra_breaks(const unsigned char *t, size_t len)
{
    const unsigned char *end = t + len;
    for (const unsigned char *p = t; (p = memchr(p, '\r', (size_t)(end - p))); p++)
        if (p + 1 == end || p[1] != '\n')
            return true;
    for (const unsigned char *p = t; (p = memchr(p, 0xC2, (size_t)(end - p))); p++)
        if (p + 1 < end && p[1] == 0x85)
            return true;
    for (const unsigned char *p = t; (p = memchr(p, 0xE2, (size_t)(end - p))); p++)
        if (p + 2 < end && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
            return true;
    return false;
}

/* The position just after the last character (lines end at LF). */
static rl_pos end_pos(const unsigned char *t, size_t len, size_t start)
{
    uint32_t lines = 1;
    const unsigned char *last = t + start;
    for (const unsigned char *p = last; (p = memchr(p, '\n', len - (size_t)(p - t))); p++) {
        lines++;
        last = p + 1;
    }
    return (rl_pos){lines,
                    (uint32_t)rl_utf8_count((const char *)last, len - (size_t)(last - t)) + 1};
}

/* Line and column of a libyaml mark in the source's terms. Without extra line breaks
 * libyaml's own line and column are right. Otherwise a cursor walks forward from the
 * last mark to mark.index (code points from the start, after a BOM); marks arrive in
 * stream order, so the walk is linear overall, and restarts only for the rare mark
 * before the cursor (an error's context). */
static rl_pos mark_pos(yloader *y, yaml_mark_t m)
{
    if (!y->remap) {
        /* libyaml forces a line break at the end of the stream, so a file without a
         * final newline has marks (empty scalars, errors) on the line after the last */
        rl_pos p = {(uint32_t)m.line + 1, (uint32_t)m.column + 1};
        if (p.line > y->eof.line || (p.line == y->eof.line && p.column > y->eof.column))
            return y->eof;
        return p;
    }
    if (m.index < y->cur_index) {
        y->cur_index = 0;
        y->cur_off = y->base_off;
        y->cur_pos = (rl_pos){1, 1};
    }
    while (y->cur_index < m.index && y->cur_off < y->len) {
        unsigned char c = y->text[y->cur_off];
        size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (c == '\n') {
            y->cur_pos.line++;
            y->cur_pos.column = 1;
        } else {
            y->cur_pos.column++;
        }
        y->cur_off += n;
        y->cur_index++;
    }
    return y->cur_pos;
}

rl_scalar_type rl_yaml_plain_type(const char *s, size_t len)
{
    if (len == 0)
        return RL_SCALAR_NULL;
    /* Hot path: most plain scalars are names and words, and only ~ n N t T f F + - . and
     * digits can begin a null, bool or number; the rest skip the comparisons below. */
    switch (s[0]) {
    case '~':
    case 'n':
    case 'N':
    case 't':
    case 'T':
    case 'f':
    case 'F':
    case '+':
    case '-':
    case '.':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        break;
    default:
        return RL_SCALAR_STRING;
    }
    if ((len == 1 && s[0] == '~') ||
        (len == 4 && (!strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))))
        return RL_SCALAR_NULL;
    if ((len == 4 && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))) ||
        (len == 5 && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))))
        return RL_SCALAR_BOOL;
    size_t i = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    if (i < len && s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'o')) {
        size_t j = i + 2;
        bool hex = s[i + 1] == 'x';
        for (; j < len; j++) {
            char c = s[j];
            bool ok =
                hex ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                    : (c >= '0' && c <= '7');
            if (!ok)
                break;
        }
        return j == len && j > i + 2 ? RL_SCALAR_INT : RL_SCALAR_STRING;
    }
    if (!strcmp(s + i, ".inf") || !strcmp(s + i, ".Inf") || !strcmp(s, ".nan") ||
        !strcmp(s, ".NaN"))
        return RL_SCALAR_FLOAT;
    size_t digits = 0, j = i;
    while (j < len && s[j] >= '0' && s[j] <= '9') {
        j++;
        digits++;
    }
    if (j == len && digits)
        return RL_SCALAR_INT;
    bool is_float = false;
    if (j < len && s[j] == '.') {
        is_float = true;
        j++;
        while (j < len && s[j] >= '0' && s[j] <= '9') {
            j++;
            digits++;
        }
    }
    if (!digits)
        return RL_SCALAR_STRING;
    if (j < len && (s[j] == 'e' || s[j] == 'E')) {
        is_float = true;
        j++;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        size_t ed = 0;
        while (j < len && s[j] >= '0' && s[j] <= '9') {
            j++;
            ed++;
        }
        if (!ed)
            return RL_SCALAR_STRING;
    }
    return j == len && is_float ? RL_SCALAR_FLOAT : RL_SCALAR_STRING;
}

static int push(yloader *y, void *p, uint64_t weight)
{
    if (y->nstack == y->capstack) {
        size_t ncap = y->capstack ? y->capstack * 2 : 256;
        void **ns = realloc(y->stack, ncap * sizeof(*ns));
        if (!ns)
            return oom(y);
        y->stack = ns;
        uint64_t *nw = realloc(y->weights, ncap * sizeof(*nw));
        if (!nw)
            return oom(y);
        y->weights = nw;
        y->capstack = ncap;
    }
    y->weights[y->nstack] = weight;
    y->stack[y->nstack++] = p;
    return RL_OK;
}

static rl_node *new_node(yloader *y, rl_node_kind kind, rl_pos start, rl_pos end)
{
    rl_node *n = rl_arena_alloc(y->doc->arena, sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->span.start = start;
    n->span.end = end;
    return n;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A CloudFormation short-form tag: "!" followed by a letter (not "!!" or a URI tag). */
static bool is_short_tag(const char *tag)
{
    return tag && tag[0] == '!' &&
           ((tag[1] >= 'A' && tag[1] <= 'Z') || (tag[1] >= 'a' && tag[1] <= 'z'));
}

static const tag_ent *tag_info(yloader *y, const char *tag)
{
    size_t len = strlen(tag);
    tag_ent *e = rl_hmap_get(&y->tags, tag, len);
    if (e)
        return e;
    rl_arena *a = y->doc->arena;
    char *copy = rl_arena_strndup(a, tag, len);
    if (!copy || !(e = rl_arena_calloc(a, 1, sizeof(*e))))
        return NULL;
    e->tag = copy;
    e->columns = (uint32_t)rl_utf8_count(copy, len);
    if (!(e->id = rl_doc_tag_id(y->doc, copy)))
        return NULL;
    if (is_short_tag(copy)) {
        const char *fn = copy + 1;
        if (!strcmp(fn, "Ref") || !strcmp(fn, "Condition"))
            e->fnkey = fn;
        else if (!(e->fnkey = rl_arena_printf(a, "Fn::%s", fn)))
            return NULL;
        e->fnkey_len = strlen(e->fnkey);
        e->getatt = !strcmp(fn, "GetAtt");
    }
    return rl_hmap_put(&y->tags, copy, len, e) < 0 ? NULL : e;
}

/* Turns `!X value` into {Fn::X: value} (Ref and Condition keep their names; !GetAtt A.B is
 * split into [A, B]). The new mapping and key share the tagged node's span. */
/* Gives node n the tag t (a node copied from a tagged one gets its tag too). */
static bool set_tag(yloader *y, rl_node *n, const tag_ent *t)
{
    return rl_doc_set_tag(y->doc, n, t->tag, t->id) == RL_OK;
}

static rl_node *wrap_short_tag(yloader *y, rl_node *inner, const tag_ent *t)
{
    rl_arena *a = y->doc->arena;
    rl_node *key = rl_arena_alloc(a, sizeof(*key));
    rl_node *map = rl_arena_alloc(a, sizeof(*map));
    rl_pair *pair = rl_arena_alloc(a, sizeof(*pair));
    if (!key || !map || !pair)
        return NULL;
    memset(key, 0, sizeof(*key));
    *map = *inner;
    map->kind = RL_NODE_MAPPING;
    map->type = 0;
    map->flags = RL_NODE_SHORTFORM;
    if (!set_tag(y, map, t))
        return NULL;
    key->kind = RL_NODE_SCALAR;
    key->type = RL_SCALAR_STRING;
    key->flags = RL_NODE_SHORTFORM;
    key->span.start = inner->span.start;
    key->span.end = inner->span.start;
    key->span.end.column += t->columns;
    key->u.s.str = t->fnkey;
    key->u.s.len = (uint32_t)t->fnkey_len;

    rl_node *value = inner;
    if (t->getatt && inner->kind == RL_NODE_SCALAR) {
        const char *dot = memchr(inner->u.s.str, '.', inner->u.s.len);
        rl_node *seq = rl_arena_alloc(a, sizeof(*seq));
        rl_node **items = rl_arena_alloc(a, 2 * sizeof(*items));
        rl_node *p0 = rl_arena_alloc(a, sizeof(*p0));
        rl_node *p1 = rl_arena_alloc(a, sizeof(*p1));
        if (!seq || !items || !p0 || !p1)
            return NULL;
        *seq = *inner;
        seq->kind = RL_NODE_SEQUENCE;
        seq->flags = RL_NODE_SHORTFORM;
        *p0 = *inner;
        *p1 = *inner;
        uint32_t l0 = dot ? (uint32_t)(dot - inner->u.s.str) : inner->u.s.len;
        p0->u.s.str = rl_arena_strndup(a, inner->u.s.str, l0);
        p0->u.s.len = l0;
        /* the attribute is the end of the scalar's own text: no copy */
        p1->u.s.str = dot ? dot + 1 : "";
        p1->u.s.len = dot ? inner->u.s.len - l0 - 1 : 0;
        if (!p0->u.s.str || !set_tag(y, seq, t) || !set_tag(y, p0, t) || !set_tag(y, p1, t))
            return NULL;
        p0->type = p1->type = RL_SCALAR_STRING;
        items[0] = p0;
        items[1] = dot ? p1 : NULL;
        seq->u.seq.items = items;
        seq->u.seq.count = dot ? 2 : 1;
        value = seq;
    }
    pair->key = key;
    pair->value = value;
    map->u.map.items = pair;
    map->u.map.count = 1;
    return map;
}

static const char *path_of(void *ctx)
{
    yloader *y = ctx;
    rl_strbuf b = RL_STRBUF_INIT;
    /* frames[0 .. nframes-1) are the ancestors of the mapping being closed */
    for (size_t d = 0; d + 1 < y->nframes; d++) {
        frame *f = &y->frames[d];
        if (f->kind == RL_NODE_MAPPING) {
            /* the key of the child being built is the last key pushed at this level */
            size_t nchild = (d + 1 < y->nframes ? y->frames[d + 1].base : y->nstack) - f->base;
            if (nchild % 2 == 1) {
                rl_node *k = y->stack[f->base + nchild - 1];
                if (b.len)
                    rl_strbuf_putc(&b, '.');
                if (k->kind == RL_NODE_SCALAR)
                    rl_strbuf_append(&b, k->u.s.str, k->u.s.len);
                else
                    rl_strbuf_puts(&b, "?");
            }
        } else {
            rl_strbuf_printf(&b, "[%zu]", f->index);
        }
    }
    char *s = rl_arena_strndup(y->doc->arena, rl_strbuf_cstr(&b), b.len);
    rl_strbuf_free(&b);
    return s;
}

static int limit_error(yloader *y, yaml_mark_t m, const char *what)
{
    rl_pos p = mark_pos(y, m);
    return rl_error_set(y->err, RL_ELIMIT, rl_doc_path(y->doc), p.line, p.column, "%s", what);
}

/* Adds a finished node to its parent (or makes it the root). `end` is where the node's
 * text ends in this place (for an alias, the alias, not the anchored node). */
static int add_child(yloader *y, rl_node *n, uint64_t weight, rl_pos end)
{
    if (y->nframes == 0) {
        if (y->keep && !y->doc->root)
            y->doc->root = n;
        return RL_OK;
    }
    frame *f = &y->frames[y->nframes - 1];
    f->weight = sat_add(f->weight, weight);
    f->last_end = end;
    if (f->kind == RL_NODE_SEQUENCE)
        f->index++;
    return push(y, n, weight);
}

static int register_anchor(yloader *y, const char *anchor, rl_node *n, uint64_t weight)
{
    if (!anchor)
        return RL_OK;
    anchor_ent *e = rl_arena_alloc(y->doc->arena, sizeof(*e));
    if (!e)
        return oom(y);
    e->node = n;
    e->weight = weight;
    return rl_hmap_puts(&y->anchors, anchor, e) < 0 ? oom(y) : RL_OK;
}

static bool is_merge_key(const rl_node *k)
{
    return k->kind == RL_NODE_SCALAR && !(k->flags & RL_NODE_QUOTED) && k->u.s.len == 2 &&
           k->u.s.str[0] == '<' && k->u.s.str[1] == '<';
}

static bool has_key(const rl_pair *items, size_t n, const rl_node *k)
{
    if (k->kind != RL_NODE_SCALAR)
        return false;
    for (size_t i = 0; i < n; i++) {
        const rl_node *o = items[i].key;
        if (o->kind == RL_NODE_SCALAR && o->u.s.len == k->u.s.len &&
            !memcmp(o->u.s.str, k->u.s.str, k->u.s.len))
            return true;
    }
    return false;
}

/* Applies `<<: *alias` / `<<: [*a, *b]` merge keys; explicit keys win, then earlier
 * sources. Big merges look keys up in a hash set: a pairwise scan is quadratic, and an
 * anchor with many keys merged into a big mapping would stall the load. */
static int apply_merges(yloader *y, rl_node *map)
{
    size_t n = map->u.map.count, merges = 0, extra = 0;
    for (size_t i = 0; i < n; i++) {
        rl_pair *p = &map->u.map.items[i];
        if (!is_merge_key(p->key))
            continue;
        merges++;
        if (p->value->kind == RL_NODE_MAPPING)
            extra += p->value->u.map.count;
        else if (p->value->kind == RL_NODE_SEQUENCE)
            for (size_t j = 0; j < p->value->u.seq.count; j++)
                extra += rl_node_count(p->value->u.seq.items[j]);
    }
    if (!merges)
        return RL_OK;
    rl_pair *items = rl_arena_alloc(y->doc->arena, (n + extra) * sizeof(*items));
    if (!items)
        return oom(y);
    rl_hmap seen = RL_HMAP_INIT;
    bool hashed = n + extra > 16;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        rl_pair *p = &map->u.map.items[i];
        if (is_merge_key(p->key))
            continue;
        items[m++] = *p;
        if (hashed && p->key->kind == RL_NODE_SCALAR &&
            rl_hmap_put(&seen, p->key->u.s.str, p->key->u.s.len, p->key) < 0)
            goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        rl_pair *p = &map->u.map.items[i];
        if (!is_merge_key(p->key))
            continue;
        size_t nsrc = p->value->kind == RL_NODE_SEQUENCE ? p->value->u.seq.count : 1;
        for (size_t s = 0; s < nsrc; s++) {
            rl_node *src = p->value->kind == RL_NODE_SEQUENCE ? p->value->u.seq.items[s] : p->value;
            if (!rl_node_is_map(src))
                continue;
            for (size_t j = 0; j < src->u.map.count; j++) {
                const rl_node *k = src->u.map.items[j].key;
                if (!hashed) {
                    if (!has_key(items, m, k))
                        items[m++] = src->u.map.items[j];
                    continue;
                }
                if (k->kind == RL_NODE_SCALAR && rl_hmap_get(&seen, k->u.s.str, k->u.s.len))
                    continue;
                items[m++] = src->u.map.items[j];
                if (k->kind == RL_NODE_SCALAR &&
                    rl_hmap_put(&seen, k->u.s.str, k->u.s.len, (void *)k) < 0)
                    goto nomem;
            }
        }
    }
    rl_hmap_free(&seen);
    map->u.map.items = items;
    map->u.map.count = (uint32_t)m; /* distinct keys, each written in the source: fits */
    return RL_OK;

nomem:
    rl_hmap_free(&seen);
    return oom(y);
}

/* Byte offset of the code point `index` (libyaml's mark.index counts code points after a
 * BOM). The text before a mark has been decoded by libyaml, so it is valid UTF-8. */
static size_t byte_of_index(yloader *y, size_t index)
{
    if (index < y->bi_index) {
        y->bi_index = 0;
        y->bi_off = y->base_off;
    }
    const unsigned char *t = y->text;
    size_t off = y->bi_off, i = y->bi_index;
    while (i < index && off < y->len) {
        uint64_t w;
        if (index - i >= 8 && off + 8 <= y->len) {
            memcpy(&w, t + off, 8);
            if (!(w & 0x8080808080808080ULL)) { /* eight ASCII bytes at once */
                off += 8;
                i += 8;
                continue;
            }
        }
        unsigned char c = t[off];
        off += c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        i++;
    }
    y->bi_off = off;
    y->bi_index = i;
    return off < y->len ? off : y->len;
}

static void fix_block_end(yloader *y, rl_node *n);

/* Without extra line breaks: the same end as fix_block_end(), found by reading backwards
 * from the end mark's byte offset, so loading builds no line map (most documents never
 * need one: only those with a finding do, for excerpts). */
static void fix_block_end_fast(yloader *y, rl_node *n, size_t end_index)
{
    const char *t = (const char *)y->text;
    size_t ls = byte_of_index(y, end_index); /* the start of line end.line */
    if (ls == 0 || t[ls - 1] != '\n') {
        fix_block_end(y, n); /* not a line start after all: the line map decides */
        return;
    }
    uint32_t line = n->span.end.line;
    for (;;) {
        /* the line before: [ls, le), le at its '\n', without a '\r' before it */
        size_t le = ls - 1;
        ls = le;
        while (ls > 0 && t[ls - 1] != '\n')
            ls--;
        if (--line == 1 && ls < y->base_off)
            ls = y->base_off; /* line 1 starts after a byte order mark */
        size_t end = le > ls && t[le - 1] == '\r' ? le - 1 : le;
        size_t i = ls;
        while (i < end && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i < end || line <= n->span.start.line) {
            n->span.end.line = line;
            n->span.end.column = (uint32_t)rl_utf8_count(t + ls, end - ls) + 1;
            return;
        }
    }
}

static void fix_block_end(yloader *y, rl_node *n)
{
    /* libyaml ends a block scalar at the start of the next line; end it after the last
     * content line instead so excerpts underline the right text. */
    uint32_t line = n->span.end.line;
    if (n->span.end.column != 1 || line <= n->span.start.line)
        return;
    line--;
    const char *text;
    size_t len;
    while (line > n->span.start.line) {
        if (rl_source_line(y->doc->src, line, &text, &len) < 0)
            return;
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\t'))
            i++;
        if (i < len)
            break;
        line--;
    }
    if (rl_source_line(y->doc->src, line, &text, &len) < 0)
        return;
    n->span.end.line = line;
    n->span.end.column = (uint32_t)rl_utf8_count(text, len) + 1;
}

static int on_scalar(yloader *y, yaml_event_t *ev)
{
    rl_arena *a = y->doc->arena;
    rl_pos start = mark_pos(y, ev->start_mark);
    rl_node *n = new_node(y, RL_NODE_SCALAR, start, mark_pos(y, ev->end_mark));
    if (!n)
        return oom(y);
    size_t len = ev->data.scalar.length;
    n->u.s.str = rl_arena_strndup(a, (const char *)ev->data.scalar.value, len);
    if (!n->u.s.str)
        return oom(y);
    n->u.s.len = (uint32_t)len; /* no longer than the source, which is under 4 GiB */
    const tag_ent *tag = NULL;
    if (ev->data.scalar.tag && !(tag = tag_info(y, (const char *)ev->data.scalar.tag)))
        return oom(y);
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        n->flags |= RL_NODE_QUOTED | RL_NODE_SQUOTED;
        break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->flags |= RL_NODE_QUOTED | RL_NODE_DQUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
        n->flags |=
            RL_NODE_QUOTED |
            (ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ? RL_NODE_BLOCK : RL_NODE_FOLDED);
        if (n->span.end.column == 1 && n->span.end.line > n->span.start.line) {
            if (y->remap)
                fix_block_end(y, n);
            else
                fix_block_end_fast(y, n, ev->end_mark.index);
        }
        break;
    default:
        break;
    }
    if (n->flags & RL_NODE_QUOTED)
        n->type = RL_SCALAR_STRING;
    else if (tag && (tag->fnkey || !strcmp(tag->tag, YAML_STR_TAG)))
        n->type = RL_SCALAR_STRING;
    else
        n->type = (uint8_t)rl_yaml_plain_type(n->u.s.str, len);
    rl_node *out = n;
    if (tag) {
        if (!set_tag(y, n, tag) || (tag->fnkey && !(out = wrap_short_tag(y, n, tag))))
            return oom(y);
    }
    uint64_t weight = out == n ? 1 : 3;
    if (ev->data.scalar.anchor) {
        const char *anchor = rl_arena_strdup(a, (const char *)ev->data.scalar.anchor);
        int rc = anchor ? register_anchor(y, anchor, out, weight) : oom(y);
        if (rc < 0)
            return rc;
    }
    return add_child(y, out, weight, out->span.end);
}

static int on_start(yloader *y, yaml_event_t *ev, rl_node_kind kind)
{
    if (y->nframes >= y->opts->max_depth) {
        char msg[64];
        snprintf(msg, sizeof(msg), "nesting deeper than %u levels", y->opts->max_depth);
        return limit_error(y, ev->start_mark, msg);
    }
    if (y->nframes == y->capframes) {
        /* grown on demand: a caller may set a huge max_depth */
        size_t ncap = y->capframes ? y->capframes * 2 : 32;
        frame *nf = realloc(y->frames, ncap * sizeof(*nf));
        if (!nf)
            return oom(y);
        y->frames = nf;
        y->capframes = ncap;
    }
    frame *f = &y->frames[y->nframes++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->start = mark_pos(y, ev->start_mark);
    f->base = y->nstack;
    f->weight = 1;
    const char *tag, *anchor;
    if (kind == RL_NODE_MAPPING) {
        tag = (const char *)ev->data.mapping_start.tag;
        anchor = (const char *)ev->data.mapping_start.anchor;
        f->block = ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE;
    } else {
        tag = (const char *)ev->data.sequence_start.tag;
        anchor = (const char *)ev->data.sequence_start.anchor;
        f->block = ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
    }
    if ((tag && !(f->tag = tag_info(y, tag))) ||
        (anchor && !(f->anchor = rl_arena_strdup(y->doc->arena, anchor))))
        return oom(y);
    return RL_OK;
}

static int on_end(yloader *y, yaml_event_t *ev)
{
    frame *f = &y->frames[y->nframes - 1];
    rl_node *n = new_node(y, f->kind, f->start, mark_pos(y, ev->end_mark));
    size_t count = y->nstack - f->base;
    int rc;
    if (!n)
        return oom(y);
    if (f->kind == RL_NODE_MAPPING) {
        n->u.map.count = (uint32_t)(count / 2); /* an event per child: fits */
        n->u.map.items = rl_arena_alloc(y->doc->arena, (count / 2) * sizeof(rl_pair));
        if (!n->u.map.items)
            return oom(y);
        for (size_t i = 0; i < count / 2; i++) {
            n->u.map.items[i].key = y->stack[f->base + 2 * i];
            n->u.map.items[i].value = y->stack[f->base + 2 * i + 1];
        }
        if ((rc = rl_doc_check_dups(y->doc, n, path_of, y)) < 0)
            return oom(y);
        if ((rc = apply_merges(y, n)) < 0)
            return rc;
    } else {
        n->u.seq.count = (uint32_t)count;
        n->u.seq.items = rl_arena_alloc(y->doc->arena, count * sizeof(rl_node *));
        if (!n->u.seq.items)
            return oom(y);
        if (count)
            memcpy(n->u.seq.items, y->stack + f->base, count * sizeof(rl_node *));
    }
    if (f->block && count && n->span.end.column == 1 && n->span.end.line > n->span.start.line) {
        /* block collections end where the next token starts; pull the end back to the
         * end of the last child as written here (an alias's node lies elsewhere) */
        n->span.end = f->last_end;
    }
    y->nstack = f->base;
    uint64_t weight = f->weight;
    rl_node *out = n;
    if (f->tag) {
        if (!set_tag(y, n, f->tag) || (f->tag->fnkey && !(out = wrap_short_tag(y, n, f->tag))))
            return oom(y);
    }
    const char *anchor = f->anchor;
    y->nframes--;
    if ((rc = register_anchor(y, anchor, out, weight)) < 0)
        return rc;
    return add_child(y, out, weight, n->span.end);
}

static int on_alias(yloader *y, yaml_event_t *ev)
{
    anchor_ent *e = rl_hmap_gets(&y->anchors, (const char *)ev->data.alias.anchor);
    if (!e) {
        rl_pos p = mark_pos(y, ev->start_mark);
        return rl_error_set(y->err, RL_EPARSE, rl_doc_path(y->doc), p.line, p.column,
                            "found undefined alias '%s'", (const char *)ev->data.alias.anchor);
    }
    /* Nodes are shared, not copied, but whoever walks the tree visits them once per
     * reference: bound the total so that a billion-laughs file is refused here. */
    y->expanded = sat_add(y->expanded, e->weight);
    if (y->expanded > y->opts->max_expansion) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "YAML aliases expand to more than %llu nodes (alias bomb?); raise the limit "
                 "with --max-alias-nodes if this file is legitimate",
                 (unsigned long long)y->opts->max_expansion);
        return limit_error(y, ev->start_mark, msg);
    }
    rl_pos end = mark_pos(y, ev->end_mark);
    return add_child(y, e->node, e->weight, end);
}

/* Line and column of a byte offset (reader errors carry only an offset). */
static rl_pos offset_pos(const rl_source *src, size_t off)
{
    size_t len;
    const char *data = rl_source_data(src, &len);
    if (off > len)
        off = len;
    uint32_t line = 1;
    size_t ls = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) && off >= 3)
        ls = 3; /* the byte order mark is not a column */
    for (size_t i = ls; i < off; i++)
        if (data[i] == '\n') {
            line++;
            ls = i + 1;
        }
    return (rl_pos){line, (uint32_t)rl_utf8_count(data + ls, off - ls) + 1};
}

static int parse_error(yloader *y, yaml_parser_t *p)
{
    const char *path = rl_doc_path(y->doc);
    if (p->error == YAML_MEMORY_ERROR)
        return oom(y);
    if (p->error == YAML_READER_ERROR) {
        rl_pos pos = offset_pos(y->doc->src, p->problem_offset);
        const char *problem = p->problem ? p->problem : "invalid input";
        int v = p->problem_value;
        if (v == 0)
            return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column,
                                "NUL byte in the input (%s)", problem);
        /* libyaml gives the offending byte for "... octet" problems and the decoded
         * code point for the others (surrogates, control characters) */
        if (v != -1 && strstr(problem, "octet"))
            return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column, "%s (byte 0x%02x)",
                                problem, (unsigned)v & 0xFFu);
        if (v != -1)
            return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column, "%s (U+%04X)",
                                problem, (unsigned)v);
        return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column, "%s", problem);
    }
    rl_pos pos = mark_pos(y, p->problem_mark);
    if (p->context) {
        rl_pos ctx = mark_pos(y, p->context_mark);
        return rl_error_set(
            y->err, RL_EPARSE, path, pos.line, pos.column, "%s (%s at line %u, column %u)",
            p->problem ? p->problem : "syntax error", p->context, ctx.line, ctx.column);
    }
    return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column, "%s",
                        p->problem ? p->problem : "syntax error");
}

int rl_load_yaml(rl_doc *doc, const rl_load_opts *opts, rl_error *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    yloader y;
    int rc = RL_OK;
    bool done = false;

    memset(&y, 0, sizeof(y));
    y.doc = doc;
    y.opts = opts;
    y.err = err;
    if (!yaml_parser_initialize(&parser))
        return oom(&y);
    size_t len;
    const char *data = rl_source_data(doc->src, &len);
    y.text = (const unsigned char *)data;
    y.len = len;
    y.remap = has_extra_breaks(y.text, len);
    y.base_off = y.cur_off = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
    y.bi_off = y.base_off;
    y.cur_pos = (rl_pos){1, 1};
    /* libyaml only places marks past the end when the last line has no newline */
    y.eof = len > y.base_off && data[len - 1] != '\n' ? end_pos(y.text, len, y.base_off)
                                                      : (rl_pos){UINT32_MAX, UINT32_MAX};
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parse_error(&y, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            doc->streams++;
            y.keep = doc->streams == 1;
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&y, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(&y, &ev, RL_NODE_SEQUENCE);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(&y, &ev, RL_NODE_MAPPING);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = on_end(&y, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(&y, &ev);
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc < 0)
            break;
    }
    yaml_parser_delete(&parser);
    free(y.frames);
    free(y.stack);
    free(y.weights);
    rl_hmap_free(&y.anchors);
    rl_hmap_free(&y.tags);
    return rc;
}
