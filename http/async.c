/* SPDX-License-Identifier: ISC */
/*
 * The async worker: one epoll loop, many connections, keep-alive and
 * pipelining.  Listeners are watched with EPOLLEXCLUSIVE so a connection
 * wakes one worker, not all.  A connection costs memory, never the worker:
 * a client trickling half a request just sits in a buffer until its read
 * deadline.
 *
 * Deadlines are constant per kind (read, keep-alive idle), so each kind
 * is a FIFO list ordered by deadline: appending at the tail keeps it
 * sorted, and the loop sleeps until the earliest head.
 *
 * Pipelined requests cost one read and one write per batch: a small reply
 * whose connection has more input buffered is copied to the connection's
 * batch (BATCH_MAX, allocated on the first pipelined request) instead of
 * written, and the batch goes out in one write before anything that cannot
 * join it, and before the loop waits for input.  Replies keep their order;
 * a client that sends and never reads fills one batch and its socket, and
 * is then read no more until it does.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

#define IN_START	4096
#define BATCH_MAX	16384	/* pipelined replies written together */

enum conn_state {
	C_HEAD,		/* reading a request head */
	C_BODY,		/* reading (and dropping) its body */
	C_WRITE,	/* writing the reply */
	C_LINGER,	/* replied and shut down our side: draining input */
};

/*
 * Deadlines: a request's head and body (read), the wait for the next
 * request (idle), a stalled reply (write, renewed on progress), and the
 * lingering close.  Each kind has one timeout, so its list stays sorted.
 */
enum timer_kind { T_READ, T_IDLE, T_WRITE, T_LINGER, T_NKINDS, T_NONE };

#define LINGER_MS	1000	/* as nginx's lingering_timeout */
#define FREE_MAX	64	/* closed connections kept for reuse */

struct conn {
	int		 c_fd;
	enum conn_state	 c_state;
	char		*c_in;
	size_t		 c_inlen;	/* bytes in c_in */
	size_t		 c_inoff;	/* start of the unparsed part */
	size_t		 c_incap;
	struct http_scan c_scan;
	/* The request being read: what the loop needs of it. */
	enum http_body	 c_body;
	uint64_t	 c_left;
	struct http_chunked *c_chunked;
	int		 c_minor;
	bool		 c_keepalive;
	bool		 c_peerclose;	/* the client said close, nothing owed */
	struct hw_response c_resp;	/* decided once the head is parsed */
	size_t		 c_outoff;	/* of c_resp.hr_buf, sent so far */
	char		*c_batch;	/* replies before c_resp, unsent */
	size_t		 c_batchlen, c_batchoff;
	bool		 c_wantout;
	bool		 c_busy;	/* counted busy on the scoreboard */
	/* With an app: the head kept while the body is read, and the body. */
	char		*c_head;
	size_t		 c_headlen, c_headcap;
	char		*c_abody;
	size_t		 c_abodylen, c_abodycap;
	struct alog_entry *c_log;	/* with an access log only */
	bool		 c_logged;	/* c_log describes the reply in c_resp */
	char		 c_peer[48];
	/* Timer list. */
	enum timer_kind	 c_tkind;
	uint64_t	 c_deadline;
	struct conn	*c_prev, *c_next;
};

enum flush {
	FLUSH_NEXT,	/* reply written: on to the next request */
	FLUSH_WAIT,	/* the socket is full: wait for EPOLLOUT */
	FLUSH_LINGER,	/* reply written and the connection ends */
	FLUSH_CLOSE,	/* the connection broke */
};

struct tlist {
	struct conn	*tl_head, *tl_tail;
	unsigned	 tl_ms;
};

static struct async {
	const struct http_worker_conf	*a_wc;
	struct hw_loop			 a_loop;
	struct tlist			 a_timers[T_NKINDS];
	struct http_request		*a_rq;	/* scratch for http_parse */
	struct conn			*a_free;	/* for reuse, by c_next */
	size_t				 a_nfree;
	size_t				 a_headmax;
} A;

/*
 * The loop's clock, read once per batch of events.  A batch of parsing
 * and writing takes well under a millisecond, but an app module's handler
 * may block for as long as it likes, so the clock is read again after
 * each one: a keep-alive timer started after a slow handler would
 * otherwise be due already.
 */
