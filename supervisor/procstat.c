/* SPDX-License-Identifier: ISC */
/*
 * /proc readers.  statm rather than status: one short line of numbers,
 * in pages, with no text to parse.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "procstat.h"

int
proc_rss_kib(pid_t pid, uint64_t *kib)
{
	char		 path[40], buf[128], *end;
	ssize_t		 n;
	int		 fd;
	unsigned long long resident;
	long		 page = sysconf(_SC_PAGESIZE);

	snprintf(path, sizeof(path), "/proc/%ld/statm", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n == -1 && errno == EINTR);
	(void)close(fd);
	if (n <= 0 || page <= 0)
		return -1;
	buf[n] = '\0';
	/* "size resident shared text lib data dt", in pages. */
	errno = 0;
	(void)strtoull(buf, &end, 10);
	if (errno != 0 || end == buf || *end != ' ')
		return -1;
	resident = strtoull(end + 1, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\n'))
		return -1;
	*kib = resident * (unsigned long long)page / 1024;
	return 0;
}
