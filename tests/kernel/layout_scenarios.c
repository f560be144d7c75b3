/* SPDX-License-Identifier: MIT */
/* kernel_layout: the table of scenarios, in the order they run. */
#include <stddef.h>

#include "layout_scenarios.h"

const struct scenario scenarios[] = {
	{"o3-mprotect-split-remerge", sc_o3, false,
	 "mprotect split and re-merge, faulted and unfaulted"},
	{"o8-rwx-adopt-merge", sc_o8, false,
	 "RW+RWX adoption, mprotect RWX->RW merges"},
	{"o9-proc-mem-separate", sc_o9, false,
	 "RW next to R written via /proc/self/mem stays separate"},
	{"o10-unfaulted-faulted-fork", sc_o10, false,
	 "unfaulted RW + faulted RWX merge, not in a fork child"},
	{"o11-fork-adjacent-mmap", sc_o11, false,
	 "fork child: adjacent mmap not merged"},
	{"o12-brk-fork-child", sc_o12, true,
	 "brk growth in fork children"},
	{"o13-mremap-away-back", sc_o13, false,
	 "faulted VMA moved away and back"},
	{"o14-mremap-unfaulted", sc_o14, false,
	 "unfaulted mremap re-bases pgoff, neighbours merge"},
	{"o16-middle-page-out-back", sc_o16, false,
	 "middle page moved out and back"},
	{"o18-aliasing", sc_o18, false,
	 "aliasing layout after a move and a fresh mmap"},
	{"o22-split3-fork", sc_o22, false,
	 "split in 3, fork: child never re-merges"},
	{"o27-child-grow-in-place", sc_o27, false,
	 "fork child grows in place into an unfaulted VMA"},
	{"threeway-different-anon", sc_threeway, false,
	 "prev and next with different anon_vmas: only prev absorbs"},
	{"dontfork-wipeonfork", sc_dontfork, false,
	 "MADV_DONTFORK / MADV_WIPEONFORK child layouts"},
	{"mprotect-none-account", sc_prot_none, false,
	 "PROT_NONE drops VM_ACCOUNT only without anon_vma"},
	{"mmap-below-faulted", sc_mmap_below, false,
	 "fresh mmap below a faulted VMA merges"},
	{"o17-dontunmap-fork", sc_dontunmap, false,
	 "MREMAP_DONTUNMAP source loses its anon_vma"},
	{"mlock-fork", sc_mlock_fork, false,
	 "mlock pieces stay apart in a fork child"},
	{"grow-into-faulted", sc_grow_into_faulted, false,
	 "unfaulted VMA grows in place into a faulted one"},
	{"partial-adjust", sc_partial_adjust, false,
	 "mprotect at one end of a VMA moves the boundary"},
	{"mremap-copied-from", sc_copied_from, false,
	 "moved VMA merging at its destination, fork child or not"},
	{"multi-vma-move", sc_multi_move, false,
	 "mremap shrink and a move spanning several VMAs"},
};

const size_t nr_scenarios = sizeof(scenarios) / sizeof(scenarios[0]);
