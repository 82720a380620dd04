/* SPDX-License-Identifier: ISC */
/* The guardian of an in-place upgrade (guardian.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardian.h"
#include "log.h"
#include "spawn.h"

#define GUARDIAN_KEEP_MAX	512	/* above SPAWN_FDS_MAX and a few */
#define CONFIRM			'k'

static int	 confirm_fd = -1;	/* the new program's end */
static pid_t	 guardian;		/* its pid, for the log */

/* The arbiter's signals: the guardian is in its process group and must
   not stop with a Ctrl-C or a TERM meant for the arbiter, which
   dismisses it on its way out anyway. */
static const int held_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
	SIGTTIN, SIGTTOU,
};
#define NHELD	(sizeof(held_signals) / sizeof(held_signals[0]))

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void
close_gap(int from, int to)
{
	if (from > to)
		return;
#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned)from, (unsigned)to, 0) == 0)
		return;
#endif
	for (int fd = from; fd <= to; fd++)
		(void)close(fd);
}

/* Close every fd above 2 but those in keep (sorted here). */
static void
close_except(int *keep, size_t n)
{
	long	max = sysconf(_SC_OPEN_MAX);
	int	low = 3;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < low)
			continue;
		close_gap(low, keep[i] - 1);
		low = keep[i] + 1;
	}
	close_gap(low, max > 0 && max < 1048576 ? (int)max : 1048576);
}

static void
hold_signals(void (*how)(int))
{
	for (size_t i = 0; i < NHELD; i++)
		(void)signal(held_signals[i], how);
}

/* The guardian itself: wait for the word or for the pipe's end. */
static void __attribute__((noreturn))
guard(int rfd, pid_t arbiter, guardian_fallback_fn fallback, void *arg)
{
	char	c;
	ssize_t	n;

	/* Ignored while we wait (pending ones are discarded too); back to
	   the default, still blocked as the arbiter left them, just before
	   the exec, so that one sent meanwhile reaches the new arbiter. */
	hold_signals(SIG_IGN);
	while ((n = read(rfd, &c, 1)) == -1 && errno == EINTR)
		;
	if (n == 1 && c == CONFIRM)
		_exit(0);
	(void)close(rfd);
	log_errorx("upgrade in place: the new program (pid %ld) ended before "
	    "it replaced the workers; the guardian (pid %ld) starts the "
	    "previous binary with the same sockets", (long)arbiter,
	    (long)getpid());
	hold_signals(SIG_DFL);
	fallback(arg);
	log_error("upgrade in place: the guardian could not start the "
	    "previous binary");
	_exit(1);
}

/* The middle child: fork the guardian, which tells its pid on out. */
static void __attribute__((noreturn))
middle(int out, int rfd, const int *keep, size_t n,
    guardian_fallback_fn fallback, void *arg)
{
	int	fds[GUARDIAN_KEEP_MAX + 1];
	pid_t	arbiter = getppid(), pid;

	if ((pid = fork()) != 0)
		_exit(pid == -1 ? 1 : 0);
	/* Named from the first fork (spawn_named_fork); our pid says we
	   are up. */
	pid = getpid();
	if (write(out, &pid, sizeof(pid)) != sizeof(pid))
		_exit(1);
	memcpy(fds, keep, n * sizeof(*keep));
	fds[n] = rfd;
	close_except(fds, n + 1);
	guard(rfd, arbiter, fallback, arg);
}

int
guardian_start(const int *keep, size_t n, guardian_fallback_fn fallback,
    void *arg)
{
	int	p[2], q[2], status = 0;
	pid_t	pid;

	if (n + 1 > GUARDIAN_KEEP_MAX) {
		errno = EMFILE;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(q, O_CLOEXEC) == -1) {
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	if ((pid = spawn_named_fork("poold-guardian")) == -1) {
		(void)close(p[0]);
		(void)close(p[1]);
		(void)close(q[0]);
		(void)close(q[1]);
		return -1;
	}
	/* Forked twice, so that it is nobody's to wait for but init's or
	   the subreaper's (us, while we live: reap() takes it). */
	if (pid == 0)
		middle(q[1], p[0], keep, n, fallback, arg);
	(void)close(p[0]);
	(void)close(q[1]);
	confirm_fd = p[1];
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    read(q[0], &guardian, sizeof(guardian)) != sizeof(guardian)) {
		/* A guardian may have been forked all the same: tell it to go
		   rather than let the close look like our death. */
		guardian_dismiss();
		(void)close(q[0]);
		errno = EAGAIN;
		return -1;
	}
	(void)close(q[0]);
	return p[1];
}

pid_t
guardian_pid(void)
{
	return guardian;
}

void
guardian_adopt(int fd)
{
	if (fd < 3 || fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return;
	confirm_fd = fd;
}

int
guardian_fd(void)
{
	return confirm_fd;
}

bool
guardian_pending(void)
{
	return confirm_fd != -1;
}

void
guardian_dismiss(void)
{
	char c = CONFIRM;

	if (confirm_fd == -1)
		return;
	if (write(confirm_fd, &c, 1) != 1)
		log_warn("upgrade in place: telling the guardian");
	(void)close(confirm_fd);
	confirm_fd = -1;
}
