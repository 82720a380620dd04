/* SPDX-License-Identifier: ISC */
/*
 * Einhorn's command socket (einhorn.h).  Each client is one connection
 * that sends one line and is closed: a buffer of one maximal line, a
 * deadline, and at most EH_CLIENTS of them; messages are parsed by
 * proto/einhornmsg.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "einhorn.h"
#include "einhornmsg.h"
#include "log.h"
#include "loglimit.h"
#include "runsock.h"
#include "sockserver.h"

#define EH_CLIENTS	16	/* workers acking at once */
#define EH_BACKLOG	64	/* a pool's boot, all at once */
#define EH_IDLE_MS	5000	/* to send the line, once connected */

struct eh_client {
	struct ss_client eh_sc;		/* first: the server's part */
	pid_t		 eh_pid;	/* who connected, by the kernel */
	size_t		 eh_len;
	char		 eh_buf[EINHORN_LINE_MAX + 1];
};

static struct {
	struct sockserver	e_ss;
	char			e_addr[RUNSOCK_NAME_MAX];
	bool			e_file;		/* e_addr is ours to remove */
	bool			e_started;
	einhorn_ack_fn		e_ack;
	/* Anyone who can reach the socket can cause these. */
	struct log_limit	e_log_refused, e_log_stranger;
} eh;

static int	adopted = -1;	/* kept across an in-place upgrade */

static void
client_free(struct ss_client *sc)
{
	free(sc);
}

static void
client_expire(struct ss_client *sc)
{
	log_limited(&eh.e_log_refused, LOG_LVL_INFO, "einhorn socket: pid "
	    "%ld sent no line in %d ms; closing",
	    (long)((struct eh_client *)sc)->eh_pid, EH_IDLE_MS);
}

/* Einhorn's clients read replies as its transport writes them: a line;
   JSON is YAML too.  Best effort: the client may be gone. */
static void
refuse(struct eh_client *c, const char *command)
{
	char	line[160];
	int	n;

	n = snprintf(line, sizeof(line), "{\"message\":\"poold does not do "
	    "einhorn's %s; poolctl does what einhornsh did\"}\n", command);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)send(c->eh_sc.sc_ev.es_fd, line, (size_t)n,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
handle(struct eh_client *c, size_t len)
{
	struct einhorn_msg m;

	einhorn_parse(c->eh_buf, len, &m);
	switch (m.em_kind) {
	case EK_ACK:
		if (m.em_pid != 0 && m.em_pid != (long)c->eh_pid)
			log_debug("einhorn socket: pid %ld acks for pid %ld; "
			    "it counts for its sender", (long)c->eh_pid,
			    m.em_pid);
		if (eh.e_ack(c->eh_pid) == -1)
			log_limited(&eh.e_log_stranger, LOG_LVL_DEBUG,
			    "einhorn socket: dropped an ack from pid %ld, not "
			    "a worker", (long)c->eh_pid);
		break;
	case EK_OTHER:
		log_limited(&eh.e_log_refused, LOG_LVL_INFO, "einhorn socket: "
		    "pid %ld asked for %s, which poold does not do",
		    (long)c->eh_pid, m.em_command);
		refuse(c, m.em_command);
		break;
	case EK_BAD:
		log_limited(&eh.e_log_refused, LOG_LVL_INFO, "einhorn socket: "
		    "pid %ld sent a line that is no einhorn command",
		    (long)c->eh_pid);
		break;
	}
}

/* Read until the line is whole (or the peer is done sending), then
   act on it and close. */
static void
client_io(struct ev_source *ev, uint32_t events)
{
	struct eh_client	*c = (struct eh_client *)(void *)ev;
	char			*nl;
	ssize_t			 n;

	(void)events;
	for (;;) {
		n = read(ev->es_fd, c->eh_buf + c->eh_len,
		    sizeof(c->eh_buf) - c->eh_len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n > 0) {
			c->eh_len += (size_t)n;
			nl = memchr(c->eh_buf, '\n', c->eh_len);
			if (nl == NULL && c->eh_len < sizeof(c->eh_buf))
				continue;
			if (nl != NULL)
				handle(c, (size_t)(nl - c->eh_buf));
			else
				log_limited(&eh.e_log_refused, LOG_LVL_INFO,
				    "einhorn socket: pid %ld sent a line over "
				    "%d bytes; closing", (long)c->eh_pid,
				    EINHORN_LINE_MAX);
		} else if (n == 0 && c->eh_len > 0)
			handle(c, c->eh_len);	/* a last line, unended */
		ss_drop(&c->eh_sc);
		return;
	}
}

static void
client_accept(struct sockserver *ss, int fd)
{
	struct eh_client	*c;
	struct ucred		 cr;
	socklen_t		 sl = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == -1 ||
	    ss_full(ss) || (c = calloc(1, sizeof(*c))) == NULL) {
		log_limited(&eh.e_log_refused, LOG_LVL_WARNING, "einhorn "
		    "socket: refused a client (%zu at once at most)",
		    ss->ss_max);
		(void)close(fd);
		return;
	}
	c->eh_pid = cr.pid;
	if (ss_add(ss, &c->eh_sc, fd, client_io, EPOLLIN | EPOLLRDHUP,
	    ev_now_ms() + EH_IDLE_MS) == -1) {
		(void)close(fd);
		free(c);
	}
}

