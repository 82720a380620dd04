/* SPDX-License-Identifier: ISC */
/*
 * Logging for the arbiter: one line per event, Gunicorn's format with
 * milliseconds, or with log_format = "json" one JSON object per line
 * ({"time": RFC 3339 with milliseconds, "level", "pid", "message"}, the
 * control socket's events as lines of their own with "event" and their
 * fields), to stderr or to --error-logfile.
 *
 * Two vocabularies, as in OpenBSD's daemons: log_warn() appends strerror(errno),
 * log_warnx() does not; fatal()/fatalx() log and exit with EXIT_TEMPFAIL.
 */
#ifndef POOLD_LOG_H
#define POOLD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum log_level {
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARNING,
	LOG_LVL_ERROR,
	LOG_LVL_CRITICAL,
};

/* Exit codes, s6-style: permanent failures must not be retried by a manager. */
#define EXIT_USAGE	2	/* bad command line or config: don't restart */
#define EXIT_TEMPFAIL	1	/* runtime failure: a restart may help */

enum log_format {
	LOG_FMT_TEXT,
	LOG_FMT_JSON,
};

int	 log_level_parse(const char *, enum log_level *);
int	 log_format_parse(const char *, enum log_format *);
void	 log_set_format(enum log_format);
bool	 log_json(void);
/*
 * JSON logs: an event of the control socket's stream (events.h) as a
 * line of its own; fields is its members but "event" and "time", as JSON
 * object members without the braces (may be "").
 */
void	 log_event(const char *name, const char *fields);
const char	*log_level_name(enum log_level);
void	 log_set_level(enum log_level);
/* --log-level debug: worth building what only that level shows. */
bool	 log_debugging(void);
int	 log_open(const char *path);	/* NULL or "-": stderr */
int	 log_reopen(void);
void	 log_close(void);

void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 logv(enum log_level, int errnum, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));
/*
 * A line a worker wrote (capture.h), as the log writes its own: the
 * stamp (with the worker's pid), "POOL.SLOT: text" at info level, and a
 * newline, into line (size bytes at least CAPTURE_PREFIX_MAX; text is cut
 * to fit); its length.  log_write() then writes lines so formatted, many
 * at once: 0, or -1 if the log did not take them.
 */
#define CAPTURE_PREFIX_MAX	200	/* stamp and "POOL.SLOT: ", or JSON's
					   members */
size_t	 log_format_captured(char *line, size_t size, pid_t pid,
	    const char *pool, unsigned slot, const char *text, size_t len);
int	 log_write(const char *buf, size_t len);
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
