#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Supervisor figures: poold against gunicorn, uwsgi and nginx as process
managers, measured the same way, in the same session.

Run from the top of a built tree:  python3 bench/supervisors.py [--runs R]
[--save]   (peers: apt-get install -y gunicorn uwsgi uwsgi-plugin-python3
nginx-light strace wrk; plots need gnuplot-nox)

Every server serves the same tiny response as in bench/http.py (poold with
its built-in sync worker, gunicorn sync with bench/apps/hello_wsgi.py, uwsgi
--master with the same app, nginx with `return 200`).  Since a peer's
workers cannot be watched reaching their accept loop, "N workers up" means,
for every server alike: the master has N worker processes and the port
answers a request.

  cold start       launch until N (4, 16, 64) workers are up
  TTIN             SIGTTIN until the master has one more worker that
                   answers (gunicorn and poold; the others have no TTIN)
  replacement      SIGKILL of the only worker until a request answers:
                   the connection waits in the listen queue, which the
                   master holds, so the answer is the replacement's
  reload           HUP under wrk load (16 connections) until no worker of
                   before is left; wrk's errors and non-2xx counted over
                   the 2 s before it and the 3 s from it, and wrk's p99
                   latency over each
  max_requests     one worker with --max-requests 10, one client asking
                   as fast as it can: requests answered until that worker
                   is gone (nginx has no such limit)
  master RSS       Rss and Private_Dirty of the master (smaps_rollup),
                   4 workers, idle
  idle syscalls    system calls of the master in 10 s idle (strace -c)

Each figure is the median of R runs (3 by default) with min and max; runs
are interleaved across servers.  Writes bench/results/supervisors.md and,
with gnuplot, bench/results/supervisors.png.
"""
import argparse
import importlib.util
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import TOP, conntrack_check, smaps_rollup
spec = importlib.util.spec_from_file_location(
    "bench_http", os.path.join(TOP, "bench", "http.py"))
H = importlib.util.module_from_spec(spec)
spec.loader.exec_module(H)

RESULTS = os.path.join(TOP, "bench", "results", "supervisors.md")
PLOT = os.path.join(TOP, "bench", "results", "supervisors.png")
DEADLINE = 30.0


def servers(tmp, poold):
    return [H.Poold(tmp, poold, "sync"), H.Gunicorn(tmp, "sync"),
            H.Uwsgi(tmp), H.Nginx(tmp)]


def workers_of(srv):
    return H.workers(srv.proc.pid)


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = s.recv(64)
        return data.startswith(b"HTTP/1.")
    except OSError:
        return False


def wait(cond, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if cond():
            return time.monotonic()
        time.sleep(0.0005)
    return None


def start(srv, n):
    H.WORKERS = n
    t0 = time.monotonic()
    srv.start()
    t = wait(lambda: len(workers_of(srv)) >= n and answers(srv.port))
    return None if t is None else (t - t0) * 1000


def cold(srv, n):
    ms = start(srv, n)
    srv.stop()
    return ms


def ttin(srv):
    if not isinstance(srv, (H.Poold, H.Gunicorn)):
        return None
    if start(srv, 4) is None:
        srv.stop()
        return None
    time.sleep(1.2)     # past poold's boot window, gunicorn's boot
    t0 = time.monotonic()
    os.kill(srv.proc.pid, signal.SIGTTIN)
    t = wait(lambda: len(workers_of(srv)) >= 5 and answers(srv.port))
    srv.stop()
    return None if t is None else (t - t0) * 1000


def replacement(srv):
    """ms from SIGKILL of a one-worker server's worker to the first
    answer, which only its replacement can give: a connect and request
    right after the kill wait in the listen queue until it accepts."""
    if start(srv, 1) is None:
        srv.stop()
        return None
    time.sleep(1.2)     # a young poold worker's death would back off
    before = workers_of(srv)
    if len(before) != 1 or not answers(srv.port):
        srv.stop()
        return None
    t0 = time.monotonic()
    os.kill(before[0], signal.SIGKILL)
    t = wait(lambda: answers(srv.port))
    gone = before[0] not in workers_of(srv)
    srv.stop()
    return None if t is None or not gone else (t - t0) * 1000


def wrk(port, seconds):
    return subprocess.Popen(["wrk", "-t1", "-c16", "-d%ds" % seconds,
                             "--latency", "http://127.0.0.1:%d/" % port],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def wrk_errors(out):
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    return errors


def wrk_p99(out):
    """wrk's 99th percentile latency, in ms; None if it has none."""
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[
        m.group(2)]


