/* SPDX-License-Identifier: ISC */
/*
 * Forking workers.  The child runs a fixed sequence: clean signal state,
 * fds 3.. from the pool's listeners, working directory, identity, death
 * with the arbiter, environment, then the worker class's entry point.
 * The arbiter is single-threaded, so the child may allocate.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgfork.h"
#include "log.h"
#include "compat.h"
#include "confprint.h"
#include "spawn.h"
#include "scoreboard.h"
#include "worker.h"

#define CHILD_FAIL	127	/* as a shell's "could not run" */
#define ENV_EXTRA	9	/* LISTEN_FDS, _PID, _FDNAMES, POOLD_x2, NOTIFY_SOCKET,
			   WATCHDOG_x2, NULL */

extern char **environ;

typedef void (*worker_main_fn)(const struct spawn_req *, char **envp);

static void exec_main(const struct spawn_req *, char **envp);
static void http_main(const struct spawn_req *, char **envp);

/*
 * Entry points by worker class.  Built-in classes run in the forked child
 * without exec, after the same setup as any worker.
 */
static const worker_main_fn worker_mains[] = {
	[WC_EXEC] = exec_main,
	[WC_SYNC] = http_main,
	[WC_GTHREAD] = http_main,
	[WC_ASYNC] = http_main,
};

static void __attribute__((noreturn, format(printf, 1, 2)))
child_fail(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	logv(LOG_LVL_ERROR, saved, fmt, ap);
	va_end(ap);
	_exit(CHILD_FAIL);
}

void
spawn_reset_signals(void)
{
	struct sigaction	sa;
	sigset_t		none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);	/* EINVAL for
								   RT internals */
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		child_fail("sigprocmask");
}

