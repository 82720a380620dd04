/* SPDX-License-Identifier: ISC */
/*
 * USR2: the classic binary upgrade of nginx and Gunicorn.  The arbiter
 * starts the poold binary at its original path, with its original
 * arguments, as its child, and hands it every listening socket and the
 * control socket in the LISTEN_FDS convention; the new arbiter takes
 * them by the same code as systemd's socket activation.  The pidfile
 * becomes PIDFILE.oldbin meanwhile.  The operator then sends WINCH and
 * TERM to the old arbiter; if the new one dies first, the old one takes
 * everything back.
 */
#ifndef POOLD_USR2_H
#define POOLD_USR2_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* At start: whether we are a new arbiter started by USR2 (which then
   neither daemonizes nor writes over the old one's pidfile until it
   runs). */
void	 usr2_init(void);
bool	 usr2_is_successor(void);
/* We are such a new arbiter and the old one is still there. */
bool	 usr2_predecessor_alive(void);
/* USR2: start the new arbiter; 0, or -1 with err. */
int	 usr2_start(const char *pidfile, char *err, size_t len);
/* pid was reaped: true if it was the new arbiter (which then failed). */
bool	 usr2_reaped(pid_t, int status);
/* The new arbiter's pid while one runs, else 0. */
pid_t	 usr2_child(void);
/* At exit: our .oldbin pidfile goes. */
void	 usr2_cleanup(void);

#endif
