/* Data stores in the model: the stateful resources of the primary region and what carries
 * their data to another region. One pass over the stacks of the pair indexes the things that
 * can hold or copy a store's data (global cluster members, read replicas, replication
 * configurations, backup plans, selections and lifecycle policies, buckets by name); a second
 * pass gives each primary store its links. Lookups go through hash maps by resource and by
 * name; the only products are each store against the backup selections and lifecycle
 * policies of its region, of which an account has a handful. */
#include "datastores.h"

#include "../base/aws.h"

#include <regionlint/refs.h>

#include "iam.h"
#include "model_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNKNOWN_MARK "\xEF\xBF\xBD" /* what rl_eval_strings writes for an unknown piece */
#define UNK          '\x01'         /* an unknown piece, in the copies kept here */
#define MAX_VIAS     4

/* ---- the mechanisms and what AWS publishes about them -------------------------------- */

/* The figures and their sources are listed in docs/rules/RL601.md; keep them in step. */
static const rl_ds_mech_info mechs[RL_MECH_COUNT] = {
    {RL_MECH_DDB_STRONG, RL_DS_SYNC,
     "DynamoDB global table replication with multi-Region strong consistency", 0,
     "synchronous: a write succeeds once another Region has it"},
    {RL_MECH_DDB_GLOBAL, RL_DS_ASYNC, "DynamoDB global table replication", 1,
     "usually within a second, no SLA"},
    {RL_MECH_AURORA_GLOBAL, RL_DS_ASYNC, "Aurora global database replication", 1,
     "typically under a second"},
    {RL_MECH_DOCDB_GLOBAL, RL_DS_ASYNC, "DocumentDB global cluster replication", 1,
     "typically under a second"},
    {RL_MECH_NEPTUNE_GLOBAL, RL_DS_ASYNC, "Neptune global database replication", 1,
     "storage-based like Aurora's, typically under a second"},
    {RL_MECH_RDS_REPLICA, RL_DS_ASYNC, "an RDS cross-Region read replica", 60,
     "no published figure: the replica lag, counted as 1m"},
    {RL_MECH_AURORA_REPLICA, RL_DS_ASYNC, "an Aurora cross-Region read replica", 60,
     "no published figure: the binlog replica lag, counted as 1m"},
    {RL_MECH_S3_RTC, RL_DS_ASYNC, "S3 replication with Replication Time Control", 900,
     "99.99% of objects within 15 minutes, with an SLA"},
    {RL_MECH_S3_CRR, RL_DS_ASYNC, "S3 replication without Replication Time Control", 7200,
     "most objects within 15 minutes, some take a couple of hours or more, no SLA"},
    {RL_MECH_EFS, RL_DS_ASYNC, "EFS replication", 900,
     "a recovery point of 15 minutes for most file systems"},
    {RL_MECH_ELASTICACHE, RL_DS_ASYNC, "an ElastiCache global datastore", 1,
     "generally under a second"},
    {RL_MECH_MEMORYDB, RL_DS_ASYNC, "MemoryDB Multi-Region replication", 1,
     "typically within a second"},
    {RL_MECH_SECRET, RL_DS_ASYNC, "Secrets Manager replication", 60,
     "no published figure, counted as 1m"},
    {RL_MECH_RDS_BACKUPS, RL_DS_BACKUP, "RDS automated backup replication", 300,
     "snapshots and transaction logs copied as they are ready: 5 to 30 minutes"},
    {RL_MECH_BACKUP_COPY, RL_DS_BACKUP, "AWS Backup copies", -1, "one copy per scheduled backup"},
    {RL_MECH_REDSHIFT_COPY, RL_DS_BACKUP, "Redshift cross-Region snapshot copy", 8 * 3600,
     "automated snapshots about every 8 hours (or 5 GB per node of changes)"},
    {RL_MECH_DLM_COPY, RL_DS_BACKUP, "Data Lifecycle Manager cross-Region snapshot copies", -1,
     "one copy per scheduled snapshot"},
};

const rl_ds_mech_info *rl_ds_mech_info_of(rl_ds_mech mech)
{
    return mech < RL_MECH_COUNT ? &mechs[mech] : NULL;
}

void rl_ds_duration(long s, char *buf, size_t size)
{
    if (s < 0) {
        snprintf(buf, size, "unknown");
        return;
    }
    long d = s / 86400, h = (s % 86400) / 3600, mi = (s % 3600) / 60, se = s % 60;
    size_t o = 0;
    buf[0] = '\0';
    /* whole days from two on read as days; anything shorter in hours ("24h", "36h") */
    if (d >= 2 && !h && !mi && !se) {
        snprintf(buf, size, "%ldd", d);
        return;
    }
    h += d * 24;
    if (h && o < size)
        o += (size_t)snprintf(buf + o, size - o, "%ldh", h);
    if (mi && o < size)
        o += (size_t)snprintf(buf + o, size - o, "%ldm", mi);
    if ((se || (!h && !mi)) && o < size)
        snprintf(buf + o, size - o, "%lds", se);
}

/* ---- schedules ------------------------------------------------------------------------ */

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/* One value of a cron field: a number, or a month or day name (1-based). */
static bool cron_value(const char *s, size_t n, const char *const *names, size_t nnames, long *out)
{
    if (n && isdigit((unsigned char)s[0])) {
        long v = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isdigit((unsigned char)s[i]) || v > 100000)
                return false;
            v = v * 10 + (s[i] - '0');
        }
        *out = v;
        return true;
    }
    for (size_t i = 0; names && i < nnames; i++)
        if (n == 3 && !strncasecmp(s, names[i], 3)) {
            *out = (long)i + 1;
            return true;
        }
    return false;
}

/* Parses one cron field into bits [lo, hi]. *any is set for `*` and `?`. False for what is not
 * read (L, W, #, malformed). */
static bool cron_field(const char *s, size_t n, long lo, long hi, const char *const *names,
                       size_t nnames, uint64_t *bits, bool *any)
{
    *bits = 0;
    *any = false;
    if ((n == 1 && (s[0] == '*' || s[0] == '?'))) {
        *any = true;
        for (long v = lo; v <= hi; v++)
            *bits |= (uint64_t)1 << v;
        return true;
    }
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != ',')
            e++;
        const char *item = s + i;
        size_t len = e - i;
        const char *slash = memchr(item, '/', len);
        size_t rl = slash ? (size_t)(slash - item) : len;
        long a = lo, b = hi, step = 1;
        if (slash && !cron_value(slash + 1, len - rl - 1, NULL, 0, &step))
            return false;
        if (!(rl == 1 && (item[0] == '*' || item[0] == '?'))) {
            const char *dash = memchr(item, '-', rl);
            if (dash) {
                if (!cron_value(item, (size_t)(dash - item), names, nnames, &a) ||
                    !cron_value(dash + 1, rl - (size_t)(dash - item) - 1, names, nnames, &b))
                    return false;
            } else {
                if (!cron_value(item, rl, names, nnames, &a))
                    return false;
                b = slash ? hi : a;
            }
        }
        if (a < lo || b > hi || a > b || step < 1)
            return false;
        for (long v = a; v <= b; v += step)
            *bits |= (uint64_t)1 << v;
        i = e + 1;
    }
    return *bits != 0;
}

static long rate_gap(const char *s)
{
    long n = 0;
    const char *p = s;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p) && n < 1000000)
        n = n * 10 + (*p++ - '0');
    while (*p == ' ')
        p++;
    long unit = !strncasecmp(p, "minute", 6) ? 60
                : !strncasecmp(p, "hour", 4) ? 3600
                : !strncasecmp(p, "day", 3)  ? 86400
                                             : 0;
    return unit && n > 0 ? n * unit : -1;
}

long rl_ds_schedule_gap(const char *expr)
{
    if (!expr)
        return -1;
    while (*expr == ' ')
        expr++;
    if (!strncasecmp(expr, "rate(", 5))
        return rate_gap(expr + 5);
    if (strncasecmp(expr, "cron(", 5))
        return -1;
    const char *f[6];
    size_t fl[6], nf = 0;
    const char *p = expr + 5;
    while (nf < 6) {
        while (*p == ' ')
            p++;
        if (!*p || *p == ')')
            break;
        f[nf] = p;
        while (*p && *p != ' ' && *p != ')')
            p++;
        fl[nf] = (size_t)(p - f[nf]);
        nf++;
    }
    if (nf != 6)
        return -1;
    uint64_t mins, hours, doms, months, dows, unused;
    bool any_min, any_hour, any_dom, any_month, any_dow, any_year;
    if (!cron_field(f[0], fl[0], 0, 59, NULL, 0, &mins, &any_min) ||
        !cron_field(f[1], fl[1], 0, 23, NULL, 0, &hours, &any_hour) ||
        !cron_field(f[2], fl[2], 1, 31, NULL, 0, &doms, &any_dom) ||
        !cron_field(f[3], fl[3], 1, 12, month_names, 12, &months, &any_month) ||
        !cron_field(f[4], fl[4], 1, 7, day_names, 7, &dows, &any_dow))
        return -1;
    /* a schedule for some years only runs out: no steady interval */
    if (!cron_field(f[5], fl[5], 0, 63, NULL, 0, &unused, &any_year) && !(fl[5] == 1))
        return -1;
    if (!any_year)
        return -1;
    bool dom_q = fl[2] == 1 && f[2][0] == '?', dow_q = fl[4] == 1 && f[4][0] == '?';
    (void)any_min;
    (void)any_hour;
    (void)any_month;
    /* the minutes of a day it runs at */
    int times[1440], nt = 0;
    for (int h = 0; h < 24; h++)
        for (int mi = 0; mi < 60; mi++)
            if ((hours >> h & 1) && (mins >> mi & 1))
                times[nt++] = h * 60 + mi;
    if (!nt)
        return -1;
    /* two years from a Monday (2024-01-01) cover month lengths, a leap day and weekdays */
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long last = -1, gap = -1;
    int dow = 2; /* Monday; SUN = 1 */
    long day = 0;
    for (int y = 0; y < 2; y++)
        for (int mo = 1; mo <= 12; mo++) {
            int len = mdays[mo - 1] - (y == 1 && mo == 2 ? 1 : 0);
            for (int dd = 1; dd <= len; dd++, day++, dow = dow % 7 + 1) {
                if (!(months >> mo & 1))
                    continue;
                bool by_dom = (doms >> dd & 1) != 0, by_dow = (dows >> dow & 1) != 0;
                bool runs = dom_q ? by_dow : dow_q ? by_dom : (any_dom ? by_dow : by_dom);
                if (!runs)
                    continue;
                for (int t = 0; t < nt; t++) {
                    long abs = day * 1440 + times[t];
                    if (last >= 0 && abs - last > gap)
                        gap = abs - last;
                    last = abs;
                }
            }
        }
    return gap > 0 ? gap * 60 : (last >= 0 ? 365L * 86400 : -1);
}

/* ---- the database ---------------------------------------------------------------------- */

/* The families whose members find each other by a global identifier or an ARN name. */
enum { F_AURORA, F_DOCDB, F_NEPTUNE, F_RDSDB, F_DDB, F_EC, F_MEMORYDB, F_EFS, F_REDSHIFT, F_N };

/* A link whose store could not be identified (a source ARN from a parameter): it may be any
 * primary store of its family. */
typedef struct orphan {
    int fam;
    rl_ds_link link;
    struct orphan *next;
} orphan;

typedef struct member { /* a member of a global cluster, datastore or multi-Region cluster */
    const char *region;
    const rl_resource *res;
    struct member *next;
} member;

typedef struct s3edge {           /* one enabled S3 replication rule */
    const rl_resource *src, *dst; /* the buckets, when the values reference them */
    const char *src_name, *dst_name;
    const char *src_region, *region; /* region: the destination's; NULL unknown */
    bool rtc;
    const char *file, *path;
    rl_span span;
    struct s3edge *next;     /* every edge */
    struct s3edge *next_src; /* the next edge of the same source key */
} s3edge;

typedef struct plan_rule {
    const char *name;
    long gap; /* seconds between backups, -1 unknown */
    const char *regions[8];
    bool unknown; /* a copy action whose vault region cannot be resolved */
    size_t nregions;
    const char *file, *path;
    rl_span span; /* the copy action */
    struct plan_rule *next;
} plan_rule;

typedef struct plan {
    const rl_resource *res;
    const char *name;
    plan_rule *rules;
} plan;

typedef struct alt {
    const char *s; /* unknown pieces as UNK */
    size_t len;
    bool complete;
    const char *via; /* the whole value is one unknown piece that comes from this */
    const char *vias[MAX_VIAS];
    size_t nvias;
} alt;

typedef struct alts {
    alt v[RL_EVAL_MAX_ALTERNATIVES];
    size_t n;
} alts;

typedef struct tagref { /* a tag a backup selection or lifecycle policy selects by */
    const char *key, *value;
    int op; /* 0 equals, 1 like, 2 not equals, 3 not like */
    bool unknown;
} tagref;

typedef struct selection {
    const rl_stack *st;
    const rl_node *node;
    const plan *plan; /* NULL when the plan cannot be found */
    const char *name;
    const rl_node *resources, *not_resources; /* Resources / resources */
    tagref *tags;                             /* ListOfTags / selection_tag: any */
    size_t ntags;
    tagref *conds; /* Conditions / condition: all */
    size_t nconds;
    bool unknown; /* something could not be resolved: it may select anything */
    struct selection *next;
} selection;

typedef struct dlm {
    const rl_stack *st;
    const char *name; /* the policy resource */
    const rl_node *node;
    tagref *tags;
    size_t ntags;
    bool volumes;
    long gap;
    const char *regions[8];
    size_t nregions;
    bool unknown;
    const char *file, *path;
    rl_span span;
    struct dlm *next;
} dlm;

struct rl_ds_db {
    rl_arena *a;
    bool built;
    int rc;
    rl_ds_store **stores;
    size_t nstores, cap;
    rl_hmap by_res;  /* "input\x1fid" -> store */
    rl_hmap by_name; /* "family|name" -> store */
    rl_hmap buckets; /* bucket name -> uint64_t* regions whose stacks create it */
    rl_hmap nondata; /* "input\x1fid" or "s3|name" of log, artifact and replica buckets */
    rl_hmap members; /* "family|id" -> member list */
    uint64_t unknown_members[F_N];
    rl_hmap src_member; /* "input\x1fid" of a cluster -> "family|id" or "" (unknown) */
    rl_hmap forwarders; /* "family|id" -> member (a secondary that forwards writes) */
    orphan *orphans;
    s3edge *edges;
    rl_hmap edges_by_src; /* "input\x1fid" and "s3|name" -> s3edge list head (via next_src) */
    rl_hmap plans;        /* "input\x1fid" -> plan */
    selection *selections;
    dlm *dlms;
    rl_hmap secret_values; /* "input\x1fid" of a Terraform secret whose value is written */
    rl_hmap pending;       /* "input\x1fid" or "family|name" -> links found before the store */
    rl_hmap edges_by_dst;  /* "input\x1fid" and "s3|name" of a destination bucket -> (void*)1 */
    rl_hmap types;         /* resource type -> what it is to the passes (type_roles) */
    /* writers (rl_ds_find_writers) */
    bool writers_done;
    int writers_rc;
};

typedef struct ds {
    const rl_model *m;
    rl_ds_db *db;
    rl_arena *a;
    int rc;
} ds;

void rl_ds_db_free(rl_ds_db *db)
{
    if (!db)
        return;
    rl_hmap_free(&db->by_res);
    rl_hmap_free(&db->by_name);
    rl_hmap_free(&db->buckets);
    rl_hmap_free(&db->nondata);
    rl_hmap_free(&db->members);
    rl_hmap_free(&db->src_member);
    rl_hmap_free(&db->forwarders);
    rl_hmap_free(&db->edges_by_src);
    rl_hmap_free(&db->plans);
    rl_hmap_free(&db->secret_values);
    rl_hmap_free(&db->pending);
    rl_hmap_free(&db->edges_by_dst);
    rl_hmap_free(&db->types);
    free(db->stores);
    rl_arena_free(db->a);
    free(db);
}

/* The model is const for the rules; the database behind it fills its lazy parts. */
static rl_ds_db *db_get(const rl_model *m)
{
    if (!m || !m->priv)
        return NULL;
    if (m->priv->data)
        return m->priv->data;
    rl_ds_db *db = calloc(1, sizeof(*db));
    if (!db || !(db->a = rl_arena_new(0))) {
        free(db);
        return NULL;
    }
    db->by_name.ci = true; /* identifiers of RDS, ElastiCache and Redshift ignore case */
    m->priv->data = db;
    return db;
}

static bool is_tf(const rl_stack *st)
{
    return st->source != RL_STACK_CFN;
}

static const rl_node *prop(const rl_resource *r, const char *cfn, const char *tf)
{
    return rl_node_get(r->props, is_tf(r->stack) ? tf : cfn);
}

/* A value that is set: not absent, not JSON null (plans), not an empty string. */
static bool present(const rl_node *n)
{
    if (!n)
        return false;
    if (rl_node_is_scalar(n))
        return n->type != RL_SCALAR_NULL && n->u.s.len > 0;
    return rl_node_count(n) > 0 || rl_node_is_map(n);
}

/* Items of a block that may be one object or a list (Terraform writes both). */
static size_t items(const rl_node *n)
{
    return rl_node_is_seq(n) ? n->u.seq.count : n ? 1 : 0;
}

static const rl_node *item(const rl_node *n, size_t i)
{
    return rl_node_is_seq(n) ? rl_node_at(n, i) : n;
}

static int region_bit(const rl_model *m, const char *region)
{
    for (size_t i = 0; region && i < m->nregions && i < 64; i++)
        if (!strcmp(m->regions[i], region))
            return (int)i;
    return -1;
}

static uint64_t bit_of(const rl_model *m, const char *region)
{
    int b = region_bit(m, region);
    return b < 0 ? 0 : (uint64_t)1 << b;
}

static const char *res_key(ds *d, const rl_resource *r)
{
    char *k = rl_arena_printf(d->a, "%p\x1f%s", (const void *)r->stack->input, r->id);
    if (!k)
        d->rc = RL_ENOMEM;
    return k;
}

static const char *name_key(ds *d, int fam, const char *name)
{
    char *k = rl_arena_printf(d->a, "%d|%s", fam, name);
    if (!k)
        d->rc = RL_ENOMEM;
    return k;
}

static const char *intern(ds *d, const char *s)
{
    const char *r = rl_model_intern((rl_model *)d->m, s);
    if (!r)
        d->rc = RL_ENOMEM;
    return r;
}

/* ---- evaluation ------------------------------------------------------------------------- */

typedef struct collect_ctx {
    ds *d;
    alts *out;
} collect_ctx;

static int on_alt(void *ctx, const rl_evstr *s)
{
    collect_ctx *c = ctx;
    alts *o = c->out;
    if (o->n == RL_EVAL_MAX_ALTERNATIVES)
        return 0;
    alt *a = &o->v[o->n];
    memset(a, 0, sizeof(*a));
    char *buf = rl_arena_alloc(c->d->a, s->len + 1);
    if (!buf)
        return c->d->rc = RL_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < s->nparts; i++) {
        const rl_strpart *p = &s->parts[i];
        if (!p->origin && p->len == 3 && !memcmp(s->str + p->off, UNKNOWN_MARK, 3)) {
            buf[n++] = UNK;
            if (a->nvias < MAX_VIAS)
                a->vias[a->nvias++] = p->via ? rl_arena_strdup(c->d->a, p->via) : NULL;
        } else {
            memcpy(buf + n, s->str + p->off, p->len);
            n += p->len;
        }
    }
    buf[n] = '\0';
    a->s = buf;
    a->len = n;
    a->complete = s->complete;
    if (n == 1 && buf[0] == UNK)
        a->via = a->vias[0];
    o->n++;
    return 0;
}

