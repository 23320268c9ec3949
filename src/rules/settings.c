/* Rule settings with declared types: the type language of the rule metadata, checking a
 * value against a type (defaults in rule files, the config's `rules:` blocks), and the
 * typed views the checks read settings through. */
#include "settings.h"

#include <regionlint/input.h>

#include "../base/net.h"
#include "../base/strbuf.h"
#include "../base/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the type language ------------------------------------------------------------------ */

static const struct {
    const char *name, *one, *many;
    rl_settype_kind kind;
} scalars[] = {
    {"string", "a string", "strings", RL_ST_STRING},
    {"glob", "a glob", "globs", RL_ST_GLOB},
    {"host", "a host name", "host names", RL_ST_HOST},
    {"cidr", "an IPv4 CIDR block", "IPv4 CIDR blocks", RL_ST_CIDR},
    {"region", "a region code", "region codes", RL_ST_REGION},
    {"strategy", "a strategy", "strategies", RL_ST_STRATEGY},
    {"bool", "true or false", "booleans", RL_ST_BOOL},
    {"number", "a number", "numbers", RL_ST_NUMBER},
    {"duration", "a duration", "durations", RL_ST_DURATION},
};
#define NSCALARS (sizeof(scalars) / sizeof(*scalars))

/* What a value of type t is, for messages: "a list of host names". */
static void describe(rl_strbuf *b, const rl_settype *t, bool plural)
{
    for (size_t i = 0; i < NSCALARS; i++)
        if (scalars[i].kind == t->kind) {
            rl_strbuf_printf(b, "%s", plural ? scalars[i].many : scalars[i].one);
            return;
        }
    switch (t->kind) {
    case RL_ST_ENUM:
        rl_strbuf_printf(b, "%s", plural ? "each one of " : "one of ");
        for (size_t i = 0; i < t->n; i++)
            rl_strbuf_printf(b, "%s%s", i ? (i + 1 == t->n ? " or " : ", ") : "", t->names[i]);
        break;
    case RL_ST_LIST:
        rl_strbuf_printf(b, "%s", plural ? "lists of " : "a list of ");
        describe(b, t->item, true);
        break;
    case RL_ST_MAP:
        rl_strbuf_printf(b, "%s", plural ? "mappings of " : "a mapping of ");
        for (size_t i = 0; i < NSCALARS; i++)
            if (scalars[i].kind == t->keys)
                rl_strbuf_printf(b, "%s", scalars[i].many);
        rl_strbuf_printf(b, " to ");
        describe(b, t->item, true);
        break;
    case RL_ST_RECORD:
        rl_strbuf_printf(b, "%s{", plural ? "mappings " : "a mapping ");
        for (size_t i = 0; i < t->n; i++)
            rl_strbuf_printf(b, "%s%s", i ? ", " : "", t->names[i]);
        rl_strbuf_printf(b, "}");
        break;
    case RL_ST_ONEOF:
        for (size_t i = 0; i < t->n; i++) {
            if (i)
                rl_strbuf_printf(b, " or ");
            describe(b, t->fields[i], plural);
        }
        break;
    default:
        break;
    }
}

