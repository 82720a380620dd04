/* SPDX-License-Identifier: ISC */
/*
 * The control protocol (PROTOCOL.md): the command table and the request
 * parser, shared by poold (exact words) and poolctl (unique prefixes), so
 * the grammar exists once.  No I/O here.
 */
#ifndef POOLD_PROTO_H
#define POOLD_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define PROTO_VERSION		1
#define PROTO_LINE_MAX		4096	/* bytes, newline included */
#define PROTO_SOCKET_SYSTEM	"/run/poold/poold.sock"
#define PROTO_WORDS_MAX		16

enum proto_cmd {
	CMD_HELLO,
	CMD_VERSION,
	CMD_STATUS,
	CMD_POOLS,
	CMD_WORKERS,
	CMD_SCALE,
	CMD_RELOAD,
	CMD_RESTART,
	CMD_KILL,
	CMD_STOP,
	CMD_REOPEN,
	CMD_CONFIG,
	CMD_SUBSCRIBE,
	CMD_UPGRADE,
	CMD_STATS,
	CMD_DRAIN,
	CMD_COUNT
};

/* Stable error codes: their names are part of the protocol. */
enum proto_err {
	PERR_NONE,
	PERR_UNKNOWN_COMMAND,
	PERR_BAD_ARGUMENTS,
	PERR_NO_SUCH_POOL,
	PERR_NO_SUCH_WORKER,
	PERR_OUT_OF_BOUNDS,
	PERR_BUSY,
	PERR_PERMISSION,
	PERR_LINE_TOO_LONG,
	PERR_FAILED,
	PERR_UNSUPPORTED,
	PERR_COUNT
};

struct proto_cmd_spec {
	const char	*pc_name;
	enum proto_cmd	 pc_cmd;
	int		 pc_min_args;
	int		 pc_max_args;
	const char	*pc_usage;	/* arguments, for help and errors */
	const char	*pc_help;	/* one line */
};

struct proto_request {
	enum proto_cmd	 rq_cmd;
	int		 rq_argc;
	char		*rq_argv[PROTO_WORDS_MAX];	/* into rq_buf */
	char		 rq_buf[PROTO_LINE_MAX];
};

/* A scale argument: N, +N or -N. */
struct proto_scale {
	bool	ps_relative;
	long	ps_value;	/* the target, or the signed change */
};

extern const struct proto_cmd_spec proto_cmds[CMD_COUNT];

/*
 * Parse one request line (without or with its "\n" / "\r\n").  0, or -1
 * with *err and a message in msg.  Commands must be exact words.
 */
int	 proto_parse(const char *line, size_t len, struct proto_request *,
	    enum proto_err *err, char *msg, size_t msglen);

/*
 * The command a word names: exact, or (prefix) a unique prefix.  NULL
 * if none; *ambiguous tells the two failures apart.
 */
const struct proto_cmd_spec *proto_lookup(const char *word, bool prefix,
	    bool *ambiguous);

const char	*proto_err_name(enum proto_err);
int		 proto_parse_scale(const char *, struct proto_scale *);
/* A slot id: 0..4095. */
int		 proto_parse_id(const char *, unsigned *);

/*
 * The control socket where neither poold nor poolctl was told one: for
 * root, or without a runtime directory, PROTO_SOCKET_SYSTEM; for anyone
 * else, poold.sock in $XDG_RUNTIME_DIR.  Written into buf; NULL if it
 * does not fit.
 */
const char	*proto_default_socket(char *buf, size_t len);

#endif
