/* SPDX-License-Identifier: MIT */
/*
 * The scenarios of kgraph_scenarios.  Page numbers are relative to the
 * region base.  A process that goes on after a fork first waits for the
 * child's part to be done (stopped, or exited), and a child that outlives
 * its parent waits for the parent's exit to be complete, so the event
 * stream is in causal order.  nstop processes stop at the end; the driver
 * waits for all of them.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include "kgraph_scen.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define R	PROT_READ

/* mmap RW 4 pages, write 2, fork, the child writes 1 page. */
static void sc_cow(void)
{
	pid_t c;

	ks_map(16, 4, RW);
	ks_write(16, 2);
	c = ks_fork();
	if (!c) {
		ks_write(16, 1);
		ks_stop();
	}
	ks_wait_stopped(c);
	ks_stop();
}

/* Generation g (from 2) writes page g, forks g+1 and exits
 * (KERNEL_MODEL 3.5): from generation 3 on, the child reuses an anon_vma.
 * Generation 5 stops. */
static void generations(void)
{
	int g;

	for (g = 2;; g++) {
		ks_wait_parent_gone();
		ks_write(16 + g, 1);
		if (g == 5)
			ks_stop();
		if (ks_fork())
			ks_exit();
	}
}

static void sc_fork_exit_chain(void)
{
	pid_t c;

	ks_map(16, 8, RW);
	ks_write(16, 8);
	c = ks_fork();
	if (!c) {
		/* generation 1: its parent (P) stays */
		ks_write(17, 1);
		if (!ks_fork())
			generations();
		ks_exit();
	}
	ks_wait_exit(c);
	ks_stop();
}

/* Parent VMA split in 3 by mprotect, then fork: the child gets 3
 * anon_vmas (the root has 3 active VMAs, never reusable). */
static void sc_split_fork(void)
{
	pid_t c;

	ks_map(16, 6, RW);
	ks_write(16, 6);
	ks_prot(18, 2, R);
	c = ks_fork();
	if (!c) {
		ks_write(16, 1);
		ks_stop();
	}
	ks_wait_stopped(c);
	ks_stop();
}

/* P -> C1 -> G; C1 exits; G forks H: H reuses C1's anon_vma, which is
 * not the head of its chain; H forks J (KERNEL_MODEL 3.5). */
static void sc_sibling_reuse(void)
{
	pid_t c1, g, h, j;

	ks_map(16, 4, RW);
	ks_write(16, 4);
	c1 = ks_fork();
	if (!c1) {
		ks_write(16, 1);
		g = ks_fork();
		if (!g) {
			ks_wait_parent_gone();
			ks_write(17, 1);
			h = ks_fork();
			if (!h) {
				ks_write(18, 1);
				j = ks_fork();
				if (!j) {
					ks_write(19, 1);
					ks_stop();
				}
				ks_wait_stopped(j);
				ks_stop();
			}
			ks_wait_stopped(h);
			ks_stop();
		}
		ks_exit();
	}
	ks_wait_exit(c1);
	ks_stop();
}

/* The child splits its copy by munmap, writes, forks. */
static void sc_child_split_fork(void)
{
	pid_t c, g;

	ks_map(16, 8, RW);
	ks_write(16, 8);
	c = ks_fork();
	if (!c) {
		ks_unmap(18, 2);
		ks_write(16, 1);
		ks_write(22, 1);
		g = ks_fork();
		if (!g) {
			ks_write(21, 1);
			ks_stop();
		}
		ks_wait_stopped(g);
		ks_stop();
	}
	ks_wait_stopped(c);
	ks_stop();
}

/* A faulted VMA moved by mremap keeps its pgoff; then fork. */
static void sc_mremap_fork(void)
{
	pid_t c;

	ks_map(16, 4, RW);
	ks_write(16, 4);
	ks_move(16, 4, 128);
	c = ks_fork();
	if (!c) {
		ks_write(129, 1);
		ks_stop();
	}
	ks_wait_stopped(c);
	ks_stop();
}

/* Fork of an unfaulted VMA: the child's write makes a new root. */
static void sc_unfaulted_fork(void)
{
	pid_t c;

	ks_map(16, 4, RW);
	c = ks_fork();
	if (!c) {
		ks_write(17, 1);
		ks_stop();
	}
	ks_wait_stopped(c);
	ks_write(18, 1);
	ks_stop();
}

/* An RWX VMA written after its RW neighbour adopts the neighbour's
 * anon_vma (num_active_vmas 2); then fork. */
static void sc_adopt_fork(void)
{
	pid_t c;

	ks_map(16, 4, RW);
	ks_map(20, 4, RWX);
	ks_write(16, 4);
	ks_write(20, 4);
	c = ks_fork();
	if (!c) {
		ks_write(20, 1);
		ks_stop();
	}
	ks_wait_stopped(c);
	ks_stop();
}

const struct ks_scenario ks_scenarios[] = {
	{ "cow", "mmap RW 4 pages, write 2, fork, child writes 1", 2, sc_cow },
	{ "fork_exit_chain", "5 generations of fork-and-exit: reuse", 2,
	  sc_fork_exit_chain },
	{ "split_fork", "VMA split in 3 by mprotect, fork: 3 anon_vmas", 2,
	  sc_split_fork },
	{ "sibling_reuse", "P->C1->G, C1 exits, G forks H forks J", 4,
	  sc_sibling_reuse },
	{ "child_split_fork", "child munmaps the middle, writes, forks", 3,
	  sc_child_split_fork },
	{ "mremap_fork", "faulted VMA moved by mremap, fork", 2,
	  sc_mremap_fork },
	{ "unfaulted_fork", "fork before any write, both write", 2,
	  sc_unfaulted_fork },
	{ "adopt_fork", "RWX neighbour adopts the RW anon_vma, fork", 2,
	  sc_adopt_fork },
};
const unsigned ks_nr_scenarios = sizeof(ks_scenarios) / sizeof(ks_scenarios[0]);
