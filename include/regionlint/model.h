/* The region-pair model: the primary and standby regions, and every deployable stack
 * (a CloudFormation template instance or the Terraform resources of one region) with its
 * resources, evaluated per region. Rules read this model; it never reads findings. */
#ifndef REGIONLINT_MODEL_H
#define REGIONLINT_MODEL_H

#include "config.h"
#include "input.h"
#include "policy.h"

typedef enum rl_stack_source {
    RL_STACK_CFN = 0,   /* CloudFormation template instance */
    RL_STACK_TF_CONFIG, /* resources of a *.tf.json configuration */
    RL_STACK_TF_PLAN    /* resources of a plan / state (concrete values) */
} rl_stack_source;

typedef struct rl_stack rl_stack;

typedef struct rl_resource {
    const char *id;        /* logical id (CloudFormation) or address (Terraform) */
    const char *type;      /* AWS::SQS::Queue, aws_sqs_queue */
    const rl_node *node;   /* the resource's mapping */
    const rl_node *props;  /* Properties (CloudFormation) or the attributes (Terraform) */
    const char *path;      /* logical path of `node`, e.g. "Resources.Queue" */
    const char *region;    /* region it deploys to; NULL when unknown */
    const char *condition; /* CloudFormation Condition name, or NULL */
    int deployed;          /* 1 yes, 0 no (condition false in this region), -1 unknown */
    rl_stack *stack;
} rl_resource;

typedef struct rl_eval_env rl_eval_env;

struct rl_stack {
    const rl_input *input;
    rl_stack_source source;
    const char *region; /* the region this instance deploys to; NULL when unknown */
    bool shared;        /* the same template is evaluated for every region of the pair */
    const char *name;   /* stack name when known (describe-stacks, pipeline, file name) */
    rl_resource *resources;
    size_t nresources;
    const rl_input *params; /* parameter file bound to this instance, or NULL */
    rl_eval_env *env;       /* bindings for evaluation (see eval.h) */
};

typedef struct rl_model {
    const rl_config *cfg;
    const rl_inputs *inputs;
    const char *primary;
    const char **standby;
    size_t nstandby;
    const char **regions; /* primary first, then the standbys */
    size_t nregions;
    rl_strategy strategy;
    long bake_time;         /* seconds */
    const char *account_id; /* when known (config or exports), else NULL */
    rl_stack **stacks;
    size_t nstacks;
    struct rl_model_priv *priv;
} rl_model;

/* Analyses the model builds once, before the rules run, when an enabled rule needs them
 * (rl_ruleset_analyses()); the rules only read them. */
enum {
    RL_ANALYSIS_IAM_USES = 1 << 0, /* the IAM roles each stack instance uses (RL20x) */
    RL_ANALYSIS_DATA = 1 << 1,     /* data stores and what copies them (RL60x) */
    RL_ANALYSIS_WRITERS = 1 << 2,  /* who writes each store (RL602; implies the two above) */
    RL_ANALYSIS_EDGE = 1 << 3      /* entry points, fronts, records (RL70x, RL901) */
};

typedef struct rl_model_opts {
    const char *primary;
    const char **standby;
    size_t nstandby;
    rl_strategy strategy;
    long bake_time;
    unsigned analyses; /* RL_ANALYSIS_* */
} rl_model_opts;

/* Builds the model from classified, attributed inputs. Returns 0 or RL_ENOMEM. */
int rl_model_build(rl_model **out, const rl_inputs *in, const rl_config *cfg,
                   const rl_model_opts *opts, rl_error *err);
void rl_model_free(rl_model *m);

/* True for a resource type that lives in no region of its own: IAM, CloudFront, Route 53
 * (not Resolver), Global Accelerator, Route 53 ARC, Organizations (CloudFormation and
 * Terraform types). */
bool rl_type_global(const char *type);

/* True when `region` is the primary or one of the standbys. */
bool rl_model_in_pair(const rl_model *m, const char *region);
bool rl_model_is_primary(const rl_model *m, const char *region);
/* The partition of a region: "aws", "aws-cn", "aws-us-gov", "aws-eusc", "aws-iso*". */
const char *rl_region_partition(const char *region);

/* A CloudFormation export: from a template's Outputs (stack set) or from a describe-stacks
 * snapshot (stack NULL). */
typedef struct rl_export {
    const char *region;
    const char *name;
    const rl_input *input;
    const rl_stack *stack;
    const rl_node *node;  /* the Export.Name / ExportName value */
    const rl_node *value; /* the Output's Value (template exports), or NULL */
    struct rl_export *next;
} rl_export;

/* The exports of `name` in `region` (a list linked by `next`), or NULL. */
const rl_export *rl_model_exports(const rl_model *m, const char *region, const char *name);
/* True when some region of the pair exports `name`. */
bool rl_model_exported_anywhere(const rl_model *m, const char *name);

/* ---- services, their offering per region, and SCPs (offering.c, org.c) ----------- */

/* What a resource type uses: the IAM service prefix, the service's name in the region
 * offering tables, and the IAM actions deploying and running it needs (rules/data/
 * service-map.yaml). */
typedef struct rl_service_use {
    const char *prefix;         /* IAM prefix ("lambda"), or NULL: no service of its own */
    const char *service;        /* SSM service name ("stepfunctions"), or NULL when unknown */
    const char *const *actions; /* "lambda:CreateFunction", ... */
    size_t nactions;
    bool derived; /* the action is <prefix>:Create<Resource>: the type is not in the table */
    const char *cfn_type; /* the CloudFormation type it is (a Terraform type's), or NULL */
} rl_service_use;

/* The use of a CloudFormation or Terraform resource type, or NULL when the tables cannot
 * know it (Custom::*, private and third-party types, unmapped Terraform types). Valid as
 * long as the model. */
const rl_service_use *rl_model_service_use(const rl_model *m, const char *type);
/* True when the prefix is a global service (IAM, CloudFront, Route 53, ...). */
bool rl_model_service_global(const rl_model *m, const char *prefix);
/* The region an action's request names (aws:RequestedRegion) when a stack in `region`
 * makes it: the region itself, or a global service's home region (us-east-1 for IAM). */
const char *rl_model_request_region(const rl_model *m, const char *action, const char *region);

typedef enum rl_offered {
    RL_OFFERED_UNKNOWN = -1, /* the tables cannot tell */
    RL_OFFERED_NO = 0,
    RL_OFFERED_YES = 1,
    RL_OFFERED_GLOBAL = 2 /* a global service: not offered per region, never missing */
} rl_offered;

/* Whether a region offers a CloudFormation resource type / a service (SSM name). `source`
 * (may be NULL) receives where the answer came from, for messages. An SSM
 * get-parameters-by-path export that covers the region replaces the built-in tables. */
rl_offered rl_model_type_offered(const rl_model *m, const char *region, const char *cfn_type,
                                 const char **source);
rl_offered rl_model_service_offered(const rl_model *m, const char *region, const char *service,
                                    const char **source);

/* The SCPs that apply to the account the stacks of `region` deploy into, as a path
 * root -> OU -> account; NULL when no SCP was given. See docs/rules/RL301.md. */
const rl_scp_path *rl_model_scp_path(const rl_model *m, const char *region);

#endif
