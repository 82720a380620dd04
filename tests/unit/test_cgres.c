/* SPDX-License-Identifier: ISC */
/*
 * cgres: a cgroup's controllers, limits, accounting and events, on a
 * directory of plain files shaped as cgroupfs's (the "fake
 * cgroupfs"): what poold writes there and what it makes of what the
 * kernel writes.  The real hierarchy is tested by tests/integ/test_tree.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgres.h"

static char	dir[64];
static int	dfd = -1;

static void
fake_init(void)
{
	strcpy(dir, "/tmp/poold-test-cgres.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_neq(dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC), -1);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
fake_fini(void)
{
	if (dfd != -1)
		close(dfd);
	dfd = -1;
	if (dir[0] != '\0')
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* A file of the fake cgroup, as the kernel would show it. */
static void
kernel_writes(const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* What poold wrote to a file of the fake cgroup. */
static const char *
poold_wrote(const char *name)
{
	static char buf[256];

	cr_assert_geq(cgres_get(dfd, name, buf, sizeof(buf)), 0, "%s", name);
	return buf;
}

Test(cgres, sizes_as_systemd_takes_them)
{
	uint64_t v = 1;

	cr_assert_eq(cgres_parse_size("infinity", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(cgres_parse_size("4096", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(cgres_parse_size("512M", &v), 0);
	cr_assert_eq(v, 512ULL << 20);
	cr_assert_eq(cgres_parse_size("2g", &v), 0);
	cr_assert_eq(v, 2ULL << 30);
	cr_assert_eq(cgres_parse_size("1T", &v), 0);
	cr_assert_eq(v, 1ULL << 40);
	cr_assert_eq(cgres_parse_size("16K", &v), 0);
	cr_assert_eq(v, 16384);
	cr_assert_eq(cgres_parse_size("", &v), -1);
	cr_assert_eq(cgres_parse_size("-1", &v), -1);
	cr_assert_eq(cgres_parse_size("1.5G", &v), -1);
	cr_assert_eq(cgres_parse_size("10MB", &v), -1);
	cr_assert_eq(cgres_parse_size("10P", &v), -1);
	cr_assert_eq(cgres_parse_size("99999999999T", &v), -1, "wraps");
	cr_assert_eq(cgres_parse_size("18446744073709551616", &v), -1);
}

Test(cgres, controllers_offered_and_enabled, .init = fake_init,
    .fini = fake_fini)
{
	char names[32];

	kernel_writes("cgroup.controllers", "cpuset cpu io memory hugetlb "
	    "pids rdma misc\n");
	kernel_writes("cgroup.subtree_control", "memory\n");
	cr_assert_eq(cgres_controllers(dfd), CGR_MEMORY | CGR_PIDS);
	cr_assert_eq(cgres_enabled(dfd), CGR_MEMORY);
	/* This project's machines: only hugetlb in the v2 hierarchy. */
	kernel_writes("cgroup.controllers", "hugetlb\n");
	cr_assert_eq(cgres_controllers(dfd), 0);
	/* Whole words only. */
	kernel_writes("cgroup.controllers", "memoryx pids\n");
	cr_assert_eq(cgres_controllers(dfd), CGR_PIDS);
	cr_assert_str_eq(cgres_names(CGR_MEMORY | CGR_PIDS, names,
	    sizeof(names)), "memory, pids");
	cr_assert_str_eq(cgres_names(0, names, sizeof(names)), "none");

	kernel_writes("cgroup.subtree_control", "");
	cr_assert_eq(cgres_enable(dfd, CGR_MEMORY), 0);
	cr_assert_str_eq(poold_wrote("cgroup.subtree_control"), "+memory");
	kernel_writes("cgroup.subtree_control", "");
	cr_assert_eq(cgres_disable(dfd, CGR_PIDS), 0);
	cr_assert_str_eq(poold_wrote("cgroup.subtree_control"), "-pids");
	cr_assert_eq(unlinkat(dfd, "cgroup.subtree_control", 0), 0);
	cr_assert_eq(cgres_enable(dfd, CGR_MEMORY), -1, "no such file");
}

Test(cgres, limits_are_written_where_asked, .init = fake_init,
    .fini = fake_fini)
{
	struct cg_limits	l = {
		.cl_memory_high = 256ULL << 20,
		.cl_memory_max = 512ULL << 20,
		.cl_tasks_max = 32,
	};
	const char		*failed = "x";

	/* cgroupfs has the files; poold only writes them (here, over
	   empty ones). */
	kernel_writes("memory.oom.group", "");
	kernel_writes("memory.high", "");
	kernel_writes("memory.max", "");
	kernel_writes("pids.max", "");
	cr_assert_eq(cgres_apply(dfd, &l, CGR_ALL, &failed), 0);
	cr_assert_null(failed);
	cr_assert_str_eq(poold_wrote("memory.oom.group"), "1",
	    "an OOM kill takes the whole tree");
	cr_assert_str_eq(poold_wrote("memory.high"), "268435456");
	cr_assert_str_eq(poold_wrote("memory.max"), "536870912");
	cr_assert_str_eq(poold_wrote("pids.max"), "32");
}

Test(cgres, nothing_is_written_that_was_not_asked, .init = fake_init,
    .fini = fake_fini)
{
	struct cg_limits	none = { 0 };
	const char		*failed = "x";

	kernel_writes("memory.oom.group", "0\n");
	kernel_writes("memory.max", "max\n");
	kernel_writes("pids.max", "max\n");
	cr_assert_eq(cgres_apply(dfd, &none, CGR_ALL, &failed), 0);
	cr_assert_str_eq(poold_wrote("memory.max"), "max\n");
	cr_assert_str_eq(poold_wrote("pids.max"), "max\n");
	/* Without the controllers, and nothing asked: nothing to do. */
	cr_assert_eq(cgres_apply(dfd, &none, 0, &failed), 0);
	cr_assert_null(failed);
}

Test(cgres, a_limit_without_its_controller_fails, .init = fake_init,
    .fini = fake_fini)
{
	struct cg_limits	mem = { .cl_memory_max = 1ULL << 30 };
	struct cg_limits	tasks = { .cl_tasks_max = 8 };
	const char		*failed = NULL;

	cr_assert_eq(cgres_apply(dfd, &mem, CGR_PIDS, &failed), -1);
	cr_assert_str_eq(failed, "memory.max");
	kernel_writes("memory.oom.group", "0\n");
	cr_assert_eq(cgres_apply(dfd, &tasks, CGR_MEMORY, &failed), -1);
	cr_assert_str_eq(failed, "pids.max");
}

Test(cgres, accounting_of_a_tree, .init = fake_init, .fini = fake_fini)
{
	struct cg_usage u;

	cr_assert_eq(cgres_usage(dfd, &u), -1, "no cpu.stat: no cgroup");
	kernel_writes("cpu.stat", "usage_usec 1234567\nuser_usec 1000000\n"
	    "system_usec 234567\n");
	kernel_writes("cgroup.procs", "101\n102\n103\n");
	kernel_writes("cpu.pressure", "some avg10=0.00 avg60=0.00 "
	    "avg300=0.00 total=42\nfull avg10=0.00 avg60=0.00 avg300=0.00 "
	    "total=0\n");
	kernel_writes("memory.pressure", "some avg10=1.00 avg60=0.50 "
	    "avg300=0.10 total=7000\nfull avg10=0.00 avg60=0.00 avg300=0.00 "
	    "total=3000\n");
	cr_assert_eq(cgres_usage(dfd, &u), 0);
	cr_assert_eq(u.cu_cpu_usec, 1234567);
	cr_assert_eq(u.cu_procs, 3);
	cr_assert_eq(u.cu_memory, -1, "no memory controller");
	cr_assert_eq(u.cu_pressure[CGP_CPU_SOME], 42);
	cr_assert_eq(u.cu_pressure[CGP_MEMORY_SOME], 7000);
	cr_assert_eq(u.cu_pressure[CGP_MEMORY_FULL], 3000);
	cr_assert_eq(u.cu_pressure[CGP_IO_SOME], -1, "no io.pressure");
	cr_assert_eq(u.cu_pressure[CGP_IO_FULL], -1);
	kernel_writes("memory.current", "52428800\n");
	cr_assert_eq(cgres_usage(dfd, &u), 0);
	cr_assert_eq(u.cu_memory, 52428800);
}

Test(cgres, memory_and_pids_events, .init = fake_init, .fini = fake_fini)
{
	struct cg_counts c;

	cgres_counts(dfd, &c);
	cr_assert_eq(c.cc_high + c.cc_oom_kill + c.cc_pids_max, 0,
	    "no files: nothing happened");
	kernel_writes("memory.events", "low 0\nhigh 5\nmax 2\noom 1\n"
	    "oom_kill 1\noom_group_kill 1\n");
	kernel_writes("pids.events", "max 3\n");
	cgres_counts(dfd, &c);
	cr_assert_eq(c.cc_high, 5);
	cr_assert_eq(c.cc_oom_kill, 1, "oom_kill, not oom");
	cr_assert_eq(c.cc_pids_max, 3);
}
