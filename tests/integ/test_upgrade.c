/* SPDX-License-Identifier: ISC */
/*
 * USR2, the classic binary upgrade: a new arbiter takes the listening and
 * control sockets by fd, the pidfile moves aside, WINCH and TERM retire
 * the old one; and a new arbiter that fails leaves the old one as it was.
 * Every connection made meanwhile is counted.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

static struct poold pd;
static int port;
static char pidfile[H_PATH_MAX], conf[H_PATH_MAX];

static pid_t guardian_pid(void);

static void setup(void) { h_setup(&pd); }

/* A guardian left waiting by a failed test would bring poold back once
   the teardown kills it: it goes first (if it is still the guardian). */
static void
teardown(void)
{
	char	path[64], comm[32] = "";
	pid_t	g = guardian_pid();
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)g);
	if (g > 0 && (f = fopen(path, "r")) != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "poold-guardian", 14) == 0)
			kill(g, SIGKILL);
		fclose(f);
	}
	h_teardown(&pd);
}

TestSuite(upgrade, .init = setup, .fini = teardown, .timeout = 60);

static void
write_conf(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "pidfile = \"%s\"\n%s"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 2\n}\n", pidfile, extra, port);
	h_write_file(conf, text);
}

/* poold on write_conf(extra). */
static void
start_with(const char *extra)
{
	port = h_free_port();
	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	h_path(&pd, "poold.conf", conf, sizeof(conf));
	write_conf(extra);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_file(pidfile, H_WAIT_MS), "no pidfile");
	for (int i = 0; i < 100 && h_hello_pid(port) == -1; i++)
		usleep(20000);
}

static void
start(void)
{
	start_with("");
}

/* The pid in path, or -1. */
static long
read_pid(const char *path)
{
	char	 buf[32] = "";
	FILE	*f = fopen(path, "r");
	long	 pid = -1;

	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL)
			pid = strtol(buf, NULL, 10);
		fclose(f);
	}
	return pid;
}

/* One request, at the test's pace (the loops below run until a
   condition holds); counts a failure, and says when it happened. */
static void
request(int *n, int *fails)
{
	static long	tick;
	char		buf[512];

	h_pace(&pd, &tick);
	(*n)++;
	if (h_http_get(port, buf, sizeof(buf)) == -1) {
		(*fails)++;
		cr_log_warn("request %d failed: \"%.80s\"", *n, buf);
	}
}

