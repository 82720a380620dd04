/* SPDX-License-Identifier: ISC */
/*
 * A listening socket the arbiter serves itself, and its clients: what the
 * control socket and the metrics endpoint share.  It binds (or takes the
 * socket passed for the same address after an upgrade), accepts in
 * bursts, pauses a second when out of fds rather than spin on a listener
 * that stays readable (one log line a pause), keeps the client table with
 * a deadline per client, hands the socket over to a USR2 successor, and
 * closes.  What clients say, and what they are told, is the owner's.
 */
#ifndef POOLD_SOCKSERVER_H
#define POOLD_SOCKSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lsock.h"
#include "loop.h"

#define SS_CLIENTS_MAX	64
#define SS_NO_DEADLINE	UINT64_MAX

struct sockserver;

/* Embedded first in the owner's client struct. */
struct ss_client {
	struct ev_source	 sc_ev;		/* first: the epoll cookie */
	struct sockserver	*sc_srv;
	uint64_t		 sc_deadline;	/* ms, or SS_NO_DEADLINE */
};

struct ss_ops {
	/* A new connection: make it a client with ss_add, or refuse it
	   (and close fd). */
	void	(*so_accept)(struct sockserver *, int fd);
	/* Its deadline passed: say so if it matters; ss_drop follows. */
	void	(*so_expire)(struct ss_client *);
	/* Free the owner's struct around c; its fd is closed already. */
	void	(*so_free)(struct ss_client *);
};

struct sockserver {
	const char		*ss_name;	/* "control": for the log */
	const struct ss_ops	*ss_ops;
	size_t			 ss_max;	/* clients, <= SS_CLIENTS_MAX */
	struct listener		 ss_l;
	struct ev_source	 ss_ev;
	bool			 ss_open;
	bool			 ss_paused;	/* accept off until ss_resume */
	uint64_t		 ss_resume;
	struct ss_client	*ss_clients[SS_CLIENTS_MAX];
	size_t			 ss_n;
};

/* Listen at a (or take the socket passed for a), non-blocking; 0, or
   -1 with err. */
int	 ss_open(struct sockserver *, const struct addr *a, int backlog,
	    mode_t mode, char *err, size_t len);
/*
 * Serve fd, a listening socket the owner made or was passed (its file,
 * if any, is the owner's to remove), non-blocking; one it served before
 * is closed (a socket file made again under a new socket).  0, or -1 if
 * it could not be watched.
 */
int	 ss_serve_fd(struct sockserver *, int fd);
/* Start accepting (in the process that runs the loop). */
int	 ss_start(struct sockserver *);
bool	 ss_full(const struct sockserver *);
/* Make fd a client watched for events; -1 if it could not be (the
   caller still owns c and fd). */
int	 ss_add(struct sockserver *, struct ss_client *c, int fd,
	    void (*fn)(struct ev_source *, uint32_t), uint32_t events,
	    uint64_t deadline);
/* End a client: unwatch, close, and hand it to so_free. */
void	 ss_drop(struct ss_client *);
/* Resume a paused accept, end clients past their deadline; the next
   deadline, or EV_NEVER. */
uint64_t ss_tick(struct sockserver *, uint64_t now);
/* The listening socket, to pass to a USR2 successor; -1 if none. */
int	 ss_fd(const struct sockserver *);
/* While a successor has it: stop accepting, and leave the socket file
   to it at exit; false: take it back. */
void	 ss_handover(struct sockserver *, bool yes);
/* End every client and close; unlink the socket file unless keep_file. */
void	 ss_close(struct sockserver *, bool keep_file);

#endif
