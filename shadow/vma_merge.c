/* SPDX-License-Identifier: MIT */
/*
 * VMA merging and splitting as mm/vma.c does it in Linux 6.18: the
 * mergeability tests (with the 6.16 anon rule, 879bca0a2c4f, and the
 * copied_from check, 61f67c230a5e), vma_merge_existing_range(),
 * vma_merge_new_range()/vma_expand(), dup_anon_vma(), __split_vma(),
 * vma_modify_flags(), and find_mergeable_anon_vma().
 *
 * Not modelled, because the shadow never sees them differ: mempolicy,
 * userfaultfd context, anon_vma_name and vm_ops->close.
 */
#include "internal.h"

/* mm/vma.c: vma_is_fork_child(): has an anon_vma and a chain of >1. */
static bool vma_is_fork_child(const struct avs_vma *vma)
{
	return vma && vma->anon_vma && !list_is_singular(&vma->anon_vma_chain);
}

static bool same_file(const struct avs_vma *vma,
		      const struct vma_merge_struct *vmg)
{
	return vma->dev == vmg->dev && vma->ino == vmg->ino;
}

/* mm/vma.c: is_mergeable_vma() */
static bool is_mergeable_vma(const struct vma_merge_struct *vmg,
			     bool merge_next)
{
	const struct avs_vma *vma = merge_next ? vmg->next : vmg->prev;

	return !((vma->vm_flags ^ vmg->vm_flags) & ~VM_SOFTDIRTY) &&
	       same_file(vma, vmg);
}

/*
 * mm/vma.c: is_mergeable_anon_vma().  6.16+: the side whose anon_vma
 * survives must not be a fork child; otherwise both anon_vmas must be
 * equal.  3.0-6.15: one side may lack an anon_vma only if the target's
 * chain is singular (so never into an unfaulted target).  Before 3.0:
 * either side may lack one.
 */
static bool is_mergeable_anon_vma(const struct avs_shadow *sh,
				  const struct vma_merge_struct *vmg,
				  bool merge_next)
{
	const struct avs_vma *tgt = merge_next ? vmg->next : vmg->prev;
	const struct avs_anon_vma *tgt_anon = tgt->anon_vma;
	const struct avs_anon_vma *src_anon = vmg->anon_vma;

	if (sh->rules->merge == AVS_MERGE_EITHER)
		return !tgt_anon || !src_anon || tgt_anon == src_anon;
	if (sh->rules->merge == AVS_MERGE_SINGULAR)
		return ((!tgt_anon || !src_anon) &&
			list_is_singular(&tgt->anon_vma_chain)) ||
		       tgt_anon == src_anon;

	if (!tgt_anon && src_anon)
		return !vma_is_fork_child(vmg->middle) &&
		       !vma_is_fork_child(vmg->copied_from);
	if (tgt_anon && !src_anon)
		return !vma_is_fork_child(tgt);
	return src_anon == tgt_anon;
}

/* mm/vma.c: can_vma_merge_before(): [start, end) goes in front of next. */
static bool can_vma_merge_before(const struct avs_shadow *sh,
				 const struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, true) &&
	       is_mergeable_anon_vma(sh, vmg, true) &&
	       vmg->next->vm_pgoff ==
		       vmg->pgoff + ((vmg->end - vmg->start) >> AVS_PAGE_SHIFT);
}

/* mm/vma.c: can_vma_merge_after(): [start, end) goes after prev. */
static bool can_vma_merge_after(const struct avs_shadow *sh,
				const struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, false) &&
	       is_mergeable_anon_vma(sh, vmg, false) &&
	       vmg->prev->vm_pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

/* mm/vma.c: can_vma_merge_left() */
static bool can_vma_merge_left(const struct avs_shadow *sh,
			       const struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(sh, vmg);
}

/* mm/vma.c: can_vma_merge_right(): a three-way merge also needs prev and
 * next not to hold two different anon_vmas. */
static bool can_vma_merge_right(const struct avs_shadow *sh,
				const struct vma_merge_struct *vmg,
				bool can_merge_left)
{
	const struct avs_vma *prev = vmg->prev, *next = vmg->next;

	if (!next || vmg->end != next->vm_start ||
	    !can_vma_merge_before(sh, vmg))
		return false;
	if (!can_merge_left)
		return true;
	return !prev->anon_vma || !next->anon_vma ||
	       prev->anon_vma == next->anon_vma;
}

/*
 * mm/vma.c: dup_anon_vma(): the surviving VMA takes over src's anon_vma
 * and chain, so every page that lands in it stays reachable.  dst_is_vma:
 * dst is what vma_adjust() called vma (the left VMA), which 2.6.34-rc1..rc3
 * cloned from itself, leaving it an anon_vma and no chain.
 */