/* The alternatives of a value in its stack instance. */
static int eval(ds *d, const rl_stack *st, const rl_node *n, alts *out)
{
    out->n = 0;
    if (!n)
        return RL_OK;
    collect_ctx c = {d, out};
    int rc = rl_eval_strings(st, n, on_alt, &c);
    if (rc < 0)
        d->rc = rc;
    return rc < 0 ? rc : d->rc;
}

/* The resource a whole value refers to (the reference layer): Ref X, Fn::GetAtt X.Y,
 * "${X}" and "${X.Y}" in Fn::Sub, imports, Terraform "${type.name.attr}", module outputs,
 * plan configuration references. */
static const rl_resource *ref_of(ds *d, const rl_stack *st, const rl_node *n)
{
    (void)d;
    rl_ref r = rl_ref_of(st, NULL, n);
    return r.state == RL_KNOWN ? r.res : NULL;
}

/* A single complete value, or NULL. */
static const char *str_of(ds *d, const rl_stack *st, const rl_node *n)
{
    (void)d;
    return n ? rl_eval_string(st, n) : NULL;
}

static bool is_true(ds *d, const rl_stack *st, const rl_node *n)
{
    bool b;
    if (rl_node_bool(n, &b))
        return b;
    const char *s = str_of(d, st, n);
    return s && !strcasecmp(s, "true");
}

static double number_of(ds *d, const rl_stack *st, const rl_node *n, double dflt)
{
    double v;
    if (rl_node_number(n, &v))
        return v;
    const char *s = str_of(d, st, n);
    if (s && *s) {
        char *end;
        v = strtod(s, &end);
        if (!*end)
            return v;
    }
    return dflt;
}

/* The region an alternative names, or NULL (unknown, empty, not a region). An availability
 * zone gives its region (EFS One Zone destinations). */
static const char *alt_region(ds *d, const alt *a, bool az)
{
    char buf[64];
    if (!a->complete || !a->len || a->len >= sizeof(buf))
        return NULL;
    memcpy(buf, a->s, a->len + 1);
    if (az && a->len > 1 && isalpha((unsigned char)buf[a->len - 1]))
        buf[a->len - 1] = '\0';
    return rl_is_region(buf, strlen(buf)) ? intern(d, buf) : NULL;
}

/* ---- stores --------------------------------------------------------------------------- */

enum {
    K_DDB,
    K_DDB_GLOBAL,
    K_RDS_DB,
    K_RDS_CLUSTER,
    K_DOCDB,
    K_NEPTUNE,
    K_S3,
    K_EFS,
    K_FSX,
    K_EBS,
    K_EC_RG,
    K_EC_CLUSTER,
    K_EC_SERVERLESS,
    K_MEMORYDB,
    K_SEARCH,
    K_REDSHIFT,
    K_SECRET
};

typedef struct stype {
    const char *type;
    int kind;
    const char *what;
    const char *name; /* the property that holds the physical name */
    const char *svc;  /* ARN service and resource prefix, for backup selections */
    const char *prefix;
    bool backup; /* AWS Backup protects it */
    bool data;   /* held to the declared RPO */
} stype;

static const stype stypes[] = {
    {"AWS::DynamoDB::Table", K_DDB, "DynamoDB table", "TableName", "dynamodb", "table/", 1, 1},
    {"AWS::DynamoDB::GlobalTable", K_DDB_GLOBAL, "DynamoDB global table", "TableName", "dynamodb",
     "table/", 1, 1},
    {"AWS::Serverless::SimpleTable", K_DDB, "DynamoDB table", "TableName", "dynamodb", "table/", 1,
     1},
    {"AWS::RDS::DBInstance", K_RDS_DB, "RDS DB instance", "DBInstanceIdentifier", "rds", "db:", 1,
     1},
    {"AWS::RDS::DBCluster", K_RDS_CLUSTER, "RDS DB cluster", "DBClusterIdentifier", "rds",
     "cluster:", 1, 1},
    {"AWS::DocDB::DBCluster", K_DOCDB, "DocumentDB cluster", "DBClusterIdentifier", "rds",
     "cluster:", 1, 1},
    {"AWS::Neptune::DBCluster", K_NEPTUNE, "Neptune cluster", "DBClusterIdentifier", "rds",
     "cluster:", 1, 1},
    {"AWS::S3::Bucket", K_S3, "S3 bucket", "BucketName", "s3", "", 1, 1},
    {"AWS::EFS::FileSystem", K_EFS, "EFS file system", NULL, "elasticfilesystem", "file-system/", 1,
     1},
    {"AWS::FSx::FileSystem", K_FSX, "FSx file system", NULL, "fsx", "file-system/", 1, 1},
    {"AWS::EC2::Volume", K_EBS, "EBS volume", NULL, "ec2", "volume/", 1, 1},
    {"AWS::ElastiCache::ReplicationGroup", K_EC_RG, "ElastiCache replication group",
     "ReplicationGroupId", "elasticache", "replicationgroup:", 0, 1},
    {"AWS::ElastiCache::CacheCluster", K_EC_CLUSTER, "ElastiCache cluster", "ClusterName",
     "elasticache", "cluster:", 0, 1},
    {"AWS::ElastiCache::ServerlessCache", K_EC_SERVERLESS, "ElastiCache serverless cache",
     "ServerlessCacheName", "elasticache", "serverlesscache:", 0, 1},
    {"AWS::MemoryDB::Cluster", K_MEMORYDB, "MemoryDB cluster", "ClusterName", "memorydb",
     "cluster/", 0, 1},
    {"AWS::OpenSearchService::Domain", K_SEARCH, "OpenSearch domain", "DomainName", "es", "domain/",
     0, 1},
    {"AWS::Elasticsearch::Domain", K_SEARCH, "Elasticsearch domain", "DomainName", "es", "domain/",
     0, 1},
    {"AWS::Redshift::Cluster", K_REDSHIFT, "Redshift cluster", "ClusterIdentifier", "redshift",
     "cluster:", 1, 1},
    {"AWS::SecretsManager::Secret", K_SECRET, "Secrets Manager secret", "Name", "secretsmanager",
     "secret:", 0, 0},
    {"aws_dynamodb_table", K_DDB, "DynamoDB table", "name", "dynamodb", "table/", 1, 1},
    {"aws_db_instance", K_RDS_DB, "RDS DB instance", "identifier", "rds", "db:", 1, 1},
    {"aws_rds_cluster", K_RDS_CLUSTER, "RDS DB cluster", "cluster_identifier", "rds", "cluster:", 1,
     1},
    {"aws_docdb_cluster", K_DOCDB, "DocumentDB cluster", "cluster_identifier", "rds", "cluster:", 1,
     1},
    {"aws_neptune_cluster", K_NEPTUNE, "Neptune cluster", "cluster_identifier", "rds",
     "cluster:", 1, 1},
    {"aws_s3_bucket", K_S3, "S3 bucket", "bucket", "s3", "", 1, 1},
    {"aws_efs_file_system", K_EFS, "EFS file system", NULL, "elasticfilesystem", "file-system/", 1,
     1},
    {"aws_fsx_lustre_file_system", K_FSX, "FSx file system", NULL, "fsx", "file-system/", 1, 1},
    {"aws_fsx_windows_file_system", K_FSX, "FSx file system", NULL, "fsx", "file-system/", 1, 1},
    {"aws_fsx_ontap_file_system", K_FSX, "FSx file system", NULL, "fsx", "file-system/", 1, 1},
    {"aws_fsx_openzfs_file_system", K_FSX, "FSx file system", NULL, "fsx", "file-system/", 1, 1},
    {"aws_ebs_volume", K_EBS, "EBS volume", NULL, "ec2", "volume/", 1, 1},
    {"aws_elasticache_replication_group", K_EC_RG, "ElastiCache replication group",
     "replication_group_id", "elasticache", "replicationgroup:", 0, 1},
    {"aws_elasticache_cluster", K_EC_CLUSTER, "ElastiCache cluster", "cluster_id", "elasticache",
     "cluster:", 0, 1},
    {"aws_elasticache_serverless_cache", K_EC_SERVERLESS, "ElastiCache serverless cache", "name",
     "elasticache", "serverlesscache:", 0, 1},
    {"aws_memorydb_cluster", K_MEMORYDB, "MemoryDB cluster", "name", "memorydb", "cluster/", 0, 1},
    {"aws_opensearch_domain", K_SEARCH, "OpenSearch domain", "domain_name", "es", "domain/", 0, 1},
    {"aws_elasticsearch_domain", K_SEARCH, "Elasticsearch domain", "domain_name", "es", "domain/",
     0, 1},
    {"aws_redshift_cluster", K_REDSHIFT, "Redshift cluster", "cluster_identifier", "redshift",
     "cluster:", 1, 1},
    {"aws_secretsmanager_secret", K_SECRET, "Secrets Manager secret", "name", "secretsmanager",
     "secret:", 0, 0},
};

static const stype *stype_of(const char *type)
{
    if (!type || (strncmp(type, "AWS::", 5) && strncmp(type, "aws_", 4)))
        return NULL;
    for (size_t i = 0; i < sizeof(stypes) / sizeof(*stypes); i++)
        if (!strcmp(stypes[i].type, type))
            return &stypes[i];
    return NULL;
}

/* The family a store's name is indexed under (NULL: not looked up by name). */
static int family_of(int kind)
{
    switch (kind) {
    case K_DDB:
    case K_DDB_GLOBAL:
        return F_DDB;
    case K_RDS_DB:
        return F_RDSDB;
    case K_RDS_CLUSTER:
        return F_AURORA;
    case K_DOCDB:
        return F_DOCDB;
    case K_NEPTUNE:
        return F_NEPTUNE;
    case K_EC_RG:
        return F_EC;
    case K_MEMORYDB:
        return F_MEMORYDB;
    case K_EFS:
        return F_EFS;
    case K_REDSHIFT:
        return F_REDSHIFT;
    default:
        return -1;
    }
}

/* A replica that accepts writes, for matching writers: the store itself, a global table's
 * replica in another region (same name), the peer bucket of two-way S3 replication. */
typedef struct replica {
    const char *region;
    const char *name;
    const rl_resource *res;
} replica;

typedef struct store_priv { /* what the rules do not see; pub comes first */
    rl_ds_store pub;
    const stype *t;
    bool durable_cache; /* a Redis/Valkey cache that keeps snapshots */
    bool linked_cache;  /* a cache in a global datastore */
    replica reps[8];
    size_t nreps;
} store_priv;

static void add_link_at(ds *d, rl_ds_store *s, const rl_ds_mech_info *info, const char *region,
                        long rpo, const char *detail, const char *file, const rl_span *span,
                        const char *path)
{
    if (!s || d->rc)
        return;
    /* a link to the store's own region copies nothing out of it */
    if (region && s->res->stack->region && !strcmp(region, s->res->stack->region))
        return;
    for (const rl_ds_link *l = s->links; l; l = l->next)
        if (l->info == info && l->region == region && l->rpo == rpo && span && file && l->file &&
            l->span.start.line == span->start.line && l->span.start.column == span->start.column &&
            !strcmp(file, l->file))
            return;
    rl_ds_link *l = rl_arena_calloc(d->a, 1, sizeof(*l));
    if (!l) {
        d->rc = RL_ENOMEM;
        return;
    }
    l->info = info;
    l->region = region;
    l->rpo = rpo;
    l->detail = detail;
    l->file = file;
    if (span)
        l->span = *span;
    l->path = path;
    rl_ds_link **tail = &s->links;
    while (*tail)
        tail = &(*tail)->next;
    *tail = l;
}

static void add_link(ds *d, rl_ds_store *s, rl_ds_mech mech, const char *region, long rpo,
                     const char *detail, const rl_stack *st, const rl_node *where, const char *path)
{
    add_link_at(d, s, &mechs[mech], region, rpo == -2 ? mechs[mech].rpo : rpo, detail,
                st ? rl_doc_path(st->input->doc) : NULL, where ? &where->span : NULL, path);
}

#define FIGURE (-2) /* add_link: the mechanism's own figure */

static const char *sub_path(ds *d, const rl_resource *r, const char *rest)
{
    char *p =
        rl_arena_printf(d->a, "%s%s%s", r->path, is_tf(r->stack) ? "." : ".Properties.", rest);
    if (!p)
        d->rc = RL_ENOMEM;
    return p;
}

/* Is this resource a stateful store of the primary? (Aurora members and read replicas are
 * their cluster's or source's copies; Memcached and caches without snapshots keep nothing;
 * a secret whose value is written in the template is restored by deploying it.) */
static bool is_store(ds *d, const rl_resource *r, const stype *t, bool *durable)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    *durable = false;
    switch (t->kind) {
    case K_RDS_DB:
        return !(!tf && present(rl_node_get(r->props, "DBClusterIdentifier"))) &&
               !present(prop(r, "SourceDBInstanceIdentifier", "replicate_source_db"));
    case K_RDS_CLUSTER:
    case K_DOCDB:
    case K_NEPTUNE:
        return !present(prop(r, "ReplicationSourceIdentifier", "replication_source_identifier"));
    case K_EC_RG:
    case K_EC_CLUSTER:
    case K_EC_SERVERLESS: {
        const char *engine = str_of(d, st, prop(r, "Engine", "engine"));
        if (engine && !strcasecmp(engine, "memcached"))
            return false;
        if (t->kind == K_EC_CLUSTER && !engine)
            return false;
        *durable =
            number_of(d, st, prop(r, "SnapshotRetentionLimit", "snapshot_retention_limit"), 0) > 0;
        return true; /* kept only when durable or in a global datastore (see finish) */
    }
    case K_SECRET:
        if (tf) {
            char buf[600];
            snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)st->input, r->id);
            return !rl_hmap_gets(&d->db->secret_values, buf);
        }
        return !present(prop(r, "SecretString", "secret_string"));
    default:
        return true;
    }
}

static void index_store(ds *d, rl_ds_store *s, int fam)
{
    const char *k = res_key(d, s->res);
    if (!k || rl_hmap_puts(&d->db->by_res, k, s) < 0) {
        d->rc = RL_ENOMEM;
        return;
    }
    if (s->name && fam >= 0) {
        const char *nk = name_key(d, fam, s->name);
        if (nk && !rl_hmap_gets(&d->db->by_name, nk) && rl_hmap_puts(&d->db->by_name, nk, s) < 0)
            d->rc = RL_ENOMEM;
    }
}

