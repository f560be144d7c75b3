/* SPDX-License-Identifier: MIT */
/*
 * mremap as observed on Linux 6.18.44 (KERNEL_MODEL sections 5.2, 6 and
 * Appendix B).  The expected graphs are derived from the kernel rules, not
 * from the shadow's output.
 *
 * Layout: a PROT_NONE guard page below 0x1000000 and one at 0x1100000, the
 * test VMAs in between (page n of the region has pgoff 4096 + n; the far
 * place 0x1080000 has pgoff 4224).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "shadow/event_text.h"

#define SETUP(p)                                                        \
	"start " #p "\n"                                                \
	"mmap " #p " 0xfff000-0x1000000 ---p anon\n"                    \
	"mmap " #p " 0x1100000-0x1101000 ---p anon\n"
#define GLO(p) "pid " #p " 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
#define GHI(p) "pid " #p " 0x1100000-0x1101000 ---p pgoff=4352 - []\n"

/* KERNEL_MODEL O13 (6.2), observed on 6.18.44: a faulted VMA (here the
 * upper half of one) moved far keeps its pgoff and anon_vma; a new
 * neighbour there is not linear with it: no merge, its own root; moving
 * it back restores linearity and it merges again. */
Test(obs_mremap, faulted_move_keeps_pgoff_and_back_remerges)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1008000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1004000 w\n"
		"mremap 100 0x1004000-0x1008000 0x1080000-0x1084000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1080000-0x1084000 rw-p pgoff=4100 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=2\n");
	w = t_walk(sh, 100, 0x1080000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4100);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);

	t_apply(sh, "mmap 100 0x1084000-0x1088000 rw-p anon\n"
		    "fault 100 0x1084000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1080000-0x1084000 rw-p pgoff=4100 av1 [av1]\n"
		"pid 100 0x1084000-0x1088000 rw-p pgoff=4228 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=2\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "mremap 100 0x1080000-0x1084000 0x1004000-0x1008000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1084000-0x1088000 rw-p pgoff=4228 av2 [av2]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	w = t_walk(sh, 100, 0x1004000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4100);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O14 (6.2 copy_vma re-base), observed on 6.18.44: an
 * unfaulted VMA moved gets pgoff = new start >> 12, so a fresh neighbour
 * there is linear and merges. */
Test(obs_mremap, unfaulted_move_rebases_pgoff)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 r\n"
		"mremap 100 0x1000000-0x1004000 0x1080000-0x1084000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1080000-0x1084000 rw-p pgoff=4224 - []\n"
		GHI(100));

	t_apply(sh, "mmap 100 0x1084000-0x1088000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1080000-0x1088000 rw-p pgoff=4224 - []\n"
		GHI(100));

	t_apply(sh, "fault 100 0x1085000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1080000-0x1088000 rw-p pgoff=4224 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	cr_expect_eq(t_walk(sh, 100, 0x1085000).index, 4229);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O15 (6.1 grow in place, vma_merge_extend), observed on
 * 6.18.44: mremap 4 -> 8 pages in place: same VMA, same anon_vma, same
 * pgoff. */
Test(obs_mremap, grow_in_place)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"mremap 100 0x1000000-0x1004000 0x1000000-0x1008000 flags=maymove\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O16 (6.1, 6.2, 5.2), observed on 6.18.44: the middle page
 * of a 6-page faulted VMA moved out: the source is split (2 VMAs + the
 * moved one, na=3, the moved page keeps pgoff 4098); moved back: one VMA
 * again (three-way merge, na=1). */
Test(obs_mremap, middle_page_out_and_back)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;
	unsigned p;

	t_apply(sh, SETUP(100) "mmap 100 0x1000000-0x1006000 rw-p anon\n");
	for (p = 0; p < 6; p++) {
		char ev[48];

		snprintf(ev, sizeof(ev), "fault 100 0x%x w\n",
			 0x1000000 + p * 0x1000);
		t_apply(sh, ev);
	}
	t_apply(sh, "mremap 100 0x1002000-0x1003000 0x1080000-0x1081000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1002000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1003000-0x1006000 rw-p pgoff=4099 av1 [av1]\n"
		"pid 100 0x1080000-0x1081000 rw-p pgoff=4098 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=3 ref=1 avcs=3 folios=6\n");
	w = t_walk(sh, 100, 0x1080000);
	cr_expect_eq(w.index, 4098);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);

	t_apply(sh, "mremap 100 0x1080000-0x1081000 0x1002000-0x1003000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1006000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=6\n");
	w = t_walk(sh, 100, 0x1002000);
	cr_expect_eq(w.index, 4098);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O17 (6.1 MREMAP_DONTUNMAP), observed on 6.18.44: a whole
 * faulted VMA moved with DONTUNMAP: the old VMA stays with anon_vma NULL
 * and an empty chain, the new one keeps the old pgoff; a later write in
 * the old VMA gets a new root. */
