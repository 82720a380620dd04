/* SPDX-License-Identifier: ISC */
/*
 * The control socket end to end: every command and error code against a
 * real poold, hostile clients, and poolctl's exit codes.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

static struct poold pd;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(control, .init = setup, .fini = teardown, .timeout = 60);

static int port;

/* poold with n tworkers logging to pd_wlog, its control socket up. */
static void
start(int n)
{
	char	conf[H_PATH_MAX], text[1024];

	port = h_free_port();
	snprintf(text, sizeof(text),
	    "control { idle_timeout = 30 }\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--log\", \"%s\" }\n"
	    "  workers = %d\n  min_workers = 1\n  max_workers = 6\n"
	    "  graceful_timeout = 5\n  reopen_signal = \"USR1\"\n}\n",
	    port, h_tworker_path(), pd.pd_wlog, n);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket not up");
	cr_assert(h_wait_children(&pd, (size_t)n, H_WAIT_MS));
}

/* Send request, parse the reply. */
static json_t *
ctl(const char *request)
{
	return h_ctl_json(&pd, request);
}

/* Read events until one holds every needle; false after 50 or at EOF. */
static bool
event_with(int fd, const char *const needles[])
{
	char line[4096];

	for (int i = 0; i < 50; i++) {
		bool all = true;
		if (h_read_line(fd, line, sizeof(line), H_WAIT_MS) != 0)
			return false;
		for (size_t k = 0; needles[k] != NULL && all; k++)
			all = strstr(line, needles[k]) != NULL;
		if (all)
			return true;
	}
	return false;
}

static void
expect_ok(json_t *r)
{
	cr_assert(json_is_true(json_object_get(r, "ok")), "not ok: %s",
	    json_dumps(r, JSON_COMPACT));
}

static void
expect_error(const char *request, const char *code)
{
	json_t		*r = ctl(request);
	const char	*got = json_string_value(json_object_get(
			    json_object_get(r, "error"), "code"));

	cr_assert(json_is_false(json_object_get(r, "ok")), "%s: ok", request);
	cr_assert_not_null(got, "%s: no error code", request);
	cr_assert_str_eq(got, code, "%s", request);
	cr_assert_not_null(json_string_value(json_object_get(
	    json_object_get(r, "error"), "message")));
	json_decref(r);
}

static long long
field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_number(v), "no number %s", key);
	return (long long)json_number_value(v);
}

Test(control, hello_and_version_carry_the_protocol)
{
	json_t *r;

	start(1);
	r = ctl("hello");
	expect_ok(r);
	cr_assert_eq(field(r, "protocol"), 1);
	cr_assert_eq(field(r, "pid"), pd.pd_pid);
	json_decref(r);
	r = ctl("version");
	expect_ok(r);
	cr_assert_str_eq(json_string_value(json_object_get(r, "version")),
	    PACKAGE_VERSION);
	json_decref(r);
}

