/* SPDX-License-Identifier: ISC */
/*
 * Configuration: the libconfuse file, the command line layered on top, the
 * embedded default, and validation.  Type errors are libconfuse's and name
 * the file and line; the checks that need the whole pool (bounds, command,
 * user) run on the plain structs so they cover the command line too.
 */
#include "config.h"

#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "accesslog.h"
#include "bounds.h"
#include "conffile.h"
#include "cpus.h"
#include "compat.h"
#include "confhint.h"
#include "http.h"
#include "options.h"
#include "proto.h"
#include "signame.h"

/* Where the first error of a load goes; loads are single-threaded. */
struct conf_err {
	char	*ce_buf;
	size_t	 ce_len;
	bool	 ce_set;
};

static struct conf_err *conf_err_cur;
/* The file being parsed, for the file and line of an error. */
static cfg_t *conf_cfg_cur;

static int
conf_fail(struct conf_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_fail(struct conf_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->ce_set) {
		va_start(ap, fmt);
		vsnprintf(e->ce_buf, e->ce_len, fmt, ap);
		va_end(ap);
		e->ce_set = true;
	}
	return -1;
}

static const char *const worker_class_names[] = {
	[WC_EXEC] = "exec",
	[WC_SYNC] = "sync",
	[WC_GTHREAD] = "gthread",
	[WC_ASYNC] = "async",
};

const char *
worker_class_name(enum worker_class wc)
{
	return worker_class_names[wc];
}

int
worker_class_parse(const char *s, enum worker_class *wc)
{
	for (size_t i = 0; i < sizeof(worker_class_names) /
	    sizeof(worker_class_names[0]); i++) {
		if (strcmp(s, worker_class_names[i]) == 0) {
			*wc = (enum worker_class)i;
			return 0;
		}
	}
	return -1;
}

/* -- libconfuse glue ---------------------------------------------------- */

static int
cb_worker_class(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	enum worker_class wc;

	if (worker_class_parse(value, &wc) == -1) {
		cfg_error(cfg, "worker = \"%s\": expected sync, gthread, "
		    "async or exec", value);
		return -1;
	}
	*(long *)result = wc;
	return 0;
}

/*
 * Signals whose default action ends a process: a stop_signal of CHLD or
 * WINCH would silently turn every graceful stop into a SIGKILL.  KILL is
 * left out on purpose: it is what graceful_timeout escalates to.
 */
static bool
stops_a_process(int sig)
{
	static const int ok[] = { SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1,
	    SIGUSR2, SIGALRM, SIGTERM };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (sig == ok[i])
			return true;
	}
	return false;
}

static int
cb_signal(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int sig = signame_parse(value);

	if (sig == -1 || !stops_a_process(sig)) {
		cfg_error(cfg, "%s = \"%s\": expected a signal that stops a "
		    "process: TERM, INT, QUIT, HUP, ABRT, ALRM, USR1 or USR2",
		    opt->name, value);
		return -1;
	}
	*(long *)result = sig;
	return 0;
}

/* Any signal, or "none": what USR1 to the arbiter becomes for workers. */
static int
cb_reopen_signal(cfg_t *cfg, cfg_opt_t *opt, const char *value,
    void *result)
{
	int sig = strcmp(value, "none") == 0 ? 0 : signame_parse(value);

	if (sig == -1 || sig == SIGKILL || sig == SIGSTOP) {
		cfg_error(cfg, "%s = \"%s\": expected a signal name or none",
		    opt->name, value);
		return -1;
	}
	*(long *)result = sig;
	return 0;
}

/*
 * libconfuse keeps the last value of a scalar option set twice in one
 * section, silently; one who wrote `workers = 2` and, lower down,
 * `workers = 4` should hear of it.  Each setting is noted as it is read,
 * keyed by its section; past SEEN_MAX settings (no real file has so
 * many) the check stops rather than grow.
 */
#define SEEN_MAX	4096
static struct seen_opt {
	const cfg_t	*so_sec;
	const char	*so_name;
	int		 so_line;
} seen_opts[SEEN_MAX];
static size_t	 nseen_opts;

static int
set_once(cfg_t *cfg, const cfg_opt_t *opt)
{
	if (opt->flags & CFGF_LIST)
		return 0;
	for (size_t i = 0; i < nseen_opts; i++) {
		const struct seen_opt *so = &seen_opts[i];

		if (so->so_sec != cfg || strcmp(so->so_name, opt->name) != 0)
			continue;
		if (cfg_title(cfg) != NULL)
			cfg_error(cfg, "%s is set twice in %s %s (first at line "
			    "%d): keep one", opt->name, cfg->name,
			    cfg_title(cfg), so->so_line);
		else if (cfg != conf_cfg_cur)
			cfg_error(cfg, "%s is set twice in %s { } (first at "
			    "line %d): keep one", opt->name, cfg->name,
			    so->so_line);
		else
			cfg_error(cfg, "%s is set twice (first at line %d): "
			    "keep one", opt->name, so->so_line);
		return -1;
	}
	if (nseen_opts < SEEN_MAX)
		seen_opts[nseen_opts++] = (struct seen_opt){ cfg, opt->name,
		    cfg->line };
	return 0;
}

static int
cb_once(cfg_t *cfg, cfg_opt_t *opt)
{
	return set_once(cfg, opt);
}

/* The line name was set on in sec, while the file is parsed; 0 if it
   was not. */
static unsigned
line_of(const cfg_t *sec, const char *name)
{
	for (size_t i = 0; i < nseen_opts; i++)
		if (seen_opts[i].so_sec == sec &&
		    strcmp(seen_opts[i].so_name, name) == 0)
			return seen_opts[i].so_line > 0 ?
			    (unsigned)seen_opts[i].so_line : 0;
	return 0;
}

/*
 * The lines of each pool's `listen` and `app`, noted as libconfuse reads
 * them (it keeps none per option; a section's is where it ends), for
 * --check-config's errors about what they name.  Keyed by the section.
 */
#define POOL_LINES_MAX	256
static struct pool_lines {
	const cfg_t	*pl_sec;
	unsigned	 pl_listen, pl_app;
} pool_lines[POOL_LINES_MAX];
static size_t	 npool_lines;

static struct pool_lines *
lines_of(const cfg_t *sec, bool add)
{
	for (size_t i = 0; i < npool_lines; i++)
		if (pool_lines[i].pl_sec == sec)
			return &pool_lines[i];
	if (!add || npool_lines == POOL_LINES_MAX)
		return NULL;
	pool_lines[npool_lines].pl_sec = sec;
	return &pool_lines[npool_lines++];
}

static int
cb_app(cfg_t *cfg, cfg_opt_t *opt)
{
	struct pool_lines *pl = lines_of(cfg, true);

	if (pl != NULL && cfg->line > 0)
		pl->pl_app = (unsigned)cfg->line;
	return set_once(cfg, opt);
}

static int
cb_listen(cfg_t *cfg, cfg_opt_t *opt)
{
	char			 err[CONF_ERR_MAX];
	struct addr		 a;
	struct pool_lines	*pl = lines_of(cfg, true);

	if (pl != NULL && cfg->line > 0)
		pl->pl_listen = (unsigned)cfg->line;

	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		if (addr_parse(cfg_opt_getnstr(opt, i), &a, err,
		    sizeof(err)) == -1) {
			cfg_error(cfg, "listen: %s", err);
			return -1;
		}
	}
	return 0;
}

/*
 * Every numeric option's range (bounds.c), checked as libconfuse reads
 * the value, so that the error names the file and line; defaults are the
 * table's own and in range.
 */
static int
cb_number(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct bound	*b = bound_find(cfg->name, opt->name);
	unsigned		 n = cfg_opt_size(opt);
	char			 why[96], val[48];
	double			 v;

	if (b == NULL || n == 0)
		return 0;
	if (set_once(cfg, opt) == -1)
		return -1;
	if (opt->type == CFGT_FLOAT) {
		v = cfg_opt_getnfloat(opt, n - 1);
		snprintf(val, sizeof(val), "%g", v);
	} else {
		v = (double)cfg_opt_getnint(opt, n - 1);
		/* A negative mode in octal would be 0177...776. */
		snprintf(val, sizeof(val), b->b_kind == BK_MODE && v >= 0 ?
		    "0%lo" : "%ld", cfg_opt_getnint(opt, n - 1));
	}
	if (bound_check(b, v, why, sizeof(why)) == 0)
		return 0;
	if (cfg_title(cfg) != NULL)
		cfg_error(cfg, "%s %s: %s = %s: %s", cfg->name, cfg_title(cfg),
		    opt->name, val, why);
	else if (strcmp(cfg->name, "root") == 0)
		cfg_error(cfg, "%s = %s: %s", opt->name, val, why);
	else
		cfg_error(cfg, "%s: %s = %s: %s", cfg->name, opt->name, val,
		    why);
	return -1;
}

/* Attach cb_once to every scalar option that has no other check
   (those call set_once themselves: libconfuse takes one per option). */
static void
watch_scalars(cfg_t *cfg, const cfg_opt_t *opts, const char *section)
{
	char path[64];

	for (const cfg_opt_t *o = opts; o->name != NULL; o++) {
		if (o->type == CFGT_SEC) {
			watch_scalars(cfg, o->subopts, o->name);
			continue;
		}
		if ((o->flags & CFGF_LIST) ||
		    bound_find(section != NULL ? section : "root", o->name) !=
		    NULL || (section != NULL && strcmp(o->name, "app") == 0))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", section != NULL ?
		    section : "", section != NULL ? "|" : "", o->name);
		(void)cfg_set_validate_func(cfg, path, cb_once);
	}
}