def reload(srv):
    """HUP under wrk load: (ms until no old worker is left, wrk errors
    during the 2 s before and the 3 s from the HUP, p99 before, p99 over
    the 3 s from the HUP)."""
    if start(srv, 4) is None:
        srv.stop()
        return None, None, None, None
    time.sleep(1.2)
    before = set(workers_of(srv))
    out_before, _ = wrk(srv.port, 2).communicate(timeout=30)
    during = wrk(srv.port, 3)
    time.sleep(0.2)     # wrk has its connections
    t0 = time.monotonic()
    os.kill(srv.proc.pid, signal.SIGHUP)
    t = wait(lambda: not (before & set(workers_of(srv))) and
             len(workers_of(srv)) >= 4, 20)
    out, _ = during.communicate(timeout=30)
    srv.stop()
    return ((None if t is None else (t - t0) * 1000),
            wrk_errors(out_before) + wrk_errors(out), wrk_p99(out_before),
            wrk_p99(out))


def alive(pid):
    """pid runs (a zombie does not count)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def max_requests(srv, n=10, limit=5000, seconds=5.0):
    """One worker with max_requests = n and one client asking as fast as
    it can, a new connection each: the requests answered until that first
    worker is gone.  n exactly means the limit is kept to the request."""
    if isinstance(srv, H.Nginx):
        return None
    argv = srv.argv
    srv.argv = lambda port: argv(port) + ["--max-requests", str(n)]
    try:
        if start(srv, 1) is None:
            srv.stop()
            return None
    finally:
        srv.argv = argv
    time.sleep(1.2)
    first = workers_of(srv)[0]
    count, end = 0, time.monotonic() + seconds
    while alive(first) and count < limit and time.monotonic() < end:
        if answers(srv.port):
            count += 1
    gone = not alive(first)     # before the stop, which ends it anyway
    srv.stop()
    return count if gone else None


def memory(srv):
    if start(srv, 4) is None:
        srv.stop()
        return None, None
    time.sleep(1)
    fields = smaps_rollup(srv.proc.pid)
    srv.stop()
    return fields.get("Rss"), fields.get("Private_Dirty")


def idle_syscalls(srv, seconds=10):
    if shutil.which("strace") is None or start(srv, 4) is None:
        srv.stop()
        return None
    time.sleep(1)
    out = subprocess.run(["timeout", "-s", "INT", str(seconds), "strace",
                          "-c", "-p", str(srv.proc.pid)],
                         capture_output=True, text=True).stderr
    srv.stop()
    m = re.search(r"^\s*100\.00\s+\S+\s+\S+\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def fmt(vals, unit, digits=1):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    return ("%.*f %s (%.*f-%.*f)" % (digits, statistics.median(vals), unit,
                                      digits, min(vals), digits, max(vals)))


def plot(rows, names):
    """Cold start and replacement, one bar group per server."""
    if shutil.which("gnuplot") is None:
        return False
    data = os.path.join(tempfile.gettempdir(), "supervisors.dat")
    with open(data, "w") as f:
        f.write("server cold4 cold16 cold64 replace\n")
        for n in names:
            r = rows[n]
            f.write("%s %s %s %s %s\n" % (n, *[
                "%.2f" % statistics.median([v for v in r[k] if v is not
                                             None]) if any(v is not None
                                                           for v in r[k])
                else "0" for k in ("cold4", "cold16", "cold64", "replace")]))
    script = """set terminal pngcairo size 900,480 font ",10"
