/* SARIF 2.1.0 output for GitHub code scanning and other SARIF viewers: one run, every rule
 * of the registry, repository-relative percent-encoded URIs, regions only when known, and
 * GitHub's size limits kept by dropping the least severe results with a notification. */
#include "report_private.h"

#include "../base/hmap.h"
#include "../base/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT      "%SRCROOT%"
#define FP_KEY       "regionlint/v1"
#define DUMP_FLAGS   (JSON_INDENT(2) | JSON_PRESERVE_ORDER)
#define ENV_SRCROOT  "RL_SARIF_SRCROOT"
#define LEVEL_RANKS  4 /* error, warning, note, none */

void rl_sarif_opts_default(rl_sarif_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_results = RL_SARIF_MAX_RESULTS;
    o->max_locations = RL_SARIF_MAX_LOCATIONS;
    o->max_tags = RL_SARIF_MAX_TAGS;
    o->max_gzip = RL_SARIF_MAX_GZIP;
    o->max_skipped = RL_SARIF_MAX_SKIPPED;
}

/* ---- URIs ------------------------------------------------------------------------- */

typedef struct seg {
    const char *p;
    size_t n;
} seg;

typedef struct segs {
    seg *v;
    size_t n, cap;
    bool failed;
} segs;

static void segs_push(segs *s, const char *p, size_t n)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        seg *v = realloc(s->v, ncap * sizeof(*v));
        if (!v) {
            s->failed = true;
            return;
        }
        s->v = v;
        s->cap = ncap;
    }
    s->v[s->n].p = p;
    s->v[s->n].n = n;
    s->n++;
}

static bool is_dotdot(const seg *g)
{
    return g->n == 2 && g->p[0] == '.' && g->p[1] == '.';
}

/* Appends the segments of `path`, dropping empty and "." ones and resolving ".." against
 * what is already there. Leading ".." segments are kept for a relative path; above the
 * root of an absolute one they stay at the root, as the file system does. The resolution
 * is lexical: display paths are what the user named, so that is what they mean. */
static void segs_add(segs *s, const char *path, bool absolute)
{
    for (const char *p = path; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        seg g = {p, n};
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (is_dotdot(&g)) {
            if (s->n && !is_dotdot(&s->v[s->n - 1]))
                s->n--;
            else if (!absolute)
                segs_push(s, p, n);
        } else {
            segs_push(s, p, n);
        }
        p += n;
        if (*p == '/')
            p++;
    }
}

/* RFC 3986: everything but the unreserved characters is percent-encoded, byte by byte.
 * That is stricter than the grammar needs (sub-delims, ':' and '@' may appear in a path)
 * but no consumer misreads it: '+' is never taken for a space, a ':' in the first segment
 * never for a scheme, and invalid UTF-8 in a file name still gives a valid URI. */
static void put_encoded(rl_strbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            rl_strbuf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rl_strbuf_append(b, e, 3);
        }
    }
}

static void put_file_uri(rl_strbuf *b, const segs *s, bool dir)
{
    rl_strbuf_puts(b, "file://");
    for (size_t i = 0; i < s->n; i++) {
        rl_strbuf_putc(b, '/');
        put_encoded(b, s->v[i].p, s->v[i].n);
    }
    if (dir || s->n == 0)
        rl_strbuf_putc(b, '/');
}

bool rl_sarif_uri(rl_strbuf *out, const char *path, const char *srcroot)
{
    segs p = {0}, root = {0};
    bool absolute = path[0] == '/';
    size_t from = 0;
    segs_add(&p, path, absolute);
    if (!absolute && p.n && is_dotdot(&p.v[0]) && srcroot) {
        /* leaves the repository: resolve it to an absolute path, which still names the
         * file exactly (a relative "../" URI is not under %SRCROOT% any more) */
        p.n = 0;
        segs_add(&p, srcroot, true);
        segs_add(&p, path, true);
        absolute = true;
    }
    if (absolute && srcroot) {
        /* an absolute path inside the repository is written relative to it, so that code
         * scanning can place it */
        segs_add(&root, srcroot, true);
        bool inside = p.n > root.n;
        for (size_t i = 0; inside && i < root.n; i++)
            inside = p.v[i].n == root.v[i].n && !memcmp(p.v[i].p, root.v[i].p, p.v[i].n);
        if (inside) {
            absolute = false;
            from = root.n;
        }
    }
    if (p.failed || root.failed)
        out->failed = true;
    if (absolute) {
        put_file_uri(out, &p, false);
    } else if (from == p.n) {
        rl_strbuf_putc(out, '.'); /* the root itself: never an empty URI */
    } else {
        for (size_t i = from; i < p.n; i++) {
            if (i > from)
                rl_strbuf_putc(out, '/');
            put_encoded(out, p.v[i].p, p.v[i].n);
        }
    }
    free(p.v);
    free(root.v);
    return !absolute;
}

