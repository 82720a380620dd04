/* SPDX-License-Identifier: ISC */
/*
 * Command-line parsing, with Gunicorn's flag names where they exist.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "conf.h"
#include "options.h"


enum {
	OPT_THREADS = 256,
	OPT_GRACEFUL,
	OPT_MAX_REQUESTS,
	OPT_JITTER,
	OPT_CONTROL,
	OPT_METRICS,
	OPT_CHDIR,
	OPT_BACKLOG,
	OPT_LOG_FORMAT,
	OPT_LOG_LEVEL,
	OPT_ERROR_LOG,
	OPT_ACCESS_LOG,
	OPT_CHECK,
	OPT_PRINT,
	OPT_RELOAD,
	OPT_KEEPALIVE,
	OPT_CONNECTIONS,
	OPT_LIMIT_LINE,
	OPT_LIMIT_FIELDS,
	OPT_LIMIT_FIELD_SIZE,
	OPT_ROOT,
	OPT_ACCESS_FORMAT,
	OPT_APP,
	OPT_APP_ARG,
	OPT_CAPTURE,
};

static const struct option cli_longopts[] = {
	{ "config",		required_argument, NULL, 'c' },
	{ "bind",		required_argument, NULL, 'b' },
	{ "workers",		required_argument, NULL, 'w' },
	{ "worker-class",	required_argument, NULL, 'k' },
	{ "threads",		required_argument, NULL, OPT_THREADS },
	{ "timeout",		required_argument, NULL, 't' },
	{ "graceful-timeout",	required_argument, NULL, OPT_GRACEFUL },
	{ "max-requests",	required_argument, NULL, OPT_MAX_REQUESTS },
	{ "max-requests-jitter", required_argument, NULL, OPT_JITTER },
	{ "pid",		required_argument, NULL, 'p' },
	{ "daemon",		no_argument,	   NULL, 'D' },
	{ "capture-output",	no_argument,	   NULL, OPT_CAPTURE },
	{ "reload",		no_argument,	   NULL, OPT_RELOAD },
	{ "user",		required_argument, NULL, 'u' },
	{ "group",		required_argument, NULL, 'g' },
	{ "control",		required_argument, NULL, OPT_CONTROL },
	{ "metrics",		required_argument, NULL, OPT_METRICS },
	{ "chdir",		required_argument, NULL, OPT_CHDIR },
	{ "backlog",		required_argument, NULL, OPT_BACKLOG },
	{ "umask",		required_argument, NULL, 'm' },
	{ "env",		required_argument, NULL, 'e' },
	{ "log-file",		required_argument, NULL, OPT_ERROR_LOG },
	{ "log-format",		required_argument, NULL, OPT_LOG_FORMAT },
	{ "log-level",		required_argument, NULL, OPT_LOG_LEVEL },
	{ "error-logfile",	required_argument, NULL, OPT_ERROR_LOG },
	{ "access-logfile",	required_argument, NULL, OPT_ACCESS_LOG },
	{ "name",		required_argument, NULL, 'n' },
	{ "check-config",	no_argument,	   NULL, OPT_CHECK },
	{ "print-config",	no_argument,	   NULL, OPT_PRINT },
	{ "keep-alive",		required_argument, NULL, OPT_KEEPALIVE },
	{ "root",		required_argument, NULL, OPT_ROOT },
	{ "access-logformat",	required_argument, NULL, OPT_ACCESS_FORMAT },
	{ "app",		required_argument, NULL, OPT_APP },
	{ "app-arg",		required_argument, NULL, OPT_APP_ARG },
	{ "worker-connections",	required_argument, NULL, OPT_CONNECTIONS },
	{ "limit-request-line",	required_argument, NULL, OPT_LIMIT_LINE },
	{ "limit-request-fields", required_argument, NULL, OPT_LIMIT_FIELDS },
	{ "limit-request-field_size", required_argument, NULL,
	    OPT_LIMIT_FIELD_SIZE },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL,			0,		   NULL, 0 },
};

void
cli_usage(FILE *f)
{
	fputs(
"usage: poold [OPTIONS] [-- COMMAND [ARG...]]\n"
"\n"
"  -c, --config FILE            read FILE (libconfuse syntax)\n"
"  -b, --bind ADDR              listen on ADDR, repeatable: HOST:PORT,\n"
"                               [V6]:PORT, :PORT, unix:PATH, fd://N,\n"
"                               systemd, systemd:NAME (socket activation)\n"
"  -w, --workers N              workers per pool (default 2 x CPUs + 1)\n"
"  -k, --worker-class CLASS     sync (default), gthread, async or exec\n"
"                               (exec when a COMMAND follows --)\n"
"      --root DIR               serve static files from DIR (built-in)\n"
"      --app FILE.so            serve with an application module\n"
"      --app-arg ARG            string passed to the module's init()\n"
"      --keep-alive S           idle keep-alive time, async/gthread (2)\n"
"      --worker-connections N   connections per async/gthread worker (1000)\n"
"      --limit-request-line N   request line bytes (4094)\n"
"      --limit-request-fields N header fields (100)\n"
"      --limit-request-field_size N  bytes per header field (8190)\n"
"      --threads N              threads per gthread worker\n"
"  -t, --timeout S              kill workers silent for S seconds\n"
"      --graceful-timeout S     time workers get to stop (default 30)\n"
"      --max-requests N         recycle a worker after N requests\n"
"      --max-requests-jitter N  spread recycling by up to N requests\n"
"  -p, --pid FILE               write the arbiter's pid to FILE\n"
"  -D, --daemon                 detach from the terminal\n"
"      --capture-output         workers' stdout and stderr into the log\n"
"      --reload                 replace a pool's workers when its code\n"
"                               changes, reload when the config does\n"
"  -u, --user USER              run workers as USER\n"
"  -g, --group GROUP            run workers as GROUP\n"
"      --control PATH           control socket path\n"
"      --chdir DIR              work in DIR: poold, and workers whose pool\n"
"                               sets no chdir\n"
"      --backlog N              listen queue of the pool's sockets\n"
"  -m, --umask MODE             poold's umask, its workers' and its unix\n"
"                               sockets' (0022, 0o22; octal with a 0)\n"
"  -e, --env KEY=VALUE          one more variable in the pool's workers\n"
"      --metrics HOST:PORT      /metrics and the health probes (/livez, ...)\n"
"      --log-level LEVEL        debug, info, warning, error, critical\n"
"      --log-format FORMAT      text, or json: one object per line\n"
"      --error-logfile FILE     log to FILE instead of stderr ('-');\n"
"                               also --log-file, as Gunicorn's\n"
"      --access-logfile FILE    access log of built-in workers ('-': stdout)\n"
"      --access-logformat FMT   its format, Gunicorn's %(x)s atoms\n"
"  -n, --name POOL              pool the options above apply to\n"
"                               (default main)\n"
"      --check-config           validate the configuration and exit\n"
"      --print-config           print the configuration in force, every\n"
"                               option, in poold.conf syntax, and exit\n"
"  -V, --version                print the version and exit\n"
"  -h, --help                   print this help and exit\n"
"\n"
"Signals: TTIN/TTOU add/remove a worker, HUP reloads, TERM stops\n"
"gracefully, INT/QUIT quickly, WINCH stops workers, USR1 reopens logs,\n"
"USR2 starts a new binary beside this one.  poold(8) has the rest.\n",
	    f);
}

/* A number for pool option name, in its range (bounds.c): 0, or -1 with
   the message for flag. */
