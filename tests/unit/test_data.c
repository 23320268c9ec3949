/* Data stores in the model: backup schedules, which resources are stores, the links that
 * bring their data to the standby (own replication, other regions' stacks, backup selections
 * by reference, ARN pattern and tags, lifecycle policies), what reaches a region, and the
 * writers of stores whose replicas all take writes (grants, region conditions, denies, SAM
 * policy templates, functions that name a table). */
#include <criterion/criterion.h>
#include <regionlint/eval.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/datastores.h"

typedef struct fx {
    char dir[64];
    rl_inputs *in;
    rl_config *cfg;
    rl_model *m;
} fx;

static void put(fx *f, const char *name, const char *text)
{
    char path[512], cmd[600];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void build(fx *f)
{
    static const char *standby[] = {"us-west-2"};
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_config_empty(&f->cfg), 0);
    cr_assert_eq(rl_inputs_new(&f->in), 0);
    cr_assert_eq(rl_inputs_add_path(f->in, f->dir, NULL, &err), 0, "%s", err.message);
    rl_inputs_load(f->in, NULL);
    rl_inputs_classify(f->in, f->cfg);
    rl_inputs_attribute(f->in, f->cfg);
    rl_model_opts o = {"us-east-1", standby, 1, RL_STRATEGY_WARM_STANDBY, 3600, ~0u, {0, 0, 0}};
    cr_assert_eq(rl_model_build(&f->m, f->in, f->cfg, &o, &err), 0, "%s", err.message);
}

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/rl-data-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    return f;
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_model_free(f->m);
    rl_inputs_free(f->in);
    rl_config_free(f->cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

/* The store with logical id `id`, or NULL. */
static const rl_ds_store *store(fx *f, const char *id)
{
    rl_ds_store *const *s;
    size_t n;
    cr_assert_eq(rl_ds_stores(f->m, &s, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i]->res->id, id))
            return s[i];
    return NULL;
}

static rl_ds_reach reach(fx *f, const char *id)
{
    const rl_ds_store *s = store(f, id);
    cr_assert_not_null(s, "%s is a store", id);
    rl_ds_reach r;
    rl_ds_reach_of(s, "us-west-2", &r);
    return r;
}

/* ---- schedules and durations ----------------------------------------------------------- */

Test(data, schedule_gaps)
{
    cr_assert_eq(rl_ds_schedule_gap("cron(0 5 ? * * *)"), 86400, "AWS Backup's default");
    cr_assert_eq(rl_ds_schedule_gap("cron(0 */4 * * ? *)"), 4 * 3600);
    cr_assert_eq(rl_ds_schedule_gap("cron(15 * ? * * *)"), 3600);
    cr_assert_eq(rl_ds_schedule_gap("cron(0 0,12 * * ? *)"), 12 * 3600);
    cr_assert_eq(rl_ds_schedule_gap("cron(0 1,2 * * ? *)"), 23 * 3600, "the longest gap counts");
    cr_assert_eq(rl_ds_schedule_gap("cron(0 3 ? * MON-FRI *)"), 3 * 86400, "Friday to Monday");
    cr_assert_eq(rl_ds_schedule_gap("cron(0 3 ? * SUN *)"), 7 * 86400);
    cr_assert_eq(rl_ds_schedule_gap("cron(30 1 1 * ? *)"), 31 * 86400, "the longest month");
    cr_assert_eq(rl_ds_schedule_gap("rate(12 hours)"), 12 * 3600);
    cr_assert_eq(rl_ds_schedule_gap("rate(1 day)"), 86400);
    cr_assert_eq(rl_ds_schedule_gap("cron(0 3 L * ? *)"), -1, "L is not read");
    cr_assert_eq(rl_ds_schedule_gap("cron(0 3 ? * 6#3 *)"), -1, "# is not read");
    cr_assert_eq(rl_ds_schedule_gap("cron(0 3 * * ? 2025)"), -1, "a schedule that runs out");
    cr_assert_eq(rl_ds_schedule_gap("cron(0 99 * * ? *)"), -1);
    cr_assert_eq(rl_ds_schedule_gap("daily"), -1);
    cr_assert_eq(rl_ds_schedule_gap(NULL), -1);
}

