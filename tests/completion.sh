#!/bin/bash
# SPDX-License-Identifier: ISC
# poolctl's bash completion (ctl/poolctl.bash) completes commands, and
# pool names and worker ids from a running poold; poold's own
# (supervisor/poold.bash) its options and their values; as TAP.  Skipped
# where the bash-completion package is not installed.
srcdir=${POOLD_SRCDIR:-.}
. "$srcdir/tests/lib.sh"

bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
	t_skip "completion" "bash-completion is not installed"
	t_done
	exit
fi
# bash_completion reads these; it is not written for `set -u`.
. "$bc"
. "$srcdir/ctl/poolctl.bash"
. "$srcdir/supervisor/poold.bash"

# complete_with FUNCTION PROGRAM NAME LINE: the completions bash would
# offer at the end of LINE, which begins with NAME, sorted, one line.
# The program by its path, as a user types /usr/sbin/poolctl: it need not
# be on PATH.
complete_with()
{
	COMP_LINE=$2${4#"$3"}
	COMP_POINT=${#COMP_LINE}
	read -r -a COMP_WORDS <<<"$COMP_LINE"
	case $4 in
	*" ") COMP_WORDS+=("") ;;
	esac
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$1" "$2" "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}"
	((${#COMPREPLY[@]} > 0)) || return 0
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

complete_line() { complete_with _poolctl "$POOLCTL" poolctl "$1"; }
complete_poold() { complete_with _poold "$POOLD" poold "$1"; }

# expect NAME LINE WANT: completing LINE offers WANT (among others).
expect()
{
	t_check "$1" "$3" "$(complete_line "$2")"
}

expect "a command from its prefix" "poolctl sc" "scale "
expect "stop's modes" "poolctl stop " "graceful quick "
expect "an option" "poolctl --j" "--json "

t_check "poold: a long option from --help" "--chdir " \
    "$(complete_poold "poold --chd")"
t_check "poold: worker classes" "async exec gthread sync " \
    "$(complete_poold "poold -k ")"
t_check "poold: log levels" "debug " "$(complete_poold "poold --log-level d")"
t_check "poold: log formats" "json text " \
    "$(complete_poold "poold --log-format ")"
t_check "poold: common umasks" "0022 0027 " \
    "$(complete_poold "poold --umask 002")"
t_eq "poold: nothing for a value of the user's own" "" \
    "$(complete_poold "poold -w ")"

sock=$T_DIR/ctl.sock
p1=$(t_free_port)
p2=$(t_free_port)
cat >"$T_DIR/poold.conf" <<EOF
control { socket = "$sock" }
pool alpha { listen = { "127.0.0.1:$p1" } workers = 2 }
pool beta { listen = { "127.0.0.1:$p2" } workers = 1 }
EOF
t_poold -c "$T_DIR/poold.conf"
if ! t_until 10 "$POOLCTL" -s "$sock" --timeout 1 status; then
	t_not_ok "poold started" "$(cat "$T_DIR/poold.log")"
	t_done
	exit
fi

expect "pool names from the daemon" "poolctl -s $sock scale " "alpha beta "
expect "a pool name from its prefix" "poolctl -s $sock workers a" "alpha "
expect "worker ids of the pool" "poolctl -s $sock kill alpha " "0 1 "
expect "signal names" "poolctl -s $sock kill beta 0 US" "USR1 USR2 "
expect "after -t and its value" "poolctl -s $sock -t 2 kill alpha " "0 1 "
expect "after a command's prefix" "poolctl -s $sock res a" "alpha "
got=$(complete_line "poolctl -s $T_DIR/none.sock scale ")
t_eq "nothing from a daemon that is not there" "" "$got"

t_done
