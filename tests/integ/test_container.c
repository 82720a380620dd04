/* SPDX-License-Identifier: ISC */
/*
 * poold as an orchestrator's workload: the health probes Kubernetes and
 * Nomad ask (/livez, /readyz, /startupz on the metrics listener), what
 * they answer as pools boot, scale and stop, and --metrics; the drain
 * before a stop (TERM, INT, poolctl drain, POST /drain) and what the
 * workers still owe when they stop accepting.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

#define BODY_MAX	4096

static struct poold pd;
static int mport;	/* the metrics and health listener */

static void setup(void) { h_setup(&pd); mport = h_free_port(); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(container, .init = setup, .fini = teardown, .timeout = 60);

/* GET path on the health listener: its status; its body in body. */
static int
probe(const char *path, char *body, size_t len)
{
	char		 buf[BODY_MAX], what[128];
	const char	*b;
	int		 status;

	snprintf(what, sizeof(what), "GET %s", path);
	status = h_http(mport, what, buf, sizeof(buf));
	b = strstr(buf, "\r\n\r\n");
	snprintf(body, len, "%s", b != NULL ? b + 4 : "");
	return status;
}

/* Wait until path answers want; the last status. */
static int
wait_probe(const char *path, int want, char *body, size_t len)
{
	long	deadline = h_now_ms() + 2 * H_WAIT_MS;
	int	status;

	while ((status = probe(path, body, len)) != want &&
	    h_now_ms() < deadline)
		usleep(20000);
	return status;
}

/*
 * A pool whose worker never says READY=1 holds /readyz and /startupz at
 * 503, naming it; scaled to zero it needs none, and both turn 200;
 * ?verbose gives each pool's numbers as JSON; /livez answers throughout.
 */
Test(container, probes_follow_the_pools)
{
	char	 body[BODY_MAX];
	json_t	*j, *pools, *r;
	int	 port = h_free_port(), port2 = h_free_port();

	h_start_conf(&pd, "metrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool up {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--ready-after\", \"0\" }\n"
	    "  ready = \"notify\"\n  workers = 2\n  min_ready = 2\n}\n"
	    "pool late {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\" }\n  ready = \"notify\"\n"
	    "  boot_timeout = 60\n  workers = 1\n  min_workers = 0\n}\n", mport, port,
	    h_tworker_path(), port2, h_tworker_path());
	cr_assert_eq(wait_probe("/livez", 200, body, sizeof(body)), 200);
	cr_assert(strncmp(body, "ok", 2) == 0, "livez: %s", body);
	cr_assert(h_wait_ready(&pd, 2, H_WAIT_MS));
	cr_assert_eq(probe("/readyz", body, sizeof(body)), 503);
	cr_assert_not_null(strstr(body, "pool late: 0 of 1"), "%s", body);
	cr_assert_eq(probe("/startupz", body, sizeof(body)), 503);
	r = h_ctl_json(&pd, "scale late 0");
	json_decref(r);
	cr_assert_eq(wait_probe("/readyz", 200, body, sizeof(body)), 200,
	    "%s", body);
	cr_assert_eq(probe("/startupz", body, sizeof(body)), 200, "%s", body);
	cr_assert_eq(probe("/readyz?verbose", body, sizeof(body)), 200);
	cr_assert_not_null(j = json_loads(body, 0, NULL), "%s", body);
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 200);
	pools = json_object_get(j, "pools");
	cr_assert_eq(json_array_size(pools), 2, "%s", body);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    pools, 0), "name")), "up");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pools,
	    0), "ready")), 2, "%s", body);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pools,
	    0), "min_ready")), 2, "%s", body);
	json_decref(j);
	/* Once started, always: /startupz stays 200 when /readyz fails. */
	r = h_ctl_json(&pd, "scale late 1");
	json_decref(r);
	cr_assert_eq(wait_probe("/readyz", 503, body, sizeof(body)), 503);
	cr_assert_eq(probe("/startupz", body, sizeof(body)), 200, "%s", body);
}

