/* SPDX-License-Identifier: ISC */
/*
 * HTTP/1.0 and 1.1 request parsing, strict (RFC 9110, 9112), for the
 * built-in workers.  No allocation, no I/O: the caller owns the buffer,
 * and every result points into it.
 *
 * Reading a request is three steps:
 *   1. http_scan() over the bytes as they arrive finds the end of the head
 *      and enforces the size limits and line endings before the head is
 *      complete, so a slow or hostile client is refused early;
 *   2. http_parse() parses the complete head and decides the framing;
 *   3. the body, by Content-Length or with http_chunked_feed().
 * Every error is an HTTP status to answer with before closing.
 */
#ifndef POOLD_HTTP_H
#define POOLD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HTTP_FIELDS_MAX		256	/* ceiling for limit_request_fields */
#define HTTP_LINE_MAX		8190	/* ceiling for limit_request_line */
#define HTTP_FIELD_SIZE_MAX	65536	/* ceiling for limit_request_field_size */

/* Gunicorn's names and defaults. */
struct http_limits {
	size_t		hl_line;	/* request line, CRLF excluded: 4094 */
	size_t		hl_fields;	/* header fields: 100 */
	size_t		hl_field_size;	/* one field line, CRLF included: 8190 */
	uint64_t	hl_body;	/* body bytes; 0: no limit */
};

void	 http_limits_default(struct http_limits *);

/* -- 1. finding the end of the head ---------------------------------------- */

struct http_scan {
	size_t		hs_off;		/* bytes examined so far */
	size_t		hs_line;	/* start of the current line */
	size_t		hs_lines;	/* complete lines so far */
};

/*
 * Examine buf[hs_off..len).  Returns the length of the head (through the
 * empty line) once complete, 0 if more bytes are needed, or -status:
 * -400 for a bare CR or LF or a NUL, -414 for a request line over the
 * limit, -431 for a field line over the limit or too many fields.
 */
long	 http_scan(struct http_scan *, const char *buf, size_t len,
	    const struct http_limits *);

/* -- 2. the head ------------------------------------------------------------ */

struct http_field {
	const char	*hf_name;
	size_t		 hf_nlen;
	const char	*hf_value;	/* without surrounding whitespace */
	size_t		 hf_vlen;
};

enum http_body {
	HTTP_BODY_NONE,
	HTTP_BODY_LENGTH,
	HTTP_BODY_CHUNKED,
};

struct http_request {
	const char		*rq_method;
	size_t			 rq_mlen;
	const char		*rq_target;
	size_t			 rq_tlen;
	int			 rq_minor;	/* HTTP/1.rq_minor */
	struct http_field	 rq_fields[HTTP_FIELDS_MAX];
	size_t			 rq_nfields;	/* kept fields (see http_parse) */
	enum http_body		 rq_body;
	uint64_t		 rq_length;	/* HTTP_BODY_LENGTH */
	bool			 rq_keepalive;	/* the client's wish */
	bool			 rq_continue;	/* Expect: 100-continue */
	bool			 rq_head;	/* HEAD: no body in the reply */
};

/*
 * Parse a complete head of len bytes (as http_scan() measured it).
 * 0, or -status: 400 malformed or ambiguous (a bad Host or target, two
 * Content-Types), 413 body over the limit, 431 more than HTTP_FIELDS_MAX
 * fields,
 * 417 an expectation other than 100-continue, 501 a transfer coding other
 * than chunked, 505 a version other than 1.0 and 1.1.  Fields whose names
 * contain '_' are dropped, as Gunicorn does: a proxy may have meant '-'.
 */
int	 http_parse(const char *head, size_t len, const struct http_limits *,
	    struct http_request *);

/* The first field named name (case-insensitive), or NULL. */
const struct http_field *http_field(const struct http_request *,
	    const char *name);

/* -- 3. chunked bodies -------------------------------------------------------- */

/* A byte-at-a-time state machine: no line is ever buffered. */
struct http_chunked {
	int		hc_state;
	uint64_t	hc_left;	/* size being read, or bytes left */
	uint64_t	hc_total;	/* data bytes so far */
	unsigned	hc_digits;	/* hex digits of the size line */
	size_t		hc_linelen;	/* extension or trailer line so far */
	size_t		hc_trailers;	/* trailer fields so far */
	char		hc_name[24];	/* trailer field name, lowercased */
	size_t		hc_namelen;
	bool		hc_quoted;	/* inside a quoted extension value */
	bool		hc_escape;	/* after a backslash in one */
};

enum {
	HTTP_CHUNK_AGAIN = 0,	/* all input consumed, body not complete */
	HTTP_CHUNK_DATA = 1,	/* *data, *dlen: body bytes in the input */
	HTTP_CHUNK_DONE = 2,	/* body and trailers complete */
};

void	 http_chunked_init(struct http_chunked *);
/*
 * Feed in[0..len).  Sets *used to the bytes consumed; returns one of the
 * above, or -400 for malformed framing or a forbidden trailer, -413 over
 * the body limit, -431 for too many or too long trailer fields.  Call
 * again with the rest of the input after HTTP_CHUNK_DATA.
 */
int	 http_chunked_feed(struct http_chunked *, const char *in, size_t len,
	    size_t *used, const char **data, size_t *dlen,
	    const struct http_limits *);

/* -- responses ---------------------------------------------------------------- */

/* The reason phrase for a status; "Unknown" for one we never send. */
const char	*http_reason(int status);
/* RFC 9110 IMF-fixdate for now, cached per second: 29 bytes plus NUL. */
const char	*http_date(void);
/*
 * A response head into buf (status line, Date, Server, Content-Type when
 * ctype is not NULL, Content-Length unless clen is HTTP_NO_LENGTH or the
 * status is 204, Connection, then extra: whole header lines, each ending
 * in CRLF, or NULL): its length, or 0 if it does not fit.
 */
#define HTTP_NO_LENGTH	UINT64_MAX
size_t	 http_head(char *buf, size_t len, int status, const char *ctype,
	    uint64_t clen, bool keepalive, int minor, const char *extra);
/* RFC 9110 IMF-fixdate of t into buf (at least 30 bytes). */
void	 http_fmt_date(time_t t, char *buf, size_t len);
/* An HTTP-date (IMF-fixdate, RFC 850 or asctime form) back to a time;
   -1 if it is not one. */
time_t	 http_parse_date(const char *s, size_t len);

#endif
