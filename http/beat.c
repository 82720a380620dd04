/* SPDX-License-Identifier: ISC */
/*
 * The heartbeat a worker can honestly give.  A sync or async worker's one
 * loop stops beating by itself when an app handler hangs.  A gthread
 * worker's poller goes on beating while one of its threads is stuck in a
 * handler, so each thread stamps when its handler began, and the poller
 * beats no later than the oldest stamp: a handler that runs longer than
 * the pool's timeout costs the worker, as it does for sync.  Time spent
 * reading a slow client is not counted; read_timeout bounds that.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "worker.h"

static _Atomic uint64_t	*since;		/* per thread: handler began, 0 */
static unsigned		 nthreads;
static _Thread_local int mine = -1;	/* this thread's stamp, or none */

int
hw_beat_init(unsigned threads)
{
	if ((since = calloc(threads, sizeof(*since))) == NULL)
		return -1;
	nthreads = threads;
	return 0;
}

void
hw_beat_thread(unsigned index)
{
	if (since != NULL && index < nthreads)
		mine = (int)index;
}

void
hw_handler_begin(void)
{
	if (mine != -1)
		atomic_store_explicit(&since[mine], sb_now_ms(),
		    memory_order_relaxed);
}

void
hw_handler_end(void)
{
	if (mine != -1)
		atomic_store_explicit(&since[mine], 0, memory_order_relaxed);
}

void
hw_beat_at(uint64_t now)
{
	uint64_t t;

	for (unsigned i = 0; i < nthreads; i++) {
		t = atomic_load_explicit(&since[i], memory_order_relaxed);
		if (t != 0 && t < now)
			now = t;
	}
	sb_beat_at(hw_board, now);
}
