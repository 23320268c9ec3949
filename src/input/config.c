/* The config file `.regionlint.yaml`: loading with strict key checking, lookup from the
 * current folder upward, durations and path globs. */
#include <regionlint/config.h>

#include <regionlint/input.h>

#include "../base/arena.h"

#include <limits.h>
#include "../base/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Glob over '/'-separated paths: `*` and `?` stay inside one segment, `**` spans any
 * number of segments, `[...]` is a character class. fnmatch(3) has no `**`, hence this. */
static bool glob_at(const char *p, const char *s, long *budget)
{
    /* a shared step budget bounds the backtracking of patterns like *a*a*a*b */
    if (--*budget <= 0)
        return false;
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            const char *rest = p + 2;
            if (*rest == '/')
                rest++;
            if (!*rest)
                return true;
            if (glob_at(rest, s, budget))
                return true;
            for (const char *q = s; *q; q++)
                if (*q == '/' && glob_at(rest, q + 1, budget))
                    return true;
            return false;
        }
        if (*p == '*') {
            p++;
            for (;;) {
                if (glob_at(p, s, budget))
                    return true;
                if (!*s || *s == '/')
                    return false;
                s++;
            }
        }
        if (*p == '?') {
            if (!*s || *s == '/')
                return false;
            p++;
            s++;
            continue;
        }
        if (*p == '[') {
            const char *q = p + 1;
            bool neg = *q == '!' || *q == '^';
            if (neg)
                q++;
            bool hit = false;
            const char *start = q;
            while (*q && (*q != ']' || q == start)) {
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    if (*s >= q[0] && *s <= q[2])
                        hit = true;
                    q += 3;
                } else {
                    if (*s == *q)
                        hit = true;
                    q++;
                }
            }
            if (*q != ']') {
                /* no closing bracket: a literal '[' */
                if (*s != '[')
                    return false;
                p++;
                s++;
                continue;
            }
            if (!*s || *s == '/' || hit == neg)
                return false;
            p = q + 1;
            s++;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

bool rl_glob_match(const char *pattern, const char *path)
{
    while (pattern[0] == '.' && pattern[1] == '/')
        pattern += 2;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    long budget = 100000;
    return glob_at(pattern, path, &budget);
}

/* ---- compiled glob sets ------------------------------------------------------------- */

/* One pattern, read once: the literal text it starts with (a string it matches starts with
 * it too) and the other literal runs of two bytes or more (each occurs in a string it
 * matches). Most patterns of a list are ruled out by these alone, without glob_at. */
typedef struct glob_pat {
    const char *p; /* the pattern without leading "./" (folded with RL_GLOB_CASEFOLD) */
    size_t prefix; /* bytes of literal text before the first wildcard */
    size_t lits;   /* first run in the set's run array */
    size_t nlits;
} glob_pat;

typedef struct glob_run {
    const char *s;
    size_t len;
} glob_run;

struct rl_globset {
    unsigned flags;
    glob_pat *pats;
    size_t n;
    glob_run *runs;
    size_t nruns, capruns;
    rl_arena *a; /* folded copies of the patterns */
};

