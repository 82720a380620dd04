/* SPDX-License-Identifier: ISC */
/*
 * The scaling rules, per mode:
 *
 *  dynamic: fewer idle workers than min_spare adds the shortfall at
 *     once (a burst must not wait a sampling interval per worker); more
 *     than max_spare removes one, after the cooldown.
 *  backlog: a queue that stays non-empty for up_after adds one worker,
 *     and again each up_after while it stays so, after the cooldown; one
 *     empty for down_after removes one.
 *  ondemand: a connection at zero workers brings the pool up to its
 *     active size at once; no use for idle_ms takes it back to zero.
 *
 * Every change is bounded by min..max and logged with its reason.
 */
#include "config.h"

#include <string.h>

#include "autoscale.h"

static const char *const mode_names[] = {
	[SCALE_STATIC] = "static",
	[SCALE_DYNAMIC] = "dynamic",
	[SCALE_BACKLOG] = "backlog",
	[SCALE_ONDEMAND] = "ondemand",
};

const char *
scale_mode_name(enum scale_mode m)
{
	return (size_t)m < sizeof(mode_names) / sizeof(*mode_names) ?
	    mode_names[m] : "?";
}

int
scale_mode_parse(const char *s, enum scale_mode *m)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(*mode_names); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum scale_mode)i;
			return 0;
		}
	}
	return -1;
}

static int
clamp(int v, int min, int max)
{
	return v < min ? min : v > max ? max : v;
}

static bool
cooled(const struct scale_conf *c, const struct scale_state *st,
    uint64_t now)
{
	return st->st_changed == 0 || now - st->st_changed >= c->sc_cooldown_ms;
}

static int
dynamic(const struct scale_conf *c, struct scale_state *st,
    const struct scale_sample *s, uint64_t now, int target, const char **why)
{
	if (s->ss_idle < c->sc_min_spare) {
		*why = "idle workers below min_spare";
		return target + (c->sc_min_spare - s->ss_idle);
	}
	if (s->ss_idle > c->sc_max_spare && cooled(c, st, now)) {
		*why = "idle workers above max_spare";
		return target - 1;
	}
	return target;
}

static int
backlog(const struct scale_conf *c, struct scale_state *st,
    const struct scale_sample *s, uint64_t now, int target, const char **why)
{
	if (s->ss_queued > 0) {
		st->st_empty_since = 0;
		if (st->st_queued_since == 0)
			st->st_queued_since = now;
		if (now - st->st_queued_since >= c->sc_up_after_ms &&
		    cooled(c, st, now)) {
			st->st_queued_since = now;	/* the next step waits */
			*why = "connections waited longer than scale_up_after";
			return target + 1;
		}
		return target;
	}
	st->st_queued_since = 0;
	if (st->st_empty_since == 0)
		st->st_empty_since = now;
	if (now - st->st_empty_since >= c->sc_down_after_ms &&
	    cooled(c, st, now)) {
		st->st_empty_since = now;
		*why = "listen queue empty for scale_down_after";
		return target - 1;
	}
	return target;
}

static int
ondemand(const struct scale_conf *c, struct scale_state *st,
    const struct scale_sample *s, uint64_t now, int target, const char **why)
{
	if (s->ss_active || s->ss_queued > 0)
		st->st_active = now;
	if (target == 0 && s->ss_queued > 0) {
		*why = "a connection arrived";
		return c->sc_active;
	}
	if (target > 0 && now - st->st_active >= c->sc_idle_ms) {
		*why = "idle for idle_timeout";
		return 0;
	}
	return target;
}

int
scale_decide(const struct scale_conf *c, struct scale_state *st,
    const struct scale_sample *s, uint64_t now, int target, int min,
    int max, const char **why)
{
	int want = target;

	*why = NULL;
	switch (c->sc_mode) {
	case SCALE_STATIC:
		return target;
	case SCALE_DYNAMIC:
		want = dynamic(c, st, s, now, target, why);
		break;
	case SCALE_BACKLOG:
		want = backlog(c, st, s, now, target, why);
		break;
	case SCALE_ONDEMAND:
		want = ondemand(c, st, s, now, target, why);
		break;
	}
	want = clamp(want, min, max);
	if (want == target) {
		*why = NULL;
		return target;
	}
	st->st_changed = now;
	return want;
}
