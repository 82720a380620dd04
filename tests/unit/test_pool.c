/* SPDX-License-Identifier: ISC */
/*
 * The pool policy, driven with a fake clock and fake side effects: every
 * spawn and signal pool_reconcile() asks for is recorded, and the tests
 * check the list against the rules in pool.c's header comment.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pool.h"

#define GRACE_MS	5000
#define STOP_SIG	SIGQUIT		/* not SIGTERM: tells quick from graceful */
#define FIRST_PID	100
#define MAX_CALLS	512

enum call_kind { CALL_SPAWN, CALL_SIGNAL };

struct call {
	enum call_kind	kind;
	unsigned	slot;		/* SPAWN */
	pid_t		pid;		/* SPAWN: returned (-1 if failed);
					   SIGNAL: target */
	int		sig;		/* SIGNAL */
	char		why[64];	/* SIGNAL */
};

struct fake {
	struct call	calls[MAX_CALLS];
	size_t		ncalls;
	size_t		mark;		/* calls before this are "old" */
	pid_t		next_pid;
	bool		fail_spawn;
};

static struct fake		 F;
static struct pool		 P;
static struct pool_limits	 LIM;

static pid_t
fake_spawn(void *arg, struct pool *p, unsigned slot, int *board)
{
	struct fake	*f = arg;
	struct call	*c;

	cr_assert_eq(p, &P);
	cr_assert_eq(*board, -1, "scoreboard entry not reset");
	cr_assert_lt(f->ncalls, MAX_CALLS, "runaway spawning");
	c = &f->calls[f->ncalls++];
	memset(c, 0, sizeof(*c));
	c->kind = CALL_SPAWN;
	c->slot = slot;
	c->pid = f->fail_spawn ? -1 : f->next_pid++;
	return c->pid;
}

static void
fake_signal(void *arg, struct pool *p, const struct worker *w, int sig,
    const char *why)
{
	struct fake	*f = arg;
	struct call	*c;

	cr_assert_eq(p, &P);
	cr_assert_lt(f->ncalls, MAX_CALLS, "runaway signalling");
	c = &f->calls[f->ncalls++];
	memset(c, 0, sizeof(*c));
	c->kind = CALL_SIGNAL;
	c->pid = w->w_pid;
	c->sig = sig;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

static const struct pool_ops OPS = {
	.spawn = fake_spawn,
	.signal = fake_signal,
	.arg = &F,
};

/* A pool of target workers, min 1, max 8, not yet reconciled. */
static void
setup(int target)
{
	memset(&F, 0, sizeof(F));
	F.next_pid = FIRST_PID;
	LIM = (struct pool_limits){
		.pl_min = 1,
		.pl_max = 8,
		.pl_stop_signal = STOP_SIG,
		.pl_graceful_ms = GRACE_MS,
	};
	cr_assert_eq(pool_init(&P, "test", &LIM, target), 0);
}

static void
teardown(void)
{
	pool_free(&P);
}

static uint64_t
reconcile(uint64_t now)
{
	F.mark = F.ncalls;
	return pool_reconcile(&P, now, &OPS);
}

/* Calls of a kind made by the last reconcile(); sig 0 matches any. */
static size_t
n_new(enum call_kind kind, int sig)
{
	size_t n = 0;

	for (size_t i = F.mark; i < F.ncalls; i++)
		n += F.calls[i].kind == kind && (sig == 0 ||
		    F.calls[i].sig == sig);
	return n;
}

static size_t
n_spawns(void)
{
	return n_new(CALL_SPAWN, 0);
}

static size_t
n_signals(int sig)
{
	return n_new(CALL_SIGNAL, sig);
}

/* The i-th spawn of the last reconcile(). */
static const struct call *
new_spawn(size_t i)
{
	size_t left = i;

	for (size_t k = F.mark; k < F.ncalls; k++) {
		if (F.calls[k].kind == CALL_SPAWN && left-- == 0)
			return &F.calls[k];
	}
	cr_assert_fail("no spawn #%zu", i);
	return NULL;
}

/* The signal the last reconcile() sent to pid, or NULL. */
static const struct call *
signal_to(pid_t pid)
{
	for (size_t k = F.mark; k < F.ncalls; k++) {
		if (F.calls[k].kind == CALL_SIGNAL && F.calls[k].pid == pid)
			return &F.calls[k];
	}
	return NULL;
}

/* The pid of the running worker of the current generation in slot. */
static pid_t
pid_in(unsigned slot)
{
	for (size_t i = 0; i < P.p_nw; i++) {
		const struct worker *w = &P.p_w[i];
		if (w->w_slot == slot && w->w_state == WS_RUNNING &&
		    w->w_gen == P.p_gen && w->w_due == END_NONE)
			return w->w_pid;
	}
	cr_assert_fail("no current worker in slot %u", slot);
	return -1;
}

static struct pool_exit
reap(pid_t pid, uint64_t now)
{
	struct pool_exit pe;

	cr_assert_eq(pool_reaped(&P, pid, now, &pe), 0, "pid %d not ours",
	    (int)pid);
	return pe;
}

/* TTIN (+1) or TTOU (-1) as the arbiter applies them: the new target. */
static int
scale(int delta)
{
	cr_assert_eq(pool_set_target(&P, P.p_target + delta, PT_SIGNAL, true),
	    0);
	return P.p_target;
}

static void
idle(void)
{
	cr_assert_eq(pool_set_target(&P, 5, PT_WINCH, true), 0);
}

/* HUP to a configuration with these limits and this size. */
static void
reload(const struct pool_limits *lim, int target)
{
	pool_reload(&P, lim, END_RELOAD);
	cr_assert_eq(pool_set_target(&P, target, PT_RELOAD, true), 0);
}

/* A pool of n workers started at time 0. */
static void
running(int n)
{
	setup(n);
	reconcile(0);
	cr_assert_eq(n_spawns(), (size_t)n);
}

/* -- start and steady state ----------------------------------------------- */

Test(pool, cold_start_spawns_each_slot_once, .fini = teardown)
{
	setup(3);
	reconcile(0);
	cr_assert_eq(n_spawns(), 3);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(new_spawn(i)->slot, i);
	cr_assert_eq(n_signals(0), 0);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 3);

	reconcile(10);
	cr_assert_eq(F.ncalls, F.mark, "second reconcile did something");
}

Test(pool, spawned_worker_is_recorded, .fini = teardown)
{
	struct worker *w;

	setup(1);
	reconcile(42);
	cr_assert_not_null(w = pool_find(&P, FIRST_PID));
	cr_assert_eq(w->w_slot, 0);
	cr_assert_eq(w->w_gen, 0);
	cr_assert_eq(w->w_state, WS_RUNNING);
	cr_assert_eq(w->w_started, 42);
	cr_assert_null(pool_find(&P, 9999));
}

Test(pool, healthy_pool_has_no_deadline, .fini = teardown)
{
	setup(3);
	cr_assert_eq(reconcile(0), POOL_NEVER);
	cr_assert_eq(reconcile(5000), POOL_NEVER);
	cr_assert_eq(reconcile(10 * 60 * 1000), POOL_NEVER);
}

Test(pool, empty_target_does_nothing, .fini = teardown)
{
	setup(0);
	cr_assert_eq(reconcile(0), POOL_NEVER);
	cr_assert_eq(F.ncalls, 0);
}

/* -- TTIN, TTOU, WINCH ------------------------------------------------------ */

Test(pool, ttin_spawns_next_slot, .fini = teardown)
{
	running(3);
	cr_assert_eq(scale(+1), 4);
	cr_assert_eq(reconcile(100), POOL_NEVER);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 3);
	cr_assert_eq(n_signals(0), 0);
}

Test(pool, ttou_retires_highest_slot_with_stop_signal, .fini = teardown)
{
	const struct call	*c;
	pid_t			 top;

	running(3);
	top = pid_in(2);
	cr_assert_eq(scale(-1), 2);
	cr_assert_eq(reconcile(100), 100 + GRACE_MS);
	cr_assert_eq(n_spawns(), 0);
	cr_assert_eq(n_signals(0), 1);
	cr_assert_not_null(c = signal_to(top), "slot 2 not signalled");
	cr_assert_eq(c->sig, STOP_SIG);
	cr_assert_str_eq(c->why, "scaled down");
	cr_assert_eq(pool_find(&P, top)->w_state, WS_STOPPING);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 2);
}

