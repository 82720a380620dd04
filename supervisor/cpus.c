/* SPDX-License-Identifier: ISC */
/* The CPUs poold may use (cpus.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"

#define CG_PATH_MAX	4096
#define CG_LEVELS_MAX	64	/* cgroups looked at, going up */

/* A whole number in s, alone but for a newline, into *v. */
static bool
number(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && end != s && (*end == '\0' ||
	    strcmp(end, "\n") == 0);
}

double
cpus_quota_v2(const char *cpu_max)
{
	char		 q[32], p[32];
	long long	 quota, period;

	if (sscanf(cpu_max, "%31s %31s", q, p) != 2 ||
	    !number(p, &period) || period <= 0)
		return -1;
	if (strcmp(q, "max") == 0)
		return 0;
	if (!number(q, &quota) || quota <= 0)
		return -1;
	return (double)quota / (double)period;
}

double
cpus_quota_v1(const char *quota, const char *period)
{
	long long q, p;

	if (!number(quota, &q) || !number(period, &p) || p <= 0 ||
	    (q <= 0 && q != -1))
		return -1;
	return q == -1 ? 0 : (double)q / (double)p;
}

/* Whether the comma-separated list has word. */
static bool
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* Our cgroup's path in the hierarchy wanted, from /proc/self/cgroup's
   "ID:CONTROLLERS:PATH" lines. */