static uint64_t
now_ms(void)
{
	return A.a_loop.l_now;
}

static void
clock_update(void)
{
	A.a_loop.l_now = sb_now_ms();
}

/* -- timers ------------------------------------------------------------- */

static void
timer_stop(struct conn *c)
{
	struct tlist *tl;

	if (c->c_tkind == T_NONE)
		return;
	tl = &A.a_timers[c->c_tkind];
	if (c->c_prev)
		c->c_prev->c_next = c->c_next;
	else
		tl->tl_head = c->c_next;
	if (c->c_next)
		c->c_next->c_prev = c->c_prev;
	else
		tl->tl_tail = c->c_prev;
	c->c_prev = c->c_next = NULL;
	c->c_tkind = T_NONE;
}

static void
timer_start(struct conn *c, enum timer_kind kind)
{
	struct tlist *tl = &A.a_timers[kind];

	timer_stop(c);
	c->c_tkind = kind;
	c->c_deadline = now_ms() + tl->tl_ms;
	c->c_prev = tl->tl_tail;
	if (tl->tl_tail)
		tl->tl_tail->c_next = c;
	else
		tl->tl_head = c;
	tl->tl_tail = c;
}

/* -- connections ------------------------------------------------------------ */

/*
 * Connections are kept for reuse, buffers and all, so that clients that
 * close after every request (Connection: close) cost no allocation.
 */
static struct conn *
conn_get(void)
{
	struct conn		*c = A.a_free;
	char			*in;
	struct alog_entry	*log;
	struct http_chunked	*ch;

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return NULL;
		if ((c->c_in = malloc(IN_START)) == NULL) {
			free(c);
			return NULL;
		}
	} else {
		A.a_free = c->c_next;
		A.a_nfree--;
		in = c->c_in;
		log = c->c_log;
		ch = c->c_chunked;
		memset(c, 0, sizeof(*c));
		c->c_in = in;
		c->c_log = log;
		c->c_chunked = ch;
	}
	c->c_incap = IN_START;
	hw_response_init(&c->c_resp);
	return c;
}

static void
conn_put(struct conn *c)
{
	free(c->c_head);
	free(c->c_abody);
	free(c->c_batch);
	c->c_head = c->c_abody = c->c_batch = NULL;
	/* A buffer grown for a big head is not kept. */
	if (A.a_nfree >= FREE_MAX || c->c_incap != IN_START) {
		free(c->c_log);
		free(c->c_in);
		free(c->c_chunked);
		free(c);
		return;
	}
	c->c_next = A.a_free;
	A.a_free = c;
	A.a_nfree++;
}

static void
conn_close(struct conn *c)
{
	timer_stop(c);
	hw_response_done(&c->c_resp);
	if (c->c_busy)
		hw_request_done(0);
	close(c->c_fd);		/* also leaves the epoll set */
	conn_put(c);
	hw_loop_closed(&A.a_loop);
}

/*
 * Input or output, never both: input left unread while a reply waits
 * (a pipelining or half-closed client) would make level-triggered epoll
 * report it again at once, for ever.
 */
static int
conn_watch(struct conn *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT :
	    EPOLLIN | EPOLLRDHUP, .data.ptr = c };

	if (out == c->c_wantout)
		return 0;
	c->c_wantout = out;
	return epoll_ctl(A.a_loop.l_ep, EPOLL_CTL_MOD, c->c_fd, &ev);
}

/* The reply in c_resp is ready: send it. */
static void
conn_send(struct conn *c)
{
	c->c_outoff = 0;
	c->c_state = C_WRITE;
}

static void conn_error(struct conn *, int);
static enum flush batch_flush(struct conn *);

/* The request is complete: an app answers now, from the kept head. */
static void
conn_complete(struct conn *c)
{
	if (app_enabled()) {
		if (http_parse(c->c_head, c->c_headlen, &A.a_wc->hw_limits,
		    A.a_rq) != 0) {
			conn_error(c, 500);
			return;
		}
		hw_app_response(A.a_rq, c->c_abody, c->c_abodylen, c->c_peer,
		    c->c_keepalive, &c->c_resp);
		clock_update();
	}
	conn_send(c);
}

/* Body bytes: kept for an app, dropped otherwise. */
static bool
conn_keep(struct conn *c, const char *p, size_t n)
{
	return !app_enabled() || hw_append(&c->c_abody, &c->c_abodylen,
	    &c->c_abodycap, p, n);
}

