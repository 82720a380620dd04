/* SPDX-License-Identifier: ISC */
/*
 * The control commands of PROTOCOL.md, one function each, dispatched by a
 * table indexed by the command.  Replies are built with jansson.
 */
#include "config.h"

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "arbiter.h"
#include "commands.h"
#include "compat.h"
#include "confprint.h"
#include "loop.h"
#include "capture.h"
#include "cgroup.h"
#include "guardian.h"
#include "inplace.h"
#include "workernotify.h"
#include "pool.h"
#include "procstat.h"
#include "scoreboard.h"
#include "signame.h"
#include "stats.h"
#include "reexec.h"
#include "usr2.h"

typedef json_t *(*cmd_fn)(const struct proto_request *, bool *subscribe);

static json_t *
ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

json_t *
commands_error(enum proto_err code, const char *fmt, ...)
{
	char	msg[CONF_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code",
	    proto_err_name(code), "message", msg);
}

/* Set key on a reply unless building it already failed. */
static json_t *
with(json_t *obj, const char *key, json_t *val)
{
	if (obj == NULL || val == NULL) {
		json_decref(obj);
		json_decref(val);
		return NULL;
	}
	if (json_object_set_new(obj, key, val) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A pool by name, the running one first.  A pool that is stopping (poold
 * is stopping, or a reload removed it and it drains) is still listed by
 * status: commands that look (workers) or act on one worker (kill, for a
 * stuck one) take it; commands that would change it (scale, restart) get
 * busy, not no_such_pool.
 */
static struct pool *
find_pool(const char *name, bool stopping_too, json_t **err)
{
	struct pool *p = arbiter_pool_named(name);

	if (p != NULL)
		return p;
	for (size_t i = 0; i < arbiter_npools(); i++) {
		if (strcmp(arbiter_pool(i)->p_name, name) != 0)
			continue;
		if (stopping_too)
			return arbiter_pool(i);
		*err = commands_error(PERR_BUSY, "pool %.64s is stopping", name);
		return NULL;
	}
	*err = commands_error(PERR_NO_SUCH_POOL, "no pool named %.64s", name);
	return NULL;
}

static const char *
pool_class(const struct pool *p)
{
	const struct pool_conf *pc = arbiter_pool_conf(p);

	return pc != NULL ? worker_class_name(pc->pc_class) : "removed";
}

/* -- read-only ------------------------------------------------------------ */

static json_t *
cmd_hello(const struct proto_request *rq, bool *sub)
{
	return json_pack("{s:b, s:i, s:s, s:i}", "ok", 1, "protocol",
	    PROTO_VERSION, "version", PACKAGE_VERSION, "pid", (int)getpid());
}

static json_t *
cmd_version(const struct proto_request *rq, bool *sub)
{
	return json_pack("{s:b, s:s, s:i}", "ok", 1, "version",
	    PACKAGE_VERSION, "protocol", PROTO_VERSION);
}

static json_t *
pool_status(const struct pool *p, uint64_t now)
{
	uint64_t wait = p->p_backoff.b_until > now ?
	    p->p_backoff.b_until - now : 0;
	const struct pool_conf *pc = arbiter_pool_conf(p);
	size_t	 old, serving = pool_serving(p, now, &old);

	return json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:i,"
	    " s:i, s:i, s:f, s:s, s:s}",
	    "name", p->p_name, "worker", pool_class(p), "target", p->p_target,
	    "target_by", pool_target_cause_name(p->p_target_cause),
	    "running", (json_int_t)pool_count(p, WS_RUNNING),
	    "ready", (json_int_t)pool_ready(p, now),
	    "serving", (json_int_t)serving, "replacing", (json_int_t)old,
	    "stopping", (json_int_t)pool_count(p, WS_STOPPING) +
	    (json_int_t)pool_count(p, WS_KILLED), "min", p->p_lim.pl_min,
	    "max", p->p_lim.pl_max, "generation", (int)p->p_gen,
	    "backoff", wait / 1000.0, "scale", pc != NULL ?
	    scale_mode_name(pc->pc_scale.sc_mode) : "static",
	    "scale_why", arbiter_pool_scale_why(p));
}

/* The notify socket and what came through it. */
static json_t *
notify_json(void)
{
	const struct notify_stats *ns = notify_stats();

	return json_pack("{s:s?, s:I, s:I, s:I}", "socket", notify_address(),
	    "received", (json_int_t)ns->ns_received, "dropped",
	    (json_int_t)ns->ns_dropped, "refused",
	    (json_int_t)ns->ns_refused);
}

/* Where the workers' cgroups are, which controllers they have, and why
   some (or all) are missing. */
static json_t *
cgroups_json(const struct poold_conf *c)
{
	char		 names[32];
	const char	*why;
	unsigned	 have = cg_available(c->c_cgroups, &why);
	json_t		*o;

	o = json_pack("{s:s?, s:s?}", "path", cg_path(), "missing", why);
	if (o != NULL && cg_path() != NULL)
		o = with(o, "controllers", json_string(cgres_names(have, names,
		    sizeof(names))));
	return o;
}

static json_t *
cmd_status(const struct proto_request *rq, bool *sub)
{
	const struct poold_conf	*c = arbiter_conf();
	json_t			*pools = json_array(), *r;
	uint64_t		 now = ev_now_ms();

	for (size_t i = 0; pools != NULL && i < arbiter_npools(); i++) {
		if (json_array_append_new(pools,
		    pool_status(arbiter_pool(i), now)) == -1) {
			json_decref(pools);
			pools = NULL;
		}
	}
	r = json_pack("{s:b, s:i, s:s, s:f, s:s, s:i}", "ok", 1, "pid",
	    (int)getpid(), "version", PACKAGE_VERSION, "uptime",
	    arbiter_uptime_ms() / 1000.0, "state",
	    arbiter_draining() ? "draining" : arbiter_stopping() ? "stopping" :
	    "running", "generation",
	    (int)arbiter_generation());
	r = with(r, "config", c->c_path ? json_string(c->c_path) :
	    json_null());
	r = with(r, "notify", notify_json());
	r = with(r, "cgroups", cgroups_json(c));
	r = with(r, "capture", json_pack("{s:b, s:I, s:I, s:I}", "on",
	    arbiter_capturing(), "lines", (json_int_t)capture_stats()->cs_lines,
	    "cut", (json_int_t)capture_stats()->cs_cut, "lost",
	    (json_int_t)capture_stats()->cs_lost));
	return with(r, "pools", pools);
}

static json_t *
listen_list(const struct pool_conf *pc)
{
	json_t	*a = json_array();
	char	 buf[ADDR_FDNAME_MAX + ADDR_HOST_MAX + 16];

	for (size_t i = 0; a != NULL && pc != NULL && i < pc->pc_nlisten;
	    i++) {
		addr_format_named(&pc->pc_listen[i], buf, sizeof(buf));
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

static json_t *
cmd_pools(const struct proto_request *rq, bool *sub)
{
	json_t *pools = json_array();

	for (size_t i = 0; pools != NULL && i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);
		json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:i}", "name",
		    p->p_name, "worker", pool_class(p), "target", p->p_target,
		    "min", p->p_lim.pl_min, "max", p->p_lim.pl_max);
		o = with(o, "listen", listen_list(arbiter_pool_conf(p)));
		if (o == NULL || json_array_append_new(pools, o) == -1) {
			json_decref(pools);
			return NULL;
		}
	}
	return with(ok(), "pools", pools);
}