Test(data, durations)
{
}

Test(data, mechanism_table)
{
    for (int i = 0; i < RL_MECH_COUNT; i++) {
        const rl_ds_mech_info *m = rl_ds_mech_info_of((rl_ds_mech)i);
        cr_assert_eq((int)m->mech, i, "the table is in enum order");
        cr_assert(m->cls != RL_DS_NONE && m->name && m->figure);
        cr_assert(m->cls == RL_DS_BACKUP || m->rpo >= 0, "replication has a figure");
    }
    cr_assert_eq(rl_ds_mech_info_of(RL_MECH_DDB_STRONG)->cls, RL_DS_SYNC);
    cr_assert_eq(rl_ds_mech_info_of(RL_MECH_S3_RTC)->rpo, 900);
    cr_assert_null(rl_ds_mech_info_of(RL_MECH_COUNT));
}

/* ---- stores and their links -------------------------------------------------------------- */

static const char *const table_props = "      BillingMode: PAY_PER_REQUEST\n"
                                       "      AttributeDefinitions: [{AttributeName: id, "
                                       "AttributeType: S}]\n"
                                       "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n";

Test(data, which_resources_are_stores)
{
    fx *f = fx_new();
    char t[4096];
    snprintf(
        t, sizeof(t),
        "Resources:\n"
        "  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n%s"
        "  Member:\n    Type: AWS::RDS::DBInstance\n"
        "    Properties: {DBClusterIdentifier: c, Engine: aurora-mysql}\n"
        "  Replica:\n    Type: AWS::RDS::DBInstance\n"
        "    Properties: {SourceDBInstanceIdentifier: db1}\n"
        "  Memcached:\n    Type: AWS::ElastiCache::CacheCluster\n"
        "    Properties: {Engine: memcached, SnapshotRetentionLimit: 3}\n"
        "  Volatile:\n    Type: AWS::ElastiCache::ReplicationGroup\n"
        "    Properties: {Engine: redis, ReplicationGroupDescription: x}\n"
        "  Durable:\n    Type: AWS::ElastiCache::ReplicationGroup\n"
        "    Properties: {ReplicationGroupDescription: x, SnapshotRetentionLimit: 5}\n"
        "  Written:\n    Type: AWS::SecretsManager::Secret\n"
        "    Properties: {SecretString: '{}'}\n"
        "  Generated:\n    Type: AWS::SecretsManager::Secret\n"
        "    Properties: {GenerateSecretString: {}}\n"
        "  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {AccessControl: LogDeliveryWrite}\n"
        "  Trail:\n    Type: AWS::CloudTrail::Trail\n"
        "    Properties: {S3BucketName: !Ref TrailBucket, IsLogging: true}\n"
        "  TrailBucket:\n    Type: AWS::S3::Bucket\n"
        "  Data:\n    Type: AWS::S3::Bucket\n",
        table_props);
    put(f, "us-east-1/app.yaml", t);
    put(f, "us-east-1/tf/main.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-east-1\"}}, \"resource\": {"
        "\"aws_secretsmanager_secret\": {\"written\": {\"name\": \"w\"}, \"open\": {\"name\": "
        "\"o\"}},"
        "\"aws_secretsmanager_secret_version\": {\"written\": {\"secret_id\": "
        "\"${aws_secretsmanager_secret.written.id}\", \"secret_string\": \"{}\"}}}}");
    build(f);
    cr_assert_not_null(store(f, "Table"));
    cr_assert_null(store(f, "Member"), "an Aurora member is its cluster's");
    cr_assert_null(store(f, "Replica"), "a read replica is its source's copy");
    cr_assert_null(store(f, "Memcached"));
    cr_assert_null(store(f, "Volatile"), "a cache without snapshots keeps nothing");
    cr_assert_not_null(store(f, "Durable"));
    cr_assert_null(store(f, "Written"), "deploying restores a written value");
    cr_assert_not_null(store(f, "Generated"));
    cr_assert(!store(f, "Generated")->data, "credentials are not held to the RPO");
    cr_assert_null(store(f, "Logs"));
    cr_assert_null(store(f, "TrailBucket"), "a CloudTrail destination holds logs");
    cr_assert_not_null(store(f, "Data"));
    cr_assert_null(store(f, "aws_secretsmanager_secret.written"));
    cr_assert_not_null(store(f, "aws_secretsmanager_secret.open"));
    fx_free(f);
}

