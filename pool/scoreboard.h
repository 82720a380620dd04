/* SPDX-License-Identifier: ISC */
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
	_Atomic uint32_t	se_conns;	/* connections open */
	uint32_t		se_pad[8];	/* one cache line each */
};

/*
 * One per pool: what its built-in workers need to share the pool's
 * connections fairly.  The kernel hands a new connection to whichever
 * worker's epoll comes first in the listener's wait queue, so without
 * this one worker of a pool may hold nine tenths of them, and its
 * clients wait longer than the others'.  Workers keep sg_conns; the
 * arbiter keeps sg_workers, and takes a dead worker's connections off.
 */
#define SB_GROUPS	1024

struct sb_group {
	_Atomic uint32_t	sg_conns;	/* open, all workers together */
	_Atomic uint32_t	sg_workers;	/* running */
	uint32_t		sg_pad[14];
};

/* Arbiter side. */
int		 sb_create(void);		/* 0 or -1 */
int		 sb_alloc(void);		/* an index, or -1 if full */
void		 sb_release(int);
struct sb_entry	*sb_entry(int);			/* NULL for -1 */
int		 sb_group_alloc(void);		/* an index, or -1 if full */
void		 sb_group_release(int);
struct sb_group	*sb_group(int);			/* NULL for -1 */
void		 sb_joined(struct sb_group *);
void		 sb_left(struct sb_group *, const struct sb_entry *);

/* Worker side, on the entry the arbiter gave it. */
uint64_t	 sb_now_ms(void);
void		 sb_beat(struct sb_entry *);
void		 sb_beat_at(struct sb_entry *, uint64_t ms);
void		 sb_begin(struct sb_entry *);
void		 sb_end(struct sb_entry *, uint64_t bytes);
void		 sb_conn_open(struct sb_entry *, struct sb_group *);
void		 sb_conn_close(struct sb_entry *, struct sb_group *);
bool		 sb_over_share(const struct sb_group *, size_t mine);

#endif