/* ---- building the log --------------------------------------------------------------- */

typedef struct sctx {
    const rl_report *r;
    const rl_sarif_opts *o;
    char *rootbuf;       /* owned buffer behind srcroot (getcwd() or a decoded URI) */
    const char *srcroot; /* absolute directory or NULL */
    rl_hmap sources;     /* display path -> rl_source of the inputs that were read */
    bool nomem;
    size_t capped_tags; /* rules whose tags were cut */
} sctx;

/* Sets a member; a NULL value (allocation failure) is remembered, not ignored. */
static void put(sctx *c, json_t *o, const char *key, json_t *v)
{
    if (!o || !v || json_object_set_new(o, key, v))
        c->nomem = true;
}

static void push(sctx *c, json_t *a, json_t *v)
{
    if (!a || !v || json_array_append_new(a, v))
        c->nomem = true;
}

static json_t *message(sctx *c, const char *text)
{
    json_t *m = json_object();
    put(c, m, "text", rl_json_str(text));
    return m;
}

static json_t *artifact(sctx *c, const char *file)
{
    rl_strbuf b = RL_STRBUF_INIT;
    bool rel = rl_sarif_uri(&b, file, c->srcroot);
    json_t *a = json_object();
    if (b.failed)
        c->nomem = true;
    put(c, a, "uri", json_string(rl_strbuf_cstr(&b))); /* ASCII only: always valid */
    if (rel)
        put(c, a, "uriBaseId", json_string(SRCROOT));
    rl_strbuf_free(&b);
    return a;
}

/* The whole text of a file that was read, as a line/column region: 1:1 to just after its
 * last character. Used for a location that has a file but no position (the finding is
 * about the file): SARIF says a location without a region means the whole artifact, but
 * the SARIF multitool (SARIF2017) wants a region and GitHub places only line-based ones,
 * so the whole-file extent is written out. It is the file's real extent, never a guess:
 * without the file's text there is no region at all. */
static json_t *whole_file(sctx *c, const char *file)
{
    const rl_source *src = file ? rl_hmap_gets(&c->sources, file) : NULL;
    if (!src)
        return NULL;
    uint32_t n = rl_source_line_count(src);
    const char *text = "";
    size_t len = 0;
    if (n == 0 || rl_source_line(src, n, &text, &len) < 0) {
        n = 1; /* an empty file: its one (empty) line */
        len = 0;
    }
    json_t *g = json_object();
    put(c, g, "startLine", json_integer(1));
    put(c, g, "startColumn", json_integer(1));
    put(c, g, "endLine", json_integer(n));
    put(c, g, "endColumn", json_integer((json_int_t)rl_utf8_count(text, len) + 1));
    return g;
}

/* The region of a span; when the position is unknown the whole file's (see above) or
 * NULL: SARIF has no way to say "unknown" inside a region, and a faked 1:1 would put the
 * annotation on the wrong line. */
static json_t *region(sctx *c, const char *file, const rl_span *sp)
{
    if (!sp || !sp->start.line)
        return whole_file(c, file);
    json_t *g = json_object();
    put(c, g, "startLine", json_integer(sp->start.line));
    if (sp->start.column)
        put(c, g, "startColumn", json_integer(sp->start.column));
    bool end_ok = sp->end.line > sp->start.line ||
                  (sp->end.line == sp->start.line && sp->end.column >= sp->start.column);
    if (sp->end.line && end_ok) {
        put(c, g, "endLine", json_integer(sp->end.line));
        if (sp->start.column && sp->end.column)
            put(c, g, "endColumn", json_integer(sp->end.column));
    }
    return g;
}

/* A physicalLocation, or NULL when there is no file to point at. */
static json_t *physical(sctx *c, const char *file, const rl_span *sp)
{
    if (!file || !*file)
        return NULL;
    json_t *p = json_object();
    put(c, p, "artifactLocation", artifact(c, file));
    json_t *g = region(c, file, sp);
    if (g)
        put(c, p, "region", g);
    return p;
}

static const rl_rule *rule_of(const rl_report *r, const char *id, const rl_rule *hint)
{
    if (hint)
        return hint;
    return r->registry && id ? rl_registry_find(r->registry, id) : NULL;
}

static long rule_index(const rl_report *r, const rl_rule *rule)
{
    return r->registry && rule ? rl_registry_index(r->registry, rule) : -1;
}

static const char *sarif_level(rl_level l)
{
    return rl_level_name(l); /* error, warning, note, none: the SARIF names */
}

