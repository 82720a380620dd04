/*
 * The arbiter: one event loop over a signalfd, sleeping until the next
 * deadline.  It owns the listeners and the pools and never talks to a
 * client.
 */
#ifndef POOLD_ARBITER_H
#define POOLD_ARBITER_H

#include "conf.h"

struct cli;

/*
 * Open every listener and prepare the loop.  Takes the config; on error
 * returns -1 with err set and leaves nothing open.
 */
int	 arbiter_init(struct poold_conf *, const struct cli *, char *err,
	    size_t errlen);
/* Run until stopped; the process exit code. */
int	 arbiter_run(void);
/* Close listeners (unlinking socket files we made) and free everything. */
void	 arbiter_cleanup(void);

#endif
