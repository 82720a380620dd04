/* SPDX-License-Identifier: ISC */
/*
 * The health probes orchestrators ask (Kubernetes' livenessProbe,
 * readinessProbe and startupProbe; Nomad's http checks), answered on the
 * metrics listener by the arbiter's loop itself:
 *
 *   /livez     200 while the loop runs: no answer at all means it is
 *              wedged (a probe's timeout), which is what liveness asks.
 *   /readyz    200 when every pool has at least min_ready ready workers
 *              (of any generation: a reload's rolling replacement keeps
 *              the old ones serving) and poold is neither draining nor
 *              stopping; else 503.  Draining, it fails while the
 *              workers serve on, for the load balancers to notice.
 *   /startupz  200 once /readyz's condition has held; it stays so.
 *
 * Each answers one line saying why; with ?verbose, a JSON object with
 * each pool's numbers.
 */
#ifndef POOLD_HEALTH_H
#define POOLD_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum health_probe { HP_LIVE, HP_READY, HP_STARTUP };

struct health_reply {
	int		 hr_status;	/* 200 or 503 */
	bool		 hr_json;	/* body is JSON, else a line of text */
	char		*hr_body;	/* allocated */
	size_t		 hr_len;
};

/* The probe named by path ("/readyz"); false if path is none. */
bool	 health_probe_named(const char *path, size_t len,
	    enum health_probe *);
/* The answer to probe, now; 0, or -1 if out of memory. */
int	 health_answer(enum health_probe, bool verbose, uint64_t now,
	    struct health_reply *);
/* How many times /readyz has answered 503 while poold was draining
   (drain_probes ends the drain on that many). */
unsigned health_refusals(void);
/* From the loop, until startup is reached: notes it; the next time to
   look (a worker ready by the clock alone), or UINT64_MAX. */
uint64_t health_tick(uint64_t now);

#endif
