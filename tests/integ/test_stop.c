/* SPDX-License-Identifier: ISC */
/*
 * Stopping: TERM is graceful and escalates to SIGKILL after
 * graceful_timeout, and so does INT from a process; QUIT is quick;
 * pidfile and -D.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

static struct poold pd;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(stop, .init = setup, .fini = teardown, .timeout = 60);

static void
start(int nworkers, const char *graceful, bool ignore_term,
    const char *extra, const char *extra_arg)
{
	char	bind[32], w[8];
	const char *args[20];
	size_t	n = 0;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	snprintf(w, sizeof(w), "%d", nworkers);
	args[n++] = "-b"; args[n++] = bind;
	args[n++] = "-w"; args[n++] = w;
	args[n++] = "--graceful-timeout"; args[n++] = graceful;
	if (extra != NULL) {
		args[n++] = extra;
		args[n++] = extra_arg;
	}
	args[n++] = "--";
	args[n++] = h_tworker_path();
	args[n++] = "--log";
	args[n++] = pd.pd_wlog;
	if (ignore_term)
		args[n++] = "--ignore-term";
	args[n] = NULL;
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, (size_t)nworkers, H_WAIT_MS));
	/* tworker logs "start" once its signal dispositions are set: a
	   stop signal before that would meet the defaults. */
	cr_assert(h_wait_count(pd.pd_wlog, "start", nworkers, H_WAIT_MS));
}

static void
assert_clean_exit(int status)
{
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "poold ended with status 0x%x", status);
}

/* sig stops poold gracefully: every worker exits on its own, and the
   socket file goes. */
static void
graceful_stop(int sig)
{
	char	 sock[H_PATH_MAX], ubind[300];
	int	 status, fd;
	json_t	*ev;

	snprintf(ubind, sizeof(ubind), "unix:%s",
	    h_path(&pd, "s.sock", sock, sizeof(sock)));
	start(3, "30", false, "-b", ubind);
	cr_assert_eq(access(sock, F_OK), 0);
	fd = h_subscribe(&pd);
	h_signal(&pd, sig);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	assert_clean_exit(status);
	ev = h_events_read(fd, H_WAIT_MS);
	close(fd);
	cr_assert_eq(h_events_match(ev, "stopping", "mode", "graceful"), 1);
	cr_assert_eq(h_events_match(ev, "exited", "end", "pool_stopping"), 3);
	cr_assert_eq(h_events_match(ev, "exited", "status", "exited"), 3);
	cr_assert_eq(h_events_match(ev, "signalled", "signal", "KILL"), 0);
	json_decref(ev);
	cr_assert_neq(access(sock, F_OK), 0, "socket file left behind");
}

Test(stop, term_is_graceful) { graceful_stop(SIGTERM); }
/* INT from a process is an orchestrator's stop (Nomad's kill_signal):
   graceful, as drain_signals has it by default; Ctrl-C at the terminal
   is quick (test_signals). */
Test(stop, int_from_a_process_is_graceful) { graceful_stop(SIGINT); }

Test(stop, term_escalates_to_sigkill_after_graceful_timeout)
{
	int	 status, fd;
	json_t	*ev;

	start(2, "0.5", true, NULL, NULL);
	fd = h_subscribe(&pd);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, 10000, &status),
	    "workers ignoring TERM kept the arbiter alive");
	assert_clean_exit(status);
	ev = h_events_read(fd, H_WAIT_MS);
	close(fd);
	cr_assert_eq(h_events_match(ev, "signalled", "signal", "KILL"), 2);
	cr_assert_eq(h_events_match(ev, "exited", "signal", "KILL"), 2);
	json_decref(ev);
}

static void
quick_stop(int sig)
{
	int	 status, fd;
	long	 t0;
	json_t	*ev;

	/* graceful_timeout of 60 s: only the quick path ends this soon. */
	start(2, "60", true, NULL, NULL);
	fd = h_subscribe(&pd);
	t0 = h_now_ms();
	h_signal(&pd, sig);
	/* "Within a second" plus slack for a loaded 2-core machine; far
	   from the 60 s a graceful stop would take. */
	cr_assert(h_wait_exit(&pd, 5000, &status), "quick stop hung");
	assert_clean_exit(status);
	cr_assert_lt(h_now_ms() - t0, 5000);
	ev = h_events_read(fd, H_WAIT_MS);
	close(fd);
	cr_assert_eq(h_events_match(ev, "stopping", "mode", "quick"), 1);
	cr_assert_eq(h_events_match(ev, "exited", "signal", "KILL"), 2);
	json_decref(ev);
}

Test(stop, quit_is_quick) { quick_stop(SIGQUIT); }

Test(stop, pidfile_lives_as_long_as_the_arbiter)
{
	char	pidfile[H_PATH_MAX], buf[32];
	FILE	*f;
	int	status;

	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	start(1, "5", false, "-p", pidfile);
	cr_assert_not_null(f = fopen(pidfile, "r"));
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_eq(strtol(buf, NULL, 10), pd.pd_pid);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	assert_clean_exit(status);
	cr_assert_neq(access(pidfile, F_OK), 0, "pidfile left behind");
}

