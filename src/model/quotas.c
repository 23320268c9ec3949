/* Service quotas in the model: reads list/get exports of applied and default quota values,
 * CloudWatch usage exports and Trusted Advisor service-limit results, and indexes them by
 * region and key so the quota rules join primary and standby without pairwise scans. */
#include "quotas.h"

#include "model_private.h"

#include "../base/aws.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEP "\x1f" /* key separator: never inside a service code, quota code or region */

typedef struct vec {
    void **items;
    size_t n, cap;
} vec;

/* A usage export waiting for the quotas it measures (matched in rl_model_finish_quotas). */
enum { ST_MAXIMUM, ST_SUM, ST_AVERAGE, ST_COUNT };
static const char *const stat_names[ST_COUNT] = {"Maximum", "Sum", "Average"};

typedef struct pending_usage {
    const rl_input *in;
    const char *region;
    const char *code;  /* quota code named by the file name, label or id; or NULL */
    const char *label; /* metric name (Label) */
    bool has[ST_COUNT];
    double max[ST_COUNT];
    const rl_node *node[ST_COUNT];
    size_t index[ST_COUNT]; /* datapoint / value index of each maximum */
    size_t result;          /* get-metric-data: index of the result */
    bool any_stat;          /* get-metric-data: values of whatever statistic the query asked for */
} pending_usage;

typedef struct region_lists {
    vec quotas, usage, ta;
} region_lists;

struct rl_quota_db {
    region_lists *regions; /* parallel to m->regions */
    size_t nregions;
    rl_hmap quotas;    /* region SEP service SEP code SEP context -> rl_quota */
    rl_hmap global;    /* service SEP code SEP context -> rl_quota (region NULL), once */
    rl_hmap by_usage;  /* region SEP usage key -> first rl_quota */
    rl_hmap by_name;   /* region SEP QuotaName (case-insensitive) -> first rl_quota */
    rl_hmap by_code;   /* region SEP code, and SEP code for any region -> first rl_quota */
    rl_hmap by_metric; /* region SEP metric name -> rl_quota, or &ambiguous */
    rl_hmap covered;   /* region, and region SEP service -> (void *)1 */
    rl_hmap usage;     /* region SEP usage key -> rl_quota_usage */
    rl_hmap ta;        /* region SEP service SEP limit name (case-insensitive) -> rl_ta_limit */
    vec pending;       /* pending_usage */
};

static char ambiguous; /* marker: several quotas of a region share a metric name */

static int vec_push(vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 16;
        void **n = realloc(v->items, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        v->items = n;
        v->cap = ncap;
    }
    v->items[v->n++] = item;
    return RL_OK;
}

void rl_quota_db_free(rl_quota_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->nregions; i++) {
        free(db->regions[i].quotas.items);
        free(db->regions[i].usage.items);
        free(db->regions[i].ta.items);
    }
    free(db->regions);
    rl_hmap_free(&db->quotas);
    rl_hmap_free(&db->global);
    rl_hmap_free(&db->by_usage);
    rl_hmap_free(&db->by_name);
    rl_hmap_free(&db->by_code);
    rl_hmap_free(&db->by_metric);
    rl_hmap_free(&db->covered);
    rl_hmap_free(&db->usage);
    rl_hmap_free(&db->ta);
    free(db->pending.items);
    free(db);
}

static rl_quota_db *db_get(rl_model *m)
{
    if (m->priv->quotas)
        return m->priv->quotas;
    rl_quota_db *db = calloc(1, sizeof(*db));
    if (!db)
        return NULL;
    db->regions = calloc(m->nregions ? m->nregions : 1, sizeof(*db->regions));
    if (!db->regions) {
        free(db);
        return NULL;
    }
    db->nregions = m->nregions;
    db->by_name.ci = true;
    db->ta.ci = true;
    m->priv->quotas = db;
    return db;
}

/* Index of a region of the pair, or -1: exports of other regions play no part. */
static long region_index(const rl_model *m, const char *region)
{
    for (size_t i = 0; region && i < m->nregions; i++)
        if (!strcmp(m->regions[i], region))
            return (long)i;
    return -1;
}