Test(pool, ttou_kills_after_graceful_timeout, .fini = teardown)
{
	pid_t top;

	running(3);
	top = pid_in(2);
	scale(-1);
	reconcile(100);

	/* Nothing new before the deadline, and the same deadline again. */
	cr_assert_eq(reconcile(100 + GRACE_MS - 1), 100 + GRACE_MS);
	cr_assert_eq(F.ncalls, F.mark);

	cr_assert_eq(reconcile(100 + GRACE_MS), POOL_NEVER);
	cr_assert_eq(n_signals(0), 1);
	cr_assert_eq(signal_to(top)->sig, SIGKILL);
	cr_assert_eq(pool_find(&P, top)->w_state, WS_KILLED);

	/* Killed once: waiting for the reap, no timer. */
	cr_assert_eq(reconcile(100 + 2 * GRACE_MS), POOL_NEVER);
	cr_assert_eq(F.ncalls, F.mark);
}

Test(pool, retired_slot_is_reused_on_ttin, .fini = teardown)
{
	struct pool_exit pe;

	running(3);
	scale(-1);
	reconcile(100);
	pe = reap(FIRST_PID + 2, 200);
	cr_assert_eq(pe.pe_kind, EXIT_STOPPED);
	cr_assert_eq(pe.pe_slot, 2);
	scale(+1);
	reconcile(300);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 2);
}

Test(pool, scale_clamps_to_max, .fini = teardown)
{
	setup(7);
	cr_assert_eq(scale(+1), 8);
	cr_assert_eq(scale(+1), 8);
	cr_assert_eq(scale(+100), 8);
	cr_assert_eq(P.p_target, 8);
}

Test(pool, scale_clamps_to_min, .fini = teardown)
{
	setup(2);
	cr_assert_eq(scale(-1), 1);
	cr_assert_eq(scale(-1), 1);
	cr_assert_eq(scale(-100), 1);
}

Test(pool, scale_below_min_only_if_already_there, .fini = teardown)
{
	setup(3);
	P.p_lim.pl_min = 2;
	idle();
	cr_assert_eq(scale(-1), 0, "TTOU after WINCH went up");
	cr_assert_eq(scale(+1), 1);
	cr_assert_eq(scale(+1), 2);
}

/* poolctl scale asks for an exact size: out of bounds is refused, and
   nothing changes. */
Test(pool, an_exact_target_out_of_bounds_is_refused, .fini = teardown)
{
	setup(3);
	P.p_lim.pl_min = 2;
	cr_assert_eq(pool_set_target(&P, 9, PT_CONTROL, false), -1);
	cr_assert_eq(pool_set_target(&P, 1, PT_CONTROL, false), -1);
	cr_assert_eq(P.p_target, 3);
	cr_assert_eq(P.p_target_cause, PT_CONFIG);
	cr_assert_eq(pool_set_target(&P, 8, PT_CONTROL, false), 0);
	cr_assert_eq(P.p_target, 8);
	cr_assert_eq(P.p_target_cause, PT_CONTROL);
	/* Idle, an exact size below the minimum is still refused. */
	idle();
	cr_assert_eq(pool_set_target(&P, 1, PT_CONTROL, false), -1);
	cr_assert_eq(P.p_target, 0);
}

/* Below the minimum, the target says who put it there. */
Test(pool, winch_sets_zero_and_says_so, .fini = teardown)
{
	setup(3);
	P.p_lim.pl_min = 2;
	idle();
	cr_assert_eq(P.p_target, 0);
	cr_assert_eq(P.p_target_cause, PT_WINCH);
	cr_assert_str_eq(pool_target_cause_name(P.p_target_cause), "winch");
	cr_assert_eq(scale(+1), 1);
	cr_assert_eq(P.p_target_cause, PT_SIGNAL);
}

/* A reload takes the new limits first; its size is clamped into them. */
Test(pool, a_reload_clamps_into_the_new_limits, .fini = teardown)
{
	struct pool_limits nl = LIM;

	setup(3);
	nl.pl_min = 4;
	nl.pl_max = 6;
	reload(&nl, 2);
	cr_assert_eq(P.p_target, 4);
	reload(&nl, 60);
	cr_assert_eq(P.p_target, 6);
	cr_assert_eq(P.p_target_cause, PT_RELOAD);
}

Test(pool, idle_retires_every_worker, .fini = teardown)
{
	running(3);
	idle();
	cr_assert_eq(P.p_target, 0);
	cr_assert_eq(reconcile(50), 50 + GRACE_MS);
	cr_assert_eq(n_spawns(), 0);
	cr_assert_eq(n_signals(STOP_SIG), 3);
	cr_assert_eq(pool_count(&P, WS_STOPPING), 3);
	cr_assert_not(pool_done(&P), "idle is not stopped");
}

/* -- deaths and backoff ------------------------------------------------------ */

Test(pool, reaped_unknown_pid_is_not_ours, .fini = teardown)
{
	struct pool_exit pe;

	running(2);
	cr_assert_eq(pool_reaped(&P, 4242, 10, &pe), -1);
	cr_assert_eq(P.p_nw, 2);
}

Test(pool, death_after_healthy_run_replaced_at_once, .fini = teardown)
{
	struct pool_exit	pe;
	pid_t			victim;

	running(3);
	victim = pid_in(1);
	pe = reap(victim, 5000);
	cr_assert_eq(pe.pe_kind, EXIT_DIED);
	cr_assert_eq(pe.pe_slot, 1);
	cr_assert_eq(pe.pe_age_ms, 5000);
	cr_assert_eq(pe.pe_backoff_ms, 0);
	cr_assert_null(pool_find(&P, victim));

	cr_assert_eq(reconcile(5000), POOL_NEVER);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 1);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 3);
}

/* -- what became of the tree (issue 18) ------------------------------------ */

Test(pool, an_oom_kill_is_its_own_reason_and_backs_off, .fini = teardown)
{
	struct pool_exit pe;

	running(2);
	/* The OOM killer's SIGKILL: the arbiter marks it killed, and the
	   cgroup's memory.events says by whom. */
	pool_killed(&P, pid_in(0));
	pool_exit_facts(&P, pid_in(0), PF_OOM);
	pe = reap(pid_in(0), 5000);
	cr_assert_eq(pe.pe_end, END_OOM);
	cr_assert_str_eq(end_name(pe.pe_end), "oom");
	cr_assert_eq(pe.pe_kind, EXIT_DIED);
	cr_assert_eq(pe.pe_facts, PF_OOM);
	cr_assert_eq(pe.pe_backoff_ms, BACKOFF_BASE_MS,
	    "a worker killed for memory must not be refilled in a loop");
	cr_assert_eq(reconcile(5000), 5000 + BACKOFF_BASE_MS);
	cr_assert_eq(n_spawns(), 0);
}

Test(pool, an_oom_kill_of_a_stopping_worker_keeps_the_policys_reason,
    .fini = teardown)
{
	struct pool_exit	pe;
	pid_t			old;

	running(2);
	old = pid_in(1);
	scale(-1);
	reconcile(5000);
	pool_exit_facts(&P, old, PF_OOM);
	pe = reap(old, 5100);
	cr_assert_eq(pe.pe_end, END_SCALED_DOWN);
	cr_assert_eq(pe.pe_backoff_ms, 0);
}

Test(pool, a_death_that_leaves_descendants_backs_off, .fini = teardown)
{
	struct pool_exit	pe;
	pid_t			next;

	/* The orphan storm: a worker that exits on its own after its boot
	   window, leaving children behind, again and again. */
	running(1);
	pool_exit_facts(&P, FIRST_PID, PF_LEFT_TREE);
	pe = reap(FIRST_PID, 1500);
	cr_assert_eq(pe.pe_end, END_DIED);
	cr_assert_eq(pe.pe_backoff_ms, BACKOFF_BASE_MS);
	reconcile(1500 + BACKOFF_BASE_MS);
	cr_assert_eq(n_spawns(), 1);
	next = new_spawn(0)->pid;
	/* It boots well (which proves the program healthy for the failed
	   boot count), then does the same: the delay doubles all the same. */
	reconcile(2700);
	pool_exit_facts(&P, next, PF_LEFT_TREE);
	pe = reap(next, 3100);
	cr_assert_eq(pe.pe_backoff_ms, 2 * BACKOFF_BASE_MS);
	/* A minute later, it is forgotten. */
	reconcile(3100 + 2 * BACKOFF_BASE_MS);
	next = new_spawn(0)->pid;
	pool_exit_facts(&P, next, PF_LEFT_TREE);
	cr_assert_eq(reap(next, 3300 + POOL_STORM_FORGET_MS).pe_backoff_ms,
	    BACKOFF_BASE_MS);
}

