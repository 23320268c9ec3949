/* The services family: the service map (types -> IAM prefix, offering name, actions), the
 * region-offering tables and the SSM override, the organization path (accounts, levels,
 * the management account), and RL301-RL304 end to end with their positions. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- a scratch folder linted as a whole --------------------------------------------- */

typedef struct fx {
    char dir[64];
    rl_lint *lint;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/rl-services-XXXXXX");
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

static void run_in(fx *f, const char *dir, const char *primary, const char *standby)
{
    char cfg[600];
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", dir);
    FILE *fp = fopen(cfg, "r");
    const char *paths[] = {dir};
    const char *sb[] = {standby};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = fp ? cfg : "/dev/null";
    if (fp)
        fclose(fp);
    o.primary = primary;
    o.standby = standby ? sb : NULL;
    o.nstandby = standby ? 1 : 0;
    o.strategy = -1;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_lint_run(&f->lint, &o, &err), 0, "%s", err.message);
}

static void run(fx *f, const char *primary, const char *standby)
{
    run_in(f, f->dir, primary, standby);
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_lint_free(f->lint);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

static const rl_model *model(fx *f)
{
    return rl_lint_model(f->lint);
}

/* Findings of one rule at a level (RL_LEVEL_NONE: every level but note, the gaps) as
 * "file:line:col" (file relative to the folder), in order. */
static size_t findings_at(fx *f, const char *rule, rl_level level, char out[][128], size_t max)
{
    const rl_findings *fs = rl_lint_findings(f->lint);
    size_t n = 0;
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (strcmp(x->rule_id, rule) ||
            (level == RL_LEVEL_NONE ? x->level == RL_LEVEL_NOTE : x->level != level))
            continue;
        const char *file = x->file;
        const char *slash = strstr(file, "/rl-services-");
        if (slash)
            file = strchr(slash + 1, '/') + 1;
        if (n < max)
            snprintf(out[n], 128, "%s:%u:%u", file, x->span.start.line, x->span.start.column);
        n++;
    }
    return n;
}

/* The gaps a rule reports (notes left out). */
static size_t findings(fx *f, const char *rule, char out[][128], size_t max)
{
    return findings_at(f, rule, RL_LEVEL_NONE, out, max);
}

/* The notes of a rule: statements that bind the primary as the standby. */
static size_t notes(fx *f, const char *rule, char out[][128], size_t max)
{
    return findings_at(f, rule, RL_LEVEL_NOTE, out, max);
}

/* The k-th finding of a rule; `note`: among its notes, else among its gaps. */
static const rl_finding *finding_of(fx *f, const char *rule, bool note, size_t k)
{
    const rl_findings *fs = rl_lint_findings(f->lint);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (!strcmp(x->rule_id, rule) && (x->level == RL_LEVEL_NOTE) == note && k-- == 0)
            return x;
    }
    return NULL;
}

static const rl_finding *finding(fx *f, const char *rule, size_t k)
{
    return finding_of(f, rule, false, k);
}

static const char *const one_lambda = "Resources:\n"
                                      "  Fn:\n"
                                      "    Type: AWS::Lambda::Function\n"
                                      "    Properties: {Runtime: python3.12}\n";

/* ---- the service map ---------------------------------------------------------------- */

static bool has_action(const rl_service_use *u, const char *a)
{
    for (size_t i = 0; u && i < u->nactions; i++)
        if (!strcmp(u->actions[i], a))
            return true;
    return false;
}

Test(services, service_map)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    run(f, "us-east-1", "us-west-2");
    const rl_model *m = model(f);
    static const struct {
        const char *type, *prefix, *service, *action;
        bool derived;
    } rows[] = {
        {"AWS::Lambda::Function", "lambda", "lambda", "lambda:CreateFunction", false},
        {"AWS::StepFunctions::StateMachine", "states", "stepfunctions", "states:CreateStateMachine",
         false},
        {"AWS::ElasticLoadBalancingV2::LoadBalancer", "elasticloadbalancing", "elb",
         "elasticloadbalancing:CreateLoadBalancer", false},
        {"AWS::EFS::FileSystem", "elasticfilesystem", "efs", "elasticfilesystem:CreateFileSystem",
         false},
        {"AWS::CertificateManager::Certificate", "acm", "acm", "acm:RequestCertificate", false},
        {"AWS::Cognito::UserPool", "cognito-idp", "cognito-idp", "cognito-idp:CreateUserPool",
         false},
        {"AWS::Cognito::IdentityPool", "cognito-identity", "cognito-identity",
         "cognito-identity:CreateIdentityPool", false},
        {"AWS::OpenSearchService::Domain", "es", "es", "es:CreateDomain", false},
        {"AWS::MSK::Cluster", "kafka", "kafka", "kafka:CreateCluster", false},
        {"AWS::AmazonMQ::Broker", "mq", "mq", "mq:CreateBroker", false},
        {"AWS::KinesisFirehose::DeliveryStream", "firehose", "firehose",
         "firehose:CreateDeliveryStream", false},
        {"AWS::DocDB::DBCluster", "rds", "docdb", "rds:CreateDBCluster", false},
        {"AWS::Neptune::DBCluster", "rds", "neptune", "rds:CreateDBCluster", false},
        {"AWS::EMR::Cluster", "elasticmapreduce", "emr", "elasticmapreduce:CreateCluster", true},
        {"AWS::ApiGatewayV2::Api", "apigateway", "apigatewayv2", "apigateway:POST", false},
        {"AWS::ApiGateway::BasePathMappingV2", "apigateway", "apigateway", "apigateway:POST",
         false},
        {"AWS::Amplify::Branch", "amplify", "amplify", "amplify:CreateBranch", true},
        {"AWS::Serverless::Function", "lambda", "lambda", "lambda:CreateFunction", false},
        {"AWS::IAM::Role", "iam", "iam", "iam:CreateRole", false},
        {"aws_lambda_function", "lambda", "lambda", "lambda:CreateFunction", false},
        {"aws_cloudwatch_log_group", "logs", "logs", "logs:CreateLogGroup", false},
        {"aws_lb_listener", "elasticloadbalancing", "elb", "elasticloadbalancing:CreateListener",
         false},
        {"aws_lb_listener_rule", "elasticloadbalancing", "elb", "elasticloadbalancing:CreateRule",
         false},
        {"aws_lb_trust_store", "elasticloadbalancing", "elb",
         "elasticloadbalancing:CreateTrustStore", true},
        {"aws_sfn_state_machine", "states", "stepfunctions", "states:CreateStateMachine", false},
        {"aws_cognito_identity_provider", "cognito-identity", "cognito-identity",
         "cognito-identity:CreateProvider", true},
        {"aws_storagegateway_gateway", "storagegateway", "storagegateway",
         "storagegateway:CreateGateway", true},
        {"aws_iam_role", "iam", "iam", "iam:CreateRole", false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        const rl_service_use *u = rl_model_service_use(m, rows[i].type);
        cr_assert_not_null(u, "%s", rows[i].type);
        cr_expect_str_eq(u->prefix, rows[i].prefix, "%s", rows[i].type);
        cr_expect_str_eq(u->service ? u->service : "(none)", rows[i].service, "%s", rows[i].type);
        cr_expect(has_action(u, rows[i].action), "%s needs %s", rows[i].type, rows[i].action);
        cr_expect_eq(u->derived, rows[i].derived, "%s", rows[i].type);
    }
    /* types no table can know */
    static const char *const unknown[] = {"Custom::Seed", "AWS::CloudFormation::CustomResource",
                                          "MyOrg::Things::Widget", "AWS::MadeUp::Thing",
                                          "aws_no_such_service_thing"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
        const rl_service_use *u = rl_model_service_use(m, unknown[i]);
        cr_expect(!u || u->nactions == 0, "%s", unknown[i]);
    }
    cr_expect_null(rl_model_service_use(m, "Custom::Seed"));
    cr_expect_eq(rl_model_service_use(m, "AWS::CDK::Metadata")->nactions, 0);
    /* the same type resolves to the same (cached) answer */
    cr_expect_eq(rl_model_service_use(m, "aws_lambda_function"),
                 rl_model_service_use(m, "aws_lambda_function"));
    fx_free(f);
}

