/* The policy evaluator: wildcard, action and ARN matching; every condition operator with
 * its negated, IfExists and set forms and the missing-key cases (table-driven); statement
 * matching with NotAction/NotResource; SCP paths (deny wins, every level needs an Allow,
 * conditional outcomes); and the real SCPs of the corpus. */
#include <criterion/criterion.h>
#include <regionlint/policy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------- */

static rl_doc *parse(const char *json)
{
    rl_source *src = NULL;
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_source_new(&src, "policy.json", json, strlen(json)), 0);
    rl_load_opts opts = {RL_SYNTAX_JSON, 0, 0};
    cr_assert_eq(rl_doc_load(&doc, src, &opts, &err), 0, "%s: %s", json, err.message);
    return doc;
}

static rl_policy *compile(const rl_doc *doc)
{
    rl_policy *p = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_policy_new(&p, rl_doc_root(doc), &err), 0, "%s", err.message);
    return p;
}

/* The one key a table row knows about. */
typedef struct key_row {
    const char *key;
    rl_key_state state;
    const char *values[3];
    size_t n;
} key_row;

static rl_key_state row_key(void *ctx, const char *key, const char *const **values, size_t *n)
{
    const key_row *k = ctx;
    if (!k->key || strcasecmp(k->key, key))
        return RL_KEY_UNKNOWN;
    *values = k->values;
    *n = k->n;
    return k->state;
}

static const char *tri_name(rl_tri t)
{
    return t == RL_TRI_YES ? "yes" : t == RL_TRI_NO ? "no" : "maybe";
}

/* ---- matchers ------------------------------------------------------------------------ */

