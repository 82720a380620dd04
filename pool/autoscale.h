/* SPDX-License-Identifier: ISC */
/*
 * Pools that size themselves: the decision only, pure like pool.c.  The
 * supervisor samples (idle workers from the scoreboard, the listen queue
 * from TCP_INFO, open connections), at an interval and only for pools
 * whose mode needs it; this says what the target should be, and why.
 */
#ifndef POOLD_AUTOSCALE_H
#define POOLD_AUTOSCALE_H

#include <stdbool.h>
#include <stdint.h>

enum scale_mode {
	SCALE_STATIC,	/* the target moves by signal or command only */
	SCALE_DYNAMIC,	/* PHP-FPM's: min_spare..max_spare idle workers */
	SCALE_BACKLOG,	/* by how long connections wait in the queue */
	SCALE_ONDEMAND,	/* none until a connection comes, none when idle */
};

struct scale_conf {
	enum scale_mode	sc_mode;
	int		sc_min_spare;		/* dynamic */
	int		sc_max_spare;
	unsigned	sc_up_after_ms;		/* backlog: queue non-empty */
	unsigned	sc_down_after_ms;	/* backlog: queue empty */
	unsigned	sc_cooldown_ms;		/* between two changes */
	unsigned	sc_idle_ms;		/* ondemand: back to zero */
	int		sc_active;		/* ondemand: workers when busy */
};

/* One look at the pool. */
struct scale_sample {
	int		ss_idle;	/* dynamic: workers with nothing to do */
	unsigned	ss_queued;	/* connections waiting to be accepted */
	bool		ss_active;	/* ondemand: requests or connections */
};

struct scale_state {
	uint64_t	st_queued_since;	/* 0: the queue was empty */
	uint64_t	st_empty_since;		/* 0: it was not */
	uint64_t	st_changed;		/* the last change, for cooldown */
	uint64_t	st_active;		/* ondemand: last sign of use */
};

/*
 * The target the pool should have at now, within min..max, given the
 * sample.  *why is a static string when it differs from target, else
 * NULL.
 */
int	 scale_decide(const struct scale_conf *, struct scale_state *,
	    const struct scale_sample *, uint64_t now, int target, int min,
	    int max, const char **why);

const char *scale_mode_name(enum scale_mode);
int	 scale_mode_parse(const char *, enum scale_mode *);

#endif