Test(services, request_regions)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    run(f, "us-east-1", "us-west-2");
    const rl_model *m = model(f);
    cr_expect_str_eq(rl_model_request_region(m, "lambda:CreateFunction", "us-west-2"), "us-west-2");
    cr_expect_str_eq(rl_model_request_region(m, "iam:CreateRole", "us-west-2"), "us-east-1");
    cr_expect_str_eq(rl_model_request_region(m, "IAM:PassRole", "us-west-2"), "us-west-2",
                     "PassRole is checked inside the regional call");
    cr_expect_str_eq(rl_model_request_region(m, "cloudfront:CreateDistribution", "eu-west-1"),
                     "us-east-1");
    cr_expect_str_eq(rl_model_request_region(m, "globalaccelerator:CreateAccelerator", "eu-west-1"),
                     "us-west-2");
    cr_expect_str_eq(rl_model_request_region(m, "iam:CreateRole", "cn-northwest-1"), "cn-north-1");
    cr_expect_str_eq(rl_model_request_region(m, "iam:CreateRole", "us-gov-east-1"),
                     "us-gov-west-1");
    cr_expect(rl_model_service_global(m, "route53"));
    cr_expect(!rl_model_service_global(m, "lambda"));
    fx_free(f);
}

static bool in_list(const rl_node *list, const char *s)
{
    for (size_t k = 0; k < rl_node_count(list); k++)
        if (rl_node_streq(rl_node_at(list, k), s))
            return true;
    return false;
}

/* Every name the hand-made map uses exists in the data tables. */
Test(services, service_map_consistent)
{
    rl_error err;
    rl_error_clear(&err);
    rl_doc *docs[3];
    const char *files[] = {RL_SOURCE_DIR "/rules/data/service-map.yaml",
                           RL_SOURCE_DIR "/rules/data/cfn-types.json",
                           RL_SOURCE_DIR "/rules/data/region-services.json"};
    for (int i = 0; i < 3; i++) {
        rl_source *src = NULL;
        cr_assert_eq(rl_source_read(&src, files[i], files[i], RL_DEFAULT_MAX_FILE_SIZE, &err), 0);
        cr_assert_eq(rl_doc_load(&docs[i], src, NULL, &err), 0, "%s", err.message);
        cr_expect_eq(rl_doc_dupkey_count(docs[i]), 0, "%s has no duplicate keys", files[i]);
    }
    const rl_node *map = rl_doc_root(docs[0]);
    const rl_node *types = rl_node_get(rl_doc_root(docs[1]), "types");
    const rl_node *svcs = rl_node_get(rl_doc_root(docs[2]), "services");
    const rl_node *mt = rl_node_get(map, "types");
    for (size_t i = 0; i < rl_node_count(mt); i++) {
        const char *t = rl_node_str(mt->u.map.items[i].key);
        if (strncmp(t, "AWS::Serverless::", 17))
            cr_expect(in_list(types, t), "types: %s is no CloudFormation type", t);
        const rl_node *ssm = rl_node_get(mt->u.map.items[i].value, "ssm");
        if (ssm && !rl_node_streq(ssm, "-"))
            cr_expect(in_list(svcs, rl_node_str(ssm)), "%s: no service %s", t, rl_node_str(ssm));
    }
    const rl_node *ns = rl_node_get(map, "namespaces");
    for (size_t i = 0; i < rl_node_count(ns); i++) {
        const rl_node *ssm = rl_node_get(ns->u.map.items[i].value, "ssm");
        if (ssm && !rl_node_streq(ssm, "-"))
            cr_expect(in_list(svcs, rl_node_str(ssm)), "namespace %s: no service %s",
                      rl_node_str(ns->u.map.items[i].key), rl_node_str(ssm));
    }
    const rl_node *tf = rl_node_get(map, "terraform");
    for (size_t i = 0; i < rl_node_count(tf); i++) {
        const char *target = rl_node_str(tf->u.map.items[i].value);
        const char *sep = target ? strstr(target, "::") : NULL;
        if (sep && strstr(sep + 2, "::"))
            cr_expect(in_list(types, target), "terraform %s -> %s: no such type",
                      rl_node_str(tf->u.map.items[i].key), target);
    }
    cr_expect_eq(rl_node_count(types), 1621);
    cr_expect_eq(rl_node_count(svcs), 401);
    for (int i = 0; i < 3; i++)
        rl_doc_free(docs[i]);
}

/* ---- the region offering ------------------------------------------------------------ */

Test(services, offering_tables)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    run(f, "us-east-1", "mx-central-1");
    const rl_model *m = model(f);
    const char *src;
    static const struct {
        const char *region, *type;
        rl_offered want;
    } types[] = {
        {"mx-central-1", "AWS::Amplify::App", RL_OFFERED_NO},
        {"us-west-2", "AWS::Amplify::App", RL_OFFERED_YES},
        {"mx-central-1", "AWS::Lambda::Function", RL_OFFERED_YES},
        {"us-east-1", "AWS::CloudWatch::LogAlarm", RL_OFFERED_NO}, /* us-east-1 is no superset */
        {"us-west-2", "AWS::DeviceFarm::Project", RL_OFFERED_YES},
        {"mx-central-1", "AWS::Serverless::Function", RL_OFFERED_UNKNOWN},
        {"mx-central-1", "Custom::Seed", RL_OFFERED_UNKNOWN},
        {"xx-nowhere-1", "AWS::Lambda::Function", RL_OFFERED_UNKNOWN},
        /* a copy of us-east-1 is no data: answered by service (EUSC lacks amplify) */
        {"eusc-de-east-1", "AWS::Amplify::App", RL_OFFERED_NO},
        {"us-iso-east-1", "AWS::Amplify::App", RL_OFFERED_UNKNOWN}, /* not in the SSM table */
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
        cr_expect_eq(rl_model_type_offered(m, types[i].region, types[i].type, &src), types[i].want,
                     "%s in %s", types[i].type, types[i].region);
    rl_model_type_offered(m, "mx-central-1", "AWS::Amplify::App", &src);
    cr_expect(src && strstr(src, "cfn-lint@602229535"), "%s", src);
    cr_expect_eq(rl_model_service_offered(m, "mx-central-1", "appsync", &src), RL_OFFERED_NO);
    cr_expect(src && strstr(src, "moto@af6a1fd43"), "%s", src);
    cr_expect_eq(rl_model_service_offered(m, "us-west-2", "appsync", NULL), RL_OFFERED_YES);
    cr_expect_eq(rl_model_service_offered(m, "mx-central-1", "iam", NULL), RL_OFFERED_GLOBAL);
    cr_expect_eq(rl_model_service_offered(m, "eu-west-1", "route53domains", NULL),
                 RL_OFFERED_GLOBAL);
    cr_expect_eq(rl_model_service_offered(m, "eu-west-1", "sagemaker-geospatial", NULL),
                 RL_OFFERED_NO, "regional, offered in us-west-2 only");
    cr_expect_eq(rl_model_service_offered(m, "mx-central-1", "no-such-service", NULL),
                 RL_OFFERED_UNKNOWN);
    fx_free(f);
}

