/* SPDX-License-Identifier: ISC */
/*
 * Chaos under load: a load client (tests/loadgen.c) counts every request
 * while the test reloads, restarts, scales, kills and floods, and each
 * scenario asserts its outcome.  `make check` runs them short;
 * `make check-stress` sets POOLD_STRESS=full for the durations and
 * counts of RELIABILITY.md.
 *
 * Each test runs in a network namespace of its own where it may (root,
 * h_setup): thousands of loopback connections a test would otherwise
 * fill the host's connection-tracking table wherever a NAT rule or a
 * firewall has switched it on, and a full table drops SYNs at random,
 * in this suite or in whatever else runs on the machine.  Where it may
 * not, it says so and the load client keeps the host's pace (pace.h).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "notifymsg.h"
#include "hjson.h"
#include "loadgen.h"

static struct poold pd;
static int port;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(stress, .init = setup, .fini = teardown, .timeout = 240);

/* Short in make check, as stated in RELIABILITY.md with POOLD_STRESS. */
static bool
full(void)
{
	const char *s = getenv("POOLD_STRESS");

	return s != NULL && strcmp(s, "full") == 0;
}

/* A pool "web" of class (sync, async, or exec for tworker). */
static void
start_web(const char *class, int workers)
{
	char text[1024];

	port = h_free_port();
	if (strcmp(class, "exec") == 0)
		snprintf(text, sizeof(text), "pool web {\n  listen = { "
		    "\"127.0.0.1:%d\" }\n  command = { \"%s\" }\n"
		    "  workers = %d\n  max_workers = 32\n"
		    "  graceful_timeout = 10\n}\n", port, h_tworker_path(),
		    workers);
	else
		snprintf(text, sizeof(text), "pool web {\n  listen = { "
		    "\"127.0.0.1:%d\" }\n  worker = %s\n  workers = %d\n"
		    "  max_workers = 32\n  graceful_timeout = 10\n}\n", port,
		    class, workers);
	h_start_conf(&pd, "%s", text);
	cr_assert(h_wait_children(&pd, (size_t)workers, H_WAIT_MS));
	/* Listening: a probe, closed at once (a sync worker would wait on
	   a silent one for read_timeout). */
	for (int i = 0, fd; i < 200; i++) {
		if ((fd = h_tcp_connect(port)) != -1) {
			close(fd);
			break;
		}
		usleep(10000);
	}
}

static enum lg_kind
kind(const char *class)
{
	return strcmp(class, "exec") == 0 ? LG_REPORT : LG_HTTP;
}

/* status says n running, all current and ready, none stopping. */
static bool
wait_all_current(int n, int timeout_ms)
{
	char	reply[H_REPORT_MAX], run[32], ready[32];

	snprintf(run, sizeof(run), "\"running\":%d,", n);
	snprintf(ready, sizeof(ready), "\"ready\":%d,", n);
	for (long t0 = h_now_ms(); h_now_ms() - t0 < timeout_ms;
	    usleep(20000)) {
		if (h_ctl(&pd, "status", reply, sizeof(reply)) == 0 &&
		    strstr(reply, run) != NULL && strstr(reply, ready) != NULL &&
		    strstr(reply, "\"stopping\":0,") != NULL)
			return true;
	}
	return false;
}

static void
load(struct loadgen *lg, int conns, enum lg_kind k)
{
	lg_start(lg, port, conns, h_rate(&pd), k);
}

/*
 * What every scenario asks of the load besides its own failures: no
 * request stalled (a second is an eternity on loopback: a connection
 * left in a queue nobody accepts from, a worker stopped mid-request),
 * and the load was there throughout: at least a tenth of what the pace
 * offered was answered.  Not a throughput goal (those are bench/'s): a
 * pool that stopped serving for most of the scenario fails it on any
 * machine, while a slow one under the sanitizers, spawning 32 exec
 * workers at once, still passes.
 */
static void
assert_served(const struct loadgen *lg, const char *d)
{
	cr_assert_eq(lg->lg_stalls, 0, "stalled: %s", d);
	cr_assert_geq(lg->lg_count[LG_OK], lg_offered(lg) / 10,
	    "the load was not there: %s", d);
}