static const char *const worker_states[] = {
	[WS_RUNNING] = "running",
	[WS_STOPPING] = "stopping",
	[WS_KILLED] = "killed",
};

/* A slot within the target with no worker in it (failed boots, the
   backoff waiting) shows how its last worker ended: that is why. */
static bool
slot_taken(const struct pool *p, unsigned slot)
{
	for (size_t i = 0; i < p->p_nw; i++)
		if (p->p_w[i].w_slot == slot)
			return true;
	return false;
}

/* The rows of the empty slots among [from, to), each in its place. */
static int
add_empty_slots(json_t *list, const struct pool *p, unsigned from,
    unsigned to)
{
	const char *note;

	for (unsigned slot = from; slot < to && slot < (unsigned)p->p_target;
	    slot++) {
		if (slot_taken(p, slot) ||
		    (note = pool_exit_note(p, slot)) == NULL)
			continue;
		if (json_array_append_new(list, json_pack("{s:s, s:i, s:s, "
		    "s:s}", "pool", p->p_name, "id", (int)slot, "state",
		    "empty", "last_exit", note)) == -1)
			return -1;
	}
	return 0;
}

/* Seconds of a PSI total, or null where the file is missing. */
static json_t *
stall(int64_t usec)
{
	return usec >= 0 ? json_real((double)usec / 1e6) : json_null();
}

