/* SPDX-License-Identifier: ISC */
/* Every numeric option's range (bounds.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "http.h"
#include "bounds.h"

#define DAY	86400.0

static const struct bound bounds[] = {
	{ "pool", "workers", BK_COUNT, 0, POOL_SLOTS_MAX },
	{ "pool", "min_workers", BK_COUNT, 0, POOL_SLOTS_MAX },
	{ "pool", "max_workers", BK_COUNT, 0, POOL_SLOTS_MAX },
	{ "pool", "threads", BK_COUNT, 1, 1024 },
	/* A day is far beyond any sane timeout and keeps ms in 32 bits. */
	{ "pool", "timeout", BK_SECONDS, 0, DAY },
	{ "pool", "graceful_timeout", BK_SECONDS, 0, DAY },
	{ "pool", "boot_timeout", BK_SECONDS, 0.001, DAY },
	{ "pool", "boot_window", BK_SECONDS, 0.001, 3600 },
	{ "pool", "max_requests", BK_COUNT, 0, INT_MAX },
	{ "pool", "max_requests_jitter", BK_COUNT, 0, INT_MAX },
	{ "pool", "max_lifetime", BK_SECONDS, 0, CONF_LIFETIME_LIMIT },
	{ "pool", "max_lifetime_jitter", BK_SECONDS, 0, CONF_LIFETIME_LIMIT },
	{ "pool", "max_rss", BK_COUNT, 0, CONF_MAX_RSS_LIMIT },
	{ "pool", "max_surge", BK_COUNT, 1, POOL_SLOTS_MAX },
	{ "pool", "min_ready", BK_COUNT, 0, POOL_SLOTS_MAX },
	{ "pool", "min_spare", BK_COUNT, 0, POOL_SLOTS_MAX },
	{ "pool", "max_spare", BK_COUNT, 1, POOL_SLOTS_MAX },
	{ "pool", "scale_up_after", BK_SECONDS, 0.001, DAY },
	{ "pool", "scale_down_after", BK_SECONDS, 0.001, DAY },
	{ "pool", "scale_cooldown", BK_SECONDS, 0.001, DAY },
	{ "pool", "scale_interval", BK_SECONDS, 0.01, DAY },
	{ "pool", "idle_timeout", BK_SECONDS, 0.001, DAY },
	{ "pool", "backlog", BK_COUNT, 1, INT_MAX },
	{ "pool", "socket_mode", BK_MODE, 0, 0777 },
	{ "pool", "umask", BK_MODE, 0, 0777 },
	{ "pool", "keepalive", BK_SECONDS, 0, 3600 },
	{ "pool", "read_timeout", BK_SECONDS, 0.001, 3600 },
	{ "pool", "worker_connections", BK_COUNT, 1, 1000000 },
	{ "pool", "limit_request_line", BK_COUNT, 16, HTTP_LINE_MAX },
	{ "pool", "limit_request_fields", BK_COUNT, 1, HTTP_FIELDS_MAX },
	{ "pool", "limit_request_field_size", BK_COUNT, 16,
	    HTTP_FIELD_SIZE_MAX },
	{ "pool", "limit_request_body", BK_COUNT, 0, (double)LLONG_MAX },
	{ "control", "mode", BK_MODE, 0, 0777 },
	{ "control", "idle_timeout", BK_SECONDS, 0.001, DAY },
	{ "root", "umask", BK_MODE, 0, 0777 },
	{ "root", "drain_delay", BK_SECONDS, 0, DAY },
	{ "root", "drain_probes", BK_COUNT, 0, 1000000 },
};

#define NBOUNDS	(sizeof(bounds) / sizeof(bounds[0]))

const struct bound *
bound_find(const char *section, const char *name)
{
	for (size_t i = 0; i < NBOUNDS; i++) {
		if (strcmp(bounds[i].b_section, section) == 0 &&
		    strcmp(bounds[i].b_name, name) == 0)
			return &bounds[i];
	}
	return NULL;
}

size_t
bound_count(void)
{
	return NBOUNDS;
}

const struct bound *
bound_at(size_t i)
{
	return i < NBOUNDS ? &bounds[i] : NULL;
}

static void
describe(const struct bound *b, char *buf, size_t len)
{
	switch (b->b_kind) {
	case BK_SECONDS:
		snprintf(buf, len, "seconds, %.10g-%.10g", b->b_min, b->b_max);
		break;
	case BK_MODE:
		snprintf(buf, len, "a mode, %04o-%04o", (unsigned)b->b_min,
		    (unsigned)b->b_max);
		break;
	case BK_COUNT:
		snprintf(buf, len, "%.0f-%.0f", b->b_min, b->b_max);
		break;
	}
}

int
bound_check(const struct bound *b, double v, char *why, size_t len)
{
	char range[64];

	/* isfinite first: nan is neither below nor above anything. */
	if (isfinite(v) && v >= b->b_min && v <= b->b_max)
		return 0;
	describe(b, range, sizeof(range));
	snprintf(why, len, "must be %s", range);
	return -1;
}

int
bound_parse(const char *name, const char *text, double *out, char *why,
    size_t len)
{
	const struct bound	*b = bound_find("pool", name);
	char			 range[64], *end;
	double			 v;

	if (b == NULL) {
		snprintf(why, len, "no such option");
		return -1;
	}
	errno = 0;
	v = b->b_kind == BK_SECONDS ? strtod(text, &end) :
	    (double)strtoll(text, &end, b->b_kind == BK_MODE ? 8 : 10);
	if (errno != 0 || end == text || *end != '\0' || !isfinite(v) ||
	    v < b->b_min || v > b->b_max) {
		describe(b, range, sizeof(range));
		snprintf(why, len, "expected %s", range);
		return -1;
	}
	*out = v;
	return 0;
}
