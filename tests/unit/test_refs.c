/* The reference layer: every form of reference (CloudFormation, Terraform across files,
 * providers and modules, plan configuration references, imports) and three-valued
 * property values (Fn::If by condition, AWS::NoValue, parameters, after_unknown). */
#include <criterion/criterion.h>
#include <regionlint/refs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_fx.h"

static const rl_resource *res_in(const rl_model *m, const char *region, const char *id)
{
    for (size_t i = 0; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        if (region && (!st->region || strcmp(st->region, region)))
            continue;
        for (size_t j = 0; j < st->nresources; j++)
            if (!strcmp(st->resources[j].id, id))
                return &st->resources[j];
    }
    return NULL;
}

static const char *const tmpl_refs =
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Parameters:\n"
    "  Priority: {Type: String, AllowedValues: [PRIMARY, SECONDARY]}\n"
    "  Only: {Type: String, AllowedValues: [PRIMARY]}\n"
    "  Given: {Type: String, Default: x}\n"
    "  Open: {Type: String}\n"
    "Conditions:\n"
    "  IsPrimary: !Equals [!Ref 'AWS::Region', us-east-1]\n"
    "  IsOpen: !Equals [!Ref Open, yes]\n"
    "Resources:\n"
    "  Queue: {Type: 'AWS::SQS::Queue'}\n"
    "  Other: {Type: 'AWS::SQS::Queue'}\n"
    "  Fn:\n"
    "    Type: AWS::Lambda::Function\n"
    "    Properties:\n"
    "      A: !Ref Queue\n"
    "      B: !GetAtt [Queue, Arn]\n"
    "      C: !GetAtt Queue.QueueName\n"
    "      D: !Sub '${Queue.Arn}'\n"
    "      E: !Sub ['${Q}', {Q: !Ref Other}]\n"
    "      F: !Ref Open\n"
    "      G: !Ref Given\n"
    "      H: !If [IsPrimary, !Ref Queue, !Ref Other]\n"
    "      I: !If [IsOpen, !Ref Queue, !Ref Other]\n"
    "      J: !Sub "
    "'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}'\n"
    "      K: !Ref Priority\n"
    "      L: !Ref Only\n"
    "      Repl: !If [IsPrimary, {Rules: [{Status: Enabled}]}, !Ref 'AWS::NoValue']\n"
    "      Open: !If [IsOpen, {Rules: []}, !Ref 'AWS::NoValue']\n";

