/* Suppressions written by people (docs/suppressions.md): CloudFormation Metadata ignores,
 * `# regionlint:ignore` YAML comments, Terraform JSON "//" keys and the config's `ignore:`
 * entries. Each is collected with its scope and position, matched against the finished
 * findings, and every one that cannot suppress or matches nothing becomes RL004. */
#include "suppress.h"

#include "../base/time.h"

#include "../base/arena.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "../base/utf8.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define KEYWORD     "regionlint:ignore"
#define KEYWORD_LEN (sizeof(KEYWORD) - 1)
#define MAX_HOMES   8

/* ---- dates and directives ---------------------------------------------------------- */

int rl_day_parse(const char *s, size_t len)
{
    rl_time t;
    /* exactly YYYY-MM-DD, from 1970 on (the base date parser checks the calendar) */
    if (len != 10 || !rl_date_parse(s, len, RL_DATE_DAY, &t) || t < 0)
        return -1;
    return rl_time_ymd(t);
}

int rl_suppress_today(int *out, rl_error *err)
{
    const char *env = getenv("REGIONLINT_TODAY");
    if (env && *env) {
        int d = rl_day_parse(env, strlen(env));
        if (d < 0)
            return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                "REGIONLINT_TODAY must be a date YYYY-MM-DD, not '%s'", env);
        *out = d;
        return RL_OK;
    }
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || !gmtime_r(&now, &tm))
        return rl_error_set(err, RL_EINVAL, NULL, 0, 0, "cannot read the current date");
    *out = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    return RL_OK;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void rl_ignore_directive_parse(rl_ignore_directive *out, const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    memset(out, 0, sizeof(*out));
    /* ids: one word of comma-separated ids; a word ending in ',' continues the list, so
     * "RL501, RL502" reads as two ids */
    for (;;) {
        while (p < end && blank(*p))
            p++;
        const char *w = p;
        while (p < end && !blank(*p))
            p++;
        if (w == p)
            break;
        bool more = p[-1] == ',';
        for (const char *q = w; q < p;) {
            const char *c = memchr(q, ',', (size_t)(p - q));
            const char *e = c ? c : p;
            size_t n = (size_t)(e - q);
            if (n) {
                if (n >= sizeof(out->ids[0]) || out->nids == 8) {
                    out->problem = "names more than 8 rules or a rule id longer than 31 characters";
                    return;
                }
                memcpy(out->ids[out->nids], q, n);
                out->ids[out->nids++][n] = '\0';
            }
            q = c ? c + 1 : p;
        }
        if (!more)
            break;
    }
    if (!out->nids) {
        out->problem = "names no rule (write `regionlint:ignore RL501 the reason`)";
        return;
    }
    for (size_t i = 0; i < out->nids; i++)
        if (strncmp(out->ids[i], "RL", 2)) {
            out->problem = "must name rule ids right after `regionlint:ignore` (such as RL501 "
                           "or RL501,RL502)";
            return;
        }
    while (p < end && blank(*p))
        p++;
    if (end - p >= 8 && !memcmp(p, "expires=", 8)) {
        const char *v = p + 8;
        const char *e = v;
        while (e < end && !blank(*e))
            e++;
        /* longer than a date: keep the start, it is reported as not a date anyway */
        size_t n = (size_t)(e - v);
        if (n > sizeof(out->expires) - 1)
            n = sizeof(out->expires) - 1;
        memcpy(out->expires, v, n);
        out->expires[n] = '\0';
        if (!n)
            strcpy(out->expires, "?");
        p = e;
    }
    /* the reason: the rest, without separators people put before it ("-- ", ": ", "# ") */
    while (p < end && (blank(*p) || *p == ':' || *p == '-' || *p == '#'))
        p++;
    while (end > p && blank(end[-1]))
        end--;
    out->reason = p;
    out->reason_len = (size_t)(end - p);
}

/* ---- collected ignores -------------------------------------------------------------- */

/* In order of precedence: the most specific suppression is the one a finding shows. */
typedef enum ig_kind {
    IG_COMMENT = 0,  /* # regionlint:ignore on the line or the line above */
    IG_TF,           /* Terraform JSON "//" key in a block */
    IG_METADATA_RES, /* Resources.X.Metadata.regionlint.ignore */
    IG_METADATA_TPL, /* template Metadata.regionlint.ignore */
    IG_CONFIG        /* ignore: entry of the config file */
} ig_kind;

typedef struct ig_id {
    const char *pat;                 /* rule id or id prefix */
    bool known;                      /* matches a rule of the registry */
    bool ran;                        /* a rule it matches is enabled in this run */
    bool used;                       /* matched a finding */
    bool mandatory;                  /* names a mandatory rule exactly */
    const rl_finding *mandatory_hit; /* a finding of a mandatory rule it could not suppress */
} ig_id;

typedef struct ignore {
    ig_kind kind;
    ig_id *ids;
    size_t nids;
    const char *reason;  /* trimmed; NULL when missing */
    const char *expires; /* as written, or NULL */
    int expiry;          /* yyyymmdd, 0 = none, -1 = not a date */
    rl_span expires_at;  /* position of the expiry value (start.line 0: the ignore's) */
    const char *problem; /* malformed: why; it never suppresses */
    size_t seq;          /* collection order: ties between equally specific ignores */
    /* what it covers */
    const char *file;   /* document it is written in (in-source) */
    const char *prefix; /* logical path it covers; NULL = every finding of the file */
    uint32_t line;      /* comment: the line it applies to; 0 = none */
    const rl_config_ignore *cfg;
    bool cfg_checked; /* config: stale-checkable (its path names a file of this run) */
    bool cfg_missing; /* config: its path names a file that does not exist */
    /* where it is written, for RL004 */
    const char *at_file;
    rl_span at;
    const char *at_path;
    const char *what; /* how messages name it */
} ignore;

typedef struct ig_list {
    ignore **items;
    size_t n, cap;
} ig_list;

/* The in-source ignores of one document, indexed so that matching a finding costs a
 * lookup per ancestor of its logical path and a binary search by line, not a scan. */
typedef struct file_igs {
    ig_list whole;     /* prefix NULL: every finding of the file */
    rl_hmap by_prefix; /* logical path -> ig_list* (Metadata of a resource, "//" blocks) */
    ig_list comments;  /* sorted by the line they apply to (sort_comments) */
} file_igs;

