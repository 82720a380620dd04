/* SPDX-License-Identifier: ISC */
/*
 * Worker health end to end: readiness by READY=1, the boot timeout, the
 * watchdog for exec workers (WATCHDOG=1) and built-in ones (the
 * scoreboard heartbeat), recycling (max_requests, max_lifetime, max_rss,
 * a worker's own request), rolling restarts under load, and the notify
 * socket refusing what is not a worker's.  tworker speaks the notify
 * protocol as sd_notify(3) would; tests/data/pyworker.py as a Python
 * program using python3-systemd does.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "notifymsg.h"
#include "loadgen.h"
#include "hjson.h"

static struct poold pd;
static int port;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(health, .init = setup, .fini = teardown, .timeout = 60);

/* poold with one pool "web" on a free port: its section's body is
   fmt, where the port's %d comes first. */
static void __attribute__((format(printf, 1, 2)))
start_pool(const char *fmt, ...)
{
	char	body[1536];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	h_start_conf(&pd, "pool web {\n%s}\n", body);
}

/* poold with one exec pool "web" of n tworkers given targs, and extra
   lines in the pool section. */
static void
start(int n, const char *targs, const char *extra)
{
	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--log\", \"%s\"%s }\n"
	    "  workers = %d\n  graceful_timeout = 5\n%s",
	    port, h_tworker_path(), pd.pd_wlog, targs, n, extra);
}

static json_t *
ctl(const char *request)
{
	return h_ctl_json(&pd, request);
}

/* The first worker of "workers", a new reference. */
static json_t *
first_worker(void)
{
	json_t *r = ctl("workers"), *w;

	w = json_array_get(json_object_get(r, "workers"), 0);
	cr_assert_not_null(w, "no worker");
	json_incref(w);
	json_decref(r);
	return w;
}

/* How the first worker's slot last ended (poolctl workers' LAST EXIT)
   names needle: a signal, say. */
static void
assert_last_exit(const char *needle)
{
	json_t		*w;
	const char	*note;

	/* After a failed boot, the slot waits out its backoff. */
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS), "not replaced");
	w = first_worker();
	note = json_string_value(json_object_get(w, "last_exit"));

	cr_assert_not_null(note, "no last_exit");
	cr_assert(strstr(note, needle) != NULL, "%s", note);
	json_decref(w);
}

Test(health, ready_notify_waits_for_ready_message)
{
	json_t *w;

	start(1, ", \"--ready-after\", \"300\"", "  ready = \"notify\"\n");
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS), "no READY=1 seen");
	w = first_worker();
	cr_assert(json_is_true(json_object_get(w, "ready")));
	cr_assert_str_eq(json_string_value(json_object_get(w, "status")),
	    "tworker ready");
	json_decref(w);
}

/* A program that calls libsystemd's sd_notify() needs nothing else. */
Test(health, libsystemd_sd_notify_works_unchanged)
{
	start(1, ", \"--libsystemd\", \"--ready-after\", \"0\", "
	    "\"--watchdog\"", "  ready = \"notify\"\n  timeout = 1\n");
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS),
	    "sd_notify's READY=1 not seen");
	cr_assert(h_wait_count(pd.pd_wlog, "WATCHDOG=1", 6, H_WAIT_MS));
	cr_assert_eq(h_exits(&pd, "web", "watchdog"), 0);
}

/* As systemd at TimeoutStartSec=: the stop signal, which the worker may
   handle (finish what it accepted, exit), and only then SIGKILL. */
Test(health, not_ready_within_boot_timeout_is_a_failed_boot)
{
	start(1, "", "  ready = \"notify\"\n  boot_timeout = 0.3\n");
	cr_assert(h_wait_exits(&pd, "web", "boot_timeout", 1, H_WAIT_MS),
	    "never stopped");
	assert_last_exit("exited with code 0");
	cr_assert_geq(h_count(pd.pd_wlog, "term"), 1, "no SIGTERM first");
}

/*
 * ready = fd, s6's protocol: the worker writes a newline to its
 * notification_fd.  The pipe is there and nothing else is: the fds are
 * 0-2, the listener at 3 and the pipe at 5 (4 closed).
 */