Test(pool, hitting_tasks_max_backs_off, .fini = teardown)
{
	running(1);
	pool_exit_facts(&P, FIRST_PID, PF_TASKS_MAX);
	cr_assert_eq(reap(FIRST_PID, 9000).pe_backoff_ms, BACKOFF_BASE_MS);
}

Test(pool, an_operators_kill_that_leaves_descendants_does_not_back_off,
    .fini = teardown)
{
	running(1);
	pool_killed(&P, FIRST_PID);
	pool_exit_facts(&P, FIRST_PID, PF_LEFT_TREE);
	cr_assert_eq(reap(FIRST_PID, 9000).pe_backoff_ms, 0);
	reconcile(9000);
	cr_assert_eq(n_spawns(), 1);
}

Test(pool, a_stopped_worker_that_leaves_descendants_does_not_back_off,
    .fini = teardown)
{
	pid_t old;

	running(2);
	old = pid_in(1);
	scale(-1);
	reconcile(5000);
	pool_exit_facts(&P, old, PF_LEFT_TREE);
	cr_assert_eq(reap(old, 5100).pe_backoff_ms, 0);
}

Test(pool, death_at_boot_window_is_not_failed_boot, .fini = teardown)
{
	running(1);
	cr_assert_eq(reap(FIRST_PID, POOL_BOOT_WINDOW_MS).pe_kind, EXIT_DIED);
	reconcile(POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 1, "a healthy death must not back off");
}

Test(pool, death_in_boot_window_is_failed_boot, .fini = teardown)
{
	struct pool_exit pe;

	running(1);
	pe = reap(FIRST_PID, POOL_BOOT_WINDOW_MS - 1);
	cr_assert_eq(pe.pe_kind, EXIT_FAILED_BOOT);
	cr_assert_eq(pe.pe_slot, 0);
	cr_assert_eq(pe.pe_backoff_ms, BACKOFF_BASE_MS);
}

Test(pool, failed_boot_delays_next_spawn, .fini = teardown)
{
	running(1);
	reap(FIRST_PID, 500);

	cr_assert_eq(reconcile(500), 600, "expected the backoff deadline");
	cr_assert_eq(n_spawns(), 0);
	cr_assert_eq(reconcile(599), 600);
	cr_assert_eq(n_spawns(), 0);

	reconcile(600);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 0);
}

Test(pool, repeated_failed_boots_double_the_delay, .fini = teardown)
{
	struct pool_exit pe;

	running(1);
	reap(FIRST_PID, 10);			/* 100 ms */
	reconcile(110);
	pe = reap(new_spawn(0)->pid, 150);
	cr_assert_eq(pe.pe_kind, EXIT_FAILED_BOOT);
	cr_assert_eq(pe.pe_backoff_ms, 200);
	cr_assert_eq(reconcile(150), 350);
	cr_assert_eq(n_spawns(), 0);
}

Test(pool, backoff_spawns_one_probe_at_a_time, .fini = teardown)
{
	running(3);
	/* All three crash at once: one round, one 100 ms step. */
	reap(FIRST_PID + 0, 10);
	reap(FIRST_PID + 1, 10);
	reap(FIRST_PID + 2, 10);
	cr_assert_eq(reconcile(10), 110);
	cr_assert_eq(n_spawns(), 0);

	/* One probe; the deadline is the end of its boot window. */
	cr_assert_eq(reconcile(110), 110 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 0);
	cr_assert(pool_find(&P, new_spawn(0)->pid)->w_probe);

	cr_assert_eq(reconcile(900), 110 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 0, "second probe while the first boots");
}

Test(pool, surviving_probe_resets_backoff_and_fills_slots, .fini = teardown)
{
	running(3);
	reap(FIRST_PID + 0, 10);
	reap(FIRST_PID + 1, 10);
	reap(FIRST_PID + 2, 10);
	reconcile(410);				/* the probe, slot 0 */

	cr_assert_eq(reconcile(410 + POOL_BOOT_WINDOW_MS), POOL_NEVER);
	cr_assert_eq(n_spawns(), 2);
	cr_assert_eq(new_spawn(0)->slot, 1);
	cr_assert_eq(new_spawn(1)->slot, 2);
	cr_assert_eq(P.p_backoff.b_fails, 0);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 3);
}

Test(pool, probe_dying_late_resets_backoff, .fini = teardown)
{
	struct pool_exit pe;

	running(2);
	reap(FIRST_PID + 0, 10);
	reap(FIRST_PID + 1, 10);		/* 200 ms */
	reconcile(210);				/* probe in slot 0 */
	/* It dies after its boot window, before any reconcile saw it. */
	pe = reap(new_spawn(0)->pid, 210 + POOL_BOOT_WINDOW_MS + 5);
	cr_assert_eq(pe.pe_kind, EXIT_DIED);
	cr_assert_eq(P.p_backoff.b_fails, 0);
	cr_assert_eq(reconcile(210 + POOL_BOOT_WINDOW_MS + 5), POOL_NEVER);
	cr_assert_eq(n_spawns(), 2);
}

Test(pool, failed_spawn_backs_off, .fini = teardown)
{
	setup(2);
	F.fail_spawn = true;
	cr_assert_eq(reconcile(0), BACKOFF_BASE_MS);
	cr_assert_eq(n_spawns(), 1, "tried more than once in one step");
	cr_assert_eq(P.p_nw, 0);

	cr_assert_eq(reconcile(50), BACKOFF_BASE_MS);
	cr_assert_eq(n_spawns(), 0, "retried before the backoff");

	F.fail_spawn = false;
	reconcile(BACKOFF_BASE_MS);
	cr_assert_eq(n_spawns(), 1, "expected a single probe");
}

/* -- reload (HUP) ------------------------------------------------------------ */

Test(pool, reload_replaces_every_slot, .fini = teardown)
{
	const struct call *c;
	const uint64_t booted = 1000 + POOL_BOOT_WINDOW_MS;

	running(2);
	reload(&LIM, 2);
	cr_assert_eq(P.p_gen, 1);
	/* New workers first; the old ones wait for them to boot. */
	cr_assert_eq(reconcile(1000), booted);
	cr_assert_eq(n_spawns(), 2);
	cr_assert_eq(new_spawn(0)->slot, 0);
	cr_assert_eq(new_spawn(1)->slot, 1);
	cr_assert_eq(n_signals(0), 0, "old workers retired before their "
	    "replacements booted");
	cr_assert_eq(pool_find(&P, new_spawn(0)->pid)->w_gen, 1);

	cr_assert_eq(reconcile(booted), booted + GRACE_MS);
	cr_assert_eq(n_spawns(), 0);
	for (pid_t old = FIRST_PID; old < FIRST_PID + 2; old++) {
		cr_assert_not_null(c = signal_to(old), "old %d kept", old);
		cr_assert_eq(c->sig, STOP_SIG);
		cr_assert_str_eq(c->why, "replaced after reload");
	}
	cr_assert_eq(pool_count(&P, WS_RUNNING), 2);
	cr_assert_eq(pool_count(&P, WS_STOPPING), 2);
}

Test(pool, reload_keeps_old_workers_when_spawn_fails, .fini = teardown)
{
	running(2);
	reload(&LIM, 2);
	F.fail_spawn = true;
	cr_assert_eq(reconcile(1000), 1000 + BACKOFF_BASE_MS);
	cr_assert_eq(n_signals(0), 0, "old workers retired without "
	    "replacements");
	cr_assert_eq(pool_count(&P, WS_RUNNING), 2);

	reconcile(1000 + BACKOFF_BASE_MS);
	cr_assert_eq(n_signals(0), 0);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 2);
}

