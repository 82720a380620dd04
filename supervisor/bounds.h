/* SPDX-License-Identifier: ISC */
/*
 * Every numeric option's range, in one table: the file's values are
 * checked against it where libconfuse reads them (so an error names the
 * file and line), the command line's where options.c parses them.  nan
 * and inf are out of every range, and no range lets a duration's
 * milliseconds overflow what holds them.
 */
#ifndef POOLD_BOUNDS_H
#define POOLD_BOUNDS_H

#include <stddef.h>

enum bound_kind {
	BK_COUNT,	/* an integer */
	BK_SECONDS,	/* a duration, kept in ms */
	BK_MODE,	/* file permission bits, shown in octal */
};

struct bound {
	const char	*b_section;	/* "pool", "control" */
	const char	*b_name;	/* as in the file */
	enum bound_kind	 b_kind;
	double		 b_min, b_max;
};

/* The rule for an option, or NULL if it has none. */
const struct bound *bound_find(const char *section, const char *name);
/* The rules, for registering them with libconfuse. */
size_t		 bound_count(void);
const struct bound *bound_at(size_t);
/* 0 if v is within l, else -1 with "must be ..." in why. */
int		 bound_check(const struct bound *, double v, char *why,
		    size_t len);
/* A command-line value for pool option name: 0 with *out, else -1 with
   why ("expected seconds, 0-86400"). */
int		 bound_parse(const char *name, const char *text, double *out,
		    char *why, size_t len);

#endif
