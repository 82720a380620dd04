/* SPDX-License-Identifier: ISC */
/* A cgroup per worker (cgroup.h). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgres.h"
#include "cgroup.h"
#include "log.h"
#include "loop.h"

#define CG_NAME_MAX	96
#define CG_MAX		65536	/* worker cgroups we track, at most */
#define ARBITER_LEAF	"arbiter"
#define SENTINEL_LEAF	"sentinel"
#define STALE_AFTER_S	10	/* a subtree younger may be being made */

struct cg {
	pid_t		cg_pid;		/* 0: its worker was reaped */
	int		cg_wd;		/* its cgroup.events watch, or -1 */
	int		cg_mwd;		/* its memory.events watch (there is
					   a memory_high), or -1 */
	char		cg_name[CG_NAME_MAX];
};

static char	 top[PATH_MAX];		/* D: where poold started */
static char	 base[PATH_MAX];	/* D/poold-PID */
static int	 basefd = -1;
static struct cg *cgs;
static size_t	 ncgs;
static unsigned	 seq;
static char	 prepared[CG_NAME_MAX];	/* between cg_prepare and _started */
static unsigned	 ctl;		/* controllers on in workers' cgroups */
static char	 ctl_why[PATH_MAX + 96];	/* why some are not */
static bool	 watch_high;	/* the cgroup prepared has a memory_high */
static void	(*high_fn)(pid_t);
/* cgroup.events of the cgroups whose worker ended but which are not
   empty yet (kill_mode = process, or a SIGKILL still on its way): the
   kernel says when they change, and they are removed once empty. */
static struct ev_source	 events = { .es_fd = -1 };

static int	leave(void);
static void	watch(struct cg *, const char *, int *);
static void	watch_pred(void);
static void	pred_event(void);

/* -- where we are ------------------------------------------------------------ */

/* The cgroup2 mount point, and the cgroup its root is (not "/" where a
   subtree is bind-mounted, as in some containers); 0 or -1. */
static int
find_mount(char *out, size_t len, char *root, size_t rlen)
{
	char	 line[1024], mnt[PATH_MAX], r[PATH_MAX];
	FILE	*f = fopen("/proc/self/mountinfo", "re");
	int	 rc = -1;

	if (f == NULL)
		return -1;
	while (rc == -1 && fgets(line, sizeof(line), f) != NULL) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - TYPE SOURCE ... */
		if (strstr(line, " - cgroup2 ") == NULL ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", r, mnt) != 2)
			continue;
		if (snprintf(out, len, "%s", mnt) < (int)len &&
		    snprintf(root, rlen, "%s", r) < (int)rlen)
			rc = 0;
	}
	fclose(f);
	return rc;
}

/* Our cgroup's path under the mount ("0::PATH"); 0 or -1. */
static int
own_path(char *out, size_t len)
{
	char	 line[PATH_MAX + 8];
	FILE	*f = fopen("/proc/self/cgroup", "re");
	int	 rc = -1;

	if (f == NULL)
		return -1;
	while (rc == -1 && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (snprintf(out, len, "%s", line + 3) < (int)len)
			rc = 0;
	}
	fclose(f);
	return rc;
}

/* dir's last component is poold-N-X: N, else 0.  X, random, keeps
   apart the pooldS of PID namespaces, where N repeats (PID 1 in each
   container); N tells an in-place upgrade its own subtree. */
static pid_t
poold_of(const char *dir)
{
	const char	*slash = strrchr(dir, '/');
	char		*end;
	long		 n;

	if (slash == NULL || strncmp(slash + 1, "poold-", 6) != 0)
		return 0;
	n = strtol(slash + 7, &end, 10);
	return *end == '-' && n > 0 ? (pid_t)n : 0;
}

/* A random 32 bits for a subtree's name (see poold_of). */
static unsigned
unique(void)
{
	unsigned u;

	if (getrandom(&u, sizeof(u), GRND_NONBLOCK) != (ssize_t)sizeof(u))
		u = (unsigned)getpid() ^ (unsigned)time(NULL);
	return u;
}

