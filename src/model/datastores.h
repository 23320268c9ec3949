/* Data stores in the model: the stateful resources of the primary region (DynamoDB, RDS,
 * Aurora, DocumentDB, Neptune, S3, EFS, FSx, EBS, ElastiCache, MemoryDB, OpenSearch, Redshift,
 * Secrets Manager), every mechanism that brings their data to another region (replication
 * of the store itself or of another region's stack, AWS Backup copy actions, snapshot copies)
 * with the best recovery point it can promise, and the writers of stores whose replicas all
 * accept writes. Private to the model and the data rules (src/rules/data.c). */
#ifndef RL_MODEL_DATASTORES_H
#define RL_MODEL_DATASTORES_H

#include <regionlint/eval.h>
#include <regionlint/model.h>

typedef struct rl_ds_db rl_ds_db;

/* How a store's data reaches a region, weakest first (the order is used). */
typedef enum rl_ds_class {
    RL_DS_NONE = 0, /* nothing reaches it */
    RL_DS_BACKUP,   /* copies of backups or snapshots, restored after a failover */
    RL_DS_ASYNC,    /* asynchronous replication */
    RL_DS_SYNC      /* synchronous replication: a write is in both regions when it succeeds */
} rl_ds_class;

typedef enum rl_ds_mech {
    RL_MECH_DDB_STRONG = 0, /* DynamoDB global table, MultiRegionConsistency STRONG */
    RL_MECH_DDB_GLOBAL,     /* DynamoDB global table (eventual consistency) */
    RL_MECH_AURORA_GLOBAL,  /* Aurora global database */
    RL_MECH_DOCDB_GLOBAL,   /* DocumentDB global cluster */
    RL_MECH_NEPTUNE_GLOBAL, /* Neptune global database */
    RL_MECH_RDS_REPLICA,    /* RDS cross-Region read replica */
    RL_MECH_AURORA_REPLICA, /* Aurora cross-Region read replica (ReplicationSourceIdentifier) */
    RL_MECH_S3_RTC,         /* S3 replication with Replication Time Control */
    RL_MECH_S3_CRR,         /* S3 replication without RTC */
    RL_MECH_EFS,            /* EFS replication */
    RL_MECH_ELASTICACHE,    /* ElastiCache global datastore */
    RL_MECH_MEMORYDB,       /* MemoryDB Multi-Region */
    RL_MECH_SECRET,         /* Secrets Manager replica regions */
    RL_MECH_RDS_BACKUPS,    /* RDS automated backups replicated to another region */
    RL_MECH_BACKUP_COPY,    /* AWS Backup copy action to a vault of another region */
    RL_MECH_REDSHIFT_COPY,  /* Redshift cross-Region snapshot copy */
    RL_MECH_DLM_COPY,       /* Data Lifecycle Manager cross-Region snapshot copy */
    RL_MECH_COUNT
} rl_ds_mech;

/* One row of the table of mechanisms (docs/rules/RL601.md shows it with its sources). */
typedef struct rl_ds_mech_info {
    rl_ds_mech mech;
    rl_ds_class cls;
    const char *name;   /* "DynamoDB global table replication" */
    long rpo;           /* the best recovery point it can promise, in seconds; -1: the
                           configured schedule decides (backups and snapshot copies) */
    const char *figure; /* what AWS publishes, for messages */
} rl_ds_mech_info;

const rl_ds_mech_info *rl_ds_mech_info_of(rl_ds_mech mech);

/* Through what a mechanism works, for the rules' messages. */
typedef enum rl_ds_how_kind {
    RL_HOW_NONE = 0,
    RL_HOW_PLAN,              /* AWS Backup plan `name`, rule `rule` (every link->rpo) */
    RL_HOW_SELECTION,         /* AWS Backup selection `name` whose plan cannot be read */
    RL_HOW_LIFECYCLE,         /* Data Lifecycle Manager policy `name` (every link->rpo) */
    RL_HOW_BUCKET,            /* S3 replication to bucket `name` */
    RL_HOW_UNNAMED_GLOBAL,    /* a global cluster the files cannot name */
    RL_HOW_UNNAMED_SECONDARY, /* a secondary cluster whose global cluster cannot be named */
    RL_HOW_UNNAMED_SOURCE     /* a copy whose source the files cannot name */
} rl_ds_how_kind;