static const char *tag_at(const rl_rule *rule, size_t i)
{
    return i == 0 ? rule->family : rule->tags[i - 1];
}

/* The family, then the rule's tags, without duplicates, at most max_tags of them. */
static json_t *tags(sctx *c, const rl_rule *rule)
{
    json_t *t = json_array();
    size_t n = 0;
    bool cut = false;
    for (size_t i = 0; i <= rule->ntags; i++) {
        const char *tag = tag_at(rule, i);
        bool dup = !tag || !*tag;
        for (size_t j = 0; j < i && !dup; j++)
            dup = tag_at(rule, j) && !strcmp(tag_at(rule, j), tag);
        if (dup)
            continue;
        if (n == c->o->max_tags) {
            cut = true;
            break;
        }
        push(c, t, rl_json_str(tag));
        n++;
    }
    c->capped_tags += cut;
    return t;
}

/* True when a markdown link target is relative to the page (no scheme, not an anchor,
 * not rooted). */
static bool relative_link(const char *t, size_t n)
{
    if (n == 0 || t[0] == '#' || t[0] == '/')
        return false;
    for (size_t i = 0; i < n && t[i] != '/' && t[i] != '#'; i++)
        if (t[i] == ':')
            return false;
    return true;
}

/* The rule page as help.markdown. Its relative links ("[RL504](RL504.md)",
 * "(../inputs.md)") work in the repository but not where SARIF viewers show the help (a
 * GitHub alert page), so they are resolved against the page's own address, helpUri. */
static void help_markdown(rl_strbuf *b, const char *page, const char *help_uri)
{
    const char *slash = help_uri ? strrchr(help_uri, '/') : NULL;
    const char *scheme = help_uri ? strstr(help_uri, "://") : NULL;
    if (!slash || !scheme || slash < scheme + 3) {
        rl_strbuf_puts(b, page);
        return;
    }
    size_t root = (size_t)(strchr(scheme + 3, '/') - help_uri); /* "https://host" */
    for (const char *p = page; *p;) {
        const char *m = strstr(p, "](");
        if (!m) {
            rl_strbuf_puts(b, p);
            break;
        }
        const char *t = m + 2;
        size_t n = strcspn(t, ") \n");
        rl_strbuf_append(b, p, (size_t)(t - p));
        p = t + n;
        if (t[n] != ')' || !relative_link(t, n)) {
            rl_strbuf_append(b, t, n);
            continue;
        }
        size_t dir = (size_t)(slash - help_uri); /* without the final '/' */
        while (n >= 3 && !strncmp(t, "../", 3) && dir > root) {
            while (dir > root && help_uri[dir - 1] != '/')
                dir--;
            if (dir > root)
                dir--;
            t += 3;
            n -= 3;
        }
        while (n >= 2 && !strncmp(t, "./", 2)) {
            t += 2;
            n -= 2;
        }
        rl_strbuf_append(b, help_uri, dir);
        rl_strbuf_putc(b, '/');
        rl_strbuf_append(b, t, n);
    }
}

static json_t *rule_json(sctx *c, const rl_rule *rule)
{
    json_t *d = json_object();
    put(c, d, "id", rl_json_str(rule->id));
    put(c, d, "name", rl_json_str(rule->name ? rule->name : rule->id));
    put(c, d, "shortDescription", message(c, rule->title ? rule->title : rule->id));
    const char *desc = rule->description ? rule->description : rule->title;
    put(c, d, "fullDescription", message(c, desc ? desc : rule->id));
    /* The rule page is markdown meant to be read as it is (as CodeQL does, the page goes
     * into both forms); without a page the description is the help. */
    const char *help = rule->doc && *rule->doc ? rule->doc : desc ? desc : rule->id;
    rl_strbuf md = RL_STRBUF_INIT;
    help_markdown(&md, help, rule->help_uri);
    if (md.failed)
        c->nomem = true;
    json_t *h = json_object();
    put(c, h, "text", rl_json_str(help));
    put(c, h, "markdown", rl_json_str(rl_strbuf_cstr(&md)));
    put(c, d, "help", h);
    rl_strbuf_free(&md);
    if (rule->help_uri && *rule->help_uri)
        put(c, d, "helpUri", rl_json_str(rule->help_uri));
    json_t *cfg = json_object();
    put(c, cfg, "level", json_string(sarif_level(rule->level)));
    put(c, d, "defaultConfiguration", cfg);
    json_t *props = json_object();
    put(c, props, "tags", tags(c, rule));
    put(c, d, "properties", props);
    return d;
}

