/* The quotas family: a standby whose service quotas cannot carry the load it must take.
 * RL101 (lower than the primary) and RL102 (raised in the primary, not in the standby) join
 * the two regions' quotas by key; RL103 compares a standby quota with the primary's usage
 * (CloudWatch usage exports, Trusted Advisor); RL104 adds up what the standby's own stacks
 * request where a template states it. Every lookup goes through the model's indexes. */
#include <regionlint/refs.h>

#include "../base/hmap.h"
#include "../model/iam.h"
#include "../model/quotas.h"
#include "checks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct qc {
    rl_rule_ctx *ctx;
    const rl_model *m;
    bool on101, on102, on103, on104;
    rl_hmap reported; /* standby quotas already reported by RL103 */
    int rc;
} qc;

/* A quota value as people write it: 1920, 0.5, 1e+10. */
static const char *num(char *buf, size_t n, double v)
{
    if (fabs(v) < 1e15 && v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%g", v);
    return buf;
}

static const char *file_of(const rl_input *in)
{
    return rl_doc_path(in->doc);
}

/* Where a quota's value in force is written: the applied entry, else the default one. */
static void entry(const rl_quota *q, const char **file, const rl_span **span, const char **path,
                  const char **source)
{
    if (q->has_applied) {
        *file = file_of(q->applied_in);
        *span = &q->applied_node->span;
        *path = q->applied_path;
        *source = "applied";
    } else {
        *file = file_of(q->default_in);
        *span = &q->default_node->span;
        *path = q->default_path;
        *source = "AWS default";
    }
}

/* "Table-level read throughput limit (dynamodb L-AB614373 of arn:...:table/orders)" */
static const char *qname(char *buf, size_t n, const rl_quota *q)
{
    if (q->context_id)
        snprintf(buf, n, "%s (%s %s of %s)", q->name, q->service, q->code, q->context_id);
    else
        snprintf(buf, n, "%s (%s %s)", q->name, q->service, q->code);
    return buf;
}

static bool is_backup_restore(const qc *c)
{
    return rl_ctx_strategy(c->ctx) == RL_STRATEGY_BACKUP_RESTORE;
}

/* ---- RL101 / RL102 ---------------------------------------------------------------------- */

/* The AWS default a primary value is compared with to tell "raised" from "default": the
 * primary's own default export, else the standby's (defaults rarely differ by region). */
static bool primary_default(const rl_quota *p, const rl_quota *s, double *out)
{
    if (p->has_default)
        *out = p->def;
    else if (s && s->has_default)
        *out = s->def;
    else
        return false;
    return true;
}

static void report_lower(qc *c, const char *standby, const rl_quota *p, const rl_quota *s,
                         double pv, double sv)
{
    const char *sfile, *spath, *ssrc, *pfile, *ppath, *psrc;
    const rl_span *sspan, *pspan;
    char a[32], b[32], d[32], nm[400];
    entry(s, &sfile, &sspan, &spath, &ssrc);
    entry(p, &pfile, &pspan, &ppath, &psrc);
    double pdef;
    bool raised = p->has_applied && primary_default(p, s, &pdef) && p->applied > pdef;
    rl_finding *f;
    if (!s->has_applied && raised) {
        /* the increase was never requested in the standby: it still has the default */
        if (!c->on102)
            return;
        f = rl_emit_as(c->ctx, RL_ID(RL102), RL_LEVEL_NONE, sfile, sspan, spath, standby,
                       c->m->primary,
                       "%s was raised to %s in the primary %s, but %s has no applied value: it "
                       "runs on the AWS default %s; request the same increase in %s",
                       qname(nm, sizeof(nm), s), num(a, sizeof(a), pv), c->m->primary, standby,
                       num(b, sizeof(b), sv), standby);
        rl_emit_related(c->ctx, f, pfile, pspan, "the raised value in %s (%s)", c->m->primary,
                        num(d, sizeof(d), pv));
        return;
    }
    if (!c->on101)
        return;
    f = rl_emit_as(c->ctx, RL_ID(RL101), RL_LEVEL_NONE, sfile, sspan, spath, standby, c->m->primary,
                   "%s is %s in the standby %s (%s) but %s in the primary %s (%s)%s",
                   qname(nm, sizeof(nm), s), num(a, sizeof(a), sv), standby, ssrc,
                   num(b, sizeof(b), pv), c->m->primary, psrc,
                   s->adjustable == 0 ? "; it is not adjustable, so plan the standby's capacity "
                                        "around it"
                                      : "");
    rl_emit_related(c->ctx, f, pfile, pspan, "the value in the primary %s (%s, %s)", c->m->primary,
                    num(d, sizeof(d), pv), psrc);
}

/* RL102 "not exported": the primary's raised value has no counterpart at all in the
 * standby's exports, so the standby cannot be checked. A standby with no quota export at all
 * is not reported quota by quota: nothing was exported to check. */
static void report_not_exported(qc *c, const char *standby, const rl_quota *p)
{
    double pdef;
    char a[32], b[32], nm[400];
    if (!c->on102 || !p->has_applied || !primary_default(p, NULL, &pdef) || p->applied <= pdef ||
        !rl_model_quotas_exported(c->m, standby, NULL))
        return;
    bool service = rl_model_quotas_exported(c->m, standby, p->service);
    rl_level level = is_backup_restore(c) ? RL_LEVEL_NOTE : RL_LEVEL_WARNING;
    char why[160];
    if (service)
        snprintf(why, sizeof(why),
                 "the standby's exports have other %s quotas but no applied value or default "
                 "for this one",
                 p->service);
    else
        snprintf(why, sizeof(why), "the standby's exports have no %s quotas", p->service);
    rl_emit_as(c->ctx, RL_ID(RL102), level, file_of(p->applied_in), &p->applied_node->span,
               p->applied_path, standby, c->m->primary,
               "%s was raised to %s in the primary %s (default %s), but it is not exported for "
               "the standby %s (%s); export list-service-quotas and "
               "list-aws-default-service-quotas of %s there to check it",
               qname(nm, sizeof(nm), p), num(a, sizeof(a), p->applied), c->m->primary,
               num(b, sizeof(b), pdef), standby, why, p->service);
}

static void compare_quotas(qc *c, const char *standby)
{
    size_t n;
    const rl_quota *const *ps = rl_model_quotas(c->m, c->m->primary, &n);
    for (size_t i = 0; i < n; i++) {
        const rl_quota *p = ps[i];
        double pv, sv;
        if (!rl_quota_value(p, &pv))
            continue;
        const rl_quota *s = rl_model_quota(c->m, standby, p->service, p->code, p->context);
        if (!s) {
            report_not_exported(c, standby, p);
            continue;
        }
        if (rl_quota_value(s, &sv) && sv < pv)
            report_lower(c, standby, p, s, pv, sv);
    }
}

/* ---- RL103 -------------------------------------------------------------------------------- */

static bool first_report(qc *c, const void *what)
{
    if (rl_hmap_get(&c->reported, what, RL_HMAP_PTR))
        return false;
    if (rl_hmap_put(&c->reported, what, RL_HMAP_PTR, (void *)1) < 0)
        c->rc = RL_ENOMEM;
    return true;
}

static void usage_vs_quota(qc *c, const char *standby)
{
    size_t n;
    char a[32], b[32], nm[400];
    const rl_quota_usage *const *us = rl_model_quota_usage(c->m, c->m->primary, &n);
    for (size_t i = 0; i < n; i++) {
        const rl_quota_usage *u = us[i];
        const rl_quota *s = rl_model_quota_by_usage(c->m, standby, u->key);
        double sv;
        if (!s || !rl_quota_value(s, &sv) || sv >= u->value || !first_report(c, s))
            continue;
        const char *file, *path, *src;
        const rl_span *span;
        entry(s, &file, &span, &path, &src);
        rl_finding *f = rl_emit_as(
            c->ctx, RL_ID(RL103), RL_LEVEL_NONE, file, span, path, standby, c->m->primary,
            "%s is %s in the standby %s (%s), below the %s the primary %s uses at its peak: the "
            "standby cannot absorb the primary's load",
            qname(nm, sizeof(nm), s), num(a, sizeof(a), sv), standby, src,
            num(b, sizeof(b), u->value), c->m->primary);
        rl_emit_related(c->ctx, f, file_of(u->input), &u->node->span, "peak usage in %s: %s",
                        c->m->primary, num(a, sizeof(a), u->value));
    }
}

/* Trusted Advisor rows: the primary's current usage against the standby's limit, read from
 * the standby's quota export when a quota has the same name, else from the standby's row. */
static void ta_vs_quota(qc *c, const char *standby)
{
    size_t n;
    char a[32], b[32];
    const rl_ta_limit *const *ts = rl_model_ta_limits(c->m, c->m->primary, &n);
    for (size_t i = 0; i < n; i++) {
        const rl_ta_limit *t = ts[i];
        if (!t->has_usage)
            continue;
        const rl_quota *s = rl_model_quota_by_name(c->m, standby, t->name);
        double limit;
        const char *file, *path, *src;
        const rl_span *span;
        const void *what;
        if (s && rl_quota_value(s, &limit)) {
            entry(s, &file, &span, &path, &src);
            what = s;
        } else {
            const rl_ta_limit *st = rl_model_ta_limit(c->m, standby, t->service, t->name);
            if (!st)
                continue;
            limit = st->limit;
            file = file_of(st->input);
            span = &st->limit_node->span;
            path = st->limit_path;
            src = "Trusted Advisor";
            what = st;
        }
        if (limit >= t->usage || !first_report(c, what))
            continue;
        rl_finding *f = rl_emit_as(
            c->ctx, RL_ID(RL103), RL_LEVEL_NONE, file, span, path, standby, c->m->primary,
            "%s (%s) is limited to %s in the standby %s (%s), below the %s the primary %s "
            "uses (Trusted Advisor): the standby cannot absorb the primary's load",
            t->name, t->service, num(a, sizeof(a), limit), standby, src,
            num(b, sizeof(b), t->usage), c->m->primary);
        rl_emit_related(c->ctx, f, file_of(t->input), &t->usage_node->span,
                        "current usage in %s: %s (Trusted Advisor)", c->m->primary,
                        num(a, sizeof(a), t->usage));
    }
}

/* ---- RL104 -------------------------------------------------------------------------------- */

#define MAX_CONTRIB 12

/* What the standby's stacks request against one quota. */
typedef struct ask {
    const char *service, *code;
    const char *what; /* "reserved and provisioned concurrency", "VPCs", ... */
    char az[64];      /* NAT gateways: the availability zone, else "" */
    double total;
    double extra; /* what AWS adds (Lambda's 100 unreserved executions) */
    size_t count;
    struct {
        const char *file;
        char path[256];
        rl_span span;
        double amount;
        const char *res, *type;
    } top[MAX_CONTRIB];
    size_t ntop;
} ask;

/* The logical path of `at` inside the resource (found by walking its properties): the
 * finding's path names the property, as the other rules' paths do. */
static bool find_path(const rl_node *n, const rl_node *at, char *buf, size_t len, size_t cap,
                      int depth)
{
    if (n == at)
        return true;
    if (!n || depth > 32 || len >= cap)
        return false;
    if (rl_node_is_map(n)) {
        for (size_t i = 0; i < n->u.map.count; i++) {
            const char *k = rl_node_str(n->u.map.items[i].key);
            int w = snprintf(buf + len, cap - len, ".%s", k ? k : "?");
            if (w > 0 && len + (size_t)w < cap &&
                find_path(n->u.map.items[i].value, at, buf, len + (size_t)w, cap, depth + 1))
                return true;
        }
    } else if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++) {
            int w = snprintf(buf + len, cap - len, "[%zu]", i);
            if (w > 0 && len + (size_t)w < cap &&
                find_path(n->u.seq.items[i], at, buf, len + (size_t)w, cap, depth + 1))
                return true;
        }
    }
    buf[len] = '\0';
    return false;
}

