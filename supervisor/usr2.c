/* SPDX-License-Identifier: ISC */
/*
 * USR2 (see usr2.h): what the new arbiter is handed, the pidfile's
 * dance, and taking everything back if it fails.  The fork and exec are
 * reexec.c's.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "listeners.h"
#include "log.h"
#include "metrics.h"
#include "pidfile.h"
#include "reexec.h"
#include "spawn.h"
#include "usr2.h"

#define ENV_FROM	"POOLD_UPGRADE_FROM"

static bool	 successor;
static pid_t	 from;		/* the arbiter that started us by USR2 */
static pid_t	 child;
static char	 pidfile[PATH_MAX];	/* "" when there is none */
static char	 oldbin[PATH_MAX + 8];

void
usr2_init(void)
{
	const char *pred = getenv(ENV_FROM);

	successor = pred != NULL;
	if (successor) {
		from = (pid_t)strtol(pred, NULL, 10);
		if (unsetenv(ENV_FROM) == -1)
			log_warn("unsetenv");
	}
}

bool
usr2_predecessor_alive(void)
{
	return successor && from > 0 && getppid() == from;
}

bool
usr2_is_successor(void)
{
	return successor;
}

pid_t
usr2_child(void)
{
	return child;
}

/* Append word to s (of size cap, k bytes used), colon-separated. */
static size_t
append(char *s, size_t cap, size_t k, const char *word)
{
	int n = snprintf(s + k, cap - k, "%s%s", k > 0 ? ":" : "", word);

	return n > 0 && (size_t)n < cap - k ? k + (size_t)n : k;
}

/* LISTEN_FDNAMES for what we hand over: the listeners, then control
   and metrics when there are. */
static char *
fd_names(size_t n, bool with_control, bool with_metrics)
{
	size_t	 len = sizeof(":control:metrics"), k = 0;
	char	*s;

	for (size_t i = 0; i < n; i++)
		len += strlen(listeners_name(i)) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		k = append(s, len, k, listeners_name(i));
	if (with_control)
		k = append(s, len, k, "control");
	if (with_metrics)
		(void)append(s, len, k, "metrics");
	return s;
}

int
usr2_start(const char *pf, char *err, size_t len)
{
	int	 fds[SPAWN_FDS_MAX];
	size_t	 n = listeners_count();
	char	*names;
	bool	 ctl = control_fd() != -1, met = metrics_fd() != -1;

	if (child != 0) {
		snprintf(err, len, "an upgrade is in progress (new arbiter pid "
		    "%ld); refused", (long)child);
		return -1;
	}
	/* One handover at a time in the whole family: a third arbiter
	   would take the listeners and overwrite PIDFILE.oldbin while the
	   first still serves. */
	if (usr2_predecessor_alive()) {
		snprintf(err, len, "an upgrade is in progress (the old arbiter, "
		    "pid %ld, still runs: WINCH and TERM it first); refused",
		    (long)from);
		return -1;
	}
	if (reexec_exe() == NULL || n + ctl + met > SPAWN_FDS_MAX) {
		snprintf(err, len, "cannot tell which binary to start");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fds[i] = listeners_fd(i);
	if (ctl)
		fds[n] = control_fd();
	if (met)
		fds[n + ctl] = metrics_fd();
	if ((names = fd_names(n, ctl, met)) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	snprintf(pidfile, sizeof(pidfile), "%s", pf != NULL ? pf : "");
	snprintf(oldbin, sizeof(oldbin), "%s.oldbin", pidfile);
	if (pidfile[0] != '\0' && rename(pidfile, oldbin) == -1) {
		snprintf(err, len, "rename %s: %s", pidfile, strerror(errno));
		free(names);
		return -1;
	}
	child = reexec_successor(fds, n + ctl + met, names, ENV_FROM);
	free(names);
	if (child == -1) {
		child = 0;
		snprintf(err, len, "fork: %s", strerror(errno));
		if (pidfile[0] != '\0' && rename(oldbin, pidfile) == -1)
			log_warn("rename %s", oldbin);
		return -1;
	}
	listeners_handed_over(true);
	control_handover(true);
	metrics_handover(true);
	log_info("upgrade: new arbiter started (pid %ld) from %s; send it "
	    "nothing until it serves, then WINCH and TERM to pid %ld",
	    (long)child, reexec_exe(), (long)getpid());
	return 0;
}

bool
usr2_reaped(pid_t pid, int status)
{
	if (child == 0 || pid != child)
		return false;
	child = 0;
	listeners_handed_over(false);
	control_handover(false);
	metrics_handover(false);
	if (pidfile[0] != '\0' && rename(oldbin, pidfile) == -1)
		log_warn("rename %s back", oldbin);
	/* Said once it is so: the pidfile is ours again. */
	log_errorx("upgrade: the new arbiter (pid %ld) ended (%s %d); "
	    "serving on as before", (long)pid, WIFSIGNALED(status) ?
	    "signal" : "exit code", WIFSIGNALED(status) ? WTERMSIG(status) :
	    WEXITSTATUS(status));
	return true;
}

void
usr2_cleanup(void)
{
	if (pidfile[0] != '\0')
		pidfile_remove(oldbin);
}
