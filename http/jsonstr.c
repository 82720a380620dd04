/* SPDX-License-Identifier: ISC */
/* JSON strings for log lines (jsonstr.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

/* The length of the valid UTF-8 sequence at s (1-4), or 0 if there is
   none there (overlong, a surrogate, beyond U+10FFFF, cut short). */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t	n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* One character's escaped form into e; its length. */
static size_t
escape(const unsigned char *s, size_t left, char *e, size_t *used)
{
	size_t n = utf8_len(s, left);

	*used = n == 0 ? 1 : n;
	switch (s[0]) {
	case '"': memcpy(e, "\\\"", 2); return 2;
	case '\\': memcpy(e, "\\\\", 2); return 2;
	case '\n': memcpy(e, "\\n", 2); return 2;
	case '\r': memcpy(e, "\\r", 2); return 2;
	case '\t': memcpy(e, "\\t", 2); return 2;
	}
	if (s[0] < 0x20 || s[0] == 0x7f || n == 0)
		return (size_t)snprintf(e, 7, "\\u%04x", s[0]);
	memcpy(e, s, n);
	return n;
}

size_t
json_str(char *out, size_t cap, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 e[8];
	size_t			 n = 0, used, elen;

	out[n++] = '"';
	for (size_t i = 0; i < len; i += used) {
		elen = escape(u + i, len - i, e, &used);
		if (n + elen + 2 > cap)		/* the quote and the NUL */
			break;
		memcpy(out + n, e, elen);
		n += elen;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}