Test(control, status_pools_workers_and_config)
{
	json_t	*r, *p, *w;
	pid_t	 kids[2];
	size_t	 i;

	start(2);
	r = ctl("status");
	expect_ok(r);
	p = json_array_get(json_object_get(r, "pools"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(p, "name")), "web");
	cr_assert_eq(field(p, "target"), 2);
	cr_assert_eq(field(p, "running"), 2);
	cr_assert_str_eq(json_string_value(json_object_get(r, "state")),
	    "running");
	json_decref(r);

	r = ctl("pools");
	expect_ok(r);
	p = json_array_get(json_object_get(r, "pools"), 0);
	cr_assert_eq(json_array_size(json_object_get(p, "listen")), 1);
	json_decref(r);

	cr_assert_eq(h_children(pd.pd_pid, kids, 2), 2);
	r = ctl("workers web");
	expect_ok(r);
	cr_assert_eq(json_array_size(json_object_get(r, "workers")), 2);
	json_array_foreach(json_object_get(r, "workers"), i, w) {
		pid_t pid = (pid_t)field(w, "pid");
		cr_assert(pid == kids[0] || pid == kids[1]);
		cr_assert_str_eq(json_string_value(json_object_get(w,
		    "state")), "running");
	}
	json_decref(r);
	expect_error("workers nope", "no_such_pool");

	r = ctl("config");
	expect_ok(r);
	p = json_array_get(json_object_get(json_object_get(r, "config"),
	    "pools"), 0);
	cr_assert_eq(field(p, "max_workers"), 6);
	char *abs = realpath(h_tworker_path(), NULL);
	cr_assert_not_null(abs);
	cr_assert_str_eq(json_string_value(json_object_get(p, "exec_path")),
	    abs);
	free(abs);
	/* Every option in force is shown, by its name in the file. */
	static const char *const pool_keys[] = { "name", "worker", "listen",
	    "command", "workers", "min_workers", "max_workers", "threads",
	    "env", "user", "group", "chdir", "no_new_privs", "stop_signal",
	    "reopen_signal", "timeout", "graceful_timeout", "ready",
	    "boot_timeout", "max_requests", "max_requests_jitter",
	    "max_lifetime", "max_lifetime_jitter", "max_rss", "max_surge",
	    "scale", "min_spare", "max_spare", "scale_up_after",
	    "scale_down_after", "scale_cooldown", "scale_interval",
	    "idle_timeout", "backlog", "socket_mode", "umask", "root", "app",
	    "app_arg", "keepalive", "read_timeout", "worker_connections",
	    "limit_request_line", "limit_request_fields",
	    "limit_request_field_size", "limit_request_body", "compat",
	    "notification_fd", "kill_mode", "notify_access", "min_ready",
	    "memory_high", "memory_max", "tasks_max" };
	static const char *const keys[] = { "pidfile", "error_log",
	    "access_log", "access_log_format", "log_level", "log_format",
	    "daemon", "umask", "cgroups", "notify_socket", "capture_output",
	    "drain_delay", "drain_probes", "drain_signals", "control",
	    "metrics", "text" };
	json_t *c = json_object_get(r, "config");
	for (size_t k = 0; k < sizeof(pool_keys) / sizeof(pool_keys[0]); k++)
		cr_expect(json_object_get(p, pool_keys[k]) != NULL,
		    "config: no pool %s", pool_keys[k]);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		cr_expect(json_object_get(c, keys[k]) != NULL,
		    "config: no %s", keys[k]);
	/* As in the file: control { }, modes in octal, the default access
	   log format rather than null. */
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(c,
	    "control"), "mode")), "0600");
	cr_expect_eq(json_number_value(json_object_get(json_object_get(c,
	    "control"), "idle_timeout")), 30);
	cr_expect_str_eq(json_string_value(json_object_get(p, "socket_mode")),
	    "0666");
	cr_expect(json_is_string(json_object_get(c, "access_log_format")));
	cr_expect_str_eq(json_string_value(json_object_get(p, "scale")),
	    "static");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "config"), "log_level")), "info");
	json_decref(r);
}

Test(control, scale_within_bounds)
{
	json_t *r;

	start(2);
	r = ctl("scale web 4");
	expect_ok(r);
	cr_assert_eq(field(r, "target"), 4);
	cr_assert_eq(field(r, "previous"), 2);
	json_decref(r);
	cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	r = ctl("scale web -3");
	expect_ok(r);
	cr_assert_eq(field(r, "target"), 1);
	json_decref(r);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	expect_error("scale web 7", "out_of_bounds");
	expect_error("scale web -1", "out_of_bounds");
	expect_error("scale web 0", "out_of_bounds");
	expect_error("scale web x", "bad_arguments");
	expect_error("scale nope 2", "no_such_pool");
	expect_error("scale web", "bad_arguments");
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
}

/* A pool that is stopping is busy, not unknown: status still lists it. */
Test(control, a_stopping_pool_is_busy)
{
	char	conf[H_PATH_MAX], text[1024];
	json_t	*r;

	port = h_free_port();
	snprintf(text, sizeof(text),
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--ignore-term\", \"--log\", \"%s\" }\n"
	    "  workers = 1\n  graceful_timeout = 20\n}\n",
	    port, h_tworker_path(), pd.pd_wlog);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket not up");
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	/* tworker logs "start" once it ignores TERM: before, the stop would
	   end it, and poold with it. */
	cr_assert(h_wait_count(pd.pd_wlog, "start", 1, H_WAIT_MS));
	r = ctl("stop");
	expect_ok(r);
	json_decref(r);
	/* Still listed, so still looked at; not changed. */
	r = ctl("workers web");
	expect_ok(r);
	cr_assert_eq(json_array_size(json_object_get(r, "workers")), 1);
	json_decref(r);
	expect_error("scale web 2", "busy");
	expect_error("restart web", "busy");
	expect_error("workers nope", "no_such_pool");
}

Test(control, restart_replaces_every_worker)
{
	json_t	*r;
	pid_t	 before[2], after[2];

	start(2);
	cr_assert_eq(h_children(pd.pd_pid, before, 2), 2);
	r = ctl("restart web");
	expect_ok(r);
	cr_assert_eq(field(r, "generation"), 1);
	json_decref(r);
	cr_assert(h_wait_count(pd.pd_wlog, "term", 2, H_WAIT_MS));
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, after, 2), 2);
	for (int i = 0; i < 2; i++)
		cr_assert(after[i] != before[0] && after[i] != before[1]);
	cr_assert_eq(h_count(pd.pd_wlog, "start"), 4);
	expect_error("restart nope", "no_such_pool");
}

