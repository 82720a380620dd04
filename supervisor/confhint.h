/* SPDX-License-Identifier: ISC */
/*
 * The way out of a configuration mistake: the option a misspelt name
 * was probably meant to be.  Pure string work, for conf.c's messages.
 */
#ifndef POOLD_CONFHINT_H
#define POOLD_CONFHINT_H

#include <stdbool.h>
#include <confuse.h>

/* The option of opts (a CFG_END-terminated table) nearest to name, if
   near enough to be a slip of the fingers; NULL if none is. */
const char *hint_closest(const char *name, const cfg_opt_t *opts);
/* Whether opts has an option called name. */
bool	 hint_has(const cfg_opt_t *opts, const char *name);

#endif
