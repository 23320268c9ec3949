/* IAM in the model: roles and managed policies of IAM exports indexed by name and ARN, and
 * the roles each stack instance uses. A role is named many ways (a literal ARN or name,
 * Ref/GetAtt of a role or instance profile the stack creates, Fn::Sub with AWS::Region,
 * parameters, Fn::ImportValue, Terraform references); they are resolved here, once, to one
 * key per role so the rules group uses by key instead of comparing them pairwise. */
#include "iam.h"

#include <regionlint/refs.h>

#include "model_private.h"

#include "../base/aws.h"
#include "../base/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNKNOWN_MARK "\xEF\xBF\xBD" /* what rl_eval_strings writes for an unknown piece */

typedef struct vec {
    void **items;
    size_t n, cap;
} vec;

struct rl_iam_db {
    rl_hmap roles;    /* role name (case-insensitive) -> rl_iam_role */
    rl_hmap profiles; /* instance-profile name (case-insensitive) -> rl_iam_role */
    rl_hmap policies; /* managed-policy ARN -> rl_iam_policy */
    vec roles_list;
    rl_hmap created; /* role resource -> rl_role_ref (resolved once) */
    bool uses_done;
    int uses_rc;
    vec uses;       /* rl_role_use */
    rl_hmap by_key; /* key -> first use */
    rl_hmap tails;  /* key -> last use */
    rl_hmap seen;   /* "stack\x1fpath\x1fkey" of uses already recorded */
};

static bool has_unknown(const char *s, size_t len)
{
    for (size_t i = 0; i + 3 <= len; i++)
        if (!memcmp(s + i, UNKNOWN_MARK, 3))
            return true;
    return false;
}

static int vec_push(vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 16;
        void **n = realloc(v->items, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        v->items = n;
        v->cap = ncap;
    }
    v->items[v->n++] = item;
    return RL_OK;
}

void rl_iam_db_free(rl_iam_db *db)
{
    if (!db)
        return;
    rl_hmap_free(&db->roles);
    rl_hmap_free(&db->profiles);
    rl_hmap_free(&db->policies);
    rl_hmap_free(&db->created);
    rl_hmap_free(&db->by_key);
    rl_hmap_free(&db->tails);
    rl_hmap_free(&db->seen);
    free(db->roles_list.items);
    free(db->uses.items);
    free(db);
}

/* The model is const for the rules; the database behind it fills its lazy parts. */
static rl_iam_db *db_get(const rl_model *m)
{
    if (!m || !m->priv)
        return NULL;
    if (m->priv->iam)
        return m->priv->iam;
    rl_iam_db *db = calloc(1, sizeof(*db));
    if (!db)
        return NULL;
    db->roles.ci = true;
    db->profiles.ci = true;
    m->priv->iam = db;
    return db;
}

static rl_arena *arena_of(const rl_model *m)
{
    return m->priv->arena;
}

/* ---- exports ------------------------------------------------------------------------- */