#define GLOB_FOLD_MAX 256 /* folded matching leaves out longer patterns and strings */

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int add_run(rl_globset *g, const char *s, size_t len)
{
    if (g->nruns == g->capruns) {
        size_t ncap = g->capruns ? g->capruns * 2 : 16;
        glob_run *n = realloc(g->runs, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        g->runs = n;
        g->capruns = ncap;
    }
    g->runs[g->nruns++] = (glob_run){s, len};
    return RL_OK;
}

/* The literal runs of `p`. A '/' right after `**` is optional ("**" + "/x" matches "x"),
 * so a run there starts after it. Patterns with a character class keep only their prefix:
 * a ']' can be a member, and the class syntax is not worth re-reading here. */
static int compile_pat(rl_globset *g, glob_pat *gp)
{
    const char *p = gp->p;
    while (p[gp->prefix] && p[gp->prefix] != '*' && p[gp->prefix] != '?' && p[gp->prefix] != '[')
        gp->prefix++;
    gp->lits = g->nruns;
    if (strchr(p, '['))
        return RL_OK;
    size_t i = gp->prefix;
    while (p[i]) {
        if (p[i] == '*' || p[i] == '?') {
            bool star2 = p[i] == '*' && p[i + 1] == '*';
            i += star2 ? 2 : 1;
            if (star2 && p[i] == '/')
                i++;
            continue;
        }
        size_t n = 0;
        while (p[i + n] && p[i + n] != '*' && p[i + n] != '?')
            n++;
        if (n >= 2 && add_run(g, p + i, n) < 0)
            return RL_ENOMEM;
        i += n;
    }
    gp->nlits = g->nruns - gp->lits;
    return RL_OK;
}

int rl_globset_new(rl_globset **out, const char *const *patterns, size_t n, unsigned flags)
{
    rl_globset *g = calloc(1, sizeof(*g));
    int rc = RL_ENOMEM;
    *out = NULL;
    if (!g || !(g->a = rl_arena_new(0)) || !(g->pats = calloc(n ? n : 1, sizeof(*g->pats))))
        goto cleanup;
    g->flags = flags;
    for (size_t i = 0; i < n; i++) {
        const char *p = patterns[i];
        if (!p)
            continue;
        if (flags & RL_GLOB_CASEFOLD) {
            size_t len = strlen(p);
            if (len >= GLOB_FOLD_MAX)
                continue;
            char *f = rl_arena_strndup(g->a, p, len);
            if (!f)
                goto cleanup;
            for (size_t j = 0; j < len; j++)
                f[j] = fold(f[j]);
            p = f;
        }
        while (p[0] == '.' && p[1] == '/')
            p += 2;
        glob_pat *gp = &g->pats[g->n++];
        gp->p = p;
        if (compile_pat(g, gp) < 0)
            goto cleanup;
    }
    *out = g;
    g = NULL;
    rc = RL_OK;

cleanup:
    rl_globset_free(g);
    return rc;
}

void rl_globset_free(rl_globset *g)
{
    if (!g)
        return;
    free(g->pats);
    free(g->runs);
    rl_arena_free(g->a);
    free(g);
}

size_t rl_globset_count(const rl_globset *g)
{
    return g ? g->n : 0;
}

/* True when s[0, len) contains run r (memmem is not in C11/POSIX). */
static bool has_run(const char *s, size_t len, const glob_run *r)
{
    const char *end = s + len;
    char c0 = r->s[0];
    while ((size_t)(end - s) >= r->len) {
        const char *hit = memchr(s, c0, (size_t)(end - s) - r->len + 1);
        if (!hit)
            return false;
        if (!memcmp(hit + 1, r->s + 1, r->len - 1))
            return true;
        s = hit + 1;
    }
    return false;
}

bool rl_globset_match(const rl_globset *g, const char *s)
{
    char low[GLOB_FOLD_MAX];
    if (!g || !g->n)
        return false;
    size_t len = strlen(s);
    if (g->flags & RL_GLOB_CASEFOLD) {
        if (len >= sizeof(low))
            return false;
        for (size_t i = 0; i <= len; i++)
            low[i] = fold(s[i]);
        s = low;
    }
    while (s[0] == '.' && s[1] == '/') {
        s += 2;
        len -= 2;
    }
    for (size_t i = 0; i < g->n; i++) {
        const glob_pat *gp = &g->pats[i];
        if (gp->prefix && (len < gp->prefix || memcmp(s, gp->p, gp->prefix)))
            continue;
        bool present = true;
        for (size_t r = 0; r < gp->nlits && present; r++)
            present = has_run(s + gp->prefix, len - gp->prefix, &g->runs[gp->lits + r]);
        if (!present)
            continue;
        long budget = 100000;
        if (glob_at(gp->p, s, &budget))
            return true;
    }
    return false;
}

char *rl_config_find(const char *start_dir)
{
    char dir[PATH_MAX];
    if (!realpath(start_dir, dir))
        return NULL;
    for (;;) {
        static const char *const names[] = {".regionlint.yaml", ".regionlint.yml"};
        for (size_t i = 0; i < 2; i++) {
            char cand[PATH_MAX + 32];
            snprintf(cand, sizeof(cand), "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode))
                return strdup(cand);
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
            break;
        *slash = '\0';
    }
    return NULL;
}

/* ---- loading ------------------------------------------------------------------------ */

typedef struct cload {
    rl_config *cfg;
    rl_arena *a;
    rl_error *err;
} cload;

static int cerr(cload *c, const rl_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cerr(cload *c, const rl_node *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rl_error_set(c->err, RL_ECONFIG, c->cfg->path, n ? n->span.start.line : 0,
                        n ? n->span.start.column : 0, "%s", msg);
}

static int want_str(cload *c, const rl_node *n, const char *key, const char **out)
{
    if (!rl_node_is_scalar(n) || n->type == RL_SCALAR_NULL)
        return cerr(c, n, "'%s' must be a string", key);
    *out = n->u.s.str;
    return RL_OK;
}

/* A string or a list of strings. */
static int want_strs(cload *c, const rl_node *n, const char *key, const char ***out, size_t *count)
{
    size_t cnt = rl_node_is_seq(n) ? n->u.seq.count : 1;
    const char **v = rl_arena_calloc(c->a, cnt + 1, sizeof(*v));
    if (!v)
        return rl_error_set(c->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < cnt; i++)
            if (want_str(c, n->u.seq.items[i], key, &v[i]) < 0)
                return RL_ECONFIG;
    } else if (want_str(c, n, key, &v[0]) < 0) {
        return cerr(c, n, "'%s' must be a string or a list of strings", key);
    }
    *out = v;
    *count = cnt;
    return RL_OK;
}

static int want_region(cload *c, const rl_node *n, const char *key)
{
    const char *s = rl_node_str(n);
    if (!s || !rl_is_region(s, strlen(s)))
        return cerr(c, n, "'%s': '%s' is not an AWS region code (like us-east-1)", key, s ? s : "");
    return RL_OK;
}

static bool is_rule_id(const char *s)
{
    if (strncmp(s, "RL", 2))
        return false;
    if (s[2] == 'X')
        return s[3] != '\0';
    return s[2] >= '0' && s[2] <= '9';
}

static int load_rules(cload *c, const rl_node *rules)
{
    rl_config *cfg = c->cfg;
    if (!rl_node_is_map(rules))
        return cerr(c, rules, "'rules' must be a mapping");
    size_t nset = 0;
    for (size_t i = 0; i < rules->u.map.count; i++)
        nset++;
    cfg->settings = rl_arena_calloc(c->a, nset + 1, sizeof(*cfg->settings));
    if (!cfg->settings)
        return rl_error_set(c->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < rules->u.map.count; i++) {
        const rl_node *k = rules->u.map.items[i].key, *v = rules->u.map.items[i].value;
        const char *key = rl_node_str(k);
        if (!key)
            return cerr(c, k, "rule keys must be strings");
        if (!strcmp(key, "disable")) {
            if (want_strs(c, v, "rules.disable", &cfg->disable, &cfg->ndisable) < 0)
                return RL_ECONFIG;
        } else if (!strcmp(key, "enable")) {
            if (want_strs(c, v, "rules.enable", &cfg->enable, &cfg->nenable) < 0)
                return RL_ECONFIG;
        } else if (!strcmp(key, "custom")) {
            if (want_strs(c, v, "rules.custom", &cfg->rule_dirs, &cfg->nrule_dirs) < 0)
                return RL_ECONFIG;
        } else if (!strcmp(key, "levels")) {
            if (!rl_node_is_map(v))
                return cerr(c, v, "'rules.levels' must map rule ids to levels");
            cfg->levels = rl_arena_calloc(c->a, v->u.map.count + 1, sizeof(*cfg->levels));
            if (!cfg->levels)
                return rl_error_set(c->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
            for (size_t j = 0; j < v->u.map.count; j++) {
                const char *id = rl_node_str(v->u.map.items[j].key);
                const char *lv = rl_node_str(v->u.map.items[j].value);
                int level = rl_level_parse(lv);
                if (!id || !is_rule_id(id))
                    return cerr(c, v->u.map.items[j].key, "'%s' is not a rule id", id ? id : "?");
                if (level < 0)
                    return cerr(c, v->u.map.items[j].value,
                                "level of %s must be error, warning, note or none, not '%s'", id,
                                lv ? lv : "");
                cfg->levels[cfg->nlevels++] =
                    (rl_config_level){id, (rl_level)level, v->u.map.items[j].value};
            }
        } else if (is_rule_id(key)) {
            if (!rl_node_is_map(v))
                return cerr(c, v, "settings of %s must be a mapping", key);
            cfg->settings[cfg->nsettings++] = (rl_config_setting){key, v, k};
        } else {
            return cerr(c, k,
                        "unknown key 'rules.%s' (expected disable, enable, levels, custom or a "
                        "rule id)",
                        key);
        }
    }
    return RL_OK;
}

static int load_ignores(cload *c, const rl_node *list)
{
    rl_config *cfg = c->cfg;
    if (!rl_node_is_seq(list))
        return cerr(c, list, "'ignore' must be a list of {rule, path, reason, expires}");
    cfg->ignores = rl_arena_calloc(c->a, list->u.seq.count + 1, sizeof(*cfg->ignores));
    if (!cfg->ignores)
        return rl_error_set(c->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < list->u.seq.count; i++) {
        const rl_node *e = list->u.seq.items[i];
        rl_config_ignore *ig = &cfg->ignores[cfg->nignores++];
        ig->node = e;
        if (!rl_node_is_map(e))
            return cerr(c, e, "each 'ignore' entry must be a mapping with rule and reason");
        for (size_t j = 0; j < e->u.map.count; j++) {
            const char *k = rl_node_str(e->u.map.items[j].key);
            const rl_node *v = e->u.map.items[j].value;
            const char **dst = NULL;
            if (!k)
                return cerr(c, e->u.map.items[j].key, "keys must be strings");
            if (!strcmp(k, "rule") || !strcmp(k, "id"))
                dst = &ig->rule;
            else if (!strcmp(k, "path"))
                dst = &ig->path;
            else if (!strcmp(k, "logical-path") || !strcmp(k, "resource"))
                dst = &ig->logical;
            else if (!strcmp(k, "reason"))
                dst = &ig->reason;
            else if (!strcmp(k, "expires"))
                dst = &ig->expires;
            else
                return cerr(c, e->u.map.items[j].key,
                            "unknown key '%s' in an ignore entry (expected rule, path, "
                            "logical-path, reason, expires)",
                            k);
            /* an empty value is an absent one; an absent reason is RL004, not an error */
            if (v->type == RL_SCALAR_NULL)
                continue;
            if (want_str(c, v, k, dst) < 0)
                return RL_ECONFIG;
        }
        if (!ig->rule)
            return cerr(c, e, "an ignore entry needs 'rule'");
    }
    return RL_OK;
}

static int load_inputs(cload *c, const rl_node *m)
{
    rl_config *cfg = c->cfg;
    if (!rl_node_is_map(m))
        return cerr(c, m, "'inputs' must map regions (or 'shared') to lists of globs");
    cfg->inputs = rl_arena_calloc(c->a, m->u.map.count + 1, sizeof(*cfg->inputs));
    if (!cfg->inputs)
        return rl_error_set(c->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < m->u.map.count; i++) {
        const rl_node *k = m->u.map.items[i].key;
        const char *region = rl_node_str(k);
        if (!region)
            return cerr(c, k, "'inputs' keys must be region codes or 'shared'");
        if (strcmp(region, "shared") && want_region(c, k, "inputs") < 0)
            return RL_ECONFIG;
        rl_config_inputs *in = &cfg->inputs[cfg->ninputs++];
        in->region = region;
        if (want_strs(c, m->u.map.items[i].value, "inputs", &in->globs, &in->nglobs) < 0)
            return RL_ECONFIG;
    }
    return RL_OK;
}

static int want_account(cload *c, const rl_node *n, const char *region)
{
    const char *s = rl_node_str(n);
    size_t len = s ? strlen(s) : 0;
    bool ok = len == 12;
    for (size_t i = 0; ok && i < len; i++)
        ok = s[i] >= '0' && s[i] <= '9';
    if (!ok)
        return cerr(c, n, "'account%s%s': '%s' is not a 12-digit AWS account id", region ? "." : "",
                    region ? region : "", s ? s : "");
    rl_config_account *a = &c->cfg->accounts[c->cfg->naccounts++];
    a->region = region;
    a->account = s;
    a->node = n;
    return RL_OK;
}

/* `account: 111122223333` (every region) or `account: {us-east-1: ..., us-west-2: ...}`. */
static int load_accounts(cload *c, const rl_node *n)
{
    size_t cnt = rl_node_is_map(n) ? n->u.map.count : 1;
    c->cfg->accounts = rl_arena_calloc(c->a, cnt + 1, sizeof(*c->cfg->accounts));
    if (!c->cfg->accounts)
        return rl_error_set(c->err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rl_node_is_map(n))
        return want_account(c, n, NULL);
    for (size_t i = 0; i < cnt; i++) {
        const rl_node *k = n->u.map.items[i].key;
        if (want_region(c, k, "account") < 0 ||
            want_account(c, n->u.map.items[i].value, k->u.s.str) < 0)
            return RL_ECONFIG;
    }
    return RL_OK;
}

static int load_requirements(cload *c, const rl_node *m)
{
    rl_config *cfg = c->cfg;
    if (!rl_node_is_map(m))
        return cerr(c, m, "'requirements' must be a mapping {rto, rpo, tier}");
    for (size_t i = 0; i < m->u.map.count; i++) {
        const char *k = rl_node_str(m->u.map.items[i].key);
        const rl_node *v = m->u.map.items[i].value;
        const char *s = rl_node_str(v);
        if (k && (!strcmp(k, "rto") || !strcmp(k, "rpo"))) {
            long d = rl_duration_parse(s, 0);
            if (d < 0)
                return cerr(c, v, "'%s' must be a duration such as 15m, 1h or 30s, not '%s'", k,
                            s ? s : "");
            if (!strcmp(k, "rto"))
                cfg->rto = d;
            else
                cfg->rpo = d;
        } else if (k && !strcmp(k, "tier")) {
            double t;
            if (!rl_node_number(v, &t) || t < 0 || t > 99)
                return cerr(c, v, "'tier' must be a small number");
            cfg->tier = (int)t;
        } else {
            return cerr(c, m->u.map.items[i].key,
                        "unknown key 'requirements.%s' (expected rto, rpo, tier)", k ? k : "?");
        }
    }
    return RL_OK;
}

static int load_root(cload *c, const rl_node *root)
{
    rl_config *cfg = c->cfg;
    if (!root)
        return RL_OK;
    if (!rl_node_is_map(root))
        return cerr(c, root, "the config file must be a mapping");
    for (size_t i = 0; i < root->u.map.count; i++) {
        const rl_node *k = root->u.map.items[i].key, *v = root->u.map.items[i].value;
        const char *key = rl_node_str(k);
        int rc = RL_OK;
        if (!key)
            return cerr(c, k, "keys must be strings");
        if (!strcmp(key, "primary")) {
            if ((rc = want_region(c, v, "primary")) == RL_OK)
                cfg->primary = v->u.s.str;
        } else if (!strcmp(key, "standby")) {
            rc = want_strs(c, v, "standby", &cfg->standby, &cfg->nstandby);
            for (size_t j = 0; rc == RL_OK && j < cfg->nstandby; j++)
                rc = want_region(c, rl_node_is_seq(v) ? v->u.seq.items[j] : v, "standby");
        } else if (!strcmp(key, "strategy")) {
            const char *s = rl_node_str(v);
            int st = rl_strategy_parse(s);
            if (st < 0)
                rc = cerr(c, v,
                          "unknown strategy '%s' (expected backup-restore, pilot-light, "
                          "warm-standby, hot-standby, active-active)",
                          s ? s : "?");
            cfg->strategy = st;
        } else if (!strcmp(key, "bake-time")) {
            const char *s = rl_node_str(v);
            cfg->bake_time = rl_duration_parse(s, 0);
            if (cfg->bake_time < 0)
                rc = cerr(c, v, "'bake-time' must be a duration such as 1h or 30m, not '%s'",
                          s ? s : "");
        } else if (!strcmp(key, "requirements")) {
            rc = load_requirements(c, v);
        } else if (!strcmp(key, "inputs")) {
            rc = load_inputs(c, v);
        } else if (!strcmp(key, "scp")) {
            rc = want_strs(c, v, "scp", &cfg->scp_globs, &cfg->nscp);
        } else if (!strcmp(key, "account")) {
            rc = load_accounts(c, v);
        } else if (!strcmp(key, "rules")) {
            rc = load_rules(c, v);
        } else if (!strcmp(key, "ignore")) {
            rc = load_ignores(c, v);
        } else if (!strcmp(key, "exclude")) {
            rc = want_strs(c, v, "exclude", &cfg->exclude, &cfg->nexclude);
        } else if (!strcmp(key, "mandatory")) {
            rc = want_strs(c, v, "mandatory", &cfg->mandatory, &cfg->nmandatory);
        } else {
            rc = cerr(c, k,
                      "unknown key '%s' (expected primary, standby, strategy, requirements, "
                      "bake-time, inputs, exclude, scp, account, rules, ignore, mandatory)",
                      key);
        }
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

static rl_config *config_alloc(void)
{
    rl_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return NULL;
    cfg->strategy = -1;
    cfg->bake_time = -1;
    cfg->rto = cfg->rpo = -1;
    cfg->tier = -1;
    return cfg;
}

int rl_config_empty(rl_config **out)
{
    *out = config_alloc();
    return *out ? RL_OK : RL_ENOMEM;
}

int rl_config_load(rl_config **out, const char *path, rl_error *err)
{
    rl_config *cfg = NULL;
    rl_source *src = NULL;
    int rc;

    *out = NULL;
    if (!(cfg = config_alloc()))
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if ((rc = rl_source_read(&src, path, path, 4 * 1024 * 1024, err)) < 0)
        goto cleanup;
    rl_load_opts opts = {RL_SYNTAX_YAML, 64, 10000};
    if ((rc = rl_doc_load(&cfg->doc, src, &opts, err)) < 0) {
        if (err)
            err->code = RL_ECONFIG;
        rc = RL_ECONFIG;
        goto cleanup;
    }
    cload c = {cfg, rl_doc_arena(cfg->doc), err};
    char abs[PATH_MAX];
    const char *full = realpath(path, abs) ? abs : path;
    cfg->path = rl_arena_strdup(c.a, path);
    const char *slash = strrchr(full, '/');
    cfg->dir = slash ? rl_arena_strndup(c.a, full, slash == full ? 1 : (size_t)(slash - full))
                     : rl_arena_strdup(c.a, ".");
    if (!cfg->path || !cfg->dir) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    if (rl_doc_dupkey_count(cfg->doc) > 0) {
        const rl_dupkey *d = rl_doc_dupkey(cfg->doc, 0);
        char first[32];
        snprintf(first, sizeof(first), "%u", d->first->span.start.line);
        rc = cerr(&c, d->second, "duplicate key '%s' (first given at line %s)", d->second->u.s.str,
                  first);
        goto cleanup;
    }
    rc = load_root(&c, rl_doc_root(cfg->doc));

cleanup:
    if (rc < 0) {
        rl_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return RL_OK;
}

void rl_config_free(rl_config *cfg)
{
    if (!cfg)
        return;
    rl_doc_free(cfg->doc);
    free(cfg);
}

const rl_node *rl_config_rule_settings(const rl_config *cfg, const char *rule_id)
{
    for (size_t i = 0; cfg && i < cfg->nsettings; i++)
        if (!strcmp(cfg->settings[i].rule, rule_id))
            return cfg->settings[i].node;
    return NULL;
}