Test(data, global_tables)
{
    fx *f = fx_new();
    char t[2048];
    snprintf(t, sizeof(t),
             "Resources:\n"
             "  Eventual:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n%s"
             "      TableName: eventual\n"
             "      Replicas: [{Region: us-east-1}, {Region: us-west-2}]\n"
             "  Strong:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n%s"
             "      MultiRegionConsistency: STRONG\n"
             "      Replicas: [{Region: us-east-1}, {Region: us-west-2}]\n"
             "  Elsewhere:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n%s"
             "      Replicas: [{Region: us-east-1}, {Region: eu-west-1}]\n"
             "  Unknown:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n%s"
             "      Replicas: [{Region: us-east-1}, {Region: !Ref Other}]\n"
             "Parameters:\n  Other: {Type: String}\n",
             table_props, table_props, table_props, table_props);
    put(f, "us-east-1/tables.yaml", t);
    build(f);
    rl_ds_reach r = reach(f, "Eventual");
    cr_assert_eq(r.known, RL_DS_ASYNC);
    cr_assert_eq(r.rpo, 1);
    cr_assert(store(f, "Eventual")->lww);
    cr_assert_eq(store(f, "Eventual")->replicas, 3, "both regions have a writable replica");
    r = reach(f, "Strong");
    cr_assert_eq(r.known, RL_DS_SYNC);
    cr_assert_eq(r.rpo, 0);
    cr_assert(!store(f, "Strong")->lww, "conflicting writes fail instead of being lost");
    r = reach(f, "Elsewhere");
    cr_assert_eq(r.known, RL_DS_NONE, "a replica in a third region is not the standby's");
    cr_assert_eq(r.maybe, RL_DS_NONE);
    r = reach(f, "Unknown");
    cr_assert_eq(r.known, RL_DS_NONE);
    cr_assert_eq(r.maybe, RL_DS_ASYNC, "a region from a parameter may be the standby");
    fx_free(f);
}

