/* The iam family: identities and global names the regions of the pair share.
 * RL201 groups the role uses of every stack instance by role (the model resolves them) and
 * reports roles used in two regions; RL202 reads the policies of those roles (template
 * policies and the IAM export) for ARNs of another region; RL203 indexes the names of
 * global-namespace resources per region and reports a name created in two regions. */
#include <regionlint/refs.h>

#include "../base/arena.h"
#include "../base/aws.h"
#include "../base/hmap.h"
#include "../base/strbuf.h"
#include "../model/iam.h"
#include "checks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNKNOWN_MARK "\xEF\xBF\xBD"
#define MAX_RELATED  10

typedef struct ic {
    rl_rule_ctx *ctx;
    const rl_model *m;
    bool on201, on202, on203;
    rl_globset *allowed_actions, *allowed_roles; /* compiled, case-insensitive */
    bool unowned;      /* RL201 reports roles no stack of the pair creates (as notes) */
    rl_hmap reported;  /* "rule|file|line|col|regions" of findings already made */
    rl_hmap templates; /* template input, and "source|name", -> regions with an instance */
    bool indexed;
    rl_strbuf key;
    rl_strbuf items; /* RL202: "[i][j]" of the value being read inside a Resource list */
    rl_strbuf twin;  /* RL202: a twin key being built */
    rl_arena *arena;
    rl_arena *stmt;               /* RL202: memory of one statement (its twin keys) */
    const struct gname **gsorted; /* RL203: the table of global names sorted by type */
    int rc;
} ic;

/* ---- helpers ---------------------------------------------------------------------------- */

static int region_bit(const rl_model *m, const char *region)
{
    for (size_t i = 0; region && i < m->nregions && i < 64; i++)
        if (!strcmp(m->regions[i], region))
            return (int)i;
    return -1;
}

static uint64_t bit_of(const rl_model *m, const char *region)
{
    int b = region_bit(m, region);
    return b < 0 ? 0 : (uint64_t)1 << b;
}

