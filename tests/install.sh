#!/bin/sh
# SPDX-License-Identifier: ISC
# `make install DESTDIR=... prefix=...` puts every file under that prefix,
# the systemd units included, and the units run that prefix's poold,
# poolctl and configuration; `make uninstall` takes it all away; as TAP.
# (Issue: the units went to systemd.pc's /lib/systemd/system whatever the
# prefix, and named configure's paths, not the install's.)
srcdir=${POOLD_SRCDIR:-.}
builddir=${POOLD_BUILDDIR:-.}
make=${POOLD_MAKE:-make}
. "$srcdir/tests/lib.sh"

# This make is not the one running the suite: no jobserver to share.
unset MAKEFLAGS MFLAGS
dest=$T_DIR/dest
prefix=/opt/poold-install-test
units=$dest$prefix/lib/systemd/system

if ! $make -C "$builddir" install DESTDIR="$dest" prefix="$prefix" \
    >"$T_DIR/install.log" 2>&1; then
	t_not_ok "make install" "$(tail -n 20 "$T_DIR/install.log")"
	t_done
	exit
fi
t_ok "make install DESTDIR=... prefix=$prefix"

# configure --prefix=/usr takes systemd's own directory (systemd.pc).
if [ "$POOLD_PREFIX" = /usr ]; then
	t_skip "units under the prefix" "configured with --prefix=/usr"
else
	for u in poold.service poold@.service poold.socket; do
		if [ -f "$units/$u" ]; then
			t_ok "$u under the prefix"
		else
			t_not_ok "$u under the prefix" \
			    "$(cd "$dest" && find . -name "$u")"
		fi
	done
fi
outside=$(cd "$dest" && find . -type f ! -path ".$prefix/*")
t_eq "nothing outside the prefix" "" "$outside"

unit=$(find "$dest" -name poold.service | head -n 1)
t_check "ExecStart runs the prefix's poold and config" \
    "ExecStart=$prefix/sbin/poold -c $prefix/etc/poold/poold.conf" \
    "$(cat "$unit" 2>/dev/null)"
t_check "ExecReload runs the prefix's poolctl" \
    "ExecReload=$prefix/sbin/poolctl reload" "$(cat "$unit" 2>/dev/null)"
t_check "the template too" "ExecStart=$prefix/sbin/poold -c $prefix/etc/poold/%i.conf" \
    "$(cat "$(dirname "$unit")/poold@.service" 2>/dev/null)"
for f in sbin/poold sbin/poolctl share/man/man8/poold.8 \
    share/man/man5/poold.conf.5 share/bash-completion/completions/poold \
    share/bash-completion/completions/poolctl; do
	if [ -f "$dest$prefix/$f" ]; then
		t_ok "$f installed"
	else
		t_not_ok "$f installed"
	fi
done
if $make -C "$builddir" uninstall DESTDIR="$dest" prefix="$prefix" \
    >"$T_DIR/uninstall.log" 2>&1; then
	t_eq "make uninstall leaves no file" "" \
	    "$(cd "$dest" && find . -type f)"
else
	t_not_ok "make uninstall" "$(tail -n 20 "$T_DIR/uninstall.log")"
fi
t_done
