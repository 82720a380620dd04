#!/bin/bash
# SPDX-License-Identifier: ISC
# poold in a real container, as an orchestrator runs it, as TAP: podman
# (Debian's) runs an image built here from scratch (no registry: the
# poold just built, the libraries it links and deploy/poold.conf with a
# short drain), its ports published on 127.0.0.1 only.  The probes
# answer on the manifest's paths; poold is PID 1 and logs JSON; a CPU
# limit sizes the pool; `podman stop` drains (/readyz fails while the
# pool serves) and poold exits 0.  Where podman cannot run, each check
# says why and skips.
srcdir=${POOLD_SRCDIR:-.}
poold=${POOLD:-supervisor/poold}
. "$srcdir/tests/lib.sh"

echo "1..7"
name=poold-test-$$
image=localhost/$name
skip_all()
{
	for what in "image builds" "probes answer" "PID 1, JSON logs" \
	    "a CPU limit sizes the pool" "stop drains" "app served while \
draining" "exit 0 after the drain"; do
		t_skip "$what" "$1"
	done
	t_cleanup
	exit 0
}

# A sanitized build (distcheck's) reports at exit what the image's empty
# root cannot take; the plain build's check runs this.
[ "$POOLD_SANITIZED" != yes ] || skip_all "a sanitized build"
command -v podman >/dev/null 2>&1 || skip_all "podman is not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root (rootful podman)"
t_containers_conf	# lib.sh: runc, cgroupfs, this machine's limits
if ! out=$(podman info 2>&1); then
	skip_all "podman cannot run here: $(printf '%s' "$out" | tail -n 1)"
fi

cleanup()
{
	podman rm -f "$name" "$name-cpu" >/dev/null 2>&1
	podman rmi -f "$image" >/dev/null 2>&1
	t_cleanup
}
trap cleanup EXIT

# The image: what the binary needs and nothing else.
ctx=$T_DIR/ctx
mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/etc/poold"
cp "$poold" "$ctx/rootfs/usr/local/bin/poold"
for lib in $(ldd "$poold" | awk '/=> \// { print $3 } /^\t\// { print $1 }')
do
	mkdir -p "$ctx/rootfs$(dirname "$lib")"
	cp -L "$lib" "$ctx/rootfs$lib"
done
sed 's/^drain_delay = .*/drain_delay = 2/' "$srcdir/deploy/poold.conf" \
    >"$ctx/rootfs/etc/poold/poold.conf"
cat >"$ctx/Containerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/poold", "-c", "/etc/poold/poold.conf"]
EOF
if out=$(podman build -q -t "$image" "$ctx" 2>&1); then
	t_ok "image builds"
else
	t_not_ok "image builds" "$out"
	exit 0
fi

# The ports and probe paths of deploy/kubernetes.yaml.
k8s=$srcdir/deploy/kubernetes.yaml
probe_path() { sed -n "s/.*$1: {httpGet: {path: \([^,]*\),.*/\1/p" "$k8s"; }
hport=$(sed -n 's/.*name: health, containerPort: \([0-9]*\).*/\1/p' "$k8s")
aport=$(sed -n 's/.*name: http, containerPort: \([0-9]*\).*/\1/p' "$k8s")
hp=$(t_free_port)
ap=$(t_free_port)
podman run -d --name "$name" -p "127.0.0.1:$hp:$hport" \
    -p "127.0.0.1:$ap:$aport" "$image" >"$T_DIR/run.out" 2>&1
get() { curl -s -m 2 -o /dev/null -w '%{http_code}' "$1"; }
is() { [ "$(get "$2")" = "$1" ]; }
if t_until 20 is 200 "http://127.0.0.1:$hp$(probe_path startupProbe)" &&
    is 200 "http://127.0.0.1:$hp$(probe_path livenessProbe)" &&
    is 200 "http://127.0.0.1:$hp$(probe_path readinessProbe)" &&
    is 200 "http://127.0.0.1:$ap/"; then
	t_ok "probes answer"
else
	t_not_ok "probes answer" "$(cat "$T_DIR/run.out")" \
	    "$(podman logs "$name" 2>&1 | tail -n 5)"
fi

logs=$(podman logs "$name" 2>&1)
if printf '%s\n' "$logs" | grep -q '"message":"arbiter running (pid 1)' &&
    printf '%s\n' "$logs" | python3 -c 'import json, sys
for line in sys.stdin:
    json.loads(line)'; then
	t_ok "PID 1, JSON logs"
else
	t_not_ok "PID 1, JSON logs" "$(printf '%s\n' "$logs" | head -n 5)"
fi

# --cpus 1 is a CFS quota on the container's cgroup, as Kubernetes'
# resources.limits.cpu: 2 x 1 + 1 workers.
podman run -d --name "$name-cpu" --cpus 1 "$image" >/dev/null 2>&1
if t_until 10 sh -c "podman logs $name-cpu 2>&1 | grep -q '1 CPU(s) to use, \
by the cgroup CPU quota.*: 3 workers'"; then
	t_ok "a CPU limit sizes the pool"
else
	t_not_ok "a CPU limit sizes the pool" \
	    "$(podman logs "$name-cpu" 2>&1 | grep CPU)"
fi
podman rm -f "$name-cpu" >/dev/null 2>&1

# podman stop: TERM, then KILL after 30 s, which the drain never needs.
podman stop -t 30 "$name" >"$T_DIR/stop.out" 2>&1 &
stopper=$!
t_pids="$t_pids $stopper"
ready=http://127.0.0.1:$hp$(probe_path readinessProbe)
if t_until 5 is 503 "$ready"; then
	t_ok "stop drains"
else
	t_not_ok "stop drains" "readiness: $(get "$ready")"
fi
t_eq "app served while draining" 200 "$(get "http://127.0.0.1:$ap/")"
wait "$stopper"
t_eq "exit 0 after the drain" 0 \
    "$(podman inspect --format '{{.State.ExitCode}}' "$name" 2>&1)"
exit 0
