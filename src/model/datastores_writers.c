/* Data stores: who writes each store with writable replicas, from the IAM policies of the
 * roles each region's stacks use and from functions that name the store. See datastores.c. */
#include "datastores_private.h"

/* ---- writers ------------------------------------------------------------------------------ */

/* The write actions on an item or object; reads, scans and control-plane actions are not. */
static const char *const ddb_writes[] = {
    "dynamodb:PutItem",        "dynamodb:UpdateItem",         "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem", "dynamodb:TransactWriteItems", "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",  "dynamodb:PartiQLDelete"};
static const char *const s3_writes[] = {"s3:PutObject", "s3:DeleteObject",
                                        "s3:DeleteObjectVersion"};

static holder *holder_get(wctx *w, const char *key, const char *label)
{
    holder *h = rl_hmap_gets(&w->holders, key);
    if (h)
        return h;
    h = rl_arena_calloc(w->d.a, 1, sizeof(*h));
    const char *k = rl_arena_strdup(w->d.a, key);
    if (!h || !k || rl_hmap_puts(&w->holders, k, h) < 0) {
        w->d.rc = RL_ENOMEM;
        return NULL;
    }
    h->key = k;
    h->label = label;
    h->next = w->list;
    w->list = h;
    /* the regions whose stacks use the role (its definition, attachments aside) */
    for (const rl_role_use *u = rl_iam_uses_of(w->d.m, key); u; u = u->next_key)
        if (!u->attach)
            h->used |= ds_bit_of(w->d.m, u->region);
    return h;
}

/* The table or bucket name a resource gives, or NULL. */
static const char *res_name(ds *d, const rl_resource *r)
{
    return ds_str_of(d, r->stack,
                     ds_prop(r,
                             !strncmp(r->type, "aws_s3", 6) || !strcmp(r->type, "AWS::S3::Bucket")
                                 ? "BucketName"
                                 : "TableName",
                             !strcmp(r->type, "aws_s3_bucket") ? "bucket" : "name"));
}

/* Is `r` this replica: the same resource, or a table or bucket of the same name? */
static bool rep_is(ds *d, const replica *rep, const rl_resource *r)
{
    if (!r)
        return false;
    if (ds_same_res(r, rep->res))
        return true;
    const char *name = res_name(d, r);
    return name && rep->name && !strcmp(name, rep->name);
}

/* What ds_same_res() compares, as bytes: the template's input and the logical id. Returns the
 * length written to `buf`, 0 when it does not fit. */
static size_t same_res_key(const rl_resource *r, char *buf, size_t size)
{
    const void *in = r->stack->input;
    size_t idl = strlen(r->id);
    if (sizeof(in) + idl > size)
        return 0;
    memcpy(buf, &in, sizeof(in));
    memcpy(buf + sizeof(in), r->id, idl);
    return sizeof(in) + idl;
}

static bool is_s3(const rl_ds_store *s)
{
    return !strcmp(s->res->type, "AWS::S3::Bucket") || !strcmp(s->res->type, "aws_s3_bucket");
}

/* The first write action of the store's service that a statement's actions cover. */
static const char *covered(const rl_statement *st, bool s3)
{
    const char *const *wr = s3 ? s3_writes : ddb_writes;
    size_t nw =
        s3 ? sizeof(s3_writes) / sizeof(*s3_writes) : sizeof(ddb_writes) / sizeof(*ddb_writes);
    for (size_t k = 0; k < nw; k++)
        if (rl_statement_covers(st, wr[k]))
            return wr[k];
    return NULL;
}

/* Adds `g` (the fields from `s` to `allowed`) to the role being read, with where the policy
 * says it. A grant without a store goes to the role's broad grants. */
static void add_grant(wctx *w, grant g, const rl_node *at)
{
    if (!w->h)
        return;
    grant *n = rl_arena_alloc(w->d.a, sizeof(*n));
    if (!n) {
        w->d.rc = RL_ENOMEM;
        return;
    }
    *n = g;
    n->file = w->st ? rl_doc_path(w->st->input->doc) : rl_doc_path(w->doc);
    n->span = at ? at->span : (rl_span){0};
    grant **list = g.s ? &w->h->grants : &w->h->broad;
    n->next = *list;
    *list = n;
}

/* The alternatives of a policy value, as the document's one reader evaluates it. */
static int policy_eval(wctx *w, const rl_node *n, alts *out)
{
    out->n = 0;
    collect_ctx c = {&w->d, out};
    int rc = rl_mpolicy_strings(w->mp, n, ds_on_alt, &c);
    if (rc < 0)
        w->d.rc = rc;
    return rc < 0 ? rc : w->d.rc;
}

/* The regions of the pair a statement applies in: its aws:RequestedRegion conditions
 * evaluated for each (a value the files do not give restricts nothing). */
static uint64_t requested_regions(wctx *w, const rl_statement *st)
{
    uint64_t ok = w->all;
    for (size_t r = 0; r < w->d.m->nregions && r < 64; r++) {
        rl_request req;
        memset(&req, 0, sizeof(req));
        req.region = w->d.m->regions[r];
        for (size_t i = 0; i < st->nconds; i++)
            if (!strcasecmp(st->conds[i].key, "aws:RequestedRegion") &&
                rl_condition_eval(&st->conds[i], &req) == RL_TRI_NO)
                ok &= ~((uint64_t)1 << r);
    }
    return ok;
}

/* Which writable replica a resource value names. Calls back with the store and where the
 * writes land (a table ARN's region field; a bucket's own region). */

