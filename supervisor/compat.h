/* SPDX-License-Identifier: ISC */
/*
 * The other pre-fork launchers' ways of handing sockets over, for
 * programs written for them (a pool's `compat`): each is the variables
 * that launcher sets, next to LISTEN_FDS, naming the same fds 3, 4, ...
 *
 *   einhorn         EINHORN_FD_COUNT=N, EINHORN_FD_0=3, EINHORN_FD_1=4...,
 *                   EINHORN_FDS="3 4", EINHORN_MASTER_PID (the arbiter),
 *                   EINHORN_SOCK_PATH (einhorn.h: where worker:ack goes)
 *   server_starter  SERVER_STARTER_PORT=127.0.0.1:8000=3;/run/a.sock=4
 *   unicorn         UNICORN_FD=3,4 (Unicorn 5 and later read LISTEN_FDS as
 *                   well, and would take each socket twice: for older
 *                   ones)
 *   gunicorn        GUNICORN_FD=3,4 (Gunicorn itself reads it only after
 *                   its own USR2, and prefers LISTEN_FDS: for programs
 *                   that read GUNICORN_FD themselves)
 */
#ifndef POOLD_COMPAT_H
#define POOLD_COMPAT_H

#include <stddef.h>

#define COMPAT_EINHORN		0x1
#define COMPAT_SERVER_STARTER	0x2
#define COMPAT_UNICORN		0x4
#define COMPAT_GUNICORN		0x8

/* The bit of a launcher's name; 0 if there is none of that name. */
unsigned	 compat_bit(const char *name);
/* The name of the launcher of the lowest bit in mask; NULL if none. */
const char	*compat_name(unsigned mask);
/* "einhorn, server_starter, unicorn, gunicorn", for messages. */
const char	*compat_names(void);
/* Whether NAME=... in a pool's env would be a variable mask sets. */
int		 compat_sets(unsigned mask, const char *assignment);
/* Entries compat_env() adds for nfds sockets, at most. */
size_t		 compat_count(unsigned mask, size_t nfds);
/*
 * In a worker about to exec, whose sockets fds[0..nfds) will be at 3..:
 * append the variables of mask to env at *k (room for compat_count() of
 * them), einhorn_sock being Einhorn's command socket (NULL: none).  0,
 * or -1 if out of memory.
 */
int		 compat_env(unsigned mask, const int *fds, size_t nfds,
		    const char *einhorn_sock, char **env, size_t *k);

#endif