/* HEAD has the status and no body; anything else is refused. */
Test(container, probes_answer_head_and_refuse_the_rest)
{
	char	buf[BODY_MAX];
	char	bind[32], metrics[32];

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	snprintf(metrics, sizeof(metrics), "127.0.0.1:%d", mport);
	const char *args[] = { "-b", bind, "-w", "1", "--metrics", metrics,
	    "--", h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	cr_assert_eq(h_http(mport, "HEAD /livez", buf, sizeof(buf)), 200,
	    "--metrics did not open the listener: %s", buf);
	cr_assert_not_null(strstr(buf, "\r\n\r\n"));
	cr_assert_str_eq(strstr(buf, "\r\n\r\n"), "\r\n\r\n", "a body: %s",
	    buf);
	cr_assert_eq(h_http(mport, "GET /healthz", buf, sizeof(buf)), 404);
	cr_assert_eq(h_http(mport, "GET /readyzz", buf, sizeof(buf)), 404);
	cr_assert_eq(h_http(mport, "DELETE /readyz", buf, sizeof(buf)), 405);
}

/* A bad --metrics is refused at start, saying what it wanted. */
Test(container, a_bad_metrics_flag_is_refused)
{
	const char	*args[] = { "--metrics", "fd://3", "--check-config",
	    NULL };

	cr_assert_eq(WEXITSTATUS(h_run(&pd, args, H_WAIT_MS)), 2);
	cr_assert(h_log_has(&pd, "--metrics: HOST:PORT or unix:PATH"));
}

/* -- the drain -------------------------------------------------------------- */

static int app_port;	/* the pool's */

/* A pool of two sync workers, with globals before it. */
static void
start_web(const char *globals)
{
	app_port = h_free_port();
	h_start_conf(&pd, "%smetrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 2\n}\n", globals, mport, app_port);
	cr_assert(h_wait_ready(&pd, 2, H_WAIT_MS));
}

/* poold's exit status, which must come within timeout_ms. */
static int
exit_code(int timeout_ms)
{
	int status;

	cr_assert(h_wait_exit(&pd, timeout_ms, &status), "poold did not "
	    "exit");
	cr_assert(WIFEXITED(status), "poold ended by a signal");
	return WEXITSTATUS(status);
}

/*
 * TERM with drain_delay: /readyz fails at once while the workers serve
 * on (status says draining), then the graceful stop, and exit 0.
 */
Test(container, term_drains_then_stops)
{
	char	body[BODY_MAX], buf[BODY_MAX];
	json_t	*r;

	start_web("drain_delay = 3\n");
	cr_assert_eq(probe("/readyz", body, sizeof(body)), 200, "%s", body);
	h_signal(&pd, SIGTERM);
	cr_assert_eq(wait_probe("/readyz", 503, body, sizeof(body)), 503);
	cr_assert_not_null(strstr(body, "draining"), "%s", body);
	cr_assert_eq(h_http(app_port, "GET /", buf, sizeof(buf)), 200,
	    "a worker stopped serving while draining: %s", buf);
	r = h_ctl_json(&pd, "status");
	cr_assert_str_eq(json_string_value(json_object_get(r, "state")),
	    "draining");
	json_decref(r);
	cr_assert_eq(exit_code(3 * H_WAIT_MS), 0);
	cr_assert(h_log_has(&pd, "drained after"));
}

/* drain_probes: once /readyz has failed that often, the probers know;
   the drain ends there, long before its delay. */
Test(container, drain_probes_end_the_drain_early)
{
	char body[BODY_MAX];

	start_web("drain_delay = 600\ndrain_probes = 3\n");
	h_signal(&pd, SIGTERM);
	cr_assert_eq(wait_probe("/readyz", 503, body, sizeof(body)), 503);
	cr_assert_eq(probe("/readyz", body, sizeof(body)), 503);
	cr_assert_eq(probe("/readyz", body, sizeof(body)), 503);
	cr_assert_eq(exit_code(2 * H_WAIT_MS), 0);
	cr_assert(h_log_has(&pd, "/readyz failed 3 time(s)"));
}

/* poolctl drain returns once the drain is over; poold then stops. */
Test(container, poolctl_drain_waits_for_the_drain)
{
	char		 out[1024];
	const char	*args[] = { "drain", NULL };

	start_web("drain_delay = 1\n");
	cr_assert_eq(h_poolctl(&pd, args, out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, "drained"), "%s", out);
	cr_assert(h_log_has(&pd, "drained after"), "poolctl returned before "
	    "the drain ended");
	cr_assert_eq(exit_code(2 * H_WAIT_MS), 0);
}

/* POST /drain, for a preStop hook: answered when drained.  GET is no
   way to start one. */
Test(container, post_drain_answers_when_drained)
{
	char buf[BODY_MAX];

	start_web("drain_delay = 1\n");
	cr_assert_eq(h_http(mport, "GET /drain", buf, sizeof(buf)), 404);
	cr_assert_eq(h_http(mport, "POST /drain", buf, sizeof(buf)), 200,
	    "%s", buf);
	cr_assert_not_null(strstr(buf, "drained"), "%s", buf);
	cr_assert(h_log_has(&pd, "drained after"));
	cr_assert_eq(exit_code(2 * H_WAIT_MS), 0);
}

/*
 * Nomad stops a task with INT by default: from a process, INT drains as
 * TERM does; drain_signals decides, and a signal left out of it stops at
 * once.
 */
Test(container, int_from_a_process_drains)
{
	start_web("drain_delay = 0.5\n");
	h_signal(&pd, SIGINT);
	cr_assert_eq(exit_code(2 * H_WAIT_MS), 0);
	cr_assert(h_log_has(&pd, "signal INT: drain, then graceful stop"));
}

Test(container, drain_signals_decide)
{
	start_web("drain_delay = 30\ndrain_signals = { \"QUIT\" }\n");
	h_signal(&pd, SIGTERM);
	cr_assert_eq(exit_code(2 * H_WAIT_MS), 0);
	cr_assert(h_log_has(&pd, "signal TERM: quick stop"));
}

/* A sync worker on port held by a slow client (its request half sent),
   and n requests queued behind it: the connections. */
static int
queue_behind_slow(int port, int *fds, int n)
{
	int slow;

	cr_assert_neq(slow = h_tcp_connect(port), -1);
	cr_assert_eq(h_send(slow, "GET / HTTP/1.0\r\n", 16), 0);
	for (int i = 0; i < n; i++) {
		cr_assert_neq(fds[i] = h_tcp_connect(port), -1);
		cr_assert_eq(h_send(fds[i], "GET / HTTP/1.0\r\n\r\n", 18), 0);
	}
	return slow;
}

/* Once the graceful stop has begun: the slow client's request finished,
   and it and every queued one answered 200. */
static void
answered_at_stop(int slow, int *fds, int n)
{
	char	buf[BODY_MAX];
	bool	closed;

	cr_assert(h_wait_count(pd.pd_log, "graceful stop", 1, 2 * H_WAIT_MS));
	cr_assert_eq(h_send(slow, "\r\n", 2), 0);
	h_recv(slow, buf, sizeof(buf), NULL, 0, H_WAIT_MS, &closed);
	cr_assert(strncmp(buf, "HTTP/1.0 200", 12) == 0, "slow: %s", buf);
	close(slow);
	for (int i = 0; i < n; i++) {
		h_recv(fds[i], buf, sizeof(buf), NULL, 0, H_WAIT_MS, &closed);
		cr_assert(strncmp(buf, "HTTP/1.0 200", 12) == 0, "queued "
		    "request %d: \"%s\"", i, buf);
		close(fds[i]);
	}
}

/*
 * What waits in the listen queue when the workers stop accepting is
 * served, not reset: one sync worker held by a slow client, five
 * requests queued behind it, then TERM.
 */
Test(container, queued_connections_are_served_at_the_stop)
{
	int slow, fds[5];

	app_port = h_free_port();
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  worker = sync\n  workers = 1\n}\n", app_port);
	cr_assert(h_wait_ready(&pd, 1, H_WAIT_MS));
	slow = queue_behind_slow(app_port, fds, 5);
	h_signal(&pd, SIGTERM);
	answered_at_stop(slow, fds, 5);
	cr_assert_eq(exit_code(H_WAIT_MS), 0);
}

