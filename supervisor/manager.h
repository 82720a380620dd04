/* SPDX-License-Identifier: ISC */
/*
 * The service manager above us (systemd, when it sets NOTIFY_SOCKET):
 * readiness, a status line, reloads, stopping and its watchdog, in the
 * sd_notify(3) protocol.  Without NOTIFY_SOCKET every call does nothing.
 */
#ifndef POOLD_MANAGER_H
#define POOLD_MANAGER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Read NOTIFY_SOCKET and WATCHDOG_USEC; before any worker starts. */
void	 manager_init(void);
bool	 manager_present(void);
/* READY=1 with a status line; again after each reload. */
void	 manager_ready(const char *status);
/* STATUS=, only when it changed. */
void	 manager_status(const char *status);
/* RELOADING=1 with MONOTONIC_USEC=, as Type=notify-reload wants. */
void	 manager_reloading(void);
void	 manager_stopping(void);
/*
 * Whether a service manager follows poold by its pid: NOTIFY_SOCKET
 * (Type=notify), or INVOCATION_ID (any systemd unit).  Then a USR2
 * upgrade, whose new arbiter has another pid, is refused (see usr2.h).
 */
bool	 manager_follows_pid(void);
/* WATCHDOG=1 if due; the next time one is (ms), or UINT64_MAX. */
uint64_t manager_watchdog(uint64_t now);

#endif
