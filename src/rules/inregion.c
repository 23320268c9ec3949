/* The in-region family: RL801, a resource of the primary region with a single-AZ
 * configuration (an RDS instance without Multi-AZ, a database cluster with one instance,
 * subnets or zones of one AZ for Auto Scaling groups and load balancers, a cache without
 * replicas or failover, one NAT gateway for several AZs, EFS One Zone, a search domain
 * without zone awareness), in CloudFormation and Terraform. Values are resolved per stack
 * instance; anything that cannot be resolved proves nothing and is not reported. An index
 * of the primary stacks' resources (by logical id or address, and by physical id or name)
 * resolves subnets, route tables and cluster members without pairwise scans. */
#include "inregion.h"

#include <regionlint/refs.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- zone tallies (inregion.h) ------------------------------------------------------ */

static int form_of(const char *key)
{
    if (!strncmp(key, "id:", 3))
        return 1;
    if (!strncmp(key, "index:", 6))
        return 2;
    return 0;
}

void rl_tally_add(rl_zone_tally *t, const char *member, const char *zone)
{
    if (t->items++ == 0)
        t->member = member;
    else if (strcmp(t->member, member) != 0)
        t->members_differ = true;
    if (!zone) {
        t->zone_unknown = true;
        return;
    }
    int f = form_of(zone);
    for (int g = 0; g < 3; g++)
        if (g != f && t->zone[g])
            t->forms_differ = true;
    if (!t->zone[f])
        t->zone[f] = zone;
    else if (strcmp(t->zone[f], zone) != 0)
        t->zones_differ = true;
}

bool rl_tally_one_zone(const rl_zone_tally *t)
{
    if (t->unknown || t->many || t->items == 0)
        return false;
    return !t->members_differ || (!t->zone_unknown && !t->zones_differ && !t->forms_differ);
}

bool rl_tally_several_zones(const rl_zone_tally *t)
{
    return t->many || t->zones_differ;
}

const char *rl_zone_display(const char *key, char *buf, size_t cap)
{
    static const char *const nth[] = {"first", "second", "third", "fourth", "fifth", "sixth"};
    if (!strncmp(key, "index:", 6)) {
        long i = strtol(key + 6, NULL, 10);
        if (i >= 0 && i < 6)
            snprintf(buf, cap, "the region's %s zone", nth[i]);
        else
            snprintf(buf, cap, "the region's zone number %ld", i + 1);
    } else
        snprintf(buf, cap, "%s", strchr(key, ':') ? strchr(key, ':') + 1 : key);
    return buf;
}

/* ---- the index ---------------------------------------------------------------------- */

typedef struct members { /* the DB instances of one cluster */
    size_t known;        /* certainly deployed */
    size_t maybe;        /* under a condition, or a Terraform count that cannot be read */
    const rl_resource *first;
} members;

typedef struct nat_use { /* the subnets that route through one NAT gateway */
    rl_zone_tally t;
    const char *names[3]; /* the first subnets, for the message */
    size_t nnames;
} nat_use;

typedef struct ir {
    rl_rule_ctx *ctx;
    const rl_model *m;
    rl_arena *arena;
    rl_hmap members;  /* cluster resource -> members */
    rl_hmap unsure;   /* scope -> 1: a DB instance whose cluster cannot be told */
    rl_hmap rt_nat;   /* route table resource -> NAT gateway resource */
    rl_hmap nats;     /* NAT gateway resource -> nat_use */
    rl_hmap reported; /* file|line|col of findings made (instances of one template) */
    rl_strbuf key;    /* scratch for the keys of `reported` */
    int rc;
} ir;

static bool cfn(const rl_resource *r)
{
    return r->stack->source == RL_STACK_CFN;
}

static bool is_type(const rl_resource *r, const char *t)
{
    return r->type && !strcmp(r->type, t);
}

/* A property; Terraform blocks written as a list of one use the first. */
static const rl_node *block(const rl_node *n)
{
    return rl_node_is_seq(n) ? rl_node_at(n, 0) : n;
}

static bool no_value(const rl_node *v)
{
    const char *fn;
    const rl_node *arg;
    return rl_node_intrinsic(v, &fn, &arg) && !strcmp(fn, "Ref") &&
           rl_node_streq(arg, "AWS::NoValue");
}

/* A property; NULL when absent, AWS::NoValue or a plan's null. */
static const rl_node *prop(const rl_resource *r, const char *key)
{
    const rl_node *v = rl_node_get(block(r->props), key);
    return (rl_node_is_scalar(v) && v->type == RL_SCALAR_NULL) || no_value(v) ? NULL : v;
}

static const rl_node *sub(const rl_node *b, const char *key)
{
    const rl_node *v = rl_node_get(block(b), key);
    return (rl_node_is_scalar(v) && v->type == RL_SCALAR_NULL) || no_value(v) ? NULL : v;
}

/* Whether a property that is not there has its default: in a plan or a state an attribute
 * that is not there is one Terraform does not know yet (computed after apply). */
static bool absent_is_default(const rl_resource *r)
{
    return r->stack->source != RL_STACK_TF_PLAN;
}

/* ---- values ------------------------------------------------------------------------- */

enum { V_ABSENT = -2, V_UNKNOWN = -1 };

typedef struct alts {
    size_t n;
    bool incomplete;
    char first[64];
    bool differ;
} alts;

static int on_alt(void *ctx, const rl_evstr *s)
{
    alts *a = ctx;
    if (!s->complete || s->len >= sizeof(a->first)) {
        a->incomplete = true;
        return 0;
    }
    if (a->n++ == 0)
        memcpy(a->first, s->str, s->len + 1);
    else if (strcmp(a->first, s->str) != 0)
        a->differ = true;
    return 0;
}

/* The one value every alternative of `n` resolves to, in a->first; false when absent,
 * unknown or different per alternative. */