static bool
own_path(FILE *f, bool v2, char *path, size_t len)
{
	char	*line = NULL, *c1, *c2;
	size_t	 cap = 0;
	bool	 found = false;

	while (!found && getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if ((c1 = strchr(line, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		*c2 = '\0';
		if (v2 ? strcmp(line, "0:") == 0 && c1[1] == '\0' :
		    has_word(c1 + 1, "cpu"))
			found = (size_t)snprintf(path, len, "%s", c2 + 1) < len;
	}
	free(line);
	return found;
}

/* The mount of the hierarchy wanted: its root within the hierarchy and
   its mount point, from mountinfo's lines. */
static bool
mount_of(FILE *f, bool v2, char *root, char *mnt, size_t len)
{
	char	*line = NULL, *sep, *fld[6], *type, *opts, *save;
	size_t	 cap = 0;
	bool	 found = false;

	while (!found && getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if ((sep = strstr(line, " - ")) == NULL)
			continue;
		*sep = '\0';
		fld[0] = strtok_r(line, " ", &save);
		for (int i = 1; i < 6 && fld[i - 1] != NULL; i++)
			fld[i] = strtok_r(NULL, " ", &save);
		if (fld[0] == NULL || fld[5] == NULL ||
		    (type = strtok_r(sep + 3, " ", &save)) == NULL ||
		    strtok_r(NULL, " ", &save) == NULL ||
		    (opts = strtok_r(NULL, " ", &save)) == NULL)
			continue;
		/* Octal escapes (a space in a path): not a cgroup mount's. */
		if (strchr(fld[3], '\\') != NULL || strchr(fld[4], '\\') != NULL)
			continue;
		if (v2 ? strcmp(type, "cgroup2") != 0 :
		    strcmp(type, "cgroup") != 0 || !has_word(opts, "cpu"))
			continue;
		found = (size_t)snprintf(root, len, "%s", fld[3]) < len &&
		    (size_t)snprintf(mnt, len, "%s", fld[4]) < len;
	}
	free(line);
	return found;
}

bool
cpus_cgroup_dir(FILE *proc_cgroup, FILE *mountinfo, bool v2, char *dir,
    size_t dirlen, char *mnt, size_t mntlen)
{
	char		 path[CG_PATH_MAX], root[CG_PATH_MAX], m[CG_PATH_MAX];
	const char	*rel;
	size_t		 rl;

	if (!own_path(proc_cgroup, v2, path, sizeof(path)) ||
	    !mount_of(mountinfo, v2, root, m, sizeof(m)))
		return false;
	/* The mount shows the hierarchy from root down; a path outside it
	   (another cgroup namespace's view) is taken as the mount's top. */
	rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	rel = strncmp(path, root, rl) == 0 && (path[rl] == '/' ||
	    path[rl] == '\0') ? path + rl : "";
	if (strcmp(rel, "/") == 0)
		rel = "";
	return (size_t)snprintf(dir, dirlen, "%s%s", m, rel) < dirlen &&
	    (size_t)snprintf(mnt, mntlen, "%s", m) < mntlen;
}

/* A small file's text; false if it cannot be read. */
static bool
read_text(const char *dir, const char *name, char *buf, size_t len)
{
	char	path[CG_PATH_MAX + 32];
	ssize_t	n;
	int	fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, buf, len - 1);
	(void)close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* A quota of the cgroup at dir, in CPUs; 0 if none. */
static double
quota_at(const char *dir, bool v2)
{
	char q[64], p[64];

	if (v2)
		return read_text(dir, "cpu.max", q, sizeof(q)) ?
		    cpus_quota_v2(q) : 0;
	return read_text(dir, "cpu.cfs_quota_us", q, sizeof(q)) &&
	    read_text(dir, "cpu.cfs_period_us", p, sizeof(p)) ?
	    cpus_quota_v1(q, p) : 0;
}

/* The smallest quota from our cgroup up to the mount's top; 0 if none,
   with the directory that sets it in at. */
static double
cgroup_quota(bool v2, char *at, size_t len)
{
	char	 dir[CG_PATH_MAX], mnt[CG_PATH_MAX], *slash;
	double	 best = 0, q;
	FILE	*cg = fopen("/proc/self/cgroup", "re");
	FILE	*mi = fopen("/proc/self/mountinfo", "re");
	bool	 ok = cg != NULL && mi != NULL && cpus_cgroup_dir(cg, mi, v2,
		    dir, sizeof(dir), mnt, sizeof(mnt));

	if (cg != NULL)
		fclose(cg);
	if (mi != NULL)
		fclose(mi);
	for (int i = 0; ok && i < CG_LEVELS_MAX; i++) {
		if ((q = quota_at(dir, v2)) > 0 && (best == 0 || q < best)) {
			best = q;
			snprintf(at, len, "%s", dir);
		}
		if (strlen(dir) <= strlen(mnt) ||
		    (slash = strrchr(dir, '/')) == NULL)
			break;
		*slash = '\0';
	}
	return best;
}

static unsigned
affinity(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		return 0;	/* more CPUs than a cpu_set_t: no limit here */
	return (unsigned)CPU_COUNT(&set);
}

/* The quota's CPUs, rounded up, with where it is set in at; 0 if none.
   A hybrid host may set one in either hierarchy: the smaller binds. */
static unsigned
quota_cpus(char *at, size_t len)
{
	char		at1[CG_PATH_MAX];
	double		q = cgroup_quota(true, at, len);
	double		q1 = cgroup_quota(false, at1, sizeof(at1));
	unsigned	n;

	if (q1 > 0 && (q == 0 || q1 < q)) {
		q = q1;
		snprintf(at, len, "%s", at1);
	}
	if (q <= 0)
		return 0;
	n = (unsigned)q;
	return (double)n < q ? n + 1 : n;
}

const struct cpus *
cpus_available(void)
{
	static struct cpus	 c;
	char			 at[CG_PATH_MAX];
	long			 online;
	unsigned		 aff, quota;

	if (c.cp_count != 0)
		return &c;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	c.cp_count = online < 1 ? 1 : (unsigned)online;
	snprintf(c.cp_why, sizeof(c.cp_why), "online CPUs");
	if ((aff = affinity()) > 0 && aff < c.cp_count) {
		c.cp_count = aff;
		snprintf(c.cp_why, sizeof(c.cp_why), "the CPU affinity mask");
	}
	if ((quota = quota_cpus(at, sizeof(at))) > 0 && quota < c.cp_count) {
		c.cp_count = quota;
		snprintf(c.cp_why, sizeof(c.cp_why), "the cgroup CPU quota at "
		    "%.120s", at);
	}
	return &c;
}
