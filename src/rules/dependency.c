/* The dependency family: a resource of one region that still depends on another region.
 * One walk over every resource value of every stack instance feeds RL501 (ARNs), RL502
 * (endpoints), RL503 (hard-coded region/AZ in a shared template) and RL504 (region-scoped
 * ids); RL505 follows Fn::ImportValue and Fn::GetStackOutput. */
#include <regionlint/eval.h>

#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "checks.h"
#include "../base/aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct id_use {
    const char *region;
    const char *res_id, *res_type;
    const char *file;
    rl_span span;
    const char *path;
    struct id_use *next;
} id_use;

typedef struct dep {
    rl_rule_ctx *ctx;
    const rl_model *m;
    const rl_stack *st;
    const rl_resource *res;
    const rl_node *leaf;
    const rl_walk *w;
    const char *path; /* the leaf's path, made for the first hit in it */
    const rl_evstr *s;
    bool on501, on502, on503, on504;
    rl_globset *allowed_paths;
    rl_globset *allowed_types;
    rl_setting pinned; /* RL501 pinned-endpoints */
    rl_hmap reported;  /* "rule|file|line|col|region" of findings already made */
    rl_hmap ids;       /* scoped id -> id_use list (RL504) */
    rl_strbuf key;
    rl_arena *arena;
    int rc;
} dep;

/* Findings already made, keyed by rule, position and regions: instances of a shared
 * template and several uses of one parameter report once. Returns the earlier finding (or
 * a non-NULL marker when it was dropped), NULL the first time; *slot receives the place
 * to store the new finding. */
static rl_finding *seen_before(dep *d, const char *rule, const char *file, const rl_span *sp,
                               const char *region, const char *extra, void ***slot)
{
    static rl_finding dropped;
    *slot = NULL;
    rl_strbuf_clear(&d->key);
    rl_strbuf_printf(&d->key, "%s|%s|%u|%u|%s|%s", rule, file, sp->start.line, sp->start.column,
                     region ? region : "", extra ? extra : "");
    if (d->key.failed) {
        d->rc = RL_ENOMEM;
        return &dropped;
    }
    void **old = rl_hmap_slot(&d->reported, d->key.data, d->key.len);
    if (old)
        return *old ? *old : &dropped;
    char *k = rl_arena_strndup(d->arena, d->key.data, d->key.len);
    if (!k || rl_hmap_put(&d->reported, k, d->key.len, NULL) < 0) {
        d->rc = RL_ENOMEM;
        return &dropped;
    }
    *slot = rl_hmap_slot(&d->reported, k, d->key.len);
    return NULL;
}

static bool first_time(dep *d, const char *rule, const char *file, const rl_span *sp,
                       const char *region, const char *extra)
{
    void **slot;
    return seen_before(d, rule, file, sp, region, extra, &slot) == NULL;
}

/* Where bytes of the current string came from: the literal (exact) when possible, else
 * the leaf value. Adds a related location for the property when the literal is elsewhere
 * (a parameter default or a parameter file). */
static void locate(dep *d, size_t off, size_t len, const char **file, rl_span *span,
                   bool *elsewhere, const char **via)
{
    *file = rl_doc_path(d->st->input->doc);
    *span = d->leaf->span;
    *elsewhere = false;
    if (rl_evstr_locate(d->s, off, len, file, span, via)) {
        *elsewhere = strcmp(*file, rl_doc_path(d->st->input->doc)) != 0 ||
                     span->start.line < d->leaf->span.start.line ||
                     span->start.line > d->leaf->span.end.line;
    }
}

static void add_use_site(dep *d, rl_finding *f, bool elsewhere, const char *via)
{
    if (!f || !elsewhere)
        return;
    rl_emit_related(d->ctx, f, rl_doc_path(d->st->input->doc), &d->leaf->span,
                    "used here by %s (%s)%s%s", d->res->id, d->res->type ? d->res->type : "",
                    via ? " through " : "", via ? via : "");
}

/* The matched text for messages: escaped, shortened, and with values that cannot be known
 * shown as the expression they come from (${AWS::AccountId}, ${PrimaryCluster}). */
