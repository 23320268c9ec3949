/* Evaluation of template values for one stack instance: CloudFormation intrinsics (Ref,
 * Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::Base64) with
 * AWS::Region, AWS::Partition, AWS::AccountId, parameter defaults and parameter files bound,
 * and Terraform ${var.x} interpolations of literals. Every byte of a resolved string
 * remembers the literal it came from, so a finding points at the literal that carries the
 * problem. Conditions are three-valued: both branches of an unknown Fn::If are produced. */
#ifndef REGIONLINT_EVAL_H
#define REGIONLINT_EVAL_H

#include "model.h"

/* Where bytes [off, off+len) of a resolved string came from. */
typedef struct rl_strpart {
    size_t off, len;
    const rl_doc *doc;     /* document of the origin node; NULL for pseudo parameters */
    const rl_node *origin; /* the literal scalar, or NULL */
    size_t origin_off;     /* byte offset inside origin's value */
    const char *via;       /* how it got there: NULL (literal), "AWS::Region", "parameter X" */
    const struct rl_resource *res; /* an attribute of this resource (derived from its region,
                                      account and name, or unknown), reached by a reference;
                                      origin is then the reference */
} rl_strpart;

typedef struct rl_evstr {
    const char *str; /* NUL-terminated */
    size_t len;
    const rl_strpart *parts;
    size_t nparts;
    bool complete; /* false when some piece was unknown (its bytes are replaced by U+FFFD) */
} rl_evstr;

/* Called for every concrete alternative; return non-zero to stop. */
typedef int (*rl_evstr_fn)(void *ctx, const rl_evstr *s);

#define RL_EVAL_MAX_ALTERNATIVES 16

/* Resolves `node` (a scalar or an intrinsic function call) for `stack`; calls fn for each
 * alternative string (at most RL_EVAL_MAX_ALTERNATIVES). Values that cannot be known
 * (GetAtt, imports, unset parameters) appear as U+FFFD in an incomplete string.
 * Returns fn's non-zero value, 0, or RL_ENOMEM. */
int rl_eval_strings(const rl_stack *stack, const rl_node *node, rl_evstr_fn fn, void *ctx);

/* Resolves to one string when there is exactly one complete alternative. The result is
 * allocated in the model's arena. Returns NULL otherwise. */
const char *rl_eval_string(const rl_stack *stack, const rl_node *node);

/* Value of a CloudFormation condition in this instance: 1, 0, or -1 when unknown. */
int rl_eval_condition(const rl_stack *stack, const char *name);

/* The source location of bytes [off, off+len) of `s`: the exact span inside the literal
 * when it can be mapped, else the literal's span. Returns false when the bytes came from
 * no literal (a pseudo parameter). */
bool rl_evstr_locate(const rl_evstr *s, size_t off, size_t len, const char **file, rl_span *span,
                     const char **via);

/* Walks the values of a resource's properties (following Fn::If by condition) and calls
 * fn for every leaf: a scalar or an intrinsic function call other than Fn::If. `w` tells
 * where the leaf is (rl_walk_path(), rl_walk_step()); it is valid during the call only.
 * Return non-zero from fn to stop. Returns fn's value, 0, or RL_ENOMEM. */
typedef struct rl_walk rl_walk;
typedef int (*rl_walk_fn)(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w);
int rl_walk_resource(const rl_resource *res, rl_walk_fn fn, void *ctx);

/* The logical path of the current leaf ("Resources.Fn.Properties.Environment.Variables.X",
 * ".Fn::If[1]" for a branch, "[0]" for a list item). Made on first use for each leaf, so a
 * callback that only looks at the keys costs no string; valid until the callback returns.
 * Out of memory: "" (and the walk returns RL_ENOMEM). */
const char *rl_walk_path(const rl_walk *w);
/* Number of steps from the resource's properties down to the leaf. */
size_t rl_walk_depth(const rl_walk *w);
/* Step i (0 = the first below the properties): the mapping key node, or NULL for a list
 * index (then in *index; may be NULL). A branch of an Fn::If is two steps: the Fn::If key,
 * then the branch index (1 or 2). */
const rl_node *rl_walk_step(const rl_walk *w, size_t i, size_t *index);
/* The last mapping keys on the path, list indexes skipped: keys[0] the key of the leaf (or
 * of the list it is in), keys[1] the one before, ... (an Fn::If counts as a key). Returns
 * how many were found, at most n. */
size_t rl_walk_keys(const rl_walk *w, const rl_node **keys, size_t n);

#endif
