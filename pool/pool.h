/* SPDX-License-Identifier: ISC */
/*
 * A pool's workers and the policy that keeps them at target.
 *
 * Everything here is pure: time comes in as an argument and side effects
 * go out through struct pool_ops, so the policy is tested without a single
 * process.  Signals and commands only change the target, the generation or
 * the mode; pool_reconcile() is the one step that converges, Gunicorn's
 * manage_workers() in one place.
 */
#ifndef POOLD_POOL_H
#define POOLD_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backoff.h"
#include "end.h"
#include "notifymsg.h"

#define POOL_NEVER		UINT64_MAX
#define POOL_BOOT_WINDOW_MS	1000	/* dying sooner is a failed boot */
#define POOL_STORM_FORGET_MS	60000	/* troubled deaths further apart
					   than this start the count again */
#define POOL_QUICK_STOP_MS	1000	/* INT/QUIT: SIGKILL after this */
#define POOL_SLOTS_MAX		4096	/* the most workers a pool may have */
#define POOL_ABORT_GRACE_MS	2000	/* after SIGABRT, SIGKILL */
#define POOL_BOOT_STOP_MS	5000	/* after boot_timeout's stop signal,
					   SIGKILL within this (or the pool's
					   graceful_timeout, if shorter) */
#define POOL_NOTE_MAX		128	/* bytes of a slot's last exit note */

enum worker_state {
	WS_RUNNING,	/* started; counts towards the target */
	WS_STOPPING,	/* sent its stop signal; SIGKILL at w_deadline */
	WS_KILLED,	/* sent SIGKILL; waiting to be reaped */
};

struct worker {
	pid_t		  w_pid;
	unsigned	  w_slot;	/* POOLD_WORKER_ID, 0..target-1 */
	unsigned	  w_gen;	/* pool generation it was started in */
	uint64_t	  w_seq;	/* order of starting, from 1 */
	enum worker_state w_state;
	bool		  w_probe;	/* started while backing off */
	bool		  w_asked;	/* signalled from outside the policy
					   (poolctl kill, an operator's or the
					   OOM killer's SIGKILL): its death is
					   no failed boot */
	uint64_t	  w_started;	/* ms, monotonic */
	uint64_t	  w_deadline;	/* WS_STOPPING: when to SIGKILL */
	int		  w_board;	/* scoreboard entry, or -1 */
	/* Health, from the notify socket or the scoreboard. */
	bool		  w_ready;	/* sent READY=1 */
	bool		  w_said_stopping;	/* sent STOPPING=1 */
	bool		  w_trigger;	/* sent WATCHDOG=trigger */
	uint64_t	  w_kill_at;	/* ms of poolctl kill's signal, or 0 */
	enum worker_end	  w_recycle;	/* to be recycled, and why; END_NONE:
					   not */
	enum worker_end	  w_due;	/* w_recycle, once the worker is
					   ready: being replaced now */
	uint64_t	  w_recycle_at;	/* max_lifetime (+ jitter) ends */
	uint64_t	  w_boot_deadline;	/* ready=notify: READY=1 due */
	uint64_t	  w_beat;	/* last sign of life (ms) */
	enum worker_end	  w_end;	/* why it was stopped or killed */
	int		  w_errno;	/* ERRNO=, 0 if none */
	unsigned	  w_facts;	/* PF_*: how its tree ended */
	char		  w_status[NOTIFY_STATUS_MAX];	/* STATUS= */
};

struct pool_limits {
	int		pl_min;		/* TTOU floor */
	int		pl_max;		/* TTIN ceiling */
	int		pl_stop_signal;
	unsigned	pl_graceful_ms;
	bool		pl_ready_notify;	/* ready = notify */
	bool		pl_ready_early;	/* else READY=1 ends the window early
					   (built-in workers say it once
					   they accept) */
	unsigned	pl_boot_window_ms;	/* else ready after this long
						   alive; 0: POOL_BOOT_WINDOW_MS */
	unsigned	pl_boot_timeout_ms;	/* ready = notify: READY=1
						   due within this */
	unsigned	pl_timeout_ms;	/* watchdog; 0: none */
	unsigned	pl_max_surge;	/* replacements booting at once beside
					   the workers they replace; 0: any */
	uint64_t	pl_max_lifetime_ms;	/* recycle after; 0: never */
	uint64_t	pl_lifetime_jitter_ms;	/* + up to this, per worker */
};