Test(health, ready_fd_takes_a_newline)
{
	char report[H_REPORT_MAX], cmd[512];

	port = h_free_port();
	snprintf(cmd, sizeof(cmd), "echo >&5; exec %s", h_tworker_path());
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  command = { \"/bin/sh\","
	    " \"-c\", \"%s\" }\n  workers = 1\n  ready = \"fd\"\n"
	    "  notification_fd = 5\n  boot_timeout = 5\n", port, cmd);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS), "the newline did not count");
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	cr_assert_not_null(strstr(report, " fds=0,1,2,3,5 "), "%s", report);
}

/* Without the newline, boot_timeout applies as with notify. */
Test(health, ready_fd_without_a_newline_times_out)
{
	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  command = { \"%s\" }\n"
	    "  workers = 1\n  ready = \"fd\"\n  notification_fd = 4\n"
	    "  boot_timeout = 0.3\n", port, h_tworker_path());
	cr_assert(h_wait_exits(&pd, "web", "boot_timeout", 1, H_WAIT_MS));
}

/* One that ignores the stop signal is killed after the grace. */
Test(health, boot_timeout_kills_a_worker_that_ignores_the_stop_signal)
{
	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  command = { \"%s\", "
	    "\"--ignore-term\" }\n  workers = 1\n  graceful_timeout = 0.3\n"
	    "  ready = \"notify\"\n  boot_timeout = 0.3\n", port,
	    h_tworker_path());
	cr_assert(h_wait_exits(&pd, "web", "boot_timeout", 1, H_WAIT_MS),
	    "never killed");
	assert_last_exit("SIGKILL");
}