static void ask_add(ask *k, const rl_resource *res, const rl_node *at, double amount)
{
    if (amount <= 0)
        return;
    k->total += amount;
    k->count++;
    /* keep the largest contributors, largest first (ties: the earlier one) */
    size_t pos = k->ntop;
    while (pos > 0 && k->top[pos - 1].amount < amount)
        pos--;
    if (pos >= MAX_CONTRIB)
        return;
    size_t last = k->ntop < MAX_CONTRIB ? k->ntop : MAX_CONTRIB - 1;
    memmove(&k->top[pos + 1], &k->top[pos], (last - pos) * sizeof(k->top[0]));
    k->top[pos].file = rl_doc_path(res->stack->input->doc);
    int w =
        snprintf(k->top[pos].path, sizeof(k->top[pos].path), "%s%s", res->path,
                 res->stack->source == RL_STACK_CFN && at && at != res->node ? ".Properties" : "");
    if (at && at != res->node && w > 0 && (size_t)w < sizeof(k->top[pos].path) &&
        !find_path(res->props, at, k->top[pos].path, (size_t)w, sizeof(k->top[pos].path), 0))
        k->top[pos].path[w > 0 ? (size_t)w : 0] = '\0';
    k->top[pos].span = at ? at->span : res->node->span;
    k->top[pos].amount = amount;
    k->top[pos].res = res->id;
    k->top[pos].type = res->type;
    if (k->ntop < MAX_CONTRIB)
        k->ntop++;
}