Test(pool, reload_retires_old_slot_by_slot, .fini = teardown)
{
	const uint64_t probe_booted = 1100 + POOL_BOOT_WINDOW_MS;

	running(2);
	reload(&LIM, 2);
	F.fail_spawn = true;
	reconcile(1000);			/* fails: backoff 100 ms */
	F.fail_spawn = false;

	/* Slot 0 gets a probe; both old workers stay until it boots. */
	cr_assert_eq(reconcile(1100), probe_booted);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 0);
	cr_assert_eq(n_signals(0), 0);

	/* The probe booted: slot 1 fills and slot 0's old worker goes. */
	reconcile(probe_booted);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 1);
	cr_assert_eq(n_signals(0), 1);
	cr_assert_not_null(signal_to(FIRST_PID));

	reconcile(probe_booted + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_signals(0), 1);
	cr_assert_not_null(signal_to(FIRST_PID + 1));
}

Test(pool, reload_whose_workers_crash_keeps_old_ones, .fini = teardown)
{
	running(2);
	reload(&LIM, 2);
	/* Every new worker dies 50 ms after it starts, for 20 s. */
	for (uint64_t t = 1000; t < 21000; t += 50) {
		reconcile(t);
		for (size_t i = 0; i < n_spawns(); i++)
			reap(new_spawn(i)->pid, t + 50);
	}
	cr_assert_eq(pool_count(&P, WS_STOPPING), 0, "an old worker was "
	    "retired for a replacement that never booted");
	cr_assert_not_null(pool_find(&P, FIRST_PID));
	cr_assert_not_null(pool_find(&P, FIRST_PID + 1));
}

Test(pool, reload_to_smaller_target_retires_extra_slots, .fini = teardown)
{
	const struct call *c;

	running(3);
	reload(&LIM, 1);
	reconcile(1000);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 0);
	cr_assert_eq(n_signals(STOP_SIG), 2);
	cr_assert_not_null(c = signal_to(FIRST_PID + 2));
	cr_assert_str_eq(c->why, "scaled down");
	cr_assert_null(signal_to(FIRST_PID), "slot 0 left unserved");

	reconcile(1000 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_signals(STOP_SIG), 1);
	cr_assert_str_eq(signal_to(FIRST_PID)->why, "replaced after reload");
}

Test(pool, reload_applies_new_limits, .fini = teardown)
{
	struct pool_limits	nl;
	const uint64_t		booted = 1000 + POOL_BOOT_WINDOW_MS;

	running(2);
	nl = LIM;
	nl.pl_stop_signal = SIGINT;
	nl.pl_graceful_ms = 700;
	reload(&nl, 2);
	reconcile(1000);
	cr_assert_eq(reconcile(booted), booted + 700);
	cr_assert_eq(n_signals(SIGINT), 2);
}

Test(pool, reload_clears_backoff, .fini = teardown)
{
	running(1);
	reap(FIRST_PID, 10);
	cr_assert_neq(P.p_backoff.b_fails, 0);
	reload(&LIM, 1);
	cr_assert_eq(P.p_backoff.b_fails, 0);
	reconcile(20);
	cr_assert_eq(n_spawns(), 1, "new code waited for the old backoff");
}

/*
 * A probe of the old generation is no probe of the new one: a failed
 * spawn after the reload retries after BACKOFF_BASE_MS, not after the old
 * worker's boot window.
 */
Test(pool, reload_forgets_old_probe, .fini = teardown)
{
	running(1);
	reap(FIRST_PID, 10);			/* failed boot: 100 ms */
	reconcile(110);				/* probe, old generation */
	reload(&LIM, 1);
	F.fail_spawn = true;
	cr_assert_eq(reconcile(500), 600);	/* new spawn fails */
	reconcile(600);
	cr_assert_eq(n_spawns(), 1, "retry held back by an old probe");
}

/* -- stop ---------------------------------------------------------------------- */

Test(pool, graceful_stop_signals_everyone, .fini = teardown)
{
	const struct call *c;

	running(3);
	pool_stop(&P, false);
	cr_assert_eq(reconcile(100), 100 + GRACE_MS);
	cr_assert_eq(n_spawns(), 0);
	cr_assert_eq(n_signals(0), 3);
	cr_assert_eq(n_signals(STOP_SIG), 3);
	cr_assert_not_null(c = signal_to(FIRST_PID));
	cr_assert_str_eq(c->why, "pool stopping");

	cr_assert_eq(reconcile(200), 100 + GRACE_MS);
	cr_assert_eq(F.ncalls, F.mark, "signalled twice");
}

Test(pool, graceful_stop_kills_after_timeout, .fini = teardown)
{
	running(3);
	pool_stop(&P, false);
	reconcile(100);
	cr_assert_eq(reconcile(100 + GRACE_MS), POOL_NEVER);
	cr_assert_eq(n_signals(SIGKILL), 3);
	cr_assert_eq(pool_count(&P, WS_KILLED), 3);
}

Test(pool, stopping_pool_does_not_respawn, .fini = teardown)
{
	running(2);
	pool_stop(&P, false);
	reconcile(100);
	cr_assert_eq(reap(FIRST_PID, 150).pe_kind, EXIT_STOPPED);
	reconcile(200);
	cr_assert_eq(n_spawns(), 0);
}

Test(pool, stop_before_first_reconcile_spawns_nothing, .fini = teardown)
{
	setup(3);
	pool_stop(&P, false);
	cr_assert_eq(reconcile(0), POOL_NEVER);
	cr_assert_eq(F.ncalls, 0);
	cr_assert(pool_done(&P));
}

Test(pool, quick_stop_uses_sigterm_then_sigkill, .fini = teardown)
{
	running(2);
	pool_stop(&P, true);
	cr_assert_eq(reconcile(100), 100 + POOL_QUICK_STOP_MS);
	cr_assert_eq(n_signals(SIGTERM), 2);
	cr_assert_eq(n_signals(0), 2);

	cr_assert_eq(reconcile(100 + POOL_QUICK_STOP_MS), POOL_NEVER);
	cr_assert_eq(n_signals(SIGKILL), 2);
}

Test(pool, quick_stop_after_graceful_shortens_deadlines, .fini = teardown)
{
	running(2);
	P.p_lim.pl_graceful_ms = 30000;
	pool_stop(&P, false);
	cr_assert_eq(reconcile(0), 30000);
	pool_stop(&P, true);
	cr_assert_eq(reconcile(100), 100 + POOL_QUICK_STOP_MS);
	cr_assert_eq(n_signals(SIGKILL), 0);
	reconcile(100 + POOL_QUICK_STOP_MS);
	cr_assert_eq(n_signals(SIGKILL), 2);
}

Test(pool, quick_stop_shortens_scale_down_deadline, .fini = teardown)
{
	running(2);
	P.p_lim.pl_graceful_ms = 30000;
	scale(-1);
	cr_assert_eq(reconcile(0), 30000);
	pool_stop(&P, true);
	cr_assert_eq(reconcile(10), 10 + POOL_QUICK_STOP_MS);
	cr_assert_eq(n_signals(SIGTERM), 1, "the running one");
}

Test(pool, graceful_stop_after_quick_stays_quick, .fini = teardown)
{
	running(1);
	pool_stop(&P, true);
	pool_stop(&P, false);
	cr_assert_eq(P.p_mode, PM_QUICK);
	reconcile(0);
	cr_assert_eq(n_signals(SIGTERM), 1);
}

Test(pool, done_only_when_stopped_and_empty, .fini = teardown)
{
	running(2);
	cr_assert_not(pool_done(&P));
	pool_stop(&P, false);
	reconcile(10);
	cr_assert_not(pool_done(&P), "done with workers alive");
	reap(FIRST_PID, 20);
	cr_assert_not(pool_done(&P));
	reap(FIRST_PID + 1, 30);
	cr_assert(pool_done(&P));
}

Test(pool, running_empty_pool_is_not_done, .fini = teardown)
{
	running(1);
	idle();
	reconcile(10);
	reap(FIRST_PID, 20);
	cr_assert_eq(P.p_nw, 0);
	cr_assert_not(pool_done(&P));
}

/* -- the process cap ------------------------------------------------------------- */

Test(pool, process_cap_bounds_piled_up_reloads, .fini = teardown)
{
	size_t cap;

	setup(8);				/* target == max == 8 */
	cap = 2 * (size_t)LIM.pl_max;
	reconcile(0);
	for (int i = 1; i <= 5; i++) {
		reload(&LIM, 8);
		reconcile((uint64_t)i * 10);
		cr_assert_leq(P.p_nw, cap, "after reload %d: %zu processes",
		    i, P.p_nw);
	}
	/* One full replacement fitted; the later reloads had to wait. */
	cr_assert_eq(F.next_pid - FIRST_PID, (pid_t)cap);
	cr_assert_eq(P.p_nw, cap);
}

