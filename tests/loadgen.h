/*
 * A load client for the chaos tests: a thread that keeps n connections
 * busy against a port, one request per connection, and counts every
 * outcome.  A request succeeds when the whole reply arrives and says
 * what a good reply says; anything else (connect error, reset, short or
 * wrong reply, no reply within the deadline) is a failure, counted by
 * kind so a test can say which ones it allows.
 */
#ifndef POOLD_LOADGEN_H
#define POOLD_LOADGEN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

enum lg_kind {
	LG_HTTP,	/* GET / HTTP/1.0; "HTTP/1.x 2xx" and a closed stream */
	LG_REPORT,	/* tworker: one line ending in '\n' */
};

struct loadgen {
	int			 lg_port;
	int			 lg_conns;	/* at once, at most 64 */
	enum lg_kind		 lg_kind;
	_Atomic unsigned long	 lg_ok;
	_Atomic unsigned long	 lg_connect;	/* refused, or no connect */
	_Atomic unsigned long	 lg_reset;	/* reset or closed early */
	_Atomic unsigned long	 lg_bad;	/* a reply, but a wrong one */
	_Atomic unsigned long	 lg_timeout;	/* no reply in 10 s */
	atomic_bool		 lg_stop;
	pthread_t		 lg_thread;
};

/* Start the load; stop it and wait for the requests in flight. */
void		 lg_start(struct loadgen *, int port, int conns, enum lg_kind);
void		 lg_stop(struct loadgen *);
unsigned long	 lg_failures(const struct loadgen *);
/* "ok N, connect N, reset N, bad N, timeout N", for messages. */
const char	*lg_describe(const struct loadgen *, char *buf, size_t len);

#endif
