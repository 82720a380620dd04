/* SPDX-License-Identifier: ISC */
/*
 * max_requests for the built-in workers.  Gunicorn's worker simply exits
 * when it reaches its limit, and its slot serves nobody until the arbiter
 * has forked a replacement.  Here the worker tells the arbiter
 * (X_POOLD_RECYCLE=max_requests on the notify socket, as any worker
 * program may) and goes on serving; the arbiter starts the replacement
 * and retires this worker once that one is ready, by the rolling rule.
 *
 * From the reply that reaches max_requests, replies end their keep-alive
 * connections (Connection: close): the arbiter may retire the worker as
 * soon as the replacement is ready, and a stopping worker closes its idle
 * keep-alive connections, under a client whose next request may already
 * be on its way.  A new connection the worker has accepted is served at
 * the stop, and one it has not waits in the listen queue: no request is
 * lost that way.
 *
 * Serving on while the replacement boots must not become serving without
 * a limit (a busy worker would answer hundreds more): once another tenth
 * of max_requests is served, the worker holds.  It accepts nothing, so
 * what comes waits in the listen queue for the replacement or a sibling.
 * A worker therefore answers at most
 *
 *	max_requests + jitter + ceil(max_requests / 10)
 *
 * requests, plus those in progress at that moment (one per connection;
 * sync has one), plus what waits in the listen queue when it is told to
 * stop (up to its capacity), which every stopping worker answers rather
 * than leave to be reset.  A hold lasts HOLD_MS at most: should the
 * replacement not come (a broken app, a pool backing off), the worker
 * serves again until it is retired, rather than leave its share of the
 * pool unserved.
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
static uint64_t		 grace;		/* served on after telling */
static _Atomic uint64_t	 served;	/* gthread's threads share it */
static atomic_bool	 told;		/* the arbiter has the message */
static atomic_bool	 settled;	/* holding, or nobody to tell */
static _Atomic uint64_t	 hold_at;	/* ms; 0: not holding */

#define RETRY_EVERY	16	/* requests between two tries, if one failed */
#define HOLD_MS		1000

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
	grace = ((uint64_t)wc->hw_max_requests + 9) / 10;
}

/* Tell the arbiter; without one (ENOTCONN) nobody will replace this
   worker, so it never holds and stops trying. */
static void
ask(void)
{
	int e;

	if (hw_tell(RECYCLE_MSG, 0) == 0) {
		atomic_store_explicit(&told, true, memory_order_relaxed);
		return;
	}
	e = errno;
	fprintf(stderr, "poold worker %ld: max_requests reached, but telling "
	    "the arbiter failed (%s)%s\n", (long)getpid(), strerror(e),
	    e == ENOTCONN ? "" : "; will try again");
	if (e == ENOTCONN)
		atomic_store_explicit(&settled, true, memory_order_relaxed);
}

void
hw_request_done(uint64_t bytes)
{
	uint64_t n;

	sb_end(hw_board, bytes);
	if (limit == 0 || atomic_load_explicit(&settled, memory_order_relaxed))
		return;
	n = atomic_fetch_add_explicit(&served, 1, memory_order_relaxed) + 1;
	if (!atomic_load_explicit(&told, memory_order_relaxed)) {
		if (n >= limit && (n - limit) % RETRY_EVERY == 0)
			ask();
	} else if (n >= limit + grace && !atomic_exchange_explicit(&settled,
	    true, memory_order_relaxed))
		atomic_store_explicit(&hold_at, sb_now_ms(),
		    memory_order_relaxed);
}

bool
hw_recycle_closing(void)
{
	if (limit == 0)
		return false;
	/* From the reply that reaches the limit, which is decided before
	   it counts; never where there is nobody to tell (settled). */
	if (!atomic_load_explicit(&told, memory_order_relaxed))
		return !atomic_load_explicit(&settled, memory_order_relaxed) &&
		    atomic_load_explicit(&served, memory_order_relaxed) + 1 >=
		    limit;
	/* Told: until the hold, and through it. */
	return atomic_load_explicit(&hold_at, memory_order_relaxed) == 0 ||
	    hw_recycle_hold() != 0;
}

uint64_t
hw_recycle_hold(void)
{
	uint64_t at, now;

	if ((at = atomic_load_explicit(&hold_at, memory_order_relaxed)) == 0)
		return 0;
	now = sb_now_ms();
	return now < at + HOLD_MS ? at + HOLD_MS : 0;
}
