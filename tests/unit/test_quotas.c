/* Service quotas in the model: applied and default values joined by key, global quotas kept
 * apart, resource-level keys across regions, recorded responses, usage exports matched to
 * quotas (file name, Id, unique metric name, recommended statistic), Trusted Advisor rows. */
#include <criterion/criterion.h>
#include <regionlint/model.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/quotas.h"

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
    strcpy(f->dir, "/tmp/rl-quotas-XXXXXX");
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

#define QUOTA(region, acct, svc, code, value, extra)                                               \
    "{\"ServiceCode\": \"" svc "\", \"QuotaCode\": \"" code                                        \
    "\", \"QuotaArn\": \"arn:aws:servicequotas:" region ":" acct ":" svc "/" code                  \
    "\", \"QuotaName\": \"Q " code "\", \"Value\": " value extra "}"

Test(quotas, applied_else_default)
{
    fx *f = fx_new();
    put(f, "us-east-1/applied.json",
        "{\"Quotas\": [" QUOTA("us-east-1", "111122223333", "lambda", "L-B99A9384", "5000.0",
                               "") "]}");
    put(f, "us-east-1/defaults.json",
        "{\"Quotas\": [" QUOTA("us-east-1", "", "lambda", "L-B99A9384", "1000.0", "") "," QUOTA(
            "us-east-1", "", "ec2", "L-0263D0A3", "5", ", \"Adjustable\": false") "]}");
    build(f);
    const rl_quota *q = rl_model_quota(f->m, "us-east-1", "lambda", "L-B99A9384", NULL);
    cr_assert_not_null(q);
    cr_assert(q->has_applied && q->has_default);
    cr_assert_float_eq(q->applied, 5000.0, 1e-9);
    cr_assert_float_eq(q->def, 1000.0, 1e-9);
    double v;
    cr_assert(rl_quota_value(q, &v));
    cr_assert_float_eq(v, 5000.0, 1e-9);
    cr_assert_str_eq(q->applied_path, "Quotas[?QuotaCode=='L-B99A9384'].Value");

    const rl_quota *e = rl_model_quota(f->m, "us-east-1", "ec2", "L-0263D0A3", "");
    cr_assert_not_null(e);
    cr_assert(!e->has_applied && e->has_default);
    cr_assert(rl_quota_value(e, &v));
    cr_assert_float_eq(v, 5.0, 1e-9);
    cr_assert_eq(e->adjustable, 0);
    cr_assert_eq(q->adjustable, -1, "no export says whether it is adjustable");

    size_t n;
    rl_model_quotas(f->m, "us-east-1", &n);
    cr_assert_eq(n, 2);
    cr_assert(rl_model_quotas_exported(f->m, "us-east-1", "ec2"));
    cr_assert(!rl_model_quotas_exported(f->m, "us-west-2", NULL));
    fx_free(f);
}

Test(quotas, default_told_by_the_arn_of_each_item)
{
    fx *f = fx_new();
    /* the first item decides the file's subkind; the second is an applied value */
    put(f, "us-west-2/mixed.json",
        "{\"Quotas\": [" QUOTA("us-west-2", "", "ec2", "L-1216C47A", "5", "") "," QUOTA(
            "us-west-2", "111122223333", "ec2", "L-1216C47A", "640", "") "]}");
    build(f);
    const rl_quota *q = rl_model_quota(f->m, "us-west-2", "ec2", "L-1216C47A", NULL);
    cr_assert(q->has_default && q->has_applied);
    cr_assert_float_eq(q->def, 5.0, 1e-9);
    cr_assert_float_eq(q->applied, 640.0, 1e-9);
    fx_free(f);
}

Test(quotas, global_quotas_are_not_regional)
{
    fx *f = fx_new();
    put(f, "us-east-1/iam.json",
        "{\"Quotas\": [" QUOTA("us-east-1", "111122223333", "iam", "L-FE177D64", "5000",
                               ", \"GlobalQuota\": true") "]}");
    put(f, "us-west-2/iam.json",
        "{\"Quotas\": [" QUOTA("us-east-1", "111122223333", "iam", "L-FE177D64", "1000",
                               ", \"GlobalQuota\": true") "]}");
    build(f);
    size_t n;
    rl_model_quotas(f->m, "us-east-1", &n);
    cr_assert_eq(n, 0);
    rl_model_quotas(f->m, "us-west-2", &n);
    cr_assert_eq(n, 0);
    cr_assert_null(rl_model_quota(f->m, "us-west-2", "iam", "L-FE177D64", NULL));
    fx_free(f);
}

