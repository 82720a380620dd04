/* SPDX-License-Identifier: ISC */
/*
 * addr_parse / addr_format: listen addresses as users write them.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

/* -- good inputs ---------------------------------------------------------- */

/*
 * Parameters live in arrays, not pointers: Criterion runs each case in a
 * fresh process where the parent's pointers mean nothing.
 */
struct good_addr {
	char		in[64];
	enum addr_kind	kind;
	char		host[32];	/* TCP */
	unsigned	port;		/* TCP */
	char		path[64];	/* UNIX */
	int		fd;		/* FD */
	char		name[16];	/* SYSTEMD */
	char		canon[64];	/* addr_format's output */
};

ParameterizedTestParameters(addr, parses)
{
	static struct good_addr good[] = {
		{ "127.0.0.1:8000", ADDR_TCP, "127.0.0.1", 8000, "", -1,
		    "", "127.0.0.1:8000" },
		{ "localhost:80", ADDR_TCP, "localhost", 80, "", -1, "",
		    "localhost:80" },
		{ "example.com:65535", ADDR_TCP, "example.com", 65535, "",
		    -1, "", "example.com:65535" },
		{ "0.0.0.0:0", ADDR_TCP, "0.0.0.0", 0, "", -1, "",
		    "0.0.0.0:0" },
		{ ":8000", ADDR_TCP, "", 8000, "", -1, "", ":8000" },
		{ "[::1]:8000", ADDR_TCP, "::1", 8000, "", -1, "",
		    "[::1]:8000" },
		{ "[::]:443", ADDR_TCP, "::", 443, "", -1, "",
		    "[::]:443" },
		{ "[2001:db8::5]:9000", ADDR_TCP, "2001:db8::5", 9000, "",
		    -1, "", "[2001:db8::5]:9000" },
		{ "unix:/run/poold/app.sock", ADDR_UNIX, "", 0,
		    "/run/poold/app.sock", -1, "",
		    "unix:/run/poold/app.sock" },
		{ "unix:rel.sock", ADDR_UNIX, "", 0, "rel.sock", -1, "",
		    "unix:rel.sock" },
		{ "fd://3", ADDR_FD, "", 0, "", 3, "", "fd://3" },
		{ "fd://1023", ADDR_FD, "", 0, "", 1023, "",
		    "fd://1023" },
		{ "systemd", ADDR_SYSTEMD, "", 0, "", -1, "", "systemd" },
		{ "systemd:web", ADDR_SYSTEMD, "", 0, "", -1, "web",
		    "systemd:web" },
	};

	return cr_make_param_array(struct good_addr, good,
	    sizeof(good) / sizeof(good[0]));
}

ParameterizedTest(struct good_addr *g, addr, parses)
{
	struct addr	a;
	char		err[256] = "";

	cr_assert_eq(addr_parse(g->in, &a, err, sizeof(err)), 0,
	    "%s: rejected: %s", g->in, err);
	cr_assert_eq(a.a_kind, g->kind, "%s: kind %d", g->in, a.a_kind);
	switch (g->kind) {
	case ADDR_TCP:
		cr_assert_str_eq(a.a_host, g->host, "%s", g->in);
		cr_assert_eq(a.a_port, g->port, "%s: port %u", g->in,
		    a.a_port);
		break;
	case ADDR_UNIX:
		cr_assert_str_eq(a.a_path, g->path, "%s", g->in);
		break;
	case ADDR_FD:
		cr_assert_eq(a.a_fd, g->fd, "%s: fd %d", g->in, a.a_fd);
		break;
	case ADDR_SYSTEMD:
		cr_assert_str_eq(a.a_name, g->name, "%s", g->in);
		break;
	}
}

ParameterizedTestParameters(addr, formats_canonically)
{
	static struct good_addr good[] = {
		{ "127.0.0.1:8000", ADDR_TCP, "", 0, "", 0, "",
		    "127.0.0.1:8000" },
		{ ":8000", ADDR_TCP, "", 0, "", 0, "", ":8000" },
		{ "[::1]:8000", ADDR_TCP, "", 0, "", 0, "",
		    "[::1]:8000" },
		{ "[2001:db8::5]:9000", ADDR_TCP, "", 0, "", 0, "",
		    "[2001:db8::5]:9000" },
		/* Leading zeros are not part of the canonical form. */
		{ "localhost:0080", ADDR_TCP, "", 0, "", 0, "",
		    "localhost:80" },
		{ "unix:/tmp/a.sock", ADDR_UNIX, "", 0, "", 0, "",
		    "unix:/tmp/a.sock" },
		{ "fd://3", ADDR_FD, "", 0, "", 0, "", "fd://3" },
		{ "fd://007", ADDR_FD, "", 0, "", 0, "", "fd://7" },
		{ "systemd", ADDR_SYSTEMD, "", 0, "", 0, "",
		    "systemd" },
		{ "systemd:web", ADDR_SYSTEMD, "", 0, "", 0, "",
		    "systemd:web" },
	};

	return cr_make_param_array(struct good_addr, good,
	    sizeof(good) / sizeof(good[0]));
}

