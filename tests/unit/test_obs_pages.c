/* SPDX-License-Identifier: MIT */
/*
 * When anon_vmas appear and where folio->mapping points, as observed on
 * Linux 6.18.44 (KERNEL_MODEL sections 2.3, 3.1, 7 and Appendix B).  The
 * expected graphs are derived from the kernel rules, not from the
 * shadow's output.
 *
 * Layout: a PROT_NONE guard page below 0x1000000 and one at 0x1100000, the
 * test VMAs in between (page n of the region has pgoff 4096 + n).
 */
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"
#include "shadow/internal.h"

#define SETUP(p)                                                        \
	"start " #p "\n"                                                \
	"mmap " #p " 0xfff000-0x1000000 ---p anon\n"                    \
	"mmap " #p " 0x1100000-0x1101000 ---p anon\n"
#define GLO(p) "pid " #p " 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
#define GHI(p) "pid " #p " 0x1100000-0x1101000 ---p pgoff=4352 - []\n"

static avs_pte_t pte_of(const struct avs_shadow *sh, uint32_t pid,
			uint64_t addr)
{
	const struct avs_proc *p = avs_shadow_find_proc(sh, pid);

	cr_assert_not_null(p);
	return avs_pte_get(p->mm, addr);
}

/* KERNEL_MODEL O1/O2 (2.3), observed on 6.18.44: a read fault and
 * MADV_POPULATE_READ map the zero page, no anon_vma; MADV_POPULATE_WRITE
 * creates a root (nc=1 na=1 ref=1, chain [R]), pgoff = start >> 12. */
