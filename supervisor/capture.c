/* SPDX-License-Identifier: ISC */
/* Worker output into poold's log (capture.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "jsonstr.h"
#include "log.h"
#include "loop.h"

#define CAPTURE_MAX	65536	/* pipes read at once, at most */
#define POOL_NAME_MAX	64

struct cap {
	struct ev_source	 c_ev;	/* first: the loop hands it back */
	pid_t			 c_pid;
	unsigned		 c_slot;
	char			 c_pool[POOL_NAME_MAX + 1];
	size_t			 c_len;	/* of the line begun */
	char			 c_line[CAPTURE_LINE_MAX];
};

static struct cap		**caps;
static size_t			  ncaps;
static struct capture_stats	  stats;
/* Lines formatted for the log, written at once at the end of a wakeup
   (or when full): one write for many lines. */
static char			  out[CAPTURE_OUT_MAX];
static size_t			  nout, out_lines;

static void
flush(void)
{
	if (nout == 0)
		return;
	if (log_write(out, nout) == 0)
		stats.cs_lines += out_lines;
	else
		stats.cs_lost += out_lines;
	nout = out_lines = 0;
}

bool
capture_auto(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			 end;

	if (isatty(STDERR_FILENO))
		return false;
	/* /dev/null (-D without a log file): nothing would read them. */
	if (fstat(STDERR_FILENO, &st) == 0 && S_ISCHR(st.st_mode))
		return false;
	/* journald's stream (systemd.exec(5)): workers inherit it, and it
	   tells their lines apart by pid already. */
	return js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) !=
	    2 || fstat(STDERR_FILENO, &st) == -1 ||
	    (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino;
}


/* One line (or a piece of one too long), for the log. */
static void
emit(struct cap *c, const char *text, size_t len)
{
	if (len > 0 && text[len - 1] == '\r')
		len--;
	/* Room for the longest line, escaped if the log is JSON. */
	if (sizeof(out) - nout < (log_json() ?
	    JSON_STR_MAX(CAPTURE_LINE_MAX) : CAPTURE_LINE_MAX) +
	    CAPTURE_PREFIX_MAX)
		flush();
	nout += log_format_captured(out + nout, sizeof(out) - nout, c->c_pid,
	    c->c_pool, c->c_slot, text, len);
	out_lines++;
}

/* What was read, cut into lines; the last one, begun, is kept. */
static void
feed(struct cap *c, const char *buf, size_t n)
{
	const char	*nl;
	size_t		 take;

	while (n > 0) {
		nl = memchr(buf, '\n', n);
		take = nl != NULL ? (size_t)(nl - buf) : n;
		if (take > sizeof(c->c_line) - c->c_len)
			take = sizeof(c->c_line) - c->c_len;
		memcpy(c->c_line + c->c_len, buf, take);
		c->c_len += take;
		buf += take;
		n -= take;
		if (n > 0 && *buf == '\n') {
			emit(c, c->c_line, c->c_len);
			c->c_len = 0;
			buf++;
			n--;
		} else if (c->c_len == sizeof(c->c_line)) {
			stats.cs_cut++;
			emit(c, c->c_line, c->c_len);
			c->c_len = 0;
		}
	}
}

static void
drop(struct cap *c)
{
	size_t i;

	if (c->c_len > 0)
		emit(c, c->c_line, c->c_len);	/* its last words */
	flush();
	for (i = 0; i < ncaps && caps[i] != c; i++)
		;
	if (i < ncaps)
		caps[i] = caps[--ncaps];
	ev_unwatch(&c->c_ev);
	(void)close(c->c_ev.es_fd);
	free(c);
}

static void
on_readable(struct ev_source *ev, uint32_t what)
{
	struct cap	*c = (struct cap *)ev;
	char		 buf[8192];
	size_t		 total = 0;
	ssize_t		 n;

	(void)what;
	while (total < CAPTURE_BURST) {
		if ((n = read(ev->es_fd, buf, sizeof(buf))) > 0) {
			feed(c, buf, (size_t)n);
			total += (size_t)n;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN)
			break;
		else {
			/* The end: the worker and all it started let go. */
			drop(c);
			break;
		}
	}
	flush();
}

void
capture_started(int rd, int wr, const char *pool, unsigned slot, pid_t pid)
{
	struct cap *c = NULL, **grown;

	if (wr != -1)
		(void)close(wr);
	if (rd == -1)
		return;
	if (pid <= 0 || ncaps == CAPTURE_MAX ||
	    (grown = realloc(caps, (ncaps + 1) * sizeof(*caps))) == NULL ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		if (pid > 0)
			log_warnx("capture_output: cannot read worker %ld's "
			    "output; it is lost", (long)pid);
		(void)close(rd);
		return;
	}
	caps = grown;
	c->c_ev.es_fd = rd;
	c->c_ev.es_fn = on_readable;
	c->c_pid = pid;
	c->c_slot = slot;
	snprintf(c->c_pool, sizeof(c->c_pool), "%s", pool);
	if (ev_watch(&c->c_ev, EPOLLIN) == -1) {
		log_warn("capture_output: watch");
		(void)close(rd);
		free(c);
		return;
	}
	caps[ncaps++] = c;
}

const struct capture_stats *
capture_stats(void)
{
	return &stats;
}
