/* SPDX-License-Identifier: ISC */
/*
 * The notify socket: where workers send sd_notify(3) messages (READY=1,
 * WATCHDOG=1, STATUS=...).  One datagram socket: a file in the runtime
 * directory, as systemd's /run/systemd/notify (notify_socket = path, the
 * default), or a kernel-named abstract one (notify_socket = abstract, or
 * where there is no runtime directory); each message is attributed to a
 * worker by the sender's pid as the kernel reports it (SO_PASSCRED),
 * never by anything the message says.
 */
#ifndef POOLD_WORKERNOTIFY_H
#define POOLD_WORKERNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct notify_stats {
	uint64_t	ns_received;	/* attributed to a worker */
	uint64_t	ns_dropped;	/* from no worker of ours */
	uint64_t	ns_refused;	/* too large, or without credentials */
};

/* Make the socket (close-on-exec: workers get its name, not the fd), a
   file unless abstract; 0, or -1 with err. */
int	 notify_open(bool abstract, char *err, size_t len);
/* Before a worker's start: its file made again if it was removed. */
void	 notify_check(void);
/* Whether a worker running as uid:gid can reach it (a file's directory
   may not let it through). */
bool	 notify_reachable_by(uid_t uid, gid_t gid);
/* Who a message is for: 0 if pid is a worker, which it then applies
   to; -1 if not (the message is counted as dropped). */
struct notify_msg;
typedef int (*notify_deliver_fn)(pid_t, const struct notify_msg *);

/* Watch it in the arbiter's loop, handing messages to deliver; after
   any -D fork.  0 or -1. */
int	 notify_start(notify_deliver_fn deliver);
/* NOTIFY_SOCKET for workers: a path, or "@name"; NULL if there is no
   socket. */
const char *notify_address(void);
const struct notify_stats *notify_stats(void);
/* The log's summary of what was refused or dropped, when due; the next
   time one may be, or UINT64_MAX. */
uint64_t notify_tick(uint64_t now);
/* Close it, and remove its file, unless notify_keep_file() was called
   first (a failed in-place upgrade: the previous binary, which the
   guardian brings back, goes on with it). */
void	 notify_close(void);
void	 notify_keep_file(void);
/* In-place upgrade: the socket's fd to carry across exec, and, in the
   new program before notify_open(), the fd carried. */
int	 notify_fd(void);
void	 notify_adopt(int fd);

#endif