static void add_store(ds *d, const rl_resource *r)
{
    const stype *t = stype_of(r->type);
    bool durable = false;
    if (!t || !is_store(d, r, t, &durable))
        return;
    store_priv *p = rl_arena_calloc(d->a, 1, sizeof(*p));
    if (!p) {
        d->rc = RL_ENOMEM;
        return;
    }
    rl_ds_store *s = &p->pub;
    p->t = t;
    p->durable_cache = durable;
    s->res = r;
    s->kind = t->what;
    s->backup = t->backup;
    s->data = t->data;
    s->name = t->name ? str_of(d, r->stack, rl_node_get(r->props, t->name)) : NULL;
    if (s->name && (t->kind == K_RDS_DB || t->kind == K_RDS_CLUSTER || t->kind == K_DOCDB ||
                    t->kind == K_NEPTUNE || t->kind == K_EC_RG || t->kind == K_REDSHIFT)) {
        char *low = rl_arena_strdup(d->a, s->name);
        if (!low) {
            d->rc = RL_ENOMEM;
            return;
        }
        for (char *c = low; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        s->name = low; /* these identifiers are stored in lower case by AWS */
    }
    if (d->db->nstores == d->db->cap) {
        size_t ncap = d->db->cap ? d->db->cap * 2 : 32;
        rl_ds_store **n = realloc(d->db->stores, ncap * sizeof(*n));
        if (!n) {
            d->rc = RL_ENOMEM;
            return;
        }
        d->db->stores = n;
        d->db->cap = ncap;
    }
    d->db->stores[d->db->nstores++] = s;
    index_store(d, s, family_of(t->kind));
}

/* ---- pass 1: what other resources say about the stores -------------------------------- */

typedef struct pending { /* a link found before its store, keyed like by_res / by_name */
    rl_ds_link link;
    bool lww; /* it reaches a writable replica (a DynamoDB global table's) */
    struct pending *next;
} pending;

static void pend(ds *d, const char *key, rl_ds_mech mech, const char *region, long rpo,
                 const char *detail, const rl_stack *st, const rl_node *where, const char *path,
                 bool lww)
{
    if (!key || d->rc)
        return;
    pending *p = rl_arena_calloc(d->a, 1, sizeof(*p));
    if (!p) {
        d->rc = RL_ENOMEM;
        return;
    }
    p->link.info = &mechs[mech];
    p->link.region = region;
    p->link.rpo = rpo == FIGURE ? mechs[mech].rpo : rpo;
    p->link.detail = detail;
    p->link.file = rl_doc_path(st->input->doc);
    if (where)
        p->link.span = where->span;
    p->link.path = path;
    p->lww = lww;
    void **slot = rl_hmap_slot(&d->db->pending, key, strlen(key));
    if (slot) {
        p->next = *slot;
        *slot = p;
    } else if (rl_hmap_puts(&d->db->pending, key, p) < 0) {
        d->rc = RL_ENOMEM;
    }
}

static void orphan_add(ds *d, int fam, rl_ds_mech mech, const char *region, const char *detail,
                       const rl_stack *st, const rl_node *where, const char *path)
{
    orphan *o = rl_arena_calloc(d->a, 1, sizeof(*o));
    if (!o) {
        d->rc = RL_ENOMEM;
        return;
    }
    o->fam = fam;
    o->link.info = &mechs[mech];
    o->link.region = region;
    o->link.rpo = mechs[mech].rpo;
    o->link.detail = detail;
    o->link.file = rl_doc_path(st->input->doc);
    if (where)
        o->link.span = where->span;
    o->link.path = path;
    o->next = d->db->orphans;
    d->db->orphans = o;
}

/* The name at the end of an ARN's resource after `prefix` ("db:", "cluster:", "table/"), in
 * lower case when `lower`; NULL when the ARN is not of that kind or has unknown pieces. */
static const char *arn_name(ds *d, const alt *a, const char *service, const char *prefix,
                            bool lower, const char **region)
{
    rl_arn arn;
    const char *nm;
    size_t nl;
    *region = NULL;
    if (!a->complete || !rl_arn_parse(a->s, a->len, &arn) || !rl_arn_is(&arn, service) ||
        !rl_arn_name(&arn, prefix, &nm, &nl))
        return NULL;
    char rb[64];
    if (rl_arn_region_of(&arn, rb, sizeof(rb)))
        *region = intern(d, rb);
    char *out = rl_arena_strndup(d->a, nm, nl);
    if (!out) {
        d->rc = RL_ENOMEM;
        return NULL;
    }
    for (char *c = out; lower && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

/* Calls fn for every node at a dotted path; "[]" steps into every item of a list (or the one
 * object Terraform may write instead of a list). */
typedef void (*at_fn)(ds *d, const rl_resource *r, const rl_node *n, const char *path, void *ctx);

static void each_at(ds *d, const rl_resource *r, const rl_node *n, const char *path,
                    const char *done, at_fn fn, void *ctx)
{
    if (!n || d->rc)
        return;
    if (!*path) {
        fn(d, r, n, done, ctx);
        return;
    }
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    const char *rest = dot ? dot + 1 : "";
    char key[128];
    bool list = len > 2 && path[len - 2] == '[' && path[len - 1] == ']';
    size_t kl = list ? len - 2 : len;
    if (kl >= sizeof(key))
        return;
    memcpy(key, path, kl);
    key[kl] = '\0';
    const rl_node *v = rl_node_get(n, key);
    if (!v)
        return;
    if (!list) {
        char *p = rl_arena_printf(d->a, "%s%s%s", done, *done ? "." : "", key);
        if (!p) {
            d->rc = RL_ENOMEM;
            return;
        }
        each_at(d, r, v, rest, p, fn, ctx);
        return;
    }
    for (size_t i = 0; i < items(v); i++) {
        char *p = rl_node_is_seq(v)
                      ? rl_arena_printf(d->a, "%s%s%s[%zu]", done, *done ? "." : "", key, i)
                      : rl_arena_printf(d->a, "%s%s%s", done, *done ? "." : "", key);
        if (!p) {
            d->rc = RL_ENOMEM;
            return;
        }
        each_at(d, r, item(v, i), rest, p, fn, ctx);
    }
}

/* -- buckets that hold no data of their own: log and artifact destinations -- */

static void mark_nondata_name(ds *d, const char *s, size_t len)
{
    /* arn:aws:s3:::name/prefix (any partition), s3://name/prefix, name.s3.amazonaws.com,
     * name */
    rl_arn arn;
    if (rl_arn_parse(s, len, &arn) && rl_arn_is(&arn, "s3")) {
        s = arn.resource;
        len = arn.resource_len;
    } else if (len > 5 && !strncmp(s, "s3://", 5)) {
        s += 5;
        len -= 5;
    }
    const char *slash = memchr(s, '/', len);
    if (slash)
        len = (size_t)(slash - s);
    const char *dot = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (!strncmp(s + i, ".s3.", 4) || !strncmp(s + i, ".s3-", 4)) {
            dot = s + i;
            break;
        }
    if (dot)
        len = (size_t)(dot - s);
    if (!len || memchr(s, UNK, len))
        return;
    char *k = rl_arena_printf(d->a, "s3|%.*s", (int)len, s);
    if (!k || rl_hmap_puts(&d->db->nondata, k, (void *)1) < 0)
        d->rc = RL_ENOMEM;
}

static void on_log_dest(ds *d, const rl_resource *r, const rl_node *n, const char *path, void *ctx)
{
    (void)path;
    (void)ctx;
    const rl_resource *b = ref_of(d, r->stack, n);
    if (b) {
        const char *k = res_key(d, b);
        if (k && rl_hmap_puts(&d->db->nondata, k, (void *)1) < 0)
            d->rc = RL_ENOMEM;
        return;
    }
    alts v;
    if (eval(d, r->stack, n, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++)
        mark_nondata_name(d, v.v[i].s, v.v[i].len);
}

static const struct {
    const char *type, *path;
} log_dests[] = {
    {"AWS::S3::Bucket", "LoggingConfiguration.DestinationBucketName"},
    {"AWS::S3::Bucket", "InventoryConfigurations[].Destination.BucketArn"},
    {"AWS::CloudTrail::Trail", "S3BucketName"},
    {"AWS::Config::DeliveryChannel", "S3BucketName"},
    {"AWS::CodePipeline::Pipeline", "ArtifactStore.Location"},
    {"AWS::CodePipeline::Pipeline", "ArtifactStores[].ArtifactStore.Location"},
    {"AWS::CloudFront::Distribution", "DistributionConfig.Logging.Bucket"},
    {"AWS::ElasticLoadBalancing::LoadBalancer", "AccessLoggingPolicy.S3BucketName"},
    {"AWS::EC2::FlowLog", "LogDestination"},
    {"AWS::Athena::WorkGroup", "WorkGroupConfiguration.ResultConfiguration.OutputLocation"},
    {"AWS::ARCRegionSwitch::Plan", "ReportConfiguration.ReportOutput[].S3Configuration.BucketPath"},
    {"aws_s3_bucket_logging", "target_bucket"},
    {"aws_s3_bucket", "logging[].target_bucket"},
    {"aws_cloudtrail", "s3_bucket_name"},
    {"aws_config_delivery_channel", "s3_bucket_name"},
    {"aws_codepipeline", "artifact_store[].location"},
    {"aws_lb", "access_logs[].bucket"},
    {"aws_alb", "access_logs[].bucket"},
    {"aws_elb", "access_logs[].bucket"},
    {"aws_flow_log", "log_destination"},
    {"aws_cloudfront_distribution", "logging_config[].bucket"},
    {"aws_athena_workgroup", "configuration[].result_configuration[].output_location"},
};

static void index_log_dests(ds *d, const rl_resource *r)
{
    for (size_t i = 0; i < sizeof(log_dests) / sizeof(*log_dests); i++)
        if (!strcmp(log_dests[i].type, r->type))
            each_at(d, r, r->props, log_dests[i].path, "", on_log_dest, NULL);
    if (!strcmp(r->type, "AWS::ElasticLoadBalancingV2::LoadBalancer")) {
        const rl_node *attrs = rl_node_get(r->props, "LoadBalancerAttributes");
        for (size_t i = 0; i < items(attrs); i++) {
            const rl_node *a = item(attrs, i);
            if (rl_node_streq(rl_node_get(a, "Key"), "access_logs.s3.bucket"))
                on_log_dest(d, r, rl_node_get(a, "Value"), "", NULL);
        }
    }
    /* a bucket that receives S3 server access logs is a log bucket */
    bool tf = !strcmp(r->type, "aws_s3_bucket");
    if (!tf && strcmp(r->type, "AWS::S3::Bucket"))
        return;
    const char *acl = str_of(d, r->stack, prop(r, "AccessControl", "acl"));
    if (acl && !strcasecmp(acl, tf ? "log-delivery-write" : "LogDeliveryWrite")) {
        const char *k = res_key(d, r);
        if (k && rl_hmap_puts(&d->db->nondata, k, (void *)1) < 0)
            d->rc = RL_ENOMEM;
    }
}

/* -- S3 replication edges -- */

static void index_bucket(ds *d, const rl_resource *r)
{
    const char *name = str_of(d, r->stack, prop(r, "BucketName", "bucket"));
    if (!name || !r->stack->region)
        return;
    uint64_t *set = rl_hmap_gets(&d->db->buckets, name);
    if (!set) {
        const char *k = rl_arena_strdup(d->a, name);
        set = rl_arena_calloc(d->a, 1, sizeof(*set));
        if (!k || !set || rl_hmap_puts(&d->db->buckets, k, set) < 0) {
            d->rc = RL_ENOMEM;
            return;
        }
    }
    *set |= bit_of(d->m, r->stack->region);
}

static void edge_key_add(ds *d, rl_hmap *map, const char *key, s3edge *e)
{
    if (!key)
        return;
    void **slot = rl_hmap_slot(map, key, strlen(key));
    if (slot) {
        if (map == &d->db->edges_by_src) {
            e->next_src = *slot;
            *slot = e;
        }
        return;
    }
    if (rl_hmap_puts(map, key, map == &d->db->edges_by_dst ? (void *)1 : (void *)e) < 0)
        d->rc = RL_ENOMEM;
}

/* One replication rule of a source bucket (resource `src`, or named `src_name`). */
static void add_edge(ds *d, const rl_stack *st, const rl_resource *src, const char *src_name,
                     const rl_node *rule, const char *path, bool tf)
{
    const char *status = str_of(d, st, rl_node_get(rule, tf ? "status" : "Status"));
    if (status && strcasecmp(status, "Enabled"))
        return; /* a disabled rule copies nothing */
    const rl_node *dest = rl_node_get(rule, tf ? "destination" : "Destination");
    if (rl_node_is_seq(dest))
        dest = rl_node_at(dest, 0);
    const rl_node *bucket = rl_node_get(dest, tf ? "bucket" : "Bucket");
    if (!bucket)
        return;
    s3edge *e = rl_arena_calloc(d->a, 1, sizeof(*e));
    if (!e) {
        d->rc = RL_ENOMEM;
        return;
    }
    e->src = src;
    e->src_name = src_name;
    e->src_region = st->region;
    const rl_node *rt = rl_node_get(dest, tf ? "replication_time" : "ReplicationTime");
    if (rl_node_is_seq(rt))
        rt = rl_node_at(rt, 0);
    const char *rts = str_of(d, st, rl_node_get(rt, tf ? "status" : "Status"));
    e->rtc = rts && !strcasecmp(rts, "Enabled");
    e->dst = ref_of(d, st, bucket);
    if (e->dst)
        e->dst_name = str_of(d, e->dst->stack, prop(e->dst, "BucketName", "bucket"));
    else {
        alts v;
        if (eval(d, st, bucket, &v) < 0)
            return;
        if (v.n == 1 && v.v[0].complete) {
            const char *s = v.v[0].s;
            rl_arn arn;
            e->dst_name =
                rl_arn_parse(s, v.v[0].len, &arn) && rl_arn_is(&arn, "s3") ? arn.resource : s;
        }
    }
    e->file = rl_doc_path(st->input->doc);
    e->span = bucket->span;
    e->path = path;
    e->next = d->db->edges;
    d->db->edges = e;
    if (src)
        edge_key_add(d, &d->db->edges_by_src, res_key(d, src), e);
    if (src_name)
        edge_key_add(d, &d->db->edges_by_src, rl_arena_printf(d->a, "s3|%s", src_name), e);
    if (e->dst)
        edge_key_add(d, &d->db->edges_by_dst, res_key(d, e->dst), e);
    if (e->dst_name)
        edge_key_add(d, &d->db->edges_by_dst, rl_arena_printf(d->a, "s3|%s", e->dst_name), e);
}

static void index_replication(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    if (!strcmp(r->type, "AWS::S3::Bucket") || !strcmp(r->type, "aws_s3_bucket")) {
        bool tf = is_tf(st);
        const char *name = str_of(d, st, prop(r, "BucketName", "bucket"));
        const rl_node *rc = prop(r, "ReplicationConfiguration", "replication_configuration");
        if (rl_node_is_seq(rc))
            rc = rl_node_at(rc, 0);
        const rl_node *rules = rl_node_get(rc, tf ? "rules" : "Rules");
        for (size_t i = 0; i < items(rules) && !d->rc; i++) {
            const char *p = sub_path(
                d, r, tf ? "replication_configuration.rules" : "ReplicationConfiguration.Rules");
            const char *ip = p ? rl_arena_printf(d->a, "%s[%zu]", p, i) : NULL;
            if (!ip) {
                d->rc = RL_ENOMEM;
                return;
            }
            add_edge(d, st, r, name, item(rules, i), ip, tf);
        }
        return;
    }
    if (!strcmp(r->type, "aws_s3_bucket_replication_configuration")) {
        const rl_node *b = rl_node_get(r->props, "bucket");
        const rl_resource *src = ref_of(d, st, b);
        const char *name =
            src ? str_of(d, src->stack, rl_node_get(src->props, "bucket")) : str_of(d, st, b);
        const rl_node *rules = rl_node_get(r->props, "rule");
        for (size_t i = 0; i < items(rules) && !d->rc; i++) {
            const char *p = rl_arena_printf(d->a, "%s.rule[%zu]", r->path, i);
            if (!p) {
                d->rc = RL_ENOMEM;
                return;
            }
            add_edge(d, st, src, name, item(rules, i), p, true);
        }
    }
}

/* The region of the bucket an edge copies to: the stack that creates it, else a region code
 * in its name; NULL when neither tells. */
static void resolve_edge(ds *d, s3edge *e)
{
    if (e->dst) {
        e->region = e->dst->stack->region;
        return;
    }
    if (!e->dst_name)
        return;
    const uint64_t *set = rl_hmap_gets(&d->db->buckets, e->dst_name);
    if (set) {
        uint64_t other = *set & ~bit_of(d->m, e->src_region);
        if (other && !(other & (other - 1))) {
            for (size_t i = 0; i < d->m->nregions && i < 64; i++)
                if (other >> i & 1)
                    e->region = d->m->regions[i];
            return;
        }
        if (*set == bit_of(d->m, e->src_region)) {
            e->region = e->src_region; /* same-region replication */
            return;
        }
    }
    for (size_t i = 0; i < d->m->nregions; i++)
        if (strstr(e->dst_name, d->m->regions[i])) {
            e->region = d->m->regions[i];
            return;
        }
}

/* -- global clusters (Aurora, DocumentDB, Neptune), read replicas and other copies -- */

static int cluster_family(const char *t)
{
    if (!strcmp(t, "AWS::RDS::DBCluster") || !strcmp(t, "aws_rds_cluster"))
        return F_AURORA;
    if (!strcmp(t, "AWS::DocDB::DBCluster") || !strcmp(t, "aws_docdb_cluster"))
        return F_DOCDB;
    if (!strcmp(t, "AWS::Neptune::DBCluster") || !strcmp(t, "aws_neptune_cluster"))
        return F_NEPTUNE;
    return -1;
}

static int global_family(const char *t)
{
    if (!strcmp(t, "AWS::RDS::GlobalCluster") || !strcmp(t, "aws_rds_global_cluster"))
        return F_AURORA;
    if (!strcmp(t, "AWS::DocDB::GlobalCluster") || !strcmp(t, "aws_docdb_global_cluster"))
        return F_DOCDB;
    if (!strcmp(t, "AWS::Neptune::GlobalCluster") || !strcmp(t, "aws_neptune_global_cluster"))
        return F_NEPTUNE;
    return -1;
}

static rl_ds_mech global_mech(int fam)
{
    return fam == F_DOCDB     ? RL_MECH_DOCDB_GLOBAL
           : fam == F_NEPTUNE ? RL_MECH_NEPTUNE_GLOBAL
                              : RL_MECH_AURORA_GLOBAL;
}

static char *lower_copy(ds *d, const char *s)
{
    char *c = s ? rl_arena_strdup(d->a, s) : NULL;
    if (s && !c)
        d->rc = RL_ENOMEM;
    for (char *p = c; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return c;
}

/* The global clusters a cluster joins (GlobalClusterIdentifier, a literal or a reference to
 * the global cluster resource); *unknown when some alternative cannot be resolved. */
static size_t cluster_ids(ds *d, const rl_resource *r, const char **ids, size_t max, bool *unknown)
{
    const rl_stack *st = r->stack;
    const rl_node *n = prop(r, "GlobalClusterIdentifier", "global_cluster_identifier");
    size_t k = 0;
    *unknown = false;
    if (!present(n))
        return 0;
    const rl_resource *g = ref_of(d, st, n);
    if (g && global_family(g->type) >= 0) {
        const char *id =
            str_of(d, g->stack, prop(g, "GlobalClusterIdentifier", "global_cluster_identifier"));
        if (id)
            ids[k++] = lower_copy(d, id);
        else
            *unknown = true;
        return k;
    }
    alts v;
    if (eval(d, st, n, &v) < 0)
        return 0;
    for (size_t i = 0; i < v.n && k < max; i++) {
        const alt *a = &v.v[i];
        if (a->complete) {
            if (a->len) /* "" is the way templates say "not in a global cluster" */
                ids[k++] = lower_copy(d, a->s);
            continue;
        }
        const rl_resource *gr = a->via ? rl_ref_via(st, a->via) : NULL;
        const char *id =
            gr && global_family(gr->type) >= 0
                ? str_of(d, gr->stack,
                         prop(gr, "GlobalClusterIdentifier", "global_cluster_identifier"))
                : NULL;
        if (id)
            ids[k++] = lower_copy(d, id);
        else
            *unknown = true;
    }
    return k;
}

static void member_add(ds *d, const char *key, const char *region, const rl_resource *r,
                       rl_hmap *map)
{
    member *mb = rl_arena_calloc(d->a, 1, sizeof(*mb));
    if (!mb || !key) {
        d->rc = RL_ENOMEM;
        return;
    }
    mb->region = region;
    mb->res = r;
    void **slot = rl_hmap_slot(map, key, strlen(key));
    if (slot) {
        mb->next = *slot;
        *slot = mb;
    } else if (rl_hmap_puts(map, key, mb) < 0) {
        d->rc = RL_ENOMEM;
    }
}

/* Does the cluster's parameter group make forwarded sessions read their own writes
 * (aurora_replica_read_consistency SESSION or GLOBAL)? */
static bool reads_consistent(ds *d, const rl_resource *r)
{
    const rl_resource *pg = ref_of(
        d, r->stack, prop(r, "DBClusterParameterGroupName", "db_cluster_parameter_group_name"));
    if (!pg)
        return false;
    const char *v = NULL;
    if (!is_tf(pg->stack)) {
        const rl_node *ps = rl_node_get(pg->props, "Parameters");
        for (size_t i = 0; rl_node_is_map(ps) && i < ps->u.map.count && !v; i++) {
            const char *k = rl_node_str(ps->u.map.items[i].key);
            if (k && !strcasecmp(k, "aurora_replica_read_consistency"))
                v = str_of(d, pg->stack, ps->u.map.items[i].value);
        }
    } else {
        const rl_node *ps = rl_node_get(pg->props, "parameter");
        for (size_t i = 0; i < items(ps) && !v; i++) {
            const char *k = str_of(d, pg->stack, rl_node_get(item(ps, i), "name"));
            if (k && !strcasecmp(k, "aurora_replica_read_consistency"))
                v = str_of(d, pg->stack, rl_node_get(item(ps, i), "value"));
        }
    }
    return v && (!strcasecmp(v, "session") || !strcasecmp(v, "global"));
}

static void index_cluster(ds *d, const rl_resource *r, int fam)
{
    const char *ids[RL_EVAL_MAX_ALTERNATIVES];
    bool unknown;
    size_t n = cluster_ids(d, r, ids, RL_EVAL_MAX_ALTERNATIVES, &unknown);
    const char *region = r->stack->region;
    if (unknown)
        d->db->unknown_members[fam] |= bit_of(d->m, region);
    bool fwd = fam == F_AURORA &&
               is_true(d, r->stack,
                       prop(r, "EnableGlobalWriteForwarding", "enable_global_write_forwarding")) &&
               !reads_consistent(d, r);
    for (size_t i = 0; i < n && !d->rc; i++) {
        if (!ids[i])
            continue;
        member_add(d, name_key(d, fam, ids[i]), region, r, &d->db->members);
        if (fwd && !rl_model_is_primary(d->m, region))
            member_add(d, name_key(d, fam, ids[i]), region, r, &d->db->forwarders);
    }
    /* a cross-Region read replica of a cluster (binlog replication) */
    const rl_node *src = prop(r, "ReplicationSourceIdentifier", "replication_source_identifier");
    if (fam != F_AURORA || !present(src))
        return;
    const char *path = sub_path(
        d, r, is_tf(r->stack) ? "replication_source_identifier" : "ReplicationSourceIdentifier");
    const rl_resource *sr = ref_of(d, r->stack, src);
    if (sr) {
        if (sr->stack->region && strcmp(sr->stack->region, region))
            pend(d, res_key(d, sr), RL_MECH_AURORA_REPLICA, region, FIGURE, NULL, r->stack, src,
                 path, false);
        return;
    }
    alts v;
    if (eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = arn_name(d, &v.v[i], "rds", "cluster:", true, &reg);
        if (name && (!reg || strcmp(reg, region)))
            pend(d, name_key(d, F_AURORA, name), RL_MECH_AURORA_REPLICA, region, FIGURE, NULL,
                 r->stack, src, path, false);
        else if (!name && !v.v[i].complete)
            orphan_add(d, F_AURORA, RL_MECH_AURORA_REPLICA, region, NULL, r->stack, src, path);
    }
}

/* A global cluster created from an existing cluster: that cluster is its primary member. */
static void index_global(ds *d, const rl_resource *r, int fam)
{
    const char *id =
        str_of(d, r->stack, prop(r, "GlobalClusterIdentifier", "global_cluster_identifier"));
    const rl_node *src = prop(r, "SourceDBClusterIdentifier", "source_db_cluster_identifier");
    if (!present(src))
        return;
    const char *val = id ? name_key(d, fam, lower_copy(d, id)) : "";
    const rl_resource *sr = ref_of(d, r->stack, src);
    if (sr) {
        const char *k = res_key(d, sr);
        if (k && rl_hmap_puts(&d->db->src_member, k, (void *)val) < 0)
            d->rc = RL_ENOMEM;
        if (id && sr->stack->region)
            member_add(d, val, sr->stack->region, sr, &d->db->members);
        return;
    }
    alts v;
    if (eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = arn_name(d, &v.v[i], "rds", "cluster:", true, &reg);
        if (!name && v.v[i].complete && v.v[i].len)
            name = lower_copy(d, v.v[i].s);
        const char *k = name ? rl_arena_printf(d->a, "N%s", name_key(d, fam, name)) : NULL;
        if (k && rl_hmap_puts(&d->db->src_member, k, (void *)val) < 0)
            d->rc = RL_ENOMEM;
    }
}

/* An RDS DB instance that is a read replica of, or replicates the automated backups of, an
 * instance of another region. */
static void index_rds_copy(ds *d, const rl_resource *r, const rl_node *src, rl_ds_mech mech,
                           const char *path)
{
    const char *region = r->stack->region;
    const rl_resource *sr = ref_of(d, r->stack, src);
    if (sr) {
        if (sr->stack->region && strcmp(sr->stack->region, region))
            pend(d, res_key(d, sr), mech, region, FIGURE, NULL, r->stack, src, path, false);
        return;
    }
    alts v;
    if (eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = arn_name(d, &v.v[i], "rds", "db:", true, &reg);
        if (name && (!reg || strcmp(reg, region)))
            pend(d, name_key(d, F_RDSDB, name), mech, region, FIGURE, NULL, r->stack, src, path,
                 false);
        else if (!name && !v.v[i].complete) /* a plain identifier is a same-region replica */
            orphan_add(d, F_RDSDB, mech, region, NULL, r->stack, src, path);
    }
}

/* A copy of a store named by reference, by ARN or by name, in `region`. */
static void index_copy_of(ds *d, const rl_resource *r, const rl_node *src, int fam,
                          const char *service, const char *prefix, rl_ds_mech mech,
                          const char *region, const char *path, bool lww)
{
    const rl_resource *sr = ref_of(d, r->stack, src);
    if (sr) {
        pend(d, res_key(d, sr), mech, region, FIGURE, NULL, r->stack, src, path, lww);
        return;
    }
    alts v;
    if (eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = arn_name(d, &v.v[i], service, prefix, fam != F_DDB, &reg);
        if (!name && v.v[i].complete && v.v[i].len && strncmp(v.v[i].s, "arn:", 4))
            name = fam == F_DDB ? v.v[i].s : lower_copy(d, v.v[i].s);
        if (name)
            pend(d, name_key(d, fam, name), mech, region, FIGURE, NULL, r->stack, src, path, lww);
        else
            orphan_add(d, fam, mech, region, NULL, r->stack, src, path);
    }
}

/* Regions of a value (a region list item, a Terraform attribute): calls back per region,
 * NULL for one that cannot be resolved. */
typedef void (*region_fn)(ds *d, const char *region, void *ctx);

static void each_region(ds *d, const rl_stack *st, const rl_node *n, bool az, region_fn fn,
                        void *ctx)
{
    alts v;
    if (!n || eval(d, st, n, &v) < 0)
        return;
    if (!v.n)
        fn(d, NULL, ctx);
    for (size_t i = 0; i < v.n; i++)
        fn(d, alt_region(d, &v.v[i], az), ctx);
}

typedef struct pend_ctx {
    const char *key;
    rl_ds_mech mech;
    const rl_stack *st;
    const rl_node *where;
    const char *path;
    bool lww;
} pend_ctx;

static void pend_region(ds *d, const char *region, void *ctx)
{
    pend_ctx *p = ctx;
    pend(d, p->key, p->mech, region, FIGURE, NULL, p->st, p->where, p->path, p->lww);
}

static void index_ddb_tf(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    if (!strcmp(r->type, "aws_dynamodb_table_replica")) {
        const rl_node *arn = rl_node_get(r->props, "global_table_arn");
        if (present(arn))
            index_copy_of(d, r, arn, F_DDB, "dynamodb", "table/", RL_MECH_DDB_GLOBAL, st->region,
                          sub_path(d, r, "global_table_arn"), true);
        return;
    }
    /* the 2017 version: tables of one name in the listed regions */
    const char *name = str_of(d, st, rl_node_get(r->props, "name"));
    const rl_node *reps = rl_node_get(r->props, "replica");
    for (size_t i = 0; name && i < items(reps); i++) {
        const rl_node *rn = rl_node_get(item(reps, i), "region_name");
        pend_ctx p = {name_key(d, F_DDB, name),
                      RL_MECH_DDB_GLOBAL,
                      st,
                      rn,
                      sub_path(d, r, "replica.region_name"),
                      true};
        each_region(d, st, rn, false, pend_region, &p);
    }
}

static void index_efs_tf(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    const rl_node *src = rl_node_get(r->props, "source_file_system_id");
    const rl_node *dst = rl_node_get(r->props, "destination");
    if (rl_node_is_seq(dst))
        dst = rl_node_at(dst, 0);
    const rl_node *rn = rl_node_get(dst, "region");
    bool az = !present(rn);
    if (az)
        rn = rl_node_get(dst, "availability_zone_name");
    const rl_resource *sr = ref_of(d, st, src);
    const char *path = sub_path(d, r, "destination");
    if (sr) {
        pend_ctx p = {res_key(d, sr), RL_MECH_EFS, st, rn ? rn : src, path, false};
        if (rn)
            each_region(d, st, rn, az, pend_region, &p);
        else
            pend_region(d, NULL, &p);
        return;
    }
    alts v;
    const char *reg = NULL;
    if (rn && eval(d, st, rn, &v) == RL_OK && v.n == 1)
        reg = alt_region(d, &v.v[0], az);
    orphan_add(d, F_EFS, RL_MECH_EFS, reg, NULL, st, src, path);
}

/* ElastiCache global datastores: the primary member and the regions of the others. */
static const char *ec_key_of(ds *d, const rl_stack *st, const rl_node *n)
{
    const rl_resource *rg = ref_of(d, st, n);
    if (rg)
        return res_key(d, rg);
    const char *id = str_of(d, st, n);
    return id ? name_key(d, F_EC, lower_copy(d, id)) : NULL;
}

static void index_ec_global(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    const char *primary = NULL;
    if (!strcmp(r->type, "aws_elasticache_global_replication_group")) {
        primary = ec_key_of(d, st, rl_node_get(r->props, "primary_replication_group_id"));
    } else {
        const rl_node *ms = rl_node_get(r->props, "Members");
        for (size_t i = 0; i < items(ms) && !primary; i++)
            if (rl_node_streq(rl_node_get(item(ms, i), "Role"), "PRIMARY"))
                primary = ec_key_of(d, st, rl_node_get(item(ms, i), "ReplicationGroupId"));
        for (size_t i = 0; primary && i < items(ms); i++) {
            const rl_node *mb = item(ms, i);
            if (rl_node_streq(rl_node_get(mb, "Role"), "PRIMARY"))
                continue;
            const rl_node *rn = rl_node_get(mb, "ReplicationGroupRegion");
            const char *p = sub_path(d, r, "Members");
            pend_ctx pc = {primary,
                           RL_MECH_ELASTICACHE,
                           st,
                           rn ? rn : mb,
                           p ? rl_arena_printf(d->a, "%s[%zu]", p, i) : NULL,
                           false};
            each_region(d, st, rn, false, pend_region, &pc);
        }
    }
    const char *k = res_key(d, r);
    if (k && rl_hmap_puts(&d->db->src_member, k, (void *)(primary ? primary : "")) < 0)
        d->rc = RL_ENOMEM;
}

/* A replication group of another region that joins a global datastore. */
static void index_ec_secondary(ds *d, const rl_resource *r)
{
    const rl_node *g = prop(r, "GlobalReplicationGroupId", "global_replication_group_id");
    if (!present(g) || rl_model_is_primary(d->m, r->stack->region))
        return;
    const char *path = sub_path(
        d, r, is_tf(r->stack) ? "global_replication_group_id" : "GlobalReplicationGroupId");
    const rl_resource *gr = ref_of(d, r->stack, g);
    const char *primary = NULL;
    if (gr) {
        char buf[600];
        snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)gr->stack->input, gr->id);
        primary = rl_hmap_gets(&d->db->src_member, buf);
    }
    if (primary && *primary)
        pend(d, primary, RL_MECH_ELASTICACHE, r->stack->region, FIGURE, NULL, r->stack, g, path,
             false);
    else
        orphan_add(d, F_EC, RL_MECH_ELASTICACHE, r->stack->region, NULL, r->stack, g, path);
}

static void index_memorydb(ds *d, const rl_resource *r)
{
    const char *mr =
        str_of(d, r->stack, prop(r, "MultiRegionClusterName", "multi_region_cluster_name"));
    if (mr && r->stack->region)
        member_add(d, name_key(d, F_MEMORYDB, mr), r->stack->region, r, &d->db->members);
}

/* A Terraform secret whose value a secret version writes in the configuration is restored by
 * applying it: not a store. A generated value (random_password) is not written. */
static void index_secret_version(ds *d, const rl_resource *r)
{
    const rl_resource *sec = ref_of(d, r->stack, rl_node_get(r->props, "secret_id"));
    const rl_node *val = rl_node_get(r->props, "secret_string");
    alts v;
    if (!sec || !present(val) || eval(d, r->stack, val, &v) < 0 || !v.n)
        return;
    for (size_t i = 0; i < v.n; i++)
        if (!v.v[i].complete)
            return;
    const char *k = res_key(d, sec);
    if (k && rl_hmap_puts(&d->db->secret_values, k, (void *)1) < 0)
        d->rc = RL_ENOMEM;
}

/* -- AWS Backup plans and selections, Data Lifecycle Manager policies -- */

/* The regions a copy action's destination vault is in. */
static void copy_regions(ds *d, const rl_stack *st, const rl_node *vault, plan_rule *pr)
{
    const rl_resource *v = ref_of(d, st, vault);
    if (v) {
        if (v->stack->region && pr->nregions < 8)
            pr->regions[pr->nregions++] = v->stack->region;
        else
            pr->unknown = true;
        return;
    }
    alts a;
    if (eval(d, st, vault, &a) < 0)
        return;
    for (size_t i = 0; i < a.n; i++) {
        rl_arn arn;
        char rb[64];
        const char *reg = NULL;
        if (rl_arn_parse(a.v[i].s, a.v[i].len, &arn) && rl_arn_region_of(&arn, rb, sizeof(rb)))
            reg = intern(d, rb);
        if (reg && pr->nregions < 8)
            pr->regions[pr->nregions++] = reg;
        else
            pr->unknown = true;
    }
}

static void index_plan(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    plan *p = rl_arena_calloc(d->a, 1, sizeof(*p));
    if (!p) {
        d->rc = RL_ENOMEM;
        return;
    }
    p->res = r;
    const rl_node *body = tf ? r->props : rl_node_get(r->props, "BackupPlan");
    p->name = str_of(d, st, rl_node_get(body, tf ? "name" : "BackupPlanName"));
    const rl_node *rules = rl_node_get(body, tf ? "rule" : "BackupPlanRule");
    plan_rule **tail = &p->rules;
    for (size_t i = 0; i < items(rules) && !d->rc; i++) {
        const rl_node *ru = item(rules, i);
        const rl_node *copies = rl_node_get(ru, tf ? "copy_action" : "CopyActions");
        if (!items(copies))
            continue; /* backups that stay in the region */
        plan_rule *pr = rl_arena_calloc(d->a, 1, sizeof(*pr));
        if (!pr) {
            d->rc = RL_ENOMEM;
            return;
        }
        pr->name = str_of(d, st, rl_node_get(ru, tf ? "rule_name" : "RuleName"));
        const rl_node *sched = rl_node_get(ru, tf ? "schedule" : "ScheduleExpression");
        /* without a schedule AWS Backup runs the rule daily: cron(0 5 ? * * *) */
        const char *expr = present(sched) ? str_of(d, st, sched) : "cron(0 5 ? * * *)";
        pr->gap = rl_ds_schedule_gap(expr);
        const rl_node *at = NULL;
        for (size_t j = 0; j < items(copies); j++) {
            const rl_node *vault = rl_node_get(item(copies, j), tf ? "destination_vault_arn"
                                                                   : "DestinationBackupVaultArn");
            if (!vault)
                continue;
            if (!at)
                at = vault;
            copy_regions(d, st, vault, pr);
        }
        pr->file = rl_doc_path(st->input->doc);
        pr->span = (at ? at : ru)->span;
        const char *base = sub_path(d, r, tf ? "rule" : "BackupPlan.BackupPlanRule");
        pr->path = base ? rl_arena_printf(d->a, "%s[%zu]", base, i) : NULL;
        *tail = pr;
        tail = &pr->next;
    }
    const char *k = res_key(d, r);
    if (k && rl_hmap_puts(&d->db->plans, k, p) < 0)
        d->rc = RL_ENOMEM;
}

static void tag_ref(ds *d, const rl_stack *st, const rl_node *key, const rl_node *value, int op,
                    tagref *t)
{
    memset(t, 0, sizeof(*t));
    t->op = op;
    t->key = str_of(d, st, key);
    t->value = str_of(d, st, value);
    if (t->key && !strncmp(t->key, "aws:ResourceTag/", 16))
        t->key += 16;
    t->unknown = !t->key || !t->value;
}

static tagref *tag_refs(ds *d, size_t n)
{
    tagref *t = n ? rl_arena_calloc(d->a, n, sizeof(*t)) : NULL;
    if (n && !t)
        d->rc = RL_ENOMEM;
    return t;
}

static void index_selection(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    selection *s = rl_arena_calloc(d->a, 1, sizeof(*s));
    if (!s) {
        d->rc = RL_ENOMEM;
        return;
    }
    s->st = st;
    s->node = r->node;
    const rl_node *pid = rl_node_get(r->props, tf ? "plan_id" : "BackupPlanId");
    const rl_resource *pr = ref_of(d, st, pid);
    if (pr) {
        char buf[600];
        snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)pr->stack->input, pr->id);
        s->plan = rl_hmap_gets(&d->db->plans, buf);
    }
    const rl_node *body = tf ? r->props : rl_node_get(r->props, "BackupSelection");
    s->name = str_of(d, st, rl_node_get(body, tf ? "name" : "SelectionName"));
    s->resources = rl_node_get(body, tf ? "resources" : "Resources");
    s->not_resources = rl_node_get(body, tf ? "not_resources" : "NotResources");
    const rl_node *tags = rl_node_get(body, tf ? "selection_tag" : "ListOfTags");
    s->ntags = items(tags);
    s->tags = tag_refs(d, s->ntags);
    for (size_t i = 0; s->tags && i < s->ntags; i++) {
        const rl_node *t = item(tags, i);
        tag_ref(d, st, rl_node_get(t, tf ? "key" : "ConditionKey"),
                rl_node_get(t, tf ? "value" : "ConditionValue"), 0, &s->tags[i]);
    }
    /* Conditions: every one must hold */
    static const char *const ops[4][2] = {{"StringEquals", "string_equals"},
                                          {"StringLike", "string_like"},
                                          {"StringNotEquals", "string_not_equals"},
                                          {"StringNotLike", "string_not_like"}};
    const rl_node *conds = rl_node_get(body, tf ? "condition" : "Conditions");
    size_t nc = 0;
    for (size_t c = 0; c < items(conds); c++)
        for (int o = 0; o < 4; o++)
            nc += items(rl_node_get(item(conds, c), ops[o][tf]));
    s->conds = tag_refs(d, nc);
    for (size_t c = 0; s->conds && c < items(conds); c++)
        for (int o = 0; o < 4; o++) {
            const rl_node *l = rl_node_get(item(conds, c), ops[o][tf]);
            for (size_t i = 0; i < items(l); i++)
                tag_ref(d, st, rl_node_get(item(l, i), tf ? "key" : "ConditionKey"),
                        rl_node_get(item(l, i), tf ? "value" : "ConditionValue"), o,
                        &s->conds[s->nconds++]);
        }
    s->next = d->db->selections;
    d->db->selections = s;
}

static void index_dlm(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    const char *state = str_of(d, st, rl_node_get(r->props, tf ? "state" : "State"));
    if (state && strcasecmp(state, "ENABLED"))
        return;
    const rl_node *pd = rl_node_get(r->props, tf ? "policy_details" : "PolicyDetails");
    if (rl_node_is_seq(pd))
        pd = rl_node_at(pd, 0);
    const rl_node *types = rl_node_get(pd, tf ? "resource_types" : "ResourceTypes");
    bool volumes = false;
    for (size_t i = 0; i < items(types); i++)
        volumes = volumes || rl_node_streq(item(types, i), "VOLUME");
    if (!volumes)
        return; /* INSTANCE policies snapshot the volumes of tagged instances */
    const rl_node *tt = rl_node_get(pd, tf ? "target_tags" : "TargetTags");
    const rl_node *scheds = rl_node_get(pd, tf ? "schedule" : "Schedules");
    for (size_t i = 0; i < items(scheds) && !d->rc; i++) {
        const rl_node *sc = item(scheds, i);
        const rl_node *copies =
            rl_node_get(sc, tf ? "cross_region_copy_rule" : "CrossRegionCopyRules");
        if (!items(copies))
            continue;
        dlm *p = rl_arena_calloc(d->a, 1, sizeof(*p));
        if (!p) {
            d->rc = RL_ENOMEM;
            return;
        }
        p->st = st;
        p->name = r->id;
        p->node = r->node;
        p->volumes = true;
        if (tf) { /* a map of tags */
            p->ntags = rl_node_is_map(tt) ? tt->u.map.count : 0;
            p->tags = tag_refs(d, p->ntags);
            for (size_t t = 0; p->tags && t < p->ntags; t++)
                tag_ref(d, st, tt->u.map.items[t].key, tt->u.map.items[t].value, 0, &p->tags[t]);
        } else {
            p->ntags = items(tt);
            p->tags = tag_refs(d, p->ntags);
            for (size_t t = 0; p->tags && t < p->ntags; t++)
                tag_ref(d, st, rl_node_get(item(tt, t), "Key"), rl_node_get(item(tt, t), "Value"),
                        0, &p->tags[t]);
        }
        const rl_node *cr = rl_node_get(sc, tf ? "create_rule" : "CreateRule");
        if (rl_node_is_seq(cr))
            cr = rl_node_at(cr, 0);
        const rl_node *cron = rl_node_get(cr, tf ? "cron_expression" : "CronExpression");
        if (present(cron)) {
            p->gap = rl_ds_schedule_gap(str_of(d, st, cron));
        } else {
            double iv = number_of(d, st, rl_node_get(cr, tf ? "interval" : "Interval"), -1);
            const char *unit =
                str_of(d, st, rl_node_get(cr, tf ? "interval_unit" : "IntervalUnit"));
            /* DLM counts intervals in hours (the only unit it accepts) */
            p->gap = iv > 0 && (!unit || !strcasecmp(unit, "HOURS")) ? (long)(iv * 3600) : -1;
        }
        for (size_t c = 0; c < items(copies); c++) {
            const rl_node *cp = item(copies, c);
            const rl_node *tr = rl_node_get(cp, tf ? "target" : "TargetRegion");
            if (!tr && !tf)
                tr = rl_node_get(cp, "Target");
            const char *reg = str_of(d, st, tr);
            if (reg && rl_is_region(reg, strlen(reg)) && p->nregions < 8)
                p->regions[p->nregions++] = intern(d, reg);
            else
                p->unknown = true;
            if (c == 0) {
                p->file = rl_doc_path(st->input->doc);
                p->span = (tr ? tr : cp)->span;
            }
        }
        const char *base =
            sub_path(d, r, tf ? "policy_details.schedule" : "PolicyDetails.Schedules");
        p->path = base ? rl_arena_printf(d->a, "%s[%zu]", base, i) : NULL;
        p->next = d->db->dlms;
        d->db->dlms = p;
    }
}

/* ---- pass 2: each store and its links ------------------------------------------------- */

static bool same_res(const rl_resource *a, const rl_resource *b)
{
    /* the same resource, or the same logical id of another instance of its template */
    return a && b && (a == b || (a->stack->input == b->stack->input && !strcmp(a->id, b->id)));
}

typedef struct tagv {
    const char *key, *value; /* value NULL: cannot be known */
} tagv;

/* The tags the template gives a store (tags added outside it, stack tags for one, are not
 * visible: docs/rules/RL603.md). */
static size_t store_tags(ds *d, const rl_ds_store *s, tagv *out, size_t max)
{
    const rl_resource *r = s->res;
    const rl_stack *st = r->stack;
    size_t n = 0;
    const rl_node *tags;
    if (is_tf(st)) {
        tags = rl_node_get(r->props, "tags");
        if (!rl_node_is_map(tags))
            tags = rl_node_get(r->props, "tags_all");
        for (size_t i = 0; rl_node_is_map(tags) && i < tags->u.map.count && n < max; i++) {
            out[n].key = rl_node_str(tags->u.map.items[i].key);
            out[n].value = str_of(d, st, tags->u.map.items[i].value);
            if (out[n].key)
                n++;
        }
        return n;
    }
    tags =
        rl_node_get(r->props, !strcmp(r->type, "AWS::EFS::FileSystem") ? "FileSystemTags" : "Tags");
    if (!strcmp(r->type, "AWS::DynamoDB::GlobalTable")) {
        const rl_node *reps = rl_node_get(r->props, "Replicas");
        tags = NULL;
        for (size_t i = 0; i < items(reps) && !tags; i++) {
            const char *reg = str_of(d, st, rl_node_get(item(reps, i), "Region"));
            if (reg && st->region && !strcmp(reg, st->region))
                tags = rl_node_get(item(reps, i), "Tags");
        }
    }
    if (rl_node_is_map(tags)) {
        for (size_t i = 0; i < tags->u.map.count && n < max; i++) {
            out[n].key = rl_node_str(tags->u.map.items[i].key);
            out[n].value = str_of(d, st, tags->u.map.items[i].value);
            if (out[n].key)
                n++;
        }
        return n;
    }
    for (size_t i = 0; i < items(tags) && n < max; i++) {
        out[n].key = str_of(d, st, rl_node_get(item(tags, i), "Key"));
        out[n].value = str_of(d, st, rl_node_get(item(tags, i), "Value"));
        if (out[n].key)
            n++;
    }
    return n;
}

/* 1 the tag condition holds, 0 it does not, 2 it cannot be known. */
static int tag_match(const tagref *t, const tagv *tags, size_t n)
{
    if (t->unknown)
        return 2;
    bool unknown = false, hit = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tags[i].key, t->key))
            continue;
        if (!tags[i].value) {
            unknown = true;
            continue;
        }
        hit = hit || (t->op == 0 || t->op == 2 ? !strcmp(tags[i].value, t->value)
                                               : rl_wildcard_match(t->value, tags[i].value, false));
    }
    if (t->op >= 2) /* not equals / not like */
        return hit ? 0 : unknown ? 2 : 1;
    return hit ? 1 : unknown ? 2 : 0;
}

