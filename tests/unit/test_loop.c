/* SPDX-License-Identifier: ISC */
/*
 * The event loop: deadlines, dispatch, and a source ended by another
 * source's handler in the same batch (a control client dropped by
 * another client's command) never being called after its end.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

struct src {
	struct ev_source	 s_ev;
	struct src		*s_other;
	bool			 s_ran;
	bool			 s_ended;
};

static void
end_the_other(struct ev_source *ev, uint32_t events)
{
	struct src *s = (struct src *)ev;

	(void)events;
	cr_assert(!s->s_ended, "called after its end");
	s->s_ran = true;
	ev_unwatch(&s->s_other->s_ev);
	s->s_other->s_ended = true;
}

static void
readable(struct src *s, int p[2])
{
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(write(p[1], "x", 1), 1);
	s->s_ev.es_fd = p[0];
	s->s_ev.es_fn = end_the_other;
	cr_assert_eq(ev_watch(&s->s_ev, EPOLLIN), 0);
}

Test(loop, a_source_ended_in_the_batch_is_not_called)
{
	struct src	a = { .s_ran = false }, b = { .s_ran = false };
	int		pa[2], pb[2];

	cr_assert_eq(ev_init(), 0);
	a.s_other = &b;
	b.s_other = &a;
	readable(&a, pa);
	readable(&b, pb);
	/* Both are ready: one batch, whichever comes first ends the other. */
	cr_assert_eq(ev_wait(ev_now_ms() + 1000), 0);
	cr_assert(a.s_ran != b.s_ran, "a ran %d, b ran %d", a.s_ran, b.s_ran);
	ev_close();
	for (int i = 0; i < 2; i++) {
		close(pa[i]);
		close(pb[i]);
	}
}

Test(loop, a_deadline_ends_the_wait)
{
	uint64_t t0;

	cr_assert_eq(ev_init(), 0);
	t0 = ev_now_ms();
	cr_assert_eq(ev_wait(t0 + 50), 0);
	cr_assert_geq(ev_now_ms(), t0 + 50);
	/* A deadline already past returns at once. */
	cr_assert_eq(ev_wait(t0), 0);
	ev_close();
}
