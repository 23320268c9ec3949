/* The deployment model and the deploy rules: durations and targets, the shell reader, flows
 * built from CodePipeline, GitHub Actions, GitLab CI, stack sets and Terraform, snapshots,
 * and the findings RL401-RL405 with their exact positions and both regions named. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/deploy_build.h"

typedef struct fx {
    char dir[64];
    rl_lint *l;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    strcpy(f->dir, "/tmp/rl-deploy-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    return f;
}

static void put(fx *f, const char *name, const char *text)
{
    char path[512], cmd[700];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void run(fx *f, const char *config)
{
    char cfg[128];
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", f->dir);
    put(f, ".regionlint.yaml",
        config ? config : "primary: us-east-1\nstandby: [us-west-2]\nbake-time: 1h\n");
    const char *paths[] = {f->dir};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = cfg;
    o.strategy = -1;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_lint_run(&f->l, &o, &err), 0, "%s", err.message);
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_lint_free(f->l);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

static size_t count(const fx *f, const char *rule)
{
    size_t n = 0;
    const rl_findings *fs = rl_lint_findings(f->l);
    for (size_t i = 0; i < rl_findings_count(fs); i++)
        n += !strcmp(rl_findings_at(fs, i)->rule_id, rule);
    return n;
}

static size_t total(const fx *f)
{
    return rl_findings_count(rl_lint_findings(f->l));
}

/* The first finding of `rule`, checked to be at line:col and to name both regions. */
static const rl_finding *at(const fx *f, const char *rule, unsigned line, unsigned col)
{
    const rl_findings *fs = rl_lint_findings(f->l);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (strcmp(x->rule_id, rule) || x->span.start.line != line || x->span.start.column != col)
            continue;
        cr_assert(strstr(x->message, "us-east-1") && strstr(x->message, "us-west-2"),
                  "both regions in: %s", x->message);
        return x;
    }
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        fprintf(stderr, "%s %s:%u:%u %s\n", x->rule_id, x->file, x->span.start.line,
                x->span.start.column, x->message);
    }
    cr_assert_fail("no %s at %u:%u", rule, line, col);
    return NULL;
}

static const rl_deploy *deploy_of(const fx *f)
{
    return rl_model_deploy(rl_lint_model(f->l));
}

/* ---- helpers of the builders ---------------------------------------------------------- */

typedef struct evlog {
    char text[4096];
} evlog;

static int log_event(void *ctx, const rl_sh_event *ev)
{
    evlog *l = ctx;
    char line[256];
    if (ev->kind == RL_SH_DEPLOY)
        snprintf(line, sizeof(line), "deploy %s via %s target %s|", ev->region ? ev->region : "-",
                 ev->via ? ev->via : "-", ev->target ? ev->target : "-");
    else if (ev->kind == RL_SH_GATE)
        snprintf(line, sizeof(line), "sleep %ld|", ev->seconds);
    else
        snprintf(line, sizeof(line), "set %s=%s|", ev->var, ev->value);
    strncat(l->text, line, sizeof(l->text) - strlen(l->text) - 1);
    return 0;
}

static const char *lookup(void *ctx, bool expression, const char *name)
{
    (void)ctx;
    if (expression && !strcmp(name, "matrix.region"))
        return "us-west-2";
    if (!expression && !strcmp(name, "BAKE"))
        return "45m";
    return NULL;
}

static const char *scan(fx *f, const char *script)
{
    static evlog l;
    memset(&l, 0, sizeof(l));
    rl_dbuild db;
    memset(&db, 0, sizeof(db));
    db.m = (rl_model *)rl_lint_model(f->l);
    db.a = db.m->priv->arena;
    cr_assert_eq(rl_sh_scan(&db, script, strlen(script), lookup, NULL, log_event, &l), 0);
    return l.text;
}