typedef struct sup {
    const rl_suppress_opts *o;
    const rl_registry *reg;
    rl_findings *fs;
    rl_arena *a;
    ig_list all;
    ig_list cfgs;    /* the config's entries (they apply to every file) */
    rl_hmap by_file; /* display path -> file_igs* of its in-source ignores */
    rl_hmap inputs;  /* display path -> const rl_input* */
    rl_hmap rel;     /* display path -> path relative to the config's folder */
    rl_strbuf b;
    int rc;
} sup;

static void oom(sup *s)
{
    s->rc = RL_ENOMEM;
}

static bool push(sup *s, ig_list *l, ignore *ig)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        ignore **n = realloc(l->items, ncap * sizeof(*n));
        if (!n) {
            oom(s);
            return false;
        }
        l->items = n;
        l->cap = ncap;
    }
    l->items[l->n++] = ig;
    return true;
}

static const char *dup_n(sup *s, const char *p, size_t n)
{
    char *r = rl_arena_strndup(s->a, p, n);
    if (!r)
        oom(s);
    return r;
}

static ignore *new_ignore(sup *s, ig_kind kind, const char *file, const rl_span *at,
                          const char *at_path)
{
    ignore *ig = rl_arena_calloc(s->a, 1, sizeof(*ig));
    if (!ig || !(ig->at_path = rl_arena_strdup(s->a, at_path ? at_path : ""))) {
        oom(s);
        return NULL;
    }
    ig->kind = kind;
    ig->file = file;
    ig->at_file = file;
    if (at)
        ig->at = *at;
    return ig;
}

static void add(sup *s, ignore *ig)
{
    if (!ig || s->rc)
        return;
    ig->seq = s->all.n;
    if (!push(s, &s->all, ig))
        return;
    if (ig->kind == IG_CONFIG) {
        push(s, &s->cfgs, ig);
        return;
    }
    if (!ig->file)
        return;
    void **slot = rl_hmap_slot(&s->by_file, ig->file, strlen(ig->file));
    file_igs *fi = slot ? *slot : NULL;
    if (!fi) {
        if (!(fi = rl_arena_calloc(s->a, 1, sizeof(*fi))) ||
            rl_hmap_puts(&s->by_file, ig->file, fi) < 0) {
            oom(s);
            return;
        }
    }
    if (ig->kind == IG_COMMENT) {
        push(s, &fi->comments, ig);
        return;
    }
    if (!ig->prefix) {
        push(s, &fi->whole, ig);
        return;
    }
    slot = rl_hmap_slot(&fi->by_prefix, ig->prefix, strlen(ig->prefix));
    ig_list *l = slot ? *slot : NULL;
    if (!l && (!(l = rl_arena_calloc(s->a, 1, sizeof(*l))) ||
               rl_hmap_puts(&fi->by_prefix, ig->prefix, l) < 0)) {
        oom(s);
        return;
    }
    push(s, l, ig);
}

