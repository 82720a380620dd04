#!/bin/sh
# SPDX-License-Identifier: ISC
# poolctl's --help, its man page and its bash completion name the same
# commands and the same options, as TAP: a command or option one of them
# lacks is listed.
srcdir=${POOLD_SRCDIR:-.}
poolctl=${POOLCTL:-ctl/poolctl}
man=$srcdir/ctl/poolctl.8
comp=$srcdir/ctl/poolctl.bash
echo "1..2"

help_commands()
{
	"$poolctl" -h | awk '/^commands/ { on = 1; next }
	    on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }'
}
man_commands()
{
	sed -n 's/^\.It Cm //p' "$man" | tr ',' '\n' |
	    awk '{ print $1 }' | grep -v '^[A-Z]' | grep .
}
comp_commands()
{
	sed -n '/local commands="/,/"$/p' "$comp" |
	    sed -e 's/.*commands="//' -e 's/"$//' | tr -s ' \t' '\n\n' | grep .
}
help_options()
{
	"$poolctl" -h | awk '/^options/ { on = 1; next } /^$/ { on = 0 }
	    on && /^  -/ { print $1; if ($2 ~ /^--/) print $2 }' | tr -d ','
}
man_options()
{
	sed -n 's/^\.It Fl /Fl /p' "$man" | sed -e 's/ Ar .*//' \
	    -e 's/\\-/-/g' | tr ',' '\n' | sed -n 's/.*Fl \([^ ]*\).*/-\1/p'
}
comp_options()
{
	sed -n "/compgen -W '-/,/'/p" "$comp" | sed -e "s/.*-W '//" \
	    -e "s/'.*//" | tr -s ' \t' '\n\n' | grep '^-'
}

# compare N WHAT LIST1 LIST2 LIST3: one TAP line.
compare()
{
	n=$1 what=$2
	a=$(printf '%s\n' "$3" | sort -u)
	b=$(printf '%s\n' "$4" | sort -u)
	c=$(printf '%s\n' "$5" | sort -u)
	if [ "$a" = "$b" ] && [ "$b" = "$c" ] && [ -n "$a" ]; then
		echo "ok $n - help, man page and completion list the same $what"
	else
		echo "not ok $n - help, man page and completion list the same $what"
		printf '%s\n' "$a" >"${TMPDIR:-/tmp}/pd.$$.a"
		printf '%s\n' "$b" >"${TMPDIR:-/tmp}/pd.$$.b"
		printf '%s\n' "$c" >"${TMPDIR:-/tmp}/pd.$$.c"
		echo "# help vs man:"
		diff "${TMPDIR:-/tmp}/pd.$$.a" "${TMPDIR:-/tmp}/pd.$$.b" |
		    sed 's/^/# /'
		echo "# help vs completion:"
		diff "${TMPDIR:-/tmp}/pd.$$.a" "${TMPDIR:-/tmp}/pd.$$.c" |
		    sed 's/^/# /'
		rm -f "${TMPDIR:-/tmp}/pd.$$".?
	fi
}

compare 1 commands "$(help_commands)" "$(man_commands)" "$(comp_commands)"
compare 2 options "$(help_options)" "$(man_options)" "$(comp_options)"
