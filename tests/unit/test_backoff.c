/* SPDX-License-Identifier: ISC */
/*
 * The crash-loop backoff: 0, 100, 200, 400, ... ms, capped at BACKOFF_MAX_MS.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdint.h>

#include "backoff.h"

struct delay_case {
	unsigned	fails;
	uint64_t	ms;
};

ParameterizedTestParameters(backoff, delay)
{
	static struct delay_case cases[] = {
		{ 0, 0 },
		{ 1, 100 },
		{ 2, 200 },
		{ 3, 400 },
		{ 4, 800 },
		{ 5, 1600 },
		{ 6, 3200 },
		{ 7, 6400 },
		{ 8, BACKOFF_MAX_MS },	/* 12800, capped */
		{ 9, BACKOFF_MAX_MS },
		{ 64, BACKOFF_MAX_MS },	/* 100 << 63 would overflow */
		{ 65, BACKOFF_MAX_MS },
		{ 1000000, BACKOFF_MAX_MS },
		{ UINT_MAX, BACKOFF_MAX_MS },
	};

	return cr_make_param_array(struct delay_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct delay_case *c, backoff, delay)
{
	uint64_t d = backoff_delay(c->fails);

	cr_assert_eq(d, c->ms, "delay(%u) = %llu, want %llu", c->fails,
	    (unsigned long long)d, (unsigned long long)c->ms);
}

Test(backoff, delay_never_decreases_nor_exceeds_cap)
{
	uint64_t prev = 0;

	for (unsigned f = 0; f < 200; f++) {
		uint64_t d = backoff_delay(f);
		cr_assert_geq(d, prev, "delay(%u) < delay(%u)", f, f - 1);
		cr_assert_leq(d, BACKOFF_MAX_MS, "delay(%u) above cap", f);
		prev = d;
	}
}

Test(backoff, fresh_state_does_not_block)
{
	struct backoff b = { 0 };

	cr_assert_not(backoff_blocks(&b, 0));
	cr_assert_not(backoff_blocks(&b, 123456));
}

Test(backoff, first_fail_blocks_for_base_delay)
{
	struct backoff b = { 0 };

	backoff_fail(&b, 5000);
	cr_assert_eq(b.b_fails, 1);
	cr_assert_eq(b.b_until, 5000 + BACKOFF_BASE_MS);
	cr_assert(backoff_blocks(&b, 5000));
	cr_assert(backoff_blocks(&b, 5099));
	cr_assert_not(backoff_blocks(&b, 5100));
	cr_assert_not(backoff_blocks(&b, 9999));
}

Test(backoff, repeated_fails_double_the_wait)
{
	struct backoff	b = { 0 };
	uint64_t	now = 1000;

	backoff_fail(&b, now);
	cr_assert_eq(b.b_until - now, 100);
	now = b.b_until;
	backoff_fail(&b, now);
	cr_assert_eq(b.b_until - now, 200);
	now = b.b_until;
	backoff_fail(&b, now);
	cr_assert_eq(b.b_until - now, 400);
	cr_assert_eq(b.b_fails, 3);
}

Test(backoff, wait_capped_after_many_fails)
{
	struct backoff b = { 0 };

	for (int i = 0; i < 100; i++)
		backoff_fail(&b, 0);
	cr_assert_eq(b.b_fails, 100);
	cr_assert_eq(b.b_until, BACKOFF_MAX_MS);
}

Test(backoff, fail_count_saturates)
{
	struct backoff b = { .b_fails = UINT32_MAX };

	backoff_fail(&b, 7);
	cr_assert_eq(b.b_fails, UINT32_MAX, "wrapped to %u", b.b_fails);
	cr_assert_eq(b.b_until, 7 + BACKOFF_MAX_MS);
}

Test(backoff, reset_clears_fails_and_unblocks)
{
	struct backoff b = { 0 };

	backoff_fail(&b, 100);
	backoff_fail(&b, 100);
	backoff_reset(&b);
	cr_assert_eq(b.b_fails, 0);
	cr_assert_eq(b.b_until, 0);
	cr_assert_not(backoff_blocks(&b, 100));
	/* The next failure starts from the base delay again. */
	backoff_fail(&b, 200);
	cr_assert_eq(b.b_until, 200 + BACKOFF_BASE_MS);
}
