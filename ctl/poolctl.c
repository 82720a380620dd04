/* SPDX-License-Identifier: ISC */
/*
 * poolctl: talk to a running poold over its control socket.
 *
 * A straight line: parse and check the arguments against the protocol's
 * command table, connect, send one request, print the reply (or, for
 * `events`, every event until the stream ends), exit by the outcome.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "end.h"
#include "proto.h"

/* Exit codes, documented in poolctl(8). */
#define EX_OK		0
#define EX_REPLY	1	/* poold answered with an error */
#define EX_USAGE	2
#define EX_CONNECT	3	/* no poold at that socket */
#define EX_PROTOCOL	4	/* timeout, or a reply that makes no sense */

#define REPLY_MAX	(8 * 1024 * 1024)

struct opts {
	const char	*o_socket;
	bool		 o_json;
	int		 o_timeout_ms;
};

static void
usage(FILE *f)
{
	fputs("usage: poolctl [-hjV] [-s SOCKET] [-t SECONDS] COMMAND [ARGS]"
	    "\n\noptions (before or after the command):\n"
	    "  -j, --json         replies and events as JSON\n"
	    "  -s, --socket PATH  the control socket\n"
	    "  -t, --timeout S    how long to wait for a reply (default 5)\n"
	    "  -h, --help         this; COMMAND -h: one command\n"
	    "  -V, --version      poolctl's version\n"
	    "\ncommands (unique prefixes work):\n", f);
	for (size_t i = 0; i < CMD_COUNT; i++)
		fprintf(f, "  %-9s %-18s %s\n", proto_cmds[i].pc_name,
		    proto_cmds[i].pc_usage, proto_cmds[i].pc_help);
	fprintf(f, "  %-9s %-18s %s\n", "events", "",
	    "subscribe, following the stream until interrupted");
	fprintf(f, "  %-9s %-18s %s\n", "watch", "", "the same as events");
	fputs("\nexit: 0 ok, 1 error reply, 2 usage, 3 cannot connect, "
	    "4 timeout or bad reply\n", f);
}

static const char *
default_socket(void)
{
	static char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];

	return proto_default_socket(buf, sizeof(buf));
}

/* -- talking ------------------------------------------------------------ */

static int
connect_to(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		errx(EX_USAGE, "socket path too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(EX_CONNECT, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	switch (errno) {
	case ENOENT:
		errx(EX_CONNECT, "%s: no such socket: is poold running, and "
		    "with this control path? (-s SOCKET)", path);
	case ECONNREFUSED:
		errx(EX_CONNECT, "%s: nobody listening: poold is not running "
		    "(the file is left from an earlier one)", path);
	case EACCES:
	case EPERM:
		errx(EX_CONNECT, "%s: permission denied: run as poold's user "
		    "or root", path);
	default:
		err(EX_CONNECT, "%s", path);
	}
}