static const char *arn_account(rl_arena *a, const char *arn)
{
    /* arn:partition:iam::ACCOUNT:role/... */
    const char *p = arn;
    for (int i = 0; i < 4 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    const char *end = p ? strchr(p, ':') : NULL;
    if (!end || end == p)
        return NULL;
    return rl_arena_strndup(a, p, (size_t)(end - p));
}

static const char *prefix_of(const rl_input *in)
{
    return in->subkind && !strncmp(in->subkind, "placebo:", 8) ? "data." : "";
}

static int add_role(rl_model *m, rl_iam_db *db, const rl_input *in, const rl_node *r,
                    const char *list)
{
    rl_arena *a = arena_of(m);
    const char *name = rl_node_str(rl_node_get(r, "RoleName"));
    if (!name || !*name)
        return RL_OK;
    rl_iam_role *role = rl_hmap_gets(&db->roles, name);
    if (!role) {
        role = rl_arena_calloc(a, 1, sizeof(*role));
        if (!role || rl_hmap_puts(&db->roles, name, role) < 0 ||
            vec_push(&db->roles_list, role) < 0)
            return RL_ENOMEM;
        role->name = name;
        role->input = in;
        role->node = r;
        role->path = list ? rl_arena_printf(a, "%s%s[?RoleName=='%s']", prefix_of(in), list, name)
                          : rl_arena_printf(a, "%sRole", prefix_of(in));
        if (!role->path)
            return RL_ENOMEM;
    }
    const char *arn = rl_node_str(rl_node_get(r, "Arn"));
    if (!role->arn && arn && *arn) {
        role->arn = arn;
        role->account = arn_account(a, arn);
    }
    const char *path = rl_node_str(rl_node_get(r, "Path"));
    if ((path && strstr(path, "/aws-service-role/")) ||
        (arn && strstr(arn, ":role/aws-service-role/")))
        role->service_linked = true;
    /* RoleLastUsed is {} in many dumps; list-roles has none at all */
    const rl_node *lu = rl_node_get(r, "RoleLastUsed");
    const char *lr = rl_node_str(rl_node_get(lu, "Region"));
    if (!role->last_used_region && lr && *lr) {
        role->last_used_region = lr;
        role->last_used_date = rl_node_str(rl_node_get(lu, "LastUsedDate"));
    }
    const rl_node *inl = rl_node_get(r, "RolePolicyList");
    if (!role->inline_policies && rl_node_is_seq(inl)) {
        role->inline_policies = inl;
        role->inline_in = in;
    }
    const rl_node *att = rl_node_get(r, "AttachedManagedPolicies");
    if (!role->attached && (rl_node_is_seq(att) || rl_node_is_map(att))) {
        role->attached = att;
        role->attached_in = in;
    }
    const rl_node *ips = rl_node_get(r, "InstanceProfileList");
    for (size_t i = 0; rl_node_is_seq(ips) && i < ips->u.seq.count; i++) {
        const char *pn = rl_node_str(rl_node_get(ips->u.seq.items[i], "InstanceProfileName"));
        if (pn && *pn && !rl_hmap_gets(&db->profiles, pn) &&
            rl_hmap_puts(&db->profiles, pn, role) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

/* A managed policy's document: the version marked default (or named by DefaultVersionId). */
static const rl_node *default_version(const rl_node *p)
{
    const rl_node *vs = rl_node_get(p, "PolicyVersionList");
    const char *dv = rl_node_str(rl_node_get(p, "DefaultVersionId"));
    for (size_t i = 0; rl_node_is_seq(vs) && i < vs->u.seq.count; i++) {
        const rl_node *v = vs->u.seq.items[i];
        bool def = false;
        if ((rl_node_bool(rl_node_get(v, "IsDefaultVersion"), &def) && def) ||
            (dv && rl_node_streq(rl_node_get(v, "VersionId"), dv)))
            return rl_node_get(v, "Document");
    }
    return NULL;
}

static int add_policy(rl_model *m, rl_iam_db *db, const rl_input *in, const rl_node *p)
{
    const char *arn = rl_node_str(rl_node_get(p, "Arn"));
    const rl_node *doc = default_version(p);
    if (!arn || !*arn || !doc || rl_hmap_gets(&db->policies, arn))
        return RL_OK;
    rl_iam_policy *pol = rl_arena_calloc(arena_of(m), 1, sizeof(*pol));
    if (!pol)
        return RL_ENOMEM;
    pol->arn = arn;
    pol->name = rl_node_str(rl_node_get(p, "PolicyName"));
    pol->input = in;
    pol->doc = doc;
    pol->path = rl_arena_printf(
        arena_of(m), "%sPolicies[?Arn=='%s'].PolicyVersionList[?IsDefaultVersion].Document",
        prefix_of(in), arn);
    if (!pol->path)
        return RL_ENOMEM;
    return rl_hmap_puts(&db->policies, arn, pol) < 0 ? RL_ENOMEM : RL_OK;
}

int rl_model_add_iam(rl_model *m, const rl_input *in)
{
    rl_iam_db *db = db_get(m);
    if (!db)
        return RL_ENOMEM;
    const rl_node *root = rl_input_root(in);
    int rc = RL_OK;
    const rl_node *role = rl_node_get(root, "Role");
    if (rl_node_is_map(role))
        return add_role(m, db, in, role, NULL);
    const char *lname = "RoleDetailList";
    const rl_node *list = rl_node_get(root, lname);
    if (!rl_node_is_seq(list))
        list = rl_node_get(root, lname = "Roles");
    for (size_t i = 0; rl_node_is_seq(list) && i < list->u.seq.count && rc == RL_OK; i++)
        rc = add_role(m, db, in, list->u.seq.items[i], lname);
    const rl_node *pols = rl_node_get(root, "Policies");
    for (size_t i = 0; rl_node_is_seq(pols) && i < pols->u.seq.count && rc == RL_OK; i++)
        rc = add_policy(m, db, in, pols->u.seq.items[i]);
    return rc;
}

const rl_iam_role *const *rl_iam_roles(const rl_model *m, size_t *n)
{
    const rl_iam_db *db = m && m->priv ? m->priv->iam : NULL;
    *n = db ? db->roles_list.n : 0;
    return db ? (const rl_iam_role *const *)db->roles_list.items : NULL;
}

const rl_iam_role *rl_iam_role_find(const rl_model *m, const char *name)
{
    const rl_iam_db *db = m && m->priv ? m->priv->iam : NULL;
    return db && name ? rl_hmap_gets(&db->roles, name) : NULL;
}

const rl_iam_role *rl_iam_profile_role(const rl_model *m, const char *profile)
{
    const rl_iam_db *db = m && m->priv ? m->priv->iam : NULL;
    return db && profile ? rl_hmap_gets(&db->profiles, profile) : NULL;
}

const rl_iam_policy *rl_iam_policy_find(const rl_model *m, const char *arn)
{
    const rl_iam_db *db = m && m->priv ? m->priv->iam : NULL;
    return db && arn ? rl_hmap_gets(&db->policies, arn) : NULL;
}

/* ---- resources by id ------------------------------------------------------------------- */

static bool is_tf(const rl_stack *st)
{
    return st->source != RL_STACK_CFN;
}

/* Writes the key fields into buf as snprintf("%p\x1f%s\x1f...") would (glibc's %p:
 * "0x" and lowercase hex, "(nil)" for NULL), without printf: keys are made per resource
 * and per role use. Returns the length, or 0 when it does not fit. */
static size_t ptr_key(char *buf, size_t bufsz, const void *ptr, const char *const *fields,
                      size_t nfields)
{
    char hex[24];
    size_t h = sizeof(hex);
    uintptr_t v = (uintptr_t)ptr;
    if (!v) {
        h -= 5;
        memcpy(hex + h, "(nil)", 5);
    } else {
        while (v) {
            hex[--h] = "0123456789abcdef"[v & 15];
            v >>= 4;
        }
        hex[--h] = 'x';
        hex[--h] = '0';
    }
    size_t n = sizeof(hex) - h;
    if (n >= bufsz)
        return 0;
    memcpy(buf, hex + h, n);
    for (size_t i = 0; i < nfields; i++) {
        size_t fl = strlen(fields[i]);
        if (n + 1 + fl >= bufsz)
            return 0;
        buf[n++] = '\x1f';
        memcpy(buf + n, fields[i], fl);
        n += fl;
    }
    buf[n] = '\0';
    return n;
}

/* ---- resolving a value to roles -------------------------------------------------------- */

typedef struct resolver {
    const rl_model *m;
    rl_iam_db *db;
    bool names;
    rl_role_ref_fn fn;
    void *ctx;
    /* the place the value is used: positions of deeper values (an instance profile's role,
     * an imported value) are reported here */
    const char *pos_file;
    rl_span pos_span;
    bool have_pos;
    const rl_node *leaf; /* the value being resolved (for positions of its literals) */
    const rl_stack *leaf_stack;
    int depth;
    int rc;
} resolver;

static bool role_type(const char *t)
{
    return t && (!strcmp(t, "AWS::IAM::Role") || !strcmp(t, "aws_iam_role"));
}

static bool profile_type(const char *t)
{
    return t && (!strcmp(t, "AWS::IAM::InstanceProfile") || !strcmp(t, "aws_iam_instance_profile"));
}

static bool valid_role_name(const char *s, size_t len)
{
    if (len == 0 || len > 128)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && !strchr("+=,.@_-", c))
            return false;
    }
    return true;
}

static char *lower_dup(rl_arena *a, const char *prefix, const char *s, size_t len)
{
    size_t pl = strlen(prefix);
    char *k = rl_arena_alloc(a, pl + len + 1);
    if (!k)
        return NULL;
    memcpy(k, prefix, pl);
    for (size_t i = 0; i < len; i++)
        k[pl + i] = (char)tolower((unsigned char)s[i]);
    k[pl + len] = '\0';
    return k;
}

static void emit(resolver *r, rl_role_ref *ref)
{
    if (r->rc)
        return;
    if (r->have_pos) {
        ref->file = r->pos_file;
        ref->span = r->pos_span;
    }
    r->rc = r->fn(r->ctx, ref);
}

static void resolve_node(resolver *r, const rl_stack *st, const rl_node *n);
static const char *display(rl_arena *a, const rl_evstr *s);

typedef struct shown_ctx {
    rl_arena *a;
    const char *out;
} shown_ctx;

/* The first alternative of a name, for messages. */
static int shown_name(void *ctx, const rl_evstr *s)
{
    shown_ctx *x = ctx;
    if (!x->out && !(x->out = display(x->a, s)))
        return RL_ENOMEM;
    return 0;
}

/* The role a role resource creates: its fixed name when it has one (RoleName evaluated in
 * its own stack instance), else a key of its own: CloudFormation and Terraform generate a
 * unique name per stack. */
static const rl_role_ref *created_role(resolver *r, const rl_resource *res)
{
    rl_role_ref *ref = rl_hmap_get(&r->db->created, res, RL_HMAP_PTR);
    if (ref)
        return ref;
    rl_arena *a = arena_of(r->m);
    ref = rl_arena_calloc(a, 1, sizeof(*ref));
    if (!ref) {
        r->rc = RL_ENOMEM;
        return NULL;
    }
    const rl_node *nn = rl_node_get(res->props, is_tf(res->stack) ? "name" : "RoleName");
    const char *name = nn ? rl_eval_string(res->stack, nn) : NULL;
    shown_ctx sx = {a, NULL};
    if (nn && !name) {
        /* a name with pieces only known at deploy time: shown as written, never shared */
        int rc = rl_eval_strings(res->stack, nn, shown_name, &sx);
        if (rc < 0) {
            r->rc = rc;
            return NULL;
        }
    }
    const char *shown = sx.out;
    ref->creator = res;
    ref->file = rl_doc_path(res->stack->input->doc);
    ref->span = nn ? nn->span : res->node->span;
    if (name && valid_role_name(name, strlen(name))) {
        ref->name = name;
        ref->key = lower_dup(a, "", name, strlen(name));
    } else if (shown) {
        ref->name = shown;
        ref->key = rl_arena_printf(a, "@%p", (const void *)res);
    } else {
        ref->name = rl_arena_printf(a, "%s (generated name)", res->id);
        ref->key = rl_arena_printf(a, "@%p", (const void *)res);
    }
    if (!ref->name || !ref->key || rl_hmap_put(&r->db->created, res, RL_HMAP_PTR, ref) < 0) {
        r->rc = RL_ENOMEM;
        return NULL;
    }
    return ref;
}

static void resource_role(resolver *r, const rl_resource *res, const rl_node *use)
{
    if (r->depth > 8 || !res)
        return;
    if (role_type(res->type)) {
        const rl_role_ref *c = created_role(r, res);
        if (!c)
            return;
        rl_role_ref ref = *c;
        ref.file = rl_doc_path(r->leaf_stack->input->doc);
        ref.span = use ? use->span : r->leaf->span;
        emit(r, &ref);
        return;
    }
    if (profile_type(res->type)) {
        /* an instance profile holds one role */
        const rl_node *roles = rl_node_get(res->props, is_tf(res->stack) ? "role" : "Roles");
        const rl_node *first = rl_node_is_seq(roles) ? rl_node_at(roles, 0) : roles;
        if (!first)
            return;
        bool had = r->have_pos, names = r->names;
        if (!had) {
            r->pos_file = rl_doc_path(r->leaf_stack->input->doc);
            r->pos_span = use ? use->span : r->leaf->span;
            r->have_pos = true;
        }
        r->names = true;
        r->depth++;
        resolve_node(r, res->stack, first);
        r->depth--;
        r->names = names;
        r->have_pos = had;
    }
}

typedef struct alt {
    resolver *r;
    const rl_stack *st;
} alt;

/* The exact source of bytes of the value when they are written inside the value itself;
 * otherwise (a parameter default, a parameter file) the value's own span: the use is what
 * the finding is about. */
static void locate(resolver *r, const rl_evstr *s, size_t off, size_t len, rl_role_ref *ref)
{
    const char *file = NULL;
    rl_span span;
    ref->file = rl_doc_path(r->leaf_stack->input->doc);
    ref->span = r->leaf->span;
    if (rl_evstr_locate(s, off, len, &file, &span, NULL) && !strcmp(file, ref->file) &&
        span.start.line >= r->leaf->span.start.line && span.end.line <= r->leaf->span.end.line)
        ref->span = span;
}

static const char *part_via(const rl_evstr *s, size_t off)
{
    for (size_t i = 0; i < s->nparts; i++)
        if (off >= s->parts[i].off && off < s->parts[i].off + s->parts[i].len)
            return s->parts[i].via;
    return NULL;
}

/* The string for messages, with the pieces that cannot be known shown as ${what}. */
static const char *display(rl_arena *a, const rl_evstr *s)
{
    size_t cap = s->len + 1;
    for (size_t i = 0; i < s->nparts; i++)
        if (!s->parts[i].origin && s->parts[i].via)
            cap += strlen(s->parts[i].via) + 3;
    char *out = rl_arena_alloc(a, cap);
    size_t o = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < s->nparts; i++) {
        const rl_strpart *p = &s->parts[i];
        if (!p->origin && p->via && p->len == 3 && !memcmp(s->str + p->off, UNKNOWN_MARK, 3)) {
            const char *v = !strncmp(p->via, "parameter ", 10) ? p->via + 10 : p->via;
            o += (size_t)snprintf(out + o, cap - o, "${%s}", v);
        } else {
            memcpy(out + o, s->str + p->off, p->len);
            o += p->len;
        }
    }
    out[o] = '\0';
    return out;
}

static int on_alternative(void *ctx, const rl_evstr *s)
{
    alt *x = ctx;
    resolver *r = x->r;
    rl_arena *a = arena_of(r->m);
    const char *str = s->str;
    if (r->rc)
        return r->rc;
    rl_arn arn;
    if (rl_arn_parse(str, s->len, &arn)) {
        /* arn:partition:iam::account:role/path/name or instance-profile/path/name */
        if (!rl_arn_is(&arn, "iam"))
            return 0;
        const char *res = arn.resource;
        bool profile = !strncmp(res, "instance-profile/", 17);
        if (!profile && strncmp(res, "role/", 5))
            return 0;
        const char *name = strrchr(res, '/') + 1;
        size_t off = (size_t)(name - str), len = s->len - off;
        if (has_unknown(name, len)) {
            /* role/${Role} or role/${RoleName-parameter}: the role resource, if any */
            const char *via = len == 3 ? part_via(s, off) : NULL;
            resource_role(r, via ? rl_ref_via(x->st, via) : NULL, NULL);
            return r->rc;
        }
        if (!valid_role_name(name, len))
            return 0;
        rl_role_ref ref;
        memset(&ref, 0, sizeof(ref));
        ref.name = rl_arena_strndup(a, name, len);
        ref.arn = display(a, s);
        ref.key = lower_dup(a, profile ? "instance-profile/" : "", name, len);
        ref.profile = profile;
        if (arn.account_len == 12 && !has_unknown(arn.account, 12))
            ref.account = rl_arena_strndup(a, arn.account, 12);
        if (!ref.name || !ref.arn || !ref.key)
            return r->rc = RL_ENOMEM;
        locate(r, s, off, len, &ref);
        emit(r, &ref);
        return r->rc;
    }
    if (s->len == 3 && s->nparts == 1 && !memcmp(str, UNKNOWN_MARK, 3)) {
        /* the whole value is a reference: ${Role.Arn}, ${aws_iam_role.x.arn} */
        resource_role(r, rl_ref_via(x->st, s->parts[0].via), NULL);
        return r->rc;
    }
    if (!r->names || !s->complete || !valid_role_name(str, s->len))
        return 0;
    rl_role_ref ref;
    memset(&ref, 0, sizeof(ref));
    ref.name = rl_arena_strndup(a, str, s->len);
    ref.key = lower_dup(a, "", str, s->len);
    if (!ref.name || !ref.key)
        return r->rc = RL_ENOMEM;
    locate(r, s, 0, s->len, &ref);
    emit(r, &ref);
    return r->rc;
}

static void resolve_node(resolver *r, const rl_stack *st, const rl_node *n)
{
    const char *fn;
    const rl_node *arg;
    if (!n || r->rc || r->depth > 8)
        return;
    if (!is_tf(st) && rl_node_intrinsic(n, &fn, &arg)) {
        if (!strcmp(fn, "Ref") || !strcmp(fn, "Fn::GetAtt")) {
            rl_ref ref = rl_ref_of(st, NULL, n);
            if (ref.state == RL_KNOWN) {
                resource_role(r, ref.res, n);
                return;
            }
            if (!strcmp(fn, "Fn::GetAtt"))
                return;
        } else if (!strcmp(fn, "Fn::ImportValue")) {
            const char *name = rl_eval_string(st, arg);
            const rl_export *e =
                name && st->region ? rl_model_exports(r->m, st->region, name) : NULL;
            for (; e && !r->rc; e = e->next) {
                const rl_node *v = e->stack ? e->value : NULL;
                if (!v)
                    continue;
                bool had = r->have_pos;
                const rl_node *leaf = r->leaf;
                const rl_stack *ls = r->leaf_stack;
                if (!had) {
                    r->pos_file = rl_doc_path(st->input->doc);
                    r->pos_span = n->span;
                    r->have_pos = true;
                }
                r->leaf = v;
                r->leaf_stack = e->stack;
                r->depth++;
                resolve_node(r, e->stack, v);
                r->depth--;
                r->leaf = leaf;
                r->leaf_stack = ls;
                r->have_pos = had;
            }
            return;
        } else if (!strcmp(fn, "Fn::If") && rl_node_count(arg) == 3) {
            const char *cname = rl_node_str(rl_node_at(arg, 0));
            int c = cname ? rl_eval_condition(st, cname) : -1;
            if (c != 0)
                resolve_node(r, st, rl_node_at(arg, 1));
            if (c != 1)
                resolve_node(r, st, rl_node_at(arg, 2));
            return;
        }
    }
    if (rl_node_is_seq(n)) {
        for (size_t i = 0; i < n->u.seq.count && !r->rc; i++)
            resolve_node(r, st, n->u.seq.items[i]);
        return;
    }
    if (rl_node_is_scalar(n) && n->type != RL_SCALAR_STRING)
        return; /* null (an unset plan value), numbers, booleans */
    alt x = {r, st};
    int rc = rl_eval_strings(st, n, on_alternative, &x);
    if (rc < 0 && !r->rc)
        r->rc = rc;
}

int rl_iam_resolve(const rl_model *m, const rl_stack *st, const rl_node *value, bool names,
                   rl_role_ref_fn fn, void *ctx)
{
    resolver r;
    memset(&r, 0, sizeof(r));
    r.m = m;
    r.db = db_get(m);
    if (!r.db)
        return RL_ENOMEM;
    r.names = names;
    r.fn = fn;
    r.ctx = ctx;
    r.leaf = value;
    r.leaf_stack = st;
    resolve_node(&r, st, value);
    return r.rc;
}

const rl_role_ref *rl_iam_created_role(const rl_model *m, const rl_resource *res)
{
    resolver r;
    memset(&r, 0, sizeof(r));
    r.m = m;
    r.db = db_get(m);
    return r.db ? created_role(&r, res) : NULL;
}

/* ---- the roles each stack uses ----------------------------------------------------------- */

/* Which properties carry a role. Generic names (Role, *RoleArn, ServiceRole, ...) count only
 * when the value is an IAM role ARN or a reference to a role: many services have a "Role"
 * that is not IAM (QuickSight user roles, ...). Some properties also take a bare name. */
typedef struct role_prop {
    bool role;    /* the property carries a role */
    bool names;   /* a bare name counts */
    bool profile; /* it names an instance profile */
    bool attach;  /* it attaches a policy or profile to the role */
} role_prop;

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* The last key of a logical path, without list indexes; *parent receives the key before. */
/* Copies s[0, n) into out (bounded, NUL-terminated). */
static void copy_span(char *out, size_t outsz, const char *s, size_t n)
{
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* The last key of a logical path and the key before it, ignoring [n] indexes:
 * "Resources.F.Properties.IamInstanceProfile.Arn" -> "Arn", "IamInstanceProfile".
 * Called for every leaf: no printf, no copy of the path. */
static void last_keys(const char *path, char *key, size_t keysz, char *parent, size_t parentsz)
{
    size_t end = strlen(path);
    while (end && path[end - 1] == ']') { /* drop trailing [n] */
        size_t lb = end;
        while (lb && path[lb - 1] != '[')
            lb--;
        if (!lb)
            break;
        end = lb - 1;
    }
    size_t dot = end;
    while (dot && path[dot - 1] != '.')
        dot--;
    copy_span(key, keysz, path + dot, end - dot);
    parent[0] = '\0';
    if (!dot)
        return;
    end = dot - 1; /* the '.' before the key */
    while (end && path[end - 1] == ']') {
        size_t lb = end;
        while (lb && path[lb - 1] != '[' && path[lb - 1] != '.')
            lb--;
        if (!lb || path[lb - 1] != '[')
            break;
        end = lb - 1;
    }
    size_t pd = end;
    while (pd && path[pd - 1] != '.')
        pd--;
    copy_span(parent, parentsz, path + pd, end - pd);
}

enum { KEY_PLAIN = 1, KEY_ROLE = 2 };

typedef struct collect {
    const rl_model *m;
    rl_iam_db *db;
    const rl_stack *st;
    const rl_resource *res;
    const char *region;
    const char *path;
    bool creation, attach;
    bool maybe;                 /* the use is under a condition this region cannot decide */
    const rl_node *last_parent; /* the parent key last classified (siblings share it) */
    unsigned last_class;
    int rc;
} collect;

/* The class of a key of the walk: KEY_PLAIN when last_keys() would read it from the path
 * as it is (a scalar without '.', '[', ']' or NUL), KEY_ROLE when it holds "ole" or
 * "rofile", which every property classify_prop() accepts has in its key or the key before
 * it ("Role", "RoleArn", "IamInstanceProfile", ...). One pass over the bytes, called for
 * nearly every leaf. */
static unsigned key_class(const rl_node *k)
{
    enum { SPECIAL = 1, LETTER_O = 2 };
    static const unsigned char kind[256] = {
        [0] = SPECIAL, ['.'] = SPECIAL, ['['] = SPECIAL, [']'] = SPECIAL, ['o'] = LETTER_O};
    if (!rl_node_is_scalar(k))
        return 0;
    const unsigned char *s = (const unsigned char *)k->u.s.str;
    size_t n = k->u.s.len;
    unsigned r = KEY_PLAIN;
    for (size_t i = 0; i < n; i++) {
        unsigned c = kind[s[i]];
        if (!c)
            continue;
        if (c == SPECIAL) {
            r &= ~(unsigned)KEY_PLAIN;
        } else if ((i + 2 < n && s[i + 1] == 'l' && s[i + 2] == 'e') ||
                   (i > 0 && s[i - 1] == 'r' && i + 4 < n && !memcmp(s + i + 1, "file", 4))) {
            r |= KEY_ROLE;
        }
    }
    return r;
}

/* last_keys() of the leaf's path. When the last two keys are plain (the parent of a
 * CloudFormation property is "Properties") and neither mentions a role, the leaf is no
 * role property and false is returned without a path being made: most leaves end here. */
static bool leaf_keys(collect *c, const rl_walk *w, const rl_resource *res, char *key, size_t keysz,
                      char *parent, size_t parentsz)
{
    const rl_node *keys[2] = {NULL, NULL};
    rl_walk_keys(w, keys, 2);
    const rl_node *kn = keys[0], *pn = keys[1];
    unsigned kc = key_class(kn), pc;
    if (!pn) {
        pc = res->stack->source == RL_STACK_CFN ? KEY_PLAIN : 0;
    } else if (pn == c->last_parent) {
        pc = c->last_class;
    } else {
        pc = c->last_class = key_class(pn);
        c->last_parent = pn;
    }
    if (!(kc & KEY_PLAIN) || !(pc & KEY_PLAIN)) {
        last_keys(rl_walk_path(w), key, keysz, parent, parentsz);
        return true;
    }
    if (!((kc | pc) & KEY_ROLE))
        return false;
    copy_span(key, keysz, kn->u.s.str, kn->u.s.len);
    if (pn)
        copy_span(parent, parentsz, pn->u.s.str, pn->u.s.len);
    else
        copy_span(parent, parentsz, "Properties", 10); /* "Resources.X.Properties.Key" */
    return true;
}

static role_prop classify_prop(const char *type, const char *key, const char *parent)
{
    role_prop rp = {false, false, false, false};
    /* every property below names a role ("...Role...", "...role...") or an instance
     * profile: most leaves are ruled out without looking further */
    if (!strstr(key, "ole") && !strstr(key, "rofile") && !strstr(parent, "ole") &&
        !strstr(parent, "rofile"))
        return rp;
    type = type ? type : "";
    /* StackSet administration/execution roles and service-linked roles exist once per
     * account for every region by design */
    if (!strcmp(key, "AdministrationRoleARN") || !strcmp(key, "ExecutionRoleName") ||
        !strcmp(key, "ServiceLinkedRoleARN") || !strcmp(key, "administration_role_arn") ||
        !strcmp(key, "execution_role_name") || !strcmp(key, "service_linked_role_arn"))
        return rp;
    /* instance profiles (an instance profile's own InstanceProfileName is its definition) */
    bool own = !strcmp(type, "AWS::IAM::InstanceProfile");
    if ((!own && (!strcmp(key, "IamInstanceProfile") || !strcmp(key, "iam_instance_profile") ||
                  !strcmp(key, "InstanceProfileArn") || !strcmp(key, "InstanceProfileName"))) ||
        ((!strcmp(parent, "IamInstanceProfile") || !strcmp(parent, "iam_instance_profile")) &&
         (!strcmp(key, "Arn") || !strcmp(key, "Name") || !strcmp(key, "arn") ||
          !strcmp(key, "name"))) ||
        (!strcmp(type, "AWS::EMR::Cluster") && !strcmp(key, "JobFlowRole")) ||
        (!strcmp(type, "AWS::Batch::ComputeEnvironment") && !strcmp(key, "InstanceRole"))) {
        rp.role = rp.names = rp.profile = true;
        return rp;
    }
    /* properties that attach a policy or an instance profile to a role, by name */
    if (((!strcmp(type, "AWS::IAM::InstanceProfile") || !strcmp(type, "AWS::IAM::Policy") ||
          !strcmp(type, "AWS::IAM::ManagedPolicy")) &&
         !strcmp(key, "Roles")) ||
        (!strcmp(type, "AWS::IAM::RolePolicy") && !strcmp(key, "RoleName")) ||
        ((!strcmp(type, "aws_iam_role_policy") || !strcmp(type, "aws_iam_role_policy_attachment") ||
          !strcmp(type, "aws_iam_instance_profile")) &&
         !strcmp(key, "role")) ||
        (!strcmp(type, "aws_iam_policy_attachment") && !strcmp(key, "roles"))) {
        rp.role = rp.names = rp.attach = true;
        return rp;
    }
    /* properties that take a role's name or ARN */
    if ((!strcmp(type, "AWS::CodeBuild::Project") && !strcmp(key, "ServiceRole")) ||
        (!strcmp(type, "aws_codebuild_project") && !strcmp(key, "service_role")) ||
        (!strcmp(type, "AWS::ECS::TaskDefinition") &&
         (!strcmp(key, "ExecutionRoleArn") || !strcmp(key, "TaskRoleArn"))) ||
        (!strncmp(type, "AWS::Glue::", 11) && !strcmp(key, "Role")) ||
        (!strcmp(type, "AWS::EMR::Cluster") && !strcmp(key, "ServiceRole"))) {
        rp.role = rp.names = true;
        return rp;
    }
    /* generic: the value must be an IAM role ARN or a reference to a role */
    if (!strcmp(key, "Role") || !strcmp(key, "role") || ends_with(key, "RoleArn") ||
        ends_with(key, "RoleARN") || ends_with(key, "RoleArns") || !strcmp(key, "ServiceRole") ||
        !strcmp(key, "IamRoles") || ends_with(key, "role_arn") || ends_with(key, "role_arns") ||
        !strcmp(key, "service_role") || !strcmp(key, "iam_roles"))
        rp.role = true;
    return rp;
}

static bool service_linked_name(const char *name)
{
    return name && (!strncasecmp(name, "AWSServiceRoleFor", 17) ||
                    !strncasecmp(name, "AWSReservedSSO_", 15));
}

static int add_use(void *ctx, const rl_role_ref *ref)
{
    collect *c = ctx;
    rl_iam_db *db = c->db;
    rl_arena *a = arena_of(c->m);
    const char *key = ref->key, *name = ref->name;
    bool profile = ref->profile;
    if (profile) {
        /* the export knows which role an instance profile holds */
        const rl_iam_role *role = rl_iam_profile_role(c->m, ref->name);
        if (role) {
            name = role->name;
            key = lower_dup(a, "", role->name, strlen(role->name));
            profile = false;
            if (!key)
                return c->rc = RL_ENOMEM;
        }
    }
    const rl_iam_role *known = profile ? NULL : rl_iam_role_find(c->m, name);
    if (service_linked_name(name) || (ref->arn && strstr(ref->arn, ":role/aws-service-role/")) ||
        (known && known->service_linked))
        return 0;
    char buf[1024];
    const char *fields[3] = {c->path, key, c->creation ? "1" : "0"};
    size_t n = ptr_key(buf, sizeof(buf), c->st, fields, 3);
    if (!n || rl_hmap_get(&db->seen, buf, n))
        return 0; /* the same role reached twice (both branches of an Fn::If) */
    const char *seen = rl_arena_strndup(a, buf, n);
    rl_role_use *u = rl_arena_calloc(a, 1, sizeof(*u));
    if (!seen || !u || rl_hmap_put(&db->seen, seen, n, (void *)1) < 0)
        return c->rc = RL_ENOMEM;
    u->key = key;
    u->name = name;
    u->arn = ref->arn;
    u->account = ref->account;
    u->profile = profile;
    u->creation = c->creation;
    u->attach = c->attach;
    u->maybe = c->maybe;
    u->region = c->region;
    u->stack = c->st;
    u->res = c->res;
    u->path = c->path;
    u->file = ref->file;
    u->span = ref->span;
    u->creator = ref->creator;
    rl_role_use *tail = rl_hmap_gets(&db->tails, key);
    if (tail)
        tail->next_key = u;
    else if (rl_hmap_puts(&db->by_key, key, u) < 0)
        return c->rc = RL_ENOMEM;
    if (rl_hmap_puts(&db->tails, key, u) < 0 || vec_push(&db->uses, u) < 0)
        return c->rc = RL_ENOMEM;
    return 0;
}

/* A CodePipeline action runs in its own Region: the role it passes is used there. */
static const char *action_region(collect *c, const char *path)
{
    const char *type = c->res->type ? c->res->type : "";
    bool cfn = !strcmp(type, "AWS::CodePipeline::Pipeline");
    bool tf = !strcmp(type, "aws_codepipeline");
    if (!cfn && !tf)
        return NULL;
    const char *sp = strstr(path, cfn ? ".Stages[" : ".stage[");
    const char *ap = sp ? strstr(sp, cfn ? ".Actions[" : ".action[") : NULL;
    if (!ap)
        return NULL;
    unsigned long si = strtoul(strchr(sp, '[') + 1, NULL, 10);
    unsigned long ai = strtoul(strchr(ap, '[') + 1, NULL, 10);
    const rl_node *stages = rl_node_get(c->res->props, cfn ? "Stages" : "stage");
    const rl_node *stage = rl_node_is_seq(stages) ? rl_node_at(stages, si) : stages;
    const rl_node *actions = rl_node_get(stage, cfn ? "Actions" : "action");
    const rl_node *action = rl_node_is_seq(actions) ? rl_node_at(actions, ai) : actions;
    const rl_node *rn = rl_node_get(action, cfn ? "Region" : "region");
    const char *region = rn ? rl_eval_string(c->st, rn) : NULL;
    return region && rl_is_region(region, strlen(region))
               ? rl_model_intern((rl_model *)c->m, region)
               : NULL;
}

static int on_leaf(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w)
{
    collect *c = ctx;
    char key[128], parent[128];
    if (!leaf_keys(c, w, res, key, sizeof(key), parent, sizeof(parent)))
        return 0;
    role_prop rp = classify_prop(res->type, key, parent);
    if (!rp.role)
        return 0;
    const char *path = rl_walk_path(w);
    const char *region = action_region(c, path);
    c->region = region ? region : c->st->region;
    c->path = rl_arena_strdup(arena_of(c->m), path);
    if (!c->path)
        return RL_ENOMEM;
    c->creation = false;
    c->attach = rp.attach;
    int rc = rl_iam_resolve(c->m, c->st, leaf, rp.names, add_use, c);
    return rc ? rc : c->rc;
}

/* A role the stack creates under a fixed name is used by the stack where it is defined. */
static int add_creation(collect *c, const rl_resource *res)
{
    resolver r;
    memset(&r, 0, sizeof(r));
    r.m = c->m;
    r.db = c->db;
    const rl_role_ref *ref = created_role(&r, res);
    if (!ref)
        return r.rc;
    if (ref->key[0] == '@')
        return RL_OK;
    c->region = c->st->region;
    c->creation = true;
    c->attach = false;
    c->path = rl_arena_cat(arena_of(c->m), res->path,
                           is_tf(c->st) ? ".name" : ".Properties.RoleName", NULL);
    if (!c->path)
        return RL_ENOMEM;
    return add_use(c, ref) < 0 ? c->rc : RL_OK;
}

/* Whether leaf_keys() keeps a leaf whose last two keys have classes kc and pc. */
static bool kept_leaf(unsigned kc, unsigned pc)
{
    return !(kc & KEY_PLAIN) || !(pc & KEY_PLAIN) || ((kc | pc) & KEY_ROLE);
}

/* The leaves of a resource's properties that on_leaf() looks at, found once for all the
 * instances of a template (they share the nodes): a walk visits every node of every
 * resource in every region, and only a few leaves (RoleName, Role, an instance profile)
 * can name a role. Each leaf keeps its steps, so its path and the Fn::If branches it lies
 * in are known; an instance takes the leaves whose branches its conditions take, in the
 * order its own walk would visit them. */
typedef struct plan_step {
    const rl_node *key; /* a mapping key, or NULL for a list index */
    size_t index;
    bool cond;         /* key is an Fn::If whose branch `index` follows */
    const char *cname; /* its condition (NULL: not a name, both branches taken) */
} plan_step;

typedef struct plan_leaf {
    const rl_node *leaf;
    size_t step0, nsteps;
} plan_leaf;

typedef struct plan {
    plan_leaf *leaves;
    size_t n, cap;
    plan_step *steps;
    size_t nsteps, capsteps;
    plan_step *path; /* while building: the steps down to the node being looked at */
    size_t depth, capdepth;
    bool oom;
} plan;

static bool plan_grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *n = realloc(*arr, ncap * size);
    if (!n)
        return false;
    *arr = n;
    *cap = ncap;
    return true;
}

static inline void plan_push(plan *pl, plan_step st)
{
    if (!plan_grow((void **)&pl->path, &pl->capdepth, pl->depth + 1, sizeof(*pl->path))) {
        pl->oom = true;
        return;
    }
    pl->path[pl->depth++] = st;
}

static void plan_leaf_add(plan *pl, const rl_node *leaf)
{
    if (!plan_grow((void **)&pl->leaves, &pl->cap, pl->n + 1, sizeof(*pl->leaves)) ||
        !plan_grow((void **)&pl->steps, &pl->capsteps, pl->nsteps + pl->depth,
                   sizeof(*pl->steps))) {
        pl->oom = true;
        return;
    }
    pl->leaves[pl->n++] = (plan_leaf){leaf, pl->nsteps, pl->depth};
    if (pl->depth)
        memcpy(pl->steps + pl->nsteps, pl->path, pl->depth * sizeof(*pl->steps));
    pl->nsteps += pl->depth;
}

/* What rl_walk_resource() does, but into both branches of every Fn::If. kc and pc are the
 * classes of the last two keys above n, as a leaf here sees them; up is the class the last
 * key has for the keys below it (kc, but "Properties" above the first keys). Each key is
 * classified once. */
static void plan_walk(plan *pl, const rl_node *n, unsigned kc, unsigned pc, unsigned up, bool cfn,
                      unsigned depth)
{
    const char *fn;
    const rl_node *arg;
    if (!n || pl->oom || depth > 128)
        return;
    size_t mark = pl->depth;
    if (n->kind == RL_NODE_SCALAR) {
        if (kept_leaf(kc, pc))
            plan_leaf_add(pl, n);
        return;
    }
    if (cfn && n->kind == RL_NODE_MAPPING && n->u.map.count == 1 &&
        rl_node_intrinsic(n, &fn, &arg)) {
        if (strcmp(fn, "Fn::If")) {
            if (kept_leaf(kc, pc))
                plan_leaf_add(pl, n);
            return;
        }
        const rl_node *ifkey = n->u.map.items[0].key;
        unsigned ic = key_class(ifkey);
        const char *cname = rl_node_str(rl_node_at(arg, 0));
        for (size_t b = 1; b <= 2 && !pl->oom; b++) {
            plan_push(pl, (plan_step){ifkey, 0, true, cname});
            plan_push(pl, (plan_step){NULL, b, false, NULL});
            plan_walk(pl, rl_node_at(arg, b), ic, up, ic, cfn, depth + 1);
            pl->depth = mark;
        }
        return;
    }
    if (n->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.count && !pl->oom; i++) {
            plan_push(pl, (plan_step){NULL, i, false, NULL});
            plan_walk(pl, n->u.seq.items[i], kc, pc, up, cfn, depth + 1);
            pl->depth = mark;
        }
        return;
    }
    for (size_t i = 0; i < n->u.map.count && !pl->oom; i++) {
        const rl_node *key = n->u.map.items[i].key;
        plan_push(pl, (plan_step){key, 0, false, NULL});
        unsigned c = key_class(key);
        plan_walk(pl, n->u.map.items[i].value, c, up, c, cfn, depth + 1);
        pl->depth = mark;
    }
}

