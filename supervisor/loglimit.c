/* SPDX-License-Identifier: ISC */
/* Rate-limited log lines (loglimit.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loglimit.h"
#include "loop.h"

static void
say(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(level, 0, fmt, ap);
	va_end(ap);
}

void
log_limited(struct log_limit *ll, enum log_level level, const char *fmt,
    ...)
{
	uint64_t	now = ev_now_ms();
	char		line[LOG_LIMIT_LINE];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* The summary of those held back first, with the last of them. */
	(void)log_limit_tick(ll, now);
	ll->ll_level = level;
	memcpy(ll->ll_last, line, sizeof(line));
	if (now < ll->ll_until) {
		ll->ll_more++;
		return;
	}
	say(level, "%s", line);
	ll->ll_until = now + LOG_LIMIT_MS;
}

uint64_t
log_limit_tick(struct log_limit *ll, uint64_t now)
{
	if (ll->ll_more == 0)
		return UINT64_MAX;
	if (now < ll->ll_until)
		return ll->ll_until;
	say(ll->ll_level, "%lu more like this in the last %d ms, the last: %s",
	    ll->ll_more, LOG_LIMIT_MS, ll->ll_last);
	ll->ll_more = 0;
	ll->ll_until = now + LOG_LIMIT_MS;
	return UINT64_MAX;
}
