/* SPDX-License-Identifier: ISC */
/* What a cgroup has and uses (cgres.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgres.h"

#define PROCS_READ_MAX	(1 << 20)	/* of a cgroup.procs, in bytes */

static const struct {
	unsigned	 c_bit;
	const char	*c_name;
} controllers[] = {
	{ CGR_MEMORY, "memory" },
	{ CGR_PIDS, "pids" },
};
#define NCONTROLLERS	(sizeof(controllers) / sizeof(controllers[0]))

/* -- files ------------------------------------------------------------------ */

int
cgres_put(int dirfd, const char *name, const char *text)
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

ssize_t
cgres_get(int dirfd, const char *name, char *buf, size_t len)
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

long long
cgres_keyed(const char *text, const char *key)
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

/* A keyed counter, 0 where the line is not there. */
static uint64_t
counter(const char *text, const char *key)
{
	long long v = cgres_keyed(text, key);

	return v > 0 ? (uint64_t)v : 0;
}

/* -- controllers ------------------------------------------------------------ */

/* The controllers of mask named in a space-separated list. */
static unsigned
listed(const char *text)
{
	unsigned	mask = 0;
	const char	*p = text;
	size_t		n;

	while (*(p += strspn(p, " ,\n")) != '\0') {
		n = strcspn(p, " ,\n");
		for (size_t i = 0; i < NCONTROLLERS; i++)
			if (strlen(controllers[i].c_name) == n &&
			    strncmp(p, controllers[i].c_name, n) == 0)
				mask |= controllers[i].c_bit;
		p += n;
	}
	return mask;
}

unsigned
cgres_controllers(int dirfd)
{
	char buf[512];

	return cgres_get(dirfd, "cgroup.controllers", buf, sizeof(buf)) > 0 ?
	    listed(buf) : 0;
}

unsigned
cgres_enabled(int dirfd)
{
	char buf[512];

	return cgres_get(dirfd, "cgroup.subtree_control", buf, sizeof(buf)) >
	    0 ? listed(buf) : 0;
}

/* +name or -name of each controller in mask; 0, or -1 if one failed. */
static int
toggle(int dirfd, unsigned mask, char sign)
{
	char	word[32];
	int	rc = 0;

	/* One write each: the kernel stops at the first it refuses. */
	for (size_t i = 0; i < NCONTROLLERS; i++) {
		if (!(mask & controllers[i].c_bit))
			continue;
		snprintf(word, sizeof(word), "%c%s", sign,
		    controllers[i].c_name);
		if (cgres_put(dirfd, "cgroup.subtree_control", word) == -1)
			rc = -1;
	}
	return rc;
}

int
cgres_enable(int dirfd, unsigned mask)
{
	return toggle(dirfd, mask, '+');
}

int
cgres_disable(int dirfd, unsigned mask)
{
	return toggle(dirfd, mask, '-');
}

static const char *const ours_attr[] = { "trusted.poold.controllers",
    "user.poold.controllers" };

unsigned
cgres_ours(int dirfd)
{
	char	buf[64];
	ssize_t	n;

	for (size_t i = 0; i < 2; i++) {
		if ((n = fgetxattr(dirfd, ours_attr[i], buf, sizeof(buf) - 1)) >=
		    0) {
			buf[n] = '\0';
			return listed(buf);
		}
	}
	return 0;
}

void
cgres_mark(int dirfd, unsigned mask)
{
	char buf[64];

	if (mask == 0) {
		for (size_t i = 0; i < 2; i++)
			(void)fremovexattr(dirfd, ours_attr[i]);
		return;
	}
	/* trusted.* needs CAP_SYS_ADMIN; a delegated cgroup's owner may
	   set user.* (Linux 5.7).  Neither: the next poold cannot tell,
	   and the controllers stay on. */
	cgres_names(mask, buf, sizeof(buf));
	for (size_t i = 0; i < 2; i++)
		if (fsetxattr(dirfd, ours_attr[i], buf, strlen(buf), 0) == 0)
			return;
}

const char *
cgres_names(unsigned mask, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NCONTROLLERS && at < len; i++)
		if (mask & controllers[i].c_bit)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
			    at > 0 ? ", " : "", controllers[i].c_name);
	return buf[0] != '\0' ? buf : "none";
}

/* -- limits ----------------------------------------------------------------- */

static int
put_number(int dirfd, const char *name, uint64_t v)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	return cgres_put(dirfd, name, text);
}