/* A worker tree's accounting from its cgroup (cgres.h). */
static json_t *
with_usage(json_t *o, const struct cg_usage *cu)
{
	o = with(o, "cpu", json_real((double)cu->cu_cpu_usec / 1e6));
	o = with(o, "processes", json_integer(cu->cu_procs));
	if (cu->cu_memory >= 0)
		o = with(o, "memory", json_integer(cu->cu_memory));
	return with(o, "pressure", json_pack("{s:o, s:o, s:o, s:o, s:o}",
	    "cpu_some", stall(cu->cu_pressure[CGP_CPU_SOME]),
	    "memory_some", stall(cu->cu_pressure[CGP_MEMORY_SOME]),
	    "memory_full", stall(cu->cu_pressure[CGP_MEMORY_FULL]),
	    "io_some", stall(cu->cu_pressure[CGP_IO_SOME]),
	    "io_full", stall(cu->cu_pressure[CGP_IO_FULL])));
}

static int	add_workers_in(json_t *, const struct pool *,
		    const struct worker *const *, uint64_t, double);

/* Workers by slot, the older first where two share one (a replacement
   beside the worker it replaces); empty slots' rows go between them. */
static int
by_slot(const void *a, const void *b)
{
	const struct worker *x = *(const struct worker *const *)a;
	const struct worker *y = *(const struct worker *const *)b;

	if (x->w_slot != y->w_slot)
		return x->w_slot < y->w_slot ? -1 : 1;
	return (x->w_started > y->w_started) - (x->w_started < y->w_started);
}

static int
add_workers(json_t *list, const struct pool *p, uint64_t now, double wall)
{
	const struct worker	**order;
	int			  rc = -1;

	if (p->p_nw == 0)
		return add_workers_in(list, p, NULL, now, wall);
	if ((order = calloc(p->p_nw, sizeof(*order))) == NULL)
		return -1;
	for (size_t i = 0; i < p->p_nw; i++)
		order[i] = &p->p_w[i];
	qsort(order, p->p_nw, sizeof(*order), by_slot);
	rc = add_workers_in(list, p, order, now, wall);
	free(order);
	return rc;
}

