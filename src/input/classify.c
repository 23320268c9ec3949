/* Input classification: decides from a document's content which kind of input it is and its
 * exact shape (subkind), looking only at the top-level keys and a few items of each list. */
#include <regionlint/input.h>
#include <regionlint/config.h>

#include <string.h>

/* How many items of a list (or values of a mapping) are looked at: enough to see the shape,
 * few enough that a 100 MB export costs nothing. */
#define PEEK 8
/* Top-level pairs searched for ARNs when deciding whether an unknown file looks like AWS. */
#define PEEK_TOP 32
/* Top-level pairs looked at as possible GitLab CI jobs (real files have tens). */
#define PEEK_JOBS 256
/* Records (a quota, a role, a job) are small; a larger mapping is not one, and looking keys up
 * in it would mean walking it. */
#define SMALL_MAP 256

static const char *const kind_names[RL_INPUT_KIND_COUNT] = {
    [RL_INPUT_UNKNOWN] = "unknown",
    [RL_INPUT_CFN_TEMPLATE] = "cfn-template",
    [RL_INPUT_CFN_PARAMS] = "cfn-parameters",
    [RL_INPUT_TF_CONFIG] = "terraform-config",
    [RL_INPUT_TF_PLAN] = "terraform-plan",
    [RL_INPUT_TF_STATE] = "terraform-state",
    [RL_INPUT_QUOTAS] = "quotas",
    [RL_INPUT_QUOTA_USAGE] = "quota-usage",
    [RL_INPUT_TRUSTED_ADVISOR] = "trusted-advisor",
    [RL_INPUT_IAM] = "iam",
    [RL_INPUT_SCP] = "scp",
    [RL_INPUT_ORG] = "organization",
    [RL_INPUT_STACKS] = "stacks",
    [RL_INPUT_STACK_EVENTS] = "stack-events",
    [RL_INPUT_STACKSET] = "stack-set",
    [RL_INPUT_PIPELINE] = "pipeline",
    [RL_INPUT_GITHUB_ACTIONS] = "github-actions",
    [RL_INPUT_GITLAB_CI] = "gitlab-ci",
    [RL_INPUT_SSM_OFFERING] = "ssm-offering",
};

const char *rl_input_kind_name(rl_input_kind kind)
{
    if ((int)kind < 0 || (int)kind >= RL_INPUT_KIND_COUNT || !kind_names[kind])
        return "unknown";
    return kind_names[kind];
}

/* Subkinds that name an AWS API response. A placebo (botocore recording) wrapper around one of
 * them gives the same name with a "placebo:" prefix, so the model knows to read `.data`. */
#define API_SUBKINDS(X)                                                                            \
    X("list-service-quotas")                                                                       \
    X("list-aws-default-service-quotas")                                                           \
    X("get-service-quota")                                                                         \
    X("get-aws-default-service-quota")                                                             \
    X("get-metric-statistics")                                                                     \
    X("get-metric-data")                                                                           \
    X("describe-trusted-advisor-check-result")                                                     \
    X("get-account-authorization-details")                                                         \
    X("list-roles")                                                                                \
    X("get-role")                                                                                  \
    X("describe-policy")                                                                           \
    X("list-parents")                                                                              \
    X("list-policies")                                                                             \
    X("list-policies-for-target")                                                                  \
    X("list-targets-for-policy")                                                                   \
    X("list-children")                                                                             \
    X("list-organizational-units-for-parent")                                                      \
    X("list-accounts")                                                                             \
    X("list-roots")                                                                                \
    X("describe-organization")                                                                     \
    X("describe-stacks")                                                                           \
    X("describe-stack-events")                                                                     \
    X("describe-stack-set")                                                                        \
    X("describe-stack-set-operation")                                                              \
    X("list-stack-set-operations")                                                                 \
    X("get-pipeline")                                                                              \
    X("get-parameters-by-path")                                                                    \
    X("get-parameter")

#define PLAIN_NAME(s)   s,
#define PLACEBO_NAME(s) "placebo:" s,
static const char *const api_subkinds[] = {API_SUBKINDS(PLAIN_NAME)};
static const char *const placebo_subkinds[] = {API_SUBKINDS(PLACEBO_NAME)};

/* ---- the top-level keys we look at ------------------------------------------------------ */

enum {
    S_TEMPLATE = 1 << 0, /* a CloudFormation template section */
    S_TF = 1 << 1,       /* a Terraform JSON block type */
    S_TPLCFG = 1 << 2,   /* a CodePipeline template-configuration key */
    S_AWS = 1 << 3       /* only AWS data uses this key: evidence for looks_aws */
};