Test(obs_pages, read_no_anon_vma_populate_write_root)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1008000 rw-p anon\n"
		"fault 100 0x1000000 r\n"
		"madvise 100 0x1001000-0x1002000 populate_read\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 - []\n"
		GHI(100));
	cr_expect_eq(pte_of(sh, 100, 0x1000000), AVS_PTE_ZERO);
	cr_expect_eq(pte_of(sh, 100, 0x1001000), AVS_PTE_ZERO);
	cr_expect_eq(avs_rmap_walk(sh, 100, 0x1000000, &w), -1);

	t_apply(sh, "madvise 100 0x1001000-0x1002000 populate_write\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1008000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	w = t_walk(sh, 100, 0x1001000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4097);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O4 (2.3 GUP rows), observed on 6.18.44: MAP_POPULATE and
 * mlock on private RW mappings fault for writing (anon_vma), on R
 * mappings only for reading (none). */
Test(obs_pages, populate_and_mlock_rw_vs_r)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon flags=populate\n"
		"mmap 100 0x1010000-0x1014000 r--p anon flags=populate\n"
		"mmap 100 0x1020000-0x1024000 rw-p anon\n"
		"mlock 100 0x1020000-0x1024000\n"
		"mmap 100 0x1030000-0x1034000 r--p anon\n"
		"mlock 100 0x1030000-0x1034000\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1010000-0x1014000 r--p pgoff=4112 - []\n"
		"pid 100 0x1020000-0x1024000 rw-p pgoff=4128 av2 [av2]\n"
		"pid 100 0x1030000-0x1034000 r--p pgoff=4144 - []\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=4\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=4\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O5 (2.3 THP row), observed on 6.18.44 with THP "madvise":
 * MADV_HUGEPAGE, then a read at a 2 MiB aligned address in a VMA covering
 * the whole 2 MiB: do_huge_pmd_anonymous_page prepares an anon_vma before
 * mapping the huge zero page (no folio).  Without VM_HUGEPAGE, or when
 * the VMA does not cover the aligned 2 MiB, a read allocates nothing. */
Test(obs_pages, thp_read_fault_allocates_anon_vma)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh,
		"start 100\n"
		"mmap 100 0xfff000-0x1000000 ---p anon\n"
		"mmap 100 0x1000000-0x1200000 rw-p anon\n"
		"mmap 100 0x1300000-0x1301000 ---p anon\n"
		"madvise 100 0x1000000-0x1200000 hugepage\n"
		"start 200\n"
		"mmap 200 0xfff000-0x1000000 ---p anon\n"
		"mmap 200 0x1000000-0x1200000 rw-p anon\n"
		"mmap 200 0x1300000-0x1301000 ---p anon\n"
		"start 300\n"
		"mmap 300 0xfff000-0x1000000 ---p anon\n"
		"mmap 300 0x1000000-0x11ff000 rw-p anon\n"
		"mmap 300 0x1300000-0x1301000 ---p anon\n"
		"madvise 300 0x1000000-0x11ff000 hugepage\n"
		"fault 100 0x1000000 r\n"
		"fault 200 0x1000000 r\n"
		"fault 300 0x1000000 r\n");
	t_expect_graph(sh,
		"pid 100 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
		"pid 100 0x1000000-0x1200000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1300000-0x1301000 ---p pgoff=4864 - []\n"
		"pid 200 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
		"pid 200 0x1000000-0x1200000 rw-p pgoff=4096 - []\n"
		"pid 200 0x1300000-0x1301000 ---p pgoff=4864 - []\n"
		"pid 300 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
		"pid 300 0x1000000-0x11ff000 rw-p pgoff=4096 - []\n"
		"pid 300 0x1300000-0x1301000 ---p pgoff=4864 - []\n"
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=0\n");
	/* the huge zero page: no anon folio (Rss 0) */
	cr_expect_eq(avs_rmap_walk(sh, 100, 0x1000000, &w), -1);
	cr_expect_eq(avs_shadow_counts(sh)->folios, 0);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O24 (7.2, 7.3), observed on 6.18.44: a fresh write maps to
 * the VMA's own anon_vma (R); a child's COW copy to the child's (X_C); a
 * shared page swapped in by the child first goes to the root R and the
 * parent maps the same folio unchanged; after the parent exits the
 * child's writes to R pages it alone maps move them to X_C (write reuse);
 * an unwritten page keeps R.  index = vaddr >> 12 throughout. */
Test(obs_pages, mapping_fresh_cow_swapin_reuse)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;
	uint64_t swapped_folio;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1001000 w\n"
		"fault 100 0x1002000 w\n"
		"fault 100 0x1003000 w\n");
	w = t_walk(sh, 100, 0x1000000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4096);

	t_apply(sh, "madvise 100 0x1001000-0x1002000 pageout\n"
		    "fork 100 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=3\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	/* COW in the child: the copy belongs to X_C */
	t_apply(sh, "fault 101 0x1000000 w\n");
	w = t_walk(sh, 101, 0x1000000);
	cr_expect_eq(w.anon_vma_id, 2);
	cr_expect_eq(w.index, 4096);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).anon_vma_id, 1);

	/* the child reads the swapped page first: non-exclusive, the root */
	t_apply(sh, "swapin 101 0x1001000-0x1002000\n");
	w = t_walk(sh, 101, 0x1001000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4097);
	swapped_folio = w.folio_id;
	t_apply(sh, "swapin 100 0x1001000-0x1002000\n");
	w = t_walk(sh, 100, 0x1001000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4097);
	cr_expect_eq(w.folio_id, swapped_folio, "the parent maps the same folio");
	cr_expect_eq(w.visited, 2);
	cr_expect_eq(w.useful, 2);
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=4\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=1\n");

	/* the parent exits; the child writes the swapped-in page and a
	 * fork-shared page: both are moved to X_C; page 3 stays with R */
	t_apply(sh, "exit 100\n"
		    "fault 101 0x1001000 w\n"
		    "fault 101 0x1002000 w\n");
	w = t_walk(sh, 101, 0x1001000);
	cr_expect_eq(w.anon_vma_id, 2);
	cr_expect_eq(w.index, 4097);
	cr_expect_eq(w.folio_id, swapped_folio, "reused, not copied");
	w = t_walk(sh, 101, 0x1002000);
	cr_expect_eq(w.anon_vma_id, 2);
	cr_expect_eq(w.index, 4098);
	w = t_walk(sh, 101, 0x1003000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4099);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	t_expect_graph(sh,
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=0 ref=2 avcs=1 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=3\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 7.3 (do_wp_page): a write to a page still shared copies it
 * (the copy goes to the writer's anon_vma); a write to a small
 * non-exclusive folio mapped once reuses it and moves its mapping to the
 * writer's anon_vma (folio_move_anon_rmap); an exclusive folio is reused
 * with its mapping unchanged. */
Test(obs_pages, write_reuse_and_copy)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;
	uint64_t shared, copy;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n");
	shared = t_walk(sh, 101, 0x1000000).folio_id;

	/* the parent writes the shared page: copy, to the parent's av1 */
	t_apply(sh, "fault 100 0x1000000 w\n");
	w = t_walk(sh, 100, 0x1000000);
	copy = w.folio_id;
	cr_expect_neq(copy, shared);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 2);
	cr_expect_eq(w.useful, 1);
	w = t_walk(sh, 101, 0x1000000);
	cr_expect_eq(w.folio_id, shared);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 2);
	cr_expect_eq(w.useful, 1);
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=2\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	/* the child now maps the old folio alone: reused and moved to av2 */
	t_apply(sh, "fault 101 0x1000000 w\n");
	w = t_walk(sh, 101, 0x1000000);
	cr_expect_eq(w.folio_id, shared);
	cr_expect_eq(w.anon_vma_id, 2);
	cr_expect_eq(w.index, 4096);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=1\n");

	/* exclusive folios: reuse in place, nothing changes */
	t_apply(sh, "fault 101 0x1000000 w\nfault 100 0x1000000 w\n");
	cr_expect_eq(t_walk(sh, 101, 0x1000000).folio_id, shared);
	cr_expect_eq(t_walk(sh, 101, 0x1000000).anon_vma_id, 2);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).folio_id, copy);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).anon_vma_id, 1);
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O26 (3.1 step 5, vma_needs_copy), observed on 6.18.44: a
 * VMA with only zero-page ptes and no anon_vma: fork copies no page table
 * (the child pte is not present) and the child has no anon_vma; a VMA that
 * has an anon_vma has its zero-page ptes copied. */
Test(obs_pages, fork_of_zero_page_only_vma)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1010000-0x1014000 rw-p anon\n"
		"fault 100 0x1000000 r\n"
		"fault 100 0x1010000 w\n"
		"fault 100 0x1011000 r\n"
		"fork 100 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 100 0x1010000-0x1014000 rw-p pgoff=4112 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 - []\n"
		"pid 101 0x1010000-0x1014000 rw-p pgoff=4112 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
	cr_expect_eq(pte_of(sh, 100, 0x1000000), AVS_PTE_ZERO);
	cr_expect_eq(pte_of(sh, 101, 0x1000000), AVS_PTE_NONE,
		     "no page-table copy without anon_vma");
	cr_expect_eq(pte_of(sh, 101, 0x1011000), AVS_PTE_ZERO);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 2.3 last row (MADV_DONTNEED: no change), observed on
 * 6.18.44: zapping every page keeps the VMA's anon_vma; the folios are
 * gone; a later write uses the same anon_vma. */
Test(obs_pages, dontneed_keeps_anon_vma)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1001000 w\n"
		"madvise 100 0x1000000-0x1004000 dontneed\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=0\n");
	cr_expect_eq(avs_shadow_counts(sh)->folios, 0);

	t_apply(sh, "fault 100 0x1002000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}
