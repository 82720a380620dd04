/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "control.h"
#include "events.h"
#include "log.h"
#include "pool.h"
#include "signame.h"

static double
wall_time(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An event object with its name and time, or NULL if nobody listens:
   no subscriber, and a log that is not JSON. */
static json_t *
event_new(const char *name)
{
	if (!control_has_subscribers() && !log_json())
		return NULL;
	return json_pack("{s:s, s:f}", "event", name, "time", wall_time());
}

/*
 * The event as a JSON log line's members: the log has its own time,
 * and its "pid" is poold's, so a worker's is "worker_pid" there, and its
 * slot "slot" (the control socket's "id").
 */
static void
event_log(json_t *ev)
{
	json_t		*f = json_object(), *v;
	const char	*key;
	char		*text;
	size_t		 len;

	if (f == NULL)
		return;
	json_object_foreach(ev, key, v) {
		if (strcmp(key, "event") == 0 || strcmp(key, "time") == 0)
			continue;
		json_object_set(f, strcmp(key, "pid") == 0 ? "worker_pid" :
		    strcmp(key, "id") == 0 ? "slot" : key, v);
	}
	if ((text = json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(6))) !=
	    NULL &&
	    (len = strlen(text)) >= 2) {
		text[len - 1] = '\0';		/* the braces off */
		log_event(json_string_value(json_object_get(ev, "event")),
		    text + 1);
	}
	free(text);
	json_decref(f);
}

static void
event_send(json_t *ev, json_t *fields)
{
	if (ev != NULL && fields != NULL)
		json_object_update(ev, fields);
	json_decref(fields);
	if (ev != NULL && log_json())
		event_log(ev);
	if (control_has_subscribers())
		control_broadcast(ev);
	else
		json_decref(ev);
}

void
event_spawned(const struct pool *p, unsigned slot, pid_t pid)
{
	json_t *ev = event_new("spawned");

	if (ev != NULL)
		event_send(ev, json_pack("{s:s, s:i, s:i, s:i}", "pool",
		    p->p_name, "id", (int)slot, "pid", (int)pid, "generation",
		    (int)p->p_gen));
}

void
event_exited(const struct pool *p, pid_t pid, int status,
    const struct pool_exit *pe)
{
	json_t *ev = event_new("exited"), *f;

	if (ev == NULL)
		return;
	f = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:f}", "pool",
	    p->p_name, "id", (int)pe->pe_slot, "pid", (int)pid, "reason",
	    exit_kind_name(pe->pe_kind), "end", end_name(pe->pe_end), "why",
	    end_text(pe->pe_end), "age", pe->pe_age_ms / 1000.0);
	if (f != NULL && WIFSIGNALED(status)) {
		json_object_set_new(f, "status", json_string("killed"));
		json_object_set_new(f, "signal",
		    json_string(signame(WTERMSIG(status))));
	} else if (f != NULL) {
		json_object_set_new(f, "status", json_string("exited"));
		json_object_set_new(f, "code",
		    json_integer(WEXITSTATUS(status)));
	}
	/* Its main process ended while processes of its tree still ran. */
	if (f != NULL && (pe->pe_facts & PF_LEFT_TREE))
		json_object_set_new(f, "left_processes", json_true());
	event_send(ev, f);
	/* A failed boot, or a troubled death (an OOM kill, a tree left
	   behind): the pool waits before the next start. */
	if (pe->pe_backoff_ms > 0 && (ev = event_new("backoff")))
		event_send(ev, json_pack("{s:s, s:f, s:i}", "pool", p->p_name,
		    "delay", pe->pe_backoff_ms / 1000.0, "failures",
		    (int)p->p_backoff.b_fails));
}

void
event_signalled(const struct pool *p, unsigned slot, pid_t pid, int sig,
    const char *why)
{
	json_t *ev = event_new("signalled");

	if (ev != NULL)
		event_send(ev, json_pack("{s:s, s:i, s:i, s:s, s:s}", "pool",
		    p->p_name, "id", (int)slot, "pid", (int)pid, "signal",
		    signame(sig), "reason", why));
}

void
event_scaled(const struct pool *p, int previous, const char *why)
{
	json_t *ev = event_new("scaled");

	if (ev != NULL)
		event_send(ev, json_pack("{s:s, s:i, s:i, s:s, s:s*}", "pool",
		    p->p_name, "target", p->p_target, "previous", previous,
		    "by", pool_target_cause_name(p->p_target_cause), "why",
		    why));
}

void
event_reloaded(bool ok, const char *error)
{
	json_t *ev = event_new("reloaded");

	if (ev == NULL)
		return;
	json_object_set_new(ev, "ok", json_boolean(ok));
	if (!ok && error != NULL)
		json_object_set_new(ev, "error", json_string(error));
	event_send(ev, NULL);
}

void
event_draining(unsigned delay_ms)
{
	json_t *ev = event_new("draining");

	if (ev != NULL)
		event_send(ev, json_pack("{s:f}", "drain_delay",
		    delay_ms / 1000.0));
}

void
event_stopping(bool quick)
{
	json_t *ev = event_new("stopping");

	if (ev != NULL)
		event_send(ev, json_pack("{s:s}", "mode",
		    quick ? "quick" : "graceful"));
}