Test(deploy, shell_reader)
{
    fx *f = fx_new();
    run(f, NULL);
    cr_assert_str_eq(
        scan(f, "aws cloudformation deploy --region us-west-2 --stack-name app-us-west-2"),
        "deploy us-west-2 via --region target app-us-west-2|");
    cr_assert_str_eq(scan(f, "AWS_REGION=us-east-1 sam deploy"),
                     "deploy us-east-1 via AWS_REGION= target -|");
    cr_assert_str_eq(
        scan(f, "export AWS_DEFAULT_REGION=us-west-2\ncdk deploy --all"),
        "set AWS_DEFAULT_REGION=us-west-2|deploy us-west-2 via AWS_DEFAULT_REGION set in the "
        "script target -|");
    /* parameters name regions without being the target region */
    cr_assert_str_eq(scan(f, "sam deploy --parameter-overrides PeerRegion=us-east-1"),
                     "deploy - via - target -|");
    cr_assert_str_eq(scan(f, "make deploy-us-west-2"),
                     "deploy us-west-2 via an argument target -|");
    cr_assert_str_eq(scan(f, "./deploy.sh us-east-1 us-west-2"), "deploy - via - target -|");
    /* reads and prints are not deploys */
    cr_assert_str_eq(
        scan(f, "echo deploying to us-west-2\naws deploy get-deployment --deployment-id d-1"), "");
    cr_assert_str_eq(scan(f, "aws --region us-west-2 ecs update-service --cluster c --service s"),
                     "deploy us-west-2 via --region target -|");
    cr_assert_str_eq(scan(f, "terraform plan && terraform apply -auto-approve"),
                     "deploy - via - target -|");
    cr_assert_str_eq(
        scan(f, "kubectl -n prod rollout status deploy/api; kubectl -n prod apply -f k8s/"),
        "deploy - via - target -|");
    /* sleeps, with units, sums and variables */
    cr_assert_str_eq(scan(f, "sleep 600; sleep 1h 30m; sleep $BAKE; sleep $UNKNOWN"),
                     "sleep 600|sleep 5400|sleep 2700|sleep -1|");
    cr_assert_str_eq(scan(f, "Start-Sleep -Seconds 120"), "sleep 120|");
    /* loops are unrolled in order; expressions resolve */
    cr_assert_str_eq(
        scan(f, "for r in us-east-1 us-west-2; do\n  ./deploy.sh \"$r\"\n  sleep 60\ndone"),
        "deploy us-east-1 via an argument target -|sleep 60|deploy us-west-2 via an "
        "argument target -|sleep 60|");
    cr_assert_str_eq(scan(f, "sam deploy --region ${{ matrix.region }} \\\n  --stack-name orders"),
                     "deploy us-west-2 via --region target orders|");
    /* a region that cannot be known is not guessed */
    cr_assert_str_eq(scan(f, "sam deploy --region $(cat region.txt)"), "deploy - via - target -|");
    cr_assert_str_eq(scan(f, "# sam deploy --region us-east-1\n'unterminated"), "");
    fx_free(f);
}

Test(deploy, targets)
{
    fx *f = fx_new();
    run(f, NULL);
    rl_dbuild db;
    memset(&db, 0, sizeof(db));
    db.m = (rl_model *)rl_lint_model(f->l);
    cr_assert_str_eq(rl_db_target(&db, "orders"), "orders");
    cr_assert_str_eq(rl_db_target(&db, "Billing-us-east-1"), "billing");
    cr_assert_str_eq(rl_db_target(&db, "billing-us-west-2"), "billing");
    cr_assert_str_eq(rl_db_target(&db, "us-west-2-billing"), "billing");
    cr_assert_str_eq(rl_db_target(&db, "StackSet-network-8ae6f5fd-3e2b-4b5c-9f4e-2a1b3c4d5e6f"),
                     "stackset-network");
    cr_assert_str_eq(rl_db_target(&db, "app/us-east-1/web"), "app-web");
    cr_assert_null(rl_db_target(&db, NULL));
    fx_free(f);
}

/* ---- flows ------------------------------------------------------------------------------ */

