/* SPDX-License-Identifier: ISC */
/*
 * Signals to a running arbiter: TTIN/TTOU, HUP (reload, rolling, bad
 * config, pools added and removed), USR1 and WINCH.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

static struct poold pd;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(signals, .init = setup, .fini = teardown, .timeout = 60);

/* A one-pool config for tworker at port, with n workers. */
static void
write_conf(const char *path, const char *pool, int port, int n)
{
	char text[1024];

	snprintf(text, sizeof(text),
	    "pool %s {\n"
	    "  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--log\", \"%s\" }\n"
	    "  workers = %d\n"
	    "  max_workers = 8\n"
	    "  graceful_timeout = 5\n"
	    "  reopen_signal = \"USR1\"\n"
	    "}\n", pool, port, h_tworker_path(), pd.pd_wlog, n);
	h_write_file(path, text);
}

static void
start_with_conf(int port, int n, char *conf, size_t len)
{
	h_path(&pd, "poold.conf", conf, len);
	write_conf(conf, "web", port, n);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, (size_t)n, H_WAIT_MS),
	    "%d workers did not start", n);
	cr_assert(h_wait_count(pd.pd_wlog, "start", n, H_WAIT_MS));
}

Test(signals, ttin_and_ttou_move_the_target)
{
	char conf[H_PATH_MAX];

	start_with_conf(h_free_port(), 2, conf, sizeof(conf));
	h_signal(&pd, SIGTTIN);
	cr_assert(h_wait_children(&pd, 3, H_WAIT_MS), "TTIN: no third worker");
	cr_assert(h_wait_count(pd.pd_wlog, "start", 3, H_WAIT_MS));
	cr_assert_gt(h_worker_in_slot(&pd, 2), 0, "new worker not in slot 2");

	h_signal(&pd, SIGTTOU);
	cr_assert(h_wait_target(&pd, "web", 2, H_WAIT_MS));
	h_signal(&pd, SIGTTOU);
	cr_assert(h_wait_target(&pd, "web", 1, H_WAIT_MS));
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS), "TTOU: not down to 1");
	cr_assert(h_wait_exits(&pd, "web", "scaled_down", 2, H_WAIT_MS));
	cr_assert_eq(h_exits(&pd, "web", "scaled_down"), 2);
	/* min_workers is 1: a third TTOU changes nothing, and the log says
	   why (the line is the feature). */
	h_signal(&pd, SIGTTOU);
	cr_assert(h_wait_count(pd.pd_log, "target stays at 1", 1, H_WAIT_MS));
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
}

Test(signals, hup_rolls_every_worker_and_reads_the_file)
{
	char	conf[H_PATH_MAX];
	pid_t	before[2], after[8];
	size_t	n;
	int	port = h_free_port();

	start_with_conf(port, 2, conf, sizeof(conf));
	cr_assert_eq(h_children(pd.pd_pid, before, 2), 2);

	write_conf(conf, "web", port, 3);
	h_signal(&pd, SIGHUP);
	/* Two originals replaced plus one new slot: five starts. */
	cr_assert(h_wait_count(pd.pd_wlog, "start", 5, H_WAIT_MS));
	cr_assert(h_wait_count(pd.pd_wlog, "term", 2, H_WAIT_MS),
	    "old workers were not asked to stop");
	cr_assert(h_wait_children(&pd, 3, H_WAIT_MS));
	n = h_children(pd.pd_pid, after, 8);
	for (size_t i = 0; i < n; i++)
		cr_assert(after[i] != before[0] && after[i] != before[1],
		    "worker %ld survived the reload", (long)after[i]);
	cr_assert(h_wait_exits(&pd, "web", "reload", 2, H_WAIT_MS));
}

Test(signals, hup_with_a_bad_config_keeps_the_running_one)
{
	char	conf[H_PATH_MAX];
	pid_t	before[2], after[2];

	start_with_conf(h_free_port(), 2, conf, sizeof(conf));
	cr_assert_eq(h_children(pd.pd_pid, before, 2), 2);
	h_write_file(conf, "pool web {\n  workers = lots\n}\n");
	h_signal(&pd, SIGHUP);
	cr_assert(h_wait_count(pd.pd_log, "reload failed", 1, H_WAIT_MS));
	cr_assert(h_log_has(&pd, "poold.conf:2"),
	    "the error does not name the file and line");
	cr_assert_eq(h_children(pd.pd_pid, after, 2), 2);
	cr_assert(after[0] == before[0] || after[0] == before[1]);
	cr_assert(after[1] == before[0] || after[1] == before[1]);
	cr_assert_eq(h_count(pd.pd_wlog, "term"), 0);
}

/* What only a restart changes is kept, and the reload says so: the
   pidfile USR2 renames is the one that was written. */
Test(signals, hup_keeps_what_only_a_restart_changes)
{
	char	conf[H_PATH_MAX], pid2[H_PATH_MAX], text[2048];
	char	reply[H_REPORT_MAX];
	int	port = h_free_port();

	start_with_conf(port, 1, conf, sizeof(conf));
	h_path(&pd, "other.pid", pid2, sizeof(pid2));
	snprintf(text, sizeof(text), "pidfile = \"%s\"\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n}\n", pid2, port, h_tworker_path());
	h_write_file(conf, text);
	h_signal(&pd, SIGHUP);
	cr_assert(h_wait_count(pd.pd_log, "not on a reload", 1, H_WAIT_MS),
	    "the reload did not say what it kept");
	cr_assert_eq(h_ctl(&pd, "config", reply, sizeof(reply)), 0);
	cr_assert(strstr(reply, "other.pid") == NULL,
	    "config shows a pidfile not in force: %s", reply);
	cr_assert(access(pid2, F_OK) == -1);
}

