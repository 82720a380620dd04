/* SPDX-License-Identifier: ISC */
/*
 * --check-config beyond the syntax, as `nginx -t` does: what the
 * configuration names must exist and be usable, checked without changing
 * anything (no file created or truncated, no socket bound).
 */
#ifndef POOLD_CONFCHECK_H
#define POOLD_CONFCHECK_H

#include <stddef.h>

struct poold_conf;

/* The world as c names it: host names resolve, the pidfile and log
   files can be appended to, app modules load, cgroup limits can be set.  0, or -1 with err (with
   FILE:LINE where there is one). */
int	 confcheck_world(const struct poold_conf *, char *err, size_t len);
/* Each pool's memory_high, memory_max and tasks_max have the controller
   they need in the workers' cgroups (as far as can be told before
   poold's own cgroups are made); 0, or -1 with err. */
int	 confcheck_cgroups(const struct poold_conf *, char *err, size_t len);
/* Distinct listen addresses over every pool. */
size_t	 confcheck_nlisteners(const struct poold_conf *);

#endif
