/* Internals shared by the model builders and the evaluator. */
#ifndef RL_MODEL_PRIVATE_H
#define RL_MODEL_PRIVATE_H

#include <regionlint/eval.h>
#include <regionlint/model.h>
#include <regionlint/refs.h>

#include "../base/arena.h"
#include "../base/hmap.h"

/* A bound parameter value: from a parameter file, else the template's Default. */
typedef struct rl_param {
    const char *name;
    const rl_node *decl;  /* the Parameters.<name> mapping */
    const rl_node *value; /* the value node, or NULL when unset */
    const rl_doc *doc;    /* document that holds value */
    bool is_list;         /* CommaDelimitedList or List<...> */
    const char *via;      /* "parameter NAME", for the provenance of resolved bytes */
} rl_param;

/* A Terraform variable default or local value, and the file it is written in. */
typedef struct rl_tfvalue {
    const rl_node *node;
    const rl_doc *doc;
    const struct rl_eval_env *env; /* where it is evaluated (a module call's argument: the
                                      caller); NULL = the environment that asks */
} rl_tfvalue;

struct rl_eval_env {
    const rl_model *model;
    const rl_doc *doc; /* the template / configuration */
    const rl_node *root;
    const char *region; /* may be NULL (unknown) */
    const char *partition;
    const char *account_id;  /* may be NULL */
    const char *stack_name;  /* may be NULL */
    rl_hmap params;          /* name -> rl_param* */
    rl_hmap resources;       /* logical id -> its index in the stack's resources + 1 */
    const rl_node *mappings; /* Mappings (CloudFormation) */
    const rl_node *conditions;
    rl_hmap cond_cache; /* name -> (void*)(intptr_t)(value + 2); 1 = in progress */
    /* Terraform */
    bool terraform;             /* no CloudFormation intrinsics */
    bool tf_interpolate;        /* configuration strings are templates (${var.x}) */
    rl_hmap tf_vars;            /* variable name -> rl_tfvalue* (its default) */
    rl_hmap tf_locals;          /* local name -> rl_tfvalue* */
    struct rl_tf_module *tfmod; /* configuration: the module instance (scope of addresses) */
    struct rl_tf_plan *plan;    /* plan or state: its addresses, configuration, unknowns */
    bool borrowed;              /* tf_vars/tf_locals belong to another environment */
    bool res_borrowed;          /* resources belongs to the template's first instance */
};

struct rl_model_priv {
    rl_arena *arena;        /* stacks, resources, envs, interned strings */
    rl_arena *scratch;      /* evaluation scratch, reset per call */
    rl_hmap exports;        /* "region\nname" -> rl_export list */
    rl_hmap export_names;   /* name -> (void*)1 */
    rl_hmap interned;       /* string -> the same string in arena */
    int eval_depth;         /* nesting of rl_eval_strings calls (scratch reuse guard) */
    struct rl_tf_state *tf; /* Terraform folders, module instances, plans (model_tf.c) */
    rl_hmap named;          /* scope + "\x1f" + physical identifier -> resource (refs.c) */
    rl_hmap policies;       /* (stack, node) -> compiled policy document (policies.c) */
    rl_hmap dirs;           /* folder -> its templates and the parameter files it serves */
    rl_eval_env **envs;     /* every environment, for freeing */
    size_t nenvs;
    struct rl_quota_db *quotas;   /* service quotas, usage, Trusted Advisor (quotas.c) */
    struct rl_iam_db *iam;        /* IAM exports and role uses (iam.c) */
    struct rl_deploy *deploy;     /* pipelines, workflows, stack sets, snapshots (deploy.c) */
    struct rl_offering *offering; /* service map and region offering (offering.c) */
    struct rl_org *org;           /* SCPs and the organization (org.c) */
    struct rl_ds_db *data;        /* data stores, their copies and writers (datastores.c) */
    struct rl_edge *edge;         /* the application's edge (edge.c) */
};

/* Builders for each input family (model.c, model_tf.c). */
int rl_model_add_cfn(rl_model *m, const rl_input *in);
/* Terraform configurations: the *.tf.json files of one folder are one module; folders no
 * other folder calls are root modules, and their `module` calls instantiate the called
 * folders (with the providers and arguments passed). */
int rl_model_tf_configs(rl_model *m);
/* Instantiates the root module of the input's folder, when it is its first file. */
int rl_model_add_tf_config(rl_model *m, const rl_input *in);
/* A plan, state or raw .tfstate. */
int rl_model_add_terraform(rl_model *m, const rl_input *in);
/* Compiles the policy document `value` of `st` once and keeps it (while the model is
 * built); rl_model_policy() finds it afterwards. */
int rl_model_policy_compile(rl_model *m, const rl_stack *st, rl_doc *doc, const rl_node *value,
                            const rl_mpolicy **out);
void rl_model_policies_free(rl_model *m);

/* Indexes the physical identifiers the files give resources (refs.c). */
int rl_refs_index(rl_model *m);
/* Indexes the addresses of every Terraform scope, once all stacks are built. */
int rl_model_tf_finish(rl_model *m);
void rl_model_tf_free(rl_model *m);

/* Terraform lookups of the reference layer: a resource by address in the scope of `env`
 * (a plan's relative to the module of `from`); the value of a module call's output (NULL
 * and *why when the call made no instance); a plan resource's configuration expressions
 * and after_unknown. */
const rl_resource *rl_tf_lookup(const rl_eval_env *env, const rl_resource *from, const char *addr,
                                size_t len);
const rl_tfvalue *rl_tf_module_output(const rl_eval_env *env, const char *call, size_t cl,
                                      const char *out, size_t ol, const char **why);
const rl_node *rl_tf_plan_expressions(const rl_resource *r);
const rl_node *rl_tf_plan_unknown(const rl_resource *r);
int rl_model_add_stack(rl_model *m, rl_stack *st);
rl_stack *rl_model_new_stack(rl_model *m, const rl_input *in, rl_stack_source src,
                             const char *region, bool shared);
int rl_model_add_resource(rl_model *m, rl_stack *st, const rl_resource *res);
/* Room for n more resources, so a builder that knows its count allocates it once. */
int rl_model_reserve_resources(rl_model *m, rl_stack *st, size_t n);
const char *rl_model_intern(rl_model *m, const char *s);
/* The account id the config's `account:` names for a region (AWS::AccountId), or NULL. */
const char *rl_model_account_for(const rl_model *m, const char *region);
/* A zeroed environment owned by the model. */
rl_eval_env *rl_model_new_env(rl_model *m);

/* The service map and region offering tables, and the SSM offering exports (offering.c). */
int rl_offering_build(rl_model *m);
void rl_offering_free(struct rl_offering *o);
/* The SCPs, the organization tree and the SCP path of each region's account (org.c). */
int rl_org_build(rl_model *m);
void rl_org_free(struct rl_org *org);

/* The form of an attribute AWS makes from a resource's region, account and name
 * ("https://sqs.{region}.{urlsuffix}/{account}/{name}"), and the property holding the
 * name; NULL when the attribute is not one (attributes.c). `attr` NULL: the Ref value. */
const char *rl_attr_form(const char *type, const char *attr, const char **name_prop);

/* rl_eval_string() and rl_eval_condition() in an environment (a Terraform module call's
 * arguments are evaluated in the caller's). */
const char *rl_env_string(const rl_eval_env *env, const rl_node *node);
int rl_env_condition(const rl_eval_env *env, const char *name);

/* Evaluation environment for a CloudFormation template instance. */
int rl_env_init_cfn(rl_model *m, rl_stack *st, const rl_input *params);

#endif