static bool tf(const rl_resource *r)
{
    return r->stack->source != RL_STACK_CFN;
}

static const rl_node *prop(const rl_resource *r, const char *cfn, const char *terraform)
{
    return rl_node_path(r->props, tf(r) ? terraform : cfn);
}

/* A number a template states: a literal, or a parameter / mapping that resolves to one. */
static bool stated_number(const rl_resource *r, const rl_node *n, double *out)
{
    if (!n)
        return false;
    if (rl_node_number(n, out))
        return isfinite(*out);
    const char *s = rl_eval_string(r->stack, n);
    if (!s)
        return false;
    char *end = NULL;
    *out = strtod(s, &end);
    return end && end != s && !*end && isfinite(*out);
}

static bool type_is(const rl_resource *r, const char *a, const char *b)
{
    return r->type && (!strcmp(r->type, a) || (b && !strcmp(r->type, b)));
}

/* ---- instance vCPUs ---- */

typedef struct vcpu_class {
    const char *prefix; /* family letters */
    const char *code;   /* Running On-Demand <class> instances (vCPU-based) */
} vcpu_class;

/* Family letters of each On-Demand vCPU quota. HPC, high-memory (u-) and Mac instances are
 * left out: their sizes do not follow the usual vCPU rule or they run on dedicated hosts. */
