/* SPDX-License-Identifier: ISC */
/*
 * The sentinel: what kills the workers' trees when the arbiter itself is
 * killed (kill -9, the OOM killer).  PR_SET_PDEATHSIG ends each worker's
 * main process then, but not the children it started, which would keep
 * the listening sockets and serve on.  The sentinel is a small child of
 * the arbiter (named poold-sentinel) that is told, over a pipe, the
 * process group of each worker as it starts and ends; when the pipe's
 * write end closes because the arbiter is gone, it sends SIGKILL to every
 * group it still knows and, with cgroups (cgroup.h), to every worker's
 * cgroup, then removes poold's cgroup subtree and exits.  At a normal
 * exit that is what kill_mode = process workers left behind, if any.
 * Without cgroups its limit is the process group's: a descendant that
 * left its worker's group (setsid) is not reached.  It lives in poold's
 * process group, and ignores the signals sent to it.
 */
#ifndef POOLD_SENTINEL_H
#define POOLD_SENTINEL_H

#include <stdbool.h>
#include <sys/types.h>

/* Start it (or keep the one an in-place upgrade carried); 0 or -1. */
int	 sentinel_start(void);
/* A worker (a process group leader) started, or was adopted; ended. */
void	 sentinel_add(pid_t);
void	 sentinel_remove(pid_t);
/* pid was reaped: true if it was the sentinel (which is then started
   again, and told every worker still running). */
bool	 sentinel_reaped(pid_t, int status);

/* For an in-place upgrade: the write end and the sentinel's pid, to be
   carried across exec, and taken by the new program. */
int	 sentinel_fd(void);
pid_t	 sentinel_pid(void);
void	 sentinel_adopt(int fd, pid_t pid);
/* At a normal exit, before the cgroups are removed: let it finish, and
   wait for it (a second at most) if wait; the arbiter out of its cgroup
   leaf, it can remove the subtree at once. */
void	 sentinel_stop(bool wait);
/* In a process that closed its copy of the pipe (the guardian): no
   sentinel here. */
void	 sentinel_forget(void);

#endif
