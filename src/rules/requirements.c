/* The requirements family: the standby as the files build it, against what the config
 * declares. RL901 compares requirements.rto with what the strategy can achieve (a table,
 * rules/requirements.yaml) and with what the standby's compute is really like: an Auto
 * Scaling group, ECS service or EKS node group at zero in the standby is a pilot light
 * whatever the strategy says. RL902 compares the capacity of each standby resource with its
 * primary counterpart under a hot-standby or active-active strategy.
 *
 * Counterparts: the same logical id (or Terraform address) in the same file once its region
 * codes are blanked out, so the two instances of a shared template pair up, and so do
 * regions/us-east-1/app.yaml and regions/us-west-2/app.yaml. In one Terraform input that
 * deploys both regions, module.primary.aws_x.y and module.standby.aws_x.y pair by aws_x.y
 * when that is unique. One hash lookup per standby resource: no pairwise scan. */
#include <regionlint/refs.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "../base/time.h"
#include "../model/edge.h"
#include "checks.h"
#include "requirements.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum pkind { P_NUM = 0, P_CLASS } pkind;
typedef enum zrole { Z_NONE = 0, Z_DESIRED, Z_MIN } zrole;

typedef struct cprop {
    const char *path; /* dotted, below Properties (CloudFormation) or the attributes */
    pkind kind;
    zrole zero; /* what makes compute "at zero" */
} cprop;

#define MAXP 4

typedef struct ctype {
    const char *type;
    bool compute; /* RL901 looks at its capacity */
    cprop p[MAXP];
} ctype;