Test(services, stale_region)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    run(f, "us-east-1", "me-south-1");
    const rl_model *m = model(f);
    /* a type me-south-1's stale list lacks counts only when its service is missing too:
     * AWS::Batch::QuotaShare is not in the list, but batch is offered there */
    cr_expect_eq(rl_model_type_offered(m, "me-south-1", "AWS::Batch::QuotaShare", NULL),
                 RL_OFFERED_UNKNOWN);
    cr_expect_eq(rl_model_type_offered(m, "me-south-1", "AWS::BedrockAgentCore::Runtime", NULL),
                 RL_OFFERED_NO, "no bedrock-agentcore in me-south-1 at all");
    cr_expect_eq(rl_model_type_offered(m, "me-south-1", "AWS::Amplify::App", NULL), RL_OFFERED_YES);
    fx_free(f);
}

Test(services, ssm_export_overrides)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    /* a complete list of mx-central-1's services (no NextToken): replaces the tables */
    put(f, "exports/mx.json",
        "{\"Parameters\": [\n"
        " {\"Name\": \"/aws/service/global-infrastructure/regions/mx-central-1/services/amplify\","
        " \"Type\": \"String\", \"Value\": \"amplify\"},\n"
        " {\"Name\": \"/aws/service/global-infrastructure/regions/mx-central-1/services/lambda\","
        " \"Type\": \"String\", \"Value\": \"lambda\"}]}\n");
    /* one page of a service's regions (NextToken): adds, cannot remove */
    put(f, "exports/appsync.json",
        "{\"Parameters\": [\n"
        " {\"Name\": \"/aws/service/global-infrastructure/services/appsync/regions/af-south-1\","
        " \"Type\": \"String\", \"Value\": \"af-south-1\"}],\n"
        " \"NextToken\": \"AAEAAd\"}\n");
    run(f, "us-east-1", "mx-central-1");
    const rl_model *m = model(f);
    const char *src;
    cr_expect_eq(rl_model_type_offered(m, "mx-central-1", "AWS::Amplify::App", &src),
                 RL_OFFERED_YES);
    cr_expect(src && strstr(src, "exports/mx.json"), "%s", src);
    cr_expect_eq(rl_model_service_offered(m, "mx-central-1", "sqs", &src), RL_OFFERED_NO,
                 "the export is complete for mx-central-1");
    cr_expect_eq(rl_model_service_offered(m, "af-south-1", "appsync", NULL), RL_OFFERED_YES);
    cr_expect_eq(rl_model_service_offered(m, "us-west-2", "appsync", &src), RL_OFFERED_YES);
    cr_expect(src && strstr(src, "moto"), "a partial page leaves the table in charge");
    fx_free(f);
}

/* ---- the organization --------------------------------------------------------------- */

