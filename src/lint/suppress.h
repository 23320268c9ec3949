/* Suppressions written by people: CloudFormation Metadata ignores, `# regionlint:ignore`
 * YAML comments, Terraform JSON "//" keys and the config's `ignore:` entries. They are
 * applied to the finished findings; an ignore that cannot suppress (no reason, expired,
 * malformed, of a mandatory rule) or that matches nothing is reported as RL004. */
#ifndef RL_SUPPRESS_H
#define RL_SUPPRESS_H

#include <regionlint/input.h>
#include <regionlint/rule.h>

#include "../rules/engine.h"

typedef struct rl_suppress_opts {
    const rl_ruleset *rules;    /* states (enabled, mandatory) and the registry */
    const rl_config *cfg;       /* `ignore:` entries; may be NULL */
    const char *config_display; /* the config file as findings name it, or NULL */
    const rl_inputs *inputs;    /* documents scanned for in-source ignores */
    int today;                  /* yyyymmdd: an expiry before it no longer suppresses */
} rl_suppress_opts;

/* A `regionlint:ignore` directive: the text after the keyword of a YAML comment or of a
 * Terraform "//" string, `IDS [expires=YYYY-MM-DD] REASON`. */
typedef struct rl_ignore_directive {
    char ids[8][32]; /* rule ids or id prefixes, comma-separated in the text */
    size_t nids;
    char expires[16];    /* as written ("" when absent) */
    const char *reason;  /* points into the parsed text; not NUL-terminated */
    size_t reason_len;   /* 0 = no reason */
    const char *problem; /* static text when the directive is malformed, else NULL */
} rl_ignore_directive;

/* Parses the directive text that follows `regionlint:ignore` (len bytes of s, which need
 * not be NUL-terminated). Always fills *out; out->problem says what is wrong. */
void rl_ignore_directive_parse(rl_ignore_directive *out, const char *s, size_t len);

/* A calendar date YYYY-MM-DD (from 1970) as the number yyyymmdd, or -1 when s is not one
 * (rl_date_parse() reads it). */
int rl_day_parse(const char *s, size_t len);

/* Today as yyyymmdd: REGIONLINT_TODAY when set (for tests and reproducible runs; it must
 * be YYYY-MM-DD, else RL_EINVAL), otherwise the current date in UTC. */
int rl_suppress_today(int *out, rl_error *err);

/* Checks the config's `ignore:` entries before the run: each `rule` must name a rule (id
 * or id prefix) and each `expires` must be a date. RL_ECONFIG with the entry's position. */
int rl_suppress_check_config(const rl_config *cfg, const rl_registry *reg, rl_error *err);

/* Collects the ignores of the inputs and the config, marks the findings they suppress
 * (findings must be fingerprinted and sorted: call rl_findings_finish() first, and again
 * afterwards for the RL004 findings this adds). Returns 0 or RL_ENOMEM. */
int rl_suppress_apply(const rl_suppress_opts *opts, rl_findings *fs, rl_error *err);

#endif