/* Workers asked to stop exit promptly: reap them all at now. */
static void
reap_stopping(uint64_t now)
{
	for (size_t i = 0; i < P.p_nw; ) {
		if (P.p_w[i].w_state != WS_RUNNING)
			reap(P.p_w[i].w_pid, now);	/* moves the last here */
		else
			i++;
	}
}

Test(pool, piled_up_reloads_converge_to_the_newest, .fini = teardown)
{
	setup(8);				/* target == max == 8 */
	reconcile(0);
	for (int i = 1; i <= 5; i++) {
		reload(&LIM, 8);
		reconcile((uint64_t)i * 10);
	}
	for (uint64_t t = 100; t < 20000; t += 50) {
		reconcile(t);
		reap_stopping(t + 10);
	}
	cr_assert_eq(P.p_nw, 8, "%zu processes left", P.p_nw);
	for (size_t i = 0; i < P.p_nw; i++) {
		cr_assert_eq(P.p_w[i].w_gen, P.p_gen, "worker %zu still on "
		    "generation %u of %u", i, P.p_w[i].w_gen, P.p_gen);
		cr_assert_eq(P.p_w[i].w_state, WS_RUNNING);
	}
}

Test(pool, one_backoff_step_per_round_of_failures, .fini = teardown)
{
	running(8);
	for (pid_t pid = FIRST_PID; pid < FIRST_PID + 8; pid++)
		reap(pid, 10);
	cr_assert_eq(P.p_backoff.b_fails, 1, "eight deaths in one round "
	    "counted as %u failures", P.p_backoff.b_fails);
	cr_assert_eq(P.p_backoff.b_until, 10 + BACKOFF_BASE_MS);
}

Test(pool, process_cap_frees_up_on_reap, .fini = teardown)
{
	setup(2);
	P.p_lim.pl_max = 2;			/* cap 4 */
	LIM.pl_max = 2;
	reconcile(0);
	reload(&LIM, 2);
	reconcile(10);				/* 2 new, 2 old waiting */
	reload(&LIM, 2);
	reconcile(20);
	cr_assert_eq(n_spawns(), 0, "cap of 4 exceeded");

	reap(FIRST_PID, 2000);			/* an old one goes */
	reconcile(2000);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 0);
	cr_assert_eq(P.p_nw, 4);
}

Test(pool, death_on_request_is_no_failed_boot, .fini = teardown)
{
	struct pool_exit pe;

	running(1);
	pool_find(&P, FIRST_PID)->w_asked = true;
	pe = reap(FIRST_PID, 10);
	cr_assert_eq(pe.pe_kind, EXIT_DIED);
	cr_assert_eq(P.p_backoff.b_fails, 0);
	reconcile(10);
	cr_assert_eq(n_spawns(), 1, "not replaced at once");
}

/* -- readiness by notification, and the watchdog (rule 1b) ---------------- */

#define BOOT_TIMEOUT_MS	3000
#define TIMEOUT_MS	2000

static void
notified(pid_t pid, unsigned flags, uint64_t now, bool want_ready)
{
	struct notify_msg	m = { .nm_flags = flags };
	bool			ready;

	cr_assert_eq(pool_notified(&P, pid, &m, now, &ready), 0);
	cr_assert_eq(ready, want_ready, "pid %d: became_ready %d", (int)pid,
	    ready);
}

/* A pool of n workers with ready = notify, started at time 0. */
static void
running_notify(int n)
{
	setup(n);
	LIM.pl_ready_notify = true;
	LIM.pl_boot_timeout_ms = BOOT_TIMEOUT_MS;
	reload(&LIM, n);	/* the limits; generation 1 */
	cr_assert_eq(reconcile(0), BOOT_TIMEOUT_MS);
	cr_assert_eq(n_spawns(), (size_t)n);
}

Test(pool, notify_ready_only_after_ready_message, .fini = teardown)
{
	pid_t w;

	running_notify(1);
	w = pid_in(0);
	cr_assert_eq(pool_ready(&P, 5 * POOL_BOOT_WINDOW_MS), 0,
	    "ready by the clock alone");
	notified(w, NM_STATUS, 100, false);
	notified(w, NM_READY, 200, true);
	notified(w, NM_READY, 300, false);	/* once */
	cr_assert_eq(pool_ready(&P, 300), 1);
	cr_assert_eq(reconcile(300), POOL_NEVER, "a deadline is left");
}

/* READY=1 does not exempt a worker from the boot window: one that says
   it and dies at once is a failed boot, and the pool backs off. */
Test(pool, notify_ready_then_quick_death_is_a_failed_boot, .fini = teardown)
{
	struct pool_exit	pe;
	pid_t			w;

	running_notify(1);
	w = pid_in(0);
	notified(w, NM_READY, 100, true);
	pe = reap(w, 200);
	cr_assert_eq(pe.pe_kind, EXIT_FAILED_BOOT);
	cr_assert_gt(pe.pe_backoff_ms, 0, "no backoff");
	/* The probe says READY=1 and crashes at once too: that does not
	   prove the pool healthy, and the backoff grows. */
	uint64_t t = 200 + pe.pe_backoff_ms, first = pe.pe_backoff_ms;
	reconcile(t);
	w = pid_in(0);
	notified(w, NM_READY, t + 100, true);
	reconcile(t + 150);
	pe = reap(w, t + 200);
	cr_assert_eq(pe.pe_kind, EXIT_FAILED_BOOT);
	cr_assert_gt(pe.pe_backoff_ms, first, "the backoff did not grow");
	/* A ready probe that outlives the window proves the pool: when it
	   dies later, it simply died. */
	t += 200 + pe.pe_backoff_ms;
	reconcile(t);
	w = pid_in(0);
	notified(w, NM_READY, t + 100, true);
	reconcile(t + POOL_BOOT_WINDOW_MS);
	pe = reap(w, t + 2 * POOL_BOOT_WINDOW_MS);
	cr_assert_eq(pe.pe_kind, EXIT_DIED);
}

Test(pool, notify_message_from_a_stranger_is_not_ours, .fini = teardown)
{
	struct notify_msg	m = { .nm_flags = NM_READY };
	bool			ready;

	running_notify(1);
	cr_assert_eq(pool_notified(&P, 4242, &m, 10, &ready), -1);
	cr_assert_eq(pool_ready(&P, 10), 0);
}

Test(pool, not_ready_in_time_is_killed_as_a_failed_boot, .fini = teardown)
{
	struct pool_exit	pe;
	pid_t			w;

	running_notify(1);
	w = pid_in(0);
	reconcile(BOOT_TIMEOUT_MS - 1);
	cr_assert_eq(n_signals(0), 0);
	/* The stop signal first, as systemd at TimeoutStartSec=. */
	reconcile(BOOT_TIMEOUT_MS);
	cr_assert_not_null(signal_to(w));
	cr_assert_eq(signal_to(w)->sig, LIM.pl_stop_signal);
	cr_assert_str_eq(signal_to(w)->why, "not ready within boot_timeout");
	/* Its slot waits for the backoff, not for its end. */
	cr_assert_eq(n_spawns(), 0);
	/* Then SIGKILL, after min(graceful_timeout, POOL_BOOT_STOP_MS). */
	reconcile(BOOT_TIMEOUT_MS + POOL_BOOT_STOP_MS - 1);
	cr_assert_null(signal_to(w));
	reconcile(BOOT_TIMEOUT_MS + POOL_BOOT_STOP_MS);
	cr_assert_not_null(signal_to(w));
	cr_assert_eq(signal_to(w)->sig, SIGKILL);
	pe = reap(w, BOOT_TIMEOUT_MS + POOL_BOOT_STOP_MS + 5);
	cr_assert_eq(pe.pe_kind, EXIT_FAILED_BOOT);
	cr_assert_eq(pe.pe_end, END_BOOT_TIMEOUT);
	cr_assert_eq(P.p_backoff.b_fails, 1, "counted twice");
}

