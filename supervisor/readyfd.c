/* SPDX-License-Identifier: ISC */
/* s6's readiness protocol (readyfd.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "readyfd.h"

#define READYFD_MAX	65536	/* pipes watched at once, at most */
#define READYFD_READS	16	/* reads of one pipe per wakeup */
#define READYFD_ADOPT_MAX 4096	/* carried over an in-place upgrade */

struct rfd {
	struct ev_source	 r_ev;	/* first: the loop hands it back */
	pid_t			 r_pid;
};

static struct rfd	**rfds;
static size_t		  nrfds;
static void		(*tell)(pid_t);

/* Carried over an in-place upgrade, until the loop is there. */
static struct {
	int	a_fd;
	pid_t	a_pid;
}			  adopted[READYFD_ADOPT_MAX];
static size_t		  nadopted;

void
readyfd_init(void (*ready)(pid_t))
{
	tell = ready;
	for (size_t i = 0; i < nadopted; i++)
		readyfd_started(adopted[i].a_fd, -1, adopted[i].a_pid);
	nadopted = 0;
}

int
readyfd_fd(pid_t pid)
{
	for (size_t i = 0; i < nrfds; i++)
		if (rfds[i]->r_pid == pid)
			return rfds[i]->r_ev.es_fd;
	return -1;
}

int
readyfd_carry(int carry)
{
	int rc = 0;

	for (size_t i = 0; i < nrfds; i++)
		if (fcntl(rfds[i]->r_ev.es_fd, F_SETFD, carry ? 0 :
		    FD_CLOEXEC) == -1)
			rc = -1;
	return rc;
}

void
readyfd_adopt(int fd, pid_t pid)
{
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    nadopted == READYFD_ADOPT_MAX) {
		(void)close(fd);
		return;
	}
	adopted[nadopted].a_fd = fd;
	adopted[nadopted++].a_pid = pid;
}


static void
drop(size_t i)
{
	struct rfd *r = rfds[i];

	ev_unwatch(&r->r_ev);
	(void)close(r->r_ev.es_fd);
	free(r);
	rfds[i] = rfds[--nrfds];
}

static size_t
index_of(const struct rfd *r)
{
	size_t i;

	for (i = 0; i < nrfds && rfds[i] != r; i++)
		;
	return i;
}

/*
 * A newline anywhere is readiness, as s6-supervise reads it; anything
 * before it is ignored.  After it, or at the end of the pipe (the worker
 * closed it, or died), the pipe has nothing more to say.
 */
static void
on_readable(struct ev_source *ev, uint32_t what)
{
	struct rfd	*r = (struct rfd *)ev;
	char		 buf[256];
	ssize_t		 n;
	pid_t		 pid = r->r_pid;
	int		 reads = 0;

	(void)what;
	/* Bounded: a worker that writes without a newline waits for the
	   next turn of the loop. */
	while (reads++ < READYFD_READS &&
	    (n = read(ev->es_fd, buf, sizeof(buf))) > 0) {
		if (memchr(buf, '\n', (size_t)n) != NULL) {
			drop(index_of(r));
			if (tell != NULL)
				tell(pid);
			return;
		}
	}
	if (reads > READYFD_READS)
		return;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		drop(index_of(r));
}

void
readyfd_started(int rd, int wr, pid_t pid)
{
	struct rfd	*r = NULL, **grown;

	if (wr != -1)
		(void)close(wr);
	if (rd == -1)
		return;
	if (pid <= 0 || nrfds == READYFD_MAX ||
	    (grown = realloc(rfds, (nrfds + 1) * sizeof(*rfds))) == NULL ||
	    (r = calloc(1, sizeof(*r))) == NULL) {
		if (pid > 0)
			log_warnx("ready = fd: cannot watch worker %ld's pipe; "
			    "it will never be ready", (long)pid);
		(void)close(rd);
		return;
	}
	rfds = grown;
	r->r_ev.es_fd = rd;
	r->r_ev.es_fn = on_readable;
	r->r_pid = pid;
	if (ev_watch(&r->r_ev, EPOLLIN) == -1) {
		log_warn("ready = fd: watch");
		(void)close(rd);
		free(r);
		return;
	}
	rfds[nrfds++] = r;
}

void
readyfd_ended(pid_t pid)
{
	for (size_t i = 0; i < nrfds; i++)
		if (rfds[i]->r_pid == pid) {
			/* What it wrote before it went still counts. */
			on_readable(&rfds[i]->r_ev, EPOLLIN);
			for (i = 0; i < nrfds; i++)
				if (rfds[i]->r_pid == pid)
					drop(i);
			return;
		}
}
