/* SPDX-License-Identifier: ISC */
/*
 * Fair shares of a pool's connections, for the event loops (async and
 * gthread) that keep many connections per worker.
 *
 * The kernel offers a new connection to the first worker asleep in
 * epoll_wait, in the order they registered on the listener, so left alone
 * the first worker of a pool ends up with most connections and its
 * clients with the slowest replies.  A worker over its share of the
 * pool's connections (the scoreboard group) takes its listeners out of
 * epoll for YIELD_MS: the next connections go to a sibling, and when it
 * comes back it is last in the listener's wait queue.  If a connection is
 * still waiting when it comes back, the siblings are not accepting (stuck,
 * or starved of CPU): it takes the connection and does not yield again
 * for HOLD_MS, so a stuck sibling costs latency once, never throughput.
 */
#include "config.h"

#include <sys/socket.h>

#include "scoreboard.h"
#include "worker.h"

#define YIELD_MS	2
#define HOLD_MS		10

uint64_t
hw_share_yield(struct hw_share *s, const struct http_worker_conf *wc,
    size_t nconns, uint64_t now)
{
	if (!sb_over_share(wc->hw_group, nconns) || now < s->hs_hold)
		return 0;
	s->hs_yielded = true;
	return now + YIELD_MS;
}

bool
hw_share_over(const struct http_worker_conf *wc, size_t nconns)
{
	return sb_over_share(wc->hw_group, nconns);
}

int
hw_share_back(struct hw_share *s, const struct http_worker_conf *wc,
    int flags, uint64_t now)
{
	int fd;

	if (!s->hs_yielded)
		return -1;
	s->hs_yielded = false;
	for (size_t i = 0; i < wc->hw_nfds; i++) {
		fd = accept4(HW_FIRST_FD + (int)i, NULL, NULL, flags);
		if (fd != -1) {
			s->hs_hold = now + HOLD_MS;
			return fd;
		}
	}
	return -1;	/* the siblings took them: all is well */
}
