/* SPDX-License-Identifier: MIT */
/*
 * Page observations (a pagemap sample of a range) reconciled with the
 * shadow's page tables.  A fault no hook saw shows up here: an anonymous
 * page where the shadow has none means the program wrote there; a
 * different PFN than the shadow's folio means this process broke COW.
 */
#include "internal.h"

static struct avs_pfn *pfn_of(struct avs_shadow *sh,
			      const struct avs_folio *folio)
{
	struct avs_pfn *e = NULL;

	if (folio->flags & AVS_FOLIO_HAS_PFN)
		HASH_FIND(fh, sh->pfn_of, &folio, sizeof(folio), e);
	return e;
}

void avs_folio_set_pfn(struct avs_shadow *sh, struct avs_folio *folio,
		       uint64_t pfn)
{
	struct avs_pfn *e = pfn_of(sh, folio);

	if (e) {
		HASH_DELETE(hh, sh->pfns, e);
		HASH_DELETE(fh, sh->pfn_of, e);
		avs_free(sh, AVS_MEM_OTHER, e, sizeof(*e));
		folio->flags &= ~AVS_FOLIO_HAS_PFN;
	}
	if (!pfn)
		return;
	e = avs_alloc(sh, AVS_MEM_OTHER, sizeof(*e));
	e->pfn = pfn;
	e->folio = folio;
	HASH_ADD(hh, sh->pfns, pfn, sizeof(e->pfn), e);
	HASH_ADD(fh, sh->pfn_of, folio, sizeof(e->folio), e);
	folio->flags |= AVS_FOLIO_HAS_PFN;
}

static uint64_t folio_pfn(struct avs_shadow *sh, const struct avs_folio *f)
{
	struct avs_pfn *e = pfn_of(sh, f);

	return e ? e->pfn : 0;
}

static struct avs_folio *folio_by_pfn(struct avs_shadow *sh, uint64_t pfn)
{
	struct avs_pfn *e;

	HASH_FIND(hh, sh->pfns, &pfn, sizeof(pfn), e);
	return e ? e->folio : NULL;
}

/* The page at addr is anonymous and present in the kernel. */
static void observe_anon(struct avs_shadow *sh, struct avs_mm *mm,
			 uint64_t addr, uint64_t w)
{
	avs_pte_t pte = avs_pte_get(mm, addr);
	bool pfn_known = w & AVS_PAGE_PFN_KNOWN;
	uint64_t pfn = w & AVS_PAGE_PFN_MASK;
	struct avs_folio *f;

	if (avs_pte_is_swap(pte)) {	/* swapped in since */
		avs_handle_fault(sh, mm, addr, AVS_FAULT_READ);
		pte = avs_pte_get(mm, addr);
	}
	f = avs_pte_present(pte) ? avs_pte_folio(pte) : NULL;
	if (f && pfn_known && folio_pfn(sh, f) && folio_pfn(sh, f) != pfn) {
		/* a different page than the shared one: this process
		 * wrote it (COW) since */
		avs_handle_fault(sh, mm, addr, AVS_FAULT_FORCE_WRITE);
		f = avs_pte_folio(avs_pte_get(mm, addr));
	} else if (!f && !pfn_known && !(w & AVS_PAGE_EXCLUSIVE)) {
		/* PFNs hidden: present, not exclusive, unknown to the shadow.
		 * Sharing only comes from forks the shadow saw, so this is
		 * the zero page (a read), not a write */
		if (pte == AVS_PTE_NONE)
			avs_pte_set(sh, mm, addr, AVS_PTE_ZERO);
		return;
	} else if (!f) {
		/* an anon page where the shadow has none or the zero page:
		 * a write fault (or COW of a private file page) */
		if (pfn_known && folio_by_pfn(sh, pfn)) {
			/* another mapping of a folio the shadow has elsewhere:
			 * the sample raced a change it has not seen yet */
			sh->counts.pages_unplaced++;
			return;
		}
		avs_handle_fault(sh, mm, addr, AVS_FAULT_FORCE_WRITE);
		f = avs_pte_folio(avs_pte_get(mm, addr));
	}
	if (f && pfn_known && !folio_pfn(sh, f) && !folio_by_pfn(sh, pfn) &&
	    f->order == 0)
		avs_folio_set_pfn(sh, f, pfn);
}

void avs_observe_pages(struct avs_shadow *sh, struct avs_mm *mm,
		       const struct avs_event *ev)
{
	uint64_t addr = ev->u.pages.start;
	uint32_t i;

	for (i = 0; i < ev->nwords; i++, addr += AVS_PAGE_SIZE) {
		uint64_t w = ev->words[i];
		struct avs_vma *vma = avs_find_vma(mm, addr);
		avs_pte_t pte;

		if (!vma) {	/* sampled while another thread mapped it */
			if (w & (AVS_PAGE_PRESENT | AVS_PAGE_SWAPPED))
				sh->counts.pages_unplaced++;
			continue;
		}
		pte = avs_pte_get(mm, addr);
		if (w & AVS_PAGE_PRESENT) {
			if (w & AVS_PAGE_ZERO) {
				if (pte != AVS_PTE_ZERO) {
					avs_zap_pte(sh, mm, addr);
					avs_pte_set(sh, mm, addr, AVS_PTE_ZERO);
				}
			} else if (w & AVS_PAGE_FILE) {
				if (pte != AVS_PTE_NONE)	/* refaulted */
					avs_zap_pte(sh, mm, addr);
			} else if (!(vma->vm_flags & VM_SHARED)) {
				observe_anon(sh, mm, addr, w);
			}
		} else if (w & AVS_PAGE_SWAPPED) {
			if (avs_pte_present(pte) && pte != AVS_PTE_ZERO)
				avs_swap_out(sh, mm, 0, addr,
					     addr + AVS_PAGE_SIZE, true);
		} else if (pte != AVS_PTE_NONE) {
			avs_zap_pte(sh, mm, addr);	/* discarded since */
		}
	}
}
