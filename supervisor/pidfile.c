/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"

int
pidfile_write(const char *path)
{
	char	tmp[4096], buf[32];
	int	fd, n, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Exclusive, never through a symlink: the directory may be shared. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n || fsync(fd) == -1) {
		saved = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

void
pidfile_remove(const char *path)
{
	char	buf[32];
	FILE	*f;
	long	pid = 0;

	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	if (pid == (long)getpid() && unlink(path) == -1)
		log_warn("unlink %s", path);
}
