/* SPDX-License-Identifier: ISC */
/*
 * The service manager's notify protocol (sd_notify(3)), as workers speak
 * it to the arbiter: one datagram of newline-separated VAR=VALUE
 * assignments.  This is only the parser; the socket is the arbiter's
 * (supervisor/workernotify.c).  No I/O here.
 */
#ifndef POOLD_NOTIFYMSG_H
#define POOLD_NOTIFYMSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* As systemd: larger datagrams are refused whole, not cut. */
#define NOTIFY_MSG_MAX		4096
#define NOTIFY_STATUS_MAX	128	/* bytes of STATUS= kept, NUL included */

enum {
	NM_READY	= 1 << 0,	/* READY=1 */
	NM_STOPPING	= 1 << 1,	/* STOPPING=1 */
	NM_WATCHDOG	= 1 << 2,	/* WATCHDOG=1 */
	NM_TRIGGER	= 1 << 3,	/* WATCHDOG=trigger */
	NM_STATUS	= 1 << 4,	/* STATUS=... */
	NM_ERRNO	= 1 << 5,	/* ERRNO=n */
	NM_EXTEND	= 1 << 6,	/* EXTEND_TIMEOUT_USEC=n */
	NM_RELOADING	= 1 << 7,	/* RELOADING=1 */
	NM_RECYCLE	= 1 << 8,	/* X_POOLD_RECYCLE=1 or =max_requests */
};

/*
 * X_POOLD_RECYCLE is poold's own (systemd's X_ prefix for variables it
 * does not know): a worker asks to be replaced by the rolling rule, and
 * keeps serving until its replacement is ready.  The built-in workers
 * send it on reaching max_requests.
 */
enum notify_recycle {
	NR_ASKED,	/* =1: the worker's own reason */
	NR_REQUESTS,	/* =max_requests */
};

struct notify_msg {
	unsigned	nm_flags;
	char		nm_status[NOTIFY_STATUS_MAX];	/* printable ASCII */
	int		nm_errno;
	uint64_t	nm_extend_usec;
	enum notify_recycle nm_recycle;
	unsigned	nm_ignored;	/* lines not understood */
};

/*
 * Parse one datagram's payload.  Lines it does not understand, and known
 * ones with a bad value, are counted in nm_ignored and otherwise
 * ignored, as systemd does; a later line overrides an earlier one.
 */
void	 notify_parse(const char *buf, size_t len, struct notify_msg *);

/*
 * NOTIFY_SOCKET as systemd sets it, a path ("/run/...") or an abstract
 * name ("@name"), into a socket address: its length, or 0 if addr is
 * neither or too long.
 */
struct sockaddr_un;
socklen_t notify_sockaddr(const char *addr, struct sockaddr_un *);

#endif
