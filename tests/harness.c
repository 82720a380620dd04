/* SPDX-License-Identifier: ISC */
/*
 * Integration test helpers.  Every wait is a condition polled against a
 * deadline, every loop is bounded, and every process started here is ended
 * by its pid.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "pace.h"

#define POLL_STEP_MS	10

long
h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
h_pause(void)
{
	struct timespec ts = { 0, POLL_STEP_MS * 1000000L };

	nanosleep(&ts, NULL);
}

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

const char *
h_poold_path(void)
{
	return env_or("POOLD", "supervisor/poold");
}

const char *
h_tworker_path(void)
{
	return env_or("TWORKER", "tests/tworker");
}

/* Only lo, up: false (errno set) where unshare is not permitted. */
static bool
private_net(void)
{
	struct ifreq	ifr = { .ifr_name = "lo" };
	int		fd;

	if (unshare(CLONE_NEWNET) == -1)
		return false;
	/* From here the test has no network but what it brings up. */
	cr_assert_neq(fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), -1,
	    "socket: %s", strerror(errno));
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0, "SIOCGIFFLAGS lo: %s",
	    strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0, "SIOCSIFFLAGS lo: %s",
	    strerror(errno));
	close(fd);
	return true;
}

/* Once per test (each is a process of its own): a second poold of the
   same test must share the first one's network. */
static bool
net_once(void)
{
	static enum { UNTRIED, PRIVATE, SHARED } net = UNTRIED;

	if (net == UNTRIED) {
		net = private_net() ? PRIVATE : SHARED;
		/* Said as information: Criterion makes a run that logged a
		   warning exit 1, which make check takes for a failure. */
		if (net == SHARED)
			cr_log_info("no network namespace of its own (unshare: "
			    "%s): this test shares the host's network and "
			    "opens at most %d connections/s", strerror(errno),
			    PACE_SHARED);
	}
	return net == PRIVATE;
}

int
h_rate(const struct poold *pd)
{
	return pd->pd_private_net ? PACE_PRIVATE : PACE_SHARED;
}

void
h_pace(const struct poold *pd, long *next_us)
{
	struct timespec	ts;
	long		now = h_now_ms() * 1000L, wait;

	/* After a slow turn, catch up 10 ms of the pace at most, as the
	   load client does: never a burst over it. */
	if (*next_us < now - 10000L)
		*next_us = now - 10000L;
	if ((wait = *next_us - now) > 0) {
		ts.tv_sec = wait / 1000000L;
		ts.tv_nsec = wait % 1000000L * 1000L;
		nanosleep(&ts, NULL);
	}
	*next_us += 1000000L / h_rate(pd);
}

void
h_setup(struct poold *pd)
{
	memset(pd, 0, sizeof(*pd));
	pd->pd_pid = -1;
	pd->pd_private_net = net_once();
	snprintf(pd->pd_dir, sizeof(pd->pd_dir), "/tmp/poold-test.XXXXXX");
	cr_assert_not_null(mkdtemp(pd->pd_dir), "mkdtemp: %s",
	    strerror(errno));
	h_path(pd, "poold.log", pd->pd_log, sizeof(pd->pd_log));
	h_path(pd, "workers.log", pd->pd_wlog, sizeof(pd->pd_wlog));
	h_path(pd, "ctl.sock", pd->pd_ctl, sizeof(pd->pd_ctl));
}

const char *
h_path(struct poold *pd, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", pd->pd_dir, name);
	return buf;
}

void
h_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	cr_assert_geq(fputs(text, f), 0);
	cr_assert_eq(fclose(f), 0);
}

static const char *const manager_env[] = { "NOTIFY_SOCKET",
    "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
    "LISTEN_FDNAMES", "INVOCATION_ID" };

