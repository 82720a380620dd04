# SPDX-License-Identifier: ISC
# bash completion for poolctl(8).
#
# Commands and options come from this file; pool names and worker ids
# come from the running daemon (`poolctl pools` and `poolctl workers`),
# asked on the control socket named by -s on the line being completed,
# so that completion follows the daemon the command will talk to.  The
# daemon is asked with a short timeout: a stopped or slow daemon costs
# a second of completion, never a hung shell.

# _poolctl_ask PROGRAM SOCKET ARGS...: PROGRAM is the poolctl being
# completed, as typed (/usr/sbin is not on every user's PATH).
_poolctl_ask()
{
	local prog=$1 sock=$2
	shift 2
	if [[ -n $sock ]]; then
		"$prog" -s "$sock" --timeout 1 "$@" 2>/dev/null
	else
		"$prog" --timeout 1 "$@" 2>/dev/null
	fi
}

# The first column of a table reply, without its header.
_poolctl_column()
{
	local col=$1
	shift
	_poolctl_ask "$@" | awk -v c="$col" 'NR > 1 { print $c }'
}

_poolctl()
{
	local cur prev words cword
	_init_completion || return

	local commands="hello version status pools workers scale reload
	    restart kill stop reopen config subscribe upgrade stats events
	    watch drain"
	local prog=${words[0]} sock="" cmd="" c i ncmd=0
	local -a args=() full=()

	# Find -s SOCKET, the command and the arguments before the cursor.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-s | --socket)
			((i++))
			sock=${words[i]}
			;;
		--socket=*)
			sock=${words[i]#--socket=}
			;;
		-t | --timeout)
			((i++))
			;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			else
				args+=("${words[i]}")
			fi
			;;
		esac
	done
	ncmd=${#args[@]}
	# poolctl takes a unique prefix of a command: so does completion.
	[[ $sock == \~* ]] && sock=$HOME${sock#\~}
	for c in $commands; do
		[[ $c == "$cmd"* ]] && full+=("$c")
	done
	((${#full[@]} == 1)) && cmd=${full[0]}

	case $prev in
	-s | --socket)
		_filedir sock
		[[ ${#COMPREPLY[@]} -eq 0 ]] && _filedir
		return
		;;
	-t | --timeout)
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '-s --socket -j --json -t
			    --timeout -h --help -V --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	workers | restart | scale | kill)
		if ((ncmd == 0)); then
			COMPREPLY=($(compgen -W \
			    "$(_poolctl_column 1 "$prog" "$sock" pools)" -- "$cur"))
		elif [[ $cmd == kill ]] && ((ncmd == 1)); then
			COMPREPLY=($(compgen -W "$(_poolctl_column 2 "$prog" \
			    "$sock" workers "${args[0]}")" -- "$cur"))
		elif [[ $cmd == kill ]] && ((ncmd == 2)); then
			COMPREPLY=($(compgen -W 'TERM INT QUIT KILL HUP USR1
			    USR2 ABRT WINCH TTIN TTOU' -- "$cur"))
		fi
		;;
	stop)
		((ncmd == 0)) &&
		    COMPREPLY=($(compgen -W 'graceful quick' -- "$cur"))
		;;
	upgrade)
		((ncmd == 0)) && _filedir
		;;
	esac
} &&
	complete -F _poolctl poolctl