static int cmp_line(const void *a, const void *b)
{
    const ignore *x = *(ignore *const *)a, *y = *(ignore *const *)b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_comments(sup *s)
{
    size_t it = 0;
    rl_hmap_entry *e;
    while ((e = rl_hmap_next(&s->by_file, &it))) {
        file_igs *fi = e->value;
        if (fi->comments.n > 1)
            qsort(fi->comments.items, fi->comments.n, sizeof(*fi->comments.items), cmp_line);
    }
}

static void set_ids(sup *s, ignore *ig, const char *const *pats, size_t n)
{
    ig->ids = rl_arena_calloc(s->a, n + 1, sizeof(*ig->ids));
    if (!ig->ids) {
        oom(s);
        return;
    }
    ig->nids = n;
    for (size_t i = 0; i < n; i++) {
        ig_id *id = &ig->ids[i];
        if (!(id->pat = rl_arena_strdup(s->a, pats[i]))) {
            oom(s);
            return;
        }
        for (size_t r = 0; r < rl_registry_count(s->reg); r++) {
            const rl_rule *rule = rl_registry_at(s->reg, r);
            if (!rl_rule_id_matches(id->pat, rule->id))
                continue;
            id->known = true;
            if (rl_ruleset_enabled(s->o->rules, rule->id))
                id->ran = true;
        }
        id->mandatory = rl_registry_find(s->reg, id->pat) &&
                        rl_ruleset_mandatory(s->o->rules, id->pat) && strcmp(id->pat, RL_ID(RL004));
    }
}

static void set_reason(sup *s, ignore *ig, const char *r, size_t len)
{
    while (len && blank(*r))
        r++, len--;
    while (len && blank(r[len - 1]))
        len--;
    ig->reason = len ? dup_n(s, r, len) : NULL;
}

static void set_expiry(sup *s, ignore *ig, const char *e, const rl_span *at)
{
    if (!e || !*e)
        return;
    ig->expires = dup_n(s, e, strlen(e));
    ig->expiry = rl_day_parse(e, strlen(e));
    if (at)
        ig->expires_at = *at;
}

/* "RL501" or "RL501,RL502" for messages. */
static const char *id_list(sup *s, const ignore *ig)
{
    rl_strbuf_clear(&s->b);
    for (size_t i = 0; i < ig->nids; i++)
        rl_strbuf_printf(&s->b, "%s%s", i ? "," : "", ig->ids[i].pat);
    const char *r = dup_n(s, rl_strbuf_cstr(&s->b), s->b.len);
    return r ? r : "";
}

/* How messages name an ignore: its kind, its ids and what it is attached to (`owner`: the
 * resource, Terraform block or config scope; NULL for a whole file). */
static void set_what(sup *s, ignore *ig, const char *owner)
{
    const char *ids = ig->nids ? id_list(s, ig) : NULL;
    const char *of = ids ? " of " : "", *id = ids ? ids : "";
    const char *on = owner ? " on " : "", *ow = owner ? owner : "";
    char *w = NULL;
    switch (ig->kind) {
    case IG_COMMENT:
        w = rl_arena_printf(s->a, "the comment `regionlint:ignore%s%s`", ids ? " " : "", id);
        break;
    case IG_TF:
        w = rl_arena_printf(s->a, "the \"//\" ignore%s%s%s%s%s", of, id, on, ow,
                            owner ? "" : " in this file");
        break;
    case IG_METADATA_RES:
        w = rl_arena_printf(s->a, "the Metadata ignore%s%s%s%s", of, id, on, ow);
        break;
    case IG_METADATA_TPL:
        w = rl_arena_printf(s->a, "the template Metadata ignore%s%s", of, id);
        break;
    case IG_CONFIG:
        w = rl_arena_printf(s->a, "the config ignore%s%s%s%s", of, id, owner ? " for " : "", ow);
        break;
    }
    if (!w)
        oom(s);
    ig->what = w;
}

/* ---- the config's ignore: entries ----------------------------------------------------- */

static bool has_glob(const char *p)
{
    return strpbrk(p, "*?[") != NULL;
}

int rl_suppress_check_config(const rl_config *cfg, const rl_registry *reg, rl_error *err)
{
    for (size_t i = 0; cfg && i < cfg->nignores; i++) {
        const rl_config_ignore *ig = &cfg->ignores[i];
        const rl_node *n = ig->node;
        unsigned line = n ? n->span.start.line : 0, col = n ? n->span.start.column : 0;
        bool any = false;
        for (size_t r = 0; r < rl_registry_count(reg) && !any; r++)
            any = rl_rule_id_matches(ig->rule, rl_registry_at(reg, r)->id);
        if (!any)
            return rl_error_set(err, RL_ECONFIG, cfg->path, line, col,
                                "ignore: '%s' matches no rule (see --list-rules)", ig->rule);
        if (!strcmp(ig->rule, RL_ID(RL004)))
            return rl_error_set(err, RL_ECONFIG, cfg->path, line, col,
                                "ignore: RL004 cannot be suppressed; fix the suppression it "
                                "reports instead");
        if (ig->expires && rl_day_parse(ig->expires, strlen(ig->expires)) < 0) {
            const rl_node *v = rl_node_get(n, "expires");
            return rl_error_set(err, RL_ECONFIG, cfg->path, v ? v->span.start.line : line,
                                v ? v->span.start.column : col,
                                "ignore: expires must be a date YYYY-MM-DD, not '%s'", ig->expires);
        }
    }
    return RL_OK;
}

/* Path of an input relative to the config's folder (config globs are relative to it). */
static const char *rel_to_config(sup *s, const rl_input *in)
{
    char abs[PATH_MAX];
    const char *dir = s->o->cfg->dir;
    if (!dir || !strcmp(in->fs_path, "-") || !realpath(in->fs_path, abs))
        return in->path;
    size_t dl = strlen(dir);
    if (strncmp(abs, dir, dl) || (abs[dl] != '/' && strcmp(dir, "/")))
        return in->path;
    const char *r = dup_n(s, abs + dl + (abs[dl] == '/'), strlen(abs + dl + (abs[dl] == '/')));
    return r ? r : in->path;
}

static const char *rel_of(const sup *s, const char *file)
{
    const char *r = rl_hmap_gets(&s->rel, file);
    return r ? r : file;
}

static void collect_config(sup *s)
{
    const rl_config *cfg = s->o->cfg;
    for (size_t i = 0; cfg && i < cfg->nignores && !s->rc; i++) {
        const rl_config_ignore *ci = &cfg->ignores[i];
        char at_path[48];
        snprintf(at_path, sizeof(at_path), "ignore[%zu]", i);
        ignore *ig = new_ignore(s, IG_CONFIG, NULL, ci->node ? &ci->node->span : NULL, at_path);
        if (!ig)
            return;
        ig->at_file = s->o->config_display ? s->o->config_display : cfg->path;
        ig->cfg = ci;
        const char *pat = ci->rule;
        set_ids(s, ig, &pat, 1);
        set_reason(s, ig, ci->reason ? ci->reason : "", ci->reason ? strlen(ci->reason) : 0);
        const rl_node *ev = rl_node_get(ci->node, "expires");
        set_expiry(s, ig, ci->expires, ev ? &ev->span : NULL);
        /* an entry is only called stale when this run linted a file its path names (a run
         * over some files must not condemn the ignores of the others), or when its literal
         * path names a file that no longer exists */
        ig->cfg_checked = !ci->path;
        size_t it = 0;
        rl_hmap_entry *e;
        while (ci->path && !ig->cfg_checked && (e = rl_hmap_next(&s->rel, &it)))
            ig->cfg_checked = rl_glob_match(ci->path, e->value);
        if (ci->path && !ig->cfg_checked && !has_glob(ci->path)) {
            char full[PATH_MAX];
            struct stat st;
            snprintf(full, sizeof(full), "%s/%s", cfg->dir ? cfg->dir : ".", ci->path);
            ig->cfg_missing = ig->cfg_checked = stat(full, &st) != 0;
        }
        const char *scope = ci->path && ci->logical
                                ? rl_arena_printf(s->a, "%s in %s", ci->logical, ci->path)
                            : ci->path ? ci->path
                                       : ci->logical;
        set_what(s, ig, scope);
        add(s, ig);
    }
}

/* ---- CloudFormation Metadata ---------------------------------------------------------- */

static ignore *malformed(sup *s, ig_kind kind, const rl_input *in, const rl_node *at,
                         const char *at_path, const char *what, const char *problem)
{
    ignore *ig = new_ignore(s, kind, in->path, &at->span, at_path);
    if (!ig)
        return NULL;
    ig->what = what;
    ig->problem = problem;
    return ig;
}

/* One entry of Metadata.regionlint.ignore: {id, reason, expires}, or a bare id (which has
 * no reason and is reported as such). */
static void metadata_entry(sup *s, const rl_input *in, const rl_node *e, ig_kind kind,
                           const char *prefix, const char *owner, const char *at_path)
{
    ignore *ig = new_ignore(s, kind, in->path, &e->span, at_path);
    if (!ig)
        return;
    ig->prefix = prefix;
    const char *pats[8];
    size_t n = 0;
    if (rl_node_is_scalar(e) && e->type == RL_SCALAR_STRING) {
        pats[n++] = e->u.s.str;
    } else if (!rl_node_is_map(e)) {
        ig->problem = "must be a mapping {id, reason, expires}";
    } else {
        for (size_t i = 0; i < e->u.map.count && !ig->problem; i++) {
            const char *k = rl_node_str(e->u.map.items[i].key);
            const rl_node *v = e->u.map.items[i].value;
            if (k && (!strcmp(k, "id") || !strcmp(k, "rule"))) {
                if (rl_node_is_scalar(v) && v->type != RL_SCALAR_NULL) {
                    pats[0] = v->u.s.str;
                    n = 1;
                } else if (rl_node_is_seq(v) && v->u.seq.count && v->u.seq.count <= 8) {
                    n = 0;
                    for (size_t j = 0; j < v->u.seq.count && !ig->problem; j++)
                        if (!(pats[n++] = rl_node_str(v->u.seq.items[j])))
                            ig->problem = "has an id that is not a string";
                } else {
                    ig->problem = "needs `id`: a rule id or a list of up to 8";
                }
            } else if (k && !strcmp(k, "reason")) {
                const char *r = rl_node_is_scalar(v) && v->type != RL_SCALAR_NULL ? v->u.s.str : "";
                set_reason(s, ig, r, strlen(r));
            } else if (k && !strcmp(k, "expires")) {
                const char *x = rl_node_str(v);
                set_expiry(s, ig, x && *x ? x : "?", &v->span);
            } else {
                ig->problem = rl_arena_printf(
                    s->a, "has an unknown key '%s' (expected id, reason, expires)", k ? k : "?");
                if (!ig->problem)
                    oom(s);
            }
        }
        if (!n && !ig->problem)
            ig->problem = "needs `id`: the rule id it suppresses";
        for (size_t j = 0; j < n && !ig->problem; j++)
            if (strncmp(pats[j], "RL", 2))
                ig->problem = "has an id that is not a rule id (such as RL501)";
    }
    set_ids(s, ig, pats, ig->problem ? 0 : n);
    set_what(s, ig, owner);
    add(s, ig);
}

/* Metadata.regionlint of the template (res NULL) or of one resource. */
static void metadata_block(sup *s, const rl_input *in, const rl_node *md, const char *prefix,
                           const rl_node *res, const char *owner)
{
    const rl_pair *p = rl_node_get_pair(md, "regionlint");
    if (!p || s->rc)
        return;
    const char *base = prefix ? prefix : "";
    const char *sep = prefix ? "." : "";
    ig_kind kind = res ? IG_METADATA_RES : IG_METADATA_TPL;
    const char *what =
        res ? rl_arena_printf(s->a, "the Metadata of %s", owner) : "the template Metadata";
    char *path = rl_arena_printf(s->a, "%s%sMetadata.regionlint", base, sep);
    if (!what || !path) {
        oom(s);
        return;
    }
    const rl_node *rm = p->value;
    if (!rl_node_is_map(rm)) {
        add(s, malformed(s, kind, in, rm, path, what,
                         "has `regionlint:` that is not a mapping {ignore: [...]}"));
        return;
    }
    for (size_t i = 0; i < rm->u.map.count; i++) {
        const char *k = rl_node_str(rm->u.map.items[i].key);
        if (!k || strcmp(k, "ignore")) {
            char *pr = rl_arena_printf(s->a, "has an unknown key 'regionlint.%s' (expected ignore)",
                                       k ? k : "?");
            add(s, pr ? malformed(s, kind, in, rm->u.map.items[i].key, path, what, pr) : NULL);
            if (!pr)
                oom(s);
        }
    }
    const rl_node *list = rl_node_get(rm, "ignore");
    if (!list)
        return;
    if (!rl_node_is_seq(list)) {
        add(s, malformed(s, kind, in, list, path, what,
                         "has `regionlint.ignore` that is not a list of {id, reason, expires}"));
        return;
    }
    for (size_t i = 0; i < list->u.seq.count && !s->rc; i++) {
        char *at = rl_arena_printf(s->a, "%s.ignore[%zu]", path, i);
        if (!at) {
            oom(s);
            return;
        }
        metadata_entry(s, in, list->u.seq.items[i], kind, prefix, owner, at);
    }
}

static void collect_metadata(sup *s, const rl_input *in)
{
    const rl_node *root = rl_doc_root(in->doc);
    metadata_block(s, in, rl_node_get(root, "Metadata"), NULL, NULL, NULL);
    const rl_node *res = rl_node_get(root, "Resources");
    for (size_t i = 0; rl_node_is_map(res) && i < res->u.map.count && !s->rc; i++) {
        const char *id = rl_node_str(res->u.map.items[i].key);
        const rl_node *r = res->u.map.items[i].value;
        const rl_node *md = rl_node_get(r, "Metadata");
        if (!id || !md)
            continue;
        char *prefix = rl_arena_printf(s->a, "Resources.%s", id);
        if (!prefix) {
            oom(s);
            return;
        }
        metadata_block(s, in, md, prefix, r, id);
    }
}

/* ---- Terraform JSON "//" keys ------------------------------------------------------ */

/* A directive in a "//" string; other "//" comments are left alone. */
static void tf_directive(sup *s, const rl_input *in, const rl_node *str, const char *prefix,
                         const char *at_path)
{
    const char *t = rl_node_str(str);
    if (!t || str->type != RL_SCALAR_STRING)
        return;
    size_t len = str->u.s.len;
    size_t i = 0;
    while (i < len && blank(t[i]))
        i++;
    if (len - i < KEYWORD_LEN || memcmp(t + i, KEYWORD, KEYWORD_LEN) ||
        (len - i > KEYWORD_LEN && !blank(t[i + KEYWORD_LEN])))
        return;
    i += KEYWORD_LEN;
    rl_ignore_directive d;
    rl_ignore_directive_parse(&d, t + i, len - i);
    ignore *ig = new_ignore(s, IG_TF, in->path, &str->span, at_path);
    if (!ig)
        return;
    ig->prefix = prefix;
    ig->problem = d.problem;
    const char *pats[8];
    for (size_t k = 0; k < d.nids; k++)
        pats[k] = d.ids[k];
    set_ids(s, ig, pats, d.problem ? 0 : d.nids);
    set_reason(s, ig, d.reason ? d.reason : "", d.reason_len);
    set_expiry(s, ig, d.expires, NULL);
    set_what(s, ig, prefix);
    add(s, ig);
}

/* The "//" key of one block, whose findings are those under `prefix` ("" = the file). */
static void tf_dslash(sup *s, const rl_input *in, const rl_node *map, const char *prefix)
{
    const rl_node *v = rl_node_get(map, "//");
    if (!v)
        return;
    const char *pre = prefix && *prefix ? dup_n(s, prefix, strlen(prefix)) : NULL;
    char at[512];
    snprintf(at, sizeof(at), "%s%s//", prefix ? prefix : "", prefix && *prefix ? "." : "");
    if (rl_node_is_seq(v)) {
        for (size_t i = 0; i < v->u.seq.count; i++) {
            char ati[540];
            snprintf(ati, sizeof(ati), "%s[%zu]", at, i);
            tf_directive(s, in, v->u.seq.items[i], pre, ati);
        }
    } else {
        tf_directive(s, in, v, pre, at);
    }
}

/* Blocks below a resource's attributes: logical paths as rl_walk_resource() writes them. */
static void tf_generic(sup *s, const rl_input *in, const rl_node *n, rl_strbuf *path,
                       unsigned depth)
{
    if (depth > 128 || s->rc)
        return;
    size_t mark = path->len;
    if (rl_node_is_map(n)) {
        tf_dslash(s, in, n, rl_strbuf_cstr(path));
        for (size_t i = 0; i < n->u.map.count; i++) {
            const rl_node *k = n->u.map.items[i].key;
            if (!rl_node_is_scalar(k) || !strcmp(k->u.s.str, "//"))
                continue;
            rl_strbuf_printf(path, "%s%s", path->len ? "." : "", k->u.s.str);
            tf_generic(s, in, n->u.map.items[i].value, path, depth + 1);
            path->len = mark;
            if (path->data)
                path->data[mark] = '\0';
        }
    } else if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++) {
            rl_strbuf_printf(path, "[%zu]", i);
            tf_generic(s, in, n->u.seq.items[i], path, depth + 1);
            path->len = mark;
            if (path->data)
                path->data[mark] = '\0';
        }
    }
    if (path->failed)
        oom(s);
}