Test(services, org_path_from_fixture)
{
    fx *f = fx_new();
    run_in(f, RL_SOURCE_DIR "/fixtures/rl302-fires", "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_not_null(p);
    cr_expect_str_eq(p->account, "222233334444");
    cr_expect_str_eq(p->account_from, "the config's account:");
    cr_expect(!p->exempt);
    cr_assert_eq(p->nlevels, 3);
    cr_expect_str_eq(p->levels[0].target, "r-ab12");
    cr_expect_str_eq(p->levels[0].kind, "root");
    cr_expect_str_eq(p->levels[0].scps[0]->name, "FullAWSAccess");
    cr_expect_str_eq(p->levels[1].target, "ou-ab12-workloads");
    cr_expect_str_eq(p->levels[1].name, "Workloads");
    cr_assert_eq(p->levels[1].nscps, 2);
    cr_expect_str_eq(p->levels[1].scps[0]->name, "AllowPrimaryRegionOnly");
    cr_expect_str_eq(p->levels[1].scps[1]->id, "p-globalsvcs");
    cr_expect(!p->levels[1].assume_allow);
    cr_expect_str_eq(p->levels[2].target, "222233334444");
    cr_expect_str_eq(p->levels[2].kind, "account");
    fx_free(f);
}

static const char *const org_files[][2] = {
    {"org/describe-organization.json",
     "{\"Organization\": {\"Id\": \"o-exampleorgid\", \"Arn\": "
     "\"arn:aws:organizations::111111111111:organization/o-exampleorgid\", "
     "\"MasterAccountId\": \"111111111111\"}}\n"},
    {"org/r-ab12/list-policies-for-target.json",
     "{\"Policies\": [{\"Id\": \"p-denyuswest\", \"Arn\": "
     "\"arn:aws:organizations::111111111111:policy/o-exampleorgid/service_control_policy/"
     "p-denyuswest\", \"Name\": \"DenyUsWest\", \"Type\": \"SERVICE_CONTROL_POLICY\", "
     "\"AwsManaged\": false}, {\"Id\": \"p-FullAWSAccess\", \"Arn\": "
     "\"arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess\", \"Name\": "
     "\"FullAWSAccess\", \"Type\": \"SERVICE_CONTROL_POLICY\", \"AwsManaged\": true}]}\n"},
    {"org/333344445555/list-parents.json",
     "{\"Parents\": [{\"Id\": \"r-ab12\", \"Type\": \"ROOT\"}]}\n"},
    {"scps/deny-us-west.json",
     "{\"Policy\": {\"PolicySummary\": {\"Id\": \"p-denyuswest\", \"Name\": \"DenyUsWest\", "
     "\"Type\": \"SERVICE_CONTROL_POLICY\"}, \"Content\": \"{\\\"Statement\\\": "
     "{\\\"Effect\\\": \\\"Deny\\\", \\\"Action\\\": \\\"*\\\", \\\"Resource\\\": \\\"*\\\", "
     "\\\"Condition\\\": {\\\"StringEquals\\\": {\\\"aws:RequestedRegion\\\": "
     "\\\"us-west-2\\\"}}}}\"}}\n"},
};

static void put_org(fx *f)
{
    for (size_t i = 0; i < sizeof(org_files) / sizeof(*org_files); i++)
        put(f, org_files[i][0], org_files[i][1]);
    put(f, "t.yaml", one_lambda);
}

Test(services, org_account_from_describe_stacks)
{
    fx *f = fx_new();
    put_org(f);
    put(f, "snapshot/stacks.json",
        "{\"Stacks\": [{\"StackName\": \"t\", \"StackId\": "
        "\"arn:aws:cloudformation:us-west-2:333344445555:stack/t/1\", \"StackStatus\": "
        "\"CREATE_COMPLETE\", \"CreationTime\": \"2026-01-01T00:00:00Z\"}]}\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_not_null(p);
    cr_expect_str_eq(p->account, "333344445555");
    cr_expect_str_eq(p->account_from, "the describe-stacks snapshot");
    cr_assert_eq(p->nlevels, 2);
    cr_expect(p->levels[1].assume_allow, "the account's own attachments were not exported");
    char got[4][128];
    cr_expect_eq(findings(f, "RL301", got, 4), 1);
    cr_expect_str_eq(got[0], "t.yaml:3:11");
    const rl_finding *x = finding(f, "RL301", 0);
    cr_expect(strstr(x->message, "SCP \"DenyUsWest\" (p-denyuswest) statement #1 denies "
                                 "lambda:CreateFunction"),
              "%s", x->message);
    cr_assert_eq(x->nrelated, 1);
    cr_expect(strstr(x->related[0].message, "attached to the root r-ab12"), "%s",
              x->related[0].message);
    /* the related location is the Content string, where the statement's nodes point */
    cr_expect_eq(x->related[0].span.start.line, 1);
    fx_free(f);
}

Test(services, org_only_member_account)
{
    fx *f = fx_new();
    put_org(f);
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_expect_str_eq(p->account, "333344445555");
    cr_expect_str_eq(p->account_from, "the only member account in the organization export");
    fx_free(f);
}

Test(services, management_account_is_exempt)
{
    fx *f = fx_new();
    put_org(f);
    put(f, ".regionlint.yaml", "account: \"111111111111\"\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_expect(p->exempt);
    char got[4][128];
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    fx_free(f);
}

Test(services, account_per_region)
{
    fx *f = fx_new();
    put_org(f);
    put(f, ".regionlint.yaml",
        "account: {us-east-1: \"111111111111\", us-west-2: \"333344445555\"}\n");
    run(f, "us-east-1", "us-west-2");
    cr_expect(rl_model_scp_path(model(f), "us-east-1")->exempt);
    cr_expect_str_eq(rl_model_scp_path(model(f), "us-west-2")->account, "333344445555");
    fx_free(f);
}

Test(services, account_must_be_an_account_id)
{
    static const char *const bad[] = {"account: \"12345\"\n", "account: {us-west-2: abc}\n",
                                      "account: {nowhere: \"111111111111\"}\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        fx *f = fx_new();
        put(f, "t.yaml", one_lambda);
        put(f, ".regionlint.yaml", bad[i]);
        char cfg[128];
        snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", f->dir);
        const char *paths[] = {f->dir};
        const char *sb[] = {"us-west-2"};
        rl_lint_opts o;
        memset(&o, 0, sizeof(o));
        o.paths = paths;
        o.npaths = 1;
        o.config_path = cfg;
        o.primary = "us-east-1";
        o.standby = sb;
        o.nstandby = 1;
        o.strategy = -1;
        rl_error err;
        rl_error_clear(&err);
        cr_expect_eq(rl_lint_run(&f->lint, &o, &err), RL_ECONFIG, "%s", bad[i]);
        cr_expect(strstr(err.message, "account"), "%s", err.message);
        cr_expect_eq(err.line, 1);
        fx_free(f);
    }
}

/* A policy id in the file name is no target, even when its tail is twelve digits. */
Test(services, no_structure_one_level)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, "scp/p-123456789012.json",
        "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"ec2:*\", \"Resource\": \"*\"}}\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 1);
    cr_expect_null(p->levels[0].target);
    cr_expect(p->levels[0].assume_allow, "no Allow among them: FullAWSAccess was left out");
    cr_expect_null(p->account);
    char got[4][128];
    cr_expect_eq(findings(f, "RL302", got, 4), 0);
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    fx_free(f);
}

Test(services, no_scps_no_path)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    run(f, "us-east-1", "us-west-2");
    cr_expect_null(rl_model_scp_path(model(f), "us-west-2"));
    fx_free(f);
}

/* ---- ids in file and folder names (the layout of docs/exporting-snapshots.md) -------- */

/* a list-policies record of a customer-managed SCP: its id, id and name */
#define POLICY_SUMMARY_FMT                                                                         \
    "{\"Id\": \"%s\", \"Arn\": \"arn:aws:organizations::111111111111:policy/o-exampleorgid/"       \
    "service_control_policy/%s\", \"Name\": \"%s\", \"Type\": \"SERVICE_CONTROL_POLICY\", "        \
    "\"AwsManaged\": false}"
static const char *const full_access_summary =
    "{\"Id\": \"p-FullAWSAccess\", \"Arn\": "
    "\"arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess\", \"Name\": "
    "\"FullAWSAccess\", \"Type\": \"SERVICE_CONTROL_POLICY\", \"AwsManaged\": true}";

/* list-policies-for-target with FullAWSAccess and, when `id` is set, that SCP */
static void put_policies(fx *f, const char *name, const char *id)
{
    char text[1024], one[512];
    one[0] = '\0';
    if (id) {
        one[0] = ',';
        snprintf(one + 1, sizeof(one) - 1, POLICY_SUMMARY_FMT, id, id, id);
    }
    snprintf(text, sizeof(text), "{\"Policies\": [%s%s]}\n", full_access_summary, one);
    put(f, name, text);
}

static void put_exported_org(fx *f, bool deny_on_workloads)
{
    put(f, "org/scps/p-denyuswest.json",
        "{\"Policy\": {\"PolicySummary\": {\"Id\": \"p-denyuswest\", \"Name\": \"DenyUsWest\", "
        "\"Type\": \"SERVICE_CONTROL_POLICY\"}, \"Content\": \"{\\\"Statement\\\": "
        "{\\\"Effect\\\": \\\"Deny\\\", \\\"Action\\\": \\\"*\\\", \\\"Resource\\\": \\\"*\\\", "
        "\\\"Condition\\\": {\\\"StringEquals\\\": {\\\"aws:RequestedRegion\\\": "
        "\\\"us-west-2\\\"}}}}\"}}\n");
    /* the organization's whole list: attached nowhere by itself */
    put_policies(f, "org/policies.json", "p-denyuswest");
    put(f, "org/parents-333344445555.json",
        "{\"Parents\": [{\"Id\": \"ou-ab12-workloads\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, "org/parents-ou-ab12-workloads.json",
        "{\"Parents\": [{\"Id\": \"r-ab12\", \"Type\": \"ROOT\"}]}\n");
    put_policies(f, "org/policies-for-333344445555.json", NULL);
    put_policies(f, "org/policies-for-ou-ab12-workloads.json",
                 deny_on_workloads ? "p-denyuswest" : NULL);
    put_policies(f, "org/policies-for-r-ab12.json", NULL);
    put(f, "org/targets-p-denyuswest.json",
        deny_on_workloads
            ? "{\"Targets\": [{\"TargetId\": \"ou-ab12-workloads\", \"Arn\": "
              "\"arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-workloads\", "
              "\"Name\": \"Workloads\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n"
            : "{\"Targets\": [{\"TargetId\": \"ou-ab12-sandbox01\", \"Arn\": "
              "\"arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-sandbox01\", "
              "\"Name\": \"Sandbox\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, ".regionlint.yaml", "account: \"333344445555\"\n");
    put(f, "t.yaml", one_lambda);
}

/* parents-<id>.json and policies-for-<id>.json are read for OUs and the root as for
 * accounts: the chain account -> OU -> root is complete, each level with its own SCPs. */
Test(services, org_ids_in_file_names)
{
    fx *f = fx_new();
    put_exported_org(f, true);
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_not_null(p);
    cr_assert_eq(p->nlevels, 3);
    cr_expect_str_eq(p->levels[0].target, "r-ab12");
    cr_expect(!p->levels[0].assume_allow, "the root's list was exported");
    cr_expect_eq(p->levels[0].nscps, 1);
    cr_expect_str_eq(p->levels[1].target, "ou-ab12-workloads");
    cr_expect_str_eq(p->levels[1].name, "Workloads");
    cr_assert_eq(p->levels[1].nscps, 2);
    cr_expect_str_eq(p->levels[1].scps[1]->id, "p-denyuswest");
    cr_expect(!p->levels[1].assume_allow);
    cr_expect_str_eq(p->levels[2].target, "333344445555");
    cr_expect_eq(p->levels[2].nscps, 1, "policies.json is no list for a target");
    char got[4][128];
    cr_assert_eq(findings(f, "RL301", got, 4), 1);
    cr_expect_str_eq(got[0], "t.yaml:3:11");
    const rl_finding *x = finding(f, "RL301", 0);
    cr_assert_eq(x->nrelated, 1);
    cr_expect(strstr(x->related[0].message,
                     "attached to the organizational unit ou-ab12-workloads (\"Workloads\")"),
              "%s", x->related[0].message);
    fx_free(f);

    /* attached to another OU only: not in force for the account, nothing to report */
    f = fx_new();
    put_exported_org(f, false);
    run(f, "us-east-1", "us-west-2");
    p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 3);
    cr_expect_eq(p->levels[1].nscps, 1);
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    cr_expect_eq(notes(f, "RL301", got, 4), 0);
    fx_free(f);
}

