/* SPDX-License-Identifier: MIT */
/*
 * Rule sets: the kernels whose anon rmap the shadow can follow.  A rule set
 * is a handful of choices at the points where kernels differed; rules.c
 * lists them, each with the commit that introduced its difference.
 */
#ifndef AVS_RULES_H
#define AVS_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* Which anon_vma a fork child VMA may reuse instead of allocating one. */
enum avs_reuse_rule {
	AVS_REUSE_NONE,		/* 2.6.34-3.18: always a new anon_vma */
	AVS_REUSE_DEGREE,	/* 3.19-5.19: degree < 2 (7a3ef208e662) */
	AVS_REUSE_COUNTS,	/* 6.0+: num_children < 2 && !num_active_vmas
				   (2555283eb40d) */
};

/* Which anon_vma a newly mapped anon folio points to. */
enum avs_page_rule {
	AVS_PAGE_NEWEST,	/* 2.6.34-rc1..rc3: always vma->anon_vma */
	AVS_PAGE_CHAIN_TAIL,	/* 2.6.34: non-exclusive -> last chain entry */
	AVS_PAGE_ROOT,		/* 2.6.35+: non-exclusive -> anon_vma->root */
};

/* When may a VMA with an anon_vma merge with one without? */
enum avs_merge_rule {
	AVS_MERGE_EITHER,	/* 2.6.7-2.6.39: either NULL or both equal */
	AVS_MERGE_SINGULAR,	/* 3.0-6.15: only into a target whose chain
				   is singular (965f55dea0e3) */
	AVS_MERGE_6_16,		/* 6.16+: the side whose anon_vma survives is
				   not a fork child (879bca0a2c4f) */
};

/* What an rmap walk of an anon folio visits. */
enum avs_walk_rule {
	AVS_WALK_LIST,		/* up to 3.6: every VMA on the anon_vma's list */
	AVS_WALK_INTERVAL,	/* 3.7+: VMAs whose pgoff range overlaps the
				   folio (bf181b9f9d8d) */
};

/* How reverse mapping is organised at all. */
enum avs_design {
	AVS_DESIGN_ANON_VMA,	/* objrmap through anon_vmas (2.6.7+) */
	AVS_DESIGN_PTE_CHAINS,	/* 2.5.27-2.6.6: a chain of pte addresses per
				   page; a walk visits exactly the mappings */
	AVS_DESIGN_ANONMM,	/* 2004 proposal: one group of mms per exec;
				   a walk looks the page up in every mm of the
				   group; mremap copies shared pages */
};

struct avs_rules {
	const char *name;		/* "linux-6.18" */
	const char *kernels;		/* "6.16 - 6.18" */
	const char *differs;		/* how it differs from its neighbour */
	enum avs_design design;
	bool family_anon_vma;		/* <= 2.6.33: one anon_vma per fork
					   family, no chains */
	enum avs_reuse_rule reuse;
	enum avs_page_rule page;
	enum avs_merge_rule merge;
	enum avs_walk_rule walk;
	/* before 6.12's vma_merge_existing_range(): vma_merge() case 8 (the
	 * whole middle merges with next) expands the middle over next */
	bool merge_right_keeps_middle;
	/* before 2.6.36 (288468c334e9, do_page_add_anon_rmap): swap-in never
	 * maps exclusively, and the first mapping of a page from the swap
	 * cache sets page->mapping again */
	bool swapin_not_exclusive;
	bool first_map_sets_mapping;
	/* the three other faults of 2.6.34-rc1..rc3, fixed in rc4 */
	bool prepare_any_neighbour;	/* adopt any compatible neighbour's
					   anon_vma, chain or not (d0e9fe1758f2) */
	bool clone_reverses_chain;	/* anon_vma_clone walked the source
					   chain forwards ("clone the anon_vma
					   chain in the right order") */
	bool adjust_clones_from_vma;	/* vma_adjust cloned the importer from
					   vma, not the exporter (287d97ac0321) */
	/* metadata sizes, x86_64: struct anon_vma and struct anon_vma_chain
	 * (without chains: the VMA's list link); anonmm: the group and each
	 * mm's link; pte-chains: a block of pte addresses and how many it
	 * holds */
	unsigned anon_vma_bytes;
	unsigned avc_bytes;
	unsigned chain_block_bytes, chain_block_entries;
};

/* The rule set called name, or NULL.  "auto" is the running kernel's:
 * the caller passes its release (uname -r) in kernel_release. */
const struct avs_rules *avs_rules_find(const char *name);
const struct avs_rules *avs_rules_for_release(const char *kernel_release);
/* All rule sets, newest first; *n set to their number. */
const struct avs_rules *const *avs_rules_all(size_t *n);

#endif