static int
add_workers_in(json_t *list, const struct pool *p,
    const struct worker *const *order, uint64_t now, double wall)
{
	unsigned next = 0;	/* the first slot whose rows are not out */

	for (size_t i = 0; i < p->p_nw; i++) {
		const struct worker	*w = order[i];
		double			 age = (now - w->w_started) / 1000.0;
		const struct sb_entry	*e;
		const char		*note;
		struct cg_usage		 cu;
		uint64_t		 rss;
		json_t			*o;

		if (w->w_slot >= next) {
			if (add_empty_slots(list, p, next, w->w_slot) == -1)
				return -1;
			next = w->w_slot + 1;
		}
		o = json_pack("{s:s, s:i, s:i, s:s, s:i, s:f, s:f}", "pool",
		    p->p_name, "id", (int)w->w_slot, "pid", (int)w->w_pid,
		    "state", worker_states[w->w_state], "generation",
		    (int)w->w_gen, "started", wall - age, "age", age);
		o = with(o, "ready", json_boolean(pool_worker_ready(p, w,
		    now)));
		o = with(o, "beat_age", json_real((now - w->w_beat) / 1000.0));
		if (w->w_status[0] != '\0')
			o = with(o, "status", json_string(w->w_status));
		if (w->w_errno != 0)
			o = with(o, "errno", json_integer(w->w_errno));
		if (w->w_end != END_NONE)
			o = with(o, "why", json_string(end_text(w->w_end)));
		if ((note = pool_exit_note(p, w->w_slot)) != NULL)
			o = with(o, "last_exit", json_string(note));
		if (w->w_recycle != END_NONE)
			o = with(o, "recycle", json_string(end_text(
			    w->w_recycle)));
		if (proc_rss_kib(w->w_pid, &rss) == 0)
			o = with(o, "rss_kib", json_integer((json_int_t)rss));
		/* The whole tree's, from its cgroup, where it has one. */
		if (cg_usage(w->w_pid, &cu) == 0)
			o = with_usage(o, &cu);
		if (o != NULL && (e = sb_entry(w->w_board)) != NULL) {
			uint64_t beat = atomic_load_explicit(&e->se_heartbeat,
			    memory_order_relaxed);
			o = with(o, "requests", json_integer((json_int_t)
			    atomic_load(&e->se_requests)));
			o = with(o, "bytes", json_integer((json_int_t)
			    atomic_load(&e->se_bytes)));
			o = with(o, "busy", json_integer((json_int_t)
			    atomic_load(&e->se_busy)));
			o = with(o, "connections", json_integer((json_int_t)
			    atomic_load(&e->se_conns)));
			o = with(o, "heartbeat_age", json_real(now > beat ?
			    (now - beat) / 1000.0 : 0.0));
		}
		if (o == NULL || json_array_append_new(list, o) == -1)
			return -1;
	}
	return add_empty_slots(list, p, next, (unsigned)p->p_target);
}

static json_t *
cmd_workers(const struct proto_request *rq, bool *sub)
{
	json_t		*list = json_array(), *err = NULL;
	struct pool	*only = NULL;
	uint64_t	 now = ev_now_ms();
	double		 wall = wall_now();

	if (rq->rq_argc == 1 &&
	    (only = find_pool(rq->rq_argv[0], true, &err)) == NULL) {
		json_decref(list);
		return err;
	}
	for (size_t i = 0; list != NULL && i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);
		if ((only == NULL || p == only) &&
		    add_workers(list, p, now, wall) == -1) {
			json_decref(list);
			return NULL;
		}
	}
	return with(ok(), "workers", list);
}

/* -- actions -------------------------------------------------------------- */

static json_t *
cmd_scale(const struct proto_request *rq, bool *sub)
{
	struct proto_scale	 ps;
	struct pool		*p;
	json_t			*err = NULL;
	long			 target;
	int			 before;

	if ((p = find_pool(rq->rq_argv[0], false, &err)) == NULL)
		return err;
	if (proto_parse_scale(rq->rq_argv[1], &ps) == -1)
		return commands_error(PERR_BAD_ARGUMENTS, "scale: %.32s: expected N, +N "
		    "or -N", rq->rq_argv[1]);
	before = p->p_target;
	target = ps.ps_relative ? before + ps.ps_value : ps.ps_value;
	if (target < INT_MIN || target > INT_MAX ||
	    arbiter_set_target(p, (int)target, PT_CONTROL, false, NULL) == -1)
		return commands_error(PERR_OUT_OF_BOUNDS, "pool %s: %ld is outside "
		    "%d..%d", p->p_name, target, p->p_lim.pl_min,
		    p->p_lim.pl_max);
	return json_pack("{s:b, s:s, s:i, s:i}", "ok", 1, "pool", p->p_name,
	    "target", p->p_target, "previous", before);
}

static json_t *
cmd_reload(const struct proto_request *rq, bool *sub)
{
	char err[CONF_ERR_MAX];

	if (arbiter_stopping())
		return commands_error(PERR_BUSY, "the arbiter is stopping");
	if (arbiter_reload(err, sizeof(err)) == -1)
		return commands_error(PERR_FAILED, "%s", err);
	return ok();
}

