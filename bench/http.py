#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""HTTP figures: poold's built-in workers against nginx, gunicorn and uwsgi.

Run from the top of a built tree:  python3 bench/http.py [--runs R] [--save]

Every server gets 2 worker processes and serves a tiny text response on a
free loopback port.  wrk (`wrk -t1 -cN -dSs --latency`) measures each server
at N = 1, 50 and 500 connections, with keep-alive and with
`Connection: close`; h2load (`h2load --h1 -c 50 -m 16`, Debian's
nghttp2-client) with 16 pipelined requests per connection, where the load
generator limits requests/s and the server's CPU per request is the figure
to judge by.  Beside requests/s: the server's CPU per request, in µs
(utime + stime of the master and every descendant, from /proc, over the
run, divided by the requests answered).  Each figure is the median of R
runs with min and max.
Runs are interleaved: for run in 1..R, for each server (started afresh),
for each scenario; so a ratio compares figures from the same stretch of
time.  There is no CPU pinning: wrk and the servers share the machine's
cores, and wrk's own CPU is part of every figure.

Peers come from Debian:
    apt-get install -y wrk nghttp2-client nginx-light gunicorn uwsgi \
        uwsgi-plugin-python3 gnuplot-nox
A peer that is missing or does not come up is reported in the table; the
other servers are still measured.

