/* SPDX-License-Identifier: MIT */
/*
 * PMD-mapped THPs: a write to one that only this PMD maps reuses it and
 * moves folio->mapping to the VMA's own anon_vma (mm/huge_memory.c
 * do_huge_pmd_wp_page -> folio_move_anon_rmap); once the PMD is split, a
 * large folio mapped only by this mm is reused without moving its mapping
 * (mm/memory.c __wp_can_reuse_large_anon_folio, 6.18).
 */
#include "helpers.h"

/* A 4 MiB VMA whose second 2 MiB is THP-eligible after MADV_HUGEPAGE. */
static const char thp_fork[] =
	"start 100\n"
	"mmap 100 0x40000000-0x40400000 rw-p anon\n"
	"madvise 100 0x40000000-0x40400000 hugepage\n"
	"fault 100 0x40200000 w\n"
	"fork 100 101\n";

Test(thp, write_fault_maps_one_pmd_folio)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, thp_fork);
	w = t_walk(sh, 101, 0x40345000);
	cr_expect_eq(w.index, 0x40200, "one folio for the whole 2 MiB");
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 2);
	cr_expect_eq(w.useful, 2);
	avs_shadow_free(sh);
}

Test(thp, shared_pmd_write_copies_one_page)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, thp_fork);
	t_apply(sh, "fault 101 0x40201000 w\n");
	w = t_walk(sh, 101, 0x40201000);
	cr_expect_eq(w.anon_vma_id, 2, "the copied page is the child's");
	cr_expect_eq(w.index, 0x40201);
	w = t_walk(sh, 101, 0x40202000);
	cr_expect_eq(w.anon_vma_id, 1, "the rest still maps the THP");
	cr_expect_eq(w.index, 0x40200);
	avs_shadow_free(sh);
}

Test(thp, sole_pmd_mapping_write_moves_mapping)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, thp_fork);
	t_apply(sh, "exit 100\nfault 101 0x40201000 w\n");
	w = t_walk(sh, 101, 0x40201000);
	cr_expect_eq(w.anon_vma_id, 2, "folio_move_anon_rmap to the child's");
	cr_expect_eq(w.index, 0x40200, "reused, not copied");
	avs_shadow_free(sh);
}

Test(thp, pte_mapped_large_folio_reuse_keeps_mapping)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, thp_fork);
	/* dropping one page splits the child's PMD into ptes */
	t_apply(sh, "madvise 101 0x40300000-0x40301000 dontneed\n"
		    "exit 100\n"
		    "fault 101 0x40201000 w\n");
	w = t_walk(sh, 101, 0x40201000);
	cr_expect_eq(w.index, 0x40200, "reused in place");
	cr_expect_eq(w.anon_vma_id, 1, "pte-mapped: mapping not moved");
	avs_shadow_free(sh);
}