Test(data, s3_replication)
{
    fx *f = fx_new();
    put(f, "us-east-1/buckets.yaml",
        "Resources:\n"
        "  ByStack:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      BucketName: a-east\n"
        "      ReplicationConfiguration:\n        Role: r\n        Rules:\n"
        "          - Status: Enabled\n            Destination:\n"
        "              Bucket: arn:aws:s3:::a-west\n"
        "              ReplicationTime: {Status: Enabled, Time: {Minutes: 15}}\n"
        "  ByName:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      ReplicationConfiguration:\n        Role: r\n        Rules:\n"
        "          - Status: Enabled\n            Destination: {Bucket: "
        "arn:aws:s3:::backup-us-west-2}\n"
        "  SameRegion:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      ReplicationConfiguration:\n        Role: r\n        Rules:\n"
        "          - Status: Enabled\n            Destination: {Bucket: !GetAtt Copy.Arn}\n"
        "  Copy:\n    Type: AWS::S3::Bucket\n"
        "  Disabled:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      ReplicationConfiguration:\n        Role: r\n        Rules:\n"
        "          - Status: Disabled\n            Destination: {Bucket: "
        "arn:aws:s3:::a-west}\n"
        "  Nowhere:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      ReplicationConfiguration:\n        Role: r\n        Rules:\n"
        "          - Status: Enabled\n            Destination: {Bucket: arn:aws:s3:::mystery}\n");
    put(f, "us-west-2/buckets.yaml",
        "Resources:\n  West:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: a-west}\n");
    build(f);
    rl_ds_reach r = reach(f, "ByStack");
    cr_assert_eq(r.known, RL_DS_ASYNC);
    cr_assert_eq(r.rpo, 900, "Replication Time Control");
    cr_assert_eq(r.best->info->mech, RL_MECH_S3_RTC);
    r = reach(f, "ByName");
    cr_assert_eq(r.known, RL_DS_ASYNC, "the region code in the destination's name");
    cr_assert_eq(r.rpo, 7200);
    cr_assert_eq(reach(f, "SameRegion").known, RL_DS_NONE, "same-region replication");
    cr_assert_eq(reach(f, "SameRegion").maybe, RL_DS_NONE);
    cr_assert_null(store(f, "Copy"), "a replica bucket holds someone else's data");
    cr_assert_eq(reach(f, "Disabled").known, RL_DS_NONE);
    cr_assert_eq(reach(f, "Nowhere").known, RL_DS_NONE);
    cr_assert_eq(reach(f, "Nowhere").maybe, RL_DS_ASYNC, "a destination of unknown region");
    fx_free(f);
}

Test(data, clusters_and_replicas)
{
    fx *f = fx_new();
    put(f, "us-east-1/db.yaml",
        "Parameters:\n  GlobalId: {Type: String}\n"
        "Resources:\n"
        "  Global:\n    Type: AWS::RDS::GlobalCluster\n"
        "    Properties: {GlobalClusterIdentifier: g1, SourceDBClusterIdentifier: !Ref Aurora}\n"
        "  Aurora:\n    Type: AWS::RDS::DBCluster\n"
        "    Properties: {DBClusterIdentifier: aurora-east, Engine: aurora-mysql}\n"
        "  Lonely:\n    Type: AWS::RDS::DBCluster\n"
        "    Properties: {Engine: aurora-mysql, GlobalClusterIdentifier: g2}\n"
        "  Guess:\n    Type: AWS::DocDB::DBCluster\n"
        "    Properties: {GlobalClusterIdentifier: !Ref GlobalId}\n"
        "  Pg:\n    Type: AWS::RDS::DBInstance\n"
        "    Properties: {DBInstanceIdentifier: PG-Main, Engine: postgres}\n"
        "  Backed:\n    Type: AWS::RDS::DBInstance\n"
        "    Properties: {Engine: postgres, AutomaticBackupReplicationRegion: us-west-2}\n");
    put(f, "us-west-2/db.yaml",
        "Resources:\n"
        "  Secondary:\n    Type: AWS::RDS::DBCluster\n"
        "    Properties: {Engine: aurora-mysql, GlobalClusterIdentifier: g1}\n"
        "  PgReplica:\n    Type: AWS::RDS::DBInstance\n"
        "    Properties: {SourceDBInstanceIdentifier: "
        "'arn:aws:rds:us-east-1:111122223333:db:pg-main'}\n");
    build(f);
    rl_ds_reach r = reach(f, "Aurora");
    cr_assert_eq(r.known, RL_DS_ASYNC, "the source of a global cluster, joined in the standby");
    cr_assert_eq(r.best->info->mech, RL_MECH_AURORA_GLOBAL);
    cr_assert_eq(reach(f, "Lonely").known, RL_DS_NONE, "no secondary joins g2");
    r = reach(f, "Guess");
    cr_assert_eq(r.maybe, RL_DS_ASYNC, "a global cluster the files cannot name");
    r = reach(f, "Pg");
    cr_assert_eq(r.known, RL_DS_ASYNC, "identifiers compare without case");
    cr_assert_eq(r.best->info->mech, RL_MECH_RDS_REPLICA);
    r = reach(f, "Backed");
    cr_assert_eq(r.known, RL_DS_BACKUP);
    cr_assert_eq(r.rpo, 300);
    fx_free(f);
}