int
cgres_apply(int dirfd, const struct cg_limits *l, unsigned ctl,
    const char **failed)
{
	const char *bad = NULL;

	if (ctl & CGR_MEMORY) {
		if (cgres_put(dirfd, "memory.oom.group", "1") == -1)
			bad = "memory.oom.group";
		if (l->cl_memory_high > 0 && put_number(dirfd, "memory.high",
		    l->cl_memory_high) == -1)
			bad = "memory.high";
		if (l->cl_memory_max > 0 && put_number(dirfd, "memory.max",
		    l->cl_memory_max) == -1)
			bad = "memory.max";
	} else if (l->cl_memory_high > 0 || l->cl_memory_max > 0)
		bad = "memory.max";
	if (l->cl_tasks_max > 0 && (!(ctl & CGR_PIDS) ||
	    put_number(dirfd, "pids.max", l->cl_tasks_max) == -1))
		bad = "pids.max";
	if (failed != NULL)
		*failed = bad;
	return bad == NULL ? 0 : -1;
}

/* -- accounting ------------------------------------------------------------- */

/* Lines of dirfd/name, read to the end (at most PROCS_READ_MAX bytes). */
static unsigned
count_lines(int dirfd, const char *name)
{
	char		buf[4096];
	unsigned	n = 0;
	size_t		total = 0;
	ssize_t		got;
	int		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

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

/* "total=" of the line of a PSI file that starts with kind; -1 if none. */
static int64_t
psi_total(const char *text, const char *kind)
{
	size_t		 k = strlen(kind);
	const char	*p = text, *nl, *t;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (strncmp(p, kind, k) == 0 && p[k] == ' ') {
			t = strstr(p, " total=");
			return t != NULL && (nl == NULL || t < nl) ?
			    strtoll(t + 7, NULL, 10) : -1;
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	return -1;
}

static void
pressure(int dirfd, int64_t out[CGP_N])
{
	static const struct {
		const char	*pf_file, *pf_kind;
	} files[CGP_N] = {
		[CGP_CPU_SOME] = { "cpu.pressure", "some" },
		[CGP_MEMORY_SOME] = { "memory.pressure", "some" },
		[CGP_MEMORY_FULL] = { "memory.pressure", "full" },
		[CGP_IO_SOME] = { "io.pressure", "some" },
		[CGP_IO_FULL] = { "io.pressure", "full" },
	};
	char buf[256];

	for (size_t i = 0; i < CGP_N; i++) {
		out[i] = -1;
		if (cgres_get(dirfd, files[i].pf_file, buf, sizeof(buf)) > 0)
			out[i] = psi_total(buf, files[i].pf_kind);
	}
}

int
cgres_usage(int dirfd, struct cg_usage *u)
{
	char		buf[4096];
	long long	v;

	if (cgres_get(dirfd, "cpu.stat", buf, sizeof(buf)) <= 0 ||
	    (v = cgres_keyed(buf, "usage_usec")) < 0)
		return -1;
	u->cu_cpu_usec = (uint64_t)v;
	/* pids.current needs the pids controller; cgroup.procs does not.
	   Read whole, a page at a time, up to a bound no tree reaches. */
	u->cu_procs = count_lines(dirfd, "cgroup.procs");
	u->cu_memory = -1;
	if (cgres_get(dirfd, "memory.current", buf, sizeof(buf)) > 0 &&
	    isdigit((unsigned char)buf[0]))
		u->cu_memory = strtoll(buf, NULL, 10);
	pressure(dirfd, u->cu_pressure);
	return 0;
}

void
cgres_counts(int dirfd, struct cg_counts *c)
{
	char buf[512];

	memset(c, 0, sizeof(*c));
	if (cgres_get(dirfd, "memory.events", buf, sizeof(buf)) > 0) {
		c->cc_high = counter(buf, "high");
		c->cc_oom_kill = counter(buf, "oom_kill");
	}
	if (cgres_get(dirfd, "pids.events", buf, sizeof(buf)) > 0)
		c->cc_pids_max = counter(buf, "max");
}

/* -- sizes ------------------------------------------------------------------ */

int
cgres_parse_size(const char *s, uint64_t *out)
{
	static const char	 units[] = "KMGT";
	const char		*u;
	unsigned long long	 v;
	char			*end;
	int			 shift = 0;

	if (strcmp(s, "infinity") == 0) {
		*out = 0;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		if ((u = strchr(units, toupper((unsigned char)*end))) == NULL ||
		    end[1] != '\0')
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