static json_t *driver(sctx *c)
{
    json_t *d = json_object();
    put(c, d, "name", json_string(RL_TOOL_NAME));
    put(c, d, "version", json_string(RL_VERSION));
    put(c, d, "semanticVersion", json_string(RL_VERSION));
    put(c, d, "informationUri", json_string(RL_INFO_URI));
    json_t *rules = json_array();
    /* every rule: any of them can fire, and ruleIndex is the registry index */
    for (size_t i = 0; c->r->registry && i < rl_registry_count(c->r->registry); i++)
        push(c, rules, rule_json(c, rl_registry_at(c->r->registry, i)));
    put(c, d, "rules", rules);
    return d;
}

/* One result; *capped tells whether related locations had to be left out. */
static json_t *result_json(sctx *c, const rl_finding *f, bool *capped)
{
    const rl_rule *rule = rule_of(c->r, f->rule_id, f->rule);
    json_t *o = json_object();
    put(c, o, "ruleId", rl_json_str(f->rule_id));
    long idx = rule_index(c->r, rule);
    if (idx >= 0)
        put(c, o, "ruleIndex", json_integer(idx));
    put(c, o, "level", json_string(sarif_level(f->level)));
    put(c, o, "message", message(c, f->message));

    json_t *loc = json_object();
    put(c, loc, "physicalLocation", physical(c, f->file, &f->span));
    if (f->path && *f->path) {
        json_t *ll = json_object();
        put(c, ll, "fullyQualifiedName", rl_json_str(f->path));
        json_t *lls = json_array();
        push(c, lls, ll);
        put(c, loc, "logicalLocations", lls);
    }
    json_t *locs = json_array();
    push(c, locs, loc);
    put(c, o, "locations", locs);

    size_t max_rel = c->o->max_locations ? c->o->max_locations - 1 : 0;
    size_t nrel = f->nrelated < max_rel ? f->nrelated : max_rel;
    json_t *rel = json_array();
    for (size_t i = 0; i < nrel; i++) {
        const rl_related *rl = &f->related[i];
        json_t *p = physical(c, rl->file, &rl->span);
        bool has_msg = rl->message && *rl->message;
        if (!p && !has_msg)
            continue; /* nothing to show */
        json_t *l = json_object();
        put(c, l, "id", json_integer((json_int_t)json_array_size(rel) + 1));
        if (p)
            put(c, l, "physicalLocation", p);
        if (has_msg)
            put(c, l, "message", message(c, rl->message));
        push(c, rel, l);
    }
    if (json_array_size(rel))
        put(c, o, "relatedLocations", rel);
    else
        json_decref(rel);

    /* the fingerprint ignores line numbers: moving code does not reopen an alert */
    if (f->fingerprint[0]) {
        json_t *fp = json_object();
        put(c, fp, FP_KEY, json_string(f->fingerprint));
        put(c, o, "partialFingerprints", fp);
    }

    if (f->suppressed) {
        json_t *s = json_object();
        put(c, s, "kind",
            json_string(f->suppressed == RL_SUPPRESS_INSOURCE ? "inSource" : "external"));
        put(c, s, "status", json_string("accepted"));
        if (f->justification && *f->justification)
            put(c, s, "justification", rl_json_str(f->justification));
        if (f->suppressed_by && *f->suppressed_by) {
            json_t *sp = json_object();
            put(c, sp, "suppressedBy", rl_json_str(f->suppressed_by));
            put(c, s, "properties", sp);
        }
        json_t *ss = json_array();
        push(c, ss, s);
        put(c, o, "suppressions", ss);
    }

    json_t *props = json_object();
    if (f->region)
        put(c, props, "region", rl_json_str(f->region));
    if (f->other_region)
        put(c, props, "otherRegion", rl_json_str(f->other_region));
    if (f->nrelated > nrel)
        put(c, props, "omittedRelatedLocations", json_integer((json_int_t)(f->nrelated - nrel)));
    if (json_object_size(props))
        put(c, o, "properties", props);
    else
        json_decref(props);
    *capped = f->nrelated > nrel;
    return o;
}

/* ---- notifications ------------------------------------------------------------------ */

static json_t *notification(sctx *c, const char *level, const char *text, json_t *phys,
                            const rl_rule *rule)
{
    json_t *n = json_object();
    put(c, n, "level", json_string(level));
    put(c, n, "message", message(c, text));
    if (phys) {
        json_t *loc = json_object();
        put(c, loc, "physicalLocation", phys);
        json_t *locs = json_array();
        push(c, locs, loc);
        put(c, n, "locations", locs);
    }
    long idx = rule_index(c->r, rule);
    if (rule && idx >= 0) {
        json_t *ar = json_object();
        put(c, ar, "id", rl_json_str(rule->id));
        put(c, ar, "index", json_integer(idx));
        put(c, n, "associatedRule", ar);
    }
    return n;
}

