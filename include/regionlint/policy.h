/* IAM policy evaluation: action, resource and condition matching of policy statements with
 * three-valued results (a condition on a key the linter cannot know gives "maybe"), and
 * the SCP evaluation of an organization path root -> OU -> account (every level needs an
 * Allow, an explicit Deny anywhere wins). Used by the services rules (RL301-RL304); the
 * matchers are public so other families can test IAM policies with the same semantics. */
#ifndef REGIONLINT_POLICY_H
#define REGIONLINT_POLICY_H

#include "input.h"

/* ---- matchers ---------------------------------------------------------------------- */

/* `*` matches any run of characters (also none), `?` exactly one code point. `ci`: ASCII
 * case-insensitive. Linear in practice (greedy with one backtrack point). */
bool rl_wildcard_match(const char *pattern, const char *s, bool ci);
/* An IAM action pattern ("s3:Get*", "*", "ec2:Describe?pc*") against an action
 * ("s3:GetObject"); case-insensitive as IAM compares actions. */
bool rl_action_match(const char *pattern, const char *action);
/* ArnLike / ArnEquals: the six colon-separated fields are matched one by one with
 * wildcards, case-sensitively; the resource field may itself hold colons. */
bool rl_arn_match(const char *pattern, const char *arn);

/* ---- three-valued results ---------------------------------------------------------- */

typedef enum rl_tri {
    RL_TRI_NO = 0,
    RL_TRI_YES = 1,
    RL_TRI_MAYBE = 2 /* depends on something the linter cannot know */
} rl_tri;

/* ---- compiled policies ------------------------------------------------------------- */

typedef enum rl_cond_base {
    RL_COND_UNKNOWN = 0, /* an operator IAM does not define: the result is "maybe" */
    RL_COND_STRING_EQUALS,
    RL_COND_STRING_EQUALS_IC, /* StringEqualsIgnoreCase */
    RL_COND_STRING_LIKE,
    RL_COND_NUMERIC_EQ,
    RL_COND_NUMERIC_LT,
    RL_COND_NUMERIC_LE,
    RL_COND_NUMERIC_GT,
    RL_COND_NUMERIC_GE,
    RL_COND_DATE_EQ,
    RL_COND_DATE_LT,
    RL_COND_DATE_LE,
    RL_COND_DATE_GT,
    RL_COND_DATE_GE,
    RL_COND_BOOL,
    RL_COND_BINARY_EQUALS,
    RL_COND_IP_ADDRESS,
    RL_COND_ARN_LIKE, /* ArnLike and ArnEquals (both take wildcards) */
    RL_COND_NULL
} rl_cond_base;

/* One key of one condition operator: `"StringNotEquals": {"aws:RequestedRegion": [...]}`
 * gives op "StringNotEquals", key "aws:RequestedRegion" and the values. */
typedef struct rl_condition {
    const char *op;              /* as written, e.g. "ForAnyValue:StringNotLikeIfExists" */
    const char *key;             /* as written */
    const char **values;         /* the condition values (scalars as text) */
    const rl_node **value_nodes; /* the node each value came from */
    size_t nvalues;
    const rl_node *node; /* the key's value node (for positions) */
    rl_cond_base base;
    bool negated; /* StringNotEquals, StringNotLike, ArnNotLike, NumericNotEquals, NotIpAddress, ...
                   */
    bool if_exists; /* ...IfExists: true when the key is missing */
    bool for_any;   /* ForAnyValue: */
    bool for_all;   /* ForAllValues: */
} rl_condition;

typedef struct rl_statement {
    const char *sid; /* NULL when the statement has none */
    size_t index;    /* 0-based position in Statement */
    bool deny;       /* Effect Deny (else Allow) */
    bool not_action; /* NotAction (actions lists its patterns) */
    bool not_resource;
    bool open_actions;            /* an action pattern has a piece the files cannot give */
    const char **actions;         /* Action / NotAction patterns */
    const rl_node **action_nodes; /* the node each pattern came from */
    size_t nactions;
    const char **resources; /* Resource / NotResource patterns; none given = "*" */
    const rl_node **resource_nodes;
    size_t nresources;
    rl_condition *conds;
    size_t nconds;
    const rl_node *node; /* the statement mapping (embedded nodes carry the string's span) */
} rl_statement;