Test(stop, daemon_detaches_and_writes_its_pid)
{
	char	pidfile[H_PATH_MAX], buf[32], bind[32], logf[H_PATH_MAX];
	FILE	*f;
	pid_t	daemon_pid;
	int	status;

	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	h_path(&pd, "daemon.log", logf, sizeof(logf));
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-D", "-p", pidfile, "--error-logfile", logf,
	    "-b", bind, "-w", "1", "--", h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status),
	    "the foreground process did not return");
	assert_clean_exit(status);
	/* The first process returns only once the pidfile is there. */
	cr_assert_eq(access(pidfile, F_OK), 0, "returned before the pidfile");
	cr_assert_not_null(f = fopen(pidfile, "r"));
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	daemon_pid = (pid_t)strtol(buf, NULL, 10);
	cr_assert_gt(daemon_pid, 0);
	pd.pd_daemon = daemon_pid;
	cr_assert_neq(daemon_pid, pd.pd_pid, "did not detach");
	cr_assert(h_wait_count(logf, "started (pid", 1, H_WAIT_MS));
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_assert(h_wait_gone(daemon_pid, H_WAIT_MS), "daemon did not stop");
	cr_assert(h_wait_count(logf, "exiting", 1, H_WAIT_MS));
}

/* A daemon that fails after detaching (here: its pidfile cannot be
   written) makes the command that started it fail, not succeed. */
Test(stop, daemon_that_fails_to_start_fails_the_command)
{
	char	bind[32];
	int	status;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-D", "-p", "/nonexistent/poold.pid", "-b", bind,
	    "-w", "1", "--", h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status),
	    "the foreground process did not return");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0,
	    "a failed start reported success");
	/* The reason, not "see its log" (it has none). */
	cr_assert(h_log_has(&pd, "pidfile /nonexistent/poold.pid: No such "
	    "file"));
}

/*
 * With a log file, a start that fails still says why where the command
 * was typed, with -D or without: the log took fd 2, so before this the
 * terminal saw nothing.
 */
Test(stop, failed_start_with_a_log_file_says_why_on_stderr)
{
	char	bind[32], logf[H_PATH_MAX];
	int	status, busy, port;

	busy = h_listener(&port);
	h_path(&pd, "error.log", logf, sizeof(logf));
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", port);
	for (int daemon = 0; daemon <= 1; daemon++) {
		const char *args[] = { "-D", "--error-logfile", logf, "-b",
		    bind, "--", h_tworker_path(), NULL };
		h_start(&pd, daemon ? args : args + 1, NULL);
		cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
		cr_assert_eq(h_count(pd.pd_log, "Address already in use"), 1,
		    "not on stderr (-D: %d)", daemon);
		cr_assert_eq(h_count(logf, "Address already in use"), 1,
		    "not in the log (-D: %d)", daemon);
		h_teardown(&pd);
		h_setup(&pd);
		h_path(&pd, "error.log", logf, sizeof(logf));
	}
	close(busy);
}

/* -D returns once the workers are ready; if they all fail to boot, it
   fails with the reason, and the daemon runs on, retrying. */
Test(stop, daemon_whose_workers_never_boot_fails_the_command)
{
	char	bind[32], pidfile[H_PATH_MAX], buf[32];
	FILE	*f;
	int	status;

	h_path(&pd, "poold.pid", pidfile, sizeof(pidfile));
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-D", "-p", pidfile, "-b", bind, "-w", "1",
	    "--", "/bin/false", NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0,
	    "-D reported success");
	cr_assert(h_log_has(&pd, "its workers failed to boot"));
	cr_assert(h_log_has(&pd, "exited with code 1"), "no exit reason");
	cr_assert_not_null(f = fopen(pidfile, "r"));
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_gt(pd.pd_daemon = (pid_t)strtol(buf, NULL, 10), 0);
	cr_assert_eq(kill(pd.pd_daemon, 0), 0, "the daemon gave up");
}

/* A slot whose workers keep failing shows why in `poolctl workers`. */
Test(stop, workers_shows_the_last_exit_of_an_empty_slot)
{
	char	reply[H_REPORT_MAX];
	bool	shown = false;

	h_start_conf(&pd, "pool main {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/bin/false\" }\n  workers = 1\n}\n",
	    h_free_port());
	for (long t0 = h_now_ms(); !shown && h_now_ms() - t0 < H_WAIT_MS; ) {
		cr_assert_eq(h_ctl(&pd, "workers", reply, sizeof(reply)), 0);
		if (!(shown = strstr(reply, "\"empty\"") != NULL))
			usleep(20000);
	}
	cr_assert(shown, "%s", reply);
	cr_assert(strstr(reply, "\"last_exit\"") != NULL, "%s", reply);
}
