/* Rules: metadata read from rules/ (embedded at build time) plus a check function, kept
 * in a registry that --list-rules, --explain and SARIF tool.driver.rules all read. */
#ifndef REGIONLINT_RULE_H
#define REGIONLINT_RULE_H

#include "config.h"
#include "finding.h"

/* The built-in rule ids, generated at build time from the metadata in
 * rules/ by src/rules/ids.cmake. */
#include <rl_rule_ids.h>

/* RL_ID(RL501) is the string "RL501"; an id the metadata in rules/ does not define is a compile
 * error (there is no RL_ID_RL599 to expand to). Code names built-in rules only this way. */
#define RL_ID(id) RL_ID_##id

/* One value per built-in rule id, in id order: RL_RULE_RL501 ... and RL_RULE_COUNT. */
#define RL_RULE_ENUM_(id) RL_RULE_##id,
typedef enum rl_rule_id { RL_RULE_IDS(RL_RULE_ENUM_) RL_RULE_COUNT } rl_rule_id;
#undef RL_RULE_ENUM_

/* "RL501" for RL_RULE_RL501; NULL out of range. */
const char *rl_rule_id_str(rl_rule_id id);
/* The enum value of a built-in rule id, or -1 (custom ids, unknown ids, NULL). */
int rl_rule_id_parse(const char *id);

typedef struct rl_model rl_model;
typedef struct rl_rule_ctx rl_rule_ctx;

/* A check walks the model and emits findings through rl_emit(); it never prints.
 * Returns 0, or a negative code when it could not run (out of memory). */
typedef int (*rl_check_fn)(rl_rule_ctx *ctx);

#define RL_LEVEL_INHERIT (-1)

/* A setting declared in a rule's metadata (name, type, default); see src/rules/settings.h. */
typedef struct rl_setting_decl rl_setting_decl;
typedef struct rl_settype rl_settype;

struct rl_rule {
    const char *id;          /* "RL501" */
    const char *name;        /* "cross-region-arn" (SARIF name) */
    const char *title;       /* one line */
    const char *description; /* a paragraph */
    const char *family;      /* "dependency" */
    const char *help_uri;
    const char **tags;
    size_t ntags;
    rl_level level;                        /* default */
    int strategy_level[RL_STRATEGY_COUNT]; /* RL_LEVEL_INHERIT or an rl_level (NONE = off) */
    const rl_setting_decl *settings;       /* declared settings (name, type, default) */
    size_t nsettings;
    const char *doc;    /* docs/rules/<id>.md text, or NULL */
    const char *source; /* metadata file it came from */
    rl_check_fn check;  /* NULL: the rule is emitted by the engine */
    const void *custom; /* custom rule program (RLX ids), or NULL */
};

typedef struct rl_registry rl_registry;

/* Loads the built-in rules (embedded metadata + pages) and binds their check functions.
 * A rule with metadata and no implementation, or the reverse, is an RL_ECONFIG error. */
int rl_registry_new(rl_registry **out, rl_error *err);
void rl_registry_free(rl_registry *reg);
/* Loads rule files from a metadata file or folder (custom rules, ids RLX...). */
int rl_registry_load_path(rl_registry *reg, const char *path, rl_error *err);
size_t rl_registry_count(const rl_registry *reg);
const rl_rule *rl_registry_at(const rl_registry *reg, size_t i);
const rl_rule *rl_registry_find(const rl_registry *reg, const char *id);
/* Index of a rule in registry order (SARIF ruleIndex), or -1. */
long rl_registry_index(const rl_registry *reg, const rl_rule *rule);

/* Effective level of a rule for a strategy, before config overrides. */
rl_level rl_rule_level(const rl_rule *rule, rl_strategy strategy);

/* True when `id` matches `pattern`: the exact id or an id prefix ("RL5" matches RL501). */
bool rl_rule_id_matches(const char *pattern, const char *id);

/* ---- what a check sees ------------------------------------------------------------ */

const rl_model *rl_ctx_model(const rl_rule_ctx *ctx);
const rl_config *rl_ctx_config(const rl_rule_ctx *ctx);
const rl_rule *rl_ctx_rule(const rl_rule_ctx *ctx);

/* ---- rule settings ----------------------------------------------------------------
 * Settings are declared with their types in the rule metadata (rules/<family>.yaml, custom rule
 * files) and the config's values are checked against them before any check runs
 * (src/rules/settings.c), so the readers below never meet a value of the wrong type. A
 * setting's value is the config's (rules.RL501.allowed-paths) when it sets the key, else
 * the declared default; a mapping setting keeps the default's entries the config leaves
 * out. */

