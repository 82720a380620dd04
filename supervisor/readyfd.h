/* SPDX-License-Identifier: ISC */
/*
 * s6's readiness protocol (ready = "fd"): each worker of such a pool gets
 * the write end of a pipe at its pool's notification_fd, and is ready
 * when it writes a newline there.  The arbiter holds the read ends, one
 * per worker not yet ready, in its loop.
 */
#ifndef POOLD_READYFD_H
#define POOLD_READYFD_H

#include <sys/types.h>

/* Who to tell that pid wrote its newline. */
void	 readyfd_init(void (*ready)(pid_t));
/* After the fork of a worker given a pipe (spawn_pipe()) at its
   notification_fd: the write end closed here; the read end watched for
   pid, or closed if the fork failed (pid -1). */
void	 readyfd_started(int rd, int wr, pid_t pid);
/*
 * An in-place upgrade: the read end of pid's pipe, if it is not ready yet
 * (-1 if none); readyfd_carry() makes them all survive exec, or not; and
 * in the new program, readyfd_adopt() takes one back (watched from
 * readyfd_init() on, the loop being ready then).
 */
int	 readyfd_fd(pid_t pid);
int	 readyfd_carry(int carry);
void	 readyfd_adopt(int fd, pid_t pid);
/* pid is gone: what is in its pipe is read (a newline still counts),
   and its read end goes.  Before the pool reaps it. */
void	 readyfd_ended(pid_t pid);

#endif
