/* SPDX-License-Identifier: ISC */
/*
 * poold under systemd, without systemd: sockets passed by the real
 * systemd-socket-activate (Debian's systemd package), and a notify socket
 * of the test's own standing in for the manager, which checks the exact
 * sequence poold sends it.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

#define MSGS_MAX	256

static struct poold pd;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(systemd, .init = setup, .fini = teardown, .timeout = 60);

/* -- socket activation ---------------------------------------------------- */

/* Start poold under systemd-socket-activate with the given listen and
   name arguments (NULL-terminated), then args for poold. */
static void
activate(const char *const *wrap, const char *const *args)
{
	pd.pd_wrap = wrap;
	h_start(&pd, args, NULL);
}

/* systemd-socket-activate execs poold at the first connection: retry
   until poold answers. */
static long
first_answer(int port)
{
	long pid = -1;

	for (int i = 0; i < H_WAIT_MS / 20 && pid == -1; i++) {
		if ((pid = h_hello_pid(port)) == -1)
			usleep(20000);
	}
	return pid;
}

Test(systemd, one_named_socket)
{
	char	 l[32];
	int	 port = h_free_port();

	snprintf(l, sizeof(l), "127.0.0.1:%d", port);
	const char *wrap[] = { "systemd-socket-activate", "-l", l,
	    "--fdname=web", NULL };
	const char *args[] = { "-k", "sync", "-w", "1", "-b", "systemd:web",
	    NULL };
	activate(wrap, args);
	cr_assert_gt(first_answer(port), 0, "no answer on the passed socket");
	cr_assert(h_wait_count(pd.pd_log, "passed as web", 1, H_WAIT_MS));
	cr_assert_eq(h_count(pd.pd_log, "bind"), 0, "bound a socket itself");
}

/* One .socket unit with several named sockets feeds several pools; the
   one no pool names is reported and closed. */
Test(systemd, several_named_sockets_feed_pools)
{
	char	 conf[H_PATH_MAX], text[1024], l1[32], l2[32], l3[32];
	char	 buf[H_REPORT_MAX], name[64];
	int	 p1 = h_free_port(), p2 = h_free_port(), p3 = h_free_port();

	snprintf(l1, sizeof(l1), "127.0.0.1:%d", p1);
	snprintf(l2, sizeof(l2), "127.0.0.1:%d", p2);
	snprintf(l3, sizeof(l3), "127.0.0.1:%d", p3);
	snprintf(text, sizeof(text),
	    "pool web {\n  listen = { \"systemd:web\" }\n  worker = sync\n"
	    "  workers = 1\n}\n"
	    "pool backend {\n  listen = { \"systemd:api\" }\n"
	    "  command = { \"%s\" }\n  workers = 1\n}\n", h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *wrap[] = { "systemd-socket-activate", "-l", l1,
	    "--fdname=web:api:spare", "-l", l2, "-l", l3, NULL };
	const char *args[] = { "-c", conf, NULL };
	activate(wrap, args);
	cr_assert_gt(first_answer(p1), 0, "web not served");
	for (int i = 0; i < 100 && h_query_tcp(p2, buf, sizeof(buf)) != 0;
	    i++)
		usleep(20000);
	cr_assert_eq(h_query_tcp(p2, buf, sizeof(buf)), 0, "api not served");
	/* The worker sees the socket's name as systemd passed it, not its
	   pool's. */
	cr_assert_not_null(h_field(buf, "fdnames", name, sizeof(name)), "%s",
	    buf);
	cr_assert_str_eq(name, "api");
	cr_assert(h_wait_count(pd.pd_log, "(spare) is used by no pool; "
	    "closing it", 1, H_WAIT_MS));
	cr_assert_lt(h_tcp_connect(p3), 0, "the unused socket still "
	    "accepts");
}

Test(systemd, every_passed_socket)
{
	char	 l1[32], l2[32];
	int	 p1 = h_free_port(), p2 = h_free_port();

	snprintf(l1, sizeof(l1), "127.0.0.1:%d", p1);
	snprintf(l2, sizeof(l2), "127.0.0.1:%d", p2);
	const char *wrap[] = { "systemd-socket-activate", "-l", l1, "-l", l2,
	    NULL };
	const char *args[] = { "-k", "sync", "-w", "1", "-b", "systemd",
	    NULL };
	activate(wrap, args);
	cr_assert_gt(first_answer(p1), 0);
	cr_assert_gt(first_answer(p2), 0);
}

Test(systemd, a_missing_name_is_a_startup_error)
{
	char	 l[32];
	int	 port = h_free_port(), status, fd;

	snprintf(l, sizeof(l), "127.0.0.1:%d", port);
	const char *wrap[] = { "systemd-socket-activate", "-l", l,
	    "--fdname=web", NULL };
	const char *args[] = { "-k", "sync", "-b", "systemd:nope", NULL };
	activate(wrap, args);
	fd = -1;
	for (int i = 0; i < 100 && fd == -1; i++)
		if ((fd = h_tcp_connect(port)) == -1)
			usleep(20000);
	cr_assert_neq(fd, -1);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status), "poold kept running");
	close(fd);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	cr_assert(h_log_has(&pd, "no socket named nope was passed (passed: "
	    "web)"), "unclear error");
}

