/* SPDX-License-Identifier: ISC */
/*
 * The load client (see loadgen.h): one thread, non-blocking sockets and
 * poll(2), so that 64 connections cost one thread and no test waits on a
 * single slow request.  Connections are opened at the client's pace, not
 * as fast as the previous ones end: see LG_RATE_SHARED for why.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

#define LG_MAX		64
#define LG_REPLY_MAX	4096
#define LG_BURST_US	10000L		/* pace owed after a pause, at most */
#define LG_IDLE_MS	50		/* poll's wait with nothing due */

static const char http_req[] = "GET / HTTP/1.0\r\n\r\n";

static const char *const outcome_name[LG_NOUTCOMES] = {
	[LG_OK] = "ok",
	[LG_REFUSED] = "refused",
	[LG_NO_SYNACK] = "no SYN-ACK",
	[LG_RESET] = "reset",
	[LG_UNANSWERED] = "unanswered",
	[LG_BAD] = "bad",
};

struct conn {
	int		c_fd;
	bool		c_connected;
	size_t		c_sent;
	char		c_buf[LG_REPLY_MAX];
	size_t		c_len;
	struct lg_story	c_story;
};

static long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

/* Microseconds since lg_start. */
static long
now_us(const struct loadgen *lg)
{
	return mono_us() - lg->lg_t0_us;
}

static void
conn_account(struct loadgen *lg, struct conn *c, enum lg_outcome o,
    int err)
{
	struct lg_story	*s = &c->c_story;
	long		 took;

	s->ls_end_us = now_us(lg);
	s->ls_bytes = c->c_len;
	s->ls_errno = err;
	s->ls_outcome = o;
	took = s->ls_end_us - s->ls_start_us;
	lg->lg_count[o]++;
	lg->lg_requests++;
	if (o == LG_OK)
		atomic_fetch_add(&lg->lg_ok, 1);
	if (took > LG_STALL_MS * 1000L)
		lg->lg_stalls++;
	if (took > lg->lg_slowest.ls_end_us - lg->lg_slowest.ls_start_us)
		lg->lg_slowest = *s;
	if (o != LG_OK && !lg->lg_failed) {
		lg->lg_failed = true;
		lg->lg_first_failure = *s;
	}
	if (c->c_fd != -1)
		close(c->c_fd);
	c->c_fd = -1;
}

static void
conn_open(struct loadgen *lg, struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)lg->lg_port) };

	memset(c, 0, sizeof(*c));
	c->c_story = (struct lg_story){ .ls_start_us = now_us(lg),
	    .ls_connected_us = -1, .ls_sent_us = -1, .ls_first_us = -1 };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->c_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->c_fd == -1) {
		conn_account(lg, c, LG_REFUSED, errno);
		return;
	}
	if (connect(c->c_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)
		conn_account(lg, c, LG_REFUSED, errno);
}

static bool
reply_ok(const struct loadgen *lg, const struct conn *c)
{
	if (lg->lg_kind == LG_REPORT)
		return c->c_len > 0 && c->c_buf[c->c_len - 1] == '\n';
	return c->c_len > 12 && strncmp(c->c_buf, "HTTP/1.", 7) == 0 &&
	    c->c_buf[9] == '2';
}

