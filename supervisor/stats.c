/* SPDX-License-Identifier: ISC */
/*
 * Statistics (see stats.h).  Metric names follow Prometheus conventions:
 * poold_ prefix, base units, _total for counters, labels for pools,
 * states, reasons and listeners.
 */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arbiter.h"
#include "cgroup.h"
#include "conf.h"
#include "lsock.h"
#include "pool.h"
#include "scoreboard.h"
#include "sockstat.h"
#include "stats.h"

struct totals {
	uint64_t	t_requests;	/* exited and running workers */
	uint64_t	t_bytes;
	size_t		t_running, t_ready, t_stopping;
	int		t_builtin;	/* the counts above mean something */
};

static void
totals(const struct pool *p, uint64_t now, struct totals *t)
{
	const struct pool_stats	*ps = arbiter_pool_stats(p);
	const struct pool_conf	*pc = arbiter_pool_conf(p);
	const struct sb_entry	*e;

	memset(t, 0, sizeof(*t));
	t->t_requests = ps->ps_requests;
	t->t_bytes = ps->ps_bytes;
	t->t_builtin = pc != NULL && pc->pc_class != WC_EXEC;
	for (size_t i = 0; i < p->p_nw; i++) {
		if ((e = sb_entry(p->p_w[i].w_board)) == NULL)
			continue;
		t->t_requests += atomic_load_explicit(&e->se_requests,
		    memory_order_relaxed);
		t->t_bytes += atomic_load_explicit(&e->se_bytes,
		    memory_order_relaxed);
	}
	t->t_running = pool_count(p, WS_RUNNING);
	t->t_ready = pool_ready(p, now);
	t->t_stopping = pool_count(p, WS_STOPPING) + pool_count(p, WS_KILLED);
}

/* -- JSON ------------------------------------------------------------------ */

static json_t *
exits_json(const struct pool_stats *ps)
{
	json_t *o = json_object();

	for (int r = END_NONE + 1; o != NULL && r < END_NREASONS; r++)
		json_object_set_new(o, end_name(r),
		    json_integer((json_int_t)ps->ps_exits[r]));
	return o;
}

/* Per built-in worker: what its scoreboard entry says. */
static json_t *
workers_json(const struct pool *p, uint64_t now)
{
	const struct sb_entry	*e;
	json_t			*a = json_array();

	for (size_t i = 0; a != NULL && i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		if ((e = sb_entry(w->w_board)) == NULL)
			continue;
		json_array_append_new(a, json_pack("{s:i, s:i, s:I, s:I, s:f}",
		    "id", (int)w->w_slot, "pid", (int)w->w_pid, "requests",
		    (json_int_t)atomic_load(&e->se_requests), "bytes",
		    (json_int_t)atomic_load(&e->se_bytes), "age",
		    (now - w->w_started) / 1000.0));
	}
	return a;
}

static json_t *
pool_json(const struct pool *p, uint64_t now)
{
	const struct pool_stats	*ps = arbiter_pool_stats(p);
	const struct pool_conf	*pc = arbiter_pool_conf(p);
	struct totals		 t;
	long			 q = arbiter_pool_queue(p);

	totals(p, now, &t);
	return json_pack("{s:s, s:i, s:s, s:s, s:{s:I, s:I, s:I}, s:I, s:o*,"
	    " s:o, s:o, s:o, s:o*}",
	    "name", p->p_name, "target", p->p_target,
	    "scale", pc != NULL ? scale_mode_name(pc->pc_scale.sc_mode) :
	    "static", "scale_why", arbiter_pool_scale_why(p),
	    "workers", "running", (json_int_t)t.t_running,
	    "ready", (json_int_t)t.t_ready, "stopping",
	    (json_int_t)t.t_stopping,
	    "spawns", (json_int_t)ps->ps_spawns, "exits", exits_json(ps),
	    "requests", t.t_builtin ? json_integer((json_int_t)t.t_requests) :
	    json_null(),
	    "bytes", t.t_builtin ? json_integer((json_int_t)t.t_bytes) :
	    json_null(),
	    "listen_queue", q >= 0 ? json_integer(q) : json_null(),
	    "per_worker", workers_json(p, now));
}

json_t *
stats_json(uint64_t now)
{
	json_t *pools = json_array();

	for (size_t i = 0; pools != NULL && i < arbiter_npools(); i++) {
		if (json_array_append_new(pools, pool_json(arbiter_pool(i),
		    now)) == -1) {
			json_decref(pools);
			return NULL;
		}
	}
	return json_pack("{s:o*}", "pools", pools);
}