Test(data, backup_selections)
{
    fx *f = fx_new();
    char t[4096];
    snprintf(t, sizeof(t),
             "Resources:\n"
             "  ByRef:\n    Type: AWS::DynamoDB::Table\n    Properties:\n%s"
             "  ByTag:\n    Type: AWS::DynamoDB::Table\n    Properties:\n%s"
             "      Tags: [{Key: backup, Value: gold}]\n"
             "  Excluded:\n    Type: AWS::DynamoDB::Table\n    Properties:\n%s"
             "      TableName: scratch\n      Tags: [{Key: backup, Value: gold}]\n"
             "  NotMatching:\n    Type: AWS::DynamoDB::Table\n    Properties:\n%s"
             "      Tags: [{Key: backup, Value: bronze}]\n"
             "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: rep-x}\n"
             "  Plan:\n    Type: AWS::Backup::BackupPlan\n    Properties:\n"
             "      BackupPlan:\n        BackupPlanName: p\n        BackupPlanRule:\n"
             "          - RuleName: r\n            TargetBackupVault: v\n"
             "            ScheduleExpression: cron(0 */6 * * ? *)\n"
             "            CopyActions: [{DestinationBackupVaultArn: "
             "'arn:aws:backup:us-west-2:111122223333:backup-vault:dr'}]\n"
             "  Sel1:\n    Type: AWS::Backup::BackupSelection\n    Properties:\n"
             "      BackupPlanId: !Ref Plan\n      BackupSelection:\n"
             "        SelectionName: s1\n        IamRoleArn: x\n"
             "        Resources: [!GetAtt ByRef.Arn, 'arn:aws:s3:::rep-*']\n"
             "  Sel2:\n    Type: AWS::Backup::BackupSelection\n    Properties:\n"
             "      BackupPlanId: !Ref Plan\n      BackupSelection:\n"
             "        SelectionName: s2\n        IamRoleArn: x\n"
             "        ListOfTags: [{ConditionType: STRINGEQUALS, ConditionKey: backup, "
             "ConditionValue: gold}]\n"
             "        NotResources: ['arn:aws:dynamodb:*:*:table/scratch']\n",
             table_props, table_props, table_props, table_props);
    put(f, "us-east-1/backup.yaml", t);
    put(f, "us-east-1/other.yaml",
        "Parameters:\n  PlanId: {Type: String}\n"
        "Resources:\n"
        "  Vol:\n    Type: AWS::EC2::Volume\n"
        "    Properties: {AvailabilityZone: us-east-1a, Size: 10, Tags: [{Key: dlm, Value: on}]}\n"
        "  Unplanned:\n    Type: AWS::EFS::FileSystem\n"
        "  Sel:\n    Type: AWS::Backup::BackupSelection\n    Properties:\n"
        "      BackupPlanId: !Ref PlanId\n      BackupSelection:\n"
        "        SelectionName: s\n        IamRoleArn: x\n"
        "        Resources: ['arn:aws:elasticfilesystem:*:*:file-system/*']\n"
        "  Policy:\n    Type: AWS::DLM::LifecyclePolicy\n    Properties:\n"
        "      State: ENABLED\n      ExecutionRoleArn: x\n      PolicyDetails:\n"
        "        ResourceTypes: [VOLUME]\n        TargetTags: [{Key: dlm, Value: 'on'}]\n"
        "        Schedules:\n          - CreateRule: {Interval: 12, IntervalUnit: HOURS}\n"
        "            CrossRegionCopyRules: [{TargetRegion: us-west-2, Encrypted: false}]\n");
    build(f);
    rl_ds_reach r = reach(f, "ByRef");
    cr_assert_eq(r.known, RL_DS_BACKUP);
    cr_assert_eq(r.rpo, 6 * 3600);
    cr_assert_eq(reach(f, "ByTag").known, RL_DS_BACKUP);
    cr_assert_eq(reach(f, "Bucket").known, RL_DS_BACKUP, "an ARN pattern");
    cr_assert_eq(reach(f, "Excluded").known, RL_DS_NONE, "NotResources");
    cr_assert_eq(reach(f, "NotMatching").known, RL_DS_NONE);
    r = reach(f, "Unplanned");
    cr_assert_eq(r.known, RL_DS_NONE);
    cr_assert_eq(r.maybe, RL_DS_BACKUP, "a plan the files do not show");
    cr_assert_eq(r.rpo, -1);
    r = reach(f, "Vol");
    cr_assert_eq(r.known, RL_DS_BACKUP);
    cr_assert_eq(r.rpo, 12 * 3600);
    cr_assert_eq(r.best->info->mech, RL_MECH_DLM_COPY);
    fx_free(f);
}

