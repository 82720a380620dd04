/* SPDX-License-Identifier: ISC */
/*
 * A fork whose child is born in a cgroup (see cgfork.h for why).
 *
 * glibc does not wrap clone3, and a raw clone leaves glibc's record of
 * the child's one thread as the parent's: its thread id, which
 * pthread_kill from another thread uses (it then fails, ESRCH) and
 * pthread_setaffinity_np or pthread_setschedparam pass to the kernel
 * (they would act on the arbiter's thread), and its robust mutex list.
 * The child gets both as glibc 2.36's fork gives them: the kernel writes
 * the child's tid where glibc keeps it (the address the kernel was given
 * for this thread, read back with PR_GET_TID_ADDRESS: the one glibc's
 * fork passes too), and the child registers the same robust list head
 * again (the arbiter holds no robust mutex to forget).  The rest of
 * glibc's fork is for callers with other threads (its locks, their
 * stacks), which the arbiter never has, and for pthread_atfork handlers:
 * poold registers none and links no library that does; an app is loaded
 * in its worker, after the fork.  An NSS module that getpwnam or
 * getaddrinfo loaded in the arbiter might (libnss_systemd caches its pid
 * that way); in a worker only initgroups(3) uses NSS, and the modules
 * keep no connection across calls.
 *
 * Where any of it is missing (a kernel before 5.7, a seccomp profile
 * answering ENOSYS or EPERM, no PR_GET_TID_ADDRESS without
 * CONFIG_CHECKPOINT_RESTORE), the fork is glibc's and the child writes
 * itself into cgroup.procs; that is said once.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sched.h>
#endif

#include "cgfork.h"
#include "cgres.h"
#include "log.h"

#if defined(CLONE_INTO_CGROUP) && defined(SYS_clone3) && \
    defined(PR_GET_TID_ADDRESS) && defined(SYS_get_robust_list)
#define HAVE_CLONE_INTO_CGROUP 1
#endif

static bool	born;	/* the last cgfork's child was born in its cgroup */

bool
cgfork_born(void)
{
	return born;
}

static pid_t
fork_then_join(int dirfd, int *err)
{
	pid_t pid = fork();

	born = false;
	/* The child moves itself: "0" is the writer. */
	if (pid == 0)
		*err = dirfd == -1 || cgres_put(dirfd, "cgroup.procs", "0") ==
		    0 ? 0 : errno;
	return pid;
}

#ifdef HAVE_CLONE_INTO_CGROUP

/* What glibc's fork would give the child, read once. */
static struct {
	bool	 tried, usable;
	void	*tid;		/* where glibc keeps this thread's id */
	void	*robust;	/* its robust list head, and its size */
	size_t	 robust_len;
} self;

static bool
learn_self(void)
{
	long r;

	if (self.tried)
		return self.usable;
	self.tried = true;
	if (prctl(PR_GET_TID_ADDRESS, &self.tid, 0, 0, 0) == -1) {
		log_info("cgroups: PR_GET_TID_ADDRESS: %s: workers are forked, "
		    "then move into their cgroups (slower)", strerror(errno));
		return false;
	}
	if (self.tid == NULL)
		return false;	/* not glibc's thread: keep to its fork */
	r = syscall(SYS_get_robust_list, 0, &self.robust, &self.robust_len);
	if (r == -1)
		self.robust = NULL;
	self.usable = true;
	return true;
}

/* The kernel, or a filter in front of it, will never place a child at
   its birth.  Other errors are the cgroup's (EBUSY, EACCES...) or the
   moment's (EAGAIN, ENOMEM): glibc's fork this once, whose child's join
   then says why, if it fails too. */
static bool
clone3_missing(int e)
{
	return e == ENOSYS || e == E2BIG || e == EINVAL || e == EPERM;
}

pid_t
cgfork(int dirfd, int *err)
{
	struct clone_args	a;
	long			pid;

	if (dirfd == -1 || !learn_self())
		return fork_then_join(dirfd, err);
	memset(&a, 0, sizeof(a));
	/* glibc's fork's flags, so that the kernel sets and clears the tid
	   where glibc reads it, as for a child of fork(). */
	a.flags = CLONE_INTO_CGROUP | CLONE_CHILD_SETTID |
	    CLONE_CHILD_CLEARTID;
	a.child_tid = (uint64_t)(uintptr_t)self.tid;
	a.exit_signal = SIGCHLD;
	a.cgroup = (uint64_t)dirfd;
	pid = syscall(SYS_clone3, &a, sizeof(a));
	born = pid != -1;
	if (pid == 0) {
		if (self.robust != NULL)
			(void)syscall(SYS_set_robust_list, self.robust,
			    self.robust_len);
		*err = 0;
		return 0;
	}
	if (pid > 0)
		return (pid_t)pid;
	if (clone3_missing(errno)) {
		log_info("cgroups: clone3 cannot place a child in its cgroup "
		    "(%s): workers are forked, then move into their cgroups "
		    "(slower)", strerror(errno));
		self.usable = false;
	}
	return fork_then_join(dirfd, err);
}

#else

pid_t
cgfork(int dirfd, int *err)
{
	return fork_then_join(dirfd, err);
}

#endif