Test(policy, wildcards)
{
    static const struct {
        const char *pattern, *s;
        bool ci, want;
    } rows[] = {
        {"*", "", false, true},
        {"*", "anything", false, true},
        {"a*c", "abbbc", false, true},
        {"a*c", "abbbd", false, false},
        {"a?c", "abc", false, true},
        {"a?c", "ac", false, false},
        {"a?c",
         "a\xc3\xa9"
         "c",
         false, true}, /* ? is one code point */
        {"*x*y*", "axbxcy", false, true},
        {"abc", "ABC", false, false},
        {"abc", "ABC", true, true},
        {"a**b", "ab", false, true},
        {"", "", false, true},
        {"", "a", false, false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
        cr_expect_eq(rl_wildcard_match(rows[i].pattern, rows[i].s, rows[i].ci), rows[i].want,
                     "%s ~ %s", rows[i].pattern, rows[i].s);
}

Test(policy, actions)
{
    static const struct {
        const char *pattern, *action;
        bool want;
    } rows[] = {
        {"*", "lambda:CreateFunction", true},
        {"lambda:*", "lambda:CreateFunction", true},
        {"LAMBDA:createfunction", "lambda:CreateFunction", true},
        {"lambda:Create*", "lambda:CreateFunction", true},
        {"lambda:Get*", "lambda:CreateFunction", false},
        {"s3:GetAccountPublic*", "s3:GetAccountPublicAccessBlock", true},
        {"ec2:Describe?pc*", "ec2:DescribeVpcs", true},
        {"route53:*", "route53domains:TransferDomain", false},
        {"route53*", "route53domains:TransferDomain", true},
        {"es:ES*", "es:ESHttpGet", true},
        {"sts:*", "sts:AssumeRole", true},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
        cr_expect_eq(rl_action_match(rows[i].pattern, rows[i].action), rows[i].want, "%s ~ %s",
                     rows[i].pattern, rows[i].action);
}

Test(policy, arns)
{
    static const struct {
        const char *pattern, *arn;
        bool want;
    } rows[] = {
        {"arn:aws:iam::*:role/admin", "arn:aws:iam::111122223333:role/admin", true},
        {"arn:aws:iam::*:role/admin", "arn:aws:iam::111122223333:role/admin2", false},
        {"arn:aws:iam::*:role/stacksets-exec-*", "arn:aws:iam::1:role/stacksets-exec-abc", true},
        /* each field on its own: a * does not run across the colons before the resource */
        {"arn:aws:*:us-east-1:*:*", "arn:aws:sqs:us-west-2:1:q", false},
        {"arn:aws:*:us-east-1:*:*", "arn:aws:sqs:us-east-1:1:q", true},
        /* the resource field keeps its colons */
        {"arn:aws:logs:*:*:log-group:app:*", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:x",
         true},
        {"arn:aws:iam::*:role/Admin", "arn:aws:iam::1:role/admin", false}, /* case-sensitive */
        {"*", "arn:aws:s3:::bucket", true},
        {"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key", true},
        {"arn:aws:iam::*:root", "arn:aws:iam::111122223333:root", true},
        {"arn:aws:iam::*:root", "arn:aws:iam::111122223333:role/x", false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
        cr_expect_eq(rl_arn_match(rows[i].pattern, rows[i].arn), rows[i].want, "%s ~ %s",
                     rows[i].pattern, rows[i].arn);
}

/* ---- conditions ---------------------------------------------------------------------- */

typedef struct cond_row {
    const char *op;
    const char *key;
    const char *values; /* JSON: a string or an array */
    const char *region; /* aws:RequestedRegion, or NULL */
    key_row ctx;
    rl_tri want;
} cond_row;

#define PRESENT(k, ...)                                                                            \
    {                                                                                              \
        k, RL_KEY_PRESENT, {__VA_ARGS__},                                                          \
            sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)                           \
    }
#define PRESENT_UNKNOWN(k)                                                                         \
    {                                                                                              \
        k, RL_KEY_PRESENT, {NULL}, 0                                                               \
    }
#define ABSENT(k)                                                                                  \
    {                                                                                              \
        k, RL_KEY_ABSENT, {NULL}, 0                                                                \
    }
#define NOKEY                                                                                      \
    {                                                                                              \
        NULL, RL_KEY_UNKNOWN, {NULL}, 0                                                            \
    }

static const cond_row cond_rows[] = {
    /* String: OR over values; negated forms are NOR */
    {"StringEquals", "aws:RequestedRegion", "[\"us-east-1\",\"eu-west-1\"]", "us-east-1", NOKEY,
     RL_TRI_YES},
    {"StringEquals", "aws:RequestedRegion", "[\"us-east-1\",\"eu-west-1\"]", "us-west-2", NOKEY,
     RL_TRI_NO},
    {"StringNotEquals", "aws:RequestedRegion", "[\"us-east-1\",\"eu-west-1\"]", "us-west-2", NOKEY,
     RL_TRI_YES},
    {"StringNotEquals", "aws:RequestedRegion", "[\"us-east-1\",\"eu-west-1\"]", "eu-west-1", NOKEY,
     RL_TRI_NO},
    {"StringNotEquals", "aws:requestedregion", "\"us-east-1\"", "us-east-1", NOKEY, RL_TRI_NO},
    {"StringEquals", "aws:RequestedRegion", "\"US-EAST-1\"", "us-east-1", NOKEY, RL_TRI_NO},
    {"StringEqualsIgnoreCase", "aws:RequestedRegion", "\"US-EAST-1\"", "us-east-1", NOKEY,
     RL_TRI_YES},
    {"StringNotEqualsIgnoreCase", "aws:RequestedRegion", "\"US-EAST-1\"", "us-east-1", NOKEY,
     RL_TRI_NO},
    {"StringLike", "aws:RequestedRegion", "\"eu-*\"", "eu-central-1", NOKEY, RL_TRI_YES},
    {"StringLike", "aws:RequestedRegion", "\"eu-*\"", "us-east-1", NOKEY, RL_TRI_NO},
    {"StringNotLike", "aws:RequestedRegion", "[\"eu-*\",\"us-east-?\"]", "us-east-2", NOKEY,
     RL_TRI_NO},
    {"StringNotLike", "aws:RequestedRegion", "[\"eu-*\",\"us-east-?\"]", "us-west-2", NOKEY,
     RL_TRI_YES},
    {"stringnotequals", "aws:RequestedRegion", "\"us-east-1\"", "us-west-2", NOKEY, RL_TRI_YES},
    /* Numeric */
    {"NumericEquals", "k:n", "\"30\"", NULL, PRESENT("k:n", "30.0"), RL_TRI_YES},
    {"NumericNotEquals", "k:n", "\"30\"", NULL, PRESENT("k:n", "30"), RL_TRI_NO},
    {"NumericLessThan", "k:n", "\"30\"", NULL, PRESENT("k:n", "7"), RL_TRI_YES},
    {"NumericLessThan", "k:n", "\"30\"", NULL, PRESENT("k:n", "30"), RL_TRI_NO},
    {"NumericLessThanEquals", "k:n", "\"30\"", NULL, PRESENT("k:n", "30"), RL_TRI_YES},
    {"NumericGreaterThan", "k:n", "\"30\"", NULL, PRESENT("k:n", "31"), RL_TRI_YES},
    {"NumericGreaterThanEquals", "k:n", "\"30\"", NULL, PRESENT("k:n", "29"), RL_TRI_NO},
    {"NumericEquals", "k:n", "\"30\"", NULL, PRESENT("k:n", "thirty"), RL_TRI_NO},
    /* Date: ISO 8601 in its forms, or epoch seconds */
    {"DateLessThan", "aws:CurrentTime", "\"2027-01-01T00:00:00Z\"", NULL,
     PRESENT("aws:CurrentTime", "2026-11-26T12:00:00Z"), RL_TRI_YES},
    {"DateGreaterThan", "aws:CurrentTime", "\"2027-01-01T00:00:00Z\"", NULL,
     PRESENT("aws:CurrentTime", "2026-11-26 12:00:00+00:00"), RL_TRI_NO},
    {"DateEquals", "aws:CurrentTime", "\"2026-11-26T13:00:00+01:00\"", NULL,
     PRESENT("aws:CurrentTime", "2026-11-26T12:00:00.000Z"), RL_TRI_YES},
    {"DateNotEquals", "aws:CurrentTime", "\"2026-11-26T12:00:00Z\"", NULL,
     PRESENT("aws:CurrentTime", "1795694400"), RL_TRI_NO},
    {"DateLessThanEquals", "aws:CurrentTime", "\"2026-11-26\"", NULL,
     PRESENT("aws:CurrentTime", "2026-11-26T00:00:00Z"), RL_TRI_YES},
    {"DateGreaterThanEquals", "aws:CurrentTime", "\"2026-11-27\"", NULL,
     PRESENT("aws:CurrentTime", "2026-11-26T23:59:59Z"), RL_TRI_NO},
    /* Bool, Binary, IP */
    {"Bool", "aws:SecureTransport", "\"false\"", NULL, PRESENT("aws:SecureTransport", "false"),
     RL_TRI_YES},
    {"Bool", "aws:SecureTransport", "false", NULL, PRESENT("aws:SecureTransport", "true"),
     RL_TRI_NO},
    {"BinaryEquals", "k:b", "\"QmluYXJ5\"", NULL, PRESENT("k:b", "QmluYXJ5"), RL_TRI_YES},
    {"IpAddress", "aws:SourceIp", "[\"10.0.0.0/8\",\"192.0.2.0/24\"]", NULL,
     PRESENT("aws:SourceIp", "192.0.2.7"), RL_TRI_YES},
    {"IpAddress", "aws:SourceIp", "\"10.0.0.0/8\"", NULL, PRESENT("aws:SourceIp", "11.0.0.1"),
     RL_TRI_NO},
    {"NotIpAddress", "aws:SourceIp", "\"10.0.0.0/8\"", NULL, PRESENT("aws:SourceIp", "11.0.0.1"),
     RL_TRI_YES},
    {"IpAddress", "aws:SourceIp", "\"2001:db8::/32\"", NULL, PRESENT("aws:SourceIp", "2001:db8::1"),
     RL_TRI_YES},
    /* Arn: ArnEquals and ArnLike both take wildcards */
    {"ArnLike", "aws:PrincipalArn", "\"arn:aws:iam::*:role/admin\"", NULL,
     PRESENT("aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin"), RL_TRI_YES},
    {"ArnEquals", "aws:PrincipalArn", "\"arn:aws:iam::*:role/admin\"", NULL,
     PRESENT("aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin"), RL_TRI_YES},
    {"ArnNotLike", "aws:PrincipalArn", "[\"arn:aws:iam::*:role/admin\",\"arn:aws:iam::*:role/ci\"]",
     NULL, PRESENT("aws:PrincipalArn", "arn:aws:iam::111122223333:role/ci"), RL_TRI_NO},
    {"ArnNotEquals", "aws:PrincipalArn", "\"arn:aws:iam::*:role/admin\"", NULL,
     PRESENT("aws:PrincipalArn", "arn:aws:iam::111122223333:role/dev"), RL_TRI_YES},
    /* keys the linter cannot know: always present, value unknown */
    {"ArnNotLike", "aws:PrincipalARN", "\"arn:aws:iam::*:role/admin\"", "us-west-2", NOKEY,
     RL_TRI_MAYBE},
    {"StringNotEqualsIfExists", "aws:PrincipalTag/team", "\"ops\"", NULL, NOKEY, RL_TRI_MAYBE},
    {"Null", "aws:PrincipalArn", "\"true\"", NULL, NOKEY, RL_TRI_NO}, /* always present */
    {"Null", "aws:PrincipalArn", "\"false\"", NULL, NOKEY, RL_TRI_YES},
    {"Null", "s3:x-amz-server-side-encryption", "\"true\"", NULL, NOKEY, RL_TRI_MAYBE},
    {"Null", "k:x", "\"true\"", NULL, PRESENT_UNKNOWN("k:x"), RL_TRI_NO},
    {"StringEquals", "k:x", "\"a\"", NULL, PRESENT_UNKNOWN("k:x"), RL_TRI_MAYBE},
    /* missing keys */
    {"StringEquals", "k:x", "\"a\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"StringNotEquals", "k:x", "\"a\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"StringLike", "k:x", "\"a*\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"StringNotLike", "k:x", "\"a*\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"ArnLike", "k:x", "\"arn:*\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"ArnNotLike", "k:x", "\"arn:*\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"NumericLessThan", "k:x", "\"1\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"Bool", "k:x", "\"true\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"IpAddress", "k:x", "\"10.0.0.0/8\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"NotIpAddress", "k:x", "\"10.0.0.0/8\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"StringEqualsIfExists", "k:x", "\"a\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"StringNotEqualsIfExists", "k:x", "\"a\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"StringEqualsIfExists", "k:x", "\"a\"", NULL, PRESENT("k:x", "b"), RL_TRI_NO},
    {"BoolIfExists", "aws:ViaAWSService", "\"false\"", NULL, ABSENT("aws:ViaAWSService"),
     RL_TRI_YES},
    {"Null", "k:x", "\"true\"", NULL, ABSENT("k:x"), RL_TRI_YES},
    {"Null", "k:x", "\"false\"", NULL, ABSENT("k:x"), RL_TRI_NO},
    {"ForAllValues:StringEquals", "aws:TagKeys", "[\"a\"]", NULL, ABSENT("aws:TagKeys"),
     RL_TRI_YES},
    {"ForAnyValue:StringEquals", "aws:TagKeys", "[\"a\"]", NULL, ABSENT("aws:TagKeys"), RL_TRI_NO},
    {"ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"a\"]", NULL, ABSENT("aws:TagKeys"),
     RL_TRI_NO},
    {"ForAllValues:StringNotEquals", "aws:TagKeys", "[\"a\"]", NULL, ABSENT("aws:TagKeys"),
     RL_TRI_YES},
    /* set operators over a multi-valued key */
    {"ForAnyValue:StringLike", "aws:TagKeys", "[\"x509*\"]", NULL,
     PRESENT("aws:TagKeys", "team", "x509Issuer"), RL_TRI_YES},
    {"ForAllValues:StringLike", "aws:TagKeys", "[\"x509*\"]", NULL,
     PRESENT("aws:TagKeys", "team", "x509Issuer"), RL_TRI_NO},
    {"ForAllValues:StringEquals", "aws:TagKeys", "[\"team\",\"env\"]", NULL,
     PRESENT("aws:TagKeys", "team", "env"), RL_TRI_YES},
    {"ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"team\"]", NULL,
     PRESENT("aws:TagKeys", "team", "env"), RL_TRI_YES},
    {"ForAllValues:StringNotEquals", "aws:TagKeys", "[\"team\"]", NULL,
     PRESENT("aws:TagKeys", "team", "env"), RL_TRI_NO},
    /* on single-valued aws:RequestedRegion (misuse seen in the wild) */
    {"ForAllValues:StringEquals", "aws:RequestedRegion", "[\"us-east-1\"]", "us-west-2", NOKEY,
     RL_TRI_NO},
    {"ForAnyValue:StringEquals", "aws:RequestedRegion", "[\"us-east-1\"]", "us-east-1", NOKEY,
     RL_TRI_YES},
    {"ForAnyValue:StringNotEqualsIfExists", "aws:RequestedRegion", "[\"us-east-1\"]", "us-west-2",
     NOKEY, RL_TRI_YES},
    /* policy variables */
    {"StringEquals", "aws:RequestedRegion", "\"${aws:RequestedRegion}\"", "us-west-2", NOKEY,
     RL_TRI_YES},
    {"StringEquals", "k:x", "\"${aws:PrincipalTag/team}\"", NULL, PRESENT("k:x", "ops"),
     RL_TRI_MAYBE},
    {"StringEquals", "k:x", "\"${k:y, 'dflt'}\"", NULL, PRESENT("k:x", "dflt"), RL_TRI_MAYBE},
    {"StringLike", "k:x", "\"a${*}\"", NULL, PRESENT("k:x", "a*"), RL_TRI_YES},
    /* an operator IAM does not define */
    {"StringSortOf", "aws:RequestedRegion", "\"us-east-1\"", "us-east-1", NOKEY, RL_TRI_MAYBE},
};

Test(policy, condition_operators)
{
    for (size_t i = 0; i < sizeof(cond_rows) / sizeof(*cond_rows); i++) {
        const cond_row *r = &cond_rows[i];
        char json[1024];
        snprintf(json, sizeof(json),
                 "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\","
                 "\"Condition\":{\"%s\":{\"%s\":%s}}}}",
                 r->op, r->key, r->values);
        rl_doc *doc = parse(json);
        rl_policy *p = compile(doc);
        cr_assert_eq(rl_policy_count(p), 1);
        const rl_statement *st = rl_policy_statement(p, 0);
        cr_assert_eq(st->nconds, 1);
        rl_request req = {"s3:GetObject", NULL, r->region, NULL, row_key, (void *)&r->ctx};
        rl_tri got = rl_condition_eval(&st->conds[0], &req);
        cr_expect_eq(got, r->want, "row %zu: %s %s %s -> %s, expected %s", i, r->op, r->key,
                     r->values, tri_name(got), tri_name(r->want));
        rl_policy_free(p);
        rl_doc_free(doc);
    }
}

Test(policy, operator_parsing)
{
    static const struct {
        const char *op;
        rl_cond_base base;
        bool negated, if_exists, for_any, for_all;
    } rows[] = {
        {"StringNotEqualsIfExists", RL_COND_STRING_EQUALS, true, true, false, false},
        {"ForAnyValue:StringLike", RL_COND_STRING_LIKE, false, false, true, false},
        {"ForAllValues:ArnNotLikeIfExists", RL_COND_ARN_LIKE, true, true, false, true},
        {"NotIpAddress", RL_COND_IP_ADDRESS, true, false, false, false},
        {"DateNotEquals", RL_COND_DATE_EQ, true, false, false, false},
        {"Null", RL_COND_NULL, false, false, false, false},
        {"BinaryEquals", RL_COND_BINARY_EQUALS, false, false, false, false},
        {"Bogus", RL_COND_UNKNOWN, false, false, false, false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        char json[512];
        snprintf(json, sizeof(json),
                 "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Condition\":"
                 "{\"%s\":{\"k\":\"v\"}}}]}",
                 rows[i].op);
        rl_doc *doc = parse(json);
        rl_policy *p = compile(doc);
        const rl_condition *c = &rl_policy_statement(p, 0)->conds[0];
        cr_expect_eq(c->base, rows[i].base, "%s", rows[i].op);
        cr_expect_eq(c->negated, rows[i].negated, "%s", rows[i].op);
        cr_expect_eq(c->if_exists, rows[i].if_exists, "%s", rows[i].op);
        cr_expect_eq(c->for_any, rows[i].for_any, "%s", rows[i].op);
        cr_expect_eq(c->for_all, rows[i].for_all, "%s", rows[i].op);
        rl_policy_free(p);
        rl_doc_free(doc);
    }
}

Test(policy, describe)
{
    static const struct {
        const char *op, *values;
        bool exemption;
        const char *want;
    } rows[] = {
        {"ArnNotLike", "\"arn:aws:iam::*:role/admin\"", true,
         "k is like \"arn:aws:iam::*:role/admin\""},
        {"ArnNotLike", "\"arn:aws:iam::*:role/admin\"", false,
         "k is not like \"arn:aws:iam::*:role/admin\""},
        {"StringNotEquals", "[\"a\",\"b\"]", true, "k is one of \"a\", \"b\""},
        {"StringEquals", "\"a\"", true, "k is not \"a\""},
        {"StringNotEqualsIfExists", "\"true\"", false, "k is not \"true\" (or k is absent)"},
        {"Null", "\"true\"", true, "k is present"},
        {"NumericLessThan", "\"30\"", true, "k >= \"30\""},
        {"ForAnyValue:StringLike", "[\"x*\"]", true,
         "ForAnyValue:StringLike k \"x*\" does not hold"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        char json[512], out[256];
        snprintf(json, sizeof(json),
                 "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Condition\":"
                 "{\"%s\":{\"k\":%s}}}}",
                 rows[i].op, rows[i].values);
        rl_doc *doc = parse(json);
        rl_policy *p = compile(doc);
        rl_condition_describe(&rl_policy_statement(p, 0)->conds[0], rows[i].exemption, out,
                              sizeof(out));
        cr_expect_str_eq(out, rows[i].want);
        rl_policy_free(p);
        rl_doc_free(doc);
    }
}

/* ---- statements ---------------------------------------------------------------------- */

Test(policy, statements)
{
    rl_doc *doc = parse("{\"Version\":\"2012-10-17\",\"Statement\":["
                        "{\"Sid\":\"A\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"sts:*\"],"
                        "\"Resource\":\"*\"},"
                        "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"NotResource\":"
                        "\"arn:aws:s3:::secret/*\"},"
                        "{\"Effect\":\"Deny\",\"Action\":\"lambda:*\",\"Resource\":"
                        "\"arn:aws:lambda:*:*:function:prod-*\"},"
                        "{\"Effect\":\"Maybe\",\"Action\":\"*\"},"
                        "{\"Effect\":\"deny\",\"Action\":\"ec2:RunInstances\"}]}");
    rl_policy *p = compile(doc);
    cr_assert_eq(rl_policy_count(p), 4, "the statement with a bad Effect is skipped");
    const rl_statement *a = rl_policy_statement(p, 0), *b = rl_policy_statement(p, 1);
    const rl_statement *c = rl_policy_statement(p, 2), *d = rl_policy_statement(p, 3);
    cr_expect_str_eq(a->sid, "A");
    cr_expect(a->deny && a->not_action && !b->deny && b->not_resource);
    cr_expect_eq(d->index, 4);
    cr_expect(d->deny, "Effect compares case-insensitively");
    cr_expect(rl_policy_has_allow(p));

    rl_request req = {"lambda:CreateFunction", NULL, "us-west-2", NULL, NULL, NULL};
    rl_match m;
    cr_expect_eq(rl_statement_match(a, &req, &m), RL_TRI_YES);
    req.action = "IAM:CreateRole";
    cr_expect_eq(rl_statement_match(a, &req, &m), RL_TRI_NO, "NotAction exempts");
    /* NotResource with an unknown resource: open */
    req.action = "s3:GetObject";
    cr_expect_eq(rl_statement_match(b, &req, &m), RL_TRI_MAYBE);
    cr_expect(m.resource_open);
    req.resource = "arn:aws:s3:::secret/key";
    cr_expect_eq(rl_statement_match(b, &req, &m), RL_TRI_NO);
    req.resource = "arn:aws:s3:::public/key";
    cr_expect_eq(rl_statement_match(b, &req, &m), RL_TRI_YES);
    /* a specific resource pattern */
    req.action = "lambda:UpdateFunctionCode";
    req.resource = "arn:aws:lambda:us-west-2:1:function:prod-api";
    cr_expect_eq(rl_statement_match(c, &req, &m), RL_TRI_YES);
    req.resource = "arn:aws:lambda:us-west-2:1:function:dev-api";
    cr_expect_eq(rl_statement_match(c, &req, &m), RL_TRI_NO);
    req.resource = NULL;
    cr_expect_eq(rl_statement_match(c, &req, &m), RL_TRI_MAYBE);
    /* no Resource element: every resource */
    req.action = "ec2:RunInstances";
    cr_expect_eq(rl_statement_match(d, &req, &m), RL_TRI_YES);
    rl_policy_free(p);
    rl_doc_free(doc);
}

Test(policy, not_a_policy)
{
    rl_doc *doc = parse("{\"Version\":\"2012-10-17\"}");
    rl_policy *p = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_expect_eq(rl_policy_new(&p, rl_doc_root(doc), &err), RL_EPARSE);
    cr_expect_null(p);
    rl_policy_free(NULL);
    rl_doc_free(doc);
}

/* ---- SCP paths ----------------------------------------------------------------------- */

typedef struct scps {
    rl_doc *docs[8];
    rl_policy *pols[8];
    rl_scp scp[8];
    size_t n;
} scps;

static const rl_scp *add(scps *s, const char *name, const char *json)
{
    size_t i = s->n++;
    s->docs[i] = parse(json);
    s->pols[i] = compile(s->docs[i]);
    s->scp[i].name = name;
    s->scp[i].policy = s->pols[i];
    return &s->scp[i];
}

static void scps_free(scps *s)
{
    for (size_t i = 0; i < s->n; i++) {
        rl_policy_free(s->pols[i]);
        rl_doc_free(s->docs[i]);
    }
}

#define FULL "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"

Test(policy, scp_path)
{
    scps s = {0};
    const rl_scp *full = add(&s, "FullAWSAccess", FULL);
    const rl_scp *only_s3 = add(&s, "AllowS3",
                                "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"s3:*\","
                                "\"iam:*\"],\"Resource\":\"*\"}}");
    const rl_scp *deny_region = add(
        &s, "DenyRegions",
        "{\"Statement\":{\"Sid\":\"R\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\"],"
        "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":"
        "[\"us-east-1\"]},\"ArnNotLike\":{\"aws:PrincipalARN\":\"arn:aws:iam::*:role/admin\"}}}}");
    const rl_scp *deny_dynamo =
        add(&s, "DenyDynamo",
            "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"dynamodb:*\",\"Resource\":\"*\"}}");
    const rl_scp *allow_cond =
        add(&s, "AllowTagged",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
            "\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"ops\"}}}}");

    const rl_scp *root_scps[] = {full, deny_region};
    const rl_scp *ou_scps[] = {only_s3};
    const rl_scp *acct_scps[] = {full, deny_dynamo};
    rl_scp_level levels[] = {
        {"r-ab12", "root", NULL, root_scps, 2, false},
        {"ou-ab12-abcdefgh", "organizational unit", "Workloads", ou_scps, 1, false},
        {"111122223333", "account", NULL, acct_scps, 2, false},
    };
    rl_scp_path path = {"111122223333", "test", false, NULL, levels, 3};
    rl_scp_decision d;
    rl_request req = {"s3:PutObject", NULL, "us-east-1", NULL, NULL, NULL};

    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_ALLOWED);

    req.action = "lambda:CreateFunction";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_NOT_ALLOWED, "the OU allows only S3 and IAM");
    cr_expect_eq(d.hits[0].level, 1);

    req.action = "s3:PutObject";
    req.region = "us-west-2";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_CONDITIONAL, "denied unless the principal is admin");
    cr_expect_eq(d.hits[0].scp, deny_region);
    cr_expect_eq(d.hits[0].match.nopen, 1);
    cr_expect_str_eq(d.hits[0].match.open[0]->key, "aws:PrincipalARN");

    req.action = "iam:CreateRole";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_ALLOWED, "NotAction exempts IAM");

    /* an explicit deny wins over every allow, at any level */
    ou_scps[0] = full;
    req.action = "dynamodb:CreateTable";
    req.region = "us-east-1";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_DENIED);
    cr_expect_eq(d.hits[0].scp, deny_dynamo);
    cr_expect_eq(d.hits[0].level, 2);

    /* a level whose only Allow is conditional */
    ou_scps[0] = allow_cond;
    req.action = "sqs:CreateQueue";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_CONDITIONAL);
    cr_expect_eq(d.hits[0].scp, allow_cond);

    /* a level with unknown attachments assumes an Allow */
    levels[1].nscps = 0;
    levels[1].assume_allow = true;
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_ALLOWED);

    /* the management account: SCPs do not apply */
    path.exempt = true;
    req.action = "dynamodb:CreateTable";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_ALLOWED);
    scps_free(&s);
}

