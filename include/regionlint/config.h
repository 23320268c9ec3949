/* The config file `.regionlint.yaml`: primary/standby regions, strategy, requirements,
 * per-region input globs, SCP globs, rule settings, ignore entries, mandatory rules. */
#ifndef REGIONLINT_CONFIG_H
#define REGIONLINT_CONFIG_H

#include "doc.h"

typedef struct rl_config_inputs {
    const char *region; /* a region code, or "shared" */
    const char **globs;
    size_t nglobs;
} rl_config_inputs;

typedef struct rl_config_level {
    const char *rule;
    rl_level level;
    const rl_node *node;
} rl_config_level;

typedef struct rl_config_ignore {
    const char *rule;    /* rule id (or prefix) */
    const char *path;    /* glob against the input path, or NULL = any */
    const char *logical; /* glob against the logical path, or NULL = any */
    const char *reason;  /* NULL or "" = missing (RL004) */
    const char *expires; /* YYYY-MM-DD or NULL */
    const rl_node *node; /* the entry, for RL004 positions */
} rl_config_ignore;

typedef struct rl_config_setting {
    const char *rule;
    const rl_node *node; /* the rule's settings mapping */
    const rl_node *key;  /* the rule id it is under (rules.RL501), for positions */
} rl_config_setting;

/* `account:` — the AWS account the stacks of a region deploy into (for SCPs). */
typedef struct rl_config_account {
    const char *region;  /* NULL: every region */
    const char *account; /* 12 digits */
    const rl_node *node;
} rl_config_account;

typedef struct rl_config rl_config;

struct rl_config {
    const char *path; /* the file, or NULL when there is none */
    const char *dir;  /* its folder: config globs are relative to it */
    rl_doc *doc;      /* owns every node and string below */
    const char *primary;
    const char **standby;
    size_t nstandby;
    int strategy;   /* rl_strategy, or -1 when not set */
    long bake_time; /* seconds; -1 when not set */
    long rto, rpo;  /* seconds; -1 when not set */
    int tier;       /* -1 when not set */
    rl_config_inputs *inputs;
    size_t ninputs;
    const char **scp_globs;
    size_t nscp;
    const char **exclude; /* globs of files not to read */
    size_t nexclude;
    rl_config_account *accounts;
    size_t naccounts;
    const char **disable;
    size_t ndisable;
    const char **enable;
    size_t nenable;
    rl_config_level *levels;
    size_t nlevels;
    rl_config_setting *settings;
    size_t nsettings;
    rl_config_ignore *ignores;
    size_t nignores;
    const char **mandatory;
    size_t nmandatory;
    const char **rule_dirs; /* extra custom rule folders (rules: {dirs: [...]}) */
    size_t nrule_dirs;
};

/* Loads a config file. Unknown keys and wrong types are errors (RL_ECONFIG) with the
 * position in err, so typos do not silently do nothing. */
int rl_config_load(rl_config **out, const char *path, rl_error *err);
/* An empty config (no file). */
int rl_config_empty(rl_config **out);
void rl_config_free(rl_config *cfg);
/* Finds the nearest `.regionlint.yaml` from `start_dir` upward; returns a malloc'd path
 * or NULL. */
char *rl_config_find(const char *start_dir);
/* The settings mapping for one rule, or NULL. */
const rl_node *rl_config_rule_settings(const rl_config *cfg, const char *rule_id);

/* Glob match with `*` (within a path segment), `**` (across segments), `?` and [...]. */
bool rl_glob_match(const char *pattern, const char *path);

/* A list of globs compiled once for many matches (allowed paths per value, allowed types
 * per resource): each pattern's literal text is found once, so most patterns are ruled out
 * without matching. Same syntax and results as rl_glob_match(). */
typedef struct rl_globset rl_globset;

enum {
    /* compare ignoring ASCII case (IAM actions, role names); patterns and strings of 256
     * bytes or more never match then */
    RL_GLOB_CASEFOLD = 1u << 0
};

/* Compiles `n` patterns (NULL entries are skipped; the strings must outlive the set).
 * Returns 0 or RL_ENOMEM. */
int rl_globset_new(rl_globset **out, const char *const *patterns, size_t n, unsigned flags);
void rl_globset_free(rl_globset *g);
/* Number of patterns in the set (0 for NULL). */
size_t rl_globset_count(const rl_globset *g);
/* True when some pattern of the set matches `s`; false for a NULL or empty set. */
bool rl_globset_match(const rl_globset *g, const char *s);

#endif
