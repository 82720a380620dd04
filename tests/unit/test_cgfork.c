/* SPDX-License-Identifier: ISC */
/*
 * cgfork: a child born in a real cgroup v2 (skipped where this process
 * cannot make one), whose glibc thread state is its own as after fork():
 * the things a raw clone3 gets wrong unless it is told.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgfork.h"

/* What the child found, one byte per check: 'y' or the reason it is not. */
enum { R_ERR, R_CGROUP, R_HOME, R_BORN, R_KILL, R_ROBUST, R_N };

static char	cgdir[PATH_MAX];	/* the test's cgroup, full path */
static char	cgname[PATH_MAX];	/* as /proc/PID/cgroup shows it */
static char	owncg[PATH_MAX];	/* the test's own, there */

/* Our own cgroup v2 path ("0::PATH") and the v2 mount, from /proc; a
   cgroup to make below ours. */
static bool
find_own_cgroup(char *own, size_t olen, char *dir, size_t len, char *name,
    size_t nlen)
{
	char	 line[PATH_MAX + 64], mnt[PATH_MAX], root[PATH_MAX];
	FILE	*f;
	bool	 found = false;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "0::", 3) == 0)
			snprintf(own, olen, "%.*s",
			    (int)strcspn(line + 3, "\n"), line + 3);
	fclose(f);
	if (own[0] == '\0' || (f = fopen("/proc/self/mountinfo", "re")) ==
	    NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, " - cgroup2 ") != NULL && sscanf(line,
		    "%*s %*s %*s %4095s %4095s", root, mnt) == 2 &&
		    strcmp(root, "/") == 0;
	fclose(f);
	return found &&
	    snprintf(name, nlen, "%s%scgfork-%ld", own,
		strcmp(own, "/") == 0 ? "" : "/", (long)getpid()) <
		(int)nlen &&
	    snprintf(dir, len, "%s%s", mnt, name) < (int)len;
}

static void
setup(void)
{
	if (!find_own_cgroup(owncg, sizeof(owncg), cgdir, sizeof(cgdir),
	    cgname, sizeof(cgname)))
		cr_skip_test("no cgroup v2 hierarchy mounted at its root");
	if (mkdir(cgdir, 0755) == -1)
		cr_skip_test("cannot make a cgroup at %s: %s", cgdir,
		    strerror(errno));
}

/* A reaped child may leave its cgroup a moment later (EBUSY). */
static void
teardown(void)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	if (cgdir[0] == '\0')
		return;
	for (int i = 0; i < 100 && rmdir(cgdir) == -1 && errno == EBUSY; i++)
		(void)nanosleep(&pause, NULL);
}

static pthread_t		main_thread;
static volatile sig_atomic_t	signalled;

static void
on_usr1(int sig)
{
	(void)sig;
	signalled = 1;
}

static void *
signal_main(void *arg)
{
	*(int *)arg = pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

/* Whether this process's cgroup is name. */
static bool
in_cgroup(const char *name)
{
	char	buf[4096], want[PATH_MAX + 8];
	int	fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t	n;

	if (fd == -1)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "0::%s\n", name);
	return strstr(buf, want) != NULL;
}

/* In the child: each check's answer into r. */
static void
child_checks(char r[R_N], int err, void *parent_robust)
{
	struct sigaction	sa = { .sa_handler = on_usr1 };
	pthread_t		t;
	int			kill_rc = -1;
	void			*head = NULL;
	size_t			len = 0;

	r[R_ERR] = err == 0 ? 'y' : 'e';
	r[R_CGROUP] = in_cgroup(cgname) ? 'y' : 'n';
	r[R_HOME] = in_cgroup(owncg) ? 'y' : 'n';
	r[R_BORN] = cgfork_born() ? 'y' : 'n';
	/* glibc's record of our thread id: a raw clone leaves the parent's,
	   and pthread_kill from another thread then misses (ESRCH). */
	main_thread = pthread_self();
	if (sigaction(SIGUSR1, &sa, NULL) == 0 &&
	    pthread_create(&t, NULL, signal_main, &kill_rc) == 0)
		(void)pthread_join(t, NULL);
	r[R_KILL] = kill_rc == 0 && signalled ? 'y' : 'n';
	r[R_ROBUST] = syscall(SYS_get_robust_list, 0, &head, &len) == 0 &&
	    head == parent_robust ? 'y' : 'n';
}