/* Capacity properties, in the order a finding prefers to point at. */
static const ctype capacity[] = {
    {"AWS::AutoScaling::AutoScalingGroup",
     true,
     {{"DesiredCapacity", P_NUM, Z_DESIRED}, {"MinSize", P_NUM, Z_MIN}, {"MaxSize", P_NUM, 0}}},
    {"AWS::ECS::Service", true, {{"DesiredCount", P_NUM, Z_DESIRED}}},
    {"AWS::EKS::Nodegroup",
     true,
     {{"ScalingConfig.DesiredSize", P_NUM, Z_DESIRED},
      {"ScalingConfig.MinSize", P_NUM, Z_MIN},
      {"ScalingConfig.MaxSize", P_NUM, 0}}},
    {"AWS::ApplicationAutoScaling::ScalableTarget",
     false,
     {{"MinCapacity", P_NUM, 0}, {"MaxCapacity", P_NUM, 0}}},
    {"AWS::Lambda::Function", false, {{"ReservedConcurrentExecutions", P_NUM, 0}}},
    {"AWS::Serverless::Function",
     false,
     {{"ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions", P_NUM, 0},
      {"ReservedConcurrentExecutions", P_NUM, 0}}},
    {"AWS::Lambda::Alias",
     false,
     {{"ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions", P_NUM, 0}}},
    {"AWS::Lambda::Version",
     false,
     {{"ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions", P_NUM, 0}}},
    {"AWS::DynamoDB::Table",
     false,
     {{"ProvisionedThroughput.ReadCapacityUnits", P_NUM, 0},
      {"ProvisionedThroughput.WriteCapacityUnits", P_NUM, 0}}},
    {"AWS::RDS::DBInstance", false, {{"DBInstanceClass", P_CLASS, 0}}},
    {"AWS::RDS::DBCluster",
     false,
     {{"DBClusterInstanceClass", P_CLASS, 0},
      {"ServerlessV2ScalingConfiguration.MinCapacity", P_NUM, 0},
      {"ServerlessV2ScalingConfiguration.MaxCapacity", P_NUM, 0}}},
    {"AWS::DocDB::DBInstance", false, {{"DBInstanceClass", P_CLASS, 0}}},
    {"AWS::Neptune::DBInstance", false, {{"DBInstanceClass", P_CLASS, 0}}},
    {"AWS::ElastiCache::ReplicationGroup",
     false,
     {{"CacheNodeType", P_CLASS, 0},
      {"NumCacheClusters", P_NUM, 0},
      {"NumNodeGroups", P_NUM, 0},
      {"ReplicasPerNodeGroup", P_NUM, 0}}},
    {"AWS::ElastiCache::CacheCluster",
     false,
     {{"CacheNodeType", P_CLASS, 0}, {"NumCacheNodes", P_NUM, 0}}},
    {"AWS::Kinesis::Stream", false, {{"ShardCount", P_NUM, 0}}},
    {"AWS::OpenSearchService::Domain",
     false,
     {{"ClusterConfig.InstanceType", P_CLASS, 0}, {"ClusterConfig.InstanceCount", P_NUM, 0}}},
    {"AWS::Elasticsearch::Domain",
     false,
     {{"ElasticsearchClusterConfig.InstanceType", P_CLASS, 0},
      {"ElasticsearchClusterConfig.InstanceCount", P_NUM, 0}}},
    {"AWS::MSK::Cluster",
     false,
     {{"BrokerNodeGroupInfo.InstanceType", P_CLASS, 0}, {"NumberOfBrokerNodes", P_NUM, 0}}},
    {"AWS::EC2::Instance", false, {{"InstanceType", P_CLASS, 0}}},
    {"AWS::EC2::LaunchTemplate", false, {{"LaunchTemplateData.InstanceType", P_CLASS, 0}}},
    {"AWS::ECS::TaskDefinition", false, {{"Cpu", P_NUM, 0}, {"Memory", P_NUM, 0}}},
    {"aws_autoscaling_group",
     true,
     {{"desired_capacity", P_NUM, Z_DESIRED}, {"min_size", P_NUM, Z_MIN}, {"max_size", P_NUM, 0}}},
    {"aws_ecs_service", true, {{"desired_count", P_NUM, Z_DESIRED}}},
    {"aws_eks_node_group",
     true,
     {{"scaling_config.desired_size", P_NUM, Z_DESIRED},
      {"scaling_config.min_size", P_NUM, Z_MIN},
      {"scaling_config.max_size", P_NUM, 0}}},
    {"aws_appautoscaling_target", false, {{"min_capacity", P_NUM, 0}, {"max_capacity", P_NUM, 0}}},
    {"aws_lambda_function", false, {{"reserved_concurrent_executions", P_NUM, 0}}},
    {"aws_lambda_provisioned_concurrency_config",
     false,
     {{"provisioned_concurrent_executions", P_NUM, 0}}},
    {"aws_dynamodb_table", false, {{"read_capacity", P_NUM, 0}, {"write_capacity", P_NUM, 0}}},
    {"aws_db_instance", false, {{"instance_class", P_CLASS, 0}}},
    {"aws_rds_cluster_instance", false, {{"instance_class", P_CLASS, 0}}},
    {"aws_rds_cluster",
     false,
     {{"db_cluster_instance_class", P_CLASS, 0},
      {"serverlessv2_scaling_configuration.min_capacity", P_NUM, 0},
      {"serverlessv2_scaling_configuration.max_capacity", P_NUM, 0}}},
    {"aws_docdb_cluster_instance", false, {{"instance_class", P_CLASS, 0}}},
    {"aws_neptune_cluster_instance", false, {{"instance_class", P_CLASS, 0}}},
    {"aws_elasticache_replication_group",
     false,
     {{"node_type", P_CLASS, 0},
      {"num_cache_clusters", P_NUM, 0},
      {"num_node_groups", P_NUM, 0},
      {"replicas_per_node_group", P_NUM, 0}}},
    {"aws_elasticache_cluster", false, {{"node_type", P_CLASS, 0}, {"num_cache_nodes", P_NUM, 0}}},
    {"aws_kinesis_stream", false, {{"shard_count", P_NUM, 0}}},
    {"aws_opensearch_domain",
     false,
     {{"cluster_config.instance_type", P_CLASS, 0}, {"cluster_config.instance_count", P_NUM, 0}}},
    {"aws_elasticsearch_domain",
     false,
     {{"cluster_config.instance_type", P_CLASS, 0}, {"cluster_config.instance_count", P_NUM, 0}}},
    {"aws_msk_cluster",
     false,
     {{"broker_node_group_info.instance_type", P_CLASS, 0}, {"number_of_broker_nodes", P_NUM, 0}}},
    {"aws_instance", false, {{"instance_type", P_CLASS, 0}}},
    {"aws_launch_template", false, {{"instance_type", P_CLASS, 0}}},
    {"aws_ecs_task_definition", false, {{"cpu", P_NUM, 0}, {"memory", P_NUM, 0}}},
};

