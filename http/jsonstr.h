/* SPDX-License-Identifier: ISC */
/*
 * JSON strings for log lines (the error log's and the access log's
 * log_format = "json"): what a log collector parses must be JSON whatever
 * the bytes logged, so quotes, backslashes and control characters are
 * escaped, and a byte that is not part of valid UTF-8 is written as the
 * code point of the same number (\u00XX), never passed through.  No
 * allocation: the hot path of the access log uses it per request.
 */
#ifndef POOLD_JSONSTR_H
#define POOLD_JSONSTR_H

#include <stddef.h>

/* The most a string of n bytes can take escaped, quotes included. */
#define JSON_STR_MAX(n)	(6 * (n) + 2)

/*
 * s (len bytes) as a quoted JSON string into out (cap bytes, at least
 * 3), NUL-terminated; cut at a whole character or escape when it does
 * not fit, always closed.  Its length.
 */
size_t	 json_str(char *out, size_t cap, const char *s, size_t len);

#endif
