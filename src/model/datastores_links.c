/* Data stores, pass 2: each primary store and the links that carry its data to another
 * region. See datastores.c. */
#include "datastores_private.h"

/* ---- pass 2: each store and its links ------------------------------------------------- */

bool ds_same_res(const rl_resource *a, const rl_resource *b)
{
    /* the same resource, or the same logical id of another instance of its template */
    return a && b && (a == b || (a->stack->input == b->stack->input && !strcmp(a->id, b->id)));
}

/* The tags the template gives a store (tags added outside it, stack tags for one, are not
 * visible: docs/rules/RL603.md). */
static size_t store_tags(ds *d, const rl_ds_store *s, tagv *out, size_t max)
{
    const rl_resource *r = s->res;
    const rl_stack *st = r->stack;
    size_t n = 0;
    const rl_node *tags;
    if (ds_is_tf(st)) {
        tags = rl_node_get(r->props, "tags");
        if (!rl_node_is_map(tags))
            tags = rl_node_get(r->props, "tags_all");
        for (size_t i = 0; rl_node_is_map(tags) && i < tags->u.map.count && n < max; i++) {
            out[n].key = rl_node_str(tags->u.map.items[i].key);
            out[n].value = ds_str_of(d, st, tags->u.map.items[i].value);
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
        for (size_t i = 0; i < ds_items(reps) && !tags; i++) {
            const char *reg = ds_str_of(d, st, rl_node_get(ds_item(reps, i), "Region"));
            if (reg && st->region && !strcmp(reg, st->region))
                tags = rl_node_get(ds_item(reps, i), "Tags");
        }
    }
    if (rl_node_is_map(tags)) {
        for (size_t i = 0; i < tags->u.map.count && n < max; i++) {
            out[n].key = rl_node_str(tags->u.map.items[i].key);
            out[n].value = ds_str_of(d, st, tags->u.map.items[i].value);
            if (out[n].key)
                n++;
        }
        return n;
    }
    for (size_t i = 0; i < ds_items(tags) && n < max; i++) {
        out[n].key = ds_str_of(d, st, rl_node_get(ds_item(tags, i), "Key"));
        out[n].value = ds_str_of(d, st, rl_node_get(ds_item(tags, i), "Value"));
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
        const rl_resource *r = ds_ref_of(d, st, it);
        if (r) {
            if (ds_same_res(r, s->res))
                best = 1;
            continue;
        }
        alts v;
        if (ds_eval(d, st, it, &v) < 0)
            return 0;
        for (size_t j = 0; j < v.n && best != 1; j++) {
            const alt *a = &v.v[j];
            int m;
            if (a->complete && a->len == 1 && a->s[0] == '*')
                m = s->backup ? 1 : 0;
            else if (a->via)
                m = ds_same_res(rl_ref_via(st, a->via), s->res) ? 1
                    : rl_ref_via(st, a->via)                    ? 0
                                                                : 2;
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
            ds_add_link(d, s, RL_MECH_BACKUP_COPY, NULL, -1,
                        (rl_ds_how){RL_HOW_SELECTION, sel->name, NULL}, sel->st, sel->node, NULL);
            continue;
        }
        for (const plan_rule *pr = sel->plan->rules; pr && !d->rc; pr = pr->next) {
            rl_ds_how det = {RL_HOW_PLAN, sel->plan->name, pr->name};
            for (size_t i = 0; i < pr->nregions; i++)
                ds_add_link_at(d, s, &ds_mechs[RL_MECH_BACKUP_COPY], pr->regions[i], pr->gap, det,
                               pr->file, &pr->span, pr->path);
            if (pr->unknown)
                ds_add_link_at(d, s, &ds_mechs[RL_MECH_BACKUP_COPY], NULL, pr->gap, det, pr->file,
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
        rl_ds_how det = {RL_HOW_LIFECYCLE, p->name, NULL};
        for (size_t i = 0; i < p->nregions; i++)
            ds_add_link_at(d, s, &ds_mechs[RL_MECH_DLM_COPY], p->regions[i], p->gap, det, p->file,
                           &p->span, p->path);
        if (p->unknown)
            ds_add_link_at(d, s, &ds_mechs[RL_MECH_DLM_COPY], NULL, p->gap, det, p->file, &p->span,
                           p->path);
    }
}

static void add_replica(ds *d, rl_ds_store *s, const char *region, const char *name,
                        const rl_resource *res)
{
    store_priv *p = (store_priv *)s;
    uint64_t b = ds_bit_of(d->m, region);
    if (!b || (s->replicas & b) || p->nreps == 8)
        return;
    s->replicas |= b;
    p->reps[p->nreps++] = (replica){region, name, res};
}

static void own_region(ds *d, const char *region, void *ctx)
{
    own_ctx *o = ctx;
    ds_add_link(d, o->s, o->mech, region, FIGURE, RL_HOW_NO, o->s->res->stack, o->where, o->path);
    if (o->lww && region)
        add_replica(d, o->s, region, o->s->name, o->s->res);
}

static void own_list(ds *d, rl_ds_store *s, const char *list, const char *key, rl_ds_mech mech,
                     bool az, bool lww)
{
    const rl_resource *r = s->res;
    const rl_node *l = rl_node_get(r->props, list);
    for (size_t i = 0; i < ds_items(l) && !d->rc; i++) {
        const rl_node *it = ds_item(l, i);
        const rl_node *rn = rl_node_get(it, key);
        bool isaz = false;
        if (!rn && az) {
            rn = rl_node_get(it, ds_is_tf(r->stack) ? "availability_zone_name"
                                                    : "AvailabilityZoneName");
            isaz = true;
        }
        const char *base = ds_sub_path(d, r, list);
        own_ctx o = {s, mech, rn ? rn : it,
                     base ? (rl_node_is_seq(l) ? rl_arena_printf(d->a, "%s[%zu].%s", base, i, key)
                                               : rl_arena_printf(d->a, "%s.%s", base, key))
                          : NULL,
                     lww};
        if (rn)
            ds_each_region(d, r->stack, rn, isaz, own_region, &o);
        else
            own_region(d, NULL, &o);
    }
}

static void cluster_links(ds *d, rl_ds_store *s, int fam)
{
    const rl_resource *r = s->res;
    const char *ids[RL_EVAL_MAX_ALTERNATIVES];
    bool unknown;
    size_t n = ds_cluster_ids(d, r, ids, RL_EVAL_MAX_ALTERNATIVES, &unknown);
    /* a global cluster created from this one */
    char buf[600];
    snprintf(buf, sizeof(buf), "%p\x1f%s", (const void *)r->stack->input, r->id);
    const char *gk = rl_hmap_gets(&d->db->src_member, buf);
    if (!gk && s->name) {
        snprintf(buf, sizeof(buf), "N%d|%s", fam, s->name);
        gk = rl_hmap_gets(&d->db->src_member, buf);
    }
    const rl_node *where = ds_prop(r, "GlobalClusterIdentifier", "global_cluster_identifier");
    const char *path = ds_sub_path(
        d, r, ds_is_tf(r->stack) ? "global_cluster_identifier" : "GlobalClusterIdentifier");
    bool joined = n > 0 || unknown || gk;
    const char *keys[RL_EVAL_MAX_ALTERNATIVES + 1];
    size_t nk = 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i])
            keys[nk++] = ds_name_key(d, fam, ids[i]);
    if (gk && *gk)
        keys[nk++] = gk;
    if (unknown || (gk && !*gk))
        ds_add_link(d, s, ds_global_mech(fam), NULL, FIGURE,
                    (rl_ds_how){RL_HOW_UNNAMED_GLOBAL, NULL, NULL}, r->stack,
                    where ? where : r->node, path);
    for (size_t i = 0; i < nk && !d->rc; i++) {
        for (const member *mb = rl_hmap_gets(&d->db->members, keys[i]); mb; mb = mb->next) {
            if (ds_same_res(mb->res, r))
                continue;
            ds_add_link(d, s, ds_global_mech(fam), mb->region, FIGURE, RL_HOW_NO, mb->res->stack,
                        ds_prop(mb->res, "GlobalClusterIdentifier", "global_cluster_identifier"),
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
            ds_add_link(d, s, ds_global_mech(fam), d->m->regions[i], FIGURE,
                        (rl_ds_how){RL_HOW_UNNAMED_SECONDARY, NULL, NULL}, r->stack,
                        where ? where : r->node, path);
}

static void memorydb_links(ds *d, rl_ds_store *s)
{
    const rl_resource *r = s->res;
    const char *mr =
        ds_str_of(d, r->stack, ds_prop(r, "MultiRegionClusterName", "multi_region_cluster_name"));
    if (!mr)
        return;
    s->lww = true;
    s->lww_how = "MemoryDB Multi-Region clusters";
    for (const member *mb = rl_hmap_gets(&d->db->members, ds_name_key(d, F_MEMORYDB, mr)); mb;
         mb = mb->next)
        if (!ds_same_res(mb->res, r))
            ds_add_link(d, s, RL_MECH_MEMORYDB, mb->region, FIGURE, RL_HOW_NO, mb->res->stack,
                        ds_prop(mb->res, "MultiRegionClusterName", "multi_region_cluster_name"),
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
        if ((back->dst && ds_same_res(back->dst, s->res)) ||
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
            rl_ds_how det = {RL_HOW_BUCKET,
                             e->dst_name ? e->dst_name
                             : e->dst    ? e->dst->id
                                         : NULL,
                             NULL};
            if (!det.name)
                det.kind = RL_HOW_NONE;
            ds_add_link_at(d, s, &ds_mechs[e->rtc ? RL_MECH_S3_RTC : RL_MECH_S3_CRR], e->region,
                           ds_mechs[e->rtc ? RL_MECH_S3_RTC : RL_MECH_S3_CRR].rpo, det, e->file,
                           &e->span, e->path);
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
        ds_add_link_at(d, s, p->link.info, p->link.region, p->link.rpo, p->link.how, p->link.file,
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

void ds_store_links(ds *d, rl_ds_store *s)
{
    store_priv *p = (store_priv *)s;
    const rl_resource *r = s->res;
    const rl_stack *st = r->stack;
    bool tf = ds_is_tf(st);
    int fam = ds_family_of(p->t->kind);
    switch (p->t->kind) {
    case K_DDB_GLOBAL:
    case K_DDB: {
        const char *cons = ds_str_of(d, st, rl_node_get(r->props, "MultiRegionConsistency"));
        bool strong = cons && !strcasecmp(cons, "STRONG");
        if (tf) {
            const rl_node *reps = rl_node_get(r->props, "replica");
            for (size_t i = 0; i < ds_items(reps); i++) {
                const char *cm =
                    ds_str_of(d, st, rl_node_get(ds_item(reps, i), "consistency_mode"));
                strong = strong || (cm && !strcasecmp(cm, "STRONG"));
            }
            if (ds_items(reps))
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
        if (!tf && ds_present(rl_node_get(r->props, "AutomaticBackupReplicationRegion"))) {
            const rl_node *rn = rl_node_get(r->props, "AutomaticBackupReplicationRegion");
            own_ctx o = {s, RL_MECH_RDS_BACKUPS, rn,
                         ds_sub_path(d, r, "AutomaticBackupReplicationRegion"), false};
            ds_each_region(d, st, rn, false, own_region, &o);
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
            for (size_t i = 0; i < ds_items(dests); i++) {
                const rl_node *it = ds_item(dests, i);
                const rl_node *rn = rl_node_get(it, "Region");
                bool az = !rn;
                if (az)
                    rn = rl_node_get(it, "AvailabilityZoneName");
                own_ctx o = {s, RL_MECH_EFS, rn ? rn : it,
                             ds_sub_path(d, r, "ReplicationConfiguration.Destinations"), false};
                if (rn)
                    ds_each_region(d, st, rn, az, own_region, &o);
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
        const rl_node *rn = tf ? rl_node_get(ds_item(rl_node_get(r->props, "snapshot_copy"), 0),
                                             "destination_region")
                               : rl_node_get(r->props, "DestinationRegion");
        if (ds_present(rn)) {
            own_ctx o = {
                s, RL_MECH_REDSHIFT_COPY, rn,
                ds_sub_path(d, r, tf ? "snapshot_copy.destination_region" : "DestinationRegion"),
                false};
            ds_each_region(d, st, rn, false, own_region, &o);
        }
        break;
    }
    case K_MEMORYDB:
        memorydb_links(d, s);
        break;
    default:
        break;
    }
    pending_links(d, s, ds_res_key(d, r));
    if (s->name && fam >= 0)
        pending_links(d, s, ds_name_key(d, fam, s->name));
    for (const orphan *o = d->db->orphans; o && !d->rc; o = o->next)
        if (o->fam == fam)
            ds_add_link_at(d, s, o->link.info, o->link.region, o->link.rpo,
                           (rl_ds_how){RL_HOW_UNNAMED_SOURCE, NULL, NULL}, o->link.file,
                           &o->link.span, o->link.path);
    backup_links(d, s);
    if (p->t->kind == K_EC_RG || p->t->kind == K_EC_CLUSTER || p->t->kind == K_EC_SERVERLESS)
        p->linked_cache = s->links != NULL;
}

/* Buckets that are someone's logs, artifacts or replicas hold no data of their own. */
bool ds_nondata_bucket(ds *d, const rl_resource *r, const char *name)
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
