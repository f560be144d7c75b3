/* SPDX-License-Identifier: MIT */
/*
 * Address-space lifetime and the mapping syscalls: mm creation and
 * dup_mmap() at fork (mm/mmap.c), exit_mmap(), do_mmap()/__mmap_region(),
 * do_vmi_munmap() and brk (mm/mmap.c, mm/vma.c), and seeding an mm from
 * what /proc/PID/maps showed.
 */
#include "internal.h"

struct avs_mm *avs_mm_alloc(struct avs_shadow *sh)
{
	struct avs_mm *mm = avs_alloc(sh, AVS_MEM_MM, sizeof(*mm));

	mm->users = 1;
	mm->id = ++sh->next_id;
	list_add_tail(&mm->node, &sh->mms);
	sh->counts.mms++;
	return mm;
}

static void remove_vma(struct avs_shadow *sh, struct avs_mm *mm,
		       struct avs_vma *vma)
{
	avs_mm_remove_vma(mm, vma);
	sh->counts.vmas--;
	vm_area_free(sh, vma);
}

/*
 * mm/mmap.c: exit_mmap(): every pte is zapped first (unmap_vmas), then
 * free_pgtables() unlinks each VMA's anon_vmas in address order.
 */
static void exit_mmap(struct avs_shadow *sh, struct avs_mm *mm)
{
	size_t i;

	for (i = 0; i < mm->nr_vmas; i++)
		avs_zap_range(sh, mm, mm->vmas[i]->vm_start,
			      mm->vmas[i]->vm_end);
	for (i = 0; i < mm->nr_vmas; i++)
		unlink_anon_vmas(sh, mm->vmas[i]);
	while (mm->nr_vmas)
		remove_vma(sh, mm, mm->vmas[mm->nr_vmas - 1]);
}

/* kernel/fork.c: mmput(): the last user tears the address space down. */
void avs_mmput(struct avs_shadow *sh, struct avs_mm *mm)
{
	if (--mm->users > 0)
		return;
	exit_mmap(sh, mm);
	avs_pt_free_all(sh, mm);
	list_del(&mm->node);
	sh->counts.mms--;
	avs_free(sh, AVS_MEM_OTHER, mm->vmas,
		 mm->cap_vmas * sizeof(*mm->vmas));
	avs_free(sh, AVS_MEM_MM, mm, sizeof(*mm));
}

/*
 * mm/mmap.c: dup_mmap().  VM_DONTCOPY VMAs stay behind; a VM_WIPEONFORK
 * VMA starts empty, without anon_vma; every other VMA goes through
 * anon_vma_fork().  The child never inherits VM_LOCKED.  Page tables are
 * copied only where vma_needs_copy() says so: the parent VMA has an
 * anon_vma (or is PFNMAP/MIXEDMAP, or uffd-wp, which the shadow does not
 * see).
 */
void avs_dup_mmap(struct avs_shadow *sh, struct avs_mm *mm,
		  struct avs_mm *oldmm)
{
	size_t i;

	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	/* kernel/fork.c mm_init(): def_flags & VM_INIT_DEF_MASK */
	mm->def_flags = oldmm->def_flags & VM_NOHUGEPAGE;
	sh->in_fork = true;
	for (i = 0; i < oldmm->nr_vmas; i++) {
		struct avs_vma *mpnt = oldmm->vmas[i], *tmp;

		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		tmp = vm_area_dup(sh, mpnt);
		tmp->vm_mm = mm;
		if (tmp->vm_flags & VM_WIPEONFORK)
			tmp->anon_vma = NULL;
		else
			anon_vma_fork(sh, tmp, mpnt);
		tmp->vm_flags &= ~VM_LOCKED_MASK;
		avs_mm_insert_vma(sh, mm, tmp);
		if (!(tmp->vm_flags & VM_WIPEONFORK) &&
		    (mpnt->anon_vma || (mpnt->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))))
			avs_copy_page_range(sh, tmp, mpnt);
	}
	sh->in_fork = false;
}

/*
 * A VMA known from /proc/PID/maps when the process was first seen.  It is
 * placed as it is (no merge: the kernel already decided); if it had
 * anonymous pages it gets its anon_vma the way a first fault gives it one,
 * __anon_vma_prepare(), which may adopt a neighbour's.
 */