Test(quotas, resource_level_quotas_join_across_regions)
{
    fx *f = fx_new();
    put(f, "us-east-1/ddb.json",
        "{\"Quotas\": [" QUOTA(
            "us-east-1", "111122223333", "dynamodb", "L-AB614373", "80000",
            ", \"QuotaContext\": {\"ContextScope\": \"RESOURCE\", \"ContextScopeType\": "
            "\"AWS::DynamoDB::Table\", \"ContextId\": "
            "\"arn:aws:dynamodb:us-east-1:111122223333:table/orders\"}") "]}");
    put(f, "us-west-2/ddb.json",
        "{\"Quotas\": [" QUOTA(
            "us-west-2", "111122223333", "dynamodb", "L-AB614373", "40000",
            ", \"QuotaContext\": {\"ContextScope\": \"RESOURCE\", \"ContextId\": "
            "\"arn:aws:dynamodb:us-west-2:111122223333:table/orders\"}") "]}");
    build(f);
    size_t n;
    const rl_quota *const *ps = rl_model_quotas(f->m, "us-east-1", &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(ps[0]->context, "arn:aws:dynamodb:*:111122223333:table/orders");
    const rl_quota *s =
        rl_model_quota(f->m, "us-west-2", ps[0]->service, ps[0]->code, ps[0]->context);
    cr_assert_not_null(s);
    cr_assert_str_eq(s->context_id, "arn:aws:dynamodb:us-west-2:111122223333:table/orders");
    cr_assert_null(rl_model_quota(f->m, "us-west-2", "dynamodb", "L-AB614373", NULL),
                   "the account-level key is another quota");
    cr_assert(strstr(s->applied_path, "ContextId=='arn:aws:dynamodb:us-west-2"));
    fx_free(f);
}

Test(quotas, recorded_responses_and_regions_outside_the_pair)
{
    fx *f = fx_new();
    put(f, "us-east-1/servicequotas.ListServiceQuotas_1.json",
        "{\"status_code\": 200, \"data\": {\"Quotas\": [" QUOTA(
            "us-east-1", "111122223333", "ecs", "L-21C621EB", "10000",
            "") "], \"ResponseMetadata\": {\"HTTPStatusCode\": 200}}}");
    put(f, "eu-west-1/ecs.json",
        "{\"Quotas\": [" QUOTA("eu-west-1", "111122223333", "ecs", "L-21C621EB", "5", "") "]}");
    build(f);
    const rl_quota *q = rl_model_quota(f->m, "us-east-1", "ecs", "L-21C621EB", NULL);
    cr_assert_not_null(q);
    cr_assert_str_eq(q->applied_path, "data.Quotas[?QuotaCode=='L-21C621EB'].Value");
    cr_assert_null(rl_model_quota(f->m, "eu-west-1", "ecs", "L-21C621EB", NULL));
    fx_free(f);
}

#define USAGE_METRIC(stat)                                                                         \
    ", \"UsageMetric\": {\"MetricNamespace\": \"AWS/Usage\", \"MetricName\": \"ResourceCount\", "  \
    "\"MetricDimensions\": {\"Type\": \"Resource\", \"Service\": \"EC2\", \"Resource\": "          \
    "\"vCPU\", "                                                                                   \
    "\"Class\": \"Standard/OnDemand\"}, \"MetricStatisticRecommendation\": \"" stat "\"}"

Test(quotas, usage_matched_by_code_and_statistic)
{
    fx *f = fx_new();
    put(f, "us-west-2/ec2.json",
        "{\"Quotas\": [" QUOTA("us-west-2", "111122223333", "ec2", "L-1216C47A", "1024",
                               USAGE_METRIC("Maximum")) "]}");
    /* the quota is named by the file; the quota recommends Maximum over Sum */
    put(f, "us-east-1/usage/ec2-L-1216C47A.json",
        "{\"Label\": \"ResourceCount\", \"Datapoints\": ["
        "{\"Timestamp\": \"2024-01-01T00:00:00Z\", \"Maximum\": 900.0, \"Sum\": 9000.0},"
        "{\"Timestamp\": \"2024-01-01 01:00:00+00:00\", \"Maximum\": 1300.0, \"Sum\": 100.0}]}");
    build(f);
    size_t n;
    const rl_quota_usage *const *us = rl_model_quota_usage(f->m, "us-east-1", &n);
    cr_assert_eq(n, 1);
    cr_assert_float_eq(us[0]->value, 1300.0, 1e-9);
    cr_assert_str_eq(us[0]->path, "Datapoints[1].Maximum");
    cr_assert_str_eq(us[0]->key, "AWS/Usage|ResourceCount|Class=Standard/OnDemand;"
                                 "Resource=vCPU;Service=EC2;Type=Resource");
    const rl_quota *s = rl_model_quota_by_usage(f->m, "us-west-2", us[0]->key);
    cr_assert_not_null(s);
    cr_assert_str_eq(s->code, "L-1216C47A");
    fx_free(f);
}

Test(quotas, usage_matched_by_id_or_unique_metric_name)
{
    fx *f = fx_new();
    static const char lambda[] =
        QUOTA("us-east-1", "111122223333", "lambda", "L-B99A9384", "1000",
              ", \"UsageMetric\": {\"MetricNamespace\": \"AWS/Lambda\", \"MetricName\": "
              "\"ConcurrentExecutions\", \"MetricDimensions\": {}}");
    static const char vcpu_od[] =
        QUOTA("us-east-1", "111122223333", "ec2", "L-1216C47A", "1024", USAGE_METRIC("Maximum"));
    static const char vcpu_spot[] =
        QUOTA("us-east-1", "111122223333", "ec2", "L-34B43A08", "512",
              ", \"UsageMetric\": {\"MetricNamespace\": \"AWS/Usage\", \"MetricName\": "
              "\"ResourceCount\", \"MetricDimensions\": {\"Class\": \"Standard/Spot\"}}");
    char text[4096];
    snprintf(text, sizeof(text), "{\"Quotas\": [%s, %s, %s]}", lambda, vcpu_od, vcpu_spot);
    put(f, "us-east-1/quotas.json", text);
    /* get-metric-data: the Id names the quota (Ids cannot hold '-') */
    put(f, "us-east-1/usage/data.json",
        "{\"MetricDataResults\": [{\"Id\": \"l_1216c47a\", \"Label\": \"vcpu\", "
        "\"Timestamps\": [\"2024-01-01T00:00:00Z\"], \"Values\": [12.0, 48.0]}], "
        "\"Messages\": []}");
    /* a Label that is one quota's metric name */
    put(f, "us-east-1/usage/concurrency.json",
        "{\"Label\": \"ConcurrentExecutions\", \"Datapoints\": [{\"Maximum\": 700.0}]}");
    /* a Label several quotas share: not matched */
    put(f, "us-east-1/usage/count.json",
        "{\"Label\": \"ResourceCount\", \"Datapoints\": [{\"Maximum\": 99999.0}]}");
    build(f);
    size_t n;
    const rl_quota_usage *const *us = rl_model_quota_usage(f->m, "us-east-1", &n);
    cr_assert_eq(n, 2);
    bool seen_vcpu = false, seen_lambda = false;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(us[i]->quota->code, "L-1216C47A")) {
            seen_vcpu = true;
            cr_assert_float_eq(us[i]->value, 48.0, 1e-9);
            cr_assert_str_eq(us[i]->path, "MetricDataResults[0].Values[1]");
        } else if (!strcmp(us[i]->quota->code, "L-B99A9384")) {
            seen_lambda = true;
            cr_assert_float_eq(us[i]->value, 700.0, 1e-9);
        }
    }
    cr_assert(seen_vcpu && seen_lambda);
    fx_free(f);
}