/* `resource` and `data`: TYPE then NAME then the attributes; lists at these levels are
 * transparent, as in the model ("resource.aws_sqs_queue.orders"). */
static void tf_blocks(sup *s, const rl_input *in, const rl_node *n, rl_strbuf *path, int level)
{
    size_t mark = path->len;
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++)
            tf_blocks(s, in, n->u.seq.items[i], path, level);
        return;
    }
    if (!rl_node_is_map(n))
        return;
    tf_dslash(s, in, n, rl_strbuf_cstr(path));
    for (size_t i = 0; i < n->u.map.count && !s->rc; i++) {
        const rl_node *k = n->u.map.items[i].key;
        const rl_node *v = n->u.map.items[i].value;
        if (!rl_node_is_scalar(k) || !strcmp(k->u.s.str, "//"))
            continue;
        rl_strbuf_printf(path, ".%s", k->u.s.str);
        if (level == 0) {
            tf_blocks(s, in, v, path, 1);
        } else if (rl_node_is_seq(v)) {
            for (size_t j = 0; j < v->u.seq.count; j++)
                tf_generic(s, in, v->u.seq.items[j], path, 0);
        } else {
            tf_generic(s, in, v, path, 0);
        }
        path->len = mark;
        if (path->data)
            path->data[mark] = '\0';
    }
}

