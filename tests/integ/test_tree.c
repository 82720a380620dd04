/* SPDX-License-Identifier: ISC */
/*
 * A worker is its whole process tree: what a worker's children and
 * grandchildren become when it is stopped, killed or timed out, under
 * kill_mode = mixed (the default) and process, and the arbiter as the
 * subreaper that orphans of a tree come back to.  The worker is tworker
 * --tree, which forks a child and a grandchild that keep the listening
 * socket and sleep, and notes their pids in a file.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

#define TREE_MAX	16

static struct poold	pd;
static char		tree[H_PATH_MAX];
static int		port;
static pid_t		kept[TREE_MAX];	/* nodes noted before the tree file
					   went with its poold's directory */

/* The pids tree lists now, at most max; how many. */
static size_t
tree_pids(pid_t *out, size_t max)
{
	char	 line[128];
	FILE	*f = fopen(tree, "r");
	size_t	 n = 0;

	if (f == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), f) != NULL)
		out[n++] = (pid_t)strtol(line, NULL, 10);
	fclose(f);
	return n;
}

/* Whether pid is still one of the trees tworker made (not a pid reused
   by something else since). */
static bool
is_tree_node(pid_t pid)
{
	char	path[64], cmd[256] = "";
	FILE	*f;
	size_t	n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	cmd[n] = '\0';
	return strstr(cmd, "tworker") != NULL;
}

static void setup(void) { h_setup(&pd); }

/* Whatever of the trees a failed test left is ended by pid. */
static void
teardown(void)
{
	pid_t	pids[TREE_MAX];
	size_t	n = tree_pids(pids, TREE_MAX);

	h_teardown(&pd);
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0 && is_tree_node(pids[i]))
			kill(pids[i], SIGKILL);
	for (size_t i = 0; i < TREE_MAX; i++)
		if (kept[i] > 0 && is_tree_node(kept[i]))
			kill(kept[i], SIGKILL);
	memset(kept, 0, sizeof(kept));
}

TestSuite(tree, .init = setup, .fini = teardown, .timeout = 60);

/* Wait until the tree file lists n pids. */
static void
wait_nodes(size_t n)
{
	pid_t pids[TREE_MAX];

	for (long t0 = h_now_ms(); tree_pids(pids, TREE_MAX) < n; ) {
		cr_assert_lt(h_now_ms() - t0, H_WAIT_MS, "no tree noted");
		usleep(10000);
	}
}

/* The pid noted as kind ("child", "grandchild", "setsid") in the first
   tree, or -1. */
static pid_t
node(const char *kind)
{
	char	 line[128], k[32];
	long	 pid;
	FILE	*f = fopen(tree, "r");
	pid_t	 found = -1;

	if (f == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%ld %31s", &pid, k) == 2 &&
		    strcmp(k, kind) == 0)
			found = (pid_t)pid;
	fclose(f);
	return found;
}

/* One pool of one tworker --tree worker, with extra lines in its pool
   section (and globals before it); waits until its child and grandchild
   are noted (and the setsid one, if asked for). */
static void
start_with(const char *globals, const char *extra, const char *worker_args)
{

	port = h_free_port();
	h_path(&pd, "tree", tree, sizeof(tree));
	h_start_conf(&pd, "%spool main {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--tree\", \"%s\"%s }\n  workers = 1\n"
	    "%s}\n", globals, port, h_tworker_path(), tree, worker_args,
	    extra);
	wait_nodes(strstr(worker_args, "setsid") != NULL ? 3 : 2);
}

static void
start(const char *extra, const char *worker_args)
{
	start_with("", extra, worker_args);
}

/* Every pid of the first tree (its first n lines) is gone by ms. */
static void
assert_tree_gone(size_t n, int ms)
{
	pid_t	pids[TREE_MAX];

	cr_assert_geq(tree_pids(pids, TREE_MAX), n);
	for (size_t i = 0; i < n; i++)
		cr_assert(h_wait_gone(pids[i], ms), "pid %ld of the tree "
		    "outlived its worker", (long)pids[i]);
}

