/*
 * Something the arbiter's epoll loop watches: a fd and what to call when
 * it is ready.  Embedded in the owner's struct (signalfd, control
 * listener, control clients), so dispatch needs no lookup.
 */
#ifndef POOLD_EVSOURCE_H
#define POOLD_EVSOURCE_H

#include <stdint.h>

struct ev_source {
	int	  es_fd;
	void	(*es_fn)(struct ev_source *, uint32_t events);
};

int	 ev_watch(struct ev_source *, uint32_t events);
int	 ev_rewatch(struct ev_source *, uint32_t events);
void	 ev_unwatch(struct ev_source *);

/* Monotonic milliseconds, the arbiter's one clock. */
uint64_t ev_now_ms(void);

#endif
