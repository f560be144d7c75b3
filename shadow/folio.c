/* SPDX-License-Identifier: MIT */
/*
 * Anon folios and the ptes that map them: mm/rmap.c (the folio side) and
 * the pte loops of mm/memory.c (zap_pte_range, copy_present_pte,
 * copy_nonpresent_pte) and mm/mremap.c (move_ptes).
 */
#include "internal.h"

struct avs_folio *avs_folio_alloc(struct avs_shadow *sh, unsigned order)
{
	struct avs_folio *f = avs_alloc(sh, AVS_MEM_FOLIO, sizeof(*f));

	f->order = (uint16_t)order;
	f->id = ++sh->next_id;
	f->flags = AVS_FOLIO_IN_CORE;
	INIT_LIST_HEAD(&f->anon_node);
	sh->counts.folios++;
	sh->counts.pages += 1ULL << order;
	return f;
}

/* folio->mapping := av, keeping each anon_vma's list of its folios. */
void avs_folio_set_mapping(struct avs_shadow *sh, struct avs_folio *folio,
			   struct avs_anon_vma *av)
{
	(void)sh;
	if (folio->anon_vma == av)
		return;
	if (folio->anon_vma) {
		list_del(&folio->anon_node);
		folio->anon_vma->nr_folios--;
	}
	folio->anon_vma = av;
	if (av) {	/* a live mapping again: no longer dangling */
		folio->flags &= ~(AVS_FOLIO_STRANDED | AVS_FOLIO_STALE);
		list_add_tail(&folio->anon_node, &av->folios);
		av->nr_folios++;
	}
}

/*
 * mm/rmap.c: folio_add_new_anon_rmap() -> __folio_set_anon().  An
 * exclusive folio goes to the VMA's own anon_vma; a folio that may be
 * shared goes to an anon_vma every VMA of the family chains: the root
 * (2.6.35+, 288468c334e9) or the chain's oldest entry (2.6.34).  Under
 * 2.6.34-rc1..rc3 every folio went to the VMA's own anon_vma.
 */
static struct avs_anon_vma *new_folio_anon_vma(const struct avs_rules *rules,
					       struct avs_vma *vma,
					       bool exclusive)
{
	if (exclusive || rules->page == AVS_PAGE_NEWEST)
		return vma->anon_vma;
	if (rules->page == AVS_PAGE_CHAIN_TAIL)
		return list_last_entry(&vma->anon_vma_chain, struct avs_avc,
				       same_vma)->anon_vma;
	return vma->anon_vma->root;
}

void folio_add_new_anon_rmap(struct avs_shadow *sh, struct avs_folio *folio,
			     struct avs_vma *vma, uint64_t addr,
			     bool exclusive)
{
	struct avs_anon_vma *av = new_folio_anon_vma(sh->rules, vma, exclusive);
	uint64_t base = addr & ~((AVS_PAGE_SIZE << folio->order) - 1);

	avs_folio_set_mapping(sh, folio, av);
	folio->index = linear_page_index(vma, base);
	folio->flags |= AVS_FOLIO_IN_CORE;
	if (exclusive)
		folio->flags |= AVS_FOLIO_EXCLUSIVE;
	else
		folio->flags &= ~AVS_FOLIO_EXCLUSIVE;
}

/* mm/rmap.c: folio_move_anon_rmap(): a folio only this VMA maps moves to
 * the VMA's own anon_vma (c44b674323f4). */
void folio_move_anon_rmap(struct avs_shadow *sh, struct avs_folio *folio,
			  struct avs_vma *vma)
{
	avs_folio_set_mapping(sh, folio, vma->anon_vma);
}

void avs_folio_put_if_unused(struct avs_shadow *sh, struct avs_folio *folio)
{
	if (folio->mapcount || folio->swapcount)
		return;
	avs_folio_set_mapping(sh, folio, NULL);
	if (folio->flags & AVS_FOLIO_HAS_PFN)
		avs_folio_set_pfn(sh, folio, 0);
	sh->counts.folios--;
	sh->counts.pages -= folio_nr_pages(folio);
	avs_free(sh, AVS_MEM_FOLIO, folio, sizeof(*folio));
}

