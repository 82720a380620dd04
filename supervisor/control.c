/* SPDX-License-Identifier: ISC */
/*
 * Control clients.  Each client has a fixed input buffer of one maximal
 * line and an output buffer capped at CTL_OUT_MAX; a client that sends an
 * overlong line, or lets its output pile up past the cap, is told so (when
 * possible) and disconnected.  Nothing here ever waits on a client.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "commands.h"
#include "control.h"
#include "log.h"
#include "loglimit.h"
#include "proto.h"
#include "sockserver.h"

struct ctl_client {
	struct ss_client cc_sc;		/* first: the server's part */
	uid_t		 cc_uid;
	pid_t		 cc_pid;
	char		 cc_in[PROTO_LINE_MAX];
	size_t		 cc_inlen;
	char		*cc_out;
	size_t		 cc_outlen;
	size_t		 cc_outcap;
	bool		 cc_subscribed;
	bool		 cc_closing;	/* close once cc_out is flushed */
	bool		 cc_wantout;	/* EPOLLOUT is armed */
};

static struct control {
	struct sockserver	 ct_ss;
	uid_t			 ct_uid;
	gid_t			 ct_gid;
	bool			 ct_has_gid;
	unsigned		 ct_idle_ms;
	size_t			 ct_nsubs;
	/* Whoever can reach the socket can cause these at will. */
	struct log_limit	 ct_log_refused, ct_log_full;
} ctl;

#define cc_fd	cc_sc.sc_ev.es_fd

static void	client_io(struct ev_source *, uint32_t);
static void	client_accept(struct sockserver *, int);
static void	client_expire(struct ss_client *);
static void	client_free(struct ss_client *);

static const struct ss_ops ctl_ops = {
	.so_accept = client_accept,
	.so_expire = client_expire,
	.so_free = client_free,
};

/* -- output ----------------------------------------------------------------- */

static void
client_free(struct ss_client *sc)
{
	struct ctl_client *c = (struct ctl_client *)sc;

	if (c->cc_subscribed)
		ctl.ct_nsubs--;
	free(c->cc_out);
	free(c);
}

static void
client_expire(struct ss_client *sc)
{
	const struct ctl_client *c = (const struct ctl_client *)sc;

	/* A client already closing was said so when it was marked. */
	if (!c->cc_closing)
		log_info("control: client pid %ld idle; closing",
		    (long)c->cc_pid);
}

/* Write what we can; -1 if the client is gone. */
static int
client_flush(struct ctl_client *c)
{
	ssize_t	n;
	size_t	done = 0;

	while (done < c->cc_outlen) {
		n = write(c->cc_fd, c->cc_out + done,
		    c->cc_outlen - done);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;	/* EPIPE, ECONNRESET: it left */
		}
		done += (size_t)n;
	}
	/* (memmove with a NULL buffer is undefined even for 0 bytes.) */
	if (done > 0) {
		memmove(c->cc_out, c->cc_out + done, c->cc_outlen - done);
		c->cc_outlen -= done;
	}
	if ((c->cc_outlen > 0) != c->cc_wantout) {
		c->cc_wantout = c->cc_outlen > 0;
		if (ev_rewatch(&c->cc_sc.sc_ev, EPOLLIN | EPOLLRDHUP |
		    (c->cc_wantout ? EPOLLOUT : 0)) == -1)
			return -1;
	}
	return 0;
}

/* Queue bytes; -1 if that would pass limit (the caller drops the client). */
static int
client_queue(struct ctl_client *c, const char *buf, size_t len, size_t limit)
{
	char	*p;
	size_t	 cap;

	if (c->cc_outlen + len > limit)
		return -1;
	if (c->cc_outlen + len > c->cc_outcap) {
		cap = c->cc_outcap ? c->cc_outcap : 4096;
		while (cap < c->cc_outlen + len)
			cap *= 2;
		if ((p = realloc(c->cc_out, cap)) == NULL)
			return -1;
		c->cc_out = p;
		c->cc_outcap = cap;
	}
	memcpy(c->cc_out + c->cc_outlen, buf, len);
	c->cc_outlen += len;
	return 0;
}

