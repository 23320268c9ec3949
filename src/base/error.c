/* The caller-owned error struct and the level/strategy name tables. */
#include <regionlint/regionlint.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

void rl_error_clear(rl_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

int rl_error_set(rl_error *err, int code, const char *file, unsigned line, unsigned column,
                 const char *fmt, ...)
{
    if (!err || err->code != RL_OK)
        return code;
    err->code = code;
    err->line = line;
    err->column = column;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

const char *rl_level_name(rl_level level)
{
    switch (level) {
    case RL_LEVEL_ERROR:
        return "error";
    case RL_LEVEL_WARNING:
        return "warning";
    case RL_LEVEL_NOTE:
        return "note";
    default:
        return "none";
    }
}

int rl_level_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcasecmp(s, "error"))
        return RL_LEVEL_ERROR;
    if (!strcasecmp(s, "warning"))
        return RL_LEVEL_WARNING;
    if (!strcasecmp(s, "note"))
        return RL_LEVEL_NOTE;
    if (!strcasecmp(s, "none") || !strcasecmp(s, "off"))
        return RL_LEVEL_NONE;
    return -1;
}

static const char *const strategy_names[RL_STRATEGY_COUNT] = {
    "backup-restore", "pilot-light", "warm-standby", "hot-standby", "active-active"};

const char *rl_strategy_name(rl_strategy s)
{
    return (unsigned)s < RL_STRATEGY_COUNT ? strategy_names[s] : "unknown";
}

int rl_strategy_parse(const char *s)
{
    for (int i = 0; s && i < RL_STRATEGY_COUNT; i++)
        if (!strcmp(s, strategy_names[i]))
            return i;
    return -1;
}
