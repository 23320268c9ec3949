/* regionlint: operational-readiness linter for multi-region AWS deployments.
 * Umbrella header: version, error codes, the caller-owned error struct and levels. */
#ifndef REGIONLINT_H
#define REGIONLINT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_VERSION       "0.1.0"
#define RL_TOOL_NAME     "regionlint"
#define RL_INFO_URI      "https://github.com/regionlint/regionlint"
#define RL_JSON_SCHEMA_V "1"

/* Error codes: the tool could not do its job. Problems in the inputs are findings. */
enum {
    RL_OK = 0,
    RL_ENOMEM = -1,  /* out of memory */
    RL_EIO = -2,     /* a file or directory could not be read or written */
    RL_EINVAL = -3,  /* bad argument or usage */
    RL_ECONFIG = -4, /* bad config or rule file */
    RL_ELIMIT = -5,  /* a safety limit was hit (size, depth, alias expansion) */
    RL_EPARSE = -6   /* the input is not well-formed */
};

/* A caller-owned error: the first error set wins, later ones are ignored. */
typedef struct rl_error {
    int code;
    unsigned line;   /* 1-based, 0 when unknown */
    unsigned column; /* 1-based in code points, 0 when unknown */
    char file[512];
    char message[512];
} rl_error;

void rl_error_clear(rl_error *err);
/* Record an error unless one is already recorded; returns code so callers can
 * `return rl_error_set(...)`. err may be NULL. */
int rl_error_set(rl_error *err, int code, const char *file, unsigned line, unsigned column,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

typedef enum rl_level {
    RL_LEVEL_NONE = 0, /* rule disabled / no level */
    RL_LEVEL_NOTE = 1,
    RL_LEVEL_WARNING = 2,
    RL_LEVEL_ERROR = 3
} rl_level;

const char *rl_level_name(rl_level level);
/* Parses "error", "warning", "note", "none"/"off"; returns -1 when unknown. */
int rl_level_parse(const char *s);

typedef enum rl_strategy {
    RL_STRATEGY_BACKUP_RESTORE = 0,
    RL_STRATEGY_PILOT_LIGHT,
    RL_STRATEGY_WARM_STANDBY,
    RL_STRATEGY_HOT_STANDBY,
    RL_STRATEGY_ACTIVE_ACTIVE,
    RL_STRATEGY_COUNT
} rl_strategy;

const char *rl_strategy_name(rl_strategy s);
int rl_strategy_parse(const char *s); /* -1 when unknown */

#endif
