/* SPDX-License-Identifier: ISC */
/*
 * An example application module for poold's built-in workers (see
 * <poold/app.h>).  Build it as a shared object:
 *
 *	cc -shared -fPIC -o hello_app.so hello_app.c
 *	poold -k async --app ./hello_app.so --app-arg "Hello"
 *
 * Routes: /          a greeting (the --app-arg text)
 *         /echo      the request back: method, target, headers, body
 *         /status/N  an empty reply with status N
 *         /crash     abort(): one worker dies and is replaced
 *         /hang      never returns: with a timeout, the watchdog aborts
 *                    the worker
 *         /inject, /framing  headers poold must refuse (CR LF in a value,
 *                    a Content-Length of the module's own): 500
 * It keeps no state between requests, so it is thread-safe.
 */
#include <poold/app.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char	*greeting = "Hello from an app module";
static _Thread_local char out[65536];

static int
hello_init(const char *arg)
{
	if (arg != NULL)
		greeting = arg;
	return 0;
}

/* Append to out, as much as fits. */
static size_t
add(size_t n, const char *p, size_t len)
{
	if (len > sizeof(out) - n)
		len = sizeof(out) - n;
	memcpy(out + n, p, len);
	return n + len;
}

static int
echo(const struct poold_request *rq, struct poold_response *rs)
{
	char	line[128];
	size_t	n = 0;

	n = add(n, rq->method, rq->method_len);
	n = add(n, " ", 1);
	n = add(n, rq->target, rq->target_len);
	snprintf(line, sizeof(line), " HTTP/1.%d\nworker %u\nfrom %s\n",
	    rq->version_minor, rq->worker_id, rq->remote_addr);
	n = add(n, line, strlen(line));
	for (size_t i = 0; i < rq->nheaders; i++) {
		n = add(n, rq->headers[i].name, rq->headers[i].name_len);
		n = add(n, ": ", 2);
		n = add(n, rq->headers[i].value, rq->headers[i].value_len);
		n = add(n, "\n", 1);
	}
	snprintf(line, sizeof(line), "body %zu bytes\n", rq->body_len);
	n = add(n, line, strlen(line));
	n = add(n, rq->body, rq->body_len);
	rs->body = out;
	rs->body_len = n;
	return 0;
}

/* A slow handler, at most ten seconds: for tests of busy workers. */
static int
slow(int ms, struct poold_response *rs)
{
	struct timespec ts;

	if (ms < 0)
		ms = 0;
	if (ms > 10000)
		ms = 10000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	rs->body = "slept\n";
	rs->body_len = 6;
	return 0;
}

static int
hello_handle(const struct poold_request *rq, struct poold_response *rs)
{
	static const struct poold_header app_hdr[] = {
		{ "X-App", 5, "hello", 5 },
	};
	const char *t = rq->target;

	rs->headers = app_hdr;
	rs->nheaders = 1;
	if (rq->target_len >= 5 && strncmp(t, "/echo", 5) == 0)
		return echo(rq, rs);
	if (rq->target_len > 8 && strncmp(t, "/status/", 8) == 0) {
		rs->status = atoi(t + 8);
		return 0;
	}
	if (rq->target_len == 6 && strncmp(t, "/crash", 6) == 0)
		abort();
	if (rq->target_len == 5 && strncmp(t, "/hang", 5) == 0)
		for (;;)
			pause();
	if (rq->target_len > 7 && strncmp(t, "/sleep/", 7) == 0)
		return slow(atoi(t + 7), rs);
	if (rq->target_len == 7 && strncmp(t, "/inject", 7) == 0) {
		/* A header a careless module might build from input: poold
		   must refuse it, not split the response. */
		static const char value[] = "a\r\nSet-Cookie: stolen=1";
		static const struct poold_header evil[] = {
			{ "X-Note", 6, value, sizeof(value) - 1 },
		};
		rs->headers = evil;
		rs->nheaders = 1;
		return 0;
	}
	if (rq->target_len == 8 && strncmp(t, "/framing", 8) == 0) {
		/* A length of its own beside poold's: refused too. */
		static const struct poold_header twice[] = {
			{ "content-length", 14, "3", 1 },
		};
		rs->headers = twice;
		rs->nheaders = 1;
		return 0;
	}
	snprintf(out, sizeof(out), "%s (worker %u)\n", greeting,
	    rq->worker_id);
	rs->body = out;
	rs->body_len = strlen(out);
	return 0;
}

const struct poold_app poold_app = {
	.abi_version = POOLD_APP_ABI_VERSION,
	.flags = POOLD_APP_THREAD_SAFE,
	.name = "hello",
	.init = hello_init,
	.handle = hello_handle,
};
