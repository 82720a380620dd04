/* SPDX-License-Identifier: ISC */
/*
 * The pool policy.  See pool.h for the shape; the rules, in the order
 * pool_reconcile() applies them:
 *
 *  1. A worker that was asked to stop and outlives its deadline gets
 *     SIGKILL.
 *  1b. Health (applied last, after rules 3-6): with ready = notify, a worker that has not sent READY=1
 *     within boot_timeout gets SIGKILL and counts as a failed boot.  With
 *     a timeout, a ready worker silent for that long (no WATCHDOG=1, no
 *     scoreboard heartbeat), or one that sent WATCHDOG=trigger, gets
 *     SIGABRT, for a core or a stack trace, and SIGKILL after
 *     POOL_ABORT_GRACE_MS.
 *  2. A stopping pool asks every running worker to stop.
 *  3. While backing off after failed boots, one worker at a time is started
 *     as a probe; once a probe lives through the boot window the pool is
 *     healthy again and the backoff is reset.
 *  4. Workers in slots at or above the target are retired (highest slots
 *     go first on TTOU, so the slots in use stay 0..target-1).
 *  5. Every slot below the target without a running worker of the current
 *     generation gets one, unless backoff or the process cap says wait.
 *  6. A worker of an older generation is retired only once a newer
 *     worker in its slot is ready: a reload never lowers capacity, and a
 *     new config whose workers crash at start leaves the old workers
 *     serving.  While it waits, each slot keeps one old worker (a ready
 *     one, the newest), so reloads faster than workers boot still
 *     converge.
 *  7. Recycling: a worker past max_lifetime, or marked by pool_recycle()
 *     (max_requests, max_rss, its own request), is treated as if it were
 *     of an older generation, so rules 5 and 6 replace it the same way.
 *
 * Rolling replacements are bounded by max_surge: at most that many slots
 * at a time have a replacement booting beside the worker it replaces.
 * A slot with no worker at all is not a surge and is filled at once.
 *
 * "Ready" is READY=1 for a pool with ready = notify, and living through
 * the boot window otherwise.  "Current" is of the current generation and
 * not due for recycling.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define SLOT_WORDS	(POOL_SLOTS_MAX / 64)

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool
current(const struct pool *p, const struct worker *w)
{
	return w->w_gen == p->p_gen && w->w_due == END_NONE;
}

/* xorshift64: jitter only needs to differ between workers. */
static uint64_t
pool_random(struct pool *p, uint64_t below)
{
	uint64_t x = p->p_rand != 0 ? p->p_rand : UINT64_C(0x9e3779b97f4a7c15);

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p->p_rand = x;
	return below == 0 ? 0 : x % below;
}

int
pool_init(struct pool *p, const char *name, const struct pool_limits *lim,
    int target)
{
	memset(p, 0, sizeof(*p));
	if ((p->p_name = strdup(name)) == NULL)
		return -1;
	p->p_lim = *lim;
	p->p_target = target;
	p->p_target_cause = PT_CONFIG;
	p->p_gen_end = END_RELOAD;
	p->p_mode = PM_RUN;
	return 0;
}

void
pool_free(struct pool *p)
{
	free(p->p_name);
	free(p->p_w);
	free(p->p_notes);
	memset(p, 0, sizeof(*p));
}

/* Who moved a target: a word for programs, a phrase for the log. */
static const struct {
	const char	*tc_name;
	const char	*tc_text;
} target_causes[PT_NCAUSES] = {
	[PT_CONFIG] = { "config", "configured" },
	[PT_SIGNAL] = { "signal", "signal" },
	[PT_WINCH] = { "winch", "WINCH: idle until TTIN, poolctl scale or "
	    "autoscaling" },
	[PT_CONTROL] = { "control", "control" },
	[PT_AUTOSCALE] = { "autoscale", "autoscale" },
	[PT_RELOAD] = { "reload", "reload" },
	[PT_UPGRADE] = { "upgrade", "as before the upgrade" },
};

