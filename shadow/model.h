/* SPDX-License-Identifier: MIT */
/*
 * The objects of the shadow, named after the kernel objects they mirror.
 * reports/ may read them; only shadow/ changes them.
 */
#ifndef AVS_MODEL_H
#define AVS_MODEL_H

#include <stdint.h>
#include <stdbool.h>
#include <uthash.h>
#include "list.h"

struct avs_mm;

/* struct anon_vma (include/linux/rmap.h) */
struct avs_anon_vma {
	struct avs_anon_vma *root;	/* oldest of the family; self for a root */
	struct avs_anon_vma *parent;	/* anon_vma of the parent VMA at fork */
	uint64_t id;			/* creation number, stable for output */
	long refcount;
	long num_children;
	long num_active_vmas;
	long degree;			/* linux-3.19 rule set only */
	/*
	 * rb_root: the interval tree of AVCs.  Kept as a list in insertion
	 * order; walks visit AVCs by start pgoff, ties in insertion order,
	 * which is what the kernel's interval tree does.
	 */
	struct list_head rb_root;
	unsigned long nr_avcs;
	struct list_head folios;	/* folios whose mapping is this */
	unsigned long nr_folios;
	struct list_head node;		/* avs_shadow.anon_vmas */
};

/* struct anon_vma_chain */
struct avs_avc {
	struct avs_vma *vma;
	struct avs_anon_vma *anon_vma;
	struct list_head same_vma;	/* in vma->anon_vma_chain, newest first */
	struct list_head same_anon_vma;	/* in anon_vma->rb_root */
};

/* struct vm_area_struct: the fields that decide rmap and merging */
struct avs_vma {
	uint64_t vm_start, vm_end;
	uint64_t vm_pgoff;
	uint64_t vm_flags;
	struct avs_mm *vm_mm;
	struct avs_anon_vma *anon_vma;
	struct list_head anon_vma_chain;
	uint64_t dev, ino;		/* vm_file identity, 0/0 if anonymous */
	uint64_t id;			/* creation number */
};

/*
 * struct folio, anonymous side.  One object also stands for the swap entry
 * of its content while it is out of core, so that swap ptes of several
 * processes refer to one thing, as swap entries do.
 */
struct avs_folio {
	struct avs_anon_vma *anon_vma;	/* folio->mapping; NULL if out of core */
	struct list_head anon_node;	/* on anon_vma->folios */
	uint64_t index;			/* folio->index */
	uint64_t id;			/* stable id (a pseudo PFN) */
	uint32_t mapcount;		/* present ptes mapping its pages */
	uint32_t swapcount;		/* swap ptes referring to it */
	uint16_t order;
	uint16_t flags;			/* AVS_FOLIO_* */
	uint32_t scratch[2];		/* cost.c's counters while it runs */
	uint32_t stale_av;		/* AVS_FOLIO_STALE: the freed anon_vma
					   folio->mapping still points to */
};

#define AVS_FOLIO_EXCLUSIVE	0x1	/* PageAnonExclusive */
#define AVS_FOLIO_IN_CORE	0x2	/* resident (not only a swap entry) */
#define AVS_FOLIO_STRANDED	0x4	/* its anon_vma died while mapped */
#define AVS_FOLIO_HAS_PFN	0x8	/* in avs_shadow.pfns (observe.c) */
#define AVS_FOLIO_STALE		0x10	/* in the swap cache, unmapped, its
					   anon_vma freed: mapping dangles */

/*
 * A pte as the shadow stores it: 0 none, AVS_PTE_ZERO the shared zero page,
 * otherwise a folio pointer, tagged AVS_PTE_SWAP for a swap entry (with
 * AVS_PTE_SWP_EXCLUSIVE mirroring pte_swp_exclusive()), or, on a present
 * pte, AVS_PTE_PMD when the page is part of a PMD mapping of a THP.
 */
typedef uintptr_t avs_pte_t;
#define AVS_PTE_NONE		((avs_pte_t)0)
#define AVS_PTE_SWAP		((avs_pte_t)1)
#define AVS_PTE_ZERO		((avs_pte_t)2)
#define AVS_PTE_SWP_EXCLUSIVE	((avs_pte_t)4)	/* on swap ptes */
#define AVS_PTE_PMD		((avs_pte_t)4)	/* on present ptes */
#define AVS_PTE_TAGS		((avs_pte_t)7)

static inline struct avs_folio *avs_pte_folio(avs_pte_t pte)
{
	return pte == AVS_PTE_ZERO ? NULL :
		(struct avs_folio *)(pte & ~AVS_PTE_TAGS);
}

static inline bool avs_pte_present(avs_pte_t pte)
{
	return pte != AVS_PTE_NONE && !(pte & AVS_PTE_SWAP);
}

static inline bool avs_pte_is_swap(avs_pte_t pte)
{
	return (pte & AVS_PTE_SWAP) != 0;
}

/* Does this present pte map folio f? */
static inline bool avs_pte_maps(avs_pte_t pte, const struct avs_folio *f)
{
	return avs_pte_present(pte) && pte != AVS_PTE_ZERO &&
	       avs_pte_folio(pte) == f;
}

#define AVS_PT_LEAF_SHIFT	9
#define AVS_PT_LEAF_PTES	(1U << AVS_PT_LEAF_SHIFT)

/* One page-table leaf: the ptes of one 2 MiB-aligned range. */
struct avs_pt_leaf {
	uint64_t key;			/* vpn >> AVS_PT_LEAF_SHIFT */
	unsigned int used;		/* non-none ptes */
	avs_pte_t pte[AVS_PT_LEAF_PTES];
	UT_hash_handle hh;
};

/* struct mm_struct */
struct avs_mm {
	struct avs_vma **vmas;		/* sorted by vm_start */
	size_t nr_vmas, cap_vmas;
	struct avs_pt_leaf *pt;		/* uthash of leaves */
	uint64_t start_brk, brk;
	uint64_t def_flags;
	int users;			/* processes using this mm */
	uint64_t id;
	uint64_t exec_id;		/* mm at the exec this mm forks from
					   (anonmm's group) */
	struct list_head node;		/* avs_shadow.mms */
};

/* A live process. */
struct avs_proc {
	uint32_t pid;
	uint32_t ppid;
	struct avs_mm *mm;
	uint64_t id;			/* order of appearance */
	char comm[32];
	UT_hash_handle hh;
};

#endif