static void notify(sctx *c, json_t *list, const char *level, json_t *phys, const rl_rule *rule,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void notify(sctx *c, json_t *list, const char *level, json_t *phys, const rl_rule *rule,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf) {
        json_decref(phys);
        c->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    push(c, list, notification(c, level, buf, phys, rule));
    free(buf);
}

/* Input errors, findings with no file, skipped inputs and the report's notice: everything
 * but the truncation notes, which depend on how many results fit. */
static void base_notifications(sctx *c, json_t *list, bool *failed)
{
    const rl_report *r = c->r;
    const rl_rule *rl001 = rule_of(r, RL_ID(RL001), NULL);
    size_t nin = r->inputs ? rl_inputs_count(r->inputs) : 0;
    for (size_t i = 0; i < nin; i++) {
        const rl_input *in = rl_inputs_at(r->inputs, i);
        if (!in->error.code)
            continue;
        *failed = true;
        rl_span sp;
        memset(&sp, 0, sizeof(sp));
        sp.start.line = in->error.line;
        sp.start.column = in->error.line ? in->error.column : 0;
        /* the error is a point: an empty region at it (end exclusive), not a guessed width */
        sp.end = sp.start;
        const char *what = in->error.code == RL_ELIMIT   ? "was rejected"
                           : in->error.code == RL_EPARSE ? "cannot be parsed"
                                                         : "cannot be read";
        notify(c, list, "error", physical(c, in->path, &sp), rl001, "%s %s: %s", in->path, what,
               in->error.message);
    }
    /* A result needs a file (GitHub rejects a result without a physical location); a
     * finding without one is kept as a notification rather than dropped. */
    for (size_t i = 0; i < rl_findings_count(r->findings); i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        if (f->file && *f->file)
            continue;
        const rl_rule *rule = rule_of(r, f->rule_id, f->rule);
        if (f->suppressed)
            notify(c, list, "note", NULL, rule, "[%s] %s (suppressed: %s)", f->rule_id, f->message,
                   f->justification ? f->justification : "");
        else
            notify(c, list, sarif_level(f->level), NULL, rule, "[%s] %s", f->rule_id, f->message);
    }
    /* Skipped inputs. Those that look like AWS data are RL002 results already. */
    size_t listed = 0, unlisted = 0;
    for (size_t i = 0; i < nin; i++) {
        const rl_input *in = rl_inputs_at(r->inputs, i);
        if (!in->doc || in->error.code || in->kind != RL_INPUT_UNKNOWN || in->looks_aws)
            continue;
        if (listed++ < c->o->max_skipped)
            notify(c, list, "note", physical(c, in->path, NULL), NULL,
                   "%s was skipped: not a kind of input regionlint reads", in->path);
        else
            unlisted++;
    }
    if (unlisted)
        notify(c, list, "note", NULL, NULL,
               "%zu more files were skipped: not a kind of input regionlint reads", unlisted);
    /* Files skipped by extension are listed only when asked for (-v): in a repository they
     * are every README and source file. */
    size_t nskip = r->inputs ? rl_inputs_skipped_count(r->inputs) : 0;
    if (nskip && !r->verbose) {
        notify(c, list, "note", NULL, NULL, "%zu file%s skipped: not JSON or YAML, or excluded",
               nskip, nskip == 1 ? " was" : "s were");
    } else if (nskip) {
        unlisted = 0;
        for (size_t i = 0; i < nskip; i++) {
            const char *p = rl_inputs_skipped_at(r->inputs, i);
            if (listed++ < c->o->max_skipped)
                notify(c, list, "note", physical(c, p, NULL), NULL, "%s was skipped: %s", p,
                       rl_inputs_skipped_why(r->inputs, i));
            else
                unlisted++;
        }
        if (unlisted)
            notify(c, list, "note", NULL, NULL,
                   "%zu more files were skipped: not JSON or YAML, or excluded", unlisted);
    }
    if (r->notice && *r->notice)
        notify(c, list, "warning", NULL, NULL, "%s", r->notice);
}

/* ---- limits ------------------------------------------------------------------------- */

/* Bits of a length (3..258) and a distance (1..32768) in deflate's fixed Huffman code:
 * 7 or 8 bits (8 counted) plus extra bits for the length, 5 plus extra for the distance. */
static unsigned match_bits(size_t len, size_t dist)
{
    unsigned extra = len <= 10    ? 0
                     : len <= 18  ? 1
                     : len <= 34  ? 2
                     : len <= 66  ? 3
                     : len <= 130 ? 4
                     : len < 258  ? 5
                                  : 0;
    unsigned dextra = 0;
    for (size_t d = dist - 1; d >= 4; d >>= 1)
        dextra++; /* floor(log2(dist - 1)) - 1 for dist >= 5 */
    return 8 + extra + 5 + dextra;
}

#define GZ_HASH_BITS 15
#define GZ_WINDOW    32768
#define GZ_MIN       3
#define GZ_MAX       258

static uint32_t hash3(const unsigned char *p)
{
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - GZ_HASH_BITS);
}

