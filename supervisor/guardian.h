/* SPDX-License-Identifier: ISC */
/*
 * The guardian of an in-place upgrade (`poolctl upgrade`).  The old
 * program, just before it executes the new binary in its own pid, forks a
 * small process that holds copies of the listening, control and notify
 * sockets and the previous binary, and waits on a pipe.  The new program
 * confirms once it has replaced every worker with its own, ready ones;
 * the guardian then exits.  If the new program dies first (a crash right
 * after the exec, or after it adopted the workers: they die with it, as
 * workers get PDEATHSIG), the pipe's last writer is gone, and the
 * guardian becomes the arbiter: it executes the previous binary in its
 * own pid with the sockets, which never closed, and fresh workers.
 *
 * The guardian is forked twice, so that it outlives the arbiter's pid;
 * as a subreaper the arbiter gets it back as a child all the same, and
 * reaps it when it exits.  Only a -D daemon gets one (inplace.c says
 * why); under systemd, Restart=on-failure is the safety net.
 */
#ifndef POOLD_GUARDIAN_H
#define POOLD_GUARDIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* In the guardian, when the new program died unconfirmed: it should
   execute the previous binary, and returns only if it could not. */
typedef void (*guardian_fallback_fn)(void *arg);

/*
 * In the old program: fork the guardian, which keeps only fds 0-2 and
 * the n fds in keep.  The write end of its pipe (guardian_fd() from now
 * on), close-on-exec, for the caller to carry across the exec; -1 with
 * errno.
 */
int	 guardian_start(const int *keep, size_t n, guardian_fallback_fn,
	    void *arg);

/* The guardian just started by guardian_start(), for the log. */
pid_t	 guardian_pid(void);

/* In the new program: fd is the carried write end; ours to confirm. */
void	 guardian_adopt(int fd);
/* The write end while unconfirmed (to carry on to another exec), or -1. */
int	 guardian_fd(void);
bool	 guardian_pending(void);
/* The new program works, or is stopping on purpose: let the guardian go.
   Also what the old program does when its exec failed. */
void	 guardian_dismiss(void);

#endif