/* The first worker's entry in `workers`, as JSON (decref it). */
static json_t *
first_worker(void)
{
	json_t *r = h_ctl_json(&pd, "workers");
	json_t *w = json_incref(json_array_get(json_object_get(r, "workers"),
	    0));

	json_decref(r);
	return w;
}

/* TERM to poold: it stops, and no process of the tree outlives it. */
static void
stop_takes_the_tree(void)
{
	int status;

	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	assert_tree_gone(2, H_WAIT_MS);
	cr_assert(h_port_free(port), "the tree still holds the port");
}

Test(tree, a_graceful_stop_takes_the_tree)
{
	start("", "");
	stop_takes_the_tree();
}

/* A worker killed from outside: its tree goes with it, and the pool
   gets a new worker with a new tree. */
Test(tree, a_killed_worker_takes_its_tree)
{
	char	reply[H_REPORT_MAX];

	start("", "");
	cr_assert_eq(h_ctl(&pd, "kill main 0 KILL", reply, sizeof(reply)), 0);
	assert_tree_gone(2, H_WAIT_MS);
	cr_assert(h_wait_count(pd.pd_log, "left processes behind", 1,
	    H_WAIT_MS));
	wait_nodes(4);		/* the replacement's tree */
}

/* Timed out before it was ready: SIGKILL takes the tree at once. */
Test(tree, a_boot_timeout_takes_the_tree)
{
	start("  ready = \"notify\"\n  boot_timeout = 0.3\n", "");
	assert_tree_gone(2, H_WAIT_MS);
}

/* A rolling restart replaces the worker, new one first; the old one's
   tree goes with it. */
Test(tree, a_rolling_restart_takes_the_old_tree)
{
	char reply[H_REPORT_MAX];

	start("", "");
	cr_assert_eq(h_ctl(&pd, "restart main", reply, sizeof(reply)), 0);
	cr_assert(h_wait_exits(&pd, "main", "restart", 1, H_WAIT_MS));
	assert_tree_gone(2, H_WAIT_MS);
	wait_nodes(4);
}

/* Silent past its watchdog timeout: SIGABRT, then SIGKILL to the tree. */
Test(tree, a_watchdog_kill_takes_the_tree)
{
	start("  timeout = 0.4\n  graceful_timeout = 0.2\n", "");
	cr_assert(h_wait_exits(&pd, "main", "watchdog", 1, H_WAIT_MS));
	assert_tree_gone(2, H_WAIT_MS);
}

/* TTOU retires the highest slot: its tree goes with it. */
Test(tree, ttou_takes_the_tree)
{
	start("  min_workers = 0\n", "");
	h_signal(&pd, SIGTTOU);
	cr_assert(h_wait_exits(&pd, "main", "scaled_down", 1, H_WAIT_MS));
	assert_tree_gone(2, H_WAIT_MS);
}

/*
 * The orphan storm: a worker that exits on its own, after its boot
 * window, leaving children behind, is backed off as a failed boot is
 * (and its tree killed); its slot's LAST EXIT says so.
 */
Test(tree, a_worker_that_dies_leaving_its_tree_backs_off)
{
	json_t	*seen = json_array(), *ev, *w;
	int	 fd;

	start("", ", \"--exit-after\", \"1300\"");
	cr_assert_neq(fd = h_subscribe(&pd), -1);
	ev = h_event_wait(fd, seen, "backoff", "pool", "main", 3 * H_WAIT_MS);
	cr_assert_not_null(ev, "no backoff after a death that left a tree");
	cr_assert_geq(json_number_value(json_object_get(ev, "delay")), 0.1);
	cr_assert_not_null(ev = h_events_find(seen, "exited", "pool", "main"));
	cr_assert_str_eq(json_string_value(json_object_get(ev, "end")),
	    "died");
	cr_assert(json_is_true(json_object_get(ev, "left_processes")));
	assert_tree_gone(2, H_WAIT_MS);
	cr_assert_not_null(w = first_worker());
	cr_assert_not_null(strstr(json_string_value(json_object_get(w,
	    "last_exit")), "left processes behind"));
	json_decref(w);
	json_decref(seen);
	close(fd);
}