static const char *parallel_pipeline =
    "Resources:\n"
    "  Pipeline:\n"
    "    Type: AWS::CodePipeline::Pipeline\n"
    "    Properties:\n"
    "      RoleArn: arn:aws:iam::111122223333:role/p\n"
    "      Stages:\n"
    "        - Name: Deploy\n"
    "          Actions:\n"
    "            - Name: East\n"
    "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: "
    "'1'}\n"
    "              Configuration: {ActionMode: CREATE_UPDATE, StackName: app}\n"
    "            - Name: West\n"
    "              Region: us-west-2\n"
    "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: "
    "'1'}\n"
    "              Configuration: {ActionMode: CREATE_UPDATE, StackName: app}\n";

Test(deploy, codepipeline_parallel)
{
    fx *f = fx_new();
    put(f, "pipeline.yaml", parallel_pipeline);
    run(f, NULL);
    /* a shared pipeline template is read in the primary's instance only: one flow */
    const rl_deploy *d = deploy_of(f);
    cr_assert_eq(d->nflows, 1);
    const rl_flow *fl = &d->flows[0];
    cr_assert_eq(fl->kind, RL_FLOW_CODEPIPELINE);
    cr_assert_str_eq(fl->home_region, "us-east-1");
    size_t deploys = 0;
    for (size_t i = 0; i < fl->nnodes; i++) {
        const rl_dnode *n = &fl->nodes[i];
        for (size_t k = 0; k < n->npreds; k++)
            cr_assert_lt(n->preds[k], i, "predecessors come first");
        if (n->region) {
            deploys++;
            cr_assert_str_eq(n->target, "app");
            cr_assert_str_eq(n->region_via, !strcmp(n->region, "us-east-1")
                                                ? "the pipeline's home region"
                                                : "Region");
        }
    }
    cr_assert_eq(deploys, 2);
    cr_assert_eq(count(f, "RL401"), 1);
    const rl_finding *x = at(f, "RL401", 7, 17); /* the stage's Name */
    cr_assert_eq(x->nrelated, 2);
    cr_assert_str_eq(x->region, "us-west-2");
    cr_assert_str_eq(x->other_region, "us-east-1");
    cr_assert_eq(total(f), 1);
    fx_free(f);
}

Test(deploy, codepipeline_run_orders_and_targets)
{
    fx *f = fx_new();
    /* RunOrder 2 after 1: sequential, no bake (RL402); a different stack in the standby
     * first is not compared (no RL403); creating a change set deploys nothing */
    put(f, "regions/us-east-1/p.yaml",
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::CodePipeline::Pipeline\n"
        "    Properties:\n"
        "      RoleArn: arn:aws:iam::111122223333:role/p\n"
        "      Stages:\n"
        "        - Name: Pre\n"
        "          Actions:\n"
        "            - Name: Replica\n"
        "              Region: us-west-2\n"
        "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, "
        "Version: '1'}\n"
        "              Configuration: {ActionMode: CREATE_UPDATE, StackName: replica-bucket}\n"
        "        - Name: Deploy\n"
        "          Actions:\n"
        "            - Name: PlanWest\n"
        "              Region: us-west-2\n"
        "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, "
        "Version: '1'}\n"
        "              Configuration: {ActionMode: CHANGE_SET_REPLACE, StackName: app, "
        "ChangeSetName: c}\n"
        "            - Name: East\n"
        "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, "
        "Version: '1'}\n"
        "              Configuration: {ActionMode: CREATE_UPDATE, StackName: app}\n"
        "            - Name: West\n"
        "              Region: us-west-2\n"
        "              RunOrder: 2\n"
        "              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, "
        "Version: '1'}\n"
        "              Configuration: {ActionMode: CREATE_UPDATE, StackName: app}\n");
    run(f, NULL);
    cr_assert_eq(count(f, "RL401"), 0);
    cr_assert_eq(count(f, "RL403"), 0);
    cr_assert_eq(count(f, "RL402"), 1);
    const rl_finding *x = at(f, "RL402", 23, 23);
    cr_assert(strstr(x->message, "no bake step"), "%s", x->message);
    cr_assert_eq(total(f), 1);
    fx_free(f);
}

