/* SPDX-License-Identifier: ISC */
/*
 * What /proc says about a worker: only what status and max_rss need, read
 * on demand, never polled unless a pool asks for it.
 */
#ifndef POOLD_PROCSTAT_H
#define POOLD_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

/* Resident set size of pid in KiB: 0, or -1 (gone, or no /proc). */
int	 proc_rss_kib(pid_t, uint64_t *kib);

#endif