Test(quotas, trusted_advisor_rows)
{
    fx *f = fx_new();
    put(f, "support/limits.json",
        "{\"result\": {\"checkId\": \"eW7HH0l7J9\", \"status\": \"ok\", \"resourcesSummary\": {},"
        " \"flaggedResources\": ["
        "{\"region\": \"us-east-1\", \"metadata\": [\"us-east-1\", \"AutoScaling\", \"Auto "
        "Scaling groups\", \"500\", \"412\", \"Yellow\"]},"
        "{\"region\": \"us-west-2\", \"metadata\": [\"us-west-2\", \"AutoScaling\", \"Auto "
        "Scaling groups\", \"200\", null, \"Green\"]},"
        "{\"region\": \"eu-west-1\", \"metadata\": [\"eu-west-1\", \"AutoScaling\", \"Auto "
        "Scaling groups\", \"20\", \"0\", \"Green\"]},"
        "{\"region\": \"-\", \"metadata\": [\"-\", \"IAM\", \"Roles\", \"1000\", \"50\", "
        "\"Green\"]}]}}");
    build(f);
    size_t n;
    const rl_ta_limit *const *ts = rl_model_ta_limits(f->m, "us-east-1", &n);
    cr_assert_eq(n, 1);
    cr_assert_float_eq(ts[0]->limit, 500.0, 1e-9);
    cr_assert(ts[0]->has_usage);
    cr_assert_float_eq(ts[0]->usage, 412.0, 1e-9);
    const rl_ta_limit *w =
        rl_model_ta_limit(f->m, "us-west-2", "autoscaling", "AUTO SCALING GROUPS");
    cr_assert_not_null(w, "service and limit names compare without case");
    cr_assert(!w->has_usage);
    cr_assert_str_eq(w->limit_path, "result.flaggedResources[1].metadata[3]");
    rl_model_ta_limits(f->m, "us-west-2", &n);
    cr_assert_eq(n, 1);
    fx_free(f);
}

Test(quotas, recorded_default_list_named_by_its_operation)
{
    fx *f = fx_new();
    /* Cloud Custodian's recording of ListAWSDefaultServiceQuotas carries an account in its
     * ARNs; the operation in the file name says these are defaults */
    put(f, "us-east-1/servicequotas.ListAWSDefaultServiceQuotas_1.json",
        "{\"status_code\": 200, \"data\": {\"Quotas\": [" QUOTA(
            "us-east-1", "123456789012", "emr-serverless", "L-D05C8A75", "4000.0",
            "") "], \"ResponseMetadata\": {}}}");
    build(f);
    const rl_quota *q = rl_model_quota(f->m, "us-east-1", "emr-serverless", "L-D05C8A75", NULL);
    cr_assert_not_null(q);
    cr_assert(q->has_default && !q->has_applied);
    fx_free(f);
}
