/* YAML loader: libyaml events into rl_node trees with positions. CloudFormation short-form
 * tags become their long forms, duplicate keys are recorded, merge keys are applied, and
 * aliases share nodes under an expansion limit so a "billion laughs" file cannot blow up. */
#include "doc_private.h"

#include "../base/strbuf.h"
#include "../base/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct frame {
    rl_node_kind kind;
    yaml_mark_t start;
    char *tag;    /* arena copy or NULL */
    char *anchor; /* arena copy or NULL */
    size_t base;  /* first child in the scratch stack */
    uint64_t weight;
    size_t index; /* sequence: items so far */
    bool block;   /* block (not flow) style */
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
    size_t nframes;
    void **stack; /* children: nodes (sequences) or key, value (mappings) */
    uint64_t *weights;
    size_t nstack, capstack;
    rl_hmap anchors; /* name -> anchor_ent* */
    bool keep;       /* building the first document */
} yloader;

static int oom(yloader *y)
{
    return rl_error_set(y->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
}

static rl_pos mark_pos(yaml_mark_t m)
{
    return (rl_pos){(uint32_t)m.line + 1, (uint32_t)m.column + 1};
}

rl_scalar_type rl_yaml_plain_type(const char *s, size_t len)
{
    if (len == 0 || (len == 1 && s[0] == '~') || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL"))
        return RL_SCALAR_NULL;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
        !strcmp(s, "False") || !strcmp(s, "FALSE"))
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

static rl_node *new_node(yloader *y, rl_node_kind kind, yaml_mark_t start, yaml_mark_t end)
{
    rl_node *n = rl_arena_alloc(y->doc->arena, sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->span.start = mark_pos(start);
    n->span.end = mark_pos(end);
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

/* Turns `!X value` into {Fn::X: value} (Ref and Condition keep their names; !GetAtt A.B is
 * split into [A, B]). The new mapping and key share the tagged node's span. */
static rl_node *wrap_short_tag(yloader *y, rl_node *inner, const char *tag)
{
    rl_arena *a = y->doc->arena;
    const char *fn = tag + 1;
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
    map->tag = tag;
    key->kind = RL_NODE_SCALAR;
    key->type = RL_SCALAR_STRING;
    key->flags = RL_NODE_SHORTFORM;
    key->span.start = inner->span.start;
    key->span.end = inner->span.start;
    key->span.end.column += (uint32_t)rl_utf8_count(tag, strlen(tag));
    if (!strcmp(fn, "Ref") || !strcmp(fn, "Condition"))
        key->u.s.str = rl_arena_strdup(a, fn);
    else
        key->u.s.str = rl_arena_printf(a, "Fn::%s", fn);
    if (!key->u.s.str)
        return NULL;
    key->u.s.len = strlen(key->u.s.str);

    rl_node *value = inner;
    if (!strcmp(fn, "GetAtt") && inner->kind == RL_NODE_SCALAR) {
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
        size_t l0 = dot ? (size_t)(dot - inner->u.s.str) : inner->u.s.len;
        p0->u.s.str = rl_arena_strndup(a, inner->u.s.str, l0);
        p0->u.s.len = l0;
        p1->u.s.str = dot ? rl_arena_strdup(a, dot + 1) : "";
        p1->u.s.len = dot ? inner->u.s.len - l0 - 1 : 0;
        if (!p0->u.s.str || !p1->u.s.str)
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
    rl_pos p = mark_pos(m);
    return rl_error_set(y->err, RL_ELIMIT, rl_doc_path(y->doc), p.line, p.column, "%s", what);
}

/* Adds a finished node to its parent (or makes it the root). */
static int add_child(yloader *y, rl_node *n, uint64_t weight, yaml_mark_t at)
{
    if (y->nframes == 0) {
        if (y->keep && !y->doc->root)
            y->doc->root = n;
        return RL_OK;
    }
    frame *f = &y->frames[y->nframes - 1];
    f->weight = sat_add(f->weight, weight);
    if (f->weight > y->opts->max_expansion) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "YAML aliases expand to more than %llu nodes (alias bomb?); raise the limit "
                 "with --max-alias-nodes if this file is legitimate",
                 (unsigned long long)y->opts->max_expansion);
        return limit_error(y, at, msg);
    }
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

/* Applies `<<: *alias` / `<<: [*a, *b]` merge keys; explicit keys win. */
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
    rl_pair *items = rl_arena_alloc(y->doc->arena, (n + extra) * sizeof(*items) + 1);
    if (!items)
        return oom(y);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_merge_key(map->u.map.items[i].key))
            items[m++] = map->u.map.items[i];
    for (size_t i = 0; i < n; i++) {
        rl_pair *p = &map->u.map.items[i];
        if (!is_merge_key(p->key))
            continue;
        size_t nsrc = p->value->kind == RL_NODE_SEQUENCE ? p->value->u.seq.count : 1;
        for (size_t s = 0; s < nsrc; s++) {
            rl_node *src = p->value->kind == RL_NODE_SEQUENCE ? p->value->u.seq.items[s] : p->value;
            if (!rl_node_is_map(src))
                continue;
            for (size_t j = 0; j < src->u.map.count; j++)
                if (!has_key(items, m, src->u.map.items[j].key))
                    items[m++] = src->u.map.items[j];
        }
    }
    map->u.map.items = items;
    map->u.map.count = m;
    return RL_OK;
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
    rl_node *n = new_node(y, RL_NODE_SCALAR, ev->start_mark, ev->end_mark);
    if (!n)
        return oom(y);
    size_t len = ev->data.scalar.length;
    n->u.s.str = rl_arena_strndup(a, (const char *)ev->data.scalar.value, len);
    if (!n->u.s.str)
        return oom(y);
    n->u.s.len = len;
    const char *tag = (const char *)ev->data.scalar.tag;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        n->flags |= RL_NODE_QUOTED | RL_NODE_SQUOTED;
        break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->flags |= RL_NODE_QUOTED | RL_NODE_DQUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
        n->flags |= RL_NODE_QUOTED | RL_NODE_BLOCK;
        fix_block_end(y, n);
        break;
    case YAML_FOLDED_SCALAR_STYLE:
        n->flags |= RL_NODE_QUOTED | RL_NODE_FOLDED;
        fix_block_end(y, n);
        break;
    default:
        break;
    }
    if (n->flags & RL_NODE_QUOTED)
        n->type = RL_SCALAR_STRING;
    else if (tag && !strcmp(tag, YAML_STR_TAG))
        n->type = RL_SCALAR_STRING;
    else if (tag && is_short_tag(tag))
        n->type = RL_SCALAR_STRING;
    else
        n->type = (uint8_t)rl_yaml_plain_type(n->u.s.str, len);
    rl_node *out = n;
    if (tag) {
        if (!(n->tag = rl_arena_strdup(a, tag)))
            return oom(y);
        if (is_short_tag(tag) && !(out = wrap_short_tag(y, n, n->tag)))
            return oom(y);
    }
    uint64_t weight = out == n ? 1 : 3;
    if (ev->data.scalar.anchor) {
        const char *anchor = rl_arena_strdup(a, (const char *)ev->data.scalar.anchor);
        int rc = anchor ? register_anchor(y, anchor, out, weight) : oom(y);
        if (rc < 0)
            return rc;
    }
    return add_child(y, out, weight, ev->start_mark);
}

static int on_start(yloader *y, yaml_event_t *ev, rl_node_kind kind)
{
    if (y->nframes >= y->opts->max_depth) {
        char msg[64];
        snprintf(msg, sizeof(msg), "nesting deeper than %u levels", y->opts->max_depth);
        return limit_error(y, ev->start_mark, msg);
    }
    frame *f = &y->frames[y->nframes++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->start = ev->start_mark;
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
    if ((tag && !(f->tag = rl_arena_strdup(y->doc->arena, tag))) ||
        (anchor && !(f->anchor = rl_arena_strdup(y->doc->arena, anchor))))
        return oom(y);
    return RL_OK;
}

static int on_end(yloader *y, yaml_event_t *ev)
{
    frame *f = &y->frames[y->nframes - 1];
    rl_node *n = new_node(y, f->kind, f->start, ev->end_mark);
    size_t count = y->nstack - f->base;
    int rc;
    if (!n)
        return oom(y);
    if (f->kind == RL_NODE_MAPPING) {
        n->u.map.count = count / 2;
        n->u.map.items = rl_arena_alloc(y->doc->arena, (count / 2) * sizeof(rl_pair) + 1);
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
        n->u.seq.count = count;
        n->u.seq.items = rl_arena_alloc(y->doc->arena, count * sizeof(rl_node *) + 1);
        if (!n->u.seq.items)
            return oom(y);
        if (count)
            memcpy(n->u.seq.items, y->stack + f->base, count * sizeof(rl_node *));
    }
    if (f->block && n->span.end.column == 1 && n->span.end.line > n->span.start.line) {
        /* block collections end where the next token starts; pull the end back to the
         * end of the last child */
        rl_node *last = count ? y->stack[y->nstack - 1] : NULL;
        if (last)
            n->span.end = last->span.end;
    }
    y->nstack = f->base;
    uint64_t weight = f->weight;
    rl_node *out = n;
    if (f->tag) {
        n->tag = f->tag;
        if (is_short_tag(f->tag) && !(out = wrap_short_tag(y, n, f->tag)))
            return oom(y);
    }
    const char *anchor = f->anchor;
    y->nframes--;
    if ((rc = register_anchor(y, anchor, out, weight)) < 0)
        return rc;
    return add_child(y, out, weight, ev->end_mark);
}

static int on_alias(yloader *y, yaml_event_t *ev)
{
    anchor_ent *e = rl_hmap_gets(&y->anchors, (const char *)ev->data.alias.anchor);
    if (!e) {
        rl_pos p = mark_pos(ev->start_mark);
        return rl_error_set(y->err, RL_EPARSE, rl_doc_path(y->doc), p.line, p.column,
                            "found undefined alias '%s'", (const char *)ev->data.alias.anchor);
    }
    return add_child(y, e->node, e->weight, ev->start_mark);
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
    for (size_t i = 0; i < off; i++)
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
        if (p->problem_value != -1)
            return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column, "%s (byte 0x%02x)",
                                p->problem ? p->problem : "invalid input",
                                (unsigned)p->problem_value & 0xFFu);
        return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column, "%s",
                            p->problem ? p->problem : "invalid input");
    }
    rl_pos pos = mark_pos(p->problem_mark);
    if (p->context)
        return rl_error_set(y->err, RL_EPARSE, path, pos.line, pos.column,
                            "%s (%s at line %zu, column %zu)",
                            p->problem ? p->problem : "syntax error", p->context,
                            p->context_mark.line + 1, p->context_mark.column + 1);
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
    y.frames = calloc(opts->max_depth + 1, sizeof(*y.frames));
    if (!y.frames)
        return oom(&y);
    if (!yaml_parser_initialize(&parser)) {
        free(y.frames);
        return oom(&y);
    }
    size_t len;
    const char *data = rl_source_data(doc->src, &len);
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
    return rc;
}
