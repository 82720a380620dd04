/* SPDX-License-Identifier: ISC */
/*
 * poold-echo: a minimal poold worker that echoes each connection back.
 *
 * poold passes listening sockets the systemd way (fds 3, 4, ... plus
 * LISTEN_FDS and LISTEN_PID).  All workers of a pool share them, so each
 * polls all of them and races its siblings in accept(); losing is normal.
 */

#define _GNU_SOURCE

#include <sys/socket.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FIRST_LISTEN_FD	3
#define MAX_LISTEN_FDS	64
#define CLIENT_TIMEOUT	30	/* seconds a client may stall us */

static volatile sig_atomic_t	quit;

static void
on_term(int sig)
{
	(void)sig;
	quit = 1;
}

static long
env_number(const char *name, long min, long max)
{
	const char	*s;
	char		*end;
	long		 v;

	if ((s = getenv(name)) == NULL)
		errx(1, "%s is not set; run me under poold", name);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		errx(1, "invalid %s: \"%s\"", name, s);
	return v;
}

/* Like sd_listen_fds(): the fds are only ours if LISTEN_PID says so. */
static int
listen_fds(void)
{
	long	n, pid;

	n = env_number("LISTEN_FDS", 0, MAX_LISTEN_FDS);
	pid = env_number("LISTEN_PID", 1, INT_MAX);
	if (pid != (long)getpid())
		errx(1, "LISTEN_PID %ld is not us; no sockets to serve", pid);
	if (n == 0)
		errx(1, "LISTEN_FDS is 0; no sockets to serve");
	return (int)n;
}

/*
 * SIGTERM/SIGINT stay blocked except inside ppoll(), so one cannot slip in
 * between testing `quit' and sleeping there.  They are unblocked while we
 * serve a client so that read() is interrupted; one landing just before
 * read() still takes effect within CLIENT_TIMEOUT.
 */
static void
setup_signals(sigset_t *waitmask)
{
	struct sigaction	sa = { .sa_handler = SIG_IGN };
	sigset_t		term;

	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(1, "sigaction SIGPIPE");
	/* poold passes its USR1 (reopen logs) on to workers; we keep no
	   log files, and USR1's default action would end us. */
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		err(1, "sigaction SIGUSR1");
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	if (sigprocmask(SIG_BLOCK, &term, waitmask) == -1)
		err(1, "sigprocmask");
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);

	sa.sa_handler = on_term;	/* no SA_RESTART: interrupt read() */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		err(1, "sigaction");
}

static void
echo_client(int fd)
{
	struct timeval	tv = { .tv_sec = CLIENT_TIMEOUT };
	char		buf[8192];
	ssize_t		n, off, w;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
		warn("setsockopt");
		return;
	}
	while (!quit) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;	/* quitting, or resumed after SIGSTOP */
		if (n <= 0)
			return;		/* EOF, timeout or reset */
		for (off = 0; off < n && !quit; off += w) {
			w = write(fd, buf + off, (size_t)(n - off));
			if (w == -1 && errno != EINTR)
				return;	/* client gone or not reading */
			if (w == -1)
				w = 0;
		}
	}
}

static void
accept_one(int lfd, const sigset_t *waitmask)
{
	sigset_t	saved;
	int		fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED || errno == EPROTO)
			return;		/* lost the race, or client gave up */
		err(1, "accept4");
	}
	if (sigprocmask(SIG_SETMASK, waitmask, &saved) == -1)
		err(1, "sigprocmask");
	echo_client(fd);
	if (sigprocmask(SIG_SETMASK, &saved, NULL) == -1)
		err(1, "sigprocmask");
	if (close(fd) == -1)
		warn("close");
}

int
main(void)
{
	struct pollfd	 pfd[MAX_LISTEN_FDS];
	sigset_t	 waitmask;
	const char	*id;
	int		 i, n, fl;

	n = listen_fds();
	for (i = 0; i < n; i++) {
		pfd[i].fd = FIRST_LISTEN_FD + i;
		pfd[i].events = POLLIN;
		/* A sibling may steal the client between ppoll and accept. */
		if ((fl = fcntl(pfd[i].fd, F_GETFL)) == -1 ||
		    fcntl(pfd[i].fd, F_SETFL, fl | O_NONBLOCK) == -1)
			err(1, "inherited fd %d", pfd[i].fd);
	}
	setup_signals(&waitmask);
	if ((id = getenv("POOLD_WORKER_ID")) == NULL)
		id = "-";
	fprintf(stderr, "poold-echo: worker %s pid %ld serving %d socket(s)\n",
	    id, (long)getpid(), n);

	while (!quit) {
		if (ppoll(pfd, (nfds_t)n, NULL, &waitmask) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "ppoll");
		}
		for (i = 0; i < n && !quit; i++)
			if (pfd[i].revents != 0)
				accept_one(pfd[i].fd, &waitmask);
	}
	return 0;
}