static bool one_value(ir *x, const rl_resource *res, const rl_node *n, alts *a)
{
    memset(a, 0, sizeof(*a));
    if (!n)
        return false;
    int rc = rl_eval_strings(res->stack, n, on_alt, a);
    if (rc < 0)
        x->rc = rc;
    return a->n > 0 && !a->incomplete && !a->differ;
}

/* A boolean property: 1, 0, V_ABSENT or V_UNKNOWN. */
static int truth(ir *x, const rl_resource *res, const rl_node *n)
{
    alts a;
    int absent = absent_is_default(res) ? V_ABSENT : V_UNKNOWN;
    if (!n)
        return absent;
    if (!one_value(x, res, n, &a))
        return a.n == 0 && !a.incomplete ? absent : V_UNKNOWN; /* AWS::NoValue */
    if (!strcasecmp(a.first, "true"))
        return 1;
    if (!strcasecmp(a.first, "false"))
        return 0;
    return V_UNKNOWN;
}

/* A whole-number property: the value, V_ABSENT or V_UNKNOWN. */
static long number(ir *x, const rl_resource *res, const rl_node *n)
{
    alts a;
    int absent = absent_is_default(res) ? V_ABSENT : V_UNKNOWN;
    if (!n)
        return absent;
    if (!one_value(x, res, n, &a))
        return a.n == 0 && !a.incomplete ? absent : V_UNKNOWN;
    char *end;
    long v = strtol(a.first, &end, 10);
    return end != a.first && !*end && v >= 0 ? v : V_UNKNOWN;
}

/* The one string value of `n`, copied into the arena, or NULL. */
static const char *text(ir *x, const rl_resource *res, const rl_node *n)
{
    alts a;
    if (!one_value(x, res, n, &a))
        return NULL;
    const char *s = rl_arena_strdup(x->arena, a.first);
    if (!s)
        x->rc = RL_ENOMEM;
    return s;
}

typedef struct prefix_ctx {
    const char *prefix;
    bool found;
} prefix_ctx;

static int on_prefix(void *ctx, const rl_evstr *s)
{
    prefix_ctx *p = ctx;
    size_t n = strlen(p->prefix);
    if (s->len >= n && !strncasecmp(s->str, p->prefix, n))
        p->found = true;
    return 0;
}

/* Whether some alternative of `n` starts with `prefix`. */
static bool any_prefix(ir *x, const rl_resource *res, const rl_node *n, const char *prefix)
{
    prefix_ctx p = {prefix, false};
    int rc = rl_eval_strings(res->stack, n, on_prefix, &p);
    if (rc < 0)
        x->rc = rc;
    return p.found;
}

/* Whether some path through Fn::If reaches AWS::NoValue (the property may be absent). */
static bool may_be_absent(const rl_resource *res, const rl_node *n, int depth)
{
    const char *fn;
    const rl_node *arg;
    if (depth > 16 || !cfn(res) || !rl_node_intrinsic(n, &fn, &arg))
        return false;
    if (!strcmp(fn, "Ref"))
        return rl_node_streq(arg, "AWS::NoValue");
    if (strcmp(fn, "Fn::If"))
        return false;
    const char *c = rl_node_str(rl_node_at(arg, 0));
    int v = c ? rl_eval_condition(res->stack, c) : -1;
    return (v != 0 && may_be_absent(res, rl_node_at(arg, 1), depth + 1)) ||
           (v != 1 && may_be_absent(res, rl_node_at(arg, 2), depth + 1));
}

/* ---- references --------------------------------------------------------------------- */

typedef struct target {
    const rl_resource *res;
    bool indexed;   /* aws_subnet.x[0]: one instance of a counted resource */
    bool splat;     /* aws_subnet.x[*] / .*: every instance */
    char index[24]; /* the index as written ("0", "count.index") when indexed */
} target;

static bool indexed_type(const rl_resource *r);

/* The subnet, route table, NAT gateway or cluster a value names (the reference layer:
 * references, then the physical ids a plan or state gives and literal DB identifiers). */
static target resolve(ir *x, const rl_resource *from, const rl_node *n)
{
    target t;
    memset(&t, 0, sizeof(t));
    rl_ref r = rl_ref_of(from->stack, from, n);
    if (r.state == RL_KNOWN && indexed_type(r.res)) {
        t.res = r.res;
        t.splat = r.splat;
        t.indexed = r.key != NULL;
        if (r.key)
            snprintf(t.index, sizeof(t.index), "%s", r.key);
        return t;
    }
    alts a;
    if (r.state == RL_ABSENT && one_value(x, from, n, &a))
        t.res = rl_ref_named(from->stack, a.first, strlen(a.first));
    if (t.res && !indexed_type(t.res))
        t.res = NULL;
    return t;
}

/* Terraform `count` / `for_each`: the resource is several instances. `*n` receives the
 * count when it is a literal number (0 when it cannot be read). */
static bool counted(ir *x, const rl_resource *r, size_t *n)
{
    *n = 1;
    if (cfn(r) || r->stack->source != RL_STACK_TF_CONFIG)
        return false;
    if (rl_node_get(r->props, "for_each")) {
        *n = 0;
        return true;
    }
    const rl_node *c = rl_node_get(r->props, "count");
    if (!c)
        return false;
    long v = number(x, r, c);
    *n = v >= 0 ? (size_t)v : 0;
    return true;
}

/* ---- zones of subnets ---------------------------------------------------------------- */

#define ZONE_VARIES ((const char *)1) /* a counted subnet whose zone follows count.index */

/* The zone key of an availability-zone value: "index:N" for Fn::Select over Fn::GetAZs
 * and Terraform's data.aws_availability_zones.X.names[N], else "name:<resolved>". NULL
 * when unknown. */
