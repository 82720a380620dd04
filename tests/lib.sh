# SPDX-License-Identifier: ISC
# Helpers for the shell tests, sourced by them: TAP output, a scratch
# directory, free loopback ports, and poold processes that are waited for
# with deadlines and stopped by their pid.  The C tests have the same
# helpers in tests/harness.c.

t_n=0
t_failed=0
t_pids=""
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/poold-sh.XXXXXX") || exit 99

t_ok()
{
	t_n=$((t_n + 1))
	echo "ok $t_n - $1"
}

t_not_ok()
{
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

t_skip()
{
	t_n=$((t_n + 1))
	echo "ok $t_n - $1 # SKIP $2"
}

# t_check NAME WANT GOT: ok when GOT contains WANT.
t_check()
{
	case $3 in
	*"$2"*) t_ok "$1" ;;
	*) t_not_ok "$1" "want: $2" "got: $3" ;;
	esac
}

# t_eq NAME WANT GOT: ok when GOT is WANT.
t_eq()
{
	if [ "$2" = "$3" ]; then
		t_ok "$1"
	else
		t_not_ok "$1" "want: '$2'" "got: '$3'"
	fi
}

# A TCP port on 127.0.0.1 that was free a moment ago.
t_free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# t_until SECONDS CMD...: run CMD every 20 ms until it succeeds; fails
# once SECONDS have passed by the clock (a CMD that blocks counts too)
# or after SECONDS * 50 tries.
t_until()
{
	t_end=$(($(date +%s) + $1))
	t_left=$(($1 * 50))
	shift
	while ! "$@" >/dev/null 2>&1; do
		t_left=$((t_left - 1))
		[ "$t_left" -gt 0 ] && [ "$(date +%s)" -le "$t_end" ] ||
		    return 1
		sleep 0.02
	done
}

# t_poold ARGS...: start poold in the background with its log in
# $T_DIR/poold.log; sets T_PID.  The caller passes --control and waits
# for what it needs.
t_poold()
{
	"$POOLD" "$@" >>"$T_DIR/poold.log" 2>&1 &
	T_PID=$!
	t_pids="$t_pids $T_PID"
}

# Gone, or a zombie nobody has reaped yet (a daemon's parent is PID 1,
# which in some containers never reaps).
t_gone()
{
	kill -0 "$1" 2>/dev/null || return 0
	[ "$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" \
	    2>/dev/null)" = Z ]
}

# t_stop PID: TERM, then KILL if it has not gone in 10 s.
t_stop()
{
	kill -TERM "$1" 2>/dev/null || return 0
	if ! t_until 10 t_gone "$1"; then
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	return 0
}

# t_pidfile FILE: the pid a daemon (-D) wrote to FILE, or nothing.
t_pidfile()
{
	[ -s "$1" ] && head -n 1 "$1"
}

# The pids of processes whose command line names $T_DIR: what a script
# run by a test started in the background, which the test cannot know
# by $!.  The scratch directory's random name makes them ours.
t_dir_pids()
{
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != $$ ] || continue
		{ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF "$T_DIR" &&
		    echo "${d#/proc/}"
	done
}

# t_conf_options: the first string argument of every CFG_ macro in the sources, one per
# line, sorted and unique.  Each file is read as one line, so a call
# wrapped over several lines is found as well.
t_conf_options()
{
	for f in "$srcdir"/supervisor/*.c; do
		[ -r "$f" ] || continue
		awk '{ s = s " " $0 }
		END {
			while (match(s, /CFG_[A-Z_]+[ \t]*\([ \t]*"[^"]*"/)) {
				m = substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
				sub(/^[^"]*"/, "", m)
				sub(/"$/, "", m)
				print m
			}
		}' "$f"
	done | sort -u
}

# t_containers_conf: podman's configuration for the tests, in T_DIR and
# exported as CONTAINERS_CONF, the system's left alone.  This kind of
# machine: crun refuses the hybrid cgroup layout (runc), there is no
# systemd to manage cgroups or take events, and the hard limits cannot
# be raised.
t_containers_conf()
{
	cat >"$T_DIR/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
	CONTAINERS_CONF=$T_DIR/containers.conf
	export CONTAINERS_CONF
}

# Every process started here, every daemon that left a pidfile in
# $T_DIR, and every process started with a path in $T_DIR, is stopped
# by its pid.
t_cleanup()
{
	for p in $t_pids; do
		t_stop "$p"
	done
	for f in "$T_DIR"/*.pid; do
		[ -s "$f" ] && t_stop "$(t_pidfile "$f")"
	done
	for p in $(t_dir_pids); do
		t_stop "$p"
	done
	[ -n "$T_KEEP" ] || rm -rf "$T_DIR"
}

trap t_cleanup EXIT
trap 'exit 1' INT TERM

# End of the tests: the plan, and the exit status automake's TAP driver
# does not need but a person running the script by hand does.
t_done()
{
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
}