/* A reload whose workers never get ready leaves the old ones serving. */
Test(health, reload_keeps_old_workers_until_new_ones_are_ready)
{
	char	conf[H_PATH_MAX], text[2048];
	pid_t	old;

	start(1, ", \"--ready-after\", \"0\"",
	    "  ready = \"notify\"\n  boot_timeout = 0.5\n");
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	old = h_worker_in_slot(&pd, 0);
	/* The same pool, now with workers that never say READY=1. */
	snprintf(text, sizeof(text),
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  ready = \"notify\"\n"
	    "  boot_timeout = 0.5\n}\n", port, h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	json_decref(ctl("reload"));
	cr_assert(h_wait_exits(&pd, "web", "boot_timeout", 2, H_WAIT_MS),
	    "new workers not killed for silence");
	cr_assert_eq(kill(old, 0), 0, "the old worker is gone");
	cr_assert_eq(h_exits(&pd, "web", "reload"), 0);
}

Test(health, exec_watchdog_kept_alive_by_watchdog_messages)
{
	pid_t w;

	start(1, ", \"--watchdog\"", "  timeout = 1\n");
	w = h_worker_in_slot(&pd, 0);
	/* Four WATCHDOG=1 per timeout: 12 of them is three timeouts. */
	cr_assert(h_wait_count(pd.pd_wlog, "WATCHDOG=1", 12, H_WAIT_MS),
	    "tworker sent no WATCHDOG=1");
	cr_assert_eq(h_exits(&pd, "web", "watchdog"), 0);
	cr_assert_eq(h_worker_in_slot(&pd, 0), w, "worker replaced");
}

Test(health, exec_watchdog_aborts_a_silent_worker)
{
	start(1, "", "  timeout = 0.3\n");
	cr_assert(h_wait_exits(&pd, "web", "watchdog", 1, H_WAIT_MS),
	    "silent worker not aborted");
	/* Replaced: a second worker starts, and is aborted in its turn. */
	cr_assert(h_wait_count(pd.pd_wlog, "start", 2, H_WAIT_MS));
	/* Its slot says how the first one ended. */
	json_t *w = first_worker();
	const char *note = json_string_value(json_object_get(w,
	    "last_exit"));
	cr_assert_not_null(note, "no last_exit");
	cr_assert(strstr(note, "SIGABRT") && strstr(note, "watchdog timeout"),
	    "%s", note);
	json_decref(w);
}

Test(health, watchdog_trigger_aborts_at_once)
{
	start(1, ", \"--notify\", \"WATCHDOG=trigger\"", "");
	cr_assert(h_wait_exits(&pd, "web", "watchdog_trigger", 1, H_WAIT_MS));
	assert_last_exit("SIGABRT");
}

/*
 * An app module stuck in its handler stops the worker's heartbeat; for
 * gthread, although its poller and other threads go on.
 */
static void
stuck_handler_is_aborted(const char *klass, const char *threads)
{
	char	 buf[256];
	bool	 closed;
	int	 fd;
	const char *app = getenv("POOLD_APP_EXAMPLE"), *args[16];
	size_t	 n = 0;

	cr_assert_not_null(app, "POOLD_APP_EXAMPLE not set");
	port = h_free_port();
	snprintf(buf, sizeof(buf), "127.0.0.1:%d", port);
	args[n++] = "-k";
	args[n++] = klass;
	if (threads != NULL) {
		args[n++] = "--threads";
		args[n++] = threads;
	}
	for (const char *const *a = (const char *const[]){ "-b", buf, "-w",
	    "1", "-t", "2", "--app", app, NULL }; *a != NULL; a++)
		args[n++] = *a;
	args[n] = NULL;
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	fd = -1;
	for (int i = 0; i < 100 && fd == -1; i++)
		fd = h_tcp_connect(port);
	cr_assert_neq(fd, -1);
	cr_assert_eq(h_send(fd, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n",
	    31), 0);
	h_recv(fd, buf, sizeof(buf), NULL, 0, 3 * H_WAIT_MS / 2, &closed);
	cr_assert(closed, "a hung worker kept the connection");
	close(fd);
	cr_assert(h_wait_exits(&pd, "main", "watchdog", 1, H_WAIT_MS));
}

Test(health, builtin_worker_stuck_in_a_handler_is_aborted)
{
	stuck_handler_is_aborted("sync", NULL);
}

Test(health, gthread_thread_stuck_in_a_handler_is_aborted)
{
	stuck_handler_is_aborted("gthread", "4");
}

/*
 * Built-in workers that start together all say READY=1: the notify
 * socket's queue holds net.unix.max_dgram_qlen datagrams (10 where
 * systemd does not raise it), and a worker that found it full dropped
 * its READY=1 and waited out the boot window.
 */
Test(health, builtin_workers_started_together_all_say_ready)
{
	enum { N = 48 };

	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  worker = \"sync\"\n"
	    "  workers = %d\n", port, N);
	cr_assert(h_wait_ready(&pd, N, H_WAIT_MS), "not all ready");
	cr_assert(!h_log_has(&pd, "telling the arbiter it is ready"),
	    "a READY=1 was lost");
	cr_assert_eq(h_count(pd.pd_log, " ready after "), N);
}

/* Datagrams from other processes, and oversized ones, change nothing. */
Test(health, notify_socket_refuses_strangers)
{
	struct sockaddr_un	 sa;
	socklen_t		 sl;
	json_t			*r, *n;
	const char		*addr;
	static char		 big[5000];
	int			 fd;

	start(1, "", "  ready = \"notify\"\n");
	r = ctl("status");
	n = json_object_get(r, "notify");
	cr_assert_not_null(addr = json_string_value(json_object_get(n,
	    "socket")));
	cr_assert_neq(sl = notify_sockaddr(addr, &sa), 0, "%s", addr);
	cr_assert_neq(fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), -1);
	cr_assert_eq(sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sl),
	    7);
	memset(big, 'x', sizeof(big));
	cr_assert_eq(sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&sa,
	    sl), (ssize_t)sizeof(big));
	close(fd);
	json_decref(r);
	for (int i = 0; i < H_WAIT_MS / 10; i++) {
		r = ctl("status");
		n = json_object_get(r, "notify");
		if (json_integer_value(json_object_get(n, "dropped")) == 1 &&
		    json_integer_value(json_object_get(n, "refused")) == 1)
			break;
		json_decref(r);
		r = NULL;
		usleep(10000);
	}
	cr_assert_not_null(r, "stranger's datagrams not counted");
	json_decref(r);
	r = first_worker();
	cr_assert(json_is_false(json_object_get(r, "ready")),
	    "a stranger's READY=1 made a worker ready");
	json_decref(r);
}