Test(upgrade, usr2_winch_term_under_load_drops_nothing)
{
	char	 oldbin[H_PATH_MAX + 8], reply[H_REPORT_MAX];
	long	 fresh = -1, served;
	int	 n = 0, fails = 0, status;

	start();
	snprintf(oldbin, sizeof(oldbin), "%s.oldbin", pidfile);
	for (int i = 0; i < 20; i++)
		request(&n, &fails);
	h_signal(&pd, SIGUSR2);
	/* Load goes on while the new arbiter starts and takes over. */
	for (long t0 = h_now_ms(); h_now_ms() - t0 < H_WAIT_MS; ) {
		request(&n, &fails);
		if ((fresh = read_pid(pidfile)) > 0 && fresh != pd.pd_pid &&
		    h_count(pd.pd_log, "arbiter running") == 2)
			break;
	}
	cr_assert(fresh > 0 && fresh != pd.pd_pid, "no new arbiter");
	pd.pd_daemon = (pid_t)fresh;	/* not our child: teardown ends it */
	cr_assert_eq(read_pid(oldbin), pd.pd_pid, "no %s", oldbin);
	/* A second USR2 while one is in progress is refused, sent to either
	   arbiter: no third one, and .oldbin still names the first. */
	h_signal(&pd, SIGUSR2);
	cr_assert(h_wait_count(pd.pd_log, "an upgrade is in progress", 1,
	    H_WAIT_MS));
	cr_assert(h_wait_count(pd.pd_log, "signal USR2", 2, H_WAIT_MS));
	cr_assert_eq(kill((pid_t)fresh, SIGUSR2), 0);
	cr_assert(h_wait_count(pd.pd_log, "the old arbiter, pid", 1,
	    H_WAIT_MS), "the new arbiter took a USR2 while the old one ran");
	/* Nor poolctl upgrade on the new one: its exec would lose track of
	   the predecessor. */
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "\"busy\"") != NULL, "%s", reply);
	cr_assert_eq(h_count(pd.pd_log, "arbiter running"), 2,
	    "a third arbiter");
	cr_assert_eq(read_pid(oldbin), pd.pd_pid, "%s rewritten", oldbin);
	/* The new arbiter's workers are up before the old ones go. */
	cr_assert(h_wait_count(pd.pd_log, "started (pid", 4, H_WAIT_MS));
	for (int i = 0; i < 50; i++)
		request(&n, &fails);
	h_signal(&pd, SIGWINCH);
	for (int i = 0; i < 100; i++)
		request(&n, &fails);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status), "old arbiter lives");
	for (int i = 0; i < 100; i++)
		request(&n, &fails);
	cr_log_info("USR2 upgrade: %d requests, %d failed", n, fails);
	cr_assert_eq(fails, 0, "%d of %d requests failed", fails, n);
	/* Served by the new arbiter's workers, its files in place. */
	served = h_hello_pid(port);
	cr_assert_gt(served, 0);
	cr_assert_eq(h_ppid((pid_t)served), fresh);
	cr_assert_eq(read_pid(pidfile), fresh);
	cr_assert_eq(access(oldbin, F_OK), -1, "%s left behind", oldbin);
	cr_assert_eq(access(pd.pd_ctl, F_OK), 0, "control socket removed");
}

/* The old arbiter of a USR2 has handed the listeners and the probes to
   the new one: its TERM stops it at once, whatever drain_delay says. */
Test(upgrade, usr2_old_arbiter_does_not_drain)
{
	long	fresh = -1;
	int	status;

	start_with("drain_delay = 600\n");
	h_signal(&pd, SIGUSR2);
	for (int i = 0; i < H_WAIT_MS / 10; i++) {
		if ((fresh = read_pid(pidfile)) > 0 && fresh != pd.pd_pid &&
		    h_count(pd.pd_log, "arbiter running") == 2)
			break;
		usleep(10000);
	}
	cr_assert(fresh > 0 && fresh != pd.pd_pid, "no new arbiter");
	pd.pd_daemon = (pid_t)fresh;	/* not our child: teardown ends it */
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status), "the old arbiter "
	    "drained for the new one's listeners");
	cr_assert(h_log_has(&pd, "drain: the new arbiter (pid"));
	cr_assert_gt(h_hello_pid(port), 0, "the new arbiter does not serve");
}

/* A new arbiter that cannot start (its config is now broken) changes
   nothing: the old one serves, with its pidfile back. */
Test(upgrade, failed_new_arbiter_leaves_the_old_one_serving)
{
	start();
	write_conf("this is not a config\n");
	h_signal(&pd, SIGUSR2);
	cr_assert(h_wait_count(pd.pd_log, "serving on as before", 1,
	    H_WAIT_MS), "the failed upgrade went unnoticed");
	cr_assert_eq(read_pid(pidfile), pd.pd_pid, "pidfile not restored");
	cr_assert_gt(h_hello_pid(port), 0, "not serving");
	/* And the control socket answers the old arbiter again. */
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket dead");
	/* A later upgrade may try again. */
	write_conf("");
	h_signal(&pd, SIGUSR2);
	cr_assert(h_wait_count(pd.pd_log, "arbiter running", 2, H_WAIT_MS));
	pd.pd_daemon = (pid_t)read_pid(pidfile);
}

/* -- poolctl upgrade: in place ------------------------------------------- */