/* The size of one valid gzip encoding of the text: a greedy LZ77 parse (32 KB window, the
 * last position with the same 3 bytes as the only candidate) written as one fixed-Huffman
 * deflate block, plus gzip's header and trailer. zlib, which upload tools use, searches
 * longer and builds codes fitted to the data, so what it writes is smaller: this is an
 * upper estimate without linking a compressor, linear in the size. */
size_t rl_sarif_gzip_size(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t *head = calloc((size_t)1 << GZ_HASH_BITS, sizeof(*head)); /* position + 1 */
    if (!head)
        return n + 5 * (n / 65535 + 1) + 18; /* stored blocks: the worst case */
    uint64_t bits = 3 + 7;                   /* block header, end of block */
    for (size_t i = 0; i < n;) {
        size_t len = 0, dist = 0;
        if (i + GZ_MIN <= n) {
            uint32_t h = hash3(u + i);
            size_t cand = head[h];
            head[h] = (uint32_t)(i + 1);
            if (cand && i - (cand - 1) <= GZ_WINDOW) {
                size_t j = cand - 1, max = n - i < GZ_MAX ? n - i : GZ_MAX;
                while (len < max && u[j + len] == u[i + len])
                    len++;
                dist = i - j;
            }
        }
        if (len >= GZ_MIN) {
            bits += match_bits(len, dist);
            for (size_t k = i + 1; k < i + len && k + GZ_MIN <= n; k++)
                head[hash3(u + k)] = (uint32_t)(k + 1);
            i += len;
        } else {
            bits += u[i] < 144 ? 8 : 9;
            i++;
        }
    }
    free(head);
    return (size_t)((bits + 7) / 8) + 18;
}

/* Whether a serialized log stays under the gzipped size limit. Below the limit even
 * uncompressed (stored blocks cost 5 bytes per 64 KB), it does without estimating. */
static bool fits(const rl_sarif_opts *o, const char *text, size_t size)
{
    if (size + 5 * (size / 65535 + 1) + 18 <= o->max_gzip)
        return true;
    return rl_sarif_gzip_size(text, size - 1) + 1 <= o->max_gzip; /* + the newline */
}

typedef struct cand {
    size_t finding; /* index in r->findings */
    int rank;       /* 0 = keep first */
    json_t *json;   /* built for the candidates that may be kept */
    bool capped;    /* some related locations left out */
    bool keep;
} cand;

/* Unsuppressed results by level, then suppressed ones: GitHub shows the most severe first,
 * and a suppressed result that goes missing only closes an alert that is closed anyway. */
static int rank_of(const rl_finding *f)
{
    int lv = f->level == RL_LEVEL_ERROR     ? 0
             : f->level == RL_LEVEL_WARNING ? 1
             : f->level == RL_LEVEL_NOTE    ? 2
                                            : 3;
    return f->suppressed ? LEVEL_RANKS + lv : lv;
}

static int cmp_rank(const void *pa, const void *pb)
{
    const cand *a = *(cand *const *)pa, *b = *(cand *const *)pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->finding < b->finding ? -1 : a->finding > b->finding;
}

typedef struct assembly {
    json_t *root, *run, *inv, *base; /* base: the notifications that do not depend on k */
    cand *cands;
    cand **by_rank;
    size_t ncand, built; /* built: how many of by_rank have json */
    bool failed;         /* executionSuccessful false */
} assembly;

/* Puts the `k` best-ranked results (in report order) and the notifications into the run
 * and serializes the log: the text (caller frees; *size is its length with the final
 * newline), or NULL when out of memory. */
