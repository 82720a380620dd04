/* SPDX-License-Identifier: ISC */
/*
 * Pools that size themselves, end to end: the default size from the CPUs
 * poold may use; load the test holds open makes
 * a pool grow and its end makes it shrink, within bounds and cooldown;
 * ondemand from zero and back; and the numbers: stats on the control
 * socket, and the metrics endpoint read by Prometheus's own Python
 * parser (python3-prometheus-client).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hjson.h"

#define HOLD_MAX	16

static struct poold pd;
static int port;
static char cg_made[448];	/* a cgroup a test made, removed after it */

static void setup(void) { h_setup(&pd); }

static void
teardown(void)
{
	h_teardown(&pd);
	/* Empty once the last of poold's processes has gone. */
	for (int i = 0; cg_made[0] != '\0' && i < 250 && rmdir(cg_made) ==
	    -1 && errno == EBUSY; i++)
		usleep(20000);
}

TestSuite(scale, .init = setup, .fini = teardown, .timeout = 60);

/* Open n connections that each wait for a slow answer. */
static void
hold(int *fds, int n, const char *request)
{
	for (int i = 0; i < n; i++) {
		cr_assert_neq(fds[i] = h_tcp_connect(port), -1);
		if (request != NULL)
			cr_assert_eq(h_send(fds[i], request, strlen(request)),
			    0);
	}
}

/* Every held connection got an answer. */
static void
answered(int *fds, int n, const char *needle)
{
	char	buf[4096];
	bool	closed;

	for (int i = 0; i < n; i++) {
		h_recv(fds[i], buf, sizeof(buf), needle, 1, 3 * H_WAIT_MS,
		    &closed);
		cr_assert_not_null(strstr(buf, needle), "connection %d: "
		    "\"%.60s\"", i, buf);
		close(fds[i]);
	}
}

/* Read events into seen until the autoscaler sets the target to want. */
static bool
autoscaled_to(int ev, json_t *seen, int want)
{
	json_t *e;

	while ((e = h_event_wait(ev, seen, "scaled", "by", "autoscale",
	    H_WAIT_MS)) != NULL) {
		if (json_integer_value(json_object_get(e, "target")) == want)
			return true;
	}
	return false;
}

/* Every autoscaler step in seen stayed within lo..hi. */
static void
assert_targets_within(json_t *seen, int lo, int hi)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(seen, i, e) {
		const char *name = json_string_value(json_object_get(e,
		    "event"));
		json_int_t t = json_integer_value(json_object_get(e, "target"));
		if (name != NULL && strcmp(name, "scaled") == 0)
			cr_assert(t >= lo && t <= hi, "target %lld outside "
			    "%d..%d", (long long)t, lo, hi);
	}
}

/*
 * backlog, for an exec program that takes 0.4 s per client: eight
 * clients at once make the queue wait, the pool grows one worker per
 * scale_up_after up to max_workers and never past it, every client is
 * answered, and an empty queue shrinks it back to min_workers.
 */
Test(scale, backlog_grows_under_waiting_connections_and_shrinks)
{
	int	 fds[HOLD_MAX], ev;
	json_t	*seen = json_array(), *e;

	port = h_free_port();
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  command = { \"%s\", \"--slow\", \"400\" }\n"
	    "  workers = 1\n  min_workers = 1\n  max_workers = 3\n"
	    "  scale = \"backlog\"\n  scale_up_after = 0.1\n"
	    "  scale_cooldown = 0.1\n  scale_down_after = 0.5\n}\n", port,
	    h_tworker_path());
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	ev = h_subscribe(&pd);
	hold(fds, 8, NULL);
	cr_assert(h_wait_target(&pd, "web", 3, H_WAIT_MS), "did not grow to 3");
	answered(fds, 8, "pid=");
	e = h_event_wait(ev, seen, "scaled", "by", "autoscale", H_WAIT_MS);
	cr_assert_not_null(e, "no scaled event");
	cr_assert_eq(json_integer_value(json_object_get(e, "previous")), 1);
	cr_assert_eq(json_integer_value(json_object_get(e, "target")), 2);
	cr_assert(h_wait_target(&pd, "web", 1, 3 * H_WAIT_MS),
	    "did not shrink back");
	/* Every step by the autoscaler, within 1..3, down to 1. */
	cr_assert(autoscaled_to(ev, seen, 1), "no scaled event down to 1");
	assert_targets_within(seen, 1, 3);
	json_decref(seen);
	close(ev);
}