Test(deploy, github_jobs_and_matrix)
{
    fx *f = fx_new();
    put(f, ".github/workflows/w.yml",
        "on: push\n"
        "env:\n"
        "  AWS_REGION: us-east-1\n"
        "jobs:\n"
        "  east:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: sam deploy\n"
        "  west:\n"
        "    runs-on: ubuntu-latest\n"
        "    env: {AWS_REGION: us-west-2}\n"
        "    steps:\n"
        "      - run: sam deploy\n"
        "  matrix:\n"
        "    needs: [east, west]\n"
        "    runs-on: ubuntu-latest\n"
        "    strategy:\n"
        "      matrix:\n"
        "        include:\n"
        "          - {region: us-east-1, env: prod}\n"
        "          - {region: us-west-2, env: dr}\n"
        "          - {region: eu-west-1, env: test}\n"
        "        exclude:\n"
        "          - {env: test}\n"
        "    steps:\n"
        "      - run: ./deploy.sh ${{ matrix.region }}\n");
    run(f, NULL);
    /* east and west have no needs: between them; matrix runs both regions at once */
    cr_assert_eq(count(f, "RL401"), 2);
    const rl_finding *x = at(f, "RL401", 9, 3); /* the standby job's key */
    cr_assert(strstr(x->message, "'east'") && strstr(x->message, "'west'"), "%s", x->message);
    x = at(f, "RL401", 19, 9); /* the matrix (its regions come from include:) */
    cr_assert(strstr(x->message, "matrix"), "%s", x->message);
    /* the matrix's standby instance comes right after the primary job */
    cr_assert_eq(count(f, "RL402"), 1);
    const rl_deploy *d = deploy_of(f);
    cr_assert_eq(d->nflows, 1);
    unsigned inst = 0;
    for (size_t i = 0; i < d->flows[0].nnodes; i++)
        if (d->flows[0].nodes[i].region && d->flows[0].nodes[i].instance > inst)
            inst = d->flows[0].nodes[i].instance;
    cr_assert_eq(inst, 1, "the excluded combination is gone");
    fx_free(f);
}

Test(deploy, github_gates_and_cycles)
{
    fx *f = fx_new();
    put(f, ".github/workflows/w.yml",
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    needs: b\n"
        "    runs-on: ubuntu-latest\n"
        "    steps: [{run: echo a}]\n"
        "  b:\n"
        "    needs: a\n"
        "    runs-on: ubuntu-latest\n"
        "    steps: [{run: echo b}]\n"
        "  east:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with: {aws-region: us-east-1}\n"
        "      - run: cdk deploy\n"
        "  west:\n"
        "    needs: east\n"
        "    runs-on: ubuntu-latest\n"
        "    environment: prod-west\n"
        "    steps:\n"
        "      - uses: juliangruber/sleep-action@v2\n"
        "        with: {time: 30m}\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with: {aws-region: us-west-2}\n"
        "      - run: cdk deploy\n");
    run(f, NULL);
    cr_assert_eq(count(f, "RL402"), 1);
    const rl_finding *x = at(f, "RL402", 26, 14);
    cr_assert(strstr(x->message, "only 30m"), "%s", x->message);
    cr_assert(strstr(x->message, "prod-west"), "the environment is named: %s", x->message);
    fx_free(f);
    /* the same environment declared protected with a long enough wait timer */
    f = fx_new();
    put(f, ".github/workflows/w.yml",
        "on: push\n"
        "jobs:\n"
        "  east:\n"
        "    runs-on: ubuntu-latest\n"
        "    env: {AWS_REGION: us-east-1}\n"
        "    steps: [{run: cdk deploy}]\n"
        "  west:\n"
        "    needs: east\n"
        "    environment: {name: prod-west}\n"
        "    runs-on: ubuntu-latest\n"
        "    env: {AWS_REGION: us-west-2}\n"
        "    steps: [{run: cdk deploy}]\n");
    run(f, "primary: us-east-1\nstandby: [us-west-2]\nrules:\n  RL402:\n"
           "    protected-environments: [{name: 'prod-*', wait: 2h}]\n");
    cr_assert_eq(total(f), 0);
    fx_free(f);
}

