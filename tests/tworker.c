/* SPDX-License-Identifier: ISC */
/*
 * tworker: worker program for poold's integration tests.
 *
 * It snapshots what poold handed over (open fds, environment, signal
 * mask and ignored signals) before changing anything, and writes that
 * snapshot as one line to every client that connects.  Options make it
 * crash, exit on a timer, ignore SIGTERM, log signals to a file, or speak
 * the notify protocol (readiness, watchdog, anything raw), boot slowly
 * or hold memory, so the tests can drive the supervisor's error and
 * health paths.  With --tree it forks a child and a grandchild (and with
 * --tree-setsid one more grandchild in a session of its own) that hold
 * the inherited sockets and sleep, as a program's helpers would, and
 * writes "PID KIND" lines to the file, so that tests can see what of a
 * worker's tree outlives it.
 */

#define _GNU_SOURCE

#include <sys/socket.h>
#include <sys/un.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#define FIRST_LISTEN_FD	3
#define MAX_LISTEN_FDS	64
#define MAX_ENV		16
#define MAX_FDS		1024
#define REPORT_MAX	4096	/* bytes per report line, newline included */
#define LOG_LINE_MAX	512
#define EXIT_TIMER	3	/* exit status for --exit-after */

struct options {
	int		 o_exit;		/* -1: not requested */
	long		 o_exit_after;		/* ms, -1: not requested */
	int		 o_ignore_term;
	const char	*o_log;
	const char	*o_env[MAX_ENV];
	int		 o_nenv;
	long		 o_ready_after;		/* ms, -1: never READY=1 */
	int		 o_watchdog;		/* WATCHDOG=1 as asked */
	const char	*o_notify;		/* sent once at start */
	int		 o_libsystemd;		/* send with sd_notify(3) */
	int		 o_boot;		/* accept only once ready */
	long		 o_leak_mib;		/* hold this much, touched */
	long		 o_slow_ms;		/* hold each client this long */
	const char	*o_tree;		/* fork descendants, note them */
	int		 o_tree_setsid;		/* one of them in its own session */
	const char	*o_einhorn_ack;		/* "json", "yaml": at start */
};

/* What the worker inherited, recorded before it changes anything. */
struct startup {
	int		 st_fds[MAX_FDS];
	int		 st_nfds;
	int		 st_fds_trunc;
	const char	*st_listen_fds;
	const char	*st_listen_pid;
	const char	*st_fdnames;
	const char	*st_pool;
	const char	*st_id;
	const char	*st_notify;
	int		 st_listen_pid_ok;
	int		 st_nlisten;
	int		 st_sigmask_empty;
	uint32_t	 st_sigign;		/* bit n: signal n was SIG_IGN */
};

struct line {
	char		 l_buf[REPORT_MAX + 1];	/* + NUL from vsnprintf */
	size_t		 l_len;
	int		 l_trunc;
};

static volatile sig_atomic_t	got_term, got_int, got_usr1;
static int			logfd = -1;
static pid_t			mypid;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: tworker [--exit code] [--exit-after ms] "
	    "[--ignore-term] [--log file] [--env name ...] [--ready-after ms] "
	    "[--watchdog] [--notify message] [--libsystemd] [--boot ms] "
	    "[--leak mib] [--slow ms] [--tree file [--tree-setsid]] "
	    "[--einhorn-ack json|yaml]\n");
	exit(1);
}

