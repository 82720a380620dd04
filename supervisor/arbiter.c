/* SPDX-License-Identifier: ISC */
/*
 * The arbiter's loop.  A wakeup is handled in a fixed order, as nginx's
 * master does: reap, stop, reload, reopen logs, scale, then one reconcile
 * step per pool; the loop then sleeps until the earliest deadline the pools
 * returned, or forever.  An idle arbiter makes no system calls.
 *
 * Reading the signalfd only records what arrived (signals are data, see
 * arb_signals[]); nothing acts on them until the ordered step.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arbiter.h"
#include "control.h"
#include "events.h"
#include "capture.h"
#include "cgroup.h"
#include "confcheck.h"
#include "confprint.h"
#include "filewatch.h"
#include "guardian.h"
#include "readyfd.h"
#include "compat.h"
#include "cpus.h"
#include "einhorn.h"
#include "health.h"
#include "sentinel.h"
#include "loop.h"
#include "listeners.h"
#include "inplace.h"
#include "log.h"
#include "manager.h"
#include "metrics.h"
#include "workernotify.h"
#include "options.h"
#include "pool.h"
#include "procstat.h"
#include "scaler.h"
#include "sockstat.h"
#include "scoreboard.h"
#include "signame.h"
#include "spawn.h"
#include "usr2.h"

/* The supervisor's half of a pool, hung on pool->p_ctx. */
struct pool_rt {
	const struct pool_conf	*pr_conf;	/* NULL once a reload removed it */
	int			*pr_fds;
	size_t			 pr_nfds;
	char			*pr_fdnames;	/* LISTEN_FDNAMES */
	int			 pr_group;	/* scoreboard group, or -1 */
	uint64_t		 pr_rss_next;	/* max_rss: next look (ms) */
	struct scaler		*pr_scaler;	/* scale = ... */
	struct pool_stats	 pr_stats;
};

/* max_rss: how often a pool that sets it has its workers' RSS read. */
#define RSS_CHECK_MS	1000

enum arb_state {
	AS_RUN,
	AS_DRAIN,	/* a drain signal: /readyz fails, the workers serve on */
	AS_STOP,	/* graceful */
	AS_QUICK,	/* quick */
};

static struct arbiter {
	struct poold_conf	  a_conf;
	const struct cli	 *a_cli;
	struct pool		**a_pools;
	size_t			  a_npools;
	struct ev_source	  a_sig;
	enum arb_state		  a_state;
	uint64_t		  a_started;	/* ms, for uptime */
	uint64_t		  a_drain_until;	/* AS_DRAIN's end, ms */
	bool			  a_announced;	/* READY=1 sent to systemd */
	unsigned		  a_generation;	/* successful reloads */
	bool			  a_capture;	/* capture_output, decided */
	/* What arrived since the last step. */
	bool			  a_chld, a_hup, a_usr1, a_winch;
	bool			  a_term, a_quick, a_drain, a_usr2;
	char			 *a_inplace;	/* poolctl upgrade: the binary */
	int			  a_scale;
} arb = { .a_sig = { .es_fd = -1 } };

static void on_chld(void)  { arb.a_chld = true; }
static void on_hup(void)   { arb.a_hup = true; }
static void stop_by(int);
static void on_term(void)  { stop_by(SIGTERM); }
static void on_int(void)   { stop_by(SIGINT); }
static void on_quit(void)  { stop_by(SIGQUIT); }
static void on_usr1(void)  { arb.a_usr1 = true; }
static void on_winch(void) { arb.a_winch = true; }
static void on_ttin(void)  { arb.a_scale++; }
static void on_ttou(void)  { arb.a_scale--; }
static void on_usr2(void)  { arb.a_usr2 = true; }

/* One row per signal: the signalfd mask and the log lines come from here
   (--help's summary is options.c's; poold(8) has the full list). */
static const struct arb_signal {
	int		  as_sig;
	void		(*as_fn)(void);
	const char	 *as_what;
} arb_signals[] = {
	{ SIGCHLD,	on_chld,	"reap and replace workers" },
	{ SIGHUP,	on_hup,		"reload the configuration" },
	{ SIGTERM,	on_term,	NULL },	/* stop_by() says */
	{ SIGINT,	on_int,		NULL },
	{ SIGQUIT,	on_quit,	NULL },
	{ SIGUSR1,	on_usr1,	"reopen log files" },
	{ SIGUSR2,	on_usr2,	"binary upgrade" },
	{ SIGWINCH,	on_winch,	"stop all workers, keep the arbiter" },
	{ SIGTTIN,	on_ttin,	"one more worker per pool" },
	{ SIGTTOU,	on_ttou,	"one fewer worker per pool" },
};

#define NSIGNALS	(sizeof(arb_signals) / sizeof(arb_signals[0]))

/* -- pools ------------------------------------------------------------------ */

static void
limits_from(const struct pool_conf *pc, struct pool_limits *lim)
{
	lim->pl_min = pc->pc_min_workers;
	lim->pl_max = pc->pc_max_workers;
	lim->pl_stop_signal = pc->pc_stop_signal;
	lim->pl_graceful_ms = pc->pc_graceful_ms;
	lim->pl_ready_notify = pc->pc_ready_notify;
	/* Built-in workers say READY=1 once they accept (http/tell.c);
	   the window is their fallback, should the datagram be lost. */
	lim->pl_ready_early = pc->pc_class != WC_EXEC;
	lim->pl_boot_window_ms = pc->pc_boot_window_ms;
	lim->pl_boot_timeout_ms = pc->pc_boot_timeout_ms;
	lim->pl_timeout_ms = pc->pc_timeout_ms;
	lim->pl_max_surge = pc->pc_max_surge;
	lim->pl_max_lifetime_ms = pc->pc_max_lifetime_ms;
	lim->pl_lifetime_jitter_ms = pc->pc_lifetime_jitter_ms;
}

/* Point a pool at its (new) config and the fds of its listeners. */
static int
rt_bind(struct pool_rt *rt, const struct pool_conf *pc)
{
	int	*fds;
	char	*names;
	size_t	 n;

	if ((fds = listeners_fds(pc, &n)) == NULL)
		return -1;
	if ((names = listeners_fdnames(pc)) == NULL) {
		free(fds);
		return -1;
	}
	free(rt->pr_fds);
	free(rt->pr_fdnames);
	rt->pr_fdnames = names;
	rt->pr_fds = fds;
	rt->pr_nfds = n;
	rt->pr_conf = pc;
	return 0;
}

/* ondemand pools start with none; the first connection brings them up. */
static int
initial_target(const struct pool_conf *pc)
{
	return pc->pc_scale.sc_mode == SCALE_ONDEMAND ? 0 : pc->pc_workers;
}

/*
 * The limits of a pool with no configuration: one that only stops the
 * workers it is given (the pool was dropped by the configuration a
 * `poolctl upgrade` brought).
 */
static void
limits_removed(struct pool_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->pl_max = POOL_SLOTS_MAX;
	lim->pl_stop_signal = SIGTERM;
	lim->pl_graceful_ms = CONF_DEFAULT_GRACEFUL * 1000;
}