Test(refs, cloudformation_forms)
{
    fx *f = fx_new();
    fx_put(f, "app.yaml", tmpl_refs);
    fx_build(f);
    const rl_resource *fn = res_in(f->m, "us-west-2", "Fn");
    cr_assert_not_null(fn);
    const char *want[][2] = {{"A", "Queue"}, {"B", "Queue"}, {"C", "Queue"},
                             {"D", "Queue"}, {"E", "Other"}, {"H", "Other"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
        rl_ref r = rl_ref_prop(fn, want[i][0]);
        cr_assert_eq(r.state, RL_KNOWN, "%s", want[i][0]);
        cr_assert_str_eq(r.res->id, want[i][1], "%s", want[i][0]);
        cr_assert_eq(r.res->stack, fn->stack, "%s: the instance's own resource", want[i][0]);
    }
    cr_assert_str_eq(rl_ref_prop(fn, "B").attr, "Arn");
    cr_assert_str_eq(rl_ref_prop(fn, "C").attr, "QueueName");
    /* a parameter without a value can name anything: unknown, with the reason */
    rl_ref open = rl_ref_prop(fn, "F");
    cr_assert_eq(open.state, RL_UNKNOWN);
    cr_assert_str_eq(open.why, "parameter Open has no value");
    /* a parameter with a value names no resource of the template */
    cr_assert_eq(rl_ref_prop(fn, "G").state, RL_ABSENT);
    /* an undecided condition choosing between two resources */
    rl_ref undecided = rl_ref_prop(fn, "I");
    cr_assert_eq(undecided.state, RL_UNKNOWN);
    cr_assert_not_null(strstr(undecided.why, "condition IsOpen"));
    /* the primary's instance takes the other branch */
    const rl_resource *pfn = res_in(f->m, "us-east-1", "Fn");
    cr_assert_str_eq(rl_ref_prop(pfn, "H").res->id, "Queue");

    /* every reference inside a value */
    rl_val j = rl_prop(fn, "J");
    cr_assert_eq(j.state, RL_KNOWN);
    fx_free(f);
}

Test(refs, property_values_three_valued)
{
    fx *f = fx_new();
    fx_put(f, "app.yaml", tmpl_refs);
    fx_build(f);
    const rl_resource *west = res_in(f->m, "us-west-2", "Fn");
    const rl_resource *east = res_in(f->m, "us-east-1", "Fn");
    /* Fn::If decided by the region: present in the primary, AWS::NoValue in the standby */
    rl_val e = rl_prop(east, "Repl.Rules");
    cr_assert_eq(e.state, RL_KNOWN);
    cr_assert_eq(rl_val_count(e), 1);
    cr_assert_eq(rl_prop(west, "Repl").state, RL_ABSENT);
    cr_assert_eq(rl_prop(west, "Repl.Rules").state, RL_ABSENT);
    /* a condition on a parameter without a value: unknown, never absent */
    rl_val o = rl_prop(west, "Open.Rules");
    cr_assert_eq(o.state, RL_UNKNOWN);
    cr_assert_not_null(strstr(o.why, "IsOpen"));
    cr_assert_eq(rl_prop(west, "NoSuchProperty").state, RL_ABSENT);

    /* AllowedValues: the set of the values */
    const char *s, *why;
    cr_assert_eq(rl_val_string(west->stack, rl_prop(west, "K"), &s, &why), RL_UNKNOWN);
    cr_assert_not_null(strstr(why, "\"PRIMARY\" or \"SECONDARY\""), "%s", why);
    cr_assert_eq(rl_val_string(west->stack, rl_prop(west, "L"), &s, &why), RL_KNOWN);
    cr_assert_str_eq(s, "PRIMARY");
    cr_assert_eq(rl_val_string(west->stack, rl_prop(west, "F"), &s, &why), RL_UNKNOWN);
    cr_assert_eq(rl_val_string(west->stack, rl_prop(west, "G"), &s, &why), RL_KNOWN);
    cr_assert_str_eq(s, "x");
    fx_free(f);
}

typedef struct seen {
    const char *ids[16];
    size_t n;
    size_t unknown;
} seen;

static int collect(void *ctx, const rl_ref *r, const rl_node *at)
{
    seen *s = ctx;
    (void)at;
    if (r->state == RL_KNOWN && s->n < 16)
        s->ids[s->n++] = r->res->id;
    else if (r->state == RL_UNKNOWN)
        s->unknown++;
    return 0;
}

Test(refs, each_reference_in_a_value)
{
    fx *f = fx_new();
    fx_put(f, "app.yaml", tmpl_refs);
    fx_build(f);
    const rl_resource *fn = res_in(f->m, "us-west-2", "Fn");
    seen s;
    memset(&s, 0, sizeof(s));
    rl_refs_each(fn->stack, fn, fn->props, collect, &s);
    /* A B C D (Queue) E (Other) H (Other in the standby) I (both branches: undecided)
     * J (Queue); F is a parameter without a value */
    const char *want[] = {"Queue", "Queue", "Queue", "Queue", "Other",
                          "Other", "Queue", "Other", "Queue"};
    cr_assert_eq(s.n, sizeof(want) / sizeof(*want), "%zu references", s.n);
    for (size_t i = 0; i < s.n; i++)
        cr_assert_str_eq(s.ids[i], want[i], "reference %zu", i);
    cr_assert_eq(s.unknown, 3, "the parameters without a value (F, K, L)");
    fx_free(f);
}

Test(refs, import_value_follows_the_export)
{
    fx *f = fx_new();
    fx_put(f, "us-east-1/network.yaml",
           "Resources:\n"
           "  Queue: {Type: 'AWS::SQS::Queue'}\n"
           "Outputs:\n"
           "  Q:\n"
           "    Value: !GetAtt Queue.Arn\n"
           "    Export: {Name: orders-queue}\n");
    fx_put(f, "us-east-1/app.yaml",
           "Resources:\n"
           "  Fn:\n"
           "    Type: AWS::Lambda::Function\n"
           "    Properties:\n"
           "      Q: !ImportValue orders-queue\n"
           "      Missing: !ImportValue no-such-export\n");
    fx_build(f);
    const rl_resource *fn = res_in(f->m, "us-east-1", "Fn");
    rl_ref r = rl_ref_prop(fn, "Q");
    cr_assert_eq(r.state, RL_KNOWN);
    cr_assert_str_eq(r.res->id, "Queue");
    cr_assert_str_eq(r.attr, "Arn");
    cr_assert_str_eq(r.via_stack->input->path + strlen(r.via_stack->input->path) - 12,
                     "network.yaml");
    rl_ref m = rl_ref_prop(fn, "Missing");
    cr_assert_eq(m.state, RL_UNKNOWN);
    cr_assert_not_null(strstr(m.why, "no-such-export"));
    fx_free(f);
}

Test(refs, terraform_across_files_and_providers)
{
    fx *f = fx_new();
    fx_put(f, "tf/providers.tf.json",
           "{\"provider\": {\"aws\": [{\"region\": \"us-east-1\"},"
           " {\"alias\": \"west\", \"region\": \"us-west-2\"}]}}");
    fx_put(f, "tf/iam.tf.json",
           "{\"resource\": {\"aws_iam_role\": {\"app\": {\"name\": \"app\"}},"
           " \"aws_sqs_queue\": {\"q\": {\"name\": \"orders\"}}}}");
    fx_put(f, "tf/fn.tf.json",
           "{\"resource\": {\"aws_lambda_function\": {\"fn\": {\"provider\": \"aws.west\","
           " \"role\": \"${aws_iam_role.app.arn}\","
           " \"environment\": {\"variables\": {\"QUEUE\": \"${aws_sqs_queue.q.url}\","
           " \"NET\": \"${data.terraform_remote_state.net.outputs.vpc}\"}}}}}}");
    fx_build(f);
    const rl_resource *fn = res_in(f->m, "us-west-2", "aws_lambda_function.fn");
    cr_assert_not_null(fn);
    rl_ref role = rl_ref_prop(fn, "role");
    cr_assert_eq(role.state, RL_KNOWN, "a role of another file of the module");
    cr_assert_str_eq(role.res->id, "aws_iam_role.app");
    cr_assert_str_eq(role.attr, "arn");
    rl_ref q = rl_ref_prop(fn, "environment.variables.QUEUE");
    cr_assert_eq(q.state, RL_KNOWN, "a queue of another provider");
    cr_assert_str_eq(q.res->id, "aws_sqs_queue.q");
    cr_assert_str_eq(q.res->region, "us-east-1");
    cr_assert_str_eq(q.attr, "url");
    rl_ref net = rl_ref_prop(fn, "environment.variables.NET");
    cr_assert_eq(net.state, RL_UNKNOWN);
    cr_assert_str_eq(net.why, "remote state net");
    cr_assert_not_null(rl_ref_lookup(fn->stack, "aws_iam_role.app.arn"));
    fx_free(f);
}

Test(refs, terraform_module_instances)
{
    fx *f = fx_new();
    fx_put(f, "root/main.tf.json",
           "{\"provider\": {\"aws\": [{\"region\": \"us-east-1\"},"
           " {\"alias\": \"west\", \"region\": \"us-west-2\"}]},"
           " \"module\": {\"east\": {\"source\": \"../modules/app\", \"name\": \"orders-east\"},"
           " \"west\": {\"source\": \"../modules/app\", \"providers\": {\"aws\": \"aws.west\"},"
           " \"name\": \"orders-west\"}, \"ext\": {\"source\": \"git::https://example.com/x\"}},"
           " \"resource\": {\"aws_ssm_parameter\": {\"p\": {\"value\": \"${module.west.url}\","
           " \"type\": \"${module.ext.x}\"}}}}");
    fx_put(f, "modules/app/main.tf.json",
           "{\"variable\": {\"name\": {}},"
           " \"resource\": {\"aws_sqs_queue\": {\"q\": {\"name\": \"${var.name}\"}}},"
           " \"output\": {\"url\": {\"value\": \"${aws_sqs_queue.q.url}\"}}}");
    fx_build(f);
    const rl_resource *east = res_in(f->m, "us-east-1", "module.east.aws_sqs_queue.q");
    const rl_resource *west = res_in(f->m, "us-west-2", "module.west.aws_sqs_queue.q");
    cr_assert_not_null(east, "the module instantiated with the default provider");
    cr_assert_not_null(west, "the module instantiated with the provider passed");
    cr_assert_null(res_in(f->m, NULL, "aws_sqs_queue.q"), "a called folder is not a root");
    /* arguments are the module's variables */
    cr_assert_str_eq(rl_eval_string(west->stack, rl_node_get(west->props, "name")), "orders-west");
    const rl_resource *p = res_in(f->m, "us-east-1", "aws_ssm_parameter.p");
    rl_ref r = rl_ref_prop(p, "value");
    cr_assert_eq(r.state, RL_KNOWN, "a module output");
    cr_assert_eq(r.res, west);
    rl_ref x = rl_ref_prop(p, "type");
    cr_assert_eq(x.state, RL_UNKNOWN);
    cr_assert_not_null(strstr(x.why, "module ext"), "%s", x.why);
    fx_free(f);
}

Test(refs, plan_configuration_references)
{
    fx *f = fx_new();
    fx_put(f, "plan.json",
           "{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {"
           "\"resources\": [{\"address\": \"aws_s3_bucket.logs\", \"mode\": \"managed\","
           " \"type\": \"aws_s3_bucket\", \"name\": \"logs\", \"values\": {\"bucket\": \"l\"}},"
           " {\"address\": \"aws_flow_log.f\", \"mode\": \"managed\", \"type\": \"aws_flow_log\","
           " \"name\": \"f\", \"values\": {\"traffic_type\": \"ALL\"}}],"
           " \"child_modules\": [{\"address\": \"module.m\", \"resources\": ["
           "{\"address\": \"module.m.aws_s3_bucket.b\", \"mode\": \"managed\","
           " \"type\": \"aws_s3_bucket\", \"name\": \"b\", \"values\": {\"bucket\": \"b\"}},"
           " {\"address\": \"module.m.aws_s3_bucket_policy.p\", \"mode\": \"managed\","
           " \"type\": \"aws_s3_bucket_policy\", \"name\": \"p\", \"values\": {\"bucket\": \"b\"}}"
           "]}]}},"
           " \"resource_changes\": [{\"address\": \"aws_flow_log.f\", \"change\": {"
           "\"after_unknown\": {\"log_destination\": true, \"id\": true}}}],"
           " \"configuration\": {\"provider_config\": {\"aws\": {\"name\": \"aws\","
           " \"expressions\": {\"region\": {\"constant_value\": \"us-east-1\"}}}},"
           " \"root_module\": {\"resources\": [{\"address\": \"aws_s3_bucket.logs\","
           " \"provider_config_key\": \"aws\", \"expressions\": {}},"
           " {\"address\": \"aws_flow_log.f\", \"provider_config_key\": \"aws\","
           " \"expressions\": {\"log_destination\": {\"references\": [\"aws_s3_bucket.logs.arn\","
           " \"aws_s3_bucket.logs\"]}}}],"
           " \"module_calls\": {\"m\": {\"source\": \"./m\", \"module\": {\"resources\": ["
           "{\"address\": \"aws_s3_bucket.b\", \"provider_config_key\": \"m:aws\"},"
           " {\"address\": \"aws_s3_bucket_policy.p\", \"provider_config_key\": \"m:aws\","
           " \"expressions\": {\"bucket\": {\"references\": [\"aws_s3_bucket.b.id\","
           " \"aws_s3_bucket.b\"]}}}]}}}}}}");
    fx_build(f);
    const rl_resource *fl = res_in(f->m, NULL, "aws_flow_log.f");
    cr_assert_not_null(fl);
    /* known after apply: unknown in the planned values, not absent */
    rl_val v = rl_prop(fl, "log_destination");
    cr_assert_eq(v.state, RL_UNKNOWN);
    cr_assert_str_eq(v.why, "known after apply");
    cr_assert_eq(rl_prop(fl, "max_aggregation_interval").state, RL_ABSENT);
    rl_ref r = rl_ref_prop(fl, "log_destination");
    cr_assert_eq(r.state, RL_KNOWN, "the configuration says which bucket");
    cr_assert_str_eq(r.res->id, "aws_s3_bucket.logs");
    /* inside a module, addresses are the module's */
    const rl_resource *pol = res_in(f->m, NULL, "module.m.aws_s3_bucket_policy.p");
    rl_ref b = rl_ref_of(pol->stack, pol, rl_node_get(pol->props, "bucket"));
    cr_assert_eq(b.state, RL_KNOWN);
    cr_assert_str_eq(b.res->id, "module.m.aws_s3_bucket.b");
    fx_free(f);
}

Test(refs, sam_implicit_resources)
{
    fx *f = fx_new();
    fx_put(f, "sam.yaml",
           "Transform: AWS::Serverless-2016-10-31\n"
           "Resources:\n"
           "  Api:\n"
           "    Type: AWS::Serverless::Function\n"
           "    Properties:\n"
           "      FunctionUrlConfig: {AuthType: NONE}\n"
           "      Events: {Get: {Type: Api, Properties: {Path: /, Method: get}}}\n"
           "  Rec:\n"
           "    Type: AWS::Route53::RecordSet\n"
           "    Properties:\n"
           "      A: !Sub '${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com'\n"
           "      B: !GetAtt ApiUrl.FunctionUrl\n"
           "      C: !Ref ApiRole\n"
           "      D: !Ref ServerlessHttpApi\n");
    fx_build(f);
    const rl_resource *rec = res_in(f->m, "us-east-1", "Rec");
    seen s;
    memset(&s, 0, sizeof(s));
    rl_refs_each(rec->stack, rec, rec->props, collect, &s);
    cr_assert_eq(s.n, 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(s.ids[i], "Api");
    cr_assert_str_eq(rl_ref_prop(rec, "B").attr, "Url");
    cr_assert_str_eq(rl_ref_prop(rec, "C").attr, "Role");
    cr_assert_eq(rl_ref_prop(rec, "D").state, RL_UNKNOWN, "no HttpApi event: nothing made it");
    fx_free(f);
}

static const char *params_of(const rl_model *m, const char *tmpl, const char *region)
{
    for (size_t i = 0; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        const char *p = st->input->path;
        size_t a = strlen(p), b = strlen(tmpl);
        if (a >= b && !strcmp(p + a - b, tmpl) && st->region && !strcmp(st->region, region)) {
            if (!st->params)
                return "(none)";
            const char *slash = strrchr(st->params->path, '/');
            return slash ? slash + 1 : st->params->path;
        }
    }
    return "(no stack)";
}

Test(refs, parameter_files_most_specific_template_wins)
{
    fx *f = fx_new();
    const char *t = "Parameters: {P: {Type: String}}\nResources:\n  Q: {Type: 'AWS::SQS::Queue'}\n";
    const char *p = "[{\"ParameterKey\": \"P\", \"ParameterValue\": \"x\"}]";
    fx_put(f, "stacks/app.yaml", t);
    fx_put(f, "stacks/app-db.yaml", t);
    fx_put(f, "stacks/app.params.json", p);
    fx_put(f, "stacks/app-db.params.json", p);
    fx_put(f, "stacks/params/us-west-2/app-db.json", p);
    fx_put(f, "stacks/apple.params.json", p); /* "app" followed by a letter: not app's */
    fx_build(f);
    cr_assert_str_eq(params_of(f->m, "stacks/app.yaml", "us-east-1"), "app.params.json");
    cr_assert_str_eq(params_of(f->m, "stacks/app.yaml", "us-west-2"), "app.params.json");
    cr_assert_str_eq(params_of(f->m, "stacks/app-db.yaml", "us-east-1"), "app-db.params.json");
    cr_assert_str_eq(params_of(f->m, "stacks/app-db.yaml", "us-west-2"), "app-db.json",
                     "a region's own file beats a shared one");
    fx_free(f);
}
