/*
 * The notify socket poold offers its workers (see workernotify.h); the
 * messages are parsed by proto/notifymsg.c.  Reading is bounded per wakeup so that a flood of
 * datagrams cannot starve the rest of the loop; a message larger than
 * NOTIFY_MSG_MAX is refused whole, as systemd refuses it; descriptors
 * passed along (FDSTORE=1 and the like) are closed at once, since poold
 * keeps none for its workers.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "log.h"
#include "loglimit.h"
#include "notifymsg.h"
#include "workernotify.h"

#define NOTIFY_BURST	64	/* datagrams per wakeup */
#define STALE_LOOKS	256	/* sockets looked at for staleness, at most */
#define NOTIFY_FDS_MAX	253	/* SCM_MAX_FD */

static struct {
	struct ev_source	n_ev;
	char			n_addr[sizeof(((struct sockaddr_un *)0)->sun_path)
				    + 1];
	struct notify_stats	n_stats;
	bool			n_watched;
	bool			n_file;		/* n_addr is a path we remove */
	notify_deliver_fn	n_deliver;
	/* Anyone who can reach the socket can send; counted, not each
	   logged. */
	struct log_limit	n_log_refused, n_log_dropped;
} ns = { .n_ev = { .es_fd = -1 } };

/* Close every fd that came with the message. */
static void
close_passed(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			(void)close(fd);
		}
	}
}

static const struct ucred *
sender(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
			return (const struct ucred *)(void *)CMSG_DATA(c);
	}
	return NULL;
}

/* One datagram; false when there is none left. */
static bool
read_one(void)
{
	char			 buf[NOTIFY_MSG_MAX];
	union {
		struct cmsghdr	 align;
		char		 b[CMSG_SPACE(sizeof(struct ucred)) +
				    CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
	}			 cbuf;
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &cbuf, .msg_controllen = sizeof(cbuf),
	};
	const struct ucred	*uc;
	struct notify_msg	 m;
	ssize_t			 n;

	n = recvmsg(ns.n_ev.es_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC |
	    MSG_TRUNC);
	if (n == -1) {
		if (errno == EINTR)
			return true;
		if (errno != EAGAIN)
			log_warn("notify socket");
		return false;
	}
	close_passed(&mh);
	uc = sender(&mh);
	if (uc == NULL || (mh.msg_flags & MSG_TRUNC) || n > (ssize_t)sizeof(buf)) {
		ns.n_stats.ns_refused++;
		log_limited(&ns.n_log_refused, LOG_LVL_DEBUG, "notify: "
		    "refused a message of %zd bytes%s", n, uc == NULL ?
		    " without credentials" : "");
		return true;
	}
	notify_parse(buf, (size_t)n, &m);
	if (ns.n_deliver(uc->pid, &m) == -1) {
		ns.n_stats.ns_dropped++;
		log_limited(&ns.n_log_dropped, LOG_LVL_DEBUG, "notify: "
		    "dropped a message from pid %ld, not a worker",
		    (long)uc->pid);
	} else
		ns.n_stats.ns_received++;
	return true;
}

static void
on_readable(struct ev_source *ev, uint32_t events)
{
	(void)ev;
	(void)events;
	for (int i = 0; i < NOTIFY_BURST && read_one(); i++)
		continue;
}

static int	adopted = -1;	/* kept across an in-place upgrade */

void
notify_adopt(int fd)
{
	adopted = fd;
}

int
notify_fd(void)
{
	return ns.n_ev.es_fd;
}

/*
 * Where a path socket goes: the service's runtime directory
 * ($RUNTIME_DIRECTORY, from RuntimeDirectory=), else /run/poold for root;
 * NULL if neither (a user's $XDG_RUNTIME_DIR is removed at logout, under
 * a poold that may live on: abstract is safer there).
 */
static const char *
runtime_dir(char *buf, size_t len)
{
	const char *d = getenv("RUNTIME_DIRECTORY");

	if (d != NULL && d[0] == '/') {
		/* Several are separated by ':'; the first is ours. */
		snprintf(buf, len, "%.*s", (int)strcspn(d, ":"), d);
		return buf;
	}
	return geteuid() == 0 ? NOTIFY_RUN_DIR : NULL;
}