/* Whether an ARN pattern (unknown pieces match anything) selects the store. */
static int arn_selects(const rl_ds_store *s, const alt *a)
{
    const store_priv *p = (const store_priv *)s;
    rl_arn arn;
    if (!rl_arn_parse(a->s, a->len, &arn))
        return a->complete ? 0 : 2;
    const char *f[3] = {arn.service, arn.region, arn.resource};
    size_t fl[3] = {arn.service_len, arn.region_len, arn.resource_len};
    char pat[512], val[512];
    /* service, region, resource; the account is not known for the store */
    for (int k = 0; k < 3; k++) {
        if (fl[k] >= sizeof(pat))
            return 2;
        for (size_t i = 0; i < fl[k]; i++)
            pat[i] = f[k][i] == UNK ? '*' : f[k][i];
        pat[fl[k]] = '\0';
        const char *want;
        if (k == 0) {
            want = p->t->svc;
        } else if (k == 1) {
            want = !strcmp(p->t->svc, "s3") ? "" : s->res->stack->region;
        } else {
            /* a name known only after deploy can be selected by a wildcard only */
            snprintf(val, sizeof(val), "%s%s", p->t->prefix, s->name ? s->name : "\x02");
            want = val;
        }
        if (!want || !rl_wildcard_match(pat, want, false))
            return 0;
    }
    return 1;
}

