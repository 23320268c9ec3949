/* The observability family: the application's edge (entry points, what fronts them, hosts,
 * records and how values resolve to them) and RL701/RL702 end to end: the evidence they
 * need, one finding or one per entry point, what watches from outside and what routes
 * over both regions, strategy levels and settings. */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/aws.h"
#include "model/edge.h"

/* ---- a scratch folder linted as a whole --------------------------------------------- */

typedef struct fx {
    char dir[64];
    rl_lint *lint;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/rl-obs-XXXXXX");
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

static void run_with(fx *f, int strategy, const char *disable)
{
    char cfg[600];
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", f->dir);
    FILE *fp = fopen(cfg, "r");
    const char *paths[] = {f->dir};
    const char *sb[] = {"us-west-2"};
    const char *dis[] = {disable};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = fp ? cfg : "/dev/null";
    if (fp)
        fclose(fp);
    o.primary = "us-east-1";
    o.standby = sb;
    o.nstandby = 1;
    o.strategy = strategy;
    o.disable = disable ? dis : NULL;
    o.ndisable = disable ? 1 : 0;
    rl_error err;
    rl_error_clear(&err);
    rl_lint_free(f->lint);
    f->lint = NULL;
    cr_assert_eq(rl_lint_run(&f->lint, &o, &err), 0, "%s", err.message);
}

static void run(fx *f)
{
    run_with(f, -1, NULL);
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_lint_free(f->lint);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

static const char *rel(const fx *f, const char *file)
{
    size_t n = strlen(f->dir);
    return !strncmp(file, f->dir, n) && file[n] == '/' ? file + n + 1 : file;
}

/* Findings of one rule as "file:line:col", in order; returns how many. */
static size_t findings(fx *f, const char *rule, char out[][160], size_t max)
{
    const rl_findings *fs = rl_lint_findings(f->lint);
    size_t n = 0;
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (strcmp(x->rule_id, rule))
            continue;
        if (n < max)
            snprintf(out[n], 160, "%s:%u:%u", rel(f, x->file), x->span.start.line,
                     x->span.start.column);
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

/* A load balancer in both regions, and a Route 53 record so the edge layer is present. */
static const char *const lb_and_zone = "Resources:\n"
                                       "  Web:\n"
                                       "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
                                       "    Properties: {Subnets: [subnet-1]}\n"
                                       "  Zone:\n"
                                       "    Type: AWS::Route53::HostedZone\n"
                                       "    Properties: {Name: example.com}\n";

/* ---- hosts ------------------------------------------------------------------------------ */

Test(edge, host_services)
{
    static const struct {
        const char *host, *service, *region;
    } rows[] = {
        {"abc123.execute-api.us-east-1.amazonaws.com", "execute-api", "us-east-1"},
        {"d-abc123.execute-api.eu-west-1.amazonaws.com", "execute-api", "eu-west-1"},
        {"web-1234567890.us-west-2.elb.amazonaws.com", "elb", "us-west-2"},
        {"dualstack.web-1234567890.us-west-2.elb.amazonaws.com", "elb", "us-west-2"},
        {"events-0123456789abcdef.elb.us-east-1.amazonaws.com", "elb", "us-east-1"},
        {"abcdefg.lambda-url.ap-southeast-2.on.aws", "lambda-url", "ap-southeast-2"},
        {"xyz.us-east-1.awsapprunner.com", "awsapprunner", "us-east-1"},
        {"abc.appsync-api.us-east-2.amazonaws.com", "appsync-api", "us-east-2"},
        {"shop.us-west-2.elasticbeanstalk.com", "elasticbeanstalk", "us-west-2"},
        {"d111111abcdef8.cloudfront.net", "cloudfront", ""},
        {"site.s3.us-east-1.amazonaws.com", "s3", "us-east-1"},
        {"site.s3-website-us-east-1.amazonaws.com", "s3", "us-east-1"},
        {"site.s3.amazonaws.com", "s3", ""},
        {"sqs.us-east-1.amazonaws.com", NULL, "us-east-1"},
        {"api.example.com", NULL, ""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        char region[32];
        const char *svc = rl_host_service(rows[i].host, region, sizeof(region));
        cr_expect_str_eq(svc ? svc : "(none)", rows[i].service ? rows[i].service : "(none)", "%s",
                         rows[i].host);
        if (rows[i].service)
            cr_expect_str_eq(region, rows[i].region, "%s", rows[i].host);
    }
}

/* ---- the edge --------------------------------------------------------------------------- */

static rl_edge *edge_of(fx *f)
{
    rl_edge *e = NULL;
    cr_assert_eq(rl_edge_build(&e, rl_lint_model(f->lint)), 0);
    return e;
}

static const rl_ep *ep_named(const rl_edge *e, const char *name, const char *region)
{
    for (size_t i = 0; i < rl_edge_count(e); i++) {
        const rl_ep *ep = rl_edge_at(e, i);
        if (!strcmp(ep->name, name) && (!region || (ep->region && !strcmp(ep->region, region))))
            return ep;
    }
    return NULL;
}

Test(edge, entry_points)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Public:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "  Internal:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "    Properties: {Scheme: internal}\n"
        "  Gwlb:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "    Properties: {Type: gateway}\n"
        "  Private:\n"
        "    Type: AWS::ApiGateway::RestApi\n"
        "    Properties: {EndpointConfiguration: {Types: [PRIVATE]}}\n"
        "  SamPrivate:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties: {StageName: prod, EndpointConfiguration: PRIVATE}\n"
        "  Worker:\n"
        "    Type: AWS::ElasticBeanstalk::Environment\n"
        "    Properties: {ApplicationName: a, Tier: {Name: Worker, Type: SQS/HTTP}}\n"
        "  Site:\n"
        "    Type: AWS::ElasticBeanstalk::Environment\n"
        "    Properties: {ApplicationName: a}\n"
        "  A:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      FunctionUrlConfig: {AuthType: NONE}\n"
        "      Events: {Get: {Type: Api, Properties: {Path: /a, Method: get}}}\n"
        "  B:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Events: {Get: {Type: Api, Properties: {Path: /b, Method: get}}}\n"
        "  C:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Other}}}\n"
        "  Hidden:\n"
        "    Type: AWS::AppRunner::Service\n"
        "    Condition: Never\n"
        "Conditions:\n"
        "  Never: !Equals [a, b]\n");
    run(f);
    rl_edge *e = edge_of(f);
    cr_expect_not_null(ep_named(e, "Public", "us-east-1"));
    cr_expect_not_null(ep_named(e, "Public", "us-west-2"));
    cr_expect_not_null(ep_named(e, "Site", "us-east-1"));
    cr_expect_not_null(ep_named(e, "A", "us-east-1"), "the function URL");
    const rl_ep *implicit = ep_named(e, "ServerlessRestApi", "us-east-1");
    cr_assert_not_null(implicit);
    cr_expect_str_eq(implicit->res->id, "A", "the first function with an Api event");
    cr_expect_eq(implicit->kind, RL_EP_REST_API);
    cr_expect_eq(implicit->at.span.start.line, 27);
    static const char *const none[] = {"Internal", "Gwlb", "Private", "SamPrivate",
                                       "Worker",   "B",    "C",       "Hidden"};
    for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++)
        cr_expect_null(ep_named(e, none[i], NULL), "%s", none[i]);
    /* one implicit API per template instance: two instances, two APIs */
    size_t n = 0;
    for (size_t i = 0; i < rl_edge_count(e); i++)
        n += !strcmp(rl_edge_at(e, i)->name, "ServerlessRestApi");
    cr_expect_eq(n, 2);
    cr_expect_not(rl_edge_layer_present(e));
    rl_edge_free(e);
    fx_free(f);
}

Test(edge, fronts_and_cloudfront_regions)
{
    fx *f = fx_new();
    put(f, "us-east-1/app.yaml",
        "Resources:\n"
        "  Api:\n"
        "    Type: AWS::ApiGateway::RestApi\n"
        "  Domain:\n"
        "    Type: AWS::ApiGateway::DomainName\n"
        "    Properties: {DomainName: API.Example.com.}\n"
        "  Mapping:\n"
        "    Type: AWS::ApiGateway::BasePathMapping\n"
        "    Properties: {DomainName: !Ref Domain, RestApiId: !Ref Api}\n"
        "  Lb:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "  ToLb:\n"
        "    Type: AWS::CloudFront::Distribution\n"
        "    Properties:\n"
        "      DistributionConfig:\n"
        "        Aliases: [www.example.com]\n"
        "        Origins: [{Id: a, DomainName: !GetAtt Lb.DNSName}]\n"
        "  ToBucket:\n"
        "    Type: AWS::CloudFront::Distribution\n"
        "    Properties:\n"
        "      DistributionConfig:\n"
        "        Origins: [{Id: a, DomainName: !GetAtt Bucket.RegionalDomainName}]\n"
        "  ToNamed:\n"
        "    Type: AWS::CloudFront::Distribution\n"
        "    Properties:\n"
        "      DistributionConfig:\n"
        "        Origins: [{Id: a, DomainName: origin.us-west-2.example.com}]\n"
        "  Elsewhere:\n"
        "    Type: AWS::CloudFront::Distribution\n"
        "    Properties:\n"
        "      DistributionConfig:\n"
        "        Origins: [{Id: a, DomainName: origin.example.com}]\n");
    run(f);
    rl_edge *e = edge_of(f);
    rl_ep *api = (rl_ep *)ep_named(e, "Api", NULL), *lb = (rl_ep *)ep_named(e, "Lb", NULL);
    const rl_ep *dom = ep_named(e, "Domain", NULL), *cf = ep_named(e, "ToLb", NULL);
    cr_assert(api && lb && dom && cf);
    cr_expect_eq(api->front, dom);
    cr_expect_eq(rl_edge_root(api), dom);
    cr_expect_eq(lb->front, cf);
    cr_expect_str_eq(cf->region, "us-east-1");
    cr_expect_str_eq(ep_named(e, "ToBucket", NULL)->region, "us-east-1");
    cr_expect_str_eq(ep_named(e, "ToNamed", NULL)->region, "us-west-2");
    cr_expect_null(ep_named(e, "Elsewhere", NULL), "origins in no known region");
    cr_expect(rl_edge_layer_present(e));
    rl_edge_free(e);
    fx_free(f);
}

Test(edge, records_and_resolution)
{
    fx *f = fx_new();
    put(f, "app.yaml",
        "Conditions:\n"
        "  IsPrimary: !Equals [!Ref \"AWS::Region\", us-east-1]\n"
        "Resources:\n"
        "  Lb:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "    Properties: {Name: !Sub \"web-${AWS::Region}\"}\n"
        "  Regional:\n"
        "    Type: AWS::Route53::RecordSet\n"
        "    Properties:\n"
        "      Name: !Sub \"web.${AWS::Region}.example.com.\"\n"
        "      Type: CNAME\n"
        "      ResourceRecords: [!GetAtt Lb.DNSName]\n"
        "  Failover:\n"
        "    Type: AWS::Route53::RecordSet\n"
        "    Properties:\n"
        "      Name: www.example.com.\n"
        "      Type: CNAME\n"
        "      SetIdentifier: !Ref AWS::Region\n"
        "      Failover: !If [IsPrimary, PRIMARY, SECONDARY]\n"
        "      ResourceRecords: [!Sub \"web.${AWS::Region}.example.com\"]\n");
    run(f);
    rl_edge *e = edge_of(f);
    size_t nrec = rl_edge_record_count(e), checked = 0;
    for (size_t i = 0; i < nrec; i++) {
        const rl_record *r = rl_edge_record(e, i);
        if (strcmp(r->name, "www.example.com"))
            continue;
        cr_expect_eq(r->policy, RL_ROUTE_FAILOVER);
        cr_expect_eq(r->secondary, !strcmp(r->res->stack->region, "us-west-2"));
        cr_expect_str_eq(r->region, r->res->stack->region);
        cr_assert_eq(r->nreach, 1, "through the per-region record to the load balancer");
        cr_expect_str_eq(r->reach[0]->name, "Lb");
        cr_expect_str_eq(r->reach[0]->region, r->res->stack->region);
        checked++;
    }
    cr_expect_eq(checked, 2);
    /* resolution: a load balancer's DNS name and ARN lead to it by name */
    const rl_stack *st = rl_edge_at(e, 0)->res->stack;
    static const char *const values[] = {
        "web-us-east-1-1234567890.us-east-1.elb.amazonaws.com",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web-us-east-1/abc",
        "https://www.example.com/health"};
    for (size_t i = 0; i < 3; i++) {
        char doc[300];
        snprintf(doc, sizeof(doc), "v: \"%s\"\n", values[i]);
        put(f, "v.yaml", doc);
        rl_source *src;
        cr_assert_eq(rl_source_new(&src, "v.yaml", doc, strlen(doc)), 0);
        rl_doc *d;
        rl_error err;
        cr_assert_eq(rl_doc_load(&d, src, NULL, &err), 0);
        rl_target t;
        cr_assert_eq(rl_edge_resolve(e, st, rl_node_get(rl_doc_root(d), "v"), false, &t), 0);
        bool lb = false;
        for (size_t k = 0; k < t.neps; k++)
            lb |= !strcmp(t.eps[k]->name, "Lb") && !strcmp(t.eps[k]->region, "us-east-1");
        cr_expect(lb, "%s leads to the primary's Lb", values[i]);
        rl_doc_free(d);
    }
    rl_edge_free(e);
    fx_free(f);
}

/* ---- RL701 ------------------------------------------------------------------------------- */

Test(rl701, needs_the_edge_layer_or_an_rto)
{
    fx *f = fx_new();
    put(f, "app.yaml",
        "Resources:\n"
        "  Web:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n");
    run(f);
    cr_expect_eq(count(f, "RL701") + count(f, "RL702"), 0, "a piece of a system: silent");
    put(f, ".regionlint.yaml", "requirements: {rto: 15m}\n");
    run(f);
    cr_expect_eq(count(f, "RL701"), 1);
    cr_expect_eq(count(f, "RL702"), 1);
    put(f, ".regionlint.yaml", "rules:\n  RL701: {require-edge-layer: false}\n");
    run(f);
    cr_expect_eq(count(f, "RL701"), 1);
    put(f, ".regionlint.yaml",
        "requirements: {rto: 15m}\nrules:\n  RL701: {entry-point-types: []}\n");
    run(f);
    cr_expect_eq(count(f, "RL701") + count(f, "RL702"), 0, "no entry point types selected");
    fx_free(f);
}

Test(rl701, one_finding_when_nothing_watches)
{
    fx *f = fx_new();
    put(f, "a.yaml", lb_and_zone);
    put(f, "b.yaml",
        "Resources:\n"
        "  Api:\n"
        "    Type: AWS::ApiGatewayV2::Api\n"
        "    Properties: {Name: api, ProtocolType: HTTP}\n"
        "  Errors:\n"
        "    Type: AWS::CloudWatch::Alarm\n"
        "    Properties: {MetricName: 5XXError, Namespace: AWS/ApiGateway}\n");
    run(f);
    char at[4][160];
    cr_assert_eq(findings(f, "RL701", at, 4), 1);
    cr_expect_str_eq(at[0], "a.yaml:3:11", "the first entry point in file order");
    cr_expect(says(f, "RL701", 0, "nothing watches the primary us-east-1 from outside"));
    cr_expect(says(f, "RL701", 0, "Web (load balancer) and Api (HTTP API)"));
    cr_expect(says(f, "RL701", 0, "the 1 CloudWatch alarm in the primary fails with it"));
    cr_expect_eq(finding(f, "RL701", 0)->nrelated, 1);
    fx_free(f);
}

Test(rl701, watchers)
{
    static const struct {
        const char *what, *watcher;
        size_t expect; /* RL701 findings */
    } cases[] = {
        {"a health check on the load balancer",
         "  Hc:\n    Type: AWS::Route53::HealthCheck\n"
         "    Properties: {HealthCheckConfig: {Type: HTTPS, FullyQualifiedDomainName: !GetAtt "
         "Web.DNSName}}\n",
         0},
        {"a health check of a name of another repository (assumed to watch everything)",
         "  Hc:\n    Type: AWS::Route53::HealthCheck\n"
         "    Properties: {HealthCheckConfig: {Type: HTTPS, FullyQualifiedDomainName: "
         "status.example.com}}\n",
         0},
        {"a CALCULATED health check",
         "  Hc:\n    Type: AWS::Route53::HealthCheck\n"
         "    Properties: {HealthCheckConfig: {Type: CALCULATED}}\n",
         1},
        {"a CLOUDWATCH_METRIC check on an alarm of the primary",
         "  Hc:\n    Type: AWS::Route53::HealthCheck\n"
         "    Properties: {HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Name: "
         "a, Region: us-east-1}}}\n",
         1},
        {"a CLOUDWATCH_METRIC check whose missing data is unhealthy",
         "  Hc:\n    Type: AWS::Route53::HealthCheck\n"
         "    Properties: {HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Name: "
         "a, Region: us-east-1}, InsufficientDataHealthStatus: Unhealthy}}\n",
         0},
        {"a canary deployed to both regions, each calling its own load balancer",
         "  Canary:\n    Type: AWS::Synthetics::Canary\n"
         "    Properties: {Code: {Handler: i.h, Script: !Sub "
         "\"fetch('https://${Web.DNSName}/')\"}}\n",
         1},
        {"a canary calling the primary's load balancer by its DNS name",
         "  Canary:\n    Type: AWS::Synthetics::Canary\n"
         "    Properties: {RunConfig: {EnvironmentVariables: {URL: "
         "'https://web-123.us-east-1.elb.amazonaws.com/'}}}\n",
         0},
        {"a health check of the standby's load balancer only",
         "  Hc:\n    Type: AWS::Route53::HealthCheck\n"
         "    Properties: {HealthCheckConfig: {Type: HTTPS, FullyQualifiedDomainName: "
         "web-123.us-west-2.elb.amazonaws.com}}\n",
         1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        fx *f = fx_new();
        char doc[1200];
        snprintf(doc, sizeof(doc), "%s%s", lb_and_zone, cases[i].watcher);
        put(f, "app.yaml", doc);
        run(f);
        cr_expect_eq(count(f, "RL701"), cases[i].expect, "%s", cases[i].what);
        fx_free(f);
    }
}

Test(rl701, per_entry_point_and_failover_records)
{
    fx *f = fx_new();
    put(f, "app.yaml",
        "Conditions:\n"
        "  IsPrimary: !Equals [!Ref \"AWS::Region\", us-east-1]\n"
        "Resources:\n"
        "  Web:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "  Hc:\n"
        "    Type: AWS::Route53::HealthCheck\n"
        "    Properties: {HealthCheckConfig: {Type: HTTPS, FullyQualifiedDomainName: !GetAtt "
        "Web.DNSName}}\n"
        "  Api:\n"
        "    Type: AWS::ApiGatewayV2::Api\n"
        "  Url:\n"
        "    Type: AWS::Lambda::Url\n"
        "  UrlRecord:\n"
        "    Type: AWS::Route53::RecordSet\n"
        "    Properties:\n"
        "      Name: feed.example.com\n"
        "      Type: CNAME\n"
        "      SetIdentifier: !Ref AWS::Region\n"
        "      Failover: !If [IsPrimary, PRIMARY, SECONDARY]\n"
        "      ResourceRecords: [!GetAtt Url.FunctionUrl]\n");
    run(f);
    char at[4][160];
    cr_assert_eq(findings(f, "RL701", at, 4), 2);
    cr_expect_str_eq(at[0], "app.yaml:10:11");
    cr_expect(says(f, "RL701", 0, "Api (HTTP API) in the primary us-east-1 is not watched"));
    cr_expect_str_eq(at[1], "app.yaml:19:33", "the PRIMARY record's Failover value");
    cr_expect(says(f, "RL701", 1, "PRIMARY failover record feed.example.com has no health check"));
    cr_expect(says(f, "RL701", 1, "nothing else watches Url (function URL)"));
    fx_free(f);
}

Test(rl701, strategy_levels)
{
    fx *f = fx_new();
    put(f, "app.yaml", lb_and_zone);
    run_with(f, RL_STRATEGY_BACKUP_RESTORE, NULL);
    cr_expect_eq(count(f, "RL701") + count(f, "RL702"), 0);
    run_with(f, RL_STRATEGY_PILOT_LIGHT, NULL);
    cr_expect_eq(finding(f, "RL701", 0)->level, RL_LEVEL_NOTE);
    run_with(f, RL_STRATEGY_WARM_STANDBY, NULL);
    cr_expect_eq(finding(f, "RL701", 0)->level, RL_LEVEL_WARNING);
    run_with(f, RL_STRATEGY_ACTIVE_ACTIVE, NULL);
    cr_expect_eq(finding(f, "RL702", 0)->level, RL_LEVEL_ERROR);
    run_with(f, -1, "RL701");
    cr_expect_eq(count(f, "RL701"), 0);
    cr_expect_eq(count(f, "RL702"), 1, "RL702 runs without RL701");
    fx_free(f);
}

/* ---- RL702 ------------------------------------------------------------------------------- */

Test(rl702, routing)
{
    static const struct {
        const char *what, *file, *doc;
        const char *at; /* the RL702 finding, or NULL for none */
        const char *says;
    } cases[] = {
        {"nothing routes: one finding at the entry point", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  Zone:\n    Type: AWS::Route53::HostedZone\n",
         "us-east-1/a.yaml:3:11", "no failover routing for the primary us-east-1"},
        {"a simple alias", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  R:\n    Type: AWS::Route53::RecordSet\n"
         "    Properties: {Name: www.example.com, Type: A, AliasTarget: {DNSName: !GetAtt "
         "Web.DNSName}}\n",
         "us-east-1/a.yaml:6:73", "www.example.com is a simple record to Web"},
        {"a PRIMARY without SECONDARY", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  R:\n    Type: AWS::Route53::RecordSet\n"
         "    Properties: {Name: www.example.com, Type: A, SetIdentifier: a, Failover: PRIMARY,\n"
         "                 AliasTarget: {DNSName: !GetAtt Web.DNSName}}\n",
         "us-east-1/a.yaml:6:78", "but no SECONDARY"},
        {"latency records in both regions (a shared template)", "a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  R:\n    Type: AWS::Route53::RecordSet\n"
         "    Properties: {Name: www.example.com, Type: A, SetIdentifier: !Ref AWS::Region,\n"
         "                 Region: !Ref AWS::Region, AliasTarget: {DNSName: !GetAtt "
         "Web.DNSName}}\n",
         NULL, NULL},
        {"latency records for the primary only", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  R:\n    Type: AWS::Route53::RecordSet\n"
         "    Properties: {Name: www.example.com, Type: A, SetIdentifier: a, Region: us-east-1,\n"
         "                 AliasTarget: {DNSName: !GetAtt Web.DNSName}}\n",
         "us-east-1/a.yaml:6:76",
         "send traffic to Web (load balancer) in the primary us-east-1 only"},
        {"an ARC Region switch plan over both regions", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  Plan:\n    Type: AWS::ARCRegionSwitch::Plan\n"
         "    Properties: {Regions: [us-east-1, us-west-2]}\n",
         NULL, NULL},
        {"an ARC Region switch plan over other regions", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  Plan:\n    Type: AWS::ARCRegionSwitch::Plan\n"
         "    Properties: {Regions: [us-east-1, eu-west-1]}\n",
         "us-east-1/a.yaml:3:11", "no failover routing"},
        {"routed records over both regions to targets of another repository", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  P:\n    Type: AWS::Route53::RecordSet\n"
         "    Properties: {Name: x.example.com, Type: CNAME, SetIdentifier: p, Failover: PRIMARY,"
         " ResourceRecords: [a.example.net]}\n"
         "  S:\n    Type: AWS::Route53::RecordSet\n"
         "    Properties: {Name: x.example.com, Type: CNAME, SetIdentifier: s, Failover: SECONDARY,"
         " ResourceRecords: [b.example.net]}\n",
         NULL, NULL},
        {"CloudFront origin failover", "us-east-1/a.yaml",
         "Resources:\n  Cdn:\n    Type: AWS::CloudFront::Distribution\n"
         "    Properties:\n      DistributionConfig:\n"
         "        Origins: [{Id: a, DomainName: a.us-east-1.example.com}, {Id: b, DomainName: "
         "b.us-west-2.example.com}]\n"
         "        OriginGroups: {Quantity: 1, Items: [{Id: g, Members: {Quantity: 2, Items: "
         "[{OriginId: a}, {OriginId: b}]}}]}\n",
         NULL, NULL},
        {"Global Accelerator in the primary only", "us-east-1/a.yaml",
         "Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
         "  G:\n    Type: AWS::GlobalAccelerator::EndpointGroup\n"
         "    Properties: {ListenerArn: l, EndpointGroupRegion: us-east-1,\n"
         "                 EndpointConfigurations: [{EndpointId: !Ref Web}]}\n",
         "us-east-1/a.yaml:6:55", "routes Web (load balancer) only to the primary us-east-1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        fx *f = fx_new();
        put(f, cases[i].file, cases[i].doc);
        run_with(f, -1, "RL701");
        char at[4][160];
        size_t n = findings(f, "RL702", at, 4);
        if (!cases[i].at) {
            cr_expect_eq(n, 0, "%s: %s", cases[i].what, n ? finding(f, "RL702", 0)->message : "");
        } else {
            cr_expect_eq(n, 1, "%s", cases[i].what);
            if (n) {
                cr_expect_str_eq(at[0], cases[i].at, "%s: %s", cases[i].what, at[0]);
                cr_expect(says(f, "RL702", 0, cases[i].says), "%s: %s", cases[i].what,
                          finding(f, "RL702", 0)->message);
            }
        }
        fx_free(f);
    }
}

Test(rl702, per_entry_point_once_something_routes)
{
    fx *f = fx_new();
    put(f, "a.yaml",
        "Resources:\n"
        "  Web:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "  R:\n"
        "    Type: AWS::Route53::RecordSet\n"
        "    Properties: {Name: www.example.com, Type: A, SetIdentifier: !Ref AWS::Region,\n"
        "                 Region: !Ref AWS::Region, AliasTarget: {DNSName: !GetAtt Web.DNSName}}\n"
        "  Api:\n"
        "    Type: AWS::ApiGatewayV2::Api\n"
        "  Url:\n"
        "    Type: AWS::Lambda::Url\n");
    run_with(f, -1, "RL701");
    char at[4][160];
    cr_assert_eq(findings(f, "RL702", at, 4), 2);
    cr_expect_str_eq(at[0], "a.yaml:9:11");
    cr_expect_str_eq(at[1], "a.yaml:11:11");
    cr_expect(
        says(f, "RL702", 0, "Api (HTTP API) in the primary us-east-1 has no failover routing"));
    fx_free(f);
}

Test(rl702, terraform)
{
    fx *f = fx_new();
    put(f, "us-east-1/main.tf.json",
        "{\"provider\": {\"aws\": {\"region\": \"us-east-1\"}},\n"
        " \"resource\": {\n"
        "  \"aws_lb\": {\"web\": {\"name\": \"web\"}, \"inner\": {\"internal\": true}},\n"
        "  \"aws_route53_record\": {\"www\": {\"name\": \"www.example.com\", \"type\": \"A\",\n"
        "    \"alias\": [{\"name\": \"${aws_lb.web.dns_name}\", \"zone_id\": \"Z\", "
        "\"evaluate_target_health\": true}]}}}}\n");
    run(f);
    char at[4][160];
    cr_assert_eq(findings(f, "RL702", at, 4), 1);
    cr_expect_str_eq(at[0], "us-east-1/main.tf.json:5:24");
    cr_expect(says(f, "RL702", 0, "simple record to aws_lb.web (load balancer)"));
    cr_expect_eq(count(f, "RL701"), 0, "the alias evaluates the load balancer's health");
    fx_free(f);
}
