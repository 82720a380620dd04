/* SPDX-License-Identifier: ISC */
/*
 * The error log.  Lines are written with one write(2) each so that lines from
 * the arbiter and from workers sharing fd 2 never interleave mid-line.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jsonstr.h"
#include "log.h"

#define LOG_LINE_MAX	2048	/* a message's bytes, then it is cut */
/* A JSON line: the message escaped, and the members around it. */
#define LOG_JSON_MAX	(JSON_STR_MAX(LOG_LINE_MAX) + 256)

static enum log_level	 log_min = LOG_LVL_INFO;
static enum log_format	 log_fmt = LOG_FMT_TEXT;
static char		*log_path;	/* NULL: stderr as given to us */

static bool		 log_journal;	/* fd 2 is journald's stream */

/* syslog(3) priorities, for journald: "<6>" before an info line. */
static const int log_prio[] = {
	[LOG_LVL_DEBUG] = 7,
	[LOG_LVL_INFO] = 6,
	[LOG_LVL_WARNING] = 4,
	[LOG_LVL_ERROR] = 3,
	[LOG_LVL_CRITICAL] = 2,
};

static const char *const log_names[] = {
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_WARNING] = "warning",
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_CRITICAL] = "critical",
};

const char *
log_level_name(enum log_level lvl)
{
	return (size_t)lvl < sizeof(log_names) / sizeof(log_names[0]) ?
	    log_names[lvl] : "?";
}

int
log_level_parse(const char *s, enum log_level *lvl)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			*lvl = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Whether fd 2 is the stream systemd connected to the journal: then
 * JOURNAL_STREAM names its device and inode (systemd.exec(5)).  A log
 * file set later, or a stderr redirected by a wrapper, is not.
 */
static bool
stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			 end;

	if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

bool
log_debugging(void)
{
	return log_min == LOG_LVL_DEBUG;
}

int
log_format_parse(const char *s, enum log_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = LOG_FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*f = LOG_FMT_JSON;
	else
		return -1;
	return 0;
}

void
log_set_format(enum log_format f)
{
	log_fmt = f;
}

bool
log_json(void)
{
	return log_fmt == LOG_FMT_JSON;
}

/*
 * The log file becomes fd 2 so that exec'd workers, which write their
 * errors to stderr, land in the same file as the arbiter's lines.
 */
static int
log_attach(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (fd != STDERR_FILENO) {
		if (dup2(fd, STDERR_FILENO) == -1) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
log_open(const char *path)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		free(log_path);
		log_path = NULL;
		log_journal = stderr_is_journal();
		return 0;
	}
	if (log_attach(path) == -1)
		return -1;
	log_journal = false;
	free(log_path);
	if ((log_path = strdup(path)) == NULL)
		return -1;
	return 0;
}

int
log_reopen(void)
{
	if (log_path == NULL)
		return 0;
	return log_attach(log_path);
}

void
log_close(void)
{
	free(log_path);
	log_path = NULL;
}

/* The time now, UTC, and its milliseconds. */
static void
now_utc(struct tm *tm, long *ms)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, tm) == NULL) {
		memset(tm, 0, sizeof(*tm));
		ts.tv_nsec = 0;
	}
	*ms = ts.tv_nsec / 1000000;
}

/* "[time] [pid] [info] ", or journald's "<6>", into line; its length. */
static size_t
stamp(char *line, size_t len, enum log_level lvl, long pid)
{
	struct tm	tm;
	size_t		n;
	long		ms;
	int		r;

	if (log_journal) {
		/* journald stamps time and pid itself and keeps the level. */
		r = snprintf(line, len, "<%d>", log_prio[lvl]);
		return r > 0 ? (size_t)r : 0;
	}
	now_utc(&tm, &ms);
	n = strftime(line, len, "[%Y-%m-%d %H:%M:%S", &tm);
	r = snprintf(line + n, len - n, ".%03ld +0000] [%ld] [%s] ", ms, pid,
	    log_names[lvl]);
	return r > 0 ? n + (size_t)r : n;
}

/*
 * A JSON line's first members, {"time":"2026-12-07T03:31:55.695Z",
 * "level":"info","pid":N, (RFC 3339, UTC, milliseconds; poold's pid)
 * into line; its length.  JSON even on journald's stream: who asks for
 * JSON parses it, and journald keeps the line as it is.
 */