/* -- recycling and rolling replacement ------------------------------------- */

/* The workers reply's entry for slot 0's running worker, or NULL. */
static json_t *
running_in_slot0(json_t *r)
{
	json_t	*w;
	size_t	 i;

	json_array_foreach(json_object_get(r, "workers"), i, w) {
		if (json_integer_value(json_object_get(w, "id")) == 0 &&
		    strcmp(json_string_value(json_object_get(w, "state")),
		    "running") == 0)
			return w;
	}
	return NULL;
}

/* The pid of slot 0's running worker (built-in pools have no worker
   log to read it from). */
static json_int_t
slot0_pid(void)
{
	json_t		*r = ctl("workers"), *w;
	json_int_t	 pid;

	cr_assert_not_null(w = running_in_slot0(r), "no running worker 0");
	pid = json_integer_value(json_object_get(w, "pid"));
	json_decref(r);
	return pid;
}

/*
 * max_requests: the worker that reaches it keeps serving while its
 * replacement starts; every request of the test is answered, and the
 * slot then says why its worker was retired.
 */
Test(health, max_requests_recycles_without_a_gap)
{
	long	 first, pid = 0, tick = 0;
	int	 fails = 0, n = 0;
	json_t	*r, *w;
	const char *note;

	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n  max_requests = 5\n", port);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	for (int i = 0; i < 100 && (first = h_hello_pid(port)) == -1; i++)
		usleep(10000);
	cr_assert_gt(first, 0, "no reply");
	for (long t0 = h_now_ms(); h_now_ms() - t0 < 3 * H_WAIT_MS &&
	    n < 200000; n++) {
		h_pace(&pd, &tick);
		if ((pid = h_hello_pid(port)) == -1)
			fails++;
		else if (pid != first &&
		    h_exits(&pd, "web", "max_requests") > 0)
			break;
	}
	cr_assert_eq(fails, 0, "%d of %d requests failed", fails, n);
	cr_assert_neq(pid, first, "never recycled after %d requests", n);
	cr_assert(h_wait_gone((pid_t)first, H_WAIT_MS));
	r = ctl("workers");
	cr_assert_not_null(w = running_in_slot0(r));
	cr_assert_not_null(note = json_string_value(json_object_get(w,
	    "last_exit")));
	cr_assert(strstr(note, "recycled after max_requests"), "%s", note);
	cr_assert_gt(json_integer_value(json_object_get(w, "rss_kib")), 0);
	json_decref(r);
}

/*
 * One client asking as fast as it can, on a new connection each time or
 * on one kept alive (reconnecting when told Connection: close): how many
 * answers came from the pool's first worker before another answered.
 * Every request must be answered.
 */
static int
answers_before_replacement(bool keepalive)
{
	char	 buf[1024];
	long	 first = -1, pid;
	int	 fd = -1, count = 0, fails = 0, n = 0;
	bool	 closed;
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	for (long t0 = h_now_ms(); h_now_ms() - t0 < 3 * H_WAIT_MS &&
	    n < 100000; n++) {
		if (!keepalive)
			pid = h_hello_pid(port);
		else {
			if (fd == -1 && (fd = h_tcp_connect(port)) == -1) {
				fails++;
				continue;
			}
			pid = -1;
			if (h_send(fd, req, sizeof(req) - 1) == 0) {
				h_recv(fd, buf, sizeof(buf), ", pid ", 1,
				    H_WAIT_MS, &closed);
				pid = h_reply_pid(buf);
			}
			if (pid == -1 || closed ||
			    strstr(buf, "Connection: close\r\n") != NULL) {
				close(fd);
				fd = -1;
			}
		}
		if (pid == -1)
			fails++;
		else if (first == -1 || pid == first) {
			first = pid;
			count++;
		} else
			break;
	}
	if (fd != -1)
		close(fd);
	cr_assert_eq(fails, 0, "%d of %d requests failed", fails, n);
	cr_assert_gt(first, 0, "no answer");
	cr_assert(h_wait_gone((pid_t)first, H_WAIT_MS), "never replaced");
	return count;
}