/* The sorted pids of pd's children now; how many. */
static size_t
worker_pids(pid_t *out, size_t max)
{
	size_t n = h_children(pd.pd_pid, out, max);

	return n < max ? n : max;
}

static bool
disjoint(const pid_t *a, size_t na, const pid_t *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (a[i] == b[j])
				return false;
	return true;
}

Test(upgrade, in_place_keeps_the_pid_replaces_every_worker_drops_nothing)
{
	char	 reply[H_REPORT_MAX];
	pid_t	 before[8], after[8];
	size_t	 nb, na;
	int	 n = 0, fails = 0, refused = 0, cfd;

	start();
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	nb = worker_pids(before, 8);
	for (int i = 0; i < 20; i++)
		request(&n, &fails);
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "\"ok\": true") != NULL ||
	    strstr(reply, "\"ok\":true") != NULL, "%s", reply);
	/* Load goes on through the exec and the rolling replacement, and
	   control clients keep connecting: never refused. */
	for (long t0 = h_now_ms(); h_now_ms() - t0 < 3 * H_WAIT_MS; ) {
		request(&n, &fails);
		if ((cfd = h_ctl_connect(&pd)) == -1)
			refused++;
		else
			close(cfd);
		if (h_exits(&pd, "web", "upgrade") == 2)
			break;
	}
	cr_assert_eq(refused, 0, "control connections refused: %d", refused);
	for (int i = 0; i < 50; i++)
		request(&n, &fails);
	cr_log_info("in-place upgrade: %d requests, %d failed", n, fails);
	cr_assert_eq(fails, 0, "%d of %d requests failed", fails, n);
	/* Both adopted by the new program, then replaced by it. */
	cr_assert_eq(h_exits(&pd, "web", "upgrade"), 2,
	    "old workers not all replaced");
	/* The same process: never exited, still our child. */
	cr_assert_eq(kill(pd.pd_pid, 0), 0);
	cr_assert_eq(h_ppid(pd.pd_pid), getpid());
	cr_assert_eq(read_pid(pidfile), pd.pd_pid);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	na = worker_pids(after, 8);
	cr_assert_eq(na, 2);
	cr_assert(disjoint(before, nb, after, na), "a worker survived");
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket lost");
	/* In the foreground, whoever started poold watches it: no
	   guardian, and the log says what happens if the binary dies. */
	cr_assert(h_log_has(&pd, "no guardian (not a -D daemon)"));
}

/* A binary that fails its check is reported, and nothing changes. */
Test(upgrade, in_place_with_a_failing_binary_changes_nothing)
{
	char	 reply[H_REPORT_MAX];
	pid_t	 before[8], after[8];
	size_t	 nb;

	start();
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	nb = worker_pids(before, 8);
	cr_assert_eq(h_ctl(&pd, "upgrade /bin/false", reply, sizeof(reply)),
	    0);
	cr_assert(strstr(reply, "--check-config failed") != NULL, "%s",
	    reply);
	cr_assert_eq(h_ctl(&pd, "upgrade bin/poold", reply, sizeof(reply)),
	    0);
	cr_assert(strstr(reply, "must be absolute") != NULL, "%s", reply);
	cr_assert_not(h_log_has(&pd, "executing"));
	cr_assert_eq(worker_pids(after, 8), nb);
	for (size_t i = 0; i < nb; i++)
		cr_assert_not(disjoint(&before[i], 1, after, nb),
		    "worker %ld replaced", (long)before[i]);
	cr_assert_gt(h_hello_pid(port), 0);
}

/*
 * A new binary that passes its check but cannot start (here: a wrapper
 * that adds a listener on a port the test holds) goes back to the
 * previous binary, with the old arguments: the workers are replaced, the
 * pid stays, nothing stops serving.
 */
