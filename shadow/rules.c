/* SPDX-License-Identifier: MIT */
/*
 * The rule sets, newest first.  Each states how it differs from the one
 * after it (older) and the commit that made the difference; sizes are
 * struct anon_vma and struct anon_vma_chain on x86_64 in that era.
 */
#include <stdio.h>
#include <string.h>
#include "rules.h"
#include "shadow.h"

const struct avs_rules avs_rules_linux_6_18 = {
	.name = "linux-6.18",
	.kernels = "6.16 - 6.18",
	.differs = "a faulted range may merge into an unfaulted neighbour "
		   "unless the surviving anon_vma belongs to a fork child "
		   "(879bca0a2c4f, 61f67c230a5e)",
	.reuse = AVS_REUSE_COUNTS,
	.page = AVS_PAGE_ROOT,
	.merge = AVS_MERGE_6_16,
	.walk = AVS_WALK_INTERVAL,
	.anon_vma_bytes = 96,
	.avc_bytes = 64,
};

const struct avs_rules avs_rules_linux_6_0 = {
	.name = "linux-6.0",
	.kernels = "6.0 - 6.15",
	.differs = "fork reuse asks num_children < 2 and num_active_vmas == 0 "
		   "instead of degree < 2 (2555283eb40d)",
	.reuse = AVS_REUSE_COUNTS,
	.page = AVS_PAGE_ROOT,
	.merge = AVS_MERGE_SINGULAR,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_INTERVAL,
	.anon_vma_bytes = 96,
	.avc_bytes = 64,
};

const struct avs_rules avs_rules_linux_3_19 = {
	.name = "linux-3.19",
	.kernels = "3.19 - 5.19",
	.differs = "a fork child reuses a chained anon_vma of degree < 2 "
		   "instead of always allocating one (7a3ef208e662)",
	.reuse = AVS_REUSE_DEGREE,
	.page = AVS_PAGE_ROOT,
	.merge = AVS_MERGE_SINGULAR,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_INTERVAL,
	.anon_vma_bytes = 72,
	.avc_bytes = 64,
};

const struct avs_rules avs_rules_linux_3_7 = {
	.name = "linux-3.7",
	.kernels = "3.7 - 3.18",
	.differs = "an rmap walk visits only VMAs whose pgoff range overlaps "
		   "the page, through an interval tree (bf181b9f9d8d)",
	.reuse = AVS_REUSE_NONE,
	.page = AVS_PAGE_ROOT,
	.merge = AVS_MERGE_SINGULAR,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_INTERVAL,
	.anon_vma_bytes = 56,
	.avc_bytes = 64,
};

const struct avs_rules avs_rules_linux_2_6_35 = {
	.name = "linux-2.6.35",
	.kernels = "2.6.36 - 2.6.39 (the root series of the 2.6.35 cycle, "
		   "merged for 2.6.36)",
	.differs = "anon_vmas know their root and the root's lock covers the "
		   "family; non-exclusive pages go to the root, an anon page's "
		   "mapping is never overwritten, and swap-in may map "
		   "exclusively (5c341ee1dfc8, 012f18004da3, 288468c334e9)",
	.reuse = AVS_REUSE_NONE,
	.page = AVS_PAGE_ROOT,
	.merge = AVS_MERGE_EITHER,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_LIST,
	.anon_vma_bytes = 40,
	.avc_bytes = 48,
};

const struct avs_rules avs_rules_linux_2_6_34 = {
	.name = "linux-2.6.34",
	.kernels = "2.6.34 - 2.6.35",
	.differs = "rc4's fixes: a page mapped non-exclusively (swap-in) goes "
		   "to the oldest anon_vma of the chain; only a neighbour with "
		   "a one-entry chain lends its anon_vma (d0e9fe1758f2); chains "
		   "are cloned in order; vma_adjust clones from the exporter "
		   "(287d97ac0321)",
	.reuse = AVS_REUSE_NONE,
	.page = AVS_PAGE_CHAIN_TAIL,
	.merge = AVS_MERGE_EITHER,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_LIST,
	.swapin_not_exclusive = true,
	.first_map_sets_mapping = true,
	.anon_vma_bytes = 24,
	.avc_bytes = 48,
};

const struct avs_rules avs_rules_linux_2_6_34_rc3 = {
	.name = "linux-2.6.34-rc3",
	.kernels = "2.6.34-rc1 - rc3",
	.differs = "anon_vma_chain as first merged: one anon_vma per process "
		   "per VMA, linked by chains; every new page goes to the "
		   "VMA's newest anon_vma (5beb49305251)",
	.reuse = AVS_REUSE_NONE,
	.page = AVS_PAGE_NEWEST,
	.merge = AVS_MERGE_EITHER,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_LIST,
	.swapin_not_exclusive = true,
	.first_map_sets_mapping = true,
	.prepare_any_neighbour = true,
	.clone_reverses_chain = true,
	.adjust_clones_from_vma = true,
	.anon_vma_bytes = 24,
	.avc_bytes = 48,
};

