/* SPDX-License-Identifier: ISC */
/*
 * Listen addresses as users write them (-b, listen = {...}), parsed without
 * touching the network so the parser can be tested on its own.
 */
#ifndef POOLD_ADDR_H
#define POOLD_ADDR_H

#include <stddef.h>

#define ADDR_HOST_MAX	256
#define ADDR_PATH_MAX	108	/* sizeof(sun_path) on Linux */
#define ADDR_NAME_MAX	255	/* sd_listen_fds_with_names' limit */
#define ADDR_FDNAME_MAX	64	/* NAME=ADDR's NAME */

enum addr_kind {
	ADDR_TCP,	/* HOST:PORT, [V6]:PORT, :PORT */
	ADDR_UNIX,	/* unix:PATH */
	ADDR_FD,	/* fd://N, inherited from whoever started us */
	ADDR_SYSTEMD,	/* systemd, systemd:NAME */
};

struct addr {
	enum addr_kind	a_kind;
	char		a_host[ADDR_HOST_MAX];	/* TCP; "" is any address */
	unsigned	a_port;			/* TCP */
	char		a_path[ADDR_PATH_MAX];	/* UNIX, NUL-terminated */
	int		a_fd;			/* FD */
	char		a_name[ADDR_NAME_MAX + 1]; /* SYSTEMD; "" is all */
	char		a_fdname[ADDR_FDNAME_MAX + 1];	/* NAME=ADDR: the name
					   the worker sees in LISTEN_FDNAMES
					   ("": the default) */
};

/*
 * An address, optionally named as systemd's FileDescriptorName= names a
 * socket: NAME=ADDR ("admin=unix:/run/app.sock"), NAME of letters,
 * digits, '_', '-' and '.'.  0 on success; -1 with a message in err
 * naming what is wrong.
 */
int	 addr_parse(const char *, struct addr *, char *err, size_t errlen);

/* Canonical text form, the key under which an open listener is reused
   (the name left out: pools may share a socket under names of their
   own). */
void	 addr_format(const struct addr *, char *buf, size_t len);
/* As the user would write it again: NAME=ADDR, or ADDR. */
void	 addr_format_named(const struct addr *, char *buf, size_t len);

#endif