Test(control, kill_one_worker)
{
	json_t		*r, *w;
	pid_t		 victim;
	size_t		 i;
	const char	*note = NULL;

	static const char *const ended[] = { "\"event\":\"exited\"",
	    "\"end\":\"killed\"", "\"why\":\"killed on request (poolctl "
	    "kill)\"", "\"reason\":\"stopped\"", NULL };
	int fd;

	start(2);
	cr_assert(h_wait_count(pd.pd_wlog, "start", 2, H_WAIT_MS));
	victim = h_worker_in_slot(&pd, 1);
	fd = h_subscribe(&pd);
	r = ctl("kill web 1 KILL");
	expect_ok(r);
	cr_assert_eq(field(r, "pid"), victim);
	cr_assert_str_eq(json_string_value(json_object_get(r, "signal")),
	    "KILL");
	json_decref(r);
	cr_assert(h_wait_gone(victim, H_WAIT_MS));
	/* Said as it was: killed on request, not a death of its own. */
	cr_assert(event_with(fd, ended), "no exited event saying killed");
	close(fd);
	cr_assert(h_wait_count(pd.pd_wlog, "start", 3, H_WAIT_MS),
	    "killed worker not replaced");
	cr_assert_neq(h_worker_in_slot(&pd, 1), victim);
	r = ctl("workers web");
	json_array_foreach(json_object_get(r, "workers"), i, w) {
		if (field(w, "id") == 1)
			note = json_string_value(json_object_get(w,
			    "last_exit"));
	}
	cr_assert(note != NULL && strstr(note, "killed on request") != NULL,
	    "LAST EXIT: %s", note != NULL ? note : "none");
	json_decref(r);
	expect_error("kill web 5", "no_such_worker");
	expect_error("kill web 0 NOSUCHSIG", "bad_arguments");
	expect_error("kill web zero", "bad_arguments");
}

Test(control, reload_reports_its_outcome)
{
	char	conf[H_PATH_MAX];
	json_t	*r;

	start(1);
	expect_ok(r = ctl("reload"));
	json_decref(r);
	cr_assert(h_wait_count(pd.pd_wlog, "term", 1, H_WAIT_MS),
	    "reload did not roll the worker");
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)),
	    "pool web { workers = many }\n");
	expect_error("reload", "failed");
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
}

/* A number that is not one (nan) is refused by a reload with the file
   and line, and the running configuration serves on: it used to load,
   and made graceful_timeout 0 (an immediate SIGKILL). */
Test(control, a_reload_refuses_nan_and_keeps_serving)
{
	char	 conf[H_PATH_MAX], text[512], report[H_REPORT_MAX];
	json_t	*r;

	start(1);
	snprintf(text, sizeof(text), "pool web {\n  listen = { "
	    "\"127.0.0.1:%d\" }\n  command = { \"%s\" }\n"
	    "  graceful_timeout = nan\n}\n", port, h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	r = ctl("reload");
	cr_assert(json_is_false(json_object_get(r, "ok")), "reload took nan");
	cr_assert(strstr(json_string_value(json_object_get(json_object_get(r,
	    "error"), "message")), "poold.conf:4: pool web: "
	    "graceful_timeout = nan: must be seconds") != NULL, "%s",
	    json_string_value(json_object_get(json_object_get(r, "error"),
	    "message")));
	json_decref(r);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0,
	    "the pool stopped serving");
}

/*
 * The file named by -c became a directory, then a FIFO: a reload says
 * so at once and the arbiter serves on.  (A directory made libconfuse's
 * scanner exit the arbiter, workers, ports and all; a FIFO blocked it in
 * open() for ever.)
 */
Test(control, a_reload_of_what_is_no_file_keeps_serving)
{
	char	 conf[H_PATH_MAX], report[H_REPORT_MAX];
	json_t	*r;
	long	 t0;

	start(1);
	h_path(&pd, "poold.conf", conf, sizeof(conf));
	cr_assert_eq(unlink(conf), 0);
	cr_assert_eq(mkdir(conf, 0700), 0);
	r = ctl("reload");
	cr_assert(json_is_false(json_object_get(r, "ok")));
	cr_assert(strstr(json_string_value(json_object_get(json_object_get(r,
	    "error"), "message")), "a directory, not a configuration file")
	    != NULL);
	json_decref(r);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0,
	    "the pool stopped serving");
	cr_assert_eq(rmdir(conf), 0);
	cr_assert_eq(mkfifo(conf, 0600), 0);
	t0 = h_now_ms();
	r = ctl("reload");
	cr_assert_not_null(r, "no reply: the arbiter blocked");
	cr_assert(json_is_false(json_object_get(r, "ok")));
	json_decref(r);
	cr_assert_lt(h_now_ms() - t0, H_WAIT_MS);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0,
	    "the pool stopped serving");
	cr_assert_eq(kill(pd.pd_pid, 0), 0, "the arbiter is gone");
}