/* Whether the instance's walk reaches the leaf: the branch of each Fn::If on its path is
 * one the condition takes in this region (both when unknown: *maybe is then set). */
static bool plan_reaches(const plan *pl, const plan_leaf *lf, const rl_stack *st, bool *maybe)
{
    *maybe = false;
    for (size_t i = 0; i < lf->nsteps; i++) {
        const plan_step *s = &pl->steps[lf->step0 + i];
        if (!s->cond)
            continue;
        int c = s->cname ? rl_eval_condition(st, s->cname) : -1;
        size_t b = pl->steps[lf->step0 + i + 1].index;
        if ((c == 1 && b == 2) || (c == 0 && b == 1))
            return false;
        *maybe = *maybe || c < 0;
    }
    return true;
}

/* The leaf's logical path as rl_walk_path() writes it. */
static void plan_path(const plan *pl, const plan_leaf *lf, const rl_resource *res, rl_strbuf *b)
{
    rl_strbuf_clear(b);
    rl_strbuf_puts(b, res->path);
    if (res->stack->source == RL_STACK_CFN)
        rl_strbuf_puts(b, ".Properties");
    for (size_t i = 0; i < lf->nsteps; i++) {
        const plan_step *s = &pl->steps[lf->step0 + i];
        if (!s->key) {
            rl_strbuf_put_index(b, s->index);
            continue;
        }
        rl_strbuf_putc(b, '.');
        if (s->cond)
            rl_strbuf_puts(b, "Fn::If");
        else if (rl_node_is_scalar(s->key))
            rl_strbuf_append(b, s->key->u.s.str, s->key->u.s.len);
    }
}