/* Cut the last component off path, in place. */
static void
up(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash != NULL && slash != path)
		*slash = '\0';
}

/* -- removing --------------------------------------------------------------- */

/* Kill what runs in dir/name, then remove it, waiting up to a second
   for it to be empty; 0 or -1. */
static int
remove_cg(int dirfd, const char *name)
{
	char	ev[256], kill_path[CG_NAME_MAX + 16];

	snprintf(kill_path, sizeof(kill_path), "%s/cgroup.kill", name);
	(void)cgres_put(dirfd, kill_path, "1");
	for (int i = 0; i < 100; i++) {
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		snprintf(kill_path, sizeof(kill_path), "%s/cgroup.events",
		    name);
		if (errno != EBUSY || (cgres_get(dirfd, kill_path, ev, sizeof(ev))
		    > 0 && cgres_keyed(ev, "populated") == 0 && i > 2))
			break;
		(void)usleep(10000);
	}
	return -1;
}

/* Every cgroup below dir (one level, then dir itself); 0 or -1. */
static int
remove_tree(const char *dir)
{
	struct dirent	*de;
	DIR		*d = opendir(dir);
	int		 rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    remove_cg(dirfd(d), de->d_name) == -1)
			rc = -1;
	}
	closedir(d);
	if (rmdir(dir) == -1 && errno != ENOENT)
		rc = -1;
	return rc;
}

/* Whether dir/leaf has a process in it (or cannot be read). */
static bool
leaf_busy(const char *dir, const char *leaf)
{
	char	path[PATH_MAX + 32], ev[256];

	snprintf(path, sizeof(path), "%s/%s/cgroup.events", dir, leaf);
	if (cgres_get(AT_FDCWD, path, ev, sizeof(ev)) == -1)
		return errno != ENOENT;
	return cgres_keyed(ev, "populated") != 0;
}

/*
 * A poold's subtree is stale when neither its arbiter nor its sentinel
 * is in it any more, and it is not one being made right now (its leaf
 * is filled a moment after it appears): its mtime, which cgroupfs sets
 * when it is made and does not change after, is older than
 * STALE_AFTER_S.  A pid would not do: in PID namespaces they
 * repeat, and poolds in several of them share D.
 */
static bool
stale(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == -1 || time(NULL) - st.st_mtime < STALE_AFTER_S)
		return false;
	return !leaf_busy(dir, ARBITER_LEAF) && !leaf_busy(dir, SENTINEL_LEAF);
}

/* The subtrees under top of pooldS that are gone (a crash, a SIGKILL
   whose sentinel could not finish): killed and removed. */
static void
remove_stale(void)
{
	char		 path[PATH_MAX];
	struct dirent	*de;
	DIR		*d = opendir(top);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || snprintf(path, sizeof(path),
		    "%s/%s", top, de->d_name) >= (int)sizeof(path) ||
		    poold_of(path) == 0 || !stale(path))
			continue;
		if (remove_tree(path) == 0)
			log_info("cgroups: removed %s, left by a poold that is "
			    "gone", path);
		else
			log_warn("cgroups: cannot remove %s", path);
	}
	closedir(d);
}

/* -- start ------------------------------------------------------------------ */

static char	 off_why[128];	/* why there are none, once cg_init said */

static bool
say_none(const char *why)
{
	snprintf(off_why, sizeof(off_why), "%s", why);
	log_info("cgroups: %s; workers get process groups only, and a "
	    "descendant that leaves its worker's group is not contained",
	    why);
	return false;
}

static bool	 in_leaf;	/* we started in some poold's arbiter leaf */
static char	 pred[PATH_MAX];	/* that poold's subtree, not ours */
static int	 pred_wd = -1;	/* its cgroup.events watch */
static pid_t	 also = -1;	/* to bring into our leaf (cg_also) */

/* Where we are, decided: top and base, and whether base is ours already
   (an in-place upgrade kept it); -1 if no cgroup v2 hierarchy. */