Test(obs_mremap, dontunmap_whole_faulted_vma)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"mremap 100 0x1000000-0x1004000 0x1080000-0x1084000 flags=maymove,dontunmap\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 100 0x1080000-0x1084000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	cr_expect_eq(t_walk(sh, 100, 0x1080000).index, 4096);

	t_apply(sh, "fault 100 0x1000000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2]\n"
		"pid 100 0x1080000-0x1084000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O18 / 6.3 (aliasing) and 8 (useless visits), observed on
 * 6.18.44: move the upper half of a faulted VMA away (keeps pgoff a+2..),
 * mmap a fresh range at the old place: it merges into the lower half, so
 * tree(av) holds [a, a+3] and [a+2, a+3]; two folios have (av, a+2) and
 * the walk of either visits both VMAs, one uselessly. */
Test(obs_mremap, pgoff_aliasing)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w1, w2;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1001000 w\n"
		"fault 100 0x1002000 w\n"
		"fault 100 0x1003000 w\n"
		"mremap 100 0x1002000-0x1004000 0x1080000-0x1082000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1002000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1080000-0x1082000 rw-p pgoff=4098 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=4\n");

	t_apply(sh, "mmap 100 0x1002000-0x1004000 rw-p anon\n"
		    "fault 100 0x1002000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1080000-0x1082000 rw-p pgoff=4098 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=2 ref=1 avcs=2 folios=5\n");
	w1 = t_walk(sh, 100, 0x1002000);
	w2 = t_walk(sh, 100, 0x1080000);
	cr_expect_neq(w1.folio_id, w2.folio_id);
	cr_expect_eq(w1.anon_vma_id, 1);
	cr_expect_eq(w2.anon_vma_id, 1);
	cr_expect_eq(w1.index, 4098);
	cr_expect_eq(w2.index, 4098);
	cr_expect_eq(w1.visited, 2);
	cr_expect_eq(w1.useful, 1);
	cr_expect_eq(w2.visited, 2);
	cr_expect_eq(w2.useful, 1);
	/* a page below the alias range is seen by one VMA only */
	w1 = t_walk(sh, 100, 0x1000000);
	cr_expect_eq(w1.visited, 1);
	cr_expect_eq(w1.useful, 1);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O27 (5.2 quirk of in-place mremap growth), observed on
 * 6.18.44: a fork child grows its inherited faulted VMA in place up to an
 * adjacent unfaulted VMA: merged into one VMA carrying the child's
 * anon_vma (no fork-child test on this path). */
Test(obs_mremap, fork_child_grow_in_place_absorbs_unfaulted_next)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1008000-0x100c000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n"
		"mremap 101 0x1000000-0x1004000 0x1000000-0x1008000 flags=maymove\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1008000-0x100c000 rw-p pgoff=4104 - []\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x100c000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.2 / 13 item 10 (contrast to O27): in a fork child an mmap
 * filling the same gap is refused by the faulted fork-child prev (anon_ok
 * case 2) and only merges with the unfaulted next. */
Test(obs_mremap, fork_child_mmap_gap_not_merged_into_faulted_prev)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1008000-0x100c000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n"
		"mmap 101 0x1004000-0x1008000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1008000-0x100c000 rw-p pgoff=4104 - []\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1004000-0x100c000 rw-p pgoff=4100 - []\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 6.2 + 5.4 (copy_vma merge, dup_anon_vma from copied_from,
 * 61f67c230a5e): a faulted VMA moved back next to an unfaulted, linear
 * next VMA merges into it; the survivor takes the moved VMA's anon_vma. */
Test(obs_mremap, faulted_move_merges_into_unfaulted_next)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"mremap 100 0x1000000-0x1004000 0x1080000-0x1084000 flags=maymove,fixed\n"
		"mmap 100 0x1004000-0x1008000 rw-p anon\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1004000-0x1008000 rw-p pgoff=4100 - []\n"
		"pid 100 0x1080000-0x1084000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");

	t_apply(sh, "mremap 100 0x1080000-0x1084000 0x1000000-0x1004000 flags=maymove,fixed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	cr_expect_eq(t_walk(sh, 100, 0x1000000).index, 4096);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).visited, 1);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 5.2 (anon_ok case 1 checks copied_from, 61f67c230a5e): the
 * same move in a fork child (moved VMA has a chain of 2) does not merge
 * into the unfaulted next; it lands as its own VMA with its chain. */
Test(obs_mremap, fork_child_faulted_move_not_merged_into_unfaulted_next)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n"
		"mremap 101 0x1000000-0x1004000 0x1080000-0x1084000 flags=maymove,fixed\n"
		"mmap 101 0x1004000-0x1008000 rw-p anon\n"
		"mremap 101 0x1080000-0x1084000 0x1000000-0x1004000 flags=maymove,fixed\n");
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
	avs_shadow_free(sh);
}

/* A move whose destination the shadow still maps (calls of racing threads
 * recorded in another order): the kernel's destination was free, so the
 * shadow is told, clears it as mmap would, and its VMA array and graph
 * stay whole; a move whose source the shadow does not hold in one VMA is
 * told and left alone.  Before, an overlapping VMA was inserted. */
static void apply_misfit(struct avs_shadow *sh, const char *line,
			 const char *warning)
{
	struct avs_text_parser *p = avs_text_parser_new();
	struct avs_event ev;
	char msg[256];

	cr_assert_eq(avs_text_parse_line(p, line, strlen(line), &ev), 1);
	cr_expect_eq(avs_shadow_apply(sh, &ev), 1, "'%s' fitted", line);
	cr_expect(strstr(avs_shadow_last_warning(sh), warning), "%s",
		  avs_shadow_last_warning(sh));
	cr_expect_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0, "%s", msg);
	avs_text_parser_free(p);
}

Test(obs_mremap, move_onto_a_mapping_of_the_shadow_is_told)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"mmap 100 0x1080000-0x1082000 r--p anon\n");
	apply_misfit(sh, "mremap 100 0x1000000-0x1004000 0x1080000-0x1086000 flags=maymove",
		     "destination 0x1080000-0x1086000 mapped");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1080000-0x1086000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	apply_misfit(sh, "mremap 100 0x1080000-0x1088000 0x10c0000-0x10ca000 flags=maymove",
		     "not one VMA");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1080000-0x1086000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}
