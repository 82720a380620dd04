/* SPDX-License-Identifier: ISC */
/*
 * The control protocol's request grammar (proto/PROTOCOL.md): the command
 * table, proto_parse (framing, words, arity, refusals), proto_lookup (exact
 * words for poold, unique prefixes for poolctl), the stable error names,
 * and the scale and worker-id argument parsers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define MSG_MAX	256

/* proto_parse on a C string, with a message buffer pre-filled with junk. */
static int
parse_n(const char *line, size_t len, struct proto_request *rq,
    enum proto_err *err, char *msg)
{
	memset(msg, 'J', MSG_MAX);
	*err = PERR_NONE;
	return proto_parse(line, len, rq, err, msg, MSG_MAX);
}

static int
parse_s(const char *line, struct proto_request *rq, enum proto_err *err,
    char *msg)
{
	return parse_n(line, strlen(line), rq, err, msg);
}

static bool
points_into(const struct proto_request *rq, const char *p)
{
	return p >= rq->rq_buf && p < rq->rq_buf + sizeof(rq->rq_buf);
}

/* The message is a NUL-terminated, non-empty string within MSG_MAX. */
static void
assert_msg_sane(const char *msg)
{
	cr_assert_not_null(memchr(msg, '\0', MSG_MAX),
	    "error message is not NUL-terminated");
	cr_assert_gt(strlen(msg), 0, "error message is empty");
}

/* ------------------------------------------------------------------ */
/* The command table                                                   */
/* ------------------------------------------------------------------ */

/*
 * Parameters hold arrays, never pointers: Criterion runs each case in a
 * fresh process where the parent's pointers mean nothing.
 */

/*
 * What PROTOCOL.md says each command takes, written down independently of
 * proto_cmds so a wrong table entry fails here.
 */
struct cmd_case {
	char		 name[16];
	enum proto_cmd	 cmd;
	int		 min;
	int		 max;
};

static struct cmd_case cmd_cases[] = {
	{ "hello",	CMD_HELLO,	0, 0 },
	{ "version",	CMD_VERSION,	0, 0 },
	{ "status",	CMD_STATUS,	0, 0 },
	{ "pools",	CMD_POOLS,	0, 0 },
	{ "workers",	CMD_WORKERS,	0, 1 },
	{ "scale",	CMD_SCALE,	2, 2 },
	{ "reload",	CMD_RELOAD,	0, 0 },
	{ "restart",	CMD_RESTART,	1, 1 },
	{ "kill",	CMD_KILL,	2, 3 },
	{ "stop",	CMD_STOP,	0, 1 },
	{ "reopen",	CMD_REOPEN,	0, 0 },
	{ "config",	CMD_CONFIG,	0, 0 },
	{ "subscribe",	CMD_SUBSCRIBE,	0, 0 },
	{ "upgrade",	CMD_UPGRADE,	0, 1 },
	{ "stats",	CMD_STATS,	0, 0 },
	{ "drain",	CMD_DRAIN,	0, 0 },
};

#define NCMD_CASES	((int)(sizeof(cmd_cases) / sizeof(cmd_cases[0])))

Test(proto_table, covers_every_command_of_the_protocol)
{
	cr_assert_eq(NCMD_CASES, CMD_COUNT,
	    "PROTOCOL.md lists %d commands, the enum has %d", NCMD_CASES,
	    CMD_COUNT);
}

Test(proto_table, is_consistent)
{
	for (int i = 0; i < CMD_COUNT; i++) {
		const struct proto_cmd_spec *s = &proto_cmds[i];

		cr_assert_not_null(s->pc_name, "entry %d has no name", i);
		cr_assert_eq((int)s->pc_cmd, i, "%s: pc_cmd %d at index %d",
		    s->pc_name, (int)s->pc_cmd, i);
		cr_assert_gt(strlen(s->pc_name), 0, "entry %d: empty name", i);
		for (const char *p = s->pc_name; *p != '\0'; p++)
			cr_assert(*p >= 'a' && *p <= 'z',
			    "%s: names are lowercase words", s->pc_name);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(proto_cmds[j].pc_name, s->pc_name,
			    "%s appears twice (%d and %d)", s->pc_name, j, i);
		cr_assert_geq(s->pc_min_args, 0, "%s: min < 0", s->pc_name);
		cr_assert_leq(s->pc_min_args, s->pc_max_args, "%s: min > max",
		    s->pc_name);
		cr_assert_leq(s->pc_max_args, PROTO_WORDS_MAX - 1,
		    "%s: max %d cannot fit in %d words", s->pc_name,
		    s->pc_max_args, PROTO_WORDS_MAX);
		cr_assert_not_null(s->pc_usage, "%s: usage is NULL",
		    s->pc_name);
		cr_assert_eq(s->pc_usage[0] == '\0', s->pc_max_args == 0,
		    "%s: usage \"%s\" vs max_args %d", s->pc_name, s->pc_usage,
		    s->pc_max_args);
		cr_assert_not_null(s->pc_help, "%s: help is NULL", s->pc_name);
		cr_assert_gt(strlen(s->pc_help), 0, "%s: empty help",
		    s->pc_name);
	}
}