/*
 * max_requests keeps its word: a busy worker answers at most
 * max_requests + ceil(max_requests / 10), plus the request in progress
 * on a kept-alive connection, plus what it finds in the listen queue when
 * told to stop (one connection, with one client), while its replacement
 * starts.  It served dozens more before, as fast as the client could ask
 * until the replacement was ready.
 */
static void
max_requests_bound(const char *class, bool keepalive)
{
	int count;

	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  worker = %s\n"
	    "  workers = 1\n  max_requests = 20\n", port, class);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	count = answers_before_replacement(keepalive);
	cr_assert_leq(count, 20 + 2 + 1 + 1, "%s%s: %d answers from the first "
	    "worker", class, keepalive ? " (keep-alive)" : "", count);
	cr_assert_geq(count, 20, "%s: replaced after %d", class, count);
}

Test(health, max_requests_bound_sync)
{
	max_requests_bound("sync", false);
}

Test(health, max_requests_bound_gthread)
{
	max_requests_bound("gthread", false);
}

Test(health, max_requests_bound_async)
{
	max_requests_bound("async", false);
}

Test(health, max_requests_bound_keepalive_gthread)
{
	max_requests_bound("gthread", true);
}

Test(health, max_requests_bound_keepalive_async)
{
	max_requests_bound("async", true);
}

/*
 * The reply that reaches max_requests ends its keep-alive connection:
 * the arbiter may retire the worker as soon as the replacement is ready,
 * and a stopping worker closes its idle keep-alive connections, under a
 * client whose next request may be on its way (a test above lost one
 * such request in three runs).  Replies said so only once the worker
 * held, a tenth of max_requests later.
 */
static void
limit_reply_closes(const char *class)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	char	buf[1024];
	bool	closed;
	int	fd;

	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  worker = %s\n"
	    "  workers = 1\n  max_requests = 5\n", port, class);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	cr_assert_neq(fd = h_tcp_connect(port), -1);
	for (int i = 1; i <= 5; i++) {
		cr_assert_eq(h_send(fd, req, sizeof(req) - 1), 0);
		h_recv(fd, buf, sizeof(buf), ", pid ", 1, H_WAIT_MS, &closed);
		cr_assert_gt(h_reply_pid(buf), 0, "reply %d: %s", i, buf);
		cr_assert_eq(strstr(buf, "Connection: close\r\n") != NULL,
		    i == 5, "reply %d: %s", i, buf);
	}
	close(fd);
}

Test(health, max_requests_reply_closes_async)
{
	limit_reply_closes("async");
}

Test(health, max_requests_reply_closes_gthread)
{
	limit_reply_closes("gthread");
}

/*
 * The hold is no outage: when the replacement cannot start (its app
 * module broken since the first worker loaded it), the held worker
 * serves again and every request is answered.
 */
Test(health, max_requests_hold_ends_without_a_replacement)
{
	char	 app[H_PATH_MAX], buf[256];
	const char *src = getenv("POOLD_APP_EXAMPLE");
	json_int_t first;
	int	 spawns = 0;

	src = src != NULL && *src != '\0' ? src : "examples/hello_app.so";
	cr_assert_not_null(realpath(src, buf), "%s", src);
	h_path(&pd, "app.so", app, sizeof(app));
	cr_assert_eq(symlink(buf, app), 0, "%s", strerror(errno));
	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n  worker = async\n"
	    "  workers = 1\n  max_requests = 10\n  app = \"%s\"\n", port, app);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	first = slot0_pid();
	/* What it loaded stays mapped; a new worker finds no module. */
	cr_assert_eq(unlink(app), 0);
	h_write_file(app, "not a module\n");
	for (int i = 0; i < 40; i++)
		cr_assert_eq(h_http(port, "GET /", buf, sizeof(buf)), 200,
		    "request %d failed", i);
	for (long t0 = h_now_ms(); h_now_ms() - t0 < H_WAIT_MS &&
	    (spawns = h_spawns(&pd, "web")) < 2; )
		usleep(10000);
	cr_assert_geq(spawns, 2, "no replacement was tried");
	cr_assert_eq(slot0_pid(), first, "the held worker left");
}

