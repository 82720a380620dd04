/* SPDX-License-Identifier: ISC */
/*
 * The in-place upgrade (see inplace.h).  The state is JSON, versioned:
 *
 *   { "version": 1, "notify": FD, "previous": FD, "cwd": S, "argv": [S],
 *     "fallback": B, "guardian": FD, "sentinel": FD, "sentinel_pid": P,
 *     "sockets": [ { "fd": N, "name": S } ],
 *     "pools": [ { "name": S, "target": N, "workers": [ { "pid": P,
 *       "slot": N, "age_ms": N, "ready": B, "stopping_ms": N|-1,
 *       "end": S } ] } ] }
 *
 * "sockets" are the listeners and the control socket; the new program
 * matches them to its configuration as it matches sockets passed by
 * systemd or by USR2.  "previous" is the old binary, open: a new program
 * that cannot start executes it again with the same state, so that a bad
 * binary or configuration costs a restart of the workers, never the
 * workers; it runs with the old program's argv, and "fallback" keeps a
 * program that fails in its turn from going back again, without end.
 * "sentinel" and "sentinel_pid" are the sentinel's pipe and pid
 * (sentinel.h): the same sentinel watches the new program.
 * "guardian" is the write end of the pipe to the guardian (guardian.h),
 * which the new program closes with a word once every worker is its own:
 * a crash before that brings the previous binary back from there.  Ages
 * are relative, as each program has its own clock origin only in
 * principle, and a worker's age must survive.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arbiter.h"
#include "conf.h"
#include "control.h"
#include "guardian.h"
#include "loop.h"
#include "inplace.h"
#include "listeners.h"
#include "log.h"
#include "manager.h"
#include "metrics.h"
#include "workernotify.h"
#include "pool.h"
#include "readyfd.h"
#include "einhorn.h"
#include "reexec.h"
#include "sentinel.h"
#include "spawn.h"
#include "usr2.h"

#define ENV_STATE	"POOLD_STATE_FD"
#define STATE_VERSION	INPLACE_STATE_VERSION
#define STATE_MAX	(16 << 20)	/* bytes of state we read, at most */

static json_t	*carried;	/* the state, until inplace_adopt() */
static uint64_t	 adopted_at;	/* when it was, for the guardian's bound */
/* What the previous program had counted: status goes on from there. */
static uint64_t	 carried_uptime;
static unsigned	 carried_reloads;
static int	 state_fd = -1;	/* kept for inplace_fallback() */
static int	 previous_fd = -1;


/* -- checking the new binary -------------------------------------------- */

/* What the check printed, within the deadline. */
static void
read_output(int fd, char *buf, size_t len, uint64_t deadline)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	size_t		got = 0;
	ssize_t		n;

	while (got + 1 < len) {
		uint64_t now = ev_now_ms();
		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) != 1)
			break;
		if ((n = read(fd, buf + got, len - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
}

int
inplace_check(const char *path, char *err, size_t len)
{
	char		 out[1024], want[32];
	int		 p[2], status = 0;
	pid_t		 pid;
	uint64_t	 deadline = ev_now_ms() + INPLACE_CHECK_MS;

	if (access(path, X_OK) == -1) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, len, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = reexec_probe(path, reexec_argv(), reexec_cwd(), p[1]);
	(void)close(p[1]);
	if (pid == -1) {
		(void)close(p[0]);
		snprintf(err, len, "fork: %s", strerror(errno));
		return -1;
	}
	/* Bounded: the arbiter waits here at most INPLACE_CHECK_MS. */
	read_output(p[0], out, sizeof(out), deadline);
	(void)close(p[0]);
	switch (reexec_probe_wait(pid, deadline, &status)) {
	case -1:
		snprintf(err, len, "%s --check-config did not finish in %d s",
		    path, INPLACE_CHECK_MS / 1000);
		return -1;
	case -2:
		snprintf(err, len, "%s --check-config: waitpid: %s", path,
		    strerror(errno));
		return -1;
	}
	/* Exit 0 is not enough (/bin/true has it): the binary must say it
	   takes our state, on a line of its own. */
	snprintf(want, sizeof(want), "\n" INPLACE_STATE_LINE "\n",
	    STATE_VERSION);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    strstr(out, want) != NULL)
		return 0;
	out[strcspn(out, "\n")] = '\0';	/* its first line says why */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(err, len, "%s does not take over a running poold in "
		    "place (it says: %s)", path, *out ? out : "nothing");
		return -1;
	}
	snprintf(err, len, "%s --check-config failed: %s", path,
	    *out ? out : "no reason given");
	return -1;
}