static void mark_list(wctx *w, const tname *tn)
{
    for (; tn; tn = tn->next)
        if (!w->mark[tn->t]) {
            w->mark[tn->t] = 1;
            w->cand[w->ncand++] = tn->t;
        }
}

static void mark_name(wctx *w, const char *name, size_t len)
{
    mark_list(w, rl_hmap_get(&w->by_name, name, len));
}

/* The targets rep_is() can find `r` in: its own copies, and copies of its name. False when
 * that cannot be told from the indexes (a logical id too long for a key). */
static bool mark_resource(wctx *w, const rl_resource *r)
{
    char key[RES_KEY_MAX];
    size_t kl = same_res_key(r, key, sizeof(key));
    if (!kl || w->res_unindexed)
        return false;
    mark_list(w, rl_hmap_get(&w->by_res, key, kl));
    const char *name = res_name(&w->d, r);
    if (name)
        mark_name(w, name, strlen(name));
    return true;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* How many of the first `n` bytes of `s` are `c`, from the start. */
static size_t strspn_n(const char *s, size_t n, char c)
{
    size_t i = 0;
    while (i < n && s[i] == c)
        i++;
    return i;
}

/* The table or bucket name in an ARN for S3 (`s3`) or DynamoDB: the resource up to its
 * next '/' (table/NAME, BUCKET/key), unknown pieces kept as UNK. False when the ARN is of
 * another service, or of DynamoDB and not a table. */
static bool arn_store_name(const rl_arn *arn, bool s3, const char **name, size_t *nl)
{
    char svc[32];
    size_t sl = arn->service_len < sizeof(svc) - 1 ? arn->service_len : sizeof(svc) - 1;
    for (size_t c = 0; c < sl; c++)
        svc[c] = arn->service[c] == UNK ? '*' : arn->service[c];
    svc[sl] = '\0';
    if (!rl_wildcard_match(svc, s3 ? "s3" : "dynamodb", true))
        return false;
    const char *res = arn->resource;
    size_t rl = arn->resource_len;
    if (!s3) {
        if (rl < 6 || strncmp(res, "table/", 6))
            return false;
        res += 6;
        rl -= 6;
    }
    const char *slash = memchr(res, '/', rl);
    *name = res;
    *nl = slash ? (size_t)(slash - res) : rl;
    return true;
}

/* The region an ARN's region field names, as a bit of the pair; false when it is empty, a
 * wildcard or unknown (the writes land where the caller is). */
static bool arn_region_bit(const rl_model *m, const rl_arn *arn, uint64_t *bit)
{
    char rb[64];
    size_t n = arn->region_len;
    if (!n || n >= sizeof(rb) || memchr(arn->region, UNK, n) || memchr(arn->region, '*', n))
        return false;
    memcpy(rb, arn->region, n);
    rb[n] = '\0';
    *bit = ds_bit_of(m, rb);
    return true;
}

/* Does the value `a` of a policy's resource name every bucket (`s3`) or every table: `*`, or
 * an ARN whose name is only wildcards? Then where its writes land: each bucket's own region
 * (`reps`), a table ARN's region field (`land`), or where the role is used (`where_used`).
 * The same cases as match_resource(), for a value and not a store. */
static bool alt_broad(wctx *w, const alt *a, bool s3, bool *reps, uint64_t *land, bool *where_used)
{
    *reps = *where_used = false;
    *land = 0;
    rl_arn arn;
    if (a->complete && a->len == 1 && a->s[0] == '*') {
        *reps = s3;
        *where_used = !s3;
        return true;
    }
    const char *res;
    size_t nl;
    if (a->s[0] == UNK || !rl_arn_parse(a->s, a->len, &arn) ||
        !arn_store_name(&arn, s3, &res, &nl) || nl >= 256 || strspn_n(res, nl, '*') != nl)
        return false;
    if (s3)
        *reps = true;
    else if (!arn_region_bit(w->d.m, &arn, land))
        *where_used = true;
    return true;
}

/* Clears the marks of the candidates found and puts them in target order. */
static bool end_candidates(wctx *w, bool ok)
{
    for (size_t i = 0; i < w->ncand; i++)
        w->mark[w->cand[i]] = 0;
    if (ok)
        qsort(w->cand, w->ncand, sizeof(*w->cand), cmp_size);
    return ok;
}

/* The targets a policy's resource (`ref`, or the values `v`) can name, in w->cand
 * (ascending); false when some value may name any store (`*`, a wildcard name), and the
 * caller compares it with every target. Mirrors the cases match_resource() tells apart. */
static bool name_candidates(wctx *w, const rl_resource *ref, const alts *v, bool skip_broad)
{
    w->ncand = 0;
    bool ok = true;
    if (ref)
        ok = mark_resource(w, ref);
    for (size_t i = 0; !ref && i < v->n && ok; i++) {
        const alt *a = &v->v[i];
        rl_arn arn;
        const rl_resource *named;
        if (a->complete && a->len == 1 && a->s[0] == '*') {
            ok = skip_broad; /* a grant on every store is kept once, not per store */
        } else if (a->s[0] == UNK && a->nvias && (named = rl_ref_via(w->st, a->vias[0])) &&
                   (a->len == 1 || a->s[1] == '/')) {
            ok = mark_resource(w, named);
        } else if (rl_arn_parse(a->s, a->len, &arn)) {
            for (int s3 = 0; s3 < 2 && ok; s3++) {
                const char *res;
                size_t nl;
                if (!arn_store_name(&arn, s3, &res, &nl))
                    continue;
                if (nl == 0) {
                    ok = skip_broad; /* an empty name: every store, as `*` */
                } else if (nl == 1 && res[0] == UNK) {
                    /* the name of a resource of the stack */
                    size_t before = 0;
                    for (const char *c = a->s; c < res; c++)
                        before += *c == UNK;
                    const char *via = before < a->nvias ? a->vias[before] : NULL;
                    named = via ? rl_ref_via(w->st, via) : NULL;
                    if (named)
                        ok = mark_resource(w, named);
                } else if (memchr(res, UNK, nl) || nl >= 256)
                    continue; /* names nothing */
                else if (memchr(res, '*', nl) || memchr(res, '?', nl))
                    ok = skip_broad && strspn_n(res, nl, '*') == nl;
                else
                    mark_name(w, res, nl);
            }
        }
    }
    return end_candidates(w, ok);
}

static void match_resource(wctx *w, const rl_node *n, const rl_statement *stmt, uint64_t allowed,
                           bool is_deny, uint64_t deny_regions)
{
    /* what the statement may write, per service, worked out once */
    const char *what_s3 = covered(stmt, true);
    const char *what_ddb = covered(stmt, false);
    if (!what_s3 && !what_ddb)
        return;
    const rl_resource *ref = w->st ? ds_ref_of(&w->d, w->st, n) : NULL;
    alts v;
    if (!ref && policy_eval(w, n, &v) < 0)
        return;
    size_t nalt = ref ? 1 : v.n;
    if (!is_deny && !ref) {
        for (size_t i = 0; i < v.n && !w->d.rc; i++)
            for (int s3 = 0; s3 < 2; s3++) {
                bool reps, where_used;
                uint64_t land;
                if ((s3 ? what_s3 : what_ddb) &&
                    alt_broad(w, &v.v[i], s3, &reps, &land, &where_used))
                    add_grant(w,
                              (grant){.s3 = s3,
                                      .reps = reps,
                                      .land = land,
                                      .where_used = where_used,
                                      .allowed = allowed,
                                      .what = s3 ? what_s3 : what_ddb},
                              n);
            }
    }
    bool every = !name_candidates(w, ref, &v, !is_deny);
    size_t ncand = every ? w->ntargets : w->ncand;
    for (size_t ti = 0; ti < ncand && !w->d.rc; ti++) {
        rl_ds_store *s = w->targets[every ? ti : w->cand[ti]];
        store_priv *p = (store_priv *)s;
        bool s3 = is_s3(s);
        const char *what = s3 ? what_s3 : what_ddb;
        if (!what)
            continue;
        for (size_t i = 0; i < nalt; i++) {
            uint64_t land = 0;
            bool where_used = false, hit = false, broad = false;
            if (ref) {
                for (size_t k = 0; k < p->nreps && !hit; k++)
                    if (rep_is(&w->d, &p->reps[k], ref)) {
                        hit = true;
                        land = ds_bit_of(w->d.m, ref->stack->region); /* the ARN of that copy */
                    }
            } else {
                const alt *a = &v.v[i];
                rl_arn arn;
                if (a->complete && a->len == 1 && a->s[0] == '*') {
                    hit = broad = true;
                    if (s3)
                        for (size_t k = 0; k < p->nreps; k++)
                            land |= ds_bit_of(w->d.m, p->reps[k].region);
                    else
                        where_used = true;
                } else if (a->s[0] == UNK && a->nvias && rl_ref_via(w->st, a->vias[0]) &&
                           (a->len == 1 || a->s[1] == '/')) {
                    /* ${Bucket.Arn}/..., ${Table.Arn}: the ARN of a resource (its copy in the
                     * region of the stack that defines it) */
                    const rl_resource *named = rl_ref_via(w->st, a->vias[0]);
                    for (size_t k = 0; k < p->nreps && !hit; k++)
                        if (rep_is(&w->d, &p->reps[k], named)) {
                            hit = true;
                            land = ds_bit_of(w->d.m, s3 ? p->reps[k].region : named->stack->region);
                        }
                } else if (rl_arn_parse(a->s, a->len, &arn)) {
                    const char *res;
                    size_t nl;
                    if (!arn_store_name(&arn, s3, &res, &nl))
                        continue;
                    const rl_resource *named = NULL;
                    if (nl == 1 && res[0] == UNK) {
                        /* the only unknown piece of the name: which resource it comes from */
                        size_t before = 0;
                        for (const char *c = a->s; c < res; c++)
                            before += *c == UNK;
                        const char *via = before < a->nvias ? a->vias[before] : NULL;
                        named = via ? rl_ref_via(w->st, via) : NULL;
                        if (!named)
                            continue; /* a parameter without a value: not evidence */
                    } else if (memchr(res, UNK, nl)) {
                        continue;
                    }
                    char name[256];
                    if (!named) {
                        if (nl >= sizeof(name))
                            continue;
                        memcpy(name, res, nl);
                        name[nl] = '\0';
                    }
                    /* a name pattern of wildcards only names no table in particular */
                    bool any = !named && strspn(name, "*") == strlen(name);
                    for (size_t k = 0; k < p->nreps; k++) {
                        const replica *rep = &p->reps[k];
                        bool m = named ? rep_is(&w->d, rep, named)
                                       : rep->name && rl_wildcard_match(name, rep->name, false);
                        if (!m && !any)
                            continue;
                        hit = true;
                        broad = broad || any;
                        if (s3) {
                            land |= ds_bit_of(w->d.m, rep->region);
                            continue;
                        }
                        /* the table's region field: a literal, or any */
                        uint64_t bit;
                        if (arn_region_bit(w->d.m, &arn, &bit))
                            land |= bit;
                        else
                            where_used = true;
                    }
                }
            }
            if (!hit || (broad && !is_deny))
                continue; /* a grant on every store: broad_grants() keeps it once */
            if (is_deny) {
                deny *dn = rl_arena_calloc(w->d.a, 1, sizeof(*dn));
                if (!dn) {
                    w->d.rc = RL_ENOMEM;
                    return;
                }
                dn->s = s;
                dn->regions = deny_regions;
                dn->next = w->h->denies;
                w->h->denies = dn;
            } else {
                add_grant(w,
                          (grant){.s = s,
                                  .land = land,
                                  .where_used = where_used,
                                  .allowed = allowed,
                                  .what = what},
                          n);
            }
        }
    }
}

/* The statements of a document, compiled by the policy evaluator; a NotResource grants
 * everything but its list, read as `*`. */
static void scan_statements(wctx *w)
{
    const rl_policy *pol = rl_mpolicy_policy(w->mp);
    for (size_t i = 0; pol && i < rl_policy_count(pol) && !w->d.rc; i++) {
        const rl_statement *st = rl_policy_statement(pol, i);
        if (!st->nactions && !st->not_action)
            continue;
        uint64_t regions = requested_regions(w, st);
        /* a Deny under some other condition may not apply: not counted */
        bool only_region = true;
        for (size_t c = 0; c < st->nconds && only_region; c++)
            only_region = !strcasecmp(st->conds[c].key, "aws:RequestedRegion");
        if (st->deny && !only_region)
            continue;
        const rl_node *res = st->not_resource ? NULL : rl_node_get(st->node, "Resource");
        if (st->not_resource) {
            static const rl_node star = {
                .kind = RL_NODE_SCALAR, .type = RL_SCALAR_STRING, .u.s = {.len = 1, .str = "*"}};
            res = &star;
        }
        for (size_t r = 0; r < ds_items(res) && !w->d.rc; r++)
            match_resource(w, ds_item(res, r), st, regions, st->deny, regions);
    }
}

/* A policy document, read by the model's one reader (rl_mpolicy). */
static void scan_policy(wctx *w, rl_doc *doc, const rl_node *n)
{
    const rl_mpolicy *mp = NULL;
    int rc = rl_model_policy_compile((rl_model *)w->d.m, w->st, doc, n, &mp);
    if (rc < 0) {
        w->d.rc = rc;
        return;
    }
    const rl_stack *saved = w->st;
    w->mp = mp;
    w->doc = doc;
    w->st = rl_mpolicy_stack(mp); /* a Terraform policy document: its own file */
    scan_statements(w);
    w->st = saved;
    w->mp = NULL;
}

/* AWS managed policies that grant writes on every table or bucket. */
static void managed_by_name(wctx *w, const char *name, const rl_node *at)
{
    static const struct {
        const char *name;
        bool ddb, s3;
    } known[] = {{"AdministratorAccess", 1, 1},
                 {"PowerUserAccess", 1, 1},
                 {"AmazonDynamoDBFullAccess", 1, 0},
                 {"AmazonDynamoDBFullAccess_v2", 1, 0},
                 {"AmazonS3FullAccess", 0, 1}};
    const char *slash = name ? strrchr(name, '/') : NULL;
    const char *base = slash ? slash + 1 : name;
    for (size_t i = 0; base && i < sizeof(known) / sizeof(*known); i++) {
        if (strcmp(base, known[i].name))
            continue;
        /* every bucket where it is, every table where the role is used */
        if (known[i].ddb)
            add_grant(w, (grant){.where_used = true, .allowed = w->all, .what = known[i].name}, at);
        if (known[i].s3)
            add_grant(
                w, (grant){.s3 = true, .reps = true, .allowed = w->all, .what = known[i].name}, at);
    }
}

static const char *holder_label(wctx *w, const char *prefix, const char *name)
{
    char *l = rl_arena_printf(w->d.a, "%s%s", prefix, name);
    if (!l)
        w->d.rc = RL_ENOMEM;
    return l;
}

static void read_role(wctx *w, const rl_resource *r)
{
    const rl_role_ref *ref = rl_iam_created_role(w->d.m, r);
    if (!ref) {
        w->d.rc = RL_ENOMEM;
        return;
    }
    holder *h = holder_get(w, ref->key, holder_label(w, "role ", ref->name));
    if (!h)
        return;
    h->used |= ds_bit_of(w->d.m, r->stack->region);
    w->h = h;
    w->st = r->stack;
    bool tf = ds_is_tf(r->stack);
    const rl_node *pols = rl_node_get(r->props, tf ? "inline_policy" : "Policies");
    for (size_t i = 0; i < ds_items(pols) && !w->d.rc; i++)
        scan_policy(w, r->stack->input->doc,
                    rl_node_get(ds_item(pols, i), tf ? "policy" : "PolicyDocument"));
    const rl_node *arns = rl_node_get(r->props, tf ? "managed_policy_arns" : "ManagedPolicyArns");
    for (size_t i = 0; i < ds_items(arns) && !w->d.rc; i++) {
        const rl_node *a = ds_item(arns, i);
        const rl_resource *mp = ds_ref_of(&w->d, r->stack, a);
        if (mp &&
            (!strcmp(mp->type, "AWS::IAM::ManagedPolicy") || !strcmp(mp->type, "aws_iam_policy"))) {
            w->st = mp->stack;
            scan_policy(w, mp->stack->input->doc,
                        rl_node_get(mp->props, tf ? "policy" : "PolicyDocument"));
            w->st = r->stack;
            continue;
        }
        const char *arn = ds_str_of(&w->d, r->stack, a);
        const rl_iam_policy *pol = arn ? rl_iam_policy_find(w->d.m, arn) : NULL;
        if (pol) {
            const rl_stack *keep = w->st;
            w->st = NULL;
            scan_policy(w, pol->input->doc, pol->doc);
            w->st = keep;
        } else {
            managed_by_name(w, arn, a);
        }
    }
}

static int on_role(void *ctx, const rl_role_ref *ref)
{
    attach_ctx *a = ctx;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->keys[i], ref->key))
            return 0;
    if (a->n < 8) {
        a->keys[a->n] = ref->key;
        a->names[a->n++] = ref->name;
    }
    return 0;
}

