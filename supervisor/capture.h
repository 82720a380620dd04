/* SPDX-License-Identifier: ISC */
/*
 * Worker output captured into poold's log (capture_output, as Gunicorn's
 * --capture-output): each exec worker's stdout and stderr are the write
 * end of one pipe, whose read end the arbiter holds in its loop; it cuts
 * what comes into lines and logs each, prefixed with the pool, the slot
 * and the worker's pid.  Bounded everywhere: a line longer than
 * CAPTURE_LINE_MAX is logged in pieces, a wakeup reads at most
 * CAPTURE_BURST bytes of one pipe (the rest waits for the next turn of
 * the loop, and the worker's writes block when its pipe is full, as
 * they would on a slow journal), the lines of a wakeup go to the log in
 * one write, and a silent worker costs nothing.  Lines the log refuses
 * (a write error) are counted, not retried.
 */
#ifndef POOLD_CAPTURE_H
#define POOLD_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CAPTURE_LINE_MAX	2048	/* bytes of a line, then it is cut */
#define CAPTURE_BURST		16384	/* bytes read per wakeup per pipe */
#define CAPTURE_OUT_MAX		32768	/* bytes of log lines per write */

struct capture_stats {
	uint64_t	cs_lines;	/* logged */
	uint64_t	cs_cut;		/* lines longer than CAPTURE_LINE_MAX */
	uint64_t	cs_lost;	/* lines the log would not take */
};

/*
 * Whether to capture, for the configuration's "auto": yes unless poold's
 * stderr is a terminal or journald's stream, where workers' output is
 * seen already, or /dev/null, where nobody would see it.
 */
bool	 capture_auto(void);
/* After the fork of a worker given a pipe (spawn_pipe()) for stdout and
   stderr: the write end closed here, the read end watched for
   the worker (pid -1: the fork failed, and it is closed).  The pipe is
   read until its end, which may come after the worker's: its children
   hold it too. */
void	 capture_started(int rd, int wr, const char *pool, unsigned slot,
	    pid_t pid);
const struct capture_stats *capture_stats(void);

#endif
