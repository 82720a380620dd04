/* SPDX-License-Identifier: ISC */
/* One listening socket, TCP or unix (see lsock.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lsock.h"

static int
set_err(char *err, size_t len, const char *key, const char *what)
{
	snprintf(err, len, "%s: %s: %s", key, what, strerror(errno));
	return -1;
}

static int
open_tcp(struct listener *l, int backlog, char *err, size_t len)
{
	struct addrinfo	 hints, *res;
	char		 port[8];
	int		 fd, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	/* ":PORT" means every IPv4 address, as nginx's "listen PORT". */
	if (l->l_addr.a_host[0] == '\0')
		hints.ai_family = AF_INET;
	snprintf(port, sizeof(port), "%u", l->l_addr.a_port);
	rc = getaddrinfo(l->l_addr.a_host[0] ? l->l_addr.a_host : NULL, port,
	    &hints, &res);
	if (rc != 0) {
		snprintf(err, len, "%s: %s", l->l_key, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		freeaddrinfo(res);
		return set_err(err, len, l->l_key, "socket");
	}
	/* [::] is IPv6 only, so it can sit beside 0.0.0.0 on one port. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (res->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1)) {
		set_err(err, len, l->l_key, "setsockopt");
		goto fail;
	}
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1) {
		if (errno == EACCES && l->l_addr.a_port > 0 &&
		    l->l_addr.a_port < 1024)
			snprintf(err, len, "%s: bind: %s: a port below 1024 "
			    "needs root or CAP_NET_BIND_SERVICE (setcap on the "
			    "binary, or AmbientCapabilities= in a unit), or "
			    "use a port above 1023", l->l_key, strerror(errno));
		else
			set_err(err, len, l->l_key, "bind");
		goto fail;
	}
	if (listen(fd, backlog) == -1) {
		set_err(err, len, l->l_key, "listen");
		goto fail;
	}
	freeaddrinfo(res);
	return fd;
fail:
	freeaddrinfo(res);
	close(fd);
	return -1;
}

/*
 * A socket file left by a dead process is replaced; one that answers is
 * another server's, and anything that is not a socket is never removed.
 */
static int
clear_stale(const struct listener *l, const struct sockaddr_un *sun,
    char *err, size_t len)
{
	struct stat	st;
	int		fd, rc;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 :
		    set_err(err, len, l->l_key, "stat");
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, len, "%s: exists and is not a socket", l->l_key);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return set_err(err, len, l->l_key, "socket");
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0 || errno == EAGAIN) {
		snprintf(err, len, "%s: in use by another process", l->l_key);
		return -1;
	}
	if (errno != ECONNREFUSED)
		return set_err(err, len, l->l_key, "connect");
	if (unlink(sun->sun_path) == -1)
		return set_err(err, len, l->l_key, "unlink stale socket");
	return 0;
}

static int
open_unix(struct listener *l, int backlog, mode_t mode, char *err,
    size_t len)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, l->l_addr.a_path, sizeof(l->l_addr.a_path));
	if (clear_stale(l, &sun, err, len) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return set_err(err, len, l->l_key, "socket");
	/* The mode is right from the first instant: umask, not chmod. */
	old = umask(~mode & 0777);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1) {
		set_err(err, len, l->l_key, "bind");
		close(fd);
		return -1;
	}
	l->l_unlink = true;
	if (listen(fd, backlog) == -1) {
		set_err(err, len, l->l_key, "listen");
		close(fd);
		unlink(sun.sun_path);
		l->l_unlink = false;
		return -1;
	}
	return fd;
}

static int
adopt_fd(struct listener *l, int fd, char *err, size_t len)
{
	int		type, acc;
	socklen_t	sl = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl) == -1)
		return set_err(err, len, l->l_key, "not a socket");
	sl = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &sl) == -1)
		return set_err(err, len, l->l_key, "getsockopt");
	if (type != SOCK_STREAM || !acc) {
		snprintf(err, len, "%s: not a listening stream socket",
		    l->l_key);
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return set_err(err, len, l->l_key, "fcntl");
	return fd;
}