static long
parse_number(const char *what, const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		errx(1, "invalid %s: \"%s\"", what, s);
	return v;
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "exit",		required_argument,	NULL, 'x' },
		{ "exit-after",		required_argument,	NULL, 'a' },
		{ "ignore-term",	no_argument,		NULL, 'i' },
		{ "log",		required_argument,	NULL, 'l' },
		{ "env",		required_argument,	NULL, 'e' },
		{ "ready-after",	required_argument,	NULL, 'r' },
		{ "watchdog",		no_argument,		NULL, 'w' },
		{ "notify",		required_argument,	NULL, 'n' },
		{ "libsystemd",		no_argument,		NULL, 's' },
		{ "boot",		required_argument,	NULL, 'b' },
		{ "leak",		required_argument,	NULL, 'm' },
		{ "slow",		required_argument,	NULL, 'w' + 256 },
		{ "tree",		required_argument,	NULL, 't' },
		{ "tree-setsid",	no_argument,		NULL, 'T' },
		{ "einhorn-ack",	required_argument,	NULL, 'E' },
		{ NULL,			0,			NULL, 0 }
	};
	int	ch;

	memset(o, 0, sizeof(*o));
	o->o_exit = -1;
	o->o_exit_after = -1;
	o->o_ready_after = -1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'x':
			o->o_exit = (int)parse_number("--exit", optarg, 0, 255);
			break;
		case 'a':
			o->o_exit_after = parse_number("--exit-after", optarg,
			    0, INT_MAX);
			break;
		case 'i':
			o->o_ignore_term = 1;
			break;
		case 'l':
			o->o_log = optarg;
			break;
		case 'e':
			if (o->o_nenv == MAX_ENV)
				errx(1, "at most %d --env options", MAX_ENV);
			o->o_env[o->o_nenv++] = optarg;
			break;
		case 'r':
			o->o_ready_after = parse_number("--ready-after", optarg,
			    0, INT_MAX);
			break;
		case 'w':
			o->o_watchdog = 1;
			break;
		case 'n':
			o->o_notify = optarg;
			break;
		case 's':
			o->o_libsystemd = 1;
			break;
		case 'b':
			/* A program that initialises before it accepts:
			   READY=1 and the first accept come together. */
			o->o_ready_after = parse_number("--boot", optarg, 0,
			    INT_MAX);
			o->o_boot = 1;
			break;
		case 'm':
			o->o_leak_mib = parse_number("--leak", optarg, 1, 4096);
			break;
		case 'w' + 256:
			o->o_slow_ms = parse_number("--slow", optarg, 1, 60000);
			break;
		case 't':
			o->o_tree = optarg;
			break;
		case 'T':
			o->o_tree_setsid = 1;
			break;
		case 'E':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "yaml") != 0)
				usage();
			o->o_einhorn_ack = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* A descendant: note it, then sleep with the sockets until killed. */
static void __attribute__((noreturn))
tree_node(int fd, const char *kind)
{
	char	buf[64];
	int	n = snprintf(buf, sizeof(buf), "%ld %s\n", (long)getpid(), kind);

	if (write(fd, buf, (size_t)n) != n)
		_exit(1);
	for (;;)
		pause();
}