/* dynamic: built-in workers busy in a slow handler leave too few idle
   ones; the pool adds them, and drops the extra when they idle. */
Test(scale, dynamic_keeps_spare_idle_workers)
{
	int		 fds[HOLD_MAX], ev, t;
	const char	*app = getenv("POOLD_APP_EXAMPLE");
	json_t		*seen = json_array();

	cr_assert_not_null(app);
	port = h_free_port();
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  worker = sync\n  app = \"%s\"\n  workers = 2\n"
	    "  max_workers = 8\n  scale = \"dynamic\"\n  min_spare = 1\n"
	    "  max_spare = 2\n  scale_cooldown = 0.2\n}\n", port, app);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	ev = h_subscribe(&pd);
	/* Three handlers busy for 1.5 s: at least four workers. */
	hold(fds, 3, "GET /sleep/1500 HTTP/1.0\r\n\r\n");
	for (long t0 = h_now_ms(); (t = h_target(&pd, "web")) < 4 &&
	    h_now_ms() - t0 < H_WAIT_MS; )
		usleep(20000);
	cr_assert_geq(t, 4, "only %d workers", t);
	answered(fds, 3, "slept");
	cr_assert(h_wait_target(&pd, "web", 2, 3 * H_WAIT_MS),
	    "extra idle workers kept");
	cr_assert(autoscaled_to(ev, seen, 2),
	    "the autoscaler did not bring it back to 2");
	assert_targets_within(seen, 2, 8);
	json_decref(seen);
	close(ev);
}

/* ondemand: no worker until a client comes, whose request is answered;
   none again after idle_timeout. */
static void
ondemand(bool exec, const char *needle)
{
	char	 buf[4096];
	long	 t0, first;
	bool	 closed;
	int	 fd, ev;
	json_t	*seen = json_array(), *e;

	port = h_free_port();
	if (exec)
		h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
		    "  command = { \"%s\" }\n  workers = 2\n"
		    "  scale = \"ondemand\"\n  idle_timeout = 0.5\n}\n", port,
		    h_tworker_path());
	else
		h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
		    "  worker = sync\n  workers = 2\n  scale = \"ondemand\"\n"
		    "  idle_timeout = 0.5\n}\n", port);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	cr_assert_eq(h_children(pd.pd_pid, NULL, 0), 0, "workers at rest");
	ev = h_subscribe(&pd);
	t0 = h_now_ms();
	cr_assert_neq(fd = h_tcp_connect(port), -1);
	cr_assert_eq(h_send(fd, "GET / HTTP/1.0\r\n\r\n", 18), 0);
	h_recv(fd, buf, sizeof(buf), needle, 1, H_WAIT_MS, &closed);
	first = h_now_ms() - t0;
	close(fd);
	cr_assert_not_null(strstr(buf, needle), "first request: \"%.60s\"",
	    buf);
	cr_log_info("ondemand: first request answered in %ld ms from zero",
	    first);
	e = h_event_wait(ev, seen, "scaled", "by", "autoscale", H_WAIT_MS);
	cr_assert_not_null(e, "no scaled event");
	cr_assert_eq(json_integer_value(json_object_get(e, "previous")), 0);
	cr_assert_eq(json_integer_value(json_object_get(e, "target")), 2);
	cr_assert(h_wait_target(&pd, "web", 0, 3 * H_WAIT_MS), "not back to 0");
	e = h_event_wait(ev, seen, "scaled", "by", "autoscale", H_WAIT_MS);
	cr_assert_not_null(e, "no scaled event back to 0");
	cr_assert_eq(json_integer_value(json_object_get(e, "target")), 0);
	json_decref(seen);
	close(ev);
	for (int i = 0; i < H_WAIT_MS / 10 && h_children(pd.pd_pid, NULL, 0)
	    > 0; i++)
		usleep(10000);
	cr_assert_eq(h_children(pd.pd_pid, NULL, 0), 0, "workers left");
	/* And up again. */
	cr_assert_neq(fd = h_tcp_connect(port), -1);
	cr_assert_eq(h_send(fd, "GET / HTTP/1.0\r\n\r\n", 18), 0);
	h_recv(fd, buf, sizeof(buf), needle, 1, H_WAIT_MS, &closed);
	close(fd);
	cr_assert_not_null(strstr(buf, needle));
}

