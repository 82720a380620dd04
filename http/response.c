/*
 * Response heads.  The Date is formatted once per second, not per request.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

const char *
http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

#define IMF_FIXDATE	"%a, %d %b %Y %H:%M:%S GMT"

/* The C locale is assumed: the worker never calls setlocale(). */
void
http_fmt_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, IMF_FIXDATE, &tm) == 0)
		snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 GMT");
}

time_t
http_parse_date(const char *s, size_t len)
{
	char		 buf[64];
	struct tm	 tm;
	const char	*end;

	if (len != 29)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	time_t	t;
	char	back[32];

	if ((end = strptime(buf, IMF_FIXDATE, &tm)) == NULL || *end != '\0')
		return -1;
	/* strptime is lenient about spaces and digits: only a date that
	   formats back to the same bytes is an IMF-fixdate. */
	t = timegm(&tm);
	http_fmt_date(t, back, sizeof(back));
	return strcmp(back, buf) == 0 ? t : -1;
}

const char *
http_date(void)
{
	/* Per thread: the gthread worker formats from several at once. */
	static _Thread_local char	buf[32];
	static _Thread_local time_t	last = -1;
	time_t		now = time(NULL);

	if (now != last) {
		http_fmt_date(now, buf, sizeof(buf));
		last = now;
	}
	return buf;
}

size_t
http_head(char *buf, size_t len, int status, const char *ctype,
    uint64_t clen, bool keepalive, int minor, const char *extra)
{
	int n;

	n = snprintf(buf, len,
	    "HTTP/1.%d %d %s\r\n"
	    "Server: poold\r\n"
	    "Date: %s\r\n"
	    "%s%s%s"
	    "Content-Length: %" PRIu64 "\r\n"
	    "%s%s"
	    "\r\n",
	    minor == 0 ? 0 : 1, status, http_reason(status), http_date(),
	    ctype ? "Content-Type: " : "", ctype ? ctype : "",
	    ctype ? "\r\n" : "", clen,
	    !keepalive ? "Connection: close\r\n" :
	    minor == 0 ? "Connection: keep-alive\r\n" : "",
	    extra ? extra : "");
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}
