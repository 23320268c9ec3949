/* Endpoints outside the cloud (RL506, RL507): the IPv4 and host scanners, RFC 1918 ranges,
 * CIDR containment, domain suffix matching, and the rules end to end (in-VPC addresses,
 * network configuration, settings errors, deduplication over shared templates, third
 * parties whose alternatives another region uses). */
#include <criterion/criterion.h>
#include <regionlint/lint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/net.h"

/* ---- scanners ------------------------------------------------------------------------ */

typedef struct spans {
    size_t off[8], len[8];
    uint32_t addr[8];
    int n;
} spans;

static int on_ip(void *ctx, size_t off, size_t len, uint32_t addr)
{
    spans *s = ctx;
    if (s->n < 8) {
        s->off[s->n] = off;
        s->len[s->n] = len;
        s->addr[s->n++] = addr;
    }
    return 0;
}

static int on_host(void *ctx, size_t off, size_t len)
{
    return on_ip(ctx, off, len, 0);
}

static spans ips(const char *s)
{
    spans r;
    memset(&r, 0, sizeof(r));
    rl_scan_ipv4(s, strlen(s), on_ip, &r);
    return r;
}

static spans hosts(const char *s)
{
    spans r;
    memset(&r, 0, sizeof(r));
    rl_scan_hosts(s, strlen(s), on_host, &r);
    return r;
}

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

Test(external, ipv4_addresses_that_stand_alone)
{
    spans r = ips("postgres://app@10.50.1.20:5432/ledger");
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.off[0], 15);
    cr_assert_eq(r.len[0], 10);
    cr_assert_eq(r.addr[0], IP(10, 50, 1, 20));
    r = ips("http://192.168.1.1/path and 172.16.0.9.");
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.addr[1], IP(172, 16, 0, 9));
    cr_assert_eq(r.len[1], 10);
}

Test(external, ipv4_not_cidrs_versions_or_parts_of_words)
{
    static const char *const none[] = {"10.0.0.0/16",   "10.1.2.3.4", "v10.1.2.3",  "256.1.1.1",
                                       "10.1.2",        "1.2.3.4a",   "x_10.1.2.3", "10.1.2.3_x",
                                       "1.2.3.4.5.6.7", "0010.1.2.3"};
    for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++)
        cr_assert_eq(ips(none[i]).n, 0, "%s", none[i]);
}

Test(external, rfc1918_boundaries)
{
    cr_assert(rl_ipv4_rfc1918(IP(10, 0, 0, 0)));
    cr_assert(rl_ipv4_rfc1918(IP(10, 255, 255, 255)));
    cr_assert_not(rl_ipv4_rfc1918(IP(11, 0, 0, 1)));
    cr_assert_not(rl_ipv4_rfc1918(IP(172, 15, 255, 255)));
    cr_assert(rl_ipv4_rfc1918(IP(172, 16, 0, 0)));
    cr_assert(rl_ipv4_rfc1918(IP(172, 31, 255, 255)));
    cr_assert_not(rl_ipv4_rfc1918(IP(172, 32, 0, 0)));
    cr_assert(rl_ipv4_rfc1918(IP(192, 168, 0, 1)));
    cr_assert_not(rl_ipv4_rfc1918(IP(192, 169, 0, 1)));
    cr_assert_not(rl_ipv4_rfc1918(IP(100, 64, 0, 1)));
}

