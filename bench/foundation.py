#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Supervisor figures for the foundation: cold start, TTIN, RSS, idle syscalls.

Run from the top of a built tree:  python3 bench/foundation.py [--runs N]
Writes a Markdown table to stdout (and to bench/results/foundation.md with
--save).  Each figure is the median of N runs with min and max, since the
machines are shared and noisy.  Workers are tests/tworker: it writes a
"start" line to its log right before it starts polling its sockets, so
"accepting" below means "reached its accept loop".
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import TOP, POOLD, TWORKER, free_port, smaps_rollup


def count_lines(path, needle):
    try:
        with open(path) as f:
            return sum(needle in line for line in f)
    except FileNotFoundError:
        return 0


def wait_for(cond, timeout=10.0):
    """Poll cond every 0.2 ms until it holds; the time it first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return time.monotonic()
        time.sleep(0.0002)
    raise TimeoutError("condition not met")


class Poold:
    cgroups = True      # --no-cgroups: process groups only, to compare

    def __init__(self, workers, tmp):
        self.wlog = os.path.join(tmp, "workers.%d.log" % time.monotonic_ns())
        conf = []
        if not Poold.cgroups:
            path = self.wlog + ".conf"
            with open(path, "w") as f:
                f.write("cgroups = false\n")
            conf = ["-c", path]
        # A control socket of its own: the default one may be an
        # installed poold's.
        self.args = [POOLD] + conf + ["-b", "127.0.0.1:%d" % free_port(), "-w",
                     str(workers), "--log-level", "warning", "--control",
                     self.wlog + ".sock", "--", TWORKER, "--log", self.wlog]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL)
        return self

    def starts(self):
        return count_lines(self.wlog, "start ")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def cold_start(n, tmp):
    p = Poold(n, tmp)
    t0 = time.monotonic()
    p.start()
    try:
        t1 = wait_for(lambda: p.starts() >= n)
    finally:
        p.stop()
    return (t1 - t0) * 1000


def ttin(tmp):
    p = Poold(2, tmp).start()
    try:
        wait_for(lambda: p.starts() >= 2)
        t0 = time.monotonic()
        p.proc.send_signal(signal.SIGTTIN)
        t1 = wait_for(lambda: p.starts() >= 3)
    finally:
        p.stop()
    return (t1 - t0) * 1000


def memory(tmp):
    p = Poold(16, tmp).start()
    try:
        wait_for(lambda: p.starts() >= 16)
        fields = smaps_rollup(p.proc.pid)
    finally:
        p.stop()
    return fields.get("Rss", 0), fields.get("Private_Dirty", 0)


def idle_syscalls(tmp, seconds):
    """strace the arbiter alone (not its workers) while nothing happens."""
    p = Poold(4, tmp).start()
    out = os.path.join(tmp, "strace.out")
    try:
        wait_for(lambda: p.starts() >= 4)
        st = subprocess.Popen(["strace", "-qq", "-p", str(p.proc.pid),
                               "-o", out])
        time.sleep(seconds)            # the measurement window itself
        st.send_signal(signal.SIGINT)
        st.wait(10)
    finally:
        p.stop()
    with open(out) as f:
        lines = [l for l in f if l.strip()]
    # The epoll_wait that strace attaches to and detaches from shows as
    # "<detached ...>" (or unfinished/resumed): not a call made in the window.
    return sum(not any(m in l for m in ("detached", "resumed", "<unfinished"))
               for l in lines)


def summary(values, unit):
    med = statistics.median(values)
    return "%.2f %s (min %.2f, max %.2f, n=%d)" % (med, unit, min(values),
                                                   max(values), len(values))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--save", action="store_true")
    ap.add_argument("--no-cgroups", action="store_true",
                    help="cgroups = false: workers get process groups only")
    a = ap.parse_args()
    Poold.cgroups = not a.no_cgroups
    for path in (POOLD, TWORKER):
        if not os.access(path, os.X_OK):
            sys.exit("%s not built: run make check first" % path)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (4, 16, 64):
            rows.append(("cold start to %d workers accepting" % n,
                         summary([cold_start(n, tmp) for _ in range(a.runs)],
                                 "ms")))
        rows.append(("TTIN until the new worker accepts",
                     summary([ttin(tmp) for _ in range(a.runs)], "ms")))
        rss, dirty = memory(tmp)
        rows.append(("arbiter RSS with 16 workers", "%d KiB" % rss))
        rows.append(("arbiter private dirty memory", "%d KiB" % dirty))
        try:
            calls = idle_syscalls(tmp, a.idle_seconds)
            rows.append(("arbiter system calls over %.0f s idle"
                         % a.idle_seconds, str(calls)))
        except FileNotFoundError:
            rows.append(("arbiter system calls idle", "strace not installed"))
    text = ["# poold foundation figures", "",
            "Machine: %d cores, %s; %s; %s." % (
                os.cpu_count(), os.uname().release, time.strftime("%Y-%m-%d"),
                "a cgroup per worker where possible" if Poold.cgroups else
                "cgroups = false"),
            "", "| figure | result |", "|---|---|"]
    text += ["| %s | %s |" % r for r in rows]
    report = "\n".join(text) + "\n"
    sys.stdout.write(report)
    if a.save:
        os.makedirs(os.path.join(TOP, "bench", "results"), exist_ok=True)
        with open(os.path.join(TOP, "bench", "results", "foundation.md"),
                  "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