Test(deploy, gitlab)
{
    fx *f = fx_new();
    put(f, ".gitlab-ci.yml",
        "stages: [build, primary, standby]\n"
        "variables: {STACK: orders}\n"
        ".deploy:\n"
        "  script: [sam deploy --stack-name $STACK --region $AWS_REGION]\n"
        "deploy-east:\n"
        "  extends: .deploy\n"
        "  stage: primary\n"
        "  variables: {AWS_REGION: us-east-1}\n"
        "approve:\n"
        "  stage: standby\n"
        "  when: manual\n"
        "  script: [echo ok]\n"
        "deploy-west:\n"
        "  extends: .deploy\n"
        "  stage: standby\n"
        "  resource_group: prod\n"
        "  variables: {AWS_REGION: us-west-2}\n"
        "rollback-west:\n"
        "  stage: build\n"
        "  resource_group: prod\n"
        "  variables: {AWS_REGION: us-east-1}\n"
        "  script: [./deploy.sh]\n");
    run(f, NULL);
    /* the manual job does not block (allow_failure defaults to true): no bake; the script
     * comes from extends:, so the finding points at the job */
    const rl_finding *x = at(f, "RL402", 13, 1);
    cr_assert(strstr(x->message, "deploy-west"), "%s", x->message);
    cr_assert_eq(count(f, "RL401"), 0);
    cr_assert_eq(count(f, "RL403"), 0);
    fx_free(f);
}

Test(deploy, stacksets)
{
    fx *f = fx_new();
    put(f, "us-east-1/sets.yaml",
        "Resources:\n"
        "  Par:\n"
        "    Type: AWS::CloudFormation::StackSet\n"
        "    Properties:\n"
        "      StackSetName: par\n"
        "      PermissionModel: SELF_MANAGED\n"
        "      OperationPreferences: {RegionConcurrencyType: PARALLEL}\n"
        "      StackInstancesGroup: [{DeploymentTargets: {Accounts: ['1']}, Regions: !Ref "
        "Regions}]\n"
        "Parameters:\n"
        "  Regions: {Type: CommaDelimitedList, Default: 'us-east-1, us-west-2'}\n");
    put(f, "ops/list.json",
        "{\"Summaries\": [{\"OperationId\": \"op-1\", \"Action\": \"UPDATE\", \"Status\": "
        "\"SUCCEEDED\","
        " \"CreationTimestamp\": \"2019-12-18 19:10:08+00:00\", \"EndTimestamp\": \"2019-12-18 "
        "20:30:00+00:00\","
        " \"OperationPreferences\": {\"RegionOrder\": [\"us-west-2\", \"us-east-1\"]}}]}\n");
    run(f, NULL);
    cr_assert_eq(count(f, "RL401"), 1);
    at(f, "RL401", 7, 53);
    /* the list names no stack set; its operation lists the standby first; it took longer
     * than the bake time, so the gap between the regions is unknown (no RL404) */
    cr_assert_eq(count(f, "RL403"), 1);
    at(f, "RL403", 1, 219);
    cr_assert_eq(count(f, "RL404"), 0);
    fx_free(f);
}

