#include "config.h"

#include <criterion/criterion.h>

#include "harness.h"
#include "hjson.h"

json_t *
h_ctl_json(struct poold *pd, const char *request)
{
	static char	 line[65536];
	json_error_t	 je;
	json_t		*r;

	cr_assert_eq(h_ctl(pd, request, line, sizeof(line)), 0,
	    "no reply to %s", request);
	r = json_loads(line, 0, &je);
	cr_assert_not_null(r, "not JSON (%s): %s", je.text, line);
	return r;
}