static size_t
json_stamp(char *line, size_t len, enum log_level lvl)
{
	struct tm	tm;
	size_t		n;
	long		ms;
	int		r;

	now_utc(&tm, &ms);
	n = strftime(line, len, "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, len - n, ".%03ldZ\",\"level\":\"%s\","
	    "\"pid\":%ld,", ms, log_names[lvl], (long)getpid());
	return r > 0 && (size_t)r < len - n ? n + (size_t)r : n;
}

/* The line for a message, one object, in JSON; its length. */
static size_t
json_line(char *line, size_t len, enum log_level lvl, const char *msg,
    size_t mlen)
{
	size_t n = json_stamp(line, len, lvl);

	n += (size_t)snprintf(line + n, len - n, "\"message\":");
	n += json_str(line + n, len - n - 2, msg, mlen);
	line[n++] = '}';
	line[n++] = '\n';
	return n;
}

void
logv(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	char		 msg[LOG_LINE_MAX], line[LOG_JSON_MAX];
	size_t		 m = 0, n;
	int		 r;

	if (lvl < log_min)
		return;
	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (r > 0)
		m = (size_t)r < sizeof(msg) ? (size_t)r : sizeof(msg) - 1;
	if (errnum != 0 && m < sizeof(msg) - 1) {
		r = snprintf(msg + m, sizeof(msg) - m, ": %s",
		    strerror(errnum));
		if (r > 0)
			m += (size_t)r < sizeof(msg) - m ? (size_t)r :
			    sizeof(msg) - m - 1;
	}
	if (log_fmt == LOG_FMT_JSON)
		n = json_line(line, sizeof(line), lvl, msg, m);
	else {
		n = stamp(line, sizeof(line), lvl, (long)getpid());
		memcpy(line + n, msg, m);
		n += m;
		line[n++] = '\n';
	}
	/* Nowhere to report a failed log write: drop the line. */
	(void)!write(STDERR_FILENO, line, n);
}

void
log_event(const char *name, const char *fields)
{
	char	line[LOG_JSON_MAX];
	size_t	n = json_stamp(line, sizeof(line), LOG_LVL_INFO);
	size_t	flen = strlen(fields);

	if (log_fmt != LOG_FMT_JSON || LOG_LVL_INFO < log_min)
		return;
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\"event\":");
	n += json_str(line + n, 64, name, strlen(name));
	/* Whole members or none: a cut one would not parse. */
	if (flen > 0 && n + flen + 3 <= sizeof(line)) {
		line[n++] = ',';
		memcpy(line + n, fields, flen);
		n += flen;
	}
	line[n++] = '}';
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

size_t
log_format_captured(char *line, size_t size, pid_t pid, const char *pool,
    unsigned slot, const char *text, size_t len)
{
	size_t	n;
	int	r;

	if (log_fmt == LOG_FMT_JSON) {
		n = json_stamp(line, size, LOG_LVL_INFO);
		n += (size_t)snprintf(line + n, size - n, "\"worker_pid\":%ld,"
		    "\"pool\":", (long)pid);
		/* A pool's name is 64 bytes at most. */
		n += json_str(line + n, JSON_STR_MAX(64) + 1, pool,
		    strlen(pool));
		n += (size_t)snprintf(line + n, size - n, ",\"slot\":%u,"
		    "\"message\":", slot);
		n += json_str(line + n, size - n - 2, text, len);
		line[n++] = '}';
		line[n++] = '\n';
		return n;
	}
	n = stamp(line, size, LOG_LVL_INFO, (long)pid);

	r = snprintf(line + n, size - n, "%s.%u: ", pool, slot);
	if (r > 0 && (size_t)r < size - n)
		n += (size_t)r;
	if (n + len + 1 > size)
		len = size - n - 1;
	memcpy(line + n, text, len);
	n += len;
	line[n++] = '\n';
	return n;
}

int
log_write(const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(STDERR_FILENO, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

#define LOG_FN(name, lvl, witherr)			\
void							\
name(const char *fmt, ...)				\
{							\
	int	saved = errno;				\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	logv(lvl, (witherr) ? saved : 0, fmt, ap);	\
	va_end(ap);					\
	errno = saved;					\
}

LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_warn, LOG_LVL_WARNING, 1)
LOG_FN(log_warnx, LOG_LVL_WARNING, 0)
LOG_FN(log_error, LOG_LVL_ERROR, 1)
LOG_FN(log_errorx, LOG_LVL_ERROR, 0)

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	logv(LOG_LVL_CRITICAL, saved, fmt, ap);
	va_end(ap);
	exit(EXIT_TEMPFAIL);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	logv(LOG_LVL_CRITICAL, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_TEMPFAIL);
}
