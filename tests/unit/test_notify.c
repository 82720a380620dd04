/* SPDX-License-Identifier: ISC */
/*
 * The parsers of how workers say they are ready: the notify protocol,
 * what sd_notify(3) senders write, and Einhorn's worker:ack, what its
 * clients write; and what a careless or hostile one might.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "einhornmsg.h"
#include "notifymsg.h"

static struct notify_msg
parse(const char *s)
{
	struct notify_msg m;

	notify_parse(s, strlen(s), &m);
	return m;
}

Test(notify, ready_and_status_together)
{
	struct notify_msg m = parse("READY=1\nSTATUS=Serving 3 clients\n");

	cr_assert_eq(m.nm_flags, NM_READY | NM_STATUS);
	cr_assert_str_eq(m.nm_status, "Serving 3 clients");
	cr_assert_eq(m.nm_ignored, 0);
}

Test(notify, every_understood_assignment)
{
	struct notify_msg m = parse("WATCHDOG=1\nSTOPPING=1\nRELOADING=1\n"
	    "ERRNO=2\nEXTEND_TIMEOUT_USEC=5000000");

	cr_assert_eq(m.nm_flags, NM_WATCHDOG | NM_STOPPING | NM_RELOADING |
	    NM_ERRNO | NM_EXTEND);
	cr_assert_eq(m.nm_errno, 2);
	cr_assert_eq(m.nm_extend_usec, 5000000);
	cr_assert_eq(parse("WATCHDOG=trigger").nm_flags, NM_TRIGGER);
}

Test(notify, unknown_lines_are_ignored_and_counted)
{
	struct notify_msg m = parse("MAINPID=42\nFDSTORE=1\nREADY=1\nfoo\n");

	cr_assert_eq(m.nm_flags, NM_READY);
	cr_assert_eq(m.nm_ignored, 3);
}

Test(notify, values_are_strict)
{
	static const char *const bad[] = {
		"READY=2", "READY=01", "READY= 1", "READY=1 ", "READY",
		" READY=1", "ready=1", "WATCHDOG=0", "WATCHDOG=Trigger",
		"ERRNO=-1", "ERRNO=4096", "ERRNO=", "ERRNO=1x",
		"EXTEND_TIMEOUT_USEC=18446744073709551616",
		"EXTEND_TIMEOUT_USEC=+5", "STOPPING=yes",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct notify_msg m = parse(bad[i]);
		cr_assert_eq(m.nm_flags, 0, "%s understood", bad[i]);
		cr_assert_eq(m.nm_ignored, 1, "%s", bad[i]);
	}
	cr_assert_eq(parse("EXTEND_TIMEOUT_USEC=18446744073709551615")
	    .nm_extend_usec, UINT64_MAX);
}

Test(notify, status_is_cut_and_made_printable)
{
	char			 big[600];
	struct notify_msg	 m;

	memset(big, 'x', sizeof(big));
	memcpy(big, "STATUS=", 7);
	notify_parse(big, sizeof(big), &m);
	cr_assert_eq(strlen(m.nm_status), NOTIFY_STATUS_MAX - 1);
	m = parse("STATUS=a\033[2Jb\t\xc3\xa9");
	cr_assert_str_eq(m.nm_status, "a?[2Jb???");
	/* An empty STATUS clears it, as systemd. */
	m = parse("STATUS=");
	cr_assert_eq(m.nm_flags, NM_STATUS);
	cr_assert_str_eq(m.nm_status, "");
}

Test(notify, nul_bytes_and_empty_lines)
{
	static const char msg[] = "READY=1\0junk\nSTATUS=ok\n\n\n";
	struct notify_msg m;

	notify_parse(msg, sizeof(msg) - 1, &m);
	cr_assert_eq(m.nm_flags, NM_STATUS, "a line with a NUL must not count");
	cr_assert_eq(m.nm_ignored, 1);
	notify_parse("", 0, &m);
	cr_assert_eq(m.nm_flags, 0);
	cr_assert_eq(m.nm_ignored, 0);
}

Test(notify, later_lines_override)
{
	struct notify_msg m = parse("STATUS=one\nSTATUS=two\nERRNO=1\nERRNO=5");

	cr_assert_str_eq(m.nm_status, "two");
	cr_assert_eq(m.nm_errno, 5);
}

Test(notify, poold_recycle_request)
{
	struct notify_msg m = parse("X_POOLD_RECYCLE=1");

	cr_assert_eq(m.nm_flags, NM_RECYCLE);
	cr_assert_eq(m.nm_recycle, NR_ASKED);
	m = parse("WATCHDOG=1\nX_POOLD_RECYCLE=max_requests\n");
	cr_assert_eq(m.nm_flags, NM_WATCHDOG | NM_RECYCLE);
	cr_assert_eq(m.nm_recycle, NR_REQUESTS);
	/* Anything else is not understood, as with systemd's own. */
	for (const char *bad = "X_POOLD_RECYCLE=0\0X_POOLD_RECYCLE=yes\0"
	    "X_POOLD_RECYCLE=\0x_poold_recycle=1\0"; *bad != '\0';
	    bad += strlen(bad) + 1) {
		m = parse(bad);
		cr_assert_eq(m.nm_flags, 0, "%s understood", bad);
		cr_assert_eq(m.nm_ignored, 1, "%s", bad);
	}
}

