/* SPDX-License-Identifier: ISC */
/* The configuration in force as poold.conf text (confprint.h). */
#include "config.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accesslog.h"
#include "addr.h"
#include "autoscale.h"
#include "compat.h"
#include "confprint.h"
#include "log.h"
#include "signame.h"

#define IND	"  "	/* inside a section */

/*
 * A string as libconfuse reads it back: in double quotes, with \ " and
 * $ escaped (a double-quoted "${X}" would be the environment's X) and
 * control characters as escapes.
 */
static void
put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\' || ch == '"' || ch == '$')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\%03o", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
put_str(FILE *f, const char *in, const char *key, const char *v)
{
	fprintf(f, "%s%s = ", in, key);
	put_quoted(f, v);
	fputc('\n', f);
}

/* A string option that may have no value: a comment saying so. */
static void
put_opt(FILE *f, const char *in, const char *key, const char *v,
    const char *none)
{
	if (v != NULL)
		put_str(f, in, key, v);
	else
		fprintf(f, "%s# %s: %s\n", in, key, none);
}

static void
put_list(FILE *f, const char *in, const char *key, char *const *v,
    bool mask)
{
	char masked[256];

	fprintf(f, "%s%s = {", in, key);
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		fputs(i > 0 ? ", " : " ", f);
		put_quoted(f, mask ? confprint_masked(v[i], masked,
		    sizeof(masked)) : v[i]);
	}
	fputs(v != NULL && v[0] != NULL ? " }\n" : "}\n", f);
}

/* Seconds from milliseconds: 2.5, 30, 0.001. */
static void
put_secs(FILE *f, const char *in, const char *key, uint64_t ms)
{
	fprintf(f, "%s%s = %.10g\n", in, key, (double)ms / 1000.0);
}

static void
put_int(FILE *f, const char *in, const char *key, long long v)
{
	fprintf(f, "%s%s = %lld\n", in, key, v);
}

static void
put_mode(FILE *f, const char *in, const char *key, unsigned mode)
{
	fprintf(f, "%s%s = 0%03o\n", in, key, mode & 0777);
}

/* A size as systemd writes one: the largest unit that divides it. */
static void
put_size(FILE *f, const char *in, const char *key, uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;

	if (v == 0) {
		fprintf(f, "%s%s = \"infinity\"\n", in, key);
		return;
	}
	while (u < 3 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u >= 0)
		fprintf(f, "%s%s = \"%llu%c\"\n", in, key,
		    (unsigned long long)v, units[u]);
	else
		fprintf(f, "%s%s = \"%llu\"\n", in, key, (unsigned long long)v);
}

static void
put_addr(FILE *f, const struct addr *a)
{
	char buf[ADDR_FDNAME_MAX + ADDR_HOST_MAX + 16];

	addr_format_named(a, buf, sizeof(buf));
	put_quoted(f, buf);
}

static void
globals(const struct poold_conf *c, FILE *f)
{
	static const char *const capture[] = {
		[CONF_CAPTURE_AUTO] = "auto",
		[CONF_CAPTURE_YES] = "yes",
		[CONF_CAPTURE_NO] = "no",
	};
	static const int stops[] = { SIGTERM, SIGINT, SIGQUIT };
	int n = 0;

	put_opt(f, "", "pidfile", c->c_pidfile, "none");
	put_opt(f, "", "error_log", c->c_error_log, "none: standard error");
	put_opt(f, "", "access_log", c->c_access_log, "none");
	put_str(f, "", "access_log_format", c->c_access_format != NULL ?
	    c->c_access_format : ALOG_DEFAULT_FORMAT);
	put_str(f, "", "log_level", log_level_name(c->c_log_level));
	put_str(f, "", "log_format", c->c_log_format == LOG_FMT_JSON ?
	    "json" : "text");
	fprintf(f, "daemon = %s\n", c->c_daemon ? "true" : "false");
	fprintf(f, "reload = %s\n", c->c_reload ? "true" : "false");
	if (c->c_umask != -1)
		put_mode(f, "", "umask", (unsigned)c->c_umask);
	else
		fputs("# umask: none: the one poold was started with\n", f);
	fprintf(f, "cgroups = %s\n", c->c_cgroups ? "true" : "false");
	put_str(f, "", "notify_socket", c->c_notify_abstract ? "abstract" :
	    "path");
	put_str(f, "", "capture_output", capture[c->c_capture]);
	put_secs(f, "", "drain_delay", c->c_drain_ms);
	put_int(f, "", "drain_probes", c->c_drain_probes);
	fputs("drain_signals = {", f);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (c->c_drain_sigs & (1u << stops[i]))
			fprintf(f, "%s\"%s\"", n++ > 0 ? ", " : " ",
			    signame(stops[i]));
	fputs(n > 0 ? " }\n" : "}\n", f);
}

