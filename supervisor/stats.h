/* SPDX-License-Identifier: ISC */
/*
 * The numbers a fleet scrapes: per pool and per worker, for `stats` on
 * the control socket and for the Prometheus text of the metrics
 * endpoint.  Read from the arbiter's counters and the scoreboard when
 * asked; nothing is kept or sampled for them.
 */
#ifndef POOLD_STATS_H
#define POOLD_STATS_H

#include <stddef.h>
#include <stdint.h>

struct json_t;

#define STATS_TEXT_MAX	(4 << 20)	/* bytes of metrics text, at most */

/* The `stats` reply's body: { "pools": [...] }. */
struct json_t	*stats_json(uint64_t now);
/* Prometheus text exposition (format 0.0.4), malloc'd in *out; its
   length, or -1 without memory or past STATS_TEXT_MAX. */
long		 stats_prometheus(char **out, uint64_t now);

#endif
