#!/bin/sh
# SPDX-License-Identifier: ISC
# `poold --print-config` writes the configuration in force as a file
# poold loads as it is, as TAP: for the shipped etc/poold.conf, the
# fixtures' two-pool file and the container's deploy/poold.conf, the
# text passes --check-config and, printed again, is the same; every
# option of the libconfuse tables is in it; flags count, modes are
# octal.  (`poolctl config` sends the same text: tests/integ/test_control.)
srcdir=${POOLD_SRCDIR:-.}
poold=${POOLD:-supervisor/poold}
. "$srcdir/tests/lib.sh"

# The text without its two comment lines, which name the file read.
body() { sed 1,2d "$1"; }

for f in etc/poold.conf tests/data/two-pools.conf deploy/poold.conf; do
	out=$T_DIR/$(printf '%s' "$f" | tr / _).printed
	if ! "$poold" --print-config -c "$srcdir/$f" >"$out" \
	    2>"$T_DIR/err"; then
		t_not_ok "$f: printed" "$(cat "$T_DIR/err")"
		continue
	fi
	if "$poold" --check-config -c "$out" >/dev/null 2>"$T_DIR/err"; then
		t_ok "$f: the text loads as it is"
	else
		t_not_ok "$f: the text loads as it is" "$(cat "$T_DIR/err")"
	fi
	"$poold" --print-config -c "$out" >"$out.again" 2>"$T_DIR/err"
	body "$out" >"$T_DIR/body"
	body "$out.again" >"$T_DIR/body.again"
	if cmp -s "$T_DIR/body" "$T_DIR/body.again"; then
		t_ok "$f: printed again, the same"
	else
		t_not_ok "$f: printed again, the same" \
		    "$(diff "$T_DIR/body" "$T_DIR/body.again" | head -n 20)"
	fi
done

# Every option, as a setting or (no value) a comment, in the shipped
# file's text: it has an exec pool and a built-in one between them.
printed=$T_DIR/etc_poold.conf.printed
missing=""
for o in $(t_conf_options); do
	grep -E "^[[:space:]]*(# )?\"?$o\"?( =|:| \{| \")" "$printed" \
	    >/dev/null || missing="$missing $o"
done
t_eq "every option is in the text" "" "$missing"

# What the command line sets is in force, and modes are octal.
"$poold" --print-config -w 3 -b 127.0.0.1:9 -m 027 -e API_TOKEN=x \
    -- /bin/true >"$T_DIR/flags" 2>&1
t_check "flags: -w" "  workers = 3" "$(cat "$T_DIR/flags")"
t_check "flags: -m, in octal" "umask = 0027" "$(cat "$T_DIR/flags")"
t_check "flags: -b" 'listen = { "127.0.0.1:9" }' "$(cat "$T_DIR/flags")"
t_check "flags: env, as it is (a file to load)" '"API_TOKEN=x"' \
    "$(cat "$T_DIR/flags")"
t_check "a string with \$ and a quote is escaped" \
    'access_log_format = "\$x \"y\""' \
    "$("$poold" --print-config --access-logformat '$x "y"' 2>&1)"
if "$poold" --print-config -c /nonexistent/poold.conf >/dev/null \
    2>"$T_DIR/err"; then
	t_not_ok "a file that does not load is an error"
else
	t_check "a file that does not load is an error" "nonexistent" \
	    "$(cat "$T_DIR/err")"
fi
t_done