const char *
pool_target_cause_name(enum pool_target_cause c)
{
	return (size_t)c < PT_NCAUSES ? target_causes[c].tc_name : "?";
}

const char *
pool_target_cause_text(enum pool_target_cause c)
{
	return (size_t)c < PT_NCAUSES ? target_causes[c].tc_text : "?";
}

/*
 * Below the minimum only on purpose: WINCH's 0, and TTIN or TTOU once
 * there, which never go further down, so that an operator who idled
 * the pool brings it back a worker at a time.
 */
static int
target_below_min(const struct pool *p, int t, enum pool_target_cause c,
    bool clamp)
{
	if (c == PT_WINCH)
		return 0;
	if (c == PT_SIGNAL && p->p_target < p->p_lim.pl_min)
		return t >= p->p_target ? t : p->p_target;
	return clamp ? p->p_lim.pl_min : -1;
}

int
pool_set_target(struct pool *p, int target, enum pool_target_cause cause,
    bool clamp)
{
	int t = target;

	if (cause == PT_WINCH)
		t = 0;
	if (t > p->p_lim.pl_max) {
		if (!clamp)
			return -1;
		t = p->p_lim.pl_max;
	}
	if (t < p->p_lim.pl_min &&
	    (t = target_below_min(p, t, cause, clamp)) == -1)
		return -1;
	if (t < 0)
		t = 0;
	/* The cause of the target in force: a reload that keeps the size
	   poolctl scale chose leaves it poolctl's. */
	if (t != p->p_target || cause == PT_WINCH)
		p->p_target_cause = cause;
	p->p_target = t;
	return 0;
}

void
pool_reload(struct pool *p, const struct pool_limits *lim,
    enum worker_end why)
{
	p->p_lim = *lim;
	p->p_gen++;
	p->p_gen_end = why;
	/* New code deserves a fresh start, not the old config's backoff. */
	backoff_reset(&p->p_backoff);
	for (size_t i = 0; i < p->p_nw; i++)
		p->p_w[i].w_probe = false;
}

void
pool_stop(struct pool *p, bool quick)
{
	if (p->p_mode != PM_QUICK)
		p->p_mode = quick ? PM_QUICK : PM_STOP;
}

bool
pool_done(const struct pool *p)
{
	return p->p_mode != PM_RUN && p->p_nw == 0;
}

struct worker *
pool_find(struct pool *p, pid_t pid)
{
	for (size_t i = 0; i < p->p_nw; i++) {
		if (p->p_w[i].w_pid == pid)
			return &p->p_w[i];
	}
	return NULL;
}

size_t
pool_count(const struct pool *p, enum worker_state st)
{
	size_t n = 0;

	for (size_t i = 0; i < p->p_nw; i++)
		n += p->p_w[i].w_state == st;
	return n;
}

/* ready = started: how long a worker must live to count as ready.  A
   death within POOL_BOOT_WINDOW_MS is a failed boot whatever it is. */
static uint64_t
boot_window(const struct pool *p)
{
	return p->p_lim.pl_boot_window_ms != 0 ? p->p_lim.pl_boot_window_ms :
	    POOL_BOOT_WINDOW_MS;
}

bool
pool_worker_ready(const struct pool *p, const struct worker *w, uint64_t now)
{
	if (p->p_lim.pl_ready_notify)
		return w->w_ready;
	if (p->p_lim.pl_ready_early && w->w_ready)
		return true;
	return now - w->w_started >= boot_window(p);
}

/* When w will be ready by the clock alone; POOL_NEVER if only a message
   can make it so. */
static uint64_t
ready_at(const struct pool *p, const struct worker *w)
{
	if (p->p_lim.pl_ready_notify)
		return POOL_NEVER;
	return w->w_started + boot_window(p);
}

size_t
pool_ready(const struct pool *p, uint64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		n += w->w_state == WS_RUNNING && current(p, w) &&
		    pool_worker_ready(p, w, now);
	}
	return n;
}