Test(upgrade, in_place_new_binary_that_cannot_start_goes_back)
{
	char	 script[H_PATH_MAX], text[1024], reply[H_REPORT_MAX];
	int	 busy, busy_port, n = 0, fails = 0;

	start();
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	busy = h_listener(&busy_port);
	snprintf(text, sizeof(text), "#!/bin/sh\n"
	    "case \" $* \" in *\" --check-config \"*) exec %s \"$@\";; esac\n"
	    "exec %s \"$@\" -b 127.0.0.1:%d\n", h_poold_path(), h_poold_path(),
	    busy_port);
	h_write_file(h_path(&pd, "broken-poold", script, sizeof(script)),
	    text);
	cr_assert_eq(chmod(script, 0755), 0);
	snprintf(text, sizeof(text), "upgrade %s", script);
	cr_assert_eq(h_ctl(&pd, text, reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	for (long t0 = h_now_ms(); h_now_ms() - t0 < 3 * H_WAIT_MS; ) {
		request(&n, &fails);
		if (h_exits(&pd, "web", "upgrade") == 2)
			break;
	}
	/* The operator is told (the line is the feature). */
	cr_assert(h_log_has(&pd, "going back to the previous one"));
	cr_assert_eq(kill(pd.pd_pid, 0), 0, "the arbiter is gone");
	cr_assert_eq(h_exits(&pd, "web", "upgrade"), 2);
	cr_assert_eq(fails, 0, "%d of %d requests failed", fails, n);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	close(busy);
}

/* -- the guardian: a new binary that dies after the exec ---------------- */

/* The guardian's pid, from the line of the exec. */
static pid_t
guardian_pid(void)
{
	char	 line[512];
	FILE	*f = fopen(pd.pd_log, "r");
	pid_t	 pid = -1;
	char	*at;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if ((at = strstr(line, "guardian pid ")) != NULL)
			pid = (pid_t)strtol(at + 13, NULL, 10);
	fclose(f);
	return pid;
}


/* An executable script at name in the test's directory; its path. */
static const char *
script(const char *name, const char *text, char *path, size_t len)
{
	h_write_file(h_path(&pd, name, path, len), text);
	cr_assert_eq(chmod(path, 0755), 0);
	return path;
}

/* As start(), as a -D daemon (the guardian is for those): its pid. */
static pid_t
start_daemon(void)
{
	int status;

	port = h_free_port();
	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	h_path(&pd, "poold.conf", conf, sizeof(conf));
	write_conf("");
	const char *args[] = { "-D", "-c", conf, "--error-logfile", pd.pd_log,
	    NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "-D: status 0x%x", status);
	cr_assert_gt(pd.pd_daemon = (pid_t)read_pid(pidfile), 0);
	cr_assert_eq(h_children(pd.pd_daemon, NULL, 0), 2);
	return pd.pd_daemon;
}

/*
 * The arbiter is gone: serve on until the pidfile names another one and
 * its workers answer; that one's pid.  The listening socket never
 * closed, so a request waits in its queue rather than fail; at most the
 * one a dying worker was serving is lost.
 */
static pid_t
served_by_the_previous_binary(pid_t old, int *n, int *fails)
{
	long	t0 = h_now_ms(), pid = -1;

	cr_assert(h_wait_gone(old, H_WAIT_MS), "it did not die");
	while (h_now_ms() - t0 < 3 * H_WAIT_MS) {
		request(n, fails);
		pid = read_pid(pidfile);
		if (pid > 0 && pid != old && h_children(pid, NULL, 0) == 2)
			break;
	}
	cr_assert(pid > 0 && pid != old, "no new arbiter (%ld)", pid);
	pd.pd_daemon = (pid_t)pid;	/* ended by the teardown */
	cr_log_info("back %ld ms after the crash, %d requests, %d failed",
	    h_now_ms() - t0, *n, *fails);
	cr_assert(h_log_has(&pd, "ended before it replaced the workers"));
	for (int i = 0; i < 20; i++)
		request(n, fails);
	cr_assert_leq(*fails, 1, "%d of %d requests failed", *fails, *n);
	cr_assert_eq(h_children(pid, NULL, 0), 2, "not its two workers");
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket lost");
	return (pid_t)pid;
}

/* No core files from the crashes we cause. */
static void
no_cores(void)
{
	struct rlimit none = { 0, 0 };

	cr_assert_eq(setrlimit(RLIMIT_CORE, &none), 0);
}

/*
 * Upgrade in place to a program that adopts the workers and never
 * finishes replacing them: the configuration it reads has workers that
 * never say READY=1.  The file is as before again once it has adopted
 * them, for a previous binary that starts again.
 */
static void
upgrade_to_one_that_never_finishes(void)
{
	char	text[1024], reply[H_REPORT_MAX];

	snprintf(text, sizeof(text), "pidfile = \"%s\"\npool web {\n"
	    "  listen = { \"127.0.0.1:%d\" }\n  command = { \"/bin/sleep\", "
	    "\"60\" }\n  ready = \"notify\"\n  boot_timeout = 60\n"
	    "  workers = 2\n}\n", pidfile, port);
	h_write_file(conf, text);
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	cr_assert(h_wait_count(pd.pd_log, "upgraded in place: adopted 2", 1,
	    H_WAIT_MS));
	write_conf("");
}

/* A binary that passes the probe, then crashes right after the exec:
   the guardian brings the previous binary back, in its own pid. */
Test(upgrade, in_place_binary_that_crashes_after_exec_comes_back)
{
	char	path[H_PATH_MAX], text[512], reply[H_REPORT_MAX];
	int	n = 0, fails = 0;
	pid_t	daemon;

	no_cores();
	daemon = start_daemon();
	snprintf(text, sizeof(text), "#!/bin/sh\n"
	    "case \" $* \" in *\" --check-config \"*) exec %s \"$@\";; esac\n"
	    "kill -SEGV $$\n", h_poold_path());
	snprintf(reply, sizeof(reply), "upgrade %s",
	    script("crashing-poold", text, path, sizeof(path)));
	cr_assert_eq(h_ctl(&pd, reply, reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	(void)served_by_the_previous_binary(daemon, &n, &fails);
}

/*
 * One that crashes after it has adopted the workers: here a new program
 * whose own workers never become ready (their command never says
 * READY=1), so that it is still replacing when it gets the SIGSEGV.
 * It refuses another upgrade meanwhile: one handover at a time.
 */
Test(upgrade, in_place_crash_after_adopting_comes_back)
{
	char	reply[H_REPORT_MAX];
	int	n = 0, fails = 0;
	pid_t	daemon;

	no_cores();
	daemon = start_daemon();
	upgrade_to_one_that_never_finishes();
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "still replacing") != NULL, "%s", reply);
	for (int i = 0; i < 20; i++)
		request(&n, &fails);
	cr_assert_eq(kill(daemon, SIGSEGV), 0);
	(void)served_by_the_previous_binary(daemon, &n, &fails);
}

/* A stop asked for while the guardian waits is no crash: it leaves, and
   nothing comes back. */
Test(upgrade, in_place_stop_dismisses_the_guardian)
{
	pid_t	guardian, daemon;

	daemon = start_daemon();
	upgrade_to_one_that_never_finishes();
	cr_assert_gt(guardian = guardian_pid(), 0);
	cr_assert_eq(kill(guardian, 0), 0, "no guardian");
	cr_assert_eq(kill(daemon, SIGTERM), 0);
	cr_assert(h_wait_gone(daemon, 3 * H_WAIT_MS), "poold did not stop");
	cr_assert(h_wait_gone(guardian, H_WAIT_MS), "the guardian stayed");
	cr_assert_not(h_log_has(&pd, "ended before it replaced"));
	cr_assert(h_wait_port_free(port, H_WAIT_MS), "something serves on");
}

/* A listener given as fd://N stays the same socket across an in-place
   upgrade. */
Test(upgrade, in_place_keeps_fd_listeners)
{
	char reply[H_REPORT_MAX];

	port = h_keep_listener(&pd, 20);
	const char *args[] = { "-k", "sync", "-w", "1", "-b", "fd://20",
	    NULL };
	h_start(&pd, args, NULL);
	close(20);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	for (int i = 0; i < 100 && h_hello_pid(port) == -1; i++)
		usleep(20000);
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(h_wait_exits(&pd, "main", "upgrade", 1, 3 * H_WAIT_MS),
	    "never replaced");
	cr_assert_not(h_log_has(&pd, "used by no pool"));
	cr_assert_gt(h_hello_pid(port), 0, "the fd:// listener was lost");
}

/* A poold running a command (`-- PROGRAM ARGS`) is checked with
   --check-config before its arguments, not as the program's argument,
   which once started a second arbiter that found the control socket
   taken. */
Test(upgrade, in_place_with_a_command)
{
	char reply[H_REPORT_MAX];

	port = h_free_port();
	char bind[64];
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", port);
	const char *args[] = { "-w", "1", "-b", bind, "--",
	    h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "\"ok\": true") != NULL ||
	    strstr(reply, "\"ok\":true") != NULL, "%s", reply);
	cr_assert(h_wait_count(pd.pd_log, "upgraded in place: adopted 1 "
	    "worker(s)", 1, 3 * H_WAIT_MS), "not upgraded");
}

/* An in-place upgrade keeps the pid, and so what status counts: the
   arbiter's uptime and reloads go on, each pool's generation rises by
   one (its workers are replaced), never back to 1. */
Test(upgrade, in_place_keeps_uptime_and_generations)
{
	char	 reply[H_REPORT_MAX];
	json_t	*r;
	double	 up;

	start();
	r = h_ctl_json(&pd, "reload");
	json_decref(r);
	r = h_ctl_json(&pd, "reload");
	json_decref(r);
	r = h_ctl_json(&pd, "status");
	cr_assert_eq(json_integer_value(json_object_get(r, "generation")), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(r, "pools"), 0), "generation")), 2);
	up = json_number_value(json_object_get(r, "uptime"));
	json_decref(r);
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	cr_assert(h_wait_count(pd.pd_log, "upgraded in place", 1,
	    3 * H_WAIT_MS));
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	r = h_ctl_json(&pd, "status");
	cr_assert_eq(json_integer_value(json_object_get(r, "generation")), 2,
	    "the arbiter's reloads went back");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(r, "pools"), 0), "generation")), 3,
	    "the pool's generation did not go on");
	cr_assert_geq(json_number_value(json_object_get(r, "uptime")), up,
	    "uptime went back to 0");
	json_decref(r);
}