void avs_seed_vma(struct avs_shadow *sh, struct avs_proc *p,
		  const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	struct avs_vma *vma;

	if (ev->u.vma.start >= ev->u.vma.end ||
	    avs_find_vma_intersection(mm, ev->u.vma.start, ev->u.vma.end)) {
		avs_warn(sh, "seed VMA 0x%llx-0x%llx overlaps the shadow",
			 (unsigned long long)ev->u.vma.start,
			 (unsigned long long)ev->u.vma.end);
		return;
	}
	vma = vm_area_alloc(sh, mm);
	vma->vm_start = ev->u.vma.start;
	vma->vm_end = ev->u.vma.end;
	vma->vm_pgoff = ev->u.vma.pgoff;
	vma->vm_flags = ev->u.vma.vm_flags;
	vma->dev = ev->u.vma.dev;
	vma->ino = ev->u.vma.ino;
	avs_mm_insert_vma(sh, mm, vma);
	if (ev->u.vma.state & AVS_SEED_ANON_VMA)
		anon_vma_prepare(sh, vma);
}

/*
 * mm/vma.c: do_vmi_munmap() via vms_gather_munmap_vmas(): split the first
 * VMA at start (the new VMA is the part below), split the last at end (the
 * new VMA is the part above), then zap and unlink the VMAs in between.
 */
void avs_munmap_range(struct avs_shadow *sh, struct avs_mm *mm,
		      uint64_t start, uint64_t end)
{
	struct avs_vma *vma = avs_find_vma_intersection(mm, start, end);
	struct avs_vma *last;
	size_t first, i, n;

	if (!vma)
		return;
	if (vma->vm_start < start)
		__split_vma(sh, vma, start, true);
	last = avs_find_vma(mm, end - 1);
	if (last && last->vm_end > end)
		__split_vma(sh, last, end, false);

	first = avs_mm_vma_index(mm, start);
	for (n = 0; first + n < mm->nr_vmas &&
		    mm->vmas[first + n]->vm_start < end; n++)
		;
	for (i = first; i < first + n; i++)
		avs_zap_range(sh, mm, mm->vmas[i]->vm_start,
			      mm->vmas[i]->vm_end);
	for (i = first; i < first + n; i++)
		unlink_anon_vmas(sh, mm->vmas[i]);
	while (n--)
		remove_vma(sh, mm, mm->vmas[first + n]);
}

/* include/linux/mman.h: calc_vm_flag_bits() */
static uint64_t calc_vm_flag_bits(uint32_t flags)
{
	return (flags & AVS_MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & AVS_MAP_LOCKED ? VM_LOCKED : 0) |
	       (flags & AVS_MAP_SYNC ? VM_SYNC : 0) |
	       (flags & AVS_MAP_STACK ? VM_NOHUGEPAGE : 0);
}

/*
 * mm/mmap.c: do_mmap() computes vm_flags and pgoff; mm/vma.c:
 * __mmap_region() removes what a MAP_FIXED mapping replaces, tries to
 * merge the new range with its neighbours, else inserts a new VMA; then
 * MAP_POPULATE / VM_LOCKED populate it.
 */
