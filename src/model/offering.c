/* What the stacks use and what each region offers: the service map (resource type -> IAM
 * prefix, SSM service name, actions; rules/data/service-map.yaml), the built-in region
 * tables (rules/data/region-services.json, rules/data/cfn-types.json, see their
 * PROVENANCE.md) and SSM get-parameters-by-path exports that override them. */
#include "model_private.h"

#include "../rules/embedded.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A name table: the union of names and, per region, which of them it offers. */
typedef struct name_table {
    rl_doc *doc;
    rl_hmap index; /* name -> (void *)(index + 1) */
    size_t count;
    rl_hmap regions; /* region -> uint8_t bitset, 1 = offered */
    const char *source;
} name_table;

struct rl_offering {
    rl_arena *arena;
    rl_doc *map_doc;
    const rl_node *global, *global_partitions, *regional_actions;
    const rl_node *namespaces, *types;
    rl_hmap tf;     /* terraform key -> value node */
    rl_hmap uses;   /* type -> rl_service_use* (or &unknown_use) */
    name_table cfn; /* CloudFormation resource types */
    rl_hmap cfn_copied, cfn_stale;
    name_table svc; /* SSM service names */
    rl_hmap svc_global;
    /* SSM exports */
    rl_hmap ex_pairs;        /* "region\nservice" -> 1 */
    rl_hmap ex_region_full;  /* region -> source path: complete list of its services */
    rl_hmap ex_service_full; /* service -> source path: complete list of its regions */
    rl_hmap ex_pair_source;  /* "region\nservice" -> source path */
};

static const rl_service_use unknown_use;

/* ---- loading ------------------------------------------------------------------------ */

static const rl_embedded_file *embedded(const char *path)
{
    for (const rl_embedded_file *f = rl_embedded_files; f->path; f++)
        if (!strcmp(f->path, path))
            return f;
    return NULL;
}

/* Loads an embedded table. A missing or broken table is a build defect, not an input
 * problem: the caller then simply knows nothing (every answer "unknown"). */
static rl_doc *load_embedded(const char *path)
{
    const rl_embedded_file *f = embedded(path);
    rl_source *src = NULL;
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    if (!f || rl_source_new(&src, f->path, f->data, f->len) < 0)
        return NULL;
    rl_load_opts opts = {RL_SYNTAX_AUTO, 64, 100000};
    if (rl_doc_load(&doc, src, &opts, &err) < 0)
        return NULL;
    return doc;
}

