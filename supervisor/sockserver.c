/* SPDX-License-Identifier: ISC */
/* A socket the arbiter serves, and its clients (sockserver.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listeners.h"
#include "log.h"
#include "sockserver.h"

#define SS_ACCEPT_BURST		16
#define SS_PAUSE_MS		1000	/* after EMFILE, as relayd does */

int
ss_open(struct sockserver *ss, const struct addr *a, int backlog,
    mode_t mode, char *err, size_t len)
{
	int fd;

	ss->ss_l.l_fd = -1;
	if ((fd = listeners_take_passed(a)) != -1) {
		if (lsock_adopt(&ss->ss_l, a, fd, err, len) == -1)
			return -1;
	} else if (lsock_open(&ss->ss_l, a, backlog, mode, err, len) == -1)
		return -1;
	if (fcntl(ss->ss_l.l_fd, F_SETFL, O_NONBLOCK) == -1) {
		snprintf(err, len, "%s: %s", ss->ss_name, strerror(errno));
		lsock_close(&ss->ss_l, true);
		return -1;
	}
	ss->ss_open = true;
	return 0;
}

/* Out of fds: stop accepting for a moment, one line to say so. */
static void
ss_pause(struct sockserver *ss)
{
	log_warn("%s: accept; pausing for %d ms", ss->ss_name, SS_PAUSE_MS);
	ev_unwatch(&ss->ss_ev);
	ss->ss_paused = true;
	ss->ss_resume = ev_now_ms() + SS_PAUSE_MS;
}

static void
ss_accept(struct ev_source *ev, uint32_t events)
{
	struct sockserver	*ss = (struct sockserver *)((char *)ev -
				    offsetof(struct sockserver, ss_ev));
	int			 fd;

	(void)events;
	for (int i = 0; i < SS_ACCEPT_BURST && !ss->ss_paused; i++) {
		fd = accept4(ev->es_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1)
			ss->ss_ops->so_accept(ss, fd);
		else if (errno == EMFILE || errno == ENFILE ||
		    errno == ENOBUFS || errno == ENOMEM)
			ss_pause(ss);
		else if (errno == EINTR || errno == ECONNABORTED)
			continue;
		else {
			if (errno != EAGAIN)
				log_warn("%s: accept", ss->ss_name);
			return;
		}
	}
}

int
ss_serve_fd(struct sockserver *ss, int fd)
{
	bool started = ss->ss_ev.es_fn != NULL;

	if (started && !ss->ss_paused)
		ev_unwatch(&ss->ss_ev);
	if (ss->ss_open)
		lsock_close(&ss->ss_l, false);
	memset(&ss->ss_l, 0, sizeof(ss->ss_l));
	ss->ss_l.l_fd = fd;
	ss->ss_open = true;
	if (!started)
		return 0;
	ss->ss_ev.es_fd = fd;
	/* Paused, ss_tick watches it when the pause is over. */
	return ss->ss_paused ? 0 : ev_watch(&ss->ss_ev, EPOLLIN);
}

int
ss_start(struct sockserver *ss)
{
	if (!ss->ss_open)
		return 0;
	ss->ss_ev.es_fd = ss->ss_l.l_fd;
	ss->ss_ev.es_fn = ss_accept;
	return ev_watch(&ss->ss_ev, EPOLLIN);
}

bool
ss_full(const struct sockserver *ss)
{
	return ss->ss_n >= ss->ss_max || ss->ss_n >= SS_CLIENTS_MAX;
}

int
ss_add(struct sockserver *ss, struct ss_client *c, int fd,
    void (*fn)(struct ev_source *, uint32_t), uint32_t events,
    uint64_t deadline)
{
	if (ss_full(ss))
		return -1;
	c->sc_ev.es_fd = fd;
	c->sc_ev.es_fn = fn;
	c->sc_srv = ss;
	c->sc_deadline = deadline;
	if (ev_watch(&c->sc_ev, events) == -1) {
		log_warn("%s: epoll", ss->ss_name);
		return -1;
	}
	ss->ss_clients[ss->ss_n++] = c;
	return 0;
}

void
ss_drop(struct ss_client *c)
{
	struct sockserver *ss = c->sc_srv;

	for (size_t i = 0; i < ss->ss_n; i++) {
		if (ss->ss_clients[i] == c) {
			ss->ss_clients[i] = ss->ss_clients[--ss->ss_n];
			break;
		}
	}
	ev_unwatch(&c->sc_ev);
	(void)close(c->sc_ev.es_fd);
	ss->ss_ops->so_free(c);
}

uint64_t
ss_tick(struct sockserver *ss, uint64_t now)
{
	uint64_t next = EV_NEVER;

	if (ss->ss_paused) {
		if (now >= ss->ss_resume && ev_watch(&ss->ss_ev, EPOLLIN) == 0)
			ss->ss_paused = false;
		else
			next = ss->ss_resume > now ? ss->ss_resume :
			    now + SS_PAUSE_MS;
	}
	for (size_t i = 0; i < ss->ss_n; i++) {
		struct ss_client *c = ss->ss_clients[i];
		if (now >= c->sc_deadline) {
			if (ss->ss_ops->so_expire != NULL)
				ss->ss_ops->so_expire(c);
			ss_drop(c);
			i--;	/* the last client moved into slot i */
		} else if (c->sc_deadline < next)
			next = c->sc_deadline;
	}
	return next;
}

int
ss_fd(const struct sockserver *ss)
{
	return ss->ss_open ? ss->ss_l.l_fd : -1;
}

void
ss_handover(struct sockserver *ss, bool yes)
{
	if (!ss->ss_open)
		return;
	/* The successor answers; ours stays open in case it fails. */
	if (yes)
		ev_unwatch(&ss->ss_ev);
	else if (ev_watch(&ss->ss_ev, EPOLLIN) == -1)
		log_warn("%s: watching again", ss->ss_name);
	ss->ss_l.l_unlink = !yes && ss->ss_l.l_addr.a_kind == ADDR_UNIX;
	ss->ss_paused = false;
}

void
ss_close(struct sockserver *ss, bool keep_file)
{
	while (ss->ss_n > 0)
		ss_drop(ss->ss_clients[0]);
	if (ss->ss_open)
		lsock_close(&ss->ss_l, !keep_file);
	ss->ss_open = false;
}
