/* SPDX-License-Identifier: ISC */
/*
 * The arbiter: one event loop over a signalfd, sleeping until the next
 * deadline.  It owns the listeners and the pools and never talks to a
 * client.
 */
#ifndef POOLD_ARBITER_H
#define POOLD_ARBITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "pool.h"

struct cli;

/*
 * Open every listener and prepare the loop.  Takes the config; on error
 * returns -1 with err set and leaves nothing open.
 */
int	 arbiter_init(struct poold_conf *, const struct cli *, char *err,
	    size_t errlen);
/*
 * Be told, once, how the start went: why is NULL when every pool has a
 * ready worker (or wants none), else why a pool has none (its workers all
 * failed to boot); the arbiter runs on either way.  For -D's first parent.
 */
void	 arbiter_on_start(void (*)(const char *why));
/* Run until stopped; the process exit code. */
int	 arbiter_run(void);
/* Close listeners (unlinking socket files we made) and free everything. */
void	 arbiter_cleanup(void);

/*
 * For control commands.  They read state, or change a target, a
 * generation or the mode; the reconcile step after the command converges.
 */
struct pool;
const struct poold_conf	*arbiter_conf(void);
size_t			 arbiter_npools(void);
struct pool		*arbiter_pool(size_t);
/* NULL for a pool that a reload removed and that is draining. */
const struct pool_conf	*arbiter_pool_conf(const struct pool *);
struct pool		*arbiter_pool_named(const char *);	/* running */
/* Whether exec workers' output goes to the log (capture_output). */
bool			 arbiter_capturing(void);
/* A pool called name with no configuration, stopping: for workers
   carried across `poolctl upgrade` whose pool the new configuration
   does not have; they leave by the pool's own stop path.  NULL without
   memory. */
struct pool		*arbiter_pool_removed(const char *name);
bool			 arbiter_stopping(void);	/* draining too */
bool			 arbiter_draining(void);
uint64_t		 arbiter_uptime_ms(void);
/* Successful reloads since start. */
unsigned		 arbiter_generation(void);
/*
 * The one way a pool's target moves: pool_set_target's rule (clamped, or
 * refused with -1 where !clamp), then, if it moved, one log line and one
 * `scaled` event, with why (may be NULL) beside the cause.
 */
int			 arbiter_set_target(struct pool *, int target,
			    enum pool_target_cause, bool clamp,
			    const char *why);
/* Replace every worker of the pool, for why (END_RESTART, END_UPGRADE). */
void			 arbiter_restart(struct pool *, enum worker_end why);
/* Signal the running worker in slot; -1 if there is none. */
int			 arbiter_kill(struct pool *, unsigned slot, int sig,
			    pid_t *);
/* 0, or -1 with err: the running configuration is then kept. */
int			 arbiter_reload(char *err, size_t len);
void			 arbiter_request_stop(bool quick);
/* As a drain signal: drain, then stop gracefully (no drain_delay: at
   once). */
void			 arbiter_request_drain(void);
void			 arbiter_reopen(void);
/* poolctl upgrade: execute path in place once this step is done (the
   reply first).  -1 without memory. */
int			 arbiter_upgrade_in_place(const char *path);

/* What happened to a pool's workers since it was made. */
struct pool_stats {
	uint64_t	ps_spawns;
	uint64_t	ps_exits[END_NREASONS];	/* by why they ended */
	/* Built-in workers that have exited; the running ones' are on the
	   scoreboard. */
	uint64_t	ps_requests;
	uint64_t	ps_bytes;
};

const struct pool_stats	*arbiter_pool_stats(const struct pool *);
/* The last scaling decision's reason ("" if none) and the listen queue
   last sampled (-1: not sampled). */
const char		*arbiter_pool_scale_why(const struct pool *);
long			 arbiter_pool_queue(const struct pool *);
/* The pool's listening sockets, in its listen order. */
const int		*arbiter_pool_fds(const struct pool *, size_t *n);

/* A notify message from pid (workernotify.c): 0 if pid is a worker of
   ours, which it then applies to; -1 if not. */
struct notify_msg;
int			 arbiter_notified(pid_t, const struct notify_msg *);

#endif
