/*
 * The supervisor's half of autoscaling: it samples a pool when its mode
 * needs it, and only then (a static pool costs nothing), asks the pure
 * rule in pool/autoscale.c, and applies the answer.  For ondemand pools
 * at zero workers it watches the listening sockets instead, so that the
 * first connection wakes it without any sampling at all.
 */
#ifndef POOLD_SCALER_H
#define POOLD_SCALER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;
struct pool_conf;
struct scaler;

struct scaler	*scaler_new(void);
void		 scaler_free(struct scaler *);
/*
 * Sample and decide, if due; the next time to look (ms), or UINT64_MAX.
 * fds are the pool's listeners.  A change is applied to the pool's
 * target, logged and sent as an event.
 */
uint64_t	 scaler_tick(struct scaler *, struct pool *,
		    const struct pool_conf *, const int *fds, size_t nfds,
		    uint64_t now);
/* The last change's reason ("" before any), for status and stats. */
const char	*scaler_why(const struct scaler *);

#endif