Test(data, terraform_links)
{
    fx *f = fx_new();
    put(f, "tf/main.tf.json",
        "{\"provider\": [{\"aws\": {\"region\": \"us-east-1\"}}, {\"aws\": {\"alias\": \"dr\", "
        "\"region\": \"us-west-2\"}}], \"resource\": {"
        "\"aws_dynamodb_table\": {\"t\": {\"name\": \"t\", \"replica\": [{\"region_name\": "
        "\"us-west-2\"}]}, \"u\": {\"name\": \"u\"}},"
        "\"aws_dynamodb_table_replica\": {\"u\": {\"provider\": \"aws.dr\", \"global_table_arn\": "
        "\"${aws_dynamodb_table.u.arn}\"}},"
        "\"aws_s3_bucket\": {\"src\": {\"bucket\": \"src\"}, \"dst\": {\"provider\": \"aws.dr\", "
        "\"bucket\": \"dst\"}},"
        "\"aws_s3_bucket_replication_configuration\": {\"src\": {\"bucket\": "
        "\"${aws_s3_bucket.src.id}\", \"rule\": [{\"status\": \"Enabled\", \"destination\": "
        "{\"bucket\": \"${aws_s3_bucket.dst.arn}\"}}]}},"
        "\"aws_db_instance\": {\"db\": {\"identifier\": \"db\"}},"
        "\"aws_db_instance_automated_backups_replication\": {\"db\": {\"provider\": \"aws.dr\", "
        "\"source_db_instance_arn\": \"${aws_db_instance.db.arn}\"}},"
        "\"aws_efs_file_system\": {\"fs\": {}},"
        "\"aws_efs_replication_configuration\": {\"fs\": {\"source_file_system_id\": "
        "\"${aws_efs_file_system.fs.id}\", \"destination\": {\"region\": \"us-west-2\"}}}}}");
    build(f);
    cr_assert_eq(reach(f, "aws_dynamodb_table.t").known, RL_DS_ASYNC);
    cr_assert_str_eq(store(f, "aws_dynamodb_table.t")->kind, "DynamoDB global table");
    cr_assert_eq(reach(f, "aws_dynamodb_table.u").known, RL_DS_ASYNC, "a replica resource");
    cr_assert(store(f, "aws_dynamodb_table.u")->lww);
    cr_assert_eq(reach(f, "aws_s3_bucket.src").known, RL_DS_ASYNC);
    cr_assert_null(store(f, "aws_s3_bucket.dst"), "the standby's bucket is not the primary's");
    cr_assert_eq(reach(f, "aws_db_instance.db").known, RL_DS_BACKUP);
    cr_assert_eq(reach(f, "aws_efs_file_system.fs").rpo, 900);
    fx_free(f);
}

/* ---- writers ------------------------------------------------------------------------------ */