static int
locate(bool *adopt)
{
	char		 mnt[PATH_MAX], own[PATH_MAX], root[PATH_MAX];
	const char	*rel;
	size_t		 rl;
	pid_t		 of;

	if (find_mount(mnt, sizeof(mnt), root, sizeof(root)) == -1 ||
	    own_path(own, sizeof(own)) == -1)
		return -1;
	/* Our cgroup below the mount's root, which is the part of the
	   hierarchy this mount shows. */
	rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (rl > 0 && (strncmp(own, root, rl) != 0 ||
	    (own[rl] != '/' && own[rl] != '\0')))
		return -1;	/* we are outside what it shows */
	rel = own + rl;
	if (snprintf(top, sizeof(top), "%s%s", mnt, strcmp(rel, "/") == 0 ?
	    "" : rel) >= (int)sizeof(top))
		return -1;
	*adopt = false;
	/* Started in a poold's arbiter leaf: ours after an in-place
	   upgrade, our predecessor's after USR2 or a guardian's fallback. */
	if (strrchr(top, '/') != NULL &&
	    strcmp(strrchr(top, '/') + 1, ARBITER_LEAF) == 0) {
		snprintf(base, sizeof(base), "%s", top);
		up(base);
		if ((of = poold_of(base)) != 0) {
			in_leaf = true;
			*adopt = of == getpid();
			snprintf(top, sizeof(top), "%s", base);
			up(top);
			if (!*adopt)
				snprintf(pred, sizeof(pred), "%s", base);
		}
	}
	if (!*adopt && snprintf(base, sizeof(base), "%s/poold-%ld-%08x", top,
	    (long)getpid(), unique()) >= (int)sizeof(base))
		return -1;
	return 0;
}

void
cg_sweep_stale(bool wanted)
{
	bool adopt;

	if (wanted && locate(&adopt) == 0 && !adopt)
		remove_stale();
}

/*
 * Under systemd (INVOCATION_ID is set for a unit's processes), the
 * unit's cgroup is ours to divide only with Delegate=yes, which systemd
 * marks with an extended attribute; without it, systemd may move our
 * processes back.  Said, not refused: where the attribute cannot be
 * read, it proves nothing.
 */
static void
warn_undelegated(void)
{
	char v[8];

	if (getenv("INVOCATION_ID") == NULL ||
	    getxattr(top, "trusted.delegate", v, sizeof(v)) >= 0 ||
	    getxattr(top, "user.delegate", v, sizeof(v)) >= 0 ||
	    errno != ENODATA)
		return;
	log_warnx("cgroups: %s is not delegated to poold: set Delegate=yes "
	    "in its unit (the shipped ones have it)", top);
}

/* What each missing controller turns off. */
static const char *
needs(unsigned missing)
{
	switch (missing & CGR_ALL) {
	case CGR_MEMORY:
		return "memory_high, memory_max and memory accounting are off";
	case CGR_PIDS:
		return "tasks_max is off";
	case CGR_ALL:
		return "memory_high, memory_max, tasks_max and memory "
		    "accounting are off";
	}
	return "";
}

/*
 * The memory and pids controllers for the workers' cgroups, where D
 * offers them: enabled in D's cgroup.subtree_control, then in ours.  D
 * must hold no process for that (the no-internal-process rule): under
 * systemd with Delegate=yes it holds none once the arbiter is in its
 * leaf; a login session's, with the shell in it, does, and they stay
 * off.  What is missing is said once, and why.
 */
