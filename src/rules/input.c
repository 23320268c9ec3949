/* The input family: RL001 (a file cannot be read or parsed, at the error's position),
 * RL002 (AWS-looking data of unknown kind or region) and RL003 (duplicate keys). */
#include <regionlint/model.h>

#include "checks.h"

#include <string.h>

static rl_span point(unsigned line, unsigned column)
{
    rl_span sp;
    memset(&sp, 0, sizeof(sp));
    sp.start.line = sp.end.line = line;
    sp.start.column = column;
    sp.end.column = column ? column + 1 : 0;
    return sp;
}

/* Terraform resources whose region the files do not give (the provider's region comes from
 * the environment or a profile): never a silent pass. Once per file, at its first such
 * resource. */
static void unplaced_terraform(rl_rule_ctx *ctx, const rl_model *m)
{
    for (size_t i = 0; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        if (st->source == RL_STACK_CFN || st->region || !st->nresources)
            continue;
        bool seen = false; /* a stack of the same file reported already */
        for (size_t j = 0; j < i && !seen; j++)
            seen = m->stacks[j]->input == st->input && !m->stacks[j]->region &&
                   m->stacks[j]->source != RL_STACK_CFN && m->stacks[j]->nresources;
        if (seen)
            continue;
        const rl_resource *r = &st->resources[0];
        const rl_node *at = r->node ? r->node : rl_doc_root(st->input->doc);
        rl_emit_as(ctx, RL_ID(RL002), RL_LEVEL_NONE, st->input->path, at ? &at->span : NULL,
                   r->path, NULL, NULL,
                   "the region of %s and %zu more Terraform resource%s cannot be determined (the "
                   "provider's region is not in the file: it comes from the environment or a "
                   "profile): map the file under `inputs:` in the config, or put it under a "
                   "folder named after its region; they are not linted",
                   r->id, st->nresources - 1, st->nresources == 2 ? "" : "s");
    }
}

int rl_check_input(rl_rule_ctx *ctx)
{
    const rl_model *m = rl_ctx_model(ctx);
    bool on1 = rl_ctx_enabled(ctx, RL_ID(RL001)), on2 = rl_ctx_enabled(ctx, RL_ID(RL002)),
         on3 = rl_ctx_enabled(ctx, RL_ID(RL003));
    for (size_t i = 0; i < rl_inputs_count(m->inputs); i++) {
        const rl_input *in = rl_inputs_at(m->inputs, i);
        if (in->error.code) {
            if (!on1)
                continue;
            rl_span sp = point(in->error.line, in->error.column);
            const char *what = in->error.code == RL_ELIMIT   ? "input rejected"
                               : in->error.code == RL_EPARSE ? "parse error"
                                                             : "cannot read the file";
            rl_emit_as(ctx, RL_ID(RL001), RL_LEVEL_NONE, in->path, in->error.line ? &sp : NULL, "",
                       NULL, NULL, "%s: %s", what, in->error.message);
            continue;
        }
        if (!in->doc)
            continue;
        const rl_node *root = rl_doc_root(in->doc);
        rl_span at = root ? root->span : point(1, 1);
        if (on2 && in->kind == RL_INPUT_UNKNOWN && in->subkind &&
            !strcmp(in->subkind, "policy-document")) {
            rl_emit_as(ctx, RL_ID(RL002), RL_LEVEL_NONE, in->path, &at, "", NULL, NULL,
                       "cannot tell whether this policy document is an SCP: put it under a "
                       "folder named scps/ or list it under `scp:` in the config; it is not "
                       "linted");
        } else if (on2 && in->kind == RL_INPUT_UNKNOWN && in->looks_aws) {
            rl_emit_as(ctx, RL_ID(RL002), RL_LEVEL_NONE, in->path, &at, "", NULL, NULL,
                       "this looks like AWS data%s%s%s but is not a kind of input regionlint "
                       "reads; it is not linted",
                       in->subkind ? " (" : "", in->subkind ? in->subkind : "",
                       in->subkind ? ")" : "");
        } else if (on2 && in->note) {
            rl_emit_as(ctx, RL_ID(RL002), RL_LEVEL_NONE, in->path, &at, "", NULL, NULL,
                       "%s export: %s", rl_input_kind_name(in->kind), in->note);
        }
        if (!on3)
            continue;
        for (size_t d = 0; d < rl_doc_dupkey_count(in->doc); d++) {
            const rl_dupkey *dk = rl_doc_dupkey(in->doc, d);
            rl_finding *f = rl_emit_as(
                ctx, RL_ID(RL003), RL_LEVEL_NONE, in->path, &dk->second->span, dk->path, NULL, NULL,
                "duplicate key '%s' in %s (first defined at line %u); "
                "readers disagree on which value wins",
                dk->second->u.s.str, dk->path[0] ? dk->path : "the top level",
                dk->first->span.start.line);
            rl_emit_related(ctx, f, in->path, &dk->first->span, "first definition of '%s'",
                            dk->first->u.s.str);
        }
    }
    if (on2)
        unplaced_terraform(ctx, m);
    return RL_OK;
}
