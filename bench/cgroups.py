#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""What a cgroup per worker costs built-in workers: cold start of 64, and
TTIN until the new worker answers, with and without cgroups.

Run from the top of a built tree:  python3 bench/cgroups.py [--runs N]
Built-in sync workers fork without an exec, so these are the arbiter's
own costs (bench/foundation.py measures exec'd workers, whose own start
dominates).  "Up" is as bench/supervisors.py has it: the arbiter has the
workers as children and the port answers.  TTIN is measured from an
empty pool (min_workers = 0, scaled to 0): a request waits in the listen
queue, TTIN is sent, and the time to its answer is the new worker's
spawn to accept.  Medians of N runs, with min and max.
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import POOLD, POOLCTL, free_port


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return len(f.read().split())
    except OSError:
        return 0


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


class Pool:
    def __init__(self, tmp, cgroups, workers, min_workers=None):
        self.port = free_port()
        self.sock = os.path.join(tmp, "ctl.%d.sock" % time.monotonic_ns())
        conf = self.sock + ".conf"
        with open(conf, "w") as f:
            f.write("%spool web {\n  listen = { \"127.0.0.1:%d\" }\n"
                    "  workers = %d\n%s}\n" % (
                        "" if cgroups else "cgroups = false\n", self.port,
                        workers, "" if min_workers is None else
                        "  min_workers = %d\n" % min_workers))
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([POOLD, "-c", conf, "--control",
                                      self.sock, "--log-level", "warning"],
                                     stdin=subprocess.DEVNULL)

    def up(self, n, timeout=10.0):
        """Seconds from launch until n workers (and the sentinel) are
        children and the port answers."""
        while time.monotonic() - self.t0 < timeout:
            if children(self.proc.pid) >= n + 1 and answers(self.port):
                return time.monotonic() - self.t0
            time.sleep(0.0005)
        raise TimeoutError("%d workers not up" % n)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def cold(tmp, cgroups, n):
    p = Pool(tmp, cgroups, n)
    try:
        return p.up(n) * 1000
    finally:
        p.stop()


def ttin(tmp, cgroups, runs):
    p = Pool(tmp, cgroups, 1, min_workers=0)
    out = []
    try:
        p.up(1)
        for _ in range(runs):
            subprocess.run([POOLCTL, "-s", p.sock, "scale", "web", "0"],
                           stdout=subprocess.DEVNULL, check=True)
            while children(p.proc.pid) > 1:     # the sentinel alone
                time.sleep(0.001)
            with socket.create_connection(("127.0.0.1", p.port), 1) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                t0 = time.monotonic()
                os.kill(p.proc.pid, signal.SIGTTIN)
                s.settimeout(10)
                s.recv(16)
                out.append((time.monotonic() - t0) * 1000)
    finally:
        p.stop()
    return out


def fmt(v):
    return "%.2f ms (min %.2f, max %.2f)" % (statistics.median(v), min(v),
                                             max(v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for what, fn in (
                ("cold start to 64 built-in workers up",
                 lambda cg: [cold(tmp, cg, 64) for _ in range(a.runs)]),
                ("TTIN until a built-in worker answers",
                 lambda cg: ttin(tmp, cg, a.runs * 3))):
            rows.append("| %s | %s | %s |" % (what, fmt(fn(True)),
                                              fmt(fn(False))))
    sys.stdout.write("| figure | a cgroup per worker | cgroups = false |\n"
                     "|---|---|---|\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
