/*
 * Listening sockets: opened once by the arbiter, inherited by workers.
 * Every fd here is close-on-exec; spawn.c clears the flag only on the
 * copies it places at fds 3.. in a worker.
 */
#ifndef POOLD_LISTEN_H
#define POOLD_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "addr.h"

struct listener {
	struct addr	l_addr;
	char		l_key[ADDR_HOST_MAX + 16];	/* addr_format() */
	int		l_fd;
	bool		l_unlink;	/* a unix socket file we created */
	bool		l_used;		/* mark for listen_sweep() */
};

/* Open (bind and listen) or adopt an fd://N; -1 with err set. */
int	 listen_open(struct listener *, const struct addr *, int backlog,
	    mode_t mode, char *err, size_t errlen);
/* Close; unlink the socket file only if unlink_path and we made it. */
void	 listen_close(struct listener *, bool unlink_path);
/* The bound address as text (the real port when :0 was asked). */
void	 listen_describe(const struct listener *, char *buf, size_t len);

#endif
