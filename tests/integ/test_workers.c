/* SPDX-License-Identifier: ISC */
/*
 * What a worker sees and how the pool keeps it: the fd layout and
 * environment of the worker contract, stable slots, crash-loop backoff,
 * and workers dying with the arbiter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/socket.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

static struct poold pd;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(workers, .init = setup, .fini = teardown, .timeout = 60);

static void
field_is(const char *report, const char *key, const char *want)
{
	char val[H_REPORT_MAX];

	cr_assert_not_null(h_field(report, key, val, sizeof(val)),
	    "no %s= in report: %s", key, report);
	cr_expect_str_eq(val, want, "%s: got %s, want %s (report: %s)", key,
	    val, want, report);
}

/* Each socket may carry a name of its own (NAME=ADDR), as systemd's
   FileDescriptorName=; an unnamed one goes by the pool's. */
Test(workers, each_listener_has_its_name)
{
	char	 conf[H_PATH_MAX], sock[H_PATH_MAX], text[1024];
	char	 report[H_REPORT_MAX];
	int	 port = h_free_port(), port2 = h_free_port();

	snprintf(text, sizeof(text), "pool web {\n  listen = { \"http=127.0.0."
	    "1:%d\", \"127.0.0.1:%d\", \"admin=unix:%s\" }\n  command = { "
	    "\"%s\" }\n  workers = 1\n}\n", port, port2, h_path(&pd, "a.sock",
	    sock, sizeof(sock)), h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	field_is(report, "listen_fds", "3");
	field_is(report, "fdnames", "http:web:admin");
}

/* compat: the variables Einhorn, Server::Starter, Unicorn and Gunicorn
   set, naming the same fds as LISTEN_FDS; none of them without it. */
Test(workers, compat_sets_the_other_launchers_variables)
{
	static const char *const vars[] = { "EINHORN_FD_COUNT",
	    "EINHORN_FD_0", "EINHORN_FD_1", "EINHORN_FDS",
	    "EINHORN_MASTER_PID", "SERVER_STARTER_PORT", "UNICORN_FD",
	    "GUNICORN_FD" };
	/* What poold's own environment says is not what it passes on. */
	const char	*env[] = { "UNICORN_FD=99", "EINHORN_FD_COUNT=7", NULL };
	char		 conf[H_PATH_MAX], sock[H_PATH_MAX], text[2048];
	char		 report[H_REPORT_MAX], args[512] = "", want[512];
	int		 port = h_free_port(), at = 0;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		at += snprintf(args + at, sizeof(args) - (size_t)at,
		    ", \"--env\", \"%s\"", vars[i]);
	h_path(&pd, "s.sock", sock, sizeof(sock));
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\", \"unix:%s\" }\n  command = { \"%s\"%s }\n  workers = 1\n"
	    "  compat = { \"einhorn\", \"server_starter\", \"unicorn\", "
	    "\"gunicorn\" }\n}\n", port, sock, h_tworker_path(), args);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *argv[] = { "-c", conf, NULL };
	h_start(&pd, argv, env);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	field_is(report, "env:EINHORN_FD_COUNT", "2");
	snprintf(want, sizeof(want), "%ld", (long)pd.pd_pid);
	field_is(report, "env:EINHORN_MASTER_PID", want);
	field_is(report, "env:EINHORN_FD_0", "3");
	field_is(report, "env:EINHORN_FD_1", "4");
	snprintf(want, sizeof(want), "127.0.0.1:%d=3;%s=4", port, sock);
	field_is(report, "env:SERVER_STARTER_PORT", want);
	field_is(report, "env:UNICORN_FD", "3,4");
	field_is(report, "env:GUNICORN_FD", "3,4");
}

/* -- capture_output ---------------------------------------------------------- */

/* A pool of one /bin/sh worker running script, with globals; poold's
   log is a file, so capture_output's "auto" is on. */
static void
start_shell(const char *globals, const char *script)
{
	char conf[H_PATH_MAX], logf[H_PATH_MAX], text[4096];

	h_path(&pd, "error.log", logf, sizeof(logf));
	snprintf(text, sizeof(text), "error_log = \"%s\"\n%spool web {\n"
	    "  listen = { \"127.0.0.1:%d\" }\n  command = { \"/bin/sh\", "
	    "\"-c\", \"%s\" }\n  workers = 1\n}\n", logf, globals,
	    h_free_port(), script);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	snprintf(pd.pd_log, sizeof(pd.pd_log), "%s", logf);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
}

/*
 * Under -D or with an error log file, a worker's stdout and stderr are
 * lost to the log's readers unless captured (Gunicorn's
 * --capture-output): each line is logged with the pool, the slot and the
 * worker's pid; a line too long is logged in pieces; the last one,
 * without its newline, at the end.
 */