/*
 * The shell that runs before PROGRAM in the two tests below: the first
 * worker (the one that makes the directory "first") waits for the file
 * "go", its replacement for "go2", each for 10 s at most.  Which worker
 * gets ready when is the test's to say, not a race of two timers.
 */
#define GATED_CMD	"g=%s/go; mkdir %s/first 2>/dev/null || g=%s/go2; "  \
			"i=0; while [ ! -e $g ] && [ $i -lt 1000 ]; do "     \
			"sleep 0.01; i=$((i+1)); done; "
#define GATED_ARGS(pd)	(pd)->pd_dir, (pd)->pd_dir, (pd)->pd_dir

/* Upgrades in place while the first worker is held, then lets it go. */
static pid_t
upgrade_with_a_booting_worker(void)
{
	char	reply[H_REPORT_MAX], path[H_PATH_MAX];
	pid_t	old;

	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, &old, 1), 1);
	cr_assert(h_wait_file(h_path(&pd, "first", path, sizeof(path)),
	    H_WAIT_MS), "the first worker did not run");
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	cr_assert(h_wait_count(pd.pd_log, "upgraded in place: adopted 1 "
	    "worker(s)", 1, 3 * H_WAIT_MS), "not upgraded");
	h_write_file(h_path(&pd, "go", path, sizeof(path)), "");
	return old;
}

