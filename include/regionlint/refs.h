/* References and values, answered once for the whole program: which resource a value names
 * (Ref, Fn::GetAtt, Fn::Sub, Fn::ImportValue, Terraform addresses, module outputs, plan
 * `configuration` references), and what a property of a resource is in its instance, as a
 * three-valued answer. A rule says "missing" only on RL_ABSENT; on RL_UNKNOWN it stays
 * silent or names what it could not resolve (see docs/architecture.md, "Unknown is never
 * absent").
 *
 * Scopes: a CloudFormation reference resolves inside its template instance; a Terraform
 * configuration's inside its module folder (every file, every provider); a plan's or
 * state's inside the file, relative to the referring resource's module. */
#ifndef REGIONLINT_REFS_H
#define REGIONLINT_REFS_H

#include "eval.h"

typedef enum rl_vstate {
    RL_ABSENT = 0, /* the files show the value is not there (missing, AWS::NoValue, null) */
    RL_KNOWN,      /* there, and known */
    RL_UNKNOWN     /* cannot be known from the files: `why` says what is missing */
} rl_vstate;

/* A value in one stack instance. */
typedef struct rl_val {
    rl_vstate state;
    const rl_node *node; /* RL_KNOWN: the value, with Fn::If decided and Ref of a parameter
                            followed; RL_UNKNOWN: the node that could not be decided */
    const char *why;     /* RL_UNKNOWN: "condition IsPrimary is unknown", "parameter P has no
                            value", "known after apply", ...; NULL otherwise */
    const rl_doc *doc;   /* the document holding `node` (a parameter file for a parameter's
                            value), for positions */
    const rl_node *after_unknown; /* plans: the matching part of after_unknown */
} rl_val;

/* The property at `path` of a resource in its instance: a dotted path below Properties
 * (CloudFormation) or the attributes (Terraform), "ReplicationConfiguration.Rules".
 * Terraform blocks written as one-item lists are stepped into. A plan attribute that is
 * missing from the planned values but marked in `after_unknown` is RL_UNKNOWN. */
rl_val rl_prop(const rl_resource *r, const char *path);
/* One step from a value: the member `key` of a mapping, or item i of a list. A KNOWN value
 * that is not a mapping (list) gives RL_ABSENT; an UNKNOWN one stays UNKNOWN. */
rl_val rl_val_get(const rl_stack *st, rl_val v, const char *key);
rl_val rl_val_at(const rl_stack *st, rl_val v, size_t i);
/* Items of a KNOWN list (a mapping or scalar counts as one item, as Terraform writes one
 * block); 0 otherwise. */
size_t rl_val_count(rl_val v);
/* A node decided in the instance: the value it stands for (rl_val of a node taken from
 * anywhere in the stack's template or configuration). */
rl_val rl_val_of(const rl_stack *st, const rl_node *n);

/* The value as one string, number or boolean: RL_KNOWN when every alternative the
 * evaluator gives (parameters with AllowedValues give several) is the same complete
 * value; RL_UNKNOWN (with *why) when the alternatives differ or a piece is unknown;
 * RL_ABSENT for an absent value. Strings are interned in the model. */
rl_vstate rl_val_string(const rl_stack *st, rl_val v, const char **out, const char **why);
rl_vstate rl_val_number(const rl_stack *st, rl_val v, double *out, const char **why);
rl_vstate rl_val_bool(const rl_stack *st, rl_val v, bool *out, const char **why);

/* ---- references -------------------------------------------------------------------- */

/* What a value refers to. */
typedef struct rl_ref {
    rl_vstate state;           /* KNOWN: `res` is the resource named; UNKNOWN: a reference
                                  that cannot be followed (`why`); ABSENT: names no resource */
    const rl_resource *res;    /* the resource (its region is res->region) */
    const char *attr;          /* attribute named: "Arn", "arn", "url"; NULL for Ref / a
                                  whole resource */
    const char *why;           /* RL_UNKNOWN: "remote state network", "export X of a
                                  snapshot", "module m (source not in the inputs)" */
    const rl_stack *via_stack; /* the stack in which the name was found (an import's
                                  exporting stack, a module's instance) */
    const char *key;           /* Terraform: the instance key as written (aws_subnet.x[0] -> "0",
                                  [count.index] -> "count.index"); NULL when none */
    bool splat;                /* Terraform: every instance (aws_subnet.x[*], aws_subnet.x.*) */
} rl_ref;