/* -- Prometheus ------------------------------------------------------------ */

struct text {
	char	*t_buf;
	size_t	 t_len, t_cap;
	int	 t_failed;
};

static void __attribute__((format(printf, 2, 3)))
put(struct text *t, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*nb;

	for (int tries = 0; tries < 2 && !t->t_failed; tries++) {
		va_start(ap, fmt);
		n = vsnprintf(t->t_buf + t->t_len, t->t_cap - t->t_len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->t_failed = 1;
			return;
		}
		if ((size_t)n < t->t_cap - t->t_len) {
			t->t_len += (size_t)n;
			return;
		}
		if (t->t_cap * 2 + (size_t)n > STATS_TEXT_MAX ||
		    (nb = realloc(t->t_buf, t->t_cap * 2 + (size_t)n + 1)) ==
		    NULL) {
			t->t_failed = 1;
			return;
		}
		t->t_buf = nb;
		t->t_cap = t->t_cap * 2 + (size_t)n + 1;
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void
put_label(struct text *t, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			put(t, "\\%c", *v);
		else if (*v == '\n')
			put(t, "\\n");
		else
			put(t, "%c", *v);
	}
}

static void
head(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
per_pool(struct text *t, const char *name, const struct pool *p,
    const char *label, const char *lvalue, unsigned long long v)
{
	put(t, "%s{pool=\"", name);
	put_label(t, p->p_name);
	if (label != NULL && lvalue != NULL) {
		put(t, "\",%s=\"", label);
		put_label(t, lvalue);
	}
	put(t, "\"} %llu\n", v);
}

static void
workers_metric(struct text *t, uint64_t now)
{
	struct totals tt;

	head(t, "poold_workers", "gauge", "Workers by state.");
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);
		totals(p, now, &tt);
		per_pool(t, "poold_workers", p, "state", "running", tt.t_running);
		per_pool(t, "poold_workers", p, "state", "ready", tt.t_ready);
		per_pool(t, "poold_workers", p, "state", "stopping",
		    tt.t_stopping);
	}
}

static void
counters(struct text *t, uint64_t now)
{
	struct totals tt;

	head(t, "poold_worker_spawns_total", "counter", "Workers started.");
	for (size_t i = 0; i < arbiter_npools(); i++)
		per_pool(t, "poold_worker_spawns_total", arbiter_pool(i), NULL,
		    NULL, arbiter_pool_stats(arbiter_pool(i))->ps_spawns);
	head(t, "poold_worker_exits_total", "counter", "Workers ended, by "
	    "reason.");
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool_stats *ps = arbiter_pool_stats(
		    arbiter_pool(i));
		for (int r = END_NONE + 1; r < END_NREASONS; r++)
			per_pool(t, "poold_worker_exits_total", arbiter_pool(i),
			    "reason", end_name(r), ps->ps_exits[r]);
	}
	head(t, "poold_requests_total", "counter", "Requests served by "
	    "built-in workers.");
	for (size_t i = 0; i < arbiter_npools(); i++) {
		totals(arbiter_pool(i), now, &tt);
		if (tt.t_builtin)
			per_pool(t, "poold_requests_total", arbiter_pool(i),
			    NULL, NULL, tt.t_requests);
	}
	head(t, "poold_response_body_bytes_total", "counter", "Body bytes "
	    "sent by built-in workers.");
	for (size_t i = 0; i < arbiter_npools(); i++) {
		totals(arbiter_pool(i), now, &tt);
		if (tt.t_builtin)
			per_pool(t, "poold_response_body_bytes_total",
			    arbiter_pool(i), NULL, NULL, tt.t_bytes);
	}
}

static void
scaling(struct text *t)
{
	char	 name[300];
	size_t	 n;
	long	 q;

	head(t, "poold_scale_target", "gauge", "Workers each pool aims for.");
	for (size_t i = 0; i < arbiter_npools(); i++)
		per_pool(t, "poold_scale_target", arbiter_pool(i), NULL, NULL,
		    (unsigned long long)arbiter_pool(i)->p_target);
	head(t, "poold_listen_queue", "gauge", "Connections waiting to be "
	    "accepted, per TCP listener.");
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);
		const int *fds = arbiter_pool_fds(p, &n);
		for (size_t j = 0; j < n; j++) {
			if ((q = sock_queue(fds[j])) < 0)
				continue;
			lsock_describe_fd(fds[j], "?", name, sizeof(name));
			per_pool(t, "poold_listen_queue", p, "listener", name,
			    (unsigned long long)q);
		}
	}
}

