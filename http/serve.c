/*
 * What the built-in worker answers: a short hello naming the worker, or
 * an error.  Static files and application modules will plug in here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "worker.h"

static char	hw_hello[128];
static size_t	hw_hello_len;

void
hw_init(const struct http_worker_conf *wc)
{
	int n = snprintf(hw_hello, sizeof(hw_hello),
	    "Hello from poold: pool %s, worker %u, pid %ld\n", wc->hw_pool,
	    wc->hw_slot, (long)getpid());

	hw_hello_len = n > 0 && (size_t)n < sizeof(hw_hello) ? (size_t)n : 0;
}

size_t
hw_reply(char *buf, size_t len, int status, bool keepalive, int minor,
    bool head)
{
	char		 err[64];
	const char	*body = hw_hello;
	size_t		 blen = hw_hello_len, n;
	int		 r;

	if (status != 200) {
		r = snprintf(err, sizeof(err), "%d %s\n", status,
		    http_reason(status));
		body = err;
		blen = r > 0 ? (size_t)r : 0;
	}
	n = http_head(buf, len, status, "text/plain; charset=utf-8", blen,
	    keepalive, minor);
	if (n == 0 || (!head && n + blen > len))
		return 0;
	if (!head) {
		memcpy(buf + n, body, blen);
		n += blen;
	}
	return n;
}

size_t
hw_head_max(const struct http_limits *l)
{
	/* Request line and CRLF, every field, the empty line, and the one
	   empty line tolerated before a request. */
	return l->hl_line + 2 + l->hl_fields * l->hl_field_size + 2 + 2;
}

int
http_worker_run(const struct http_worker_conf *wc)
{
	hw_init(wc);
	switch (wc->hw_class) {
	case HW_SYNC:
		return hw_sync_run(wc);
	case HW_ASYNC:
		return hw_async_run(wc);
	}
	return 1;
}
