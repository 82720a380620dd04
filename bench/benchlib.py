"""What every benchmark script needs: the tree's programs, a free port,
and a process's memory as the kernel sums it.  The scripts run as
`python3 bench/NAME.py`, so bench/ is on sys.path and `import benchlib`
finds this file."""

import os
import socket

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POOLD = os.path.join(TOP, "supervisor", "poold")
POOLCTL = os.path.join(TOP, "ctl", "poolctl")
TWORKER = os.path.join(TOP, "tests", "tworker")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smaps_rollup(pid):
    """/proc/PID/smaps_rollup as {field: KiB}: Rss, Private_Dirty, ..."""
    fields = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":"):
                fields[parts[0][:-1]] = int(parts[1])
    return fields
