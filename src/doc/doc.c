/* The document container, node accessors, duplicate keys, embedded JSON documents and
 * exact sub-spans inside scalars. */
#include "doc_private.h"

#include "../base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- nodes ------------------------------------------------------------------------ */

/* See doc.h: the node's size is most of a document's memory. */
_Static_assert(sizeof(rl_node) == 32, "rl_node is 32 bytes");

size_t rl_node_count(const rl_node *n)
{
    if (!n)
        return 0;
    if (n->kind == RL_NODE_MAPPING)
        return n->u.map.count;
    if (n->kind == RL_NODE_SEQUENCE)
        return n->u.seq.count;
    return 0;
}

const rl_pair *rl_node_get_pair(const rl_node *map, const char *key)
{
    if (!rl_node_is_map(map))
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = map->u.map.count; i-- > 0;) {
        const rl_node *k = map->u.map.items[i].key;
        if (k->kind == RL_NODE_SCALAR && k->u.s.len == klen && !memcmp(k->u.s.str, key, klen))
            return &map->u.map.items[i];
    }
    return NULL;
}

const rl_node *rl_node_get(const rl_node *map, const char *key)
{
    const rl_pair *p = rl_node_get_pair(map, key);
    return p ? p->value : NULL;
}

const rl_node *rl_node_at(const rl_node *seq, size_t i)
{
    if (!rl_node_is_seq(seq) || i >= seq->u.seq.count)
        return NULL;
    return seq->u.seq.items[i];
}

bool rl_node_streq(const rl_node *n, const char *s)
{
    if (!rl_node_is_scalar(n))
        return false;
    size_t len = strlen(s);
    return n->u.s.len == len && !memcmp(n->u.s.str, s, len);
}

const rl_node *rl_node_path(const rl_node *n, const char *dotted)
{
    char key[256];
    while (n && *dotted) {
        const char *dot = strchr(dotted, '.');
        size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
        if (len >= sizeof(key))
            return NULL;
        memcpy(key, dotted, len);
        key[len] = '\0';
        n = rl_node_get(n, key);
        dotted += len + (dot ? 1 : 0);
    }
    return n;
}

bool rl_node_number(const rl_node *n, double *out)
{
    if (!rl_node_is_scalar(n) || n->u.s.len == 0 || n->u.s.len > 64)
        return false;
    if (n->type != RL_SCALAR_INT && n->type != RL_SCALAR_FLOAT && n->type != RL_SCALAR_STRING)
        return false;
    char *end = NULL;
    double v = strtod(n->u.s.str, &end);
    if (!end || *end != '\0' || end == n->u.s.str)
        return false;
    *out = v;
    return true;
}

bool rl_node_bool(const rl_node *n, bool *out)
{
    if (!rl_node_is_scalar(n))
        return false;
    const char *s = n->u.s.str;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        *out = false;
        return true;
    }
    return false;
}

bool rl_node_intrinsic(const rl_node *n, const char **name, const rl_node **arg)
{
    if (!rl_node_is_map(n) || n->u.map.count != 1)
        return false;
    const rl_node *k = n->u.map.items[0].key;
    if (!rl_node_is_scalar(k))
        return false;
    const char *s = k->u.s.str;
    if (strcmp(s, "Ref") && strcmp(s, "Condition") && strncmp(s, "Fn::", 4))
        return false;
    if (name)
        *name = s;
    if (arg)
        *arg = n->u.map.items[0].value;
    return true;
}

/* ---- documents -------------------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static rl_syntax pick_syntax(const rl_source *src)
{
    const char *path = rl_source_path(src);
    if (has_suffix(path, ".json") || has_suffix(path, ".tfstate") || has_suffix(path, ".sarif"))
        return RL_SYNTAX_JSON;
    if (has_suffix(path, ".yaml") || has_suffix(path, ".yml"))
        return RL_SYNTAX_YAML;
    size_t len;
    const unsigned char *p = (const unsigned char *)rl_source_data(src, &len);
    size_t i = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i < len && (p[i] == '{' || p[i] == '[') ? RL_SYNTAX_JSON : RL_SYNTAX_YAML;
}

static bool starts_json(const rl_source *src)
{
    size_t len;
    const unsigned char *p = (const unsigned char *)rl_source_data(src, &len);
    size_t i = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i < len && (p[i] == '{' || p[i] == '[');
}

/* UTF-16 and UTF-32 are refused up front with a message that says how to convert:
 * Windows PowerShell 5 writes UTF-16 when `aws ... > file.json` is redirected. libyaml
 * would decode it, but positions, excerpts and sub-spans all index the UTF-8 bytes. */
