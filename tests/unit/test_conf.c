/* SPDX-License-Identifier: ISC */
/*
 * The command line (cli_parse) and the configuration built from it and the
 * file (config_load): values, overrides, defaults and every refusal.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "conf.h"
#include "confprint.h"
#include "compat.h"
#include "conffile.h"
#include "cpus.h"
#include "options.h"

/* An argv for poold; the caller ends the list with NULL. */
#define ARGV(...)	((const char *[]){ "poold", __VA_ARGS__ })

static int
argc_of(const char **argv)
{
	int n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

static int
parse(const char **argv, struct cli *cli, char *err)
{
	return cli_parse(argc_of(argv), (char *const *)argv, cli, err,
	    CONF_ERR_MAX);
}

/* Parse argv (which must be valid) and load the configuration. */
static int
load(const char **argv, struct poold_conf *c, char *err)
{
	struct cli cli;

	cr_assert_eq(parse(argv, &cli, err), 0, "cli_parse: %s", err);
	return config_load(&cli, c, err, CONF_ERR_MAX);
}

static void
assert_has(const char *err, const char *want)
{
	cr_assert_not_null(strstr(err, want), "\"%s\" lacks \"%s\"", err,
	    want);
}

/* -- a scratch directory for config files ---------------------------------- */

static char tmpdir[64];

static void
tmp_init(void)
{
	strcpy(tmpdir, "/tmp/poold-test-conf.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp");
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
tmp_fini(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Write text to name in the scratch directory; its path. */
static const char *
tmp_file(const char *name, const char *text)
{
	static char	 paths[4][PATH_MAX];
	static int	 next;
	char		*path = paths[next++ % 4];
	FILE		*f;

	snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* A path under tests/data. */
static const char *
data_file(const char *name)
{
	static char	 path[PATH_MAX];
	const char	*dir = getenv("POOLD_TESTDATA");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
	cr_assert_eq(access(path, R_OK), 0, "%s missing", path);
	return path;
}

static int
default_workers(void)
{
	return 2 * (int)cpus_available()->cp_count + 1;
}

static const struct pool_conf *
pool_named(const struct poold_conf *c, const char *name)
{
	for (size_t i = 0; i < c->c_npools; i++) {
		if (strcmp(c->c_pools[i].pc_name, name) == 0)
			return &c->c_pools[i];
	}
	cr_assert_fail("no pool %s", name);
	return NULL;
}

/* =========================================================================
 * cli_parse
 * ========================================================================= */

Test(cli, no_arguments_leaves_everything_unset)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	cr_assert_eq(parse(ARGV(NULL), &cli, err), 0, "%s", err);
	cr_assert_null(cli.config);
	cr_assert_eq(cli.nbind, 0);
	cr_assert_eq(cli.workers, -1);
	cr_assert_eq(cli.threads, -1);
	cr_assert_eq(cli.max_requests, -1);
	cr_assert_eq(cli.timeout, CLI_UNSET);
	cr_assert_eq(cli.graceful_timeout, CLI_UNSET);
	cr_assert_null(cli.command);
	cr_assert_not(cli.daemon);
	cr_assert_not(cli_names_pool(&cli));
}

Test(cli, short_flags)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	cr_assert_eq(parse(ARGV("-c", "f.conf", "-b", "127.0.0.1:1",
	    "-b", "unix:/x", "-w", "3", "-k", "exec", "-t", "10", "-p", "p.pid",
	    "-D", "-u", "alice", "-g", "staff", "-n", "web", "-V", "-h", NULL),
	    &cli, err), 0, "%s", err);
	cr_assert_str_eq(cli.config, "f.conf");
	cr_assert_eq(cli.nbind, 2);
	cr_assert_str_eq(cli.bind[0], "127.0.0.1:1");
	cr_assert_str_eq(cli.bind[1], "unix:/x");
	cr_assert_eq(cli.workers, 3);
	cr_assert_str_eq(cli.worker_class, "exec");
	cr_assert_float_eq(cli.timeout, 10.0, 1e-9);
	cr_assert_str_eq(cli.pidfile, "p.pid");
	cr_assert(cli.daemon);
	cr_assert_str_eq(cli.user, "alice");
	cr_assert_str_eq(cli.group, "staff");
	cr_assert_str_eq(cli.name, "web");
	cr_assert(cli.version);
	cr_assert(cli.help);
	cr_assert(cli_names_pool(&cli));
}

Test(cli, long_flags)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	cr_assert_eq(parse(ARGV("--config=f.conf", "--bind", ":80",
	    "--workers", "4", "--worker-class", "sync", "--threads", "8",
	    "--timeout", "0.5", "--graceful-timeout", "2.5",
	    "--max-requests", "100", "--max-requests-jitter", "10",
	    "--pid", "p", "--daemon", "--user", "u", "--group", "g",
	    "--control", "/c.sock", "--log-level", "debug",
	    "--error-logfile", "e.log", "--access-logfile", "a.log",
	    "--name", "api", "--check-config", "--version", "--help", NULL),
	    &cli, err), 0, "%s", err);
	cr_assert_str_eq(cli.config, "f.conf");
	cr_assert_str_eq(cli.bind[0], ":80");
	cr_assert_eq(cli.workers, 4);
	cr_assert_str_eq(cli.worker_class, "sync");
	cr_assert_eq(cli.threads, 8);
	cr_assert_float_eq(cli.timeout, 0.5, 1e-9);
	cr_assert_float_eq(cli.graceful_timeout, 2.5, 1e-9);
	cr_assert_eq(cli.max_requests, 100);
	cr_assert_eq(cli.max_requests_jitter, 10);
	cr_assert_str_eq(cli.pidfile, "p");
	cr_assert(cli.daemon);
	cr_assert_str_eq(cli.control, "/c.sock");
	cr_assert_str_eq(cli.log_level, "debug");
	cr_assert_str_eq(cli.error_log, "e.log");
	cr_assert_str_eq(cli.access_log, "a.log");
	cr_assert_str_eq(cli.name, "api");
	cr_assert(cli.check_config);
	cr_assert(cli.version);
	cr_assert(cli.help);
}

/* Gunicorn's flags for what poold has: --chdir, --backlog, -e/--env,
   --log-file (the error log). */
Test(cli, gunicorn_flags)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	cr_assert_eq(parse(ARGV("--chdir", "/srv/app", "--backlog", "16",
	    "-e", "A=1", "--env", "B=two", "--log-file", "g.log", NULL), &cli,
	    err), 0, "%s", err);
	cr_assert_str_eq(cli.chdir, "/srv/app");
	cr_assert_eq(cli.backlog, 16);
	cr_assert_eq(cli.nenv, 2);
	cr_assert_str_eq(cli.env[0], "A=1");
	cr_assert_str_eq(cli.env[1], "B=two");
	cr_assert_str_eq(cli.error_log, "g.log");
	cr_assert(cli_names_pool(&cli), "-e and --backlog are a pool's");
}

/* -m, --umask as Gunicorn reads it: octal with a leading 0 or 0o. */
Test(cli, umask)
{
	static const struct {
		const char	*arg;
		int		 want;	/* -1: refused */
	} cases[] = {
		{ "022", 022 }, { "0o27", 027 }, { "0O7", 07 }, { "0", 0 },
		{ "18", 18 }, { "0x1f", 0x1f }, { "0777", 0777 },
		{ "0778", -1 }, { "01000", -1 }, { "512", -1 }, { "-1", -1 },
		{ "", -1 }, { "0o", -1 }, { "22x", -1 }, { "+022", -1 },
	};
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(ARGV("--umask", cases[i].arg, NULL), &cli, err);
		if (cases[i].want == -1) {
			cr_assert_eq(rc, -1, "%s taken", cases[i].arg);
			assert_has(err, "expected a mode, 0000-0777");
		} else {
			cr_assert_eq(rc, 0, "%s: %s", cases[i].arg, err);
			cr_assert_eq(cli.umask, cases[i].want, "%s", cases[i].arg);
		}
	}
	cr_assert_eq(parse(ARGV("-m", "002", NULL), &cli, err), 0);
	cr_assert_eq(cli.umask, 02);
	cr_assert_not(cli_names_pool(&cli), "--umask is poold's, not a pool's");
}

