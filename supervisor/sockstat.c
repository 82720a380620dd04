/* SPDX-License-Identifier: ISC */
/*
 * TCP_INFO on a listening socket reports its accept queue in
 * tcpi_unacked (and the queue's limit in tcpi_sacked).  Open connections
 * are counted with an inet_diag dump of established sockets, matched on
 * the local port: no /proc parsing, and only for ondemand exec pools, at
 * their sampling interval.
 */
#include "config.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockstat.h"

#define DIAG_BUF	32768
#define DIAG_ROUNDS	4096	/* recv()s per dump, at most */

long
sock_queue(int fd)
{
	struct tcp_info	ti;
	socklen_t	sl = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &sl) == -1 ||
	    ti.tcpi_state != TCP_LISTEN)
		return -1;
	return (long)ti.tcpi_unacked;
}

/* The family and port fd listens on; -1 if not TCP over IP. */
static int
listen_port(int fd, int *family)
{
	struct sockaddr_storage	ss = { .ss_family = AF_UNSPEC };
	socklen_t		sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	*family = ss.ss_family;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

static int
dump_request(int nl, int family)
{
	struct {
		struct nlmsghdr		nh;
		struct inet_diag_req_v2	rq;
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.rq.sdiag_family = (uint8_t)family;
	msg.rq.sdiag_protocol = IPPROTO_TCP;
	msg.rq.idiag_states = 1 << TCP_ESTABLISHED;
	return sendto(nl, &msg, sizeof(msg), 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == (ssize_t)sizeof(msg) ? 0 : -1;
}

/* Count the replies whose source port is port; -1 on error. */
static long
count_replies(int nl, int port)
{
	static char	 buf[DIAG_BUF];
	long		 n = 0;
	ssize_t		 len;

	for (int round = 0; round < DIAG_ROUNDS; round++) {
		struct nlmsghdr *h;
		if ((len = recv(nl, buf, sizeof(buf), 0)) <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		    h = NLMSG_NEXT(h, len)) {
			struct inet_diag_msg *m = NLMSG_DATA(h);
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				return -1;
			n += ntohs(m->id.idiag_sport) == port;
		}
	}
	return -1;	/* a dump that never ends: give up, say unknown */
}

long
sock_established(int fd)
{
	int	family, port, nl;
	long	n;

	if ((port = listen_port(fd, &family)) == -1)
		return -1;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	n = dump_request(nl, family) == 0 ? count_replies(nl, port) : -1;
	(void)close(nl);
	return n;
}

long
sock_queue_sum(const int *fds, size_t n)
{
	long q, total = -1;

	for (size_t i = 0; i < n; i++) {
		if ((q = sock_queue(fds[i])) >= 0)
			total = (total < 0 ? 0 : total) + q;
	}
	return total;
}