Test(scale, ondemand_builtin_from_zero_and_back)
{
	ondemand(false, "Hello from poold");
}

Test(scale, ondemand_exec_from_zero_and_back)
{
	ondemand(true, "pid=");
}

/* -- numbers ---------------------------------------------------------------- */

Test(scale, stats_count_spawns_exits_and_requests)
{
	json_t	*r, *p;
	char	 reply[H_REPORT_MAX];

	port = h_free_port();
	h_start_conf(&pd, "pool web {\n  listen = { \"127.0.0.1:%d\" }\n"
	    "  worker = sync\n  workers = 2\n}\n", port);
	cr_assert(h_wait_children(&pd, 2, H_WAIT_MS));
	for (int i = 0; i < 5; i++)
		cr_assert_gt(h_hello_pid(port), 0);
	/* One worker goes: its requests stay counted. */
	cr_assert_eq(h_ctl(&pd, "scale web 1", reply, sizeof(reply)), 0);
	cr_assert(h_wait_exits(&pd, "web", "scaled_down", 1, H_WAIT_MS));
	r = h_ctl_json(&pd, "stats");
	p = json_array_get(json_object_get(r, "pools"), 0);
	cr_assert_not_null(p);
	cr_assert_eq(json_integer_value(json_object_get(p, "spawns")), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(p,
	    "exits"), "scaled_down")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(p,
	    "exits"), "died")), 0);
	cr_assert_eq(json_integer_value(json_object_get(p, "requests")), 5,
	    "requests of the exited worker lost");
	cr_assert_eq(json_integer_value(json_object_get(p, "listen_queue")),
	    0);
	cr_assert_str_eq(json_string_value(json_object_get(p, "scale")),
	    "static");
	cr_assert_eq(json_array_size(json_object_get(p, "per_worker")), 1,
	    "per_worker should list the one worker left");
	json_decref(r);
	/* poolctl's table sums the reasons into its columns: the worker
	   scaled down is under STOPPED. */
	static const char *const args[] = { "stats", NULL };
	char		 out[4096], name[32], scale[32];
	long long	 col[9];
	const char	*row;

	cr_assert_eq(h_poolctl(&pd, args, out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(row = strstr(out, "\nweb "), "%s", out);
	cr_assert_eq(sscanf(row + 1, "%31s %31s %lld %lld %lld %lld %lld %lld "
	    "%lld %lld %lld", name, scale, &col[0], &col[1], &col[2], &col[3],
	    &col[4], &col[5], &col[6], &col[7], &col[8]), 11, "%s", row);
	cr_assert_eq(col[5], 1, "STOPPED: %s", row);	/* after SPAWNS */
	cr_assert_eq(col[6], 0, "DIED: %s", row);
}

/* The metrics text, parsed by the reference Python parser: every
   family we promise, with its type. */
Test(scale, metrics_endpoint_parses_as_prometheus_text)
{
	char	 cmd[1024], out[4096];
	int	 mport = h_free_port();
	FILE	*f;
	size_t	 n;

	port = h_free_port();
	h_start_conf(&pd, "metrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n}\n", mport, port);
	cr_assert(h_wait_children(&pd, 1, H_WAIT_MS));
	for (int i = 0; i < 100 && h_hello_pid(port) == -1; i++)
		usleep(20000);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c '"
	    "import urllib.request\n"
	    "from prometheus_client.parser import "
	    "text_string_to_metric_families as parse\n"
	    "t = urllib.request.urlopen(\"http://127.0.0.1:%d/metrics\", "
	    "timeout=5).read().decode()\n"
	    "for f in parse(t):\n"
	    "    for s in f.samples:\n"
	    "        print(f.type, s.name, sorted(s.labels.items()), s.value)\n"
	    "' 2>&1", mport);
	cr_assert_not_null(f = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	cr_assert_eq(pclose(f), 0, "parser failed: %s", out);
	cr_assert_not_null(strstr(out, "gauge poold_workers [('pool', 'web'), "
	    "('state', 'running')] 1.0"), "%s", out);
	cr_assert_not_null(strstr(out, "counter poold_requests_total "
	    "[('pool', 'web')] 1.0"), "%s", out);
	cr_assert_not_null(strstr(out, "counter poold_worker_exits_total "
	    "[('pool', 'web'), ('reason', 'died')] 0.0"), "%s", out);
	cr_assert_not_null(strstr(out, "gauge poold_listen_queue"), "%s", out);
	cr_assert_not_null(strstr(out, "gauge poold_scale_target [('pool', "
	    "'web')] 1.0"), "%s", out);
	cr_assert_not_null(strstr(out, "counter poold_worker_spawns_total"),
	    "%s", out);
}

/* The endpoint answers only GET /metrics, and a client that never sends
   its request is dropped without holding anything up. */
Test(scale, metrics_endpoint_refuses_the_rest)
{
	char	 buf[4096];
	bool	 closed;
	int	 mport = h_free_port(), fd, idle;

	port = h_free_port();
	h_start_conf(&pd, "metrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n}\n", mport, port);
	for (int i = 0; i < 100 && (idle = h_tcp_connect(mport)) == -1; i++)
		usleep(20000);
	cr_assert_neq(idle, -1);
	cr_assert_neq(fd = h_tcp_connect(mport), -1);
	cr_assert_eq(h_send(fd, "POST /metrics HTTP/1.0\r\n\r\n", 26), 0);
	h_recv(fd, buf, sizeof(buf), NULL, 0, H_WAIT_MS, &closed);
	cr_assert(strncmp(buf, "HTTP/1.0 405 ", 13) == 0, "%s", buf);
	close(fd);
	cr_assert_neq(fd = h_tcp_connect(mport), -1);
	cr_assert_eq(h_send(fd, "GET /other HTTP/1.0\r\n\r\n", 23), 0);
	h_recv(fd, buf, sizeof(buf), NULL, 0, H_WAIT_MS, &closed);
	cr_assert(strncmp(buf, "HTTP/1.0 404 ", 13) == 0, "%s", buf);
	close(fd);
	/* The idle one did not stop the others, and the workers serve. */
	cr_assert_gt(h_hello_pid(port), 0);
	close(idle);
}

/*
 * Out of fds, the endpoint stops accepting for a moment rather than spin
 * on a listener that stays readable: a few log lines, not one per
 * failed accept, and the arbiter mostly asleep (a spin takes a core).
 */
Test(scale, metrics_accept_pauses_when_out_of_fds)
{
	static const char *const wrap[] = { "prlimit", "--nofile=20:20", "--",
	    NULL };
	int			 mport = h_free_port(), held[40], n = 0;
	unsigned long long	 cpu;
	int			 lines;

	if (!h_have("prlimit"))
		cr_skip_test("no prlimit(1) to run poold with 20 fds");
	port = h_free_port();
	pd.pd_wrap = wrap;
	h_start_conf(&pd, "metrics { listen = \"127.0.0.1:%d\" }\n"
	    "pool web {\n  listen = { \"127.0.0.1:%d\" }\n  worker = sync\n"
	    "  workers = 1\n}\n", mport, port);
	/* Held until the arbiter has no fd left for the next one; the rest
	   wait in the listen queue, keeping the listener readable. */
	while (n < 40 && (held[n] = h_tcp_connect(mport)) != -1)
		n++;
	cr_assert_geq(n, 20, "only %d connections", n);
	cr_assert(h_wait_count(pd.pd_log, "metrics: accept", 1, H_WAIT_MS),
	    "never out of fds");
	cpu = h_cpu_ns(pd.pd_pid);
	usleep(2000000);	/* the span observed, less than the clients'
				   5 s deadline */
	cpu = h_cpu_ns(pd.pd_pid) - cpu;
	lines = h_count(pd.pd_log, "metrics: accept");
	for (int i = 0; i < n; i++)
		close(held[i]);
	cr_log_info("out of fds for 2 s: %d log lines, arbiter CPU %.1f%% of "
	    "a core", lines, (double)cpu / 2e7);
	cr_assert_leq(lines, 4, "a log line per failed accept");
	cr_assert_lt(cpu, 1000000000ULL, "the arbiter spun: %.1f%% of a core",
	    (double)cpu / 2e7);
}

/* -- the default worker count -------------------------------------------- */

/* Our own cgroup's directory in a hierarchy with the cpu controller
   (v1's cpu, or v2's where it offers cpu); false if there is none. */
static bool
own_cpu_cgroup(char *dir, size_t len)
{
	char	 line[512], ctl[256] = "";
	FILE	*f = fopen("/proc/self/cgroup", "re");
	bool	 found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') :
		    NULL;

		if (c2 == NULL)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*c2 = '\0';
		if (strcmp(c1 + 1, "cpu") == 0 || strcmp(c1 + 1, "cpu,cpuacct")
		    == 0)
			found = (size_t)snprintf(dir, len, "/sys/fs/cgroup/%s%s",
			    c1 + 1, c2 + 1) < len;
		else if (strcmp(line, "0") == 0 && c1[1] == '\0') {
			FILE *cf = fopen("/sys/fs/cgroup/cgroup.controllers",
			    "re");
			if (cf != NULL && fgets(ctl, sizeof(ctl), cf) != NULL &&
			    strstr(ctl, "cpu") != NULL)
				found = (size_t)snprintf(dir, len,
				    "/sys/fs/cgroup%s", c2 + 1) < len;
			if (cf != NULL)
				fclose(cf);
		}
	}
	fclose(f);
	return found && access(dir, W_OK) == 0;
}

