/* SPDX-License-Identifier: ISC */
/*
 * The built-in worker's entry: prepare what it answers (serve.c), run the
 * loop of its class, and end the app module.
 */
#include "config.h"

#include "worker.h"

static bool	fini_unsafe;

void
hw_no_fini(void)
{
	fini_unsafe = true;
}

int
http_worker_run(const struct http_worker_conf *wc)
{
	int rc = 1;

	if (hw_init(wc) == -1)
		return 1;
	switch (wc->hw_class) {
	case HW_SYNC:
		rc = hw_sync_run(wc);
		break;
	case HW_GTHREAD:
		rc = hw_gthread_run(wc);
		break;
	case HW_ASYNC:
		rc = hw_async_run(wc);
		break;
	}
	if (!fini_unsafe)
		app_fini();
	return rc;
}