/*
 * cgfork is for a single-threaded caller, as the arbiter is; Criterion's
 * test process has threads of its own.  So a helper made by glibc's fork
 * (single-threaded, its locks reset) calls it, and exits with 0 once its
 * child has written what it found to fd out.
 */
static void __attribute__((noreturn))
helper(int dirfd, int out)
{
	void	*robust = NULL;
	size_t	 len;
	int	 err = -1, status;
	pid_t	 pid;

	if (syscall(SYS_get_robust_list, 0, &robust, &len) == -1)
		_exit(2);
	if ((pid = cgfork(dirfd, &err)) == -1)
		_exit(3);
	if (pid == 0) {
		char c[R_N];

		child_checks(c, err, robust);
		_exit(write(out, c, R_N) == R_N ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		_exit(4);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 5);
}

/* cgfork into dirfd; what its child found. */
static void
fork_and_check(int dirfd, char r[R_N])
{
	int	p[2], status;
	pid_t	pid;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0)
		helper(dirfd, p[1]);
	(void)close(p[1]);
	cr_assert_eq(read(p[0], r, R_N), R_N, "the child said nothing");
	(void)close(p[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the helper: status 0x%x", status);
}

/* The same, into the test's cgroup. */
static void
fork_into_cgroup(char r[R_N])
{
	int dirfd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	cr_assert_neq(dirfd, -1);
	fork_and_check(dirfd, r);
	(void)close(dirfd);
}

TestSuite(cgfork, .init = setup, .fini = teardown, .timeout = 10);

Test(cgfork, the_child_is_born_in_its_cgroup)
{
	char r[R_N];

	/* clone3 with a size too small: EINVAL where there is one. */
	if (syscall(SYS_clone3, NULL, (size_t)0) == -1 && errno == ENOSYS)
		cr_skip_test("no clone3 here: the fallback's tests stand");
	fork_into_cgroup(r);
	cr_assert_eq(r[R_BORN], 'y', "forked, then moved: clone3 unused");
	cr_assert_eq(r[R_ERR], 'y', "the child could not join");
	cr_assert_eq(r[R_CGROUP], 'y', "the child is not in %s", cgname);
	cr_assert_eq(r[R_HOME], 'n');
}

Test(cgfork, the_childs_thread_state_is_its_own)
{
	char r[R_N];

	fork_into_cgroup(r);
	cr_assert_eq(r[R_KILL], 'y', "pthread_kill to the child's main "
	    "thread missed: glibc has the parent's thread id");
	cr_assert_eq(r[R_ROBUST], 'y', "no robust list in the child");
}

Test(cgfork, no_cgroup_is_a_plain_fork)
{
	char	r[R_N];

	fork_and_check(-1, r);
	cr_assert_eq(r[R_ERR], 'y');
	cr_assert_eq(r[R_HOME], 'y', "moved though no cgroup was given");
	cr_assert_eq(r[R_BORN], 'n');
	cr_assert_eq(r[R_KILL], 'y');
}

Test(cgfork, a_directory_that_is_no_cgroup_is_told)
{
	char	tmp[] = "/tmp/cgfork-XXXXXX", r[R_N];
	int	dirfd;

	cr_assert_not_null(mkdtemp(tmp));
	dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_neq(dirfd, -1);
	fork_and_check(dirfd, r);
	(void)close(dirfd);
	(void)rmdir(tmp);
	cr_assert_eq(r[R_ERR], 'e', "joining a plain directory succeeded");
	cr_assert_eq(r[R_HOME], 'y', "the child is not where its parent is");
	cr_assert_eq(r[R_BORN], 'n');
	cr_assert_eq(r[R_KILL], 'y');
}
