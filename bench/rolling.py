# SPDX-License-Identifier: ISC
"""A Kubernetes rolling update, simulated, and what the health probes cost.

Rolling update: each "pod" is a poold on a port of its own.  A small
load balancer in this script sends every request on a new connection to
one of the endpoints it knows, round robin, as kube-proxy's iptables
rules would.  Each round starts a new pod, waits for its /readyz, adds
it to the endpoints, then does what Kubernetes does: TERM to the old pod
and, at the same moment, its endpoint taken out of the Service -- which
the balancer learns only after a propagation delay (--propagation,
default 1 s; kube-proxy and cloud load balancers take seconds).  A pod
that stops accepting at TERM fails what the balancer still sends it;
drain_delay keeps it serving through the delay.  Run with drain_delay
set and with drain_delay = 0, the failures counted apart by kind.

Probe cost: /readyz asked 100 times a second for --probe-seconds, the
arbiter's CPU time over the same wall time; and its system calls over
10 s when nobody asks (strace).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import benchlib
from benchlib import POOLD, free_port


def get(port, path="/", timeout=2.0):
    """GET path on a new connection: the status, or the failure's kind."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.sendall(b"GET %s HTTP/1.0\r\n\r\n" % path.encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except ConnectionRefusedError:
        return "refused"
    except ConnectionResetError:
        return "reset"
    except OSError:
        return "error"
    if not data.startswith(b"HTTP/1."):
        return "empty"
    return int(data.split()[1])


class Pod:
    """One poold: an async pool on its own port, a metrics listener."""

    def __init__(self, tmp, drain_delay):
        self.port, self.mport = free_port(), free_port()
        conf = os.path.join(tmp, "pod-%d.conf" % self.port)
        with open(conf, "w") as f:
            f.write('drain_delay = %g\nlog_level = "warning"\n'
                    'metrics { listen = "127.0.0.1:%d" }\n'
                    'pool web {\n  listen = { "127.0.0.1:%d" }\n'
                    '  worker = async\n  workers = 2\n}\n'
                    % (drain_delay, self.mport, self.port))
        self.proc = subprocess.Popen(
            [POOLD, "-c", conf, "--control",
             os.path.join(tmp, "pod-%d.sock" % self.port)],
            stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if get(self.mport, "/readyz", 1.0) == 200:
                return
            time.sleep(0.02)
        raise TimeoutError("pod on %d never ready" % self.port)

    def stop(self, sig=signal.SIGTERM, wait=True):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        if wait:
            self.proc.wait(60)


class Balancer:
    """Round robin over the endpoints it knows, a new connection each."""

    def __init__(self, threads):
        self.endpoints = []
        self.lock = threading.Lock()
        self.results = {}
        self.stopping = False
        self.turn = 0
        self.threads = [threading.Thread(target=self.run)
                        for _ in range(threads)]

    def run(self):
        while not self.stopping:
            with self.lock:
                if not self.endpoints:
                    port = None
                else:
                    self.turn += 1
                    port = self.endpoints[self.turn % len(self.endpoints)]
            if port is None:
                time.sleep(0.01)
                continue
            r = get(port)
            with self.lock:
                self.results[r] = self.results.get(r, 0) + 1
            time.sleep(0.004)       # about 250 requests/s per thread

    def add(self, port):
        with self.lock:
            self.endpoints.append(port)

    def remove_later(self, port, delay):
        def later():
            time.sleep(delay)
            with self.lock:
                self.endpoints.remove(port)
        threading.Thread(target=later).start()


def rolling(tmp, rounds, drain_delay, propagation, threads):
    lb = Balancer(threads)
    old = Pod(tmp, drain_delay)
    old.wait_ready()
    lb.add(old.port)
    for t in lb.threads:
        t.start()
    try:
        for _ in range(rounds):
            new = Pod(tmp, drain_delay)
            new.wait_ready()
            lb.add(new.port)
            time.sleep(0.2)
            old.stop(wait=False)            # TERM and the endpoint's
            lb.remove_later(old.port, propagation)  # removal, together
            old.proc.wait(60)
            time.sleep(max(0.0, propagation - drain_delay) + 0.1)
            old = new
    finally:
        lb.stopping = True
        for t in lb.threads:
            t.join()
        old.stop()
    return lb.results


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])    # utime, stime


