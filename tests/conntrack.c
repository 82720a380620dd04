/* SPDX-License-Identifier: ISC */
/* netfilter connection tracking's figures, for the tests (conntrack.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conntrack.h"

#define CT_COLS		32
#define CT_LINE		1024

static const char ct_dir[] = "/proc/sys/net/netfilter/";
static const char ct_stat[] = "/proc/net/stat/nf_conntrack";

static long
ct_read_long(const char *name)
{
	char	 path[128];
	long	 v = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "%s%s", ct_dir, name);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Which columns of the header are the dropped packets' counters. */
static int
ct_drop_columns(char *header, bool drop[CT_COLS])
{
	int	 n = 0;
	char	*save = NULL;

	for (char *t = strtok_r(header, " \t\n", &save); t != NULL &&
	    n < CT_COLS; t = strtok_r(NULL, " \t\n", &save), n++)
		drop[n] = strcmp(t, "drop") == 0 ||
		    strcmp(t, "early_drop") == 0 ||
		    strcmp(t, "insert_failed") == 0;
	return n;
}

/* The counters are per CPU, one row each, in hexadecimal. */
static unsigned long
ct_read_drops(void)
{
	char		 line[CT_LINE], *save, *t;
	bool		 drop[CT_COLS] = { false };
	unsigned long	 sum = 0;
	int		 ncols, i;
	FILE		*f;

	if ((f = fopen(ct_stat, "re")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return 0;
	}
	ncols = ct_drop_columns(line, drop);
	while (fgets(line, sizeof(line), f) != NULL) {
		save = NULL;
		for (i = 0, t = strtok_r(line, " \t\n", &save); t != NULL &&
		    i < ncols; t = strtok_r(NULL, " \t\n", &save), i++)
			if (drop[i])
				sum += strtoul(t, NULL, 16);
	}
	fclose(f);
	return sum;
}

void
ct_sample(struct ct_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->ct_count = ct_read_long("nf_conntrack_count");
	s->ct_max = ct_read_long("nf_conntrack_max");
	s->ct_present = s->ct_count >= 0 && s->ct_max > 0;
	if (s->ct_present)
		s->ct_drops = ct_read_drops();
}