/* A copy of the plan just built in `b` (its leaves and steps, exactly sized) in arena a;
 * b is emptied for the next resource. NULL when out of memory. */
static plan *plan_keep(rl_arena *a, plan *b)
{
    plan *pl = rl_arena_calloc(a, 1, sizeof(*pl));
    if (!pl)
        return NULL;
    pl->n = b->n;
    pl->nsteps = b->nsteps;
    pl->leaves = rl_arena_alloc(a, (b->n ? b->n : 1) * sizeof(*pl->leaves));
    pl->steps = rl_arena_alloc(a, (b->nsteps ? b->nsteps : 1) * sizeof(*pl->steps));
    if (!pl->leaves || !pl->steps)
        return NULL;
    if (b->n)
        memcpy(pl->leaves, b->leaves, b->n * sizeof(*pl->leaves));
    if (b->nsteps)
        memcpy(pl->steps, b->steps, b->nsteps * sizeof(*pl->steps));
    b->n = b->nsteps = b->depth = 0;
    return pl;
}

/* on_leaf() for a leaf of a plan: its keys are last_keys() of its path (what leaf_keys()
 * gives for a leaf it keeps). */
static int plan_leaf_use(collect *c, const rl_resource *res, const rl_node *leaf, const char *path)
{
    char key[128], parent[128];
    last_keys(path, key, sizeof(key), parent, sizeof(parent));
    role_prop rp = classify_prop(res->type, key, parent);
    if (!rp.role)
        return 0;
    const char *region = action_region(c, path);
    c->region = region ? region : c->st->region;
    c->path = rl_arena_strdup(arena_of(c->m), path);
    if (!c->path)
        return RL_ENOMEM;
    c->creation = false;
    c->attach = rp.attach;
    int rc = rl_iam_resolve(c->m, c->st, leaf, rp.names, add_use, c);
    return rc ? rc : c->rc;
}

