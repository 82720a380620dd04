/* SPDX-License-Identifier: ISC */
/*
 * One listening socket (an lsock): bound or adopted, described, closed.
 * The arbiter's set of them, all pools together, is listeners.c's.
 * Opened once by the arbiter, inherited by workers.  Every fd here is close-on-exec; spawn.c clears the flag only on the
 * copies it places at fds 3.. in a worker.
 */
#ifndef POOLD_LSOCK_H
#define POOLD_LSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "addr.h"

struct listener {
	struct addr	l_addr;
	char		l_key[ADDR_HOST_MAX + 16];	/* addr_format() */
	int		l_fd;
	bool		l_unlink;	/* a unix socket file we created */
	bool		l_used;		/* mark for lsock_sweep() */
	char		l_name[ADDR_NAME_MAX + 1];	/* passed: its name */
};

/* Open (bind and listen) or adopt an fd://N; -1 with err set. */
int	 lsock_open(struct listener *, const struct addr *, int backlog,
	    mode_t mode, char *err, size_t errlen);
/* Take fd, passed to us, as the listener for a; -1 with err set if it is
   no listening stream socket. */
int	 lsock_adopt(struct listener *, const struct addr *, int fd,
	    char *err, size_t errlen);
/* Whether fd is bound where a TCP or unix address a would bind (never
   for port 0: any port would do). */
bool	 lsock_bound_to(int fd, const struct addr *);
/* Close; unlink the socket file only if unlink_path and we made it. */
void	 lsock_close(struct listener *, bool unlink_path);
/* The bound address as text (the real port when :0 was asked). */
void	 lsock_describe(const struct listener *, char *buf, size_t len);
/* The same for any socket fd; fallback if it says nothing useful. */
void	 lsock_describe_fd(int fd, const char *fallback, char *buf,
	    size_t len);

#endif