Test(control, reopen_passes_usr1_on)
{
	json_t *r;

	start(2);
	/* Right at the start, to workers that may not have their handler
	   yet: nobody is signalled to death. */
	expect_ok(r = ctl("reopen"));
	json_decref(r);
	for (int i = 0; i < H_WAIT_MS / 10; i++) {
		json_t *p;
		r = ctl("status");
		p = json_array_get(json_object_get(r, "pools"), 0);
		if (json_integer_value(json_object_get(p, "ready")) == 2) {
			json_decref(r);
			break;
		}
		json_decref(r);
		usleep(10000);
	}
	cr_assert_eq(h_exits(&pd, "web", "died"), 0);
	expect_ok(r = ctl("reopen"));
	json_decref(r);
	cr_assert(h_wait_count(pd.pd_wlog, "usr1", 2, H_WAIT_MS));
}

/* An exec pool that names no reopen_signal: reopen is poold's own logs
   only (USR1 would kill a program that does not catch it).  The reply
   comes once every signal is sent; the worker's answer after it shows a
   USR1 it had been sent. */
Test(control, reopen_leaves_exec_workers_alone_by_default)
{
	char	 conf[H_PATH_MAX], text[1024], report[H_REPORT_MAX];
	pid_t	 before;
	json_t	*r;

	port = h_free_port();
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\", \"--log\", \"%s\" }\n  workers = 1"
	    "\n}\n", port, h_tworker_path(), pd.pd_wlog);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS), "control socket not up");
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	before = h_worker_in_slot(&pd, 0);
	expect_ok(r = ctl("reopen"));
	json_decref(r);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	cr_assert_eq(h_count(pd.pd_wlog, "usr1"), 0, "USR1 was sent");
	cr_assert_eq(h_worker_in_slot(&pd, 0), before);
}

Test(control, stop_graceful_and_bad_upgrades)
{
	json_t	*r;
	int	 status;

	start(2);
	expect_error("upgrade /nonexistent/poold", "failed");
	expect_error("upgrade a b", "bad_arguments");
	expect_error("stop sideways", "bad_arguments");
	r = ctl("stop");
	expect_ok(r);
	cr_assert_str_eq(json_string_value(json_object_get(r, "stopping")),
	    "graceful");
	json_decref(r);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_neq(access(pd.pd_ctl, F_OK), 0, "control socket left");
}

Test(control, stop_quick)
{
	json_t	*r;
	int	 status, ev;

	start(1);
	ev = h_subscribe(&pd);
	expect_ok(r = ctl("stop quick"));
	json_decref(r);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	r = h_events_read(ev, H_WAIT_MS);
	close(ev);
	cr_assert_eq(h_events_match(r, "stopping", "mode", "quick"), 1);
	json_decref(r);
}

Test(control, malformed_requests_get_error_codes)
{
	start(1);
	expect_error("frobnicate", "unknown_command");
	expect_error("STATUS", "unknown_command");
	expect_error("", "unknown_command");
	expect_error("status now", "bad_arguments");
	expect_error("status \x01", "bad_arguments");
	expect_error("workers caf\xc3\xa9", "bad_arguments");
}

/* After garbage, an overlong line and a NUL, the arbiter still serves. */
Test(control, hostile_input_costs_nothing)
{
	char	 big[8192], line[4096], report[H_REPORT_MAX];
	int	 fd;
	json_t	*r;

	start(1);
	fd = h_ctl_connect(&pd);
	memset(big, 'A', sizeof(big));
	cr_assert_eq(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), 0);
	cr_assert(strstr(line, "line_too_long") != NULL, "%s", line);
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), -1,
	    "connection not closed after an overlong line");
	close(fd);

	fd = h_ctl_connect(&pd);
	cr_assert_eq(write(fd, "sta\0tus\n\xff\xfe\n", 11), 11);
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), 0);
	cr_assert(strstr(line, "bad_arguments") != NULL, "%s", line);
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), 0);
	cr_assert(strstr(line, "\"ok\":false") != NULL, "%s", line);
	cr_assert_eq(write(fd, "status\n", 7), 7);
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), 0);
	cr_assert(strstr(line, "\"ok\":true") != NULL, "%s", line);
	close(fd);

	expect_ok(r = ctl("status"));
	json_decref(r);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0,
	    "the pool stopped serving");
}