size_t
pool_serving(const struct pool *p, uint64_t now, size_t *old)
{
	size_t n = 0;

	*old = 0;
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state != WS_RUNNING || !pool_worker_ready(p, w, now))
			continue;
		n++;
		*old += !current(p, w);
	}
	return n;
}

uint64_t
pool_next_ready(const struct pool *p, uint64_t now)
{
	uint64_t next = POOL_NEVER;

	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state == WS_RUNNING && current(p, w) &&
		    !pool_worker_ready(p, w, now))
			next = min_u64(next, ready_at(p, w));
	}
	return next;
}

/*
 * Live processes per pool are capped at twice the ceiling: enough for a
 * full rolling replacement, and a bound when HUPs arrive faster than old
 * workers stop.
 */
static size_t
proc_cap(const struct pool *p)
{
	return 2 * (size_t)(p->p_lim.pl_max > 0 ? p->p_lim.pl_max : 1);
}

static struct worker *
worker_add(struct pool *p)
{
	struct worker	*w;
	size_t		 cap;

	if (p->p_nw == p->p_capw) {
		cap = p->p_capw ? p->p_capw * 2 : 8;
		if ((w = reallocarray(p->p_w, cap, sizeof(*w))) == NULL)
			return NULL;
		p->p_w = w;
		p->p_capw = cap;
	}
	w = &p->p_w[p->p_nw++];
	memset(w, 0, sizeof(*w));
	w->w_board = -1;
	return w;
}

static void
worker_stop(struct pool *p, struct worker *w, uint64_t now,
    const struct pool_ops *ops, enum worker_end why)
{
	int		sig = p->p_lim.pl_stop_signal;
	unsigned	grace = p->p_lim.pl_graceful_ms;

	if (p->p_mode == PM_QUICK) {
		sig = SIGTERM;
		grace = POOL_QUICK_STOP_MS;
	}
	ops->signal(ops->arg, p, w, sig, end_text(why));
	w->w_state = WS_STOPPING;
	w->w_deadline = now + grace;
	w->w_end = why;
}

/* Rule 1b for one running worker; its next health deadline. */
static uint64_t
check_health(struct pool *p, struct worker *w, uint64_t now,
    const struct pool_ops *ops)
{
	uint64_t due;

	if (p->p_lim.pl_ready_notify && !w->w_ready) {
		if (now < w->w_boot_deadline)
			return w->w_boot_deadline;
		/*
		 * As systemd does at TimeoutStartSec=: the stop signal first,
		 * so that connections the worker accepted while booting are
		 * served or closed, not reset; SIGKILL after a short grace.
		 * The failed boot counts now (once: not again when it is
		 * reaped), so that the next start waits out the backoff.
		 */
		worker_stop(p, w, now, ops, END_BOOT_TIMEOUT);
		if (w->w_deadline > now + POOL_BOOT_STOP_MS)
			w->w_deadline = now + POOL_BOOT_STOP_MS;
		if (!backoff_blocks(&p->p_backoff, now))
			backoff_fail(&p->p_backoff, now);
		return w->w_deadline;
	}
	if (w->w_trigger)
		w->w_end = END_WATCHDOG_TRIGGER;
	else if (p->p_lim.pl_timeout_ms == 0)
		return POOL_NEVER;
	else if (now < (due = w->w_beat + p->p_lim.pl_timeout_ms))
		return due;
	else
		w->w_end = END_WATCHDOG;
	ops->signal(ops->arg, p, w, SIGABRT, end_text(w->w_end));
	w->w_state = WS_STOPPING;
	w->w_deadline = now + POOL_ABORT_GRACE_MS;
	return w->w_deadline;
}

static uint64_t
health(struct pool *p, uint64_t now, const struct pool_ops *ops)
{
	uint64_t next = POOL_NEVER;

	for (size_t i = 0; i < p->p_nw; i++) {
		if (p->p_w[i].w_state == WS_RUNNING)
			next = min_u64(next, check_health(p, &p->p_w[i], now,
			    ops));
	}
	return next;
}

