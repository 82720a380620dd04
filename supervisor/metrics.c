/*
 * A deliberately small HTTP/1.0 server: GET /metrics (or HEAD), one
 * request per connection, the reply built when the head is complete and
 * written as the socket takes it.  Anything else is answered 404, 405 or
 * 431 and closed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "evsource.h"
#include "listen.h"
#include "listeners.h"
#include "log.h"
#include "metrics.h"
#include "stats.h"

#define M_CLIENTS_MAX	16
#define M_HEAD_MAX	2048
#define M_DEADLINE_MS	5000
#define M_BACKLOG	64

struct mclient {
	struct ev_source	 mc_ev;
	char			 mc_in[M_HEAD_MAX];
	size_t			 mc_inlen;
	char			*mc_out;
	size_t			 mc_outlen, mc_sent;
	uint64_t		 mc_deadline;
};

static struct {
	struct listener		 m_l;
	struct ev_source	 m_ev;
	bool			 m_open;
	struct mclient		*m_clients[M_CLIENTS_MAX];
	size_t			 m_n;
} M = { .m_l = { .l_fd = -1 } };

static void
client_free(struct mclient *c)
{
	for (size_t i = 0; i < M.m_n; i++) {
		if (M.m_clients[i] == c) {
			M.m_clients[i] = M.m_clients[--M.m_n];
			break;
		}
	}
	ev_unwatch(&c->mc_ev);
	(void)close(c->mc_ev.es_fd);
	free(c->mc_out);
	free(c);
}

static int
reply(struct mclient *c, const char *status, const char *type,
    const char *body, size_t blen, bool head_only)
{
	int n;

	free(c->mc_out);
	if ((c->mc_out = malloc(256 + blen)) == NULL)
		return -1;
	n = snprintf(c->mc_out, 256, "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type,
	    blen);
	if (n < 0 || n >= 256)
		return -1;
	if (!head_only)
		memcpy(c->mc_out + n, body, blen);
	c->mc_outlen = (size_t)n + (head_only ? 0 : blen);
	c->mc_sent = 0;
	return 0;
}

/* The complete head in mc_in: decide the reply. */
static int
answer(struct mclient *c)
{
	static const char text[] = "text/plain; charset=utf-8";
	static const char prom[] = "text/plain; version=0.0.4; charset=utf-8";
	char	*body = NULL;
	long	 n;
	bool	 head = strncmp(c->mc_in, "HEAD ", 5) == 0;
	int	 rc;

	if (!head && strncmp(c->mc_in, "GET ", 4) != 0)
		return reply(c, "405 Method Not Allowed", text, "GET only\n", 9,
		    false);
	if (strncmp(c->mc_in + (head ? 5 : 4), "/metrics ", 9) != 0 &&
	    strncmp(c->mc_in + (head ? 5 : 4), "/metrics?", 9) != 0)
		return reply(c, "404 Not Found", text, "try /metrics\n", 13,
		    head);
	if ((n = stats_prometheus(&body, ev_now_ms())) < 0)
		return reply(c, "500 Internal Server Error", text, "no memory\n",
		    10, head);
	rc = reply(c, "200 OK", prom, body, (size_t)n, head);
	free(body);
	return rc;
}

static void
client_write(struct mclient *c)
{
	ssize_t n;

	while (c->mc_sent < c->mc_outlen) {
		n = send(c->mc_ev.es_fd, c->mc_out + c->mc_sent,
		    c->mc_outlen - c->mc_sent, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (ev_rewatch(&c->mc_ev, EPOLLOUT) == -1)
				client_free(c);
			return;
		}
		if (n <= 0) {
			client_free(c);
			return;
		}
		c->mc_sent += (size_t)n;
	}
	client_free(c);
}

