# SPDX-License-Identifier: ISC
"""What every benchmark script needs: the tree's programs, a free port,
a process's memory as the kernel sums it, and a check that the
machine's connection tracking can take the connections it will open.  The scripts run as
`python3 bench/NAME.py`, so bench/ is on sys.path and `import benchlib`
finds this file."""

import os
import socket
import sys

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


CT = "/proc/sys/net/netfilter/"


def _ct_read(name):
    try:
        with open(CT + name) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def conntrack_tracks_loopback():
    """(count, max) if netfilter tracks loopback connections in this
    network namespace, else None: the module may be loaded with no rule
    that needs it, so look whether a few connections add entries."""
    before, size = _ct_read("nf_conntrack_count"), _ct_read("nf_conntrack_max")
    if before is None or not size:
        return None
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        for _ in range(8):
            with socket.create_connection(srv.getsockname(), 2):
                srv.accept()[0].close()
    after = _ct_read("nf_conntrack_count")
    return None if after is None or after <= before else (after, size)


def conntrack_check(per_120s, what):
    """Refuse to run a benchmark that opens about per_120s new loopback
    connections in any 120 s where connection tracking would fill up:
    each closed connection keeps an entry for 120 s, and a full table
    drops SYNs, which would be measured as the server's errors and
    latency (BENCHMARKS.md, "Connection tracking")."""
    ct = conntrack_tracks_loopback()
    if ct is None:
        return
    count, size = ct
    if count + per_120s <= size * 3 // 4:
        return
    sys.exit("%s opens about %d connections in 120 s, and connection "
             "tracking is on here with %d of %d entries in use: a full "
             "table drops SYNs and spoils the figures.  Run it in a "
             "network namespace of its own (as root: unshare -n sh -c "
             "'ip link set lo up && ...'), or raise "
             "net.netfilter.nf_conntrack_max; see BENCHMARKS.md."
             % (what, per_120s, count, size))