Test(workers, capture_output_logs_each_line)
{
	char	 line[H_REPORT_MAX], want[64];
	pid_t	 w;
	json_t	*r, *cap;

	start_shell("", "echo to stdout; echo to stderr >&2; "
	    "head -c 5000 /dev/zero | tr '\\\\0' x; echo; printf 'no newline'; "
	    "exec sleep 60");
	cr_assert(h_wait_count(pd.pd_log, "web.0: to stderr", 1, H_WAIT_MS));
	r = h_ctl_json(&pd, "workers");
	w = (pid_t)json_integer_value(json_object_get(json_array_get(
	    json_object_get(r, "workers"), 0), "pid"));
	json_decref(r);
	cr_assert_gt(w, 0);
	cr_assert_not_null(h_log_line(&pd, "web.0: to stdout", line,
	    sizeof(line)));
	snprintf(want, sizeof(want), "] [%ld] [info] web.0: ", (long)w);
	cr_assert_not_null(strstr(line, want), "%s", line);
	/* 5000 bytes: two pieces of 2048 and the rest. */
	cr_assert(h_wait_count(pd.pd_log, "web.0: xxxxxxxx", 3, H_WAIT_MS));
	r = h_ctl_json(&pd, "status");
	cap = json_object_get(r, "capture");
	cr_assert(json_is_true(json_object_get(cap, "on")));
	cr_assert_eq(json_integer_value(json_object_get(cap, "cut")), 2);
	cr_assert_geq(json_integer_value(json_object_get(cap, "lines")), 5);
	json_decref(r);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_count(pd.pd_log, "web.0: no newline", 1, H_WAIT_MS));
}

/* capture_output = no: workers write to poold's stderr (here its log
   file) themselves, unprefixed, as before. */
Test(workers, capture_output_no_leaves_the_workers_alone)
{
	start_shell("capture_output = \"no\"\n", "echo raw line >&2; "
	    "exec sleep 60");
	cr_assert(h_wait_count(pd.pd_log, "raw line", 1, H_WAIT_MS));
	cr_assert_eq(h_count(pd.pd_log, "web.0: raw line"), 0);
}

/* -- the notify socket --------------------------------------------------- */

/* A fresh runtime directory, named to poold through RUNTIME_DIRECTORY
   (env_dir), as systemd's RuntimeDirectory= does. */
static void
runtime_dir(char *dir, size_t len, char *env_dir, size_t envlen)
{
	snprintf(dir, len, "/tmp/poold-run.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(env_dir, envlen, "RUNTIME_DIRECTORY=%s", dir);
}

/* The NOTIFY_SOCKET a tworker of this config reports, run by p. */
static void
notify_of(struct poold *p, const char *globals, const char *const env[],
    char *val, size_t len)
{
	char	conf[H_PATH_MAX], text[1024], report[H_REPORT_MAX];
	int	port = h_free_port();

	snprintf(text, sizeof(text), "%spool web {\n  listen = { \"127.0.0.1:"
	    "%d\" }\n  command = { \"%s\" }\n  workers = 1\n}\n", globals,
	    port, h_tworker_path());
	h_write_file(h_path(p, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(p, args, env);
	cr_assert(h_wait_children(p, 1, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	cr_assert_not_null(h_field(report, "notify", val, len), "%s", report);
}

/* TERM to p, and its exit. */
static void
stop(struct poold *p)
{
	int status;

	h_signal(p, SIGTERM);
	cr_assert(h_wait_exit(p, H_WAIT_MS, &status));
}

/*
 * A file in the runtime directory (systemd's RuntimeDirectory= sets
 * RUNTIME_DIRECTORY), mode 0666, removed when poold exits; a program
 * that cannot use abstract addresses (socat's UNIX-SENDTO, as Ruby's
 * sd_notify) gets its READY=1 through, from a worker running as nobody.
 * (socat stays alive after sending, as a program's main process would:
 * with notify_access = all a sender is found by its cgroup, which an
 * exited one no longer has.)
 */
Test(workers, the_notify_socket_is_a_file_any_client_can_use)
{
	char		 dir[H_PATH_MAX], env_dir[H_PATH_MAX + 32], path[256];
	char		 conf[H_PATH_MAX], text[1024];
	struct stat	 st;
	int		 status;
	const char	*env[] = { env_dir, NULL };

	if (geteuid() != 0 || !h_have("socat"))
		cr_skip_test("needs root (a worker as nobody) and socat");
	/* Not in the test's own directory, which nobody cannot enter. */
	runtime_dir(dir, sizeof(dir), env_dir, sizeof(env_dir));
	cr_assert_eq(chmod(dir, 0711), 0);
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"/bin/sh\", \"-c\", \"echo notify="
	    "$NOTIFY_SOCKET; (printf READY=1; sleep 60) | socat -u - "
	    "UNIX-SENDTO:\\\"$NOTIFY_SOCKET\\\"\" }\n  user = \"nobody\"\n"
	    "  ready = \"notify\"\n  notify_access = \"all\"\n"
	    "  boot_timeout = 5\n  workers = 1\n}\n", h_free_port());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS), "READY=1 never arrived");
	cr_assert_not_null(h_log_line(&pd, "notify=", text, sizeof(text)));
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(strstr(text,
	    "notify=") + 7, "\n"), strstr(text, "notify=") + 7);
	cr_assert_eq(strncmp(path, dir, strlen(dir)), 0, "%s", path);
	cr_assert_eq(stat(path, &st), 0, "%s", path);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0666, "mode %o", st.st_mode & 0777);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert_neq(access(path, F_OK), 0, "%s is left behind", path);
	cr_assert_eq(rmdir(dir), 0, "%s: %s", dir, strerror(errno));
}

/* A poold killed before it could remove its socket file: the next one in
   the same directory removes it (nobody is bound to it), and leaves a
   live poold's alone. */
