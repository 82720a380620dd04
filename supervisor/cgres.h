/* SPDX-License-Identifier: ISC */
/*
 * What a cgroup has and uses: its controllers, the limits poold sets in
 * a worker's cgroup, its accounting and its events.  Every function
 * takes the cgroup's directory as an fd and reads or writes its files
 * by name, so the unit tests run them on a plain directory of files
 * shaped as cgroupfs's (cgroup.c decides which cgroup; this, what is in
 * it).
 */
#ifndef POOLD_CGRES_H
#define POOLD_CGRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The controllers poold enables for its workers, as a mask. */
#define CGR_MEMORY	0x1
#define CGR_PIDS	0x2
#define CGR_ALL		(CGR_MEMORY | CGR_PIDS)

/* A pool's limits, systemd's MemoryHigh=, MemoryMax=, TasksMax=; 0 is
   none. */
struct cg_limits {
	uint64_t	cl_memory_high;		/* bytes */
	uint64_t	cl_memory_max;		/* bytes */
	uint64_t	cl_tasks_max;
};

/* PSI's stall totals, one per file and line. */
enum cg_pressure {
	CGP_CPU_SOME,
	CGP_MEMORY_SOME,
	CGP_MEMORY_FULL,
	CGP_IO_SOME,
	CGP_IO_FULL,
	CGP_N
};

struct cg_usage {
	uint64_t	cu_cpu_usec;		/* cpu.stat usage_usec */
	unsigned	cu_procs;		/* lines of cgroup.procs */
	int64_t		cu_memory;		/* memory.current; -1: none */
	int64_t		cu_pressure[CGP_N];	/* µs stalled; -1: no file */
};

/* Counters of memory.events and pids.events; 0 where there is none. */
struct cg_counts {
	uint64_t	cc_high;	/* times throttled over memory.high */
	uint64_t	cc_oom_kill;	/* processes the OOM killer took */
	uint64_t	cc_pids_max;	/* forks refused at pids.max */
};

/* Write text to dirfd/name; 0, or -1 with errno. */
int	 cgres_put(int dirfd, const char *name, const char *text);
/* Read dirfd/name into buf (NUL-terminated, truncated to fit); its
   length, or -1. */
ssize_t	 cgres_get(int dirfd, const char *name, char *buf, size_t len);
/* The number after "key " starting a line of text; -1 if there is
   none. */
long long cgres_keyed(const char *text, const char *key);

/* Which of CGR_ALL dirfd's cgroup.controllers lists. */
unsigned cgres_controllers(int dirfd);
/* Enable (disable) the controllers of mask for dirfd's children; 0, or
   -1 if one of them could not be. */
int	 cgres_enable(int dirfd, unsigned mask);
int	 cgres_disable(int dirfd, unsigned mask);
/* The controllers of mask enabled for dirfd's children. */
unsigned cgres_enabled(int dirfd);
/*
 * Which controllers poold turned on in dirfd's cgroup.subtree_control,
 * any poold of any generation: recorded on the cgroup itself (an extended
 * attribute, trusted.poold.controllers, else user.*), so that the last
 * to leave turns them off again, whoever turned them on.  _ours() says
 * (0 if none); _mark() records mask, 0 clears.
 */
unsigned cgres_ours(int dirfd);
void	 cgres_mark(int dirfd, unsigned mask);
/* Names of the controllers in mask ("memory, pids"), or "none". */
const char *cgres_names(unsigned mask, char *buf, size_t len);

/* Set l in a worker's cgroup: only what is asked, with memory.oom.group
   when the memory controller is there (an OOM kill takes the worker's
   whole tree, not one process of it); 0, or -1 naming the file. */
int	 cgres_apply(int dirfd, const struct cg_limits *l, unsigned ctl,
	    const char **failed);
/* The accounting of dirfd's cgroup; 0, or -1 if it has no cpu.stat. */
int	 cgres_usage(int dirfd, struct cg_usage *);
/* Its memory and pids events. */
void	 cgres_counts(int dirfd, struct cg_counts *);

/*
 * A size as systemd takes it: bytes, or a number with K, M, G or T
 * (powers of 1024); "infinity" is 0 (no limit).  0, or -1 if s is not
 * one.
 */
int	 cgres_parse_size(const char *s, uint64_t *out);

#endif
