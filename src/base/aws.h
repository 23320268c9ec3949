/* AWS identifiers in text: ARNs (every partition), regional endpoint hostnames, region and
 * availability-zone tokens and region-scoped ids. The one parser of each for the whole
 * program: the model, the policy evaluator and the rules all ask here. Pure functions. */
#ifndef RL_BASE_AWS_H
#define RL_BASE_AWS_H

#include <stdbool.h>
#include <stddef.h>

/* ---- ARNs -------------------------------------------------------------------------- */

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, each field a slice of the parsed text
 * (not NUL-terminated); the resource may hold colons and slashes. */
typedef struct rl_arn {
    const char *partition, *service, *region, *account, *resource;
    size_t partition_len, service_len, region_len, account_len, resource_len;
} rl_arn;

/* Splits an ARN. Any partition text is accepted (policies write `arn:*:` and templates
 * `arn:${AWS::Partition}:`); rl_arn_partition_known() tells the real ones. False when `s`
 * does not start with "arn:" or has fewer than five colons. */
bool rl_arn_parse(const char *s, size_t len, rl_arn *out);
/* aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f. */
bool rl_arn_partition_known(const char *p, size_t len);
/* True when the ARN's service field is `service` (exactly, case-sensitive as IAM). */
bool rl_arn_is(const rl_arn *a, const char *service);
/* The name in the resource field after `prefix` ("table/", "function:", "db:", "" for an
 * S3 bucket), up to the next '/' or ':' (table/NAME/stream/..., function:NAME:alias,
 * BUCKET/key). False when the resource does not start with the prefix or the name is
 * empty. */
bool rl_arn_name(const rl_arn *a, const char *prefix, const char **name, size_t *len);
/* The region field copied into `out` when it is a region code. */
bool rl_arn_region_of(const rl_arn *a, char *out, size_t outsz);

/* ---- hostnames --------------------------------------------------------------------- */

/* The AWS service a hostname belongs to, for what fronts an application: "cloudfront",
 * "elb", "execute-api", "appsync-api", "s3", "lambda-url", "elasticbeanstalk",
 * "awsapprunner", or NULL. `region` receives the region the hostname names (empty when
 * none). `host` is lower case without scheme, port or path. */
const char *rl_host_service(const char *host, char *region, size_t regionsz);
/* A region code that is a label of a hostname, or follows a '-' inside one
 * (api.us-east-1.example.com, api-us-east-1.example.com). */
bool rl_host_region(const char *host, char *out, size_t outsz);

/* ---- scanning resolved strings ----------------------------------------------------- */

typedef enum rl_hit_kind {
    RL_HIT_ARN = 1,  /* arn:partition:service:REGION:account:resource */
    RL_HIT_HOST,     /* sqs.REGION.amazonaws.com, x.execute-api.REGION..., ECR, ELB, ... */
    RL_HIT_REGION,   /* a bare region code */
    RL_HIT_AZ,       /* an availability-zone name (region + letter) */
    RL_HIT_SCOPED_ID /* ami-..., snap-..., vpc-..., subnet-..., sg-... */
} rl_hit_kind;

typedef struct rl_hit {
    rl_hit_kind kind;
    size_t off, len;               /* the whole match (ARN, hostname, id, region name) */
    size_t region_off, region_len; /* the region inside it (0 length for ids) */
    char region[32];               /* the region named (for an AZ: its region) */
    char service[64];              /* ARN service or the host's first label */
    size_t res_off, res_len;       /* ARN resource part */
} rl_hit;

/* Calls fn for every hit in s (left to right). Returns fn's non-zero value or 0. */
typedef int (*rl_hit_fn)(void *ctx, const rl_hit *hit);
int rl_scan(const char *s, size_t len, rl_hit_fn fn, void *ctx);

#endif
