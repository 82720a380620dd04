/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "scoreboard.h"

static struct sb_entry	*sb;
static struct sb_group	*sg;			/* right after the entries */
static uint8_t		 sb_used[SB_ENTRIES];	/* arbiter only */
static uint8_t		 sg_used[SB_GROUPS];	/* arbiter only */
static size_t		 sb_hint;

int
sb_create(void)
{
	/* Anonymous and shared: inherited by every fork, never a file. */
	void *p = mmap(NULL, SB_ENTRIES * sizeof(*sb) + SB_GROUPS * sizeof(*sg),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	sb = p;
	sg = (struct sb_group *)(sb + SB_ENTRIES);
	return 0;
}

int
sb_alloc(void)
{
	if (sb == NULL)
		return -1;
	for (size_t k = 0; k < SB_ENTRIES; k++) {
		size_t i = (sb_hint + k) % SB_ENTRIES;
		if (sb_used[i])
			continue;
		sb_used[i] = 1;
		sb_hint = i + 1;
		atomic_store_explicit(&sb[i].se_heartbeat, sb_now_ms(),
		    memory_order_relaxed);
		atomic_store_explicit(&sb[i].se_requests, 0,
		    memory_order_relaxed);
		atomic_store_explicit(&sb[i].se_bytes, 0, memory_order_relaxed);
		atomic_store_explicit(&sb[i].se_busy, 0, memory_order_relaxed);
		atomic_store_explicit(&sb[i].se_conns, 0, memory_order_relaxed);
		return (int)i;
	}
	return -1;
}

void
sb_release(int i)
{
	if (i >= 0 && i < SB_ENTRIES)
		sb_used[i] = 0;
}

struct sb_entry *
sb_entry(int i)
{
	return sb != NULL && i >= 0 && i < SB_ENTRIES ? &sb[i] : NULL;
}

int
sb_group_alloc(void)
{
	if (sg == NULL)
		return -1;
	for (size_t i = 0; i < SB_GROUPS; i++) {
		if (sg_used[i])
			continue;
		sg_used[i] = 1;
		atomic_store_explicit(&sg[i].sg_conns, 0, memory_order_relaxed);
		atomic_store_explicit(&sg[i].sg_workers, 0,
		    memory_order_relaxed);
		return (int)i;
	}
	return -1;
}

void
sb_group_release(int i)
{
	if (i >= 0 && i < SB_GROUPS)
		sg_used[i] = 0;
}

struct sb_group *
sb_group(int i)
{
	return sg != NULL && i >= 0 && i < SB_GROUPS ? &sg[i] : NULL;
}

void
sb_joined(struct sb_group *g)
{
	if (g != NULL)
		atomic_fetch_add_explicit(&g->sg_workers, 1,
		    memory_order_relaxed);
}

/* The worker is dead: its count is final, and its connections gone. */
void
sb_left(struct sb_group *g, const struct sb_entry *e)
{
	if (g == NULL)
		return;
	atomic_fetch_sub_explicit(&g->sg_workers, 1, memory_order_relaxed);
	if (e != NULL)
		atomic_fetch_sub_explicit(&g->sg_conns,
		    atomic_load_explicit(&e->se_conns, memory_order_relaxed),
		    memory_order_relaxed);
}

uint64_t
sb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
sb_beat(struct sb_entry *e)
{
	sb_beat_at(e, sb_now_ms());
}

void
sb_beat_at(struct sb_entry *e, uint64_t ms)
{
	if (e != NULL)
		atomic_store_explicit(&e->se_heartbeat, ms,
		    memory_order_relaxed);
}

void
sb_begin(struct sb_entry *e)
{
	if (e != NULL)
		atomic_fetch_add_explicit(&e->se_busy, 1, memory_order_relaxed);
}

void
sb_end(struct sb_entry *e, uint64_t bytes)
{
	if (e == NULL)
		return;
	atomic_fetch_sub_explicit(&e->se_busy, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->se_requests, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->se_bytes, bytes, memory_order_relaxed);
}

/*
 * The group's count goes up first and down last, so that a worker killed
 * between the two steps leaves the group counting one too many (a share
 * a little too large), never one too few (a count that wraps).
 */
void
sb_conn_open(struct sb_entry *e, struct sb_group *g)
{
	if (g != NULL)
		atomic_fetch_add_explicit(&g->sg_conns, 1, memory_order_relaxed);
	if (e != NULL)
		atomic_fetch_add_explicit(&e->se_conns, 1, memory_order_relaxed);
}

void
sb_conn_close(struct sb_entry *e, struct sb_group *g)
{
	if (e != NULL)
		atomic_fetch_sub_explicit(&e->se_conns, 1, memory_order_relaxed);
	if (g != NULL)
		atomic_fetch_sub_explicit(&g->sg_conns, 1, memory_order_relaxed);
}

/*
 * Does a worker holding `mine` connections hold more than its share of
 * the pool's?  The slack keeps small pools and short connections from
 * bouncing between workers: 8 connections, plus an eighth of the share.
 * The counts are read without a lock and may be a moment old; the answer
 * only decides who accepts next, never whether anyone does.
 */
bool
sb_over_share(const struct sb_group *g, size_t mine)
{
	uint32_t conns, workers;
	size_t share;

	if (g == NULL)
		return false;
	conns = atomic_load_explicit(&g->sg_conns, memory_order_relaxed);
	workers = atomic_load_explicit(&g->sg_workers, memory_order_relaxed);
	if (workers < 2)
		return false;
	share = ((size_t)conns + workers - 1) / workers;
	return mine > share + 8 + share / 8;
}