/* Two OU levels with allow-lists of their own: an action needs an Allow at each, so what
 * one level allows does not make up for the other (one merged level would allow s3:* and
 * sqs:* alike); the level named is the first without one. */
Test(policy, scp_levels_each_need_an_allow)
{
    scps s = {0};
    const rl_scp *full = add(&s, "FullAWSAccess", FULL);
    const rl_scp *workloads =
        add(&s, "Approved",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",\"lambda:*\"],"
            "\"Resource\":\"*\"}}");
    const rl_scp *prod = add(&s, "PrimaryOnly",
                             "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"lambda:*\","
                             "\"sqs:*\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                             "{\"aws:RequestedRegion\":\"us-east-1\"}}}]}");
    const rl_scp *root_scps[] = {full};
    const rl_scp *workloads_scps[] = {workloads};
    const rl_scp *prod_scps[] = {prod};
    rl_scp_level levels[] = {
        {"r-ab12", "root", NULL, root_scps, 1, false},
        {"ou-ab12-workloads", "organizational unit", NULL, workloads_scps, 1, false},
        {"ou-ab12-prod0001", "organizational unit", NULL, prod_scps, 1, false},
        {"111122223333", "account", NULL, NULL, 0, true},
    };
    rl_scp_path path = {"111122223333", "test", false, NULL, levels, 4};
    rl_scp_decision d;
    rl_request req = {"lambda:CreateFunction", NULL, "us-east-1", NULL, NULL, NULL};
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_ALLOWED, "both OUs allow Lambda in us-east-1");

    req.action = "s3:CreateBucket";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_NOT_ALLOWED);
    cr_expect_eq(d.hits[0].level, 2, "Prod does not allow S3");

    req.action = "sqs:CreateQueue";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_NOT_ALLOWED);
    cr_expect_eq(d.hits[0].level, 1, "Workloads does not allow SQS");

    req.action = "lambda:CreateFunction";
    req.region = "us-west-2";
    rl_scp_evaluate(&path, &req, &d);
    cr_expect_eq(d.outcome, RL_SCP_NOT_ALLOWED);
    cr_expect_eq(d.hits[0].level, 2, "Prod allows the primary region only");
    cr_expect_null(d.hits[0].scp);
    scps_free(&s);
}