Test(external, cidr_parse)
{
    uint32_t net;
    unsigned p;
    cr_assert(rl_cidr_parse("10.1.2.3/16", 11, &net, &p));
    cr_assert_eq(net, IP(10, 1, 0, 0));
    cr_assert_eq(p, 16);
    cr_assert(rl_cidr_parse("0.0.0.0/0", 9, &net, &p));
    cr_assert_eq(p, 0);
    cr_assert(rl_cidr_parse("10.1.2.3/32", 11, &net, &p));
    cr_assert_eq(net, IP(10, 1, 2, 3));
    static const char *const bad[] = {"10.0.0.0", "10.0.0.0/",   "10.0.0.0/33",
                                      "10.0.0/8", "10.0.0.0/8x", "10.0.0.0/008"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        cr_assert_not(rl_cidr_parse(bad[i], strlen(bad[i]), &net, &p), "%s", bad[i]);
}

Test(external, cidr_containment_per_scope)
{
    rl_cidrs c;
    cr_assert_eq(rl_cidrs_init(&c), 0);
    cr_assert_eq(rl_cidrs_add(&c, "us-west-2", IP(10, 20, 0, 0), 16), 0);
    cr_assert_eq(rl_cidrs_add(&c, "us-west-2", IP(192, 168, 7, 7), 32), 0);
    cr_assert_eq(rl_cidrs_add(&c, "eu-west-1", IP(0, 0, 0, 0), 0), 0);
    cr_assert(rl_cidrs_contain(&c, "us-west-2", IP(10, 20, 3, 4)));
    cr_assert(rl_cidrs_contain(&c, "us-west-2", IP(10, 20, 255, 255)));
    cr_assert_not(rl_cidrs_contain(&c, "us-west-2", IP(10, 21, 0, 1)));
    cr_assert(rl_cidrs_contain(&c, "us-west-2", IP(192, 168, 7, 7)));
    cr_assert_not(rl_cidrs_contain(&c, "us-west-2", IP(192, 168, 7, 8)));
    cr_assert_not(rl_cidrs_contain(&c, "us-east-2", IP(10, 20, 3, 4)));
    cr_assert(rl_cidrs_contain(&c, "eu-west-1", IP(172, 16, 1, 1)));
    rl_cidrs_free(&c);
    rl_cidrs_free(NULL);
}

Test(external, hosts_urls_and_emails)
{
    spans r = hosts("postgres://app@db.corp.example.com:5432/x");
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.off[0], 15);
    cr_assert_eq(r.len[0], strlen("db.corp.example.com"));
    r = hosts("ops@corp.example.com and see ldap.corp.example.com.");
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.len[0], strlen("ldap.corp.example.com"));
    cr_assert_eq(hosts("name_x.corp.example.com").n, 0);
    cr_assert_eq(hosts("a..b").n, 0);
    cr_assert_eq(hosts("no-dots-here").n, 0);
    r = hosts("\"a.b\",c.d;e.f");
    cr_assert_eq(r.n, 3);
}

Test(external, domain_suffixes_on_labels)
{
    rl_domains d;
    rl_domain *e;
    cr_assert_eq(rl_domains_init(&d), 0);
    cr_assert_eq(rl_domains_add(&d, "corp.example.com", &e), 0);
    e->value = (void *)1;
    cr_assert_eq(rl_domains_add(&d, "*.branch.example.net.", &e), 0);
    cr_assert_str_eq(e->name, "branch.example.net");
    cr_assert_eq(rl_domains_add(&d, "example.com", &e), 0);
    cr_assert_eq(rl_domains_add(&d, "CORP.example.com", &e), 0);
    cr_assert_eq(e->value, (void *)1, "the same name, found again");
    const char *h = "db01.CORP.Example.com";
    const rl_domain *m = rl_domains_match(&d, h, strlen(h));
    cr_assert_not_null(m);
    cr_assert_str_eq(m->name, "corp.example.com", "the longest suffix wins");
    h = "xcorp.example.com";
    m = rl_domains_match(&d, h, strlen(h));
    cr_assert_str_eq(m->name, "example.com");
    h = "branch.example.net";
    cr_assert_not_null(rl_domains_match(&d, h, strlen(h)));
    h = "example.net";
    cr_assert_null(rl_domains_match(&d, h, strlen(h)));
    static const char *const bad[] = {"", "bad name", "-x.com", "a..b", "."};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        cr_assert_eq(rl_domains_add(&d, bad[i], &e), RL_EINVAL, "'%s'", bad[i]);
    rl_domains_free(&d);
}

