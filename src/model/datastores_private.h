/* Internals shared by the data-store analysis (datastores.c: the database, the stores and
 * the build; datastores_copies.c: pass 1, what other resources say about the stores;
 * datastores_links.c: pass 2, each store and its links; datastores_writers.c: who writes
 * each store). Private to those files. */
#ifndef RL_MODEL_DATASTORES_PRIVATE_H
#define RL_MODEL_DATASTORES_PRIVATE_H

#include "datastores.h"

#include "../base/aws.h"
#include "../base/time.h"

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

typedef struct collect_ctx {
    ds *d;
    alts *out;
} collect_ctx;

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

#define FIGURE (-2) /* add_link: the mechanism's own figure */

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

typedef struct pending { /* a link found before its store, keyed like by_res / by_name */
    rl_ds_link link;
    bool lww; /* it reaches a writable replica (a DynamoDB global table's) */
    struct pending *next;
} pending;

/* Calls fn for every node at a dotted path; "[]" steps into every item of a list (or the one
 * object Terraform may write instead of a list). */
typedef void (*at_fn)(ds *d, const rl_resource *r, const rl_node *n, const char *path, void *ctx);

/* Regions of a value (a region list item, a Terraform attribute): calls back per region,
 * NULL for one that cannot be resolved. */
typedef void (*region_fn)(ds *d, const char *region, void *ctx);

typedef struct pend_ctx {
    const char *key;
    rl_ds_mech mech;
    const rl_stack *st;
    const rl_node *where;
    const char *path;
    bool lww;
} pend_ctx;

typedef struct tagv {
    const char *key, *value; /* value NULL: cannot be known */
} tagv;

typedef struct own_ctx {
    rl_ds_store *s;
    rl_ds_mech mech;
    const rl_node *where;
    const char *path;
    bool lww;
} own_ctx;

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

#define RES_KEY_MAX 512

typedef struct attach_ctx {
    wctx *w;
    const char *keys[8];
    const char *names[8];
    size_t n;
} attach_ctx;

typedef struct key_node { /* the roles a resource uses */
    const char *key;
    struct key_node *next;
} key_node;

typedef struct naming { /* the function being read */
    const key_node *keys;
    bool known; /* its roles' policies were read */
} naming;

/* ---- shared helpers, by the file that defines them ------------------------------------ */

/* the database, evaluation, stores and the build (datastores.c) */
extern const rl_ds_mech_info ds_mechs[RL_MECH_COUNT];
bool ds_is_tf(const rl_stack *st);
const rl_node *ds_prop(const rl_resource *r, const char *cfn, const char *tf);
bool ds_present(const rl_node *n);
size_t ds_items(const rl_node *n);
const rl_node *ds_item(const rl_node *n, size_t i);
uint64_t ds_bit_of(const rl_model *m, const char *region);
const char *ds_res_key(ds *d, const rl_resource *r);
const char *ds_name_key(ds *d, int fam, const char *name);
const char *ds_intern(ds *d, const char *s);
int ds_on_alt(void *ctx, const rl_evstr *s);
int ds_eval(ds *d, const rl_stack *st, const rl_node *n, alts *out);
const rl_resource *ds_ref_of(ds *d, const rl_stack *st, const rl_node *n);
const char *ds_str_of(ds *d, const rl_stack *st, const rl_node *n);
bool ds_is_true(ds *d, const rl_stack *st, const rl_node *n);
double ds_number_of(ds *d, const rl_stack *st, const rl_node *n, double dflt);
const char *ds_alt_region(ds *d, const alt *a, bool az);
int ds_family_of(int kind);
void ds_add_link_at(ds *d, rl_ds_store *s, const rl_ds_mech_info *info, const char *region,
                    long rpo, rl_ds_how how, const char *file, const rl_span *span,
                    const char *path);
void ds_add_link(ds *d, rl_ds_store *s, rl_ds_mech mech, const char *region, long rpo,
                 rl_ds_how how, const rl_stack *st, const rl_node *where, const char *path);
const char *ds_sub_path(ds *d, const rl_resource *r, const char *rest);
bool ds_in_pair(const rl_model *m, const rl_stack *st);

/* pass 1: what other resources say about the stores (datastores_copies.c) */
const char *ds_arn_name(ds *d, const alt *a, const char *service, const char *prefix, bool lower,
                        const char **region);
void ds_each_at(ds *d, const rl_resource *r, const rl_node *n, const char *path, const char *done,
                at_fn fn, void *ctx);
void ds_index_log_dests(ds *d, const rl_resource *r);
/* Marks the types that name log or artifact destinations with `role` in a type map. */
int ds_index_log_dest_types(rl_hmap *m, uintptr_t role);
void ds_index_bucket(ds *d, const rl_resource *r);
void ds_index_replication(ds *d, const rl_resource *r);
void ds_resolve_edge(ds *d, s3edge *e);
int ds_cluster_family(const char *t);
int ds_global_family(const char *t);
rl_ds_mech ds_global_mech(int fam);
size_t ds_cluster_ids(ds *d, const rl_resource *r, const char **ids, size_t max, bool *unknown);
void ds_index_cluster(ds *d, const rl_resource *r, int fam);
void ds_index_global(ds *d, const rl_resource *r, int fam);
void ds_index_rds_copy(ds *d, const rl_resource *r, const rl_node *src, rl_ds_mech mech,
                       const char *path);
void ds_index_copy_of(ds *d, const rl_resource *r, const rl_node *src, int fam, const char *service,
                      const char *prefix, rl_ds_mech mech, const char *region, const char *path,
                      bool lww);
void ds_each_region(ds *d, const rl_stack *st, const rl_node *n, bool az, region_fn fn, void *ctx);
void ds_index_ddb_tf(ds *d, const rl_resource *r);
void ds_index_efs_tf(ds *d, const rl_resource *r);
void ds_index_ec_global(ds *d, const rl_resource *r);
void ds_index_ec_secondary(ds *d, const rl_resource *r);
void ds_index_memorydb(ds *d, const rl_resource *r);
void ds_index_secret_version(ds *d, const rl_resource *r);
void ds_index_plan(ds *d, const rl_resource *r);
void ds_index_selection(ds *d, const rl_resource *r);
void ds_index_dlm(ds *d, const rl_resource *r);

/* pass 2: each store and its links (datastores_links.c) */
bool ds_same_res(const rl_resource *a, const rl_resource *b);
void ds_store_links(ds *d, rl_ds_store *s);
bool ds_nondata_bucket(ds *d, const rl_resource *r, const char *name);

#endif