static const ctype *capacity_of(const char *type)
{
    for (size_t i = 0; type && i < sizeof(capacity) / sizeof(*capacity); i++)
        if (!strcmp(capacity[i].type, type))
            return &capacity[i];
    return NULL;
}

/* ---- instance classes --------------------------------------------------------------------- */

bool rl_instance_class_rank(const char *cls, char *family, size_t famsz, double *rank)
{
    char buf[128];
    if (!cls || !famsz || strlen(cls) >= sizeof(buf))
        return false;
    snprintf(buf, sizeof(buf), "%s", cls);
    for (char *c = buf; *c; c++)
        *c = (char)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c);
    char *tok[8];
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && n < 8;
         t = strtok_r(NULL, ".", &save))
        tok[n++] = t;
    static const struct {
        const char *name;
        double units;
    } sizes[] = {{"nano", 0.125}, {"micro", 0.25}, {"small", 0.5}, {"medium", 0.75},
                 {"large", 1},    {"xlarge", 2},   {"metal", 1e6}};
    for (size_t i = 1; i < n; i++) {
        double u = -1;
        for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes) && u < 0; k++)
            if (!strcmp(tok[i], sizes[k].name))
                u = sizes[k].units;
        if (u < 0 && !strncmp(tok[i], "metal-", 6))
            u = 1e6;
        char *end = NULL;
        long mult = strtol(tok[i], &end, 10);
        if (u < 0 && end != tok[i] && mult > 0 && !strcmp(end, "xlarge"))
            u = 2.0 * (double)mult;
        if (u < 0)
            continue;
        /* the family: what comes before the size, "|", what comes after it */
        size_t o = 0;
        family[0] = '\0';
        for (size_t k = 0; k < n && o < famsz; k++)
            if (k != i)
                o += (size_t)snprintf(family + o, famsz - o, "%s%s",
                                      k == 0       ? ""
                                      : k == i + 1 ? "|"
                                                   : ".",
                                      tok[k]);
        *rank = u;
        return true;
    }
    return false;
}

/* ---- values ---------------------------------------------------------------------------------- */

typedef struct value {
    bool found; /* the property is written */
    bool ok;    /* it has one known value */
    double num;
    char text[96];
    const char *file;
    rl_span span;
    const char *path;
} value;

typedef struct reading {
    value *v;
    int n;
} reading;

static int on_value(void *ctx, const rl_evstr *s)
{
    reading *rd = ctx;
    if (++rd->n > 1 || !s->complete || s->len >= sizeof(rd->v->text)) {
        rd->v->ok = false;
        return 0;
    }
    memcpy(rd->v->text, s->str, s->len);
    rd->v->text[s->len] = '\0';
    rd->v->ok = true;
    const char *file = rd->v->file;
    rl_span span = rd->v->span;
    if (rl_evstr_locate(s, 0, s->len, &file, &span, NULL)) {
        rd->v->file = file;
        rd->v->span = span;
    }
    return 0;
}

