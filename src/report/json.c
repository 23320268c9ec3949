/* JSON output, schema version 1 (docs/json-schema.md, docs/regionlint.schema.json):
 * {tool, version, schemaVersion, regions, findings[], suppressed[], errors[], summary}. */
#include "report_private.h"

#include <string.h>

static json_t *pos_or_null(uint32_t v)
{
    return v ? json_integer(v) : json_null();
}

static void set_span(json_t *o, const rl_span *sp)
{
    json_object_set_new(o, "line", pos_or_null(sp->start.line));
    json_object_set_new(o, "column", pos_or_null(sp->start.line ? sp->start.column : 0));
    json_object_set_new(o, "endLine", pos_or_null(sp->start.line ? sp->end.line : 0));
    json_object_set_new(o, "endColumn", pos_or_null(sp->start.line ? sp->end.column : 0));
}

static json_t *finding_json(const rl_finding *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "rule", rl_json_str(f->rule_id));
    json_object_set_new(o, "level", json_string(rl_level_name(f->level)));
    json_object_set_new(o, "message", rl_json_str(f->message));
    json_object_set_new(o, "file", rl_json_str(f->file));
    set_span(o, &f->span);
    json_object_set_new(o, "path", rl_json_str(f->path));
    json_object_set_new(o, "region", rl_json_str(f->region));
    json_object_set_new(o, "otherRegion", rl_json_str(f->other_region));
    json_t *rel = json_array();
    for (size_t i = 0; i < f->nrelated; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "file", rl_json_str(f->related[i].file));
        set_span(r, &f->related[i].span);
        json_object_set_new(r, "message", rl_json_str(f->related[i].message));
        json_array_append_new(rel, r);
    }
    json_object_set_new(o, "related", rel);
    json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
    if (f->suppressed) {
        json_t *s = json_object();
        json_object_set_new(
            s, "kind",
            json_string(f->suppressed == RL_SUPPRESS_INSOURCE ? "inSource" : "external"));
        json_object_set_new(s, "by", rl_json_str(f->suppressed_by));
        json_object_set_new(s, "justification", rl_json_str(f->justification));
        json_object_set_new(o, "suppression", s);
    }
    return o;
}

int rl_report_json(FILE *out, const rl_report *r, rl_error *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "tool", json_string(RL_TOOL_NAME));
    json_object_set_new(root, "version", json_string(RL_VERSION));
    json_object_set_new(root, "schemaVersion", json_integer(1));
    json_t *regions = json_object();
    json_object_set_new(regions, "primary", rl_json_str(r->primary));
    json_t *sb = json_array();
    for (size_t i = 0; i < r->nstandby; i++)
        json_array_append_new(sb, rl_json_str(r->standby[i]));
    json_object_set_new(regions, "standby", sb);
    json_object_set_new(regions, "strategy", json_string(rl_strategy_name(r->strategy)));
    json_object_set_new(root, "regions", regions);

    json_t *findings = json_array(), *suppressed = json_array(), *errors = json_array();
    for (size_t i = 0; i < rl_findings_count(r->findings); i++) {
        const rl_finding *f = rl_findings_at(r->findings, i);
        json_array_append_new(f->suppressed ? suppressed : findings, finding_json(f));
    }
    for (size_t i = 0; r->inputs && i < rl_inputs_count(r->inputs); i++) {
        const rl_input *in = rl_inputs_at(r->inputs, i);
        if (!in->error.code)
            continue;
        json_t *e = json_object();
        json_object_set_new(e, "file", rl_json_str(in->path));
        json_object_set_new(e, "line", pos_or_null(in->error.line));
        json_object_set_new(e, "column", pos_or_null(in->error.line ? in->error.column : 0));
        json_object_set_new(e, "kind",
                            json_string(in->error.code == RL_EPARSE   ? "parse"
                                        : in->error.code == RL_ELIMIT ? "limit"
                                                                      : "read"));
        json_object_set_new(e, "message", rl_json_str(in->error.message));
        json_array_append_new(errors, e);
    }
    json_object_set_new(root, "findings", findings);
    json_object_set_new(root, "suppressed", suppressed);
    json_object_set_new(root, "errors", errors);

    rl_report_counts c;
    rl_report_count(r, &c);
    json_t *sum = json_object();
    json_object_set_new(sum, "errors", json_integer((json_int_t)c.error));
    json_object_set_new(sum, "warnings", json_integer((json_int_t)c.warning));
    json_object_set_new(sum, "notes", json_integer((json_int_t)c.note));
    json_object_set_new(sum, "suppressed", json_integer((json_int_t)c.suppressed));
    json_object_set_new(sum, "files", json_integer((json_int_t)c.files));
    json_object_set_new(sum, "failOn", json_string(rl_level_name(r->fail_on)));
    json_object_set_new(root, "summary", sum);
    int rc = rl_json_write(out, root, err);
    json_decref(root);
    return rc;
}
