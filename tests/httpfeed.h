/* SPDX-License-Identifier: ISC */
/*
 * Feeding requests through the HTTP parser for the tests (httpfeed.c).
 */
#ifndef POOLD_HTTPFEED_H
#define POOLD_HTTPFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

enum hf_mode { HF_WHOLE, HF_BYTES, HF_RANDOM };

enum hf_stage { HF_SCAN = 1, HF_PARSE, HF_BODY, HF_DONE };

struct hf_outcome {
	int		status;		/* 0, or the negative status */
	int		stage;		/* where it ended (enum hf_stage) */
	bool		complete;	/* head and body complete */
	char		method[32];
	char		target[HTTP_LINE_MAX + 1];
	int		minor;
	size_t		nfields;
	int		framing;	/* enum http_body */
	uint64_t	body;		/* body bytes received */
	char		bodytext[256];	/* their start, NUL-terminated */
	uint32_t	bodyhash;	/* FNV-1a over all of them */
	bool		keepalive;
	bool		cont;
	bool		head;
	size_t		headlen;	/* what http_scan returned */
	size_t		consumed;	/* head + body, once complete */
};

const char	*hf_stage_name(int stage);
/* One request from buf[0..len), fed as mode says (seed: HF_RANDOM). */
void		 hf_run_mode(const char *buf, size_t len,
		    const struct http_limits *, enum hf_mode, uint32_t seed,
		    struct hf_outcome *);
/*
 * One request, fed whole, byte by byte and in random pieces, expecting
 * the same outcome every way; *o is the outcome of the whole feed.
 */
void		 hf_run_req(const char *what, const char *buf, size_t len,
		    const struct http_limits *, struct hf_outcome *o);

#endif
