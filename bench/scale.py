#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Autoscaling figures: how fast a backlog pool grows under a load step,
how long the first request takes from zero workers (ondemand), and what
sampling costs the arbiter.

Run from the top of a built tree:  python3 bench/scale.py [--runs N] [--save]
Each figure is the median of N runs with min and max.  The worker for the
load step is tests/tworker --slow 100: 100 ms per client, so 16 clients
kept busy need 8 workers for the queue to drain at 80 clients/s.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import TOP, POOLD, POOLCTL, TWORKER, free_port


class Poold:
    def __init__(self, tmp, body):
        self.ctl = os.path.join(tmp, "ctl.%d.sock" % time.monotonic_ns())
        conf = os.path.join(tmp, "poold.%d.conf" % time.monotonic_ns())
        with open(conf, "w") as f:
            f.write('control { socket = "%s" }\nlog_level = "warning"\n%s'
                    % (self.ctl, body))
        self.proc = subprocess.Popen([POOLD, "-c", conf],
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.ctl):
            if time.monotonic() > deadline:
                raise TimeoutError("poold did not start")
            time.sleep(0.01)

    def status(self):
        out = subprocess.run([POOLCTL, "-s", self.ctl, "--json", "status"],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    def cpu_ns(self):
        """Time on a CPU so far, in ns (schedstat: finer than ticks)."""
        with open("/proc/%d/schedstat" % self.proc.pid) as f:
            return int(f.read().split()[0])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def client_loop(port, stop, done):
    """One client, reconnecting as soon as it is answered."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) \
                    as s:
                while s.recv(4096):
                    pass
            done.append(1)
        except OSError:
            time.sleep(0.01)


def load_step(tmp, clients=16, need=8):
    """Seconds from 16 clients at once to a target of 8 workers."""
    port = free_port()
    p = Poold(tmp, 'pool web {\n listen = { "127.0.0.1:%d" }\n'
              ' command = { "%s", "--slow", "100" }\n workers = 1\n'
              ' min_workers = 1\n max_workers = %d\n scale = "backlog"\n'
              ' scale_up_after = 0.2\n scale_cooldown = 0.2\n'
              ' scale_down_after = 30\n}\n' % (port, TWORKER, need))
    time.sleep(1.2)
    stop, done = threading.Event(), []
    threads = [threading.Thread(target=client_loop, args=(port, stop, done))
               for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    reached = None
    while time.monotonic() - t0 < 30:
        if p.status()["pools"][0]["target"] >= need:
            reached = time.monotonic() - t0
            break
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join()
    p.stop()
    return reached


def first_request(tmp, builtin):
    """Milliseconds from connect to the whole answer, from zero workers."""
    port = free_port()
    worker = (' worker = sync\n' if builtin else
              ' command = { "%s" }\n' % TWORKER)
    p = Poold(tmp, 'pool web {\n listen = { "127.0.0.1:%d" }\n%s'
              ' workers = 1\n scale = "ondemand"\n}\n' % (port, worker))
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        if builtin:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while s.recv(4096):
            pass
    ms = (time.monotonic() - t0) * 1000
    p.stop()
    return ms


def sampling_cpu(tmp, seconds=10):
    """Arbiter CPU (% of one core) while a backlog pool is sampled every
    0.1 s, with nothing else happening."""
    port = free_port()
    p = Poold(tmp, 'pool web {\n listen = { "127.0.0.1:%d" }\n'
              ' command = { "%s" }\n workers = 2\n scale = "backlog"\n}\n'
              % (port, TWORKER))
    time.sleep(1.5)
    before, t0 = p.cpu_ns(), time.monotonic()
    time.sleep(seconds)
    used = (p.cpu_ns() - before) / 1e9
    elapsed = time.monotonic() - t0
    p.stop()
    return 100.0 * used / elapsed


def summary(values, unit, fmt="%.1f"):
    vals = [v for v in values if v is not None]
    if not vals:
        return "not reached"
    return (fmt + " %s (min " + fmt + ", max " + fmt + ", n=%d)") % (
        statistics.median(vals), unit, min(vals), max(vals), len(vals))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--save", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        step = [load_step(tmp) for _ in range(a.runs)]
        fb = [first_request(tmp, True) for _ in range(a.runs)]
        fe = [first_request(tmp, False) for _ in range(a.runs)]
        cpu = [sampling_cpu(tmp) for _ in range(max(1, a.runs // 2))]
    lines = [
        "# Autoscaling figures",
        "",
        "Machine: %d cores; `python3 bench/scale.py --runs %d`; medians."
        % (os.cpu_count(), a.runs),
        "",
        "| figure | value |",
        "|---|---|",
        "| backlog: 16 clients at once (100 ms each) to a target of 8 "
        "workers (scale_up_after 0.2 s, cooldown 0.2 s) | %s |"
        % summary(step, "s", "%.2f"),
        "| ondemand, built-in sync: first request from zero workers | %s |"
        % summary(fb, "ms"),
        "| ondemand, exec worker: first connection answered from zero | %s |"
        % summary(fe, "ms"),
        "| arbiter CPU while sampling one backlog pool every 0.1 s | %s |"
        % summary(cpu, "% of a core", "%.3f"),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if a.save:
        with open(os.path.join(TOP, "bench", "results", "scale.md"),
                  "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