/* Rule 1, and a quick stop shortening graceful deadlines. */
static uint64_t
escalate(struct pool *p, uint64_t now, const struct pool_ops *ops)
{
	uint64_t next = POOL_NEVER;

	for (size_t i = 0; i < p->p_nw; i++) {
		struct worker *w = &p->p_w[i];
		if (w->w_state != WS_STOPPING)
			continue;
		if (p->p_mode == PM_QUICK)
			w->w_deadline = min_u64(w->w_deadline,
			    now + POOL_QUICK_STOP_MS);
		if (now >= w->w_deadline) {
			ops->signal(ops->arg, p, w, SIGKILL,
			    "did not stop in time");
			w->w_state = WS_KILLED;
		} else
			next = min_u64(next, w->w_deadline);
	}
	return next;
}

/*
 * Rule 3: true while a probe is still inside its boot window.  A probe
 * proves the pool healthy once it is ready and has outlived the window:
 * READY=1 alone is not enough, or a program that says it and crashes at
 * once would be retried at the shortest backoff for ever.
 */
static bool
probing(struct pool *p, uint64_t now, uint64_t *next)
{
	bool busy = false;

	if (p->p_backoff.b_fails == 0)
		return false;
	for (size_t i = 0; i < p->p_nw; i++) {
		struct worker	*w = &p->p_w[i];
		uint64_t	 proven_at;

		if (!w->w_probe || w->w_state != WS_RUNNING)
			continue;
		proven_at = pool_worker_ready(p, w, now) ?
		    w->w_started + POOL_BOOT_WINDOW_MS : ready_at(p, w);
		if (now >= proven_at) {
			backoff_reset(&p->p_backoff);
			for (size_t j = 0; j < p->p_nw; j++)
				p->p_w[j].w_probe = false;
			return false;
		}
		*next = min_u64(*next, proven_at);
		busy = true;
	}
	return busy;
}

static void
slot_set(uint64_t *bits, unsigned slot)
{
	if (slot < POOL_SLOTS_MAX)
		bits[slot / 64] |= UINT64_C(1) << (slot % 64);
}

static bool
slot_isset(const uint64_t *bits, unsigned slot)
{
	return slot < POOL_SLOTS_MAX &&
	    (bits[slot / 64] >> (slot % 64) & 1) != 0;
}

/*
 * Slots that have a running current worker; with ready_only, only those
 * whose worker is ready.
 */
static void
current_slots(const struct pool *p, uint64_t *bits, uint64_t now,
    bool ready_only)
{
	memset(bits, 0, SLOT_WORDS * sizeof(*bits));
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state != WS_RUNNING || !current(p, w))
			continue;
		if (ready_only && !pool_worker_ready(p, w, now))
			continue;
		slot_set(bits, w->w_slot);
	}
}

/*
 * Slots with a running worker that is not current (one waiting to be
 * replaced), and how many of them have their replacement booting now.
 */
static size_t
surging(const struct pool *p, uint64_t *old, uint64_t now)
{
	size_t n = 0;

	memset(old, 0, SLOT_WORDS * sizeof(*old));
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state == WS_RUNNING && !current(p, w))
			slot_set(old, w->w_slot);
	}
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		n += w->w_state == WS_RUNNING && current(p, w) &&
		    slot_isset(old, w->w_slot) && !pool_worker_ready(p, w, now);
	}
	return n;
}

/* Rule 7: max_lifetime, and recycling that waited for readiness (the
   wake-ups are pool_reconcile's). */
static void
recycle_due(struct pool *p, uint64_t now)
{
	for (size_t i = 0; i < p->p_nw; i++) {
		struct worker *w = &p->p_w[i];
		if (w->w_state != WS_RUNNING || !current(p, w))
			continue;
		if (now >= w->w_recycle_at)
			pool_recycle(p, w, END_MAX_LIFETIME);
		if (w->w_recycle != END_NONE && pool_worker_ready(p, w, now))
			w->w_due = w->w_recycle;
	}
}