static const char *zone_key(ir *x, const rl_resource *res, const rl_node *n)
{
    const char *fn;
    const rl_node *arg;
    if (!n)
        return NULL;
    if (cfn(res) && rl_node_intrinsic(n, &fn, &arg) && !strcmp(fn, "Fn::Select")) {
        const rl_node *list = rl_node_at(arg, 1);
        const char *lf;
        const rl_node *la;
        if (rl_node_intrinsic(list, &lf, &la) && !strcmp(lf, "Fn::GetAZs")) {
            long i = number(x, res, rl_node_at(arg, 0));
            return i >= 0 ? rl_arena_printf(x->arena, "index:%ld", i) : NULL;
        }
    }
    if (!cfn(res) && rl_node_is_scalar(n)) {
        const char *s = n->u.s.str;
        if (strstr(s, "count.index") || strstr(s, "each."))
            return ZONE_VARIES;
        const char *names = strstr(s, "aws_availability_zones.");
        names = names ? strstr(names, ".names[") : NULL;
        if (names) {
            char *end;
            long i = strtol(names + 7, &end, 10);
            return end != names + 7 && *end == ']' ? rl_arena_printf(x->arena, "index:%ld", i)
                                                   : NULL;
        }
    }
    const char *v = text(x, res, n);
    return v ? rl_arena_printf(x->arena, "name:%s", v) : NULL;
}

/* The zone key of a subnet resource; ZONE_VARIES for a counted subnet spread over zones;
 * NULL when unknown (no zone given: AWS picks one). */
static const char *subnet_zone(ir *x, const rl_resource *s)
{
    bool tf = !cfn(s);
    const rl_node *az = prop(s, tf ? "availability_zone" : "AvailabilityZone");
    if (az)
        return zone_key(x, s, az);
    const char *id = text(x, s, prop(s, tf ? "availability_zone_id" : "AvailabilityZoneId"));
    return id ? rl_arena_printf(x->arena, "id:%s", id) : NULL;
}

static bool is_subnet(const rl_resource *r)
{
    return is_type(r, "AWS::EC2::Subnet") || is_type(r, "aws_subnet") ||
           is_type(r, "aws_default_subnet");
}

/* Adds the members a subnet resource stands for. */
static void tally_subnet(ir *x, const target *t, rl_zone_tally *tl)
{
    size_t n;
    const char *zone = is_subnet(t->res) ? subnet_zone(x, t->res) : NULL;
    if (counted(x, t->res, &n) && !t->indexed) {
        /* every instance of a counted subnet: two or more spread by count.index are
         * several zones; a count that cannot be read proves nothing */
        if (zone == ZONE_VARIES && n >= 2)
            tl->many = true;
        else if (n == 1)
            rl_tally_add(tl, t->res->id, zone == ZONE_VARIES ? NULL : zone);
        else
            tl->unknown = true;
        return;
    }
    if (!t->indexed) {
        rl_tally_add(tl, t->res->id, zone == ZONE_VARIES ? NULL : zone);
        return;
    }
    /* aws_subnet.x[1] with availability_zone = ...names[count.index]: the second zone */
    const char *member = rl_arena_printf(x->arena, "%s[%s]", t->res->id, t->index);
    const rl_node *az = prop(t->res, "availability_zone");
    char *end;
    long i = strtol(t->index, &end, 10);
    if (zone == ZONE_VARIES)
        zone = end != t->index && !*end && rl_node_is_scalar(az) &&
                       strstr(az->u.s.str, "names[count.index]")
                   ? rl_arena_printf(x->arena, "index:%ld", i)
                   : NULL;
    if (!member)
        x->rc = RL_ENOMEM;
    else
        rl_tally_add(tl, member, zone);
}

typedef struct list_ctx {
    ir *x;
    const rl_resource *res;
    bool zones; /* a list of zones, not of subnets */
    rl_zone_tally *t;
    const char *delim; /* split each alternative (a list parameter's "a,b"), or NULL */
    size_t ndelim;
    size_t seen;
} list_ctx;

/* One literal member: a zone name, or a subnet id (known when a plan or state has it). */
static void tally_text(list_ctx *c, const char *s, size_t len)
{
    while (len && *s == ' ')
        s++, len--;
    while (len && s[len - 1] == ' ')
        len--;
    if (!len)
        return;
    const char *member = rl_arena_strndup(c->x->arena, s, len);
    if (!member) {
        c->x->rc = RL_ENOMEM;
        return;
    }
    if (c->zones) {
        const char *zone = rl_arena_printf(c->x->arena, "name:%s", member);
        rl_tally_add(c->t, member, zone);
        return;
    }
    target t;
    memset(&t, 0, sizeof(t));
    t.res = rl_ref_named(c->res->stack, s, len);
    if (t.res && !indexed_type(t.res))
        t.res = NULL;
    if (t.res)
        tally_subnet(c->x, &t, c->t);
    else
        rl_tally_add(c->t, member, NULL);
}

static int on_member(void *ctx, const rl_evstr *s)
{
    list_ctx *c = ctx;
    c->seen++;
    if (!s->complete) {
        c->t->unknown = true;
        return 0;
    }
    if (!c->delim) {
        tally_text(c, s->str, s->len);
        return 0;
    }
    size_t start = 0;
    for (size_t i = 0; i + c->ndelim <= s->len; i++)
        if (!memcmp(s->str + i, c->delim, c->ndelim)) {
            tally_text(c, s->str + start, i - start);
            start = i + c->ndelim;
            i = start - 1;
        }
    tally_text(c, s->str + start, s->len - start);
    return 0;
}

static void tally_strings(list_ctx *c, const rl_node *n, const char *delim)
{
    c->delim = delim;
    c->ndelim = delim ? strlen(delim) : 0;
    c->seen = 0;
    int rc = rl_eval_strings(c->res->stack, n, on_member, c);
    if (rc < 0)
        c->x->rc = rc;
    if (c->seen == 0)
        c->t->unknown = true;
}

static void tally_list(list_ctx *c, const rl_node *n, int depth);

/* Follows Fn::If: the branch the condition picks in this region, or both. */
static bool follow_if(list_ctx *c, const rl_node *n, int depth,
                      void (*fn)(list_ctx *, const rl_node *, int))
{
    const char *f;
    const rl_node *arg;
    if (!cfn(c->res) || !rl_node_intrinsic(n, &f, &arg) || strcmp(f, "Fn::If"))
        return false;
    const char *cname = rl_node_str(rl_node_at(arg, 0));
    int v = cname ? rl_eval_condition(c->res->stack, cname) : -1;
    if (v != 0)
        fn(c, rl_node_at(arg, 1), depth + 1);
    if (v != 1)
        fn(c, rl_node_at(arg, 2), depth + 1);
    return true;
}

