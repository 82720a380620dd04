/* SPDX-License-Identifier: ISC */
/*
 * The stress suite's load client against servers that misbehave on
 * purpose: each kind of failure is told apart, a stall is counted, and
 * the pace is kept.  The suite's verdicts are only as good as these.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "loadgen.h"

enum behaviour { SILENT, RESET, BAD, SLOW, GOOD };

static struct {
	int		 s_fd;
	int		 s_port;
	enum behaviour	 s_does;
	atomic_bool	 s_stop;
	pthread_t	 s_thread;
	int		 s_held[64];	/* SILENT's connections */
	int		 s_nheld;
} srv;

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
serve_one(int fd)
{
	static const char good[] = "HTTP/1.0 200 OK\r\n\r\nhello\n";
	static const char bad[] = "HTTP/1.0 500 Oops\r\n\r\n";
	struct linger lin = { 1, 0 };
	char buf[256];

	switch (srv.s_does) {
	case SILENT:
		if (srv.s_nheld < 64) {
			srv.s_held[srv.s_nheld++] = fd;
			return;
		}
		break;
	case RESET:
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		break;
	case BAD:
		(void)!read(fd, buf, sizeof(buf));
		(void)!write(fd, bad, sizeof(bad) - 1);
		break;
	case SLOW:
		pause_ms(LG_STALL_MS + 100);
		/* FALLTHROUGH */
	case GOOD:
		(void)!read(fd, buf, sizeof(buf));
		(void)!write(fd, good, sizeof(good) - 1);
		break;
	}
	close(fd);
}

static void *
serve(void *arg)
{
	struct pollfd pfd = { .fd = srv.s_fd, .events = POLLIN };
	int fd;

	(void)arg;
	while (!atomic_load(&srv.s_stop)) {
		if (poll(&pfd, 1, 20) != 1)
			continue;
		if ((fd = accept4(srv.s_fd, NULL, NULL, SOCK_CLOEXEC)) != -1)
			serve_one(fd);
	}
	return NULL;
}

/* A server that does what it is told; accept(2)s only if it must. */
static void
server(enum behaviour does, int backlog, bool accepts)
{
	srv.s_fd = h_bound(&srv.s_port);
	srv.s_does = does;
	cr_assert_eq(listen(srv.s_fd, backlog), 0);
	if (accepts)
		cr_assert_eq(pthread_create(&srv.s_thread, NULL, serve, NULL),
		    0);
}

static void
server_end(bool accepts)
{
	atomic_store(&srv.s_stop, true);
	if (accepts)
		pthread_join(srv.s_thread, NULL);
	for (int i = 0; i < srv.s_nheld; i++)
		close(srv.s_held[i]);
	close(srv.s_fd);
}

/* One trial: a server behaving so, the client against it for t_ms. */
struct trial {
	enum behaviour	t_does;
	int		t_backlog;
	bool		t_accepts;
	int		t_conns, t_rate;
	long		t_ms;
	int		t_deadline_ms;	/* per request */
};

static void
trial(const struct trial *t, struct loadgen *lg, char *d, size_t len)
{
	server(t->t_does, t->t_backlog, t->t_accepts);
	lg_init(lg, srv.s_port, t->t_conns, t->t_rate, LG_HTTP);
	lg->lg_deadline_ms = t->t_deadline_ms;
	lg_run(lg);
	pause_ms(t->t_ms);
	lg_stop(lg);
	server_end(t->t_accepts);
	lg_describe(lg, d, len);
}

/* Some requests ended as o, and every failure was an o. */
static void
only(const struct loadgen *lg, enum lg_outcome o, const char *d)
{
	cr_assert_gt(lg->lg_count[o], 0, "%s", d);
	cr_assert_eq(lg_failures(lg), lg->lg_count[o], "%s", d);
}

