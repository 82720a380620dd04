/* SPDX-License-Identifier: ISC */
/*
 * Gunicorn's request corpus (tests/corpus/gunicorn-requests, MIT: see its
 * README.md for where it comes from, and its LICENSE) through the parser
 * in http/http.h.
 *
 * The corpus is read from $POOLD_HTTP_CORPUS if set (another copy, a
 * newer one), else from $POOLD_SRCDIR/tests/corpus/gunicorn-requests, or
 * tests/corpus/gunicorn-requests from the top of the tree; it is part of
 * the repository, so without it the tests fail, naming the path.
 *
 * valid/:   every file parses as valid/EXPECTED.tsv says (method, target,
 *           version, kept fields, body bytes, requests), fed whole, byte
 *           by byte and in random pieces, except the documented deviations
 *           in the table below.
 * invalid/: every file of the categories reject, may-reject, limit and
 *           incomplete is refused (limit files with Gunicorn's default
 *           limits or the smaller ones of their config column); config
 *           files are skipped.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "http.h"
#include "httpfeed.h"

/* ------------------------------------------------------------------ */
/* Documented deviations from valid/EXPECTED.tsv                       */
/* ------------------------------------------------------------------ */

enum {
	DEV_NOHOST = 1,		/* HTTP/1.1 without Host: we answer 400 */
	DEV_TRUNCATED = 2,	/* the body is cut short: not complete */
};

struct deviation {
	const char	*file;
	unsigned	 flags;
	/*
	 * With DEV_NOHOST, the file is also run with "Host: corpus.test"
	 * added to each HTTP/1.1 request that lacks one.  Then (or at once
	 * without DEV_NOHOST) status is what we answer, with alt another
	 * acceptable answer, or 0 if it parses as EXPECTED.tsv says; headers
	 * >= 0 replaces EXPECTED.tsv's count of kept fields.
	 */
	int		 status;
	int		 alt;
	int		 headers;
	const char	*why;
};

#define NOHOST	"HTTP/1.1 without Host: RFC 9112 s3.2 MUST answer 400"

