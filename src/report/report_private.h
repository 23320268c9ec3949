/* Helpers shared by the JSON-based reporters. */
#ifndef RL_REPORT_PRIVATE_H
#define RL_REPORT_PRIVATE_H

#include <jansson.h>
#include <regionlint/report.h>

#include "../base/strbuf.h"

/* A JSON string of s; invalid UTF-8 bytes become U+FFFD (file names can hold anything). */
json_t *rl_json_str(const char *s);
/* Writes a JSON value followed by a newline; 0 or RL_EIO. */
int rl_json_write(FILE *out, json_t *root, rl_error *err);

/* ---- SARIF (sarif.c) --------------------------------------------------------------- */

/* GitHub code scanning's limits (docs.github.com, "SARIF results exceed one or more
 * limits"): a log over a hard limit is rejected whole; over 10 tags, tags are dropped. */
#define RL_SARIF_MAX_RESULTS   25000
#define RL_SARIF_MAX_LOCATIONS 1000 /* per result: the primary location + related ones */
#define RL_SARIF_MAX_TAGS      10
/* The upload limit is 10 MB gzipped. The log is measured with rl_sarif_gzip_size(), an
 * upper estimate of what gzip makes of it; 10% under the limit leaves room for the
 * difference between that estimate and the uploader's compressor. */
#define RL_SARIF_MAX_GZIP    9000000
#define RL_SARIF_MAX_SKIPPED 1000 /* skipped files listed one by one before a summary */

/* What rl_report_sarif() uses; tests lower the limits to exercise truncation. */
typedef struct rl_sarif_opts {
    size_t max_results;
    size_t max_locations;
    size_t max_tags;
    size_t max_gzip; /* bytes of the gzipped log */
    size_t max_skipped;
    /* Absolute directory that %SRCROOT% stands for (relative paths are relative to it);
     * NULL: $RL_SARIF_SRCROOT when set to an absolute path or a file: URI (golden tests:
     * output independent of the checkout's place), else the current directory. */
    const char *srcroot;
} rl_sarif_opts;

/* The defaults above, srcroot NULL. */
void rl_sarif_opts_default(rl_sarif_opts *o);
/* rl_report_sarif() with explicit options. */
int rl_report_sarif_opts(FILE *out, const rl_report *r, const rl_sarif_opts *o, rl_error *err);
/* An upper estimate of the size of `n` bytes gzipped (exposed for tests). */
size_t rl_sarif_gzip_size(const char *s, size_t n);
/* Appends the SARIF artifact URI of a display path to `out`. Returns true when the URI is
 * relative to %SRCROOT% (repository-relative), false when it is an absolute file: URI
 * (absolute paths outside `srcroot`, or "../" paths that leave it). `srcroot` is an
 * absolute directory path or NULL. */
bool rl_sarif_uri(rl_strbuf *out, const char *path, const char *srcroot);

#endif
