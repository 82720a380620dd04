/*
 * --check-config beyond the syntax, as `nginx -t` does: what the
 * configuration names must exist and be usable, checked without changing
 * anything (no file created or truncated, no socket bound).
 */
#ifndef POOLD_CONFCHECK_H
#define POOLD_CONFCHECK_H

#include <stddef.h>

struct poold_conf;

/* Distinct listen addresses over every pool. */
size_t	 confcheck_nlisteners(const struct poold_conf *);

#endif