/* A Gunicorn flag poold does not take says what does the job here. */
Test(cli, unknown_flags_point_somewhere)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	cr_assert_eq(parse(ARGV("--preload", NULL), &cli, err), -1);
	assert_has(err, "--preload: an app module is loaded by each built-in "
	    "worker");
	cr_assert_eq(parse(ARGV("--frobnicate=1", NULL), &cli, err), -1);
	assert_has(err, "unknown option --frobnicate (poold --help");
	assert_has(err, "docs/gunicorn.md");
}

Test(cli, global_flags_do_not_name_a_pool)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];

	cr_assert_eq(parse(ARGV("-c", "x", "-p", "p", "-D", "--log-level",
	    "info", "--control", "/c", "--check-config", NULL), &cli, err),
	    0, "%s", err);
	cr_assert_not(cli_names_pool(&cli));
}

Test(cli, command_after_double_dash)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];
	/* Here, not inside the assertion: cli points into it afterwards. */
	const char	**argv = ARGV("-w", "2", "--", "/bin/echo", "-n", "hi",
			    NULL);

	/* Flags after -- belong to the command, not to poold. */
	cr_assert_eq(parse(argv, &cli, err), 0, "%s", err);
	cr_assert_not_null(cli.command);
	cr_assert_str_eq(cli.command[0], "/bin/echo");
	cr_assert_str_eq(cli.command[1], "-n");
	cr_assert_str_eq(cli.command[2], "hi");
	cr_assert_null(cli.command[3]);
	cr_assert_null(cli.name, "-n after -- taken by poold");
	cr_assert(cli_names_pool(&cli));
}

Test(cli, command_may_start_with_a_dash)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX];
	const char	**argv = ARGV("--", "-w", "3", NULL);

	cr_assert_eq(parse(argv, &cli, err), 0, "%s", err);
	cr_assert_str_eq(cli.command[0], "-w");
	cr_assert_eq(cli.workers, -1);
}

Test(cli, stray_argument_needs_double_dash)
{
	struct cli	cli;
	char		err[CONF_ERR_MAX] = "";

	cr_assert_eq(parse(ARGV("-w", "2", "myapp", NULL), &cli, err), -1);
	assert_has(err, "myapp");
	assert_has(err, "--");
}

struct cli_bad {
	int	nargs;		/* arguments after "poold" */
	char	args[2][32];
	char	want[2][48];	/* phrases the message must hold */
};

ParameterizedTestParameters(cli, rejects)
{
	static struct cli_bad bad[] = {
		{ 1, { "-x" }, { "unknown option", "-x" } },
		{ 1, { "--bogus" }, { "unknown option", "--bogus" } },
		{ 2, { "--work", "3" }, { "unknown option", "--work" } },
		{ 1, { "-w" }, { "needs an argument", "-w" } },
		{ 1, { "--workers" }, { "needs an argument", "--workers" } },
		{ 1, { "-b" }, { "needs an argument", "-b" } },
		{ 2, { "-w", "abc" }, { "-w abc", "0-4096" } },
		{ 2, { "-w", "-1" }, { "-w -1", "0-4096" } },
		{ 2, { "-w", "4097" }, { "-w 4097", "0-4096" } },
		{ 2, { "-w", "3x" }, { "-w 3x", "0-4096" } },
		{ 2, { "-w", "" }, { "-w", "0-4096" } },
		{ 2, { "-w", "99999999999999999999" }, { "-w 9999", "0-4096" } },
		{ 2, { "--threads", "0" }, { "--threads 0", "1-1024" } },
		{ 2, { "--threads", "1025" }, { "--threads 1025", "1-1024" } },
		{ 2, { "-t", "-1" }, { "-t -1", "seconds" } },
		{ 2, { "-t", "86401" }, { "-t 86401", "seconds" } },
		{ 2, { "-t", "soon" }, { "-t soon", "seconds" } },
		{ 2, { "-t", "nan" }, { "-t nan", "seconds" } },
		{ 2, { "-t", "inf" }, { "-t inf", "seconds" } },
		{ 2, { "--graceful-timeout", "1s" },
		    { "--graceful-timeout 1s", "seconds" } },
		{ 2, { "--max-requests", "-5" },
		    { "--max-requests -5", "0-2147483647" } },
		{ 2, { "--max-requests-jitter", "x" },
		    { "--max-requests-jitter x", "0-2147483647" } },
	};

	return cr_make_param_array(struct cli_bad, bad,
	    sizeof(bad) / sizeof(bad[0]));
}

ParameterizedTest(struct cli_bad *b, cli, rejects)
{
	const char	*argv[4] = { "poold", NULL, NULL, NULL };
	struct cli	 cli;
	char		 err[CONF_ERR_MAX] = "";

	for (int i = 0; i < b->nargs; i++)
		argv[1 + i] = b->args[i];
	cr_assert_eq(parse(argv, &cli, err), -1, "%s %s accepted", argv[1],
	    argv[2] ? argv[2] : "");
	assert_has(err, b->want[0]);
	assert_has(err, b->want[1]);
}

Test(cli, bind_limit)
{
	static char	 addrs[CLI_BIND_MAX + 1][32];
	const char	*argv[2 * (CLI_BIND_MAX + 1) + 2] = { "poold" };
	struct cli	 cli;
	char		 err[CONF_ERR_MAX] = "";
	int		 n = 1;

	for (int i = 0; i < CLI_BIND_MAX; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "127.0.0.1:%d", 9000 + i);
		argv[n++] = "-b";
		argv[n++] = addrs[i];
	}
	argv[n] = NULL;
	cr_assert_eq(parse(argv, &cli, err), 0, "%d addresses: %s",
	    CLI_BIND_MAX, err);
	cr_assert_eq(cli.nbind, CLI_BIND_MAX);
}

Test(cli, bind_limit_exceeded)
{
	static char	 addrs[CLI_BIND_MAX + 1][32];
	const char	*argv[2 * (CLI_BIND_MAX + 1) + 2] = { "poold" };
	struct cli	 cli;
	char		 err[CONF_ERR_MAX] = "";
	int		 n = 1;

	for (int i = 0; i < CLI_BIND_MAX + 1; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "127.0.0.1:%d", 9000 + i);
		argv[n++] = "-b";
		argv[n++] = addrs[i];
	}
	argv[n] = NULL;
	cr_assert_eq(parse(argv, &cli, err), -1);
	assert_has(err, "at most 64");
}

/* =========================================================================
 * config_load: a good file
 * ========================================================================= */

Test(conf, two_pool_file_loads)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), NULL), &c,
	    err), 0, "%s", err);
	cr_assert_eq(c.c_npools, 2);
	cr_assert_str_eq(c.c_pools[0].pc_name, "web");
	cr_assert_str_eq(c.c_pools[1].pc_name, "api");
	cr_assert_eq(c.c_path[0], '/', "config path not absolute");
	cr_assert_str_eq(c.c_pidfile, "/run/poold-test.pid");
	cr_assert_eq(c.c_log_level, LOG_LVL_DEBUG);
	cr_assert_str_eq(c.c_control_path, "/tmp/poold-test-ctl.sock");
	cr_assert_eq(c.c_control_mode, 0660);
	cr_assert_not(c.c_daemon);
	config_free(&c);
}

Test(conf, pool_values_from_file)
{
	struct poold_conf	 c;
	const struct pool_conf	*w;
	char			 err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), NULL), &c,
	    err), 0, "%s", err);
	w = pool_named(&c, "web");
	cr_assert_eq(w->pc_nlisten, 2);
	cr_assert_eq(w->pc_listen[0].a_kind, ADDR_TCP);
	cr_assert_str_eq(w->pc_listen[0].a_host, "127.0.0.1");
	cr_assert_eq(w->pc_listen[0].a_port, 9100);
	cr_assert_eq(w->pc_listen[1].a_kind, ADDR_UNIX);
	cr_assert_str_eq(w->pc_listen[1].a_path, "/tmp/poold-test-web.sock");
	cr_assert_eq(w->pc_class, WC_EXEC);
	cr_assert_str_eq(w->pc_argv[0], "true");
	cr_assert_str_eq(w->pc_argv[1], "--port");
	cr_assert_str_eq(w->pc_argv[2], "9100");
	cr_assert_null(w->pc_argv[3]);
	cr_assert_str_eq(w->pc_env[0], "GREETING=hello");
	cr_assert_str_eq(w->pc_env[1], "EMPTY=");
	cr_assert_null(w->pc_env[2]);
	cr_assert_eq(w->pc_workers, 3);
	cr_assert_eq(w->pc_min_workers, 2);
	cr_assert_eq(w->pc_max_workers, 10);
	cr_assert_eq(w->pc_stop_signal, SIGQUIT);
	cr_assert_eq(w->pc_graceful_ms, 2500);
	cr_assert_eq(w->pc_timeout_ms, 0);
	cr_assert_eq(w->pc_reopen_signal, 0, "exec pools: none by default");
	cr_assert_eq(w->pc_backlog, 128);
	cr_assert_eq(w->pc_socket_mode, 0640, "socket_mode %o",
	    (unsigned)w->pc_socket_mode);
	cr_assert_str_eq(w->pc_chdir, "/");
	config_free(&c);
}