/* Close fds lo..hi (hi -1: all above lo). */
static void
close_between(int lo, int hi)
{
#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned)lo, hi == -1 ? ~0U : (unsigned)hi, 0) == 0)
		return;
#endif
	/* Old kernels: every fd up to the limit; slow but certain. */
	long max = hi == -1 ? sysconf(_SC_OPEN_MAX) : hi + 1L;
	for (long fd = lo; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * Listeners to 3, 4, ... in config order, and extra (if not -1) to
 * extra_at above them; nothing else above stderr.  Copies go above both
 * target ranges first, so that a listener already sitting at, say, fd 4
 * is not overwritten before it is moved.
 */
static void
place(const int *fds, size_t n, int extra, int extra_at)
{
	int	top = 3 + (int)n, hi = extra != -1 && extra_at >= top ?
		    extra_at + 1 : top;
	int	tmp[SPAWN_FDS_MAX], xtmp = -1;

	if (n > SPAWN_FDS_MAX)
		child_fail("too many listeners: %zu", n);
	for (size_t i = 0; i < n; i++) {
		if ((tmp[i] = fcntl(fds[i], F_DUPFD, hi)) == -1)
			child_fail("fcntl(F_DUPFD)");
	}
	if (extra != -1 && (xtmp = fcntl(extra, F_DUPFD, hi)) == -1)
		child_fail("fcntl(F_DUPFD)");
	for (size_t i = 0; i < n; i++) {
		/* dup2 onto a different fd always clears FD_CLOEXEC. */
		if (dup2(tmp[i], 3 + (int)i) == -1)
			child_fail("dup2");
	}
	if (xtmp != -1 && dup2(xtmp, extra_at) == -1)
		child_fail("dup2");
	if (xtmp != -1 && extra_at > top)
		close_between(top, extra_at - 1);
	close_between(hi, -1);
}

static void
place_fds(const struct spawn_req *r)
{
	int at = r->sr_conf->pc_ready_fd;

	/* ready = fd: the pipe at notification_fd, above the listeners
	   (conf.c checks the file's; systemd's may be more). */
	if (r->sr_ready_fd != -1 && at < 3 + (int)r->sr_nfds)
		child_fail("pool %s: notification_fd %d is among the %zu "
		    "listening sockets at 3..", r->sr_conf->pc_name, at,
		    r->sr_nfds);
	place(r->sr_fds, r->sr_nfds, r->sr_ready_fd, at);
}

void
spawn_place_fds(const int *fds, size_t n)
{
	place(fds, n, -1, -1);
}

void
spawn_drop_privileges(const struct pool_conf *pc)
{
	if (geteuid() != 0 || (pc->pc_user == NULL && pc->pc_group == NULL))
		return;
	if (pc->pc_user != NULL) {
		if (initgroups(pc->pc_user, pc->pc_gid) == -1)
			child_fail("initgroups %s", pc->pc_user);
	} else if (setgroups(1, &pc->pc_gid) == -1)
		child_fail("setgroups");
	if (setgid(pc->pc_gid) == -1)
		child_fail("setgid %u", (unsigned)pc->pc_gid);
	if (pc->pc_user != NULL && setuid(pc->pc_uid) == -1)
		child_fail("setuid %s", pc->pc_user);
}

/*
 * Set after dropping privileges, because a credential change clears it,
 * then check the parent: the arbiter may have died before this point.
 */
static void
die_with_parent(pid_t arbiter)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		child_fail("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != arbiter)
		_exit(CHILD_FAIL);
}

/* Whether env entry e is overridden by the pool or owned by poold. */
static int
env_shadowed(const char *e, char *const *pool_env)
{
	const char *const	*owned = conf_reserved_env;
	size_t			 namelen = strcspn(e, "=");

	for (size_t i = 0; owned[i] != NULL; i++) {
		if (strncmp(e, owned[i], strlen(owned[i])) == 0)
			return 1;
	}
	for (char *const *p = pool_env; p && *p; p++) {
		if (strncmp(*p, e, namelen) == 0 && (*p)[namelen] == '=')
			return 1;
	}
	return 0;
}

static char *
env_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
env_fmt(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc == -1)
		child_fail("out of memory");
	return s;
}

/* poold's environment, the pool's entries, then the activation set;
   *ours the index of the first entry that is not poold's own. */
static char **
build_env(const struct spawn_req *r, size_t *ours)
{
	const struct pool_conf	 *pc = r->sr_conf;
	size_t			  n = 0, npool = 0, k = 0;
	char			**env;

	while (environ[n] != NULL)
		n++;
	while (pc->pc_env && pc->pc_env[npool] != NULL)
		npool++;
	if ((env = calloc(n + npool + ENV_EXTRA + compat_count(pc->pc_compat,
	    r->sr_nfds), sizeof(*env))) == NULL)
		child_fail("out of memory");
	for (size_t i = 0; i < n; i++) {
		/* What poold's own environment says for a launcher the pool
		   imitates is not this pool's: that launcher's, if any. */
		if (!env_shadowed(environ[i], pc->pc_env) &&
		    !compat_sets(pc->pc_compat, environ[i]))
			env[k++] = environ[i];
	}
	*ours = k;
	for (size_t i = 0; i < npool; i++)
		env[k++] = pc->pc_env[i];
	env[k++] = env_fmt("LISTEN_FDS=%zu", r->sr_nfds);
	env[k++] = env_fmt("LISTEN_PID=%ld", (long)getpid());
	env[k++] = env_fmt("LISTEN_FDNAMES=%s", r->sr_fdnames);
	env[k++] = env_fmt("POOLD_POOL=%s", pc->pc_name);
	env[k++] = env_fmt("POOLD_WORKER_ID=%u", r->sr_slot);
	if (r->sr_notify != NULL)
		env[k++] = env_fmt("NOTIFY_SOCKET=%s", r->sr_notify);
	if (pc->pc_timeout_ms != 0) {
		env[k++] = env_fmt("WATCHDOG_USEC=%llu",
		    (unsigned long long)pc->pc_timeout_ms * 1000);
		env[k++] = env_fmt("WATCHDOG_PID=%ld", (long)getpid());
	}
	if (compat_env(pc->pc_compat, r->sr_fds, r->sr_nfds, r->sr_einhorn,
	    env, &k) == -1)
		child_fail("out of memory");
	env[k] = NULL;
	return env;
}

static void
exec_main(const struct spawn_req *r, char **envp)
{
	execve(r->sr_conf->pc_exec_path, r->sr_conf->pc_argv, envp);
	child_fail("pool %s: worker %u: exec %s", r->sr_conf->pc_name,
	    r->sr_slot, r->sr_conf->pc_exec_path);
}

static void
http_main(const struct spawn_req *r, char **envp)
{
	const struct pool_conf	*pc = r->sr_conf;
	struct http_worker_conf	 wc = {
		.hw_class = pc->pc_class == WC_ASYNC ? HW_ASYNC :
		    pc->pc_class == WC_GTHREAD ? HW_GTHREAD : HW_SYNC,
		.hw_threads = (unsigned)pc->pc_threads,
		.hw_nfds = r->sr_nfds,
		.hw_slot = r->sr_slot,
		.hw_pool = pc->pc_name,
		.hw_keepalive_ms = pc->pc_keepalive_ms,
		.hw_read_ms = pc->pc_read_timeout_ms,
		.hw_connections = pc->pc_worker_connections,
		.hw_root = pc->pc_root,
		.hw_access_log = r->sr_access_log,
		.hw_access_format = r->sr_access_format,
		.hw_access_json = r->sr_log_json,
		.hw_debug = log_debugging() ? log_debug : NULL,
		.hw_board = sb_entry(r->sr_board),
		.hw_group = sb_group(r->sr_group),
		.hw_app = pc->pc_app,
		.hw_app_arg = pc->pc_app_arg,
		.hw_max_requests = pc->pc_max_requests,
		.hw_max_requests_jitter = pc->pc_max_requests_jitter,
		.hw_notify = r->sr_notify,
		.hw_limits = {
			.hl_line = pc->pc_limit_line,
			.hl_fields = pc->pc_limit_fields,
			.hl_field_size = pc->pc_limit_field_size,
			.hl_body = pc->pc_limit_body,
		},
	};

	(void)envp;	/* a built-in worker keeps poold's environment, */
	/* but systemd's notify socket and watchdog are the arbiter's. */
	if (unsetenv("NOTIFY_SOCKET") == -1 || unsetenv("WATCHDOG_USEC") == -1 ||
	    unsetenv("WATCHDOG_PID") == -1)
		child_fail("unsetenv");
	_exit(http_worker_run(&wc));
}

/* Append w to buf as a shell would read it back, as far as it fits. */
static void
append_word(char *buf, size_t len, size_t *n, const char *w)
{
	bool quote = w[0] == '\0' || w[strcspn(w, " \t\n'\"\\$")] != '\0';
	int r;

	r = snprintf(buf + *n, len - *n, quote ? " '%s'" : " %s", w);
	if (r > 0)
		*n = *n + (size_t)r < len ? *n + (size_t)r : len - 1;
}

/*
 * --log-level debug: what this worker runs, and the environment it gets
 * beyond poold's own (from ours on), secrets masked.  Written by the
 * worker, before its output may go to the capture pipe.
 */
static void
log_spawn(const struct spawn_req *r, char *const *env, size_t ours)
{
	const struct pool_conf	*pc = r->sr_conf;
	char			 line[1900], masked[256];
	size_t			 n = 0;

	line[0] = '\0';
	if (pc->pc_class != WC_EXEC) {
		log_debug("pool %s: worker %u: built-in %s worker, in poold's "
		    "environment", pc->pc_name, r->sr_slot,
		    worker_class_name(pc->pc_class));
		return;
	}
	for (size_t i = 1; pc->pc_argv[i] != NULL; i++)
		append_word(line, sizeof(line), &n, pc->pc_argv[i]);
	log_debug("pool %s: worker %u: exec %s%s", pc->pc_name, r->sr_slot,
	    pc->pc_exec_path, line);
	n = 0;
	line[0] = '\0';
	for (size_t i = ours; env[i] != NULL; i++)
		append_word(line, sizeof(line), &n, confprint_masked(env[i],
		    masked, sizeof(masked)));
	log_debug("pool %s: worker %u: environment: poold's, and%s",
	    pc->pc_name, r->sr_slot, line);
}

static void __attribute__((noreturn))
child_main(const struct spawn_req *r, pid_t arbiter, int cgerr)
{
	const struct pool_conf	*pc = r->sr_conf;
	worker_main_fn		 run = NULL;
	char			**env = NULL;
	size_t			  ours = 0;

	/* A process group of its own, which its children join: what is left
	   of the tree when it ends can be killed as one (spawn.h).  Its
	   cgroup, which they cannot leave, it is in already (cgfork). */
	if (setpgid(0, 0) == -1)
		child_fail("setpgid");
	/* Not fatal: the process group still holds what stays in it. */
	if (cgerr != 0)
		dprintf(STDERR_FILENO, "poold worker: joining its cgroup: %s; "
		    "it runs in the arbiter's\n", strerror(cgerr));
	spawn_reset_signals();
	/* A built-in worker keeps poold's environment (http_main): no
	   activation set to build, in pages the fork has just shared, on
	   the way from a worker's death to its replacement's first accept. */
	if (pc->pc_class == WC_EXEC)
		env = build_env(r, &ours);
	if (log_debugging())
		log_spawn(r, env, ours);
	/* capture_output: stdout and stderr to the arbiter's pipe (whose
	   own copy closes with the rest, above the listeners). */
	if (r->sr_capture_fd != -1 && (dup2(r->sr_capture_fd, STDOUT_FILENO)
	    == -1 || dup2(r->sr_capture_fd, STDERR_FILENO) == -1))
		child_fail("dup2");
	place_fds(r);
	if (pc->pc_chdir != NULL && chdir(pc->pc_chdir) == -1)
		child_fail("chdir %s", pc->pc_chdir);
	if (pc->pc_umask != -1)
		(void)umask((mode_t)pc->pc_umask);
	spawn_drop_privileges(pc);
	/* No setuid binary or file capability can give them back. */
	if (pc->pc_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		child_fail("prctl(PR_SET_NO_NEW_PRIVS)");
	die_with_parent(arbiter);
	if ((size_t)pc->pc_class < sizeof(worker_mains) / sizeof(*worker_mains))
		run = worker_mains[pc->pc_class];
	if (run == NULL)
		child_fail("worker class %s is not built in",
		    worker_class_name(pc->pc_class));
	run(r, env);
	_exit(CHILD_FAIL);
}

int
spawn_pipe(int *wr, const char *what)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", what);
		return -1;
	}
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1) {
		log_warn("%s: pipe", what);
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	*wr = p[1];
	return p[0];
}

