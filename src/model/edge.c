/* The application's edge (see edge.h): entry points, what fronts them, Route 53 records and
 * the resolution of values to them. Everything is indexed (resource ids per stack or root
 * module, custom names, service hosts per region, record names) so the observability rules
 * stay linear: no pair of resources is ever compared. */
#include "edge.h"

#include "../base/aws.h"

#include <regionlint/refs.h>

#include "model_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct eplink {
    rl_ep *ep;
    struct eplink *next;
} eplink;

struct rl_edge {
    const rl_model *m;
    rl_arena *a;
    rl_ep **eps;
    size_t neps, capeps;
    rl_record *recs;
    size_t nrecs, caprecs;
    rl_hmap by_key;    /* resource + "\n" + implicit id (SAM) -> rl_ep* */
    rl_hmap names;     /* custom name -> eplink */
    rl_hmap kinds;     /* region + "\n" + service -> eplink (load balancers without a name) */
    rl_hmap lbnames;   /* region + "\n" + load balancer name -> eplink */
    rl_hmap rec_names; /* record name -> (index + 1) of the last record of that name */
    size_t *rec_next;  /* chain of records of one name (index + 1) */
    bool layer;
    int rc;
};

static const char *const kind_what[RL_EP_KIND_COUNT] = {"REST API",
                                                        "HTTP API",
                                                        "custom domain",
                                                        "load balancer",
                                                        "CloudFront distribution",
                                                        "function URL",
                                                        "App Runner service",
                                                        "AppSync API",
                                                        "Elastic Beanstalk environment"};

static const char *const kind_service[RL_EP_KIND_COUNT] = {
    "execute-api",  "execute-api", "execute-api",     "elb", "cloudfront", "lambda-url",
    "awsapprunner", "appsync-api", "elasticbeanstalk"};

/* ---- small helpers -------------------------------------------------------------------- */

static bool is_tf(const rl_stack *st)
{
    return st->source != RL_STACK_CFN;
}

static const char *ev(const rl_stack *st, const rl_node *n)
{
    return n ? rl_eval_string(st, n) : NULL;
}

const rl_node *rl_edge_pick(const rl_stack *st, const rl_node *n)
{
    rl_val v = rl_val_of(st, n);
    /* an undecided Fn::If: the branch that is not AWS::NoValue (what can be there) */
    for (int depth = 0; v.state == RL_UNKNOWN && v.node && depth < 16; depth++) {
        const char *fn;
        const rl_node *arg;
        if (!rl_node_intrinsic(v.node, &fn, &arg) || strcmp(fn, "Fn::If"))
            break;
        rl_val yes = rl_val_of(st, rl_node_at(arg, 1));
        v = yes.state == RL_ABSENT ? rl_val_of(st, rl_node_at(arg, 2)) : yes;
    }
    const rl_node *out = v.state == RL_ABSENT ? NULL : v.node;
    /* Terraform blocks written as one-item lists */
    if (st->source != RL_STACK_CFN && rl_node_is_seq(out) && out->u.seq.count == 1 &&
        rl_node_is_map(out->u.seq.items[0]))
        out = out->u.seq.items[0];
    return out;
}

const rl_node *rl_edge_get(const rl_stack *st, const rl_node *map, const char *key)
{
    return rl_edge_pick(st, rl_node_get(rl_edge_pick(st, map), key));
}

static const char *prop(const rl_resource *r, const char *key)
{
    return ev(r->stack, rl_edge_get(r->stack, r->props, key));
}

