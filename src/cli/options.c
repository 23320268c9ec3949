/* Command-line parsing with getopt_long; comma lists are split, sizes take K/M/G. */
#include "options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char rl_cli_help[] =
    "Usage: regionlint [OPTIONS] PATH...\n"
    "\n"
    "Lint CloudFormation, Terraform JSON, pipelines and exported account snapshots of a\n"
    "primary region and its standby regions for everything that would make the standby\n"
    "fail when it is needed. PATH is a file or a folder (searched recursively); - reads\n"
    "standard input.\n"
    "\n"
    "Regions and strategy:\n"
    "  -p, --primary REGION       the primary region (e.g. us-east-1)\n"
    "  -s, --standby REGION       a standby region; repeatable or comma-separated\n"
    "      --strategy NAME        backup-restore, pilot-light, warm-standby (default),\n"
    "                             hot-standby or active-active\n"
    "  -c, --config FILE          config file (default: the nearest .regionlint.yaml from\n"
    "                             the current folder upward, else from the first PATH)\n"
    "      --exclude GLOB         do not read files whose path matches GLOB (* ? [..] within\n"
    "                             a folder, ** across folders); repeatable\n"
    "\n"
    "Output:\n"
    "  -f, --format FMT[:FILE]    text (default), json, sarif, github, junit, markdown or\n"
    "                             html; repeatable, each to its own FILE (- or no FILE =\n"
    "                             standard output)\n"
    "      --fail-on LEVEL        error, warning (default), note or none: the lowest level\n"
    "                             that makes the exit status 1\n"
    "      --no-excerpt           text: no source line and caret under each finding\n"
    "      --color WHEN           auto (default: only on a terminal, honours NO_COLOR),\n"
    "                             always or never\n"
    "  -q, --quiet                text: findings only, no summary line\n"
    "  -v, --verbose              text: also list the files skipped and why\n"
    "\n"
    "Rules:\n"
    "      --enable ID,...        enable rules by id or id prefix (RL5 = all RL5xx)\n"
    "      --disable ID,...       disable rules by id or id prefix\n"
    "      --rules PATH           load custom rules (RLX ids) from a rule file or a folder\n"
    "                             of them; repeatable (see docs/custom-rules.md)\n"
    "      --list-rules           print the rule catalog and exit\n"
    "      --explain ID           print one rule's documentation and exit\n"
    "\n"
    "Suppressions (see docs/suppressions.md):\n"
    "      --baseline FILE        accept the findings of an earlier JSON report or SARIF\n"
    "                             log (matched by fingerprint, not by line)\n"
    "      --write-baseline FILE  write the current findings to FILE as a baseline (a JSON\n"
    "                             report); they count as accepted in this run\n"
    "\n"
    "Limits:\n"
    "      --max-file-size SIZE   largest input read (default 256M; K, M, G suffixes)\n"
    "      --max-depth N          deepest nesting accepted (default 256)\n"
    "      --max-alias-nodes N    YAML alias expansion limit in nodes (default 1000000)\n"
    "\n"
    "Performance:\n"
    "  -j, --jobs N               read and parse files with N threads (default: one per\n"
    "                             CPU, at most 16; 1 = no threads); output is the same\n"
    "\n"
    "  -V, --version              print the version and exit\n"
    "  -h, --help                 print this help and exit\n"
    "\n"
    "Exit status: 0 no finding at or above --fail-on; 1 at least one; 2 usage error, an\n"
    "input that cannot be read or parsed, a bad config, rule or baseline file, or a\n"
    "custom rule whose pattern hit a PCRE2 limit (2 wins over 1).\n";

void rl_cli_usage(FILE *out)
{
    fputs(rl_cli_help, out);
}

enum {
    OPT_STRATEGY = 256,
    OPT_FAIL_ON,
    OPT_ENABLE,
    OPT_DISABLE,
    OPT_RULES,
    OPT_LIST_RULES,
    OPT_EXPLAIN,
    OPT_NO_EXCERPT,
    OPT_COLOR,
    OPT_MAX_FILE_SIZE,
    OPT_MAX_DEPTH,
    OPT_MAX_ALIAS,
    OPT_EXCLUDE,
    OPT_BASELINE,
    OPT_WRITE_BASELINE
};

