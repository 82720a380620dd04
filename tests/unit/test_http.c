/* SPDX-License-Identifier: ISC */
/*
 * The strict HTTP/1.x request parser (http/http.h): http_scan, http_parse,
 * http_field, http_chunked_feed, and the response helpers http_reason,
 * http_date and http_head; and json_str, which the logs' JSON lines are
 * built with.
 *
 * Every request in the tables goes through hf_run_req(): the head through
 * http_scan and http_parse, then the body by Content-Length or through
 * http_chunked_feed.  The input is fed whole, byte by byte and in
 * random-size pieces (fixed seeds), and all the ways must agree.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "jsonstr.h"
#include "httpfeed.h"

/* The runner is tests/httpfeed.c, shared with test_http_corpus.c. */

static void
limits(struct http_limits *lim, size_t line, size_t fields, size_t fsize,
    uint64_t body)
{
	http_limits_default(lim);
	if (line)
		lim->hl_line = line;
	if (fields)
		lim->hl_fields = fields;
	if (fsize)
		lim->hl_field_size = fsize;
	if (body)
		lim->hl_body = body;
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

/* An input and its length, which may hold NUL bytes. */
#define IN(s)	.in = s, .len = sizeof(s) - 1
/* A request line's end and a Host, for HTTP/1.1 requests. */
#define H11	" HTTP/1.1\r\nHost: a\r\n"
#define CHUNKED	"Transfer-Encoding: chunked\r\n"

/*
 * Parameters hold arrays, never pointers: Criterion runs each case in a
 * fresh process where the parent's pointers mean nothing.
 */
struct rcase {
	char		name[48];
	char		in[640];
	size_t		len;
	int		status;		/* 0, or the -status expected */
	int		alt;		/* another acceptable -status, or 0 */
	/* checked when status is 0 */
	char		method[24];
	char		target[64];
	int		minor;
	int		nfields;
	int		body;		/* body bytes */
	char		bodytext[64];	/* the body, if not empty */
	bool		keepalive;
	bool		cont;
	bool		head;
	int		trailing;	/* bytes after the request */
	/* limits; 0: the default */
	size_t		line;
	size_t		fields;
	size_t		fsize;
	uint64_t	maxbody;
};

static void
check_case(const struct rcase *c)
{
	struct http_limits	lim;
	struct hf_outcome		o;

	limits(&lim, c->line, c->fields, c->fsize, c->maxbody);
	hf_run_req(c->name, c->in, c->len, &lim, &o);
	if (c->status != 0) {
		cr_assert(o.status == c->status ||
		    (c->alt != 0 && o.status == c->alt),
		    "%s: status %d (in %s), want %d%s", c->name, o.status,
		    hf_stage_name(o.stage), c->status,
		    c->alt ? " or the alternative" : "");
		return;
	}
	cr_assert_eq(o.status, 0, "%s: refused with %d in %s", c->name,
	    o.status, hf_stage_name(o.stage));
	cr_assert(o.complete, "%s: incomplete (in %s)", c->name,
	    hf_stage_name(o.stage));
	cr_expect_str_eq(o.method, c->method, "%s: method %s", c->name,
	    o.method);
	cr_expect_str_eq(o.target, c->target, "%s: target %s", c->name,
	    o.target);
	cr_expect_eq(o.minor, c->minor, "%s: minor %d", c->name, o.minor);
	cr_expect_eq(o.nfields, (size_t)c->nfields, "%s: %zu fields, want %d",
	    c->name, o.nfields, c->nfields);
	cr_expect_eq(o.body, (uint64_t)c->body, "%s: body %llu, want %d",
	    c->name, (unsigned long long)o.body, c->body);
	if (c->bodytext[0] != '\0')
		cr_expect_str_eq(o.bodytext, c->bodytext, "%s: body \"%s\"",
		    c->name, o.bodytext);
	cr_expect_eq(o.keepalive, c->keepalive, "%s: keepalive %d",
	    c->name, o.keepalive);
	cr_expect_eq(o.cont, c->cont, "%s: continue %d", c->name, o.cont);
	cr_expect_eq(o.head, c->head, "%s: rq_head %d", c->name, o.head);
	cr_expect_eq(o.consumed, c->len - (size_t)c->trailing,
	    "%s: consumed %zu of %zu bytes, want %zu", c->name, o.consumed,
	    c->len, c->len - (size_t)c->trailing);
}

/* -- requests that parse ------------------------------------------- */

ParameterizedTestParameters(http, good)
{
	static struct rcase cases[] = {
	/* methods, targets, versions */
	{ "get", IN("GET /" H11 "\r\n"), 0, 0, "GET", "/", 1, 1, 0, "",
	    true, false, false, 0, 0, 0, 0, 0 },
	{ "head", IN("HEAD /x" H11 "\r\n"), 0, 0, "HEAD", "/x", 1, 1, 0, "",
	    true, false, true, 0, 0, 0, 0, 0 },
	{ "get query", IN("GET /p/q?a=b&c=%20&d" H11 "\r\n"), 0, 0, "GET",
	    "/p/q?a=b&c=%20&d", 1, 1, 0, "", true, false, false, 0, 0, 0, 0,
	    0 },
	{ "slashes", IN("GET ///a//b" H11 "\r\n"), 0, 0, "GET", "///a//b",
	    1, 1, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "absolute-form", IN("GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n"),
	    0, 0, "GET", "http://h/x?y", 1, 1, 0, "", true, false, false, 0,
	    0, 0, 0, 0 },
	{ "absolute-form ipv6",
	    IN("GET http://[::1]:8080/ HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"),
	    0, 0, "GET", "http://[::1]:8080/", 1, 1, 0, "", true, false,
	    false, 0, 0, 0, 0, 0 },
	{ "asterisk-form", IN("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0, 0,
	    "OPTIONS", "*", 1, 1, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "options origin", IN("OPTIONS /o" H11 "\r\n"), 0, 0, "OPTIONS",
	    "/o", 1, 1, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "authority-form", IN("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"),
	    0, 0, "CONNECT", "h:443", 1, 1, 0, "", true, false, false, 0, 0,
	    0, 0, 0 },
	{ "authority ipv6",
	    IN("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n"), 0, 0,
	    "CONNECT", "[::1]:443", 1, 1, 0, "", true, false, false, 0, 0, 0,
	    0, 0 },
	{ "method of 3", IN("PUT /" H11 "Content-Length: 0\r\n\r\n"), 0, 0,
	    "PUT", "/", 1, 2, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "method of 20", IN("ABCDEFGHIJKLMNOPQRST /" H11 "\r\n"), 0, 0,
	    "ABCDEFGHIJKLMNOPQRST", "/", 1, 1, 0, "", true, false, false, 0,
	    0, 0, 0, 0 },
	{ "method tchars", IN("M-SEARCH.X!_~ /" H11 "\r\n"), 0, 0,
	    "M-SEARCH.X!_~", "/", 1, 1, 0, "", true, false, false, 0, 0, 0,
	    0, 0 },
	{ "http/1.0 without host", IN("GET /old HTTP/1.0\r\n\r\n"), 0, 0,
	    "GET", "/old", 0, 0, 0, "", false, false, false, 0, 0, 0, 0, 0 },
	{ "http/1.0 with host", IN("GET / HTTP/1.0\r\nHost: a\r\n\r\n"), 0,
	    0, "GET", "/", 0, 1, 0, "", false, false, false, 0, 0, 0, 0, 0 },
	/* RFC 9112 s2.2: an empty line before the request is ignored */
	{ "empty line first", IN("\r\nGET /" H11 "\r\n"), 0, 0, "GET", "/", 1,
	    1, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	/* RFC 9112 s3.2: no authority in the target URI, empty Host */
	{ "empty host", IN("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 0, 0, "GET",
	    "/", 1, 1, 0, "", true, false, false, 0, 0, 0, 0, 0 },

	/* fields */
	{ "many fields", IN("GET /" H11 "Accept: */*\r\nUser-Agent: t/1\r\n"
	    "X-A: 1\r\n\r\n"), 0, 0, "GET", "/", 1, 4, 0, "", true, false,
	    false, 0, 0, 0, 0, 0 },
	{ "no space after colon", IN("GET /" H11 "aaaa:++++\r\n\r\n"), 0, 0,
	    "GET", "/", 1, 2, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "name tchars", IN("GET /" H11 "X.C|P~!#$%&'*+^`-9: v\r\n\r\n"), 0,
	    0, "GET", "/", 1, 2, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "empty value", IN("GET /" H11 "X-E:\r\nX-F:   \r\n\r\n"), 0, 0,
	    "GET", "/", 1, 3, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "htab in value", IN("GET /" H11 "X: a\tb\r\nY:\tc\t\r\n\r\n"), 0,
	    0, "GET", "/", 1, 3, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "obs-text in value", IN("GET /" H11 "X: caf\xc3\xa9\r\nY: \x80"
	    "\xff\r\n\r\n"), 0, 0, "GET", "/", 1, 3, 0, "", true, false,
	    false, 0, 0, 0, 0, 0 },
	{ "repeated field", IN("GET /" H11 "If-Match: a\r\nIf-Match: b\r\n"
	    "\r\n"), 0, 0, "GET", "/", 1, 3, 0, "", true, false, false, 0, 0,
	    0, 0, 0 },
	{ "underscores dropped", IN("GET /" H11 "X_Foo: 1\r\nA_B: 2\r\n\r\n"),
	    0, 0, "GET", "/", 1, 1, 0, "", true, false, false, 0, 0, 0, 0,
	    0 },
	/* a dropped field is no framing either */
	{ "underscore framing dropped", IN("GET /" H11 "Content_Length: 5\r\n"
	    "Transfer_Encoding: chunked\r\n\r\nhello"), 0, 0, "GET", "/", 1,
	    1, 0, "", true, false, false, 5, 0, 0, 0, 0 },

	/* Content-Length */
	{ "post", IN("POST /p" H11 "Content-Length: 5\r\n\r\nhello"), 0, 0,
	    "POST", "/p", 1, 2, 5, "hello", true, false, false, 0, 0, 0, 0,
	    0 },
	{ "cl zero", IN("POST /p" H11 "Content-Length: 0\r\n\r\n"), 0, 0,
	    "POST", "/p", 1, 2, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "cl leading zeros", IN("POST /p" H11 "Content-Length: 005\r\n\r\n"
	    "hello"), 0, 0, "POST", "/p", 1, 2, 5, "hello", true, false,
	    false, 0, 0, 0, 0, 0 },
	{ "cl ows", IN("POST /p" H11 "Content-Length: \t5 \t\r\n\r\nhello"),
	    0, 0, "POST", "/p", 1, 2, 5, "hello", true, false, false, 0, 0,
	    0, 0, 0 },
	{ "cl name case", IN("POST /p" H11 "conTENT-length: 5\r\n\r\nhello"),
	    0, 0, "POST", "/p", 1, 2, 5, "hello", true, false, false, 0, 0,
	    0, 0, 0 },
	{ "cl get", IN("GET /" H11 "Content-Length: 3\r\n\r\nabc"), 0, 0,
	    "GET", "/", 1, 2, 3, "abc", true, false, false, 0, 0, 0, 0, 0 },
	{ "cl http/1.0", IN("POST /p HTTP/1.0\r\nContent-Length: 5\r\n\r\n"
	    "hello"), 0, 0, "POST", "/p", 0, 1, 5, "hello", false, false,
	    false, 0, 0, 0, 0, 0 },
	{ "cl at the body limit", IN("POST /p" H11 "Content-Length: 4\r\n\r\n"
	    "abcd"), 0, 0, "POST", "/p", 1, 2, 4, "abcd", true, false, false,
	    0, 0, 0, 0, 4 },
	{ "cl then next request", IN("POST /p" H11 "Content-Length: 5\r\n\r\n"
	    "helloGET /n" H11 "\r\n"), 0, 0, "POST", "/p", 1, 2, 5, "hello",
	    true, false, false, sizeof("GET /n" H11 "\r\n") - 1, 0, 0, 0,
	    0 },

	/* chunked */
	{ "chunked", IN("POST /c" H11 CHUNKED "\r\n5\r\nhello\r\n6\r\n world"
	    "\r\n0\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 11, "hello world",
	    true, false, false, 0, 0, 0, 0, 0 },
	{ "chunked extensions", IN("POST /c" H11 CHUNKED "\r\n5;a=b;c\r\nhello"
	    "\r\n6; x ;q=\"v;\\\"w\"\r\n world\r\n0;last=1\r\n\r\n"), 0, 0,
	    "POST", "/c", 1, 2, 11, "hello world", true, false, false, 0, 0,
	    0, 0, 0 },
	/* RFC 9112 s7.1.1: chunk-ext = *( BWS ";" BWS ext-name ... ) */
	{ "chunked extension bws", IN("POST /c" H11 CHUNKED "\r\n5 ;a=b\r\n"
	    "hello\r\n0\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 5, "hello", true,
	    false, false, 0, 0, 0, 0, 0 },
	{ "chunked trailers", IN("POST /c" H11 CHUNKED "\r\n5\r\nhello\r\n0\r\n"
	    "Vary: *\r\nX-A-Rather-Long-Trailer-Name: two\r\n\r\n"), 0, 0,
	    "POST", "/c", 1, 2, 5, "hello", true, false, false, 0, 0, 0, 0,
	    0 },
	{ "chunked hex", IN("POST /c" H11 CHUNKED "\r\nA\r\n0123456789\r\n00a"
	    "\r\nabcdefghij\r\n000\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 20,
	    "0123456789abcdefghij", true, false, false, 0, 0, 0, 0, 0 },
	{ "chunked terminator in data", IN("POST /c" H11 CHUNKED "\r\na\r\n"
	    "0\r\n\r\nGET /\r\n0\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 10,
	    "0\r\n\r\nGET /", true, false, false, 0, 0, 0, 0, 0 },
	{ "chunked name case", IN("POST /c" H11 "transfer-encoding: Chunked\r\n"
	    "\r\n3\r\nabc\r\n0\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 3, "abc",
	    true, false, false, 0, 0, 0, 0, 0 },
	{ "chunked ows", IN("POST /c" H11 "Transfer-Encoding: \t chunked \r\n"
	    "\r\n3\r\nabc\r\n0\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 3, "abc",
	    true, false, false, 0, 0, 0, 0, 0 },
	{ "chunked empty", IN("POST /c" H11 CHUNKED "\r\n0\r\n\r\n"), 0, 0,
	    "POST", "/c", 1, 2, 0, "", true, false, false, 0, 0, 0, 0, 0 },
	{ "chunked at the body limit", IN("POST /c" H11 CHUNKED "\r\n3\r\nabc"
	    "\r\n1\r\nd\r\n0\r\n\r\n"), 0, 0, "POST", "/c", 1, 2, 4, "abcd",
	    true, false, false, 0, 0, 0, 0, 4 },
	{ "chunked then next request", IN("POST /c" H11 CHUNKED "\r\n3\r\nabc"
	    "\r\n0\r\n\r\nGET /n" H11 "\r\n"), 0, 0, "POST", "/c", 1, 2, 3,
	    "abc", true, false, false, sizeof("GET /n" H11 "\r\n") - 1, 0,
	    0, 0, 0 },

	/* Expect */
	{ "expect 100-continue", IN("POST /" H11 "Expect: 100-continue\r\n"
	    "Content-Length: 2\r\n\r\nok"), 0, 0, "POST", "/", 1, 3, 2, "ok",
	    true, true, false, 0, 0, 0, 0, 0 },
	{ "expect case", IN("POST /" H11 "expect: 100-Continue\r\n"
	    "Content-Length: 2\r\n\r\nok"), 0, 0, "POST", "/", 1, 3, 2, "ok",
	    true, true, false, 0, 0, 0, 0, 0 },
	/* RFC 9110 s10.1.1: ignored in an HTTP/1.0 request */
	{ "expect http/1.0", IN("POST / HTTP/1.0\r\nExpect: 100-continue\r\n"
	    "Content-Length: 2\r\n\r\nok"), 0, 0, "POST", "/", 0, 2, 2, "ok",
	    false, false, false, 0, 0, 0, 0, 0 },

	/* persistence */
	{ "1.1 close", IN("GET /" H11 "Connection: close\r\n\r\n"), 0, 0,
	    "GET", "/", 1, 2, 0, "", false, false, false, 0, 0, 0, 0, 0 },
	{ "1.1 Close", IN("GET /" H11 "Connection: Close\r\n\r\n"), 0, 0,
	    "GET", "/", 1, 2, 0, "", false, false, false, 0, 0, 0, 0, 0 },
	{ "1.1 close in a list", IN("GET /" H11 "Connection: keep-alive, "
	    "CLOSE\r\n\r\n"), 0, 0, "GET", "/", 1, 2, 0, "", false, false,
	    false, 0, 0, 0, 0, 0 },
	{ "1.1 close in a tight list", IN("GET /" H11 "Connection: upgrade,"
	    "close,te\r\n\r\n"), 0, 0, "GET", "/", 1, 2, 0, "", false, false,
	    false, 0, 0, 0, 0, 0 },
	{ "1.1 close on a second line", IN("GET /" H11 "Connection: te\r\n"
	    "Connection: close\r\n\r\n"), 0, 0, "GET", "/", 1, 3, 0, "",
	    false, false, false, 0, 0, 0, 0, 0 },
	{ "1.1 closed is no close", IN("GET /" H11 "Connection: closed, "
	    "xclose\r\n\r\n"), 0, 0, "GET", "/", 1, 2, 0, "", true, false,
	    false, 0, 0, 0, 0, 0 },
	{ "1.1 keep-alive", IN("GET /" H11 "Connection: keep-alive\r\n\r\n"),
	    0, 0, "GET", "/", 1, 2, 0, "", true, false, false, 0, 0, 0, 0,
	    0 },
	{ "1.0 keep-alive", IN("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "\r\n"), 0, 0, "GET", "/", 0, 1, 0, "", true, false, false, 0, 0,
	    0, 0, 0 },
	{ "1.0 Keep-Alive", IN("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n"
	    "\r\n"), 0, 0, "GET", "/", 0, 1, 0, "", true, false, false, 0, 0,
	    0, 0, 0 },
	{ "1.0 keep-alive in a list", IN("GET / HTTP/1.0\r\nConnection: te ,"
	    "KEEP-ALIVE\r\n\r\n"), 0, 0, "GET", "/", 0, 1, 0, "", true,
	    false, false, 0, 0, 0, 0, 0 },
	{ "1.0 keep-alive and close", IN("GET / HTTP/1.0\r\nConnection: "
	    "keep-alive, close\r\n\r\n"), 0, 0, "GET", "/", 0, 1, 0, "",
	    false, false, false, 0, 0, 0, 0, 0 },
	{ "1.0 keep-alives is no keep-alive", IN("GET / HTTP/1.0\r\n"
	    "Connection: keep-alives\r\n\r\n"), 0, 0, "GET", "/", 0, 1, 0, "",
	    false, false, false, 0, 0, 0, 0, 0 },

	/* limits, just inside */
	{ "line at the limit", IN("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0, 0,
	    "GET", "/", 1, 1, 0, "", true, false, false, 0, 14, 0, 0, 0 },
	{ "field at the limit", IN("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0, 0,
	    "GET", "/", 1, 1, 0, "", true, false, false, 0, 0, 0, 9, 0 },
	{ "fields at the limit", IN("GET /" H11 "X: 1\r\n\r\n"), 0, 0, "GET",
	    "/", 1, 2, 0, "", true, false, false, 0, 0, 2, 0, 0 },
	};

	return cr_make_param_array(struct rcase, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rcase *c, http, good)
{
	check_case(c);
}

/* -- requests refused --------------------------------------------------- */

#define BAD(n, s, st)		{ .name = n, IN(s), .status = st }
#define BAD2(n, s, st, a2)	{ .name = n, IN(s), .status = st, .alt = a2 }

ParameterizedTestParameters(http, bad)
{
	static struct rcase cases[] = {
	/* framing: RFC 9112 s6.1, s6.3 */
	BAD("cl and te", "POST /" H11 "Content-Length: 5\r\n" CHUNKED
	    "\r\n0\r\n\r\n", -400),
	BAD("te and cl", "POST /" H11 CHUNKED "Content-Length: 5\r\n"
	    "\r\n0\r\n\r\n", -400),
	BAD("cl and te in 1.0", "POST / HTTP/1.0\r\nContent-Length: 5\r\n"
	    CHUNKED "\r\n0\r\n\r\n", -400),
	BAD("cl differs", "POST /" H11 "Content-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\nhello!", -400),
	BAD("cl list", "POST /" H11 "Content-Length: 5, 5\r\n\r\nhello",
	    -400),
	BAD("cl list differs", "POST /" H11 "Content-Length: 5,6\r\n\r\n"
	    "hello!", -400),
	BAD("cl empty", "POST /" H11 "Content-Length:\r\n\r\n", -400),
	BAD("cl minus", "POST /" H11 "Content-Length: -1\r\n\r\n", -400),
	BAD("cl minus zero", "POST /" H11 "Content-Length: -0\r\n\r\n", -400),
	BAD("cl plus", "POST /" H11 "Content-Length: +1\r\n\r\nx", -400),
	BAD("cl space inside", "POST /" H11 "Content-Length: 1 0\r\n\r\n",
	    -400),
	BAD("cl hex", "POST /" H11 "Content-Length: 0x5\r\n\r\nhello", -400),
	BAD("cl letters", "POST /" H11 "Content-Length: 5a\r\n\r\nhello",
	    -400),
	BAD("cl underscore", "POST /" H11 "Content-Length: 0_1\r\n\r\n",
	    -400),
	BAD("cl word", "POST /" H11 "Content-Length: bla-bla\r\n\r\n", -400),
	BAD("cl 2^64", "POST /" H11 "Content-Length: 18446744073709551616\r\n"
	    "\r\n", -400),
	BAD("cl huge", "POST /" H11 "Content-Length: "
	    "99999999999999999999999999\r\n\r\n", -400),
	{ .name = "cl over the body limit", IN("POST /" H11
	    "Content-Length: 5\r\n\r\nhello"), .status = -413, .maxbody = 4 },
	{ .name = "chunked over the body limit", IN("POST /" H11 CHUNKED
	    "\r\n5\r\nhello\r\n0\r\n\r\n"), .status = -413, .maxbody = 4 },
	{ .name = "chunks over the body limit", IN("POST /" H11 CHUNKED
	    "\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), .status = -413,
	    .maxbody = 4 },

	/* transfer codings */
	BAD("te gzip, chunked", "POST /" H11 "Transfer-Encoding: gzip, chunked"
	    "\r\n\r\n0\r\n\r\n", -501),
	BAD("te gzip then chunked", "POST /" H11 "Transfer-Encoding: gzip\r\n"
	    CHUNKED "\r\n0\r\n\r\n", -501),
	BAD("te identity, chunked", "POST /" H11 "Transfer-Encoding: "
	    "identity, chunked\r\n\r\n0\r\n\r\n", -501),
	BAD("te chunked, gzip", "POST /" H11 "Transfer-Encoding: chunked, "
	    "gzip\r\n\r\n0\r\n\r\n", -400),
	BAD("te chunked then gzip", "POST /" H11 CHUNKED
	    "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", -400),
	BAD("te chunked twice", "POST /" H11 "Transfer-Encoding: chunked, "
	    "chunked\r\n\r\n0\r\n\r\n", -400),
	BAD("te chunked on two lines", "POST /" H11 CHUNKED CHUNKED
	    "\r\n0\r\n\r\n", -400),
	/* chunked not last: 400 by s6.3, or 501 for the unknown coding */
	BAD2("te gzip alone", "POST /" H11 "Transfer-Encoding: gzip\r\n\r\n",
	    -400, -501),
	BAD2("te empty", "POST /" H11 "Transfer-Encoding:\r\n\r\n", -400,
	    -501),
	BAD("te chunked in 1.0", "POST / HTTP/1.0\r\n" CHUNKED
	    "\r\n0\r\n\r\n", -400),
	BAD("te chunked in 1.0 with host", "POST / HTTP/1.0\r\nHost: a\r\n"
	    CHUNKED "\r\n3\r\nabc\r\n0\r\n\r\n", -400),

	/* chunk sizes and framing */
	BAD("chunk size not hex", "POST /" H11 CHUNKED "\r\ng\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk size minus", "POST /" H11 CHUNKED "\r\n-5\r\nhello\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk size plus", "POST /" H11 CHUNKED "\r\n+5\r\nhello\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk size 0x", "POST /" H11 CHUNKED "\r\n0x5\r\nhello\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk size underscore", "POST /" H11 CHUNKED "\r\n5\r\nhello\r\n"
	    "6_0\r\n world\r\n0\r\n\r\n", -400),
	BAD("chunk size 17 digits", "POST /" H11 CHUNKED
	    "\r\n10000000000000000\r\nx\r\n0\r\n\r\n", -400),
	BAD("chunk size 17 f", "POST /" H11 CHUNKED
	    "\r\nFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n", -400),
	BAD("chunk size 32 digits", "POST /" H11 CHUNKED
	    "\r\n100000000000000000000000000000005\r\nhello\r\n0\r\n\r\n",
	    -400),
	BAD("chunk size empty", "POST /" H11 CHUNKED "\r\n\r\nhello\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk size only extension", "POST /" H11 CHUNKED "\r\n;a=b\r\n"
	    "hello\r\n0\r\n\r\n", -400),
	BAD("chunk size leading space", "POST /" H11 CHUNKED "\r\n 5\r\n"
	    "hello\r\n0\r\n\r\n", -400),
	BAD("chunk size trailing space", "POST /" H11 CHUNKED "\r\n5\r\n"
	    "hello\r\n0 \r\n\r\n", -400),
	BAD("chunk size bare lf", "POST /" H11 CHUNKED "\r\n5\nhello\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk size bare cr", "POST /" H11 CHUNKED "\r\n5\rhello\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk extension bare cr", "POST /" H11 CHUNKED "\r\n5;a=v\rx"
	    "\r\nhello\r\n0\r\n\r\n", -400),
	BAD("chunk extension bare lf", "POST /" H11 CHUNKED "\r\n5;a=v\nx"
	    "\r\nhello\r\n0\r\n\r\n", -400),
	BAD("chunk extension nul", "POST /" H11 CHUNKED "\r\n5;a\0\r\n"
	    "hello\r\n0\r\n\r\n", -400),
	BAD("chunk data too long", "POST /" H11 CHUNKED "\r\n5\r\nhellox\r\n"
	    "0\r\n\r\n", -400),
	BAD("chunk data then lf", "POST /" H11 CHUNKED "\r\n5\r\nhello\n"
	    "0\r\n\r\n", -400),
	BAD("chunk data then cr", "POST /" H11 CHUNKED "\r\n5\r\nhello\r0"
	    "\r\n\r\n", -400),
	BAD("last chunk bare lf", "POST /" H11 CHUNKED "\r\n0\n\r\n", -400),
	BAD("end bare lf", "POST /" H11 CHUNKED "\r\n0\r\n\n", -400),
	BAD("trailer without colon", "POST /" H11 CHUNKED "\r\n0\r\nfoo\r\n"
	    "\r\n", -400),
	BAD("trailer bare lf", "POST /" H11 CHUNKED "\r\n0\r\nX: a\nY: b\r\n"
	    "\r\n", -400),
	BAD("trailer space before colon", "POST /" H11 CHUNKED "\r\n0\r\n"
	    "X : a\r\n\r\n", -400),
	BAD("trailer obs-fold", "POST /" H11 CHUNKED "\r\n0\r\nX: a\r\n b\r\n"
	    "\r\n", -400),
	BAD("trailer control", "POST /" H11 CHUNKED "\r\n0\r\nX: a\x01"
	    "b\r\n\r\n", -400),
	/* RFC 9110 s6.5.1: framing and routing fields are not trailers */
	BAD("trailer content-length", "POST /" H11 CHUNKED "\r\n5\r\nhello"
	    "\r\n0\r\nContent-Length: 99\r\n\r\n", -400),
	BAD("trailer content-length case", "POST /" H11 CHUNKED "\r\n0\r\n"
	    "content-LENGTH: 0\r\n\r\n", -400),
	BAD("trailer host", "POST /" H11 CHUNKED "\r\n5\r\nhello\r\n0\r\n"
	    "Host: evil\r\n\r\n", -400),
	BAD("trailer transfer-encoding", "POST /" H11 CHUNKED "\r\n0\r\n"
	    "X: 1\r\nTransfer-Encoding: chunked\r\n\r\n", -400),

	/* line endings, NUL: RFC 9112 s2.2 */
	BAD("bare cr in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n",
	    -400),
	BAD("bare cr in target", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n",
	    -400),
	BAD("bare cr in value", "GET /" H11 "X: a\rb\r\n\r\n", -400),
	BAD("cr cr lf", "GET /" H11 "X: a\r\r\n\r\n", -400),
	BAD("bare cr at the end", "GET /" H11 "\r\r\n", -400),
	BAD("bare lf everywhere", "GET / HTTP/1.1\nHost: a\n\n", -400),
	BAD("bare lf after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n",
	    -400),
	BAD("bare lf in value", "GET /" H11 "X: a\nContent-Length: 5\r\n\r\n"
	    "hello", -400),
	BAD("bare lf at the end", "GET /" H11 "\n", -400),
	BAD("bare lf split request line", "GET\n/\nHTTP/1.1\r\n\r\n", -400),
	BAD("nul in value", "GET /" H11 "X: a\0b\r\n\r\n", -400),
	BAD("nul in name", "GET /" H11 "X\0Y: a\r\n\r\n", -400),
	BAD("nul in target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("nul in method", "GET\0 / HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("nul first", "\0GET / HTTP/1.1\r\nHost: a\r\n\r\n", -400),

	/* field lines: RFC 9112 s5, RFC 9110 s5.5 */
	BAD("space before colon", "GET /" H11 "Content-Length : 3\r\n\r\nxyz",
	    -400),
	BAD("htab before colon", "GET /" H11 "X\t: a\r\n\r\n", -400),
	BAD("obs-fold sp", "GET /" H11 "Long: one\r\n two\r\n\r\n", -400),
	BAD("obs-fold htab", "GET /" H11 "Long: one\r\n\ttwo\r\n\r\n", -400),
	BAD("space-led first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
	    -400),
	BAD("htab-led first field", "GET / HTTP/1.1\r\n\tX: a\r\nHost: a\r\n"
	    "\r\n", -400),
	BAD("ctl 01 in value", "GET /" H11 "X: a\x01z\r\n\r\n", -400),
	BAD("bel in value", "GET /" H11 "X: plain\x07injected\r\n\r\n", -400),
	BAD("vt in value", "GET /" H11 "X: a\x0bz\r\n\r\n", -400),
	BAD("ff in value", "GET /" H11 "X: a\x0cz\r\n\r\n", -400),
	BAD("esc in value", "GET /" H11 "X: a\x1bz\r\n\r\n", -400),
	BAD("del in value", "GET /" H11 "X: plain\x7finjected\r\n\r\n", -400),
	BAD("empty name", "GET /" H11 ": v\r\n\r\n", -400),
	BAD("no colon", "GET /" H11 "Foo\r\n\r\n", -400),
	BAD("space in name", "GET /" H11 "X Y: v\r\n\r\n", -400),
	BAD("paren in name", "GET /" H11 "X(y): v\r\n\r\n", -400),
	BAD("at in name", "GET /" H11 "X@: v\r\n\r\n", -400),
	BAD("slash in name", "GET /" H11 "X/Y: v\r\n\r\n", -400),
	BAD("brace in name", "GET /" H11 "{X}: v\r\n\r\n", -400),
	BAD("quote in name", "GET /" H11 "X\"Y: v\r\n\r\n", -400),
	BAD("non-ascii in name", "GET /" H11 "Content-Length\xc3\x9f: 3\r\n"
	    "\r\nabc", -400),
	BAD("del in name", "GET /" H11 "X\x7f: v\r\n\r\n", -400),

	/* methods */
	BAD("lowercase method", "get /" H11 "\r\n", -400),
	BAD("mixed-case method", "Get /" H11 "\r\n", -400),
	BAD("lowercase token method", "-bl /foo" H11 "\r\n", -400),
	BAD("method of 2", "GE /" H11 "\r\n", -400),
	BAD("method of 21", "ABCDEFGHIJKLMNOPQRSTU /" H11 "\r\n", -400),
	BAD("method with colon", "GET: /" H11 "\r\n", -400),
	BAD("method with paren", "GE(T /" H11 "\r\n", -400),
	BAD("method non-ascii", "GET\xc3\x9f /" H11 "\r\n", -400),
	BAD("method with ctl", "G\x01T /" H11 "\r\n", -400),
	BAD("proxy line", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n", -400),

	/* request line shape: RFC 9112 s3 */
	BAD("no target", "GET HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("empty target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("no version", "GET /\r\nHost: a\r\n\r\n", -400),
	BAD("double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("double space before version", "GET /  HTTP/1.1\r\nHost: a\r\n"
	    "\r\n", -400),
	BAD("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", -400),
	BAD("leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("tab separators", "GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("ctl in target", "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("del in target", "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", -400),

	/* Host: RFC 9112 s3.2 */
	BAD("no host in 1.1", "GET / HTTP/1.1\r\n\r\n", -400),
	BAD("no host, other fields", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
	    -400),
	BAD("two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400),
	BAD("two same hosts", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
	    -400),
	BAD("two hosts in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n"
	    "\r\n", -400),
	BAD("host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", -400),
	BAD("host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", -400),

	/* targets: RFC 9112 s3.2 */
	BAD("relative target", "GET foo/bar" H11 "\r\n", -400),
	BAD("relative x", "GET x" H11 "\r\n", -400),
	BAD("asterisk with get", "GET *" H11 "\r\n", -400),
	BAD("asterisk with post", "POST *" H11 "Content-Length: 0\r\n\r\n",
	    -400),
	BAD("asterisk and more", "OPTIONS */x" H11 "\r\n", -400),
	BAD("authority with get", "GET example.com:443 HTTP/1.1\r\n"
	    "Host: example.com:443\r\n\r\n", -400),
	BAD2("connect with origin-form", "CONNECT /" H11 "\r\n", -400, -501),
	BAD("authority without port", "CONNECT example.com HTTP/1.1\r\n"
	    "Host: example.com\r\n\r\n", -400),
	BAD("authority with a name for port", "CONNECT h:https HTTP/1.1\r\n"
	    "Host: h:https\r\n\r\n", -400),
	BAD("authority with userinfo", "CONNECT u@h:443 HTTP/1.1\r\n"
	    "Host: h:443\r\n\r\n", -400),
	BAD("bad uri", "PUT s://]ufd/: HTTP/1.1\r\nHost: a\r\n\r\n", -400),

	/* versions: RFC 9112 s2.3, RFC 9110 s15.6.6 */
	BAD("http/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", -505),
	BAD("http/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", -505),
	BAD("http/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", -505),
	BAD("http/1.9", "GET / HTTP/1.9\r\nHost: a\r\n\r\n", -505),
	BAD2("http/0.9", "GET / HTTP/0.9\r\n\r\n", -505, -400),
	BAD("http/1.1x", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", -400),
	BAD("lowercase http", "GET / http/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("http/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", -400),
	BAD("http/1.", "GET / HTTP/1.\r\nHost: a\r\n\r\n", -400),
	BAD("http/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", -400),
	BAD("http/11.1", "GET / HTTP/11.1\r\nHost: a\r\n\r\n", -400),
	BAD("http/111", "GET / HTTP/111\r\nHost: a\r\n\r\n", -400),
	BAD("http/0.99", "GET / HTTP/0.99\r\n\r\n", -400),
	BAD("http/1.a", "GET / HTTP/1.a\r\nHost: a\r\n\r\n", -400),
	BAD("http/ 1.1", "GET / HTTP/ 1.1\r\nHost: a\r\n\r\n", -400),
	BAD("ftp/1.1", "GET / FTP/1.1\r\nHost: a\r\n\r\n", -400),
	BAD("http2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", -505),

	/* Expect: RFC 9110 s10.1.1 */
	BAD("expect other", "POST /" H11 "Expect: 200-ok\r\n"
	    "Content-Length: 0\r\n\r\n", -417),
	BAD("expect continue and other", "POST /" H11 "Expect: 100-continue, "
	    "foo\r\nContent-Length: 0\r\n\r\n", -417),

	/* limits, just over */
	{ .name = "line over the limit", IN("GET / HTTP/1.1\r\nHost: a\r\n"
	    "\r\n"), .status = -414, .line = 13 },
	{ .name = "field over the limit", IN("GET / HTTP/1.1\r\nHost: a\r\n"
	    "\r\n"), .status = -431, .fsize = 8 },
	{ .name = "fields over the limit", IN("GET /" H11 "X: 1\r\n\r\n"),
	    .status = -431, .fields = 1 },
	{ .name = "second field over the limit", IN("GET /" H11
	    "X-Long: 0123456789\r\n\r\n"), .status = -431, .fsize = 16 },
	};

	return cr_make_param_array(struct rcase, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rcase *c, http, bad)
{
	check_case(c);
}

/* ------------------------------------------------------------------ */
/* http_scan: limits and errors before the head is complete            */
/* ------------------------------------------------------------------ */

/*
 * Feed buf one byte at a time and return the number of bytes given when
 * http_scan first answered non-zero (its answer in *res), or 0 if never.
 */
static size_t
scan_until(const char *buf, size_t len, const struct http_limits *lim,
    long *res)
{
	struct http_scan	sc;
	size_t			n;

	memset(&sc, 0, sizeof(sc));
	*res = 0;
	for (n = 1; n <= len; n++) {
		*res = http_scan(&sc, buf, n, lim);
		if (*res != 0)
			return n;
	}
	return 0;
}

static char *
repeat(const char *head, int c, size_t n, size_t *len)
{
	size_t	hl = strlen(head);
	char	*p = malloc(hl + n + 1);

	cr_assert_not_null(p);
	memcpy(p, head, hl);
	memset(p + hl, c, n);
	p[hl + n] = '\0';
	*len = hl + n;
	return p;
}

Test(http_scan, long_request_line_refused_early)
{
	struct http_limits	lim;
	struct http_scan	sc;
	size_t			len, at;
	long			r;
	char			*buf;

	http_limits_default(&lim);
	cr_assert_eq(lim.hl_line, 4094, "default hl_line %zu", lim.hl_line);
	/* a request line that never ends */
	buf = repeat("GET /", 'a', 3 * lim.hl_line, &len);
	at = scan_until(buf, len, &lim, &r);
	cr_assert_eq(r, -414, "http_scan returned %ld, want -414", r);
	cr_assert_gt(at, lim.hl_line, "refused after %zu bytes", at);
	cr_assert_leq(at, lim.hl_line + 2,
	    "a %zu-byte limit, refused only after %zu bytes", lim.hl_line, at);

	/* at once, without the end of the line */
	memset(&sc, 0, sizeof(sc));
	r = http_scan(&sc, buf, lim.hl_line + 2, &lim);
	cr_assert_eq(r, -414, "whole: http_scan returned %ld", r);
	free(buf);
}

Test(http_scan, request_line_boundary)
{
	struct http_limits	lim;
	struct hf_outcome		o;
	char			t[HTTP_LINE_MAX + 2], buf[HTTP_LINE_MAX + 64];
	size_t			tl;
	int			n;

	http_limits_default(&lim);
	/* "GET " + target + " HTTP/1.1" is exactly hl_line bytes */
	tl = lim.hl_line - strlen("GET  HTTP/1.1");
	t[0] = '/';
	memset(t + 1, 'x', tl);
	t[tl] = '\0';
	n = snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n",
	    t);
	cr_assert_eq(strchr(buf, '\r') - buf, (long)lim.hl_line);
	hf_run_req("line of hl_line bytes", buf, (size_t)n, &lim, &o);
	cr_expect_eq(o.status, 0, "a line of hl_line bytes: %d", o.status);
	cr_expect_eq(strlen(o.target), tl, "target of %zu bytes, want %zu",
	    strlen(o.target), tl);

	/* one more */
	n = snprintf(buf, sizeof(buf), "GET %sx HTTP/1.1\r\nHost: a\r\n\r\n",
	    t);
	cr_assert_eq(strchr(buf, '\r') - buf, (long)lim.hl_line + 1);
	hf_run_req("line of hl_line + 1 bytes", buf, (size_t)n, &lim, &o);
	cr_expect_eq(o.status, -414, "a line of hl_line + 1 bytes: %d",
	    o.status);
}

Test(http_scan, long_field_refused_early)
{
	struct http_limits	lim;
	size_t			len, at, start;
	long			r;
	char			*buf;

	http_limits_default(&lim);
	cr_assert_eq(lim.hl_field_size, 8190, "default hl_field_size %zu",
	    lim.hl_field_size);
	buf = repeat("GET / HTTP/1.1\r\nHost: a\r\nX-Long: ", 'v',
	    3 * lim.hl_field_size, &len);
	start = strlen("GET / HTTP/1.1\r\nHost: a\r\n");
	at = scan_until(buf, len, &lim, &r);
	cr_assert_eq(r, -431, "http_scan returned %ld, want -431", r);
	/* the line with its CRLF would be over the limit by then */
	cr_assert_geq(at - start, lim.hl_field_size - 1,
	    "refused after only %zu bytes of the field", at - start);
	cr_assert_leq(at - start, lim.hl_field_size + 1,
	    "a %zu-byte limit, refused after %zu bytes of the field",
	    lim.hl_field_size, at - start);
	free(buf);
}

Test(http_scan, field_size_boundary)
{
	struct http_limits	lim;
	struct hf_outcome		o;
	char			*buf, *p;
	size_t			fl, vl;

	http_limits_default(&lim);
	buf = malloc(2 * lim.hl_field_size + 64);
	cr_assert_not_null(buf);
	/* "X: " + value + CRLF is exactly hl_field_size bytes */
	vl = lim.hl_field_size - 5;
	p = buf + sprintf(buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(p, 'v', vl);
	p += vl;
	strcpy(p, "\r\n\r\n");
	fl = strlen("X: ") + vl + 2;
	cr_assert_eq(fl, lim.hl_field_size);
	hf_run_req("field of hl_field_size bytes", buf, strlen(buf), &lim, &o);
	cr_expect_eq(o.status, 0, "a field of hl_field_size bytes: %d",
	    o.status);

	p = buf + sprintf(buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(p, 'v', vl + 1);
	p += vl + 1;
	strcpy(p, "\r\n\r\n");
	hf_run_req("field of hl_field_size + 1 bytes", buf, strlen(buf), &lim,
	    &o);
	cr_expect_eq(o.status, -431, "a field of hl_field_size + 1 bytes: %d",
	    o.status);
	free(buf);
}

static char *
many_fields(size_t n, bool end, size_t *len)
{
	char	*buf = malloc(64 + n * 24), *p;
	size_t	i;

	cr_assert_not_null(buf);
	p = buf + sprintf(buf, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < n; i++)
		p += sprintf(p, "X-Field-%zu: %zu\r\n", i, i);
	if (end)
		p += sprintf(p, "\r\n");
	*len = (size_t)(p - buf);
	return buf;
}

Test(http_scan, too_many_fields)
{
	struct http_limits	lim;
	struct hf_outcome		o;
	size_t			len, at;
	long			r;
	char			*buf;

	http_limits_default(&lim);
	cr_assert_eq(lim.hl_fields, 100, "default hl_fields %zu",
	    lim.hl_fields);

	buf = many_fields(lim.hl_fields, true, &len);
	hf_run_req("hl_fields fields", buf, len, &lim, &o);
	cr_expect_eq(o.status, 0, "hl_fields fields: %d", o.status);
	cr_expect_eq(o.nfields, lim.hl_fields);
	free(buf);

	buf = many_fields(lim.hl_fields + 1, true, &len);
	hf_run_req("hl_fields + 1 fields", buf, len, &lim, &o);
	cr_expect_eq(o.status, -431, "hl_fields + 1 fields: %d", o.status);
	free(buf);

	/* refused as the fields arrive: the head never ends here */
	buf = many_fields(lim.hl_fields + 1, false, &len);
	at = scan_until(buf, len, &lim, &r);
	cr_expect_eq(r, -431, "an endless head of many fields: %ld", r);
	cr_expect_gt(at, 0);
	free(buf);

	/* the ceiling */
	lim.hl_fields = HTTP_FIELDS_MAX;
	buf = many_fields(HTTP_FIELDS_MAX, true, &len);
	hf_run_req("HTTP_FIELDS_MAX fields", buf, len, &lim, &o);
	cr_expect_eq(o.status, 0, "HTTP_FIELDS_MAX fields: %d", o.status);
	cr_expect_eq(o.nfields, HTTP_FIELDS_MAX);
	free(buf);
}

/* Bad bytes are refused as they arrive, long before any limit. */
Test(http_scan, bad_bytes_refused_early)
{
#define S(s)	{ s, sizeof(s) - 1 }
	static const struct {
		const char	*in;
		size_t		 len;
	} cases[] = {
		S("GET / HTTP/1.1\nHost: a"),
		S("GET / HTTP/1.1\rHost: a"),
		S("GET / HTTP/1.1\r\nHost: a\rb"),
		S("GET / HTTP/1.1\r\nHost: a\nb"),
		S("GET / HTTP/1.1\r\nHo\0st: a"),
		S("GET /\0 HTTP/1.1"),
		S("GET / HTTP/1.1\r\nHost: a\r\n\n"),
	};
#undef S
	struct http_limits	lim;
	size_t			i, at;
	long			r;

	http_limits_default(&lim);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at = scan_until(cases[i].in, cases[i].len, &lim, &r);
		cr_expect_eq(r, -400, "case %zu: http_scan returned %ld", i, r);
		cr_expect(at > 0 && at <= cases[i].len, "case %zu: at %zu", i,
		    at);
	}
}

/* A CR may end the bytes so far: it waits for the LF. */
Test(http_scan, cr_at_the_end_waits)
{
	struct http_limits	lim;
	struct http_scan	sc;
	const char		*in = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t			n;
	long			r;

	http_limits_default(&lim);
	memset(&sc, 0, sizeof(sc));
	for (n = 1; n < strlen(in); n++) {
		r = http_scan(&sc, in, n, &lim);
		cr_assert_eq(r, 0, "%zu bytes: %ld", n, r);
		cr_assert_leq(sc.hs_off, n);
	}
	r = http_scan(&sc, in, n, &lim);
	cr_assert_eq(r, (long)strlen(in));
}

/* The head ends at the first empty line, whatever follows. */
Test(http_scan, head_length_with_more_bytes)
{
	struct http_limits	lim;
	struct http_scan	sc;
	const char		*in = "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 4\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n";
	long			r;

	http_limits_default(&lim);
	memset(&sc, 0, sizeof(sc));
	r = http_scan(&sc, in, strlen(in), &lim);
	cr_assert_eq(r, (long)(strstr(in, "\r\n\r\n") - in) + 4, "head %ld",
	    r);
}

/* ------------------------------------------------------------------ */
/* Pipelining and smuggling                                            */
/* ------------------------------------------------------------------ */

Test(http, smuggling_chunked_then_get)
{
	static const char	in[] = "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
	    "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_limits	lim;
	struct hf_outcome		o;
	size_t			first = (size_t)(strstr(in, "GET") - in);

	http_limits_default(&lim);
	hf_run_req("first", in, sizeof(in) - 1, &lim, &o);
	cr_assert_eq(o.status, 0, "first: %d", o.status);
	cr_assert(o.complete);
	cr_expect_str_eq(o.method, "POST");
	cr_expect_eq(o.framing, HTTP_BODY_CHUNKED);
	cr_expect_str_eq(o.bodytext, "hello");
	cr_assert_eq(o.consumed, first, "first consumed %zu, want %zu",
	    o.consumed, first);
	cr_assert(o.keepalive);

	hf_run_req("second", in + first, sizeof(in) - 1 - first, &lim, &o);
	cr_assert_eq(o.status, 0, "second: %d", o.status);
	cr_expect_str_eq(o.method, "GET");
	cr_expect_str_eq(o.target, "/next");
	cr_expect_eq(o.framing, HTTP_BODY_NONE);
	cr_expect_eq(o.consumed, sizeof(in) - 1 - first);
}

Test(http, smuggling_content_length_then_get)
{
	static const char	in[] = "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 13\r\n\r\nGET /inside 1"
	    "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_limits	lim;
	struct hf_outcome		o;
	size_t			first = (size_t)(strstr(in, "GET /next") - in);

	http_limits_default(&lim);
	hf_run_req("first", in, sizeof(in) - 1, &lim, &o);
	cr_assert_eq(o.status, 0, "first: %d", o.status);
	cr_expect_str_eq(o.bodytext, "GET /inside 1");
	cr_assert_eq(o.consumed, first, "first consumed %zu, want %zu",
	    o.consumed, first);
	hf_run_req("second", in + first, sizeof(in) - 1 - first, &lim, &o);
	cr_assert_eq(o.status, 0, "second: %d", o.status);
	cr_expect_str_eq(o.target, "/next");
}

/* Three requests back to back, the last one closing. */
Test(http, pipeline)
{
	static const char	in[] =
	    "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /2 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2;x=y\r\nab\r\n0\r\nT: v\r\n\r\n"
	    "PUT /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	    "Connection: close\r\n\r\nxyz";
	static const char *const	targets[] = { "/1", "/2", "/3" };
	static const bool		ka[] = { true, true, false };
	struct http_limits	lim;
	struct hf_outcome		o;
	size_t			off = 0, i;

	http_limits_default(&lim);
	for (i = 0; i < 3; i++) {
		hf_run_req(targets[i], in + off, sizeof(in) - 1 - off, &lim, &o);
		cr_assert_eq(o.status, 0, "request %zu: %d", i + 1, o.status);
		cr_assert(o.complete, "request %zu incomplete", i + 1);
		cr_expect_str_eq(o.target, targets[i]);
		cr_expect_eq(o.keepalive, ka[i], "request %zu keepalive",
		    i + 1);
		off += o.consumed;
	}
	cr_expect_eq(off, sizeof(in) - 1, "consumed %zu of %zu", off,
	    sizeof(in) - 1);
}

/* A client that ends a body with an extra CRLF (RFC 9112 s2.2). */
Test(http, pipeline_extra_crlf)
{
	static const char	in[] = "POST /1 HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\n\r\nhello\r\n"
	    "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_limits	lim;
	struct hf_outcome		o;
	size_t			first = (size_t)(strstr(in, "hello") - in) + 5;

	http_limits_default(&lim);
	hf_run_req("first", in, sizeof(in) - 1, &lim, &o);
	cr_assert_eq(o.status, 0, "first: %d", o.status);
	cr_assert_eq(o.consumed, first, "first consumed %zu, want %zu",
	    o.consumed, first);
	hf_run_req("second", in + first, sizeof(in) - 1 - first, &lim, &o);
	cr_assert_eq(o.status, 0, "second: %d", o.status);
	cr_expect_str_eq(o.target, "/2");
	cr_expect_eq(o.consumed, sizeof(in) - 1 - first);
}

/* ------------------------------------------------------------------ */
/* http_parse results and http_field                                   */
/* ------------------------------------------------------------------ */

static int
parse_str(const char *in, struct http_request *rq)
{
	struct http_limits	lim;
	struct http_scan	sc;
	long			h;

	http_limits_default(&lim);
	lim.hl_body = 0;
	memset(&sc, 0, sizeof(sc));
	h = http_scan(&sc, in, strlen(in), &lim);
	cr_assert_eq(h, (long)strlen(in), "http_scan: %ld", h);
	memset(rq, 0x5a, sizeof(*rq));
	return http_parse(in, (size_t)h, &lim, rq);
}

static void
expect_value(const struct http_request *rq, const char *name,
    const char *value)
{
	const struct http_field	*f = http_field(rq, name);

	cr_assert_not_null(f, "http_field(%s): NULL", name);
	cr_expect_eq(f->hf_vlen, strlen(value), "%s: value of %zu bytes, "
	    "want \"%s\"", name, f->hf_vlen, value);
	cr_expect(memcmp(f->hf_value, value, strlen(value)) == 0,
	    "%s: value \"%.*s\", want \"%s\"", name, (int)f->hf_vlen,
	    f->hf_value, value);
}

Test(http, fields_and_lookup)
{
	static const char	in[] = "POST /up?x=1 HTTP/1.1\r\n"
	    "Host: example.com\r\n"
	    "X-One:  v1 \r\n"
	    "x-one: v2\r\n"
	    "X_Under: u\r\n"
	    "X-Pad:\t \tinner  space\t \r\n"
	    "X-Empty:\r\n"
	    "Content-Length: 0\r\n\r\n";
	struct http_request	*rq = malloc(sizeof(*rq));
	const struct http_field	*f;
	size_t			i;

	cr_assert_not_null(rq);
	cr_assert_eq(parse_str(in, rq), 0);
	cr_expect_eq(rq->rq_mlen, 4);
	cr_expect(memcmp(rq->rq_method, "POST", 4) == 0);
	cr_expect_eq(rq->rq_tlen, 7);
	cr_expect(memcmp(rq->rq_target, "/up?x=1", 7) == 0);
	cr_expect_eq(rq->rq_minor, 1);
	cr_expect_eq(rq->rq_nfields, 6, "%zu fields", rq->rq_nfields);
	cr_expect(rq->rq_body == HTTP_BODY_NONE ||
	    (rq->rq_body == HTTP_BODY_LENGTH && rq->rq_length == 0),
	    "Content-Length: 0 gives framing %d, length %llu",
	    (int)rq->rq_body, (unsigned long long)rq->rq_length);
	cr_expect(rq->rq_keepalive);
	cr_expect(!rq->rq_continue);
	cr_expect(!rq->rq_head);

	/* names as sent, in order, pointing into the input */
	cr_expect_eq(rq->rq_fields[0].hf_nlen, 4);
	cr_expect(memcmp(rq->rq_fields[0].hf_name, "Host", 4) == 0);
	cr_expect_eq(rq->rq_fields[2].hf_nlen, 5);
	cr_expect(memcmp(rq->rq_fields[2].hf_name, "x-one", 5) == 0);
	for (i = 0; i < rq->rq_nfields && i < HTTP_FIELDS_MAX; i++) {
		f = &rq->rq_fields[i];
		cr_expect(f->hf_name >= in && f->hf_name + f->hf_nlen <=
		    in + sizeof(in), "field %zu: name outside the input", i);
		cr_expect(f->hf_vlen == 0 || (f->hf_value >= in &&
		    f->hf_value + f->hf_vlen <= in + sizeof(in)),
		    "field %zu: value outside the input", i);
		cr_expect(memchr(f->hf_name, '_', f->hf_nlen) == NULL,
		    "field %zu: an underscore field was kept", i);
	}

	/* case-insensitive, the first one, trimmed */
	expect_value(rq, "x-ONE", "v1");
	expect_value(rq, "X-One", "v1");
	expect_value(rq, "HOST", "example.com");
	expect_value(rq, "host", "example.com");
	expect_value(rq, "x-pad", "inner  space");
	expect_value(rq, "X-Empty", "");
	expect_value(rq, "content-length", "0");
	cr_expect_null(http_field(rq, "X_Under"), "dropped field found");
	cr_expect_null(http_field(rq, "x_under"), "dropped field found");
	cr_expect_null(http_field(rq, "X-On"), "a prefix matched");
	cr_expect_null(http_field(rq, "X-One-Two"), "a longer name matched");
	cr_expect_null(http_field(rq, "Missing"));
	cr_expect_null(http_field(rq, ""));
	free(rq);
}

Test(http, parse_request_flags)
{
	struct http_request	*rq = malloc(sizeof(*rq));

	cr_assert_not_null(rq);
	cr_assert_eq(parse_str("HEAD / HTTP/1.0\r\n\r\n", rq), 0);
	cr_expect(rq->rq_head);
	cr_expect_eq(rq->rq_minor, 0);
	cr_expect_eq(rq->rq_body, HTTP_BODY_NONE);
	cr_expect(!rq->rq_keepalive);
	cr_expect_eq(rq->rq_nfields, 0);

	cr_assert_eq(parse_str("POST / HTTP/1.1\r\nHost: h\r\nExpect: "
	    "100-continue\r\nTransfer-Encoding: chunked\r\n\r\n", rq), 0);
	cr_expect(rq->rq_continue);
	cr_expect(!rq->rq_head);
	cr_expect_eq(rq->rq_body, HTTP_BODY_CHUNKED);

	/* big, but no overflow anywhere: a length (RFC 9110 s8.6) */
	cr_assert_eq(parse_str("PUT / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 999999999999999999\r\n\r\n", rq), 0,
	    "10^18 - 1 refused");
	cr_expect_eq(rq->rq_body, HTTP_BODY_LENGTH);
	cr_expect_eq(rq->rq_length, 999999999999999999ULL);
	free(rq);
}

/* ------------------------------------------------------------------ */
/* http_chunked_feed by itself                                         */
/* ------------------------------------------------------------------ */

Test(http_chunked, stops_at_the_end)
{
	static const char	in[] = "5\r\nhello\r\n0\r\nT: 1\r\n\r\nEXTRA";
	struct http_limits	lim;
	struct http_chunked	hc;
	const char		*data, *p = in;
	size_t			used, dlen, left = sizeof(in) - 1;
	char			got[16] = "";
	int			rc;

	http_limits_default(&lim);
	http_chunked_init(&hc);
	cr_expect_eq(hc.hc_total, 0);
	for (;;) {
		rc = http_chunked_feed(&hc, p, left, &used, &data, &dlen, &lim);
		cr_assert_geq(rc, 0, "http_chunked_feed: %d", rc);
		cr_assert_neq(rc, HTTP_CHUNK_AGAIN, "AGAIN with bytes to go");
		p += used;
		left -= used;
		if (rc == HTTP_CHUNK_DONE)
			break;
		cr_assert_lt(strlen(got) + dlen, sizeof(got));
		strncat(got, data, dlen);
	}
	cr_expect_str_eq(got, "hello");
	cr_expect_eq(hc.hc_total, 5);
	cr_expect_eq(left, 5, "%zu bytes left, want \"EXTRA\"", left);
	cr_expect(memcmp(p, "EXTRA", 5) == 0);
}

Test(http_chunked, limit_counts_all_chunks)
{
	static const char	in[] = "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
	struct http_limits	lim;
	struct http_chunked	hc;
	const char		*data, *p = in;
	size_t			used, dlen, left = sizeof(in) - 1;
	int			rc;

	http_limits_default(&lim);
	lim.hl_body = 5;
	http_chunked_init(&hc);
	do {
		rc = http_chunked_feed(&hc, p, left, &used, &data, &dlen, &lim);
		if (rc < 0)
			break;
		cr_assert(rc != HTTP_CHUNK_DONE, "6 bytes over a 5-byte limit");
		p += used;
		left -= used;
	} while (left > 0);
	cr_expect_eq(rc, -413, "http_chunked_feed: %d", rc);
	cr_expect_leq(hc.hc_total, 5, "%llu bytes given past the limit",
	    (unsigned long long)hc.hc_total);
}

/* Trailers are bounded too; http.h names -400 and -413 for http_chunked_feed,
 * so a trailer over the limits must at least be refused. */
Test(http_chunked, trailer_limits)
{
	struct http_limits	lim;
	struct http_chunked	hc;
	const char		*data;
	char			*buf, *p;
	size_t			used, dlen, i, n;
	int			rc;

	http_limits_default(&lim);
	n = 3 * lim.hl_field_size;
	buf = malloc(n + 64);
	cr_assert_not_null(buf);
	p = buf + sprintf(buf, "0\r\nX-Big: ");
	memset(p, 'v', n);
	strcpy(p + n, "\r\n\r\n");
	http_chunked_init(&hc);
	rc = http_chunked_feed(&hc, buf, strlen(buf), &used, &data, &dlen,
	    &lim);
	cr_expect_lt(rc, 0, "a trailer line of %zu bytes: %d", n, rc);
	cr_expect(rc == -400 || rc == -413 || rc == -431, "status %d", rc);

	free(buf);
	buf = malloc(32 * (lim.hl_fields + 10));
	cr_assert_not_null(buf);
	p = buf + sprintf(buf, "0\r\n");
	for (i = 0; i < lim.hl_fields + 5; i++)
		p += sprintf(p, "T%zu: v\r\n", i);
	strcpy(p, "\r\n");
	http_chunked_init(&hc);
	rc = http_chunked_feed(&hc, buf, strlen(buf), &used, &data, &dlen,
	    &lim);
	cr_expect_lt(rc, 0, "%zu trailer fields: %d", lim.hl_fields + 5, rc);
	free(buf);
}

/*
 * http_parse keeps at most HTTP_FIELDS_MAX fields.  A head with more
 * (limits above the ceiling, or a caller that skipped http_scan) must be
 * refused, never parsed without the fields past the ceiling: here those
 * are the framing.
 */
Test(http, parse_does_not_lose_fields)
{
	struct http_limits	lim;
	struct http_request	*rq = malloc(sizeof(*rq));
	char			*buf, *p;
	size_t			i;
	int			rc;

	cr_assert_not_null(rq);
	buf = malloc(64 + (HTTP_FIELDS_MAX + 8) * 24);
	cr_assert_not_null(buf);
	p = buf + sprintf(buf, "POST / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < HTTP_FIELDS_MAX; i++)
		p += sprintf(p, "X-%zu: v\r\n", i);
	p += sprintf(p, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n");
	http_limits_default(&lim);
	memset(rq, 0, sizeof(*rq));
	rc = http_parse(buf, (size_t)(p - buf), &lim, rq);
	cr_expect(rc < 0, "%d fields, CL and TE past the %d kept: %d, "
	    "framing %d", HTTP_FIELDS_MAX + 2, HTTP_FIELDS_MAX, rc,
	    (int)rq->rq_body);
	free(buf);
	free(rq);
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */
/* ------------------------------------------------------------------ */

struct reason_case {
	int	status;
	char	reason[40];
	char	alt[40];
};

ParameterizedTestParameters(http_response, reason)
{
	static struct reason_case cases[] = {
		{ 200, "OK", "" },
		{ 400, "Bad Request", "" },
		{ 404, "Not Found", "" },
		/* RFC 9110 renamed "Payload Too Large" */
		{ 413, "Content Too Large", "Payload Too Large" },
		{ 414, "URI Too Long", "" },
		{ 417, "Expectation Failed", "" },
		{ 431, "Request Header Fields Too Large", "" },
		{ 500, "Internal Server Error", "" },
		{ 501, "Not Implemented", "" },
		{ 505, "HTTP Version Not Supported", "" },
		{ 201, "Created", "" },
		{ 303, "See Other", "" },
		{ 429, "Too Many Requests", "" },
		{ 504, "Gateway Timeout", "" },
		{ 299, "", "" },
		{ 0, "", "" },
	};

	return cr_make_param_array(struct reason_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct reason_case *c, http_response, reason)
{
	const char	*r = http_reason(c->status);

	cr_assert_not_null(r);
	cr_assert(strcmp(r, c->reason) == 0 ||
	    (c->alt[0] != '\0' && strcmp(r, c->alt) == 0),
	    "%d: \"%s\", want \"%s\"", c->status, r, c->reason);
}

/* An IMF-fixdate for about now. */
static void
check_date(const char *d, size_t len)
{
	static const char *const	days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const	months[] = { "Jan", "Feb", "Mar",
	    "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char		s[30], wd[4], mon[4], gmt[4];
	struct tm	tm;
	time_t		t, now = time(NULL);
	int		i, n = 0, day, year, hh, mm, ss;

	cr_assert_eq(len, 29, "Date of %zu bytes", len);
	memcpy(s, d, 29);
	s[29] = '\0';
	cr_assert_eq(sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wd,
	    &day, mon, &year, &hh, &mm, &ss, gmt, &n), 8, "Date \"%s\"", s);
	cr_assert_eq(n, 29, "Date \"%s\"", s);
	cr_assert(s[3] == ',' && s[4] == ' ' && s[7] == ' ' && s[11] == ' ' &&
	    s[16] == ' ' && s[19] == ':' && s[22] == ':' && s[25] == ' ',
	    "Date \"%s\" is not an IMF-fixdate", s);
	cr_assert_str_eq(gmt, "GMT");
	memset(&tm, 0, sizeof(tm));
	tm.tm_mon = -1;
	for (i = 0; i < 12; i++)
		if (strcmp(mon, months[i]) == 0)
			tm.tm_mon = i;
	cr_assert_geq(tm.tm_mon, 0, "month \"%s\"", mon);
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	t = timegm(&tm);
	cr_assert(t >= now - 3 && t <= now + 3, "Date \"%s\" is not now", s);
	gmtime_r(&t, &tm);
	cr_assert_str_eq(wd, days[tm.tm_wday], "Date \"%s\": weekday", s);
}

Test(http_response, date)
{
	const char	*d = http_date();

	cr_assert_not_null(d);
	check_date(d, strlen(d));
}

/* The value of a field line in a response head, or NULL. */
static const char *
head_field(const char *head, const char *name, size_t *vlen)
{
	const char	*p = strstr(head, "\r\n"), *end;
	size_t		 nl = strlen(name);

	while (p != NULL && p[2] != '\r') {
		p += 2;
		end = strstr(p, "\r\n");
		if (end == NULL)
			return NULL;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			*vlen = (size_t)(end - p);
			return p;
		}
		p = end;
	}
	return NULL;
}

Test(http_response, head)
{
	char		buf[1024];
	const char	*v;
	size_t		n, vlen;

	memset(buf, 0, sizeof(buf));
	n = http_head(buf, sizeof(buf) - 1, 404, "text/plain", 12, true, 1,
	    NULL);
	cr_assert_gt(n, 0, "http_head: 0");
	cr_assert_lt(n, sizeof(buf) - 1);
	buf[n] = '\0';
	cr_assert_eq(strlen(buf), n, "NUL inside the head");
	cr_expect(strncmp(buf, "HTTP/1.1 404 Not Found\r\n", 24) == 0,
	    "status line: %s", buf);
	cr_expect(n >= 4 && strcmp(buf + n - 4, "\r\n\r\n") == 0,
	    "the head does not end with an empty line: %s", buf);
	cr_expect_eq(strstr(buf, "\r\n\r\n"), buf + n - 4,
	    "an empty line inside the head: %s", buf);
	v = head_field(buf, "Content-Length", &vlen);
	cr_assert_not_null(v, "no Content-Length: %s", buf);
	cr_expect(vlen == 2 && memcmp(v, "12", 2) == 0, "Content-Length %.*s",
	    (int)vlen, v);
	v = head_field(buf, "Content-Type", &vlen);
	cr_assert_not_null(v, "no Content-Type: %s", buf);
	cr_expect(vlen == 10 && memcmp(v, "text/plain", 10) == 0);
	v = head_field(buf, "Date", &vlen);
	cr_assert_not_null(v, "no Date: %s", buf);
	check_date(v, vlen);
	cr_expect_not_null(head_field(buf, "Server", &vlen), "no Server: %s",
	    buf);
	v = head_field(buf, "Connection", &vlen);
	cr_expect(v == NULL || !(vlen == 5 && strncasecmp(v, "close", 5) ==
	    0), "Connection: close on a kept connection: %s", buf);

	/* closing, no type, a big length */
	n = http_head(buf, sizeof(buf) - 1, 200, NULL, 18446744073709551614u,
	    false, 1, NULL);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_expect(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0,
	    "status line: %s", buf);
	v = head_field(buf, "Connection", &vlen);
	cr_assert_not_null(v, "no Connection: %s", buf);
	cr_expect(vlen == 5 && strncasecmp(v, "close", 5) == 0,
	    "Connection: %.*s", (int)vlen, v);
	cr_expect_null(head_field(buf, "Content-Type", &vlen),
	    "Content-Type without a type: %s", buf);
	v = head_field(buf, "Content-Length", &vlen);
	cr_assert_not_null(v);
	cr_expect(vlen == 20 && memcmp(v, "18446744073709551614", 20) == 0,
	    "Content-Length %.*s", (int)vlen, v);

	/* no length: asked for, and always for a 204 (RFC 9110 8.6) */
	n = http_head(buf, sizeof(buf) - 1, 304, NULL, HTTP_NO_LENGTH, true,
	    1, NULL);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_expect_null(head_field(buf, "Content-Length", &vlen), "%s", buf);
	n = http_head(buf, sizeof(buf) - 1, 204, NULL, 0, true, 1, NULL);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_expect_null(head_field(buf, "Content-Length", &vlen), "%s", buf);

	/* error statuses have their reasons */
	n = http_head(buf, sizeof(buf) - 1, 431, NULL, 0, false, 1, NULL);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_expect(strncmp(buf, "HTTP/1.1 431 Request Header Fields Too Large"
	    "\r\n", 46) == 0, "status line: %s", buf);
}

/* RFC 9112 appendix C.2.2: an HTTP/1.0 connection stays open only if the
 * reply says keep-alive. */
Test(http_response, head_http10_keepalive)
{
	char		buf[1024];
	const char	*v;
	size_t		n, vlen;

	n = http_head(buf, sizeof(buf) - 1, 200, NULL, 0, true, 0, NULL);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_expect(strncmp(buf, "HTTP/1.", 7) == 0, "status line: %s", buf);
	v = head_field(buf, "Connection", &vlen);
	cr_assert_not_null(v, "HTTP/1.0 keep-alive without Connection: %s",
	    buf);
	cr_expect(vlen == 10 && strncasecmp(v, "keep-alive", 10) == 0,
	    "Connection: %.*s", (int)vlen, v);
}

Test(http_response, head_too_small)
{
	char	buf[1024], small[1024];
	size_t	n, len;

	n = http_head(buf, sizeof(buf), 200, "text/html", 5, true, 1, NULL);
	cr_assert_gt(n, 0);
	cr_expect_eq(http_head(small, 0, 200, "text/html", 5, true, 1, NULL),
	    0);
	cr_expect_eq(http_head(small, 10, 200, "text/html", 5, true, 1,
	    NULL), 0);
	cr_expect_eq(http_head(small, n / 2, 200, "text/html", 5, true, 1,
	    NULL), 0);
	/* no write past the end when it does not fit */
	for (len = n - 1; len + 4 > n; len--) {
		memset(small, 'Z', sizeof(small));
		cr_expect_eq(http_head(small, len, 200, "text/html", 5, true,
		    1, NULL), 0, "%zu bytes for a %zu-byte head", len, n);
		cr_expect_eq(small[len], 'Z', "wrote past %zu bytes", len);
	}
	/* room to spare: fits, the same length */
	cr_expect_eq(http_head(small, n + 1, 200, "text/html", 5, true, 1,
	    NULL), n);
}

Test(http_response, head_extra_lines)
{
	char		buf[1024];
	const char	*v;
	size_t		n, vlen;

	n = http_head(buf, sizeof(buf) - 1, 503, "text/plain", 0, false, 1,
	    "Retry-After: 5\r\nX-Extra: yes\r\n");
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_expect(n >= 4 && strcmp(buf + n - 4, "\r\n\r\n") == 0,
	    "the head does not end with an empty line: %s", buf);
	cr_expect_eq(strstr(buf, "\r\n\r\n"), buf + n - 4,
	    "an empty line inside the head: %s", buf);
	v = head_field(buf, "Retry-After", &vlen);
	cr_assert_not_null(v, "no Retry-After: %s", buf);
	cr_expect(vlen == 1 && *v == '5');
	v = head_field(buf, "X-Extra", &vlen);
	cr_assert_not_null(v, "no X-Extra: %s", buf);
	cr_expect(vlen == 3 && memcmp(v, "yes", 3) == 0);
	cr_expect_not_null(head_field(buf, "Content-Length", &vlen));
	/* the extra lines count towards the size */
	cr_expect_eq(http_head(buf, n - 1, 503, "text/plain", 0, false, 1,
	    "Retry-After: 5\r\nX-Extra: yes\r\n"), 0);
}

struct date_case {
	long long	t;
	char		s[32];
};

ParameterizedTestParameters(http_response, dates)
{
	static struct date_case cases[] = {
		{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },	/* RFC 9110 */
		{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
		{ 1700000000, "Tue, 14 Nov 2023 22:13:20 GMT" },
		{ 4102444799LL, "Thu, 31 Dec 2099 23:59:59 GMT" },
	};

	return cr_make_param_array(struct date_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct date_case *c, http_response, dates)
{
	char	buf[64];

	memset(buf, 'Z', sizeof(buf));
	http_fmt_date((time_t)c->t, buf, sizeof(buf));
	cr_assert_str_eq(buf, c->s, "%lld: \"%s\"", c->t, buf);
	cr_assert_eq((long long)http_parse_date(c->s, strlen(c->s)), c->t,
	    "\"%s\" parsed as %lld", c->s,
	    (long long)http_parse_date(c->s, strlen(c->s)));
	/* the length given is the end: no NUL needed */
	memcpy(buf, c->s, 29);
	buf[29] = 'X';
	cr_assert_eq((long long)http_parse_date(buf, 29), c->t);
}

/* RFC 9110 s5.6.7: recipients take the two obsolete forms too. */
Test(http_response, obsolete_date_forms)
{
	cr_assert_eq(http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT", 30),
	    784111777);
	cr_assert_eq(http_parse_date("Sun Nov  6 08:49:37 1994", 24),
	    784111777);
	cr_assert_eq(http_parse_date("Sun Nov 06 08:49:37 1994", 24),
	    784111777);
	cr_assert_eq(http_parse_date("Wednesday, 29-Feb-00 00:00:00 GMT", 33),
	    -1, "29 Feb 2000 was a Tuesday");
	cr_assert_eq(http_parse_date("Tuesday, 29-Feb-00 00:00:00 GMT", 31),
	    951782400);
	/* Two digits are this century's unless that is more than 50 years
	   ahead (94: 1994, above); 55 is 2055 from 2005 to 2104. */
	cr_assert_eq(http_parse_date("Friday, 01-Jan-55 00:00:00 GMT", 30),
	    2682374400LL);
}

struct bad_date {
	char	s[40];
};

ParameterizedTestParameters(http_response, bad_dates)
{
	static struct bad_date cases[] = {
		{ "" },
		{ "Sun, 06 Nov 1994 08:49:37" },		/* no zone */
		{ "Sun, 06 Nov 1994 08:49:37 UTC" },
		{ "Sun, 06 Nov 1994 08:49:37 GMTX" },
		{ "Sun, 6 Nov 1994 08:49:37 GMT" },		/* one digit */
		{ "Sun, 06 Foo 1994 08:49:37 GMT" },
		{ "Sun, 32 Nov 1994 08:49:37 GMT" },
		{ "Sun, 06 Nov 1994 24:49:37 GMT" },
		{ "Sun, 06 Nov 1994 08:60:37 GMT" },
		{ "Sun, 06 Nov 94 08:49:37 GMT" },
		{ "Sun,  06 Nov 1994 08:49:37 GMT" },
		/* the obsolete forms, each a little wrong */
		{ "Sun, 06-Nov-94 08:49:37 GMT" },		/* short day */
		{ "Sunday, 06-Nov-1994 08:49:37 GMT" },
		{ "Sunday, 6-Nov-94 08:49:37 GMT" },
		{ "Sunday, 06 Nov 94 08:49:37 GMT" },
		{ "Sunday, 06-Nov-94 08:49:37" },
		{ "Monday, 06-Nov-94 08:49:37 GMT" },		/* not a Monday */
		{ "Sun Nov 6 08:49:37 1994" },
		{ "Sun Nov  6 08:49:37 1994 " },
		{ "Sun Nov  6 08:49:37 94" },
		{ "Sun Nov 31 08:49:37 1994" },
		{ "Sat, 29 Feb 1900 00:00:00 GMT" },		/* not leap */
		{ "Tue, 14 Nov 2023 22:13:60 GMT" },
		{ "Xyz, 06 Nov 1994 08:49:37 GMT" },
		{ "Sun, 06 Nov 1994 08:49:3a GMT" },
		/* 29 bytes, but not 2DIGIT or 4DIGIT (RFC 9110 s5.6.7) */
		{ "Sun,  6 Nov 1994 08:49:37 GMT" },
		{ "Sun, 06 Nov 1994  8:49:37 GMT" },
		{ "Sun, 06 Nov 1994 08: 9:37 GMT" },
		{ "Sun, 06 Nov +994 08:49:37 GMT" },
		{ "Sun, 06 Nov 1994 08:49:37+GMT" },
	};

	return cr_make_param_array(struct bad_date, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_date *c, http_response, bad_dates)
{
	cr_assert_eq((long long)http_parse_date(c->s, strlen(c->s)), -1,
	    "\"%s\" parsed as %lld", c->s,
	    (long long)http_parse_date(c->s, strlen(c->s)));
}

/* -- JSON strings for the logs (jsonstr.h) ---------------------------------- */

static const char *
js(const char *s, size_t len, size_t cap)
{
	static char out[256];

	cr_assert_leq(cap, sizeof(out));
	(void)json_str(out, cap, s, len);
	return out;
}

Test(jsonstr, escapes_what_json_must)
{
	cr_assert_str_eq(js("plain", 5, 64), "\"plain\"");
	cr_assert_str_eq(js("a\"b\\c", 5, 64), "\"a\\\"b\\\\c\"");
	cr_assert_str_eq(js("\n\r\t\x01\x7f", 5, 64),
	    "\"\\n\\r\\t\\u0001\\u007f\"");
	cr_assert_str_eq(js("nul\0x", 5, 64), "\"nul\\u0000x\"");
}

/* Valid UTF-8 passes; what is not becomes the byte's code point, so the
   line stays JSON (and UTF-8) whatever a worker printed. */
Test(jsonstr, utf8_kept_and_garbage_escaped)
{
	cr_assert_str_eq(js("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, 64),
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	cr_assert_str_eq(js("\xff\xfe", 2, 64), "\"\\u00ff\\u00fe\"");
	/* A lead byte cut short, an overlong slash, a surrogate. */
	cr_assert_str_eq(js("\xc3", 1, 64), "\"\\u00c3\"");
	cr_assert_str_eq(js("\xc0\xaf", 2, 64), "\"\\u00c0\\u00af\"");
	cr_assert_str_eq(js("\xed\xa0\x80", 3, 64),
	    "\"\\u00ed\\u00a0\\u0080\"");
	cr_assert_str_eq(js("\xf4\x90\x80\x80", 4, 64),
	    "\"\\u00f4\\u0090\\u0080\\u0080\"", "beyond U+10FFFF");
}

/* Cut to fit at a whole character or escape, and always closed. */
Test(jsonstr, cut_whole_and_closed)
{
	cr_assert_str_eq(js("abcdef", 6, 6), "\"abc\"");
	cr_assert_str_eq(js("a\x01", 2, 8), "\"a\"", "half an escape kept");
	cr_assert_str_eq(js("a\xc3\xa9", 3, 5), "\"a\"", "half a character");
	cr_assert_str_eq(js("", 0, 3), "\"\"");
	cr_assert_eq(json_str((char[3]){ 0 }, 3, "xyz", 3), 2);
}
