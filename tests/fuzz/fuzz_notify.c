/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the notify protocol's parser (proto/notifymsg.c):
 * make fuzz, then
 *   tests/fuzz/fuzz_notify -max_total_time=60 /tmp/c tests/fuzz/corpus/notify
 *
 * Any datagram a worker (or anyone) can send: the parse must stay inside
 * its struct, keep STATUS= printable and terminated, set only known
 * flags with values in range, and say the same thing twice.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "notifymsg.h"

#define CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

#define NM_ALL	(NM_READY | NM_STOPPING | NM_WATCHDOG | NM_TRIGGER | \
		 NM_STATUS | NM_ERRNO | NM_EXTEND | NM_RELOADING | NM_RECYCLE)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_msg	a, b;
	size_t			n;

	if (size > NOTIFY_MSG_MAX)
		return 0;	/* the socket refuses these whole */
	notify_parse((const char *)data, size, &a);
	notify_parse((const char *)data, size, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK((a.nm_flags & ~(unsigned)NM_ALL) == 0);
	n = strnlen(a.nm_status, sizeof(a.nm_status));
	CHECK(n < sizeof(a.nm_status));
	for (size_t i = 0; i < n; i++)
		CHECK(a.nm_status[i] >= 0x20 && a.nm_status[i] < 0x7f);
	CHECK(!(a.nm_flags & NM_STATUS) || memchr(data, '=', size) != NULL);
	if (a.nm_flags & NM_ERRNO)
		CHECK(a.nm_errno >= 0 && a.nm_errno <= 4095);
	if (a.nm_flags & NM_RECYCLE)
		CHECK(a.nm_recycle == NR_ASKED || a.nm_recycle == NR_REQUESTS);
	/* A message with no newline and no '=' says nothing. */
	if (memchr(data, '=', size) == NULL)
		CHECK(a.nm_flags == 0);
	return 0;
}
