/* The rule registry: reads rule metadata (the YAML files of rules/, embedded at build time),
 * attaches each rule's page (docs/rules/<id>.md) and binds the check functions by id. */
#include <regionlint/rule.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "checks.h"
#include "embedded.h"
#include "settings.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct rl_registry {
    rl_arena *arena;
    rl_rule **rules;
    size_t count, cap;
    rl_hmap by_id;
    rl_doc **docs; /* metadata documents: settings nodes point into them */
    size_t ndocs;
    rl_custom **customs; /* compiled custom rules, freed with the registry */
    size_t ncustoms;
};

#define RL_HELP_BASE RL_INFO_URI "/blob/main/docs/rules/"

static int meta_error(rl_error *err, const char *file, const rl_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int meta_error(rl_error *err, const char *file, const rl_node *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rl_error_set(err, RL_ECONFIG, file, n ? n->span.start.line : 0,
                        n ? n->span.start.column : 0, "%s", msg);
}

static int add_rule(rl_registry *reg, rl_rule *r)
{
    if (reg->count == reg->cap) {
        size_t ncap = reg->cap ? reg->cap * 2 : 64;
        rl_rule **n = realloc(reg->rules, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        reg->rules = n;
        reg->cap = ncap;
    }
    reg->rules[reg->count++] = r;
    return rl_hmap_puts(&reg->by_id, r->id, r) < 0 ? RL_ENOMEM : RL_OK;
}

static bool valid_id(const char *id, bool custom)
{
    if (strncmp(id, "RL", 2))
        return false;
    const char *p = id + 2;
    if (custom) {
        if (*p++ != 'X' || !*p)
            return false;
        for (; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-'))
                return false;
        return true;
    }
    for (int i = 0; i < 3; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return p[3] == '\0';
}

/* A SARIF rule name for a custom rule that gives none: the title in kebab case ("A standby
 * calls X" -> "a-standby-calls-x"). SARIF wants a name that differs from the id. */
static const char *name_from_title(rl_arena *a, const char *title)
{
    char buf[65];
    size_t n = 0;
    for (const char *p = title; *p && n < sizeof(buf) - 1; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            buf[n++] = c;
        else if (n && buf[n - 1] != '-')
            buf[n++] = '-';
    }
    while (n && buf[n - 1] == '-')
        n--;
    return rl_arena_strndup(a, n ? buf : "custom-rule", n ? n : strlen("custom-rule"));
}

/* Compiles a custom rule's `match:` and binds it to the custom check. */
static int bind_custom(rl_registry *reg, rl_rule *r, const rl_doc *doc, const char *file,
                       const rl_node *e, const rl_node *match, rl_error *err)
{
    if (!match)
        return meta_error(err, file, e,
                          "custom rule %s needs `match:` (the resources and values it looks at "
                          "and a pattern; see docs/custom-rules.md)",
                          r->id);
    rl_custom **n = realloc(reg->customs, (reg->ncustoms + 1) * sizeof(*n));
    if (!n)
        return RL_ENOMEM;
    reg->customs = n;
    int rc = rl_custom_compile(&reg->customs[reg->ncustoms], doc, file, match, err);
    if (rc < 0)
        return rc;
    r->custom = reg->customs[reg->ncustoms++];
    r->check = rl_check_custom;
    return RL_OK;
}

/* Parses one rule entry; custom entries (RLX ids) also carry `match:`. */
static int parse_rule(rl_registry *reg, const rl_doc *doc, const char *file, const rl_node *e,
                      bool custom, rl_error *err)
{
    const rl_node *match = NULL, *settings = NULL;
    rl_arena *a = reg->arena;
    rl_rule *r = rl_arena_calloc(a, 1, sizeof(*r));
    if (!r)
        return RL_ENOMEM;
    for (int s = 0; s < RL_STRATEGY_COUNT; s++)
        r->strategy_level[s] = RL_LEVEL_INHERIT;
    r->level = RL_LEVEL_WARNING;
    r->source = file;
    if (!rl_node_is_map(e))
        return meta_error(err, file, e, "a rule must be a mapping");
    for (size_t i = 0; i < e->u.map.count; i++) {
        const rl_node *k = e->u.map.items[i].key, *v = e->u.map.items[i].value;
        const char *key = rl_node_str(k), *val = rl_node_str(v);
        if (!key)
            return meta_error(err, file, k, "rule keys must be strings");
        if (!strcmp(key, "id"))
            r->id = val;
        else if (!strcmp(key, "name"))
            r->name = val;
        else if (!strcmp(key, "title"))
            r->title = val;
        else if (!strcmp(key, "description"))
            r->description = val;
        else if (!strcmp(key, "family"))
            r->family = val;
        else if (!strcmp(key, "help-uri"))
            r->help_uri = val;
        else if (!strcmp(key, "level")) {
            int lv = rl_level_parse(val);
            if (lv <= RL_LEVEL_NONE)
                return meta_error(err, file, v, "level must be error, warning or note, not '%s'",
                                  val ? val : "?");
            r->level = (rl_level)lv;
        } else if (!strcmp(key, "tags")) {
            if (!rl_node_is_seq(v))
                return meta_error(err, file, v, "tags must be a list");
            r->ntags = v->u.seq.count;
            r->tags = rl_arena_calloc(a, r->ntags + 1, sizeof(*r->tags));
            if (!r->tags)
                return RL_ENOMEM;
            for (size_t j = 0; j < r->ntags; j++)
                if (!(r->tags[j] = rl_node_str(v->u.seq.items[j])))
                    return meta_error(err, file, v->u.seq.items[j], "tags must be strings");
        } else if (!strcmp(key, "strategies")) {
            if (!rl_node_is_map(v))
                return meta_error(err, file, v, "strategies must map strategy to level");
            for (size_t j = 0; j < v->u.map.count; j++) {
                const char *sn = rl_node_str(v->u.map.items[j].key);
                int st = rl_strategy_parse(sn);
                int lv = rl_level_parse(rl_node_str(v->u.map.items[j].value));
                if (st < 0)
                    return meta_error(err, file, v->u.map.items[j].key, "unknown strategy '%s'",
                                      sn ? sn : "?");
                if (lv < 0)
                    return meta_error(err, file, v->u.map.items[j].value,
                                      "bad level for strategy %s", sn);
                r->strategy_level[st] = lv;
            }
        } else if (!strcmp(key, "settings")) {
            settings = v;
        } else if (custom && !strcmp(key, "match")) {
            match = v;
        } else {
            return meta_error(err, file, k, "unknown rule key '%s'", key);
        }
    }
    if (custom && r->id && valid_id(r->id, false))
        return meta_error(err, file, e,
                          "%s is a built-in rule id: custom rule ids start with RLX (such as "
                          "RLX%s)",
                          r->id, r->id + 2);
    if (!r->id || !valid_id(r->id, custom))
        return meta_error(err, file, e, "%s",
                          custom ? "custom rule ids look like RLX001 or RLX-MY-RULE"
                                 : "rule ids look like RL501");
    if (custom && !r->family)
        r->family = "custom";
    if (!r->title || !r->family)
        return meta_error(err, file, e, "rule %s needs a title and a family", r->id);
    if (!r->name && custom && !(r->name = name_from_title(a, r->title)))
        return RL_ENOMEM;
    if (!r->name)
        r->name = r->id;
    if (!r->description)
        r->description = r->title;
    const rl_rule *other = rl_hmap_gets(&reg->by_id, r->id);
    if (other)
        return meta_error(err, file, e, "rule id %s is already defined%s%s", r->id,
                          strcmp(other->source, file) ? " in " : " in this file",
                          strcmp(other->source, file) ? other->source : "");
    if (!r->help_uri) {
        r->help_uri = custom ? NULL : rl_arena_printf(a, "%s%s.md", RL_HELP_BASE, r->id);
        if (!custom && !r->help_uri)
            return RL_ENOMEM;
    }
    int rc;
    rl_setting_decl *decls;
    if (settings &&
        (rc = rl_settings_parse(a, file, r->id, settings, &decls, &r->nsettings, err)) < 0)
        return rc;
    if (settings)
        r->settings = decls;
    if (custom && (rc = bind_custom(reg, r, doc, file, e, match, err)) < 0)
        return rc;
    return add_rule(reg, r);
}

static int load_doc(rl_registry *reg, rl_source *src, bool custom, rl_error *err)
{
    rl_doc *doc = NULL;
    rl_load_opts opts = {RL_SYNTAX_AUTO, 64, 100000};
    int rc = rl_doc_load(&doc, src, &opts, err);
    if (rc < 0)
        return err ? (err->code = RL_ECONFIG) : RL_ECONFIG;
    rl_doc **nd = realloc(reg->docs, (reg->ndocs + 1) * sizeof(*nd));
    if (!nd) {
        rl_doc_free(doc);
        return RL_ENOMEM;
    }
    reg->docs = nd;
    reg->docs[reg->ndocs++] = doc;
    const char *file = rl_arena_strdup(reg->arena, rl_doc_path(doc));
    if (!file)
        return RL_ENOMEM;
    if (rl_doc_dupkey_count(doc))
        return meta_error(err, file, rl_doc_dupkey(doc, 0)->second, "duplicate key '%s'",
                          rl_doc_dupkey(doc, 0)->second->u.s.str);
    const rl_node *root = rl_doc_root(doc);
    const rl_node *list = rl_node_get(root, "rules");
    if (!rl_node_is_seq(list))
        return meta_error(err, file, root, "a rule file holds `rules:`, a list of rules");
    for (size_t i = 0; i < list->u.seq.count; i++)
        if ((rc = parse_rule(reg, doc, file, list->u.seq.items[i], custom, err)) < 0)
            return rc;
    return RL_OK;
}

static int cmp_rules(const void *a, const void *b)
{
    return strcmp((*(rl_rule *const *)a)->id, (*(rl_rule *const *)b)->id);
}

static void sort_rules(rl_registry *reg)
{
    qsort(reg->rules, reg->count, sizeof(*reg->rules), cmp_rules);
}

static bool starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

int rl_registry_new(rl_registry **out, rl_error *err)
{
    rl_registry *reg = calloc(1, sizeof(*reg));
    int rc = RL_OK;
    *out = NULL;
    if (!reg || !(reg->arena = rl_arena_new(0))) {
        free(reg);
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (const rl_embedded_file *f = rl_embedded_files; f->path; f++) {
        if (!starts_with(f->path, "rules/") || strchr(f->path + 6, '/'))
            continue;
        size_t n = strlen(f->path);
        if (n < 5 || strcmp(f->path + n - 5, ".yaml"))
            continue; /* data tables (.json) are read by the modules that use them */
        rl_source *src = NULL;
        if ((rc = rl_source_new(&src, f->path, f->data, f->len)) < 0 ||
            (rc = load_doc(reg, src, false, err)) < 0)
            goto cleanup;
    }
    /* the ids compiled in (RL_ID) are exactly the ids of the metadata: ids.cmake reads the
     * same files as this loader, and a difference would let RL_ID name a rule that is not
     * there (or leave one unnamed) */
    for (size_t i = 0; i < reg->count; i++)
        if (rl_rule_id_parse(reg->rules[i]->id) < 0) {
            rc = rl_error_set(err, RL_ECONFIG, reg->rules[i]->source, 0, 0,
                              "rule %s is not among the generated rule ids (rl_rule_ids.h): "
                              "rebuild, or fix src/rules/ids.cmake",
                              reg->rules[i]->id);
            goto cleanup;
        }
    if (reg->count != RL_RULE_COUNT) {
        rc = rl_error_set(err, RL_ECONFIG, NULL, 0, 0,
                          "rules/*.yaml defines %zu rules, the generated rule ids %d: rebuild",
                          reg->count, (int)RL_RULE_COUNT);
        goto cleanup;
    }
    /* pages */
    for (const rl_embedded_file *f = rl_embedded_files; f->path; f++) {
        if (!starts_with(f->path, "docs/rules/"))
            continue;
        char id[32];
        const char *base = f->path + strlen("docs/rules/");
        const char *dot = strrchr(base, '.');
        size_t len = dot ? (size_t)(dot - base) : strlen(base);
        if (len >= sizeof(id))
            continue;
        memcpy(id, base, len);
        id[len] = '\0';
        rl_rule *r = rl_hmap_gets(&reg->by_id, id);
        if (!r) {
            rc = rl_error_set(err, RL_ECONFIG, f->path, 0, 0,
                              "rule page for %s, which has no metadata in rules/", id);
            goto cleanup;
        }
        r->doc = f->data;
    }
    /* checks */
    for (const rl_check_binding *b = rl_check_bindings; b->id; b++) {
        rl_rule *r = rl_hmap_gets(&reg->by_id, b->id);
        if (!r) {
            rc = rl_error_set(err, RL_ECONFIG, NULL, 0, 0,
                              "check function for %s, which has no metadata in rules/", b->id);
            goto cleanup;
        }
        r->check = b->fn;
    }
    for (size_t i = 0; i < reg->count; i++) {
        rl_rule *r = reg->rules[i];
        if (!r->check && !rl_engine_emits(r->id)) {
            rc = rl_error_set(err, RL_ECONFIG, r->source, 0, 0,
                              "rule %s has metadata but no implementation", r->id);
            goto cleanup;
        }
    }
    sort_rules(reg);

cleanup:
    if (rc < 0) {
        rl_registry_free(reg);
        return rc == RL_ENOMEM ? rl_error_set(err, rc, NULL, 0, 0, "out of memory") : rc;
    }
    *out = reg;
    return RL_OK;
}

static int load_file(rl_registry *reg, const char *path, rl_error *err)
{
    rl_source *src = NULL;
    int rc = rl_source_read(&src, path, path, 16 * 1024 * 1024, err);
    if (rc < 0)
        return err ? (err->code = RL_ECONFIG) : RL_ECONFIG;
    return load_doc(reg, src, true, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rl_registry_load_path(rl_registry *reg, const char *path, rl_error *err)
{
    struct stat st;
    int rc = RL_OK;
    if (stat(path, &st) != 0)
        return rl_error_set(err, RL_ECONFIG, path, 0, 0, "rule path does not exist");
    if (!S_ISDIR(st.st_mode)) {
        rc = load_file(reg, path, err);
    } else {
        DIR *d = opendir(path);
        if (!d)
            return rl_error_set(err, RL_ECONFIG, path, 0, 0, "cannot read the rule folder");
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (e->d_name[0] == '.' || !((l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) ||
                                         (l > 4 && !strcmp(e->d_name + l - 4, ".yml"))))
                continue;
            char **nn = realloc(names, (n + 1) * sizeof(*nn));
            if (!nn || !(nn[n] = strdup(e->d_name))) {
                free(nn ? nn : names);
                closedir(d);
                return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
            }
            names = nn;
            n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), cmp_str);
        for (size_t i = 0; i < n; i++) {
            if (rc == RL_OK) {
                char full[4096];
                snprintf(full, sizeof(full), "%s/%s", path, names[i]);
                rc = load_file(reg, full, err);
            }
            free(names[i]);
        }
        free(names);
    }
    sort_rules(reg);
    return rc == RL_ENOMEM ? rl_error_set(err, rc, NULL, 0, 0, "out of memory") : rc;
}

void rl_registry_free(rl_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->ndocs; i++)
        rl_doc_free(reg->docs[i]);
    for (size_t i = 0; i < reg->ncustoms; i++)
        rl_custom_free(reg->customs[i]);
    free(reg->customs);
    free(reg->docs);
    free(reg->rules);
    rl_hmap_free(&reg->by_id);
    rl_arena_free(reg->arena);
    free(reg);
}

size_t rl_registry_count(const rl_registry *reg)
{
    return reg->count;
}

const rl_rule *rl_registry_at(const rl_registry *reg, size_t i)
{
    return i < reg->count ? reg->rules[i] : NULL;
}

const rl_rule *rl_registry_find(const rl_registry *reg, const char *id)
{
    return rl_hmap_gets(&reg->by_id, id);
}

long rl_registry_index(const rl_registry *reg, const rl_rule *rule)
{
    /* rules are sorted by id: binary search */
    size_t lo = 0, hi = reg->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(reg->rules[mid]->id, rule->id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

#define RL_RULE_STR_(id) RL_ID_##id,
static const char *const rule_ids[RL_RULE_COUNT] = {RL_RULE_IDS(RL_RULE_STR_)};
#undef RL_RULE_STR_

const char *rl_rule_id_str(rl_rule_id id)
{
    return (unsigned)id < RL_RULE_COUNT ? rule_ids[id] : NULL;
}

int rl_rule_id_parse(const char *id)
{
    /* the table is sorted (ids.cmake sorts it): binary search */
    size_t lo = 0, hi = RL_RULE_COUNT;
    while (id && lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(rule_ids[mid], id);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

rl_level rl_rule_level(const rl_rule *rule, rl_strategy strategy)
{
    if ((unsigned)strategy < RL_STRATEGY_COUNT &&
        rule->strategy_level[strategy] != RL_LEVEL_INHERIT)
        return (rl_level)rule->strategy_level[strategy];
    return rule->level;
}

bool rl_rule_id_matches(const char *pattern, const char *id)
{
    return pattern && *pattern && !strncmp(pattern, id, strlen(pattern));
}