/* A policy attached to roles by name or reference (AWS::IAM::Policy, ManagedPolicy, RolePolicy,
 * aws_iam_role_policy, aws_iam_role_policy_attachment). */
static void read_attached(wctx *w, const rl_resource *r, const rl_node *roles,
                          const rl_resource *pol, const char *doc_prop)
{
    attach_ctx a = {w, {NULL}, {NULL}, 0};
    int rc = rl_iam_resolve(w->d.m, r->stack, roles, true, on_role, &a);
    if (rc < 0) {
        w->d.rc = rc;
        return;
    }
    for (size_t i = 0; i < a.n && !w->d.rc; i++) {
        holder *h = holder_get(w, a.keys[i], holder_label(w, "role ", a.names[i]));
        if (!h)
            return;
        h->used |= ds_bit_of(w->d.m, r->stack->region);
        w->h = h;
        w->st = pol->stack;
        scan_policy(w, pol->stack->input->doc, rl_node_get(pol->props, doc_prop));
    }
}

/* SAM: a function without a Role gets one generated from its Policies, in its own region. */
static void read_sam(wctx *w, const rl_resource *r)
{
    if (rl_node_get(r->props, "Role"))
        return;
    char key[128];
    snprintf(key, sizeof(key), "@sam:%p", (const void *)r);
    holder *h = holder_get(w, key, holder_label(w, "the role SAM generates for ", r->id));
    if (!h)
        return;
    h->used |= ds_bit_of(w->d.m, r->stack->region);
    w->h = h;
    w->st = r->stack;
    const rl_node *pols = rl_node_get(r->props, "Policies");
    for (size_t i = 0; i < ds_items(pols) && !w->d.rc; i++) {
        const rl_node *it = ds_item(pols, i);
        if (rl_node_is_scalar(it)) {
            managed_by_name(w, rl_node_str(it), it);
            continue;
        }
        if (rl_node_get(it, "Statement")) {
            scan_policy(w, r->stack->input->doc, it);
            continue;
        }
        /* policy templates that write: {DynamoDBCrudPolicy: {TableName: X}}, ... */
        static const struct {
            const char *name, *param;
            bool s3;
        } tpl[] = {{"DynamoDBCrudPolicy", "TableName", false},
                   {"DynamoDBWritePolicy", "TableName", false},
                   {"S3CrudPolicy", "BucketName", true},
                   {"S3WritePolicy", "BucketName", true},
                   {"S3FullAccessPolicy", "BucketName", true}};
        for (size_t k = 0; k < sizeof(tpl) / sizeof(*tpl); k++) {
            const rl_node *arg = rl_node_get(rl_node_get(it, tpl[k].name), tpl[k].param);
            if (!arg)
                continue;
            const rl_resource *ref = ds_ref_of(&w->d, r->stack, arg);
            const char *name = ref ? NULL : ds_str_of(&w->d, r->stack, arg);
            for (size_t t = 0; t < w->ntargets; t++) {
                rl_ds_store *s = w->targets[t];
                store_priv *p = (store_priv *)s;
                if (is_s3(s) != tpl[k].s3)
                    continue;
                for (size_t q = 0; q < p->nreps; q++) {
                    const replica *rep = &p->reps[q];
                    if (!(ref ? rep_is(&w->d, rep, ref)
                              : name && rep->name && !strcmp(name, rep->name)))
                        continue;
                    add_grant(w,
                              (grant){.s = s,
                                      .land = tpl[k].s3 ? ds_bit_of(w->d.m, rep->region) : 0,
                                      .where_used = !tpl[k].s3,
                                      .allowed = w->all,
                                      .what = tpl[k].name},
                              arg);
                    break;
                }
            }
        }
    }
}