/* A pool for pc, or (pc NULL) a removed pool called name. */
static struct pool *
pool_create(const struct pool_conf *pc, const char *name)
{
	struct pool		*p, **pp;
	struct pool_rt		*rt;
	struct pool_limits	 lim;

	if (pc != NULL)
		limits_from(pc, &lim);
	else
		limits_removed(&lim);
	p = calloc(1, sizeof(*p));
	rt = calloc(1, sizeof(*rt));
	/* An array of pointers: sizeof(*pp) is a pointer's size. */
	pp = reallocarray(arb.a_pools, arb.a_npools + 1,
	    sizeof(*pp));	/* NOLINT(bugprone-sizeof-expression) */
	if (pp != NULL)
		arb.a_pools = pp;
	if (p == NULL || rt == NULL || pp == NULL ||
	    (rt->pr_scaler = scaler_new()) == NULL ||
	    pool_init(p, pc != NULL ? pc->pc_name : name, &lim,
	    pc != NULL ? initial_target(pc) : 0) == -1 ||
	    (pc != NULL && rt_bind(rt, pc) == -1)) {
		if (p != NULL)
			pool_free(p);
		free(p);
		if (rt != NULL)
			scaler_free(rt->pr_scaler);
		free(rt);
		return NULL;
	}
	/* Without a group (all 1024 taken) the pool's workers just do not
	   balance their connections. */
	rt->pr_group = sb_group_alloc();
	/* Jitter only has to differ between pools and runs. */
	p->p_rand = (ev_now_ms() + 1) * UINT64_C(0x9e3779b97f4a7c15) ^
	    (uint64_t)getpid() << 32 ^ (uintptr_t)p;
	p->p_ctx = rt;
	arb.a_pools[arb.a_npools++] = p;
	return p;
}

static void
pool_destroy(struct pool *p)
{
	struct pool_rt *rt = p->p_ctx;

	free(rt->pr_fds);
	free(rt->pr_fdnames);
	sb_group_release(rt->pr_group);
	scaler_free(rt->pr_scaler);
	free(rt);
	pool_free(p);
	free(p);
}

static struct pool *
pool_by_name(const char *name)
{
	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool *p = arb.a_pools[i];
		if (p->p_mode == PM_RUN && strcmp(p->p_name, name) == 0)
			return p;
	}
	return NULL;
}

/* -- side effects for the policy ------------------------------------------ */

static pid_t
op_spawn(void *arg, struct pool *p, unsigned slot, int *board)
{
	struct pool_rt		*rt = p->p_ctx;
	struct spawn_req	 r = {
		.sr_conf = rt->pr_conf,
		.sr_fds = rt->pr_fds,
		.sr_nfds = rt->pr_nfds,
		.sr_fdnames = rt->pr_fdnames,
		.sr_slot = slot,
		.sr_access_log = arb.a_conf.c_access_log,
		.sr_access_format = arb.a_conf.c_access_format,
		.sr_log_json = arb.a_conf.c_log_format == LOG_FMT_JSON,
		.sr_group = rt->pr_group,
		.sr_notify = notify_address(),
		.sr_einhorn = einhorn_address(),
		.sr_cgroup = -1,
		.sr_ready_fd = -1,
		.sr_capture_fd = -1,
	};
	pid_t			 pid;
	int			 rd = -1, cap = -1;

	if (rt->pr_conf == NULL)
		return -1;	/* removed by a reload: never respawned */
	notify_check();
	if (rt->pr_conf->pc_compat & COMPAT_EINHORN)
		einhorn_check();
	/* Without its pipe, a worker would find some other file at its
	   notification_fd: no worker, and the backoff, rather. */
	if (rt->pr_conf->pc_ready_fd != -1 &&
	    (rd = spawn_pipe(&r.sr_ready_fd, "ready = fd")) == -1)
		return -1;
	/* Built-in workers report on the scoreboard; exec'd ones cannot. */
	r.sr_board = rt->pr_conf->pc_class == WC_EXEC ? -1 : sb_alloc();
	r.sr_cgroup = cg_prepare(p->p_name, slot, &rt->pr_conf->pc_limits);
	/* Built-in workers write to poold's log already. */
	if (arb.a_capture && rt->pr_conf->pc_class == WC_EXEC)
		cap = spawn_pipe(&r.sr_capture_fd, "capture_output");
	pid = spawn_worker(&r);
	cg_started(r.sr_cgroup, pid);
	readyfd_started(rd, r.sr_ready_fd, pid);
	capture_started(cap, r.sr_capture_fd, p->p_name, slot, pid);
	if (pid == -1)
		sb_release(r.sr_board);
	else {
		*board = r.sr_board;
		rt->pr_stats.ps_spawns++;
		if (r.sr_board != -1)
			sb_joined(sb_group(rt->pr_group));
		sentinel_add(pid);
		log_info("pool %s: worker %u started (pid %ld)", p->p_name,
		    slot, (long)pid);
		event_spawned(p, slot, pid);
	}
	return pid;
}

/* SIGKILL to pid's tree: its cgroup, and its process group (a cgroup
   holds all, but the group is what a worker without one has); whether
   either was there to kill. */
static bool
kill_whole(pid_t pid)
{
	int by_cgroup = cg_kill(pid), by_group = proc_kill_group(pid);

	return by_cgroup == 1 || by_group == 1;
}

/* kill_mode = mixed; also for a pool removed by a reload (no conf),
   whose workers take their trees with them as the default says. */
static bool
kill_tree(const struct pool *p)
{
	const struct pool_conf *pc = arbiter_pool_conf(p);

	return pc == NULL || pc->pc_kill_tree;
}

static void
op_signal(void *arg, struct pool *p, const struct worker *w, int sig,
    const char *why)
{
	log_info("pool %s: worker %u (pid %ld): SIG%s, %s", p->p_name,
	    w->w_slot, (long)w->w_pid, signame(sig), why);
	/* The stop signal is the main process's to pass on as it drains;
	   SIGKILL (time is up) takes its whole tree with kill_mode mixed. */
	if (sig == SIGKILL && kill_tree(p))
		(void)kill_whole(w->w_pid);
	/* The main process too, always: it may have left both. */
	proc_signal(w->w_pid, sig);
	event_signalled(p, w->w_slot, w->w_pid, sig, why);
}

static const struct pool_ops arb_ops = {
	.spawn = op_spawn,
	.signal = op_signal,
};

/* -- reaping ---------------------------------------------------------------- */

static void
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (SIG%s)%s",
		    WTERMSIG(status), signame(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended with status 0x%x", status);
}

static void
log_exit(const struct pool *p, pid_t pid, int status,
    const struct pool_exit *pe)
{
	char how[96];

	describe_status(status, how, sizeof(how));
	switch (pe->pe_kind) {
	case EXIT_STOPPED:
		if (pe->pe_end == END_WATCHDOG ||
		    pe->pe_end == END_WATCHDOG_TRIGGER)
			log_warnx("pool %s: worker %u (pid %ld) %s after "
			    "%.2f s: %s", p->p_name, pe->pe_slot, (long)pid,
			    how, pe->pe_age_ms / 1000.0, end_text(pe->pe_end));
		else
			log_info("pool %s: worker %u (pid %ld) %s after "
			    "%.2f s: stopped (%s)", p->p_name, pe->pe_slot,
			    (long)pid, how, pe->pe_age_ms / 1000.0,
			    end_text(pe->pe_end));
		break;
	case EXIT_FAILED_BOOT:
		log_warnx("pool %s: worker %u (pid %ld) %s after %.2f s: "
		    "failed boot%s%s; next start in %.1f s", p->p_name,
		    pe->pe_slot, (long)pid, how, pe->pe_age_ms / 1000.0,
		    pe->pe_end == END_BOOT_TIMEOUT ? ", " : "",
		    pe->pe_end == END_BOOT_TIMEOUT ? end_text(pe->pe_end) : "",
		    pe->pe_backoff_ms / 1000.0);
		break;
	case EXIT_DIED:
		log_warnx("pool %s: worker %u (pid %ld) %s after %.2f s%s%s: "
		    "%s", p->p_name, pe->pe_slot, (long)pid, how,
		    pe->pe_age_ms / 1000.0, pe->pe_end == END_OOM ? ": " : "",
		    pe->pe_end == END_OOM ? end_text(pe->pe_end) : "",
		    p->p_mode != PM_RUN ? "pool stopping" :
		    pe->pe_backoff_ms == 0 ? "the pool restores its target" :
		    "the pool backs off");
		break;
	}
}

