/* SPDX-License-Identifier: MIT */
/*
 * Syscalls that change vm_flags over a range and so split and merge VMAs:
 * mprotect (mm/mprotect.c), madvise (mm/madvise.c) and the mlock family
 * (mm/mlock.c).  Each computes the new flags of every VMA in the range and
 * goes through vma_modify_flags().
 */
#include "internal.h"

/* Returns the new flags for vma, or fails (ret false) if the kernel would
 * refuse the whole call at this VMA. */
typedef bool (*newflags_fn)(struct avs_shadow *sh, const struct avs_vma *vma,
			    const struct avs_event *ev, uint64_t *newflags);

/*
 * The loop shared by mprotect and mlock: VMAs are changed in address order;
 * a hole stops it (ENOMEM), leaving the VMAs before the hole changed.
 * madvise passes skip_holes: it goes on past holes.
 */
static void modify_range(struct avs_shadow *sh, struct avs_mm *mm,
			 uint64_t start, uint64_t end,
			 const struct avs_event *ev, newflags_fn fn,
			 bool skip_holes)
{
	uint64_t nstart = start;

	while (nstart < end) {
		struct avs_vma *vma = avs_vma_at_or_after(mm, nstart);
		uint64_t tmp, newflags;

		if (!vma || vma->vm_start >= end)
			break;
		if (vma->vm_start > nstart) {
			if (!skip_holes)
				break;
			nstart = vma->vm_start;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		if (!fn(sh, vma, ev, &newflags))
			return;
		if (newflags != vma->vm_flags) {
			uint64_t oldflags = vma->vm_flags;

			vma = vma_modify_flags(sh, vma, nstart, tmp, newflags);
			vma->vm_flags = newflags;
			/* mprotect_fixup(): locked private memory made
			 * writable is populated for writing (COW broken) */
			if (ev->type == AVS_EV_MPROTECT &&
			    (oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) ==
				    VM_LOCKED && (newflags & VM_WRITE))
				avs_populate_range(sh, mm, nstart, tmp, true);
		}
		nstart = tmp;
	}
}

/* mm/mprotect.c: do_mprotect_pkey() + mprotect_fixup(): VM_ACCOUNT is
 * added when private memory becomes writable, and dropped when an
 * anonymous VMA without anon_vma stops being writable. */
static bool mprotect_newflags(struct avs_shadow *sh, const struct avs_vma *vma,
			      const struct avs_event *ev, uint64_t *newflags)
{
	uint64_t oldflags = vma->vm_flags;
	uint64_t nf = avs_calc_vm_prot_bits(ev->u.mprotect.prot) |
		      (oldflags & ~VM_ACCESS_FLAGS);

	if ((nf & ~(nf >> 4)) & VM_ACCESS_FLAGS) {	/* needs VM_MAYxxx */
		avs_warn(sh, "mprotect: VMA 0x%llx lacks VM_MAY bits (EACCES)",
			 (unsigned long long)vma->vm_start);
		return false;
	}
	if (nf == oldflags) {
		*newflags = nf;
		return true;
	}
	if (nf & VM_WRITE) {
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB |
				  VM_SHARED | VM_NORESERVE)))
			nf |= VM_ACCOUNT;
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(vma) &&
		   !vma->anon_vma) {
		nf &= ~VM_ACCOUNT;
	}
	*newflags = nf;
	return true;
}

void avs_do_mprotect(struct avs_shadow *sh, struct avs_proc *p,
		     const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	uint64_t start = ev->u.mprotect.start, end = ev->u.mprotect.end;
	struct avs_vma *first = avs_find_vma_intersection(mm, start, end);

	if (!first || first->vm_start > start) {
		avs_warn(sh, "mprotect of unmapped 0x%llx (ENOMEM)",
			 (unsigned long long)start);
		return;
	}
	modify_range(sh, mm, start, end, ev, mprotect_newflags, false);
}