/* When a current worker's recycling begins, or POOL_NEVER. */
static uint64_t
recycle_at(const struct pool *p, const struct worker *w)
{
	return w->w_recycle != END_NONE ? ready_at(p, w) : w->w_recycle_at;
}

static void
worker_started(struct pool *p, struct worker *w, pid_t pid, unsigned slot,
    uint64_t now)
{
	uint64_t life = p->p_lim.pl_max_lifetime_ms;

	w->w_pid = pid;
	w->w_slot = slot;
	w->w_seq = ++p->p_seq;
	w->w_gen = p->p_gen;
	w->w_state = WS_RUNNING;
	w->w_started = w->w_beat = now;
	w->w_boot_deadline = now + p->p_lim.pl_boot_timeout_ms;
	w->w_recycle_at = POOL_NEVER;
	if (life != 0)
		w->w_recycle_at = now + life + pool_random(p,
		    p->p_lim.pl_lifetime_jitter_ms + 1);
}

/* Rule 5, within max_surge. */
static uint64_t
spawn_missing(struct pool *p, uint64_t now, const struct pool_ops *ops,
    bool busy)
{
	uint64_t	 bits[SLOT_WORDS], old[SLOT_WORDS], next = POOL_NEVER;
	struct worker	*w;
	pid_t		 pid;
	size_t		 surge, max_surge = p->p_lim.pl_max_surge;

	current_slots(p, bits, now, false);
	surge = surging(p, old, now);
	for (unsigned slot = 0; slot < (unsigned)p->p_target; slot++) {
		if (slot_isset(bits, slot))
			continue;
		if (max_surge != 0 && slot_isset(old, slot) &&
		    surge >= max_surge)
			continue;	/* an empty slot further on may not be */
		if (busy || p->p_nw >= proc_cap(p))
			break;
		if (backoff_blocks(&p->p_backoff, now))
			return p->p_backoff.b_until;
		/* The entry first: a child we could not record would be
		   lost to us. */
		if ((w = worker_add(p)) == NULL ||
		    (pid = ops->spawn(ops->arg, p, slot, &w->w_board)) == -1) {
			if (w != NULL)
				p->p_nw--;
			/* fork or memory: retry later, not in a tight loop */
			backoff_fail(&p->p_backoff, now);
			return p->p_backoff.b_until;
		}
		worker_started(p, w, pid, slot, now);
		surge += slot_isset(old, slot);
		if (p->p_backoff.b_fails > 0) {
			w->w_probe = true;
			busy = true;
			next = ready_at(p, w);
		}
	}
	return next;
}

/*
 * Of two workers in one slot that are not current, the one to keep while
 * the slot waits for its replacement: a ready one over one still booting,
 * then the newer.
 */
static bool
better_keeper(const struct pool *p, const struct worker *a,
    const struct worker *b, uint64_t now)
{
	bool a_up = pool_worker_ready(p, a, now);
	bool b_up = pool_worker_ready(p, b, now);

	if (a_up != b_up)
		return a_up;
	return a->w_seq > b->w_seq;
}

/* Per slot below the target, what retire() decides by. */
struct slot_view {
	uint64_t	sv_ready_seq;	/* newest ready worker's w_seq; 0 */
	bool		sv_ready_current;	/* and it is current */
	int		sv_keep;	/* the one old worker kept, or -1 */
};

static void
view_slots(const struct pool *p, struct slot_view *v, uint64_t now)
{
	for (int i = 0; i < p->p_target && i < POOL_SLOTS_MAX; i++)
		v[i] = (struct slot_view){ .sv_keep = -1 };
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker	*w = &p->p_w[i];
		struct slot_view	*sv;

		if (w->w_state != WS_RUNNING ||
		    w->w_slot >= (unsigned)p->p_target ||
		    w->w_slot >= POOL_SLOTS_MAX)
			continue;
		sv = &v[w->w_slot];
		if (pool_worker_ready(p, w, now) && w->w_seq > sv->sv_ready_seq) {
			sv->sv_ready_seq = w->w_seq;
			sv->sv_ready_current = current(p, w);
		}
		if (!current(p, w) && (sv->sv_keep == -1 ||
		    better_keeper(p, w, &p->p_w[sv->sv_keep], now)))
			sv->sv_keep = (int)i;
	}
}

