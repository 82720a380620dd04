/* SPDX-License-Identifier: ISC */
/*
 * Einhorn's command socket, for pools with compat = "einhorn": its path
 * is their workers' EINHORN_SOCK_PATH, where Einhorn's worker libraries
 * send worker:ack once the program is up (Einhorn's manual ACK mode,
 * `einhorn -m manual`).  An ack counts as READY=1 from whoever sent it,
 * exactly as a notify datagram would: the sender is the process the
 * kernel says connected, never the pid the message names, and the
 * pool's notify_access applies.  Einhorn's other commands (einhornsh's
 * upgrade, inc, ...) are refused with a line saying so: poolctl does
 * those.
 *
 * A stream socket beside the notify socket, a file in poold's runtime
 * directory or abstract as it is (runsock.h); made when a pool first
 * asks for it, at start or on a reload; carried over an in-place
 * upgrade; removed at exit.
 */
#ifndef POOLD_EINHORN_H
#define POOLD_EINHORN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* pid acked: 0 if it is a worker, which it then applies to; -1 if not. */
typedef int (*einhorn_ack_fn)(pid_t);

/*
 * Make the socket if wanted (a pool has compat = einhorn) or carried by
 * an in-place upgrade, unless it is made already; abstract as the notify
 * socket is.  0, or -1 with err.
 */
int	 einhorn_open(bool wanted, bool abstract, char *err, size_t len);
/* Accept on it in the arbiter's loop, acks going to ack; 0 if there is
   no socket or it is accepting already, or -1. */
int	 einhorn_start(einhorn_ack_fn ack);
/* EINHORN_SOCK_PATH for workers; NULL if there is no socket. */
const char *einhorn_address(void);
/* Before a worker's start: its file made again if it was removed. */
void	 einhorn_check(void);
/* Clients past their deadline ended; the next deadline, or UINT64_MAX. */
uint64_t einhorn_tick(uint64_t now);
/* In-place upgrade: the fd to carry across exec; in the new program,
   before einhorn_open(), the fd carried. */
int	 einhorn_fd(void);
void	 einhorn_adopt(int fd);
/* Close it and remove its file, unless einhorn_keep_file() was called
   (a failed in-place upgrade: the previous binary goes on with it). */
void	 einhorn_keep_file(void);
void	 einhorn_close(void);

#endif
