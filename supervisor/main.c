/* SPDX-License-Identifier: ISC */
/*
 * poold: parse, load, bind, detach, run.  Permanent failures (usage,
 * config) exit with EXIT_USAGE so that a service manager does not retry
 * them; runtime failures (a port in use) exit with EXIT_TEMPFAIL.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arbiter.h"
#include "cgroup.h"
#include "confcheck.h"
#include "confprint.h"
#include "inplace.h"
#include "listeners.h"
#include "log.h"
#include "options.h"
#include "pidfile.h"
#include "reexec.h"
#include "spawn.h"
#include "usr2.h"

static int
null_fd(int target, int flags)
{
	int fd = open("/dev/null", flags | O_CLOEXEC);

	if (fd == -1)
		return -1;
	/* fds 0-2 are meant to be inherited: no close-on-exec on them. */
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	if (dup2(fd, target) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The daemon's end of the pipe its first parent waits on; -1 when done. */
static int	daemon_ready_fd = -1;
/* The terminal's stderr, while the log is a file and we are starting. */
static int	start_err_fd = -1;

#define START_REPORT_MAX	1024

/*
 * The first parent: exit once the daemon says how its start went: 0 when
 * every pool has a ready worker, else the daemon's reason, on our stderr,
 * and EXIT_TEMPFAIL.  So `poold -D && curl ...` works, and a Type=forking
 * unit sees the start succeed or fail.
 */
static void __attribute__((noreturn))
daemon_wait(int fd, const char *log)
{
	char	buf[START_REPORT_MAX];
	size_t	got = 0;
	ssize_t	n;

	while (got < sizeof(buf) - 1 &&
	    ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0 ||
	    (n == -1 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	buf[got] = '\0';
	if (got > 0 && buf[0] == 'R')
		_exit(0);
	if (got > 1)
		fprintf(stderr, "poold: %s\n", buf + 1);
	else
		fprintf(stderr, "poold: the daemon exited before it was ready; "
		    "see %s\n", log != NULL ? log : "its exit status (it had "
		    "no log: run it without -D to see why)");
	_exit(EXIT_TEMPFAIL);
}

/* How the start went (arbiter_on_start): to -D's first parent. */
static void
daemon_started(const char *why)
{
	if (daemon_ready_fd == -1)
		return;
	if (why == NULL)
		(void)!write(daemon_ready_fd, "R", 1);
	else
		(void)!dprintf(daemon_ready_fd, "E%s", why);
	close(daemon_ready_fd);
	daemon_ready_fd = -1;
}

/*
 * A start that fails: in the log, and on the terminal too while the log
 * is a file and one is attached, or to -D's first parent, which prints
 * it: an operator who typed the command sees why it did not start.
 */
static void
start_failed(const char *why)
{
	log_errorx("%s", why);
	if (start_err_fd != -1)
		(void)!dprintf(start_err_fd, "poold: %s\n", why);
	daemon_started(why);
}

static void
start_done(void)
{
	if (start_err_fd != -1)
		close(start_err_fd);
	start_err_fd = -1;
}

/*
 * Detach the classic way: fork so the parent's shell returns, setsid to
 * lose the terminal, fork again so we can never reacquire one.  The first
 * parent stays until daemon_started(), or until the daemon dies.
 */
static int
daemonize(const char *logfile)
{
	int	p[2];
	pid_t	pid, first = getpid();

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		close(p[1]);
		daemon_wait(p[0], logfile);
	}
	close(p[0]);
	if (setsid() == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	daemon_ready_fd = p[1];
	cg_also(first);
	if (chdir("/") == -1 || null_fd(STDOUT_FILENO, O_WRONLY) == -1)
		return -1;
	if (logfile == NULL && null_fd(STDERR_FILENO, O_WRONLY) == -1)
		return -1;
	/* The first parent speaks for the terminal from now on. */
	start_done();
	arbiter_on_start(daemon_started);
	return 0;
}

/*
 * fds 0-2 must be open before anything else is, or a listener could land
 * on one of them and be inherited as a worker's stdout.
 */
static void
stdio_guard(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    null_fd(fd, O_RDWR) == -1)
			_exit(EXIT_TEMPFAIL);
	}
}

/*
 * --chdir DIR, as Gunicorn's: poold works there (a relative -c is read
 * from there), and so do the workers of pools that set no chdir of their
 * own; kept absolute, since -D moves poold to / and a reload applies the
 * command line again.  0, or -1 (said).
 */
static int
work_in(struct cli *cli)
{
	static char	dir[PATH_MAX];

	if (chdir(cli->chdir) == -1 || getcwd(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "poold: --chdir %s: %s\n", cli->chdir,
		    strerror(errno));
		return -1;
	}
	cli->chdir = dir;
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct cli	cli;	/* reload re-reads it: lives forever */
	struct poold_conf	conf;
	char			err[CONF_ERR_MAX];
	char			*pidfile = NULL;
	int			rc, inplace;

	stdio_guard();
	reexec_init(argv);
	usr2_init();
	/* Passed sockets sit at fds 3.., where the next open would land. */
	if (listeners_inherit(err, sizeof(err)) == -1 ||
	    (inplace = inplace_load(err, sizeof(err))) == -1) {
		fprintf(stderr, "poold: %s\n", err);
		return EXIT_USAGE;
	}
	/* Every failure to start goes back to the previous binary if we
	   are a new one run in place (inplace_fallback does nothing else). */
	if (cli_parse(argc, argv, &cli, err, sizeof(err)) == -1) {
		inplace_fallback(err);
		fprintf(stderr, "poold: %s\n", err);
		fprintf(stderr, "Try 'poold --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (cli.help) {
		cli_usage(stdout);
		return 0;
	}
	if (cli.version) {
		printf("poold %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (cli.chdir != NULL && work_in(&cli) == -1) {
		inplace_fallback("--chdir");
		return EXIT_USAGE;
	}
	if (config_load(&cli, &conf, err, sizeof(err)) == -1) {
		inplace_fallback(err);
		fprintf(stderr, "poold: %s\n", err);
		return EXIT_USAGE;
	}
	/* Gunicorn's --print-config: what would run, and nothing runs. */
	if (cli.print_config) {
		int prc = confprint(&conf, false, stdout) == -1 ||
		    fflush(stdout) == EOF ? EXIT_FAILURE : 0;

		config_free(&conf);
		return prc;
	}
	/* Limits that need a controller this machine does not offer: said
	   here, on the terminal, rather than in the daemon's log. */
	if (!cli.check_config && confcheck_cgroups(&conf, err, sizeof(err)) ==
	    -1) {
		inplace_fallback(err);
		fprintf(stderr, "poold: %s\n", err);
		config_free(&conf);
		return EXIT_USAGE;
	}
	if (cli.check_config && confcheck_world(&conf, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "poold: %s\n", err);
		config_free(&conf);
		return EXIT_USAGE;
	}
	if (cli.check_config) {
		printf("poold: configuration ok: %zu pool%s, %zu listener%s\n",
		    conf.c_npools, conf.c_npools == 1 ? "" : "s",
		    confcheck_nlisteners(&conf), confcheck_nlisteners(&conf) == 1 ?
		    "" : "s");
		inplace_probe_answer();
		config_free(&conf);
		return 0;
	}
	log_set_level(conf.c_log_level);
	log_set_format(conf.c_log_format);
	/* Before any file is made: the log, the pidfile, the sockets. */
	spawn_set_umask(conf.c_umask);
	/* Wherever stderr went (a terminal, a file, a pipe): the log file
	   takes fd 2 now, and a failed start must still be seen there. */
	if (conf.c_error_log != NULL && strcmp(conf.c_error_log, "-") != 0 &&
	    !usr2_is_successor() && inplace == 0)	/* fd 2 is the log */
		start_err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (log_open(conf.c_error_log) == -1) {
		inplace_fallback("cannot open the error log");
		fprintf(stderr, "poold: error log %s: %s\n", conf.c_error_log,
		    strerror(errno));
		return EXIT_TEMPFAIL;
	}
	/* Workers inherit fds 0-2; they never read the terminal. */
	if (null_fd(STDIN_FILENO, O_RDONLY) == -1)
		fatal("/dev/null");
	if (conf.c_pidfile != NULL && (pidfile = strdup(conf.c_pidfile)) ==
	    NULL)
		fatal("strdup");
	if (!usr2_is_successor() && inplace == 0)
		cg_sweep_stale(conf.c_cgroups);
	/* A new arbiter started by USR2 stays its predecessor's child until
	   that one exits, and then its parent's: it must not fork away. */
	if (conf.c_daemon && !usr2_is_successor() && inplace == 0) {
		const char *logfile = conf.c_error_log;
		if (arbiter_init(&conf, &cli, err, sizeof(err)) == -1)
			goto initfail;
		if (daemonize(logfile) == -1)
			fatal("daemonize");
	} else if (arbiter_init(&conf, &cli, err, sizeof(err)) == -1) {
		inplace_fallback(err);
		goto initfail;
	}
	if (pidfile != NULL && pidfile_write(pidfile) == -1) {
		snprintf(err, sizeof(err), "pidfile %s: %s", pidfile,
		    strerror(errno));
		start_failed(err);
		arbiter_cleanup();
		return EXIT_TEMPFAIL;
	}
	start_done();
	rc = arbiter_run();
	if (pidfile != NULL)
		pidfile_remove(pidfile);
	usr2_cleanup();
	free(pidfile);
	arbiter_cleanup();
	log_close();
	return rc;
initfail:
	start_failed(err);
	free(pidfile);
	return EXIT_TEMPFAIL;
}