/* mm/madvise.c: madvise_vma_behavior(), the advices that set flags. */
static bool madvise_newflags(struct avs_shadow *sh, const struct avs_vma *vma,
			     const struct avs_event *ev, uint64_t *newflags)
{
	uint64_t f = vma->vm_flags;

	switch (ev->u.madvise.advice) {
	case AVS_MADV_NORMAL:
		f &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case AVS_MADV_SEQUENTIAL:
		f = (f & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case AVS_MADV_RANDOM:
		f = (f & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case AVS_MADV_DONTFORK:
		f |= VM_DONTCOPY;
		break;
	case AVS_MADV_DOFORK:
		if (f & VM_IO)
			goto einval;
		f &= ~VM_DONTCOPY;
		break;
	case AVS_MADV_WIPEONFORK:
		if (!vma_is_anonymous(vma) || (f & VM_SHARED))
			goto einval;
		f |= VM_WIPEONFORK;
		break;
	case AVS_MADV_KEEPONFORK:
		f &= ~VM_WIPEONFORK;
		break;
	case AVS_MADV_DONTDUMP:
		f |= VM_DONTDUMP;
		break;
	case AVS_MADV_DODUMP:
		if (f & VM_SPECIAL)
			goto einval;
		f &= ~VM_DONTDUMP;
		break;
	case AVS_MADV_HUGEPAGE:
		f = (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case AVS_MADV_NOHUGEPAGE:
		f = (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	case AVS_MADV_MERGEABLE:	/* ksm_madvise(): compatible VMAs only */
		if (!(f & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO |
			   VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP)))
			f |= VM_MERGEABLE;
		break;
	case AVS_MADV_UNMERGEABLE:
		f &= ~VM_MERGEABLE;
		break;
	}
	*newflags = f;
	return true;
einval:
	avs_warn(sh, "madvise %u on VMA 0x%llx: EINVAL", ev->u.madvise.advice,
		 (unsigned long long)vma->vm_start);
	return false;
}

/* MADV_DONTNEED and friends: zap the ptes of every VMA in the range. */
static void madvise_zap(struct avs_shadow *sh, struct avs_mm *mm,
			uint64_t start, uint64_t end, bool locked_ok)
{
	uint64_t cur = start, s, e;
	struct avs_vma *v;

	while ((v = avs_vma_in_range(mm, &cur, end, &s, &e))) {
		if ((v->vm_flags & VM_PFNMAP) ||
		    ((v->vm_flags & VM_LOCKED) && !locked_ok)) {
			avs_warn(sh, "madvise zap of a locked/pfnmap VMA: EINVAL");
			return;
		}
		avs_zap_range(sh, mm, s, e);
	}
}

/* MADV_GUARD_INSTALL (6.13+): prepares an anon_vma on every VMA so that
 * fork copies the guard markers. */
static void madvise_guard_install(struct avs_shadow *sh, struct avs_mm *mm,
				  uint64_t start, uint64_t end)
{
	uint64_t cur = start, s, e;
	struct avs_vma *v;

	while ((v = avs_vma_in_range(mm, &cur, end, &s, &e))) {
		if (v->vm_flags & (VM_SPECIAL | VM_HUGETLB | VM_LOCKED))
			return;
		anon_vma_prepare(sh, v);
		avs_zap_range(sh, mm, s, e);
	}
}

void avs_do_madvise(struct avs_shadow *sh, struct avs_proc *p,
		    const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	uint64_t start = ev->u.madvise.start, end = ev->u.madvise.end;

	switch (ev->u.madvise.advice) {
	case AVS_MADV_DONTNEED:
		madvise_zap(sh, mm, start, end, false);
		break;
	case AVS_MADV_DONTNEED_LOCKED:
		madvise_zap(sh, mm, start, end, true);
		break;
	case AVS_MADV_FREE:
		/* lazy free: pages stay mapped until reclaim discards them */
		break;
	case AVS_MADV_POPULATE_READ:
	case AVS_MADV_POPULATE_WRITE:
		avs_populate_range(sh, mm, start, end,
				   ev->u.madvise.advice == AVS_MADV_POPULATE_WRITE);
		break;
	case AVS_MADV_PAGEOUT:
		/* madvise_cold_or_pageout_pte_range(): shared folios skipped */
		avs_swap_out(sh, mm, p->pid, start, end, false);
		break;
	case AVS_MADV_GUARD_INSTALL:
		madvise_guard_install(sh, mm, start, end);
		break;
	case AVS_MADV_NORMAL:
	case AVS_MADV_RANDOM:
	case AVS_MADV_SEQUENTIAL:
	case AVS_MADV_DONTFORK:
	case AVS_MADV_DOFORK:
	case AVS_MADV_WIPEONFORK:
	case AVS_MADV_KEEPONFORK:
	case AVS_MADV_DONTDUMP:
	case AVS_MADV_DODUMP:
	case AVS_MADV_HUGEPAGE:
	case AVS_MADV_NOHUGEPAGE:
	case AVS_MADV_MERGEABLE:
	case AVS_MADV_UNMERGEABLE:
		modify_range(sh, mm, start, end, ev, madvise_newflags, true);
		break;
	default:	/* WILLNEED, COLD, REMOVE, COLLAPSE...: no rmap effect */
		break;
	}
}

/* mm/mlock.c: mlock_fixup() leaves special VMAs alone. */
static bool mlock_newflags(struct avs_shadow *sh, const struct avs_vma *vma,
			   const struct avs_event *ev, uint64_t *newflags)
{
	uint64_t add = 0;

	(void)sh;
	if (ev->type == AVS_EV_MLOCK)
		add = VM_LOCKED |
		      (ev->u.mlock.flags & AVS_MLOCK_ONFAULT ? VM_LOCKONFAULT : 0);
	else if (ev->type == AVS_EV_MLOCKALL && (ev->u.mlock.flags & AVS_MCL_CURRENT))
		add = VM_LOCKED |
		      (ev->u.mlock.flags & AVS_MCL_ONFAULT ? VM_LOCKONFAULT : 0);
	*newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | add;
	if (vma->vm_flags & (VM_SPECIAL | VM_HUGETLB))
		*newflags = vma->vm_flags;
	return true;
}

/* mm/gup.c: __mm_populate(): skips VM_LOCKONFAULT VMAs; writes only
 * private writable ones. */
static void mm_populate(struct avs_shadow *sh, struct avs_mm *mm,
			uint64_t start, uint64_t end)
{
	uint64_t cur = start, s, e;
	struct avs_vma *v;

	while ((v = avs_vma_in_range(mm, &cur, end, &s, &e)))
		if (!(v->vm_flags & VM_LOCKONFAULT))
			avs_populate_range(sh, mm, s, e,
					   (v->vm_flags & (VM_WRITE | VM_SHARED)) ==
						   VM_WRITE);
}

void avs_do_mlock(struct avs_shadow *sh, struct avs_proc *p,
		  const struct avs_event *ev)
{
	struct avs_mm *mm = p->mm;
	uint64_t start = ev->u.mlock.start, end = ev->u.mlock.end;

	switch (ev->type) {
	case AVS_EV_MLOCK:
		modify_range(sh, mm, start, end, ev, mlock_newflags, false);
		mm_populate(sh, mm, start, end);
		break;
	case AVS_EV_MUNLOCK:
		modify_range(sh, mm, ev->u.range.start, ev->u.range.end, ev,
			     mlock_newflags, false);
		break;
	case AVS_EV_MLOCKALL:
		/* apply_mlockall_flags() */
		mm->def_flags &= ~VM_LOCKED_MASK;
		if (ev->u.mlock.flags & AVS_MCL_FUTURE)
			mm->def_flags |= VM_LOCKED |
				(ev->u.mlock.flags & AVS_MCL_ONFAULT ? VM_LOCKONFAULT : 0);
		if (ev->u.mlock.flags & AVS_MCL_CURRENT) {
			modify_range(sh, mm, 0, ~0ULL & AVS_PAGE_MASK, ev,
				     mlock_newflags, true);
			mm_populate(sh, mm, 0, ~0ULL & AVS_PAGE_MASK);
		}
		break;
	case AVS_EV_MUNLOCKALL:
		mm->def_flags &= ~VM_LOCKED_MASK;
		modify_range(sh, mm, 0, ~0ULL & AVS_PAGE_MASK, ev,
			     mlock_newflags, true);
		break;
	}
}