static void read_exports(wctx *w)
{
    size_t n;
    const rl_iam_role *const *roles = rl_iam_roles(w->d.m, &n);
    for (size_t i = 0; i < n && !w->d.rc; i++) {
        const rl_iam_role *role = roles[i];
        if (role->service_linked)
            continue;
        char key[256];
        size_t kl = strlen(role->name);
        if (kl >= sizeof(key))
            continue;
        for (size_t j = 0; j <= kl; j++)
            key[j] = (char)tolower((unsigned char)role->name[j]);
        holder *h = holder_get(w, key, holder_label(w, "role ", role->name));
        if (!h)
            return;
        h->used |= ds_bit_of(w->d.m, role->last_used_region);
        w->h = h;
        w->st = NULL;
        const rl_node *inl = role->inline_policies;
        for (size_t j = 0; j < rl_node_count(inl) && !w->d.rc; j++)
            scan_policy(w, role->inline_in->doc, rl_node_get(rl_node_at(inl, j), "PolicyDocument"));
        const rl_node *att = role->attached;
        for (size_t j = 0; j < rl_node_count(att) && !w->d.rc; j++) {
            const rl_node *at = rl_node_is_seq(att) ? rl_node_at(att, j) : att;
            const char *parn = rl_node_str(rl_node_get(at, "PolicyArn"));
            const rl_iam_policy *pol = rl_iam_policy_find(w->d.m, parn);
            if (pol)
                scan_policy(w, pol->input->doc, pol->doc);
            else
                managed_by_name(w, parn, at);
            if (!rl_node_is_seq(att))
                break;
        }
    }
}

