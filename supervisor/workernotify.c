/* SPDX-License-Identifier: ISC */
/*
 * The notify socket poold offers its workers (see workernotify.h); the
 * messages are parsed by proto/notifymsg.c.  Reading is bounded per wakeup so that a flood of
 * datagrams cannot starve the rest of the loop; a message larger than
 * NOTIFY_MSG_MAX is refused whole, as systemd refuses it; descriptors
 * passed along (FDSTORE=1 and the like) are closed at once, since poold
 * keeps none for its workers.
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
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "log.h"
#include "loglimit.h"
#include "notifymsg.h"
#include "runsock.h"
#include "workernotify.h"

#define NOTIFY_BURST	64	/* datagrams per wakeup */
#define NOTIFY_FDS_MAX	253	/* SCM_MAX_FD */

static struct {
	struct ev_source	n_ev;
	char			n_addr[RUNSOCK_NAME_MAX];
	struct notify_stats	n_stats;
	bool			n_watched;
	bool			n_file;		/* n_addr is a path we remove */
	notify_deliver_fn	n_deliver;
	/* Anyone who can reach the socket can send; counted, not each
	   logged. */
	struct log_limit	n_log_refused, n_log_dropped;
} ns = { .n_ev = { .es_fd = -1 } };

/* Close every fd that came with the message. */
static void
close_passed(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			(void)close(fd);
		}
	}
}

static const struct ucred *
sender(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
			return (const struct ucred *)(void *)CMSG_DATA(c);
	}
	return NULL;
}

/* One datagram; false when there is none left. */
static bool
read_one(void)
{
	char			 buf[NOTIFY_MSG_MAX];
	union {
		struct cmsghdr	 align;
		char		 b[CMSG_SPACE(sizeof(struct ucred)) +
				    CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
	}			 cbuf;
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &cbuf, .msg_controllen = sizeof(cbuf),
	};
	const struct ucred	*uc;
	struct notify_msg	 m;
	ssize_t			 n;

	n = recvmsg(ns.n_ev.es_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC |
	    MSG_TRUNC);
	if (n == -1) {
		if (errno == EINTR)
			return true;
		if (errno != EAGAIN)
			log_warn("notify socket");
		return false;
	}
	close_passed(&mh);
	uc = sender(&mh);
	if (uc == NULL || (mh.msg_flags & MSG_TRUNC) || n > (ssize_t)sizeof(buf)) {
		ns.n_stats.ns_refused++;
		log_limited(&ns.n_log_refused, LOG_LVL_DEBUG, "notify: "
		    "refused a message of %zd bytes%s", n, uc == NULL ?
		    " without credentials" : "");
		return true;
	}
	notify_parse(buf, (size_t)n, &m);
	if (ns.n_deliver(uc->pid, &m) == -1) {
		ns.n_stats.ns_dropped++;
		log_limited(&ns.n_log_dropped, LOG_LVL_DEBUG, "notify: "
		    "dropped a message from pid %ld, not a worker",
		    (long)uc->pid);
	} else
		ns.n_stats.ns_received++;
	return true;
}

static void
on_readable(struct ev_source *ev, uint32_t events)
{
	(void)ev;
	(void)events;
	for (int i = 0; i < NOTIFY_BURST && read_one(); i++)
		continue;
}

static int	adopted = -1;	/* kept across an in-place upgrade */

void
notify_adopt(int fd)
{
	adopted = fd;
}

int
notify_fd(void)
{
	return ns.n_ev.es_fd;
}

int
notify_open(bool abstract, char *err, size_t len)
{
	int	fd, one = 1;

	if ((fd = adopted) != -1) {
		/* Our own socket before exec: workers know its name. */
		adopted = -1;
		ns.n_ev.es_fd = fd;
		ns.n_ev.es_fn = on_readable;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    runsock_name(fd, ns.n_addr, &ns.n_file) == -1)
			goto fail;
		return 0;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		goto fail;
	ns.n_ev.es_fd = fd;
	ns.n_ev.es_fn = on_readable;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) ==
	    -1 || runsock_bind(fd, RS_NOTIFY, abstract, ns.n_addr,
	    &ns.n_file) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, len, "notify socket: %s", strerror(errno));
	notify_close();
	return -1;
}

/*
 * Before a worker's start: a socket file something removed under us is
 * made again at the same path, so that new workers and old ones
 * (sd_notify sends by path each time) reach poold again.  One lstat per
 * spawn, nothing while idle.
 */
void
notify_check(void)
{
	int fd;

	if (!ns.n_file || (fd = runsock_remake(ns.n_addr, RS_NOTIFY)) == -1)
		return;
	if (ns.n_watched)
		ev_unwatch(&ns.n_ev);
	(void)close(ns.n_ev.es_fd);
	ns.n_ev.es_fd = fd;
	if (ns.n_watched && ev_watch(&ns.n_ev, EPOLLIN) == -1) {
		log_warn("notify socket");
		ns.n_watched = false;
	}
}

bool
notify_reachable_by(uid_t uid, gid_t gid)
{
	return !ns.n_file || runsock_reachable_by(ns.n_addr, uid, gid);
}

int
notify_start(notify_deliver_fn deliver)
{
	ns.n_deliver = deliver;
	if (ns.n_ev.es_fd == -1)
		return 0;
	if (ev_watch(&ns.n_ev, EPOLLIN) == -1)
		return -1;
	ns.n_watched = true;
	return 0;
}

const char *
notify_address(void)
{
	return ns.n_ev.es_fd == -1 ? NULL : ns.n_addr;
}

const struct notify_stats *
notify_stats(void)
{
	return &ns.n_stats;
}

void
notify_keep_file(void)
{
	ns.n_file = false;
}

void
notify_close(void)
{
	if (ns.n_ev.es_fd == -1)
		return;
	if (ns.n_watched)
		ev_unwatch(&ns.n_ev);
	(void)close(ns.n_ev.es_fd);
	ns.n_ev.es_fd = -1;
	ns.n_watched = false;
	if (ns.n_file && unlink(ns.n_addr) == -1 && errno != ENOENT)
		log_warn("notify socket %s", ns.n_addr);
	ns.n_file = false;
}

uint64_t
notify_tick(uint64_t now)
{
	uint64_t next = log_limit_tick(&ns.n_log_refused, now), d;

	d = log_limit_tick(&ns.n_log_dropped, now);
	return d < next ? d : next;
}