/* -- the whole lifecycle, as an orchestrator drives it ------------------- */

/*
 * poold as a container's PID 1 (a PID namespace of its own), a built-in
 * pool and an exec pool whose workers leave orphans: the probes answer,
 * no zombie stays; at TERM /readyz fails while the exec pool keeps
 * answering, so a client that, like an endpoints controller, sends only
 * while /readyz says 200 sees no failure; the requests queued behind a
 * busy sync worker when it stops accepting are all answered; exit 0.
 */
Test(container, pid1_lifecycle_as_an_orchestrator_drives_it)
{
	char	 body[BODY_MAX], buf[BODY_MAX];
	int	 web = h_free_port(), app = h_free_port(), slow, q[3];
	int	 sent = 0, after = 0, fails = 0, status;
	long	 tick = 0;
	bool	 draining = false;
	pid_t	 arbiter;

	h_pid1_wrap(&pd);
	h_start_conf(&pd, "log_level = \"debug\"\ndrain_delay = 1.5\n"
	    "metrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n}\n"
	    "pool app {\n  listen = { \"127.0.0.1:%d\" }\n  command = { "
	    "\"/bin/sh\", \"-c\", \"(sleep 0.2 &); exec %s\" }\n"
	    "  workers = 2\n}\n", mport, web, app, h_tworker_path());
	arbiter = h_pid1_arbiter(&pd);
	cr_assert_eq(wait_probe("/startupz", 200, body, sizeof(body)), 200,
	    "%s", body);
	cr_assert_eq(probe("/readyz", body, sizeof(body)), 200, "%s", body);
	cr_assert_eq(probe("/livez", body, sizeof(body)), 200, "%s", body);
	cr_assert(h_wait_count(pd.pd_log, "not a worker", 2, H_WAIT_MS),
	    "orphans not reaped");
	cr_assert_eq(h_zombies(arbiter), 0);
	/* The sync worker busy with a slow client, three waiting. */
	slow = queue_behind_slow(web, q, 3);
	/* The endpoints controller's view: send while /readyz says so. */
	for (int i = 0; i < 2000 && !draining; i++) {
		h_pace(&pd, &tick);
		if (i == 10)
			cr_assert_eq(kill(arbiter, SIGTERM), 0);
		if (probe("/readyz", body, sizeof(body)) != 200) {
			draining = true;
			continue;
		}
		sent++;
		after += i >= 10;
		if (h_query_tcp(app, buf, sizeof(buf)) != 0)
			fails++;
	}
	cr_assert(draining, "/readyz never failed after TERM");
	cr_assert_not_null(strstr(body, "draining"), "%s", body);
	cr_assert_eq(fails, 0, "%d of %d requests failed", fails, sent);
	/* Draining, the pool still serves: what a balancer still sends. */
	cr_assert_eq(h_query_tcp(app, buf, sizeof(buf)), 0, "the exec pool "
	    "stopped serving while draining");
	answered_at_stop(slow, q, 3);
	cr_assert(h_wait_exit(&pd, 2 * H_WAIT_MS, &status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d",
	    status);
	cr_log_info("%d requests while ready, %d of them after TERM", sent,
	    after);
}

/* -- structured logs ---------------------------------------------------------- */

/* Every line of path parses as a JSON object with a "time"; how many,
   and how many have member key equal to want (want NULL: have key). */
static int
json_lines(const char *path, const char *key, const char *want, int *with)
{
	char		 line[65536];
	FILE		*f = fopen(path, "r");
	json_error_t	 je;
	json_t		*o;
	int		 n = 0;

	cr_assert_not_null(f, "%s", path);
	*with = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		cr_assert_not_null(o = json_loads(line, 0, &je), "%s: line %d "
		    "is no JSON (%s): %s", path, n + 1, je.text, line);
		cr_assert(json_is_object(o) && json_is_string(json_object_get(
		    o, "time")), "%s: %s", path, line);
		if (json_object_get(o, key) != NULL && (want == NULL ||
		    (json_is_string(json_object_get(o, key)) &&
		    strcmp(json_string_value(json_object_get(o, key)), want) ==
		    0)))
			(*with)++;
		json_decref(o);
		n++;
	}
	fclose(f);
	return n;
}

