/* The requirements family: instance class ordering, counterparts across regions (shared
 * templates, per-region files, Terraform modules), RL901 (the strategy table, compute at
 * zero or missing in the standby, scaling targets, settings) and RL902 (capacity compared
 * under hot standby and active-active only) with their positions. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/requirements.h"

typedef struct fx {
    char dir[64];
    rl_lint *lint;
    int rc;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/rl-req-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    return f;
}

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

/* Runs in the scratch folder (so the config is named as the CLI names it). */
static int try_run(fx *f, int strategy)
{
    char cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    cr_assert_eq(chdir(f->dir), 0);
    FILE *fp = fopen(".regionlint.yaml", "r");
    const char *paths[] = {"."};
    const char *sb[] = {"us-west-2"};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = fp ? ".regionlint.yaml" : "/dev/null";
    if (fp)
        fclose(fp);
    o.primary = "us-east-1";
    o.standby = sb;
    o.nstandby = 1;
    o.strategy = strategy;
    rl_error err;
    rl_error_clear(&err);
    rl_lint_free(f->lint);
    f->lint = NULL;
    f->rc = rl_lint_run(&f->lint, &o, &err);
    cr_assert_eq(chdir(cwd), 0);
    return f->rc;
}

static void run(fx *f, int strategy)
{
    cr_assert_eq(try_run(f, strategy), 0);
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_lint_free(f->lint);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

static size_t findings(fx *f, const char *rule, char out[][160], size_t max)
{
    const rl_findings *fs = rl_lint_findings(f->lint);
    size_t n = 0;
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (strcmp(x->rule_id, rule))
            continue;
        const char *file = x->file;
        if (!strncmp(file, "./", 2))
            file += 2;
        if (n < max)
            snprintf(out[n], 160, "%s:%u:%u", file, x->span.start.line, x->span.start.column);
        n++;
    }
    return n;
}

static size_t count(fx *f, const char *rule)
{
    char buf[1][160];
    return findings(f, rule, buf, 0);
}

static const rl_finding *finding(fx *f, const char *rule, size_t k)
{
    const rl_findings *fs = rl_lint_findings(f->lint);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (!strcmp(x->rule_id, rule) && k-- == 0)
            return x;
    }
    return NULL;
}

static bool says(fx *f, const char *rule, size_t k, const char *text)
{
    const rl_finding *x = finding(f, rule, k);
    return x && strstr(x->message, text);
}

/* An Auto Scaling group whose desired capacity is 6 in the primary and `standby` there. */
static void web(fx *f, const char *standby)
{
    char doc[900];
    snprintf(doc, sizeof(doc),
             "Conditions:\n"
             "  IsPrimary: !Equals [!Ref \"AWS::Region\", us-east-1]\n"
             "Resources:\n"
             "  Web:\n"
             "    Type: AWS::AutoScaling::AutoScalingGroup\n"
             "    Properties:\n"
             "      MinSize: \"0\"\n"
             "      MaxSize: \"12\"\n"
             "      DesiredCapacity: !If [IsPrimary, 6, %s]\n",
             standby);
    put(f, "web.yaml", doc);
}

/* ---- instance classes ------------------------------------------------------------------------ */

Test(requirements, instance_classes)
{
    static const struct {
        const char *cls, *family;
        double rank;
    } rows[] = {
        {"db.r6g.large", "db.r6g", 1},
        {"db.r6g.2xlarge", "db.r6g", 4},
        {"DB.R6G.XLARGE", "db.r6g", 2},
        {"cache.t4g.micro", "cache.t4g", 0.25},
        {"m5.24xlarge", "m5", 48},
        {"r6g.large.search", "r6g|search", 1},
        {"kafka.m5.large", "kafka.m5", 1},
        {"c7g.metal", "c7g", 1e6},
        {"db.x2iedn.metal-32xl", "db.x2iedn", 1e6},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        char fam[64];
        double r = -1;
        cr_assert(rl_instance_class_rank(rows[i].cls, fam, sizeof(fam), &r), "%s", rows[i].cls);
        cr_expect_str_eq(fam, rows[i].family, "%s", rows[i].cls);
        cr_expect_eq(r, rows[i].rank, "%s", rows[i].cls);
    }
    static const char *const unordered[] = {"db.serverless", "large", "", "db.r6g"};
    for (size_t i = 0; i < sizeof(unordered) / sizeof(*unordered); i++) {
        char fam[64];
        double r;
        cr_expect_not(rl_instance_class_rank(unordered[i], fam, sizeof(fam), &r), "%s",
                      unordered[i]);
    }
}

