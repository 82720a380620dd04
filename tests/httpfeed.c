/* SPDX-License-Identifier: ISC */
/*
 * Feeding requests through the parser for the tests: http_scan as the
 * bytes arrive, http_parse, then the body, checking every result against
 * the contract of http/http.h.  Shared by test_http.c and
 * test_http_corpus.c.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpfeed.h"

const char *
hf_stage_name(int stage)
{
	static const char *const names[] = {
		"?", "http_scan", "http_parse", "body", "done"
	};

	return stage >= HF_SCAN && stage <= HF_DONE ? names[stage] : "?";
}



struct feeder {
	enum hf_mode	mode;
	uint32_t	rng;
};

static size_t
next_piece(struct feeder *f, size_t left)
{
	size_t	n;

	switch (f->mode) {
	case HF_WHOLE:
		return left;
	case HF_BYTES:
		return left ? 1 : 0;
	case HF_RANDOM:
	default:
		f->rng = f->rng * 1103515245u + 12345u;
		n = 1 + (f->rng >> 16) % 23;
		return n < left ? n : left;
	}
}

static bool
known_status(int st)
{
	switch (st) {
	case -400: case -413: case -414: case -417: case -431: case -501:
	case -505:
		return true;
	default:
		return false;
	}
}

static void
copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void
body_bytes(struct hf_outcome *o, const char *p, size_t n)
{
	size_t	i, have = strlen(o->bodytext);

	for (i = 0; i < n; i++) {
		o->bodyhash = (o->bodyhash ^ (unsigned char)p[i]) * 16777619u;
		if (have + 1 < sizeof(o->bodytext))
			o->bodytext[have++] = p[i];
	}
	o->bodytext[have] = '\0';
	o->body += n;
}

void
hf_run_mode(const char *buf, size_t len, const struct http_limits *lim,
    enum hf_mode mode, uint32_t seed, struct hf_outcome *o)
{
	struct feeder		f = { mode, seed };
	struct http_scan	sc;
	struct http_request	*rq;
	struct http_chunked	hc;
	size_t			avail = 0, pos, end, used, dlen, rounds;
	const char		*data;
	long			h = 0;
	int			rc;

	memset(o, 0, sizeof(*o));
	o->bodyhash = 2166136261u;
	o->stage = HF_SCAN;

	/* 1. the head, as the bytes arrive */
	memset(&sc, 0, sizeof(sc));
	for (;;) {
		if (avail == len)
			return;			/* incomplete head */
		avail += next_piece(&f, len - avail);
		h = http_scan(&sc, buf, avail, lim);
		if (h < 0) {
			cr_assert(known_status((int)h),
			    "http_scan returned %ld", h);
			o->status = (int)h;
			return;
		}
		if (h > 0)
			break;
	}
	cr_assert_leq((size_t)h, avail, "http_scan: head %ld > %zu bytes",
	    h, avail);
	cr_assert_geq(h, 4, "http_scan: head of %ld bytes", h);
	cr_assert(memcmp(buf + h - 4, "\r\n\r\n", 4) == 0,
	    "http_scan: the head does not end with an empty line");
	o->headlen = (size_t)h;

	/* 2. parse it; junk first, so nothing is left unset by luck */
	o->stage = HF_PARSE;
	rq = malloc(sizeof(*rq));
	cr_assert_not_null(rq);
	memset(rq, 0xa5, sizeof(*rq));
	rc = http_parse(buf, (size_t)h, lim, rq);
	if (rc != 0) {
		cr_assert(known_status(rc), "http_parse returned %d", rc);
		o->status = rc;
		free(rq);
		return;
	}
	cr_assert(rq->rq_method >= buf && rq->rq_method + rq->rq_mlen <=
	    buf + h, "rq_method does not point into the head");
	cr_assert(rq->rq_target >= buf && rq->rq_target + rq->rq_tlen <=
	    buf + h, "rq_target does not point into the head");
	cr_assert_leq(rq->rq_nfields, HTTP_FIELDS_MAX);
	copy_str(o->method, sizeof(o->method), rq->rq_method, rq->rq_mlen);
	copy_str(o->target, sizeof(o->target), rq->rq_target, rq->rq_tlen);
	o->minor = rq->rq_minor;
	o->nfields = rq->rq_nfields;
	o->framing = (int)rq->rq_body;
	o->keepalive = rq->rq_keepalive;
	o->cont = rq->rq_continue;
	o->head = rq->rq_head;

	/* 3. the body */
	o->stage = HF_BODY;
	switch (rq->rq_body) {
	case HTTP_BODY_NONE:
		o->complete = true;
		o->consumed = (size_t)h;
		break;
	case HTTP_BODY_LENGTH:
		if (len - (size_t)h >= rq->rq_length) {
			body_bytes(o, buf + h, (size_t)rq->rq_length);
			o->complete = true;
			o->consumed = (size_t)h + (size_t)rq->rq_length;
		} else
			body_bytes(o, buf + h, len - (size_t)h);
		break;
	case HTTP_BODY_CHUNKED:
		http_chunked_init(&hc);
		pos = end = (size_t)h;
		for (rounds = 0;; rounds++) {
			cr_assert_lt(rounds, 4 * len + 16,
			    "http_chunked_feed makes no progress");
			if (pos == end) {
				if (end == len)
					break;		/* incomplete */
				end += next_piece(&f, len - end);
			}
			used = (size_t)-1;
			data = NULL;
			dlen = 0;
			rc = http_chunked_feed(&hc, buf + pos, end - pos, &used,
			    &data, &dlen, lim);
			if (rc < 0) {
				cr_assert(known_status(rc),
				    "http_chunked_feed returned %d", rc);
				o->status = rc;
				break;
			}
			cr_assert_leq(used, end - pos,
			    "http_chunked_feed used %zu of %zu bytes", used,
			    end - pos);
			if (rc == HTTP_CHUNK_DATA) {
				cr_assert_gt(dlen, 0,
				    "HTTP_CHUNK_DATA, 0 bytes");
				cr_assert(data >= buf + pos &&
				    data + dlen <= buf + pos + used,
				    "chunk data outside the consumed input");
				body_bytes(o, data, dlen);
				pos += used;
			} else if (rc == HTTP_CHUNK_AGAIN) {
				cr_assert_eq(used, end - pos,
				    "HTTP_CHUNK_AGAIN, %zu of %zu bytes used",
				    used, end - pos);
				pos += used;
			} else if (rc == HTTP_CHUNK_DONE) {
				pos += used;
				cr_assert_eq(hc.hc_total, o->body,
				    "hc_total %llu, data bytes %llu",
				    (unsigned long long)hc.hc_total,
				    (unsigned long long)o->body);
				o->complete = true;
				o->consumed = pos;
				break;
			} else
				cr_assert_fail("http_chunked_feed returned %d",
				    rc);
		}
		break;
	default:
		cr_assert_fail("rq_body is %d", (int)rq->rq_body);
	}
	if (o->complete && o->status == 0)
		o->stage = HF_DONE;
	free(rq);
}

