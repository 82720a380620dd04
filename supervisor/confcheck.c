/* SPDX-License-Identifier: ISC */
/*
 * --check-config's checks of the world (confcheck.h).  Each looks without
 * touching: a log file is opened for append only if it exists already, a
 * missing one only has its directory looked at, and an app module is
 * loaded in a child that exits, so that its constructors cannot harm the
 * checker.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "cgroup.h"
#include "conf.h"
#include "confcheck.h"
#include "loop.h"
#include "reexec.h"
#include "spawn.h"
#include "worker.h"

#define WORLD_CHECK_MS	5000	/* app modules' constructors, at most */

size_t
confcheck_nlisteners(const struct poold_conf *c)
{
	size_t n = 0;

	/* validate() refused an address named twice: each is one socket. */
	for (size_t i = 0; i < c->c_npools; i++)
		n += c->c_pools[i].pc_nlisten;
	return n;
}

/* "FILE:LINE: pool NAME: " before what is wrong with a pool's option
   (at line, 0 if it is not from the file); -1 always. */
static int __attribute__((format(printf, 6, 7)))
pool_fail(const struct poold_conf *c, const struct pool_conf *pc,
    unsigned line, char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;
	int	n = 0;

	if (c->c_path != NULL && line > 0)
		n = snprintf(err, len, "%s:%u: ", c->c_path, line);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(err + n, len - (size_t)n, "pool %s: ",
		    pc->pc_name);
	if (n >= 0 && (size_t)n < len) {
		va_start(ap, fmt);
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A host name in a bind resolves, as the bind would need it to. */
static int
check_hosts(const struct poold_conf *c, const struct pool_conf *pc,
    char *err, size_t len)
{
	struct addrinfo	 hints = { .ai_socktype = SOCK_STREAM,
			     .ai_flags = AI_PASSIVE }, *res;
	int		 rc;

	for (size_t j = 0; j < pc->pc_nlisten; j++) {
		const struct addr *a = &pc->pc_listen[j];

		if (a->a_kind != ADDR_TCP || a->a_host[0] == '\0')
			continue;
		if ((rc = getaddrinfo(a->a_host, NULL, &hints, &res)) != 0)
			return pool_fail(c, pc, pc->pc_listen_line, err, len,
			    "listen %s:%u: %s",
			    a->a_host, a->a_port, rc == EAI_SYSTEM ?
			    strerror(errno) : gai_strerror(rc));
		freeaddrinfo(res);
	}
	return 0;
}

/* "FILE:LINE: " at err when line is the file's; how much was written. */
static size_t
place(const struct poold_conf *c, unsigned line, char *err, size_t len)
{
	int n;

	if (c->c_path == NULL || line == 0 ||
	    (n = snprintf(err, len, "%s:%u: ", c->c_path, line)) < 0 ||
	    (size_t)n >= len)
		return 0;
	return (size_t)n;
}

/* path's directory exists and we may create files in it; else -1 with
   err saying which of these is not so. */
static int
check_dir_of(const char *what, const char *path, char *err, size_t len)
{
	char		 buf[PATH_MAX];
	const char	*dir;
	struct stat	 st;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (stat(dir, &st) == -1)
		snprintf(err, len, "%s %s: cannot be created: %s: %s", what,
		    path, dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		snprintf(err, len, "%s %s: cannot be created: %s is not a "
		    "directory", what, path, dir);
	else if (access(dir, W_OK | X_OK) == -1)
		snprintf(err, len, "%s %s: cannot be created in %s: %s", what,
		    path, dir, strerror(errno));
	else
		return 0;
	return -1;
}

/*
 * A log file poold appends to (what names it, at line of c's file, 0 if
 * a flag did): if it exists, it opens for append now; if not, it can be
 * created.
 */
static int
check_append(const struct poold_conf *c, unsigned line, const char *what,
    const char *path, char *err, size_t len)
{
	size_t	at;
	int	fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	at = place(c, line, err, len);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) != -1) {
		(void)close(fd);
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(err + at, len - at, "%s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	return check_dir_of(what, path, err + at, len - at);
}

/* The pidfile is written beside itself and renamed over (pidfile.c):
   its directory must take new files, whatever the old file's mode. */
static int
check_pidfile(const struct poold_conf *c, char *err, size_t len)
{
	struct stat	st;
	size_t		at;

	if (c->c_pidfile == NULL)
		return 0;
	at = place(c, c->c_pidfile_line, err, len);
	if (stat(c->c_pidfile, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err + at, len - at, "pidfile %s: a directory",
		    c->c_pidfile);
		return -1;
	}
	return check_dir_of("pidfile", c->c_pidfile, err + at, len - at);
}

/* The app module loads, in a child, as the pool's user (a module its
   user may write must not run as root here), by deadline. */
static int
check_app(const struct poold_conf *c, const struct pool_conf *pc,
    uint64_t deadline, char *err, size_t len)
{
	char		why[512] = "";
	int		p[2], status = 0;
	ssize_t		n = 0;
	pid_t		pid;
	struct pollfd	pfd;

	if (pc->pc_app == NULL)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return pool_fail(c, pc, pc->pc_app_line, err, len, "app %s: %s",
		    pc->pc_app, strerror(errno));
	if (pid == 0) {
		(void)close(p[0]);
		spawn_drop_privileges(pc);
		if (app_check(pc->pc_app, why, sizeof(why)) == 0)
			_exit(0);
		(void)!write(p[1], why, strlen(why));
		_exit(1);
	}
	(void)close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	if (poll(&pfd, 1, (int)(deadline > ev_now_ms() ? deadline -
	    ev_now_ms() : 0)) == 1)
		n = read(p[0], why, sizeof(why) - 1);
	why[n > 0 ? n : 0] = '\0';
	(void)close(p[0]);
	if (reexec_probe_wait(pid, deadline, &status) == 0 &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return pool_fail(c, pc, pc->pc_app_line, err, len, "%s", *why ? why :
	    "app: loading it crashed or hung");
}

/* The option of l that needs a controller have lacks, and which; NULL
   if none does. */
static const char *
unmet(const struct cg_limits *l, unsigned have, const char **controller)
{
	*controller = "memory";
	if (!(have & CGR_MEMORY) && l->cl_memory_max > 0)
		return "memory_max";
	if (!(have & CGR_MEMORY) && l->cl_memory_high > 0)
		return "memory_high";
	*controller = "pids";
	return !(have & CGR_PIDS) && l->cl_tasks_max > 0 ? "tasks_max" : NULL;
}

int
confcheck_cgroups(const struct poold_conf *c, char *err, size_t len)
{
	const char	*why, *what, *controller;
	unsigned	 have = cg_available(c->c_cgroups, &why);

	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];

		if ((what = unmet(&pc->pc_limits, have, &controller)) == NULL)
			continue;
		snprintf(err, len, "pool %s: %s needs the %s controller in "
		    "each worker's cgroup, which is not there: %s", pc->pc_name,
		    what, controller, why != NULL ? why : "unknown");
		return -1;
	}
	return 0;
}

int
confcheck_world(const struct poold_conf *c, char *err, size_t len)
{
	if (check_pidfile(c, err, len) == -1 || check_append(c,
	    c->c_error_log_line, "error log", c->c_error_log, err, len) == -1 ||
	    check_append(c, c->c_access_log_line, "access log",
	    c->c_access_log, err, len) == -1)
		return -1;
	/* An upgrade's probe inherits bound sockets: a slow resolver must
	   not run its deadline out for nothing. */
	bool		probe = getenv(REEXEC_PROBE_ENV) != NULL;
	uint64_t	deadline = ev_now_ms() + WORLD_CHECK_MS;

	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];

		if ((!probe && check_hosts(c, pc, err, len) == -1) ||
		    check_app(c, pc, deadline, err, len) == -1)
			return -1;
	}
	/* Which controllers there are depends on the cgroup this check
	   runs in, a login shell's, say, not the service's: a warning,
	   unless the file itself turned cgroups off, or this is an
	   upgrade's probe, which runs where the new program will. */
	if (confcheck_cgroups(c, err, len) == -1) {
		if (probe || !c->c_cgroups)
			return -1;
		fprintf(stderr, "poold: warning: %s (as seen from the cgroup "
		    "this check runs in; poold's own may differ)\n", err);
	}
	return 0;
}