Test(control, client_cap_and_idle_clients)
{
	int	 fds[64], extra;
	char	 line[512];
	json_t	*r;

	start(1);
	/* 64 clients, each served (a hello answered): a connection the
	   harness made before may not be released yet, which makes the
	   arbiter refuse one of ours as busy; that one tries again. */
	for (int i = 0; i < 64; i++) {
		for (int tries = 0; ; tries++) {
			cr_assert_lt(tries, 100, "client %d never served", i);
			cr_assert_neq(fds[i] = h_ctl_connect(&pd), -1);
			if (h_send(fds[i], "hello\n", 6) == 0 &&
			    h_read_line(fds[i], line, sizeof(line), H_WAIT_MS)
			    == 0 && strstr(line, "\"busy\"") == NULL)
				break;
			close(fds[i]);
			usleep(10000);
		}
	}
	extra = h_ctl_connect(&pd);
	cr_assert_neq(extra, -1);
	cr_assert_eq(h_read_line(extra, line, sizeof(line), H_WAIT_MS), 0);
	cr_assert(strstr(line, "\"busy\"") != NULL, "%s", line);
	close(extra);
	for (int i = 0; i < 64; i++)
		close(fds[i]);
	/* Once they are gone, a new client is served again. */
	long deadline = h_now_ms() + H_WAIT_MS;
	bool served = false;
	while (!served && h_now_ms() < deadline) {
		r = ctl("hello");
		served = json_is_true(json_object_get(r, "ok"));
		json_decref(r);
	}
	cr_assert(served, "clients not released");
}

Test(control, idle_client_is_closed)
{
	char	conf[H_PATH_MAX], text[512], line[64];
	int	fd;

	snprintf(text, sizeof(text),
	    "control { idle_timeout = 0.3 }\n"
	    "pool p {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  workers = 1\n}\n",
	    h_free_port(), h_tworker_path());
	h_write_file(h_path(&pd, "p.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	cr_assert_neq(fd = h_ctl_connect(&pd), -1);
	/* EOF (-1) well before the 5 s deadline: the arbiter hung up. */
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), -1);
	cr_assert(h_wait_count(pd.pd_log, "idle; closing", 1, H_WAIT_MS));
	close(fd);
}

Test(control, subscribers_see_events)
{
	char	 line[4096];
	int	 fd;
	bool	 scaled = false, spawned = false;
	json_t	*r;

	start(1);
	fd = h_ctl_connect(&pd);
	cr_assert_eq(write(fd, "subscribe\n", 10), 10);
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), 0);
	cr_assert(strstr(line, "\"subscribed\":true") != NULL, "%s", line);
	expect_ok(r = ctl("scale web 2"));
	json_decref(r);
	for (int i = 0; i < 20 && !(scaled && spawned); i++) {
		cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS),
		    0, "event stream ended");
		scaled |= strstr(line, "\"event\":\"scaled\"") != NULL;
		spawned |= strstr(line, "\"event\":\"spawned\"") != NULL &&
		    strstr(line, "\"id\":1") != NULL;
	}
	cr_assert(scaled && spawned, "missing scaled or spawned event");
	close(fd);
}

/* A reload that changes a pool's size moves its target like any other
   cause: one `scaled` event, which says it was the reload. */
Test(control, a_reload_that_resizes_a_pool_is_announced)
{
	static const char *const want[] = { "\"event\":\"scaled\"",
	    "\"target\":3", "\"previous\":1", "\"by\":\"reload\"", NULL };
	char	 conf[H_PATH_MAX], text[1024];
	json_t	*r;
	int	 fd;

	start(1);
	fd = h_subscribe(&pd);
	snprintf(text, sizeof(text), "pool web {\n  listen = { "
	    "\"127.0.0.1:%d\" }\n  command = { \"%s\" }\n  workers = 3\n}\n",
	    port, h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	expect_ok(r = ctl("reload"));
	json_decref(r);
	cr_assert(event_with(fd, want), "no scaled event for the reload");
	close(fd);
}

/* After WINCH the target is below the minimum: status says why. */
Test(control, status_says_why_a_target_is_below_min)
{
	static const char *const args[] = { "status", NULL };
	char	 out[4096];
	json_t	*r, *p;

	start(2);
	h_signal(&pd, SIGWINCH);
	cr_assert(h_wait_children(&pd, 0, H_WAIT_MS), "workers still up");
	r = ctl("status");
	p = json_array_get(json_object_get(r, "pools"), 0);
	cr_assert_eq(json_integer_value(json_object_get(p, "target")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(p, "target_by")),
	    "winch");
	json_decref(r);
	cr_assert_eq(h_poolctl(&pd, args, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "below min: idle since WINCH") != NULL, "%s",
	    out);
}

/*
 * A subscriber that never reads must not hold the arbiter: flood the
 * event stream (failed reloads are cheap events) and check that it is
 * cut off while everyone else is served.
 */
Test(control, subscriber_that_never_reads_is_dropped)
{
	char		conf[H_PATH_MAX], line[512], report[H_REPORT_MAX];
	int		sub, fd, rcvbuf = 4096;
	static char	reqs[2000 * 7];
	json_t		*r;

	start(1);
	sub = h_ctl_connect(&pd);
	setsockopt(sub, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	cr_assert_eq(write(sub, "subscribe\n", 10), 10);
	cr_assert_eq(h_read_line(sub, line, sizeof(line), H_WAIT_MS), 0);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)),
	    "pool web { workers = \"this config is broken on purpose, with a "
	    "long message so that every failed reload is a big event\" }\n");
	fd = h_ctl_connect(&pd);
	for (size_t i = 0; i < 2000; i++)
		memcpy(reqs + i * 7, "reload\n", 7);
	for (int round = 0; round < 10 &&
	    !h_log_has(&pd, "is not reading; disconnected"); round++) {
		cr_assert_eq(write(fd, reqs, sizeof(reqs)),
		    (ssize_t)sizeof(reqs));
		for (int i = 0; i < 2000; i++)
			cr_assert_eq(h_read_line(fd, line, sizeof(line),
			    H_WAIT_MS), 0);
	}
	cr_assert(h_log_has(&pd, "is not reading; disconnected"));
	close(fd);
	close(sub);
	expect_ok(r = ctl("status"));
	json_decref(r);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
}

