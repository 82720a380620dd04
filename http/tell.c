/* SPDX-License-Identifier: ISC */
/*
 * What a built-in worker tells the arbiter, on its notify socket as any
 * worker program may (worker-contract.md): READY=1 once it accepts, and
 * X_POOLD_RECYCLE= at max_requests (recycle.c).  One datagram each; the
 * kernel tells the arbiter which pid sent it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "notifymsg.h"
#include "worker.h"

#define READY_WAIT_MS	1000

static const char	*notify;	/* a path, or "@name"; NULL: none */

void
hw_tell_init(const struct http_worker_conf *wc)
{
	notify = wc->hw_notify;
}

int
hw_tell(const char *msg, int wait_ms)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { .tv_sec = wait_ms / 1000,
				    .tv_usec = wait_ms % 1000 * 1000 };
	socklen_t		sl;
	int			fd, saved;

	if (notify == NULL || (sl = notify_sockaddr(notify, &sun)) == 0) {
		errno = ENOTCONN;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* The kernel bounds the arbiter's queue in datagrams (sysctl
	   net.unix.max_dgram_qlen, 10 where systemd does not raise it):
	   a sender that finds it full waits for the arbiter to read, at
	   most wait_ms. */
	if (wait_ms > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) == -1)
		wait_ms = 0;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL |
	    (wait_ms > 0 ? 0 : MSG_DONTWAIT), (struct sockaddr *)&sun,
	    sl) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return -1;
	}
	(void)close(fd);
	return 0;
}

void
hw_ready(void)
{
	/* Workers that start together say it together (a cold start of
	   64): wait for room in the queue rather than lose it.  Up to a
	   second, the boot window's default: a READY=1 that is lost all
	   the same makes the worker ready by the boot window, slower,
	   never wrong. */
	if (hw_tell("READY=1", READY_WAIT_MS) == -1)
		fprintf(stderr, "poold worker %ld: telling the arbiter it is "
		    "ready: %s; it waits for the boot window\n",
		    (long)getpid(), strerror(errno));
}