static const char *excerpt(dep *d, size_t off, size_t len)
{
    rl_strbuf b = RL_STRBUF_INIT;
    size_t end = off + len;
    for (size_t i = 0; i < d->s->nparts && b.len < 200; i++) {
        const rl_strpart *p = &d->s->parts[i];
        size_t ps = p->off > off ? p->off : off;
        size_t pe = p->off + p->len < end ? p->off + p->len : end;
        if (ps >= pe)
            continue;
        if (!p->origin && p->via && p->len == 3 && !memcmp(d->s->str + p->off, "\xEF\xBF\xBD", 3)) {
            const char *name = !strncmp(p->via, "parameter ", 10) ? p->via + 10 : p->via;
            rl_strbuf_printf(&b, "${%s}", name);
        } else {
            rl_strbuf_put_escaped(&b, d->s->str + ps, pe - ps, 160);
        }
    }
    const char *r = rl_arena_strndup(d->arena, rl_strbuf_cstr(&b), b.len);
    rl_strbuf_free(&b);
    return r ? r : "";
}

static const char *last_key(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

static bool is_description(const char *k, size_t n)
{
    return n == 11 && (!memcmp(k, "Description", 11) || !memcmp(k, "description", 11));
}

/* Free text: a Description names regions without depending on them. The last key is read
 * from the walk (what follows the path's last '.'), so leaves get no path text here. */
static bool free_text(const rl_walk *w)
{
    size_t depth = rl_walk_depth(w);
    const rl_node *k = depth ? rl_walk_step(w, depth - 1, NULL) : NULL;
    if (depth && !k)
        return false; /* a list item: the path ends in "]" */
    if (depth && !rl_node_is_scalar(k))
        return false; /* the path ends in "." */
    if (!depth || memchr(k->u.s.str, '\0', k->u.s.len)) {
        const char *last = last_key(rl_walk_path(w));
        return is_description(last, strlen(last));
    }
    size_t start = k->u.s.len;
    while (start && k->u.s.str[start - 1] != '.')
        start--;
    return is_description(k->u.s.str + start, k->u.s.len - start);
}

/* Inside an IAM policy document: what a role may do on another region's resources is
 * RL202's question, not a dependency of the resource itself. */
static bool in_iam_policy(const dep *d)
{
    const char *p = d->path;
    const char *type = d->res->type ? d->res->type : "";
    return strstr(p, "PolicyDocument") || strstr(p, ".Policies[") ||
           !strcmp(type, "AWS::IAM::ManagedPolicy") || !strcmp(type, "AWS::IAM::Policy") ||
           (!strncmp(type, "aws_iam_", 8) && (strstr(p, ".policy") || strstr(p, ".inline_policy") ||
                                              strstr(p, ".assume_role_policy")));
}

/* A property that tells code which region to call: its name ends in "region" (AWS_REGION,
 * COGNITO_REGION, TargetRegion) and its whole value is a region code. */
static bool region_setting(const dep *d, const rl_hit *h)
{
    const char *k = last_key(d->path);
    size_t n = strlen(k);
    if (h->kind != RL_HIT_REGION || h->off != 0 || h->len != d->s->len || n < 6 ||
        strcasecmp(k + n - 6, "region"))
        return false;
    /* a nested stack's parameters are checked where the child template uses them */
    if (d->res->type && !strcmp(d->res->type, "AWS::CloudFormation::Stack"))
        return false;
    /* names that say the value is the other region on purpose: failover and replication
     * code has to know it (PRIMARY_REGION, SecondaryRegion, FAILOVER_REGION, ...) */
    static const char *const roles[] = {"primary", "secondary", "standby",     "failover", "peer",
                                        "source",  "target",    "destination", "replica",  "backup",
                                        "other",   "remote",    "partner",     "dr_",      "home"};
    for (size_t i = 0; i < sizeof(roles) / sizeof(*roles); i++) {
        size_t rl = strlen(roles[i]);
        for (size_t j = 0; j + rl <= n; j++)
            if (!strncasecmp(k + j, roles[i], rl))
                return false;
    }
    return true;
}

/* References to us-east-1 that AWS requires: CloudFront (its certificates, Lambda@Edge,
 * global WAF), edge-optimised API Gateway domain names and Cognito custom domains. */
static bool required_us_east_1(const dep *d, const rl_hit *h)
{
    if (strcmp(h->region, "us-east-1"))
        return false;
    const char *type = d->res->type ? d->res->type : "";
    if (!strncmp(type, "AWS::CloudFront::", 17) || !strncmp(type, "aws_cloudfront", 14))
        return true;
    if (strstr(d->path, "ViewerCertificate") || strstr(d->path, "LambdaFunctionAssociations") ||
        strstr(d->path, "lambda_function_association") || strstr(d->path, "viewer_certificate"))
        return true;
    if ((!strcmp(type, "AWS::ApiGateway::DomainName") ||
         !strcmp(type, "aws_api_gateway_domain_name")) &&
        (strstr(d->path, ".CertificateArn") || strstr(d->path, ".certificate_arn")))
        return true;
    if (!strcmp(type, "AWS::Cognito::UserPoolDomain") ||
        !strcmp(type, "aws_cognito_user_pool_domain"))
        return true;
    if (h->kind == RL_HIT_ARN && !strcmp(h->service, "wafv2") &&
        strstr(d->s->str + h->res_off, "global/"))
        return true;
    return false;
}

static bool is_pinned_host(const dep *d, const rl_hit *h)
{
    for (size_t i = 0; i < rl_setting_count(d->pinned); i++)
        if (!strcmp(rl_setting_str(rl_setting_at(d->pinned, i)), h->service))
            return true;
    return false;
}

/* ARN of a region-scoped identifier: non-multi-Region KMS key, ACM certificate, EC2 image,
 * snapshot, VPC, subnet, security group. */
static bool scoped_arn(const dep *d, const rl_hit *h, const char **what)
{
    const char *res = d->s->str + h->res_off;
    size_t rl = h->res_len;
    if (!strcmp(h->service, "kms") && rl > 4 && !strncmp(res, "key/", 4)) {
        if (rl > 8 && !strncmp(res + 4, "mrk-", 4))
            return false;
        *what = "KMS key (not multi-Region)";
        return true;
    }
    if (!strcmp(h->service, "acm") && rl > 12 && !strncmp(res, "certificate/", 12)) {
        *what = "ACM certificate";
        return true;
    }
    static const struct {
        const char *prefix, *what;
    } ec2[] = {{"image/", "AMI"},
               {"snapshot/", "EBS snapshot"},
               {"vpc/", "VPC"},
               {"subnet/", "subnet"},
               {"security-group/", "security group"}};
    if (!strcmp(h->service, "ec2"))
        for (size_t i = 0; i < sizeof(ec2) / sizeof(*ec2); i++)
            if (rl > strlen(ec2[i].prefix) && !strncmp(res, ec2[i].prefix, strlen(ec2[i].prefix))) {
                *what = ec2[i].what;
                return true;
            }
    return false;
}

static void cross_region(dep *d, const rl_hit *h)
{
    const char *region = d->st->region;
    const char *what = NULL;
    bool scoped = h->kind == RL_HIT_ARN && scoped_arn(d, h, &what);
    bool host = h->kind != RL_HIT_ARN; /* an endpoint, or a region setting */
    const char *rule = host ? RL_ID(RL502) : scoped ? RL_ID(RL504) : RL_ID(RL501);
    if ((host && !d->on502) || (scoped && !d->on504) || (!host && !scoped && !d->on501))
        return;
    const char *file;
    rl_span span;
    bool elsewhere;
    const char *via = NULL;
    locate(d, h->region_off, h->region_len, &file, &span, &elsewhere, &via);
    void **slot;
    rl_finding *prev = seen_before(d, rule, file, &span, region, h->region, &slot);
    if (prev) {
        /* the same literal reached another property: show that use too */
        if (prev->rule && elsewhere && prev->nrelated < 50)
            add_use_site(d, prev, elsewhere, via);
        return;
    }
    const char *text = excerpt(d, h->off, h->len);
    /* a reference to a resource of the other region (its derived ARN or endpoint) */
    const rl_strpart *from = NULL;
    for (size_t i = 0; i < d->s->nparts && !from; i++)
        if (d->s->parts[i].res && h->region_off >= d->s->parts[i].off &&
            h->region_off < d->s->parts[i].off + d->s->parts[i].len)
            from = &d->s->parts[i];
    if (from) {
        const char *attr = from->via ? strrchr(from->via, '.') : NULL;
        text = rl_arena_printf(d->arena, "%s (the %s of %s in %s)", text, attr ? attr + 1 : "value",
                               from->res->id, from->res->region);
        if (!text) {
            d->rc = RL_ENOMEM;
            return;
        }
    }
    rl_finding *f;
    const char *role = rl_model_is_primary(d->m, region) ? "primary" : "standby";
    if (h->kind == RL_HIT_REGION)
        f = rl_emit_as(d->ctx, rule, RL_LEVEL_NONE, file, &span, d->path, region, h->region,
                       "%s (%s) in the %s region %s is configured to call region %s (%s)",
                       d->res->id, d->res->type, role, region, h->region, last_key(d->path));
    else if (h->kind == RL_HIT_HOST)
        f = rl_emit_as(d->ctx, rule, RL_LEVEL_NONE, file, &span, d->path, region, h->region,
                       "%s (%s) in the %s region %s calls %s, an endpoint in %s", d->res->id,
                       d->res->type, role, region, text, h->region);
    else if (scoped)
        f = rl_emit_as(d->ctx, rule, RL_LEVEL_NONE, file, &span, d->path, region, h->region,
                       "%s (%s) in %s uses %s %s, which exists only in %s", d->res->id,
                       d->res->type, region, what, text, h->region);
    else
        f = rl_emit_as(d->ctx, rule, RL_LEVEL_NONE, file, &span, d->path, region, h->region,
                       "%s (%s) in the %s region %s references %s, an ARN in %s", d->res->id,
                       d->res->type, role, region, text, h->region);
    add_use_site(d, f, elsewhere, via);
    if (slot)
        *slot = f;
}

/* RL503: a literal region or AZ from the template itself, in a shared template instance
 * where it names another region. */
static void hard_coded(dep *d, const rl_hit *h)
{
    if (!d->on503 || !d->st->shared || !strcmp(h->region, d->st->region))
        return;
    const char *file, *via = NULL;
    rl_span span;
    bool elsewhere;
    locate(d, h->region_off, h->len, &file, &span, &elsewhere, &via);
    /* only literals written in the template: parameters and pseudo parameters are inputs */
    if (via || strcmp(file, rl_doc_path(d->st->input->doc)) != 0)
        return;
    if (!first_time(d, RL_ID(RL503), file, &span, NULL, NULL))
        return;
    const char *text = excerpt(d, h->off, h->len);
    rl_emit_as(d->ctx, RL_ID(RL503), RL_LEVEL_NONE, file, &span, d->path, d->st->region, h->region,
               "%s (%s) in a template shared by every region hard-codes the %s '%s', which is "
               "wrong in %s; use %s",
               d->res->id, d->res->type, h->kind == RL_HIT_AZ ? "availability zone" : "region",
               text, d->st->region,
               h->kind == RL_HIT_AZ ? "Fn::GetAZs (or a parameter)"
                                    : "AWS::Region (or a parameter)");
}

static void record_id(dep *d, const rl_hit *h)
{
    if (!d->on504)
        return;
    const char *file, *via = NULL;
    rl_span span;
    bool elsewhere;
    locate(d, h->off, h->len, &file, &span, &elsewhere, &via);
    char *id = rl_arena_strndup(d->arena, d->s->str + h->off, h->len);
    id_use *u = rl_arena_calloc(d->arena, 1, sizeof(*u));
    if (!id || !u) {
        d->rc = RL_ENOMEM;
        return;
    }
    u->region = d->st->region;
    u->res_id = d->res->id;
    u->res_type = d->res->type;
    u->file = file;
    u->span = span;
    u->path = rl_arena_strdup(d->arena, d->path);
    void **slot = rl_hmap_slot(&d->ids, id, h->len);
    if (slot) {
        u->next = *slot;
        *slot = u;
    } else if (rl_hmap_put(&d->ids, id, h->len, u) < 0) {
        d->rc = RL_ENOMEM;
    }
}

static int on_hit(void *ctx, const rl_hit *h)
{
    dep *d = ctx;
    if (d->rc)
        return d->rc;
    if (h->kind == RL_HIT_SCOPED_ID) {
        d->path = rl_walk_path(d->w);
        record_id(d, h);
        return d->rc;
    }
    /* most hits name the instance's own region: dropped before the path is made */
    if (!rl_model_in_pair(d->m, h->region) || !strcmp(h->region, d->st->region))
        return 0;
    d->path = rl_walk_path(d->w);
    if (required_us_east_1(d, h) || rl_globset_match(d->allowed_paths, d->path))
        return 0;
    if (h->kind == RL_HIT_HOST && is_pinned_host(d, h))
        return 0;
    /* what a role may do where (ARNs, aws:RequestedRegion conditions that keep writes to
     * the primary) is the IAM family's question (RL202, RL602) */
    if (in_iam_policy(d))
        return 0;
    if (h->kind == RL_HIT_ARN || h->kind == RL_HIT_HOST || region_setting(d, h))
        cross_region(d, h);
    else
        hard_coded(d, h);
    return d->rc;
}

static int on_string(void *ctx, const rl_evstr *s)
{
    dep *d = ctx;
    d->s = s;
    return rl_scan(s->str, s->len, on_hit, d);
}

static int on_leaf(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w)
{
    dep *d = ctx;
    if (free_text(w))
        return 0;
    d->res = res;
    d->leaf = leaf;
    d->w = w;
    d->path = NULL;
    int rc = rl_eval_strings(d->st, leaf, on_string, d);
    return rc ? rc : d->rc;
}

static bool type_allowed(const dep *d, const char *type)
{
    return type && rl_globset_match(d->allowed_types, type);
}

/* RL504: the same literal region-scoped id used by two regions. */
static void report_ids(dep *d)
{
    size_t it = 0;
    rl_hmap_entry *e;
    while ((e = rl_hmap_next(&d->ids, &it))) {
        const id_use *first_other = NULL;
        /* the list is in reverse walk order; find a use in the primary if any */
        const id_use *anchor = NULL;
        for (const id_use *u = e->value; u; u = u->next)
            if (rl_model_is_primary(d->m, u->region))
                anchor = u;
        for (const id_use *u = e->value; u; u = u->next) {
            const id_use *other = anchor && strcmp(anchor->region, u->region) ? anchor : NULL;
            for (const id_use *v = e->value; !other && v; v = v->next)
                if (strcmp(v->region, u->region))
                    other = v;
            if (!other || rl_model_is_primary(d->m, u->region))
                continue;
            first_other = other;
            if (!first_time(d, RL_ID(RL504), u->file, &u->span, u->region, NULL))
                continue;
            char id[64];
            size_t n = e->keylen < sizeof(id) - 1 ? e->keylen : sizeof(id) - 1;
            memcpy(id, e->key, n);
            id[n] = '\0';
            rl_finding *f = rl_emit_as(d->ctx, RL_ID(RL504), RL_LEVEL_NONE, u->file, &u->span,
                                       u->path, u->region, other->region,
                                       "%s (%s) uses %s in %s and in %s, but %s id exists in one "
                                       "region only",
                                       u->res_id, u->res_type, id, u->region, other->region,
                                       !strncmp(id, "ami-", 4)      ? "an AMI"
                                       : !strncmp(id, "snap-", 5)   ? "a snapshot"
                                       : !strncmp(id, "vpc-", 4)    ? "a VPC"
                                       : !strncmp(id, "subnet-", 7) ? "a subnet"
                                                                    : "a security group");
            if (f &&
                (strcmp(other->file, u->file) || other->span.start.line != u->span.start.line ||
                 other->span.start.column != u->span.start.column))
                rl_emit_related(d->ctx, f, other->file, &other->span, "the same id used in %s",
                                other->region);
        }
        (void)first_other;
    }
}

int rl_check_dependency(rl_rule_ctx *ctx)
{
    dep d;
    memset(&d, 0, sizeof(d));
    d.ctx = ctx;
    d.m = rl_ctx_model(ctx);
    d.on501 = rl_ctx_enabled(ctx, RL_ID(RL501));
    d.on502 = rl_ctx_enabled(ctx, RL_ID(RL502));
    d.on503 = rl_ctx_enabled(ctx, RL_ID(RL503));
    d.on504 = rl_ctx_enabled(ctx, RL_ID(RL504));
    /* the family's settings live on RL501 (see docs/rules/RL501.md) */
    d.pinned = rl_ctx_setting(ctx, RL_ID(RL501), "pinned-endpoints");
    d.key = (rl_strbuf)RL_STRBUF_INIT;
    int rc = RL_OK;
    /* compiled once: allowed paths are matched per value that names a region, allowed
     * types per resource and stack instance */
    if ((rc = rl_ctx_setting_globs(ctx, RL_ID(RL501), "allowed-paths", 0, &d.allowed_paths)) < 0 ||
        (rc = rl_ctx_setting_globs(ctx, RL_ID(RL501), "allowed-types", 0, &d.allowed_types)) < 0 ||
        !(d.arena = rl_arena_new(0))) {
        rc = RL_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < d.m->nstacks && rc == RL_OK; i++) {
        const rl_stack *st = d.m->stacks[i];
        if (!st->region || !rl_model_in_pair(d.m, st->region))
            continue;
        d.st = st;
        for (size_t j = 0; j < st->nresources && rc == RL_OK; j++) {
            const rl_resource *res = &st->resources[j];
            if (res->deployed == 0 || type_allowed(&d, res->type))
                continue;
            rc = rl_walk_resource(res, on_leaf, &d);
        }
    }
    if (rc == RL_OK && d.rc == RL_OK)
        report_ids(&d);
    if (rc == RL_OK)
        rc = d.rc;

cleanup:
    rl_globset_free(d.allowed_paths);
    rl_globset_free(d.allowed_types);
    rl_hmap_free(&d.reported);
    rl_hmap_free(&d.ids);
    rl_strbuf_free(&d.key);
    rl_arena_free(d.arena);
    return rc;
}
