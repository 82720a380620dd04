/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for configuration loading and validation
 * (supervisor/conf.c with libconfuse): make fuzz, then
 *   tests/fuzz/fuzz_conf -max_total_time=60 /tmp/c tests/fuzz/corpus/conf
 *
 * Each input is a config file.  Loading must either fail with a message
 * or give a configuration that keeps the promises the arbiter relies on
 * (at least one pool, each with a listener, bounds in order and within
 * the limit, a known class), and free it all again (ASan checks that).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "options.h"

#define CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_pool(const struct pool_conf *pc)
{
	CHECK(pc->pc_name != NULL && pc->pc_name[0] != '\0');
	CHECK(pc->pc_nlisten >= 1 && pc->pc_listen != NULL);
	CHECK(pc->pc_min_workers >= 0);
	CHECK(pc->pc_min_workers <= pc->pc_workers);
	CHECK(pc->pc_workers <= pc->pc_max_workers);
	CHECK(pc->pc_max_workers <= POOL_SLOTS_MAX);
	CHECK(pc->pc_max_surge >= 1);
	CHECK(pc->pc_class != WC_EXEC || pc->pc_exec_path != NULL);
	CHECK(pc->pc_scale.sc_min_spare <= pc->pc_scale.sc_max_spare);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cli	 cli;
	struct poold_conf	 c;
	char			 path[64], err[CONF_ERR_MAX];
	int			 fd;

	if (size > 65536 || (fd = memfd_create("conf", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	char prog[] = "poold", opt[] = "-c";
	char *argv[] = { prog, opt, path, NULL };
	memset(&cli, 0, sizeof(cli));
	err[0] = '\0';
	CHECK(cli_parse(3, argv, &cli, err, sizeof(err)) == 0);
	if (config_load(&cli, &c, err, sizeof(err)) == 0) {
		CHECK(c.c_npools >= 1);
		for (size_t i = 0; i < c.c_npools; i++)
			check_pool(&c.c_pools[i]);
		config_free(&c);
	} else
		CHECK(err[0] != '\0');
	close(fd);
	return 0;
}