static void read_policies(wctx *w)
{
    const rl_model *m = w->d.m;
    for (size_t i = 0; i < m->nstacks && !w->d.rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!ds_in_pair(m, st))
            continue;
        for (size_t j = 0; j < st->nresources && !w->d.rc; j++) {
            const rl_resource *r = &st->resources[j];
            const char *t = r->type ? r->type : "";
            /* writers that exist in one region only by design (Condition) do not count */
            if (r->deployed != 1)
                continue;
            if (!strcmp(t, "AWS::IAM::Role") || !strcmp(t, "aws_iam_role"))
                read_role(w, r);
            else if (!strcmp(t, "AWS::IAM::Policy") || !strcmp(t, "AWS::IAM::ManagedPolicy"))
                read_attached(w, r, rl_node_get(r->props, "Roles"), r, "PolicyDocument");
            else if (!strcmp(t, "AWS::IAM::RolePolicy"))
                read_attached(w, r, rl_node_get(r->props, "RoleName"), r, "PolicyDocument");
            else if (!strcmp(t, "aws_iam_role_policy"))
                read_attached(w, r, rl_node_get(r->props, "role"), r, "policy");
            else if (!strcmp(t, "aws_iam_role_policy_attachment")) {
                const rl_resource *pol = ds_ref_of(&w->d, st, rl_node_get(r->props, "policy_arn"));
                if (pol && !strcmp(pol->type, "aws_iam_policy"))
                    read_attached(w, r, rl_node_get(r->props, "role"), pol, "policy");
            } else if (!strcmp(t, "AWS::Serverless::Function"))
                read_sam(w, r);
        }
    }
    read_exports(w);
}

