/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the control protocol's request parser (proto.c):
 * make fuzz, then
 *   tests/fuzz/fuzz_request -max_total_time=60 tests/fuzz/corpus/request
 *
 * Every input goes to proto_parse, whose answer is checked against a small
 * independent model of PROTOCOL.md's framing rules (length, bytes, words,
 * exact command, arity); then, as a C string, to proto_lookup (both ways),
 * proto_parse_scale and proto_parse_id, whose results are checked for their
 * invariants.  A violation is __builtin_trap(), so libFuzzer keeps the input.
 *
 * No config.h here: this is built by clang directly (see tests/local.mk);
 * proto.c includes it itself.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
is_word_byte(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

static bool
is_sep(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A message: NUL-terminated within its buffer, and something to read. */
static void
check_msg(const char *msg, size_t size)
{
	CHECK(memchr(msg, '\0', size) != NULL);
	CHECK(msg[0] != '\0');
}

/*
 * What PROTOCOL.md says proto_parse must answer: PERR_NONE for success.
 * On success the words (command first) are in words[]/wlen[].
 */
static enum proto_err
model(const uint8_t *p, size_t len, const uint8_t **words, size_t *wlen,
    int *nwords, const struct proto_cmd_spec **spec)
{
	bool	 ambiguous;
	char	 cmd[PROTO_LINE_MAX];
	int	 n = 0;
	size_t	 i = 0;

	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len > PROTO_LINE_MAX - 1)
		return PERR_LINE_TOO_LONG;
	for (;;) {
		size_t start;

		while (i < len && is_sep(p[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_sep(p[i])) {
			if (!is_word_byte(p[i]))
				return PERR_BAD_ARGUMENTS;	/* a bad byte */
			i++;
		}
		if (n == PROTO_WORDS_MAX)
			return PERR_BAD_ARGUMENTS;		/* too many */
		words[n] = p + start;
		wlen[n] = i - start;
		n++;
	}
	*nwords = n;
	if (n == 0)
		return PERR_UNKNOWN_COMMAND;
	memcpy(cmd, words[0], wlen[0]);
	cmd[wlen[0]] = '\0';
	*spec = NULL;
	for (int c = 0; c < CMD_COUNT; c++)
		if (strcmp(proto_cmds[c].pc_name, cmd) == 0)
			*spec = &proto_cmds[c];
	if (*spec == NULL) {
		/* proto_lookup(exact) must agree. */
		CHECK(proto_lookup(cmd, false, &ambiguous) == NULL);
		return PERR_UNKNOWN_COMMAND;
	}
	if (n - 1 < (*spec)->pc_min_args || n - 1 > (*spec)->pc_max_args)
		return PERR_BAD_ARGUMENTS;
	return PERR_NONE;
}

/*
 * A bad byte is found by the parser only when the split reaches it; a
 * 17th word may be found first.  Both are bad_arguments, so the model
 * only needs to agree on the code, which it does whichever comes first.
 */
static void
check_parse(const uint8_t *data, size_t size)
{
	static struct proto_request	 rq;
	const struct proto_cmd_spec	*spec = NULL;
	const uint8_t			*words[PROTO_WORDS_MAX];
	size_t				 wlen[PROTO_WORDS_MAX];
	enum proto_err			 err = PERR_NONE, want;
	char				 msg[256];
	int				 nwords = 0, r;

	memset(msg, 'J', sizeof(msg));
	memset(&rq, 0xa5, sizeof(rq));
	r = proto_parse((const char *)data, size, &rq, &err, msg, sizeof(msg));
	want = model(data, size, words, wlen, &nwords, &spec);

	if (r != 0) {
		CHECK(r == -1);
		CHECK(err != PERR_NONE);
		CHECK((unsigned)err < PERR_COUNT);
		check_msg(msg, sizeof(msg));
		CHECK(err == want);
		return;
	}
	CHECK(want == PERR_NONE);
	CHECK((unsigned)rq.rq_cmd < CMD_COUNT);
	CHECK(&proto_cmds[rq.rq_cmd] == spec);
	CHECK(rq.rq_argc >= proto_cmds[rq.rq_cmd].pc_min_args);
	CHECK(rq.rq_argc <= proto_cmds[rq.rq_cmd].pc_max_args);
	CHECK(rq.rq_argc <= PROTO_WORDS_MAX - 1);
	CHECK(rq.rq_argc == nwords - 1);
	for (int i = 0; i < rq.rq_argc; i++) {
		const char	*a = rq.rq_argv[i];
		size_t		 alen;

		CHECK(a != NULL);
		CHECK(a >= rq.rq_buf && a < rq.rq_buf + sizeof(rq.rq_buf));
		alen = strnlen(a, (size_t)(rq.rq_buf + sizeof(rq.rq_buf) - a));
		CHECK(a + alen < rq.rq_buf + sizeof(rq.rq_buf));
		CHECK(alen > 0);
		for (size_t j = 0; j < alen; j++)
			CHECK(is_word_byte((unsigned char)a[j]));
		/* The same word the model found, in the same place. */
		CHECK(alen == wlen[i + 1]);
		CHECK(memcmp(a, words[i + 1], alen) == 0);
	}
	CHECK(rq.rq_argv[rq.rq_argc] == NULL);
}

static void
check_lookup(const char *s)
{
	const struct proto_cmd_spec	*spec;
	bool				 amb;
	size_t				 len = strlen(s);
	int				 matches = 0;

	spec = proto_lookup(s, false, &amb);
	CHECK(!amb);
	if (spec != NULL) {
		CHECK(spec >= proto_cmds && spec < proto_cmds + CMD_COUNT);
		CHECK(strcmp(spec->pc_name, s) == 0);
	}

	for (int c = 0; c < CMD_COUNT; c++)
		if (len > 0 && strncmp(proto_cmds[c].pc_name, s, len) == 0)
			matches++;
	amb = false;
	spec = proto_lookup(s, true, &amb);
	if (spec != NULL) {
		CHECK(!amb);
		CHECK(spec >= proto_cmds && spec < proto_cmds + CMD_COUNT);
		CHECK(len > 0);
		CHECK(strncmp(spec->pc_name, s, len) == 0);
		CHECK(matches == 1 || strcmp(spec->pc_name, s) == 0);
	} else {
		CHECK(amb == (matches > 1));
		CHECK(matches != 1);
	}
}

/* ^[+-]?[0-9]+$ */
static bool
is_number(const char *s, bool sign)
{
	if (sign && (*s == '+' || *s == '-'))
		s++;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void
check_numbers(const char *s)
{
	struct proto_scale	ps;
	unsigned		id;

	if (proto_parse_scale(s, &ps) == 0) {
		CHECK(is_number(s, true));
		CHECK(ps.ps_relative == (*s == '+' || *s == '-'));
		CHECK(ps.ps_value <= INT_MAX && ps.ps_value >= -(long)INT_MAX);
		CHECK(ps.ps_value >= 0 || *s == '-');
		CHECK(ps.ps_value <= 0 || *s != '-');
		CHECK(ps.ps_value == strtol(s, NULL, 10));
	}
	if (proto_parse_id(s, &id) == 0) {
		CHECK(is_number(s, false));
		CHECK(id <= 4095);
		CHECK((long)id == strtol(s, NULL, 10));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	check_parse(data, size);

	/* The same bytes as a C string (up to the first NUL). */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_lookup(s);
	check_numbers(s);
	free(s);
	return 0;
}
