/* SPDX-License-Identifier: ISC */
/*
 * --reload (reload = true), Gunicorn's development reloader: inotify
 * watches the configuration file and each pool's code (an exec pool's
 * program and the arguments of its command that name files, such as a
 * script; a built-in pool's app module).  When one changes (written,
 * replaced by a rename, touched), and then nothing more for
 * FW_QUIET_MS (a build writes many files), the configuration file's
 * change reloads everything, as HUP; a pool's replaces that pool's
 * workers, new ones first.  The directories are watched, not the files,
 * so that an editor's or a compiler's rename is seen.
 */
#ifndef POOLD_FILEWATCH_H
#define POOLD_FILEWATCH_H

#include <stdint.h>

#include "conf.h"

#define FW_QUIET_MS	250	/* after the last change, before acting */
#define FW_FILES_MAX	256	/* files watched, in all */

struct filewatch_ops {
	void	(*fw_config_changed)(const char *path);
	void	(*fw_pool_changed)(const char *pool, const char *path);
};

/* Watch what c says (nothing unless c_reload), replacing what was
   watched: at start, and after each reload.  0, or -1 (logged). */
int	 filewatch_set(const struct poold_conf *c,
	    const struct filewatch_ops *ops);
/* Act on changes that have been quiet long enough; when to look next. */
uint64_t filewatch_tick(uint64_t now);
void	 filewatch_close(void);

#endif