ParameterizedTestParameters(proto_table, matches_protocol_md)
{
	return cr_make_param_array(struct cmd_case, cmd_cases, NCMD_CASES);
}

ParameterizedTest(struct cmd_case *c, proto_table, matches_protocol_md)
{
	const struct proto_cmd_spec *s = &proto_cmds[c->cmd];

	cr_assert_str_eq(s->pc_name, c->name);
	cr_assert_eq(s->pc_min_args, c->min, "%s: min %d, want %d", c->name,
	    s->pc_min_args, c->min);
	cr_assert_eq(s->pc_max_args, c->max, "%s: max %d, want %d", c->name,
	    s->pc_max_args, c->max);
}

/*
 * Every argument count from 0 to PROTO_WORDS_MAX - 1: accepted inside
 * min..max with the words in rq_argv, bad_arguments with a "usage:" line
 * outside it.
 */
ParameterizedTestParameters(proto_parse, arity)
{
	return cr_make_param_array(struct cmd_case, cmd_cases, NCMD_CASES);
}

ParameterizedTest(struct cmd_case *c, proto_parse, arity)
{
	for (int n = 0; n <= PROTO_WORDS_MAX - 1; n++) {
		struct proto_request	rq;
		enum proto_err		err;
		char			msg[MSG_MAX], line[512], want[32];
		int			r;

		snprintf(line, sizeof(line), "%s", c->name);
		for (int i = 0; i < n; i++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
			    " a%d", i);
		strcat(line, "\n");
		r = parse_s(line, &rq, &err, msg);
		if (n >= c->min && n <= c->max) {
			cr_assert_eq(r, 0, "\"%s\" with %d args: %s (%s)",
			    c->name, n, proto_err_name(err), msg);
			cr_assert_eq(rq.rq_cmd, c->cmd, "%s: cmd %d", c->name,
			    (int)rq.rq_cmd);
			cr_assert_eq(rq.rq_argc, n, "%s: argc %d, want %d",
			    c->name, rq.rq_argc, n);
			for (int i = 0; i < n; i++) {
				snprintf(want, sizeof(want), "a%d", i);
				cr_assert_not_null(rq.rq_argv[i]);
				cr_assert_str_eq(rq.rq_argv[i], want);
				cr_assert(points_into(&rq, rq.rq_argv[i]));
			}
			cr_assert_null(rq.rq_argv[n], "%s: argv[%d] not NULL",
			    c->name, n);
		} else {
			char usage[128];

			cr_assert_eq(r, -1, "\"%s\" with %d args accepted",
			    c->name, n);
			cr_assert_eq(err, PERR_BAD_ARGUMENTS,
			    "\"%s\" with %d args: %s, want bad_arguments",
			    c->name, n, proto_err_name(err));
			assert_msg_sane(msg);
			snprintf(usage, sizeof(usage), "usage: %s", c->name);
			cr_assert_eq(strncmp(msg, usage, strlen(usage)), 0,
			    "message \"%s\" does not start with \"%s\"", msg,
			    usage);
			cr_assert_not_null(strstr(msg,
			    proto_cmds[c->cmd].pc_usage),
			    "message \"%s\" lacks the arguments' usage", msg);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Framing and separators                                              */
/* ------------------------------------------------------------------ */

struct good_line {
	char		 line[64];
	enum proto_cmd	 cmd;
	int		 argc;
	char		 argv[3][48];
};

static struct good_line good_lines[] = {
	{ "hello", CMD_HELLO, 0, { "" } },
	{ "hello\n", CMD_HELLO, 0, { "" } },
	{ "hello\r\n", CMD_HELLO, 0, { "" } },
	{ "  hello", CMD_HELLO, 0, { "" } },
	{ "hello  ", CMD_HELLO, 0, { "" } },
	{ "\thello\t\n", CMD_HELLO, 0, { "" } },
	{ " \t status \t \r\n", CMD_STATUS, 0, { "" } },
	{ "workers web\n", CMD_WORKERS, 1, { "web" } },
	{ "workers\tweb\r\n", CMD_WORKERS, 1, { "web" } },
	{ "workers \t \t web \t\n", CMD_WORKERS, 1, { "web" } },
	{ "scale web +2\n", CMD_SCALE, 2, { "web", "+2" } },
	{ " scale  web  -1 \r\n", CMD_SCALE, 2, { "web", "-1" } },
	{ "kill\tweb\t3\tTERM", CMD_KILL, 3, { "web", "3", "TERM" } },
	{ "kill web 3\r\n", CMD_KILL, 2, { "web", "3" } },
	{ "stop quick\n", CMD_STOP, 1, { "quick" } },
	/* Arguments are any printable word; their meaning is not ours. */
	{ "restart ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./\n", CMD_RESTART, 1,
	    { "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./" } },
	/* Argument words are case-preserved; only the command is exact. */
	{ "stop QUICK\n", CMD_STOP, 1, { "QUICK" } },
};

ParameterizedTestParameters(proto_parse, accepts)
{
	return cr_make_param_array(struct good_line, good_lines,
	    sizeof(good_lines) / sizeof(good_lines[0]));
}

ParameterizedTest(struct good_line *g, proto_parse, accepts)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];

	cr_assert_eq(parse_s(g->line, &rq, &err, msg), 0,
	    "\"%s\" refused: %s (%s)", g->line, proto_err_name(err), msg);
	cr_assert_eq(rq.rq_cmd, g->cmd, "\"%s\": cmd %d, want %d", g->line,
	    (int)rq.rq_cmd, (int)g->cmd);
	cr_assert_eq(rq.rq_argc, g->argc, "\"%s\": argc %d, want %d",
	    g->line, rq.rq_argc, g->argc);
	for (int i = 0; i < g->argc; i++) {
		cr_assert_not_null(rq.rq_argv[i]);
		cr_assert_str_eq(rq.rq_argv[i], g->argv[i], "\"%s\": argv[%d]",
		    g->line, i);
	}
	cr_assert_null(rq.rq_argv[g->argc]);
}

/* A request is exactly the line: the length given is honoured. */
Test(proto_parse, uses_the_length_not_the_nul)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];

	/* "hello" out of "hello world": the rest is not part of it. */
	cr_assert_eq(parse_n("hello world", 5, &rq, &err, msg), 0, "%s", msg);
	cr_assert_eq(rq.rq_cmd, CMD_HELLO);
	cr_assert_eq(rq.rq_argc, 0);
	/* "sta" out of "status": not a command. */
	cr_assert_eq(parse_n("status", 3, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_UNKNOWN_COMMAND);
	/* Zero bytes is an empty request. */
	cr_assert_eq(parse_n("hello", 0, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_UNKNOWN_COMMAND);
}

struct empty_line {
	char	line[16];
};

static struct empty_line empty_lines[] = {
	{ "" }, { "\n" }, { "\r\n" }, { "\r" }, { " " }, { "\t" }, { "   \n" },
	{ " \t \r\n" }, { "\t\t\t\t\n" },
};

ParameterizedTestParameters(proto_parse, empty_is_unknown_command)
{
	return cr_make_param_array(struct empty_line, empty_lines,
	    sizeof(empty_lines) / sizeof(empty_lines[0]));
}

ParameterizedTest(struct empty_line *e, proto_parse, empty_is_unknown_command)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];

	cr_assert_eq(parse_s(e->line, &rq, &err, msg), -1,
	    "empty line accepted");
	cr_assert_eq(err, PERR_UNKNOWN_COMMAND, "%s, want unknown_command",
	    proto_err_name(err));
	assert_msg_sane(msg);
}