/* The regions (bit 0 the primary, bit 1 the standby) the writers of a store write in. */
static unsigned written(fx *f, const char *id)
{
    /* writers were built by the model (every analysis is asked for in these tests) */
    const rl_ds_store *s = store(f, id);
    cr_assert_not_null(s);
    unsigned set = 0;
    for (const rl_ds_writer *w = s->writers; w; w = w->next)
        set |= !strcmp(w->region, "us-east-1") ? 1u : !strcmp(w->region, "us-west-2") ? 2u : 4u;
    return set;
}

static void global_table(char *buf, size_t n, const char *id, const char *name)
{
    snprintf(buf, n,
             "  %s:\n    Type: AWS::DynamoDB::GlobalTable\n    Condition: IsPrimary\n"
             "    Properties:\n%s      TableName: %s\n"
             "      Replicas: [{Region: us-east-1}, {Region: us-west-2}]\n",
             id, table_props, name);
}

static void role(char *buf, size_t n, const char *id, const char *cond, const char *statement)
{
    snprintf(buf, n,
             "  %s:\n    Type: AWS::IAM::Role\n%s    Properties:\n"
             "      AssumeRolePolicyDocument: {}\n"
             "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n"
             "            Statement:\n%s",
             id, cond, statement);
}

Test(data, writers_from_grants)
{
    fx *f = fx_new();
    static char t[16384], a[1024], b[1024], c[1024], d[1024], e[1024], g[1024], h[1024], r1[1024],
        r2[1024], r3[1024], r4[1024], r5[1024];
    global_table(a, sizeof(a), "Local", "local");
    global_table(b, sizeof(b), "Home", "home");
    global_table(c, sizeof(c), "Conditioned", "conditioned");
    global_table(d, sizeof(d), "Denied", "denied");
    global_table(e, sizeof(e), "Primary", "primary-only");
    global_table(g, sizeof(g), "Untold", "untold");
    global_table(h, sizeof(h), "Told", "told");
    role(r1, sizeof(r1), "Writer", "",
         "              - Effect: Allow\n                Action: dynamodb:Put*\n"
         "                Resource:\n"
         "                  - !Sub arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/local\n"
         "                  - arn:aws:dynamodb:us-east-1:111122223333:table/home\n"
         "              - Effect: Allow\n                Action: dynamodb:UpdateItem\n"
         "                Resource: !Sub arn:aws:dynamodb:${AWS::Region}:1:table/conditioned\n"
         "                Condition: {StringEquals: {aws:RequestedRegion: us-east-1}}\n");
    role(r2, sizeof(r2), "Star", "",
         "              - Effect: Allow\n                Action: '*'\n                Resource: "
         "!Sub arn:aws:dynamodb:*:*:table/denied\n"
         "              - Effect: Deny\n                Action: dynamodb:PutItem\n"
         "                Resource: '*'\n"
         "                Condition: {StringNotEquals: {aws:RequestedRegion: us-east-1}}\n");
    role(r3, sizeof(r3), "OnlyPrimary", "    Condition: IsPrimary\n",
         "              - Effect: Allow\n                Action: dynamodb:PutItem\n"
         "                Resource: '*'\n");
    role(r4, sizeof(r4), "Reader", "",
         "              - Effect: Allow\n                Action: [dynamodb:GetItem, "
         "dynamodb:Query]\n                Resource: '*'\n");
    role(r5, sizeof(r5), "Broad", "",
         "              - Effect: Allow\n                Action: dynamodb:*\n"
         "                Resource: arn:aws:dynamodb:*:*:table/*\n");
    snprintf(t, sizeof(t),
             "Conditions:\n  IsPrimary: !Equals [!Ref 'AWS::Region', us-east-1]\n"
             "Resources:\n%s%s%s%s%s%s%s%s%s%s%s%s"
             "  PrimaryFn:\n    Type: AWS::Lambda::Function\n    Condition: IsPrimary\n"
             "    Properties:\n      Role: !GetAtt OnlyPrimary.Arn\n"
             "      Environment: {Variables: {T: primary-only}}\n"
             "  TellingFn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
             "      Role: !GetAtt Broad.Arn\n      Environment: {Variables: {T: told}}\n",
             a, b, c, d, e, g, h, r1, r2, r3, r4, r5);
    put(f, "templates/app.yaml", t);
    build(f);
    cr_assert_eq(written(f, "Local"), 3, "each region writes its own replica");
    cr_assert_eq(written(f, "Home") & 3, 1, "both regions write the primary's replica by ARN");
    cr_assert_eq(written(f, "Conditioned") & 3, 1, "aws:RequestedRegion");
    cr_assert_eq(written(f, "Denied") & 3, 1, "a Deny outside the primary");
    cr_assert_eq(written(f, "Primary") & 3, 1, "a `*` grant, to a function of the primary only");
    cr_assert_eq(written(f, "Untold"), 0, "a grant on every table is not evidence by itself");
    cr_assert_eq(written(f, "Told"), 3, "a grant on every table, to a function told the table");
    fx_free(f);
}

