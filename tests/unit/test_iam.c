/* IAM in the model: exports merged by role name, instance profiles and managed policies, and
 * the roles each stack instance uses (literal ARNs, Fn::Sub with AWS::Region, Ref/GetAtt of
 * roles and instance profiles, imports, parameters, Terraform references, pipeline action
 * regions), with the exemptions (service-linked roles, StackSet roles, attachments). */
#include <criterion/criterion.h>
#include <regionlint/eval.h>
#include <regionlint/refs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/iam.h"

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
    strcpy(f->dir, "/tmp/rl-iam-XXXXXX");
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

/* The uses of `key` in `region` that are not attachments: how many, and the last one. */
static size_t uses_in(const rl_model *m, const char *key, const char *region,
                      const rl_role_use **last)
{
    size_t n = 0;
    for (const rl_role_use *u = rl_iam_uses_of(m, key); u; u = u->next_key)
        if (!strcmp(u->region, region) && !u->attach) {
            n++;
            if (last)
                *last = u;
        }
    return n;
}

static void all_uses(fx *f)
{
    rl_role_use *const *uses;
    size_t n;
    cr_assert_eq(rl_iam_uses(f->m, &uses, &n), 0);
}

Test(iam, exports_merge_by_role_name)
{
    fx *f = fx_new();
    put(f, "iam/list-roles.json",
        "{\"Roles\": [{\"Path\": \"/\", \"RoleName\": \"Deploy\", \"RoleId\": \"AROA1\", "
        "\"Arn\": \"arn:aws:iam::111122223333:role/Deploy\", \"CreateDate\": "
        "\"2019-12-18 19:10:08+00:00\", \"AssumeRolePolicyDocument\": \"%7B%7D\"}]}");
    put(f, "iam/get-role.json",
        "{\"Role\": {\"Path\": \"/\", \"RoleName\": \"deploy\", \"Arn\": "
        "\"arn:aws:iam::111122223333:role/deploy\", \"RoleLastUsed\": {\"Region\": "
        "\"us-west-2\", \"LastUsedDate\": \"2024-03-02T22:41:09.000Z\"}}}");
    put(f, "iam/authz.json",
        "{\"RoleDetailList\": [{\"RoleName\": \"web\", \"Arn\": "
        "\"arn:aws:iam::111122223333:role/web\", \"RoleLastUsed\": {}, "
        "\"InstanceProfileList\": [{\"InstanceProfileName\": \"web-profile\"}], "
        "\"RolePolicyList\": [], \"AttachedManagedPolicies\": [{\"PolicyName\": \"p\", "
        "\"PolicyArn\": \"arn:aws:iam::111122223333:policy/p\"}]},"
        "{\"RoleName\": \"AWSServiceRoleForSupport\", \"Path\": "
        "\"/aws-service-role/support.amazonaws.com/\", \"Arn\": "
        "\"arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/"
        "AWSServiceRoleForSupport\"}],"
        "\"Policies\": [{\"PolicyName\": \"p\", \"Arn\": \"arn:aws:iam::111122223333:policy/p\","
        " \"DefaultVersionId\": \"v2\", \"PolicyVersionList\": ["
        "{\"VersionId\": \"v1\", \"IsDefaultVersion\": false, \"Document\": {\"Version\": \"1\"}},"
        "{\"VersionId\": \"v2\", \"IsDefaultVersion\": true, \"Document\": {\"Version\": "
        "\"2012-10-17\", \"Statement\": []}}]}]}");
    build(f);
    size_t n;
    rl_iam_roles(f->m, &n);
    cr_assert_eq(n, 3, "Deploy and deploy are one role");
    const rl_iam_role *r = rl_iam_role_find(f->m, "DEPLOY");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->last_used_region, "us-west-2");
    cr_assert_str_eq(r->account, "111122223333");
    cr_assert_str_eq(r->path, "Role", "get-role comes first (inputs are read in path order)");
    cr_assert_str_eq(rl_iam_role_find(f->m, "web")->path, "RoleDetailList[?RoleName=='web']");
    cr_assert_str_eq(rl_iam_profile_role(f->m, "web-profile")->name, "web");
    cr_assert(rl_iam_role_find(f->m, "AWSServiceRoleForSupport")->service_linked);
    const rl_iam_policy *p = rl_iam_policy_find(f->m, "arn:aws:iam::111122223333:policy/p");
    cr_assert_not_null(p);
    cr_assert(rl_node_streq(rl_node_get(p->doc, "Version"), "2012-10-17"));
    fx_free(f);
}