/* A list-policies export in a folder named after a target is that target's list; one
 * under an account folder higher up is the organization's list. */
Test(services, org_policies_target_from_folder)
{
    fx *f = fx_new();
    put_exported_org(f, false);
    put_policies(f, "org/ou-ab12-workloads/policies.json", "p-denyuswest");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 3);
    cr_expect_eq(p->levels[1].nscps, 2);
    char got[4][128];
    cr_expect_eq(findings(f, "RL301", got, 4), 1);
    fx_free(f);

    f = fx_new();
    put_exported_org(f, false);
    put_policies(f, "333344445555/org/policies.json", "p-denyuswest");
    run(f, "us-east-1", "us-west-2");
    p = rl_model_scp_path(model(f), "us-west-2");
    cr_expect_eq(p->levels[2].nscps, 1, "an account folder higher up names no target");
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    fx_free(f);
}

/* ---- levels named by SCP folders ------------------------------------------------------ */

static const char *const lambda_and_table = "Resources:\n"
                                            "  Fn:\n"
                                            "    Type: AWS::Lambda::Function\n"
                                            "  Orders:\n"
                                            "    Type: AWS::DynamoDB::Table\n";

/* scps/root/ and scps/ou-.../ are two levels, each needing its own Allow (not one merged
 * level where the root's Allow * would allow everything); an SCP outside them applies to
 * every account. */
Test(services, scp_folders_are_levels)
{
    fx *f = fx_new();
    put(f, "t.yaml", lambda_and_table);
    put(f, "scps/root/full-access.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}\n");
    put(f, "scps/ou-ab12-workloads/allow-list.json",
        "{\"Statement\": [{\"Sid\": \"Approved\", \"Effect\": \"Allow\", \"Action\": "
        "[\"lambda:*\", \"logs:*\", \"iam:*\", \"sqs:*\"], \"Resource\": \"*\"}]}\n");
    put(f, "scps/deny-leave.json",
        "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"organizations:LeaveOrganization\", "
        "\"Resource\": \"*\"}}\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 3);
    cr_expect_null(p->levels[0].target, "the SCP outside the level folders");
    cr_expect(p->levels[0].assume_allow, "a deny alone: FullAWSAccess left out");
    cr_expect_str_eq(p->levels[1].target, "root");
    cr_expect_str_eq(p->levels[1].kind, "root");
    cr_expect(!p->levels[1].assume_allow);
    cr_expect_str_eq(p->levels[2].target, "ou-ab12-workloads");
    cr_expect(!p->levels[2].assume_allow);
    char got[4][128];
    /* DynamoDB is allowed at no OU level in any region: one note, no gap */
    cr_expect_eq(findings(f, "RL302", got, 4), 0);
    cr_assert_eq(notes(f, "RL302", got, 4), 1);
    cr_expect_str_eq(got[0], "scps/ou-ab12-workloads/allow-list.json:1:16");
    const rl_finding *x = finding_of(f, "RL302", true, 0);
    cr_expect(strstr(x->message, "no SCP attached to the organizational unit ou-ab12-workloads "
                                 "allows dynamodb:CreateTable for the primary region us-east-1 "
                                 "as for the standby us-west-2: not a standby gap (5 actions "
                                 "needed by Orders (AWS::DynamoDB::Table), allowed in neither "
                                 "region)"),
              "%s", x->message);
    cr_expect_str_eq(x->path, "Statement[0]");
    cr_assert_eq(x->nrelated, 1);
    cr_expect_eq(x->related[0].span.start.line, 5);
    fx_free(f);

    /* the OU allows its list in the primary region only: the Lambda function is a gap of
     * the standby, the table still is not */
    f = fx_new();
    put(f, "t.yaml", lambda_and_table);
    put(f, "scps/root/full-access.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}\n");
    put(f, "scps/ou-ab12-workloads/allow-list.json",
        "{\"Statement\": [{\"Sid\": \"Approved\", \"Effect\": \"Allow\", \"Action\": "
        "[\"lambda:*\", \"logs:*\", \"iam:*\", \"sqs:*\"], \"Resource\": \"*\", \"Condition\": "
        "{\"StringEquals\": {\"aws:RequestedRegion\": \"us-east-1\"}}}]}\n");
    run(f, "us-east-1", "us-west-2");
    cr_assert_eq(findings(f, "RL302", got, 4), 1);
    cr_expect_str_eq(got[0], "t.yaml:3:11");
    cr_expect(strstr(finding(f, "RL302", 0)->message,
                     "no SCP attached to the organizational unit ou-ab12-workloads allows "
                     "lambda:CreateFunction there"));
    cr_expect_eq(notes(f, "RL302", got, 4), 1);
    fx_free(f);

    /* the folder called root, without an export that gives the root's id */
    f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, "scps/root/primary-only.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", "
        "\"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": \"us-east-1\"}}}}\n");
    run(f, "us-east-1", "us-west-2");
    cr_assert_eq(findings(f, "RL302", got, 4), 1);
    cr_expect(strstr(finding(f, "RL302", 0)->message,
                     "no SCP attached to the root allows lambda:CreateFunction there"),
              "%s", finding(f, "RL302", 0)->message);
    fx_free(f);
}