/* ---- the real SCPs ------------------------------------------------------------------- */

/* A copy of the corpus SCPs kept in the tree (tests/data/scp/PROVENANCE.md). */
#define SCP_DIR  RL_SOURCE_DIR "/tests/data/scp"
#define EXAMPLES SCP_DIR "/service-control-policy-examples/"

static rl_doc *load_file(const char *path)
{
    rl_source *src = NULL;
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_source_read(&src, path, path, RL_DEFAULT_MAX_FILE_SIZE, &err), 0, "%s",
                 err.message);
    cr_assert_eq(rl_doc_load(&doc, src, NULL, &err), 0, "%s: %s", path, err.message);
    return doc;
}

static rl_policy *compile_root(const rl_node *root)
{
    rl_policy *p = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_policy_new(&p, root, &err), 0, "%s", err.message);
    return p;
}

/* The policy document of a corpus file: a bare document, or describe-policy's Content. */
static rl_policy *corpus_policy(rl_doc *doc)
{
    const rl_node *root = rl_doc_root(doc);
    const rl_node *content = rl_node_path(root, "Policy.Content");
    if (content) {
        rl_error err;
        rl_error_clear(&err);
        cr_assert_eq(rl_doc_parse_embedded(doc, content, &root, &err), 0, "%s", err.message);
        cr_expect(root->flags & RL_NODE_EMBEDDED);
        cr_expect_eq(root->span.start.line, content->span.start.line,
                     "embedded nodes carry the Content string's position");
    }
    return compile_root(root);
}