static void collect_tf(sup *s, const rl_input *in)
{
    const rl_node *root = rl_doc_root(in->doc);
    if (!rl_node_is_map(root))
        return;
    rl_strbuf path = RL_STRBUF_INIT;
    tf_dslash(s, in, root, "");
    for (size_t i = 0; i < root->u.map.count && !s->rc; i++) {
        const char *k = rl_node_str(root->u.map.items[i].key);
        if (!k || !strcmp(k, "//"))
            continue;
        rl_strbuf_clear(&path);
        rl_strbuf_puts(&path, k);
        if (!strcmp(k, "resource") || !strcmp(k, "data"))
            tf_blocks(s, in, root->u.map.items[i].value, &path, 0);
        else
            tf_generic(s, in, root->u.map.items[i].value, &path, 0);
    }
    if (path.failed)
        oom(s);
    rl_strbuf_free(&path);
}

/* ---- YAML comments ---------------------------------------------------------------- */

/* The next occurrence of the keyword in [p, end), or NULL (memmem is not in C11/POSIX). */
static const char *find_keyword(const char *p, const char *end)
{
    while ((size_t)(end - p) >= KEYWORD_LEN && (p = memchr(p, 'r', (size_t)(end - p)))) {
        if ((size_t)(end - p) < KEYWORD_LEN)
            return NULL;
        if (!memcmp(p, KEYWORD, KEYWORD_LEN))
            return p;
        p++;
    }
    return NULL;
}

typedef struct comment {
    rl_pos at;         /* the '#' */
    uint32_t end_col;  /* end of the line (exclusive) */
    uint32_t covers;   /* the line it applies to, 0 = none */
    uint32_t searched; /* full-line comment: last line looked at to find `covers` */
    const char *text;  /* after the keyword */
    size_t len;
    bool in_scalar;   /* the text is inside a quoted or block scalar: not a comment */
    const char *path; /* logical path of the line it applies to */
} comment;

typedef struct cscan {
    sup *s;
    comment *c;
    size_t n;
    size_t *by_line; /* indices of comments with covers != 0, ordered by covers */
    size_t nby;
    rl_strbuf path;
} cscan;

static bool pos_lt(rl_pos a, rl_pos b)
{
    return a.line < b.line || (a.line == b.line && a.column < b.column);
}

/* For a comment on its own line: the next line that is not a comment line; a blank line
 * (or the end of the file) in between means it applies to nothing. */
static void next_code_line(const char *p, const char *end, uint32_t line, comment *c)
{
    while (p < end) {
        p++; /* past the '\n' */
        line++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end || *p == '\n' || *p == '\r') {
            c->searched = line;
            return;
        }
        if (*p != '#') {
            c->covers = c->searched = line;
            return;
        }
        p = memchr(p, '\n', (size_t)(end - p));
        if (!p)
            break;
    }
    c->searched = line;
}

static size_t lower_line(const comment *c, size_t n, uint32_t line)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c[mid].at.line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The comments a node's line starts: their logical path is the node's. */
static void record_path(cscan *w, uint32_t line)
{
    size_t lo = 0, hi = w->nby;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->c[w->by_line[mid]].covers < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < w->nby && w->c[w->by_line[lo]].covers == line; lo++) {
        comment *c = &w->c[w->by_line[lo]];
        if (!c->path && !(c->path = dup_n(w->s, rl_strbuf_cstr(&w->path), w->path.len)))
            return;
    }
}

/* One walk over the document: drops "comments" that are text inside a scalar, and gives
 * each comment the logical path of the line it applies to. */
