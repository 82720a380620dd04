/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

json_t *
h_ctl_json(struct poold *pd, const char *request)
{
	static char	 line[65536];
	json_error_t	 je;
	json_t		*r;

	cr_assert_eq(h_ctl(pd, request, line, sizeof(line)), 0,
	    "no reply to %s", request);
	r = json_loads(line, 0, &je);
	cr_assert_not_null(r, "not JSON (%s): %s", je.text, line);
	return r;
}

/* The object of pool in reply's "pools" (borrowed), or NULL. */
static json_t *
pool_of(json_t *reply, const char *pool)
{
	json_t	*p;
	size_t	 i;

	json_array_foreach(json_object_get(reply, "pools"), i, p) {
		if (json_is_string(json_object_get(p, "name")) &&
		    strcmp(json_string_value(json_object_get(p, "name")),
		    pool) == 0)
			return p;
	}
	return NULL;
}

/*
 * An integer of pool's entry in the reply to request, at key (a dotted
 * path of at most two names); -1 if there is none, -2 if no reply: the
 * arbiter may be between programs (an in-place upgrade), so a missing
 * reply is no failure here.
 */
static long
pool_number(struct poold *pd, const char *request, const char *pool,
    const char *key, const char *sub)
{
	static char	 line[65536];
	json_t		*r, *v;
	long		 n = -1;

	if (h_ctl(pd, request, line, sizeof(line)) == -1 ||
	    (r = json_loads(line, 0, NULL)) == NULL)
		return -2;
	v = json_object_get(pool_of(r, pool), key);
	if (sub != NULL)
		v = json_object_get(v, sub);
	if (json_is_integer(v))
		n = (long)json_integer_value(v);
	json_decref(r);
	return n;
}

int
h_exits(struct poold *pd, const char *pool, const char *end)
{
	return (int)pool_number(pd, "stats", pool, "exits", end);
}

int
h_target(struct poold *pd, const char *pool)
{
	return (int)pool_number(pd, "status", pool, "target", NULL);
}

/* Poll get until it returns at least n (or exactly n), or the deadline. */
static bool
wait_number(struct poold *pd, const char *pool, const char *what,
    int (*get)(struct poold *, const char *, const char *), int n,
    bool exact, int timeout_ms)
{
	long	deadline = h_now_ms() + timeout_ms;
	int	v;

	for (;;) {
		v = get(pd, pool, what);
		if (exact ? v == n : v >= n)
			return true;
		if (h_now_ms() >= deadline)
			return false;
		usleep(10000);
	}
}

bool
h_wait_exits(struct poold *pd, const char *pool, const char *end, int n,
    int timeout_ms)
{
	return wait_number(pd, pool, end, h_exits, n, false, timeout_ms);
}

static int
target_of(struct poold *pd, const char *pool, const char *unused)
{
	(void)unused;
	return h_target(pd, pool);
}

bool
h_wait_target(struct poold *pd, const char *pool, int target,
    int timeout_ms)
{
	return wait_number(pd, pool, NULL, target_of, target, true,
	    timeout_ms);
}

int
h_subscribe(struct poold *pd)
{
	char	line[4096];
	int	fd;

	cr_assert(h_ctl_ready(pd, H_WAIT_MS), "no control socket");
	cr_assert_neq(fd = h_ctl_connect(pd), -1, "no control socket");
	cr_assert_eq(h_send(fd, "subscribe\n", 10), 0);
	cr_assert_eq(h_read_line(fd, line, sizeof(line), H_WAIT_MS), 0,
	    "no welcome to subscribe");
	cr_assert(strstr(line, "\"subscribed\":true") != NULL, "%s", line);
	return fd;
}

json_t *
h_events_read(int fd, int timeout_ms)
{
	static char	 line[65536];
	json_t		*all = json_array(), *ev;
	long		 deadline = h_now_ms() + timeout_ms;
	long		 left;

	cr_assert_not_null(all);
	for (int i = 0; i < H_EVENTS_MAX; i++) {
		if ((left = deadline - h_now_ms()) <= 0 ||
		    h_read_line(fd, line, sizeof(line), (int)left) == -1)
			break;
		ev = json_loads(line, 0, NULL);
		cr_assert_not_null(ev, "an event that is not JSON: %s", line);
		json_array_append_new(all, ev);
	}
	return all;
}

static bool
matches(json_t *ev, const char *name, const char *key, const char *value)
{
	const char *e = json_string_value(json_object_get(ev, "event"));
	const char *v = key != NULL ? json_string_value(json_object_get(ev,
	    key)) : NULL;

	return e != NULL && strcmp(e, name) == 0 && (key == NULL ||
	    (v != NULL && strcmp(v, value) == 0));
}

int
h_events_match(json_t *events, const char *name, const char *key,
    const char *value)
{
	json_t	*ev;
	size_t	 i;
	int	 n = 0;

	json_array_foreach(events, i, ev) {
		if (matches(ev, name, key, value))
			n++;
	}
	return n;
}

json_t *
h_event_wait(int fd, json_t *seen, const char *name, const char *key,
    const char *value, int timeout_ms)
{
	static char	 line[65536];
	json_t		*ev;
	long		 deadline = h_now_ms() + timeout_ms, left;

	for (int i = 0; i < H_EVENTS_MAX; i++) {
		if ((left = deadline - h_now_ms()) <= 0 ||
		    h_read_line(fd, line, sizeof(line), (int)left) == -1)
			return NULL;
		ev = json_loads(line, 0, NULL);
		cr_assert_not_null(ev, "an event that is not JSON: %s", line);
		json_array_append_new(seen, ev);
		if (matches(ev, name, key, value))
			return ev;
	}
	return NULL;
}

json_t *
h_events_find(json_t *events, const char *name, const char *key,
    const char *value)
{
	json_t	*ev;
	size_t	 i;

	json_array_foreach(events, i, ev) {
		if (matches(ev, name, key, value))
			return ev;
	}
	return NULL;
}

int
h_spawns(struct poold *pd, const char *pool)
{
	return (int)pool_number(pd, "stats", pool, "spawns", NULL);
}