/* -- the notify protocol to the manager --------------------------------- */

struct manager {
	int	m_fd;
	char	m_msgs[MSGS_MAX][256];
	size_t	m_n;
};

static void
manager_open(struct manager *m, char *path, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(m, 0, sizeof(*m));
	h_path(&pd, "notify", path, len);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	m->m_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_neq(m->m_fd, -1);
	cr_assert_eq(bind(m->m_fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
}

/*
 * A manager's socket, and poold started under it with a sync pool of
 * `workers` on a free port, WATCHDOG_USEC set when watchdog is not NULL
 * (pd.pd_wrap as the caller left it).  The time it was started.
 */
static long
start_managed(struct manager *m, int workers, const char *watchdog)
{
	char	path[H_PATH_MAX], env1[H_PATH_MAX + 16], wd[64];
	char	bind_to[32], n[16];
	long	t0;

	manager_open(m, path, sizeof(path));
	snprintf(env1, sizeof(env1), "NOTIFY_SOCKET=%s", path);
	snprintf(wd, sizeof(wd), "WATCHDOG_USEC=%s", watchdog ? watchdog : "");
	snprintf(bind_to, sizeof(bind_to), "127.0.0.1:%d", h_free_port());
	snprintf(n, sizeof(n), "%d", workers);
	const char *env[] = { env1, watchdog ? wd : NULL, NULL };
	const char *args[] = { "-k", "sync", "-w", n, "-b", bind_to, NULL };
	t0 = h_now_ms();
	h_start(&pd, args, env);
	return t0;
}

/* One datagram within 0.1 s: a WATCHDOG=1 is counted in *pings, any
   other kept in m; the kept one, or NULL. */
static const char *
manager_next(struct manager *m, int *pings)
{
	struct timeval	tv = { .tv_sec = 0, .tv_usec = 100000 };
	char		buf[256];
	ssize_t		n;

	if (m->m_n >= MSGS_MAX || setsockopt(m->m_fd, SOL_SOCKET,
	    SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    (n = recv(m->m_fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return NULL;
	buf[n] = '\0';
	if (strcmp(buf, "WATCHDOG=1") == 0) {
		(*pings)++;
		return NULL;
	}
	snprintf(m->m_msgs[m->m_n], sizeof(m->m_msgs[0]), "%s", buf);
	return m->m_msgs[m->m_n++];
}

/* Read datagrams until one starts with prefix; false at the deadline. */
static bool
manager_wait(struct manager *m, const char *prefix, int *pings)
{
	long		 deadline = h_now_ms() + 2 * H_WAIT_MS;
	const char	*msg;

	while (h_now_ms() < deadline && m->m_n < MSGS_MAX) {
		if ((msg = manager_next(m, pings)) != NULL &&
		    strncmp(msg, prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

/* Until *pings reaches n (other messages are kept), for 2 s at most. */
static bool
manager_pings(struct manager *m, int n, int *pings)
{
	long deadline = h_now_ms() + 2000;

	while (*pings < n && h_now_ms() < deadline && m->m_n < MSGS_MAX)
		(void)manager_next(m, pings);
	return *pings >= n;
}

/* The kinds of the messages kept, in order, as "R S L R T". */
static void
manager_kinds(const struct manager *m, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < m->m_n && k + 2 < len; i++) {
		const char *s = m->m_msgs[i];
		out[k++] = strncmp(s, "READY=1", 7) == 0 ? 'R' :
		    strncmp(s, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0 ? 'L' :
		    strncmp(s, "STOPPING=1", 10) == 0 ? 'T' :
		    strncmp(s, "STATUS=", 7) == 0 ? 'S' : '?';
	}
	out[k] = '\0';
}

Test(systemd, notify_sequence_ready_reload_stop_and_watchdog)
{
	struct manager	 m;
	char		 kinds[MSGS_MAX];
	int		 pings = 0, status;

	(void)start_managed(&m, 2, "400000");
	cr_assert(manager_wait(&m, "READY=1", &pings), "no READY=1");
	cr_assert_str_eq(m.m_msgs[m.m_n - 1],
	    "READY=1\nSTATUS=1 pool(s), 2/2 workers ready");
	/* Ready means ready: not before both workers said they accept. */
	cr_assert_eq(h_count(pd.pd_log, "ready after"), 2, "READY=1 before "
	    "the workers were ready");
	h_signal(&pd, SIGHUP);
	cr_assert(manager_wait(&m, "RELOADING=1", &pings), "no RELOADING=1");
	cr_assert(manager_wait(&m, "READY=1", &pings), "no READY=1 after "
	    "the reload");
	/* While the new workers boot, STATUS= says the reload rolls, not
	   "0/2 ready": the old ones still serve. */
	cr_assert(manager_wait(&m, "STATUS=1 pool(s), reloading: 0/2 "
	    "replaced, 2 older serving", &pings), "no reloading status");
	cr_assert(manager_wait(&m, "STATUS=1 pool(s), 2/2 workers ready",
	    &pings), "the status did not come back to ready");
	/* Pinged at half of 0.4 s: four within well more than a second. */
	cr_assert(manager_pings(&m, 4, &pings), "only %d WATCHDOG=1", pings);
	h_signal(&pd, SIGTERM);
	cr_assert(manager_wait(&m, "STOPPING=1", &pings), "no STOPPING=1");
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	manager_kinds(&m, kinds, sizeof(kinds));
	/* Status lines may come between; nothing else, in this order. */
	cr_assert(strspn(kinds, "RSLT") == strlen(kinds), "%s", kinds);
	cr_assert_eq(kinds[0], 'R', "%s", kinds);
	cr_assert_not_null(strstr(kinds, "LR"), "%s", kinds);
	cr_assert_eq(kinds[strlen(kinds) - 1], 'T', "%s", kinds);
	close(m.m_fd);
}

/* poolctl upgrade is a reload to the manager: RELOADING=1, then READY=1
   from the same pid once the new workers are ready. */
Test(systemd, in_place_upgrade_is_a_reload_to_the_manager)
{
	struct manager	 m;
	char		 reply[H_REPORT_MAX], kinds[MSGS_MAX];
	int		 pings = 0;

	(void)start_managed(&m, 1, NULL);
	cr_assert(manager_wait(&m, "READY=1", &pings));
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(manager_wait(&m, "RELOADING=1", &pings), "no RELOADING=1");
	/* Meanwhile STATUS= says so: the old one serves, the new boots. */
	cr_assert(manager_wait(&m, "STATUS=1 pool(s), upgrading: 0/1 replaced, "
	    "1 older serving", &pings), "no upgrading status: %s",
	    m.m_msgs[m.m_n - 1]);
	cr_assert(manager_wait(&m, "READY=1", &pings), "no READY=1 after");
	manager_kinds(&m, kinds, sizeof(kinds));
	cr_assert(strspn(kinds, "RSL") == strlen(kinds), "%s", kinds);
	cr_assert_not_null(strstr(kinds, "LS"), "%s", kinds);
	cr_assert_eq(kinds[strlen(kinds) - 1], 'R', "%s", kinds);
	close(m.m_fd);
}

/* The arbiter refused a USR2 (it names `poolctl upgrade`), started no
   other arbiter, and serves on. */
static void
usr2_was_refused(const char *because)
{
	char	reply[H_REPORT_MAX];
	int	status;

	cr_assert(h_wait_count(pd.pd_log, "USR2 refused", 1, H_WAIT_MS),
	    "USR2 was not refused");
	cr_assert(h_log_has(&pd, because), "the refusal does not say why");
	cr_assert(h_log_has(&pd, "poolctl upgrade"));
	cr_assert_eq(h_count(pd.pd_log, "arbiter running"), 1,
	    "a new arbiter started");
	cr_assert_eq(h_ctl(&pd, "status", reply, sizeof(reply)), 0);
	cr_assert_not(h_wait_exit(&pd, 0, &status), "the arbiter is gone");
}

/* USR2 under a manager that follows poold by its pid (NOTIFY_SOCKET):
   refused, for a new arbiter would have another pid, which systemd
   does not supervise as its own child; nothing is said to the manager,
   and `poolctl upgrade` upgrades in the same pid. */
Test(systemd, usr2_under_a_manager_is_refused)
{
	struct manager	 m;
	char		 kinds[MSGS_MAX], reply[H_REPORT_MAX];
	int		 pings = 0;
	size_t		 before;

	(void)start_managed(&m, 1, NULL);
	cr_assert(manager_wait(&m, "READY=1", &pings));
	before = m.m_n;
	h_signal(&pd, SIGUSR2);
	usr2_was_refused("NOTIFY_SOCKET");
	/* The refusal sent nothing; an upgrade in place still works. */
	cr_assert_eq(h_ctl(&pd, "upgrade", reply, sizeof(reply)), 0);
	cr_assert(manager_wait(&m, "RELOADING=1", &pings), "no RELOADING=1");
	cr_assert_eq(m.m_n, before + 1, "the manager was told: %s",
	    m.m_msgs[before]);
	manager_kinds(&m, kinds, sizeof(kinds));
	cr_assert_null(strchr(kinds, '?'), "%s", kinds);
	close(m.m_fd);
}

/* Any systemd unit (INVOCATION_ID), Type=notify or not. */
Test(systemd, usr2_in_a_systemd_unit_is_refused)
{
	const char *env[] = { "INVOCATION_ID=0123456789abcdef0123456789abcdef",
	    NULL };
	char	bind_to[32];

	snprintf(bind_to, sizeof(bind_to), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-k", "sync", "-w", "1", "-b", bind_to, NULL };
	h_start(&pd, args, env);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	h_signal(&pd, SIGUSR2);
	usr2_was_refused("INVOCATION_ID");
}

/* Without NOTIFY_SOCKET, nothing is sent and nothing breaks; with it,
   workers never see the manager's socket. */
Test(systemd, workers_do_not_see_the_managers_socket)
{
	struct manager	 m;
	char		 path[H_PATH_MAX], env1[H_PATH_MAX + 16], buf[4096];
	char		 bind_to[32];
	int		 pings = 0, port = h_free_port();

	manager_open(&m, path, sizeof(path));
	snprintf(env1, sizeof(env1), "NOTIFY_SOCKET=%s", path);
	snprintf(bind_to, sizeof(bind_to), "127.0.0.1:%d", port);
	const char *env[] = { env1, NULL };
	const char *args[] = { "-w", "1", "-b", bind_to, "--",
	    h_tworker_path(), NULL };
	h_start(&pd, args, env);
	cr_assert(manager_wait(&m, "READY=1", &pings));
	cr_assert_eq(h_query_tcp(port, buf, sizeof(buf)), 0);
	cr_assert_null(strstr(buf, path), "a worker got the manager's "
	    "socket: %s", buf);
	close(m.m_fd);
}

/* -- the journal ---------------------------------------------------------- */

/* With stderr the stream JOURNAL_STREAM names, lines carry syslog
   priorities and no time stamp of their own. */
Test(systemd, journal_lines_carry_priorities)
{
	struct stat	 st;
	char		 js[64], bind_to[32];
	int		 status;

	/* The harness makes the log file poold's fd 2: that is our
	   "journal". */
	h_write_file(pd.pd_log, "");
	cr_assert_eq(stat(pd.pd_log, &st), 0);
	snprintf(js, sizeof(js), "JOURNAL_STREAM=%llu:%llu",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	snprintf(bind_to, sizeof(bind_to), "127.0.0.1:%d", h_free_port());
	const char *env[] = { js, NULL };
	const char *args[] = { "-k", "sync", "-w", "1", "-b", bind_to, "-b",
	    "systemd:absent", NULL };
	h_start(&pd, args, env);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert(h_log_has(&pd, "<6>pool main: listening at"),
	    "info line without <6>");
	cr_assert(h_log_has(&pd, "<3>pool main: no socket named absent"),
	    "error line without <3>");
	cr_assert_not(h_log_has(&pd, "] [info] "), "time stamps kept");
}

/* -- PID 1 in a container ----------------------------------------------- */

/*
 * poold as PID 1 of a PID namespace: orphans that land on it are reaped,
 * not only its workers, and sig stops it as it would anywhere.
 */
static void
pid1(int sig, const char *how)
{
	char	 conf[H_PATH_MAX], text[1024];
	pid_t	 arbiter = -1;
	int	 status;

	h_pid1_wrap(&pd);
	/* Each worker leaves an orphan behind: a subshell's sleep. */
	snprintf(text, sizeof(text),
	    "log_level = \"debug\"\npool web {\n"
	    "  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"/bin/sh\", \"-c\", \"(sleep 0.2 &); exec %s\" }"
	    "\n  workers = 2\n}\n", h_free_port(), h_tworker_path());
	h_write_file(h_path(&pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(&pd, args, NULL);
	arbiter = h_pid1_arbiter(&pd);
	cr_assert(h_wait_count(pd.pd_log, "not a worker", 2, H_WAIT_MS),
	    "orphans not reaped");
	cr_assert_eq(h_zombies(arbiter), 0);
	cr_assert_eq(kill(arbiter, sig), 0);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status), "PID 1 ignored %s",
	    how);
	cr_assert(h_log_has(&pd, how));
	cr_assert(h_log_has(&pd, "all workers stopped; exiting"));
}

Test(systemd, pid1_reaps_orphans_and_stops_on_term)
{
	pid1(SIGTERM, "graceful stop");
}

/* INT from a process (Nomad's kill_signal) stops gracefully too; QUIT
   is the quick stop. */
Test(systemd, pid1_stops_on_int)
{
	pid1(SIGINT, "signal INT: graceful stop");
}

Test(systemd, pid1_stops_quickly_on_quit)
{
	pid1(SIGQUIT, "signal QUIT: quick stop");
}

/* The new arbiter of a USR2 under socket activation, with listen =
   systemd: the control socket it is handed is not taken for a pool. */
Test(systemd, usr2_with_every_passed_socket)
{
	char	 l[32];
	int	 port = h_free_port();
	long	 fresh = -1;
	const char *p;
	char	 buf[256];

	snprintf(l, sizeof(l), "127.0.0.1:%d", port);
	const char *wrap[] = { "systemd-socket-activate", "-l", l, NULL };
	const char *args[] = { "-k", "sync", "-w", "1", "-b", "systemd",
	    NULL };
	activate(wrap, args);
	cr_assert_gt(first_answer(port), 0);
	h_signal(&pd, SIGUSR2);
	cr_assert(h_wait_count(pd.pd_log, "arbiter running", 2, H_WAIT_MS),
	    "the new arbiter did not start");
	cr_assert(h_wait_count(pd.pd_log, "new arbiter started (pid", 1,
	    H_WAIT_MS));
	if ((p = h_log_line(&pd, "new arbiter started (pid ", buf,
	    sizeof(buf))) != NULL && (p = strstr(p, "(pid ")) != NULL)
		fresh = strtol(p + 5, NULL, 10);
	pd.pd_daemon = (pid_t)fresh;
	cr_assert_gt(fresh, 0);
	cr_assert_not(h_log_has(&pd, "in use"), "control socket clash");
	cr_assert_eq(h_count(pd.pd_log, "passed as control"), 0);
}

