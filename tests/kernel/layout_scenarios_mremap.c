/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout scenarios: mremap moves, growth in place and shrinking,
 * with and without fork.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "layout_scenarios.h"

/* O13: move the faulted upper half far away (pgoff kept); a fresh
 * neighbour there does not merge; moving it back re-merges. */
void sc_o13(void)
{
	do_map(256, 8, RW);
	do_write(256, 8);
	do_move(260, 4, FAR, false);
	checkpoint("moved", 2);
	do_map(FAR + 4, 4, RW);
	checkpoint("far-neighbour", 3);
	do_write(FAR + 4, 4);
	checkpoint("far-neighbour-written", 3);
	do_move(FAR, 4, 260, false);
	checkpoint("moved-back", 2);
}

/* O14: an unfaulted VMA moved by mremap is re-based (pgoff = new start),
 * so a later neighbour merges; and a moved unfaulted VMA merges into an
 * existing neighbour at its destination. */
void sc_o14(void)
{
	do_map(256, 4, RW);
	do_move(256, 4, FAR, false);
	do_map(FAR + 4, 4, RW);
	checkpoint("neighbour-merged", 1);
	do_write(FAR, 8);
	checkpoint("written", 1);
	do_map(8192, 4, RW);
	do_map(512, 4, RW);
	do_move(512, 4, 8196, false);
	checkpoint("moved-onto-neighbour", 2);
}

/* O16: the middle page of a faulted 6-page VMA moves out and back. */
void sc_o16(void)
{
	do_map(256, 6, RW);
	do_write(256, 6);
	do_move(258, 1, FAR, false);
	checkpoint("out", 3);
	do_move(FAR, 1, 258, false);
	checkpoint("back", 1);
}

/* O18: move the upper half away, map fresh memory in its place: it merges
 * (pgoff aliasing in one tree); the moved part put back next to it does
 * not (pgoff not linear). */
void sc_o18(void)
{
	do_map(256, 4, RW);
	do_write(256, 4);
	do_move(258, 2, FAR, false);
	do_map(258, 2, RW);
	checkpoint("aliased", 2);
	do_write(258, 2);
	checkpoint("aliased-written", 2);
	do_move(FAR, 2, 260, false);
	checkpoint("adjacent-nonlinear", 2);
}

/* O27 (and O15): a fork child grows a faulted VMA in place up to an
 * unfaulted next VMA: merged (vma_merge_extend has no middle); an mmap of
 * the same gap in a fork child only merges with the unfaulted next. */
void sc_o27(void)
{
	pid_t c;

	do_map(256, 4, RW);
	do_write(256, 4);
	do_unmap(260, 2);		/* a real hole */
	do_map(262, 4, RW);		/* unfaulted */
	checkpoint("setup", 2);
	c = do_fork();
	if (c == 0) {
		do_grow(256, 4, 6);
		checkpoint("child-grown-in-place", 1);
		_exit(0);
	}
	do_wait(c);
	c = do_fork();
	if (c == 0) {
		do_map(260, 2, RW);
		checkpoint("child-mmap-gap", 2);
		_exit(0);
	}
	do_wait(c);
	do_grow(256, 4, 6);
	checkpoint("parent-grown-in-place", 1);
}

/* O17: MREMAP_DONTUNMAP leaves the source without anon_vma: in a fork
 * child a new neighbour then merges with it; the moved copy keeps its
 * pgoff and does not merge with a fresh neighbour. */
void sc_dontunmap(void)
{
	pid_t c;

	do_map(256, 4, RW);
	do_write(256, 4);
	c = do_fork();
	if (c == 0) {
		do_move(256, 4, FAR, true);
		checkpoint("child-dontunmap", 2);
		do_map(260, 4, RW);
		checkpoint("child-neighbour", 2);
		do_map(FAR + 4, 4, RW);
		checkpoint("child-far-neighbour", 3);
		_exit(0);
	}
	do_wait(c);
	do_move(256, 4, FAR, true);
	do_map(FAR + 4, 4, RW);
	checkpoint("parent-far-neighbour", 3);
	do_map(260, 4, RW);
	checkpoint("parent-neighbour", 3);
}

/* An unfaulted VMA grows in place up to a faulted next VMA: merged (next's
 * anon_vma covers it) unless next is a fork child. */
void sc_grow_into_faulted(void)
{
	pid_t c;

	do_map(256, 4, RW);
	do_unmap(260, 2);
	do_map(262, 4, RW);
	do_write(262, 4);
	checkpoint("setup", 2);
	c = do_fork();
	if (c == 0) {
		do_grow(256, 4, 6);
		checkpoint("child-grown", 2);
		_exit(0);
	}
	do_wait(c);
	do_grow(256, 4, 6);
	checkpoint("parent-grown", 1);
}

/* sc_copied_from's steps, the same in the fork child and in the parent:
 * the faulted VMA at 256 moved away and back next to a new VMA below it,
 * then a new VMA moved next to it above. */
static void copied_from_steps(const char *back, int back_expect,
			      const char *next, int next_expect)
{
	do_move(256, 4, FAR, false);
	do_map(252, 4, RW);
	do_move(FAR, 4, 256, false);
	checkpoint(back, back_expect);
	do_map(FAR, 4, RW);
	do_move(FAR, 4, 260, false);
	checkpoint(next, next_expect);
}

/* mremap's copied_from check (61f67c230a5e): a faulted VMA moved back
 * next to a new unfaulted VMA merges with it, but not when the moved VMA
 * is a fork child; and an unfaulted VMA moved next to an inherited
 * faulted one does not merge in the child either. */
void sc_copied_from(void)
{
	pid_t c;

	do_map(256, 4, RW);
	do_write(256, 4);
	c = do_fork();
	if (c == 0) {
		copied_from_steps("child-moved-back", 2,
				  "child-unfaulted-moved-next", 3);
		_exit(0);
	}
	do_wait(c);
	copied_from_steps("parent-moved-back", 1,
			  "parent-unfaulted-moved-next", 1);
}

/* mremap shrink, and MREMAP_FIXED moves of a range spanning several VMAs
 * (6.17+): out with a hole in it (the hole stays a hole, the destination's
 * reservation there stays), and back, which moves that reservation piece
 * along. */
void sc_multi_move(void)
{
	do_map(256, 8, RW);
	do_write(256, 8);
	do_shrink(256, 8, 6);
	checkpoint("shrunk", 1);
	do_prot(258, 2, R);
	do_map(264, 2, RW);
	do_write(264, 2);
	checkpoint("before-move", 4);
	do_move(256, 10, FAR, false);
	checkpoint("moved", 4);
	do_move(FAR, 10, 256, false);
	checkpoint("moved-back", 4);
}