Test(policy, corpus_compiles)
{
    FILE *fp = popen("find " SCP_DIR " -name '*.json' | sort", "r");
    cr_assert_not_null(fp);
    char line[1024];
    size_t files = 0, policies = 0;
    while (fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\n")] = '\0';
        rl_doc *doc = load_file(line);
        const rl_node *root = rl_doc_root(doc);
        const rl_node *content = rl_node_path(root, "Policy.Content");
        files++;
        if (rl_node_get(root, "Policies")) { /* list-policies: no content */
            rl_doc_free(doc);
            continue;
        }
        if (content) {
            rl_error err;
            rl_error_clear(&err);
            cr_assert_eq(rl_doc_parse_embedded(doc, content, &root, &err), 0, "%s", line);
        }
        rl_policy *p = compile_root(root);
        cr_expect_gt(rl_policy_count(p), 0, "%s has statements", line);
        /* every statement is evaluable for every action without a crash */
        rl_request req = {"lambda:CreateFunction", NULL, "us-west-2", NULL, NULL, NULL};
        for (size_t i = 0; i < rl_policy_count(p); i++)
            (void)rl_statement_match(rl_policy_statement(p, i), &req, NULL);
        policies++;
        rl_policy_free(p);
        rl_doc_free(doc);
    }
    pclose(fp);
    cr_expect_eq(files, 60);
    cr_expect_eq(policies, 59);
}