/* An error replaces whatever reply was planned, and ends the connection. */
static void
conn_error(struct conn *c, int status)
{
	if (!c->c_busy)		/* the head did not parse */
		hw_rejected(status, c->c_peer);
	c->c_peerclose = false;	/* a body may still be coming */
	hw_response_done(&c->c_resp);
	hw_error(status, c->c_minor, &c->c_resp);
	conn_send(c);
}

/* After a complete head: set up the body, or reply at once. */
static void
conn_request(struct conn *c, size_t headlen)
{
	struct http_request	*rq = A.a_rq;
	int			 r;

	r = http_parse(c->c_in + c->c_inoff, headlen, &A.a_wc->hw_limits, rq);
	c->c_inoff += headlen;
	c->c_minor = rq->rq_minor;
	if (r != 0) {
		conn_error(c, -r);
		return;
	}
	/* keepalive = 0 turns keep-alive off, as in Gunicorn; a worker due
	   for max_requests sends its clients to the replacement. */
	c->c_keepalive = rq->rq_keepalive && !A.a_loop.l_draining &&
	    A.a_wc->hw_keepalive_ms > 0 && !hw_recycle_closing();
	c->c_peerclose = !rq->rq_keepalive;
	c->c_body = rq->rq_body;
	c->c_left = rq->rq_length;
	/* Decided now, while rq's pointers into the buffer are valid, and
	   sent once the body has been read; an app decides after the body,
	   from a copy of the head. */
	if (app_enabled()) {
		c->c_headlen = c->c_abodylen = 0;
		hw_response_init(&c->c_resp);
		if (!hw_append(&c->c_head, &c->c_headlen, &c->c_headcap,
		    c->c_in + c->c_inoff - headlen, headlen)) {
			conn_error(c, 500);
			return;
		}
	} else
		hw_respond(rq, c->c_keepalive, &c->c_resp);
	sb_begin(hw_board);
	c->c_busy = true;
	if (c->c_log != NULL) {
		alog_begin(c->c_log, rq, c->c_peer);
		c->c_logged = true;
	}
	if (c->c_body == HTTP_BODY_NONE) {
		conn_complete(c);
		return;
	}
	if (c->c_body == HTTP_BODY_CHUNKED) {
		if (c->c_chunked == NULL &&
		    (c->c_chunked = malloc(sizeof(*c->c_chunked))) == NULL) {
			conn_error(c, 500);
			return;
		}
		http_chunked_init(c->c_chunked);
	}
	if (rq->rq_continue && c->c_inoff == c->c_inlen &&
	    batch_flush(c) == FLUSH_NEXT) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		/* The previous reply is out, so this tiny one goes out whole;
		   if it ever does not, the stream is broken: end it. */
		if (send(c->c_fd, cont, sizeof(cont) - 1, MSG_DONTWAIT |
		    MSG_NOSIGNAL) != (ssize_t)sizeof(cont) - 1) {
			hw_response_done(&c->c_resp);
			hw_response_init(&c->c_resp);
			conn_send(c);
			return;
		}
	}
	c->c_state = C_BODY;
}

/* Drop body bytes from the buffer; true once the body is complete. */
static bool
conn_body(struct conn *c)
{
	const char	*data;
	size_t		 avail = c->c_inlen - c->c_inoff, used, dlen;
	int		 r;

	if (c->c_body == HTTP_BODY_LENGTH) {
		size_t n = avail < c->c_left ? avail : (size_t)c->c_left;
		if (!conn_keep(c, c->c_in + c->c_inoff, n)) {
			conn_error(c, 500);
			return false;
		}
		c->c_inoff += n;
		c->c_left -= n;
		return c->c_left == 0;
	}
	while (c->c_inoff < c->c_inlen) {
		r = http_chunked_feed(c->c_chunked, c->c_in + c->c_inoff,
		    c->c_inlen - c->c_inoff, &used, &data, &dlen,
		    &A.a_wc->hw_limits);
		if (r < 0 || (r == HTTP_CHUNK_DATA && !conn_keep(c, data,
		    dlen))) {
			conn_error(c, r < 0 ? -r : 500);
			return false;
		}
		c->c_inoff += used;
		if (r == HTTP_CHUNK_DONE)
			return true;
	}
	return false;
}