/* -- reloads, restarts and scaling: nothing may fail ------------------------ */

static void
reload_storm(const char *class)
{
	struct loadgen	 lg;
	char		 reply[H_REPORT_MAX], d[1024];
	int		 rounds = full() ? 20 : 5;

	start_web(class, 4);
	load(&lg, 16, kind(class));
	for (int i = 0; i < rounds; i++) {
		h_signal(&pd, SIGHUP);
		cr_assert_eq(h_ctl(&pd, "restart web", reply, sizeof(reply)),
		    0);
		usleep(100000);	/* the pace of the storm, not a wait */
	}
	/* Every replacement done: as many workers as the target, all of the
	   current generation and ready, none stopping. */
	cr_assert(wait_all_current(4, 3 * H_WAIT_MS), "replacements not done");
	lg_stop(&lg);
	cr_log_info("%s: %d HUP + %d restarts: %s", class, rounds, rounds,
	    lg_describe(&lg, d, sizeof(d)));
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	assert_served(&lg, d);
}

Test(stress, reloads_and_restarts_drop_nothing_sync) { reload_storm("sync"); }
Test(stress, reloads_and_restarts_drop_nothing_async) { reload_storm("async"); }
Test(stress, reloads_and_restarts_drop_nothing_gthread)
{
	reload_storm("gthread");
}
Test(stress, reloads_and_restarts_drop_nothing_exec) { reload_storm("exec"); }

static void
scale_storm(const char *class)
{
	struct loadgen	 lg;
	char		 req[64], reply[H_REPORT_MAX], d[1024];
	int		 rounds = full() ? 20 : 4;

	start_web(class, 2);
	load(&lg, 16, kind(class));
	for (int i = 0; i < rounds; i++) {
		snprintf(req, sizeof(req), "scale web %d", i % 2 ? 1 : 32);
		cr_assert_eq(h_ctl(&pd, req, reply, sizeof(reply)), 0);
		usleep(150000);
	}
	lg_stop(&lg);
	cr_log_info("%s: %d scale steps 1<->32: %s", class, rounds,
	    lg_describe(&lg, d, sizeof(d)));
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	assert_served(&lg, d);
}

Test(stress, scale_storm_drops_nothing_sync) { scale_storm("sync"); }
Test(stress, scale_storm_drops_nothing_exec) { scale_storm("exec"); }

/* -- kills ------------------------------------------------------------------ */

/*
 * SIGKILL of a random worker every 50 ms: only requests in flight on the
 * killed worker may fail, so at most one per kill per connection it
 * held (sync: one); the pool is back at target soon after.
 */
Test(stress, kill_storm_costs_only_requests_in_flight)
{
	struct loadgen	 lg;
	pid_t		 kids[64];
	char		 d[1024];
	int		 kills = 0;
	long		 t0, secs = full() ? 20 : 3;
	bool		 back;

	start_web("sync", 8);
	load(&lg, 16, LG_HTTP);
	srand(42);
	for (t0 = h_now_ms(); h_now_ms() - t0 < secs * 1000; ) {
		size_t n = h_children(pd.pd_pid, kids, 64);
		if (n > 0 && kill(kids[rand() % (int)(n < 64 ? n : 64)],
		    SIGKILL) == 0)
			kills++;
		usleep(50000);
	}
	t0 = h_now_ms();
	back = h_wait_children(&pd, 8, H_WAIT_MS);
	t0 = h_now_ms() - t0;
	lg_stop(&lg);
	cr_log_info("kill storm: %d kills in %ld s, back at target in %ld ms; "
	    "%s", kills, secs, t0, lg_describe(&lg, d, sizeof(d)));
	cr_assert(back, "not back at target");
	/* A kill resets what the worker held; nothing else may fail. */
	cr_assert_leq(lg_failures(&lg), (unsigned long)kills, "%s", d);
	cr_assert_eq(lg_failures(&lg), lg.lg_count[LG_RESET], "%s", d);
	assert_served(&lg, d);
}

/* A program that crashes at once, beside a healthy pool: its spawns are
   bounded by the backoff, and the other pool serves untouched. */