static const vcpu_class vcpu_classes[] = {
    {"inf", "L-1945791B"}, {"trn", "L-2C3B7624"}, {"dl", "L-6E869C2A"}, {"vt", "L-DB2E81BA"},
    {"f", "L-74FC7D96"},   {"g", "L-DB2E81BA"},   {"p", "L-417A185B"},  {"x", "L-7295265B"},
    {"a", "L-1216C47A"},   {"c", "L-1216C47A"},   {"d", "L-1216C47A"},  {"h", "L-1216C47A"},
    {"i", "L-1216C47A"},   {"m", "L-1216C47A"},   {"r", "L-1216C47A"},  {"t", "L-1216C47A"},
    {"z", "L-1216C47A"}};

/* vCPUs of an instance type from its size: large 2, xlarge 4, Nxlarge 4N; nano to medium 1,
 * except the burstable t3/t3a/t4g (2) and t2.medium (2). Unknown shapes give 0. */
static double instance_vcpus(const char *type, const char **code)
{
    const char *dot = type ? strchr(type, '.') : NULL;
    if (!dot || !strncmp(type, "hpc", 3) || !strncmp(type, "u-", 2) || !strncmp(type, "u7", 2) ||
        !strncmp(type, "mac", 3))
        return 0;
    size_t letters = 0;
    while (type + letters < dot && type[letters] >= 'a' && type[letters] <= 'z')
        letters++;
    *code = NULL;
    for (size_t i = 0; i < sizeof(vcpu_classes) / sizeof(*vcpu_classes) && !*code; i++) {
        size_t pl = strlen(vcpu_classes[i].prefix);
        if (letters >= pl && !strncmp(type, vcpu_classes[i].prefix, pl) &&
            (pl > 1 || letters == 1 || !strncmp(type, "im", 2) || !strncmp(type, "is", 2)))
            *code = vcpu_classes[i].code;
    }
    if (!*code)
        return 0;
    const char *size = dot + 1;
    bool burst = type[0] == 't' && type[1] >= '3';
    if (!strcmp(size, "nano") || !strcmp(size, "micro") || !strcmp(size, "small"))
        return burst ? 2 : 1;
    if (!strcmp(size, "medium"))
        return burst || !strncmp(type, "t2.", 3) ? 2 : 1;
    if (!strcmp(size, "large"))
        return 2;
    if (!strcmp(size, "xlarge"))
        return 4;
    char *end = NULL;
    unsigned long n = strtoul(size, &end, 10);
    if (n > 0 && end && !strcmp(end, "xlarge"))
        return 4.0 * (double)n;
    return 0;
}

