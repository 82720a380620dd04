/*
 * The built-in HTTP worker, run in a child forked by the arbiter (no
 * exec).  Its listeners are at fds 3 .. 3 + hw_nfds - 1, as for any
 * worker; everything else it needs is in struct http_worker_conf.
 *
 * Signals, as Gunicorn's workers: TERM drains (stop accepting, finish
 * what is in flight, close idle connections, exit); INT and QUIT exit at
 * once; USR1 is ignored until there is an access log to reopen.
 */
#ifndef POOLD_HTTP_WORKER_H
#define POOLD_HTTP_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

enum http_class {
	HW_SYNC,	/* one connection at a time, Connection: close */
	HW_ASYNC,	/* epoll, keep-alive and pipelining */
};

struct http_worker_conf {
	enum http_class		hw_class;
	size_t			hw_nfds;
	unsigned		hw_slot;
	const char		*hw_pool;
	struct http_limits	hw_limits;
	unsigned		hw_keepalive_ms;	/* idle between requests */
	unsigned		hw_read_ms;	/* a request's head and body */
	unsigned		hw_connections;	/* async: at once */
};

/* Serve until told to stop; the exit code. */
int	 http_worker_run(const struct http_worker_conf *);

/* -- shared by the loops (serve.c) ------------------------------------------ */

#define HW_FIRST_FD	3
#define HW_OUT_MAX	1024	/* a whole hello or error reply fits */

/* Prepared once per worker: the hello body names the worker. */
void	 hw_init(const struct http_worker_conf *);
/* The full reply (head and body) for status; its length. */
size_t	 hw_reply(char *buf, size_t len, int status, bool keepalive,
	    int minor, bool head);
/* The most a request head can take under the limits, for buffers. */
size_t	 hw_head_max(const struct http_limits *);

/* The loops (sync.c, async.c); each returns the exit code. */
int	 hw_sync_run(const struct http_worker_conf *);
int	 hw_async_run(const struct http_worker_conf *);

#endif
