/* SPDX-License-Identifier: MIT */
/*
 * Page faults as mm/memory.c and mm/huge_memory.c handle them (Linux 6.18),
 * reduced to what decides anon_vmas and folio->mapping: the zero page,
 * new anonymous folios, copy-on-write, write reuse, swap-in, THP faults,
 * and stack growth (mm/mmap.c expand_downwards).
 */
#include "internal.h"

#define STACK_GUARD_GAP	(256ULL << AVS_PAGE_SHIFT)	/* mm/mmap.c default */

static void map_new_folio(struct avs_shadow *sh, struct avs_vma *vma,
			  uint64_t addr, struct avs_folio *f)
{
	f->mapcount++;
	avs_pte_set(sh, vma->vm_mm, addr, (avs_pte_t)f);
}

/* A brand-new exclusive order-0 folio at addr: do_anonymous_page(),
 * do_cow_fault() and wp_page_copy() all end in this. */
static void new_exclusive_folio(struct avs_shadow *sh, struct avs_vma *vma,
				uint64_t addr)
{
	struct avs_folio *f = avs_folio_alloc(sh, 0);

	folio_add_new_anon_rmap(sh, f, vma, addr, true);
	map_new_folio(sh, vma, addr, f);
}

/* mm/memory.c: wp_page_copy(): the faulting pte gets a private copy. */
static void wp_page_copy(struct avs_shadow *sh, struct avs_vma *vma,
			 uint64_t addr)
{
	anon_vma_prepare(sh, vma);
	avs_zap_pte(sh, vma->vm_mm, addr);
	new_exclusive_folio(sh, vma, addr);
}

void avs_break_cow(struct avs_shadow *sh, struct avs_vma *vma, uint64_t addr)
{
	wp_page_copy(sh, vma, addr);
}

/* Does every pte mapping this large folio belong to this VMA's mm?
 * (__wp_can_reuse_large_anon_folio() asks it with the folio's mm ids.) */
static bool large_folio_mapped_only_here(struct avs_vma *vma,
					 struct avs_folio *f, uint64_t addr)
{
	uint64_t span = AVS_PAGE_SIZE << f->order;
	uint64_t a = addr & ~(span - 1), end = a + span;
	uint32_t here = 0;

	if (a < vma->vm_start)
		a = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;
	for (; a < end; a += AVS_PAGE_SIZE) {
		avs_pte_t pte = avs_pte_get(vma->vm_mm, a);

		if (avs_pte_maps(pte, f))
			here++;
	}
	return here == f->mapcount;
}

/*
 * mm/huge_memory.c: do_huge_pmd_wp_page(): a PMD-mapped THP that only this
 * PMD maps (refcount 1) is reused and moved to this VMA's anon_vma; else
 * the PMD is split and the pte path below handles the fault.
 */
static bool do_huge_pmd_wp_page(struct avs_shadow *sh, struct avs_vma *vma,
				uint64_t addr, struct avs_folio *f)
{
	if (f->mapcount == folio_nr_pages(f) && f->swapcount == 0) {
		folio_move_anon_rmap(sh, f, vma);
		f->flags |= AVS_FOLIO_EXCLUSIVE;
		return true;
	}
	avs_split_huge_pmd(vma->vm_mm, addr);
	return false;
}

/*
 * mm/memory.c: do_wp_page() on an anon folio.  PageAnonExclusive: reuse.
 * A small folio nobody else references (wp_can_reuse_anon_folio: one
 * mapping, no swap references) is reused and moved to this VMA's
 * anon_vma.  A pte-mapped large folio mapped only by this mm is reused in
 * place, mapping unchanged (6.18).  Otherwise copy.
 */
static void do_wp_page(struct avs_shadow *sh, struct avs_vma *vma,
		       uint64_t addr, struct avs_folio *f)
{
	if (f->flags & AVS_FOLIO_EXCLUSIVE)
		return;
	if ((avs_pte_get(vma->vm_mm, addr) & AVS_PTE_PMD) &&
	    do_huge_pmd_wp_page(sh, vma, addr, f))
		return;
	if (f->order == 0 && f->mapcount == 1 && f->swapcount == 0) {
		folio_move_anon_rmap(sh, f, vma);
		f->flags |= AVS_FOLIO_EXCLUSIVE;
		return;
	}
	if (f->order > 0 && large_folio_mapped_only_here(vma, f, addr))
		return;
	wp_page_copy(sh, vma, addr);
}

/*
 * mm/memory.c: do_swap_page().  A swap entry whose content is no longer in
 * core comes back as a new folio, exclusive only if the swap pte carried
 * the exclusive marker (else to the root, __folio_set_anon).  A folio still
 * in the swap cache is mapped again with its mapping unchanged, unless
 * ksm_might_need_to_copy() finds its index or root do not fit this VMA.
 * Returns the folio now mapped and whether the mapping is exclusive.
 */
