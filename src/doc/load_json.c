/* JSON reader that keeps positions: RFC 8259 into rl_node trees. Faster than going
 * through libyaml (see docs/performance.md), accepts keys of any length, reports the
 * first error with line and column, and keeps open containers on the heap, not the C stack. */
#include "doc_private.h"

#include "../base/strbuf.h"
#include "../base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open object or array. */
typedef struct jframe {
    rl_pos open_pos;
    size_t base;        /* its first child in the scratch stack */
    const rl_node *key; /* object: key of the member being read */
    size_t index;       /* array: items so far */
    bool is_map;
} jframe;

typedef struct jreader {
    rl_doc *doc;
    const char *text;
    size_t len;
    size_t pos;
    uint32_t line;
    size_t line_start;
    size_t cont; /* UTF-8 continuation bytes in the strings read so far on this line */
    const rl_span *embed;
    unsigned max_depth;
    rl_error *err;
    /* scratch stack of children for the containers being built */
    void **stack;
    size_t nstack, capstack;
    rl_strbuf sbuf;
    /* open containers, innermost last; also the path for duplicate-key messages */
    jframe *frames;
    size_t depth, capframes;
} jreader;

/* Position of byte `off`, a token boundary on the current line. Columns count code points,
 * and in valid JSON only strings hold non-ASCII bytes, whose continuation bytes
 * read_string counts: so this is O(1), where rescanning the line cost a third of the
 * reader's time (and a minified file is a single line). */
static rl_pos here(const jreader *r, size_t off)
{
    return (rl_pos){r->line, (uint32_t)(off - r->line_start - r->cont + 1)};
}

/* Exact position of any byte on the current line (errors may sit inside a string). */
static rl_pos here_exact(const jreader *r, size_t off)
{
    uint32_t col = 1;
    for (size_t i = r->line_start; i < off; i++)
        col += ((unsigned char)r->text[i] & 0xC0) != 0x80;
    return (rl_pos){r->line, col};
}

