/* SPDX-License-Identifier: ISC */
/*
 * Helpers for integration tests: start a real poold, wait on conditions
 * with deadlines, talk to its workers, end everything by pid.
 */
#ifndef POOLD_HARNESS_H
#define POOLD_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define H_PATH_MAX	256
#define H_REPORT_MAX	4096
#define H_WAIT_MS	5000	/* default deadline for a condition */

struct poold {
	pid_t	pd_pid;
	bool	pd_reaped;
	int	pd_status;
	char	pd_dir[64];		/* private temp dir, removed at end */
	char	pd_log[H_PATH_MAX];	/* poold's stdout and stderr */
	char	pd_wlog[H_PATH_MAX];	/* for tworker --log */
	char	pd_ctl[H_PATH_MAX];	/* its control socket */
	int	pd_keep_fd;		/* >= 3: poold inherits it (fd://N) */
	int	pd_tty;			/* > 2: a pty's slave, poold's
					   controlling terminal and stdin */
	pid_t	pd_daemon;		/* a -D arbiter, killed at teardown */
	const char *const *pd_wrap;	/* a program that execs poold, with
					   its arguments (NULL-terminated):
					   systemd-socket-activate, say */
	bool	pd_private_net;		/* in a network namespace of its
					   own (h_setup) */
};

/*
 * A private directory and log paths; nothing started yet.  The first
 * call of a test also moves it into a network namespace of its own,
 * with only lo up, where it may (root): poold and everything it starts
 * inherit it, and none of the host's NAT rules, connection tracking or
 * bound ports reach them.  Where it may not, the test says so once and
 * runs in the host's namespace at the host's pace (pace.h).
 */
void	 h_setup(struct poold *);
/* New connections a second this test may open (pace.h). */
int	 h_rate(const struct poold *);
/* Sleep until the next turn of a loop that opens a connection a turn,
   at h_rate; *next_us starts at 0. */
void	 h_pace(const struct poold *, long *next_us);
/* Start poold with args (NULL-terminated, without argv[0]) and env
   entries ("NAME=value", NULL-terminated, may be NULL).  A private
   --control pd_ctl comes first, so parallel tests never share one. */
void	 h_start(struct poold *, const char *const args[],
	    const char *const env[]);
/* Write a config (printf-style) to pd_dir/poold.conf, start poold with
   it and wait for its control socket. */
void	 h_start_conf(struct poold *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Start poold as PID 1 of a PID namespace of its own: pd_wrap set to
   `unshare --pid --fork` (the test skips where that is not permitted);
   then, once started, the arbiter's pid here (unshare's child), failing
   the test if it never says it runs as PID 1. */
void	 h_pid1_wrap(struct poold *);
pid_t	 h_pid1_arbiter(struct poold *);
/* End poold (SIGKILL if still running) and remove the directory. */
void	 h_teardown(struct poold *);

const char *h_poold_path(void);
const char *h_tworker_path(void);
/* A path inside pd_dir. */
const char *h_path(struct poold *, const char *name, char *buf, size_t);
void	 h_write_file(const char *path, const char *text);

int	 h_free_port(void);
bool	 h_port_free(int port);
bool	 h_wait_port_free(int port, int timeout_ms);
bool	 h_wait_file(const char *path, int timeout_ms);

/* Send a signal to poold. */
void	 h_signal(struct poold *, int sig);
/* Wait for poold to exit; true with the status, false on timeout. */
bool	 h_wait_exit(struct poold *, int timeout_ms, int *status);
/* Run poold to completion (for bad-input tests): status, output in log. */
int	 h_run(struct poold *, const char *const args[], int timeout_ms);
/* The number after key ("VmRSS:", "Umask:") in /proc/PID/status, read
   in base; -1 if the process or the line is not there. */
long	 h_proc_status(pid_t, const char *key, int base);
/* The pause between two looks at a condition in a bounded loop; never a
   synchronisation. */
void	 h_pause(void);
/* A file's first len - 1 bytes, NUL-terminated (its log, for poold's
   output under h_run); the length read, or -1 if it cannot be read. */
ssize_t	 h_read_file(const char *path, char *buf, size_t len);

/* Lines in a file containing needle. */
int	 h_count(const char *path, const char *needle);
/* The first line of poold's log with needle, in buf; NULL if none. */
const char *h_log_line(struct poold *, const char *needle, char *buf,
	    size_t len);