/* Format is canonical, and parsing the canonical form gives it back. */
ParameterizedTest(struct good_addr *g, addr, formats_canonically)
{
	struct addr	a, b;
	char		err[256] = "", buf[512], buf2[512];

	cr_assert_eq(addr_parse(g->in, &a, err, sizeof(err)), 0, "%s: %s",
	    g->in, err);
	addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, g->canon);
	cr_assert_eq(addr_parse(buf, &b, err, sizeof(err)), 0, "%s: %s",
	    buf, err);
	cr_assert_eq(b.a_kind, a.a_kind);
	cr_assert_str_eq(b.a_host, a.a_host);
	cr_assert_eq(b.a_port, a.a_port);
	cr_assert_str_eq(b.a_path, a.a_path);
	cr_assert_eq(b.a_fd, a.a_fd);
	cr_assert_str_eq(b.a_name, a.a_name);
	addr_format(&b, buf2, sizeof(buf2));
	cr_assert_str_eq(buf2, buf);
}

/* -- bad inputs ----------------------------------------------------------- */

struct bad_addr {
	char	in[64];
	char	want[32];	/* a phrase the message must hold */
	bool	names_input;	/* the message quotes the input */
};

ParameterizedTestParameters(addr, rejects)
{
	static struct bad_addr bad[] = {
		{ "127.0.0.1:99999", "port", true },
		{ "127.0.0.1:65536", "port", true },
		{ "127.0.0.1:-1", "port", true },
		{ "127.0.0.1:+80", "port", true },
		{ "127.0.0.1: 80", "port", true },
		{ "127.0.0.1:", "port", true },
		{ "127.0.0.1:80x", "port", true },
		{ "127.0.0.1:80:", "IPv6", true },
		{ ":", "port", true },
		{ "[::1]:99999", "port", true },
		{ "[::1]:", "port", true },
		{ "::1:8000", "brackets", true },
		{ "fe80::1:80", "brackets", true },
		{ "[::1]8000", "[IPV6]:PORT", true },
		{ "[::1", "[IPV6]:PORT", true },
		{ "[]:80", "empty", true },
		{ "localhost", "HOST:PORT", true },
		{ "", "HOST:PORT", false },
		{ "unix:", "path", false },
		{ "fd://2", ">= 3", true },
		{ "fd://0", ">= 3", true },
		{ "fd://x", ">= 3", true },
		{ "fd://", ">= 3", true },
		{ "fd://3x", ">= 3", true },
		{ "fd://-3", ">= 3", true },
		{ "fd://99999999999", ">= 3", true },
		{ "systemd:", "systemd:NAME", false },
		{ "systemdx", "systemd:NAME", false },
		{ "systemd:a:b", "systemd:NAME", false },
	};

	return cr_make_param_array(struct bad_addr, bad,
	    sizeof(bad) / sizeof(bad[0]));
}

ParameterizedTest(struct bad_addr *b, addr, rejects)
{
	struct addr	a;
	char		err[256] = "";

	cr_assert_eq(addr_parse(b->in, &a, err, sizeof(err)), -1,
	    "\"%s\" accepted", b->in);
	cr_assert_neq(err[0], '\0', "\"%s\": empty message", b->in);
	cr_assert_not_null(strstr(err, b->want), "\"%s\": \"%s\" lacks \"%s\"",
	    b->in, err, b->want);
	if (b->names_input)
		cr_assert_not_null(strstr(err, b->in),
		    "\"%s\": \"%s\" does not quote the input", b->in, err);
}

/* -- lengths --------------------------------------------------------------- */

