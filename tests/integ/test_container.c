/*
 * poold as an orchestrator's workload: the health probes Kubernetes and
 * Nomad ask (/livez, /readyz, /startupz on the metrics listener), what
 * they answer as pools boot, scale and stop, and --metrics.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
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