/* Parse what is buffered, as far as it goes. */
static void
conn_advance(struct conn *c)
{
	long headlen;

	while (c->c_state != C_WRITE && c->c_inoff < c->c_inlen) {
		if (c->c_state == C_HEAD) {
			headlen = http_scan(&c->c_scan, c->c_in + c->c_inoff,
			    c->c_inlen - c->c_inoff, &A.a_wc->hw_limits);
			if (headlen < 0)
				conn_error(c, (int)-headlen);
			else if (headlen == 0)
				return;
			else
				conn_request(c, (size_t)headlen);
		} else if (conn_body(c) && c->c_state == C_BODY)
			conn_complete(c);
	}
}

/* Make room for reading: compact, then grow up to the head limit. */
static bool
conn_room(struct conn *c)
{
	size_t	cap;
	char	*p;

	if (c->c_inoff > 0) {
		memmove(c->c_in, c->c_in + c->c_inoff, c->c_inlen - c->c_inoff);
		c->c_inlen -= c->c_inoff;
		/* The scan position is relative to the request's start. */
		c->c_inoff = 0;
	}
	if (c->c_inlen < c->c_incap)
		return true;
	if (c->c_incap >= A.a_headmax)
		return false;
	cap = c->c_incap * 2 < A.a_headmax ? c->c_incap * 2 : A.a_headmax;
	if (cap == 0 || (p = realloc(c->c_in, cap)) == NULL)
		return false;
	c->c_in = p;
	c->c_incap = cap;
	return true;
}

/* The socket is full: wait until it drains. */
static enum flush
flush_wait(struct conn *c)
{
	if (conn_watch(c, true) == -1)
		return FLUSH_CLOSE;
	/* Renewed each time the socket drains a bit: a slow reader is
	   fine, a stalled one not. */
	timer_start(c, T_WRITE);
	return FLUSH_WAIT;
}

/* The batched replies out, or FLUSH_WAIT / FLUSH_CLOSE. */
static enum flush
batch_flush(struct conn *c)
{
	ssize_t n;

	while (c->c_batchoff < c->c_batchlen) {
		n = write(c->c_fd, c->c_batch + c->c_batchoff,
		    c->c_batchlen - c->c_batchoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return flush_wait(c);
		if (n <= 0)
			return FLUSH_CLOSE;
		c->c_batchoff += (size_t)n;
	}
	c->c_batchlen = c->c_batchoff = 0;
	return FLUSH_NEXT;
}

/* A small reply with more requests buffered behind it, or after others
   batched, joins the batch, which takes the place of its write: the
   batch goes out when the loop next needs input. */
static bool
batch_add(struct conn *c)
{
	const struct hw_response *r = &c->c_resp;

	if ((c->c_inoff == c->c_inlen && c->c_batchlen == 0) ||
	    c->c_outoff != 0 || r->hr_close || r->hr_fd != -1 ||
	    r->hr_len + r->hr_memlen > BATCH_MAX - c->c_batchlen)
		return false;
	if (c->c_batch == NULL && (c->c_batch = malloc(BATCH_MAX)) == NULL)
		return false;
	memcpy(c->c_batch + c->c_batchlen, r->hr_buf, r->hr_len);
	c->c_batchlen += r->hr_len;
	if (r->hr_memlen != 0)
		memcpy(c->c_batch + c->c_batchlen, r->hr_mem, r->hr_memlen);
	c->c_batchlen += r->hr_memlen;
	c->c_outoff = r->hr_len + r->hr_memlen;
	return true;
}

static enum flush
conn_flush(struct conn *c)
{
	struct hw_response	*r = &c->c_resp;
	ssize_t			 n;
	enum flush		 f;

	if (!batch_add(c) && (f = batch_flush(c)) != FLUSH_NEXT)
		return f;
	while (c->c_outoff < r->hr_len + r->hr_memlen || r->hr_left > 0) {
		if (c->c_outoff < r->hr_len)
			n = write(c->c_fd, r->hr_buf + c->c_outoff,
			    r->hr_len - c->c_outoff);
		else if (c->c_outoff < r->hr_len + r->hr_memlen)
			n = write(c->c_fd, r->hr_mem + (c->c_outoff -
			    r->hr_len), r->hr_len + r->hr_memlen - c->c_outoff);
		else
			n = sendfile(c->c_fd, r->hr_fd, &r->hr_off,
			    r->hr_left > (1 << 20) ? (size_t)1 << 20 :
			    (size_t)r->hr_left);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? flush_wait(c) : FLUSH_CLOSE;
		}
		if (n == 0)
			return FLUSH_CLOSE;	/* the file shrank */
		if (c->c_outoff < r->hr_len + r->hr_memlen)
			c->c_outoff += (size_t)n;
		else
			r->hr_left -= (uint64_t)n;
	}
	hw_response_done(r);
	if (c->c_busy) {
		hw_request_done(r->hr_body);
		c->c_busy = false;
	}
	if (c->c_logged) {
		alog_write(c->c_log, r->hr_status, r->hr_body);
		c->c_logged = false;
	}
	if (r->hr_close)
		return FLUSH_LINGER;
	if (conn_watch(c, false) == -1)
		return FLUSH_CLOSE;
	/* The reply is out: the next request, maybe already buffered. */
	c->c_state = C_HEAD;
	memset(&c->c_scan, 0, sizeof(c->c_scan));
	timer_start(c, c->c_inoff < c->c_inlen ? T_READ : T_IDLE);
	return FLUSH_NEXT;
}

