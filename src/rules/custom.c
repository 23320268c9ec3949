/* Custom rules (docs/custom-rules.md): RLX rules from rule files whose `match:` names the
 * input kinds, resource types, logical paths and region roles to look at and a PCRE2
 * pattern. The pattern is compiled once (JIT when available) and run with match, depth
 * and heap limits, so a hostile pattern ends the run with an error instead of hanging it. */
#include <regionlint/eval.h>

#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "checks.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits of one match (see docs/custom-rules.md). A pattern's own (*LIMIT_MATCH=...) can
 * only lower them. */
#define RL_PCRE2_MATCH_LIMIT 1000000u
#define RL_PCRE2_DEPTH_LIMIT 100000u
#define RL_PCRE2_HEAP_LIMIT  16384u /* KiB */
#define RL_JIT_STACK_MAX     (1024 * 1024)

enum { ROLE_PRIMARY = 1, ROLE_STANDBY = 2, ROLE_SHARED = 4 };

/* The placeholders of `message:`; {0}..{9} are the pattern's capture groups. */
static const char *const placeholders[] = {"rule",  "title", "resource", "type", "path", "property",
                                           "value", "match", "region",   "role", "file", NULL};

struct rl_custom {
    const char *file;   /* the rule file */
    rl_span pattern_at; /* the pattern's position in it */
    pcre2_code *code;
    bool jit;
    unsigned kinds; /* bit per rl_input_kind; 0 = every kind with resources */
    const char **types, **paths, **regions;
    size_t ntypes, npaths, nregions;
    rl_globset *type_globs, *path_globs; /* types and paths, compiled */
    unsigned roles;
    const char *message; /* template */
};

void rl_custom_free(rl_custom *c)
{
    if (!c)
        return;
    pcre2_code_free(c->code);
    rl_globset_free(c->type_globs);
    rl_globset_free(c->path_globs);
    free(c->types);
    free(c->paths);
    free(c->regions);
    free(c);
}

/* ---- compiling a rule's match: -------------------------------------------------------- */

typedef struct cmeta {
    const char *file;
    rl_error *err;
} cmeta;