Test(pool, a_boot_timeout_grace_is_at_most_graceful_timeout,
    .fini = teardown)
{
	pid_t w;

	setup(1);
	LIM.pl_ready_notify = true;
	LIM.pl_boot_timeout_ms = 3000;
	LIM.pl_graceful_ms = 500;
	reload(&LIM, 1);
	reconcile(0);
	w = pid_in(0);
	cr_assert_eq(reconcile(3000), 3500);
	cr_assert_eq(signal_to(w)->sig, LIM.pl_stop_signal);
	reconcile(3500);
	cr_assert_eq(signal_to(w)->sig, SIGKILL);
}

Test(pool, dying_before_ready_is_a_failed_boot_at_any_age, .fini = teardown)
{
	running_notify(1);
	/* Past the boot window, but never ready. */
	cr_assert_eq(reap(pid_in(0), 2500).pe_kind, EXIT_FAILED_BOOT);
}

Test(pool, extend_timeout_pushes_the_boot_deadline, .fini = teardown)
{
	struct notify_msg	m = { .nm_flags = NM_EXTEND,
				      .nm_extend_usec = 10000000 };
	bool			ready;
	pid_t			w;

	running_notify(1);
	w = pid_in(0);
	cr_assert_eq(pool_notified(&P, w, &m, 1000, &ready), 0);
	cr_assert_eq(reconcile(BOOT_TIMEOUT_MS), 11000);
	cr_assert_eq(n_signals(0), 0, "killed despite EXTEND_TIMEOUT_USEC");
	/* A shorter extension never shortens it. */
	m.nm_extend_usec = 1000;
	cr_assert_eq(pool_notified(&P, w, &m, 4000, &ready), 0);
	cr_assert_eq(reconcile(4000), 11000);
}

Test(pool, reload_waits_for_ready_not_for_the_clock, .fini = teardown)
{
	pid_t old, fresh;

	running_notify(1);
	old = pid_in(0);
	notified(old, NM_READY, 100, true);
	reload(&LIM, 1);
	reconcile(1000);
	cr_assert_eq(n_spawns(), 1);
	fresh = new_spawn(0)->pid;
	reconcile(1000 + 5 * POOL_BOOT_WINDOW_MS / 2);
	cr_assert_eq(n_signals(0), 0, "old retired before READY=1");
	notified(fresh, NM_READY, 3500, true);
	reconcile(3500);
	cr_assert_not_null(signal_to(old));
	cr_assert_str_eq(signal_to(old)->why, "replaced after reload");
}

/*
 * Built-in workers (pl_ready_early): READY=1 makes one ready at once, so
 * a reload moves at spawn speed; without it, the boot window does.  A
 * quick death after READY=1 is still a failed boot.
 */
Test(pool, early_ready_ends_the_boot_window, .fini = teardown)
{
	pid_t old, fresh;

	setup(1);
	LIM.pl_ready_early = true;
	reload(&LIM, 1);
	reconcile(0);
	old = pid_in(0);
	cr_assert_eq(pool_ready(&P, 10), 0);
	notified(old, NM_READY, 10, true);
	cr_assert_eq(pool_ready(&P, 10), 1, "READY=1 did not count");
	reload(&LIM, 1);
	reconcile(20);
	fresh = new_spawn(0)->pid;
	notified(fresh, NM_READY, 25, true);
	reconcile(25);
	cr_assert_not_null(signal_to(old), "old not retired at READY=1");
	cr_assert_str_eq(signal_to(old)->why, "replaced after reload");
	/* One that never says it is ready by the window, as before. */
	cr_assert_eq(pool_ready(&P, 25), 1);
}

Test(pool, early_ready_then_quick_death_is_a_failed_boot, .fini = teardown)
{
	pid_t w;

	setup(1);
	LIM.pl_ready_early = true;
	reload(&LIM, 1);
	reconcile(0);
	w = pid_in(0);
	notified(w, NM_READY, 10, true);
	cr_assert_eq(reap(w, 500).pe_kind, EXIT_FAILED_BOOT);
}

/* Without READY=1 (exec pools, ready = started), boot_window says when. */
Test(pool, boot_window_sets_readiness_by_the_clock, .fini = teardown)
{
	pid_t w;

	setup(1);
	LIM.pl_boot_window_ms = 200;
	reload(&LIM, 1);
	reconcile(0);
	w = pid_in(0);
	cr_assert_eq(pool_ready(&P, 199), 0);
	cr_assert_eq(pool_ready(&P, 200), 1);
	/* READY=1 means nothing to such a pool. */
	notified(w, NM_READY, 100, true);
	cr_assert_eq(pool_ready(&P, 150), 0);
	/* Ready is not proven: a death in the first second is a failed
	   boot whatever the window. */
	cr_assert_eq(reap(w, POOL_BOOT_WINDOW_MS - 1).pe_kind,
	    EXIT_FAILED_BOOT);
}

Test(pool, silent_worker_gets_sigabrt_then_sigkill, .fini = teardown)
{
	struct pool_exit	pe;
	pid_t			w;

	setup(1);
	LIM.pl_timeout_ms = TIMEOUT_MS;
	reload(&LIM, 1);
	cr_assert_eq(reconcile(0), TIMEOUT_MS);
	w = pid_in(0);
	notified(w, NM_WATCHDOG, 1500, false);
	cr_assert_eq(reconcile(TIMEOUT_MS), 1500 + TIMEOUT_MS);
	cr_assert_eq(n_signals(0), 0);
	reconcile(1500 + TIMEOUT_MS);
	cr_assert_not_null(signal_to(w));
	cr_assert_eq(signal_to(w)->sig, SIGABRT);
	cr_assert_str_eq(signal_to(w)->why,
	    "watchdog timeout: no sign of life");
	/* Replaced at once, while it dumps core: a hang is no failed
	   boot. */
	reconcile(1500 + TIMEOUT_MS + 1);
	cr_assert_eq(n_spawns(), 1);
	/* The replacement is alive and well. */
	pool_heartbeat(pool_find(&P, pid_in(0)),
	    1500 + TIMEOUT_MS + POOL_ABORT_GRACE_MS - 1);
	reconcile(1500 + TIMEOUT_MS + POOL_ABORT_GRACE_MS);
	cr_assert_eq(signal_to(w)->sig, SIGKILL);
	pe = reap(w, 1500 + TIMEOUT_MS + POOL_ABORT_GRACE_MS + 1);
	cr_assert_eq(pe.pe_kind, EXIT_STOPPED);
	cr_assert_eq(pe.pe_end, END_WATCHDOG);
	reconcile(1500 + TIMEOUT_MS + POOL_ABORT_GRACE_MS + 1);
	cr_assert_eq(n_spawns(), 0);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 1);
}

Test(pool, heartbeats_keep_a_worker_alive, .fini = teardown)
{
	setup(1);
	LIM.pl_timeout_ms = TIMEOUT_MS;
	reload(&LIM, 1);
	reconcile(0);
	for (uint64_t t = 1000; t <= 20000; t += 1000) {
		pool_heartbeat(pool_find(&P, pid_in(0)), t);
		cr_assert_eq(reconcile(t), t + TIMEOUT_MS);
		cr_assert_eq(n_signals(0), 0, "killed at %llu",
		    (unsigned long long)t);
	}
	/* An older beat never moves the clock back. */
	pool_heartbeat(pool_find(&P, pid_in(0)), 5);
	cr_assert_eq(reconcile(20000), 20000 + TIMEOUT_MS);
}

Test(pool, watchdog_trigger_aborts_at_once, .fini = teardown)
{
	pid_t w;

	running(1);
	w = pid_in(0);
	notified(w, NM_TRIGGER, 10, false);
	reconcile(10);
	cr_assert_not_null(signal_to(w));
	cr_assert_eq(signal_to(w)->sig, SIGABRT);
	cr_assert_str_eq(signal_to(w)->why,
	    "watchdog triggered by the worker");
}

Test(pool, status_and_errno_are_kept, .fini = teardown)
{
	struct notify_msg	m = { .nm_flags = NM_STATUS | NM_ERRNO,
				      .nm_errno = 5 };
	bool			ready;
	struct worker		*w;

	running(1);
	snprintf(m.nm_status, sizeof(m.nm_status), "warming caches");
	cr_assert_eq(pool_notified(&P, pid_in(0), &m, 10, &ready), 0);
	w = pool_find(&P, pid_in(0));
	cr_assert_str_eq(w->w_status, "warming caches");
	cr_assert_eq(w->w_errno, 5);
}