Test(stress, crash_loop_is_bounded_and_harmless)
{
	struct loadgen		 lg;
	char			 text[1024], d[1024];
	long			 secs = full() ? 60 : 4;
	unsigned long long	 cpu;
	double			 share;
	int			 boots;

	port = h_free_port();
	snprintf(text, sizeof(text), "pool web {\n  listen = { "
	    "\"127.0.0.1:%d\" }\n  worker = sync\n  workers = 2\n}\n"
	    "pool crash {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--exit\", \"3\" }\n  workers = 4\n}\n",
	    port, h_free_port(), h_tworker_path());
	h_start_conf(&pd, "%s", text);
	load(&lg, 8, LG_HTTP);
	cpu = h_cpu_ns(pd.pd_pid);
	sleep((unsigned)secs);	/* the duration of the scenario */
	cpu = h_cpu_ns(pd.pd_pid) - cpu;
	lg_stop(&lg);
	boots = h_exits(&pd, "crash", "failed_boot");
	share = (double)cpu / 1e9 / (double)secs;
	cr_log_info("crash loop for %ld s: %d failed boots, arbiter CPU "
	    "%.3f%% of a core; web: %s", secs, boots, 100.0 * share,
	    lg_describe(&lg, d, sizeof(d)));
	cr_assert_eq(lg_failures(&lg), 0, "the healthy pool suffered: %s", d);
	assert_served(&lg, d);
	/* Backoff doubles from 0.1 s to 10 s, one probe at a time: far
	   fewer than one start per 50 ms. */
	cr_assert_lt(boots, secs * 20, "spawns not bounded");
	cr_assert_lt(share, 0.05, "the arbiter spent %.1f%% of a core",
	    100.0 * share);
}

/* -- leaks over many restarts ------------------------------------------------ */

static size_t
fd_count(pid_t pid)
{
	char		 path[64];
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Many worker restarts (poolctl kill): the arbiter's fds and memory stay
   where they were after the first hundred. */
Test(stress, many_restarts_leak_nothing)
{
	char	 reply[H_REPORT_MAX], req[64];
	int	 total = full() ? 10000 : 1000, done = 0;
	size_t	 fds100 = 0, fds;
	long	 rss100 = 0;

	start_web("exec", 4);
	for (int i = 0; i < total; i++) {
		snprintf(req, sizeof(req), "kill web %d KILL", i % 4);
		if (h_ctl(&pd, req, reply, sizeof(reply)) == 0 &&
		    strstr(reply, "\"ok\":true") != NULL)
			done++;
		else
			usleep(2000);	/* the slot is between workers */
		if (i == 99) {
			cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
			usleep(100000);	/* the last client's close, reaped */
			fds100 = fd_count(pd.pd_pid);
			rss100 = h_proc_status(pd.pd_pid, "VmRSS:", 10);
		}
	}
	cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	/* The last control connection may still be closing, a respawn
	   holding its pipes for a moment: give the fd count its deadline,
	   as any other condition, and judge the count that met it. */
	for (int i = 0; i < H_WAIT_MS / 10 &&
	    (fds = fd_count(pd.pd_pid)) > fds100; i++)
		usleep(10000);
	cr_log_info("%d kill requests, %d done: fds %zu -> %zu, RSS %ld -> "
	    "%ld KiB", total, done, fds100, fds, rss100, h_proc_status(pd.pd_pid, "VmRSS:", 10));
	cr_assert_gt(done, total / 2);
	cr_assert_eq(fds, fds100, "fds leaked");
	/* AddressSanitizer keeps freed memory in quarantine: there, leaks
	   are its own to report. */
	if (getenv("POOLD_SANITIZED") == NULL ||
	    strcmp(getenv("POOLD_SANITIZED"), "yes") != 0)
		cr_assert_leq(h_proc_status(pd.pd_pid, "VmRSS:", 10), rss100 + 64, "memory grew");
}

/* -- floods ------------------------------------------------------------------ */

/* Thousands of control connections and garbage notify datagrams: the
   pool goes on serving, nothing is lost. */
Test(stress, control_and_notify_floods_do_not_stop_serving)
{
	struct loadgen		 lg;
	struct sockaddr_un	 sa;
	char			 d[1024], reply[H_REPORT_MAX], garbage[512];
	char			 name[sizeof(sa.sun_path)];
	const char		*addr;
	int			 n = full() ? 10000 : 2000, fd, dg;
	socklen_t		 sl;

	start_web("sync", 2);
	load(&lg, 8, LG_HTTP);
	for (int i = 0; i < n; i++) {
		if ((fd = h_ctl_connect(&pd)) != -1)
			close(fd);
	}
	/* The notify socket's name, from status. */
	cr_assert_eq(h_ctl(&pd, "status", reply, sizeof(reply)), 0);
	cr_assert_not_null(addr = strstr(reply, "\"socket\":\""));
	addr += 10;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(addr, "\""), addr);
	cr_assert_neq(sl = notify_sockaddr(name, &sa), 0, "%s", name);
	cr_assert_neq(dg = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), -1);
	srand(7);
	for (int i = 0; i < n; i++) {
		size_t len = (size_t)(rand() % (int)sizeof(garbage));
		for (size_t k = 0; k < len; k++)
			garbage[k] = (char)rand();
		(void)sendto(dg, garbage, len, MSG_DONTWAIT,
		    (struct sockaddr *)&sa, sl);
	}
	close(dg);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket lost");
	lg_stop(&lg);
	cr_log_info("%d control connections and %d notify datagrams: %s", n,
	    n, lg_describe(&lg, d, sizeof(d)));
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	assert_served(&lg, d);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
}