static int compute_uses(const rl_model *m, rl_iam_db *db)
{
    int rc = RL_OK;
    collect c;
    memset(&c, 0, sizeof(c));
    c.m = m;
    c.db = db;
    /* properties node -> its plan (shared by the instances of a template), or `none`; a
     * plan is built in `build` (its arrays reused) and kept, exactly sized, in `pa` */
    rl_hmap plans = RL_HMAP_INIT;
    rl_strbuf path = RL_STRBUF_INIT;
    plan build, none;
    memset(&build, 0, sizeof(build));
    memset(&none, 0, sizeof(none));
    rl_arena *pa = rl_arena_new(0);
    if (!pa)
        rc = RL_ENOMEM;
    for (size_t i = 0; i < m->nstacks && rc == RL_OK; i++) {
        const rl_stack *st = m->stacks[i];
        if (!st->region || !rl_model_in_pair(m, st->region))
            continue;
        c.st = st;
        for (size_t j = 0; j < st->nresources && rc == RL_OK; j++) {
            const rl_resource *res = &st->resources[j];
            /* a resource under a condition that is unknown here may exist in one region only
             * by design (a nested stack's IsPrimary parameter): not evidence of sharing */
            if (res->deployed != 1)
                continue;
            /* a pipeline is one resource that deploys to every region: a template shared by
             * the pair holds it in the primary's instance only (as the deploy family reads
             * it); its actions' roles are used in their own Regions */
            if (st->shared && res->type && !rl_model_is_primary(m, st->region) &&
                (!strcmp(res->type, "AWS::CodePipeline::Pipeline") ||
                 !strcmp(res->type, "aws_codepipeline")))
                continue;
            c.res = res;
            c.maybe = false;
            if (role_type(res->type) && (rc = add_creation(&c, res)) < 0)
                break;
            if (!res->props)
                continue;
            bool cfn = st->source == RL_STACK_CFN, tf_env = st->env && st->env->terraform;
            if (cfn == tf_env) {
                /* a CloudFormation stack read as Terraform or the reverse: never made so;
                 * walked as before */
                rc = rl_walk_resource(res, on_leaf, &c);
                if (rc == RL_OK)
                    rc = c.rc;
                continue;
            }
            plan *pl = rl_hmap_get(&plans, res->props, RL_HMAP_PTR);
            if (!pl) {
                /* no key above the properties: class 0 (not plain) as key_class(NULL)
                 * gives; the parent of a first-level key is "Properties" (CloudFormation) */
                plan_walk(&build, res->props, 0, cfn ? KEY_PLAIN : 0, cfn ? KEY_PLAIN : 0, cfn, 0);
                pl = build.oom ? NULL : build.n ? plan_keep(pa, &build) : &none;
                build.n = build.nsteps = build.depth = 0;
                if (!pl || rl_hmap_put(&plans, res->props, RL_HMAP_PTR, pl) < 0) {
                    rc = RL_ENOMEM;
                    break;
                }
            }
            for (size_t k = 0; k < pl->n && rc == RL_OK; k++) {
                const plan_leaf *lf = &pl->leaves[k];
                if (!plan_reaches(pl, lf, st, &c.maybe))
                    continue;
                plan_path(pl, lf, res, &path);
                rc = path.failed ? RL_ENOMEM : plan_leaf_use(&c, res, lf->leaf, path.data);
            }
        }
    }
    rl_hmap_free(&plans);
    rl_strbuf_free(&path);
    free(build.leaves);
    free(build.steps);
    free(build.path);
    rl_arena_free(pa);
    return rc;
}

int rl_iam_uses_build(rl_model *m)
{
    rl_iam_db *db = db_get(m);
    if (!db)
        return RL_ENOMEM;
    if (!db->uses_done) {
        db->uses_done = true;
        db->uses_rc = compute_uses(m, db);
    }
    return db->uses_rc;
}

int rl_iam_uses(const rl_model *m, rl_role_use *const **out, size_t *n)
{
    const rl_iam_db *db = m && m->priv ? m->priv->iam : NULL;
    *out = NULL;
    *n = 0;
    if (!db || !db->uses_done)
        return RL_OK; /* not built: no enabled rule needs it */
    if (db->uses_rc < 0)
        return db->uses_rc;
    *out = (rl_role_use *const *)db->uses.items;
    *n = db->uses.n;
    return RL_OK;
}

const rl_role_use *rl_iam_uses_of(const rl_model *m, const char *key)
{
    const rl_iam_db *db = m && m->priv ? m->priv->iam : NULL;
    return db && key ? rl_hmap_gets(&db->by_key, key) : NULL;
}
