/* SPDX-License-Identifier: ISC */
/*
 * Exponential backoff for crash-looping pools: 100 ms after the first
 * failed boot, doubling up to 10 s.  The pool resets it after a healthy
 * run (see pool.c); nothing here reads the clock.
 */
#ifndef POOLD_BACKOFF_H
#define POOLD_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#define BACKOFF_BASE_MS	100
#define BACKOFF_MAX_MS	10000

struct backoff {
	unsigned	b_fails;	/* failed boots since the last reset */
	uint64_t	b_until;	/* no spawn before this time (ms) */
};

uint64_t backoff_delay(unsigned fails);
void	 backoff_fail(struct backoff *, uint64_t now);
void	 backoff_reset(struct backoff *);
bool	 backoff_blocks(const struct backoff *, uint64_t now);

#endif