typedef struct rl_policy rl_policy;

/* Compiles a policy document node (`{"Version", "Statement": ...}`; Statement one object
 * or a list; Action/Resource/condition values one string or a list). Statements without a
 * valid Effect are skipped. The policy keeps pointers into `doc`'s nodes, which must
 * outlive it. Returns 0, RL_EPARSE when `doc` is not a policy document (err set), or
 * RL_ENOMEM. */
int rl_policy_new(rl_policy **out, const rl_node *doc, rl_error *err);

/* The strings a value of a policy can be where it is deployed (an intrinsic function of a
 * template, a Terraform interpolation, an Fn::Sub document's string): `add` is called for
 * each alternative, unknown pieces written as U+FFFD. Returns 0 or a negative code. */
typedef int (*rl_policy_add_fn)(void *actx, const char *s, size_t len);
typedef int (*rl_policy_expand_fn)(void *ctx, const rl_node *value, rl_policy_add_fn add,
                                   void *actx);
/* rl_policy_new() with every Action, Resource and condition value (also the literal ones)
 * expanded by `expand`. A pattern with an unknown piece matches as a wildcard would, with
 * the answer "maybe". */
int rl_policy_compile(rl_policy **out, const rl_node *doc, rl_policy_expand_fn expand, void *ctx,
                      rl_error *err);
void rl_policy_free(rl_policy *p);
size_t rl_policy_count(const rl_policy *p);
/* True when Statement is a list (a statement's path has an index), false for one object. */
bool rl_policy_statement_list(const rl_policy *p);
const rl_statement *rl_policy_statement(const rl_policy *p, size_t i);
/* True when some statement allows (Effect Allow). */
bool rl_policy_has_allow(const rl_policy *p);

/* ---- requests ---------------------------------------------------------------------- */

typedef enum rl_key_state {
    RL_KEY_UNKNOWN = 0, /* may or may not be in the request; value unknown */
    RL_KEY_PRESENT,     /* in every such request; values given, or none when unknown */
    RL_KEY_ABSENT       /* never in such a request */
} rl_key_state;

/* Looks a condition key up (keys compare case-insensitively). For RL_KEY_PRESENT set
 * `values` and `nvalues` to the known values, or leave `nvalues` 0 when the value is
 * unknown. */
typedef rl_key_state (*rl_key_fn)(void *ctx, const char *key, const char *const **values,
                                  size_t *nvalues);

typedef struct rl_request {
    const char *action;   /* "lambda:CreateFunction" */
    const char *resource; /* the resource ARN, or NULL when unknown */
    const char *region;   /* aws:RequestedRegion; NULL when unknown */
    const char *account;  /* aws:PrincipalAccount / aws:ResourceAccount; NULL when unknown */
    rl_key_fn key;        /* other keys; NULL: see rl_policy_key_state() */
    void *key_ctx;
} rl_request;

/* The default for keys the request does not bind: keys that every authenticated request
 * carries (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalType,
 * aws:userid, aws:RequestedRegion, aws:CurrentTime, aws:EpochTime, aws:SecureTransport,
 * aws:ViaAWSService, aws:PrincipalIsAWSService) are present with an unknown value; every
 * other key is unknown. */
rl_key_state rl_policy_key_state(const char *key);

#define RL_MATCH_MAX_OPEN 8

/* Why a statement matched "maybe": the conditions that could not be decided, and whether
 * Resource/NotResource could not be. */
typedef struct rl_match {
    rl_tri result;
    bool resource_open;
    const rl_condition *open[RL_MATCH_MAX_OPEN];
    size_t nopen;
} rl_match;

