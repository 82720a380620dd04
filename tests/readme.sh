#!/bin/sh
# SPDX-License-Identifier: ISC
# The README's tour works as written: its ```sh blocks run one after the
# other in one shell, from the top of the build tree, with the tour's
# ports replaced by free ones and /tmp by a scratch directory; then the
# state each block leaves behind is checked, with deadlines.  TAP.
srcdir=${POOLD_SRCDIR:-.}
. "$srcdir/tests/lib.sh"

for tool in socat curl systemd-socket-activate python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		t_skip "the README's tour" "$tool is not installed"
		t_done
		exit
	fi
done

# The blocks of the section "## A tour", each followed by a line that
# marks its end in the output.
script=$T_DIR/tour.sh
awk '
	/^## / { in_tour = ($0 == "## A tour") }
	in_tour && /^```sh$/ { in_block = 1; n++; next }
	in_block && /^```$/ { in_block = 0; print "echo \"@@ end of block " n "\""; next }
	in_block { print }
' "$srcdir/README.md" >"$script.in"
nblocks=$(grep -c '^echo "@@ end of block' "$script.in")
if [ "$nblocks" -ne 5 ]; then
	t_not_ok "the tour has the 5 blocks this test knows" \
	    "found $nblocks: update tests/readme.sh with the README"
	t_done
	exit
fi
t_ok "the tour has 5 blocks"

p9000=$(t_free_port)
p8001=$(t_free_port)
p8002=$(t_free_port)
p8003=$(t_free_port)
sed -e "s|127\.0\.0\.1:9000|127.0.0.1:$p9000|g" \
    -e "s|127\.0\.0\.1:8001|127.0.0.1:$p8001|g" \
    -e "s|127\.0\.0\.1:8002|127.0.0.1:$p8002|g" \
    -e "s|127\.0\.0\.1:8003|127.0.0.1:$p8003|g" \
    -e "s|/tmp/|$T_DIR/|g" "$script.in" >"$script.sub"
# After block 2, wait (bounded) for the pool's target to be 5: TTIN and
# +2 commute, so that is the count whatever order they arrived in.
# After every block and before every kill, note the pids the daemons
# wrote: they remove their pidfiles as they stop, and the test checks
# that they did stop.
awk -v dir="$T_DIR" '
	/^echo "@@ end of block / || /^kill / {
		print "cat " dir "/*.pid >>" dir "/seen.pids 2>/dev/null || :"
	}
	$0 == "echo \"@@ end of block 2\"" {
		print "i=0; until ./ctl/poolctl pools | grep -Eq \"^echo +[a-z]+ +5 \"; do"
		print "    i=$((i + 1)); [ $i -lt 250 ] || break; sleep 0.02; done"
		print "./ctl/poolctl pools"
	}
	{ print }
' "$script.sub" >"$script"

out=$T_DIR/tour.out
# The blocks talk to daemons they start; each client call is bounded, and
# the whole tour gets a minute.
timeout 60 sh -e "$script" >"$out" 2>&1
rc=$?
t_eq "the tour runs to its end" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$out"

# block N's output
block()
{
	awk -v n="$1" '
		$0 == "@@ end of block " n { exit }
		/^@@ end of block / { text = ""; next }
		{ text = text $0 "\n" }
		END { printf "%s", text }
	' "$out"
}

t_check "block 1: the echo server answers" "hello" "$(block 1)"
t_eq "block 2: TTIN and poolctl scale make 5 workers" "target 5" \
    "$(block 2 | awk '$1 == "echo" && $2 == "exec" { t = $3 }
	END { print "target " t }')"
t_check "block 3: an in-place upgrade" "upgrad" "$(block 3)"
t_check "block 3: a graceful stop" "stopping" "$(block 3)"
t_check "block 4: a static file" "hello from a file" "$(block 4)"
t_check "block 4: the app module" "Hi (worker" "$(block 4)"
t_check "block 5: a socket from systemd-socket-activate" \
    "Hello from poold: pool main" "$(block 5)"

pids=$(sort -u "$T_DIR/seen.pids" 2>/dev/null | tr '\n' ' ')
t_eq "four arbiters wrote pidfiles" 4 "$(echo $pids | wc -w)"
for pid in $pids; do
	if t_until 15 t_gone "$pid"; then
		t_ok "arbiter $pid stopped"
	else
		t_not_ok "arbiter $pid stopped"
		t_pids="$t_pids $pid"	# for t_cleanup
	fi
done
t_done
