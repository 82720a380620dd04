/* SPDX-License-Identifier: ISC */
/*
 * A test module that is not thread-safe on purpose: every call answers
 * from one static buffer.  poold must run it under its lock until the
 * answer is copied, or gthread's threads mix their answers.
 */
#include <poold/app.h>

#include <stdio.h>
#include <string.h>

static char shared[256];

static int
shared_handle(const struct poold_request *rq, struct poold_response *rs)
{
	int n = snprintf(shared, sizeof(shared), "%.*s\n",
	    (int)rq->target_len, rq->target);

	rs->body = shared;
	rs->body_len = n > 0 && (size_t)n < sizeof(shared) ? (size_t)n : 0;
	return 0;
}

const struct poold_app poold_app = {
	.abi_version = POOLD_APP_ABI_VERSION,
	.name = "shared",
	.handle = shared_handle,
};