/* Who set a pool's target last. */
enum pool_target_cause {
	PT_CONFIG,	/* the configured size, at start */
	PT_SIGNAL,	/* TTIN, TTOU */
	PT_WINCH,	/* WINCH: 0, below the minimum on purpose */
	PT_CONTROL,	/* poolctl scale */
	PT_AUTOSCALE,	/* the pool's scale mode */
	PT_RELOAD,	/* HUP, poolctl reload */
	PT_UPGRADE,	/* the size it had before poolctl upgrade */
	PT_NCAUSES
};

enum pool_mode {
	PM_RUN,
	PM_STOP,	/* graceful: stop signal, SIGKILL after graceful_ms */
	PM_QUICK,	/* SIGTERM, SIGKILL after POOL_QUICK_STOP_MS */
};

struct pool {
	char		   *p_name;
	struct pool_limits  p_lim;
	int		    p_target;
	enum pool_target_cause p_target_cause;
	unsigned	    p_gen;
	enum worker_end	    p_gen_end;	/* what older generations are
					   replaced for: reload, restart,
					   upgrade */
	enum pool_mode	    p_mode;
	struct worker	   *p_w;
	size_t		    p_nw;
	size_t		    p_capw;
	struct backoff	    p_backoff;
	unsigned	    p_storms;	/* troubled deaths in a row */
	uint64_t	    p_storm_at;	/* ms of the last */
	void		   *p_ctx;	/* the supervisor's, untouched here */
	char		  (*p_notes)[POOL_NOTE_MAX];	/* per slot: how its
							   last worker ended */
	size_t		    p_nnotes;
	uint64_t	    p_rand;	/* jitter; the supervisor may seed it */
	uint64_t	    p_seq;	/* the last w_seq given */
};

/* Side effects, performed by the supervisor (or a test's fake). */
struct pool_ops {
	/* Start a worker in slot; its pid, or -1 if it could not start.
	   *board: its scoreboard entry, or -1 (left -1 if unused). */
	pid_t	(*spawn)(void *arg, struct pool *, unsigned slot, int *board);
	/* Deliver sig to w; why is for the log. */
	void	(*signal)(void *arg, struct pool *, const struct worker *,
		    int sig, const char *why);
	void	 *arg;
};

/* What the supervisor found of a worker's tree as its main process was
   reaped (pool_exit_facts). */
#define PF_OOM		0x1	/* the OOM killer took it (memory.events) */
#define PF_LEFT_TREE	0x2	/* descendants outlived its main process */
#define PF_TASKS_MAX	0x4	/* its tree hit tasks_max (pids.events) */

struct pool_exit {
	unsigned	pe_slot;
	unsigned	pe_facts;	/* PF_* */
	uint64_t	pe_age_ms;
	enum worker_end	pe_end;		/* why it ended */
	enum exit_kind	pe_kind;	/* end_kind(pe_end) */
	uint64_t	pe_backoff_ms;	/* EXIT_FAILED_BOOT, or a troubled
					   death: delay before the next
					   spawn; else 0 */
	int		pe_board;	/* its scoreboard entry, or -1 */
};

int	 pool_init(struct pool *, const char *name, const struct pool_limits *,
	    int target);
void	 pool_free(struct pool *);

/*
 * Signals and commands only move the target, generation or mode.
 *
 * The target moves here and nowhere else: target within min..max, clamped
 * into them where clamp, else refused (-1, nothing changes).  Below the
 * minimum only on purpose: PT_WINCH sets 0 whatever target says, and
 * PT_SIGNAL steps there never go further down.  The cause is kept for
 * status.  (The supervisor's arbiter_set_target logs and announces it.)
 */
int	 pool_set_target(struct pool *, int target, enum pool_target_cause,
	    bool clamp);
/* "winch", for programs; "WINCH: idle until ...", for the log. */
const char *pool_target_cause_name(enum pool_target_cause);
const char *pool_target_cause_text(enum pool_target_cause);
/* A new generation with these limits: every worker is replaced, for why
   (END_RELOAD, END_RESTART or END_UPGRADE). */