typedef enum rl_setting_kind {
    RL_SETTING_UNSET = 0, /* no value and no default */
    RL_SETTING_STRING,    /* string, glob, host, cidr, region, strategy, enum: *_str() */
    RL_SETTING_BOOL,
    RL_SETTING_NUMBER,
    RL_SETTING_DURATION,
    RL_SETTING_LIST,  /* items: *_count(), *_at() */
    RL_SETTING_MAP,   /* entries: *_count(), *_key_at(), *_at(), *_get() */
    RL_SETTING_RECORD /* fields: *_get() */
} rl_setting_kind;

/* A setting's value read through its declared type (a small value; pass it by value). */
typedef struct rl_setting {
    const rl_node *node;     /* the value, NULL when unset */
    const rl_node *fallback; /* maps: the default, for the entries the config leaves out */
    const rl_settype *type;  /* the declared type (a one-of resolved to the form taken) */
} rl_setting;

/* The setting `key` of rule `rule_id` (the current rule's or another's: a family may keep
 * its settings on one rule). A key the rule does not declare is a bug in the check: the
 * run then ends with an error that names it. */
rl_setting rl_ctx_setting(rl_rule_ctx *ctx, const char *rule_id, const char *key);
/* A boolean setting (false when unset). */
bool rl_ctx_setting_bool(rl_rule_ctx *ctx, const char *rule_id, const char *key);
/* A list-of-globs setting compiled for matching (case-insensitive with RL_GLOB_CASEFOLD);
 * an unset setting gives an empty set. The caller frees *out. Returns 0 or RL_ENOMEM. */
int rl_ctx_setting_globs(rl_rule_ctx *ctx, const char *rule_id, const char *key, unsigned flags,
                         rl_globset **out);

rl_setting_kind rl_setting_kind_of(rl_setting s);
/* Items of a list (a lone item is a list of one), entries of a map; 0 otherwise. */
size_t rl_setting_count(rl_setting s);
/* Item i of a list, the value of entry i of a map (unset past the end). */
rl_setting rl_setting_at(rl_setting s, size_t i);
/* The key of entry i of a map, or NULL. */
const char *rl_setting_key_at(rl_setting s, size_t i);
/* The value of `key` in a map (the config's entry, else the default's) or the field `key`
 * of a record; unset when absent. */
rl_setting rl_setting_get(rl_setting s, const char *key);
/* The text of a string-like value (string, glob, host, cidr, region, strategy, enum), or
 * NULL when unset. */
const char *rl_setting_str(rl_setting s);
/* A boolean (false when unset), a number (0 when unset), a duration in seconds (-1 when
 * unset). */
bool rl_setting_bool(rl_setting s);
double rl_setting_number(rl_setting s);
long rl_setting_seconds(rl_setting s);
rl_strategy rl_ctx_strategy(const rl_rule_ctx *ctx);
/* Whether a rule id is enabled in this run (a check that emits several ids skips the work
 * for disabled ones: disabled rules never run). */
bool rl_ctx_enabled(const rl_rule_ctx *ctx, const char *rule_id);

/* Emits a finding of the current rule. `level` RL_LEVEL_NONE means the rule's effective
 * level; a level set in the config always wins. `span` may be NULL (no position). Returns
 * the finding for rl_emit_related(), or NULL (out of memory; the run reports it). */
rl_finding *rl_emit(rl_rule_ctx *ctx, rl_level level, const char *file, const rl_span *span,
                    const char *path, const char *region, const char *other_region, const char *fmt,
                    ...) __attribute__((format(printf, 8, 9)));
/* Same, for another rule id of the same check (a check may own several ids). */
rl_finding *rl_emit_as(rl_rule_ctx *ctx, const char *rule_id, rl_level level, const char *file,
                       const rl_span *span, const char *path, const char *region,
                       const char *other_region, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
void rl_emit_related(rl_rule_ctx *ctx, rl_finding *f, const char *file, const rl_span *span,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Records why the check cannot finish (e.g. a custom rule's pattern hit a PCRE2 limit) in
 * the run's error, with the position of the cause; the first error wins. Returns `code`,
 * for `return rl_ctx_fail(...)`; the run then ends with that error. */
int rl_ctx_fail(rl_rule_ctx *ctx, int code, const char *file, const rl_span *span, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

#endif
