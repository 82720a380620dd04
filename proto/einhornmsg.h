/* SPDX-License-Identifier: ISC */
/*
 * Einhorn's command protocol, as its worker libraries speak it to the
 * master: one message per line, '%' and newlines inside it escaped as
 * %25 and %0A; the message a YAML mapping (Ruby's client:
 * "---\ncommand: worker:ack\npid: 1234\n") or JSON, which is YAML too
 * (Go's and Python's: {"command":"worker:ack","pid":1234}).  poold
 * understands the one command a worker sends, worker:ack.  This is only
 * the parser; the socket is supervisor/einhorn.c's.  No I/O here.
 */
#ifndef POOLD_EINHORNMSG_H
#define POOLD_EINHORNMSG_H

#include <stddef.h>

#define EINHORN_LINE_MAX	1024	/* an ack is under 64 bytes */
#define EINHORN_COMMAND_MAX	32	/* bytes of the command kept */

enum einhorn_kind {
	EK_BAD,		/* not a message with a command */
	EK_ACK,		/* worker:ack, with a pid or not */
	EK_OTHER,	/* another of Einhorn's commands (einhornsh's) */
};

struct einhorn_msg {
	enum einhorn_kind em_kind;
	long		 em_pid;	/* what it names; 0 if nothing valid */
	char		 em_command[EINHORN_COMMAND_MAX];	/* printable */
};

/* Parse one line, its newline not included. */
void	 einhorn_parse(const char *line, size_t len, struct einhorn_msg *);

#endif