Test(health, max_lifetime_recycles_exec_workers)
{
	pid_t old;

	start(1, "", "  max_lifetime = 1\n");
	old = h_worker_in_slot(&pd, 0);
	cr_assert(h_wait_exits(&pd, "web", "max_lifetime", 1, 3 * H_WAIT_MS),
	    "not recycled");
	cr_assert(h_wait_gone(old, H_WAIT_MS));
	cr_assert_neq(h_worker_in_slot(&pd, 0), old);
}

Test(health, max_rss_recycles_a_leaking_worker)
{
	start(1, ", \"--leak\", \"48\"", "  max_rss = 16\n");
	cr_assert(h_wait_exits(&pd, "web", "max_rss", 1, 3 * H_WAIT_MS),
	    "a 48 MiB worker was not recycled at 16");
}

/* A worker program may ask for its own replacement. */
Test(health, worker_asks_to_be_recycled)
{
	start(1, ", \"--notify\", \"X_POOLD_RECYCLE=1\"", "");
	cr_assert(h_wait_exits(&pd, "web", "recycle_asked", 1, 3 * H_WAIT_MS));
}

/* Python's systemd.daemon, unchanged: readiness, status, watchdog.
   Debian's python3, where python3-systemd is, not whatever is first on
   PATH. */
Test(health, python_worker_with_python3_systemd)
{
	char	 script[H_PATH_MAX], buf[256];
	const char *data = getenv("POOLD_TESTDATA");
	json_t	*w;

	cr_assert_not_null(data, "POOLD_TESTDATA not set");
	snprintf(script, sizeof(script), "%s/pyworker.py", data);
	port = h_free_port();
	start_pool("  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/usr/bin/python3\", \"%s\" }\n"
	    "  ready = \"notify\"\n"
	    "  boot_timeout = 10\n  timeout = 2\n  workers = 1\n", port,
	    script);
	cr_assert(h_wait_ready(&pd, 1, 2 * H_WAIT_MS),
	    "no READY=1 from python (is python3-systemd installed?)");
	cr_assert_eq(h_query_tcp(port, buf, sizeof(buf)), 0);
	cr_assert(strncmp(buf, "pyworker pid=", 13) == 0, "%s", buf);
	w = first_worker();
	cr_assert_str_eq(json_string_value(json_object_get(w, "status")),
	    "python worker serving");
	json_decref(w);
	/* Four pings per timeout keep it alive past two timeouts. */
	cr_assert_not(h_wait_exits(&pd, "web", "watchdog", 1, 4500),
	    "the watchdog fired on a pinging worker");
}

/*
 * The acceptance test: a rolling restart of slow-booting workers
 * (0.4 s before READY=1 and the first accept) under continuous client
 * load; no connection fails, and the pool never has more than one
 * replacement booting beside the workers it replaces.
 */
Test(health, rolling_restart_under_load_drops_nothing)
{
	struct loadgen	 lg;
	char		 d[1024];
	long		 t0;
	bool		 done;

	start(3, ", \"--boot\", \"400\"", "  ready = \"notify\"\n"
	    "  max_surge = 1\n");
	cr_assert(h_wait_ready(&pd, 3, H_WAIT_MS));
	lg_start(&lg, port, 8, h_rate(&pd), LG_REPORT);
	for (t0 = h_now_ms(); atomic_load(&lg.lg_ok) < 20 &&
	    h_now_ms() - t0 < H_WAIT_MS; )
		usleep(10000);
	t0 = h_now_ms();
	json_decref(ctl("restart web"));
	done = h_wait_exits(&pd, "web", "restart", 3, 6 * H_WAIT_MS);
	t0 = h_now_ms() - t0;
	lg_stop(&lg);
	lg_describe(&lg, d, sizeof(d));
	cr_log_info("rolling restart in %ld ms: %s", t0, d);
	cr_assert(done, "restart did not finish");
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	cr_assert_eq(lg.lg_stalls, 0, "%s", d);
	cr_assert_gt(lg.lg_count[LG_OK], 100, "too little load to mean "
	    "anything: %s", d);
	/* One at a time: three boots of 0.4 s cannot overlap. */
	cr_assert_geq(t0, 3 * 400);
}