static int fail(cmeta *m, const rl_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(cmeta *m, const rl_node *n, const char *fmt, ...)
{
    char msg[450];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rl_error_set(m->err, RL_ECONFIG, m->file, n ? n->span.start.line : 0,
                        n ? n->span.start.column : 0, "%s", msg);
}

/* A string or a list of strings, as a NULL-terminated malloc'd array of the node strings. */
static int str_list(cmeta *m, const rl_node *n, const char *key, const char ***out, size_t *count)
{
    size_t cnt = rl_node_is_seq(n) ? n->u.seq.count : 1;
    const char **v = calloc(cnt + 1, sizeof(*v));
    if (!v)
        return rl_error_set(m->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < cnt; i++) {
        const rl_node *it = rl_node_is_seq(n) ? n->u.seq.items[i] : n;
        if (!rl_node_is_scalar(it) || it->type == RL_SCALAR_NULL || !*it->u.s.str) {
            free(v);
            return fail(m, it, "match.%s must be a string or a list of strings", key);
        }
        v[i] = it->u.s.str;
    }
    *out = v;
    *count = cnt;
    return RL_OK;
}

static int parse_kinds(cmeta *m, rl_custom *c, const rl_node *n)
{
    static const rl_input_kind ok[] = {RL_INPUT_CFN_TEMPLATE, RL_INPUT_TF_CONFIG, RL_INPUT_TF_PLAN,
                                       RL_INPUT_TF_STATE};
    const char **names = NULL;
    size_t count = 0;
    int rc = str_list(m, n, "kinds", &names, &count);
    for (size_t i = 0; rc == RL_OK && i < count; i++) {
        bool found = false;
        for (size_t k = 0; k < sizeof(ok) / sizeof(*ok) && !found; k++)
            if (!strcmp(names[i], rl_input_kind_name(ok[k]))) {
                c->kinds |= 1u << ok[k];
                found = true;
            }
        if (!found)
            rc = fail(m, rl_node_is_seq(n) ? n->u.seq.items[i] : n,
                      "match.kinds: '%s' is not a kind with resources (expected cfn-template, "
                      "terraform-config, terraform-plan or terraform-state)",
                      names[i]);
    }
    free(names);
    return rc;
}

static int parse_regions(cmeta *m, rl_custom *c, const rl_node *n)
{
    int rc = str_list(m, n, "regions", &c->regions, &c->nregions);
    size_t o = 0;
    for (size_t i = 0; rc == RL_OK && i < c->nregions; i++) {
        const char *r = c->regions[i];
        if (!strcmp(r, "primary"))
            c->roles |= ROLE_PRIMARY;
        else if (!strcmp(r, "standby"))
            c->roles |= ROLE_STANDBY;
        else if (!strcmp(r, "shared"))
            c->roles |= ROLE_SHARED;
        else if (rl_is_region(r, strlen(r)))
            c->regions[o++] = r; /* a region code: only stacks deployed there */
        else
            rc = fail(m, rl_node_is_seq(n) ? n->u.seq.items[i] : n,
                      "match.regions: '%s' is neither a region role (primary, standby, "
                      "shared) nor a region code",
                      r);
    }
    if (rc == RL_OK) {
        c->nregions = o;
        c->regions[o] = NULL;
    }
    return rc;
}

/* Checks the placeholders of the message template at load time, so a typo is an error in
 * the rule file (at the placeholder) rather than a strange message later. */
static int check_message(cmeta *m, const rl_doc *doc, const rl_node *n, uint32_t ncaptures)
{
    const char *s = n->u.s.str;
    rl_span at;
    for (const char *p = s; *p; p++) {
        if (*p == '}' && p[1] == '}') {
            p++;
            continue;
        }
        if (*p != '{')
            continue;
        if (p[1] == '{') {
            p++;
            continue;
        }
        const char *e = strchr(p, '}');
        rl_doc_subspan(doc, n, (size_t)(p - s), e ? (size_t)(e - p + 1) : 1, &at);
        if (!e)
            return rl_error_set(m->err, RL_ECONFIG, m->file, at.start.line, at.start.column,
                                "match.message: '{' without '}' (write {{ for a brace)");
        size_t len = (size_t)(e - p - 1);
        bool ok = len == 1 && p[1] >= '0' && p[1] <= '9' && (uint32_t)(p[1] - '0') <= ncaptures;
        for (size_t i = 0; !ok && placeholders[i]; i++)
            ok = strlen(placeholders[i]) == len && !strncmp(p + 1, placeholders[i], len);
        if (!ok)
            return rl_error_set(m->err, RL_ECONFIG, m->file, at.start.line, at.start.column,
                                "match.message: unknown placeholder {%.*s} (expected {resource}, "
                                "{type}, {path}, {property}, {value}, {match}, {region}, "
                                "{role}, {file}, {rule}, {title} or {0}..{%u} for the "
                                "pattern's groups)",
                                (int)(len > 40 ? 40 : len), p + 1, ncaptures < 9 ? ncaptures : 9);
        p = e;
    }
    return RL_OK;
}

static int compile_pattern(cmeta *m, rl_custom *c, const rl_doc *doc, const rl_node *n)
{
    int errcode;
    PCRE2_SIZE erroff;
    if (!rl_node_is_scalar(n) || n->type == RL_SCALAR_NULL || !n->u.s.len)
        return fail(m, n, "match.pattern must be a non-empty string (a PCRE2 regular expression)");
    c->pattern_at = n->span;
    /* invalid UTF-8 cannot reach a value (the loaders reject it), but a value can hold
     * U+FFFD for a piece that cannot be known; MATCH_INVALID_UTF keeps matching total */
    c->code = pcre2_compile((PCRE2_SPTR)n->u.s.str, n->u.s.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                            &errcode, &erroff, NULL);
    if (!c->code) {
        PCRE2_UCHAR msg[256];
        rl_span at;
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        /* an error at the end (a missing ')') points at the last character */
        size_t off = erroff < n->u.s.len ? erroff : n->u.s.len - 1;
        rl_doc_subspan(doc, n, off, 1, &at);
        return rl_error_set(m->err, RL_ECONFIG, m->file, at.start.line, at.start.column,
                            "match.pattern is not a valid PCRE2 pattern: %s (at offset %zu)",
                            (const char *)msg, (size_t)erroff);
    }
    /* JIT where the library has it; the interpreter otherwise (same results, same limits) */
    c->jit = pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE) == 0;
    return RL_OK;
}

