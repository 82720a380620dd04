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

const char *
http_date(void)
{
	static char	buf[32];
	static time_t	last = -1;
	time_t		now = time(NULL);
	struct tm	tm;

	if (now != last && gmtime_r(&now, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm) != 0)
		last = now;
	return buf;
}

size_t
http_head(char *buf, size_t len, int status, const char *ctype,
    uint64_t clen, bool keepalive, int minor)
{
	int n;

	n = snprintf(buf, len,
	    "HTTP/1.%d %d %s\r\n"
	    "Server: poold\r\n"
	    "Date: %s\r\n"
	    "%s%s%s"
	    "Content-Length: %" PRIu64 "\r\n"
	    "%s"
	    "\r\n",
	    minor == 0 ? 0 : 1, status, http_reason(status), http_date(),
	    ctype ? "Content-Type: " : "", ctype ? ctype : "",
	    ctype ? "\r\n" : "", clen,
	    !keepalive ? "Connection: close\r\n" :
	    minor == 0 ? "Connection: keep-alive\r\n" : "");
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}