/* Levenshtein distance of two short strings (longer ones count as far apart). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The candidate nearest to `s` when it is near enough to be a misspelling, else NULL. */
static const char *nearest(const char *s, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bd = 99, len = strlen(s);
    size_t limit = len < 6 ? 1 : len < 10 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(s, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return bd <= limit ? best : NULL;
}

typedef struct tparse {
    rl_arena *a;
    const char *file;
    rl_error *err;
} tparse;

/* An RL_ECONFIG error at `at` in `file`: "<prefix>: <message>", or the message alone. */
static int node_error(rl_error *err, const char *file, const rl_node *at, const char *prefix,
                      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static int node_error(rl_error *err, const char *file, const rl_node *at, const char *prefix,
                      const char *fmt, va_list ap)
{
    char msg[600];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    return rl_error_set(err, RL_ECONFIG, file, at ? at->span.start.line : 0,
                        at ? at->span.start.column : 0, "%s%s%s", prefix ? prefix : "",
                        prefix ? ": " : "", msg);
}

static int terr(tparse *p, const rl_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int terr(tparse *p, const rl_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = node_error(p->err, p->file, at, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *const type_words[] = {"string",   "glob",   "host",   "cidr",     "region",
                                         "strategy", "bool",   "number", "duration", "list",
                                         "map",      "record", "enum",   "one-of"};

static int parse_type(tparse *p, const rl_node *n, const rl_settype **out);

static int parse_scalar_type(tparse *p, const rl_node *n, rl_settype *t)
{
    const char *s = rl_node_str(n);
    for (size_t i = 0; s && i < NSCALARS; i++)
        if (!strcmp(s, scalars[i].name)) {
            t->kind = scalars[i].kind;
            return RL_OK;
        }
    const char *near = s ? nearest(s, type_words, sizeof(type_words) / sizeof(*type_words)) : NULL;
    return terr(p, n,
                "unknown setting type '%s'%s%s%s (types: string, glob, host, cidr, region, "
                "strategy, bool, number, duration, {list: T}, {map: K, to: T}, {record: {...}}, "
                "{enum: [...]}, {one-of: [...]})",
                s ? s : "?", near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
}

/* The names of a flow list of strings ([a, b]), arena-copied. */
static int parse_names(tparse *p, const rl_node *n, const char *what, const char ***out,
                       size_t *count)
{
    if (!rl_node_is_seq(n) || !n->u.seq.count)
        return terr(p, n, "%s must be a non-empty list of names", what);
    const char **v = rl_arena_calloc(p->a, n->u.seq.count + 1, sizeof(*v));
    if (!v)
        return RL_ENOMEM;
    for (size_t i = 0; i < n->u.seq.count; i++) {
        const rl_node *it = n->u.seq.items[i];
        if (!rl_node_is_scalar(it) || it->type != RL_SCALAR_STRING || !it->u.s.len)
            return terr(p, it, "%s must be a list of names", what);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(v[j], it->u.s.str))
                return terr(p, it, "%s names '%s' twice", what, it->u.s.str);
        v[i] = it->u.s.str;
    }
    *out = v;
    *count = n->u.seq.count;
    return RL_OK;
}

static int parse_record(tparse *p, const rl_node *n, rl_settype *t)
{
    const rl_node *fields = rl_node_get(n, "record"), *req = rl_node_get(n, "required");
    if (!rl_node_is_map(fields) || !fields->u.map.count)
        return terr(p, fields ? fields : n, "record: must map field names to types");
    t->kind = RL_ST_RECORD;
    t->n = fields->u.map.count;
    t->names = rl_arena_calloc(p->a, t->n, sizeof(*t->names));
    t->fields = rl_arena_calloc(p->a, t->n, sizeof(*t->fields));
    t->required = rl_arena_calloc(p->a, t->n, sizeof(*t->required));
    if (!t->names || !t->fields || !t->required)
        return RL_ENOMEM;
    int rc;
    for (size_t i = 0; i < t->n; i++) {
        const rl_node *k = fields->u.map.items[i].key;
        if (!(t->names[i] = rl_node_str(k)) || !*t->names[i])
            return terr(p, k, "record field names must be strings");
        if ((rc = parse_type(p, fields->u.map.items[i].value, &t->fields[i])) < 0)
            return rc;
    }
    if (req) {
        const char **names;
        size_t nn;
        if ((rc = parse_names(p, req, "required", &names, &nn)) < 0)
            return rc;
        for (size_t i = 0; i < nn; i++) {
            size_t j = 0;
            while (j < t->n && strcmp(t->names[j], names[i]))
                j++;
            if (j == t->n)
                return terr(p, req->u.seq.items[i], "required names '%s', which is not a field",
                            names[i]);
            t->required[j] = true;
        }
    }
    return RL_OK;
}

/* A type: a scalar type name, or one of {list: T, min: N}, {map: K, to: T},
 * {record: {field: T, ...}, required: [field, ...]}, {enum: [a, b]}, {one-of: [T, T]}. */
static int parse_type(tparse *p, const rl_node *n, const rl_settype **out)
{
    rl_settype *t = rl_arena_calloc(p->a, 1, sizeof(*t));
    if (!t)
        return RL_ENOMEM;
    *out = t;
    if (rl_node_is_scalar(n))
        return parse_scalar_type(p, n, t);
    if (!rl_node_is_map(n))
        return terr(p, n, "a setting type is a type name or a mapping such as {list: glob}");
    static const char *const heads[] = {"list", "map", "record", "enum", "one-of"};
    static const char *const extras[] = {"min", "to", "required"};
    const char *head = NULL;
    for (size_t i = 0; i < n->u.map.count; i++) {
        const rl_node *k = n->u.map.items[i].key;
        const char *ks = rl_node_str(k);
        bool is_head = false, is_extra = false;
        for (size_t j = 0; ks && j < 5; j++)
            is_head |= !strcmp(ks, heads[j]);
        for (size_t j = 0; ks && j < 3; j++)
            is_extra |= !strcmp(ks, extras[j]);
        if (is_head && head)
            return terr(p, k, "a setting type has one of list, map, record, enum, one-of");
        if (is_head)
            head = ks;
        else if (!is_extra)
            return terr(p, k, "unknown key '%s' in a setting type", ks ? ks : "?");
    }
    if (!head)
        return terr(p, n, "a setting type mapping needs list, map, record, enum or one-of");
    const rl_node *min = rl_node_get(n, "min"), *to = rl_node_get(n, "to");
    const rl_node *req = rl_node_get(n, "required");
    if ((min && strcmp(head, "list")) || (to && strcmp(head, "map")) ||
        (req && strcmp(head, "record")))
        return terr(p, n, "min goes with list, to with map, required with record");
    int rc;
    if (!strcmp(head, "list")) {
        t->kind = RL_ST_LIST;
        if (min) {
            double v;
            if (!rl_node_number(min, &v) || v < 0 || v > 1000000 || v != (double)(size_t)v)
                return terr(p, min, "min must be a count");
            t->min = (size_t)v;
        }
        return parse_type(p, rl_node_get(n, "list"), &t->item);
    }
    if (!strcmp(head, "map")) {
        const rl_node *k = rl_node_get(n, "map");
        const char *ks = rl_node_str(k);
        t->kind = RL_ST_MAP;
        if (!ks || (strcmp(ks, "string") && strcmp(ks, "region") && strcmp(ks, "strategy")))
            return terr(p, k, "map keys are string, region or strategy");
        t->keys = !strcmp(ks, "string")   ? RL_ST_STRING
                  : !strcmp(ks, "region") ? RL_ST_REGION
                                          : RL_ST_STRATEGY;
        if (!to)
            return terr(p, n, "a map type needs `to:`, the type of its values");
        return parse_type(p, to, &t->item);
    }
    if (!strcmp(head, "record"))
        return parse_record(p, n, t);
    if (!strcmp(head, "enum")) {
        t->kind = RL_ST_ENUM;
        return parse_names(p, rl_node_get(n, "enum"), "enum", &t->names, &t->n);
    }
    const rl_node *alts = rl_node_get(n, "one-of");
    if (!rl_node_is_seq(alts) || alts->u.seq.count < 2)
        return terr(p, alts, "one-of needs a list of two or more types");
    t->kind = RL_ST_ONEOF;
    t->n = alts->u.seq.count;
    t->fields = rl_arena_calloc(p->a, t->n, sizeof(*t->fields));
    if (!t->fields)
        return RL_ENOMEM;
    for (size_t i = 0; i < t->n; i++)
        if ((rc = parse_type(p, alts->u.seq.items[i], &t->fields[i])) < 0)
            return rc;
    return RL_OK;
}

/* ---- checking a value against a type --------------------------------------------------- */

typedef struct vcheck {
    const char *file; /* where the value is written */
    rl_error *err;    /* NULL: only say whether it fits */
    char path[256];   /* rules.RL507.third-parties[0].hosts */
    size_t plen;
} vcheck;

static bool verr(vcheck *c, const rl_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool verr(vcheck *c, const rl_node *at, const char *fmt, ...)
{
    if (!c->err)
        return false;
    va_list ap;
    va_start(ap, fmt);
    node_error(c->err, c->file, at, c->path, fmt, ap);
    va_end(ap);
    return false;
}

static size_t push(vcheck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t push(vcheck *c, const char *fmt, ...)
{
    size_t old = c->plen;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
    va_end(ap);
    if (w > 0)
        c->plen = strlen(c->path);
    return old;
}

static void pop(vcheck *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

static const char *node_what(const rl_node *n)
{
    if (rl_node_is_map(n))
        return "a mapping";
    if (rl_node_is_seq(n))
        return "a list";
    switch (n->type) {
    case RL_SCALAR_BOOL:
        return "a boolean";
    case RL_SCALAR_NULL:
        return "null";
    case RL_SCALAR_INT:
    case RL_SCALAR_FLOAT:
        return "a number";
    default:
        return "a string";
    }
}

/* "expected a list of globs, not a mapping" */
static bool mismatch(vcheck *c, const rl_node *n, const rl_settype *t)
{
    if (!c->err)
        return false;
    rl_strbuf b = RL_STRBUF_INIT;
    describe(&b, t, false);
    if (rl_node_is_scalar(n) && n->type != RL_SCALAR_NULL)
        verr(c, n, "expected %s, not '%.80s'", b.failed ? "another type" : rl_strbuf_cstr(&b),
             n->u.s.str);
    else
        verr(c, n, "expected %s, not %s", b.failed ? "another type" : rl_strbuf_cstr(&b),
             node_what(n));
    rl_strbuf_free(&b);
    return false;
}

static bool textual(const rl_node *n)
{
    return rl_node_is_scalar(n) && n->u.s.len &&
           (n->type == RL_SCALAR_STRING || n->type == RL_SCALAR_INT || n->type == RL_SCALAR_FLOAT);
}

static bool check(vcheck *c, const rl_settype *t, const rl_node *n);

/* "'pilot-lite' is not a strategy (did you mean pilot-light? backup-restore, ...)" */
static bool unknown_value(vcheck *c, const rl_node *n, const char *what, const char *const *names,
                          size_t count)
{
    if (!c->err)
        return false;
    const char *near = nearest(n->u.s.str, names, count);
    rl_strbuf list = RL_STRBUF_INIT;
    for (size_t i = 0; i < count; i++)
        rl_strbuf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    verr(c, n, "'%.80s' is not %s (%s)%s%s%s", n->u.s.str, what, rl_strbuf_cstr(&list),
         near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
    rl_strbuf_free(&list);
    return false;
}

static bool check_scalar(vcheck *c, const rl_settype *t, const rl_node *n)
{
    const char *s = n->u.s.str;
    uint32_t net;
    unsigned prefix;
    double d;
    bool b;
    switch (t->kind) {
    case RL_ST_STRING:
    case RL_ST_GLOB:
        return textual(n) || mismatch(c, n, t);
    case RL_ST_HOST:
        if (!textual(n))
            return mismatch(c, n, t);
        return rl_domain_valid(s) ||
               verr(c, n, "'%.80s' is not a host name (such as corp.example.com)", s);
    case RL_ST_CIDR:
        if (!textual(n))
            return mismatch(c, n, t);
        return rl_cidr_parse(s, n->u.s.len, &net, &prefix) ||
               verr(c, n, "'%.80s' is not an IPv4 CIDR block (such as 10.0.0.0/16)", s);
    case RL_ST_REGION:
        if (!textual(n))
            return mismatch(c, n, t);
        return rl_is_region(s, n->u.s.len) ||
               verr(c, n, "'%.80s' is not an AWS region code (such as us-west-2)", s);
    case RL_ST_STRATEGY: {
        if (!textual(n))
            return mismatch(c, n, t);
        if (rl_strategy_parse(s) >= 0)
            return true;
        const char *names[RL_STRATEGY_COUNT];
        for (int i = 0; i < RL_STRATEGY_COUNT; i++)
            names[i] = rl_strategy_name((rl_strategy)i);
        return unknown_value(c, n, "a strategy", names, RL_STRATEGY_COUNT);
    }
    case RL_ST_ENUM:
        for (size_t i = 0; textual(n) && i < t->n; i++)
            if (!strcmp(s, t->names[i]))
                return true;
        return textual(n) ? unknown_value(c, n, "an allowed value", t->names, t->n)
                          : mismatch(c, n, t);
    case RL_ST_BOOL:
        return (n->type == RL_SCALAR_BOOL && rl_node_bool(n, &b)) || mismatch(c, n, t);
    case RL_ST_NUMBER:
        return ((n->type == RL_SCALAR_INT || n->type == RL_SCALAR_FLOAT) &&
                rl_node_number(n, &d)) ||
               mismatch(c, n, t);
    case RL_ST_DURATION:
        if (!textual(n))
            return mismatch(c, n, t);
        return rl_duration_parse(s, 0) >= 0 ||
               verr(c, n, "'%.80s' is not a duration (such as 90s, 15m, 1h, 2h30m, 1d)", s);
    default:
        return mismatch(c, n, t);
    }
}

/* A key that is not one of `names` (the `label` of the list: "settings", "keys"); names the
 * nearest one when it looks like a typo. */
static bool unknown_key(vcheck *c, const rl_node *k, const char *what, const char *label,
                        const char *const *names, size_t n)
{
    if (!c->err)
        return false;
    const char *ks = rl_node_str(k) ? rl_node_str(k) : "?";
    const char *near = nearest(ks, names, n);
    rl_strbuf list = RL_STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        rl_strbuf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    verr(c, k, "%s '%.80s'%s%s%s (%s: %s)", what, ks, near ? "; did you mean " : "",
         near ? near : "", near ? "?" : "", label, rl_strbuf_cstr(&list));
    rl_strbuf_free(&list);
    return false;
}

static bool check_map(vcheck *c, const rl_settype *t, const rl_node *n)
{
    if (!rl_node_is_map(n))
        return mismatch(c, n, t);
    rl_settype key = {.kind = t->keys};
    for (size_t i = 0; i < n->u.map.count; i++) {
        const rl_node *k = n->u.map.items[i].key;
        if (!check_scalar(c, &key, k))
            return false;
        size_t old = push(c, ".%.60s", k->u.s.str);
        bool ok = check(c, t->item, n->u.map.items[i].value);
        pop(c, old);
        if (!ok)
            return false;
    }
    return true;
}

static bool check_record(vcheck *c, const rl_settype *t, const rl_node *n)
{
    if (!rl_node_is_map(n))
        return mismatch(c, n, t);
    for (size_t i = 0; i < n->u.map.count; i++) {
        const rl_node *k = n->u.map.items[i].key;
        size_t f = 0;
        while (f < t->n && !rl_node_streq(k, t->names[f]))
            f++;
        if (f == t->n)
            return unknown_key(c, k, "unknown key", "keys", t->names, t->n);
        size_t old = push(c, ".%s", t->names[f]);
        bool ok = check(c, t->fields[f], n->u.map.items[i].value);
        pop(c, old);
        if (!ok)
            return false;
    }
    for (size_t f = 0; f < t->n; f++)
        if (t->required[f] && !rl_node_get(n, t->names[f]))
            return verr(c, n, "needs the key '%s'", t->names[f]);
    return true;
}

/* The alternative of a one-of that `n` fits, or NULL. */
static const rl_settype *oneof_pick(const rl_settype *t, const rl_node *n)
{
    for (size_t i = 0; i < t->n; i++) {
        vcheck quiet = {NULL, NULL, "", 0};
        if (check(&quiet, t->fields[i], n))
            return t->fields[i];
    }
    return NULL;
}

static bool same_shape(const rl_settype *t, const rl_node *n)
{
    switch (t->kind) {
    case RL_ST_LIST:
        return rl_node_is_seq(n);
    case RL_ST_MAP:
    case RL_ST_RECORD:
        return rl_node_is_map(n);
    case RL_ST_ONEOF:
        return false;
    default:
        return rl_node_is_scalar(n);
    }
}

static bool check(vcheck *c, const rl_settype *t, const rl_node *n)
{
    switch (t->kind) {
    case RL_ST_LIST: {
        bool lone = rl_node_is_scalar(n) && n->type != RL_SCALAR_NULL;
        if (!rl_node_is_seq(n) && !lone)
            return mismatch(c, n, t);
        size_t count = lone ? 1 : n->u.seq.count;
        if (count < t->min)
            return verr(c, n, "needs at least %zu item%s", t->min, t->min == 1 ? "" : "s");
        if (lone)
            return check(c, t->item, n);
        for (size_t i = 0; i < count; i++) {
            size_t old = push(c, "[%zu]", i);
            bool ok = check(c, t->item, n->u.seq.items[i]);
            pop(c, old);
            if (!ok)
                return false;
        }
        return true;
    }
    case RL_ST_MAP:
        return check_map(c, t, n);
    case RL_ST_RECORD:
        return check_record(c, t, n);
    case RL_ST_ONEOF: {
        if (oneof_pick(t, n))
            return true;
        /* the alternative of the same shape says best what is wrong inside the value */
        for (size_t i = 0; i < t->n; i++)
            if (same_shape(t->fields[i], n))
                return check(c, t->fields[i], n);
        return mismatch(c, n, t);
    }
    default:
        return rl_node_is_scalar(n) ? check_scalar(c, t, n) : mismatch(c, n, t);
    }
}

/* ---- declarations ---------------------------------------------------------------------- */

int rl_settings_parse(rl_arena *a, const char *file, const char *rule_id, const rl_node *settings,
                      rl_setting_decl **out, size_t *n, rl_error *err)
{
    tparse p = {a, file, err};
    *out = NULL;
    *n = 0;
    if (!rl_node_is_map(settings))
        return terr(&p, settings,
                    "settings must map each setting's name to {type: TYPE, default: VALUE}");
    size_t count = settings->u.map.count;
    rl_setting_decl *d = rl_arena_calloc(a, count + 1, sizeof(*d));
    if (!d)
        return RL_ENOMEM;
    int rc;
    for (size_t i = 0; i < count; i++) {
        const rl_node *k = settings->u.map.items[i].key, *v = settings->u.map.items[i].value;
        d[i].name = rl_node_str(k);
        d[i].at = k;
        if (!d[i].name || !*d[i].name)
            return terr(&p, k, "setting names must be strings");
        if (!rl_node_is_map(v) || !rl_node_get(v, "type"))
            return terr(&p, v ? v : k,
                        "setting %s must be declared as {type: TYPE, default: VALUE} (see "
                        "docs/CONTRIBUTING.md)",
                        d[i].name);
        for (size_t j = 0; j < v->u.map.count; j++) {
            const rl_node *dk = v->u.map.items[j].key;
            if (!rl_node_streq(dk, "type") && !rl_node_streq(dk, "default"))
                return terr(&p, dk, "setting %s: unknown key '%s' (expected type, default)",
                            d[i].name, rl_node_str(dk) ? rl_node_str(dk) : "?");
        }
        if ((rc = parse_type(&p, rl_node_get(v, "type"), &d[i].type)) < 0)
            return rc;
        d[i].def = rl_node_get(v, "default");
        if (d[i].def) {
            vcheck c = {file, err, "", 0};
            push(&c, "%s setting %s: default", rule_id, d[i].name);
            if (!check(&c, d[i].type, d[i].def))
                return RL_ECONFIG;
        }
    }
    *out = d;
    *n = count;
    return RL_OK;
}

const rl_setting_decl *rl_settings_find(const rl_rule *rule, const char *key)
{
    for (size_t i = 0; rule && key && i < rule->nsettings; i++)
        if (!strcmp(rule->settings[i].name, key))
            return &rule->settings[i];
    return NULL;
}

/* ---- the config's settings blocks ------------------------------------------------------ */

static int unknown_rule(const rl_registry *reg, const rl_config *cfg, const rl_config_setting *s,
                        rl_error *err)
{
    size_t n = rl_registry_count(reg);
    const char **ids = calloc(n + 1, sizeof(*ids));
    if (!ids)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        ids[i] = rl_registry_at(reg, i)->id;
    const char *near = nearest(s->rule, ids, n);
    const rl_node *at = s->key ? s->key : s->node;
    int rc = rl_error_set(err, RL_ECONFIG, cfg->path, at ? at->span.start.line : 0,
                          at ? at->span.start.column : 0,
                          "rules.%s: settings for a rule that does not exist (%s%s%s"
                          "see --list-rules)",
                          s->rule, near ? "did you mean " : "", near ? near : "", near ? "? " : "");
    free(ids);
    return rc;
}

int rl_settings_check_config(const rl_registry *reg, const rl_config *cfg, rl_error *err)
{
    for (size_t i = 0; cfg && i < cfg->nsettings; i++) {
        const rl_config_setting *s = &cfg->settings[i];
        const rl_rule *r = rl_registry_find(reg, s->rule);
        if (!r)
            return unknown_rule(reg, cfg, s, err);
        const rl_node *block = s->node;
        vcheck c = {cfg->path, err, "", 0};
        push(&c, "rules.%s", r->id);
        for (size_t k = 0; rl_node_is_map(block) && k < block->u.map.count; k++) {
            const rl_node *key = block->u.map.items[k].key;
            const rl_setting_decl *d = rl_settings_find(r, rl_node_str(key));
            if (!d && !r->nsettings) {
                verr(&c, key, "%s has no settings (see --explain %s)", r->id, r->id);
                return RL_ECONFIG;
            }
            if (!d) {
                const char **names = calloc(r->nsettings, sizeof(*names));
                if (!names)
                    return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
                for (size_t j = 0; j < r->nsettings; j++)
                    names[j] = r->settings[j].name;
                char what[96];
                snprintf(what, sizeof(what), "%s has no setting", r->id);
                unknown_key(&c, key, what, "settings", names, r->nsettings);
                free(names);
                return RL_ECONFIG;
            }
            size_t old = push(&c, ".%s", d->name);
            bool ok = check(&c, d->type, block->u.map.items[k].value);
            pop(&c, old);
            if (!ok)
                return RL_ECONFIG;
        }
    }
    return RL_OK;
}

/* ---- typed views ----------------------------------------------------------------------- */

rl_setting rl_setting_view(const rl_node *node, const rl_node *fallback, const rl_settype *t)
{
    if (!node) {
        node = fallback;
        fallback = NULL;
    }
    while (t && node && t->kind == RL_ST_ONEOF) {
        const rl_settype *alt = oneof_pick(t, node);
        t = alt ? alt : t->fields[0];
    }
    /* a default only fills in the entries of a map */
    if (!t || t->kind != RL_ST_MAP || !rl_node_is_map(fallback))
        fallback = NULL;
    return (rl_setting){node, fallback, t};
}

rl_setting_kind rl_setting_kind_of(rl_setting s)
{
    if (!s.node || !s.type)
        return RL_SETTING_UNSET;
    switch (s.type->kind) {
    case RL_ST_BOOL:
        return RL_SETTING_BOOL;
    case RL_ST_NUMBER:
        return RL_SETTING_NUMBER;
    case RL_ST_DURATION:
        return RL_SETTING_DURATION;
    case RL_ST_LIST:
        return RL_SETTING_LIST;
    case RL_ST_MAP:
        return RL_SETTING_MAP;
    case RL_ST_RECORD:
        return RL_SETTING_RECORD;
    default:
        return RL_SETTING_STRING;
    }
}

/* Entries of the default that the value does not have, in order: entry i of a map view is
 * the value's entry i, then these. */
static const rl_pair *map_entry(rl_setting s, size_t i)
{
    if (!rl_node_is_map(s.node))
        return NULL;
    if (i < s.node->u.map.count)
        return &s.node->u.map.items[i];
    i -= s.node->u.map.count;
    for (size_t j = 0; s.fallback && j < s.fallback->u.map.count; j++) {
        const rl_pair *p = &s.fallback->u.map.items[j];
        if (rl_node_get(s.node, rl_node_str(p->key)))
            continue;
        if (i-- == 0)
            return p;
    }
    return NULL;
}

size_t rl_setting_count(rl_setting s)
{
    switch (rl_setting_kind_of(s)) {
    case RL_SETTING_LIST:
        return rl_node_is_seq(s.node) ? s.node->u.seq.count : 1;
    case RL_SETTING_MAP: {
        size_t n = 0;
        while (map_entry(s, n))
            n++;
        return n;
    }
    default:
        return 0;
    }
}

rl_setting rl_setting_at(rl_setting s, size_t i)
{
    rl_setting none = {NULL, NULL, NULL};
    switch (rl_setting_kind_of(s)) {
    case RL_SETTING_LIST:
        if (!rl_node_is_seq(s.node))
            return i == 0 ? rl_setting_view(s.node, NULL, s.type->item) : none;
        return i < s.node->u.seq.count ? rl_setting_view(s.node->u.seq.items[i], NULL, s.type->item)
                                       : none;
    case RL_SETTING_MAP: {
        const rl_pair *p = map_entry(s, i);
        return p ? rl_setting_view(p->value, NULL, s.type->item) : none;
    }
    default:
        return none;
    }
}

const char *rl_setting_key_at(rl_setting s, size_t i)
{
    const rl_pair *p = rl_setting_kind_of(s) == RL_SETTING_MAP ? map_entry(s, i) : NULL;
    return p ? rl_node_str(p->key) : NULL;
}

rl_setting rl_setting_get(rl_setting s, const char *key)
{
    rl_setting none = {NULL, NULL, NULL};
    switch (rl_setting_kind_of(s)) {
    case RL_SETTING_MAP: {
        const rl_node *v = rl_node_get(s.node, key);
        if (!v)
            v = rl_node_get(s.fallback, key);
        return v ? rl_setting_view(v, NULL, s.type->item) : none;
    }
    case RL_SETTING_RECORD:
        for (size_t f = 0; f < s.type->n; f++)
            if (!strcmp(s.type->names[f], key)) {
                const rl_node *v = rl_node_get(s.node, key);
                return v ? rl_setting_view(v, NULL, s.type->fields[f]) : none;
            }
        return none;
    default:
        return none;
    }
}

const char *rl_setting_str(rl_setting s)
{
    return rl_setting_kind_of(s) == RL_SETTING_STRING ? rl_node_str(s.node) : NULL;
}

bool rl_setting_bool(rl_setting s)
{
    bool b = false;
    return rl_setting_kind_of(s) == RL_SETTING_BOOL && rl_node_bool(s.node, &b) && b;
}

double rl_setting_number(rl_setting s)
{
    double d = 0;
    if (rl_setting_kind_of(s) != RL_SETTING_NUMBER || !rl_node_number(s.node, &d))
        return 0;
    return d;
}

long rl_setting_seconds(rl_setting s)
{
    return rl_setting_kind_of(s) == RL_SETTING_DURATION ? rl_duration_parse(rl_node_str(s.node), 0)
                                                        : -1;
}