/* Sorted in strcmp order: looked up with a binary search. */
#define TOP_KEYS(X)                                                                                \
    X(comment, "//", S_TF)                                                                         \
    X(AWSTemplateFormatVersion, "AWSTemplateFormatVersion", S_TEMPLATE | S_AWS)                    \
    X(Accounts, "Accounts", 0)                                                                     \
    X(Children, "Children", 0)                                                                     \
    X(Conditions, "Conditions", S_TEMPLATE)                                                        \
    X(Datapoints, "Datapoints", S_AWS)                                                             \
    X(Description, "Description", S_TEMPLATE)                                                      \
    X(Globals, "Globals", S_TEMPLATE)                                                              \
    X(GroupDetailList, "GroupDetailList", S_AWS)                                                   \
    X(Hooks, "Hooks", S_TEMPLATE)                                                                  \
    X(IsTruncated, "IsTruncated", 0)                                                               \
    X(Label, "Label", 0)                                                                           \
    X(Mappings, "Mappings", S_TEMPLATE)                                                            \
    X(Marker, "Marker", 0)                                                                         \
    X(Metadata, "Metadata", S_TEMPLATE)                                                            \
    X(MetricDataResults, "MetricDataResults", S_AWS)                                               \
    X(NextMarker, "NextMarker", 0)                                                                 \
    X(NextToken, "NextToken", 0)                                                                   \
    X(Organization, "Organization", 0)                                                             \
    X(OrganizationalUnits, "OrganizationalUnits", S_AWS)                                           \
    X(Outputs, "Outputs", S_TEMPLATE)                                                              \
    X(Parameter, "Parameter", 0)                                                                   \
    X(Parameters, "Parameters", S_TEMPLATE | S_TPLCFG)                                             \
    X(Parents, "Parents", 0)                                                                       \
    X(Policies, "Policies", 0)                                                                     \
    X(Policy, "Policy", 0)                                                                         \
    X(Quota, "Quota", S_AWS)                                                                       \
    X(Quotas, "Quotas", S_AWS)                                                                     \
    X(Resources, "Resources", S_TEMPLATE | S_AWS)                                                  \
    X(ResponseMetadata, "ResponseMetadata", S_AWS)                                                 \
    X(Role, "Role", 0)                                                                             \
    X(RoleDetailList, "RoleDetailList", S_AWS)                                                     \
    X(Roles, "Roles", 0)                                                                           \
    X(Roots, "Roots", 0)                                                                           \
    X(Rules, "Rules", S_TEMPLATE)                                                                  \
    X(Services, "Services", 0)                                                                     \
    X(StackEvents, "StackEvents", S_AWS)                                                           \
    X(StackPolicy, "StackPolicy", S_TPLCFG)                                                        \
    X(StackSet, "StackSet", S_AWS)                                                                 \
    X(StackSetOperation, "StackSetOperation", S_AWS)                                               \
    X(Stacks, "Stacks", S_AWS)                                                                     \
    X(Statement, "Statement", 0)                                                                   \
    X(Summaries, "Summaries", 0)                                                                   \
    X(Tags, "Tags", S_TPLCFG)                                                                      \
    X(Targets, "Targets", 0)                                                                       \
    X(Transform, "Transform", S_TEMPLATE)                                                          \
    X(UserDetailList, "UserDetailList", S_AWS)                                                     \
    X(Version, "Version", 0)                                                                       \
    X(check, "check", S_TF)                                                                        \
    X(configuration, "configuration", 0)                                                           \
    X(data, "data", S_TF)                                                                          \
    X(format_version, "format_version", 0)                                                         \
    X(import, "import", S_TF)                                                                      \
    X(jobs, "jobs", 0)                                                                             \
    X(lineage, "lineage", 0)                                                                       \
    X(locals, "locals", S_TF)                                                                      \
    X(module, "module", S_TF)                                                                      \
    X(modules, "modules", 0)                                                                       \
    X(moved, "moved", S_TF)                                                                        \
    X(on, "on", 0)                                                                                 \
    X(output, "output", S_TF)                                                                      \
    X(output_changes, "output_changes", 0)                                                         \
    X(pipeline, "pipeline", 0)                                                                     \
    X(planned_values, "planned_values", 0)                                                         \
    X(prior_state, "prior_state", 0)                                                               \
    X(provider, "provider", S_TF)                                                                  \
    X(removed, "removed", S_TF)                                                                    \
    X(resource, "resource", S_TF)                                                                  \
    X(resource_changes, "resource_changes", 0)                                                     \
    X(resource_drift, "resource_drift", 0)                                                         \
    X(resources, "resources", 0)                                                                   \
    X(result, "result", 0)                                                                         \
    X(serial, "serial", 0)                                                                         \
    X(stages, "stages", 0)                                                                         \
    X(status_code, "status_code", 0)                                                               \
    X(terraform, "terraform", S_TF)                                                                \
    X(terraform_version, "terraform_version", 0)                                                   \
    X(values, "values", 0)                                                                         \
    X(variable, "variable", S_TF)                                                                  \
    X(version, "version", 0)

#define KEY_ENUM(id, name, sets) K_##id,
enum { TOP_KEYS(KEY_ENUM) K_COUNT };

typedef struct top_key {
    const char *name;
    unsigned sets;
} top_key;

#define KEY_ENTRY(id, name, sets) {name, sets},
static const top_key top_keys[K_COUNT] = {TOP_KEYS(KEY_ENTRY)};

