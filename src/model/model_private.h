/* Internals shared by the model builders and the evaluator. */
#ifndef RL_MODEL_PRIVATE_H
#define RL_MODEL_PRIVATE_H

#include <regionlint/eval.h>
#include <regionlint/model.h>

#include "../base/arena.h"
#include "../base/hmap.h"

/* A bound parameter value: from a parameter file, else the template's Default. */
typedef struct rl_param {
    const char *name;
    const rl_node *decl;  /* the Parameters.<name> mapping */
    const rl_node *value; /* the value node, or NULL when unset */
    const rl_doc *doc;    /* document that holds value */
    bool is_list;         /* CommaDelimitedList or List<...> */
} rl_param;

struct rl_eval_env {
    const rl_model *model;
    const rl_doc *doc; /* the template / configuration */
    const rl_node *root;
    const char *region; /* may be NULL (unknown) */
    const char *partition;
    const char *account_id;  /* may be NULL */
    const char *stack_name;  /* may be NULL */
    rl_hmap params;          /* name -> rl_param* */
    rl_hmap resources;       /* logical id -> rl_node* (Resources.X) */
    const rl_node *mappings; /* Mappings (CloudFormation) */
    const rl_node *conditions;
    rl_hmap cond_cache; /* name -> (void*)(intptr_t)(value + 2); 1 = in progress */
    /* Terraform */
    bool terraform;      /* no CloudFormation intrinsics */
    bool tf_interpolate; /* configuration strings are templates (${var.x}) */
    rl_hmap tf_vars;     /* variable name -> default node */
    rl_hmap tf_locals;   /* local name -> node */
    bool borrowed;       /* tf_vars/tf_locals belong to another environment */
};

struct rl_model_priv {
    rl_arena *arena;      /* stacks, resources, envs, interned strings */
    rl_arena *scratch;    /* evaluation scratch, reset per call */
    rl_hmap exports;      /* "region\nname" -> rl_export list */
    rl_hmap export_names; /* name -> (void*)1 */
    rl_hmap interned;     /* string -> the same string in arena */
    int eval_depth;       /* nesting of rl_eval_strings calls (scratch reuse guard) */
    rl_eval_env **envs;   /* every environment, for freeing */
    size_t nenvs;
    struct rl_quota_db *quotas; /* service quotas, usage, Trusted Advisor (quotas.c) */
    struct rl_iam_db *iam;      /* IAM exports and role uses (iam.c) */
};

/* Builders for each input family (model_cfn.c, model_tf.c). */
int rl_model_add_cfn(rl_model *m, const rl_input *in);
int rl_model_add_terraform(rl_model *m, const rl_input *in);
int rl_model_add_stack(rl_model *m, rl_stack *st);
rl_stack *rl_model_new_stack(rl_model *m, const rl_input *in, rl_stack_source src,
                             const char *region, bool shared);
int rl_model_add_resource(rl_model *m, rl_stack *st, const rl_resource *res);
const char *rl_model_intern(rl_model *m, const char *s);
/* A zeroed environment owned by the model. */
rl_eval_env *rl_model_new_env(rl_model *m);

/* Evaluation environment for a CloudFormation template instance. */
int rl_env_init_cfn(rl_model *m, rl_stack *st, const rl_input *params);

#endif
