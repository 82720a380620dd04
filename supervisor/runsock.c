/* SPDX-License-Identifier: ISC */
/* Sockets in poold's runtime directory, for workers (runsock.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "runsock.h"

#define STALE_LOOKS	256	/* sockets looked at for staleness, at most */

static const struct {
	const char	*k_prefix;	/* of its file's name */
	const char	*k_what;	/* for the log */
	int		 k_type;
} kinds[] = {
	[RS_NOTIFY] = { "notify-", "notify socket", SOCK_DGRAM },
	[RS_EINHORN] = { "einhorn-", "einhorn socket", SOCK_STREAM },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/*
 * Where the files go: the service's runtime directory ($RUNTIME_DIRECTORY,
 * from RuntimeDirectory=), else /run/poold for root; NULL if neither (a
 * user's $XDG_RUNTIME_DIR is removed at logout, under a poold that may
 * live on: abstract is safer there).
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
	return geteuid() == 0 ? RUNSOCK_DIR : NULL;
}

/* The kind a file in the directory is of, by its name; -1 if none. */
static int
kind_of(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strncmp(name, kinds[i].k_prefix,
		    strlen(kinds[i].k_prefix)) == 0)
			return (int)i;
	return -1;
}

/*
 * Sockets in dir that nobody is bound to any more: those of pooldS
 * killed before they could remove theirs (kill -9, a crash).  A socket
 * with no owner refuses a connect; one with an owner (another poold, in
 * this or another PID namespace) takes it (a stream's full backlog says
 * EAGAIN, and is kept too).
 */
static void
sweep_stale(const char *dir)
{
	struct sockaddr_un	 sa = { .sun_family = AF_UNIX };
	struct dirent		*de;
	DIR			*d = opendir(dir);
	int			 fd, k, looked = 0;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && looked < STALE_LOOKS) {
		if ((k = kind_of(de->d_name)) == -1 ||
		    de->d_type != DT_SOCK || (size_t)snprintf(sa.sun_path,
		    sizeof(sa.sun_path), "%s/%s", dir, de->d_name) >=
		    sizeof(sa.sun_path))
			continue;
		looked++;
		if ((fd = socket(AF_UNIX, kinds[k].k_type | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0)) == -1)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
		    errno == ECONNREFUSED && unlink(sa.sun_path) == 0)
			log_debug("%s: removed %s, left by a poold that is "
			    "gone", kinds[k].k_what, sa.sun_path);
		(void)close(fd);
	}
	closedir(d);
}

/*
 * A socket file in the runtime directory.  The sweep and the bind hold
 * the directory's lock: a socket another poold is binding right now (its
 * file made, not yet its name) would look dead to a sweep.  0; 1 if it
 * cannot be (said): the caller falls back to an abstract name.
 */
static int
bind_path(int fd, enum runsock_kind k, struct sockaddr_un *sa)
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
	    "%s/%s%ld-%08x.sock", dir, kinds[k].k_prefix, (long)getpid(),
	    r) >= sizeof(sa->sun_path)) {
		log_info("%s: %s is too long a directory for a socket's "
		    "path; the socket is abstract", kinds[k].k_what, dir);
		return 1;
	}
	/* Others may pass through to the socket, not list the directory
	   (chmod: the umask may have taken more). */
	if (strcmp(dir, RUNSOCK_DIR) == 0 && mkdir(dir, 0711) == 0 &&
	    chmod(dir, 0711) == -1)
		log_warn("%s directory %s", kinds[k].k_what, dir);
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
		log_warn("%s in %s; it is abstract", kinds[k].k_what, dir);
	if (dfd != -1)
		(void)close(dfd);	/* and its lock */
	return rc;
}

int
runsock_bind(int fd, enum runsock_kind k, bool abstract, char *name,
    bool *file)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	/* Else a name from the kernel (autobind), which nobody can have
	   taken before us, in the abstract namespace: no file, and
	   reachable whatever the worker's user. */
	if ((abstract || bind_path(fd, k, &sa) == 1) &&
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) == -1)
		return -1;
	return runsock_name(fd, name, file);
}

int
runsock_name(int fd, char *name, bool *file)
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
	*file = sa.sun_path[0] != '\0';
	if (*file)
		memcpy(name, sa.sun_path, n);	/* n counts its NUL, if any */
	else {
		name[0] = '@';
		memcpy(name + 1, sa.sun_path + 1, n - 1);
	}
	name[n] = '\0';
	return 0;
}

int
runsock_remake(const char *path, enum runsock_kind k)
{
	struct sockaddr_un	sa = { .sun_family = AF_UNIX };
	struct stat		st;
	size_t			len = strlen(path);
	int			fd, one = 1;

	if (len >= sizeof(sa.sun_path) || lstat(path, &st) == 0 ||
	    errno != ENOENT)
		return -1;
	log_warnx("%s %s was removed; making it again", kinds[k].k_what,
	    path);
	memcpy(sa.sun_path, path, len + 1);
	if ((fd = socket(AF_UNIX, kinds[k].k_type | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 || (k == RS_NOTIFY &&
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) ==
	    -1) || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    chmod(sa.sun_path, 0666) == -1) {
		log_warn("%s %s", kinds[k].k_what, path);
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	return fd;
}

bool
runsock_reachable_by(const char *path, uid_t uid, gid_t gid)
{
	char		 dir[RUNSOCK_NAME_MAX];
	struct stat	 st;
	const char	*slash = strrchr(path, '/');

	if (uid == geteuid() || uid == 0 || slash == NULL)
		return true;
	/* The directory it is in must let the worker through (the socket
	   itself is 0666); the ones above are the admin's to open. */
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (slash == path || stat(dir, &st) == -1)
		return true;
	if (st.st_uid == uid)
		return (st.st_mode & S_IXUSR) != 0;
	if (st.st_gid == gid)
		return (st.st_mode & S_IXGRP) != 0;
	return (st.st_mode & S_IXOTH) != 0;
}
