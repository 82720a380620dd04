/* SPDX-License-Identifier: ISC */
/*
 * Bad input: a clear message and a non-zero exit, never a crash and never
 * a half-started arbiter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static struct poold pd;

static void setup(void) { h_setup(&pd); }
static void teardown(void) { h_teardown(&pd); }

TestSuite(errors, .init = setup, .fini = teardown, .timeout = 30);

/* Run poold with args; assert it exits with code and says needle. */
static void
expect_failure(const char *const args[], int code, const char *needle)
{
	int status = h_run(&pd, args, H_WAIT_MS);

	cr_assert(WIFEXITED(status), "poold crashed: status 0x%x", status);
	cr_assert_eq(WEXITSTATUS(status), code, "exit code %d, want %d",
	    WEXITSTATUS(status), code);
	cr_assert(h_log_has(&pd, needle), "output lacks \"%s\"", needle);
}

Test(errors, unknown_flag)
{
	const char *args[] = { "--frobnicate", NULL };
	expect_failure(args, 2, "unknown option --frobnicate");
}

Test(errors, flag_without_argument)
{
	const char *args[] = { "-w", NULL };
	expect_failure(args, 2, "needs an argument");
}

Test(errors, bad_address)
{
	const char *args[] = { "-b", "localhost", "--", "true", NULL };
	expect_failure(args, 2, "expected HOST:PORT");
}

Test(errors, missing_command)
{
	const char *args[] = { "-b", "127.0.0.1:1", "--",
	    "/nonexistent/server", NULL };
	expect_failure(args, 2, "command /nonexistent/server");
}

Test(errors, exec_without_command)
{
	const char *args[] = { "-k", "exec", "-b", "127.0.0.1:1", NULL };
	expect_failure(args, 2, "needs a command");
}

Test(errors, unknown_user)
{
	const char *args[] = { "-u", "no-such-user-poold", "-b",
	    "127.0.0.1:1", "--", "true", NULL };
	expect_failure(args, 2, "unknown user no-such-user-poold");
}

Test(errors, port_in_use_names_the_address)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		sl = sizeof(sin);
	char			bind_s[32], needle[64];
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 1), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(bind_s, sizeof(bind_s), "127.0.0.1:%d", ntohs(sin.sin_port));
	snprintf(needle, sizeof(needle), "%s: bind: Address already in use",
	    bind_s);
	const char *args[] = { "-b", bind_s, "--", "true", NULL };
	expect_failure(args, 1, needle);
	close(fd);
}

Test(errors, unix_path_that_is_not_a_socket)
{
	char path[H_PATH_MAX], bind_s[300];

	h_write_file(h_path(&pd, "file", path, sizeof(path)), "data\n");
	snprintf(bind_s, sizeof(bind_s), "unix:%s", path);
	const char *args[] = { "-b", bind_s, "--", "true", NULL };
	expect_failure(args, 1, "exists and is not a socket");
	cr_assert_eq(access(path, F_OK), 0, "poold removed a regular file");
}

Test(errors, config_type_error_names_file_and_line)
{
	char conf[H_PATH_MAX], needle[H_PATH_MAX + 8];

	h_write_file(h_path(&pd, "bad.conf", conf, sizeof(conf)),
	    "pool web {\n  listen = { \"127.0.0.1:1\" }\n"
	    "  workers = many\n}\n");
	snprintf(needle, sizeof(needle), "%s:3", conf);
	const char *args[] = { "-c", conf, "--check-config", NULL };
	expect_failure(args, 2, needle);
}