/* Whether a Resources / NotResources list selects the store: 1, 0 or 2 (cannot be known). */
static int resources_select(ds *d, const rl_ds_store *s, const rl_stack *st, const rl_node *list)
{
    int best = 0;
    size_t n = rl_node_is_seq(list) ? list->u.seq.count : list ? 1 : 0;
    for (size_t i = 0; i < n && best != 1 && !d->rc; i++) {
        const rl_node *it = rl_node_is_seq(list) ? rl_node_at(list, i) : list;
        const rl_resource *r = ref_of(d, st, it);
        if (r) {
            if (same_res(r, s->res))
                best = 1;
            continue;
        }
        alts v;
        if (eval(d, st, it, &v) < 0)
            return 0;
        for (size_t j = 0; j < v.n && best != 1; j++) {
            const alt *a = &v.v[j];
            int m;
            if (a->complete && a->len == 1 && a->s[0] == '*')
                m = s->backup ? 1 : 0;
            else if (a->via)
                m = same_res(rl_ref_via(st, a->via), s->res) ? 1 : rl_ref_via(st, a->via) ? 0 : 2;
            else
                m = arn_selects(s, a);
            if (m > best || m == 1)
                best = m;
        }
    }
    return best;
}

static bool selects(ds *d, const selection *sel, const rl_ds_store *s, const tagv *tags,
                    size_t ntags)
{
    if (!s->backup)
        return false;
    bool hit = sel->resources && resources_select(d, s, sel->st, sel->resources) > 0;
    for (size_t i = 0; !hit && i < sel->ntags; i++)
        hit = tag_match(&sel->tags[i], tags, ntags) > 0;
    for (size_t i = 0; hit && i < sel->nconds; i++)
        hit = tag_match(&sel->conds[i], tags, ntags) > 0;
    if (hit && sel->not_resources && resources_select(d, s, sel->st, sel->not_resources) == 1)
        hit = false;
    return hit;
}

static const char *every(ds *d, const char *what, const char *name, const char *rule, long gap)
{
    char g[32];
    rl_ds_duration(gap, g, sizeof(g));
    char *r = rl_arena_printf(d->a, "%s%s%s%s%s%s", what, name ? " " : "", name ? name : "",
                              rule ? ", rule " : "", rule ? rule : "",
                              gap > 0 ? "" : ", schedule not readable");
    if (r && gap > 0)
        r = rl_arena_printf(d->a, "%s, every %s", r, g);
    if (!r)
        d->rc = RL_ENOMEM;
    return r;
}

static void backup_links(ds *d, rl_ds_store *s)
{
    tagv tags[64];
    size_t nt = store_tags(d, s, tags, 64);
    const char *primary = s->res->stack->region;
    for (const selection *sel = d->db->selections; sel && !d->rc; sel = sel->next) {
        if (!sel->st->region || !primary || strcmp(sel->st->region, primary) ||
            !selects(d, sel, s, tags, nt))
            continue;
        if (!sel->plan) {
            add_link(d, s, RL_MECH_BACKUP_COPY, NULL, -1,
                     every(d, "selection", sel->name, NULL, -1), sel->st, sel->node, NULL);
            continue;
        }
        for (const plan_rule *pr = sel->plan->rules; pr && !d->rc; pr = pr->next) {
            const char *det = every(d, "plan", sel->plan->name, pr->name, pr->gap);
            for (size_t i = 0; i < pr->nregions; i++)
                add_link_at(d, s, &mechs[RL_MECH_BACKUP_COPY], pr->regions[i], pr->gap, det,
                            pr->file, &pr->span, pr->path);
            if (pr->unknown)
                add_link_at(d, s, &mechs[RL_MECH_BACKUP_COPY], NULL, pr->gap, det, pr->file,
                            &pr->span, pr->path);
        }
    }
    if (strcmp(s->res->type, "AWS::EC2::Volume") && strcmp(s->res->type, "aws_ebs_volume"))
        return;
    for (const dlm *p = d->db->dlms; p && !d->rc; p = p->next) {
        if (!p->st->region || !primary || strcmp(p->st->region, primary))
            continue;
        bool hit = false;
        for (size_t i = 0; i < p->ntags && !hit; i++)
            hit = tag_match(&p->tags[i], tags, nt) > 0;
        if (!hit)
            continue;
        const char *det = every(d, "lifecycle policy", p->name, NULL, p->gap);
        for (size_t i = 0; i < p->nregions; i++)
            add_link_at(d, s, &mechs[RL_MECH_DLM_COPY], p->regions[i], p->gap, det, p->file,
                        &p->span, p->path);
        if (p->unknown)
            add_link_at(d, s, &mechs[RL_MECH_DLM_COPY], NULL, p->gap, det, p->file, &p->span,
                        p->path);
    }
}

static void add_replica(ds *d, rl_ds_store *s, const char *region, const char *name,
                        const rl_resource *res)
{
    store_priv *p = (store_priv *)s;
    uint64_t b = bit_of(d->m, region);
    if (!b || (s->replicas & b) || p->nreps == 8)
        return;
    s->replicas |= b;
    p->reps[p->nreps++] = (replica){region, name, res};
}

typedef struct own_ctx {
    rl_ds_store *s;
    rl_ds_mech mech;
    const rl_node *where;
    const char *path;
    bool lww;
} own_ctx;

static void own_region(ds *d, const char *region, void *ctx)
{
    own_ctx *o = ctx;
    add_link(d, o->s, o->mech, region, FIGURE, NULL, o->s->res->stack, o->where, o->path);
    if (o->lww && region)
        add_replica(d, o->s, region, o->s->name, o->s->res);
}

static void own_list(ds *d, rl_ds_store *s, const char *list, const char *key, rl_ds_mech mech,
                     bool az, bool lww)
{
    const rl_resource *r = s->res;
    const rl_node *l = rl_node_get(r->props, list);
    for (size_t i = 0; i < items(l) && !d->rc; i++) {
        const rl_node *it = item(l, i);
        const rl_node *rn = rl_node_get(it, key);
        bool isaz = false;
        if (!rn && az) {
            rn = rl_node_get(it,
                             is_tf(r->stack) ? "availability_zone_name" : "AvailabilityZoneName");
            isaz = true;
        }
        const char *base = sub_path(d, r, list);
        own_ctx o = {s, mech, rn ? rn : it,
                     base ? (rl_node_is_seq(l) ? rl_arena_printf(d->a, "%s[%zu].%s", base, i, key)
                                               : rl_arena_printf(d->a, "%s.%s", base, key))
                          : NULL,
                     lww};
        if (rn)
            each_region(d, r->stack, rn, isaz, own_region, &o);
        else
            own_region(d, NULL, &o);
    }
}

static void cluster_links(ds *d, rl_ds_store *s, int fam)
{
    const rl_resource *r = s->res;
    const char *ids[RL_EVAL_MAX_ALTERNATIVES];
    bool unknown;
    size_t n = cluster_ids(d, r, ids, RL_EVAL_MAX_ALTERNATIVES, &unknown);
    /* a global cluster created from this one */
    char buf[600];
    snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)r->stack->input, r->id);
    const char *gk = rl_hmap_gets(&d->db->src_member, buf);
    if (!gk && s->name) {
        snprintf(buf, sizeof(buf), "N%d|%s", fam, s->name);
        gk = rl_hmap_gets(&d->db->src_member, buf);
    }
    const rl_node *where = prop(r, "GlobalClusterIdentifier", "global_cluster_identifier");
    const char *path =
        sub_path(d, r, is_tf(r->stack) ? "global_cluster_identifier" : "GlobalClusterIdentifier");
    bool joined = n > 0 || unknown || gk;
    const char *keys[RL_EVAL_MAX_ALTERNATIVES + 1];
    size_t nk = 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i])
            keys[nk++] = name_key(d, fam, ids[i]);
    if (gk && *gk)
        keys[nk++] = gk;
    if (unknown || (gk && !*gk))
        add_link(d, s, global_mech(fam), NULL, FIGURE, "a global cluster the files cannot name",
                 r->stack, where ? where : r->node, path);
    for (size_t i = 0; i < nk && !d->rc; i++) {
        for (const member *mb = rl_hmap_gets(&d->db->members, keys[i]); mb; mb = mb->next) {
            if (same_res(mb->res, r))
                continue;
            add_link(d, s, global_mech(fam), mb->region, FIGURE, NULL, mb->res->stack,
                     prop(mb->res, "GlobalClusterIdentifier", "global_cluster_identifier"),
                     mb->res->path);
        }
        const member *fw = rl_hmap_gets(&d->db->forwarders, keys[i]);
        if (fw && !s->forwarded) {
            s->forwarded = fw->region;
            s->forwarder = fw->res;
        }
    }
    /* a secondary cluster of this engine whose global cluster cannot be resolved */
    for (size_t i = 1; joined && i < d->m->nregions && i < 64; i++)
        if (d->db->unknown_members[fam] >> i & 1)
            add_link(d, s, global_mech(fam), d->m->regions[i], FIGURE,
                     "a secondary cluster whose global cluster the files cannot name", r->stack,
                     where ? where : r->node, path);
}

static void memorydb_links(ds *d, rl_ds_store *s)
{
    const rl_resource *r = s->res;
    const char *mr =
        str_of(d, r->stack, prop(r, "MultiRegionClusterName", "multi_region_cluster_name"));
    if (!mr)
        return;
    s->lww = true;
    s->lww_how = "MemoryDB Multi-Region clusters";
    for (const member *mb = rl_hmap_gets(&d->db->members, name_key(d, F_MEMORYDB, mr)); mb;
         mb = mb->next)
        if (!same_res(mb->res, r))
            add_link(d, s, RL_MECH_MEMORYDB, mb->region, FIGURE, NULL, mb->res->stack,
                     prop(mb->res, "MultiRegionClusterName", "multi_region_cluster_name"),
                     mb->res->path);
}

/* Two-way S3 replication: a bucket this one copies to copies back to it. */
static bool copies_back(ds *d, const s3edge *e, const rl_ds_store *s)
{
    char buf[600];
    const s3edge *back = NULL;
    if (e->dst) {
        snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)e->dst->stack->input, e->dst->id);
        back = rl_hmap_gets(&d->db->edges_by_src, buf);
    }
    if (!back && e->dst_name) {
        snprintf(buf, sizeof(buf), "s3|%s", e->dst_name);
        back = rl_hmap_gets(&d->db->edges_by_src, buf);
    }
    for (; back; back = back->next_src)
        if ((back->dst && same_res(back->dst, s->res)) ||
            (back->dst_name && s->name && !strcmp(back->dst_name, s->name)))
            return true;
    return false;
}

static void s3_links(ds *d, rl_ds_store *s)
{
    char buf[600];
    const s3edge *heads[2] = {NULL, NULL};
    snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)s->res->stack->input, s->res->id);
    heads[0] = rl_hmap_gets(&d->db->edges_by_src, buf);
    if (s->name) {
        snprintf(buf, sizeof(buf), "s3|%s", s->name);
        heads[1] = rl_hmap_gets(&d->db->edges_by_src, buf);
        if (heads[1] == heads[0])
            heads[1] = NULL;
    }
    for (int h = 0; h < 2; h++)
        for (const s3edge *e = heads[h]; e && !d->rc; e = e->next_src) {
            if (e->region && e->src_region && !strcmp(e->region, e->src_region))
                continue; /* same-region replication */
            const char *det = e->dst_name ? rl_arena_printf(d->a, "to bucket %s", e->dst_name)
                              : e->dst    ? rl_arena_printf(d->a, "to bucket %s", e->dst->id)
                                          : NULL;
            add_link_at(d, s, &mechs[e->rtc ? RL_MECH_S3_RTC : RL_MECH_S3_CRR], e->region,
                        mechs[e->rtc ? RL_MECH_S3_RTC : RL_MECH_S3_CRR].rpo, det, e->file, &e->span,
                        e->path);
            if (e->region && copies_back(d, e, s)) {
                s->lww = true;
                s->lww_how = "two-way S3 replication";
                add_replica(d, s, s->res->stack->region, s->name, s->res);
                add_replica(d, s, e->region, e->dst_name, e->dst);
            }
        }
}

static void pending_links(ds *d, rl_ds_store *s, const char *key)
{
    if (!key)
        return;
    for (const pending *p = rl_hmap_gets(&d->db->pending, key); p && !d->rc; p = p->next) {
        add_link_at(d, s, p->link.info, p->link.region, p->link.rpo, p->link.detail, p->link.file,
                    &p->link.span, p->link.path);
        if (p->lww && p->link.region) {
            s->lww = true;
            if (!s->lww_how)
                s->lww_how = "global table replicas";
            add_replica(d, s, s->res->stack->region, s->name, s->res);
            add_replica(d, s, p->link.region, s->name, s->res);
        }
    }
}

static void store_links(ds *d, rl_ds_store *s)
{
    store_priv *p = (store_priv *)s;
    const rl_resource *r = s->res;
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    int fam = family_of(p->t->kind);
    switch (p->t->kind) {
    case K_DDB_GLOBAL:
    case K_DDB: {
        const char *cons = str_of(d, st, rl_node_get(r->props, "MultiRegionConsistency"));
        bool strong = cons && !strcasecmp(cons, "STRONG");
        if (tf) {
            const rl_node *reps = rl_node_get(r->props, "replica");
            for (size_t i = 0; i < items(reps); i++) {
                const char *cm = str_of(d, st, rl_node_get(item(reps, i), "consistency_mode"));
                strong = strong || (cm && !strcasecmp(cm, "STRONG"));
            }
            if (items(reps))
                s->kind = "DynamoDB global table";
        }
        own_list(d, s, tf ? "replica" : "Replicas", tf ? "region_name" : "Region",
                 strong ? RL_MECH_DDB_STRONG : RL_MECH_DDB_GLOBAL, false, !strong);
        if (!strong && s->replicas) {
            s->lww = true;
            s->lww_how = "global table replicas";
            add_replica(d, s, st->region, s->name, r);
        }
        break;
    }
    case K_RDS_DB:
        if (!tf && present(rl_node_get(r->props, "AutomaticBackupReplicationRegion"))) {
            const rl_node *rn = rl_node_get(r->props, "AutomaticBackupReplicationRegion");
            own_ctx o = {s, RL_MECH_RDS_BACKUPS, rn,
                         sub_path(d, r, "AutomaticBackupReplicationRegion"), false};
            each_region(d, st, rn, false, own_region, &o);
        }
        break;
    case K_RDS_CLUSTER:
    case K_DOCDB:
    case K_NEPTUNE:
        cluster_links(d, s, fam);
        break;
    case K_S3:
        s3_links(d, s);
        break;
    case K_EFS:
        if (!tf) {
            const rl_node *rc = rl_node_get(r->props, "ReplicationConfiguration");
            const rl_node *dests = rl_node_get(rc, "Destinations");
            for (size_t i = 0; i < items(dests); i++) {
                const rl_node *it = item(dests, i);
                const rl_node *rn = rl_node_get(it, "Region");
                bool az = !rn;
                if (az)
                    rn = rl_node_get(it, "AvailabilityZoneName");
                own_ctx o = {s, RL_MECH_EFS, rn ? rn : it,
                             sub_path(d, r, "ReplicationConfiguration.Destinations"), false};
                if (rn)
                    each_region(d, st, rn, az, own_region, &o);
                else
                    own_region(d, NULL, &o);
            }
        }
        break;
    case K_SECRET:
        own_list(d, s, tf ? "replica" : "ReplicaRegions", tf ? "region" : "Region", RL_MECH_SECRET,
                 false, false);
        break;
    case K_REDSHIFT: {
        const rl_node *rn =
            tf ? rl_node_get(item(rl_node_get(r->props, "snapshot_copy"), 0), "destination_region")
               : rl_node_get(r->props, "DestinationRegion");
        if (present(rn)) {
            own_ctx o = {
                s, RL_MECH_REDSHIFT_COPY, rn,
                sub_path(d, r, tf ? "snapshot_copy.destination_region" : "DestinationRegion"),
                false};
            each_region(d, st, rn, false, own_region, &o);
        }
        break;
    }
    case K_MEMORYDB:
        memorydb_links(d, s);
        break;
    default:
        break;
    }
    pending_links(d, s, res_key(d, r));
    if (s->name && fam >= 0)
        pending_links(d, s, name_key(d, fam, s->name));
    for (const orphan *o = d->db->orphans; o && !d->rc; o = o->next)
        if (o->fam == fam)
            add_link_at(d, s, o->link.info, o->link.region, o->link.rpo,
                        "a copy whose source the files cannot name", o->link.file, &o->link.span,
                        o->link.path);
    backup_links(d, s);
    if (p->t->kind == K_EC_RG || p->t->kind == K_EC_CLUSTER || p->t->kind == K_EC_SERVERLESS)
        p->linked_cache = s->links != NULL;
}

