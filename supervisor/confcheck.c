/* --check-config's checks of the world (confcheck.h). */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "conf.h"
#include "confcheck.h"

/* Whether pool i's listener j was already named before it. */
static bool
seen_before(const struct poold_conf *c, size_t i, size_t j, const char *key)
{
	char other[ADDR_HOST_MAX + ADDR_PATH_MAX + 32];

	for (size_t pi = 0; pi <= i; pi++) {
		const struct pool_conf *pc = &c->c_pools[pi];
		size_t end = pi == i ? j : pc->pc_nlisten;

		for (size_t pj = 0; pj < end; pj++) {
			addr_format(&pc->pc_listen[pj], other, sizeof(other));
			if (strcmp(key, other) == 0)
				return true;
		}
	}
	return false;
}

size_t
confcheck_nlisteners(const struct poold_conf *c)
{
	char	key[ADDR_HOST_MAX + ADDR_PATH_MAX + 32];
	size_t	n = 0;

	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];

		for (size_t j = 0; j < pc->pc_nlisten; j++) {
			addr_format(&pc->pc_listen[j], key, sizeof(key));
			if (!seen_before(c, i, j, key))
				n++;
		}
	}
	return n;
}