/* What one pass over the root mapping found. */
typedef struct tops {
    const rl_node *v[K_COUNT]; /* value of each known key (the last one when keys repeat) */
    size_t nkeys;
    size_t not_template;    /* keys that are not template sections */
    size_t not_tf;          /* keys that are not Terraform block types */
    size_t not_tplcfg;      /* keys that are not template-configuration keys */
    bool aws_key;           /* a key only AWS data uses */
    bool arn;               /* an ARN string under a PascalCase key near the top */
    bool pascal_list;       /* a PascalCase key holding a list, as AWS list calls return */
    bool gitlab_job;        /* a mapping with script/trigger/extends/stage */
    bool gitlab_job_strong; /* a mapping with both script and stage */
} tops;

/* ---- small helpers ---------------------------------------------------------------------- */

static int key_cmp(const char *s, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    int c = memcmp(s, name, len < nlen ? len : nlen);
    if (c)
        return c;
    return len < nlen ? -1 : len > nlen ? 1 : 0;
}

static int find_key(const rl_node *k)
{
    if (!rl_node_is_scalar(k))
        return -1;
    size_t lo = 0, hi = K_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(k->u.s.str, k->u.s.len, top_keys[mid].name);
        if (!c)
            return (int)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* Key lookup in a record; NULL for a mapping too large to be one. */
static const rl_node *get(const rl_node *map, const char *key)
{
    if (rl_node_count(map) > SMALL_MAP)
        return NULL;
    return rl_node_get(map, key);
}

static bool has(const rl_node *map, const char *key)
{
    return get(map, key) != NULL;
}

static bool str_starts(const rl_node *n, const char *prefix)
{
    const char *s = rl_node_str(n);
    return s && !strncmp(s, prefix, strlen(prefix));
}

static bool str_ends(const rl_node *n, const char *suffix)
{
    if (!rl_node_is_scalar(n))
        return false;
    size_t b = strlen(suffix);
    return n->u.s.len >= b && !memcmp(n->u.s.str + n->u.s.len - b, suffix, b);
}

/* arn:aws:…, arn:aws-cn:…, arn:aws-us-gov:… */
static bool is_arn(const rl_node *n)
{
    return rl_node_is_scalar(n) && n->type == RL_SCALAR_STRING &&
           (str_starts(n, "arn:aws:") || str_starts(n, "arn:aws-"));
}

static bool is_org_arn(const rl_node *n)
{
    return is_arn(n) && strstr(rl_node_str(n), ":organizations:") != NULL;
}

static bool is_pascal(const rl_node *k)
{
    const char *s = rl_node_str(k);
    return s && s[0] >= 'A' && s[0] <= 'Z';
}

static bool is_empty_seq(const rl_node *n)
{
    return rl_node_is_seq(n) && rl_node_count(n) == 0;
}

/* A non-empty list whose first few items are all records with `k1` (and `k2`). */
static bool items_have(const rl_node *seq, const char *k1, const char *k2)
{
    size_t n = rl_node_count(seq);
    if (!rl_node_is_seq(seq) || n == 0)
        return false;
    for (size_t i = 0; i < n && i < PEEK; i++) {
        const rl_node *it = rl_node_at(seq, i);
        if (!rl_node_is_map(it) || !has(it, k1) || (k2 && !has(it, k2)))
            return false;
    }
    return true;
}

static const rl_node *first_item(const rl_node *seq)
{
    return rl_node_at(seq, 0);
}

/* One of the first few values of a mapping is a mapping that has `key`. */
static bool some_value_has(const rl_node *map, const char *key)
{
    if (!rl_node_is_map(map))
        return false;
    for (size_t i = 0; i < map->u.map.count && i < PEEK; i++)
        if (rl_node_is_map(map->u.map.items[i].value) && has(map->u.map.items[i].value, key))
            return true;
    return false;
}

/* A record near the top holds an ARN under a PascalCase key. */
static bool record_has_arn(const rl_node *map)
{
    if (!rl_node_is_map(map))
        return is_arn(map);
    for (size_t i = 0; i < map->u.map.count && i < PEEK_TOP; i++)
        if (is_pascal(map->u.map.items[i].key) && is_arn(map->u.map.items[i].value))
            return true;
    return false;
}

/* GitLab CI job: a mapping with the keys only jobs have. */
static void peek_gitlab_job(tops *t, const rl_node *v)
{
    if (!rl_node_is_map(v) || rl_node_count(v) > 64)
        return;
    bool script = has(v, "script") || has(v, "run");
    bool stage = has(v, "stage");
    if (script || stage || has(v, "trigger") || has(v, "extends"))
        t->gitlab_job = true;
    if (script && stage)
        t->gitlab_job_strong = true;
}

/* The single pass over the root mapping: O(top-level keys), a few bounded peeks each. */
static void scan_tops(tops *t, const rl_node *root)
{
    memset(t, 0, sizeof(*t));
    t->nkeys = root->u.map.count;
    for (size_t i = 0; i < root->u.map.count; i++) {
        const rl_node *k = root->u.map.items[i].key, *v = root->u.map.items[i].value;
        int id = find_key(k);
        unsigned sets = id >= 0 ? top_keys[id].sets : 0;
        if (id >= 0)
            t->v[id] = v;
        t->not_template += !(sets & S_TEMPLATE);
        t->not_tf += !(sets & S_TF);
        t->not_tplcfg += !(sets & S_TPLCFG);
        if (sets & S_AWS)
            t->aws_key = true;
        if (is_pascal(k) && rl_node_is_seq(v))
            t->pascal_list = true;
        if (i < PEEK_TOP && !t->arn && is_pascal(k)) {
            const rl_node *r = rl_node_is_seq(v) ? first_item(v) : v;
            t->arn = record_has_arn(r);
        }
        /* any key can name a job (`terraform:` is a common one) */
        if (i < PEEK_JOBS && !t->gitlab_job_strong)
            peek_gitlab_job(t, v);
    }
}

/* ---- CloudFormation --------------------------------------------------------------------- */

static bool is_sam_transform(const rl_node *tr)
{
    if (rl_node_streq(tr, "AWS::Serverless-2016-10-31"))
        return true;
    for (size_t i = 0; rl_node_is_seq(tr) && i < tr->u.seq.count && i < PEEK; i++)
        if (rl_node_streq(rl_node_at(tr, i), "AWS::Serverless-2016-10-31"))
            return true;
    return false;
}

/* Resources whose first few entries have a Type (or are a Fn::ForEach loop of the
 * AWS::LanguageExtensions transform). */
static bool typed_resources(const rl_node *res, bool *serverless)
{
    bool typed = false;
    for (size_t i = 0; rl_node_is_map(res) && i < res->u.map.count && i < PEEK; i++) {
        const rl_node *k = res->u.map.items[i].key, *v = res->u.map.items[i].value;
        const rl_node *type = rl_node_is_map(v) ? get(v, "Type") : NULL;
        if (rl_node_is_scalar(type)) {
            typed = true;
            if (str_starts(type, "AWS::Serverless::"))
                *serverless = true;
        } else if (str_starts(k, "Fn::ForEach::")) {
            typed = true;
        }
    }
    return typed;
}

static rl_input_kind classify_template(const tops *t, const char **sub)
{
    const rl_node *res = t->v[K_Resources];
    bool serverless = false;
    bool typed = typed_resources(res, &serverless);
    bool is_template = t->v[K_AWSTemplateFormatVersion] || typed;
    /* No typed resource (an empty `Resources: {}`, or a CDK assertion stack with only
     * Parameters and Rules): still a template when every key is a template section and the
     * sections say so. A template configuration's Parameters hold scalars, not {Type: …}. */
    if (!is_template && t->not_template == 0) {
        bool sections = rl_node_is_map(res) &&
                        (rl_node_is_map(t->v[K_Outputs]) || rl_node_is_map(t->v[K_Conditions]) ||
                         rl_node_is_map(t->v[K_Mappings]) || rl_node_is_map(t->v[K_Rules]));
        is_template = some_value_has(t->v[K_Parameters], "Type") || sections ||
                      (t->v[K_Transform] && rl_node_is_map(res));
    }
    if (!is_template)
        return RL_INPUT_UNKNOWN;
    /* SAM: the transform, or SAM resource types (the SAM translator's own test inputs
     * sometimes leave the transform out; the content is SAM either way). */
    *sub = (is_sam_transform(t->v[K_Transform]) || serverless) ? "sam-template" : "template";
    return RL_INPUT_CFN_TEMPLATE;
}

/* [{ParameterKey, ParameterValue}] at the root (create-stack --parameters file://…). */
static bool is_parameter_list(const rl_node *seq)
{
    if (!items_have(seq, "ParameterKey", NULL))
        return false;
    for (size_t i = 0; i < seq->u.seq.count && i < PEEK; i++) {
        const rl_node *it = rl_node_at(seq, i);
        if (has(it, "ParameterValue") || has(it, "UsePreviousValue"))
            return true;
    }
    return false;
}

/* {"Parameters": {k: scalar}, "Tags": {…}, "StackPolicy": {…}} */
static bool is_template_configuration(const tops *t)
{
    const rl_node *p = t->v[K_Parameters];
    if (t->not_tplcfg != 0 || !rl_node_is_map(p))
        return false;
    for (size_t i = 0; i < p->u.map.count && i < PEEK; i++)
        if (!rl_node_is_scalar(p->u.map.items[i].value))
            return false;
    const rl_node *tags = t->v[K_Tags], *policy = t->v[K_StackPolicy];
    return (!tags || rl_node_is_map(tags)) && (!policy || rl_node_is_map(policy));
}

/* ---- Terraform -------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static bool gitlab_ci_name(const char *path)
{
    const char *base = base_name(path);
    return base && (strstr(base, ".gitlab-ci.yml") || strstr(base, ".gitlab-ci.yaml"));
}

static rl_input_kind classify_terraform(const tops *t, const char *path, const char **sub)
{
    /* terraform show -json. format_version alone (with terraform_version) is what it prints
     * for an empty state. Other -json outputs that carry format_version (validate, providers
     * schema, metadata functions) are not inputs. */
    if (rl_node_is_scalar(t->v[K_format_version])) {
        if (t->v[K_planned_values] || t->v[K_resource_changes] || t->v[K_prior_state] ||
            t->v[K_output_changes] || t->v[K_resource_drift]) {
            *sub = "plan";
            return RL_INPUT_TF_PLAN;
        }
        if (rl_node_is_map(t->v[K_values]) || t->nkeys == 1 + (t->v[K_terraform_version] != NULL)) {
            *sub = "state";
            return RL_INPUT_TF_PLAN;
        }
        return RL_INPUT_UNKNOWN;
    }
    /* Raw terraform.tfstate. */
    double version;
    if (rl_node_number(t->v[K_version], &version) && rl_node_is_scalar(t->v[K_terraform_version]) &&
        (rl_node_is_seq(t->v[K_resources]) || rl_node_is_seq(t->v[K_modules]) || t->v[K_serial] ||
         t->v[K_lineage])) {
        *sub = version == 4 ? "tfstate-v4" : version == 3 ? "tfstate-v3" : "tfstate";
        return RL_INPUT_TF_STATE;
    }
    /* .tf.json: every key is a block type (or a "//" comment). The generic words (data,
     * output, variable, check, removed) alone need the labelled-block shape {label: {…}}, so
     * that an API response such as {"data": […]} is not taken for configuration. */
    if (t->nkeys == 0 || t->not_tf != 0)
        return RL_INPUT_UNKNOWN;
    /* {"terraform": {"stage": …, "script": …}} is a GitLab job named terraform */
    if (t->gitlab_job_strong || (t->gitlab_job && gitlab_ci_name(path)))
        return RL_INPUT_UNKNOWN;
    static const struct {
        int id;
        bool strong;
    } blocks[] = {{K_resource, true}, {K_provider, true},  {K_terraform, true}, {K_module, true},
                  {K_locals, true},   {K_moved, true},     {K_import, true},    {K_data, false},
                  {K_output, false},  {K_variable, false}, {K_check, false},    {K_removed, false}};
    bool any = false, strong = false, labelled = true;
    for (size_t i = 0; i < sizeof(blocks) / sizeof(*blocks); i++) {
        const rl_node *v = t->v[blocks[i].id];
        if (!v)
            continue;
        if (!rl_node_is_map(v) && !rl_node_is_seq(v))
            return RL_INPUT_UNKNOWN;
        any = true;
        if (blocks[i].strong) {
            strong = true;
        } else {
            const rl_node *first =
                rl_node_count(v) && rl_node_is_map(v) ? v->u.map.items[0].value : NULL;
            labelled = labelled && (rl_node_is_map(first) || rl_node_is_seq(first));
        }
    }
    if (!any || (!strong && !labelled))
        return RL_INPUT_UNKNOWN;
    *sub = "tf-json";
    return RL_INPUT_TF_CONFIG;
}

