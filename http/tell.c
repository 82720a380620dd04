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
#include <sys/un.h>
#include <unistd.h>

#include "notifymsg.h"
#include "worker.h"

static const char	*notify;	/* a path, or "@name"; NULL: none */

void
hw_tell_init(const struct http_worker_conf *wc)
{
	notify = wc->hw_notify;
}

int
hw_tell(const char *msg)
{
	struct sockaddr_un	sun;
	socklen_t		sl;
	int			fd, saved;

	if (notify == NULL || (sl = notify_sockaddr(notify, &sun)) == 0) {
		errno = ENOTCONN;
		return -1;
	}
	/* Never blocking: a full queue is for the caller to try again. */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
	    (struct sockaddr *)&sun, sl) == -1) {
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
	/* Lost, the arbiter's boot window makes the worker ready later:
	   slower, never wrong. */
	if (hw_tell("READY=1") == -1)
		fprintf(stderr, "poold worker %ld: telling the arbiter it is "
		    "ready: %s; it waits for the boot window\n",
		    (long)getpid(), strerror(errno));
}
