/* SPDX-License-Identifier: ISC */
/*
 * Sampling for autoscaled pools (see scaler.h).
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "autoscale.h"
#include "conf.h"
#include "loop.h"
#include "log.h"
#include "pool.h"
#include "scaler.h"
#include "scoreboard.h"
#include "sockstat.h"

#define WATCH_MAX	64	/* listeners watched for ondemand */

struct watch {
	struct ev_source	 w_ev;
	struct scaler		*w_scaler;
	bool			 w_on;
};

struct scaler {
	struct scale_state	 s_state;
	uint64_t		 s_next;	/* next sample */
	uint64_t		 s_seen;	/* requests + conns, last look */
	bool			 s_woken;	/* a listener became readable */
	char			 s_why[96];
	struct watch		 s_watch[WATCH_MAX];
	size_t			 s_nwatch;
};

struct scaler *
scaler_new(void)
{
	struct scaler *s = calloc(1, sizeof(*s));

	return s;
}

static void
unwatch(struct scaler *s)
{
	for (size_t i = 0; i < s->s_nwatch; i++) {
		if (s->s_watch[i].w_on)
			ev_unwatch(&s->s_watch[i].w_ev);
	}
	s->s_nwatch = 0;
}

void
scaler_free(struct scaler *s)
{
	if (s == NULL)
		return;
	unwatch(s);
	free(s);
}

const char *
scaler_why(const struct scaler *s)
{
	return s->s_why;
}

/* Level-triggered: one wake-up is enough; the workers take it from
   there, so the listener is not watched again until the pool is idle. */
static void
on_listener(struct ev_source *ev, uint32_t events)
{
	struct watch *w = (struct watch *)ev;

	(void)events;
	w->w_scaler->s_woken = true;
	unwatch(w->w_scaler);
}

static void
watch(struct scaler *s, const int *fds, size_t nfds)
{
	for (size_t i = 0; i < nfds && s->s_nwatch < WATCH_MAX; i++) {
		struct watch *w = &s->s_watch[s->s_nwatch++];
		w->w_ev.es_fd = fds[i];
		w->w_ev.es_fn = on_listener;
		w->w_scaler = s;
		w->w_on = ev_watch(&w->w_ev, EPOLLIN) == 0;
		if (!w->w_on)
			log_warn("watching listener %d", fds[i]);
	}
}

/*
 * Idle built-in workers: running, current, no request in progress (one
 * still booting is idle: it takes the next connection).  -1 while the
 * pool has fewer workers than its target: it is still converging, and
 * what has not started yet would read as a shortage.
 */
static int
idle_workers(const struct pool *p)
{
	const struct sb_entry	*e;
	int			 n = 0, running = 0;

	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if (w->w_state != WS_RUNNING || w->w_gen != p->p_gen ||
		    (e = sb_entry(w->w_board)) == NULL)
			continue;
		running++;
		n += atomic_load_explicit(&e->se_busy,
		    memory_order_relaxed) == 0;
	}
	return running < p->p_target ? -1 : n;
}

/* Whether the pool was used since the last look (ondemand). */
static bool
used(struct scaler *s, const struct pool *p, const struct pool_conf *pc,
    const int *fds, size_t nfds)
{
	const struct sb_entry	*e;
	uint64_t		 seen = 0;
	bool			 open = false;

	if (pc->pc_class == WC_EXEC) {
		for (size_t i = 0; i < nfds; i++)
			open = open || sock_established(fds[i]) > 0;
		return open;
	}
	for (size_t i = 0; i < p->p_nw; i++) {
		if ((e = sb_entry(p->p_w[i].w_board)) == NULL)
			continue;
		seen += atomic_load_explicit(&e->se_requests,
		    memory_order_relaxed);
		open = open || atomic_load_explicit(&e->se_conns,
		    memory_order_relaxed) > 0;
	}
	open = open || seen != s->s_seen;
	s->s_seen = seen;
	return open;
}

static void
sample(struct scaler *s, const struct pool *p, const struct pool_conf *pc,
    const int *fds, size_t nfds, struct scale_sample *ss)
{
	long total = sock_queue_sum(fds, nfds);

	memset(ss, 0, sizeof(*ss));
	ss->ss_queued = total > 0 ? (unsigned)total : 0;
	if (s->s_woken)
		ss->ss_queued = ss->ss_queued ? ss->ss_queued : 1;
	s->s_woken = false;
	if (pc->pc_scale.sc_mode == SCALE_DYNAMIC)
		ss->ss_idle = idle_workers(p);
	if (pc->pc_scale.sc_mode == SCALE_ONDEMAND && p->p_target > 0)
		ss->ss_active = used(s, p, pc, fds, nfds);
}

uint64_t
scaler_tick(struct scaler *s, const struct pool *p, const struct pool_conf *pc,
    const int *fds, size_t nfds, uint64_t now, int *target, const char **why)
{
	struct scale_sample	 ss;
	int			 t;

	*why = NULL;

	if (pc == NULL || pc->pc_scale.sc_mode == SCALE_STATIC ||
	    p->p_mode != PM_RUN) {
		unwatch(s);
		return UINT64_MAX;
	}
	/* ondemand at rest: the listeners wake us, nothing to sample. */
	if (pc->pc_scale.sc_mode == SCALE_ONDEMAND && p->p_target == 0 &&
	    !s->s_woken) {
		if (s->s_nwatch == 0)
			watch(s, fds, nfds);
		return UINT64_MAX;
	}
	unwatch(s);
	if (now < s->s_next && !s->s_woken)
		return s->s_next;
	sample(s, p, pc, fds, nfds, &ss);
	if (ss.ss_idle < 0) {		/* dynamic, still converging */
		s->s_next = now + pc->pc_scale_interval_ms;
		return s->s_next;
	}
	t = scale_decide(&pc->pc_scale, &s->s_state, &ss, now, p->p_target,
	    p->p_lim.pl_min, p->p_lim.pl_max, why);
	if (*why != NULL) {
		snprintf(s->s_why, sizeof(s->s_why), "%s", *why);
		*target = t;
	}
	if (pc->pc_scale.sc_mode == SCALE_ONDEMAND &&
	    (*why != NULL ? t : p->p_target) == 0)
		return now;	/* back to watching, at once */
	s->s_next = now + pc->pc_scale_interval_ms;
	return s->s_next;
}