static int check_encoding(const rl_source *src, rl_error *err)
{
    size_t len;
    const unsigned char *p = (const unsigned char *)rl_source_data(src, &len);
    const char *enc = NULL, *bom = NULL;
    if (len >= 4 && p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 && p[3] == 0) {
        enc = "UTF-32 little-endian";
        bom = "FF FE 00 00";
    } else if (len >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xFE && p[3] == 0xFF) {
        enc = "UTF-32 big-endian";
        bom = "00 00 FE FF";
    } else if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        enc = "UTF-16 little-endian";
        bom = "FF FE";
    } else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        enc = "UTF-16 big-endian";
        bom = "FE FF";
    }
    if (!enc)
        return RL_OK;
    return rl_error_set(err, RL_EPARSE, rl_source_path(src), 1, 1,
                        "the file is %s (byte order mark %s) but must be UTF-8; convert it, "
                        "e.g. with iconv -f %.6s -t UTF-8",
                        enc, bom, enc);
}

int rl_doc_parse(rl_doc **out, rl_source *src, const rl_load_opts *opts, rl_error *err)
{
    rl_load_opts o = {RL_SYNTAX_AUTO, 0, 0};
    rl_doc *doc = NULL;
    int rc;

    *out = NULL;
    if (opts)
        o = *opts;
    if (!o.max_depth)
        o.max_depth = RL_DEFAULT_MAX_DEPTH;
    if (!o.max_expansion)
        o.max_expansion = RL_DEFAULT_MAX_EXPANSION;
    doc = calloc(1, sizeof(*doc));
    if (!doc || !(doc->arena = rl_arena_new(0))) {
        free(doc);
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    doc->src = src;
    doc->syntax = o.syntax ? o.syntax : pick_syntax(src);
    size_t srclen;
    rl_source_data(src, &srclen);
    if (srclen > UINT32_MAX) {
        /* node lengths and counts are 32-bit */
        rc = rl_error_set(err, RL_ELIMIT, rl_source_path(src), 0, 0,
                          "file is %zu bytes; files of 4 GiB or more are not supported", srclen);
    } else if ((rc = check_encoding(src, err)) < 0) {
        /* reported below like any parse error */
    } else if (doc->syntax == RL_SYNTAX_JSON) {
        rc = rl_load_json(doc, &o, err);
    } else if (starts_json(src)) {
        /* JSON-looking content in a .yaml file: the JSON reader is faster; YAML decides
         * when the text is flow-style YAML rather than JSON. */
        rl_error jerr;
        rl_error_clear(&jerr);
        rc = rl_load_json(doc, &o, &jerr);
        if (rc == RL_OK) {
            doc->syntax = RL_SYNTAX_JSON;
        } else {
            rl_arena_free(doc->arena);
            doc->arena = rl_arena_new(0);
            doc->root = NULL;
            doc->ndups = 0;
            if (!doc->arena)
                rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
            else
                rc = rl_load_yaml(doc, &o, err);
        }
    } else {
        rc = rl_load_yaml(doc, &o, err);
    }
    if (rc < 0) {
        if (err && !err->file[0])
            snprintf(err->file, sizeof(err->file), "%s", rl_source_path(src));
        doc->src = NULL; /* the caller keeps the source */
        rl_doc_free(doc);
        return rc;
    }
    *out = doc;
    return RL_OK;
}

int rl_doc_load(rl_doc **out, rl_source *src, const rl_load_opts *opts, rl_error *err)
{
    int rc = rl_doc_parse(out, src, opts, err);
    if (rc < 0)
        rl_source_free(src);
    return rc;
}

void rl_doc_free(rl_doc *doc)
{
    if (!doc)
        return;
    rl_arena_free(doc->arena);
    rl_source_free(doc->src);
    free(doc->dups);
    rl_hmap_free(&doc->embedded);
    free(doc->tags);
    rl_hmap_free(&doc->tag_more);
    free(doc);
}

uint8_t rl_doc_tag_id(rl_doc *doc, const char *tag)
{
    if (doc->ntags >= RL_DOC_TAGS_MAX)
        return RL_DOC_TAG_MORE;
    if (doc->ntags == doc->captags) {
        size_t ncap = doc->captags ? doc->captags * 2 : 8;
        const char **n = realloc(doc->tags, ncap * sizeof(*n));
        if (!n)
            return 0;
        doc->tags = n;
        doc->captags = ncap;
    }
    doc->tags[doc->ntags++] = tag;
    return (uint8_t)doc->ntags;
}

int rl_doc_set_tag(rl_doc *doc, rl_node *n, const char *tag, uint8_t id)
{
    n->tag = id;
    if (id == RL_DOC_TAG_MORE && rl_hmap_put(&doc->tag_more, n, RL_HMAP_PTR, (void *)tag) < 0)
        return RL_ENOMEM;
    return RL_OK;
}

const char *rl_doc_tag(const rl_doc *doc, const rl_node *n)
{
    if (!n || !n->tag)
        return NULL;
    if (n->tag == RL_DOC_TAG_MORE)
        return rl_hmap_get(&doc->tag_more, n, RL_HMAP_PTR);
    return n->tag <= doc->ntags ? doc->tags[n->tag - 1] : NULL;
}

const rl_node *rl_doc_root(const rl_doc *doc)
{
    return doc->root;
}

const rl_source *rl_doc_source(const rl_doc *doc)
{
    return doc->src;
}

const char *rl_doc_path(const rl_doc *doc)
{
    return rl_source_path(doc->src);
}

rl_syntax rl_doc_syntax(const rl_doc *doc)
{
    return doc->syntax;
}

size_t rl_doc_dupkey_count(const rl_doc *doc)
{
    return doc->ndups;
}

const rl_dupkey *rl_doc_dupkey(const rl_doc *doc, size_t i)
{
    return i < doc->ndups ? &doc->dups[i] : NULL;
}

size_t rl_doc_stream_count(const rl_doc *doc)
{
    return doc->streams;
}

rl_arena *rl_doc_arena(rl_doc *doc)
{
    return doc->arena;
}

int rl_doc_add_dupkey(rl_doc *doc, const rl_node *first, const rl_node *second, const char *path)
{
    if (doc->ndups == doc->capdups) {
        size_t ncap = doc->capdups ? doc->capdups * 2 : 8;
        rl_dupkey *n = realloc(doc->dups, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        doc->dups = n;
        doc->capdups = ncap;
    }
    doc->dups[doc->ndups++] = (rl_dupkey){first, second, path};
    return RL_OK;
}

int rl_doc_check_dups(rl_doc *doc, const rl_node *map, rl_path_fn path_fn, void *ctx)
{
    size_t n = map->u.map.count;
    const char *path = NULL;
    if (n < 2)
        return RL_OK;
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            const rl_node *ki = map->u.map.items[i].key;
            if (ki->kind != RL_NODE_SCALAR)
                continue;
            for (size_t j = 0; j < i; j++) {
                const rl_node *kj = map->u.map.items[j].key;
                if (kj->kind == RL_NODE_SCALAR && kj->u.s.len == ki->u.s.len &&
                    !memcmp(kj->u.s.str, ki->u.s.str, ki->u.s.len)) {
                    if (!path && !(path = path_fn(ctx)))
                        return RL_ENOMEM;
                    if (rl_doc_add_dupkey(doc, kj, ki, path) < 0)
                        return RL_ENOMEM;
                    break;
                }
            }
        }
        return RL_OK;
    }
    rl_hmap seen = RL_HMAP_INIT;
    int rc = RL_OK;
    for (size_t i = 0; i < n; i++) {
        const rl_node *k = map->u.map.items[i].key;
        if (k->kind != RL_NODE_SCALAR)
            continue;
        const rl_node *prev = rl_hmap_get(&seen, k->u.s.str, k->u.s.len);
        if (prev) {
            if ((!path && !(path = path_fn(ctx))) || rl_doc_add_dupkey(doc, prev, k, path) < 0) {
                rc = RL_ENOMEM;
                break;
            }
        } else if (rl_hmap_put(&seen, k->u.s.str, k->u.s.len, (void *)k) < 0) {
            rc = RL_ENOMEM;
            break;
        }
    }
    rl_hmap_free(&seen);
    return rc;
}

