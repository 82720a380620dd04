/*
 * The sync worker, as Gunicorn's: one connection at a time, one request
 * per connection, Connection: close.  Blocking I/O with SO_RCVTIMEO and
 * SO_SNDTIMEO, so a slow client costs this worker at most hw_read_ms.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "worker.h"

static volatile sig_atomic_t	sync_drain;	/* TERM */
static volatile sig_atomic_t	sync_quit;	/* INT, QUIT */
static volatile sig_atomic_t	sync_reopen;	/* USR1 */

static void
on_usr1(int sig)
{
	(void)sig;
	sync_reopen = 1;
}

static void
on_term(int sig)
{
	(void)sig;
	sync_drain = 1;
}

static void
on_quit(int sig)
{
	(void)sig;
	sync_quit = 1;
}

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
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	return 0;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0 && !sync_quit) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;		/* gone or too slow: nothing to do */
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Head and small body, then the file if there is one. */
static void
send_response(int fd, struct hw_response *r)
{
	ssize_t n;

	write_all(fd, r->hr_buf, r->hr_len);
	while (r->hr_left > 0 && !sync_quit) {
		n = sendfile(fd, r->hr_fd, &r->hr_off, r->hr_left > (1 << 30) ?
		    (size_t)1 << 30 : (size_t)r->hr_left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* gone, timed out, or the file shrank */
		r->hr_left -= (uint64_t)n;
	}
	hw_response_done(r);
}

static void
reply_error(int fd, int status, int minor)
{
	struct hw_response r;

	hw_error(status, minor, &r);
	send_response(fd, &r);
}

/* Read more into buf; bytes read, 0 at EOF or timeout or error. */
static size_t
fill(int fd, char *buf, size_t have, size_t cap)
{
	ssize_t n;

	if (have == cap)
		return 0;
	for (;;) {
		n = read(fd, buf + have, cap - have);
		if (n > 0)
			return (size_t)n;
		if (n == -1 && errno == EINTR && !sync_quit)
			continue;
		return 0;
	}
}

/*
 * Read and drop the body; bytes of it already in buf[off..have) first.
 * 0, or the error status (-1 if the connection just ended).
 */
static int
drain_body(int fd, const struct http_request *rq, char *buf, size_t off,
    size_t have, size_t cap, const struct http_limits *l)
{
	struct http_chunked	 ch;
	uint64_t		 left = rq->rq_length;
	const char		*data;
	size_t			 used, dlen, got;
	int			 r;

	if (rq->rq_body == HTTP_BODY_LENGTH) {
		got = have - off;
		while (got < left) {
			left -= got;
			if ((got = fill(fd, buf, 0, cap)) == 0)
				return -1;
		}
		return 0;
	}
	http_chunked_init(&ch);
	for (;;) {
		while (off < have) {
			r = http_chunked_feed(&ch, buf + off, have - off, &used,
			    &data, &dlen, l);
			if (r < 0)
				return -r;
			off += used;
			if (r == HTTP_CHUNK_DONE)
				return 0;
		}
		off = 0;
		if ((have = fill(fd, buf, 0, cap)) == 0)
			return -1;
	}
}

static void
serve(int fd, const struct http_worker_conf *wc, char *buf, size_t cap,
    struct http_request *rq)
{
	struct http_scan	sc = { 0, 0, 0 };
	struct hw_response	resp;
	struct alog_entry	log;
	char			peer[64];
	size_t			have = 0, got;
	long			headlen = 0;
	int			r, minor;

	while (headlen == 0) {
		if ((got = fill(fd, buf, have, cap)) == 0)
			return;		/* EOF, timeout: nothing to answer */
		have += got;
		headlen = http_scan(&sc, buf, have, &wc->hw_limits);
	}
	if (headlen < 0) {
		reply_error(fd, (int)-headlen, 1);
		return;
	}
	if ((r = http_parse(buf, (size_t)headlen, &wc->hw_limits, rq)) != 0) {
		reply_error(fd, -r, 1);
		return;
	}
	if (rq->rq_continue && rq->rq_body != HTTP_BODY_NONE &&
	    have == (size_t)headlen)
		write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	/* Decided before the body is read: reading it reuses buf, where
	   rq's pointers are. */
	hw_respond(rq, false, &resp);
	minor = rq->rq_minor;
	if (alog_enabled()) {
		alog_peer(fd, peer, sizeof(peer));
		alog_begin(&log, rq, peer);
	}
	if (rq->rq_body != HTTP_BODY_NONE &&
	    (r = drain_body(fd, rq, buf, (size_t)headlen, have, cap,
	    &wc->hw_limits)) != 0) {
		hw_response_done(&resp);
		if (r > 0)
			reply_error(fd, r, minor);
		if (alog_enabled())
			alog_write(&log, r > 0 ? r : 400, 0);
		return;
	}
	send_response(fd, &resp);
	if (alog_enabled())
		alog_write(&log, resp.hr_status, resp.hr_body);
}

static void
set_timeouts(int fd, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
	    .tv_usec = (ms % 1000) * 1000 };

	/* Best effort: without them a client could only stall us. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int
hw_sync_run(const struct http_worker_conf *wc)
{
	struct pollfd		 pfd[64];
	struct http_request	*rq;
	size_t			 cap = hw_head_max(&wc->hw_limits), n;
	char			*buf;
	int			 fd;

	n = wc->hw_nfds < 64 ? wc->hw_nfds : 64;
	if (sync_signals() == -1 || (buf = malloc(cap)) == NULL ||
	    (rq = malloc(sizeof(*rq))) == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = HW_FIRST_FD + (int)i;
		pfd[i].events = POLLIN;
		/* Siblings race for each connection: accept must not block. */
		if (fcntl(pfd[i].fd, F_SETFL, O_NONBLOCK) == -1)
			return 1;
	}
	while (!sync_drain && !sync_quit) {
		if (sync_reopen) {
			sync_reopen = 0;
			(void)alog_reopen();	/* else keep the old file */
		}
		if (poll(pfd, n, -1) == -1)
			continue;	/* EINTR: look at the flags */
		for (size_t i = 0; i < n && !sync_quit; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd == -1)
				continue;	/* a sibling won, or it left */
			set_timeouts(fd, wc->hw_read_ms);
			serve(fd, wc, buf, cap, rq);
			close(fd);
		}
	}
	return 0;
}