static void comment_walk(cscan *w, const rl_node *n, unsigned depth)
{
    if (!n || depth > 512 || w->s->rc)
        return;
    if (rl_node_is_scalar(n)) {
        for (size_t i = lower_line(w->c, w->n, n->span.start.line);
             i < w->n && w->c[i].at.line <= n->span.end.line; i++)
            if (!pos_lt(w->c[i].at, n->span.start) && pos_lt(w->c[i].at, n->span.end))
                w->c[i].in_scalar = true;
        return;
    }
    size_t mark = w->path.len;
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++) {
            rl_strbuf_printf(&w->path, "[%zu]", i);
            record_path(w, n->u.seq.items[i]->span.start.line);
            comment_walk(w, n->u.seq.items[i], depth + 1);
            w->path.len = mark;
            if (w->path.data)
                w->path.data[mark] = '\0';
        }
        return;
    }
    for (size_t i = 0; i < n->u.map.count; i++) {
        const rl_node *k = n->u.map.items[i].key;
        if (rl_node_is_scalar(k)) {
            rl_strbuf_printf(&w->path, "%s%s", mark ? "." : "", k->u.s.str);
            record_path(w, k->span.start.line);
        }
        comment_walk(w, k, depth + 1);
        comment_walk(w, n->u.map.items[i].value, depth + 1);
        w->path.len = mark;
        if (w->path.data)
            w->path.data[mark] = '\0';
    }
}

/* covers is non-decreasing in file order (a comment block applies to the line after it),
 * so the index needs no sort beyond skipping the zeros; checked, not assumed */
static bool index_by_line(cscan *w)
{
    w->by_line = malloc((w->n + 1) * sizeof(*w->by_line));
    if (!w->by_line)
        return false;
    for (size_t i = 0; i < w->n; i++)
        if (w->c[i].covers)
            w->by_line[w->nby++] = i;
    for (size_t i = 1; i < w->nby; i++)
        if (w->c[w->by_line[i - 1]].covers > w->c[w->by_line[i]].covers)
            return false; /* cannot happen; the caller then skips paths */
    return true;
}

static void collect_comments(sup *s, const rl_input *in)
{
    const rl_source *src = rl_doc_source(in->doc);
    size_t len;
    const char *data = rl_source_data(src, &len);
    const char *end = data + len, *p = data, *counted = data, *line_start = data, *hit;
    uint32_t line = 1;
    cscan w = {s, NULL, 0, NULL, 0, RL_STRBUF_INIT};
    size_t cap = 0;
    while ((hit = find_keyword(p, end))) {
        for (const char *q = counted; (q = memchr(q, '\n', (size_t)(hit - q))); q++) {
            line++;
            line_start = q + 1;
        }
        counted = hit;
        p = hit + KEYWORD_LEN;
        if (p < end && !blank(*p))
            continue; /* regionlint:ignored, regionlint:ignore-file: not ours */
        /* it must open a comment: '#' (at the line start or after a blank), then blanks */
        const char *h = hit;
        while (h > line_start && (h[-1] == ' ' || h[-1] == '\t'))
            h--;
        if (h == line_start || h[-1] != '#')
            continue;
        h--;
        if (h > line_start && h[-1] != ' ' && h[-1] != '\t')
            continue;
        bool trailing = false;
        for (const char *q = line_start; q < h && !trailing; q++)
            trailing = *q != ' ' && *q != '\t';
        const char *le = memchr(hit, '\n', (size_t)(end - hit));
        const char *te = le ? le : end;
        if (te > hit && te[-1] == '\r')
            te--;
        if (w.n == cap) {
            cap = cap ? cap * 2 : 16;
            comment *nc = realloc(w.c, cap * sizeof(*nc));
            if (!nc) {
                oom(s);
                break;
            }
            w.c = nc;
        }
        comment *c = &w.c[w.n];
        memset(c, 0, sizeof(*c));
        c->at.line = line;
        c->at.column = (uint32_t)rl_utf8_count(line_start, (size_t)(h - line_start)) + 1;
        c->end_col = (uint32_t)rl_utf8_count(line_start, (size_t)(te - line_start)) + 1;
        c->text = p;
        c->len = (size_t)(te - p);
        if (trailing) {
            c->covers = line;
        } else if (w.n && w.c[w.n - 1].searched > line) {
            /* a stack of comment lines: the search of the one above already passed here */
            c->covers = w.c[w.n - 1].covers;
            c->searched = w.c[w.n - 1].searched;
        } else if (le) {
            next_code_line(le, end, line, c);
        }
        w.n++;
        p = le ? le : end;
    }
    if (w.n && !s->rc) {
        bool paths = index_by_line(&w);
        if (!w.by_line)
            oom(s);
        else if (!paths)
            w.nby = 0;
        comment_walk(&w, rl_doc_root(in->doc), 0);
        if (w.path.failed)
            oom(s);
    }
    for (size_t i = 0; i < w.n && !s->rc; i++) {
        comment *c = &w.c[i];
        if (c->in_scalar)
            continue;
        rl_span at = {c->at, {c->at.line, c->end_col}};
        ignore *ig = new_ignore(s, IG_COMMENT, in->path, &at, c->path);
        if (!ig)
            break;
        rl_ignore_directive d;
        rl_ignore_directive_parse(&d, c->text, c->len);
        ig->line = c->covers;
        ig->problem = d.problem;
        const char *pats[8];
        for (size_t k = 0; k < d.nids; k++)
            pats[k] = d.ids[k];
        set_ids(s, ig, pats, d.problem ? 0 : d.nids);
        set_reason(s, ig, d.reason ? d.reason : "", d.reason_len);
        set_expiry(s, ig, d.expires, NULL);
        set_what(s, ig, NULL);
        add(s, ig);
    }
    free(w.c);
    free(w.by_line);
    rl_strbuf_free(&w.path);
}

/* ---- matching ------------------------------------------------------------------------ */

static bool valid(const ignore *ig, int today)
{
    return !ig->problem && ig->reason && ig->expiry >= 0 && !(ig->expiry && today > ig->expiry);
}

/* `path` is `prefix` or a path below it (Resources.Fn covers Resources.Fn.Properties.X but
 * not Resources.FnRole). */
static bool path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* A logical-path glob matches the path or one of its ancestors, so "Resources.Fn" covers
 * the whole resource and "*.Environment.Variables.*" works as written. */
static bool logical_match(const char *glob, const char *path)
{
    char buf[2048];
    size_t n = strlen(path);
    if (rl_glob_match(glob, path))
        return true;
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, path, n + 1);
    while (n--) {
        if (buf[n] != '.' && buf[n] != '[')
            continue;
        buf[n] = '\0';
        if (rl_glob_match(glob, buf))
            return true;
    }
    return false;
}

/* Does this ignore's scope (not its ids) take in the finding? `homes` are the documents
 * the finding belongs to. */