/*
 * poold with its control socket wide open (0666), so that only the peer
 * check can refuse another user; for tests that act as one (root only).
 */
static void
start_wide_open(void)
{
	char conf[H_PATH_MAX], text[512];

	if (geteuid() != 0)
		cr_skip_test("needs root to act as another user");
	snprintf(text, sizeof(text), "control { mode = 0666 }\n"
	    "pool p {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  workers = 1\n}\n",
	    h_free_port(), h_tworker_path());
	h_write_file(h_path(&pd, "p.conf", conf, sizeof(conf)), text);
	cr_assert_eq(chmod(pd.pd_dir, 0711), 0);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
}

Test(control, other_users_are_refused)
{
	char	line[512];
	pid_t	pid;
	int	status;

	start_wide_open();
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		int fd;
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(10);
		/* The arbiter may refuse and hang up before we write. */
		signal(SIGPIPE, SIG_IGN);
		if ((fd = h_ctl_connect(&pd)) == -1)
			_exit(11);
		(void)!write(fd, "status\n", 7);
		if (h_read_line(fd, line, sizeof(line), H_WAIT_MS) == -1)
			_exit(13);
		_exit(strstr(line, "\"permission\"") != NULL ? 0 : 14);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "other user not refused with a permission error (status 0x%x)",
	    status);
	cr_assert(h_wait_count(pd.pd_log, "control: refused uid 65534", 1,
	    H_WAIT_MS));
}

/*
 * Refused peers, as fast as one can connect: the log has the first and
 * then a line a second saying how many more, not a line each (3,000
 * lines in 0.08 s before).
 */
Test(control, refused_peers_do_not_flood_the_log)
{
	pid_t	pid;
	int	status, lines;

	start_wide_open();
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		int fd, n = 0;
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(10);
		for (int i = 0; i < 3000; i++) {
			if ((fd = h_ctl_connect(&pd)) != -1) {
				close(fd);
				n++;
			}
		}
		_exit(n == 3000 ? 0 : 11);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x", status);
	cr_assert(h_wait_count(pd.pd_log, "more like this in the last 1000 ms",
	    1, 3 * H_WAIT_MS), "no summary line");
	lines = h_count(pd.pd_log, "control: refused uid 65534");
	cr_log_info("3000 refused peers: %d log lines", lines);
	cr_assert_leq(lines, 12, "%d lines for 3000 refused peers", lines);
	/* The control socket still answers its own user. */
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
}

/* A configured group is served, with the socket opened up to it. */
Test(control, configured_group_is_served)
{
	char		conf[H_PATH_MAX], text[512], line[512];
	struct stat	st;
	pid_t		pid;
	int		status;

	if (geteuid() != 0)
		cr_skip_test("needs root to act as another user");
	snprintf(text, sizeof(text),
	    "control { mode = 0660  group = \"%s\" }\n"
	    "pool p {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  workers = 1\n}\n",
	    getgrgid(65534) ? getgrgid(65534)->gr_name : "nogroup",
	    h_free_port(), h_tworker_path());
	h_write_file(h_path(&pd, "p.conf", conf, sizeof(conf)), text);
	cr_assert_eq(chmod(pd.pd_dir, 0711), 0);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	cr_assert_eq(stat(pd.pd_ctl, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0660);
	cr_assert_eq(st.st_gid, 65534);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		int fd;
		if (setgroups(0, NULL) == -1 || setgid(65534) == -1 ||
		    setuid(65534) == -1)
			_exit(10);
		if ((fd = h_ctl_connect(&pd)) == -1)
			_exit(11);
		if (write(fd, "hello\n", 6) != 6 ||
		    h_read_line(fd, line, sizeof(line), H_WAIT_MS) == -1)
			_exit(12);
		_exit(strstr(line, "\"ok\":true") != NULL ? 0 : 13);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "group member not served (%d)", WEXITSTATUS(status));
}