typedef struct expect_row {
    const char *file;
    size_t stmt;
    const char *action;
    const char *region;
    rl_tri want;
} expect_row;

static const expect_row corpus_rows[] = {
    /* the region deny: exemptions by NotAction, the rest conditional on the principal */
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "lambda:CreateFunction", "us-west-2", RL_TRI_MAYBE},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "lambda:CreateFunction", "eu-west-1", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "iam:CreateRole", "us-west-2", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "route53:ChangeResourceRecordSets", "us-west-2", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "cloudfront:CreateDistribution", "us-west-2", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "sts:AssumeRole", "us-west-2", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "s3:GetAccountPublicAccessBlock", "us-west-2", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json", 0,
     "s3:CreateBucket", "us-west-2", RL_TRI_MAYBE},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region-with-Bedrock-CRIS.json",
     0, "bedrock:InvokeModel", "us-west-2", RL_TRI_NO},
    {"Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region-with-Bedrock-CRIS.json",
     1, "bedrock:InvokeModel", "us-west-2", RL_TRI_MAYBE},
    {"Region-controls/Deny-account-region-enable-and-disable-actions.json", 0,
     "account:EnableRegion", "us-east-1", RL_TRI_MAYBE},
    {"Protect-cloud-platform-resource/Deny-creation-of-default-VPC-and-subnet.json", 0,
     "ec2:CreateDefaultVpc", "us-west-2", RL_TRI_YES},
    {"Protect-cloud-platform-resource/Deny-creation-of-default-VPC-and-subnet.json", 0,
     "ec2:CreateVpc", "us-west-2", RL_TRI_NO},
    {"Protect-cloud-platform-resource/Deny-key-actions-on-Route53-DNS-hosted-zones.json", 0,
     "route53:DeleteHostedZone", "us-east-1", RL_TRI_YES},
    {"Protect-cloud-platform-resource/Deny-key-actions-on-Route53-DNS-hosted-zones.json", 0,
     "route53:ChangeResourceRecordSets", "us-east-1", RL_TRI_NO},
    {"Service-specific-controls/Amazon-EC2/"
     "Require-Amazon-EC2-instances-to-use-a-specific-type.json",
     0, "ec2:RunInstances", "us-west-2", RL_TRI_MAYBE},
    {"Service-specific-controls/Amazon-S3/Prevent-Amazon-S3-unencrypted-object-uploads.json", 0,
     "s3:PutObject", "us-west-2", RL_TRI_MAYBE},
    {"Privileged-access-controls/Deny-member-accounts-from-leaving-your-AWS-organization.json", 0,
     "organizations:LeaveOrganization", "us-east-1", RL_TRI_YES},
    {"Privileged-access-controls/Deny-the-root-user-from-performing-actions-except-S3-bucketpolicy-"
     "changes.json",
     0, "s3:PutBucketPolicy", "us-east-1", RL_TRI_NO},
    {"Privileged-access-controls/Deny-the-root-user-from-performing-actions-except-S3-bucketpolicy-"
     "changes.json",
     0, "lambda:CreateFunction", "us-east-1", RL_TRI_MAYBE},
};