/* The resource a value references (the reference layer). */
static const rl_resource *referenced(const rl_model *m, const rl_resource *r, const rl_node *n)
{
    (void)m;
    rl_ref ref = rl_ref_of(r->stack, r, n);
    return ref.state == RL_KNOWN ? ref.res : NULL;
}

/* The InstanceType a launch template or launch configuration states; NULL for Spot. */
static const char *launch_type(const rl_model *m, const rl_resource *r, const rl_node *ref)
{
    const rl_resource *lt = referenced(m, r, ref);
    const rl_node *t = NULL;
    if (!lt)
        return NULL;
    if (type_is(lt, "AWS::EC2::LaunchTemplate", NULL)) {
        if (rl_node_path(lt->props, "LaunchTemplateData.InstanceMarketOptions"))
            return NULL;
        t = rl_node_path(lt->props, "LaunchTemplateData.InstanceType");
    } else if (type_is(lt, "AWS::AutoScaling::LaunchConfiguration", NULL)) {
        if (rl_node_get(lt->props, "SpotPrice"))
            return NULL;
        t = rl_node_get(lt->props, "InstanceType");
    } else if (type_is(lt, "aws_launch_template", "aws_launch_configuration")) {
        if (rl_node_get(lt->props, "instance_market_options") ||
            rl_node_get(lt->props, "spot_price"))
            return NULL;
        t = rl_node_get(lt->props, "instance_type");
    }
    return t ? rl_eval_string(lt->stack, t) : NULL;
}

/* A Terraform nested block may be written as an object or a list of one object. */
static const rl_node *block(const rl_node *n)
{
    return rl_node_is_seq(n) ? rl_node_at(n, 0) : n;
}

typedef struct asks {
    ask lambda, vpc, eip;
    ask nat[16];
    size_t nnat;
    ask vcpu[8];
    size_t nvcpu;
    const rl_model *m;
} asks;

static void add_vcpus(asks *a, const rl_resource *r, const char *itype, double count,
                      const rl_node *at)
{
    const char *code = NULL;
    double per = itype ? instance_vcpus(itype, &code) : 0;
    if (per <= 0 || count <= 0)
        return;
    ask *k = NULL;
    for (size_t i = 0; i < a->nvcpu && !k; i++)
        if (!strcmp(a->vcpu[i].code, code))
            k = &a->vcpu[i];
    if (!k) {
        if (a->nvcpu == sizeof(a->vcpu) / sizeof(*a->vcpu))
            return;
        k = &a->vcpu[a->nvcpu++];
        memset(k, 0, sizeof(*k));
        k->service = "ec2";
        k->code = code;
        k->what = "vCPUs of fixed-capacity On-Demand instances";
    }
    ask_add(k, r, at, per * count);
}