Test(control, socket_mode_is_0600)
{
	struct stat st;

	start(1);
	cr_assert_eq(stat(pd.pd_ctl, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
}

Test(control, second_poold_on_a_live_socket_is_refused)
{
	struct poold	other;
	char		bind[32];
	int		status;

	start(1);
	h_setup(&other);
	snprintf(other.pd_ctl, sizeof(other.pd_ctl), "%s", pd.pd_ctl);
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-b", bind, "--", h_tworker_path(), NULL };
	status = h_run(&other, args, H_WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	cr_assert(h_log_has(&other, "in use by another process"));
	h_teardown(&other);
	cr_assert_eq(access(pd.pd_ctl, F_OK), 0, "the live socket was removed");
}

/*
 * poolctl config prints the configuration in force in poold.conf syntax,
 * which loads as it is (--check-config) and is what --print-config says
 * of the same file and flags; with --json, the object.
 */
Test(control, poolctl_config_is_a_file_poold_loads)
{
	char	conf[H_PATH_MAX], text[2048], out[32768], again[32768];
	char	printed[H_PATH_MAX];
	int	port2 = h_free_port();
	struct poold other;

	port = h_free_port();
	snprintf(text, sizeof(text), "umask = 022\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  workers = 2\n"
	    "  env = { \"A=$x \\\"quoted\\\"\" }\n}\n"
	    "pool api {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n  socket_mode = 0640\n}\n", port, h_tworker_path(),
	    port2);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	const char *cfg[] = { "config", NULL };
	cr_assert_eq(h_poolctl(&pd, cfg, out, sizeof(out)), 0, "%s", out);
	cr_assert_null(strstr(out, "{\"ok\""), "JSON without --json: %s", out);
	cr_assert(strstr(out, "pool \"api\" {") && strstr(out,
	    "socket_mode = 0640") && strstr(out, "umask = 0022"), "%s", out);
	cr_assert(strstr(out, "env = { \"A=\\$x \\\"quoted\\\"\" }"),
	    "%s", out);
	h_write_file(h_path(&pd, "printed.conf", printed, sizeof(printed)),
	    out);
	h_setup(&other);
	const char *check[] = { "--check-config", "-c", printed, NULL };
	cr_assert_eq(WEXITSTATUS(h_run(&other, check, H_WAIT_MS)), 0, "%s",
	    h_read_file(other.pd_log, again, sizeof(again)) >= 0 ? again : "");
	h_teardown(&other);
	/* The running poold's flags: the harness gives it --control. */
	h_setup(&other);
	const char *print[] = { "--print-config", "--control", pd.pd_ctl,
	    "-c", conf, NULL };
	cr_assert_eq(WEXITSTATUS(h_run(&other, print, H_WAIT_MS)), 0);
	cr_assert_geq(h_read_file(other.pd_log, again, sizeof(again)), 0);
	h_teardown(&other);
	cr_assert_str_eq(out, again);
	const char *js[] = { "config", "--json", NULL };
	cr_assert_eq(h_poolctl(&pd, js, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "{\"ok\":true") == out, "%s", out);
}

Test(control, poolctl_exit_codes_and_tables)
{
	char out[8192];

	start(2);
	const char *st[] = { "status", NULL };
	cr_assert_eq(h_poolctl(&pd, st, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "TARGET") && strstr(out, "web"), "%s", out);
	const char *wk[] = { "wo", "web", NULL };
	cr_assert_eq(h_poolctl(&pd, wk, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "PID") && strstr(out, "running"), "%s", out);
	const char *js[] = { "--json", "scale", "web", "3", NULL };
	cr_assert_eq(h_poolctl(&pd, js, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "{\"ok\":true") == out, "%s", out);
	/* Errors in words; the machine's code is the JSON's. */
	const char *bad[] = { "scale", "web", "99", NULL };
	cr_assert_eq(h_poolctl(&pd, bad, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "pool web: 99 is outside"), "%s", out);
	cr_assert_null(strstr(out, "out_of_bounds"), "%s", out);
	const char *use[] = { "scale", NULL };
	cr_assert_eq(h_poolctl(&pd, use, out, sizeof(out)), 2, "%s", out);
	/* What poold finds wrong in the arguments is a usage error too. */
	const char *nan[] = { "scale", "web", "abc", NULL };
	cr_assert_eq(h_poolctl(&pd, nan, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "usage: poolctl scale"), "%s", out);
	/* Options anywhere; a negative count is no option. */
	const char *late[] = { "status", "--json", NULL };
	cr_assert_eq(h_poolctl(&pd, late, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "{\"ok\":true") == out, "%s", out);
	const char *down[] = { "scale", "web", "-1", "--json", NULL };
	cr_assert_eq(h_poolctl(&pd, down, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "\"target\":2"), "%s", out);
	const char *amb[] = { "s", NULL };
	cr_assert_eq(h_poolctl(&pd, amb, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "ambiguous"), "%s", out);
	snprintf(pd.pd_ctl, sizeof(pd.pd_ctl), "%s/nope.sock", pd.pd_dir);
	cr_assert_eq(h_poolctl(&pd, st, out, sizeof(out)), 3, "%s", out);
	cr_assert(strstr(out, "nope.sock"), "%s", out);
}

/* workers lists each pool's workers by slot, whatever order the arbiter
   keeps them in (a dead worker's entry is reused by whichever comes). */
Test(control, workers_are_listed_by_slot)
{
	json_t	*r, *list;
	long	 prev = -1;

	start(4);
	cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	for (int round = 0; round < 2; round++) {
		r = h_ctl_json(&pd, "kill web 0 KILL");
		json_decref(r);
		cr_assert(h_wait_exits(&pd, "web", "killed", round + 1,
		    H_WAIT_MS));
		cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	}
	r = h_ctl_json(&pd, "workers");
	list = json_object_get(r, "workers");
	cr_assert_eq(json_array_size(list), 4);
	for (size_t i = 0; i < json_array_size(list); i++) {
		long id = (long)json_integer_value(json_object_get(
		    json_array_get(list, i), "id"));
		cr_assert_gt(id, prev, "slot %ld listed after %ld", id, prev);
		prev = id;
	}
	json_decref(r);
}

/* An empty slot (its worker failed to boot; the backoff waits) has its
   row in its place among the workers', not after them. */
Test(control, empty_slots_are_listed_in_their_place)
{
	char	 conf[H_PATH_MAX], text[1024];
	json_t	*r, *list;

	port = h_free_port();
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"/bin/sh\", \"-c\", \"[ $POOLD_WORKER_ID "
	    "= 1 ] && exit 3; exec %s\" }\n  workers = 3\n}\n", port,
	    h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_exits(&pd, "web", "failed_boot", 1, H_WAIT_MS));
	/* Between the backoff's probes slot 1 is empty; a probe booting
	   takes it for a few ms: ask again, a bounded number of times. */
	for (int tries = 0; ; tries++) {
		cr_assert_lt(tries, 100, "slot 1 never seen empty");
		r = h_ctl_json(&pd, "workers");
		list = json_object_get(r, "workers");
		cr_assert_eq(json_array_size(list), 3, "%s", json_dumps(r, 0));
		for (size_t i = 0; i < 3; i++)
			cr_assert_eq(json_integer_value(json_object_get(
			    json_array_get(list, i), "id")), (json_int_t)i,
			    "row %zu: %s", i, json_dumps(list, 0));
		if (strcmp(json_string_value(json_object_get(json_array_get(
		    list, 1), "state")), "empty") == 0)
			break;
		json_decref(r);
		h_pause();
	}
	json_decref(r);
}

/* Right after a reload READY counts the new workers, none ready yet:
   status says the older ones still serve (serving, replacing). */
Test(control, status_says_older_workers_serve_during_a_reload)
{
	char		 conf[H_PATH_MAX], out[8192];
	const char	*st[] = { "status", NULL };
	json_t		*r, *p;

	port = h_free_port();
	h_path(&pd, "poold.conf", conf, sizeof(conf));
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--ready-after\", \"0\" }\n"
	    "  ready = \"notify\"\n  workers = 2\n  max_surge = 2\n}\n", port,
	    h_tworker_path());
	cr_assert(h_wait_ready(&pd, 2, H_WAIT_MS));
	/* The new generation boots for a minute: the old one serves on. */
	snprintf(out, sizeof(out), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\", \"--ready-after\", \"60000\" }\n"
	    "  ready = \"notify\"\n  workers = 2\n  max_surge = 2\n"
	    "  boot_timeout = 120\n}\n", port, h_tworker_path());
	h_write_file(conf, out);
	r = h_ctl_json(&pd, "reload");
	json_decref(r);
	cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	r = h_ctl_json(&pd, "status");
	p = json_array_get(json_object_get(r, "pools"), 0);
	cr_assert_eq(json_integer_value(json_object_get(p, "ready")), 0);
	cr_assert_eq(json_integer_value(json_object_get(p, "serving")), 2);
	cr_assert_eq(json_integer_value(json_object_get(p, "replacing")), 2);
	json_decref(r);
	cr_assert_eq(h_poolctl(&pd, st, out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, "replacing: 2 older serving"), "%s",
	    out);
}
