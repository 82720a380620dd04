/* SPDX-License-Identifier: ISC */
/*
 * The gthread worker, as Gunicorn's: a pool of threads serving requests
 * with blocking I/O, and one poller (this process's main thread) that
 * accepts and parks keep-alive connections while they are idle, so an
 * idle connection costs a file descriptor, not a thread.
 *
 * A connection is owned by exactly one side at a time: the poller (in
 * epoll with EPOLLONESHOT, on the idle list) or a thread (on no list).
 * Threads hand connections back through a locked queue and an eventfd;
 * only the poller touches epoll registrations and the idle list.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

#define IN_START	4096

struct gconn {
	struct hw_bconn	 g_bc;
	bool		 g_close;	/* set by a thread: it is finished */
	struct gconn	*g_next;	/* work or return queue */
	struct gconn	*g_prev_idle, *g_next_idle;
	bool		 g_idle;
	bool		 g_served;	/* has had a request: idle between two */
	uint64_t	 g_deadline;
};

struct gqueue {
	struct gconn	*q_head, *q_tail;
};

static struct gthread {
	const struct http_worker_conf	*g_wc;
	struct hw_loop			 g_loop;
	int				 g_ret;		/* eventfd */
	pthread_mutex_t			 g_lock;
	pthread_cond_t			 g_cond;
	struct gqueue			 g_work;	/* under g_lock */
	struct gqueue			 g_done;	/* under g_lock */
	bool				 g_stop;	/* under g_lock */
	volatile sig_atomic_t		 g_draining;	/* g_loop's, for threads */
	volatile sig_atomic_t		 g_quit;
	struct gconn			*g_idle_head, *g_idle_tail;
} G = {
	.g_lock = PTHREAD_MUTEX_INITIALIZER,
	.g_cond = PTHREAD_COND_INITIALIZER,
};

static void
q_push(struct gqueue *q, struct gconn *c)
{
	c->g_next = NULL;
	if (q->q_tail)
		q->q_tail->g_next = c;
	else
		q->q_head = c;
	q->q_tail = c;
}

static struct gconn *
q_pop(struct gqueue *q)
{
	struct gconn *c = q->q_head;

	if (c != NULL && (q->q_head = c->g_next) == NULL)
		q->q_tail = NULL;
	return c;
}

/* -- threads -------------------------------------------------------------- */

static void *
worker_thread(void *arg)
{
	struct http_request	*rq = malloc(sizeof(*rq));
	struct gconn		*c;
	uint64_t		 one = 1;

	hw_beat_thread((unsigned)(uintptr_t)arg);
	for (;;) {
		pthread_mutex_lock(&G.g_lock);
		while (G.g_work.q_head == NULL && !G.g_stop)
			pthread_cond_wait(&G.g_cond, &G.g_lock);
		c = q_pop(&G.g_work);
		pthread_mutex_unlock(&G.g_lock);
		if (c == NULL)
			break;			/* stopping */
		c->g_bc.bc_rq = rq;
		/* Serve what is there, pipelined requests included. */
		do {
			c->g_close = rq == NULL || !hw_blocking_serve(&c->g_bc,
			    G.g_wc, !G.g_draining && G.g_wc->hw_keepalive_ms > 0 &&
			    !hw_recycle_closing(), &G.g_quit);
		} while (!c->g_close && c->g_bc.bc_len > 0);
		if (c->g_close) {
			/* Linger here, not in the poller, which must not
			   block; the poller then only frees. */
			hw_blocking_close(c->g_bc.bc_fd);
			c->g_bc.bc_fd = -1;
		}
		pthread_mutex_lock(&G.g_lock);
		q_push(&G.g_done, c);
		pthread_mutex_unlock(&G.g_lock);
		(void)!write(G.g_ret, &one, sizeof(one));
	}
	free(rq);
	return NULL;
}

/* -- the poller ----------------------------------------------------------- */

static void
idle_remove(struct gconn *c)
{
	if (!c->g_idle)
		return;
	if (c->g_prev_idle)
		c->g_prev_idle->g_next_idle = c->g_next_idle;
	else
		G.g_idle_head = c->g_next_idle;
	if (c->g_next_idle)
		c->g_next_idle->g_prev_idle = c->g_prev_idle;
	else
		G.g_idle_tail = c->g_prev_idle;
	c->g_prev_idle = c->g_next_idle = NULL;
	c->g_idle = false;
}

static void
conn_close(struct gconn *c)
{
	idle_remove(c);
	if (c->g_bc.bc_fd != -1)
		close(c->g_bc.bc_fd);
	free(c->g_bc.bc_buf);
	free(c->g_bc.bc_head);
	free(c->g_bc.bc_body);
	free(c);
	hw_loop_closed(&G.g_loop);
}

