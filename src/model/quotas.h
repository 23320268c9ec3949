/* Service quotas in the model: applied and default values per region joined on
 * ServiceCode + QuotaCode (+ the resource a resource-level quota applies to), usage from
 * CloudWatch exports and Trusted Advisor's service-limit rows. Private to the model and the
 * quota rules; everything lives in the model's arena and is indexed by key. */
#ifndef RL_MODEL_QUOTAS_H
#define RL_MODEL_QUOTAS_H

#include <regionlint/model.h>

/* One regional quota as the exports of one region know it. The applied value comes from
 * list-service-quotas / get-service-quota, the default from the list/get of AWS defaults;
 * either may be missing. */
typedef struct rl_quota {
    const char *region;
    const char *service;      /* ServiceCode */
    const char *code;         /* QuotaCode */
    const char *context;      /* resource-level quota: ContextId with its region blanked; or "" */
    const char *context_id;   /* the ContextId as exported, or NULL */
    const char *name;         /* QuotaName, or the code when the export has none */
    const char *service_name; /* ServiceName, or the code */
    int adjustable;           /* 1, 0, or -1 when no export says */
    bool has_applied, has_default;
    double applied, def;
    const rl_input *applied_in, *default_in;
    const rl_node *applied_node, *default_node; /* the `Value` scalars */
    const char *applied_path, *default_path;    /* their logical paths */
    const char *usage_key;                      /* see rl_quota_usage_key(), never NULL */
    const char *statistic;                      /* MetricStatisticRecommendation, or NULL */
} rl_quota;

/* The value in force: applied when exported, else the default. False when neither is. */
static inline bool rl_quota_value(const rl_quota *q, double *out)
{
    if (q->has_applied)
        *out = q->applied;
    else if (q->has_default)
        *out = q->def;
    else
        return false;
    return true;
}

/* The peak of a usage metric in one region (the highest datapoint of the statistic the
 * quota recommends), from get-metric-statistics or get-metric-data. */
typedef struct rl_quota_usage {
    const char *region;
    const char *key; /* usage key of the quota it measures */
    double value;
    const rl_input *input;
    const rl_node *node;   /* the datapoint value */
    const char *path;      /* its logical path */
    const rl_quota *quota; /* the quota it was matched to (any region), or NULL */
} rl_quota_usage;

/* One Trusted Advisor service-limit row: [Region, Service, Limit Name, Limit Amount,
 * Current Usage, Status]. */
typedef struct rl_ta_limit {
    const char *region;
    const char *service;
    const char *name;
    double limit;
    bool has_usage;
    double usage;
    const rl_input *input;
    const rl_node *limit_node, *usage_node;
    const char *limit_path, *usage_path;
} rl_ta_limit;

typedef struct rl_quota_db rl_quota_db;

/* Reads one quotas, usage or Trusted Advisor input into the model. Returns 0 or RL_ENOMEM. */
int rl_model_add_quotas(rl_model *m, const rl_input *in);
/* Matches usage exports to quotas once every quota is read. Returns 0 or RL_ENOMEM. */
int rl_model_finish_quotas(rl_model *m);
void rl_quota_db_free(rl_quota_db *db);

/* The regional quotas exported for `region`, in input order (global quotas excluded). */
const rl_quota *const *rl_model_quotas(const rl_model *m, const char *region, size_t *n);
/* The quota of `region` with this key (context "" or NULL for account-level), or NULL. */
const rl_quota *rl_model_quota(const rl_model *m, const char *region, const char *service,
                               const char *code, const char *context);
/* The quota of `region` that the usage key (or QuotaName, case-insensitively) names. */
const rl_quota *rl_model_quota_by_usage(const rl_model *m, const char *region, const char *key);
const rl_quota *rl_model_quota_by_name(const rl_model *m, const char *region, const char *name);
/* Whether any quota export (applied or default) was read for `region`, or for one service
 * of it. */
bool rl_model_quotas_exported(const rl_model *m, const char *region, const char *service);
/* Usage peaks of `region` in input order. */
const rl_quota_usage *const *rl_model_quota_usage(const rl_model *m, const char *region, size_t *n);
/* Trusted Advisor rows of `region`, and the row of one service + limit name. */
const rl_ta_limit *const *rl_model_ta_limits(const rl_model *m, const char *region, size_t *n);
const rl_ta_limit *rl_model_ta_limit(const rl_model *m, const char *region, const char *service,
                                     const char *name);

#endif
