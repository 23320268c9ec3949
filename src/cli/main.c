/* The regionlint command line: options (SPEC §1), outputs, exit status 0 / 1 / 2. */
#include <regionlint/lint.h>

#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static rl_registry *load_registry(const rl_cli *cli)
{
    rl_registry *reg = NULL;
    rl_error err;
    rl_error_clear(&err);
    if (rl_lint_load_rules(&reg, &cli->lint, &err) < 0) {
        if (err.file[0] && err.line)
            fprintf(stderr, "regionlint: %s:%u:%u: %s\n", err.file, err.line, err.column,
                    err.message);
        else
            fprintf(stderr, "regionlint: %s\n", err.message);
    }
    return reg;
}

static int list_rules(const rl_cli *cli)
{
    rl_registry *reg = load_registry(cli);
    if (!reg)
        return 2;
    for (size_t i = 0; i < rl_registry_count(reg); i++) {
        const rl_rule *r = rl_registry_at(reg, i);
        printf("%-6s %-8s %-13s %s\n", r->id, rl_level_name(r->level), r->family, r->title);
    }
    rl_registry_free(reg);
    return 0;
}

static int explain(const rl_cli *cli, const char *id)
{
    rl_registry *reg = load_registry(cli);
    if (!reg)
        return 2;
    const rl_rule *r = rl_registry_find(reg, id);
    int rc = 0;
    if (!r) {
        fprintf(stderr, "regionlint: no rule %s (see --list-rules)\n", id);
        rc = 2;
    } else if (r->doc) {
        fputs(r->doc, stdout);
    } else {
        printf("%s: %s\n\n%s\n\nlevel: %s  family: %s\n%s\n", r->id, r->title, r->description,
               rl_level_name(r->level), r->family, r->help_uri ? r->help_uri : "");
    }
    rl_registry_free(reg);
    return rc;
}

static bool color_wanted(FILE *out, int mode)
{
    if (mode == RL_COLOR_ALWAYS)
        return true;
    if (mode == RL_COLOR_NEVER)
        return false;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb"))
        return false;
    return isatty(fileno(out));
}

static int write_outputs(const rl_cli *cli, const rl_lint *l)
{
    int status = 0;
    for (size_t i = 0; i < cli->nformats; i++) {
        const rl_cli_format *f = &cli->formats[i];
        rl_reporter_fn fn = rl_reporter_find(f->name);
        FILE *out = stdout;
        bool to_stdout = !f->file || !strcmp(f->file, "-");
        if (!to_stdout && !(out = fopen(f->file, "w"))) {
            fprintf(stderr, "regionlint: cannot write %s: %s\n", f->file, strerror(errno));
            status = 2;
            continue;
        }
        rl_report r;
        rl_lint_report_init(l, &r);
        r.fail_on = cli->fail_on;
        r.color = !strcmp(f->name, "text") && color_wanted(out, cli->color);
        r.excerpt = cli->excerpt;
        r.quiet = cli->quiet;
        r.verbose = cli->verbose;
        rl_error err;
        rl_error_clear(&err);
        if (fn(out, &r, &err) < 0) {
            fprintf(stderr, "regionlint: %s output: %s\n", f->name, err.message);
            status = 2;
        }
        if (!to_stdout && fclose(out) != 0) {
            fprintf(stderr, "regionlint: cannot write %s: %s\n", f->file, strerror(errno));
            status = 2;
        } else if (to_stdout && fflush(stdout) != 0) {
            status = 2;
        }
    }
    return status;
}

int main(int argc, char **argv)
{
    rl_cli cli;
    rl_error err;
    rl_error_clear(&err);
    int rc = rl_cli_parse(&cli, argc, argv, &err);
    if (rc < 0) {
        fprintf(stderr, "regionlint: %s\nTry 'regionlint --help' for more information.\n",
                err.message);
        rl_cli_free(&cli);
        return 2;
    }
    int status = 0;
    if (cli.action == RL_CLI_HELP) {
        rl_cli_usage(stdout);
    } else if (cli.action == RL_CLI_VERSION) {
        printf("regionlint %s\n", RL_VERSION);
    } else if (cli.action == RL_CLI_LIST_RULES) {
        status = list_rules(&cli);
    } else if (cli.action == RL_CLI_EXPLAIN) {
        status = explain(&cli, cli.explain);
    } else {
        rl_lint *l = NULL;
        if (rl_lint_run(&l, &cli.lint, &err) < 0) {
            if (err.file[0] && err.line)
                fprintf(stderr, "regionlint: %s:%u:%u: %s\n", err.file, err.line, err.column,
                        err.message);
            else if (err.file[0] && !strstr(err.message, err.file))
                fprintf(stderr, "regionlint: %s: %s\n", err.file, err.message);
            else
                fprintf(stderr, "regionlint: %s\n", err.message);
            status = 2;
        } else {
            int out = write_outputs(&cli, l);
            status = rl_lint_exit_status(l, cli.fail_on);
            if (out > status)
                status = out;
        }
        rl_lint_free(l);
    }
    rl_cli_free(&cli);
    return status;
}
