/* SPDX-License-Identifier: ISC */
/*
 * A deliberately small HTTP/1.0 server: GET /metrics and the health
 * probes (health.h), or HEAD, one request per connection, the reply
 * built when the head is complete and written as the socket takes it;
 * and POST /drain, answered when the drain it starts is over (a preStop
 * hook waits for it).  Anything else is answered 404, 405 or 431 and
 * closed.
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

#include "arbiter.h"
#include "conf.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "sockserver.h"
#include "stats.h"

#define M_CLIENTS_MAX	16
#define M_HEAD_MAX	2048
#define M_DEADLINE_MS	5000
#define M_BACKLOG	64
#define M_DRAIN_SLACK_MS 10000	/* past drain_delay, for a POST /drain */

struct mclient {
	struct ss_client	 mc_sc;		/* first: the server's part */
	char			 mc_in[M_HEAD_MAX];
	size_t			 mc_inlen;
	char			*mc_out;
	size_t			 mc_outlen, mc_sent;
	bool			 mc_drain;	/* POST /drain, not answered */
};

#define mc_fd	mc_sc.sc_ev.es_fd

static void	on_accept(struct sockserver *, int);
static void	client_free(struct ss_client *);

static const struct ss_ops m_ops = {
	.so_accept = on_accept,
	.so_free = client_free,
};

static struct sockserver M = { .ss_name = "metrics", .ss_ops = &m_ops,
    .ss_max = M_CLIENTS_MAX, .ss_l = { .l_fd = -1 } };