/* A main process that ignores TERM is killed after graceful_timeout,
   and its tree with it. */
Test(tree, the_graceful_timeout_takes_the_tree)
{
	start("  graceful_timeout = 0.3\n", ", \"--ignore-term\"");
	stop_takes_the_tree();
}

/*
 * kill_mode = process: only the main process is poold's; its children
 * outlive it, and the one whose parent died is the arbiter's child now
 * (the subreaper), not init's.  The test ends them itself.
 */
Test(tree, kill_mode_process_leaves_the_tree_to_the_subreaper)
{
	char	reply[H_REPORT_MAX];
	pid_t	pids[TREE_MAX], worker;
	size_t	n;

	start("  kill_mode = \"process\"\n", "");
	cr_assert_eq(h_children(pd.pd_pid, &worker, 1), 1);
	cr_assert_eq(h_ctl(&pd, "kill main 0 KILL", reply, sizeof(reply)), 0);
	cr_assert(h_wait_gone(worker, H_WAIT_MS));
	wait_nodes(4);		/* the replacement's tree */
	n = tree_pids(pids, TREE_MAX);
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(kill(pids[i], 0), 0, "pid %ld was killed",
		    (long)pids[i]);
	/* Whichever of the two is the child, its parent is poold now. */
	cr_assert(h_ppid(pids[0]) == pd.pd_pid || h_ppid(pids[1]) ==
	    pd.pd_pid, "the orphan went to init, not to the arbiter");
	cr_assert_not(h_log_has(&pd, "left processes behind"));
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
}

/*
 * kill -9 of the arbiter: the death signal ends each worker's main
 * process, and the sentinel the rest of its group, within a second; the
 * port is free for the next poold at once.
 */