void avs_do_mmap(struct avs_shadow *sh, struct avs_proc *p,
		 const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	uint64_t start = ev->u.mmap.start, end = ev->u.mmap.end;
	uint32_t flags = ev->u.mmap.flags;
	bool anon = flags & AVS_MAP_ANONYMOUS;
	bool shared = flags & AVS_MAP_SHARED;
	uint32_t fmode = ev->u.mmap.fmode ? ev->u.mmap.fmode :
			 AVS_FMODE_READ | AVS_FMODE_WRITE;
	struct vma_merge_struct vmg = { .mm = mm, .start = start, .end = end };
	struct avs_vma *vma;

	if (start >= end || (start | end) & ~AVS_PAGE_MASK) {
		avs_warn(sh, "bad mmap range");
		return;
	}
	vmg.vm_flags = avs_calc_vm_prot_bits(ev->u.mmap.prot) |
		       calc_vm_flag_bits(flags) | mm->def_flags |
		       VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (!anon) {
		vmg.dev = ev->u.mmap.dev;
		vmg.ino = ev->u.mmap.ino;
		vmg.pgoff = ev->u.mmap.off >> AVS_PAGE_SHIFT;
		if (shared) {
			vmg.vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (!(fmode & AVS_FMODE_WRITE))
				vmg.vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		}
	} else if (shared) {
		/* shmem_zero_setup(): a new shmem file for each mapping */
		vmg.vm_flags |= VM_SHARED | VM_MAYSHARE;
		vmg.dev = 0;
		vmg.ino = (1ULL << 63) | ++sh->next_id;
		vmg.pgoff = 0;
	} else {
		vmg.pgoff = start >> AVS_PAGE_SHIFT;
	}
	if (flags & AVS_MAP_NORESERVE)	/* overcommit_memory != NEVER */
		vmg.vm_flags |= VM_NORESERVE;
	/* mm/vma.c accountable_mapping() */
	if ((vmg.vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE &&
	    !(flags & AVS_MAP_HUGETLB))
		vmg.vm_flags |= VM_ACCOUNT;

	avs_munmap_range(sh, mm, start, end);
	vmg.prev = avs_vma_before(mm, start);
	if (vmg.prev && vmg.prev->vm_end != start)
		vmg.prev = NULL;
	vmg.next = avs_vma_at_or_after(mm, end);
	if (vmg.next && vmg.next->vm_start != end)
		vmg.next = NULL;
	vma = NULL;
	if (vmg.prev || vmg.next)
		vma = vma_merge_new_range(sh, &vmg);
	if (!vma) {
		vma = vm_area_alloc(sh, mm);
		vma->vm_start = start;
		vma->vm_end = end;
		vma->vm_pgoff = vmg.pgoff;
		vma->vm_flags = vmg.vm_flags;
		vma->dev = vmg.dev;
		vma->ino = vmg.ino;
		avs_mm_insert_vma(sh, mm, vma);
	}
	if ((flags & AVS_MAP_POPULATE && !(flags & AVS_MAP_NONBLOCK)) ||
	    (vmg.vm_flags & VM_LOCKED))
		avs_populate_range(sh, mm, start, end,
				   (vmg.vm_flags & (VM_WRITE | VM_SHARED)) ==
					   VM_WRITE);
}

/*
 * mm/mmap.c: the brk syscall and do_brk_flags().  Shrinking unmaps; growing
 * tries to expand the VMA that ends at the old break (only that one,
 * just_expand), found at or above start_brk, else adds a new VMA.
 */
void avs_do_brk(struct avs_shadow *sh, struct avs_proc *p,
		const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	uint64_t oldbrk = avs_page_align(ev->u.brk.old_brk);
	uint64_t newbrk = avs_page_align(ev->u.brk.new_brk);
	struct vma_merge_struct vmg = { .mm = mm };
	struct avs_vma *brkvma, *vma;

	if (mm->brk && mm->brk != ev->u.brk.old_brk)
		avs_warn(sh, "brk: shadow break 0x%llx, event says 0x%llx",
			 (unsigned long long)mm->brk,
			 (unsigned long long)ev->u.brk.old_brk);
	if (!mm->start_brk)
		mm->start_brk = ev->u.brk.old_brk;
	mm->brk = ev->u.brk.new_brk;
	if (oldbrk == newbrk)
		return;
	if (newbrk < oldbrk) {
		avs_munmap_range(sh, mm, newbrk, oldbrk);
		return;
	}
	brkvma = avs_vma_before(mm, oldbrk);
	if (brkvma && brkvma->vm_end <= mm->start_brk)
		brkvma = NULL;	/* vma_prev_limit(&vmi, mm->start_brk) */
	vmg.start = oldbrk;
	vmg.end = newbrk;
	vmg.pgoff = oldbrk >> AVS_PAGE_SHIFT;
	vmg.vm_flags = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	if (brkvma && brkvma->vm_end == oldbrk) {
		vmg.prev = brkvma;
		vmg.just_expand = true;
		if (vma_merge_new_range(sh, &vmg))
			return;
	}
	vma = vm_area_alloc(sh, mm);
	vma->vm_start = oldbrk;
	vma->vm_end = newbrk;
	vma->vm_pgoff = vmg.pgoff;
	vma->vm_flags = vmg.vm_flags;
	avs_mm_insert_vma(sh, mm, vma);
	if (vmg.vm_flags & VM_LOCKED)	/* mlockall(MCL_FUTURE) */
		avs_populate_range(sh, mm, oldbrk, newbrk, true);
}