int rl_custom_compile(rl_custom **out, const rl_doc *doc, const char *file, const rl_node *match,
                      rl_error *err)
{
    cmeta m = {file, err};
    rl_custom *c = calloc(1, sizeof(*c));
    int rc = RL_OK;
    const rl_node *pattern = NULL, *message = NULL;
    *out = NULL;
    if (!c)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    c->file = file;
    if (!rl_node_is_map(match)) {
        rc = fail(&m, match,
                  "`match:` must be a mapping {kinds, resource-types, paths, regions, pattern, "
                  "message}");
        goto cleanup;
    }
    for (size_t i = 0; i < match->u.map.count && rc == RL_OK; i++) {
        const rl_node *k = match->u.map.items[i].key, *v = match->u.map.items[i].value;
        const char *key = rl_node_str(k);
        if (key && !strcmp(key, "kinds"))
            rc = parse_kinds(&m, c, v);
        else if (key && !strcmp(key, "resource-types"))
            rc = str_list(&m, v, "resource-types", &c->types, &c->ntypes);
        else if (key && !strcmp(key, "paths"))
            rc = str_list(&m, v, "paths", &c->paths, &c->npaths);
        else if (key && !strcmp(key, "regions"))
            rc = parse_regions(&m, c, v);
        else if (key && !strcmp(key, "pattern"))
            pattern = v;
        else if (key && !strcmp(key, "message"))
            message = v;
        else
            rc = fail(&m, k,
                      "unknown key 'match.%s' (expected kinds, resource-types, paths, regions, "
                      "pattern, message)",
                      key ? key : "?");
    }
    if (rc == RL_OK && !pattern)
        rc = fail(&m, match, "`match:` needs `pattern:`, the PCRE2 pattern values must match");
    if (rc == RL_OK && (rl_globset_new(&c->type_globs, c->types, c->ntypes, 0) < 0 ||
                        rl_globset_new(&c->path_globs, c->paths, c->npaths, 0) < 0))
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc == RL_OK)
        rc = compile_pattern(&m, c, doc, pattern);
    if (rc == RL_OK && message) {
        uint32_t ncap = 0;
        pcre2_pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT, &ncap);
        if (!rl_node_is_scalar(message) || message->type == RL_SCALAR_NULL || !message->u.s.len)
            rc = fail(&m, message, "match.message must be a non-empty string");
        else if ((rc = check_message(&m, doc, message, ncap)) == RL_OK)
            c->message = message->u.s.str;
    }

cleanup:
    if (rc < 0) {
        rl_custom_free(c);
        return rc;
    }
    *out = c;
    return RL_OK;
}

/* ---- running a rule ------------------------------------------------------------------ */

typedef struct crun {
    rl_rule_ctx *ctx;
    const rl_rule *rule;
    const rl_custom *c;
    const rl_model *m;
    const rl_stack *st;
    const rl_resource *res;
    const rl_node *leaf;
    const rl_walk *w;
    const char *path; /* the leaf's path, made when a rule selects paths or on a match */
    const rl_evstr *s;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    rl_hmap seen; /* "file|line|col|region" -> finding already made there */
    rl_arena *arena;
    rl_strbuf key, msg;
    int rc;
} crun;

/* `path` or one of its ancestors matches: "*.Environment" takes in everything below. */
static bool path_match(const rl_globset *globs, const char *path)
{
    char buf[2048];
    size_t n = strlen(path);
    if (rl_globset_match(globs, path))
        return true;
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, path, n + 1);
    while (n--) {
        if (buf[n] != '.' && buf[n] != '[')
            continue;
        buf[n] = '\0';
        if (rl_globset_match(globs, buf))
            return true;
    }
    return false;
}

static bool stack_wanted(const rl_custom *c, const rl_model *m, const rl_stack *st)
{
    if (!st->region || !rl_model_in_pair(m, st->region) || !st->input)
        return false;
    if (c->kinds && !(c->kinds & (1u << st->input->kind)))
        return false;
    if (!c->roles && !c->nregions)
        return true;
    bool primary = rl_model_is_primary(m, st->region);
    if (((c->roles & ROLE_PRIMARY) && primary) || ((c->roles & ROLE_STANDBY) && !primary) ||
        ((c->roles & ROLE_SHARED) && st->shared))
        return true;
    for (size_t i = 0; i < c->nregions; i++)
        if (!strcmp(c->regions[i], st->region))
            return true;
    return false;
}

/* Bytes of the value for a message: escaped, shortened, and pieces that cannot be known
 * shown as the expression they come from (${AWS::AccountId}, ${PaymentsHost}). */
static void put_value(rl_strbuf *b, const rl_evstr *s, size_t off, size_t len)
{
    size_t end = off + len;
    for (size_t i = 0; i < s->nparts && b->len < 400; i++) {
        const rl_strpart *p = &s->parts[i];
        size_t ps = p->off > off ? p->off : off;
        size_t pe = p->off + p->len < end ? p->off + p->len : end;
        if (ps >= pe)
            continue;
        if (!p->origin && p->via && p->len == 3 && !memcmp(s->str + p->off, "\xEF\xBF\xBD", 3)) {
            const char *name = !strncmp(p->via, "parameter ", 10) ? p->via + 10 : p->via;
            rl_strbuf_printf(b, "${%s}", name);
        } else {
            rl_strbuf_put_escaped(b, s->str + ps, pe - ps, 160);
        }
    }
    if (!s->nparts)
        rl_strbuf_put_escaped(b, s->str + off, len, 160);
}