def probe_cost(tmp, seconds):
    pod = Pod(tmp, 0)
    try:
        pod.wait_ready()
        hz = os.sysconf("SC_CLK_TCK")
        t0, c0 = time.monotonic(), cpu_ticks(pod.proc.pid)
        n, fails, nxt = 0, 0, time.monotonic()
        while time.monotonic() - t0 < seconds:
            nxt += 0.01
            if get(pod.mport, "/readyz") != 200:
                fails += 1
            n += 1
            time.sleep(max(0.0, nxt - time.monotonic()))
        wall, cpu = time.monotonic() - t0, (cpu_ticks(pod.proc.pid) - c0) / hz
        calls = idle_syscalls(pod.proc.pid, tmp)
    finally:
        pod.stop()
    return n, fails, wall, cpu, calls


def idle_syscalls(pid, tmp, seconds=10.0):
    out = os.path.join(tmp, "strace.out")
    try:
        st = subprocess.Popen(["strace", "-qq", "-p", str(pid), "-o", out])
    except FileNotFoundError:
        return None
    time.sleep(seconds)             # the measurement window itself
    st.send_signal(signal.SIGINT)
    st.wait(10)
    with open(out) as f:
        return sum(1 for l in f if l.strip() and not any(
            m in l for m in ("detached", "resumed", "<unfinished")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--drain-delay", type=float, default=2.0)
    ap.add_argument("--propagation", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--probe-seconds", type=float, default=20.0)
    ap.add_argument("--save", action="store_true")
    a = ap.parse_args()
    if not os.access(POOLD, os.X_OK):
        sys.exit("%s not built: run make first" % POOLD)
    per_round = a.threads * 250 * (2.5 + a.drain_delay)
    benchlib.conntrack_check(int(per_round * 120 / (2.5 + a.drain_delay)),
                             "bench/rolling.py")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for delay in (a.drain_delay, 0.0):
            r = rolling(tmp, a.rounds, delay, a.propagation, a.threads)
            ok = r.get(200, 0)
            bad = {k: v for k, v in r.items() if k != 200}
            rows.append(("%d rolling updates, drain_delay %g s, endpoint "
                         "removed %g s after TERM" % (a.rounds, delay,
                                                      a.propagation),
                         "%d requests, %d failed%s" % (
                             ok + sum(bad.values()), sum(bad.values()),
                             "" if not bad else " (" + ", ".join(
                                 "%s %d" % (k, v) for k, v in
                                 sorted(bad.items(), key=str)) + ")")))
        n, fails, wall, cpu, calls = probe_cost(tmp, a.probe_seconds)
        rows.append(("/readyz probed %.0f times a second for %.0f s" % (
            n / wall, wall), "arbiter CPU %.2f%% (%.2f s), %d probe(s) "
            "failed" % (100 * cpu / wall, cpu, fails)))
        rows.append(("arbiter system calls over 10 s, nobody probing",
                     "strace not installed" if calls is None else str(calls)))
    text = ["# poold as a Kubernetes workload", "",
            "Machine: %d cores, %s; %s.  Every request on a new connection;"
            " %d client threads." % (os.cpu_count(), os.uname().release,
                                    time.strftime("%Y-%m-%d"), a.threads),
            "", "| figure | result |", "|---|---|"]
    text += ["| %s | %s |" % r for r in rows]
    print("\n".join(text))
    if a.save:
        with open(os.path.join(benchlib.TOP, "bench", "results",
                               "rolling.md"), "w") as f:
            f.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
