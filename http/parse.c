/* SPDX-License-Identifier: ISC */
/*
 * The request head: finding its end (http_scan) and parsing it
 * (http_parse).  Strict by design: where RFC 9112 lets a server either
 * repair or reject, we reject, because every repair is a way for two
 * parsers on a request's path to disagree (request smuggling).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "http.h"

#define METHOD_MIN	3	/* Gunicorn's bounds, without its */
#define METHOD_MAX	20	/* permit_unconventional_http_method */
#define CL_DIGITS_MAX	18	/* < 2^63 whatever the digits */

void
http_limits_default(struct http_limits *l)
{
	l->hl_line = 4094;
	l->hl_fields = 100;
	l->hl_field_size = 8190;
	l->hl_body = 0;
}

/* RFC 9110 5.6.2 tchar. */
static bool
is_tchar(unsigned char c)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr(extra, c) != NULL;
}

/* A field value byte: VCHAR, obs-text, SP or HTAB (RFC 9110 5.5). */
static bool
is_vbyte(unsigned char c)
{
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

/* -- finding the end ---------------------------------------------------- */

/* One CRLF-terminated line of linelen bytes, ending at buf[i]. */
static long
scan_eol(struct http_scan *s, size_t i, const struct http_limits *l)
{
	size_t linelen = i - s->hs_line;

	if (s->hs_lines == 0 && linelen == 0 && s->hs_line == 0) {
		/* RFC 9112 2.2: one empty line before a request is
		   tolerated (clients that end a POST with an extra CRLF). */
		s->hs_line = i + 2;
		return 0;
	}
	if (s->hs_lines == 0) {
		if (linelen == 0)
			return -400;
		if (linelen > l->hl_line)
			return -414;
	} else if (linelen == 0) {
		return (long)(i + 2);		/* the empty line: done */
	} else if (linelen + 2 > l->hl_field_size || s->hs_lines > l->hl_fields)
		return -431;
	s->hs_lines++;
	s->hs_line = i + 2;
	return 0;
}

long
http_scan(struct http_scan *s, const char *buf, size_t len,
    const struct http_limits *l)
{
	long r;

	for (size_t i = s->hs_off; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\r') {
			if (i + 1 == len) {
				s->hs_off = i;		/* look again with more */
				return 0;
			}
			if (buf[i + 1] != '\n')
				return -400;		/* bare CR */
			if ((r = scan_eol(s, i, l)) != 0)
				return r;
			i++;
			continue;
		}
		if (c == '\n' || c == '\0')
			return -400;			/* bare LF, NUL */
		/* Refuse an overlong line before it is complete. */
		if (s->hs_lines == 0 ? i + 1 - s->hs_line > l->hl_line :
		    i + 1 - s->hs_line + 2 > l->hl_field_size)
			return s->hs_lines == 0 ? -414 : -431;
	}
	s->hs_off = len;
	return 0;
}

/* -- the request line --------------------------------------------------------- */

static int
parse_method(const char *p, size_t n)
{
	if (n < METHOD_MIN || n > METHOD_MAX)
		return -400;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		/* Lowercase and '#' are tokens, but Gunicorn refuses them by
		   default, and so do we: "get" is a typo or an attack. */
		if (!is_tchar(c) || (c >= 'a' && c <= 'z') || c == '#')
			return -400;
	}
	return 0;
}

static int
parse_version(const char *p, size_t n, int *minor)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
	    p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return -400;
	if (p[5] != '1' || (p[7] != '0' && p[7] != '1'))
		return -505;
	*minor = p[7] - '0';
	return 0;
}

/* RFC 3986 reg-name bytes: unreserved, pct-encoded, sub-delims. */
static bool
is_regname(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("-._~%!$&'()*+,;=", c) != NULL);
}

/*
 * host [":" port], as in Host and in absolute- and authority-form
 * targets.  No userinfo: RFC 9110 4.2.4 has http(s) URIs without it.
 */
