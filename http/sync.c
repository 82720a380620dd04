/* SPDX-License-Identifier: ISC */
/*
 * The sync worker, as Gunicorn's: one connection at a time, one request
 * per connection, Connection: close.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

static volatile sig_atomic_t	sync_drain;	/* TERM */
static volatile sig_atomic_t	sync_quit;	/* INT, QUIT */
static volatile sig_atomic_t	sync_reopen;	/* USR1 */

static void on_term(int sig) { (void)sig; sync_drain = 1; }
static void on_quit(int sig) { (void)sig; sync_quit = 1; }
static void on_usr1(int sig) { (void)sig; sync_reopen = 1; }

/* Handlers without SA_RESTART, so poll() and read() return EINTR. */
static int
sync_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = on_quit;
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGQUIT, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Accept one connection from fd and serve it; false if there was none
   to take (a sibling won, or the queue is empty). */
static bool
serve_next(int fd, struct hw_bconn *bc, const struct http_worker_conf *wc)
{
	if ((bc->bc_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return errno == EINTR || errno == ECONNABORTED;
	hw_set_timeouts(bc->bc_fd, wc->hw_read_ms);
	if (hw_wants_peer())
		alog_peer(bc->bc_fd, bc->bc_peer, sizeof(bc->bc_peer));
	bc->bc_len = 0;
	(void)hw_blocking_serve(bc, wc, false, &sync_quit);
	hw_blocking_close(bc->bc_fd);
	return true;
}

/*
 * TERM: what already waits in the listen queues was sent to us, and
 * would be reset when the last copy of the socket closes: serve it, one
 * at a time, until each queue is found empty (or INT, or the arbiter's
 * SIGKILL after graceful_timeout, under a load that never lets up).
 */
static void
serve_queue(struct pollfd *pfd, size_t n, struct hw_bconn *bc,
    const struct http_worker_conf *wc)
{
	for (size_t i = 0; i < n && !sync_quit; i++) {
		while (!sync_quit && serve_next(pfd[i].fd, bc, wc))
			sb_beat(hw_board);
	}
}

/* max_requests holds the worker while its replacement boots: no
   accepting, but signals and the heartbeat go on. */
static bool
held(void)
{
	uint64_t end, now;
	int t = HW_BEAT_MS;

	if ((end = hw_recycle_hold()) == 0)
		return false;
	if ((now = sb_now_ms()) < end && end - now < (uint64_t)t)
		t = (int)(end - now);
	(void)poll(NULL, 0, t);		/* EINTR: a signal, look at it */
	return true;
}

int
hw_sync_run(const struct http_worker_conf *wc)
{
	struct pollfd	pfd[64];
	struct hw_bconn	bc;
	size_t		n;

	memset(&bc, 0, sizeof(bc));
	bc.bc_cap = bc.bc_max = hw_head_max(&wc->hw_limits);
	n = wc->hw_nfds < 64 ? wc->hw_nfds : 64;
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = HW_FIRST_FD + (int)i;
		pfd[i].events = POLLIN;
		/* Siblings race for each connection: accept must not block. */
		if (fcntl(pfd[i].fd, F_SETFL, O_NONBLOCK) == -1)
			return 1;
	}
	if (sync_signals() == -1 || (bc.bc_buf = malloc(bc.bc_cap)) == NULL ||
	    (bc.bc_rq = malloc(sizeof(*bc.bc_rq))) == NULL) {
		free(bc.bc_buf);
		return 1;
	}
	hw_ready();
	while (!sync_drain && !sync_quit) {
		if (sync_reopen) {
			sync_reopen = 0;
			(void)alog_reopen();	/* else keep the old file */
		}
		sb_beat(hw_board);
		if (held())
			continue;
		if (poll(pfd, n, HW_BEAT_MS) <= 0)
			continue;	/* EINTR: look at the flags */
		for (size_t i = 0; i < n && !sync_quit; i++) {
			if (pfd[i].revents & POLLIN)
				(void)serve_next(pfd[i].fd, &bc, wc);
		}
	}
	if (!sync_quit)
		serve_queue(pfd, n, &bc, wc);
	free(bc.bc_buf);
	free(bc.bc_rq);
	return 0;
}
