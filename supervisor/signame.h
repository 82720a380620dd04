/* SPDX-License-Identifier: ISC */
#ifndef POOLD_SIGNAME_H
#define POOLD_SIGNAME_H

/* "TERM", "SIGTERM", "sigterm" or "15" to a signal number; -1 if none. */
int		 signame_parse(const char *);
/* "TERM" for SIGTERM; "?" for an unknown number.  Never NULL. */
const char	*signame(int);

#endif
