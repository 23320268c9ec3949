/* Scanners of resolved strings: ARNs, regional hostnames, region and zone names, ids. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/aws.h"

typedef struct hits {
    rl_hit h[16];
    int n;
} hits;

static int collect(void *ctx, const rl_hit *hit)
{
    hits *c = ctx;
    if (c->n < 16)
        c->h[c->n++] = *hit;
    return 0;
}

static hits scan(const char *s)
{
    hits c;
    memset(&c, 0, sizeof(c));
    rl_scan(s, strlen(s), collect, &c);
    return c;
}

Test(scan, arn_with_region)
{
    hits c = scan("arn:aws:sqs:us-east-1:111122223333:orders");
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.h[0].kind, RL_HIT_ARN);
    cr_assert_str_eq(c.h[0].region, "us-east-1");
    cr_assert_str_eq(c.h[0].service, "sqs");
    cr_assert_eq(c.h[0].region_off, 12);
    cr_assert_eq(c.h[0].region_len, 9);
    cr_assert_eq(c.h[0].off, 0);
    cr_assert_eq(c.h[0].len, strlen("arn:aws:sqs:us-east-1:111122223333:orders"));
}

Test(scan, arns_without_region_are_skipped_whole)
{
    /* IAM and S3 ARNs have no region; their text must not be rescanned as tokens */
    hits c = scan("arn:aws:iam::111122223333:role/us-east-1-admin arn:aws:s3:::logs-us-east-1");
    cr_assert_eq(c.n, 0);
}

Test(scan, arn_inside_dynamic_reference_and_policy_json)
{
    hits c = scan(
        "{{resolve:secretsmanager:arn:aws:secretsmanager:us-west-2:1:secret:x:SecretString:p}}");
    cr_assert_eq(c.n, 1);
    cr_assert_str_eq(c.h[0].region, "us-west-2");
    c = scan("{\"Resource\": [\"arn:aws:dynamodb:eu-west-1:1:table/t\", \"arn:aws-cn:s3:::b\"]}");
    cr_assert_eq(c.n, 1);
    cr_assert_str_eq(c.h[0].service, "dynamodb");
}

Test(scan, regional_hostnames)
{
    static const struct {
        const char *s, *region;
    } cases[] = {
        {"https://sqs.us-east-1.amazonaws.com/1/q", "us-east-1"},
        {"abc.execute-api.eu-central-1.amazonaws.com", "eu-central-1"},
        {"db.cluster-x.us-west-2.rds.amazonaws.com:5432", "us-west-2"},
        {"internal-lb-1.us-east-2.elb.amazonaws.com", "us-east-2"},
        {"111122223333.dkr.ecr.ap-southeast-2.amazonaws.com/app:1", "ap-southeast-2"},
        {"https://s3-us-west-2.amazonaws.com/bucket/key", "us-west-2"},
        {"site.s3-website-us-east-1.amazonaws.com", "us-east-1"},
        {"abcd.lambda-url.us-east-1.on.aws", "us-east-1"},
        {"ec2.us-gov-west-1.api.aws", "us-gov-west-1"},
        {"sqs.cn-north-1.amazonaws.com.cn", "cn-north-1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        hits c = scan(cases[i].s);
        cr_assert_eq(c.n, 1, "%s: %d hits", cases[i].s, c.n);
        cr_assert_eq(c.h[0].kind, RL_HIT_HOST, "%s", cases[i].s);
        cr_assert_str_eq(c.h[0].region, cases[i].region);
        cr_assert_eq(
            strncmp(cases[i].s + c.h[0].region_off, cases[i].region, strlen(cases[i].region)), 0);
    }
}

Test(scan, global_hosts_are_not_regional)
{
    cr_assert_eq(scan("https://iam.amazonaws.com/").n, 0);
    cr_assert_eq(scan("d111111abcdef8.cloudfront.net").n, 0);
    cr_assert_eq(scan("sts.amazonaws.com").n, 0);
}

Test(scan, bare_regions_and_zones)
{
    hits c = scan("us-east-1");
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.h[0].kind, RL_HIT_REGION);
    c = scan("us-east-1a");
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.h[0].kind, RL_HIT_AZ);
    cr_assert_str_eq(c.h[0].region, "us-east-1");
    cr_assert_eq(c.h[0].len, 10);
    c = scan("logs-us-west-2-archive");
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.h[0].off, 5);
    cr_assert_eq(scan("us_east_1").n, 0);
    cr_assert_eq(scan("US-EAST-1").n, 0);
    cr_assert_eq(scan("us-east-12345").n, 0);
    cr_assert_eq(scan("virtus-east-1").n, 0);
}

Test(scan, scoped_ids)
{
    hits c = scan("ami-0123456789abcdef0 sg-0a1b2c3d subnet-12345678 vpc-0123456789abcdef0 "
                  "snap-0fedcba9876543210");
    cr_assert_eq(c.n, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(c.h[i].kind, RL_HIT_SCOPED_ID);
    cr_assert_eq(scan("ami-12345").n, 0);
    cr_assert_eq(scan("ami-0123456789abcdefg").n, 0);
}

/* Values without a '-' before a digit or an id prefix are skipped whole; the rest scan as
 * before (the prefilter only skips strings that cannot hit). */
Test(scan, prefilter_keeps_every_kind_of_hit)
{
    cr_assert_eq(scan("team-orders index.handler PAY_PER_REQUEST").n, 0);
    cr_assert_eq(scan("ami-0123456789abcdef0").n, 1);
    cr_assert_eq(scan("sg-01234567").n, 1);
    cr_assert_eq(scan("x subnet-01234567").n, 1);
    cr_assert_eq(scan("bucket-us-east-1").n, 1);
    cr_assert_eq(scan("us-east-1a").h[0].kind, RL_HIT_AZ);
    cr_assert_eq(scan("https://sqs.eu-west-3.amazonaws.com/1/q").n, 1);
}