/* Attach cb_number to every option that has a range. */
static void
validate_numbers(cfg_t *cfg)
{
	char path[64];

	for (size_t i = 0; i < bound_count(); i++) {
		const struct bound *b = bound_at(i);
		/* The top level's are named alone; libconfuse calls it root. */
		if (strcmp(b->b_section, "root") == 0)
			snprintf(path, sizeof(path), "%s", b->b_name);
		else
			snprintf(path, sizeof(path), "%s|%s", b->b_section,
			    b->b_name);
		(void)cfg_set_validate_func(cfg, path, cb_number);
	}
}

static cfg_opt_t control_opts[] = {
	CFG_STR("socket", NULL, CFGF_NONE),
	CFG_INT("mode", CTL_MODE_DEFAULT, CFGF_NONE),
	CFG_STR("group", NULL, CFGF_NONE),
	CFG_FLOAT("idle_timeout", CTL_IDLE_DEFAULT_S, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t metrics_opts[] = {
	CFG_STR("listen", NULL, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t pool_opts[] = {
	CFG_STR_LIST("listen", NULL, CFGF_NONE),
	CFG_INT_CB("worker", -1, CFGF_NONE, cb_worker_class),
	CFG_STR_LIST("command", NULL, CFGF_NONE),
	/* No defaults: unset means "derive it" (see check_bounds). */
	CFG_INT("workers", 0, CFGF_NODEFAULT),
	CFG_INT("min_workers", 0, CFGF_NODEFAULT),
	CFG_INT("max_workers", 0, CFGF_NODEFAULT),
	CFG_INT("threads", 1, CFGF_NONE),
	CFG_STR_LIST("env", NULL, CFGF_NONE),
	CFG_STR("user", NULL, CFGF_NONE),
	CFG_STR("group", NULL, CFGF_NONE),
	CFG_STR("chdir", NULL, CFGF_NONE),
	CFG_BOOL("no_new_privs", cfg_false, CFGF_NONE),
	CFG_INT_CB("stop_signal", SIGTERM, CFGF_NONE, cb_signal),
	CFG_INT_CB("reopen_signal", CONF_REOPEN_DEFAULT, CFGF_NONE,
	    cb_reopen_signal),
	CFG_FLOAT("timeout", 0, CFGF_NONE),
	CFG_FLOAT("graceful_timeout", CONF_DEFAULT_GRACEFUL, CFGF_NONE),
	CFG_STR("ready", "started", CFGF_NONE),
	CFG_INT("notification_fd", -1, CFGF_NONE),
	CFG_STR("kill_mode", "mixed", CFGF_NONE),
	CFG_STR("notify_access", "main", CFGF_NONE),
	CFG_STR("memory_high", "infinity", CFGF_NONE),
	CFG_STR("memory_max", "infinity", CFGF_NONE),
	CFG_STR("tasks_max", "infinity", CFGF_NONE),
	CFG_STR_LIST("compat", NULL, CFGF_NONE),
	CFG_FLOAT("boot_timeout", CONF_DEFAULT_BOOT_TIMEOUT, CFGF_NONE),
	CFG_FLOAT("boot_window", 1, CFGF_NONE),
	CFG_INT("max_requests", 0, CFGF_NONE),
	CFG_INT("max_requests_jitter", 0, CFGF_NONE),
	CFG_FLOAT("max_lifetime", 0, CFGF_NONE),
	CFG_FLOAT("max_lifetime_jitter", 0, CFGF_NONE),
	CFG_INT("max_rss", 0, CFGF_NONE),
	CFG_INT("max_surge", 1, CFGF_NONE),
	CFG_INT("min_ready", 1, CFGF_NONE),
	CFG_STR("scale", "static", CFGF_NONE),
	CFG_INT("min_spare", 1, CFGF_NONE),
	CFG_INT("max_spare", 3, CFGF_NONE),
	CFG_FLOAT("scale_up_after", 0.2, CFGF_NONE),
	CFG_FLOAT("scale_down_after", 10, CFGF_NONE),
	CFG_FLOAT("scale_cooldown", 1, CFGF_NONE),
	CFG_FLOAT("scale_interval", 0.1, CFGF_NONE),
	CFG_FLOAT("idle_timeout", 10, CFGF_NONE),
	CFG_INT("backlog", CONF_DEFAULT_BACKLOG, CFGF_NONE),
	CFG_INT("socket_mode", 0666, CFGF_NONE),
	CFG_INT("umask", -1, CFGF_NONE),	/* -1: the top level's */
	CFG_STR("root", NULL, CFGF_NONE),
	CFG_STR("app", NULL, CFGF_NONE),
	CFG_STR("app_arg", NULL, CFGF_NONE),
	CFG_FLOAT("keepalive", 2, CFGF_NONE),
	CFG_FLOAT("read_timeout", 30, CFGF_NONE),
	CFG_INT("worker_connections", 1000, CFGF_NONE),
	CFG_INT("limit_request_line", 4094, CFGF_NONE),
	CFG_INT("limit_request_fields", 100, CFGF_NONE),
	CFG_INT("limit_request_field_size", 8190, CFGF_NONE),
	CFG_INT("limit_request_body", 64 * 1024 * 1024, CFGF_NONE),
	CFG_END()
};

/* libconfuse wants a list's default writable. */
static char drain_signals_default[] = "{TERM, INT}";

static cfg_opt_t root_opts[] = {
	CFG_STR("pidfile", NULL, CFGF_NONE),
	CFG_STR("error_log", NULL, CFGF_NONE),
	CFG_STR("access_log", NULL, CFGF_NONE),
	CFG_STR("access_log_format", NULL, CFGF_NONE),
	CFG_STR("log_level", "info", CFGF_NONE),
	CFG_STR("log_format", "text", CFGF_NONE),
	CFG_BOOL("daemon", cfg_false, CFGF_NONE),
	CFG_INT("umask", -1, CFGF_NONE),	/* -1: as poold started */
	CFG_BOOL("reload", cfg_false, CFGF_NONE),
	CFG_BOOL("cgroups", cfg_true, CFGF_NONE),
	CFG_STR("notify_socket", "path", CFGF_NONE),
	CFG_STR("capture_output", "auto", CFGF_NONE),
	CFG_FLOAT("drain_delay", 0, CFGF_NONE),
	CFG_INT("drain_probes", 0, CFGF_NONE),
	CFG_STR_LIST("drain_signals", drain_signals_default, CFGF_NONE),
	CFG_SEC("control", control_opts, CFGF_NONE),
	CFG_SEC("metrics", metrics_opts, CFGF_NONE),
	CFG_SEC("pool", pool_opts, CFGF_MULTI | CFGF_TITLE |
	    CFGF_NO_TITLE_DUPES),
	CFG_END()
};

/* The sections a name may belong to, for "it belongs inside ...". */
static const struct {
	const char	*sc_name;	/* as libconfuse names the cfg_t */
	const char	*sc_where;
	cfg_opt_t	*sc_opts;
} sections[] = {
	{ "pool", "inside pool NAME { }", pool_opts },
	{ "control", "inside control { }", control_opts },
	{ "metrics", "inside metrics { }", metrics_opts },
	{ "root", "at the top level, outside any section", root_opts },
};
#define NSECTIONS	(sizeof(sections) / sizeof(sections[0]))

/*
 * The way out of "no such option 'NAME'" met in section cfg: a near
 * name of the same section, or the section the name belongs to; and
 * for a Python file, that the syntax is another one.
 */
static void
unknown_option_hint(cfg_t *cfg, const char *msg, const char *file,
    char *out, size_t len)
{
	const char	*q = strchr(msg, '\'') + 1, *near;
	char		 name[65];
	size_t		 n = strcspn(q, "'"), k;

	out[0] = '\0';
	snprintf(name, sizeof(name), "%.*s", (int)n, q);
	if ((near = hint_closest(name, cfg->opts)) != NULL)
		snprintf(out, len, "; did you mean '%s'?", near);
	for (size_t i = 0; out[0] == '\0' && i < NSECTIONS; i++) {
		if (strcmp(sections[i].sc_name, cfg->name) != 0 &&
		    hint_has(sections[i].sc_opts, name))
			snprintf(out, len, "; %s belongs %s", name,
			    sections[i].sc_where);
	}
	for (size_t i = 0; out[0] == '\0' && i < NSECTIONS; i++) {
		if (strcmp(sections[i].sc_name, cfg->name) != 0 &&
		    (near = hint_closest(name, sections[i].sc_opts)) != NULL)
			snprintf(out, len, "; did you mean '%s' (%s)?", near,
			    sections[i].sc_where);
	}
	k = file != NULL ? strlen(file) : 0;
	if (k > 3 && strcmp(file + k - 3, ".py") == 0)
		snprintf(out + strlen(out), len - strlen(out), "; this looks "
		    "like a Gunicorn (Python) file, but poold reads its own "
		    "syntax: see poold.conf(5), and docs/gunicorn.md for "
		    "Gunicorn's names");
}

/* libconfuse's error callback: its format, its arguments. */
static void __attribute__((format(printf, 2, 0)))
cfg_errfn(cfg_t *cfg, const char *fmt, va_list ap)
{
	char		 msg[CONF_ERR_MAX], hint[512] = "";
	const char	*file = cfg != NULL ? cfg->filename : NULL;

	if (conf_err_cur == NULL)
		return;		/* not during a load: nobody to tell */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A section libconfuse made before parsing (control { }) has a
	   line but no file of its own: the file is the one being parsed. */
	if (file == NULL && cfg != NULL && conf_cfg_cur != NULL)
		file = conf_cfg_cur->filename;
	if (cfg != NULL && strncmp(msg, "no such option '", 16) == 0)
		unknown_option_hint(cfg, msg, file, hint, sizeof(hint));
	if (file != NULL)
		conf_fail(conf_err_cur, "%s:%d: %s%s", file, cfg->line, msg,
		    hint);
	else
		conf_fail(conf_err_cur, "%s%s", msg, hint);
}

/* -- plain-struct helpers ---------------------------------------------- */

static int
set_str(char **dst, const char *src, struct conf_err *e)
{
	char *s = NULL;

	if (src != NULL && (s = strdup(src)) == NULL)
		return conf_fail(e, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* A NULL-terminated copy of n strings produced by get(src, i). */
static char **
strv_build(size_t n, const char *(*get)(const void *, size_t),
    const void *src, struct conf_err *e)
{
	char **v;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if ((v[i] = strdup(get(src, i))) == NULL)
			goto oom;
	}
	return v;
oom:
	strv_free(v);
	conf_fail(e, "out of memory");
	return NULL;
}

static const char *
get_cfg_list(const void *src, size_t i)
{
	const cfg_opt_t *opt = src;

	return cfg_opt_getnstr((cfg_opt_t *)opt, (unsigned)i);
}

static const char *
get_argv(const void *src, size_t i)
{
	return ((char *const *)src)[i];
}

static void
pool_conf_free(struct pool_conf *pc)
{
	free(pc->pc_name);
	free(pc->pc_listen);
	strv_free(pc->pc_argv);
	free(pc->pc_exec_path);
	strv_free(pc->pc_env);
	free(pc->pc_user);
	free(pc->pc_group);
	free(pc->pc_chdir);
	free(pc->pc_root);
	free(pc->pc_app);
	free(pc->pc_app_arg);
	memset(pc, 0, sizeof(*pc));
}

/* What a pool's settings are before anything is read: the values that
   say "not set" (the defaults are the option table's: pool_defaults). */
static void
pool_conf_init(struct pool_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->pc_class = (enum worker_class)-1;
	pc->pc_workers = pc->pc_min_workers = pc->pc_max_workers = -1;
}


static int
set_listen(struct pool_conf *pc, const char *const *v, size_t n,
    struct conf_err *e)
{
	char		 err[CONF_ERR_MAX];
	struct addr	*a;

	if ((a = calloc(n ? n : 1, sizeof(*a))) == NULL)
		return conf_fail(e, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (addr_parse(v[i], &a[i], err, sizeof(err)) == -1) {
			free(a);
			return conf_fail(e, "pool %s: %s", pc->pc_name, err);
		}
	}
	free(pc->pc_listen);
	pc->pc_listen = a;
	pc->pc_nlisten = n;
	return 0;
}

static unsigned
seconds_to_ms(double s)
{
	return (unsigned)(s * 1000.0 + 0.5);
}

/* -- the file ----------------------------------------------------------- */

/*
 * Numbers, read: their ranges were checked as the file was parsed
 * (cb_number), so an int option fits an int and a duration's ms fit
 * what holds them.
 */
static int
get_int(cfg_t *sec, const char *name)
{
	return (int)cfg_getint(sec, name);
}

static unsigned
get_ms(cfg_t *sec, const char *name)
{
	return seconds_to_ms(cfg_getfloat(sec, name));
}

/* The HTTP worker's options; ranges as Gunicorn's where it has them. */
static int
http_from_cfg(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	pc->pc_keepalive_ms = get_ms(sec, "keepalive");
	pc->pc_read_timeout_ms = get_ms(sec, "read_timeout");
	pc->pc_worker_connections = (unsigned)get_int(sec,
	    "worker_connections");
	pc->pc_limit_line = (unsigned)get_int(sec, "limit_request_line");
	pc->pc_limit_fields = (unsigned)get_int(sec, "limit_request_fields");
	pc->pc_limit_field_size = (unsigned)get_int(sec,
	    "limit_request_field_size");
	pc->pc_limit_body = (uint64_t)cfg_getint(sec, "limit_request_body");
	if (set_str(&pc->pc_app, cfg_getstr(sec, "app"), e) == -1 ||
	    set_str(&pc->pc_app_arg, cfg_getstr(sec, "app_arg"), e) == -1)
		return -1;
	return set_str(&pc->pc_root, cfg_getstr(sec, "root"), e);
}

/*
 * ready = started (a worker is ready once it has lived through its first
 * second) or notify (once it sends READY=1, as systemd's Type=notify),
 * with boot_timeout for READY=1 to arrive.
 */
static int
load_ready(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	const char	*r = cfg_getstr(sec, "ready");
	long		 fd = cfg_getint(sec, "notification_fd");

	pc->pc_ready_fd = -1;
	if (strcmp(r, "notify") == 0)
		pc->pc_ready_notify = true;
	else if (strcmp(r, "fd") == 0) {
		/* s6's protocol: a newline on notification_fd.  Ready as
		   with notify, and boot_timeout alike. */
		pc->pc_ready_notify = true;
		if (fd < 4 || fd > CONF_READY_FD_MAX)
			return conf_fail(e, "pool %s: ready = fd needs "
			    "notification_fd, 4-%d, above the listening "
			    "sockets at 3..", pc->pc_name, CONF_READY_FD_MAX);
		pc->pc_ready_fd = (int)fd;
	} else if (strcmp(r, "started") != 0)
		return conf_fail(e, "pool %s: ready must be started, notify or "
		    "fd, not \"%s\"", pc->pc_name, r);
	if (fd != -1 && pc->pc_ready_fd == -1)
		return conf_fail(e, "pool %s: notification_fd is for ready = "
		    "fd", pc->pc_name);
	pc->pc_boot_timeout_ms = get_ms(sec, "boot_timeout");
	pc->pc_boot_window_ms = get_ms(sec, "boot_window");
	return 0;
}

/*
 * kill_mode and notify_access, with systemd's names.
 * kill_mode: mixed (the stop signal to the main
 * process, SIGKILL to what is left of its tree once it has exited or
 * its time is up) or process (the main process only: for programs that
 * manage their own children).
 */
static int
load_kill_mode(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	const char *m = cfg_getstr(sec, "kill_mode");

	if (strcmp(m, "mixed") == 0)
		pc->pc_kill_tree = true;
	else if (strcmp(m, "process") == 0)
		pc->pc_kill_tree = false;
	else
		return conf_fail(e, "pool %s: kill_mode must be mixed or "
		    "process, not \"%s\"", pc->pc_name, m);
	/* notify_access, also systemd's: whose messages count for a
	   worker, its main process's only, or any in its tree's. */
	m = cfg_getstr(sec, "notify_access");
	if (strcmp(m, "all") == 0)
		pc->pc_notify_all = true;
	else if (strcmp(m, "main") != 0)
		return conf_fail(e, "pool %s: notify_access must be main or "
		    "all, not \"%s\"", pc->pc_name, m);
	return 0;
}

/* capture_output's value: CONF_CAPTURE_*, or -1. */
static int
capture_parse(const char *v)
{
	if (strcmp(v, "auto") == 0)
		return CONF_CAPTURE_AUTO;
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		return CONF_CAPTURE_YES;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		return CONF_CAPTURE_NO;
	return -1;
}

/* A size option (memory_high, memory_max) into *out; 0 or -1. */
static int
load_size(cfg_t *sec, const char *name, const struct pool_conf *pc,
    uint64_t *out, struct conf_err *e)
{
	const char *v = cfg_getstr(sec, name);

	if (cgres_parse_size(v, out) == -1)
		return conf_fail(e, "pool %s: %s must be a size in bytes, "
		    "with K, M, G or T for powers of 1024 (512M), or "
		    "infinity, not \"%s\"", pc->pc_name, name, v);
	if (*out == 0 && strcmp(v, "infinity") != 0)
		return conf_fail(e, "pool %s: %s = %s: for no limit, write "
		    "infinity", pc->pc_name, name, v);
	/* A bare number is bytes, as systemd's: 512 means 512 bytes. */
	if (*out > 0 && *out < CONF_MEMORY_MIN)
		return conf_fail(e, "pool %s: %s = %s is %llu bytes, too "
		    "little for a worker (at least 1M); did you mean %sM?",
		    pc->pc_name, name, v, (unsigned long long)*out, v);
	return 0;
}

/*
 * Limits of each worker's cgroup, with systemd's meanings (MemoryHigh=,
 * MemoryMax=, TasksMax=).  Whether the controllers are there is known
 * only where poold runs: confcheck_cgroups() says.
 */
static int
load_limits(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	struct cg_limits	*l = &pc->pc_limits;
	const char		*t = cfg_getstr(sec, "tasks_max");
	char			*end;

	if (load_size(sec, "memory_high", pc, &l->cl_memory_high, e) == -1 ||
	    load_size(sec, "memory_max", pc, &l->cl_memory_max, e) == -1)
		return -1;
	if (l->cl_memory_high > 0 && l->cl_memory_max > 0 &&
	    l->cl_memory_high >= l->cl_memory_max)
		return conf_fail(e, "pool %s: memory_high must be below "
		    "memory_max: the worker is recycled when it crosses "
		    "memory_high, and killed at memory_max", pc->pc_name);
	if (strcmp(t, "infinity") == 0)
		return 0;
	errno = 0;
	l->cl_tasks_max = strtoull(t, &end, 10);
	/* pids.max counts tasks, threads too, up to the kernel's pid
	   limit. */
	if (!isdigit((unsigned char)t[0]) || *end != '\0' || errno != 0 ||
	    l->cl_tasks_max == 0 || l->cl_tasks_max > CONF_TASKS_MAX)
		return conf_fail(e, "pool %s: tasks_max must be a number of "
		    "tasks (processes and threads), 1-%d, or infinity, not "
		    "\"%s\"", pc->pc_name, CONF_TASKS_MAX, t);
	return 0;
}

/* compat = { "einhorn", ... }: the other launchers' variables. */
static int
load_compat(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	const char	*name;
	unsigned	 bit;

	for (unsigned i = 0; i < cfg_size(sec, "compat"); i++) {
		name = cfg_getnstr(sec, "compat", i);
		if ((bit = compat_bit(name)) == 0)
			return conf_fail(e, "pool %s: compat \"%s\": expected "
			    "%s", pc->pc_name, name, compat_names());
		pc->pc_compat |= bit;
	}
	return 0;
}

/*
 * Recycling (Gunicorn's max_requests, uWSGI's max-worker-lifetime and
 * reload-on-rss) and how many replacements boot at once.
 */
static int
load_recycling(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	double	life = cfg_getfloat(sec, "max_lifetime");
	double	jit = cfg_getfloat(sec, "max_lifetime_jitter");

	if (life > 0 && life < 1)
		return conf_fail(e, "pool %s: max_lifetime must be at least "
		    "1 s (or 0 for none)", pc->pc_name);
	pc->pc_max_requests = (unsigned)get_int(sec, "max_requests");
	pc->pc_max_requests_jitter = (unsigned)get_int(sec,
	    "max_requests_jitter");
	pc->pc_max_rss_mib = (unsigned)get_int(sec, "max_rss");
	pc->pc_max_surge = (unsigned)get_int(sec, "max_surge");
	pc->pc_min_ready = (unsigned)get_int(sec, "min_ready");
	pc->pc_max_lifetime_ms = (uint64_t)(life * 1000.0 + 0.5);
	pc->pc_lifetime_jitter_ms = (uint64_t)(jit * 1000.0 + 0.5);
	return 0;
}

/* scale = static | dynamic | backlog | ondemand, and its settings. */
static int
load_scale(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	struct scale_conf	*sc = &pc->pc_scale;
	const char		*n = pc->pc_name, *mode = cfg_getstr(sec, "scale");

	if (scale_mode_parse(mode, &sc->sc_mode) == -1)
		return conf_fail(e, "pool %s: scale must be static, dynamic, "
		    "backlog or ondemand, not \"%s\"", n, mode);
	sc->sc_min_spare = get_int(sec, "min_spare");
	sc->sc_max_spare = get_int(sec, "max_spare");
	sc->sc_up_after_ms = get_ms(sec, "scale_up_after");
	sc->sc_down_after_ms = get_ms(sec, "scale_down_after");
	sc->sc_cooldown_ms = get_ms(sec, "scale_cooldown");
	sc->sc_idle_ms = get_ms(sec, "idle_timeout");
	pc->pc_scale_interval_ms = get_ms(sec, "scale_interval");
	if (sc->sc_min_spare > sc->sc_max_spare)
		return conf_fail(e, "pool %s: need min_spare (%d) <= max_spare "
		    "(%d)", n, sc->sc_min_spare, sc->sc_max_spare);
	return 0;
}

static int
pool_from_cfg(cfg_t *sec, struct pool_conf *pc, struct conf_err *e)
{
	struct pool_lines *pl;
	cfg_opt_t	*opt;
	const char	*listen[CLI_BIND_MAX];
	unsigned	 nlisten;

	pool_conf_init(pc);
	if ((pl = lines_of(sec, false)) != NULL) {
		pc->pc_listen_line = pl->pl_listen;
		pc->pc_app_line = pl->pl_app;
	}
	if (set_str(&pc->pc_name, cfg_title(sec), e) == -1)
		return -1;
	nlisten = cfg_size(sec, "listen");
	if (nlisten > CLI_BIND_MAX)
		return conf_fail(e, "pool %s: at most %d listen addresses",
		    pc->pc_name, CLI_BIND_MAX);
	for (unsigned i = 0; i < nlisten; i++)
		listen[i] = cfg_getnstr(sec, "listen", i);
	if (set_listen(pc, listen, nlisten, e) == -1)
		return -1;
	pc->pc_class = (enum worker_class)cfg_getint(sec, "worker");
	if ((opt = cfg_getopt(sec, "command")) != NULL && cfg_opt_size(opt)) {
		pc->pc_argv = strv_build(cfg_opt_size(opt), get_cfg_list, opt,
		    e);
		if (pc->pc_argv == NULL)
			return -1;
	}
	opt = cfg_getopt(sec, "env");
	if ((pc->pc_env = strv_build(opt ? cfg_opt_size(opt) : 0,
	    get_cfg_list, opt, e)) == NULL)
		return -1;
	/* Unset (no default in the table): derived later, check_bounds. */
	if (cfg_size(sec, "workers") > 0)
		pc->pc_workers = get_int(sec, "workers");
	if (cfg_size(sec, "min_workers") > 0)
		pc->pc_min_workers = get_int(sec, "min_workers");
	if (cfg_size(sec, "max_workers") > 0)
		pc->pc_max_workers = get_int(sec, "max_workers");
	pc->pc_threads = get_int(sec, "threads");
	if (set_str(&pc->pc_user, cfg_getstr(sec, "user"), e) == -1 ||
	    set_str(&pc->pc_group, cfg_getstr(sec, "group"), e) == -1 ||
	    set_str(&pc->pc_chdir, cfg_getstr(sec, "chdir"), e) == -1)
		return -1;
	pc->pc_stop_signal = (int)cfg_getint(sec, "stop_signal");
	pc->pc_reopen_signal = (int)cfg_getint(sec, "reopen_signal");
	pc->pc_no_new_privs = cfg_getbool(sec, "no_new_privs");
	pc->pc_timeout_ms = get_ms(sec, "timeout");
	pc->pc_graceful_ms = get_ms(sec, "graceful_timeout");
	if (load_ready(sec, pc, e) == -1 || load_kill_mode(sec, pc, e) == -1 ||
	    load_limits(sec, pc, e) == -1 || load_compat(sec, pc, e) == -1)
		return -1;
	if (load_recycling(sec, pc, e) == -1 || load_scale(sec, pc, e) == -1)
		return -1;
	pc->pc_backlog = get_int(sec, "backlog");
	pc->pc_socket_mode = (mode_t)cfg_getint(sec, "socket_mode");
	pc->pc_umask = (int)cfg_getint(sec, "umask");
	return http_from_cfg(sec, pc, e);
}

/*
 * A pool of that name as the option table's defaults make it: for a pool
 * the command line alone makes, and to tell a setting away from its
 * default.  The table is the one place a default is written.
 */
static int
pool_defaults(struct pool_conf *pc, const char *name, struct conf_err *e)
{
	cfg_t	*cfg;
	int	 rc = -1;

	pool_conf_init(pc);
	if ((cfg = cfg_init(root_opts, CFGF_NONE)) == NULL)
		return conf_fail(e, "out of memory");
	cfg_set_error_function(cfg, cfg_errfn);
	if (cfg_parse_buf(cfg, "pool p {}") != CFG_SUCCESS)
		conf_fail(e, "the option table's defaults do not parse");
	else if (pool_from_cfg(cfg_getnsec(cfg, "pool", 0), pc, e) == 0 &&
	    set_str(&pc->pc_name, name, e) == 0)
		rc = 0;
	cfg_free(cfg);
	return rc;
}

/* The metrics and health listener at l; where says who set it, for
   errors. */
static int
metrics_at(struct poold_conf *c, const char *l, const char *where,
    struct conf_err *e)
{
	char err[256];

	if (addr_parse(l, &c->c_metrics_listen, err, sizeof(err)) == -1)
		return conf_fail(e, "%s: %s", where, err);
	if (c->c_metrics_listen.a_kind != ADDR_TCP &&
	    c->c_metrics_listen.a_kind != ADDR_UNIX)
		return conf_fail(e, "%s: HOST:PORT or unix:PATH, not \"%s\"",
		    where, l);
	c->c_metrics = true;
	return 0;
}

/* metrics { listen = "HOST:PORT" }: the Prometheus endpoint and the
   health probes, or none. */
static int
metrics_from_cfg(cfg_t *cfg, struct poold_conf *c, struct conf_err *e)
{
	cfg_t		*m = cfg_getsec(cfg, "metrics");
	const char	*l = m != NULL ? cfg_getstr(m, "listen") : NULL;
	char		 where[512];

	if (l == NULL)
		return 0;
	snprintf(where, sizeof(where), "%s: metrics listen", c->c_path);
	return metrics_at(c, l, where, e);
}

/*
 * How a stop goes: the drain before it (/readyz 503 while serving on, for
 * drain_delay or drain_probes failed probes), and which of the stop
 * signals drain then stop gracefully; the others of TERM, INT and QUIT
 * stop at once.
 */
static int
drain_from_cfg(cfg_t *cfg, struct poold_conf *c, struct conf_err *e)
{
	const char	*name;
	int		 sig;

	c->c_drain_ms = get_ms(cfg, "drain_delay");
	c->c_drain_probes = (unsigned)get_int(cfg, "drain_probes");
	c->c_drain_sigs = 0;
	for (unsigned i = 0; i < cfg_size(cfg, "drain_signals"); i++) {
		name = cfg_getnstr(cfg, "drain_signals", i);
		sig = signame_parse(name);
		if (sig != SIGTERM && sig != SIGINT && sig != SIGQUIT)
			return conf_fail(e, "%s: drain_signals: \"%s\": expected "
			    "TERM, INT or QUIT", c->c_path, name);
		c->c_drain_sigs |= 1u << sig;
	}
	return 0;
}

static int
global_from_cfg(cfg_t *cfg, struct poold_conf *c, struct conf_err *e)
{
	cfg_t	*ctl = cfg_getsec(cfg, "control");

	if (log_format_parse(cfg_getstr(cfg, "log_format"), &c->c_log_format)
	    == -1)
		return conf_fail(e, "%s: log_format \"%s\": expected text or "
		    "json", c->c_path, cfg_getstr(cfg, "log_format"));
	if (log_level_parse(cfg_getstr(cfg, "log_level"), &c->c_log_level)
	    == -1)
		return conf_fail(e, "%s: log_level \"%s\": expected debug, "
		    "info, warning, error or critical", c->c_path,
		    cfg_getstr(cfg, "log_level"));
	c->c_daemon = cfg_getbool(cfg, "daemon");
	c->c_umask = (int)cfg_getint(cfg, "umask");
	c->c_reload = cfg_getbool(cfg, "reload");
	c->c_cgroups = cfg_getbool(cfg, "cgroups");
	if ((c->c_capture = capture_parse(cfg_getstr(cfg, "capture_output")))
	    == -1)
		return conf_fail(e, "%s: capture_output must be auto, yes or no, "
		    "not \"%s\"", c->c_path, cfg_getstr(cfg, "capture_output"));
	if (strcmp(cfg_getstr(cfg, "notify_socket"), "abstract") == 0)
		c->c_notify_abstract = true;
	else if (strcmp(cfg_getstr(cfg, "notify_socket"), "path") != 0)
		return conf_fail(e, "%s: notify_socket must be path or abstract, "
		    "not \"%s\"", c->c_path, cfg_getstr(cfg, "notify_socket"));
	if (set_str(&c->c_pidfile, cfg_getstr(cfg, "pidfile"), e) == -1 ||
	    set_str(&c->c_error_log, cfg_getstr(cfg, "error_log"), e) == -1 ||
	    set_str(&c->c_access_log, cfg_getstr(cfg, "access_log"), e) == -1 ||
	    set_str(&c->c_access_format, cfg_getstr(cfg, "access_log_format"),
	    e) == -1)
		return -1;
	c->c_pidfile_line = line_of(cfg, "pidfile");
	c->c_error_log_line = line_of(cfg, "error_log");
	c->c_access_log_line = line_of(cfg, "access_log");
	if (ctl != NULL) {
		if (set_str(&c->c_control_path, cfg_getstr(ctl, "socket"), e)
		    == -1)
			return -1;
		c->c_control_mode = (mode_t)cfg_getint(ctl, "mode");
		if (set_str(&c->c_control_group, cfg_getstr(ctl, "group"), e)
		    == -1)
			return -1;
		c->c_control_idle_ms = get_ms(ctl, "idle_timeout");
	}
	if (drain_from_cfg(cfg, c, e) == -1)
		return -1;
	return metrics_from_cfg(cfg, c, e);
}

/* Parse text, read from c_path, into cfg, with errors naming the file. */
static int
conf_parse_text(cfg_t *cfg, const char *path, char *text, size_t len,
    struct conf_err *e)
{
	static char	 empty[] = "\n";	/* fmemopen takes no 0 bytes */
	FILE		*fp;
	int		 rc;

	if ((cfg->filename = strdup(path)) == NULL ||
	    (fp = len > 0 ? fmemopen(text, len, "r") :
	    fmemopen(empty, 1, "r")) == NULL)
		return conf_fail(e, "out of memory");
	rc = cfg_parse_fp(cfg, fp);
	(void)fclose(fp);
	return rc;
}

static int
conf_read_file(struct poold_conf *c, struct conf_err *e)
{
	cfg_t	*cfg;
	char	*text, err[CONF_ERR_MAX];
	size_t	 len = 0;
	int	 rc = -1;

	if ((text = conf_file_read(c->c_path, &len, err, sizeof(err))) == NULL)
		return conf_fail(e, "%s", err);
	if ((cfg = cfg_init(root_opts, CFGF_NONE)) == NULL) {
		free(text);
		return conf_fail(e, "out of memory");
	}
	cfg_set_error_function(cfg, cfg_errfn);
	cfg_set_validate_func(cfg, "pool|listen", cb_listen);
	cfg_set_validate_func(cfg, "pool|app", cb_app);
	npool_lines = nseen_opts = 0;
	validate_numbers(cfg);
	watch_scalars(cfg, root_opts, NULL);
	conf_err_cur = e;
	conf_cfg_cur = cfg;
	switch (conf_parse_text(cfg, c->c_path, text, len, e)) {
	case CFG_SUCCESS:
		break;
	default:
		conf_fail(e, "%s: parse error", c->c_path);
		goto out;
	}
	if (global_from_cfg(cfg, c, e) == -1)
		goto out;
	c->c_npools = cfg_size(cfg, "pool");
	if ((c->c_pools = calloc(c->c_npools + 1, sizeof(*c->c_pools)))
	    == NULL) {
		conf_fail(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->c_npools; i++) {
		if (pool_from_cfg(cfg_getnsec(cfg, "pool", (unsigned)i),
		    &c->c_pools[i], e) == -1)
			goto out;
	}
	rc = 0;
out:
	conf_err_cur = NULL;
	conf_cfg_cur = NULL;
	/* Keyed by sections about to be freed: a later cfg may reuse them. */
	npool_lines = nseen_opts = 0;
	cfg_free(cfg);
	free(text);
	return rc;
}

/* -- the command line on top ------------------------------------------- */

/* The pool that pool-level flags refer to, created if needed. */
static struct pool_conf *
cli_pool(const struct cli *cli, struct poold_conf *c, struct conf_err *e)
{
	const char		*name = cli->name;
	struct pool_conf	*np;

	if (name == NULL) {
		if (c->c_npools == 1)
			return &c->c_pools[0];
		if (c->c_npools > 1) {
			conf_fail(e, "%s defines %zu pools: name the one the "
			    "command line changes with -n", c->c_path,
			    c->c_npools);
			return NULL;
		}
		name = "main";
	}
	for (size_t i = 0; i < c->c_npools; i++) {
		if (strcmp(c->c_pools[i].pc_name, name) == 0)
			return &c->c_pools[i];
	}
	if ((np = reallocarray(c->c_pools, c->c_npools + 1, sizeof(*np)))
	    == NULL) {
		conf_fail(e, "out of memory");
		return NULL;
	}
	c->c_pools = np;
	np = &c->c_pools[c->c_npools++];
	if (pool_defaults(np, name, e) == -1)
		return NULL;
	return np;
}

/* The index of the entry of env (n of them) that sets var's name, or
   n if none does. */
static size_t
env_index(char *const *env, size_t n, const char *var)
{
	size_t len = strcspn(var, "=");

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], var, len) == 0 && env[i][len] == '=')
			return i;
	return n;
}

/* -e KEY=VALUE: a variable of the pool's env set again, or one more
   (checked with the others in validate()). */
static int
env_append(struct pool_conf *pc, const char *const *add, size_t nadd,
    struct conf_err *e)
{
	size_t	 n = 0, at;
	char	**env, *v;

	while (pc->pc_env != NULL && pc->pc_env[n] != NULL)
		n++;
	if ((env = calloc(n + nadd + 1, sizeof(*env))) == NULL)
		return conf_fail(e, "out of memory");
	for (size_t i = 0; i < n; i++)
		env[i] = pc->pc_env[i];
	free(pc->pc_env);	/* its strings are env's now */
	pc->pc_env = env;
	for (size_t i = 0; i < nadd; i++) {
		if ((v = strdup(add[i])) == NULL)
			return conf_fail(e, "out of memory");
		if ((at = env_index(env, n, v)) == n)
			n++;
		free(env[at]);
		env[at] = v;
	}
	return 0;
}

static int
apply_cli_pool(const struct cli *cli, struct pool_conf *pc,
    struct conf_err *e)
{
	size_t n = 0;

	if (cli->nbind > 0)
		pc->pc_listen_line = 0;		/* not the file's any more */
	if (cli->app != NULL)
		pc->pc_app_line = 0;
	if (cli->nbind > 0 &&
	    set_listen(pc, cli->bind, cli->nbind, e) == -1)
		return -1;
	if (cli->worker_class != NULL &&
	    worker_class_parse(cli->worker_class, &pc->pc_class) == -1)
		return conf_fail(e, "-k %s: expected sync, gthread, async or "
		    "exec", cli->worker_class);
	if (cli->command != NULL) {
		while (cli->command[n] != NULL)
			n++;
		strv_free(pc->pc_argv);
		if ((pc->pc_argv = strv_build(n, get_argv, cli->command, e))
		    == NULL)
			return -1;
	}
	if (cli->workers >= 0)
		pc->pc_workers = (int)cli->workers;
	if (cli->threads >= 0)
		pc->pc_threads = (int)cli->threads;
	if (cli->timeout != CLI_UNSET)
		pc->pc_timeout_ms = seconds_to_ms(cli->timeout);
	if (cli->graceful_timeout != CLI_UNSET)
		pc->pc_graceful_ms = seconds_to_ms(cli->graceful_timeout);
	if (cli->max_requests >= 0)
		pc->pc_max_requests = (unsigned)cli->max_requests;
	if (cli->max_requests_jitter >= 0)
		pc->pc_max_requests_jitter = (unsigned)cli->max_requests_jitter;
	if (cli->keepalive != CLI_UNSET)
		pc->pc_keepalive_ms = seconds_to_ms(cli->keepalive);
	if (cli->worker_connections >= 0)
		pc->pc_worker_connections = (unsigned)cli->worker_connections;
	if (cli->limit_line >= 0)
		pc->pc_limit_line = (unsigned)cli->limit_line;
	if (cli->limit_fields >= 0)
		pc->pc_limit_fields = (unsigned)cli->limit_fields;
	if (cli->limit_field_size >= 0)
		pc->pc_limit_field_size = (unsigned)cli->limit_field_size;
	if (cli->backlog >= 0)
		pc->pc_backlog = (int)cli->backlog;
	if (cli->nenv > 0 && env_append(pc, cli->env, cli->nenv, e) == -1)
		return -1;
	if ((cli->root != NULL && set_str(&pc->pc_root, cli->root, e) == -1) ||
	    (cli->app != NULL && set_str(&pc->pc_app, cli->app, e) == -1) ||
	    (cli->app_arg != NULL &&
	    set_str(&pc->pc_app_arg, cli->app_arg, e) == -1))
		return -1;
	return 0;
}

static int
apply_cli(const struct cli *cli, struct poold_conf *c, struct conf_err *e)
{
	struct pool_conf *pc;

	if (cli->log_level != NULL &&
	    log_level_parse(cli->log_level, &c->c_log_level) == -1)
		return conf_fail(e, "--log-level %s: expected debug, info, "
		    "warning, error or critical", cli->log_level);
	if (cli->log_format != NULL &&
	    log_format_parse(cli->log_format, &c->c_log_format) == -1)
		return conf_fail(e, "--log-format %s: expected text or json",
		    cli->log_format);
	if (cli->daemon)
		c->c_daemon = true;
	if (cli->umask >= 0)
		c->c_umask = cli->umask;
	if (cli->reload)
		c->c_reload = true;
	if (cli->capture)
		c->c_capture = CONF_CAPTURE_YES;
	/* A flag's value is not the file's: no line for it. */
	if (cli->pidfile)
		c->c_pidfile_line = 0;
	if (cli->error_log)
		c->c_error_log_line = 0;
	if (cli->access_log)
		c->c_access_log_line = 0;
	if ((cli->pidfile && set_str(&c->c_pidfile, cli->pidfile, e)) ||
	    (cli->error_log && set_str(&c->c_error_log, cli->error_log, e)) ||
	    (cli->access_log &&
	    set_str(&c->c_access_log, cli->access_log, e)) ||
	    (cli->access_format &&
	    set_str(&c->c_access_format, cli->access_format, e)) ||
	    (cli->control && set_str(&c->c_control_path, cli->control, e)) ||
	    (cli->metrics && metrics_at(c, cli->metrics, "--metrics", e)))
		return -1;
	/* -u and -g are about who workers run as: every pool's; --chdir
	   where every pool works that does not say (Gunicorn's, for the
	   master and its workers alike). */
	for (size_t i = 0; i < c->c_npools; i++) {
		pc = &c->c_pools[i];
		if ((cli->user && set_str(&pc->pc_user, cli->user, e)) ||
		    (cli->group && set_str(&pc->pc_group, cli->group, e)) ||
		    (cli->chdir && pc->pc_chdir == NULL &&
		    set_str(&pc->pc_chdir, cli->chdir, e)))
			return -1;
	}
	if (!cli_names_pool(cli)) {
		if (c->c_npools > 0)
			return 0;
		if (c->c_path != NULL)
			return conf_fail(e, "%s defines no pool", c->c_path);
		/* No arguments at all: the embedded default pool, main. */
	}
	if ((pc = cli_pool(cli, c, e)) == NULL)
		return -1;
	if ((cli->user && set_str(&pc->pc_user, cli->user, e)) ||
	    (cli->group && set_str(&pc->pc_group, cli->group, e)) ||
	    (cli->chdir && pc->pc_chdir == NULL &&
	    set_str(&pc->pc_chdir, cli->chdir, e)))
		return -1;
	return apply_cli_pool(cli, pc, e);
}

/* -- defaults and validation -------------------------------------------- */

static int	absolutize(char **, struct conf_err *);
static int	absolutize_pool(struct pool_conf *, struct conf_err *);

/* Gunicorn's rule of thumb, 2 x CPUs + 1, counting the CPUs we may use
   (a container's quota, not the host's cores). */
static int
default_workers(void)
{
	unsigned ncpu = cpus_available()->cp_count;

	if (ncpu > (POOL_SLOTS_MAX - 1) / 2)
		ncpu = (POOL_SLOTS_MAX - 1) / 2;
	return 2 * (int)ncpu + 1;
}

static int
check_name(const struct pool_conf *pc, struct conf_err *e)
{
	size_t len = strlen(pc->pc_name);

	if (len == 0 || len > CONF_NAME_MAX)
		return conf_fail(e, "pool name must be 1-%d characters",
		    CONF_NAME_MAX);
	/* It travels in POOLD_POOL, LISTEN_FDNAMES and log lines. */
	for (const char *p = pc->pc_name; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return conf_fail(e, "pool \"%s\": names may use "
			    "letters, digits, '_', '.' and '-'", pc->pc_name);
	}
	return 0;
}

static int
check_bounds(struct pool_conf *pc, struct conf_err *e)
{
	bool guessed = pc->pc_workers < 0;

	if (guessed)
		pc->pc_workers = default_workers();
	/* ondemand starts at zero and returns there. */
	if (pc->pc_scale.sc_mode == SCALE_ONDEMAND && pc->pc_min_workers > 0)
		return conf_fail(e, "pool %s: scale = ondemand needs "
		    "min_workers = 0", pc->pc_name);
	if (pc->pc_scale.sc_mode == SCALE_ONDEMAND)
		pc->pc_min_workers = 0;
	if (pc->pc_min_workers < 0)
		pc->pc_min_workers = pc->pc_workers < 1 ? pc->pc_workers : 1;
	if (pc->pc_max_workers < 0)
		pc->pc_max_workers = pc->pc_workers > 64 ? pc->pc_workers : 64;
	/* The default is a guess from the processors: it yields to the
	   bounds the user wrote.  Only numbers the user wrote conflict. */
	if (guessed && pc->pc_min_workers <= pc->pc_max_workers) {
		if (pc->pc_workers > pc->pc_max_workers)
			pc->pc_workers = pc->pc_max_workers;
		if (pc->pc_workers < pc->pc_min_workers)
			pc->pc_workers = pc->pc_min_workers;
	}
	if (pc->pc_min_workers > pc->pc_workers ||
	    pc->pc_workers > pc->pc_max_workers)
		return conf_fail(e, "pool %s: need min_workers (%d) <= workers "
		    "(%d) <= max_workers (%d)", pc->pc_name,
		    pc->pc_min_workers, pc->pc_workers, pc->pc_max_workers);
	if (pc->pc_threads < 1 || pc->pc_threads > 1024)
		return conf_fail(e, "pool %s: threads must be 1-1024",
		    pc->pc_name);
	return 0;
}

/*
 * Symlinks are kept (a "current" link flipped by a deploy is followed on
 * the next HUP); only a relative path is made absolute.
 */
static int
set_exec_path(struct pool_conf *pc, const char *cmd, struct conf_err *e)
{
	struct stat	 st;
	char		*abs = NULL;

	if (cmd[0] != '/') {
		if ((abs = strdup(cmd)) == NULL || absolutize(&abs, e) == -1) {
			free(abs);
			return conf_fail(e, "out of memory");
		}
		cmd = abs;
	}
	if (stat(cmd, &st) == -1 || access(cmd, X_OK) == -1) {
		int saved = errno;
		free(abs);
		return conf_fail(e, "pool %s: command %s: %s", pc->pc_name,
		    pc->pc_argv[0], strerror(saved));
	}
	if (!S_ISREG(st.st_mode)) {
		free(abs);
		return conf_fail(e, "pool %s: command %s: not a regular file",
		    pc->pc_name, pc->pc_argv[0]);
	}
	if (abs == NULL && (abs = strdup(cmd)) == NULL)
		return conf_fail(e, "out of memory");
	free(pc->pc_exec_path);
	pc->pc_exec_path = abs;
	return 0;
}

/*
 * Resolve argv[0] the way execvp would, once, so that a typo is a load
 * error, and to an absolute path, so that neither a pool's chdir nor -D
 * changes what runs.
 */
static int
resolve_command(struct pool_conf *pc, struct conf_err *e)
{
	const char	*cmd = pc->pc_argv[0], *path;
	char		 buf[PATH_MAX];

	if (strchr(cmd, '/') == NULL) {
		if ((path = getenv("PATH")) == NULL)
			path = "/usr/local/bin:/usr/bin:/bin";
		for (;;) {
			/* An empty PATH entry means the current directory. */
			size_t dirlen = strcspn(path, ":");
			int n = snprintf(buf, sizeof(buf), "%.*s/%s",
			    (int)(dirlen ? dirlen : 1), dirlen ? path : ".",
			    cmd);
			if (n > 0 && (size_t)n < sizeof(buf) &&
			    access(buf, X_OK) == 0)
				break;
			if (path[dirlen] == '\0')
				return conf_fail(e, "pool %s: command %s: not "
				    "found in PATH", pc->pc_name, cmd);
			path += dirlen + 1;
		}
		cmd = buf;
	}
	return set_exec_path(pc, cmd, e);
}

/*
 * The module is only opened in the workers (its constructors and crashes
 * stay out of the arbiter), so here it is checked as a file.
 */
static int
check_app(struct pool_conf *pc, struct conf_err *e)
{
	struct stat st;

	if (pc->pc_app == NULL)
		return 0;
	if (pc->pc_root != NULL)
		return conf_fail(e, "pool %s: app and root exclude each other",
		    pc->pc_name);
	if (absolutize(&pc->pc_app, e) == -1)
		return -1;
	if (stat(pc->pc_app, &st) == -1 || access(pc->pc_app, R_OK) == -1)
		return conf_fail(e, "pool %s: app %s: %s", pc->pc_name,
		    pc->pc_app, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return conf_fail(e, "pool %s: app %s: not a regular file",
		    pc->pc_name, pc->pc_app);
	return 0;
}

static int
check_root(struct pool_conf *pc, struct conf_err *e)
{
	struct stat st;

	if (pc->pc_root == NULL)
		return 0;
	if (absolutize(&pc->pc_root, e) == -1)
		return -1;
	if (stat(pc->pc_root, &st) == -1)
		return conf_fail(e, "pool %s: root %s: %s", pc->pc_name,
		    pc->pc_root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return conf_fail(e, "pool %s: root %s: not a directory",
		    pc->pc_name, pc->pc_root);
	return 0;
}

/*
 * Options a built-in worker cannot honour are refused, not ignored: it
 * drains on TERM and reopens its access log on USR1 (any other signal
 * would kill it at once, without draining), and it runs poold's own code
 * in poold's environment, so there is nothing to give an env to.
 */
static int
check_builtin_only(struct pool_conf *pc, struct conf_err *e)
{
	if (pc->pc_stop_signal != SIGTERM)
		return conf_fail(e, "pool %s: stop_signal is for exec workers; "
		    "built-in workers stop on TERM", pc->pc_name);
	if (pc->pc_reopen_signal == CONF_REOPEN_DEFAULT)
		pc->pc_reopen_signal = SIGUSR1;
	if (pc->pc_reopen_signal != SIGUSR1)
		return conf_fail(e, "pool %s: reopen_signal is for exec "
		    "workers; built-in workers reopen their logs on USR1",
		    pc->pc_name);
	if (pc->pc_env != NULL && pc->pc_env[0] != NULL)
		return conf_fail(e, "pool %s: env is for exec workers; "
		    "built-in workers run in poold's own environment",
		    pc->pc_name);
	if (pc->pc_compat != 0)
		return conf_fail(e, "pool %s: compat is for exec workers",
		    pc->pc_name);
	return 0;
}

/* Any HTTP setting away from its default: an exec pool cannot use it. */
static bool
http_settings_changed(const struct pool_conf *pc)
{
	struct pool_conf	d;
	struct conf_err		e = { .ce_buf = NULL };
	bool			changed;

	/* Without memory for the defaults, nothing counts as changed: the
	   check it serves is a courtesy, the load goes on. */
	if (pool_defaults(&d, pc->pc_name, &e) == -1) {
		pool_conf_free(&d);
		return false;
	}
	changed = pc->pc_keepalive_ms != d.pc_keepalive_ms ||
	    pc->pc_read_timeout_ms != d.pc_read_timeout_ms ||
	    pc->pc_worker_connections != d.pc_worker_connections ||
	    pc->pc_limit_line != d.pc_limit_line ||
	    pc->pc_limit_fields != d.pc_limit_fields ||
	    pc->pc_limit_field_size != d.pc_limit_field_size ||
	    pc->pc_limit_body != d.pc_limit_body;
	pool_conf_free(&d);
	return changed;
}

static int
check_class(struct pool_conf *pc, struct conf_err *e)
{
	if ((int)pc->pc_class == -1)
		pc->pc_class = pc->pc_argv != NULL ? WC_EXEC : WC_SYNC;
	if (pc->pc_class != WC_EXEC) {
		if (pc->pc_argv != NULL)
			return conf_fail(e, "pool %s: a command needs worker "
			    "= exec, not %s", pc->pc_name,
			    worker_class_name(pc->pc_class));
		/* A built-in worker beats once a second when idle. */
		if (pc->pc_timeout_ms != 0 && pc->pc_timeout_ms < 2000)
			return conf_fail(e, "pool %s: timeout must be at least "
			    "2 s for the built-in workers", pc->pc_name);
		if (pc->pc_ready_notify)
			return conf_fail(e, "pool %s: ready = notify is for exec "
			    "workers; built-in ones report on the scoreboard",
			    pc->pc_name);
		if (pc->pc_threads != 1 && pc->pc_class != WC_GTHREAD)
			return conf_fail(e, "pool %s: threads is for worker = "
			    "gthread: add worker = \"gthread\" (-k gthread)",
			    pc->pc_name);
		if (check_builtin_only(pc, e) == -1)
			return -1;
		return check_app(pc, e) == -1 ? -1 : check_root(pc, e);
	}
	if (pc->pc_root != NULL || pc->pc_app != NULL)
		return conf_fail(e, "pool %s: root and app are for the "
		    "built-in workers, not exec", pc->pc_name);
	/* Here, with -b applied: the listeners are the pool's own. */
	if (pc->pc_ready_fd != -1 && pc->pc_ready_fd < 3 + (int)pc->pc_nlisten)
		return conf_fail(e, "pool %s: notification_fd %d is among its "
		    "%zu listening sockets, at 3..%zu", pc->pc_name,
		    pc->pc_ready_fd, pc->pc_nlisten, pc->pc_nlisten + 2);
	/* USR1's default action ends a process, and most programs (uvicorn,
	   Twisted, systemd-socket-proxyd) do not catch it; lighttpd takes
	   it for a graceful restart.  An exec pool's workers are told only
	   if the pool names a signal. */
	if (pc->pc_reopen_signal == CONF_REOPEN_DEFAULT)
		pc->pc_reopen_signal = 0;
	if (pc->pc_argv == NULL)
		return conf_fail(e, "pool %s: worker = exec needs a command",
		    pc->pc_name);
	if (pc->pc_threads != 1 || pc->pc_max_requests != 0 ||
	    pc->pc_max_requests_jitter != 0)
		return conf_fail(e, "pool %s: threads and max_requests are "
		    "for the built-in workers, not exec (an exec worker may "
		    "send X_POOLD_RECYCLE=1)", pc->pc_name);
	if (http_settings_changed(pc))
		return conf_fail(e, "pool %s: keepalive, read_timeout, "
		    "worker_connections and limit_request_* are for the "
		    "built-in workers, not exec", pc->pc_name);
	return resolve_command(pc, e);
}

static int
check_identity(struct pool_conf *pc, struct conf_err *e)
{
	struct passwd	*pw;
	struct group	*gr;

	if (pc->pc_user != NULL) {
		errno = 0;
		if ((pw = getpwnam(pc->pc_user)) == NULL)
			return conf_fail(e, "pool %s: unknown user %s",
			    pc->pc_name, pc->pc_user);
		pc->pc_uid = pw->pw_uid;
		pc->pc_gid = pw->pw_gid;
	}
	if (pc->pc_group != NULL) {
		errno = 0;
		if ((gr = getgrnam(pc->pc_group)) == NULL)
			return conf_fail(e, "pool %s: unknown group %s",
			    pc->pc_name, pc->pc_group);
		pc->pc_gid = gr->gr_gid;
	}
	if ((pc->pc_user || pc->pc_group) && geteuid() != 0 &&
	    ((pc->pc_user && pc->pc_uid != geteuid()) ||
	    pc->pc_gid != getegid()))
		return conf_fail(e, "pool %s: running workers as another user "
		    "or group needs root", pc->pc_name);
	return 0;
}

const char *const conf_reserved_env[] = {
	"LISTEN_", "POOLD_", "NOTIFY_SOCKET=", "WATCHDOG_", NULL,
};

static int
check_env(const struct pool_conf *pc, struct conf_err *e)
{
	const char *const *reserved = conf_reserved_env;

	for (char **p = pc->pc_env; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		if (eq == NULL || eq == *p)
			return conf_fail(e, "pool %s: env \"%s\": expected "
			    "NAME=value", pc->pc_name, *p);
		for (size_t i = 0; reserved[i] != NULL; i++) {
			if (strncmp(*p, reserved[i], strlen(reserved[i])) == 0)
				return conf_fail(e, "pool %s: env \"%s\": poold "
				    "sets this variable itself", pc->pc_name,
				    *p);
		}
		if (compat_sets(pc->pc_compat, *p))
			return conf_fail(e, "pool %s: env \"%s\": compat "
			    "sets this variable", pc->pc_name, *p);
	}
	return 0;
}

static int
check_listen(const struct poold_conf *c, size_t k, struct conf_err *e)
{
	const struct pool_conf	*pc = &c->c_pools[k];
	char			 a[512], b[512];

	if (pc->pc_nlisten == 0)
		return conf_fail(e, "pool %s: no listen address (listen = "
		    "{ \"HOST:PORT\" } or -b)", pc->pc_name);
	for (size_t i = 0; i < pc->pc_nlisten; i++) {
		addr_format(&pc->pc_listen[i], a, sizeof(a));
		/* Against every address before it, in this pool or earlier. */
		for (size_t j = 0; j <= k; j++) {
			const struct pool_conf *oc = &c->c_pools[j];
			size_t n = j == k ? i : oc->pc_nlisten;
			for (size_t m = 0; m < n; m++) {
				addr_format(&oc->pc_listen[m], b, sizeof(b));
				if (strcmp(a, b) == 0)
					return conf_fail(e, "pool %s: %s is "
					    "already used by pool %s",
					    pc->pc_name, a, oc->pc_name);
			}
		}
	}
	return 0;
}

static int
check_chdir(const struct pool_conf *pc, struct conf_err *e)
{
	struct stat st;

	if (pc->pc_chdir == NULL)
		return 0;
	if (stat(pc->pc_chdir, &st) == -1)
		return conf_fail(e, "pool %s: chdir %s: %s", pc->pc_name,
		    pc->pc_chdir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return conf_fail(e, "pool %s: chdir %s: not a directory",
		    pc->pc_name, pc->pc_chdir);
	return 0;
}

/*
 * What each mode can see: idle workers only on the scoreboard of the
 * built-in ones; the listen queue and open connections only of TCP
 * sockets (TCP_INFO, sock_diag), so unix listeners are refused there.
 */
static int
check_scale(struct pool_conf *pc, struct conf_err *e)
{
	enum scale_mode m = pc->pc_scale.sc_mode;

	pc->pc_scale.sc_active = pc->pc_workers > 0 ? pc->pc_workers : 1;
	if (m == SCALE_DYNAMIC && pc->pc_class == WC_EXEC)
		return conf_fail(e, "pool %s: scale = dynamic counts idle "
		    "workers on the scoreboard: built-in workers only (try "
		    "backlog)", pc->pc_name);
	if (m != SCALE_BACKLOG && !(m == SCALE_ONDEMAND &&
	    pc->pc_class == WC_EXEC))
		return 0;
	for (size_t i = 0; i < pc->pc_nlisten; i++) {
		if (pc->pc_listen[i].a_kind == ADDR_UNIX)
			return conf_fail(e, "pool %s: scale = %s watches TCP "
			    "listeners; %s is a unix socket", pc->pc_name,
			    scale_mode_name(m), pc->pc_listen[i].a_path);
	}
	return 0;
}

static int
validate(struct poold_conf *c, struct conf_err *e)
{
	for (size_t i = 0; i < c->c_npools; i++) {
		struct pool_conf *pc = &c->c_pools[i];
		if (check_name(pc, e) == -1 || check_bounds(pc, e) == -1 ||
		    absolutize_pool(pc, e) == -1 ||
		    check_listen(c, i, e) == -1 || check_class(pc, e) == -1 ||
		    check_identity(pc, e) == -1 || check_env(pc, e) == -1 ||
		    check_chdir(pc, e) == -1 || check_scale(pc, e) == -1)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->c_pools[j].pc_name, pc->pc_name) == 0)
				return conf_fail(e, "pool %s is defined twice",
				    pc->pc_name);
		}
	}
	return 0;
}

/*
 * Relative paths are taken from where poold first started, once: after
 * -D's chdir("/") a reload must still mean the same files.
 */
static char conf_basedir[PATH_MAX];

static int
absolutize(char **path, struct conf_err *e)
{
	const char	*rel;
	char		*abs;

	if (*path == NULL || **path == '/' || strcmp(*path, "-") == 0)
		return 0;
	if (conf_basedir[0] == '\0' &&
	    getcwd(conf_basedir, sizeof(conf_basedir)) == NULL)
		return conf_fail(e, "getcwd: %s", strerror(errno));
	rel = *path;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (asprintf(&abs, "%s/%s", conf_basedir, rel) == -1)
		return conf_fail(e, "out of memory");
	free(*path);
	*path = abs;
	return 0;
}

/* The same for a unix listener, whose path has a fixed-size home. */
static int
absolutize_unix(struct addr *a, const char *pool, struct conf_err *e)
{
	char *p;

	if (a->a_kind != ADDR_UNIX || a->a_path[0] == '/')
		return 0;
	if ((p = strdup(a->a_path)) == NULL || absolutize(&p, e) == -1) {
		free(p);
		return conf_fail(e, "out of memory");
	}
	if (strlen(p) >= sizeof(a->a_path)) {
		conf_fail(e, "pool %s: unix:%s is longer than %zu bytes once "
		    "made absolute", pool, a->a_path, sizeof(a->a_path) - 1);
		free(p);
		return -1;
	}
	snprintf(a->a_path, sizeof(a->a_path), "%s", p);	/* fits: checked */
	free(p);
	return 0;
}

static int
absolutize_pool(struct pool_conf *pc, struct conf_err *e)
{
	for (size_t i = 0; i < pc->pc_nlisten; i++) {
		if (absolutize_unix(&pc->pc_listen[i], pc->pc_name, e) == -1)
			return -1;
	}
	return absolutize(&pc->pc_chdir, e);
}

/*
 * The control socket: "none" turns it off; the default is root's
 * /run/poold or the user's runtime directory.
 */
static int
default_control(struct poold_conf *c, struct conf_err *e)
{
	char		 dflt[ADDR_PATH_MAX];
	struct group	*gr;

	if (c->c_control_mode == 0)
		c->c_control_mode = CTL_MODE_DEFAULT;
	if (c->c_control_idle_ms == 0)
		c->c_control_idle_ms = CTL_IDLE_DEFAULT_S * 1000;
	if (c->c_control_group != NULL) {
		if ((gr = getgrnam(c->c_control_group)) == NULL)
			return conf_fail(e, "control: unknown group %s",
			    c->c_control_group);
		c->c_control_gid = gr->gr_gid;
	}
	if (c->c_control_path != NULL) {
		if (strcmp(c->c_control_path, "none") == 0) {
			free(c->c_control_path);
			c->c_control_path = NULL;
			return 0;
		}
		return absolutize(&c->c_control_path, e);
	}
	if (proto_default_socket(dflt, sizeof(dflt)) == NULL)
		return conf_fail(e, "XDG_RUNTIME_DIR is too long for a socket "
		    "path: set the control socket (--control PATH)");
	return set_str(&c->c_control_path, dflt, e);
}

int
config_load(const struct cli *cli, struct poold_conf *c, char *err,
    size_t errlen)
{
	struct conf_err e = { .ce_buf = err, .ce_len = errlen };

	memset(c, 0, sizeof(*c));
	c->c_log_level = LOG_LVL_INFO;
	c->c_umask = -1;
	c->c_cgroups = true;		/* the file may say false */
	/* As drain_signals' default, for a poold without a file. */
	c->c_drain_sigs = (1u << SIGTERM) | (1u << SIGINT);
	if (cli->config != NULL) {
		if (set_str(&c->c_path, cli->config, &e) == -1 ||
		    absolutize(&c->c_path, &e) == -1 ||
		    conf_read_file(c, &e) == -1)
			goto fail;
	}
	if (apply_cli(cli, c, &e) == -1)
		goto fail;
	/*
	 * Without a file, the one pool is the command line's (or, with no
	 * arguments at all, the embedded default): it binds the default
	 * address unless -b said otherwise.
	 */
	if (cli->config == NULL && c->c_pools[0].pc_nlisten == 0) {
		const char *bind = CONF_DEFAULT_BIND;
		if (set_listen(&c->c_pools[0], &bind, 1, &e) == -1)
			goto fail;
	}
	if (c->c_access_format != NULL &&
	    alog_check_format(c->c_access_format, err, errlen) == -1)
		goto fail;
	/* A pool that sets no umask has the top level's (Gunicorn's one
	   --umask is for the master, its workers and its sockets). */
	for (size_t i = 0; i < c->c_npools; i++)
		if (c->c_pools[i].pc_umask == -1)
			c->c_pools[i].pc_umask = c->c_umask;
	if (validate(c, &e) == -1 || default_control(c, &e) == -1 ||
	    absolutize(&c->c_pidfile, &e) == -1 ||
	    absolutize(&c->c_error_log, &e) == -1 ||
	    absolutize(&c->c_access_log, &e) == -1)
		goto fail;
	return 0;
fail:
	config_free(c);
	return -1;
}

void
config_free(struct poold_conf *c)
{
	for (size_t i = 0; i < c->c_npools; i++)
		pool_conf_free(&c->c_pools[i]);
	free(c->c_pools);
	free(c->c_path);
	free(c->c_pidfile);
	free(c->c_error_log);
	free(c->c_access_log);
	free(c->c_access_format);
	free(c->c_control_path);
	free(c->c_control_group);
	memset(c, 0, sizeof(*c));
}

static bool
str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

static void
str_swap(char **a, char **b)
{
	char *t = *a;

	*a = *b;
	*b = t;
}

/*
 * The control socket and metrics listener are bound once, the pidfile is
 * what USR2 renames, and daemon mode is decided at start: a reload that
 * took the file's new values would show (poolctl config) and use (USR2)
 * settings that are not in force.  The strings are swapped, so that the
 * running configuration, freed by the caller, takes the unused ones.
 */
bool
config_keep_restart_only(struct poold_conf *next, struct poold_conf *running)
{
	char	a[512], b[512];
	bool	changed;

	addr_format(&next->c_metrics_listen, a, sizeof(a));
	addr_format(&running->c_metrics_listen, b, sizeof(b));
	changed = str_differs(next->c_pidfile, running->c_pidfile) ||
	    next->c_daemon != running->c_daemon ||
	    next->c_cgroups != running->c_cgroups ||
	    next->c_notify_abstract != running->c_notify_abstract ||
	    str_differs(next->c_control_path, running->c_control_path) ||
	    next->c_control_mode != running->c_control_mode ||
	    str_differs(next->c_control_group, running->c_control_group) ||
	    next->c_control_idle_ms != running->c_control_idle_ms ||
	    next->c_metrics != running->c_metrics ||
	    (next->c_metrics && strcmp(a, b) != 0);
	str_swap(&next->c_pidfile, &running->c_pidfile);
	str_swap(&next->c_control_path, &running->c_control_path);
	str_swap(&next->c_control_group, &running->c_control_group);
	next->c_daemon = running->c_daemon;
	next->c_cgroups = running->c_cgroups;
	next->c_notify_abstract = running->c_notify_abstract;
	next->c_control_mode = running->c_control_mode;
	next->c_control_gid = running->c_control_gid;
	next->c_control_idle_ms = running->c_control_idle_ms;
	next->c_metrics = running->c_metrics;
	next->c_metrics_listen = running->c_metrics_listen;
	return changed;
}