static char *assemble(sctx *c, assembly *a, size_t k, size_t *size)
{
    for (size_t i = 0; i < a->ncand; i++)
        a->cands[i].keep = false;
    for (size_t i = 0; i < k; i++)
        a->by_rank[i]->keep = true;
    json_t *results = json_array();
    size_t capped = 0;
    for (size_t i = 0; i < a->ncand; i++) {
        if (!a->cands[i].keep)
            continue;
        if (json_array_append(results, a->cands[i].json))
            c->nomem = true;
        capped += a->cands[i].capped;
    }

    json_t *notes = json_array();
    if (json_array_extend(notes, a->base))
        c->nomem = true;
    size_t dropped = a->ncand - k;
    if (dropped) {
        size_t by_count = a->ncand - a->built;
        if (by_count)
            notify(c, notes, "warning", NULL, NULL,
                   "%zu of %zu results were left out: GitHub code scanning accepts at most "
                   "%zu results per run. The most severe were kept (errors, then warnings, "
                   "then notes; suppressed results last)",
                   by_count, a->ncand, c->o->max_results);
        if (dropped > by_count)
            notify(c, notes, "warning", NULL, NULL,
                   "%zu more results were left out to keep the log under %zu bytes gzipped "
                   "(GitHub code scanning accepts at most 10 MB). The most severe were kept "
                   "(errors, then warnings, then notes; suppressed results last)",
                   dropped - by_count, c->o->max_gzip);
    }
    if (capped)
        notify(c, notes, "warning", NULL, NULL,
               "%zu result%s more related locations than the %zu locations per result that "
               "GitHub code scanning accepts; the first ones were kept (see the result's "
               "omittedRelatedLocations property)",
               capped, capped == 1 ? " has" : "s have", c->o->max_locations);
    if (c->capped_tags)
        notify(c, notes, "note", NULL, NULL,
               "%zu rule%s more than %zu tags; the family and the first tags were kept",
               c->capped_tags, c->capped_tags == 1 ? " has" : "s have", c->o->max_tags);

    json_object_del(a->inv, "executionSuccessful");
    json_object_del(a->inv, "toolExecutionNotifications");
    put(c, a->inv, "executionSuccessful", json_boolean(!a->failed));
    if (json_array_size(notes))
        put(c, a->inv, "toolExecutionNotifications", notes);
    else
        json_decref(notes);
    put(c, a->run, "results", results);
    char *text = c->nomem ? NULL : json_dumps(a->root, DUMP_FLAGS);
    if (!text)
        c->nomem = true;
    *size = text ? strlen(text) + 1 : 0; /* + the final newline */
    return text;
}

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* The absolute path of a file: URI ("file:///src/", "file://localhost/src/"), decoded
 * into an owned string; NULL when it is not one. */
