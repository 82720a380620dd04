/*
 * Control clients.  Each client has a fixed input buffer of one maximal
 * line and an output buffer capped at CTL_OUT_MAX; a client that sends an
 * overlong line, or lets its output pile up past the cap, is told so (when
 * possible) and disconnected.  Nothing here ever waits on a client.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include "evsource.h"
#include "listen.h"
#include "listeners.h"
#include "log.h"
#include "proto.h"

#define CTL_ACCEPT_PAUSE_MS	1000	/* after EMFILE, as relayd does */
#define CTL_ACCEPT_BURST	16

struct ctl_client {
	struct ev_source cc_ev;		/* first: the epoll cookie */
	uid_t		 cc_uid;
	pid_t		 cc_pid;
	char		 cc_in[PROTO_LINE_MAX];
	size_t		 cc_inlen;
	char		*cc_out;
	size_t		 cc_outlen;
	size_t		 cc_outcap;
	uint64_t	 cc_last;	/* last request, ms */
	bool		 cc_subscribed;
	bool		 cc_closing;	/* close once cc_out is flushed */
	bool		 cc_wantout;	/* EPOLLOUT is armed */
};

static struct control {
	struct listener		 ct_l;
	struct ev_source	 ct_ev;
	bool			 ct_open;
	bool			 ct_paused;	/* accept off until ct_resume */
	uint64_t		 ct_resume;
	uid_t			 ct_uid;
	gid_t			 ct_gid;
	bool			 ct_has_gid;
	unsigned		 ct_idle_ms;
	struct ctl_client	*ct_clients[CTL_CLIENTS_MAX];
	size_t			 ct_nclients;
	size_t			 ct_nsubs;
} ctl;

static void client_io(struct ev_source *, uint32_t);

/* -- output ----------------------------------------------------------------- */

static void
client_free(struct ctl_client *c)
{
	for (size_t i = 0; i < ctl.ct_nclients; i++) {
		if (ctl.ct_clients[i] == c) {
			ctl.ct_clients[i] = ctl.ct_clients[--ctl.ct_nclients];
			break;
		}
	}
	if (c->cc_subscribed)
		ctl.ct_nsubs--;
	ev_unwatch(&c->cc_ev);
	close(c->cc_ev.es_fd);
	free(c->cc_out);
	free(c);
}

