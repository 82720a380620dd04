#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Real programs that fork, as poold's exec workers: what of their trees
outlives a stop, a kill -9 of the arbiter, and an orphan storm.

Run from the top of a built tree:  python3 bench/trees.py [--save]
Programs (Debian 12): lighttpd with server.max-worker (a master that forks
its own workers), Gunicorn (the same, in Python) and a shell script that
starts 30 sleepers and exits after 1.5 s.  Each is skipped, saying so,
where it is not installed:  apt-get install -y lighttpd gunicorn
Writes a Markdown table to stdout (and to bench/results/trees.md with
--save).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from benchlib import TOP, POOLD, POOLCTL, free_port

APP = """def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello\\n"]
"""

LIGHTTPD = """server.document-root = "{root}"
server.port = {port}
server.bind = "127.0.0.1"
server.systemd-socket-activation = "enable"
server.max-worker = 4
server.errorlog = "{root}/error.log"
"""


def wait_for(cond, timeout=10.0, step=0.002):
    """Poll cond until it holds: seconds it took, or None at the limit."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if cond():
            return time.monotonic() - t0
        time.sleep(step)
    return None


def get(port):
    """Whether GET / on port gets an HTTP answer (lighttpd, with no index
    module, answers 403: a server that serves all the same)."""
    try:
        with socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            head = s.recv(64)
            return head.startswith(b"HTTP/1.")
    except OSError:
        return False


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def alive(pids):
    left = []
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split(")")[-1].split()[0] != "Z":
                    left.append(pid)
        except OSError:
            pass
    return left


def descendants(pid):
    """Every process below pid, by /proc's children lists."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


class Poold:
    def __init__(self, tmp, pool):
        self.sock = os.path.join(tmp, "ctl.%d.sock" % time.monotonic_ns())
        self.conf = self.sock + ".conf"
        with open(self.conf, "w") as f:
            f.write(pool)
        self.proc = subprocess.Popen(
            [POOLD, "-c", self.conf, "--control", self.sock, "--log-level",
             "warning"], stdin=subprocess.DEVNULL,
            stderr=open(self.sock + ".log", "w"))

    def ctl(self, *args):
        out = subprocess.run([POOLCTL, "-s", self.sock, "--json"] +
                             list(args), capture_output=True, text=True)
        return json.loads(out.stdout) if out.returncode == 0 else None

    def procs(self):
        r = self.ctl("workers")
        return sum(w.get("processes", 0) for w in r["workers"]) if r else 0

    def end(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def program(name, tmp, port):
    """The pool section for a program, or None if it is not installed."""
    if name == "lighttpd" and shutil.which("lighttpd"):
        root = tempfile.mkdtemp(dir=tmp)
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write("hello\n")
        conf = os.path.join(root, "lighttpd.conf")
        with open(conf, "w") as f:
            f.write(LIGHTTPD.format(root=root, port=port))
        cmd = ["lighttpd", "-D", "-f", conf]
        procs = 5
    elif name == "gunicorn" and shutil.which("gunicorn"):
        with open(os.path.join(tmp, "hello_app.py"), "w") as f:
            f.write(APP)
        cmd = ["gunicorn", "--chdir", tmp, "-w", "3", "-b",
               "127.0.0.1:%d" % port, "hello_app:app"]
        procs = 4
    else:
        return None, 0
    return ('pool main {\n  listen = { "127.0.0.1:%d" }\n  command = %s\n'
            '  workers = 1\n}\n' % (port, json.dumps(cmd).replace("[", "{")
                                   .replace("]", "}"))), procs


def serving(tmp, name):
    """Start the program under poold; (poold, port) once it serves its
    whole tree, or (None, why)."""
    port = free_port()
    pool, procs = program(name, tmp, port)
    if pool is None:
        return None, "not installed"
    pd = Poold(tmp, pool)
    if wait_for(lambda: get(port) and pd.procs() >= procs, 20) is None:
        pd.end()
        return None, "did not serve with %d processes" % procs
    return pd, port


def kill9(tmp, name):
    pd, port = serving(tmp, name)
    if pd is None:
        return "%s: %s" % (name, port)
    tree = descendants(pd.proc.pid)
    n = pd.procs()
    pd.proc.kill()
    pd.proc.wait()
    gone = wait_for(lambda: not alive(tree) and port_free(port), 5)
    again = Poold(tmp, open(pd.conf).read())
    rebound = wait_for(lambda: get(port), 10)
    again.end()
    left = alive(tree)
    return ("%s (%d processes in the worker's tree): kill -9 of the arbiter; "
            "whole tree gone and port free after %s; a new poold on the port "
            "serving after %s; %d left" % (
                name, n, "%.0f ms" % (gone * 1000) if gone is not None else
                "never (5 s)", "%.0f ms" % (rebound * 1000) if rebound
                is not None else "never", len(left)))


def stop(tmp, name):
    pd, port = serving(tmp, name)
    if pd is None:
        return "%s: %s" % (name, port)
    tree = descendants(pd.proc.pid)
    t0 = time.monotonic()
    pd.end()
    took = time.monotonic() - t0
    left = alive(tree)
    return ("%s: TERM to poold; exited after %.0f ms, %d of %d processes "
            "left, port %s" % (name, took * 1000, len(left), len(tree),
                               "free" if port_free(port) else "held"))


def storm(tmp, mode, seconds):
    """A worker that starts 30 sleepers and exits after 1.5 s."""
    port = free_port()
    pd = Poold(tmp, 'pool main {\n  listen = { "127.0.0.1:%d" }\n'
               '  command = { "/bin/sh", "-c", "for i in $(seq 30); do '
               'sleep 600 & done; sleep 1.5; exit 1" }\n  workers = 1\n'
               '  kill_mode = "%s"\n}\n' % (port, mode))
    most = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        most = max(most, len(descendants(pd.proc.pid)))
        time.sleep(0.1)
    r = pd.ctl("stats")
    spawns = r["pools"][0]["spawns"] if r else -1
    tree = descendants(pd.proc.pid)
    pd.end()
    return ("orphan storm, kill_mode = %s, %d s: %d workers started, at "
            "most %d processes under poold, %d left after it stopped" % (
                mode, seconds, spawns, most, len(alive(tree))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--save", action="store_true")
    ap.add_argument("--storm-seconds", type=int, default=15)
    a = ap.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("lighttpd", "gunicorn"):
            lines.append(kill9(tmp, name))
            lines.append(stop(tmp, name))
        for mode in ("mixed", "process"):
            lines.append(storm(tmp, mode, a.storm_seconds))
    text = ("# Real forking programs under poold\n\n`python3 bench/trees.py`"
            " on %s, %d cores, %s.\n\n" % (os.uname().release,
                                           os.cpu_count(),
                                           time.strftime("%Y-%m-%d")) +
            "".join("- %s\n" % line for line in lines))
    sys.stdout.write(text)
    if a.save:
        with open(os.path.join(TOP, "bench", "results", "trees.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
