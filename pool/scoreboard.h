/*
 * The scoreboard: one shared, anonymous mapping made by the arbiter before
 * it forks, with one entry per built-in worker process (as Apache's and
 * PHP-FPM's).  A worker writes only its own entry, with relaxed atomics;
 * the arbiter reads them for status and, later, for heartbeat timeouts
 * and autoscaling.  No file system traffic, no system call per request.
 */
#ifndef POOLD_SCOREBOARD_H
#define POOLD_SCOREBOARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_ENTRIES	16384	/* processes at once, all pools together */

struct sb_entry {
	_Atomic uint64_t	se_heartbeat;	/* CLOCK_MONOTONIC ms */
	_Atomic uint64_t	se_requests;
	_Atomic uint64_t	se_bytes;	/* body bytes sent */
	_Atomic uint32_t	se_busy;	/* requests in progress */
	uint32_t		se_pad[9];	/* one cache line each */
};

/* Arbiter side. */
int		 sb_create(void);		/* 0 or -1 */
int		 sb_alloc(void);		/* an index, or -1 if full */
void		 sb_release(int);
struct sb_entry	*sb_entry(int);			/* NULL for -1 */

/* Worker side, on the entry the arbiter gave it. */
uint64_t	 sb_now_ms(void);
void		 sb_beat(struct sb_entry *);
void		 sb_begin(struct sb_entry *);
void		 sb_end(struct sb_entry *, uint64_t bytes);

#endif