/* ---- the rules --------------------------------------------------------------------- */

typedef struct fx {
    char dir[64];
    rl_lint *l;
    rl_error err;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    strcpy(f->dir, "/tmp/rl-external-XXXXXX");
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

static int run(fx *f, const char *config)
{
    char cfg[128];
    snprintf(cfg, sizeof(cfg), "%s/.regionlint.yaml", f->dir);
    put(f, ".regionlint.yaml", config);
    const char *paths[] = {f->dir};
    rl_lint_opts o;
    memset(&o, 0, sizeof(o));
    o.paths = paths;
    o.npaths = 1;
    o.config_path = cfg;
    o.strategy = -1;
    rl_error_clear(&f->err);
    return rl_lint_run(&f->l, &o, &f->err);
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

static const rl_finding *find(const fx *f, const char *rule, unsigned line, unsigned col)
{
    const rl_findings *fs = rl_lint_findings(f->l);
    for (size_t i = 0; i < rl_findings_count(fs); i++) {
        const rl_finding *x = rl_findings_at(fs, i);
        if (!strcmp(x->rule_id, rule) && x->span.start.line == line && x->span.start.column == col)
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

static const char two_standbys[] = "primary: us-east-1\n"
                                   "standby: [us-west-2, eu-west-1]\n"
                                   "inputs: {shared: [t/*.yaml]}\n"
                                   "rules:\n"
                                   "  RL506: {onprem-domains: [corp.example.com]}\n";

static const char lambda[] =
    "Resources:\n"
    "  Fn:\n"
    "    Type: AWS::Lambda::Function\n"
    "    Properties:\n"
    "      Role: !Sub arn:aws:iam::${AWS::AccountId}:role/fn-${AWS::Region}\n"
    "      Environment:\n"
    "        Variables:\n";

Test(external, one_finding_per_standby_with_exact_span)
{
    fx *f = fx_new();
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda,
             "          DB: \"jdbc:postgresql://10.9.8.7:5432/x\"\n"
             "          WIKI: https://wiki.corp.example.com/page\n");
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, two_standbys), 0, "%s", f->err.message);
    /* the primary's copy is not reported; each standby's is, once */
    cr_assert_eq(count(f, "RL506"), 4);
    const rl_finding *x = find(f, "RL506", 8, 34);
    cr_assert_eq(x->span.end.column, 42);
    cr_assert(strstr(x->message, "10.9.8.7") && strstr(x->message, "RFC 1918"), "%s", x->message);
    x = find(f, "RL506", 9, 25);
    cr_assert_eq(x->span.end.column, 46);
    cr_assert(strstr(x->message, "corp.example.com"), "%s", x->message);
    fx_free(f);
}

Test(external, in_vpc_addresses_and_network_configuration)
{
    fx *f = fx_new();
    put(f, "t/net.yaml",
        "Resources:\n"
        "  Vpc:\n"
        "    Type: AWS::EC2::VPC\n"
        "    Properties: {CidrBlock: 10.9.0.0/16}\n"
        "  Extra:\n"
        "    Type: AWS::EC2::VPCCidrBlock\n"
        "    Properties: {VpcId: !Ref Vpc, CidrBlock: 172.20.0.0/16}\n"
        "  Vpn:\n"
        "    Type: AWS::EC2::VPNConnectionRoute\n"
        "    Properties: {DestinationCidrBlock: 10.50.0.0/16, VpnConnectionId: vpn-1}\n"
        "  Dhcp:\n"
        "    Type: AWS::EC2::DHCPOptions\n"
        "    Properties: {DomainNameServers: [10.50.0.2], DomainName: corp.example.com}\n"
        "  Box:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties: {PrivateIpAddress: 10.50.0.9, ImageId: ami-12345678}\n");
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda,
             "          A: 10.9.3.4\n"
             "          B: 172.20.1.1\n"
             "          C: 10.50.0.0/16\n"
             "          D: admin@corp.example.com\n");
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, two_standbys), 0, "%s", f->err.message);
    cr_assert_eq(count(f, "RL506"), 0);
    fx_free(f);
}