static void
spawn_tree(const struct options *o)
{
	pid_t	pid;
	int	fd;

	if (o->o_tree == NULL)
		return;
	if ((fd = open(o->o_tree, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1)
		err(1, "open %s", o->o_tree);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if ((pid = fork()) == -1)
			_exit(1);
		if (pid == 0)
			tree_node(fd, "grandchild");
		if (o->o_tree_setsid) {
			if ((pid = fork()) == -1)
				_exit(1);
			if (pid == 0) {
				if (setsid() == -1)
					_exit(1);
				tree_node(fd, "setsid");
			}
		}
		tree_node(fd, "child");
	}
	close(fd);
}

static int
cmp_int(const void *a, const void *b)
{
	int	x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void
scan_fds(struct startup *st)
{
	struct dirent	*de;
	DIR		*d;
	int		 self, fd;

	if ((d = opendir("/proc/self/fd")) == NULL)
		err(1, "opendir /proc/self/fd");
	if ((self = dirfd(d)) == -1)
		err(1, "dirfd");
	for (;;) {
		errno = 0;	/* readdir() reports errors only via errno */
		if ((de = readdir(d)) == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		fd = (int)parse_number("/proc/self/fd entry", de->d_name, 0,
		    INT_MAX);
		if (fd == self)
			continue;
		if (st->st_nfds == MAX_FDS)
			st->st_fds_trunc = 1;
		else
			st->st_fds[st->st_nfds++] = fd;
	}
	if (errno != 0)
		err(1, "readdir /proc/self/fd");
	if (closedir(d) == -1)
		err(1, "closedir");
	qsort(st->st_fds, (size_t)st->st_nfds, sizeof(int), cmp_int);
}

/* Must run before we install handlers or block anything ourselves. */
static void
scan_signals(struct startup *st)
{
	struct sigaction	sa;
	sigset_t		cur;
	int			sig;

	if (sigprocmask(SIG_BLOCK, NULL, &cur) == -1)
		err(1, "sigprocmask");
	st->st_sigmask_empty = sigisemptyset(&cur) == 1;
	for (sig = 1; sig <= 31; sig++) {
		if (sigaction(sig, NULL, &sa) == -1)
			err(1, "sigaction %d", sig);
		if (!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN)
			st->st_sigign |= UINT32_C(1) << sig;
	}
}

/* Strict, like sd_listen_fds(): fds meant for another pid are not ours. */
static void
scan_env(struct startup *st)
{
	long	pid;

	st->st_listen_fds = getenv("LISTEN_FDS");
	st->st_listen_pid = getenv("LISTEN_PID");
	st->st_fdnames = getenv("LISTEN_FDNAMES");
	st->st_pool = getenv("POOLD_POOL");
	st->st_id = getenv("POOLD_WORKER_ID");
	st->st_notify = getenv("NOTIFY_SOCKET");

	if (st->st_listen_fds == NULL || st->st_listen_pid == NULL)
		errx(1, "LISTEN_FDS and LISTEN_PID must be set");
	st->st_nlisten = (int)parse_number("LISTEN_FDS", st->st_listen_fds,
	    0, MAX_LISTEN_FDS);
	pid = parse_number("LISTEN_PID", st->st_listen_pid, 1, INT_MAX);
	st->st_listen_pid_ok = pid == (long)mypid;
	if (!st->st_listen_pid_ok) {
		warnx("LISTEN_PID %ld is not our pid %ld; ignoring sockets",
		    pid, (long)mypid);
		st->st_nlisten = 0;
	}
}

static const char *
dash(const char *s)
{
	return s != NULL ? s : "-";
}

static void __attribute__((format(printf, 1, 2)))
log_line(const char *fmt, ...)
{
	char	buf[LOG_LINE_MAX];
	va_list	ap;
	int	n;
	ssize_t	w;

	if (logfd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(1, "vsnprintf failed");
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	/* One write() per line: O_APPEND keeps concurrent workers apart. */
	while ((w = write(logfd, buf, (size_t)n)) == -1 && errno == EINTR)
		;
	if (w == -1)
		warn("write log");
	else if (w != n)
		warnx("short write to log");
}

static void
open_log(const struct options *o, const struct startup *st)
{
	if (o->o_log == NULL)
		return;
	logfd = open(o->o_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	if (logfd == -1)
		err(1, "%s", o->o_log);
	log_line("start pid=%ld id=%s\n", (long)mypid, dash(st->st_id));
}

static void
on_signal(int sig)
{
	if (sig == SIGTERM)
		got_term = 1;
	else if (sig == SIGINT)
		got_int = 1;
	else if (sig == SIGUSR1 && got_usr1 < SIG_ATOMIC_MAX)
		got_usr1++;
}

/*
 * Our signals stay blocked except inside ppoll(), so the handler never
 * races the main loop and a signal cannot arrive just before we sleep.
 */
static void
setup_signals(const struct options *o, sigset_t *waitmask)
{
	struct sigaction	sa = { .sa_handler = SIG_IGN };
	sigset_t		ours;

	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(1, "sigaction SIGPIPE");
	sigemptyset(&ours);
	sigaddset(&ours, SIGTERM);
	sigaddset(&ours, SIGINT);
	sigaddset(&ours, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &ours, waitmask) == -1)
		err(1, "sigprocmask");
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGUSR1);

	sa.sa_handler = on_signal;	/* no SA_RESTART: end ppoll() */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGUSR1, &sa, NULL) == -1)
		err(1, "sigaction");
	if (o->o_ignore_term)
		sa.sa_handler = SIG_IGN;
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		err(1, "sigaction SIGTERM");
}

/* Non-blocking: a sibling may steal the connection after poll(). */
static void
prepare_listeners(const struct startup *st, struct pollfd *pfd)
{
	int	i, fd, fl;

	for (i = 0; i < st->st_nlisten; i++) {
		fd = FIRST_LISTEN_FD + i;
		if ((fl = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
			err(1, "inherited fd %d", fd);
		pfd[i].fd = fd;
		pfd[i].events = POLLIN;
	}
}

static void __attribute__((format(printf, 2, 3)))
line_add(struct line *l, const char *fmt, ...)
{
	size_t	avail = REPORT_MAX - 1 - l->l_len;	/* keep room for \n */
	va_list	ap;
	int	n;

	if (l->l_trunc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->l_buf + l->l_len, avail + 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > avail) {
		l->l_len = REPORT_MAX - 1;
		l->l_trunc = 1;
	} else
		l->l_len += (size_t)n;
}

/* Keep the report one line whatever the environment contains. */
static void
line_finish(struct line *l)
{
	size_t	i;

	for (i = 0; i < l->l_len; i++)
		if ((unsigned char)l->l_buf[i] < 0x20 || l->l_buf[i] == 0x7f)
			l->l_buf[i] = '?';
	if (l->l_trunc)
		memcpy(l->l_buf + l->l_len - 3, "...", 3);
	l->l_buf[l->l_len++] = '\n';
}

static void
add_fds(struct line *l, const struct startup *st)
{
	int	i;

	if (st->st_nfds == 0)
		line_add(l, "-");
	for (i = 0; i < st->st_nfds; i++)
		line_add(l, "%s%d", i > 0 ? "," : "", st->st_fds[i]);
	if (st->st_fds_trunc)
		line_add(l, ",...");
}

static void
add_sigign(struct line *l, const struct startup *st)
{
	int	sig, first = 1;

	if (st->st_sigign == 0)
		line_add(l, "-");
	for (sig = 1; sig <= 31; sig++) {
		if (st->st_sigign & (UINT32_C(1) << sig)) {
			line_add(l, "%s%d", first ? "" : ",", sig);
			first = 0;
		}
	}
}

/*
 * One line of at most REPORT_MAX bytes, "..." marking a cut; unset values
 * print as "-" and control characters as "?".  Tests parse it as
 * space-separated key=value pairs, so keep the field order stable.
 */
static void
build_report(struct line *l, const struct startup *st,
    const struct options *o, int listener)
{
	int	i;

	memset(l, 0, sizeof(*l));
	line_add(l, "pid=%ld ppid=%ld id=%s pool=%s listen_fds=%s "
	    "listen_pid_ok=%d fdnames=%s fds=", (long)mypid, (long)getppid(),
	    dash(st->st_id), dash(st->st_pool), dash(st->st_listen_fds),
	    st->st_listen_pid_ok, dash(st->st_fdnames));
	add_fds(l, st);
	line_add(l, " notify=%s sigmask_empty=%d sigign=",
	    dash(st->st_notify), st->st_sigmask_empty);
	add_sigign(l, st);
	line_add(l, " listener=%d", listener);
	for (i = 0; i < o->o_nenv; i++)
		line_add(l, " env:%s=%s", o->o_env[i],
		    dash(getenv(o->o_env[i])));
	line_finish(l);
}

/* Errors here only mean the client went away; that is its business. */
static void
send_report(int fd, const struct line *l)
{
	char	 junk[512];
	size_t	 off = 0;
	ssize_t	 n;
	int	 i;

	while (off < l->l_len) {
		if ((n = write(fd, l->l_buf + off, l->l_len - off)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		off += (size_t)n;
	}
	/*
	 * Closing with unread input makes TCP send RST, which can destroy
	 * the report in flight; swallow what the client already sent.
	 */
	if (shutdown(fd, SHUT_WR) == -1)
		return;
	for (i = 0; i < 16; i++)
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
			break;
}

/* Signals stay blocked here, so the whole time passes. */
static void
pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

static void
serve(int lfd, int listener, const struct startup *st,
    const struct options *o)
{
	struct line	l;
	int		fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED || errno == EPROTO)
			return;		/* a sibling won, or client gave up */
		err(1, "accept4");
	}
	if (o->o_slow_ms > 0)
		pause_ms(o->o_slow_ms);
	build_report(&l, st, o, listener);
	send_report(fd, &l);
	if (close(fd) == -1)
		warn("close");
}

static long long
now_ms(void)
{
	struct timespec	now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		err(1, "clock_gettime");
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int use_libsystemd;

/*
 * One datagram to NOTIFY_SOCKET: by hand, or with --libsystemd through
 * libsystemd's sd_notify(3), to show that programs linked with it work
 * unchanged.
 */
static void
notify(const char *msg)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sa = { .sun_family = AF_UNIX };
	socklen_t		 sl;
	int			 fd;

	if (path == NULL || *path == '\0')
		errx(1, "notify: NOTIFY_SOCKET is not set");
	if (use_libsystemd) {
		int r = sd_notify(0, msg);
		if (r <= 0)
			errx(1, "sd_notify: %s", r == 0 ? "no socket" :
			    strerror(-r));
		log_line("notify pid=%ld %.*s\n", (long)mypid,
		    (int)strcspn(msg, "\n"), msg);
		return;
	}
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(1, "notify: NOTIFY_SOCKET too long");
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract */
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "notify: socket");
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, sl) == -1)
		err(1, "notify: sendto %s", path);
	(void)close(fd);
	log_line("notify pid=%ld %.*s\n", (long)mypid,
	    (int)strcspn(msg, "\n"), msg);
}