/*
 * log_format = "json": both logs are one JSON object per line, whatever
 * the bytes (a worker printing quotes, backslashes, control characters
 * and bytes that are not UTF-8; requests with odd targets), under load
 * and across a reload; the events are lines of their own.
 */
Test(container, json_logs_parse_whole)
{
	char		 elog[H_PATH_MAX], alog[H_PATH_MAX], buf[BODY_MAX];
	char		 req[64];
	int		 web = h_free_port(), n, with, served = 0;
	long		 tick = 0;
	json_t		*r;

	h_path(&pd, "error.log", elog, sizeof(elog));
	h_path(&pd, "access.log", alog, sizeof(alog));
	h_start_conf(&pd, "log_format = \"json\"\nerror_log = \"%s\"\n"
	    "access_log = \"%s\"\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = async\n"
	    "  workers = 2\n}\n"
	    "pool noisy {\n  listen = { \"127.0.0.1:%d\" }\n  command = { "
	    "\"/bin/sh\", \"-c\", \"printf 'q\\\"b\\\\\\\\s\\\\001\\\\37"
	    "7\\\\303\\\\n'; exec sleep 60\" }\n  workers = 1\n}\n", elog,
	    alog, web, h_free_port());
	snprintf(pd.pd_log, sizeof(pd.pd_log), "%s", elog);
	cr_assert(h_wait_ready(&pd, 2, H_WAIT_MS));
	for (int i = 0; i < 300; i++) {
		h_pace(&pd, &tick);
		if (i == 150) {
			r = h_ctl_json(&pd, "reload");
			json_decref(r);
		}
		snprintf(req, sizeof(req), i % 10 ? "GET /x?i=%d" :
		    "GET /\"\\\\%%ff?%d", i);
		if (h_http(web, req, buf, sizeof(buf)) > 0)
			served++;
	}
	cr_assert(h_wait_count(elog, "\"event\":\"reloaded\"", 1, H_WAIT_MS));
	h_signal(&pd, SIGTERM);
	cr_assert_eq(exit_code(2 * H_WAIT_MS), 0);
	n = json_lines(elog, "event", "reloaded", &with);
	cr_assert_eq(with, 1, "no reloaded event among %d lines", n);
	(void)json_lines(elog, "pool", "noisy", &with);
	cr_assert_geq(with, 1, "the worker's output is not a line of its own");
	n = json_lines(alog, "status", NULL, &with);
	cr_assert_eq(n, served, "%d requests answered, %d access lines",
	    served, n);
	cr_assert_eq(with, n);
}