static void
client_read(struct mclient *c)
{
	ssize_t n;

	for (;;) {
		if (c->mc_inlen == sizeof(c->mc_in) - 1) {
			if (reply(c, "431 Request Header Fields Too Large",
			    "text/plain", "", 0, false) == -1)
				client_free(c);
			else
				client_write(c);
			return;
		}
		n = read(c->mc_ev.es_fd, c->mc_in + c->mc_inlen,
		    sizeof(c->mc_in) - 1 - c->mc_inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			client_free(c);
			return;
		}
		c->mc_inlen += (size_t)n;
		c->mc_in[c->mc_inlen] = '\0';
		if (strstr(c->mc_in, "\r\n\r\n") != NULL ||
		    strstr(c->mc_in, "\n\n") != NULL)
			break;
	}
	if (answer(c) == -1)
		client_free(c);
	else
		client_write(c);
}

static void
on_client(struct ev_source *ev, uint32_t events)
{
	struct mclient *c = (struct mclient *)ev;

	if (c->mc_out != NULL)
		client_write(c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
}

static void
on_accept(struct ev_source *ev, uint32_t events)
{
	struct mclient	*c;
	int		 fd;

	(void)ev;
	(void)events;
	for (int i = 0; i < M_CLIENTS_MAX; i++) {
		fd = accept4(M.m_l.l_fd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("metrics: accept");
			return;
		}
		/* Full: the scraper will come back; the loop must not wait. */
		if (M.m_n == M_CLIENTS_MAX ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			(void)close(fd);
			continue;
		}
		c->mc_ev.es_fd = fd;
		c->mc_ev.es_fn = on_client;
		c->mc_deadline = ev_now_ms() + M_DEADLINE_MS;
		if (ev_watch(&c->mc_ev, EPOLLIN) == -1) {
			(void)close(fd);
			free(c);
			continue;
		}
		M.m_clients[M.m_n++] = c;
	}
}

int
metrics_open(const struct poold_conf *cf, char *err, size_t len)
{
	const struct addr	*a = &cf->c_metrics_listen;
	int			 fd;

	if (!cf->c_metrics)
		return 0;
	if ((fd = listeners_take_passed(a)) != -1) {
		if (listen_adopt(&M.m_l, a, fd, err, len) == -1)
			return -1;
	} else if (listen_open(&M.m_l, a, M_BACKLOG, 0666, err, len) == -1)
		return -1;
	if (fcntl(M.m_l.l_fd, F_SETFL, O_NONBLOCK) == -1) {
		snprintf(err, len, "metrics: %s", strerror(errno));
		listen_close(&M.m_l, true);
		return -1;
	}
	M.m_open = true;
	return 0;
}

int
metrics_start(void)
{
	char desc[ADDR_HOST_MAX + 16];

	if (!M.m_open)
		return 0;
	M.m_ev.es_fd = M.m_l.l_fd;
	M.m_ev.es_fn = on_accept;
	listen_describe(&M.m_l, desc, sizeof(desc));
	log_info("metrics at http://%s/metrics", desc);
	return ev_watch(&M.m_ev, EPOLLIN);
}

uint64_t
metrics_tick(uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < M.m_n; i++) {
		struct mclient *c = M.m_clients[i];
		if (now >= c->mc_deadline) {
			client_free(c);
			i--;	/* the last client moved into slot i */
		} else if (c->mc_deadline < next)
			next = c->mc_deadline;
	}
	return next;
}

int
metrics_fd(void)
{
	return M.m_open ? M.m_l.l_fd : -1;
}

void
metrics_handover(int yes)
{
	if (!M.m_open)
		return;
	if (yes)
		ev_unwatch(&M.m_ev);
	else if (ev_watch(&M.m_ev, EPOLLIN) == -1)
		log_warn("metrics: watching again");
	M.m_l.l_unlink = !yes && M.m_l.l_addr.a_kind == ADDR_UNIX;
}

void
metrics_close(void)
{
	while (M.m_n > 0)
		client_free(M.m_clients[0]);
	if (M.m_open)
		listen_close(&M.m_l, true);
	M.m_open = false;
}
