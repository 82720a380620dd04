#!/bin/sh
# SPDX-License-Identifier: ISC
# Man pages render without a warning from man(1), as TAP.  Skipped where
# man-db is not installed (the build does not need it).
srcdir=${POOLD_SRCDIR:-.}
pages="supervisor/poold.8 ctl/poolctl.8 etc/poold.conf.5 http/poold-app.3"
echo "1..4"
n=0
for page in $pages; do
	n=$((n + 1))
	if ! command -v man >/dev/null 2>&1; then
		echo "ok $n - $page # SKIP man is not installed"
		continue
	fi
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 \
	    -l "$srcdir/$page" 2>&1 >/dev/null)
	if [ -z "$out" ] && [ -s "$srcdir/$page" ]; then
		echo "ok $n - $page"
	else
		echo "not ok $n - $page"
		echo "$out" | sed 's/^/# /'
	fi
done
