/* SPDX-License-Identifier: MIT */
/*
 * Reclaim of anon folios to swap and their return: what memory pressure
 * (or MADV_PAGEOUT) does, used by the what-if events.  Swap-out finds the
 * mappings through the rmap walk, as try_to_unmap() does (mm/rmap.c), so a
 * mapping rmap cannot reach stays mapped and is reported.
 */
#include "internal.h"

/* Is any VMA that maps f mlocked?  (try_to_unmap_one keeps mlocked
 * folios; reclaim skips them.) */
static bool folio_mlocked(const struct avs_folio *f)
{
	const struct avs_avc *avc;
	uint64_t last = f->index + folio_nr_pages(f) - 1;

	list_for_each_entry(avc, &f->anon_vma->rb_root, same_anon_vma) {
		const struct avs_vma *v = avc->vma;

		if (v->vm_pgoff <= last &&
		    v->vm_pgoff + vma_pages(v) > f->index &&
		    (v->vm_flags & VM_LOCKED))
			return true;
	}
	return false;
}

/*
 * mm/rmap.c: try_to_unmap() of an anon folio for swap: every pte found by
 * rmap_walk_anon() becomes a swap entry, marked exclusive when the page
 * was PageAnonExclusive.  Returns true if the folio is no longer mapped.
 */
static bool try_to_unmap(struct avs_shadow *sh, struct avs_folio *f)
{
	avs_pte_t swp = (avs_pte_t)f | AVS_PTE_SWAP;
	uint64_t last = f->index + folio_nr_pages(f) - 1;
	struct avs_avc *avc;

	if (f->flags & AVS_FOLIO_EXCLUSIVE)
		swp |= AVS_PTE_SWP_EXCLUSIVE;
	list_for_each_entry(avc, &f->anon_vma->rb_root, same_anon_vma) {
		struct avs_vma *v = avc->vma;
		uint64_t idx;

		if (v->vm_pgoff > last || v->vm_pgoff + vma_pages(v) <= f->index)
			continue;
		for (idx = f->index; idx <= last; idx++) {
			uint64_t a = vma_address(v, idx);

			if (a == (uint64_t)-1 ||
			    !avs_pte_maps(avs_pte_get(v->vm_mm, a), f))
				continue;
			avs_pte_set(sh, v->vm_mm, a, swp);
			f->mapcount--;
			f->swapcount++;
		}
	}
	return f->mapcount == 0;
}

/*
 * Reclaim the anon folios mapped in [start, end) of mm.  shared_too=false
 * is MADV_PAGEOUT, which skips folios mapped more than once.  A folio all
 * of whose mappings were unmapped leaves memory: its content lives on as
 * the swap entry, folio->mapping no longer matters.
 */
void avs_swap_out(struct avs_shadow *sh, struct avs_mm *mm, uint32_t pid,
		  uint64_t start, uint64_t end, bool shared_too)
{
	uint64_t a = start;

	while (avs_pte_next(mm, &a, end)) {
		avs_pte_t pte = avs_pte_get(mm, a);
		struct avs_folio *f = avs_pte_folio(pte);

		if (!f || !avs_pte_present(pte))
			goto next;
		if (!shared_too && f->mapcount != folio_nr_pages(f))
			goto next;
		if (!f->anon_vma) {	/* rmap would chase a freed anon_vma */
			avs_hazard(sh, AVS_HAZ_STRANDED, pid, a, f, 0);
			goto next;
		}
		if (folio_mlocked(f))
			goto next;
		if (try_to_unmap(sh, f)) {
			f->flags &= ~(AVS_FOLIO_IN_CORE | AVS_FOLIO_EXCLUSIVE);
			avs_folio_set_mapping(sh, f, NULL);
			avs_folio_set_pfn(sh, f, 0);
		} else {
			/* what is still mapped was not reached through
			 * folio->mapping: name one such mapping */
			avs_hazard(sh, AVS_HAZ_UNREACHABLE,
				   avs_pte_maps(avs_pte_get(mm, a), f) ? pid : 0,
				   a, f, f->anon_vma->id);
		}
next:
		a += AVS_PAGE_SIZE;
	}
}

/* Touch every swapped page of [start, end): do_swap_page() for a read. */
void avs_swap_in(struct avs_shadow *sh, struct avs_mm *mm, uint64_t start,
		 uint64_t end)
{
	uint64_t a = start;

	while (avs_pte_next(mm, &a, end)) {
		if (avs_pte_is_swap(avs_pte_get(mm, a)))
			avs_handle_fault(sh, mm, a, AVS_FAULT_READ);
		a += AVS_PAGE_SIZE;
	}
}