static void dup_anon_vma(struct avs_shadow *sh, struct avs_vma *dst,
			 struct avs_vma *src, bool dst_is_vma)
{
	if (!src->anon_vma || dst->anon_vma)
		return;
	dst->anon_vma = src->anon_vma;
	if (dst_is_vma && sh->rules->adjust_clones_from_vma) {
		dst->anon_vma->num_active_vmas++;
		dst->anon_vma->degree++;
		return;
	}
	anon_vma_clone(sh, dst, src);
}

/* vma_complete() for a VMA a merge removes: anon_vma_merge() unlinks it
 * (its anon_vma equals the survivor's), then it is freed. */
static void merge_remove(struct avs_shadow *sh, struct avs_vma *remove)
{
	if (remove->anon_vma)
		unlink_anon_vmas(sh, remove);	/* anon_vma_merge() */
	avs_mm_remove_vma(remove->vm_mm, remove);
	sh->counts.vmas--;
	vm_area_free(sh, remove);
}

/* vma_set_range() of a VMA in a tree: its AVCs are re-inserted around the
 * change (vma_prepare / vma_complete). */
static void set_range(struct avs_vma *vma, uint64_t start, uint64_t end,
		      uint64_t pgoff)
{
	anon_vma_interval_tree_pre_update_vma(vma);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	anon_vma_interval_tree_post_update_vma(vma);
}

/*
 * mm/vma.c: vma_merge_existing_range(): the range [start, end) of middle
 * changes attributes (mprotect, madvise, mlock); merge it into prev
 * and/or next when they are compatible.  Returns the VMA that now covers
 * the range, or NULL if no merge is possible.
 */
static struct avs_vma *vma_merge_existing_range(struct avs_shadow *sh,
						struct vma_merge_struct *vmg)
{
	struct avs_vma *middle = vmg->middle, *prev = vmg->prev, *next;
	uint64_t start = vmg->start, end = vmg->end;
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	bool merge_left, merge_right, merge_both, remove_middle;

