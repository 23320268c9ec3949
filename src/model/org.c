/* SCPs and the organization: reads describe-policy outputs and bare SCP documents, the
 * Organizations exports that say where they are attached (list-policies-for-target,
 * list-targets-for-policy) and how the tree is built (list-parents, list-children,
 * list-organizational-units-for-parent, list-roots, list-accounts, describe-organization),
 * the levels that SCP folders name (scps/root/, scps/ou-.../), finds the account each
 * region's stacks deploy into, and builds its SCP path root -> OU -> account. Ids are read
 * by their AWS format wherever a file or folder name carries them. The decisions are
 * documented in docs/scps.md. */
#include "model_private.h"

#include "../base/aws.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_list {
    const char *id;
    struct id_list *next;
} id_list;

typedef struct scp_list {
    rl_scp *scp;
    struct scp_list *next;
} scp_list;

/* A level that SCP folders name, for the path when no export places the account. */
typedef struct folder_level {
    const char *target;
    size_t depth; /* how many level folders enclose it */
} folder_level;

struct rl_org {
    rl_arena *arena;
    rl_scp **scps; /* every SCP whose content was given, in input order */
    size_t nscps, cap;
    rl_hmap placed_scp;    /* rl_scp* -> 1: placed at a level by its folder or file name */
    folder_level *folders; /* the OU levels that SCP folders name, in input order */
    size_t nfolders;
    bool folder_root;     /* a folder names the root (root/ or r-...) */
    rl_policy **policies; /* owned */
    size_t npolicies;
    rl_hmap by_id;         /* policy id -> scp_list */
    rl_hmap names;         /* any id -> its Name */
    rl_hmap attached;      /* target -> id_list of policy ids */
    rl_hmap complete;      /* target -> 1: its list-policies-for-target was exported */
    rl_hmap parent;        /* child id -> parent id, from the exports */
    rl_hmap folder_parent; /* child -> parent, from the nesting of SCP folders */
    rl_hmap placed;        /* target -> scp_list: SCPs placed there by their folder or file name */
    rl_hmap accounts;      /* member account ids seen in the structure */
    const char *root;      /* the root id, when known */
    bool structure;        /* some attachment was exported */
    const char *management;
    rl_doc *full_doc; /* the built-in FullAWSAccess */
    rl_scp full;
    rl_scp_path **paths; /* per m->regions[i] */
};

#define FULL_AWS_ACCESS "p-FullAWSAccess"
/* The root named by a folder called `root`, before (or without) its id */
#define ROOT_FOLDER "root"

/* ---- ids in paths and ARNs ---------------------------------------------------------- */

enum { ID_ACCOUNT = 1, ID_OU = 2, ID_ROOT = 4, ID_POLICY = 8 };

static bool is_alnum(char c)
{
    return isalnum((unsigned char)c) != 0;
}

static size_t run_of(const char *s, bool (*ok)(char))
{
    size_t n = 0;
    while (s[n] && ok(s[n]))
        n++;
    return n;
}

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool policy_char(char c)
{
    return is_alnum(c) || c == '_';
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of an id of one of `kinds` starting at s (Organizations' id patterns), or 0. */
static size_t id_at(const char *s, int kinds, int *kind)
{
    size_t n;
    if ((kinds & ID_ACCOUNT) && (n = run_of(s, digit)) == 12 && !is_alnum(s[12])) {
        *kind = ID_ACCOUNT;
        return 12;
    }
    if ((kinds & ID_OU) && !strncmp(s, "ou-", 3)) {
        size_t a = run_of(s + 3, lower_alnum);
        if (a >= 4 && a <= 32 && s[3 + a] == '-') {
            size_t b = run_of(s + 4 + a, lower_alnum);
            if (b >= 8 && b <= 32 && !is_alnum(s[4 + a + b])) {
                *kind = ID_OU;
                return 4 + a + b;
            }
        }
    }
    if ((kinds & ID_ROOT) && !strncmp(s, "r-", 2) && (n = run_of(s + 2, lower_alnum)) >= 4 &&
        n <= 32 && !is_alnum(s[2 + n])) {
        *kind = ID_ROOT;
        return 2 + n;
    }
    if ((kinds & ID_POLICY) && !strncmp(s, "p-", 2) && (n = run_of(s + 2, policy_char)) >= 8 &&
        n <= 128) {
        *kind = ID_POLICY;
        return 2 + n;
    }
    return 0;
}

/* The first n bytes of s, interned; NULL when too long for an id. */
static const char *intern_n(rl_model *m, const char *s, size_t n)
{
    char buf[160];
    if (n >= sizeof(buf))
        return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return rl_model_intern(m, buf);
}

/* The last id of one of `kinds` in a path: the API calls name their target only in the
 * command line, so exports carry it in the file or folder name
 * (org/ou-ab12-34567890/list-policies-for-target.json). */
static const char *id_in_path(rl_model *m, const char *path, int kinds)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = path; p && *p; p++) {
        if (p > path && is_alnum(p[-1]))
            continue;
        int kind;
        size_t n = id_at(p, kinds | ID_POLICY, &kind);
        if (n && !(kinds & kind)) {
            /* a policy id is no target, even when its tail looks like one (p-123456789012) */
            p += n - 1;
            continue;
        }
        if (n) {
            best = p;
            best_len = n;
            p += n - 1;
        }
    }
    return best ? intern_n(m, best, best_len) : NULL;
}