static const char *
mode_name(enum hf_mode mode, uint32_t seed, char *buf, size_t size)
{
	if (mode == HF_WHOLE)
		return "whole";
	if (mode == HF_BYTES)
		return "byte by byte";
	snprintf(buf, size, "random pieces (seed %u)", (unsigned)seed);
	return buf;
}

/* Feeding in pieces gives what feeding at once gave. */
static void
expect_same(const char *what, const struct hf_outcome *a,
    const struct hf_outcome *b, const char *how)
{
	cr_expect_eq(a->status, b->status, "%s: status %d whole, %d %s",
	    what, a->status, b->status, how);
	cr_expect_eq(a->stage, b->stage, "%s: ends in %s whole, in %s %s",
	    what, hf_stage_name(a->stage), hf_stage_name(b->stage), how);
	cr_expect_eq(a->complete, b->complete, "%s: complete %d whole, %d %s",
	    what, a->complete, b->complete, how);
	cr_expect_str_eq(a->method, b->method, "%s: method differs %s", what,
	    how);
	cr_expect_str_eq(a->target, b->target, "%s: target differs %s", what,
	    how);
	cr_expect_eq(a->minor, b->minor, "%s: minor differs %s", what, how);
	cr_expect_eq(a->nfields, b->nfields, "%s: nfields %zu whole, %zu %s",
	    what, a->nfields, b->nfields, how);
	cr_expect_eq(a->body, b->body, "%s: body %llu whole, %llu %s", what,
	    (unsigned long long)a->body, (unsigned long long)b->body, how);
	cr_expect_eq(a->bodyhash, b->bodyhash, "%s: body bytes differ %s",
	    what, how);
	cr_expect_eq(a->keepalive, b->keepalive, "%s: keepalive differs %s",
	    what, how);
	cr_expect_eq(a->cont, b->cont, "%s: continue differs %s", what, how);
	cr_expect_eq(a->headlen, b->headlen, "%s: head %zu whole, %zu %s",
	    what, a->headlen, b->headlen, how);
	cr_expect_eq(a->consumed, b->consumed,
	    "%s: consumed %zu whole, %zu %s", what, a->consumed, b->consumed,
	    how);
}

void
hf_run_req(const char *what, const char *buf, size_t len,
    const struct http_limits *lim, struct hf_outcome *o)
{
	static const uint32_t	seeds[] = { 1, 7, 20240601 };
	struct hf_outcome		*other;
	char			how[64];
	size_t			i;

	other = malloc(sizeof(*other));
	cr_assert_not_null(other);
	hf_run_mode(buf, len, lim, HF_WHOLE, 0, o);
	hf_run_mode(buf, len, lim, HF_BYTES, 0, other);
	expect_same(what, o, other, mode_name(HF_BYTES, 0, how,
	    sizeof(how)));
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		hf_run_mode(buf, len, lim, HF_RANDOM, seeds[i], other);
		expect_same(what, o, other, mode_name(HF_RANDOM, seeds[i],
		    how, sizeof(how)));
	}
	free(other);
}
