/* SPDX-License-Identifier: ISC */
/*
 * The outer loop of the event-driven workers (async and gthread): the
 * listener gate, signals, the drain, the clock and the heartbeat.  What
 * differs between them is what happens to a connection once accepted, and
 * that is theirs (struct hw_loop_ops).
 *
 * The gate: listeners are in epoll with EPOLLEXCLUSIVE, so a connection
 * wakes one worker, not all.  They come out of epoll for a while when this
 * worker should not accept: over its fair share of the pool (share.c),
 * out of file descriptors (a readable listener would spin the loop), at
 * its connection limit (until one closes), or held by max_requests while
 * its replacement boots (recycle.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

#define EV_BATCH	64
#define EMFILE_PAUSE_MS	100
/*
 * A bounded batch of accepts per wakeup: the listener stays readable, so
 * the rest wakes one of the siblings too, and connections spread across
 * workers instead of piling onto whichever woke first.
 */
#define ACCEPT_BATCH	16

/* EPOLLEXCLUSIVE cannot be modified: each listener is deleted and added
   again. */
static void
gate_set(struct hw_loop *l, bool open)
{
	for (size_t i = 0; i < l->l_wc->hw_nfds; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE,
		    .data.u64 = HW_TAG_LISTEN + i };
		int fd = HW_FIRST_FD + (int)i;
		(void)epoll_ctl(l->l_ep, EPOLL_CTL_DEL, fd, NULL);
		if (open)
			(void)epoll_ctl(l->l_ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* Listeners off until at (ms), or until a connection closes (0). */
static void
gate_close(struct hw_loop *l, uint64_t at)
{
	l->l_paused = true;
	l->l_resume = at;
	gate_set(l, false);
}

/* Counted open from here: lo_open ends it with hw_loop_closed(), even
   when it cannot take it. */
static void
take(struct hw_loop *l, int fd)
{
	l->l_nconns++;
	sb_conn_open(hw_board, l->l_wc->hw_group);
	l->l_ops->lo_open(fd);
}

/* max_requests reached: listeners off until the hold ends, checked
   after each batch, so no later connection is woken for this worker;
   true while it holds. */
static bool
hold(struct hw_loop *l)
{
	uint64_t end;

	if (l->l_draining || (end = hw_recycle_hold()) == 0)
		return false;
	if (l->l_resume != end)
		gate_close(l, end);
	return true;
}

static void
accept_all(struct hw_loop *l, int lfd)
{
	const struct http_worker_conf	*wc = l->l_wc;
	uint64_t			 back;
	int				 fd, n = 0;

	/* gthread's threads may start a hold while this thread waits. */
	if (hold(l))
		return;
	if ((back = hw_share_yield(&l->l_share, wc, l->l_nconns,
	    sb_now_ms())) != 0) {
		/* A pause of YIELD_MS from now, not from the batch's start. */
		gate_close(l, back);
		return;
	}
	while (l->l_nconns < wc->hw_connections && n++ < ACCEPT_BATCH) {
		if (n > 1 && hw_share_over(wc, l->l_nconns))
			return;	/* the next wakeup yields */
		if ((fd = accept4(lfd, NULL, NULL, l->l_accept_flags)) != -1) {
			take(l, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE)
			gate_close(l, sb_now_ms() + EMFILE_PAUSE_MS);
		return;		/* EAGAIN: a sibling took it, or none */
	}
	if (l->l_nconns >= wc->hw_connections)
		gate_close(l, 0);	/* full: until one closes */
}

void
hw_loop_closed(struct hw_loop *l)
{
	l->l_nconns--;
	sb_conn_close(hw_board, l->l_wc->hw_group);
	if (l->l_paused && l->l_resume == 0 && !l->l_draining) {
		l->l_paused = false;
		gate_set(l, true);
	}
}

/* The end of a pause: listen again, and take a connection that waited
   through a yield (share.c). */
static void
gate_expire(struct hw_loop *l)
{
	int fd;

	l->l_resume = 0;
	if (l->l_draining || l->l_nconns >= l->l_wc->hw_connections)
		return;		/* full: a close opens the gate */
	l->l_paused = false;
	gate_set(l, true);
	if ((fd = hw_share_back(&l->l_share, l->l_wc, l->l_accept_flags,
	    l->l_now)) != -1)
		take(l, fd);
}

/* ms until the next deadline, capped at the heartbeat's period. */
static int
expire(struct hw_loop *l)
{
	uint64_t	next;
	int		t;

	if (l->l_resume != 0 && l->l_now >= l->l_resume)
		gate_expire(l);
	next = l->l_now + HW_BEAT_MS;
	if (l->l_resume != 0 && l->l_resume < next)
		next = l->l_resume;
	t = l->l_ops->lo_expire(l->l_now);
	if (t >= 0 && l->l_now + (uint64_t)t < next)
		next = l->l_now + (uint64_t)t;
	return (int)(next - l->l_now);
}

/* false: INT or QUIT, stop at once. */
static bool
on_signals(struct hw_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->l_sig, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT)
			return false;
		if (si.ssi_signo == SIGTERM && !l->l_draining)
			l->l_drain_req = true;	/* after the batch */
		if (si.ssi_signo == SIGUSR1)
			(void)alog_reopen();	/* else keep the old file */
	}
	return true;
}

/*
 * What waits in the listen queues when the worker stops accepting was
 * sent to us: take it, up to the worker's capacity (its siblings, told
 * at the same moment, take the rest), rather than let it be reset when
 * the last copy of the socket closes.
 */
static void
take_queue(struct hw_loop *l)
{
	int fd;

	for (size_t i = 0; i < l->l_wc->hw_nfds; i++) {
		while (l->l_nconns < l->l_wc->hw_connections) {
			fd = accept4(HW_FIRST_FD + (int)i, NULL, NULL,
			    l->l_accept_flags);
			if (fd != -1)
				take(l, fd);
			else if (errno != EINTR && errno != ECONNABORTED)
				break;	/* EAGAIN: nothing waits */
		}
	}
}

/*
 * TERM: no new connections; the worker's own part closes what is idle,
 * then what is queued is taken.  Run between batches of events, never
 * inside one, where a later event may name a connection closed here.
 */
static void
drain_begin(struct hw_loop *l)
{
	l->l_drain_req = false;
	l->l_draining = true;
	gate_set(l, false);
	l->l_ops->lo_drain();
	take_queue(l);
}

int
hw_loop_init(struct hw_loop *l, const struct http_worker_conf *wc,
    const struct hw_loop_ops *ops, int accept_flags)
{
	struct epoll_event	ev = { .events = EPOLLIN,
				    .data.u64 = HW_TAG_SIGNAL };
	sigset_t		mask;

	memset(l, 0, sizeof(*l));
	l->l_wc = wc;
	l->l_ops = ops;
	l->l_accept_flags = accept_flags;
	l->l_sig = l->l_ep = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGUSR1);
	/* Blocked before any thread starts, so that all inherit it. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (l->l_sig = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1 ||
	    (l->l_ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(l->l_ep, EPOLL_CTL_ADD, l->l_sig, &ev) == -1)
		return -1;
	/* Siblings race for each connection: accept must not block. */
	for (size_t i = 0; i < wc->hw_nfds; i++) {
		if (fcntl(HW_FIRST_FD + (int)i, F_SETFL, O_NONBLOCK) == -1)
			return -1;
	}
	l->l_now = sb_now_ms();
	gate_set(l, true);
	return 0;
}