Options: --runs R (3), --duration S (5), --quick (50 connections only),
--only NAME[,NAME] (a subset of servers), --poold PATH (the binary to
measure, default supervisor/poold), --save (also write
bench/results/http.md).
"""
import argparse
import datetime
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import TOP, conntrack_check, free_port
APPS = os.path.join(TOP, "bench", "apps")
WSGI_FILE = os.path.join(APPS, "hello_wsgi.py")
RESULTS = os.path.join(TOP, "bench", "results", "http.md")

WORKERS = 2                 # worker processes, the same for every server
START_DEADLINE = 20.0       # seconds for a server to answer
STOP_DEADLINE = 20.0        # seconds for a server to exit after its signal
SERVER_ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # no __pycache__
WARMUP = 1                  # seconds of unrecorded load after each start

NGINX_CONF = """\
daemon off;
master_process on;
worker_processes %(workers)d;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %(tmp)s/body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        location / {
            default_type text/plain;
            return 200 "hello\\n";
        }
    }
}
"""


# ---------------------------------------------------------------- servers

def default_signals():
    """In the child before exec: a harness started in the background of a
    shell ignores SIGINT and SIGQUIT, and ignored signals survive exec;
    uwsgi stops on SIGINT and nginx on SIGQUIT, so give them back."""
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


class Server:
    """One server under test; argv() builds its command line for a port."""
    name = ""
    binary = ""
    stop_signal = signal.SIGTERM

    def __init__(self, tmp):
        self.tmp = os.path.join(tmp, self.name)
        self.proc = None
        self.port = None
        self.log = None

    def available(self):
        """None if the server can be started, else why not."""
        if shutil.which(self.binary) is None and not os.access(self.binary,
                                                               os.X_OK):
            return "%s not found" % self.binary
        return None

    def argv(self, port):
        raise NotImplementedError

    def prepare(self, port):
        pass

    def command(self):
        """The command line, for the report (ports and temp dirs generic)."""
        line = " ".join(self.argv(0))
        line = line.replace(self.tmp, "$TMP").replace(TOP + "/", "")
        return line.replace("127.0.0.1:0", "127.0.0.1:$PORT")

    def start(self):
        os.makedirs(self.tmp, exist_ok=True)
        self.port = free_port()
        self.prepare(self.port)
        self.log = open(os.path.join(self.tmp, "server.log"), "ab")
        self.proc = subprocess.Popen(self.argv(self.port), cwd=TOP,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log,
                                     env=SERVER_ENV, start_new_session=True,
                                     preexec_fn=default_signals)

    def log_tail(self, n=3):
        try:
            with open(os.path.join(self.tmp, "server.log"), "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        lines = [l.strip() for l in lines if l.strip()]
        return " / ".join(lines[-n:])

    def stop(self):
        """Signal the server by its pid, wait for it; SIGKILL its process
        group (the session it was started in) if it does not exit."""
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(self.stop_signal)
            try:
                p.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                print("  %s did not exit in %.0fs: SIGKILL" %
                      (self.name, STOP_DEADLINE), file=sys.stderr)
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        # Workers outliving their master would skew the next server.
        left = group_members(p.pid)
        if left:
            deadline = time.monotonic() + 5
            while left and time.monotonic() < deadline:
                time.sleep(0.05)
                left = group_members(p.pid)
            if left:
                print("  %s left %d processes behind: SIGKILL" %
                      (self.name, len(left)), file=sys.stderr)
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()
        self.proc = None


class Nginx(Server):
    name = "nginx"
    binary = "nginx"
    stop_signal = signal.SIGQUIT        # graceful shutdown

    def prepare(self, port):
        with open(os.path.join(self.tmp, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF % {"workers": WORKERS, "tmp": self.tmp,
                                  "port": port})

    def argv(self, port):
        return ["nginx", "-p", self.tmp + "/", "-e", self.tmp + "/error.log",
                "-c", self.tmp + "/nginx.conf"]

    def command(self):
        return ("nginx -p $TMP/ -c $TMP/nginx.conf  (worker_processes %d, "
                "worker_connections 4096, access_log off, "
                "return 200 \"hello\\n\")" % WORKERS)


class Gunicorn(Server):
    binary = "gunicorn"

    def __init__(self, tmp, klass, threads=None):
        self.name = "gunicorn-" + klass
        self.klass = klass
        self.threads = threads
        super().__init__(tmp)

    def argv(self, port):
        a = ["gunicorn", "-w", str(WORKERS), "-k", self.klass,
             "-b", "127.0.0.1:%d" % port, "--chdir", APPS,
             "--log-level", "warning"]
        if self.threads:
            a += ["--threads", str(self.threads)]
        return a + ["hello_wsgi:app"]


class Uwsgi(Server):
    name = "uwsgi"
    binary = "uwsgi"
    stop_signal = signal.SIGINT         # SIGTERM is a reload in uWSGI 2.0

    def argv(self, port):
        return ["uwsgi", "--master", "--processes", str(WORKERS),
                "--http-socket", "127.0.0.1:%d" % port, "--plugin", "python3",
                "--wsgi-file", WSGI_FILE, "--disable-logging", "--need-app"]


class Poold(Server):
    def __init__(self, tmp, binary, klass, threads=0):
        self.name = "poold-" + klass
        self.binary = binary
        self.klass = klass
        self.threads = threads
        super().__init__(tmp)

    def argv(self, port):
        extra = ["--threads", str(self.threads)] if self.threads else []
        return [self.binary, "--control", self.tmp + "/ctl.sock",
                "--log-level", "warning", "-b", "127.0.0.1:%d" % port,
                "-w", str(WORKERS), "-k", self.klass] + extra


# ---------------------------------------------------------- process facts

def proc_stat(pid):
    """(ppid, pgrp) of pid, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[2])


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def children(pid):
    return sorted(p for p in all_pids()
                  if (proc_stat(p) or (None, None))[0] == pid)


def helper(pid):
    """poold's own helpers (poold-sentinel, poold-guardian) are children
    of the arbiter, not workers."""
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().startswith("poold-")
    except OSError:
        return False


def workers(pid):
    """A master's worker processes: its children but poold's helpers."""
    return [p for p in children(pid) if not helper(p)]


def group_members(pgrp):
    return [p for p in all_pids() if (proc_stat(p) or (None, None))[1] == pgrp]


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# -------------------------------------------------------------- readiness

