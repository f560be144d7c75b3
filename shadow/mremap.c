/* SPDX-License-Identifier: MIT */
/*
 * mremap as mm/mremap.c (Linux 6.18) does it: shrink, growth in place
 * (vma_merge_extend), and moves (copy_vma + move_page_tables + unmap of
 * the source), with MREMAP_FIXED, MREMAP_DONTUNMAP and the multi-VMA move
 * of 6.17+.  The event carries the result, so the shadow knows whether the
 * kernel grew in place or moved.
 */
#include "internal.h"

/*
 * mm/vma.c: copy_vma(): the destination of a move.  An unfaulted anonymous
 * VMA is re-based (pgoff = new address), a faulted one keeps its pgoff so
 * that folio->index stays valid.  Merge with the destination's neighbours
 * if possible (the source is copied_from), else a new VMA cloning the
 * source's chain.
 */
static struct avs_vma *copy_vma(struct avs_shadow *sh, struct avs_vma *vma,
				uint64_t addr, uint64_t len, uint64_t pgoff)
{
	struct avs_mm *mm = vma->vm_mm;
	struct vma_merge_struct vmg = {
		.mm = mm,
		.start = addr,
		.end = addr + len,
		.vm_flags = vma->vm_flags,
		.dev = vma->dev,
		.ino = vma->ino,
		.anon_vma = vma->anon_vma,
		.copied_from = vma,
	};
	struct avs_vma *new;

	if (vma_is_anonymous(vma) && !vma->anon_vma)
		pgoff = addr >> AVS_PAGE_SHIFT;
	vmg.pgoff = pgoff;
	vmg.prev = avs_vma_before(mm, addr);
	vmg.next = avs_vma_at_or_after(mm, addr + len);
	new = vma_merge_new_range(sh, &vmg);
	if (new)
		return new;
	new = vm_area_dup(sh, vma);
	new->vm_start = addr;
	new->vm_end = addr + len;
	new->vm_pgoff = pgoff;
	anon_vma_clone(sh, new, vma);
	avs_mm_insert_vma(sh, mm, new);
	return new;
}

/*
 * anonmm kept each page's virtual address, so moving a page another mm
 * still maps would lose it: the 2004 proposal copied such pages at move
 * time (copy_one_pte: "if page->count > 1, copy").
 */
static void unshare_moved(struct avs_shadow *sh, struct avs_vma *vma,
			  uint64_t addr, uint64_t len)
{
	uint64_t a = addr;

	while (avs_pte_next(vma->vm_mm, &a, addr + len)) {
		avs_pte_t pte = avs_pte_get(vma->vm_mm, a);
		struct avs_folio *f = avs_pte_folio(pte);

		if (f && avs_pte_present(pte) && f->mapcount > 1)
			avs_break_cow(sh, vma, a);
		a += AVS_PAGE_SIZE;
	}
}

/*
 * mm/mremap.c: move_vma(): copy the VMA to new_addr, move the ptes, then
 * unmap the source range, or with MREMAP_DONTUNMAP keep it
 * (dontunmap_complete(): VM_LOCKED cleared; a wholly moved source VMA
 * loses its anon_vma links).
 */
static void move_vma(struct avs_shadow *sh, struct avs_mm *mm,
		     struct avs_vma *vma, uint64_t addr, uint64_t old_len,
		     uint64_t new_addr, uint64_t new_len, bool dontunmap)
{
	uint64_t pgoff, new_end = new_addr + new_len;
	struct avs_vma *new_vma;

	/*
	 * vma_to_resize(): the old range lies in one VMA; the destination
	 * was free (get_unmapped_area(), or unmapped by MREMAP_FIXED) and
	 * never overlaps the source.  The event says the kernel did it, so a
	 * shadow that disagrees (calls of racing threads recorded in another
	 * order) is told, and its destination cleared as mmap does.
	 */
	if (addr + old_len > vma->vm_end ||
	    (new_addr < addr + old_len && addr < new_end)) {
		avs_warn(sh, "mremap: 0x%llx-0x%llx to 0x%llx: not one VMA or "
			 "overlapping in the shadow",
			 (unsigned long long)addr,
			 (unsigned long long)(addr + old_len),
			 (unsigned long long)new_addr);
		return;
	}
	if (avs_find_vma_intersection(mm, new_addr, new_end)) {
		avs_warn(sh, "mremap: destination 0x%llx-0x%llx mapped in the "
			 "shadow", (unsigned long long)new_addr,
			 (unsigned long long)new_end);
		avs_munmap_range(sh, mm, new_addr, new_end);
		vma = avs_find_vma(mm, addr);
		if (!vma)
			return;
	}
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> AVS_PAGE_SHIFT);
	new_vma = copy_vma(sh, vma, new_addr, new_len, pgoff);

	avs_move_ptes(sh, mm, addr, new_addr, old_len);
	if (sh->rules->design == AVS_DESIGN_ANONMM)
		unshare_moved(sh, new_vma, new_addr, old_len);
	if (!dontunmap) {
		avs_munmap_range(sh, mm, addr, addr + old_len);
		return;
	}
	vma = avs_find_vma(mm, addr);
	if (!vma)
		return;
	if (vma->vm_start == addr && vma->vm_end == addr + old_len) {
		vma->vm_flags &= ~VM_LOCKED_MASK;
		if (new_vma != vma)
			unlink_anon_vmas(sh, vma);
	} else {
		/* the flag change of a part splits it out */
		vma = vma_modify_flags(sh, vma, addr, addr + old_len,
				       vma->vm_flags & ~VM_LOCKED_MASK);
		vma->vm_flags &= ~VM_LOCKED_MASK;
	}
}