static json_t *
cmd_restart(const struct proto_request *rq, bool *sub)
{
	struct pool	*p;
	json_t		*err = NULL;

	if ((p = find_pool(rq->rq_argv[0], false, &err)) == NULL)
		return err;
	arbiter_restart(p, END_RESTART);
	return json_pack("{s:b, s:s, s:i}", "ok", 1, "pool", p->p_name,
	    "generation", (int)p->p_gen);
}

static json_t *
cmd_kill(const struct proto_request *rq, bool *sub)
{
	struct pool	*p;
	json_t		*err = NULL;
	unsigned	 id;
	int		 sig = SIGTERM;
	pid_t		 pid;

	if ((p = find_pool(rq->rq_argv[0], true, &err)) == NULL)
		return err;
	if (proto_parse_id(rq->rq_argv[1], &id) == -1)
		return commands_error(PERR_BAD_ARGUMENTS, "kill: %.32s: not a worker id",
		    rq->rq_argv[1]);
	if (rq->rq_argc == 3 && ((sig = signame_parse(rq->rq_argv[2])) == -1))
		return commands_error(PERR_BAD_ARGUMENTS, "kill: %.32s: not a signal",
		    rq->rq_argv[2]);
	if (arbiter_kill(p, id, sig, &pid) == -1)
		return commands_error(PERR_NO_SUCH_WORKER, "pool %s has no running "
		    "worker %u", p->p_name, id);
	return json_pack("{s:b, s:s, s:i, s:i, s:s}", "ok", 1, "pool",
	    p->p_name, "id", (int)id, "pid", (int)pid, "signal",
	    signame(sig));
}

static json_t *
cmd_stop(const struct proto_request *rq, bool *sub)
{
	bool quick = false;

	if (rq->rq_argc == 1) {
		if (strcmp(rq->rq_argv[0], "quick") == 0)
			quick = true;
		else if (strcmp(rq->rq_argv[0], "graceful") != 0)
			return commands_error(PERR_BAD_ARGUMENTS, "stop: expected "
			    "graceful or quick");
	}
	arbiter_request_stop(quick);
	return json_pack("{s:b, s:s}", "ok", 1, "stopping",
	    quick ? "quick" : "graceful");
}

/*
 * As a drain signal, by hand (a preStop hook, an operator taking a node
 * out): the connection then carries the events, and the "stopping" one
 * says the drain is over.  Asked while draining, it joins the drain
 * rather than cut it short, as a second TERM would.
 */
static json_t *
cmd_drain(const struct proto_request *rq, bool *sub)
{
	(void)rq;
	if (arbiter_stopping() && !arbiter_draining())
		return commands_error(PERR_BUSY, "stopping");
	if (!arbiter_draining())
		arbiter_request_drain();
	*sub = true;
	return json_pack("{s:b, s:b, s:f}", "ok", 1, "draining", 1,
	    "drain_delay", arbiter_conf()->c_drain_ms / 1000.0);
}

static json_t *
cmd_reopen(const struct proto_request *rq, bool *sub)
{
	arbiter_reopen();
	return ok();
}

static json_t *
cmd_subscribe(const struct proto_request *rq, bool *sub)
{
	*sub = true;
	return json_pack("{s:b, s:b}", "ok", 1, "subscribed", 1);
}

/*
 * The check runs here, before the reply, so that a binary that would
 * fail is reported to the one who asked and nothing changes; the exec
 * itself waits for the end of the arbiter's step, after the reply.
 */
