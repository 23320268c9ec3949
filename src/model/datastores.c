/* Data stores in the model: the stateful resources of the primary region and what carries
 * their data to another region. One pass over the stacks of the pair indexes the things that
 * can hold or copy a store's data (global cluster members, read replicas, replication
 * configurations, backup plans, selections and lifecycle policies, buckets by name); a second
 * pass gives each primary store its links. Lookups go through hash maps by resource and by
 * name; the only products are each store against the backup selections and lifecycle
 * policies of its region, of which an account has a handful. */
#include "datastores_private.h"

/* ---- the mechanisms and what AWS publishes about them -------------------------------- */

/* The figures and their sources are listed in docs/rules/RL601.md; keep them in step. */
const rl_ds_mech_info ds_mechs[RL_MECH_COUNT] = {
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
    return mech < RL_MECH_COUNT ? &ds_mechs[mech] : NULL;
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

bool ds_is_tf(const rl_stack *st)
{
    return st->source != RL_STACK_CFN;
}

/* A property in the store's instance: the reference layer decides Fn::If and AWS::NoValue;
 * NULL when it is absent. An unknown value is its node (its evaluation gives unknown
 * pieces; copy_unknown() keeps the stores whose copies cannot be known). */
const rl_node *ds_prop(const rl_resource *r, const char *cfn, const char *tf)
{
    rl_val v = rl_prop(r, ds_is_tf(r->stack) ? tf : cfn);
    return v.state == RL_ABSENT ? NULL : v.node;
}

/* A value that is set: not absent, not JSON null (plans), not an empty string. */
bool ds_present(const rl_node *n)
{
    if (!n)
        return false;
    if (rl_node_is_scalar(n))
        return n->type != RL_SCALAR_NULL && n->u.s.len > 0;
    return rl_node_count(n) > 0 || rl_node_is_map(n);
}

/* Items of a block that may be one object or a list (Terraform writes both). */
size_t ds_items(const rl_node *n)
{
    return rl_node_is_seq(n) ? n->u.seq.count : n ? 1 : 0;
}

const rl_node *ds_item(const rl_node *n, size_t i)
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

uint64_t ds_bit_of(const rl_model *m, const char *region)
{
    int b = region_bit(m, region);
    return b < 0 ? 0 : (uint64_t)1 << b;
}

const char *ds_res_key(ds *d, const rl_resource *r)
{
    char *k = rl_arena_printf(d->a, "%p\x1f%s", (const void *)r->stack->input, r->id);
    if (!k)
        d->rc = RL_ENOMEM;
    return k;
}

const char *ds_name_key(ds *d, int fam, const char *name)
{
    char *k = rl_arena_printf(d->a, "%d|%s", fam, name);
    if (!k)
        d->rc = RL_ENOMEM;
    return k;
}

const char *ds_intern(ds *d, const char *s)
{
    const char *r = rl_model_intern((rl_model *)d->m, s);
    if (!r)
        d->rc = RL_ENOMEM;
    return r;
}

/* ---- evaluation ------------------------------------------------------------------------- */

int ds_on_alt(void *ctx, const rl_evstr *s)
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
int ds_eval(ds *d, const rl_stack *st, const rl_node *n, alts *out)
{
    out->n = 0;
    if (!n)
        return RL_OK;
    collect_ctx c = {d, out};
    int rc = rl_eval_strings(st, n, ds_on_alt, &c);
    if (rc < 0)
        d->rc = rc;
    return rc < 0 ? rc : d->rc;
}

/* The resource a whole value refers to (the reference layer): Ref X, Fn::GetAtt X.Y,
 * "${X}" and "${X.Y}" in Fn::Sub, imports, Terraform "${type.name.attr}", module outputs,
 * plan configuration references. */
const rl_resource *ds_ref_of(ds *d, const rl_stack *st, const rl_node *n)
{
    (void)d;
    rl_ref r = rl_ref_of(st, NULL, n);
    return r.state == RL_KNOWN ? r.res : NULL;
}

/* A single complete value, or NULL. */
const char *ds_str_of(ds *d, const rl_stack *st, const rl_node *n)
{
    (void)d;
    return n ? rl_eval_string(st, n) : NULL;
}

bool ds_is_true(ds *d, const rl_stack *st, const rl_node *n)
{
    bool b;
    if (rl_node_bool(n, &b))
        return b;
    const char *s = ds_str_of(d, st, n);
    return s && !strcasecmp(s, "true");
}

double ds_number_of(ds *d, const rl_stack *st, const rl_node *n, double dflt)
{
    double v;
    if (rl_node_number(n, &v))
        return v;
    const char *s = ds_str_of(d, st, n);
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
const char *ds_alt_region(ds *d, const alt *a, bool az)
{
    char buf[64];
    if (!a->complete || !a->len || a->len >= sizeof(buf))
        return NULL;
    memcpy(buf, a->s, a->len + 1);
    if (az && a->len > 1 && isalpha((unsigned char)buf[a->len - 1]))
        buf[a->len - 1] = '\0';
    return rl_is_region(buf, strlen(buf)) ? ds_intern(d, buf) : NULL;
}

/* ---- stores --------------------------------------------------------------------------- */

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
int ds_family_of(int kind)
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

void ds_add_link_at(ds *d, rl_ds_store *s, const rl_ds_mech_info *info, const char *region,
                    long rpo, rl_ds_how how, const char *file, const rl_span *span,
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
    l->how = how;
    l->file = file;
    if (span)
        l->span = *span;
    l->path = path;
    rl_ds_link **tail = &s->links;
    while (*tail)
        tail = &(*tail)->next;
    *tail = l;
}

void ds_add_link(ds *d, rl_ds_store *s, rl_ds_mech mech, const char *region, long rpo,
                 rl_ds_how how, const rl_stack *st, const rl_node *where, const char *path)
{
    ds_add_link_at(d, s, &ds_mechs[mech], region, rpo == -2 ? ds_mechs[mech].rpo : rpo, how,
                   st ? rl_doc_path(st->input->doc) : NULL, where ? &where->span : NULL, path);
}

const char *ds_sub_path(ds *d, const rl_resource *r, const char *rest)
{
    char *p =
        rl_arena_printf(d->a, "%s%s%s", r->path, ds_is_tf(r->stack) ? "." : ".Properties.", rest);
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
    bool tf = ds_is_tf(st);
    *durable = false;
    switch (t->kind) {
    case K_RDS_DB:
        return !(!tf && ds_present(rl_node_get(r->props, "DBClusterIdentifier"))) &&
               !ds_present(ds_prop(r, "SourceDBInstanceIdentifier", "replicate_source_db"));
    case K_RDS_CLUSTER:
    case K_DOCDB:
    case K_NEPTUNE:
        return !ds_present(
            ds_prop(r, "ReplicationSourceIdentifier", "replication_source_identifier"));
    case K_EC_RG:
    case K_EC_CLUSTER:
    case K_EC_SERVERLESS: {
        const char *engine = ds_str_of(d, st, ds_prop(r, "Engine", "engine"));
        if (engine && !strcasecmp(engine, "memcached"))
            return false;
        if (t->kind == K_EC_CLUSTER && !engine)
            return false;
        *durable =
            ds_number_of(d, st, ds_prop(r, "SnapshotRetentionLimit", "snapshot_retention_limit"),
                         0) > 0;
        return true; /* kept only when durable or in a global datastore (see finish) */
    }
    case K_SECRET:
        if (tf) {
            char buf[600];
            snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)st->input, r->id);
            return !rl_hmap_gets(&d->db->secret_values, buf);
        }
        return !ds_present(ds_prop(r, "SecretString", "secret_string"));
    default:
        return true;
    }
}