/* For `workers`: how the slot's last worker ended, and why. */
static void
note_exit(struct pool *p, int status, const struct pool_exit *pe)
{
	char how[96], note[POOL_NOTE_MAX + 64];	/* cut to fit there */

	describe_status(status, how, sizeof(how));
	if (pe->pe_kind == EXIT_STOPPED)
		snprintf(note, sizeof(note), "stopped, %s after %.1f s: %s",
		    how, pe->pe_age_ms / 1000.0, end_text(pe->pe_end));
	else
		snprintf(note, sizeof(note), "%s, %s after %.1f s%s",
		    end_text(pe->pe_end), how, pe->pe_age_ms / 1000.0,
		    pe->pe_facts & PF_LEFT_TREE ? ", left processes behind" :
		    "");
	pool_note_exit(p, pe->pe_slot, note);
}

/* A built-in worker is gone: its scoreboard entry and its place in the
   pool's connection count are free again. */
static void
reap_board(struct pool *p, int board)
{
	struct pool_rt *rt = p->p_ctx;

	if (board == -1)
		return;
	sb_left(sb_group(rt->pr_group), sb_entry(board));
	rt->pr_stats.ps_requests += atomic_load(&sb_entry(board)->se_requests);
	rt->pr_stats.ps_bytes += atomic_load(&sb_entry(board)->se_bytes);
	sb_release(board);
}

/*
 * What became of pid's tree as its main process ended (PF_*): read
 * before it is reaped into the pool's books, which weigh it.
 */
static unsigned
tree_facts(const struct pool *p, pid_t pid, int status)
{
	const struct pool_conf	*pc = arbiter_pool_conf(p);
	struct cg_counts	 cc;
	unsigned		 facts = 0;

	cg_counts(pid, &cc);
	if (cc.cc_oom_kill > 0 && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGKILL)
		facts |= PF_OOM;
	/* pids.events counts a fork refused by any limit above too (the
	   unit's TasksMax=): the pool's own only if it set one. */
	if (cc.cc_pids_max > 0 && pc != NULL && pc->pc_limits.cl_tasks_max > 0)
		facts |= PF_TASKS_MAX;
	/* An OOM kill of the group leaves its tree dying, not left. */
	if (!(facts & PF_OOM) && (cg_populated(pid) || proc_group_alive(pid)))
		facts |= PF_LEFT_TREE;
	return facts;
}

/*
 * A worker's main process has ended: with kill_mode mixed, what is left
 * of its tree is killed now, and said, since a program that leaves
 * children behind is worth knowing about.  Done at once, while its
 * group id cannot have been reused.
 */
static void
end_tree(struct pool *p, pid_t pid, const struct pool_exit *pe)
{
	if ((pe->pe_facts & PF_LEFT_TREE) && kill_tree(p)) {
		if (kill_whole(pid))
			log_info("pool %s: worker (pid %ld) ended and left "
			    "processes behind: SIGKILL to them (kill_mode = "
			    "mixed)", p->p_name, (long)pid);
	} else if (pe->pe_facts & PF_LEFT_TREE)
		log_info("pool %s: worker (pid %ld) ended; its descendants "
		    "live on (kill_mode = process)", p->p_name, (long)pid);
	if (pe->pe_facts & PF_TASKS_MAX)
		log_warnx("pool %s: worker (pid %ld) hit tasks_max: its tree "
		    "could not fork", p->p_name, (long)pid);
	cg_ended(pid);
}

/* The books of pool p, whose worker pid was reaped. */
static void
reaped(struct pool *p, pid_t pid, int status, uint64_t now)
{
	struct pool_exit pe;

	pool_exit_facts(p, pid, tree_facts(p, pid, status));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		pool_killed(p, pid);
	readyfd_ended(pid);
	(void)pool_reaped(p, pid, now, &pe);
	log_exit(p, pid, status, &pe);
	end_tree(p, pid, &pe);
	sentinel_remove(pid);
	note_exit(p, status, &pe);
	((struct pool_rt *)p->p_ctx)->pr_stats.ps_exits[pe.pe_end]++;
	event_exited(p, pid, status, &pe);
	reap_board(p, pe.pe_board);
}

static void
reap(uint64_t now)
{
	pid_t			pid;
	int			status;
	size_t			i;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("waitpid");
			return;
		}
		if (usr2_reaped(pid, status) || sentinel_reaped(pid, status))
			continue;
		for (i = 0; i < arb.a_npools; i++) {
			if (pool_find(arb.a_pools[i], pid) != NULL) {
				reaped(arb.a_pools[i], pid, status, now);
				break;
			}
		}
		/* As a subreaper we also get what workers' children left
		   behind when their parents died, and our guardian. */
		if (i == arb.a_npools)
			log_debug("reaped pid %ld, not a worker", (long)pid);
	}
}

/* -- the ordered step ------------------------------------------------------- */

static void
begin_stop(bool quick)
{
	if (arb.a_state == AS_QUICK || (arb.a_state == AS_STOP && !quick))
		return;
	bool drained = arb.a_state == AS_DRAIN;

	log_info("%s stop: %zu pool(s)", quick ? "quick" : "graceful",
	    arb.a_npools);
	arb.a_state = quick ? AS_QUICK : AS_STOP;
	/* A stop asked for is no crash: the previous binary stays away. */
	guardian_dismiss();
	for (size_t i = 0; i < arb.a_npools; i++)
		pool_stop(arb.a_pools[i], quick);
	event_stopping(quick);
	/* A drain has said STOPPING=1 already. */
	if (!drained)
		manager_stopping();
}

/*
 * A stop signal: those of drain_signals drain, then stop gracefully; the
 * others of TERM, INT and QUIT stop at once, as Gunicorn's INT and QUIT.
 */
static void
stop_by(int sig)
{
	bool drain = (arb.a_conf.c_drain_sigs & (1u << sig)) != 0;

	log_info("signal %s: %s", signame(sig), !drain ? "quick stop" :
	    arb.a_conf.c_drain_ms > 0 && arb.a_state == AS_RUN ?
	    "drain, then graceful stop" : "graceful stop");
	if (drain)
		arb.a_drain = true;
	else
		arb.a_quick = true;
}

/*
 * The drain Kubernetes needs: its endpoints controller takes a pod out
 * of the Service at the moment the kubelet sends TERM, and load
 * balancers learn it later.  For drain_delay, /readyz answers 503 while
 * every worker serves on and is replaced as ever; then the graceful
 * stop.  Asked again while draining (a second TERM, an impatient
 * operator): the stop now.  The old arbiter of a USR2 upgrade has handed
 * the listeners and the probes to its successor: nothing to drain.
 */
static void
begin_drain(uint64_t now)
{
	char status[128];

	if (arb.a_state == AS_DRAIN)
		log_info("drain: asked again; stopping now");
	else if (arb.a_state == AS_RUN && arb.a_conf.c_drain_ms > 0 &&
	    usr2_child() != 0)
		log_info("drain: the new arbiter (pid %ld) serves; stopping "
		    "now", (long)usr2_child());
	if (arb.a_state == AS_DRAIN || (arb.a_state == AS_RUN &&
	    (arb.a_conf.c_drain_ms == 0 || usr2_child() != 0))) {
		begin_stop(false);
		return;
	}
	if (arb.a_state != AS_RUN)
		return;
	arb.a_state = AS_DRAIN;
	arb.a_drain_until = now + arb.a_conf.c_drain_ms;
	guardian_dismiss();	/* a stop asked for: no crash */
	snprintf(status, sizeof(status), "draining: /readyz fails for %.1f s, "
	    "then a graceful stop", arb.a_conf.c_drain_ms / 1000.0);
	log_info("%s%s", status, arb.a_conf.c_drain_probes > 0 ?
	    ", or after that many failed probes" : "");
	event_draining(arb.a_conf.c_drain_ms);
	manager_stopping();
	manager_status(status);
}

