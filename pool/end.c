/* SPDX-License-Identifier: ISC */
/* Why a worker ended: the one table (end.h). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "end.h"

static const struct end_row {
	const char	*er_name;
	const char	*er_text;
	enum exit_kind	 er_kind;
} ends[END_NREASONS] = {
	[END_NONE] = { "none", "asked", EXIT_STOPPED },
	[END_SCALED_DOWN] = { "scaled_down", "scaled down", EXIT_STOPPED },
	[END_RELOAD] = { "reload", "replaced after reload", EXIT_STOPPED },
	[END_RESTART] = { "restart", "replaced by restart", EXIT_STOPPED },
	[END_UPGRADE] = { "upgrade", "replaced after upgrade", EXIT_STOPPED },
	[END_SUPERSEDED] = { "superseded", "superseded by a newer generation",
	    EXIT_STOPPED },
	[END_MAX_REQUESTS] = { "max_requests", "recycled after max_requests",
	    EXIT_STOPPED },
	[END_MAX_LIFETIME] = { "max_lifetime", "recycled after max_lifetime",
	    EXIT_STOPPED },
	[END_MAX_RSS] = { "max_rss", "recycled: over max_rss", EXIT_STOPPED },
	[END_RECYCLE_ASKED] = { "recycle_asked", "recycled at its own request",
	    EXIT_STOPPED },
	[END_MEMORY_HIGH] = { "memory_high", "recycled: over memory_high",
	    EXIT_STOPPED },
	[END_POOL_STOPPING] = { "pool_stopping", "pool stopping",
	    EXIT_STOPPED },
	[END_KILLED] = { "killed", "killed on request (poolctl kill)",
	    EXIT_STOPPED },
	[END_WATCHDOG] = { "watchdog", "watchdog timeout: no sign of life",
	    EXIT_STOPPED },
	[END_WATCHDOG_TRIGGER] = { "watchdog_trigger",
	    "watchdog triggered by the worker", EXIT_STOPPED },
	[END_BOOT_TIMEOUT] = { "boot_timeout", "not ready within boot_timeout",
	    EXIT_FAILED_BOOT },
	[END_FAILED_BOOT] = { "failed_boot", "failed boot", EXIT_FAILED_BOOT },
	[END_OOM] = { "oom", "killed by the OOM killer", EXIT_DIED },
	[END_DIED] = { "died", "died", EXIT_DIED },
};

static const struct end_row *
row(enum worker_end e)
{
	return (size_t)e < END_NREASONS ? &ends[e] : &ends[END_NONE];
}

const char *
end_name(enum worker_end e)
{
	return row(e)->er_name;
}

const char *
end_text(enum worker_end e)
{
	return row(e)->er_text;
}

enum exit_kind
end_kind(enum worker_end e)
{
	return row(e)->er_kind;
}

enum worker_end
end_from_name(const char *name)
{
	for (size_t e = 0; name != NULL && e < END_NREASONS; e++) {
		if (strcmp(ends[e].er_name, name) == 0)
			return (enum worker_end)e;
	}
	return END_NONE;
}

const char *
exit_kind_name(enum exit_kind k)
{
	static const char *const names[] = {
		[EXIT_STOPPED] = "stopped",
		[EXIT_FAILED_BOOT] = "failed_boot",
		[EXIT_DIED] = "died",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