/* ---- writers by name: functions whose permissions the files do not show -- */

static uint64_t landing(const holder *h, const grant *g, uint64_t used);
static void add_writers(wctx *w, rl_ds_store *s, uint64_t land, const char *label, const char *file,
                        const rl_span *span);

/* A function whose environment names a writable replica writes it when its permissions are not
 * in the files, or when one of its roles may write every table or bucket (`*`). */
static void name_writer(wctx *w, const rl_resource *fn, const naming *nm, const rl_node *val)
{
    const rl_resource *ref = ds_ref_of(&w->d, fn->stack, val);
    alts v;
    if (!ref && ds_eval(&w->d, fn->stack, val, &v) < 0)
        return;
    uint64_t here = ds_bit_of(w->d.m, fn->stack->region);
    /* the targets the value can name: the same cases as the loop below, through the indexes */
    bool every = false;
    w->ncand = 0;
    if (ref)
        every = !mark_resource(w, ref);
    for (size_t i = 0; !ref && i < v.n; i++) {
        const alt *a = &v.v[i];
        if (!a->complete)
            continue;
        mark_name(w, a->s, strlen(a->s));
        for (int s3 = 0; s3 < 2; s3++) {
            const char *reg;
            const char *an =
                ds_arn_name(&w->d, a, s3 ? "s3" : "dynamodb", s3 ? "" : "table/", false, &reg);
            if (an)
                mark_name(w, an, strlen(an));
        }
    }
    every = !end_candidates(w, !every);
    size_t ncand = every ? w->ntargets : w->ncand;
    for (size_t ti = 0; ti < ncand && !w->d.rc; ti++) {
        rl_ds_store *s = w->targets[every ? ti : w->cand[ti]];
        store_priv *p = (store_priv *)s;
        for (size_t k = 0; k < p->nreps; k++) {
            const replica *rep = &p->reps[k];
            bool hit = ref ? rep_is(&w->d, rep, ref) : false;
            for (size_t i = 0; !ref && i < v.n && !hit; i++) {
                const alt *a = &v.v[i];
                if (!a->complete || !rep->name)
                    continue;
                const char *reg;
                const char *an = ds_arn_name(&w->d, a, is_s3(s) ? "s3" : "dynamodb",
                                             is_s3(s) ? "" : "table/", false, &reg);
                hit = !strcmp(a->s, rep->name) || (an && !strcmp(an, rep->name));
            }
            if (!hit)
                continue;
            /* a bucket is written where it is; a table in the function's own region */
            uint64_t where = is_s3(s) ? ds_bit_of(w->d.m, rep->region) : here;
            if (!nm->known) {
                add_writers(w, s, where & s->replicas,
                            rl_arena_printf(w->d.a,
                                            "%s (%s) names it, and its permissions are not in "
                                            "the files",
                                            fn->id, fn->type),
                            rl_doc_path(fn->stack->input->doc), &val->span);
                break;
            }
            for (const key_node *kn = nm->keys; kn && !w->d.rc; kn = kn->next) {
                const holder *h = rl_hmap_gets(&w->holders, kn->key);
                for (const grant *b = h ? h->broad : NULL; b && !w->d.rc; b = b->next) {
                    if (b->s3 != is_s3(s))
                        continue;
                    grant g = *b; /* this store's share of it */
                    g.s = s;
                    for (size_t q = 0; b->reps && q < p->nreps; q++)
                        g.land |= ds_bit_of(w->d.m, p->reps[q].region);
                    add_writers(w, s, landing(h, &g, here),
                                rl_arena_printf(w->d.a,
                                                "%s (%s) names it, and %s is granted %s on "
                                                "every %s",
                                                fn->id, fn->type, h->label ? h->label : h->key,
                                                b->what, is_s3(s) ? "bucket" : "table"),
                                rl_doc_path(fn->stack->input->doc), &val->span);
                }
            }
            break;
        }
    }
}