Test(deploy, terraform)
{
    fx *f = fx_new();
    put(f, "infra/providers.tf.json",
        "{\"variable\": {\"dr\": {\"default\": \"us-west-2\"}},\n"
        " \"provider\": [{\"aws\": {\"region\": \"us-east-1\"}},\n"
        "              {\"aws\": {\"alias\": \"dr\", \"region\": \"${var.dr}\"}}]}\n");
    put(f, "infra/main.tf.json",
        "{\"resource\": {\"aws_s3_bucket\": {\"b\": {\"bucket\": \"b\"}}},\n"
        " \"module\": {\"standby\": {\"source\": \"./app\", \"providers\": {\"aws\": "
        "\"aws.dr\"}}}}\n");
    put(f, "edge/main.tf.json",
        "{\"provider\": {\"aws\": [{\"region\": \"us-west-2\"}, {\"alias\": \"e\", \"region\": "
        "\"us-east-1\"}]},\n"
        " \"resource\": {\"aws_acm_certificate\": {\"c\": {\"provider\": \"aws.e\", "
        "\"domain_name\": \"x\"}},\n"
        "              \"aws_iam_role\": {\"r\": {\"provider\": \"aws.e\", \"name\": \"r\"}},\n"
        "              \"aws_sqs_queue\": {\"q\": {\"name\": \"q\"}}}}\n");
    run(f, NULL);
    /* one folder = one root module = one apply; the module call takes the dr provider */
    cr_assert_eq(count(f, "RL401"), 1);
    const rl_finding *x = at(f, "RL401", 2, 65); /* the module's providers */
    cr_assert(strstr(x->file, "infra/main.tf.json"), "%s", x->file);
    cr_assert(strstr(x->message, "module.standby") && strstr(x->message, "aws_s3_bucket.b"), "%s",
              x->message);
    cr_assert_eq(x->nrelated, 2);
    cr_assert(strstr(x->related[0].file, "providers.tf.json"), "the primary's provider");
    fx_free(f);
}

/* ---- snapshots --------------------------------------------------------------------------- */

Test(deploy, snapshots)
{
    fx *f = fx_new();
    put(f, "us-east-1/stacks.json",
        "{\"Stacks\": [\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-east-1:1:stack/app/x\", \"StackName\": "
        "\"app\",\n"
        "  \"CreationTime\": \"2019-12-09T11:47:15.842Z\", \"StackStatus\": \"CREATE_COMPLETE\"},\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-east-1:1:stack/web/x\", \"StackName\": "
        "\"web\",\n"
        "  \"CreationTime\": \"2019-12-09T11:47:15Z\", \"LastUpdatedTime\": "
        "\"2019-12-10T07:15:30Z\",\n"
        "  \"StackStatus\": \"UPDATE_COMPLETE\"}]}\n");
    put(f, "us-west-2/stacks.json",
        "{\"Stacks\": [\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-west-2:1:stack/app/y\", \"StackName\": "
        "\"app\",\n"
        "  \"CreationTime\": \"2019-12-09 11:40:00+00:00\", \"StackStatus\": "
        "\"CREATE_COMPLETE\"},\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-west-2:1:stack/web/y\", \"StackName\": "
        "\"web\",\n"
        "  \"CreationTime\": \"2019-12-09T11:47:15Z\", \"LastUpdatedTime\": 1575964800,\n"
        "  \"StackStatus\": \"ROLLBACK_IN_PROGRESS\"}]}\n");
    run(f, NULL);
    /* created 7m before the primary's: within the bake time, either way round */
    const rl_finding *x = at(f, "RL404", 3, 19);
    cr_assert(strstr(x->message, "7m") && strstr(x->message, "before"), "%s", x->message);
    cr_assert(strstr(x->message, "created"), "%s", x->message);
    /* in progress: reported at the status, not compared */
    x = at(f, "RL404", 6, 18);
    cr_assert(strstr(x->message, "ROLLBACK_IN_PROGRESS"), "%s", x->message);
    cr_assert_eq(count(f, "RL404"), 2);
    fx_free(f);
}