const struct avs_rules avs_rules_linux_2_6_33 = {
	.name = "linux-2.6.33",
	.kernels = "2.6.7 - 2.6.33",
	.differs = "one anon_vma for a whole fork family: a child VMA joins "
		   "its parent VMA's anon_vma list; every page of the family "
		   "points to it (Andrea Arcangeli's anon_vma, 2.6.7)",
	.family_anon_vma = true,
	.reuse = AVS_REUSE_NONE,
	.page = AVS_PAGE_NEWEST,
	.merge = AVS_MERGE_EITHER,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_LIST,
	.swapin_not_exclusive = true,
	.first_map_sets_mapping = true,
	.prepare_any_neighbour = true,
	.anon_vma_bytes = 24,
	.avc_bytes = 16,
};

/*
 * Designs that were never the anon rmap of a released kernel in this form,
 * as cost models.  The shadow keeps their graph as one anon_vma per family
 * (so layouts stay those of the kernel); only the walk and the metadata
 * differ.
 */
const struct avs_rules avs_rules_pte_chains = {
	.name = "pte-chains",
	.kernels = "2.5.27 - 2.6.6",
	.differs = "no anon_vma: each page keeps a chain of the addresses of "
		   "the ptes mapping it (one direct pte when mapped once); a "
		   "walk visits exactly the mappings (Rik van Riel's rmap)",
	.design = AVS_DESIGN_PTE_CHAINS,
	.family_anon_vma = true,
	.page = AVS_PAGE_NEWEST,
	.merge = AVS_MERGE_EITHER,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_LIST,
	/* 64-byte cache-line blocks: a next pointer and 7 pte addresses */
	.chain_block_bytes = 64,
	.chain_block_entries = 7,
};

const struct avs_rules avs_rules_anonmm = {
	.name = "anonmm",
	.kernels = "2.6.6-rc1-mm1 (Hugh Dickins' anobjrmap)",
	.differs = "an anon page points to the group of mms of its exec and "
		   "keeps its virtual address; a walk looks it up in every mm "
		   "of the group; mremap copies pages that are shared",
	.design = AVS_DESIGN_ANONMM,
	.family_anon_vma = true,
	.page = AVS_PAGE_NEWEST,
	.merge = AVS_MERGE_EITHER,
	.merge_right_keeps_middle = true,
	.walk = AVS_WALK_LIST,
	/* struct anonmm (count, lock, mm, head, list) per mm; the group
	 * is its head's */
	.anon_vma_bytes = 0,
	.avc_bytes = 40,
};

/*
 * Not a kernel: linux-6.18 with fork-time anon_vma reuse turned off, a
 * deliberately wrong rule that lets tests check that `avshadow verify`
 * catches a shadow that departs from the kernel.  Found by name only,
 * never listed.
 */
static const struct avs_rules testbug_noreuse = {
	.name = "linux-6.18+testbug-noreuse",
	.kernels = "none (test only)",
	.differs = "linux-6.18 without anon_vma reuse at fork",
	.reuse = AVS_REUSE_NONE,
	.page = AVS_PAGE_ROOT,
	.merge = AVS_MERGE_6_16,
	.walk = AVS_WALK_INTERVAL,
	.anon_vma_bytes = 96,
	.avc_bytes = 64,
};

static const struct avs_rules *const all[] = {
	&avs_rules_linux_6_18,
	&avs_rules_linux_6_0,
	&avs_rules_linux_3_19,
	&avs_rules_linux_3_7,
	&avs_rules_linux_2_6_35,
	&avs_rules_linux_2_6_34,
	&avs_rules_linux_2_6_34_rc3,
	&avs_rules_linux_2_6_33,
	&avs_rules_anonmm,
	&avs_rules_pte_chains,
};

const struct avs_rules *const *avs_rules_all(size_t *n)
{
	*n = sizeof(all) / sizeof(all[0]);
	return all;
}

const struct avs_rules *avs_rules_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	if (!strcmp(testbug_noreuse.name, name))
		return &testbug_noreuse;
	return NULL;
}

/* The newest rule set not newer than the release ("6.18.44-fc" -> 6.18). */
const struct avs_rules *avs_rules_for_release(const char *release)
{
	unsigned major = 0, minor = 0, patch = 0;
	unsigned v;

	if (sscanf(release, "%u.%u.%u", &major, &minor, &patch) < 2)
		return &avs_rules_linux_6_18;
	v = major * 10000 + minor * 100 + (major == 2 ? patch : 0);
	if (v >= 61600)
		return &avs_rules_linux_6_18;
	if (v >= 60000)
		return &avs_rules_linux_6_0;
	if (v >= 31900)
		return &avs_rules_linux_3_19;
	if (v >= 30700)
		return &avs_rules_linux_3_7;
	if (v >= 20636)
		return &avs_rules_linux_2_6_35;
	if (v >= 20634)
		return &avs_rules_linux_2_6_34;
	return &avs_rules_linux_2_6_33;
}
