/* RL505: Fn::ImportValue of an export that only another region's stack defines, and
 * Fn::GetStackOutput that reads another region. Exports come from the templates of each
 * region (Outputs.*.Export.Name, evaluated per instance) and describe-stacks snapshots. */
#include <regionlint/eval.h>

#include "checks.h"

#include <string.h>

typedef struct imp {
    rl_rule_ctx *ctx;
    const rl_model *m;
    const rl_stack *st;
    const rl_resource *res;
    const rl_walk *w; /* where the leaf being searched is */
    int rc;
} imp;

static void import_value(imp *x, const rl_node *call, const rl_node *arg)
{
    const rl_stack *st = x->st;
    const char *name = rl_eval_string(st, arg);
    if (!name || rl_model_exports(x->m, st->region, name) ||
        !rl_model_exported_anywhere(x->m, name))
        return;
    for (size_t i = 0; i < x->m->nregions; i++) {
        const char *r = x->m->regions[i];
        if (!strcmp(r, st->region))
            continue;
        const rl_export *e = rl_model_exports(x->m, r, name);
        if (!e)
            continue;
        const char *file = rl_doc_path(st->input->doc);
        rl_finding *f =
            rl_emit(x->ctx, RL_LEVEL_NONE, file, &call->span, rl_walk_path(x->w), st->region, r,
                    "%s (%s) in %s imports '%s', which only a stack in %s exports: "
                    "Fn::ImportValue cannot read another region",
                    x->res ? x->res->id : "an output", x->res ? x->res->type : "Outputs",
                    st->region, name, r);
        if (f)
            rl_emit_related(x->ctx, f, e->input->path, &e->node->span, "exported here in %s", r);
        return;
    }
}

static void get_stack_output(imp *x, const rl_node *call, const rl_node *arg)
{
    const rl_node *rn = rl_node_get(arg, "Region");
    if (!rn)
        return; /* no Region: the stack's own region */
    const char *region = rl_eval_string(x->st, rn);
    if (!region || !strcmp(region, x->st->region) || !rl_is_region(region, strlen(region)))
        return;
    const char *stack = rl_eval_string(x->st, rl_node_get(arg, "StackName"));
    const char *out = rl_eval_string(x->st, rl_node_get(arg, "OutputName"));
    rl_emit(x->ctx, RL_LEVEL_NONE, rl_doc_path(x->st->input->doc), &rn->span, rl_walk_path(x->w),
            x->st->region, region,
            "%s (%s) in %s reads output %s of stack %s in %s with Fn::GetStackOutput: the "
            "deploy depends on %s being up",
            x->res ? x->res->id : "an output", x->res ? x->res->type : "Outputs", x->st->region,
            out ? out : "?", stack ? stack : "?", region, region);
    (void)call;
}

/* Finds import calls anywhere inside a value (they may sit inside Fn::Join or Fn::Sub); a
 * finding names the leaf's path. */
static void search(imp *x, const rl_node *n, unsigned depth)
{
    const char *fn;
    const rl_node *arg;
    if (!n || depth > 64)
        return;
    if (rl_node_intrinsic(n, &fn, &arg)) {
        if (!strcmp(fn, "Fn::ImportValue")) {
            import_value(x, n, arg);
            return;
        }
        if (!strcmp(fn, "Fn::GetStackOutput")) {
            get_stack_output(x, n, arg);
            return;
        }
        if (!strcmp(fn, "Fn::If")) {
            const char *c = rl_node_str(rl_node_at(arg, 0));
            int v = c ? rl_eval_condition(x->st, c) : -1;
            if (v != 0)
                search(x, rl_node_at(arg, 1), depth + 1);
            if (v != 1)
                search(x, rl_node_at(arg, 2), depth + 1);
            return;
        }
    }
    if (rl_node_is_seq(n))
        for (size_t i = 0; i < n->u.seq.count; i++)
            search(x, n->u.seq.items[i], depth + 1);
    else if (rl_node_is_map(n))
        for (size_t i = 0; i < n->u.map.count; i++)
            search(x, n->u.map.items[i].value, depth + 1);
}

/* True when s[0, len) contains `word` (memmem is not in C11/POSIX). */
static bool contains(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    const char *end = s + len;
    for (const char *p = s;
         (size_t)(end - p) >= n && (p = memchr(p, word[0], (size_t)(end - p) - n + 1)); p++)
        if (!memcmp(p, word, n))
            return true;
    return false;
}

/* Whether a template can hold an import at all. A key Fn::ImportValue or
 * Fn::GetStackOutput (or the tags !ImportValue, !GetStackOutput) is in the text as it is,
 * unless an escape spells it ("Fn::Import\u0056alue"), which needs a backslash. Most
 * templates import nothing: their resources are not walked. */
static bool may_import(const rl_stack *st)
{
    size_t len;
    const char *text = rl_source_data(rl_doc_source(st->input->doc), &len);
    return contains(text, len, "ImportValue") || contains(text, len, "GetStackOutput") ||
           memchr(text, '\\', len) != NULL;
}

static int on_leaf(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w)
{
    imp *x = ctx;
    x->res = res;
    x->w = w;
    search(x, leaf, 0);
    return x->rc;
}

int rl_check_imports(rl_rule_ctx *ctx)
{
    imp x = {ctx, rl_ctx_model(ctx), NULL, NULL, NULL, RL_OK};
    for (size_t i = 0; i < x.m->nstacks && x.rc == RL_OK; i++) {
        const rl_stack *st = x.m->stacks[i];
        if (st->source != RL_STACK_CFN || !st->region || !rl_model_in_pair(x.m, st->region) ||
            !may_import(st))
            continue;
        x.st = st;
        for (size_t j = 0; j < st->nresources && x.rc == RL_OK; j++) {
            if (st->resources[j].deployed == 0)
                continue;
            int rc = rl_walk_resource(&st->resources[j], on_leaf, &x);
            if (rc < 0)
                return rc;
        }
    }
    return x.rc;
}
