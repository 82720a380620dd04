/* SPDX-License-Identifier: ISC */
/*
 * The CPUs a container may use: the cgroup quota files as the kernel
 * writes them, and finding our cgroup's directory from /proc/self/cgroup
 * and /proc/self/mountinfo as they read on a cgroup v2 host, a v1 host
 * and inside a container's cgroup namespace.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cpus.h"

Test(cpus, quota_v2)
{
	cr_assert_float_eq(cpus_quota_v2("100000 100000\n"), 1.0, 1e-9);
	cr_assert_float_eq(cpus_quota_v2("150000 100000\n"), 1.5, 1e-9);
	cr_assert_float_eq(cpus_quota_v2("50000 100000"), 0.5, 1e-9);
	cr_assert_float_eq(cpus_quota_v2("max 100000\n"), 0.0, 1e-9);
	for (const char *bad = "\0max\0" "100000\0" "0 100000\0" "-5 100000\0"
	    "10 0\0" "abc 100000\0" "100000 1e5\0"; *bad != '\0';
	    bad += strlen(bad) + 1)
		cr_assert_float_eq(cpus_quota_v2(bad), -1.0, 1e-9, "%s", bad);
	cr_assert_float_eq(cpus_quota_v2(""), -1.0, 1e-9);
}

Test(cpus, quota_v1)
{
	cr_assert_float_eq(cpus_quota_v1("200000\n", "100000\n"), 2.0, 1e-9);
	cr_assert_float_eq(cpus_quota_v1("25000\n", "100000\n"), 0.25, 1e-9);
	cr_assert_float_eq(cpus_quota_v1("-1\n", "100000\n"), 0.0, 1e-9);
	cr_assert_float_eq(cpus_quota_v1("0\n", "100000\n"), -1.0, 1e-9);
	cr_assert_float_eq(cpus_quota_v1("-2\n", "100000\n"), -1.0, 1e-9);
	cr_assert_float_eq(cpus_quota_v1("100000\n", "0\n"), -1.0, 1e-9);
	cr_assert_float_eq(cpus_quota_v1("x", "100000"), -1.0, 1e-9);
}

/* cpus_cgroup_dir over these texts. */
static bool
dir_of(const char *cgroup, const char *mountinfo, bool v2, char *dir,
    char *mnt)
{
	FILE	*c = fmemopen((void *)cgroup, strlen(cgroup), "r");
	FILE	*m = fmemopen((void *)mountinfo, strlen(mountinfo), "r");
	bool	 ok;

	cr_assert(c != NULL && m != NULL);
	ok = cpus_cgroup_dir(c, m, v2, dir, 256, mnt, 256);
	fclose(c);
	fclose(m);
	return ok;
}

static const char v2_mounts[] =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

Test(cpus, finds_the_v2_cgroup)
{
	char dir[256], mnt[256];

	cr_assert(dir_of("0::/kubepods.slice/pod1/cri-2a\n", v2_mounts, true,
	    dir, mnt));
	cr_assert_str_eq(dir, "/sys/fs/cgroup/kubepods.slice/pod1/cri-2a");
	cr_assert_str_eq(mnt, "/sys/fs/cgroup");
	/* The root cgroup, as a container with its own namespace sees. */
	cr_assert(dir_of("0::/\n", v2_mounts, true, dir, mnt));
	cr_assert_str_eq(dir, "/sys/fs/cgroup");
	cr_assert_not(dir_of("0::/x\n", v2_mounts, false, dir, mnt),
	    "a v1 cpu hierarchy found on a v2-only host");
}

/* v1 hierarchies, cpu mounted with cpuacct, and a hybrid's unified one
   beside them; a mount whose root is below the hierarchy's top (a
   container's bind mount of its own cgroup). */
Test(cpus, finds_the_v1_cpu_cgroup)
{
	static const char mounts[] =
	    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
	    "rw,cpu,cpuacct\n"
	    "33 30 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
	    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	static const char procs[] =
	    "3:cpuset:/\n2:cpu,cpuacct:/docker/abc\n0::/\n";
	static const char bound[] =
	    "31 30 0:28 /docker/abc /sys/fs/cgroup/cpu rw - cgroup cgroup "
	    "rw,cpu\n";
	char dir[256], mnt[256];

	cr_assert(dir_of(procs, mounts, false, dir, mnt));
	cr_assert_str_eq(dir, "/sys/fs/cgroup/cpu,cpuacct/docker/abc");
	cr_assert_str_eq(mnt, "/sys/fs/cgroup/cpu,cpuacct");
	cr_assert(dir_of(procs, mounts, true, dir, mnt));
	cr_assert_str_eq(dir, "/sys/fs/cgroup/unified");
	cr_assert(dir_of("2:cpu:/docker/abc/sub\n", bound, false, dir, mnt));
	cr_assert_str_eq(dir, "/sys/fs/cgroup/cpu/sub");
	/* Outside the mount's root: its top, not a path that is not. */
	cr_assert(dir_of("2:cpu:/elsewhere\n", bound, false, dir, mnt));
	cr_assert_str_eq(dir, "/sys/fs/cgroup/cpu");
	cr_assert_not(dir_of("3:cpuset:/\n", mounts, false, dir, mnt));
	cr_assert_not(dir_of("2:cpuacct:/\n", mounts, false, dir, mnt),
	    "cpuacct taken for cpu");
}

/* Lines that are not what they should be are passed over. */
Test(cpus, tolerates_odd_lines)
{
	char dir[256], mnt[256];

	cr_assert_not(dir_of("garbage\n::\n", v2_mounts, true, dir, mnt));
	cr_assert_not(dir_of("0::/a\n", "no separator here\n"
	    "1 2 3 4\n - cgroup2\n", true, dir, mnt));
	cr_assert_not(dir_of("0::/a\n", "30 22 0:26 / /sys/fs/cg\\040x rw - "
	    "cgroup2 cgroup2 rw\n", true, dir, mnt), "an escaped path used");
}

/* On this machine: at least one CPU, and a reason. */
Test(cpus, available_here)
{
	const struct cpus *c = cpus_available();

	cr_assert_geq(c->cp_count, 1);
	cr_assert_gt(strlen(c->cp_why), 0);
	cr_assert_eq(cpus_available(), c);
}