/*
 * Einhorn's worker:ack on EINHORN_SOCK_PATH, as its clients send it: the
 * Go and Python ones JSON, Ruby's YAML with its newlines escaped as %0A;
 * one line, then close.
 */
static void
einhorn_ack(const char *format)
{
	const char		*path = getenv("EINHORN_SOCK_PATH");
	struct sockaddr_un	 sa = { .sun_family = AF_UNIX };
	char			 msg[128];
	int			 fd, n;

	if (path == NULL || *path == '\0')
		errx(1, "einhorn: EINHORN_SOCK_PATH is not set");
	if (strlen(path) >= sizeof(sa.sun_path))
		errx(1, "einhorn: EINHORN_SOCK_PATH too long");
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract, as Go's net.Dial takes */
	if (strcmp(format, "json") == 0)
		n = snprintf(msg, sizeof(msg), "{\"command\":\"worker:ack\","
		    "\"pid\":%ld}\n", (long)mypid);
	else
		n = snprintf(msg, sizeof(msg), "---%%0Acommand: worker:ack%%0A"
		    "pid: %ld%%0A\n", (long)mypid);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "einhorn: socket");
	if (connect(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(
	    struct sockaddr_un, sun_path) + strlen(path))) == -1)
		err(1, "einhorn: connect %s", path);
	if (write(fd, msg, (size_t)n) != n)
		err(1, "einhorn: write");
	(void)close(fd);
	log_line("einhorn-ack pid=%ld %s\n", (long)mypid, format);
}

