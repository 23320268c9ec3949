/* Reporters: format the finished findings of a run (text, JSON, SARIF, ...). Reporters
 * never decide anything: levels, suppressions and order are settled before they run. */
#ifndef REGIONLINT_REPORT_H
#define REGIONLINT_REPORT_H

#include <stdio.h>

#include "finding.h"
#include "input.h"
#include "rule.h"

typedef struct rl_report {
    const rl_registry *registry;
    const rl_findings *findings; /* sorted; suppressed ones carry `suppressed` */
    const rl_inputs *inputs;     /* for read/parse errors and skipped files */
    const char *primary;
    const char **standby;
    size_t nstandby;
    rl_strategy strategy;
    rl_level fail_on;
    bool color;         /* ANSI colour (text) */
    bool excerpt;       /* source excerpts with a caret underline (text) */
    bool quiet;         /* text: no summary line */
    bool verbose;       /* text: list skipped files */
    const char *notice; /* extra run-level notification (e.g. truncation), or NULL */
} rl_report;

typedef int (*rl_reporter_fn)(FILE *out, const rl_report *r, rl_error *err);

/* The reporter for a format name ("text", "json", "sarif", ...), or NULL. */
rl_reporter_fn rl_reporter_find(const char *format);
/* Comma-separated list of the format names, for --help and error messages. */
const char *rl_reporter_names(void);

int rl_report_text(FILE *out, const rl_report *r, rl_error *err);
int rl_report_json(FILE *out, const rl_report *r, rl_error *err);
int rl_report_sarif(FILE *out, const rl_report *r, rl_error *err);
/* GitHub Actions workflow commands (::error file=…,line=…::message), one per finding. */
int rl_report_github(FILE *out, const rl_report *r, rl_error *err);
/* JUnit XML: one testsuite per file, one testcase per rule and file. */
int rl_report_junit(FILE *out, const rl_report *r, rl_error *err);
/* A Markdown summary for a pull-request comment or job summary (under 65,536 chars). */
int rl_report_markdown(FILE *out, const rl_report *r, rl_error *err);
/* One self-contained HTML page for audits. */
int rl_report_html(FILE *out, const rl_report *r, rl_error *err);

/* Counts of unsuppressed findings per level and of suppressed ones. */
typedef struct rl_report_counts {
    size_t error, warning, note, suppressed, files;
} rl_report_counts;
void rl_report_count(const rl_report *r, rl_report_counts *out);

#endif