Test(conf, command_resolved_through_path)
{
	struct poold_conf	 c;
	const struct pool_conf	*w;
	char			 err[CONF_ERR_MAX] = "";
	const char		*base;

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), NULL), &c,
	    err), 0, "%s", err);
	w = pool_named(&c, "web");
	cr_assert_not_null(w->pc_exec_path);
	cr_assert_eq(w->pc_exec_path[0], '/', "not absolute: %s",
	    w->pc_exec_path);
	base = strrchr(w->pc_exec_path, '/') + 1;
	cr_assert_str_eq(base, "true");
	cr_assert_eq(access(w->pc_exec_path, X_OK), 0);
	config_free(&c);
}

/* Symlinks stay as written: a deploy that flips one is seen on HUP. */
Test(conf, absolute_command_kept_as_written)
{
	struct poold_conf	 c;
	const struct pool_conf	*a;
	char			 err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), NULL), &c,
	    err), 0, "%s", err);
	a = pool_named(&c, "api");
	cr_assert_str_eq(a->pc_exec_path, "/bin/true");
	config_free(&c);
}

Test(conf, pool_defaults_from_file)
{
	struct poold_conf	 c;
	const struct pool_conf	*a;
	char			 err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), NULL), &c,
	    err), 0, "%s", err);
	a = pool_named(&c, "api");
	cr_assert_eq(a->pc_class, WC_EXEC, "a command implies exec");
	cr_assert_eq(a->pc_listen[0].a_kind, ADDR_TCP);
	cr_assert_str_eq(a->pc_listen[0].a_host, "::1");
	cr_assert_eq(a->pc_workers, 1);
	cr_assert_eq(a->pc_min_workers, 1);
	cr_assert_eq(a->pc_max_workers, 64);
	cr_assert_eq(a->pc_stop_signal, SIGINT);
	cr_assert_eq(a->pc_graceful_ms, 30000);
	cr_assert_eq(a->pc_timeout_ms, 0);
	cr_assert_eq(a->pc_backlog, CONF_DEFAULT_BACKLOG);
	cr_assert_eq(a->pc_socket_mode, 0666);
	cr_assert_eq(a->pc_threads, 1);
	cr_assert_not_null(a->pc_env);
	cr_assert_null(a->pc_env[0]);
	cr_assert_null(a->pc_user);
	cr_assert_null(a->pc_chdir);
	cr_assert_eq(a->pc_umask, -1, "no umask: the arbiter's, untouched");
	cr_assert_eq(c.c_umask, -1);
	config_free(&c);
}

/* --log-level debug masks what looks like a secret, by its name. */
Test(conf, secrets_by_their_names)
{
	static const char *const secret[] = { "API_KEY=x", "GithubToken=y",
	    "DB_PASSWORD=", "aws_secret_access_key=z", "PGPASSWD=w",
	    "KEYRING=v" };
	static const char *const plain[] = { "PATH=/bin", "GREETING=hi",
	    "HOME=/root", "KY=1", "TOKE=2", "x=API_KEY" };

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		cr_assert(confprint_secret(secret[i]), "%s", secret[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		cr_assert_not(confprint_secret(plain[i]), "%s", plain[i]);
}

/* umask: the top level's for every pool that sets none; --umask sets
   the top level's, never a pool's own. */
Test(conf, umask_inherited_by_pools)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "";
	const char		*path;

	tmp_init();
	path = tmp_file("umask.conf", "umask = 0077\n"
	    "pool a {\n  listen = { \":9100\" }\n  umask = 002\n}\n"
	    "pool b {\n  listen = { \":9101\" }\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_umask, 077);
	cr_assert_eq(pool_named(&c, "a")->pc_umask, 02);
	cr_assert_eq(pool_named(&c, "b")->pc_umask, 077);
	config_free(&c);
	cr_assert_eq(load(ARGV("-c", path, "--umask", "027", NULL), &c, err),
	    0, "%s", err);
	cr_assert_eq(c.c_umask, 027);
	cr_assert_eq(pool_named(&c, "a")->pc_umask, 02);
	cr_assert_eq(pool_named(&c, "b")->pc_umask, 027);
	config_free(&c);
	tmp_fini();
}

/* =========================================================================
 * config_load: bad files
 * ========================================================================= */

#define OK_POOL		"listen = { \"127.0.0.1:9100\" }\n" \
			"command = { \"true\" }\n"

/* A file whose pool a (OK_POOL, then lines) must be refused, with want
   in the message. */
static void
assert_pool_refused(const char *lines, const char *want)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "", text[512];
	const char		*path;

	snprintf(text, sizeof(text), "pool a {\n" OK_POOL "%s\n}\n", lines);
	path = tmp_file("refused.conf", text);
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1, "accepted: %s",
	    lines);
	assert_has(err, want);
}

struct conf_bad {
	char	text[400];
	char	want[96];	/* a phrase the message must hold */
	int	line;		/* > 0: the message is FILE:LINE: ... */
	bool	names_file;	/* the message holds the file's path */
};