/* ---- account exports -------------------------------------------------------------------- */

/* Default quotas have no account in QuotaArn: arn:aws:servicequotas:us-east-2::ec2/L-…; an
 * applied quota has one. */
static bool is_default_quota(const rl_node *q)
{
    const char *arn = rl_node_str(get(q, "QuotaArn"));
    if (!arn)
        return false;
    const char *p = arn;
    for (int field = 0; field < 4 && p; field++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    return p && *p == ':';
}

static rl_input_kind classify_quotas(const tops *t, const char **sub)
{
    const rl_node *qs = t->v[K_Quotas], *q = t->v[K_Quota];
    /* An empty list is a real answer: ListServiceQuotas returns only applied values. It cannot
     * tell applied from default, so it is named as the applied list. */
    if (is_empty_seq(qs) || items_have(qs, "ServiceCode", "QuotaCode")) {
        *sub = is_default_quota(first_item(qs)) ? "list-aws-default-service-quotas"
                                                : "list-service-quotas";
        return RL_INPUT_QUOTAS;
    }
    if (rl_node_is_map(q) && has(q, "ServiceCode") && has(q, "QuotaCode")) {
        *sub = is_default_quota(q) ? "get-aws-default-service-quota" : "get-service-quota";
        return RL_INPUT_QUOTAS;
    }
    return RL_INPUT_UNKNOWN;
}

static rl_input_kind classify_usage(const tops *t, const char **sub)
{
    /* get-metric-statistics names only the metric (Label), not its namespace or dimensions;
     * whether it is a usage metric is for the model to decide against the quotas. */
    if (rl_node_is_scalar(t->v[K_Label]) && rl_node_is_seq(t->v[K_Datapoints])) {
        *sub = "get-metric-statistics";
        return RL_INPUT_QUOTA_USAGE;
    }
    if (rl_node_is_seq(t->v[K_MetricDataResults])) {
        *sub = "get-metric-data";
        return RL_INPUT_QUOTA_USAGE;
    }
    const rl_node *r = t->v[K_result];
    if (rl_node_is_map(r) && has(r, "checkId") &&
        (rl_node_is_seq(get(r, "flaggedResources")) || has(r, "resourcesSummary"))) {
        *sub = "describe-trusted-advisor-check-result";
        return RL_INPUT_TRUSTED_ADVISOR;
    }
    return RL_INPUT_UNKNOWN;
}

/* IAM managed policies (authorization details) carry their versions; Organizations policy
 * summaries carry a Type such as SERVICE_CONTROL_POLICY and never their content. */
static bool iam_managed_policies(const rl_node *ps)
{
    return items_have(ps, "PolicyVersionList", NULL) ||
           (items_have(ps, "PolicyName", "DefaultVersionId") &&
            has(first_item(ps), "PolicyVersionList"));
}

static bool org_policy_summaries(const rl_node *ps)
{
    if (!items_have(ps, "Id", "Type"))
        return false;
    for (size_t i = 0; i < ps->u.seq.count && i < PEEK; i++) {
        const rl_node *it = rl_node_at(ps, i);
        if (!str_ends(get(it, "Type"), "_POLICY") || has(it, "Content"))
            return false;
    }
    return true;
}

static rl_input_kind classify_iam(const tops *t, const char **sub)
{
    if (rl_node_is_seq(t->v[K_RoleDetailList]) || rl_node_is_seq(t->v[K_UserDetailList]) ||
        rl_node_is_seq(t->v[K_GroupDetailList]) || iam_managed_policies(t->v[K_Policies])) {
        *sub = "get-account-authorization-details";
        return RL_INPUT_IAM;
    }
    const rl_node *roles = t->v[K_Roles], *role = t->v[K_Role];
    if (is_empty_seq(roles) || items_have(roles, "RoleName", NULL)) {
        *sub = "list-roles";
        return RL_INPUT_IAM;
    }
    if (rl_node_is_map(role) && has(role, "RoleName")) {
        *sub = "get-role";
        return RL_INPUT_IAM;
    }
    return RL_INPUT_UNKNOWN;
}

/* describe-policy, create-policy and update-policy all answer {"Policy": {PolicySummary,
 * Content}}. Other Organizations policy types (tag, backup, RCP) have the same shape and are
 * not SCPs. Content is normally a JSON string; a decoded object is accepted too. */
static bool is_describe_policy(const rl_node *p)
{
    if (!rl_node_is_map(p))
        return false;
    const rl_node *sum = get(p, "PolicySummary"), *content = get(p, "Content");
    if (!rl_node_is_map(sum) || !(rl_node_is_scalar(content) || rl_node_is_map(content)))
        return false;
    const rl_node *type = get(sum, "Type");
    return !type || rl_node_streq(type, "SERVICE_CONTROL_POLICY");
}

/* Version is optional in a policy document; without it the statement must say Effect. */
static bool is_policy_document(const tops *t)
{
    const rl_node *st = t->v[K_Statement];
    const rl_node *first = rl_node_is_seq(st) ? first_item(st) : st;
    if (!rl_node_is_seq(st) && !rl_node_is_map(st))
        return false;
    return rl_node_is_scalar(t->v[K_Version]) || (rl_node_is_map(first) && has(first, "Effect"));
}

static bool ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != b[i])
            return false;
    }
    return true;
}