void avs_split_huge_pmd(struct avs_mm *mm, uint64_t addr)
{
	uint64_t a = addr & ~(AVS_PMD_SIZE - 1), end = a + AVS_PMD_SIZE;
	avs_pte_t pte = avs_pte_get(mm, addr);
	struct avs_pt_leaf *leaf;
	uint64_t key;

	if (!avs_pte_present(pte) || !(pte & AVS_PTE_PMD))
		return;
	/* one leaf is one PMD range: clear the marker on its ptes */
	key = a >> (AVS_PAGE_SHIFT + AVS_PT_LEAF_SHIFT);
	HASH_FIND(hh, mm->pt, &key, sizeof(key), leaf);
	for (; leaf && a < end; a += AVS_PAGE_SIZE) {
		avs_pte_t *slot = &leaf->pte[(a >> AVS_PAGE_SHIFT) &
					     (AVS_PT_LEAF_PTES - 1)];

		if (avs_pte_present(*slot) && *slot != AVS_PTE_ZERO)
			*slot &= ~AVS_PTE_PMD;
	}
}

/* zap_pte_range() for one pte: the folio loses a mapping (or the swap
 * entry a reference) and is freed when nothing refers to it.  Zapping
 * part of a PMD-mapped THP splits the PMD first. */
void avs_zap_pte(struct avs_shadow *sh, struct avs_mm *mm, uint64_t addr)
{
	avs_pte_t pte = avs_pte_get(mm, addr);
	struct avs_folio *f = avs_pte_folio(pte);

	if (pte == AVS_PTE_NONE)
		return;
	avs_split_huge_pmd(mm, addr);
	avs_pte_set(sh, mm, addr, AVS_PTE_NONE);
	if (!f)
		return;
	if (avs_pte_is_swap(pte))
		f->swapcount--;
	else
		f->mapcount--;
	avs_folio_put_if_unused(sh, f);
}

void avs_zap_range(struct avs_shadow *sh, struct avs_mm *mm, uint64_t start,
		   uint64_t end)
{
	uint64_t a = start;

	while (avs_pte_next(mm, &a, end)) {
		avs_zap_pte(sh, mm, a);
		a += AVS_PAGE_SIZE;
	}
}

/* mm/mremap.c: move_ptes(): ptes move, folios (and folio->index) stay. */
void avs_move_ptes(struct avs_shadow *sh, struct avs_mm *mm, uint64_t old,
		   uint64_t new, uint64_t len)
{
	uint64_t a = old;

	/* a PMD moves whole only when both ends are PMD-aligned */
	if (((old | new | len) & (AVS_PMD_SIZE - 1)) != 0) {
		avs_split_huge_pmd(mm, old);
		avs_split_huge_pmd(mm, old + len - AVS_PAGE_SIZE);
	}

	if (new > old && new < old + len) {	/* overlap: move from the top */
		for (a = old + len; a > old; a -= AVS_PAGE_SIZE) {
			avs_pte_t pte = avs_pte_get(mm, a - AVS_PAGE_SIZE);

			avs_pte_set(sh, mm, a - AVS_PAGE_SIZE, AVS_PTE_NONE);
			avs_pte_set(sh, mm, new + (a - AVS_PAGE_SIZE - old), pte);
		}
		return;
	}
	while (avs_pte_next(mm, &a, old + len)) {
		avs_pte_t pte = avs_pte_get(mm, a);

		avs_pte_set(sh, mm, a, AVS_PTE_NONE);
		avs_pte_set(sh, mm, new + (a - old), pte);
		a += AVS_PAGE_SIZE;
	}
}

/*
 * mm/memory.c: copy_page_range() for one VMA at fork.  An anon folio
 * becomes shared: both ptes map it and it loses PageAnonExclusive
 * (folio_try_dup_anon_rmap_pte).  A swap entry gains a reference and both
 * copies lose the exclusive marker (copy_nonpresent_pte).
 */
void avs_copy_page_range(struct avs_shadow *sh, struct avs_vma *dst,
			 struct avs_vma *src)
{
	struct avs_mm *smm = src->vm_mm, *dmm = dst->vm_mm;
	uint64_t a = src->vm_start;

	while (avs_pte_next(smm, &a, src->vm_end)) {
		avs_pte_t pte = avs_pte_get(smm, a);
		struct avs_folio *f = avs_pte_folio(pte);

		if (f && avs_pte_is_swap(pte)) {
			pte &= ~AVS_PTE_SWP_EXCLUSIVE;
			avs_pte_set(sh, smm, a, pte);
			f->swapcount++;
		} else if (f) {
			f->flags &= ~AVS_FOLIO_EXCLUSIVE;
			f->mapcount++;
		}
		avs_pte_set(sh, dmm, a, pte);
		a += AVS_PAGE_SIZE;
	}
}