static json_t *
cmd_upgrade(const struct proto_request *rq, bool *sub)
{
	const char	*path = rq->rq_argc == 1 ? rq->rq_argv[0] :
			    reexec_exe();
	char		 err[640];

	if (arbiter_stopping())
		return commands_error(PERR_BUSY, "stopping");
	/* One handover at a time in the family: not while we hand over to a
	   USR2 successor, nor while we are one and our predecessor runs. */
	if (usr2_child() != 0 || usr2_predecessor_alive())
		return commands_error(PERR_BUSY, "a USR2 upgrade is in progress");
	if (guardian_pending())
		return commands_error(PERR_BUSY, "the last upgrade is still "
		    "replacing the workers; try again once it is done");
	if (path == NULL)
		return commands_error(PERR_FAILED, "cannot tell which binary runs; name "
		    "one");
	if (path[0] != '/')
		return commands_error(PERR_BAD_ARGUMENTS, "upgrade: the path must be "
		    "absolute");
	if (inplace_check(path, err, sizeof(err)) == -1)
		return commands_error(PERR_FAILED, "%s", err);
	if (arbiter_upgrade_in_place(path) == -1)
		return commands_error(PERR_FAILED, "out of memory");
	return json_pack("{s:b, s:s, s:I}", "ok", 1, "upgrading", path,
	    "pid", (json_int_t)getpid());
}

static json_t *
cmd_stats(const struct proto_request *rq, bool *sub)
{
	json_t *body = stats_json(ev_now_ms());

	if (body == NULL || json_object_set_new(body, "ok", json_true()) == -1) {
		json_decref(body);
		return NULL;
	}
	return body;
}

/* -- config ----------------------------------------------------------------- */