def read_response(sock):
    """One HTTP response off sock: (status line, bytes, server closed)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("connection closed before the headers ended")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = None
    close = False
    for l in lines[1:]:
        k, _, v = l.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
        if k.strip().lower() == "connection" and "close" in v.lower():
            close = True
    if length is None:
        close = True
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    else:
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("connection closed inside the body")
            body += chunk
    return lines[0], len(head) + 4 + len(body), body, close


REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def probe(port):
    """Two requests on one connection: the first's status line, size and
    body, and whether the server kept the connection open for the second."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(REQUEST)
        status, size, body, close = read_response(s)
        keepalive = False
        if not close:
            try:
                s.sendall(REQUEST)
                keepalive = read_response(s)[0].startswith("HTTP/1.")
            except OSError:
                pass
    return status, size, body, keepalive


def wait_ready(server):
    """Wait until the server has its workers and answers; None when it
    does, else why not.  The deadline is START_DEADLINE."""
    deadline = time.monotonic() + START_DEADLINE
    why = "no answer"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            tail = server.log_tail()
            return "exited with status %d%s" % (
                server.proc.returncode, (": " + tail) if tail else "")
        if len(workers(server.proc.pid)) >= WORKERS:
            try:
                status, size, body, keepalive = probe(server.port)
                if not status.startswith("HTTP/1.") or " 200 " not in status:
                    why = "answered %r" % status
                else:
                    server.facts = {"status": status, "size": size,
                                    "body": body, "keepalive": keepalive}
                    return None
            except (OSError, ValueError) as e:
                why = "no answer (%s)" % e
        else:
            why = "fewer than %d workers" % WORKERS
        time.sleep(0.05)
    tail = server.log_tail()
    return "not ready in %.0fs: %s%s" % (START_DEADLINE, why,
                                         (": " + tail) if tail else "")


# -------------------------------------------------------------------- wrk

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def parse_wrk(out):
    """requests/s, p50 and p99 in ms, errors and requests from wrk's output."""
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", out)
    r["requests"] = int(m.group(1)) if m else None
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s(?:\.0+)?%%\s+([\d.]+)(us|ms|s|m|h)\s*$" % pct,
                      out, re.M)
        r[key] = float(m.group(1)) * UNITS[m.group(2)] if m else None
    kinds = {}
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        for k, g in zip(("connect", "read", "write", "timeout"), m.groups()):
            kinds[k] = int(g)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        kinds["non-2xx"] = int(m.group(1))
    r["errors"] = sum(kinds.values())
    r["kinds"] = {k: v for k, v in kinds.items() if v}
    return r


CLK_TCK = os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid):
    """CPU seconds of pid and its descendants, living and reaped (a
    reaped child's time is in its parent's cutime and cstime)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
        # utime, stime, cutime, cstime: fields 14-17, here 11-14.
        total += sum(int(x) for x in fields[11:15]) / CLK_TCK
    return total


def load(argv, duration):
    """A load generator's run: its CompletedProcess, or a failure."""
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=duration + 30)
    except subprocess.TimeoutExpired:
        return {"failed": "%s did not finish" % argv[0]}


def h2load(port, conns, depth, duration):
    p = load(["h2load", "--h1", "-c%d" % conns, "-m%d" % depth,
              "-D%d" % duration, "http://127.0.0.1:%d/" % port], duration)
    if isinstance(p, dict):
        return p
    m = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", p.stdout)
    n = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, "
                  r"(\d+) succeeded, (\d+) failed, (\d+) errored, "
                  r"(\d+) timeout", p.stdout)
    # h2load exits 1 when requests failed: those are counted, not fatal.
    if not m or not n:
        return {"failed": "h2load exited %d: %s" % (
            p.returncode, (p.stderr or p.stdout).strip()[-200:])}
    failed = int(n.group(4)) + int(n.group(5)) + int(n.group(6))
    return {"rps": float(m.group(1)), "requests": int(n.group(3)),
            "p50": None, "p99": None, "errors": failed,
            "kinds": {"failed": failed} if failed else {}}


