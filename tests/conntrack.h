/* SPDX-License-Identifier: ISC */
/*
 * netfilter's connection tracking, as the tests see it.  Wherever a NAT
 * rule (podman's, Docker's) or a stateful firewall switches it on, every
 * TCP connection, loopback included, takes an entry of a table that is
 * bounded (nf_conntrack_max) and keeps each closed connection for 120 s;
 * when the table is full the kernel drops new SYNs.  A test that saw
 * timeouts reads these figures to tell such a drop from a poold fault.
 *
 * Both files are the calling thread's network namespace's: in a private
 * namespace with no rules, tracking is off and every figure stays 0.
 */
#ifndef POOLD_CONNTRACK_H
#define POOLD_CONNTRACK_H

#include <stdbool.h>

struct ct_sample {
	bool		ct_present;	/* the files exist: the module is
					   loaded (not that it tracks) */
	long		ct_count;	/* entries now */
	long		ct_max;		/* the table's size */
	unsigned long	ct_drops;	/* drop + early_drop + insert_failed,
					   summed over CPUs */
};

/* Read the figures now; ct_present false where there is no conntrack. */
void	ct_sample(struct ct_sample *);

#endif
