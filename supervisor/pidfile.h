/* SPDX-License-Identifier: ISC */
#ifndef POOLD_PIDFILE_H
#define POOLD_PIDFILE_H

/* Written atomically (temp file and rename); -1 with errno on failure. */
int	 pidfile_write(const char *path);
/* Removed only if it still holds our pid: a successor may own it now. */
void	 pidfile_remove(const char *path);

#endif
