/* SPDX-License-Identifier: ISC */
/*
 * The control socket's JSON replies, for the integration tests that
 * read them (jansson is linked only where this is).
 */
#ifndef POOLD_HJSON_H
#define POOLD_HJSON_H

#include <jansson.h>

struct poold;

/* One request on a fresh control connection; the parsed reply (the test
   fails if there is none, or it is not JSON).  json_decref it. */
json_t	*h_ctl_json(struct poold *, const char *request);

/*
 * How many workers of pool ended for reason end (a word of pool/end.c:
 * "upgrade", "restart", "max_rss"...), as `poolctl stats` counts them:
 * what the log says in words, as a contract.  -1 if there is no such
 * pool, -2 if poold does not answer.
 */
int	 h_exits(struct poold *, const char *pool, const char *end);
/* Wait until that count reaches n. */
bool	 h_wait_exits(struct poold *, const char *pool, const char *end,
	    int n, int timeout_ms);
/* Workers the pool has started (`poolctl stats` spawns). */
int	 h_spawns(struct poold *, const char *pool);
/* The pool's target per `poolctl status`, -1 if there is no such pool,
   -2 if poold does not answer; wait until it is target. */
int	 h_target(struct poold *, const char *pool);
bool	 h_wait_target(struct poold *, const char *pool, int target,
	    int timeout_ms);

/* Subscribed to pd's events: the connection, its welcome read. */
int	 h_subscribe(struct poold *);
/* The events read from a subscription until it ends (poold exited) or
   timeout_ms, at most H_EVENTS_MAX: a new array.  json_decref it. */
#define H_EVENTS_MAX	4096
json_t	*h_events_read(int fd, int timeout_ms);
/* How many of events are named name, with key equal to value (key NULL:
   any). */
int	 h_events_match(json_t *events, const char *name, const char *key,
	    const char *value);
/* The first of events that matches, borrowed; NULL if none. */
json_t	*h_events_find(json_t *events, const char *name, const char *key,
	    const char *value);
/* Read events from a subscription into seen until one matches (as
   h_events_match): that one, borrowed from seen; NULL at the deadline. */
json_t	*h_event_wait(int fd, json_t *seen, const char *name,
	    const char *key, const char *value, int timeout_ms);

#endif