static void read_value(rl_arena *a, const rl_resource *r, const cprop *p, value *v)
{
    const rl_stack *st = r->stack;
    memset(v, 0, sizeof(*v));
    const rl_node *n = r->props;
    char seg[96];
    for (const char *s = p->path; n && *s;) {
        size_t l = strcspn(s, ".");
        snprintf(seg, sizeof(seg), "%.*s", (int)l, s);
        n = rl_edge_get(st, n, seg);
        s += l + (s[l] == '.');
    }
    if (!n)
        return;
    v->found = true;
    v->file = rl_doc_path(st->input->doc);
    v->span = n->span;
    v->path = rl_arena_printf(a, "%s.%s%s", r->path,
                              st->source == RL_STACK_CFN ? "Properties." : "", p->path);
    reading rd = {v, 0};
    if (rl_eval_strings(st, n, on_value, &rd) < 0 || rd.n != 1)
        v->ok = false;
    if (v->ok && p->kind == P_NUM) {
        char *end = NULL;
        v->num = strtod(v->text, &end);
        v->ok = end != v->text && *end == '\0' && isfinite(v->num);
    }
}

/* ---- the check --------------------------------------------------------------------------- */

typedef struct req {
    rl_rule_ctx *ctx;
    const rl_model *m;
    const rl_config *cfg;
    rl_arena *a;
    rl_hmap reported;
    rl_strbuf key;
    rl_hmap pairs; /* normalised path + "\n" + id -> the primary's resource */
    rl_hmap floor; /* rl_resource* -> 1: an ECS service a scalable target keeps above zero */
    rl_edge *edge;
    long achievable[RL_STRATEGY_COUNT];
    const char *cfg_file;
    const rl_node *rto_node, *strategy_node;
    int rc;
} req;

static const rl_resource ambiguous; /* more than one primary resource has this key */

static const char *dur(req *q, long secs)
{
    char buf[32];
    rl_duration_format(secs, buf, sizeof(buf));
    const char *r = rl_arena_strdup(q->a, buf);
    return r ? r : "";
}

static bool first_time(req *q, const char *rule, const char *file, const rl_span *sp,
                       const char *region)
{
    rl_strbuf_clear(&q->key);
    rl_strbuf_printf(&q->key, "%s|%s|%u|%u|%s", rule, file, sp ? sp->start.line : 0,
                     sp ? sp->start.column : 0, region ? region : "");
    if (q->key.failed) {
        q->rc = RL_ENOMEM;
        return false;
    }
    if (rl_hmap_get(&q->reported, q->key.data, q->key.len))
        return false;
    char *k = rl_arena_strndup(q->a, q->key.data, q->key.len);
    if (!k || rl_hmap_put(&q->reported, k, q->key.len, (void *)1) < 0) {
        q->rc = RL_ENOMEM;
        return false;
    }
    return true;
}

static rl_finding *emit(req *q, const char *rule, const char *file, const rl_span *sp,
                        const char *path, const char *region, const char *msg)
{
    if (!msg) {
        q->rc = RL_ENOMEM;
        return NULL;
    }
    if (!first_time(q, rule, file, sp, region))
        return NULL;
    return rl_emit_as(q->ctx, rule, RL_LEVEL_NONE, file, sp && sp->start.line ? sp : NULL, path,
                      region, q->m->primary, "%s", msg);
}

/* The input's path with the stack's region blanked out: the key that pairs the instances
 * of one shared template and per-region files of the same name. */
static void norm_path(const rl_stack *st, rl_strbuf *b)
{
    const char *p = st->input->path;
    size_t rl = st->region ? strlen(st->region) : 0;
    while (*p) {
        if (rl && !strncmp(p, st->region, rl)) {
            rl_strbuf_putc(b, '*');
            p += rl;
        } else {
            rl_strbuf_putc(b, *p++);
        }
    }
}

/* An address without its leading module calls: module.a.module.b.aws_x.y -> aws_x.y. */
static const char *strip_modules(const char *id)
{
    while (!strncmp(id, "module.", 7)) {
        const char *dot = strchr(id + 7, '.');
        if (!dot)
            break;
        id = dot + 1;
    }
    return id;
}

