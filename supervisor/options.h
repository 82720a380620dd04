/* SPDX-License-Identifier: ISC */
/*
 * The command line, parsed but not interpreted: config.c layers it over
 * the config file, so a HUP can re-apply it to a freshly read file.
 */
#ifndef POOLD_OPTIONS_H
#define POOLD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_BIND_MAX	64
#define CLI_ENV_MAX	64	/* -e KEY=VALUE, Gunicorn's */
#define CLI_UNSET	(-1.0)

struct cli {
	const char	 *config;
	const char	 *bind[CLI_BIND_MAX];
	size_t		  nbind;
	const char	 *worker_class;
	const char	 *name;
	const char	 *pidfile;
	const char	 *user;
	const char	 *group;
	const char	 *control;
	const char	 *metrics;	/* --metrics HOST:PORT */
	const char	 *chdir;	/* --chdir: absolute once main() went */
	const char	 *env[CLI_ENV_MAX];	/* -e, --env KEY=VALUE */
	size_t		  nenv;
	long		  backlog;	/* -1: not given */
	int		  umask;	/* -m, --umask; -1: not given */
	const char	 *log_level;
	const char	 *log_format;	/* --log-format text|json */
	const char	 *error_log;
	const char	 *access_log;
	const char	 *root;
	const char	 *access_format;
	const char	 *app;
	const char	 *app_arg;
	long		  workers;	/* -1: not given */
	long		  threads;
	long		  max_requests;
	long		  max_requests_jitter;
	long		  worker_connections;
	long		  limit_line;
	long		  limit_fields;
	long		  limit_field_size;
	double		  keepalive;	/* CLI_UNSET: not given */
	double		  timeout;	/* CLI_UNSET: not given */
	double		  graceful_timeout;
	char *const	 *command;	/* after --, NULL-terminated; or NULL */
	bool		  daemon;
	bool		  capture;	/* --capture-output */
	bool		  reload;	/* --reload */
	bool		  check_config;
	bool		  print_config;	/* --print-config */
	bool		  version;
	bool		  help;
};

/* 0 on success; -1 with err set.  Strings point into argv. */
int	 cli_parse(int argc, char *const argv[], struct cli *, char *err, size_t);
/*
 * True when the command line sets anything about one pool.  -u and -g are
 * not counted: they apply to every pool's workers.
 */
bool	 cli_names_pool(const struct cli *);
void	 cli_usage(FILE *);

#endif
