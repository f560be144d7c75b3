/* SPDX-License-Identifier: MIT */
/* kernel_layout: smaps VmFlags mnemonics <-> avshadow vm_flags bits. */
#include <stdio.h>

#include "layout_vmflags.h"

/* fs/proc/task_mmu.c show_smap_vma_flags() mnemonics (those avshadow
 * has a VM_* bit for). */
static const struct {
	char m[3];
	uint64_t bit;
} mnemonics[] = {
	{"rd", VM_READ}, {"wr", VM_WRITE}, {"ex", VM_EXEC},
	{"sh", VM_SHARED}, {"mr", VM_MAYREAD}, {"mw", VM_MAYWRITE},
	{"me", VM_MAYEXEC}, {"ms", VM_MAYSHARE}, {"gd", VM_GROWSDOWN},
	{"pf", VM_PFNMAP}, {"lo", VM_LOCKED}, {"io", VM_IO},
	{"sr", VM_SEQ_READ}, {"rr", VM_RAND_READ}, {"dc", VM_DONTCOPY},
	{"de", VM_DONTEXPAND}, {"lf", VM_LOCKONFAULT},
	{"ac", VM_ACCOUNT}, {"nr", VM_NORESERVE}, {"ht", VM_HUGETLB},
	{"sf", VM_SYNC}, {"wf", VM_WIPEONFORK}, {"dd", VM_DONTDUMP},
	{"sd", VM_SOFTDIRTY}, {"mm", VM_MIXEDMAP}, {"hg", VM_HUGEPAGE},
	{"nh", VM_NOHUGEPAGE}, {"mg", VM_MERGEABLE},
};
#define NR_MNEMONICS (sizeof(mnemonics) / sizeof(mnemonics[0]))

uint64_t vmflags_from_smaps(const char *s)
{
	uint64_t f = 0;
	size_t i;

	while (*s && *s != '\n') {
		while (*s == ' ')
			s++;
		for (i = 0; i < NR_MNEMONICS; i++)
			if (s[0] == mnemonics[i].m[0] &&
			    s[1] == mnemonics[i].m[1])
				f |= mnemonics[i].bit;
		while (*s && *s != ' ' && *s != '\n')
			s++;
	}
	return f;
}

const char *vmflags_str(uint64_t f, char *buf, size_t n)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < NR_MNEMONICS; i++)
		if (f & CMP_FLAGS & mnemonics[i].bit && len + 4 < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? " " : "", mnemonics[i].m);
	return buf;
}