ParameterizedTestParameters(conf, rejects_file)
{
	static struct conf_bad bad[] = {
		/* libconfuse's checks, with file and line. */
		{ "pool a {\n" OK_POOL "workers = abc\n}\n",
		    "invalid integer value for option 'workers'", 4, true },
		{ "pool a {\n" OK_POOL "workers = 2.5\n}\n",
		    "'workers'", 4, true },
		{ "pool a {\n" OK_POOL "worker = \"fastcgi\"\n}\n",
		    "worker = \"fastcgi\": expected sync, gthread, async or "
		    "exec", 4, true },
		{ "pool a {\n" OK_POOL "stop_signal = \"SIGFOO\"\n}\n",
		    "stop_signal = \"SIGFOO\"", 4, true },
		{ "pool a {\n" OK_POOL "stop_signal = \"KILL\"\n}\n",
		    "expected a signal that stops a process", 4, true },
		{ "pool a {\n" OK_POOL "stop_signal = \"STOP\"\n}\n",
		    "expected a signal that stops a process", 4, true },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"::1:80\" }\n}\n",
		    "::1:80: IPv6 addresses need brackets", 3, true },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"127.0.0.1:99999\" }\n}\n",
		    "port must be 0-65535", 3, true },
		{ "pool a {\n" OK_POOL "}\npool a {\n" OK_POOL "}\n",
		    "duplicate title 'a'", 5, true },
		{ "pool a {\n" OK_POOL "bogus = 1\n}\n",
		    "no such option 'bogus'", 4, true },
		/* The way out: a near name, or the section it belongs in. */
		{ "pool a {\n" OK_POOL "worksers = 3\n}\n",
		    "no such option 'worksers'; did you mean 'workers'?", 4,
		    true },
		{ "workers = 3\npool a {\n" OK_POOL "}\n",
		    "workers belongs inside pool NAME { }", 1, true },
		{ "pool a {\n" OK_POOL "pidfile = \"/x.pid\"\n}\n",
		    "pidfile belongs at the top level", 4, true },
		{ "control { sockett = \"/x\" }\npool a {\n" OK_POOL "}\n",
		    "did you mean 'socket'?", 1, true },
		{ "worksers = 3\npool a {\n" OK_POOL "}\n",
		    "did you mean 'workers' (inside pool NAME { })?", 1, true },
		/* A scalar set twice in one section: both lines. */
		{ "pool a {\n" OK_POOL "workers = 2\nworkers = 4\n}\n",
		    "workers is set twice in pool a (first at line 4): keep one",
		    5, true },
		{ "pool a {\n" OK_POOL "timeout = 2\ntimeout = 4\n}\n",
		    "timeout is set twice in pool a (first at line 4)", 5, true },
		{ "pidfile = \"/a\"\npidfile = \"/b\"\npool a {\n" OK_POOL
		    "}\n", "pidfile is set twice (first at line 1)", 2, true },
		{ "control {\n mode = 0600\n mode = 0660\n}\npool a {\n"
		    OK_POOL "}\n", "mode is set twice in control { } (first at "
		    "line 2)", 3, true },
		{ "pool a {\n" OK_POOL "listen =\n}\n",
		    "unexpected", 5, true },
		{ "log_level = \"loud\"\npool a {\n" OK_POOL "}\n",
		    "log_level \"loud\"", 0, true },
		{ "control {\nmode = 01777\n}\npool a {\n" OK_POOL "}\n",
		    "control: mode = 01777: must be a mode, 0000-0777", 2,
		    true },
		{ "# nothing but a comment\n", "defines no pool", 0, true },

		/* Validation of the whole pool. */
		{ "pool a {\n" OK_POOL "workers = 2\nmin_workers = 3\n}\n",
		    "pool a: need min_workers (3) <= workers (2)", 0, false },
		{ "pool a {\n" OK_POOL "workers = 10\nmax_workers = 5\n}\n",
		    "workers (10) <= max_workers (5)", 0, false },
		{ "pool a {\n" OK_POOL "max_workers = 5000\n}\n",
		    "pool a: max_workers = 5000: must be 0-4096", 4, true },
		{ "pool a {\n" OK_POOL "threads = 0\n}\n",
		    "pool a: threads = 0: must be 1-1024", 4, true },
		{ "pool a {\n" OK_POOL "graceful_timeout = -1\n}\n",
		    "pool a: graceful_timeout = -1: must be seconds, 0-86400",
		    4, true },
		{ "pool a {\n" OK_POOL "timeout = 90000\n}\n",
		    "pool a: timeout = 90000: must be seconds, 0-86400", 4,
		    true },
		{ "pool a {\n" OK_POOL "max_requests = -1\n}\n",
		    "pool a: max_requests = -1: must be 0-2147483647", 4, true },
		{ "pool a {\n" OK_POOL "scale = \"elastic\"\n}\n",
		    "pool a: scale must be static, dynamic, backlog or "
		    "ondemand, not \"elastic\"", 0, false },
		{ "pool a {\n" OK_POOL "scale = \"dynamic\"\n}\n",
		    "pool a: scale = dynamic counts idle workers on the "
		    "scoreboard: built-in workers only", 0, false },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"unix:/tmp/q.sock\" }\nscale = \"backlog\"\n}\n",
		    "pool a: scale = backlog watches TCP listeners; "
		    "/tmp/q.sock is a unix socket", 0, false },
		{ "pool a {\n" OK_POOL "scale = \"ondemand\"\n"
		    "min_workers = 1\n}\n",
		    "pool a: scale = ondemand needs min_workers = 0", 0,
		    false },
		{ "pool a {\nlisten = { \":9\" }\nscale = \"dynamic\"\n"
		    "min_spare = 5\nmax_spare = 2\n}\n",
		    "pool a: need min_spare (5) <= max_spare (2)", 0, false },
		{ "pool a {\n" OK_POOL "scale_up_after = 0\n}\n",
		    "pool a: scale_up_after = 0: must be seconds, 0.001-86400",
		    4, true },
		{ "metrics { listen = \"fd://5\" }\npool a {\n" OK_POOL "}\n",
		    "metrics listen: HOST:PORT or unix:PATH", 0, false },
		{ "pool a {\n" OK_POOL "max_surge = 0\n}\n",
		    "pool a: max_surge = 0: must be 1-4096", 4, true },
		{ "pool a {\n" OK_POOL "max_rss = 2000000\n}\n",
		    "pool a: max_rss = 2000000: must be 0-1048576", 4, true },
		{ "pool a {\n" OK_POOL "max_lifetime = 0.5\n}\n",
		    "pool a: max_lifetime must be at least 1 s (or 0 for none)",
		    0, false },
		{ "pool a {\n" OK_POOL "max_lifetime_jitter = -1\n}\n",
		    "pool a: max_lifetime_jitter = -1: must be seconds, "
		    "0-31622400", 4, true },
		{ "pool a {\n" OK_POOL "ready = \"soon\"\n}\n",
		    "pool a: ready must be started, notify or fd, not \"soon\"", 0,
		    false },
		{ "pool a {\n" OK_POOL "boot_timeout = 0\n}\n",
		    "pool a: boot_timeout = 0: must be seconds, 0.001-86400", 4,
		    true },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "worker = \"async\"\nready = \"notify\"\n}\n",
		    "pool a: ready = notify is for exec workers", 0, false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "worker = \"sync\"\ntimeout = 1.5\n}\n",
		    "pool a: timeout must be at least 2 s for the built-in", 0,
		    false },
		{ "pool a {\n" OK_POOL "backlog = 0\n}\n",
		    "pool a: backlog = 0: must be 1-2147483647", 4, true },
		{ "pool a {\n" OK_POOL "socket_mode = 01000\n}\n",
		    "pool a: socket_mode = 01000: must be a mode, 0000-0777", 4,
		    true },
		{ "pool a {\n" OK_POOL "umask = 01000\n}\n",
		    "pool a: umask = 01000: must be a mode, 0000-0777", 4, true },
		{ "umask = -2\npool a {\n" OK_POOL "}\n",
		    "umask = -2: must be a mode, 0000-0777", 1, true },
		{ "pool a {\n" OK_POOL "user = \"no-such-user-poold\"\n}\n",
		    "pool a: unknown user no-such-user-poold", 0, false },
		{ "pool a {\n" OK_POOL "group = \"no-such-group-poold\"\n}\n",
		    "pool a: unknown group no-such-group-poold", 0, false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "worker = \"exec\"\n}\n",
		    "pool a: worker = exec needs a command", 0, false },
		{ "pool a {\n" OK_POOL "worker = \"sync\"\n}\n",
		    "pool a: a command needs worker = exec, not sync", 0,
		    false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "worker = \"async\"\nthreads = 4\n}\n",
		    "pool a: threads is for worker = gthread: add worker = "
		    "\"gthread\" (-k gthread)", 0, false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "worker = \"sync\"\nroot = \"/nonexistent-poold\"\n}\n",
		    "pool a: root /nonexistent-poold: No such file", 0,
		    false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "command = { \"/nonexistent/poold-cmd\" }\n}\n",
		    "pool a: command /nonexistent/poold-cmd: No such file", 0,
		    false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "command = { \"poold-no-such-command\" }\n}\n",
		    "pool a: command poold-no-such-command: not found in PATH",
		    0, false },
		{ "pool a {\nlisten = { \"127.0.0.1:9100\" }\n"
		    "command = { \"/etc/passwd\" }\n}\n",
		    "pool a: command /etc/passwd: Permission denied", 0,
		    false },
		{ "pool a {\n" OK_POOL "env = { \"LISTEN_FDS=3\" }\n}\n",
		    "pool a: env \"LISTEN_FDS=3\": poold sets this variable "
		    "itself", 0, false },
		{ "pool a {\n" OK_POOL "env = { \"POOLD_POOL=x\" }\n}\n",
		    "env \"POOLD_POOL=x\": poold sets this variable", 0,
		    false },
		{ "pool a {\n" OK_POOL "env = { \"NOTIFY_SOCKET=/x\" }\n}\n",
		    "env \"NOTIFY_SOCKET=/x\": poold sets this variable", 0,
		    false },
		{ "pool a {\n" OK_POOL "env = { \"WATCHDOG_USEC=1\" }\n}\n",
		    "env \"WATCHDOG_USEC=1\": poold sets this variable", 0,
		    false },
		{ "pool a {\n" OK_POOL "env = { \"NOEQUALS\" }\n}\n",
		    "env \"NOEQUALS\": expected NAME=value", 0, false },
		{ "pool a {\n" OK_POOL "env = { \"=x\" }\n}\n",
		    "env \"=x\": expected NAME=value", 0, false },
		{ "pool a {\n" OK_POOL "}\npool b {\n" OK_POOL "}\n",
		    "pool b: 127.0.0.1:9100 is already used by pool a", 0,
		    false },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"unix:/tmp/s\", \"unix:/tmp/s\" }\n}\n",
		    "pool a: unix:/tmp/s is already used by pool a", 0, false },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"localhost:80\", \"localhost:0080\" }\n}\n",
		    "localhost:80 is already used by pool a", 0, false },
		{ "pool a {\ncommand = { \"true\" }\n}\n",
		    "pool a: no listen address", 0, false },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"systemd:web\", \"systemd:web\" }\n}\n",
		    "pool a: systemd:web is already used by pool a", 0, false },
		{ "pool a {\ncommand = { \"true\" }\n"
		    "listen = { \"systemd:a:b\" }\n}\n",
		    "expected systemd or systemd:NAME", 0, false },
		{ "pool a {\n" OK_POOL "chdir = \"/nonexistent-poold\"\n}\n",
		    "pool a: chdir /nonexistent-poold: No such file", 0,
		    false },
		{ "pool a {\n" OK_POOL "chdir = \"/etc/passwd\"\n}\n",
		    "pool a: chdir /etc/passwd: not a directory", 0, false },
		{ "pool \"a b\" {\n" OK_POOL "}\n",
		    "names may use letters, digits", 0, false },
		{ "pool \"\" {\n" OK_POOL "}\n",
		    "pool name must be 1-64 characters", 0, false },
		/* The drain: a top-level range, and the stop signals only. */
		{ "drain_delay = -1\npool a {\n" OK_POOL "}\n",
		    "drain_delay = -1: must be seconds, 0-86400", 1, true },
		{ "drain_probes = 2000000\npool a {\n" OK_POOL "}\n",
		    "drain_probes = 2000000", 1, true },
		{ "drain_signals = { \"HUP\" }\npool a {\n" OK_POOL "}\n",
		    "drain_signals: \"HUP\": expected TERM, INT or QUIT", 0,
		    true },
		{ "pool a {\n" OK_POOL "min_ready = -1\n}\n",
		    "min_ready = -1", 4, true },
	};

	return cr_make_param_array(struct conf_bad, bad,
	    sizeof(bad) / sizeof(bad[0]));
}