/* ------------------------------------------------------------------ */
/* Unknown commands: the daemon wants exact, lowercase words           */
/* ------------------------------------------------------------------ */

struct unknown_case {
	char	line[40];
	char	word[32];
};

static struct unknown_case unknown_cases[] = {
	{ "STATUS\n", "STATUS" },
	{ "Status\n", "Status" },
	{ "hellO", "hellO" },
	{ "stat\n", "stat" },		/* a unique prefix: poolctl's job */
	{ "s\n", "s" },
	{ "re\r\n", "re" },
	{ "hell\n", "hell" },
	{ "helloo\n", "helloo" },
	{ "status2\n", "status2" },
	{ "frobnicate\n", "frobnicate" },
	{ "kill-all web\n", "kill-all" },
	{ "  STATUS web 3\n", "STATUS" },
	{ "{\"cmd\":\"status\"}\n", "{\"cmd\":\"status\"}" },
};

ParameterizedTestParameters(proto_parse, unknown_command)
{
	return cr_make_param_array(struct unknown_case, unknown_cases,
	    sizeof(unknown_cases) / sizeof(unknown_cases[0]));
}

ParameterizedTest(struct unknown_case *u, proto_parse, unknown_command)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];

	cr_assert_eq(parse_s(u->line, &rq, &err, msg), -1, "\"%s\" accepted",
	    u->line);
	cr_assert_eq(err, PERR_UNKNOWN_COMMAND, "\"%s\": %s", u->line,
	    proto_err_name(err));
	assert_msg_sane(msg);
	cr_assert_not_null(strstr(msg, u->word),
	    "message \"%s\" does not name \"%s\"", msg, u->word);
}

/* A huge unknown word is named, but the message stays bounded. */
Test(proto_parse, unknown_command_message_is_bounded)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			line[1000], msg[MSG_MAX];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	cr_assert_eq(parse_s(line, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_UNKNOWN_COMMAND);
	assert_msg_sane(msg);
	cr_assert_not_null(strstr(msg, "xxxxxxxx"), "%s", msg);
}