static void on_env(ds *d, const rl_resource *r, const rl_node *n, const char *path, void *ctx)
{
    wctx *w = (wctx *)d; /* d is the first member of wctx */
    (void)path;
    if (rl_node_is_map(n)) {
        for (size_t i = 0; i < n->u.map.count; i++)
            name_writer(w, r, ctx, n->u.map.items[i].value);
        return;
    }
    name_writer(w, r, ctx, n);
}

/* Does a function show its permissions? A SAM function without a Role does; otherwise one of
 * the roles it uses must be a role whose policies were read. */
static bool permissions_known(wctx *w, const rl_resource *fn, const key_node *keys)
{
    if (!strcmp(fn->type, "AWS::Serverless::Function") && !rl_node_get(fn->props, "Role"))
        return true;
    for (; keys; keys = keys->next)
        if (rl_hmap_gets(&w->holders, keys->key))
            return true;
    return false;
}

static void read_names(wctx *w)
{
    const rl_model *m = w->d.m;
    rl_role_use *const *uses;
    size_t nuses;
    if ((w->d.rc = rl_iam_uses(m, &uses, &nuses)) < 0)
        return;
    /* the roles of each resource, indexed once */
    rl_hmap fn_keys = RL_HMAP_INIT;
    for (size_t i = 0; i < nuses && !w->d.rc; i++) {
        if (!uses[i]->res || uses[i]->attach)
            continue;
        key_node *k = rl_arena_calloc(w->d.a, 1, sizeof(*k));
        if (!k) {
            w->d.rc = RL_ENOMEM;
            break;
        }
        k->key = uses[i]->key;
        void **slot = rl_hmap_slot(&fn_keys, uses[i]->res, RL_HMAP_PTR);
        if (slot) {
            k->next = *slot;
            *slot = k;
        } else if (rl_hmap_put(&fn_keys, uses[i]->res, RL_HMAP_PTR, k) < 0) {
            w->d.rc = RL_ENOMEM;
        }
    }
    for (size_t i = 0; i < m->nstacks && !w->d.rc; i++) {
        const rl_stack *st = m->stacks[i];
        if (!ds_in_pair(m, st))
            continue;
        for (size_t j = 0; j < st->nresources && !w->d.rc; j++) {
            const rl_resource *r = &st->resources[j];
            const char *t = r->type ? r->type : "";
            const char *env =
                !strcmp(t, "AWS::Lambda::Function") || !strcmp(t, "AWS::Serverless::Function")
                    ? "Environment.Variables"
                : !strcmp(t, "aws_lambda_function") ? "environment[].variables"
                : !strcmp(t, "AWS::ECS::TaskDefinition")
                    ? "ContainerDefinitions[].Environment[].Value"
                    : NULL;
            if (!env || r->deployed != 1)
                continue;
            /* the roles it uses; a SAM function without a Role has the one SAM generates */
            key_node sam = {NULL, rl_hmap_get(&fn_keys, r, RL_HMAP_PTR)};
            char samkey[64];
            naming nm = {sam.next, false};
            if (!strcmp(t, "AWS::Serverless::Function") && !rl_node_get(r->props, "Role")) {
                snprintf(samkey, sizeof(samkey), "@sam:%p", (const void *)r);
                sam.key = samkey;
                nm.keys = &sam;
            }
            nm.known = permissions_known(w, r, nm.keys);
            ds_each_at(&w->d, r, r->props, env, "", on_env, &nm);
        }
    }
    rl_hmap_free(&fn_keys);
}

/* ---- the writers of each store -- */

/* The replicas a grant's writes land in when the role is used in `used`. */
static uint64_t landing(const holder *h, const grant *g, uint64_t used)
{
    uint64_t land = ((g->where_used ? used : 0) | g->land) & g->allowed & g->s->replicas;
    for (const deny *dn = h->denies; dn; dn = dn->next)
        if (!dn->s || dn->s == g->s)
            land &= ~dn->regions;
    return land;
}

/* Is there room for another writer of `s` in region `i` at `file`/`span`? A store keeps at
 * most RL_DS_WRITERS_KEPT writers per region, each at a different place, and one without a
 * place: the rules need the regions and a few places to show, and 10,000 roles granted
 * `table/app-*` must not make 10,000 writers of every table. */
static bool writer_room(const wctx *w, const rl_ds_store *s, size_t i, const char *file,
                        const rl_span *span)
{
    size_t n = 0;
    for (const rl_ds_writer *v = s->writers; v; v = v->next) {
        if (v->region != w->d.m->regions[i])
            continue;
        if (!file || !v->file)
            if (!file && !v->file)
                return false;
        if (file && v->file && !strcmp(v->file, file) && v->span.start.line == span->start.line &&
            v->span.start.column == span->start.column)
            return false;
        if (file && v->file && ++n >= RL_DS_WRITERS_KEPT)
            return false;
    }
    return true;
}