static const struct deviation deviations[] = {
	{ "004.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "005.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "006.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "007.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "009.http", DEV_NOHOST, -400, -501, -1, NOHOST "; Transfer-Encoding "
	    "identity (not chunked last) with Content-Length: RFC 9112 s6.3 "
	    "MUST 400" },
	{ "010.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "011.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "012.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "013.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "014.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "018.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "021.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "022.http", DEV_NOHOST, 0, 0, -1, NOHOST " (the second request)" },
	{ "023.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "025.http", DEV_NOHOST, -501, 0, -1, NOHOST "; gzip transfer coding: "
	    "we decode chunked only, RFC 9112 s6.1 501" },
	{ "025_line.http", DEV_NOHOST, -501, 0, -1, NOHOST "; gzip transfer "
	    "coding: RFC 9112 s6.1 501" },
	{ "028.http", DEV_NOHOST, -400, 0, -1, NOHOST "; space before the "
	    "colon (strip_header_spaces): RFC 9112 s5.1 MUST 400" },
	{ "029.http", DEV_NOHOST, -501, 0, -1, NOHOST "; identity transfer "
	    "coding, not defined by RFC 9112: s6.1 501" },
	{ "030.http", DEV_NOHOST, -501, 0, -1, NOHOST "; identity transfer "
	    "coding: RFC 9112 s6.1 501" },
	{ "031.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "031compat.http", DEV_NOHOST, -400, 0, -1, NOHOST "; lowercase "
	    "method (permit_unconventional_http_method): refused as "
	    "Gunicorn's default" },
	{ "031compat2.http", DEV_NOHOST, -400, 0, -1, NOHOST "; lowercase "
	    "method: refused as Gunicorn's default" },
	{ "040_compat.http", 0, 0, 0, 1, "header_map=dangerous keeps the '_' "
	    "fields; http.h drops them (Gunicorn's default): 1 field, not 3" },
	{ "099.http", DEV_TRUNCATED, 0, 0, -1, "truncated: Content-Length "
	    "17914, 8599 body bytes; RFC 9112 s8: an incomplete message is "
	    "not dispatched" },
	{ "100.http", DEV_NOHOST, 0, 0, -1, NOHOST },
	{ "compat_obs_fold.http", 0, -400, 0, -1, "obs-fold "
	    "(permit_obsolete_folding): RFC 9112 s5.2 lets us answer 400" },
	{ "compat_obs_fold_huge.http", DEV_NOHOST, -400, 0, -1, NOHOST
	    "; obs-fold: RFC 9112 s5.2 lets us answer 400" },
	{ "rfc9112_smuggle_gzip_chunked_01.http", 0, -501, 0, -1, "gzip "
	    "transfer coding: we decode chunked only, RFC 9112 s6.1 501" },
	{ "rfc9112_smuggle_te_identity_chunked_01.http", 0, -501, 0, -1,
	    "identity transfer coding: RFC 9112 s6.1 501" },
	{ "rfc9112_target_absolute_userinfo_01.http", 0, -400, 0, -1,
	    "userinfo in an http URI: RFC 9110 s4.2.4 says treat it as an "
	    "error" },
};

static const struct deviation *
deviation(const char *file)
{
	size_t	i;

	for (i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++)
		if (strcmp(deviations[i].file, file) == 0)
			return &deviations[i];
	return NULL;
}

/* The runner is tests/httpfeed.c, shared with test_http.c. */

#define MAXREQ	8

struct stream {
	size_t		n;		/* requests run */
	struct hf_outcome	o[MAXREQ];
	int		added[MAXREQ];	/* Host lines we added */
};

/*
 * Add "Host: corpus.test" after the request line at buf[off] if it is
 * HTTP/1.1 and its head has no Host.  The buffer has room.
 */
static int
add_host(char *buf, size_t *len, size_t off)
{
	static const char	host[] = "Host: corpus.test\r\n";
	const char		*eol, *end, *p;
	size_t			at;

	eol = memmem(buf + off, *len - off, "\r\n", 2);
	end = memmem(buf + off, *len - off, "\r\n\r\n", 4);
	if (eol == NULL || end == NULL || eol - (buf + off) < 9 ||
	    memcmp(eol - 9, " HTTP/1.1", 9) != 0)
		return 0;
	for (p = eol; p < end; p = memmem(p + 2, (size_t)(end - p), "\r\n",
	    2)) {
		if (p == NULL)
			break;
		if (strncasecmp(p + 2, "host:", 5) == 0)
			return 0;
	}
	at = (size_t)(eol + 2 - buf);
	memmove(buf + at + sizeof(host) - 1, buf + at, *len - at);
	memcpy(buf + at, host, sizeof(host) - 1);
	*len += sizeof(host) - 1;
	return 1;
}

/* Requests one after the other while the connection would stay open. */
static void
run_stream(const char *what, const char *in, size_t len,
    const struct http_limits *lim, bool fix_host, struct stream *st)
{
	char	*buf = malloc(len + MAXREQ * 32);
	size_t	off = 0, blen = len;
	int	added;

	cr_assert_not_null(buf);
	memcpy(buf, in, len);
	st->n = 0;
	while (off < blen && st->n < MAXREQ) {
		added = fix_host ? add_host(buf, &blen, off) : 0;
		st->added[st->n] = added;
		hf_run_req(what, buf + off, blen - off, lim, &st->o[st->n]);
		if (st->o[st->n].status != 0 || !st->o[st->n].complete ||
		    !st->o[st->n].keepalive) {
			st->n++;
			break;
		}
		off += st->o[st->n].consumed;
		st->n++;
	}
	free(buf);
}

/* The first refusal in the stream, or 0. */
static int
refusal(const struct stream *st, const char **where)
{
	size_t	i;

	for (i = 0; i < st->n; i++)
		if (st->o[i].status != 0) {
			*where = hf_stage_name(st->o[i].stage);
			return st->o[i].status;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The corpus files                                                    */
/* ------------------------------------------------------------------ */

static char	corpus[4096];

static const char *
corpus_dir(void)
{
	const char	*env = getenv("POOLD_HTTP_CORPUS");
	const char	*src = getenv("POOLD_SRCDIR");

	if (env != NULL && *env != '\0')
		snprintf(corpus, sizeof(corpus), "%s", env);
	else if (src != NULL && *src != '\0')
		snprintf(corpus, sizeof(corpus),
		    "%s/tests/corpus/gunicorn-requests", src);
	else
		snprintf(corpus, sizeof(corpus),
		    "tests/corpus/gunicorn-requests");
	return corpus;
}

static void
need_corpus(void)
{
	char		path[4200];
	struct stat	sb;
	const char	*dir = corpus_dir();

	snprintf(path, sizeof(path), "%s/valid/EXPECTED.tsv", dir);
	cr_assert_eq(stat(path, &sb), 0, "the gunicorn request corpus is not "
	    "at %s (no valid/EXPECTED.tsv there)", dir);
	snprintf(path, sizeof(path), "%s/invalid/EXPECTED.tsv", dir);
	cr_assert_eq(stat(path, &sb), 0, "the gunicorn request corpus is not "
	    "at %s (no invalid/EXPECTED.tsv there)", dir);
}

static char *
slurp(const char *folder, const char *name, size_t *len)
{
	char	path[4400], *buf;
	FILE	*f;
	long	n;

	snprintf(path, sizeof(path), "%s/%s/%s", corpus, folder, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n, "reading %s",
	    path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static size_t
replace_all(char *b, size_t n, const char *pat, size_t plen,
    const char *rep, size_t rlen)
{
	size_t	r = 0, w = 0;

	while (r < n) {
		if (r + plen <= n && memcmp(b + r, pat, plen) == 0) {
			memcpy(b + w, rep, rlen);
			w += rlen;
			r += plen;
		} else
			b[w++] = b[r++];
	}
	return w;
}

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The README's steps, in order: drop raw LF; \r\n; \0, \n, \t; \xHH.
 * -1 if a backslash is left.
 */
static int
decode(char *b, size_t *len)
{
	size_t	n = *len, r, w;

	n = replace_all(b, n, "\n", 1, "", 0);
	n = replace_all(b, n, "\\r\\n", 4, "\r\n", 2);
	n = replace_all(b, n, "\\0", 2, "\0", 1);
	n = replace_all(b, n, "\\n", 2, "\n", 1);
	n = replace_all(b, n, "\\t", 2, "\t", 1);
	for (r = w = 0; r < n;) {
		if (r + 3 < n && b[r] == '\\' && b[r + 1] == 'x' &&
		    hexdigit((unsigned char)b[r + 2]) >= 0 &&
		    hexdigit((unsigned char)b[r + 3]) >= 0) {
			b[w++] = (char)(hexdigit((unsigned char)b[r + 2]) * 16 +
			    hexdigit((unsigned char)b[r + 3]));
			r += 4;
		} else
			b[w++] = b[r++];
	}
	*len = w;
	return memchr(b, '\\', w) == NULL ? 0 : -1;
}

static char *
load(const char *folder, const char *name, size_t *len)
{
	char	*buf = slurp(folder, name, len);

	cr_assert_eq(decode(buf, len), 0, "%s/%s: a backslash is left after "
	    "decoding", folder, name);
	return buf;
}

/* -- EXPECTED.tsv -------------------------------------------------- */

#define MAXCOLS	12

struct row {
	char	*col[MAXCOLS];
	int	ncols;
};

struct table {
	char		*text;
	struct row	*rows;
	size_t		nrows;
};

static void
load_table(const char *folder, struct table *t, int want_cols)
{
	size_t	len, cap = 0;
	char	*line, *next, *p;

	t->text = slurp(folder, "EXPECTED.tsv", &len);
	t->rows = NULL;
	t->nrows = 0;
	for (line = t->text; line != NULL && *line != '\0'; line = next) {
		struct row r = { .ncols = 0 };

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		for (p = line; p != NULL && r.ncols < MAXCOLS;) {
			r.col[r.ncols++] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		cr_assert_eq(r.ncols, want_cols, "%s/EXPECTED.tsv: %d columns "
		    "in the row of %s", folder, r.ncols, r.col[0]);
		if (t->nrows == cap) {
			cap = cap ? 2 * cap : 64;
			t->rows = realloc(t->rows, cap * sizeof(*t->rows));
			cr_assert_not_null(t->rows);
		}
		t->rows[t->nrows++] = r;
	}
}

static void
free_table(struct table *t)
{
	free(t->rows);
	free(t->text);
}

/* The limits of a config column: Gunicorn's defaults, then its values. */
static void
config_limits(const char *config, struct http_limits *lim)
{
	char		buf[512], *item, *save = NULL, *eq;
	unsigned long	v;

	http_limits_default(lim);
	snprintf(buf, sizeof(buf), "%s", config);
	for (item = strtok_r(buf, ";", &save); item != NULL;
	    item = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(item, '=')) == NULL)
			continue;		/* "none" */
		*eq++ = '\0';
		if (!isdigit((unsigned char)*eq))
			continue;
		v = strtoul(eq, NULL, 10);
		if (strcmp(item, "limit_request_line") == 0)
			/* 0 means no limit; capped at 8190 */
			lim->hl_line = v == 0 || v > HTTP_LINE_MAX ?
			    HTTP_LINE_MAX : v;
		else if (strcmp(item, "limit_request_fields") == 0)
			lim->hl_fields = v == 0 || v > HTTP_FIELDS_MAX ?
			    HTTP_FIELDS_MAX : v;
		else if (strcmp(item, "limit_request_field_size") == 0) {
			/* Gunicorn's parser takes 0 as its default 8190 */
			if (v != 0)
				lim->hl_field_size = v > HTTP_FIELD_SIZE_MAX ?
				    HTTP_FIELD_SIZE_MAX : v;
		}
	}
}

/* Split a space-separated column into at most max words. */
static size_t
words(const char *col, char out[][HTTP_LINE_MAX + 1], size_t max)
{
	size_t		n = 0, l;
	const char	*p = col, *sp;

	while (*p != '\0' && n < max) {
		sp = strchr(p, ' ');
		l = sp ? (size_t)(sp - p) : strlen(p);
		if (l > HTTP_LINE_MAX)
			l = HTTP_LINE_MAX;
		memcpy(out[n], p, l);
		out[n][l] = '\0';
		n++;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	return n;
}

static void
say(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ */
/* valid/                                                              */
/* ------------------------------------------------------------------ */

enum { V_FILE, V_METHOD, V_TARGET, V_VERSION, V_HEADERS, V_BODY, V_REQUESTS,
    V_CONFIG, V_NOTES, V_COLS };

/*
 * The stream against a row of valid/EXPECTED.tsv; the first difference
 * into why, or true.  headers >= 0 replaces the row's field count (one
 * request), truncated allows the last request to be incomplete.
 */
static bool
matches(const struct row *r, const struct stream *st, int headers,
    bool truncated, char *why, size_t size)
{
	static char	meth[MAXREQ][HTTP_LINE_MAX + 1];
	static char	targ[MAXREQ][HTTP_LINE_MAX + 1];
	static char	vers[MAXREQ][HTTP_LINE_MAX + 1];
	static char	hdrs[MAXREQ][HTTP_LINE_MAX + 1];
	size_t		nreq = strtoul(r->col[V_REQUESTS], NULL, 10), i;
	uint64_t	body = 0;
	const struct hf_outcome *o;
	long		want;

	cr_assert_eq(words(r->col[V_METHOD], meth, MAXREQ), nreq);
	cr_assert_eq(words(r->col[V_TARGET], targ, MAXREQ), nreq);
	cr_assert_eq(words(r->col[V_VERSION], vers, MAXREQ), nreq);
	cr_assert_eq(words(r->col[V_HEADERS], hdrs, MAXREQ), nreq);
	if (st->n != nreq) {
		o = &st->o[st->n - 1];
		snprintf(why, size, "%zu requests, want %zu (the last: status "
		    "%d in %s, complete %d, keepalive %d)", st->n, nreq,
		    o->status, hf_stage_name(o->stage), o->complete, o->keepalive);
		return false;
	}
	for (i = 0; i < nreq; i++) {
		o = &st->o[i];
		if (o->status != 0) {
			snprintf(why, size, "request %zu refused: %d in %s",
			    i + 1, o->status, hf_stage_name(o->stage));
			return false;
		}
		if (!o->complete && !(truncated && i + 1 == nreq)) {
			snprintf(why, size, "request %zu incomplete", i + 1);
			return false;
		}
		if (truncated && i + 1 == nreq && o->complete) {
			snprintf(why, size, "request %zu complete, but the "
			    "file is truncated", i + 1);
			return false;
		}
		if (strcmp(o->method, meth[i]) != 0) {
			snprintf(why, size, "request %zu: method %s, want %s",
			    i + 1, o->method, meth[i]);
			return false;
		}
		if (strcmp(o->target, targ[i]) != 0) {
			snprintf(why, size, "request %zu: target %.60s, want "
			    "%.60s", i + 1, o->target, targ[i]);
			return false;
		}
		if (strlen(vers[i]) != 8 || strncmp(vers[i], "HTTP/1.", 7) ||
		    o->minor != vers[i][7] - '0') {
			snprintf(why, size, "request %zu: HTTP/1.%d, want %s",
			    i + 1, o->minor, vers[i]);
			return false;
		}
		want = headers >= 0 ? headers : strtol(hdrs[i], NULL, 10);
		if ((long)o->nfields - st->added[i] != want) {
			snprintf(why, size, "request %zu: %zu fields (%d "
			    "added), want %ld", i + 1, o->nfields,
			    st->added[i], want);
			return false;
		}
		body += o->body;
	}
	if (body != strtoull(r->col[V_BODY], NULL, 10)) {
		snprintf(why, size, "%llu body bytes, want %s",
		    (unsigned long long)body, r->col[V_BODY]);
		return false;
	}
	return true;
}

/* A PROXY protocol v1 line or v2 signature first. */
static bool
proxy_preamble(const char *buf, size_t len)
{
	static const char	v2[] = "\r\n\r\n\0\r\nQUIT\n";

	return (len >= 6 && memcmp(buf, "PROXY ", 6) == 0) ||
	    (len >= sizeof(v2) - 1 && memcmp(buf, v2, sizeof(v2) - 1) == 0);
}

Test(corpus, valid)
{
	struct table		t;
	struct stream		*st = malloc(sizeof(*st));
	struct http_limits	lim;
	const struct deviation	*dev;
	const char		*where;
	char			*buf, why[512], what[128];
	size_t			i, len;
	int			got, pass = 0, held = 0, skipped = 0, fail = 0;
	bool			ok;

	need_corpus();
	cr_assert_not_null(st);
	load_table("valid", &t, V_COLS);
	cr_assert_gt(t.nrows, 0);
	for (i = 0; i < t.nrows; i++) {
		const struct row *r = &t.rows[i];
		const char *file = r->col[V_FILE];

		buf = load("valid", file, &len);
		config_limits(r->col[V_CONFIG], &lim);
		snprintf(what, sizeof(what), "valid/%s", file);
		if (proxy_preamble(buf, len)) {
			say("valid/%s: skipped: starts with a PROXY protocol "
			    "header (%s), which we do not implement", file,
			    r->col[V_CONFIG]);
			skipped++;
			free(buf);
			continue;
		}
		dev = deviation(file);
		if (dev == NULL) {
			run_stream(what, buf, len, &lim, false, st);
			ok = matches(r, st, -1, false, why, sizeof(why));
			cr_expect(ok, "valid/%s: %s", file, why);
			ok ? pass++ : fail++;
			free(buf);
			continue;
		}

		/* a documented deviation: it must still deviate as said */
		ok = true;
		run_stream(what, buf, len, &lim, false, st);
		got = refusal(st, &where);
		if (dev->flags & DEV_TRUNCATED) {
			ok = matches(r, st, dev->headers, true, why,
			    sizeof(why));
			cr_expect(ok, "valid/%s (deviation: %s): %s", file,
			    dev->why, why);
		} else if (dev->flags & DEV_NOHOST) {
			/* refused as it is; 400 if that is the only reason */
			cr_expect(got != 0 && (dev->status != 0 ||
			    got == -400), "valid/%s (deviation: %s): "
			    "answered %d, want a refusal%s", file, dev->why,
			    got, dev->status ? "" : " with 400");
			ok = got != 0 && (dev->status != 0 || got == -400);
			run_stream(what, buf, len, &lim, true, st);
			got = refusal(st, &where);
		}
		if (!(dev->flags & DEV_TRUNCATED) && dev->status != 0) {
			cr_expect(got == dev->status || (dev->alt != 0 &&
			    got == dev->alt), "valid/%s (deviation: %s): "
			    "answered %d, want %d%s", file, dev->why, got,
			    dev->status, dev->flags & DEV_NOHOST ?
			    " (Host added)" : "");
			ok = ok && (got == dev->status || (dev->alt != 0 &&
			    got == dev->alt));
		} else if (!(dev->flags & DEV_TRUNCATED)) {
			bool m = matches(r, st, dev->headers, false, why,
			    sizeof(why));

			cr_expect(m, "valid/%s (deviation: %s; Host added "
			    "where missing): %s", file, dev->why, why);
			ok = ok && m;
			if (dev->headers >= 0)
				cr_expect_neq(dev->headers, strtol(
				    r->col[V_HEADERS], NULL, 10),
				    "valid/%s: the deviation is no deviation",
				    file);
		}
		if (ok)
			say("valid/%s: documented deviation: %s", file,
			    dev->why);
		ok ? held++ : fail++;
		free(buf);
	}
	say("valid: %zu files: %d as EXPECTED.tsv says, %d documented "
	    "deviations, %d skipped, %d failed", t.nrows, pass, held,
	    skipped, fail);
	/* every deviation names a row */
	for (i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++) {
		size_t j;

		for (j = 0; j < t.nrows; j++)
			if (strcmp(t.rows[j].col[V_FILE],
			    deviations[i].file) == 0)
				break;
		cr_expect_lt(j, t.nrows, "deviation %s: no such file",
		    deviations[i].file);
	}
	free_table(&t);
	free(st);
}

/* ------------------------------------------------------------------ */
/* invalid/                                                            */
/* ------------------------------------------------------------------ */

enum { I_FILE, I_EXCEPTION, I_CONFIG, I_CATEGORY, I_NOTES, I_COLS };

/*
 * The status http.h gives for what Gunicorn raises: 414 and 431 for the
 * limits (431 or 400 when obs-fold comes first), 505 for a well-formed
 * version other than 1.x, 400 for everything malformed.
 */
static bool
status_fits(const char *file, const char *exception, const char *buf,
    size_t len, int got)
{
	if (strcmp(exception, "LimitRequestLine") == 0)
		return got == -414;
	if (strcmp(exception, "LimitRequestHeaders") == 0)
		return got == -431 || (got == -400 &&
		    (memmem(buf, len, "\r\n ", 3) != NULL ||
		    memmem(buf, len, "\r\n\t", 3) != NULL));
	if (strcmp(file, "version_02.http") == 0)
		return got == -505;	/* HTTP/2.0: RFC 9110 s15.6.6 */
	return got == -400;
}

/*
 * One invalid file, as it is or with a Host added to HTTP/1.1 requests
 * that lack one (so that a missing Host cannot hide the error the file is
 * about).  True if it is refused as it should be.
 */
static bool
judge(const struct row *r, const char *buf, size_t len,
    const struct http_limits *lim, bool fix_host, struct stream *st)
{
	const char		*file = r->col[I_FILE];
	const char		*cat = r->col[I_CATEGORY];
	const char		*exc = r->col[I_EXCEPTION], *where = "";
	const char		*how = fix_host ? " (Host added)" : "";
	const struct hf_outcome	*last;
	char			what[160], *more;
	bool			refused, fits = true;
	int			got;

	snprintf(what, sizeof(what), "invalid/%s%s", file, how);
	run_stream(what, buf, len, lim, fix_host, st);
	got = refusal(st, &where);
	last = &st->o[st->n - 1];
	if (strcmp(cat, "incomplete") == 0) {
		refused = got != 0 || !last->complete;
		cr_expect(refused, "invalid/%s%s (%s, %s): accepted as a "
		    "complete request", file, how, cat, exc);
		return refused;
	}
	if (got == 0 && !last->complete && last->stage == HF_SCAN) {
		/*
		 * The head never ends, so nothing was dispatched; http_scan
		 * checks line ends and limits only, the request line and
		 * fields are judged by http_parse once the head is complete.
		 * End the head and look again.
		 */
		more = malloc(len + 2);
		cr_assert_not_null(more);
		memcpy(more, buf, len);
		memcpy(more + len, "\r\n", 2);
		run_stream(what, more, len + 2, lim, fix_host, st);
		free(more);
		got = refusal(st, &where);
		if (got != 0)
			say("invalid/%s%s: incomplete head at the end of the "
			    "input (not dispatched); refused with %d once an "
			    "empty line ends it", file, how, got);
	}
	refused = got != 0;
	if (getenv("POOLD_HTTP_CORPUS_VERBOSE") != NULL)
		say("invalid/%s%s: %d in %s", file, how, got, where);
	cr_expect(refused, "invalid/%s%s (%s, %s: %s): not refused (%zu "
	    "requests, the last %s)", file, how, cat, exc, r->col[I_NOTES],
	    st->n, st->o[st->n - 1].complete ? "complete" : "incomplete");
	if (refused) {
		fits = status_fits(file, exc, buf, len, got);
		cr_expect(fits, "invalid/%s%s (%s, %s): refused with %d in %s, "
		    "not the status http.h gives", file, how, cat, exc, got,
		    where);
	}
	return refused && fits;
}

Test(corpus, invalid)
{
	struct table		t;
	struct stream		*st = malloc(sizeof(*st));
	struct http_limits	lim;
	char			*buf;
	size_t			i, len;
	int			pass = 0, skipped = 0, fail = 0;
	bool			ok;

	need_corpus();
	cr_assert_not_null(st);
	load_table("invalid", &t, I_COLS);
	cr_assert_gt(t.nrows, 0);
	for (i = 0; i < t.nrows; i++) {
		const struct row *r = &t.rows[i];
		const char *file = r->col[I_FILE], *cat = r->col[I_CATEGORY];

		if (strcmp(cat, "config") == 0) {
			say("invalid/%s: skipped: Gunicorn refuses it only "
			    "with %s (%s)", file, r->col[I_CONFIG],
			    r->col[I_NOTES]);
			skipped++;
			continue;
		}
		cr_expect(strcmp(cat, "reject") == 0 ||
		    strcmp(cat, "may-reject") == 0 ||
		    strcmp(cat, "limit") == 0 ||
		    strcmp(cat, "incomplete") == 0,
		    "invalid/%s: unknown category %s", file, cat);
		buf = load("invalid", file, &len);
		config_limits(r->col[I_CONFIG], &lim);
		ok = judge(r, buf, len, &lim, false, st);
		ok = judge(r, buf, len, &lim, true, st) && ok;
		ok ? pass++ : fail++;
		free(buf);
	}
	say("invalid: %zu files: %d refused as they should be, %d skipped "
	    "(config), %d failed", t.nrows, pass, skipped, fail);
	free_table(&t);
	free(st);
}

/* ------------------------------------------------------------------ */
/* The corpus itself                                                   */
/* ------------------------------------------------------------------ */

static void
check_inventory(const char *folder, int cols)
{
	struct table	t;
	struct dirent	*de;
	DIR		*d;
	char		path[4200];
	size_t		i, files = 0, nl;
	bool		found;

	load_table(folder, &t, cols);
	snprintf(path, sizeof(path), "%s/%s", corpus, folder);
	d = opendir(path);
	cr_assert_not_null(d, "cannot open %s", path);
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (nl < 6 || strcmp(de->d_name + nl - 5, ".http") != 0)
			continue;
		files++;
		found = false;
		for (i = 0; i < t.nrows && !found; i++)
			found = strcmp(t.rows[i].col[0], de->d_name) == 0;
		cr_expect(found, "%s/%s has no row in EXPECTED.tsv", folder,
		    de->d_name);
	}
	closedir(d);
	cr_expect_eq(files, t.nrows, "%s: %zu .http files, %zu rows", folder,
	    files, t.nrows);
	say("%s: %zu files, %zu rows", folder, files, t.nrows);
	free_table(&t);
}

Test(corpus, inventory)
{
	need_corpus();
	check_inventory("valid", V_COLS);
	check_inventory("invalid", I_COLS);
}

/* The decoder against the README's examples. */
Test(corpus, decoding)
{
	size_t	len;
	char	*buf;

	need_corpus();
	buf = load("valid", "001.http", &len);
	cr_expect_eq(len, 133, "valid/001.http: %zu bytes", len);
	cr_expect(len >= 14 && memcmp(buf + len - 14, "{\"nom\": \"nom\"}",
	    14) == 0, "valid/001.http: the body is not the 14 bytes");
	free(buf);
	buf = load("invalid", "chunked_14.http", &len);
	cr_expect_not_null(memmem(buf, len, "val\rue\r\n", 8),
	    "invalid/chunked_14.http: no bare CR");
	free(buf);
	buf = load("invalid", "005.http", &len);
	cr_expect_not_null(memmem(buf, len, "ba\0z", 4),
	    "invalid/005.http: no NUL");
	free(buf);
	buf = load("valid", "padding_01.http", &len);
	cr_expect_not_null(memmem(buf, len, "Name: \t value \t \r\n", 18),
	    "valid/padding_01.http: no HTAB");
	free(buf);
	buf = load("valid", "027.http", &len);
	cr_expect_not_null(memmem(buf, len, "/\xc3\xa0%20k", 7),
	    "valid/027.http: no raw UTF-8");
	free(buf);
}