/*
 * Closing with unread input makes the kernel send a reset, which can
 * destroy reply bytes not yet delivered: shut our side down, and read
 * and drop what the client still sends, for a second at most.
 */
static void
conn_linger(struct conn *c)
{
	if (shutdown(c->c_fd, SHUT_WR) == -1 || conn_watch(c, false) == -1) {
		conn_close(c);
		return;
	}
	c->c_state = C_LINGER;
	timer_start(c, T_LINGER);
}

static void
linger_io(struct conn *c)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = read(c->c_fd, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || errno != EAGAIN)
		conn_close(c);
}

/*
 * Replies batched, and nothing more to answer without input: they go
 * before the loop waits.  false: not now (the socket is full), or the
 * connection is gone.
 */
static bool
batch_out(struct conn *c)
{
	switch (batch_flush(c)) {
	case FLUSH_WAIT:
		return false;
	case FLUSH_NEXT:
		if (conn_watch(c, false) == -1)
			break;
		if (c->c_tkind != T_WRITE)
			return true;
		/* It had to wait for the socket: the reply is out now. */
		if (A.a_loop.l_draining && c->c_inoff == c->c_inlen)
			break;
		timer_start(c, c->c_inoff < c->c_inlen ? T_READ : T_IDLE);
		return true;
	default:
		break;
	}
	conn_close(c);
	return false;
}

/* Read, parse and reply until the socket has nothing more for now. */
static void
conn_io(struct conn *c, uint32_t events)
{
	ssize_t	n;
	size_t	room;
	bool	eof = false, emptied = false;

	if (events & EPOLLERR) {
		conn_close(c);
		return;
	}
	if (c->c_state == C_LINGER) {
		linger_io(c);
		return;
	}
	for (;;) {
		if (c->c_state == C_WRITE) {
			switch (conn_flush(c)) {
			case FLUSH_WAIT:
				return;
			case FLUSH_LINGER:
				/* A client that asked to close sends nothing
				   more (RFC 9112, 9.6): no reset can come of
				   closing at once, which saves the shutdown
				   and the read that lingering costs.  As the
				   blocking workers' FIONREAD check. */
				if (c->c_peerclose && c->c_inoff == c->c_inlen)
					conn_close(c);
				else
					conn_linger(c);
				return;
			case FLUSH_CLOSE:
				conn_close(c);
				return;
			case FLUSH_NEXT:
				break;
			}
			if (A.a_loop.l_draining && c->c_inoff == c->c_inlen) {
				/* Replies batched before the drain go first. */
				if (batch_flush(c) != FLUSH_WAIT)
					conn_close(c);
				return;
			}
			conn_advance(c);
			continue;
		}
		if (eof) {
			conn_close(c);
			return;
		}
		if (!batch_out(c))
			return;
		/* A read that did not fill the room took all the socket
		   had: what comes next, epoll reports (level-triggered).
		   Reading again would be an EAGAIN per request. */
		if (emptied)
			return;
		if (!conn_room(c)) {
			conn_error(c, 431);
			continue;
		}
		room = c->c_incap - c->c_inlen;
		n = read(c->c_fd, c->c_in + c->c_inlen, room);
		emptied = n > 0 && (size_t)n < room;
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			eof = true;
			continue;
		}
		if (n == -1)
			return;			/* EAGAIN: wait for more */
		/* The head has one deadline from its first byte (slow-loris
		   clients); a body gets a fresh one with every read. */
		if (c->c_tkind != T_READ || c->c_state == C_BODY)
			timer_start(c, T_READ);
		c->c_inlen += (size_t)n;
		conn_advance(c);
	}
}

