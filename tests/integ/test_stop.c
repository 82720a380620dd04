/*
 * Stopping: TERM is graceful and escalates to SIGKILL after
 * graceful_timeout; INT and QUIT are quick; pidfile and -D.
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

Test(stop, term_is_graceful)
{
	char	 sock[H_PATH_MAX], ubind[300];
	int	 status, fd;
	json_t	*ev;

	snprintf(ubind, sizeof(ubind), "unix:%s",
	    h_path(&pd, "s.sock", sock, sizeof(sock)));
	start(3, "30", false, "-b", ubind);
	cr_assert_eq(access(sock, F_OK), 0);
	fd = h_subscribe(&pd);
	h_signal(&pd, SIGTERM);
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

Test(stop, int_is_quick) { quick_stop(SIGINT); }
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
	cr_assert(h_log_has(&pd, "the daemon did not start"));
}
