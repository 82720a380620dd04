/* SPDX-License-Identifier: ISC */
/* The other launchers' variables (compat.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "compat.h"
#include "lsock.h"

#define FIRST_FD	3

static const struct {
	const char	*c_name;
	unsigned	 c_bit;
	const char	*c_vars;	/* the prefix of every variable it sets */
} launchers[] = {
	{ "einhorn", COMPAT_EINHORN, "EINHORN_" },
	{ "server_starter", COMPAT_SERVER_STARTER, "SERVER_STARTER_PORT=" },
	{ "unicorn", COMPAT_UNICORN, "UNICORN_FD=" },
	{ "gunicorn", COMPAT_GUNICORN, "GUNICORN_FD=" },
};
#define NLAUNCHERS	(sizeof(launchers) / sizeof(launchers[0]))

unsigned
compat_bit(const char *name)
{
	for (size_t i = 0; i < NLAUNCHERS; i++)
		if (strcmp(launchers[i].c_name, name) == 0)
			return launchers[i].c_bit;
	return 0;
}

const char *
compat_name(unsigned mask)
{
	for (size_t i = 0; i < NLAUNCHERS; i++)
		if (mask & launchers[i].c_bit)
			return launchers[i].c_name;
	return NULL;
}

const char *
compat_names(void)
{
	return "einhorn, server_starter, unicorn, gunicorn";
}

int
compat_sets(unsigned mask, const char *assignment)
{
	for (size_t i = 0; i < NLAUNCHERS; i++)
		if ((mask & launchers[i].c_bit) && strncmp(assignment,
		    launchers[i].c_vars, strlen(launchers[i].c_vars)) == 0)
			return 1;
	return 0;
}

size_t
compat_count(unsigned mask, size_t nfds)
{
	/* Einhorn: four and one per fd; the others, one each. */
	return (mask & COMPAT_EINHORN ? nfds + 4 : 0) + NLAUNCHERS;
}

/* NAME=fmt..., allocated; NULL if out of memory. */
static char *var(const char *, ...) __attribute__((format(printf, 1, 2)));

static char *
var(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n == -1 ? NULL : s;
}

/* "NAME=3,4,5": nfds fds from FIRST_FD, joined by sep, allocated. */
static char *
fd_list(const char *name, size_t nfds, const char *sep)
{
	size_t	 len = strlen(name) + 2 + nfds * 12, at;
	char	*s = malloc(len);

	if (s == NULL)
		return NULL;
	at = (size_t)snprintf(s, len, "%s=", name);
	for (size_t i = 0; i < nfds && at < len; i++)
		at += (size_t)snprintf(s + at, len - at, "%s%zu", i ? sep : "",
		    FIRST_FD + i);
	return s;
}

/* Server::Starter's "ADDR=FD;ADDR=FD", each address as the socket says
   (a Unix socket's is its path), FD where it will be. */
static char *
starter_port(const int *fds, size_t nfds)
{
	char	 addr[ADDR_HOST_MAX + 16], *s;
	size_t	 len = sizeof("SERVER_STARTER_PORT=") + nfds * (sizeof(addr) +
		    14), at;

	if ((s = malloc(len)) == NULL)
		return NULL;
	at = (size_t)snprintf(s, len, "SERVER_STARTER_PORT=");
	for (size_t i = 0; i < nfds && at < len; i++) {
		lsock_describe_fd(fds[i], "?", addr, sizeof(addr));
		at += (size_t)snprintf(s + at, len - at, "%s%s=%zu",
		    i ? ";" : "", strncmp(addr, "unix:", 5) == 0 ? addr + 5 :
		    addr, FIRST_FD + i);
	}
	return s;
}

int
compat_env(unsigned mask, const int *fds, size_t nfds,
    const char *einhorn_sock, char **env, size_t *k)
{
	size_t start = *k;

	if (mask & COMPAT_EINHORN) {
		/* Einhorn's clients (goji's, for one) trust its fds only
		   from their parent, the master: here, the arbiter. */
		env[(*k)++] = var("EINHORN_MASTER_PID=%ld", (long)getppid());
		env[(*k)++] = fd_list("EINHORN_FDS", nfds, " ");
		env[(*k)++] = var("EINHORN_FD_COUNT=%zu", nfds);
		for (size_t i = 0; i < nfds; i++)
			env[(*k)++] = var("EINHORN_FD_%zu=%zu", i,
			    FIRST_FD + i);
		if (einhorn_sock != NULL)
			env[(*k)++] = var("EINHORN_SOCK_PATH=%s", einhorn_sock);
	}
	if (mask & COMPAT_SERVER_STARTER)
		env[(*k)++] = starter_port(fds, nfds);
	if (mask & COMPAT_UNICORN)
		env[(*k)++] = fd_list("UNICORN_FD", nfds, ",");
	if (mask & COMPAT_GUNICORN)
		env[(*k)++] = fd_list("GUNICORN_FD", nfds, ",");
	for (size_t i = start; i < *k; i++)
		if (env[i] == NULL)
			return -1;
	return 0;
}
