/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout: the VmFlags mnemonics of /proc/PID/smaps and the vm_flags
 * bits the comparison looks at.
 */
#ifndef KERNEL_LAYOUT_VMFLAGS_H
#define KERNEL_LAYOUT_VMFLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "shadow/vm_flags.h"

/*
 * vm_flags bits compared besides start, end and perms: every bit smaps
 * shows that avshadow models, except soft-dirty (compiled out here, and
 * ignored by every merge test).
 */
#define CMP_FLAGS (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED | VM_MAYREAD | \
		   VM_MAYWRITE | VM_MAYEXEC | VM_MAYSHARE | VM_GROWSDOWN |   \
		   VM_PFNMAP | VM_LOCKED | VM_IO | VM_SEQ_READ |             \
		   VM_RAND_READ | VM_DONTCOPY | VM_DONTEXPAND |              \
		   VM_LOCKONFAULT | VM_ACCOUNT | VM_NORESERVE | VM_HUGETLB | \
		   VM_SYNC | VM_WIPEONFORK | VM_DONTDUMP | VM_MIXEDMAP |     \
		   VM_HUGEPAGE | VM_NOHUGEPAGE | VM_MERGEABLE)

/* The vm_flags of a "VmFlags:" line's value ("rd wr mr mw me ac\n"). */
uint64_t vmflags_from_smaps(const char *s);

/* "rd wr mr mw me ac" for the compared (CMP_FLAGS) bits of f. */
const char *vmflags_str(uint64_t f, char *buf, size_t n);

#endif
