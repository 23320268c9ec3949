/* The deployment part of the model: how each pipeline, workflow, stack set and Terraform
 * root module orders its deploys to the regions of the pair (a graph of steps with the gates
 * between them), and what snapshots (describe-stacks, describe-stack-events, stack-set
 * operations) say about when each region's stacks changed. Built once with the model by
 * rl_model_build(); read by the deploy rules (src/rules/deploy.c), which decide. */
#ifndef RL_MODEL_DEPLOY_H
#define RL_MODEL_DEPLOY_H

#include <regionlint/model.h>

#include "../base/time.h"

/* A place in an input: file, span (start.line == 0 when unknown) and logical path. */
typedef struct rl_dloc {
    const char *file;
    rl_span span;
    const char *path;
} rl_dloc;

typedef enum rl_flow_kind {
    RL_FLOW_CODEPIPELINE = 0, /* AWS::CodePipeline::Pipeline in a template, or get-pipeline */
    RL_FLOW_GITHUB,           /* a GitHub Actions workflow */
    RL_FLOW_GITLAB,           /* .gitlab-ci.yml */
    RL_FLOW_STACKSET,         /* AWS::CloudFormation::StackSet, or a stack-set operation export */
    RL_FLOW_TERRAFORM         /* one Terraform root module: one apply */
} rl_flow_kind;

typedef enum rl_gate_kind {
    RL_GATE_NONE = 0,
    RL_GATE_APPROVAL, /* a person approves: as long as they need */
    RL_GATE_WAIT,     /* a timer of `seconds` (sleep, when: delayed, wait action) */
    RL_GATE_ALARM,    /* alarms watched for `seconds` (CodePipeline CloudWatchAlarm rule) */
    RL_GATE_UNKNOWN   /* a wait whose length the file does not show (a bake/wait action) */
} rl_gate_kind;

/* One step of a flow: a deploy to one region, a gate, an environment, or a barrier that
 * only orders others. Steps are stored in an order where every predecessor comes first. */
typedef struct rl_dnode {
    const char *name;   /* for messages: "action 'X' of stage 'Y'", "job 'deploy' [us-west-2]" */
    const char *label;  /* the name inside its construct ("DeployToUsWest2"), or NULL */
    const char *region; /* the region deployed (interned), or NULL for other steps */
    const char *region_via; /* how the region is known ("Region", "--region", "matrix.region") */
    const char *target;     /* what is deployed (stack name without region codes), or NULL */
    rl_gate_kind gate;
    long seconds;            /* gate length; -1 when not known */
    const char *gate_what;   /* "manual approval 'ProdApproval'", "sleep 3600" */
    const char *environment; /* GitHub/GitLab deployment environment entered here, or NULL */
    const char *mutex;       /* resource_group / concurrency group of the job, or NULL */
    rl_dloc loc;             /* where the step is written */
    size_t group;            /* index of its construct in the flow's groups */
    unsigned instance;       /* matrix instance inside the group (0 when none) */
    const size_t *preds;     /* steps that must finish before this one starts */
    size_t npreds;
} rl_dnode;

/* The construct that holds steps: a CodePipeline stage (one run order), a CI job, a stack
 * set, a Terraform root module. The locations are what RL401 points at. */
typedef struct rl_dgroup {
    const char *name;       /* stage, job, stack set or folder name */
    rl_dloc anchor;         /* the stage's Name, the job's key, RegionConcurrencyType, ... */
    rl_dloc matrix;         /* the matrix (its region list when there is one), or unknown */
    const char *matrix_key; /* the matrix variable that carries the region, or NULL */
    rl_dloc stage;          /* GitLab: the job's stage value */
    const char *stage_name;
    rl_dloc needs;  /* the job's needs:, or unknown */
    long run_order; /* CodePipeline: the run order of the group's actions */
    bool serial;    /* matrix instances run one at a time (max-parallel: 1) */
} rl_dgroup;

typedef struct rl_flow {
    rl_flow_kind kind;
    const rl_input *input;
    const char *name; /* pipeline, workflow, root module; for stack sets the whole description
                         ("stack set 'x'", "stack set operation <id>") */
    const char *home_region; /* pipeline home region, or NULL */
    rl_dnode *nodes;
    size_t nnodes;
    rl_dgroup *groups;
    size_t ngroups;
    bool order_unknown; /* sequential in an order the service picks (StackSets, no RegionOrder) */
    const char *concurrency; /* stack sets: "PARALLEL" or "SEQUENTIAL" (the default) */
} rl_flow;

/* A snapshot of one stack in one region: describe-stacks (one record per stack) or one
 * stack operation of describe-stack-events / a stack-set operation (start and end). */
typedef enum rl_snap_kind {
    RL_SNAP_STACK = 0,  /* describe-stacks: `time` is LastUpdatedTime, else CreationTime */
    RL_SNAP_EVENTS,     /* a stack operation from describe-stack-events: start..end */
    RL_SNAP_STACKSET_OP /* a stack-set operation covering `regions` */
} rl_snap_kind;

typedef struct rl_snap {
    rl_snap_kind kind;
    const rl_input *input;
    const char *region; /* stacks and events; NULL for stack-set operations */
    const char *name;   /* stack or stack-set name as written */
    const char *key;    /* the name with region codes and stack-set instance ids removed */
    const char *status; /* StackStatus / ResourceStatus of the last event / operation Status */
    bool in_progress;   /* caught mid-deploy (*_IN_PROGRESS, RUNNING) */
    bool has_time, has_end;
    rl_time time;           /* stacks: LastUpdatedTime ?? CreationTime; others: start */
    rl_time end;            /* events and operations: when it finished */
    const char *time_field; /* "LastUpdatedTime", "CreationTime", "Timestamp", ... */
    rl_dloc time_loc;       /* the timestamp value */
    rl_dloc status_loc;     /* the status value */
    const char *operation;  /* OperationId, or NULL */
    const char **regions;   /* stack-set operation: the regions it deployed */
    size_t nregions;
} rl_snap;

typedef struct rl_deploy {
    rl_flow *flows;
    size_t nflows;
    rl_snap *snaps;
    size_t nsnaps;
} rl_deploy;

/* Builds the deployment model of `m` (called by rl_model_build after the stacks exist).
 * Everything lives in the model's arena. Returns 0 or RL_ENOMEM. */
int rl_model_add_deploy(rl_model *m);
/* The deployment model; never NULL once the model is built. */
const rl_deploy *rl_model_deploy(const rl_model *m);

#endif