Test(external, vpc_cidrs_setting_per_region)
{
    fx *f = fx_new();
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda, "          A: 10.30.1.1\n");
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, "primary: us-east-1\nstandby: [us-west-2, eu-west-1]\n"
                        "inputs: {shared: [t/*.yaml]}\n"
                        "rules: {RL506: {vpc-cidrs: {us-west-2: [10.30.0.0/16]}}}\n"),
                 0, "%s", f->err.message);
    cr_assert_eq(count(f, "RL506"), 1);
    cr_assert_str_eq(find(f, "RL506", 8, 14)->region, "eu-west-1");
    fx_free(f);
}

Test(external, bad_settings_are_config_errors_with_positions)
{
    static const struct {
        const char *rules;
        unsigned line;
    } cases[] = {
        {"rules:\n  RL506:\n    onprem-domains: [\"bad name\"]\n", 5},
        {"rules:\n  RL506:\n    vpc-cidrs: [10.0.0.0/33]\n", 5},
        {"rules:\n  RL506:\n    vpc-cidrs: {us_west_2: [10.0.0.0/8]}\n", 5},
        {"rules:\n  RL507:\n    third-parties: [{hosts: [a.com]}]\n", 5},
        {"rules:\n  RL507:\n    third-parties: [{name: x, hosts: [a.com], alt: [b.com]}]\n", 5},
        {"rules:\n  RL507:\n    third-parties:\n      - {name: x, hosts: []}\n", 6},
        {"rules:\n  RL506:\n    onprem-domain: [corp.example.com]\n", 5},
        {"rules:\n  RL507:\n    third-party: []\n", 5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        fx *f = fx_new();
        put(f, "t/app.yaml", lambda);
        char cfg[512];
        snprintf(cfg, sizeof(cfg), "primary: us-east-1\nstandby: [us-west-2]\n%s", cases[i].rules);
        cr_assert_eq(run(f, cfg), RL_ECONFIG, "case %zu: %s", i, f->err.message);
        cr_assert_eq(f->err.line, cases[i].line, "case %zu: %s at %u", i, f->err.message,
                     f->err.line);
        cr_assert(strstr(f->err.file, ".regionlint.yaml"), "case %zu: %s", i, f->err.file);
        fx_free(f);
    }
}

static const char parties[] = "primary: us-east-1\n"
                              "standby: [us-west-2]\n"
                              "inputs: {shared: [t/*.yaml]}\n"
                              "rules:\n"
                              "  RL507:\n"
                              "    third-parties:\n"
                              "      - {name: payments, hosts: [stripe.com], alternatives: "
                              "[adyen.com]}\n";

Test(external, third_party_in_both_regions_is_one_finding)
{
    fx *f = fx_new();
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda,
             "          PAY: https://api.stripe.com/v1\n"
             "          NOT: https://api.notstripe.com/v1\n");
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, parties), 0, "%s", f->err.message);
    cr_assert_eq(count(f, "RL507"), 1);
    const rl_finding *x = find(f, "RL507", 8, 24);
    cr_assert(strstr(x->message, "us-east-1 and us-west-2"), "%s", x->message);
    cr_assert(strstr(x->message, "adyen.com"), "%s", x->message);
    cr_assert_str_eq(x->region, "us-east-1");
    fx_free(f);
}

Test(external, alternative_used_by_the_other_region)
{
    fx *f = fx_new();
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda, "          PAY: https://api.stripe.com/v1\n");
    put(f, "t/app.yaml", t);
    snprintf(t, sizeof(t), "%s%s", lambda, "          PAY: https://checkout.ADYEN.com/v71\n");
    put(f, "regions/us-west-2/fallback.yaml", t);
    cr_assert_eq(run(f, parties), 0, "%s", f->err.message);
    cr_assert_eq(count(f, "RL507"), 0);
    fx_free(f);
}