static struct avs_folio *do_swap_page(struct avs_shadow *sh,
				      struct avs_vma *vma, uint64_t addr,
				      avs_pte_t pte, bool *exclusive)
{
	struct avs_folio *f = avs_pte_folio(pte);

	*exclusive = (pte & AVS_PTE_SWP_EXCLUSIVE) != 0 &&
		     !sh->rules->swapin_not_exclusive;
	if ((f->flags & AVS_FOLIO_IN_CORE) && !f->mapcount &&
	    sh->rules->first_map_sets_mapping && vma->anon_vma) {
		/* <= 2.6.35 page_add_anon_rmap(): the first mapping sets
		 * page->mapping, whatever it was */
		f->swapcount--;
		folio_add_new_anon_rmap(sh, f, vma, addr, *exclusive);
		f->mapcount++;
		avs_pte_set(sh, vma->vm_mm, addr, (avs_pte_t)f);
		return f;
	}
	if (f->flags & AVS_FOLIO_STALE) {
		/* still anon by its (dangling) mapping: mapped as it is */
		f->flags |= AVS_FOLIO_STRANDED;
		f->swapcount--;
		f->mapcount++;
		avs_pte_set(sh, vma->vm_mm, addr, (avs_pte_t)f);
		avs_hazard(sh, AVS_HAZ_STRANDED, sh->cur ? sh->cur->pid : 0,
			   addr, f, f->stale_av);
		return f;
	}
	if (!vma->anon_vma) {
		avs_warn(sh, "swap pte at 0x%llx in a VMA without anon_vma",
			 (unsigned long long)addr);
		anon_vma_prepare(sh, vma);
	}
	if ((f->flags & AVS_FOLIO_IN_CORE) && f->anon_vma &&
	    (f->index != linear_page_index(vma, addr) ||
	     f->anon_vma->root != vma->anon_vma->root)) {
		/* ksm_might_need_to_copy(): a fresh exclusive copy */
		avs_pte_set(sh, vma->vm_mm, addr, AVS_PTE_NONE);
		f->swapcount--;
		avs_folio_put_if_unused(sh, f);
		new_exclusive_folio(sh, vma, addr);
		*exclusive = true;
		return avs_pte_folio(avs_pte_get(vma->vm_mm, addr));
	}
	f->swapcount--;
	if (!(f->flags & AVS_FOLIO_IN_CORE) || !f->anon_vma)
		folio_add_new_anon_rmap(sh, f, vma, addr, *exclusive);
	else if (*exclusive)
		f->flags |= AVS_FOLIO_EXCLUSIVE;
	f->mapcount++;
	avs_pte_set(sh, vma->vm_mm, addr, (avs_pte_t)f);
	return f;
}

static bool thp_mode_allows(const struct avs_vma *vma)
{
	/* /sys/kernel/mm/transparent_hugepage/enabled = madvise */
	return (vma->vm_flags & VM_HUGEPAGE) && !(vma->vm_flags & VM_NOHUGEPAGE);
}

/* mm/huge_memory.c: a PMD fault is tried when the VMA may use THP and the
 * aligned 2 MiB range lies inside it (thp_vma_suitable_order()). */
static bool thp_fault_range(const struct avs_vma *vma, uint64_t addr,
			    uint64_t *haddr)
{
	uint64_t h = addr & ~(AVS_PMD_SIZE - 1);

	if (!vma_is_anonymous(vma) || (vma->vm_flags & VM_SHARED) ||
	    !thp_mode_allows(vma))
		return false;
	if (h < vma->vm_start || h + AVS_PMD_SIZE > vma->vm_end)
		return false;
	*haddr = h;
	return true;
}

static bool pmd_range_none(const struct avs_mm *mm, uint64_t haddr)
{
	uint64_t a = haddr;

	if (!avs_pte_next(mm, &a, haddr + AVS_PMD_SIZE))
		return true;
	/* the huge zero page maps zero ptes only */
	for (a = haddr; a < haddr + AVS_PMD_SIZE; a += AVS_PAGE_SIZE)
		if (avs_pte_get(mm, a) != AVS_PTE_ZERO)
			return false;
	return true;
}

/*
 * mm/huge_memory.c: do_huge_pmd_anonymous_page() prepares the anon_vma
 * before it looks at the fault type; a read maps the huge zero page, a
 * write (or a write to the huge zero page, do_huge_zero_wp_pmd) a new
 * exclusive PMD-sized folio.
 */
static void do_huge_pmd_anonymous_page(struct avs_shadow *sh,
				       struct avs_vma *vma, uint64_t haddr,
				       bool write)
{
	struct avs_folio *f;
	uint64_t a;

	anon_vma_prepare(sh, vma);
	if (!write) {
		for (a = haddr; a < haddr + AVS_PMD_SIZE; a += AVS_PAGE_SIZE)
			avs_pte_set(sh, vma->vm_mm, a, AVS_PTE_ZERO);
		return;
	}
	f = avs_folio_alloc(sh, AVS_PMD_SHIFT - AVS_PAGE_SHIFT);
	folio_add_new_anon_rmap(sh, f, vma, haddr, true);
	for (a = haddr; a < haddr + AVS_PMD_SIZE; a += AVS_PAGE_SIZE) {
		f->mapcount++;
		avs_pte_set(sh, vma->vm_mm, a, (avs_pte_t)f | AVS_PTE_PMD);
	}
}