/* The adopted worker was made ready by the new program; now its
   replacement may be, and takes over. */
static void
adopted_ready_then_replaced(pid_t old)
{
	char want[64], path[H_PATH_MAX];

	snprintf(want, sizeof(want), "(pid %ld) ready after", (long)old);
	cr_assert(h_wait_count(pd.pd_log, want, 1, H_WAIT_MS), "the adopted "
	    "worker's readiness did not reach the new program");
	h_write_file(h_path(&pd, "go2", path, sizeof(path)), "");
	cr_assert(h_wait_exits(&pd, "web", "upgrade", 1, 3 * H_WAIT_MS));
	cr_assert_eq(h_exits(&pd, "web", "failed_boot"), 0);
	cr_assert_eq(h_exits(&pd, "web", "boot_timeout"), 0);
}

/* ready = fd: a worker still booting when the upgrade comes keeps its
   pipe, and its newline written after the exec still makes it ready. */
Test(upgrade, in_place_carries_a_booting_workers_ready_fd)
{
	port = h_free_port();
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/bin/sh\", \"-c\", \"" GATED_CMD "echo >&4; "
	    "exec sleep 60\" }\n  workers = 1\n  ready = \"fd\"\n"
	    "  notification_fd = 4\n  boot_timeout = 20\n}\n", port,
	    GATED_ARGS(&pd));
	adopted_ready_then_replaced(upgrade_with_a_booting_worker());
}