Test(data, writers_from_sam_and_names)
{
    fx *f = fx_new();
    static char t[16384], a[1024], b[1024], c[1024];
    global_table(a, sizeof(a), "ByTemplate", "orders");
    global_table(b, sizeof(b), "ByName", "carts");
    global_table(c, sizeof(c), "Known", "known");
    snprintf(t, sizeof(t),
             "Transform: AWS::Serverless-2016-10-31\n"
             "Conditions:\n  IsPrimary: !Equals [!Ref 'AWS::Region', us-east-1]\n"
             "Resources:\n%s%s%s"
             "  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n"
             "      Runtime: python3.12\n      Handler: a.h\n      CodeUri: .\n"
             "      Environment: {Variables: {T: known}}\n"
             "      Policies: [{DynamoDBCrudPolicy: {TableName: orders}}]\n"
             "  Cart:\n    Type: AWS::Lambda::Function\n    Properties:\n"
             "      Runtime: python3.12\n      Handler: a.h\n      Code: {ZipFile: x}\n"
             "      Role: !Sub arn:aws:iam::${AWS::AccountId}:role/cart-${AWS::Region}\n"
             "      Environment: {Variables: {TABLE: carts}}\n",
             a, b, c);
    put(f, "templates/app.yaml", t);
    build(f);
    cr_assert_eq(written(f, "ByTemplate"), 3, "DynamoDBCrudPolicy in each region's function");
    cr_assert_eq(written(f, "ByName"), 3, "a function whose role's policies are not in the files");
    cr_assert_eq(written(f, "Known"), 0, "the SAM function's policies do not write it");
    fx_free(f);
}

Test(data, two_way_s3)
{
    fx *f = fx_new();
    for (int i = 0; i < 2; i++) {
        const char *r = i ? "us-west-2" : "us-east-1", *o = i ? "us-east-1" : "us-west-2";
        char t[2048], path[64];
        snprintf(t, sizeof(t),
                 "Resources:\n  Media:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                 "      BucketName: media-%s\n"
                 "      ReplicationConfiguration:\n        Role: x\n        Rules:\n"
                 "          - Status: Enabled\n            Destination: {Bucket: "
                 "arn:aws:s3:::media-%s}\n"
                 "  Uploader:\n    Type: AWS::IAM::Role\n    Properties:\n"
                 "      AssumeRolePolicyDocument: {}\n"
                 "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n"
                 "            Statement:\n              - Effect: Allow\n"
                 "                Action: s3:PutObject\n"
                 "                Resource: !Sub ${Media.Arn}/*\n",
                 r, o);
        snprintf(path, sizeof(path), "%s/media.yaml", r);
        put(f, path, t);
    }
    build(f);
    const rl_ds_store *s = store(f, "Media");
    cr_assert(s->lww, "two-way replication");
    cr_assert_eq(s->replicas, 3);
    cr_assert_eq(written(f, "Media"), 3, "each region writes its own bucket");
    fx_free(f);
}
