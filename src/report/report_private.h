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

/* GitHub code scanning's limits (docs.github.com, "SARIF support for code scanning"). */
#define RL_SARIF_MAX_RESULTS   25000
#define RL_SARIF_MAX_LOCATIONS 1000 /* per result: the primary location + related ones */
#define RL_SARIF_MAX_TAGS      10
/* The upload limit is 10 MB gzipped; we bound the uncompressed size, which gzip never
 * grows by more than a few hundred bytes per 10 MB, so the file is accepted whatever its
 * content compresses to. */
#define RL_SARIF_MAX_BYTES   (10000000 - 65536)
#define RL_SARIF_MAX_SKIPPED 1000 /* skipped files listed one by one before a summary */

/* What rl_report_sarif() uses; tests lower the limits to exercise truncation. */
typedef struct rl_sarif_opts {
    size_t max_results;
    size_t max_locations;
    size_t max_tags;
    size_t max_bytes;
    size_t max_skipped;
    /* Absolute directory that %SRCROOT% stands for (relative paths are relative to it);
     * NULL: $RL_SARIF_SRCROOT when set to an absolute path, else the current directory. */
    const char *srcroot;
} rl_sarif_opts;

/* The defaults above, srcroot NULL. */
void rl_sarif_opts_default(rl_sarif_opts *o);
/* rl_report_sarif() with explicit limits. */
int rl_report_sarif_opts(FILE *out, const rl_report *r, const rl_sarif_opts *o, rl_error *err);
/* Appends the SARIF artifact URI of a display path to `out`. Returns true when the URI is
 * relative to %SRCROOT% (repository-relative), false when it is an absolute file: URI
 * (absolute paths outside `srcroot`, or "../" paths that leave it). `srcroot` is an
 * absolute directory path or NULL. */
bool rl_sarif_uri(rl_strbuf *out, const char *path, const char *srcroot);

#endif
