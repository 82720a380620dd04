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

#include "log.h"

#define LOG_LINE_MAX	2048

static enum log_level	 log_min = LOG_LVL_INFO;
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

/* "[time] [pid] [info] ", or journald's "<6>", into line; its length. */
static size_t
stamp(char *line, size_t len, enum log_level lvl, long pid)
{
	struct timespec	ts;
	struct tm	tm;
	size_t		n;
	int		r;

	if (log_journal) {
		/* journald stamps time and pid itself and keeps the level. */
		r = snprintf(line, len, "<%d>", log_prio[lvl]);
		return r > 0 ? (size_t)r : 0;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL) {
		memset(&tm, 0, sizeof(tm));
		ts.tv_nsec = 0;
	}
	n = strftime(line, len, "[%Y-%m-%d %H:%M:%S", &tm);
	r = snprintf(line + n, len - n, ".%03ld +0000] [%ld] [%s] ",
	    ts.tv_nsec / 1000000, pid, log_names[lvl]);
	return r > 0 ? n + (size_t)r : n;
}

void
logv(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX];
	size_t		 n;
	int		 r;

	if (lvl < log_min)
		return;
	n = stamp(line, sizeof(line), lvl, (long)getpid());
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		if (r > 0)
			n += (size_t)r;
	}
	if (errnum != 0 && n < sizeof(line)) {
		r = snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(errnum));
		if (r > 0)
			n += (size_t)r;
	}
	if (n >= sizeof(line))
		n = sizeof(line) - 2;	/* truncated: keep the newline */
	line[n++] = '\n';
	/* Nowhere to report a failed log write: drop the line. */
	(void)!write(STDERR_FILENO, line, n);
}

size_t
log_format_captured(char *line, size_t size, pid_t pid, const char *pool,
    unsigned slot, const char *text, size_t len)
{
	size_t	n = stamp(line, size, LOG_LVL_INFO, (long)pid);
	int	r;

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