/* While draining: the stop, once the delay is over or the probes have
   seen enough 503s; the next time to look. */
static uint64_t
drain_step(uint64_t now)
{
	unsigned seen = health_refusals();

	if (arb.a_state != AS_DRAIN)
		return POOL_NEVER;
	if (now < arb.a_drain_until && (arb.a_conf.c_drain_probes == 0 ||
	    seen < arb.a_conf.c_drain_probes))
		return arb.a_drain_until;
	log_info("drained after %.2f s, /readyz failed %u time(s): stopping",
	    (now + arb.a_conf.c_drain_ms - arb.a_drain_until) / 1000.0, seen);
	begin_stop(false);
	return POOL_NEVER;
}

/* capture_output, decided: yes, no, or auto, which looks at where our
   stderr goes (after log_open). */
static bool
capturing(const struct poold_conf *c)
{
	return c->c_capture == CONF_CAPTURE_YES ||
	    (c->c_capture == CONF_CAPTURE_AUTO && capture_auto());
}

static void
apply_globals(const struct poold_conf *c)
{
	log_set_level(c->c_log_level);
	log_set_format(c->c_log_format);
	spawn_set_umask(c->c_umask);
	if ((c->c_error_log == NULL) != (arb.a_conf.c_error_log == NULL) ||
	    (c->c_error_log != NULL &&
	    strcmp(c->c_error_log, arb.a_conf.c_error_log) != 0)) {
		if (log_open(c->c_error_log) == -1)
			log_warn("error log %s; keeping the old one",
			    c->c_error_log);
	}
	arb.a_capture = capturing(c);
}

/*
 * A static pool takes the configured size on reload, as Gunicorn's; one
 * that sizes itself keeps the size it found, within the new bounds.
 */
static int
reload_target(const struct pool *p, const struct pool_conf *pc)
{
	if (pc->pc_scale.sc_mode == SCALE_STATIC)
		return pc->pc_workers;
	if (p->p_target < pc->pc_min_workers)
		return pc->pc_min_workers;
	return p->p_target > pc->pc_max_workers ? pc->pc_max_workers :
	    p->p_target;
}

/*
 * ready = fd: notification_fd above every listening socket the pool
 * really has (listen = systemd may give it more than the file says), and
 * below the fd limit; else every worker would fail at its start.  At
 * start; a reload's are checked against the file (conf.c), and a worker
 * that still collides fails its start, saying why.  0, or -1 with err.
 */
static int
ready_fds_fit(const struct poold_conf *c, char *err, size_t len)
{
	struct rlimit	rl;
	size_t		n;
	int		*fds;

	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];

		if (pc->pc_ready_fd == -1)
			continue;
		if ((fds = listeners_fds(pc, &n)) == NULL) {
			snprintf(err, len, "out of memory");
			return -1;
		}
		free(fds);
		if (pc->pc_ready_fd < 3 + (int)n) {
			snprintf(err, len, "pool %s: notification_fd %d is "
			    "among its %zu listening sockets, at 3..%zu",
			    pc->pc_name, pc->pc_ready_fd, n, n + 2);
			return -1;
		}
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    (rlim_t)pc->pc_ready_fd + 2 > rl.rlim_cur) {
			snprintf(err, len, "pool %s: notification_fd %d is not "
			    "below the open files limit (%llu) by 2",
			    pc->pc_name, pc->pc_ready_fd,
			    (unsigned long long)rl.rlim_cur);
			return -1;
		}
	}
	return 0;
}

/* Einhorn's worker:ack, from pid: READY=1 as if on the notify socket. */
static int
einhorn_acked(pid_t pid)
{
	const struct notify_msg m = { .nm_flags = NM_READY };

	return arbiter_notified(pid, &m);
}

/* Whether a pool of c speaks Einhorn's protocol. */
static bool
wants_einhorn(const struct poold_conf *c)
{
	for (size_t i = 0; i < c->c_npools; i++)
		if (c->c_pools[i].pc_compat & COMPAT_EINHORN)
			return true;
	return false;
}

/*
 * HUP and `reload`.  Everything that can fail (reading, validating,
 * binding) happens before anything changes, so a bad config leaves the
 * running one intact.  Every pool in the new config gets a new generation:
 * its workers are replaced, new ones first, as Gunicorn does on HUP.
 */
static int
reload_apply(struct poold_conf *nc, char *err, size_t len)
{
	struct pool *p;

	/* The socket first: once made it stays, a pool or not. */
	if (confcheck_cgroups(nc, err, len) == -1 ||
	    einhorn_open(wants_einhorn(nc), nc->c_notify_abstract, err,
	    len) == -1 || einhorn_start(einhorn_acked) == -1 ||
	    listeners_open(nc, err, len) == -1)
		return -1;

	for (size_t i = 0; i < nc->c_npools; i++) {
		const struct pool_conf	*pc = &nc->c_pools[i];
		struct pool_limits	 lim;

		if ((p = pool_by_name(pc->pc_name)) == NULL) {
			if (pool_create(pc, NULL) == NULL)
				log_errorx("pool %s: out of memory; not "
				    "started", pc->pc_name);
			else
				log_info("pool %s: added", pc->pc_name);
			continue;
		}
		limits_from(pc, &lim);
		if (rt_bind(p->p_ctx, pc) == -1) {
			log_errorx("pool %s: out of memory; it is stopped",
			    pc->pc_name);
			continue;
		}
		pool_reload(p, &lim, END_RELOAD);
		(void)arbiter_set_target(p, reload_target(p, pc), PT_RELOAD,
		    true, NULL);
	}
	/* Pools still pointing into the old config are gone from the new. */
	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool_rt *rt = arb.a_pools[i]->p_ctx;
		if (rt->pr_conf != NULL &&
		    rt->pr_conf >= arb.a_conf.c_pools &&
		    rt->pr_conf < arb.a_conf.c_pools + arb.a_conf.c_npools) {
			log_info("pool %s: removed", arb.a_pools[i]->p_name);
			rt->pr_conf = NULL;
			pool_stop(arb.a_pools[i], false);
		}
	}
	if (config_keep_restart_only(nc, &arb.a_conf))
		log_warnx("reload: control, metrics, pidfile, daemon and "
		    "cgroups change on a restart or `poolctl upgrade`, not on "
		    "a reload; the running ones are kept");
	apply_globals(nc);
	config_free(&arb.a_conf);
	arb.a_conf = *nc;
	memset(nc, 0, sizeof(*nc));
	listeners_sweep();
	return 0;
}

/* --reload: what changed, and what it takes. */
static void
watched_config_changed(const char *path)
{
	char err[CONF_ERR_MAX];

	if (arb.a_state != AS_RUN)
		return;
	log_info("reload: %s changed; reloading the configuration", path);
	(void)arbiter_reload(err, sizeof(err));	/* logged */
}

static void
watched_pool_changed(const char *pool, const char *path)
{
	if (arb.a_state != AS_RUN)
		return;
	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool *p = arb.a_pools[i];

		if (strcmp(p->p_name, pool) == 0 && p->p_mode == PM_RUN) {
			log_info("reload: %s changed", path);
			arbiter_restart(p, END_RESTART);
		}
	}
}

static const struct filewatch_ops watch_ops = {
	.fw_config_changed = watched_config_changed,
	.fw_pool_changed = watched_pool_changed,
};

/*
 * --log-level debug, as Gunicorn's: the configuration in force, a line
 * of poold.conf each, secrets in env masked (the log is read by more
 * people than the file).
 */