/* Nested level folders give the parents; the folder called root is the exported root. */
Test(services, scp_folders_nested)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, ".regionlint.yaml", "account: \"111122223333\"\n");
    put(f, "org/roots.json",
        "{\"Roots\": [{\"Id\": \"r-ab12\", \"Arn\": "
        "\"arn:aws:organizations::111111111111:root/o-exampleorgid/r-ab12\", \"Name\": "
        "\"Root\"}]}\n");
    put(f, "policies/scps/root/allow-all.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}\n");
    put(f, "policies/scps/root/ou-ab12-parent01/allow-all.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}\n");
    put(f, "policies/scps/root/ou-ab12-parent01/ou-ab12-child001/deny-west.json",
        "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\", "
        "\"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": \"us-west-2\"}}}}\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 4);
    cr_expect_str_eq(p->levels[0].target, "r-ab12");
    cr_expect_str_eq(p->levels[0].scps[0]->name, "allow-all.json");
    cr_expect_str_eq(p->levels[1].target, "ou-ab12-parent01");
    cr_expect_str_eq(p->levels[2].target, "ou-ab12-child001");
    cr_expect(p->levels[2].assume_allow, "a folder of denies left out FullAWSAccess");
    cr_expect_str_eq(p->levels[3].target, "111122223333");
    char got[4][128];
    cr_expect_eq(findings(f, "RL301", got, 4), 1);
    fx_free(f);

    /* list-parents places the account in another OU: the folders' OUs are not its path */
    f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, ".regionlint.yaml", "account: \"111122223333\"\n");
    put(f, "org/parents-111122223333.json",
        "{\"Parents\": [{\"Id\": \"ou-ab12-other001\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, "scps/ou-ab12-child001/deny-west.json",
        "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\", "
        "\"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": \"us-west-2\"}}}}\n");
    run(f, "us-east-1", "us-west-2");
    p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 2);
    cr_expect_str_eq(p->levels[0].target, "ou-ab12-other001");
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    fx_free(f);
}

/* Sibling OU folders with nothing saying which holds the account: each is a level. */
Test(services, scp_folders_siblings)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, "scps/ou-ab12-aaaaaaaa/allow.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}\n");
    put(f, "scps/ou-ab12-bbbbbbbb/allow.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [\"s3:*\", \"lambda:*\", "
        "\"logs:*\", \"iam:*\"], \"Resource\": \"*\", \"Condition\": {\"StringEquals\": "
        "{\"aws:RequestedRegion\": \"us-east-1\"}}}}\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 2);
    cr_expect_str_eq(p->levels[0].target, "ou-ab12-bbbbbbbb");
    cr_expect_str_eq(p->levels[1].target, "ou-ab12-aaaaaaaa");
    char got[4][128];
    cr_assert_eq(findings(f, "RL302", got, 4), 1);
    cr_expect(strstr(finding(f, "RL302", 0)->message, "ou-ab12-bbbbbbbb"));
    fx_free(f);
}

/* Allow-lists of several OUs in one folder, each file named after its OU: one level each,
 * not one merged list. */
Test(services, scp_file_names_are_levels)
{
    fx *f = fx_new();
    put(f, "t.yaml", lambda_and_table);
    put(f, ".regionlint.yaml", "account: \"111122223333\"\n");
    put(f, "org/parents-111122223333.json",
        "{\"Parents\": [{\"Id\": \"ou-ab12-prod0001\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, "org/parents-ou-ab12-prod0001.json",
        "{\"Parents\": [{\"Id\": \"ou-ab12-workloads\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, "scps/allow-list-ou-ab12-workloads.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [\"lambda:*\", \"logs:*\", "
        "\"iam:*\", \"dynamodb:*\"], \"Resource\": \"*\"}}\n");
    put(f, "scps/allow-list-ou-ab12-prod0001.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [\"lambda:*\", \"logs:*\", "
        "\"iam:*\"], \"Resource\": \"*\", \"Condition\": {\"StringEquals\": "
        "{\"aws:RequestedRegion\": [\"us-east-1\", \"us-west-2\"]}}}}\n");
    put(f, "scps/allow-list-ou-ab12-sandbox1.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}\n");
    run(f, "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_eq(p->nlevels, 3, "the sandbox's list is on no level of the path");
    cr_expect_str_eq(p->levels[0].target, "ou-ab12-workloads");
    cr_expect_str_eq(p->levels[1].target, "ou-ab12-prod0001");
    cr_expect_str_eq(p->levels[2].target, "111122223333");
    char got[4][128];
    /* DynamoDB: Workloads allows it, Prod does not, in either region */
    cr_expect_eq(findings(f, "RL302", got, 4), 0);
    cr_assert_eq(notes(f, "RL302", got, 4), 1);
    cr_expect_str_eq(got[0], "scps/allow-list-ou-ab12-prod0001.json:1:15");
    fx_free(f);
}

/* The real SCPs (folders named after their topic, files after their purpose) name no
 * level: without an organization export they apply as one level. */
Test(services, real_scps_name_no_level)
{
    fx *f = fx_new();
    run_in(f, RL_SOURCE_DIR "/tests/data/scp", "us-east-1", "us-west-2");
    const rl_scp_path *p = rl_model_scp_path(model(f), "us-west-2");
    cr_assert_not_null(p);
    cr_assert_eq(p->nlevels, 1);
    cr_expect_null(p->levels[0].target);
    cr_expect_geq(p->levels[0].nscps, 59);
    fx_free(f);
}

/* ---- the primary as the reference --------------------------------------------------- */

/* A deny that binds every region: one note for the statement, whatever the number of
 * resources, actions and standby regions. */
Test(services, every_region_deny_one_note)
{
    fx *f = fx_new();
    put(f, "a.yaml",
        "Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n  B:\n    Type: "
        "AWS::DynamoDB::Table\n");
    put(f, "b.yaml", "Resources:\n  C:\n    Type: AWS::DynamoDB::GlobalTable\n");
    put(f, "scp/no-dynamodb.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [\n"
        "  {\"Sid\": \"NoDynamo\", \"Effect\": \"Deny\", \"Action\": \"dynamodb:*\", "
        "\"Resource\": \"*\"},\n"
        "  {\"Sid\": \"NoLeave\", \"Effect\": \"Deny\", \"Action\": "
        "\"organizations:LeaveOrganization\", \"Resource\": \"*\"}]}\n");
    put(f, ".regionlint.yaml", "primary: us-east-1\nstandby: [us-west-2, eu-west-1]\n");
    run(f, NULL, NULL);
    char got[4][128];
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    cr_assert_eq(notes(f, "RL301", got, 4), 1);
    cr_expect_str_eq(got[0], "scp/no-dynamodb.json:2:3");
    const rl_finding *x = finding_of(f, "RL301", true, 0);
    cr_expect(strstr(x->message, "SCP \"no-dynamodb.json\" statement \"NoDynamo\" denies "
                                 "dynamodb:CreateTable for the primary region us-east-1 as for "
                                 "the standby us-west-2 (and 1 more standby region): not a "
                                 "standby gap ("),
              "%s", x->message);
    cr_expect(strstr(x->message, "and 2 more resources, denied in both regions)"), "%s",
              x->message);
    cr_expect_str_eq(x->path, "Statement[0]");
    cr_expect_str_eq(x->region, "us-west-2");
    fx_free(f);
}

/* Denied for certain in the standby, only under a condition in the primary (its deployer
 * is exempt there): the standby's deny is a gap. */
Test(services, primary_exempt_by_condition)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, "scp/regions.json",
        "{\"Statement\": [\n"
        "  {\"Sid\": \"PrimaryOnly\", \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": "
        "\"*\", "
        "\"Condition\": {\"StringNotEquals\": {\"aws:RequestedRegion\": \"us-east-1\"}}},\n"
        "  {\"Sid\": \"PrimaryBreakGlass\", \"Effect\": \"Deny\", \"Action\": \"lambda:*\", "
        "\"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": "
        "\"us-east-1\"}, \"ArnNotLike\": {\"aws:PrincipalARN\": "
        "\"arn:aws:iam::*:role/deployer\"}}}]}\n");
    run(f, "us-east-1", "us-west-2");
    char got[4][128];
    cr_assert_eq(findings(f, "RL301", got, 4), 1);
    cr_expect(strstr(finding(f, "RL301", 0)->message, "statement \"PrimaryOnly\" denies "
                                                      "lambda:CreateFunction"));
    cr_expect_eq(notes(f, "RL301", got, 4), 0);
    fx_free(f);
}