/* A JSON object as one line; consumes obj.  -1 if the client must go. */
static int
client_send_json(struct ctl_client *c, json_t *obj, size_t limit)
{
	char	*s;
	int	 rc = -1;

	s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(obj);
	if (s != NULL && client_queue(c, s, strlen(s), limit) == 0 &&
	    client_queue(c, "\n", 1, limit) == 0)
		rc = 0;
	free(s);
	return rc;
}

/* -- requests --------------------------------------------------------------- */

static void
client_line(struct ctl_client *c, const char *line, size_t len)
{
	struct proto_request	rq;
	enum proto_err		err;
	char			msg[256];
	json_t			*reply;
	bool			subscribe = false;

	if (proto_parse(line, len, &rq, &err, msg, sizeof(msg)) == -1)
		reply = commands_error(err, "%s", msg);
	else if ((reply = commands_run(&rq, &subscribe)) == NULL)
		reply = commands_error(PERR_FAILED, "out of memory");
	if (reply == NULL || client_send_json(c, reply, CTL_OUT_MAX) == -1) {
		log_warnx("control: client pid %ld: reply dropped, closing",
		    (long)c->cc_pid);
		c->cc_closing = true;
		c->cc_outlen = 0;
		return;
	}
	if (subscribe && !c->cc_subscribed) {
		c->cc_subscribed = true;
		c->cc_sc.sc_deadline = SS_NO_DEADLINE;	/* never idle */
		ctl.ct_nsubs++;
	}
}

/* Answer the complete lines in cc_in. */
static void
client_lines(struct ctl_client *c)
{
	char	*nl;
	size_t	 used = 0;

	while (!c->cc_closing && (nl = memchr(c->cc_in + used, '\n',
	    c->cc_inlen - used)) != NULL) {
		size_t len = (size_t)(nl - (c->cc_in + used)) + 1;
		client_line(c, c->cc_in + used, len);
		used += len;
	}
	memmove(c->cc_in, c->cc_in + used, c->cc_inlen - used);
	c->cc_inlen -= used;
	if (c->cc_inlen == sizeof(c->cc_in) && !c->cc_closing) {
		/* No room left and no newline: the line cannot be framed. */
		client_send_json(c, commands_error(PERR_LINE_TOO_LONG,
		    "a request is at most %d bytes", PROTO_LINE_MAX),
		    CTL_OUT_MAX);
		c->cc_closing = true;
	}
}

static void
client_read(struct ctl_client *c, bool *eof)
{
	ssize_t n;

	*eof = false;
	while (!c->cc_closing && c->cc_inlen < sizeof(c->cc_in)) {
		n = read(c->cc_fd, c->cc_in + c->cc_inlen,
		    sizeof(c->cc_in) - c->cc_inlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				*eof = true;
			return;
		}
		if (n == 0) {
			*eof = true;
			return;
		}
		c->cc_inlen += (size_t)n;
		if (!c->cc_subscribed)
			c->cc_sc.sc_deadline = ev_now_ms() + ctl.ct_idle_ms;
		client_lines(c);
	}
}

static void
client_io(struct ev_source *ev, uint32_t events)
{
	struct ctl_client	*c = (struct ctl_client *)ev;
	bool			 eof = false;

	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		client_read(c, &eof);
	/* A half-closed client (socat at end of input) still gets its
	   replies: close once they are written. */
	if (eof)
		c->cc_closing = true;
	if (client_flush(c) == -1 || (c->cc_closing && c->cc_outlen == 0) ||
	    (events & EPOLLERR))
		ss_drop(&c->cc_sc);
}

/* -- accepting ------------------------------------------------------------ */

