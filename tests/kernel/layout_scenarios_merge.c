/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout scenarios: mprotect and mmap merges and splits in one
 * process.
 */
#define _GNU_SOURCE
#include "layout_scenarios.h"

/* O3 (and unfaulted): mprotect the middle R, then back. */
void sc_o3(void)
{
	do_map(256, 8, RW);
	do_write(256, 8);
	checkpoint("faulted", 1);
	do_prot(258, 2, R);
	checkpoint("split", 3);
	do_prot(258, 2, RW);
	checkpoint("remerged", 1);
	do_map(512, 8, RW);	/* unfaulted: RW->R drops VM_ACCOUNT */
	do_prot(514, 2, R);
	checkpoint("unfaulted-split", 4);
	do_prot(514, 2, RW);
	checkpoint("unfaulted-remerged", 2);
}

/* O8: RWX written after RW adopts its anon_vma; mprotect RWX->RW merges. */
void sc_o8(void)
{
	do_map(256, 4, RW);
	do_map(260, 4, RWX);
	do_write(256, 4);
	do_write(260, 4);
	checkpoint("written", 2);
	do_prot(260, 4, RW);
	checkpoint("merged", 1);
}

/* O9: RW (accounted) next to R written via /proc/self/mem: two roots;
 * making the R part RW (adds VM_ACCOUNT) leaves them separate. */
void sc_o9(void)
{
	do_map(256, 4, RW);
	do_map(260, 4, R);
	do_write(256, 4);
	do_memwrite(260, 4);
	checkpoint("written", 2);
	do_prot(260, 4, RW);
	checkpoint("mprotect-rw", 2);
}

/* Three-way merge refused: prev and next have different anon_vmas, the
 * unfaulted middle becomes compatible by mprotect: only prev absorbs it.
 * With a faulted middle (third anon_vma) nothing merges.  The same with a
 * new mmap between two faulted VMAs. */
void sc_threeway(void)
{
	do_map(256, 2, RW);
	do_map(258, 2, R);
	do_map(260, 2, RW);
	do_write(256, 2);
	do_write(260, 2);
	checkpoint("setup", 3);
	do_prot(258, 2, RW);
	checkpoint("prev-absorbs-middle", 2);

	do_map(512, 2, RW);
	do_map(514, 2, R);
	do_map(516, 2, RW);
	do_write(512, 2);
	do_memwrite(514, 2);
	do_write(516, 2);
	do_prot(514, 2, RW);
	checkpoint("faulted-middle", 5);

	do_map(768, 2, RW);
	do_write(768, 2);
	do_map(772, 2, RW);
	do_write(772, 2);
	do_map(770, 2, RW);
	checkpoint("mmap-between", 7);
}

/* mprotect PROT_NONE: an unfaulted VMA loses VM_ACCOUNT and merges into
 * the PROT_NONE reservation around it, a faulted one keeps it. */
void sc_prot_none(void)
{
	do_map(256, 4, RW);
	do_map(264, 4, RW);
	do_write(264, 4);
	do_prot(256, 4, PROT_NONE);
	checkpoint("unfaulted-none", 1);
	do_prot(264, 4, PROT_NONE);
	checkpoint("faulted-none", 0);
	do_prot(264, 4, RW);
	checkpoint("faulted-rw-again", 1);
}

/* §5.4: a fresh mmap directly below a faulted VMA merges into it. */
void sc_mmap_below(void)
{
	do_map(260, 4, RW);
	do_write(260, 4);
	do_map(256, 4, RW);
	checkpoint("merged-below", 1);
	do_write(256, 4);
	checkpoint("written", 1);
}

/* vma_merge_existing_range() with a range at one end of the middle VMA
 * (__adjust_next_start / __adjust_middle_start), a split in 3, and merges
 * over the whole run. */
void sc_partial_adjust(void)
{
	do_map(256, 4, RW);
	do_map(260, 4, RWX);
	do_write(256, 4);
	do_write(260, 4);
	do_prot(258, 2, RWX);
	checkpoint("next-grows-down", 2);
	do_prot(260, 2, RW);
	checkpoint("split-in-3", 4);
	do_prot(258, 2, RW);
	checkpoint("three-way", 2);
	do_prot(256, 6, RWX);
	checkpoint("all-rwx", 1);
	do_prot(262, 2, RW);
	checkpoint("prev-grows-up", 2);
}
