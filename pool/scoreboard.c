#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "scoreboard.h"

static struct sb_entry	*sb;
static uint8_t		 sb_used[SB_ENTRIES];	/* arbiter only */
static size_t		 sb_hint;

int
sb_create(void)
{
	/* Anonymous and shared: inherited by every fork, never a file. */
	void *p = mmap(NULL, SB_ENTRIES * sizeof(*sb), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	sb = p;
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
	if (e != NULL)
		atomic_store_explicit(&e->se_heartbeat, sb_now_ms(),
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
