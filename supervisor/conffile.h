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
   length in *len; NULL with a one-line reason in err. */
char	*conf_file_read(const char *path, size_t *len, char *err,
	    size_t errlen);

#endif