Test(workers, a_killed_poolds_notify_socket_is_removed_by_the_next)
{
	char		 dir[H_PATH_MAX], env_dir[H_PATH_MAX + 32];
	char		 dead[256], live[256], third[256];
	struct poold	 two, three;
	int		 status;
	const char	*env[] = { env_dir, NULL };

	runtime_dir(dir, sizeof(dir), env_dir, sizeof(env_dir));
	notify_of(&pd, "", env, dead, sizeof(dead));
	cr_assert_eq(strncmp(dead, dir, strlen(dir)), 0, "%s", dead);
	h_signal(&pd, SIGKILL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert_eq(access(dead, F_OK), 0, "a kill -9 removed nothing");
	h_setup(&two);
	notify_of(&two, "", env, live, sizeof(live));
	cr_assert_neq(access(dead, F_OK), 0, "%s is left behind", dead);
	h_setup(&three);
	notify_of(&three, "", env, third, sizeof(third));
	cr_assert_eq(access(live, F_OK), 0, "a live poold's socket went");
	stop(&two);
	stop(&three);
	h_teardown(&two);
	h_teardown(&three);
	cr_assert_eq(rmdir(dir), 0, "%s: %s", dir, strerror(errno));
}

/* A socket file removed under a running poold (a /run cleaner) is made
   again at the next start of a worker, which can then say READY=1. */
Test(workers, a_removed_notify_socket_is_made_again)
{
	char		 dir[H_PATH_MAX], env_dir[H_PATH_MAX + 32], path[256];
	char		 conf[H_PATH_MAX], text[1024];
	const char	*env[] = { env_dir, NULL };
	json_t		*r;
	int		 status;

	runtime_dir(dir, sizeof(dir), env_dir, sizeof(env_dir));
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\", \"--ready-after\", \"0\" }\n"
	    "  workers = 1\n  ready = \"notify\"\n  boot_timeout = 3\n}\n",
	    h_free_port(), h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	r = h_ctl_json(&pd, "status");
	snprintf(path, sizeof(path), "%s", json_string_value(json_object_get(
	    json_object_get(r, "notify"), "socket")));
	json_decref(r);
	cr_assert_eq(unlink(path), 0, "%s", path);
	r = h_ctl_json(&pd, "restart web");
	json_decref(r);
	cr_assert(h_wait_exits(&pd, "web", "restart", 1, 2 * H_WAIT_MS),
	    "the new worker's READY=1 never came");
	cr_assert_eq(access(path, F_OK), 0, "%s not made again", path);
	cr_assert_eq(h_exits(&pd, "web", "boot_timeout"), 0);
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert_eq(rmdir(dir), 0, "%s: %s", dir, strerror(errno));
}

/* notify_socket = abstract: today's kernel-named abstract socket. */
Test(workers, notify_socket_abstract_keeps_the_abstract_name)
{
	char val[256];

	notify_of(&pd, "notify_socket = \"abstract\"\n", NULL, val,
	    sizeof(val));
	cr_assert(val[0] == '@' && strlen(val) > 1, "notify: %s", val);
}

/* -- Einhorn's worker:ack ---------------------------------------------------- */

/*
 * compat = einhorn with ready = notify: Einhorn's manual ACK, sent on
 * EINHORN_SOCK_PATH as its Go client (JSON) and its Ruby client (YAML,
 * escaped) send it, makes the worker ready.  The socket is a file in the
 * runtime directory, mode 0666, removed at exit.
 */
Test(workers, einhorn_ack_makes_a_worker_ready)
{
	char		 dir[H_PATH_MAX], env_dir[H_PATH_MAX + 32];
	char		 conf[H_PATH_MAX], text[2048], report[H_REPORT_MAX];
	char		 path[256];
	const char	*env[] = { env_dir, NULL };
	int		 port = h_free_port(), port2 = h_free_port();
	struct stat	 st;

	runtime_dir(dir, sizeof(dir), env_dir, sizeof(env_dir));
	snprintf(text, sizeof(text),
	    "pool js {\n  listen = { \"127.0.0.1:%d\" }\n  command = { \"%s\","
	    " \"--einhorn-ack\", \"json\", \"--env\", \"EINHORN_SOCK_PATH\" }\n"
	    "  compat = { \"einhorn\" }\n  ready = \"notify\"\n"
	    "  boot_timeout = 10\n  workers = 1\n}\n"
	    "pool ym {\n  listen = { \"127.0.0.1:%d\" }\n  command = { \"%s\","
	    " \"--einhorn-ack\", \"yaml\" }\n  compat = { \"einhorn\" }\n"
	    "  ready = \"notify\"\n  boot_timeout = 10\n  workers = 1\n}\n",
	    port, h_tworker_path(), port2, h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_ready(&pd, 2, H_WAIT_MS), "the acks never counted");
	cr_assert_eq(h_spawns(&pd, "js"), 1, "the worker did not boot once");
	cr_assert_eq(h_spawns(&pd, "ym"), 1, "the worker did not boot once");
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	cr_assert_not_null(h_field(report, "env:EINHORN_SOCK_PATH", path,
	    sizeof(path)), "%s", report);
	cr_assert_eq(strncmp(path, dir, strlen(dir)), 0, "%s", path);
	cr_assert_eq(stat(path, &st), 0, "%s", path);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0666, "mode %o", st.st_mode & 0777);
	stop(&pd);
	cr_assert_neq(access(path, F_OK), 0, "%s is left behind", path);
	cr_assert_eq(rmdir(dir), 0, "%s: %s", dir, strerror(errno));
}

/* One line to Einhorn's socket at path; what comes back until it
   closes. */
