/* SPDX-License-Identifier: ISC */
/*
 * Static files under a root, for GET and HEAD.  No request can reach
 * outside the root: the path is percent-decoded and normalised first,
 * with ".." above the root refused, and the file is then opened with
 * openat2(RESOLVE_BENEATH), so the kernel also stops symlinks that lead
 * out.  Bodies go out with sendfile().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "worker.h"

#define PATH_MAX_REQ	4096

static int static_root = -1;

static const struct mime {
	const char	*m_ext;
	const char	*m_type;
} mimes[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "mp4", "video/mp4" },
	{ "gz", "application/gzip" },
};

int
static_init(const char *root)
{
	static_root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return static_root == -1 ? -1 : 0;
}

static const char *
mime_type(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (dot != NULL && (slash == NULL || dot > slash)) {
		for (size_t i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++) {
			if (strcasecmp(dot + 1, mimes[i].m_ext) == 0)
				return mimes[i].m_type;
		}
	}
	return "application/octet-stream";
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The request path, decoded and normalised into out as a path relative
 * to the root ("." for the root itself); *slash says whether the request
 * ended in '/'.  0, or a status.
 */
static int
norm_path(const char *t, size_t n, char *out, size_t len, bool *slash)
{
	size_t	 o = 0, seg, i = 0;
	char	 dec[PATH_MAX_REQ];
	size_t	 dn = 0;

	/* absolute-form: skip "scheme://authority"; what follows is the
	   path, or the root if a query or nothing follows. */
	if (t[0] != '/') {
		const char *p = memchr(t, '/', n), *end = t + n;
		if (p == NULL || p + 2 > end)
			return 400;
		for (p += 2; p < end && *p != '/' && *p != '?' && *p != '#';
		    p++)
			;
		if (p == end || *p != '/') {
			t = "/";
			n = 1;
		} else {
			n = (size_t)(end - p);
			t = p;
		}
	}
	for (i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
		int hi, lo;
		if (dn + 1 >= sizeof(dec))
			return 414;
		if (t[i] != '%') {
			dec[dn++] = t[i];
			continue;
		}
		if (i + 2 >= n || (hi = hexval(t[i + 1])) < 0 ||
		    (lo = hexval(t[i + 2])) < 0)
			return 400;
		/* No control bytes: the path may end up in a Location. */
		if (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f)
			return 400;
		dec[dn++] = (char)(hi * 16 + lo);
		i += 2;
	}
	/* dec[0..dn) was written above; the analyzers lose track. */
	/* cppcheck-suppress uninitvar */
	*slash = dn > 0 && dec[dn - 1] == '/';
	/* Segment by segment: "." vanishes, ".." pops, above the root is
	   refused rather than clamped, so nothing is silently rewritten. */
	for (i = 0; i < dn; i += seg + 1) {
		const char *s = dec + i;
		const char *e = memchr(s, '/', dn - i);
		seg = e ? (size_t)(e - s) : dn - i;
		if (seg == 0 || (seg == 1 && s[0] == '.'))
			continue;
		/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
		if (seg == 2 && s[0] == '.' && s[1] == '.') {
			if (o == 0)
				return 400;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + seg + 2 >= len)
			return 414;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, s, seg);
		o += seg;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

static int
open_beneath(int dirfd, const char *path)
{
	struct open_how how = {
		/* O_NONBLOCK: a FIFO under the root must not hang us in
		   open(); only regular files are served anyway. */
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static int
errno_status(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ENAMETOOLONG ? 404 : 403;
}

/* A single byte range of size bytes: 0 none, 1 set, -1 unsatisfiable. */
static int
parse_range(const struct http_field *f, uint64_t size, uint64_t *from,
    uint64_t *to)
{
	const char	*v = f->hf_value, *end = v + f->hf_vlen, *dash;
	uint64_t	 a = 0, b = 0;
	bool		 has_a = false, has_b = false;

	if (f->hf_vlen < 7 || strncasecmp(v, "bytes=", 6) != 0)
		return 0;		/* another unit: ignore */
	v += 6;
	if (memchr(v, ',', (size_t)(end - v)) != NULL)
		return 0;		/* several ranges: ignore, send all */
	if ((dash = memchr(v, '-', (size_t)(end - v))) == NULL)
		return 0;
	/* 18 digits at most: far past any file, never an overflow. */
	for (const char *p = v; p < dash; p++, has_a = true) {
		if (*p < '0' || *p > '9' || p - v >= 18)
			return 0;
		a = a * 10 + (uint64_t)(*p - '0');
	}
	for (const char *p = dash + 1; p < end; p++, has_b = true) {
		if (*p < '0' || *p > '9' || p - dash > 18)
			return 0;
		b = b * 10 + (uint64_t)(*p - '0');
	}
	if (!has_a && !has_b)
		return 0;
	if (!has_a) {			/* suffix: the last b bytes */
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	if (has_b && b < a)
		return 0;		/* invalid: ignored, as RFC 9110 says */
	if (a >= size)
		return -1;
	*from = a;
	*to = has_b && b < size ? b : size - 1;
	return 1;
}

/*
 * Directories get their index.html, after a redirect to the '/' form.
 * The Location is built from the normalised path, never from the raw
 * target: "//evil.example" must not become someone else's host.
 */
static int
open_index(int *fd, struct stat *st, bool slash, const char *path,
    bool keepalive, int minor, struct hw_response *r)
{
	char	extra[PATH_MAX_REQ + 32];
	int	ifd;

	if (!slash) {
		if (strlen(path) + 16 >= sizeof(extra))
			return 414;
		if (strcmp(path, ".") == 0)
			snprintf(extra, sizeof(extra), "Location: /\r\n");
		else
			snprintf(extra, sizeof(extra), "Location: /%s/\r\n",
			    path);
		r->hr_fd = -1;
		r->hr_left = 0;
		r->hr_status = 301;
		r->hr_body = 0;
		r->hr_close = !keepalive;
		r->hr_len = http_head(r->hr_buf, sizeof(r->hr_buf), 301, NULL,
		    0, keepalive, minor, extra);
		close(*fd);
		*fd = -1;
		return r->hr_len ? 0 : 414;
	}
	ifd = open_beneath(*fd, "index.html");
	close(*fd);
	*fd = ifd;
	if (ifd == -1)
		return errno == ENOENT ? 403 : errno_status(errno);
	if (fstat(ifd, st) == -1)
		return 500;
	return S_ISREG(st->st_mode) ? -1 : 403;
}

int
static_respond(const struct http_request *rq, bool keepalive,
    struct hw_response *r)
{
	char			 path[PATH_MAX_REQ], lm[32], extra[160];
	const struct http_field	*f;
	struct stat		 st;
	uint64_t		 from = 0, to = 0, size;
	int			 fd, st_code, status = 200, rg = 0;
	bool			 slash, index = false;

	if (!(rq->rq_mlen == 3 && memcmp(rq->rq_method, "GET", 3) == 0) &&
	    !rq->rq_head)
		return 405;
	if ((st_code = norm_path(rq->rq_target, rq->rq_tlen, path,
	    sizeof(path), &slash)) != 0)
		return st_code;
	if ((fd = open_beneath(static_root, path)) == -1)
		return errno_status(errno);
	if (fstat(fd, &st) == -1) {
		close(fd);
		return 500;
	}
	if (S_ISDIR(st.st_mode)) {
		st_code = open_index(&fd, &st, slash, path, keepalive,
		    rq->rq_minor, r);
		if (st_code >= 0) {
			if (fd != -1)
				close(fd);
			return st_code;
		}
		index = true;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return 403;
	}
	size = (uint64_t)st.st_size;
	http_fmt_date(st.st_mtime, lm, sizeof(lm));
	if ((f = http_field(rq, "if-modified-since")) != NULL) {
		time_t ims = http_parse_date(f->hf_value, f->hf_vlen);
		if (ims != -1 && st.st_mtime <= ims)
			status = 304;
	}
	if (status == 200 && (f = http_field(rq, "range")) != NULL &&
	    http_field(rq, "if-range") == NULL &&
	    (rg = parse_range(f, size, &from, &to)) == -1) {
		snprintf(extra, sizeof(extra), "Content-Range: bytes */%"
		    PRIu64 "\r\n", size);
		close(fd);
		r->hr_fd = -1;
		r->hr_left = 0;
		r->hr_status = 416;
		r->hr_body = 0;
		r->hr_close = !keepalive;
		r->hr_len = http_head(r->hr_buf, sizeof(r->hr_buf), 416, NULL,
		    0, keepalive, rq->rq_minor, extra);
		return 0;
	}
	if (rg == 1) {
		status = 206;
		snprintf(extra, sizeof(extra), "Last-Modified: %s\r\n"
		    "Accept-Ranges: bytes\r\nContent-Range: bytes %" PRIu64
		    "-%" PRIu64 "/%" PRIu64 "\r\n", lm, from, to, size);
	} else {
		from = 0;
		to = size - 1;
		snprintf(extra, sizeof(extra), "Last-Modified: %s\r\n"
		    "Accept-Ranges: bytes\r\n", lm);
	}
	r->hr_status = status;
	r->hr_close = !keepalive;
	/* A 304 or HEAD reply carries the length a GET would have. */
	r->hr_len = http_head(r->hr_buf, sizeof(r->hr_buf), status,
	    status == 304 ? NULL : mime_type(index ? "index.html" : path),
	    size == 0 ? 0 : to - from + 1, keepalive, rq->rq_minor, extra);
	r->hr_body = status == 304 || rq->rq_head || size == 0 ? 0 :
	    to - from + 1;
	if (r->hr_len == 0 || status == 304 || rq->rq_head || size == 0) {
		close(fd);
		r->hr_fd = -1;
		r->hr_left = 0;
	} else {
		r->hr_fd = fd;
		r->hr_off = (off_t)from;
		r->hr_left = to - from + 1;
	}
	return r->hr_len ? 0 : 500;
}