static int fail(jreader *r, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(jreader *r, size_t off, const char *fmt, ...)
{
    rl_pos p = here_exact(r, off < r->len ? off : r->len);
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rl_error_set(r->err, RL_EPARSE, rl_doc_path(r->doc), p.line, p.column, "%s", msg);
}

static int oom(jreader *r)
{
    return rl_error_set(r->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
}

#define ONES8 0x0101010101010101ULL
#define HIGH8 0x8080808080808080ULL

static uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
    return x;
}

static void skip_ws(jreader *r)
{
    const char *t = r->text;
    size_t i = r->pos, len = r->len;
    for (;;) {
        /* pretty-printed exports are ~40% indentation: skip spaces 8 at a time */
        while (i + 8 <= len && load8(t + i) == ONES8 * ' ')
            i += 8;
        while (i < len && t[i] == ' ')
            i++;
        if (i >= len)
            break;
        char c = t[i];
        if (c == '\n') {
            r->line++;
            r->line_start = i + 1;
            r->cont = 0;
        } else if (c != '\t' && c != '\r') {
            break;
        }
        i++;
    }
    r->pos = i;
}

/* True when none of the 8 bytes at p needs a look: no '"', '\\', control or non-ASCII
 * byte (the usual SWAR tests: v - 0x01.. & ~v & 0x80.. finds a zero byte). */
static bool plain8(const char *p)
{
    uint64_t x = load8(p), q = x ^ (ONES8 * '"'), b = x ^ (ONES8 * '\\');
    uint64_t special = ((q - ONES8) & ~q) | ((b - ONES8) & ~b) | ((x - ONES8 * 0x20) & ~x) | x;
    return !(special & HIGH8);
}

static rl_node *new_node(jreader *r, rl_node_kind kind, size_t start, size_t end)
{
    rl_node *n = rl_arena_alloc(r->doc->arena, sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    if (r->embed) {
        n->span = *r->embed;
        n->flags = RL_NODE_EMBEDDED;
    } else {
        n->span.start = here(r, start);
        n->span.end = here(r, end);
    }
    return n;
}

static int push(jreader *r, void *p)
{
    if (r->nstack == r->capstack) {
        size_t ncap = r->capstack ? r->capstack * 2 : 256;
        void **ns = realloc(r->stack, ncap * sizeof(*ns));
        if (!ns)
            return oom(r);
        r->stack = ns;
        r->capstack = ncap;
    }
    r->stack[r->nstack++] = p;
    return RL_OK;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Reads a string starting at the opening quote into `node` (arena memory). The text is at
 * most as long as the source (escapes only shorten it), so its length fits the node. */
static int read_string(jreader *r, rl_node *node)
{
    const char *t = r->text;
    size_t start = r->pos + 1, i = start, cont = 0;
    bool escaped = false;
    for (;;) {
        while (i + 8 <= r->len && plain8(t + i))
            i += 8;
        while (i < r->len && (unsigned char)t[i] >= 0x20 && (unsigned char)t[i] < 0x80 &&
               t[i] != '"' && t[i] != '\\')
            i++;
        if (i >= r->len)
            return fail(r, r->pos, "unterminated string (the input ends inside it)");
        unsigned char c = (unsigned char)t[i];
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            i += 2;
            continue;
        }
        if (c < 0x20)
            return fail(r, i, "%s",
                        c == 0 ? "NUL byte inside a string"
                               : "control character inside a string (escape it as \\n or \\t)");
        if (c >= 0x80) {
            size_t n = rl_utf8_seq((const unsigned char *)t + i, r->len - i, NULL);
            if (!n)
                return fail(r, i, "invalid UTF-8 byte sequence in a string");
            i += n;
            cont += n - 1;
            continue;
        }
        i++;
    }
    size_t end = i;  /* the closing quote */
    r->cont += cont; /* strings never span lines: a raw line break is an error above */
    if (!escaped) {
        node->u.s.str = rl_arena_strndup(r->doc->arena, t + start, end - start);
        node->u.s.len = (uint32_t)(end - start);
        r->pos = end + 1;
        return node->u.s.str ? RL_OK : oom(r);
    }
    rl_strbuf_clear(&r->sbuf);
    for (i = start; i < end;) {
        if (t[i] != '\\') {
            size_t j = i;
            while (j < end && t[j] != '\\')
                j++;
            rl_strbuf_append(&r->sbuf, t + i, j - i);
            i = j;
            continue;
        }
        char e = t[i + 1];
        char out;
        switch (e) {
        case '"':
            out = '"';
            break;
        case '\\':
            out = '\\';
            break;
        case '/':
            out = '/';
            break;
        case 'b':
            out = '\b';
            break;
        case 'f':
            out = '\f';
            break;
        case 'n':
            out = '\n';
            break;
        case 'r':
            out = '\r';
            break;
        case 't':
            out = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (i + 6 > end || hex4(t + i + 2, &cp) < 0)
                return fail(r, i, "invalid \\u escape (four hex digits expected)");
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (i + 6 > end || t[i] != '\\' || t[i + 1] != 'u' || hex4(t + i + 2, &lo) < 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return fail(r, i - 6, "unpaired UTF-16 surrogate in a \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(r, i - 6, "unpaired UTF-16 surrogate in a \\u escape");
            }
            char buf[4];
            rl_strbuf_append(&r->sbuf, buf, rl_utf8_encode(cp, buf));
            continue;
        }
        default:
            return fail(r, i, "invalid escape sequence in a string");
        }
        rl_strbuf_putc(&r->sbuf, out);
        i += 2;
    }
    if (r->sbuf.failed)
        return oom(r);
    node->u.s.len = (uint32_t)r->sbuf.len;
    node->u.s.str = rl_arena_strndup(r->doc->arena, rl_strbuf_cstr(&r->sbuf), r->sbuf.len);
    r->pos = end + 1;
    return node->u.s.str ? RL_OK : oom(r);
}

static int read_number(jreader *r, rl_node **out)
{
    const char *t = r->text;
    size_t i = r->pos;
    bool is_float = false;
    if (i < r->len && t[i] == '-')
        i++;
    if (i < r->len && t[i] == '0') {
        i++;
    } else if (i < r->len && t[i] >= '1' && t[i] <= '9') {
        while (i < r->len && t[i] >= '0' && t[i] <= '9')
            i++;
    } else {
        return fail(r, r->pos, "invalid number");
    }
    if (i < r->len && t[i] == '.') {
        is_float = true;
        i++;
        if (i >= r->len || t[i] < '0' || t[i] > '9')
            return fail(r, i, "invalid number: digits expected after '.'");
        while (i < r->len && t[i] >= '0' && t[i] <= '9')
            i++;
    }
    if (i < r->len && (t[i] == 'e' || t[i] == 'E')) {
        is_float = true;
        i++;
        if (i < r->len && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= r->len || t[i] < '0' || t[i] > '9')
            return fail(r, i, "invalid number: digits expected in the exponent");
        while (i < r->len && t[i] >= '0' && t[i] <= '9')
            i++;
    }
    rl_node *n = new_node(r, RL_NODE_SCALAR, r->pos, i);
    if (!n || !(n->u.s.str = rl_arena_strndup(r->doc->arena, t + r->pos, i - r->pos)))
        return oom(r);
    n->u.s.len = (uint32_t)(i - r->pos);
    n->type = is_float ? RL_SCALAR_FLOAT : RL_SCALAR_INT;
    r->pos = i;
    *out = n;
    return RL_OK;
}

static const char *path_of(void *ctx)
{
    jreader *r = ctx;
    rl_strbuf b = RL_STRBUF_INIT;
    /* frames[0 .. depth-1) are the ancestors of the object being closed */
    for (size_t d = 0; d + 1 < r->depth; d++) {
        const jframe *f = &r->frames[d];
        if (f->is_map) {
            if (b.len)
                rl_strbuf_putc(&b, '.');
            if (f->key)
                rl_strbuf_append(&b, f->key->u.s.str, f->key->u.s.len);
        } else {
            rl_strbuf_printf(&b, "[%zu]", f->index);
        }
    }
    char *s = rl_arena_strndup(r->doc->arena, rl_strbuf_cstr(&b), b.len);
    rl_strbuf_free(&b);
    return s;
}

/* A syntax error at `off` with the usual message (`msg`, worded as before: the docs and
 * golden outputs quote it). When the byte there is a NUL or invalid UTF-8, say so first,
 * since "expected ','" alone hides the real problem in a corrupted or binary file. */
static int fail_expected(jreader *r, size_t off, const char *msg)
{
    unsigned char c = off < r->len ? (unsigned char)r->text[off] : 0x20;
    if (off < r->len && c == 0)
        return fail(r, off, "NUL byte (%s)", msg);
    if (c >= 0x80 && !rl_utf8_seq((const unsigned char *)r->text + off, r->len - off, NULL))
        return fail(r, off, "invalid UTF-8 byte sequence (%s)", msg);
    return fail(r, off, "%s", msg);
}

static int fail_truncated(jreader *r, const jframe *f)
{
    char where[64];
    snprintf(where, sizeof(where), "%s started at line %u, column %u",
             f->is_map ? "object" : "array", f->open_pos.line, f->open_pos.column);
    return fail(r, r->len, "unexpected end of input inside the %s (truncated file?)", where);
}

/* Reads an object member's key and the ':' after it; the value follows. */
static int read_key(jreader *r, jframe *f)
{
    const char *t = r->text;
    int rc;
    skip_ws(r);
    if (r->pos >= r->len)
        return fail_truncated(r, f);
    if (t[r->pos] != '"')
        return fail_expected(r, r->pos, "object key expected (a double-quoted string)");
    rl_node *key = new_node(r, RL_NODE_SCALAR, r->pos, r->pos);
    if (!key)
        return oom(r);
    if ((rc = read_string(r, key)) < 0)
        return rc;
    key->flags |= RL_NODE_DQUOTED;
    if (!r->embed)
        key->span.end = here(r, r->pos);
    f->key = key;
    skip_ws(r);
    if (r->pos >= r->len)
        return fail_truncated(r, f);
    if (t[r->pos] != ':')
        return fail_expected(r, r->pos, "expected ':' after an object key");
    r->pos++;
    return push(r, key);
}

/* Reads a scalar (string, number, literal) at r->pos. */
static int read_scalar(jreader *r, rl_node **out)
{
    const char *t = r->text;
    char c = t[r->pos];
    if (c == '"') {
        size_t start = r->pos;
        rl_node *n = new_node(r, RL_NODE_SCALAR, start, start);
        if (!n)
            return oom(r);
        int rc = read_string(r, n);
        if (rc < 0)
            return rc;
        n->type = RL_SCALAR_STRING;
        n->flags |= RL_NODE_QUOTED | RL_NODE_DQUOTED;
        if (!r->embed)
            n->span.end = here(r, r->pos);
        *out = n;
        return RL_OK;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return read_number(r, out);
    static const struct {
        const char *word;
        size_t len;
        rl_scalar_type type;
    } lits[] = {
        {"true", 4, RL_SCALAR_BOOL}, {"false", 5, RL_SCALAR_BOOL}, {"null", 4, RL_SCALAR_NULL}};
    for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
        if (r->len - r->pos >= lits[i].len && !memcmp(t + r->pos, lits[i].word, lits[i].len)) {
            rl_node *n = new_node(r, RL_NODE_SCALAR, r->pos, r->pos + lits[i].len);
            if (!n)
                return oom(r);
            n->u.s.str = lits[i].word;
            n->u.s.len = (uint32_t)lits[i].len;
            n->type = (uint8_t)lits[i].type;
            r->pos += lits[i].len;
            *out = n;
            return RL_OK;
        }
    }
    if (c == '\0')
        return fail(r, r->pos, "NUL byte where a value was expected");
    if ((unsigned char)c >= 0x80 &&
        !rl_utf8_seq((const unsigned char *)t + r->pos, r->len - r->pos, NULL))
        return fail(r, r->pos, "invalid UTF-8 byte sequence where a value was expected");
    return fail(r, r->pos, "unexpected character: a JSON value was expected");
}

/* Builds the node of the innermost container from its children and pops its frame. */
static int close_container(jreader *r, rl_node **out)
{
    jframe *f = &r->frames[r->depth - 1];
    rl_node *n = new_node(r, f->is_map ? RL_NODE_MAPPING : RL_NODE_SEQUENCE, r->pos, r->pos);
    if (!n)
        return oom(r);
    if (!r->embed)
        n->span.start = f->open_pos;
    size_t count = r->nstack - f->base;
    if (f->is_map) {
        n->u.map.count = (uint32_t)(count / 2); /* a child per byte at most: fits */
        n->u.map.items = rl_arena_alloc(r->doc->arena, (count / 2) * sizeof(rl_pair));
        if (!n->u.map.items)
            return oom(r);
        for (size_t i = 0; i < count / 2; i++) {
            n->u.map.items[i].key = r->stack[f->base + 2 * i];
            n->u.map.items[i].value = r->stack[f->base + 2 * i + 1];
        }
        if (!r->embed && rl_doc_check_dups(r->doc, n, path_of, r) < 0)
            return oom(r);
    } else {
        n->u.seq.count = (uint32_t)count;
        n->u.seq.items = rl_arena_alloc(r->doc->arena, count * sizeof(rl_node *));
        if (!n->u.seq.items)
            return oom(r);
        if (count)
            memcpy(n->u.seq.items, r->stack + f->base, count * sizeof(rl_node *));
    }
    r->nstack = f->base;
    r->depth--;
    *out = n;
    return RL_OK;
}

/* Opens a container at r->pos ('{' or '['). Frames live on the heap, not the C stack, so
 * the nesting limit is the only bound on depth whatever the caller sets it to. */
static int open_container(jreader *r)
{
    rl_pos open_pos = here(r, r->pos);
    if (r->depth >= r->max_depth) {
        char lim[32];
        snprintf(lim, sizeof(lim), "%u", r->max_depth);
        return rl_error_set(r->err, RL_ELIMIT, rl_doc_path(r->doc), open_pos.line, open_pos.column,
                            "nesting deeper than %s levels", lim);
    }
    if (r->depth == r->capframes) {
        size_t ncap = r->capframes ? r->capframes * 2 : 32;
        jframe *nf = realloc(r->frames, ncap * sizeof(*nf));
        if (!nf)
            return oom(r);
        r->frames = nf;
        r->capframes = ncap;
    }
    jframe *f = &r->frames[r->depth++];
    f->open_pos = open_pos;
    f->base = r->nstack;
    f->key = NULL;
    f->index = 0;
    f->is_map = r->text[r->pos] == '{';
    r->pos++;
    return RL_OK;
}

/* Reads one value with everything nested in it, without recursion. */
static int read_value(jreader *r, rl_node **out)
{
    const char *t = r->text;
    size_t floor = r->depth; /* frames below this belong to the caller */
    rl_node *val = NULL;
    int rc;

value:
    skip_ws(r);
    if (r->pos >= r->len) {
        if (r->depth > floor)
            return fail_truncated(r, &r->frames[r->depth - 1]);
        return fail(r, r->pos, "unexpected end of input: a value was expected");
    }
    if (t[r->pos] == '{' || t[r->pos] == '[') {
        if ((rc = open_container(r)) < 0)
            return rc;
        jframe *f = &r->frames[r->depth - 1];
        skip_ws(r);
        if (r->pos < r->len && t[r->pos] == (f->is_map ? '}' : ']')) {
            r->pos++;
            if ((rc = close_container(r, &val)) < 0)
                return rc;
            goto have_value;
        }
        if (f->is_map && (rc = read_key(r, f)) < 0)
            return rc;
        goto value;
    }
    if ((rc = read_scalar(r, &val)) < 0)
        return rc;

have_value:
    if (r->depth == floor) {
        *out = val;
        return RL_OK;
    }
    {
        jframe *f = &r->frames[r->depth - 1];
        if ((rc = push(r, val)) < 0)
            return rc;
        f->index++;
        skip_ws(r);
        if (r->pos >= r->len)
            return fail_truncated(r, f);
        char c = t[r->pos];
        char close = f->is_map ? '}' : ']';
        if (c == ',') {
            r->pos++;
            skip_ws(r);
            if (r->pos < r->len && t[r->pos] == close)
                return fail(r, r->pos, "trailing comma before '%c'", close);
            if (f->is_map && (rc = read_key(r, f)) < 0)
                return rc;
            goto value;
        }
        if (c == close) {
            r->pos++;
            if ((rc = close_container(r, &val)) < 0)
                return rc;
            goto have_value;
        }
        return fail_expected(r, r->pos,
                             f->is_map ? "expected ',' or '}' after an object member"
                                       : "expected ',' or ']' after an array element");
    }
}

int rl_json_parse(rl_doc *doc, const char *text, size_t len, const rl_span *embed_span,
                  const rl_load_opts *opts, rl_node **out, rl_error *err)
{
    jreader r;
    int rc;
    memset(&r, 0, sizeof(r));
    r.doc = doc;
    r.text = text;
    r.len = len;
    r.line = 1;
    r.embed = embed_span;
    r.err = err;
    r.max_depth = opts && opts->max_depth ? opts->max_depth : RL_DEFAULT_MAX_DEPTH;
    r.sbuf = (rl_strbuf)RL_STRBUF_INIT;
    *out = NULL;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        r.pos = r.line_start = 3; /* a BOM is not a column */
    skip_ws(&r);
    if (r.pos >= len) {
        rc = RL_OK; /* empty document */
        goto cleanup;
    }
    if ((rc = read_value(&r, out)) < 0)
        goto cleanup;
    skip_ws(&r);
    if (r.pos < len) {
        rc = text[r.pos] == '\0'
                 ? fail(&r, r.pos, "NUL byte after the JSON value")
                 : fail_expected(&r, r.pos, "unexpected content after the JSON value");
        *out = NULL;
    }

cleanup:
    free(r.stack);
    free(r.frames);
    rl_strbuf_free(&r.sbuf);
    return rc;
}

int rl_load_json(rl_doc *doc, const rl_load_opts *opts, rl_error *err)
{
    size_t len;
    const char *text = rl_source_data(doc->src, &len);
    rl_node *root = NULL;
    int rc = rl_json_parse(doc, text, len, NULL, opts, &root, err);
    if (rc < 0)
        return rc;
    doc->root = root;
    doc->streams = root ? 1 : 0;
    return RL_OK;
}
