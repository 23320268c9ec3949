/* IAM in the model: the roles and managed policies of IAM exports (authorization details,
 * list-roles, get-role), indexed by name and ARN, and the IAM roles each stack instance
 * uses, resolved per region (literal ARNs and names, Ref/GetAtt of roles and instance
 * profiles the stack creates, Fn::Sub with AWS::Region, parameters, imports, Terraform
 * references). Private to the model and the IAM rules. */
#ifndef RL_MODEL_IAM_H
#define RL_MODEL_IAM_H

#include <regionlint/eval.h>
#include <regionlint/model.h>

/* A role of an IAM export; several exports of one role (list-roles, get-role, authorization
 * details) merge into one. */
typedef struct rl_iam_role {
    const char *name;
    const char *arn;     /* or NULL */
    const char *account; /* from the ARN, or NULL */
    const rl_input *input;
    const rl_node *node;            /* the role object of the first export that has it */
    const char *path;               /* its logical path, e.g. RoleDetailList[?RoleName=='x'] */
    const char *last_used_region;   /* RoleLastUsed.Region, or NULL */
    const char *last_used_date;     /* RoleLastUsed.LastUsedDate as written, or NULL */
    const rl_input *inline_in;      /* export holding RolePolicyList */
    const rl_node *inline_policies; /* RolePolicyList, or NULL */
    const rl_input *attached_in;    /* export holding AttachedManagedPolicies */
    const rl_node *attached;        /* AttachedManagedPolicies, or NULL */
    bool service_linked;            /* path /aws-service-role/: one per account by design */
} rl_iam_role;

/* A managed policy of an authorization-details export. */
typedef struct rl_iam_policy {
    const char *arn, *name;
    const rl_input *input;
    const char *path;   /* logical path of `doc` */
    const rl_node *doc; /* Document of the default version (object, JSON or URL-encoded) */
} rl_iam_policy;

/* One place where a stack instance uses a role: a property that names it, or the
 * definition of a role the stack creates under a fixed name. */
typedef struct rl_role_use {
    const char *key;     /* lower-case role name; "instance-profile/<name>" for a profile whose
                            role is unknown; a role created without a name gets a key no other
                            use shares */
    const char *name;    /* as resolved (role or instance-profile name) */
    const char *arn;     /* the ARN as resolved, or NULL */
    const char *account; /* literal account of the ARN, or NULL */
    bool profile;        /* key names an instance profile */
    bool creation;       /* the role's definition (RoleName) rather than a use of it */
    bool attach;         /* a policy or instance profile attached to the role: IAM-only
                            bookkeeping, not a use of the role in a region */
    bool maybe;          /* under a condition its region cannot decide: it may not exist */
    const char *region;  /* the region the use deploys to (a pipeline action's Region) */
    const rl_stack *stack;
    const rl_resource *res;
    const char *path; /* logical path of the property */
    const char *file;
    rl_span span;                 /* the literal that names the role, else the property value */
    const rl_resource *creator;   /* the role resource when this stack creates it, or NULL */
    struct rl_role_use *next_key; /* the next use with the same key (insertion order) */
} rl_role_use;

/* A role a value resolves to (see rl_iam_resolve). */
typedef struct rl_role_ref {
    const char *key, *name, *arn, *account; /* arn: unknown pieces shown as ${name} */
    bool profile;
    const rl_resource *creator;
    const char *file;
    rl_span span;
} rl_role_ref;

typedef struct rl_iam_db rl_iam_db;

/* Reads one IAM export into the model. Returns 0 or RL_ENOMEM. */
int rl_model_add_iam(rl_model *m, const rl_input *in);
void rl_iam_db_free(rl_iam_db *db);

/* Roles of the exports in input order; lookups by name (case-insensitive, as IAM compares
 * role names), instance-profile name, managed-policy ARN. */
const rl_iam_role *const *rl_iam_roles(const rl_model *m, size_t *n);
const rl_iam_role *rl_iam_role_find(const rl_model *m, const char *name);
const rl_iam_role *rl_iam_profile_role(const rl_model *m, const char *profile);
const rl_iam_policy *rl_iam_policy_find(const rl_model *m, const char *arn);

/* Computes the role uses of every stack instance in the regions of the pair (the model
 * build calls it when an enabled rule needs them: RL_ANALYSIS_IAM_USES). */
int rl_iam_uses_build(rl_model *m);
/* The role uses rl_iam_uses_build() computed (none when it was not asked for). Each key's
 * uses are linked by next_key, starting with the first element of the array that has the
 * key. Returns 0, or the build's RL_ENOMEM. */
int rl_iam_uses(const rl_model *m, rl_role_use *const **out, size_t *n);
/* The first use of `key`, or NULL. rl_iam_uses() must have been called. */
const rl_role_use *rl_iam_uses_of(const rl_model *m, const char *key);

/* Resolves a value that names a role in one stack instance (`names`: a bare name counts, as
 * for properties that take a name or an ARN). Calls fn for each role it can be. Returns
 * fn's non-zero value, 0, or RL_ENOMEM. */
typedef int (*rl_role_ref_fn)(void *ctx, const rl_role_ref *ref);
int rl_iam_resolve(const rl_model *m, const rl_stack *st, const rl_node *value, bool names,
                   rl_role_ref_fn fn, void *ctx);

/* The role a role resource (AWS::IAM::Role, aws_iam_role) creates: its key and name, and
 * the position of its name. NULL when out of memory. */
const rl_role_ref *rl_iam_created_role(const rl_model *m, const rl_resource *res);

#endif
