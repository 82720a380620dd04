/*
 * The load client (see loadgen.h): one thread, non-blocking sockets and
 * poll(2), so that 64 connections cost one thread and no test waits on a
 * single slow request.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

#define LG_MAX		64
#define LG_REPLY_MAX	4096
#define LG_DEADLINE_MS	10000

static const char http_req[] = "GET / HTTP/1.0\r\n\r\n";

struct conn {
	int	c_fd;
	bool	c_connected;
	size_t	c_sent;
	char	c_buf[LG_REPLY_MAX];
	size_t	c_len;
	long	c_deadline;
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
conn_open(struct loadgen *lg, struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)lg->lg_port) };

	memset(c, 0, sizeof(*c));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->c_deadline = now_ms() + LG_DEADLINE_MS;
	c->c_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->c_fd == -1)
		return;
	if (connect(c->c_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		atomic_fetch_add(&lg->lg_connect, 1);
		close(c->c_fd);
		c->c_fd = -1;
	}
}

static bool
reply_ok(const struct loadgen *lg, const struct conn *c)
{
	if (lg->lg_kind == LG_REPORT)
		return c->c_len > 0 && c->c_buf[c->c_len - 1] == '\n';
	return c->c_len > 12 && strncmp(c->c_buf, "HTTP/1.", 7) == 0 &&
	    c->c_buf[9] == '2';
}

/* Done with c (counted); open the next one unless stopping. */
static void
conn_done(struct loadgen *lg, struct conn *c, _Atomic unsigned long *ctr)
{
	atomic_fetch_add(ctr, 1);
	close(c->c_fd);
	c->c_fd = -1;
	if (!atomic_load(&lg->lg_stop))
		conn_open(lg, c);
}

static void
conn_event(struct loadgen *lg, struct conn *c, short revents)
{
	ssize_t	n;
	int	err = 0;
	socklen_t sl = sizeof(err);

	if (!c->c_connected) {
		if (getsockopt(c->c_fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1 ||
		    err != 0) {
			conn_done(lg, c, &lg->lg_connect);
			return;
		}
		c->c_connected = true;
	}
	if (lg->lg_kind == LG_HTTP && c->c_sent < sizeof(http_req) - 1) {
		n = send(c->c_fd, http_req + c->c_sent,
		    sizeof(http_req) - 1 - c->c_sent, MSG_NOSIGNAL);
		if (n == -1 && errno != EAGAIN) {
			conn_done(lg, c, &lg->lg_reset);
			return;
		}
		if (n > 0)
			c->c_sent += (size_t)n;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = read(c->c_fd, c->c_buf + c->c_len, sizeof(c->c_buf) - 1 - c->c_len);
	if (n > 0) {
		c->c_len += (size_t)n;
		if (c->c_len < sizeof(c->c_buf) - 1)
			return;
	} else if (n == -1 && errno == EAGAIN)
		return;
	/* Closed (or full): judge the reply. */
	if (n == -1)
		conn_done(lg, c, &lg->lg_reset);
	else if (c->c_len == 0)
		conn_done(lg, c, &lg->lg_reset);
	else
		conn_done(lg, c, reply_ok(lg, c) ? &lg->lg_ok : &lg->lg_bad);
}

static void *
run(void *arg)
{
	struct loadgen	*lg = arg;
	struct conn	 c[LG_MAX];
	struct pollfd	 pfd[LG_MAX];
	int		 n = lg->lg_conns, live;

	for (int i = 0; i < n; i++)
		conn_open(lg, &c[i]);
	for (;;) {
		live = 0;
		for (int i = 0; i < n; i++) {
			if (c[i].c_fd == -1 && !atomic_load(&lg->lg_stop))
				conn_open(lg, &c[i]);
			pfd[i].fd = c[i].c_fd;
			pfd[i].events = c[i].c_connected ? POLLIN :
			    POLLOUT | POLLIN;
			live += c[i].c_fd != -1;
		}
		if (live == 0 && atomic_load(&lg->lg_stop))
			break;
		if (poll(pfd, (nfds_t)n, 50) == -1 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (c[i].c_fd == -1)
				continue;
			if (pfd[i].revents != 0)
				conn_event(lg, &c[i], pfd[i].revents);
			else if (now_ms() > c[i].c_deadline)
				conn_done(lg, &c[i], &lg->lg_timeout);
		}
	}
	return NULL;
}

void
lg_start(struct loadgen *lg, int port, int conns, enum lg_kind kind)
{
	memset(lg, 0, sizeof(*lg));
	lg->lg_port = port;
	lg->lg_conns = conns < 1 ? 1 : conns > LG_MAX ? LG_MAX : conns;
	lg->lg_kind = kind;
	if (pthread_create(&lg->lg_thread, NULL, run, lg) != 0)
		abort();
}

void
lg_stop(struct loadgen *lg)
{
	atomic_store(&lg->lg_stop, true);
	pthread_join(lg->lg_thread, NULL);
}

unsigned long
lg_failures(const struct loadgen *lg)
{
	return atomic_load(&lg->lg_connect) + atomic_load(&lg->lg_reset) +
	    atomic_load(&lg->lg_bad) + atomic_load(&lg->lg_timeout);
}

const char *
lg_describe(const struct loadgen *lg, char *buf, size_t len)
{
	snprintf(buf, len, "ok %lu, connect %lu, reset %lu, bad %lu, "
	    "timeout %lu", atomic_load(&lg->lg_ok),
	    atomic_load(&lg->lg_connect), atomic_load(&lg->lg_reset),
	    atomic_load(&lg->lg_bad), atomic_load(&lg->lg_timeout));
	return buf;
}