/* compat = einhorn: a worker still booting when the upgrade comes acks
   after the exec on the socket it was given, which the new program
   carries on serving. */
Test(upgrade, in_place_carries_the_einhorn_socket)
{
	char	logf[H_PATH_MAX], want[64];
	pid_t	old;

	port = h_free_port();
	h_path(&pd, "worker.log", logf, sizeof(logf));
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/bin/sh\", \"-c\", \"" GATED_CMD "exec %s "
	    "--einhorn-ack yaml --log %s\" }\n  workers = 1\n"
	    "  compat = { \"einhorn\" }\n  ready = \"notify\"\n"
	    "  boot_timeout = 20\n}\n", port, GATED_ARGS(&pd),
	    h_tworker_path(), logf);
	old = upgrade_with_a_booting_worker();
	snprintf(want, sizeof(want), "einhorn-ack pid=%ld", (long)old);
	cr_assert(h_wait_count(logf, want, 1, H_WAIT_MS), "no ack sent");
	adopted_ready_then_replaced(old);
}

/* Rolling back a USR2 upgrade (TERM to the new arbiter) leaves the old
   one its socket files: the unix listener and the control socket. */
Test(upgrade, usr2_rollback_keeps_the_socket_files)
{
	char	 sock[H_PATH_MAX], text[1024], buf[H_REPORT_MAX];
	long	 fresh = -1;
	int	 status;

	port = h_free_port();
	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	h_path(&pd, "poold.conf", conf, sizeof(conf));
	h_path(&pd, "web.sock", sock, sizeof(sock));
	snprintf(text, sizeof(text), "pidfile = \"%s\"\npool web {\n"
	    "  listen = { \"unix:%s\" }\n  command = { \"%s\" }\n"
	    "  workers = 1\n}\n", pidfile, sock, h_tworker_path());
	h_write_file(conf, text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_file(pidfile, H_WAIT_MS));
	h_signal(&pd, SIGUSR2);
	/* The pidfile is renamed, then written by the new arbiter: wait for
	   another pid in it. */
	for (int i = 0; i < H_WAIT_MS / 10; i++) {
		if ((fresh = read_pid(pidfile)) > 0 && fresh != pd.pd_pid)
			break;
		usleep(10000);
	}
	cr_assert(fresh > 0 && fresh != pd.pd_pid, "no new arbiter");
	cr_assert(h_wait_count(pd.pd_log, "arbiter running", 2, H_WAIT_MS));
	cr_assert_eq(kill((pid_t)fresh, SIGTERM), 0);
	cr_assert(h_wait_gone((pid_t)fresh, H_WAIT_MS), "new arbiter lives");
	cr_assert(h_wait_count(pd.pd_log, "serving on as before", 1,
	    H_WAIT_MS));
	cr_assert_eq(access(sock, F_OK), 0, "the unix socket file is gone");
	cr_assert_eq(access(pd.pd_ctl, F_OK), 0, "the control socket is gone");
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	cr_assert_eq(h_query_unix(sock, buf, sizeof(buf)), 0);
	cr_assert_eq(read_pid(pidfile), pd.pd_pid);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert_eq(access(sock, F_OK), -1, "the old arbiter left it behind");
}

