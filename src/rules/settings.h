/* Rule settings declared with their types in the rule metadata (rules/<family>.yaml and custom rule
 * files): reading the declarations, checking values against them, and checking the config's
 * `rules:` settings blocks before any check runs (see docs/CONTRIBUTING.md, "Settings"). */
#ifndef RL_SETTINGS_H
#define RL_SETTINGS_H

#include <regionlint/rule.h>

#include "../base/arena.h"

typedef enum rl_settype_kind {
    RL_ST_STRING,   /* a non-empty string (numbers are read as their text) */
    RL_ST_GLOB,     /* a glob (same syntax as rl_glob_match) */
    RL_ST_HOST,     /* a host name or domain: corp.example.com, *.corp.example.com */
    RL_ST_CIDR,     /* an IPv4 CIDR block: 10.0.0.0/16 */
    RL_ST_REGION,   /* a region code */
    RL_ST_STRATEGY, /* a strategy name */
    RL_ST_ENUM,     /* one of `names` */
    RL_ST_BOOL,     /* true or false */
    RL_ST_NUMBER,   /* an integer or decimal number */
    RL_ST_DURATION, /* 90s, 15m, 1h, 2h30m, 1d, 1w, or a number of seconds */
    RL_ST_LIST,     /* a sequence of `item` (a lone item is a list of one), at least `min` */
    RL_ST_MAP,      /* a mapping from keys of kind `keys` to `item` */
    RL_ST_RECORD,   /* a mapping with the keys `names` of types `fields`, `required` needed */
    RL_ST_ONEOF     /* the first of `fields` (nfields) that the value fits */
} rl_settype_kind;

struct rl_settype {
    rl_settype_kind kind;
    const rl_settype *item;    /* LIST, MAP */
    rl_settype_kind keys;      /* MAP: STRING, REGION or STRATEGY */
    size_t min;                /* LIST */
    const char **names;        /* ENUM values, RECORD keys */
    const rl_settype **fields; /* RECORD field types, ONEOF alternatives */
    bool *required;            /* RECORD */
    size_t n;                  /* entries of names / fields */
};

struct rl_setting_decl {
    const char *name;
    const rl_settype *type;
    const rl_node *def; /* the default value, or NULL (unset unless the config sets it) */
    const rl_node *at;  /* the declaration's key, for positions */
};

/* Reads a rule's `settings:` mapping from `file` — name: {type: TYPE, default: VALUE} —
 * into arena-allocated declarations, and checks each default against its type.
 * RL_ECONFIG with the position in err, or RL_ENOMEM. */
int rl_settings_parse(rl_arena *a, const char *file, const char *rule_id, const rl_node *settings,
                      rl_setting_decl **out, size_t *n, rl_error *err);

/* The declaration `key` of a rule, or NULL. */
const rl_setting_decl *rl_settings_find(const rl_rule *rule, const char *key);

/* Checks every settings block of the config's `rules:` (rules.RL501: {...}) against the
 * rules of the registry: an unknown rule, a rule without settings, an unknown key (with
 * the nearest declared one) or a value that does not fit the declared type is RL_ECONFIG
 * with the config file, line and column. */
int rl_settings_check_config(const rl_registry *reg, const rl_config *cfg, rl_error *err);

/* A view of `node` (or of `fallback`, the default, for map entries the node lacks) as a
 * value of type `t`; a one-of type is resolved to the alternative the value takes. */
rl_setting rl_setting_view(const rl_node *node, const rl_node *fallback, const rl_settype *t);

#endif