/* ---- RL901 --------------------------------------------------------------------------------- */

Test(rl901, needs_a_declared_rto)
{
    fx *f = fx_new();
    web(f, "0");
    put(f, ".regionlint.yaml", "strategy: warm-standby\n");
    run(f, -1);
    cr_expect_eq(count(f, "RL901"), 0);
    put(f, ".regionlint.yaml", "strategy: warm-standby\nrequirements: {rto: 30m}\n");
    run(f, -1);
    cr_expect_eq(count(f, "RL901"), 0, "pilot light meets 30m");
    fx_free(f);
}

Test(rl901, strategy_and_zero_capacity)
{
    fx *f = fx_new();
    web(f, "0");
    put(f, ".regionlint.yaml", "strategy: warm-standby\nrequirements: {rto: 30s}\n");
    run(f, -1);
    char at[4][160];
    cr_assert_eq(findings(f, "RL901", at, 4), 2);
    cr_expect_str_eq(at[0], ".regionlint.yaml:2:21");
    cr_expect(says(f, "RL901", 0, "requirements.rto is 30s, but the strategy warm-standby"));
    cr_expect(says(f, "RL901", 0, "needs hot-standby (0s) or better"));
    cr_expect_str_eq(at[1], "web.yaml:9:43", "the standby's branch of the Fn::If");
    cr_expect(says(f, "RL901", 1, "(DesiredCapacity 0; 6 in the primary us-east-1)"));
    cr_expect_eq(finding(f, "RL901", 1)->nrelated, 1, "the rto line");
    /* a pilot light is measured by its strategy only */
    put(f, ".regionlint.yaml", "strategy: pilot-light\nrequirements: {rto: 5m}\n");
    run(f, -1);
    cr_assert_eq(findings(f, "RL901", at, 4), 1);
    cr_expect_str_eq(at[0], ".regionlint.yaml:2:21");
    cr_expect(says(f, "RL901", 0, "needs warm-standby (1m) or better"));
    /* the command line's strategy: no related strategy line */
    run(f, RL_STRATEGY_BACKUP_RESTORE);
    cr_expect_eq(count(f, "RL901"), 1);
    cr_expect_eq(finding(f, "RL901", 0)->nrelated, 0);
    fx_free(f);
}

Test(rl901, zero_everywhere_and_scaling_targets)
{
    fx *f = fx_new();
    put(f, ".regionlint.yaml", "strategy: warm-standby\nrequirements: {rto: 5m}\n");
    put(f, "svc.yaml",
        "Resources:\n"
        "  Both:\n"
        "    Type: AWS::ECS::Service\n"
        "    Properties: {DesiredCount: 0}\n"
        "  Scaled:\n"
        "    Type: AWS::ECS::Service\n"
        "    Properties: {DesiredCount: !If [IsPrimary, 4, 0]}\n"
        "  Target:\n"
        "    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
        "    Properties: {ScalableDimension: ecs:service:DesiredCount, MinCapacity: 2,\n"
        "                 ResourceId: !Sub \"service/c/${Scaled.Name}\"}\n"
        "  Unscaled:\n"
        "    Type: AWS::ECS::Service\n"
        "    Properties: {DesiredCount: !If [IsPrimary, 4, 0]}\n"
        "  NoCount:\n"
        "    Type: AWS::ECS::Service\n"
        "Conditions:\n"
        "  IsPrimary: !Equals [!Ref \"AWS::Region\", us-east-1]\n");
    run(f, -1);
    char at[4][160];
    cr_assert_eq(findings(f, "RL901", at, 4), 1, "%s", finding(f, "RL901", 0)->message);
    cr_expect_str_eq(at[0], "svc.yaml:14:51");
    cr_expect(says(f, "RL901", 0, "Unscaled (AWS::ECS::Service) runs at zero capacity"));
    fx_free(f);
}