ParameterizedTest(struct conf_bad *b, conf, rejects_file, .init = tmp_init,
    .fini = tmp_fini)
{
	struct poold_conf	 c;
	const char		*path = tmp_file("poold.conf", b->text);
	char			 err[CONF_ERR_MAX] = "", where[PATH_MAX + 16];

	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1,
	    "accepted:\n%s", b->text);
	assert_has(err, b->want);
	if (b->line > 0) {
		snprintf(where, sizeof(where), "%s:%d: ", path, b->line);
		cr_assert_eq(strncmp(err, where, strlen(where)), 0,
		    "\"%s\" does not start with \"%s\"", err, where);
	} else if (b->names_file)
		assert_has(err, path);
	/* After a failure the config is empty and safe to free again. */
	cr_assert_eq(c.c_npools, 0);
	cr_assert_null(c.c_pools);
	config_free(&c);
}

/*
 * nan, inf and numbers whose milliseconds overflow, in every duration
 * option of the file: each refused with its file and line.  (nan passed
 * every "v < min || v > max" check, and read_timeout = nan made every
 * built-in worker close every connection unanswered.)
 */
Test(conf, every_duration_refuses_nan_inf_and_overflow, .init = tmp_init,
    .fini = tmp_fini)
{
	static const char *const bad[] = { "nan", "inf", "-inf", "1e300" };
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX], text[512], path[PATH_MAX];
	char			 want[96];
	int			 n = 0;

	snprintf(path, sizeof(path), "%s/n.conf", tmpdir);
	for (size_t i = 0; i < bound_count(); i++) {
		const struct bound *b = bound_at(i);
		bool pool = strcmp(b->b_section, "pool") == 0;
		bool top = strcmp(b->b_section, "root") == 0;
		if (b->b_kind != BK_SECONDS)
			continue;
		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			if (top)
				snprintf(text, sizeof(text), "%s = %s\npool a "
				    "{\n" OK_POOL "}\n", b->b_name, bad[k]);
			else
				snprintf(text, sizeof(text), pool ? "pool a "
				    "{\n" OK_POOL "%s = %s\n}\n" : "%s {\n%s = "
				    "%s\n}\npool a {\n" OK_POOL "}\n", pool ?
				    b->b_name : b->b_section, pool ? bad[k] :
				    b->b_name, bad[k]);
			tmp_file("n.conf", text);
			err[0] = '\0';
			cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1,
			    "accepted:\n%s", text);
			snprintf(want, sizeof(want), "%s = ", b->b_name);
			assert_has(err, want);
			assert_has(err, "must be seconds");
			assert_has(err, path);
			config_free(&c);
			n++;
		}
	}
	/* The fifteen durations: the thirteen of a pool, control's and
	   drain_delay. */
	cr_assert_eq(n, 4 * 15, "%d cases", n);
}

/* What is not a configuration file is refused at once, with what it is
   and where: never a blocked open, a scanner that exits the process, or
   minutes spent on a file of zeros. */
Test(conf, only_a_regular_text_file_is_read, .init = tmp_init,
    .fini = tmp_fini, .timeout = 10)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX], path[PATH_MAX];
	char			 want[PATH_MAX + 32];
	FILE			*f;

	snprintf(path, sizeof(path), "%s/d.conf", tmpdir);
	cr_assert_eq(mkdir(path, 0700), 0);
	err[0] = '\0';
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, "a directory, not a configuration file");
	config_free(&c);

	snprintf(path, sizeof(path), "%s/f.conf", tmpdir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	err[0] = '\0';
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, "a FIFO, not a configuration file");
	config_free(&c);

	/* A NUL on line 4, after a valid start. */
	tmp_file("z.conf", "pool a {\n" OK_POOL);
	snprintf(path, sizeof(path), "%s/z.conf", tmpdir);
	cr_assert_not_null(f = fopen(path, "a"));
	cr_assert_eq(fwrite("x\0y\n}\n", 1, 6, f), 6);
	fclose(f);
	err[0] = '\0';
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	snprintf(want, sizeof(want), "%s:4: a NUL byte", path);
	assert_has(err, want);
	config_free(&c);

	/* Larger than any configuration: refused before it is parsed. */
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(fseek(f, CONF_FILE_MAX, SEEK_SET), 0);
	cr_assert_eq(fputc('\n', f), '\n');
	fclose(f);
	err[0] = '\0';
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, "larger than");
	config_free(&c);
}

Test(conf, missing_file_named, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "", path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, path);
	assert_has(err, "No such file or directory");
}

Test(conf, relative_config_path_made_absolute, .init = tmp_init,
    .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "", want[PATH_MAX];

	tmp_file("rel.conf", "pool a {\n" OK_POOL "}\n");
	cr_assert_eq(chdir(tmpdir), 0);
	cr_assert_eq(load(ARGV("-c", "rel.conf", "-p", "rel.pid", NULL), &c,
	    err), 0, "%s", err);
	snprintf(want, sizeof(want), "%s/rel.conf", tmpdir);
	cr_assert_str_eq(c.c_path, want);
	snprintf(want, sizeof(want), "%s/rel.pid", tmpdir);
	cr_assert_str_eq(c.c_pidfile, want);
	config_free(&c);
}

/* A Gunicorn file given to -c: say it is another syntax, and where the
   names are mapped. */
Test(conf, python_file_gets_a_hint, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "", path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/gunicorn.conf.py", tmpdir);
	tmp_file("gunicorn.conf.py", "bind = \"0.0.0.0:8000\"\nworkers = 4\n");
	cr_assert_neq(load(ARGV("-c", path, NULL), &c, err), 0);
	cr_assert(strstr(err, "no such option 'bind'") != NULL, "%s", err);
	cr_assert(strstr(err, "Gunicorn (Python) file") != NULL, "%s", err);
	cr_assert(strstr(err, "docs/gunicorn.md") != NULL, "%s", err);
}

/* The default worker count is a guess from the processors: it yields to
   the bounds the file gives (2 x CPUs + 1 is at least 3, at most 4095). */
Test(conf, default_workers_fit_the_bounds_written, .init = tmp_init,
    .fini = tmp_fini)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "", path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/b.conf", tmpdir);
	tmp_file("b.conf", "pool a {\n" OK_POOL "scale = \"ondemand\"\n"
	    "max_workers = 1\n}\npool b {\n  listen = { \"127.0.0.1:9101\" }\n"
	    "  command = { \"/bin/true\" }\n  min_workers = 4096\n"
	    "  max_workers = 4096\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(pool_named(&c, "a")->pc_workers, 1);
	cr_assert_eq(pool_named(&c, "b")->pc_workers, 4096);
	config_free(&c);
}

/* =========================================================================
 * config_load: the command line over the file
 * ========================================================================= */

