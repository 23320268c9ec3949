/* Scanners over resolved strings: ARNs with their region field, regional AWS hostnames,
 * bare region / availability-zone names and region-scoped identifiers. Pure functions, so
 * the dependency rules and their unit tests share them. */
#ifndef RL_SCAN_H
#define RL_SCAN_H

#include <stdbool.h>
#include <stddef.h>

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