/* A bad --log-format is refused, naming what it wants. */
Test(container, a_bad_log_format_is_refused)
{
	const char *args[] = { "--log-format", "xml", "--check-config", NULL };

	cr_assert_eq(WEXITSTATUS(h_run(&pd, args, H_WAIT_MS)), 2);
	cr_assert(h_log_has(&pd, "--log-format xml: expected text or json"));
}

/* -- the files in deploy/ ---------------------------------------------------- */

#define DEPLOY_MAX	8192

/* deploy/NAME, whole, into buf. */
static void
deploy_file(const char *name, char *buf, size_t len)
{
	const char	*src = getenv("POOLD_SRCDIR");
	char		 path[H_PATH_MAX];
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/deploy/%s", src ? src : ".", name);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	cr_assert(feof(f), "%s is longer than %zu bytes", path, len - 1);
	fclose(f);
}

/* The number after "key" on the same line as the first "what", or -1. */
static long
number_after(const char *text, const char *what, const char *key)
{
	const char	*at = strstr(text, what), *k, *eol;

	if (at == NULL || (eol = strchr(at + 1, '\n')) == NULL ||
	    (k = strstr(at, key)) == NULL || k > eol)
		return -1;
	return strtol(k + strlen(key), NULL, 10);
}

/* The probe's path in the manifest's line for it, into path. */
static void
probe_path(const char *manifest, const char *kind, char *path, size_t len)
{
	const char	*at = strstr(manifest, kind), *p;

	cr_assert_not_null(at, "no %s in kubernetes.yaml", kind);
	cr_assert_not_null(p = strstr(at, "path: "), "%s has no path", kind);
	snprintf(path, len, "%.*s", (int)strcspn(p + 6, ", }\n"), p + 6);
}

/* text with every from replaced by to, into out. */
static void
replace(const char *text, const char *from, const char *to, char *out,
    size_t len)
{
	size_t		 n = 0, fl = strlen(from);
	const char	*p;

	while ((p = strstr(text, from)) != NULL) {
		n += (size_t)snprintf(out + n, len - n, "%.*s%s",
		    (int)(p - text), text, to);
		cr_assert_lt(n, len);
		text = p + fl;
	}
	n += (size_t)snprintf(out + n, len - n, "%s", text);
	cr_assert_lt(n, len);
}