static int id_kind(const char *id)
{
    int kind = 0;
    size_t n = id ? id_at(id, ID_ACCOUNT | ID_OU | ID_ROOT | ID_POLICY, &kind) : 0;
    return n && n == strlen(id) ? kind : 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool seg_is(const char *seg, size_t len, const char *word)
{
    if (len != strlen(word))
        return false;
    for (size_t i = 0; i < len; i++)
        if (tolower((unsigned char)seg[i]) != word[i])
            return false;
    return true;
}

/* The id a folder name starts with ("ou-ab12-workloads", "ou-ab12-workloads_prod"), of one
 * of `kinds`, interned; or NULL. */
static const char *id_of_folder(rl_model *m, const char *seg, size_t len, int kinds)
{
    int kind;
    size_t n = id_at(seg, kinds, &kind);
    return n && n <= len ? intern_n(m, seg, n) : NULL;
}

/* The target a Policies export (list-policies-for-target) names: its file name
 * (policies-for-ou-ab12-workloads.json), else its folder (ou-ab12-workloads/policies.json),
 * else, when the file name says "for-target", any id in the path. NULL: the export is
 * list-policies, the organization's whole list, attached nowhere by itself. */
static const char *policies_target(rl_model *m, const char *path, bool for_target)
{
    const int kinds = ID_ACCOUNT | ID_OU | ID_ROOT;
    const char *base = base_name(path);
    const char *t = id_in_path(m, base, kinds);
    if (t || base == path)
        return t ? t : (for_target ? id_in_path(m, path, kinds) : NULL);
    const char *seg = base - 1;
    while (seg > path && seg[-1] != '/')
        seg--;
    if ((t = id_of_folder(m, seg, (size_t)(base - 1 - seg), kinds)))
        return t;
    return for_target ? id_in_path(m, path, kinds) : NULL;
}

/* The levels an SCP file's location names, outermost first: each folder below its scp/scps
 * folder (or, outside one, its own folder) called `root` or named by a root, OU or account
 * id, then an id in the file name (scps/root/ou-ab12-workloads/allow-list.json gives
 * root, ou-ab12-workloads). Folders of other names (Region-controls/) name no level. */
static size_t levels_in_path(rl_model *m, const char *path, const char **out, size_t max)
{
    const int kinds = ID_ACCOUNT | ID_OU | ID_ROOT;
    const char *base = base_name(path), *start = path;
    /* below the last scp/scps folder, else the file's own folder */
    bool scp_folder = false;
    for (const char *seg = path; seg < base;) {
        const char *end = strchr(seg, '/');
        if (seg_is(seg, (size_t)(end - seg), "scp") || seg_is(seg, (size_t)(end - seg), "scps")) {
            start = end + 1;
            scp_folder = true;
        }
        seg = end + 1;
    }
    if (!scp_folder && base > path) {
        start = base - 1;
        while (start > path && start[-1] != '/')
            start--;
    }
    size_t n = 0;
    for (const char *seg = start; seg < base && n < max;) {
        const char *end = strchr(seg, '/');
        size_t len = (size_t)(end - seg);
        const char *t =
            seg_is(seg, len, ROOT_FOLDER) ? ROOT_FOLDER : id_of_folder(m, seg, len, kinds);
        if (t)
            out[n++] = t;
        seg = end + 1;
    }
    const char *t = n < max ? id_in_path(m, base, kinds) : NULL;
    if (t)
        out[n++] = t;
    return n;
}

/* The management account: the account field of an Organizations ARN. */
static void note_management(rl_model *m, struct rl_org *o, const char *arn)
{
    rl_arn a;
    int kind;
    if (o->management || !arn || !rl_arn_parse(arn, strlen(arn), &a) ||
        !rl_arn_is(&a, "organizations") || a.region_len)
        return;
    if (a.account_len == 12 && id_at(a.account, ID_ACCOUNT, &kind) == 12) {
        o->management = intern_n(m, a.account, 12);
    }
}

/* ---- SCP documents ---------------------------------------------------------------- */

static int add_scp(struct rl_org *o, rl_scp *scp)
{
    if (o->nscps == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 16;
        rl_scp **n = realloc(o->scps, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        o->scps = n;
        o->cap = ncap;
    }
    o->scps[o->nscps++] = scp;
    if (scp->id) {
        scp_list *l = rl_arena_calloc(o->arena, 1, sizeof(*l));
        if (!l)
            return RL_ENOMEM;
        l->scp = scp;
        scp_list *last = rl_hmap_gets(&o->by_id, scp->id);
        while (last && last->next)
            last = last->next;
        if (last)
            last->next = l;
        else if (rl_hmap_puts(&o->by_id, scp->id, l) < 0)
            return RL_ENOMEM;
    }
    return RL_OK;
}

static int keep_policy(struct rl_org *o, rl_policy *p)
{
    rl_policy **n = realloc(o->policies, (o->npolicies + 1) * sizeof(*n));
    if (!n) {
        rl_policy_free(p);
        return RL_ENOMEM;
    }
    o->policies = n;
    o->policies[o->npolicies++] = p;
    return RL_OK;
}

static int note_folder(struct rl_org *o, const char *target, size_t depth)
{
    if (!strcmp(target, ROOT_FOLDER) || id_kind(target) == ID_ROOT) {
        o->folder_root = true;
        return RL_OK;
    }
    if (id_kind(target) != ID_OU)
        return RL_OK;
    for (size_t i = 0; i < o->nfolders; i++)
        if (!strcmp(o->folders[i].target, target))
            return RL_OK;
    folder_level *n = realloc(o->folders, (o->nfolders + 1) * sizeof(*n));
    if (!n)
        return RL_ENOMEM;
    o->folders = n;
    o->folders[o->nfolders++] = (folder_level){target, depth};
    return RL_OK;
}

/* An SCP whose folder or file name names a level is attached there; nested level folders
 * say whose child each level is, unless an export says otherwise. */
static int place_by_path(rl_model *m, struct rl_org *o, rl_scp *scp)
{
    const char *lv[16];
    size_t n = levels_in_path(m, scp->input->path, lv, 16);
    if (!n)
        return RL_OK;
    scp_list *l = rl_arena_calloc(o->arena, 1, sizeof(*l));
    if (!l)
        return RL_ENOMEM;
    l->scp = scp;
    scp_list **tail = (scp_list **)rl_hmap_slot(&o->placed, lv[n - 1], strlen(lv[n - 1]));
    if (tail) {
        while (*tail)
            tail = &(*tail)->next;
        *tail = l;
    } else if (rl_hmap_puts(&o->placed, lv[n - 1], l) < 0) {
        return RL_ENOMEM;
    }
    if (rl_hmap_put(&o->placed_scp, scp, RL_HMAP_PTR, (void *)1) < 0)
        return RL_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int rc = note_folder(o, lv[i], i);
        if (rc == RL_OK && id_kind(lv[i]) == ID_ACCOUNT &&
            rl_hmap_puts(&o->accounts, lv[i], (void *)1) < 0)
            rc = RL_ENOMEM;
        if (rc == RL_OK && i > 0 && !rl_hmap_gets(&o->folder_parent, lv[i]) &&
            rl_hmap_puts(&o->folder_parent, lv[i], (void *)lv[i - 1]) < 0)
            rc = RL_ENOMEM;
        if (rc < 0)
            return rc;
    }
    return RL_OK;
}

static int read_scp(rl_model *m, struct rl_org *o, rl_input *in)
{
    const rl_node *root = rl_input_root(in);
    const rl_node *doc = root, *content = NULL;
    rl_scp *scp = rl_arena_calloc(o->arena, 1, sizeof(*scp));
    if (!scp)
        return RL_ENOMEM;
    scp->input = in;
    if (in->subkind && strstr(in->subkind, "describe-policy")) {
        const rl_node *pol = rl_node_get(root, "Policy");
        const rl_node *sum = rl_node_get(pol, "PolicySummary");
        content = rl_node_get(pol, "Content");
        scp->id = rl_node_str(rl_node_get(sum, "Id"));
        scp->name = rl_node_str(rl_node_get(sum, "Name"));
        scp->arn = rl_node_str(rl_node_get(sum, "Arn"));
        bool managed = false;
        scp->aws_managed = rl_node_bool(rl_node_get(sum, "AwsManaged"), &managed) && managed;
        note_management(m, o, scp->arn);
        if (!scp->id && scp->arn && strrchr(scp->arn, '/'))
            scp->id = rl_model_intern(m, strrchr(scp->arn, '/') + 1);
        doc = content;
        if (rl_node_is_scalar(content)) {
            rl_error err;
            rl_error_clear(&err);
            /* a Content that does not parse is no policy: it cannot deny anything */
            if (rl_doc_parse_embedded(in->doc, content, &doc, &err) < 0)
                return err.code == RL_ENOMEM ? RL_ENOMEM : RL_OK;
            scp->content = content;
        }
    } else {
        scp->id = id_in_path(m, in->path, ID_POLICY);
    }
    if (!scp->name)
        scp->name = base_name(in->path);
    rl_policy *p = NULL;
    rl_error err;
    rl_error_clear(&err);
    int rc = rl_policy_new(&p, doc, &err);
    if (rc == RL_ENOMEM)
        return rc;
    if (rc < 0)
        return RL_OK;
    if ((rc = keep_policy(o, p)) < 0)
        return rc;
    scp->policy = p;
    if ((rc = add_scp(o, scp)) < 0)
        return rc;
    return place_by_path(m, o, scp);
}

/* ---- organization exports --------------------------------------------------------- */

static int attach(rl_model *m, struct rl_org *o, const char *target, const char *policy)
{
    const char *t = rl_model_intern(m, target), *p = rl_model_intern(m, policy);
    id_list *l = rl_arena_calloc(o->arena, 1, sizeof(*l));
    if (!t || !p || !l)
        return RL_ENOMEM;
    o->structure = true;
    if (id_kind(t) == ID_ACCOUNT && rl_hmap_puts(&o->accounts, t, (void *)1) < 0)
        return RL_ENOMEM;
    /* appended, so that levels list their SCPs in the order of the exports */
    id_list *last = NULL;
    for (id_list *e = rl_hmap_gets(&o->attached, t); e; e = e->next) {
        if (!strcmp(e->id, p))
            return RL_OK;
        last = e;
    }
    l->id = p;
    if (last) {
        last->next = l;
        return RL_OK;
    }
    return rl_hmap_puts(&o->attached, t, l) < 0 ? RL_ENOMEM : RL_OK;
}

static int set_parent(rl_model *m, struct rl_org *o, const char *child, const char *parent,
                      const char *type)
{
    if (!child || !parent || !strcmp(child, parent))
        return RL_OK;
    const char *c = rl_model_intern(m, child), *p = rl_model_intern(m, parent);
    if (!c || !p)
        return RL_ENOMEM;
    if ((type && !strcmp(type, "ROOT")) || id_kind(p) == ID_ROOT)
        o->root = p;
    if (id_kind(c) == ID_ACCOUNT && rl_hmap_puts(&o->accounts, c, (void *)1) < 0)
        return RL_ENOMEM;
    return rl_hmap_puts(&o->parent, c, (void *)p) < 0 ? RL_ENOMEM : RL_OK;
}

static int set_name(rl_model *m, struct rl_org *o, const char *id, const char *name)
{
    if (!id || !name)
        return RL_OK;
    const char *i = rl_model_intern(m, id);
    if (!i)
        return RL_ENOMEM;
    if (rl_hmap_gets(&o->names, i))
        return RL_OK; /* the first name seen stays */
    return rl_hmap_puts(&o->names, i, (void *)name) < 0 ? RL_ENOMEM : RL_OK;
}

static const rl_node *items(const rl_node *root, const char *key)
{
    const rl_node *n = rl_node_get(root, key);
    return rl_node_is_seq(n) ? n : NULL;
}

static int read_org(rl_model *m, struct rl_org *o, const rl_input *in)
{
    const rl_node *root = rl_input_root(in);
    const char *sub = in->subkind ? in->subkind : "";
    if (!strncmp(sub, "placebo:", 8))
        sub += 8;
    int rc = RL_OK;
    if (!strcmp(sub, "list-policies") || !strcmp(sub, "list-policies-for-target")) {
        const char *target = policies_target(m, in->path, !strcmp(sub, "list-policies-for-target"));
        const rl_node *ps = items(root, "Policies");
        for (size_t i = 0; ps && i < ps->u.seq.count && rc == RL_OK; i++) {
            const rl_node *p = ps->u.seq.items[i];
            const char *type = rl_node_str(rl_node_get(p, "Type"));
            const char *id = rl_node_str(rl_node_get(p, "Id"));
            note_management(m, o, rl_node_str(rl_node_get(p, "Arn")));
            if (!id || (type && strcmp(type, "SERVICE_CONTROL_POLICY")))
                continue;
            rc = set_name(m, o, id, rl_node_str(rl_node_get(p, "Name")));
            if (rc == RL_OK && target)
                rc = attach(m, o, target, id);
        }
        if (rc == RL_OK && target) {
            /* an empty answer still says that nothing is attached there */
            o->structure = true;
            rc = rl_hmap_puts(&o->complete, target, (void *)1) < 0 ? RL_ENOMEM : RL_OK;
        }
    } else if (!strcmp(sub, "list-targets-for-policy")) {
        const char *policy = id_in_path(m, in->path, ID_POLICY);
        const rl_node *ts = items(root, "Targets");
        for (size_t i = 0; policy && ts && i < ts->u.seq.count && rc == RL_OK; i++) {
            const rl_node *t = ts->u.seq.items[i];
            const char *id = rl_node_str(rl_node_get(t, "TargetId"));
            const char *type = rl_node_str(rl_node_get(t, "Type"));
            note_management(m, o, rl_node_str(rl_node_get(t, "Arn")));
            if (!id)
                continue;
            if (type && !strcmp(type, "ROOT"))
                o->root = rl_model_intern(m, id);
            if ((rc = set_name(m, o, id, rl_node_str(rl_node_get(t, "Name")))) == RL_OK)
                rc = attach(m, o, id, policy);
        }
    } else if (!strcmp(sub, "list-parents")) {
        const char *child = id_in_path(m, in->path, ID_ACCOUNT | ID_OU);
        const rl_node *p = rl_node_at(items(root, "Parents"), 0);
        rc = set_parent(m, o, child, rl_node_str(rl_node_get(p, "Id")),
                        rl_node_str(rl_node_get(p, "Type")));
    } else if (!strcmp(sub, "list-children") ||
               !strcmp(sub, "list-organizational-units-for-parent")) {
        const char *parent = id_in_path(m, in->path, ID_OU | ID_ROOT);
        bool kids = !strcmp(sub, "list-children");
        const rl_node *cs = items(root, kids ? "Children" : "OrganizationalUnits");
        for (size_t i = 0; parent && cs && i < cs->u.seq.count && rc == RL_OK; i++) {
            const rl_node *c = cs->u.seq.items[i];
            const char *id = rl_node_str(rl_node_get(c, "Id"));
            const char *arn = rl_node_str(rl_node_get(c, "Arn"));
            note_management(m, o, arn);
            if (!id && arn && strrchr(arn, '/'))
                id = strrchr(arn, '/') + 1;
            if ((rc = set_parent(m, o, id, parent, NULL)) == RL_OK)
                rc = set_name(m, o, id, rl_node_str(rl_node_get(c, "Name")));
        }
    } else if (!strcmp(sub, "list-accounts") || !strcmp(sub, "list-roots")) {
        bool roots = !strcmp(sub, "list-roots");
        const rl_node *as = items(root, roots ? "Roots" : "Accounts");
        for (size_t i = 0; as && i < as->u.seq.count && rc == RL_OK; i++) {
            const rl_node *a = as->u.seq.items[i];
            const char *id = rl_node_str(rl_node_get(a, "Id"));
            note_management(m, o, rl_node_str(rl_node_get(a, "Arn")));
            if (roots && id)
                o->root = rl_model_intern(m, id);
            rc = set_name(m, o, id, rl_node_str(rl_node_get(a, "Name")));
        }
    } else if (!strcmp(sub, "describe-organization")) {
        const rl_node *org = rl_node_get(root, "Organization");
        const char *mgmt = rl_node_str(rl_node_get(org, "ManagementAccountId"));
        if (!mgmt)
            mgmt = rl_node_str(rl_node_get(org, "MasterAccountId"));
        if (mgmt && id_kind(mgmt) == ID_ACCOUNT)
            o->management = rl_model_intern(m, mgmt);
        else
            note_management(m, o, rl_node_str(rl_node_get(org, "Arn")));
    }
    return rc;
}

/* ---- the account of a region ------------------------------------------------------ */

/* The account the stacks of `region` deploy into: the config's `account:`, else the
 * account of the describe-stacks snapshots of that region (when they agree), else the
 * model's account, else the only member account the organization export names. */
static const char *account_for(rl_model *m, struct rl_org *o, const char *region, const char **from)
{
    const rl_config *cfg = m->cfg;
    const char *any = NULL;
    for (size_t i = 0; cfg && i < cfg->naccounts; i++) {
        if (cfg->accounts[i].region && !strcmp(cfg->accounts[i].region, region)) {
            *from = "the config's account:";
            return cfg->accounts[i].account;
        }
        if (!cfg->accounts[i].region)
            any = cfg->accounts[i].account;
    }
    if (any) {
        *from = "the config's account:";
        return any;
    }
    const char *seen = NULL;
    bool conflict = false;
    for (size_t i = 0; i < rl_inputs_count(m->inputs); i++) {
        const rl_input *in = rl_inputs_at(m->inputs, i);
        if (!in->doc || in->kind != RL_INPUT_STACKS)
            continue;
        const rl_node *stacks = rl_node_get(rl_input_root(in), "Stacks");
        for (size_t j = 0; j < rl_node_count(stacks) && rl_node_is_seq(stacks); j++) {
            /* arn:aws:cloudformation:REGION:ACCOUNT:stack/... */
            const char *id = rl_node_str(rl_node_get(stacks->u.seq.items[j], "StackId"));
            char r[64];
            if (!id || !rl_arn_region(id, r, sizeof(r)) || strcmp(r, region))
                continue;
            const char *p = id;
            for (int k = 0; k < 4 && p; k++)
                p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
            int kind;
            if (!p || id_at(p, ID_ACCOUNT, &kind) != 12)
                continue;
            char acct[13];
            memcpy(acct, p, 12);
            acct[12] = '\0';
            if (seen && strcmp(seen, acct))
                conflict = true;
            if (!seen)
                seen = rl_model_intern(m, acct);
        }
    }
    if (seen && !conflict) {
        *from = "the describe-stacks snapshot";
        return seen;
    }
    if (m->account_id) {
        *from = "the model";
        return m->account_id;
    }
    const char *only = NULL;
    size_t n = 0, it = 0;
    rl_hmap_entry *e;
    while ((e = rl_hmap_next(&o->accounts, &it)))
        if (!o->management || strcmp(e->key, o->management)) {
            only = e->key;
            n++;
        }
    if (n == 1) {
        *from = "the only member account in the organization export";
        return only;
    }
    return NULL;
}

/* ---- paths ------------------------------------------------------------------------ */

static const char *kind_name(const char *id)
{
    if (!strcmp(id, ROOT_FOLDER))
        return "root";
    switch (id_kind(id)) {
    case ID_ROOT:
        return "root";
    case ID_OU:
        return "organizational unit";
    case ID_ACCOUNT:
        return "account";
    default:
        return "target";
    }
}

/* The folder called root is the root whose id the exports give. */
static const char *canon(const struct rl_org *o, const char *t)
{
    return t && o->root && !strcmp(t, ROOT_FOLDER) ? o->root : t;
}

/* The parent of a target: the exports', else the nesting of the SCP folders. */
static const char *parent_of(const struct rl_org *o, const char *t)
{
    const char *p = rl_hmap_gets(&o->parent, t);
    return canon(o, p ? p : rl_hmap_gets(&o->folder_parent, t));
}

static bool has_scp(const rl_scp_level *lv, const rl_scp *scp)
{
    for (size_t i = 0; i < lv->nscps; i++)
        if (lv->scps[i] == scp)
            return true;
    return false;
}

static int fill_level(struct rl_org *o, rl_scp_level *lv, const char *target)
{
    lv->target = target;
    lv->kind = kind_name(target);
    lv->name = rl_hmap_gets(&o->names, target);
    /* what the folders place there: the root's folder too, once its id is known */
    const scp_list *placed[2] = {rl_hmap_gets(&o->placed, target), NULL};
    if (o->root && !strcmp(target, o->root))
        placed[1] = rl_hmap_gets(&o->placed, ROOT_FOLDER);
    const id_list *att = rl_hmap_gets(&o->attached, target);
    bool unknown = false;
    size_t n = 0;
    for (const id_list *a = att; a; a = a->next) {
        const scp_list *l = rl_hmap_gets(&o->by_id, a->id);
        if (!l && !strcmp(a->id, FULL_AWS_ACCESS))
            n++; /* its content is known without an export */
        else if (!l)
            unknown = true; /* attached, but its content was not exported */
        for (; l; l = l->next)
            n++;
    }
    size_t nplaced = 0;
    for (size_t k = 0; k < 2; k++)
        for (const scp_list *l = placed[k]; l; l = l->next)
            nplaced++;
    lv->scps = rl_arena_calloc(o->arena, n + nplaced + 1, sizeof(*lv->scps));
    if (!lv->scps)
        return RL_ENOMEM;
    for (const id_list *a = att; a; a = a->next) {
        const scp_list *l = rl_hmap_gets(&o->by_id, a->id);
        if (!l && !strcmp(a->id, FULL_AWS_ACCESS))
            lv->scps[lv->nscps++] = &o->full;
        for (; l; l = l->next)
            if (!has_scp(lv, l->scp))
                lv->scps[lv->nscps++] = l->scp;
    }
    for (size_t k = 0; k < 2; k++)
        for (const scp_list *l = placed[k]; l; l = l->next)
            if (!has_scp(lv, l->scp))
                lv->scps[lv->nscps++] = l->scp;
    if (rl_hmap_gets(&o->complete, target)) {
        /* the target's own list of attachments: complete, unless a content is missing */
        lv->assume_allow = unknown;
    } else if (nplaced) {
        /* a level's folder holds what is attached there; without any Allow in it the
         * folder left out FullAWSAccess, as an export of custom SCPs does */
        bool allow = false;
        for (size_t i = 0; i < lv->nscps && !allow; i++)
            allow = rl_policy_has_allow(lv->scps[i]->policy);
        lv->assume_allow = unknown || !allow;
    } else {
        /* without the target's own list, FullAWSAccess may be among its attachments */
        lv->assume_allow = true;
    }
    return RL_OK;
}

/* The SCPs given that no folder places and no export attaches, as one level in force for
 * every account (used only when no attachment was exported). */
static int unplaced_level(struct rl_org *o, rl_scp_path *p)
{
    size_t n = 0;
    for (size_t i = 0; i < o->nscps; i++)
        if (!rl_hmap_get(&o->placed_scp, o->scps[i], RL_HMAP_PTR))
            n++;
    if (!n)
        return RL_OK;
    rl_scp_level *lv = &p->levels[p->nlevels++];
    lv->kind = "all SCPs given";
    lv->scps = rl_arena_calloc(o->arena, n, sizeof(*lv->scps));
    if (!lv->scps)
        return RL_ENOMEM;
    /* Without any Allow among them the export left out FullAWSAccess (attached everywhere
     * by default), so nothing is implicitly denied. */
    lv->assume_allow = true;
    for (size_t i = 0; i < o->nscps; i++) {
        if (rl_hmap_get(&o->placed_scp, o->scps[i], RL_HMAP_PTR))
            continue;
        lv->scps[lv->nscps++] = o->scps[i];
        if (rl_policy_has_allow(o->scps[i]->policy))
            lv->assume_allow = false;
    }
    return RL_OK;
}

static bool in_chain(const char **chain, size_t n, const char *t)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(chain[i], t))
            return true;
    return false;
}