/* Park an idle connection: one readiness event, then back to a thread. */
static void
conn_park(struct gconn *c, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP |
	    EPOLLONESHOT, .data.ptr = c };

	if (epoll_ctl(G.g_loop.l_ep, op, c->g_bc.bc_fd, &ev) == -1) {
		conn_close(c);
		return;
	}
	/* One timeout for the whole list keeps it in deadline order: a
	   new connection waits for its first byte as long as an idle one
	   may wait for its next request. */
	c->g_deadline = sb_now_ms() + (G.g_wc->hw_keepalive_ms > 0 ?
	    G.g_wc->hw_keepalive_ms : G.g_wc->hw_read_ms);
	c->g_prev_idle = G.g_idle_tail;
	c->g_next_idle = NULL;
	if (G.g_idle_tail)
		G.g_idle_tail->g_next_idle = c;
	else
		G.g_idle_head = c;
	G.g_idle_tail = c;
	c->g_idle = true;
}

static void
dispatch(struct gconn *c)
{
	idle_remove(c);
	pthread_mutex_lock(&G.g_lock);
	q_push(&G.g_work, c);
	pthread_cond_signal(&G.g_cond);
	pthread_mutex_unlock(&G.g_lock);
}

static void
conn_new(int fd)
{
	struct gconn	*c;
	int		 one = 1;

	/* The buffer starts small and grows to the head limit. */
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->g_bc.bc_buf = malloc(IN_START)) == NULL) {
		free(c);
		close(fd);
		hw_loop_closed(&G.g_loop);
		return;
	}
	c->g_bc.bc_fd = fd;
	c->g_bc.bc_cap = IN_START;
	c->g_bc.bc_max = hw_head_max(&G.g_wc->hw_limits);
	hw_set_timeouts(fd, G.g_wc->hw_read_ms);
	/* Keep-alive replies are head then body: no Nagle delay. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (hw_wants_peer())
		alog_peer(fd, c->g_bc.bc_peer, sizeof(c->g_bc.bc_peer));
	conn_park(c, EPOLL_CTL_ADD);
}

/* Connections the threads are done with. */
static void
take_back(void)
{
	struct gconn	*c;
	uint64_t	 n;

	(void)!read(G.g_ret, &n, sizeof(n));
	for (;;) {
		pthread_mutex_lock(&G.g_lock);
		c = q_pop(&G.g_done);
		pthread_mutex_unlock(&G.g_lock);
		if (c == NULL)
			return;
		c->g_served = true;
		if (c->g_close || G.g_draining)
			conn_close(c);
		else
			conn_park(c, EPOLL_CTL_MOD);
	}
}

static void
gthread_drain(void)
{
	struct gconn *c, *next;

	G.g_draining = 1;
	/* Keep-alive connections between requests go now.  One accepted
	   but still waiting for its first request stays, until that
	   request is served or the keep-alive timeout ends it: the client
	   sent it already, or is about to, and closing would lose it; so
	   does one whose next request is already here, unread. */
	for (c = G.g_idle_head; c != NULL; c = next) {
		next = c->g_next_idle;
		if (c->g_served && !hw_input_waiting(c->g_bc.bc_fd))
			conn_close(c);
	}
}

static int
expire(uint64_t now)
{
	while (G.g_idle_head != NULL && G.g_idle_head->g_deadline <= now)
		conn_close(G.g_idle_head);
	if (G.g_idle_head == NULL)
		return -1;
	return (int)(G.g_idle_head->g_deadline - now);
}

static void
gthread_event(const struct epoll_event *ev)
{
	if (ev->data.u64 == HW_TAG_OWN)
		take_back();
	else
		dispatch(ev->data.ptr);
}

static const struct hw_loop_ops gthread_ops = {
	.lo_open = conn_new,
	.lo_event = gthread_event,
	.lo_expire = expire,
	.lo_drain = gthread_drain,
};

static int
setup(const struct http_worker_conf *wc)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = HW_TAG_OWN };

	G.g_wc = wc;
	if (hw_loop_init(&G.g_loop, wc, &gthread_ops, SOCK_CLOEXEC) == -1 ||
	    (G.g_ret = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    epoll_ctl(G.g_loop.l_ep, EPOLL_CTL_ADD, G.g_ret, &ev) == -1)
		return -1;
	return 0;
}

static void
stop_threads(pthread_t *tids, unsigned n)
{
	pthread_mutex_lock(&G.g_lock);
	G.g_stop = true;
	pthread_cond_broadcast(&G.g_cond);
	pthread_mutex_unlock(&G.g_lock);
	for (unsigned i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
}

int
hw_gthread_run(const struct http_worker_conf *wc)
{
	pthread_t		*tids;
	unsigned		 nt = wc->hw_threads ? wc->hw_threads : 1, i;
	enum hw_loop_end	 end;

	if (setup(wc) == -1 || hw_beat_init(nt) == -1 ||
	    (tids = calloc(nt, sizeof(*tids))) == NULL)
		return 1;
	for (i = 0; i < nt; i++) {
		if (pthread_create(&tids[i], NULL, worker_thread,
		    (void *)(uintptr_t)i) != 0)
			break;
	}
	if (i == 0)
		return 1;
	nt = i;
	hw_ready();
	if ((end = hw_loop_run(&G.g_loop)) == HW_LOOP_QUIT) {
		/* Quick: no joins, so no fini under running handlers. */
		hw_no_fini();
		return 0;
	}
	stop_threads(tids, nt);
	free(tids);
	return end == HW_LOOP_FAILED ? 1 : 0;
}
