/* SPDX-License-Identifier: ISC */
/* The sentinel (sentinel.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arbiter.h"
#include "cgroup.h"
#include "log.h"
#include "pool.h"
#include "sentinel.h"
#include "spawn.h"

#define SENTINEL_MAX	65536	/* process groups it keeps, at most */

static int	 wfd = -1;	/* our end of its pipe */
static pid_t	 spid = -1;
static bool	 lagged;	/* a record could not be sent: said once */
static unsigned	 restarts;	/* it died and was started again */

#define RESTARTS_MAX	5	/* then it is not started any more */

/* -- in the sentinel ------------------------------------------------------ */

static pid_t	*groups;
static size_t	 ngroups;

static void
note(int32_t rec)
{
	pid_t pid = rec > 0 ? rec : -rec;

	for (size_t i = 0; i < ngroups; i++) {
		if (groups[i] != pid)
			continue;
		if (rec < 0)
			groups[i] = groups[--ngroups];
		return;
	}
	if (rec > 0 && ngroups < SENTINEL_MAX)
		groups[ngroups++] = pid;
}

static void __attribute__((noreturn))
watch(int rfd, int up, int cgerr)
{
	static const int quiet[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
	    SIGUSR1, SIGUSR2, SIGWINCH, SIGTTIN, SIGTTOU, SIGPIPE };
	int32_t	 buf[256];
	size_t	 have = 0;
	ssize_t	 n;
	int	 fds[2] = { rfd, cg_fd() };

	/* In our cgroup leaf (cgfork) before the arbiter goes on. */
	cg_sentinel_enter(cgerr);
	(void)!write(up, "u", 1);
	(void)close(up);
	/* Signals for the arbiter's process group are not for us: we go
	   when the arbiter does, and only then. */
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		(void)signal(quiet[i], SIG_IGN);
	/* The pipe at fd 3 and the cgroups' directory at 4, alone. */
	spawn_place_fds(fds, fds[1] != -1 ? 2 : 1);
	if (fds[1] != -1)
		cg_moved(4);
	if ((groups = calloc(SENTINEL_MAX, sizeof(*groups))) == NULL)
		_exit(1);
	for (;;) {
		n = read(3, (char *)buf + have, sizeof(buf) - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		for (size_t i = 0; i < have / sizeof(*buf); i++)
			note(buf[i]);
		/* Records are written whole (4 bytes < PIPE_BUF): a part
		   would only be a short read's, kept for the next. */
		memmove(buf, (char *)buf + have - have % sizeof(*buf),
		    have % sizeof(*buf));
		have %= sizeof(*buf);
	}
	/* The arbiter is gone (or ended with nothing left to kill): the
	   cgroups hold the whole trees; process groups, those that did not
	   leave them. */
	for (size_t i = 0; i < ngroups; i++)
		(void)kill(-groups[i], SIGKILL);
	cg_sentinel_finish();
	_exit(0);
}

/* -- in the arbiter ------------------------------------------------------- */

static void
send_rec(int32_t rec)
{
	if (wfd == -1)
		return;
	if (write(wfd, &rec, sizeof(rec)) == (ssize_t)sizeof(rec))
		return;
	if (!lagged)
		log_warn("sentinel: cannot tell it about pid %ld; if poold is "
		    "killed, that worker's children may outlive it",
		    (long)(rec > 0 ? rec : -rec));
	lagged = true;
}

/* Every worker now running, for a sentinel that starts late. */
static void
send_all(void)
{
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);

		for (size_t j = 0; j < p->p_nw; j++)
			send_rec((int32_t)p->p_w[j].w_pid);
	}
}

int
sentinel_start(void)
{
	int	p[2], up[2], cgdir, cgerr = 0;
	char	c;

	if (wfd != -1)
		return 0;	/* carried over an in-place upgrade */
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(up, O_CLOEXEC) == -1) {
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	cgdir = cg_sentinel_dir();
	spid = spawn_named_cgfork("poold-sentinel", cgdir, &cgerr);
	if (cgdir != -1)
		(void)close(cgdir);	/* its copy closes with the rest */
	if (spid == -1) {
		(void)close(p[0]);
		(void)close(p[1]);
		(void)close(up[0]);
		(void)close(up[1]);
		return -1;
	}
	if (spid == 0)
		watch(p[0], up[1], cgerr);
	(void)close(p[0]);
	(void)close(up[1]);
	/* A byte once it is named and about to watch, or the end of the
	   pipe if it died first (reap() then starts another). */
	while (read(up[0], &c, 1) == -1 && errno == EINTR)
		;
	(void)close(up[0]);
	/* Never block the arbiter on it: a record that does not fit is
	   reported and lost. */
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1)
		log_warn("sentinel: O_NONBLOCK");
	wfd = p[1];
	send_all();
	return 0;
}

void
sentinel_add(pid_t pid)
{
	send_rec((int32_t)pid);
}

void
sentinel_remove(pid_t pid)
{
	send_rec(-(int32_t)pid);
}

bool
sentinel_reaped(pid_t pid, int status)
{
	if (pid != spid || spid == -1)
		return false;
	(void)close(wfd);
	wfd = -1;
	spid = -1;
	/* One that dies at once would make us fork it in a loop. */
	if (++restarts > RESTARTS_MAX) {
		log_errorx("sentinel (pid %ld) ended (status 0x%x), %u times: "
		    "no more; a kill -9 of poold may now leave workers' "
		    "children behind", (long)pid, status, restarts);
		return true;
	}
	log_errorx("sentinel (pid %ld) ended (status 0x%x); starting another",
	    (long)pid, status);
	if (sentinel_start() == -1)
		log_warn("sentinel");
	return true;
}

int
sentinel_fd(void)
{
	return wfd;
}

pid_t
sentinel_pid(void)
{
	return spid;
}

void
sentinel_adopt(int fd, pid_t pid)
{
	if (fd < 3 || pid <= 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return;
	wfd = fd;
	spid = pid;
}

void
sentinel_forget(void)
{
	wfd = -1;
	spid = -1;
}

void
sentinel_stop(bool wait)
{
	pid_t	r;
	int	status;

	if (wfd == -1)
		return;
	(void)close(wfd);	/* it finishes: nothing left to kill */
	wfd = -1;
	if (!wait) {
		spid = -1;
		return;
	}
	/* Its cleanup done before ours (and as PID 1 of a namespace, our
	   exit would kill it mid-way); a second at most. */
	for (int i = 0; i < 100 && spid > 0; i++) {
		if ((r = waitpid(spid, &status, WNOHANG)) == spid ||
		    (r == -1 && errno != EINTR))
			break;
		(void)usleep(10000);
	}
	spid = -1;
}
