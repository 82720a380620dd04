/* SPDX-License-Identifier: ISC */
/*
 * The one place that forks, execs and signals workers.  Everything else
 * decides; this file does.  (The arbiter running a poold binary, for an
 * upgrade, is reexec.c's.)
 */
#ifndef POOLD_SPAWN_H
#define POOLD_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

struct spawn_req {
	const struct pool_conf	*sr_conf;
	const int		*sr_fds;	/* listeners, config order */
	size_t			 sr_nfds;
	const char		*sr_fdnames;	/* LISTEN_FDNAMES */
	unsigned		 sr_slot;
	const char		*sr_access_log;		/* built-in workers */
	const char		*sr_access_format;
	bool			 sr_log_json;	/* log_format = json */
	int			 sr_board;	/* scoreboard entry or -1 */
	int			 sr_group;	/* the pool's, or -1 */
	const char		*sr_notify;	/* NOTIFY_SOCKET, or NULL */
	const char		*sr_einhorn;	/* EINHORN_SOCK_PATH, or NULL */
	int			 sr_cgroup;	/* its cgroup's directory, or -1 */
	int			 sr_ready_fd;	/* ready = fd: the pipe's write
						   end, or -1 */
	int			 sr_capture_fd;	/* capture_output: its stdout and
						   stderr, or -1 */
};

/* Fork a worker; its pid in the parent, -1 (logged) if fork failed. */
pid_t	 spawn_worker(const struct spawn_req *);
/* A pipe from a worker to the arbiter (its output, its readiness): the
   read end, non-blocking, returned; the write end, which blocks as any
   pipe does, at *wr; both close-on-exec.  -1 (logged, naming what). */
int	 spawn_pipe(int *wr, const char *what);

/*
 * Signal a child we have not reaped yet.  Such a pid cannot have been
 * reused (a zombie holds it until we wait for it), so kill() is exact here
 * without a pidfd.
 */
int	 proc_signal(pid_t, int sig);
/*
 * Each worker leads a process group of its own (pgid = its pid), which
 * its children join unless they leave it (setsid, setpgid).  SIGKILL to
 * the group of the worker pid: 1 if there was one, 0 if it was empty,
 * -1 on another error (logged).  Valid only until the leader is reaped
 * and the group is empty, when the id may be reused: call it at once.
 */
int	 proc_kill_group(pid_t);
/* fork(), the child named name (comm) from its first instant, so that
   whoever lists our children never takes a helper for a worker; the
   second, born in the cgroup whose directory is cgdir, as cgfork(). */
pid_t	 spawn_named_fork(const char *name);
pid_t	 spawn_named_cgfork(const char *name, int cgdir, int *cgerr);
/* Whether the group of pid still has a member. */
bool	 proc_group_alive(pid_t);

/* Signals the arbiter handles itself, reset in every child. */
void	 spawn_reset_signals(void);
/* In a child: fds[0..n) become 3.., inheritable; every other fd from 3
   is closed.  Exits the child on failure. */
#define SPAWN_FDS_MAX	320
void	 spawn_place_fds(const int *fds, size_t n);
/* In a child, as root: become the pool's user and group, if it has
   them; exits the child if that fails. */
struct pool_conf;
void	 spawn_drop_privileges(const struct pool_conf *);
/* The arbiter's umask: mask, or with -1 the one it was started with
   (what it inherited, or what an in-place upgrade's program had). */
void	 spawn_set_umask(int mask);

#endif
