/* SPDX-License-Identifier: ISC */
/*
 * Signal names both ways, from glibc's own table (sigabbrev_np) so there is
 * no list of ours to fall out of date.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signame.h"

int
signame_parse(const char *s)
{
	char	*end;
	long	 n;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n >= NSIG)
			return -1;
		return (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name != NULL && strcasecmp(name, s) == 0)
			return sig;
	}
	return -1;
}

const char *
signame(int sig)
{
	const char *name = sigabbrev_np(sig);

	return name != NULL ? name : "?";
}
