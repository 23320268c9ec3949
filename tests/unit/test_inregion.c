/* The in-region rule (RL801): zone tallies (one zone, several zones, neither), and the
 * rule end to end where resolution decides (conditions, list parameters, Fn::Split,
 * Terraform counts and plans, cluster members, NAT gateways per zone). */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/inregion.h"

/* ---- tallies --------------------------------------------------------------------------- */

static rl_zone_tally tally_of(const char *const *pairs, size_t n)
{
    rl_zone_tally t;
    memset(&t, 0, sizeof(t));
    for (size_t i = 0; i + 1 < n; i += 2)
        rl_tally_add(&t, pairs[i], pairs[i + 1]);
    return t;
}

Test(inregion, one_member_is_one_zone_even_when_its_zone_is_unknown)
{
    const char *p[] = {"SubnetA", NULL, "SubnetA", NULL};
    rl_zone_tally t = tally_of(p, 4);
    cr_assert(rl_tally_one_zone(&t));
    cr_assert_not(rl_tally_several_zones(&t));
}

Test(inregion, members_in_the_same_zone)
{
    const char *p[] = {"A", "name:us-east-1a", "B", "name:us-east-1a"};
    rl_zone_tally t = tally_of(p, 4);
    cr_assert(rl_tally_one_zone(&t));
    const char *q[] = {"A", "index:0", "B", "index:0", "C", "index:0"};
    t = tally_of(q, 6);
    cr_assert(rl_tally_one_zone(&t));
}

Test(inregion, members_in_different_zones)
{
    const char *p[] = {"A", "index:0", "B", "index:1"};
    rl_zone_tally t = tally_of(p, 4);
    cr_assert_not(rl_tally_one_zone(&t));
    cr_assert(rl_tally_several_zones(&t));
}

Test(inregion, unknown_zones_and_mixed_forms_prove_nothing)
{
    const char *p[] = {"A", "name:us-east-1a", "B", NULL};
    rl_zone_tally t = tally_of(p, 4);
    cr_assert_not(rl_tally_one_zone(&t));
    cr_assert_not(rl_tally_several_zones(&t));
    /* us-east-1a may or may not be the region's first zone */
    const char *q[] = {"A", "name:us-east-1a", "B", "index:0"};
    t = tally_of(q, 4);
    cr_assert_not(rl_tally_one_zone(&t));
    cr_assert_not(rl_tally_several_zones(&t));
    /* but two zones of one form differ whatever the other forms say */
    const char *r[] = {"A", "index:0", "B", "name:us-east-1a", "C", "name:us-east-1b"};
    t = tally_of(r, 6);
    cr_assert(rl_tally_several_zones(&t));
}

Test(inregion, unknown_members_many_and_empty)
{
    rl_zone_tally t;
    memset(&t, 0, sizeof(t));
    cr_assert_not(rl_tally_one_zone(&t), "an empty list");
    rl_tally_add(&t, "A", "index:0");
    t.unknown = true;
    cr_assert_not(rl_tally_one_zone(&t));
    memset(&t, 0, sizeof(t));
    rl_tally_add(&t, "A", "index:0");
    t.many = true; /* Fn::GetAZs, a counted subnet spread over zones */
    cr_assert_not(rl_tally_one_zone(&t));
    cr_assert(rl_tally_several_zones(&t));
}

Test(inregion, zone_display)
{
    char b[64];
    cr_assert_str_eq(rl_zone_display("name:us-east-1a", b, sizeof(b)), "us-east-1a");
    cr_assert_str_eq(rl_zone_display("id:use1-az4", b, sizeof(b)), "use1-az4");
    cr_assert_str_eq(rl_zone_display("index:1", b, sizeof(b)), "the region's second zone");
    cr_assert_str_eq(rl_zone_display("index:9", b, sizeof(b)), "the region's zone number 10");
}

/* ---- the rule ---------------------------------------------------------------------- */