/* A folder (not the file name) called scp or scps, in any case, anywhere in the path. */
static bool path_in_scp_folder(const char *path)
{
    if (!path)
        return false;
    const char *seg = path;
    for (const char *p = path; *p; p++) {
        if (*p == '/' || *p == '\\') {
            size_t len = (size_t)(p - seg);
            if (ieq(seg, len, "scp") || ieq(seg, len, "scps"))
                return true;
            seg = p + 1;
        }
    }
    return false;
}

static bool path_in_scp_globs(const char *path, const rl_config *cfg)
{
    if (!path || !cfg || cfg->nscp == 0)
        return false;
    /* Config globs are relative to the config's folder; try the path as given and, when it
     * starts with that folder, the rest of it. */
    const char *rel = NULL;
    size_t dlen = cfg->dir ? strlen(cfg->dir) : 0;
    if (dlen && !strncmp(path, cfg->dir, dlen) && path[dlen] == '/')
        rel = path + dlen + 1;
    for (size_t i = 0; i < cfg->nscp; i++)
        if (rl_glob_match(cfg->scp_globs[i], path) ||
            (rel && rl_glob_match(cfg->scp_globs[i], rel)))
            return true;
    return false;
}

static bool contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; s && *s; s++)
        if (ieq(s, strnlen(s, n), needle))
            return true;
    return false;
}

