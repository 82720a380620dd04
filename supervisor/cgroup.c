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

#include "cgroup.h"
#include "log.h"
#include "loop.h"

#define CG_NAME_MAX	96
#define CG_MAX		65536	/* worker cgroups we track, at most */
#define ARBITER_LEAF	"arbiter"
#define SENTINEL_LEAF	"sentinel"
#define STALE_AFTER_S	10	/* a subtree younger may be being made */
#define PROCS_READ_MAX	(1 << 20)	/* of a cgroup.procs, in bytes */

struct cg {
	pid_t	cg_pid;			/* 0: its worker was reaped */
	int	cg_wd;			/* its inotify watch, or -1 */
	char	cg_name[CG_NAME_MAX];
};

static char	 top[PATH_MAX];		/* D: where poold started */
static char	 base[PATH_MAX];	/* D/poold-PID */
static int	 basefd = -1;
static struct cg *cgs;
static size_t	 ncgs;
static unsigned	 seq;
static char	 prepared[CG_NAME_MAX];	/* between cg_prepare and _started */
/* cgroup.events of the cgroups whose worker ended but which are not
   empty yet (kill_mode = process, or a SIGKILL still on its way): the
   kernel says when they change, and they are removed once empty. */
static struct ev_source	 events = { .es_fd = -1 };

static void	leave(void);

/* -- files ------------------------------------------------------------------ */

/* Write text to dir/name (relative to dirfd); 0 or -1 with errno. */
static int
put(int dirfd, const char *name, const char *text)
{
	ssize_t	n, len = (ssize_t)strlen(text);
	int	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC), e;

	if (fd == -1)
		return -1;
	n = write(fd, text, (size_t)len);
	e = errno;
	(void)close(fd);
	errno = e;
	return n == len ? 0 : -1;
}

/* Read dir/name into buf (a NUL-terminated prefix); bytes, or -1. */
static ssize_t
get(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t	n;
	int	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	n = read(fd, buf, len - 1);
	(void)close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The value after "key " on a line of text, or -1. */
static long long
keyed(const char *text, const char *key)
{
	size_t		 k = strlen(key);
	const char	*p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, k) == 0 && p[k] == ' ')
			return strtoll(p + k + 1, NULL, 10);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

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
	(void)put(dirfd, kill_path, "1");
	for (int i = 0; i < 100; i++) {
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		snprintf(kill_path, sizeof(kill_path), "%s/cgroup.events",
		    name);
		if (errno != EBUSY || (get(dirfd, kill_path, ev, sizeof(ev))
		    > 0 && keyed(ev, "populated") == 0 && i > 2))
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
	if (get(AT_FDCWD, path, ev, sizeof(ev)) == -1)
		return errno != ENOENT;
	return keyed(ev, "populated") != 0;
}

/*
 * A poold's subtree is stale when neither its arbiter nor its sentinel
 * is in it any more, and it is not one being made right now (its leaf
 * is filled a moment after it appears).  A pid would not do: in PID
 * namespaces they repeat, and poolds in several of them share D.
 */
static bool
stale(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == -1 || time(NULL) - st.st_ctime < STALE_AFTER_S)
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

static bool
say_none(const char *why)
{
	log_info("cgroups: %s; workers get process groups only, and a "
	    "descendant that leaves its worker's group is not contained",
	    why);
	return false;
}

static bool	 in_leaf;	/* we started in some poold's arbiter leaf */

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
		}
	}
	if (!*adopt && snprintf(base, sizeof(base), "%s/poold-%ld-%08x", top,
	    (long)getpid(), unique()) >= (int)sizeof(base))
		return -1;
	return 0;
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

bool
cg_init(bool wanted)
{
	char	pid[32];
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
			leave();
		remove_stale();
		if ((mkdir(base, 0755) == -1 && errno != EEXIST))
			return say_none("cannot make a cgroup here (no "
			    "Delegate=yes?)");
	}
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if ((basefd = open(base, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1 ||
	    (mkdirat(basefd, ARBITER_LEAF, 0755) == -1 && errno != EEXIST) ||
	    put(basefd, ARBITER_LEAF "/cgroup.procs", pid) == -1) {
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
		leave();
		if (!adopt)
			(void)rmdir(base);
		return say_none("no cgroup.kill (Linux 5.14 or later has it)");
	}
	log_info("cgroups: one per worker, under %s", base);
	return true;
}

bool
cg_enabled(void)
{
	return basefd != -1;
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
	c->cg_wd = -1;
	snprintf(c->cg_name, sizeof(c->cg_name), "%s", name);
	return c;
}

int
cg_prepare(const char *pool, unsigned slot)
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
	return fd;
}