Test(tree, a_killed_arbiter_leaves_no_tree)
{
	int status;

	start("", "");
	h_signal(&pd, SIGKILL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	assert_tree_gone(2, 1000);
	cr_assert(h_wait_port_free(port, 1000), "the port is still held");
}

/* The same sentinel watches the program an in-place upgrade runs: the
   adopted workers' trees and the new ones'. */
Test(tree, the_sentinel_survives_an_in_place_upgrade)
{
	char	reply[H_REPORT_MAX];
	int	status;

	start("", "");
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	/* The adopted worker is replaced: a second tree is noted. */
	wait_nodes(4);
	h_signal(&pd, SIGKILL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	assert_tree_gone(4, 1000);
	cr_assert(h_wait_port_free(port, 1000), "the port is still held");
}

/* -- with a cgroup per worker -------------------------------------------- */

/* Skip, saying why, where poold found no cgroup v2 hierarchy to use. */
static void
need_cgroups(void)
{
	if (!h_wait_count(pd.pd_log, "cgroups: ", 1, H_WAIT_MS) ||
	    !h_log_has(&pd, "cgroups: one per worker"))
		cr_skip_test("no writable cgroup v2 hierarchy here");
}

/* `status`'s cgroups object, into path (empty if none); whether the
   workers' cgroups have the memory controller. */
static bool
status_cgroups(char *path, size_t len)
{
	json_t		*r = h_ctl_json(&pd, "status"), *cg;
	const char	*p, *ctl;
	bool		 memory;

	cr_assert_not_null(cg = json_object_get(r, "cgroups"), "no cgroups");
	p = json_string_value(json_object_get(cg, "path"));
	ctl = json_string_value(json_object_get(cg, "controllers"));
	snprintf(path, len, "%s", p != NULL ? p : "");
	memory = ctl != NULL && strstr(ctl, "memory") != NULL;
	if (!memory)
		cr_assert(json_is_string(json_object_get(cg, "missing")),
		    "no reason given for the missing memory controller");
	json_decref(r);
	return memory;
}

/* A grandchild that left the process group (setsid) cannot leave its
   worker's cgroup: a worker killed from outside takes it too. */
Test(tree, a_setsid_descendant_goes_with_its_cgroup)
{
	char reply[H_REPORT_MAX];

	start("", ", \"--tree-setsid\"");
	need_cgroups();
	cr_assert_eq(h_ctl(&pd, "kill main 0 KILL", reply, sizeof(reply)), 0);
	assert_tree_gone(3, H_WAIT_MS);
}

/* And so does a kill -9 of the arbiter, through the sentinel; nothing
   of poold's is left in the hierarchy. */
Test(tree, a_killed_arbiter_leaves_no_setsid_descendant)
{
	char	base[H_PATH_MAX];
	int	status;

	start("", ", \"--tree-setsid\"");
	need_cgroups();
	status_cgroups(base, sizeof(base));
	cr_assert_eq(access(base, F_OK), 0, "%s", base);
	h_signal(&pd, SIGKILL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	assert_tree_gone(3, 1000);
	cr_assert(h_wait_port_free(port, 1000), "the port is still held");
	for (long t0 = h_now_ms(); access(base, F_OK) == 0; usleep(10000))
		cr_assert_lt(h_now_ms() - t0, 1000, "%s is left behind", base);
}

/* cgroups = false: process groups only, said at start; the tree in the
   group still goes, the setsid() one does not (the test ends it). */
Test(tree, without_cgroups_the_process_group_still_holds)
{
	char	reply[H_REPORT_MAX];
	pid_t	escaped;

	start_with("cgroups = false\n", "", ", \"--tree-setsid\"");
	cr_assert(h_wait_count(pd.pd_log, "workers get process groups only",
	    1, H_WAIT_MS));
	cr_assert_gt(escaped = node("setsid"), 0);
	cr_assert_eq(h_ctl(&pd, "kill main 0 KILL", reply, sizeof(reply)), 0);
	cr_assert(h_wait_gone(node("child"), H_WAIT_MS));
	cr_assert(h_wait_gone(node("grandchild"), H_WAIT_MS));
	cr_assert_eq(kill(escaped, 0), 0, "the setsid() one was reached");
	kill(escaped, SIGKILL);
}

/* poolctl workers shows the whole tree's process count and CPU time
   from the cgroup; a worker that burns CPU shows it within a second. */
Test(tree, workers_show_the_cgroups_cpu_and_processes)
{
	json_t	*w;
	double	 cpu = 0;

	start("", "");
	need_cgroups();
	cr_assert_not_null(w = first_worker());
	cr_assert_eq(json_integer_value(json_object_get(w, "processes")), 3,
	    "the worker, its child and grandchild");
	json_decref(w);
	h_teardown(&pd);
	h_setup(&pd);
	h_start_conf(&pd, "pool main {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/bin/sh\", \"-c\", \"while :; do :; done\" }\n"
	    "  workers = 1\n}\n", h_free_port());
	need_cgroups();
	for (long t0 = h_now_ms(); cpu < 0.2; usleep(50000)) {
		cr_assert_lt(h_now_ms() - t0, 1500, "cpu %.3f s", cpu);
		if ((w = first_worker()) != NULL)
			cpu = json_number_value(json_object_get(w, "cpu"));
		json_decref(w);
	}
}

/* -- notify_access ------------------------------------------------------- */

/*
 * A worker whose READY=1 comes from a helper: a script that runs
 * systemd-notify --ready from a shell of its own.  (systemd-notify sends
 * as its parent's pid where it may, as root does: from the worker's own
 * shell it would pass for the main process.)
 */
static void
start_notifying_shell(const char *access)
{
	if (!h_have("systemd-notify"))
		cr_skip_test("systemd-notify is not installed");
	h_start_conf(&pd, "pool main {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/bin/sh\", \"-c\", \"sh -c 'systemd-notify "
	    "--ready; :'; exec sleep 60\" }\n  ready = \"notify\"\n"
	    "  boot_timeout = 1\n  notify_access = \"%s\"\n  workers = 1\n"
	    "}\n", h_free_port(), access);
}

Test(tree, notify_access_all_takes_a_helpers_ready)
{
	start_notifying_shell("all");
	cr_assert(h_wait_count(pd.pd_log, "ready after", 1, H_WAIT_MS),
	    "the helper's READY=1 did not count");
}

/* The default, main: only the worker's own pid speaks for it, so the
   helper's READY=1 is dropped and the boot times out. */
Test(tree, notify_access_main_drops_a_helpers_ready)
{
	start_notifying_shell("main");
	cr_assert(h_wait_exits(&pd, "main", "boot_timeout", 1, H_WAIT_MS));
	cr_assert_not(h_log_has(&pd, "ready after"));
}

/* The metrics endpoint has each worker's tree from its cgroup. */
Test(tree, metrics_show_each_workers_tree)
{
	char	buf[16384];
	bool	closed;
	int	mport = h_free_port(), fd = -1;

	port = h_free_port();
	h_path(&pd, "tree", tree, sizeof(tree));
	h_start_conf(&pd, "metrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool main {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--tree\", \"%s\" }\n  workers = 1\n}\n",
	    mport, port, h_tworker_path(), tree);
	wait_nodes(2);
	need_cgroups();
	for (int i = 0; i < 100 && (fd = h_tcp_connect(mport)) == -1; i++)
		usleep(20000);
	cr_assert_neq(fd, -1);
	cr_assert_eq(h_send(fd, "GET /metrics HTTP/1.0\r\n\r\n", 25), 0);
	h_recv(fd, buf, sizeof(buf), NULL, 0, H_WAIT_MS, &closed);
	close(fd);
	cr_assert_not_null(strstr(buf, "poold_worker_processes{pool=\"main\","
	    "worker=\"0\"} 3\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "poold_worker_cpu_seconds_total{"
	    "pool=\"main\",worker=\"0\"} "), "%s", buf);
}

/* After an in-place upgrade the new program finds the adopted workers'
   cgroups again: replacing one takes its whole tree, setsid() or not. */
Test(tree, an_adopted_worker_keeps_its_cgroup)
{
	char	reply[H_REPORT_MAX];

	start("", ", \"--tree-setsid\"");
	need_cgroups();
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "upgrading") != NULL, "%s", reply);
	cr_assert(h_wait_exits(&pd, "main", "upgrade", 1, 3 * H_WAIT_MS));
	assert_tree_gone(3, H_WAIT_MS);
}

/*
 * USR2: the new arbiter, started in the old one's cgroup leaf, makes its
 * own subtree beside it; WINCH to the old one then stops its workers,
 * and their whole trees go, a setsid()'d descendant too.
 */
Test(tree, a_usr2_successor_has_its_own_cgroups)
{
	char	pidfile[H_PATH_MAX], buf[32];
	pid_t	fresh = -1;
	FILE	*f;

	port = h_free_port();
	h_path(&pd, "tree", tree, sizeof(tree));
	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	h_start_conf(&pd, "pidfile = \"%s\"\npool main {\n  listen = { "
	    "\"127.0.0.1:%d\" }\n  command = { \"%s\", \"--tree\", \"%s\", "
	    "\"--tree-setsid\" }\n  workers = 1\n}\n", pidfile, port,
	    h_tworker_path(), tree);
	wait_nodes(3);
	need_cgroups();
	h_signal(&pd, SIGUSR2);
	cr_assert(h_wait_count(pd.pd_log, "cgroups: one per worker", 2,
	    H_WAIT_MS), "the new arbiter has no cgroups of its own");
	for (long t0 = h_now_ms(); fresh <= 0 || fresh == pd.pd_pid; ) {
		cr_assert_lt(h_now_ms() - t0, H_WAIT_MS, "no new pidfile");
		if ((f = fopen(pidfile, "r")) != NULL) {
			if (fgets(buf, sizeof(buf), f) != NULL)
				fresh = (pid_t)strtol(buf, NULL, 10);
			fclose(f);
		}
		usleep(10000);
	}
	pd.pd_daemon = fresh;	/* not our child: the teardown ends it */
	wait_nodes(6);		/* the new arbiter's worker's tree */
	h_signal(&pd, SIGWINCH);
	assert_tree_gone(3, H_WAIT_MS);
	cr_assert_eq(kill(fresh, 0), 0, "the new arbiter is gone");
}

/* -- controllers and limits ------------------------------------------------ */

/* status names the workers' cgroups, their controllers, and why some
   are missing; so does poolctl status, on a line of its own. */
Test(tree, status_names_the_cgroups_and_their_controllers)
{
	char		 path[H_PATH_MAX], out[8192], want[H_PATH_MAX + 32];
	const char	*args[] = { "status", NULL };

	start("", "");
	need_cgroups();
	status_cgroups(path, sizeof(path));
	cr_assert_neq(path[0], '\0');
	cr_assert_eq(access(path, F_OK), 0, "%s", path);
	cr_assert_not_null(strstr(path, "/poold-"), "%s", path);
	cr_assert_eq(h_poolctl(&pd, args, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "cgroups: %s (controllers: ", path);
	cr_assert_not_null(strstr(out, want), "%s", out);
}

/* Without cgroups there is nowhere to put a limit: asked for, it is a
   configuration error, said on the terminal, not a limit ignored. */
Test(tree, a_limit_without_cgroups_is_refused)
{
	char		 conf[H_PATH_MAX];
	const char	*args[] = { "-c", conf, NULL };
	int		 status;

	h_write_file(h_path(&pd, "limit.conf", conf, sizeof(conf)),
	    "cgroups = false\npool main {\n  listen = { \"127.0.0.1:1\" }\n"
	    "  command = { \"/bin/true\" }\n  tasks_max = 16\n}\n");
	status = h_run(&pd, args, H_WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2,
	    "status 0x%x", status);
	cr_assert(h_log_has(&pd, "pool main: tasks_max needs the pids "
	    "controller in each worker's cgroup, which is not there: "
	    "cgroups = false"));
}

/* --check-config judges the controllers from where it runs, which may
   not be where poold will: a warning, exit 0. */
Test(tree, check_config_warns_of_a_missing_controller)
{
	char		 conf[H_PATH_MAX];
	const char	*args[] = { "--check-config", "-c", conf, NULL };
	int		 status;

	h_write_file(h_path(&pd, "limit.conf", conf, sizeof(conf)),
	    "pool main {\n  listen = { \"127.0.0.1:1\" }\n  command = { "
	    "\"/bin/true\" }\n  tasks_max = 16\n}\n");
	status = h_run(&pd, args, H_WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x", status);
	cr_assert(h_log_has(&pd, "configuration ok"));
	if (!h_log_has(&pd, "poold: warning: pool main: tasks_max needs the "
	    "pids controller"))
		cr_assert(!h_log_has(&pd, "warning"), "the pids controller "
		    "is there, and yet a warning");
}

/* A memory limit this hierarchy cannot hold: a reload that asks for it
   is refused, and the running workers keep serving. */
Test(tree, a_reload_to_a_limit_without_its_controller_is_refused)
{
	char		 path[H_PATH_MAX], conf[H_PATH_MAX], text[2048];
	const char	*msg;
	json_t		*r;
	pid_t		 before;

	start("", "");
	need_cgroups();
	if (status_cgroups(path, sizeof(path)))
		cr_skip_test("the memory controller is there: the limits are "
		    "tested by memory_max_oom_kill_is_attributed");
	before = h_worker_in_slot(&pd, 0);
	snprintf(text, sizeof(text), "pool main {\n  listen = { \"127.0.0.1:"
	    "%d\" }\n  command = { \"%s\", \"--tree\", \"%s\" }\n  workers = "
	    "1\n  memory_max = 256M\n}\n", port, h_tworker_path(), tree);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	cr_assert_not_null(r = h_ctl_json(&pd, "reload"));
	cr_assert(json_is_false(json_object_get(r, "ok")));
	msg = json_string_value(json_object_get(json_object_get(r, "error"),
	    "message"));
	cr_assert_not_null(msg);
	cr_assert_not_null(strstr(msg, "pool main: memory_max needs the memory "
	    "controller"), "%s", msg);
	json_decref(r);
	cr_assert_eq(h_worker_in_slot(&pd, 0), before);
	cr_assert_eq(h_exits(&pd, "main", "reload"), 0);
}

/* A pool of one worker, reloaded into these limits with a tworker that
   holds leak_mib; skipped where the memory controller is not there. */
static void
start_limited(const char *limits, int leak_mib)
{
	char	path[H_PATH_MAX], conf[H_PATH_MAX], text[2048];
	json_t	*r;

	start("", "");
	need_cgroups();
	if (!status_cgroups(path, sizeof(path)))
		cr_skip_test("no memory controller for the workers' cgroups "
		    "here (on this project's machines the v1 hierarchy owns "
		    "it); the limits are tested on files in test_cgres");
	snprintf(text, sizeof(text), "pool main {\n  listen = { \"127.0.0.1:"
	    "%d\" }\n  command = { \"%s\", \"--leak\", \"%d\" }\n  workers = "
	    "1\n%s}\n", port, h_tworker_path(), leak_mib, limits);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	cr_assert_not_null(r = h_ctl_json(&pd, "reload"));
	cr_assert(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
}

/* memory_max: the worker's cgroup is its OOM domain; its kill is told
   apart from any other SIGKILL. */
Test(tree, memory_max_oom_kill_is_attributed)
{
	start_limited("  memory_max = 32M\n", 128);
	cr_assert(h_wait_exits(&pd, "main", "oom", 1, 3 * H_WAIT_MS));
}

/* memory_high: crossing it recycles the worker (memory.events, no
   polling). */
Test(tree, memory_high_recycles_the_worker)
{
	start_limited("  memory_high = 16M\n", 64);
	cr_assert(h_wait_exits(&pd, "main", "memory_high", 1, 3 * H_WAIT_MS));
}

/* -- a crash of both the arbiter and its sentinel --------------------------- */

/* The arbiter's sentinel, or -1. */
static pid_t
sentinel_of(pid_t arbiter)
{
	char	path[96], comm[32];
	pid_t	kids[64];
	size_t	n;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children",
	    (long)arbiter, (long)arbiter);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	for (n = 0; n < 64 && fscanf(f, "%d", &kids[n]) == 1; n++)
		;
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/comm", (long)kids[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "poold-sentinel", 14) == 0) {
			fclose(f);
			return kids[i];
		}
		fclose(f);
	}
	return -1;
}

/*
 * Nothing was left to clean up after a poold: both its arbiter and its
 * sentinel were SIGKILLed, and its workers' children hold the port.  The
 * next poold on that port removes the stale subtree, and what is in it,
 * before it binds.  (A subtree is stale once nobody is in its arbiter
 * and sentinel leaves and it is 10 s old; the test ages it.)
 */
Test(tree, a_restarted_poold_removes_a_crashed_ones_subtree)
{
	char		path[H_PATH_MAX];
	pid_t		sentinel;
	int		status;
	struct timespec	aged[2] = { { .tv_nsec = UTIME_OMIT } };

	start("", ", \"--tree-setsid\"");
	need_cgroups();
	status_cgroups(path, sizeof(path));
	cr_assert_eq(tree_pids(kept, TREE_MAX), 3);
	cr_assert_gt(sentinel = sentinel_of(pd.pd_pid), 0);
	/* Stopped, it cannot act on the arbiter's end before it dies too. */
	cr_assert_eq(kill(sentinel, SIGSTOP), 0);
	h_signal(&pd, SIGKILL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert_eq(kill(sentinel, SIGKILL), 0);
	cr_assert(h_wait_gone(sentinel, H_WAIT_MS));
	cr_assert_eq(kill(node("setsid"), 0), 0, "nothing was left behind");
	cr_assert(!h_port_free(port), "the leftovers do not hold the port");
	aged[1].tv_sec = time(NULL) - 3600;
	cr_assert_eq(utimensat(AT_FDCWD, path, aged, 0), 0, "%s", path);

	h_teardown(&pd);
	h_setup(&pd);
	h_start_conf(&pd, "pool main {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  workers = 1\n}\n", port,
	    h_tworker_path());
	/* Serving means the port was freed.  Which poold removed the
	   subtree is not asked: any poold that starts sweeps every stale
	   one, and the suite runs others beside this test. */
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	for (size_t i = 0; i < 3; i++)
		cr_assert(h_wait_gone(kept[i], H_WAIT_MS), "pid %ld is left",
		    (long)kept[i]);
	cr_assert_neq(access(path, F_OK), 0, "%s is left", path);
}