Test(iam, uses_in_a_shared_template)
{
    fx *f = fx_new();
    put(f, "templates/app.yaml",
        "Parameters:\n"
        "  Suffix: {Type: String, Default: blue}\n"
        "Resources:\n"
        "  Fixed:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      RoleName: !Sub app-${Suffix}\n"
        "  Regional:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      RoleName: !Sub app-${AWS::Region}\n"
        "  Generated:\n"
        "    Type: AWS::IAM::Role\n"
        "  Profile:\n"
        "    Type: AWS::IAM::InstanceProfile\n"
        "    Properties:\n"
        "      Roles: [!Ref Regional]\n"
        "  A:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Role: !GetAtt Fixed.Arn}\n"
        "  B:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Role: !GetAtt Generated.Arn}\n"
        "  C:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties: {IamInstanceProfile: !Ref Profile}\n"
        "  D:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Role: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ext\n"
        "  E:\n"
        "    Type: AWS::AutoScaling::AutoScalingGroup\n"
        "    Properties:\n"
        "      ServiceLinkedRoleARN: arn:aws:iam::111122223333:role/aws-service-role/"
        "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling\n"
        "  F:\n"
        "    Type: AWS::QuickSight::User\n"
        "    Properties: {Role: READER}\n");
    build(f);
    all_uses(f);
    const rl_role_use *u = NULL;
    /* a fixed name: the same key in both instances, defined (creation) and used */
    cr_assert_eq(uses_in(f->m, "app-blue", "us-east-1", &u), 2);
    cr_assert_eq(uses_in(f->m, "app-blue", "us-west-2", NULL), 2);
    cr_assert_not_null(u->creator);
    /* ${AWS::Region}: one key per region; the instance profile resolves to it */
    cr_assert_eq(uses_in(f->m, "app-us-east-1", "us-east-1", NULL), 2);
    cr_assert_eq(uses_in(f->m, "app-us-west-2", "us-east-1", NULL), 0);
    cr_assert_eq(uses_in(f->m, "app-us-west-2", "us-west-2", &u), 2);
    /* the literal ARN, partition and account unknown: the name is the key */
    cr_assert_eq(uses_in(f->m, "ext", "us-west-2", &u), 1);
    cr_assert_null(u->account);
    cr_assert_str_eq(u->arn, "arn:aws:iam::${AWS::AccountId}:role/ext");
    cr_assert_str_eq(u->path, "Resources.D.Properties.Role");
    cr_assert_eq(u->span.start.line, 30);
    cr_assert_eq(u->span.start.column, 68, "the name inside the Fn::Sub literal: %u",
                 u->span.start.column);
    /* exemptions */
    cr_assert_null(rl_iam_uses_of(f->m, "awsservicerolefor"
                                        "autoscaling"));
    cr_assert_null(rl_iam_uses_of(f->m, "reader"), "QuickSight's Role is no IAM role");
    /* the attachment of the profile is not a use in a region */
    const rl_role_use *att = NULL;
    for (const rl_role_use *v = rl_iam_uses_of(f->m, "app-us-east-1"); v; v = v->next_key)
        if (v->attach)
            att = v;
    cr_assert_not_null(att);
    cr_assert_str_eq(att->path, "Resources.Profile.Properties.Roles[0]");
    fx_free(f);
}

