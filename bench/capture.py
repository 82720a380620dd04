#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""capture_output under a chatty worker: the arbiter's control round trip
and the lines that reach the log.

Run from the top of a built tree:  python3 bench/capture.py [--save]
One exec worker prints --rate lines a second (80 bytes each) for
--seconds; meanwhile `status` is asked over the control socket
--probes times a second.  Reported: the round trip's median and 99th
percentile with the worker printing and with it silent, the lines
printed against the lines in the log, poold's own count of lines lost,
and the arbiter's CPU.  The issue's goal: 10,000 lines a second for
10 s, no round trip median over 1 ms, no line lost uncounted.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import TOP, POOLD, free_port

CHATTY = r"""
import os, sys, time
rate, seconds = int(sys.argv[1]), float(sys.argv[2])
line = ("x" * 70 + " %08d\n")
n, t0 = 0, time.monotonic()
out = os.fdopen(1, "w", buffering=1 << 16)
while True:
    now = time.monotonic() - t0
    if now >= seconds:
        break
    due = int(now * rate)
    while n < due:
        out.write(line % n)
        n += 1
    out.flush()
    time.sleep(0.001)
out.flush()
open(sys.argv[3], "w").write(str(n))
time.sleep(3600)
"""


def rtt(sock_path):
    t0 = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock_path)
        s.sendall(b"status\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    return (time.monotonic() - t0) * 1000, json.loads(buf)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().split(")")[-1].split()
    return int(fields[11]) + int(fields[12])


def probe(sock_path, seconds, per_second):
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        out.append(rtt(sock_path)[0])
        time.sleep(1.0 / per_second)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--probes", type=int, default=50)
    ap.add_argument("--save", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "chatty.py")
        count = os.path.join(tmp, "count")
        log = os.path.join(tmp, "poold.log")
        sock = os.path.join(tmp, "ctl.sock")
        with open(script, "w") as f:
            f.write(CHATTY)
        conf = os.path.join(tmp, "poold.conf")
        with open(conf, "w") as f:
            f.write('error_log = "%s"\ncapture_output = "yes"\n'
                    'pool chatty {\n  listen = { "127.0.0.1:%d" }\n'
                    '  command = { "/usr/bin/python3", "%s", "%d", "%s", '
                    '"%s" }\n  workers = 1\n}\n' % (
                        log, free_port(), script, a.rate, a.seconds, count))
        p = subprocess.Popen([POOLD, "-c", conf, "--control", sock],
                             stdin=subprocess.DEVNULL)
        try:
            while not os.path.exists(sock):
                time.sleep(0.01)
            time.sleep(0.5)
            c0 = cpu_ticks(p.pid)
            busy = probe(sock, a.seconds, a.probes)
            c1 = cpu_ticks(p.pid)
            while not os.path.exists(count):
                time.sleep(0.05)
            time.sleep(0.5)     # the last lines reach the log
            idle = probe(sock, 3, a.probes)
            printed = int(open(count).read())
            status = rtt(sock)[1]
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait()
        with open(log, errors="replace") as f:
            logged = sum(1 for line in f if "] chatty.0: " in line)
    hz = os.sysconf("SC_CLK_TCK")
    q = lambda v, f: sorted(v)[min(len(v) - 1, int(len(v) * f))]
    cap = status.get("capture", {})
    lines = [
        "- worker printing %d lines/s for %.0f s: status round trip median "
        "%.3f ms, p99 %.3f ms (%d probes)" % (a.rate, a.seconds,
                                              statistics.median(busy),
                                              q(busy, 0.99), len(busy)),
        "- worker silent: median %.3f ms, p99 %.3f ms" % (
            statistics.median(idle), q(idle, 0.99)),
        "- lines printed %d, in the log %d, counted lost %d, cut %d" % (
            printed, logged, cap.get("lost", -1), cap.get("cut", -1)),
        "- arbiter CPU while printing: %.1f%% of a core" % (
            100.0 * (c1 - c0) / hz / a.seconds),
    ]
    text = ("# capture_output under a chatty worker\n\n`python3 "
            "bench/capture.py` on %s, %d cores, %s.\n\n" % (
                os.uname().release, os.cpu_count(),
                time.strftime("%Y-%m-%d")) + "\n".join(lines) + "\n")
    sys.stdout.write(text)
    if a.save:
        with open(os.path.join(TOP, "bench", "results", "capture.md"),
                  "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