static const char *str_or(const rl_node *n, const char *fallback)
{
    const char *s = rl_node_str(n);
    return s && *s ? s : fallback;
}

static bool number(const rl_node *n, double *out)
{
    return rl_node_number(n, out) && isfinite(*out);
}

/* ---- keys ---------------------------------------------------------------------------- */

/* A resource-level quota's ContextId is an ARN of the resource; its region field differs
 * from region to region, so it is blanked for the join (a table `orders` in both regions
 * is the same resource of the application). */
static const char *context_key(rl_arena *a, const rl_node *q)
{
    const rl_node *ctx = rl_node_get(q, "QuotaContext");
    const char *scope = rl_node_str(rl_node_get(ctx, "ContextScope"));
    const char *id = rl_node_str(rl_node_get(ctx, "ContextId"));
    if (!scope || strcmp(scope, "RESOURCE") || !id || !*id || !strcmp(id, "*"))
        return "";
    rl_arn arn;
    if (!rl_arn_parse(id, strlen(id), &arn))
        return rl_arena_strdup(a, id);
    /* the region field becomes '*': the same resource's quota in every region */
    return rl_arena_printf(a, "%.*s*%s", (int)(arn.region - id), id, arn.region + arn.region_len);
}

typedef struct dim {
    const char *k, *v;
} dim;

static int cmp_dim(const void *a, const void *b)
{
    return strcmp(((const dim *)a)->k, ((const dim *)b)->k);
}

/* The key of what measures a quota's usage: its UsageMetric (namespace, name and sorted
 * dimensions), or the quota itself when it names no metric. */
static const char *usage_key(rl_arena *a, const rl_node *q, const char *service, const char *code,
                             const char *context)
{
    const rl_node *um = rl_node_get(q, "UsageMetric");
    const char *ns = rl_node_str(rl_node_get(um, "MetricNamespace"));
    const char *name = rl_node_str(rl_node_get(um, "MetricName"));
    if (!ns || !name)
        return rl_arena_printf(a, "quota|%s|%s|%s", service, code, context);
    const rl_node *dims = rl_node_get(um, "MetricDimensions");
    dim d[32];
    size_t nd = 0;
    for (size_t i = 0; rl_node_is_map(dims) && i < dims->u.map.count && nd < 32; i++) {
        const char *k = rl_node_str(dims->u.map.items[i].key);
        const char *v = rl_node_str(dims->u.map.items[i].value);
        if (k && v)
            d[nd++] = (dim){k, v};
    }
    qsort(d, nd, sizeof(*d), cmp_dim);
    char buf[1024];
    int off = snprintf(buf, sizeof(buf), "%s|%s|", ns, name);
    for (size_t i = 0; i < nd && off > 0 && (size_t)off < sizeof(buf); i++)
        off +=
            snprintf(buf + off, sizeof(buf) - (size_t)off, "%s%s=%s", i ? ";" : "", d[i].k, d[i].v);
    return rl_arena_strdup(a, buf);
}

/* A quota code in free text (a file name, a Label, a get-metric-data Id): L-1216C47A,
 * l-1216c47a or l_1216c47a (Ids cannot hold '-'). Written upper-case into out[11]. */
static bool find_code(const char *s, char out[11])
{
    for (const char *p = s; p && *p; p++) {
        if ((p[0] != 'L' && p[0] != 'l') || (p[1] != '-' && p[1] != '_'))
            continue;
        if (p > s && isalnum((unsigned char)p[-1]))
            continue;
        size_t i = 0;
        while (i < 8 && isxdigit((unsigned char)p[2 + i]))
            i++;
        if (i != 8 || isalnum((unsigned char)p[10]))
            continue;
        out[0] = 'L';
        out[1] = '-';
        for (i = 0; i < 8; i++)
            out[2 + i] = (char)toupper((unsigned char)p[2 + i]);
        out[10] = '\0';
        return true;
    }
    return false;
}