static bool
peer_allowed(int fd, struct ucred *cr)
{
	socklen_t	len = sizeof(*cr);
	gid_t		groups[64];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cr, &len) == -1)
		return false;
	if (cr->uid == 0 || cr->uid == ctl.ct_uid)
		return true;
	if (!ctl.ct_has_gid)
		return false;
	if (cr->gid == ctl.ct_gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1)
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++) {
		if (groups[i] == ctl.ct_gid)
			return true;
	}
	return false;
}

/* One best-effort error line to a client we are about to close. */
static void
refuse(int fd, enum proto_err code, const char *msg)
{
	json_t	*e = commands_error(code, "%s", msg);
	char	*s = e ? json_dumps(e, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	char	 line[256];
	int	 n;

	/* Short enough for any socket buffer; if it does not fit, the
	   client still sees the connection close. */
	if (s != NULL && (n = snprintf(line, sizeof(line), "%s\n", s)) > 0 &&
	    (size_t)n < sizeof(line))
		(void)!write(fd, line, (size_t)n);
	free(s);
	json_decref(e);
	close(fd);
}

static void
client_accept(struct sockserver *ss, int fd)
{
	struct ctl_client	*c;
	struct ucred		 cr;

	if (!peer_allowed(fd, &cr)) {
		log_limited(&ctl.ct_log_refused, LOG_LVL_WARNING,
		    "control: refused uid %ld pid %ld", (long)cr.uid,
		    (long)cr.pid);
		refuse(fd, PERR_PERMISSION, "permission denied");
		return;
	}
	if (ss_full(ss)) {
		log_limited(&ctl.ct_log_full, LOG_LVL_WARNING,
		    "control: %zu clients already; refused pid %ld",
		    ss->ss_max, (long)cr.pid);
		refuse(fd, PERR_BUSY, "too many clients");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		refuse(fd, PERR_BUSY, "out of memory");
		return;
	}
	c->cc_uid = cr.uid;
	c->cc_pid = cr.pid;
	if (ss_add(ss, &c->cc_sc, fd, client_io, EPOLLIN | EPOLLRDHUP,
	    ev_now_ms() + ctl.ct_idle_ms) == -1) {
		close(fd);
		free(c);
	}
}

/* -- the socket --------------------------------------------------------------- */

/*
 * Bound at mode 0600 by umask, handed to the group, and only then opened
 * up to the configured mode: never wider than asked, even for an instant.
 */
static int
control_bind(const struct poold_conf *cf, char *err, size_t len)
{
	struct addr	a;

	memset(&a, 0, sizeof(a));
	a.a_kind = ADDR_UNIX;
	if (strlen(cf->c_control_path) >= sizeof(a.a_path)) {
		snprintf(err, len, "control socket path too long: %s",
		    cf->c_control_path);
		return -1;
	}
	snprintf(a.a_path, sizeof(a.a_path), "%s", cf->c_control_path);
	/* After USR2 the old arbiter's socket is passed to us (ss_open
	   takes it): no client is refused while arbiters change. */
	if (ss_open(&ctl.ct_ss, &a, CTL_CLIENTS_MAX, 0600, err, len) == -1)
		return -1;
	if ((ctl.ct_has_gid && chown(a.a_path, (uid_t)-1, ctl.ct_gid) == -1) ||
	    chmod(a.a_path, cf->c_control_mode) == -1) {
		snprintf(err, len, "control socket %s: %s", a.a_path,
		    strerror(errno));
		ss_close(&ctl.ct_ss, false);
		return -1;
	}
	return 0;
}

/* The socket's directory, made private if we have to make it. */
static int
control_dir(const char *path, char *err, size_t len)
{
	char		dir[ADDR_PATH_MAX];
	const char	*slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return 0;
	if ((size_t)(slash - path) >= sizeof(dir)) {
		snprintf(err, len, "control socket path too long: %s", path);
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	/* Others may pass through (to the notify socket, also kept here
	   by default) but not list it; the socket's own mode (0600)
	   decides who may connect. */
	if (mkdir(dir, ctl.ct_has_gid ? 0751 : 0711) == 0) {
		/* The umask may have taken more. */
		if (chmod(dir, ctl.ct_has_gid ? 0751 : 0711) == -1) {
			snprintf(err, len, "chmod %s: %s", dir,
			    strerror(errno));
			return -1;
		}
		if (ctl.ct_has_gid && chown(dir, (uid_t)-1, ctl.ct_gid) == -1) {
			snprintf(err, len, "chown %s: %s", dir,
			    strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		snprintf(err, len, "control socket directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A user's poold with no XDG_RUNTIME_DIR falls back to the system's
 * socket, which only root may make: say what to do instead.
 */
static void
default_hint(const char *path, char *err, size_t len)
{
	size_t n = strlen(err);

	if (geteuid() == 0 || strcmp(path, PROTO_SOCKET_SYSTEM) != 0 ||
	    n + 1 >= len)
		return;
	snprintf(err + n, len - n, " (the default control socket of a "
	    "user without XDG_RUNTIME_DIR; set XDG_RUNTIME_DIR, or give "
	    "--control PATH, or --control none)");
}

int
control_open(const struct poold_conf *cf, char *err, size_t len)
{
	ctl.ct_ss.ss_name = "control";
	ctl.ct_ss.ss_ops = &ctl_ops;
	ctl.ct_ss.ss_max = CTL_CLIENTS_MAX;
	if (cf->c_control_path == NULL)
		return 0;	/* --control none */
	ctl.ct_uid = geteuid();
	ctl.ct_has_gid = cf->c_control_group != NULL;
	ctl.ct_gid = cf->c_control_gid;
	ctl.ct_idle_ms = cf->c_control_idle_ms;
	if (control_dir(cf->c_control_path, err, len) == -1 ||
	    control_bind(cf, err, len) == -1) {
		default_hint(cf->c_control_path, err, len);
		return -1;
	}
	return 0;
}

int
control_start(void)
{
	if (!ctl.ct_ss.ss_open)
		return 0;
	log_info("control socket at %s", ctl.ct_ss.ss_l.l_addr.a_path);
	return ss_start(&ctl.ct_ss);
}

uint64_t
control_tick(uint64_t now)
{
	uint64_t next = ss_tick(&ctl.ct_ss, now), d;

	d = log_limit_tick(&ctl.ct_log_refused, now);
	next = d < next ? d : next;
	d = log_limit_tick(&ctl.ct_log_full, now);
	return d < next ? d : next;
}

bool
control_has_subscribers(void)
{
	return ctl.ct_nsubs > 0;
}

void
control_broadcast(json_t *ev)
{
	char	*s;
	size_t	 len;

	if (ev == NULL)
		return;
	s = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(ev);
	if (s == NULL)
		return;
	len = strlen(s);
	for (size_t i = 0; i < ctl.ct_ss.ss_n; i++) {
		struct ctl_client *c = (struct ctl_client *)
		    ctl.ct_ss.ss_clients[i];
		if (!c->cc_subscribed)
			continue;
		if (!c->cc_closing && (client_queue(c, s, len,
		    CTL_EVENTS_MAX) == -1 ||
		    client_queue(c, "\n", 1, CTL_EVENTS_MAX) == -1 ||
		    client_flush(c) == -1)) {
			log_warnx("control: subscriber pid %ld is not "
			    "reading; disconnected", (long)c->cc_pid);
			/* Not freed here: the event may come from this very
			   client's command, still running on it.  The tick
			   ends it. */
			c->cc_closing = true;
			c->cc_outlen = 0;
			c->cc_sc.sc_deadline = 0;
		}
	}
	free(s);
}

int
control_fd(void)
{
	return ss_fd(&ctl.ct_ss);
}

void
control_handover(bool yes)
{
	ss_handover(&ctl.ct_ss, yes);
}

void
control_close(bool keep_file)
{
	ss_close(&ctl.ct_ss, keep_file);
}