static void
sections(const struct poold_conf *c, FILE *f)
{
	fputs("control {\n", f);
	put_str(f, IND, "socket", c->c_control_path != NULL ?
	    c->c_control_path : "none");
	put_mode(f, IND, "mode", c->c_control_mode);
	put_opt(f, IND, "group", c->c_control_group, "none");
	put_secs(f, IND, "idle_timeout", c->c_control_idle_ms);
	fputs("}\n", f);
	if (!c->c_metrics) {
		fputs("# metrics: none\n", f);
		return;
	}
	fputs("metrics {\n" IND "listen = ", f);
	put_addr(f, &c->c_metrics_listen);
	fputs("\n}\n", f);
}

/* What runs: the kind, the program, as whom, where. */
static void
pool_program(const struct pool_conf *pc, bool mask, FILE *f)
{
	bool exec = pc->pc_class == WC_EXEC;

	fputs(IND "listen = {", f);
	for (size_t i = 0; i < pc->pc_nlisten; i++) {
		fputs(i > 0 ? ", " : " ", f);
		put_addr(f, &pc->pc_listen[i]);
	}
	fputs(pc->pc_nlisten > 0 ? " }\n" : "}\n", f);
	put_str(f, IND, "worker", worker_class_name(pc->pc_class));
	if (exec) {
		put_list(f, IND, "command", pc->pc_argv, false);
		if (pc->pc_exec_path != NULL)
			fprintf(f, IND "# the command runs %s\n",
			    pc->pc_exec_path);
		put_list(f, IND, "env", pc->pc_env, mask);
	}
	put_opt(f, IND, "user", pc->pc_user, "none: poold's");
	put_opt(f, IND, "group", pc->pc_group, pc->pc_user != NULL ?
	    "none: the user's" : "none: poold's");
	put_opt(f, IND, "chdir", pc->pc_chdir, "none: poold's");
	fprintf(f, IND "no_new_privs = %s\n", pc->pc_no_new_privs ? "true" :
	    "false");
	if (pc->pc_umask != -1)
		put_mode(f, IND, "umask", (unsigned)pc->pc_umask);
	else
		fputs(IND "# umask: none: poold's\n", f);
	if (!exec) {
		put_opt(f, IND, "root", pc->pc_root, "none");
		put_opt(f, IND, "app", pc->pc_app, "none");
		put_opt(f, IND, "app_arg", pc->pc_app_arg, "none");
	}
}

/* How many, and how they are told to go. */
static void
pool_size(const struct pool_conf *pc, FILE *f)
{
	const struct scale_conf *sc = &pc->pc_scale;

	put_int(f, IND, "workers", pc->pc_workers);
	put_int(f, IND, "min_workers", pc->pc_min_workers);
	put_int(f, IND, "max_workers", pc->pc_max_workers);
	put_int(f, IND, "threads", pc->pc_threads);
	put_str(f, IND, "scale", scale_mode_name(sc->sc_mode));
	put_int(f, IND, "min_spare", sc->sc_min_spare);
	put_int(f, IND, "max_spare", sc->sc_max_spare);
	put_secs(f, IND, "scale_up_after", sc->sc_up_after_ms);
	put_secs(f, IND, "scale_down_after", sc->sc_down_after_ms);
	put_secs(f, IND, "scale_cooldown", sc->sc_cooldown_ms);
	put_secs(f, IND, "scale_interval", pc->pc_scale_interval_ms);
	put_secs(f, IND, "idle_timeout", sc->sc_idle_ms);
	put_int(f, IND, "max_surge", pc->pc_max_surge);
	put_int(f, IND, "min_ready", pc->pc_min_ready);
}

