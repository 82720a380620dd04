/* SPDX-License-Identifier: ISC */
/*
 * Response heads, and dates.  The Date is formatted once per second, not
 * per request.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

/*
 * RFC 9110's phrases, for poold's own statuses and those an app module
 * may send.  Another status gets an empty phrase, which RFC 9112's
 * status line allows and clients ignore.
 */
const char *
http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "";
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

/*
 * Dates in requests (If-Modified-Since).  RFC 9110 s5.6.7 bids recipients
 * accept all three forms: IMF-fixdate, the obsolete RFC 850 form and
 * asctime's.  Each is parsed by hand and strictly (strptime takes spaces
 * and digit counts loosely), then checked against the calendar, the day
 * of the week included.
 */
static const char *const day_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday",
};
static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* n digits at s (a leading space too if lead_sp), or -1. */
static int
num(const char *s, size_t n, bool lead_sp)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (i == 0 && lead_sp && s[i] == ' ' && n > 1)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
month_of(const char *s)
{
	for (int m = 0; m < 12; m++)
		if (memcmp(s, month_names + 3 * m, 3) == 0)
			return m;
	return -1;
}

/* "HH:MM:SS" into tm; false if it is not that. */
static bool
clock_of(const char *s, struct tm *tm)
{
	if (s[2] != ':' || s[5] != ':')
		return false;
	tm->tm_hour = num(s, 2, false);
	tm->tm_min = num(s + 3, 2, false);
	tm->tm_sec = num(s + 6, 2, false);
	return tm->tm_hour >= 0 && tm->tm_min >= 0 && tm->tm_sec >= 0;
}

/* The weekday name at s, of n letters (3, or the full name): its index. */
static int
wday_of(const char *s, size_t n)
{
	for (int d = 0; d < 7; d++)
		if ((n == 3 || n == strlen(day_names[d])) &&
		    memcmp(s, day_names[d], n) == 0)
			return d;
	return -1;
}

/* Sun, 06 Nov 1994 08:49:37 GMT */
static bool
imf_fixdate(const char *s, size_t len, struct tm *tm)
{
	if (len != 29 || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || memcmp(s + 25, " GMT", 4) != 0)
		return false;
	tm->tm_wday = wday_of(s, 3);
	tm->tm_mday = num(s + 5, 2, false);
	tm->tm_mon = month_of(s + 8);
	tm->tm_year = num(s + 12, 4, false) - 1900;
	return clock_of(s + 17, tm);
}

/*
 * Sunday, 06-Nov-94 08:49:37 GMT.  A two-digit year more than 50 years
 * ahead of now is the latest past year with those digits (RFC 9110).
 */
static bool
rfc850_date(const char *s, size_t len, struct tm *tm, time_t now)
{
	const char	*comma = memchr(s, ',', len);
	size_t		 n = comma == NULL ? 0 : (size_t)(comma - s);
	struct tm	 nt;
	int		 yy, year;

	if (n < 6 || n > 9 || len != n + 24 || comma[1] != ' ' ||
	    comma[4] != '-' || comma[8] != '-' || comma[11] != ' ' ||
	    memcmp(comma + 20, " GMT", 4) != 0 || gmtime_r(&now, &nt) == NULL)
		return false;
	tm->tm_wday = wday_of(s, n);
	tm->tm_mday = num(comma + 2, 2, false);
	tm->tm_mon = month_of(comma + 5);
	if ((yy = num(comma + 9, 2, false)) < 0)
		return false;
	year = (nt.tm_year + 1900) / 100 * 100 + yy;
	if (year > nt.tm_year + 1900 + 50)
		year -= 100;
	tm->tm_year = year - 1900;
	return clock_of(comma + 12, tm);
}

/* Sun Nov  6 08:49:37 1994 */
static bool
asctime_date(const char *s, size_t len, struct tm *tm)
{
	if (len != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' ||
	    s[19] != ' ')
		return false;
	tm->tm_wday = wday_of(s, 3);
	tm->tm_mon = month_of(s + 4);
	tm->tm_mday = num(s + 8, 2, true);
	tm->tm_year = num(s + 20, 4, false) - 1900;
	return clock_of(s + 11, tm);
}

time_t
http_parse_date(const char *s, size_t len)
{
	struct tm	tm, want, back;
	time_t		t;

	memset(&tm, 0, sizeof(tm));
	if (!imf_fixdate(s, len, &tm) &&
	    !rfc850_date(s, len, &tm, time(NULL)) &&
	    !asctime_date(s, len, &tm))
		return -1;
	if (tm.tm_wday < 0 || tm.tm_mon < 0 || tm.tm_mday < 1 ||
	    tm.tm_year < 0 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59)
		return -1;
	/* timegm folds 31 Nov into 1 Dec (in its argument too): a date
	   that does not come back the same, weekday included, was not a
	   date. */
	want = tm;
	t = timegm(&tm);
	if (t == -1 || gmtime_r(&t, &back) == NULL ||
	    back.tm_mday != want.tm_mday || back.tm_mon != want.tm_mon ||
	    back.tm_year != want.tm_year || back.tm_wday != want.tm_wday ||
	    back.tm_hour != want.tm_hour || back.tm_min != want.tm_min ||
	    back.tm_sec != want.tm_sec)
		return -1;
	return t;
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
	char	cl[48] = "";
	int	n;

	/* RFC 9110 8.6: never in a 204; in a 304 only the length a 200
	   would have, which only the caller can know. */
	if (clen != HTTP_NO_LENGTH && status != 204)
		snprintf(cl, sizeof(cl), "Content-Length: %" PRIu64 "\r\n",
		    clen);
	n = snprintf(buf, len,
	    "HTTP/1.%d %d %s\r\n"
	    "Server: poold\r\n"
	    "Date: %s\r\n"
	    "%s%s%s"
	    "%s"
	    "%s%s"
	    "\r\n",
	    minor == 0 ? 0 : 1, status, http_reason(status), http_date(),
	    ctype ? "Content-Type: " : "", ctype ? ctype : "",
	    ctype ? "\r\n" : "", cl,
	    !keepalive ? "Connection: close\r\n" :
	    minor == 0 ? "Connection: keep-alive\r\n" : "",
	    extra ? extra : "");
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}
