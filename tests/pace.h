/* SPDX-License-Identifier: ISC */
/*
 * How fast a test may open loopback connections, and why.
 *
 * Wherever netfilter tracks connections (a NAT rule of podman or Docker,
 * a stateful firewall), each closed loopback connection keeps an entry
 * for 120 s (nf_conntrack_tcp_timeout_time_wait), the table holds
 * 262,144 entries on a default machine of ours (nf_conntrack_max), and
 * a full table drops every new SYN: tests then fail at random, ours or
 * whatever else runs on the machine.  The suite's budget is a quarter of
 * the table, 65,536 entries in any 120 s: 546 new connections a second
 * for the whole machine.  `make check -j2` runs two test programs at
 * once, each running two tests at once (Criterion's jobs, one per core),
 * and no test has more than one loop or load client opening connections
 * at a time: four at most.  In the host's network namespace each opens
 * at most PACE_SHARED a second: 400/s in all, under the budget with room
 * for the single requests of the other tests and for the machine.
 *
 * A test in a private network namespace (h_setup makes one where it may)
 * has no conntrack at all, and goes at PACE_PRIVATE: far more than any
 * scenario needs to have requests in flight at every change of workers,
 * while leaving the two cores to poold rather than to the client.
 */
#ifndef POOLD_PACE_H
#define POOLD_PACE_H

#define PACE_SHARED	100	/* new connections a second, at most */
#define PACE_PRIVATE	1000

#endif
