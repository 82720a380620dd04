/* SPDX-License-Identifier: ISC */
/*
 * The Prometheus endpoint, served by the arbiter itself: read-only,
 * small, and never blocking the loop (non-blocking sockets, a bounded
 * request, a deadline per client, a cap on clients).
 */
#ifndef POOLD_METRICS_H
#define POOLD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct poold_conf;

/* Listen where the config says (or take the socket passed for that
   address after an upgrade); 0, or -1 with err. */
int	 metrics_open(const struct poold_conf *, char *err, size_t len);
int	 metrics_start(void);
/* Drop clients past their deadline, resume a paused accept; the next
   deadline, or EV_NEVER. */
uint64_t metrics_tick(uint64_t now);
/* The listening socket, to hand over on upgrade; -1 if none. */
int	 metrics_fd(void);
/* While a new arbiter has it: stop accepting, keep the file at exit. */
void	 metrics_handover(bool);
/* Close everything; unlink a unix socket file we made unless keep_file. */
void	 metrics_close(bool keep_file);

#endif