static void
log_config(const char *when)
{
	char	*text, *line, *save = NULL;

	if (!log_debugging())
		return;
	if ((text = confprint_string(&arb.a_conf, true)) == NULL) {
		log_debug("config %s: out of memory to show it", when);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_debug("config %s: %s", when, line);
	free(text);
}

int
arbiter_reload(char *err, size_t len)
{
	struct poold_conf nc;

	if (arb.a_state != AS_RUN) {
		snprintf(err, len, "stopping");
		return -1;
	}
	log_info("reloading the configuration");
	manager_reloading();
	if (config_load(arb.a_cli, &nc, err, len) == -1 ||
	    reload_apply(&nc, err, len) == -1) {
		config_free(&nc);
		log_errorx("reload failed, keeping the running "
		    "configuration: %s", err);
		event_reloaded(false, err);
		manager_ready("reload failed, running the old configuration");
		return -1;
	}
	arb.a_generation++;
	event_reloaded(true, NULL);
	log_config("after the reload");
	(void)filewatch_set(&arb.a_conf, &watch_ops);
	/* Done for the manager: the config is in force and the rolling
	   replacement under way.  Waiting for it would let one bad worker
	   program turn a reload into a timeout that stops the service. */
	manager_ready("reloaded");
	return 0;
}

static void
reopen_logs(void)
{
	/* Reopen first, so this line is the new file's first. */
	if (log_reopen() == -1)
		log_warn("reopen %s", arb.a_conf.c_error_log);
	else
		log_info("reopened log files; passing the reopen signal on "
		    "to the workers of pools that have one");
	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool		*p = arb.a_pools[i];
		const struct pool_conf	*pc = arbiter_pool_conf(p);

		if (pc == NULL || pc->pc_reopen_signal == 0)
			continue;
		/* Only to workers that are ready: one still starting may not
		   have its handler yet, and USR1's default is to die; it has
		   opened its files after the rotation anyway. */
		for (size_t j = 0; j < p->p_nw; j++) {
			const struct worker *w = &p->p_w[j];
			if (pool_worker_ready(p, w, ev_now_ms()))
				proc_signal(w->w_pid, pc->pc_reopen_signal);
		}
	}
}

/* TTIN, TTOU (delta), WINCH (winch). */
static void
scale_all(int delta, bool winch)
{
	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool *p = arb.a_pools[i];

		if (p->p_mode != PM_RUN)
			continue;
		(void)arbiter_set_target(p, p->p_target + delta,
		    winch ? PT_WINCH : PT_SIGNAL, true, NULL);
	}
}

/* Remove pools that were stopped by a reload and have no workers left. */
static void
drop_done_pools(void)
{
	size_t k = 0;

	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool *p = arb.a_pools[i];
		if (arb.a_state == AS_RUN && pool_done(p)) {
			pool_destroy(p);
			continue;
		}
		arb.a_pools[k++] = p;
	}
	arb.a_npools = k;
}

/* Built-in workers' heartbeats, for a pool with a watchdog. */
static void
read_heartbeats(struct pool *p)
{
	const struct sb_entry *e;

	if (p->p_lim.pl_timeout_ms == 0)
		return;
	for (size_t i = 0; i < p->p_nw; i++) {
		if ((e = sb_entry(p->p_w[i].w_board)) != NULL)
			pool_heartbeat(&p->p_w[i], atomic_load_explicit(
			    &e->se_heartbeat, memory_order_relaxed));
	}
}

/*
 * max_rss (uWSGI's reload-on-rss): workers over it are recycled.  Read
 * from /proc once a second, and only for pools that set it; the next
 * look, or POOL_NEVER.
 */
static uint64_t
check_rss(struct pool *p, uint64_t now)
{
	struct pool_rt	*rt = p->p_ctx;
	uint64_t	 kib, max;

	if (rt->pr_conf == NULL || rt->pr_conf->pc_max_rss_mib == 0)
		return POOL_NEVER;
	if (now < rt->pr_rss_next)
		return rt->pr_rss_next;
	max = (uint64_t)rt->pr_conf->pc_max_rss_mib * 1024;
	for (size_t i = 0; i < p->p_nw; i++) {
		struct worker *w = &p->p_w[i];
		if (w->w_state != WS_RUNNING || w->w_recycle != END_NONE ||
		    proc_rss_kib(w->w_pid, &kib) == -1 || kib <= max)
			continue;
		log_info("pool %s: worker %u (pid %ld) uses %.1f MiB, over "
		    "max_rss: recycling it", p->p_name, w->w_slot,
		    (long)w->w_pid, kib / 1024.0);
		pool_recycle(p, w, END_MAX_RSS);
	}
	rt->pr_rss_next = now + RSS_CHECK_MS;
	return rt->pr_rss_next;
}

/*
 * memory_high: the worker's tree crossed it (the kernel throttles it
 * there and counts it in memory.events): recycled through the rolling
 * replacement, its successor started first, as for max_rss.
 */
static void
over_memory_high(pid_t pid)
{
	struct worker *w;

	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool *p = arb.a_pools[i];

		if ((w = pool_find(p, pid)) == NULL)
			continue;
		if (w->w_state != WS_RUNNING || w->w_recycle != END_NONE)
			return;
		log_info("pool %s: worker %u (pid %ld) crossed memory_high: "
		    "recycling it", p->p_name, w->w_slot, (long)pid);
		pool_recycle(p, w, END_MEMORY_HIGH);
		return;
	}
}

static uint64_t
autoscale(struct pool *p, uint64_t now)
{
	struct pool_rt	*rt = p->p_ctx;
	const char	*why = NULL;
	int		 target;
	uint64_t	 next;

	next = scaler_tick(rt->pr_scaler, p, rt->pr_conf, rt->pr_fds,
	    rt->pr_nfds, now, &target, &why);
	if (why != NULL)
		(void)arbiter_set_target(p, target, PT_AUTOSCALE, true, why);
	return next;
}

static void
recycle_asked(struct pool *p, struct worker *w, enum notify_recycle why)
{
	if (w->w_recycle != END_NONE || w->w_state != WS_RUNNING)
		return;
	log_info("pool %s: worker %u (pid %ld) %s: recycling it", p->p_name,
	    w->w_slot, (long)w->w_pid, why == NR_REQUESTS ?
	    "reached max_requests" : "asks to be recycled");
	pool_recycle(p, w, why == NR_REQUESTS ? END_MAX_REQUESTS :
	    END_RECYCLE_ASKED);
}

static int	notified_by(pid_t, const struct notify_msg *, bool);

/* ready = fd: pid wrote its newline, which is READY=1 by another way. */
static void
ready_by_fd(pid_t pid)
{
	const struct notify_msg m = { .nm_flags = NM_READY };

	(void)notified_by(pid, &m, false);
}

/*
 * The worker whose tree pid is in (its cgroup, else its process group),
 * for pools with notify_access = all; 0 if none.  The sender is alive
 * now: sd_notify's barrier (systemd-notify waits for it) keeps it so
 * until its messages have been read.
 */
static pid_t
tree_owner(pid_t pid)
{
	pid_t owner = cg_owner(pid);

	/* With cgroups, a process group proves nothing: any process of
	   our session may join one.  Without, it is all there is. */
	if (owner <= 0 && !cg_enabled() && (owner = getpgid(pid)) == -1)
		owner = 0;
	return owner != pid ? owner : 0;
}

/* Whether some pool takes messages from a worker's whole tree. */
static bool
any_notify_all(void)
{
	for (size_t i = 0; i < arb.a_npools; i++) {
		const struct pool_conf *pc = arbiter_pool_conf(arb.a_pools[i]);

		if (pc != NULL && pc->pc_notify_all)
			return true;
	}
	return false;
}

int
arbiter_notified(pid_t pid, const struct notify_msg *m)
{
	if (notified_by(pid, m, false) == 0)
		return 0;
	/* Looking the sender up costs a read of /proc: only for a pool
	   that asked, not for every stray datagram. */
	if (!any_notify_all() || (pid = tree_owner(pid)) <= 0)
		return -1;
	return notified_by(pid, m, true);
}