/*
 * A pool the new configuration does not have: its workers, carried
 * across the exec, leave by the pool's own stop path (stop signal, then
 * SIGKILL after the grace) and the pool is gone once they are; the
 * pools that remain are untouched by it.
 */
Test(upgrade, in_place_stops_the_workers_of_a_dropped_pool)
{
	char	reply[H_REPORT_MAX], extra[256];
	bool	listed = true;

	start();
	snprintf(extra, sizeof(extra), "pool old {\n  listen = { "
	    "\"127.0.0.1:%d\" }\n  command = { \"%s\" }\n  workers = 2\n}\n",
	    h_free_port(), h_tworker_path());
	write_conf(extra);
	cr_assert_eq(h_ctl(&pd, "reload", reply, sizeof(reply)), 0);
	cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	write_conf("");
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	cr_assert(h_wait_count(pd.pd_log, "pool old is gone after the upgrade",
	    1, H_WAIT_MS));
	cr_assert(h_wait_count(pd.pd_log, "stopped (pool stopping)", 2,
	    H_WAIT_MS), "the dropped pool's workers did not stop");
	/* Then only web is left, serving. */
	for (long t0 = h_now_ms(); listed && h_now_ms() - t0 < H_WAIT_MS; ) {
		cr_assert_eq(h_ctl(&pd, "pools", reply, sizeof(reply)), 0);
		if ((listed = strstr(reply, "\"old\"") != NULL))
			usleep(20000);
	}
	cr_assert_not(listed, "the dropped pool is still listed: %s", reply);
	cr_assert_gt(h_hello_pid(port), 0);
}

/*
 * A relative -c under -D, which changes to /: the directory poold was
 * started in is where argv's paths mean something, for every upgrade
 * after the first too.  (The second upgrade failed: "--check-config
 * failed: poold: //a.conf: No such file or directory".)
 */
Test(upgrade, relative_config_survives_daemon_and_upgrades)
{
	char	 reply[H_REPORT_MAX], here[H_PATH_MAX];
	int	 status;

	port = h_free_port();
	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	h_path(&pd, "a.conf", conf, sizeof(conf));
	write_conf("");
	cr_assert_not_null(getcwd(here, sizeof(here)));
	cr_assert_eq(chdir(pd.pd_dir), 0);
	const char *args[] = { "-D", "-c", "a.conf", "--error-logfile",
	    pd.pd_log, NULL };
	h_start(&pd, args, NULL);
	cr_assert_eq(chdir(here), 0);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_gt(pd.pd_daemon = (pid_t)read_pid(pidfile), 0);
	for (int i = 1; i <= 3; i++) {
		cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
		cr_assert(strstr(reply, "upgrading") != NULL, "upgrade %d: %s",
		    i, reply);
		/* Done when every worker is the new binary's: only then is
		   the next upgrade taken. */
		cr_assert(h_wait_count(pd.pd_log, "every worker runs the new "
		    "binary", i, 3 * H_WAIT_MS), "upgrade %d did not finish",
		    i);
	}
	cr_assert_eq(read_pid(pidfile), pd.pd_daemon, "the pid changed");
	cr_assert_gt(h_hello_pid(port), 0);
}
