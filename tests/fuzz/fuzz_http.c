/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the HTTP request parser: the bytes are a stream
 * of pipelined requests.  Each is scanned, parsed and its body decoded,
 * once whole and once split at a point taken from the input; the two
 * must agree (status, bytes consumed), and every result must respect the
 * limits and point inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

struct outcome {
	long		status;		/* 0 ok, else negative */
	size_t		used;		/* bytes of the stream consumed */
	uint64_t	body;
};

static struct http_request rq;

/* One request from buf; split: how to cut the feed (0: whole). */
static struct outcome
one(const char *buf, size_t len, size_t split, const struct http_limits *l)
{
	struct outcome		o = { 0, 0, 0 };
	struct http_scan	sc = { 0, 0, 0 };
	struct http_chunked	ch;
	const char		*data;
	size_t			 used, dlen, off;
	long			 h = 0;
	int			 r;

	/* The head, fed in two pieces when split is inside it. */
	if (split > 0 && split < len)
		h = http_scan(&sc, buf, split, l);
	if (h == 0)
		h = http_scan(&sc, buf, len, l);
	if (h <= 0) {
		o.status = h < 0 ? h : -1;	/* -1: incomplete */
		return o;
	}
	if ((size_t)h > len)
		__builtin_trap();
	if ((r = http_parse(buf, (size_t)h, l, &rq)) != 0) {
		o.status = r;
		return o;
	}
	if (rq.rq_nfields > l->hl_fields || rq.rq_mlen == 0 ||
	    rq.rq_method < buf || rq.rq_target + rq.rq_tlen > buf + h)
		__builtin_trap();
	for (size_t i = 0; i < rq.rq_nfields; i++) {
		const struct http_field *f = &rq.rq_fields[i];
		if (f->hf_name < buf || f->hf_value + f->hf_vlen > buf + h)
			__builtin_trap();
	}
	off = (size_t)h;
	if (rq.rq_body == HTTP_BODY_LENGTH) {
		if (len - off < rq.rq_length) {
			o.status = -1;
			return o;
		}
		o.used = off + rq.rq_length;
		o.body = rq.rq_length;
		return o;
	}
	if (rq.rq_body == HTTP_BODY_CHUNKED) {
		http_chunked_init(&ch);
		for (;;) {
			/* Feed up to the split point first, then the rest. */
			size_t end = split > off && split < len ? split : len;
			r = http_chunked_feed(&ch, buf + off, end - off, &used,
			    &data, &dlen, l);
			if (r < 0) {
				o.status = r;
				return o;
			}
			if (used > end - off)
				__builtin_trap();
			if (r == HTTP_CHUNK_DATA) {
				if (data < buf + off || data + dlen > buf + end)
					__builtin_trap();
				o.body += dlen;
			}
			off += used;
			if (r == HTTP_CHUNK_DONE)
				break;
			if (r == HTTP_CHUNK_AGAIN && off == len) {
				o.status = -1;
				return o;
			}
		}
	}
	o.used = off;
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits	 l;
	const char		*buf;
	size_t			 off = 0, split;

	if (size < 2)
		return 0;
	http_limits_default(&l);
	l.hl_body = 1 << 20;
	/* The first byte picks where to split, the rest is the stream. */
	split = data[0];
	buf = (const char *)data + 1;
	size--;
	for (int n = 0; n < 8 && off < size; n++) {
		struct outcome a = one(buf + off, size - off, 0, &l);
		struct outcome b = one(buf + off, size - off, split, &l);
		if (a.status != b.status || a.used != b.used ||
		    a.body != b.body)
			__builtin_trap();	/* the split changed the result */
		if (a.status != 0 || a.used == 0)
			break;
		off += a.used;
	}
	return 0;
}