	if ((vmg->vm_flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;
	merge_left = left_side && can_vma_merge_left(sh, vmg);
	next = NULL;
	merge_right = false;
	if (right_side) {
		next = vmg->next = avs_vma_next(middle->vm_mm, middle);
		merge_right = can_vma_merge_right(sh, vmg, merge_left);
	}
	if (!merge_left && !merge_right)
		return NULL;
	merge_both = merge_left && merge_right;
	remove_middle = left_side && right_side;

	if (merge_both) {
		dup_anon_vma(sh, prev, next->anon_vma ? next : middle, true);
		set_range(prev, prev->vm_start, next->vm_end, prev->vm_pgoff);
		merge_remove(sh, middle);
		merge_remove(sh, next);
		return prev;
	}
	if (merge_left) {
		dup_anon_vma(sh, prev, middle, true);
		if (remove_middle) {
			set_range(prev, prev->vm_start, end, prev->vm_pgoff);
			merge_remove(sh, middle);
		} else {	/* __adjust_middle_start */
			uint64_t shift = (end - middle->vm_start) >> AVS_PAGE_SHIFT;

			anon_vma_interval_tree_pre_update_vma(middle);
			set_range(prev, prev->vm_start, end, prev->vm_pgoff);
			middle->vm_start = end;
			middle->vm_pgoff += shift;
			anon_vma_interval_tree_post_update_vma(middle);
		}
		return prev;
	}
	/* merge right */
	if (remove_middle && sh->rules->merge_right_keeps_middle) {
		/* old vma_merge() case 8: vma_adjust(area, ..., next->vm_end)
		 * with area the middle: it imports next and next goes */
		dup_anon_vma(sh, middle, next, true);
		set_range(middle, middle->vm_start, next->vm_end,
			  middle->vm_pgoff);
		merge_remove(sh, next);
		return middle;
	}
	dup_anon_vma(sh, next, middle, false);
	if (remove_middle) {
		uint64_t pglen = (end - start) >> AVS_PAGE_SHIFT;

		set_range(next, start, next->vm_end, next->vm_pgoff - pglen);
		merge_remove(sh, middle);
	} else {	/* __adjust_next_start */
		uint64_t shift = (next->vm_start - start) >> AVS_PAGE_SHIFT;

		anon_vma_interval_tree_pre_update_vma(middle);
		middle->vm_end = start;
		anon_vma_interval_tree_post_update_vma(middle);
		set_range(next, start, next->vm_end, next->vm_pgoff - shift);
	}
	return next;
}

/*
 * mm/vma.c: vma_merge_new_range() and vma_expand(): a new range (mmap,
 * brk, mremap) joins prev and/or next.  With just_expand (brk) only prev
 * is considered.
 */
struct avs_vma *vma_merge_new_range(struct avs_shadow *sh,
				    struct vma_merge_struct *vmg)
{
	struct avs_vma *prev = vmg->prev, *next = vmg->next, *target = NULL;
	bool can_left, can_right, remove_next;

	vmg->middle = NULL;
	if ((vmg->vm_flags & VM_SPECIAL) || (!prev && !next))
		return NULL;
	can_left = can_vma_merge_left(sh, vmg);
	can_right = !vmg->just_expand &&
		    can_vma_merge_right(sh, vmg, can_left);
	if (can_right) {
		vmg->end = next->vm_end;
		target = next;
	}
	if (can_left) {
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		target = prev;
	}
	if (!target)
		return NULL;

	/* vma_expand() */
	remove_next = next && target != next && vmg->end == next->vm_end;
	if (remove_next)
		dup_anon_vma(sh, target, next, target == prev);
	if (vmg->copied_from)
		dup_anon_vma(sh, target, vmg->copied_from, target == prev);
	set_range(target, vmg->start, vmg->end, vmg->pgoff);
	if (remove_next)
		merge_remove(sh, next);
	return target;
}

/*
 * mm/vma.c: __split_vma().  The new VMA is a copy holding the part below
 * addr (new_below) or above it; it clones the chain, so both halves share
 * the anon_vma (num_active_vmas + 1).
 */
void __split_vma(struct avs_shadow *sh, struct avs_vma *vma, uint64_t addr,
		 bool new_below)
{
	struct avs_vma *new = vm_area_dup(sh, vma);

	if (addr & (AVS_PMD_SIZE - 1))		/* vma_adjust_trans_huge() */
		avs_split_huge_pmd(vma->vm_mm, addr);
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> AVS_PAGE_SHIFT;
	}
	anon_vma_clone(sh, new, vma);
	anon_vma_interval_tree_pre_update_vma(vma);
	if (new_below) {
		vma->vm_pgoff += (addr - new->vm_start) >> AVS_PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		vma->vm_end = addr;
	}
	anon_vma_interval_tree_post_update_vma(vma);
	avs_mm_insert_vma(sh, vma->vm_mm, new);
}

/*
 * mm/vma.c: vma_modify_flags() -> vma_modify(): try to merge the changed
 * range with its neighbours; otherwise split it out of vma.  Returns the
 * VMA covering exactly [start, end); the caller sets its flags.
 */
struct avs_vma *vma_modify_flags(struct avs_shadow *sh, struct avs_vma *vma,
				 uint64_t start, uint64_t end,
				 uint64_t new_flags)
{
	struct vma_merge_struct vmg = {
		.mm = vma->vm_mm,
		.prev = start == vma->vm_start ? avs_vma_prev(vma->vm_mm, vma)
					       : NULL,
		.middle = vma,
		.start = start,
		.end = end,
		.pgoff = vma->vm_pgoff +
			 ((start - vma->vm_start) >> AVS_PAGE_SHIFT),
		.vm_flags = new_flags,
		.dev = vma->dev,
		.ino = vma->ino,
		.anon_vma = vma->anon_vma,
	};
	struct avs_vma *merged = vma_merge_existing_range(sh, &vmg);

	if (merged)
		return merged;
	if (vma->vm_start < start)
		__split_vma(sh, vma, start, true);
	if (vma->vm_end > end)
		__split_vma(sh, vma, end, false);
	return vma;
}

/* mm/vma.c: anon_vma_compatible(): adjacent, same file and policy, flags
 * equal but for access bits and soft-dirty, pgoff linear. */
static bool anon_vma_compatible(const struct avs_vma *a,
				const struct avs_vma *b)
{
	return a->vm_end == b->vm_start && a->dev == b->dev &&
	       a->ino == b->ino &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff +
				      ((b->vm_start - a->vm_start) >> AVS_PAGE_SHIFT);
}

/* mm/vma.c: reusable_anon_vma(): only a neighbour whose chain holds just
 * its own anon_vma may lend it (d0e9fe1758f2); before that, any. */
static struct avs_anon_vma *reusable_anon_vma(const struct avs_rules *rules,
					      struct avs_vma *old,
					      struct avs_vma *a,
					      struct avs_vma *b)
{
	if (anon_vma_compatible(a, b) && old->anon_vma &&
	    (rules->prepare_any_neighbour ||
	     list_is_singular(&old->anon_vma_chain)))
		return old->anon_vma;
	return NULL;
}

/* mm/vma.c: find_mergeable_anon_vma(): the next VMA first, then prev. */
struct avs_anon_vma *find_mergeable_anon_vma(const struct avs_rules *rules,
					     struct avs_vma *vma)
{
	struct avs_mm *mm = vma->vm_mm;
	struct avs_vma *next = avs_vma_next(mm, vma);
	struct avs_vma *prev = avs_vma_prev(mm, vma);
	struct avs_anon_vma *av = NULL;

	if (next && next->vm_start == vma->vm_end)
		av = reusable_anon_vma(rules, next, vma, next);
	if (!av && prev)
		av = reusable_anon_vma(rules, prev, prev, vma);
	return av;
}