/*
 * deploy/: the manifest's probes and ports are the configuration's, its
 * grace period covers the drain and the graceful stop, and so does
 * Nomad's kill_timeout; the configuration itself runs (on free loopback
 * ports, a short drain): the manifest's three probes answer, and at TERM
 * readiness fails while liveness holds, then exit 0.
 */
Test(container, the_deploy_files_agree_and_run)
{
	char	 k8s[DEPLOY_MAX], conf[DEPLOY_MAX], nomad[DEPLOY_MAX];
	char	 a[DEPLOY_MAX], b[DEPLOY_MAX], path[H_PATH_MAX];
	char	 start[64], live[64], ready[64], body[BODY_MAX], want[128];
	long	 hport, aport, grace, drain, graceful;
	int	 app = h_free_port();

	deploy_file("kubernetes.yaml", k8s, sizeof(k8s));
	deploy_file("poold.conf", conf, sizeof(conf));
	deploy_file("nomad.hcl", nomad, sizeof(nomad));
	probe_path(k8s, "startupProbe:", start, sizeof(start));
	probe_path(k8s, "livenessProbe:", live, sizeof(live));
	probe_path(k8s, "readinessProbe:", ready, sizeof(ready));
	hport = number_after(k8s, "readinessProbe:", "port: ");
	cr_assert_eq(number_after(k8s, "livenessProbe:", "port: "), hport);
	cr_assert_eq(number_after(k8s, "startupProbe:", "port: "), hport);
	cr_assert_eq(number_after(k8s, "name: health", "containerPort: "),
	    hport);
	aport = number_after(k8s, "name: http,", "containerPort: ");
	cr_assert_eq(number_after(k8s, "targetPort", "targetPort: "), aport);
	snprintf(want, sizeof(want), "\"0.0.0.0:%ld\"", hport);
	cr_assert_not_null(strstr(conf, want), "the probes' port is not the "
	    "metrics listener's");
	snprintf(want, sizeof(want), "\"0.0.0.0:%ld\"", aport);
	cr_assert_not_null(strstr(conf, want), "the http port is not the "
	    "pool's");
	grace = number_after(k8s, "terminationGracePeriodSeconds",
	    "terminationGracePeriodSeconds: ");
	drain = number_after(conf, "\ndrain_delay", "= ");
	graceful = number_after(conf, "graceful_timeout", "= ");
	cr_assert(drain > 0 && graceful > 0, "poold.conf: drain_delay %ld, "
	    "graceful_timeout %ld", drain, graceful);
	cr_assert_gt(grace, drain + graceful, "terminationGracePeriodSeconds "
	    "does not cover the drain and the graceful stop");
	cr_assert_gt(number_after(nomad, "kill_timeout = ", "\""), drain +
	    graceful, "Nomad's kill_timeout does not cover the stop");
	snprintf(want, sizeof(want), "path     = \"%s\"", ready);
	cr_assert_not_null(strstr(nomad, want), "Nomad checks another path");
	/* The configuration, on this machine's free loopback ports. */
	snprintf(want, sizeof(want), "\"127.0.0.1:%d\"", mport);
	snprintf(path, sizeof(path), "\"0.0.0.0:%ld\"", hport);
	replace(conf, path, want, a, sizeof(a));
	snprintf(want, sizeof(want), "\"127.0.0.1:%d\"", app);
	snprintf(path, sizeof(path), "\"0.0.0.0:%ld\"", aport);
	replace(a, path, want, b, sizeof(b));
	snprintf(want, sizeof(want), "\ndrain_delay = %ld\n", drain);
	replace(b, want, "\ndrain_delay = 1\n", a, sizeof(a));
	h_start_conf(&pd, "%s", a);
	cr_assert_eq(wait_probe(start, 200, body, sizeof(body)), 200, "%s: %s",
	    start, body);
	cr_assert_eq(probe(live, body, sizeof(body)), 200, "%s", live);
	cr_assert_eq(probe(ready, body, sizeof(body)), 200, "%s", ready);
	cr_assert_eq(h_http(app, "GET /", body, sizeof(body)), 200);
	h_signal(&pd, SIGTERM);
	cr_assert_eq(wait_probe(ready, 503, body, sizeof(body)), 503);
	cr_assert_eq(probe(live, body, sizeof(body)), 200, "liveness failed "
	    "while draining: the kubelet would restart the container");
	cr_assert_eq(exit_code(3 * H_WAIT_MS), 0);
}