static void
einhorn_say(const char *path, const char *line, char *reply, size_t len)
{
	bool	closed;
	int	fd = h_unix_connect(path);

	cr_assert_neq(fd, -1, "connect %s: %s", path, strerror(errno));
	cr_assert_eq(h_send(fd, line, strlen(line)), 0);
	(void)h_recv(fd, reply, len, NULL, 0, H_WAIT_MS, &closed);
	close(fd);
	cr_assert(closed, "the einhorn socket kept the connection");
}

/*
 * An ack counts for whoever sent it, by the kernel's word: one from a
 * process that is no worker, naming a worker's pid, makes nothing ready;
 * einhornsh's commands are refused with a line saying so.
 */
Test(workers, einhorn_ack_from_a_stranger_counts_for_nothing)
{
	char		 dir[H_PATH_MAX], env_dir[H_PATH_MAX + 32];
	char		 conf[H_PATH_MAX], text[1024], report[H_REPORT_MAX];
	char		 path[256], line[128], reply[512], want[128], w[32];
	const char	*env[] = { env_dir, NULL };
	int		 port = h_free_port();
	json_t		*r;

	runtime_dir(dir, sizeof(dir), env_dir, sizeof(env_dir));
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\", \"--env\", \"EINHORN_SOCK_PATH\" }\n"
	    "  compat = { \"einhorn\" }\n  ready = \"notify\"\n"
	    "  boot_timeout = 60\n  workers = 1\n}\n", port, h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, "--log-level", "debug", NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	cr_assert_not_null(h_field(report, "env:EINHORN_SOCK_PATH", path,
	    sizeof(path)), "%s", report);
	cr_assert_not_null(h_field(report, "pid", w, sizeof(w)));
	snprintf(line, sizeof(line), "{\"command\":\"worker:ack\",\"pid\":%s}"
	    "\n", w);
	einhorn_say(path, line, reply, sizeof(reply));
	snprintf(want, sizeof(want), "dropped an ack from pid %ld",
	    (long)getpid());
	cr_assert(h_wait_count(pd.pd_log, want, 1, H_WAIT_MS), "%s", want);
	einhorn_say(path, "{\"command\":\"upgrade\"}\n", reply, sizeof(reply));
	cr_assert_not_null(strstr(reply, "poold does not do einhorn's upgrade"),
	    "reply: %s", reply);
	r = h_ctl_json(&pd, "status");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(r, "pools"), 0), "ready")), 0, "a stranger's ack "
	    "made the worker ready");
	json_decref(r);
	stop(&pd);
	cr_assert_eq(rmdir(dir), 0, "%s: %s", dir, strerror(errno));
}

Test(workers, sees_exact_fds_and_environment)
{
	char		port_s[16], bind[32], sock[H_PATH_MAX], ubind[300];
	char		report[H_REPORT_MAX], val[128];
	char		manager[H_PATH_MAX + 16] = "NOTIFY_SOCKET=";
	int		port = h_free_port();
	/* A manager's socket that is the test's own (it need not exist):
	   poold's messages to it must never reach the host's systemd. */
	const char	*env[] = { "FOO=inherited", manager, "LISTEN_FDS=9",
	    NULL };

	h_path(&pd, "manager.sock", manager + 14, sizeof(manager) - 14);

	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", port);
	snprintf(ubind, sizeof(ubind), "unix:%s",
	    h_path(&pd, "w.sock", sock, sizeof(sock)));
	const char *args[] = { "-b", bind, "-b", ubind, "-w", "2", "-n", "web",
	    "--", h_tworker_path(), "--env", "FOO", NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));

	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0,
	    "no report over TCP");
	field_is(report, "listen_fds", "2");
	field_is(report, "listen_pid_ok", "1");
	field_is(report, "fdnames", "web:web");
	field_is(report, "fds", "0,1,2,3,4");
	field_is(report, "pool", "web");
	/* The arbiter's own socket (a file, as systemd's, for root; a
	   user's outside systemd gets an abstract one), never the one poold
	   inherited. */
	cr_assert(h_field(report, "notify", val, sizeof(val)) != NULL &&
	    (geteuid() != 0 ? val[0] == '@' || val[0] == '/' :
	    val[0] == '/' && strstr(val, "/notify-") != NULL), "notify: %s",
	    report);
	field_is(report, "sigmask_empty", "1");
	field_is(report, "sigign", "-");
	field_is(report, "listener", "0");
	field_is(report, "env:FOO", "inherited");

	cr_assert_eq(h_query_unix(sock, report, sizeof(report)), 0,
	    "no report over the unix socket");
	field_is(report, "listener", "1");
	field_is(report, "fds", "0,1,2,3,4");
}