static void
child_exec(struct poold *pd, const char *const args[],
    const char *const env[])
{
	const char	*argv[64];
	size_t		 n = 0;
	int		 fd;

	for (size_t i = 0; pd->pd_wrap != NULL && pd->pd_wrap[i] != NULL &&
	    n < 32; i++)
		argv[n++] = pd->pd_wrap[i];
	argv[n++] = h_poold_path();
	argv[n++] = "--control";
	argv[n++] = pd->pd_ctl;
	for (size_t i = 0; args[i] != NULL && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* If the test process dies, poold (and so its workers) dies too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = open(pd->pd_log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		_exit(126);
	/* In the foreground of a terminal, as when run by hand. */
	if (pd->pd_tty > 2 && (setsid() == -1 ||
	    ioctl(pd->pd_tty, TIOCSCTTY, 0) == -1 || dup2(pd->pd_tty, 0) == -1))
		_exit(125);
	/* Only stdio: Criterion's own pipes must not outlive the test. */
	if (pd->pd_keep_fd >= 3) {
		if (pd->pd_keep_fd > 3)
			syscall(SYS_close_range, 3U, pd->pd_keep_fd - 1U, 0U);
		syscall(SYS_close_range, pd->pd_keep_fd + 1U, ~0U, 0U);
	} else
		syscall(SYS_close_range, 3U, ~0U, 0U);
	/* What a service manager running the suite gave it is not poold's:
	   a test says what its poold inherits. */
	for (size_t i = 0; i < sizeof(manager_env) / sizeof(*manager_env);
	    i++)
		unsetenv(manager_env[i]);
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		putenv((char *)env[i]);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

void
h_start(struct poold *pd, const char *const args[], const char *const env[])
{
	sigset_t none;

	pd->pd_reaped = false;
	pd->pd_pid = fork();
	cr_assert_neq(pd->pd_pid, -1, "fork: %s", strerror(errno));
	if (pd->pd_pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		child_exec(pd, args, env);
	}
}

void
h_start_conf(struct poold *pd, const char *fmt, ...)
{
	char	conf[H_PATH_MAX], text[8192];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(text), "config too long");
	h_write_file(h_path(pd, "poold.conf", conf, sizeof(conf)), text);
	const char *args[] = { "-c", conf, NULL };
	h_start(pd, args, NULL);
	cr_assert(h_ctl_ready(pd, H_WAIT_MS), "control socket not up");
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	remove(path);
	return 0;
}

void
h_pid1_wrap(struct poold *pd)
{
	static const char *const wrap[] = { "unshare", "--pid", "--fork",
	    NULL };

	/* A container without CAP_SYS_ADMIN cannot make one: say so. */
	if (system("unshare --pid --fork true >/dev/null 2>&1") != 0)
		cr_skip_test("unshare --pid is not permitted here");
	pd->pd_wrap = wrap;
}

pid_t
h_pid1_arbiter(struct poold *pd)
{
	pid_t arbiter = -1;

	for (int i = 0; i < H_WAIT_MS / 10 && arbiter == -1; i++)
		if (h_children(pd->pd_pid, &arbiter, 1) != 1)
			usleep(10000);
	cr_assert_neq(arbiter, -1, "unshare started nothing");
	cr_assert(h_wait_count(pd->pd_log, "arbiter running (pid 1)", 1,
	    H_WAIT_MS), "poold is not PID 1 there");
	return arbiter;
}

void
h_teardown(struct poold *pd)
{
	/* Not our child, so no PDEATHSIG: it must be ended here. */
	if (pd->pd_daemon > 0)
		kill(pd->pd_daemon, SIGKILL);
	if (pd->pd_pid > 0 && !pd->pd_reaped) {
		kill(pd->pd_pid, SIGKILL);
		waitpid(pd->pd_pid, NULL, 0);
		pd->pd_reaped = true;
	}
	if (getenv("POOLD_TEST_VERBOSE") != NULL) {
		char cmd[H_PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "cat %s >&2", pd->pd_log);
		(void)!system(cmd);
	}
	if (pd->pd_dir[0] != '\0')
		nftw(pd->pd_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
h_free_port(void)
{
	int port, fd = h_bound(&port);

	close(fd);
	return port;
}

bool
h_port_free(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd, one = 1, rc;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_neq(fd, -1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return rc == 0;
}

bool
h_wait_port_free(int port, int timeout_ms)
{
	long deadline = h_now_ms() + timeout_ms;

	for (;;) {
		if (h_port_free(port))
			return true;
		if (h_now_ms() >= deadline)
			return false;
		h_pause();
	}
}

bool
h_wait_file(const char *path, int timeout_ms)
{
	long deadline = h_now_ms() + timeout_ms;

	for (;;) {
		if (access(path, F_OK) == 0)
			return true;
		if (h_now_ms() >= deadline)
			return false;
		h_pause();
	}
}

void
h_signal(struct poold *pd, int sig)
{
	cr_assert_eq(kill(pd->pd_pid, sig), 0, "kill poold: %s",
	    strerror(errno));
}

bool
h_wait_exit(struct poold *pd, int timeout_ms, int *status)
{
	long	deadline = h_now_ms() + timeout_ms;
	pid_t	r;

	if (pd->pd_reaped) {
		*status = pd->pd_status;
		return true;
	}
	do {
		r = waitpid(pd->pd_pid, &pd->pd_status, WNOHANG);
		if (r == pd->pd_pid) {
			pd->pd_reaped = true;
			*status = pd->pd_status;
			return true;
		}
		cr_assert_neq(r, -1, "waitpid: %s", strerror(errno));
		h_pause();
	} while (h_now_ms() < deadline);
	return false;
}

int
h_run(struct poold *pd, const char *const args[], int timeout_ms)
{
	int status;

	h_start(pd, args, NULL);
	cr_assert(h_wait_exit(pd, timeout_ms, &status),
	    "poold did not exit within %d ms", timeout_ms);
	return status;
}

long
h_proc_status(pid_t pid, const char *key, int base)
{
	char	path[64], line[256];
	FILE	*f;
	long	v = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (v == -1 && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, base);
	fclose(f);
	return v;
}

ssize_t
h_read_file(const char *path, char *buf, size_t len)
{
	size_t	got = 0;
	ssize_t	r = 0;
	int	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || len == 0)
		return -1;
	while (got + 1 < len && (r = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fd);
	return r == -1 ? -1 : (ssize_t)got;
}

const char *
h_log_line(struct poold *pd, const char *needle, char *buf, size_t len)
{
	FILE		*f = fopen(pd->pd_log, "r");
	const char	*found = NULL;

	if (f == NULL)
		return NULL;
	while (found == NULL && fgets(buf, (int)len, f) != NULL) {
		if (strstr(buf, needle) != NULL)
			found = buf;
	}
	fclose(f);
	return found;
}

int
h_count(const char *path, const char *needle)
{
	char	 line[H_REPORT_MAX];
	FILE	*f;
	int	 n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

bool
h_wait_count(const char *path, const char *needle, int n, int timeout_ms)
{
	long deadline = h_now_ms() + timeout_ms;

	for (;;) {
		if (h_count(path, needle) >= n)
			return true;
		if (h_now_ms() >= deadline)
			return false;
		h_pause();
	}
}

bool
h_log_has(struct poold *pd, const char *needle)
{
	return h_count(pd->pd_log, needle) > 0;
}

/* ppid and state of pid from /proc/PID/stat; -1 if gone. */
static pid_t
proc_ppid(pid_t pid, char *state)
{
	char	 path[64], buf[512], *p;
	FILE	*f;
	long	 ppid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* The command name may hold spaces and parentheses: skip past the
	   last ')'. */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %ld", state, &ppid) != 2)
		return -1;
	return (pid_t)ppid;
}

/* Children of parent, the living ones or the zombies; the first max
   pids in out (may be NULL). */
/* poold's own helpers, which are its children but not its workers: the
   sentinel, and the guardian of an in-place upgrade. */
static bool
is_helper(pid_t pid)
{
	char	 path[64], comm[32] = "";
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "poold-sentinel", 14) == 0 ||
	    strncmp(comm, "poold-guardian", 14) == 0;
}

static size_t
scan_children(pid_t parent, bool zombies, pid_t *out, size_t max)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;
	char		 state;

	cr_assert_not_null(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL) {
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid <= 0 || proc_ppid(pid, &state) != parent ||
		    (state == 'Z') != zombies || is_helper(pid))
			continue;
		if (out != NULL && n < max)
			out[n] = pid;
		n++;
	}
	closedir(d);
	return n;
}

size_t
h_children(pid_t parent, pid_t *out, size_t max)
{
	return scan_children(parent, false, out, max);
}

pid_t
h_ppid(pid_t pid)
{
	char state;

	return proc_ppid(pid, &state);
}

size_t
h_zombies(pid_t parent)
{
	return scan_children(parent, true, NULL, 0);
}

bool
h_wait_children(struct poold *pd, size_t n, int timeout_ms)
{
	long deadline = h_now_ms() + timeout_ms;

	for (;;) {
		if (h_children(pd->pd_pid, NULL, 0) == n)
			return true;
		if (h_now_ms() >= deadline)
			return false;
		h_pause();
	}
}

bool
h_wait_gone(pid_t pid, int timeout_ms)
{
	struct pollfd	pfd = { .events = POLLIN };
	int		rc;

	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd == -1)
		return errno == ESRCH;
	rc = poll(&pfd, 1, timeout_ms);
	close(pfd.fd);
	return rc == 1;
}

static int
read_report(int fd, char *buf, size_t len)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	size_t		got = 0;
	ssize_t		n;

	while (got + 1 < len) {
		if (poll(&pfd, 1, H_WAIT_MS) != 1)
			break;
		if ((n = read(fd, buf + got, len - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return got > 0 && buf[got - 1] == '\n' ? 0 : -1;
}

unsigned long long
h_cpu_ns(pid_t pid)
{
	char			 path[64];
	unsigned long long	 ns = 0;
	FILE			*f;

	snprintf(path, sizeof(path), "/proc/%ld/schedstat", (long)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

int
h_query_tcp(int port, char *buf, size_t len)
{
	int fd = h_tcp_connect(port);

	return fd == -1 ? -1 : read_report(fd, buf, len);
}

int
h_unix_connect(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
h_query_unix(const char *path, char *buf, size_t len)
{
	int fd = h_unix_connect(path);

	return fd == -1 ? -1 : read_report(fd, buf, len);
}

const char *
h_field(const char *line, const char *key, char *out, size_t len)
{
	size_t		 klen = strlen(key);
	const char	*p = line;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			size_t n = strcspn(p, " \n");
			if (n >= len)
				n = len - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return out;
		}
		p += klen;
	}
	return NULL;
}

pid_t
h_worker_in_slot(struct poold *pd, unsigned slot)
{
	char	 line[512], val[32];
	FILE	*f;
	pid_t	 pid = -1;
	long	 deadline = h_now_ms() + H_WAIT_MS;

	/* The worker may not have written its first line yet (a slow or
	   sanitized build): wait for one, within the deadline. */
	while (pid == -1 && h_now_ms() < deadline) {
		if ((f = fopen(pd->pd_wlog, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL) {
				if (strncmp(line, "start ", 6) != 0 ||
				    h_field(line, "id", val,
				    sizeof(val)) == NULL ||
				    strtoul(val, NULL, 10) != slot ||
				    h_field(line, "pid", val,
				    sizeof(val)) == NULL)
					continue;
				pid = (pid_t)strtol(val, NULL, 10);
			}
			fclose(f);
		}
		if (pid == -1)
			usleep(5000);
	}
	return pid;
}

int
h_ctl_connect(struct poold *pd)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	if (strlen(pd->pd_ctl) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, pd->pd_ctl, strlen(pd->pd_ctl) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
h_read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	long		deadline = h_now_ms() + timeout_ms;
	size_t		got = 0;
	ssize_t		n;

	/* Byte by byte: a test must not swallow the next line. */
	while (got + 1 < len) {
		long left = deadline - h_now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			return -1;
		if ((n = read(fd, buf + got, 1)) <= 0)
			return -1;
		if (buf[got] == '\n') {
			buf[got] = '\0';
			return 0;
		}
		got++;
	}
	return -1;
}

int
h_ctl(struct poold *pd, const char *request, char *reply, size_t len)
{
	int	fd, rc = -1;
	size_t	n = strlen(request);

	if ((fd = h_ctl_connect(pd)) == -1)
		return -1;
	if (write(fd, request, n) == (ssize_t)n && write(fd, "\n", 1) == 1)
		rc = h_read_line(fd, reply, len, H_WAIT_MS);
	close(fd);
	return rc;
}

/* The sum of the pools' "ready" counts in a status reply. */
static long
ready_sum(const char *reply)
{
	const char	*p = reply;
	long		 n = 0;

	while ((p = strstr(p, "\"ready\":")) != NULL) {
		p += 8;
		while (*p == ' ')
			p++;
		n += strtol(p, NULL, 10);
	}
	return n;
}

bool
h_wait_ready(struct poold *pd, int n, int timeout_ms)
{
	char	reply[H_REPORT_MAX * 4];
	long	deadline = h_now_ms() + timeout_ms;

	while (h_now_ms() < deadline) {
		if (h_ctl(pd, "status", reply, sizeof(reply)) == 0 &&
		    ready_sum(reply) >= n)
			return true;
		usleep(10000);
	}
	return false;
}

bool
h_ctl_ready(struct poold *pd, int timeout_ms)
{
	char	reply[H_REPORT_MAX];
	long	deadline = h_now_ms() + timeout_ms;

	for (;;) {
		if (h_ctl(pd, "hello", reply, sizeof(reply)) == 0)
			return true;
		if (h_now_ms() >= deadline)
			return false;
		h_pause();
	}
}

int
h_poolctl(struct poold *pd, const char *const args[], char *out, size_t len)
{
	const char	*argv[32];
	size_t		 n = 0, got = 0;
	int		 fds[2], status;
	pid_t		 pid;
	ssize_t		 r;

	argv[n++] = getenv("POOLCTL") ? getenv("POOLCTL") : "ctl/poolctl";
	argv[n++] = "-s";
	argv[n++] = pd->pd_ctl;
	for (size_t i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (got + 1 < len && (r = read(fds[0], out + got,
	    len - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int
h_bound(int *port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		sl = sizeof(sin);
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

int
h_listener(int *port)
{
	int fd = h_bound(port);

	cr_assert_eq(listen(fd, 16), 0);
	return fd;
}

int
h_keep_listener(struct poold *pd, int at)
{
	int port, fd = h_listener(&port);

	/* dup2 clears close-on-exec: poold inherits it. */
	cr_assert_eq(dup2(fd, at), at);
	close(fd);
	pd->pd_keep_fd = at;
	return port;
}

int
h_tcp_connect(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	struct pollfd		pfd = { .events = POLLOUT };
	int			fd, err = 0;
	socklen_t		sl = sizeof(err);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	pfd.fd = fd;
	/* Non-blocking, for a deadline: a blocking connect(2) whose SYNs
	   are dropped waits out the kernel's retries, two minutes. */
	if ((connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    (errno != EINPROGRESS || poll(&pfd, 1, H_WAIT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1 ||
	    err != 0)) || fcntl(fd, F_SETFL, 0) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
h_send(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
h_occurrences(const char *buf, const char *needle)
{
	int n = 0;

	for (const char *p = buf; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

size_t
h_recv(int fd, char *buf, size_t len, const char *needle, int n,
    int timeout_ms, bool *closed)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	long		deadline = h_now_ms() + timeout_ms;
	size_t		got = 0;
	ssize_t		r;

	*closed = false;
	buf[0] = '\0';
	while (got + 1 < len) {
		long left = deadline - h_now_ms();
		if (needle != NULL && h_occurrences(buf, needle) >= n)
			break;
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			break;
		if ((r = read(fd, buf + got, len - 1 - got)) <= 0) {
			*closed = true;
			break;
		}
		got += (size_t)r;
		buf[got] = '\0';
	}
	return got;
}

int
h_http(int port, const char *what, char *buf, size_t len)
{
	char	 req[256];
	bool	 closed;
	int	 fd, n;

	buf[0] = '\0';
	n = snprintf(req, sizeof(req), "%s HTTP/1.0\r\n\r\n", what);
	if (n < 0 || (size_t)n >= sizeof(req) ||
	    (fd = h_tcp_connect(port)) == -1)
		return -1;
	if (h_send(fd, req, (size_t)n) == -1) {
		close(fd);
		return -1;
	}
	h_recv(fd, buf, len, NULL, 0, H_WAIT_MS, &closed);
	close(fd);
	if (!closed || strncmp(buf, "HTTP/1.", 7) != 0 || strlen(buf) < 12)
		return -1;
	return (int)strtol(buf + 9, NULL, 10);
}

int
h_http_get(int port, char *buf, size_t len)
{
	return h_http(port, "GET /", buf, len) == 200 ? 0 : -1;
}

long
h_hello_pid(int port)
{
	char buf[512];

	if (h_http_get(port, buf, sizeof(buf)) == -1)
		return -1;
	return h_reply_pid(buf);
}

long
h_reply_pid(const char *buf)
{
	const char *p = strstr(buf, ", pid ");

	/* The body ends with the pid and a newline. */
	if (p == NULL || strchr(p, '\n') == NULL)
		return -1;
	return strtol(p + 6, NULL, 10);
}

bool
h_have(const char *prog)
{
	const char	*path = getenv("PATH");
	char		 dir[H_PATH_MAX], file[2 * H_PATH_MAX];

	for (const char *p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0';
	    p += strcspn(p, ":") + (p[strcspn(p, ":")] == ':')) {
		size_t n = strcspn(p, ":");
		if (n == 0 || n >= sizeof(dir))
			continue;
		memcpy(dir, p, n);
		dir[n] = '\0';
		snprintf(file, sizeof(file), "%s/%s", dir, prog);
		if (access(file, X_OK) == 0)
			return true;
	}
	return false;
}