Test(signals, hup_adds_and_removes_pools)
{
	char	conf[H_PATH_MAX], report[H_REPORT_MAX];
	int	port_a = h_free_port(), port_b = h_free_port();

	start_with_conf(port_a, 1, conf, sizeof(conf));
	write_conf(conf, "api", port_b, 2);
	h_signal(&pd, SIGHUP);
	cr_assert(h_wait_target(&pd, "api", 2, H_WAIT_MS), "api not added");
	cr_assert(h_wait_target(&pd, "web", -1, H_WAIT_MS), "web not removed");
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port_b, report, sizeof(report)), 0);
	cr_assert(strstr(report, "pool=api") != NULL, "%s", report);
	cr_assert(h_wait_port_free(port_a, H_WAIT_MS),
	    "removed pool's port still bound");
}

Test(signals, usr1_reaches_every_worker)
{
	char conf[H_PATH_MAX];

	start_with_conf(h_free_port(), 3, conf, sizeof(conf));
	/* Workers still starting are not signalled (they may not have a
	   handler yet): wait until all three are ready. */
	cr_assert(h_wait_ready(&pd, 3, H_WAIT_MS));
	h_signal(&pd, SIGUSR1);
	cr_assert(h_wait_count(pd.pd_wlog, "usr1", 3, H_WAIT_MS),
	    "USR1 not passed on to all three workers");
	cr_assert(h_log_has(&pd, "reopened log files"));
	cr_assert_eq(h_children(pd.pd_pid, NULL, 0), 3);
}

Test(signals, winch_stops_workers_and_keeps_the_arbiter)
{
	char conf[H_PATH_MAX];

	start_with_conf(h_free_port(), 2, conf, sizeof(conf));
	h_signal(&pd, SIGWINCH);
	cr_assert(h_wait_children(&pd, 0, H_WAIT_MS), "workers still up");
	cr_assert_eq(kill(pd.pd_pid, 0), 0, "the arbiter exited");
	h_signal(&pd, SIGTTIN);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS), "TTIN after WINCH");
}

/* A terminal's resize sends WINCH to poold in its foreground; that one
   is ignored, while WINCH sent by a process still stops the workers. */
Test(signals, winch_from_a_terminal_resize_is_ignored)
{
	struct winsize	ws = { .ws_row = 40, .ws_col = 100 };
	int		master, slave;
	char		bind[32];

	cr_assert_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	cr_assert_gt(slave, 2);
	pd.pd_tty = slave;
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-b", bind, "-w", "2", "--log-level", "debug",
	    "--", h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	close(slave);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	cr_assert_eq(ioctl(master, TIOCSWINSZ, &ws), 0);
	cr_assert(h_wait_count(pd.pd_log, "from the terminal", 1, H_WAIT_MS),
	    "the resize did not reach poold");
	cr_assert_eq(h_children(pd.pd_pid, NULL, 0), 2);
	h_signal(&pd, SIGWINCH);
	cr_assert(h_wait_children(&pd, 0, H_WAIT_MS),
	    "WINCH from a process did not stop the workers");
	close(master);
}

/* Ctrl-C at poold's terminal is someone who wants it gone: a quick stop,
   though INT from a process drains (test_container). */
Test(signals, ctrl_c_at_the_terminal_is_a_quick_stop)
{
	int	master, slave, status;
	char	bind[32];

	cr_assert_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	cr_assert_gt(slave, 2);
	pd.pd_tty = slave;
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-b", bind, "-w", "2", "--", h_tworker_path(),
	    NULL };
	h_start(&pd, args, NULL);
	close(slave);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	cr_assert_eq(write(master, "\003", 1), 1);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status), "Ctrl-C did not stop "
	    "poold");
	cr_assert(h_log_has(&pd, "signal INT from the terminal: quick stop"));
	close(master);
}

Test(signals, usr1_reopens_a_rotated_log)
{
	char	bind[32], logf[H_PATH_MAX], rotated[H_PATH_MAX];

	h_path(&pd, "error.log", logf, sizeof(logf));
	h_path(&pd, "error.log.1", rotated, sizeof(rotated));
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "--error-logfile", logf, "-b", bind, "-w", "1",
	    "--", h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_count(logf, "started (pid", 1, H_WAIT_MS));
	cr_assert_eq(rename(logf, rotated), 0);
	h_signal(&pd, SIGUSR1);
	cr_assert(h_wait_count(logf, "reopened log files", 1, H_WAIT_MS),
	    "no new log file after USR1");
	h_signal(&pd, SIGTTIN);
	cr_assert(h_wait_count(logf, "target 1 -> 2", 1, H_WAIT_MS),
	    "lines still go to the rotated file");
	cr_assert_eq(h_count(rotated, "target 1 -> 2"), 0);
}

Test(signals, hup_moves_a_pool_to_a_new_address)
{
	char	conf[H_PATH_MAX], report[H_REPORT_MAX];
	int	port_a = h_free_port(), port_b = h_free_port();

	start_with_conf(port_a, 1, conf, sizeof(conf));
	write_conf(conf, "web", port_b, 1);
	h_signal(&pd, SIGHUP);
	cr_assert(h_wait_count(pd.pd_wlog, "term", 1, H_WAIT_MS),
	    "the worker on the old address was not retired");
	cr_assert_eq(h_query_tcp(port_b, report, sizeof(report)), 0);
	cr_assert(strstr(report, "pool=web") != NULL, "%s", report);
	cr_assert(h_wait_port_free(port_a, H_WAIT_MS),
	    "old address still bound");
}