/* ------------------------------------------------------------------ */
/* Bytes that are not allowed                                          */
/* ------------------------------------------------------------------ */

struct bad_bytes {
	char		 line[32];
	size_t		 len;
	unsigned char	 byte;		/* the offending byte */
};

#define BB(s, b)	{ s, sizeof(s) - 1, b }

static struct bad_bytes bad_bytes[] = {
	BB("hel\x01lo\n", 0x01),
	BB("\x01hello\n", 0x01),
	BB("hello\x7f\n", 0x7f),
	BB("hello \x7f\n", 0x7f),
	BB("hello\x80", 0x80),
	BB("status \xc3\xa9\n", 0xc3),		/* UTF-8 */
	BB("status\xff\n", 0xff),
	BB("workers we\x1b[0mb\n", 0x1b),
	BB("\x0bhello\n", 0x0b),		/* only space and tab separate */
	BB("hello\f\n", 0x0c),
	BB("workers web\rx\n", 0x0d),		/* \r only before \n */
	BB("hello\r\r\n", 0x0d),
	BB("hello\n\n", 0x0a),			/* one line, one newline */
	BB("hello\nstatus\n", 0x0a),
	BB("hello\0", 0x00),
	BB("hel\0lo\n", 0x00),
	BB("\0hello\n", 0x00),
	BB("workers web\0\r\n", 0x00),
	BB("kill web 3 TE\x02RM\n", 0x02),
	BB("frobnicate \x01\n", 0x01),		/* before the command is known */
};

ParameterizedTestParameters(proto_parse, bad_bytes)
{
	return cr_make_param_array(struct bad_bytes, bad_bytes,
	    sizeof(bad_bytes) / sizeof(bad_bytes[0]));
}

ParameterizedTest(struct bad_bytes *b, proto_parse, bad_bytes)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX], hex[8];

	cr_assert_eq(parse_n(b->line, b->len, &rq, &err, msg), -1,
	    "line with byte 0x%02x accepted", b->byte);
	cr_assert_eq(err, PERR_BAD_ARGUMENTS, "byte 0x%02x: %s", b->byte,
	    proto_err_name(err));
	assert_msg_sane(msg);
	snprintf(hex, sizeof(hex), "0x%02x", b->byte);
	cr_assert_not_null(strstr(msg, hex), "message \"%s\" lacks %s", msg,
	    hex);
}

/* Every byte outside 0x21..0x7e, space and tab, refused inside a word. */
Test(proto_parse, every_non_printable_byte_refused)
{
	for (int c = 0; c < 256; c++) {
		struct proto_request	rq;
		enum proto_err		err;
		char			msg[MSG_MAX];
		char			line[] = "workers w?b\n";
		int			r;

		if (c == ' ' || c == '\t')
			continue;
		line[9] = (char)c;
		r = parse_n(line, sizeof(line) - 1, &rq, &err, msg);
		if (c >= 0x21 && c <= 0x7e) {
			cr_assert_eq(r, 0, "byte 0x%02x refused: %s", c, msg);
			cr_assert_eq(rq.rq_argv[0][1], (char)c);
		} else {
			cr_assert_eq(r, -1, "byte 0x%02x accepted", c);
			cr_assert_eq(err, PERR_BAD_ARGUMENTS, "byte 0x%02x: %s",
			    c, proto_err_name(err));
		}
	}
}

/* ------------------------------------------------------------------ */
/* Limits: words and bytes                                             */
/* ------------------------------------------------------------------ */

/* "CMD w1 w2 ..." with nwords words in all, and a newline. */
static void
words_line(char *line, size_t size, const char *cmd, int nwords)
{
	snprintf(line, size, "%s", cmd);
	for (int i = 1; i < nwords; i++)
		snprintf(line + strlen(line), size - strlen(line), " w%d", i);
	snprintf(line + strlen(line), size - strlen(line), "\n");
}