/* m counts for worker pid (for a helper of its, if from_tree, which its
   pool must allow); 0, or -1 if pid is no worker of such a pool. */
static int
notified_by(pid_t pid, const struct notify_msg *m, bool from_tree)
{
	struct pool	*p;
	struct worker	*w;
	bool		 ready;

	for (size_t i = 0; i < arb.a_npools; i++) {
		const struct pool_conf *pc;

		p = arb.a_pools[i];
		pc = arbiter_pool_conf(p);
		if (from_tree && (pc == NULL || !pc->pc_notify_all))
			continue;
		if (pool_notified(p, pid, m, ev_now_ms(), &ready) == -1)
			continue;
		w = pool_find(p, pid);
		if (ready)
			log_info("pool %s: worker %u (pid %ld) ready after "
			    "%.2f s", p->p_name, w->w_slot, (long)pid,
			    (ev_now_ms() - w->w_started) / 1000.0);
		if (m->nm_flags & NM_STATUS)
			log_debug("pool %s: worker %u (pid %ld): %s",
			    p->p_name, w->w_slot, (long)pid, w->w_status);
		if (m->nm_flags & NM_ERRNO)
			log_info("pool %s: worker %u (pid %ld) reports "
			    "errno %d (%s)", p->p_name, w->w_slot,
			    (long)pid, m->nm_errno, strerror(m->nm_errno));
		if (m->nm_flags & NM_RECYCLE)
			recycle_asked(p, w, m->nm_recycle);
		if (m->nm_ignored > 0)
			log_debug("pool %s: worker %u (pid %ld): %u notify "
			    "line(s) ignored", p->p_name, w->w_slot,
			    (long)pid, m->nm_ignored);
		return 0;
	}
	return -1;
}

/*
 * Tell the service manager how we are: READY=1 once every pool first has
 * its target of ready workers, a status line after that; the next time
 * to look, while still starting.
 */
static uint64_t
report_to_manager(uint64_t now)
{
	char		status[128];
	size_t		ready = 0, target = 0, older = 0, old;
	uint64_t	next = POOL_NEVER, d;
	bool		all = true;
	bool		upgrading = inplace_upgraded() && !arb.a_announced;

	if (!manager_present())
		return POOL_NEVER;
	for (size_t i = 0; i < arb.a_npools; i++) {
		struct pool *p = arb.a_pools[i];
		size_t r = pool_ready(p, now);
		ready += r;
		target += (size_t)p->p_target;
		(void)pool_serving(p, now, &old);
		older += old;
		if (r < (size_t)p->p_target) {
			all = false;
			d = pool_next_ready(p, now);
			next = d < next ? d : next;
		}
	}
	/* While a reload or an upgrade rolls, the older workers serve:
	   "0/5 ready" would read as an outage in systemctl status. */
	if (older > 0)
		snprintf(status, sizeof(status), "%zu pool(s), %s: %zu/%zu "
		    "replaced, %zu older serving", arb.a_npools,
		    upgrading ? "upgrading" : "reloading", ready, target, older);
	else
		snprintf(status, sizeof(status), "%zu pool(s), %zu/%zu workers "
		    "ready", arb.a_npools, ready, target);
	if (arb.a_state != AS_RUN)
		return POOL_NEVER;
	/* After an in-place upgrade the manager has had READY=1, from the
	   previous program, and RELOADING=1: it hears how the upgrade goes,
	   then READY=1 again. */
	if (!arb.a_announced && all) {
		manager_ready(status);
		arb.a_announced = true;
	} else if (arb.a_announced || upgrading)
		manager_status(status);
	return arb.a_announced ? POOL_NEVER : next;
}

static void	(*start_fn)(const char *);

void
arbiter_on_start(void (*fn)(const char *why))
{
	start_fn = fn;
}

/* The last exit any slot of p noted, for a report; "" if none. */
static const char *
any_exit_note(const struct pool *p)
{
	const char *note;

	for (unsigned slot = 0; slot < (unsigned)p->p_target; slot++)
		if ((note = pool_exit_note(p, slot)) != NULL)
			return note;
	return "";
}

/*
 * Whether the start is over, for whoever waits on it: every pool has a
 * ready worker, or one has none and as many failed boots as its target
 * (the backoff will go on trying, but nobody should wait for it).  The
 * next time to look.
 */
static uint64_t
report_start(uint64_t now)
{
	char		why[512];
	bool		pending = false;
	uint64_t	next = POOL_NEVER, d;

	if (start_fn == NULL)
		return POOL_NEVER;
	for (size_t i = 0; i < arb.a_npools; i++) {
		const struct pool	*p = arb.a_pools[i];
		const uint64_t		*ex = arbiter_pool_stats(p)->ps_exits;
		uint64_t		 failed;

		if (p->p_target == 0 || pool_ready(p, now) > 0)
			continue;
		failed = ex[END_FAILED_BOOT] + ex[END_BOOT_TIMEOUT];
		if (failed < (uint64_t)p->p_target) {
			pending = true;
			d = pool_next_ready(p, now);
			next = d < next ? d : next;
			continue;
		}
		snprintf(why, sizeof(why), "pool %s: its workers failed to "
		    "boot (%llu so far; last: %s); poold (pid %ld) runs on and "
		    "retries with backoff", p->p_name,
		    (unsigned long long)failed, any_exit_note(p),
		    (long)getpid());
		start_fn(why);
		start_fn = NULL;
		return POOL_NEVER;
	}
	if (!pending) {
		start_fn(NULL);
		start_fn = NULL;
	}
	return next;
}

/* Returns only if the exec failed; everything is then as it was. */
static void
upgrade_in_place(void)
{
	char	 err[PATH_MAX + 64];
	char	*path = arb.a_inplace;

	arb.a_inplace = NULL;
	if (usr2_child() != 0)
		log_errorx("upgrade in place: refused, a USR2 upgrade is in "
		    "progress (pid %ld)", (long)usr2_child());
	else if (arb.a_state == AS_RUN &&
	    inplace_exec(path, err, sizeof(err)) == -1)
		log_errorx("upgrade in place: %s; the old binary runs on",
		    err);
	free(path);
}

/*
 * USR2: nginx's upgrade, a new arbiter beside this one.  Not under a
 * service manager that follows us by pid: systemd would lose track of
 * the new arbiter (a rollback by TERM to it leaves the unit stuck in
 * deactivating; after a completed upgrade, it is "not our child" and a
 * stop SIGKILLs the whole cgroup), so `poolctl upgrade`, which keeps
 * the pid, is the upgrade there.
 */
static void
upgrade_by_usr2(void)
{
	char err[256];

	if (manager_follows_pid())
		log_errorx("upgrade: USR2 refused: a service manager follows "
		    "poold by its pid (%s), and a new arbiter would have "
		    "another; upgrade with `poolctl upgrade`, which keeps "
		    "the pid", manager_present() ? "NOTIFY_SOCKET" :
		    "INVOCATION_ID");
	else if (guardian_pending())
		log_errorx("upgrade: refused, an in-place upgrade is still "
		    "replacing the workers; USR2 again once it is done");
	else if (usr2_start(arb.a_conf.c_pidfile, err, sizeof(err)) == -1)
		log_errorx("upgrade: %s", err);
}

