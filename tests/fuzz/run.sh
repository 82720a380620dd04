#!/bin/sh
# SPDX-License-Identifier: ISC
# Run each libFuzzer target for FUZZ_SECONDS (default 10) from its seed
# corpus, as TAP: a crash, leak or broken invariant fails the test with
# the input libFuzzer kept.  The figures (runs, coverage) go in the TAP
# comments, for RELIABILITY.md.
srcdir=${POOLD_SRCDIR:-.}
seconds=${FUZZ_SECONDS:-10}
targets="http request notify conf"
n=0
echo "1..4"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
for t in $targets; do
	n=$((n + 1))
	bin=tests/fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz_$t is not built (apt-get install clang libclang-rt-14-dev)"
		continue
	fi
	mkdir -p "$work/$t"
	out=$("$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$work/" "$work/$t" "$srcdir/tests/fuzz/corpus/$t" 2>&1)
	rc=$?
	last=$(printf '%s\n' "$out" | grep -E '#[0-9]+[[:space:]]+DONE' | tail -1)
	if [ $rc -eq 0 ]; then
		echo "ok $n - fuzz_$t for ${seconds}s: ${last:-no DONE line}"
	else
		echo "not ok $n - fuzz_$t found a problem"
		printf '%s\n' "$out" | tail -30 | sed 's/^/# /'
		for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -e "$f" ] && echo "# input: $(od -An -c "$f" | head -5)"
		done
	fi
done