Test(deploy, events_without_operation_ids)
{
    fx *f = fx_new();
    put(f, "us-east-1/ev.json",
        "{\"StackEvents\": [\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-east-1:1:stack/app/x\", \"EventId\": \"3\", "
        "\"StackName\": \"app\", \"LogicalResourceId\": \"app\", \"ResourceType\": "
        "\"AWS::CloudFormation::Stack\", \"Timestamp\": \"2025-12-10T12:00:00Z\", "
        "\"ResourceStatus\": \"UPDATE_ROLLBACK_COMPLETE\"},\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-east-1:1:stack/app/x\", \"EventId\": \"2\", "
        "\"StackName\": \"app\", \"LogicalResourceId\": \"app\", \"ResourceType\": "
        "\"AWS::CloudFormation::Stack\", \"Timestamp\": \"2025-12-10T11:50:00Z\", "
        "\"ResourceStatus\": \"UPDATE_FAILED\"},\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-east-1:1:stack/app/x\", \"EventId\": \"1\", "
        "\"StackName\": \"app\", \"LogicalResourceId\": \"app\", \"ResourceType\": "
        "\"AWS::CloudFormation::Stack\", \"Timestamp\": \"2025-12-10T11:40:00Z\", "
        "\"ResourceStatus\": \"UPDATE_IN_PROGRESS\"}]}\n");
    put(f, "us-west-2/ev.json",
        "{\"StackEvents\": [\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-west-2:1:stack/app/y\", \"EventId\": \"2\", "
        "\"StackName\": \"app\", \"LogicalResourceId\": \"app\", \"ResourceType\": "
        "\"AWS::CloudFormation::Stack\", \"Timestamp\": \"2025-12-10T12:40:00Z\", "
        "\"ResourceStatus\": \"UPDATE_COMPLETE\"},\n"
        " {\"StackId\": \"arn:aws:cloudformation:us-west-2:1:stack/app/y\", \"EventId\": \"1\", "
        "\"StackName\": \"app\", \"LogicalResourceId\": \"app\", \"ResourceType\": "
        "\"AWS::CloudFormation::Stack\", \"Timestamp\": \"2025-12-10T12:30:00Z\", "
        "\"ResourceStatus\": \"UPDATE_IN_PROGRESS\"}]}\n");
    run(f, NULL);
    /* the primary's update failed and rolled back, ending 12:00; the standby's started 12:30 */
    const rl_finding *x = at(f, "RL404", 3, 187);
    cr_assert(strstr(x->message, "30m after"), "%s", x->message);
    cr_assert_eq(total(f), 1);
    fx_free(f);
}

/* ---- RL405 ------------------------------------------------------------------------------ */

Test(deploy, progressive)
{
    fx *f = fx_new();
    put(f, "app.yaml",
        "Parameters:\n"
        "  Config: {Type: String, Default: CodeDeployDefault.LambdaAllAtOnce}\n"
        "Resources:\n"
        "  Group:\n"
        "    Type: AWS::CodeDeploy::DeploymentGroup\n"
        "    Properties:\n"
        "      ApplicationName: a\n"
        "      ServiceRoleArn: arn:aws:iam::111122223333:role/cd\n"
        "      DeploymentConfigName: !Ref Config\n"
        "  Custom:\n"
        "    Type: AWS::CodeDeploy::DeploymentConfig\n"
        "    Properties:\n"
        "      MinimumHealthyHosts: {Type: HOST_COUNT, Value: 0}\n"
        "  Group2:\n"
        "    Type: AWS::CodeDeploy::DeploymentGroup\n"
        "    Properties:\n"
        "      ApplicationName: b\n"
        "      ServiceRoleArn: arn:aws:iam::111122223333:role/cd\n"
        "      DeploymentConfigName: !Ref Custom\n"
        "  Version:\n"
        "    Type: AWS::Lambda::Version\n"
        "    Properties: {FunctionName: fn}\n"
        "  Alias:\n"
        "    Type: AWS::Lambda::Alias\n"
        "    Properties:\n"
        "      FunctionName: fn\n"
        "      Name: live\n"
        "      FunctionVersion: !GetAtt Version.Version\n");
    run(f, NULL);
    cr_assert_eq(count(f, "RL405"), 3);
    const rl_finding *x = at(f, "RL405", 9, 29); /* the Ref whose parameter is AllAtOnce */
    cr_assert_eq(x->level, RL_LEVEL_NOTE);
    at(f, "RL405", 19, 29);
    at(f, "RL405", 28, 24);
    fx_free(f);
}