static const struct option longopts[] = {
    {"primary", required_argument, NULL, 'p'},
    {"standby", required_argument, NULL, 's'},
    {"strategy", required_argument, NULL, OPT_STRATEGY},
    {"config", required_argument, NULL, 'c'},
    {"format", required_argument, NULL, 'f'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"enable", required_argument, NULL, OPT_ENABLE},
    {"disable", required_argument, NULL, OPT_DISABLE},
    {"rules", required_argument, NULL, OPT_RULES},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
    {"list-rules", no_argument, NULL, OPT_LIST_RULES},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"no-excerpt", no_argument, NULL, OPT_NO_EXCERPT},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
    {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
    {"max-alias-nodes", required_argument, NULL, OPT_MAX_ALIAS},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"jobs", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int push(void *arrp, size_t *n, size_t size, const void *item)
{
    void **arr = arrp;
    void *na = realloc(*arr, (*n + 1) * size);
    if (!na)
        return RL_ENOMEM;
    memcpy((char *)na + *n * size, item, size);
    *arr = na;
    (*n)++;
    return RL_OK;
}

/* Appends the comma-separated items of `arg` to a string list. */
static int push_list(rl_cli *cli, const char ***list, size_t *n, const char *arg)
{
    const char *p = arg;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len) {
            char *item = strndup(p, len);
            if (!item || push(&cli->owned, &cli->nowned, sizeof(char *), &item) < 0 ||
                push(list, n, sizeof(char *), &item) < 0)
                return RL_ENOMEM;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return RL_OK;
}

static int parse_size(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return -1;
    unsigned long long mult = 1;
    if (*end == 'K' || *end == 'k')
        mult = 1024ULL, end++;
    else if (*end == 'M' || *end == 'm')
        mult = 1024ULL * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mult = 1024ULL * 1024 * 1024, end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v == 0 || v > (unsigned long long)SIZE_MAX / mult)
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

int rl_cli_parse(rl_cli *cli, int argc, char **argv, rl_error *err)
{
    memset(cli, 0, sizeof(*cli));
    cli->lint.strategy = -1;
    cli->fail_on = RL_LEVEL_WARNING;
    cli->excerpt = true;
    optind = 1;
    opterr = 0;
    int c, rc = RL_OK;
    while (rc == RL_OK && (c = getopt_long(argc, argv, ":p:s:c:f:j:qvVh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            cli->lint.primary = optarg;
            break;
        case 's':
            rc = push_list(cli, &cli->lint.standby, &cli->lint.nstandby, optarg);
            break;
        case OPT_STRATEGY:
            if ((cli->lint.strategy = rl_strategy_parse(optarg)) < 0)
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "unknown strategy '%s' (expected backup-restore, "
                                    "pilot-light, warm-standby, hot-standby, active-active)",
                                    optarg);
            break;
        case 'c':
            cli->lint.config_path = optarg;
            break;
        case 'f': {
            rl_cli_format f = {optarg, NULL};
            char *colon = strchr(optarg, ':');
            if (colon) {
                char *name = strndup(optarg, (size_t)(colon - optarg));
                if (!name || push(&cli->owned, &cli->nowned, sizeof(char *), &name) < 0)
                    return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
                f.name = name;
                f.file = colon + 1;
                if (!*f.file)
                    f.file = NULL;
            }
            if (!rl_reporter_find(f.name))
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0, "unknown format '%s' (expected %s)",
                                    f.name, rl_reporter_names());
            rc = push(&cli->formats, &cli->nformats, sizeof(f), &f);
            break;
        }
        case OPT_FAIL_ON: {
            int lv = rl_level_parse(optarg);
            if (lv < 0)
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "--fail-on takes error, warning, note or none, not '%s'",
                                    optarg);
            cli->fail_on = (rl_level)lv;
            break;
        }
        case OPT_ENABLE:
            rc = push_list(cli, &cli->lint.enable, &cli->lint.nenable, optarg);
            break;
        case OPT_DISABLE:
            rc = push_list(cli, &cli->lint.disable, &cli->lint.ndisable, optarg);
            break;
        case OPT_EXCLUDE:
            rc = push(&cli->lint.exclude, &cli->lint.nexclude, sizeof(char *), &optarg);
            break;
        case OPT_RULES:
            rc = push(&cli->lint.rule_paths, &cli->lint.nrule_paths, sizeof(char *), &optarg);
            break;
        case OPT_BASELINE:
            cli->lint.baseline = optarg;
            break;
        case OPT_WRITE_BASELINE:
            cli->lint.write_baseline = optarg;
            break;
        case OPT_LIST_RULES:
            cli->action = RL_CLI_LIST_RULES;
            break;
        case OPT_EXPLAIN:
            cli->action = RL_CLI_EXPLAIN;
            cli->explain = optarg;
            break;
        case OPT_NO_EXCERPT:
            cli->excerpt = false;
            break;
        case OPT_COLOR:
            if (!strcmp(optarg, "auto"))
                cli->color = RL_COLOR_AUTO;
            else if (!strcmp(optarg, "always"))
                cli->color = RL_COLOR_ALWAYS;
            else if (!strcmp(optarg, "never"))
                cli->color = RL_COLOR_NEVER;
            else
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "--color takes auto, always or never, not '%s'", optarg);
            break;
        case OPT_MAX_FILE_SIZE:
            if (parse_size(optarg, &cli->lint.max_file_size) < 0)
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "--max-file-size takes a size such as 64M, not '%s'", optarg);
            break;
        case OPT_MAX_DEPTH: {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);
            if (!end || *end || v < 8 || v > 100000)
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "--max-depth takes a number from 8 to 100000, not '%s'",
                                    optarg);
            cli->lint.max_depth = (unsigned)v;
            break;
        }
        case OPT_MAX_ALIAS: {
            char *end = NULL;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (!end || *end || v < 1)
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "--max-alias-nodes takes a positive number, not '%s'", optarg);
            cli->lint.max_alias_nodes = v;
            break;
        }
        case 'j': {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);
            if (!end || *end || optarg[0] == '-' || v < 1 || v > RL_MAX_JOBS)
                return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                                    "--jobs takes a number from 1 to %d, not '%s'", RL_MAX_JOBS,
                                    optarg);
            cli->lint.jobs = (unsigned)v;
            break;
        }
        case 'q':
            cli->quiet = true;
            break;
        case 'v':
            cli->verbose = true;
            break;
        case 'V':
            cli->action = RL_CLI_VERSION;
            break;
        case 'h':
            cli->action = RL_CLI_HELP;
            break;
        case ':':
            return rl_error_set(err, RL_EINVAL, NULL, 0, 0, "option '%s' needs a value",
                                argv[optind - 1]);
        default:
            return rl_error_set(err, RL_EINVAL, NULL, 0, 0, "unknown option '%s'",
                                argv[optind - 1]);
        }
    }
    if (rc < 0)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if (cli->action != RL_CLI_LINT)
        return RL_OK;
    for (int i = optind; i < argc; i++)
        if (push(&cli->lint.paths, &cli->lint.npaths, sizeof(char *), &argv[i]) < 0)
            return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if (!cli->lint.npaths)
        return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                            "no PATH given: name the files or folders to lint (e.g. 'regionlint "
                            ".')");
    if (!cli->nformats) {
        rl_cli_format f = {"text", NULL};
        if (push(&cli->formats, &cli->nformats, sizeof(f), &f) < 0)
            return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    }
    size_t to_stdout = 0;
    for (size_t i = 0; i < cli->nformats; i++)
        to_stdout += !cli->formats[i].file || !strcmp(cli->formats[i].file, "-");
    if (to_stdout > 1)
        return rl_error_set(err, RL_EINVAL, NULL, 0, 0,
                            "only one format can write to standard output; give the others a "
                            "file (-f sarif:out.sarif)");
    return RL_OK;
}

void rl_cli_free(rl_cli *cli)
{
    for (size_t i = 0; i < cli->nowned; i++)
        free(cli->owned[i]);
    free(cli->owned);
    free(cli->formats);
    free(cli->lint.paths);
    free(cli->lint.standby);
    free(cli->lint.enable);
    free(cli->lint.disable);
    free(cli->lint.rule_paths);
    free(cli->lint.exclude);
    memset(cli, 0, sizeof(*cli));
}