static bool streq_ci(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

static void oom(rl_edge *e)
{
    e->rc = RL_ENOMEM;
}

static int list_put(rl_edge *e, rl_hmap *map, const char *key, rl_ep *ep)
{
    eplink *l = rl_arena_calloc(e->a, 1, sizeof(*l));
    char *k = rl_arena_strdup(e->a, key);
    if (!l || !k)
        return RL_ENOMEM;
    l->ep = ep;
    void **slot = rl_hmap_slot(map, k, strlen(k));
    if (slot) {
        for (eplink *o = *slot; o; o = o->next)
            if (o->ep == ep)
                return RL_OK;
        l->next = *slot;
        *slot = l;
        return RL_OK;
    }
    return rl_hmap_put(map, k, strlen(k), l) < 0 ? RL_ENOMEM : RL_OK;
}

/* ---- references ------------------------------------------------------------------------ */

/* The entry point a reference leads to: keyed by the resource, and for SAM's implicit
 * resources (ServerlessRestApi, <Function>Url) by the implicit id the reference layer
 * gives as its attribute. */
static bool implicit_attr(const char *attr)
{
    return attr && (!strcmp(attr, "ServerlessRestApi") || !strcmp(attr, "ServerlessHttpApi") ||
                    !strcmp(attr, "Url"));
}

static size_t ep_key(char *buf, size_t size, const void *res, const char *implicit)
{
    int n = snprintf(buf, size, "%p\n%s", res, implicit ? implicit : "");
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

static rl_ep *ep_of(const rl_edge *e, const rl_ref *ref)
{
    char key[600];
    if (implicit_attr(ref->attr) && ep_key(key, sizeof(key), ref->res, ref->attr)) {
        rl_ep *ep = rl_hmap_gets(&e->by_key, key);
        if (ep)
            return ep;
    }
    return ep_key(key, sizeof(key), ref->res, NULL) ? rl_hmap_gets(&e->by_key, key) : NULL;
}

typedef struct collected {
    const rl_resource *r[8];
    size_t n;
} collected;

static int collect_ref(void *ctx, const rl_ref *ref, const rl_node *at)
{
    collected *c = ctx;
    (void)at;
    if (ref->state != RL_KNOWN)
        return 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->r[i] == ref->res)
            return 0;
    if (c->n < 8)
        c->r[c->n++] = ref->res;
    return 0;
}

/* ---- hosts ------------------------------------------------------------------------------ */

/* Lower-cased host of a URL or a bare name, without scheme, port, path and trailing dot. */
static bool normalise_host(const char *s, size_t len, char *out, size_t outsz)
{
    const char *end = s + len;
    const char *scheme = NULL;
    for (const char *q = s; q + 3 <= end; q++)
        if (!memcmp(q, "://", 3)) {
            scheme = q;
            break;
        }
    if (scheme)
        s = scheme + 3;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    size_t n = 0;
    while (s + n < end && !strchr("/:?#\"' \t\r\n`,;)]}", s[n]))
        n++;
    while (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n >= outsz)
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
    /* Route 53 writes '*' as \052 */
    char *star = strstr(out, "\\052");
    if (star) {
        *star = '*';
        memmove(star + 1, star + 4, strlen(star + 4) + 1);
    }
    return strchr(out, '.') != NULL;
}

/* ---- targets ---------------------------------------------------------------------------- */

static void target_add(rl_edge *e, rl_target *t, rl_ep *ep)
{
    for (size_t i = 0; i < t->neps; i++)
        if (t->eps[i] == ep)
            return;
    /* capacity: the smallest power of two that holds max(4, neps) */
    if (t->neps == 0 || (t->neps >= 4 && (t->neps & (t->neps - 1)) == 0)) {
        size_t cap = t->neps ? t->neps * 2 : 4;
        rl_ep **n = rl_arena_alloc(e->a, cap * sizeof(*n));
        if (!n) {
            oom(e);
            return;
        }
        if (t->neps)
            memcpy(n, t->eps, t->neps * sizeof(*n));
        t->eps = n;
    }
    t->eps[t->neps++] = ep;
    t->known = true;
    if (!t->region)
        t->region = ep->region;
}

/* The name in a load balancer's DNS name: [dualstack.][internal-]NAME-ID.region.elb... */
static const char *lb_name(const char *host, char *out, size_t outsz)
{
    if (!strncmp(host, "dualstack.", 10))
        host += 10;
    if (!strncmp(host, "internal-", 9))
        host += 9;
    size_t l = strcspn(host, ".");
    const char *dash = NULL;
    for (const char *p = host; p < host + l; p++)
        if (*p == '-')
            dash = p;
    if (!dash || (size_t)(dash - host) >= outsz)
        return NULL;
    snprintf(out, outsz, "%.*s", (int)(dash - host), host);
    return out;
}

/* Load balancers of a region by name; false when none has that name. */
static bool lb_by_name(rl_edge *e, rl_target *t, const char *region, const char *name)
{
    char key[600];
    if (!name)
        return false;
    snprintf(key, sizeof(key), "%s\n%s", region, name);
    eplink *l = rl_hmap_gets(&e->lbnames, key);
    for (; l; l = l->next)
        target_add(e, t, l->ep);
    return rl_hmap_gets(&e->lbnames, key) != NULL;
}

/* An ARN leads to its region; an Elastic Load Balancing ARN
 * (loadbalancer/app/NAME/ID) to the load balancer of that name. */
static void add_arn(rl_edge *e, rl_target *t, const char *s, size_t len)
{
    char region[32], res[256];
    rl_arn arn;
    if (!rl_arn_parse(s, len, &arn) || !rl_arn_region_of(&arn, region, sizeof(region)))
        return;
    t->known = true;
    if (!t->region)
        t->region = rl_model_intern((rl_model *)e->m, region);
    const char *lb;
    size_t lbl;
    if (!rl_arn_is(&arn, "elasticloadbalancing") || arn.resource_len >= sizeof(res) ||
        !rl_arn_name(&arn, "loadbalancer/", &lb, &lbl))
        return;
    /* app/NAME/ID, net/NAME/ID, or NAME (classic) */
    memcpy(res, arn.resource + 13, arn.resource_len - 13);
    res[arn.resource_len - 13] = '\0';
    const char *r = res;
    char name[256];
    const char *slash = strchr(r, '/');
    if (slash && strchr(slash + 1, '/'))
        snprintf(name, sizeof(name), "%.*s", (int)(strchr(slash + 1, '/') - slash - 1), slash + 1);
    else
        snprintf(name, sizeof(name), "%s", r);
    lb_by_name(e, t, region, name);
}

static void add_host(rl_edge *e, rl_target *t, const char *host)
{
    bool partial = strstr(host, "\xEF\xBF\xBD") != NULL; /* a piece that cannot be known */
    if (!t->host && !partial && !(t->host = rl_arena_strdup(e->a, host)))
        oom(e);
    if (!partial) {
        eplink *l = rl_hmap_gets(&e->names, host);
        if (l) {
            for (; l; l = l->next)
                target_add(e, t, l->ep);
            return;
        }
    }
    char region[32], key[600];
    const char *svc = rl_host_service(host, region, sizeof(region));
    if (svc) {
        t->known = true;
        if (region[0] && !t->region)
            t->region = rl_model_intern((rl_model *)e->m, region);
        if (!strcmp(svc, "elb") && lb_by_name(e, t, region, lb_name(host, key, sizeof(key))))
            return;
        snprintf(key, sizeof(key), "%s\n%s", !strcmp(svc, "cloudfront") ? "" : region, svc);
        for (eplink *l = rl_hmap_gets(&e->kinds, key); l; l = l->next) {
            target_add(e, t, l->ep);
            t->by_kind = true;
        }
        return;
    }
    if (rl_host_region(host, region, sizeof(region))) {
        t->known = true;
        if (!t->region)
            t->region = rl_model_intern((rl_model *)e->m, region);
        return;
    }
    if (!partial)
        t->known = true; /* a concrete host that is none of ours */
}

typedef struct resolving {
    rl_edge *e;
    rl_target *t;
    bool text;
} resolving;

static int on_target_ref(void *ctx, const rl_ref *ref, const rl_node *at)
{
    resolving *rs = ctx;
    (void)at;
    if (ref->state != RL_KNOWN)
        return 0;
    const rl_resource *r = ref->res;
    rl_ep *ep = ep_of(rs->e, ref);
    if (ep) {
        target_add(rs->e, rs->t, ep);
        return 0;
    }
    if (!rl_type_global(r->type) && r->stack->region) {
        rs->t->known = true;
        if (!rs->t->region)
            rs->t->region = r->stack->region;
    }
    return 0;
}

/* Hosts in free text: the host of every URL, and AWS service hosts written bare. */
static void text_hosts(resolving *rs, const char *s, size_t len)
{
    char host[512];
    for (size_t i = 0; i + 3 < len; i++) {
        if (memcmp(s + i, "://", 3))
            continue;
        if (normalise_host(s + i, len - i, host, sizeof(host)))
            add_host(rs->e, rs->t, host);
    }
    for (size_t i = 0; i < len; i++) {
        bool start = i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '-' ||
                                 s[i - 1] == '.' || s[i - 1] == '/');
        if (!start || !isalnum((unsigned char)s[i]))
            continue;
        size_t n = 0;
        while (i + n < len &&
               (isalnum((unsigned char)s[i + n]) || s[i + n] == '-' || s[i + n] == '.'))
            n++;
        if (n < sizeof(host) && memchr(s + i, '.', n) &&
            normalise_host(s + i, n, host, sizeof(host))) {
            char region[32];
            if (rl_host_service(host, region, sizeof(region)))
                add_host(rs->e, rs->t, host);
        }
        i += n;
    }
}