static void
conn_new(int fd)
{
	struct conn		*c;
	struct epoll_event	 ev = { .events = EPOLLIN | EPOLLRDHUP };
	int			 one = 1;

	if ((c = conn_get()) == NULL) {
		close(fd);
		hw_loop_closed(&A.a_loop);
		return;
	}
	c->c_fd = fd;
	/* Without memory the connection is still served, unlogged. */
	if (alog_enabled() && c->c_log == NULL)
		c->c_log = malloc(sizeof(*c->c_log));
	if (hw_wants_peer())
		alog_peer(fd, c->c_peer, sizeof(c->c_peer));
	c->c_tkind = T_NONE;
	c->c_minor = 1;
	/* Replies are one write; do not let Nagle hold them back. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ev.data.ptr = c;
	if (epoll_ctl(A.a_loop.l_ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		conn_put(c);
		close(fd);
		hw_loop_closed(&A.a_loop);
		return;
	}
	timer_start(c, T_READ);
}

/* -- stopping ----------------------------------------------------------------- */

/*
 * TERM: idle keep-alive connections go now; busy ones after their reply.
 * One accepted but still waiting for its first request stays until it is
 * served or its read timeout ends it: closing it would lose a request the
 * client has sent or is about to.  So does an idle one whose next request
 * has arrived but not been read (a recycled worker is told to stop just
 * after a reply): it is served, with Connection: close.
 */
static void
async_drain(void)
{
	struct conn *c, *next;

	for (c = A.a_timers[T_IDLE].tl_head; c != NULL; c = next) {
		next = c->c_next;
		if (hw_input_waiting(c->c_fd))
			timer_start(c, T_READ);
		else
			conn_close(c);
	}
}

static int
expire(uint64_t now)
{
	uint64_t	next = UINT64_MAX;
	struct conn	*c;

	for (int k = 0; k < T_NKINDS; k++) {
		while ((c = A.a_timers[k].tl_head) != NULL &&
		    c->c_deadline <= now) {
			if (k == T_IDLE && hw_input_waiting(c->c_fd)) {
				/* Its next request came while this loop was
				   busy, before epoll said so: serve it. */
				timer_start(c, T_READ);
				continue;
			}
			conn_close(c);	/* slow or idle: no reply owed */
		}
		if (c != NULL && c->c_deadline < next)
			next = c->c_deadline;
	}
	if (next == UINT64_MAX)
		return -1;
	return (int)(next - now);
}

static void
async_event(const struct epoll_event *ev)
{
	conn_io(ev->data.ptr, ev->events);
}

static const struct hw_loop_ops async_ops = {
	.lo_open = conn_new,
	.lo_event = async_event,
	.lo_expire = expire,
	.lo_drain = async_drain,
};

static int
async_setup(const struct http_worker_conf *wc)
{
	memset(&A, 0, sizeof(A));
	A.a_wc = wc;
	A.a_headmax = hw_head_max(&wc->hw_limits);
	A.a_timers[T_READ].tl_ms = wc->hw_read_ms;
	A.a_timers[T_IDLE].tl_ms = wc->hw_keepalive_ms;
	A.a_timers[T_WRITE].tl_ms = wc->hw_read_ms;
	A.a_timers[T_LINGER].tl_ms = LINGER_MS;
	if ((A.a_rq = malloc(sizeof(*A.a_rq))) == NULL)
		return -1;
	return hw_loop_init(&A.a_loop, wc, &async_ops,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int
hw_async_run(const struct http_worker_conf *wc)
{
	if (async_setup(wc) == -1)
		return 1;
	hw_ready();
	return hw_loop_run(&A.a_loop) == HW_LOOP_FAILED ? 1 : 0;
}