static bool org_records(const rl_node *seq)
{
    return items_have(seq, "Arn", NULL) && is_org_arn(get(first_item(seq), "Arn"));
}

static rl_input_kind classify_org(const tops *t, const char *path, const char **sub)
{
    const rl_node *ps = t->v[K_Policies];
    if (org_policy_summaries(ps)) {
        /* list-policies and list-policies-for-target print the same records and the latter
         * does not name its target, so only the file name can tell them apart (and name the
         * target for the model). */
        const char *base = base_name(path);
        bool for_target = contains_ci(base, "for-target") || contains_ci(base, "for_target") ||
                          contains_ci(base, "fortarget");
        *sub = for_target ? "list-policies-for-target" : "list-policies";
        return RL_INPUT_ORG;
    }
    const rl_node *parents = t->v[K_Parents];
    if (is_empty_seq(parents) || items_have(parents, "Id", "Type")) {
        *sub = "list-parents";
        return RL_INPUT_ORG;
    }
    /* Targets alone is also EventBridge's list-targets-by-rule ({Id, Arn}). */
    if (items_have(t->v[K_Targets], "TargetId", "Type")) {
        *sub = "list-targets-for-policy";
        return RL_INPUT_ORG;
    }
    if (items_have(t->v[K_Children], "Id", "Type")) {
        *sub = "list-children";
        return RL_INPUT_ORG;
    }
    /* OUs, accounts and roots carry an Organizations ARN (the AWS CLI's own example of
     * list-organizational-units-for-parent leaves out the Id, so it is not required). */
    if (org_records(t->v[K_OrganizationalUnits])) {
        *sub = "list-organizational-units-for-parent";
        return RL_INPUT_ORG;
    }
    if (org_records(t->v[K_Accounts])) {
        *sub = "list-accounts";
        return RL_INPUT_ORG;
    }
    if (org_records(t->v[K_Roots])) {
        *sub = "list-roots";
        return RL_INPUT_ORG;
    }
    const rl_node *org = t->v[K_Organization];
    if (rl_node_is_map(org) && has(org, "Id") && is_org_arn(get(org, "Arn"))) {
        *sub = "describe-organization";
        return RL_INPUT_ORG;
    }
    return RL_INPUT_UNKNOWN;
}