Test(external, nothing_without_settings_and_nothing_when_disabled)
{
    fx *f = fx_new();
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda,
             "          PAY: https://api.stripe.com/v1\n"
             "          DB: 10.1.1.1\n");
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, "primary: us-east-1\nstandby: [us-west-2]\n"
                        "inputs: {shared: [t/*.yaml]}\nrules: {disable: [RL506]}\n"),
                 0, "%s", f->err.message);
    cr_assert_eq(count(f, "RL506") + count(f, "RL507"), 0);
    fx_free(f);
}

Test(external, a_vpc_block_that_cannot_be_known_hides_addresses_not_hosts)
{
    fx *f = fx_new();
    put(f, "t/net.yaml",
        "Parameters:\n"
        "  Block: {Type: String}\n"
        "Resources:\n"
        "  Vpc:\n"
        "    Type: AWS::EC2::VPC\n"
        "    Properties: {CidrBlock: !Ref Block}\n");
    char t[1024];
    snprintf(t, sizeof(t), "%s%s", lambda,
             "          A: 10.30.1.1\n"
             "          B: db.corp.example.com\n");
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, two_standbys), 0, "%s", f->err.message);
    cr_assert_eq(count(f, "RL506"), 2, "the host, in each standby");
    find(f, "RL506", 9, 14);
    fx_free(f);
}

Test(external, long_values_are_shown_around_the_hit)
{
    fx *f = fx_new();
    char t[2048], script[600];
    memset(script, 'x', 300);
    script[300] = '\0';
    snprintf(t, sizeof(t), "%s          S: \"%s mount 10.50.0.9:/exports %s\"\n", lambda, script,
             script);
    put(f, "t/app.yaml", t);
    cr_assert_eq(run(f, two_standbys), 0, "%s", f->err.message);
    const rl_finding *x = find(f, "RL506", 8, 15 + 300 + 7);
    cr_assert(strstr(x->message, "(S: \"...xxx") &&
                  strstr(x->message, "mount 10.50.0.9:/exports") && strstr(x->message, "xxx...\")"),
              "%s", x->message);
    cr_assert_lt(strlen(x->message), 400);
    fx_free(f);
}

Test(external, names_origins_and_text_records_are_not_endpoints)
{
    fx *f = fx_new();
    put(f, "t/names.yaml",
        "Resources:\n"
        "  Url:\n"
        "    Type: AWS::Lambda::Url\n"
        "    Properties:\n"
        "      TargetFunctionArn: !Sub arn:aws:lambda:${AWS::Region}:111122223333:function:f\n"
        "      AuthType: NONE\n"
        "      Cors: {AllowOrigins: [\"https://portal.corp.example.com\"]}\n"
        "  Domain:\n"
        "    Type: AWS::ApiGateway::DomainName\n"
        "    Properties: {DomainName: api.corp.example.com}\n"
        "  Api:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties:\n"
        "      StageName: prod\n"
        "      Domain: {DomainName: api.corp.example.com, Route53: {HostedZoneName: "
        "corp.example.com.}}\n"
        "  Records:\n"
        "    Type: AWS::Route53::RecordSetGroup\n"
        "    Properties:\n"
        "      HostedZoneName: corp.example.com.\n"
        "      RecordSets:\n"
        "        - {Name: corp.example.com., Type: TXT, TTL: '300', ResourceRecords: "
        "['\"v=spf1 include:mail.corp.example.com -all\"']}\n"
        "        - {Name: app.corp.example.com., Type: CNAME, TTL: '300', ResourceRecords: "
        "[app.dc1.corp.example.com]}\n");
    cr_assert_eq(run(f, two_standbys), 0, "%s", f->err.message);
    /* only the CNAME's value is a host the standby's clients are sent to */
    cr_assert_eq(count(f, "RL506"), 2, "the CNAME, in each standby");
    find(f, "RL506", 22, 84);
    fx_free(f);
}