typedef struct rl_ds_how {
    rl_ds_how_kind kind;
    const char *name, *rule;
} rl_ds_how;

#define RL_HOW_NO ((rl_ds_how){RL_HOW_NONE, NULL, NULL})

/* One mechanism that brings a store's data to a region. */
typedef struct rl_ds_link {
    const rl_ds_mech_info *info;
    const char *region; /* the region it reaches; NULL when the files cannot tell */
    long rpo;           /* seconds; -1 when the schedule cannot be read */
    rl_ds_how how;      /* through what (messages are the rules')*/
    const char *file;   /* where it is configured */
    rl_span span;
    const char *path;
    struct rl_ds_link *next;
} rl_ds_link;

/* A writer of a store whose replicas all accept writes: a role (or a function without one)
 * used in one region that may write to the replica of `region`. */
typedef struct rl_ds_writer {
    const char *region; /* the replica the writes land in */
    const char *label;  /* "role orders-api (dynamodb:PutItem)", "function Ingest names it" */
    const char *file;   /* the grant or the property that names the store */
    rl_span span;
    struct rl_ds_writer *next;
} rl_ds_writer;

/* A stateful resource of the primary region. */
typedef struct rl_ds_store {
    const rl_resource *res;
    const char *kind;  /* "DynamoDB table", "S3 bucket", ... */
    const char *name;  /* physical name when it resolves, else NULL */
    bool backup;       /* AWS Backup can protect this kind of store */
    bool data;         /* business data held to the declared RPO (secrets are not) */
    rl_ds_link *links; /* mechanisms, in the order they were found */
    /* replicas that all accept writes and settle conflicts by last writer wins */
    bool lww;
    const char *lww_how;   /* "global table replicas", "two-way S3 replication", ... */
    const char *forwarded; /* Aurora: the region of a secondary that forwards writes, or NULL */
    const rl_resource *forwarder;
    uint64_t replicas;     /* regions of the pair (bit i = m->regions[i]) with a writable replica */
    rl_ds_writer *writers; /* per region, one without a place and at most
                              RL_DS_WRITERS_KEPT at different places, first found first */
    bool writers_done;
    /* why the files cannot tell whether something copies it (a copy property under an
     * undecided condition, a custom resource that takes it), or NULL; where */
    const char *unknown;
    const char *unknown_file, *unknown_path;
    rl_span unknown_span;
} rl_ds_store;

#define RL_DS_WRITERS_KEPT 8

/* Builds the primary region's stores with their links (RL_ANALYSIS_DATA), and the writers
 * of every store with writable replicas (rl_ds_store.writers, RL_ANALYSIS_WRITERS) from the
 * IAM policies of the roles each region's stacks use and from functions that name the
 * store. The model build calls them when an enabled rule needs them. 0 or RL_ENOMEM. */
int rl_ds_build(rl_model *m);
int rl_ds_writers_build(rl_model *m);

/* The stores rl_ds_build() made (none when it was not asked for); the array lives as long
 * as the model. Returns 0 or the build's RL_ENOMEM. */
int rl_ds_stores(const rl_model *m, rl_ds_store *const **out, size_t *n);

/* What reaches `region` for a store: the strongest class among the links that reach it and
 * among the links whose region is unknown (which may reach it), and the smallest recovery
 * point among them (-1 when some candidate's figure is unknown). `best` is the link behind
 * the smallest figure (or the strongest class), NULL when none. */
typedef struct rl_ds_reach {
    rl_ds_class known; /* strongest class known to reach the region */
    rl_ds_class maybe; /* strongest class of links whose region is unknown */
    long rpo;          /* best figure over both; -1 unknown or none */
    const rl_ds_link *best;
} rl_ds_reach;
void rl_ds_reach_of(const rl_ds_store *s, const char *region, rl_ds_reach *out);

/* Longest gap in seconds between two runs of an AWS cron(...) or rate(...) expression, or -1
 * when it cannot be read (L, W and # are not read). Exposed for tests. */
long rl_ds_schedule_gap(const char *expr);

/* Frees what rl_ds_build() and rl_ds_writers_build() built (the model calls it). */
void rl_ds_db_free(rl_ds_db *db);

#endif
