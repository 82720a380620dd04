/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_unix(const char *path, struct addr *a, char *err, size_t errlen)
{
	size_t len = strlen(path);

	if (len == 0) {
		snprintf(err, errlen, "unix: needs a path");
		return -1;
	}
	if (len >= sizeof(a->a_path)) {
		snprintf(err, errlen, "unix socket path longer than %zu bytes",
		    sizeof(a->a_path) - 1);
		return -1;
	}
	memcpy(a->a_path, path, len + 1);
	a->a_kind = ADDR_UNIX;
	return 0;
}

static int
parse_fd(const char *s, struct addr *a, char *err, size_t errlen)
{
	unsigned long fd;

	/* fds 0-2 are stdio: a listener there would be a configuration slip. */
	if (parse_uint(s, INT_MAX, &fd) == -1 || fd < 3) {
		snprintf(err, errlen, "fd://%s: not a file descriptor >= 3", s);
		return -1;
	}
	a->a_kind = ADDR_FD;
	a->a_fd = (int)fd;
	return 0;
}

static int
parse_systemd(const char *s, struct addr *a, char *err, size_t errlen)
{
	a->a_kind = ADDR_SYSTEMD;
	if (*s == '\0')
		return 0;
	if (*s++ != ':' || *s == '\0' || strlen(s) > ADDR_NAME_MAX ||
	    strchr(s, ':') != NULL) {
		snprintf(err, errlen, "expected systemd or systemd:NAME");
		return -1;
	}
	snprintf(a->a_name, sizeof(a->a_name), "%s", s);	/* fits: checked */
	return 0;
}

static int
parse_tcp(const char *s, struct addr *a, char *err, size_t errlen)
{
	const char	*colon, *host = s;
	size_t		 hostlen;
	unsigned long	 port;

	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':') {
			snprintf(err, errlen, "%s: expected [IPV6]:PORT", s);
			return -1;
		}
		host = s + 1;
		hostlen = (size_t)(close - host);
		colon = close + 1;
		if (hostlen == 0) {
			snprintf(err, errlen, "%s: empty IPv6 address", s);
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL) {
			snprintf(err, errlen, "%s: expected HOST:PORT, "
			    "[IPV6]:PORT, :PORT, unix:PATH, fd://N or systemd",
			    s);
			return -1;
		}
		hostlen = (size_t)(colon - s);
		if (memchr(s, ':', hostlen) != NULL) {
			snprintf(err, errlen, "%s: IPv6 addresses need "
			    "brackets, as in [::1]:8000", s);
			return -1;
		}
	}
	if (parse_uint(colon + 1, 65535, &port) == -1) {
		snprintf(err, errlen, "%s: port must be 0-65535", s);
		return -1;
	}
	if (hostlen >= sizeof(a->a_host)) {
		snprintf(err, errlen, "%s: host name too long", s);
		return -1;
	}
	memcpy(a->a_host, host, hostlen);
	a->a_host[hostlen] = '\0';
	a->a_port = (unsigned)port;
	a->a_kind = ADDR_TCP;
	return 0;
}

/* The length of NAME in NAME=ADDR, or 0 if s does not start with one
   (a unix path may hold a '=': its prefix has a ':' and a '/'). */
static size_t
fdname_len(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.");

	return s[n] == '=' ? n : 0;
}

int
addr_parse(const char *s, struct addr *a, char *err, size_t errlen)
{
	size_t		 n = fdname_len(s);
	const char	*eq = strchr(s, '=');

	memset(a, 0, sizeof(*a));
	a->a_fd = -1;
	if (n == 0 && s[0] == '=') {
		snprintf(err, errlen, "\"%s\": a name before '=' is empty", s);
		return -1;
	}
	/* Something before a '=' that is no address either ("my web=..."):
	   a name with a character names may not hold. */
	if (n == 0 && eq != NULL && memchr(s, ':', (size_t)(eq - s)) == NULL &&
	    memchr(s, '/', (size_t)(eq - s)) == NULL) {
		snprintf(err, errlen, "\"%.*s\": a socket's name may hold only "
		    "letters, digits, '_', '-' and '.'", (int)(eq - s), s);
		return -1;
	}
	if (n > ADDR_FDNAME_MAX) {
		snprintf(err, errlen, "\"%.*s\": a socket's name is at most %d "
		    "characters", (int)n, s, ADDR_FDNAME_MAX);
		return -1;
	}
	if (n > 0) {
		memcpy(a->a_fdname, s, n);
		s += n + 1;
	}
	if (n > 0 && *s == '\0') {
		snprintf(err, errlen, "%s=: no address after the name",
		    a->a_fdname);
		return -1;
	}
	if (strncmp(s, "unix:", 5) == 0)
		return parse_unix(s + 5, a, err, errlen);
	if (strncmp(s, "fd://", 5) == 0)
		return parse_fd(s + 5, a, err, errlen);
	if (strncmp(s, "systemd", 7) == 0)
		return parse_systemd(s + 7, a, err, errlen);
	return parse_tcp(s, a, err, errlen);
}

void
addr_format(const struct addr *a, char *buf, size_t len)
{
	switch (a->a_kind) {
	case ADDR_TCP:
		if (strchr(a->a_host, ':') != NULL)
			snprintf(buf, len, "[%s]:%u", a->a_host, a->a_port);
		else
			snprintf(buf, len, "%s:%u", a->a_host, a->a_port);
		break;
	case ADDR_UNIX:
		snprintf(buf, len, "unix:%s", a->a_path);
		break;
	case ADDR_FD:
		snprintf(buf, len, "fd://%d", a->a_fd);
		break;
	case ADDR_SYSTEMD:
		snprintf(buf, len, a->a_name[0] ? "systemd:%s" : "systemd",
		    a->a_name);
		break;
	}
}

void
addr_format_named(const struct addr *a, char *buf, size_t len)
{
	size_t n = 0;

	if (a->a_fdname[0] != '\0')
		n = (size_t)snprintf(buf, len, "%s=", a->a_fdname);
	if (n < len)
		addr_format(a, buf + n, len - n);
}