static int
cli_number(const char *flag, const char *name, const char *arg, double *v,
    char *err, size_t len)
{
	char why[96];

	if (bound_parse(name, arg, v, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, len, "%s %s: %s", flag, arg, why);
	return -1;
}

static int
cli_count(const char *flag, const char *name, const char *arg, long *out,
    char *err, size_t len)
{
	double v;

	if (cli_number(flag, name, arg, &v, err, len) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

/*
 * -m, --umask, as Gunicorn reads it: 0 then digits is octal (022), as is
 * 0o22; 0x12 is hex, other digits decimal.  A mode: 0 to 0777.
 */
static int
cli_umask(const char *arg, int *out, char *err, size_t len)
{
	const char	*p = arg;
	char		*end;
	long		 v;
	int		 base = 0;

	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		p += 2;
		base = 8;
	}
	errno = 0;
	v = strtol(p, &end, base);
	if (errno != 0 || end == p || *end != '\0' || *p == '-' || *p == '+' ||
	    v < 0 || v > 0777) {
		snprintf(err, len, "--umask %s: expected a mode, 0000-0777 "
		    "(octal with a leading 0)", arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static void
cli_init(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = c->threads = -1;
	c->max_requests = c->max_requests_jitter = -1;
	c->worker_connections = c->limit_line = c->limit_fields = -1;
	c->limit_field_size = c->backlog = -1;
	c->umask = -1;
	c->timeout = c->graceful_timeout = c->keepalive = CLI_UNSET;
}

/* One option; getopt has already checked that arguments are present. */
static int
cli_option(struct cli *c, int ch, const char *arg, char *err, size_t len)
{
	switch (ch) {
	case 'c': c->config = arg; break;
	case 'b':
		if (c->nbind == CLI_BIND_MAX) {
			snprintf(err, len, "-b: at most %d addresses",
			    CLI_BIND_MAX);
			return -1;
		}
		c->bind[c->nbind++] = arg;
		break;
	case 'w':
		return cli_count("-w", "workers", arg, &c->workers, err, len);
	case 'k': c->worker_class = arg; break;
	case OPT_THREADS:
		return cli_count("--threads", "threads", arg, &c->threads, err,
		    len);
	case 't':
		return cli_number("-t", "timeout", arg, &c->timeout, err, len);
	case OPT_GRACEFUL:
		return cli_number("--graceful-timeout", "graceful_timeout", arg,
		    &c->graceful_timeout, err, len);
	case OPT_MAX_REQUESTS:
		return cli_count("--max-requests", "max_requests", arg,
		    &c->max_requests, err, len);
	case OPT_JITTER:
		return cli_count("--max-requests-jitter", "max_requests_jitter",
		    arg, &c->max_requests_jitter, err, len);
	case OPT_KEEPALIVE:
		return cli_number("--keep-alive", "keepalive", arg,
		    &c->keepalive, err, len);
	case OPT_CONNECTIONS:
		return cli_count("--worker-connections", "worker_connections",
		    arg, &c->worker_connections, err, len);
	case OPT_LIMIT_LINE:
		return cli_count("--limit-request-line", "limit_request_line",
		    arg, &c->limit_line, err, len);
	case OPT_LIMIT_FIELDS:
		return cli_count("--limit-request-fields",
		    "limit_request_fields", arg, &c->limit_fields, err, len);
	case OPT_LIMIT_FIELD_SIZE:
		return cli_count("--limit-request-field_size",
		    "limit_request_field_size", arg, &c->limit_field_size, err,
		    len);
	case OPT_ROOT: c->root = arg; break;
	case OPT_ACCESS_FORMAT: c->access_format = arg; break;
	case OPT_APP: c->app = arg; break;
	case OPT_APP_ARG: c->app_arg = arg; break;
	case 'p': c->pidfile = arg; break;
	case 'D': c->daemon = true; break;
	case OPT_CAPTURE: c->capture = true; break;
	case OPT_RELOAD: c->reload = true; break;
	case 'u': c->user = arg; break;
	case 'g': c->group = arg; break;
	case OPT_CONTROL: c->control = arg; break;
	case OPT_METRICS: c->metrics = arg; break;
	case OPT_CHDIR: c->chdir = arg; break;
	case OPT_BACKLOG:
		return cli_count("--backlog", "backlog", arg, &c->backlog, err,
		    len);
	case 'm':
		return cli_umask(arg, &c->umask, err, len);
	case 'e':
		if (c->nenv == CLI_ENV_MAX) {
			snprintf(err, len, "-e: at most %d variables",
			    CLI_ENV_MAX);
			return -1;
		}
		c->env[c->nenv++] = arg;
		break;
	case OPT_LOG_FORMAT: c->log_format = arg; break;
	case OPT_LOG_LEVEL: c->log_level = arg; break;
	case OPT_ERROR_LOG: c->error_log = arg; break;
	case OPT_ACCESS_LOG: c->access_log = arg; break;
	case 'n': c->name = arg; break;
	case OPT_CHECK: c->check_config = true; break;
	case OPT_PRINT: c->print_config = true; break;
	case 'V': c->version = true; break;
	case 'h': c->help = true; break;
	default:
		snprintf(err, len, "unknown option (see poold --help)");
		return -1;
	}
	return 0;
}

/* Gunicorn's flags poold does not take, and what does the job here. */
static const struct {
	const char	*f_flag;
	const char	*f_hint;
} foreign[] = {
	{ "--preload", "an app module is loaded by each built-in worker "
	    "(docs/app-modules.md)" },
	{ "--certfile", "poold does not terminate TLS: put a TLS proxy in "
	    "front of it" },
	{ "--keyfile", "poold does not terminate TLS: put a TLS proxy in "
	    "front of it" },
	{ "--statsd-host", "poold serves Prometheus metrics: --metrics "
	    "HOST:PORT" },
	{ "--worker-tmp-dir", "built-in workers report on a shared "
	    "scoreboard, not files" },
};

/* The message for an unknown option: what covers it, if we know. */
static void
unknown(const char *opt, char *err, size_t len)
{
	size_t n = strcspn(opt, "=");

	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		if (foreign[i].f_hint != NULL &&
		    strlen(foreign[i].f_flag) == n &&
		    strncmp(opt, foreign[i].f_flag, n) == 0) {
			snprintf(err, len, "unknown option %.*s: %s", (int)n,
			    opt, foreign[i].f_hint);
			return;
		}
	}
	snprintf(err, len, "unknown option %.*s (poold --help lists the "
	    "flags; docs/gunicorn.md maps Gunicorn's to poold's)", (int)n,
	    opt);
}

int
cli_parse(int argc, char *const argv[], struct cli *c, char *err, size_t len)
{
	int ch;

	cli_init(c);
	/* Leading '+': stop at the first operand, never permute the COMMAND. */
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+:c:b:w:k:t:p:Du:g:n:e:m:Vh",
	    cli_longopts, NULL)) != -1) {
		if (ch == '?') {
			if (optopt != 0)
				snprintf(err, len, "unknown option -%c", optopt);
			else
				unknown(argv[optind - 1], err, len);
			return -1;
		}
		if (ch == ':') {
			snprintf(err, len, "option %s needs an argument",
			    argv[optind - 1]);
			return -1;
		}
		if (cli_option(c, ch, optarg, err, len) == -1)
			return -1;
	}
	if (optind < argc) {
		/* Without "--", a stray word is more likely a typo than a
		 * command: insist on the separator, as the usage says. */
		if (strcmp(argv[optind - 1], "--") != 0) {
			snprintf(err, len, "unexpected argument %s "
			    "(a worker command goes after --)", argv[optind]);
			return -1;
		}
		c->command = &argv[optind];
	}
	return 0;
}

bool
cli_names_pool(const struct cli *c)
{
	return c->nbind > 0 || c->command != NULL || c->worker_class != NULL ||
	    c->name != NULL || c->workers >= 0 || c->threads >= 0 ||
	    c->max_requests >= 0 || c->max_requests_jitter >= 0 ||
	    c->timeout != CLI_UNSET || c->graceful_timeout != CLI_UNSET ||
	    c->keepalive != CLI_UNSET || c->worker_connections >= 0 ||
	    c->limit_line >= 0 || c->limit_fields >= 0 ||
	    c->limit_field_size >= 0 || c->root != NULL || c->app != NULL ||
	    c->app_arg != NULL || c->backlog >= 0 || c->nenv > 0;
}