/* Whether the action is covered by Action/NotAction (no conditions, no resource). */
bool rl_statement_covers(const rl_statement *st, const char *action);
/* Whether the statement applies to the request: action, resource and every condition.
 * `why` (may be NULL) receives the undecided parts when the result is RL_TRI_MAYBE. */
rl_tri rl_statement_match(const rl_statement *st, const rl_request *req, rl_match *why);
/* One condition against the request. */
rl_tri rl_condition_eval(const rl_condition *c, const rl_request *req);

/* A one-line description of a condition for messages: `aws:PrincipalARN is like
 * "arn:aws:iam::*:role/admin"`. `exemption`: describe what makes the condition false
 * (the way out of a Deny), e.g. ArnNotLike -> "is like". Returns the length written
 * (truncated to size-1). */
size_t rl_condition_describe(const rl_condition *c, bool exemption, char *buf, size_t size);

/* ---- service control policies ------------------------------------------------------ */

/* An SCP: from describe-policy (Content parsed) or a bare policy document. */
typedef struct rl_scp {
    const char *id;   /* p-..., or NULL (a bare document names none) */
    const char *name; /* PolicySummary.Name, else the file name */
    const char *arn;
    bool aws_managed;
    const rl_input *input;   /* NULL for the built-in FullAWSAccess */
    const rl_node *content;  /* the Content string node (describe-policy), or NULL */
    const rl_policy *policy; /* NULL when the content is not known (listed only) */
} rl_scp;

/* One level of the path root -> OU -> account. */
typedef struct rl_scp_level {
    const char *target; /* r-..., ou-..., an account id, or NULL (every SCP given) */
    const char *kind;   /* "root", "organizational unit", "account", "all SCPs" */
    const char *name;   /* the target's name when exported, or NULL */
    const rl_scp **scps;
    size_t nscps;
    /* The attached SCPs may be incomplete (no list-policies-for-target for this target)
     * or one of them has unknown content: an allow is assumed, so no implicit deny. */
    bool assume_allow;
} rl_scp_level;

typedef struct rl_scp_path {
    const char *account;      /* the account evaluated, or NULL when unknown */
    const char *account_from; /* how it was found: "config", "describe-stacks", ... */
    bool exempt;              /* SCPs do not apply (the management account) */
    const char *exempt_why;
    rl_scp_level *levels; /* root first */
    size_t nlevels;
} rl_scp_path;

typedef enum rl_scp_outcome {
    RL_SCP_ALLOWED = 0,
    RL_SCP_DENIED,      /* an explicit Deny matches */
    RL_SCP_NOT_ALLOWED, /* some level has no Allow that matches (implicit deny) */
    RL_SCP_CONDITIONAL  /* denied unless a condition the linter cannot know holds */
} rl_scp_outcome;

#define RL_SCP_MAX_HITS 8

/* A statement (or a level, for RL_SCP_NOT_ALLOWED) behind a decision. */
typedef struct rl_scp_hit {
    const rl_scp *scp;        /* NULL for a level without any matching Allow */
    const rl_statement *stmt; /* NULL for a level without any matching Allow */
    size_t level;             /* index into the path's levels */
    rl_match match;
} rl_scp_hit;

typedef struct rl_scp_decision {
    rl_scp_outcome outcome;
    rl_scp_hit hits[RL_SCP_MAX_HITS]; /* the denies, the level, or the open statements */
    size_t nhits;
} rl_scp_decision;

/* Evaluates a request against the SCPs of a path. DENIED when a Deny matches for certain;
 * else NOT_ALLOWED when a level has no Allow that can match; else CONDITIONAL when a Deny
 * may match or a level's Allows may match only under a condition; else ALLOWED. An exempt
 * path is always ALLOWED. */
void rl_scp_evaluate(const rl_scp_path *path, const rl_request *req, rl_scp_decision *out);

#endif