void	 pool_reload(struct pool *, const struct pool_limits *,
	    enum worker_end why);
void	 pool_stop(struct pool *, bool quick);
bool	 pool_done(const struct pool *);

/* Converge; returns the next deadline (ms) or POOL_NEVER. */
uint64_t pool_reconcile(struct pool *, uint64_t now, const struct pool_ops *);

/*
 * A worker carried over an in-place upgrade of the arbiter, started at
 * started (ms, our clock), ready or not; stopping ones (for why) get
 * SIGKILL at deadline.  It is of the current generation: pool_reload()
 * after adopting replaces it by the rolling rule.  0, or -1 without
 * memory.
 */
int	 pool_adopt(struct pool *, pid_t, unsigned slot, uint64_t started,
	    uint64_t now, bool ready, bool stopping, uint64_t deadline,
	    enum worker_end why);

/*
 * pid died of a SIGKILL we did not send: an operator or the OOM killer
 * ended it, not its own start, so it is no failed boot.  (A crash is a
 * SIGSEGV, a SIGABRT or an exit code.)  Call before pool_reaped().
 */
void	 pool_killed(struct pool *, pid_t);
/* w is signalled by `poolctl kill` at now: if it ends within the pool's
   graceful timeout (a second at least), that is why; after that, the
   signal was one it took (USR1, say), and its end is its own. */
void	 pool_kill_asked(struct worker *, uint64_t now);

/* A child was reaped: 0 and *out filled if pid was ours, else -1. */
int	 pool_reaped(struct pool *, pid_t, uint64_t now, struct pool_exit *);
/*
 * Before pool_reaped: what became of pid's tree (PF_*).  A death with
 * PF_OOM is END_OOM; a death on its own that leaves descendants behind
 * (not an operator's kill) or hits tasks_max, or an OOM kill, backs the
 * pool off as a failed boot does: a worker that keeps doing that is an
 * orphan storm, not a pool to refill at once.
 */
void	 pool_exit_facts(struct pool *, pid_t, unsigned facts);

/*
 * A notify message from pid: -1 if pid is not one of ours, else 0, with
 * *became_ready set when this message made it ready.
 */
int	 pool_notified(struct pool *, pid_t, const struct notify_msg *,
	    uint64_t now, bool *became_ready);
/* How the last worker in slot ended, for status; text is cut to fit.
   Without memory the note is dropped: it is only for people. */
void	 pool_note_exit(struct pool *, unsigned slot, const char *text);
/* That note, or NULL if the slot's worker never ended. */
const char *pool_exit_note(const struct pool *, unsigned slot);
/*
 * Recycle w, for why (END_MAX_*, END_RECYCLE_ASKED): once it is ready, the rolling
 * rule replaces it, then retires it, as after a reload.  Waiting for
 * readiness keeps a worker that reaches max_requests while it boots from
 * being replaced by one that does the same, and so on without end.  Once
 * only; workers of an old generation are being replaced already.
 */
void	 pool_recycle(struct pool *, struct worker *, enum worker_end why);
/* A built-in worker's scoreboard heartbeat (ms, the same clock). */
void	 pool_heartbeat(struct worker *, uint64_t beat);
/* Ready: sent READY=1 (ready = notify) or past the boot window. */
bool	 pool_worker_ready(const struct pool *, const struct worker *,
	    uint64_t now);

/* When the next running current worker will be ready by the clock
   alone (ready = started), or POOL_NEVER. */
uint64_t	 pool_next_ready(const struct pool *, uint64_t now);

struct worker	*pool_find(struct pool *, pid_t);
size_t		 pool_count(const struct pool *, enum worker_state);
/*
 * Running workers of the current generation, not due for recycling, that
 * are ready: the ones the policy trusts to replace old workers.
 */
size_t		 pool_ready(const struct pool *, uint64_t now);
/*
 * Running workers that are ready, of any generation: what serves now
 * (during a rolling replacement the old ones still do); *old of them of
 * an older generation, or due for recycling.
 */
size_t		 pool_serving(const struct pool *, uint64_t now, size_t *old);

#endif