static void tally_item(list_ctx *c, const rl_node *n, int depth)
{
    const char *fn;
    const rl_node *arg;
    if (!n || depth > 16) {
        c->t->unknown = true;
        return;
    }
    if (follow_if(c, n, depth, tally_item))
        return;
    if (cfn(c->res) && rl_node_intrinsic(n, &fn, &arg) && !strcmp(fn, "Ref") &&
        rl_node_streq(arg, "AWS::NoValue"))
        return;
    if (c->zones) {
        const char *zone = zone_key(c->x, c->res, n);
        if (zone && zone != ZONE_VARIES && strncmp(zone, "name:", 5))
            rl_tally_add(c->t, zone, zone);
        else if (zone && zone != ZONE_VARIES)
            rl_tally_add(c->t, zone + 5, zone);
        else
            c->t->unknown = true;
        return;
    }
    target t = resolve(c->x, c->res, n);
    if (t.res)
        tally_subnet(c->x, &t, c->t);
    else
        tally_strings(c, n, NULL);
}

static void tally_list(list_ctx *c, const rl_node *n, int depth)
{
    const char *fn;
    const rl_node *arg;
    if (!n || depth > 16) {
        c->t->unknown = true;
        return;
    }
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count; i++)
            tally_item(c, n->u.seq.items[i], depth + 1);
        return;
    }
    if (!cfn(c->res)) {
        c->t->unknown = true; /* a variable, a splat or a function call */
        return;
    }
    if (follow_if(c, n, depth, tally_list))
        return;
    if (rl_node_intrinsic(n, &fn, &arg)) {
        if (!strcmp(fn, "Fn::GetAZs")) {
            c->t->many = true; /* every zone of the region */
            return;
        }
        if (!strcmp(fn, "Fn::Split")) {
            const char *d = rl_node_str(rl_node_at(arg, 0));
            if (d && *d)
                tally_strings(c, rl_node_at(arg, 1), d);
            else
                c->t->unknown = true;
            return;
        }
    }
    /* a List<...> or CommaDelimitedList parameter resolves to "a,b" */
    tally_strings(c, n, ",");
}

static rl_zone_tally tally(ir *x, const rl_resource *res, const rl_node *n, bool zones)
{
    rl_zone_tally t;
    memset(&t, 0, sizeof(t));
    list_ctx c = {x, res, zones, &t, NULL, 0, 0};
    tally_list(&c, n, 0);
    return t;
}

/* ---- findings ----------------------------------------------------------------------- */

/* Emits RL801 for `res` at `at` (a property), or at its type when `at` is NULL (the
 * property is absent). `related` (may be NULL) adds a location. */