Test(workers, pool_env_overrides_inherited)
{
	char	conf[H_PATH_MAX], text[1024], report[H_REPORT_MAX];
	int	port = h_free_port();
	const char *env[] = { "FOO=inherited", NULL };

	snprintf(text, sizeof(text),
	    "pool app {\n"
	    "  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--env\", \"FOO\", \"--env\", \"BAR\" }\n"
	    "  workers = 1\n"
	    "  env = { \"FOO=from-config\", \"BAR=x y\" }\n"
	    "}\n", port, h_tworker_path());
	h_write_file(h_path(&pd, "p.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	field_is(report, "env:FOO", "from-config");
	field_is(report, "pool", "app");
	field_is(report, "id", "0");
	cr_assert(strstr(report, "env:BAR=x y") != NULL, "%s", report);
}

Test(workers, replacement_takes_the_same_slot)
{
	char	bind[32];
	pid_t	old, now;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-b", bind, "-w", "3", "--",
	    h_tworker_path(), "--log", pd.pd_wlog, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_count(pd.pd_wlog, "start", 3, H_WAIT_MS));
	old = h_worker_in_slot(&pd, 1);
	cr_assert_gt(old, 0);

	cr_assert_eq(kill(old, SIGKILL), 0);
	cr_assert(h_wait_count(pd.pd_wlog, "start", 4, H_WAIT_MS),
	    "killed worker not replaced");
	/* Only slot 1 died, so the fourth start line is its replacement. */
	now = h_worker_in_slot(&pd, 1);
	cr_assert_neq(now, old, "slot 1 still has the dead worker");
	cr_assert_gt(now, 0);
	cr_assert(h_wait_exits(&pd, "main", "died", 1, H_WAIT_MS),
	    "the death is not counted");
	cr_assert(h_wait_children(&pd, 3, H_WAIT_MS));
}

Test(workers, crash_loop_backs_off)
{
	char	 bind[32];
	int	 starts, ev;
	json_t	*seen = json_array(), *e;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-b", bind, "-w", "4", "--",
	    h_tworker_path(), "--exit", "3", NULL };
	h_start(&pd, args, NULL);
	ev = h_subscribe(&pd);
	/*
	 * The first round of four failures is one backoff step (0.1 s),
	 * then one probe starts per step (0.2, 0.4, 0.8 s): by the time
	 * the delay reaches 0.8 s, seven workers have started.  A tight
	 * loop would have started hundreds.
	 */
	while ((e = h_event_wait(ev, seen, "backoff", NULL, NULL, 10000)) !=
	    NULL && json_real_value(json_object_get(e, "delay")) < 0.75)
		;
	cr_assert_not_null(e, "backoff never reached 0.8 s");
	starts = h_spawns(&pd, "main");
	cr_expect_leq(starts, 7, "%d starts before the 0.8 s backoff", starts);
	cr_expect_geq(h_exits(&pd, "main", "failed_boot"), 4);
	e = h_events_find(seen, "exited", "end", "failed_boot");
	cr_assert_not_null(e, "no failed boot among the events");
	cr_expect_eq(json_integer_value(json_object_get(e, "code")), 3);
	json_decref(seen);
	close(ev);
	cr_assert_eq(kill(pd.pd_pid, 0), 0, "the arbiter gave up");
}

Test(workers, die_with_the_arbiter)
{
	char	bind[32];
	pid_t	kids[8];
	size_t	n;
	int	port = h_free_port(), status;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", port);
	const char *args[] = { "-b", bind, "-w", "4", "--",
	    h_tworker_path(), "--ignore-term", NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, 4, H_WAIT_MS));
	n = h_children(pd.pd_pid, kids, 8);
	cr_assert_eq(n, 4);

	h_signal(&pd, SIGKILL);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	for (size_t i = 0; i < n; i++)
		cr_assert(h_wait_gone(kids[i], 2000),
		    "worker %ld outlived the arbiter", (long)kids[i]);
	cr_assert(h_wait_port_free(port, 2000), "port %d still bound", port);
}

Test(workers, adopts_an_inherited_listener)
{
	char	report[H_REPORT_MAX];
	int	port = h_keep_listener(&pd, 20);

	const char *args[] = { "-b", "fd://20", "-w", "1", "--",
	    h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	close(20);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)),
	    0, "no worker answered on the inherited socket");
	field_is(report, "fds", "0,1,2,3");
	field_is(report, "listen_fds", "1");
}

/* Uid, gid and cwd of a process, from /proc. */
static void
proc_identity(pid_t pid, long *uid, long *gid, char *cwd, size_t len)
{
	char	path[64], line[256];
	FILE	*f;
	ssize_t	n;
	long	r, e, s, fs;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	cr_assert_not_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		/* Real, effective, saved and file system ids: all of them,
		   or a worker could take root back. */
		if (sscanf(line, "Uid: %ld %ld %ld %ld", &r, &e, &s, &fs) == 4) {
			cr_expect(r == e && e == s && s == fs, "%s", line);
			*uid = r;
		}
		if (sscanf(line, "Gid: %ld %ld %ld %ld", &r, &e, &s, &fs) == 4) {
			cr_expect(r == e && e == s && s == fs, "%s", line);
			*gid = r;
		}
		/* No supplementary group of root's left over. */
		if (strncmp(line, "Groups:", 7) == 0)
			cr_expect(strstr(line, "\t0 ") == NULL &&
			    strcmp(line + 7, "\t0\n") != 0 &&
			    strstr(line, " 0 ") == NULL, "%s", line);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/cwd", (long)pid);
	n = readlink(path, cwd, len - 1);
	cr_assert_gt(n, 0);
	cr_assert_lt((size_t)n, len - 1);
	cwd[n] = '\0';
}

/* Whether /proc/PID/status has the line starting with want. */
static bool
proc_has(pid_t pid, const char *want)
{
	char	path[64], line[256];
	FILE	*f;
	bool	found = false;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line, want, strlen(want)) == 0;
	fclose(f);
	return found;
}

