/* SPDX-License-Identifier: ISC */
/*
 * What the built-in worker answers: an application module's reply
 * (app.c), a file under --root, or a short hello naming the worker, or an
 * error; and what it prepares for them at start.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

struct sb_entry	*hw_board;

static char	hw_hello[128];
static size_t	hw_hello_len;
static bool	hw_static;

int
hw_init(const struct http_worker_conf *wc)
{
	int n = snprintf(hw_hello, sizeof(hw_hello),
	    "Hello from poold: pool %s, worker %u, pid %ld\n", wc->hw_pool,
	    wc->hw_slot, (long)getpid());

	hw_hello_len = n > 0 && (size_t)n < sizeof(hw_hello) ? (size_t)n : 0;
	hw_board = wc->hw_board;
	hw_tell_init(wc);
	hw_recycle_init(wc);
	sb_beat(hw_board);
	/* The worker runs as the pool's user by now: say why it cannot
	   start, or the log shows only failed boots. */
	alog_debug(wc->hw_debug);
	if (alog_open(wc->hw_access_log, wc->hw_access_format, wc->hw_slot,
	    wc->hw_access_json) == -1) {
		fprintf(stderr, "poold worker: access log %s: %s\n",
		    wc->hw_access_log, strerror(errno));
		return -1;
	}
	if (wc->hw_root != NULL) {
		if (static_init(wc->hw_root) == -1) {
			fprintf(stderr, "poold worker: root %s: %s\n",
			    wc->hw_root, strerror(errno));
			return -1;
		}
		hw_static = true;
	}
	if (wc->hw_app != NULL && app_load(wc->hw_app, wc->hw_app_arg,
	    wc->hw_slot, wc->hw_class == HW_GTHREAD) == -1)
		return -1;
	return 0;
}

bool
hw_append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	char	*nb;
	size_t	 nc;

	if (n > SIZE_MAX / 2 - *len)
		return false;
	if (*len + n > *cap) {
		nc = *cap ? *cap : 4096;
		while (nc < *len + n)
			nc *= 2;
		if ((nb = realloc(*buf, nc)) == NULL)
			return false;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	return true;
}

void
hw_response_init(struct hw_response *r)
{
	r->hr_len = r->hr_memlen = 0;
	r->hr_mem = NULL;
	r->hr_fd = -1;
	r->hr_off = 0;
	r->hr_left = r->hr_body = 0;
	r->hr_status = 0;
	r->hr_close = true;
}

/* A reply whose body is in memory. */
static void
reply_text(struct hw_response *r, int status, bool keepalive, int minor,
    bool head, const char *body, size_t blen, const char *extra)
{
	size_t n;

	hw_response_init(r);
	r->hr_status = status;
	r->hr_close = !keepalive;
	r->hr_body = head ? 0 : blen;
	n = http_head(r->hr_buf, sizeof(r->hr_buf), status,
	    "text/plain; charset=utf-8", blen, keepalive, minor, extra);
	if (n == 0 || n + blen > sizeof(r->hr_buf)) {
		/* Cannot happen with our own bodies; fail safe anyway. */
		r->hr_len = 0;
		r->hr_close = true;
		return;
	}
	if (!head) {
		memcpy(r->hr_buf + n, body, blen);
		n += blen;
	}
	r->hr_len = n;
}

/*
 * The hello reply, its bytes built once a second per variant (HTTP/1.0
 * or 1.1, keep-alive or not, HEAD or not) and copied: only the Date
 * changes, and formatting the head was a quarter of an async worker's
 * time (BENCHMARKS.md).  Per thread, for gthread.
 */
struct hello_cache {
	time_t	 hc_t;		/* the second it was built in */
	size_t	 hc_len;	/* 0: not built */
	char	 hc_buf[HW_OUT_MAX];
};

static void
reply_hello(struct hw_response *r, bool keepalive, int minor, bool head)
{
	static _Thread_local struct hello_cache	 cache[2][2][2];
	struct hello_cache			*c;
	time_t					 now = time(NULL);

	c = &cache[minor != 0][keepalive][head];
	if (c->hc_len == 0 || c->hc_t != now) {
		reply_text(r, 200, keepalive, minor, head, hw_hello,
		    hw_hello_len, NULL);
		memcpy(c->hc_buf, r->hr_buf, r->hr_len);
		c->hc_len = r->hr_len;
		c->hc_t = now;
		return;
	}
	hw_response_init(r);
	r->hr_status = 200;
	r->hr_close = !keepalive;
	r->hr_body = head ? 0 : hw_hello_len;
	memcpy(r->hr_buf, c->hc_buf, c->hc_len);
	r->hr_len = c->hc_len;
}

static void
error_reply(int status, bool keepalive, int minor, bool head,
    struct hw_response *r)
{
	char	body[64];
	int	n = snprintf(body, sizeof(body), "%d %s\n", status,
		    http_reason(status));

	reply_text(r, status, keepalive, minor, head, body,
	    n > 0 ? (size_t)n : 0, status == 405 ? "Allow: GET, HEAD\r\n" :
	    NULL);
}

void
hw_error(int status, int minor, struct hw_response *r)
{
	error_reply(status, false, minor, false, r);
}

void
hw_respond(const struct http_request *rq, bool keepalive,
    struct hw_response *r)
{
	int status;

	hw_response_init(r);
	if (hw_static) {
		/* A missing file is no reason to drop the connection, and a
		   HEAD gets no body even when the answer is an error. */
		if ((status = static_respond(rq, keepalive, r)) != 0)
			error_reply(status, keepalive && status < 500,
			    rq->rq_minor, rq->rq_head, r);
		return;
	}
	reply_hello(r, keepalive, rq->rq_minor, rq->rq_head);
}

void
hw_response_done(struct hw_response *r)
{
	if (r->hr_fd != -1)
		(void)close(r->hr_fd);
	r->hr_fd = -1;
	r->hr_left = 0;
	free(r->hr_mem);
	r->hr_mem = NULL;
	r->hr_memlen = 0;
}

/*
 * A request refused before its head parsed (400, 414, 431, 505...):
 * counted as served, and logged with "-" for its request line, as nginx
 * logs them, so that an operator sees the refusals.
 */
void
hw_rejected(int status, const char *remote)
{
	struct alog_entry e;

	sb_begin(hw_board);
	if (alog_enabled()) {
		alog_begin(&e, NULL, remote);
		alog_write(&e, status, 0);
	}
	hw_request_done(0);
}

void
hw_app_response(const struct http_request *rq, const char *body,
    size_t blen, const char *remote, bool keepalive, struct hw_response *r)
{
	int status;

	hw_response_init(r);
	if ((status = app_respond(rq, body, blen, remote, keepalive, r)) != 0)
		hw_error(status, rq->rq_minor, r);
}

size_t
hw_head_max(const struct http_limits *l)
{
	/* Request line and CRLF, every field, the empty line, and the one
	   empty line tolerated before a request. */
	return l->hl_line + 2 + l->hl_fields * l->hl_field_size + 2 + 2;
}

bool
hw_wants_peer(void)
{
	return alog_enabled() || app_enabled();
}