static bool
valid_authority(const char *p, size_t n, bool need_port)
{
	size_t i = 0;

	if (n > 0 && p[0] == '[') {		/* IP-literal */
		for (i = 1; i < n && p[i] != ']'; i++) {
			if (!((p[i] >= '0' && p[i] <= '9') ||
			    (p[i] >= 'a' && p[i] <= 'f') ||
			    (p[i] >= 'A' && p[i] <= 'F') || p[i] == ':' ||
			    p[i] == '.'))
				return false;
		}
		if (i == n || i == 1)
			return false;
		i++;
	} else {
		while (i < n && p[i] != ':' && is_regname((unsigned char)p[i]))
			i++;
	}
	if (i == n)
		return !need_port;
	if (p[i] != ':' || i + 1 == n)
		return false;
	for (i++; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return true;
}

/* scheme "://" authority [ path-abempty ["?" query] ] */
static bool
is_absolute_form(const char *t, size_t n)
{
	size_t i = 0, a;

	if (n == 0 || !((t[0] >= 'a' && t[0] <= 'z') ||
	    (t[0] >= 'A' && t[0] <= 'Z')))
		return false;
	while (i < n && ((t[i] >= 'a' && t[i] <= 'z') ||
	    (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') ||
	    t[i] == '+' || t[i] == '-' || t[i] == '.'))
		i++;
	if (n - i <= 3 || memcmp(t + i, "://", 3) != 0)
		return false;
	a = i += 3;
	while (i < n && t[i] != '/' && t[i] != '?')
		i++;
	return i > a && valid_authority(t + a, i - a, false);
}

/* RFC 9112 3.2: which target forms a method may use. */
static int
check_target(const struct http_request *rq)
{
	const char	*t = rq->rq_target;
	size_t		 n = rq->rq_tlen;
	bool		 connect = rq->rq_mlen == 7 &&
			    memcmp(rq->rq_method, "CONNECT", 7) == 0;
	bool		 options = rq->rq_mlen == 7 &&
			    memcmp(rq->rq_method, "OPTIONS", 7) == 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		/* Raw bytes >= 0x80 are tolerated, as Gunicorn does; CTLs
		   and DEL are not. */
		if (c <= 0x20 || c == 0x7f)
			return -400;
	}
	if (connect)	/* authority-form only: host:port */
		return valid_authority(t, n, true) ? 0 : -400;
	if (n == 1 && t[0] == '*')
		return options ? 0 : -400;
	if (t[0] == '/' || is_absolute_form(t, n))
		return 0;
	return -400;
}

static int
parse_request_line(const char *p, size_t n, struct http_request *rq)
{
	const char	*sp1, *sp2;
	int		 r;

	if ((sp1 = memchr(p, ' ', n)) == NULL)
		return -400;
	if ((sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p))) == NULL)
		return -400;
	rq->rq_method = p;
	rq->rq_mlen = (size_t)(sp1 - p);
	rq->rq_target = sp1 + 1;
	rq->rq_tlen = (size_t)(sp2 - sp1 - 1);
	if ((r = parse_method(rq->rq_method, rq->rq_mlen)) != 0)
		return r;
	/* The version before the target's form, so that an HTTP/2 preface
	   ("PRI * HTTP/2.0") is told it has the wrong version. */
	if ((r = parse_version(sp2 + 1, n - (size_t)(sp2 + 1 - p),
	    &rq->rq_minor)) != 0)
		return r;
	if (rq->rq_tlen == 0)
		return -400;
	return check_target(rq);
}

/* -- fields -------------------------------------------------------------- */

static int
parse_field(const char *p, size_t n, struct http_request *rq)
{
	const char	*colon = memchr(p, ':', n), *v, *end = p + n;
	bool		 drop = false;

	if (n == 0 || p[0] == ' ' || p[0] == '\t')
		return -400;		/* obs-fold, refused */
	if (colon == NULL || colon == p)
		return -400;
	for (const char *q = p; q < colon; q++) {
		/* A space before the colon included: RFC 9112 5.1. */
		if (!is_tchar((unsigned char)*q))
			return -400;
		drop |= *q == '_';
	}
	for (v = colon + 1; v < end; v++) {
		if (!is_vbyte((unsigned char)*v))
			return -400;
	}
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (drop)
		return 0;
	/* http_scan keeps within the limit; a caller that did not must
	   not have framing fields silently ignored. */
	if (rq->rq_nfields == HTTP_FIELDS_MAX)
		return -431;
	rq->rq_fields[rq->rq_nfields++] = (struct http_field){
		.hf_name = p, .hf_nlen = (size_t)(colon - p),
		.hf_value = v, .hf_vlen = (size_t)(end - v),
	};
	return 0;
}

static bool
name_is(const struct http_field *f, const char *name)
{
	return f->hf_nlen == strlen(name) &&
	    strncasecmp(f->hf_name, name, f->hf_nlen) == 0;
}

const struct http_field *
http_field(const struct http_request *rq, const char *name)
{
	for (size_t i = 0; i < rq->rq_nfields; i++) {
		if (name_is(&rq->rq_fields[i], name))
			return &rq->rq_fields[i];
	}
	return NULL;
}

/* -- what the fields mean ------------------------------------------------------ */

/* Calls fn on each element of a comma-separated list, OWS trimmed. */
static int
each_element(const struct http_field *f,
    int (*fn)(const char *, size_t, void *), void *arg)
{
	const char	*p = f->hf_value, *end = p + f->hf_vlen;
	int		 r;

	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end, *s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s && (r = fn(s, (size_t)(e - s), arg)) != 0)
			return r;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

struct te_state {
	bool	chunked;	/* "chunked" seen (it must be last) */
	bool	other;		/* a coding we do not implement */
};

