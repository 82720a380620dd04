/* SPDX-License-Identifier: ISC */
/*
 * The scaling decisions, with a fake clock: each mode's rule, its bounds,
 * its cooldown, and that nothing changes without a reason.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stddef.h>

#include "autoscale.h"

static struct scale_state st;

static int
decide(const struct scale_conf *c, struct scale_sample s, uint64_t now,
    int target, int min, int max, const char **why)
{
	return scale_decide(c, &st, &s, now, target, min, max, why);
}

Test(autoscale, static_never_moves)
{
	struct scale_conf	c = { .sc_mode = SCALE_STATIC };
	const char		*why;

	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_queued = 99 }, 1000,
	    2, 1, 8, &why), 2);
	cr_assert_null(why);
}

Test(autoscale, dynamic_keeps_idle_workers_between_spares)
{
	struct scale_conf	c = { .sc_mode = SCALE_DYNAMIC,
				      .sc_min_spare = 2, .sc_max_spare = 4,
				      .sc_cooldown_ms = 1000 };
	const char		*why;

	/* All four busy: the shortfall of two, at once. */
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 0 }, 100,
	    4, 1, 32, &why), 6);
	cr_assert_str_eq(why, "idle workers below min_spare");
	/* Within the band: nothing. */
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 3 }, 200,
	    6, 1, 32, &why), 6);
	cr_assert_null(why);
	/* Too many idle: one fewer, then the cooldown. */
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 6 }, 1100,
	    6, 1, 32, &why), 5);
	cr_assert_str_eq(why, "idle workers above max_spare");
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 5 }, 1500,
	    5, 1, 32, &why), 5, "cooldown ignored");
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 5 }, 2100,
	    5, 1, 32, &why), 4);
	/* Bounds. */
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 0 }, 3200,
	    31, 1, 32, &why), 32);
	cr_assert_eq(decide(&c, (struct scale_sample){ .ss_idle = 9 }, 9000,
	    1, 1, 32, &why), 1);
	cr_assert_null(why, "a change that the bounds undid has a reason");
}

Test(autoscale, backlog_grows_while_connections_wait)
{
	struct scale_conf	c = { .sc_mode = SCALE_BACKLOG,
				      .sc_up_after_ms = 200,
				      .sc_down_after_ms = 5000,
				      .sc_cooldown_ms = 500 };
	struct scale_sample	q = { .ss_queued = 3 }, empty = { 0 };
	const char		*why;
	int			t = 2;

	t = decide(&c, q, 1000, t, 1, 4, &why);
	cr_assert_eq(t, 2, "grew before scale_up_after");
	t = decide(&c, q, 1100, t, 1, 4, &why);
	cr_assert_eq(t, 2);
	t = decide(&c, q, 1200, t, 1, 4, &why);
	cr_assert_eq(t, 3);
	cr_assert_str_eq(why, "connections waited longer than "
	    "scale_up_after");
	/* Still waiting: the next step after the cooldown. */
	t = decide(&c, q, 1500, t, 1, 4, &why);
	cr_assert_eq(t, 3);
	t = decide(&c, q, 1700, t, 1, 4, &why);
	cr_assert_eq(t, 4);
	t = decide(&c, q, 2500, t, 1, 4, &why);
	cr_assert_eq(t, 4, "past max_workers");
	/* A queue that empties briefly resets the wait. */
	t = decide(&c, empty, 2600, t, 1, 4, &why);
	t = decide(&c, empty, 7500, t, 1, 4, &why);
	cr_assert_eq(t, 4, "shrank before scale_down_after");
	t = decide(&c, empty, 7600, t, 1, 4, &why);
	cr_assert_eq(t, 3);
	cr_assert_str_eq(why, "listen queue empty for scale_down_after");
	t = decide(&c, empty, 12600, t, 1, 4, &why);
	cr_assert_eq(t, 2);
}

Test(autoscale, ondemand_from_zero_and_back)
{
	struct scale_conf	c = { .sc_mode = SCALE_ONDEMAND,
				      .sc_idle_ms = 10000, .sc_active = 2 };
	const char		*why;
	int			t = 0;

	t = decide(&c, (struct scale_sample){ 0 }, 1000, t, 0, 4, &why);
	cr_assert_eq(t, 0);
	t = decide(&c, (struct scale_sample){ .ss_queued = 1 }, 2000, t, 0, 4,
	    &why);
	cr_assert_eq(t, 2);
	cr_assert_str_eq(why, "a connection arrived");
	t = decide(&c, (struct scale_sample){ .ss_active = true }, 9000, t, 0,
	    4, &why);
	t = decide(&c, (struct scale_sample){ 0 }, 18999, t, 0, 4, &why);
	cr_assert_eq(t, 2, "idle counted from the start, not the last use");
	t = decide(&c, (struct scale_sample){ 0 }, 19000, t, 0, 4, &why);
	cr_assert_eq(t, 0);
	cr_assert_str_eq(why, "idle for idle_timeout");
}

Test(autoscale, mode_names)
{
	enum scale_mode m;

	cr_assert_eq(scale_mode_parse("backlog", &m), 0);
	cr_assert_eq(m, SCALE_BACKLOG);
	cr_assert_str_eq(scale_mode_name(SCALE_ONDEMAND), "ondemand");
	cr_assert_eq(scale_mode_parse("elastic", &m), -1);
}