/*
 * Notify sockets in dir that nobody is bound to any more: those of
 * pooldS killed before they could remove theirs (kill -9, a crash).  A
 * datagram socket with no owner refuses a connect; one with an owner
 * (another poold, in this or another PID namespace) takes it.
 */
static void
sweep_stale(const char *dir)
{
	struct sockaddr_un	 sa = { .sun_family = AF_UNIX };
	struct dirent		*de;
	DIR			*d = opendir(dir);
	int			 fd, looked = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && looked < STALE_LOOKS) {
		if (strncmp(de->d_name, "notify-", 7) != 0 ||
		    de->d_type != DT_SOCK || (size_t)snprintf(sa.sun_path,
		    sizeof(sa.sun_path), "%s/%s", dir, de->d_name) >=
		    sizeof(sa.sun_path))
			continue;
		looked++;
		if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) ==
		    -1)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
		    errno == ECONNREFUSED && unlink(sa.sun_path) == 0)
			log_debug("notify socket: removed %s, left by a poold "
			    "that is gone", sa.sun_path);
		(void)close(fd);
	}
	closedir(d);
}

/*
 * A socket file, as systemd's /run/systemd/notify: NOTIFY_SOCKET a path,
 * which clients that cannot use abstract addresses reach too (Ruby's
 * sd_notify, for one).  Its name is this arbiter's (pid and a random
 * part: several poolds share the directory, PID namespaces repeat pids);
 * mode 0666, so that workers running as another user can send, as they
 * can to an abstract socket.  The sweep and the bind hold the
 * directory's lock: a socket another poold is binding right now (its
 * file made, not yet its name) would look dead to a sweep.  0; 1 if it
 * cannot be (said): the caller falls back to an abstract name.
 */
static int
bind_path(int fd, struct sockaddr_un *sa)
{
	char		 dbuf[sizeof(sa->sun_path)];
	const char	*dir = runtime_dir(dbuf, sizeof(dbuf));
	unsigned	 r;
	int		 dfd = -1, rc = 1;

	if (dir == NULL)
		return 1;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)time(NULL) ^ (unsigned)getpid();
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path),
	    "%s/notify-%ld-%08x.sock", dir, (long)getpid(), r) >=
	    sizeof(sa->sun_path)) {
		log_info("notify socket: %s is too long a directory for a "
		    "socket's path; the notify socket is abstract", dir);
		return 1;
	}
	/* Others may pass through to the socket, not list the directory
	   (chmod: the umask may have taken more). */
	if (strcmp(dir, NOTIFY_RUN_DIR) == 0 && mkdir(dir, 0711) == 0 &&
	    chmod(dir, 0711) == -1)
		log_warn("notify socket directory %s", dir);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(dfd, LOCK_EX) == -1)
		goto out;
	sweep_stale(dir);
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) == -1)
		goto out;
	if (chmod(sa->sun_path, 0666) == -1) {
		(void)unlink(sa->sun_path);	/* ours: bound just now */
		goto out;
	}
	rc = 0;
out:
	if (rc == 1)
		log_warn("notify socket in %s; it is abstract", dir);
	if (dfd != -1)
		(void)close(dfd);	/* and its lock */
	return rc;
}

/* The address workers are given, from the bound socket: "@name" for an
   abstract one, else its path (ours to remove at the end). */
static int
name_it(int fd)
{
	struct sockaddr_un	sa;
	socklen_t		sl = sizeof(sa);
	size_t			n;

	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	if (sl <= offsetof(struct sockaddr_un, sun_path) + 1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	n = sl - offsetof(struct sockaddr_un, sun_path);
	if (sa.sun_path[0] == '\0') {
		ns.n_addr[0] = '@';
		memcpy(ns.n_addr + 1, sa.sun_path + 1, n - 1);
		ns.n_addr[n] = '\0';
	} else {
		memcpy(ns.n_addr, sa.sun_path, n);
		ns.n_addr[n] = '\0';	/* n counts its NUL, if any */
		ns.n_file = true;
	}
	return 0;
}

int
notify_open(bool abstract, char *err, size_t len)
{
	struct sockaddr_un	sa = { .sun_family = AF_UNIX };
	int			fd, one = 1, rc = 1;

	if ((fd = adopted) != -1) {
		/* Our own socket before exec: workers know its name. */
		adopted = -1;
		ns.n_ev.es_fd = fd;
		ns.n_ev.es_fn = on_readable;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
			goto fail;
	} else {
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1)
			goto fail;
		ns.n_ev.es_fd = fd;
		ns.n_ev.es_fn = on_readable;
		if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
		    sizeof(one)) == -1)
			goto fail;
		if (!abstract)
			rc = bind_path(fd, &sa);
		/* Else a name from the kernel (autobind), which nobody can
		   have taken before us, in the abstract namespace: no file,
		   and reachable whatever the worker's user. */
		if (rc == 1 && bind(fd, (struct sockaddr *)&sa,
		    sizeof(sa_family_t)) == -1)
			goto fail;
	}
	if (name_it(fd) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, len, "notify socket: %s", strerror(errno));
	notify_close();
	return -1;
}