/* The handshake's end: false if it failed (accounted for). */
static bool
conn_connected(struct loadgen *lg, struct conn *c)
{
	int		err = 0;
	socklen_t	sl = sizeof(err);

	if (getsockopt(c->c_fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
	/* An RST in SYN-SENT is ECONNREFUSED; ECONNRESET means the
	   handshake had completed and the server reset it since. */
	if (err != 0) {
		conn_account(lg, c, err == ECONNRESET ? LG_RESET : LG_REFUSED,
		    err);
		return false;
	}
	c->c_connected = true;
	c->c_story.ls_connected_us = now_us(lg);
	return true;
}

/* Send what is left of the request: false if it failed (accounted). */
static bool
conn_send(struct loadgen *lg, struct conn *c)
{
	ssize_t n;

	if (lg->lg_kind != LG_HTTP || c->c_sent == sizeof(http_req) - 1)
		return true;
	n = send(c->c_fd, http_req + c->c_sent,
	    sizeof(http_req) - 1 - c->c_sent, MSG_NOSIGNAL);
	if (n == -1 && errno != EAGAIN) {
		conn_account(lg, c, LG_RESET, errno);
		return false;
	}
	if (n > 0)
		c->c_sent += (size_t)n;
	if (c->c_sent == sizeof(http_req) - 1)
		c->c_story.ls_sent_us = now_us(lg);
	return true;
}

static void
conn_event(struct loadgen *lg, struct conn *c, short revents)
{
	ssize_t n;

	if (!c->c_connected && !conn_connected(lg, c))
		return;
	if (!conn_send(lg, c))
		return;
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = read(c->c_fd, c->c_buf + c->c_len, sizeof(c->c_buf) - 1 - c->c_len);
	if (n > 0) {
		if (c->c_len == 0)
			c->c_story.ls_first_us = now_us(lg);
		c->c_len += (size_t)n;
		if (c->c_len < sizeof(c->c_buf) - 1)
			return;
	} else if (n == -1 && errno == EAGAIN)
		return;
	/* Closed (or the buffer full): judge the reply. */
	if (n == -1)
		conn_account(lg, c, LG_RESET, errno);
	else if (c->c_len == 0)
		conn_account(lg, c, LG_RESET, 0);
	else
		conn_account(lg, c, reply_ok(lg, c) ? LG_OK : LG_BAD, 0);
}

static void
conn_expire(struct loadgen *lg, struct conn *c)
{
	conn_account(lg, c, c->c_connected ? LG_UNANSWERED : LG_NO_SYNACK,
	    ETIMEDOUT);
}

/*
 * Open connections into the free slots as the pace allows; the next
 * opening's time in *next.  After a pause (every slot busy) at most
 * LG_BURST_US of the pace is made up at once.
 */
static void
pace_open(struct loadgen *lg, struct conn *c, int n, long *next)
{
	long interval = 1000000L / lg->lg_rate, now = now_us(lg);

	for (int i = 0; i < n && now >= *next; i++) {
		if (c[i].c_fd != -1)
			continue;
		conn_open(lg, &c[i]);
		if (*next < now - LG_BURST_US)
			*next = now - LG_BURST_US;
		*next += interval;
	}
}

/* poll's wait: until the next opening if a slot is free, else idle. */
static int
pace_wait_ms(const struct loadgen *lg, const struct conn *c, int n,
    long next, bool stopping)
{
	long left = next - now_us(lg);

	for (int i = 0; i < n && !stopping; i++) {
		if (c[i].c_fd == -1)
			return left <= 0 ? 0 :
			    (int)(left < LG_IDLE_MS * 1000L ?
			    (left + 999) / 1000 : LG_IDLE_MS);
	}
	return LG_IDLE_MS;
}

static void *
run(void *arg)
{
	struct loadgen	*lg = arg;
	struct conn	 c[LG_MAX];
	struct pollfd	 pfd[LG_MAX];
	int		 n = lg->lg_conns, live;
	long		 next = 0, now;
	bool		 stopping = false;

	memset(c, 0, sizeof(c));
	for (int i = 0; i < n; i++)
		c[i].c_fd = -1;
	for (;;) {
		if (!stopping && atomic_load(&lg->lg_stop)) {
			stopping = true;
			lg->lg_elapsed_us = now_us(lg);
		}
		if (!stopping)
			pace_open(lg, c, n, &next);
		live = 0;
		for (int i = 0; i < n; i++) {
			pfd[i].fd = c[i].c_fd;
			pfd[i].events = c[i].c_connected ? POLLIN :
			    POLLOUT | POLLIN;
			pfd[i].revents = 0;
			live += c[i].c_fd != -1;
		}
		if (live == 0 && stopping)
			break;
		if (poll(pfd, (nfds_t)n, pace_wait_ms(lg, c, n, next,
		    stopping)) ==
		    -1 && errno != EINTR)
			abort();
		now = now_us(lg);
		for (int i = 0; i < n; i++) {
			if (c[i].c_fd == -1)
				continue;
			if (pfd[i].revents != 0)
				conn_event(lg, &c[i], pfd[i].revents);
			else if (now - c[i].c_story.ls_start_us >
			    lg->lg_deadline_ms * 1000L)
				conn_expire(lg, &c[i]);
		}
	}
	return NULL;
}

void
lg_init(struct loadgen *lg, int port, int conns, int rate,
    enum lg_kind kind)
{
	memset(lg, 0, sizeof(*lg));
	lg->lg_port = port;
	lg->lg_conns = conns < 1 ? 1 : conns > LG_MAX ? LG_MAX : conns;
	lg->lg_rate = rate < 1 ? 1 : rate;
	lg->lg_kind = kind;
	lg->lg_deadline_ms = LG_DEADLINE_MS;
}

void
lg_start(struct loadgen *lg, int port, int conns, int rate,
    enum lg_kind kind)
{
	lg_init(lg, port, conns, rate, kind);
	lg_run(lg);
}

void
lg_run(struct loadgen *lg)
{
	ct_sample(&lg->lg_ct_before);
	lg->lg_t0_us = mono_us();
	if (pthread_create(&lg->lg_thread, NULL, run, lg) != 0)
		abort();
}

void
lg_stop(struct loadgen *lg)
{
	atomic_store(&lg->lg_stop, true);
	if (pthread_join(lg->lg_thread, NULL) != 0)
		abort();
	ct_sample(&lg->lg_ct_after);
}

unsigned long
lg_failures(const struct loadgen *lg)
{
	unsigned long n = 0;

	for (int o = 0; o < LG_NOUTCOMES; o++)
		n += o == LG_OK ? 0 : lg->lg_count[o];
	return n;
}

unsigned long
lg_offered(const struct loadgen *lg)
{
	return (unsigned long)((double)lg->lg_elapsed_us / 1e6 *
	    lg->lg_rate);
}

/* printf at *at into buf, which stays NUL-terminated when it is full. */
static void __attribute__((format(printf, 4, 5)))
appendf(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (*at + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n < len - *at ? (size_t)n : len - 1 - *at;
}

/* One step of a request's story, in ms from its start, or its absence. */
static void
step(char *buf, size_t len, size_t *at, const char *name, long at_us,
    long start_us)
{
	if (at_us < 0)
		appendf(buf, len, at, ", no %s", name);
	else
		appendf(buf, len, at, ", %s +%.1f ms", name,
		    (double)(at_us - start_us) / 1e3);
}

static void
story(const struct lg_story *s, char *buf, size_t len, size_t *at)
{
	appendf(buf, len, at, "%s%s%s, opened at %.1f ms",
	    outcome_name[s->ls_outcome], s->ls_errno != 0 ? ": " : "",
	    s->ls_errno != 0 ? strerror(s->ls_errno) : "",
	    (double)s->ls_start_us / 1e3);
	step(buf, len, at, "connect", s->ls_connected_us, s->ls_start_us);
	/* LG_REPORT sends nothing: say nothing of it. */
	if (s->ls_sent_us >= 0)
		step(buf, len, at, "request sent", s->ls_sent_us,
		    s->ls_start_us);
	step(buf, len, at, "first byte", s->ls_first_us, s->ls_start_us);
	step(buf, len, at, "end", s->ls_end_us, s->ls_start_us);
	appendf(buf, len, at, ", %zu bytes", s->ls_bytes);
}

static void
conntrack(const struct loadgen *lg, char *buf, size_t len, size_t *at)
{
	const struct ct_sample *a = &lg->lg_ct_before, *b = &lg->lg_ct_after;

	if (!a->ct_present || !b->ct_present)
		appendf(buf, len, at, "no conntrack here");
	else
		appendf(buf, len, at, "conntrack drops +%lu, entries %ld -> "
		    "%ld of %ld", b->ct_drops - a->ct_drops, a->ct_count,
		    b->ct_count, b->ct_max);
}

const char *
lg_describe(const struct loadgen *lg, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	appendf(buf, len, &at, "%lu ok in %.1f s at %d/s",
	    lg->lg_count[LG_OK], (double)lg->lg_elapsed_us / 1e6,
	    lg->lg_rate);
	for (int o = LG_OK + 1; o < LG_NOUTCOMES; o++)
		appendf(buf, len, &at, ", %s %lu", outcome_name[o],
		    lg->lg_count[o]);
	appendf(buf, len, &at, "; %lu over %d ms; slowest: ", lg->lg_stalls,
	    LG_STALL_MS);
	if (lg->lg_requests == 0)
		appendf(buf, len, &at, "no request");
	else
		story(&lg->lg_slowest, buf, len, &at);
	appendf(buf, len, &at, "; ");
	conntrack(lg, buf, len, &at);
	if (lg->lg_failed) {
		appendf(buf, len, &at, "; first failure: ");
		story(&lg->lg_first_failure, buf, len, &at);
	}
	return buf;
}