/*
 * mm/mmap.c: expand_downwards().  A fault below a VM_GROWSDOWN VMA, out of
 * the guard gap of the VMA before it, grows the stack: anon_vma_prepare()
 * first, then vm_start moves down and vm_pgoff with it.
 */
static struct avs_vma *expand_stack(struct avs_shadow *sh, struct avs_mm *mm,
				    uint64_t addr)
{
	struct avs_vma *vma = avs_vma_at_or_after(mm, addr);
	struct avs_vma *prev;
	uint64_t grow;

	if (!vma || !(vma->vm_flags & VM_GROWSDOWN) || addr >= vma->vm_start)
		return NULL;
	prev = avs_vma_prev(mm, vma);
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    addr - prev->vm_end < STACK_GUARD_GAP)
		return NULL;
	grow = (vma->vm_start - addr) >> AVS_PAGE_SHIFT;
	if (grow > vma->vm_pgoff)
		return NULL;
	anon_vma_prepare(sh, vma);
	anon_vma_interval_tree_pre_update_vma(vma);
	vma->vm_start = addr;
	vma->vm_pgoff -= grow;
	anon_vma_interval_tree_post_update_vma(vma);
	return vma;
}

/* mm/memory.c: handle_mm_fault() for one page of a private mapping. */
enum avs_fault_result avs_handle_fault(struct avs_shadow *sh,
				       struct avs_mm *mm, uint64_t addr,
				       unsigned access)
{
	bool write = access != AVS_FAULT_READ;
	struct avs_vma *vma;
	uint64_t haddr;
	avs_pte_t pte;

	addr &= AVS_PAGE_MASK;
	vma = avs_find_vma(mm, addr);
	if (!vma)
		vma = expand_stack(sh, mm, addr);
	if (!vma)
		return AVS_FAULT_SIGSEGV;
	if (write && !(vma->vm_flags & VM_WRITE) &&
	    !(access == AVS_FAULT_FORCE_WRITE && (vma->vm_flags & VM_MAYWRITE)))
		return AVS_FAULT_SIGSEGV;
	if (!write && !(vma->vm_flags & VM_ACCESS_FLAGS))
		return AVS_FAULT_SIGSEGV;
	if (vma->vm_flags & (VM_SHARED | VM_PFNMAP | VM_IO))
		return AVS_FAULT_OK;	/* never anonymous pages */

	pte = avs_pte_get(mm, addr);
	if ((pte == AVS_PTE_NONE || pte == AVS_PTE_ZERO) &&
	    thp_fault_range(vma, addr, &haddr) && pmd_range_none(mm, haddr)) {
		if (pte == AVS_PTE_NONE || write)
			do_huge_pmd_anonymous_page(sh, vma, haddr, write);
		return AVS_FAULT_OK;
	}
	if (pte == AVS_PTE_NONE) {
		if (!write) {
			/* do_anonymous_page() maps the zero page; a read of a
			 * private file page maps page cache: neither is anon */
			if (vma_is_anonymous(vma))
				avs_pte_set(sh, mm, addr, AVS_PTE_ZERO);
			return AVS_FAULT_OK;
		}
		/* do_anonymous_page() / do_cow_fault() */
		anon_vma_prepare(sh, vma);
		new_exclusive_folio(sh, vma, addr);
		return AVS_FAULT_OK;
	}
	if (pte == AVS_PTE_ZERO) {
		if (write)
			wp_page_copy(sh, vma, addr);
		return AVS_FAULT_OK;
	}
	if (avs_pte_is_swap(pte)) {
		bool exclusive;
		struct avs_folio *f = do_swap_page(sh, vma, addr, pte,
						   &exclusive);

		if (write && !exclusive)
			do_wp_page(sh, vma, addr, f);
		return AVS_FAULT_OK;
	}
	if (write)
		do_wp_page(sh, vma, addr, avs_pte_folio(pte));
	return AVS_FAULT_OK;
}

/*
 * mm/gup.c: populate_vma_page_range() over [start, end): VM_IO/VM_PFNMAP
 * and inaccessible VMAs are skipped; a write populate faults every page
 * for writing (FOLL_WRITE), breaking COW where the page is shared.
 */
void avs_populate_range(struct avs_shadow *sh, struct avs_mm *mm,
			uint64_t start, uint64_t end, bool write)
{
	uint64_t cur = start, s, e, a;
	struct avs_vma *v;

	while ((v = avs_vma_in_range(mm, &cur, end, &s, &e))) {
		if ((v->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(v->vm_flags & VM_ACCESS_FLAGS))
			continue;
		for (a = s; a < e; a += AVS_PAGE_SIZE) {
			avs_pte_t pte = avs_pte_get(mm, a);
			struct avs_folio *f = avs_pte_folio(pte);

			/* present, and for a write exclusive: done */
			if (pte == AVS_PTE_ZERO ? !write :
			    avs_pte_present(pte) &&
			    (!write || (f->flags & AVS_FOLIO_EXCLUSIVE)))
				continue;
			avs_handle_fault(sh, mm, a, write ? AVS_FAULT_FORCE_WRITE :
							    AVS_FAULT_READ);
		}
	}
}