void
inplace_probe_answer(void)
{
	if (getenv(REEXEC_PROBE_ENV) != NULL)
		printf(INPLACE_STATE_LINE "\n", STATE_VERSION);
}

/* -- carrying the state --------------------------------------------------- */

static json_t *
workers_json(const struct pool *p, uint64_t now)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < p->p_nw; i++) {
		const struct worker *w = &p->p_w[i];
		json_t *o = json_pack("{s:I, s:I, s:I, s:b, s:I, s:s}",
		    "pid", (json_int_t)w->w_pid, "slot", (json_int_t)w->w_slot,
		    "age_ms", (json_int_t)(now - w->w_started),
		    "ready", pool_worker_ready(p, w, now),
		    "stopping_ms", w->w_state == WS_RUNNING ? (json_int_t)-1 :
		    (json_int_t)(w->w_deadline > now ? w->w_deadline - now : 0),
		    "end", end_name(w->w_end));
		/* ready = fd, not ready yet: its pipe goes along. */
		if (o != NULL && readyfd_fd(w->w_pid) != -1)
			json_object_set_new(o, "ready_fd", json_integer(
			    readyfd_fd(w->w_pid)));
		if (o == NULL || json_array_append_new(a, o) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
state_json(uint64_t now)
{
	json_t *st, *socks = json_array(), *pools = json_array();

	for (size_t i = 0; socks != NULL && i < listeners_count(); i++)
		json_array_append_new(socks, json_pack("{s:i, s:s}", "fd",
		    listeners_fd(i), "name", listeners_name(i)));
	if (socks != NULL && control_fd() != -1)
		json_array_append_new(socks, json_pack("{s:i, s:s}", "fd",
		    control_fd(), "name", "control"));
	if (socks != NULL && metrics_fd() != -1)
		json_array_append_new(socks, json_pack("{s:i, s:s}", "fd",
		    metrics_fd(), "name", "metrics"));
	for (size_t i = 0; pools != NULL && i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);
		json_array_append_new(pools, json_pack("{s:s, s:i, s:I, s:o*}",
		    "name", p->p_name, "target", p->p_target, "generation",
		    (json_int_t)p->p_gen, "workers", workers_json(p, now)));
	}
	json_t *argv = json_array();
	for (char *const *a = reexec_argv(); argv != NULL && *a != NULL; a++)
		json_array_append_new(argv, json_string(*a));
	st = json_pack("{s:I, s:I, s:i, s:i, s:i, s:s, s:o*, s:o*, s:o*, s:b, "
	    "s:i, s:I}", "uptime_ms", (json_int_t)arbiter_uptime_ms(),
	    "reloads", (json_int_t)arbiter_generation(),
	    "version", STATE_VERSION, "notify", notify_fd(),
	    "einhorn", einhorn_fd(), "cwd",
	    reexec_cwd(), "sockets", socks, "pools", pools, "argv", argv,
	    "fallback", 0, "sentinel", sentinel_fd(), "sentinel_pid",
	    (json_int_t)sentinel_pid());
	return st;
}

/* Every fd we carry: inheritable across exec, or close-on-exec again. */
static int
carry_fds(const json_t *st, int memfd, int prev, bool carry)
{
	json_t	*s;
	size_t	 i;
	int	 rc = 0, flag = carry ? 0 : FD_CLOEXEC;

	json_array_foreach(json_object_get(st, "sockets"), i, s) {
		if (fcntl((int)json_integer_value(json_object_get(s, "fd")),
		    F_SETFD, flag) == -1)
			rc = -1;
	}
	if ((notify_fd() != -1 && fcntl(notify_fd(), F_SETFD, flag) == -1) ||
	    (einhorn_fd() != -1 && fcntl(einhorn_fd(), F_SETFD, flag) == -1) ||
	    fcntl(memfd, F_SETFD, flag) == -1 ||
	    (prev != -1 && fcntl(prev, F_SETFD, flag) == -1) ||
	    (guardian_fd() != -1 && fcntl(guardian_fd(), F_SETFD, flag) == -1) ||
	    (sentinel_fd() != -1 && fcntl(sentinel_fd(), F_SETFD, flag) == -1) ||
	    readyfd_carry(carry) == -1)
		rc = -1;
	return rc;
}

static int
write_state(const json_t *st, char *err, size_t len)
{
	char	*text = json_dumps(st, JSON_COMPACT);
	size_t	 n, done = 0;
	ssize_t	 w;
	int	 fd;

	if (text == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	n = strlen(text);
	if ((fd = memfd_create("poold-state", MFD_CLOEXEC)) == -1) {
		snprintf(err, len, "memfd_create: %s", strerror(errno));
		free(text);
		return -1;
	}
	while (done < n && (w = write(fd, text + done, n - done)) > 0)
		done += (size_t)w;
	free(text);
	if (done < n || lseek(fd, 0, SEEK_SET) == -1) {
		snprintf(err, len, "state: %s", strerror(errno));
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* The old program's argv from st, NULL-terminated, malloc'd. */
static char **
state_argv(const json_t *st)
{
	json_t	*a = json_object_get(st, "argv"), *v;
	char	**argv;
	size_t	 i, n = json_array_size(a);

	if (n == 0 || (argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return NULL;
	json_array_foreach(a, i, v) {
		if ((argv[i] = (char *)json_string_value(v)) == NULL) {
			free(argv);
			return NULL;
		}
	}
	return argv;
}

/*
 * In the guardian, the new program dead: the previous binary, in this
 * pid, with the sockets and no workers (they died with their parent),
 * marked as a fallback so that it does not go back again.
 */
static void
guardian_fallback(void *arg)
{
	json_t	 *st = arg, *p;
	char	  err[128], num[16], **argv;
	size_t	  i;
	int	  fd, prev = (int)json_integer_value(json_object_get(st,
		      "previous"));

	json_array_foreach(json_object_get(st, "pools"), i, p)
		(void)json_object_set_new(p, "workers", json_array());
	/* Neither pipe is ours: the guardian kept only the sockets. */
	(void)json_object_del(st, "guardian");
	(void)json_object_del(st, "sentinel");
	(void)json_object_del(st, "sentinel_pid");
	sentinel_forget();
	if (json_object_set_new(st, "fallback", json_true()) == -1 ||
	    (argv = state_argv(st)) == NULL)
		return;
	if ((fd = write_state(st, err, sizeof(err))) == -1) {
		log_errorx("upgrade in place: %s", err);
		free(argv);
		return;
	}
	snprintf(num, sizeof(num), "%d", fd);
	if (carry_fds(st, fd, prev, true) == 0 && setenv(ENV_STATE, num, 1) == 0)
		reexec_previous(prev, argv);
	free(argv);
}

/* The guardian keeps what the fallback needs: every socket, the notify
   socket and the previous binary. */
static int
start_guardian(json_t *st, int prev)
{
	int	 keep[SPAWN_FDS_MAX + 3], gfd;
	size_t	 n = 0, i;
	json_t	*s;

	json_array_foreach(json_object_get(st, "sockets"), i, s) {
		if (n == SPAWN_FDS_MAX) {
			errno = EMFILE;	/* a guardian short of one is none */
			return -1;
		}
		keep[n++] = (int)json_integer_value(json_object_get(s, "fd"));
	}
	if (notify_fd() != -1)
		keep[n++] = notify_fd();
	if (einhorn_fd() != -1)
		keep[n++] = einhorn_fd();
	keep[n++] = prev;
	if ((gfd = guardian_start(keep, n, guardian_fallback, st)) == -1 ||
	    json_object_set_new(st, "guardian", json_integer(gfd)) == -1)
		return -1;
	return 0;
}

/*
 * Whether this upgrade gets a guardian: only a -D daemon, which nothing
 * else watches.  Under systemd, or in the foreground under runit, s6 or
 * a shell, whoever started poold sees it die and restarts it (or not):
 * a guardian that brought it back beside them would hold the ports a
 * restarted poold needs, and outlive a unit's stop.
 */
static bool
guarded(void)
{
	if (arbiter_conf()->c_daemon && !manager_present())
		return true;
	log_info("upgrade in place: no guardian (%s): if the new binary "
	    "dies, poold is down until %s starts it", manager_present() ?
	    "under a service manager" : "not a -D daemon", manager_present() ?
	    "the service manager (Restart=)" : "its supervisor");
	return false;
}

int
inplace_exec(const char *path, char *err, size_t len)
{
	json_t	*st = state_json(ev_now_ms());
	char	 num[16];
	int	 fd = -1, prev;

	*err = '\0';
	/* Our own binary, open: the file at its path may be new by now. */
	if ((prev = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1 ||
	    st == NULL || json_object_set_new(st, "previous",
	    json_integer(prev)) == -1 || (guarded() &&
	    start_guardian(st, prev) == -1) ||
	    (fd = write_state(st, err, len)) == -1) {
		if (*err == '\0')
			snprintf(err, len, "%s: %s", st == NULL ? "state" :
			    prev == -1 ? "/proc/self/exe" : "guardian",
			    st == NULL ? "out of memory" : strerror(errno));
		guardian_dismiss();
		if (prev != -1)
			(void)close(prev);
		json_decref(st);
		return -1;
	}
	snprintf(num, sizeof(num), "%d", fd);
	log_info("upgrade in place: executing %s (pid %ld stays; guardian "
	    "pid %ld)", path, (long)getpid(), (long)guardian_pid());
	manager_reloading();
	if (carry_fds(st, fd, prev, true) == 0 &&
	    setenv(ENV_STATE, num, 1) == 0)
		reexec_inplace(path, reexec_argv());
	snprintf(err, len, "exec %s: %s", path, strerror(errno));
	(void)carry_fds(st, fd, prev, false);
	(void)unsetenv(ENV_STATE);
	(void)close(fd);
	(void)close(prev);
	json_decref(st);
	guardian_dismiss();
	manager_ready("upgrade failed, running the old binary");
	return -1;
}

/* -- in the new program --------------------------------------------------- */

static json_t *
read_state(int fd, char *err, size_t len)
{
	json_error_t	 je;
	json_t		*st;
	char		*buf;
	size_t		 got = 0;
	ssize_t		 n;

	if ((buf = malloc(STATE_MAX + 1)) == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	while (got < STATE_MAX && (n = read(fd, buf + got, STATE_MAX - got))
	    > 0)
		got += (size_t)n;
	buf[got] = '\0';
	st = json_loadb(buf, got, 0, &je);
	free(buf);
	if (st == NULL || json_integer_value(json_object_get(st,
	    "version")) != STATE_VERSION) {
		snprintf(err, len, "upgrade state: %s", st == NULL ? je.text :
		    "a version this program does not know");
		json_decref(st);
		return NULL;
	}
	return st;
}

int
inplace_load(char *err, size_t len)
{
	const char	*env = getenv(ENV_STATE);
	json_t		*st, *s;
	size_t		 i;
	char		*end;
	long		 fd;

	if (env == NULL)
		return 0;
	fd = strtol(env, &end, 10);
	if (*end != '\0' || fd < 3 || fd > 65535) {
		snprintf(err, len, "%s=%s: not a file descriptor", ENV_STATE,
		    env);
		return -1;
	}
	(void)unsetenv(ENV_STATE);
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (st = read_state((int)fd, err, len)) == NULL) {
		if (*err == '\0')
			snprintf(err, len, "%s: %s", ENV_STATE, strerror(errno));
		return -1;
	}
	state_fd = (int)fd;
	previous_fd = (int)json_integer_value(json_object_get(st, "previous"));
	if (previous_fd < 3 || fcntl(previous_fd, F_SETFD, FD_CLOEXEC) == -1)
		previous_fd = -1;
	/* Where the old program was started, for relative paths in argv. */
	if (json_string_value(json_object_get(st, "cwd")) != NULL) {
		if (chdir(json_string_value(json_object_get(st, "cwd"))) == -1)
			log_warn("upgrade state: chdir");
		/* Still where the first program started, not where -D went:
		   the next upgrade runs our argv from there too. */
		reexec_set_cwd(json_string_value(json_object_get(st, "cwd")));
	}
	json_array_foreach(json_object_get(st, "sockets"), i, s) {
		int sfd = (int)json_integer_value(json_object_get(s, "fd"));
		const char *name = json_string_value(json_object_get(s,
		    "name"));
		if (fcntl(sfd, F_SETFD, FD_CLOEXEC) == -1 ||
		    listeners_pass(sfd, name != NULL ? name : "bound") == -1) {
			snprintf(err, len, "upgrade state: socket fd %d: %s",
			    sfd, strerror(errno));
			json_decref(st);
			return -1;
		}
	}
	if (json_integer_value(json_object_get(st, "notify")) >= 3)
		notify_adopt((int)json_integer_value(json_object_get(st,
		    "notify")));
	/* Absent (0) when the previous binary had none, or predates it. */
	if (json_integer_value(json_object_get(st, "einhorn")) >= 3)
		einhorn_adopt((int)json_integer_value(json_object_get(st,
		    "einhorn")));
	if (json_integer_value(json_object_get(st, "guardian")) >= 3)
		guardian_adopt((int)json_integer_value(json_object_get(st,
		    "guardian")));
	sentinel_adopt((int)json_integer_value(json_object_get(st,
	    "sentinel")), (pid_t)json_integer_value(json_object_get(st,
	    "sentinel_pid")));
	carried = st;
	return 1;
}

bool
inplace_restoring(void)
{
	return carried != NULL;
}

/* The state again, marked as a fallback, from the start of its memfd. */
static int
rewrite_state(void)
{
	char	*text;
	size_t	 n, done = 0;
	ssize_t	 w;

	if (json_object_set_new(carried, "fallback", json_true()) == -1 ||
	    (text = json_dumps(carried, JSON_COMPACT)) == NULL)
		return -1;
	n = strlen(text);
	if (ftruncate(state_fd, 0) == -1 || lseek(state_fd, 0, SEEK_SET) == -1) {
		free(text);
		return -1;
	}
	while (done < n && (w = write(state_fd, text + done, n - done)) > 0)
		done += (size_t)w;
	free(text);
	return done == n && lseek(state_fd, 0, SEEK_SET) == 0 ? 0 : -1;
}

void
inplace_fallback(const char *why)
{
	char	  num[16];
	char	**argv;

	if (carried == NULL || previous_fd == -1 || state_fd == -1)
		return;
	if (json_is_true(json_object_get(carried, "fallback"))) {
		log_errorx("upgrade in place: the previous binary cannot start "
		    "again either (%s)", why);
		return;
	}
	log_errorx("upgrade in place: the new binary cannot start (%s); "
	    "going back to the previous one", why);
	snprintf(num, sizeof(num), "%d", state_fd);
	if ((argv = state_argv(carried)) != NULL && rewrite_state() == 0 &&
	    carry_fds(carried, state_fd, previous_fd, true) == 0 &&
	    setenv(ENV_STATE, num, 1) == 0)
		reexec_previous(previous_fd, argv);
	log_error("upgrade in place: going back");
	free(argv);
}

/* Workers of one carried pool into p; how many. */
static size_t
adopt_pool(struct pool *p, json_t *workers, uint64_t now)
{
	json_t	*w;
	size_t	 i, n = 0;

	json_array_foreach(workers, i, w) {
		json_int_t age = json_integer_value(json_object_get(w,
		    "age_ms"));
		json_int_t stop = json_integer_value(json_object_get(w,
		    "stopping_ms"));
		pid_t pid = (pid_t)json_integer_value(json_object_get(w,
		    "pid"));
		if (pid <= 0 || age < 0 || (uint64_t)age > now)
			age = 0;
		if (pid > 0 && json_integer_value(json_object_get(w,
		    "ready_fd")) >= 3)
			readyfd_adopt((int)json_integer_value(json_object_get(w,
			    "ready_fd")), pid);
		if (pid > 0 && pool_adopt(p, pid, (unsigned)json_integer_value(
		    json_object_get(w, "slot")), now - (uint64_t)age, now,
		    json_is_true(json_object_get(w, "ready")), stop >= 0,
		    now + (uint64_t)(stop > 0 ? stop : 0), end_from_name(
		    json_string_value(json_object_get(w, "end")))) == 0)
			n++;
	}
	return n;
}

void
inplace_adopt(uint64_t now)
{
	json_t	*cp;
	size_t	 i, total = 0;

	if (carried == NULL)
		return;
	json_array_foreach(json_object_get(carried, "pools"), i, cp) {
		const char *name = json_string_value(json_object_get(cp,
		    "name"));
		struct pool *p = name != NULL ? arbiter_pool_named(name) : NULL;
		json_t *workers = json_object_get(cp, "workers");

		if (p == NULL) {
			if (name == NULL ||
			    (p = arbiter_pool_removed(name)) == NULL) {
				log_errorx("upgrade in place: pool %s: out of "
				    "memory; its workers are not ours any "
				    "more", name != NULL ? name : "?");
				continue;
			}
			log_info("pool %s is gone after the upgrade: its "
			    "workers stop", name);
			total += adopt_pool(p, workers, now);
			continue;
		}
		/* Its generation goes on where it was (the restart below
		   raises it), and so do its adopted workers'. */
		p->p_gen = (unsigned)json_integer_value(json_object_get(cp,
		    "generation"));
		total += adopt_pool(p, workers, now);
		/* Its size as it was, if the configuration still allows it. */
		(void)arbiter_set_target(p, (int)json_integer_value(
		    json_object_get(cp, "target")), PT_UPGRADE, false, NULL);
		arbiter_restart(p, END_UPGRADE);
	}
	if (json_is_true(json_object_get(carried, "fallback")) && total == 0)
		log_info("back on the previous binary: starting fresh workers");
	else
		log_info("upgraded in place: adopted %zu worker(s); replacing "
		    "them", total);
	adopted_at = now;
	carried_uptime = (uint64_t)json_integer_value(json_object_get(carried,
	    "uptime_ms"));
	carried_reloads = (unsigned)json_integer_value(json_object_get(carried,
	    "reloads"));
	json_decref(carried);
	carried = NULL;
	(void)close(state_fd);
	state_fd = -1;
	if (previous_fd != -1)
		(void)close(previous_fd);
	previous_fd = -1;
}

uint64_t
inplace_uptime_ms(void)
{
	return carried_uptime;
}

bool
inplace_upgraded(void)
{
	return adopted_at != 0;
}

unsigned
inplace_reloads(void)
{
	return carried_reloads;
}

/* Every worker of every pool is of this program's making, and ready. */
static bool
all_replaced(uint64_t now)
{
	for (size_t i = 0; i < arbiter_npools(); i++) {
		const struct pool *p = arbiter_pool(i);

		if (pool_ready(p, now) < (size_t)p->p_target)
			return false;
		for (size_t j = 0; j < p->p_nw; j++) {
			if (p->p_w[j].w_gen != p->p_gen)
				return false;
		}
	}
	return true;
}

uint64_t
inplace_confirm(uint64_t now)
{
	uint64_t bound = adopted_at + INPLACE_CONFIRM_MS;

	if (!guardian_pending() || carried != NULL)
		return POOL_NEVER;
	if (all_replaced(now))
		log_info("upgrade in place: every worker runs the new binary; "
		    "the guardian of the previous one exits");
	else if (now >= bound)
		log_info("upgrade in place: the new binary has run for %d s; "
		    "the guardian of the previous one exits, though not every "
		    "worker is the new one's and ready", INPLACE_CONFIRM_MS /
		    1000);
	else
		return bound;
	guardian_dismiss();
	return POOL_NEVER;
}
