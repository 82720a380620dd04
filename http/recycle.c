/* SPDX-License-Identifier: ISC */
/*
 * max_requests for the built-in workers.  Gunicorn's worker simply exits
 * when it reaches its limit, and its slot serves nobody until the arbiter
 * has forked a replacement.  Here the worker tells the arbiter
 * (X_POOLD_RECYCLE=max_requests on the notify socket, as any worker
 * program may) and goes on serving; the arbiter starts the replacement
 * and retires this worker once that one is ready, by the rolling rule.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notifymsg.h"
#include "worker.h"

static uint64_t		 limit;		/* requests; 0: never */
static const char	*notify;	/* the arbiter's socket: a path, or
					   "@name" */
static _Atomic uint64_t	 served;	/* gthread's threads share it */
static atomic_bool	 told;		/* the arbiter has the message */

#define RETRY_EVERY	16	/* requests between two tries, if one failed */

#define RECYCLE_MSG	"X_POOLD_RECYCLE=max_requests"

void
hw_recycle_init(const struct http_worker_conf *wc)
{
	uint64_t r = 0;

	notify = wc->hw_notify;
	if (wc->hw_max_requests == 0)
		return;
	/* The jitter keeps workers started together from all asking at
	   once.  Without entropy, the pid spreads them well enough. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint64_t)getpid() * UINT64_C(2654435761);
	limit = (uint64_t)wc->hw_max_requests +
	    r % ((uint64_t)wc->hw_max_requests_jitter + 1);
}

/* One datagram to the arbiter; its kernel-reported pid says who we are.
   Never blocking: a full queue means try again a little later. */
static bool
ask(void)
{
	struct sockaddr_un	 sun;
	socklen_t		 sl;
	int			 fd;

	if ((sl = notify_sockaddr(notify, &sun)) == 0) {
		fprintf(stderr, "poold worker %ld: max_requests reached, but "
		    "there is no notify socket to say so\n", (long)getpid());
		return true;	/* nothing will change that */
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) != -1 &&
	    sendto(fd, RECYCLE_MSG, sizeof(RECYCLE_MSG) - 1, MSG_NOSIGNAL |
	    MSG_DONTWAIT, (struct sockaddr *)&sun, sl) != -1) {
		(void)close(fd);
		return true;
	}
	fprintf(stderr, "poold worker %ld: max_requests reached, but telling "
	    "the arbiter failed (%s); will try again\n", (long)getpid(),
	    strerror(errno));
	if (fd != -1)
		(void)close(fd);
	return false;
}

void
hw_request_done(uint64_t bytes)
{
	uint64_t n;

	sb_end(hw_board, bytes);
	if (limit == 0 || atomic_load_explicit(&told, memory_order_relaxed))
		return;
	n = atomic_fetch_add_explicit(&served, 1, memory_order_relaxed) + 1;
	if (n >= limit && (n - limit) % RETRY_EVERY == 0 && ask())
		atomic_store_explicit(&told, true, memory_order_relaxed);
}