Test(rl901, missing_compute_and_terraform)
{
    fx *f = fx_new();
    put(f, ".regionlint.yaml", "strategy: hot-standby\nrequirements: {rto: 2m}\n");
    put(f, "app.yaml",
        "Conditions:\n"
        "  IsPrimary: !Equals [!Ref \"AWS::Region\", us-east-1]\n"
        "Resources:\n"
        "  Nodes:\n"
        "    Type: AWS::EKS::Nodegroup\n"
        "    Condition: IsPrimary\n"
        "    Properties: {ScalingConfig: {DesiredSize: 3}}\n");
    put(f, "tf/us-east-1/asg.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-east-1\"}},\n"
        " \"resource\": {\"aws_autoscaling_group\": {\"web\": {\"min_size\": 2, \"max_size\": "
        "9}}}}\n");
    put(f, "tf/us-west-2/asg.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-west-2\"}},\n"
        " \"resource\": {\"aws_autoscaling_group\": {\"web\": {\"min_size\": 0, \"max_size\": "
        "9}}}}\n");
    run(f, -1);
    char at[4][160];
    cr_assert_eq(findings(f, "RL901", at, 4), 2);
    cr_expect_str_eq(at[0], "app.yaml:6:16");
    cr_expect(says(f, "RL901", 0, "not deployed in the standby us-west-2 (Condition IsPrimary"));
    cr_expect_str_eq(at[1], "tf/us-west-2/asg.tf.json:2:61", "min_size: no desired capacity");
    cr_expect(says(f, "RL901", 1, "(min_size 0; 2 in the primary us-east-1)"));
    fx_free(f);
}

Test(rl901, achievable_rto_setting)
{
    fx *f = fx_new();
    web(f, "1");
    put(f, ".regionlint.yaml",
        "strategy: warm-standby\nrequirements: {rto: 3m}\n"
        "rules:\n  RL901:\n    achievable-rto: {warm-standby: 5m}\n");
    run(f, -1);
    cr_assert_eq(count(f, "RL901"), 1);
    cr_expect(says(f, "RL901", 0, "achievable-rto 5m"));
    cr_expect(says(f, "RL901", 0, "needs hot-standby (0s)"), "defaults fill in the rest");
    put(f, ".regionlint.yaml",
        "strategy: warm-standby\nrequirements: {rto: 3m}\n"
        "rules:\n  RL901:\n    achievable-rto: {pilot-light: soon}\n");
    cr_expect_eq(try_run(f, -1), RL_ECONFIG);
    fx_free(f);
}

/* ---- RL902 --------------------------------------------------------------------------------- */

Test(rl902, hot_standby_and_active_active_only)
{
    fx *f = fx_new();
    web(f, "2");
    run(f, RL_STRATEGY_WARM_STANDBY);
    cr_expect_eq(count(f, "RL902"), 0);
    run(f, RL_STRATEGY_PILOT_LIGHT);
    cr_expect_eq(count(f, "RL902"), 0);
    run(f, RL_STRATEGY_HOT_STANDBY);
    char at[2][160];
    cr_assert_eq(findings(f, "RL902", at, 2), 1);
    cr_expect_str_eq(at[0], "web.yaml:9:43");
    cr_expect(says(f, "RL902", 0, "DesiredCapacity 2 (primary: 6)"));
    run(f, RL_STRATEGY_ACTIVE_ACTIVE);
    cr_expect_eq(count(f, "RL902"), 1);
    cr_expect_eq(finding(f, "RL902", 0)->level, RL_LEVEL_ERROR);
    fx_free(f);
}

