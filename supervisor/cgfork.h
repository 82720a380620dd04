/* SPDX-License-Identifier: ISC */
/*
 * A fork whose child is born in a cgroup.
 *
 * Moving a process into a cgroup (a write to cgroup.procs) takes the
 * kernel's cgroup threadgroup lock for writing, which waits out an RCU
 * grace period: 2 ms on an idle 2-core machine, 5 to 20 ms under load,
 * most of the time from a worker's death to its replacement's first
 * answer.  clone3's CLONE_INTO_CGROUP (Linux 5.7) places the child at
 * its birth instead, and the whole fork takes 0.2 ms.  Where that is not
 * to be had, it is an ordinary fork and the child moves itself.
 */
#ifndef POOLD_CGFORK_H
#define POOLD_CGFORK_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * As fork(2), with the child in the cgroup whose directory is dirfd (-1:
 * where the parent is).  In the child, *err is 0 if it is there, else the
 * errno of its joining it (it then runs where the parent is).  For a
 * single-threaded caller only: see cgfork.c.
 */
pid_t	cgfork(int dirfd, int *err);
/* Whether the last cgfork's child was born in its cgroup, rather than
   moved there after glibc's fork (or given none), on both sides. */
bool	cgfork_born(void);

#endif