def measure(server, sc, duration):
    """One scenario against server: the load generator's figures, and the
    server's CPU per request answered."""
    facts = getattr(server, "facts", None)
    if sc[1] == "pipe16" and facts and not facts["keepalive"]:
        # h2load waits for ever on a server that closes after each reply.
        return {"failed": "n/a: closes after each reply"}
    cpu0 = tree_cpu_s(server.proc.pid)
    if sc[1] == "pipe16":
        r = h2load(server.port, sc[0], 16, duration)
    else:
        r = wrk(server.port, sc[0], sc[1], duration)
    cpu = tree_cpu_s(server.proc.pid) - cpu0
    r["cpu_us"] = (cpu * 1e6 / r["requests"] if r.get("requests")
                   else None)
    return r


def wrk(port, conns, close, duration):
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % duration, "--latency"]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append("http://127.0.0.1:%d/" % port)
    p = load(argv, duration)
    if isinstance(p, dict):
        return p
    if p.returncode != 0:
        return {"failed": "wrk exited %d: %s" % (p.returncode,
                                                  p.stderr.strip()[-200:])}
    r = parse_wrk(p.stdout)
    if r["rps"] is None:
        return {"failed": "no Requests/sec in wrk's output"}
    return r


# ---------------------------------------------------------------- figures

def scenarios(quick):
    conns = [50] if quick else [1, 50, 500]
    return [(c, close) for c in conns for close in (False, True)] + \
        ([(50, "pipe16")] if shutil.which("h2load") else [])


def scen_name(sc):
    if sc[1] == "pipe16":
        return "pipelined 16 c%d" % sc[0]
    return "%s c%d" % ("close" if sc[1] else "keep-alive", sc[0])


def fmt_num(v, digits=0):
    if v is None:
        return "-"
    return "{:,.{}f}".format(v, digits)


def fmt_ms(v):
    if v is None:
        return "-"
    if v < 1:
        return "%.0f us" % (v * 1000)
    if v < 100:
        return "%.2f ms" % v
    return "%.0f ms" % v