Test(proto_parse, word_limit)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			line[512], msg[MSG_MAX];

	/*
	 * An unknown command shows which check ran: up to PROTO_WORDS_MAX
	 * words the line is split and the command looked up; one more and
	 * the line is refused as malformed first.
	 */
	words_line(line, sizeof(line), "frob", PROTO_WORDS_MAX);
	cr_assert_eq(parse_s(line, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_UNKNOWN_COMMAND, "%d words: %s",
	    PROTO_WORDS_MAX, proto_err_name(err));

	words_line(line, sizeof(line), "frob", PROTO_WORDS_MAX + 1);
	cr_assert_eq(parse_s(line, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_BAD_ARGUMENTS, "%d words: %s",
	    PROTO_WORDS_MAX + 1, proto_err_name(err));
	assert_msg_sane(msg);
	cr_assert_null(strstr(msg, "usage:"),
	    "too many words is not an arity error: \"%s\"", msg);

	/* With a real command: 16 words is an arity error, 17 is not. */
	words_line(line, sizeof(line), "kill", PROTO_WORDS_MAX);
	cr_assert_eq(parse_s(line, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_BAD_ARGUMENTS);
	cr_assert_not_null(strstr(msg, "usage: kill"), "%s", msg);

	for (int n = PROTO_WORDS_MAX + 1; n < 60; n++) {
		words_line(line, sizeof(line), "kill", n);
		cr_assert_eq(parse_s(line, &rq, &err, msg), -1);
		cr_assert_eq(err, PERR_BAD_ARGUMENTS, "%d words", n);
	}
}

/* "workers " and a pool name of content bytes in all, then a terminator. */
static char *
long_line(size_t content, const char *term)
{
	size_t	 tlen = strlen(term);
	char	*line = malloc(content + tlen + 1);

	cr_assert_not_null(line);
	memcpy(line, "workers ", 8);
	memset(line + 8, 'p', content - 8);
	memcpy(line + content, term, tlen + 1);
	return line;
}

struct length_case {
	size_t		 content;	/* bytes before the terminator */
	char		 term[4];
	bool		 ok;
};

static struct length_case length_cases[] = {
	{ PROTO_LINE_MAX - 1, "\n", true },	/* 4096 bytes with \n */
	{ PROTO_LINE_MAX - 1, "", true },
	{ PROTO_LINE_MAX - 1, "\r\n", true },	/* the \r is not content */
	{ PROTO_LINE_MAX - 2, "\n", true },
	{ PROTO_LINE_MAX, "\n", false },	/* 4097 bytes with \n */
	{ PROTO_LINE_MAX, "", false },
	{ PROTO_LINE_MAX, "\r\n", false },
	{ PROTO_LINE_MAX + 1, "\n", false },
	{ 2 * PROTO_LINE_MAX, "\n", false },
	{ 1 << 20, "\n", false },
};

ParameterizedTestParameters(proto_parse, line_length)
{
	return cr_make_param_array(struct length_case, length_cases,
	    sizeof(length_cases) / sizeof(length_cases[0]));
}

ParameterizedTest(struct length_case *c, proto_parse, line_length)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];
	char			*line = long_line(c->content, c->term);
	int			r = parse_s(line, &rq, &err, msg);

	if (c->ok) {
		cr_assert_eq(r, 0, "%zu bytes + \"%s\" refused: %s (%s)",
		    c->content, c->term[0] == '\r' ? "\\r\\n" :
		    c->term[0] == '\n' ? "\\n" : "", proto_err_name(err), msg);
		cr_assert_eq(rq.rq_cmd, CMD_WORKERS);
		cr_assert_eq(rq.rq_argc, 1);
		cr_assert_eq(strlen(rq.rq_argv[0]), c->content - 8);
		cr_assert_eq(memcmp(rq.rq_argv[0], line + 8, c->content - 8),
		    0);
		cr_assert_null(rq.rq_argv[1]);
	} else {
		cr_assert_eq(r, -1, "%zu bytes accepted", c->content);
		cr_assert_eq(err, PERR_LINE_TOO_LONG, "%zu bytes: %s",
		    c->content, proto_err_name(err));
		assert_msg_sane(msg);
	}
	free(line);
}

/*
 * Length comes first: an over-long line cannot be framed, so whatever is
 * in it, the answer is line_too_long (and the daemon closes).
 */
Test(proto_parse, too_long_wins_over_content_errors)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];
	char			*line = malloc(PROTO_LINE_MAX + 1);

	cr_assert_not_null(line);
	/* Unprintable bytes, NULs, too many words and no command. */
	for (size_t i = 0; i < PROTO_LINE_MAX; i++)
		line[i] = (char)(i % 3 == 0 ? ' ' : i % 3 == 1 ? '\0' : 0x80);
	line[PROTO_LINE_MAX] = '\n';
	cr_assert_eq(parse_n(line, PROTO_LINE_MAX + 1, &rq, &err, msg), -1);
	cr_assert_eq(err, PERR_LINE_TOO_LONG, "%s", proto_err_name(err));
	free(line);
}

/* ------------------------------------------------------------------ */
/* rq_argv                                                             */
/* ------------------------------------------------------------------ */

Test(proto_parse, argv_is_own_copy_and_null_terminated)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			line[] = "kill web 3 TERM\r\n";
	char			msg[MSG_MAX];

	memset(&rq, 0x5a, sizeof(rq));
	cr_assert_eq(parse_n(line, strlen(line), &rq, &err, msg), 0, "%s",
	    msg);
	cr_assert_eq(rq.rq_cmd, CMD_KILL);
	cr_assert_eq(rq.rq_argc, 3);
	cr_assert_null(rq.rq_argv[3]);
	for (int i = 0; i < 3; i++) {
		cr_assert(points_into(&rq, rq.rq_argv[i]),
		    "argv[%d] points outside rq_buf", i);
		cr_assert(rq.rq_argv[i] < line ||
		    rq.rq_argv[i] >= line + sizeof(line),
		    "argv[%d] points into the caller's line", i);
	}
	/* The caller may reuse its buffer at once. */
	memset(line, 'X', sizeof(line) - 1);
	cr_assert_str_eq(rq.rq_argv[0], "web");
	cr_assert_str_eq(rq.rq_argv[1], "3");
	cr_assert_str_eq(rq.rq_argv[2], "TERM");
}