set output '%s'
set title 'Supervisors: cold start to N workers up, and replacement after SIGKILL (ms, lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'ms (log)'
set key top left
plot '%s' using 2:xtic(1) title 'cold start, 4', '' using 3 title '16', '' using 4 title '64', '' using 5 title 'replacement'
""" % (PLOT, data)
    r = subprocess.run(["gnuplot"], input=script, text=True,
                       capture_output=True)
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--poold", default=os.path.join(TOP, "supervisor",
                                                     "poold"))
    ap.add_argument("--save", action="store_true")
    a = ap.parse_args()
    # The reload under wrk: servers that close after each reply take
    # ~18,000 connections a second for 4 s each, three of them a run.
    conntrack_check(250000, "bench/supervisors.py")
    keys = ("cold4", "cold16", "cold64", "ttin", "replace", "reload_ms",
            "reload_err", "p99_before", "p99_during", "max_requests", "rss",
            "pd", "syscalls")
    with tempfile.TemporaryDirectory() as tmp:
        srvs = [s for s in servers(tmp, a.poold) if s.available() is None]
        rows = {s.name: {k: [] for k in keys} for s in srvs}
        for run in range(a.runs):
            for s in srvs:
                r = rows[s.name]
                for n in (4, 16, 64):
                    r["cold%d" % n].append(cold(s, n))
                r["ttin"].append(ttin(s))
                r["replace"].append(replacement(s))
                ms, err, p99b, p99d = reload(s)
                r["reload_ms"].append(ms)
                r["reload_err"].append(err)
                r["p99_before"].append(p99b)
                r["p99_during"].append(p99d)
                r["max_requests"].append(max_requests(s))
                if run == 0:
                    rss, pd = memory(s)
                    r["rss"].append(rss)
                    r["pd"].append(pd)
                    r["syscalls"].append(idle_syscalls(s))
                print("run %d %s done" % (run + 1, s.name), file=sys.stderr)
    names = [s.name for s in srvs]
    lines = ["# Supervisor figures", "",
             "Machine: %d cores, %s; `python3 bench/supervisors.py --runs %d"
             "`; %s. Medians, with min-max; runs interleaved across servers."
             % (os.cpu_count(), os.uname().release, a.runs,
                time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
             "", "| figure | " + " | ".join(names) + " |",
             "|---" * (len(names) + 1) + "|"]

    def row(label, key, unit, digits=1):
        lines.append("| %s | " % label + " | ".join(
            fmt(rows[n][key], unit, digits) for n in names) + " |")

    row("cold start to 4 workers up", "cold4", "ms")
    row("cold start to 16 workers up", "cold16", "ms")
    row("cold start to 64 workers up", "cold64", "ms")
    row("TTIN to one more worker up", "ttin", "ms")
    row("replacement after SIGKILL of a worker", "replace", "ms")
    row("HUP under load until no old worker is left", "reload_ms", "ms", 0)
    row("failed requests during that reload (wrk)", "reload_err", "", 0)
    row("p99 latency, the 2 s before the HUP (wrk, 16 connections)",
        "p99_before", "ms", 2)
    row("p99 latency, the 3 s from the HUP", "p99_during", "ms", 2)
    row("max_requests = 10, one worker, one client: requests answered "
        "until that worker is gone", "max_requests", "", 0)
    row("master RSS, 4 workers", "rss", "KiB", 0)
    row("master private dirty, 4 workers", "pd", "KiB", 0)
    row("master system calls in 10 s idle", "syscalls", "", 0)
    lines += ["", "Notes: uwsgi's HUP restarts the workers in a group, and "
              "nginx's starts new workers and lets the old ones finish; "
              "\"n/a\" is a figure the server has no way to produce (no "
              "TTIN). poold's own TTIN to its worker's accept loop, "
              "measured with its test worker, is in foundation.md.", ""]
    # The chart goes with the results file, as http.py's does: a run
    # without --save leaves bench/results/ as it is.
    if a.save and plot(rows, names):
        lines += ["![cold start and replacement](supervisors.png)", ""]
    text = "\n".join(lines)
    print(text)
    if a.save:
        with open(RESULTS, "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
