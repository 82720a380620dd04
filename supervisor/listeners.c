/* SPDX-License-Identifier: ISC */
/*
 * The arbiter's listening sockets (see listeners.h).  Passed sockets are
 * matched in two rounds, so that a name never steals a socket an address
 * asks for: first each TCP or unix address takes a passed socket bound
 * there (an upgrade hands every socket over this way), then systemd:NAME
 * takes the passed sockets of that name, and systemd all that are left.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listeners.h"
#include "log.h"
#include "sdenv.h"

#define PASSED_MAX	256	/* sockets passed to us, at most */
#define PASSED_NAME	"bound"	/* our own sockets, when handed over */

struct passed {
	int	ps_fd;
	char	ps_name[ADDR_NAME_MAX + 1];
	bool	ps_taken;
};

static struct passed	 passed[PASSED_MAX];
static size_t		 npassed;
static struct listener	*ls;
static size_t		 nls;

int
listeners_inherit(char *err, size_t len)
{
	static char	names[PASSED_MAX][256];
	int		n;

	if ((n = sd_take_fds(names, PASSED_MAX, err, len)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		passed[i].ps_fd = SD_FDS_START + i;
		snprintf(passed[i].ps_name, sizeof(passed[i].ps_name), "%.255s",
		    names[i]);
	}
	npassed = (size_t)n;
	return n;
}

int
listeners_pass(int fd, const char *name)
{
	if (npassed == PASSED_MAX)
		return -1;
	passed[npassed].ps_fd = fd;
	passed[npassed].ps_taken = false;
	snprintf(passed[npassed].ps_name, sizeof(passed[0].ps_name), "%s",
	    name);
	npassed++;
	return 0;
}

/* Names of the passed sockets, for an error message. */
static void
passed_names(char *buf, size_t len)
{
	size_t	 k = 0;
	int	 r;

	buf[0] = '\0';
	for (size_t i = 0; i < npassed && k < len; i++) {
		r = snprintf(buf + k, len - k, "%s%s", i ? ", " : "",
		    passed[i].ps_name);
		if (r > 0)
			k += (size_t)r;
	}
	if (npassed == 0)
		snprintf(buf, len, "none");
}

static struct listener *
ls_new(char *err, size_t len)
{
	struct listener *l;

	if ((l = reallocarray(ls, nls + 1, sizeof(*l))) == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	ls = l;
	return &ls[nls];
}

static bool
ls_mark(const char *key)
{
	bool found = false;

	for (size_t i = 0; i < nls; i++) {
		if (strcmp(ls[i].l_key, key) == 0)
			ls[i].l_used = found = true;
	}
	return found;
}

static void
ls_added(const struct pool_conf *pc, const char *how)
{
	char desc[sizeof(ls->l_key)];

	ls[nls].l_used = true;
	lsock_describe(&ls[nls], desc, sizeof(desc));
	log_info("pool %s: listening at %s%s%s%s", pc->pc_name, desc, how,
	    ls[nls].l_name[0] ? " as " : "", ls[nls].l_name);
	nls++;
}

/* The name a handed-over fd:// listener goes by: its number then. */
static void
fd_name(const struct addr *a, char *buf, size_t len)
{
	snprintf(buf, len, "fd-%d", a->a_fd);
}

/* The passed socket that stands for a: bound to its address, or, for
   fd://N, the one handed over as fd-N or still at N (in place). */
static struct passed *
passed_for(const struct addr *a)
{
	char name[32];

	if (a->a_kind == ADDR_FD)
		fd_name(a, name, sizeof(name));
	for (size_t i = 0; i < npassed; i++) {
		struct passed *p = &passed[i];
		if (p->ps_taken)
			continue;
		if (a->a_kind == ADDR_FD ? strcmp(p->ps_name, name) == 0 ||
		    p->ps_fd == a->a_fd : lsock_bound_to(p->ps_fd, a))
			return p;
	}
	return NULL;
}

/* A TCP, unix or fd:// address: a passed socket for it, or a new one. */
static int
acquire_addr(const struct pool_conf *pc, const struct addr *a, char *err,
    size_t len)
{
	struct listener	*l;
	struct passed	*p;

	if ((l = ls_new(err, len)) == NULL)
		return -1;
	if ((p = passed_for(a)) != NULL) {
		if (lsock_adopt(l, a, p->ps_fd, err, len) == -1)
			return -1;
		/* Only our own socket files are ours to remove: systemd
		   keeps its sockets across our restarts. */
		l->l_unlink = l->l_unlink && strcmp(p->ps_name,
		    PASSED_NAME) == 0;
		p->ps_taken = true;
		ls_added(pc, ", passed");
		return 0;
	}
	/* The umask narrows socket_mode, as it does open(2)'s mode. */
	if (lsock_open(l, a, pc->pc_backlog, pc->pc_socket_mode &
	    ~(mode_t)(pc->pc_umask != -1 ? pc->pc_umask : 0), err, len) == -1)
		return -1;
	ls_added(pc, "");
	return 0;
}

/* systemd[:NAME]: every passed socket of that name, or every one left. */
static int
acquire_named(const struct pool_conf *pc, const struct addr *a, char *err,
    size_t len)
{
	struct listener	*l;
	char		 names[512];
	size_t		 got = 0;

	for (size_t i = 0; i < npassed; i++) {
		struct passed *p = &passed[i];
		if (p->ps_taken || (a->a_name[0] != '\0' &&
		    strcmp(p->ps_name, a->a_name) != 0))
			continue;
		if ((l = ls_new(err, len)) == NULL ||
		    lsock_adopt(l, a, p->ps_fd, err, len) == -1)
			return -1;
		snprintf(l->l_name, sizeof(l->l_name), "%s", p->ps_name);
		p->ps_taken = true;
		ls_added(pc, ", passed");
		got++;
	}
	if (got > 0)
		return 0;
	passed_names(names, sizeof(names));
	if (a->a_name[0] != '\0')
		snprintf(err, len, "pool %s: no socket named %s was passed "
		    "(passed: %s)", pc->pc_name, a->a_name, names);
	else
		snprintf(err, len, "pool %s: listen = systemd, but no socket "
		    "was passed (LISTEN_FDS) or all were taken (passed: %s)",
		    pc->pc_name, names);
	return -1;
}

static int
acquire_round(const struct poold_conf *c, bool named, char *err,
    size_t len)
{
	char key[sizeof(ls->l_key)];

	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];
		for (size_t j = 0; j < pc->pc_nlisten; j++) {
			const struct addr *a = &pc->pc_listen[j];
			if ((a->a_kind == ADDR_SYSTEMD) != named)
				continue;
			addr_format(a, key, sizeof(key));
			if (ls_mark(key))
				continue;
			if ((named ? acquire_named(pc, a, err, len) :
			    acquire_addr(pc, a, err, len)) == -1)
				return -1;
		}
	}
	return 0;
}

