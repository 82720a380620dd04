/* SPDX-License-Identifier: ISC */
/*
 * The chunked transfer coding (RFC 9112 7.1), decoded one byte at a time
 * so that no line is ever buffered and any split of the input gives the
 * same result.  Data bytes are handed back in place, never copied.
 */
#include "config.h"

#include <string.h>

#include "http.h"

#define SIZE_DIGITS_MAX	15	/* < 2^60: no overflow, far past any limit */
#define EXT_MAX		4096	/* bytes of extensions per chunk */

enum {
	CS_SIZE_FIRST,	/* the first hex digit of a size */
	CS_SIZE,	/* more hex digits */
	CS_SIZE_BWS,	/* whitespace after the size: ';' must follow */
	CS_EXT,		/* chunk extensions, up to CR */
	CS_SIZE_LF,
	CS_DATA,
	CS_DATA_CR,
	CS_DATA_LF,
	CS_TRAILER,	/* start of a trailer line, or the final CRLF */
	CS_TNAME,
	CS_TVALUE,
	CS_TRAILER_LF,
	CS_FINAL_LF,
	CS_DONE,
};

void
http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->hc_state = CS_SIZE_FIRST;
}

static int
hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool
tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') ||
	    (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/*
 * Fields that must not appear in a trailer (RFC 9110 6.5.1): framing and
 * routing, whose late arrival could change how the message is read.
 */
static bool
forbidden_trailer(const struct http_chunked *c)
{
	static const char *const names[] = {
		"content-length", "transfer-encoding", "host", "trailer",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (c->hc_namelen == strlen(names[i]) &&
		    memcmp(c->hc_name, names[i], c->hc_namelen) == 0)
			return true;
	}
	return false;
}

/* The end of a size line: a chunk of hc_left bytes follows, or the end. */
static int
size_done(struct http_chunked *c, const struct http_limits *l)
{
	if (c->hc_left == 0) {
		c->hc_state = CS_TRAILER;
		return 0;
	}
	if (l->hl_body != 0 && c->hc_total + c->hc_left > l->hl_body)
		return -413;
	c->hc_state = CS_DATA;
	return 0;
}

/* One byte of a size line. */
static int
size_byte(struct http_chunked *c, unsigned char ch)
{
	int h = hexval(ch);

	switch (c->hc_state) {
	case CS_SIZE_FIRST:
		if (h < 0)
			return -400;	/* empty size, sign, space */
		c->hc_left = (uint64_t)h;
		c->hc_digits = 1;
		c->hc_state = CS_SIZE;
		return 0;
	case CS_SIZE:
		if (h >= 0) {
			if (++c->hc_digits > SIZE_DIGITS_MAX)
				return -400;
			c->hc_left = c->hc_left * 16 + (uint64_t)h;
			return 0;
		}
		if (ch == '\r')
			c->hc_state = CS_SIZE_LF;
		else if (ch == ';')
			c->hc_state = CS_EXT;
		else if (ch == ' ' || ch == '\t')
			c->hc_state = CS_SIZE_BWS;
		else
			return -400;
		c->hc_linelen = 0;
		return 0;
	case CS_SIZE_BWS:
		if (ch == ';')
			c->hc_state = CS_EXT;
		else if (ch != ' ' && ch != '\t')
			return -400;
		return 0;
	}
	return -400;
}

/*
 * Extensions are checked for their bytes, not their grammar: we ignore
 * them, and what matters is that they cannot hide a line end.
 */
static int
ext_byte(struct http_chunked *c, unsigned char ch)
{
	if (++c->hc_linelen > EXT_MAX)
		return -400;
	if (c->hc_escape) {
		c->hc_escape = false;
		return ch == '\t' || ch >= 0x20 ? 0 : -400;
	}
	if (c->hc_quoted && ch == '\\') {
		c->hc_escape = true;
		return 0;
	}
	if (ch == '"') {
		c->hc_quoted = !c->hc_quoted;
		return 0;
	}
	if (ch == '\r' && !c->hc_quoted) {
		c->hc_state = CS_SIZE_LF;
		return 0;
	}
	if (ch == '\t' || ch == ' ' || (ch >= 0x21 && ch != 0x7f))
		return 0;
	return -400;
}

static int
trailer_byte(struct http_chunked *c, unsigned char ch,
    const struct http_limits *l)
{
	switch (c->hc_state) {
	case CS_TRAILER:
		if (ch == '\r') {
			c->hc_state = CS_FINAL_LF;
			return 0;
		}
		if (++c->hc_trailers > l->hl_fields)
			return -431;
		c->hc_namelen = c->hc_linelen = 0;
		c->hc_state = CS_TNAME;
		/* FALLTHROUGH */
	case CS_TNAME:
		if (++c->hc_linelen + 2 > l->hl_field_size)
			return -431;
		if (ch == ':') {
			if (c->hc_linelen == 1 || forbidden_trailer(c))
				return -400;
			c->hc_state = CS_TVALUE;
			return 0;
		}
		if (!tchar(ch))
			return -400;	/* obs-fold, space before ':' */
		if (c->hc_namelen < sizeof(c->hc_name))
			c->hc_name[c->hc_namelen++] = (char)(ch >= 'A' &&
			    ch <= 'Z' ? ch + 32 : ch);
		else
			c->hc_namelen = sizeof(c->hc_name) + 1; /* no match */
		return 0;
	case CS_TVALUE:
		if (++c->hc_linelen + 2 > l->hl_field_size)
			return -431;
		if (ch == '\r')
			c->hc_state = CS_TRAILER_LF;
		else if (!(ch == ' ' || ch == '\t' || (ch >= 0x21 &&
		    ch != 0x7f)))
			return -400;
		return 0;
	}
	return -400;
}

static int
lf_byte(struct http_chunked *c, unsigned char ch, const struct http_limits *l)
{
	if (ch != '\n')
		return -400;
	switch (c->hc_state) {
	case CS_SIZE_LF:
		return size_done(c, l);
	case CS_DATA_LF:
		c->hc_state = CS_SIZE_FIRST;
		return 0;
	case CS_TRAILER_LF:
		c->hc_state = CS_TRAILER;
		return 0;
	case CS_FINAL_LF:
		c->hc_state = CS_DONE;
		return 0;
	}
	return -400;
}

int
http_chunked_feed(struct http_chunked *c, const char *in, size_t len,
    size_t *used, const char **data, size_t *dlen,
    const struct http_limits *l)
{
	size_t	i = 0;
	int	r = 0;

	while (i < len && c->hc_state != CS_DONE) {
		unsigned char ch = (unsigned char)in[i];

		if (c->hc_state == CS_DATA) {
			size_t n = len - i < c->hc_left ? len - i :
			    (size_t)c->hc_left;
			*data = in + i;
			*dlen = n;
			c->hc_left -= n;
			c->hc_total += n;
			if (c->hc_left == 0)
				c->hc_state = CS_DATA_CR;
			*used = i + n;
			return HTTP_CHUNK_DATA;
		}
		switch (c->hc_state) {
		case CS_SIZE_FIRST:
		case CS_SIZE:
		case CS_SIZE_BWS:
			r = size_byte(c, ch);
			break;
		case CS_EXT:
			r = ext_byte(c, ch);
			break;
		case CS_DATA_CR:
			r = ch == '\r' ? 0 : -400;
			c->hc_state = CS_DATA_LF;
			break;
		case CS_TRAILER:
		case CS_TNAME:
		case CS_TVALUE:
			r = trailer_byte(c, ch, l);
			break;
		default:
			r = lf_byte(c, ch, l);
			break;
		}
		if (r != 0)
			return r;
		i++;
	}
	*used = i;
	return c->hc_state == CS_DONE ? HTTP_CHUNK_DONE : HTTP_CHUNK_AGAIN;
}