Test(addr, unix_path_at_limit_accepted)
{
	char		in[5 + ADDR_PATH_MAX + 1], err[256] = "";
	struct addr	a;

	strcpy(in, "unix:");
	memset(in + 5, 'p', ADDR_PATH_MAX - 1);
	in[5 + ADDR_PATH_MAX - 1] = '\0';
	cr_assert_eq(addr_parse(in, &a, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(strlen(a.a_path), ADDR_PATH_MAX - 1);
}

Test(addr, unix_path_too_long_rejected)
{
	char		in[5 + ADDR_PATH_MAX + 1], err[256] = "";
	struct addr	a;

	strcpy(in, "unix:");
	memset(in + 5, 'p', ADDR_PATH_MAX);
	in[5 + ADDR_PATH_MAX] = '\0';
	cr_assert_eq(addr_parse(in, &a, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "longer than 107"), "%s", err);
}

Test(addr, host_too_long_rejected)
{
	char		in[ADDR_HOST_MAX + 16], err[1024] = "";
	struct addr	a;

	memset(in, 'h', ADDR_HOST_MAX);
	strcpy(in + ADDR_HOST_MAX, ":80");
	cr_assert_eq(addr_parse(in, &a, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "too long"), "%s", err);
}

Test(addr, systemd_name_too_long_rejected)
{
	char		in[8 + ADDR_NAME_MAX + 2], err[256] = "";
	struct addr	a;

	strcpy(in, "systemd:");
	memset(in + 8, 'n', ADDR_NAME_MAX + 1);
	in[8 + ADDR_NAME_MAX + 1] = '\0';
	cr_assert_eq(addr_parse(in, &a, err, sizeof(err)), -1);
	in[8 + ADDR_NAME_MAX] = '\0';
	cr_assert_eq(addr_parse(in, &a, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(strlen(a.a_name), ADDR_NAME_MAX);
}

Test(addr, short_error_buffer_truncates)
{
	struct addr	a;
	char		err[8];

	memset(err, 'X', sizeof(err));
	cr_assert_eq(addr_parse("fd://2", &a, err, sizeof(err)), -1);
	cr_assert_eq(strlen(err), sizeof(err) - 1);
}

Test(addr, short_format_buffer_truncates)
{
	struct addr	a;
	char		err[256], buf[8];

	cr_assert_eq(addr_parse("127.0.0.1:8000", &a, err, sizeof(err)), 0);
	memset(buf, 'X', sizeof(buf));
	addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "127.0.0");
}

Test(addr, parse_resets_previous_result)
{
	struct addr	a;
	char		err[256];

	cr_assert_eq(addr_parse("unix:/tmp/x", &a, err, sizeof(err)), 0);
	cr_assert_eq(addr_parse("fd://5", &a, err, sizeof(err)), 0);
	cr_assert_str_eq(a.a_path, "");
	cr_assert_eq(a.a_fd, 5);
	cr_assert_eq(addr_parse("127.0.0.1:1", &a, err, sizeof(err)), 0);
	cr_assert_eq(a.a_fd, -1);
}

/* -- NAME=ADDR: a socket's name for LISTEN_FDNAMES ------------------------- */

Test(addr, a_name_before_the_address)
{
	struct addr	a;
	char		err[128], buf[128];

	cr_assert_eq(addr_parse("http=127.0.0.1:8000", &a, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_eq(a.a_kind, ADDR_TCP);
	cr_assert_str_eq(a.a_fdname, "http");
	cr_assert_eq(a.a_port, 8000);
	addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "127.0.0.1:8000", "the key has no name");
	addr_format_named(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "http=127.0.0.1:8000");
	cr_assert_eq(addr_parse("admin.v2-x_y=unix:/run/a.sock", &a, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(a.a_fdname, "admin.v2-x_y");
	cr_assert_str_eq(a.a_path, "/run/a.sock");
	cr_assert_eq(addr_parse("web=systemd:http", &a, err, sizeof(err)), 0);
	cr_assert_str_eq(a.a_name, "http");
	cr_assert_str_eq(a.a_fdname, "web");
}

Test(addr, an_equals_sign_in_a_path_is_no_name)
{
	struct addr	a;
	char		err[128];

	cr_assert_eq(addr_parse("unix:/tmp/a=b.sock", &a, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_str_eq(a.a_fdname, "");
	cr_assert_str_eq(a.a_path, "/tmp/a=b.sock");
	cr_assert_eq(addr_parse("[::1]:80", &a, err, sizeof(err)), 0);
	cr_assert_str_eq(a.a_fdname, "");
}

Test(addr, bad_names_are_refused)
{
	struct addr	a;
	char		err[128], longname[128];

	cr_assert_eq(addr_parse("=127.0.0.1:80", &a, err, sizeof(err)), -1);
	cr_assert(strstr(err, "name before '=' is empty") != NULL, "%s", err);
	cr_assert_eq(addr_parse("web=", &a, err, sizeof(err)), -1);
	cr_assert(strstr(err, "no address after the name") != NULL, "%s", err);
	memset(longname, 'n', 65);
	strcpy(longname + 65, "=127.0.0.1:80");
	cr_assert_eq(addr_parse(longname, &a, err, sizeof(err)), -1);
	cr_assert(strstr(err, "at most 64") != NULL, "%s", err);
	cr_assert_eq(addr_parse("we b=127.0.0.1:80", &a, err, sizeof(err)),
	    -1, "a space is no name character, nor an address");
	cr_assert(strstr(err, "may hold only letters") != NULL, "%s", err);
}
