/* Input classification by content: every kind and subkind on real-shaped samples
 * (tests/data/classify), the shapes that must not be confused, odd roots, and the corpus. */
#include <criterion/criterion.h>
#include <regionlint/input.h>
#include <regionlint/config.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DATA_DIR RL_SOURCE_DIR "/tests/data/classify"

static rl_doc *load_file(const char *fs_path, const char *display)
{
    rl_source *src = NULL;
    rl_error err;
    rl_error_clear(&err);
    if (rl_source_read(&src, fs_path, display, RL_DEFAULT_MAX_FILE_SIZE, &err))
        return NULL;
    rl_doc *doc = NULL;
    rl_doc_load(&doc, src, NULL, &err);
    return doc;
}

static rl_doc *load_text(const char *name, const char *text)
{
    rl_source *src = NULL;
    cr_assert_eq(rl_source_new(&src, name, text, strlen(text)), 0);
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    rl_doc_load(&doc, src, NULL, &err);
    cr_assert_not_null(doc, "%s does not load: %s", name, err.message);
    return doc;
}

typedef struct expect {
    const char *path; /* relative to tests/data/classify, or the name given to inline text */
    rl_input_kind kind;
    const char *subkind; /* NULL = none expected */
    bool aws;
} expect;

static bool str_eq_or_null(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Classifies and reports a mismatch (without stopping, so one run lists them all). */
static void check(const rl_doc *doc, const expect *e)
{
    const char *sub = "unset";
    bool aws = !e->aws;
    rl_input_kind k = rl_classify(doc, e->path, NULL, &sub, &aws);
    cr_expect(k == e->kind && str_eq_or_null(sub, e->subkind) && aws == e->aws,
              "%s: got %s/%s aws=%d, want %s/%s aws=%d", e->path, rl_input_kind_name(k),
              sub ? sub : "(null)", aws, rl_input_kind_name(e->kind),
              e->subkind ? e->subkind : "(null)", e->aws);
}

/* ---- real-shaped samples, one or more per kind and subkind ------------------------------ */

static const expect files[] = {
    /* CloudFormation templates */
    {"cfn/codepipeline-date-version.yaml", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/no-version.yaml", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/list-transform-not-sam.yaml", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/language-extensions.json", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/empty-resources.json", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/cdk-assert-no-resources.json", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/cdk-cross-region-stack.json", RL_INPUT_CFN_TEMPLATE, "template", false},
    {"cfn/sam-string-transform.yaml", RL_INPUT_CFN_TEMPLATE, "sam-template", false},
    {"cfn/sam-list-transform.yaml", RL_INPUT_CFN_TEMPLATE, "sam-template", false},
    /* parameter files */
    {"params/parameters.json", RL_INPUT_CFN_PARAMS, "parameters-list", false},
    {"params/template-configuration.json", RL_INPUT_CFN_PARAMS, "template-configuration", false},
    /* Terraform */
    {"terraform/resources.tf.json", RL_INPUT_TF_CONFIG, "tf-json", false},
    {"terraform/variables.tf.json", RL_INPUT_TF_CONFIG, "tf-json", false},
    {"terraform/plan-0.15.json", RL_INPUT_TF_PLAN, "plan", false},
    {"terraform/plan-aws-provider.json", RL_INPUT_TF_PLAN, "plan", false},
    {"terraform/plan-named-state.json", RL_INPUT_TF_PLAN, "state", false},
    {"terraform/show-state.json", RL_INPUT_TF_PLAN, "state", false},
    {"terraform/show-empty-state.json", RL_INPUT_TF_PLAN, "state", false},
    {"terraform/terraform.tfstate", RL_INPUT_TF_STATE, "tfstate-v4", false},
    /* service quotas */
    {"quotas/list-service-quotas.output1.json", RL_INPUT_QUOTAS, "list-service-quotas", false},
    {"quotas/list-service-quotas-empty.json", RL_INPUT_QUOTAS, "list-service-quotas", false},
    {"quotas/list-aws-default-service-quotas.output1.json", RL_INPUT_QUOTAS,
     "list-aws-default-service-quotas", false},
    {"quotas/get-service-quota.output1.json", RL_INPUT_QUOTAS, "get-service-quota", false},
    {"quotas/get-aws-default-service-quota.output1.json", RL_INPUT_QUOTAS,
     "get-aws-default-service-quota", false},
    {"quotas/list-services.json", RL_INPUT_UNKNOWN, "list-services", true},
    /* placebo recordings: unwrapped, and said so in the subkind */
    {"placebo/servicequotas.ListServiceQuotas_1.json", RL_INPUT_QUOTAS,
     "placebo:list-service-quotas", false},
    /* the recorded default list has an account in its QuotaArn, so it reads as applied */
    {"placebo/servicequotas.ListAWSDefaultServiceQuotas_1.json", RL_INPUT_QUOTAS,
     "placebo:list-service-quotas", false},
    {"placebo/servicequotas.ListServices_1.json", RL_INPUT_UNKNOWN, NULL, true},
    /* usage and Trusted Advisor */
    {"usage/get-metric-statistics.json", RL_INPUT_QUOTA_USAGE, "get-metric-statistics", false},
    {"usage/get-metric-data.json", RL_INPUT_QUOTA_USAGE, "get-metric-data", false},
    {"usage/describe-trusted-advisor-check-result.json", RL_INPUT_TRUSTED_ADVISOR,
     "describe-trusted-advisor-check-result", false},
    /* IAM */
    {"iam/get-account-authorization-details.json", RL_INPUT_IAM,
     "get-account-authorization-details", false},
    {"iam/authz-policies-only.json", RL_INPUT_IAM, "get-account-authorization-details", false},
    {"iam/list-roles.json", RL_INPUT_IAM, "list-roles", false},
    {"iam/get-role.json", RL_INPUT_IAM, "get-role", false},
    {"iam/list-policies-iam.json", RL_INPUT_UNKNOWN, "iam-list-policies", true},
    /* SCPs: API answers anywhere, bare documents only under an scp/scps folder */
    {"scp/describe-policy.json", RL_INPUT_SCP, "describe-policy", false},
    {"scp/create-policy.json", RL_INPUT_SCP, "describe-policy", false},
    {"org/scps/deny-regions.json", RL_INPUT_SCP, "policy-document", false},
    {"policies/deny-regions.json", RL_INPUT_UNKNOWN, "policy-document", true},
    /* Organizations */
    {"org/list-policies.json", RL_INPUT_ORG, "list-policies", false},
    {"org/list-policies-for-target-444444444444.json", RL_INPUT_ORG, "list-policies-for-target",
     false},
    {"org/list-parents.json", RL_INPUT_ORG, "list-parents", false},
    {"org/list-targets-for-policy.json", RL_INPUT_ORG, "list-targets-for-policy", false},
    {"org/list-children.json", RL_INPUT_ORG, "list-children", false},
    {"org/list-organizational-units-for-parent.json", RL_INPUT_ORG,
     "list-organizational-units-for-parent", false},
    {"org/list-accounts.json", RL_INPUT_ORG, "list-accounts", false},
    {"org/list-roots.json", RL_INPUT_ORG, "list-roots", false},
    {"org/describe-organization.json", RL_INPUT_ORG, "describe-organization", false},
    /* CloudFormation API */
    {"stacks/describe-stacks.json", RL_INPUT_STACKS, "describe-stacks", false},
    {"stacks/describe-stack-events.json", RL_INPUT_STACK_EVENTS, "describe-stack-events", false},
    {"stacks/describe-stack-set.json", RL_INPUT_STACKSET, "describe-stack-set", false},
    {"stacks/describe-stack-set-operation.json", RL_INPUT_STACKSET, "describe-stack-set-operation",
     false},
    {"stacks/list-stack-set-operations.json", RL_INPUT_STACKSET, "list-stack-set-operations",
     false},
    /* pipelines */
    {"pipeline/get-pipeline.json", RL_INPUT_PIPELINE, "get-pipeline", false},
    {"ci/.github/workflows/deploy.yml", RL_INPUT_GITHUB_ACTIONS, "workflow", false},
    {"ci/.github/workflows/reusable-caller.yml", RL_INPUT_GITHUB_ACTIONS, "workflow", false},
    {"ci/gitlab/.gitlab-ci.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
    {"ci/gitlab/deploy.gitlab-ci.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
    {"ci/gitlab/included-jobs.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
    /* region service offering */
    {"ssm/get-parameters-by-path.json", RL_INPUT_SSM_OFFERING, "get-parameters-by-path", false},
    {"ssm/site-parameters.json", RL_INPUT_UNKNOWN, NULL, true},
    /* not inputs */
    {"negative/package.json", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/tsconfig.json", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/deployment.yaml", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/docker-compose.yml", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/config.yaml", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/jsonapi.json", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/terraform-validate.json", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/composite-action.yml", RL_INPUT_UNKNOWN, NULL, false},
    {"negative/buildspec.yml", RL_INPUT_UNKNOWN, NULL, false},
    /* AWS data we do not read */
    {"negative/events-list-targets-by-rule.json", RL_INPUT_UNKNOWN, NULL, true},
    {"negative/describe-generated-template.json", RL_INPUT_UNKNOWN, NULL, true},
    {"negative/describe-change-set.json", RL_INPUT_UNKNOWN, NULL, true},
};

Test(classify, sample_files)
{
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        char fs[1024];
        snprintf(fs, sizeof(fs), "%s/%s", DATA_DIR, files[i].path);
        rl_doc *doc = load_file(fs, files[i].path);
        cr_expect_not_null(doc, "%s does not load", files[i].path);
        if (doc)
            check(doc, &files[i]);
        rl_doc_free(doc);
    }
}

/* Every sample file is in the table (so a new sample cannot be forgotten). */
static size_t count_files(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st))
            continue;
        if (S_ISDIR(st.st_mode))
            n += count_files(p);
        else if (strcmp(de->d_name, "PROVENANCE.md"))
            n++;
    }
    closedir(d);
    return n;
}

Test(classify, every_sample_is_checked)
{
    cr_expect_eq(count_files(DATA_DIR), sizeof(files) / sizeof(*files));
}

/* ---- shapes that must not be confused, and odd roots ------------------------------------ */

typedef struct inline_case {
    expect e;
    const char *text;
} inline_case;

static const inline_case inline_cases[] = {
    /* empty and scalar roots, sequences */
    {{"empty.yaml", RL_INPUT_UNKNOWN, NULL, false}, ""},
    {{"comment.yaml", RL_INPUT_UNKNOWN, NULL, false}, "# nothing here\n"},
    {{"scalar.yaml", RL_INPUT_UNKNOWN, NULL, false}, "hello\n"},
    {{"number.json", RL_INPUT_UNKNOWN, NULL, false}, "42"},
    {{"null.json", RL_INPUT_UNKNOWN, NULL, false}, "null"},
    {{"empty-list.json", RL_INPUT_UNKNOWN, NULL, false}, "[]"},
    {{"empty-map.json", RL_INPUT_UNKNOWN, NULL, false}, "{}"},
    {{"numbers.json", RL_INPUT_UNKNOWN, NULL, false}, "[1, 2, 3]"},
    {{"nested-lists.json", RL_INPUT_UNKNOWN, NULL, false}, "[[[[]]]]"},
    {{"arns.json", RL_INPUT_UNKNOWN, NULL, true}, "[\"arn:aws:sqs:us-east-1:1:q\"]"},
    {{"complex-key.yaml", RL_INPUT_UNKNOWN, NULL, false}, "? [a, b]\n: c\n"},
    {{"params-no-value.json", RL_INPUT_UNKNOWN, NULL, true}, "[{\"ParameterKey\": \"A\"}]"},
    {{"params-previous.json", RL_INPUT_CFN_PARAMS, "parameters-list", false},
     "[{\"ParameterKey\": \"A\", \"UsePreviousValue\": true}]"},
    /* template vs parameter files */
    {{"typed-params-only.yaml", RL_INPUT_CFN_TEMPLATE, "template", false},
     "Parameters:\n  Env:\n    Type: String\n"},
    {{"tplcfg.json", RL_INPUT_CFN_PARAMS, "template-configuration", false},
     "{\"Parameters\": {\"Env\": \"prod\", \"Count\": 2}}"},
    {{"tplcfg-empty.json", RL_INPUT_CFN_PARAMS, "template-configuration", false},
     "{\"Parameters\": {}}"},
    {{"template-with-scalar-params.json", RL_INPUT_CFN_TEMPLATE, "template", false},
     "{\"Parameters\": {\"Env\": \"prod\"}, \"Resources\": {\"T\": {\"Type\": "
     "\"AWS::SNS::Topic\"}}}"},
    {{"params-extra-key.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"Parameters\": {\"Env\": \"prod\"}, \"name\": \"x\"}"},
    {{"version-only.yaml", RL_INPUT_CFN_TEMPLATE, "template", false},
     "AWSTemplateFormatVersion: 2010-09-09\n"},
    {{"untyped-resources.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Resources\": {\"a\": {\"b\": 1}}}"},
    {{"null-resources.yaml", RL_INPUT_UNKNOWN, NULL, true}, "Resources:\n"},
    {{"sam-by-type.yaml", RL_INPUT_CFN_TEMPLATE, "sam-template", false},
     "Resources:\n  F:\n    Type: AWS::Serverless::Function\n"},
    {{"foreach.json", RL_INPUT_CFN_TEMPLATE, "template", false},
     "{\"Transform\": \"AWS::LanguageExtensions\", \"Resources\": {\"Fn::ForEach::Topics\": "
     "[\"T\", [\"a\"], {\"Topic${T}\": {\"Type\": \"AWS::SNS::Topic\"}}]}}"},
    /* Terraform */
    {{"data.tf.json", RL_INPUT_TF_CONFIG, "tf-json", false},
     "{\"data\": {\"aws_region\": {\"current\": {}}}}"},
    {{"provider-array.tf.json", RL_INPUT_TF_CONFIG, "tf-json", false},
     "{\"provider\": [{\"aws\": {\"region\": \"us-east-1\"}}], \"//\": \"two providers\"}"},
    {{"locals.tf.json", RL_INPUT_TF_CONFIG, "tf-json", false}, "{\"locals\": {\"a\": 1}}"},
    {{"data-list.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"data\": [{\"id\": 1}]}"},
    {{"data-flat.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"data\": {\"id\": 1}}"},
    {{"output-string.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"output\": \"x\"}"},
    {{"comment-only.tf.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"//\": \"nothing\"}"},
    {{"resource-and-format.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"format_version\": \"1.0\", \"resource\": {}}"},
    {{"tfstate-v3.json", RL_INPUT_TF_STATE, "tfstate-v3", false},
     "{\"version\": 3, \"terraform_version\": \"0.11.14\", \"serial\": 1, \"modules\": []}"},
    {{"compose-version.yaml", RL_INPUT_UNKNOWN, NULL, false}, "version: 3\nservices: {}\n"},
    /* quotas: SDK dumps with nulls and ResponseMetadata; shapes that only look similar */
    {{"sdk-quota.json", RL_INPUT_QUOTAS, "get-service-quota", false},
     "{\"Quota\": {\"ServiceCode\": \"ec2\", \"QuotaCode\": \"L-1216C47A\", \"QuotaArn\": "
     "\"arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A\", \"Value\": 176, "
     "\"UsageMetric\": null, \"Period\": null, \"ErrorReason\": null}, \"ResponseMetadata\": "
     "{\"RequestId\": \"x\", \"HTTPStatusCode\": 200}}"},
    {{"quotas-null-token.json", RL_INPUT_QUOTAS, "list-aws-default-service-quotas", false},
     "{\"Quotas\": [{\"ServiceCode\": \"xray\", \"QuotaCode\": \"L-C6B6F05D\", \"QuotaArn\": "
     "\"arn:aws:servicequotas:us-west-2::xray/L-C6B6F05D\"}], \"NextToken\": null}"},
    {{"quotas-odd-items.json", RL_INPUT_UNKNOWN, NULL, true}, "{\"Quotas\": [{\"Code\": 1}]}"},
    {{"quotas-null.json", RL_INPUT_UNKNOWN, NULL, true}, "{\"Quotas\": null}"},
    /* IAM Policies vs Organizations list-policies */
    {{"org-policies-with-content.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"Policies\": [{\"Id\": \"p-1\", \"Type\": \"SERVICE_CONTROL_POLICY\", \"Content\": "
     "\"{}\"}]}"},
    {{"tag-policies.json", RL_INPUT_ORG, "list-policies", false},
     "{\"Policies\": [{\"Id\": \"p-95ouootqs0\", \"Arn\": "
     "\"arn:aws:organizations::111111111111:policy/o-x/tag_policy/p-95ouootqs0\", \"Name\": "
     "\"tags\", \"Type\": \"TAG_POLICY\", \"AwsManaged\": false}]}"},
    {{"empty-policies.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"Policies\": []}"},
    /* SCP API answers of other policy types, and IAM get-policy */
    {{"describe-tag-policy.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Policy\": {\"PolicySummary\": {\"Id\": \"p-1\", \"Type\": \"TAG_POLICY\"}, "
     "\"Content\": \"{}\"}}"},
    {{"iam-get-policy.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Policy\": {\"PolicyName\": \"p\", \"Arn\": \"arn:aws:iam::123456789012:policy/p\"}}"},
    {{"decoded-content.json", RL_INPUT_SCP, "describe-policy", false},
     "{\"Policy\": {\"PolicySummary\": {\"Id\": \"p-1\"}, \"Content\": {\"Version\": "
     "\"2012-10-17\", \"Statement\": []}}}"},
    /* bare policy documents: the folder decides */
    {{"team/SCPs/deny.json", RL_INPUT_SCP, "policy-document", false},
     "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\"}}"},
    {{"a\\scp\\deny.json", RL_INPUT_SCP, "policy-document", false},
     "{\"Version\": \"2012-10-17\", \"Statement\": []}"},
    {{"scps.json", RL_INPUT_UNKNOWN, "policy-document", true},
     "{\"Version\": \"2012-10-17\", \"Statement\": []}"},
    {{"myscps/deny.json", RL_INPUT_UNKNOWN, "policy-document", true},
     "{\"Version\": \"2012-10-17\", \"Statement\": []}"},
    {{"scp/no-version.json", RL_INPUT_SCP, "policy-document", false},
     "{\"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}]}"},
    {{"scp/statement-no-effect.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"Statement\": [{\"id\": 1}]}"},
    {{"scp/statement-string.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"Version\": \"2012-10-17\", \"Statement\": \"x\"}"},
    /* Organizations and stacks look-alikes */
    {{"parents-empty.json", RL_INPUT_ORG, "list-parents", false}, "{\"Parents\": []}"},
    {{"stacks-empty.json", RL_INPUT_STACKS, "describe-stacks", false},
     "{\"Stacks\": [], \"ResponseMetadata\": {}}"},
    {{"opsworks-stacks.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Stacks\": [{\"StackId\": \"f6673d70\", \"Name\": \"s\", \"Arn\": "
     "\"arn:aws:opsworks:us-east-1:123456789012:stack/f6673d70/\"}]}"},
    {{"list-stack-sets.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"Summaries\": [{\"StackSetName\": \"s\", \"StackSetId\": \"s:1\", \"Status\": "
     "\"ACTIVE\"}]}"},
    {{"ou-list-no-arn.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"OrganizationalUnits\": [{\"Id\": \"ou-1\", \"Name\": \"x\"}]}"},
    /* placebo wrappers */
    {{"placebo-describe-policy.json", RL_INPUT_SCP, "placebo:describe-policy", false},
     "{\"status_code\": 200, \"data\": {\"Policy\": {\"PolicySummary\": {\"Id\": \"p-1\", "
     "\"Type\": \"SERVICE_CONTROL_POLICY\"}, \"Content\": \"{}\"}, \"ResponseMetadata\": {}}}"},
    {{"placebo-template.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"status_code\": 200, \"data\": {\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}}"},
    {{"placebo-bare-policy.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"status_code\": 200, \"data\": {\"Version\": \"2012-10-17\", \"Statement\": []}}"},
    {{"http-recording.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"status_code\": 200, \"data\": {\"user\": \"x\"}}"},
    {{"placebo-extra-key.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"status_code\": 200, \"data\": {\"Parents\": []}, \"headers\": {}}"},
    {{"placebo-nested.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"status_code\": 200, \"data\": {\"status_code\": 200, \"data\": {\"Parents\": []}}}"},
    /* SSM vs template configuration */
    {{"ssm-get-parameter.json", RL_INPUT_SSM_OFFERING, "get-parameter", false},
     "{\"Parameter\": {\"Name\": "
     "\"/aws/service/global-infrastructure/regions/us-east-1/services/dynamodb\", \"Value\": "
     "\"dynamodb\"}}"},
    {{"ssm-empty.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"Parameters\": []}"},
    {{"cli-input-params.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Parameters\": [{\"ParameterKey\": \"A\", \"ParameterValue\": \"b\"}]}"},
    /* pipelines */
    {{"pipeline-no-stages.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"pipeline\": {\"name\": \"x\"}}"},
    {{"gha-no-jobs.yml", RL_INPUT_UNKNOWN, NULL, false}, "on: push\njobs: {}\n"},
    {{"gha-jobs-no-on.yml", RL_INPUT_UNKNOWN, NULL, false},
     "jobs:\n  a:\n    runs-on: ubuntu-latest\n"},
    {{"stages-only.yml", RL_INPUT_UNKNOWN, NULL, false}, "stages: [build]\n"},
    {{"script-only.yml", RL_INPUT_UNKNOWN, NULL, false}, "job:\n  script: [make]\n"},
    {{"ci/.gitlab-ci.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false}, "job:\n  script: [make]\n"},
    {{"gitlab-job-named-terraform.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
     "stages: [plan]\nterraform:\n  stage: plan\n  script: [terraform plan]\n"},
    {{"x/.gitlab-ci.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
     "terraform:\n  script: [terraform apply]\n"},
    {{"jobs.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
     "terraform:\n  stage: deploy\n  script: [terraform apply]\n"},
    {{"module-named-stage.tf.json", RL_INPUT_TF_CONFIG, "tf-json", false},
     "{\"module\": {\"stage\": {\"source\": \"./stage\"}}}"},
    {{"gitlab-trigger.yml", RL_INPUT_GITLAB_CI, "gitlab-ci", false},
     "stages: [deploy]\nstandby:\n  trigger:\n    include: standby.yml\n"},
    /* usage look-alikes */
    {{"label-only.json", RL_INPUT_UNKNOWN, NULL, false}, "{\"Label\": \"x\"}"},
    {{"jsonrpc.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"jsonrpc\": \"2.0\", \"result\": {\"id\": 1}}"},
    /* pagination keys count only beside a PascalCase list */
    {{"paged.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Functions\": [{\"FunctionName\": \"f\"}], \"NextMarker\": \"abc\"}"},
    {{"next-token-only.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"items\": [], \"NextToken\": \"x\"}"},
    {{"app-config-arn.json", RL_INPUT_UNKNOWN, NULL, false},
     "{\"queue\": \"arn:aws:sqs:us-east-1:123456789012:q\"}"},
    {{"sdk-arn.json", RL_INPUT_UNKNOWN, NULL, true},
     "{\"Functions\": [{\"FunctionArn\": \"arn:aws:lambda:us-east-1:123456789012:function:f\"}]}"},
};

Test(classify, inline_shapes)
{
    for (size_t i = 0; i < sizeof(inline_cases) / sizeof(*inline_cases); i++) {
        rl_doc *doc = load_text(inline_cases[i].e.path, inline_cases[i].text);
        check(doc, &inline_cases[i].e);
        rl_doc_free(doc);
    }
}

Test(classify, null_arguments)
{
    cr_assert_eq(rl_classify(NULL, NULL, NULL, NULL, NULL), RL_INPUT_UNKNOWN);
    const char *sub = "unset";
    bool aws = true;
    cr_assert_eq(rl_classify(NULL, "x.json", NULL, &sub, &aws), RL_INPUT_UNKNOWN);
    cr_assert_null(sub);
    cr_assert_not(aws);
    rl_doc *doc = load_text("q.json", "{\"Parents\": []}");
    cr_assert_eq(rl_classify(doc, NULL, NULL, NULL, NULL), RL_INPUT_ORG);
    rl_doc_free(doc);
}

/* With no path argument the document's own path is used (here: under scps/). */
Test(classify, path_from_document)
{
    rl_doc *doc = load_text("org/scps/x.json", "{\"Version\": \"2012-10-17\", \"Statement\": []}");
    cr_assert_eq(rl_classify(doc, NULL, NULL, NULL, NULL), RL_INPUT_SCP);
    rl_doc_free(doc);
}

Test(classify, scp_globs_from_config)
{
    const char *globs[] = {"org/policies/*.json"};
    rl_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.scp_globs = globs;
    cfg.nscp = 1;
    rl_doc *doc =
        load_text("org/policies/deny.json", "{\"Version\": \"2012-10-17\", \"Statement\": []}");
    const char *sub = NULL;
    bool aws = true;
    cr_expect_eq(rl_classify(doc, "org/policies/deny.json", &cfg, &sub, &aws), RL_INPUT_SCP);
    cr_expect_str_eq(sub, "policy-document");
    cr_expect_not(aws);
    cr_expect_eq(rl_classify(doc, "other/deny.json", &cfg, &sub, &aws), RL_INPUT_UNKNOWN);
    cr_expect(aws);
    /* relative to the config's folder */
    cfg.dir = "/repo";
    cr_expect_eq(rl_classify(doc, "/repo/org/policies/deny.json", &cfg, NULL, NULL), RL_INPUT_SCP);
    rl_doc_free(doc);
}

Test(classify, kind_names)
{
    static const char *const want[RL_INPUT_KIND_COUNT] = {"unknown",
                                                          "cfn-template",
                                                          "cfn-parameters",
                                                          "terraform-config",
                                                          "terraform-plan",
                                                          "terraform-state",
                                                          "quotas",
                                                          "quota-usage",
                                                          "trusted-advisor",
                                                          "iam",
                                                          "scp",
                                                          "organization",
                                                          "stacks",
                                                          "stack-events",
                                                          "stack-set",
                                                          "pipeline",
                                                          "github-actions",
                                                          "gitlab-ci",
                                                          "ssm-offering"};
    for (int k = 0; k < RL_INPUT_KIND_COUNT; k++)
        cr_expect_str_eq(rl_input_kind_name((rl_input_kind)k), want[k]);
    cr_expect_str_eq(rl_input_kind_name(RL_INPUT_KIND_COUNT), "unknown");
    cr_expect_str_eq(rl_input_kind_name((rl_input_kind)-1), "unknown");
}

/* ---- large documents: classification looks at a handful of nodes, never walks ----------- */

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *repeat_json(const char *head, const char *item, size_t n, const char *tail)
{
    size_t hl = strlen(head), il = strlen(item), tl = strlen(tail);
    char *buf = malloc(hl + n * (il + 1) + tl + 1);
    cr_assert_not_null(buf);
    char *p = buf;
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, item, il);
        p += il;
    }
    memcpy(p, tail, tl);
    p[tl] = '\0';
    return buf;
}

/* Classifying must cost far less than loading (which is linear in the bytes). */
static void check_large(const char *name, char *text, rl_input_kind want)
{
    double t0 = seconds();
    rl_doc *doc = load_text(name, text);
    double t1 = seconds();
    rl_input_kind k = RL_INPUT_UNKNOWN;
    for (int i = 0; i < 10; i++)
        k = rl_classify(doc, name, NULL, NULL, NULL);
    double t2 = seconds();
    cr_expect_eq(k, want, "%s: got %s", name, rl_input_kind_name(k));
    cr_expect((t2 - t1) / 10 < (t1 - t0) / 4, "%s: classify %.4fs vs load %.4fs", name,
              (t2 - t1) / 10, t1 - t0);
    rl_doc_free(doc);
    free(text);
}

Test(classify, large_documents)
{
    check_large("quotas.json",
                repeat_json("{\"Quotas\": [",
                            "{\"ServiceCode\": \"ec2\", \"QuotaCode\": \"L-1\", \"Value\": 5.0}",
                            50000, "]}"),
                RL_INPUT_QUOTAS);
    check_large("numbers.json", repeat_json("[", "1", 300000, "]"), RL_INPUT_UNKNOWN);
    check_large("resources.json",
                repeat_json("{\"Resources\": {\"R0\": {\"Type\": \"AWS::SNS::Topic\"}, \"x\": [",
                            "{\"a\": 1}", 100000, "]}}"),
                RL_INPUT_CFN_TEMPLATE);
    /* one huge record where a small one is expected */
    check_large("big-role.json", repeat_json("{\"Role\": {", "\"k\": 1", 100000, "}}"),
                RL_INPUT_UNKNOWN);
}

/* Many top-level keys: one pass over them, each looked up once. */
Test(classify, many_top_level_keys)
{
    size_t n = 50000;
    char *text = malloc(n * 24 + 64);
    cr_assert_not_null(text);
    char *p = text;
    p += sprintf(p, "{");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s\"job%zu\": {\"a\": 1}", i ? "," : "", i);
    sprintf(p, "}");
    check_large("many.json", text, RL_INPUT_UNKNOWN);
}

/* ---- the corpus ------------------------------------------------------------------------- */

typedef struct corpus_stats {
    size_t files, loaded, checked, mismatches;
} corpus_stats;

static bool has_ext(const char *s, const char *ext)
{
    size_t a = strlen(s), b = strlen(ext);
    return a >= b && !strcmp(s + a - b, ext);
}

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* What the corpus layout says a file is; false when it says nothing we assert. */
static bool corpus_expect(const char *rel, rl_input_kind *kind, const char **sub)
{
    const char *base = base_name(rel);
    *sub = NULL; /* any */
    if (strstr(rel, "/bad/"))
        return false;
    if (starts(rel, "cloudformation/")) {
        *kind = RL_INPUT_CFN_TEMPLATE;
        return true;
    }
    if (starts(rel, "terraform/")) {
        if (has_ext(base, ".tfstate")) {
            *kind = RL_INPUT_TF_STATE;
            return true;
        }
        if (has_ext(base, ".tf.json")) {
            *kind = RL_INPUT_TF_CONFIG;
            return strcmp(base, "empty.tf.json") != 0; /* `{}`: nothing to tell by */
        }
        if (starts(base, "plan") || starts(base, "output") || !strcmp(base, "state.json") ||
            !strcmp(base, "show.json")) {
            *kind = RL_INPUT_TF_PLAN;
            if (!strcmp(base, "state.json") || !strcmp(base, "show.json"))
                *sub = "state";
            return true;
        }
        return false;
    }
    if (starts(rel, "quotas/")) {
        if (strstr(base, "ListServices_")) {
            *kind = RL_INPUT_UNKNOWN;
            return true;
        }
        *kind = RL_INPUT_QUOTAS;
        /* the recorded default list has an account in its QuotaArn: it reads as applied */
        if (strstr(rel, "/raw/") && starts(base, "servicequotas.List"))
            *sub = "placebo:list-service-quotas";
        return true;
    }
    if (starts(rel, "iam/")) {
        *kind = RL_INPUT_IAM;
        *sub = "get-account-authorization-details";
        return true;
    }
    if (starts(rel, "scp/service-control-policy-examples/")) {
        *kind = RL_INPUT_SCP;
        *sub = "policy-document";
        return true;
    }
    if (starts(rel, "scp/aws-cli-examples/")) {
        if (starts(base, "list-policies")) {
            *kind = RL_INPUT_ORG;
            *sub = "list-policies";
        } else {
            *kind = RL_INPUT_SCP;
            *sub = "describe-policy";
        }
        return true;
    }
    return false;
}

static void walk_corpus(const char *root, const char *rel, corpus_stats *st)
{
    char dir[2048];
    snprintf(dir, sizeof(dir), "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub_rel[2048], fs[4096];
        snprintf(sub_rel, sizeof(sub_rel), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        snprintf(fs, sizeof(fs), "%s/%s", root, sub_rel);
        struct stat sb;
        if (stat(fs, &sb))
            continue;
        if (S_ISDIR(sb.st_mode)) {
            walk_corpus(root, sub_rel, st);
            continue;
        }
        if (!has_ext(sub_rel, ".json") && !has_ext(sub_rel, ".yaml") && !has_ext(sub_rel, ".yml") &&
            !has_ext(sub_rel, ".tfstate"))
            continue;
        st->files++;
        rl_doc *doc = load_file(fs, sub_rel);
        if (!doc)
            continue; /* does not parse (bad/ only; RL001's business) */
        st->loaded++;
        const char *got_sub = NULL;
        bool aws = false;
        rl_input_kind got = rl_classify(doc, sub_rel, NULL, &got_sub, &aws);
        rl_input_kind want;
        const char *want_sub;
        if (corpus_expect(sub_rel, &want, &want_sub)) {
            st->checked++;
            if (got != want || (want_sub && !str_eq_or_null(got_sub, want_sub))) {
                st->mismatches++;
                fprintf(stderr, "corpus mismatch: %s: got %s/%s, want %s/%s\n", sub_rel,
                        rl_input_kind_name(got), got_sub ? got_sub : "-", rl_input_kind_name(want),
                        want_sub ? want_sub : "*");
            }
        }
        rl_doc_free(doc);
    }
    closedir(d);
}

Test(classify, corpus)
{
    struct stat sb;
    if (stat(RL_CORPUS_DIR, &sb) || !S_ISDIR(sb.st_mode))
        cr_skip("no corpus at %s", RL_CORPUS_DIR);
    corpus_stats st = {0};
    walk_corpus(RL_CORPUS_DIR, "", &st);
    fprintf(stderr, "corpus: %zu files, %zu loaded, %zu checked, %zu mismatches\n", st.files,
            st.loaded, st.checked, st.mismatches);
    cr_expect_gt(st.checked, 1000);
    cr_expect_eq(st.mismatches, 0);
}
