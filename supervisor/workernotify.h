/*
 * The notify socket: where workers send sd_notify(3) messages (READY=1,
 * WATCHDOG=1, STATUS=...).  One datagram socket in the abstract
 * namespace, named by the kernel; each message is attributed to a worker
 * by the sender's pid as the kernel reports it (SO_PASSCRED), never by
 * anything the message says.
 */
#ifndef POOLD_WORKERNOTIFY_H
#define POOLD_WORKERNOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct notify_stats {
	uint64_t	ns_received;	/* attributed to a worker */
	uint64_t	ns_dropped;	/* from no worker of ours */
	uint64_t	ns_refused;	/* too large, or without credentials */
};

/* Make the socket (close-on-exec: workers get its name, not the fd);
   0, or -1 with err. */
int	 notify_open(char *err, size_t len);
/* Who a message is for: 0 if pid is a worker, which it then applies
   to; -1 if not (the message is counted as dropped). */
struct notify_msg;
typedef int (*notify_deliver_fn)(pid_t, const struct notify_msg *);

/* Watch it in the arbiter's loop, handing messages to deliver; after
   any -D fork.  0 or -1. */
int	 notify_start(notify_deliver_fn deliver);
/* NOTIFY_SOCKET for workers: "@name"; NULL if there is no socket. */
const char *notify_address(void);
const struct notify_stats *notify_stats(void);
/* The log's summary of what was refused or dropped, when due; the next
   time one may be, or UINT64_MAX. */
uint64_t notify_tick(uint64_t now);
void	 notify_close(void);
/* In-place upgrade: the socket's fd to carry across exec, and, in the
   new program before notify_open(), the fd carried. */
int	 notify_fd(void);
void	 notify_adopt(int fd);

#endif
