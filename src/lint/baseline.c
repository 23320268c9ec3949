/* Baselines (docs/suppressions.md): reading an earlier JSON report or SARIF log, accepting
 * the findings it holds by fingerprint, and writing the current findings as a new one. */
#include "baseline.h"

#include "../base/hmap.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_FP_KEY "regionlint/v1"

typedef struct entry {
    char fp[33];
    char *message;      /* NULL when the report has none */
    struct entry *next; /* same fingerprint */
} entry;

struct rl_baseline {
    entry *entries;
    size_t count, cap;
    rl_hmap by_fp; /* fingerprint -> first entry */
};

void rl_baseline_free(rl_baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++)
        free(b->entries[i].message);
    free(b->entries);
    rl_hmap_free(&b->by_fp);
    free(b);
}

size_t rl_baseline_count(const rl_baseline *b)
{
    return b->count;
}

static bool is_fp(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* Adds one accepted finding; rule ids that a baseline never accepts are left out here. */
static int add(rl_baseline *b, const char *rule, const char *fp, const char *message)
{
    if (rule && (!strcmp(rule, RL_ID(RL001)) || !strcmp(rule, RL_ID(RL004))))
        return RL_OK;
    if (b->count == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        entry *n = realloc(b->entries, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        b->entries = n;
        b->cap = ncap;
    }
    entry *e = &b->entries[b->count];
    memset(e, 0, sizeof(*e));
    memcpy(e->fp, fp, 33);
    if (message && !(e->message = strdup(message)))
        return RL_ENOMEM;
    b->count++;
    return RL_OK;
}

/* The chains are linked once all entries are read: the array moves while it grows. */
static int index_entries(rl_baseline *b)
{
    for (size_t i = b->count; i-- > 0;) {
        entry *e = &b->entries[i];
        void **slot = rl_hmap_slot(&b->by_fp, e->fp, 32);
        if (slot) {
            e->next = *slot;
            *slot = e;
        } else if (rl_hmap_put(&b->by_fp, e->fp, 32, e) < 0) {
            return RL_ENOMEM;
        }
    }
    return RL_OK;
}

/* JSON report: findings[], and suppressed[] entries that a baseline accepted. */
static int read_report(rl_baseline *b, json_t *root, size_t *seen)
{
    static const char *const lists[] = {"findings", "suppressed"};
    for (size_t l = 0; l < 2; l++) {
        json_t *arr = json_object_get(root, lists[l]), *f;
        size_t i;
        json_array_foreach(arr, i, f)
        {
            if (l == 1) {
                const char *by =
                    json_string_value(json_object_get(json_object_get(f, "suppression"), "by"));
                if (!by || strcmp(by, "baseline"))
                    continue;
            }
            const char *fp = json_string_value(json_object_get(f, "fingerprint"));
            (*seen)++;
            if (!is_fp(fp))
                continue;
            int rc = add(b, json_string_value(json_object_get(f, "rule")), fp,
                         json_string_value(json_object_get(f, "message")));
            if (rc < 0)
                return rc;
        }
    }
    return RL_OK;
}

/* A result that is suppressed other than by a baseline is accepted by that suppression,
 * which can expire; it is not copied into this baseline. */
static bool suppressed_elsewhere(json_t *result)
{
    json_t *sups = json_object_get(result, "suppressions"), *s;
    size_t i;
    if (!json_array_size(sups))
        return false;
    json_array_foreach(sups, i, s)
    {
        const char *by =
            json_string_value(json_object_get(json_object_get(s, "properties"), "suppressedBy"));
        if (by && !strcmp(by, "baseline"))
            return false;
    }
    return true;
}

static int read_sarif(rl_baseline *b, json_t *root, size_t *seen)
{
    json_t *runs = json_object_get(root, "runs"), *run;
    size_t i;
    json_array_foreach(runs, i, run)
    {
        const char *tool = json_string_value(
            json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "name"));
        if (!tool || strcmp(tool, RL_TOOL_NAME))
            continue;
        json_t *results = json_object_get(run, "results"), *r;
        size_t j;
        json_array_foreach(results, j, r)
        {
            if (suppressed_elsewhere(r))
                continue;
            const char *fp = json_string_value(
                json_object_get(json_object_get(r, "partialFingerprints"), SARIF_FP_KEY));
            (*seen)++;
            if (!is_fp(fp))
                continue;
            int rc = add(b, json_string_value(json_object_get(r, "ruleId")), fp,
                         json_string_value(json_object_get(json_object_get(r, "message"), "text")));
            if (rc < 0)
                return rc;
        }
    }
    return RL_OK;
}

int rl_baseline_load(rl_baseline **out, const char *path, rl_error *err)
{
    json_error_t jerr;
    json_t *root = NULL;
    rl_baseline *b = NULL;
    int rc = RL_OK;
    size_t seen = 0;
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return rl_error_set(err, RL_EIO, path, 0, 0, "cannot read the baseline: %s",
                            strerror(errno));
    root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
    fclose(fp);
    if (!root) {
        rc = rl_error_set(err, RL_ECONFIG, path, jerr.line > 0 ? (unsigned)jerr.line : 0,
                          jerr.column > 0 ? (unsigned)jerr.column : 0,
                          "the baseline is not a JSON report or SARIF log: %s", jerr.text);
        goto cleanup;
    }
    if (!(b = calloc(1, sizeof(*b)))) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    bool sarif = json_is_array(json_object_get(root, "runs"));
    bool report = json_is_array(json_object_get(root, "findings"));
    if (!sarif && !report) {
        rc = rl_error_set(err, RL_ECONFIG, path, 0, 0,
                          "the baseline is neither a regionlint JSON report (findings[]) nor a "
                          "SARIF log (runs[]); write one with --write-baseline or -f json");
        goto cleanup;
    }
    rc = sarif ? read_sarif(b, root, &seen) : read_report(b, root, &seen);
    if (rc == RL_OK && seen && !b->count) {
        rc = rl_error_set(err, RL_ECONFIG, path, 0, 0,
                          "the baseline holds %zu finding%s but no regionlint fingerprint "
                          "(%s); it was not written by regionlint",
                          seen, seen == 1 ? "" : "s",
                          sarif ? "partialFingerprints \"" SARIF_FP_KEY "\"" : "`fingerprint`");
        goto cleanup;
    }
    if (rc == RL_OK)
        rc = index_entries(b);
    if (rc == RL_ENOMEM)
        rl_error_set(err, rc, NULL, 0, 0, "out of memory");

cleanup:
    json_decref(root);
    if (rc < 0) {
        rl_baseline_free(b);
        return rc;
    }
    *out = b;
    return RL_OK;
}

bool rl_baseline_eligible(const rl_ruleset *rs, const rl_finding *f)
{
    return strcmp(f->rule_id, RL_ID(RL001)) && strcmp(f->rule_id, RL_ID(RL004)) &&
           !rl_ruleset_mandatory(rs, f->rule_id);
}

static int mark(rl_findings *fs, rl_finding *f, const char *justification)
{
    f->suppressed = RL_SUPPRESS_EXTERNAL;
    f->suppressed_by = "baseline";
    f->justification = rl_findings_strdup(fs, justification);
    return f->justification ? RL_OK : RL_ENOMEM;
}

int rl_baseline_apply(const rl_baseline *b, const rl_ruleset *rs, rl_findings *fs, const char *file)
{
    bool *used = calloc(b->count + 1, sizeof(*used));
    char why[600];
    int rc = RL_OK;
    if (!used)
        return RL_ENOMEM;
    snprintf(why, sizeof(why), "in baseline %s", file);
    /* two passes so that, of several findings with one fingerprint (two ARNs in one
     * property), the one whose message the baseline holds is the one it accepts */
    for (int pass = 0; pass < 2 && rc == RL_OK; pass++) {
        for (size_t i = 0; i < rl_findings_count(fs) && rc == RL_OK; i++) {
            rl_finding *f = rl_findings_at(fs, i);
            if (f->suppressed || !rl_baseline_eligible(rs, f))
                continue;
            for (entry *e = rl_hmap_get(&b->by_fp, f->fingerprint, 32); e; e = e->next) {
                size_t k = (size_t)(e - b->entries);
                if (used[k] || (pass == 0 && (!e->message || strcmp(e->message, f->message))))
                    continue;
                used[k] = true;
                rc = mark(fs, f, why);
                break;
            }
        }
    }
    free(used);
    return rc;
}

int rl_baseline_write(const char *path, const rl_report *r, const rl_ruleset *rs, rl_findings *fs,
                      rl_error *err)
{
    rl_findings *copy = NULL;
    FILE *out = NULL;
    int rc = rl_findings_new(&copy);
    if (rc < 0)
        return rl_error_set(err, rc, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < rl_findings_count(fs) && rc == RL_OK; i++) {
        const rl_finding *f = rl_findings_at(fs, i);
        if (!rl_baseline_eligible(rs, f) ||
            (f->suppressed && (!f->suppressed_by || strcmp(f->suppressed_by, "baseline"))))
            continue;
        rl_finding *c = rl_findings_add(copy, f->rule, f->rule_id, f->level, f->file, &f->span,
                                        f->path, f->region, f->other_region, f->message);
        if (!c)
            rc = RL_ENOMEM;
        for (size_t j = 0; c && j < f->nrelated && rc == RL_OK; j++)
            rc = rl_finding_add_related(copy, c, f->related[j].file, &f->related[j].span,
                                        f->related[j].message);
    }
    if (rc < 0) {
        rl_error_set(err, rc, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    rl_findings_finish(copy);
    if (!(out = fopen(path, "w"))) {
        rc =
            rl_error_set(err, RL_EIO, path, 0, 0, "cannot write the baseline: %s", strerror(errno));
        goto cleanup;
    }
    rl_report br = *r;
    br.findings = copy;
    br.notice = NULL;
    rc = rl_report_json(out, &br, err);
    if (fclose(out) != 0 && rc == RL_OK)
        rc =
            rl_error_set(err, RL_EIO, path, 0, 0, "cannot write the baseline: %s", strerror(errno));
    if (rc < 0)
        goto cleanup;
    /* what was just accepted is suppressed by that baseline in this run too */
    char why[600];
    snprintf(why, sizeof(why), "in baseline %s", path);
    for (size_t i = 0; i < rl_findings_count(fs) && rc == RL_OK; i++) {
        rl_finding *f = rl_findings_at(fs, i);
        if (!f->suppressed && rl_baseline_eligible(rs, f))
            rc = mark(fs, f, why);
    }
    if (rc < 0)
        rl_error_set(err, rc, NULL, 0, 0, "out of memory");

cleanup:
    rl_findings_free(copy);
    return rc;
}