bool
hw_input_waiting(int fd)
{
	char b;

	return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

static bool
is_listener(const struct hw_loop *l, uint64_t tag)
{
	return tag >= HW_TAG_LISTEN && tag < HW_TAG_LISTEN + l->l_wc->hw_nfds;
}

enum hw_loop_end
hw_loop_run(struct hw_loop *l)
{
	struct epoll_event	evs[EV_BATCH];
	int			n, timeout;

	for (;;) {
		l->l_now = sb_now_ms();
		timeout = expire(l);
		if (l->l_draining && l->l_nconns == 0)
			return HW_LOOP_DRAINED;
		hw_beat_at(l->l_now);
		n = epoll_wait(l->l_ep, evs, EV_BATCH, timeout);
		if (n == -1 && errno != EINTR)
			return HW_LOOP_FAILED;
		/* Once per batch, not per event: see hw_loop_now(). */
		l->l_now = sb_now_ms();
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			if (tag == HW_TAG_SIGNAL) {
				if (!on_signals(l))
					return HW_LOOP_QUIT;
			} else if (is_listener(l, tag)) {
				if (!l->l_draining)
					accept_all(l, HW_FIRST_FD +
					    (int)(tag - HW_TAG_LISTEN));
			} else
				l->l_ops->lo_event(&evs[i]);
		}
		if (l->l_drain_req)
			drain_begin(l);
		else
			(void)hold(l);
	}
}