bool	 h_wait_count(const char *path, const char *needle, int n,
	    int timeout_ms);
bool	 h_log_has(struct poold *, const char *needle);

/* Children of pid (by /proc), up to max; their count. */
size_t	 h_children(pid_t, pid_t *out, size_t max);
bool	 h_wait_children(struct poold *, size_t n, int timeout_ms);
/* The parent of pid, or -1 if it is gone. */
pid_t	 h_ppid(pid_t);
/* Children of parent that died and were not reaped. */
size_t	 h_zombies(pid_t parent);
/* Time pid has spent on a CPU, in ns (schedstat: finer than ticks); 0
   if it is gone. */
unsigned long long h_cpu_ns(pid_t);
/* Wait for a process that is not our child to be gone. */
bool	 h_wait_gone(pid_t, int timeout_ms);

/* Connect, read one worker report; 0 or -1. */
int	 h_query_tcp(int port, char *buf, size_t len);
int	 h_query_unix(const char *path, char *buf, size_t len);
/* A stream connection to the Unix socket at path; the fd or -1. */
int	 h_unix_connect(const char *path);
/* Value of "key=" in a report (or log line), into out; NULL if absent. */
const char *h_field(const char *line, const char *key, char *out, size_t);
/* pid of the worker in slot id per tworker's --log "start" lines, the
   latest one; -1 if none. */
pid_t	 h_worker_in_slot(struct poold *, unsigned slot);

long	 h_now_ms(void);
/* Whether prog is an executable on PATH (for tests that need one). */
bool	 h_have(const char *prog);

#endif

/* The control socket: connect to poold's pd_ctl; the fd or -1. */
int	 h_ctl_connect(struct poold *);
/* Read one line (newline stripped) within timeout_ms; 0, or -1 on EOF,
   error or timeout. */
int	 h_read_line(int fd, char *buf, size_t len, int timeout_ms);
/* One request on a fresh connection; 0 with the reply line, or -1. */
int	 h_ctl(struct poold *, const char *request, char *reply, size_t len);
/* Wait until the control socket answers hello. */
bool	 h_ctl_ready(struct poold *, int timeout_ms);
/* Wait until the pools have n ready workers in all (status): a worker
   past its start has its signal handlers. */
bool	 h_wait_ready(struct poold *, int n, int timeout_ms);
/* Run poolctl -s pd_ctl args; its exit status, stdout+stderr in out. */
int	 h_poolctl(struct poold *, const char *const args[], char *out,
	    size_t len);

/* A TCP connection to 127.0.0.1:port, or -1 (refused, or no answer in
   H_WAIT_MS: a dropped SYN fails the test, not its timeout). */
int	 h_tcp_connect(int port);
/* A socket bound to a free loopback port, not listening: connecting to
   it is refused (close-on-exec). */
int	 h_bound(int *port);
/* A listening socket on a free loopback port (close-on-exec). */
int	 h_listener(int *port);
/* The same at fd at, which poold inherits (fd://at); its port. */
int	 h_keep_listener(struct poold *, int at);
/* Write all of buf; 0 or -1. */
int	 h_send(int fd, const void *buf, size_t len);
/*
 * Read until the peer closes, or until needle has appeared n times, or the
 * timeout: the bytes read (NUL-terminated in buf), and *closed whether
 * the peer closed.
 */
size_t	 h_recv(int fd, char *buf, size_t len, const char *needle, int n,
	    int timeout_ms, bool *closed);
/* One HTTP/1.0 request, what being its method and target ("GET /x"),
   on a new connection to port: the status of the reply, read whole into
   buf until the server closes; -1 if there is none. */
int	 h_http(int port, const char *what, char *buf, size_t len);
/* GET / over HTTP/1.0 from a built-in worker on port: 0 if it answered
   200 (the whole reply in buf), else -1. */
int	 h_http_get(int port, char *buf, size_t len);
/* The pid a built-in worker's hello reply names, or -1. */
long	 h_hello_pid(int port);
/* The same from a reply in buf; -1 if it has none or is cut short. */
long	 h_reply_pid(const char *buf);
/* Occurrences of needle in buf. */
int	 h_occurrences(const char *buf, const char *needle);