/* ---- embedded JSON documents ------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rl_doc_parse_embedded(rl_doc *doc, const rl_node *str, const rl_node **out, rl_error *err)
{
    *out = NULL;
    if (!rl_node_is_scalar(str))
        return rl_error_set(err, RL_EPARSE, rl_doc_path(doc), 0, 0, "not a string");
    const rl_node *cached = rl_hmap_get(&doc->embedded, str, RL_HMAP_PTR);
    if (cached && cached != str) {
        *out = cached;
        return RL_OK;
    }
    const char *text = str->u.s.str;
    size_t len = str->u.s.len;
    char *decoded = NULL;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (len - i >= 3 && text[i] == '%' && text[i + 1] == '7' &&
        (text[i + 2] == 'B' || text[i + 2] == 'b')) {
        /* URL-encoded policy (raw IAM API, RFC 3986) */
        decoded = malloc(len + 1);
        if (!decoded)
            return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        size_t o = 0;
        for (size_t j = i; j < len; j++) {
            int hi, lo;
            if (text[j] == '%' && j + 2 < len && (hi = hexval(text[j + 1])) >= 0 &&
                (lo = hexval(text[j + 2])) >= 0) {
                decoded[o++] = (char)(hi * 16 + lo);
                j += 2;
            } else {
                decoded[o++] = text[j];
            }
        }
        decoded[o] = '\0';
        text = decoded;
        len = o;
    }
    rl_node *node = NULL;
    rl_error perr;
    rl_error_clear(&perr);
    int rc = rl_json_parse(doc, text, len, &str->span, NULL, &node, &perr);
    free(decoded);
    if (rc < 0) {
        rl_hmap_put(&doc->embedded, str, RL_HMAP_PTR, (void *)str);
        return rl_error_set(err, rc, rl_doc_path(doc), str->span.start.line, str->span.start.column,
                            "embedded JSON document: %s (line %u, column %u of the string)",
                            perr.message, perr.line, perr.column);
    }
    if (rl_hmap_put(&doc->embedded, str, RL_HMAP_PTR, node) < 0)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    *out = node;
    return RL_OK;
}