static void add_nat(asks *a, const rl_resource *r)
{
    const rl_resource *subnet = referenced(a->m, r, prop(r, "SubnetId", "subnet_id"));
    const rl_node *azn = subnet ? prop(subnet, "AvailabilityZone", "availability_zone") : NULL;
    if (!azn)
        return;
    const char *az = rl_eval_string(subnet->stack, azn);
    const char *fn;
    const rl_node *arg;
    char buf[64];
    if (!az && !tf(subnet) && rl_node_intrinsic(azn, &fn, &arg) && !strcmp(fn, "Fn::Select")) {
        /* !Select [i, !GetAZs ""]: the i-th zone, whatever its name */
        const rl_node *inner = rl_node_at(arg, 1);
        const char *ifn;
        const char *idx = rl_node_str(rl_node_at(arg, 0));
        if (idx && rl_node_intrinsic(inner, &ifn, NULL) && !strcmp(ifn, "Fn::GetAZs")) {
            snprintf(buf, sizeof(buf), "zone #%s of Fn::GetAZs", idx);
            az = buf;
        }
    }
    if (!az)
        return;
    ask *k = NULL;
    for (size_t i = 0; i < a->nnat && !k; i++)
        if (!strncmp(a->nat[i].az, az, sizeof(a->nat[i].az) - 1))
            k = &a->nat[i];
    if (!k) {
        if (a->nnat == sizeof(a->nat) / sizeof(*a->nat))
            return;
        k = &a->nat[a->nnat++];
        memset(k, 0, sizeof(*k));
        k->service = "vpc";
        k->code = "L-FE5A380F";
        k->what = "NAT gateways";
        snprintf(k->az, sizeof(k->az), "%s", az);
    }
    ask_add(k, r, r->node, 1);
}

/* Lambda: a function's reserved concurrency, else its provisioned concurrency (provisioned
 * never exceeds reserved, so a function counts once). */
