/* Corpus walk: loads every real sample file under RL_CORPUS_DIR and checks that the
 * loaders accept all good files, reject bad ones cleanly, and give every node a sane span. */
#include <criterion/criterion.h>
#include <regionlint/doc.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct walk {
    char **paths;
    size_t count, cap;
} walk;

static void walk_add(walk *w, const char *path)
{
    if (w->count == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        w->paths = realloc(w->paths, w->cap * sizeof(*w->paths));
        cr_assert_not_null(w->paths);
    }
    w->paths[w->count] = strdup(path);
    cr_assert_not_null(w->paths[w->count]);
    w->count++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Collects the data files below `dir` (documentation such as PROVENANCE.md is not data). */
static void walk_dir(walk *w, const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        cr_assert(n > 0 && (size_t)n < sizeof(path));
        struct stat st;
        cr_assert_eq(lstat(path, &st), 0, "cannot stat %s", path);
        if (S_ISDIR(st.st_mode))
            walk_dir(w, path);
        else if (S_ISREG(st.st_mode) && !has_suffix(path, ".md"))
            walk_add(w, path);
    }
    closedir(d);
}

static bool is_bad(const char *path)
{
    return strstr(path, "/bad/") != NULL;
}

typedef struct span_check {
    const rl_doc *doc;
    uint32_t nlines;
    size_t subspans; /* scalars whose whole value mapped to an exact sub-span */
    size_t nodes;
    char problem[512];
} span_check;

static bool pos_le(rl_pos a, rl_pos b)
{
    return a.line < b.line || (a.line == b.line && a.column <= b.column);
}

/* Checks every node's span; records the first problem with the node's position. */
static void check_spans(const rl_node *n, span_check *c, unsigned depth)
{
    if (!n || c->problem[0])
        return;
    c->nodes++;
    const rl_span *s = &n->span;
    if (s->start.line < 1 || s->start.column < 1 || !pos_le(s->start, s->end) ||
        (!(n->flags & RL_NODE_EMBEDDED) && s->end.line > c->nlines)) {
        snprintf(c->problem, sizeof(c->problem),
                 "node (kind %d) has span %u:%u-%u:%u in a file of %u lines", n->kind,
                 s->start.line, s->start.column, s->end.line, s->end.column, c->nlines);
        return;
    }
    cr_assert_lt(depth, 1000, "node tree deeper than the loader's limit");
    const char *text;
    size_t llen;
    if (n->kind == RL_NODE_SCALAR && n->u.s.len > 0 &&
        rl_source_line(rl_doc_source(c->doc), s->start.line, &text, &llen) == 0 && llen < 4096) {
        /* an exact sub-span lies inside the scalar's own span (not on minified lines:
         * rl_doc_subspan scans its line from the start, quadratic over a whole file) */
        rl_span sub;
        if (rl_doc_subspan(c->doc, n, 0, n->u.s.len, &sub)) {
            c->subspans++;
            if (!pos_le(s->start, sub.start) || !pos_le(sub.end, s->end) ||
                !pos_le(sub.start, sub.end))
                snprintf(c->problem, sizeof(c->problem),
                         "sub-span %u:%u-%u:%u of \"%.40s\" is outside its node %u:%u-%u:%u",
                         sub.start.line, sub.start.column, sub.end.line, sub.end.column, n->u.s.str,
                         s->start.line, s->start.column, s->end.line, s->end.column);
        }
    }
    if (n->kind == RL_NODE_MAPPING) {
        for (size_t i = 0; i < n->u.map.count; i++) {
            check_spans(n->u.map.items[i].key, c, depth + 1);
            check_spans(n->u.map.items[i].value, c, depth + 1);
        }
    } else if (n->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.count; i++)
            check_spans(n->u.seq.items[i], c, depth + 1);
    }
}

Test(corpus, every_file_loads_with_sane_spans, .timeout = 0)
{
    struct stat st;
    if (stat(RL_CORPUS_DIR, &st) != 0 || !S_ISDIR(st.st_mode))
        cr_skip_test("corpus folder %s not present", RL_CORPUS_DIR);

    walk w = {0};
    walk_dir(&w, RL_CORPUS_DIR);
    qsort(w.paths, w.count, sizeof(*w.paths), cmp_str);
    cr_assert_gt(w.count, 100, "expected the corpus to hold hundreds of files, found %zu", w.count);

    char failures[8192] = "";
    size_t nfail = 0, loaded = 0, bad_loaded = 0, bad_rejected = 0, nodes = 0, subspans = 0;
    for (size_t i = 0; i < w.count; i++) {
        const char *path = w.paths[i];
        const char *display = path + strlen(RL_CORPUS_DIR) + 1;
        rl_error err;
        rl_error_clear(&err);
        rl_source *src = NULL;
        cr_assert_eq(rl_source_read(&src, path, display, RL_DEFAULT_MAX_FILE_SIZE, &err), 0,
                     "%s: %s", display, err.message);
        uint32_t nlines = rl_source_line_count(src);
        rl_doc *doc = NULL;
        int rc = rl_doc_load(&doc, src, NULL, &err);
        if (rc == RL_OK) {
            span_check c = {.doc = doc, .nlines = nlines};
            check_spans(rl_doc_root(doc), &c, 0);
            cr_expect_eq(c.problem[0], '\0', "%s: %s", display, c.problem);
            for (size_t k = 0; k < rl_doc_dupkey_count(doc); k++) {
                const rl_dupkey *d = rl_doc_dupkey(doc, k);
                cr_expect(pos_le(d->first->span.start, d->second->span.start),
                          "%s: duplicate key reported before its first occurrence", display);
            }
            nodes += c.nodes;
            subspans += c.subspans;
            loaded++;
            if (is_bad(path))
                bad_loaded++;
            rl_doc_free(doc);
            continue;
        }
        cr_assert_null(doc);
        cr_expect_neq(err.message[0], '\0', "%s: error without a message", display);
        if (is_bad(path)) {
            bad_rejected++;
            cr_expect(rc == RL_EPARSE || rc == RL_ELIMIT, "%s: unexpected code %d (%s)", display,
                      rc, err.message);
            cr_expect_gt(err.line, 0, "%s: error without a line: %s", display, err.message);
            cr_expect_gt(err.column, 0, "%s: error without a column: %s", display, err.message);
            continue;
        }
        nfail++;
        size_t used = strlen(failures);
        if (used < sizeof(failures) - 1)
            snprintf(failures + used, sizeof(failures) - used, "\n  %s:%u:%u: %s", display,
                     err.line, err.column, err.message);
    }
    cr_log_info("corpus: %zu files, %zu loaded (%zu nodes, %zu exact sub-spans); under bad/: "
                "%zu loaded, %zu rejected",
                w.count, loaded, nodes, subspans, bad_loaded, bad_rejected);
    cr_expect_gt(subspans, nodes / 4, "sub-spans should map most scalars exactly");
    cr_expect_eq(nfail, 0, "%zu good corpus files failed to load:%s", nfail, failures);
    for (size_t i = 0; i < w.count; i++)
        free(w.paths[i]);
    free(w.paths);
}