Test(policy, corpus_semantics)
{
    for (size_t i = 0; i < sizeof(corpus_rows) / sizeof(*corpus_rows); i++) {
        const expect_row *r = &corpus_rows[i];
        char path[1024];
        snprintf(path, sizeof(path), "%s%s", EXAMPLES, r->file);
        rl_doc *doc = load_file(path);
        rl_policy *p = corpus_policy(doc);
        const rl_statement *st = rl_policy_statement(p, r->stmt);
        cr_assert_not_null(st, "%s statement %zu", r->file, r->stmt);
        rl_request req = {r->action, NULL, r->region, NULL, NULL, NULL};
        rl_tri got = rl_statement_match(st, &req, NULL);
        cr_expect_eq(got, r->want, "%s #%zu %s in %s -> %s, expected %s", r->file, r->stmt,
                     r->action, r->region, tri_name(got), tri_name(r->want));
        rl_policy_free(p);
        rl_doc_free(doc);
    }
}

/* The region deny names what it is conditional on: the principal exemption. */
Test(policy, corpus_region_deny_condition)
{
    rl_doc *doc = load_file(
        EXAMPLES "Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json");
    rl_policy *p = corpus_policy(doc);
    rl_request req = {"dynamodb:CreateTable", NULL, "us-west-2", NULL, NULL, NULL};
    rl_match m;
    cr_assert_eq(rl_statement_match(rl_policy_statement(p, 0), &req, &m), RL_TRI_MAYBE);
    cr_assert_eq(m.nopen, 1);
    char out[256];
    rl_condition_describe(m.open[0], true, out, sizeof(out));
    cr_expect_str_eq(out,
                     "aws:PrincipalARN is like \"arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]\"");
    /* ${Account} is a placeholder, not a variable IAM defines: even a known principal
     * leaves the comparison open */
    key_row k = PRESENT("aws:PrincipalArn", "arn:aws:iam::111122223333:role/deployer");
    req.key = row_key;
    req.key_ctx = &k;
    cr_expect_eq(rl_statement_match(rl_policy_statement(p, 0), &req, &m), RL_TRI_MAYBE);
    rl_policy_free(p);
    rl_doc_free(doc);

    /* without a placeholder, knowing the principal decides the exemption */
    doc = load_file(EXAMPLES "Privileged-access-controls/Deny-critical-IAM-user-actions.json");
    p = corpus_policy(doc);
    req.action = "iam:CreateUser";
    k.values[0] = "arn:aws:iam::111122223333:role/[PRIVILEGED_ROLE]";
    cr_expect_eq(rl_statement_match(rl_policy_statement(p, 0), &req, &m), RL_TRI_NO);
    k.values[0] = "arn:aws:iam::111122223333:role/deployer";
    cr_expect_eq(rl_statement_match(rl_policy_statement(p, 0), &req, &m), RL_TRI_MAYBE,
                 "the tag exception is still open");
    cr_expect_eq(m.nopen, 1);
    rl_policy_free(p);
    rl_doc_free(doc);
}

