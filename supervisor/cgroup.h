/* SPDX-License-Identifier: ISC */
/*
 * A cgroup per worker, where a writable cgroup v2 hierarchy is found.
 *
 * Layout, under the cgroup D poold started in (under systemd, the unit's,
 * which must have Delegate=yes):
 *
 *   D/poold-PID-X/            poold's own subtree (PID: the arbiter's; X:
 *                             random, as PIDs repeat across namespaces)
 *   D/poold-PID-X/arbiter/    the arbiter, and its guardian (a leaf)
 *   D/poold-PID-X/sentinel/   the sentinel (a leaf)
 *   D/poold-PID-X/POOL.SLOT.N each worker and everything it starts (N: a
 *                             count, as a slot's old and new overlap)
 *
 * A process cannot leave its cgroup as it can leave a process group, so a
 * worker's tree is killed whole (cgroup.kill), setsid() or not.  An
 * in-place upgrade keeps the pid and so the subtree; a USR2 successor,
 * which starts in its predecessor's arbiter leaf, makes its own beside
 * it; the sentinel removes the subtree when the arbiter is gone, and a
 * poold that starts removes those nobody is left in (a crash of both).
 * Where D offers them, the memory and pids controllers are turned on for
 * the workers' cgroups, for their limits and accounting (cgres.h).
 * Without a usable hierarchy, or with `cgroups = false`, workers get
 * process groups only (spawn.h), and that is said once.
 */
#ifndef POOLD_CGROUP_H
#define POOLD_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgres.h"

/* Before binding anything: the subtrees of pooldS that are gone (a crash
   of the arbiter and its sentinel) are killed and removed, so that what
   their workers left no longer holds the ports.  cg_init does it too. */
void	 cg_sweep_stale(bool wanted);
/* At the start of the arbiter's loop: make or adopt poold's subtree and
   move the arbiter into its leaf; false (said once) if there is none. */
bool	 cg_init(bool wanted);
/* Before cg_init: a process to bring into the arbiter's leaf with it (the
   -D first parent, which waits in D until the start is reported). */
void	 cg_also(pid_t);
bool	 cg_enabled(void);
/*
 * The controllers (CGR_*) the workers' cgroups have, and why some are
 * missing (NULL if none is); before cg_init (--check-config), those they
 * would have, as far as can be told without changing anything.
 */
unsigned cg_available(bool wanted, const char **why);
/* poold's subtree, or NULL. */
const char *cg_path(void);
/* Called with a worker's pid when its tree crosses memory_high (once
   per worker: memory.events, watched, not polled). */
void	 cg_on_memory_high(void (*fn)(pid_t));

/* Before a worker's fork: its cgroup, made, with the pool's limits (l may
   be NULL); a directory fd for the child (spawn.c moves itself there
   before anything else), or -1. */
int	 cg_prepare(const char *pool, unsigned slot, const struct cg_limits *l);
/* After the fork: the cgroup at fd is pid's (pid -1: the fork failed,
   and it goes).  fd is closed either way. */
void	 cg_started(int fd, pid_t pid);
/* A worker carried over an in-place upgrade: find its cgroup again.
   Then cg_adopt_rest(): the cgroups of workers the previous program had
   reaped but not yet removed (empty soon) are watched and go too. */
void	 cg_adopt(pid_t pid);
void	 cg_adopt_rest(void);

/* The worker whose cgroup pid is in, or 0. */
pid_t	 cg_owner(pid_t pid);
/* SIGKILL to all of pid's cgroup: 1 if done, 0 if it has none. */
int	 cg_kill(pid_t pid);
/* Whether anything still runs in pid's cgroup (false if it has none). */
bool	 cg_populated(pid_t pid);
/* Its cgroup's memory and pids events so far (all 0 if it has none). */
void	 cg_counts(pid_t pid, struct cg_counts *);
/* pid was reaped: its cgroup goes once empty (the kernel tells: no
   polling). */
void	 cg_ended(pid_t pid);

/* Its cgroup's accounting; -1 if it has none. */
int	 cg_usage(pid_t pid, struct cg_usage *);

/* In the sentinel, the arbiter gone: kill every worker's cgroup. */
void	 cg_kill_all(void);
/* The sentinel's leaf, of its own so that the arbiter's can go when the
   arbiter exits: made, a directory fd for its fork (cgfork), or -1
   (none, or said why).  In the sentinel, at its start: err, cgfork's,
   said if it is not there.  At its end: every worker's cgroup killed
   and removed, then the leaves and the subtree, as it leaves. */
int	 cg_sentinel_dir(void);
void	 cg_sentinel_enter(int err);
void	 cg_sentinel_finish(void);
/* The subtree's directory fd, for a process that moves its fds (-1 if
   none); and where it is now. */
int	 cg_fd(void);
void	 cg_moved(int fd);
/* At exit, out of the arbiter's leaf, back to D: whether it could be (it
   cannot while D has controllers on that were not ours to turn off). */
bool	 cg_leave(void);
/* At exit: the subtree removed (by the sentinel, if we cannot leave). */
void	 cg_cleanup(void);

#endif
