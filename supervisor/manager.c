/* SPDX-License-Identifier: ISC */
/*
 * What poold says to the service manager above it (see manager.h).
 * NOTIFY_SOCKET is read on each message (sdenv.c), so it stays in our
 * environment; the workers never see it (spawn.c gives exec workers our
 * own notify socket, workernotify.c, and the built-in ones drop it).  The watchdog is pinged at half its interval, as
 * sd_watchdog_enabled(3) advises, from the arbiter's one timer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "manager.h"
#include "sdenv.h"

#define STATUS_MAX	256

static bool	 present;
static uint64_t	 watchdog_ms;	/* half of WATCHDOG_USEC; 0: none */
static uint64_t	 watchdog_next;
static char	 last_status[STATUS_MAX];

static void
tell(const char *msg)
{
	int r;

	if (!present)
		return;
	/* A manager that went away is no reason to stop serving. */
	if ((r = sd_send(msg)) < 0)
		log_debug("notify the manager: %s", strerror(-r));
}

void
manager_init(void)
{
	uint64_t usec = 0;

	present = getenv("NOTIFY_SOCKET") != NULL;
	if ((usec = sd_watchdog_usec()) >= 2000) {
		watchdog_ms = usec / 2000;
		watchdog_next = 0;
	}
}

bool
manager_present(void)
{
	return present;
}

void
manager_ready(const char *status)
{
	char msg[STATUS_MAX + 32];

	snprintf(last_status, sizeof(last_status), "%s", status);
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	tell(msg);
}

void
manager_status(const char *status)
{
	char msg[STATUS_MAX + 16];

	if (strcmp(status, last_status) == 0)
		return;
	snprintf(last_status, sizeof(last_status), "%s", status);
	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	tell(msg);
}

void
manager_reloading(void)
{
	struct timespec	ts;
	char		msg[64];

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return;
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	tell(msg);
}

void
manager_stopping(void)
{
	tell("STOPPING=1\nSTATUS=stopping");
}

bool
manager_follows_pid(void)
{
	return present || getenv("INVOCATION_ID") != NULL;
}

uint64_t
manager_watchdog(uint64_t now)
{
	if (!present || watchdog_ms == 0)
		return UINT64_MAX;
	if (now >= watchdog_next) {
		tell("WATCHDOG=1");
		watchdog_next = now + watchdog_ms;
	}
	return watchdog_next;
}
