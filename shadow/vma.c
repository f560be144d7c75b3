/* SPDX-License-Identifier: MIT */
/*
 * VMA objects (kernel/fork.c vm_area_alloc/vm_area_dup) and the mm's set
 * of VMAs, kept as an array sorted by address (the kernel's maple tree).
 */
#include <string.h>
#include "internal.h"

struct avs_vma *vm_area_alloc(struct avs_shadow *sh, struct avs_mm *mm)
{
	struct avs_vma *vma = avs_alloc(sh, AVS_MEM_VMA, sizeof(*vma));

	vma->vm_mm = mm;
	vma->id = ++sh->next_id;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	return vma;
}

/* vm_area_dup() copies every field, the anon_vma pointer included, and
 * starts with an empty chain. */
struct avs_vma *vm_area_dup(struct avs_shadow *sh, struct avs_vma *orig)
{
	struct avs_vma *vma = vm_area_alloc(sh, orig->vm_mm);
	uint64_t id = vma->id;

	*vma = *orig;
	vma->id = id;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	return vma;
}

void vm_area_free(struct avs_shadow *sh, struct avs_vma *vma)
{
	avs_free(sh, AVS_MEM_VMA, vma, sizeof(*vma));
}

/* Index of the first VMA whose vm_end is above addr (nr_vmas if none). */
size_t avs_mm_vma_index(const struct avs_mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->vmas[mid]->vm_end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct avs_vma *avs_find_vma(const struct avs_mm *mm, uint64_t addr)
{
	size_t i = avs_mm_vma_index(mm, addr);

	if (i < mm->nr_vmas && mm->vmas[i]->vm_start <= addr)
		return mm->vmas[i];
	return NULL;
}

struct avs_vma *avs_find_vma_intersection(const struct avs_mm *mm,
					  uint64_t start, uint64_t end)
{
	size_t i = avs_mm_vma_index(mm, start);

	if (i < mm->nr_vmas && mm->vmas[i]->vm_start < end)
		return mm->vmas[i];
	return NULL;
}

/* The first VMA that ends above addr (find_vma() of the kernel). */
struct avs_vma *avs_vma_at_or_after(const struct avs_mm *mm, uint64_t addr)
{
	size_t i = avs_mm_vma_index(mm, addr);

	return i < mm->nr_vmas ? mm->vmas[i] : NULL;
}

struct avs_vma *avs_vma_in_range(const struct avs_mm *mm, uint64_t *cursor,
				 uint64_t end, uint64_t *s, uint64_t *e)
{
	struct avs_vma *v;

	if (*cursor >= end)
		return NULL;
	v = avs_vma_at_or_after(mm, *cursor);
	if (!v || v->vm_start >= end)
		return NULL;
	*s = v->vm_start > *cursor ? v->vm_start : *cursor;
	*e = v->vm_end < end ? v->vm_end : end;
	*cursor = v->vm_end;
	return v;
}

/* The last VMA that ends at or below addr. */
struct avs_vma *avs_vma_before(const struct avs_mm *mm, uint64_t addr)
{
	size_t i = avs_mm_vma_index(mm, addr);

	return i > 0 ? mm->vmas[i - 1] : NULL;
}

static size_t vma_slot(const struct avs_mm *mm, const struct avs_vma *v)
{
	size_t i = avs_mm_vma_index(mm, v->vm_start);

	while (i < mm->nr_vmas && mm->vmas[i] != v)
		i++;
	return i;
}

struct avs_vma *avs_vma_prev(const struct avs_mm *mm, const struct avs_vma *v)
{
	size_t i = vma_slot(mm, v);

	return i > 0 && i < mm->nr_vmas ? mm->vmas[i - 1] : NULL;
}

struct avs_vma *avs_vma_next(const struct avs_mm *mm, const struct avs_vma *v)
{
	size_t i = vma_slot(mm, v);

	return i + 1 < mm->nr_vmas ? mm->vmas[i + 1] : NULL;
}

void avs_mm_insert_vma(struct avs_shadow *sh, struct avs_mm *mm,
		       struct avs_vma *vma)
{
	size_t i;

	mm->vmas = avs_grow_array(sh, mm->vmas, &mm->cap_vmas,
				  sizeof(*mm->vmas), mm->nr_vmas + 1);
	i = avs_mm_vma_index(mm, vma->vm_start);
	memmove(&mm->vmas[i + 1], &mm->vmas[i],
		(mm->nr_vmas - i) * sizeof(*mm->vmas));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
	vma->vm_mm = mm;
	sh->counts.vmas++;
}

void avs_mm_remove_vma(struct avs_mm *mm, struct avs_vma *vma)
{
	size_t i = vma_slot(mm, vma);

	if (i >= mm->nr_vmas)
		return;
	memmove(&mm->vmas[i], &mm->vmas[i + 1],
		(mm->nr_vmas - i - 1) * sizeof(*mm->vmas));
	mm->nr_vmas--;
}