Test(loadgen, a_closed_port_is_refused)
{
	struct loadgen	lg;
	char		d[1024];
	int		port, fd = h_bound(&port);

	lg_init(&lg, port, 2, 100, LG_HTTP);
	lg_run(&lg);
	pause_ms(200);
	lg_stop(&lg);
	close(fd);
	lg_describe(&lg, d, sizeof(d));
	only(&lg, LG_REFUSED, d);
	cr_assert(strstr(d, "first failure: refused: Connection refused") !=
	    NULL, "%s", d);
}

/* A full accept queue drops SYNs: the client must not call that a
   worker's silence, nor the reverse for the connection queued. */
Test(loadgen, an_unanswered_syn_is_not_an_unanswered_request)
{
	static const struct trial t = { SILENT, 0, false, 4, 100, 100, 300 };
	struct loadgen	lg;
	char		d[1024];

	trial(&t, &lg, d, sizeof(d));
	cr_assert_geq(lg.lg_count[LG_NO_SYNACK], 1, "%s", d);
	cr_assert_geq(lg.lg_count[LG_UNANSWERED], 1, "%s", d);
	cr_assert_eq(lg.lg_count[LG_OK], 0, "%s", d);
}

/* Each server's misbehaviour is told by its own kind, and only by it. */
struct one_kind {
	struct trial	ok_trial;
	enum lg_outcome	ok_outcome;
	char		ok_story[48];	/* in the first failure's story */
};

ParameterizedTestParameters(loadgen, each_failure_has_its_kind)
{
	static struct one_kind kinds[] = {
		{ { SILENT, 64, true, 2, 100, 100, 300 }, LG_UNANSWERED,
		    "first failure: unanswered" },
		{ { RESET, 64, true, 2, 100, 200, 300 }, LG_RESET,
		    "first failure: reset" },
		{ { BAD, 64, true, 2, 100, 200, 300 }, LG_BAD,
		    "first failure: bad" },
	};

	return cr_make_param_array(struct one_kind, kinds,
	    sizeof(kinds) / sizeof(kinds[0]));
}

ParameterizedTest(struct one_kind *k, loadgen, each_failure_has_its_kind)
{
	struct loadgen	lg;
	char		d[1024];

	trial(&k->ok_trial, &lg, d, sizeof(d));
	only(&lg, k->ok_outcome, d);
	cr_assert(strstr(d, k->ok_story) != NULL, "%s", d);
}

/* A good reply after a second is a success and a stall, told as such. */
Test(loadgen, a_slow_reply_is_a_stall_with_its_story)
{
	static const struct trial t = { SLOW, 64, true, 1, 100, 100,
	    LG_DEADLINE_MS };
	struct loadgen	lg;
	char		d[1024];

	trial(&t, &lg, d, sizeof(d));
	cr_assert_eq(lg.lg_count[LG_OK], 1, "%s", d);
	cr_assert_eq(lg.lg_stalls, 1, "%s", d);
	cr_assert_gt(lg.lg_slowest.ls_first_us - lg.lg_slowest.ls_start_us,
	    LG_STALL_MS * 1000L, "%s", d);
	cr_assert(strstr(d, "1 over 1000 ms; slowest: ok") != NULL, "%s", d);
}

/* The pace is a promise the conntrack budget rests on: a fast server
   never gets more than it allows. */
Test(loadgen, the_pace_is_kept_against_a_fast_server)
{
	static const struct trial t = { GOOD, 64, true, 16, 200, 500, 300 };
	struct loadgen	lg;
	char		d[1024];
	unsigned long	most;

	trial(&t, &lg, d, sizeof(d));
	cr_assert_eq(lg_failures(&lg), 0, "%s", d);
	cr_assert_gt(lg.lg_count[LG_OK], 0, "%s", d);
	/* The pace over the time it ran, plus the first opening at time 0
	   and lg_offered's rounding down: a make-up after a pause never
	   runs ahead of the pace, only catches up with it. */
	most = lg_offered(&lg) + 2;
	cr_assert_leq(lg.lg_requests, most, "%s", d);
}
