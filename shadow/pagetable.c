/* SPDX-License-Identifier: MIT */
/*
 * The shadow's page table of one mm: leaves of 512 ptes (one 2 MiB range),
 * found through a hash by their index.  Only anon folios, swap entries and
 * zero-page ptes are kept; page-cache ptes are not needed for anon rmap.
 */
#include "internal.h"

static struct avs_pt_leaf *leaf_find(const struct avs_mm *mm, uint64_t key)
{
	struct avs_pt_leaf *leaf;

	HASH_FIND(hh, mm->pt, &key, sizeof(key), leaf);
	return leaf;
}

avs_pte_t avs_pte_get(const struct avs_mm *mm, uint64_t addr)
{
	uint64_t vpn = addr >> AVS_PAGE_SHIFT;
	struct avs_pt_leaf *leaf = leaf_find(mm, vpn >> AVS_PT_LEAF_SHIFT);

	return leaf ? leaf->pte[vpn & (AVS_PT_LEAF_PTES - 1)] : AVS_PTE_NONE;
}

void avs_pte_set(struct avs_shadow *sh, struct avs_mm *mm, uint64_t addr,
		 avs_pte_t pte)
{
	uint64_t vpn = addr >> AVS_PAGE_SHIFT;
	uint64_t key = vpn >> AVS_PT_LEAF_SHIFT;
	struct avs_pt_leaf *leaf = leaf_find(mm, key);
	avs_pte_t *slot;

	if (!leaf) {
		if (pte == AVS_PTE_NONE)
			return;
		leaf = avs_alloc(sh, AVS_MEM_PT, sizeof(*leaf));
		leaf->key = key;
		HASH_ADD(hh, mm->pt, key, sizeof(leaf->key), leaf);
	}
	slot = &leaf->pte[vpn & (AVS_PT_LEAF_PTES - 1)];
	if (*slot == AVS_PTE_NONE && pte != AVS_PTE_NONE)
		leaf->used++;
	else if (*slot != AVS_PTE_NONE && pte == AVS_PTE_NONE)
		leaf->used--;
	*slot = pte;
	if (!leaf->used) {
		HASH_DEL(mm->pt, leaf);
		avs_free(sh, AVS_MEM_PT, leaf, sizeof(*leaf));
	}
}

/*
 * The smallest leaf key in [key, last], by one pass over the leaves: for a
 * range with more leaf slots than the mm has leaves (a huge, sparsely
 * touched VMA), cheaper than a lookup per 2 MiB.
 */
static bool next_leaf_key(const struct avs_mm *mm, uint64_t key,
			  uint64_t last, uint64_t *found)
{
	struct avs_pt_leaf *leaf, *tmp;
	bool any = false;

	HASH_ITER(hh, mm->pt, leaf, tmp)
		if (leaf->key >= key && leaf->key <= last &&
		    (!any || leaf->key < *found)) {
			*found = leaf->key;
			any = true;
		}
	return any;
}

bool avs_pte_next(const struct avs_mm *mm, uint64_t *addr, uint64_t end)
{
	const unsigned shift = AVS_PT_LEAF_SHIFT + AVS_PAGE_SHIFT;
	uint64_t a = *addr;

	while (a < end) {
		uint64_t vpn = a >> AVS_PAGE_SHIFT;
		uint64_t leaf_end = ((vpn >> AVS_PT_LEAF_SHIFT) + 1)
				    << (AVS_PT_LEAF_SHIFT + AVS_PAGE_SHIFT);
		struct avs_pt_leaf *leaf =
			leaf_find(mm, vpn >> AVS_PT_LEAF_SHIFT);

		if (leaf_end > end || leaf_end == 0)
			leaf_end = end;
		if (leaf) {
			for (; a < leaf_end; a += AVS_PAGE_SIZE) {
				vpn = a >> AVS_PAGE_SHIFT;
				if (leaf->pte[vpn & (AVS_PT_LEAF_PTES - 1)]) {
					*addr = a;
					return true;
				}
			}
		} else if (leaf_end < end &&
			   ((end - 1) >> shift) - (a >> shift) >
			   HASH_COUNT(mm->pt)) {
			uint64_t key = 0;

			if (!next_leaf_key(mm, (a >> shift) + 1,
					   (end - 1) >> shift, &key))
				return false;
			a = key << shift;
			continue;
		}
		a = leaf_end;
	}
	return false;
}

void avs_pt_free_all(struct avs_shadow *sh, struct avs_mm *mm)
{
	struct avs_pt_leaf *leaf, *tmp;

	HASH_ITER(hh, mm->pt, leaf, tmp) {
		HASH_DEL(mm->pt, leaf);
		avs_free(sh, AVS_MEM_PT, leaf, sizeof(*leaf));
	}
}