static bool covers(const sup *s, const ignore *ig, const rl_finding *f, const char *const *homes,
                   size_t nhomes)
{
    switch (ig->kind) {
    case IG_COMMENT:
        return ig->line && f->span.start.line == ig->line && !strcmp(f->file, ig->file);
    case IG_TF:
    case IG_METADATA_RES:
    case IG_METADATA_TPL:
        return !ig->prefix || path_under(f->path, ig->prefix);
    case IG_CONFIG: {
        if (ig->cfg->logical && !logical_match(ig->cfg->logical, f->path))
            return false;
        if (!ig->cfg->path)
            return true;
        for (size_t i = 0; i < nhomes; i++)
            if (rl_glob_match(ig->cfg->path, rel_of(s, homes[i])))
                return true;
        return false;
    }
    }
    return false;
}

/* The documents a finding belongs to: its file, and when that is a parameter file, the
 * templates its related locations point at (where the parameter is used). */
static size_t homes_of(const sup *s, const rl_finding *f, const char **homes)
{
    size_t n = 0;
    homes[n++] = f->file;
    const rl_input *in = rl_hmap_gets(&s->inputs, f->file);
    if (!in || in->kind != RL_INPUT_CFN_PARAMS)
        return n;
    for (size_t i = 0; i < f->nrelated && n < MAX_HOMES; i++) {
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(homes[j], f->related[i].file);
        if (!dup)
            homes[n++] = f->related[i].file;
    }
    return n;
}

static void consider(sup *s, ignore *ig, const rl_finding *f, const char *const *homes,
                     size_t nhomes, ignore **best)
{
    if (!valid(ig, s->o->today) || !covers(s, ig, f, homes, nhomes))
        return;
    for (size_t i = 0; i < ig->nids; i++) {
        ig_id *id = &ig->ids[i];
        if (!rl_rule_id_matches(id->pat, f->rule_id))
            continue;
        id->used = true;
        if (rl_ruleset_mandatory(s->o->rules, f->rule_id)) {
            if (!id->mandatory_hit)
                id->mandatory_hit = f;
            continue;
        }
        if (!*best || ig->kind < (*best)->kind ||
            (ig->kind == (*best)->kind && ig->seq < (*best)->seq))
            *best = ig;
    }
}

/* The in-source ignores of one document that can cover the finding: those of the whole
 * file, those whose block is the finding's logical path or an ancestor of it, and the
 * comments that apply to the finding's line. */
