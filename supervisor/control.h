/* SPDX-License-Identifier: ISC */
/*
 * The control socket: peer checks, framing and buffering for clients
 * (accepting and the client table are sockserver.c's).  What a command
 * does is commands.c's; this file only moves lines, and never blocks the
 * arbiter: non-blocking fds, bounded buffers, a client cap and an idle
 * timeout.
 */
#ifndef POOLD_CONTROL_H
#define POOLD_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

#define CTL_CLIENTS_MAX		64
#define CTL_OUT_MAX		(1024 * 1024)	/* per client, replies */
#define CTL_EVENTS_MAX		(256 * 1024)	/* per subscriber, queued */

struct json_t;

/* Bind the socket (before -D forks); 0, or -1 with err set. */
int	 control_open(const struct poold_conf *, char *err, size_t len);
/* Start watching it (in the process that runs the loop). */
int	 control_start(void);
/* Close idle clients, resume a paused accept; the next deadline. */
uint64_t control_tick(uint64_t now);
bool	 control_has_subscribers(void);
/* Send an event (a JSON object, consumed) to every subscriber. */
void	 control_broadcast(struct json_t *);
/* The listening socket, to hand over on USR2; -1 if none. */
int	 control_fd(void);
/* While a new arbiter has it: stop accepting, keep the file at exit. */
void	 control_handover(bool);
/* Close everything and unlink the socket file (unless keep_file). */
void	 control_close(bool keep_file);

#endif
