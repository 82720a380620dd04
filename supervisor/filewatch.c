/* SPDX-License-Identifier: ISC */
/* --reload: what changed, by inotify (filewatch.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filewatch.h"
#include "log.h"
#include "loop.h"

/* What a change to a file means: written, renamed over, touched. */
#define FW_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB)

struct fw_file {
	int		 ff_wd;		/* its directory's watch */
	char		*ff_path;
	const char	*ff_name;	/* its last component, in ff_path */
	char		*ff_pool;	/* NULL: the configuration file */
	bool		 ff_changed;
};

static struct {
	struct ev_source		 fw_ev;
	const struct filewatch_ops	*fw_ops;
	struct fw_file			*fw_files;	/* FW_FILES_MAX */
	size_t				 fw_n;
	uint64_t			 fw_due;	/* 0: nothing */
} fw = { .fw_ev = { .es_fd = -1 } };

static void
mark(int wd, const char *name)
{
	for (size_t i = 0; i < fw.fw_n; i++) {
		struct fw_file *f = &fw.fw_files[i];

		/* wd -1: the queue overflowed, anything may have changed. */
		if (wd == -1 || (f->ff_wd == wd && strcmp(f->ff_name, name) ==
		    0)) {
			f->ff_changed = true;
			fw.fw_due = ev_now_ms() + FW_QUIET_MS;
		}
	}
}

static void
readable(struct ev_source *ev, uint32_t events)
{
	char			 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	ssize_t			 n;

	(void)events;
	for (;;) {
		if ((n = read(ev->es_fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("reload: inotify");
			return;
		}
		for (char *p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)(void *)p;
			if (ie->mask & IN_Q_OVERFLOW)
				mark(-1, "");
			else if (ie->len > 0)
				mark(ie->wd, ie->name);
		}
	}
}

/* Watch path's directory for path, on behalf of pool (NULL: the
   configuration file).  Files that are not there are not watched. */
static void
add(const char *path, const char *pool)
{
	struct fw_file	*f;
	struct stat	 st;
	char		 dir[PATH_MAX];
	const char	*slash;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    strlen(path) >= sizeof(dir))
		return;
	if (fw.fw_n == FW_FILES_MAX) {
		log_warnx("reload: more than %d files to watch; %s is not",
		    FW_FILES_MAX, path);
		return;
	}
	f = &fw.fw_files[fw.fw_n];
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : slash == path ?
	    1 : (int)(slash - path), slash == NULL ? "." : path);
	if ((f->ff_path = strdup(path)) == NULL || (pool != NULL &&
	    (f->ff_pool = strdup(pool)) == NULL)) {
		free(f->ff_path);
		log_warnx("reload: out of memory; %s is not watched", path);
		return;
	}
	f->ff_name = slash == NULL ? f->ff_path : f->ff_path + (slash - path)
	    + 1;
	if ((f->ff_wd = inotify_add_watch(fw.fw_ev.es_fd, dir, FW_EVENTS)) ==
	    -1) {
		log_warn("reload: watching %s", dir);
		free(f->ff_path);
		free(f->ff_pool);
		f->ff_pool = NULL;
		return;
	}
	f->ff_changed = false;
	fw.fw_n++;
}

/* A command's argument that names a file (a script), where the worker,
   working in the pool's chdir, finds it; options are not files. */
static void
add_argument(const struct pool_conf *pc, const char *arg)
{
	char path[PATH_MAX];

	if (arg[0] == '-')
		return;
	if (arg[0] != '/' && pc->pc_chdir != NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", pc->pc_chdir,
		    arg) >= sizeof(path))
			return;
		arg = path;
	}
	add(arg, pc->pc_name);
}

static void
add_pool(const struct pool_conf *pc)
{
	if (pc->pc_class != WC_EXEC) {
		if (pc->pc_app != NULL)
			add(pc->pc_app, pc->pc_name);
		return;
	}
	if (pc->pc_exec_path != NULL)
		add(pc->pc_exec_path, pc->pc_name);
	for (size_t i = 1; pc->pc_argv != NULL && pc->pc_argv[i] != NULL; i++)
		add_argument(pc, pc->pc_argv[i]);
}

void
filewatch_close(void)
{
	for (size_t i = 0; i < fw.fw_n; i++) {
		free(fw.fw_files[i].ff_path);
		free(fw.fw_files[i].ff_pool);
	}
	free(fw.fw_files);
	fw.fw_files = NULL;
	fw.fw_n = 0;
	fw.fw_due = 0;
	if (fw.fw_ev.es_fd == -1)
		return;
	ev_unwatch(&fw.fw_ev);
	(void)close(fw.fw_ev.es_fd);
	fw.fw_ev.es_fd = -1;
}

int
filewatch_set(const struct poold_conf *c, const struct filewatch_ops *ops)
{
	/* A fresh inotify instance drops every old watch at once. */
	filewatch_close();
	if (!c->c_reload)
		return 0;
	fw.fw_ops = ops;
	fw.fw_ev.es_fn = readable;
	if ((fw.fw_files = calloc(FW_FILES_MAX, sizeof(*fw.fw_files))) ==
	    NULL || (fw.fw_ev.es_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) ==
	    -1 ||
	    ev_watch(&fw.fw_ev, EPOLLIN) == -1) {
		log_warn("reload: inotify; changes will not be seen");
		if (fw.fw_ev.es_fd != -1)
			(void)close(fw.fw_ev.es_fd);
		fw.fw_ev.es_fd = -1;
		return -1;
	}
	if (c->c_path != NULL)
		add(c->c_path, NULL);
	for (size_t i = 0; i < c->c_npools; i++)
		add_pool(&c->c_pools[i]);
	log_info("reload: watching %zu file(s) for changes", fw.fw_n);
	return 0;
}

/* Whether an earlier changed file is of the same pool: acted on. */
static bool
changed_before(size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (fw.fw_files[j].ff_changed && fw.fw_files[j].ff_pool &&
		    strcmp(fw.fw_files[j].ff_pool, fw.fw_files[i].ff_pool) == 0)
			return true;
	return false;
}

uint64_t
filewatch_tick(uint64_t now)
{
	char conf[PATH_MAX];

	if (fw.fw_due == 0)
		return EV_NEVER;
	if (now < fw.fw_due)
		return fw.fw_due;
	fw.fw_due = 0;
	/* The configuration first: its reload replaces every pool's
	   workers anyway, and sets the watches anew (after a copy). */
	for (size_t i = 0; i < fw.fw_n; i++) {
		if (fw.fw_files[i].ff_changed && fw.fw_files[i].ff_pool ==
		    NULL) {
			snprintf(conf, sizeof(conf), "%s",
			    fw.fw_files[i].ff_path);
			for (size_t j = 0; j < fw.fw_n; j++)
				fw.fw_files[j].ff_changed = false;
			fw.fw_ops->fw_config_changed(conf);
			return EV_NEVER;
		}
	}
	for (size_t i = 0; i < fw.fw_n; i++)
		if (fw.fw_files[i].ff_changed && !changed_before(i))
			fw.fw_ops->fw_pool_changed(fw.fw_files[i].ff_pool,
			    fw.fw_files[i].ff_path);
	for (size_t i = 0; i < fw.fw_n; i++)
		fw.fw_files[i].ff_changed = false;
	return EV_NEVER;
}
