/* SPDX-License-Identifier: ISC */
/*
 * Why a worker ended.  One enum, one table (end.c): the log, the `exited`
 * event, `poolctl workers`' LAST EXIT, the pool's statistics and the
 * metrics' reason label all name an end from here, so a new reason is
 * one row.  The pool's policy (pool.c) decides the reason; nothing else
 * classifies an exit.
 */
#ifndef POOLD_END_H
#define POOLD_END_H

/* The three kinds the events and the backoff care about. */
enum exit_kind {
	EXIT_STOPPED,		/* we asked it to stop */
	EXIT_FAILED_BOOT,	/* died before it was ready, or soon after */
	EXIT_DIED,		/* died on its own after a healthy start */
};

enum worker_end {
	END_NONE,		/* running, nothing decided */
	/* Stopped by the pool, for a reason of its own. */
	END_SCALED_DOWN,	/* the target went below its slot */
	END_RELOAD,		/* replaced after HUP or `reload` */
	END_RESTART,		/* replaced by `poolctl restart` */
	END_UPGRADE,		/* replaced after `poolctl upgrade` */
	END_SUPERSEDED,		/* of a generation a newer one overtook */
	END_MAX_REQUESTS,	/* recycled: served max_requests */
	END_MAX_LIFETIME,	/* recycled: lived max_lifetime */
	END_MAX_RSS,		/* recycled: grew past max_rss */
	END_RECYCLE_ASKED,	/* recycled: X_POOLD_RECYCLE=1 */
	END_MEMORY_HIGH,	/* recycled: its tree crossed memory_high */
	END_POOL_STOPPING,	/* TERM, INT, QUIT; or the pool was removed */
	END_KILLED,		/* signalled by `poolctl kill`, and gone */
	END_WATCHDOG,		/* silent past its timeout */
	END_WATCHDOG_TRIGGER,	/* sent WATCHDOG=trigger */
	/* Never became a healthy worker. */
	END_BOOT_TIMEOUT,	/* not ready within boot_timeout */
	END_FAILED_BOOT,	/* died within the boot window */
	/* On its own. */
	END_OOM,		/* the kernel's OOM killer took it */
	END_DIED,
	END_NREASONS
};

/* "max_requests": a word, for events, statistics and metrics labels. */
const char	*end_name(enum worker_end);
/* "recycled after max_requests": for people, in the log and status. */
const char	*end_text(enum worker_end);
enum exit_kind	 end_kind(enum worker_end);
/* end_name's inverse; END_NONE for a name it does not know. */
enum worker_end	 end_from_name(const char *);
/* The kind's word: "stopped", "failed_boot", "died". */
const char	*exit_kind_name(enum exit_kind);

#endif
