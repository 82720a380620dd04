/* SPDX-License-Identifier: ISC */
/*
 * Log lines that the outside world causes (a refused control peer, a
 * client over the cap, a stranger's notify datagram) come as fast as
 * anyone cares to cause them.  Each such call site has a limiter: its
 * first line is logged, the next ones within LOG_LIMIT_MS are counted,
 * and log_limit_tick() then says how many there were, in one line a
 * second at most, with the last of them.
 */
#ifndef POOLD_LOGLIMIT_H
#define POOLD_LOGLIMIT_H

#include <stdint.h>

#include "log.h"

#define LOG_LIMIT_MS		1000
#define LOG_LIMIT_LINE		192

struct log_limit {
	uint64_t	ll_until;	/* ms: quiet until then */
	unsigned long	ll_more;	/* lines held back since */
	enum log_level	ll_level;
	char		ll_last[LOG_LIMIT_LINE];	/* the last of them */
};

void	 log_limited(struct log_limit *, enum log_level, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The summary line, if one is due; the next time one may be, or
   UINT64_MAX. */
uint64_t log_limit_tick(struct log_limit *, uint64_t now);

#endif