/* The account field of a QuotaArn is empty for an AWS default
 * (arn:aws:servicequotas:us-east-2::ec2/L-1216C47A). Returns -1 when there is no ARN. */
static int arn_is_default(const rl_node *q)
{
    const char *s = rl_node_str(rl_node_get(q, "QuotaArn"));
    rl_arn arn;
    if (!s || !rl_arn_parse(s, strlen(s), &arn))
        return -1;
    return arn.account_len == 0;
}

/* ---- quota exports ------------------------------------------------------------------- */

static int index_first(rl_hmap *h, const char *key, void *value)
{
    if (rl_hmap_gets(h, key))
        return RL_OK;
    return rl_hmap_puts(h, key, value) < 0 ? RL_ENOMEM : RL_OK;
}

/* Logical path of a quota's Value: a filter on its code rather than a list index, so that a
 * fingerprint survives a re-export that lists the quotas in another order. */
static const char *value_path(rl_arena *a, const rl_input *in, bool single, const char *code,
                              const rl_node *q)
{
    const char *pre = in->subkind && !strncmp(in->subkind, "placebo:", 8) ? "data." : "";
    const char *ctx = rl_node_str(rl_node_path(q, "QuotaContext.ContextId"));
    if (single)
        return rl_arena_printf(a, "%sQuota.Value", pre);
    if (ctx && strcmp(ctx, "*"))
        return rl_arena_printf(
            a, "%sQuotas[?QuotaCode=='%s' && QuotaContext.ContextId=='%s'].Value", pre, code, ctx);
    return rl_arena_printf(a, "%sQuotas[?QuotaCode=='%s'].Value", pre, code);
}

/* A recorded API response is named after its operation
 * (servicequotas.ListAWSDefaultServiceQuotas_1.json): that name settles applied or default
 * even when the recording's ARNs carry an account. */
static int default_by_name(const rl_input *in)
{
    const char *base = strrchr(in->path, '/');
    base = base ? base + 1 : in->path;
    if (!in->subkind || strncmp(in->subkind, "placebo:", 8))
        return -1;
    if (strstr(base, "AWSDefaultServiceQuota"))
        return 1;
    if (strstr(base, "ServiceQuota"))
        return 0;
    return -1;
}