Test(rl902, compared_values)
{
    fx *f = fx_new();
    put(f, "app.yaml",
        "Conditions:\n"
        "  IsPrimary: !Equals [!Ref \"AWS::Region\", us-east-1]\n"
        "Parameters:\n"
        "  Unknown: {Type: Number}\n"
        "Resources:\n"
        "  Bigger:\n"
        "    Type: AWS::Kinesis::Stream\n"
        "    Properties: {ShardCount: !If [IsPrimary, 4, 8]}\n"
        "  Family:\n"
        "    Type: AWS::RDS::DBInstance\n"
        "    Properties: {DBInstanceClass: !If [IsPrimary, db.r6g.2xlarge, db.r7g.large]}\n"
        "  NotKnown:\n"
        "    Type: AWS::ECS::Service\n"
        "    Properties: {DesiredCount: !Ref Unknown}\n"
        "  Smaller:\n"
        "    Type: AWS::ElastiCache::ReplicationGroup\n"
        "    Properties: {CacheNodeType: !If [IsPrimary, cache.r6g.xlarge, cache.r6g.large],\n"
        "                 NumCacheClusters: !If [IsPrimary, 3, 2]}\n"
        "  Gone:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "    Condition: IsPrimary\n"
        "    Properties: {ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}}\n"
        "  Log:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Condition: IsPrimary\n");
    run(f, RL_STRATEGY_HOT_STANDBY);
    char at[4][160];
    cr_assert_eq(findings(f, "RL902", at, 4), 2);
    cr_expect_str_eq(at[0], "app.yaml:17:67");
    cr_expect(says(f, "RL902", 0,
                   "CacheNodeType cache.r6g.large (primary: cache.r6g.xlarge), NumCacheClusters 2 "
                   "(primary: 3)"));
    cr_expect_eq(finding(f, "RL902", 0)->nrelated, 2);
    cr_expect_str_eq(at[1], "app.yaml:21:16");
    cr_expect(says(f, "RL902", 1, "Gone (AWS::DynamoDB::Table) is deployed in the primary"));
    fx_free(f);
}

Test(rl902, terraform_counterparts)
{
    fx *f = fx_new();
    /* per-region folders: the same file name, the same address */
    put(f, "us-east-1/db.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-east-1\"}},\n"
        " \"resource\": {\"aws_db_instance\": {\"main\": {\"instance_class\": "
        "\"db.m6i.4xlarge\"}}}}\n");
    put(f, "us-west-2/db.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-west-2\"}},\n"
        " \"resource\": {\"aws_db_instance\": {\"main\": {\"instance_class\": "
        "\"db.m6i.xlarge\"}}}}\n");
    /* files of another name are not counterparts */
    put(f, "us-west-2/other.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-west-2\"}},\n"
        " \"resource\": {\"aws_db_instance\": {\"main\": {\"instance_class\": "
        "\"db.m6i.large\"}}}}\n");
    /* one plan for both regions: module.primary and module.standby */
    put(f, "plan.json",
        "{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.0\",\n"
        " \"planned_values\": {\"root_module\": {\"child_modules\": [\n"
        "  {\"address\": \"module.primary\", \"resources\": [{\"address\": "
        "\"module.primary.aws_ecs_service.api\", \"mode\": \"managed\", \"type\": "
        "\"aws_ecs_service\", \"name\": \"api\", \"values\": {\"region\": \"us-east-1\", "
        "\"desired_count\": 6}}]},\n"
        "  {\"address\": \"module.standby\", \"resources\": [{\"address\": "
        "\"module.standby.aws_ecs_service.api\", \"mode\": \"managed\", \"type\": "
        "\"aws_ecs_service\", \"name\": \"api\", \"values\": {\"region\": \"us-west-2\", "
        "\"desired_count\": 2}}]}]}}}\n");
    run(f, RL_STRATEGY_ACTIVE_ACTIVE);
    char at[4][160];
    cr_assert_eq(findings(f, "RL902", at, 4), 2);
    cr_expect_str_eq(at[0], "plan.json:4:209");
    cr_expect(says(f, "RL902", 0, "module.standby.aws_ecs_service.api"));
    cr_expect_str_eq(at[1], "us-west-2/db.tf.json:2:63");
    cr_expect(says(f, "RL902", 1, "instance_class db.m6i.xlarge (primary: db.m6i.4xlarge)"));
    fx_free(f);
}
