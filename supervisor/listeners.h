/* SPDX-License-Identifier: ISC */
/*
 * The arbiter's listening sockets, all pools together: the ones it binds,
 * and the ones it is passed, by systemd's socket activation or by the
 * arbiter it replaces (USR2), both in the LISTEN_FDS convention.  One
 * address may stand for several sockets: systemd:NAME for every socket
 * of that name, systemd for every socket passed.
 */
#ifndef POOLD_LISTENERS_H
#define POOLD_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "lsock.h"

/* Take what we were passed (LISTEN_FDS, for our pid); first thing at
   start, before any other fd is opened.  The number taken, or -1. */
int	 listeners_inherit(char *err, size_t len);
/* One more passed socket: from an in-place upgrade's state.  0 or -1. */
int	 listeners_pass(int fd, const char *name);
/*
 * Open or adopt what conf needs, keeping what is open; on failure the
 * listeners opened by this call are closed again.  A passed socket is
 * used, rather than a new one bound, where one is bound to the address.
 */
int	 listeners_open(const struct poold_conf *, char *err, size_t len);
/* A passed socket bound to a (the control socket, after an upgrade),
   now ours; or -1. */
int	 listeners_take_passed(const struct addr *);
/* After the first listeners_open(): close passed sockets no pool uses. */
void	 listeners_drop_unused(void);
/* Close listeners no pool uses any more (workers keep their copies). */
void	 listeners_sweep(void);
/* The fds of a pool's listeners, in its listen order; a new array. */
int	*listeners_fds(const struct pool_conf *, size_t *n);
/* LISTEN_FDNAMES for those fds, in their order: a new string. */
char	*listeners_fdnames(const struct pool_conf *);
void	 listeners_close(void);

/* For handing them over: every listener and the name it goes by (the
   returned string may be overwritten by the next call). */
size_t	 listeners_count(void);
int	 listeners_fd(size_t i);
const char *listeners_name(size_t i);
/* While a new arbiter has them, our exit must not remove socket files. */
void	 listeners_handed_over(bool);

#endif