static json_t *
strv_json(char *const *v)
{
	json_t *a = json_array();

	for (; a != NULL && v != NULL && *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *
opt_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* The scale options, by their names in the file. */
static json_t *
with_scale(json_t *o, const struct pool_conf *pc)
{
	const struct scale_conf *sc = &pc->pc_scale;

	o = with(o, "scale", json_string(scale_mode_name(sc->sc_mode)));
	o = with(o, "min_spare", json_integer(sc->sc_min_spare));
	o = with(o, "max_spare", json_integer(sc->sc_max_spare));
	o = with(o, "scale_up_after", json_real(sc->sc_up_after_ms / 1000.0));
	o = with(o, "scale_down_after",
	    json_real(sc->sc_down_after_ms / 1000.0));
	o = with(o, "scale_cooldown", json_real(sc->sc_cooldown_ms / 1000.0));
	o = with(o, "scale_interval",
	    json_real(pc->pc_scale_interval_ms / 1000.0));
	return with(o, "idle_timeout", json_real(sc->sc_idle_ms / 1000.0));
}

/* The built-in HTTP worker's options, by their names in the file. */
static json_t *
with_http(json_t *o, const struct pool_conf *pc)
{
	o = with(o, "keepalive", json_real(pc->pc_keepalive_ms / 1000.0));
	o = with(o, "read_timeout", json_real(pc->pc_read_timeout_ms / 1000.0));
	o = with(o, "worker_connections",
	    json_integer(pc->pc_worker_connections));
	o = with(o, "limit_request_line", json_integer(pc->pc_limit_line));
	o = with(o, "limit_request_fields", json_integer(pc->pc_limit_fields));
	o = with(o, "limit_request_field_size",
	    json_integer(pc->pc_limit_field_size));
	return with(o, "limit_request_body",
	    json_integer((json_int_t)pc->pc_limit_body));
}

/* A mode as the file writes it, "0640": JSON has no octal. */
static json_t *
mode_json(int mode)
{
	char buf[8];

	if (mode < 0)
		return json_null();
	snprintf(buf, sizeof(buf), "0%03o", (unsigned)mode & 0777);
	return json_string(buf);
}

/* compat, by name. */
static json_t *
compat_json(unsigned mask)
{
	json_t *a = json_array();

	for (unsigned bit = 1; a != NULL && bit != 0 && bit <= mask;
	    bit <<= 1)
		if ((mask & bit) && compat_name(bit) != NULL)
			json_array_append_new(a, json_string(compat_name(bit)));
	return a;
}

/* A cgroup limit: its number, or "infinity" for none, as in the file. */
static json_t *
limit_json(uint64_t v)
{
	return v > 0 ? json_integer((json_int_t)v) : json_string("infinity");
}

static json_t *
pool_conf_json(const struct pool_conf *pc)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:f, s:f, s:i, "
	    "s:i, s:i}",
	    "name", pc->pc_name, "worker", worker_class_name(pc->pc_class),
	    "workers", pc->pc_workers, "min_workers", pc->pc_min_workers,
	    "max_workers", pc->pc_max_workers, "threads", pc->pc_threads,
	    "stop_signal", signame(pc->pc_stop_signal),
	    "timeout", pc->pc_timeout_ms / 1000.0,
	    "graceful_timeout", pc->pc_graceful_ms / 1000.0,
	    "max_requests", (int)pc->pc_max_requests,
	    "max_requests_jitter", (int)pc->pc_max_requests_jitter,
	    "backlog", pc->pc_backlog);
	o = with(o, "socket_mode", mode_json((int)pc->pc_socket_mode));
	o = with(o, "umask", mode_json(pc->pc_umask));
	o = with(o, "ready", json_string(pc->pc_ready_fd != -1 ? "fd" :
	    pc->pc_ready_notify ? "notify" : "started"));
	o = with(o, "notification_fd", pc->pc_ready_fd != -1 ?
	    json_integer(pc->pc_ready_fd) : json_null());
	o = with(o, "compat", compat_json(pc->pc_compat));
	o = with(o, "kill_mode", json_string(pc->pc_kill_tree ? "mixed" :
	    "process"));
	o = with(o, "notify_access", json_string(pc->pc_notify_all ? "all" :
	    "main"));
	o = with(o, "boot_timeout", json_real(pc->pc_boot_timeout_ms / 1000.0));
	o = with(o, "boot_window", json_real(pc->pc_boot_window_ms / 1000.0));
	o = with(o, "max_lifetime", json_real(pc->pc_max_lifetime_ms / 1000.0));
	o = with(o, "max_lifetime_jitter",
	    json_real(pc->pc_lifetime_jitter_ms / 1000.0));
	o = with(o, "max_rss", json_integer(pc->pc_max_rss_mib));
	o = with(o, "memory_high", limit_json(pc->pc_limits.cl_memory_high));
	o = with(o, "memory_max", limit_json(pc->pc_limits.cl_memory_max));
	o = with(o, "tasks_max", limit_json(pc->pc_limits.cl_tasks_max));
	o = with(o, "max_surge", json_integer(pc->pc_max_surge));
	o = with(o, "min_ready", json_integer(pc->pc_min_ready));
	o = with(o, "reopen_signal", pc->pc_reopen_signal ?
	    json_string(signame(pc->pc_reopen_signal)) : json_null());
	o = with(o, "listen", listen_list(pc));
	o = with(o, "command", strv_json(pc->pc_argv));
	o = with(o, "exec_path", opt_str(pc->pc_exec_path));
	o = with(o, "env", strv_json(pc->pc_env));
	o = with(o, "user", opt_str(pc->pc_user));
	o = with(o, "group", opt_str(pc->pc_group));
	o = with(o, "root", opt_str(pc->pc_root));
	o = with(o, "app", opt_str(pc->pc_app));
	o = with(o, "app_arg", opt_str(pc->pc_app_arg));
	o = with(o, "no_new_privs", json_boolean(pc->pc_no_new_privs));
	o = with_scale(o, pc);
	o = with_http(o, pc);
	return with(o, "chdir", opt_str(pc->pc_chdir));
}

/* drain_signals, by name. */
static json_t *
drain_signals(const struct poold_conf *c)
{
	static const int stops[] = { SIGTERM, SIGINT, SIGQUIT };
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sizeof(stops) / sizeof(stops[0]);
	    i++)
		if (c->c_drain_sigs & (1u << stops[i]))
			json_array_append_new(a, json_string(signame(stops[i])));
	return a;
}

static json_t *
metrics_listen(const struct poold_conf *c)
{
	char a[512];

	if (!c->c_metrics)
		return json_null();
	addr_format(&c->c_metrics_listen, a, sizeof(a));
	return json_string(a);
}