/* Write what we can; -1 if the client is gone. */
static int
client_flush(struct ctl_client *c)
{
	ssize_t	n;
	size_t	done = 0;

	while (done < c->cc_outlen) {
		n = write(c->cc_ev.es_fd, c->cc_out + done,
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
		if (ev_rewatch(&c->cc_ev, EPOLLIN | EPOLLRDHUP |
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

static json_t *
error_reply(enum proto_err code, const char *msg)
{
	return json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code",
	    proto_err_name(code), "message", msg);
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
		reply = error_reply(err, msg);
	else if ((reply = commands_run(&rq, &subscribe)) == NULL)
		reply = error_reply(PERR_FAILED, "out of memory");
	if (reply == NULL || client_send_json(c, reply, CTL_OUT_MAX) == -1) {
		log_warnx("control: client pid %ld: reply dropped, closing",
		    (long)c->cc_pid);
		c->cc_closing = true;
		c->cc_outlen = 0;
		return;
	}
	if (subscribe && !c->cc_subscribed) {
		c->cc_subscribed = true;
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
		client_send_json(c, error_reply(PERR_LINE_TOO_LONG,
		    "a request is at most 4096 bytes"), CTL_OUT_MAX);
		c->cc_closing = true;
	}
}

static void
client_read(struct ctl_client *c, bool *eof)
{
	ssize_t n;

	*eof = false;
	while (!c->cc_closing && c->cc_inlen < sizeof(c->cc_in)) {
		n = read(c->cc_ev.es_fd, c->cc_in + c->cc_inlen,
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
		c->cc_last = ev_now_ms();
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
	    (events & EPOLLERR)) {
		client_free(c);
		return;
	}
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
	json_t	*e = error_reply(code, msg);
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
client_new(int fd)
{
	struct ctl_client	*c;
	struct ucred		 cr;

	if (!peer_allowed(fd, &cr)) {
		log_warnx("control: refused uid %ld pid %ld",
		    (long)cr.uid, (long)cr.pid);
		refuse(fd, PERR_PERMISSION, "permission denied");
		return;
	}
	if (ctl.ct_nclients == CTL_CLIENTS_MAX) {
		log_warnx("control: %d clients already; refused pid %ld",
		    CTL_CLIENTS_MAX, (long)cr.pid);
		refuse(fd, PERR_BUSY, "too many clients");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		refuse(fd, PERR_BUSY, "out of memory");
		return;
	}
	c->cc_ev.es_fd = fd;
	c->cc_ev.es_fn = client_io;
	c->cc_uid = cr.uid;
	c->cc_pid = cr.pid;
	c->cc_last = ev_now_ms();
	if (ev_watch(&c->cc_ev, EPOLLIN | EPOLLRDHUP) == -1) {
		log_warn("control: epoll");
		close(fd);
		free(c);
		return;
	}
	ctl.ct_clients[ctl.ct_nclients++] = c;
}

static void
control_accept(struct ev_source *ev, uint32_t events)
{
	int fd;

	for (int i = 0; i < CTL_ACCEPT_BURST; i++) {
		fd = accept4(ev->es_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			client_new(fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			/* Out of fds: stop accepting for a moment rather
			   than spin on a listener that stays readable. */
			log_warn("control: accept; pausing for 1 s");
			ev_unwatch(&ctl.ct_ev);
			ctl.ct_paused = true;
			ctl.ct_resume = ev_now_ms() + CTL_ACCEPT_PAUSE_MS;
		} else if (errno != EAGAIN)
			log_warn("control: accept");
		return;
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
	int		fd;

	memset(&a, 0, sizeof(a));
	a.a_kind = ADDR_UNIX;
	if (strlen(cf->c_control_path) >= sizeof(a.a_path)) {
		snprintf(err, len, "control socket path too long: %s",
		    cf->c_control_path);
		return -1;
	}
	snprintf(a.a_path, sizeof(a.a_path), "%s", cf->c_control_path);
	/* After USR2 the old arbiter's socket is passed to us: no client
	   is refused while arbiters change. */
	if ((fd = listeners_take_passed(&a)) != -1) {
		if (listen_adopt(&ctl.ct_l, &a, fd, err, len) == -1)
			return -1;
	} else if (listen_open(&ctl.ct_l, &a, CTL_CLIENTS_MAX, 0600, err,
	    len) == -1)
		return -1;
	if ((ctl.ct_has_gid && chown(a.a_path, (uid_t)-1, ctl.ct_gid) == -1) ||
	    chmod(a.a_path, cf->c_control_mode) == -1 ||
	    fcntl(ctl.ct_l.l_fd, F_SETFL, O_NONBLOCK) == -1) {
		snprintf(err, len, "control socket %s: %s", a.a_path,
		    strerror(errno));
		listen_close(&ctl.ct_l, true);
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
	if (mkdir(dir, ctl.ct_has_gid ? 0750 : 0700) == 0) {
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

int
control_open(const struct poold_conf *cf, char *err, size_t len)
{
	ctl.ct_l.l_fd = -1;
	if (cf->c_control_path == NULL)
		return 0;	/* --control none */
	ctl.ct_uid = geteuid();
	ctl.ct_has_gid = cf->c_control_group != NULL;
	ctl.ct_gid = cf->c_control_gid;
	ctl.ct_idle_ms = cf->c_control_idle_ms;
	if (control_dir(cf->c_control_path, err, len) == -1 ||
	    control_bind(cf, err, len) == -1)
		return -1;
	ctl.ct_open = true;
	return 0;
}

int
control_start(void)
{
	if (!ctl.ct_open)
		return 0;
	ctl.ct_ev.es_fd = ctl.ct_l.l_fd;
	ctl.ct_ev.es_fn = control_accept;
	log_info("control socket at %s", ctl.ct_l.l_addr.a_path);
	return ev_watch(&ctl.ct_ev, EPOLLIN);
}

uint64_t
control_tick(uint64_t now)
{
	uint64_t next = UINT64_MAX, due;

	if (ctl.ct_paused) {
		if (now >= ctl.ct_resume && ev_watch(&ctl.ct_ev, EPOLLIN) == 0)
			ctl.ct_paused = false;
		else
			next = ctl.ct_resume > now ? ctl.ct_resume :
			    now + CTL_ACCEPT_PAUSE_MS;
	}
	for (size_t i = 0; i < ctl.ct_nclients; i++) {
		struct ctl_client *c = ctl.ct_clients[i];
		if (c->cc_subscribed)
			continue;
		due = c->cc_last + ctl.ct_idle_ms;
		if (now >= due) {
			log_info("control: client pid %ld idle; closing",
			    (long)c->cc_pid);
			client_free(c);
			i--;	/* the last client moved into slot i */
			continue;
		}
		next = due < next ? due : next;
	}
	return next;
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
	for (size_t i = 0; i < ctl.ct_nclients; i++) {
		struct ctl_client *c = ctl.ct_clients[i];
		if (!c->cc_subscribed)
			continue;
		if (client_queue(c, s, len, CTL_EVENTS_MAX) == -1 ||
		    client_queue(c, "\n", 1, CTL_EVENTS_MAX) == -1 ||
		    client_flush(c) == -1) {
			log_warnx("control: subscriber pid %ld is not "
			    "reading; disconnected", (long)c->cc_pid);
			client_free(c);
			i--;
		}
	}
	free(s);
}

int
control_fd(void)
{
	return ctl.ct_open ? ctl.ct_l.l_fd : -1;
}

void
control_handover(bool yes)
{
	if (!ctl.ct_open)
		return;
	/* The new arbiter answers; ours stays open in case it fails. */
	if (yes)
		ev_unwatch(&ctl.ct_ev);
	else if (ev_watch(&ctl.ct_ev, EPOLLIN) == -1)
		log_warn("control socket: watching it again");
	ctl.ct_l.l_unlink = !yes;
	ctl.ct_paused = false;
}

void
control_close(bool keep_file)
{
	while (ctl.ct_nclients > 0)
		client_free(ctl.ct_clients[0]);
	if (ctl.ct_open)
		listen_close(&ctl.ct_l, !keep_file);
	ctl.ct_open = false;
}
