/* SPDX-License-Identifier: ISC */
/*
 * The notify protocol's parser.  Values are checked as strictly as
 * systemd's own (READY takes only "1", numbers only decimal digits), so a
 * program that works under systemd works here, and nothing looser does
 * something by accident.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "notifymsg.h"

/* Decimal digits only, no sign or spaces, within UINT64_MAX; 0 or -1. */
static int
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int
is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* STATUS= text as shown by poolctl: control bytes and non-ASCII become
   '?', and it is cut to fit, so a worker cannot garble a terminal. */
static void
copy_status(char *dst, const char *s, size_t n)
{
	if (n > NOTIFY_STATUS_MAX - 1)
		n = NOTIFY_STATUS_MAX - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[n] = '\0';
}

/* One VAR=VALUE; 0 if understood, -1 if not. */
static int
assignment(const char *line, size_t len, struct notify_msg *m)
{
	const char	*eq = memchr(line, '=', len);
	const char	*v;
	size_t		 k, n;
	uint64_t	 u;

	if (eq == NULL)
		return -1;
	k = (size_t)(eq - line);
	v = eq + 1;
	n = len - k - 1;
	if (is(line, k, "READY") && is(v, n, "1"))
		m->nm_flags |= NM_READY;
	else if (is(line, k, "STOPPING") && is(v, n, "1"))
		m->nm_flags |= NM_STOPPING;
	else if (is(line, k, "RELOADING") && is(v, n, "1"))
		m->nm_flags |= NM_RELOADING;
	else if (is(line, k, "WATCHDOG") && is(v, n, "1"))
		m->nm_flags |= NM_WATCHDOG;
	else if (is(line, k, "WATCHDOG") && is(v, n, "trigger"))
		m->nm_flags |= NM_TRIGGER;
	else if (is(line, k, "STATUS")) {
		m->nm_flags |= NM_STATUS;
		copy_status(m->nm_status, v, n);
	} else if (is(line, k, "ERRNO") && parse_u64(v, n, &u) == 0 &&
	    u <= 4095) {
		m->nm_flags |= NM_ERRNO;
		m->nm_errno = (int)u;
	} else if (is(line, k, "EXTEND_TIMEOUT_USEC") &&
	    parse_u64(v, n, &u) == 0) {
		m->nm_flags |= NM_EXTEND;
		m->nm_extend_usec = u;
	} else if (is(line, k, "X_POOLD_RECYCLE") && (is(v, n, "1") ||
	    is(v, n, "max_requests"))) {
		m->nm_flags |= NM_RECYCLE;
		m->nm_recycle = is(v, n, "1") ? NR_ASKED : NR_REQUESTS;
	} else
		return -1;
	return 0;
}

void
notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	const char	*p = buf, *end = buf + len, *nl;
	size_t		 n;

	memset(m, 0, sizeof(*m));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		/* Empty lines (a trailing newline) are no assignment. */
		if (n > 0 && (memchr(p, '\0', n) != NULL ||
		    assignment(p, n, m) == -1))
			m->nm_ignored++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

socklen_t
notify_sockaddr(const char *addr, struct sockaddr_un *sun)
{
	size_t n = addr != NULL ? strlen(addr) : 0;

	if (n < 2 || (addr[0] != '/' && addr[0] != '@') ||
	    n >= sizeof(sun->sun_path))
		return 0;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, addr, n);
	if (addr[0] == '@')
		sun->sun_path[0] = '\0';	/* abstract: no NUL at the end */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (addr[0] == '/'));
}