static void
controllers(void)
{
	char		names[32];
	unsigned	offered, had, missing;
	int		topfd = open(top, O_DIRECTORY | O_RDONLY | O_CLOEXEC), e = 0;

	offered = topfd == -1 ? 0 : cgres_controllers(topfd);
	had = topfd == -1 ? 0 : cgres_enabled(topfd);
	if ((offered & ~had) != 0 && cgres_enable(topfd, offered & ~had) == -1)
		e = errno;
	if (topfd != -1) {
		/* Ours to turn off when the last poold leaves D. */
		if ((cgres_enabled(topfd) & ~had) != 0)
			cgres_mark(topfd, cgres_ours(topfd) |
			    (cgres_enabled(topfd) & ~had));
		(void)close(topfd);
	}
	(void)cgres_enable(basefd, cgres_controllers(basefd) &
	    ~cgres_enabled(basefd));
	ctl = cgres_enabled(basefd);
	if ((missing = CGR_ALL & ~ctl) == 0)
		return;
	cgres_names(missing, names, sizeof(names));
	if ((missing & ~offered) != 0)
		snprintf(ctl_why, sizeof(ctl_why), "%s not in %s/"
		    "cgroup.controllers", names, top);
	else
		snprintf(ctl_why, sizeof(ctl_why), "%s cannot be enabled in "
		    "%s: %s", names, top, e == EBUSY ? "other processes are in "
		    "it" : strerror(e));
	log_info("cgroups: %s: %s", ctl_why, needs(missing));
}