/*
 * Rules 4 and 6 for one running worker below the target: why it goes, or
 * END_NONE if it stays.  A worker goes once a newer one in its slot is
 * ready (even one due for recycling in its turn: it still serves); until
 * then one old worker per slot stays.
 */
static enum worker_end
retire_why(const struct pool *p, const struct worker *w,
    const struct slot_view *sv, size_t i)
{
	if (sv->sv_ready_seq > w->w_seq) {
		if (w->w_due != END_NONE)
			return w->w_due;
		return sv->sv_ready_current ? p->p_gen_end : END_SUPERSEDED;
	}
	if (current(p, w) || sv->sv_keep == (int)i)
		return END_NONE;
	return END_SUPERSEDED;
}

/* Rules 4 and 6; the time a replacement will be ready, if one waits. */
static uint64_t
retire(struct pool *p, uint64_t now, const struct pool_ops *ops)
{
	/* Static: too large for the stack, and the arbiter is one
	   thread. */
	static struct slot_view	 view[POOL_SLOTS_MAX];
	uint64_t		 waiting[SLOT_WORDS], next = POOL_NEVER;
	enum worker_end		 why;

	view_slots(p, view, now);
	memset(waiting, 0, sizeof(waiting));
	for (size_t i = 0; i < p->p_nw; i++) {
		struct worker *w = &p->p_w[i];
		if (w->w_state != WS_RUNNING)
			continue;
		if (w->w_slot >= (unsigned)p->p_target)
			worker_stop(p, w, now, ops, END_SCALED_DOWN);
		else if ((why = retire_why(p, w, &view[w->w_slot], i)) !=
		    END_NONE)
			worker_stop(p, w, now, ops, why);
		else if (!current(p, w))
			slot_set(waiting, w->w_slot);
	}
	/* Wake when a replacement an old worker waits for has booted. */
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state == WS_RUNNING && current(p, w) &&
		    slot_isset(waiting, w->w_slot))
			next = min_u64(next, ready_at(p, w));
	}
	return next;
}

uint64_t
pool_reconcile(struct pool *p, uint64_t now, const struct pool_ops *ops)
{
	uint64_t	next = POOL_NEVER;
	bool		busy;

	next = escalate(p, now, ops);
	if (p->p_mode != PM_RUN) {
		for (size_t i = 0; i < p->p_nw; i++) {
			struct worker *w = &p->p_w[i];
			if (w->w_state == WS_RUNNING) {
				worker_stop(p, w, now, ops,
				    END_POOL_STOPPING);
				next = min_u64(next, w->w_deadline);
			}
		}
		return next;
	}
	busy = probing(p, now, &next);
	recycle_due(p, now);
	next = min_u64(next, spawn_missing(p, now, ops, busy));
	next = min_u64(next, retire(p, now, ops));
	/* Last, so that workers started just now have their deadlines
	   counted; a worker killed here is replaced once it is reaped. */
	next = min_u64(next, health(p, now, ops));
	/* Deadlines of the workers retired, and lifetimes of the workers
	   started, just now. */
	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state == WS_STOPPING)
			next = min_u64(next, w->w_deadline);
		else if (w->w_state == WS_RUNNING && current(p, w))
			next = min_u64(next, recycle_at(p, w));
	}
	return next;
}

int
pool_adopt(struct pool *p, pid_t pid, unsigned slot, uint64_t started,
    uint64_t now, bool ready, bool stopping, uint64_t deadline,
    enum worker_end why)
{
	struct worker *w;

