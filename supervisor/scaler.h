/* SPDX-License-Identifier: ISC */
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
 * fds are the pool's listeners.  A decision to change the target comes
 * back in *target with its reason in *why (NULL: no change), for the
 * arbiter to apply (arbiter_set_target).
 */
uint64_t	 scaler_tick(struct scaler *, const struct pool *,
		    const struct pool_conf *, const int *fds, size_t nfds,
		    uint64_t now, int *target, const char **why);
/* The last change's reason ("" before any), for status and stats. */
const char	*scaler_why(const struct scaler *);

#endif