int
listeners_open(const struct poold_conf *c, char *err, size_t len)
{
	size_t before = nls;

	for (size_t i = 0; i < nls; i++)
		ls[i].l_used = false;
	if (acquire_round(c, false, err, len) == 0 &&
	    acquire_round(c, true, err, len) == 0)
		return 0;
	/* Passed sockets go back to the pool of passed ones, not closed. */
	while (nls > before) {
		struct listener *l = &ls[--nls];
		bool was_passed = false;
		for (size_t i = 0; i < npassed; i++) {
			if (passed[i].ps_fd == l->l_fd && passed[i].ps_taken) {
				passed[i].ps_taken = false;
				was_passed = true;
			}
		}
		if (!was_passed)
			lsock_close(l, true);
	}
	return -1;
}

int
listeners_take_passed(const struct addr *a)
{
	for (size_t i = 0; i < npassed; i++) {
		if (!passed[i].ps_taken && lsock_bound_to(passed[i].ps_fd, a)) {
			passed[i].ps_taken = true;
			return passed[i].ps_fd;
		}
	}
	return -1;
}

void
listeners_drop_unused(void)
{
	for (size_t i = 0; i < npassed; i++) {
		if (passed[i].ps_taken)
			continue;
		log_warnx("passed socket %d (%s) is used by no pool; closing "
		    "it", passed[i].ps_fd, passed[i].ps_name);
		(void)close(passed[i].ps_fd);
	}
	npassed = 0;
}

void
listeners_sweep(void)
{
	size_t k = 0;

	for (size_t i = 0; i < nls; i++) {
		if (ls[i].l_used) {
			ls[k++] = ls[i];
			continue;
		}
		log_info("closing %s: no pool listens there now", ls[i].l_key);
		lsock_close(&ls[i], true);
	}
	nls = k;
}

int *
listeners_fds(const struct pool_conf *pc, size_t *n)
{
	char	 key[sizeof(ls->l_key)];
	int	*fds;
	size_t	 k = 0;

	/* At most every listener; calloc(0) may be NULL, so at least 1. */
	if ((fds = calloc(nls ? nls : 1, sizeof(*fds))) == NULL)
		return NULL;
	for (size_t j = 0; j < pc->pc_nlisten; j++) {
		addr_format(&pc->pc_listen[j], key, sizeof(key));
		for (size_t i = 0; i < nls && k < nls; i++) {
			if (strcmp(ls[i].l_key, key) == 0)
				fds[k++] = ls[i].l_fd;
		}
	}
	*n = k;
	return fds;
}

char *
listeners_fdnames(const struct pool_conf *pc)
{
	char	 key[sizeof(ls->l_key)], *s;
	size_t	 at = 0, k = 0, cap = (nls ? nls : 1) * (ADDR_NAME_MAX + 1) + 1;

	if ((s = malloc(cap)) == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t j = 0; j < pc->pc_nlisten; j++) {
		const struct addr *a = &pc->pc_listen[j];

		addr_format(a, key, sizeof(key));
		for (size_t i = 0; i < nls && k < nls; i++) {
			if (strcmp(ls[i].l_key, key) != 0)
				continue;
			/* Its own name; a passed socket's, as systemd named
			   it; else the pool's, as systemd names a unit's. */
			at += (size_t)snprintf(s + at, cap - at, "%s%s",
			    k++ > 0 ? ":" : "", a->a_fdname[0] ? a->a_fdname :
			    ls[i].l_name[0] ? ls[i].l_name : pc->pc_name);
		}
	}
	return s;
}

void
listeners_close(void)
{
	for (size_t i = 0; i < nls; i++)
		lsock_close(&ls[i], true);
	free(ls);
	ls = NULL;
	nls = 0;
}

size_t
listeners_count(void)
{
	return nls;
}

int
listeners_fd(size_t i)
{
	return i < nls ? ls[i].l_fd : -1;
}

const char *
listeners_name(size_t i)
{
	static char name[32];

	if (i < nls && ls[i].l_addr.a_kind == ADDR_FD) {
		fd_name(&ls[i].l_addr, name, sizeof(name));
		return name;
	}
	return i < nls && ls[i].l_name[0] != '\0' ? ls[i].l_name :
	    PASSED_NAME;
}

void
listeners_handed_over(bool yes)
{
	for (size_t i = 0; i < nls; i++) {
		if (ls[i].l_addr.a_kind == ADDR_UNIX)
			ls[i].l_unlink = !yes;
	}
}
