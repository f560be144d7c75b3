/* SPDX-License-Identifier: MIT */
/*
 * The two-letter VmFlags of /proc/PID/smaps (fs/proc/task_mmu.c
 * show_smap_vma_flags) as VM_* bits.  Pure and allocation-free: the
 * recording runtime parses smaps with it inside the traced program.
 */
#include <stddef.h>
#include "vm_flags.h"

static const struct {
	char name[3];
	uint64_t bit;
} mnemonics[] = {
	{ "rd", VM_READ }, { "wr", VM_WRITE }, { "ex", VM_EXEC },
	{ "sh", VM_SHARED }, { "mr", VM_MAYREAD }, { "mw", VM_MAYWRITE },
	{ "me", VM_MAYEXEC }, { "ms", VM_MAYSHARE }, { "gd", VM_GROWSDOWN },
	{ "pf", VM_PFNMAP }, { "lo", VM_LOCKED }, { "io", VM_IO },
	{ "sr", VM_SEQ_READ }, { "rr", VM_RAND_READ }, { "dc", VM_DONTCOPY },
	{ "de", VM_DONTEXPAND }, { "lf", VM_LOCKONFAULT },
	{ "ac", VM_ACCOUNT }, { "nr", VM_NORESERVE }, { "ht", VM_HUGETLB },
	{ "sf", VM_SYNC }, { "wf", VM_WIPEONFORK }, { "dd", VM_DONTDUMP },
	{ "sd", VM_SOFTDIRTY }, { "mm", VM_MIXEDMAP }, { "hg", VM_HUGEPAGE },
	{ "nh", VM_NOHUGEPAGE }, { "mg", VM_MERGEABLE },
	{ "um", VM_UFFD_MISSING }, { "uw", VM_UFFD_WP },
};

/* The bits of the mnemonics in s[0..len) (space separated); unknown
 * mnemonics (arch, sealing, guard...) are ignored. */
uint64_t avs_vm_flags_from_smaps(const char *s, size_t len)
{
	uint64_t flags = 0;
	size_t i = 0, k;

	while (i + 1 < len) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		for (k = 0; k < sizeof(mnemonics) / sizeof(mnemonics[0]); k++)
			if (mnemonics[k].name[0] == s[i] &&
			    mnemonics[k].name[1] == s[i + 1])
				flags |= mnemonics[k].bit;
		while (i < len && s[i] != ' ')
			i++;
	}
	return flags;
}