bool
cg_init(bool wanted)
{
	char	pid[32], names[32];
	bool	adopt;

	if (!wanted)
		return say_none("off (cgroups = false)");
	if (locate(&adopt) == -1)
		return say_none("no cgroup v2 hierarchy");
	warn_undelegated();
	if (!adopt) {
		/* Out of a predecessor's leaf first (USR2, or a guardian's
		   fallback): its subtree may be stale, and go now. */
		if (in_leaf)
			(void)leave();
		remove_stale();
		if ((mkdir(base, 0755) == -1 && errno != EEXIST))
			return say_none("cannot make a cgroup here (no "
			    "Delegate=yes?)");
		/* Times set once are kept with the cgroup (else cgroupfs
		   makes them up again whenever it reloads the inode), and
		   from then on each cgroup made or removed in it moves its
		   mtime: what stale() reads. */
		if (utimensat(AT_FDCWD, base, NULL, 0) == -1)
			log_warn("cgroups: %s", base);
	}
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if ((basefd = open(base, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1 ||
	    (mkdirat(basefd, ARBITER_LEAF, 0755) == -1 && errno != EEXIST) ||
	    cgres_put(basefd, ARBITER_LEAF "/cgroup.procs", pid) == -1) {
		log_warn("cgroups: %s", base);
		if (basefd != -1)
			(void)close(basefd);
		basefd = -1;
		if (!adopt)
			(void)rmdir(base);
		return say_none("cannot use them");
	}
	/* cgroup.kill (Linux 5.14) is what kills a tree whole. */
	if (faccessat(basefd, "cgroup.kill", W_OK, 0) == -1) {
		(void)close(basefd);
		basefd = -1;
		(void)leave();
		if (!adopt)
			(void)rmdir(base);
		return say_none("no cgroup.kill (Linux 5.14 or later has it)");
	}
	/* The -D first parent, still in D until it has reported the start:
	   with it there, no controller could be turned on in D. */
	if (also > 0) {
		snprintf(pid, sizeof(pid), "%ld", (long)also);
		if (cgres_put(basefd, ARBITER_LEAF "/cgroup.procs", pid) == -1)
			log_debug("cgroups: moving pid %s: %s", pid,
			    strerror(errno));
	}
	/* After an in-place upgrade they are on already, unless the program
	   before did not turn them on. */
	controllers();
	if (pred[0] != '\0')
		watch_pred();
	log_info("cgroups: one per worker, under %s (controllers: %s)", base,
	    cgres_names(ctl, names, sizeof(names)));
	return true;
}

void
cg_also(pid_t pid)
{
	also = pid;
}

bool
cg_enabled(void)
{
	return basefd != -1;
}

unsigned
cg_available(bool wanted, const char **why)
{
	static char	 guess[PATH_MAX + 96];
	char		 names[32];
	unsigned	 offered;
	bool		 adopt;
	int		 fd;

	*why = NULL;
	if (basefd != -1) {
		*why = ctl != CGR_ALL ? ctl_why : NULL;
		return ctl;
	}
	if (off_why[0] != '\0') {
		*why = off_why;
		return 0;
	}
	/* Before cg_init: what D offers.  Whether it can be turned on
	   there is known only by trying. */
	if (!wanted)
		*why = "cgroups = false";
	else if (locate(&adopt) == -1)
		*why = "no cgroup v2 hierarchy";
	else if ((fd = open(top, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1)
		*why = "its cgroup cannot be read";
	else {
		offered = cgres_controllers(fd);
		(void)close(fd);
		if ((offered & CGR_ALL) != CGR_ALL)
			snprintf(guess, sizeof(guess), "%s not in %s/"
			    "cgroup.controllers", cgres_names(CGR_ALL &
			    ~offered, names, sizeof(names)), top);
		*why = (offered & CGR_ALL) != CGR_ALL ? guess : NULL;
		return offered & CGR_ALL;
	}
	return 0;
}

const char *
cg_path(void)
{
	return basefd != -1 ? base : NULL;
}

void
cg_on_memory_high(void (*fn)(pid_t))
{
	high_fn = fn;
}

/* -- workers ---------------------------------------------------------------- */

static struct cg *
find(pid_t pid)
{
	for (size_t i = 0; pid > 0 && i < ncgs; i++)
		if (cgs[i].cg_pid == pid)
			return &cgs[i];
	return NULL;
}

static struct cg *
add(pid_t pid, const char *name)
{
	struct cg *c;

	if (ncgs == CG_MAX)
		return NULL;
	if ((c = realloc(cgs, (ncgs + 1) * sizeof(*cgs))) == NULL)
		return NULL;
	cgs = c;
	c = &cgs[ncgs++];
	c->cg_pid = pid;
	c->cg_wd = c->cg_mwd = -1;
	snprintf(c->cg_name, sizeof(c->cg_name), "%s", name);
	return c;
}

/* Set l in the cgroup at fd; said if it cannot be. */
static void
limit(int fd, const struct cg_limits *l)
{
	static const struct cg_limits	 none;
	const char			*failed;

	if (cgres_apply(fd, l != NULL ? l : &none, ctl, &failed) == -1)
		log_warn("cgroups: %s/%s/%s", base, prepared, failed);
	watch_high = l != NULL && l->cl_memory_high > 0 && (ctl & CGR_MEMORY);
}

int
cg_prepare(const char *pool, unsigned slot, const struct cg_limits *l)
{
	char	safe[48];
	size_t	i;
	int	fd, rc = -1;

	if (basefd == -1)
		return -1;
	/* Pool names are the admin's: keep them readable, never a path. */
	for (i = 0; pool[i] != '\0' && i < sizeof(safe) - 1; i++)
		safe[i] = isalnum((unsigned char)pool[i]) || pool[i] == '-' ||
		    pool[i] == '_' ? pool[i] : '_';
	safe[i] = '\0';
	/* A name taken already (after an in-place upgrade our count starts
	   again, beside the adopted workers' cgroups): the next. */
	for (int tries = 0; tries < 64; tries++) {
		snprintf(prepared, sizeof(prepared), "%s.%u.%u", safe, slot,
		    ++seq);
		if ((rc = mkdirat(basefd, prepared, 0755)) == 0 ||
		    errno != EEXIST)
			break;
	}
	if (rc == -1 || (fd = openat(basefd, prepared, O_DIRECTORY |
	    O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("cgroups: %s/%s", base, prepared);
		if (rc == 0)
			(void)unlinkat(basefd, prepared, AT_REMOVEDIR);
		return -1;
	}
	limit(fd, l);
	return fd;
}

void
cg_started(int fd, pid_t pid)
{
	struct cg *c;

	if (fd == -1)
		return;
	(void)close(fd);
	if (pid <= 0 || (c = add(pid, prepared)) == NULL)
		(void)unlinkat(basefd, prepared, AT_REMOVEDIR);
	else if (watch_high)
		watch(c, "memory.events", &c->cg_mwd);
}

void
cg_adopt(pid_t pid)
{
	char	path[64], line[PATH_MAX + 8], *name;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if (basefd == -1 || (f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) == 0 &&
		    (name = strrchr(line, '/')) != NULL &&
		    strcmp(name + 1, ARBITER_LEAF) != 0)
			(void)add(pid, name + 1);
	}
	fclose(f);
}

int
cg_kill(pid_t pid)
{
	char		 path[CG_NAME_MAX + 16];
	struct cg	*c = find(pid);

	if (c == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", c->cg_name);
	if (cgres_put(basefd, path, "1") == -1) {
		log_warn("cgroups: %s/%s", base, path);
		return 0;
	}
	return 1;
}

bool
cg_populated(pid_t pid)
{
	char		 path[CG_NAME_MAX + 16], ev[256];
	struct cg	*c = find(pid);

	if (c == NULL)
		return false;
	snprintf(path, sizeof(path), "%s/cgroup.events", c->cg_name);
	return cgres_get(basefd, path, ev, sizeof(ev)) > 0 &&
	    cgres_keyed(ev, "populated") == 1;
}

/* Remove c's cgroup if empty: true when it is gone (and its watch). */
static bool
try_remove(struct cg *c)
{
	if (unlinkat(basefd, c->cg_name, AT_REMOVEDIR) == 0 ||
	    errno == ENOENT) {
		if (c->cg_wd != -1 && events.es_fd != -1)
			(void)inotify_rm_watch(events.es_fd, c->cg_wd);
		c->cg_wd = -1;
		return true;
	}
	if (errno != EBUSY)
		log_warn("cgroups: remove %s/%s", base, c->cg_name);
	return errno != EBUSY;
}

/* Every ended worker's cgroup that is empty now goes. */
static void
sweep(void)
{
	for (size_t i = 0; i < ncgs; ) {
		if (cgs[i].cg_pid == 0 && try_remove(&cgs[i]))
			cgs[i] = cgs[--ncgs];
		else
			i++;
	}
}

/* The worker whose memory.events watch is wd crossed memory_high, if
   its count of crossings went up: said once, then the watch goes (a
   tree over memory.high changes the file at each reclaim). */
static void
memory_event(int wd)
{
	struct cg_counts	cc;
	struct cg		*c = NULL;
	int			fd;

	for (size_t i = 0; c == NULL && i < ncgs; i++)
		if (cgs[i].cg_mwd == wd && wd != -1)
			c = &cgs[i];
	if (c == NULL || c->cg_pid == 0 || (fd = openat(basefd, c->cg_name,
	    O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1)
		return;
	cgres_counts(fd, &cc);
	(void)close(fd);
	if (cc.cc_high == 0)
		return;
	(void)inotify_rm_watch(events.es_fd, c->cg_mwd);
	c->cg_mwd = -1;
	if (high_fn != NULL)
		high_fn(c->cg_pid);
}

static void
on_events(struct ev_source *ev, uint32_t what)
{
	char	buf[4096] __attribute__((aligned(__alignof__(struct
		    inotify_event))));
	const struct inotify_event *ie;
	ssize_t	n;

	(void)what;
	while ((n = read(ev->es_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t at = 0; at + (ssize_t)sizeof(*ie) <= n;
		    at += (ssize_t)(sizeof(*ie) + ie->len)) {
			ie = (const struct inotify_event *)(buf + at);
			if (ie->mask & IN_Q_OVERFLOW) {
				/* Lost which: look at them all. */
				for (size_t i = 0; i < ncgs; i++)
					memory_event(cgs[i].cg_mwd);
				if (pred_wd != -1)
					pred_event();
			} else if (ie->wd == pred_wd && pred_wd != -1)
				pred_event();
			else
				memory_event(ie->wd);
		}
	}
	sweep();
}

/* An inotify watch of path's changes, in the loop; -1 if none. */
static int
add_watch(const char *path)
{
	int wd;

	if (events.es_fd == -1) {
		events.es_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		events.es_fn = on_events;
		if (events.es_fd == -1 || ev_watch(&events, EPOLLIN) == -1) {
			log_warn("cgroups: inotify");
			if (events.es_fd != -1)
				(void)close(events.es_fd);
			events.es_fd = -1;
			return -1;
		}
	}
	if ((wd = inotify_add_watch(events.es_fd, path, IN_MODIFY)) == -1)
		log_warn("cgroups: watch %s", path);
	return wd;
}

/* Be told when c's file name changes (cgroup.events: it becomes empty;
   memory.events: it crosses memory.high); its watch at *wd. */
static void
watch(struct cg *c, const char *name, int *wd)
{
	char path[PATH_MAX + CG_NAME_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s/%s", base, c->cg_name, name);
	*wd = add_watch(path);
}

/*
 * The poold we started in the leaf of (a USR2 predecessor, or the new
 * program a guardian replaced): once nothing of it is left, its subtree
 * goes.  It cannot always remove it itself: with controllers on in D, a
 * process may not move back there while our subtree uses them.
 */
static void
pred_event(void)
{
	char	path[PATH_MAX + 32], ev[256];
	bool	gone;

	snprintf(path, sizeof(path), "%s/cgroup.events", pred);
	if (cgres_get(AT_FDCWD, path, ev, sizeof(ev)) > 0) {
		if (cgres_keyed(ev, "populated") != 0)
			return;
		gone = false;
	} else
		gone = errno == ENOENT;	/* its sentinel removed it */
	if (pred_wd != -1 && events.es_fd != -1)
		(void)inotify_rm_watch(events.es_fd, pred_wd);
	pred_wd = -1;
	if (!gone && remove_tree(pred) == 0)
		log_info("cgroups: removed %s, our predecessor's", pred);
	pred[0] = '\0';
}

static void
watch_pred(void)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup.events", pred);
	if ((pred_wd = add_watch(path)) != -1)
		pred_event();	/* it may be gone already */
}

void
cg_counts(pid_t pid, struct cg_counts *cc)
{
	struct cg	*c = find(pid);
	int		 fd;

	memset(cc, 0, sizeof(*cc));
	if (c != NULL && (fd = openat(basefd, c->cg_name, O_DIRECTORY |
	    O_RDONLY | O_CLOEXEC)) != -1) {
		cgres_counts(fd, cc);
		(void)close(fd);
	}
}

void
cg_ended(pid_t pid)
{
	struct cg *c = find(pid);

	if (c == NULL)
		return;
	c->cg_pid = 0;
	if (c->cg_mwd != -1 && events.es_fd != -1)
		(void)inotify_rm_watch(events.es_fd, c->cg_mwd);
	c->cg_mwd = -1;
	if (try_remove(c))
		*c = cgs[--ncgs];
	else {
		watch(c, "cgroup.events", &c->cg_wd);
		/* It may have emptied between the two. */
		sweep();
	}
}

/* Call fn with each worker cgroup's name in the subtree (its leaves
   left out).  A directory of its own, not a dup of basefd: a dup shares
   the offset, which a listing leaves at the end for whoever reads next. */
static void
each_worker_cg(void (*fn)(const char *))
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	if (basefd == -1 || (fd = openat(basefd, ".", O_DIRECTORY |
	    O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    strcmp(de->d_name, ARBITER_LEAF) != 0 &&
		    strcmp(de->d_name, SENTINEL_LEAF) != 0)
			fn(de->d_name);
	}
	closedir(d);
}

/* Whether name is one of ours (tracked). */
static bool
tracked(const char *name)
{
	for (size_t i = 0; i < ncgs; i++)
		if (strcmp(cgs[i].cg_name, name) == 0)
			return true;
	return false;
}

/* A cgroup left by the previous program, not one of our workers': it
   goes once empty. */
static void
adopt_leftover(const char *name)
{
	struct cg *c;

	if (tracked(name) || (c = add(0, name)) == NULL)
		return;
	if (!try_remove(c))
		watch(c, "cgroup.events", &c->cg_wd);
}

void
cg_adopt_rest(void)
{
	each_worker_cg(adopt_leftover);
	sweep();
}

int
cg_usage(pid_t pid, struct cg_usage *u)
{
	struct cg	*c = find(pid);
	int		 fd, rc;

	if (c == NULL || (fd = openat(basefd, c->cg_name, O_DIRECTORY |
	    O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = cgres_usage(fd, u);
	(void)close(fd);
	return rc;
}

/* -- the end ---------------------------------------------------------------- */

/* This process back to top, where poold started; 0 or -1. */
static int
leave(void)
{
	char procs[PATH_MAX + 16], pid[32];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", top) >=
	    (int)sizeof(procs) || cgres_put(AT_FDCWD, procs, pid) == -1) {
		log_debug("cgroups: back to %s: %s", top, strerror(errno));
		return -1;
	}
	return 0;
}

static bool	 left;		/* cg_leave() is done */

bool
cg_leave(void)
{
	unsigned	ours;
	int		topfd;

	if (basefd == -1 || left)
		return true;
	if (leave() == 0)
		return left = true;
	/* D has controllers on, beside which no process may be.  Those a
	   poold turned on go off again (refused while another poold's
	   subtree, a USR2 successor's, uses them: its last one to leave
	   does it); those that were on before stay. */
	if (errno != EBUSY ||
	    (topfd = open(top, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	if ((ours = cgres_ours(topfd)) != 0) {
		(void)cgres_disable(basefd, ctl);
		if (cgres_disable(topfd, ours) == 0) {
			cgres_mark(topfd, 0);
			left = leave() == 0;
		}
	}
	(void)close(topfd);
	return left;
}

int
cg_sentinel_dir(void)
{
	int fd;

	if (basefd == -1)
		return -1;
	if ((mkdirat(basefd, SENTINEL_LEAF, 0755) == -1 && errno != EEXIST) ||
	    (fd = openat(basefd, SENTINEL_LEAF, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("cgroups: %s/%s", base, SENTINEL_LEAF);
		return -1;
	}
	return fd;
}

void
cg_sentinel_enter(int err)
{
	if (err != 0)
		log_warnx("cgroups: the sentinel cannot join %s/%s: %s", base,
		    SENTINEL_LEAF, strerror(err));
}

void
cg_sentinel_finish(void)
{
	if (basefd == -1)
		return;
	cg_kill_all();
	(void)cg_leave();
	(void)unlinkat(basefd, SENTINEL_LEAF, AT_REMOVEDIR);
	/* A killed arbiter stays in its leaf until its parent reaps it:
	   two seconds for that, then it is the next poold's to remove. */
	for (int i = 0; i < 200; i++) {
		if (unlinkat(basefd, ARBITER_LEAF, AT_REMOVEDIR) == 0 ||
		    errno != EBUSY)
			break;
		(void)usleep(10000);
	}
	(void)rmdir(base);
}

static void
kill_one(const char *name)
{
	(void)remove_cg(basefd, name);
}

void
cg_kill_all(void)
{
	each_worker_cg(kill_one);
}

void
cg_cleanup(void)
{
	if (basefd == -1)
		return;
	/* Out of our leaf, back where we started, so that it can go; else
	   the sentinel removes it once we are gone. */
	(void)cg_leave();
	for (size_t i = 0; i < ncgs; i++)
		(void)try_remove(&cgs[i]);
	if (events.es_fd != -1)
		(void)close(events.es_fd);	/* the loop is gone already */
	events.es_fd = -1;
	(void)unlinkat(basefd, ARBITER_LEAF, AT_REMOVEDIR);
	(void)close(basefd);
	basefd = -1;
	/* Gone if the sentinel has left too; else it removes it. */
	(void)rmdir(base);
}

int
cg_fd(void)
{
	return basefd;
}

void
cg_moved(int fd)
{
	basefd = fd;
}

pid_t
cg_owner(pid_t pid)
{
	char		 path[64], line[PATH_MAX + 8], *name;
	FILE		*f;
	pid_t		 owner = 0;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if (basefd == -1 || (f = fopen(path, "re")) == NULL)
		return 0;
	while (owner == 0 && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) != 0 ||
		    (name = strrchr(line, '/')) == NULL)
			continue;
		for (size_t i = 0; i < ncgs; i++)
			if (cgs[i].cg_pid > 0 &&
			    strcmp(cgs[i].cg_name, name + 1) == 0)
				owner = cgs[i].cg_pid;
	}
	fclose(f);
	return owner;
}