/* WATCHDOG=1 four times per WATCHDOG_USEC, as sd_watchdog_enabled(3)
   users commonly do; -1 without a watchdog. */
static long long
watchdog_every(const struct options *o)
{
	const char	*usec = getenv("WATCHDOG_USEC");
	long		 v;

	if (!o->o_watchdog)
		return -1;
	if (usec == NULL)
		errx(1, "--watchdog: WATCHDOG_USEC is not set");
	v = parse_number("WATCHDOG_USEC", usec, 4000, LONG_MAX);
	return v / 4000;
}

static long long
earliest(long long a, long long b)
{
	if (a < 0)
		return b;
	return b < 0 || a < b ? a : b;
}

/* Runs with our signals blocked, so the flags cannot change under us. */
static void
handle_signals(void)
{
	for (; got_usr1 > 0; got_usr1--)
		log_line("usr1 pid=%ld\n", (long)mypid);
	if (got_term) {
		log_line("term pid=%ld\n", (long)mypid);
		exit(0);
	}
	if (got_int)
		exit(0);
}

static void __attribute__((noreturn))
run(const struct startup *st, const struct options *o,
    const sigset_t *waitmask)
{
	struct pollfd		 pfd[MAX_LISTEN_FDS];
	struct timespec		 left, *timeout;
	long long		 t = now_ms(), next, every = watchdog_every(o);
	long long		 exit_at = -1, ready_at = -1, beat_at = -1;
	nfds_t			 nwatch = (nfds_t)st->st_nlisten;
	int			 i;

	prepare_listeners(st, pfd);
	use_libsystemd = o->o_libsystemd;
	if (o->o_exit_after >= 0)
		exit_at = t + o->o_exit_after;
	if (o->o_ready_after >= 0)
		ready_at = t + o->o_ready_after;
	if (o->o_boot)
		nwatch = 0;
	if (every > 0)
		beat_at = t;
	if (o->o_notify != NULL)
		notify(o->o_notify);
	if (o->o_einhorn_ack != NULL)
		einhorn_ack(o->o_einhorn_ack);
	for (;;) {
		handle_signals();
		t = now_ms();
		if (exit_at >= 0 && t >= exit_at)
			exit(EXIT_TIMER);
		if (ready_at >= 0 && t >= ready_at) {
			notify("READY=1\nSTATUS=tworker ready");
			ready_at = -1;
			nwatch = (nfds_t)st->st_nlisten;
		}
		if (beat_at >= 0 && t >= beat_at) {
			notify("WATCHDOG=1");
			beat_at = t + every;
		}
		next = earliest(earliest(exit_at, ready_at), beat_at);
		timeout = NULL;
		if (next >= 0) {
			left.tv_sec = (next - t) / 1000;
			left.tv_nsec = (next - t) % 1000 * 1000000L;
			timeout = &left;
		}
		if (ppoll(pfd, nwatch, timeout, waitmask) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "ppoll");
		}
		for (i = 0; i < (int)nwatch; i++) {
			if (pfd[i].revents & POLLNVAL)
				errx(1, "fd %d is not open", pfd[i].fd);
			if (pfd[i].revents != 0)
				serve(pfd[i].fd, i, st, o);
		}
	}
}

/* Memory a leaky program would have by now, resident (touched). */
static void
leak(long mib)
{
	size_t	 n = (size_t)mib << 20;
	char	*p = malloc(n);

	if (p == NULL)
		err(1, "--leak %ld", mib);
	memset(p, 0x5a, n);
	/* Kept: the process's RSS is the point. */
	__asm__ volatile("" : : "r"(p) : "memory");
}

int
main(int argc, char *argv[])
{
	static struct startup	st;
	struct options		o;
	sigset_t		waitmask;

	parse_options(argc, argv, &o);
	if (o.o_exit >= 0)
		exit(o.o_exit);

	mypid = getpid();
	scan_fds(&st);
	scan_signals(&st);
	scan_env(&st);

	spawn_tree(&o);
	setup_signals(&o, &waitmask);
	open_log(&o, &st);
	if (o.o_leak_mib > 0)
		leak(o.o_leak_mib);
	run(&st, &o, &waitmask);
}