def spread(vals, fmt):
    """median [min–max] of vals, formatted with fmt."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    med = statistics.median(vals)
    if min(vals) == max(vals):
        return fmt(med)
    return "%s [%s–%s]" % (fmt(med), fmt(min(vals)), fmt(max(vals)))


def run_all(args, servers, scens):
    """The interleaved runs.  results[name][scenario] is a list with one
    dict per run; failures[name] a list of (run, why); rss[name] one dict
    per run that got as far as the end of its scenarios."""
    results = {s.name: {sc: [] for sc in scens} for s in servers}
    failures = {s.name: [] for s in servers}
    rss = {s.name: [] for s in servers}
    for run in range(1, args.runs + 1):
        for s in servers:
            why = s.available()
            if why is None:
                print("run %d/%d  %s: starting" % (run, args.runs, s.name),
                      file=sys.stderr)
                try:
                    s.start()
                    why = wait_ready(s)
                except OSError as e:
                    why = "could not start: %s" % e
            if why is not None:
                print("run %d/%d  %s: FAILED: %s" % (run, args.runs, s.name,
                                                     why), file=sys.stderr)
                failures[s.name].append((run, why))
                s.stop()
                continue
            try:
                wrk(s.port, 50, False, WARMUP)
                for sc in scens:
                    r = measure(s, sc, args.duration)
                    r["run"] = run
                    results[s.name][sc].append(r)
                    print("run %d/%d  %-16s %-14s %s" % (
                        run, args.runs, s.name, scen_name(sc),
                        r.get("failed") or "%.0f req/s, p99 %s, %d errors, "
                        "%s us CPU/req" % (r["rps"], fmt_ms(r["p99"]),
                                           r["errors"],
                                           fmt_num(r["cpu_us"], 1))),
                        file=sys.stderr)
                if s.proc.poll() is not None:
                    failures[s.name].append(
                        (run, "died during the run: " + s.log_tail()))
                else:
                    master = s.proc.pid
                    kids = workers(master)
                    rss[s.name].append({
                        "master": rss_kib(master),
                        "workers": [(k, rss_kib(k)) for k in kids]})
            finally:
                s.stop()
    return results, failures, rss


def error_kinds(runs):
    """The kinds of error seen in any run, e.g. " (read)"."""
    kinds = sorted({k for r in runs for k in r.get("kinds", {})})
    return " (%s)" % ", ".join(kinds) if kinds else ""


def median_of(runs, key):
    vals = [r[key] for r in runs if "failed" not in r and r[key] is not None]
    return statistics.median(vals) if vals else None


def ratio_line(results, label, a, b, sc, key, scens, per_run=True):
    """One ratio a/b of key's medians for scenario sc, with the range of the
    same-run ratios."""
    if sc not in scens:
        return "- %s: not measured (--quick)" % label
    ra, rb = results.get(a, {}).get(sc, []), results.get(b, {}).get(sc, [])
    ma, mb = median_of(ra, key), median_of(rb, key)
    if ma is None or mb is None or mb == 0:
        missing = a if ma is None else b
        return "- %s: n/a (%s has no figure)" % (label, missing)
    line = "- %s: **%.2f**" % (label, ma / mb)
    if key == "rps":
        line += " (%s vs %s req/s" % (fmt_num(ma), fmt_num(mb))
    elif key == "cpu_us":
        line += " (%.1f vs %.1f µs" % (ma, mb)
    else:
        line += " (%s vs %s" % (fmt_ms(ma), fmt_ms(mb))
    if per_run:
        byrun_b = {r["run"]: r[key] for r in rb if "failed" not in r}
        same = [r[key] / byrun_b[r["run"]] for r in ra
                if "failed" not in r and r[key] is not None and
                byrun_b.get(r["run"])]
        if len(same) > 1:
            line += "; same-run ratios %.2f–%.2f" % (min(same), max(same))
    return line + ")"


def command_line():
    """This run's options, less --note (the report prints it apart)."""
    argv, out = sys.argv[1:], []
    while argv:
        a = argv.pop(0)
        if a == "--note":
            argv = argv[1:]
        elif not a.startswith("--note="):
            out.append(shlex.quote(a))
    return " ".join(["python3", "bench/http.py"] + out)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def report(args, servers, scens, results, failures, rss, started, elapsed):
    out = []
    w = out.append
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    w("# poold HTTP figures: built-in workers against nginx, gunicorn "
      "and uwsgi")
    w("")
    w("Machine: %d cores%s, Linux %s; %s (UTC), %.0f minutes; load "
      "average %s before the runs, %s after.  "
      % (os.cpu_count(), (" (" + cpu + ")") if cpu else "",
         platform.release(), started.strftime("%Y-%m-%d %H:%M"),
         elapsed / 60, args.load_before, loadavg()))
    w("**No CPU pinning**: wrk (one thread) and the servers (%d worker "
      "processes each) share the %d cores, so wrk's own CPU use is part of "
      "every figure, and a server's figures are bounded by what wrk leaves "
      "it." % (WORKERS, os.cpu_count()))
    w("")
    w("Method: `wrk -t1 -cN -d%ds --latency` at N = %s, with keep-alive and "
      "with `-H \"Connection: close\"`.  Each cell is the median of %d runs "
      "[min–max]; runs are interleaved (for run in 1..%d, for each server, "
      "started afresh, for each scenario), and each start is followed by "
      "%ds of unrecorded warm-up at 50 connections.  errors = wrk's socket "
      "errors (connect, read, write, timeout) + non-2xx/3xx responses, "
      "with the kinds seen in brackets.  Pipelined: `h2load --h1 -c50 -m16 "
      "-D%ds` (16 requests in flight per connection; h2load's failed, "
      "errored and timed-out requests are the errors; it reports no "
      "percentiles), not run against servers that close after each reply.  "
      "server CPU µs/req = utime + stime of the master and all its "
      "descendants, living and reaped (/proc), over the run, divided by "
      "the requests answered.  "
      "Command: `%s`."
      % (args.duration, ", ".join(str(c) for c in sorted({c for c, _ in scens})),
         args.runs, args.runs, WARMUP, args.duration,
         command_line()))
    w("")
    if args.note:
        w("Note: %s" % args.note)
        w("")
    w("Versions: %s." % "; ".join(tool_versions(args)))
    w("")
    w("## Servers")
    w("")
    w("| server | command | response (bytes incl. headers) | keeps "
      "connections alive |")
    w("|---|---|---|---|")
    for s in servers:
        facts = getattr(s, "facts", None)
        if facts:
            size = "%d" % facts["size"]
            ka = "yes" if facts["keepalive"] else "no (closes after each " \
                "response)"
        else:
            size, ka = "-", "-"
        w("| %s | `%s` | %s | %s |" % (s.name, s.command(), size, ka))
    w("")
    w("## Results")
    w("")
    w("| server | scenario | req/s median [min–max] | server CPU µs/req | "
      "p50 | p99 | errors |")
    w("|---|---|---|---|---|---|---|")
    for s in servers:
        fails = failures[s.name]
        if fails and len(fails) == args.runs:
            w("| %s | all | **FAILED to start** in every run: %s | | | | |"
              % (s.name, fails[0][1].replace("|", "/")))
            continue
        for sc in scens:
            runs = results[s.name][sc]
            ok = [r for r in runs if "failed" not in r]
            bad = [r for r in runs if "failed" in r]
            if not ok:
                why = bad[0]["failed"] if bad else "no run"
                w("| %s | %s | %s | | | | |"
                  % (s.name, scen_name(sc), why if why.startswith("n/a")
                     else "**FAILED**: " + why.replace("|", "/")))
                continue
            note = ""
            if len(ok) < args.runs:
                note = " (%d of %d runs)" % (len(ok), args.runs)
            w("| %s | %s | %s%s | %s | %s | %s | %s |" % (
                s.name, scen_name(sc),
                spread([r["rps"] for r in ok], fmt_num), note,
                spread([r.get("cpu_us") for r in ok],
                       lambda v: fmt_num(v, 1)),
                spread([r["p50"] for r in ok], fmt_ms),
                spread([r["p99"] for r in ok], fmt_ms),
                spread([r["errors"] for r in ok], fmt_num) +
                error_kinds(ok)))
    partial = [(s.name, f) for s in servers for f in failures[s.name]
               if len(failures[s.name]) < args.runs]
    if partial:
        w("")
        w("Partial failures:")
        for name, (run, why) in partial:
            w("- %s, run %d: %s" % (name, run, why))
    w("")
    w("## Ratios")
    w("")
    w("Ratios of the medians above; in brackets the range of the ratios "
      "of figures taken in the same run.")
    w("")
    c50ka, c50cl, c500ka, c500cl = (50, False), (50, True), (500, False), \
        (500, True)
    w(ratio_line(results, "poold-async keep-alive / nginx keep-alive, "
                 "req/s at 50 conns", "poold-async", "nginx", c50ka, "rps",
                 scens))
    for peer in ("gunicorn-sync", "uwsgi", "nginx"):
        w(ratio_line(results, "poold-sync close / %s close, req/s at 50 "
                     "conns" % peer, "poold-sync", peer, c50cl, "rps", scens))
    w(ratio_line(results, "poold-gthread keep-alive / gunicorn-gthread "
                 "keep-alive, req/s at 50 conns", "poold-gthread",
                 "gunicorn-gthread", (50, False), "rps", scens))
    w(ratio_line(results, "server CPU per request at 50 conns, keep-alive: "
                 "poold-async / nginx", "poold-async", "nginx", c50ka,
                 "cpu_us", scens))
    w(ratio_line(results, "server CPU per request, 16 pipelined at 50 "
                 "conns: poold-async / nginx", "poold-async", "nginx",
                 (50, "pipe16"), "cpu_us", scens))
    w(ratio_line(results, "req/s, 16 pipelined at 50 conns: poold-async / "
                 "nginx", "poold-async", "nginx", (50, "pipe16"), "rps",
                 scens))
    w(ratio_line(results, "p99 at 500 conns, keep-alive: poold-async / "
                 "nginx", "poold-async", "nginx", c500ka, "p99", scens))
    w(ratio_line(results, "p99 at 500 conns, close: poold-async / nginx",
                 "poold-async", "nginx", c500cl, "p99", scens))
    w("")
    w("## Worker memory")
    w("")
    w("VmRSS from /proc/PID/status of the master's children (the workers), "
      "read after each run's last scenario, before the server is stopped; "
      "median [min–max] over the runs, and each worker in the last run.")
    w("")
    w("| server | workers' RSS, sum | per worker (last run) | master RSS |")
    w("|---|---|---|---|")
    kib = lambda v: "%s KiB" % fmt_num(v)
    for s in servers:
        runs = rss[s.name]
        if not runs:
            w("| %s | - | - | - |" % s.name)
            continue
        sums = [sum(v for _, v in r["workers"] if v is not None)
                for r in runs]
        last = runs[-1]["workers"]
        per = ", ".join(kib(v) for _, v in last) if last else "no workers"
        w("| %s | %s | %s | %s |" % (
            s.name, spread(sums, kib), per,
            spread([r["master"] for r in runs], kib)))
    w("")
    w("## Notes")
    w("")
    w("- Every server runs %d worker processes; gunicorn-gthread and "
      "poold-gthread add 4 threads per worker." % WORKERS)
    w("- Servers that close the connection after each response (see "
      "\"keeps connections alive\") reconnect in the keep-alive rows too, so "
      "for them keep-alive and close rows measure the same thing.")
    w("- The responses differ in size (see the servers table): poold's "
      "built-in handler answers a line naming the pool, worker and pid.")
    w("- Listen backlogs are each server's default (nginx 511, gunicorn "
      "2048, uwsgi 100, poold 2048), which matters at 500 connections, "
      "and most with Connection: close.")
    w("- wrk counts a *read* error when a server closes a connection that "
      "its last response did not announce as closing (no `Connection: "
      "close` header): wrk expected to reuse it.  A server that does this "
      "after every response shows about one read error per request even "
      "though every response was a complete 200.")
    w("")
    w("## Raw runs")
    w("")
    w("req/s of each run, in run order.")
    w("")
    w("| server | " + " | ".join(scen_name(sc) for sc in scens) + " |")
    w("|---|" + "---|" * len(scens))
    for s in servers:
        cells = []
        for sc in scens:
            cells.append(", ".join(
                "x" if "failed" in r else fmt_num(r["rps"])
                for r in results[s.name][sc]) or "-")
        w("| %s | %s |" % (s.name, " | ".join(cells)))
    return "\n".join(out) + "\n"


