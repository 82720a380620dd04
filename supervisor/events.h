/* SPDX-License-Identifier: ISC */
/*
 * Events for `subscribe` clients (PROTOCOL.md, "Events").  Each costs
 * nothing when nobody is subscribed.
 */
#ifndef POOLD_EVENTS_H
#define POOLD_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pool;
struct pool_exit;

void	 event_spawned(const struct pool *, unsigned slot, pid_t);
void	 event_exited(const struct pool *, pid_t, int status,
	    const struct pool_exit *);
void	 event_signalled(const struct pool *, unsigned slot, pid_t, int sig,
	    const char *why);
/* The target moved from previous (by p_target_cause; why may be NULL). */
void	 event_scaled(const struct pool *, int previous, const char *why);
void	 event_reloaded(bool ok, const char *error);
void	 event_draining(unsigned delay_ms);
void	 event_stopping(bool quick);

#endif
