/* Command-line options of regionlint (SPEC §1) and the --help text. */
#ifndef RL_OPTIONS_H
#define RL_OPTIONS_H

#include <regionlint/lint.h>

#include <stdio.h>

typedef enum rl_cli_action {
    RL_CLI_LINT = 0,
    RL_CLI_HELP,
    RL_CLI_VERSION,
    RL_CLI_LIST_RULES,
    RL_CLI_EXPLAIN
} rl_cli_action;

enum { RL_COLOR_AUTO = 0, RL_COLOR_ALWAYS, RL_COLOR_NEVER };

typedef struct rl_cli_format {
    const char *name;
    const char *file; /* NULL or "-" = standard output */
} rl_cli_format;

typedef struct rl_cli {
    rl_cli_action action;
    const char *explain;
    rl_lint_opts lint;
    rl_cli_format *formats;
    size_t nformats;
    rl_level fail_on;
    bool quiet, verbose, excerpt;
    int color;
    char **owned; /* strings split from comma lists, freed by rl_cli_free */
    size_t nowned;
} rl_cli;

/* Parses argv. Returns 0, or RL_EINVAL with a message naming the bad option. */
int rl_cli_parse(rl_cli *cli, int argc, char **argv, rl_error *err);
void rl_cli_free(rl_cli *cli);
void rl_cli_usage(FILE *out);
/* The --help text (also the source of docs/regionlint.1's options, checked by a test). */
extern const char rl_cli_help[];

#endif
