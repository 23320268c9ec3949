/* Internals shared by the input stage's files (discovery, classification, attribution). */
#ifndef RL_INPUTS_PRIVATE_H
#define RL_INPUTS_PRIVATE_H

#include <regionlint/input.h>

/* Copy of s that lives as long as the inputs; NULL when out of memory. */
const char *rl_inputs_strdup(rl_inputs *in, const char *s);

#endif
