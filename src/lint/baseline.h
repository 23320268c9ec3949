/* Baselines: an earlier JSON report or SARIF log whose findings are accepted. Findings are
 * matched by fingerprint (rule, file, logical path, regions; never the line), so edits
 * above a finding do not bring it back; --write-baseline writes one as a JSON report. */
#ifndef RL_BASELINE_H
#define RL_BASELINE_H

#include <regionlint/report.h>

#include "../rules/engine.h"

typedef struct rl_baseline rl_baseline;

/* Reads a regionlint JSON report (`findings[]` and the `suppressed[]` entries that a
 * baseline suppressed, each by `fingerprint`) or a SARIF log (results of regionlint runs by
 * partialFingerprints "regionlint/v1", except results suppressed other than by a
 * baseline). RL_EIO when it cannot be read, RL_ECONFIG when it is neither, with err set. */
int rl_baseline_load(rl_baseline **out, const char *path, rl_error *err);
void rl_baseline_free(rl_baseline *b);
/* Number of entries read (for tests). */
size_t rl_baseline_count(const rl_baseline *b);

/* Whether a finding may be accepted by a baseline: never RL001 (a file that could not be
 * read was not checked), RL004, or a rule the config declares mandatory. */
bool rl_baseline_eligible(const rl_ruleset *rs, const rl_finding *f);

/* Suppresses the unsuppressed eligible findings the baseline holds (kind external, by
 * "baseline", justification "in baseline FILE"). An entry accepts one finding: the same
 * fingerprint and message first, then the same fingerprint. Returns 0 or RL_ENOMEM. */
int rl_baseline_apply(const rl_baseline *b, const rl_ruleset *rs, rl_findings *fs,
                      const char *file);

/* Writes the eligible findings that are unsuppressed or accepted by a baseline to `path` as
 * a JSON report (`r` gives regions and inputs), then marks them as suppressed by that
 * baseline in this run. Returns 0, RL_EIO or RL_ENOMEM with err set. */
int rl_baseline_write(const char *path, const rl_report *r, const rl_ruleset *rs, rl_findings *fs,
                      rl_error *err);

#endif