Test(pool, exit_notes_per_slot, .fini = teardown)
{
	char long_text[400];

	running(2);
	cr_assert_null(pool_exit_note(&P, 0));
	cr_assert_null(pool_exit_note(&P, 7));
	pool_note_exit(&P, 1, "died, exited with code 3 after 9.0 s");
	cr_assert_str_eq(pool_exit_note(&P, 1),
	    "died, exited with code 3 after 9.0 s");
	cr_assert_null(pool_exit_note(&P, 0));
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	pool_note_exit(&P, 300, long_text);
	cr_assert_eq(strlen(pool_exit_note(&P, 300)), POOL_NOTE_MAX - 1);
	cr_assert_str_eq(pool_exit_note(&P, 1),
	    "died, exited with code 3 after 9.0 s", "lost on growth");
	pool_note_exit(&P, POOL_SLOTS_MAX, "out of range");
	cr_assert_null(pool_exit_note(&P, POOL_SLOTS_MAX));
}

/* -- max_surge and recycling -------------------------------------------------- */

/* A pool of n workers started at 0 and booted, with max_surge surge. */
static void
running_surge(int n, unsigned surge)
{
	running(n);
	LIM.pl_max_surge = surge;
	P.p_lim = LIM;
}

Test(pool, reload_boots_at_most_max_surge_at_a_time, .fini = teardown)
{
	uint64_t t = 2000;

	running_surge(3, 1);
	reload(&LIM, 3);
	for (unsigned slot = 0; slot < 3; slot++) {
		cr_assert_eq(reconcile(t), t + POOL_BOOT_WINDOW_MS);
		cr_assert_eq(n_spawns(), 1, "slot %u", slot);
		cr_assert_eq(new_spawn(0)->slot, slot);
		cr_assert_eq(pool_count(&P, WS_RUNNING), 4,
		    "more than one extra worker");
		/* Nothing more while it boots. */
		reconcile(t + POOL_BOOT_WINDOW_MS - 1);
		cr_assert_eq(n_spawns(), 0);
		cr_assert_eq(n_signals(0), 0);
		t += POOL_BOOT_WINDOW_MS;
		if (slot < 2)
			continue;
		/* The last one booted: its old worker goes, and no more
		   spawns. */
		reconcile(t);
		cr_assert_eq(n_spawns(), 0);
		cr_assert_eq(n_signals(STOP_SIG), 1);
	}
	cr_assert_eq(pool_ready(&P, t), 3);
}

Test(pool, max_surge_two_boots_two, .fini = teardown)
{
	running_surge(4, 2);
	reload(&LIM, 4);
	reconcile(2000);
	cr_assert_eq(n_spawns(), 2);
	reconcile(2000 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 2);
	cr_assert_eq(n_signals(STOP_SIG), 2);
}

Test(pool, surge_never_delays_an_empty_slot, .fini = teardown)
{
	running_surge(3, 1);
	reload(&LIM, 3);
	reconcile(2000);			/* slot 0 surges */
	cr_assert_eq(n_spawns(), 1);
	/* Slot 2's old worker dies: its slot is filled at once. */
	reap(FIRST_PID + 2, 2100);
	reconcile(2100);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 2);
}

Test(pool, lifetime_recycles_one_slot_at_a_time, .fini = teardown)
{
	const uint64_t life = 60000;
	pid_t old0, old1;

	setup(2);
	LIM.pl_max_surge = 1;
	LIM.pl_max_lifetime_ms = life;
	reload(&LIM, 2);
	cr_assert_eq(reconcile(0), life, "no wake-up for max_lifetime");
	old0 = pid_in(0);
	old1 = pid_in(1);
	cr_assert_eq(reconcile(life), life + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 1, "both slots recycled at once");
	cr_assert_eq(n_signals(0), 0, "retired before its replacement");
	reconcile(life + POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(old0));
	cr_assert_str_eq(signal_to(old0)->why, "recycled after max_lifetime");
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 1);
	reconcile(life + 2 * POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(old1));
	/* The replacements have their own lifetime ahead of them. */
	cr_assert_eq(pool_find(&P, pid_in(0))->w_recycle_at, 2 * life);
	cr_assert_eq(pool_find(&P, pid_in(1))->w_recycle_at,
	    2 * life + POOL_BOOT_WINDOW_MS);
}

Test(pool, lifetime_jitter_spreads_workers, .fini = teardown)
{
	uint64_t lo = POOL_NEVER, hi = 0;

	setup(8);
	LIM.pl_max_lifetime_ms = 60000;
	LIM.pl_lifetime_jitter_ms = 10000;
	reload(&LIM, 8);
	reconcile(0);
	for (size_t i = 0; i < P.p_nw; i++) {
		uint64_t at = P.p_w[i].w_recycle_at;
		cr_assert_geq(at, 60000);
		cr_assert_leq(at, 70000);
		lo = at < lo ? at : lo;
		hi = at > hi ? at : hi;
	}
	cr_assert_neq(lo, hi, "jitter gave every worker the same lifetime");
}