/* Deeper folders first (the chain is collected upward), then by id: deterministic. */
static int folder_cmp(const void *a, const void *b)
{
    const folder_level *x = a, *y = b;
    if (x->depth != y->depth)
        return x->depth > y->depth ? -1 : 1;
    return strcmp(x->target, y->target);
}

#define MAX_LEVELS 16

static int build_path(rl_model *m, struct rl_org *o, const char *region, rl_scp_path **out)
{
    rl_scp_path *p = rl_arena_calloc(o->arena, 1, sizeof(*p));
    if (!p)
        return RL_ENOMEM;
    *out = p;
    p->account = account_for(m, o, region, &p->account_from);
    if (p->account && o->management && !strcmp(p->account, o->management)) {
        p->exempt = true;
        p->exempt_why = "SCPs do not apply to the organization's management account";
        return RL_OK;
    }
    /* account, its OUs, the root: collected upward, stored root first */
    const char *chain[MAX_LEVELS];
    size_t n = 0;
    bool levels = o->structure || o->placed_scp.count;
    for (const char *t = p->account; levels && t && n < MAX_LEVELS - 1 && !in_chain(chain, n, t);
         t = parent_of(o, t))
        chain[n++] = t;
    if (levels && n <= 1 && o->nfolders) {
        /* nothing says which OU holds the account: every OU the SCP folders name is read
         * as a level of its path, as the folders were exported for it */
        for (size_t i = 0; i < o->nfolders && n < MAX_LEVELS - 1; i++)
            if (!in_chain(chain, n, o->folders[i].target))
                chain[n++] = o->folders[i].target;
    }
    /* the root's SCPs apply to every account, even when the chain up to it is not known */
    const char *root = o->root ? o->root : o->folder_root ? ROOT_FOLDER : NULL;
    if (levels && root && !in_chain(chain, n, root))
        chain[n++] = root;
    p->levels = rl_arena_calloc(o->arena, n + 2, sizeof(*p->levels));
    if (!p->levels)
        return RL_ENOMEM;
    int rc = o->structure ? RL_OK : unplaced_level(o, p);
    for (size_t i = 0; i < n && rc == RL_OK; i++)
        rc = fill_level(o, &p->levels[p->nlevels++], chain[n - 1 - i]);
    return rc;
}

