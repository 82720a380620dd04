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
#ifndef POOLD_UPGRADE_H
#define POOLD_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* At start: remember how we were started; whether we are a new arbiter
   started by USR2 (which then neither daemonizes nor writes over the
   old one's pidfile until it runs). */
void	 upgrade_init(char *const argv[]);
bool	 upgrade_is_successor(void);
/* We are such a new arbiter and the old one is still there. */
bool	 upgrade_predecessor_alive(void);
/* How we were started: the binary's path (NULL if unknown), argv and
   the working directory. */
const char *upgrade_exe(void);
char *const *upgrade_argv(void);
const char *upgrade_cwd(void);
/* After an in-place exec: the directory the first program started in,
   where relative paths of argv mean what they meant then. */
void	 upgrade_set_cwd(const char *);
/* USR2: start the new arbiter; 0, or -1 with err. */
int	 upgrade_start(const char *pidfile, char *err, size_t len);
/* pid was reaped: true if it was the new arbiter (which then failed). */
bool	 upgrade_reaped(pid_t, int status);
/* The new arbiter's pid while one runs, else 0. */
pid_t	 upgrade_child(void);
/* At exit: our .oldbin pidfile goes. */
void	 upgrade_cleanup(void);

#endif
