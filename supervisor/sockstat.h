/* SPDX-License-Identifier: ISC */
/*
 * What the kernel says about a pool's TCP listeners: how many
 * connections wait in the accept queue, and how many are open.
 */
#ifndef POOLD_SOCKSTAT_H
#define POOLD_SOCKSTAT_H

#include <stddef.h>

/* Connections waiting on listening socket fd (TCP_INFO), or -1 if it
   is not a listening TCP socket. */
long	 sock_queue(int fd);
/* The same summed over a pool's listeners; -1 if none can say. */
long	 sock_queue_sum(const int *fds, size_t n);
/* Established TCP connections whose local port is fd's (sock_diag), or
   -1 if that cannot be known. */
long	 sock_established(int fd);

#endif