int
lsock_open(struct listener *l, const struct addr *a, int backlog,
    mode_t mode, char *err, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->l_addr = *a;
	addr_format(a, l->l_key, sizeof(l->l_key));
	switch (a->a_kind) {
	case ADDR_TCP:
		l->l_fd = open_tcp(l, backlog, err, len);
		break;
	case ADDR_UNIX:
		l->l_fd = open_unix(l, backlog, mode, err, len);
		break;
	case ADDR_FD:
		l->l_fd = adopt_fd(l, a->a_fd, err, len);
		break;
	default:
		snprintf(err, len, "%s: unsupported listener", l->l_key);
		l->l_fd = -1;
		break;
	}
	return l->l_fd == -1 ? -1 : 0;
}

int
lsock_adopt(struct listener *l, const struct addr *a, int fd, char *err,
    size_t len)
{
	memset(l, 0, sizeof(*l));
	l->l_addr = *a;
	addr_format(a, l->l_key, sizeof(l->l_key));
	/* A unix socket's file is ours to remove once we are its server. */
	l->l_unlink = a->a_kind == ADDR_UNIX;
	l->l_fd = adopt_fd(l, fd, err, len);
	return l->l_fd == -1 ? -1 : 0;
}

/* The address a TCP listener at a would be bound to, as open_tcp's. */
static bool
same_tcp(const struct addr *a, const struct sockaddr_storage *ss)
{
	struct addrinfo	 hints = { .ai_socktype = SOCK_STREAM,
			    .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *res;
	char		 port[16];
	bool		 same;

	if (a->a_host[0] == '\0')
		hints.ai_family = AF_INET;
	snprintf(port, sizeof(port), "%u", a->a_port);
	if (getaddrinfo(a->a_host[0] ? a->a_host : NULL, port, &hints,
	    &res) != 0)
		return false;
	same = res->ai_family == ss->ss_family &&
	    memcmp(res->ai_addr, ss, res->ai_addrlen) == 0;
	freeaddrinfo(res);
	return same;
}

bool
lsock_bound_to(int fd, const struct addr *a)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return false;
	if (a->a_kind == ADDR_UNIX)
		return ss.ss_family == AF_UNIX && strncmp(((struct sockaddr_un *)
		    &ss)->sun_path, a->a_path, sizeof(a->a_path)) == 0;
	return a->a_kind == ADDR_TCP && a->a_port != 0 && same_tcp(a, &ss);
}

void
lsock_close(struct listener *l, bool unlink_path)
{
	/* close() of a socket can only fail harmlessly: the fd is gone. */
	if (l->l_fd != -1)
		(void)close(l->l_fd);
	l->l_fd = -1;
	if (unlink_path && l->l_unlink)
		(void)unlink(l->l_addr.a_path);
	l->l_unlink = false;
}

void
lsock_describe(const struct listener *l, char *buf, size_t len)
{
	lsock_describe_fd(l->l_fd, l->l_key, buf, len);
}

void
lsock_describe_fd(int fd, const char *fallback, char *buf, size_t len)
{
	struct sockaddr_storage	ss = { .ss_family = AF_UNSPEC };
	socklen_t		sl = sizeof(ss);
	char			host[INET6_ADDRSTRLEN];
	unsigned		port;

	/* What the socket says, for passed ones and for port 0. */
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6 &&
	    ss.ss_family != AF_UNIX)) {
		snprintf(buf, len, "%s", fallback);
		return;
	}
	if (ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *su = (struct sockaddr_un *)&ss;
		if (sl <= offsetof(struct sockaddr_un, sun_path) ||
		    su->sun_path[0] == '\0')
			snprintf(buf, len, "%s", fallback);
		else
			snprintf(buf, len, "unix:%.*s", (int)(sl - offsetof(
			    struct sockaddr_un, sun_path)), su->sun_path);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	}
}
