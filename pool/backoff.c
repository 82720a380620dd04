/* SPDX-License-Identifier: ISC */
#include "config.h"

#include "backoff.h"

uint64_t
backoff_delay(unsigned fails)
{
	uint64_t d = BACKOFF_BASE_MS;

	if (fails == 0)
		return 0;
	/* Shift one step at a time: no overflow however long the loop. */
	while (--fails > 0 && d < BACKOFF_MAX_MS)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

void
backoff_fail(struct backoff *b, uint64_t now)
{
	if (b->b_fails < UINT32_MAX)
		b->b_fails++;
	b->b_until = now + backoff_delay(b->b_fails);
}

void
backoff_reset(struct backoff *b)
{
	b->b_fails = 0;
	b->b_until = 0;
}

bool
backoff_blocks(const struct backoff *b, uint64_t now)
{
	return now < b->b_until;
}