/* ---- sub-spans -------------------------------------------------------------------- */

static bool find_subspan(const rl_doc *doc, const rl_node *n, size_t off, size_t len, rl_span *out)
{
    *out = n->span;
    if (!rl_node_is_scalar(n) || (n->flags & (RL_NODE_EMBEDDED | RL_NODE_FOLDED)) ||
        off + len > n->u.s.len || n->span.start.line == 0)
        return false;
    const char *val = n->u.s.str;
    const char *line;
    size_t llen;

    if (n->flags & RL_NODE_BLOCK) {
        size_t k = 0, ls = 0;
        for (size_t i = 0; i < off; i++)
            if (val[i] == '\n') {
                k++;
                ls = i + 1;
            }
        const char *nl = memchr(val + ls, '\n', n->u.s.len - ls);
        size_t vlen = nl ? (size_t)(nl - (val + ls)) : n->u.s.len - ls;
        if (off + len > ls + vlen)
            return false;
        if (rl_source_line(doc->src, n->span.start.line + 1 + (uint32_t)k, &line, &llen) < 0 ||
            llen < vlen || memcmp(line + llen - vlen, val + ls, vlen) != 0)
            return false;
        for (size_t i = 0; i < llen - vlen; i++)
            if (line[i] != ' ')
                return false;
        uint32_t col = (uint32_t)(llen - vlen + rl_utf8_count(val + ls, off - ls)) + 1;
        out->start.line = out->end.line = n->span.start.line + 1 + (uint32_t)k;
        out->start.column = col;
        out->end.column = col + (uint32_t)rl_utf8_count(val + off, len);
        return true;
    }
    if (n->span.start.line != n->span.end.line ||
        rl_source_line(doc->src, n->span.start.line, &line, &llen) < 0)
        return false;
    size_t p =
        rl_source_column_byte(doc->src, n->span.start.line, line, llen, n->span.start.column - 1);
    uint32_t col = n->span.start.column;
    const char *tag = rl_doc_tag(doc, n);
    if (tag) {
        /* the scalar's start mark includes its tag: skip "!Tag " */
        size_t tl = strlen(tag);
        if (p + tl > llen || memcmp(line + p, tag, tl) != 0)
            return false;
        p += tl;
        col += (uint32_t)tl;
        while (p < llen && line[p] == ' ') {
            p++;
            col++;
        }
    }
    if (n->flags & (RL_NODE_SQUOTED | RL_NODE_DQUOTED)) {
        p++;
        col++;
    }
    if (p + off + len > llen || memcmp(line + p, val, off + len) != 0)
        return false;
    out->start.line = out->end.line = n->span.start.line;
    out->start.column = col + (uint32_t)rl_utf8_count(val, off);
    out->end.column = out->start.column + (uint32_t)rl_utf8_count(val + off, len);
    return true;
}

static bool pos_le(rl_pos a, rl_pos b)
{
    return a.line < b.line || (a.line == b.line && a.column <= b.column);
}

bool rl_doc_subspan(const rl_doc *doc, const rl_node *n, size_t off, size_t len, rl_span *out)
{
    if (!find_subspan(doc, n, off, len, out))
        return false;
    /* The text matched, but a result outside the scalar's own span (e.g. the empty value
     * of `!Tag ` found after the spaces that follow it) would point elsewhere. */
    if (pos_le(n->span.start, out->start) && pos_le(out->end, n->span.end))
        return true;
    *out = n->span;
    return false;
}
