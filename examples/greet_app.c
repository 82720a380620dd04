/* SPDX-License-Identifier: ISC */
/*
 * greet_app: a small poold application module, the worked example of
 * docs/app-modules.md and poold-app(3).
 *
 *	cc -shared -fPIC -o greet_app.so greet_app.c
 *	poold -k async -b 127.0.0.1:8000 --app ./greet_app.so --app-arg Hi
 *	curl 'http://127.0.0.1:8000/hello?name=Ann'
 *
 * GET or HEAD /hello?name=NAME answers "Hi, NAME! (worker N)", NAME
 * percent-decoded, "world" without one.  /hello with another method is
 * 405, a name that is too long or holds control bytes 400, any other
 * path 404.  The greeting is the --app-arg (default "Hello").  Replies
 * are built in a per-thread buffer, so the module is thread-safe.
 */
#include <poold/app.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define GREETING_MAX	64
#define NAME_MAX_LEN	64

static const char		*greeting = "Hello";
static atomic_ulong		 served;
static _Thread_local char	 body[GREETING_MAX + NAME_MAX_LEN + 64];

static int
greet_init(const char *arg)
{
	if (arg != NULL && strlen(arg) > GREETING_MAX) {
		fprintf(stderr, "greet_app: greeting longer than %d bytes\n",
		    GREETING_MAX);
		return -1;
	}
	if (arg != NULL)
		greeting = arg;
	return 0;
}

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The value of name= in the query q[0..n), percent-decoded into out
 * (cap bytes): its length, 0 if there is none, -1 if it is too long or
 * holds a control byte.
 */
static long
query_name(const char *q, size_t n, char *out, size_t cap)
{
	const char	*end = q + n, *amp;
	size_t		 len = 0;

	for (; q < end; q = amp + 1) {
		if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
			amp = end;
		if (amp - q < 5 || memcmp(q, "name=", 5) != 0)
			continue;
		for (const char *p = q + 5; p < amp; p++) {
			int c = (unsigned char)*p;
			if (c == '+')
				c = ' ';
			else if (c == '%' && amp - p > 2 && hex(p[1]) >= 0 &&
			    hex(p[2]) >= 0) {
				c = hex(p[1]) * 16 + hex(p[2]);
				p += 2;
			}
			if (c < 0x20 || c == 0x7f || len == cap)
				return -1;
			out[len++] = (char)c;
		}
		return (long)len;
	}
	return 0;
}

static int
reply(struct poold_response *rs, int status, const char *text)
{
	rs->status = status;
	rs->body = text;
	rs->body_len = strlen(text);
	return 0;
}

static int
greet_handle(const struct poold_request *rq, struct poold_response *rs)
{
	static const struct poold_header allow[] = {
		{ "Allow", 5, "GET, HEAD", 9 },
	};
	const char	*q = memchr(rq->target, '?', rq->target_len);
	size_t		 plen = q != NULL ? (size_t)(q - rq->target) :
			    rq->target_len;
	char		 name[NAME_MAX_LEN];
	long		 nlen = 0;
	int		 n;

	atomic_fetch_add_explicit(&served, 1, memory_order_relaxed);
	if (plen != 6 || memcmp(rq->target, "/hello", 6) != 0)
		return reply(rs, 404, "not found\n");
	if (!(rq->method_len == 3 && memcmp(rq->method, "GET", 3) == 0) &&
	    !(rq->method_len == 4 && memcmp(rq->method, "HEAD", 4) == 0)) {
		rs->headers = allow;
		rs->nheaders = 1;
		return reply(rs, 405, "use GET or HEAD\n");
	}
	if (q != NULL)
		nlen = query_name(q + 1, rq->target_len - plen - 1, name,
		    sizeof(name));
	if (nlen < 0)
		return reply(rs, 400, "bad name\n");
	if (nlen == 0) {
		memcpy(name, "world", 5);
		nlen = 5;
	}
	n = snprintf(body, sizeof(body), "%s, %.*s! (worker %u)\n", greeting,
	    (int)nlen, name, rq->worker_id);
	if (n < 0 || (size_t)n >= sizeof(body))
		return -1;	/* cannot happen with the limits above: 500 */
	rs->body = body;
	rs->body_len = (size_t)n;
	return 0;
}

static void
greet_fini(void)
{
	fprintf(stderr, "greet_app: %lu requests\n",
	    (unsigned long)atomic_load(&served));
}

const struct poold_app poold_app = {
	.abi_version = POOLD_APP_ABI_VERSION,
	.flags = POOLD_APP_THREAD_SAFE,
	.name = "greet",
	.init = greet_init,
	.handle = greet_handle,
	.fini = greet_fini,
};