static int on_target_string(void *ctx, const rl_evstr *s)
{
    resolving *rs = ctx;
    char host[512];
    if (!rs->text && s->len > 4 && !memcmp(s->str, "arn:", 4)) {
        add_arn(rs->e, rs->t, s->str, s->len);
        return rs->e->rc;
    }
    if (rs->text)
        text_hosts(rs, s->str, s->len);
    else if (normalise_host(s->str, s->len, host, sizeof(host)))
        add_host(rs->e, rs->t, host);
    return rs->e->rc;
}

int rl_edge_resolve_more(rl_edge *e, const rl_stack *st, const rl_node *value, bool text,
                         rl_target *t)
{
    if (!value)
        return e->rc;
    resolving rs = {e, t, text};
    rl_refs_each(st, NULL, value, on_target_ref, &rs);
    if (rl_node_is_scalar(value) || rl_node_is_seq(value) || !is_tf(st)) {
        if (rl_node_is_seq(value)) {
            for (size_t i = 0; i < value->u.seq.count && !e->rc; i++)
                if (rl_eval_strings(st, value->u.seq.items[i], on_target_string, &rs) == RL_ENOMEM)
                    oom(e);
        } else if (rl_eval_strings(st, value, on_target_string, &rs) == RL_ENOMEM) {
            oom(e);
        }
    }
    return e->rc;
}

int rl_edge_resolve(rl_edge *e, const rl_stack *st, const rl_node *value, bool text, rl_target *out)
{
    memset(out, 0, sizeof(*out));
    return rl_edge_resolve_more(e, st, value, text, out);
}

/* ---- entry points ----------------------------------------------------------------------- */

/* Registers what references to `res` (or to its SAM implicit resource `implicit`) lead to. */
static void put_key(rl_edge *e, const void *res, const char *implicit, rl_ep *ep)
{
    char key[600];
    size_t n = ep_key(key, sizeof(key), res, implicit);
    char *k = n ? rl_arena_strndup(e->a, key, n) : NULL;
    if (!k) {
        oom(e);
        return;
    }
    if (!rl_hmap_gets(&e->by_key, k) && rl_hmap_puts(&e->by_key, k, ep) < 0)
        oom(e);
}

