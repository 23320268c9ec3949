/* Inputs: discovery of files under the named paths, loading them into documents,
 * classification by content, and region attribution. */
#ifndef REGIONLINT_INPUT_H
#define REGIONLINT_INPUT_H

#include "doc.h"

typedef struct rl_config rl_config;

typedef enum rl_input_kind {
    RL_INPUT_UNKNOWN = 0,
    RL_INPUT_CFN_TEMPLATE,    /* CloudFormation / SAM template (JSON or YAML) */
    RL_INPUT_CFN_PARAMS,      /* [{ParameterKey, ParameterValue}] or {"Parameters": {...}} */
    RL_INPUT_TF_CONFIG,       /* Terraform JSON configuration (.tf.json) */
    RL_INPUT_TF_PLAN,         /* terraform show -json (plan or state) */
    RL_INPUT_TF_STATE,        /* raw terraform.tfstate (version 4) */
    RL_INPUT_QUOTAS,          /* service-quotas list/get (applied or default) */
    RL_INPUT_QUOTA_USAGE,     /* cloudwatch get-metric-statistics of a usage metric */
    RL_INPUT_TRUSTED_ADVISOR, /* support describe-trusted-advisor-check-result */
    RL_INPUT_IAM,             /* get-account-authorization-details, list-roles, get-role */
    RL_INPUT_SCP,             /* describe-policy, or a bare policy document known to be an SCP */
    RL_INPUT_ORG,            /* list-parents, list-policies(-for-target), list-targets-for-policy */
    RL_INPUT_STACKS,         /* cloudformation describe-stacks */
    RL_INPUT_STACK_EVENTS,   /* cloudformation describe-stack-events */
    RL_INPUT_STACKSET,       /* describe-stack-set(-operation), list-stack-set-operations */
    RL_INPUT_PIPELINE,       /* codepipeline get-pipeline */
    RL_INPUT_GITHUB_ACTIONS, /* a workflow under .github/workflows */
    RL_INPUT_GITLAB_CI,      /* .gitlab-ci.yml */
    RL_INPUT_SSM_OFFERING,   /* ssm get-parameters-by-path /aws/service/global-infrastructure */
    RL_INPUT_KIND_COUNT
} rl_input_kind;

/* Stable short name used in messages and JSON ("cfn-template", "quotas", ...). */
const char *rl_input_kind_name(rl_input_kind kind);

typedef enum rl_region_from {
    RL_REGION_FROM_NONE = 0, /* shared: deployed to every region of the pair */
    RL_REGION_FROM_CONFIG,   /* the config file's inputs: mapping */
    RL_REGION_FROM_PATH,     /* a path component that is a region code */
    RL_REGION_FROM_CONTENT   /* QuotaArn, StackId, provider region, ... */
} rl_region_from;

typedef struct rl_input {
    const char *path;    /* display path (relative, forward slashes) */
    const char *fs_path; /* path used to open the file */
    rl_doc *doc;         /* NULL when it could not be read or parsed */
    rl_error error;      /* why it could not (code != 0) */
    rl_source *text;     /* the bytes of an input that did not parse, for excerpts */
    rl_input_kind kind;
    const char *subkind; /* finer shape, e.g. "list-service-quotas", "get-role"; or NULL */
    const char *region;  /* attributed region; NULL = shared (or per element, see model) */
    rl_region_from region_from;
    bool looks_aws;    /* unknown kind but AWS-shaped: reported as RL002 */
    const char *note;  /* why it was skipped or could not be attributed */
    bool explicit_arg; /* named on the command line rather than found in a folder */
} rl_input;

typedef struct rl_inputs rl_inputs;

typedef struct rl_discover_opts {
    size_t max_file_size; /* 0 = RL_DEFAULT_MAX_FILE_SIZE */
    rl_load_opts load;
    unsigned jobs; /* threads that read and parse: 0 = rl_default_jobs(), 1 = this one only */
} rl_discover_opts;

/* Most threads rl_inputs_load() uses: past a few, reading files is bound by the disk and
 * memory, not by parsing. */
#define RL_MAX_JOBS 16

/* One thread per online CPU, at most RL_MAX_JOBS. */
unsigned rl_default_jobs(void);

int rl_inputs_new(rl_inputs **out);
void rl_inputs_free(rl_inputs *in);

/* Adds the files under `path` (a file, a directory searched recursively, or "-" for
 * standard input). Hidden folders, .git, node_modules, .terraform and cdk.out are skipped
 * (but .github is read); symlink loops are detected. Files that cannot be read are kept
 * with their error. Returns 0, or RL_EIO when `path` itself does not exist. */
int rl_inputs_add_path(rl_inputs *in, const char *path, const rl_discover_opts *opts,
                       rl_error *err);
/* Drops the inputs for which keep() returns false, before they are loaded; they are listed
 * with the skipped files (reason "excluded"). */
int rl_inputs_exclude(rl_inputs *in, bool (*keep)(const rl_input *it, void *ctx), void *ctx);
/* Loads every input into a document (errors are recorded per input, never fatal). Files
 * are independent (a document and its arena each), so opts->jobs threads take them in
 * turn; every input gets the same document and error whatever thread read it, so nothing
 * later depends on the number of threads. Standard input is read by the calling thread.
 * The threads end before this returns. */
void rl_inputs_load(rl_inputs *in, const rl_discover_opts *opts);
/* Classifies each loaded input by content (kind, subkind, looks_aws). */
void rl_inputs_classify(rl_inputs *in, const rl_config *cfg);
/* Attributes each input to a region: config mapping, then path, then content; else shared. */
void rl_inputs_attribute(rl_inputs *in, const rl_config *cfg);

size_t rl_inputs_count(const rl_inputs *in);
rl_input *rl_inputs_at(const rl_inputs *in, size_t i);
/* Files seen in folders and skipped by extension (listed with -v). */
size_t rl_inputs_skipped_count(const rl_inputs *in);
const char *rl_inputs_skipped_at(const rl_inputs *in, size_t i);
/* Why it was skipped: "not a JSON or YAML file" or "excluded". */
const char *rl_inputs_skipped_why(const rl_inputs *in, size_t i);

/* The document's payload: the `data` of a recorded API response (subkind "placebo:..."),
 * else the root. Model builders read exports through this. */
const rl_node *rl_input_root(const rl_input *in);

/* Classification of one document (exposed for tests). `path` may be NULL (the document's
 * own path is used); *subkind receives a static string. */
rl_input_kind rl_classify(const rl_doc *doc, const char *path, const rl_config *cfg,
                          const char **subkind, bool *looks_aws);

/* True when s is a region code such as us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
bool rl_is_region(const char *s, size_t len);
/* Region named by an ARN's 4th field (copied into out, at most outsz bytes), or false. */
bool rl_arn_region(const char *arn, char *out, size_t outsz);

#endif