pid_t
spawn_worker(const struct spawn_req *r)
{
	pid_t	arbiter = getpid(), pid;
	int	cgerr = 0;

	pid = cgfork(r->sr_cgroup, &cgerr);
	if (pid == -1) {
		log_error("pool %s: fork for worker %u", r->sr_conf->pc_name,
		    r->sr_slot);
		return -1;
	}
	if (pid == 0)
		child_main(r, arbiter, cgerr);
	/* Both sides, so that the group exists before either goes on; the
	   child may have exec'd already (EACCES): then it has done it. */
	if (setpgid(pid, pid) == -1 && errno != EACCES && errno != ESRCH)
		log_warn("pool %s: setpgid for worker %u", r->sr_conf->pc_name,
		    r->sr_slot);
	return pid;
}

int
proc_kill_group(pid_t pid)
{
	if (kill(-pid, SIGKILL) == 0)
		return 1;
	if (errno == ESRCH)
		return 0;
	log_warn("kill process group %ld", (long)pid);
	return -1;
}

bool
proc_group_alive(pid_t pid)
{
	return kill(-pid, 0) == 0 || errno == EPERM;
}

int
proc_signal(pid_t pid, int sig)
{
	if (kill(pid, sig) == -1) {
		log_warn("kill %ld", (long)pid);
		return -1;
	}
	return 0;
}

pid_t
spawn_named_cgfork(const char *name, int cgdir, int *cgerr)
{
	char	own[17] = "";
	pid_t	pid;
	int	e;

	/* The name is set in the parent and inherited: a child named after
	   the fork would show as "poold" for a moment, like a worker. */
	if (prctl(PR_GET_NAME, own) == -1 || prctl(PR_SET_NAME, name) == -1)
		return cgfork(cgdir, cgerr);
	pid = cgfork(cgdir, cgerr);
	e = errno;
	if (pid != 0)
		(void)prctl(PR_SET_NAME, own);
	errno = e;
	return pid;
}

pid_t
spawn_named_fork(const char *name)
{
	int err;

	return spawn_named_cgfork(name, -1, &err);
}

void
spawn_set_umask(int mask)
{
	static int	inherited = -1;
	mode_t		old = umask(0);	/* the only way to read it */

	if (inherited == -1)
		inherited = (int)old;
	(void)umask((mode_t)(mask != -1 ? mask : inherited));
}
