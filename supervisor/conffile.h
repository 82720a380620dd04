/* SPDX-License-Identifier: ISC */
/*
 * Reading the configuration file so that nothing in or around it can
 * stop the arbiter: opened without blocking (a FIFO would wait for a
 * writer for ever), only a regular file (libconfuse's scanner exits the
 * process when a read fails, as on a directory), at most CONF_FILE_MAX
 * bytes, and no NUL byte (a file of zeros, as a power loss leaves, takes
 * libconfuse time quadratic in its length).  Then it is parsed from
 * memory, where no read can fail.
 */
#ifndef POOLD_CONFFILE_H
#define POOLD_CONFFILE_H

#include <stddef.h>

#define CONF_FILE_MAX	(1 << 20)	/* bytes */

/* The whole file, NUL-terminated, in memory the caller frees, its
   length in *len; NULL with a one-line reason in err.  Its comments are
   blanked (conf_blank_comments). */
char	*conf_file_read(const char *path, size_t *len, char *err,
	    size_t errlen);
/*
 * Every comment in text (# and // to the end of the line, and C's
 * blocks) made spaces, its newlines kept, strings left alone.  libconfuse 3.3
 * counts three lines for each line comment and one more for each block
 * comment, so its errors named the wrong line below any comment; without
 * comments its count is right.
 */
void	 conf_blank_comments(char *text, size_t len);

#endif
