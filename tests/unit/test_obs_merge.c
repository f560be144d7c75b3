/* SPDX-License-Identifier: MIT */
/*
 * VMA merging and anon_vma adoption as observed on Linux 6.18.44
 * (KERNEL_MODEL sections 2.2, 5 and Appendix B).  The expected graphs are
 * derived from the kernel rules, not from the shadow's output.
 *
 * Layout: a PROT_NONE guard page below 0x1000000 and one at 0x1100000, the
 * test VMAs in between (page n of the region has pgoff 4096 + n).
 */
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"

#define SETUP(p)                                                        \
	"start " #p "\n"                                                \
	"mmap " #p " 0xfff000-0x1000000 ---p anon\n"                    \
	"mmap " #p " 0x1100000-0x1101000 ---p anon\n"
#define GLO(p) "pid " #p " 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
#define GHI(p) "pid " #p " 0x1100000-0x1101000 ---p pgoff=4352 - []\n"

/* KERNEL_MODEL 5.4 observation (and 5.2 anon_ok case 2), observed on
 * 6.18.44: a fresh mmap directly below a faulted VMA with equal flags
 * merges into it, taking the new start and pgoff = new_start >> 12. */
Test(obs_merge, fresh_mmap_below_faulted_vma_merges)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1004000-0x1008000 rw-p anon\n"
		"fault 100 0x1004000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1004000-0x1008000 rw-p pgoff=4100 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "mmap 100 0x1000000-0x1004000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	/* the absorbed range is served by the survivor's anon_vma */
	t_apply(sh, "fault 100 0x1000000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");
	cr_expect_eq(t_walk(sh, 100, 0x1000000).anon_vma_id, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).index, 4096);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O10 (5.3, 6.16 rule), observed on 6.18.44: unfaulted RW +
 * faulted RWX, mprotect RWX->RW merges into one VMA carrying the faulted
 * anon_vma (dup_anon_vma into prev, then the middle is unlinked). */
Test(obs_merge, unfaulted_rw_absorbs_faulted_rwx_on_mprotect)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1004000-0x1008000 rwxp anon\n"
		"fault 100 0x1004000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 100 0x1004000-0x1008000 rwxp pgoff=4100 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "mprotect 100 0x1004000-0x1008000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	cr_expect_eq(t_walk(sh, 100, 0x1004000).anon_vma_id, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1004000).visited, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1004000).useful, 1);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O10 second half (5.2 fork_child test), observed on
 * 6.18.44: the same layout in a fork child (faulted piece has a chain of
 * 2) does not merge; mprotect only changes the flags. */
Test(obs_merge, fork_child_faulted_rwx_does_not_merge)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1004000-0x1008000 rwxp anon\n"
		"fault 100 0x1004000 w\n"
		"fork 100 101\n"
		"mprotect 101 0x1004000-0x1008000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 100 0x1004000-0x1008000 rwxp pgoff=4100 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 101 0x1004000-0x1008000 rw-p pgoff=4100 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	/* the parent's piece has a singular chain: it still merges there */
	t_apply(sh, "mprotect 100 0x1004000-0x1008000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 101 0x1004000-0x1008000 rw-p pgoff=4100 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O8 (2.1, 2.2), observed on 6.18.44: RW VMA + adjacent RWX
 * VMA, write both: the second adopts the first's anon_vma (na=2, nc and
 * ref unchanged); mprotect RWX->RW then merges them (na=1). */
