/* SPDX-License-Identifier: ISC */
/* The way out of a configuration mistake (see confhint.h). */
#include "config.h"

#include <string.h>

#include "confhint.h"

#define NAME_MAX_HINT	64	/* longer names get no hint */

/* Levenshtein distance, in two rows. */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);
	size_t	row[2][NAME_MAX_HINT + 1];
	size_t	*prev = row[0], *cur = row[1], *t;

	if (la > NAME_MAX_HINT || lb > NAME_MAX_HINT)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? sub : del;
			if (ins < cur[j])
				cur[j] = ins;
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *
hint_closest(const char *name, const cfg_opt_t *opts)
{
	const char	*best = NULL;
	size_t		 bestd = (size_t)-1, d;
	/* One slip in a short name, two in a longer one: further than
	   that, a guess misleads more than it helps. */
	size_t		 limit = strlen(name) < 6 ? 1 : 2;

	for (const cfg_opt_t *o = opts; o->name != NULL; o++) {
		if ((d = distance(name, o->name)) <= limit && d < bestd) {
			best = o->name;
			bestd = d;
		}
	}
	return best;
}

bool
hint_has(const cfg_opt_t *opts, const char *name)
{
	for (const cfg_opt_t *o = opts; o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0)
			return true;
	}
	return false;
}