static const struct ss_ops eh_ops = {
	.so_accept = client_accept,
	.so_expire = client_expire,
	.so_free = client_free,
};

void
einhorn_adopt(int fd)
{
	adopted = fd;
}

int
einhorn_fd(void)
{
	return ss_fd(&eh.e_ss);
}

/* The socket, bound and listening; -1 with errno. */
static int
make_socket(bool abstract)
{
	int fd = adopted;

	adopted = -1;
	if (fd != -1)
		/* Our own before exec: workers know its name. */
		return fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    runsock_name(fd, eh.e_addr, &eh.e_file) == -1 ? -1 : fd;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	if (runsock_bind(fd, RS_EINHORN, abstract, eh.e_addr,
	    &eh.e_file) == -1 || listen(fd, EH_BACKLOG) == -1) {
		int saved = errno;

		if (eh.e_file)
			(void)unlink(eh.e_addr);
		eh.e_file = false;
		(void)close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
einhorn_open(bool wanted, bool abstract, char *err, size_t len)
{
	int fd;

	if (eh.e_ss.ss_open || (!wanted && adopted == -1))
		return 0;
	eh.e_ss.ss_name = "einhorn socket";
	eh.e_ss.ss_ops = &eh_ops;
	eh.e_ss.ss_max = EH_CLIENTS;
	if ((fd = make_socket(abstract)) == -1 ||
	    ss_serve_fd(&eh.e_ss, fd) == -1) {
		snprintf(err, len, "einhorn socket: %s", strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	log_info("einhorn socket at %s", eh.e_addr);
	return 0;
}

int
einhorn_start(einhorn_ack_fn ack)
{
	if (!eh.e_ss.ss_open || eh.e_started)
		return 0;
	eh.e_ack = ack;
	if (ss_start(&eh.e_ss) == -1)
		return -1;
	eh.e_started = true;
	return 0;
}

const char *
einhorn_address(void)
{
	return eh.e_ss.ss_open ? eh.e_addr : NULL;
}

/* As notify_check(): Einhorn's clients connect by path at each ack. */
void
einhorn_check(void)
{
	int fd;

	if (!eh.e_ss.ss_open || !eh.e_file ||
	    (fd = runsock_remake(eh.e_addr, RS_EINHORN)) == -1)
		return;
	if (listen(fd, EH_BACKLOG) == -1) {
		log_warn("einhorn socket %s", eh.e_addr);
		(void)close(fd);
	} else if (ss_serve_fd(&eh.e_ss, fd) == -1)
		log_warn("einhorn socket %s", eh.e_addr);
}

uint64_t
einhorn_tick(uint64_t now)
{
	uint64_t next = ss_tick(&eh.e_ss, now), d;

	d = log_limit_tick(&eh.e_log_refused, now);
	next = d < next ? d : next;
	d = log_limit_tick(&eh.e_log_stranger, now);
	return d < next ? d : next;
}

void
einhorn_keep_file(void)
{
	eh.e_file = false;
}

void
einhorn_close(void)
{
	if (!eh.e_ss.ss_open)
		return;
	ss_close(&eh.e_ss, true);	/* the file is ours, not its */
	if (eh.e_file && unlink(eh.e_addr) == -1 && errno != ENOENT)
		log_warn("einhorn socket %s", eh.e_addr);
	eh.e_file = false;
	eh.e_started = false;
}