static const char *last_key(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

static void render(crun *r, const PCRE2_SIZE *ov, int ngroups)
{
    static const char *const dflt =
        "{resource} ({type}) in the {role} region {region}: {property} matches {rule} ({title}): "
        "{match}";
    const char *t = r->c->message ? r->c->message : dflt;
    const char *region = r->st->region;
    rl_strbuf *b = &r->msg;
    rl_strbuf_clear(b);
    for (const char *p = t; *p; p++) {
        if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
            rl_strbuf_putc(b, *p++);
            continue;
        }
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        if (!e) {
            rl_strbuf_putc(b, *p);
            continue;
        }
        size_t len = (size_t)(e - p - 1);
        const char *name = p + 1;
#define IS(x) (len == sizeof(x) - 1 && !strncmp(name, x, len))
        if (len == 1 && *name >= '0' && *name <= '9') {
            int g = *name - '0';
            if (g < ngroups && ov[2 * g] != PCRE2_UNSET)
                put_value(b, r->s, ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        } else if (IS("rule")) {
            rl_strbuf_puts(b, r->rule->id);
        } else if (IS("title")) {
            rl_strbuf_puts(b, r->rule->title);
        } else if (IS("resource")) {
            rl_strbuf_puts(b, r->res->id ? r->res->id : "?");
        } else if (IS("type")) {
            rl_strbuf_puts(b, r->res->type ? r->res->type : "?");
        } else if (IS("path")) {
            rl_strbuf_puts(b, r->path);
        } else if (IS("property")) {
            rl_strbuf_puts(b, last_key(r->path));
        } else if (IS("value")) {
            put_value(b, r->s, 0, r->s->len);
        } else if (IS("match")) {
            put_value(b, r->s, ov[0], ov[1] - ov[0]);
        } else if (IS("region")) {
            rl_strbuf_puts(b, region);
        } else if (IS("role")) {
            rl_strbuf_puts(b, rl_model_is_primary(r->m, region) ? "primary" : "standby");
        } else if (IS("file")) {
            rl_strbuf_puts(b, r->st->input->path);
        }
#undef IS
        p = e;
    }
}

static int limit_error(crun *r, int code)
{
    const char *what = code == PCRE2_ERROR_MATCHLIMIT       ? "match limit"
                       : code == PCRE2_ERROR_DEPTHLIMIT     ? "depth limit"
                       : code == PCRE2_ERROR_HEAPLIMIT      ? "heap limit"
                       : code == PCRE2_ERROR_JIT_STACKLIMIT ? "JIT stack limit"
                                                            : NULL;
    const char *file = rl_doc_path(r->st->input->doc);
    const rl_span *at = &r->leaf->span;
    if (what)
        return rl_ctx_fail(r->ctx, RL_ELIMIT, r->c->file, &r->c->pattern_at,
                           "custom rule %s: the pattern hit the PCRE2 %s on the value of %s "
                           "(%s:%u:%u), so the rule cannot be evaluated; simplify the pattern "
                           "(nested quantifiers such as (a+)+ backtrack without end)",
                           r->rule->id, what, r->path, file, at->start.line, at->start.column);
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof(msg));
    return rl_ctx_fail(r->ctx, RL_ELIMIT, r->c->file, &r->c->pattern_at,
                       "custom rule %s: matching failed on the value of %s (%s:%u:%u): %s",
                       r->rule->id, r->path, file, at->start.line, at->start.column,
                       (const char *)msg);
}

/* The first match in one alternative of a value is one finding (the fingerprint is the
 * property's, so more matches in the same value would be the same alert). */