Test(conf, cli_overrides_one_pool_file, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	 c;
	const char		*path;
	char			 err[CONF_ERR_MAX] = "";

	path = tmp_file("one.conf", "pool solo {\n" OK_POOL
	    "workers = 3\ngraceful_timeout = 9\n}\n");
	cr_assert_eq(load(ARGV("-c", path, "-w", "7",
	    "--graceful-timeout", "1.5", "-b", "127.0.0.1:9500", NULL), &c,
	    err), 0, "%s", err);
	cr_assert_eq(c.c_npools, 1, "the flags made a second pool");
	cr_assert_str_eq(c.c_pools[0].pc_name, "solo");
	cr_assert_eq(c.c_pools[0].pc_workers, 7);
	cr_assert_eq(c.c_pools[0].pc_graceful_ms, 1500);
	cr_assert_eq(c.c_pools[0].pc_nlisten, 1);
	cr_assert_eq(c.c_pools[0].pc_listen[0].a_port, 9500);
	config_free(&c);
}

Test(conf, cli_command_replaces_file_command, .init = tmp_init,
    .fini = tmp_fini)
{
	struct poold_conf	 c;
	const char		*path;
	char			 err[CONF_ERR_MAX] = "";

	path = tmp_file("one.conf", "pool solo {\n" OK_POOL "}\n");
	cr_assert_eq(load(ARGV("-c", path, "--", "false", "x", NULL), &c,
	    err), 0, "%s", err);
	cr_assert_str_eq(c.c_pools[0].pc_argv[0], "false");
	cr_assert_str_eq(c.c_pools[0].pc_argv[1], "x");
	cr_assert_null(c.c_pools[0].pc_argv[2]);
	cr_assert_not_null(strstr(c.c_pools[0].pc_exec_path, "/false"));
	config_free(&c);
}

Test(conf, name_picks_a_pool)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), "-n", "api",
	    "-w", "5", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_npools, 2);
	cr_assert_eq(pool_named(&c, "api")->pc_workers, 5);
	cr_assert_eq(pool_named(&c, "web")->pc_workers, 3);
	config_free(&c);
}

Test(conf, name_adds_a_pool)
{
	struct poold_conf	 c;
	const struct pool_conf	*x;
	char			 err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), "-n",
	    "extra", "-b", "127.0.0.1:9400", "--", "true", NULL), &c, err), 0,
	    "%s", err);
	cr_assert_eq(c.c_npools, 3);
	x = pool_named(&c, "extra");
	cr_assert_eq(x->pc_class, WC_EXEC);
	cr_assert_eq(x->pc_listen[0].a_port, 9400);
	config_free(&c);
}

Test(conf, pool_flags_on_multi_pool_file_need_name)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), "-w", "5",
	    NULL), &c, err), -1);
	assert_has(err, "two-pools.conf defines 2 pools");
	assert_has(err, "-n");
}

Test(conf, cli_address_clash_with_other_pool)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), "-n", "api",
	    "-b", "127.0.0.1:9100", NULL), &c, err), -1);
	assert_has(err, "pool api: 127.0.0.1:9100 is already used by pool "
	    "web");
}

Test(conf, global_flags_on_multi_pool_file)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"),
	    "--log-level", "warning", "-p", "/run/other.pid", "-D",
	    "--control", "/run/other.sock", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_log_level, LOG_LVL_WARNING);
	cr_assert_str_eq(c.c_pidfile, "/run/other.pid");
	cr_assert_str_eq(c.c_control_path, "/run/other.sock");
	cr_assert(c.c_daemon);
	cr_assert_eq(c.c_npools, 2);
	config_free(&c);
}

Test(conf, bad_log_level_flag)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"),
	    "--log-level", "loud", NULL), &c, err), -1);
	assert_has(err, "--log-level loud");
}

/* -u and -g are about every pool, so a multi-pool file needs no -n. */
Test(conf, user_flag_applies_to_every_pool)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-c", data_file("two-pools.conf"), "-u", "root",
	    NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_npools, 2);
	cr_assert_str_eq(c.c_pools[0].pc_user, "root");
	cr_assert_str_eq(c.c_pools[1].pc_user, "root");
	config_free(&c);
}

Test(conf, unknown_worker_class_flag)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-k", "fastcgi", "--", "true", NULL), &c, err),
	    -1);
	assert_has(err, "-k fastcgi");
}

Test(conf, command_with_non_exec_class_flag)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-k", "sync", "--", "true", NULL), &c, err),
	    -1);
	assert_has(err, "a command needs worker = exec, not sync");
}

Test(conf, unknown_user_flag)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-u", "no-such-user-poold", "--", "true",
	    NULL), &c, err), -1);
	assert_has(err, "unknown user no-such-user-poold");
}

Test(conf, bad_bind_flag_names_address)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-b", "::1:80", "--", "true", NULL), &c, err),
	    -1);
	assert_has(err, "pool main: ::1:80: IPv6 addresses need brackets");
}

/* =========================================================================
 * config_load: no file
 * ========================================================================= */

Test(conf, no_arguments_is_the_builtin_sync_worker)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	char			addr[64];

	/* The embedded default: pool main, sync worker, 127.0.0.1:8000. */
	cr_assert_eq(load(ARGV(NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_npools, 1);
	cr_assert_str_eq(c.c_pools[0].pc_name, "main");
	cr_assert_eq(c.c_pools[0].pc_class, WC_SYNC);
	cr_assert_null(c.c_pools[0].pc_argv);
	addr_format(&c.c_pools[0].pc_listen[0], addr, sizeof(addr));
	cr_assert_str_eq(addr, "127.0.0.1:8000");
	cr_assert_eq(c.c_pools[0].pc_keepalive_ms, 2000);
	cr_assert_eq(c.c_pools[0].pc_limit_line, 4094);
	config_free(&c);
}

Test(conf, bind_and_command_make_exec_pool_main)
{
	struct poold_conf	 c;
	const struct pool_conf	*m;
	char			 err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-b", "127.0.0.1:9000", "--", "true", NULL),
	    &c, err), 0, "%s", err);
	cr_assert_null(c.c_path);
	cr_assert_eq(c.c_npools, 1);
	m = &c.c_pools[0];
	cr_assert_str_eq(m->pc_name, "main");
	cr_assert_eq(m->pc_class, WC_EXEC);
	cr_assert_eq(m->pc_nlisten, 1);
	cr_assert_str_eq(m->pc_listen[0].a_host, "127.0.0.1");
	cr_assert_eq(m->pc_listen[0].a_port, 9000);
	cr_assert_eq(m->pc_workers, default_workers());
	cr_assert_eq(m->pc_min_workers, 1);
	cr_assert_geq(m->pc_max_workers, 64);
	cr_assert_geq(m->pc_max_workers, m->pc_workers);
	cr_assert_eq(m->pc_stop_signal, SIGTERM);
	cr_assert_eq(m->pc_graceful_ms, 30000);
	cr_assert_eq(m->pc_exec_path[0], '/');
	cr_assert_eq(c.c_log_level, LOG_LVL_INFO);
	config_free(&c);
}

Test(conf, command_alone_binds_default_address)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("--", "true", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_nlisten, 1);
	cr_assert_str_eq(c.c_pools[0].pc_listen[0].a_host, "127.0.0.1");
	cr_assert_eq(c.c_pools[0].pc_listen[0].a_port, 8000);
	config_free(&c);
}

Test(conf, workers_flag_raises_default_max)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-w", "100", "--", "true", NULL), &c, err), 0,
	    "%s", err);
	cr_assert_eq(c.c_pools[0].pc_workers, 100);
	cr_assert_eq(c.c_pools[0].pc_max_workers, 100);
	config_free(&c);
}

Test(conf, default_control_socket)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
	cr_assert_eq(load(ARGV("--", "true", NULL), &c, err), 0, "%s", err);
	if (geteuid() == 0)
		cr_assert_str_eq(c.c_control_path, "/run/poold/poold.sock");
	else
		cr_assert_str_eq(c.c_control_path,
		    "/run/user/4242/poold.sock");
	cr_assert_eq(c.c_control_mode, 0600);
	config_free(&c);
}

/* The command found through PATH, from the temp dir: its absolute path. */
static void
expect_found_with_path(const char *path)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "", want[PATH_MAX];

	tmp_file("poold-test-cmd", "#!/bin/sh\n");
	snprintf(want, sizeof(want), "%s/poold-test-cmd", tmpdir);
	cr_assert_eq(chmod(want, 0755), 0);
	cr_assert_eq(chdir(tmpdir), 0);
	setenv("PATH", path, 1);
	cr_assert_eq(load(ARGV("--", "poold-test-cmd", NULL), &c, err), 0,
	    "%s", err);
	cr_assert_str_eq(c.c_pools[0].pc_exec_path, want);
	config_free(&c);
}

