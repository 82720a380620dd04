/* SPDX-License-Identifier: ISC */
/*
 * The configuration in force, written back in poold.conf(5) syntax:
 * every option under the file's own name, defaults and what the command
 * line set included, modes in octal, so that the text loads as it is
 * (`poold --check-config -c`).  What has no value (no pidfile, no user)
 * is a comment, as libconfuse has no way to write "unset".  Used by
 * `poold --print-config`, `poolctl config` and the debug log.
 */
#ifndef POOLD_CONFPRINT_H
#define POOLD_CONFPRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

/*
 * Write c to f.  mask_secrets: the value of an env variable whose name
 * says KEY, TOKEN, SECRET or PASSWORD is written as ***, for a log that
 * others read (the text then no longer loads as it was).  0, or -1 if
 * a write failed.
 */
int	 confprint(const struct poold_conf *c, bool mask_secrets, FILE *f);
/* The same into a string of our own (free(3) it); NULL if out of
   memory. */
char	*confprint_string(const struct poold_conf *c, bool mask_secrets);
/* Whether NAME=value in an environment looks like a secret. */
bool	 confprint_secret(const char *assignment);
/* assignment as a log shows it: itself, or NAME=*** in buf if it looks
   like a secret. */
const char *confprint_masked(const char *assignment, char *buf, size_t len);

#endif
