/* SPDX-License-Identifier: MIT */
/*
 * brk and partial munmap as observed on Linux 6.18.44 (KERNEL_MODEL
 * sections 5.4, 5.5, 5.7 and Appendix B).  The expected graphs are
 * derived from the kernel rules, not from the shadow's output.
 *
 * Heap layout: start_brk 0x2000000 (pgoff 8192), PROT_NONE guard pages at
 * 0x1fff000 and 0x2100000.
 */
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"

#define HEAP_SETUP(p)                                                   \
	"start " #p " start_brk=0x2000000 brk=0x2000000\n"              \
	"mmap " #p " 0x1fff000-0x2000000 ---p anon\n"                   \
	"mmap " #p " 0x2100000-0x2101000 ---p anon\n"
#define HLO(p) "pid " #p " 0x1fff000-0x2000000 ---p pgoff=8191 - []\n"
#define HHI(p) "pid " #p " 0x2100000-0x2101000 ---p pgoff=8448 - []\n"

#define SETUP(p)                                                        \
	"start " #p "\n"                                                \
	"mmap " #p " 0xfff000-0x1000000 ---p anon\n"                    \
	"mmap " #p " 0x1100000-0x1101000 ---p anon\n"
#define GLO(p) "pid " #p " 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
#define GHI(p) "pid " #p " 0x1100000-0x1101000 ---p pgoff=4352 - []\n"

/* KERNEL_MODEL 5.7 (do_brk_flags, just_expand, anon_ok case 2): brk
 * growth expands the faulted [heap] VMA, which keeps its anon_vma and
 * pgoff = start_brk >> 12. */
Test(obs_brk, growth_merges_into_heap)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, HEAP_SETUP(100)
		"brk 100 0x2000000 0x2004000\n"
		"fault 100 0x2000000 w\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x2004000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "brk 100 0x2004000 0x2008000\n"
		    "fault 100 0x2005000 w\n"
		    "brk 100 0x2008000 0x200a800\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x200b000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");
	cr_expect_eq(t_walk(sh, 100, 0x2005000).index, 8197);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O12 (5.7, 5.2 anon_ok), observed on 6.18.44: in a fork
 * child the inherited faulted heap has a chain of 2, so brk growth makes a
 * new [heap] VMA; further growth merges into it while it has no anon_vma
 * or a singular chain; its first write gives it a new root (no adoption
 * from the fork-child heap).  The parent's growth merges normally. */
Test(obs_brk, fork_child_growth_new_heap_vma)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, HEAP_SETUP(100)
		"brk 100 0x2000000 0x2004000\n"
		"fault 100 0x2000000 w\n"
		"fork 100 101\n"
		"brk 101 0x2004000 0x2008000\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x2004000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		HLO(101)
		"pid 101 0x2000000-0x2004000 rw-p pgoff=8192 av2 [av2 av1]\n"
		"pid 101 0x2004000-0x2008000 rw-p pgoff=8196 - []\n"
		HHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "brk 101 0x2008000 0x200c000\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x2004000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		HLO(101)
		"pid 101 0x2000000-0x2004000 rw-p pgoff=8192 av2 [av2 av1]\n"
		"pid 101 0x2004000-0x200c000 rw-p pgoff=8196 - []\n"
		HHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "fault 101 0x2004000 w\n"
		    "brk 101 0x200c000 0x2010000\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x2004000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		HLO(101)
		"pid 101 0x2000000-0x2004000 rw-p pgoff=8192 av2 [av2 av1]\n"
		"pid 101 0x2004000-0x2010000 rw-p pgoff=8196 av3 [av3]\n"
		HHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av3 parent=av3 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "brk 100 0x2004000 0x2008000\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x2008000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		HLO(101)
		"pid 101 0x2000000-0x2004000 rw-p pgoff=8192 av2 [av2 av1]\n"
		"pid 101 0x2004000-0x2010000 rw-p pgoff=8196 av3 [av3]\n"
		HHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av3 parent=av3 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.5 observation, 6.18.44: munmap of a middle page of a
 * faulted VMA leaves 2 pieces sharing the anon_vma (na=2, 2 AVCs); the
 * unmapped page's folio is gone. */
Test(obs_brk, munmap_middle_page_two_pieces)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1001000 w\n"
		"fault 100 0x1002000 w\n"
		"fault 100 0x1003000 w\n"
		"munmap 100 0x1001000-0x1002000\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1001000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1002000-0x1004000 rw-p pgoff=4098 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=3\n");
	cr_expect_eq(avs_shadow_counts(sh)->folios, 3);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.7 + 4 (munmap of part: no anon_vma change): shrinking the
 * break unmaps the heap's tail; the heap keeps its anon_vma. */
Test(obs_brk, shrink_keeps_anon_vma)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, HEAP_SETUP(100)
		"brk 100 0x2000000 0x2008000\n"
		"fault 100 0x2000000 w\n"
		"fault 100 0x2006000 w\n"
		"brk 100 0x2008000 0x2004000\n");
	t_expect_graph(sh,
		HLO(100)
		"pid 100 0x2000000-0x2004000 rw-p pgoff=8192 av1 [av1]\n"
		HHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}