/* Allow-lists of the primary's OU and the standby's OU (one account per region): what the
 * standby's OU leaves out and the primary's allows is a gap. */
Test(services, allow_list_per_account_path)
{
    fx *f = fx_new();
    put(f, "t.yaml", lambda_and_table);
    put(f, ".regionlint.yaml",
        "account: {us-east-1: \"111122223333\", us-west-2: \"333344445555\"}\n");
    put(f, "org/parents-111122223333.json",
        "{\"Parents\": [{\"Id\": \"ou-ab12-prod0001\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, "org/parents-333344445555.json",
        "{\"Parents\": [{\"Id\": \"ou-ab12-dr000001\", \"Type\": \"ORGANIZATIONAL_UNIT\"}]}\n");
    put(f, "scps/ou-ab12-prod0001/allow.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [\"lambda:*\", \"logs:*\", "
        "\"iam:*\"], \"Resource\": \"*\"}}\n");
    put(f, "scps/ou-ab12-dr000001/allow.json",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [\"logs:*\", \"iam:*\"], "
        "\"Resource\": \"*\"}}\n");
    run(f, "us-east-1", "us-west-2");
    char got[4][128];
    cr_assert_eq(findings(f, "RL302", got, 4), 1);
    cr_expect_str_eq(got[0], "t.yaml:3:11");
    cr_expect(strstr(finding(f, "RL302", 0)->message, "ou-ab12-dr000001"));
    /* DynamoDB: neither OU allows it; the standby's level is not the primary's */
    cr_assert_eq(notes(f, "RL302", got, 4), 1);
    cr_expect(strstr(finding_of(f, "RL302", true, 0)->message,
                     "for the standby us-west-2, and the primary region us-east-1 is denied it "
                     "too (no Allow at the organizational unit ou-ab12-prod0001)"),
              "%s", finding_of(f, "RL302", true, 0)->message);
    fx_free(f);
}

/* A conditional deny in the standby where the primary is denied for certain: no RL304. */
Test(services, conditional_where_primary_is_blocked)
{
    fx *f = fx_new();
    put(f, "t.yaml", one_lambda);
    put(f, "scp/lambda.json",
        "{\"Statement\": [\n"
        "  {\"Sid\": \"NoLambdaEast\", \"Effect\": \"Deny\", \"Action\": \"lambda:*\", "
        "\"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": "
        "\"us-east-1\"}}},\n"
        "  {\"Sid\": \"WestBreakGlass\", \"Effect\": \"Deny\", \"Action\": \"lambda:*\", "
        "\"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": "
        "\"us-west-2\"}, \"ArnNotLike\": {\"aws:PrincipalARN\": "
        "\"arn:aws:iam::*:role/break-glass\"}}}]}\n");
    run(f, "us-east-1", "us-west-2");
    char got[4][128];
    cr_expect_eq(findings(f, "RL304", got, 4), 0);
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    fx_free(f);
}

/* ---- the rules end to end ----------------------------------------------------------- */

Test(services, fixtures_positions)
{
    static const struct {
        const char *fixture, *rule;
        size_t n;
        const char *first;
        size_t nnotes; /* statements that bind the primary as the standby */
        const char *first_note;
    } rows[] = {
        {"rl301-fires", "RL301", 2, "templates/app.yaml:15:11", 1, "scps/deny-dynamodb.json:11:20"},
        {"rl302-fires", "RL302", 2, "templates/app.yaml:13:11", 0, NULL},
        {"rl303-fires", "RL303", 2, "templates/site.yaml:6:11", 0, NULL},
        {"rl304-fires", "RL304", 2, "templates/app.yaml:14:11", 0, NULL},
        {"rl301-org-ids-fires", "RL301", 2, "templates/app.yaml:5:11", 0, NULL},
        {"rl302-ou-folders-fires", "RL302", 2, "templates/app.yaml:13:11", 1,
         "scps/ou-ab12-workloads/approved-services.json:4:5"},
        {"rl301-every-region-note", "RL301", 0, NULL, 2, "scps/approved-services.json:4:5"},
        {"rl302-every-region-note", "RL302", 0, NULL, 1, "org/scps/p-approvedlist.json:11:20"},
        {"rl301-clean", "RL301", 0, NULL, 0, NULL},
        {"rl302-clean", "RL302", 0, NULL, 0, NULL},
        {"rl303-clean", "RL303", 0, NULL, 0, NULL},
        {"rl304-clean", "RL304", 0, NULL, 0, NULL},
        {"rl301-org-ids-clean", "RL301", 0, NULL, 0, NULL},
        {"rl302-ou-folders-clean", "RL302", 0, NULL, 0, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/fixtures/%s", RL_SOURCE_DIR, rows[i].fixture);
        char cwd[1024];
        cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
        cr_assert_eq(chdir(dir), 0);
        fx *f = fx_new();
        run_in(f, ".", NULL, NULL);
        char got[8][128];
        size_t n = findings(f, rows[i].rule, got, 8);
        cr_expect_eq(n, rows[i].n, "%s: %zu %s", rows[i].fixture, n, rows[i].rule);
        if (rows[i].first && n)
            cr_expect_str_eq(got[0], rows[i].first, "%s", rows[i].fixture);
        n = notes(f, rows[i].rule, got, 8);
        cr_expect_eq(n, rows[i].nnotes, "%s: %zu %s notes", rows[i].fixture, n, rows[i].rule);
        if (rows[i].first_note && n)
            cr_expect_str_eq(got[0], rows[i].first_note, "%s", rows[i].fixture);
        /* nothing else of the family fires in a clean scenario */
        if (!rows[i].first && !rows[i].first_note) {
            const rl_findings *fs = rl_lint_findings(f->lint);
            for (size_t k = 0; k < rl_findings_count(fs); k++)
                cr_expect(strncmp(rl_findings_at(fs, k)->rule_id, "RL3", 3), "%s: %s",
                          rows[i].fixture, rl_findings_at(fs, k)->message);
        }
        fx_free(f);
        cr_assert_eq(chdir(cwd), 0);
    }
}

/* Terraform resources: the service table decides, unless CloudFormation has the equivalent
 * type in the region (the SSM tree lacks codepipeline in mx-central-1, CloudFormation has
 * AWS::CodePipeline::Pipeline there). */
Test(services, terraform_offering)
{
    fx *f = fx_new();
    put(f, "main.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"mx-central-1\"}},\n"
        " \"resource\": {\"aws_codepipeline\": {\"p\": {\"name\": \"p\"}},\n"
        "   \"aws_appsync_graphql_api\": {\"g\": {\"name\": \"g\"}},\n"
        "   \"aws_amplify_app\": {\"a\": {\"name\": \"a\"}},\n"
        "   \"aws_iam_role\": {\"r\": {\"name\": \"r\"}},\n"
        "   \"aws_something_unmapped\": {\"u\": {}}}}\n");
    run(f, "us-east-1", "mx-central-1");
    char got[8][128];
    cr_expect_eq(findings(f, "RL303", got, 8), 2);
    cr_expect_str_eq(got[0], "main.tf.json:3:37");
    cr_expect_str_eq(got[1], "main.tf.json:4:29");
    cr_expect(strstr(finding(f, "RL303", 0)->message, "the service appsync is not offered there"));
    cr_expect(strstr(finding(f, "RL303", 1)->message, "the service amplify is not offered there"));
    fx_free(f);
}

/* Global services are not reported behind a region deny that exempts them, and a deny on
 * them in their home region is reported with that region. */
/* IAM, Route 53, CloudFront and a regional resource, so that the template is deployed to
 * both regions (a template of global resources only is deployed once) */
static const char *const global_template = "Resources:\n"
                                           "  Role:\n"
                                           "    Type: AWS::IAM::Role\n"
                                           "  Zone:\n"
                                           "    Type: AWS::Route53::HostedZone\n"
                                           "  Cdn:\n"
                                           "    Type: AWS::CloudFront::Distribution\n"
                                           "  Queue:\n"
                                           "    Type: AWS::SQS::Queue\n";
/* every action, in two European regions only (no NotAction for the global services) */
static const char *const eu_only =
    "{\"Statement\": {\"Sid\": \"EuOnly\", \"Effect\": \"Deny\", \"Action\": \"*\", "
    "\"Resource\": \"*\", \"Condition\": {\"StringNotEquals\": {\"aws:RequestedRegion\": "
    "[\"eu-west-1\", \"eu-central-1\"]}}}}\n";

Test(services, global_services)
{
    fx *f = fx_new();
    put(f, "t.yaml", global_template);
    put(f, "scp/deny-all-but-eu.json", eu_only);
    run(f, "us-east-1", "eu-central-1");
    char got[4][128];
    /* no NotAction: IAM, Route 53 and CloudFront requests name us-east-1 and are denied,
     * for the standby's stacks; the primary us-east-1 is denied everything (its regional
     * calls too), so nothing here is a gap of the standby */
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    cr_expect_eq(notes(f, "RL301", got, 4), 1, "one note for the statement");
    fx_free(f);
    /* between two allowed regions, the global services are what the standby cannot use,
     * and neither can the primary: one note, not three errors */
    f = fx_new();
    put(f, "t.yaml", global_template);
    put(f, "scp/deny-all-but-eu.json", eu_only);
    run(f, "eu-west-1", "eu-central-1");
    cr_expect_eq(findings(f, "RL301", got, 4), 0);
    cr_assert_eq(notes(f, "RL301", got, 4), 1);
    cr_expect_str_eq(got[0], "scp/deny-all-but-eu.json:1:15");
    const rl_finding *x = finding_of(f, "RL301", true, 0);
    cr_expect(strstr(x->message, "iam:CreateRole (requested in us-east-1, where the global "
                                 "service lives) for the primary region eu-west-1 as for the "
                                 "standby eu-central-1: not a standby gap"),
              "%s", x->message);
    cr_expect(strstr(x->message, "and 2 more resources, denied in both regions"), "%s", x->message);
    cr_expect_str_eq(x->path, "Statement");
    fx_free(f);
    /* a standby outside the allowed regions, with a primary inside: the global services are
     * not reported (both request them in us-east-1, denied alike), the regional ones are */
    f = fx_new();
    put(f, "t.yaml",
        "Resources:\n"
        "  Role:\n"
        "    Type: AWS::IAM::Role\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n");
    put(f, "scp/deny-all-but-eu.json", eu_only);
    run(f, "eu-west-1", "us-west-2");
    cr_assert_eq(findings(f, "RL301", got, 4), 1);
    cr_expect_str_eq(got[0], "t.yaml:5:11");
    cr_expect_eq(notes(f, "RL301", got, 4), 1, "IAM: denied alike");
    fx_free(f);
}

/* Thousands of resources: one decision per distinct action, linear in the resources. */
Test(services, linear, .timeout = 20)
{
    fx *f = fx_new();
    size_t n = 20000;
    char *t = malloc(n * 80 + 32), *o = t;
    o += sprintf(o, "Resources:\n");
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "  Fn%zu:\n    Type: AWS::Lambda::Function\n", i);
    put(f, "big.yaml", t);
    free(t);
    put(f, "scp/deny.json",
        "{\"Statement\": {\"Effect\": \"Deny\", \"NotAction\": [\"iam:*\"], \"Resource\": \"*\", "
        "\"Condition\": {\"StringNotEquals\": {\"aws:RequestedRegion\": \"us-east-1\"}}}}\n");
    clock_t c0 = clock();
    run(f, "us-east-1", "us-west-2");
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    char got[1][128];
    cr_expect_eq(findings(f, "RL301", got, 1), n);
    cr_expect_lt(secs, 10.0, "%.2fs", secs);
    fx_free(f);
}
