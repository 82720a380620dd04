/* SPDX-License-Identifier: ISC */
/*
 * Application modules (poold/app.h), loaded in each worker after fork so
 * that a module's constructors and crashes stay out of the arbiter.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "poold/app.h"
#include "worker.h"

#define APP_EXTRA_MAX	8192	/* the module's header lines, at most */
#define APP_BODY_MAX	(64u << 20)

static const struct poold_app	*app;
static pthread_mutex_t		 app_lock = PTHREAD_MUTEX_INITIALIZER;
static bool			 app_serialize;
static unsigned			 app_worker;

/* The module's description, if it is one this poold speaks; else NULL
   with the reason in err. */
static const struct poold_app *
app_find(const char *path, int mode, char *err, size_t len)
{
	const struct poold_app	*a;
	void			*h;

	if ((h = dlopen(path, mode | RTLD_LOCAL)) == NULL) {
		const char *why = dlerror();
		size_t n = strlen(path);

		/* glibc's reason starts with the path, most of the time. */
		if (strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0)
			why += n + 2;
		snprintf(err, len, "app %s: %s", path, why);
		return NULL;
	}
	if ((a = dlsym(h, "poold_app")) == NULL) {
		snprintf(err, len, "app %s: no poold_app symbol (see "
		    "poold/app.h)", path);
		return NULL;
	}
	if (a->abi_version != POOLD_APP_ABI_VERSION || a->handle == NULL) {
		snprintf(err, len, "app %s: ABI version %u, this poold speaks "
		    "%d", path, a->abi_version, POOLD_APP_ABI_VERSION);
		return NULL;
	}
	return a;
}

int
app_check(const char *path, char *err, size_t len)
{
	/* Lazy: a symbol the module needs from a library loaded later is
	   no error yet; its constructors run all the same, so call this in
	   a process of its own. */
	return app_find(path, RTLD_LAZY, err, len) != NULL ? 0 : -1;
}

int
app_load(const char *path, const char *arg, unsigned slot, bool threads)
{
	char err[512];

	if ((app = app_find(path, RTLD_NOW, err, sizeof(err))) == NULL) {
		fprintf(stderr, "poold worker: %s\n", err);
		return -1;
	}
	app_worker = slot;
	app_serialize = threads && !(app->flags & POOLD_APP_THREAD_SAFE);
	if (app->init != NULL && app->init(arg) != 0) {
		fprintf(stderr, "poold worker: app %s: init failed\n", path);
		app = NULL;
		return -1;
	}
	return 0;
}

bool
app_enabled(void)
{
	return app != NULL;
}

void
app_fini(void)
{
	if (app != NULL && app->fini != NULL)
		app->fini();
}

static bool
is_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL)))
			return false;
	}
	return true;
}

/*
 * Headers that frame the message or that poold writes itself: a module's
 * own Content-Length or Transfer-Encoding beside poold's would let the
 * module desynchronise the client (two lengths, or a length and chunks).
 */
static bool
is_reserved(const char *name, size_t n)
{
	static const char *const reserved[] = { "Content-Length",
	    "Transfer-Encoding", "Content-Type", "Connection", "Date",
	    "Server", "Keep-Alive" };

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (strlen(reserved[i]) == n &&
		    strncasecmp(reserved[i], name, n) == 0)
			return true;
	}
	return false;
}

/* The module's headers as lines; false if any would break the head. */
static bool
extra_lines(const struct poold_response *rs, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < rs->nheaders; i++) {
		const struct poold_header *h = &rs->headers[i];
		if (h->name == NULL || h->value == NULL ||
		    !is_token(h->name, h->name_len) ||
		    is_reserved(h->name, h->name_len) ||
		    memchr(h->value, '\r', h->value_len) != NULL ||
		    memchr(h->value, '\n', h->value_len) != NULL ||
		    memchr(h->value, '\0', h->value_len) != NULL ||
		    n + h->name_len + h->value_len + 5 > len)
			return false;
		n += (size_t)snprintf(buf + n, len - n, "%.*s: %.*s\r\n",
		    (int)h->name_len, h->name, (int)h->value_len, h->value);
	}
	return true;
}

/* The module's response, checked and copied into r; 0 or a status. */
static int
copy_response(const struct http_request *hq, const struct poold_response *rs,
    bool keepalive, struct hw_response *r)
{
	char	extra[APP_EXTRA_MAX], head[APP_EXTRA_MAX + 512];
	size_t	hlen, out;
	bool	nobody;

	if (rs->status < 200 || rs->status > 599 ||
	    (rs->body == NULL && rs->body_len > 0) ||
	    rs->body_len > APP_BODY_MAX || (rs->content_type != NULL &&
	    strpbrk(rs->content_type, "\r\n") != NULL) ||
	    !extra_lines(rs, extra, sizeof(extra)))
		return 500;
	nobody = rs->status == 204 || rs->status == 304;
	out = nobody || hq->rq_head ? 0 : rs->body_len;
	hlen = http_head(head, sizeof(head), rs->status,
	    nobody ? NULL : rs->content_type,
	    nobody ? HTTP_NO_LENGTH : rs->body_len, keepalive, hq->rq_minor,
	    extra);
	if (hlen == 0 || (r->hr_mem = malloc(hlen + out)) == NULL)
		return 500;
	memcpy(r->hr_mem, head, hlen);
	if (out > 0)
		memcpy(r->hr_mem + hlen, rs->body, out);
	r->hr_memlen = hlen + out;
	r->hr_len = 0;
	r->hr_fd = -1;
	r->hr_left = 0;
	r->hr_status = rs->status;
	r->hr_close = !keepalive;
	r->hr_body = out;
	return 0;
}

/*
 * A module not marked thread-safe runs under one lock, held until its
 * response is copied: what it returned may point into memory it reuses
 * on the next call, from another thread.
 */
static int
call(const struct http_request *hq, const struct poold_request *rq,
    struct poold_response *rs, bool keepalive, struct hw_response *r)
{
	int rc;

	if (app_serialize)
		pthread_mutex_lock(&app_lock);
	hw_handler_begin();
	rc = app->handle(rq, rs);
	hw_handler_end();
	rc = rc != 0 ? 500 : copy_response(hq, rs, keepalive, r);
	if (app_serialize)
		pthread_mutex_unlock(&app_lock);
	return rc;
}

int
app_respond(const struct http_request *hq, const char *body, size_t blen,
    const char *remote, bool keepalive, struct hw_response *r)
{
	struct poold_header	hdrs[HTTP_FIELDS_MAX];
	struct poold_request	rq = {
		.method = hq->rq_method, .method_len = hq->rq_mlen,
		.target = hq->rq_target, .target_len = hq->rq_tlen,
		.version_minor = hq->rq_minor, .headers = hdrs,
		.nheaders = hq->rq_nfields, .body = body ? body : "",
		.body_len = blen, .remote_addr = remote ? remote : "-",
		.worker_id = app_worker,
	};
	struct poold_response	rs = { .status = 200,
	    .content_type = "text/plain; charset=utf-8" };

	for (size_t i = 0; i < hq->rq_nfields; i++) {
		hdrs[i].name = hq->rq_fields[i].hf_name;
		hdrs[i].name_len = hq->rq_fields[i].hf_nlen;
		hdrs[i].value = hq->rq_fields[i].hf_value;
		hdrs[i].value_len = hq->rq_fields[i].hf_vlen;
	}
	return call(hq, &rq, &rs, keepalive, r);
}