static char *file_uri_path(const char *uri)
{
    if (strncmp(uri, "file://", 7))
        return NULL;
    const char *p = uri + 7;
    if (!strncmp(p, "localhost/", 10))
        p += 9;
    if (*p != '/')
        return NULL;
    char *out = malloc(strlen(p) + 1), *o = out;
    for (; out && *p; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    if (out)
        *o = '\0';
    return out;
}

/* %SRCROOT%: the option, else $RL_SARIF_SRCROOT (an absolute path or a file: URI: golden
 * tests set it so that the output does not depend on where the repository is checked
 * out; a relative value is ignored), else the current directory. Relative display paths
 * are relative to the current directory, so that is what the base stands for. */
static void srcroot_init(sctx *c)
{
    if (c->o->srcroot) {
        c->srcroot = c->o->srcroot;
        return;
    }
    const char *env = getenv(ENV_SRCROOT);
    if (env && env[0] == '/') {
        c->srcroot = env;
        return;
    }
    if (env && (c->rootbuf = file_uri_path(env))) {
        c->srcroot = c->rootbuf;
        return;
    }
    for (size_t sz = 256; sz <= ((size_t)1 << 20); sz *= 2) {
        char *buf = realloc(c->rootbuf, sz);
        if (!buf)
            break;
        c->rootbuf = buf;
        if (getcwd(buf, sz)) {
            c->srcroot = buf;
            return;
        }
        if (errno != ERANGE)
            break;
    }
}

/* Indexes the text of every input that was read, for whole-file regions. */
static void sources_init(sctx *c)
{
    size_t n = c->r->inputs ? rl_inputs_count(c->r->inputs) : 0;
    for (size_t i = 0; i < n; i++) {
        const rl_input *in = rl_inputs_at(c->r->inputs, i);
        const rl_source *src = in->doc ? rl_doc_source(in->doc) : in->text;
        if (src && in->path && rl_hmap_puts(&c->sources, in->path, (void *)src) < 0)
            c->nomem = true;
    }
}

/* The log without results and notifications: schema, the run, its tool (every rule), the
 * invocation, the source root and the regions of the run. */
static void skeleton(sctx *c, assembly *a)
{
    const rl_report *r = c->r;
    a->root = json_object();
    put(c, a->root, "$schema", json_string(SARIF_SCHEMA));
    put(c, a->root, "version", json_string("2.1.0"));
    json_t *runs = json_array();
    a->run = json_object();
    json_t *tool = json_object();
    put(c, tool, "driver", driver(c));
    put(c, a->run, "tool", tool);
    a->inv = json_object();
    json_t *invs = json_array();
    if (a->inv)
        json_incref(a->inv);
    push(c, invs, a->inv);
    put(c, a->run, "invocations", invs);
    if (c->srcroot) {
        /* GitHub ignores it, but it lets other viewers resolve the relative URIs */
        segs s = {0};
        segs_add(&s, c->srcroot, true);
        rl_strbuf b = RL_STRBUF_INIT;
        put_file_uri(&b, &s, true);
        if (s.failed || b.failed)
            c->nomem = true;
        json_t *base = json_object(), *al = json_object();
        put(c, al, "uri", json_string(rl_strbuf_cstr(&b)));
        put(c, base, SRCROOT, al);
        put(c, a->run, "originalUriBaseIds", base);
        rl_strbuf_free(&b);
        free(s.v);
    }
    /* our columns count code points, GitHub's default is UTF-16 code units */
    put(c, a->run, "columnKind", json_string("unicodeCodePoints"));
    if (r->primary || r->nstandby) {
        json_t *props = json_object(), *sb = json_array();
        if (r->primary)
            put(c, props, "primaryRegion", rl_json_str(r->primary));
        for (size_t i = 0; i < r->nstandby; i++)
            push(c, sb, rl_json_str(r->standby[i]));
        put(c, props, "standbyRegions", sb);
        put(c, props, "strategy", json_string(rl_strategy_name(r->strategy)));
        put(c, a->run, "properties", props);
    }
    if (a->run)
        json_incref(a->run);
    push(c, runs, a->run);
    put(c, a->root, "runs", runs);
}

int rl_report_sarif_opts(FILE *out, const rl_report *r, const rl_sarif_opts *o, rl_error *err)
{
    sctx c = {r, o, NULL, NULL, RL_HMAP_INIT, false, 0};
    char *text = NULL;
    assembly a;
    memset(&a, 0, sizeof(a));
    int rc = RL_OK;
    srcroot_init(&c);
    sources_init(&c);

    skeleton(&c, &a);
    a.base = json_array();
    base_notifications(&c, a.base, &a.failed);

    size_t nf = rl_findings_count(r->findings);
    a.cands = calloc(nf ? nf : 1, sizeof(*a.cands));
    a.by_rank = calloc(nf ? nf : 1, sizeof(*a.by_rank));
    if (!a.cands || !a.by_rank)
        c.nomem = true;
    for (size_t i = 0; !c.nomem && i < nf; i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        if (!f->file || !*f->file)
            continue; /* a notification, see base_notifications() */
        cand *cd = &a.cands[a.ncand];
        cd->finding = i;
        cd->rank = rank_of(f);
        a.by_rank[a.ncand] = cd;
        a.ncand++;
    }
    if (!c.nomem && a.ncand > 1)
        qsort(a.by_rank, a.ncand, sizeof(*a.by_rank), cmp_rank);
    a.built = a.ncand < o->max_results ? a.ncand : o->max_results;
    for (size_t i = 0; !c.nomem && i < a.built; i++)
        a.by_rank[i]->json = result_json(&c, rl_findings_at(r->findings, a.by_rank[i]->finding),
                                         &a.by_rank[i]->capped);

    size_t size = 0;
    text = c.nomem ? NULL : assemble(&c, &a, a.built, &size);
    if (text && !fits(o, text, size)) {
        /* Too big: find the most results that fit. The size grows with k, so a binary
         * search over k needs about log2(25000) = 15 serializations. Even with no result
         * the log may not fit (huge notifications); it is written anyway: the limit is
         * GitHub's, and the notification says what happened. */
        size_t lo = 0, hi = a.built;
        free(text);
        text = assemble(&c, &a, 0, &size);
        bool none_fits = !text || !fits(o, text, size);
        while (!none_fits && !c.nomem && hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            free(text);
            text = assemble(&c, &a, mid, &size);
            if (text && fits(o, text, size))
                lo = mid;
            else
                hi = mid;
        }
        free(text);
        text = c.nomem ? NULL : assemble(&c, &a, lo, &size);
    }
    if (!text) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    if (fwrite(text, 1, size - 1, out) != size - 1 || fputc('\n', out) == EOF || ferror(out))
        rc = rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");

cleanup:
    free(text);
    for (size_t i = 0; a.cands && i < a.ncand; i++)
        json_decref(a.cands[i].json);
    free(a.cands);
    free(a.by_rank);
    json_decref(a.base);
    json_decref(a.inv);
    json_decref(a.run);
    json_decref(a.root);
    free(c.rootbuf);
    rl_hmap_free(&c.sources);
    return rc;
}

int rl_report_sarif(FILE *out, const rl_report *r, rl_error *err)
{
    rl_sarif_opts o;
    rl_sarif_opts_default(&o);
    return rl_report_sarif_opts(out, r, &o, err);
}
