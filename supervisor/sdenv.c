/* SPDX-License-Identifier: ISC */
/*
 * LISTEN_FDS and NOTIFY_SOCKET (see sdenv.h), after sd_listen_fds(3)
 * and sd_notify(3): the same variables, the same checks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notifymsg.h"
#include "sdenv.h"

/* A decimal number, all of s, within max; -1 if not. */
static long long
number(const char *s, long long max)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || v > max ? -1 : v;
}

static void
forget(void)
{
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
}

int
sd_take_fds(char (*names)[256], int max, char *err, size_t len)
{
	const char	*fdnames = getenv("LISTEN_FDNAMES"), *p;
	long long	 pid = number(getenv("LISTEN_PID"), 1LL << 31);
	long long	 n = number(getenv("LISTEN_FDS"), 1 << 20);
	size_t		 k;

	if (getenv("LISTEN_PID") == NULL || pid != (long long)getpid()) {
		forget();	/* not ours: a parent's, say */
		return 0;
	}
	if (n < 0 || n > max) {
		snprintf(err, len, "LISTEN_FDS=%s: expected 0-%d",
		    getenv("LISTEN_FDS") ? getenv("LISTEN_FDS") : "", max);
		forget();
		return -1;
	}
	p = fdnames;
	for (int i = 0; i < (int)n; i++) {
		if (fcntl(SD_FDS_START + i, F_SETFD, FD_CLOEXEC) == -1) {
			snprintf(err, len, "LISTEN_FDS: fd %d: %s",
			    SD_FDS_START + i, strerror(errno));
			forget();
			return -1;
		}
		k = p != NULL ? strcspn(p, ":") : 0;
		snprintf(names[i], sizeof(names[i]), "%.*s", (int)k,
		    k > 0 ? p : "unknown");
		if (k == 0)
			snprintf(names[i], sizeof(names[i]), "unknown");
		if (p != NULL)
			p = p[k] == ':' ? p + k + 1 : NULL;
	}
	forget();
	return (int)n;
}

int
sd_send(const char *msg)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 sl;
	ssize_t			 w;
	int			 fd, saved;

	if (path == NULL || *path == '\0')
		return 0;
	if ((sl = notify_sockaddr(path, &sun)) == 0)
		return -EAFNOSUPPORT;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	w = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
	    (struct sockaddr *)&sun, sl);
	saved = errno;
	(void)close(fd);
	return w == -1 ? -saved : 1;
}

uint64_t
sd_watchdog_usec(void)
{
	const char	*wp = getenv("WATCHDOG_PID");
	long long	 usec = number(getenv("WATCHDOG_USEC"), 1LL << 62);

	if (usec <= 0)
		return 0;
	if (wp != NULL && number(wp, 1LL << 31) != (long long)getpid())
		return 0;
	return (uint64_t)usec;
}
