/* SPDX-License-Identifier: ISC */
/*
 * `poolctl upgrade [PATH]`: an upgrade that keeps the pid.  The arbiter
 * checks the new binary against the running configuration, then
 * executes it in its own process, carrying its listening, control and
 * notify sockets and its workers across exec in a memfd.  The workers,
 * still its children, serve throughout; the new program adopts them and
 * replaces them by the rolling rule, so that every worker runs the new
 * code.  No pidfile dance, and systemd sees RELOADING=1 ... READY=1.
 */
#ifndef POOLD_INPLACE_H
#define POOLD_INPLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INPLACE_CHECK_MS	10000	/* the new binary's --check-config */
#define INPLACE_CONFIRM_MS	60000	/* the guardian waits at most this */
#define INPLACE_STATE_VERSION	3	/* what this binary carries and takes:
					   3 has the sentinel, which a
					   program that does not know it
					   would leak to its workers */
/* What --check-config adds, when run as the probe, so that an upgrade
   knows the binary takes this state (exit 0 alone: /bin/true has it). */
#define INPLACE_STATE_LINE	"in-place state %d"

/* Run PATH --check-config with our arguments; 0, or -1 with err (its
   first line of output, when it said why). */
int	 inplace_check(const char *path, char *err, size_t len);
/* In --check-config: the state line, if we are an upgrade's probe. */
void	 inplace_probe_answer(void);
/* Execute PATH with our state, a guardian watching.  Returns only on failure, everything as
   it was, with err set. */
int	 inplace_exec(const char *path, char *err, size_t len);

/* In the new program, first thing: 1 if state was carried to us (its
   sockets are then passed to the listeners), 0 if not, -1 with err. */
int	 inplace_load(char *err, size_t len);
/* Carried state not yet adopted: the arbiter is still starting. */
bool	 inplace_restoring(void);
/* Once the pools exist: adopt the workers, then replace them. */
void	 inplace_adopt(uint64_t now);
/* What the previous program had counted, carried by an in-place upgrade
   (0 without one): its arbiter's uptime, and its successful reloads. */
uint64_t inplace_uptime_ms(void);
/* Whether this program was started by an in-place upgrade (and adopted
   the previous one's workers). */
bool	 inplace_upgraded(void);
unsigned inplace_reloads(void);
/* Each step: once every worker runs the new binary, and is ready, or
   INPLACE_CONFIRM_MS after adopting (a pool that never gets ready must
   not hold upgrades back forever), let the guardian go; the next time
   to look. */
uint64_t inplace_confirm(uint64_t now);
/* The new program could not start: execute the previous binary again
   with the same state, sockets and workers.  Returns only on failure. */
void	 inplace_fallback(const char *why);

#endif
