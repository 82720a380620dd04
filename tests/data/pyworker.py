#!/usr/bin/python3
"""A worker program as a Python author would write one for systemd, with
python3-systemd and nothing poold-specific: it takes its listening socket
from LISTEN_FDS, says READY=1 and, when the supervisor sets WATCHDOG_USEC,
pings the watchdog. Each client gets one line naming the process."""

import os
import socket
import sys

from systemd import daemon

fds = daemon.listen_fds()
if len(fds) != 1:
    sys.exit("pyworker: expected one socket, got %d" % len(fds))
listener = socket.socket(fileno=fds[0])
usec = int(os.environ.get("WATCHDOG_USEC", "0"))
if usec > 0:
    listener.settimeout(usec / 4e6)
daemon.notify("READY=1\nSTATUS=python worker serving")
while True:
    if usec > 0:
        daemon.notify("WATCHDOG=1")
    try:
        conn, _ = listener.accept()
    except (socket.timeout, BlockingIOError):
        continue
    with conn:
        conn.sendall(b"pyworker pid=%d\n" % os.getpid())
