/* SPDX-License-Identifier: ISC */
/*
 * The built-in HTTP worker, run in a child forked by the arbiter (no
 * exec).  Its listeners are at fds 3 .. 3 + hw_nfds - 1, as for any
 * worker; everything else it needs is in struct http_worker_conf.
 *
 * Signals, as Gunicorn's workers: TERM drains (stop accepting, finish
 * what is in flight, close idle connections, exit); INT and QUIT exit at
 * once; USR1 reopens the access log.
 */
#ifndef POOLD_HTTP_WORKER_H
#define POOLD_HTTP_WORKER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "accesslog.h"
#include "http.h"
#include "scoreboard.h"

enum http_class {
	HW_SYNC,	/* one connection at a time, Connection: close */
	HW_GTHREAD,	/* a thread pool, keep-alive */
	HW_ASYNC,	/* epoll, keep-alive and pipelining */
};

struct http_worker_conf {
	enum http_class		hw_class;
	size_t			hw_nfds;
	unsigned		hw_slot;
	const char		*hw_pool;
	struct http_limits	hw_limits;
	unsigned		hw_keepalive_ms;	/* idle between requests */
	unsigned		hw_read_ms;	/* a request's head and body */
	unsigned		hw_connections;	/* async, gthread: at once */
	unsigned		hw_threads;	/* gthread */
	const char		*hw_root;	/* static files, or NULL */
	const char		*hw_access_log;	/* path, "-", or NULL */
	const char		*hw_access_format;
	bool			 hw_access_json;	/* log_format = json */
	alog_debug_fn		 hw_debug;	/* a line per request; or NULL */
	struct sb_entry		*hw_board;	/* our scoreboard entry */
	struct sb_group		*hw_group;	/* our pool's, or NULL */
	const char		*hw_app;	/* module path, or NULL */
	const char		*hw_app_arg;
	unsigned		hw_max_requests;	/* 0: no limit */
	unsigned		hw_max_requests_jitter;
	const char		*hw_notify;	/* the arbiter's notify socket */
};

/*
 * Workers wake at least this often, even idle, to beat on the scoreboard:
 * a worker whose heartbeat stops is stuck (in a handler, say).
 */
#define HW_BEAT_MS	1000

/* The scoreboard entry of this worker process (NULL: none). */
extern struct sb_entry *hw_board;

/* Serve until told to stop; the exit code. */
int	 http_worker_run(const struct http_worker_conf *);

/* -- shared by the loops (serve.c) ------------------------------------------ */

#define HW_FIRST_FD	3
#define HW_OUT_MAX	1024	/* a whole hello or error reply fits */

/*
 * A reply: its head (and a small body) in hr_buf, then maybe a file.
 * Both loops send it the same way; only how they wait differs.
 */
struct hw_response {
	char		hr_buf[HW_OUT_MAX];
	size_t		hr_len;
	int		hr_fd;		/* -1, or a file to send after hr_buf */
	off_t		hr_off;
	uint64_t	hr_left;
	bool		hr_close;	/* the connection ends after it */
	int		hr_status;
	uint64_t	hr_body;	/* body bytes, for the access log */
	char		*hr_mem;	/* sent after hr_buf: an app's reply */
	size_t		hr_memlen;
};

/* Prepared once per worker: the hello body, the static root. */
int	 hw_init(const struct http_worker_conf *);
/* What to answer rq with. */
void	 hw_respond(const struct http_request *rq, bool keepalive,
	    struct hw_response *);
/* The reply of the app module to a complete request (or a 500). */
void	 hw_app_response(const struct http_request *, const char *body,
	    size_t blen, const char *remote, bool keepalive,
	    struct hw_response *);
/* An error reply; the connection closes after it. */
void	 hw_error(int status, int minor, struct hw_response *);
/* An empty reply, owning nothing. */
void	 hw_response_init(struct hw_response *);
/* Release the file of a reply (after sending it, or when giving up). */
void	 hw_response_done(struct hw_response *);

/* app.c: application modules (poold/app.h). */
int	 app_load(const char *path, const char *arg, unsigned slot,
	    bool threads);
/* --check-config: path is a module this poold speaks; 0, or -1 with err.
   Its constructors run: call it in a process of its own. */
int	 app_check(const char *path, char *err, size_t len);
bool	 app_enabled(void);
/* The client's address is read at accept when someone uses it: the
   access log, or a module (poold_request.remote_addr). */
bool	 hw_wants_peer(void);
void	 app_fini(void);
/* Run the module on a complete request: 0 with r filled, or a status. */
int	 app_respond(const struct http_request *, const char *body,
	    size_t blen, const char *remote, bool keepalive,
	    struct hw_response *r);

/* static.c: files under a root.  0 with r filled, or a status. */
int	 static_init(const char *root);
int	 static_respond(const struct http_request *, bool keepalive,
	    struct hw_response *r);

/* share.c: a worker's fair share of its pool's connections. */
struct hw_share {
	bool		hs_yielded;	/* listeners off for a sibling */
	uint64_t	hs_hold;	/* no yielding before this (ms) */
};
/* Over our share with nconns open: when to watch the listeners again
   (ms, the caller's clock; it stops watching them until then), or 0 to
   go on accepting. */
uint64_t hw_share_yield(struct hw_share *, const struct http_worker_conf *,
	    size_t nconns, uint64_t now);
/* Over our share now, without yielding. */
bool	 hw_share_over(const struct http_worker_conf *, size_t nconns);
/* Listeners watched again after a yield: a connection that waited
   through it (accepted with accept4 flags), or -1. */
int	 hw_share_back(struct hw_share *, const struct http_worker_conf *,
	    int flags, uint64_t now);