/* mm/mremap.c: mremap_to(): FIXED unmaps the destination first; a shrink
 * happens before the move. */
static void mremap_to(struct avs_shadow *sh, struct avs_mm *mm,
		      uint64_t addr, uint64_t old_len, uint64_t new_addr,
		      uint64_t new_len, uint32_t flags)
{
	struct avs_vma *vma;

	if (flags & AVS_MREMAP_FIXED)
		avs_munmap_range(sh, mm, new_addr, new_addr + new_len);
	if (new_len < old_len) {
		avs_munmap_range(sh, mm, addr + new_len, addr + old_len);
		old_len = new_len;
	}
	vma = avs_find_vma(mm, addr);
	if (!vma) {
		avs_warn(sh, "mremap: no VMA at 0x%llx", (unsigned long long)addr);
		return;
	}
	move_vma(sh, mm, vma, addr, old_len, new_addr, new_len,
		 flags & AVS_MREMAP_DONTUNMAP);
}

/* mm/mremap.c: remap_move() (6.17+): MREMAP_FIXED with equal lengths moves
 * every VMA of the range, keeping the gaps between them. */
static void remap_move(struct avs_shadow *sh, struct avs_mm *mm,
		       uint64_t start, uint64_t end, uint64_t target,
		       uint32_t flags)
{
	uint64_t cur = start, s, e;

	while (avs_vma_in_range(mm, &cur, end, &s, &e))
		mremap_to(sh, mm, s, e - s, target + (s - start), e - s, flags);
}

void avs_do_mremap(struct avs_shadow *sh, struct avs_proc *p,
		   const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	uint64_t addr = ev->u.mremap.old_start;
	uint64_t old_len = ev->u.mremap.old_end - addr;
	uint64_t new_addr = ev->u.mremap.new_start;
	uint64_t new_len = ev->u.mremap.new_end - new_addr;
	uint32_t flags = ev->u.mremap.flags;
	struct avs_vma *vma;

	if ((flags & AVS_MREMAP_FIXED) && old_len == new_len) {
		remap_move(sh, mm, addr, addr + old_len, new_addr, flags);
		return;
	}
	vma = avs_find_vma(mm, addr);
	if (!vma) {
		avs_warn(sh, "mremap of unmapped 0x%llx", (unsigned long long)addr);
		return;
	}
	if (flags & (AVS_MREMAP_FIXED | AVS_MREMAP_DONTUNMAP)) {
		mremap_to(sh, mm, addr, old_len, new_addr, new_len, flags);
		return;
	}
	/* mremap_at() */
	if (new_len == old_len)
		return;
	if (new_len < old_len) {
		avs_munmap_range(sh, mm, addr + new_len, addr + old_len);
		return;
	}
	if (new_addr == addr) {
		/* expand_vma_in_place() -> vma_merge_extend() */
		struct vma_merge_struct vmg = {
			.mm = mm,
			.prev = vma,
			.next = avs_vma_at_or_after(mm, vma->vm_end),
			.start = vma->vm_end,
			.end = addr + new_len,
			.pgoff = vma->vm_pgoff + vma_pages(vma),
			.vm_flags = vma->vm_flags,
			.dev = vma->dev,
			.ino = vma->ino,
			.anon_vma = vma->anon_vma,
		};

		if (vma->vm_end != addr + old_len ||
		    !vma_merge_new_range(sh, &vmg))
			avs_warn(sh, "mremap: in-place growth not possible");
		else if (vma->vm_flags & VM_LOCKED)
			avs_populate_range(sh, mm, addr + old_len, addr + new_len,
					   (vma->vm_flags & (VM_WRITE | VM_SHARED)) ==
						   VM_WRITE);
		return;
	}
	move_vma(sh, mm, vma, addr, old_len, new_addr, new_len, false);
}