void
cg_started(int fd, pid_t pid)
{
	if (fd == -1)
		return;
	(void)close(fd);
	if (pid <= 0 || add(pid, prepared) == NULL)
		(void)unlinkat(basefd, prepared, AT_REMOVEDIR);
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
	if (put(basefd, path, "1") == -1) {
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
	return get(basefd, path, ev, sizeof(ev)) > 0 &&
	    keyed(ev, "populated") == 1;
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

static void
on_events(struct ev_source *ev, uint32_t what)
{
	char buf[4096] __attribute__((aligned(8)));

	(void)what;
	while (read(ev->es_fd, buf, sizeof(buf)) > 0)
		;
	sweep();
}

/* Be told when c's cgroup changes (it becomes empty, say). */
static void
watch_events(struct cg *c)
{
	char path[PATH_MAX + CG_NAME_MAX + 16];

	if (events.es_fd == -1) {
		events.es_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		events.es_fn = on_events;
		if (events.es_fd == -1 || ev_watch(&events, EPOLLIN) == -1) {
			log_warn("cgroups: inotify");
			if (events.es_fd != -1)
				(void)close(events.es_fd);
			events.es_fd = -1;
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/%s/cgroup.events", base, c->cg_name);
	if ((c->cg_wd = inotify_add_watch(events.es_fd, path, IN_MODIFY)) ==
	    -1)
		log_warn("cgroups: watch %s", path);
}

void
cg_ended(pid_t pid)
{
	struct cg *c = find(pid);

	if (c == NULL)
		return;
	c->cg_pid = 0;
	if (try_remove(c))
		*c = cgs[--ncgs];
	else {
		watch_events(c);
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
	    O_RDONLY | O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL)
		return;
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
		watch_events(c);
}

void
cg_adopt_rest(void)
{
	each_worker_cg(adopt_leftover);
	sweep();
}

/* Lines in basefd's path, read to the end (at most PROCS_READ_MAX). */
static unsigned
count_lines(const char *path)
{
	char		buf[4096];
	unsigned	n = 0;
	size_t		total = 0;
	ssize_t		got;
	int		fd = openat(basefd, path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return 0;
	while (total < PROCS_READ_MAX &&
	    (got = read(fd, buf, sizeof(buf))) > 0) {
		total += (size_t)got;
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	}
	(void)close(fd);
	return n;
}

int
cg_usage(pid_t pid, uint64_t *cpu_usec, unsigned *procs)
{
	char		 path[CG_NAME_MAX + 16], buf[4096];
	struct cg	*c = find(pid);
	long long	 v;

	if (c == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/cpu.stat", c->cg_name);
	if (get(basefd, path, buf, sizeof(buf)) <= 0 ||
	    (v = keyed(buf, "usage_usec")) < 0)
		return -1;
	*cpu_usec = (uint64_t)v;
	/* pids.current needs the pids controller; cgroup.procs does not.
	   Read whole, a page at a time, up to a bound no tree reaches. */
	snprintf(path, sizeof(path), "%s/cgroup.procs", c->cg_name);
	*procs = count_lines(path);
	return 0;
}

/* -- the end ---------------------------------------------------------------- */

/* This process back to top, where poold started. */
static void
leave(void)
{
	char procs[PATH_MAX + 16], pid[32];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", top) <
	    (int)sizeof(procs) && put(AT_FDCWD, procs, pid) == -1)
		log_warn("cgroups: back to %s", top);
}

void
cg_sentinel_enter(void)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (basefd != -1 && ((mkdirat(basefd, SENTINEL_LEAF, 0755) == -1 &&
	    errno != EEXIST) || put(basefd, SENTINEL_LEAF "/cgroup.procs",
	    pid) == -1))
		log_warn("cgroups: %s/%s", base, SENTINEL_LEAF);
}

void
cg_sentinel_finish(void)
{
	if (basefd == -1)
		return;
	cg_kill_all();
	leave();
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
	/* Out of our leaf, back where we started, so that it can go. */
	leave();
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
