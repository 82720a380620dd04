/* SPDX-License-Identifier: ISC */
/*
 * The scoreboard's shared counters: the group's connection count as the
 * workers and the arbiter keep it, and who counts as over its share.
 */
#include "config.h"

#include <criterion/criterion.h>

#include "scoreboard.h"

static void setup(void) { cr_assert_eq(sb_create(), 0); }

TestSuite(scoreboard, .init = setup);

/* A group with `workers` members holding `conns` connections in all. */
static struct sb_group *
group_of(unsigned workers, unsigned conns)
{
	struct sb_group	*g;
	struct sb_entry	*e;
	int		 gi = sb_group_alloc(), ei = sb_alloc();

	cr_assert_neq(gi, -1);
	cr_assert_neq(ei, -1);
	g = sb_group(gi);
	e = sb_entry(ei);
	for (unsigned i = 0; i < workers; i++)
		sb_joined(g);
	for (unsigned i = 0; i < conns; i++)
		sb_conn_open(e, g);
	return g;
}

Test(scoreboard, alone_is_never_over)
{
	cr_assert_not(sb_over_share(group_of(1, 500), 500));
	cr_assert_not(sb_over_share(NULL, 100000));
	cr_assert_not(sb_over_share(group_of(0, 0), 10));
}

Test(scoreboard, share_with_slack)
{
	/* 40 between 2: a share of 20, slack 8 + 2. */
	struct sb_group *g = group_of(2, 40);

	cr_assert_not(sb_over_share(g, 30));
	cr_assert(sb_over_share(g, 31));
	/* 500 between 2: 250, slack 8 + 31. */
	g = group_of(2, 500);
	cr_assert_not(sb_over_share(g, 289));
	cr_assert(sb_over_share(g, 290));
	/* Few connections: the fixed slack keeps them where they land. */
	g = group_of(4, 3);
	cr_assert_not(sb_over_share(g, 3));
}

Test(scoreboard, dead_worker_takes_its_connections_along)
{
	int		 gi = sb_group_alloc();
	struct sb_group	*g = sb_group(gi);
	struct sb_entry	*a = sb_entry(sb_alloc()), *b = sb_entry(sb_alloc());

	sb_joined(g);
	sb_joined(g);
	for (int i = 0; i < 30; i++)
		sb_conn_open(a, g);
	for (int i = 0; i < 10; i++)
		sb_conn_open(b, g);
	sb_conn_close(b, g);
	cr_assert_eq(atomic_load(&g->sg_conns), 39);
	sb_left(g, a);
	cr_assert_eq(atomic_load(&g->sg_conns), 9);
	cr_assert_eq(atomic_load(&g->sg_workers), 1);
	/* Released and taken again: a fresh group starts from zero. */
	sb_group_release(gi);
	cr_assert_eq(sb_group_alloc(), gi);
	cr_assert_eq(atomic_load(&g->sg_conns), 0);
	cr_assert_eq(atomic_load(&g->sg_workers), 0);
}