/* -- Einhorn's worker:ack --------------------------------------------------- */

static struct einhorn_msg
eparse(const char *s)
{
	struct einhorn_msg m;

	einhorn_parse(s, strlen(s), &m);
	return m;
}

/* Go's and Python's clients write JSON; Ruby's, YAML with its newlines
   escaped; an old Node client URI-encoded the whole message. */
Test(einhorn, every_client_s_ack)
{
	static const char *const acks[] = {
		"{\"command\":\"worker:ack\",\"pid\":1234}",
		"{\"pid\": \"1234\", \"command\": \"worker:ack\"}",
		"---%0Acommand: worker:ack%0Apid: 1234%0A",
		"---%0A'command': \"worker:ack\"%0Apid: 1234",
		"---%0Acommand:%20worker:ack%0Apid:%201234",
	};

	for (size_t i = 0; i < sizeof(acks) / sizeof(acks[0]); i++) {
		struct einhorn_msg m = eparse(acks[i]);

		cr_assert_eq(m.em_kind, EK_ACK, "%s", acks[i]);
		cr_assert_eq(m.em_pid, 1234, "%s: pid %ld", acks[i], m.em_pid);
	}
}

/* The pid named is only noted (the sender counts); a bad one is 0. */
Test(einhorn, an_ack_with_no_valid_pid_is_still_an_ack)
{
	static const char *const acks[] = {
		"{\"command\":\"worker:ack\"}",
		"{\"command\":\"worker:ack\",\"pid\":-5}",
		"{\"command\":\"worker:ack\",\"pid\":\"12ab\"}",
		"---%0Acommand: worker:ack%0Apid: 99999999999999999999%0A",
	};

	for (size_t i = 0; i < sizeof(acks) / sizeof(acks[0]); i++) {
		struct einhorn_msg m = eparse(acks[i]);

		cr_assert_eq(m.em_kind, EK_ACK, "%s", acks[i]);
		cr_assert_eq(m.em_pid, 0, "%s: pid %ld", acks[i], m.em_pid);
	}
}

/* einhornsh's commands are named, to be refused by name. */
Test(einhorn, other_commands_are_named)
{
	struct einhorn_msg m = eparse("{\"command\":\"upgrade\","
	    "\"args\":[]}");

	cr_assert_eq(m.em_kind, EK_OTHER);
	cr_assert_str_eq(m.em_command, "upgrade");
	m = eparse("---%0Acommand: \"inc\\x01\"%0A");
	cr_assert_eq(m.em_kind, EK_OTHER);
	cr_assert_str_eq(m.em_command, "inc\\x01");
	m = eparse("{\"command\":\"a\\u0001b\"}");
	cr_assert_str_eq(m.em_command, "a?b", "unprintable kept: %s",
	    m.em_command);
}

Test(einhorn, garbage_is_no_command)
{
	static const char *const bad[] = {
		"", "worker:ack", "{\"command\":\"worker:ack\"",
		"[\"worker:ack\"]", "{\"command\":5}", "{\"command\":\"\"}",
		"---%0Apid: 12%0A", "%",
		"%0", "%zz",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct einhorn_msg m = eparse(bad[i]);

		cr_assert_eq(m.em_kind, EK_BAD, "%s understood", bad[i]);
		cr_assert_eq(m.em_pid, 0, "%s", bad[i]);
	}
}

/* An ack padded to len bytes, in buf. */
static void
padded_ack(char *buf, size_t len)
{
	int n = snprintf(buf, len, "{\"command\":\"worker:ack\",\"pad\":\"");

	memset(buf + n, 'x', len - (size_t)n - 2);
	memcpy(buf + len - 2, "\"}", 2);
}

/* Longer than a line may be: refused whole, never cut to an ack. */
Test(einhorn, an_overlong_line_is_refused)
{
	char			 line[EINHORN_LINE_MAX + 1];
	struct einhorn_msg	 m;

	padded_ack(line, EINHORN_LINE_MAX);
	einhorn_parse(line, EINHORN_LINE_MAX, &m);
	cr_assert_eq(m.em_kind, EK_ACK, "at the limit");
	padded_ack(line, EINHORN_LINE_MAX + 1);
	einhorn_parse(line, EINHORN_LINE_MAX + 1, &m);
	cr_assert_eq(m.em_kind, EK_BAD, "over the limit");
}