static const char *pair_key(req *q, const rl_resource *r, bool stripped)
{
    rl_strbuf b = RL_STRBUF_INIT;
    norm_path(r->stack, &b);
    rl_strbuf_printf(&b, "\n%s", stripped ? strip_modules(r->id) : r->id);
    const char *k = b.failed ? NULL : rl_arena_strdup(q->a, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    if (!k)
        q->rc = RL_ENOMEM;
    return k;
}

static void index_primary(req *q)
{
    for (size_t i = 0; i < q->m->nstacks && !q->rc; i++) {
        const rl_stack *st = q->m->stacks[i];
        if (!rl_model_is_primary(q->m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !q->rc; j++) {
            const rl_resource *r = &st->resources[j];
            if (r->deployed == 0 || !capacity_of(r->type))
                continue;
            for (int s = 0; s < 2; s++) {
                if (s == 1 && strip_modules(r->id) == r->id)
                    break;
                const char *k = pair_key(q, r, s == 1);
                if (!k)
                    return;
                void **slot = rl_hmap_slot(&q->pairs, k, strlen(k));
                if (slot)
                    *slot = (void *)&ambiguous;
                else if (rl_hmap_puts(&q->pairs, k, (void *)r) < 0)
                    q->rc = RL_ENOMEM;
            }
        }
    }
}

static const rl_resource *counterpart(req *q, const rl_resource *r)
{
    for (int s = 0; s < 2; s++) {
        if (s == 1 && strip_modules(r->id) == r->id)
            break;
        const char *k = pair_key(q, r, s == 1);
        const rl_resource *p = k ? rl_hmap_gets(&q->pairs, k) : NULL;
        if (p == &ambiguous)
            return NULL;
        if (p && !strcmp(p->type, r->type))
            return p;
    }
    return NULL;
}

static bool is_standby(const req *q, const char *region)
{
    return region && rl_model_in_pair(q->m, region) && !rl_model_is_primary(q->m, region);
}

/* ---- RL902 ----------------------------------------------------------------------------------- */

static bool lower(const cprop *p, const value *s, const value *pv)
{
    if (!s->ok || !pv->ok)
        return false;
    if (p->kind == P_NUM)
        return s->num < pv->num;
    char fs[128], fp[128];
    double rs, rp;
    return rl_instance_class_rank(s->text, fs, sizeof(fs), &rs) &&
           rl_instance_class_rank(pv->text, fp, sizeof(fp), &rp) && !strcmp(fs, fp) && rs < rp;
}

static const char *label(const cprop *p)
{
    const char *dot = strrchr(p->path, '.');
    return dot ? dot + 1 : p->path;
}

static void compare(req *q, const rl_resource *s, const rl_resource *p, const ctype *t)
{
    value sv[MAXP], pv[MAXP];
    int first = -1;
    rl_strbuf b = RL_STRBUF_INIT;
    for (int i = 0; i < MAXP && t->p[i].path; i++) {
        read_value(q->a, s, &t->p[i], &sv[i]);
        read_value(q->a, p, &t->p[i], &pv[i]);
        if (!lower(&t->p[i], &sv[i], &pv[i]))
            continue;
        if (first < 0)
            first = i;
        rl_strbuf_printf(&b, "%s%s %s (primary: %s)", b.len ? ", " : "", label(&t->p[i]),
                         sv[i].text, pv[i].text);
    }
    if (first >= 0) {
        rl_finding *f = emit(
            q, RL_ID(RL902), sv[first].file, &sv[first].span, sv[first].path, s->stack->region,
            rl_arena_printf(q->a,
                            "%s (%s) has less capacity in the standby %s than in the primary %s: "
                            "%s; with the strategy %s the standby has to carry the primary's "
                            "full load the moment traffic moves",
                            s->id, s->type, s->stack->region, q->m->primary, rl_strbuf_cstr(&b),
                            rl_strategy_name(q->m->strategy)));
        for (int i = 0; f && i < MAXP && t->p[i].path; i++)
            if (lower(&t->p[i], &sv[i], &pv[i]))
                rl_emit_related(q->ctx, f, pv[i].file, &pv[i].span, "%s %s in the primary %s",
                                label(&t->p[i]), pv[i].text, q->m->primary);
    }
    rl_strbuf_free(&b);
}

/* Where a resource that is not deployed in a region says so: its Condition. */
static void condition_loc(req *q, const rl_resource *r, const char **file, rl_span *span,
                          const char **path)
{
    const rl_pair *c = rl_node_get_pair(r->node, "Condition");
    const rl_node *t = rl_node_get(r->node, "Type");
    *file = rl_doc_path(r->stack->input->doc);
    *span = c ? c->value->span : t ? t->span : r->node->span;
    *path = c ? rl_arena_printf(q->a, "%s.Condition", r->path) : r->path;
}

static void missing(req *q, const rl_resource *s)
{
    const char *file, *path;
    rl_span span;
    condition_loc(q, s, &file, &span, &path);
    emit(q, RL_ID(RL902), file, &span, path, s->stack->region,
         rl_arena_printf(q->a,
                         "%s (%s) is deployed in the primary %s but not in the standby %s%s%s%s: "
                         "with the strategy %s the standby has to carry the primary's full load "
                         "the moment traffic moves",
                         s->id, s->type, q->m->primary, s->stack->region,
                         s->condition ? " (Condition " : "", s->condition ? s->condition : "",
                         s->condition ? " is false there)" : "", rl_strategy_name(q->m->strategy)));
}

/* ---- RL901 ----------------------------------------------------------------------------------- */

/* What each strategy can achieve, in the words of the AWS whitepaper "Disaster Recovery of
 * Workloads on AWS" (docs/rules/RL901.md), and why. */
static const char *const speed[RL_STRATEGY_COUNT] = {"hours", "tens of minutes", "minutes",
                                                     "near zero", "near zero"};
static const char *const why[RL_STRATEGY_COUNT] = {
    ("the standby's infrastructure is deployed and its data restored from backups after "
     "the disaster"),
    "its compute is switched off and has to be started and scaled out during the failover",
    "a scaled-down copy takes traffic at once but has to scale out to the full load",
    "a full-size copy takes the traffic", "every region already serves traffic"};

/* The config file as findings name it: relative to the working folder when inside it. */
static const char *display(req *q, const char *path)
{
    char cwd[PATH_MAX], abs[PATH_MAX];
    if (path && realpath(path, abs) && getcwd(cwd, sizeof(cwd))) {
        size_t n = strlen(cwd);
        if (!strncmp(abs, cwd, n) && abs[n] == '/')
            return rl_arena_strdup(q->a, abs + n + 1);
    }
    return path;
}

static int load_table(req *q)
{
    /* the config's table, with the defaults for the strategies it leaves out */
    rl_setting t = rl_ctx_setting(q->ctx, RL_ID(RL901), "achievable-rto");
    for (int s = 0; s < RL_STRATEGY_COUNT; s++) {
        long secs = rl_setting_seconds(rl_setting_get(t, rl_strategy_name((rl_strategy)s)));
        q->achievable[s] = secs > 0 ? secs : 0;
    }
    return RL_OK;
}

/* The cheapest strategy whose achievable RTO fits. */
static rl_strategy fits(const req *q, long rto)
{
    for (int s = 0; s < RL_STRATEGY_COUNT; s++)
        if (q->achievable[s] <= rto)
            return (rl_strategy)s;
    return RL_STRATEGY_ACTIVE_ACTIVE;
}

static void rto_related(req *q, rl_finding *f)
{
    if (f && q->rto_node)
        rl_emit_related(q->ctx, f, q->cfg_file, &q->rto_node->span, "requirements.rto %s",
                        dur(q, q->cfg->rto));
}

static void strategy_too_slow(req *q)
{
    rl_strategy s = q->m->strategy;
    long rto = q->cfg->rto;
    if (rto >= q->achievable[s])
        return;
    rl_strategy better = fits(q, rto);
    rl_finding *f =
        emit(q, RL_ID(RL901), q->cfg_file, q->rto_node ? &q->rto_node->span : NULL,
             "requirements.rto", NULL,
             rl_arena_printf(q->a,
                             "requirements.rto is %s, but the strategy %s recovers in %s at best "
                             "(achievable-rto %s): %s; a %s RTO needs %s (%s) or better",
                             dur(q, rto), rl_strategy_name(s), speed[s], dur(q, q->achievable[s]),
                             why[s], dur(q, rto), rl_strategy_name(better),
                             dur(q, q->achievable[better])));
    if (f && q->strategy_node)
        rl_emit_related(q->ctx, f, q->cfg_file, &q->strategy_node->span, "strategy %s",
                        rl_strategy_name(s));
}

/* An ECS service that an Application Auto Scaling target keeps at one task or more. */
static int on_floor_ref(void *ctx, const rl_ref *ref, const rl_node *at)
{
    req *q = ctx;
    (void)at;
    if (ref->state == RL_KNOWN && rl_hmap_put(&q->floor, ref->res, RL_HMAP_PTR, (void *)1) < 0)
        q->rc = RL_ENOMEM;
    return q->rc;
}

static void scalable_floors(req *q)
{
    for (size_t i = 0; i < q->m->nstacks && !q->rc; i++) {
        const rl_stack *st = q->m->stacks[i];
        if (!rl_model_in_pair(q->m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources; j++) {
            const rl_resource *r = &st->resources[j];
            bool tf = st->source != RL_STACK_CFN;
            if (!r->type || r->deployed == 0 ||
                (strcmp(r->type, "AWS::ApplicationAutoScaling::ScalableTarget") &&
                 strcmp(r->type, "aws_appautoscaling_target")))
                continue;
            const char *dim = rl_eval_string(
                st, rl_edge_get(st, r->props, tf ? "scalable_dimension" : "ScalableDimension"));
            cprop minp = {tf ? "min_capacity" : "MinCapacity", P_NUM, 0};
            value v;
            read_value(q->a, r, &minp, &v);
            if (!dim || strcmp(dim, "ecs:service:DesiredCount") || !v.ok || v.num < 1)
                continue;
            rl_refs_each(st, r, rl_edge_get(st, r->props, tf ? "resource_id" : "ResourceId"),
                         on_floor_ref, q);
        }
    }
}

/* Compute at zero: the desired size is 0, or there is none and the minimum is 0. *which
 * receives the property that says so. */
static bool at_zero(req *q, const rl_resource *r, const ctype *t, value *at, int *which)
{
    if (rl_hmap_get(&q->floor, r, RL_HMAP_PTR))
        return false;
    for (int i = 0; i < MAXP && t->p[i].path; i++) {
        if (t->p[i].zero == Z_NONE)
            continue;
        read_value(q->a, r, &t->p[i], at);
        *which = i;
        if (at->found)
            return at->ok && at->num == 0;
    }
    return false;
}

static const char *zero_text(req *q, const rl_resource *r)
{
    rl_strategy s = q->m->strategy;
    return rl_arena_printf(q->a,
                           "the standby %s is a pilot light whatever the strategy says (%s): a "
                           "pilot light recovers in %s at best (achievable-rto %s), because %s; "
                           "requirements.rto is %s",
                           r->stack->region, rl_strategy_name(s), speed[RL_STRATEGY_PILOT_LIGHT],
                           dur(q, q->achievable[RL_STRATEGY_PILOT_LIGHT]),
                           why[RL_STRATEGY_PILOT_LIGHT], dur(q, q->cfg->rto));
}

static void standby_compute(req *q, const rl_resource *r, const rl_resource *p, const ctype *t)
{
    value zv;
    if (r->deployed == 0) {
        if (!p || p->deployed == 0)
            return;
        const char *file, *path;
        rl_span span;
        condition_loc(q, r, &file, &span, &path);
        rl_finding *f = emit(
            q, RL_ID(RL901), file, &span, path, r->stack->region,
            rl_arena_printf(q->a,
                            "%s (%s) runs in the primary %s but is not deployed in the standby "
                            "%s%s%s%s: the failover has to create it, so %s",
                            r->id, r->type, q->m->primary, r->stack->region,
                            r->condition ? " (Condition " : "", r->condition ? r->condition : "",
                            r->condition ? " is false there)" : "", zero_text(q, r)));
        rto_related(q, f);
        return;
    }
    int which = 0, pwhich = 0;
    if (!at_zero(q, r, t, &zv, &which))
        return;
    value pz;
    /* a primary at zero too: the files do not hold the capacity (a deploy script scales
     * both), so they say nothing about the standby being smaller */
    if (p && (at_zero(q, p, t, &pz, &pwhich) || !pz.found))
        return;
    const char *prim = "";
    if (p) {
        value pv;
        read_value(q->a, p, &t->p[which], &pv);
        if (pv.ok)
            prim = rl_arena_printf(q->a, "; %s in the primary %s", pv.text, q->m->primary);
    }
    rl_finding *f = emit(q, RL_ID(RL901), zv.file, &zv.span, zv.path, r->stack->region,
                         rl_arena_printf(q->a,
                                         "%s (%s) runs at zero capacity in the standby %s (%s "
                                         "0%s): %s",
                                         r->id, r->type, r->stack->region, label(&t->p[which]),
                                         prim, zero_text(q, r)));
    rto_related(q, f);
}

/* ---- the walk -------------------------------------------------------------------------------- */

static void standby_resources(req *q, bool on901, bool on902)
{
    bool compute = on901 && q->cfg && q->cfg->rto >= 0 &&
                   q->m->strategy > RL_STRATEGY_PILOT_LIGHT &&
                   q->achievable[RL_STRATEGY_PILOT_LIGHT] > q->cfg->rto;
    for (size_t i = 0; i < q->m->nstacks && !q->rc; i++) {
        const rl_stack *st = q->m->stacks[i];
        if (!is_standby(q, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !q->rc; j++) {
            const rl_resource *r = &st->resources[j];
            const ctype *t = capacity_of(r->type);
            if (!t)
                continue;
            const rl_resource *p = counterpart(q, r);
            if (compute && t->compute)
                standby_compute(q, r, p, t);
            if (!on902 || !p || p->deployed == 0)
                continue;
            if (r->deployed == 0)
                missing(q, r);
            else
                compare(q, r, p, t);
        }
    }
}

int rl_check_requirements(rl_rule_ctx *ctx)
{
    req q;
    memset(&q, 0, sizeof(q));
    q.ctx = ctx;
    q.m = rl_ctx_model(ctx);
    q.cfg = rl_ctx_config(ctx);
    bool on901 = rl_ctx_enabled(ctx, RL_ID(RL901)), on902 = rl_ctx_enabled(ctx, RL_ID(RL902));
    if (!q.m->primary || !q.m->nstandby)
        return RL_OK;
    if (on901 && !(q.cfg && q.cfg->rto >= 0 && q.cfg->doc))
        on901 = false; /* nothing declared, nothing to compare */
    if (!on901 && !on902)
        return RL_OK;
    int rc = RL_OK;
    q.key = (rl_strbuf)RL_STRBUF_INIT;
    if (!(q.a = rl_arena_new(0)))
        return RL_ENOMEM;
    if (on901) {
        q.cfg_file = display(&q, q.cfg->path);
        const rl_node *root = rl_doc_root(q.cfg->doc);
        q.rto_node = rl_node_path(root, "requirements.rto");
        q.strategy_node =
            q.cfg->strategy == (int)q.m->strategy ? rl_node_get(root, "strategy") : NULL;
        if ((rc = load_table(&q)) < 0)
            goto cleanup;
        strategy_too_slow(&q);
        if ((q.edge = rl_model_edge(q.m)))
            scalable_floors(&q);
    }
    index_primary(&q);
    if (!q.rc)
        standby_resources(&q, on901, on902);
    rc = q.rc;
cleanup:
    rl_hmap_free(&q.reported);
    rl_hmap_free(&q.pairs);
    rl_hmap_free(&q.floor);
    rl_strbuf_free(&q.key);
    rl_arena_free(q.a);
    return rc;
}
