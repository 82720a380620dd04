/* SPDX-License-Identifier: ISC */
/*
 * The arbiter's event loop: one epoll set and one clock.  Whatever the
 * loop watches is an ev_source embedded in its owner's struct (the
 * signalfd, the control and metrics listeners and their clients, the
 * notify socket, the listeners an idle ondemand pool watches), so
 * dispatch needs no lookup.  The loop knows nothing of pools: the
 * arbiter computes the next deadline, ev_wait sleeps until it or until
 * a source is ready.
 */
#ifndef POOLD_LOOP_H
#define POOLD_LOOP_H

#include <stdint.h>

struct ev_source {
	int	  es_fd;
	void	(*es_fn)(struct ev_source *, uint32_t events);
};

/* The epoll set, in the process that runs the loop; -1 with errno. */
int	 ev_init(void);
void	 ev_close(void);

int	 ev_watch(struct ev_source *, uint32_t events);
int	 ev_rewatch(struct ev_source *, uint32_t events);
void	 ev_unwatch(struct ev_source *);

/* Sleep until the monotonic ms deadline (EV_NEVER: until an event) or an
   event, and dispatch what is ready; -1 with errno on a loop failure. */
#define EV_NEVER	UINT64_MAX
int	 ev_wait(uint64_t deadline);

/* Monotonic milliseconds, the arbiter's one clock. */
uint64_t ev_now_ms(void);

#endif