/* Buckets that are someone's logs, artifacts or replicas hold no data of their own. */
static bool nondata_bucket(ds *d, const rl_resource *r, const char *name)
{
    char buf[600];
    snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)r->stack->input, r->id);
    if (rl_hmap_gets(&d->db->nondata, buf))
        return true;
    bool dst = rl_hmap_gets(&d->db->edges_by_dst, buf) != NULL;
    bool src = rl_hmap_gets(&d->db->edges_by_src, buf) != NULL;
    if (name) {
        char nb[600];
        snprintf(nb, sizeof(nb), "s3|%s", name);
        if (rl_hmap_gets(&d->db->nondata, nb))
            return true;
        dst = dst || rl_hmap_gets(&d->db->edges_by_dst, nb) != NULL;
        src = src || rl_hmap_gets(&d->db->edges_by_src, nb) != NULL;
    }
    return dst && !src; /* a replica that copies nothing on */
}

/* ---- building --------------------------------------------------------------------------- */

static bool in_pair(const rl_model *m, const rl_stack *st)
{
    return st->region && rl_model_in_pair(m, st->region);
}

/* What a resource type is to the indexing passes, looked up once per resource instead of a
 * string comparison per kind. */
enum {
    R_GLOBAL = 1 << 0,     /* a global cluster */
    R_BUCKET = 1 << 1,     /* an S3 bucket */
    R_EC_GLOBAL = 1 << 2,  /* an ElastiCache global datastore */
    R_PLAN = 1 << 3,       /* an AWS Backup plan */
    R_SECRET_VER = 1 << 4, /* a Terraform secret version */
    R_LOGS = 1 << 5,       /* may name a log or artifact bucket */
    R_CLUSTER = 1 << 6,    /* an Aurora, DocumentDB or Neptune cluster */
    R_DBI = 1 << 7,        /* an RDS DB instance */
    R_BACKUP_REPL = 1 << 8,
    R_DDB_TF = 1 << 9, /* aws_dynamodb_table_replica, aws_dynamodb_global_table */
    R_EFS_TF = 1 << 10,
    R_RS_COPY = 1 << 11,
    R_EC_RG = 1 << 12,
    R_MEMORYDB = 1 << 13,
    R_SELECTION = 1 << 14,
    R_DLM = 1 << 15,
    R_S3_REPL = 1 << 16 /* aws_s3_bucket_replication_configuration */
};

static const struct {
    const char *type;
    unsigned roles;
} type_roles_table[] = {
    {"AWS::RDS::GlobalCluster", R_GLOBAL},
    {"AWS::DocDB::GlobalCluster", R_GLOBAL},
    {"AWS::Neptune::GlobalCluster", R_GLOBAL},
    {"aws_rds_global_cluster", R_GLOBAL},
    {"aws_docdb_global_cluster", R_GLOBAL},
    {"aws_neptune_global_cluster", R_GLOBAL},
    {"AWS::S3::Bucket", R_BUCKET | R_LOGS},
    {"aws_s3_bucket", R_BUCKET | R_LOGS},
    {"AWS::ElastiCache::GlobalReplicationGroup", R_EC_GLOBAL},
    {"aws_elasticache_global_replication_group", R_EC_GLOBAL},
    {"AWS::Backup::BackupPlan", R_PLAN},
    {"aws_backup_plan", R_PLAN},
    {"aws_secretsmanager_secret_version", R_SECRET_VER},
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", R_LOGS},
    {"AWS::RDS::DBCluster", R_CLUSTER},
    {"AWS::DocDB::DBCluster", R_CLUSTER},
    {"AWS::Neptune::DBCluster", R_CLUSTER},
    {"aws_rds_cluster", R_CLUSTER},
    {"aws_docdb_cluster", R_CLUSTER},
    {"aws_neptune_cluster", R_CLUSTER},
    {"AWS::RDS::DBInstance", R_DBI},
    {"aws_db_instance", R_DBI},
    {"aws_db_instance_automated_backups_replication", R_BACKUP_REPL},
    {"aws_dynamodb_table_replica", R_DDB_TF},
    {"aws_dynamodb_global_table", R_DDB_TF},
    {"aws_efs_replication_configuration", R_EFS_TF},
    {"aws_redshift_snapshot_copy", R_RS_COPY},
    {"AWS::ElastiCache::ReplicationGroup", R_EC_RG},
    {"aws_elasticache_replication_group", R_EC_RG},
    {"AWS::MemoryDB::Cluster", R_MEMORYDB},
    {"aws_memorydb_cluster", R_MEMORYDB},
    {"AWS::Backup::BackupSelection", R_SELECTION},
    {"aws_backup_selection", R_SELECTION},
    {"AWS::DLM::LifecyclePolicy", R_DLM},
    {"aws_dlm_lifecycle_policy", R_DLM},
    {"aws_s3_bucket_replication_configuration", R_S3_REPL},
};