/*
 * A relative PATH entry must still give an absolute pc_exec_path: spawn.c
 * execs after chdir, and -D runs from /.
 */
Test(conf, command_found_in_relative_path_made_absolute, .init = tmp_init,
    .fini = tmp_fini)
{
	expect_found_with_path(".");
}

/* An empty PATH entry is the current directory, as for execvp. */
Test(conf, empty_path_entry_is_current_directory, .init = tmp_init,
    .fini = tmp_fini)
{
	expect_found_with_path(":/nonexistent-poold");
}

/* Health settings: a watchdog for exec and built-in workers alike. */
Test(conf, ready_and_timeouts, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	const char		*path;

	cr_assert_eq(load(ARGV("-t", "5", "--", "true", NULL), &c, err), 0,
	    "%s", err);
	cr_assert_eq(c.c_pools[0].pc_timeout_ms, 5000);
	cr_assert_not(c.c_pools[0].pc_ready_notify);
	cr_assert_eq(c.c_pools[0].pc_boot_timeout_ms, 60000);
	config_free(&c);
	path = tmp_file("n.conf", "pool a {\n" OK_POOL
	    "ready = \"notify\"\nboot_timeout = 2.5\ntimeout = 0.5\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert(c.c_pools[0].pc_ready_notify);
	cr_assert_eq(c.c_pools[0].pc_boot_timeout_ms, 2500);
	cr_assert_eq(c.c_pools[0].pc_timeout_ms, 500);
	config_free(&c);
	cr_assert_eq(load(ARGV("-k", "async", "-t", "2", NULL), &c, err), 0,
	    "%s", err);
	config_free(&c);
}

/* Socket activation: names are checked against what is passed only
   when the arbiter starts, so --check-config passes without them. */
Test(conf, systemd_addresses)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("-b", "systemd:web", "-b", "systemd:api", "--",
	    "true", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_nlisten, 2);
	cr_assert_eq(c.c_pools[0].pc_listen[0].a_kind, ADDR_SYSTEMD);
	cr_assert_str_eq(c.c_pools[0].pc_listen[1].a_name, "api");
	config_free(&c);
}