/* Each worker's tree, from its cgroup: only where it has one.  Read
   once per worker, then written as families (each must be whole).  A
   replacement in the same slot starts the counters again (a reset,
   which rate() takes). */
struct tree_sample {
	const struct pool	*ts_pool;
	unsigned		 ts_slot;
	struct cg_usage		 ts_use;
};

static void
per_worker(struct text *t, const char *name, const struct tree_sample *s,
    const char *extra, double v)
{
	put(t, "%s{pool=\"", name);
	put_label(t, s->ts_pool->p_name);
	put(t, "\",worker=\"%u\"%s} %.15g\n", s->ts_slot, extra, v);
}

/* PSI's stall totals: one family, by resource and kind. */
static void
pressure_metrics(struct text *t, const struct tree_sample *ts, size_t n)
{
	static const char *const labels[CGP_N] = {
		[CGP_CPU_SOME] = ",resource=\"cpu\",kind=\"some\"",
		[CGP_MEMORY_SOME] = ",resource=\"memory\",kind=\"some\"",
		[CGP_MEMORY_FULL] = ",resource=\"memory\",kind=\"full\"",
		[CGP_IO_SOME] = ",resource=\"io\",kind=\"some\"",
		[CGP_IO_FULL] = ",resource=\"io\",kind=\"full\"",
	};

	head(t, "poold_worker_pressure_seconds_total", "counter", "Time some "
	    "(or all) of each worker's tree stalled on a resource (PSI).");
	for (size_t k = 0; k < n; k++)
		for (size_t r = 0; r < CGP_N; r++)
			if (ts[k].ts_use.cu_pressure[r] >= 0)
				per_worker(t, "poold_worker_pressure_seconds_"
				    "total", &ts[k], labels[r],
				    ts[k].ts_use.cu_pressure[r] / 1e6);
}

static void
tree_metrics(struct text *t)
{
	struct tree_sample	*ts;
	const char		*why;
	size_t			 n = 0, max = 0;

	if (!cg_enabled())
		return;
	for (size_t i = 0; i < arbiter_npools(); i++)
		max += arbiter_pool(i)->p_nw;
	if (max == 0 || (ts = calloc(max, sizeof(*ts))) == NULL)
		return;
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);

		for (size_t j = 0; j < p->p_nw; j++) {
			ts[n].ts_pool = p;
			ts[n].ts_slot = p->p_w[j].w_slot;
			if (cg_usage(p->p_w[j].w_pid, &ts[n].ts_use) == 0)
				n++;
		}
	}
	head(t, "poold_worker_cpu_seconds_total", "counter", "CPU time of "
	    "each worker's tree, from its cgroup.");
	for (size_t k = 0; k < n; k++)
		per_worker(t, "poold_worker_cpu_seconds_total", &ts[k], "",
		    ts[k].ts_use.cu_cpu_usec / 1e6);
	head(t, "poold_worker_processes", "gauge", "Processes in each "
	    "worker's tree, from its cgroup.");
	for (size_t k = 0; k < n; k++)
		per_worker(t, "poold_worker_processes", &ts[k], "",
		    ts[k].ts_use.cu_procs);
	if (cg_available(true, &why) & CGR_MEMORY) {
		head(t, "poold_worker_memory_bytes", "gauge", "Memory of each "
		    "worker's tree (memory.current).");
		for (size_t k = 0; k < n; k++)
			if (ts[k].ts_use.cu_memory >= 0)
				per_worker(t, "poold_worker_memory_bytes",
				    &ts[k], "", (double)ts[k].ts_use.cu_memory);
	}
	pressure_metrics(t, ts, n);
	free(ts);
}

long
stats_prometheus(char **out, uint64_t now)
{
	struct text t = { .t_cap = 4096 };

	if ((t.t_buf = malloc(t.t_cap)) == NULL)
		return -1;
	head(&t, "poold_info", "gauge", "The running poold.");
	put(&t, "poold_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	head(&t, "poold_uptime_seconds", "gauge", "Seconds since the arbiter "
	    "started.");
	put(&t, "poold_uptime_seconds %.3f\n", arbiter_uptime_ms() / 1000.0);
	workers_metric(&t, now);
	counters(&t, now);
	scaling(&t);
	tree_metrics(&t);
	if (t.t_failed) {
		free(t.t_buf);
		return -1;
	}
	*out = t.t_buf;
	return (long)t.t_len;
}