/* describe-policy: Content is a JSON string; its nodes point at that string. */
Test(policy, corpus_describe_policy)
{
    rl_doc *doc = load_file(SCP_DIR "/aws-cli-examples/describe-policy.output1.json");
    rl_policy *p = corpus_policy(doc);
    cr_assert_eq(rl_policy_count(p), 1);
    const rl_statement *st = rl_policy_statement(p, 0);
    cr_expect(!st->deny);
    const rl_node *content = rl_node_path(rl_doc_root(doc), "Policy.Content");
    cr_expect_eq(st->node->span.start.line, content->span.start.line);
    cr_expect_eq(st->node->span.start.column, content->span.start.column);
    rl_request req = {"anything:AtAll", NULL, "us-west-2", NULL, NULL, NULL};
    cr_expect_eq(rl_statement_match(st, &req, NULL), RL_TRI_YES);
    rl_policy_free(p);
    rl_doc_free(doc);
}

/* Large policies stay linear: thousands of statements and values evaluate quickly. */
Test(policy, large_policy, .timeout = 10)
{
    size_t n = 20000;
    char *json = malloc(n * 120 + 64), *o = json;
    o += sprintf(o, "{\"Statement\":[");
    for (size_t i = 0; i < n; i++)
        o += sprintf(o,
                     "%s{\"Effect\":\"Deny\",\"Action\":\"svc%zu:*\",\"Resource\":\"*\","
                     "\"Condition\":{\"StringLike\":{\"aws:RequestedRegion\":\"x-*\"}}}",
                     i ? "," : "", i);
    sprintf(o, "]}");
    rl_doc *doc = parse(json);
    rl_policy *p = compile(doc);
    cr_assert_eq(rl_policy_count(p), n);
    rl_request req = {"svc19999:Do", NULL, "x-1", NULL, NULL, NULL};
    size_t yes = 0;
    for (size_t i = 0; i < n; i++)
        yes += rl_statement_match(rl_policy_statement(p, i), &req, NULL) == RL_TRI_YES;
    cr_expect_eq(yes, 1);
    /* a pathological wildcard stays fast */
    char pat[200], s[4000];
    memset(pat, 0, sizeof(pat));
    for (int i = 0; i < 60; i++)
        strcat(pat, "*a");
    memset(s, 'a', sizeof(s) - 2);
    s[sizeof(s) - 2] = 'b';
    s[sizeof(s) - 1] = '\0';
    cr_expect(!rl_wildcard_match(pat, s, false));
    rl_policy_free(p);
    rl_doc_free(doc);
    free(json);
}
