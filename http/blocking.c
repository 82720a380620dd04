/* SPDX-License-Identifier: ISC */
/*
 * Serving one request on a blocking socket, for the sync and gthread
 * workers.  The socket has SO_RCVTIMEO and SO_SNDTIMEO set, so a slow
 * client costs at most the read timeout.  Bytes after a request (a
 * pipelined next one) stay in the buffer for the next call.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "worker.h"

void
hw_set_timeouts(int fd, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
	    .tv_usec = (ms % 1000) * 1000 };

	/* Best effort: without them a client could only stall us. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

#define LINGER_MS	1000	/* as nginx's lingering_timeout */
#define LINGER_READS	64

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* more: more bytes follow at once (MSG_MORE), so they share a packet. */
static bool
write_all(int fd, const char *buf, size_t len, volatile sig_atomic_t *quit,
    bool more)
{
	ssize_t n;

	while (len > 0 && !*quit) {
		if ((n = send(fd, buf, len, MSG_NOSIGNAL |
		    (more ? MSG_MORE : 0))) == -1) {
			if (errno == EINTR)
				continue;
			return false;	/* gone or too slow */
		}
		buf += n;
		len -= (size_t)n;
	}
	return len == 0;
}

/* Head and small body, then the file if there is one. */
static bool
send_response(int fd, struct hw_response *r, volatile sig_atomic_t *quit)
{
	bool	ok = write_all(fd, r->hr_buf, r->hr_len, quit,
		    r->hr_memlen > 0 || r->hr_left > 0) &&
		    write_all(fd, r->hr_mem, r->hr_memlen, quit, r->hr_left > 0);
	ssize_t	n;

	while (ok && r->hr_left > 0 && !*quit) {
		n = sendfile(fd, r->hr_fd, &r->hr_off, r->hr_left > (1 << 30) ?
		    (size_t)1 << 30 : (size_t)r->hr_left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			ok = false;	/* gone, timed out, or the file shrank */
		else
			r->hr_left -= (uint64_t)n;
	}
	hw_response_done(r);
	return ok && !*quit;
}

static void
send_error(struct hw_bconn *bc, int status, int minor,
    volatile sig_atomic_t *quit)
{
	struct hw_response r;

	hw_error(status, minor, &r);
	(void)send_response(bc->bc_fd, &r, quit);
}

/*
 * Read more after bc_len, growing the buffer up to bc_max; false at EOF,
 * error, or timeout: the socket's per-read timeout, and while a head is
 * read, bc_deadline for the whole head, so a client trickling a byte at
 * a time cannot hold the worker (slow loris).
 */
static bool
fill(struct hw_bconn *bc, volatile sig_atomic_t *quit)
{
	struct pollfd	pfd = { .fd = bc->bc_fd, .events = POLLIN };
	ssize_t		n;
	char		*p;
	size_t		cap;

	if (bc->bc_len == bc->bc_cap) {
		if (bc->bc_cap >= bc->bc_max)
			return false;
		cap = bc->bc_cap * 2 < bc->bc_max ? bc->bc_cap * 2 : bc->bc_max;
		if (cap == 0 || (p = realloc(bc->bc_buf, cap)) == NULL)
			return false;
		bc->bc_buf = p;
		bc->bc_cap = cap;
	}
	/* A signal (TERM: drain) must not cost the request being read. */
	while (bc->bc_deadline != 0) {
		uint64_t now = now_ms();
		int r;
		if (now >= bc->bc_deadline)
			return false;
		r = poll(&pfd, 1, (int)(bc->bc_deadline - now));
		if (r == 1)
			break;
		if (r == 0 || errno != EINTR || *quit)
			return false;
	}
	for (;;) {
		n = read(bc->bc_fd, bc->bc_buf + bc->bc_len,
		    bc->bc_cap - bc->bc_len);
		if (n > 0) {
			bc->bc_len += (size_t)n;
			return true;
		}
		if (n == -1 && errno == EINTR && !*quit)
			continue;
		return false;
	}
}

/* Drop the first n bytes of the buffer. */
static void
consume(struct hw_bconn *bc, size_t n)
{
	memmove(bc->bc_buf, bc->bc_buf + n, bc->bc_len - n);
	bc->bc_len -= n;
}

/* Body bytes: kept for an app, dropped otherwise. */
static bool
keep_body(struct hw_bconn *bc, const char *p, size_t n)
{
	return !app_enabled() || hw_append(&bc->bc_body, &bc->bc_bodylen,
	    &bc->bc_bodycap, p, n);
}

/* Read the body; 0, a status, or -1 if the connection ended. */
static int
drain_body(struct hw_bconn *bc, const struct http_request *rq,
    const struct http_limits *l, volatile sig_atomic_t *quit)
{
	struct http_chunked	 ch;
	uint64_t		 left = rq->rq_length;
	const char		*data;
	size_t			 used, dlen, n;
	int			 r;

	if (rq->rq_body == HTTP_BODY_LENGTH) {
		for (;;) {
			n = bc->bc_len < left ? bc->bc_len : (size_t)left;
			if (!keep_body(bc, bc->bc_buf, n))
				return 500;
			consume(bc, n);
			if ((left -= n) == 0)
				return 0;
			if (!fill(bc, quit))
				return -1;
		}
	}
	http_chunked_init(&ch);
	for (;;) {
		while (bc->bc_len > 0) {
			r = http_chunked_feed(&ch, bc->bc_buf, bc->bc_len,
			    &used, &data, &dlen, l);
			if (r < 0)
				return -r;
			if (r == HTTP_CHUNK_DATA && !keep_body(bc, data, dlen))
				return 500;
			consume(bc, used);
			if (r == HTTP_CHUNK_DONE)
				return 0;
		}
		if (!fill(bc, quit))
			return -1;
	}
}

bool
hw_blocking_serve(struct hw_bconn *bc, const struct http_worker_conf *wc,
    bool keepalive, volatile sig_atomic_t *quit)
{
	struct http_request	*rq = bc->bc_rq;
	struct http_scan	 sc = { 0, 0, 0 };
	struct hw_response	 resp;
	struct alog_entry	 log;
	long			 headlen;
	int			 r, minor;

	bc->bc_deadline = now_ms() + wc->hw_read_ms;
	while ((headlen = http_scan(&sc, bc->bc_buf, bc->bc_len,
	    &wc->hw_limits)) == 0) {
		if (!fill(bc, quit))
			return false;	/* EOF, timeout: nothing to answer */
	}
	bc->bc_deadline = 0;	/* a body: the per-read timeout only */
	if (headlen < 0) {
		send_error(bc, (int)-headlen, 1, quit);
		hw_rejected((int)-headlen, bc->bc_peer);
		return false;
	}
	if ((r = http_parse(bc->bc_buf, (size_t)headlen, &wc->hw_limits, rq))
	    != 0) {
		send_error(bc, -r, 1, quit);
		hw_rejected(-r, bc->bc_peer);
		return false;
	}
	if (rq->rq_continue && rq->rq_body != HTTP_BODY_NONE &&
	    bc->bc_len == (size_t)headlen &&
	    !write_all(bc->bc_fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, quit,
	    false))
		return false;	/* half an interim reply: the stream is lost */
	/* Logged, and without an app decided, before the body is read:
	   reading it reuses the buffer rq points into. */
	keepalive = keepalive && rq->rq_keepalive;
	sb_begin(hw_board);
	minor = rq->rq_minor;
	if (alog_enabled())
		alog_begin(&log, rq, bc->bc_peer);
	if (app_enabled()) {
		/* The app sees the body: keep the head for after it. */
		size_t hl = 0;
		bc->bc_bodylen = 0;
		if (!hw_append(&bc->bc_head, &hl, &bc->bc_headcap, bc->bc_buf,
		    (size_t)headlen))
			r = 500;
		hw_response_init(&resp);
	} else
		hw_respond(rq, keepalive, &resp);
	consume(bc, (size_t)headlen);
	if (r == 0 && rq->rq_body != HTTP_BODY_NONE)
		r = drain_body(bc, rq, &wc->hw_limits, quit);
	if (r == 0 && app_enabled()) {
		/* The same head again, now from the kept copy. */
		if (http_parse(bc->bc_head, (size_t)headlen, &wc->hw_limits,
		    rq) != 0)
			r = 500;
		else
			hw_app_response(rq, bc->bc_body, bc->bc_bodylen,
			    bc->bc_peer, keepalive, &resp);
	}
	if (r != 0) {
		hw_response_done(&resp);
		if (r > 0)
			send_error(bc, r, minor, quit);
		if (alog_enabled())
			alog_write(&log, r > 0 ? r : 400, 0);
		hw_request_done(0);
		return false;
	}
	if (!send_response(bc->bc_fd, &resp, quit)) {
		hw_request_done(0);
		return false;
	}
	if (alog_enabled())
		alog_write(&log, resp.hr_status, resp.hr_body);
	hw_request_done(resp.hr_body);
	return !resp.hr_close;
}

void
hw_blocking_close(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	uint64_t	end;
	char		buf[4096];
	int		pending = 0;

	/* Unread input makes close() send a reset, which can destroy reply
	   bytes not yet delivered: shut our side, drain briefly, close. */
	if (ioctl(fd, FIONREAD, &pending) == 0 && pending > 0 &&
	    shutdown(fd, SHUT_WR) == 0) {
		end = now_ms() + LINGER_MS;
		for (int i = 0; i < LINGER_READS; i++) {
			uint64_t now = now_ms();
			if (now >= end || poll(&pfd, 1, (int)(end - now)) != 1 ||
			    read(fd, buf, sizeof(buf)) <= 0)
				break;
		}
	}
	close(fd);
}