Test(iam, imports_parameters_and_pipeline_regions)
{
    fx *f = fx_new();
    put(f, "us-west-2/iam.yaml",
        "Resources:\n"
        "  Shared:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties: {RoleName: shared-west}\n"
        "Outputs:\n"
        "  RoleArn:\n"
        "    Value: !GetAtt Shared.Arn\n"
        "    Export: {Name: shared-role-arn}\n");
    put(f, "us-west-2/app.yaml",
        "Parameters:\n"
        "  RoleName: {Type: String, Default: from-param}\n"
        "Resources:\n"
        "  A:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Role: !ImportValue shared-role-arn}\n"
        "  B:\n"
        "    Type: AWS::CodeBuild::Project\n"
        "    Properties: {ServiceRole: !Ref RoleName}\n");
    put(f, "us-east-1/pipeline.yaml",
        "Resources:\n"
        "  Pipeline:\n"
        "    Type: AWS::CodePipeline::Pipeline\n"
        "    Properties:\n"
        "      RoleArn: arn:aws:iam::111122223333:role/pipeline\n"
        "      Stages:\n"
        "        - Name: Deploy\n"
        "          Actions:\n"
        "            - Name: West\n"
        "              Region: us-west-2\n"
        "              Configuration: {RoleArn: arn:aws:iam::111122223333:role/deployer}\n");
    build(f);
    all_uses(f);
    const rl_role_use *u = NULL;
    cr_assert_eq(uses_in(f->m, "shared-west", "us-west-2", NULL), 2, "definition and import");
    u = rl_iam_uses_of(f->m, "shared-west");
    while (u && u->creation)
        u = u->next_key;
    cr_assert_not_null(u);
    cr_assert_str_eq(u->res->id, "A");
    cr_assert(strstr(u->file, "us-west-2/app.yaml"), "the use is reported where the import is");
    cr_assert_eq(uses_in(f->m, "from-param", "us-west-2", NULL), 1);
    cr_assert_eq(uses_in(f->m, "pipeline", "us-east-1", NULL), 1);
    cr_assert_eq(uses_in(f->m, "deployer", "us-west-2", &u), 1, "the action's Region");
    cr_assert_eq(uses_in(f->m, "deployer", "us-east-1", NULL), 0);
    cr_assert_str_eq(u->account, "111122223333");
    fx_free(f);
}

Test(iam, terraform_references)
{
    fx *f = fx_new();
    put(f, "main.tf.json",
        "{\"provider\": {\"aws\": [{\"region\": \"us-east-1\"}, {\"alias\": \"dr\", "
        "\"region\": \"us-west-2\"}]},"
        " \"resource\": {"
        "  \"aws_iam_role\": {\"app\": {\"name\": \"app\"}, \"gen\": {\"name_prefix\": \"g-\"}},"
        "  \"aws_lambda_function\": {"
        "    \"east\": {\"role\": \"${aws_iam_role.app.arn}\"},"
        "    \"west\": {\"provider\": \"aws.dr\", \"role\": \"${aws_iam_role.app.arn}\"},"
        "    \"gen\": {\"provider\": \"aws.dr\", \"role\": \"${aws_iam_role.gen.arn}\"}},"
        "  \"aws_iam_role_policy\": {\"p\": {\"role\": \"${aws_iam_role.app.name}\"}},"
        "  \"aws_instance\": {\"i\": {\"provider\": \"aws.dr\", \"iam_instance_profile\": "
        "null}}}}");
    build(f);
    all_uses(f);
    const rl_role_use *u = NULL;
    cr_assert_eq(uses_in(f->m, "app", "us-east-1", NULL), 2, "definition and the east use");
    cr_assert_eq(uses_in(f->m, "app", "us-west-2", &u), 1);
    cr_assert_str_eq(u->res->id, "aws_lambda_function.west");
    cr_assert_not_null(u->creator, "the role another region's stack of the input creates");
    cr_assert_null(rl_iam_uses_of(f->m, "null"), "a null attribute names no role");
    rl_role_use *const *uses;
    size_t n;
    cr_assert_eq(rl_iam_uses(f->m, &uses, &n), 0);
    bool gen = false;
    for (size_t i = 0; i < n; i++)
        if (uses[i]->res && !strcmp(uses[i]->res->id, "aws_lambda_function.gen")) {
            gen = true;
            cr_assert_eq(uses[i]->key[0], '@', "a generated name is a key of its own");
        }
    cr_assert(gen);
    fx_free(f);
}

Test(iam, via_is_input)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Parameters:\n  Name: {Type: String}\nResources:\n  Q: {Type: "
        "AWS::SQS::Queue}\n");
    build(f);
    const rl_stack *st = f->m->stacks[0];
    cr_assert(rl_via_is_input(st, "Name"));
    cr_assert(rl_via_is_input(st, "AWS::AccountId"));
    cr_assert(!rl_via_is_input(st, "Q"));
    cr_assert(!rl_via_is_input(st, "Fn::ImportValue"));
    cr_assert_not_null(rl_ref_lookup(st, "Q"));
    cr_assert_null(rl_ref_lookup(st, "Name"));
    fx_free(f);
}
