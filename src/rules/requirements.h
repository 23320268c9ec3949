/* Helpers of the requirements family (src/rules/requirements.c) that unit tests reach. */
#ifndef RL_RULES_REQUIREMENTS_H
#define RL_RULES_REQUIREMENTS_H

#include <stdbool.h>
#include <stddef.h>

/* Orders instance classes of one family: "db.r6g.2xlarge" gives the family "db.r6g" and the
 * rank 4 (in units of "large": large 1, xlarge 2, 2xlarge 4, ...; metal above all); a suffix
 * after the size belongs to the family ("r6g|search" for r6g.large.search). False when the
 * class has no size (db.serverless), so it cannot be ordered. */
bool rl_instance_class_rank(const char *cls, char *family, size_t famsz, double *rank);

#endif