/* A request reused for a shorter line carries nothing over. */
Test(proto_parse, reused_request_is_reset)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[MSG_MAX];

	cr_assert_eq(parse_s("kill web 3 TERM\n", &rq, &err, msg), 0);
	cr_assert_eq(parse_s("status\n", &rq, &err, msg), 0);
	cr_assert_eq(rq.rq_cmd, CMD_STATUS);
	cr_assert_eq(rq.rq_argc, 0);
	cr_assert_null(rq.rq_argv[0]);

	cr_assert_eq(parse_s("kill web 3 TERM\n", &rq, &err, msg), 0);
	cr_assert_eq(parse_s("workers db\n", &rq, &err, msg), 0);
	cr_assert_eq(rq.rq_cmd, CMD_WORKERS);
	cr_assert_eq(rq.rq_argc, 1);
	cr_assert_str_eq(rq.rq_argv[0], "db");
	cr_assert_null(rq.rq_argv[1]);
}

/* A small message buffer is truncated, never overrun. */
Test(proto_parse, message_fits_its_buffer)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[8];

	memset(msg, 'J', sizeof(msg));
	cr_assert_eq(proto_parse("kill\n", 5, &rq, &err, msg, 6), -1);
	cr_assert_eq(err, PERR_BAD_ARGUMENTS);
	cr_assert_str_eq(msg, "usage");
	cr_assert_eq(msg[6], 'J', "wrote past msglen");
}

/* ------------------------------------------------------------------ */
/* proto_lookup                                                        */
/* ------------------------------------------------------------------ */

struct lookup_case {
	char		 word[16];
	bool		 prefix;
	char		 want[16];	/* "": no command */
	bool		 ambiguous;
};

static struct lookup_case lookup_cases[] = {
	/* Unique prefixes, for poolctl. */
	{ "statu", true, "status", false },
	{ "stats", true, "stats", false },
	{ "sc", true, "scale", false },
	{ "sub", true, "subscribe", false },
	{ "sto", true, "stop", false },
	{ "h", true, "hello", false },
	{ "v", true, "version", false },
	{ "p", true, "pools", false },
	{ "w", true, "workers", false },
	{ "k", true, "kill", false },
	{ "c", true, "config", false },
	{ "u", true, "upgrade", false },
	{ "rel", true, "reload", false },
	{ "rest", true, "restart", false },
	{ "reo", true, "reopen", false },
	/* Ambiguous prefixes. */
	{ "s", true, "", true },	/* status scale stop subscribe */
	{ "st", true, "", true },	/* status stats stop */
	{ "stat", true, "", true },	/* status stats */
	{ "r", true, "", true },
	{ "re", true, "", true },	/* reload restart reopen */
	/* No command. */
	{ "", true, "", false },
	{ "x", true, "", false },
	{ "statuss", true, "", false },
	{ "stop!", true, "", false },
	{ "STAT", true, "", false },
	{ "Status", true, "", false },
	{ "hello world", true, "", false },
	/* Exact names, with or without prefixes allowed. */
	{ "status", true, "status", false },
	{ "stop", true, "stop", false },
	{ "reopen", true, "reopen", false },
	{ "status", false, "status", false },
	{ "subscribe", false, "subscribe", false },
	{ "kill", false, "kill", false },
	/* Without prefixes, only exact names. */
	{ "stat", false, "", false },
	{ "sc", false, "", false },
	{ "s", false, "", false },
	{ "re", false, "", false },
	{ "", false, "", false },
	{ "STATUS", false, "", false },
	{ "statuss", false, "", false },
};

ParameterizedTestParameters(proto_lookup, finds)
{
	return cr_make_param_array(struct lookup_case, lookup_cases,
	    sizeof(lookup_cases) / sizeof(lookup_cases[0]));
}

ParameterizedTest(struct lookup_case *c, proto_lookup, finds)
{
	const struct proto_cmd_spec	*s;
	bool				 amb;

	/* Both starting values: the function must set it either way. */
	for (int start = 0; start < 2; start++) {
		amb = start;
		s = proto_lookup(c->word, c->prefix, &amb);
		if (c->want[0] == '\0')
			cr_assert_null(s, "\"%s\" (prefix %d) gave %s",
			    c->word, c->prefix, s != NULL ? s->pc_name : "");
		else {
			cr_assert_not_null(s, "\"%s\" (prefix %d): none",
			    c->word, c->prefix);
			cr_assert_str_eq(s->pc_name, c->want);
		}
		cr_assert_eq(amb, c->ambiguous,
		    "\"%s\" (prefix %d): ambiguous %d, want %d", c->word,
		    c->prefix, amb, c->ambiguous);
	}
}

