/* SPDX-License-Identifier: ISC */
/*
 * The access log of the built-in workers, in Gunicorn's format language:
 * %(h)s remote address, %(l)s "-", %(u)s "-", %(t)s time, %(r)s request
 * line, %(m)s method, %(U)s path, %(q)s query, %(H)s protocol, %(s)s
 * status, %(b)s body bytes ("-" for none), %(B)s body bytes, %(f)s
 * referer, %(a)s user agent, %(T)s seconds, %(M)s milliseconds, %(D)s
 * microseconds, %(p)s pid, and ours, %(w)s worker id.  Each worker
 * appends whole lines with one write(2) each, so lines never interleave.
 * With log_format = "json" a line is a JSON object with every atom as a
 * member (named below, at alog_write_json), and the format is not used.
 */
#ifndef POOLD_ACCESSLOG_H
#define POOLD_ACCESSLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"

#define ALOG_DEFAULT_FORMAT \
	"%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\" " \
	"%(D)s %(w)s"

/* What a request leaves for its log line, copied while it is parsed. */
struct alog_entry {
	char		ae_remote[64];
	char		ae_method[24];
	char		ae_target[512];
	char		ae_referer[256];
	char		ae_agent[256];
	int		ae_minor;
	uint64_t	ae_start_us;
};

/* 0, or -1 with a message naming the bad atom. */
int	 alog_check_format(const char *fmt, char *err, size_t len);
/* Open path ("-": standard output) for appending; -1 on failure. */
int	 alog_open(const char *path, const char *fmt, unsigned slot,
	    bool json);
int	 alog_reopen(void);
/*
 * --log-level debug: a line per request to fn too (poold's log_debug),
 * with or without an access log, as Gunicorn's debug level logs each
 * request.  NULL: none.
 */
typedef void (*alog_debug_fn)(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void	 alog_debug(alog_debug_fn fn);
/* Whether requests are logged anywhere: worth an alog_begin(). */
bool	 alog_enabled(void);
/* rq NULL for a request refused before its head parsed: "-" for %(r)s. */
void	 alog_begin(struct alog_entry *, const struct http_request *,
	    const char *remote);
void	 alog_write(const struct alog_entry *, int status, uint64_t bytes);
/* The peer of a connection as text, for %(h)s. */
void	 alog_peer(int fd, char *buf, size_t len);

#endif