static int index_types(ds *d)
{
    rl_hmap *m = &d->db->types;
    for (size_t i = 0; i < sizeof(type_roles_table) / sizeof(*type_roles_table); i++) {
        uintptr_t v = (uintptr_t)rl_hmap_gets(m, type_roles_table[i].type);
        if (rl_hmap_puts(m, type_roles_table[i].type, (void *)(v | type_roles_table[i].roles)) < 0)
            return RL_ENOMEM;
    }
    for (size_t i = 0; i < sizeof(log_dests) / sizeof(*log_dests); i++) {
        uintptr_t v = (uintptr_t)rl_hmap_gets(m, log_dests[i].type);
        if (rl_hmap_puts(m, log_dests[i].type, (void *)(v | R_LOGS)) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

static unsigned type_roles(ds *d, const char *type)
{
    return (unsigned)(uintptr_t)rl_hmap_gets(&d->db->types, type);
}

static void index_early(ds *d, const rl_resource *r, unsigned roles)
{
    int g;
    if ((roles & R_GLOBAL) && (g = global_family(r->type)) >= 0)
        index_global(d, r, g);
    if (roles & R_BUCKET)
        index_bucket(d, r);
    if (roles & R_EC_GLOBAL)
        index_ec_global(d, r);
    if (roles & R_PLAN)
        index_plan(d, r);
    if (roles & R_SECRET_VER)
        index_secret_version(d, r);
    if (roles & R_LOGS)
        index_log_dests(d, r);
}

static void index_late(ds *d, const rl_resource *r, unsigned roles)
{
    const rl_stack *st = r->stack;
    bool primary = rl_model_is_primary(d->m, st->region);
    int fam;
    if ((roles & R_CLUSTER) && (fam = cluster_family(r->type)) >= 0)
        index_cluster(d, r, fam);
    if (roles & R_DBI) {
        const rl_node *src = prop(r, "SourceDBInstanceIdentifier", "replicate_source_db");
        if (present(src))
            index_rds_copy(
                d, r, src, RL_MECH_RDS_REPLICA,
                sub_path(d, r, is_tf(st) ? "replicate_source_db" : "SourceDBInstanceIdentifier"));
    }
    if (roles & R_BACKUP_REPL) {
        const rl_node *src = rl_node_get(r->props, "source_db_instance_arn");
        if (present(src))
            index_rds_copy(d, r, src, RL_MECH_RDS_BACKUPS,
                           sub_path(d, r, "source_db_instance_arn"));
    }
    if (roles & R_DDB_TF)
        index_ddb_tf(d, r);
    if (roles & R_EFS_TF)
        index_efs_tf(d, r);
    if (roles & R_RS_COPY) {
        const rl_node *rn = rl_node_get(r->props, "destination_region");
        const char *reg = str_of(d, st, rn);
        if (reg && rl_is_region(reg, strlen(reg)))
            index_copy_of(d, r, rl_node_get(r->props, "cluster_identifier"), F_REDSHIFT, "redshift",
                          "cluster:", RL_MECH_REDSHIFT_COPY, intern(d, reg),
                          sub_path(d, r, "destination_region"), false);
    }
    if (roles & R_EC_RG)
        index_ec_secondary(d, r);
    if (roles & R_MEMORYDB)
        index_memorydb(d, r);
    if (primary && (roles & R_SELECTION))
        index_selection(d, r);
    if (primary && (roles & R_DLM))
        index_dlm(d, r);
    if (roles & (R_BUCKET | R_S3_REPL))
        index_replication(d, r);
}

static int build(const rl_model *m, rl_ds_db *db)
{
    ds d = {m, db, db->a, RL_OK};
    if ((d.rc = index_types(&d)) < 0)
        return d.rc;
    /* pass 1: what every stack of the pair says (a resource whose condition is unknown may
     * exist: its copies count, so that nothing is reported on a guess) */
    for (int phase = 0; phase < 2 && !d.rc; phase++)
        for (size_t i = 0; i < m->nstacks && !d.rc; i++) {
            const rl_stack *st = m->stacks[i];
            if (!in_pair(m, st))
                continue;
            for (size_t j = 0; j < st->nresources && !d.rc; j++) {
                const rl_resource *r = &st->resources[j];
                unsigned roles = r->deployed == 0 || !r->type ? 0 : type_roles(&d, r->type);
                if (!roles)
                    continue;
                if (phase == 0)
                    index_early(&d, r, roles);
                else
                    index_late(&d, r, roles);
            }
        }
    for (s3edge *e = db->edges; e && !d.rc; e = e->next)
        resolve_edge(&d, e);
    /* pass 2: the primary's stores; one whose condition is unknown there may exist in one
     * region only by design (Condition: IsStandby): not reported on a guess */
    for (size_t i = 0; i < m->nstacks && !d.rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!st->region || !rl_model_is_primary(m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !d.rc; j++) {
            const rl_resource *r = &st->resources[j];
            if (r->deployed != 1 || !r->type)
                continue;
            if ((!strcmp(r->type, "AWS::S3::Bucket") || !strcmp(r->type, "aws_s3_bucket")) &&
                nondata_bucket(&d, r, str_of(&d, st, prop(r, "BucketName", "bucket"))))
                continue;
            add_store(&d, r);
        }
    }
    for (size_t i = 0; i < db->nstores && !d.rc; i++)
        store_links(&d, db->stores[i]);
    /* caches keep nothing worth a finding unless they keep snapshots or replicate */
    size_t k = 0;
    for (size_t i = 0; i < db->nstores; i++) {
        const store_priv *p = (const store_priv *)db->stores[i];
        bool cache =
            p->t->kind == K_EC_RG || p->t->kind == K_EC_CLUSTER || p->t->kind == K_EC_SERVERLESS;
        if (!cache || p->durable_cache || p->linked_cache)
            db->stores[k++] = db->stores[i];
    }
    db->nstores = k;
    return d.rc;
}

int rl_ds_build(rl_model *m)
{
    rl_ds_db *db = db_get(m);
    if (!db)
        return RL_ENOMEM;
    if (!db->built) {
        db->built = true;
        db->rc = build(m, db);
    }
    return db->rc;
}

int rl_ds_stores(const rl_model *m, rl_ds_store *const **out, size_t *n)
{
    const rl_ds_db *db = m && m->priv ? m->priv->data : NULL;
    *out = NULL;
    *n = 0;
    if (!db || !db->built)
        return RL_OK; /* not built: no enabled rule needs it */
    if (db->rc < 0)
        return db->rc;
    *out = db->stores;
    *n = db->nstores;
    return RL_OK;
}

void rl_ds_reach_of(const rl_ds_store *s, const char *region, rl_ds_reach *out)
{
    memset(out, 0, sizeof(*out));
    out->rpo = -1;
    bool unknown_figure = false;
    for (const rl_ds_link *l = s->links; l; l = l->next) {
        if (l->region && strcmp(l->region, region))
            continue;
        rl_ds_class c = l->info->cls;
        if (l->region && c > out->known)
            out->known = c;
        if (!l->region && c > out->maybe)
            out->maybe = c;
        if (l->rpo < 0) {
            unknown_figure = true;
            if (!out->best)
                out->best = l;
            continue;
        }
        if (out->rpo < 0 || l->rpo < out->rpo) {
            out->rpo = l->rpo;
            out->best = l;
        }
    }
    if (unknown_figure)
        out->rpo = -1;
}

/* ---- writers ------------------------------------------------------------------------------ */

/* The write actions on an item or object; reads, scans and control-plane actions are not. */
static const char *const ddb_writes[] = {
    "dynamodb:PutItem",        "dynamodb:UpdateItem",         "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem", "dynamodb:TransactWriteItems", "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",  "dynamodb:PartiQLDelete"};
static const char *const s3_writes[] = {"s3:PutObject", "s3:DeleteObject",
                                        "s3:DeleteObjectVersion"};

/* What a role's policy lets it write. A grant names one store (`s`), or every table or
 * every bucket (`s` NULL: `*`, a `table/` ARN named `*`, AdministratorAccess); the latter
 * writes a store only where what uses the role is told about it (name_writer()), so it is
 * kept once per role, in holder.broad, not once per store. */
typedef struct grant {
    rl_ds_store *s;
    bool s3;          /* s NULL: every bucket; else every table */
    bool reps;        /* s NULL: also lands where each of the store's copies is (buckets) */
    uint64_t land;    /* regions the writes land in, besides where the role is used */
    bool where_used;  /* lands in the region of the caller (`*`, a table ARN with `*` region) */
    uint64_t allowed; /* aws:RequestedRegion lets the grant apply in these */
    const char *what; /* "dynamodb:PutItem", "DynamoDBCrudPolicy" */
    const char *file;
    rl_span span;
    struct grant *next;
} grant;

typedef struct deny {
    rl_ds_store *s; /* NULL: every store */
    uint64_t regions;
    struct deny *next;
} deny;

typedef struct holder { /* a role, or a SAM function's own role */
    const char *key;
    const char *label; /* "role orders-api" */
    uint64_t used;
    grant *grants;
    grant *broad; /* grants on every table or bucket */
    deny *denies;
    struct holder *next;
} holder;

typedef struct tname { /* a target with a copy of a given name */
    size_t t;
    struct tname *next;
} tname;

typedef struct wctx {
    ds d;
    rl_hmap holders; /* key -> holder */
    holder *list;
    rl_ds_store **targets; /* stores with writable replicas */
    size_t ntargets;
    /* Which targets a literal table or bucket name can be, so that a policy's resource is
     * not compared with every store (10,000 exported roles x 1,000 stores): */
    rl_hmap by_name;     /* replica name -> tname list, in decreasing target order */
    rl_hmap by_res;      /* same_res_key() of a replica's resource -> tname list */
    bool res_unindexed;  /* a replica's key did not fit: by_res is not complete */
    unsigned char *mark; /* per target: a candidate of the resource being read */
    size_t *cand;        /* the candidates' indexes */
    size_t ncand;
    uint64_t all; /* every region of the pair */
    /* the policy being read */
    holder *h;
    const rl_stack *st; /* NULL: an IAM export (literal values) */
    const rl_doc *doc;
    const rl_mpolicy *mp; /* the document being read */
} wctx;

static holder *holder_get(wctx *w, const char *key, const char *label)
{
    holder *h = rl_hmap_gets(&w->holders, key);
    if (h)
        return h;
    h = rl_arena_calloc(w->d.a, 1, sizeof(*h));
    const char *k = rl_arena_strdup(w->d.a, key);
    if (!h || !k || rl_hmap_puts(&w->holders, k, h) < 0) {
        w->d.rc = RL_ENOMEM;
        return NULL;
    }
    h->key = k;
    h->label = label;
    h->next = w->list;
    w->list = h;
    /* the regions whose stacks use the role (its definition, attachments aside) */
    for (const rl_role_use *u = rl_iam_uses_of(w->d.m, key); u; u = u->next_key)
        if (!u->attach)
            h->used |= bit_of(w->d.m, u->region);
    return h;
}

/* The table or bucket name a resource gives, or NULL. */
static const char *res_name(ds *d, const rl_resource *r)
{
    return str_of(d, r->stack,
                  prop(r,
                       !strncmp(r->type, "aws_s3", 6) || !strcmp(r->type, "AWS::S3::Bucket")
                           ? "BucketName"
                           : "TableName",
                       !strcmp(r->type, "aws_s3_bucket") ? "bucket" : "name"));
}

/* Is `r` this replica: the same resource, or a table or bucket of the same name? */
static bool rep_is(ds *d, const replica *rep, const rl_resource *r)
{
    if (!r)
        return false;
    if (same_res(r, rep->res))
        return true;
    const char *name = res_name(d, r);
    return name && rep->name && !strcmp(name, rep->name);
}

#define RES_KEY_MAX 512

/* What same_res() compares, as bytes: the template's input and the logical id. Returns the
 * length written to `buf`, 0 when it does not fit. */
static size_t same_res_key(const rl_resource *r, char *buf, size_t size)
{
    const void *in = r->stack->input;
    size_t idl = strlen(r->id);
    if (sizeof(in) + idl > size)
        return 0;
    memcpy(buf, &in, sizeof(in));
    memcpy(buf + sizeof(in), r->id, idl);
    return sizeof(in) + idl;
}

static bool is_s3(const rl_ds_store *s)
{
    return !strcmp(s->res->type, "AWS::S3::Bucket") || !strcmp(s->res->type, "aws_s3_bucket");
}

/* The first write action of the store's service that a statement's actions cover. */
static const char *covered(const rl_statement *st, bool s3)
{
    const char *const *wr = s3 ? s3_writes : ddb_writes;
    size_t nw =
        s3 ? sizeof(s3_writes) / sizeof(*s3_writes) : sizeof(ddb_writes) / sizeof(*ddb_writes);
    for (size_t k = 0; k < nw; k++)
        if (rl_statement_covers(st, wr[k]))
            return wr[k];
    return NULL;
}

/* Adds `g` (the fields from `s` to `allowed`) to the role being read, with where the policy
 * says it. A grant without a store goes to the role's broad grants. */
static void add_grant(wctx *w, grant g, const rl_node *at)
{
    if (!w->h)
        return;
    grant *n = rl_arena_alloc(w->d.a, sizeof(*n));
    if (!n) {
        w->d.rc = RL_ENOMEM;
        return;
    }
    *n = g;
    n->file = w->st ? rl_doc_path(w->st->input->doc) : rl_doc_path(w->doc);
    n->span = at ? at->span : (rl_span){0};
    grant **list = g.s ? &w->h->grants : &w->h->broad;
    n->next = *list;
    *list = n;
}

/* The alternatives of a policy value, as the document's one reader evaluates it. */
static int policy_eval(wctx *w, const rl_node *n, alts *out)
{
    out->n = 0;
    collect_ctx c = {&w->d, out};
    int rc = rl_mpolicy_strings(w->mp, n, on_alt, &c);
    if (rc < 0)
        w->d.rc = rc;
    return rc < 0 ? rc : w->d.rc;
}

/* The regions of the pair a statement applies in: its aws:RequestedRegion conditions
 * evaluated for each (a value the files do not give restricts nothing). */
static uint64_t requested_regions(wctx *w, const rl_statement *st)
{
    uint64_t ok = w->all;
    for (size_t r = 0; r < w->d.m->nregions && r < 64; r++) {
        rl_request req;
        memset(&req, 0, sizeof(req));
        req.region = w->d.m->regions[r];
        for (size_t i = 0; i < st->nconds; i++)
            if (!strcasecmp(st->conds[i].key, "aws:RequestedRegion") &&
                rl_condition_eval(&st->conds[i], &req) == RL_TRI_NO)
                ok &= ~((uint64_t)1 << r);
    }
    return ok;
}

/* Which writable replica a resource value names. Calls back with the store and where the
 * writes land (a table ARN's region field; a bucket's own region). */

static void mark_list(wctx *w, const tname *tn)
{
    for (; tn; tn = tn->next)
        if (!w->mark[tn->t]) {
            w->mark[tn->t] = 1;
            w->cand[w->ncand++] = tn->t;
        }
}

static void mark_name(wctx *w, const char *name, size_t len)
{
    mark_list(w, rl_hmap_get(&w->by_name, name, len));
}

/* The targets rep_is() can find `r` in: its own copies, and copies of its name. False when
 * that cannot be told from the indexes (a logical id too long for a key). */
static bool mark_resource(wctx *w, const rl_resource *r)
{
    char key[RES_KEY_MAX];
    size_t kl = same_res_key(r, key, sizeof(key));
    if (!kl || w->res_unindexed)
        return false;
    mark_list(w, rl_hmap_get(&w->by_res, key, kl));
    const char *name = res_name(&w->d, r);
    if (name)
        mark_name(w, name, strlen(name));
    return true;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* How many of the first `n` bytes of `s` are `c`, from the start. */
static size_t strspn_n(const char *s, size_t n, char c)
{
    size_t i = 0;
    while (i < n && s[i] == c)
        i++;
    return i;
}

/* The table or bucket name in an ARN for S3 (`s3`) or DynamoDB: the resource up to its
 * next '/' (table/NAME, BUCKET/key), unknown pieces kept as UNK. False when the ARN is of
 * another service, or of DynamoDB and not a table. */
static bool arn_store_name(const rl_arn *arn, bool s3, const char **name, size_t *nl)
{
    char svc[32];
    size_t sl = arn->service_len < sizeof(svc) - 1 ? arn->service_len : sizeof(svc) - 1;
    for (size_t c = 0; c < sl; c++)
        svc[c] = arn->service[c] == UNK ? '*' : arn->service[c];
    svc[sl] = '\0';
    if (!rl_wildcard_match(svc, s3 ? "s3" : "dynamodb", true))
        return false;
    const char *res = arn->resource;
    size_t rl = arn->resource_len;
    if (!s3) {
        if (rl < 6 || strncmp(res, "table/", 6))
            return false;
        res += 6;
        rl -= 6;
    }
    const char *slash = memchr(res, '/', rl);
    *name = res;
    *nl = slash ? (size_t)(slash - res) : rl;
    return true;
}

/* The region an ARN's region field names, as a bit of the pair; false when it is empty, a
 * wildcard or unknown (the writes land where the caller is). */
static bool arn_region_bit(const rl_model *m, const rl_arn *arn, uint64_t *bit)
{
    char rb[64];
    size_t n = arn->region_len;
    if (!n || n >= sizeof(rb) || memchr(arn->region, UNK, n) || memchr(arn->region, '*', n))
        return false;
    memcpy(rb, arn->region, n);
    rb[n] = '\0';
    *bit = bit_of(m, rb);
    return true;
}

/* Does the value `a` of a policy's resource name every bucket (`s3`) or every table: `*`, or
 * an ARN whose name is only wildcards? Then where its writes land: each bucket's own region
 * (`reps`), a table ARN's region field (`land`), or where the role is used (`where_used`).
 * The same cases as match_resource(), for a value and not a store. */
static bool alt_broad(wctx *w, const alt *a, bool s3, bool *reps, uint64_t *land, bool *where_used)
{
    *reps = *where_used = false;
    *land = 0;
    rl_arn arn;
    if (a->complete && a->len == 1 && a->s[0] == '*') {
        *reps = s3;
        *where_used = !s3;
        return true;
    }
    const char *res;
    size_t nl;
    if (a->s[0] == UNK || !rl_arn_parse(a->s, a->len, &arn) ||
        !arn_store_name(&arn, s3, &res, &nl) || nl >= 256 || strspn_n(res, nl, '*') != nl)
        return false;
    if (s3)
        *reps = true;
    else if (!arn_region_bit(w->d.m, &arn, land))
        *where_used = true;
    return true;
}

/* Clears the marks of the candidates found and puts them in target order. */
static bool end_candidates(wctx *w, bool ok)
{
    for (size_t i = 0; i < w->ncand; i++)
        w->mark[w->cand[i]] = 0;
    if (ok)
        qsort(w->cand, w->ncand, sizeof(*w->cand), cmp_size);
    return ok;
}

/* The targets a policy's resource (`ref`, or the values `v`) can name, in w->cand
 * (ascending); false when some value may name any store (`*`, a wildcard name), and the
 * caller compares it with every target. Mirrors the cases match_resource() tells apart. */
static bool name_candidates(wctx *w, const rl_resource *ref, const alts *v, bool skip_broad)
{
    w->ncand = 0;
    bool ok = true;
    if (ref)
        ok = mark_resource(w, ref);
    for (size_t i = 0; !ref && i < v->n && ok; i++) {
        const alt *a = &v->v[i];
        rl_arn arn;
        const rl_resource *named;
        if (a->complete && a->len == 1 && a->s[0] == '*') {
            ok = skip_broad; /* a grant on every store is kept once, not per store */
        } else if (a->s[0] == UNK && a->nvias && (named = rl_ref_via(w->st, a->vias[0])) &&
                   (a->len == 1 || a->s[1] == '/')) {
            ok = mark_resource(w, named);
        } else if (rl_arn_parse(a->s, a->len, &arn)) {
            for (int s3 = 0; s3 < 2 && ok; s3++) {
                const char *res;
                size_t nl;
                if (!arn_store_name(&arn, s3, &res, &nl))
                    continue;
                if (nl == 0) {
                    ok = skip_broad; /* an empty name: every store, as `*` */
                } else if (nl == 1 && res[0] == UNK) {
                    /* the name of a resource of the stack */
                    size_t before = 0;
                    for (const char *c = a->s; c < res; c++)
                        before += *c == UNK;
                    const char *via = before < a->nvias ? a->vias[before] : NULL;
                    named = via ? rl_ref_via(w->st, via) : NULL;
                    if (named)
                        ok = mark_resource(w, named);
                } else if (memchr(res, UNK, nl) || nl >= 256)
                    continue; /* names nothing */
                else if (memchr(res, '*', nl) || memchr(res, '?', nl))
                    ok = skip_broad && strspn_n(res, nl, '*') == nl;
                else
                    mark_name(w, res, nl);
            }
        }
    }
    return end_candidates(w, ok);
}

static void match_resource(wctx *w, const rl_node *n, const rl_statement *stmt, uint64_t allowed,
                           bool is_deny, uint64_t deny_regions)
{
    /* what the statement may write, per service, worked out once */
    const char *what_s3 = covered(stmt, true);
    const char *what_ddb = covered(stmt, false);
    if (!what_s3 && !what_ddb)
        return;
    const rl_resource *ref = w->st ? ref_of(&w->d, w->st, n) : NULL;
    alts v;
    if (!ref && policy_eval(w, n, &v) < 0)
        return;
    size_t nalt = ref ? 1 : v.n;
    if (!is_deny && !ref) {
        for (size_t i = 0; i < v.n && !w->d.rc; i++)
            for (int s3 = 0; s3 < 2; s3++) {
                bool reps, where_used;
                uint64_t land;
                if ((s3 ? what_s3 : what_ddb) &&
                    alt_broad(w, &v.v[i], s3, &reps, &land, &where_used))
                    add_grant(w,
                              (grant){.s3 = s3,
                                      .reps = reps,
                                      .land = land,
                                      .where_used = where_used,
                                      .allowed = allowed,
                                      .what = s3 ? what_s3 : what_ddb},
                              n);
            }
    }
    bool every = !name_candidates(w, ref, &v, !is_deny);
    size_t ncand = every ? w->ntargets : w->ncand;
    for (size_t ti = 0; ti < ncand && !w->d.rc; ti++) {
        rl_ds_store *s = w->targets[every ? ti : w->cand[ti]];
        store_priv *p = (store_priv *)s;
        bool s3 = is_s3(s);
        const char *what = s3 ? what_s3 : what_ddb;
        if (!what)
            continue;
        for (size_t i = 0; i < nalt; i++) {
            uint64_t land = 0;
            bool where_used = false, hit = false, broad = false;
            if (ref) {
                for (size_t k = 0; k < p->nreps && !hit; k++)
                    if (rep_is(&w->d, &p->reps[k], ref)) {
                        hit = true;
                        land = bit_of(w->d.m, ref->stack->region); /* the ARN of that copy */
                    }
            } else {
                const alt *a = &v.v[i];
                rl_arn arn;
                if (a->complete && a->len == 1 && a->s[0] == '*') {
                    hit = broad = true;
                    if (s3)
                        for (size_t k = 0; k < p->nreps; k++)
                            land |= bit_of(w->d.m, p->reps[k].region);
                    else
                        where_used = true;
                } else if (a->s[0] == UNK && a->nvias && rl_ref_via(w->st, a->vias[0]) &&
                           (a->len == 1 || a->s[1] == '/')) {
                    /* ${Bucket.Arn}/..., ${Table.Arn}: the ARN of a resource (its copy in the
                     * region of the stack that defines it) */
                    const rl_resource *named = rl_ref_via(w->st, a->vias[0]);
                    for (size_t k = 0; k < p->nreps && !hit; k++)
                        if (rep_is(&w->d, &p->reps[k], named)) {
                            hit = true;
                            land = bit_of(w->d.m, s3 ? p->reps[k].region : named->stack->region);
                        }
                } else if (rl_arn_parse(a->s, a->len, &arn)) {
                    const char *res;
                    size_t nl;
                    if (!arn_store_name(&arn, s3, &res, &nl))
                        continue;
                    const rl_resource *named = NULL;
                    if (nl == 1 && res[0] == UNK) {
                        /* the only unknown piece of the name: which resource it comes from */
                        size_t before = 0;
                        for (const char *c = a->s; c < res; c++)
                            before += *c == UNK;
                        const char *via = before < a->nvias ? a->vias[before] : NULL;
                        named = via ? rl_ref_via(w->st, via) : NULL;
                        if (!named)
                            continue; /* a parameter without a value: not evidence */
                    } else if (memchr(res, UNK, nl)) {
                        continue;
                    }
                    char name[256];
                    if (!named) {
                        if (nl >= sizeof(name))
                            continue;
                        memcpy(name, res, nl);
                        name[nl] = '\0';
                    }
                    /* a name pattern of wildcards only names no table in particular */
                    bool any = !named && strspn(name, "*") == strlen(name);
                    for (size_t k = 0; k < p->nreps; k++) {
                        const replica *rep = &p->reps[k];
                        bool m = named ? rep_is(&w->d, rep, named)
                                       : rep->name && rl_wildcard_match(name, rep->name, false);
                        if (!m && !any)
                            continue;
                        hit = true;
                        broad = broad || any;
                        if (s3) {
                            land |= bit_of(w->d.m, rep->region);
                            continue;
                        }
                        /* the table's region field: a literal, or any */
                        uint64_t bit;
                        if (arn_region_bit(w->d.m, &arn, &bit))
                            land |= bit;
                        else
                            where_used = true;
                    }
                }
            }
            if (!hit || (broad && !is_deny))
                continue; /* a grant on every store: broad_grants() keeps it once */
            if (is_deny) {
                deny *dn = rl_arena_calloc(w->d.a, 1, sizeof(*dn));
                if (!dn) {
                    w->d.rc = RL_ENOMEM;
                    return;
                }
                dn->s = s;
                dn->regions = deny_regions;
                dn->next = w->h->denies;
                w->h->denies = dn;
            } else {
                add_grant(w,
                          (grant){.s = s,
                                  .land = land,
                                  .where_used = where_used,
                                  .allowed = allowed,
                                  .what = what},
                          n);
            }
        }
    }
}

/* The statements of a document, compiled by the policy evaluator; a NotResource grants
 * everything but its list, read as `*`. */
static void scan_statements(wctx *w)
{
    const rl_policy *pol = rl_mpolicy_policy(w->mp);
    for (size_t i = 0; pol && i < rl_policy_count(pol) && !w->d.rc; i++) {
        const rl_statement *st = rl_policy_statement(pol, i);
        if (!st->nactions && !st->not_action)
            continue;
        uint64_t regions = requested_regions(w, st);
        /* a Deny under some other condition may not apply: not counted */
        bool only_region = true;
        for (size_t c = 0; c < st->nconds && only_region; c++)
            only_region = !strcasecmp(st->conds[c].key, "aws:RequestedRegion");
        if (st->deny && !only_region)
            continue;
        const rl_node *res = st->not_resource ? NULL : rl_node_get(st->node, "Resource");
        if (st->not_resource) {
            static const rl_node star = {
                .kind = RL_NODE_SCALAR, .type = RL_SCALAR_STRING, .u.s = {.len = 1, .str = "*"}};
            res = &star;
        }
        for (size_t r = 0; r < items(res) && !w->d.rc; r++)
            match_resource(w, item(res, r), st, regions, st->deny, regions);
    }
}

/* A policy document, read by the model's one reader (rl_mpolicy). */
static void scan_policy(wctx *w, rl_doc *doc, const rl_node *n)
{
    rl_mpolicy *mp = NULL;
    int rc = rl_mpolicy_new(&mp, w->st, doc, n);
    if (rc < 0) {
        w->d.rc = rc;
        return;
    }
    const rl_stack *saved = w->st;
    w->mp = mp;
    w->doc = doc;
    w->st = rl_mpolicy_stack(mp); /* a Terraform policy document: its own file */
    scan_statements(w);
    w->st = saved;
    w->mp = NULL;
    rl_mpolicy_free(mp);
}

/* AWS managed policies that grant writes on every table or bucket. */
static void managed_by_name(wctx *w, const char *name, const rl_node *at)
{
    static const struct {
        const char *name;
        bool ddb, s3;
    } known[] = {{"AdministratorAccess", 1, 1},
                 {"PowerUserAccess", 1, 1},
                 {"AmazonDynamoDBFullAccess", 1, 0},
                 {"AmazonDynamoDBFullAccess_v2", 1, 0},
                 {"AmazonS3FullAccess", 0, 1}};
    const char *slash = name ? strrchr(name, '/') : NULL;
    const char *base = slash ? slash + 1 : name;
    for (size_t i = 0; base && i < sizeof(known) / sizeof(*known); i++) {
        if (strcmp(base, known[i].name))
            continue;
        /* every bucket where it is, every table where the role is used */
        if (known[i].ddb)
            add_grant(w, (grant){.where_used = true, .allowed = w->all, .what = known[i].name}, at);
        if (known[i].s3)
            add_grant(
                w, (grant){.s3 = true, .reps = true, .allowed = w->all, .what = known[i].name}, at);
    }
}

static const char *holder_label(wctx *w, const char *prefix, const char *name)
{
    char *l = rl_arena_printf(w->d.a, "%s%s", prefix, name);
    if (!l)
        w->d.rc = RL_ENOMEM;
    return l;
}

static void read_role(wctx *w, const rl_resource *r)
{
    const rl_role_ref *ref = rl_iam_created_role(w->d.m, r);
    if (!ref) {
        w->d.rc = RL_ENOMEM;
        return;
    }
    holder *h = holder_get(w, ref->key, holder_label(w, "role ", ref->name));
    if (!h)
        return;
    h->used |= bit_of(w->d.m, r->stack->region);
    w->h = h;
    w->st = r->stack;
    bool tf = is_tf(r->stack);
    const rl_node *pols = rl_node_get(r->props, tf ? "inline_policy" : "Policies");
    for (size_t i = 0; i < items(pols) && !w->d.rc; i++)
        scan_policy(w, r->stack->input->doc,
                    rl_node_get(item(pols, i), tf ? "policy" : "PolicyDocument"));
    const rl_node *arns = rl_node_get(r->props, tf ? "managed_policy_arns" : "ManagedPolicyArns");
    for (size_t i = 0; i < items(arns) && !w->d.rc; i++) {
        const rl_node *a = item(arns, i);
        const rl_resource *mp = ref_of(&w->d, r->stack, a);
        if (mp &&
            (!strcmp(mp->type, "AWS::IAM::ManagedPolicy") || !strcmp(mp->type, "aws_iam_policy"))) {
            w->st = mp->stack;
            scan_policy(w, mp->stack->input->doc,
                        rl_node_get(mp->props, tf ? "policy" : "PolicyDocument"));
            w->st = r->stack;
            continue;
        }
        const char *arn = str_of(&w->d, r->stack, a);
        const rl_iam_policy *pol = arn ? rl_iam_policy_find(w->d.m, arn) : NULL;
        if (pol) {
            const rl_stack *keep = w->st;
            w->st = NULL;
            scan_policy(w, pol->input->doc, pol->doc);
            w->st = keep;
        } else {
            managed_by_name(w, arn, a);
        }
    }
}

typedef struct attach_ctx {
    wctx *w;
    const char *keys[8];
    const char *names[8];
    size_t n;
} attach_ctx;

static int on_role(void *ctx, const rl_role_ref *ref)
{
    attach_ctx *a = ctx;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->keys[i], ref->key))
            return 0;
    if (a->n < 8) {
        a->keys[a->n] = ref->key;
        a->names[a->n++] = ref->name;
    }
    return 0;
}

/* A policy attached to roles by name or reference (AWS::IAM::Policy, ManagedPolicy, RolePolicy,
 * aws_iam_role_policy, aws_iam_role_policy_attachment). */
static void read_attached(wctx *w, const rl_resource *r, const rl_node *roles,
                          const rl_resource *pol, const char *doc_prop)
{
    attach_ctx a = {w, {NULL}, {NULL}, 0};
    int rc = rl_iam_resolve(w->d.m, r->stack, roles, true, on_role, &a);
    if (rc < 0) {
        w->d.rc = rc;
        return;
    }
    for (size_t i = 0; i < a.n && !w->d.rc; i++) {
        holder *h = holder_get(w, a.keys[i], holder_label(w, "role ", a.names[i]));
        if (!h)
            return;
        h->used |= bit_of(w->d.m, r->stack->region);
        w->h = h;
        w->st = pol->stack;
        scan_policy(w, pol->stack->input->doc, rl_node_get(pol->props, doc_prop));
    }
}

/* SAM: a function without a Role gets one generated from its Policies, in its own region. */
static void read_sam(wctx *w, const rl_resource *r)
{
    if (rl_node_get(r->props, "Role"))
        return;
    char key[128];
    snprintf(key, sizeof(key), "@sam:%p", (const void *)r);
    holder *h = holder_get(w, key, holder_label(w, "the role SAM generates for ", r->id));
    if (!h)
        return;
    h->used |= bit_of(w->d.m, r->stack->region);
    w->h = h;
    w->st = r->stack;
    const rl_node *pols = rl_node_get(r->props, "Policies");
    for (size_t i = 0; i < items(pols) && !w->d.rc; i++) {
        const rl_node *it = item(pols, i);
        if (rl_node_is_scalar(it)) {
            managed_by_name(w, rl_node_str(it), it);
            continue;
        }
        if (rl_node_get(it, "Statement")) {
            scan_policy(w, r->stack->input->doc, it);
            continue;
        }
        /* policy templates that write: {DynamoDBCrudPolicy: {TableName: X}}, ... */
        static const struct {
            const char *name, *param;
            bool s3;
        } tpl[] = {{"DynamoDBCrudPolicy", "TableName", false},
                   {"DynamoDBWritePolicy", "TableName", false},
                   {"S3CrudPolicy", "BucketName", true},
                   {"S3WritePolicy", "BucketName", true},
                   {"S3FullAccessPolicy", "BucketName", true}};
        for (size_t k = 0; k < sizeof(tpl) / sizeof(*tpl); k++) {
            const rl_node *arg = rl_node_get(rl_node_get(it, tpl[k].name), tpl[k].param);
            if (!arg)
                continue;
            const rl_resource *ref = ref_of(&w->d, r->stack, arg);
            const char *name = ref ? NULL : str_of(&w->d, r->stack, arg);
            for (size_t t = 0; t < w->ntargets; t++) {
                rl_ds_store *s = w->targets[t];
                store_priv *p = (store_priv *)s;
                if (is_s3(s) != tpl[k].s3)
                    continue;
                for (size_t q = 0; q < p->nreps; q++) {
                    const replica *rep = &p->reps[q];
                    if (!(ref ? rep_is(&w->d, rep, ref)
                              : name && rep->name && !strcmp(name, rep->name)))
                        continue;
                    add_grant(w,
                              (grant){.s = s,
                                      .land = tpl[k].s3 ? bit_of(w->d.m, rep->region) : 0,
                                      .where_used = !tpl[k].s3,
                                      .allowed = w->all,
                                      .what = tpl[k].name},
                              arg);
                    break;
                }
            }
        }
    }
}

static void read_exports(wctx *w)
{
    size_t n;
    const rl_iam_role *const *roles = rl_iam_roles(w->d.m, &n);
    for (size_t i = 0; i < n && !w->d.rc; i++) {
        const rl_iam_role *role = roles[i];
        if (role->service_linked)
            continue;
        char key[256];
        size_t kl = strlen(role->name);
        if (kl >= sizeof(key))
            continue;
        for (size_t j = 0; j <= kl; j++)
            key[j] = (char)tolower((unsigned char)role->name[j]);
        holder *h = holder_get(w, key, holder_label(w, "role ", role->name));
        if (!h)
            return;
        h->used |= bit_of(w->d.m, role->last_used_region);
        w->h = h;
        w->st = NULL;
        const rl_node *inl = role->inline_policies;
        for (size_t j = 0; j < rl_node_count(inl) && !w->d.rc; j++)
            scan_policy(w, role->inline_in->doc, rl_node_get(rl_node_at(inl, j), "PolicyDocument"));
        const rl_node *att = role->attached;
        for (size_t j = 0; j < rl_node_count(att) && !w->d.rc; j++) {
            const rl_node *at = rl_node_is_seq(att) ? rl_node_at(att, j) : att;
            const char *parn = rl_node_str(rl_node_get(at, "PolicyArn"));
            const rl_iam_policy *pol = rl_iam_policy_find(w->d.m, parn);
            if (pol)
                scan_policy(w, pol->input->doc, pol->doc);
            else
                managed_by_name(w, parn, at);
            if (!rl_node_is_seq(att))
                break;
        }
    }
}

static void read_policies(wctx *w)
{
    const rl_model *m = w->d.m;
    for (size_t i = 0; i < m->nstacks && !w->d.rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!in_pair(m, st))
            continue;
        for (size_t j = 0; j < st->nresources && !w->d.rc; j++) {
            const rl_resource *r = &st->resources[j];
            const char *t = r->type ? r->type : "";
            /* writers that exist in one region only by design (Condition) do not count */
            if (r->deployed != 1)
                continue;
            if (!strcmp(t, "AWS::IAM::Role") || !strcmp(t, "aws_iam_role"))
                read_role(w, r);
            else if (!strcmp(t, "AWS::IAM::Policy") || !strcmp(t, "AWS::IAM::ManagedPolicy"))
                read_attached(w, r, rl_node_get(r->props, "Roles"), r, "PolicyDocument");
            else if (!strcmp(t, "AWS::IAM::RolePolicy"))
                read_attached(w, r, rl_node_get(r->props, "RoleName"), r, "PolicyDocument");
            else if (!strcmp(t, "aws_iam_role_policy"))
                read_attached(w, r, rl_node_get(r->props, "role"), r, "policy");
            else if (!strcmp(t, "aws_iam_role_policy_attachment")) {
                const rl_resource *pol = ref_of(&w->d, st, rl_node_get(r->props, "policy_arn"));
                if (pol && !strcmp(pol->type, "aws_iam_policy"))
                    read_attached(w, r, rl_node_get(r->props, "role"), pol, "policy");
            } else if (!strcmp(t, "AWS::Serverless::Function"))
                read_sam(w, r);
        }
    }
    read_exports(w);
}

/* ---- writers by name: functions whose permissions the files do not show -- */

typedef struct key_node { /* the roles a resource uses */
    const char *key;
    struct key_node *next;
} key_node;

static uint64_t landing(const holder *h, const grant *g, uint64_t used);
static void add_writers(wctx *w, rl_ds_store *s, uint64_t land, const char *label, const char *file,
                        const rl_span *span);

typedef struct naming { /* the function being read */
    const key_node *keys;
    bool known; /* its roles' policies were read */
} naming;

/* A function whose environment names a writable replica writes it when its permissions are not
 * in the files, or when one of its roles may write every table or bucket (`*`). */
static void name_writer(wctx *w, const rl_resource *fn, const naming *nm, const rl_node *val)
{
    const rl_resource *ref = ref_of(&w->d, fn->stack, val);
    alts v;
    if (!ref && eval(&w->d, fn->stack, val, &v) < 0)
        return;
    uint64_t here = bit_of(w->d.m, fn->stack->region);
    /* the targets the value can name: the same cases as the loop below, through the indexes */
    bool every = false;
    w->ncand = 0;
    if (ref)
        every = !mark_resource(w, ref);
    for (size_t i = 0; !ref && i < v.n; i++) {
        const alt *a = &v.v[i];
        if (!a->complete)
            continue;
        mark_name(w, a->s, strlen(a->s));
        for (int s3 = 0; s3 < 2; s3++) {
            const char *reg;
            const char *an =
                arn_name(&w->d, a, s3 ? "s3" : "dynamodb", s3 ? "" : "table/", false, &reg);
            if (an)
                mark_name(w, an, strlen(an));
        }
    }
    every = !end_candidates(w, !every);
    size_t ncand = every ? w->ntargets : w->ncand;
    for (size_t ti = 0; ti < ncand && !w->d.rc; ti++) {
        rl_ds_store *s = w->targets[every ? ti : w->cand[ti]];
        store_priv *p = (store_priv *)s;
        for (size_t k = 0; k < p->nreps; k++) {
            const replica *rep = &p->reps[k];
            bool hit = ref ? rep_is(&w->d, rep, ref) : false;
            for (size_t i = 0; !ref && i < v.n && !hit; i++) {
                const alt *a = &v.v[i];
                if (!a->complete || !rep->name)
                    continue;
                const char *reg;
                const char *an = arn_name(&w->d, a, is_s3(s) ? "s3" : "dynamodb",
                                          is_s3(s) ? "" : "table/", false, &reg);
                hit = !strcmp(a->s, rep->name) || (an && !strcmp(an, rep->name));
            }
            if (!hit)
                continue;
            /* a bucket is written where it is; a table in the function's own region */
            uint64_t where = is_s3(s) ? bit_of(w->d.m, rep->region) : here;
            if (!nm->known) {
                add_writers(w, s, where & s->replicas,
                            rl_arena_printf(w->d.a,
                                            "%s (%s) names it, and its permissions are not in "
                                            "the files",
                                            fn->id, fn->type),
                            rl_doc_path(fn->stack->input->doc), &val->span);
                break;
            }
            for (const key_node *kn = nm->keys; kn && !w->d.rc; kn = kn->next) {
                const holder *h = rl_hmap_gets(&w->holders, kn->key);
                for (const grant *b = h ? h->broad : NULL; b && !w->d.rc; b = b->next) {
                    if (b->s3 != is_s3(s))
                        continue;
                    grant g = *b; /* this store's share of it */
                    g.s = s;
                    for (size_t q = 0; b->reps && q < p->nreps; q++)
                        g.land |= bit_of(w->d.m, p->reps[q].region);
                    add_writers(w, s, landing(h, &g, here),
                                rl_arena_printf(w->d.a,
                                                "%s (%s) names it, and %s is granted %s on "
                                                "every %s",
                                                fn->id, fn->type, h->label ? h->label : h->key,
                                                b->what, is_s3(s) ? "bucket" : "table"),
                                rl_doc_path(fn->stack->input->doc), &val->span);
                }
            }
            break;
        }
    }
}

static void on_env(ds *d, const rl_resource *r, const rl_node *n, const char *path, void *ctx)
{
    wctx *w = (wctx *)d; /* d is the first member of wctx */
    (void)path;
    if (rl_node_is_map(n)) {
        for (size_t i = 0; i < n->u.map.count; i++)
            name_writer(w, r, ctx, n->u.map.items[i].value);
        return;
    }
    name_writer(w, r, ctx, n);
}

/* Does a function show its permissions? A SAM function without a Role does; otherwise one of
 * the roles it uses must be a role whose policies were read. */
static bool permissions_known(wctx *w, const rl_resource *fn, const key_node *keys)
{
    if (!strcmp(fn->type, "AWS::Serverless::Function") && !rl_node_get(fn->props, "Role"))
        return true;
    for (; keys; keys = keys->next)
        if (rl_hmap_gets(&w->holders, keys->key))
            return true;
    return false;
}

static void read_names(wctx *w)
{
    const rl_model *m = w->d.m;
    rl_role_use *const *uses;
    size_t nuses;
    if ((w->d.rc = rl_iam_uses(m, &uses, &nuses)) < 0)
        return;
    /* the roles of each resource, indexed once */
    rl_hmap fn_keys = RL_HMAP_INIT;
    for (size_t i = 0; i < nuses && !w->d.rc; i++) {
        if (!uses[i]->res || uses[i]->attach)
            continue;
        key_node *k = rl_arena_calloc(w->d.a, 1, sizeof(*k));
        if (!k) {
            w->d.rc = RL_ENOMEM;
            break;
        }
        k->key = uses[i]->key;
        void **slot = rl_hmap_slot(&fn_keys, uses[i]->res, RL_HMAP_PTR);
        if (slot) {
            k->next = *slot;
            *slot = k;
        } else if (rl_hmap_put(&fn_keys, uses[i]->res, RL_HMAP_PTR, k) < 0) {
            w->d.rc = RL_ENOMEM;
        }
    }
    for (size_t i = 0; i < m->nstacks && !w->d.rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!in_pair(m, st))
            continue;
        for (size_t j = 0; j < st->nresources && !w->d.rc; j++) {
            const rl_resource *r = &st->resources[j];
            const char *t = r->type ? r->type : "";
            const char *env =
                !strcmp(t, "AWS::Lambda::Function") || !strcmp(t, "AWS::Serverless::Function")
                    ? "Environment.Variables"
                : !strcmp(t, "aws_lambda_function") ? "environment[].variables"
                : !strcmp(t, "AWS::ECS::TaskDefinition")
                    ? "ContainerDefinitions[].Environment[].Value"
                    : NULL;
            if (!env || r->deployed != 1)
                continue;
            /* the roles it uses; a SAM function without a Role has the one SAM generates */
            key_node sam = {NULL, rl_hmap_get(&fn_keys, r, RL_HMAP_PTR)};
            char samkey[64];
            naming nm = {sam.next, false};
            if (!strcmp(t, "AWS::Serverless::Function") && !rl_node_get(r->props, "Role")) {
                snprintf(samkey, sizeof(samkey), "@sam:%p", (const void *)r);
                sam.key = samkey;
                nm.keys = &sam;
            }
            nm.known = permissions_known(w, r, nm.keys);
            each_at(&w->d, r, r->props, env, "", on_env, &nm);
        }
    }
    rl_hmap_free(&fn_keys);
}