/* Recycling and max_surge: defaults, and the units each is in. */
Test(conf, recycling, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	const char		*path;

	cr_assert_eq(load(ARGV("--", "true", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_max_surge, 1);
	cr_assert_eq(c.c_pools[0].pc_max_lifetime_ms, 0);
	cr_assert_eq(c.c_pools[0].pc_max_rss_mib, 0);
	config_free(&c);
	path = tmp_file("r.conf", "pool a {\n" OK_POOL
	    "max_surge = 3\nmax_lifetime = 86400\nmax_lifetime_jitter = 600"
	    "\nmax_rss = 512\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_max_surge, 3);
	cr_assert_eq(c.c_pools[0].pc_max_lifetime_ms, 86400000);
	cr_assert_eq(c.c_pools[0].pc_lifetime_jitter_ms, 600000);
	cr_assert_eq(c.c_pools[0].pc_max_rss_mib, 512);
	config_free(&c);
	/* A year's lifetime does not wrap. */
	path = tmp_file("y.conf", "pool a {\n" OK_POOL
	    "max_lifetime = 31622400\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_max_lifetime_ms, UINT64_C(31622400000));
	config_free(&c);
	cr_assert_eq(load(ARGV("-k", "async", "--max-requests", "1000",
	    "--max-requests-jitter", "50", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_max_requests, 1000);
	cr_assert_eq(c.c_pools[0].pc_max_requests_jitter, 50);
	config_free(&c);
}

/* memory_high, memory_max, tasks_max: systemd's sizes and meanings. */
Test(conf, cgroup_limits, .init = tmp_init, .fini = tmp_fini)
{
	static const struct {
		const char	*text, *err;
	} bad[] = {
		{ "memory_max = 512", "512 bytes, too little for a worker" },
		{ "memory_max = 512X", "memory_max must be a size in bytes" },
		{ "memory_high = -1M", "memory_high must be a size" },
		{ "memory_high = 1.5G", "memory_high must be a size" },
		{ "memory_high = 1G\nmemory_max = 1G",
		    "memory_high must be below memory_max" },
		{ "tasks_max = 0", "tasks_max must be a number" },
		{ "tasks_max = 4194305", "tasks_max must be a number" },
		{ "memory_max = 0", "for no limit, write infinity" },
		{ "tasks_max = 10K", "tasks_max must be a number" },
		{ "tasks_max = \"\"", "tasks_max must be a number" },
	};
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	const char		*path;

	cr_assert_eq(load(ARGV("--", "true", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_memory_high, 0);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_memory_max, 0);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_tasks_max, 0);
	config_free(&c);
	path = tmp_file("m.conf", "pool a {\n" OK_POOL "memory_high = 768M\n"
	    "memory_max = 1G\ntasks_max = 64\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_memory_high, 768ULL << 20);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_memory_max, 1ULL << 30);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_tasks_max, 64);
	config_free(&c);
	path = tmp_file("i.conf", "pool a {\n" OK_POOL "memory_max = infinity"
	    "\ntasks_max = infinity\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_memory_max, 0);
	cr_assert_eq(c.c_pools[0].pc_limits.cl_tasks_max, 0);
	config_free(&c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_pool_refused(bad[i].text, bad[i].err);
		assert_pool_refused(bad[i].text, "pool a");
	}
}

/* compat: the launchers it knows, for exec pools, and an env that would
   say otherwise is refused. */
Test(conf, compat_launchers, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	const char		*path;

	path = tmp_file("c.conf", "pool a {\n" OK_POOL "compat = { "
	    "\"einhorn\", \"gunicorn\" }\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_compat, COMPAT_EINHORN | COMPAT_GUNICORN);
	config_free(&c);
	path = tmp_file("c.conf", "pool a {\n" OK_POOL "compat = { "
	    "\"uwsgi\" }\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, "compat \"uwsgi\": expected einhorn, server_starter");
	path = tmp_file("c.conf", "pool a {\n" OK_POOL "compat = { "
	    "\"unicorn\" }\nenv = { \"UNICORN_FD=9\" }\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, "compat sets this variable");
	path = tmp_file("c.conf", "pool a {\nlisten = { \"127.0.0.1:1\" }\n"
	    "worker = sync\ncompat = { \"einhorn\" }\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	assert_has(err, "compat is for exec workers");
}

/* ready = fd: s6's protocol, on a notification_fd above the listeners. */
Test(conf, ready_fd_and_its_notification_fd, .init = tmp_init,
    .fini = tmp_fini)
{
	static const struct {
		const char	*text, *err;
	} bad[] = {
		{ "ready = \"fd\"", "ready = fd needs notification_fd" },
		{ "ready = \"fd\"\nnotification_fd = 3",
		    "needs notification_fd, 4-1023" },
		{ "listen += { \"127.0.0.1:9101\" }\nready = \"fd\"\n"
		    "notification_fd = 4", "is among its 2 listening sockets" },
		{ "ready = \"fd\"\nnotification_fd = 1024",
		    "needs notification_fd" },
		{ "notification_fd = 5", "notification_fd is for ready = fd" },
		{ "ready = \"pipe\"", "ready must be started, notify or fd" },
	};
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	const char		*path;

	path = tmp_file("f.conf", "pool a {\n" OK_POOL "ready = \"fd\"\n"
	    "notification_fd = 7\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_ready_fd, 7);
	cr_assert(c.c_pools[0].pc_ready_notify);
	config_free(&c);
	cr_assert_eq(load(ARGV("--", "true", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_ready_fd, -1);
	config_free(&c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_pool_refused(bad[i].text, bad[i].err);
}

/* Options exec pools cannot honour are refused, not ignored. */
Test(conf, exec_pool_refuses_what_it_cannot_honour)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";

	cr_assert_eq(load(ARGV("--max-requests", "10", "--", "true", NULL), &c,
	    err), -1);
	cr_assert(strstr(err, "built-in workers") != NULL, "%s", err);
	cr_assert_eq(load(ARGV("--threads", "4", "--", "true", NULL), &c,
	    err), -1);
	cr_assert_eq(load(ARGV("--keep-alive", "5", "--", "true", NULL), &c,
	    err), -1);
	cr_assert(strstr(err, "keepalive") != NULL, "%s", err);
	cr_assert_eq(load(ARGV("--limit-request-line", "100", "--", "true",
	    NULL), &c, err), -1);
}

Test(conf, reopen_signal_none_or_a_name, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "";
	const char		*path;

	/* Unset: none for an exec pool (USR1 would kill most programs),
	   USR1 for a built-in one (it reopens its access log). */
	cr_assert_eq(load(ARGV("--", "true", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_reopen_signal, 0);
	config_free(&c);
	cr_assert_eq(load(ARGV("-k", "async", NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_reopen_signal, SIGUSR1);
	config_free(&c);
	path = tmp_file("r.conf", "pool a {\n" OK_POOL
	    "reopen_signal = \"USR1\"\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_reopen_signal, SIGUSR1);
	config_free(&c);

	path = tmp_file("r.conf", "pool a {\n" OK_POOL
	    "reopen_signal = \"none\"\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_reopen_signal, 0);
	config_free(&c);
	path = tmp_file("r.conf", "pool a {\n" OK_POOL
	    "reopen_signal = \"HUP\"\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_pools[0].pc_reopen_signal, SIGHUP);
	config_free(&c);
	path = tmp_file("r.conf", "pool a {\n" OK_POOL
	    "reopen_signal = \"KILL\"\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
	cr_assert(strstr(err, "r.conf:") != NULL, "%s", err);
}

/* Options built-in pools cannot honour are refused, not ignored: another
   stop or reopen signal would kill a built-in worker without draining. */
Test(conf, builtin_pool_refuses_exec_only_options, .init = tmp_init,
    .fini = tmp_fini)
{
	static const char *const opts[][2] = {
		{ "stop_signal = \"QUIT\"", "stop_signal is for exec" },
		{ "reopen_signal = \"HUP\"", "reopen_signal is for exec" },
		{ "env = { \"A=1\" }", "env is for exec" },
	};
	struct poold_conf	c;
	char			err[CONF_ERR_MAX] = "", text[256];
	const char		*path;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		snprintf(text, sizeof(text), "pool a {\nlisten = { "
		    "\"127.0.0.1:1\" }\nworker = async\n%s\n}\n", opts[i][0]);
		path = tmp_file("b.conf", text);
		cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1,
		    "%s accepted", opts[i][0]);
		cr_assert(strstr(err, opts[i][1]) != NULL, "%s", err);
	}
	/* The defaults, spelled out, are fine. */
	path = tmp_file("b.conf", "pool a {\nlisten = { \"127.0.0.1:1\" }\n"
	    "worker = sync\nstop_signal = \"TERM\"\nreopen_signal = \"USR1\"\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	config_free(&c);
}

/* The drain's defaults: none, TERM and INT drain; a file's list is the
   whole list. */
Test(conf, drain_settings, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "";
	const char		*path = tmp_file("d.conf", "pool a {\n" OK_POOL
	    "}\n");

	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_drain_ms, 0);
	cr_assert_eq(c.c_drain_probes, 0);
	cr_assert_eq(c.c_drain_sigs, (1u << SIGTERM) | (1u << SIGINT));
	cr_assert_eq(c.c_pools[0].pc_min_ready, 1);
	config_free(&c);
	path = tmp_file("d.conf", "drain_delay = 12.5\ndrain_probes = 3\n"
	    "drain_signals = { \"QUIT\", \"SIGTERM\" }\npool a {\n" OK_POOL
	    "min_ready = 0\n}\n");
	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_eq(c.c_drain_ms, 12500);
	cr_assert_eq(c.c_drain_probes, 3);
	cr_assert_eq(c.c_drain_sigs, (1u << SIGTERM) | (1u << SIGQUIT));
	cr_assert_eq(c.c_pools[0].pc_min_ready, 0);
	config_free(&c);
}

/* --metrics: as metrics { listen }, over the file's. */
Test(conf, metrics_flag, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "";
	const char		*path = tmp_file("m.conf", "metrics { listen = "
	    "\"127.0.0.1:9100\" }\npool a {\n" OK_POOL "}\n");

	cr_assert_eq(load(ARGV("-c", path, "--metrics", "127.0.0.1:9200",
	    NULL), &c, err), 0, "%s", err);
	cr_assert(c.c_metrics);
	cr_assert_eq(c.c_metrics_listen.a_port, 9200);
	config_free(&c);
	cr_assert_eq(load(ARGV("-c", path, "--metrics", "unix:/x/y", NULL), &c,
	    err), 0, "%s", err);
	cr_assert_str_eq(c.c_metrics_listen.a_path, "/x/y");
	config_free(&c);
}

/* -- line numbers under comments ------------------------------------------ */

/*
 * libconfuse 3.3 counts three lines for a line comment and one more for a
 * block comment: errors below comments named the wrong line until poold
 * blanked them before parsing.  Every kind of comment, blank lines, and
 * the error's own line.
 */
Test(conf, errors_name_their_line_under_comments, .init = tmp_init,
    .fini = tmp_fini)
{
	static const char *const heads[] = {
		"# one\n# two\n# three\n\n",
		"// one\n  // two\n\n\n",
		"/* one\n two\n three */\n\n",
	};
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX], text[512], want[PATH_MAX + 16];
	const char		*path;

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		snprintf(text, sizeof(text), "%spool a {\n" OK_POOL
		    "worker = \"fastcgi\" # trailing\n}\n", heads[i]);
		path = tmp_file("lines.conf", text);
		err[0] = '\0';
		cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), -1);
		snprintf(want, sizeof(want), "%s:8: ", path);
		cr_assert_eq(strncmp(err, want, strlen(want)), 0, "case %zu: "
		    "\"%s\" is not at line 8", i, err);
		config_free(&c);
	}
}

/* What looks like a comment inside a string, or in a word, is not one. */
Test(conf, comment_marks_in_strings_are_kept, .init = tmp_init,
    .fini = tmp_fini)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "";
	const char		*path = tmp_file("keep.conf",
	    "access_log_format = \"%(h)s # not // a /* comment */\"\n"
	    "pool a {\n" OK_POOL "env = { 'A=#1', \"B=x\\\"#y\" }\n}\n");

	cr_assert_eq(load(ARGV("-c", path, NULL), &c, err), 0, "%s", err);
	cr_assert_str_eq(c.c_access_format,
	    "%(h)s # not // a /* comment */");
	cr_assert_str_eq(c.c_pools[0].pc_env[0], "A=#1");
	cr_assert_str_eq(c.c_pools[0].pc_env[1], "B=x\"#y");
	config_free(&c);
}

Test(conf, blank_comments_keeps_newlines)
{
	char text[] = "a = 1 # x\n/* y\nz */b = \"#\" // w\nc = p//q\n";

	conf_blank_comments(text, strlen(text));
	cr_assert_str_eq(text, "a = 1    \n    \n    b = \"#\"     \n"
	    "c = p//q\n");
}

/* Their effect: the pool's backlog and env (a variable it sets is set
   again), and every pool without a chdir of its own works in --chdir's
   directory. */
Test(conf, gunicorn_flags_apply, .init = tmp_init, .fini = tmp_fini)
{
	struct poold_conf	 c;
	char			 err[CONF_ERR_MAX] = "";
	const char		*path = tmp_file("g.conf", "pool a {\n" OK_POOL
	    "env = { \"A=0\" }\n}\npool b {\nlisten = { \"127.0.0.1:9101\" }"
	    "\ncommand = { \"/bin/true\" }\nchdir = \"/\"\n}\n");

	cr_assert_eq(load(ARGV("-c", path, "-n", "a", "--backlog", "16", "-e",
	    "A=1", "-e", "C=3", "--chdir", "/tmp", NULL), &c, err), 0, "%s",
	    err);
	cr_assert_eq(pool_named(&c, "a")->pc_backlog, 16);
	cr_assert_str_eq(pool_named(&c, "a")->pc_env[0], "A=1", "-e did not "
	    "set the pool's A again");
	cr_assert_str_eq(pool_named(&c, "a")->pc_env[1], "C=3");
	cr_assert_null(pool_named(&c, "a")->pc_env[2]);
	cr_assert_str_eq(pool_named(&c, "a")->pc_chdir, "/tmp");
	cr_assert_str_eq(pool_named(&c, "b")->pc_chdir, "/", "a pool's own "
	    "chdir was overridden");
	config_free(&c);
	cr_assert_eq(load(ARGV("-c", path, "-n", "a", "-e", "NOEQUALS", NULL),
	    &c, err), -1, "a bad -e accepted");
	config_free(&c);
}