	if ((w = worker_add(p)) == NULL)
		return -1;
	worker_started(p, w, pid, slot, started);
	w->w_recycle_at = POOL_NEVER;	/* replaced soon anyway */
	/* Its pings went to the old program: the watchdog starts now. */
	w->w_beat = now;
	w->w_ready = ready;
	if (stopping) {
		w->w_state = WS_STOPPING;
		w->w_deadline = deadline;
		w->w_end = why != END_NONE ? why : END_UPGRADE;
	}
	return 0;
}

void
pool_killed(struct pool *p, pid_t pid)
{
	struct worker *w = pool_find(p, pid);

	if (w != NULL && w->w_state == WS_RUNNING)
		w->w_asked = true;
}

void
pool_kill_asked(struct worker *w, uint64_t now)
{
	w->w_asked = true;
	w->w_kill_at = now > 0 ? now : 1;
}

/*
 * Why w ended, now that it has: what the policy decided when it stopped
 * or killed it; else a failed boot if it died before it was ready or
 * within the boot window (ready or not: a program that says READY=1 and
 * crashes at once must back off, not be restarted in a tight loop),
 * unless something outside the policy ended it; else killed on request,
 * or died on its own.
 */
static enum worker_end
end_of(const struct pool *p, const struct worker *w, uint64_t now)
{
	if (w->w_end == END_BOOT_TIMEOUT)
		return END_BOOT_TIMEOUT;
	if (w->w_state != WS_RUNNING)
		return w->w_end != END_NONE ? w->w_end : END_POOL_STOPPING;
	/* An operator's kill -9 after some earlier OOM kill in its tree is
	   the operator's. */
	if ((w->w_facts & PF_OOM) && w->w_kill_at == 0)
		return END_OOM;
	if (!w->w_asked && (!pool_worker_ready(p, w, now) ||
	    now - w->w_started < POOL_BOOT_WINDOW_MS))
		return END_FAILED_BOOT;
	if (w->w_kill_at != 0 && now - w->w_kill_at <=
	    (p->p_lim.pl_graceful_ms > 1000 ? p->p_lim.pl_graceful_ms : 1000))
		return END_KILLED;
	return END_DIED;
}

void
pool_exit_facts(struct pool *p, pid_t pid, unsigned facts)
{
	struct worker *w = pool_find(p, pid);

	if (w != NULL)
		w->w_facts = facts;
}

/* Whether w's end says its program is in trouble though it booted. */
static bool
troubled(const struct worker *w, enum exit_kind kind)
{
	if (kind != EXIT_DIED)
		return false;
	return (w->w_facts & (PF_OOM | PF_TASKS_MAX)) ||
	    ((w->w_facts & PF_LEFT_TREE) && !w->w_asked);
}

/*
 * A troubled death backs the pool off as a failed boot does, with a
 * count of its own: a worker that booted well proves its program
 * healthy (and resets the failed-boot count) before it dies troubled
 * again, so that count alone would never grow.  Troubled deaths within
 * POOL_STORM_FORGET_MS of each other double the delay; one round of them
 * (several workers at once) is one step.
 */
static void
storm(struct pool *p, uint64_t now)
{
	uint64_t until;

	if (backoff_blocks(&p->p_backoff, now))
		return;
	if (now - p->p_storm_at > POOL_STORM_FORGET_MS)
		p->p_storms = 0;
	p->p_storm_at = now;
	if (p->p_storms < UINT32_MAX)
		p->p_storms++;
	if (p->p_backoff.b_fails == 0)
		p->p_backoff.b_fails = 1;	/* the next spawn is a probe */
	until = now + backoff_delay(p->p_storms);
	if (until > p->p_backoff.b_until)
		p->p_backoff.b_until = until;
}

