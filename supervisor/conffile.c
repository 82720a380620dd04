/* SPDX-License-Identifier: ISC */
/* Reading the configuration file safely (conffile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* A NUL in buf[0..n): its line, counting from line; 0 if none. */
static int
nul_line(const char *buf, size_t n, int *line)
{
	const char *z = memchr(buf, '\0', n);

	for (const char *p = buf; p < (z != NULL ? z : buf + n); p++)
		*line += *p == '\n';
	return z != NULL ? *line : 0;
}

/* Read all of fd into buf (cap bytes at most); its length, or -1. */
static ssize_t
read_all(int fd, char *buf, size_t cap)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

char *
conf_file_read(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 cap;
	ssize_t		 n = -1;
	int		 fd, line = 1, at;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC))
	    == -1 || fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a configuration file",
		    path, file_kind(st.st_mode));
		goto out;
	}
	if (st.st_size > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes: not a "
		    "configuration file", path, CONF_FILE_MAX);
		goto out;
	}
	/* As large as the file, and one byte more to see it grow while we
	   read it (an editor saving it); not the limit each time.  A file
	   that says 0 may be one whose size is unknown (procfs, FUSE). */
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : CONF_FILE_MAX + 1;
	if ((buf = malloc(cap + 1)) == NULL ||
	    (n = read_all(fd, buf, cap)) == -1) {
		snprintf(err, errlen, "%s: %s", path, buf == NULL ?
		    "out of memory" : strerror(errno));
		goto fail;
	}
	if (n > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes: not a "
		    "configuration file", path, CONF_FILE_MAX);
		goto fail;
	}
	if (st.st_size > 0 && (size_t)n == cap) {
		snprintf(err, errlen, "%s: it grew while it was read; try "
		    "again once it is written", path);
		goto fail;
	}
	if ((at = nul_line(buf, (size_t)n, &line)) != 0) {
		snprintf(err, errlen, "%s:%d: a NUL byte: not a text file "
		    "(a power loss can leave a file of zeros)", path, at);
		goto fail;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	conf_blank_comments(buf, *len);
	goto out;
fail:
	free(buf);
	buf = NULL;
out:
	if (fd != -1)
		(void)close(fd);
	return buf;
}

/* Where a slash may begin a comment rather than be part of a word (an
   unquoted value such as a path): after a space or a delimiter. */
static int
word_start(const char *text, size_t i)
{
	return i == 0 || strchr(" \t\r\n={}(),", text[i - 1]) != NULL;
}

void
conf_blank_comments(char *text, size_t len)
{
	enum { CODE, DQUOTE, SQUOTE, LINE, BLOCK } st = CODE;

	for (size_t i = 0; i < len; i++) {
		char c = text[i], next = i + 1 < len ? text[i + 1] : '\0';

		switch (st) {
		case CODE:
			if (c == '"')
				st = DQUOTE;
			else if (c == '\'')
				st = SQUOTE;
			else if (c == '#' || (c == '/' && next == '/' &&
			    word_start(text, i)))
				st = LINE;
			else if (c == '/' && next == '*' && word_start(text, i)) {
				st = BLOCK;
				text[i++] = ' ';	/* its '*' too */
			}
			break;
		case DQUOTE:
		case SQUOTE:
			if (c == '\\' && next != '\0')
				i++;		/* an escaped quote, say */
			else if (c == (st == DQUOTE ? '"' : '\''))
				st = CODE;
			continue;
		case LINE:
			break;
		case BLOCK:
			if (c == '*' && next == '/') {
				text[i++] = ' ';
				text[i] = ' ';
				st = CODE;
				continue;
			}
			break;
		}
		if (st == LINE && c == '\n')
			st = CODE;
		else if ((st == LINE || st == BLOCK) && c != '\n')
			text[i] = ' ';
	}
}