static rl_ep *add_ep(rl_edge *e, const rl_resource *r, rl_ep_kind kind, const char *region,
                     const rl_node *at, const char *at_path, const char *id)
{
    const char *lbname = NULL;
    if (kind == RL_EP_LOAD_BALANCER)
        lbname = prop(r, is_tf(r->stack) ? "name" : "Name");
    if (e->neps == e->capeps) {
        size_t cap = e->capeps ? e->capeps * 2 : 64;
        rl_ep **n = realloc(e->eps, cap * sizeof(*n));
        if (!n) {
            oom(e);
            return NULL;
        }
        e->eps = n;
        e->capeps = cap;
    }
    rl_ep *ep = rl_arena_calloc(e->a, 1, sizeof(*ep));
    if (!ep) {
        oom(e);
        return NULL;
    }
    ep->res = r;
    ep->name = id ? id : r->id;
    ep->kind = kind;
    ep->what = kind_what[kind];
    ep->region = region;
    ep->at.file = rl_doc_path(r->stack->input->doc);
    if (!at)
        at = rl_node_get(r->node, "Type");
    ep->at.span = at ? at->span : r->node->span;
    ep->at.path = at_path ? at_path : r->path;
    ep->index = e->neps;
    e->eps[e->neps++] = ep;
    put_key(e, r, id, ep);
    char kk[600];
    if (lbname && region) {
        /* a named load balancer is found by its name in DNS names and ARNs */
        snprintf(kk, sizeof(kk), "%s\n%s", region, lbname);
        if (list_put(e, &e->lbnames, kk, ep) < 0)
            oom(e);
    } else if (region || kind == RL_EP_CLOUDFRONT) {
        snprintf(kk, sizeof(kk), "%s\n%s", kind == RL_EP_CLOUDFRONT ? "" : region,
                 kind_service[kind]);
        if (list_put(e, &e->kinds, kk, ep) < 0)
            oom(e);
    }
    return ep;
}

static bool private_endpoint(const rl_resource *r, const char *cfn_key, const char *tf_key)
{
    const rl_stack *st = r->stack;
    const rl_node *ec = rl_edge_get(st, r->props, is_tf(st) ? tf_key : cfn_key);
    const char *one = ev(st, ec);
    if (one && !strcasecmp(one, "PRIVATE"))
        return true; /* SAM: EndpointConfiguration: PRIVATE */
    const rl_node *types = rl_edge_get(st, ec, is_tf(st) ? "types" : "Types");
    if (!types)
        types = rl_edge_get(st, ec, "Type");
    const char *t = ev(st, types);
    if (t && !strcasecmp(t, "PRIVATE"))
        return true;
    for (size_t i = 0; rl_node_is_seq(types) && i < types->u.seq.count; i++)
        if (streq_ci(ev(st, types->u.seq.items[i]), "PRIVATE"))
            return true;
    return false;
}

/* SAM functions: a function URL, and the implicit APIs that Api/HttpApi events create (one
 * per template, named ServerlessRestApi / ServerlessHttpApi). */
static void sam_function(rl_edge *e, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    if (rl_edge_get(st, r->props, "FunctionUrlConfig")) {
        rl_ep *ep = add_ep(e, r, RL_EP_FUNCTION_URL, st->region, NULL, NULL, NULL);
        if (ep)
            put_key(e, r, "Url", ep);
    }
    const rl_node *events = rl_edge_pick(st, rl_node_get(r->props, "Events"));
    for (size_t i = 0; rl_node_is_map(events) && i < events->u.map.count; i++) {
        const rl_node *evn = rl_edge_pick(st, events->u.map.items[i].value);
        const rl_node *tn = rl_node_get(evn, "Type");
        const char *type = ev(st, tn);
        const rl_node *props = rl_node_get(evn, "Properties");
        bool rest = type && !strcmp(type, "Api") && !rl_node_get(props, "RestApiId");
        bool http = type && !strcmp(type, "HttpApi") && !rl_node_get(props, "ApiId");
        if (!rest && !http)
            continue;
        const char *id = rest ? "ServerlessRestApi" : "ServerlessHttpApi";
        char key[600];
        /* one implicit API per template instance, made by its first function with such an
         * event: the resource the reference layer gives for !Ref ServerlessRestApi */
        if (!ep_key(key, sizeof(key), st, id) || rl_hmap_gets(&e->by_key, key))
            continue;
        const char *path = rl_arena_printf(e->a, "%s.Properties.Events.%s.Type", r->path,
                                           rl_node_str(events->u.map.items[i].key));
        rl_ep *ep = add_ep(e, r, rest ? RL_EP_REST_API : RL_EP_HTTP_API, st->region, tn, path, id);
        if (ep) {
            ep->what = rest ? "implicit REST API (SAM Api event)"
                            : "implicit HTTP API (SAM HttpApi event)";
            put_key(e, st, id, ep);
        }
    }
}