/* ---- the writers of each store -- */

/* The replicas a grant's writes land in when the role is used in `used`. */
static uint64_t landing(const holder *h, const grant *g, uint64_t used)
{
    uint64_t land = ((g->where_used ? used : 0) | g->land) & g->allowed & g->s->replicas;
    for (const deny *dn = h->denies; dn; dn = dn->next)
        if (!dn->s || dn->s == g->s)
            land &= ~dn->regions;
    return land;
}

/* Is there room for another writer of `s` in region `i` at `file`/`span`? A store keeps at
 * most RL_DS_WRITERS_KEPT writers per region, each at a different place, and one without a
 * place: the rules need the regions and a few places to show, and 10,000 roles granted
 * `table/app-*` must not make 10,000 writers of every table. */
static bool writer_room(const wctx *w, const rl_ds_store *s, size_t i, const char *file,
                        const rl_span *span)
{
    size_t n = 0;
    for (const rl_ds_writer *v = s->writers; v; v = v->next) {
        if (v->region != w->d.m->regions[i])
            continue;
        if (!file || !v->file)
            if (!file && !v->file)
                return false;
        if (file && v->file && !strcmp(v->file, file) && v->span.start.line == span->start.line &&
            v->span.start.column == span->start.column)
            return false;
        if (file && v->file && ++n >= RL_DS_WRITERS_KEPT)
            return false;
    }
    return true;
}

/* Does any region of `land` still have room for a writer at `file`/`span`? */
static bool writers_room(const wctx *w, const rl_ds_store *s, uint64_t land, const char *file,
                         const rl_span *span)
{
    for (size_t i = 0; i < w->d.m->nregions && i < 64; i++)
        if ((land >> i & 1) && writer_room(w, s, i, file, span))
            return true;
    return false;
}

static void add_writers(wctx *w, rl_ds_store *s, uint64_t land, const char *label, const char *file,
                        const rl_span *span)
{
    for (size_t i = 0; i < w->d.m->nregions && i < 64 && !w->d.rc; i++) {
        if (!(land >> i & 1) || !writer_room(w, s, i, file, span))
            continue;
        rl_ds_writer *wr = rl_arena_calloc(w->d.a, 1, sizeof(*wr));
        if (!wr || !label) {
            w->d.rc = RL_ENOMEM;
            return;
        }
        wr->region = w->d.m->regions[i];
        wr->label = label;
        wr->file = file;
        wr->span = *span;
        wr->next = s->writers;
        s->writers = wr;
    }
}

/* Grants that name the store write it wherever the role is used. */
static void settle(wctx *w)
{
    for (const holder *h = w->list; h && !w->d.rc; h = h->next)
        for (const grant *g = h->grants; g && !w->d.rc; g = g->next) {
            uint64_t land = landing(h, g, h->used);
            if (writers_room(w, g->s, land, g->file, &g->span))
                add_writers(w, g->s, land,
                            rl_arena_printf(w->d.a, "%s granted to %s", g->what,
                                            h->label ? h->label : h->key),
                            g->file, &g->span);
        }
}

/* Writers in insertion order read better (policies before names, templates in input order). */
static void reverse_writers(rl_ds_store *s)
{
    rl_ds_writer *prev = NULL, *cur = s->writers;
    while (cur) {
        rl_ds_writer *next = cur->next;
        cur->next = prev;
        prev = cur;
        cur = next;
    }
    s->writers = prev;
}

/* Adds target `t` to the list of `key` (kept by the caller) in `map`, once. */
static int index_target(wctx *w, rl_hmap *map, const void *key, size_t kl, size_t t)
{
    void **slot = rl_hmap_slot(map, key, kl);
    tname *head = slot ? *slot : NULL;
    if (head && head->t == t)
        return RL_OK; /* two copies of one name in a store */
    tname *tn = rl_arena_calloc(w->d.a, 1, sizeof(*tn));
    if (!tn)
        return RL_ENOMEM;
    tn->t = t;
    tn->next = head;
    if (slot)
        *slot = tn;
    else if (rl_hmap_put(map, key, kl, tn) < 0)
        return RL_ENOMEM;
    return RL_OK;
}

int rl_ds_writers_build(rl_model *m)
{
    rl_ds_store *const *stores;
    size_t n;
    int rc = rl_ds_build(m);
    if (rc == RL_OK)
        rc = rl_ds_stores(m, &stores, &n);
    if (rc < 0)
        return rc;
    rl_ds_db *db = m->priv->data;
    if (db->writers_done)
        return db->writers_rc;
    db->writers_done = true;
    wctx w;
    memset(&w, 0, sizeof(w));
    w.d = (ds){m, db, db->a, RL_OK};
    for (size_t i = 0; i < m->nregions && i < 64; i++)
        w.all |= (uint64_t)1 << i;
    w.targets = calloc(n + 1, sizeof(*w.targets));
    if (!w.targets)
        return db->writers_rc = RL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (stores[i]->lww && ((store_priv *)stores[i])->nreps)
            w.targets[w.ntargets++] = stores[i];
    w.mark = calloc(w.ntargets + 1, 1);
    w.cand = calloc(w.ntargets + 1, sizeof(*w.cand));
    if (!w.mark || !w.cand)
        w.d.rc = RL_ENOMEM;
    for (size_t t = 0; t < w.ntargets && !w.d.rc; t++) {
        const store_priv *p = (const store_priv *)w.targets[t];
        for (size_t k = 0; k < p->nreps && !w.d.rc; k++) {
            const char *name = p->reps[k].name;
            if (name)
                w.d.rc = index_target(&w, &w.by_name, name, strlen(name), t);
            char key[RES_KEY_MAX];
            size_t kl = p->reps[k].res ? same_res_key(p->reps[k].res, key, sizeof(key)) : 0;
            if (p->reps[k].res && !kl)
                w.res_unindexed = true;
            char *kept = kl ? rl_arena_alloc(w.d.a, kl) : NULL;
            if (kl && !kept)
                w.d.rc = RL_ENOMEM;
            else if (kl && !w.d.rc)
                w.d.rc = index_target(&w, &w.by_res, memcpy(kept, key, kl), kl, t);
        }
    }
    if (w.ntargets && !w.d.rc) {
        rl_role_use *const *uses;
        size_t nu;
        w.d.rc = rl_iam_uses(m, &uses, &nu);
        if (!w.d.rc)
            read_policies(&w);
        if (!w.d.rc)
            settle(&w);
        if (!w.d.rc)
            read_names(&w);
        for (size_t i = 0; i < w.ntargets; i++) {
            reverse_writers(w.targets[i]);
            w.targets[i]->writers_done = true;
        }
    }
    rl_hmap_free(&w.holders);
    rl_hmap_free(&w.by_name);
    rl_hmap_free(&w.by_res);
    free(w.mark);
    free(w.cand);
    free(w.targets);
    return db->writers_rc = w.d.rc;
}
