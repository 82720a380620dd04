/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "jsonstr.h"

#define ALOG_LINE_MAX	4096
/* Every string atom escaped at worst, and the numbers. */
#define ALOG_JSON_MAX	(8 * JSON_STR_MAX(600) + 512)
#define ATOMS		"hlutrmUqHsbBfaTMDpw"

static struct {
	int		 al_fd;
	char		*al_path;	/* NULL: not logging */
	const char	*al_fmt;
	unsigned	 al_slot;
	bool		 al_json;
	alog_debug_fn	 al_debug;
} alog = { .al_fd = -1 };

int
alog_check_format(const char *fmt, char *err, size_t len)
{
	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (p[1] != '(' || p[2] == '\0' || strchr(ATOMS, p[2]) == NULL ||
		    p[3] != ')' || p[4] != 's') {
			snprintf(err, len, "access log format: bad atom at "
			    "\"%.8s\" (atoms: %%(x)s with x one of %s)", p,
			    ATOMS);
			return -1;
		}
		p += 4;
	}
	return 0;
}

static int
alog_open_fd(void)
{
	int fd;

	if (strcmp(alog.al_path, "-") == 0)
		return dup(STDOUT_FILENO);
	fd = open(alog.al_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	return fd;
}

int
alog_open(const char *path, const char *fmt, unsigned slot, bool json)
{
	if (path == NULL)
		return 0;
	alog.al_path = strdup(path);
	alog.al_fmt = fmt != NULL ? fmt : ALOG_DEFAULT_FORMAT;
	alog.al_slot = slot;
	alog.al_json = json;
	if (alog.al_path == NULL || (alog.al_fd = alog_open_fd()) == -1)
		return -1;
	return 0;
}

int
alog_reopen(void)
{
	int fd;

	if (alog.al_path == NULL)
		return 0;
	/* The new file first: on failure keep writing to the old one.
	   dup2 swaps it in under the same number, so a gthread worker's
	   thread writing meanwhile never sees a closed or reused fd. */
	if ((fd = alog_open_fd()) == -1)
		return -1;
	if (dup2(fd, alog.al_fd) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void
alog_debug(alog_debug_fn fn)
{
	alog.al_debug = fn;
}

bool
alog_enabled(void)
{
	return alog.al_fd != -1 || alog.al_debug != NULL;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Printable bytes only: a log line must stay one line. */
static void
copy_clean(char *dst, size_t len, const char *src, size_t n)
{
	size_t i;

	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c < 0x20 || c == 0x7f || c == '"' ? '?' : (char)c;
	}
	dst[i] = '\0';
}

static void
copy_field(char *dst, size_t len, const struct http_request *rq,
    const char *name)
{
	const struct http_field *f = http_field(rq, name);

	if (f == NULL)
		snprintf(dst, len, "-");
	else
		copy_clean(dst, len, f->hf_value, f->hf_vlen);
}

void
alog_begin(struct alog_entry *e, const struct http_request *rq,
    const char *remote)
{
	e->ae_start_us = now_us();
	snprintf(e->ae_remote, sizeof(e->ae_remote), "%s", remote);
	if (rq == NULL) {
		/* Refused before its head parsed: nothing of it is trusted. */
		e->ae_method[0] = e->ae_target[0] = '\0';
		e->ae_referer[0] = e->ae_agent[0] = '\0';
		e->ae_minor = 1;
		return;
	}
	copy_clean(e->ae_method, sizeof(e->ae_method), rq->rq_method,
	    rq->rq_mlen);
	copy_clean(e->ae_target, sizeof(e->ae_target), rq->rq_target,
	    rq->rq_tlen);
	copy_field(e->ae_referer, sizeof(e->ae_referer), rq, "referer");
	copy_field(e->ae_agent, sizeof(e->ae_agent), rq, "user-agent");
	e->ae_minor = rq->rq_minor;
}

void
alog_peer(int fd, char *buf, size_t len)
{
	struct sockaddr_storage	ss = { .ss_family = AF_UNSPEC };
	socklen_t		sl = sizeof(ss);
	const void		*a = NULL;

	snprintf(buf, len, "-");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (a != NULL)
		inet_ntop(ss.ss_family, a, buf, (socklen_t)len);
	else if (ss.ss_family == AF_UNIX)
		snprintf(buf, len, "unix");
}

/* The value of one atom into out. */
static void
atom(char a, const struct alog_entry *e, int status, uint64_t bytes,
    uint64_t us, char *out, size_t len)
{
	const char	*q = strchr(e->ae_target, '?');
	size_t		 plen = q ? (size_t)(q - e->ae_target) :
			    strlen(e->ae_target);
	time_t		 now;
	struct tm	 tm;

	switch (a) {
	case 'h': snprintf(out, len, "%s", e->ae_remote); break;
	case 'l': case 'u': snprintf(out, len, "-"); break;
	case 't':
		now = time(NULL);
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(out, len, "[%d/%b/%Y:%H:%M:%S +0000]", &tm) == 0)
			snprintf(out, len, "-");
		break;
	case 'r':
		if (e->ae_method[0] == '\0')
			snprintf(out, len, "-");
		else
			snprintf(out, len, "%s %s HTTP/1.%d", e->ae_method,
			    e->ae_target, e->ae_minor);
		break;
	case 'm': snprintf(out, len, "%s", e->ae_method); break;
	case 'U': snprintf(out, len, "%.*s", (int)plen, e->ae_target); break;
	case 'q': snprintf(out, len, "%s", q ? q + 1 : ""); break;
	case 'H': snprintf(out, len, "HTTP/1.%d", e->ae_minor); break;
	case 's': snprintf(out, len, "%d", status); break;
	case 'b':
		if (bytes == 0) {
			snprintf(out, len, "-");
			break;
		}
		/* FALLTHROUGH */
	case 'B': snprintf(out, len, "%" PRIu64, bytes); break;
	case 'f': snprintf(out, len, "%s", e->ae_referer); break;
	case 'a': snprintf(out, len, "%s", e->ae_agent); break;
	case 'T': snprintf(out, len, "%" PRIu64, us / 1000000); break;
	case 'M': snprintf(out, len, "%" PRIu64, us / 1000); break;
	case 'D': snprintf(out, len, "%" PRIu64, us); break;
	case 'p': snprintf(out, len, "%ld", (long)getpid()); break;
	case 'w': snprintf(out, len, "%u", alog.al_slot); break;
	default: snprintf(out, len, "-"); break;
	}
}

/* ", "name": "value" of a string atom, into line at *n. */
static void
member(char *line, size_t cap, size_t *n, const char *name, const char *v)
{
	int r = snprintf(line + *n, cap - *n, ",\"%s\":", name);

	if (r < 0 || (size_t)r >= cap - *n)
		return;
	*n += (size_t)r;
	*n += json_str(line + *n, cap - *n, v, strlen(v));
}

/*
 * The line as a JSON object, Gunicorn's atoms as members: "time" (RFC
 * 3339, ms), "remote_addr" (h), "request" (r), "method" (m), "path" (U),
 * "query" (q), "protocol" (H), "status" (s), "bytes" (B), "referer" (f),
 * "user_agent" (a), "duration_us" (D), "pid" (p), "worker" (w).  Strings
 * go through json_str (jsonstr.h), so any request makes valid JSON.
 */
static void
alog_write_json(const struct alog_entry *e, int status, uint64_t bytes,
    uint64_t us)
{
	char		line[ALOG_JSON_MAX], val[600];
	static const struct { char a; const char *name; } strs[] = {
		{ 'h', "remote_addr" }, { 'r', "request" }, { 'm', "method" },
		{ 'U', "path" }, { 'q', "query" }, { 'H', "protocol" },
		{ 'f', "referer" }, { 'a', "user_agent" },
	};
	struct timespec	ts;
	struct tm	tm;
	size_t		n;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL) {
		memset(&tm, 0, sizeof(tm));
		ts.tv_nsec = 0;
	}
	n = strftime(line, sizeof(line), "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ\"",
	    ts.tv_nsec / 1000000);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		atom(strs[i].a, e, status, bytes, us, val, sizeof(val));
		member(line, sizeof(line) - 128, &n, strs[i].name, val);
	}
	n += (size_t)snprintf(line + n, sizeof(line) - n, ",\"status\":%d,"
	    "\"bytes\":%" PRIu64 ",\"duration_us\":%" PRIu64 ",\"pid\":%ld,"
	    "\"worker\":%u}\n", status, bytes, us, (long)getpid(),
	    alog.al_slot);
	if (n > sizeof(line))
		return;		/* cannot be: 128 bytes were kept */
	(void)!write(alog.al_fd, line, n);
}

