/* SPDX-License-Identifier: ISC */
/*
 * Request parsing: split into words, look the first up in the table,
 * check the argument count.  Argument values are checked by whoever acts
 * on them (a pool name only means something to the arbiter).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

const struct proto_cmd_spec proto_cmds[CMD_COUNT] = {
	{ "hello", CMD_HELLO, 0, 0, "",
	    "greet the arbiter; replies with the protocol version" },
	{ "version", CMD_VERSION, 0, 0, "", "show poold's version" },
	{ "status", CMD_STATUS, 0, 0, "",
	    "show the arbiter and every pool's counts" },
	{ "pools", CMD_POOLS, 0, 0, "", "list pools and their listeners" },
	{ "workers", CMD_WORKERS, 0, 1, "[POOL]", "list workers" },
	{ "scale", CMD_SCALE, 2, 2, "POOL N|+N|-N",
	    "set or change a pool's number of workers" },
	{ "reload", CMD_RELOAD, 0, 0, "",
	    "re-read the configuration, as SIGHUP" },
	{ "restart", CMD_RESTART, 1, 1, "POOL",
	    "replace every worker of a pool, new ones first" },
	{ "kill", CMD_KILL, 2, 3, "POOL ID [SIGNAL]",
	    "signal one worker (TERM by default)" },
	{ "stop", CMD_STOP, 0, 1, "[graceful|quick]",
	    "stop the arbiter and its workers" },
	{ "reopen", CMD_REOPEN, 0, 0, "",
	    "reopen log files, as SIGUSR1" },
	{ "config", CMD_CONFIG, 0, 0, "", "the configuration in force, as poold.conf" },
	{ "subscribe", CMD_SUBSCRIBE, 0, 0, "",
	    "turn the connection into a stream of events" },
	{ "upgrade", CMD_UPGRADE, 0, 1, "[PATH]",
	    "run a new poold binary in place, same pid, workers replaced" },
	{ "stats", CMD_STATS, 0, 0, "",
	    "counters per pool: spawns, exits by reason, requests, queue" },
	{ "drain", CMD_DRAIN, 0, 0, "",
	    "fail /readyz for drain_delay, then stop; waits for the drain" },
};

static const char *const proto_err_names[PERR_COUNT] = {
	[PERR_NONE] = "none",
	[PERR_UNKNOWN_COMMAND] = "unknown_command",
	[PERR_BAD_ARGUMENTS] = "bad_arguments",
	[PERR_NO_SUCH_POOL] = "no_such_pool",
	[PERR_NO_SUCH_WORKER] = "no_such_worker",
	[PERR_OUT_OF_BOUNDS] = "out_of_bounds",
	[PERR_BUSY] = "busy",
	[PERR_PERMISSION] = "permission",
	[PERR_LINE_TOO_LONG] = "line_too_long",
	[PERR_FAILED] = "failed",
	[PERR_UNSUPPORTED] = "unsupported",
};

const char *
proto_err_name(enum proto_err e)
{
	return (unsigned)e < PERR_COUNT ? proto_err_names[e] : "failed";
}

const struct proto_cmd_spec *
proto_lookup(const char *word, bool prefix, bool *ambiguous)
{
	const struct proto_cmd_spec	*found = NULL;
	size_t				 len = strlen(word);

	*ambiguous = false;
	for (size_t i = 0; i < CMD_COUNT; i++) {
		if (strcmp(proto_cmds[i].pc_name, word) == 0) {
			*ambiguous = false;	/* an exact name always wins */
			return &proto_cmds[i];
		}
		if (!prefix || len == 0 ||
		    strncmp(proto_cmds[i].pc_name, word, len) != 0)
			continue;
		if (found != NULL)
			*ambiguous = true;
		found = &proto_cmds[i];
	}
	return *ambiguous ? NULL : found;
}

static int
fail(enum proto_err *err, enum proto_err code, char *msg, size_t len,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(enum proto_err *err, enum proto_err code, char *msg, size_t len,
    const char *fmt, ...)
{
	va_list ap;

	*err = code;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Words into rq_argv (command first), in place in rq_buf. */
static int
split(struct proto_request *rq, int *nwords, enum proto_err *err, char *msg,
    size_t msglen)
{
	char	*p = rq->rq_buf;
	int	 n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n == PROTO_WORDS_MAX)
			return fail(err, PERR_BAD_ARGUMENTS, msg, msglen,
			    "more than %d words", PROTO_WORDS_MAX);
		rq->rq_argv[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if ((unsigned char)*p < 0x21 ||
			    (unsigned char)*p > 0x7e)
				return fail(err, PERR_BAD_ARGUMENTS, msg,
				    msglen, "byte 0x%02x is not allowed in a "
				    "request", (unsigned char)*p);
			p++;
		}
	}
	*nwords = n;
	return 0;
}

int
proto_parse(const char *line, size_t len, struct proto_request *rq,
    enum proto_err *err, char *msg, size_t msglen)
{
	const struct proto_cmd_spec	*spec;
	bool				 ambiguous;
	int				 n = 0;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(rq->rq_buf))
		return fail(err, PERR_LINE_TOO_LONG, msg, msglen,
		    "a request is at most %d bytes", PROTO_LINE_MAX);
	if (memchr(line, '\0', len) != NULL)
		return fail(err, PERR_BAD_ARGUMENTS, msg, msglen,
		    "byte 0x00 is not allowed in a request");
	memcpy(rq->rq_buf, line, len);
	rq->rq_buf[len] = '\0';
	if (split(rq, &n, err, msg, msglen) == -1)
		return -1;
	if (n == 0)
		return fail(err, PERR_UNKNOWN_COMMAND, msg, msglen,
		    "empty request");
	if ((spec = proto_lookup(rq->rq_argv[0], false, &ambiguous)) == NULL)
		return fail(err, PERR_UNKNOWN_COMMAND, msg, msglen,
		    "unknown command \"%.64s\"", rq->rq_argv[0]);
	rq->rq_cmd = spec->pc_cmd;
	rq->rq_argc = n - 1;
	memmove(rq->rq_argv, rq->rq_argv + 1,
	    (size_t)(n - 1) * sizeof(rq->rq_argv[0]));
	rq->rq_argv[n - 1] = NULL;
	if (rq->rq_argc < spec->pc_min_args || rq->rq_argc > spec->pc_max_args)
		return fail(err, PERR_BAD_ARGUMENTS, msg, msglen,
		    "usage: %s%s%s", spec->pc_name, *spec->pc_usage ? " " : "",
		    spec->pc_usage);
	return 0;
}

static int
parse_long(const char *s, long *out)
{
	char	*end;
	long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

int
proto_parse_scale(const char *s, struct proto_scale *ps)
{
	long v;

	ps->ps_relative = *s == '+' || *s == '-';
	if (parse_long(ps->ps_relative ? s + 1 : s, &v) == -1)
		return -1;
	ps->ps_value = *s == '-' ? -v : v;
	return 0;
}

int
proto_parse_id(const char *s, unsigned *id)
{
	long v;

	if (parse_long(s, &v) == -1 || v > 4095)
		return -1;
	*id = (unsigned)v;
	return 0;
}

const char *
proto_default_socket(char *buf, size_t len)
{
	const char	*rt = getenv("XDG_RUNTIME_DIR");
	int		 n;

	if (geteuid() == 0 || rt == NULL || *rt != '/')
		n = snprintf(buf, len, "%s", PROTO_SOCKET_SYSTEM);
	else
		n = snprintf(buf, len, "%s/poold.sock", rt);
	return n < 0 || (size_t)n >= len ? NULL : buf;
}