static void
client_free(struct ss_client *sc)
{
	struct mclient *c = (struct mclient *)sc;

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

/* Whether the query string q (up to a space) has the parameter key, with
   a value or without. */
static bool
query_has(const char *q, const char *key)
{
	size_t n = strlen(key), len;

	for (;;) {
		len = strcspn(q, "& \r\n");
		if (len >= n && strncmp(q, key, n) == 0 && (len == n ||
		    q[n] == '='))
			return true;
		if (q[len] != '&')
			return false;
		q += len + 1;
	}
}

static int
answer_probe(struct mclient *c, enum health_probe hp, bool verbose,
    bool head)
{
	struct health_reply	r;
	int			rc;

	if (health_answer(hp, verbose, ev_now_ms(), &r) == -1)
		return reply(c, "500 Internal Server Error",
		    "text/plain; charset=utf-8", "no memory\n", 10, head);
	rc = reply(c, r.hr_status == 200 ? "200 OK" :
	    "503 Service Unavailable", r.hr_json ? "application/json" :
	    "text/plain; charset=utf-8", r.hr_body, r.hr_len, head);
	free(r.hr_body);
	return rc;
}

/*
 * POST /drain: the drain starts (or is joined), and the client waits for
 * its end, answered from metrics_tick().  Not GET: a crawler or a
 * curious browser must not take a node out.  Nothing to reply yet: 1.
 */
static int
drain_asked(struct mclient *c)
{
	if (arbiter_stopping() && !arbiter_draining())
		return reply(c, "200 OK", "text/plain; charset=utf-8",
		    "stopping already\n", 17, false);
	if (!arbiter_draining())
		arbiter_request_drain();
	c->mc_drain = true;
	c->mc_sc.sc_deadline = ev_now_ms() + arbiter_conf()->c_drain_ms +
	    M_DRAIN_SLACK_MS;
	return 1;
}

/* The drain is over (or never began): its waiting clients are told. */
static void
drain_answer(void)
{
	static const char done[] = "drained: poold is stopping\n";

	if (arbiter_draining())
		return;
	for (size_t i = 0; i < M.ss_n; i++) {
		struct mclient *c = (struct mclient *)M.ss_clients[i];

		if (!c->mc_drain)
			continue;
		c->mc_drain = false;
		if (reply(c, "200 OK", "text/plain; charset=utf-8", done,
		    sizeof(done) - 1, false) == -1) {
			ss_drop(&c->mc_sc);
			i--;	/* the last client moved into slot i */
			continue;
		}
		if (ev_rewatch(&c->mc_sc.sc_ev, EPOLLOUT) == -1) {
			ss_drop(&c->mc_sc);
			i--;
		}
	}
}

/* The complete head in mc_in: decide the reply; 1 if it comes later. */
static int
answer(struct mclient *c)
{
	static const char text[] = "text/plain; charset=utf-8";
	static const char prom[] = "text/plain; version=0.0.4; charset=utf-8";
	static const char none[] = "try /metrics, /livez, /readyz or "
	    "/startupz\n";
	enum health_probe hp;
	char	*body = NULL;
	long	 n;
	bool	 head = strncmp(c->mc_in, "HEAD ", 5) == 0;
	const char *path = c->mc_in + (head ? 5 : 4);
	size_t	 plen = strcspn(path, " ?\r\n");
	bool	 verbose = path[plen] == '?' && query_has(path + plen + 1,
		    "verbose");
	int	 rc;

	if (strncmp(c->mc_in, "POST /drain ", 12) == 0)
		return drain_asked(c);
	if (!head && strncmp(c->mc_in, "GET ", 4) != 0)
		return reply(c, "405 Method Not Allowed", text, "GET only\n", 9,
		    false);
	if (health_probe_named(path, plen, &hp))
		return answer_probe(c, hp, verbose, head);
	if (plen != 8 || strncmp(path, "/metrics", 8) != 0)
		return reply(c, "404 Not Found", text, none, sizeof(none) - 1,
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
		n = send(c->mc_fd, c->mc_out + c->mc_sent,
		    c->mc_outlen - c->mc_sent, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (ev_rewatch(&c->mc_sc.sc_ev, EPOLLOUT) == -1)
				ss_drop(&c->mc_sc);
			return;
		}
		if (n <= 0) {
			ss_drop(&c->mc_sc);
			return;
		}
		c->mc_sent += (size_t)n;
	}
	ss_drop(&c->mc_sc);
}

static void
client_read(struct mclient *c)
{
	ssize_t n;

	for (;;) {
		if (c->mc_inlen == sizeof(c->mc_in) - 1) {
			if (reply(c, "431 Request Header Fields Too Large",
			    "text/plain", "", 0, false) == -1)
				ss_drop(&c->mc_sc);
			else
				client_write(c);
			return;
		}
		n = read(c->mc_fd, c->mc_in + c->mc_inlen,
		    sizeof(c->mc_in) - 1 - c->mc_inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			ss_drop(&c->mc_sc);
			return;
		}
		c->mc_inlen += (size_t)n;
		c->mc_in[c->mc_inlen] = '\0';
		if (strstr(c->mc_in, "\r\n\r\n") != NULL ||
		    strstr(c->mc_in, "\n\n") != NULL)
			break;
	}
	switch (answer(c)) {
	case -1:
		ss_drop(&c->mc_sc);
		break;
	case 1:
		/* Its reply waits: nothing more to read (a body is
		   ignored), and a close from it is seen at the write. */
		if (ev_rewatch(&c->mc_sc.sc_ev, 0) == -1)
			ss_drop(&c->mc_sc);
		break;
	default:
		client_write(c);
	}
}

static void
on_client(struct ev_source *ev, uint32_t events)
{
	struct mclient *c = (struct mclient *)ev;

	if (c->mc_out != NULL)
		client_write(c);
	else if (c->mc_drain)
		ss_drop(&c->mc_sc);	/* hung up while it waited */
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
}

/* Full: the scraper will come back; the loop must not wait. */
static void
on_accept(struct sockserver *ss, int fd)
{
	struct mclient *c;

	if (ss_full(ss) || (c = calloc(1, sizeof(*c))) == NULL) {
		(void)close(fd);
		return;
	}
	if (ss_add(ss, &c->mc_sc, fd, on_client, EPOLLIN, ev_now_ms() +
	    M_DEADLINE_MS) == -1) {
		(void)close(fd);
		free(c);
	}
}

int
metrics_open(const struct poold_conf *cf, char *err, size_t len)
{
	if (!cf->c_metrics)
		return 0;
	return ss_open(&M, &cf->c_metrics_listen, M_BACKLOG, 0666, err, len);
}

int
metrics_start(void)
{
	char desc[ADDR_HOST_MAX + 16];

	if (!M.ss_open)
		return 0;
	lsock_describe(&M.ss_l, desc, sizeof(desc));
	log_info("metrics at http://%s/metrics; health probes at /livez, "
	    "/readyz and /startupz", desc);
	return ss_start(&M);
}

uint64_t
metrics_tick(uint64_t now)
{
	drain_answer();
	return ss_tick(&M, now);
}

int
metrics_fd(void)
{
	return ss_fd(&M);
}

void
metrics_handover(bool yes)
{
	ss_handover(&M, yes);
}

void
metrics_close(bool keep_file)
{
	ss_close(&M, keep_file);
}