/* control { }, as in the file. */
static json_t *
control_json(const struct poold_conf *c)
{
	json_t *o = json_object();

	o = with(o, "socket", opt_str(c->c_control_path));
	o = with(o, "mode", mode_json((int)c->c_control_mode));
	o = with(o, "group", opt_str(c->c_control_group));
	return with(o, "idle_timeout",
	    json_real(c->c_control_idle_ms / 1000.0));
}

static json_t *
cmd_config(const struct proto_request *rq, bool *sub)
{
	const struct poold_conf	*c = arbiter_conf();
	json_t			*pools = json_array(), *o;
	char			*text;

	for (size_t i = 0; pools != NULL && i < c->c_npools; i++) {
		if (json_array_append_new(pools,
		    pool_conf_json(&c->c_pools[i])) == -1) {
			json_decref(pools);
			pools = NULL;
		}
	}
	o = json_object();
	o = with(o, "file", opt_str(c->c_path));
	o = with(o, "pidfile", opt_str(c->c_pidfile));
	o = with(o, "error_log", opt_str(c->c_error_log));
	o = with(o, "log_level", json_string(log_level_name(c->c_log_level)));
	o = with(o, "log_format", json_string(c->c_log_format ==
	    LOG_FMT_JSON ? "json" : "text"));
	o = with(o, "daemon", json_boolean(c->c_daemon));
	o = with(o, "reload", json_boolean(c->c_reload));
	o = with(o, "umask", mode_json(c->c_umask));
	o = with(o, "cgroups", json_boolean(c->c_cgroups));
	o = with(o, "notify_socket", json_string(c->c_notify_abstract ?
	    "abstract" : "path"));
	o = with(o, "capture_output", json_string(c->c_capture ==
	    CONF_CAPTURE_YES ? "yes" : c->c_capture == CONF_CAPTURE_NO ? "no" :
	    "auto"));
	o = with(o, "access_log", opt_str(c->c_access_log));
	o = with(o, "access_log_format", json_string(c->c_access_format ?
	    c->c_access_format : ALOG_DEFAULT_FORMAT));
	o = with(o, "drain_delay", json_real(c->c_drain_ms / 1000.0));
	o = with(o, "drain_probes", json_integer(c->c_drain_probes));
	o = with(o, "drain_signals", drain_signals(c));
	o = with(o, "control", control_json(c));
	o = with(o, "metrics", c->c_metrics ? json_pack("{s:o}", "listen",
	    metrics_listen(c)) : json_null());
	o = with(o, "pools", pools);
	/* The same, as a file poold loads: what poolctl shows. */
	if ((text = confprint_string(c, false)) == NULL) {
		json_decref(o);
		return commands_error(PERR_FAILED, "out of memory");
	}
	o = with(o, "text", json_string(text));
	free(text);
	return with(ok(), "config", o);
}

static const cmd_fn cmd_table[CMD_COUNT] = {
	[CMD_HELLO] = cmd_hello,
	[CMD_VERSION] = cmd_version,
	[CMD_STATUS] = cmd_status,
	[CMD_POOLS] = cmd_pools,
	[CMD_WORKERS] = cmd_workers,
	[CMD_SCALE] = cmd_scale,
	[CMD_RELOAD] = cmd_reload,
	[CMD_RESTART] = cmd_restart,
	[CMD_KILL] = cmd_kill,
	[CMD_STOP] = cmd_stop,
	[CMD_REOPEN] = cmd_reopen,
	[CMD_CONFIG] = cmd_config,
	[CMD_SUBSCRIBE] = cmd_subscribe,
	[CMD_UPGRADE] = cmd_upgrade,
	[CMD_STATS] = cmd_stats,
	[CMD_DRAIN] = cmd_drain,
};

json_t *
commands_run(const struct proto_request *rq, bool *subscribe)
{
	*subscribe = false;
	if ((unsigned)rq->rq_cmd >= CMD_COUNT || cmd_table[rq->rq_cmd] == NULL)
		return commands_error(PERR_UNKNOWN_COMMAND, "unknown command");
	return cmd_table[rq->rq_cmd](rq, subscribe);
}