static void
send_line(int fd, const char *line)
{
	size_t	len = strlen(line), off = 0;
	ssize_t	n;

	while (off < len) {
		if ((n = write(fd, line + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			err(EX_PROTOCOL, "send");
		}
		off += (size_t)n;
	}
}

/*
 * One reply line, without its newline, into a growing buffer; NULL at the
 * end of the stream.  timeout_ms < 0 waits for ever (events).
 */
static char *
read_line(int fd, int timeout_ms)
{
	static char	*buf;
	static size_t	 len, cap;
	static size_t	 start;
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		*nl;
	ssize_t		 n;

	/* Drop the line returned last time. */
	if (start > 0) {
		memmove(buf, buf + start, len - start);
		len -= start;
		start = 0;
	}
	for (;;) {
		if (len > 0 && (nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			start = (size_t)(nl - buf) + 1;
			return buf;
		}
		if (len + 4096 > cap) {
			if (cap >= REPLY_MAX)
				errx(EX_PROTOCOL, "reply longer than %d bytes",
				    REPLY_MAX);
			char *nb;
			cap = cap ? cap * 2 : 8192;
			/* (err exits: the old buffer goes with the process.) */
			if ((nb = realloc(buf, cap)) == NULL)
				err(EX_PROTOCOL, "malloc");
			buf = nb;
		}
		n = poll(&pfd, 1, timeout_ms);
		if (n == 0)
			errx(EX_PROTOCOL, "no reply within %.1f s",
			    timeout_ms / 1000.0);
		if (n == -1 && errno != EINTR)
			err(EX_PROTOCOL, "poll");
		if (n != 1)
			continue;
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			err(EX_PROTOCOL, "read");
		}
		if (n == 0)
			return NULL;
		len += (size_t)n;
	}
}

/* -- printing for people ---------------------------------------------------- */

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static long long
num(json_t *o, const char *key)
{
	return (long long)json_number_value(json_object_get(o, key));
}

static void
duration(double s, char *buf, size_t len)
{
	long long t = (long long)s;

	if (t < 120)
		snprintf(buf, len, "%.1fs", s);
	else if (t < 7200)
		snprintf(buf, len, "%lldm%02llds", t / 60, t % 60);
	else if (t < 172800)
		snprintf(buf, len, "%lldh%02lldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", t / 86400, t / 3600 % 24);
}

/* A target under the pool's minimum is never shown without its cause. */
static const char *
below_min(json_t *p)
{
	if (num(p, "target") >= num(p, "min"))
		return "";
	if (strcmp(str(p, "target_by"), "winch") == 0)
		return " (below min: idle since WINCH)";
	return " (below min)";
}

/* Where the workers' cgroups are and what they have, or why not. */
static void
print_cgroups(json_t *cg)
{
	const char *path = json_string_value(json_object_get(cg, "path"));
	const char *missing = json_string_value(json_object_get(cg,
	    "missing"));

	if (cg == NULL)
		return;
	if (path == NULL)
		printf("cgroups: none (%s)\n", missing != NULL ? missing : "?");
	else
		printf("cgroups: %s (controllers: %s%s%s)\n", path,
		    str(cg, "controllers"), missing != NULL ? "; " : "",
		    missing != NULL ? missing : "");
}

/* READY counts the pool's current workers; while a rolling replacement
   runs, say that older ones still serve, lest READY 0 look like an
   outage. */
static const char *
replacing(json_t *p)
{
	static char buf[64];

	if (num(p, "replacing") <= 0)
		return "";
	snprintf(buf, sizeof(buf), "; replacing: %lld older serving",
	    num(p, "replacing"));
	return buf;
}

static void
print_status(json_t *r)
{
	json_t	*p;
	size_t	 i;
	char	 up[32];

	duration(json_number_value(json_object_get(r, "uptime")), up,
	    sizeof(up));
	printf("poold %s, pid %lld, up %s, %s\n", str(r, "version"),
	    num(r, "pid"), up, str(r, "state"));
	print_cgroups(json_object_get(r, "cgroups"));
	printf("%-16s %-8s %6s %7s %5s %8s %4s %4s %4s %7s  %s\n", "POOL",
	    "WORKER", "TARGET", "RUNNING", "READY", "STOPPING", "MIN", "MAX",
	    "GEN", "BACKOFF", "SCALE");
	json_array_foreach(json_object_get(r, "pools"), i, p)
		printf("%-16s %-8s %6lld %7lld %5lld %8lld %4lld %4lld %4lld "
		    "%6.1fs  %s%s%s%s%s\n", str(p, "name"), str(p, "worker"),
		    num(p, "target"), num(p, "running"), num(p, "ready"),
		    num(p, "stopping"), num(p, "min"),
		    num(p, "max"), num(p, "generation"),
		    json_number_value(json_object_get(p, "backoff")),
		    str(p, "scale"), *str(p, "scale_why") ? ": " : "",
		    str(p, "scale_why"), below_min(p), replacing(p));
}

static void
print_pools(json_t *r)
{
	json_t	*p, *a;
	size_t	 i, j;

	printf("%-16s %-8s %6s %4s %4s  %s\n", "POOL", "WORKER", "TARGET",
	    "MIN", "MAX", "LISTEN");
	json_array_foreach(json_object_get(r, "pools"), i, p) {
		printf("%-16s %-8s %6lld %4lld %4lld ", str(p, "name"),
		    str(p, "worker"), num(p, "target"), num(p, "min"),
		    num(p, "max"));
		json_array_foreach(json_object_get(p, "listen"), j, a)
			printf(" %s", json_string_value(a));
		putchar('\n');
	}
}

/* What a worker says of itself, else busy or idle, else its readiness. */
static const char *
worker_status(json_t *w)
{
	const char *s = json_string_value(json_object_get(w, "status"));

	if (s != NULL && *s != '\0')
		return s;
	if (json_object_get(w, "why") != NULL)
		return str(w, "why");
	if (json_is_false(json_object_get(w, "ready")))
		return "starting";
	if (json_object_get(w, "recycle") != NULL)
		return "recycling";
	if (json_object_get(w, "busy") != NULL)
		return num(w, "busy") > 0 ? "busy" : "idle";
	return "ready";
}

/* A number the reply may leave out, or "-". */
static void
optional(json_t *w, const char *key, char *buf, size_t len)
{
	if (json_object_get(w, key) != NULL)
		snprintf(buf, len, "%lld", num(w, key));
	else
		snprintf(buf, len, "-");
}

static void
print_workers(json_t *r)
{
	json_t	*w;
	size_t	 i;
	char	 age[32], beat[32], rss[24], reqs[24], conns[24], cpu[32];
	char	 procs[24], mem[24];
	const char *last;

	printf("%-12s %4s %8s %-8s %7s %4s %6s %7s %7s %7s %5s %8s %5s  %-24s "
	    "%s\n", "POOL", "ID", "PID", "STATE", "AGE", "GEN", "BEAT", "RSS",
	    "MEM", "CPU", "PROCS", "REQUESTS", "CONNS", "STATUS", "LAST EXIT");
	json_array_foreach(json_object_get(r, "workers"), i, w) {
		last = json_string_value(json_object_get(w, "last_exit"));
		/* A slot with no worker: only why its last one ended. */
		if (json_object_get(w, "pid") == NULL) {
			printf("%-12s %4lld %8s %-8s %7s %4s %6s %7s %7s %7s "
			    "%5s %8s %5s  %-24.24s %s\n", str(w, "pool"),
			    num(w, "id"), "-", str(w, "state"), "-", "-", "-",
			    "-", "-", "-", "-", "-", "-", "-", last != NULL ?
			    last : "-");
			continue;
		}
		duration(json_number_value(json_object_get(w, "age")), age,
		    sizeof(age));
		/* A built-in worker's own heartbeat is the fresher. */
		duration(json_number_value(json_object_get(w,
		    json_object_get(w, "heartbeat_age") != NULL ?
		    "heartbeat_age" : "beat_age")), beat, sizeof(beat));
		snprintf(rss, sizeof(rss), "-");
		if (json_object_get(w, "rss_kib") != NULL)
			snprintf(rss, sizeof(rss), "%.1fM",
			    num(w, "rss_kib") / 1024.0);
		/* The tree's, from its cgroup's memory.current. */
		snprintf(mem, sizeof(mem), "-");
		if (json_object_get(w, "memory") != NULL)
			snprintf(mem, sizeof(mem), "%.1fM",
			    num(w, "memory") / 1048576.0);
		optional(w, "requests", reqs, sizeof(reqs));
		optional(w, "connections", conns, sizeof(conns));
		optional(w, "processes", procs, sizeof(procs));
		snprintf(cpu, sizeof(cpu), "-");
		if (json_object_get(w, "cpu") != NULL)
			duration(json_number_value(json_object_get(w, "cpu")),
			    cpu, sizeof(cpu));
		printf("%-12s %4lld %8lld %-8s %7s %4lld %6s %7s %7s %7s %5s "
		    "%8s %5s  %-24.24s %s\n", str(w, "pool"), num(w, "id"),
		    num(w, "pid"), str(w, "state"), age, num(w, "generation"),
		    beat, rss, mem, cpu, procs, reqs, conns, worker_status(w),
		    last != NULL ? last : "-");
	}
}

/* A number that may be null, or "-". */
static const char *
maybe(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return "-";
	snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* The table's exit columns, from the reasons the daemon counts. */
enum { XC_STOPPED, XC_DIED, XC_FAILED, XC_WATCHDOG, XC_RECYCLED, XC_N };

static void
exit_columns(json_t *exits, long long col[XC_N])
{
	const char	*key;
	json_t		*v;

	memset(col, 0, XC_N * sizeof(*col));
	json_object_foreach(exits, key, v) {
		enum worker_end e = end_from_name(key);
		long long n = json_integer_value(v);
		if (e == END_WATCHDOG || e == END_WATCHDOG_TRIGGER)
			col[XC_WATCHDOG] += n;
		else if (e == END_MAX_REQUESTS || e == END_MAX_LIFETIME ||
		    e == END_MAX_RSS || e == END_RECYCLE_ASKED ||
		    e == END_MEMORY_HIGH)
			col[XC_RECYCLED] += n;
		else if (end_kind(e) == EXIT_FAILED_BOOT)
			col[XC_FAILED] += n;
		else if (end_kind(e) == EXIT_DIED)
			col[XC_DIED] += n;
		else
			col[XC_STOPPED] += n;
	}
}

static void
print_stats(json_t *r)
{
	json_t		*p, *w;
	size_t		 i;
	char		 req[24], q[24];
	long long	 x[XC_N];

	printf("%-12s %-8s %6s %4s %5s %4s %6s %7s %4s %6s %4s %5s %9s %5s  "
	    "%s\n", "POOL", "SCALE", "TARGET", "RUN", "READY", "STOP",
	    "SPAWNS", "STOPPED", "DIED", "FAILED", "WDOG", "RECYC", "REQUESTS",
	    "QUEUE", "LAST SCALING");
	json_array_foreach(json_object_get(r, "pools"), i, p) {
		w = json_object_get(p, "workers");
		exit_columns(json_object_get(p, "exits"), x);
		printf("%-12s %-8s %6lld %4lld %5lld %4lld %6lld %7lld %4lld "
		    "%6lld %4lld %5lld %9s %5s  %s\n", str(p, "name"),
		    str(p, "scale"), num(p, "target"), num(w, "running"),
		    num(w, "ready"), num(w, "stopping"), num(p, "spawns"),
		    x[XC_STOPPED], x[XC_DIED], x[XC_FAILED], x[XC_WATCHDOG],
		    x[XC_RECYCLED],
		    maybe(p, "requests", req, sizeof(req)),
		    maybe(p, "listen_queue", q, sizeof(q)),
		    *str(p, "scale_why") ? str(p, "scale_why") : "-");
	}
}

static void
print_event(json_t *ev)
{
	char		 when[32];
	time_t		 t = (time_t)json_number_value(json_object_get(ev,
			    "time"));
	struct tm	 tm;
	const char	*key;
	json_t		*v;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%H:%M:%S", &tm) == 0)
		strcpy(when, "-");
	printf("%s %s", when, str(ev, "event"));
	json_object_foreach(ev, key, v) {
		char *s;
		if (strcmp(key, "event") == 0 || strcmp(key, "time") == 0)
			continue;
		if (json_is_string(v))
			printf(" %s=%s", key, json_string_value(v));
		else if ((s = json_dumps(v, JSON_ENCODE_ANY |
		    JSON_REAL_PRECISION(6))) != NULL) {
			printf(" %s=%s", key, s);
			free(s);
		}
	}
	putchar('\n');
}

static void
print_reply(enum proto_cmd cmd, json_t *r)
{
	switch (cmd) {
	case CMD_STATUS: print_status(r); break;
	case CMD_POOLS: print_pools(r); break;
	case CMD_WORKERS: print_workers(r); break;
	case CMD_STATS: print_stats(r); break;
	case CMD_SCALE:
		printf("%s: target %lld (was %lld)\n", str(r, "pool"),
		    num(r, "target"), num(r, "previous"));
		break;
	case CMD_KILL:
		printf("%s: worker %lld (pid %lld) sent SIG%s\n",
		    str(r, "pool"), num(r, "id"), num(r, "pid"),
		    str(r, "signal"));
		break;
	case CMD_RESTART:
		printf("%s: replacing every worker (generation %lld)\n",
		    str(r, "pool"), num(r, "generation"));
		break;
	case CMD_STOP:
		printf("stopping (%s)\n", str(r, "stopping"));
		break;
	case CMD_UPGRADE:
		printf("upgrading in place to %s (pid %lld stays)\n",
		    str(r, "upgrading"), num(r, "pid"));
		break;
	case CMD_HELLO:
	case CMD_VERSION:
		printf("poold %s (protocol %lld)\n", str(r, "version"),
		    num(r, "protocol"));
		break;
	case CMD_CONFIG:
		/* poold.conf text, which poold loads as it is; --json has
		   the same as an object. */
		fputs(str(json_object_get(r, "config"), "text"), stdout);
		break;
	case CMD_SUBSCRIBE:
		break;		/* the events say it */
	case CMD_DRAIN:
		printf("draining: /readyz fails for %.1f s, then a graceful "
		    "stop\n", json_real_value(json_object_get(r,
		    "drain_delay")));
		break;
	default:
		puts("ok");
		break;
	}
}

/* -- main ------------------------------------------------------------------- */

/* Whether a is a count such as scale's -4, not an option. */
static bool
negative_number(const char *a)
{
	return a[0] == '-' && a[1] >= '0' && a[1] <= '9' &&
	    strspn(a + 1, "0123456789") == strlen(a + 1);
}

/*
 * Options may come anywhere on the line (`poolctl status --json`, as
 * systemctl takes them): they are moved before the command, in order,
 * with the value of one that takes it; a negative count stays where it
 * is, and so does everything after "--".
 */
#define ARGS_MAX	64	/* a request is a command and a few words */

static void
options_first(int argc, char *argv[])
{
	char	*opts[ARGS_MAX], *rest[ARGS_MAX];
	int	 no = 0, nr = 0, i;

	if (argc > ARGS_MAX)
		errx(EX_USAGE, "too many arguments");
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (argv[i][0] != '-' || argv[i][1] == '\0' ||
		    negative_number(argv[i])) {
			rest[nr++] = argv[i];
			continue;
		}
		opts[no++] = argv[i];
		/* -s PATH, -t S, --socket PATH, --timeout S: with the value. */
		if ((strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-t") == 0 ||
		    strcmp(argv[i], "--socket") == 0 ||
		    strcmp(argv[i], "--timeout") == 0) && i + 1 < argc)
			opts[no++] = argv[++i];
	}
	if (i < argc)
		opts[no++] = argv[i++];		/* "--" ends the options */
	while (i < argc)
		rest[nr++] = argv[i++];
	memcpy(argv + 1, opts, sizeof(*opts) * (size_t)no);
	memcpy(argv + 1 + no, rest, sizeof(*rest) * (size_t)nr);
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	double	 t;
	int	 ch;

	o->o_socket = NULL;
	o->o_json = false;
	o->o_timeout_ms = 5000;
	options_first(argc, argv);
	while ((ch = getopt_long(argc, argv, "+s:jt:hV", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 's': o->o_socket = optarg; break;
		case 'j': o->o_json = true; break;
		case 't':
			t = strtod(optarg, &end);
			if (*end != '\0' || !(t > 0 && t <= 3600))
				errx(EX_USAGE, "--timeout %s: expected seconds "
				    "(0-3600)", optarg);
			o->o_timeout_ms = (int)ceil(t * 1000);
			break;
		case 'h': usage(stdout); exit(EX_OK);
		case 'V': printf("poolctl %s\n", PACKAGE_VERSION);
			exit(EX_OK);
		default: usage(stderr); exit(EX_USAGE);
		}
	}
	if (o->o_socket == NULL && (o->o_socket = getenv("POOLD_CONTROL"))
	    == NULL && (o->o_socket = default_socket()) == NULL)
		errx(EX_USAGE, "XDG_RUNTIME_DIR is too long for a socket path: "
		    "name the socket with -s");
	return optind;
}

/* The request line for argv, after checking it against the table. */
static const struct proto_cmd_spec *
build_request(int argc, char *argv[], char *line, size_t len)
{
	const struct proto_cmd_spec	*spec;
	bool				 amb;
	const char			*word = argv[0];
	size_t				 off;

	if (strcmp(word, "events") == 0 || strcmp(word, "watch") == 0)
		word = "subscribe";
	if ((spec = proto_lookup(word, true, &amb)) == NULL)
		errx(EX_USAGE, "%s: %s command (see poolctl -h)", argv[0],
		    amb ? "ambiguous" : "unknown");
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		printf("usage: poolctl %s %s\n  %s\n", spec->pc_name,
		    spec->pc_usage, spec->pc_help);
		exit(EX_OK);
	}
	if (argc - 1 < spec->pc_min_args || argc - 1 > spec->pc_max_args)
		errx(EX_USAGE, "usage: poolctl %s %s", spec->pc_name,
		    spec->pc_usage);
	off = (size_t)snprintf(line, len, "%s", spec->pc_name);
	for (int i = 1; i < argc; i++) {
		if (strpbrk(argv[i], " \t\r\n") != NULL || *argv[i] == '\0')
			errx(EX_USAGE, "argument \"%s\": no spaces allowed",
			    argv[i]);
		off += (size_t)snprintf(line + off, len - off, " %s", argv[i]);
		if (off >= len - 1)
			errx(EX_USAGE, "request too long");
	}
	snprintf(line + off, len - off, "\n");
	return spec;
}

/* Print one reply; its exit code. */
static int
handle_reply(const struct proto_cmd_spec *spec, const char *line, bool raw)
{
	json_error_t	 je;
	json_t		*r, *e;
	int		 rc = EX_OK;

	if ((r = json_loads(line, 0, &je)) == NULL || !json_is_object(r))
		errx(EX_PROTOCOL, "unreadable reply: %s", je.text);
	if (!json_is_true(json_object_get(r, "ok"))) {
		/* In words for people; the code stays in the JSON. */
		e = json_object_get(r, "error");
		if (raw)
			puts(line);
		else
			fprintf(stderr, "poolctl: %s\n", str(e, "message"));
		rc = EX_REPLY;
		/* Arguments poold found wrong are a usage error, as the ones
		   poolctl finds itself: exit 2, and the usage line. */
		if (strcmp(str(e, "code"), "bad_arguments") == 0) {
			if (!raw)
				fprintf(stderr, "usage: poolctl %s %s\n",
				    spec->pc_name, spec->pc_usage);
			rc = EX_USAGE;
		}
	} else if (raw)
		puts(line);
	else
		print_reply(spec->pc_cmd, r);
	json_decref(r);
	return rc;
}

static int
follow_events(int fd, bool raw)
{
	json_error_t	 je;
	json_t		*ev;
	char		*line;

	while ((line = read_line(fd, -1)) != NULL) {
		if (raw) {
			puts(line);
		} else if ((ev = json_loads(line, 0, &je)) != NULL) {
			print_event(ev);
			json_decref(ev);
		}
		fflush(stdout);
	}
	return EX_OK;
}

/* A number in a reply line; 0 if there is none. */
static double
number_in(const char *line, const char *key)
{
	json_t	*r = json_loads(line, 0, NULL);
	double	 v = json_number_value(json_object_get(r, key));

	json_decref(r);
	return v;
}

/*
 * drain: the events until "stopping", which ends the drain; within the
 * drain's own delay and a margin for a stuck arbiter.
 */
static int
await_drain(int fd, double delay, bool raw)
{
	int	 timeout_ms = (int)(delay * 1000) + 10000;
	json_t	*ev;
	char	*line;
	bool	 done = false;

	while (!done && (line = read_line(fd, timeout_ms)) != NULL) {
		if ((ev = json_loads(line, 0, NULL)) == NULL)
			continue;
		done = strcmp(str(ev, "event"), "stopping") == 0;
		if (done && raw)
			puts(line);
		json_decref(ev);
	}
	if (!done)
		errx(EX_PROTOCOL, "poold closed the connection before the "
		    "drain ended");
	if (!raw)
		printf("drained; poold is stopping\n");
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	const struct proto_cmd_spec	*spec;
	struct opts			 o;
	char				 line[PROTO_LINE_MAX + 1], *reply;
	double				 delay;
	int				 first, fd, rc;

	first = parse_opts(argc, argv, &o);
	if (first >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	spec = build_request(argc - first, argv + first, line, sizeof(line));
	/* A vanished poold is a read of 0 or an error, not a dead poolctl. */
	signal(SIGPIPE, SIG_IGN);
	fd = connect_to(o.o_socket);
	send_line(fd, line);
	if ((reply = read_line(fd, o.o_timeout_ms)) == NULL)
		errx(EX_PROTOCOL, "%s: poold closed the connection without a "
		    "reply", o.o_socket);
	delay = number_in(reply, "drain_delay");
	rc = handle_reply(spec, reply, o.o_json);
	if (rc == EX_OK && spec->pc_cmd == CMD_SUBSCRIBE)
		rc = follow_events(fd, o.o_json);
	if (rc == EX_OK && spec->pc_cmd == CMD_DRAIN)
		rc = await_drain(fd, delay, o.o_json);
	close(fd);
	return rc;
}