/*
 * In a container the host's cores say nothing: poold started in a cgroup
 * whose CPU quota is one CPU defaults to 2 x 1 + 1 workers, as
 * Kubernetes' resources.limits.cpu: 1 would have it, and says so.
 */
Test(scale, a_cpu_quota_sets_the_default_worker_count)
{
	char	 dir[400], file[480], script[600], bind[32];
	char	*cg = cg_made;
	int	 status;
	FILE	*f;

	if (geteuid() != 0 || !own_cpu_cgroup(dir, sizeof(dir)))
		cr_skip_test("needs root and a cgroup with the cpu controller");
	snprintf(cg, sizeof(cg_made), "%s/poold-test-%ld", dir,
	    (long)getpid());
	cr_assert_eq(mkdir(cg, 0755), 0, "%s: %s", cg, strerror(errno));
	snprintf(file, sizeof(file), "%s/cpu.cfs_quota_us", cg);
	if ((f = fopen(file, "we")) != NULL) {
		cr_assert_eq(fputs("100000", f) < 0 || fclose(f) != 0, 0);
		snprintf(file, sizeof(file), "%s/cpu.cfs_period_us", cg);
		h_write_file(file, "100000");
	} else {
		snprintf(file, sizeof(file), "%s/cpu.max", cg);
		h_write_file(file, "100000 100000");
	}
	snprintf(script, sizeof(script), "echo $$ > %s/cgroup.procs && exec "
	    "\"$0\" \"$@\"", cg);
	const char *wrap[] = { "/bin/sh", "-c", script, NULL };
	pd.pd_wrap = wrap;
	port = h_free_port();
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", port);
	const char *args[] = { "-b", bind, "--", h_tworker_path(), NULL };
	h_start(&pd, args, NULL);
	cr_assert(h_ctl_ready(&pd, H_WAIT_MS));
	cr_assert_eq(h_target(&pd, "main"), 3);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		cr_assert(h_log_has(&pd, "1 CPU(s) to use, by the cgroup CPU "
		    "quota"), "the log does not say where the count came from");
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
}
