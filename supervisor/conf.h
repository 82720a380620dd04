/* SPDX-License-Identifier: ISC */
/*
 * The configuration as plain structs.  conf.c reads the libconfuse file,
 * applies the command line on top and validates the result; nothing past
 * config.c sees a cfg_t.
 */
#ifndef POOLD_CONF_H
#define POOLD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "autoscale.h"
#include "cgres.h"
#include "log.h"
#include "pool.h"

#define CONF_ERR_MAX		512
#define CONF_NAME_MAX		64
#define CONF_DEFAULT_BIND	"127.0.0.1:8000"
#define CONF_DEFAULT_BACKLOG	2048
#define CONF_DEFAULT_GRACEFUL	30.0
#define CONF_DEFAULT_BOOT_TIMEOUT	60.0	/* ready = notify */
#define CONF_LIFETIME_LIMIT	(366 * 86400)	/* max_lifetime, s */
#define CONF_MAX_RSS_LIMIT	(1 << 20)	/* max_rss, MiB: 1 TiB */
#define CONF_MEMORY_MIN		(1 << 20)	/* memory_high, _max: 1M */
#define CONF_TASKS_MAX		4194304		/* tasks_max: PID_MAX_LIMIT */
#define CONF_READY_FD_MAX	1023		/* notification_fd */
#define CONF_CAPTURE_AUTO	0	/* capture_output: unless stderr is a
					   terminal or the journal */
#define CONF_CAPTURE_YES	1
#define CONF_CAPTURE_NO		2
#define CONF_REOPEN_DEFAULT	(-1)	/* reopen_signal unset: USR1 for
					   built-in pools, none for exec */
#define CTL_IDLE_DEFAULT_S	60
#define CTL_MODE_DEFAULT	0600	/* the control socket's */

enum worker_class {
	WC_EXEC,
	WC_SYNC,
	WC_GTHREAD,
	WC_ASYNC,
};

struct pool_conf {
	char		 *pc_name;
	unsigned	  pc_listen_line, pc_app_line;	/* in the file; 0 if
							   not from it */
	struct addr	 *pc_listen;
	size_t		  pc_nlisten;
	enum worker_class pc_class;
	char		**pc_argv;	/* NULL-terminated; exec only */
	char		 *pc_exec_path;	/* argv[0] resolved at load time */
	char		**pc_env;	/* NULL-terminated NAME=value */
	int		  pc_workers;	/* -1 until defaults are applied */
	int		  pc_min_workers;
	int		  pc_max_workers;
	int		  pc_threads;
	char		 *pc_user;
	char		 *pc_group;
	uid_t		  pc_uid;	/* valid when pc_user is set */
	gid_t		  pc_gid;	/* valid when pc_user or pc_group is */
	char		 *pc_chdir;
	bool		  pc_no_new_privs;	/* PR_SET_NO_NEW_PRIVS */
	int		  pc_stop_signal;
	int		  pc_reopen_signal;	/* on USR1; 0: none */
	unsigned	  pc_timeout_ms;	/* 0: none */
	unsigned	  pc_graceful_ms;
	bool		  pc_ready_notify;	/* ready = notify, or fd */
	int		  pc_ready_fd;		/* ready = fd: notification_fd;
						   else -1 */
	bool		  pc_kill_tree;		/* kill_mode = mixed, not process */
	bool		  pc_notify_all;	/* notify_access = all, not main */
	struct cg_limits  pc_limits;	/* memory_high, memory_max, tasks_max */
	unsigned	  pc_compat;	/* COMPAT_*: other launchers' variables */
	unsigned	  pc_boot_timeout_ms;	/* boot_timeout */
	unsigned	  pc_boot_window_ms;	/* boot_window */
	unsigned	  pc_max_requests;
	unsigned	  pc_max_requests_jitter;
	unsigned	  pc_min_ready;	/* ready workers /readyz wants */
	uint64_t	  pc_max_lifetime_ms;	/* 0: none */
	uint64_t	  pc_lifetime_jitter_ms;
	unsigned	  pc_max_rss_mib;	/* 0: not checked */
	unsigned	  pc_max_surge;		/* >= 1 */
	struct scale_conf pc_scale;		/* scale = ..., and its knobs */
	unsigned	  pc_scale_interval_ms;	/* sampling, when not static */
	int		  pc_backlog;
	mode_t		  pc_socket_mode;
	int		  pc_umask;	/* workers' and socket files'; -1:
					   the arbiter's, untouched */
	/* Built-in HTTP workers (Gunicorn's names where it has them). */
	unsigned	  pc_keepalive_ms;	/* keepalive */
	unsigned	  pc_read_timeout_ms;	/* read_timeout */
	unsigned	  pc_worker_connections;
	unsigned	  pc_limit_line;	/* limit_request_line */
	unsigned	  pc_limit_fields;	/* limit_request_fields */
	unsigned	  pc_limit_field_size;	/* limit_request_field_size */
	uint64_t	  pc_limit_body;	/* limit_request_body; 0: none */
	char		 *pc_root;		/* root: static files */
	char		 *pc_app;		/* app: a module (poold/app.h) */
	char		 *pc_app_arg;		/* app_arg: for its init() */
};

struct poold_conf {
	char		 *c_path;	/* absolute, so HUP works after -D */
	struct pool_conf *c_pools;
	size_t		  c_npools;
	char		 *c_pidfile;
	char		 *c_error_log;
	char		 *c_access_log;
	unsigned	  c_pidfile_line, c_error_log_line, c_access_log_line;
					/* in the file; 0 if not from it */
	char		 *c_access_format;	/* NULL: the default */
	enum log_level	  c_log_level;
	enum log_format	  c_log_format;	/* both logs' */
	bool		  c_daemon;
	int		  c_umask;	/* -1: the one poold started with */
	bool		  c_reload;	/* --reload: filewatch.h */
	bool		  c_cgroups;	/* a cgroup per worker, if possible */
	bool		  c_notify_abstract;	/* notify_socket = abstract */
	int		  c_capture;	/* capture_output: CONF_CAPTURE_* */
	char		 *c_control_path;	/* NULL: no control socket */
	mode_t		  c_control_mode;
	char		 *c_control_group;	/* also served, if set */
	gid_t		  c_control_gid;
	unsigned	  c_control_idle_ms;
	bool		  c_metrics;		/* metrics { listen = ... } */
	struct addr	  c_metrics_listen;
	unsigned	  c_drain_ms;		/* drain_delay */
	unsigned	  c_drain_probes;	/* 0: not counted */
	unsigned	  c_drain_sigs;		/* 1 << SIGTERM, ...: drain */
};

struct cli;

/*
 * Build the configuration: file (if any), command line on top, embedded
 * default when neither names a pool, then validation.  0 or -1 with err set.
 */
int	 config_load(const struct cli *, struct poold_conf *, char *err, size_t);
void	 config_free(struct poold_conf *);
/*
 * For a reload: give the new configuration the running one's settings
 * that only a restart changes (pidfile, daemon, control, metrics).
 * true if the file asked for other values, which the caller reports.
 */
bool	 config_keep_restart_only(struct poold_conf *next,
	    struct poold_conf *running);

/* Environment prefixes poold sets for workers itself; NULL-terminated. */
extern const char *const conf_reserved_env[];

const char	*worker_class_name(enum worker_class);
int		 worker_class_parse(const char *, enum worker_class *);

#endif