static uint64_t
step(void)
{
	uint64_t	now = ev_now_ms(), next = POOL_NEVER, d;
	int		scale = arb.a_scale;
	bool		hup = arb.a_hup, usr1 = arb.a_usr1, winch = arb.a_winch;
	bool		usr2 = arb.a_usr2;

	arb.a_hup = arb.a_usr1 = arb.a_winch = arb.a_usr2 = false;
	arb.a_scale = 0;
	if (arb.a_chld) {
		arb.a_chld = false;
		reap(now);
	}
	if (arb.a_quick || arb.a_term)
		begin_stop(arb.a_quick);
	if (arb.a_drain)
		begin_drain(now);
	arb.a_term = arb.a_quick = arb.a_drain = false;
	next = drain_step(now);
	/* Logs rotate whenever they rotate, a drain or not. */
	if (usr1 && arb.a_state == AS_DRAIN)
		reopen_logs();
	if (arb.a_state == AS_RUN) {
		if (hup) {
			char err[CONF_ERR_MAX];
			(void)arbiter_reload(err, sizeof(err));	/* logged */
		}
		if (usr1)
			reopen_logs();
		if (scale != 0)
			scale_all(scale, false);
		if (winch)
			scale_all(0, true);
		if (usr2)
			upgrade_by_usr2();
	}
	/* --reload acts before the pools are reconciled, as HUP does: what
	   it starts is then part of this step. */
	d = filewatch_tick(now);
	next = d < next ? d : next;
	drop_done_pools();
	for (size_t i = 0; i < arb.a_npools; i++) {
		read_heartbeats(arb.a_pools[i]);
		d = check_rss(arb.a_pools[i], now);
		next = d < next ? d : next;
		d = autoscale(arb.a_pools[i], now);
		next = d < next ? d : next;
		d = pool_reconcile(arb.a_pools[i], now, &arb_ops);
		next = d < next ? d : next;
	}
	d = control_tick(now);
	next = d < next ? d : next;
	d = metrics_tick(now);
	next = d < next ? d : next;
	d = notify_tick(now);
	next = d < next ? d : next;
	d = einhorn_tick(now);
	next = d < next ? d : next;
	d = health_tick(now);
	next = d < next ? d : next;
	d = report_to_manager(now);
	next = d < next ? d : next;
	d = report_start(now);
	next = d < next ? d : next;
	d = manager_watchdog(now);
	next = d < next ? d : next;
	d = inplace_confirm(now);
	next = d < next ? d : next;
	if (arb.a_inplace != NULL)
		upgrade_in_place();
	return next;
}

static bool
all_stopped(void)
{
	if (arb.a_state == AS_RUN || arb.a_state == AS_DRAIN)
		return false;
	for (size_t i = 0; i < arb.a_npools; i++) {
		if (!pool_done(arb.a_pools[i]))
			return false;
	}
	return true;
}

/* -- signals and the loop ---------------------------------------------------- */

/*
 * A terminal sends WINCH to its foreground group when it is resized, so a
 * poold run in the foreground would stop every worker when its window
 * changed size.  Gunicorn ignores WINCH unless daemonized; the siginfo
 * says more: the kernel sent a resize (SI_KERNEL), a process sent a
 * request (kill, sigqueue, tgkill).  One limit: a WINCH sent while a
 * resize's is still pending merges with it, as standard signals do.
 */
static bool
winch_from_terminal(const struct signalfd_siginfo *si)
{
	if (si->ssi_signo != SIGWINCH || si->ssi_code != SI_KERNEL)
		return false;
	log_debug("signal WINCH from the terminal (a resize): ignored");
	return true;
}

/*
 * Ctrl-C at the terminal is someone at the keyboard who wants poold
 * gone, as Gunicorn's INT: a quick stop, whatever drain_signals says.
 * INT from a process (Nomad's default kill_signal, `docker stop` with
 * STOPSIGNAL SIGINT) is an orchestrator's stop, which drain_signals
 * decides.  The siginfo tells them apart: the terminal's is the
 * kernel's (SI_KERNEL), a process's is SI_USER or SI_QUEUE.
 */
static bool
int_from_terminal(const struct signalfd_siginfo *si)
{
	if (si->ssi_signo != SIGINT || si->ssi_code != SI_KERNEL)
		return false;
	log_info("signal INT from the terminal: quick stop");
	arb.a_quick = true;
	return true;
}

static void
read_signals(struct ev_source *ev, uint32_t events)
{
	struct signalfd_siginfo	si;
	ssize_t			n;

	for (;;) {
		n = read(ev->es_fd, &si, sizeof(si));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("read signalfd");
			return;
		}
		if (n != sizeof(si))
			return;
		if (winch_from_terminal(&si) || int_from_terminal(&si))
			continue;
		for (size_t i = 0; i < NSIGNALS; i++) {
			if ((int)si.ssi_signo != arb_signals[i].as_sig)
				continue;
			if (si.ssi_signo != SIGCHLD &&
			    arb_signals[i].as_what != NULL)
				log_info("signal %s: %s",
				    signame((int)si.ssi_signo),
				    arb_signals[i].as_what);
			arb_signals[i].as_fn();
		}
	}
}

static int
signals_init(char *err, size_t len)
{
	sigset_t mask;

	/* A vanished peer is an error return, never a dead arbiter. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		goto fail;
	sigemptyset(&mask);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaddset(&mask, arb_signals[i].as_sig);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		goto fail;
	arb.a_sig.es_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	arb.a_sig.es_fn = read_signals;
	if (arb.a_sig.es_fd == -1)
		goto fail;
	if (ev_init() == -1)
		goto fail;
	if (ev_watch(&arb.a_sig, EPOLLIN) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, len, "signal setup: %s", strerror(errno));
	return -1;
}

/* A pool whose workers run as a user the notify socket's directory does
   not let through: their READY=1 would never arrive.  Said, not refused:
   a pool with ready = started may not care. */
static void
warn_unreachable(const struct poold_conf *c)
{
	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];

		if (pc->pc_user == NULL || notify_reachable_by(pc->pc_uid,
		    pc->pc_gid))
			continue;
		log_warnx("pool %s: its workers run as %s, who cannot reach "
		    "the notify socket %s (its directory does not let them "
		    "through): make the directory traversable, or set "
		    "notify_socket = \"abstract\"", pc->pc_name, pc->pc_user,
		    notify_address());
	}
}

int
arbiter_init(struct poold_conf *c, const struct cli *cli, char *err,
    size_t len)
{
	arb.a_conf = *c;
	memset(c, 0, sizeof(*c));
	arb.a_cli = cli;
	if (sb_create() == -1) {
		snprintf(err, len, "scoreboard: %s", strerror(errno));
		goto fail;
	}
	/* Control and metrics first: after an upgrade their sockets are
	   among the passed ones, where listen = systemd would take them. */
	if (control_open(&arb.a_conf, err, len) == -1 ||
	    metrics_open(&arb.a_conf, err, len) == -1 ||
	    listeners_open(&arb.a_conf, err, len) == -1 ||
	    notify_open(arb.a_conf.c_notify_abstract, err, len) == -1 ||
	    einhorn_open(wants_einhorn(&arb.a_conf),
	    arb.a_conf.c_notify_abstract, err, len) == -1 ||
	    ready_fds_fit(&arb.a_conf, err, len) == -1)
		goto fail;
	warn_unreachable(&arb.a_conf);
	listeners_drop_unused();
	for (size_t i = 0; i < arb.a_conf.c_npools; i++) {
		if (pool_create(&arb.a_conf.c_pools[i], NULL) == NULL) {
			snprintf(err, len, "out of memory");
			goto fail;
		}
	}
	inplace_adopt(ev_now_ms());
	/* The same arbiter to whoever asks: its reloads go on counting. */
	arb.a_generation = inplace_reloads();
	return 0;
fail:
	/* After an in-place exec the sockets are still serving: leave
	   them open for main() to go back to the previous binary. */
	if (!inplace_restoring())
		arbiter_cleanup();
	return -1;
}