def tool_versions(args):
    def first_line(argv, stream="stdout"):
        try:
            p = subprocess.run(argv, capture_output=True, text=True,
                               timeout=10, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return "not found"
        text = (p.stdout or "") + (p.stderr or "")
        return text.strip().splitlines()[0] if text.strip() else "?"
    v = []
    where = args.poold
    if where.startswith(TOP + "/"):
        where = os.path.relpath(where, TOP)
        try:
            rev = subprocess.run(["git", "-C", TOP, "describe", "--always",
                                  "--dirty"], capture_output=True, text=True,
                                 timeout=10).stdout.strip()
            if rev:
                where += " of tree %s" % rev
        except OSError:
            pass
    v.append("%s (%s)" % (first_line([args.poold, "-V"]), where))
    v.append(first_line(["nginx", "-v"]).replace("nginx version: ", ""))
    v.append(first_line(["gunicorn", "--version"]))
    v.append("uwsgi " + first_line(["uwsgi", "--version"]))
    v.append(" ".join(first_line(["wrk", "-v"]).split()[:2]))
    if shutil.which("h2load"):
        v.append(first_line(["h2load", "--version"]))
    v.append("Python %s (harness)" % platform.python_version())
    return v


def plot(servers, scens, results, path):
    """Median requests/s per server for each scenario, as a gnuplot PNG
    (log scale: the servers differ by orders of magnitude); False without
    gnuplot."""
    if shutil.which("gnuplot") is None:
        return False
    names = [s.name for s in servers]
    data = os.path.join(tempfile.gettempdir(), "poold-http-plot.dat")
    with open(data, "w") as f:
        f.write("scenario " + " ".join(names) + "\n")
        for sc in scens:
            vals = []
            for n in names:
                m = median_of(results[n][sc], "rps")
                vals.append("%.0f" % m if m else "1")
            f.write("\"%s\" %s\n" % (scen_name(sc), " ".join(vals)))
    cols = ", ".join("'' using %d title '%s'" % (i + 2, n)
                     for i, n in enumerate(names))
    script = """set terminal pngcairo size 1000,500 font ",10"
set output '%s'
set title 'Hello world, requests/s (median), 2 worker processes each (higher is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'requests/s (log)'
set key outside right
plot '%s' using 2:xtic(1) title '%s'%s
""" % (path, data, names[0], (", " + cols.split(", ", 1)[1]) if
       len(names) > 1 else "")
    return subprocess.run(["gnuplot"], input=script, text=True,
                          capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5,
                    help="seconds per wrk run (default 5)")
    ap.add_argument("--quick", action="store_true",
                    help="50 connections only")
    ap.add_argument("--save", action="store_true",
                    help="also write bench/results/http.md")
    ap.add_argument("--only", default="",
                    help="comma-separated server names")
    ap.add_argument("--note", default="",
                    help="a line of context for the report's header")
    ap.add_argument("--poold", default=os.path.join(TOP, "supervisor",
                                                    "poold"),
                    help="the poold binary (default supervisor/poold)")
    args = ap.parse_args()
    if args.runs < 1 or args.duration < 1:
        ap.error("--runs and --duration must be positive")
    # Connection: close, and the servers that close after each reply,
    # open up to ~20,000 connections a second on two cores.
    conntrack_check(20000 * 120, "bench/http.py")
    args.poold = os.path.abspath(args.poold)
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    scens = scenarios(args.quick)
    tmp = tempfile.mkdtemp(prefix="poold-bench-http.")
    servers = [Nginx(tmp), Gunicorn(tmp, "sync"),
               Gunicorn(tmp, "gthread", threads=4), Uwsgi(tmp),
               Poold(tmp, args.poold, "sync"),
               Poold(tmp, args.poold, "gthread", threads=4),
               Poold(tmp, args.poold, "async")]
    if args.only:
        want = set(args.only.split(","))
        unknown = want - {s.name for s in servers}
        if unknown:
            ap.error("unknown servers: %s" % ", ".join(sorted(unknown)))
        servers = [s for s in servers if s.name in want]
    started = datetime.datetime.now(datetime.timezone.utc)
    args.load_before = loadavg()
    t0 = time.monotonic()
    try:
        results, failures, rss = run_all(args, servers, scens)
    except KeyboardInterrupt:
        for s in servers:
            s.stop()
        raise
    text = report(args, servers, scens, results, failures, rss, started,
                  time.monotonic() - t0)
    sys.stdout.write(text)
    if args.save:
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        png = os.path.join(os.path.dirname(RESULTS), "http.png")
        if plot(servers, scens, results, png):
            text += "\n![requests per second](http.png)\n"
        with open(RESULTS, "w") as f:
            f.write(text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
