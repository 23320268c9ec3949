/* Files of rules/ and docs/rules/ compiled into the binary (see embed.cmake). */
#ifndef RL_EMBEDDED_H
#define RL_EMBEDDED_H

#include <stddef.h>

typedef struct rl_embedded_file {
    const char *path; /* relative to the source tree, e.g. "rules/dependency.yaml" */
    const char *data; /* NUL-terminated */
    size_t len;
} rl_embedded_file;

/* Terminated by an entry whose path is NULL. */
extern const rl_embedded_file rl_embedded_files[];

#endif