int
arbiter_run(void)
{
	char		err[512] = "";
	uint64_t	next;

	/*
	 * Only now, after -D forked: a signalfd watched by epoll stays tied
	 * to the process that registered it, so a daemon must make its own.
	 */
	if (signals_init(err, sizeof(err)) == -1 || control_start() == -1 ||
	    metrics_start() == -1 || notify_start(arbiter_notified) == -1 ||
	    einhorn_start(einhorn_acked) == -1) {
		log_errorx("%s", *err ? err : strerror(errno));
		return EXIT_TEMPFAIL;
	}
	/* After an in-place upgrade, the same pid's uptime goes on. */
	arb.a_started = ev_now_ms() - (inplace_uptime_ms() < ev_now_ms() ?
	    inplace_uptime_ms() : 0);
	/* Orphans of a worker's tree come back to us rather than to init,
	   to be reaped; never fatal (old kernels, some sandboxes). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl(PR_SET_CHILD_SUBREAPER)");
	/* Says how it went.  Workers an in-place upgrade carried are ours
	   by now: their cgroups are found again. */
	if (cg_init(arb.a_conf.c_cgroups)) {
		for (size_t i = 0; i < arb.a_npools; i++)
			for (size_t j = 0; j < arb.a_pools[i]->p_nw; j++)
				cg_adopt(arb.a_pools[i]->p_w[j].w_pid);
		cg_adopt_rest();
	}
	cg_on_memory_high(over_memory_high);
	arb.a_capture = capturing(&arb.a_conf);
	readyfd_init(ready_by_fd);
	/* A limit asked for and impossible here is a configuration error,
	   as nginx treats a directive its build lacks. */
	if (confcheck_cgroups(&arb.a_conf, err, sizeof(err)) == -1) {
		log_errorx("%s", err);
		return EXIT_USAGE;
	}
	/* Also never fatal: without it, a kill -9 of poold can leave the
	   children of workers behind, as before it existed. */
	if (sentinel_start() == -1)
		log_warn("sentinel");
	manager_init();
	log_info("%u CPU(s) to use, by %s: %u workers where a pool does not "
	    "say", cpus_available()->cp_count, cpus_available()->cp_why,
	    2 * cpus_available()->cp_count + 1);
	log_info("arbiter running (pid %ld), %zu pool(s)", (long)getpid(),
	    arb.a_npools);
	log_config("in force");
	(void)filewatch_set(&arb.a_conf, &watch_ops);
	next = step();
	while (!all_stopped()) {
		if (ev_wait(next) == -1)
			fatal("epoll_wait");
		next = step();
	}
	log_info("all workers stopped; exiting");
	return 0;
}

void
arbiter_cleanup(void)
{
	/* Out of our cgroup leaf first: the sentinel, which removes the
	   subtree, would wait for it to be empty. */
	sentinel_stop(cg_leave());
	cg_cleanup();
	filewatch_close();
	/* No guardian_dismiss() here: an upgraded program that ends
	   without a stop asked for (its pidfile, its loop's setup) is one
	   the previous binary should replace. */
	for (size_t i = 0; i < arb.a_npools; i++)
		pool_destroy(arb.a_pools[i]);
	free(arb.a_pools);
	arb.a_pools = NULL;
	arb.a_npools = 0;
	/* A new arbiter of USR2 whose predecessor still runs (a rollback)
	   leaves the socket files to it. */
	if (usr2_predecessor_alive()) {
		listeners_handed_over(true);
		control_handover(true);
		metrics_handover(true);
	}
	listeners_close();
	control_close(usr2_predecessor_alive());
	metrics_close(usr2_predecessor_alive());
	/* An upgraded program ending before it confirmed: the guardian
	   brings the previous binary back, with this socket. */
	if (guardian_pending()) {
		notify_keep_file();
		einhorn_keep_file();
	}
	notify_close();
	einhorn_close();
	if (arb.a_sig.es_fd != -1)
		close(arb.a_sig.es_fd);
	arb.a_sig.es_fd = -1;
	ev_close();
	config_free(&arb.a_conf);
}

/* -- for control commands ------------------------------------------------- */

const struct poold_conf *
arbiter_conf(void)
{
	return &arb.a_conf;
}

size_t
arbiter_npools(void)
{
	return arb.a_npools;
}

struct pool *
arbiter_pool(size_t i)
{
	return i < arb.a_npools ? arb.a_pools[i] : NULL;
}

const struct pool_conf *
arbiter_pool_conf(const struct pool *p)
{
	return ((const struct pool_rt *)p->p_ctx)->pr_conf;
}

struct pool *
arbiter_pool_named(const char *name)
{
	return pool_by_name(name);
}

struct pool *
arbiter_pool_removed(const char *name)
{
	struct pool *p = pool_create(NULL, name);

	if (p != NULL)
		pool_stop(p, false);
	return p;
}

bool
arbiter_stopping(void)
{
	return arb.a_state != AS_RUN;
}

bool
arbiter_draining(void)
{
	return arb.a_state == AS_DRAIN;
}

unsigned
arbiter_generation(void)
{
	return arb.a_generation;
}

uint64_t
arbiter_uptime_ms(void)
{
	return ev_now_ms() - arb.a_started;
}

int
arbiter_set_target(struct pool *p, int target, enum pool_target_cause cause,
    bool clamp, const char *why)
{
	int before = p->p_target;

	if (pool_set_target(p, target, cause, clamp) == -1)
		return -1;
	if (p->p_target != before) {
		log_info("pool %s: target %d -> %d workers (%s%s%s)",
		    p->p_name, before, p->p_target, pool_target_cause_text(cause),
		    why != NULL ? ": " : "", why != NULL ? why : "");
		event_scaled(p, before, why);
	} else if (cause == PT_SIGNAL)
		log_info("pool %s: target stays at %d (limits %d-%d)",
		    p->p_name, p->p_target, p->p_lim.pl_min, p->p_lim.pl_max);
	return 0;
}

void
arbiter_restart(struct pool *p, enum worker_end why)
{
	log_info("pool %s: %s: replacing every worker", p->p_name,
	    end_name(why));
	pool_reload(p, &p->p_lim, why);
}

const struct pool_stats *
arbiter_pool_stats(const struct pool *p)
{
	return &((const struct pool_rt *)p->p_ctx)->pr_stats;
}

const char *
arbiter_pool_scale_why(const struct pool *p)
{
	return scaler_why(((const struct pool_rt *)p->p_ctx)->pr_scaler);
}

const int *
arbiter_pool_fds(const struct pool *p, size_t *n)
{
	const struct pool_rt *rt = p->p_ctx;

	*n = rt->pr_nfds;
	return rt->pr_fds;
}

long
arbiter_pool_queue(const struct pool *p)
{
	const struct pool_rt *rt = p->p_ctx;

	/* Fresh, for status and metrics: one getsockopt per listener. */
	return sock_queue_sum(rt->pr_fds, rt->pr_nfds);
}

int
arbiter_upgrade_in_place(const char *path)
{
	char *p = strdup(path);

	if (p == NULL)
		return -1;
	free(arb.a_inplace);
	arb.a_inplace = p;
	return 0;
}

int
arbiter_kill(struct pool *p, unsigned slot, int sig, pid_t *pid)
{
	for (size_t i = 0; i < p->p_nw; i++) {
		struct worker *w = &p->p_w[i];
		if (w->w_slot != slot || w->w_state != WS_RUNNING ||
		    w->w_gen != p->p_gen)
			continue;
		op_signal(NULL, p, w, sig, "asked by poolctl kill");
		pool_kill_asked(w, ev_now_ms());
		*pid = w->w_pid;
		return 0;
	}
	return -1;
}

void
arbiter_request_drain(void)
{
	arb.a_drain = true;
}

void
arbiter_request_stop(bool quick)
{
	if (quick)
		arb.a_quick = true;
	else
		arb.a_term = true;
}

void
arbiter_reopen(void)
{
	reopen_logs();
}

bool
arbiter_capturing(void)
{
	return arb.a_capture;
}