static void add_lambda(asks *a, const rl_resource *r)
{
    double reserved = 0, prov = 0;
    const rl_node *rn = prop(r, "ReservedConcurrentExecutions", "reserved_concurrent_executions");
    const rl_node *pn = NULL;
    if (type_is(r, "AWS::Serverless::Function", NULL))
        pn = rl_node_path(r->props, "ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
    if (!stated_number(r, rn, &reserved))
        reserved = 0;
    if (!stated_number(r, pn, &prov))
        prov = 0;
    if (reserved >= prov)
        ask_add(&a->lambda, r, rn, reserved);
    else
        ask_add(&a->lambda, r, pn, prov);
}

static void add_provisioned(asks *a, const rl_resource *r)
{
    const rl_node *pn = tf(r) ? rl_node_get(r->props, "provisioned_concurrent_executions")
                              : rl_node_path(r->props, "ProvisionedConcurrencyConfig."
                                                       "ProvisionedConcurrentExecutions");
    double prov;
    if (!stated_number(r, pn, &prov))
        return;
    const rl_resource *fn = referenced(a->m, r, prop(r, "FunctionName", "function_name"));
    double reserved;
    if (fn &&
        stated_number(fn,
                      prop(fn, "ReservedConcurrentExecutions", "reserved_concurrent_executions"),
                      &reserved) &&
        reserved > 0)
        return; /* inside the function's reserved concurrency, counted there */
    ask_add(&a->lambda, r, pn, prov);
}

static void add_group(asks *a, const rl_resource *r)
{
    const rl_model *m = a->m;
    double count;
    const rl_node *at;
    if (type_is(r, "AWS::AutoScaling::AutoScalingGroup", NULL)) {
        if (rl_node_get(r->props, "MixedInstancesPolicy"))
            return; /* Spot or several types: not a fixed On-Demand size */
        at = rl_node_get(r->props, "DesiredCapacity");
        if (!stated_number(r, at, &count))
            at = rl_node_get(r->props, "MinSize");
        if (!stated_number(r, at, &count))
            return;
        const rl_node *lt = rl_node_get(r->props, "LaunchTemplate");
        const rl_node *ref = rl_node_get(lt, "LaunchTemplateId");
        if (!ref)
            ref = rl_node_get(lt, "LaunchTemplateName");
        if (!ref)
            ref = rl_node_get(r->props, "LaunchConfigurationName");
        add_vcpus(a, r, launch_type(m, r, ref), count, at);
    } else if (type_is(r, "aws_autoscaling_group", NULL)) {
        if (rl_node_get(r->props, "mixed_instances_policy"))
            return;
        at = rl_node_get(r->props, "desired_capacity");
        if (!stated_number(r, at, &count))
            at = rl_node_get(r->props, "min_size");
        if (!stated_number(r, at, &count))
            return;
        const rl_node *ref = rl_node_get(block(rl_node_get(r->props, "launch_template")), "id");
        if (!ref)
            ref = rl_node_get(block(rl_node_get(r->props, "launch_template")), "name");
        if (!ref)
            ref = rl_node_get(r->props, "launch_configuration");
        add_vcpus(a, r, launch_type(m, r, ref), count, at);
    } else if (type_is(r, "AWS::EKS::Nodegroup", "aws_eks_node_group")) {
        bool t = tf(r);
        const char *cap = rl_eval_string(r->stack, prop(r, "CapacityType", "capacity_type"));
        if (cap && !strcmp(cap, "SPOT"))
            return;
        const rl_node *sc = block(prop(r, "ScalingConfig", "scaling_config"));
        at = rl_node_get(sc, t ? "desired_size" : "DesiredSize");
        if (!stated_number(r, at, &count))
            at = rl_node_get(sc, t ? "min_size" : "MinSize");
        if (!stated_number(r, at, &count))
            return;
        const rl_node *types = prop(r, "InstanceTypes", "instance_types");
        const char *itype = types ? rl_eval_string(r->stack, rl_node_at(types, 0)) : NULL;
        if (!types && !prop(r, "LaunchTemplate", "launch_template"))
            itype = "t3.medium"; /* the EKS default */
        add_vcpus(a, r, itype, count, at);
    }
}

static void collect_asks(asks *a, const char *standby)
{
    const rl_model *m = a->m;
    for (size_t i = 0; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        if (!st->region || strcmp(st->region, standby))
            continue;
        for (size_t j = 0; j < st->nresources; j++) {
            const rl_resource *r = &st->resources[j];
            if (r->deployed == 0 || !r->type)
                continue;
            if (type_is(r, "AWS::Lambda::Function", "aws_lambda_function") ||
                type_is(r, "AWS::Serverless::Function", NULL))
                add_lambda(a, r);
            else if (type_is(r, "AWS::Lambda::Alias", "AWS::Lambda::Version") ||
                     type_is(r, "aws_lambda_provisioned_concurrency_config", NULL))
                add_provisioned(a, r);
            else if (type_is(r, "AWS::EC2::VPC", "aws_vpc"))
                ask_add(&a->vpc, r, r->node, 1);
            else if (type_is(r, "AWS::EC2::EIP", "aws_eip"))
                ask_add(&a->eip, r, r->node, 1);
            else if (type_is(r, "AWS::EC2::NatGateway", "aws_nat_gateway"))
                add_nat(a, r);
            else if (type_is(r, "AWS::EC2::Instance", "aws_instance")) {
                if (tf(r) && (rl_node_get(r->props, "instance_market_options") ||
                              rl_node_get(r->props, "spot_instance_request")))
                    continue;
                const rl_node *tn = prop(r, "InstanceType", "instance_type");
                const char *itype = tn ? rl_eval_string(st, tn) : NULL;
                if (!tn) {
                    const rl_node *lt = block(prop(r, "LaunchTemplate", "launch_template"));
                    const rl_node *ref = rl_node_get(lt, tf(r) ? "id" : "LaunchTemplateId");
                    if (!ref)
                        ref = rl_node_get(lt, tf(r) ? "name" : "LaunchTemplateName");
                    itype = launch_type(m, r, ref);
                }
                add_vcpus(a, r, itype, 1, tn);
            } else {
                add_group(a, r);
            }
        }
    }
}

static void report_ask(qc *c, const char *standby, const ask *k)
{
    if (!k->count)
        return;
    const rl_quota *q = rl_model_quota(c->m, standby, k->service, k->code, NULL);
    double v;
    if (!q || !rl_quota_value(q, &v) || k->total + k->extra <= v)
        return;
    const char *qfile, *qpath, *src;
    const rl_span *qspan;
    char a[32], b[32], d[32];
    entry(q, &qfile, &qspan, &qpath, &src);
    char extra[96] = "";
    if (k->extra > 0)
        snprintf(extra, sizeof(extra), " plus the %s that AWS keeps unreserved",
                 num(d, sizeof(d), k->extra));
    char parts[160];
    if (k->count == 1)
        snprintf(parts, sizeof(parts), "%s", k->top[0].res);
    else if (k->top[0].amount == k->top[k->ntop - 1].amount && k->count == k->ntop)
        snprintf(parts, sizeof(parts), "%zu resources", k->count);
    else
        snprintf(parts, sizeof(parts), "%zu resources; the largest is %s with %s", k->count,
                 k->top[0].res, num(d, sizeof(d), k->top[0].amount));
    char where[96] = "";
    if (k->az[0])
        snprintf(where, sizeof(where), " in %s", k->az);
    rl_finding *f = rl_emit_as(
        c->ctx, RL_ID(RL104), RL_LEVEL_NONE, k->top[0].file, &k->top[0].span, k->top[0].path,
        standby, NULL,
        "the %s stacks ask for %s %s%s (%s)%s, more than %s (%s %s) allows in %s: %s (%s); the "
        "standby's deploy or scale-out fails",
        standby, num(a, sizeof(a), k->total), k->what, where, parts, extra, q->name, q->service,
        q->code, standby, num(b, sizeof(b), v), src);
    rl_emit_related(c->ctx, f, qfile, qspan, "the quota in %s", standby);
    for (size_t i = 1; i < k->ntop; i++)
        rl_emit_related(c->ctx, f, k->top[i].file, &k->top[i].span, "also counted: %s (%s): %s",
                        k->top[i].res, k->top[i].type, num(a, sizeof(a), k->top[i].amount));
}

static void stack_asks(qc *c, const char *standby)
{
    asks *a = calloc(1, sizeof(*a));
    if (!a) {
        c->rc = RL_ENOMEM;
        return;
    }
    a->m = c->m;
    a->lambda = (ask){.service = "lambda",
                      .code = "L-B99A9384",
                      .what = "reserved or provisioned concurrent executions of Lambda",
                      .extra = 100};
    a->vpc = (ask){.service = "vpc", .code = "L-F678F1CE", .what = "VPCs"};
    a->eip = (ask){.service = "ec2", .code = "L-0263D0A3", .what = "Elastic IP addresses"};
    collect_asks(a, standby);
    report_ask(c, standby, &a->lambda);
    report_ask(c, standby, &a->vpc);
    report_ask(c, standby, &a->eip);
    for (size_t i = 0; i < a->nnat; i++)
        report_ask(c, standby, &a->nat[i]);
    for (size_t i = 0; i < a->nvcpu; i++)
        report_ask(c, standby, &a->vcpu[i]);
    free(a);
}

int rl_check_quotas(rl_rule_ctx *ctx)
{
    qc c;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.m = rl_ctx_model(ctx);
    c.on101 = rl_ctx_enabled(ctx, RL_ID(RL101));
    c.on102 = rl_ctx_enabled(ctx, RL_ID(RL102));
    c.on103 = rl_ctx_enabled(ctx, RL_ID(RL103));
    c.on104 = rl_ctx_enabled(ctx, RL_ID(RL104));
    for (size_t i = 0; i < c.m->nstandby && c.rc == RL_OK; i++) {
        const char *standby = c.m->standby[i];
        if (!strcmp(standby, c.m->primary))
            continue;
        if (c.on101 || c.on102)
            compare_quotas(&c, standby);
        if (c.on103) {
            usage_vs_quota(&c, standby);
            ta_vs_quota(&c, standby);
        }
        if (c.on104)
            stack_asks(&c, standby);
    }
    rl_hmap_free(&c.reported);
    return c.rc;
}