static void consider_file(sup *s, const file_igs *fi, const rl_finding *f, const char *const *homes,
                          size_t nh, ignore **best)
{
    for (size_t j = 0; j < fi->whole.n; j++)
        consider(s, fi->whole.items[j], f, homes, nh, best);
    if (fi->by_prefix.count) {
        const char *p = f->path;
        for (size_t k = 0;; k++) {
            if (k && (!p[k] || p[k] == '.' || p[k] == '[')) {
                const ig_list *l = rl_hmap_get(&fi->by_prefix, p, k);
                for (size_t j = 0; l && j < l->n; j++)
                    consider(s, l->items[j], f, homes, nh, best);
            }
            if (!p[k])
                break;
        }
    }
    /* comments: sorted by line; find the first for this line */
    uint32_t line = f->span.start.line;
    size_t lo = 0, hi = fi->comments.n;
    while (line && lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (fi->comments.items[mid]->line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; line && lo < fi->comments.n && fi->comments.items[lo]->line == line; lo++)
        consider(s, fi->comments.items[lo], f, homes, nh, best);
}

static const char *by_name(ig_kind k)
{
    switch (k) {
    case IG_COMMENT:
        return "comment";
    case IG_TF:
        return "terraform-comment";
    case IG_METADATA_RES:
    case IG_METADATA_TPL:
        return "metadata";
    case IG_CONFIG:
        return "config";
    }
    return "?";
}

static void match_all(sup *s)
{
    size_t n = rl_findings_count(s->fs);
    for (size_t i = 0; i < n && !s->rc; i++) {
        rl_finding *f = rl_findings_at(s->fs, i);
        if (f->suppressed)
            continue;
        const char *homes[MAX_HOMES];
        size_t nh = homes_of(s, f, homes);
        ignore *best = NULL;
        for (size_t h = 0; h < nh; h++) {
            const file_igs *fi = rl_hmap_gets(&s->by_file, homes[h]);
            if (fi)
                consider_file(s, fi, f, homes, nh, &best);
        }
        for (size_t j = 0; j < s->cfgs.n; j++)
            consider(s, s->cfgs.items[j], f, homes, nh, &best);
        if (!best)
            continue;
        f->suppressed = best->kind == IG_CONFIG ? RL_SUPPRESS_EXTERNAL : RL_SUPPRESS_INSOURCE;
        f->suppressed_by = by_name(best->kind);
        if (!(f->justification = rl_findings_strdup(s->fs, best->reason)))
            oom(s);
    }
}

/* ---- RL004 ------------------------------------------------------------------------------- */

static void emit(sup *s, const ignore *ig, rl_level level, const rl_span *at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void emit(sup *s, const ignore *ig, rl_level level, const rl_span *at, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rl_finding *f;
    const rl_span *sp = at && at->start.line ? at : ig->at.start.line ? &ig->at : NULL;
    if (rl_engine_emit(s->o->rules, s->fs, &f, RL_ID(RL004), level, ig->at_file, sp, ig->at_path,
                       "%s", msg) < 0)
        oom(s);
}

static const char *hint(const ignore *ig)
{
    switch (ig->kind) {
    case IG_COMMENT:
        return "write the reason after the rule id: `# regionlint:ignore RL501 why this is "
               "accepted`";
    case IG_TF:
        return "write the reason after the rule id: \"regionlint:ignore RL501 why this is "
               "accepted\"";
    default:
        return "add `reason:` saying why the finding is accepted";
    }
}

static void report(sup *s, const ignore *ig)
{
    if (ig->problem) {
        emit(s, ig, RL_LEVEL_NONE, NULL, "%s %s, so it does not suppress anything", ig->what,
             ig->problem);
        return;
    }
    rl_strbuf_clear(&s->b);
    for (size_t i = 0; i < ig->nids; i++)
        if (!ig->ids[i].known)
            rl_strbuf_printf(&s->b, "%s%s", s->b.len ? ", " : "", ig->ids[i].pat);
    if (s->b.len)
        emit(s, ig, RL_LEVEL_NONE, NULL, "%s names no rule %s (see --list-rules)", ig->what,
             rl_strbuf_cstr(&s->b));
    for (size_t i = 0; i < ig->nids; i++)
        if (!strcmp(ig->ids[i].pat, RL_ID(RL004)))
            emit(s, ig, RL_LEVEL_NONE, NULL,
                 "%s names RL004, which cannot be suppressed: fix the suppression problem it "
                 "reports instead",
                 ig->what);
    if (!ig->reason) {
        emit(s, ig, RL_LEVEL_NONE, NULL, "%s has no reason, so it does not suppress anything; %s",
             ig->what, hint(ig));
        return;
    }
    if (ig->expiry < 0) {
        emit(s, ig, RL_LEVEL_NONE, &ig->expires_at,
             "%s has the expiry '%s', which is not a date YYYY-MM-DD, so it does not suppress "
             "anything",
             ig->what, ig->expires);
        return;
    }
    /* the message does not name today's date: output stays the same from day to day */
    if (ig->expiry && s->o->today > ig->expiry) {
        emit(s, ig, RL_LEVEL_NONE, &ig->expires_at,
             "%s expired on %s, so it no longer suppresses: fix the finding, or renew the "
             "expiry with a reason",
             ig->what, ig->expires);
        return;
    }
    const char *cfgname = s->o->config_display ? s->o->config_display : "the config file";
    for (size_t i = 0; i < ig->nids; i++) {
        const ig_id *id = &ig->ids[i];
        const rl_finding *f = id->mandatory_hit;
        if (f)
            emit(s, ig, RL_LEVEL_NOTE, NULL,
                 "%s cannot suppress %s, which is mandatory (`mandatory:` in %s): the finding at "
                 "%s:%u:%u stays reported",
                 ig->what, f->rule_id, cfgname, f->file, f->span.start.line, f->span.start.column);
        else if (id->mandatory && !id->used)
            emit(s, ig, RL_LEVEL_NOTE, NULL,
                 "%s names %s, which is mandatory (`mandatory:` in %s) and cannot be "
                 "suppressed: remove it",
                 ig->what, id->pat, cfgname);
    }
    if (ig->kind == IG_CONFIG && !ig->cfg_checked)
        return;
    rl_strbuf_clear(&s->b);
    size_t stale = 0;
    for (size_t i = 0; i < ig->nids; i++) {
        const ig_id *id = &ig->ids[i];
        if (id->known && id->ran && !id->used && !id->mandatory && strcmp(id->pat, RL_ID(RL004))) {
            rl_strbuf_printf(&s->b, "%s%s", stale ? ", " : "", id->pat);
            stale++;
        }
    }
    if (!stale)
        return;
    if (ig->kind == IG_CONFIG && ig->cfg_missing)
        emit(s, ig, RL_LEVEL_NONE, NULL, "%s names the file %s, which does not exist: remove it",
             ig->what, ig->cfg->path);
    else if (ig->kind == IG_COMMENT && !ig->line)
        emit(s, ig, RL_LEVEL_NONE, NULL,
             "%s applies to no line: a comment on its own line applies to the next line, and "
             "here a blank line or the end of the file follows",
             ig->what);
    else if (stale < ig->nids)
        emit(s, ig, RL_LEVEL_NONE, NULL, "%s: %s matches no finding; remove it from the ignore",
             ig->what, rl_strbuf_cstr(&s->b));
    else
        emit(s, ig, RL_LEVEL_NONE, NULL, "%s matches no finding: remove it", ig->what);
}

/* ---- the stage --------------------------------------------------------------------------- */

int rl_suppress_apply(const rl_suppress_opts *o, rl_findings *fs, rl_error *err)
{
    sup s;
    memset(&s, 0, sizeof(s));
    s.o = o;
    s.reg = rl_ruleset_registry(o->rules);
    s.fs = fs;
    s.b = (rl_strbuf)RL_STRBUF_INIT;
    if (!(s.a = rl_arena_new(0)))
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    bool cfg_paths = false;
    for (size_t i = 0; o->cfg && i < o->cfg->nignores; i++)
        cfg_paths |= o->cfg->ignores[i].path != NULL;
    for (size_t i = 0; o->inputs && i < rl_inputs_count(o->inputs) && !s.rc; i++) {
        const rl_input *in = rl_inputs_at(o->inputs, i);
        if (rl_hmap_puts(&s.inputs, in->path, (void *)in) < 0 ||
            (cfg_paths && rl_hmap_puts(&s.rel, in->path, (void *)rel_to_config(&s, in)) < 0))
            oom(&s);
    }
    collect_config(&s);
    for (size_t i = 0; o->inputs && i < rl_inputs_count(o->inputs) && !s.rc; i++) {
        const rl_input *in = rl_inputs_at(o->inputs, i);
        if (!in->doc)
            continue;
        if (in->kind == RL_INPUT_CFN_TEMPLATE)
            collect_metadata(&s, in);
        else if (in->kind == RL_INPUT_TF_CONFIG)
            collect_tf(&s, in);
        /* a YAML file regionlint does not read (docker-compose, a chart) is not linted:
         * its comments are not ours to judge */
        if (rl_doc_syntax(in->doc) == RL_SYNTAX_YAML &&
            (in->kind != RL_INPUT_UNKNOWN || in->looks_aws))
            collect_comments(&s, in);
    }
    if (!s.rc) {
        sort_comments(&s);
        match_all(&s);
    }
    for (size_t i = 0; i < s.all.n && !s.rc; i++)
        report(&s, s.all.items[i]);
    if (s.b.failed)
        s.rc = RL_ENOMEM;
    size_t it = 0;
    rl_hmap_entry *e;
    while ((e = rl_hmap_next(&s.by_file, &it))) {
        file_igs *fi = e->value;
        size_t pit = 0;
        rl_hmap_entry *pe;
        while ((pe = rl_hmap_next(&fi->by_prefix, &pit)))
            free(((ig_list *)pe->value)->items);
        rl_hmap_free(&fi->by_prefix);
        free(fi->whole.items);
        free(fi->comments.items);
    }
    free(s.all.items);
    free(s.cfgs.items);
    rl_hmap_free(&s.by_file);
    rl_hmap_free(&s.inputs);
    rl_hmap_free(&s.rel);
    rl_strbuf_free(&s.b);
    rl_arena_free(s.a);
    return s.rc ? rl_error_set(err, s.rc, NULL, 0, 0, "out of memory") : RL_OK;
}