Test(errors, check_config_accepts_a_good_file)
{
	char	conf[H_PATH_MAX];
	int	status;

	h_write_file(h_path(&pd, "good.conf", conf, sizeof(conf)),
	    "pool web {\n  listen = { \"127.0.0.1:1\" }\n"
	    "  command = { \"true\" }\n  workers = 2\n}\n");
	const char *args[] = { "-c", conf, "--check-config", NULL };
	status = h_run(&pd, args, H_WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x", status);
	cr_assert(h_log_has(&pd, "configuration ok: 1 pool, 1 listener\n"));
}

/*
 * --check-config looks at the world the file names, as nginx -t does,
 * without changing it: each of these passed it before and failed only
 * at start, or forever in the workers.
 */
static void
check_fails(const char *flag, const char *value, const char *needle)
{
	const char *args[] = { "--check-config", "-b", "127.0.0.1:1", flag,
	    value, NULL };

	expect_failure(args, 2, needle);
}

Test(errors, check_config_resolves_hosts)
{
	const char *args[] = { "--check-config", "-b", "foo.invalid:80",
	    NULL };

	expect_failure(args, 2, "pool main: listen foo.invalid:80: ");
}

Test(errors, check_config_pidfile_and_logs_in_missing_folders)
{
	char	path[H_PATH_MAX], file[H_PATH_MAX];

	h_path(&pd, "missing/x", path, sizeof(path));
	check_fails("-p", path, "pidfile ");
	check_fails("--error-logfile", path, "error log ");
	check_fails("--access-logfile", path, "access log ");
	/* Nothing was created on the way. */
	cr_assert_neq(access(h_path(&pd, "missing", file, sizeof(file)),
	    F_OK), 0);
}

/* A file with text fails the check at line with what; its path in conf. */
static void
file_fails(const char *text, int line, const char *what, char *conf,
    size_t len)
{
	char needle[H_PATH_MAX + 64];

	h_write_file(h_path(&pd, "check.conf", conf, len), text);
	snprintf(needle, sizeof(needle), "%s:%d: %s", conf, line, what);
	const char *args[] = { "-c", conf, "--check-config", NULL };
	expect_failure(args, 2, needle);
}

/* Set in the file, the error names its line; a flag over it wins. */
Test(errors, check_config_names_the_line_of_a_bad_pidfile)
{
	char	conf[H_PATH_MAX], text[H_PATH_MAX + 128], missing[H_PATH_MAX];
	char	good[H_PATH_MAX];
	int	status;

	h_path(&pd, "missing/poold.pid", missing, sizeof(missing));
	snprintf(text, sizeof(text), "\npidfile = \"%s\"\npool web {\n"
	    "  listen = { \"127.0.0.1:1\" }\n}\n", missing);
	file_fails(text, 2, "pidfile ", conf, sizeof(conf));
	h_path(&pd, "poold.pid", good, sizeof(good));
	const char *over[] = { "-c", conf, "-p", good, "--check-config", NULL };
	status = h_run(&pd, over, H_WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_neq(access(good, F_OK), 0, "the check created the pidfile");
}

Test(errors, check_config_log_that_cannot_be_appended_to)
{
	char	dir[H_PATH_MAX];

	/* A directory where the file should be: open for append fails. */
	h_path(&pd, "", dir, sizeof(dir));
	check_fails("--error-logfile", dir, "Is a directory");
}

Test(errors, check_config_loads_app_modules)
{
	char	conf[H_PATH_MAX], text[H_PATH_MAX + 128], notelf[H_PATH_MAX];

	h_write_file(h_path(&pd, "README.md", notelf, sizeof(notelf)),
	    "# not a module\n\nText, and no ELF header: dlopen refuses it "
	    "before any of it runs.\n");
	check_fails("--app", notelf, "invalid ELF header");
	snprintf(text, sizeof(text), "pool web {\n  listen = { "
	    "\"127.0.0.1:1\" }\n  app = \"%s\"\n}\n", notelf);
	file_fails(text, 3, "pool web: app", conf, sizeof(conf));
}

Test(errors, example_config_is_valid)
{
	const char	*src = getenv("POOLD_SRCDIR");
	char		 conf[H_PATH_MAX];
	int		 status;

	snprintf(conf, sizeof(conf), "%s/etc/poold.conf", src ? src : ".");
	const char *args[] = { "-c", conf, "--check-config", NULL };
	status = h_run(&pd, args, H_WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "etc/poold.conf does not pass --check-config (status 0x%x)",
	    status);
}

/* A socket file nobody answers on is stale: replaced.  A live one is not. */
Test(errors, stale_unix_socket_replaced_live_one_refused)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	char			path[H_PATH_MAX], bind_s[300];
	int			fd, status;

	h_path(&pd, "s.sock", path, sizeof(path));
	cr_assert_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	snprintf(bind_s, sizeof(bind_s), "unix:%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(fd, 1), 0);

	const char *args[] = { "-b", bind_s, "-w", "0", "--", "true", NULL };
	expect_failure(args, 1, "in use by another process");

	close(fd);			/* the file stays: now it is stale */
	cr_assert_eq(access(path, F_OK), 0);
	h_start(&pd, args, NULL);
	cr_assert(h_wait_count(pd.pd_log, "arbiter running", 1, H_WAIT_MS),
	    "stale socket file not replaced");
	h_signal(&pd, SIGTERM);
	cr_assert(h_wait_exit(&pd, H_WAIT_MS, &status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* -- as a user, not root ---------------------------------------------- */

#define NOBODY	65534

/* A copy of poold that nobody may run (the build tree may sit in a
   private home directory), in pd's directory. */
static void
copy_poold(char *path, size_t len)
{
	char	buf[65536];
	ssize_t	n;
	int	in, out;

	h_path(&pd, "poold", path, len);
	cr_assert_neq(in = open(h_poold_path(), O_RDONLY | O_CLOEXEC), -1);
	cr_assert_neq(out = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755),
	    -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	cr_assert_eq(chmod(pd.pd_dir, 0755), 0);
}

/* poold as nobody, with no XDG_RUNTIME_DIR: its exit status, its output
   in pd's log. */
static int
run_as_nobody(const char *const args[])
{
	char	 path[H_PATH_MAX];
	char	*argv[16];
	size_t	 n = 0;
	pid_t	 pid;
	int	 status, fd;

	if (geteuid() != 0)
		cr_skip_test("needs root, to become another user");
	copy_poold(path, sizeof(path));
	argv[n++] = path;
	while (n < 15 && args[n - 1] != NULL) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		fd = open(pd.pd_log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1 ||
		    setgroups(0, NULL) == -1 || setgid(NOBODY) == -1 ||
		    setuid(NOBODY) == -1 || unsetenv("XDG_RUNTIME_DIR") == -1)
			_exit(126);
		execv(path, argv);
		_exit(127);
	}
	for (long t0 = h_now_ms(); waitpid(pid, &status, WNOHANG) == 0; ) {
		if (h_now_ms() - t0 > H_WAIT_MS) {
			kill(pid, SIGKILL);
			cr_assert_fail("poold as nobody did not exit");
		}
		usleep(10000);
	}
	return status;
}

/* Binding port 80 as a user says what would allow it. */
Test(errors, privileged_port_as_a_user_gets_a_hint)
{
	const char *args[] = { "-b", "127.0.0.1:80", "--control", "none",
	    "--", "/bin/true", NULL };
	int status = run_as_nobody(args);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status 0x%x", status);
	cr_assert(h_log_has(&pd, "Permission denied"));
	cr_assert(h_log_has(&pd, "CAP_NET_BIND_SERVICE"));
}

/* A user with no XDG_RUNTIME_DIR is told how to place the control
   socket, not only "/run/poold: Permission denied". */
Test(errors, default_control_socket_as_a_user_gets_a_hint)
{
	char	bind[32];

	snprintf(bind, sizeof(bind), "127.0.0.1:%d", h_free_port());
	const char *args[] = { "-b", bind, "--", "/bin/true", NULL };
	int status = run_as_nobody(args);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status 0x%x", status);
	cr_assert(h_log_has(&pd, "/run/poold"));
	cr_assert(h_log_has(&pd, "set XDG_RUNTIME_DIR, or give --control "
	    "PATH"));
}