static rl_input_kind classify_stacks(const tops *t, const char **sub)
{
    /* OpsWorks also answers {"Stacks": […]}, with Name rather than StackName. */
    const rl_node *stacks = t->v[K_Stacks];
    if (is_empty_seq(stacks) || items_have(stacks, "StackName", NULL)) {
        *sub = "describe-stacks";
        return RL_INPUT_STACKS;
    }
    const rl_node *ev = t->v[K_StackEvents];
    if (is_empty_seq(ev) || items_have(ev, "EventId", NULL) ||
        items_have(ev, "StackId", "ResourceStatus")) {
        *sub = "describe-stack-events";
        return RL_INPUT_STACK_EVENTS;
    }
    const rl_node *set = t->v[K_StackSet];
    if (rl_node_is_map(set) &&
        (has(set, "StackSetName") || has(set, "StackSetId") || has(set, "StackSetARN"))) {
        *sub = "describe-stack-set";
        return RL_INPUT_STACKSET;
    }
    const rl_node *op = t->v[K_StackSetOperation];
    if (rl_node_is_map(op) && has(op, "OperationId")) {
        *sub = "describe-stack-set-operation";
        return RL_INPUT_STACKSET;
    }
    /* Summaries is used by many list calls; stack-set operations are the ones with an
     * OperationId (list-stack-sets and list-stack-instances have none). */
    if (items_have(t->v[K_Summaries], "OperationId", NULL)) {
        *sub = "list-stack-set-operations";
        return RL_INPUT_STACKSET;
    }
    return RL_INPUT_UNKNOWN;
}

static rl_input_kind classify_pipeline(const tops *t, const char **sub)
{
    const rl_node *p = t->v[K_pipeline];
    if (rl_node_is_map(p) && rl_node_is_seq(get(p, "stages")) && has(p, "name")) {
        *sub = "get-pipeline";
        return RL_INPUT_PIPELINE;
    }
    return RL_INPUT_UNKNOWN;
}

#define SSM_GLOBAL_INFRA "/aws/service/global-infrastructure"

static rl_input_kind classify_ssm(const tops *t, const char **sub)
{
    /* Parameters as a list of {Name, Value} is SSM (a template configuration's Parameters is
     * a mapping); only the global-infrastructure tree says which services a region offers. */
    const rl_node *ps = t->v[K_Parameters], *p = t->v[K_Parameter];
    if (items_have(ps, "Name", "Value") &&
        str_starts(get(first_item(ps), "Name"), SSM_GLOBAL_INFRA)) {
        *sub = "get-parameters-by-path";
        return RL_INPUT_SSM_OFFERING;
    }
    if (rl_node_is_map(p) && has(p, "Value") && str_starts(get(p, "Name"), SSM_GLOBAL_INFRA)) {
        *sub = "get-parameter";
        return RL_INPUT_SSM_OFFERING;
    }
    return RL_INPUT_UNKNOWN;
}

/* ---- CI pipelines ----------------------------------------------------------------------- */

static rl_input_kind classify_ci(const tops *t, const char *path, const char **sub)
{
    /* GitHub Actions: `on` (a plain string key in our loader, not YAML 1.1's true) and a jobs
     * mapping whose jobs run somewhere or call a reusable workflow. */
    const rl_node *jobs = t->v[K_jobs];
    if (t->v[K_on] && rl_node_is_map(jobs) &&
        (some_value_has(jobs, "runs-on") || some_value_has(jobs, "steps") ||
         some_value_has(jobs, "uses"))) {
        *sub = "workflow";
        return RL_INPUT_GITHUB_ACTIONS;
    }
    /* GitLab CI: stages and jobs; a job with both script and stage (included files often have
     * no stages list); or the file name plus jobs. */
    const rl_node *stages = t->v[K_stages];
    if (t->gitlab_job && !t->v[K_jobs] &&
        ((rl_node_is_seq(stages) && rl_node_is_scalar(first_item(stages))) ||
         t->gitlab_job_strong || gitlab_ci_name(path))) {
        *sub = "gitlab-ci";
        return RL_INPUT_GITLAB_CI;
    }
    return RL_INPUT_UNKNOWN;
}

