/* SPDX-License-Identifier: ISC */
/*
 * How many CPUs poold may really use, for the default worker count
 * (2 x CPUs + 1): the smallest of the online CPUs, the CPU affinity mask
 * and the cgroup CPU quota, rounded up.  In a container the host's core
 * count says nothing: Kubernetes' resources.limits.cpu and Nomad's cpu
 * hard limit become a CFS quota on the container's cgroup (cgroup v2
 * cpu.max, v1 cpu.cfs_quota_us over cpu.cfs_period_us), and a quota on
 * any cgroup above ours binds as well.
 */
#ifndef POOLD_CPUS_H
#define POOLD_CPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CPUS_WHY_MAX	160

struct cpus {
	unsigned	cp_count;	/* >= 1 */
	char		cp_why[CPUS_WHY_MAX];	/* where it came from */
};

/* Found once, then the same answer (the config is read more than once:
   reloads, --check-config). */
const struct cpus *cpus_available(void);

/*
 * The parts, for tests.  A quota in CPUs from cgroup v2's cpu.max ("max
 * 100000", "150000 100000") or v1's quota and period files' texts ("-1",
 * "100000"): 0 if there is none, -1 if the text is not one.
 */
double	 cpus_quota_v2(const char *cpu_max);
double	 cpus_quota_v1(const char *quota, const char *period);
/*
 * The directory of this process's cgroup in the hierarchy with a CPU
 * quota, from /proc/self/cgroup and /proc/self/mountinfo (read from
 * their starts): for v2, the cgroup2 mount; for v1, the one whose
 * options name "cpu".  Into dir, and the mount's path into mnt (dir is
 * under it); false if there is none.
 */
bool	 cpus_cgroup_dir(FILE *proc_cgroup, FILE *mountinfo, bool v2,
	    char *dir, size_t dirlen, char *mnt, size_t mntlen);

#endif