void
alog_write(const struct alog_entry *e, int status, uint64_t bytes)
{
	char		line[ALOG_LINE_MAX], val[600];
	size_t		n = 0, vlen;
	uint64_t	us = now_us() - e->ae_start_us;

	if (alog.al_debug != NULL)
		alog.al_debug("request from %s: %s %s HTTP/1.%d: %d, %llu "
		    "bytes, %.3f ms", e->ae_remote, e->ae_method[0] ?
		    e->ae_method : "-", e->ae_target[0] ? e->ae_target : "-",
		    e->ae_minor, status, (unsigned long long)bytes, us / 1000.0);
	if (alog.al_fd == -1)
		return;
	if (alog.al_json) {
		alog_write_json(e, status, bytes, us);
		return;
	}
	for (const char *p = alog.al_fmt; *p != '\0' && n + 2 < sizeof(line);
	    p++) {
		if (*p == '%' && p[1] == '%') {
			line[n++] = '%';
			p++;
		} else if (*p == '%' && p[1] == '(' && p[2] && p[3] == ')' &&
		    p[4] == 's') {
			atom(p[2], e, status, bytes, us, val, sizeof(val));
			vlen = strlen(val);
			if (n + vlen + 2 > sizeof(line))
				vlen = sizeof(line) - n - 2;
			memcpy(line + n, val, vlen);
			n += vlen;
			p += 4;
		} else
			line[n++] = *p;
	}
	line[n++] = '\n';
	/* A full disk or a closed pipe loses the line, not the request. */
	(void)!write(alog.al_fd, line, n);
}
