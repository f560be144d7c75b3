/* SPDX-License-Identifier: MIT */
/*
 * Kernel VM_* flag bits (include/linux/mm.h, x86_64, Linux 6.18) and the
 * conversions from mmap/mprotect arguments, so the shadow carries exactly
 * the vm_flags the kernel would.
 */
#ifndef AVS_VM_FLAGS_H
#define AVS_VM_FLAGS_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "event.h"

#define VM_NONE		0x00000000ULL
#define VM_READ		0x00000001ULL
#define VM_WRITE	0x00000002ULL
#define VM_EXEC		0x00000004ULL
#define VM_SHARED	0x00000008ULL
#define VM_MAYREAD	0x00000010ULL
#define VM_MAYWRITE	0x00000020ULL
#define VM_MAYEXEC	0x00000040ULL
#define VM_MAYSHARE	0x00000080ULL
#define VM_GROWSDOWN	0x00000100ULL
#define VM_UFFD_MISSING	0x00000200ULL
#define VM_PFNMAP	0x00000400ULL
#define VM_UFFD_WP	0x00001000ULL
#define VM_LOCKED	0x00002000ULL
#define VM_IO		0x00004000ULL
#define VM_SEQ_READ	0x00008000ULL
#define VM_RAND_READ	0x00010000ULL
#define VM_DONTCOPY	0x00020000ULL
#define VM_DONTEXPAND	0x00040000ULL
#define VM_LOCKONFAULT	0x00080000ULL
#define VM_ACCOUNT	0x00100000ULL
#define VM_NORESERVE	0x00200000ULL
#define VM_HUGETLB	0x00400000ULL
#define VM_SYNC		0x00800000ULL
#define VM_WIPEONFORK	0x02000000ULL
#define VM_DONTDUMP	0x04000000ULL
#define VM_SOFTDIRTY	0x08000000ULL	/* 0 in kernels without soft-dirty */
#define VM_MIXEDMAP	0x10000000ULL
#define VM_HUGEPAGE	0x20000000ULL
#define VM_NOHUGEPAGE	0x40000000ULL
#define VM_MERGEABLE	0x80000000ULL

#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
/* include/linux/mm.h: VM_DATA_DEFAULT_FLAGS on x86_64 (VM_DATA_FLAGS_TSK_EXEC
 * without READ_IMPLIES_EXEC) */
#define VM_DATA_DEFAULT_FLAGS \
	(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

#define AVS_PAGE_SHIFT	12
#define AVS_PAGE_SIZE	4096ULL
#define AVS_PAGE_MASK	(~(AVS_PAGE_SIZE - 1))
#define AVS_PMD_SHIFT	21
#define AVS_PMD_SIZE	(1ULL << AVS_PMD_SHIFT)
#define AVS_HPAGE_PMD_NR (1U << (AVS_PMD_SHIFT - AVS_PAGE_SHIFT))

static inline uint64_t avs_page_align(uint64_t a)
{
	return (a + AVS_PAGE_SIZE - 1) & AVS_PAGE_MASK;
}

/* include/linux/mman.h: calc_vm_prot_bits() */
static inline uint64_t avs_calc_vm_prot_bits(uint32_t prot)
{
	return (prot & AVS_PROT_READ ? VM_READ : 0) |
	       (prot & AVS_PROT_WRITE ? VM_WRITE : 0) |
	       (prot & AVS_PROT_EXEC ? VM_EXEC : 0);
}

/* The "rwxp" string /proc/PID/maps prints for these flags
 * (fs/proc/task_mmu.c show_map_vma: 's' iff VM_MAYSHARE). */
static inline void avs_vm_flags_perms(uint64_t vm_flags, char out[5])
{
	out[0] = vm_flags & VM_READ ? 'r' : '-';
	out[1] = vm_flags & VM_WRITE ? 'w' : '-';
	out[2] = vm_flags & VM_EXEC ? 'x' : '-';
	out[3] = vm_flags & VM_MAYSHARE ? 's' : 'p';
	out[4] = '\0';
}

/*
 * The vm_flags a seeded VMA is assumed to have when only its maps line is
 * known: the access bits, the MAY bits do_mmap() sets, sharing, and
 * VM_ACCOUNT for private writable anonymous memory (accountable_mapping()).
 */
static inline uint64_t avs_vm_flags_default(const char perms[4], bool anon)
{
	uint64_t f = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (perms[0] == 'r')
		f |= VM_READ;
	if (perms[1] == 'w')
		f |= VM_WRITE;
	if (perms[2] == 'x')
		f |= VM_EXEC;
	if (perms[3] == 's')
		f |= VM_SHARED | VM_MAYSHARE;
	else if (anon && (f & VM_WRITE))
		f |= VM_ACCOUNT;
	return f;
}

/* The VM_* bits of a /proc/PID/smaps VmFlags list ("rd wr mr mw me ac"). */
uint64_t avs_vm_flags_from_smaps(const char *s, size_t len);

#endif
