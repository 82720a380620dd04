# SPDX-License-Identifier: ISC
# bash completion for poold(8).
#
# The long options come from `poold --help` of the poold being completed
# (as typed: /usr/sbin is not on every user's PATH), so they never drift
# from the program; their values from what each option takes: worker
# classes, log levels and formats, users, groups, files and directories.
# After --, the worker's command completes as any command would.

_poold()
{
	local cur prev words cword i
	_init_completion || return

	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			_command_offset $((i + 1))
			return
		fi
	done
	case $prev in
	-k | --worker-class)
		COMPREPLY=($(compgen -W 'sync gthread async exec' -- "$cur"))
		return
		;;
	--log-level)
		COMPREPLY=($(compgen -W 'debug info warning error critical' \
		    -- "$cur"))
		return
		;;
	--log-format)
		COMPREPLY=($(compgen -W 'text json' -- "$cur"))
		return
		;;
	-m | --umask)
		COMPREPLY=($(compgen -W '0022 0027 0077 0002 0007' -- "$cur"))
		return
		;;
	-u | --user)
		COMPREPLY=($(compgen -u -- "$cur"))
		return
		;;
	-g | --group)
		COMPREPLY=($(compgen -g -- "$cur"))
		return
		;;
	--chdir | --root)
		_filedir -d
		return
		;;
	-c | --config | -p | --pid | --error-logfile | --log-file | \
	    --access-logfile | --control | --app)
		_filedir
		return
		;;
	-b | --bind | -w | --workers | -t | --timeout | -n | --name | \
	    -e | --env | --metrics | --backlog | --threads | \
	    --graceful-timeout | --max-requests | --max-requests-jitter | \
	    --keep-alive | --worker-connections | --access-logformat | \
	    --app-arg | --limit-request-*)
		return		# a value of the user's own
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("${words[0]}" --help 2>/dev/null |
		    grep -o -- '--[a-z][a-z_-]*' | sort -u)" -- "$cur"))
	fi
} &&
	complete -F _poold poold