static int set_of(rl_hmap *h, const rl_node *list)
{
    for (size_t i = 0; i < rl_node_count(list) && rl_node_is_seq(list); i++) {
        const char *s = rl_node_str(list->u.seq.items[i]);
        if (s && rl_hmap_puts(h, s, (void *)1) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

/* "0-3 17 20-25": the indices a region lacks. */
static void clear_ranges(uint8_t *bits, size_t count, const char *ranges)
{
    const char *p = ranges;
    while (p && *p) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (end == p)
            break;
        p = end;
        if (*p == '-') {
            b = strtoul(p + 1, &end, 10);
            p = end;
        }
        for (unsigned long i = a; i <= b && i < count; i++)
            bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
        while (*p == ' ')
            p++;
    }
}

static int load_table(rl_arena *a, name_table *t, const char *path, const char *names_key,
                      const char *what)
{
    t->doc = load_embedded(path);
    const rl_node *root = rl_doc_root(t->doc);
    const rl_node *names = rl_node_get(root, names_key);
    const rl_node *regions = rl_node_get(root, "regions");
    if (!rl_node_is_seq(names) || !rl_node_is_map(regions))
        return RL_OK;
    t->count = names->u.seq.count;
    for (size_t i = 0; i < t->count; i++) {
        const char *n = rl_node_str(names->u.seq.items[i]);
        if (n && rl_hmap_puts(&t->index, n, (void *)(uintptr_t)(i + 1)) < 0)
            return RL_ENOMEM;
    }
    size_t bytes = (t->count + 7) / 8;
    for (size_t i = 0; i < regions->u.map.count; i++) {
        const char *r = rl_node_str(regions->u.map.items[i].key);
        uint8_t *bits = rl_arena_alloc(a, bytes ? bytes : 1);
        if (!bits)
            return RL_ENOMEM;
        memset(bits, 0xFF, bytes);
        clear_ranges(bits, t->count,
                     rl_node_str(rl_node_get(regions->u.map.items[i].value, "missing")));
        if (r && rl_hmap_puts(&t->regions, r, bits) < 0)
            return RL_ENOMEM;
    }
    const rl_node *src = rl_node_get(root, "source");
    const char *repo = rl_node_str(rl_node_get(src, "repo"));
    const char *commit = rl_node_str(rl_node_get(src, "commit"));
    const char *date = rl_node_str(rl_node_get(src, "date"));
    t->source = rl_arena_printf(a, "%s: %s@%.9s, %.10s", what, repo ? repo : "?",
                                commit ? commit : "?", date ? date : "?");
    return t->source ? RL_OK : RL_ENOMEM;
}

/* ---- SSM exports ------------------------------------------------------------------ */

#define GI "/aws/service/global-infrastructure/"

/* The (region, service) a parameter name states, if any. */
static bool parse_param(const char *name, char *region, char *service, size_t sz, bool *by_region)
{
    if (strncmp(name, GI, strlen(GI)))
        return false;
    const char *p = name + strlen(GI);
    const char *first, *second;
    if (!strncmp(p, "regions/", 8)) {
        *by_region = true;
        first = p + 8;
        second = "/services/";
    } else if (!strncmp(p, "services/", 9)) {
        *by_region = false;
        first = p + 9;
        second = "/regions/";
    } else {
        return false;
    }
    const char *mid = strstr(first, second);
    if (!mid || (size_t)(mid - first) >= sz)
        return false;
    const char *last = mid + strlen(second);
    size_t ll = strcspn(last, "/");
    if (!ll || ll >= sz)
        return false;
    char *a = *by_region ? region : service, *b = *by_region ? service : region;
    memcpy(a, first, (size_t)(mid - first));
    a[mid - first] = '\0';
    memcpy(b, last, ll);
    b[ll] = '\0';
    return true;
}

static int add_export(rl_model *m, struct rl_offering *o, const rl_input *in)
{
    const rl_node *root = rl_input_root(in);
    const rl_node *params = rl_node_get(root, "Parameters");
    const rl_node *one = rl_node_get(root, "Parameter");
    size_t n = rl_node_is_seq(params) ? params->u.seq.count : 0;
    const char *src = rl_arena_printf(o->arena, "SSM export %s", in->path);
    if (!src)
        return RL_ENOMEM;
    /* a page that says more follows cannot tell what is missing */
    const rl_node *next = rl_node_get(root, "NextToken");
    bool complete =
        !next || next->type == RL_SCALAR_NULL || (rl_node_is_scalar(next) && next->u.s.len == 0);
    for (size_t i = 0; i < n + (one ? 1 : 0); i++) {
        const rl_node *p = i < n ? params->u.seq.items[i] : one;
        const char *name = rl_node_str(rl_node_get(p, "Name"));
        char region[64], service[128], key[200];
        bool by_region;
        if (!name || !parse_param(name, region, service, sizeof(region), &by_region))
            continue;
        snprintf(key, sizeof(key), "%s\n%s", region, service);
        const char *ik = rl_model_intern(m, key);
        const char *ir = rl_model_intern(m, region), *is = rl_model_intern(m, service);
        if (!ik || !ir || !is || rl_hmap_puts(&o->ex_pairs, ik, (void *)1) < 0 ||
            rl_hmap_puts(&o->ex_pair_source, ik, (void *)src) < 0)
            return RL_ENOMEM;
        /* a single get-parameter answers for one pair only */
        if (complete && one == NULL) {
            rl_hmap *full = by_region ? &o->ex_region_full : &o->ex_service_full;
            if (rl_hmap_puts(full, by_region ? ir : is, (void *)src) < 0)
                return RL_ENOMEM;
        }
    }
    return RL_OK;
}

/* ---- building --------------------------------------------------------------------- */

static bool has_standby_stack(const rl_model *m)
{
    for (size_t i = 0; i < m->nstacks; i++)
        if (m->stacks[i]->region && rl_model_in_pair(m, m->stacks[i]->region) &&
            !rl_model_is_primary(m, m->stacks[i]->region))
            return true;
    return false;
}

int rl_offering_build(rl_model *m)
{
    if (!has_standby_stack(m))
        return RL_OK; /* nothing to check: do not parse the tables */
    struct rl_offering *o = calloc(1, sizeof(*o));
    if (!o || !(o->arena = rl_arena_new(0))) {
        free(o);
        return RL_ENOMEM;
    }
    m->priv->offering = o;
    int rc;
    o->map_doc = load_embedded("rules/data/service-map.yaml");
    const rl_node *root = rl_doc_root(o->map_doc);
    o->global = rl_node_get(root, "global");
    o->global_partitions = rl_node_get(root, "global-partitions");
    o->regional_actions = rl_node_get(root, "regional-actions");
    o->namespaces = rl_node_get(root, "namespaces");
    o->types = rl_node_get(root, "types");
    const rl_node *tf = rl_node_get(root, "terraform");
    for (size_t i = 0; rl_node_is_map(tf) && i < tf->u.map.count; i++) {
        const char *k = rl_node_str(tf->u.map.items[i].key);
        if (k && rl_hmap_puts(&o->tf, k, (void *)tf->u.map.items[i].value) < 0)
            return RL_ENOMEM;
    }
    if ((rc = load_table(o->arena, &o->cfn, "rules/data/cfn-types.json", "types",
                         "resource types per region")) < 0 ||
        (rc = load_table(o->arena, &o->svc, "rules/data/region-services.json", "services",
                         "services per region")) < 0)
        return rc;
    const rl_node *croot = rl_doc_root(o->cfn.doc), *sroot = rl_doc_root(o->svc.doc);
    if ((rc = set_of(&o->cfn_copied, rl_node_get(croot, "copied_from_us_east_1"))) < 0 ||
        (rc = set_of(&o->cfn_stale, rl_node_get(croot, "stale"))) < 0 ||
        (rc = set_of(&o->svc_global, rl_node_get(sroot, "global"))) < 0)
        return rc;
    for (size_t i = 0; i < rl_inputs_count(m->inputs); i++) {
        const rl_input *in = rl_inputs_at(m->inputs, i);
        if (in->doc && in->kind == RL_INPUT_SSM_OFFERING && (rc = add_export(m, o, in)) < 0)
            return rc;
    }
    return RL_OK;
}

static void free_table(name_table *t)
{
    rl_doc_free(t->doc);
    rl_hmap_free(&t->index);
    rl_hmap_free(&t->regions);
}

void rl_offering_free(struct rl_offering *o)
{
    if (!o)
        return;
    rl_doc_free(o->map_doc);
    free_table(&o->cfn);
    free_table(&o->svc);
    rl_hmap *maps[] = {
        &o->tf,       &o->uses,           &o->cfn_copied,      &o->cfn_stale,     &o->svc_global,
        &o->ex_pairs, &o->ex_region_full, &o->ex_service_full, &o->ex_pair_source};
    for (size_t i = 0; i < sizeof(maps) / sizeof(*maps); i++)
        rl_hmap_free(maps[i]);
    rl_arena_free(o->arena);
    free(o);
}

/* ---- service use ------------------------------------------------------------------ */

static const char *dash_null(const char *s)
{
    return s && strcmp(s, "-") ? s : NULL;
}

static char *lower(rl_arena *a, const char *s, size_t n)
{
    char *r = rl_arena_strndup(a, s, n);
    for (char *p = r; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}

/* "log_group" -> "LogGroup" */
static char *camel(rl_arena *a, const char *words)
{
    char *r = rl_arena_strdup(a, words), *o = r;
    bool up = true;
    for (const char *p = words; r && *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        *o++ = up ? (char)toupper((unsigned char)*p) : *p;
        up = false;
    }
    if (o)
        *o = '\0';
    return r;
}

static int fill_actions(rl_arena *a, rl_service_use *u, const rl_node *actions,
                        const char *create_what)
{
    if (rl_node_is_seq(actions)) {
        const char **v = rl_arena_calloc(a, actions->u.seq.count + 1, sizeof(*v));
        if (!v)
            return RL_ENOMEM;
        for (size_t i = 0; i < actions->u.seq.count; i++) {
            const char *s = rl_node_str(actions->u.seq.items[i]);
            if (s)
                v[u->nactions++] = s;
        }
        u->actions = v;
        return RL_OK;
    }
    if (!u->prefix || !create_what || !*create_what)
        return RL_OK;
    const char **v = rl_arena_calloc(a, 2, sizeof(*v));
    if (!v || !(v[0] = rl_arena_printf(a, "%s:Create%s", u->prefix, create_what)))
        return RL_ENOMEM;
    u->actions = v;
    u->nactions = 1;
    u->derived = true;
    return RL_OK;
}

static bool svc_known(const struct rl_offering *o, const char *name)
{
    return name && rl_hmap_gets(&o->svc.index, name) != NULL;
}

/* Prefix and service of a CloudFormation namespace (defaults: the lower-cased namespace);
 * *actions receives the namespace's default actions, if it has any. */
static int namespace_use(struct rl_offering *o, const char *ns, size_t nslen, rl_service_use *u,
                         const rl_node **actions)
{
    char name[128];
    *actions = NULL;
    if (nslen >= sizeof(name))
        return RL_OK;
    memcpy(name, ns, nslen);
    name[nslen] = '\0';
    const rl_node *e = rl_node_get(o->namespaces, name);
    if (e) {
        *actions = rl_node_get(e, "actions");
        u->prefix = dash_null(rl_node_str(rl_node_get(e, "iam")));
        u->service = dash_null(rl_node_str(rl_node_get(e, "ssm")));
        return RL_OK;
    }
    char *l = lower(o->arena, ns, nslen);
    if (!l)
        return RL_ENOMEM;
    u->prefix = l;
    u->service = svc_known(o, l) ? l : NULL;
    return RL_OK;
}

static const rl_service_use *resolve(struct rl_offering *o, const char *type, int depth);

/* A CloudFormation type: AWS::<Namespace>::<Resource>. */
static int cfn_use(struct rl_offering *o, const char *type, rl_service_use *u, bool *known,
                   int depth)
{
    *known = false;
    const rl_node *e = rl_node_get(o->types, type);
    if (rl_node_is_scalar(e)) { /* "the same as" another type */
        const rl_service_use *same = depth < 4 ? resolve(o, e->u.s.str, depth + 1) : NULL;
        if (same && same != &unknown_use) {
            *u = *same;
            *known = true;
        }
        return RL_OK;
    }
    if (strncmp(type, "AWS::", 5))
        return RL_OK; /* Custom::, Alexa::, private and third-party types */
    const char *ns = type + 5, *sep = strstr(ns, "::");
    if (!sep || !sep[2])
        return RL_OK;
    /* only types some table knows: a made-up AWS:: type would give a made-up prefix */
    if (!e && !rl_hmap_gets(&o->cfn.index, type))
        return RL_OK;
    u->cfn_type = rl_hmap_gets(&o->cfn.index, type) ? type : NULL;
    const rl_node *ns_actions;
    int rc = namespace_use(o, ns, (size_t)(sep - ns), u, &ns_actions);
    if (rc < 0)
        return rc;
    if (rl_node_get(e, "iam"))
        u->prefix = dash_null(rl_node_str(rl_node_get(e, "iam")));
    if (rl_node_get(e, "ssm"))
        u->service = dash_null(rl_node_str(rl_node_get(e, "ssm")));
    *known = true;
    const rl_node *actions = rl_node_get(e, "actions");
    return fill_actions(o->arena, u, actions ? actions : ns_actions, sep + 2);
}

/* A Terraform type: the exact key, else the longest prefix key ending in "_". */
static int tf_use(struct rl_offering *o, const char *type, rl_service_use *u, bool *known,
                  int depth)
{
    *known = false;
    const rl_node *v = rl_hmap_gets(&o->tf, type);
    const char *rest = NULL;
    if (!v) {
        char buf[256];
        size_t n = strlen(type);
        if (n >= sizeof(buf))
            return RL_OK;
        memcpy(buf, type, n + 1);
        for (size_t i = n; i > 4 && !v; i--)
            if (buf[i - 1] == '_') {
                buf[i] = '\0';
                if ((v = rl_hmap_gets(&o->tf, buf)))
                    rest = type + i;
            }
    }
    if (!v)
        return RL_OK;
    if (rl_node_is_map(v)) {
        u->prefix = dash_null(rl_node_str(rl_node_get(v, "iam")));
        u->service = dash_null(rl_node_str(rl_node_get(v, "ssm")));
        if (!u->service && u->prefix && !rl_node_get(v, "ssm") && svc_known(o, u->prefix))
            u->service = u->prefix;
        *known = true;
        const char *what = rest ? camel(o->arena, rest) : NULL;
        return fill_actions(o->arena, u, rl_node_get(v, "actions"), what);
    }
    const char *target = rl_node_str(v);
    if (!target)
        return RL_OK;
    const char *sep = strstr(target, "::");
    if (sep && strstr(sep + 2, "::")) { /* a CloudFormation type */
        const rl_service_use *same = depth < 4 ? resolve(o, target, depth + 1) : NULL;
        if (same && same != &unknown_use) {
            *u = *same;
            *known = true;
        }
        return RL_OK;
    }
    if (!sep || strncmp(target, "AWS::", 5))
        return RL_OK;
    const rl_node *ns_actions;
    int rc = namespace_use(o, target + 5, strlen(target + 5), u, &ns_actions);
    if (rc < 0)
        return rc;
    *known = true;
    const char *what = camel(o->arena, rest ? rest : type + 4);
    return fill_actions(o->arena, u, ns_actions, what);
}

static const rl_service_use *resolve(struct rl_offering *o, const char *type, int depth)
{
    const rl_service_use *cached = rl_hmap_gets(&o->uses, type);
    if (cached)
        return cached;
    rl_service_use *u = rl_arena_calloc(o->arena, 1, sizeof(*u));
    char *key = rl_arena_strdup(o->arena, type);
    if (!u || !key)
        return NULL;
    bool known = false;
    int rc = !strncmp(type, "aws_", 4) ? tf_use(o, type, u, &known, depth)
                                       : cfn_use(o, type, u, &known, depth);
    if (rc < 0)
        return NULL;
    const rl_service_use *r = known ? u : &unknown_use;
    if (rl_hmap_puts(&o->uses, key, (void *)r) < 0)
        return NULL;
    return r;
}

const rl_service_use *rl_model_service_use(const rl_model *m, const char *type)
{
    struct rl_offering *o = m->priv->offering;
    if (!o || !type)
        return NULL;
    const rl_service_use *u = resolve(o, type, 0);
    return u == &unknown_use ? NULL : u;
}

bool rl_model_service_global(const rl_model *m, const char *prefix)
{
    const struct rl_offering *o = m->priv->offering;
    return o && prefix && rl_node_get(o->global, prefix) != NULL;
}

const char *rl_model_request_region(const rl_model *m, const char *action, const char *region)
{
    const struct rl_offering *o = m->priv->offering;
    const char *colon = action ? strchr(action, ':') : NULL;
    if (!o || !colon || !region)
        return region;
    for (size_t i = 0; i < rl_node_count(o->regional_actions); i++)
        if (rl_action_match(rl_node_str(rl_node_at(o->regional_actions, i)), action))
            return region;
    char prefix[128];
    size_t n = (size_t)(colon - action);
    if (n >= sizeof(prefix))
        return region;
    memcpy(prefix, action, n);
    prefix[n] = '\0';
    const char *home = rl_node_str(rl_node_get(o->global, prefix));
    if (!home)
        return region;
    const char *part = rl_region_partition(region);
    if (!strcmp(part, "aws"))
        return home;
    const char *other = rl_node_str(rl_node_get(o->global_partitions, part));
    return other ? other : region;
}

/* ---- offering --------------------------------------------------------------------- */

static rl_offered table_has(const name_table *t, const char *region, const char *name)
{
    const uint8_t *bits = rl_hmap_gets(&t->regions, region);
    uintptr_t idx = (uintptr_t)rl_hmap_gets(&t->index, name);
    if (!bits || !idx)
        return RL_OFFERED_UNKNOWN;
    idx--;
    return (bits[idx / 8] >> (idx % 8)) & 1 ? RL_OFFERED_YES : RL_OFFERED_NO;
}

/* The answer of the SSM exports, or UNKNOWN when they do not cover the pair. */
static rl_offered export_says(const struct rl_offering *o, const char *region, const char *service,
                              const char **source)
{
    char key[200];
    snprintf(key, sizeof(key), "%s\n%s", region, service);
    const char *path = rl_hmap_gets(&o->ex_pair_source, key);
    if (path) {
        *source = path;
        return RL_OFFERED_YES;
    }
    if ((path = rl_hmap_gets(&o->ex_service_full, service)) ||
        (path = rl_hmap_gets(&o->ex_region_full, region))) {
        *source = path;
        return RL_OFFERED_NO;
    }
    return RL_OFFERED_UNKNOWN;
}

rl_offered rl_model_service_offered(const rl_model *m, const char *region, const char *service,
                                    const char **source)
{
    const struct rl_offering *o = m->priv->offering;
    const char *dummy;
    if (!source)
        source = &dummy;
    *source = NULL;
    if (!o || !region || !service)
        return RL_OFFERED_UNKNOWN;
    if (rl_hmap_gets(&o->svc_global, service))
        return RL_OFFERED_GLOBAL;
    rl_offered e = export_says(o, region, service, source);
    if (e != RL_OFFERED_UNKNOWN)
        return e;
    *source = o->svc.source;
    return table_has(&o->svc, region, service);
}

rl_offered rl_model_type_offered(const rl_model *m, const char *region, const char *cfn_type,
                                 const char **source)
{
    struct rl_offering *o = m->priv->offering;
    const char *dummy;
    if (!source)
        source = &dummy;
    *source = NULL;
    if (!o || !region || !cfn_type || !rl_hmap_gets(&o->cfn.index, cfn_type))
        return RL_OFFERED_UNKNOWN; /* SAM before transform, Custom::, private types */
    const rl_service_use *u = rl_model_service_use(m, cfn_type);
    const char *svc = u ? u->service : NULL;
    /* an export that lists the region's services completely replaces the built-in tables */
    if (rl_hmap_gets(&o->ex_region_full, region) || (svc && rl_hmap_gets(&o->ex_service_full, svc)))
        return svc ? rl_model_service_offered(m, region, svc, source) : RL_OFFERED_UNKNOWN;
    /* regions whose CloudFormation data is a copy of us-east-1 are not real data */
    if (rl_hmap_gets(&o->cfn_copied, region) || !rl_hmap_gets(&o->cfn.regions, region))
        return svc ? rl_model_service_offered(m, region, svc, source) : RL_OFFERED_UNKNOWN;
    rl_offered t = table_has(&o->cfn, region, cfn_type);
    *source = o->cfn.source;
    if (t == RL_OFFERED_NO && rl_hmap_gets(&o->cfn_stale, region)) {
        /* a stale list may lack types added since: only the service's absence counts */
        rl_offered s = svc ? rl_model_service_offered(m, region, svc, source) : RL_OFFERED_UNKNOWN;
        return s == RL_OFFERED_NO ? RL_OFFERED_NO : RL_OFFERED_UNKNOWN;
    }
    return t;
}