Test(pool, recycle_on_request_replaces_then_retires, .fini = teardown)
{
	pid_t old;

	running_surge(2, 1);
	old = pid_in(1);
	reconcile(5000);
	cr_assert_eq(n_spawns(), 0);
	pool_recycle(&P, pool_find(&P, old), END_MAX_REQUESTS);
	cr_assert_eq(reconcile(5000), 5000 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(new_spawn(0)->slot, 1);
	cr_assert_eq(n_signals(0), 0);
	/* Marking it again changes nothing. */
	pool_recycle(&P, pool_find(&P, old), END_MAX_RSS);
	reconcile(5000 + POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(old));
	cr_assert_str_eq(signal_to(old)->why, "recycled after max_requests");
	cr_assert_eq(pool_exit_note(&P, 1), NULL);
	cr_assert_eq(reap(old, 5100 + POOL_BOOT_WINDOW_MS).pe_kind,
	    EXIT_STOPPED);
	reconcile(5100 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 0);
	cr_assert_eq(pool_count(&P, WS_RUNNING), 2);
}

Test(pool, recycled_worker_serves_until_replacement_is_ready,
    .fini = teardown)
{
	pid_t old;

	running_surge(1, 1);
	old = pid_in(0);
	pool_recycle(&P, pool_find(&P, old), END_MAX_RSS);
	F.fail_spawn = true;
	reconcile(5000);
	F.fail_spawn = false;
	cr_assert_eq(n_signals(0), 0, "retired without a replacement");
	/* The replacement crashes at boot: the old one still serves. */
	reconcile(5000 + BACKOFF_BASE_MS);
	cr_assert_eq(n_spawns(), 1);
	reap(new_spawn(0)->pid, 5200);
	reconcile(5200);
	cr_assert_eq(pool_find(&P, old)->w_state, WS_RUNNING);
}

/* A replacement already due when it gets ready still relieves the worker
   before it: a lifetime as short as the boot window converges. */
Test(pool, lifetime_shorter_than_boot_still_rolls, .fini = teardown)
{
	pid_t	first, second;

	setup(1);
	LIM.pl_max_surge = 1;
	LIM.pl_max_lifetime_ms = POOL_BOOT_WINDOW_MS;
	reload(&LIM, 1);
	reconcile(0);
	first = pid_in(0);
	reconcile(POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 1);
	second = new_spawn(0)->pid;
	reconcile(2 * POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(first), "the first worker never goes");
	cr_assert_str_eq(signal_to(first)->why, "recycled after max_lifetime");
	cr_assert_null(signal_to(second), "retired before a newer is ready");
	cr_assert_eq(n_spawns(), 1);
	reconcile(3 * POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(second));
	cr_assert_eq(pool_count(&P, WS_RUNNING), 2);
}

/* Asked while it boots (max_requests under load): replaced only once it
   is ready, so replacements cannot chase each other. */
Test(pool, recycling_waits_for_readiness, .fini = teardown)
{
	pid_t w;

	running_surge(1, 1);
	w = pid_in(0);
	pool_recycle(&P, pool_find(&P, w), END_MAX_REQUESTS);
	cr_assert_eq(reconcile(100), POOL_BOOT_WINDOW_MS,
	    "no wake-up for readiness");
	cr_assert_eq(n_spawns(), 0, "replaced while booting");
	reconcile(POOL_BOOT_WINDOW_MS);
	cr_assert_eq(n_spawns(), 1);
	cr_assert_eq(n_signals(0), 0);
}

/* An in-place upgrade's adopted workers serve until their replacements
   are ready, one at a time, and keep their age. */
Test(pool, adopted_workers_are_replaced_by_the_rolling_rule,
    .fini = teardown)
{
	setup(2);
	LIM.pl_max_surge = 1;
	reload(&LIM, 2);
	cr_assert_eq(pool_adopt(&P, 500, 0, 1000, 4000, true, false, 0,
	    END_NONE), 0);
	cr_assert_eq(pool_adopt(&P, 501, 1, 1000, 4000, true, false, 0,
	    END_NONE), 0);
	cr_assert_eq(pool_adopt(&P, 502, 1, 1000, 4000, true, true, 9000,
	    END_SCALED_DOWN), 0);
	cr_assert_eq(pool_find(&P, 500)->w_started, 1000);
	cr_assert_eq(pool_count(&P, WS_STOPPING), 1);
	reload(&LIM, 2);
	reconcile(5000);
	cr_assert_eq(n_spawns(), 1, "more than max_surge at once");
	cr_assert_eq(n_signals(0), 0, "retired before its replacement");
	reconcile(5000 + POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(500));
	cr_assert_eq(n_spawns(), 1);
	/* The one that was stopping keeps its deadline, and its reason. */
	reconcile(9000);
	cr_assert_not_null(signal_to(502));
	cr_assert_eq(signal_to(502)->sig, SIGKILL);
	cr_assert_eq(reap(502, 9001).pe_end, END_SCALED_DOWN);
}

/* A SIGKILL from outside (OOM killer, operator) is no failed boot, even
   young; the same death by a crash signal is. */
Test(pool, killed_from_outside_is_no_failed_boot, .fini = teardown)
{
	struct pool_exit pe;

	running(2);
	pool_killed(&P, FIRST_PID);
	pe = reap(FIRST_PID, 100);
	cr_assert_eq(pe.pe_kind, EXIT_DIED);
	cr_assert_eq(P.p_backoff.b_fails, 0);
	reconcile(100);
	cr_assert_eq(n_spawns(), 1, "not replaced at once");
	pe = reap(FIRST_PID + 1, 200);
	cr_assert_eq(pe.pe_kind, EXIT_FAILED_BOOT);
}

/* -- why a worker ended: every reason, told by the policy ------------------- */

/* Reap the worker in slot 0 at t; its end, with the kind it implies. */
static enum worker_end
end_in_slot0(uint64_t t)
{
	struct pool_exit pe = reap(pid_in(0), t);

	cr_assert_eq(pe.pe_kind, end_kind(pe.pe_end));
	return pe.pe_end;
}

/* A new generation for why: the old worker in slot 0, once its
   replacement is ready, is retired for that reason. */
static enum worker_end
replaced_for(enum worker_end why)
{
	pid_t old;

	running(1);
	old = pid_in(0);
	pool_reload(&P, &LIM, why);
	reconcile(1000);
	reconcile(1000 + POOL_BOOT_WINDOW_MS);
	cr_assert_not_null(signal_to(old), "old worker not retired");
	cr_assert_str_eq(signal_to(old)->why, end_text(why));
	return reap(old, 3000).pe_end;
}

Test(pool, end_reload, .fini = teardown)
{
	cr_assert_eq(replaced_for(END_RELOAD), END_RELOAD);
}

Test(pool, end_restart, .fini = teardown)
{
	cr_assert_eq(replaced_for(END_RESTART), END_RESTART);
}

Test(pool, end_upgrade, .fini = teardown)
{
	cr_assert_eq(replaced_for(END_UPGRADE), END_UPGRADE);
}

Test(pool, end_scaled_down, .fini = teardown)
{
	pid_t top;

	running(2);
	top = pid_in(1);
	scale(-1);
	reconcile(2000);
	cr_assert_eq(reap(top, 2100).pe_end, END_SCALED_DOWN);
}

Test(pool, end_pool_stopping, .fini = teardown)
{
	pid_t w;

	running(1);
	w = pid_in(0);
	pool_stop(&P, false);
	reconcile(2000);
	cr_assert_eq(reap(w, 2100).pe_end, END_POOL_STOPPING);
}

/* Recycled for each cause: the reason is the cause, not "reload". */
Test(pool, end_recycled_for_its_cause, .fini = teardown)
{
	static const enum worker_end causes[] = { END_MAX_REQUESTS,
	    END_MAX_RSS, END_RECYCLE_ASKED };

	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		pid_t old;
		uint64_t t = 10000 * (i + 1);

		if (i == 0)
			running(1);
		old = pid_in(0);
		pool_recycle(&P, pool_find(&P, old), causes[i]);
		reconcile(t);
		reconcile(t + POOL_BOOT_WINDOW_MS);
		cr_assert_eq(reap(old, t + POOL_BOOT_WINDOW_MS + 1).pe_end,
		    causes[i]);
	}
}

Test(pool, end_max_lifetime, .fini = teardown)
{
	pid_t old;

	setup(1);
	LIM.pl_max_lifetime_ms = 5000;
	reload(&LIM, 1);
	reconcile(0);
	old = pid_in(0);
	reconcile(5000);
	reconcile(5000 + POOL_BOOT_WINDOW_MS);
	cr_assert_eq(reap(old, 7000).pe_end, END_MAX_LIFETIME);
}

/* poolctl kill: the worker it ends was killed on request, not a death
   of its own, and never a failed boot, however young. */
Test(pool, end_killed_on_request, .fini = teardown)
{
	running(1);
	pool_kill_asked(pool_find(&P, pid_in(0)), 5);
	cr_assert_eq(end_in_slot0(10), END_KILLED);
	cr_assert_eq(P.p_backoff.b_fails, 0);
}

/* A signal the worker took (USR1, say): a death long after it is its
   own, not the kill's. */
Test(pool, end_after_a_kill_it_survived_is_its_own, .fini = teardown)
{
	running(1);
	pool_kill_asked(pool_find(&P, pid_in(0)), 5);
	cr_assert_eq(end_in_slot0(5 + GRACE_MS + 1), END_DIED);
}

/* A SIGKILL from outside (an operator, the OOM killer): died, and no
   failed boot either. */
Test(pool, end_killed_from_outside_is_a_death, .fini = teardown)
{
	running(1);
	pool_killed(&P, pid_in(0));
	cr_assert_eq(end_in_slot0(10), END_DIED);
}

Test(pool, end_died_and_failed_boot, .fini = teardown)
{
	running(1);
	cr_assert_eq(end_in_slot0(10), END_FAILED_BOOT);
	reconcile(20000);
	cr_assert_eq(end_in_slot0(20000 + POOL_BOOT_WINDOW_MS), END_DIED);
}

Test(pool, end_watchdog_trigger, .fini = teardown)
{
	struct notify_msg	m = { .nm_flags = NM_TRIGGER };
	bool			ready;

	pid_t			w;

	running(1);
	w = pid_in(0);
	reconcile(2000);
	cr_assert_eq(pool_notified(&P, w, &m, 2000, &ready), 0);
	reconcile(2001);
	cr_assert_eq(signal_to(w)->sig, SIGABRT);
	cr_assert_eq(reap(w, 2002).pe_end, END_WATCHDOG_TRIGGER);
}

Test(pool, end_boot_timeout, .fini = teardown)
{
	pid_t w;

	setup(1);
	LIM.pl_ready_notify = true;
	LIM.pl_boot_timeout_ms = 3000;
	reload(&LIM, 1);
	reconcile(0);
	w = pid_in(0);
	reconcile(3000);
	cr_assert_eq(signal_to(w)->sig, LIM.pl_stop_signal);
	cr_assert_eq(reap(w, 3001).pe_end, END_BOOT_TIMEOUT);
	cr_assert_eq(end_kind(END_BOOT_TIMEOUT), EXIT_FAILED_BOOT);
}

/* The table: every reason has a distinct name that reads back. */
Test(pool, end_names_are_distinct_and_read_back)
{
	for (int e = END_NONE + 1; e < END_NREASONS; e++) {
		cr_assert_eq(end_from_name(end_name(e)), e, "%s", end_name(e));
		cr_assert_str_neq(end_text(e), "");
	}
	cr_assert_eq(end_from_name("no such reason"), END_NONE);
}
