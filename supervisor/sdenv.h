/* SPDX-License-Identifier: ISC */
/*
 * What a service manager puts in poold's environment, in the systemd
 * convention, and the wire under it: sockets passed in LISTEN_FDS (taken
 * by listeners.c), messages to NOTIFY_SOCKET and the watchdog's interval
 * (for manager.c, which decides what to say).  The notify socket poold
 * offers its own workers is another thing: workernotify.c.  Written here rather than taken from libsystemd, which
 * would map about a megabyte of libraries (libsystemd, libgcrypt, lz4,
 * zstd, lzma) into an arbiter that aims to stay under two.
 */
#ifndef POOLD_SDENV_H
#define POOLD_SDENV_H

#include <stddef.h>
#include <stdint.h>

#define SD_FDS_START	3

/*
 * The sockets passed to this process: their count, 0 if none (or they
 * were for another pid), -1 with err if the variables are malformed.
 * names[i] gets LISTEN_FDNAMES's i-th name ("unknown" if none).  Each fd
 * is made close-on-exec; the variables are removed from the environment.
 */
int	 sd_take_fds(char (*names)[256], int max, char *err, size_t len);
/* One datagram to NOTIFY_SOCKET: 1 sent, 0 if there is no manager,
   -errno on failure. */
int	 sd_send(const char *msg);
/* WATCHDOG_USEC, if the watchdog is ours (WATCHDOG_PID unset or our
   pid); else 0. */
uint64_t sd_watchdog_usec(void);

#endif