static int on_string(void *ctx, const rl_evstr *s)
{
    crun *r = ctx;
    r->s = s;
    int n = pcre2_match(r->c->code, (PCRE2_SPTR)s->str, s->len, 0, 0, r->md, r->mctx);
    if (n == PCRE2_ERROR_NOMATCH)
        return 0;
    if (!r->path)
        r->path = rl_walk_path(r->w);
    if (n < 0)
        return r->rc = limit_error(r, n);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    const char *home = rl_doc_path(r->st->input->doc);
    const char *file = home, *via = NULL;
    rl_span span = r->leaf->span;
    /* the finding points at the first capture group when the pattern has one (the host in
     * "https://(api\.pay\.example\.com)"), else at the whole match */
    size_t at = ov[0], end = ov[1];
    if (n > 1 && ov[2] != PCRE2_UNSET) {
        at = ov[2];
        end = ov[3];
    }
    size_t mlen = end > at ? end - at : 1;
    bool elsewhere = false;
    if (rl_evstr_locate(s, at, mlen, &file, &span, &via))
        elsewhere = strcmp(file, home) != 0 || span.start.line < r->leaf->span.start.line ||
                    span.start.line > r->leaf->span.end.line;
    else
        file = home;
    rl_strbuf_clear(&r->key);
    rl_strbuf_printf(&r->key, "%s|%u|%u|%s", file, span.start.line, span.start.column,
                     r->st->region);
    if (r->key.failed)
        return r->rc = RL_ENOMEM;
    void **slot = rl_hmap_slot(&r->seen, r->key.data, r->key.len);
    rl_finding *f = slot ? *slot : NULL;
    if (!slot) {
        render(r, ov, n);
        if (r->msg.failed)
            return r->rc = RL_ENOMEM;
        f = rl_emit(r->ctx, RL_LEVEL_NONE, file, &span, r->path, r->st->region, NULL, "%s",
                    rl_strbuf_cstr(&r->msg));
        char *k = rl_arena_strndup(r->arena, r->key.data, r->key.len);
        if (!k || rl_hmap_put(&r->seen, k, r->key.len, f) < 0)
            return r->rc = RL_ENOMEM;
    } else if (!f || !elsewhere || f->nrelated >= 50) {
        return 0;
    }
    if (f && elsewhere)
        rl_emit_related(r->ctx, f, home, &r->leaf->span, "used here by %s (%s)%s%s", r->res->id,
                        r->res->type ? r->res->type : "", via ? " through " : "", via ? via : "");
    return 0;
}

static int on_leaf(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w)
{
    crun *r = ctx;
    r->path = r->c->npaths ? rl_walk_path(w) : NULL;
    if (r->path && !path_match(r->c->path_globs, r->path))
        return 0;
    r->res = res;
    r->leaf = leaf;
    r->w = w;
    int rc = rl_eval_strings(r->st, leaf, on_string, r);
    return r->rc ? r->rc : rc;
}

int rl_check_custom(rl_rule_ctx *ctx)
{
    crun r;
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.rule = rl_ctx_rule(ctx);
    r.c = r.rule->custom;
    r.m = rl_ctx_model(ctx);
    r.key = (rl_strbuf)RL_STRBUF_INIT;
    r.msg = (rl_strbuf)RL_STRBUF_INIT;
    int rc = RL_OK;
    if (!r.c)
        return RL_OK;
    r.arena = rl_arena_new(0);
    r.md = pcre2_match_data_create_from_pattern(r.c->code, NULL);
    r.mctx = pcre2_match_context_create(NULL);
    if (!r.arena || !r.md || !r.mctx) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    pcre2_set_match_limit(r.mctx, RL_PCRE2_MATCH_LIMIT);
    pcre2_set_depth_limit(r.mctx, RL_PCRE2_DEPTH_LIMIT);
    pcre2_set_heap_limit(r.mctx, RL_PCRE2_HEAP_LIMIT);
    if (r.c->jit && (r.jstack = pcre2_jit_stack_create(32 * 1024, RL_JIT_STACK_MAX, NULL)))
        pcre2_jit_stack_assign(r.mctx, NULL, r.jstack);
    for (size_t i = 0; i < r.m->nstacks && rc == RL_OK; i++) {
        r.st = r.m->stacks[i];
        if (!stack_wanted(r.c, r.m, r.st))
            continue;
        for (size_t j = 0; j < r.st->nresources && rc == RL_OK; j++) {
            const rl_resource *res = &r.st->resources[j];
            if (res->deployed == 0 ||
                (r.c->ntypes && (!res->type || !rl_globset_match(r.c->type_globs, res->type))))
                continue;
            rc = rl_walk_resource(res, on_leaf, &r);
        }
    }

cleanup:
    if (rc == RL_OK)
        rc = r.rc;
    rl_hmap_free(&r.seen);
    rl_strbuf_free(&r.key);
    rl_strbuf_free(&r.msg);
    rl_arena_free(r.arena);
    pcre2_jit_stack_free(r.jstack);
    pcre2_match_context_free(r.mctx);
    pcre2_match_data_free(r.md);
    return rc;
}