/*
 * An exact name must win over being the prefix of a longer name ("stop"
 * vs a hypothetical "stopall").  The current table has no such pair (the
 * first check below says so and will fail if one is added, so that this
 * test is revisited); exactness is still checked for every name.
 */
Test(proto_lookup, exact_name_wins)
{
	for (int i = 0; i < CMD_COUNT; i++) {
		const char	*name = proto_cmds[i].pc_name;
		bool		 amb = true;

		for (int j = 0; j < CMD_COUNT; j++)
			cr_assert(i == j || strncmp(proto_cmds[j].pc_name, name,
			    strlen(name)) != 0, "\"%s\" is a prefix of \"%s\": "
			    "extend this test", name, proto_cmds[j].pc_name);
		for (int prefix = 0; prefix < 2; prefix++) {
			const struct proto_cmd_spec *s =
			    proto_lookup(name, prefix, &amb);

			cr_assert_eq(s, &proto_cmds[i], "\"%s\" (prefix %d)",
			    name, prefix);
			cr_assert_not(amb, "\"%s\" ambiguous", name);
		}
	}
}

/* Every prefix of every name, against a count of the names it starts. */
Test(proto_lookup, every_prefix)
{
	for (int i = 0; i < CMD_COUNT; i++) {
		const char *name = proto_cmds[i].pc_name;

		for (size_t len = 1; len <= strlen(name); len++) {
			char				 word[32];
			const struct proto_cmd_spec	*s, *only = NULL;
			bool				 amb;
			int				 n = 0;

			snprintf(word, sizeof(word), "%.*s", (int)len, name);
			for (int j = 0; j < CMD_COUNT; j++)
				if (strncmp(proto_cmds[j].pc_name, word,
				    len) == 0) {
					n++;
					only = &proto_cmds[j];
				}
			s = proto_lookup(word, true, &amb);
			if (n == 1) {
				cr_assert_eq(s, only, "\"%s\"", word);
				cr_assert_not(amb, "\"%s\"", word);
			} else {
				cr_assert_null(s, "\"%s\" matches %d", word, n);
				cr_assert(amb, "\"%s\" matches %d", word, n);
			}
			/* The daemon's way: only the full name. */
			s = proto_lookup(word, false, &amb);
			if (len == strlen(name))
				cr_assert_eq(s, &proto_cmds[i]);
			else
				cr_assert_null(s, "\"%s\" exact", word);
			cr_assert_not(amb);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Error names                                                         */
/* ------------------------------------------------------------------ */

struct err_case {
	enum proto_err	 err;
	char		 name[24];
};

static struct err_case err_cases[] = {
	{ PERR_NONE, "none" },
	{ PERR_UNKNOWN_COMMAND, "unknown_command" },
	{ PERR_BAD_ARGUMENTS, "bad_arguments" },
	{ PERR_NO_SUCH_POOL, "no_such_pool" },
	{ PERR_NO_SUCH_WORKER, "no_such_worker" },
	{ PERR_OUT_OF_BOUNDS, "out_of_bounds" },
	{ PERR_BUSY, "busy" },
	{ PERR_PERMISSION, "permission" },
	{ PERR_LINE_TOO_LONG, "line_too_long" },
	{ PERR_FAILED, "failed" },
	{ PERR_UNSUPPORTED, "unsupported" },
};

ParameterizedTestParameters(proto_err_name, stable)
{
	return cr_make_param_array(struct err_case, err_cases,
	    sizeof(err_cases) / sizeof(err_cases[0]));
}

ParameterizedTest(struct err_case *c, proto_err_name, stable)
{
	const char *name = proto_err_name(c->err);

	cr_assert_not_null(name, "code %d has no name", (int)c->err);
	cr_assert_str_eq(name, c->name, "code %d", (int)c->err);
}

Test(proto_err_name, every_code_named_once)
{
	cr_assert_eq(sizeof(err_cases) / sizeof(err_cases[0]),
	    (size_t)PERR_COUNT, "a code is missing from this test");
	for (int i = 0; i < PERR_COUNT; i++)
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(proto_err_name((enum proto_err)i),
			    proto_err_name((enum proto_err)j),
			    "codes %d and %d share a name", i, j);
}

/* Out of range: still a name a client can read in JSON, and not success. */
Test(proto_err_name, out_of_range_is_sane)
{
	const int bad[] = { PERR_COUNT, PERR_COUNT + 1, 1000, INT_MAX, -1,
	    INT_MIN };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *name = proto_err_name((enum proto_err)bad[i]);

		cr_assert_not_null(name, "code %d", bad[i]);
		cr_assert_gt(strlen(name), 0, "code %d", bad[i]);
		for (const char *p = name; *p != '\0'; p++)
			cr_assert((*p >= 'a' && *p <= 'z') || *p == '_',
			    "code %d: \"%s\"", bad[i], name);
		cr_assert_str_neq(name, "none", "code %d reads as success",
		    bad[i]);
	}
}

/* ------------------------------------------------------------------ */
/* proto_parse_scale and proto_parse_id                                */
/* ------------------------------------------------------------------ */

struct scale_case {
	char		 s[32];
	bool		 ok;
	bool		 relative;
	long		 value;
};

static struct scale_case scale_cases[] = {
	{ "3", true, false, 3 },
	{ "0", true, false, 0 },
	{ "12", true, false, 12 },
	{ "+2", true, true, 2 },
	{ "-1", true, true, -1 },
	{ "+0", true, true, 0 },
	{ "-0", true, true, 0 },
	{ "2147483647", true, false, INT_MAX },
	{ "+2147483647", true, true, INT_MAX },
	{ "-2147483647", true, true, -INT_MAX },
	{ "", false, false, 0 },
	{ "+", false, false, 0 },
	{ "-", false, false, 0 },
	{ "--1", false, false, 0 },
	{ "++1", false, false, 0 },
	{ "+-1", false, false, 0 },
	{ "-+1", false, false, 0 },
	{ "1x", false, false, 0 },
	{ "x1", false, false, 0 },
	{ " 1", false, false, 0 },
	{ "1 ", false, false, 0 },
	{ "+ 1", false, false, 0 },
	{ "1.5", false, false, 0 },
	{ "1e3", false, false, 0 },
	{ "0x10", false, false, 0 },
	{ "2147483648", false, false, 0 },		/* INT_MAX + 1 */
	{ "+2147483648", false, false, 0 },
	{ "-2147483648", false, false, 0 },
	{ "4294967296", false, false, 0 },
	{ "9223372036854775807", false, false, 0 },	/* LONG_MAX */
	{ "9223372036854775808", false, false, 0 },	/* overflows long */
	{ "-99999999999999999999999", false, false, 0 },
};

ParameterizedTestParameters(proto_parse_scale, parses)
{
	return cr_make_param_array(struct scale_case, scale_cases,
	    sizeof(scale_cases) / sizeof(scale_cases[0]));
}

ParameterizedTest(struct scale_case *c, proto_parse_scale, parses)
{
	struct proto_scale	ps = { .ps_relative = !c->relative,
	    .ps_value = 12345 };
	int			r = proto_parse_scale(c->s, &ps);

	if (!c->ok) {
		cr_assert_eq(r, -1, "\"%s\" accepted as %s%ld", c->s,
		    ps.ps_relative ? "relative " : "", ps.ps_value);
		return;
	}
	cr_assert_eq(r, 0, "\"%s\" refused", c->s);
	cr_assert_eq(ps.ps_relative, c->relative, "\"%s\": relative %d",
	    c->s, ps.ps_relative);
	cr_assert_eq(ps.ps_value, c->value, "\"%s\": %ld, want %ld", c->s,
	    ps.ps_value, c->value);
}

struct id_case {
	char		 s[32];
	bool		 ok;
	unsigned	 id;
};

static struct id_case id_cases[] = {
	{ "0", true, 0 },
	{ "1", true, 1 },
	{ "42", true, 42 },
	{ "4095", true, 4095 },
	{ "4096", false, 0 },
	{ "9999", false, 0 },
	{ "-1", false, 0 },
	{ "-0", false, 0 },
	{ "+1", false, 0 },
	{ "", false, 0 },
	{ "a", false, 0 },
	{ "01a", false, 0 },
	{ "1 ", false, 0 },
	{ " 1", false, 0 },
	{ "0x1", false, 0 },
	{ "4294967295", false, 0 },		/* UINT_MAX */
	{ "4294967296", false, 0 },		/* would wrap to 0 */
	{ "18446744073709551616", false, 0 },	/* would wrap to 0 */
};

ParameterizedTestParameters(proto_parse_id, parses)
{
	return cr_make_param_array(struct id_case, id_cases,
	    sizeof(id_cases) / sizeof(id_cases[0]));
}

ParameterizedTest(struct id_case *c, proto_parse_id, parses)
{
	unsigned	id = 77777;
	int		r = proto_parse_id(c->s, &id);

	if (!c->ok) {
		cr_assert_eq(r, -1, "\"%s\" accepted as %u", c->s, id);
		return;
	}
	cr_assert_eq(r, 0, "\"%s\" refused", c->s);
	cr_assert_eq(id, c->id, "\"%s\": %u", c->s, id);
}

/* Every id in range, and a stretch beyond it. */
Test(proto_parse_id, whole_range)
{
	for (unsigned i = 0; i < 5000; i++) {
		char		s[16];
		unsigned	id = 77777;
		int		r;

		snprintf(s, sizeof(s), "%u", i);
		r = proto_parse_id(s, &id);
		if (i <= 4095) {
			cr_assert_eq(r, 0, "%u refused", i);
			cr_assert_eq(id, i);
		} else
			cr_assert_eq(r, -1, "%u accepted", i);
	}
}
