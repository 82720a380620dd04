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
#include <unistd.h>

#include "worker.h"

static uint64_t		 limit;		/* requests; 0: never */
static _Atomic uint64_t	 served;	/* gthread's threads share it */
static atomic_bool	 told;		/* the arbiter has the message */

#define RETRY_EVERY	16	/* requests between two tries, if one failed */

#define RECYCLE_MSG	"X_POOLD_RECYCLE=max_requests"

void
hw_recycle_init(const struct http_worker_conf *wc)
{
	uint64_t r = 0;

	if (wc->hw_max_requests == 0)
		return;
	/* The jitter keeps workers started together from all asking at
	   once.  Without entropy, the pid spreads them well enough. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint64_t)getpid() * UINT64_C(2654435761);
	limit = (uint64_t)wc->hw_max_requests +
	    r % ((uint64_t)wc->hw_max_requests_jitter + 1);
}

/* Told, or nothing will change that: no more tries. */
static bool
ask(void)
{
	int e;

	if (hw_tell(RECYCLE_MSG) == 0)
		return true;
	e = errno;
	fprintf(stderr, "poold worker %ld: max_requests reached, but telling "
	    "the arbiter failed (%s)%s\n", (long)getpid(), strerror(e),
	    e == ENOTCONN ? "" : "; will try again");
	return e == ENOTCONN;
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