Test(workers, run_as_user_in_chdir)
{
	char		 conf[H_PATH_MAX], text[1024], cwd[H_PATH_MAX];
	struct passwd	*pw = getpwnam("nobody");
	char		 report[H_REPORT_MAX];
	pid_t		 kid;
	long		 uid = -1, gid = -1;
	int		 port = h_free_port();

	if (geteuid() != 0 || pw == NULL)
		cr_skip_test("needs root and a nobody user");
	/* nobody must be able to exec the test worker from the build tree. */
	if (access(h_tworker_path(), X_OK) == -1 ||
	    strncmp(h_tworker_path(), "/root", 5) == 0)
		cr_skip_test("test worker not reachable by nobody");
	snprintf(text, sizeof(text),
	    "pool p {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  workers = 1\n"
	    "  user = \"nobody\"\n  chdir = \"/\"\n  no_new_privs = true\n}\n",
	    port, h_tworker_path());
	h_write_file(h_path(&pd, "p.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, &kid, 1), 1);
	/* An answer means the worker has exec'd, so it is past setuid. */
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	proc_identity(kid, &uid, &gid, cwd, sizeof(cwd));
	cr_expect_eq(uid, (long)pw->pw_uid, "uid %ld", uid);
	cr_expect_eq(gid, (long)pw->pw_gid, "gid %ld", gid);
	cr_expect_str_eq(cwd, "/");
	cr_expect(proc_has(kid, "NoNewPrivs:\t1"), "no_new_privs not set");
}

/*
 * Gunicorn's --chdir and -e: poold works in the directory, a relative -c
 * is read from there, and so do its workers, which also get the
 * variable, after the pool's own.
 */
Test(workers, chdir_and_env_flags_as_gunicorn_takes_them)
{
	char	 dir[H_PATH_MAX], conf[H_PATH_MAX + 16], text[PATH_MAX + 256];
	char	 report[H_REPORT_MAX], cwd[H_PATH_MAX], val[64];
	char	 worker[PATH_MAX];
	pid_t	 kid;
	long	 uid, gid;
	int	 port = h_free_port();

	/* The worker's path must not depend on where poold works. */
	cr_assert_not_null(realpath(h_tworker_path(), worker));
	h_path(&pd, "app", dir, sizeof(dir));
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\", \"--env\", \"GREETING\" }\n"
	    "  env = { \"GREETING=hello\" }\n  workers = 1\n}\n", port,
	    worker);
	snprintf(conf, sizeof(conf), "%s/app.conf", dir);
	h_write_file(conf, text);
	const char *args[] = { "--chdir", dir, "-c", "app.conf", "-n", "web",
	    "-e", "GREETING=hi", NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS), "the relative -c was "
	    "not read from --chdir's directory");
	cr_assert_eq(h_children(pd.pd_pid, &kid, 1), 1);
	cr_assert_eq(h_query_tcp(port, report, sizeof(report)), 0);
	cr_assert_not_null(h_field(report, "env:GREETING", val, sizeof(val)),
	    "%s", report);
	cr_assert_str_eq(val, "hi", "-e did not override the pool's env");
	proc_identity(kid, &uid, &gid, cwd, sizeof(cwd));
	cr_assert_str_eq(cwd, dir);
}

/* A process's umask; -1 if not found. */
static int
proc_umask(pid_t pid)
{
	return (int)h_proc_status(pid, "Umask:", 8);
}

static unsigned
file_mode(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st.st_mode & 0777;
}

/*
 * Gunicorn's -m/--umask: poold's own (its pidfile), its workers', and
 * its unix sockets', whose socket_mode (0666 by default) it narrows as
 * it would open(2)'s mode.
 */
Test(workers, umask_flag_as_gunicorn_takes_it)
{
	char	sock[H_PATH_MAX], pidf[H_PATH_MAX], bind_to[H_PATH_MAX + 8];
	pid_t	kid;

	h_path(&pd, "web.sock", sock, sizeof(sock));
	h_path(&pd, "poold.pid", pidf, sizeof(pidf));
	snprintf(bind_to, sizeof(bind_to), "unix:%s", sock);
	const char *args[] = { "-m", "027", "-b", bind_to, "-w", "1", "-p",
	    pidf, NULL };
	h_start(&pd, args, NULL);
	/* Ready: past the umask call, which follows the fork. */
	cr_assert(h_wait_ready(&pd, 1, 3 * H_WAIT_MS));
	cr_assert(h_wait_file(pidf, H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, &kid, 1), 1);
	cr_assert_eq(proc_umask(pd.pd_pid), 027);
	cr_assert_eq(proc_umask(kid), 027);
	cr_assert_eq(file_mode(sock), 0640, "socket %o", file_mode(sock));
	cr_assert_eq(file_mode(pidf), 0640, "pidfile %o", file_mode(pidf));
}

/* In the file: the top level's umask, which a pool may change for its
   own workers and sockets; a reload to another applies to the workers
   it starts. */
