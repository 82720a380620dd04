#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Control socket figures: status round trip, and the arbiter under 64 clients.

Run from the top of a built tree:  python3 bench/control.py [--save]
- round trip of `status` over one connection: median and p99 of N requests;
- arbiter CPU while 64 clients send `status` as fast as they can for a few
  seconds, and how many worker connections succeeded meanwhile (the pools
  must keep serving).
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import TOP, POOLD, TWORKER, free_port
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS   # utime + stime


def request(sock, f, line):
    sock.sendall(line)
    return f.readline()


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s, s.makefile("rb")


def wait_ready(path, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            s, f = connect(path)
            request(s, f, b"hello\n")
            s.close()
            return
        except OSError:
            time.sleep(0.01)
    sys.exit("poold did not come up")


def round_trips(path, n):
    s, f = connect(path)
    times = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        if not request(s, f, b"status\n").startswith(b'{"ok":true'):
            sys.exit("status failed")
        times.append((time.perf_counter_ns() - t0) / 1000.0)
    s.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def hammer(path, port, clients, seconds):
    stop = time.monotonic() + seconds
    counts = [0] * clients

    def client(i):
        s, f = connect(path)
        while time.monotonic() < stop:
            request(s, f, b"status\n")
            counts[i] += 1
        s.close()

    served = [0, 0]

    def web():
        while time.monotonic() < stop:
            try:
                with socket.create_connection(("127.0.0.1", port), 2) as c:
                    served[0] += c.makefile("rb").readline().startswith(b"pid=")
            except OSError:
                served[1] += 1
                time.sleep(0.01)    # not a reconnect loop at full speed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    threads.append(threading.Thread(target=web))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), served


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--save", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="poold-bench.")
    ctl = os.path.join(tmp, "ctl.sock")
    port = free_port()
    p = subprocess.Popen([POOLD, "--control", ctl, "--log-level", "warning",
                          "-b", "127.0.0.1:%d" % port, "-w", "2", "--", TWORKER],
                         stdin=subprocess.DEVNULL)
    try:
        wait_ready(ctl)
        med, p99 = round_trips(ctl, a.requests)
        cpu0 = cpu_seconds(p.pid)
        t0 = time.monotonic()
        total, (ok, failed) = hammer(ctl, port, 64, a.seconds)
        wall = time.monotonic() - t0
        cpu = cpu_seconds(p.pid) - cpu0
    finally:
        p.terminate()
        p.wait(10)
    rows = [
        ("`status` round trip, one connection (n=%d)" % a.requests,
         "median %.1f us, p99 %.1f us" % (med, p99)),
        ("64 clients hammering `status` for %.0f s" % a.seconds,
         "%d requests (%.0f/s)" % (total, total / wall)),
        ("arbiter CPU meanwhile", "%.0f%% of one core" % (100 * cpu / wall)),
        ("worker connections meanwhile", "%d served, %d failed" % (ok, failed)),
    ]
    text = ["# poold control socket figures", "",
            "Machine: %d cores, %s; %s. The clients run in one Python "
            "process on the same machine, so the figures include its cost."
            % (os.cpu_count(), os.uname().release, time.strftime("%Y-%m-%d")),
            "", "| figure | result |", "|---|---|"]
    text += ["| %s | %s |" % r for r in rows]
    report = "\n".join(text) + "\n"
    sys.stdout.write(report)
    if a.save:
        os.makedirs(os.path.join(TOP, "bench", "results"), exist_ok=True)
        with open(os.path.join(TOP, "bench", "results", "control.md"), "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
