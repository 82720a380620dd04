#!/bin/sh
# SPDX-License-Identifier: ISC
# Every configuration option and every long flag is documented, as TAP.
# The option names come from the libconfuse tables (CFG_*("name", ...))
# in supervisor/*.c and the flags from `poold --help`, so a new option or
# flag that is not documented fails here.  An option counts as documented
# when docs/configuration.md has it as `name` and etc/poold.conf.5 as an
# argument of Ic; a flag when docs/configuration.md has --flag as a
# whole word.  And docs/gunicorn.md names every flag of the Gunicorn
# installed here (`gunicorn --help`), with poold's equivalent or why
# there is none.
srcdir=${POOLD_SRCDIR:-.}
poold=${POOLD:-./supervisor/poold}
md=docs/configuration.md
man=etc/poold.conf.5
failed=0
. "$srcdir/tests/lib.sh"
echo "1..4"

# The long flags in `poold --help`, without their dashes.
flags()
{
	"$poold" --help 2>/dev/null | awk '{
		s = $0
		while (match(s, /--[A-Za-z0-9][A-Za-z0-9_-]*/)) {
			print substr(s, RSTART + 2, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}' | sort -u
}

# report N DESCRIPTION MISSING...: one TAP line, and the missing names.
report()
{
	n=$1
	what=$2
	shift 2
	if [ $# -eq 0 ]; then
		echo "ok $n - $what"
		return
	fi
	failed=1
	echo "not ok $n - $what: missing $*"
	for name in "$@"; do
		echo "# $name"
	done
}

opts=$(t_conf_options)
count=$(printf '%s\n' "$opts" | grep -c .)
# A table this small means the extraction no longer fits the source.
if [ "$count" -lt 20 ]; then
	failed=1
	echo "not ok 1 - $md documents every option: found only $count" \
	    "options in $srcdir/supervisor/*.c"
	echo "not ok 2 - $man documents every option: found only $count" \
	    "options in $srcdir/supervisor/*.c"
else
	for doc in "$md" "$man"; do
		if [ "$doc" = "$md" ]; then n=1; else n=2; fi
		if [ ! -r "$srcdir/$doc" ]; then
			failed=1
			echo "not ok $n - $doc: cannot read $srcdir/$doc"
			continue
		fi
		missing=""
		for o in $opts; do
			case $o in
			*[!A-Za-z0-9_]*)
				missing="$missing $o"	# not a plain name
				continue ;;
			esac
			if [ "$doc" = "$md" ]; then
				grep -F "\`$o\`" "$srcdir/$doc" >/dev/null 2>&1
			else
				grep -E "(^\.|[[:space:]])Ic[[:space:]]+$o([[:space:]]|$)" \
				    "$srcdir/$doc" >/dev/null 2>&1
			fi || missing="$missing $o"
		done
		# shellcheck disable=SC2086
		report $n "$doc documents all $count options" $missing
	done
fi

if [ ! -x "$poold" ]; then
	echo "ok 3 - $md documents every long flag # SKIP no poold at $poold"
else
	fl=$(flags)
	count=$(printf '%s\n' "$fl" | grep -c .)
	missing=""
	for f in $fl; do
		grep -E -e "--$f([^A-Za-z0-9_-]|$)" "$srcdir/$md" >/dev/null \
		    2>&1 || missing="$missing --$f"
	done
	# A list this short means the extraction no longer fits --help.
	[ "$count" -ge 10 ] || missing="$missing (only $count flags found)"
	# shellcheck disable=SC2086
	report 3 "$md documents all $count long flags" $missing
fi

gmd=docs/gunicorn.md
if ! command -v gunicorn >/dev/null 2>&1; then
	echo "ok 4 - $gmd names every Gunicorn flag # SKIP no gunicorn" \
	    "(apt-get install gunicorn)"
else
	gfl=$(gunicorn --help 2>/dev/null | grep -o -e '--[a-z][a-z0-9_-]*' |
	    sort -u)
	missing=""
	for f in $gfl; do
		grep -E -e "$f([^A-Za-z0-9_-]|$)" "$srcdir/$gmd" >/dev/null \
		    2>&1 || missing="$missing $f"
	done
	# shellcheck disable=SC2086
	report 4 "$gmd names all $(printf '%s\n' "$gfl" | grep -c .) flags of \
$(gunicorn --version 2>&1)" $missing
fi

exit $failed