Test(workers, umask_per_pool_and_on_reload)
{
	char	a[H_PATH_MAX], b[H_PATH_MAX], conf[H_PATH_MAX];
	char	text[2 * H_PATH_MAX + 512];
	pid_t	kids[2];
	int	masks[2];
	char	reply[H_REPORT_MAX];

	h_path(&pd, "a.sock", a, sizeof(a));
	h_path(&pd, "b.sock", b, sizeof(b));
	h_path(&pd, "poold.conf", conf, sizeof(conf));
	snprintf(text, sizeof(text), "umask = 0077\n"
	    "pool a {\n  listen = { \"unix:%s\" }\n  command = { \"%s\" }\n"
	    "  workers = 1\n  umask = 0002\n}\n"
	    "pool b {\n  listen = { \"unix:%s\" }\n  command = { \"%s\" }\n"
	    "  workers = 1\n  socket_mode = 0660\n}\n", a, h_tworker_path(),
	    b, h_tworker_path());
	h_write_file(conf, text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	/* Ready: past the umask call, which follows the fork. */
	cr_assert(h_wait_ready(&pd, 2, 3 * H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, kids, 2), 2);
	masks[0] = proc_umask(kids[0]);
	masks[1] = proc_umask(kids[1]);
	cr_assert((masks[0] == 02 && masks[1] == 077) ||
	    (masks[0] == 077 && masks[1] == 02), "%o %o", masks[0], masks[1]);
	cr_assert_eq(proc_umask(pd.pd_pid), 077);
	cr_assert_eq(file_mode(a), 0664, "a.sock %o", file_mode(a));
	cr_assert_eq(file_mode(b), 0600, "b.sock %o", file_mode(b));
	/* Without umask, the one poold was started with (the harness's). */
	h_write_file(conf, strstr(text, "pool a"));
	cr_assert_eq(h_ctl(&pd, "reload", reply, sizeof(reply)), 0, "%s", reply);
	cr_assert(h_wait_exits(&pd, "b", "reload", 1, 3 * H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, kids, 2), 2);
	cr_assert(proc_umask(kids[0]) != 077 && proc_umask(kids[1]) != 077,
	    "the old umask stayed");
	cr_assert_eq(proc_umask(pd.pd_pid), proc_umask(getpid()));
}

/*
 * --log-level debug, as Gunicorn's: the configuration in force at start
 * and after a reload, each spawn with its command and environment, each
 * change of /readyz, each request of a built-in worker; secrets in env
 * shown as ***, never in the clear.
 */
Test(workers, debug_level_logs_config_spawns_readiness_and_requests)
{
	char	conf[H_PATH_MAX], text[1024], buf[H_REPORT_MAX], want[256];
	char	reply[H_REPORT_MAX], *log;
	int	web = h_free_port(), api = h_free_port();

	snprintf(text, sizeof(text), "log_level = \"debug\"\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--env\", \"GREETING\" }\n"
	    "  env = { \"GREETING=hi there\", \"API_TOKEN=s3cret\" }\n"
	    "  workers = 1\n}\n"
	    "pool api {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n}\n", web, h_tworker_path(), api);
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_count(pd.pd_log, "readiness: /readyz answers 200", 1,
	    3 * H_WAIT_MS), "no readiness change logged");
	cr_assert(h_log_has(&pd, "config in force: pool \"web\" {"));
	cr_assert(h_log_has(&pd, "config in force:   env = { \"GREETING=hi "
	    "there\", \"API_TOKEN=***\" }"));
	snprintf(want, sizeof(want), "pool web: worker 0: exec %s --env "
	    "GREETING", h_tworker_path());
	cr_assert(h_log_has(&pd, want), "no exec line");
	cr_assert(h_log_has(&pd, "pool web: worker 0: environment: poold's, "
	    "and 'GREETING=hi there' API_TOKEN=*** LISTEN_FDS=1"));
	cr_assert(h_log_has(&pd, "pool api: worker 0: built-in sync worker"));
	cr_assert_eq(h_http(api, "GET /debug-me", buf, sizeof(buf)), 200);
	cr_assert(h_wait_count(pd.pd_log, "request from 127.0.0.1: GET "
	    "/debug-me HTTP/1.0: 200", 1, H_WAIT_MS), "no request line");
	cr_assert_eq(h_ctl(&pd, "reload", reply, sizeof(reply)), 0, "%s",
	    reply);
	cr_assert(h_wait_count(pd.pd_log, "config after the reload: pool "
	    "\"api\" {", 1, H_WAIT_MS));
	cr_assert_not_null(log = malloc(1 << 20));
	cr_assert_geq(h_read_file(pd.pd_log, log, 1 << 20), 0);
	cr_assert_null(strstr(log, "s3cret"), "a secret in the log");
	free(log);
}

/* At the default level, none of it. */
Test(workers, info_level_keeps_debug_lines_out)
{
	char	buf[H_REPORT_MAX], bind_to[32];
	int	port = h_free_port();

	snprintf(bind_to, sizeof(bind_to), "127.0.0.1:%d", port);
	const char *args[] = { "-b", bind_to, "-w", "1", NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_ready(&pd, 1, 3 * H_WAIT_MS));
	cr_assert_eq(h_http(port, "GET /x", buf, sizeof(buf)), 200);
	cr_assert_not(h_log_has(&pd, "config in force"));
	cr_assert_not(h_log_has(&pd, "request from"));
	cr_assert_not(h_log_has(&pd, "built-in sync worker"));
	cr_assert_not(h_log_has(&pd, "readiness:"));
}

/*
 * --reload, Gunicorn's development reloader: a change to a pool's code
 * (here a script its command runs, rewritten, then replaced by a rename
 * as an editor does) replaces that pool's workers, new ones first; a
 * change to the configuration file reloads it.
 */