/* loop.c: the outer loop of the event-driven workers (async, gthread). */
/* epoll data that is not a connection: small numbers that no
   allocation returns. */
#define HW_TAG_SIGNAL	((uint64_t)1)
#define HW_TAG_OWN	((uint64_t)2)	/* free for the worker's own use */
#define HW_TAG_LISTEN	((uint64_t)3)	/* + i: listener i */

/* What is the worker's own: all of it runs in the loop's thread. */
struct hw_loop_ops {
	/* A connection accepted (with hw_loop_init's accept flags), already
	   counted: it is closed with hw_loop_closed(), even when it cannot
	   be taken. */
	void	(*lo_open)(int fd);
	/* Any event that is not the signals' or a listener's. */
	void	(*lo_event)(const struct epoll_event *);
	/* Close what is due at now (ms); ms until the next deadline, or -1. */
	int	(*lo_expire)(uint64_t now);
	/* TERM: the listeners are off; close what is idle. */
	void	(*lo_drain)(void);
};

struct hw_loop {
	const struct http_worker_conf	*l_wc;
	const struct hw_loop_ops	*l_ops;
	int				 l_ep;		/* epoll, to share */
	int				 l_sig;		/* signalfd */
	int				 l_accept_flags;
	size_t				 l_nconns;
	bool				 l_draining;
	bool				 l_drain_req;	/* TERM, after the batch */
	bool				 l_paused;	/* listeners off */
	uint64_t			 l_resume;	/* pause ends (ms); 0:
							   when one closes */
	/*
	 * The clock (ms), read once per batch of events, not per event: a
	 * profile at 50 keep-alive clients had clock_gettime at a tenth of
	 * the async worker's time.  Code that may have blocked (an app's
	 * handler) sets it again from sb_now_ms().
	 */
	uint64_t			 l_now;
	struct hw_share			 l_share;
};

enum hw_loop_end {
	HW_LOOP_DRAINED,	/* TERM, and the last connection closed */
	HW_LOOP_QUIT,		/* INT or QUIT: stop at once */
	HW_LOOP_FAILED,
};

int	 hw_loop_init(struct hw_loop *, const struct http_worker_conf *,
	    const struct hw_loop_ops *, int accept_flags);
enum hw_loop_end hw_loop_run(struct hw_loop *);
/* A connection counted open is gone. */
void	 hw_loop_closed(struct hw_loop *);
/* Bytes from the peer wait unread on fd (a request, or a close). */
bool	 hw_input_waiting(int fd);

/* beat.c: the heartbeat, held back by a handler that does not return
   (gthread: each thread calls hw_beat_thread() with its index). */
int	 hw_beat_init(unsigned threads);
void	 hw_beat_thread(unsigned index);
void	 hw_handler_begin(void);
void	 hw_handler_end(void);
/* A loop that ends with handlers possibly still running (gthread's quick
   stop) says so: the module's fini() must not run under them. */
void	 hw_no_fini(void);
/* Beat at now, or when the oldest running handler began. */
void	 hw_beat_at(uint64_t now);

/* tell.c: a datagram to the arbiter's notify socket (0, or -1 with
   errno; ENOTCONN: there is none; EAGAIN: its queue stayed full for
   wait_ms, 0 not waiting); READY=1, once the loop accepts. */
void	 hw_tell_init(const struct http_worker_conf *);
int	 hw_tell(const char *msg, int wait_ms);
void	 hw_ready(void);

/* recycle.c: a request is done (scoreboard and max_requests); whether
   replies end keep-alive connections (from max_requests until the hold
   ends); while max_requests holds the worker (nothing accepted), when
   the hold ends (ms), else 0. */
void	 hw_recycle_init(const struct http_worker_conf *);
void	 hw_request_done(uint64_t bytes);
bool	 hw_recycle_closing(void);
uint64_t hw_recycle_hold(void);

/* Count and log a request refused with status before its head parsed. */
void	 hw_rejected(int status, const char *remote);

/* The most a request head can take under the limits, for buffers. */
size_t	 hw_head_max(const struct http_limits *);

/* The loops (sync.c, gthread.c, async.c); each returns the exit code. */
int	 hw_sync_run(const struct http_worker_conf *);
int	 hw_gthread_run(const struct http_worker_conf *);
int	 hw_async_run(const struct http_worker_conf *);

/* blocking.c: a connection served with blocking I/O (sync, gthread). */
struct hw_bconn {
	int			 bc_fd;
	char			*bc_buf;	/* hw_head_max() bytes */
	size_t			 bc_len;	/* bytes buffered */
	size_t			 bc_cap;
	struct http_request	*bc_rq;		/* scratch for the parser */
	char			 bc_peer[48];	/* hw_wants_peer() */
	/* With an app: the head kept while the body is read, and the body. */
	char			*bc_head;
	size_t			 bc_headcap;
	char			*bc_body;
	size_t			 bc_bodylen;
	size_t			 bc_bodycap;
	size_t			 bc_max;	/* bc_buf grows up to this */
	uint64_t		 bc_deadline;	/* of the head being read */
};

/* Close, lingering first if the client left input unread (blocking). */
void	 hw_blocking_close(int fd);

/* A growable buffer for app bodies; false without memory. */
bool	 hw_append(char **buf, size_t *len, size_t *cap, const char *p,
	    size_t n);

void	 hw_set_timeouts(int fd, unsigned ms);
/*
 * Serve one request from bc; true if the connection may carry another
 * (keepalive allowed, the client wants it, nothing failed).  Bytes of a
 * pipelined next request stay in bc_buf.
 */
bool	 hw_blocking_serve(struct hw_bconn *, const struct http_worker_conf *,
	    bool keepalive, volatile sig_atomic_t *quit);

#endif
