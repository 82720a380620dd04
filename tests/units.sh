#!/bin/sh
# SPDX-License-Identifier: ISC
# The systemd units load cleanly in systemd-analyze verify, as TAP, with
# ExecStart and ExecReload pointing at the programs just built.
srcdir=${POOLD_SRCDIR:-.}
poold=${POOLD:-supervisor/poold}
poolctl=${POOLCTL:-ctl/poolctl}
echo "1..4"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "not ok 1 - systemd-analyze not found (apt-get install systemd)"
	exit 0
fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# The units run poold and poolctl from @sbindir@, as installed: here, the
# ones just built (verify wants them to exist).
sbindir=$dir/sbin
mkdir "$sbindir" || exit 1
ln -s "$(cd "$(dirname "$poold")" && pwd)/$(basename "$poold")" \
    "$sbindir/poold"
ln -s "$(cd "$(dirname "$poolctl")" && pwd)/$(basename "$poolctl")" \
    "$sbindir/poolctl"
subst() {
	sed -e "s|@sbindir@|$sbindir|g" -e "s|@sysconfdir@|/etc|g" "$1"
}
subst "$srcdir/etc/poold.service.in" > "$dir/poold.service"
subst "$srcdir/etc/poold@.service.in" > "$dir/poold@.service"
# A template is verified through an instance of it.
cp "$dir/poold@.service" "$dir/poold@web.service"
cp "$srcdir/etc/poold.socket" "$dir/poold.socket"
n=0
for unit in poold.service poold@web.service poold.socket; do
	n=$((n + 1))
	out=$(cd "$dir" && systemd-analyze verify --man=no "./$unit" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - $unit"
	else
		echo "not ok $n - $unit"
		echo "$out" | sed 's/^/# /'
	fi
done
# A cgroup per worker needs the unit's cgroup delegated, and writable:
# ProtectControlGroups=yes would mount the hierarchy read-only.
n=$((n + 1))
bad=""
for unit in poold.service.in poold@.service.in; do
	grep -q '^Delegate=yes' "$srcdir/etc/$unit" || bad="$bad $unit: no Delegate=yes;"
	grep -q '^ProtectControlGroups=' "$srcdir/etc/$unit" &&
	    bad="$bad $unit: ProtectControlGroups= makes cgroups read-only;"
done
if [ -z "$bad" ]; then
	echo "ok $n - the units delegate a writable cgroup"
else
	echo "not ok $n - the units delegate a writable cgroup"
	echo "#$bad"
fi