static int add_quota(rl_model *m, rl_quota_db *db, const rl_input *in, long ri, const rl_node *q,
                     bool is_default, bool single)
{
    rl_arena *a = m->priv->arena;
    const char *service = rl_node_str(rl_node_get(q, "ServiceCode"));
    const char *code = rl_node_str(rl_node_get(q, "QuotaCode"));
    const rl_node *vn = rl_node_get(q, "Value");
    double value;
    if (!service || !code || !*service || !*code || !number(vn, &value))
        return RL_OK; /* an ErrorReason entry, or not a quota */
    int d = default_by_name(in);
    if (d < 0)
        d = arn_is_default(q);
    if (d >= 0)
        is_default = d; /* the ARN says it per item, whatever the file's first item said */
    bool global = false;
    rl_node_bool(rl_node_get(q, "GlobalQuota"), &global);
    const char *ctx = context_key(a, q);
    if (!ctx)
        return RL_ENOMEM;
    const char *region = global ? NULL : m->regions[ri];
    const char *key =
        global ? rl_arena_printf(a, "%s" SEP "%s" SEP "%s", service, code, ctx)
               : rl_arena_printf(a, "%s" SEP "%s" SEP "%s" SEP "%s", region, service, code, ctx);
    if (!key)
        return RL_ENOMEM;
    rl_hmap *map = global ? &db->global : &db->quotas;
    rl_quota *qt = rl_hmap_gets(map, key);
    bool fresh = qt == NULL;
    if (fresh) {
        qt = rl_arena_calloc(a, 1, sizeof(*qt));
        if (!qt)
            return RL_ENOMEM;
        qt->region = region;
        qt->service = service;
        qt->code = code;
        qt->context = ctx;
        qt->context_id = *ctx ? rl_node_str(rl_node_path(q, "QuotaContext.ContextId")) : NULL;
        qt->name = str_or(rl_node_get(q, "QuotaName"), code);
        qt->service_name = str_or(rl_node_get(q, "ServiceName"), service);
        qt->adjustable = -1;
        qt->statistic = rl_node_str(rl_node_path(q, "UsageMetric.MetricStatisticRecommendation"));
        qt->usage_key = usage_key(a, q, service, code, ctx);
        if (!qt->usage_key || rl_hmap_puts(map, key, qt) < 0)
            return RL_ENOMEM;
    }
    bool adj;
    if (qt->adjustable < 0 && rl_node_bool(rl_node_get(q, "Adjustable"), &adj))
        qt->adjustable = adj;
    /* the first export that gives a value wins; later duplicates are ignored */
    if (is_default && !qt->has_default) {
        qt->has_default = true;
        qt->def = value;
        qt->default_in = in;
        qt->default_node = vn;
        if (!(qt->default_path = value_path(a, in, single, code, q)))
            return RL_ENOMEM;
    } else if (!is_default && !qt->has_applied) {
        qt->has_applied = true;
        qt->applied = value;
        qt->applied_in = in;
        qt->applied_node = vn;
        if (!(qt->applied_path = value_path(a, in, single, code, q)))
            return RL_ENOMEM;
    }
    if (!fresh || global)
        return RL_OK;

    region_lists *rl = &db->regions[ri];
    const char *um_name = rl_node_str(rl_node_path(q, "UsageMetric.MetricName"));
    const char *k_usage = rl_arena_printf(a, "%s" SEP "%s", region, qt->usage_key);
    const char *k_name = rl_arena_printf(a, "%s" SEP "%s", region, qt->name);
    const char *k_code = rl_arena_printf(a, "%s" SEP "%s", region, code);
    const char *k_any = rl_arena_printf(a, SEP "%s", code);
    const char *k_svc = rl_arena_printf(a, "%s" SEP "%s", region, service);
    const char *k_metric = um_name ? rl_arena_printf(a, "%s" SEP "%s", region, um_name) : NULL;
    if (!k_usage || !k_name || !k_code || !k_any || !k_svc || (um_name && !k_metric))
        return RL_ENOMEM;
    int rc;
    if ((rc = vec_push(&rl->quotas, qt)) < 0 ||
        (rc = index_first(&db->by_usage, k_usage, qt)) < 0 ||
        (rc = index_first(&db->by_name, k_name, qt)) < 0 ||
        (rc = index_first(&db->by_code, k_code, qt)) < 0 ||
        (rc = index_first(&db->by_code, k_any, qt)) < 0 ||
        (rc = index_first(&db->covered, k_svc, (void *)1)) < 0)
        return rc;
    if (k_metric) {
        void **slot = rl_hmap_slot(&db->by_metric, k_metric, strlen(k_metric));
        if (slot)
            *slot = &ambiguous;
        else if (rl_hmap_puts(&db->by_metric, k_metric, qt) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

static int add_quota_export(rl_model *m, rl_quota_db *db, const rl_input *in, long ri)
{
    const rl_node *root = rl_input_root(in);
    bool is_default = in->subkind && strstr(in->subkind, "default");
    int rc = index_first(&db->covered, m->regions[ri], (void *)1);
    if (rc < 0)
        return rc;
    const rl_node *one = rl_node_get(root, "Quota");
    if (one)
        return add_quota(m, db, in, ri, one, is_default, true);
    const rl_node *list = rl_node_get(root, "Quotas");
    for (size_t i = 0; rl_node_is_seq(list) && i < list->u.seq.count; i++)
        if ((rc = add_quota(m, db, in, ri, list->u.seq.items[i], is_default, false)) < 0)
            return rc;
    return RL_OK;
}

/* ---- usage ---------------------------------------------------------------------------- */

static void take_max(pending_usage *p, int st, const rl_node *n, size_t index)
{
    double v;
    if (!number(n, &v))
        return;
    if (!p->has[st] || v > p->max[st]) {
        p->has[st] = true;
        p->max[st] = v;
        p->node[st] = n;
        p->index[st] = index;
    }
}

static pending_usage *new_pending(rl_model *m, rl_quota_db *db, const rl_input *in, long ri,
                                  const char *label, const char *hint, bool path_hint)
{
    pending_usage *p = rl_arena_calloc(m->priv->arena, 1, sizeof(*p));
    if (!p || vec_push(&db->pending, p) < 0)
        return NULL;
    p->in = in;
    p->region = m->regions[ri];
    p->label = label;
    char code[11];
    if ((hint && find_code(hint, code)) || (label && find_code(label, code)) ||
        (path_hint && find_code(in->path, code)))
        p->code = rl_arena_strdup(m->priv->arena, code);
    return p;
}

static int add_usage(rl_model *m, rl_quota_db *db, const rl_input *in, long ri)
{
    const rl_node *root = rl_input_root(in);
    const rl_node *results = rl_node_get(root, "MetricDataResults");
    if (rl_node_is_seq(results)) {
        /* get-metric-data: one series per result; the file name names the quota only when
         * there is a single series */
        for (size_t i = 0; i < results->u.seq.count; i++) {
            const rl_node *r = results->u.seq.items[i];
            pending_usage *p =
                new_pending(m, db, in, ri, rl_node_str(rl_node_get(r, "Label")),
                            rl_node_str(rl_node_get(r, "Id")), results->u.seq.count == 1);
            if (!p)
                return RL_ENOMEM;
            p->any_stat = true;
            p->result = i;
            const rl_node *vals = rl_node_get(r, "Values");
            for (size_t j = 0; rl_node_is_seq(vals) && j < vals->u.seq.count; j++)
                take_max(p, ST_MAXIMUM, vals->u.seq.items[j], j);
        }
        return RL_OK;
    }
    pending_usage *p =
        new_pending(m, db, in, ri, rl_node_str(rl_node_get(root, "Label")), NULL, true);
    if (!p)
        return RL_ENOMEM;
    const rl_node *dps = rl_node_get(root, "Datapoints");
    for (size_t i = 0; rl_node_is_seq(dps) && i < dps->u.seq.count; i++)
        for (int st = 0; st < ST_COUNT; st++)
            take_max(p, st, rl_node_get(dps->u.seq.items[i], stat_names[st]), i);
    return RL_OK;
}

/* Trusted Advisor's service-limit checks: one row per region, service and limit. The rows
 * carry their own region (the check runs for every region through us-east-1). */
static int add_trusted_advisor(rl_model *m, rl_quota_db *db, const rl_input *in)
{
    rl_arena *a = m->priv->arena;
    const rl_node *rows = rl_node_path(rl_input_root(in), "result.flaggedResources");
    for (size_t i = 0; rl_node_is_seq(rows) && i < rows->u.seq.count; i++) {
        const rl_node *row = rows->u.seq.items[i];
        const rl_node *md = rl_node_get(row, "metadata");
        const char *status = rl_node_str(rl_node_at(md, 5));
        /* only the service-limit layout; the folder may hold other checks' results */
        if (!rl_node_is_seq(md) || rl_node_count(md) != 6 || !status ||
            (strcmp(status, "Green") && strcmp(status, "Yellow") && strcmp(status, "Red")))
            continue;
        const char *region = rl_node_str(rl_node_at(md, 0));
        if (!region || !rl_is_region(region, strlen(region)))
            region = rl_node_str(rl_node_get(row, "region"));
        long ri = region_index(m, region);
        const char *service = rl_node_str(rl_node_at(md, 1));
        const char *name = rl_node_str(rl_node_at(md, 2));
        double limit;
        if (ri < 0 || !service || !name || !number(rl_node_at(md, 3), &limit))
            continue;
        rl_ta_limit *t = rl_arena_calloc(a, 1, sizeof(*t));
        const char *key = rl_arena_printf(a, "%s" SEP "%s" SEP "%s", m->regions[ri], service, name);
        if (!t || !key)
            return RL_ENOMEM;
        if (rl_hmap_gets(&db->ta, key))
            continue; /* the first result file that has the row wins */
        t->region = m->regions[ri];
        t->service = service;
        t->name = name;
        t->limit = limit;
        t->input = in;
        t->limit_node = rl_node_at(md, 3);
        t->usage_node = rl_node_at(md, 4);
        const char *pre = in->subkind && !strncmp(in->subkind, "placebo:", 8) ? "data." : "";
        t->limit_path = rl_arena_printf(a, "%sresult.flaggedResources[%zu].metadata[3]", pre, i);
        t->usage_path = rl_arena_printf(a, "%sresult.flaggedResources[%zu].metadata[4]", pre, i);
        if (!t->limit_path || !t->usage_path)
            return RL_ENOMEM;
        t->has_usage = number(t->usage_node, &t->usage);
        if (rl_hmap_puts(&db->ta, key, t) < 0 || vec_push(&db->regions[ri].ta, t) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

int rl_model_add_quotas(rl_model *m, const rl_input *in)
{
    rl_quota_db *db = db_get(m);
    if (!db)
        return RL_ENOMEM;
    if (in->kind == RL_INPUT_TRUSTED_ADVISOR)
        return add_trusted_advisor(m, db, in);
    long ri = region_index(m, in->region);
    if (ri < 0)
        return RL_OK; /* no region (reported as RL002) or a region outside the pair */
    if (in->kind == RL_INPUT_QUOTAS)
        return add_quota_export(m, db, in, ri);
    if (in->kind == RL_INPUT_QUOTA_USAGE)
        return add_usage(m, db, in, ri);
    return RL_OK;
}

/* The quota a usage export measures: the quota code it names, else the one quota of its
 * region whose usage metric has the export's metric name. */
static const rl_quota *usage_quota(const rl_quota_db *db, const pending_usage *p, char *key,
                                   size_t keysz)
{
    const rl_quota *q = NULL;
    if (p->code) {
        snprintf(key, keysz, "%s" SEP "%s", p->region, p->code);
        q = rl_hmap_gets(&db->by_code, key);
        if (!q) {
            snprintf(key, keysz, SEP "%s", p->code);
            q = rl_hmap_gets(&db->by_code, key);
        }
        return q;
    }
    if (!p->label)
        return NULL;
    snprintf(key, keysz, "%s" SEP "%s", p->region, p->label);
    q = rl_hmap_gets(&db->by_metric, key);
    return q == (const rl_quota *)(const void *)&ambiguous ? NULL : q;
}

int rl_model_finish_quotas(rl_model *m)
{
    rl_quota_db *db = m->priv->quotas;
    if (!db)
        return RL_OK;
    rl_arena *a = m->priv->arena;
    for (size_t i = 0; i < db->pending.n; i++) {
        const pending_usage *p = db->pending.items[i];
        char key[1024];
        const rl_quota *q = usage_quota(db, p, key, sizeof(key));
        if (!q)
            continue;
        /* the statistic the quota recommends, else the first one exported */
        int st = -1;
        if (p->any_stat)
            st = ST_MAXIMUM;
        for (int s = 0; st < 0 && q->statistic && s < ST_COUNT; s++)
            if (!strcmp(q->statistic, stat_names[s]) && p->has[s])
                st = s;
        for (int s = 0; st < 0 && s < ST_COUNT; s++)
            if (p->has[s])
                st = s;
        if (st < 0 || !p->has[st])
            continue;
        long ri = region_index(m, p->region);
        const char *k = rl_arena_printf(a, "%s" SEP "%s", p->region, q->usage_key);
        const char *pre = p->in->subkind && !strncmp(p->in->subkind, "placebo:", 8) ? "data." : "";
        const char *path = p->any_stat ? rl_arena_printf(a, "%sMetricDataResults[%zu].Values[%zu]",
                                                         pre, p->result, p->index[st])
                                       : rl_arena_printf(a, "%sDatapoints[%zu].%s", pre,
                                                         p->index[st], stat_names[st]);
        if (!k || !path)
            return RL_ENOMEM;
        rl_quota_usage *u = rl_hmap_gets(&db->usage, k);
        if (u) {
            if (p->max[st] > u->value) {
                u->value = p->max[st];
                u->input = p->in;
                u->node = p->node[st];
                u->path = path;
            }
            continue;
        }
        u = rl_arena_calloc(a, 1, sizeof(*u));
        if (!u)
            return RL_ENOMEM;
        u->region = p->region;
        u->key = q->usage_key;
        u->value = p->max[st];
        u->input = p->in;
        u->node = p->node[st];
        u->path = path;
        u->quota = q;
        if (rl_hmap_puts(&db->usage, k, u) < 0 || vec_push(&db->regions[ri].usage, u) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

/* ---- accessors ------------------------------------------------------------------------ */

static const rl_quota_db *db_of(const rl_model *m)
{
    return m && m->priv ? m->priv->quotas : NULL;
}

const rl_quota *const *rl_model_quotas(const rl_model *m, const char *region, size_t *n)
{
    const rl_quota_db *db = db_of(m);
    long ri = region_index(m, region);
    *n = 0;
    if (!db || ri < 0)
        return NULL;
    *n = db->regions[ri].quotas.n;
    return (const rl_quota *const *)db->regions[ri].quotas.items;
}

static const void *lookup2(const rl_hmap *h, const char *a, const char *b)
{
    char key[1024];
    int n = snprintf(key, sizeof(key), "%s" SEP "%s", a, b);
    if (n < 0 || (size_t)n >= sizeof(key))
        return NULL;
    return rl_hmap_gets(h, key);
}

const rl_quota *rl_model_quota(const rl_model *m, const char *region, const char *service,
                               const char *code, const char *context)
{
    const rl_quota_db *db = db_of(m);
    char key[1024];
    if (!db || !region)
        return NULL;
    int n = snprintf(key, sizeof(key), "%s" SEP "%s" SEP "%s" SEP "%s", region, service, code,
                     context ? context : "");
    if (n < 0 || (size_t)n >= sizeof(key))
        return NULL;
    return rl_hmap_gets(&db->quotas, key);
}

const rl_quota *rl_model_quota_by_usage(const rl_model *m, const char *region, const char *key)
{
    const rl_quota_db *db = db_of(m);
    return db && region ? lookup2(&db->by_usage, region, key) : NULL;
}

const rl_quota *rl_model_quota_by_name(const rl_model *m, const char *region, const char *name)
{
    const rl_quota_db *db = db_of(m);
    return db && region ? lookup2(&db->by_name, region, name) : NULL;
}

bool rl_model_quotas_exported(const rl_model *m, const char *region, const char *service)
{
    const rl_quota_db *db = db_of(m);
    if (!db || !region)
        return false;
    return service ? lookup2(&db->covered, region, service) != NULL
                   : rl_hmap_gets(&db->covered, region) != NULL;
}

const rl_quota_usage *const *rl_model_quota_usage(const rl_model *m, const char *region, size_t *n)
{
    const rl_quota_db *db = db_of(m);
    long ri = region_index(m, region);
    *n = 0;
    if (!db || ri < 0)
        return NULL;
    *n = db->regions[ri].usage.n;
    return (const rl_quota_usage *const *)db->regions[ri].usage.items;
}

const rl_ta_limit *const *rl_model_ta_limits(const rl_model *m, const char *region, size_t *n)
{
    const rl_quota_db *db = db_of(m);
    long ri = region_index(m, region);
    *n = 0;
    if (!db || ri < 0)
        return NULL;
    *n = db->regions[ri].ta.n;
    return (const rl_ta_limit *const *)db->regions[ri].ta.items;
}

const rl_ta_limit *rl_model_ta_limit(const rl_model *m, const char *region, const char *service,
                                     const char *name)
{
    const rl_quota_db *db = db_of(m);
    char key[1024];
    if (!db || !region)
        return NULL;
    int n = snprintf(key, sizeof(key), "%s" SEP "%s" SEP "%s", region, service, name);
    if (n < 0 || (size_t)n >= sizeof(key))
        return NULL;
    return rl_hmap_gets(&db->ta, key);
}
