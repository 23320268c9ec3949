/* Helpers shared by the JSON-based reporters. */
#ifndef RL_REPORT_PRIVATE_H
#define RL_REPORT_PRIVATE_H

#include <jansson.h>
#include <regionlint/report.h>

/* A JSON string of s; invalid UTF-8 bytes become U+FFFD (file names can hold anything). */
json_t *rl_json_str(const char *s);
/* Writes a JSON value followed by a newline; 0 or RL_EIO. */
int rl_json_write(FILE *out, json_t *root, rl_error *err);

#endif