/* The resource a whole value names: Ref X, Fn::GetAtt [X, Y] / X.Y, "${X}" and "${X.Y}"
 * as the whole of an Fn::Sub, Fn::If decided in the instance, Fn::ImportValue of an
 * export whose Value names one, a Terraform "${type.name.attr}", "${module.m.out}",
 * "${data.type.name.attr}" or "${var.x}" that holds one, a plan attribute whose
 * configuration expression references one. `st` is the stack the value is evaluated in;
 * `from` (may be NULL) the resource that holds it (plans resolve relative to its
 * module). */
rl_ref rl_ref_of(const rl_stack *st, const rl_resource *from, const rl_node *value);
/* rl_ref_of() of a property of `r` (plans: the configuration expression of the property,
 * also when the planned value is unknown). */
rl_ref rl_ref_prop(const rl_resource *r, const char *path);

/* Calls fn for every reference to a resource inside a value, in order: each ${X} of an
 * Fn::Sub, the items of lists and Fn::Join, both branches of an undecided Fn::If (only
 * the decided one otherwise), Terraform ${...} expressions. Return non-zero to stop.
 * Returns fn's value or 0. */
typedef int (*rl_ref_fn)(void *ctx, const rl_ref *ref, const rl_node *at);
int rl_refs_each(const rl_stack *st, const rl_resource *from, const rl_node *value, rl_ref_fn fn,
                 void *ctx);

/* A resource by logical id or address ("Table", "aws_s3_bucket.b",
 * "module.m.aws_s3_bucket.b"; an attribute after it is ignored: "Table.Arn",
 * "aws_s3_bucket.b.arn") in the scope of `st`, or NULL. */
const rl_resource *rl_ref_lookup(const rl_stack *st, const char *id);
/* The scope ids and names of `st` resolve in, as an opaque key: the same for the stacks of
 * one template instance, one Terraform module instance, one plan. */
const void *rl_ref_scope(const rl_stack *st);

/* A resource of the scope of `st` by a physical identifier its files give it: the `id` or
 * `arn` of a plan or state resource, a literal DB cluster or instance identifier
 * (case-insensitive, as RDS compares them), or NULL. */
const rl_resource *rl_ref_named(const rl_stack *st, const char *name, size_t len);

/* The resource an unknown piece of an evaluated string stands for (rl_strpart.via). */
const rl_resource *rl_ref_via(const rl_stack *st, const char *via);
/* True when an unknown piece of an evaluated string comes from an input of the deployment
 * (a parameter or variable, the account id): the same in every region that gets the same
 * inputs, unlike a resource's generated physical id. */
bool rl_via_is_input(const rl_stack *st, const char *via);

/* ---- policy documents --------------------------------------------------------------- */

/* A policy document where it is deployed, compiled by the policy evaluator with every
 * value evaluated in its stack instance: an object, a JSON or URL-encoded string, an
 * Fn::Sub of a JSON string, a Fn::If decided in the instance, a Terraform
 * data "aws_iam_policy_document" (its statement blocks, evaluated in its own file), a
 * plan's rendered JSON. `st` NULL reads a literal document (an IAM export); `doc` is the
 * document holding `value` (embedded JSON is parsed into it). */
typedef struct rl_mpolicy rl_mpolicy;
int rl_mpolicy_new(rl_mpolicy **out, const rl_stack *st, rl_doc *doc, const rl_node *value);
void rl_mpolicy_free(rl_mpolicy *p);
/* The compiled policy, or NULL when the document cannot be read (rl_mpolicy_why()). */
const rl_policy *rl_mpolicy_policy(const rl_mpolicy *p);
const char *rl_mpolicy_why(const rl_mpolicy *p);
/* The instance its values are evaluated in (a data source's own), or NULL. */
const rl_stack *rl_mpolicy_stack(const rl_mpolicy *p);
/* The alternatives of one value of the document (a Resource item, a condition value) with
 * the provenance of their bytes, as rl_eval_strings() gives them. */
int rl_mpolicy_strings(const rl_mpolicy *p, const rl_node *n, rl_evstr_fn fn, void *ctx);
/* The document of (st, value) as the model compiled it while it built its analyses, or
 * NULL when it did not (a rule then compiles its own with rl_mpolicy_new()). */
const rl_mpolicy *rl_model_policy(const rl_model *m, const rl_stack *st, const rl_node *value);

#endif
