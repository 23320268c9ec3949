/* Findings: what the rules report. Each has a rule, level, message, exact location, the
 * logical path inside the document, the regions concerned, related locations, a
 * fingerprint that ignores line numbers, and (when suppressed) how and why. */
#ifndef REGIONLINT_FINDING_H
#define REGIONLINT_FINDING_H

#include "doc.h"

typedef struct rl_rule rl_rule;

typedef struct rl_related {
    const char *file;
    rl_span span; /* start.line == 0 when the position is unknown */
    const char *message;
} rl_related;

typedef enum rl_suppress_kind {
    RL_SUPPRESS_NONE = 0,
    RL_SUPPRESS_INSOURCE, /* Metadata, YAML comment, Terraform "//" key */
    RL_SUPPRESS_EXTERNAL  /* config ignore: entry or --baseline */
} rl_suppress_kind;

typedef struct rl_finding {
    const rl_rule *rule;
    const char *rule_id;
    rl_level level;
    const char *message;
    const char *file;
    rl_span span;             /* start.line == 0 when the position is unknown */
    const char *path;         /* logical path, e.g. Resources.Fn.Properties.Role; may be "" */
    const char *region;       /* the region whose deployment has the problem, or NULL */
    const char *other_region; /* the other region of the pair involved, or NULL */
    rl_related *related;
    size_t nrelated;
    char fingerprint[33];
    rl_suppress_kind suppressed;
    const char *justification; /* reason given by the suppression */
    const char *suppressed_by; /* "comment", "terraform-comment", "metadata", "config",
                                * "baseline" (docs/suppressions.md) */
} rl_finding;

typedef struct rl_findings rl_findings;

int rl_findings_new(rl_findings **out);
void rl_findings_free(rl_findings *fs);

/* Adds a finding; strings are copied. `level` must be a real level. Returns the finding
 * (owned by the collection, valid until it is freed) or NULL when out of memory. */
rl_finding *rl_findings_add(rl_findings *fs, const rl_rule *rule, const char *rule_id,
                            rl_level level, const char *file, const rl_span *span, const char *path,
                            const char *region, const char *other_region, const char *message);
/* Adds a related location (strings copied); returns 0 or RL_ENOMEM. */
int rl_finding_add_related(rl_findings *fs, rl_finding *f, const char *file, const rl_span *span,
                           const char *message);
/* Copies a string into the collection's storage (for justifications). */
const char *rl_findings_strdup(rl_findings *fs, const char *s);

size_t rl_findings_count(const rl_findings *fs);
rl_finding *rl_findings_at(const rl_findings *fs, size_t i);
/* Removes findings for which keep() returns false (e.g. disabled rules). */
void rl_findings_filter(rl_findings *fs, bool (*keep)(const rl_finding *f, void *ctx), void *ctx);
/* Computes fingerprints, drops exact duplicates, and sorts by file, line, column, rule,
 * message so output is byte-identical from run to run. */
void rl_findings_finish(rl_findings *fs);

/* The fingerprint of (rule, file, logical path, regions): 32 hex digits + NUL. */
void rl_fingerprint(char out[33], const char *rule_id, const char *file, const char *path,
                    const char *region, const char *other_region);

#endif