static void report(ir *x, const rl_resource *res, const rl_node *at, const char *prop_path,
                   const rl_resource *related, const char *related_msg, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void report(ir *x, const rl_resource *res, const rl_node *at, const char *prop_path,
                   const rl_resource *related, const char *related_msg, const char *fmt, ...)
{
    const char *file = rl_doc_path(res->stack->input->doc);
    const rl_node *where = at;
    if (!where)
        where = rl_node_get(res->node, cfn(res) ? "Type" : "type");
    if (!where || !cfn(res))
        where = at ? at : res->node;
    rl_strbuf_clear(&x->key);
    rl_strbuf_printf(&x->key, "%s|%u|%u", file, where->span.start.line, where->span.start.column);
    if (x->key.failed) {
        x->rc = RL_ENOMEM;
        return;
    }
    if (rl_hmap_get(&x->reported, x->key.data, x->key.len))
        return;
    char *k = rl_arena_strndup(x->arena, x->key.data, x->key.len);
    if (!k || rl_hmap_put(&x->reported, k, x->key.len, (void *)1) < 0) {
        x->rc = RL_ENOMEM;
        return;
    }
    char why[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    char path[512];
    if (at && prop_path)
        snprintf(path, sizeof(path), "%s%s.%s", res->path, cfn(res) ? ".Properties" : "",
                 prop_path);
    else
        snprintf(path, sizeof(path), "%s", res->path);
    const char *region = res->stack->region;
    rl_finding *f = rl_emit(x->ctx, RL_LEVEL_NONE, file, &where->span, path, region, NULL,
                            "%s (%s) in the primary region %s %s", res->id, res->type, region, why);
    if (f && related)
        rl_emit_related(x->ctx, f, rl_doc_path(related->stack->input->doc), &related->node->span,
                        "%s", related_msg);
}

/* "VPCZoneIdentifier has one subnet (SubnetA)" / "... are all in us-east-1a". */
static void one_zone_reason(const rl_zone_tally *t, const char *what, const char *prop_name,
                            char *buf, size_t cap)
{
    char z[96];
    const char *zone = t->zone[0] ? t->zone[0] : t->zone[1] ? t->zone[1] : t->zone[2];
    if (!t->members_differ && (!zone || !strcmp(what, "zone")))
        snprintf(buf, cap, "%s has one %s (%s)", prop_name, what, t->member);
    else if (!t->members_differ)
        snprintf(buf, cap, "%s has one %s (%s, in %s)", prop_name, what, t->member,
                 rl_zone_display(zone, z, sizeof(z)));
    else
        snprintf(buf, cap, "the %ss of %s are all in %s", what, prop_name,
                 rl_zone_display(zone, z, sizeof(z)));
}

/* ", and eu-west-1a is a zone of eu-west-1, not of us-east-1" when the one zone named is of
 * another region than the resource's (its deploy fails wherever it goes), else "". */
static const char *foreign_zone(const rl_zone_tally *t, const char *region, char *buf, size_t cap)
{
    const char *zone = t->zone[0] ? t->zone[0] : t->zone[1] ? t->zone[1] : t->zone[2];
    char az[64];
    buf[0] = '\0';
    if (!zone || strncmp(zone, "name:", 5) || !region)
        return buf;
    size_t n = strlen(zone + 5);
    if (n < 2 || n >= sizeof(az) || zone[5 + n - 1] < 'a' || zone[5 + n - 1] > 'z')
        return buf;
    memcpy(az, zone + 5, n - 1);
    az[n - 1] = '\0';
    if (rl_is_region(az, n - 1) && strcmp(az, region))
        snprintf(buf, cap, " (and %s is a zone of %s, not of %s: the deploy fails there)", zone + 5,
                 az, region);
    return buf;
}

/* Auto Scaling groups, load balancers, ECS services: the subnets or zones they use. */
static void check_placement(ir *x, const rl_resource *res, const char *subnets, const char *zones,
                            const char *consequence)
{
    const char *name = subnets;
    const rl_node *n = subnets ? prop(res, subnets) : NULL;
    bool of_zones = false;
    if (!n && zones && (n = prop(res, zones))) {
        name = zones;
        of_zones = true;
    }
    if (!n)
        return; /* defaults (the default VPC's subnets) cannot be told */
    rl_zone_tally t = tally(x, res, n, of_zones);
    if (!rl_tally_one_zone(&t))
        return;
    char why[400], other[200];
    one_zone_reason(&t, of_zones ? "zone" : "subnet", name, why, sizeof(why));
    report(x, res, n, name, NULL, NULL, "runs in one availability zone: %s%s; %s", why,
           foreign_zone(&t, res->stack->region, other, sizeof(other)), consequence);
}

/* Subnet mappings (load balancers): the SubnetId of each mapping. */
static void check_mappings(ir *x, const rl_resource *res, const char *key, const char *id_key,
                           const char *consequence)
{
    const rl_node *n = prop(res, key);
    if (!n || prop(res, cfn(res) ? "Subnets" : "subnets"))
        return;
    rl_zone_tally t;
    memset(&t, 0, sizeof(t));
    list_ctx c = {x, res, false, &t, NULL, 0, 0};
    if (rl_node_is_map(n) && !cfn(res))
        tally_item(&c, sub(n, id_key), 1);
    else if (rl_node_is_seq(n))
        for (size_t i = 0; i < n->u.seq.count; i++)
            tally_item(&c, sub(n->u.seq.items[i], id_key), 1);
    else
        t.unknown = true;
    if (!rl_tally_one_zone(&t))
        return;
    char why[400];
    one_zone_reason(&t, "subnet", key, why, sizeof(why));
    report(x, res, n, key, NULL, NULL, "runs in one availability zone: %s; %s", why, consequence);
}

static void check_db_instance(ir *x, const rl_resource *res)
{
    bool tf = !cfn(res);
    /* cluster members (the cluster is checked), read replicas (the source is) */
    if (!tf && (prop(res, "DBClusterIdentifier") || prop(res, "SourceDBInstanceIdentifier") ||
                prop(res, "SourceDBClusterIdentifier")))
        return;
    if (tf && prop(res, "replicate_source_db"))
        return;
    /* an Aurora engine in any case: an instance of a cluster defined elsewhere */
    const rl_node *en = prop(res, tf ? "engine" : "Engine");
    if (en && any_prefix(x, res, en, "aurora"))
        return;
    const char *engine = text(x, res, en);
    /* SQL Server Express and Web have no Multi-AZ: the fix is another edition */
    const char *edition =
        engine && (!strcasecmp(engine, "sqlserver-ex") || !strcasecmp(engine, "sqlserver-web"))
            ? " (this SQL Server edition has no Multi-AZ: use Standard or "
              "Enterprise)"
            : "";
    const char *key = tf ? "multi_az" : "MultiAZ";
    const rl_node *n = prop(res, key);
    int v = truth(x, res, n);
    if (v == 0)
        report(x, res, n, key, NULL, NULL,
               "runs in one availability zone: %s is false%s; a zone outage stops the database "
               "until it is restored",
               key, edition);
    else if (v == V_ABSENT)
        report(x, res, NULL, NULL, NULL, NULL,
               "runs in one availability zone: %s is absent (the default is a single-AZ "
               "instance)%s; a zone outage stops the database until it is restored",
               key, edition);
}

/* Aurora, DocumentDB and Neptune clusters: storage spans zones, but with one instance a
 * zone outage leaves the cluster without a writer until a new instance is created. */
static void check_cluster(ir *x, const rl_resource *res)
{
    bool tf = !cfn(res);
    if (is_type(res, "AWS::RDS::DBCluster") || is_type(res, "aws_rds_cluster")) {
        const char *mode = text(x, res, prop(res, tf ? "engine_mode" : "EngineMode"));
        const char *engine = text(x, res, prop(res, tf ? "engine" : "Engine"));
        /* Aurora Serverless v1 moves itself; Multi-AZ DB clusters always have 3 instances */
        if ((mode && !strcasecmp(mode, "serverless")) ||
            prop(res, tf ? "db_cluster_instance_class" : "DBClusterInstanceClass") ||
            (engine && strncasecmp(engine, "aurora", 6)))
            return;
    }
    const members *mb = rl_hmap_get(&x->members, res, RL_HMAP_PTR);
    if (!mb || mb->known != 1 || mb->maybe ||
        rl_hmap_get(&x->unsure, rl_ref_scope(res->stack), RL_HMAP_PTR))
        return;
    char rel[300];
    snprintf(rel, sizeof(rel), "its only instance, %s", mb->first->id);
    report(x, res, NULL, NULL, mb->first, rel,
           "has one DB instance (%s), so it runs in one availability zone: a zone outage "
           "leaves the cluster without a writer until a new instance is created",
           mb->first->id);
}

static void check_replication_group(ir *x, const rl_resource *res)
{
    bool tf = !cfn(res);
    if (truth(x, res, prop(res, tf ? "multi_az_enabled" : "MultiAZEnabled")) == 1)
        return;
    const char *fo_key = tf ? "automatic_failover_enabled" : "AutomaticFailoverEnabled";
    const rl_node *fo = prop(res, fo_key);
    int failover = truth(x, res, fo);
    if (failover != 0 && failover != V_ABSENT)
        return;
    /* replicas: cluster mode (node groups) or the number of cache clusters */
    const char *rk = NULL;
    const rl_node *rn = NULL;
    long replicas = V_UNKNOWN;
    static const char *const cfn_keys[] = {"ReplicasPerNodeGroup", "NumCacheClusters"};
    static const char *const tf_keys[] = {"replicas_per_node_group", "num_cache_clusters",
                                          "number_cache_clusters"};
    const char *const *keys = tf ? tf_keys : cfn_keys;
    size_t nkeys = tf ? 3 : 2;
    for (size_t i = 0; i < nkeys && !rn; i++)
        if ((rn = prop(res, keys[i])))
            rk = keys[i];
    if (!rn && tf && (rn = sub(prop(res, "cluster_mode"), "replicas_per_node_group")))
        rk = "cluster_mode.replicas_per_node_group";
    if (rn) {
        long v = number(x, res, rn);
        replicas = v < 0 ? V_UNKNOWN : strstr(rk, "replicas") ? v : v - 1;
    } else if (absent_is_default(res) &&
               !prop(res, tf ? "num_node_groups" : "NodeGroupConfiguration") &&
               !prop(res, tf ? "global_replication_group_id" : "PrimaryClusterId") &&
               !(tf ? NULL : prop(res, "NumNodeGroups"))) {
        replicas = 0; /* one cache cluster by default */
    }
    if (replicas == 0 && rn)
        report(x, res, rn, rk, NULL, NULL,
               "runs in one availability zone: it has no replica (%s is %s); a zone outage "
               "loses the cache and its data",
               rk, strstr(rk, "replicas") ? "0" : "1");
    else if (replicas == 0)
        report(x, res, NULL, NULL, NULL, NULL,
               "runs in one availability zone: it has one node and no replica (%s is absent); "
               "a zone outage loses the cache and its data",
               tf ? "num_cache_clusters" : "NumCacheClusters");
    else if (failover == 0)
        report(x, res, fo, fo_key, NULL, NULL,
               "does not fail over to another availability zone: %s is false, so a zone outage "
               "of the primary node stops writes until someone promotes a replica",
               fo_key);
    else
        report(x, res, NULL, NULL, NULL, NULL,
               "does not fail over to another availability zone: %s is absent (the default is "
               "false), so a zone outage of the primary node stops writes until someone "
               "promotes a replica",
               fo_key);
}

static void check_cache_cluster(ir *x, const rl_resource *res)
{
    bool tf = !cfn(res);
    if (tf && prop(res, "replication_group_id"))
        return; /* a member of a replication group: the group is checked */
    const char *ek = tf ? "engine" : "Engine";
    const rl_node *en = prop(res, ek);
    const char *engine = text(x, res, en);
    if (!engine)
        return;
    if (!strcasecmp(engine, "redis") || !strcasecmp(engine, "valkey")) {
        report(x, res, en, ek, NULL, NULL,
               "runs in one availability zone: a %s cache cluster is one node with no replica; "
               "a zone outage loses the cache and its data (use a replication group with "
               "Multi-AZ)",
               engine);
        return;
    }
    if (strcasecmp(engine, "memcached"))
        return;
    const char *mk = tf ? "az_mode" : "AZMode";
    const rl_node *mn = prop(res, mk);
    const char *mode = text(x, res, mn);
    if (mode && !strcasecmp(mode, "cross-az"))
        return;
    if (mode && !strcasecmp(mode, "single-az"))
        report(x, res, mn, mk, NULL, NULL,
               "keeps every node in one availability zone: %s is single-az; a zone outage "
               "loses the whole cache",
               mk);
    else if (!mn && absent_is_default(res))
        report(x, res, NULL, NULL, NULL, NULL,
               "keeps every node in one availability zone: %s is absent (the default is "
               "single-az); a zone outage loses the whole cache",
               mk);
}

static void check_efs(ir *x, const rl_resource *res)
{
    const char *key = cfn(res) ? "AvailabilityZoneName" : "availability_zone_name";
    const rl_node *n = prop(res, key);
    if (!n || may_be_absent(res, n, 0))
        return;
    const char *zone = zone_key(x, res, n);
    char z[96];
    report(x, res, n, key, NULL, NULL,
           "is EFS One Zone: %s is %s; a zone outage makes the file system and its data "
           "unavailable",
           key, zone && zone != ZONE_VARIES ? rl_zone_display(zone, z, sizeof(z)) : "set");
}

static void check_search_domain(ir *x, const rl_resource *res)
{
    bool tf = !cfn(res);
    const char *ck = tf                                           ? "cluster_config"
                     : is_type(res, "AWS::Elasticsearch::Domain") ? "ElasticsearchClusterConfig"
                                                                  : "ClusterConfig";
    const rl_node *cc = prop(res, ck);
    if (cc && !rl_node_is_map(block(cc)))
        return; /* an expression: cannot be read */
    if (truth(x, res,
              sub(cc, tf ? "multi_az_with_standby_enabled" : "MultiAZWithStandbyEnabled")) == 1)
        return;
    const char *zk = tf ? "zone_awareness_enabled" : "ZoneAwarenessEnabled";
    const rl_node *zn = sub(cc, zk);
    int v = truth(x, res, zn);
    char path[128];
    snprintf(path, sizeof(path), "%s.%s", ck, zk);
    if (v == 0)
        report(x, res, zn, path, NULL, NULL,
               "keeps its nodes in one availability zone: %s is false; a zone outage stops "
               "the domain",
               path);
    else if (v == V_ABSENT)
        report(x, res, NULL, NULL, NULL, NULL,
               "keeps its nodes in one availability zone: %s is absent (the default is one "
               "zone); a zone outage stops the domain",
               path);
}

/* ---- clusters and NAT gateways: the second pass ------------------------------------ */

static bool is_cluster(const rl_resource *r)
{
    static const char *const types[] = {"AWS::RDS::DBCluster",     "AWS::DocDB::DBCluster",
                                        "AWS::Neptune::DBCluster", "aws_rds_cluster",
                                        "aws_docdb_cluster",       "aws_neptune_cluster"};
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
        if (is_type(r, types[i]))
            return true;
    return false;
}

/* A DB instance of a cluster: the property that names its cluster, or NULL. */
static const char *member_key(const rl_resource *r)
{
    if (is_type(r, "AWS::RDS::DBInstance") || is_type(r, "AWS::DocDB::DBInstance") ||
        is_type(r, "AWS::Neptune::DBInstance"))
        return "DBClusterIdentifier";
    if (is_type(r, "aws_rds_cluster_instance") || is_type(r, "aws_docdb_cluster_instance") ||
        is_type(r, "aws_neptune_cluster_instance"))
        return "cluster_identifier";
    return NULL;
}

static void add_member(ir *x, const rl_resource *r)
{
    const char *key = member_key(r);
    const rl_node *n = key ? prop(r, key) : NULL;
    if (!n)
        return;
    target t = resolve(x, r, n);
    if (!t.res || !is_cluster(t.res)) {
        /* which cluster it belongs to cannot be told: no cluster of the scope is known to
         * have one instance */
        if (rl_hmap_put(&x->unsure, rl_ref_scope(r->stack), RL_HMAP_PTR, (void *)1) < 0)
            x->rc = RL_ENOMEM;
        return;
    }
    members *mb = rl_hmap_get(&x->members, t.res, RL_HMAP_PTR);
    if (!mb) {
        mb = rl_arena_calloc(x->arena, 1, sizeof(*mb));
        if (!mb || rl_hmap_put(&x->members, t.res, RL_HMAP_PTR, mb) < 0) {
            x->rc = RL_ENOMEM;
            return;
        }
        mb->first = r;
    }
    size_t n_inst;
    if (counted(x, r, &n_inst) && n_inst == 0)
        mb->maybe++;
    else if (r->deployed == 1)
        mb->known += n_inst;
    else
        mb->maybe++;
}

static bool is_nat(const rl_resource *r)
{
    return is_type(r, "AWS::EC2::NatGateway") || is_type(r, "aws_nat_gateway");
}

static bool is_route_table(const rl_resource *r)
{
    return is_type(r, "AWS::EC2::RouteTable") || is_type(r, "aws_route_table") ||
           is_type(r, "aws_default_route_table");
}

/* Terraform blocks come as one mapping or a list of them. */
static size_t list_count_any(const rl_node *n)
{
    return rl_node_is_seq(n) ? n->u.seq.count : n ? 1 : 0;
}

static const rl_node *item_any(const rl_node *n, size_t i)
{
    return rl_node_is_seq(n) ? rl_node_at(n, i) : n;
}

/* A route to a NAT gateway: AWS::EC2::Route, aws_route, or aws_route_table's route blocks. */
static void add_route(ir *x, const rl_resource *r)
{
    bool tf = !cfn(r);
    if (r->deployed != 1)
        return; /* under a condition this region cannot decide */
    const rl_node *rt_node = NULL, *nat_node = NULL;
    const rl_resource *rt = NULL;
    if (is_type(r, "AWS::EC2::Route") || is_type(r, "aws_route")) {
        rt_node = prop(r, tf ? "route_table_id" : "RouteTableId");
        nat_node = prop(r, tf ? "nat_gateway_id" : "NatGatewayId");
        if (!rt_node || !nat_node)
            return;
        rt = resolve(x, r, rt_node).res;
    } else if (tf && is_route_table(r)) {
        const rl_node *routes = prop(r, "route");
        for (size_t i = 0; i < list_count_any(routes) && !nat_node; i++)
            nat_node = sub(item_any(routes, i), "nat_gateway_id");
        rt = r;
    }
    if (!rt || !nat_node || !is_route_table(rt))
        return;
    target nat = resolve(x, r, nat_node);
    if (!nat.res || !is_nat(nat.res) || rl_hmap_get(&x->rt_nat, rt, RL_HMAP_PTR))
        return;
    if (rl_hmap_put(&x->rt_nat, rt, RL_HMAP_PTR, (void *)nat.res) < 0)
        x->rc = RL_ENOMEM;
}

/* A subnet's route table association: the subnet uses the NAT gateway of that table. */
static void add_association(ir *x, const rl_resource *r)
{
    bool tf = !cfn(r);
    if (r->deployed != 1)
        return; /* under a condition this region cannot decide */
    const rl_node *sn = prop(r, tf ? "subnet_id" : "SubnetId");
    const rl_node *rn = prop(r, tf ? "route_table_id" : "RouteTableId");
    if (!sn || !rn)
        return;
    const rl_resource *rt = resolve(x, r, rn).res;
    const rl_resource *nat = rt ? rl_hmap_get(&x->rt_nat, rt, RL_HMAP_PTR) : NULL;
    if (!nat)
        return;
    target t = resolve(x, r, sn);
    if (!t.res)
        return;
    size_t n;
    /* aws_subnet.private[count.index] in a counted association: every instance */
    if (counted(x, r, &n) && n != 1)
        t.indexed = false;
    nat_use *u = rl_hmap_get(&x->nats, nat, RL_HMAP_PTR);
    if (!u) {
        u = rl_arena_calloc(x->arena, 1, sizeof(*u));
        if (!u || rl_hmap_put(&x->nats, nat, RL_HMAP_PTR, u) < 0) {
            x->rc = RL_ENOMEM;
            return;
        }
    }
    tally_subnet(x, &t, &u->t);
    bool known = false;
    for (size_t i = 0; i < u->nnames; i++)
        known = known || !strcmp(u->names[i], t.res->id);
    if (!known && u->nnames < sizeof(u->names) / sizeof(*u->names))
        u->names[u->nnames++] = t.res->id;
}

/* One NAT gateway that the private subnets of several zones route through. */
static void report_nats(ir *x)
{
    size_t it = 0;
    rl_hmap_entry *e;
    while ((e = rl_hmap_next(&x->nats, &it)) && !x->rc) {
        const rl_resource *nat = e->key;
        const nat_use *u = e->value;
        size_t n;
        if (nat->deployed != 1 || !rl_tally_several_zones(&u->t) || (counted(x, nat, &n) && n != 1))
            continue;
        char names[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < u->nnames; i++) {
            int w = snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", u->names[i]);
            if (w > 0 && len + (size_t)w < sizeof(names))
                len += (size_t)w;
        }
        const char *key = cfn(nat) ? "SubnetId" : "subnet_id";
        const rl_node *at = prop(nat, key);
        report(x, nat, at, key, NULL, NULL,
               "is the one NAT gateway of private subnets in several availability zones (%s%s): "
               "a zone outage where it runs cuts the other zones' outbound traffic; give each "
               "zone its own NAT gateway",
               names, u->t.items > u->nnames ? ", ..." : "");
    }
}

static void check_resource(ir *x, const rl_resource *res)
{
    const char *t = res->type ? res->type : "";
    const char *fn;
    const rl_node *arg;
    if (cfn(res) && rl_node_intrinsic(res->props, &fn, &arg))
        return; /* Properties: !If [...]: which properties there are cannot be told */
    static const char asg_why[] = "a zone outage stops every instance and the group cannot "
                                  "replace them in another zone";
    static const char lb_why[] = "a zone outage stops the load balancer";
    if (!strcmp(t, "AWS::RDS::DBInstance") || !strcmp(t, "aws_db_instance"))
        check_db_instance(x, res);
    else if (is_cluster(res))
        check_cluster(x, res);
    else if (!strcmp(t, "AWS::AutoScaling::AutoScalingGroup"))
        check_placement(x, res, "VPCZoneIdentifier", "AvailabilityZones", asg_why);
    else if (!strcmp(t, "aws_autoscaling_group"))
        check_placement(x, res, "vpc_zone_identifier", "availability_zones", asg_why);
    else if (!strcmp(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")) {
        check_placement(x, res, "Subnets", NULL, lb_why);
        check_mappings(x, res, "SubnetMappings", "SubnetId", lb_why);
    } else if (!strcmp(t, "aws_lb") || !strcmp(t, "aws_alb")) {
        check_placement(x, res, "subnets", NULL, lb_why);
        check_mappings(x, res, "subnet_mapping", "subnet_id", lb_why);
    } else if (!strcmp(t, "AWS::ElasticLoadBalancing::LoadBalancer"))
        check_placement(x, res, "Subnets", "AvailabilityZones", lb_why);
    else if (!strcmp(t, "aws_elb"))
        check_placement(x, res, "subnets", "availability_zones", lb_why);
    else if (!strcmp(t, "AWS::ElastiCache::ReplicationGroup") ||
             !strcmp(t, "aws_elasticache_replication_group"))
        check_replication_group(x, res);
    else if (!strcmp(t, "AWS::ElastiCache::CacheCluster") || !strcmp(t, "aws_elasticache_cluster"))
        check_cache_cluster(x, res);
    else if (!strcmp(t, "AWS::EFS::FileSystem") || !strcmp(t, "aws_efs_file_system"))
        check_efs(x, res);
    else if (!strcmp(t, "AWS::OpenSearchService::Domain") ||
             !strcmp(t, "AWS::Elasticsearch::Domain") || !strcmp(t, "aws_opensearch_domain") ||
             !strcmp(t, "aws_elasticsearch_domain"))
        check_search_domain(x, res);
}

static bool is_association(const rl_resource *r)
{
    return is_type(r, "AWS::EC2::SubnetRouteTableAssociation") ||
           is_type(r, "aws_route_table_association");
}

/* Calls fn for every resource of the primary region's stacks that is deployed there. */
static void each_primary(ir *x, void (*fn)(ir *x, const rl_resource *res))
{
    for (size_t i = 0; i < x->m->nstacks && !x->rc; i++) {
        const rl_stack *st = x->m->stacks[i];
        if (!st->region || !rl_model_is_primary(x->m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !x->rc; j++) {
            const rl_resource *res = &st->resources[j];
            if (res->deployed != 0 && res->type && strncmp(res->id, "data.", 5) != 0)
                fn(x, res);
        }
    }
}

/* The resources other resources of this family refer to. */
static bool indexed_type(const rl_resource *r)
{
    return is_subnet(r) || is_route_table(r) || is_nat(r) || is_cluster(r);
}

/* Pass 2: cluster members and routes to NAT gateways. */
static void link_resource(ir *x, const rl_resource *res)
{
    if (member_key(res))
        add_member(x, res);
    else if (is_type(res, "AWS::EC2::Route") || is_type(res, "aws_route") || is_route_table(res))
        add_route(x, res);
}

/* Pass 3: subnets behind NAT gateways, and every resource's own configuration. */
static void check_pass(ir *x, const rl_resource *res)
{
    if (is_association(res))
        add_association(x, res);
    else
        check_resource(x, res);
}

int rl_check_inregion(rl_rule_ctx *ctx)
{
    ir x;
    memset(&x, 0, sizeof(x));
    x.ctx = ctx;
    x.m = rl_ctx_model(ctx);
    x.key = (rl_strbuf)RL_STRBUF_INIT;
    x.arena = rl_arena_new(0);
    if (!x.arena) {
        x.rc = RL_ENOMEM;
        goto cleanup;
    }
    each_primary(&x, link_resource);
    each_primary(&x, check_pass);
    if (!x.rc)
        report_nats(&x);
cleanup:
    rl_hmap_free(&x.members);
    rl_hmap_free(&x.unsure);
    rl_hmap_free(&x.rt_nat);
    rl_hmap_free(&x.nats);
    rl_hmap_free(&x.reported);
    rl_strbuf_free(&x.key);
    rl_arena_free(x.arena);
    return x.rc;
}
