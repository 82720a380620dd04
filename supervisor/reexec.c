/* SPDX-License-Identifier: ISC */
/* The arbiter running a poold binary (reexec.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "reexec.h"
#include "spawn.h"

#define PROBE_ARGS_MAX	128

extern char **environ;

static char	 start_exe[PATH_MAX];	/* our binary, as started */
static char	 start_cwd[PATH_MAX];
static char	*const *start_argv;

void
reexec_init(char *const argv[])
{
	ssize_t n;

	start_argv = argv;
	/* The path, not the open file: a package upgrade replaces the file
	   at that path, and the new one is what an upgrade is for. */
	n = readlink("/proc/self/exe", start_exe, sizeof(start_exe) - 1);
	if (n <= 0)
		start_exe[0] = '\0';
	else
		start_exe[n] = '\0';
	if (getcwd(start_cwd, sizeof(start_cwd)) == NULL)
		snprintf(start_cwd, sizeof(start_cwd), "/");
}

const char *
reexec_exe(void)
{
	return start_exe[0] != '\0' ? start_exe : NULL;
}

char *const *
reexec_argv(void)
{
	return start_argv;
}

const char *
reexec_cwd(void)
{
	return start_cwd;
}

void
reexec_set_cwd(const char *dir)
{
	snprintf(start_cwd, sizeof(start_cwd), "%s", dir);
}

static void __attribute__((noreturn))
probe_child(const char *path, char *const *args, const char *cwd, int out)
{
	const char	*argv[PROBE_ARGS_MAX];
	size_t		 n = 0;

	/* --check-config first: after a `-- COMMAND` it would be the
	   command's argument, and the check would start a second arbiter. */
	argv[n++] = path;
	argv[n++] = "--check-config";
	for (size_t i = 1; args[i] != NULL && n < PROBE_ARGS_MAX - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (dup2(out, STDOUT_FILENO) == -1 || dup2(out, STDERR_FILENO) == -1 ||
	    chdir(cwd) == -1 || setenv(REEXEC_PROBE_ENV, "1", 1) == -1)
		_exit(127);
	execv(path, (char *const *)argv);
	dprintf(STDERR_FILENO, "exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

pid_t
reexec_probe(const char *path, char *const *args, const char *cwd, int out)
{
	pid_t pid = fork();

	if (pid == 0)
		probe_child(path, args, cwd, out);
	return pid;
}

int
reexec_probe_wait(pid_t pid, uint64_t deadline, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) == 0 &&
	    ev_now_ms() < deadline)
		(void)poll(NULL, 0, 10);
	if (r == pid)
		return 0;
	if (r == -1)
		return -2;	/* not ours to wait for: nothing to kill */
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, status, 0);
	return -1;
}

static void __attribute__((noreturn))
successor_child(const char *exe, char *const *args, const char *cwd,
    const int *fds, size_t n, const char *names, const char *env_from,
    pid_t parent)
{
	char buf[64];

	spawn_reset_signals();
	spawn_place_fds(fds, n);
	snprintf(buf, sizeof(buf), "%zu", n);
	if (setenv("LISTEN_FDS", buf, 1) == -1 ||
	    setenv("LISTEN_FDNAMES", names, 1) == -1)
		_exit(127);
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	if (setenv("LISTEN_PID", buf, 1) == -1)
		_exit(127);
	snprintf(buf, sizeof(buf), "%ld", (long)parent);
	if (setenv(env_from, buf, 1) == -1 || chdir(cwd) == -1)
		_exit(127);
	execv(exe, args);
	log_error("upgrade: exec %s", exe);
	_exit(127);
}

pid_t
reexec_successor(const int *fds, size_t n, const char *names,
    const char *env_from)
{
	pid_t parent = getpid(), pid;

	if (start_exe[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	pid = fork();

	/* Not a worker: it keeps our environment and gets no PDEATHSIG,
	   since it must outlive us. */
	if (pid == 0)
		successor_child(start_exe, start_argv, start_cwd, fds, n,
		    names, env_from, parent);
	return pid;
}

void
reexec_inplace(const char *path, char *const *argv)
{
	execv(path, argv);
}

void
reexec_previous(int fd, char *const *argv)
{
	fexecve(fd, argv, environ);
}
