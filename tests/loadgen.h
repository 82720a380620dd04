/* SPDX-License-Identifier: ISC */
/*
 * A load client for the chaos tests: a thread that keeps up to n
 * connections busy against a port, one request per connection, opened
 * at a fixed pace, and accounts for every request.  A request succeeds
 * when the whole reply arrives and says what a good reply says; every
 * other outcome is a failure of a named kind, so that a test can say
 * which ones it allows and a failure says where it happened: the SYN
 * never answered (the kernel's business, or a full listen queue), the
 * connection accepted but never answered (a worker's), a reset, a wrong
 * reply.  Each request's latency is kept: the slowest one and the first
 * failure are told step by step, and requests over LG_STALL_MS counted.
 */
#ifndef POOLD_LOADGEN_H
#define POOLD_LOADGEN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "conntrack.h"

#define LG_STALL_MS	1000	/* a request this slow is a stall */
#define LG_DEADLINE_MS	10000	/* then a request has failed */

enum lg_kind {
	LG_HTTP,	/* GET / HTTP/1.0; "HTTP/1.x 2xx" and a closed stream */
	LG_REPORT,	/* tworker: one line ending in '\n' */
};

/* How one request went, in µs from its connect(2). */
enum lg_outcome {
	LG_OK,
	LG_REFUSED,	/* connect failed: refused, or no route */
	LG_NO_SYNACK,	/* the handshake never completed in time */
	LG_RESET,	/* reset, or closed before any reply */
	LG_UNANSWERED,	/* connected, no complete reply in time */
	LG_BAD,		/* closed after a wrong or partial reply */
	LG_NOUTCOMES
};

struct lg_story {
	long			ls_start_us;	/* from lg_start */
	long			ls_connected_us; /* -1: never */
	long			ls_sent_us;	/* -1: never (LG_REPORT: -1) */
	long			ls_first_us;	/* first reply byte; -1: none */
	long			ls_end_us;	/* its end, whatever the end */
	size_t			ls_bytes;
	int			ls_errno;	/* of the failing call, or 0 */
	enum lg_outcome		ls_outcome;
};

struct loadgen {
	int			 lg_port;
	int			 lg_conns;	/* at once, at most 64 */
	int			 lg_rate;	/* new connections per second */
	enum lg_kind		 lg_kind;
	int			 lg_deadline_ms;
	long			 lg_t0_us;	/* CLOCK_MONOTONIC at start */
	atomic_bool		 lg_stop;
	pthread_t		 lg_thread;
	/* Read by others while running: */
	_Atomic unsigned long	 lg_ok;
	/* Written by the client's thread alone; read after lg_stop. */
	unsigned long		 lg_count[LG_NOUTCOMES];
	unsigned long		 lg_requests;	/* ended, all outcomes */
	unsigned long		 lg_stalls;	/* over LG_STALL_MS */
	long			 lg_elapsed_us;
	struct lg_story		 lg_slowest;	/* any outcome */
	struct lg_story		 lg_first_failure;
	bool			 lg_failed;
	struct ct_sample	 lg_ct_before, lg_ct_after;
};

/* Start the load at rate connections per second (pace.h says which);
   stop it and wait for the requests in flight. */
void		 lg_start(struct loadgen *, int port, int conns, int rate,
		    enum lg_kind);
/* lg_start in two steps, to change the defaults (lg_deadline_ms). */
void		 lg_init(struct loadgen *, int port, int conns, int rate,
		    enum lg_kind);
void		 lg_run(struct loadgen *);
void		 lg_stop(struct loadgen *);
/* After lg_stop: failed requests, of every kind. */
unsigned long	 lg_failures(const struct loadgen *);
/* After lg_stop: requests the pace allowed in the time it ran. */
unsigned long	 lg_offered(const struct loadgen *);
/* After lg_stop: the counts, the slowest request, conntrack's drops and,
   if any request failed, the first failure's story; for messages. */
const char	*lg_describe(const struct loadgen *, char *buf, size_t len);

#endif
