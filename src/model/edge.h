/* The application's edge, read from the model for the observability rules: the entry points
 * that take traffic from outside (APIs, load balancers, CloudFront, function URLs, ...), what
 * stands in front of each (a CloudFront distribution, a custom domain), the Route 53 records
 * that route to them, and how a value (a health check's target, a canary's URL, a record's
 * alias) resolves to entry points, a region or a host. Built on demand from a finished model;
 * the rules decide what is missing. */
#ifndef RL_MODEL_EDGE_H
#define RL_MODEL_EDGE_H

#include <regionlint/model.h>

typedef enum rl_ep_kind {
    RL_EP_REST_API = 0,  /* API Gateway REST API (explicit, SAM, or SAM's implicit one) */
    RL_EP_HTTP_API,      /* API Gateway HTTP or WebSocket API */
    RL_EP_DOMAIN,        /* API Gateway custom domain name */
    RL_EP_LOAD_BALANCER, /* internet-facing ALB, NLB or Classic Load Balancer */
    RL_EP_CLOUDFRONT,    /* CloudFront distribution whose origins are in one region */
    RL_EP_FUNCTION_URL,  /* Lambda function URL */
    RL_EP_APP_RUNNER,    /* public App Runner service */
    RL_EP_APPSYNC,       /* AppSync GraphQL API */
    RL_EP_BEANSTALK,     /* Elastic Beanstalk environment */
    RL_EP_KIND_COUNT
} rl_ep_kind;

/* A place in an input, for findings. */
typedef struct rl_eloc {
    const char *file;
    rl_span span;
    const char *path;
} rl_eloc;

typedef struct rl_ep rl_ep;

struct rl_ep {
    const rl_resource *res; /* for SAM's implicit API: the first function with such an event */
    const char *name;       /* for messages: the logical id or address, or ServerlessRestApi */
    rl_ep_kind kind;
    const char *what;     /* "REST API", "load balancer", ... for messages */
    const char *region;   /* where it fails: its stack's region, for CloudFront its origins' */
    rl_eloc at;           /* where findings point: the resource's Type (or the SAM event) */
    rl_ep *front;         /* the entry point in front of it, or NULL */
    bool origin_failover; /* CloudFront: an origin group of two or more origins */
    size_t index;         /* position in the edge */
};

/* Where a value leads. */
typedef struct rl_target {
    rl_ep **eps; /* entry points it names (by reference, custom name, or service host) */
    size_t neps;
    const char *region; /* the region it leads to, or NULL when unknown */
    const char *host;   /* the first host it names, or NULL */
    bool known;         /* something concrete: an entry point, a region or a host */
    bool by_kind;       /* eps were matched by service and region only (x.execute-api.R...) */
} rl_target;

typedef enum rl_route_policy {
    RL_ROUTE_SIMPLE = 0,
    RL_ROUTE_FAILOVER,
    RL_ROUTE_LATENCY,
    RL_ROUTE_WEIGHTED,
    RL_ROUTE_OTHER /* multivalue, geolocation, geoproximity, CIDR */
} rl_route_policy;

/* One Route 53 record (a RecordSet, an item of a RecordSetGroup, an aws_route53_record), in
 * one stack instance. */
typedef struct rl_record {
    const rl_resource *res;
    const char *name; /* normalised: lower case, no trailing dot */
    rl_route_policy policy;
    bool secondary;            /* Failover: SECONDARY (else PRIMARY) */
    bool health_check;         /* HealthCheckId set */
    bool evaluate_health;      /* an alias with EvaluateTargetHealth */
    rl_target target;          /* the alias target or the values */
    const char *region;        /* where it sends traffic: Region (latency), else the target's */
    rl_eloc at;                /* the alias target or first value */
    rl_eloc policy_at;         /* the Failover/Region/Weight value, else `at` */
    const rl_ep *const *reach; /* entry points reached, following record-to-record names */
    size_t nreach;
} rl_record;

typedef struct rl_edge rl_edge;

/* Builds the edge of the stacks of the pair (the model build does, for RL_ANALYSIS_EDGE).
 * Returns 0 or RL_ENOMEM. */
int rl_edge_build(rl_edge **out, const rl_model *m);
void rl_edge_free(rl_edge *e);
/* The edge the model built, or NULL when no enabled rule needed it. Resolving values
 * against it (rl_edge_resolve) keeps the answers in its memory. */
rl_edge *rl_model_edge(const rl_model *m);

size_t rl_edge_count(const rl_edge *e);
rl_ep *rl_edge_at(const rl_edge *e, size_t i);
size_t rl_edge_record_count(const rl_edge *e);
const rl_record *rl_edge_record(const rl_edge *e, size_t i);
/* True when the inputs hold part of the edge layer: Route 53, CloudFront, Global
 * Accelerator, ARC, Synthetics canaries. */
bool rl_edge_layer_present(const rl_edge *e);
/* The outermost entry point in front of `ep` (ep itself when nothing fronts it). */
rl_ep *rl_edge_root(rl_ep *ep);

/* Resolves what `value` of a resource in `st` leads to: references (Ref, GetAtt, Sub,
 * ImportValue, Terraform addresses), then the resolved strings (custom names of entry
 * points, service hosts such as x.execute-api.us-east-1.amazonaws.com, a region code in a
 * host). Free text (a canary's script) is searched for URLs. Entry points are kept in the
 * edge's memory. Returns 0 or RL_ENOMEM. */
int rl_edge_resolve(rl_edge *e, const rl_stack *st, const rl_node *value, bool text,
                    rl_target *out);
/* Adds what `value` leads to into an existing target (union). */
int rl_edge_resolve_more(rl_edge *e, const rl_stack *st, const rl_node *value, bool text,
                         rl_target *t);

/* A node's value in this instance (rl_val_of()): Fn::If followed by its condition, an
 * undecided one read as the branch that is not AWS::NoValue (what can be there); Terraform
 * blocks written as one-item lists are unwrapped. */
const rl_node *rl_edge_pick(const rl_stack *st, const rl_node *n);
/* rl_edge_pick(rl_node_get(map, key)). */
const rl_node *rl_edge_get(const rl_stack *st, const rl_node *map, const char *key);

#endif
