/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout scenarios: what fork children inherit, and how their VMAs
 * merge.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "layout_scenarios.h"

/* O10: unfaulted RW + faulted RWX; mprotect RWX->RW merges in the
 * process that faulted it, not in a fork child. */
void sc_o10(void)
{
	pid_t c;

	do_map(256, 4, RW);
	do_map(260, 4, RWX);
	do_write(260, 4);
	checkpoint("setup", 2);
	c = do_fork();
	if (c == 0) {
		do_prot(260, 4, RW);
		checkpoint("child-mprotect", 2);
		_exit(0);
	}
	do_wait(c);
	do_prot(260, 4, RW);
	checkpoint("parent-mprotect", 1);
}

/* O11: a fork child's new mmap next to an inherited faulted VMA (above
 * and below) is not merged; the parent's is. */
void sc_o11(void)
{
	pid_t c;

	do_map(256, 4, RW);
	do_write(256, 4);
	c = do_fork();
	if (c == 0) {
		do_map(260, 4, RW);
		checkpoint("child-mmap-above", 2);
		do_write(260, 4);
		checkpoint("child-written", 2);
		do_map(252, 4, RW);
		checkpoint("child-mmap-below", 3);
		_exit(0);
	}
	do_wait(c);
	do_map(260, 4, RW);
	checkpoint("parent-mmap-above", 1);
	do_map(252, 4, RW);
	checkpoint("parent-mmap-below", 1);
}

/* O12: brk growth.  P itself is a fork child of the driver (its [heap]
 * has a two-entry chain), so its first growth makes a new [heap] VMA,
 * later growth merges into that; its own fork child C repeats it. */
void sc_o12(void)
{
	pid_t c;

	do_brk_grow(2);
	checkpoint("p-grow1", 0);
	do_brk_grow(2);
	checkpoint("p-grow2", 0);
	c = do_fork();
	if (c == 0) {
		do_brk_grow(2);
		checkpoint("c-grow1", 0);
		do_brk_grow(2);
		checkpoint("c-grow2", 0);
		_exit(0);
	}
	do_wait(c);
	do_brk_grow(2);
	checkpoint("p-grow3", 0);
}

/* O22: a parent VMA split in 3, then fork: the child's pieces have three
 * anon_vmas and never merge again; the parent's do.  A child of the
 * re-merged parent splits and re-merges (one anon_vma). */
void sc_o22(void)
{
	pid_t c;

	do_map(256, 6, RW);
	do_write(256, 6);
	do_prot(258, 2, R);
	c = do_fork();
	if (c == 0) {
		do_prot(258, 2, RW);
		checkpoint("child-mprotect-back", 3);
		_exit(0);
	}
	do_wait(c);
	do_prot(258, 2, RW);
	checkpoint("parent-mprotect-back", 1);
	c = do_fork();
	if (c == 0) {
		do_prot(258, 2, R);
		checkpoint("child2-split", 3);
		do_prot(258, 2, RW);
		checkpoint("child2-remerged", 1);
		_exit(0);
	}
	do_wait(c);
}

/* O7: MADV_DONTFORK / MADV_WIPEONFORK pieces and what the child sees. */
void sc_dontfork(void)
{
	pid_t c;

	do_map(256, 8, RW);
	do_write(256, 8);
	do_madv(258, 2, MADV_DONTFORK, "dontfork");
	do_madv(261, 2, MADV_WIPEONFORK, "wipeonfork");
	checkpoint("parent-advised", 5);
	c = do_fork();
	if (c == 0) {
		checkpoint("child-after-fork", 4);
		do_madv(261, 2, MADV_KEEPONFORK, "keeponfork");
		checkpoint("child-keeponfork", 4);
		do_write(261, 2);
		do_map(258, 2, RW);
		checkpoint("child-mmap-hole", 5);
		_exit(0);
	}
	do_wait(c);
	do_madv(258, 2, MADV_DOFORK, "dofork");
	checkpoint("parent-dofork", 3);
	do_madv(261, 2, MADV_KEEPONFORK, "keeponfork");
	checkpoint("parent-keeponfork", 1);
}

/* mlock splits; a fork child inherits the pieces unlocked, with equal
 * flags but one anon_vma each: they stay apart; the parent re-merges. */
void sc_mlock_fork(void)
{
	pid_t c;

	do_map(256, 6, RW);
	do_write(256, 6);
	do_mlock(258, 2, true);
	checkpoint("parent-locked", 3);
	c = do_fork();
	if (c == 0) {
		checkpoint("child-unlocked-pieces", 3);
		do_mlock(258, 2, true);
		do_mlock(258, 2, false);
		checkpoint("child-lock-unlock", 3);
		_exit(0);
	}
	do_wait(c);
	do_mlock(258, 2, false);
	checkpoint("parent-unlocked", 1);
}