/* -- upgrades under load, every kind of worker ------------------------------- */

static void
upgrade_in_place(const char *class)
{
	struct loadgen	 lg;
	char		 reply[H_REPORT_MAX], d[1024];

	start_web(class, 4);
	load(&lg, 16, kind(class));
	usleep(200000);		/* load before the upgrade */
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	cr_assert(h_wait_exits(&pd, "web", "upgrade", 4, 3 * H_WAIT_MS),
	    "old workers not all replaced");
	lg_stop(&lg);
	cr_log_info("%s: poolctl upgrade: %s", class, lg_describe(&lg, d,
	    sizeof(d)));
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	assert_served(&lg, d);
	cr_assert_eq(kill(pd.pd_pid, 0), 0, "the arbiter's pid changed");
}

Test(stress, upgrade_in_place_drops_nothing_sync)
{
	upgrade_in_place("sync");
}
Test(stress, upgrade_in_place_drops_nothing_async)
{
	upgrade_in_place("async");
}
Test(stress, upgrade_in_place_drops_nothing_exec)
{
	upgrade_in_place("exec");
}

/* USR2, then WINCH and TERM to the old arbiter, as an operator would. */
static void
upgrade_usr2(const char *class)
{
	struct loadgen	 lg;
	char		 d[1024], line[256];
	const char	*p;
	int		 status;

	start_web(class, 4);
	load(&lg, 16, kind(class));
	usleep(200000);
	h_signal(&pd, SIGUSR2);
	cr_assert(h_wait_count(pd.pd_log, "arbiter running", 2, H_WAIT_MS));
	if ((p = h_log_line(&pd, "new arbiter started (pid ", line,
	    sizeof(line))) != NULL && (p = strstr(p, "(pid ")) != NULL)
		pd.pd_daemon = (pid_t)strtol(p + 5, NULL, 10);
	cr_assert_gt(pd.pd_daemon, 0);
	cr_assert(h_wait_count(pd.pd_log, "started (pid", 8, H_WAIT_MS),
	    "the new arbiter's workers did not start");
	usleep(300000);		/* both generations serving */
	h_signal(&pd, SIGWINCH);
	usleep(300000);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, 3 * H_WAIT_MS, &status));
	usleep(200000);		/* the new arbiter alone */
	lg_stop(&lg);
	cr_log_info("%s: USR2, WINCH, TERM: %s", class, lg_describe(&lg, d,
	    sizeof(d)));
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	assert_served(&lg, d);
}

Test(stress, usr2_upgrade_drops_nothing_sync) { upgrade_usr2("sync"); }
Test(stress, usr2_upgrade_drops_nothing_async) { upgrade_usr2("async"); }
Test(stress, usr2_upgrade_drops_nothing_exec) { upgrade_usr2("exec"); }