/* Does any region of `land` still have room for a writer at `file`/`span`? */
static bool writers_room(const wctx *w, const rl_ds_store *s, uint64_t land, const char *file,
                         const rl_span *span)
{
    for (size_t i = 0; i < w->d.m->nregions && i < 64; i++)
        if ((land >> i & 1) && writer_room(w, s, i, file, span))
            return true;
    return false;
}

static void add_writers(wctx *w, rl_ds_store *s, uint64_t land, const char *label, const char *file,
                        const rl_span *span)
{
    for (size_t i = 0; i < w->d.m->nregions && i < 64 && !w->d.rc; i++) {
        if (!(land >> i & 1) || !writer_room(w, s, i, file, span))
            continue;
        rl_ds_writer *wr = rl_arena_calloc(w->d.a, 1, sizeof(*wr));
        if (!wr || !label) {
            w->d.rc = RL_ENOMEM;
            return;
        }
        wr->region = w->d.m->regions[i];
        wr->label = label;
        wr->file = file;
        wr->span = *span;
        wr->next = s->writers;
        s->writers = wr;
    }
}

/* Grants that name the store write it wherever the role is used. */
static void settle(wctx *w)
{
    for (const holder *h = w->list; h && !w->d.rc; h = h->next)
        for (const grant *g = h->grants; g && !w->d.rc; g = g->next) {
            uint64_t land = landing(h, g, h->used);
            if (writers_room(w, g->s, land, g->file, &g->span))
                add_writers(w, g->s, land,
                            rl_arena_printf(w->d.a, "%s granted to %s", g->what,
                                            h->label ? h->label : h->key),
                            g->file, &g->span);
        }
}

/* Writers in insertion order read better (policies before names, templates in input order). */
static void reverse_writers(rl_ds_store *s)
{
    rl_ds_writer *prev = NULL, *cur = s->writers;
    while (cur) {
        rl_ds_writer *next = cur->next;
        cur->next = prev;
        prev = cur;
        cur = next;
    }
    s->writers = prev;
}

/* Adds target `t` to the list of `key` (kept by the caller) in `map`, once. */
static int index_target(wctx *w, rl_hmap *map, const void *key, size_t kl, size_t t)
{
    void **slot = rl_hmap_slot(map, key, kl);
    tname *head = slot ? *slot : NULL;
    if (head && head->t == t)
        return RL_OK; /* two copies of one name in a store */
    tname *tn = rl_arena_calloc(w->d.a, 1, sizeof(*tn));
    if (!tn)
        return RL_ENOMEM;
    tn->t = t;
    tn->next = head;
    if (slot)
        *slot = tn;
    else if (rl_hmap_put(map, key, kl, tn) < 0)
        return RL_ENOMEM;
    return RL_OK;
}

int rl_ds_writers_build(rl_model *m)
{
    rl_ds_store *const *stores;
    size_t n;
    int rc = rl_ds_build(m);
    if (rc == RL_OK)
        rc = rl_ds_stores(m, &stores, &n);
    if (rc < 0)
        return rc;
    rl_ds_db *db = m->priv->data;
    if (db->writers_done)
        return db->writers_rc;
    db->writers_done = true;
    wctx w;
    memset(&w, 0, sizeof(w));
    w.d = (ds){m, db, db->a, RL_OK};
    for (size_t i = 0; i < m->nregions && i < 64; i++)
        w.all |= (uint64_t)1 << i;
    w.targets = calloc(n + 1, sizeof(*w.targets));
    if (!w.targets)
        return db->writers_rc = RL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (stores[i]->lww && ((store_priv *)stores[i])->nreps)
            w.targets[w.ntargets++] = stores[i];
    w.mark = calloc(w.ntargets + 1, 1);
    w.cand = calloc(w.ntargets + 1, sizeof(*w.cand));
    if (!w.mark || !w.cand)
        w.d.rc = RL_ENOMEM;
    for (size_t t = 0; t < w.ntargets && !w.d.rc; t++) {
        const store_priv *p = (const store_priv *)w.targets[t];
        for (size_t k = 0; k < p->nreps && !w.d.rc; k++) {
            const char *name = p->reps[k].name;
            if (name)
                w.d.rc = index_target(&w, &w.by_name, name, strlen(name), t);
            char key[RES_KEY_MAX];
            size_t kl = p->reps[k].res ? same_res_key(p->reps[k].res, key, sizeof(key)) : 0;
            if (p->reps[k].res && !kl)
                w.res_unindexed = true;
            char *kept = kl ? rl_arena_alloc(w.d.a, kl) : NULL;
            if (kl && !kept)
                w.d.rc = RL_ENOMEM;
            else if (kl && !w.d.rc)
                w.d.rc = index_target(&w, &w.by_res, memcpy(kept, key, kl), kl, t);
        }
    }
    if (w.ntargets && !w.d.rc) {
        rl_role_use *const *uses;
        size_t nu;
        w.d.rc = rl_iam_uses(m, &uses, &nu);
        if (!w.d.rc)
            read_policies(&w);
        if (!w.d.rc)
            settle(&w);
        if (!w.d.rc)
            read_names(&w);
        for (size_t i = 0; i < w.ntargets; i++) {
            reverse_writers(w.targets[i]);
            w.targets[i]->writers_done = true;
        }
    }
    rl_hmap_free(&w.holders);
    rl_hmap_free(&w.by_name);
    rl_hmap_free(&w.by_res);
    free(w.mark);
    free(w.cand);
    free(w.targets);
    return db->writers_rc = w.d.rc;
}