static void entry_point(rl_edge *e, const rl_resource *r)
{
    const char *t = r->type;
    const rl_stack *st = r->stack;
    const char *region = st->region;
    if (!strcmp(t, "AWS::ApiGateway::RestApi") || !strcmp(t, "AWS::Serverless::Api") ||
        !strcmp(t, "aws_api_gateway_rest_api")) {
        if (!private_endpoint(r, "EndpointConfiguration", "endpoint_configuration"))
            add_ep(e, r, RL_EP_REST_API, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::ApiGatewayV2::Api") || !strcmp(t, "AWS::Serverless::HttpApi") ||
               !strcmp(t, "aws_apigatewayv2_api")) {
        add_ep(e, r, RL_EP_HTTP_API, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::ApiGateway::DomainName") ||
               !strcmp(t, "AWS::ApiGatewayV2::DomainName") ||
               !strcmp(t, "aws_api_gateway_domain_name") ||
               !strcmp(t, "aws_apigatewayv2_domain_name")) {
        if (!private_endpoint(r, "EndpointConfiguration", "endpoint_configuration"))
            add_ep(e, r, RL_EP_DOMAIN, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::ElasticLoadBalancingV2::LoadBalancer") ||
               !strcmp(t, "AWS::ElasticLoadBalancing::LoadBalancer")) {
        const char *scheme = prop(r, "Scheme"), *type = prop(r, "Type");
        if (!streq_ci(scheme, "internal") && !streq_ci(type, "gateway"))
            add_ep(e, r, RL_EP_LOAD_BALANCER, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "aws_lb") || !strcmp(t, "aws_alb") || !strcmp(t, "aws_elb")) {
        const char *internal = prop(r, "internal"), *type = prop(r, "load_balancer_type");
        if (!streq_ci(internal, "true") && !streq_ci(type, "gateway"))
            add_ep(e, r, RL_EP_LOAD_BALANCER, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::Lambda::Url") || !strcmp(t, "aws_lambda_function_url")) {
        add_ep(e, r, RL_EP_FUNCTION_URL, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::Serverless::Function")) {
        sam_function(e, r);
    } else if (!strcmp(t, "AWS::AppRunner::Service") || !strcmp(t, "aws_apprunner_service")) {
        bool tf = is_tf(st);
        const rl_node *ic = rl_edge_get(
            st, rl_edge_get(st, r->props, tf ? "network_configuration" : "NetworkConfiguration"),
            tf ? "ingress_configuration" : "IngressConfiguration");
        const char *pub =
            ev(st, rl_edge_get(st, ic, tf ? "is_publicly_accessible" : "IsPubliclyAccessible"));
        if (!streq_ci(pub, "false"))
            add_ep(e, r, RL_EP_APP_RUNNER, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::AppSync::GraphQLApi") || !strcmp(t, "aws_appsync_graphql_api")) {
        if (!streq_ci(prop(r, is_tf(st) ? "visibility" : "Visibility"), "PRIVATE"))
            add_ep(e, r, RL_EP_APPSYNC, region, NULL, NULL, NULL);
    } else if (!strcmp(t, "AWS::ElasticBeanstalk::Environment") ||
               !strcmp(t, "aws_elastic_beanstalk_environment")) {
        const char *tier = is_tf(st)
                               ? prop(r, "tier")
                               : ev(st, rl_edge_get(st, rl_edge_get(st, r->props, "Tier"), "Name"));
        if (!streq_ci(tier, "Worker"))
            add_ep(e, r, RL_EP_BEANSTALK, region, NULL, NULL, NULL);
    }
}

/* Items of a list that may also be one object (a Terraform block) and may hold Fn::If. */
static size_t items(const rl_node *list)
{
    return rl_node_is_seq(list) ? list->u.seq.count : list ? 1 : 0;
}

static const rl_node *item(const rl_stack *st, const rl_node *list, size_t i)
{
    return rl_edge_pick(st, rl_node_is_seq(list) ? list->u.seq.items[i] : list);
}

/* A CloudFront distribution is an entry point of the region its origins are in (the
 * primary when any origin is there): it keeps answering when that region fails, with
 * errors. Origins that are entry points get the distribution as their front. */
static void cloudfront(rl_edge *e, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    const rl_node *dc = tf ? r->props : rl_edge_get(st, r->props, "DistributionConfig");
    const rl_node *origins = rl_edge_get(st, dc, tf ? "origin" : "Origins");
    const char *region = NULL;
    rl_ep *fronted[32];
    size_t nf = 0;
    for (size_t i = 0; i < items(origins) && !e->rc; i++) {
        const rl_node *o = item(st, origins, i);
        if (!o)
            continue;
        rl_target t;
        rl_edge_resolve(e, st, rl_edge_get(st, o, tf ? "domain_name" : "DomainName"), false, &t);
        /* a VPC origin: where the VpcOrigin resource points (a load balancer, an instance) */
        const rl_node *vid =
            rl_edge_get(st, rl_edge_get(st, o, tf ? "vpc_origin_config" : "VpcOriginConfig"),
                        tf ? "vpc_origin_id" : "VpcOriginId");
        collected vo = {{NULL}, 0};
        if (vid)
            rl_refs_each(st, NULL, vid, collect_ref, &vo);
        for (size_t k = 0; k < vo.n; k++) {
            const rl_resource *v = vo.r[k];
            bool vtf = is_tf(v->stack);
            const rl_node *cfg = rl_edge_get(
                v->stack, v->props, vtf ? "vpc_origin_endpoint_config" : "VpcOriginEndpointConfig");
            rl_edge_resolve_more(e, v->stack, rl_edge_get(v->stack, cfg, vtf ? "arn" : "Arn"),
                                 false, &t);
        }
        for (size_t k = 0; k < t.neps && nf < 32; k++)
            fronted[nf++] = t.eps[k];
        if (t.region && (!region || rl_model_is_primary(e->m, t.region)))
            region = t.region;
    }
    if (!region)
        return;
    rl_ep *ep = add_ep(e, r, RL_EP_CLOUDFRONT, region, NULL, NULL, NULL);
    if (!ep)
        return;
    for (size_t k = 0; k < nf; k++)
        if (fronted[k] != ep && !fronted[k]->front)
            fronted[k]->front = ep;
    const rl_node *groups = tf ? rl_edge_get(st, dc, "origin_group")
                               : rl_edge_get(st, rl_edge_get(st, dc, "OriginGroups"), "Items");
    for (size_t i = 0; i < items(groups); i++) {
        const rl_node *g = item(st, groups, i);
        const rl_node *members =
            tf ? rl_node_get(g, "member") : rl_edge_get(st, rl_edge_get(st, g, "Members"), "Items");
        if (items(members) >= 2)
            ep->origin_failover = true;
    }
    const rl_node *aliases = rl_edge_get(st, dc, tf ? "aliases" : "Aliases");
    for (size_t i = 0; rl_node_is_seq(aliases) && i < aliases->u.seq.count; i++) {
        char host[512];
        const char *a = ev(st, aliases->u.seq.items[i]);
        if (a && normalise_host(a, strlen(a), host, sizeof(host)) &&
            list_put(e, &e->names, host, ep) < 0)
            oom(e);
    }
}

static void add_name(rl_edge *e, const rl_stack *st, const rl_node *n, rl_ep *ep)
{
    char host[512];
    const char *s = ev(st, n);
    if (s && normalise_host(s, strlen(s), host, sizeof(host)) &&
        list_put(e, &e->names, host, ep) < 0)
        oom(e);
}

/* Custom domain names: of API Gateway domain resources, and of SAM APIs (Domain). */
static void custom_names(rl_edge *e)
{
    for (size_t i = 0; i < e->neps; i++) {
        rl_ep *ep = e->eps[i];
        const rl_resource *r = ep->res;
        const rl_stack *st = r->stack;
        if (ep->kind == RL_EP_DOMAIN)
            add_name(e, st, rl_edge_get(st, r->props, is_tf(st) ? "domain_name" : "DomainName"),
                     ep);
        else if (!strcmp(r->type, "AWS::Serverless::Api") ||
                 !strcmp(r->type, "AWS::Serverless::HttpApi"))
            add_name(e, st, rl_edge_get(st, rl_edge_get(st, r->props, "Domain"), "DomainName"), ep);
    }
}

/* Base path and API mappings put a custom domain in front of an API. */
static void mapping(rl_edge *e, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    bool v1 = !strcmp(r->type, "AWS::ApiGateway::BasePathMapping");
    rl_target dom, api;
    rl_edge_resolve(e, st, rl_edge_get(st, r->props, tf ? "domain_name" : "DomainName"), false,
                    &dom);
    rl_edge_resolve(e, st,
                    rl_edge_get(st, r->props,
                                tf   ? "api_id"
                                : v1 ? "RestApiId"
                                     : "ApiId"),
                    false, &api);
    rl_ep *front = NULL;
    for (size_t i = 0; i < dom.neps && !front; i++)
        if (dom.eps[i]->kind == RL_EP_DOMAIN && dom.eps[i]->res->stack == st)
            front = dom.eps[i];
    for (size_t i = 0; i < dom.neps && !front; i++)
        if (dom.eps[i]->kind == RL_EP_DOMAIN)
            front = dom.eps[i];
    for (size_t i = 0; front && i < api.neps; i++)
        if (api.eps[i] != front && !api.eps[i]->front && !api.by_kind)
            api.eps[i]->front = front;
}

/* ---- Route 53 records ------------------------------------------------------------------- */

static rl_record *new_record(rl_edge *e)
{
    if (e->nrecs == e->caprecs) {
        size_t cap = e->caprecs ? e->caprecs * 2 : 32;
        rl_record *n = realloc(e->recs, cap * sizeof(*n));
        if (!n) {
            oom(e);
            return NULL;
        }
        e->recs = n;
        e->caprecs = cap;
    }
    rl_record *rec = &e->recs[e->nrecs++];
    memset(rec, 0, sizeof(*rec));
    return rec;
}

static void set_loc(rl_eloc *l, const rl_resource *r, const rl_node *n, const char *path)
{
    l->file = rl_doc_path(r->stack->input->doc);
    l->span = n ? n->span : r->node->span;
    l->path = path;
}

static void record(rl_edge *e, const rl_resource *r, const rl_node *node, const char *base)
{
    const rl_stack *st = r->stack;
    bool tf = is_tf(st);
    if (!rl_node_is_map(node))
        return;
    rl_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.res = r;
    char host[512];
    const char *name = ev(st, rl_edge_get(st, node, tf ? "name" : "Name"));
    if (name && normalise_host(name, strlen(name), host, sizeof(host)))
        rec.name = rl_arena_strdup(e->a, host);
    const rl_node *alias = rl_edge_get(st, node, tf ? "alias" : "AliasTarget");
    const rl_node *dns = rl_edge_get(st, alias, tf ? "name" : "DNSName");
    const rl_node *values = rl_edge_get(st, node, tf ? "records" : "ResourceRecords");
    const char *eth =
        ev(st, rl_edge_get(st, alias, tf ? "evaluate_target_health" : "EvaluateTargetHealth"));
    rec.evaluate_health = streq_ci(eth, "true");
    if (dns) {
        rl_edge_resolve(e, st, dns, false, &rec.target);
        set_loc(&rec.at, r, dns,
                rl_arena_printf(e->a, "%s.%s", base, tf ? "alias.name" : "AliasTarget.DNSName"));
    } else {
        rl_edge_resolve(e, st, values, false, &rec.target);
        const rl_node *first = rl_node_is_seq(values) ? rl_node_at(values, 0) : values;
        set_loc(&rec.at, r, first ? first : node,
                rl_arena_printf(e->a, "%s.%s%s", base, tf ? "records" : "ResourceRecords",
                                rl_node_is_seq(values) ? "[0]" : ""));
    }
    rec.policy_at = rec.at;
    const rl_node *hc = rl_edge_get(st, node, tf ? "health_check_id" : "HealthCheckId");
    rec.health_check = hc != NULL;
    const rl_node *pn;
    const char *pol = NULL;
    if ((pn = tf ? rl_edge_get(st, rl_edge_get(st, node, "failover_routing_policy"), "type")
                 : rl_edge_get(st, node, "Failover"))) {
        rec.policy = RL_ROUTE_FAILOVER;
        const char *v = ev(st, pn);
        rec.secondary = streq_ci(v, "SECONDARY");
        pol = tf ? "failover_routing_policy.type" : "Failover";
    } else if ((pn = tf ? rl_edge_get(st, rl_edge_get(st, node, "latency_routing_policy"), "region")
                        : rl_edge_get(st, node, "Region"))) {
        rec.policy = RL_ROUTE_LATENCY;
        const char *v = ev(st, pn);
        if (v && rl_is_region(v, strlen(v)))
            rec.region = rl_model_intern((rl_model *)e->m, v);
        pol = tf ? "latency_routing_policy.region" : "Region";
    } else if ((pn = tf ? rl_edge_get(st, node, "weighted_routing_policy")
                        : rl_edge_get(st, node, "Weight"))) {
        rec.policy = RL_ROUTE_WEIGHTED;
        pol = tf ? "weighted_routing_policy" : "Weight";
    } else {
        static const char *const cfn_other[] = {"MultiValueAnswer", "GeoLocation",
                                                "GeoProximityLocation", "CidrRoutingConfig",
                                                "SetIdentifier"};
        static const char *const tf_other[] = {
            "multivalue_answer_routing_policy", "geolocation_routing_policy",
            "geoproximity_routing_policy", "cidr_routing_policy", "set_identifier"};
        for (size_t i = 0; i < 5 && !pn; i++)
            if ((pn = rl_edge_get(st, node, tf ? tf_other[i] : cfn_other[i]))) {
                rec.policy = RL_ROUTE_OTHER;
                pol = tf ? tf_other[i] : cfn_other[i];
            }
    }
    if (pn)
        set_loc(&rec.policy_at, r, pn, rl_arena_printf(e->a, "%s.%s", base, pol));
    if (!rec.region)
        rec.region = rec.target.region;
    rl_record *slot = new_record(e);
    if (slot)
        *slot = rec;
}

static void records(rl_edge *e, const rl_resource *r)
{
    const rl_stack *st = r->stack;
    if (!strcmp(r->type, "AWS::Route53::RecordSet") || !strcmp(r->type, "aws_route53_record")) {
        record(e, r, r->props,
               is_tf(st) ? r->path : rl_arena_printf(e->a, "%s.Properties", r->path));
        return;
    }
    const rl_node *sets = rl_edge_get(st, r->props, "RecordSets");
    for (size_t i = 0; rl_node_is_seq(sets) && i < sets->u.seq.count; i++)
        record(e, r, rl_edge_pick(st, sets->u.seq.items[i]),
               rl_arena_printf(e->a, "%s.Properties.RecordSets[%zu]", r->path, i));
}

static void reach_add(rl_edge *e, rl_record *rec, const rl_ep *ep, size_t *cap)
{
    for (size_t i = 0; i < rec->nreach; i++)
        if (rec->reach[i] == ep)
            return;
    if (rec->nreach == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        const rl_ep **n = rl_arena_alloc(e->a, nc * sizeof(*n));
        if (!n) {
            oom(e);
            return;
        }
        if (rec->nreach)
            memcpy(n, rec->reach, rec->nreach * sizeof(*n));
        rec->reach = n;
        *cap = nc;
    }
    ((const rl_ep **)rec->reach)[rec->nreach++] = ep;
}

/* What each record reaches, through records that name other records (a failover pair over
 * per-region names, each an alias of a load balancer), and the record names as custom names
 * of what they reach. */
static void link_records(rl_edge *e)
{
    size_t *caps = calloc(e->nrecs + 1, sizeof(*caps));
    e->rec_next = calloc(e->nrecs + 1, sizeof(*e->rec_next));
    if (!caps || !e->rec_next) {
        free(caps);
        oom(e);
        return;
    }
    for (size_t i = 0; i < e->nrecs; i++) {
        rl_record *rec = &e->recs[i];
        for (size_t k = 0; k < rec->target.neps; k++)
            reach_add(e, rec, rec->target.eps[k], &caps[i]);
        if (!rec->name)
            continue;
        void **slot = rl_hmap_slot(&e->rec_names, rec->name, strlen(rec->name));
        if (slot) {
            e->rec_next[i] = (size_t)(uintptr_t)*slot;
            *slot = (void *)(uintptr_t)(i + 1);
        } else if (rl_hmap_puts(&e->rec_names, rec->name, (void *)(uintptr_t)(i + 1)) < 0) {
            oom(e);
        }
    }
    for (int round = 0; round < 4; round++)
        for (size_t i = 0; i < e->nrecs; i++) {
            rl_record *rec = &e->recs[i];
            if (!rec->target.host)
                continue;
            for (size_t j = (size_t)(uintptr_t)rl_hmap_gets(&e->rec_names, rec->target.host); j;
                 j = e->rec_next[j - 1])
                if (j - 1 != i)
                    for (size_t k = 0; k < e->recs[j - 1].nreach; k++)
                        reach_add(e, rec, e->recs[j - 1].reach[k], &caps[i]);
        }
    for (size_t i = 0; i < e->nrecs; i++) {
        rl_record *rec = &e->recs[i];
        if (!rec->region && rec->nreach) {
            const char *r0 = rec->reach[0]->region;
            for (size_t k = 1; k < rec->nreach && r0; k++)
                if (!rec->reach[k]->region || strcmp(rec->reach[k]->region, r0))
                    r0 = NULL;
            rec->region = r0;
        }
        for (size_t k = 0; rec->name && k < rec->nreach; k++)
            if (list_put(e, &e->names, rec->name, (rl_ep *)rec->reach[k]) < 0)
                oom(e);
    }
    free(caps);
}

/* ---- the edge --------------------------------------------------------------------------- */

static bool edge_layer_type(const rl_resource *r)
{
    static const char *const prefixes[] = {"AWS::Route53::",
                                           "AWS::Route53RecoveryControl::",
                                           "AWS::Route53RecoveryReadiness::",
                                           "AWS::ARCRegionSwitch::",
                                           "AWS::GlobalAccelerator::",
                                           "AWS::CloudFront::Distribution",
                                           "AWS::Synthetics::Canary",
                                           "aws_route53_",
                                           "aws_route53recoverycontrolconfig_",
                                           "aws_route53recoveryreadiness_",
                                           "aws_arcregionswitch_",
                                           "aws_globalaccelerator_",
                                           "aws_cloudfront_distribution",
                                           "aws_synthetics_canary"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
        if (!strncmp(r->type, prefixes[i], strlen(prefixes[i])))
            return true;
    return !strcmp(r->type, "AWS::Serverless::Api") &&
           rl_node_get(rl_node_get(r->props, "Domain"), "Route53");
}

static bool in_pair(const rl_edge *e, const rl_resource *r)
{
    return r->type && r->deployed != 0 && rl_model_in_pair(e->m, r->stack->region) &&
           strncmp(r->id, "data.", 5);
}

typedef void (*res_fn)(rl_edge *e, const rl_resource *r);

static void each(rl_edge *e, res_fn fn, const char *const *types, size_t ntypes)
{
    for (size_t i = 0; i < e->m->nstacks && !e->rc; i++) {
        const rl_stack *st = e->m->stacks[i];
        for (size_t j = 0; j < st->nresources && !e->rc; j++) {
            const rl_resource *r = &st->resources[j];
            if (!in_pair(e, r))
                continue;
            bool match = ntypes == 0;
            for (size_t k = 0; k < ntypes && !match; k++)
                match = !strcmp(r->type, types[k]);
            if (match)
                fn(e, r);
        }
    }
}

static void layer(rl_edge *e, const rl_resource *r)
{
    if (!e->layer && edge_layer_type(r))
        e->layer = true;
}

int rl_edge_build(rl_edge **out, const rl_model *m)
{
    *out = NULL;
    rl_edge *e = calloc(1, sizeof(*e));
    if (!e || !(e->a = rl_arena_new(0))) {
        free(e);
        return RL_ENOMEM;
    }
    e->m = m;
    static const char *const distributions[] = {"AWS::CloudFront::Distribution",
                                                "aws_cloudfront_distribution"};
    static const char *const mappings[] = {
        "AWS::ApiGateway::BasePathMapping", "AWS::ApiGatewayV2::ApiMapping",
        "aws_api_gateway_base_path_mapping", "aws_apigatewayv2_api_mapping"};
    static const char *const recs[] = {"AWS::Route53::RecordSet", "AWS::Route53::RecordSetGroup",
                                       "aws_route53_record"};
    each(e, entry_point, NULL, 0);
    each(e, cloudfront, distributions, 2);
    if (!e->rc)
        custom_names(e);
    each(e, mapping, mappings, 4);
    each(e, records, recs, 3);
    if (!e->rc)
        link_records(e);
    each(e, layer, NULL, 0);
    if (e->rc) {
        rl_edge_free(e);
        return RL_ENOMEM;
    }
    *out = e;
    return RL_OK;
}

void rl_edge_free(rl_edge *e)
{
    if (!e)
        return;
    free(e->eps);
    free(e->recs);
    free(e->rec_next);
    rl_hmap_free(&e->by_key);
    rl_hmap_free(&e->names);
    rl_hmap_free(&e->kinds);
    rl_hmap_free(&e->lbnames);
    rl_hmap_free(&e->rec_names);
    rl_arena_free(e->a);
    free(e);
}

rl_edge *rl_model_edge(const rl_model *m)
{
    return m && m->priv ? m->priv->edge : NULL;
}

size_t rl_edge_count(const rl_edge *e)
{
    return e->neps;
}

rl_ep *rl_edge_at(const rl_edge *e, size_t i)
{
    return i < e->neps ? e->eps[i] : NULL;
}

size_t rl_edge_record_count(const rl_edge *e)
{
    return e->nrecs;
}

const rl_record *rl_edge_record(const rl_edge *e, size_t i)
{
    return i < e->nrecs ? &e->recs[i] : NULL;
}

bool rl_edge_layer_present(const rl_edge *e)
{
    return e->layer;
}

rl_ep *rl_edge_root(rl_ep *ep)
{
    for (int i = 0; ep && ep->front && i < 8; i++)
        ep = ep->front;
    return ep;
}
