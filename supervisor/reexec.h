/* SPDX-License-Identifier: ISC */
/*
 * The arbiter running a poold binary: the --check-config probe of a new
 * binary, the USR2 successor, the in-place exec and its way back.  With
 * spawn.c (workers), the only places that fork or exec; what to carry
 * and when is usr2.c's (USR2) and inplace.c's (`poolctl upgrade`).
 */
#ifndef POOLD_REEXEC_H
#define POOLD_REEXEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* At start: remember how we were started, for every program to come. */
void	 reexec_init(char *const argv[]);
/* The binary's path (NULL if unknown), argv and the working directory. */
const char *reexec_exe(void);
char *const *reexec_argv(void);
const char *reexec_cwd(void);
/* After an in-place exec: the directory the first program started in,
   where relative paths of argv mean what they meant then. */
void	 reexec_set_cwd(const char *);

/* Set in the probe's environment: it is asked as an upgrade's probe. */
#define REEXEC_PROBE_ENV	"POOLD_UPGRADE_PROBE"

/* PATH --check-config with args (argv[0] skipped) in cwd, its output on
   out, REEXEC_PROBE_ENV=1; the child's pid, or -1 with errno. */
pid_t	 reexec_probe(const char *path, char *const *args, const char *cwd,
	    int out);
/* Wait for the probe until deadline (ms, ev_now_ms), then SIGKILL it;
   0 with its status, -1 if it had to be killed, -2 (errno set) if it
   could not be waited for. */
int	 reexec_probe_wait(pid_t, uint64_t deadline, int *status);

/* USR2: our binary (reexec_exe) with our argv in our start directory,
   as our child, with fds 3.. the n sockets named in names (LISTEN_FDS),
   and env_from=<our pid>; the pid, or -1 with errno. */
pid_t	 reexec_successor(const int *fds, size_t n, const char *names,
	    const char *env_from);

/* Replace this process with path (argv), or with the open binary fd;
   they return only on failure, with errno. */
void	 reexec_inplace(const char *path, char *const *argv);
void	 reexec_previous(int fd, char *const *argv);

#endif