int
pool_reaped(struct pool *p, pid_t pid, uint64_t now, struct pool_exit *pe)
{
	struct worker *w = pool_find(p, pid);

	if (w == NULL)
		return -1;
	memset(pe, 0, sizeof(*pe));
	pe->pe_slot = w->w_slot;
	pe->pe_facts = w->w_facts;
	pe->pe_board = w->w_board;
	pe->pe_age_ms = now - w->w_started;
	pe->pe_end = end_of(p, w, now);
	pe->pe_kind = end_kind(pe->pe_end);
	if (troubled(w, pe->pe_kind)) {
		storm(p, now);
		pe->pe_backoff_ms = p->p_backoff.b_until - now;
	} else if (pe->pe_kind == EXIT_FAILED_BOOT) {
		/* One step per round of failures, not per worker: eight
		   workers failing together are one bad start, not eight.  A
		   boot timeout counted when it was stopped. */
		if (pe->pe_end != END_BOOT_TIMEOUT &&
		    !backoff_blocks(&p->p_backoff, now))
			backoff_fail(&p->p_backoff, now);
		pe->pe_backoff_ms = p->p_backoff.b_until > now ?
		    p->p_backoff.b_until - now : 0;
	} else if (pe->pe_kind == EXIT_DIED && w->w_probe)
		backoff_reset(&p->p_backoff);
	*w = p->p_w[--p->p_nw];
	return 0;
}

int
pool_notified(struct pool *p, pid_t pid, const struct notify_msg *m,
    uint64_t now, bool *became_ready)
{
	struct worker	*w = pool_find(p, pid);
	uint64_t	 ext;

	*became_ready = false;
	if (w == NULL)
		return -1;
	if ((m->nm_flags & NM_READY) && !w->w_ready) {
		w->w_ready = *became_ready = true;
		w->w_beat = now;	/* the watchdog starts now */
	}
	if (m->nm_flags & NM_WATCHDOG)
		w->w_beat = now;
	if (m->nm_flags & NM_TRIGGER)
		w->w_trigger = true;
	if (m->nm_flags & NM_STOPPING)
		w->w_said_stopping = true;
	if (m->nm_flags & NM_ERRNO)
		w->w_errno = m->nm_errno;
	if (m->nm_flags & NM_STATUS)
		memcpy(w->w_status, m->nm_status, sizeof(w->w_status));
	if (m->nm_flags & NM_EXTEND) {
		/* As systemd: the running timeout (boot, or stop) now ends no
		   sooner than now + the extension. */
		ext = m->nm_extend_usec / 1000;
		ext = now + (ext < POOL_NEVER - now ? ext : POOL_NEVER - now - 1);
		if (w->w_state == WS_STOPPING && w->w_deadline < ext)
			w->w_deadline = ext;
		else if (w->w_state == WS_RUNNING && !w->w_ready &&
		    w->w_boot_deadline < ext)
			w->w_boot_deadline = ext;
	}
	return 0;
}

void
pool_recycle(struct pool *p, struct worker *w, enum worker_end why)
{
	if (w->w_state == WS_RUNNING && current(p, w) &&
	    w->w_recycle == END_NONE)
		w->w_recycle = why;
}

void
pool_heartbeat(struct worker *w, uint64_t beat)
{
	if (beat > w->w_beat)
		w->w_beat = beat;
}

void
pool_note_exit(struct pool *p, unsigned slot, const char *text)
{
	char	(*n)[POOL_NOTE_MAX];
	size_t	  cap;

	if (slot >= POOL_SLOTS_MAX)
		return;
	if (slot >= p->p_nnotes) {
		cap = slot + 1 > 2 * p->p_nnotes ? slot + 1 : 2 * p->p_nnotes;
		if (cap > POOL_SLOTS_MAX)
			cap = POOL_SLOTS_MAX;
		if ((n = reallocarray(p->p_notes, cap, sizeof(*n))) == NULL)
			return;
		memset(n + p->p_nnotes, 0, (cap - p->p_nnotes) * sizeof(*n));
		p->p_notes = n;
		p->p_nnotes = cap;
	}
	snprintf(p->p_notes[slot], POOL_NOTE_MAX, "%s", text);
}

const char *
pool_exit_note(const struct pool *p, unsigned slot)
{
	if (slot >= p->p_nnotes || p->p_notes[slot][0] == '\0')
		return NULL;
	return p->p_notes[slot];
}