Test(workers, reload_flag_follows_code_and_config)
{
	char	conf[H_PATH_MAX], app[H_PATH_MAX], tmp[H_PATH_MAX + 8];
	char	text[H_PATH_MAX * 2 + 256], script[H_PATH_MAX + 64];
	int	port = h_free_port();

	h_path(&pd, "app.sh", app, sizeof(app));
	snprintf(script, sizeof(script), "exec %s \"$@\"\n", h_tworker_path());
	h_write_file(app, script);
	h_path(&pd, "poold.conf", conf, sizeof(conf));
#define RELOAD_CONF "pool web {\n  listen = { \"127.0.0.1:%d\" }\n" \
	"  command = { \"/bin/sh\", \"%s\" }\n  workers = %d\n}\n"
	snprintf(text, sizeof(text), RELOAD_CONF, port, app, 1);
	h_write_file(conf, text);
	const char *args[] = { "--reload", "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_count(pd.pd_log, "reload: watching 3 file(s)", 1,
	    H_WAIT_MS), "not watching the file, /bin/sh and the script");
	cr_assert(h_wait_ready(&pd, 1, 3 * H_WAIT_MS));
	h_write_file(app, script);
	cr_assert(h_wait_exits(&pd, "web", "restart", 1, 3 * H_WAIT_MS),
	    "the worker was not replaced when its script changed");
	snprintf(text, sizeof(text), "reload: %s changed", app);
	cr_assert(h_log_has(&pd, text), "the change was not named");
	cr_assert(h_wait_ready(&pd, 1, 3 * H_WAIT_MS));
	snprintf(tmp, sizeof(tmp), "%s.new", app);
	h_write_file(tmp, script);
	cr_assert_eq(rename(tmp, app), 0);
	cr_assert(h_wait_exits(&pd, "web", "restart", 2, 3 * H_WAIT_MS),
	    "a rename over the script was not seen");
	snprintf(text, sizeof(text), RELOAD_CONF, port, app, 3);
	h_write_file(conf, text);
	cr_assert(h_wait_count(pd.pd_log, "changed; reloading the "
	    "configuration", 1, H_WAIT_MS));
	/* The reload's rolling replacement done, its three are left. */
	cr_assert(h_wait_exits(&pd, "web", "reload", 1, 3 * H_WAIT_MS));
	cr_assert(h_wait_children(&pd, 3, 3 * H_WAIT_MS));
#undef RELOAD_CONF
}

/* Without --reload, nothing is watched and a change does nothing. */
Test(workers, no_reload_without_the_flag)
{
	char	conf[H_PATH_MAX], text[H_PATH_MAX + 256];
	int	port = h_free_port();

	h_path(&pd, "poold.conf", conf, sizeof(conf));
	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\" }\n  workers = 1\n}\n", port,
	    h_tworker_path());
	h_write_file(conf, text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_ready(&pd, 1, 3 * H_WAIT_MS));
	h_write_file(conf, text);
	/* With --reload, one would begin FW_QUIET_MS (0.25 s) after the
	   write: four times that, and none did. */
	cr_assert_not(h_wait_count(pd.pd_log, "reloading the configuration",
	    1, 1000));
	cr_assert_not(h_log_has(&pd, "reload: watching"));
}

/* boot_window: an exec worker of ready = started is not ready before
   it has lived that long (the default, 1 s, would have made it so). */
Test(workers, boot_window_holds_readiness)
{
	char	conf[H_PATH_MAX], text[H_PATH_MAX + 256];
	json_t	*r = NULL, *w;
	int	port = h_free_port();

	snprintf(text, sizeof(text), "pool web {\n  listen = { \"127.0.0.1:%d"
	    "\" }\n  command = { \"%s\" }\n  workers = 1\n"
	    "  boot_window = 30\n}\n", port, h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	/* Until it is past the default window, a bounded number of looks. */
	for (int tries = 0; ; tries++) {
		cr_assert_lt(tries, 500, "the worker never got 1.5 s old");
		json_decref(r);
		r = h_ctl_json(&pd, "workers");
		w = json_array_get(json_object_get(r, "workers"), 0);
		if (json_number_value(json_object_get(w, "age")) >= 1.5)
			break;
		h_pause();
	}
	cr_assert(json_is_false(json_object_get(w, "ready")),
	    "ready before its boot_window");
	json_decref(r);
}

/* Every fd of the arbiter above stderr must be close-on-exec. */
Test(workers, arbiter_fds_are_close_on_exec)
{
	char	bind[32], sock[H_PATH_MAX], ubind[300], path[64], line[128];
	DIR	*d;
	struct dirent *de;
	int	checked = 0;

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	snprintf(ubind, sizeof(ubind), "unix:%s",
	    h_path(&pd, "w.sock", sock, sizeof(sock)));
	const char *args[] = { "-b", bind, "-b", ubind, "-w", "1", "--",
	    h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_wait_count(pd.pd_log, "started (pid", 1, H_WAIT_MS));
	snprintf(path, sizeof(path), "/proc/%ld/fdinfo", (long)pd.pd_pid);
	cr_assert_not_null(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		long	fd = strtol(de->d_name, NULL, 10);
		FILE	*f;
		unsigned long flags = 0;

		if (de->d_name[0] == '.' || fd <= 2)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%ld",
		    (long)pd.pd_pid, fd);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			sscanf(line, "flags: %lo", &flags);
		fclose(f);
		cr_expect(flags & O_CLOEXEC, "arbiter fd %ld lacks O_CLOEXEC",
		    fd);
		checked++;
	}
	closedir(d);
	/* two listeners, the signalfd and the epoll fd at least */
	cr_assert_geq(checked, 4);
}