static int load_full_access(struct rl_org *o)
{
    static const char text[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                               "\"Action\":\"*\",\"Resource\":\"*\"}]}";
    rl_source *src = NULL;
    rl_error err;
    rl_error_clear(&err);
    int rc;
    if ((rc = rl_source_new(&src, "FullAWSAccess", text, sizeof(text) - 1)) < 0)
        return rc;
    rl_load_opts opts = {RL_SYNTAX_JSON, 16, 1000};
    if ((rc = rl_doc_load(&o->full_doc, src, &opts, &err)) < 0)
        return rc;
    rl_policy *p = NULL;
    if ((rc = rl_policy_new(&p, rl_doc_root(o->full_doc), &err)) < 0 ||
        (rc = keep_policy(o, p)) < 0)
        return rc;
    o->full.id = FULL_AWS_ACCESS;
    o->full.name = "FullAWSAccess";
    o->full.arn = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess";
    o->full.aws_managed = true;
    o->full.policy = p;
    return RL_OK;
}

int rl_org_build(rl_model *m)
{
    struct rl_org *o = NULL;
    int rc = RL_OK;
    for (size_t i = 0; i < rl_inputs_count(m->inputs); i++) {
        rl_input *in = rl_inputs_at(m->inputs, i);
        if (!in->doc || (in->kind != RL_INPUT_SCP && in->kind != RL_INPUT_ORG))
            continue;
        if (!o) {
            o = calloc(1, sizeof(*o));
            if (!o || !(o->arena = rl_arena_new(0))) {
                free(o);
                return RL_ENOMEM;
            }
            m->priv->org = o;
            if ((rc = load_full_access(o)) < 0)
                return rc;
        }
        rc = in->kind == RL_INPUT_SCP ? read_scp(m, o, in) : read_org(m, o, in);
        if (rc < 0)
            return rc;
    }
    if (!o)
        return RL_OK;
    o->paths = rl_arena_calloc(o->arena, m->nregions + 1, sizeof(*o->paths));
    if (!o->paths)
        return RL_ENOMEM;
    /* SCPs only listed (no content) and no attachments: nothing to evaluate */
    if (o->nscps == 0 && !o->structure)
        return RL_OK;
    if (o->nfolders)
        qsort(o->folders, o->nfolders, sizeof(*o->folders), folder_cmp);
    for (size_t i = 0; i < m->nregions; i++)
        if ((rc = build_path(m, o, m->regions[i], &o->paths[i])) < 0)
            return rc;
    return RL_OK;
}

void rl_org_free(struct rl_org *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->npolicies; i++)
        rl_policy_free(o->policies[i]);
    free(o->policies);
    free(o->scps);
    free(o->folders);
    rl_hmap *maps[] = {&o->by_id,  &o->names,         &o->attached, &o->complete,  &o->parent,
                       &o->placed, &o->folder_parent, &o->accounts, &o->placed_scp};
    for (size_t i = 0; i < sizeof(maps) / sizeof(*maps); i++)
        rl_hmap_free(maps[i]);
    rl_doc_free(o->full_doc);
    rl_arena_free(o->arena);
    free(o);
}

const rl_scp_path *rl_model_scp_path(const rl_model *m, const char *region)
{
    const struct rl_org *o = m->priv->org;
    for (size_t i = 0; o && o->paths && region && i < m->nregions; i++)
        if (!strcmp(m->regions[i], region))
            return o->paths[i];
    return NULL;
}