static void
pool_life(const struct pool_conf *pc, FILE *f)
{
	int n = 0;

	put_str(f, IND, "ready", pc->pc_ready_fd != -1 ? "fd" :
	    pc->pc_ready_notify ? "notify" : "started");
	if (pc->pc_ready_fd != -1)
		put_int(f, IND, "notification_fd", pc->pc_ready_fd);
	else
		fputs(IND "# notification_fd: none (ready = fd only)\n", f);
	put_secs(f, IND, "boot_timeout", pc->pc_boot_timeout_ms);
	put_secs(f, IND, "boot_window", pc->pc_boot_window_ms);
	put_secs(f, IND, "timeout", pc->pc_timeout_ms);
	put_secs(f, IND, "graceful_timeout", pc->pc_graceful_ms);
	put_str(f, IND, "stop_signal", signame(pc->pc_stop_signal));
	put_str(f, IND, "reopen_signal", pc->pc_reopen_signal > 0 ?
	    signame(pc->pc_reopen_signal) : "none");
	put_str(f, IND, "kill_mode", pc->pc_kill_tree ? "mixed" : "process");
	put_str(f, IND, "notify_access", pc->pc_notify_all ? "all" : "main");
	fputs(IND "compat = {", f);
	for (unsigned bit = 1; bit != 0 && bit <= pc->pc_compat; bit <<= 1)
		if ((pc->pc_compat & bit) && compat_name(bit) != NULL)
			fprintf(f, "%s\"%s\"", n++ > 0 ? ", " : " ",
			    compat_name(bit));
	fputs(n > 0 ? " }\n" : "}\n", f);
	put_int(f, IND, "max_requests", pc->pc_max_requests);
	put_int(f, IND, "max_requests_jitter", pc->pc_max_requests_jitter);
	put_secs(f, IND, "max_lifetime", pc->pc_max_lifetime_ms);
	put_secs(f, IND, "max_lifetime_jitter", pc->pc_lifetime_jitter_ms);
	put_int(f, IND, "max_rss", pc->pc_max_rss_mib);
	put_size(f, IND, "memory_high", pc->pc_limits.cl_memory_high);
	put_size(f, IND, "memory_max", pc->pc_limits.cl_memory_max);
	if (pc->pc_limits.cl_tasks_max == 0)
		put_str(f, IND, "tasks_max", "infinity");
	else
		fprintf(f, IND "tasks_max = \"%llu\"\n",
		    (unsigned long long)pc->pc_limits.cl_tasks_max);
}

static void
pool_sockets_http(const struct pool_conf *pc, FILE *f)
{
	put_int(f, IND, "backlog", pc->pc_backlog);
	put_mode(f, IND, "socket_mode", pc->pc_socket_mode);
	put_secs(f, IND, "keepalive", pc->pc_keepalive_ms);
	put_secs(f, IND, "read_timeout", pc->pc_read_timeout_ms);
	put_int(f, IND, "worker_connections", pc->pc_worker_connections);
	put_int(f, IND, "limit_request_line", pc->pc_limit_line);
	put_int(f, IND, "limit_request_fields", pc->pc_limit_fields);
	put_int(f, IND, "limit_request_field_size", pc->pc_limit_field_size);
	put_int(f, IND, "limit_request_body", (long long)pc->pc_limit_body);
}

int
confprint(const struct poold_conf *c, bool mask_secrets, FILE *f)
{
	fprintf(f, "# The configuration in force, every option, in "
	    "poold.conf(5) syntax.\n# %s%s\n", c->c_path != NULL ? "Read from "
	    : "No file: the command line's and the defaults.", c->c_path != NULL
	    ? c->c_path : "");
	if (mask_secrets)
		fputs("# Secrets in env are shown as ***.\n", f);
	globals(c, f);
	sections(c, f);
	for (size_t i = 0; i < c->c_npools; i++) {
		const struct pool_conf *pc = &c->c_pools[i];

		fputs("pool ", f);
		put_quoted(f, pc->pc_name);
		fputs(" {\n", f);
		pool_program(pc, mask_secrets, f);
		pool_size(pc, f);
		pool_life(pc, f);
		pool_sockets_http(pc, f);
		fputs("}\n", f);
	}
	return ferror(f) ? -1 : 0;
}

char *
confprint_string(const struct poold_conf *c, bool mask_secrets)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);
	int	 rc;

	if (f == NULL)
		return NULL;
	rc = confprint(c, mask_secrets, f);
	if (fclose(f) != 0 || rc == -1) {
		free(buf);
		return NULL;
	}
	return buf;
}

const char *
confprint_masked(const char *assignment, char *buf, size_t len)
{
	if (!confprint_secret(assignment))
		return assignment;
	snprintf(buf, len, "%.*s=***", (int)strcspn(assignment, "="),
	    assignment);
	return buf;
}

/* A word of the name, any case: API_KEY, GithubToken, DB_PASSWORD. */
bool
confprint_secret(const char *assignment)
{
	static const char *const words[] = { "KEY", "TOKEN", "SECRET",
	    "PASSWORD", "PASSWD" };
	size_t	n = strcspn(assignment, "=");
	char	name[256];

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)toupper((unsigned char)assignment[i]);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(name, words[i]) != NULL)
			return true;
	return false;
}