typedef struct fx {
    char dir[64];
    rl_lint *l;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    strcpy(f->dir, "/tmp/rl-inregion-XXXXXX");
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

static void run(fx *f)
{
    char cfg[128];
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", f->dir);
    put(f, ".regionlint.yaml",
        "primary: us-east-1\nstandby: [us-west-2]\ninputs: {shared: [t/*]}\n");
    const char *paths[] = {f->dir};
    const char *only[] = {"RL801"}, *all[] = {"RL"};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = cfg;
    o.strategy = -1;
    o.disable = all;
    o.ndisable = 1;
    o.enable = only;
    o.nenable = 1;
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

/* Runs `template` as a shared template and returns the number of RL801 findings; the
 * first one's position in *line / *col. */
static size_t lint(const char *name, const char *template, unsigned *line, unsigned *col, char *msg,
                   size_t cap)
{
    fx *f = fx_new();
    put(f, name, template);
    run(f);
    const rl_findings *fs = rl_lint_findings(f->l);
    size_t n = rl_findings_count(fs);
    if (n && line) {
        *line = rl_findings_at(fs, 0)->span.start.line;
        *col = rl_findings_at(fs, 0)->span.start.column;
        snprintf(msg, cap, "%s", rl_findings_at(fs, 0)->message);
    }
    fx_free(f);
    return n;
}

static const char subnets[] = "Parameters:\n"
                              "  Unknown: {Type: String}\n"
                              "  Two: {Type: CommaDelimitedList, Default: \"subnet-1, subnet-2\"}\n"
                              "  One: {Type: CommaDelimitedList, Default: subnet-1}\n"
                              "Conditions:\n"
                              "  Maybe: !Equals [!Ref Unknown, x]\n"
                              "Resources:\n"
                              "  A:\n"
                              "    Type: AWS::EC2::Subnet\n"
                              "    Properties: {AvailabilityZone: !Select [0, !GetAZs \"\"]}\n"
                              "  B:\n"
                              "    Type: AWS::EC2::Subnet\n"
                              "    Properties: {AvailabilityZone: !Select [1, !GetAZs \"\"]}\n"
                              "  C:\n"
                              "    Type: AWS::EC2::Subnet\n"
                              "    Properties: {AvailabilityZone: !Select [0, !GetAZs \"\"]}\n"
                              "  Asg:\n"
                              "    Type: AWS::AutoScaling::AutoScalingGroup\n"
                              "    Properties:\n"
                              "      MinSize: \"1\"\n"
                              "      MaxSize: \"2\"\n"
                              "      VPCZoneIdentifier: ";

static size_t asg(const char *zone_identifier)
{
    char t[2048];
    snprintf(t, sizeof(t), "%s%s\n", subnets, zone_identifier);
    unsigned line, col;
    char msg[512];
    size_t n = lint("t/asg.yaml", t, &line, &col, msg, sizeof(msg));
    if (n)
        cr_assert(line == 22 && col == 26, "%s at %u:%u", msg, line, col);
    return n;
}

Test(inregion, subnets_of_an_auto_scaling_group)
{
    cr_assert_eq(asg("[!Ref A]"), 1);
    cr_assert_eq(asg("[!Ref A, !Ref C]"), 1, "two subnets in the first zone");
    cr_assert_eq(asg("[!Ref A, !Ref B]"), 0);
    cr_assert_eq(asg("!Ref One"), 1, "a list parameter with one subnet");
    cr_assert_eq(asg("!Ref Two"), 0);
    cr_assert_eq(asg("!Split [\",\", \"subnet-9\"]"), 1);
    cr_assert_eq(asg("!Split [\",\", !Ref Unknown]"), 0);
    /* an unknown condition: both branches count, and they must both be one zone */
    cr_assert_eq(asg("!If [Maybe, [!Ref A], [!Ref C]]"), 1);
    cr_assert_eq(asg("!If [Maybe, [!Ref A], [!Ref B]]"), 0);
    cr_assert_eq(asg("[!Ref A, !If [Maybe, !Ref B, !Ref \"AWS::NoValue\"]]"), 0);
    cr_assert_eq(asg("[!ImportValue shared-subnet]"), 0);
}

Test(inregion, cluster_members_under_conditions_and_unknown_clusters)
{
    static const char base[] = "Parameters:\n"
                               "  Unknown: {Type: String}\n"
                               "Conditions:\n"
                               "  Maybe: !Equals [!Ref Unknown, x]\n"
                               "Resources:\n"
                               "  Db:\n"
                               "    Type: AWS::RDS::DBCluster\n"
                               "    Properties: {Engine: aurora-mysql, DBClusterIdentifier: "
                               "orders}\n"
                               "  One:\n"
                               "    Type: AWS::RDS::DBInstance\n"
                               "    Properties: {DBClusterIdentifier: !Ref Db, Engine: "
                               "aurora-mysql}\n";
    char t[2048], msg[512];
    unsigned line, col;
    cr_assert_eq(lint("t/db.yaml", base, &line, &col, msg, sizeof(msg)), 1);
    cr_assert(line == 7 && col == 11, "%u:%u %s", line, col, msg);
    /* a second instance that names the cluster by its identifier */
    snprintf(t, sizeof(t), "%s%s", base,
             "  Two:\n    Type: AWS::RDS::DBInstance\n"
             "    Properties: {DBClusterIdentifier: ORDERS, Engine: aurora-mysql}\n");
    cr_assert_eq(lint("t/db.yaml", t, NULL, NULL, NULL, 0), 0);
    /* a second instance that may or may not be deployed */
    snprintf(t, sizeof(t), "%s%s", base,
             "  Two:\n    Type: AWS::RDS::DBInstance\n    Condition: Maybe\n"
             "    Properties: {DBClusterIdentifier: !Ref Db, Engine: aurora-mysql}\n");
    cr_assert_eq(lint("t/db.yaml", t, NULL, NULL, NULL, 0), 0);
    /* an instance whose cluster cannot be told */
    snprintf(t, sizeof(t), "%s%s", base,
             "  Two:\n    Type: AWS::RDS::DBInstance\n"
             "    Properties: {DBClusterIdentifier: !Ref Unknown, Engine: aurora-mysql}\n");
    cr_assert_eq(lint("t/db.yaml", t, NULL, NULL, NULL, 0), 0);
}

Test(inregion, db_instances)
{
    static const struct {
        const char *props;
        size_t n;
    } cases[] = {
        {"{Engine: mysql}", 1},
        {"{Engine: mysql, MultiAZ: \"false\"}", 1},
        {"{Engine: mysql, MultiAZ: true}", 0},
        {"{Engine: mysql, MultiAZ: !Ref Unknown}", 0},
        {"{Engine: mysql, MultiAZ: !If [Maybe, true, false]}", 0},
        {"{Engine: mysql, MultiAZ: !If [Maybe, false, !Ref \"AWS::NoValue\"]}", 1},
        {"{Engine: mysql, SourceDBInstanceIdentifier: orders}", 0},
        {"{Engine: !If [Maybe, aurora-mysql, !Ref Unknown]}", 0},
        {"{Engine: sqlserver-ex}", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char t[1024], msg[512] = "";
        unsigned line = 0, col = 0;
        snprintf(t, sizeof(t),
                 "Parameters:\n  Unknown: {Type: String}\nConditions:\n"
                 "  Maybe: !Equals [!Ref Unknown, x]\nResources:\n  Db:\n"
                 "    Type: AWS::RDS::DBInstance\n    Properties: %s\n",
                 cases[i].props);
        cr_assert_eq(lint("t/db.yaml", t, &line, &col, msg, sizeof(msg)), cases[i].n, "%s: %s",
                     cases[i].props, msg);
    }
}

Test(inregion, standby_only_resources_are_not_reported)
{
    fx *f = fx_new();
    put(f, "regions/us-west-2/db.yaml",
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: mysql}\n");
    run(f);
    cr_assert_eq(rl_findings_count(rl_lint_findings(f->l)), 0);
    fx_free(f);
}

Test(inregion, terraform_counts_and_plans)
{
    /* counted subnets spread by count.index: one NAT gateway for all of them */
    static const char nat[] =
        "{\"provider\": {\"aws\": {\"region\": \"us-east-1\"}},\n"
        " \"resource\": {\n"
        "  \"aws_subnet\": {\"p\": {\"count\": 3, \"availability_zone\": "
        "\"${data.aws_availability_zones.a.names[count.index]}\"},\n"
        "                 \"q\": {\"count\": 3, \"availability_zone\": "
        "\"${data.aws_availability_zones.a.names[count.index]}\"}},\n"
        "  \"aws_nat_gateway\": {\"n\": {\"count\": 3, \"subnet_id\": "
        "\"${aws_subnet.q[count.index].id}\"},\n"
        "                      \"one\": {\"subnet_id\": \"${aws_subnet.q[0].id}\"}},\n"
        "  \"aws_route_table\": {\"r\": {\"count\": 3, \"route\": [{\"nat_gateway_id\": "
        "\"${aws_nat_gateway.n[count.index].id}\"}]},\n"
        "                      \"s\": {\"route\": {\"nat_gateway_id\": "
        "\"${aws_nat_gateway.one.id}\"}}},\n"
        "  \"aws_route_table_association\": {\"a\": {\"count\": 3, \"subnet_id\": "
        "\"${aws_subnet.p[count.index].id}\", \"route_table_id\": \"${aws_route_table.%s.id}\"}}\n"
        " }}\n";
    char t[2048], msg[512] = "";
    unsigned line = 0, col = 0;
    snprintf(t, sizeof(t), nat, "s");
    cr_assert_eq(lint("main.tf.json", t, &line, &col, msg, sizeof(msg)), 1);
    cr_assert(strstr(msg, "aws_nat_gateway.one") && line == 6, "%u:%u %s", line, col, msg);
    /* route tables per NAT gateway (counted): nothing to say */
    snprintf(t, sizeof(t), nat, "r[count.index]");
    cr_assert_eq(lint("main.tf.json", t, NULL, NULL, NULL, 0), 0);

    /* an attribute the plan knows only after apply (after_unknown): no finding; a false one
     * is */
    static const char plan[] =
        "{\"format_version\": \"1.0\", \"planned_values\": {\"root_module\": {\"resources\": [\n"
        " {\"address\": \"aws_db_instance.a\", \"mode\": \"managed\", \"type\": "
        "\"aws_db_instance\","
        " \"name\": \"a\", \"values\": {\"region\": \"us-east-1\", \"engine\": \"mysql\"}},\n"
        " {\"address\": \"aws_db_instance.b\", \"mode\": \"managed\", \"type\": "
        "\"aws_db_instance\","
        " \"name\": \"b\", \"values\": {\"region\": \"us-east-1\", \"engine\": \"mysql\","
        " \"multi_az\": false}},\n"
        " {\"address\": \"aws_autoscaling_group.c\", \"mode\": \"managed\", \"type\": "
        "\"aws_autoscaling_group\", \"name\": \"c\", \"values\": {\"region\": \"us-east-1\","
        " \"vpc_zone_identifier\": [\"subnet-1\", \"subnet-2\"]}},\n"
        " {\"address\": \"aws_subnet.s1\", \"mode\": \"managed\", \"type\": \"aws_subnet\", "
        "\"name\":"
        " \"s1\", \"values\": {\"region\": \"us-east-1\", \"id\": \"subnet-1\", "
        "\"availability_zone\": \"us-east-1b\"}},\n"
        " {\"address\": \"aws_subnet.s2\", \"mode\": \"managed\", \"type\": \"aws_subnet\", "
        "\"name\":"
        " \"s2\", \"values\": {\"region\": \"us-east-1\", \"id\": \"subnet-2\", "
        "\"availability_zone\": \"us-east-1b\"}}\n"
        "]}}, \"resource_changes\": [\n"
        " {\"address\": \"aws_db_instance.a\", \"change\": {\"after_unknown\": {\"multi_az\": true,"
        " \"replicate_source_db\": false}}},\n"
        " {\"address\": \"aws_db_instance.b\", \"change\": {\"after_unknown\": {}}},\n"
        " {\"address\": \"aws_autoscaling_group.c\", \"change\": {\"after_unknown\": {}}},\n"
        " {\"address\": \"aws_subnet.s1\", \"change\": {\"after_unknown\": {}}},\n"
        " {\"address\": \"aws_subnet.s2\", \"change\": {\"after_unknown\": {}}}]}\n";
    fx *f = fx_new();
    put(f, "plan.json", plan);
    run(f);
    const rl_findings *fs = rl_lint_findings(f->l);
    cr_assert_eq(rl_findings_count(fs), 2);
    cr_assert(strstr(rl_findings_at(fs, 0)->message, "aws_db_instance.b"), "%s",
              rl_findings_at(fs, 0)->message);
    cr_assert(strstr(rl_findings_at(fs, 1)->message, "all in us-east-1b"), "%s",
              rl_findings_at(fs, 1)->message);
    fx_free(f);
}

Test(inregion, what_cannot_be_told_is_not_reported)
{
    /* Properties chosen by a condition: which of them exist cannot be told */
    cr_assert_eq(
        lint("t/db.yaml",
             "Parameters:\n  Unknown: {Type: String}\nConditions:\n"
             "  Maybe: !Equals [!Ref Unknown, x]\nResources:\n  Db:\n"
             "    Type: AWS::RDS::DBInstance\n"
             "    Properties: !If [Maybe, {Engine: mysql}, {Engine: mysql, MultiAZ: true}]\n",
             NULL, NULL, NULL, 0),
        0);
    /* subnets counted by a variable: perhaps one, perhaps several */
    cr_assert_eq(lint("main.tf.json",
                      "{\"provider\": {\"aws\": {\"region\": \"us-east-1\"}},\n"
                      " \"resource\": {\n"
                      "  \"aws_subnet\": {\"p\": {\"count\": \"${var.n}\", \"availability_zone\": "
                      "\"${data.aws_availability_zones.a.names[count.index]}\"},\n"
                      "                 \"q\": {\"availability_zone\": \"us-east-1a\"}},\n"
                      "  \"aws_nat_gateway\": {\"one\": {\"subnet_id\": \"${aws_subnet.q.id}\"}},\n"
                      "  \"aws_route_table\": {\"s\": {\"route\": {\"nat_gateway_id\": "
                      "\"${aws_nat_gateway.one.id}\"}}},\n"
                      "  \"aws_route_table_association\": {\"a\": {\"count\": \"${var.n}\", "
                      "\"subnet_id\": \"${aws_subnet.p[count.index].id}\", \"route_table_id\": "
                      "\"${aws_route_table.s.id}\"}}\n"
                      " }}\n",
                      NULL, NULL, NULL, 0),
                 0);
}
