/* SPDX-License-Identifier: ISC */
/* The arbiter's event loop (loop.h). */
#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define EV_BATCH	8
/* epoll_wait takes an int of ms: sleep at most an hour at a time. */
#define EV_MAX_SLEEP_MS	(60 * 60 * 1000)

static int ev_epfd = -1;

/* The batch being dispatched: a source unwatched by a handler (a client
   freed by another client's command) is struck from the rest of it, so
   its owner may free it at once. */
static struct epoll_event	*ev_batch;
static int			 ev_batch_n, ev_batch_at;

uint64_t
ev_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
ev_init(void)
{
	if (ev_epfd == -1)
		ev_epfd = epoll_create1(EPOLL_CLOEXEC);
	return ev_epfd == -1 ? -1 : 0;
}

void
ev_close(void)
{
	if (ev_epfd != -1)
		(void)close(ev_epfd);
	ev_epfd = -1;
}

int
ev_watch(struct ev_source *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(ev_epfd, EPOLL_CTL_ADD, ev->es_fd, &e);
}

int
ev_rewatch(struct ev_source *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(ev_epfd, EPOLL_CTL_MOD, ev->es_fd, &e);
}

void
ev_unwatch(struct ev_source *ev)
{
	/* ENOENT (never watched) and EBADF (closed) both mean "not
	   watched", which is what the caller wants. */
	(void)epoll_ctl(ev_epfd, EPOLL_CTL_DEL, ev->es_fd, NULL);
	for (int i = ev_batch_at + 1; i < ev_batch_n; i++) {
		if (ev_batch[i].data.ptr == ev)
			ev_batch[i].data.ptr = NULL;
	}
}

static int
wait_ms(uint64_t deadline)
{
	uint64_t now;

	if (deadline == EV_NEVER)
		return -1;
	now = ev_now_ms();
	if (deadline <= now)
		return 0;
	return deadline - now > EV_MAX_SLEEP_MS ? EV_MAX_SLEEP_MS :
	    (int)(deadline - now);
}

int
ev_wait(uint64_t deadline)
{
	struct epoll_event	evs[EV_BATCH];
	struct ev_source	*ev;
	int			n;

	n = epoll_wait(ev_epfd, evs, EV_BATCH, wait_ms(deadline));
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	ev_batch = evs;
	ev_batch_n = n;
	for (ev_batch_at = 0; ev_batch_at < n; ev_batch_at++) {
		if ((ev = evs[ev_batch_at].data.ptr) != NULL)
			ev->es_fn(ev, evs[ev_batch_at].events);
	}
	ev_batch = NULL;
	ev_batch_n = ev_batch_at = 0;
	return 0;
}