/*
 * Before a worker's start: a socket file something removed under us (a
 * /run cleaner, systemd removing a runtime directory) is made again at
 * the same path, with a new socket, so that new workers and old ones
 * (sd_notify sends by path each time) reach poold again.  One lstat per
 * spawn, nothing while idle.
 */
void
notify_check(void)
{
	struct sockaddr_un	sa = { .sun_family = AF_UNIX };
	struct stat		st;
	size_t			len = strlen(ns.n_addr);
	int			fd, one = 1;

	if (!ns.n_file || len >= sizeof(sa.sun_path) ||
	    lstat(ns.n_addr, &st) == 0 || errno != ENOENT)
		return;
	log_warnx("notify socket %s was removed; making it again", ns.n_addr);
	memcpy(sa.sun_path, ns.n_addr, len + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)) == -1 || bind(fd, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1 || chmod(sa.sun_path, 0666) == -1) {
		log_warn("notify socket %s", ns.n_addr);
		if (fd != -1)
			(void)close(fd);
		return;
	}
	if (ns.n_watched)
		ev_unwatch(&ns.n_ev);
	(void)close(ns.n_ev.es_fd);
	ns.n_ev.es_fd = fd;
	if (ns.n_watched && ev_watch(&ns.n_ev, EPOLLIN) == -1) {
		log_warn("notify socket");
		ns.n_watched = false;
	}
}

bool
notify_reachable_by(uid_t uid, gid_t gid)
{
	char		 dir[sizeof(ns.n_addr)];
	struct stat	 st;
	const char	*slash;

	if (!ns.n_file || uid == geteuid() || uid == 0)
		return true;
	/* The directory it is in must let the worker through (the socket
	   itself is 0666); the ones above are the admin's to open. */
	slash = strrchr(ns.n_addr, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - ns.n_addr),
	    ns.n_addr);
	if (slash == ns.n_addr || stat(dir, &st) == -1)
		return true;
	if (st.st_uid == uid)
		return (st.st_mode & S_IXUSR) != 0;
	if (st.st_gid == gid)
		return (st.st_mode & S_IXGRP) != 0;
	return (st.st_mode & S_IXOTH) != 0;
}

int
notify_start(notify_deliver_fn deliver)
{
	ns.n_deliver = deliver;
	if (ns.n_ev.es_fd == -1)
		return 0;
	if (ev_watch(&ns.n_ev, EPOLLIN) == -1)
		return -1;
	ns.n_watched = true;
	return 0;
}

const char *
notify_address(void)
{
	return ns.n_ev.es_fd == -1 ? NULL : ns.n_addr;
}

const struct notify_stats *
notify_stats(void)
{
	return &ns.n_stats;
}

void
notify_keep_file(void)
{
	ns.n_file = false;
}

void
notify_close(void)
{
	if (ns.n_ev.es_fd == -1)
		return;
	if (ns.n_watched)
		ev_unwatch(&ns.n_ev);
	(void)close(ns.n_ev.es_fd);
	ns.n_ev.es_fd = -1;
	ns.n_watched = false;
	if (ns.n_file && unlink(ns.n_addr) == -1 && errno != ENOENT)
		log_warn("notify socket %s", ns.n_addr);
	ns.n_file = false;
}

uint64_t
notify_tick(uint64_t now)
{
	uint64_t next = log_limit_tick(&ns.n_log_refused, now), d;

	d = log_limit_tick(&ns.n_log_dropped, now);
	return d < next ? d : next;
}