static void index_store(ds *d, rl_ds_store *s, int fam)
{
    const char *k = ds_res_key(d, s->res);
    if (!k || rl_hmap_puts(&d->db->by_res, k, s) < 0) {
        d->rc = RL_ENOMEM;
        return;
    }
    if (s->name && fam >= 0) {
        const char *nk = ds_name_key(d, fam, s->name);
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
    s->name = t->name ? ds_str_of(d, r->stack, rl_node_get(r->props, t->name)) : NULL;
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
    index_store(d, s, ds_family_of(t->kind));
}

/* ---- what the files cannot tell ---------------------------------------------------------- */

/* The properties of a store that copy it to another region. */
static const char *const copy_props[] = {"ReplicationConfiguration",
                                         "Replicas",
                                         "GlobalClusterIdentifier",
                                         "ReplicationSourceIdentifier",
                                         "SourceDBInstanceIdentifier",
                                         "ReplicaRegions",
                                         "GlobalReplicationGroupId",
                                         "replication_configuration",
                                         "replica",
                                         "global_cluster_identifier",
                                         "replication_source_identifier",
                                         "replicate_source_db",
                                         "global_replication_group_id"};

static void mark_unknown(ds *d, rl_ds_store *s, const char *why, const rl_node *at,
                         const char *file, const char *path)
{
    if (s->unknown)
        return;
    s->unknown = why ? why : "a value the files do not give";
    s->unknown_file = file;
    s->unknown_span = at ? at->span : s->res->node->span;
    s->unknown_path = path ? path : s->res->path;
    (void)d;
}

/* A copy property whose value is unknown in the primary (an undecided condition, a
 * parameter without a value): the store may be copied; no "missing" is claimed. */
static void copy_unknown(ds *d, rl_ds_store *s)
{
    const rl_resource *r = s->res;
    for (size_t i = 0; i < sizeof(copy_props) / sizeof(*copy_props) && !s->unknown; i++) {
        rl_val v = rl_prop(r, copy_props[i]);
        if (v.state == RL_UNKNOWN)
            mark_unknown(d, s, v.why, v.node, rl_doc_path(r->stack->input->doc),
                         ds_sub_path(d, r, copy_props[i]));
    }
}

typedef struct taker {
    ds *d;
    const rl_resource *custom;
} taker;

static int on_taken(void *ctx, const rl_ref *ref, const rl_node *at)
{
    taker *t = ctx;
    if (ref->state != RL_KNOWN)
        return 0;
    rl_ds_store *s = rl_hmap_gets(&t->d->db->by_res, ds_res_key(t->d, ref->res));
    if (s && s->res == ref->res)
        mark_unknown(t->d, s,
                     rl_arena_printf(t->d->a,
                                     "the custom resource %s (%s) takes it, and what it "
                                     "does is not in the files",
                                     t->custom->id, t->custom->type),
                     at, rl_doc_path(t->custom->stack->input->doc), t->custom->path);
    return t->d->rc;
}

/* A store a custom resource takes as input may be copied by it (a replication Lambda). */
static void custom_takers(ds *d)
{
    const rl_model *m = d->m;
    for (size_t i = 0; i < m->nstacks && !d->rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (st->source != RL_STACK_CFN || !rl_model_is_primary(m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !d->rc; j++) {
            const rl_resource *r = &st->resources[j];
            if (!r->type || (strncmp(r->type, "Custom::", 8) &&
                             strcmp(r->type, "AWS::CloudFormation::CustomResource")))
                continue;
            taker t = {d, r};
            rl_refs_each(st, r, r->props, on_taken, &t);
        }
    }
}

/* ---- building --------------------------------------------------------------------------- */

bool ds_in_pair(const rl_model *m, const rl_stack *st)
{
    return st->region && rl_model_in_pair(m, st->region);
}

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
    return ds_index_log_dest_types(m, R_LOGS);
}

static unsigned type_roles(ds *d, const char *type)
{
    return (unsigned)(uintptr_t)rl_hmap_gets(&d->db->types, type);
}

static void index_early(ds *d, const rl_resource *r, unsigned roles)
{
    int g;
    if ((roles & R_GLOBAL) && (g = ds_global_family(r->type)) >= 0)
        ds_index_global(d, r, g);
    if (roles & R_BUCKET)
        ds_index_bucket(d, r);
    if (roles & R_EC_GLOBAL)
        ds_index_ec_global(d, r);
    if (roles & R_PLAN)
        ds_index_plan(d, r);
    if (roles & R_SECRET_VER)
        ds_index_secret_version(d, r);
    if (roles & R_LOGS)
        ds_index_log_dests(d, r);
}

static void index_late(ds *d, const rl_resource *r, unsigned roles)
{
    const rl_stack *st = r->stack;
    bool primary = rl_model_is_primary(d->m, st->region);
    int fam;
    if ((roles & R_CLUSTER) && (fam = ds_cluster_family(r->type)) >= 0)
        ds_index_cluster(d, r, fam);
    if (roles & R_DBI) {
        const rl_node *src = ds_prop(r, "SourceDBInstanceIdentifier", "replicate_source_db");
        if (ds_present(src))
            ds_index_rds_copy(
                d, r, src, RL_MECH_RDS_REPLICA,
                ds_sub_path(d, r,
                            ds_is_tf(st) ? "replicate_source_db" : "SourceDBInstanceIdentifier"));
    }
    if (roles & R_BACKUP_REPL) {
        const rl_node *src = rl_node_get(r->props, "source_db_instance_arn");
        if (ds_present(src))
            ds_index_rds_copy(d, r, src, RL_MECH_RDS_BACKUPS,
                              ds_sub_path(d, r, "source_db_instance_arn"));
    }
    if (roles & R_DDB_TF)
        ds_index_ddb_tf(d, r);
    if (roles & R_EFS_TF)
        ds_index_efs_tf(d, r);
    if (roles & R_RS_COPY) {
        const rl_node *rn = rl_node_get(r->props, "destination_region");
        const char *reg = ds_str_of(d, st, rn);
        if (reg && rl_is_region(reg, strlen(reg)))
            ds_index_copy_of(d, r, rl_node_get(r->props, "cluster_identifier"), F_REDSHIFT,
                             "redshift", "cluster:", RL_MECH_REDSHIFT_COPY, ds_intern(d, reg),
                             ds_sub_path(d, r, "destination_region"), false);
    }
    if (roles & R_EC_RG)
        ds_index_ec_secondary(d, r);
    if (roles & R_MEMORYDB)
        ds_index_memorydb(d, r);
    if (primary && (roles & R_SELECTION))
        ds_index_selection(d, r);
    if (primary && (roles & R_DLM))
        ds_index_dlm(d, r);
    if (roles & (R_BUCKET | R_S3_REPL))
        ds_index_replication(d, r);
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
            if (!ds_in_pair(m, st))
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
        ds_resolve_edge(&d, e);
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
                ds_nondata_bucket(&d, r, ds_str_of(&d, st, ds_prop(r, "BucketName", "bucket"))))
                continue;
            add_store(&d, r);
        }
    }
    for (size_t i = 0; i < db->nstores && !d.rc; i++) {
        ds_store_links(&d, db->stores[i]);
        copy_unknown(&d, db->stores[i]);
    }
    custom_takers(&d);
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