Test(obs_merge, rwx_neighbour_adopts_then_merges)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1004000-0x1008000 rwxp anon\n"
		"fault 100 0x1000000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1004000-0x1008000 rwxp pgoff=4100 - []\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "fault 100 0x1004000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1004000-0x1008000 rwxp pgoff=4100 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=2\n");

	t_apply(sh, "mprotect 100 0x1004000-0x1008000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O9 (2.2: VM_ACCOUNT is part of anon_vma_compatible),
 * observed on 6.18.44: an RW (accounted) VMA next to an R VMA (not
 * accounted); a FOLL_FORCE write (/proc/self/mem) into the R VMA gets a
 * new root, not the neighbour's anon_vma. */
Test(obs_merge, rw_accounted_next_to_r_gets_two_roots)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1004000-0x1008000 r--p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1004000 f\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1004000-0x1008000 r--p pgoff=4100 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	cr_expect_eq(t_walk(sh, 100, 0x1004000).anon_vma_id, 2);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.2 (merge_right needs prev/next anon_vmas equal when both
 * are set): a new mmap between two faulted VMAs with different anon_vmas:
 * the three-way merge is refused, only prev absorbs the range. */
Test(obs_merge, three_way_refused_new_range)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1008000-0x100c000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1008000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1008000-0x100c000 rw-p pgoff=4104 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "mmap 100 0x1004000-0x1008000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1008000-0x100c000 rw-p pgoff=4104 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.2/5.3 (existing range, left + right refused when prev and
 * next hold different anon_vmas): an unfaulted R middle made RW (gains
 * VM_ACCOUNT, 5.6) between two faulted VMAs of different roots: only prev
 * absorbs it. */
Test(obs_merge, three_way_refused_mprotect)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1004000-0x1008000 r--p anon\n"
		"mmap 100 0x1008000-0x100c000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1008000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1004000-0x1008000 r--p pgoff=4100 - []\n"
		"pid 100 0x1008000-0x100c000 rw-p pgoff=4104 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "mprotect 100 0x1004000-0x1008000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1008000-0x100c000 rw-p pgoff=4104 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O3 (5.5), observed on 6.18.44: mprotect of 2 middle pages
 * to R splits the faulted VMA in 3 sharing one anon_vma (na=3, one AVC
 * per piece, faulted RW->R keeps VM_ACCOUNT); back to RW: one VMA, na=1. */
Test(obs_merge, mprotect_split_in_three_and_back)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1008000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1002000 w\n"
		"fault 100 0x1007000 w\n"
		"mprotect 100 0x1002000-0x1004000 r--\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1002000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1002000-0x1004000 r--p pgoff=4098 av1 [av1]\n"
		"pid 100 0x1004000-0x1008000 rw-p pgoff=4100 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=3 ref=1 avcs=3 folios=3\n");

	t_apply(sh, "mprotect 100 0x1002000-0x1004000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=3\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O11 (5.2 anon_ok case 2, 2.2 singular-chain donor), observed
 * on 6.18.44: in a fork child a new mmap adjacent to an inherited faulted
 * VMA is not merged, and writing it creates a new root (no adoption). */
Test(obs_merge, fork_child_adjacent_mmap_not_merged_new_root)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n"
		"mmap 101 0x1004000-0x1008000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1004000-0x1008000 rw-p pgoff=4100 - []\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "fault 101 0x1004000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1004000-0x1008000 rw-p pgoff=4100 av3 [av3]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av3 parent=av3 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	/* the same mmap in the parent (singular chain) merges */
	t_apply(sh, "mmap 100 0x1004000-0x1008000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1004000-0x1008000 rw-p pgoff=4100 av3 [av3]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av3 parent=av3 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.3 ("left only", middle adjusted) with the 6.16 anon rule
 * of O10: mprotect of the lower half of a faulted RWX VMA to RW moves that
 * half into the unfaulted RW prev, which takes the anon_vma by
 * dup_anon_vma (na=2); the rest keeps its pgoff linear (4102). */
Test(obs_merge, partial_mprotect_left_merge_into_unfaulted_prev)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1004000-0x1008000 rwxp anon\n"
		"fault 100 0x1004000 w\n"
		"fault 100 0x1007000 w\n"
		"mprotect 100 0x1004000-0x1006000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1006000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1006000-0x1008000 rwxp pgoff=4102 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=2\n");
	cr_expect_eq(t_walk(sh, 100, 0x1004000).visited, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1007000).visited, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1007000).index, 4103);
	avs_shadow_free(sh);
}