static int popcount(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* The region a finding is about when one position serves several regions (a shared
 * template): the first standby, the deploy that comes second. */
static const char *pick_region(const rl_model *m, uint64_t set)
{
    for (size_t i = 1; i < m->nregions && i < 64; i++)
        if (set & ((uint64_t)1 << i))
            return m->regions[i];
    return set & 1 ? m->regions[0] : NULL;
}

/* A region of the set other than `except`: the primary when it is in it. */
static const char *other_region(const rl_model *m, uint64_t set, const char *except)
{
    for (size_t i = 0; i < m->nregions && i < 64; i++)
        if ((set & ((uint64_t)1 << i)) && (!except || strcmp(m->regions[i], except)))
            return m->regions[i];
    return NULL;
}

/* "us-east-1 and us-west-2", "us-east-1, us-west-2 and eu-west-1" */
static const char *region_list(ic *c, uint64_t set)
{
    rl_strbuf b = RL_STRBUF_INIT;
    int total = popcount(set), k = 0;
    for (size_t i = 0; i < c->m->nregions && i < 64; i++) {
        if (!(set & ((uint64_t)1 << i)))
            continue;
        k++;
        rl_strbuf_printf(&b, "%s%s", k == 1 ? "" : k == total ? " and " : ", ", c->m->regions[i]);
    }
    const char *r = rl_arena_strdup(c->arena, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    if (!r)
        c->rc = RL_ENOMEM;
    return r ? r : "";
}

static bool same_pos(const char *fa, const rl_span *a, const char *fb, const rl_span *b)
{
    return !strcmp(fa, fb) && a->start.line == b->start.line && a->start.column == b->start.column;
}

/* True the first time (rule, position, extra) is seen. */
static bool first_time(ic *c, const char *rule, const char *file, const rl_span *sp,
                       const char *extra)
{
    rl_strbuf_clear(&c->key);
    rl_strbuf_printf(&c->key, "%s|%s|%u|%u|%s", rule, file, sp->start.line, sp->start.column,
                     extra ? extra : "");
    if (c->key.failed) {
        c->rc = RL_ENOMEM;
        return false;
    }
    if (rl_hmap_get(&c->reported, c->key.data, c->key.len))
        return false;
    char *k = rl_arena_strndup(c->arena, c->key.data, c->key.len);
    if (!k || rl_hmap_put(&c->reported, k, c->key.len, (void *)1) < 0) {
        c->rc = RL_ENOMEM;
        return false;
    }
    return true;
}

/* Regions whose stacks use the role `key`. With `creator` (a role resource of a template),
 * only the uses of that role: every instance of a shared template creates its own role
 * resource, and another instance's uses of its own role are not uses of this one (that two
 * instances give them one name is RL203's finding). */
static uint64_t key_regions(const rl_model *m, const char *key, const rl_resource *creator)
{
    uint64_t set = 0;
    for (const rl_role_use *u = rl_iam_uses_of(m, key); u; u = u->next_key) {
        if (u->attach ||
            (creator && (u->creation ? u->res != creator : u->creator && u->creator != creator)))
            continue;
        set |= bit_of(m, u->region);
    }
    return set;
}

/* A use of `key` in `region` that is not the role's own definition, else any use there. */
static const rl_role_use *use_in(const rl_model *m, const char *key, const char *region)
{
    const rl_role_use *any = NULL;
    for (const rl_role_use *u = rl_iam_uses_of(m, key); u; u = u->next_key) {
        if (strcmp(u->region, region) || u->attach)
            continue;
        if (!u->creation)
            return u;
        if (!any)
            any = u;
    }
    return any;
}

/* ---- RL201: one role, two regions ---------------------------------------------------------- */

/* What the IAM export says about a role: its policies and where it was last used. */
static const char *export_summary(ic *c, const rl_iam_role *role)
{
    rl_strbuf b = RL_STRBUF_INIT;
    size_t nm = 0, shown = 0;
    const rl_node *att = role->attached;
    rl_strbuf_puts(&b, " (IAM export: ");
    for (size_t i = 0; i < rl_node_count(att); i++) {
        const rl_node *p = rl_node_is_seq(att) ? rl_node_at(att, i) : att;
        const char *name = rl_node_str(rl_node_get(p, "PolicyName"));
        if (!name)
            continue;
        nm++;
        if (shown < 3) {
            rl_strbuf_printf(&b, "%s%s", shown ? ", " : "policies ", name);
            shown++;
        }
        if (!rl_node_is_seq(att))
            break; /* a single object instead of a list (seen in AWS's own example) */
    }
    if (nm > shown)
        rl_strbuf_printf(&b, " and %zu more", nm - shown);
    size_t ni = rl_node_count(role->inline_policies);
    bool known = role->inline_policies || role->attached; /* get-role and list-roles: no */
    if (ni)
        rl_strbuf_printf(&b, "%s%zu inline polic%s", nm ? " and " : "", ni, ni == 1 ? "y" : "ies");
    if (!nm && !ni && known)
        rl_strbuf_puts(&b, "no policies");
    if (role->last_used_region) {
        const char *d = role->last_used_date;
        rl_strbuf_printf(&b, "%slast used in %s", known ? ", " : "", role->last_used_region);
        if (d && strlen(d) >= 10)
            rl_strbuf_printf(&b, " on %.10s", d);
    } else if (!known) {
        rl_strbuf_free(&b);
        return "";
    }
    rl_strbuf_putc(&b, ')');
    const char *r = rl_arena_strdup(c->arena, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    return r ? r : "";
}

static bool account_ok(const rl_role_use *u, const char *account)
{
    return !account || !u->account || !strcmp(u->account, account);
}

static const char *role_label(ic *c, const rl_role_use *u)
{
    const char *r = u->profile ? rl_arena_printf(c->arena, "instance profile %s", u->name)
                    : u->arn   ? rl_arena_printf(c->arena, "IAM role %s (%s)", u->name, u->arn)
                               : rl_arena_printf(c->arena, "IAM role %s", u->name);
    if (!r)
        c->rc = RL_ENOMEM;
    return r ? r : "";
}

static void report_use(ic *c, const rl_role_use *first, const rl_role_use *u, const char *account,
                       uint64_t regions)
{
    const rl_model *m = c->m;
    uint64_t here = 0, created_elsewhere = 0;
    bool owned = false;
    for (const rl_role_use *v = first; v; v = v->next_key) {
        if (!account_ok(v, account) || v->attach)
            continue;
        owned = owned || v->creation || v->creator;
        if (same_pos(u->file, &u->span, v->file, &v->span))
            here |= bit_of(m, v->region);
        else if (v->creation)
            created_elsewhere |= bit_of(m, v->region);
    }
    /* A role that a stack of the pair creates ties the other region to that stack's life
     * (its updates, its rollbacks, its deletion): a warning. A role no stack of the pair
     * creates is managed elsewhere, often on purpose in one global IAM stack (the fix for
     * RL203): a note that a change to it reaches every region at once. */
    rl_level level = owned ? RL_LEVEL_NONE : RL_LEVEL_NOTE;
    if (!first_time(c, RL_ID(RL201), u->file, &u->span, u->key))
        return;
    const char *label = role_label(c, u);
    const rl_iam_role *role = u->profile ? NULL : rl_iam_role_find(m, u->name);
    const char *extra = role ? export_summary(c, role) : "";
    const char *what = u->res ? u->res->id : "a resource";
    const char *type = u->res && u->res->type ? u->res->type : "";
    rl_finding *f;
    if (popcount(here) > 1) {
        const char *region = pick_region(m, here);
        f = rl_emit_as(c->ctx, RL_ID(RL201), level, u->file, &u->span, u->path, region,
                       other_region(m, here, region),
                       "%s (%s) uses %s in %s alike (the template is deployed to each)%s: one "
                       "change to the role reaches every region at once%s",
                       what, type, label, region_list(c, here),
                       owned ? "" : ", a role no stack of the pair creates", extra);
    } else {
        const char *other = other_region(m, regions, u->region);
        bool creates = (created_elsewhere & bit_of(m, other)) != 0;
        f = rl_emit_as(c->ctx, RL_ID(RL201), level, u->file, &u->span, u->path, u->region, other,
                       "%s (%s) in %s uses %s, which %s %s%s: %s%s", what, type, u->region, label,
                       creates ? "a stack of" : "is also used in", other, creates ? " creates" : "",
                       owned ? "one change to the role, or its deletion with the stack that owns "
                               "it, reaches both regions at once"
                             : "no stack of the pair creates it, so a change to it reaches both "
                               "regions at once",
                       extra);
    }
    if (!f)
        return;
    size_t nrel = 0;
    for (const rl_role_use *v = first; v && nrel < MAX_RELATED; v = v->next_key) {
        if (!account_ok(v, account) || v->attach || same_pos(u->file, &u->span, v->file, &v->span))
            continue;
        bool dup = false;
        for (const rl_role_use *w = first; w != v && !dup; w = w->next_key)
            dup = account_ok(w, account) && !w->attach &&
                  same_pos(w->file, &w->span, v->file, &v->span);
        if (dup)
            continue;
        if (v->creation)
            rl_emit_related(c->ctx, f, v->file, &v->span, "created by %s (%s) in %s",
                            v->res ? v->res->id : "?", v->res ? v->res->type : "", v->region);
        else
            rl_emit_related(c->ctx, f, v->file, &v->span, "also used by %s (%s) in %s",
                            v->res ? v->res->id : "?", v->res ? v->res->type : "", v->region);
        nrel++;
    }
    if (role && role->node)
        rl_emit_related(c->ctx, f, rl_doc_path(role->input->doc), &role->node->span,
                        "the role in the IAM export");
}

static void report_group(ic *c, const rl_role_use *first, const char *account)
{
    const rl_model *m = c->m;
    uint64_t regions = 0, creators = 0;
    for (const rl_role_use *u = first; u; u = u->next_key) {
        if (!account_ok(u, account) || u->attach)
            continue;
        regions |= bit_of(m, u->region);
        if (u->creation)
            creators |= bit_of(m, u->region);
    }
    /* every region creates it under the same name: that is RL203's collision */
    if (popcount(regions) < 2 || (regions & ~creators) == 0)
        return;
    bool owned = false;
    for (const rl_role_use *u = first; u && !owned; u = u->next_key)
        owned = account_ok(u, account) && !u->attach && (u->creation || u->creator);
    if (!owned && !c->unowned)
        return;
    if (rl_globset_match(c->allowed_roles, first->name))
        return;
    for (const rl_role_use *u = first; u && c->rc == RL_OK; u = u->next_key)
        if (account_ok(u, account) && !u->creation && !u->attach)
            report_use(c, first, u, account, regions);
}

static void check_shared_roles(ic *c)
{
    rl_role_use *const *uses;
    size_t n;
    if ((c->rc = rl_iam_uses(c->m, &uses, &n)) < 0)
        return;
    for (size_t i = 0; i < n && c->rc == RL_OK; i++) {
        const rl_role_use *first = uses[i];
        if (rl_iam_uses_of(c->m, first->key) != first)
            continue;
        /* roles of different accounts that happen to share a name are different roles */
        const char *accts[4];
        size_t na = 0;
        for (const rl_role_use *u = first; u && na < 4; u = u->next_key) {
            bool seen = !u->account;
            for (size_t j = 0; j < na && !seen; j++)
                seen = !strcmp(accts[j], u->account);
            if (!seen)
                accts[na++] = u->account;
        }
        if (na <= 1)
            report_group(c, first, NULL);
        else
            for (size_t j = 0; j < na; j++)
                report_group(c, first, accts[j]);
    }
}

/* ---- RL202: a role granted actions on another region's resources ---------------------------- */

typedef struct pscan {
    ic *c;
    const rl_stack *st;   /* template policies: evaluated in this instance; NULL for the export */
    const rl_doc *doc;    /* export: the document holding the nodes */
    const rl_mpolicy *mp; /* the document being read */
    uint64_t used;        /* regions whose stacks use the role(s) */
    uint64_t instances;   /* regions with an instance of the template that defines the policy */
    bool stars;           /* report `*` regions (not for roles only known from RoleLastUsed) */
    bool collect;         /* first pass over a statement: note which regions each ARN names */
    rl_hmap twins;        /* "region|partition:service:account:resource" of the statement */
    const char *role;     /* for messages */
    const char *key;      /* role key for the related use, or NULL */
    const rl_node *stmt_node;    /* the statement being read */
    const rl_statement *stmt_st; /* compiled */
    const char *actions;         /* its summary for messages, once made */
    bool pending;                /* the first pass saw an ARN of a region of the pair */
    const char *doc_path;        /* logical path of the policy document */
    long stmt;                   /* index of the statement, -1 when Statement is one object */
    const rl_node *leaf;
} pscan;

/* The logical path of the resource value being read: made for a finding only, most values
 * give none. */
static const char *resource_path(pscan *p)
{
    rl_strbuf b = RL_STRBUF_INIT;
    rl_strbuf_puts(&b, p->doc_path);
    rl_strbuf_puts(&b, ".Statement");
    if (p->stmt >= 0)
        rl_strbuf_put_index(&b, (size_t)p->stmt);
    rl_strbuf_puts(&b, ".Resource");
    rl_strbuf_append(&b, p->c->items.data ? p->c->items.data : "", p->c->items.len);
    const char *r = b.failed ? NULL : rl_arena_strndup(p->c->arena, b.data, b.len);
    rl_strbuf_free(&b);
    if (!r)
        p->c->rc = RL_ENOMEM;
    return r ? r : "";
}

static const char *const global_services[] = {
    "iam",     "s3", "cloudfront", "route53", "organizations", "sts", "waf", "globalaccelerator",
    "budgets", "ce", "health",     "support"};

static bool global_service(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(global_services) / sizeof(*global_services); i++)
        if (strlen(global_services[i]) == n && !strncmp(global_services[i], s, n))
            return true;
    return false;
}

/* The resource part names something more specific than "everything of the service":
 * table/orders, log-group:/aws/lambda/x, not *, log-group:*. */
static bool specific_resource(const char *res, size_t len)
{
    size_t i = 0;
    while (i < len && res[i] != '/' && res[i] != ':')
        i++;
    if (i == len)
        i = 0;
    else
        i++;
    for (; i < len; i++)
        if (res[i] != '*')
            return true;
    return false;
}

/* The resolved string for a message: escaped, shortened, and with the pieces that cannot be
 * known shown as what they come from (${AWS::AccountId}, ${ClusterName}). */
static void excerpt(const rl_evstr *s, char *out, size_t outsz)
{
    rl_strbuf b = RL_STRBUF_INIT;
    for (size_t i = 0; i < s->nparts && b.len < 200; i++) {
        const rl_strpart *p = &s->parts[i];
        if (!p->origin && p->via && p->len == 3 && !memcmp(s->str + p->off, UNKNOWN_MARK, 3))
            rl_strbuf_printf(&b, "${%s}",
                             !strncmp(p->via, "parameter ", 10) ? p->via + 10 : p->via);
        else
            rl_strbuf_put_escaped(&b, s->str + p->off, p->len, 160);
    }
    snprintf(out, outsz, "%s", rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
}

static const char *actions_text(pscan *p);

static void emit_grant(pscan *p, const rl_evstr *s, size_t roff, size_t rlen, const char *region,
                       const char *used_in)
{
    ic *c = p->c;
    const char *file = p->st ? rl_doc_path(p->st->input->doc) : rl_doc_path(p->doc);
    rl_span span = p->leaf->span;
    const char *f2;
    rl_span sp2;
    if (rl_evstr_locate(s, roff, rlen, &f2, &sp2, NULL)) {
        file = f2;
        span = sp2;
    }
    char arn[200];
    excerpt(s, arn, sizeof(arn));
    rl_finding *f;
    if (!region) {
        /* `*` in the region field */
        if (!first_time(c, RL_ID(RL202), file, &span, "*"))
            return;
        const char *in = region_list(c, p->used);
        f = rl_emit_as(c->ctx, RL_ID(RL202), RL_LEVEL_NOTE, file, &span, resource_path(p), used_in,
                       NULL,
                       "%s, used in %s, is granted %s on %s in every region (`*`), the other "
                       "region's copy included; name the region (${AWS::Region}) to keep each "
                       "region's role to its own resources",
                       p->role, in, actions_text(p), arn);
    } else {
        char extra[96];
        snprintf(extra, sizeof(extra), "%s>%s", used_in, region);
        if (!first_time(c, RL_ID(RL202), file, &span, extra))
            return;
        f = rl_emit_as(c->ctx, RL_ID(RL202), RL_LEVEL_NONE, file, &span, resource_path(p), used_in,
                       region,
                       "%s, used in %s, is granted %s on %s, a resource in %s: after a failover "
                       "it still depends on %s, or lacks the same permission on %s's own "
                       "resource",
                       p->role, used_in, actions_text(p), arn, region, region, used_in);
    }
    const rl_role_use *u = p->key ? use_in(c->m, p->key, used_in) : NULL;
    if (f && u && !u->creation)
        rl_emit_related(c->ctx, f, u->file, &u->span, "the role is used here by %s (%s) in %s",
                        u->res ? u->res->id : "?", u->res ? u->res->type : "", u->region);
}

/* The region field comes from a parameter whose name says it is another region on purpose
 * (PrimaryRegion, SecondaryRegion, FailoverRegion, ...): failover tooling has to reach it.
 * The same names the dependency rules accept for region settings. */
static bool intended_region(const rl_evstr *s, size_t off)
{
    static const char *const roles[] = {"primary", "secondary", "standby",     "failover", "peer",
                                        "source",  "target",    "destination", "replica",  "backup",
                                        "other",   "remote",    "partner",     "dr_"};
    for (size_t i = 0; i < s->nparts; i++) {
        const rl_strpart *p = &s->parts[i];
        if (off < p->off || off >= p->off + p->len || !p->via || strncmp(p->via, "parameter ", 10))
            continue;
        const char *name = p->via + 10;
        size_t n = strlen(name);
        for (size_t r = 0; r < sizeof(roles) / sizeof(*roles); r++) {
            size_t rl = strlen(roles[r]);
            for (size_t j = 0; j + rl <= n; j++)
                if (!strncasecmp(name + j, roles[r], rl))
                    return true;
        }
    }
    return false;
}

/* "region|ARN without its region field", the key under which a statement's first pass
 * notes the regions each ARN names. The pieces end at a NUL as printf's %.*s ends them. */
static void twin_key(ic *c, const char *region, const char *arn, size_t before, const char *rest,
                     size_t restlen)
{
    rl_strbuf_clear(&c->twin);
    rl_strbuf_puts(&c->twin, region);
    rl_strbuf_putc(&c->twin, '|');
    rl_strbuf_append(&c->twin, arn, strnlen(arn, before));
    rl_strbuf_append(&c->twin, rest, strnlen(rest, restlen));
}

static int on_resource(void *ctx, const rl_evstr *s)
{
    pscan *p = ctx;
    const char *str = s->str;
    rl_arn arn;
    if (p->c->rc || !rl_arn_parse(str, s->len, &arn))
        return p->c->rc;
    size_t roff = (size_t)(arn.region - str), rlen = arn.region_len;
    const char *r = arn.region;
    size_t acct_off = (size_t)(arn.account - str);
    if (rlen == 0 || global_service(arn.service, arn.service_len))
        return 0;
    if (rlen == 1 && r[0] == '*') {
        if (p->stars && specific_resource(arn.resource, arn.resource_len) && p->used)
            emit_grant(p, s, roff, rlen, NULL, pick_region(p->c->m, p->used));
        return p->c->rc;
    }
    char region[32];
    if (rlen >= sizeof(region) || !rl_is_region(r, rlen))
        return 0;
    memcpy(region, r, rlen);
    region[rlen] = '\0';
    if (p->collect) {
        if (rl_model_in_pair(p->c->m, region))
            p->pending = true;
        twin_key(p->c, region, str, roff, str + acct_off, s->len - acct_off);
        char *k = p->c->twin.failed ? NULL : rl_arena_strdup(p->c->stmt, p->c->twin.data);
        if (!k || rl_hmap_puts(&p->twins, k, (void *)1) < 0)
            p->c->rc = RL_ENOMEM;
        return p->c->rc;
    }
    if (!rl_model_in_pair(p->c->m, region) || intended_region(s, roff))
        return 0;
    for (size_t k = 0; k < p->c->m->nregions && k < 64; k++) {
        const char *u = p->c->m->regions[k];
        uint64_t b = (uint64_t)1 << k;
        if (!(p->used & b) || !strcmp(u, region))
            continue;
        /* the statement grants the same resource in the region the role is used in too:
         * deliberately multi-region (a global table, a replicated secret) */
        twin_key(p->c, u, str, roff, str + acct_off, s->len - acct_off);
        if (p->c->twin.len < 1024 && rl_hmap_gets(&p->twins, rl_strbuf_cstr(&p->c->twin)))
            continue;
        /* a template instance granting its own region's resource (${AWS::Region}) to a role
         * that another region uses too: that region's instance grants its own. The shared
         * role itself is RL201's finding. */
        if (p->st && p->st->region && !strcmp(region, p->st->region) && (p->instances & b))
            continue;
        emit_grant(p, s, roff, rlen, region, u);
    }
    return p->c->rc;
}

/* Resource values: evaluated in the stack instance (an embedded !Sub document as an
 * Fn::Sub of each string), or read as written in an export. */
static void scan_resource(pscan *p, const rl_node *n)
{
    if (!n || p->c->rc)
        return;
    if (rl_node_is_seq(n)) {
        rl_strbuf *items = &p->c->items;
        size_t mark = items->len;
        for (size_t i = 0; i < n->u.seq.count; i++) {
            rl_strbuf_put_index(items, i);
            scan_resource(p, n->u.seq.items[i]);
            items->len = mark;
            if (items->data)
                items->data[mark] = '\0';
        }
        return;
    }
    p->leaf = n;
    int rc = rl_mpolicy_strings(p->mp, n, on_resource, p);
    if (rc < 0 && !p->c->rc)
        p->c->rc = rc;
}

static bool mentions_requested_region(const rl_statement *st)
{
    for (size_t i = 0; i < st->nconds; i++)
        if (!strcasecmp(st->conds[i].key, "aws:RequestedRegion"))
            return true;
    return false;
}

/* Whether the statement grants an action that is not one whose purpose is to reach another
 * region (allowed-actions). */
static bool grants_more(pscan *p, const rl_statement *st)
{
    if (st->not_action)
        return true;
    for (size_t i = 0; i < st->nactions; i++)
        if (!rl_globset_match(p->c->allowed_actions, st->actions[i]))
            return true;
    return false;
}

/* "sqs:SendMessage, sqs:ReceiveMessage and 3 more": the summary of a statement grants_more()
 * accepted, made for its first finding. */
static const char *actions_text(pscan *p)
{
    if (p->actions)
        return p->actions;
    const rl_statement *st = p->stmt_st;
    if (st->not_action)
        return p->actions = "every action but its NotAction list";
    rl_strbuf b = RL_STRBUF_INIT;
    size_t shown = 0, n = st->nactions;
    for (size_t i = 0; i < n && shown < 2; i++) {
        if (shown)
            rl_strbuf_puts(&b, ", ");
        rl_strbuf_put_escaped(&b, st->actions[i], strlen(st->actions[i]), 60);
        shown++;
    }
    if (n > shown)
        rl_strbuf_printf(&b, " and %zu more", n - shown);
    p->actions = b.failed ? NULL : rl_arena_strdup(p->c->arena, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    if (!p->actions)
        p->c->rc = RL_ENOMEM;
    return p->actions ? p->actions : "";
}

/* The Allow statements of a document (the policy evaluator compiled them); a NotResource
 * grants everything but its list, which names no resource of another region. */
static void scan_statements(pscan *p, const char *path)
{
    const rl_policy *pol = rl_mpolicy_policy(p->mp);
    for (size_t i = 0; pol && i < rl_policy_count(pol) && !p->c->rc; i++) {
        const rl_statement *st = rl_policy_statement(pol, i);
        if (st->deny || st->not_resource || mentions_requested_region(st) || !grants_more(p, st))
            continue;
        p->stmt_node = st->node;
        p->stmt_st = st;
        p->actions = NULL;
        const rl_node *res = rl_node_get(st->node, "Resource");
        p->doc_path = path;
        p->stmt = rl_policy_statement_list(pol) ? (long)st->index : -1;
        rl_strbuf_clear(&p->c->items);
        p->collect = true;
        p->pending = false;
        scan_resource(p, res);
        p->collect = false;
        /* the second pass reports ARNs of the pair's regions; a statement without any (most
         * of them) needs none: its `*` grants were reported by the first */
        if (p->pending)
            scan_resource(p, res);
        rl_hmap_free(&p->twins);
        rl_arena_reset(p->c->stmt);
    }
}

/* A policy document, read by the model's one reader (rl_mpolicy). */
static void scan_document(pscan *p, rl_doc *doc, const rl_node *n, const char *path)
{
    rl_mpolicy *own = NULL;
    const rl_mpolicy *mp = rl_model_policy(p->c->m, p->st, n);
    int rc = mp ? RL_OK : rl_mpolicy_new(&own, p->st, doc, n);
    if (rc < 0) {
        p->c->rc = rc;
        return;
    }
    if (!mp)
        mp = own;
    const rl_policy *pol = rl_mpolicy_policy(mp);
    if (pol) {
        const rl_stack *saved = p->st;
        p->mp = mp;
        p->st = rl_mpolicy_stack(mp);
        scan_statements(p, path);
        p->st = saved;
        p->mp = NULL;
    }
    rl_mpolicy_free(own);
}

/* Regions that use a template role: its own stack's region and the regions of every use. */
static uint64_t role_regions(ic *c, const rl_stack *st, const char *key, const rl_resource *creator)
{
    return bit_of(c->m, st->region) | (key ? key_regions(c->m, key, creator) : 0);
}

/* "source|name" in buf (as snprintf would write it); returns the length it needs. */
static int template_key(const rl_stack *st, char *buf, size_t n)
{
    const char *name = st->name ? st->name : "";
    size_t len = strlen(name);
    if (len + 3 <= n) {
        buf[0] = (char)('0' + (int)st->source); /* rl_stack_source is a single digit */
        buf[1] = '|';
        memcpy(buf + 2, name, len + 1);
    }
    return (int)(len + 2);
}

/* One pass over the stacks: the regions where each template input, and each template name
 * (the same template copied per region folder), has an instance. */
static void index_templates(ic *c)
{
    const rl_model *m = c->m;
    c->indexed = true;
    for (size_t i = 0; i < m->nstacks && !c->rc; i++) {
        const rl_stack *st = m->stacks[i];
        char name[512];
        if (!st->region || template_key(st, name, sizeof(name)) >= (int)sizeof(name))
            continue;
        const void *keys[2] = {st->input, name};
        size_t lens[2] = {RL_HMAP_PTR, strlen(name)};
        for (int k = 0; k < 2 && !c->rc; k++) {
            uint64_t *set = rl_hmap_get(&c->templates, keys[k], lens[k]);
            if (!set) {
                set = rl_arena_calloc(c->arena, 1, sizeof(*set));
                const void *key = k ? (const void *)rl_arena_strdup(c->arena, name) : keys[k];
                if (!set || !key || rl_hmap_put(&c->templates, key, lens[k], set) < 0) {
                    c->rc = RL_ENOMEM;
                    return;
                }
            }
            *set |= bit_of(m, st->region);
        }
    }
}

/* Regions with an instance of the template of `st` (a shared template, or the same template
 * deployed per region). */
static uint64_t instances_of(ic *c, const rl_stack *st)
{
    char name[512];
    if (!c->indexed)
        index_templates(c);
    uint64_t set = bit_of(c->m, st->region);
    const uint64_t *a = rl_hmap_get(&c->templates, st->input, RL_HMAP_PTR);
    if (a)
        set |= *a;
    if (template_key(st, name, sizeof(name)) < (int)sizeof(name)) {
        const uint64_t *b = rl_hmap_gets(&c->templates, name);
        if (b)
            set |= *b;
    }
    return set;
}

typedef struct keys_acc {
    ic *c;
    uint64_t used;
    const char *key, *name;
} keys_acc;

static int on_attached(void *ctx, const rl_role_ref *ref)
{
    keys_acc *k = ctx;
    k->used |= key_regions(k->c->m, ref->key, ref->creator);
    if (!k->key) {
        k->key = ref->key;
        k->name = ref->name;
    }
    return 0;
}

static rl_doc *doc_of(const rl_stack *st)
{
    return st->input->doc;
}

static const char *cpath(ic *c, const rl_resource *r, const char *rest)
{
    const char *p = rl_arena_cat(
        c->arena, r->path, r->stack->source == RL_STACK_CFN ? ".Properties." : ".", rest, NULL);
    if (!p)
        c->rc = RL_ENOMEM;
    return p;
}

/* The path of item i of a list property, and `suffix` below it: "...Properties.Policies[0]
 * .PolicyDocument" (no suffix when NULL). */
static const char *item_path(ic *c, const char *base, const char *sep, const char *list, size_t i,
                             const char *suffix)
{
    rl_strbuf b = RL_STRBUF_INIT;
    rl_strbuf_puts(&b, base);
    rl_strbuf_puts(&b, sep);
    rl_strbuf_puts(&b, list);
    rl_strbuf_put_index(&b, i);
    if (suffix) {
        rl_strbuf_putc(&b, '.');
        rl_strbuf_puts(&b, suffix);
    }
    const char *p = b.failed ? NULL : rl_arena_strndup(c->arena, b.data, b.len);
    rl_strbuf_free(&b);
    if (!p)
        c->rc = RL_ENOMEM;
    return p;
}

static void scan_export_policy(ic *c, const rl_iam_policy *pol, uint64_t used, const char *role,
                               const char *key, bool stars);

static void template_role(ic *c, const rl_stack *st, const rl_resource *r)
{
    const rl_role_ref *ref = rl_iam_created_role(c->m, r);
    if (!ref) {
        c->rc = RL_ENOMEM;
        return;
    }
    if (rl_globset_match(c->allowed_roles, ref->name))
        return;
    pscan p = {0};
    p.c = c;
    p.st = st;
    p.stars = true;
    p.instances = instances_of(c, st);
    p.key = ref->key;
    p.used = role_regions(c, st, ref->key[0] == '@' ? NULL : ref->key, r);
    p.role = rl_arena_cat(c->arena, "role ", ref->name, NULL);
    if (!p.role) {
        c->rc = RL_ENOMEM;
        return;
    }
    bool cfn = st->source == RL_STACK_CFN;
    const rl_node *pols = rl_node_get(r->props, cfn ? "Policies" : "inline_policy");
    if (rl_node_is_map(pols))
        pols = NULL;
    for (size_t i = 0; i < rl_node_count(pols) && !c->rc; i++) {
        const rl_node *item = rl_node_at(pols, i);
        const char *path =
            item_path(c, r->path, cfn ? ".Properties." : ".", cfn ? "Policies" : "inline_policy", i,
                      cfn ? "PolicyDocument" : "policy");
        if (!path)
            return;
        scan_document(&p, doc_of(st), rl_node_get(item, cfn ? "PolicyDocument" : "policy"), path);
    }
    if (!cfn)
        return;
    /* managed policies by ARN: the export's documents, or a policy of the same stack */
    const rl_node *arns = rl_node_get(r->props, "ManagedPolicyArns");
    for (size_t i = 0; rl_node_is_seq(arns) && i < arns->u.seq.count && !c->rc; i++) {
        const rl_node *a = arns->u.seq.items[i];
        rl_ref mref = rl_ref_of(st, r, a);
        if (mref.state == RL_KNOWN) {
            const rl_resource *mp = mref.res;
            if (mp->type && !strcmp(mp->type, "AWS::IAM::ManagedPolicy")) {
                scan_document(&p, doc_of(st), rl_node_get(mp->props, "PolicyDocument"),
                              cpath(c, mp, "PolicyDocument"));
            }
            continue;
        }
        const char *arn = rl_eval_string(st, a);
        const rl_iam_policy *pol = arn ? rl_iam_policy_find(c->m, arn) : NULL;
        if (pol)
            scan_export_policy(c, pol, p.used, p.role, p.key, true);
    }
}

/* A policy resource attached to roles by name or reference (AWS::IAM::Policy, ManagedPolicy,
 * RolePolicy; aws_iam_role_policy). */
static void template_policy(ic *c, const rl_stack *st, const rl_resource *r, const char *roles_prop,
                            const char *doc_prop)
{
    const rl_node *roles = rl_node_get(r->props, roles_prop);
    if (!roles)
        return;
    keys_acc k = {c, bit_of(c->m, st->region), NULL, NULL};
    int rc = rl_iam_resolve(c->m, st, roles, true, on_attached, &k);
    if (rc < 0) {
        c->rc = rc;
        return;
    }
    if (k.name && rl_globset_match(c->allowed_roles, k.name))
        return;
    pscan p = {0};
    p.c = c;
    p.st = st;
    p.stars = true;
    p.instances = instances_of(c, st);
    p.key = k.key;
    p.used = k.used;
    p.role = k.name ? rl_arena_cat(c->arena, "role ", k.name, " (through ", r->id, ")", NULL)
                    : rl_arena_cat(c->arena, "the role of ", r->id, NULL);
    if (!p.role) {
        c->rc = RL_ENOMEM;
        return;
    }
    scan_document(&p, doc_of(st), rl_node_get(r->props, doc_prop), cpath(c, r, doc_prop));
}

/* SAM functions and state machines: inline statements in Policies give the role SAM
 * generates for them. */
static void template_sam(ic *c, const rl_stack *st, const rl_resource *r)
{
    if (rl_node_get(r->props, "Role"))
        return; /* SAM ignores Policies when a Role is given */
    const rl_node *pols = rl_node_get(r->props, "Policies");
    pscan p = {0};
    p.c = c;
    p.st = st;
    p.stars = true;
    p.instances = instances_of(c, st);
    p.used = bit_of(c->m, st->region);
    p.role = rl_arena_cat(c->arena, "the role SAM generates for ", r->id, NULL);
    if (!p.role) {
        c->rc = RL_ENOMEM;
        return;
    }
    size_t n = rl_node_is_seq(pols) ? pols->u.seq.count : pols ? 1 : 0;
    for (size_t i = 0; i < n && !c->rc; i++) {
        const rl_node *item = rl_node_is_seq(pols) ? rl_node_at(pols, i) : pols;
        if (!rl_node_get(item, "Statement"))
            continue;
        const char *path =
            rl_node_is_seq(pols)
                ? item_path(c, r->path, r->stack->source == RL_STACK_CFN ? ".Properties." : ".",
                            "Policies", i, NULL)
                : cpath(c, r, "Policies");
        if (!path)
            return;
        scan_document(&p, doc_of(st), item, path);
    }
}

static void template_attachment(ic *c, const rl_stack *st, const rl_resource *r)
{
    rl_ref ref = rl_ref_prop(r, "policy_arn");
    const rl_resource *pol = ref.state == RL_KNOWN ? ref.res : NULL;
    if (!pol || !pol->type || strcmp(pol->type, "aws_iam_policy"))
        return;
    keys_acc k = {c, bit_of(c->m, st->region), NULL, NULL};
    int rc = rl_iam_resolve(c->m, st, rl_node_get(r->props, "role"), true, on_attached, &k);
    if (rc < 0) {
        c->rc = rc;
        return;
    }
    pscan p = {0};
    p.c = c;
    p.st = pol->stack;
    p.stars = true;
    p.instances = instances_of(c, pol->stack);
    p.key = k.key;
    p.used = k.used;
    p.role = rl_arena_printf(c->arena, "role %s (through %s)", k.name ? k.name : "?", pol->id);
    if (!p.role) {
        c->rc = RL_ENOMEM;
        return;
    }
    scan_document(&p, doc_of(pol->stack), rl_node_get(pol->props, "policy"),
                  cpath(c, pol, "policy"));
}

static void template_policies(ic *c)
{
    const rl_model *m = c->m;
    for (size_t i = 0; i < m->nstacks && !c->rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!st->region || !rl_model_in_pair(m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !c->rc; j++) {
            const rl_resource *r = &st->resources[j];
            const char *t = r->type ? r->type : "";
            if (r->deployed == 0)
                continue;
            if (!strcmp(t, "AWS::IAM::Role") || !strcmp(t, "aws_iam_role"))
                template_role(c, st, r);
            else if (!strcmp(t, "AWS::IAM::Policy") || !strcmp(t, "AWS::IAM::ManagedPolicy"))
                template_policy(c, st, r, "Roles", "PolicyDocument");
            else if (!strcmp(t, "AWS::IAM::RolePolicy"))
                template_policy(c, st, r, "RoleName", "PolicyDocument");
            else if (!strcmp(t, "aws_iam_role_policy"))
                template_policy(c, st, r, "role", "policy");
            else if (!strcmp(t, "aws_iam_role_policy_attachment"))
                template_attachment(c, st, r);
            else if (!strcmp(t, "AWS::Serverless::Function") ||
                     !strcmp(t, "AWS::Serverless::StateMachine"))
                template_sam(c, st, r);
        }
    }
}

static void scan_export_policy(ic *c, const rl_iam_policy *pol, uint64_t used, const char *role,
                               const char *key, bool stars)
{
    pscan p = {0};
    p.c = c;
    p.stars = stars;
    p.doc = pol->input->doc;
    p.used = used;
    p.key = key;
    p.role =
        rl_arena_printf(c->arena, "%s (managed policy %s)", role, pol->name ? pol->name : pol->arn);
    if (!p.role) {
        c->rc = RL_ENOMEM;
        return;
    }
    scan_document(&p, pol->input->doc, pol->doc, pol->path);
}

/* A managed policy of the export and what the roles attached to it add up to. */
typedef struct pol_use {
    const rl_iam_policy *pol;
    uint64_t used;
    bool stars;
    const char *role, *key; /* the first role that has it, for messages */
    struct pol_use *next;
} pol_use;

/* The IAM export: the inline and attached managed policies of every role that a stack of
 * the pair uses or that was last used in a region of the pair. A managed policy attached to
 * many roles is read once, for the union of their regions. */
static void export_policies(ic *c)
{
    const rl_model *m = c->m;
    size_t n;
    const rl_iam_role *const *roles = rl_iam_roles(m, &n);
    rl_hmap pol_used = RL_HMAP_INIT;
    pol_use *head = NULL, **tail = &head;
    for (size_t i = 0; i < n && !c->rc; i++) {
        const rl_iam_role *role = roles[i];
        if (role->service_linked || (rl_globset_match(c->allowed_roles, role->name)))
            continue;
        char key[256];
        size_t kl = strlen(role->name);
        if (kl >= sizeof(key))
            continue;
        for (size_t j = 0; j <= kl; j++)
            key[j] = (char)tolower((unsigned char)role->name[j]);
        uint64_t by_stacks = key_regions(m, key, NULL);
        uint64_t used = by_stacks | bit_of(m, role->last_used_region);
        if (!used)
            continue;
        const char *ikey = rl_arena_strdup(c->arena, key);
        const char *label = rl_arena_cat(c->arena, "role ", role->name, NULL);
        if (!ikey || !label) {
            c->rc = RL_ENOMEM;
            break;
        }
        pscan p = {0};
        p.c = c;
        p.doc = role->inline_in ? role->inline_in->doc : NULL;
        p.used = used;
        p.key = ikey;
        p.role = label;
        p.stars = by_stacks != 0;
        const rl_node *inl = role->inline_policies;
        for (size_t j = 0; j < rl_node_count(inl) && !c->rc; j++) {
            const char *path = item_path(c, role->path, ".", "RolePolicyList", j, "PolicyDocument");
            if (!path)
                break;
            scan_document(&p, role->inline_in->doc,
                          rl_node_get(rl_node_at(inl, j), "PolicyDocument"), path);
        }
        const rl_node *att = role->attached;
        for (size_t j = 0; j < rl_node_count(att) && !c->rc; j++) {
            const rl_node *at = rl_node_is_seq(att) ? rl_node_at(att, j) : att;
            const rl_iam_policy *pol =
                rl_iam_policy_find(m, rl_node_str(rl_node_get(at, "PolicyArn")));
            if (pol) {
                pol_use *pu = rl_hmap_get(&pol_used, pol, RL_HMAP_PTR);
                if (!pu) {
                    pu = rl_arena_calloc(c->arena, 1, sizeof(*pu));
                    if (!pu || rl_hmap_put(&pol_used, pol, RL_HMAP_PTR, pu) < 0) {
                        c->rc = RL_ENOMEM;
                        break;
                    }
                    pu->pol = pol;
                    pu->role = label;
                    pu->key = ikey;
                    *tail = pu;
                    tail = &pu->next;
                }
                pu->used |= used;
                pu->stars = pu->stars || by_stacks != 0;
            }
            if (!rl_node_is_seq(att))
                break;
        }
    }
    for (const pol_use *pu = head; pu && !c->rc; pu = pu->next)
        scan_export_policy(c, pu->pol, pu->used, pu->role, pu->key, pu->stars);
    rl_hmap_free(&pol_used);
}

/* ---- RL203: global names created in two regions --------------------------------------------- */

enum { K_IAM, K_S3, K_CLOUDFRONT, K_ALIAS, K_R53, K_GLOBAL, K_SLR, K_OIDC };

typedef struct gname {
    const char *type;
    const char *prop; /* dotted path of the name */
    const char *what;
    int kind;
    bool list; /* prop holds a list of names */
} gname;

static const gname gnames[] = {
    {"AWS::IAM::Role", "RoleName", "IAM role", K_IAM, false},
    {"AWS::IAM::ManagedPolicy", "ManagedPolicyName", "IAM managed policy", K_IAM, false},
    {"AWS::IAM::User", "UserName", "IAM user", K_IAM, false},
    {"AWS::IAM::Group", "GroupName", "IAM group", K_IAM, false},
    {"AWS::IAM::InstanceProfile", "InstanceProfileName", "IAM instance profile", K_IAM, false},
    {"AWS::IAM::OIDCProvider", "Url", "IAM OIDC provider", K_OIDC, false},
    {"AWS::IAM::SAMLProvider", "Name", "IAM SAML provider", K_IAM, false},
    {"AWS::IAM::ServerCertificate", "ServerCertificateName", "IAM server certificate", K_IAM,
     false},
    {"AWS::IAM::VirtualMFADevice", "VirtualMfaDeviceName", "IAM virtual MFA device", K_IAM, false},
    {"AWS::IAM::ServiceLinkedRole", "AWSServiceName", "service-linked role", K_SLR, false},
    {"AWS::S3::Bucket", "BucketName", "S3 bucket", K_S3, false},
    {"AWS::S3::MultiRegionAccessPoint", "Name", "S3 Multi-Region Access Point", K_GLOBAL, false},
    {"AWS::CloudFront::Distribution", "DistributionConfig.Aliases", "CloudFront alias", K_ALIAS,
     true},
    {"AWS::CloudFront::CachePolicy", "CachePolicyConfig.Name", "CloudFront cache policy",
     K_CLOUDFRONT, false},
    {"AWS::CloudFront::OriginRequestPolicy", "OriginRequestPolicyConfig.Name",
     "CloudFront origin request policy", K_CLOUDFRONT, false},
    {"AWS::CloudFront::ResponseHeadersPolicy", "ResponseHeadersPolicyConfig.Name",
     "CloudFront response headers policy", K_CLOUDFRONT, false},
    {"AWS::CloudFront::Function", "Name", "CloudFront function", K_CLOUDFRONT, false},
    {"AWS::CloudFront::KeyGroup", "KeyGroupConfig.Name", "CloudFront key group", K_CLOUDFRONT,
     false},
    {"AWS::CloudFront::OriginAccessControl", "OriginAccessControlConfig.Name",
     "CloudFront origin access control", K_CLOUDFRONT, false},
    {"AWS::CloudFront::PublicKey", "PublicKeyConfig.Name", "CloudFront public key", K_CLOUDFRONT,
     false},
    {"AWS::CloudFront::KeyValueStore", "Name", "CloudFront key value store", K_CLOUDFRONT, false},
    {"AWS::Route53::RecordSet", "Name", "Route 53 record", K_R53, false},
    {"AWS::Budgets::Budget", "Budget.BudgetName", "budget", K_GLOBAL, false},
    {"AWS::Chatbot::SlackChannelConfiguration", "ConfigurationName",
     "Chatbot Slack channel configuration", K_GLOBAL, false},
    {"AWS::Chatbot::MicrosoftTeamsChannelConfiguration", "ConfigurationName",
     "Chatbot Teams channel configuration", K_GLOBAL, false},
    {"aws_iam_role", "name", "IAM role", K_IAM, false},
    {"aws_iam_policy", "name", "IAM managed policy", K_IAM, false},
    {"aws_iam_user", "name", "IAM user", K_IAM, false},
    {"aws_iam_group", "name", "IAM group", K_IAM, false},
    {"aws_iam_instance_profile", "name", "IAM instance profile", K_IAM, false},
    {"aws_iam_openid_connect_provider", "url", "IAM OIDC provider", K_OIDC, false},
    {"aws_iam_saml_provider", "name", "IAM SAML provider", K_IAM, false},
    {"aws_iam_server_certificate", "name", "IAM server certificate", K_IAM, false},
    {"aws_iam_service_linked_role", "aws_service_name", "service-linked role", K_SLR, false},
    {"aws_s3_bucket", "bucket", "S3 bucket", K_S3, false},
    {"aws_cloudfront_distribution", "aliases", "CloudFront alias", K_ALIAS, true},
    {"aws_cloudfront_cache_policy", "name", "CloudFront cache policy", K_CLOUDFRONT, false},
    {"aws_cloudfront_origin_request_policy", "name", "CloudFront origin request policy",
     K_CLOUDFRONT, false},
    {"aws_cloudfront_response_headers_policy", "name", "CloudFront response headers policy",
     K_CLOUDFRONT, false},
    {"aws_cloudfront_function", "name", "CloudFront function", K_CLOUDFRONT, false},
    {"aws_cloudfront_key_group", "name", "CloudFront key group", K_CLOUDFRONT, false},
    {"aws_cloudfront_origin_access_control", "name", "CloudFront origin access control",
     K_CLOUDFRONT, false},
    {"aws_cloudfront_public_key", "name", "CloudFront public key", K_CLOUDFRONT, false},
    {"aws_route53_record", "name", "Route 53 record", K_R53, false},
    {"aws_budgets_budget", "name", "budget", K_GLOBAL, false},
    {"aws_chatbot_slack_channel_configuration", "configuration_name",
     "Chatbot Slack channel configuration", K_GLOBAL, false},
};

#define NGNAMES (sizeof(gnames) / sizeof(*gnames))

static int cmp_gname(const void *a, const void *b)
{
    return strcmp((*(const gname *const *)a)->type, (*(const gname *const *)b)->type);
}

/* The table sorted by type, for a binary search per resource (the checks run once per
 * process, so this is made on the first call; no type appears twice in the table). */
static const gname *const *gnames_sorted(ic *c)
{
    if (!c->gsorted) {
        const gname **v = rl_arena_alloc(c->arena, NGNAMES * sizeof(*v));
        if (!v)
            return NULL;
        for (size_t i = 0; i < NGNAMES; i++)
            v[i] = &gnames[i];
        qsort(v, NGNAMES, sizeof(*v), cmp_gname);
        c->gsorted = v;
    }
    return c->gsorted;
}

static const gname *gname_of(ic *c, const char *type)
{
    if (!type || (strncmp(type, "AWS::", 5) && strncmp(type, "aws_", 4)))
        return NULL;
    const gname *const *v = gnames_sorted(c);
    size_t lo = 0, hi = v ? NGNAMES : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(type, v[mid]->type);
        if (!d)
            return v[mid];
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

typedef struct gentry {
    const char *region;
    const rl_resource *res;
    const char *file, *path, *shown;
    rl_span span;
    struct gentry *next;
} gentry;

typedef struct gsig {
    ic *c;
    const rl_stack *st;
    rl_strbuf out;
    int alternatives;
    bool ok, fixed;
} gsig;

/* The name as the same in every region that gets the same inputs: known bytes as they are,
 * parameters without a value and the account id as ${name}. A piece only known after
 * deploy (another resource's generated id, an import) makes the name not comparable. */
static int on_name(void *ctx, const rl_evstr *s)
{
    gsig *g = ctx;
    if (++g->alternatives > 1) {
        g->ok = false;
        return 0;
    }
    for (size_t i = 0; i < s->nparts; i++) {
        const rl_strpart *p = &s->parts[i];
        bool unknown = !p->origin && p->len == 3 && !memcmp(s->str + p->off, UNKNOWN_MARK, 3);
        if (unknown) {
            if (!rl_via_is_input(g->st, p->via)) {
                g->ok = false;
                return 0;
            }
            rl_strbuf_printf(&g->out, "${%s}", p->via);
            continue;
        }
        if (p->origin && !p->via)
            g->fixed = true; /* text the template itself writes */
        rl_strbuf_append(&g->out, s->str + p->off, p->len);
    }
    return 0;
}

static const char *signature(ic *c, const rl_stack *st, const rl_node *n, bool need_fixed)
{
    gsig g;
    memset(&g, 0, sizeof(g));
    g.c = c;
    g.st = st;
    g.ok = true;
    g.out = (rl_strbuf)RL_STRBUF_INIT;
    int rc = rl_eval_strings(st, n, on_name, &g);
    const char *r = NULL;
    if (rc < 0)
        c->rc = rc;
    else if (g.ok && g.alternatives == 1 && g.out.len && (g.fixed || !need_fixed) &&
             !g.out.failed && !strstr(g.out.data, "{{resolve:"))
        /* a dynamic reference reads SSM or Secrets Manager in each region: not comparable */
        r = rl_arena_strndup(c->arena, g.out.data, g.out.len);
    rl_strbuf_free(&g.out);
    return r;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

typedef struct gindex {
    rl_hmap map; /* kind SEP signature -> gentry list (reverse order) */
    const char **keys;
    size_t nkeys, cap;
} gindex;

static void gindex_add(ic *c, gindex *gi, const char *key, gentry *e)
{
    void **slot = rl_hmap_slot(&gi->map, key, strlen(key));
    if (slot) {
        gentry *tail = *slot;
        while (tail->next)
            tail = tail->next;
        tail->next = e;
        return;
    }
    if (rl_hmap_puts(&gi->map, key, e) < 0) {
        c->rc = RL_ENOMEM;
        return;
    }
    if (gi->nkeys == gi->cap) {
        size_t ncap = gi->cap ? gi->cap * 2 : 32;
        const char **n = realloc(gi->keys, ncap * sizeof(*n));
        if (!n) {
            c->rc = RL_ENOMEM;
            return;
        }
        gi->keys = n;
        gi->cap = ncap;
    }
    gi->keys[gi->nkeys++] = key;
}

/* Route 53: a record is the hosted zone, name, type and SetIdentifier together. */
static const char *r53_signature(ic *c, const rl_resource *r)
{
    bool t = r->stack->source != RL_STACK_CFN;
    const rl_node *zone = rl_node_get(r->props, t ? "zone_id" : "HostedZoneId");
    if (!zone && !t)
        zone = rl_node_get(r->props, "HostedZoneName");
    const rl_node *name = rl_node_get(r->props, t ? "name" : "Name");
    const rl_node *type = rl_node_get(r->props, t ? "type" : "Type");
    const rl_node *setid = rl_node_get(r->props, t ? "set_identifier" : "SetIdentifier");
    if (!zone || !name || !type)
        return NULL;
    const char *z = signature(c, r->stack, zone, false);
    const char *nm = signature(c, r->stack, name, true);
    const char *ty = signature(c, r->stack, type, false);
    const char *si = setid ? signature(c, r->stack, setid, false) : "";
    if (!z || !nm || !ty || !si)
        return NULL;
    char *s = rl_arena_cat(c->arena, z, "|", nm, "|", ty, "|", si, NULL);
    if (!s)
        return NULL;
    lower(s);
    /* www.example.com. and www.example.com are one name */
    for (char *dot; (dot = strstr(s, ".|"));)
        memmove(dot, dot + 1, strlen(dot + 1) + 1);
    return s;
}

static void add_name(ic *c, gindex *gi, const rl_stack *st, const rl_resource *r, const gname *g,
                     const rl_node *n, const char *path)
{
    const char *sig;
    if (g->kind == K_R53) {
        sig = r53_signature(c, r);
    } else if (g->kind == K_SLR) {
        /* one service-linked role per service and CustomSuffix */
        const rl_node *sfx =
            rl_node_get(r->props, st->source == RL_STACK_CFN ? "CustomSuffix" : "custom_suffix");
        const char *a = signature(c, st, n, false);
        const char *b = sfx ? signature(c, st, sfx, false) : "";
        sig = a && b ? rl_arena_cat(c->arena, a, "|", b, NULL) : NULL;
    } else {
        sig = signature(c, st, n, true);
    }
    if (!sig)
        return;
    const char *key = rl_arena_cat(c->arena, g->what, "\x1f", sig, NULL);
    gentry *e = rl_arena_calloc(c->arena, 1, sizeof(*e));
    if (!key || !e) {
        c->rc = RL_ENOMEM;
        return;
    }
    if (g->kind != K_S3 && g->kind != K_ALIAS)
        lower((char *)key + strlen(g->what)); /* IAM and the others compare without case */
    if (g->kind == K_OIDC) {
        char *k = (char *)key;
        char *p = strstr(k, "https://");
        if (p)
            memmove(p, p + 8, strlen(p + 8) + 1);
    }
    e->region = st->region;
    e->res = r;
    e->file = rl_doc_path(st->input->doc);
    e->path = path;
    e->span = n->span;
    rl_strbuf b = RL_STRBUF_INIT;
    const char *shown = rl_eval_string(st, n);
    rl_strbuf_put_escaped(&b, shown ? shown : sig, strlen(shown ? shown : sig), 120);
    e->shown = rl_arena_strdup(c->arena, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    if (!e->shown) {
        c->rc = RL_ENOMEM;
        return;
    }
    gindex_add(c, gi, key, e);
}

static const char *why(int kind)
{
    switch (kind) {
    case K_IAM:
        return "IAM names are global to the account: the second region's deploy fails with "
               "EntityAlreadyExists, or both regions end up sharing one";
    case K_OIDC:
        return "an account has one IAM OIDC provider per URL: the second region's deploy fails "
               "with EntityAlreadyExists";
    case K_SLR:
        return "an account has one service-linked role per service and suffix: the second "
               "region's deploy fails because the name has been taken";
    case K_S3:
        return "bucket names are global across every account and region: the second region's "
               "deploy fails because the bucket already exists";
    case K_ALIAS:
        return "an alternate domain name belongs to one CloudFront distribution only: the second "
               "region's deploy fails with CNAMEAlreadyExists";
    case K_R53:
        return "the same record in the same hosted zone: the second region's deploy fails because "
               "it exists, or overwrites the first region's; give each region's record its own "
               "SetIdentifier with a failover or latency routing policy";
    default:
        return "the service is global and its names are unique per account: the second region's "
               "deploy fails because the name is taken";
    }
}

static const char *fix(int kind, bool cfn)
{
    switch (kind) {
    case K_IAM:
    case K_S3:
        return cfn ? "put ${AWS::Region} in the name, leave the name out, or create it in one "
                     "region only"
                   : "put the region in the name, use a name prefix, or create it in one region "
                     "only";
    case K_SLR:
        return cfn ? "create it in one region only, or give each region its own CustomSuffix"
                   : "create it in one region only, or give each region its own custom_suffix";
    case K_R53:
        return "or create the record in one region only";
    default:
        return "create it in one region only (or in a global stack) and reference it from the "
               "other";
    }
}

static void report_names(ic *c, gindex *gi)
{
    const rl_model *m = c->m;
    for (size_t i = 0; i < gi->nkeys && !c->rc; i++) {
        const gentry *first = rl_hmap_gets(&gi->map, gi->keys[i]);
        uint64_t regions = 0;
        for (const gentry *e = first; e; e = e->next)
            regions |= bit_of(m, e->region);
        if (popcount(regions) < 2)
            continue;
        const gname *g = gname_of(c, first->res->type);
        for (const gentry *e = first; e && !c->rc; e = e->next) {
            uint64_t here = 0;
            for (const gentry *o = first; o; o = o->next)
                if (same_pos(e->file, &e->span, o->file, &o->span))
                    here |= bit_of(m, o->region);
            if (!first_time(c, RL_ID(RL203), e->file, &e->span, gi->keys[i]))
                continue;
            const char *region = popcount(here) > 1 ? pick_region(m, here) : e->region;
            const char *other = other_region(m, regions, region);
            bool cfn = e->res->stack->source == RL_STACK_CFN;
            rl_finding *f = rl_emit_as(
                c->ctx, RL_ID(RL203), RL_LEVEL_NONE, e->file, &e->span, e->path, region, other,
                "%s (%s) names its %s '%s' in %s alike%s: %s; %s", e->res->id, e->res->type,
                g ? g->what : "resource", e->shown, region_list(c, regions),
                popcount(here) > 1 ? " (the template is deployed to each)" : "",
                why(g ? g->kind : K_GLOBAL), fix(g ? g->kind : K_GLOBAL, cfn));
            size_t nrel = 0;
            for (const gentry *o = first; f && o && nrel < MAX_RELATED; o = o->next) {
                if (same_pos(e->file, &e->span, o->file, &o->span))
                    continue;
                rl_emit_related(c->ctx, f, o->file, &o->span, "the same name in %s (%s)", o->region,
                                o->res->id);
                nrel++;
            }
        }
    }
}

static void check_global_names(ic *c)
{
    const rl_model *m = c->m;
    gindex gi;
    memset(&gi, 0, sizeof(gi));
    for (size_t i = 0; i < m->nstacks && !c->rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!st->region || !rl_model_in_pair(m, st->region))
            continue;
        for (size_t j = 0; j < st->nresources && !c->rc; j++) {
            const rl_resource *r = &st->resources[j];
            const gname *g = gname_of(c, r->type);
            /* a resource whose condition is unknown (a nested stack's IsPrimary parameter)
             * may exist in one region only by design: not a collision we can show */
            if (!g || r->deployed != 1)
                continue;
            const rl_node *n = rl_node_path(r->props, g->prop);
            if (!n)
                continue;
            const char *path = cpath(c, r, g->prop);
            if (!path)
                break;
            if (g->list && rl_node_is_seq(n)) {
                for (size_t k = 0; k < n->u.seq.count && !c->rc; k++) {
                    const char *ip = rl_arena_printf(c->arena, "%s[%zu]", path, k);
                    if (!ip) {
                        c->rc = RL_ENOMEM;
                        break;
                    }
                    add_name(c, &gi, st, r, g, n->u.seq.items[k], ip);
                }
            } else if (!g->list) {
                add_name(c, &gi, st, r, g, n, path);
            }
        }
    }
    if (!c->rc)
        report_names(c, &gi);
    rl_hmap_free(&gi.map);
    free(gi.keys);
}

/* ---- the check ------------------------------------------------------------------------------ */

int rl_check_iam(rl_rule_ctx *ctx)
{
    ic c;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.m = rl_ctx_model(ctx);
    c.on201 = rl_ctx_enabled(ctx, RL_ID(RL201));
    c.on202 = rl_ctx_enabled(ctx, RL_ID(RL202));
    c.on203 = rl_ctx_enabled(ctx, RL_ID(RL203));
    c.unowned = rl_ctx_setting_bool(ctx, RL_ID(RL201), "unowned-roles");
    c.key = c.items = c.twin = (rl_strbuf)RL_STRBUF_INIT;
    /* IAM action and role names compare without case */
    if ((c.rc = rl_ctx_setting_globs(ctx, RL_ID(RL202), "allowed-actions", RL_GLOB_CASEFOLD,
                                     &c.allowed_actions)) < 0 ||
        (c.rc = rl_ctx_setting_globs(ctx, RL_ID(RL202), "allowed-roles", RL_GLOB_CASEFOLD,
                                     &c.allowed_roles)) < 0 ||
        !(c.arena = rl_arena_new(0)) || !(c.stmt = rl_arena_new(4096))) {
        c.rc = RL_ENOMEM;
        goto cleanup;
    }
    if (c.on201)
        check_shared_roles(&c);
    if (c.on202 && !c.rc) {
        rl_role_use *const *uses;
        size_t n;
        c.rc = rl_iam_uses(c.m, &uses, &n);
        if (!c.rc)
            template_policies(&c);
        if (!c.rc)
            export_policies(&c);
    }
    if (c.on203 && !c.rc)
        check_global_names(&c);

cleanup:
    rl_globset_free(c.allowed_actions);
    rl_globset_free(c.allowed_roles);
    rl_hmap_free(&c.reported);
    rl_hmap_free(&c.templates);
    rl_strbuf_free(&c.key);
    rl_strbuf_free(&c.items);
    rl_strbuf_free(&c.twin);
    rl_arena_free(c.arena);
    rl_arena_free(c.stmt);
    return c.rc;
}