/* ---- driver ----------------------------------------------------------------------------- */

static bool aws_evidence(const tops *t)
{
    if (t->aws_key || t->arn)
        return true;
    /* Pagination keys are generic; with a PascalCase list beside them they are AWS's. */
    bool paged = t->v[K_NextToken] || t->v[K_NextMarker] || (t->v[K_IsTruncated] && t->v[K_Marker]);
    if (paged && t->pascal_list)
        return true;
    const rl_node *ps = t->v[K_Parameters];
    if (items_have(ps, "ParameterKey", NULL) || items_have(ps, "Name", "Value"))
        return true;
    return false;
}

static rl_input_kind classify_map(const rl_node *root, const char *path, const rl_config *cfg,
                                  const char **sub, bool *aws, bool nested)
{
    tops t;
    scan_tops(&t, root);
    rl_input_kind k;
    if ((k = classify_template(&t, sub)) || (k = classify_terraform(&t, path, sub)) ||
        (k = classify_quotas(&t, sub)) || (k = classify_usage(&t, sub)) ||
        (k = classify_iam(&t, sub)))
        return k;
    if (is_describe_policy(t.v[K_Policy])) {
        *sub = "describe-policy";
        return RL_INPUT_SCP;
    }
    if (is_policy_document(&t)) {
        *sub = "policy-document";
        if (!nested && (path_in_scp_folder(path) || path_in_scp_globs(path, cfg)))
            return RL_INPUT_SCP;
        *aws = true; /* RL002: cannot tell whether it is an SCP */
        return RL_INPUT_UNKNOWN;
    }
    if ((k = classify_org(&t, path, sub)) || (k = classify_stacks(&t, sub)) ||
        (k = classify_pipeline(&t, sub)) || (k = classify_ssm(&t, sub)))
        return k;
    if (is_template_configuration(&t)) {
        *sub = "template-configuration";
        return RL_INPUT_CFN_PARAMS;
    }
    if ((k = classify_ci(&t, path, sub)))
        return k;

    /* A placebo recording (botocore responses that tools such as Cloud Custodian store for
     * tests): {"status_code": 200, "data": <response>}. Unwrapped when those are its only two
     * keys; the subkind gets a "placebo:" prefix so the model reads `.data`. Only API answers
     * count: a template inside a recording is not a template input. */
    if (!nested && t.nkeys == 2 && rl_node_is_scalar(t.v[K_status_code]) &&
        rl_node_is_map(t.v[K_data])) {
        const char *inner = NULL;
        k = classify_map(t.v[K_data], path, cfg, &inner, aws, true);
        for (size_t i = 0; k && inner && i < sizeof(api_subkinds) / sizeof(*api_subkinds); i++) {
            if (!strcmp(inner, api_subkinds[i])) {
                *sub = placebo_subkinds[i];
                return k;
            }
        }
        /* status_code + data is also any HTTP recording: AWS only if the payload is */
        if (k != RL_INPUT_UNKNOWN)
            *aws = true;
        *sub = NULL;
        return RL_INPUT_UNKNOWN;
    }

    /* Unknown. Name the shapes RL002 can say something specific about. */
    if (items_have(t.v[K_Services], "ServiceCode", NULL)) {
        *sub = "list-services"; /* service-quotas list-services: no quota values in it */
        *aws = true;
    } else if (items_have(t.v[K_Policies], "PolicyName", "PolicyId")) {
        *sub = "iam-list-policies"; /* IAM list-policies: summaries without documents */
        *aws = true;
    } else {
        *aws = aws_evidence(&t) ||
               (rl_node_is_map(t.v[K_Policy]) && has(t.v[K_Policy], "PolicySummary"));
    }
    return RL_INPUT_UNKNOWN;
}

/* *subkind is a static string (or NULL); path may be NULL (the document's own path is used). */
rl_input_kind rl_classify(const rl_doc *doc, const char *path, const rl_config *cfg,
                          const char **subkind, bool *looks_aws)
{
    const char *sub = NULL;
    bool aws = false;
    rl_input_kind kind = RL_INPUT_UNKNOWN;
    const rl_node *root = doc ? rl_doc_root(doc) : NULL;
    if (!path && doc)
        path = rl_doc_path(doc);

    if (rl_node_is_map(root)) {
        kind = classify_map(root, path, cfg, &sub, &aws, false);
    } else if (rl_node_is_seq(root)) {
        if (is_parameter_list(root)) {
            kind = RL_INPUT_CFN_PARAMS;
            sub = "parameters-list";
        } else {
            const rl_node *it = first_item(root);
            aws = record_has_arn(it) || (rl_node_is_map(it) && has(it, "ParameterKey"));
        }
    }
    /* scalars and the empty document are nothing we read, and nothing AWS */

    if (kind != RL_INPUT_UNKNOWN)
        aws = false;
    if (subkind)
        *subkind = sub;
    if (looks_aws)
        *looks_aws = aws;
    return kind;
}
