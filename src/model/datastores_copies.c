/* Data stores, pass 1: what other resources say about the stores (log and artifact buckets,
 * S3 replication, global clusters, read replicas and other copies, backup plans and
 * selections, lifecycle policies). See datastores.c. */
#include "datastores_private.h"

/* ---- pass 1: what other resources say about the stores -------------------------------- */

static void pend(ds *d, const char *key, rl_ds_mech mech, const char *region, long rpo,
                 rl_ds_how how, const rl_stack *st, const rl_node *where, const char *path,
                 bool lww)
{
    if (!key || d->rc)
        return;
    pending *p = rl_arena_calloc(d->a, 1, sizeof(*p));
    if (!p) {
        d->rc = RL_ENOMEM;
        return;
    }
    p->link.info = &ds_mechs[mech];
    p->link.region = region;
    p->link.rpo = rpo == FIGURE ? ds_mechs[mech].rpo : rpo;
    p->link.how = how;
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

static void orphan_add(ds *d, int fam, rl_ds_mech mech, const char *region, rl_ds_how how,
                       const rl_stack *st, const rl_node *where, const char *path)
{
    orphan *o = rl_arena_calloc(d->a, 1, sizeof(*o));
    if (!o) {
        d->rc = RL_ENOMEM;
        return;
    }
    o->fam = fam;
    o->link.info = &ds_mechs[mech];
    o->link.region = region;
    o->link.rpo = ds_mechs[mech].rpo;
    o->link.how = how;
    o->link.file = rl_doc_path(st->input->doc);
    if (where)
        o->link.span = where->span;
    o->link.path = path;
    o->next = d->db->orphans;
    d->db->orphans = o;
}

/* The name at the end of an ARN's resource after `prefix` ("db:", "cluster:", "table/"), in
 * lower case when `lower`; NULL when the ARN is not of that kind or has unknown pieces. */
const char *ds_arn_name(ds *d, const alt *a, const char *service, const char *prefix, bool lower,
                        const char **region)
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
        *region = ds_intern(d, rb);
    char *out = rl_arena_strndup(d->a, nm, nl);
    if (!out) {
        d->rc = RL_ENOMEM;
        return NULL;
    }
    for (char *c = out; lower && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

void ds_each_at(ds *d, const rl_resource *r, const rl_node *n, const char *path, const char *done,
                at_fn fn, void *ctx)
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
        ds_each_at(d, r, v, rest, p, fn, ctx);
        return;
    }
    for (size_t i = 0; i < ds_items(v); i++) {
        char *p = rl_node_is_seq(v)
                      ? rl_arena_printf(d->a, "%s%s%s[%zu]", done, *done ? "." : "", key, i)
                      : rl_arena_printf(d->a, "%s%s%s", done, *done ? "." : "", key);
        if (!p) {
            d->rc = RL_ENOMEM;
            return;
        }
        ds_each_at(d, r, ds_item(v, i), rest, p, fn, ctx);
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
    const rl_resource *b = ds_ref_of(d, r->stack, n);
    if (b) {
        const char *k = ds_res_key(d, b);
        if (k && rl_hmap_puts(&d->db->nondata, k, (void *)1) < 0)
            d->rc = RL_ENOMEM;
        return;
    }
    alts v;
    if (ds_eval(d, r->stack, n, &v) < 0)
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

int ds_index_log_dest_types(rl_hmap *m, uintptr_t role)
{
    for (size_t i = 0; i < sizeof(log_dests) / sizeof(*log_dests); i++) {
        uintptr_t v = (uintptr_t)rl_hmap_gets(m, log_dests[i].type);
        if (rl_hmap_puts(m, log_dests[i].type, (void *)(v | role)) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

void ds_index_log_dests(ds *d, const rl_resource *r)
{
    for (size_t i = 0; i < sizeof(log_dests) / sizeof(*log_dests); i++)
        if (!strcmp(log_dests[i].type, r->type))
            ds_each_at(d, r, r->props, log_dests[i].path, "", on_log_dest, NULL);
    if (!strcmp(r->type, "AWS::ElasticLoadBalancingV2::LoadBalancer")) {
        const rl_node *attrs = rl_node_get(r->props, "LoadBalancerAttributes");
        for (size_t i = 0; i < ds_items(attrs); i++) {
            const rl_node *a = ds_item(attrs, i);
            if (rl_node_streq(rl_node_get(a, "Key"), "access_logs.s3.bucket"))
                on_log_dest(d, r, rl_node_get(a, "Value"), "", NULL);
        }
    }
    /* a bucket that receives S3 server access logs is a log bucket */
    bool tf = !strcmp(r->type, "aws_s3_bucket");
    if (!tf && strcmp(r->type, "AWS::S3::Bucket"))
        return;
    const char *acl = ds_str_of(d, r->stack, ds_prop(r, "AccessControl", "acl"));
    if (acl && !strcasecmp(acl, tf ? "log-delivery-write" : "LogDeliveryWrite")) {
        const char *k = ds_res_key(d, r);
        if (k && rl_hmap_puts(&d->db->nondata, k, (void *)1) < 0)
            d->rc = RL_ENOMEM;
    }
}

/* -- S3 replication edges -- */

void ds_index_bucket(ds *d, const rl_resource *r)
{
    const char *name = ds_str_of(d, r->stack, ds_prop(r, "BucketName", "bucket"));
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
    *set |= ds_bit_of(d->m, r->stack->region);
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
    const char *status = ds_str_of(d, st, rl_node_get(rule, tf ? "status" : "Status"));
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
    const char *rts = ds_str_of(d, st, rl_node_get(rt, tf ? "status" : "Status"));
    e->rtc = rts && !strcasecmp(rts, "Enabled");
    e->dst = ds_ref_of(d, st, bucket);
    if (e->dst)
        e->dst_name = ds_str_of(d, e->dst->stack, ds_prop(e->dst, "BucketName", "bucket"));
    else {
        alts v;
        if (ds_eval(d, st, bucket, &v) < 0)
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
        edge_key_add(d, &d->db->edges_by_src, ds_res_key(d, src), e);
    if (src_name)
        edge_key_add(d, &d->db->edges_by_src, rl_arena_printf(d->a, "s3|%s", src_name), e);
    if (e->dst)
        edge_key_add(d, &d->db->edges_by_dst, ds_res_key(d, e->dst), e);
    if (e->dst_name)
        edge_key_add(d, &d->db->edges_by_dst, rl_arena_printf(d->a, "s3|%s", e->dst_name), e);
}

void ds_index_replication(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    if (!strcmp(r->type, "AWS::S3::Bucket") || !strcmp(r->type, "aws_s3_bucket")) {
        bool tf = ds_is_tf(st);
        const char *name = ds_str_of(d, st, ds_prop(r, "BucketName", "bucket"));
        const rl_node *rc = ds_prop(r, "ReplicationConfiguration", "replication_configuration");
        if (rl_node_is_seq(rc))
            rc = rl_node_at(rc, 0);
        const rl_node *rules = rl_node_get(rc, tf ? "rules" : "Rules");
        for (size_t i = 0; i < ds_items(rules) && !d->rc; i++) {
            const char *p = ds_sub_path(
                d, r, tf ? "replication_configuration.rules" : "ReplicationConfiguration.Rules");
            const char *ip = p ? rl_arena_printf(d->a, "%s[%zu]", p, i) : NULL;
            if (!ip) {
                d->rc = RL_ENOMEM;
                return;
            }
            add_edge(d, st, r, name, ds_item(rules, i), ip, tf);
        }
        return;
    }
    if (!strcmp(r->type, "aws_s3_bucket_replication_configuration")) {
        const rl_node *b = rl_node_get(r->props, "bucket");
        const rl_resource *src = ds_ref_of(d, st, b);
        const char *name =
            src ? ds_str_of(d, src->stack, rl_node_get(src->props, "bucket")) : ds_str_of(d, st, b);
        const rl_node *rules = rl_node_get(r->props, "rule");
        for (size_t i = 0; i < ds_items(rules) && !d->rc; i++) {
            const char *p = rl_arena_printf(d->a, "%s.rule[%zu]", r->path, i);
            if (!p) {
                d->rc = RL_ENOMEM;
                return;
            }
            add_edge(d, st, src, name, ds_item(rules, i), p, true);
        }
    }
}

/* The region of the bucket an edge copies to: the stack that creates it, else a region code
 * in its name; NULL when neither tells. */
void ds_resolve_edge(ds *d, s3edge *e)
{
    if (e->dst) {
        e->region = e->dst->stack->region;
        return;
    }
    if (!e->dst_name)
        return;
    const uint64_t *set = rl_hmap_gets(&d->db->buckets, e->dst_name);
    if (set) {
        uint64_t other = *set & ~ds_bit_of(d->m, e->src_region);
        if (other && !(other & (other - 1))) {
            for (size_t i = 0; i < d->m->nregions && i < 64; i++)
                if (other >> i & 1)
                    e->region = d->m->regions[i];
            return;
        }
        if (*set == ds_bit_of(d->m, e->src_region)) {
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

int ds_cluster_family(const char *t)
{
    if (!strcmp(t, "AWS::RDS::DBCluster") || !strcmp(t, "aws_rds_cluster"))
        return F_AURORA;
    if (!strcmp(t, "AWS::DocDB::DBCluster") || !strcmp(t, "aws_docdb_cluster"))
        return F_DOCDB;
    if (!strcmp(t, "AWS::Neptune::DBCluster") || !strcmp(t, "aws_neptune_cluster"))
        return F_NEPTUNE;
    return -1;
}

int ds_global_family(const char *t)
{
    if (!strcmp(t, "AWS::RDS::GlobalCluster") || !strcmp(t, "aws_rds_global_cluster"))
        return F_AURORA;
    if (!strcmp(t, "AWS::DocDB::GlobalCluster") || !strcmp(t, "aws_docdb_global_cluster"))
        return F_DOCDB;
    if (!strcmp(t, "AWS::Neptune::GlobalCluster") || !strcmp(t, "aws_neptune_global_cluster"))
        return F_NEPTUNE;
    return -1;
}

rl_ds_mech ds_global_mech(int fam)
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
size_t ds_cluster_ids(ds *d, const rl_resource *r, const char **ids, size_t max, bool *unknown)
{
    const rl_stack *st = r->stack;
    const rl_node *n = ds_prop(r, "GlobalClusterIdentifier", "global_cluster_identifier");
    size_t k = 0;
    *unknown = false;
    if (!ds_present(n))
        return 0;
    const rl_resource *g = ds_ref_of(d, st, n);
    if (g && ds_global_family(g->type) >= 0) {
        const char *id = ds_str_of(
            d, g->stack, ds_prop(g, "GlobalClusterIdentifier", "global_cluster_identifier"));
        if (id)
            ids[k++] = lower_copy(d, id);
        else
            *unknown = true;
        return k;
    }
    alts v;
    if (ds_eval(d, st, n, &v) < 0)
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
            gr && ds_global_family(gr->type) >= 0
                ? ds_str_of(d, gr->stack,
                            ds_prop(gr, "GlobalClusterIdentifier", "global_cluster_identifier"))
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
    const rl_resource *pg = ds_ref_of(
        d, r->stack, ds_prop(r, "DBClusterParameterGroupName", "db_cluster_parameter_group_name"));
    if (!pg)
        return false;
    const char *v = NULL;
    if (!ds_is_tf(pg->stack)) {
        const rl_node *ps = rl_node_get(pg->props, "Parameters");
        for (size_t i = 0; rl_node_is_map(ps) && i < ps->u.map.count && !v; i++) {
            const char *k = rl_node_str(ps->u.map.items[i].key);
            if (k && !strcasecmp(k, "aurora_replica_read_consistency"))
                v = ds_str_of(d, pg->stack, ps->u.map.items[i].value);
        }
    } else {
        const rl_node *ps = rl_node_get(pg->props, "parameter");
        for (size_t i = 0; i < ds_items(ps) && !v; i++) {
            const char *k = ds_str_of(d, pg->stack, rl_node_get(ds_item(ps, i), "name"));
            if (k && !strcasecmp(k, "aurora_replica_read_consistency"))
                v = ds_str_of(d, pg->stack, rl_node_get(ds_item(ps, i), "value"));
        }
    }
    return v && (!strcasecmp(v, "session") || !strcasecmp(v, "global"));
}

void ds_index_cluster(ds *d, const rl_resource *r, int fam)
{
    const char *ids[RL_EVAL_MAX_ALTERNATIVES];
    bool unknown;
    size_t n = ds_cluster_ids(d, r, ids, RL_EVAL_MAX_ALTERNATIVES, &unknown);
    const char *region = r->stack->region;
    if (unknown)
        d->db->unknown_members[fam] |= ds_bit_of(d->m, region);
    bool fwd =
        fam == F_AURORA &&
        ds_is_true(d, r->stack,
                   ds_prop(r, "EnableGlobalWriteForwarding", "enable_global_write_forwarding")) &&
        !reads_consistent(d, r);
    for (size_t i = 0; i < n && !d->rc; i++) {
        if (!ids[i])
            continue;
        member_add(d, ds_name_key(d, fam, ids[i]), region, r, &d->db->members);
        if (fwd && !rl_model_is_primary(d->m, region))
            member_add(d, ds_name_key(d, fam, ids[i]), region, r, &d->db->forwarders);
    }
    /* a cross-Region read replica of a cluster (binlog replication) */
    const rl_node *src = ds_prop(r, "ReplicationSourceIdentifier", "replication_source_identifier");
    if (fam != F_AURORA || !ds_present(src))
        return;
    const char *path = ds_sub_path(
        d, r, ds_is_tf(r->stack) ? "replication_source_identifier" : "ReplicationSourceIdentifier");
    const rl_resource *sr = ds_ref_of(d, r->stack, src);
    if (sr) {
        if (sr->stack->region && strcmp(sr->stack->region, region))
            pend(d, ds_res_key(d, sr), RL_MECH_AURORA_REPLICA, region, FIGURE, RL_HOW_NO, r->stack,
                 src, path, false);
        return;
    }
    alts v;
    if (ds_eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = ds_arn_name(d, &v.v[i], "rds", "cluster:", true, &reg);
        if (name && (!reg || strcmp(reg, region)))
            pend(d, ds_name_key(d, F_AURORA, name), RL_MECH_AURORA_REPLICA, region, FIGURE,
                 RL_HOW_NO, r->stack, src, path, false);
        else if (!name && !v.v[i].complete)
            orphan_add(d, F_AURORA, RL_MECH_AURORA_REPLICA, region, RL_HOW_NO, r->stack, src, path);
    }
}

/* A global cluster created from an existing cluster: that cluster is its primary member. */
void ds_index_global(ds *d, const rl_resource *r, int fam)
{
    const char *id =
        ds_str_of(d, r->stack, ds_prop(r, "GlobalClusterIdentifier", "global_cluster_identifier"));
    const rl_node *src = ds_prop(r, "SourceDBClusterIdentifier", "source_db_cluster_identifier");
    if (!ds_present(src))
        return;
    const char *val = id ? ds_name_key(d, fam, lower_copy(d, id)) : "";
    const rl_resource *sr = ds_ref_of(d, r->stack, src);
    if (sr) {
        const char *k = ds_res_key(d, sr);
        if (k && rl_hmap_puts(&d->db->src_member, k, (void *)val) < 0)
            d->rc = RL_ENOMEM;
        if (id && sr->stack->region)
            member_add(d, val, sr->stack->region, sr, &d->db->members);
        return;
    }
    alts v;
    if (ds_eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = ds_arn_name(d, &v.v[i], "rds", "cluster:", true, &reg);
        if (!name && v.v[i].complete && v.v[i].len)
            name = lower_copy(d, v.v[i].s);
        const char *k = name ? rl_arena_printf(d->a, "N%s", ds_name_key(d, fam, name)) : NULL;
        if (k && rl_hmap_puts(&d->db->src_member, k, (void *)val) < 0)
            d->rc = RL_ENOMEM;
    }
}

/* An RDS DB instance that is a read replica of, or replicates the automated backups of, an
 * instance of another region. */
void ds_index_rds_copy(ds *d, const rl_resource *r, const rl_node *src, rl_ds_mech mech,
                       const char *path)
{
    const char *region = r->stack->region;
    const rl_resource *sr = ds_ref_of(d, r->stack, src);
    if (sr) {
        if (sr->stack->region && strcmp(sr->stack->region, region))
            pend(d, ds_res_key(d, sr), mech, region, FIGURE, RL_HOW_NO, r->stack, src, path, false);
        return;
    }
    alts v;
    if (ds_eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = ds_arn_name(d, &v.v[i], "rds", "db:", true, &reg);
        if (name && (!reg || strcmp(reg, region)))
            pend(d, ds_name_key(d, F_RDSDB, name), mech, region, FIGURE, RL_HOW_NO, r->stack, src,
                 path, false);
        else if (!name && !v.v[i].complete) /* a plain identifier is a same-region replica */
            orphan_add(d, F_RDSDB, mech, region, RL_HOW_NO, r->stack, src, path);
    }
}

/* A copy of a store named by reference, by ARN or by name, in `region`. */
void ds_index_copy_of(ds *d, const rl_resource *r, const rl_node *src, int fam, const char *service,
                      const char *prefix, rl_ds_mech mech, const char *region, const char *path,
                      bool lww)
{
    const rl_resource *sr = ds_ref_of(d, r->stack, src);
    if (sr) {
        pend(d, ds_res_key(d, sr), mech, region, FIGURE, RL_HOW_NO, r->stack, src, path, lww);
        return;
    }
    alts v;
    if (ds_eval(d, r->stack, src, &v) < 0)
        return;
    for (size_t i = 0; i < v.n; i++) {
        const char *reg;
        const char *name = ds_arn_name(d, &v.v[i], service, prefix, fam != F_DDB, &reg);
        if (!name && v.v[i].complete && v.v[i].len && strncmp(v.v[i].s, "arn:", 4))
            name = fam == F_DDB ? v.v[i].s : lower_copy(d, v.v[i].s);
        if (name)
            pend(d, ds_name_key(d, fam, name), mech, region, FIGURE, RL_HOW_NO, r->stack, src, path,
                 lww);
        else
            orphan_add(d, fam, mech, region, RL_HOW_NO, r->stack, src, path);
    }
}

void ds_each_region(ds *d, const rl_stack *st, const rl_node *n, bool az, region_fn fn, void *ctx)
{
    alts v;
    if (!n || ds_eval(d, st, n, &v) < 0)
        return;
    if (!v.n)
        fn(d, NULL, ctx);
    for (size_t i = 0; i < v.n; i++)
        fn(d, ds_alt_region(d, &v.v[i], az), ctx);
}

static void pend_region(ds *d, const char *region, void *ctx)
{
    pend_ctx *p = ctx;
    pend(d, p->key, p->mech, region, FIGURE, RL_HOW_NO, p->st, p->where, p->path, p->lww);
}

void ds_index_ddb_tf(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    if (!strcmp(r->type, "aws_dynamodb_table_replica")) {
        const rl_node *arn = rl_node_get(r->props, "global_table_arn");
        if (ds_present(arn))
            ds_index_copy_of(d, r, arn, F_DDB, "dynamodb", "table/", RL_MECH_DDB_GLOBAL, st->region,
                             ds_sub_path(d, r, "global_table_arn"), true);
        return;
    }
    /* the 2017 version: tables of one name in the listed regions */
    const char *name = ds_str_of(d, st, rl_node_get(r->props, "name"));
    const rl_node *reps = rl_node_get(r->props, "replica");
    for (size_t i = 0; name && i < ds_items(reps); i++) {
        const rl_node *rn = rl_node_get(ds_item(reps, i), "region_name");
        pend_ctx p = {ds_name_key(d, F_DDB, name),
                      RL_MECH_DDB_GLOBAL,
                      st,
                      rn,
                      ds_sub_path(d, r, "replica.region_name"),
                      true};
        ds_each_region(d, st, rn, false, pend_region, &p);
    }
}

void ds_index_efs_tf(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    const rl_node *src = rl_node_get(r->props, "source_file_system_id");
    const rl_node *dst = rl_node_get(r->props, "destination");
    if (rl_node_is_seq(dst))
        dst = rl_node_at(dst, 0);
    const rl_node *rn = rl_node_get(dst, "region");
    bool az = !ds_present(rn);
    if (az)
        rn = rl_node_get(dst, "availability_zone_name");
    const rl_resource *sr = ds_ref_of(d, st, src);
    const char *path = ds_sub_path(d, r, "destination");
    if (sr) {
        pend_ctx p = {ds_res_key(d, sr), RL_MECH_EFS, st, rn ? rn : src, path, false};
        if (rn)
            ds_each_region(d, st, rn, az, pend_region, &p);
        else
            pend_region(d, NULL, &p);
        return;
    }
    alts v;
    const char *reg = NULL;
    if (rn && ds_eval(d, st, rn, &v) == RL_OK && v.n == 1)
        reg = ds_alt_region(d, &v.v[0], az);
    orphan_add(d, F_EFS, RL_MECH_EFS, reg, RL_HOW_NO, st, src, path);
}

/* ElastiCache global datastores: the primary member and the regions of the others. */
static const char *ec_key_of(ds *d, const rl_stack *st, const rl_node *n)
{
    const rl_resource *rg = ds_ref_of(d, st, n);
    if (rg)
        return ds_res_key(d, rg);
    const char *id = ds_str_of(d, st, n);
    return id ? ds_name_key(d, F_EC, lower_copy(d, id)) : NULL;
}

void ds_index_ec_global(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    const char *primary = NULL;
    if (!strcmp(r->type, "aws_elasticache_global_replication_group")) {
        primary = ec_key_of(d, st, rl_node_get(r->props, "primary_replication_group_id"));
    } else {
        const rl_node *ms = rl_node_get(r->props, "Members");
        for (size_t i = 0; i < ds_items(ms) && !primary; i++)
            if (rl_node_streq(rl_node_get(ds_item(ms, i), "Role"), "PRIMARY"))
                primary = ec_key_of(d, st, rl_node_get(ds_item(ms, i), "ReplicationGroupId"));
        for (size_t i = 0; primary && i < ds_items(ms); i++) {
            const rl_node *mb = ds_item(ms, i);
            if (rl_node_streq(rl_node_get(mb, "Role"), "PRIMARY"))
                continue;
            const rl_node *rn = rl_node_get(mb, "ReplicationGroupRegion");
            const char *p = ds_sub_path(d, r, "Members");
            pend_ctx pc = {primary,
                           RL_MECH_ELASTICACHE,
                           st,
                           rn ? rn : mb,
                           p ? rl_arena_printf(d->a, "%s[%zu]", p, i) : NULL,
                           false};
            ds_each_region(d, st, rn, false, pend_region, &pc);
        }
    }
    const char *k = ds_res_key(d, r);
    if (k && rl_hmap_puts(&d->db->src_member, k, (void *)(primary ? primary : "")) < 0)
        d->rc = RL_ENOMEM;
}

/* A replication group of another region that joins a global datastore. */
void ds_index_ec_secondary(ds *d, const rl_resource *r)
{
    const rl_node *g = ds_prop(r, "GlobalReplicationGroupId", "global_replication_group_id");
    if (!ds_present(g) || rl_model_is_primary(d->m, r->stack->region))
        return;
    const char *path = ds_sub_path(
        d, r, ds_is_tf(r->stack) ? "global_replication_group_id" : "GlobalReplicationGroupId");
    const rl_resource *gr = ds_ref_of(d, r->stack, g);
    const char *primary = NULL;
    if (gr) {
        char buf[600];
        snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)gr->stack->input, gr->id);
        primary = rl_hmap_gets(&d->db->src_member, buf);
    }
    if (primary && *primary)
        pend(d, primary, RL_MECH_ELASTICACHE, r->stack->region, FIGURE, RL_HOW_NO, r->stack, g,
             path, false);
    else
        orphan_add(d, F_EC, RL_MECH_ELASTICACHE, r->stack->region, RL_HOW_NO, r->stack, g, path);
}

void ds_index_memorydb(ds *d, const rl_resource *r)
{
    const char *mr =
        ds_str_of(d, r->stack, ds_prop(r, "MultiRegionClusterName", "multi_region_cluster_name"));
    if (mr && r->stack->region)
        member_add(d, ds_name_key(d, F_MEMORYDB, mr), r->stack->region, r, &d->db->members);
}

/* A Terraform secret whose value a secret version writes in the configuration is restored by
 * applying it: not a store. A generated value (random_password) is not written. */
void ds_index_secret_version(ds *d, const rl_resource *r)
{
    const rl_resource *sec = ds_ref_of(d, r->stack, rl_node_get(r->props, "secret_id"));
    const rl_node *val = rl_node_get(r->props, "secret_string");
    alts v;
    if (!sec || !ds_present(val) || ds_eval(d, r->stack, val, &v) < 0 || !v.n)
        return;
    for (size_t i = 0; i < v.n; i++)
        if (!v.v[i].complete)
            return;
    const char *k = ds_res_key(d, sec);
    if (k && rl_hmap_puts(&d->db->secret_values, k, (void *)1) < 0)
        d->rc = RL_ENOMEM;
}

/* -- AWS Backup plans and selections, Data Lifecycle Manager policies -- */

/* The regions a copy action's destination vault is in. */
static void copy_regions(ds *d, const rl_stack *st, const rl_node *vault, plan_rule *pr)
{
    const rl_resource *v = ds_ref_of(d, st, vault);
    if (v) {
        if (v->stack->region && pr->nregions < 8)
            pr->regions[pr->nregions++] = v->stack->region;
        else
            pr->unknown = true;
        return;
    }
    alts a;
    if (ds_eval(d, st, vault, &a) < 0)
        return;
    for (size_t i = 0; i < a.n; i++) {
        rl_arn arn;
        char rb[64];
        const char *reg = NULL;
        if (rl_arn_parse(a.v[i].s, a.v[i].len, &arn) && rl_arn_region_of(&arn, rb, sizeof(rb)))
            reg = ds_intern(d, rb);
        if (reg && pr->nregions < 8)
            pr->regions[pr->nregions++] = reg;
        else
            pr->unknown = true;
    }
}

void ds_index_plan(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = ds_is_tf(st);
    plan *p = rl_arena_calloc(d->a, 1, sizeof(*p));
    if (!p) {
        d->rc = RL_ENOMEM;
        return;
    }
    p->res = r;
    const rl_node *body = tf ? r->props : rl_node_get(r->props, "BackupPlan");
    p->name = ds_str_of(d, st, rl_node_get(body, tf ? "name" : "BackupPlanName"));
    const rl_node *rules = rl_node_get(body, tf ? "rule" : "BackupPlanRule");
    plan_rule **tail = &p->rules;
    for (size_t i = 0; i < ds_items(rules) && !d->rc; i++) {
        const rl_node *ru = ds_item(rules, i);
        const rl_node *copies = rl_node_get(ru, tf ? "copy_action" : "CopyActions");
        if (!ds_items(copies))
            continue; /* backups that stay in the region */
        plan_rule *pr = rl_arena_calloc(d->a, 1, sizeof(*pr));
        if (!pr) {
            d->rc = RL_ENOMEM;
            return;
        }
        pr->name = ds_str_of(d, st, rl_node_get(ru, tf ? "rule_name" : "RuleName"));
        const rl_node *sched = rl_node_get(ru, tf ? "schedule" : "ScheduleExpression");
        /* without a schedule AWS Backup runs the rule daily: cron(0 5 ? * * *) */
        const char *expr = ds_present(sched) ? ds_str_of(d, st, sched) : "cron(0 5 ? * * *)";
        pr->gap = rl_ds_schedule_gap(expr);
        const rl_node *at = NULL;
        for (size_t j = 0; j < ds_items(copies); j++) {
            const rl_node *vault = rl_node_get(
                ds_item(copies, j), tf ? "destination_vault_arn" : "DestinationBackupVaultArn");
            if (!vault)
                continue;
            if (!at)
                at = vault;
            copy_regions(d, st, vault, pr);
        }
        pr->file = rl_doc_path(st->input->doc);
        pr->span = (at ? at : ru)->span;
        const char *base = ds_sub_path(d, r, tf ? "rule" : "BackupPlan.BackupPlanRule");
        pr->path = base ? rl_arena_printf(d->a, "%s[%zu]", base, i) : NULL;
        *tail = pr;
        tail = &pr->next;
    }
    const char *k = ds_res_key(d, r);
    if (k && rl_hmap_puts(&d->db->plans, k, p) < 0)
        d->rc = RL_ENOMEM;
}

static void tag_ref(ds *d, const rl_stack *st, const rl_node *key, const rl_node *value, int op,
                    tagref *t)
{
    memset(t, 0, sizeof(*t));
    t->op = op;
    t->key = ds_str_of(d, st, key);
    t->value = ds_str_of(d, st, value);
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

void ds_index_selection(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = ds_is_tf(st);
    selection *s = rl_arena_calloc(d->a, 1, sizeof(*s));
    if (!s) {
        d->rc = RL_ENOMEM;
        return;
    }
    s->st = st;
    s->node = r->node;
    const rl_node *pid = rl_node_get(r->props, tf ? "plan_id" : "BackupPlanId");
    const rl_resource *pr = ds_ref_of(d, st, pid);
    if (pr) {
        char buf[600];
        snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)pr->stack->input, pr->id);
        s->plan = rl_hmap_gets(&d->db->plans, buf);
    }
    const rl_node *body = tf ? r->props : rl_node_get(r->props, "BackupSelection");
    s->name = ds_str_of(d, st, rl_node_get(body, tf ? "name" : "SelectionName"));
    s->resources = rl_node_get(body, tf ? "resources" : "Resources");
    s->not_resources = rl_node_get(body, tf ? "not_resources" : "NotResources");
    const rl_node *tags = rl_node_get(body, tf ? "selection_tag" : "ListOfTags");
    s->ntags = ds_items(tags);
    s->tags = tag_refs(d, s->ntags);
    for (size_t i = 0; s->tags && i < s->ntags; i++) {
        const rl_node *t = ds_item(tags, i);
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
    for (size_t c = 0; c < ds_items(conds); c++)
        for (int o = 0; o < 4; o++)
            nc += ds_items(rl_node_get(ds_item(conds, c), ops[o][tf]));
    s->conds = tag_refs(d, nc);
    for (size_t c = 0; s->conds && c < ds_items(conds); c++)
        for (int o = 0; o < 4; o++) {
            const rl_node *l = rl_node_get(ds_item(conds, c), ops[o][tf]);
            for (size_t i = 0; i < ds_items(l); i++)
                tag_ref(d, st, rl_node_get(ds_item(l, i), tf ? "key" : "ConditionKey"),
                        rl_node_get(ds_item(l, i), tf ? "value" : "ConditionValue"), o,
                        &s->conds[s->nconds++]);
        }
    s->next = d->db->selections;
    d->db->selections = s;
}

void ds_index_dlm(ds *d, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = ds_is_tf(st);
    const char *state = ds_str_of(d, st, rl_node_get(r->props, tf ? "state" : "State"));
    if (state && strcasecmp(state, "ENABLED"))
        return;
    const rl_node *pd = rl_node_get(r->props, tf ? "policy_details" : "PolicyDetails");
    if (rl_node_is_seq(pd))
        pd = rl_node_at(pd, 0);
    const rl_node *types = rl_node_get(pd, tf ? "resource_types" : "ResourceTypes");
    bool volumes = false;
    for (size_t i = 0; i < ds_items(types); i++)
        volumes = volumes || rl_node_streq(ds_item(types, i), "VOLUME");
    if (!volumes)
        return; /* INSTANCE policies snapshot the volumes of tagged instances */
    const rl_node *tt = rl_node_get(pd, tf ? "target_tags" : "TargetTags");
    const rl_node *scheds = rl_node_get(pd, tf ? "schedule" : "Schedules");
    for (size_t i = 0; i < ds_items(scheds) && !d->rc; i++) {
        const rl_node *sc = ds_item(scheds, i);
        const rl_node *copies =
            rl_node_get(sc, tf ? "cross_region_copy_rule" : "CrossRegionCopyRules");
        if (!ds_items(copies))
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
            p->ntags = ds_items(tt);
            p->tags = tag_refs(d, p->ntags);
            for (size_t t = 0; p->tags && t < p->ntags; t++)
                tag_ref(d, st, rl_node_get(ds_item(tt, t), "Key"),
                        rl_node_get(ds_item(tt, t), "Value"), 0, &p->tags[t]);
        }
        const rl_node *cr = rl_node_get(sc, tf ? "create_rule" : "CreateRule");
        if (rl_node_is_seq(cr))
            cr = rl_node_at(cr, 0);
        const rl_node *cron = rl_node_get(cr, tf ? "cron_expression" : "CronExpression");
        if (ds_present(cron)) {
            p->gap = rl_ds_schedule_gap(ds_str_of(d, st, cron));
        } else {
            double iv = ds_number_of(d, st, rl_node_get(cr, tf ? "interval" : "Interval"), -1);
            const char *unit =
                ds_str_of(d, st, rl_node_get(cr, tf ? "interval_unit" : "IntervalUnit"));
            /* DLM counts intervals in hours (the only unit it accepts) */
            p->gap = iv > 0 && (!unit || !strcasecmp(unit, "HOURS")) ? (long)(iv * 3600) : -1;
        }
        for (size_t c = 0; c < ds_items(copies); c++) {
            const rl_node *cp = ds_item(copies, c);
            const rl_node *tr = rl_node_get(cp, tf ? "target" : "TargetRegion");
            if (!tr && !tf)
                tr = rl_node_get(cp, "Target");
            const char *reg = ds_str_of(d, st, tr);
            if (reg && rl_is_region(reg, strlen(reg)) && p->nregions < 8)
                p->regions[p->nregions++] = ds_intern(d, reg);
            else
                p->unknown = true;
            if (c == 0) {
                p->file = rl_doc_path(st->input->doc);
                p->span = (tr ? tr : cp)->span;
            }
        }
        const char *base =
            ds_sub_path(d, r, tf ? "policy_details.schedule" : "PolicyDetails.Schedules");
        p->path = base ? rl_arena_printf(d->a, "%s[%zu]", base, i) : NULL;
        p->next = d->db->dlms;
        d->db->dlms = p;
    }
}
