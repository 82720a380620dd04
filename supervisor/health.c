/* SPDX-License-Identifier: ISC */
/* The health probes (health.h). */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arbiter.h"
#include "conf.h"
#include "health.h"
#include "log.h"
#include "pool.h"

#define REASON_MAX	256

static const struct {
	const char	*hp_path;
	const char	*hp_name;
} probes[] = {
	[HP_LIVE] = { "/livez", "livez" },
	[HP_READY] = { "/readyz", "readyz" },
	[HP_STARTUP] = { "/startupz", "startupz" },
};

static struct {
	bool		h_started;	/* /readyz's condition has held */
	uint64_t	h_started_ms;	/* since the arbiter started */
	unsigned	h_refusals;	/* /readyz's 503s while draining */
	bool		h_judged, h_ready;	/* debug: its last state */
} hs;

bool
health_probe_named(const char *path, size_t len, enum health_probe *hp)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strlen(probes[i].hp_path) == len &&
		    memcmp(path, probes[i].hp_path, len) == 0) {
			*hp = (enum health_probe)i;
			return true;
		}
	}
	return false;
}

/* p's ready workers serving now, of any generation: during a reload's
   rolling replacement the old ones serve until the new are ready. */
static size_t
serving(const struct pool *p, uint64_t now)
{
	size_t old;

	return pool_serving(p, now, &old);
}

/* What p must have ready: its min_ready, but never more than its target
   (a pool at zero on purpose, ondemand at rest, needs none). */
static unsigned
needs(const struct pool *p)
{
	const struct pool_conf	*pc = arbiter_pool_conf(p);
	unsigned		 need = pc != NULL ? pc->pc_min_ready : 0;

	return p->p_target < (int)need ? (unsigned)p->p_target : need;
}

static bool
counts(const struct pool *p)
{
	return p->p_mode == PM_RUN && arbiter_pool_conf(p) != NULL;
}

/* /readyz's condition now, and why in why. */
static bool
ready_now(uint64_t now, char *why, size_t len)
{
	size_t n = 0;

	if (arbiter_draining()) {
		snprintf(why, len, "draining: poold is about to stop");
		return false;
	}
	if (arbiter_stopping()) {
		snprintf(why, len, "stopping");
		return false;
	}
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool	*p = arbiter_pool(i);
		size_t			 r;

		if (!counts(p))
			continue;
		n++;
		if ((r = serving(p, now)) < needs(p)) {
			snprintf(why, len, "pool %s: %zu of %u ready worker(s) "
			    "needed", p->p_name, r, needs(p));
			return false;
		}
	}
	snprintf(why, len, "ok: %zu pool(s) ready", n);
	return true;
}

static void
note_started(void)
{
	hs.h_started = true;
	hs.h_started_ms = arbiter_uptime_ms();
	log_info("ready: every pool has its min_ready workers ready, %.2f s "
	    "after start", hs.h_started_ms / 1000.0);
}

static int
judge(enum health_probe hp, uint64_t now, char *why, size_t len)
{
	switch (hp) {
	case HP_LIVE:
		snprintf(why, len, "ok: arbiter pid %ld, up %.1f s",
		    (long)getpid(), arbiter_uptime_ms() / 1000.0);
		return 200;
	case HP_READY:
		if (ready_now(now, why, len))
			return 200;
		/* Each 503 of a drain counts: drain_probes ends it once
		   the probers have seen that many. */
		if (arbiter_draining())
			hs.h_refusals++;
		return 503;
	case HP_STARTUP:
		if (!hs.h_started && ready_now(now, why, len))
			note_started();
		if (hs.h_started) {
			snprintf(why, len, "ok: ready %.2f s after start",
			    hs.h_started_ms / 1000.0);
			return 200;
		}
		return 503;
	}
	return 503;
}

static json_t *
pools_json(uint64_t now)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);

		if (counts(p) && json_array_append_new(a, json_pack("{s:s, "
		    "s:I, s:I, s:i}", "name", p->p_name, "ready",
		    (json_int_t)serving(p, now), "min_ready",
		    (json_int_t)needs(p), "target", p->p_target)) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int
verbose_body(enum health_probe hp, int status, const char *why,
    uint64_t now, struct health_reply *r)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:b, s:b, s:o*}", "probe",
	    probes[hp].hp_name, "status", status, "reason", why, "started",
	    hs.h_started, "stopping", arbiter_stopping(), "pools",
	    pools_json(now));

	if (o == NULL || (r->hr_body = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return -1;
	}
	json_decref(o);
	r->hr_len = strlen(r->hr_body);
	r->hr_json = true;
	return 0;
}

int
health_answer(enum health_probe hp, bool verbose, uint64_t now,
    struct health_reply *r)
{
	char why[REASON_MAX];
	int  n;

	memset(r, 0, sizeof(*r));
	r->hr_status = judge(hp, now, why, sizeof(why));
	if (verbose)
		return verbose_body(hp, r->hr_status, why, now, r);
	if ((r->hr_body = malloc(REASON_MAX + 1)) == NULL)
		return -1;
	n = snprintf(r->hr_body, REASON_MAX + 1, "%s\n", why);
	r->hr_len = n > REASON_MAX ? REASON_MAX : (size_t)n;
	return 0;
}

unsigned
health_refusals(void)
{
	return hs.h_refusals;
}

uint64_t
health_tick(uint64_t now)
{
	char		why[REASON_MAX];
	uint64_t	next = UINT64_MAX, d;
	bool		ready;

	/* Past the start, /readyz is judged when asked; at debug level,
	   each of its changes is logged as it happens. */
	if (hs.h_started && !log_debugging())
		return UINT64_MAX;
	ready = ready_now(now, why, sizeof(why));
	if (log_debugging() && (!hs.h_judged || ready != hs.h_ready))
		log_debug("readiness: /readyz answers %s: %s", ready ? "200" :
		    "503", why);
	hs.h_judged = true;
	hs.h_ready = ready;
	if (ready && !hs.h_started)
		note_started();
	if (ready && !log_debugging())
		return UINT64_MAX;
	for (size_t i = 0; i < arbiter_npools(); i++) {
		d = pool_next_ready(arbiter_pool(i), now);
		next = d < next ? d : next;
	}
	return next;
}