static int
te_element(const char *s, size_t n, void *arg)
{
	struct te_state *te = arg;

	if (te->chunked)
		return -400;	/* anything after chunked, or it twice */
	if (n == 7 && strncasecmp(s, "chunked", 7) == 0)
		te->chunked = true;
	else
		te->other = true;
	return 0;
}

static int
conn_element(const char *s, size_t n, void *arg)
{
	int *ka = arg;

	if (n == 5 && strncasecmp(s, "close", 5) == 0)
		*ka = 0;
	else if (n == 10 && strncasecmp(s, "keep-alive", 10) == 0 && *ka != 0)
		*ka = 1;
	return 0;
}

static int
parse_length(const struct http_field *f, uint64_t *out)
{
	uint64_t v = 0;

	if (f->hf_vlen == 0 || f->hf_vlen > CL_DIGITS_MAX)
		return -400;
	for (size_t i = 0; i < f->hf_vlen; i++) {
		if (f->hf_value[i] < '0' || f->hf_value[i] > '9')
			return -400;	/* signs, lists "5, 5", spaces */
		v = v * 10 + (uint64_t)(f->hf_value[i] - '0');
	}
	*out = v;
	return 0;
}

static int
framing(struct http_request *rq, const struct http_limits *l)
{
	struct te_state		 te = { false, false };
	const struct http_field	*cl = NULL;
	bool			 has_te = false;
	int			 r;

	for (size_t i = 0; i < rq->rq_nfields; i++) {
		const struct http_field *f = &rq->rq_fields[i];
		if (name_is(f, "content-length")) {
			if (cl != NULL)
				return -400;	/* even when equal: strict */
			cl = f;
		} else if (name_is(f, "transfer-encoding")) {
			has_te = true;
			if ((r = each_element(f, te_element, &te)) != 0)
				return r;
		}
	}
	if (has_te) {
		/* RFC 9112 6.1: TE and CL together is how smuggling
		   starts; TE is 1.1 only; chunked must come last. */
		if (cl != NULL || rq->rq_minor == 0 || !te.chunked)
			return -400;
		if (te.other)
			return -501;
		rq->rq_body = HTTP_BODY_CHUNKED;
		return 0;
	}
	if (cl != NULL) {
		if ((r = parse_length(cl, &rq->rq_length)) != 0)
			return r;
		if (l->hl_body != 0 && rq->rq_length > l->hl_body)
			return -413;
		rq->rq_body = rq->rq_length > 0 ? HTTP_BODY_LENGTH :
		    HTTP_BODY_NONE;
	}
	return 0;
}

static int
semantics(struct http_request *rq, const struct http_limits *l)
{
	int	ka = rq->rq_minor == 1 ? 2 : -1;	/* 2: default on */
	size_t	hosts = 0, ctypes = 0;
	int	r;

	for (size_t i = 0; i < rq->rq_nfields; i++) {
		const struct http_field *f = &rq->rq_fields[i];
		if (name_is(f, "host")) {
			if (++hosts == 1 && !valid_authority(f->hf_value,
			    f->hf_vlen, false))
				return -400;
		} else if (name_is(f, "content-type") && ++ctypes > 1)
			return -400;	/* two bodies' worth of meaning */
		else if (name_is(f, "connection"))
			each_element(f, conn_element, &ka);
		else if (name_is(f, "expect") && rq->rq_minor == 1) {
			if (f->hf_vlen != 12 ||
			    strncasecmp(f->hf_value, "100-continue", 12) != 0)
				return -417;
			rq->rq_continue = true;
		}
	}
	/* RFC 9112 3.2: exactly one Host in 1.1, at most one in 1.0. */
	if (hosts > 1 || (rq->rq_minor == 1 && hosts == 0))
		return -400;
	rq->rq_keepalive = ka > 0;
	rq->rq_head = rq->rq_mlen == 4 && memcmp(rq->rq_method, "HEAD", 4) == 0;
	if ((r = framing(rq, l)) != 0)
		return r;
	return 0;
}

int
http_parse(const char *head, size_t len, const struct http_limits *l,
    struct http_request *rq)
{
	const char	*p = head, *end = head + len, *eol;
	int		 r;

	rq->rq_nfields = 0;
	rq->rq_body = HTTP_BODY_NONE;
	rq->rq_length = 0;
	rq->rq_continue = rq->rq_head = false;
	if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;		/* the one tolerated empty line */
	if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
		return -400;
	if ((r = parse_request_line(p, (size_t)(eol - p), rq)) != 0)
		return r;
	for (p = eol + 2; p < end; p = eol + 2) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			return -400;
		if (eol == p)
			break;		/* the empty line */
		if ((r = parse_field(p, (size_t)(eol - p), rq)) != 0)
			return r;
	}
	return semantics(rq, l);
}
