/* SPDX-License-Identifier: MIT */
/* Functions shared between the files of shadow/; not for other folders. */
#ifndef AVS_INTERNAL_H
#define AVS_INTERNAL_H

#include "shadow.h"
#include "model.h"
#include "vm_flags.h"

enum avs_mem_kind {
	AVS_MEM_ANON_VMA,
	AVS_MEM_AVC,
	AVS_MEM_VMA,
	AVS_MEM_FOLIO,
	AVS_MEM_PT,
	AVS_MEM_MM,
	AVS_MEM_PROC,
	AVS_MEM_OTHER,
	AVS_MEM_NR
};

struct avs_shadow {
	const struct avs_rules *rules;
	struct avs_proc *procs;			/* uthash by pid */
	struct list_head mms;
	struct list_head anon_vmas;		/* live anon_vmas, creation order */
	struct avs_pfn *pfns;			/* observed PFN -> folio */
	struct avs_pfn *pfn_of;			/* folio -> observed PFN */
	uint64_t next_id;
	uint64_t next_av_id;		/* anon_vma ids: 1, 2, 3... */
	struct avs_counts counts;
	size_t mem[AVS_MEM_NR];
	void *cache[AVS_MEM_NR];		/* freed objects kept for reuse */
	size_t cache_size[AVS_MEM_NR];		/* their object size */
	size_t cached[AVS_MEM_NR];		/* how many */
	size_t mem_total, mem_peak;
	const struct avs_event *cur;		/* event being applied */
	uint64_t nr_events;
	unsigned long warnings;
	char last_warning[256];
	struct avs_hazard *hazards;
	size_t nr_hazards, cap_hazards;
	bool check_each_event;
	bool in_fork;				/* inside dup_mmap */
	avs_diag_fn diag;
	void *diag_arg;
};

/* alloc.c: memory with accounting; out of memory aborts. */
void *avs_alloc(struct avs_shadow *sh, enum avs_mem_kind kind, size_t size);
void avs_free(struct avs_shadow *sh, enum avs_mem_kind kind, void *p,
	      size_t size);
void avs_cache_release(struct avs_shadow *sh);
void *avs_grow_array(struct avs_shadow *sh, void *p, size_t *cap,
		     size_t elem, size_t need);
void avs_warn(struct avs_shadow *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void avs_hazard(struct avs_shadow *sh, enum avs_hazard_kind kind,
		uint32_t pid, uint64_t addr, const struct avs_folio *folio,
		uint64_t anon_vma_id);

/* anon_vma.c: mm/rmap.c, the anon_vma side */
struct avs_anon_vma *anon_vma_alloc(struct avs_shadow *sh);
void put_anon_vma(struct avs_shadow *sh, struct avs_anon_vma *av);
void get_anon_vma(struct avs_anon_vma *av);
void anon_vma_chain_link(struct avs_shadow *sh, struct avs_vma *vma,
			 struct avs_anon_vma *av);
void __anon_vma_prepare(struct avs_shadow *sh, struct avs_vma *vma);
static inline void anon_vma_prepare(struct avs_shadow *sh, struct avs_vma *vma)
{
	if (!vma->anon_vma)
		__anon_vma_prepare(sh, vma);
}
void anon_vma_clone(struct avs_shadow *sh, struct avs_vma *dst,
		    struct avs_vma *src);
void anon_vma_fork(struct avs_shadow *sh, struct avs_vma *vma,
		   struct avs_vma *pvma);
void unlink_anon_vmas(struct avs_shadow *sh, struct avs_vma *vma);
void anon_vma_interval_tree_pre_update_vma(struct avs_vma *vma);
void anon_vma_interval_tree_post_update_vma(struct avs_vma *vma);
unsigned long avs_chain_length(const struct avs_vma *vma);

/* vma.c: struct vm_area_struct objects and the mm's ordered VMA set */
struct avs_vma *vm_area_alloc(struct avs_shadow *sh, struct avs_mm *mm);
struct avs_vma *vm_area_dup(struct avs_shadow *sh, struct avs_vma *orig);
void vm_area_free(struct avs_shadow *sh, struct avs_vma *vma);
void avs_mm_insert_vma(struct avs_shadow *sh, struct avs_mm *mm,
		       struct avs_vma *vma);
void avs_mm_remove_vma(struct avs_mm *mm, struct avs_vma *vma);
size_t avs_mm_vma_index(const struct avs_mm *mm, uint64_t addr);
struct avs_vma *avs_find_vma(const struct avs_mm *mm, uint64_t addr);
struct avs_vma *avs_find_vma_intersection(const struct avs_mm *mm,
					  uint64_t start, uint64_t end);
struct avs_vma *avs_vma_prev(const struct avs_mm *mm, const struct avs_vma *v);
struct avs_vma *avs_vma_next(const struct avs_mm *mm, const struct avs_vma *v);
struct avs_vma *avs_vma_before(const struct avs_mm *mm, uint64_t addr);
struct avs_vma *avs_vma_at_or_after(const struct avs_mm *mm, uint64_t addr);
/*
 * The next VMA intersecting [*cursor, end), with the intersection in
 * [*s, *e); moves *cursor past it.  Looks the VMA up by address each
 * time, so the caller may change VMAs between calls.
 */
struct avs_vma *avs_vma_in_range(const struct avs_mm *mm, uint64_t *cursor,
				 uint64_t end, uint64_t *s, uint64_t *e);
static inline bool vma_is_anonymous(const struct avs_vma *vma)
{
	return vma->dev == 0 && vma->ino == 0;
}
static inline uint64_t vma_pages(const struct avs_vma *vma)
{
	return (vma->vm_end - vma->vm_start) >> AVS_PAGE_SHIFT;
}
/* include/linux/pagemap.h: linear_page_index() */
static inline uint64_t linear_page_index(const struct avs_vma *vma,
					 uint64_t addr)
{
	return ((addr - vma->vm_start) >> AVS_PAGE_SHIFT) + vma->vm_pgoff;
}
/* mm/internal.h: vma_address() of one page index, or -1 if outside */
static inline uint64_t vma_address(const struct avs_vma *vma, uint64_t pgoff)
{
	if (pgoff < vma->vm_pgoff || pgoff - vma->vm_pgoff >= vma_pages(vma))
		return (uint64_t)-1;
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << AVS_PAGE_SHIFT);
}

/* pagetable.c: the mm's page table */
avs_pte_t avs_pte_get(const struct avs_mm *mm, uint64_t addr);
void avs_pte_set(struct avs_shadow *sh, struct avs_mm *mm, uint64_t addr,
		 avs_pte_t pte);
/* First non-none pte at or after *addr below end; false if none. */
bool avs_pte_next(const struct avs_mm *mm, uint64_t *addr, uint64_t end);
void avs_pt_free_all(struct avs_shadow *sh, struct avs_mm *mm);

/* folio.c: anon folios and their rmap (mm/rmap.c, the folio side) */
struct avs_folio *avs_folio_alloc(struct avs_shadow *sh, unsigned order);
void folio_add_new_anon_rmap(struct avs_shadow *sh, struct avs_folio *folio,
			     struct avs_vma *vma, uint64_t addr,
			     bool exclusive);
void folio_move_anon_rmap(struct avs_shadow *sh, struct avs_folio *folio,
			  struct avs_vma *vma);
void avs_folio_set_mapping(struct avs_shadow *sh, struct avs_folio *folio,
			   struct avs_anon_vma *av);
void avs_folio_put_if_unused(struct avs_shadow *sh, struct avs_folio *folio);
static inline unsigned folio_nr_pages(const struct avs_folio *f)
{
	return 1U << f->order;
}
/* Drop the pte at addr (zap_pte_range for one pte). */
void avs_zap_pte(struct avs_shadow *sh, struct avs_mm *mm, uint64_t addr);
void avs_zap_range(struct avs_shadow *sh, struct avs_mm *mm, uint64_t start,
		   uint64_t end);
/* Move the ptes of [old, old+len) to new (mm/mremap.c move_page_tables). */
void avs_move_ptes(struct avs_shadow *sh, struct avs_mm *mm, uint64_t old,
		   uint64_t new, uint64_t len);
/* mm/huge_memory.c __split_huge_pmd(): the PMD mapping of a THP around
 * addr in this mm becomes pte mappings. */
void avs_split_huge_pmd(struct avs_mm *mm, uint64_t addr);
/* mm/memory.c copy_page_range(), for one VMA at fork */
void avs_copy_page_range(struct avs_shadow *sh, struct avs_vma *dst,
			 struct avs_vma *src);

/* vma_merge.c: mm/vma.c merging and splitting */
struct avs_anon_vma *find_mergeable_anon_vma(const struct avs_rules *rules,
					     struct avs_vma *vma);
void __split_vma(struct avs_shadow *sh, struct avs_vma *vma, uint64_t addr,
		 bool new_below);
struct avs_vma *vma_modify_flags(struct avs_shadow *sh, struct avs_vma *vma,
				 uint64_t start, uint64_t end,
				 uint64_t new_flags);
/* mm/vma.h: struct vma_merge_struct, the fields the shadow needs */
struct vma_merge_struct {
	struct avs_mm *mm;
	struct avs_vma *prev, *middle, *next;
	struct avs_vma *copied_from;	/* mremap source (copy_vma) */
	uint64_t start, end, pgoff, vm_flags;
	uint64_t dev, ino;
	struct avs_anon_vma *anon_vma;
	bool just_expand;		/* brk: expand prev only */
};
/* The new-range merge of mmap/brk/mremap; NULL if nothing merged. */
struct avs_vma *vma_merge_new_range(struct avs_shadow *sh,
				    struct vma_merge_struct *vmg);
void avs_munmap_range(struct avs_shadow *sh, struct avs_mm *mm,
		      uint64_t start, uint64_t end);

/* fault.c: mm/memory.c */
enum avs_fault_result { AVS_FAULT_OK, AVS_FAULT_SIGSEGV };
enum avs_fault_result avs_handle_fault(struct avs_shadow *sh,
				       struct avs_mm *mm, uint64_t addr,
				       unsigned access);
void avs_populate_range(struct avs_shadow *sh, struct avs_mm *mm,
			uint64_t start, uint64_t end, bool write);
/* Give the pte at addr a private copy of its folio (wp_page_copy()). */
void avs_break_cow(struct avs_shadow *sh, struct avs_vma *vma, uint64_t addr);

/* mm-level operations, by file */
void avs_do_mmap(struct avs_shadow *sh, struct avs_proc *p,
		 const struct avs_event *ev);
void avs_do_brk(struct avs_shadow *sh, struct avs_proc *p,
		const struct avs_event *ev);
void avs_do_mremap(struct avs_shadow *sh, struct avs_proc *p,
		   const struct avs_event *ev);
void avs_do_mprotect(struct avs_shadow *sh, struct avs_proc *p,
		     const struct avs_event *ev);
void avs_do_madvise(struct avs_shadow *sh, struct avs_proc *p,
		    const struct avs_event *ev);
void avs_do_mlock(struct avs_shadow *sh, struct avs_proc *p,
		  const struct avs_event *ev);
struct avs_mm *avs_mm_alloc(struct avs_shadow *sh);
void avs_dup_mmap(struct avs_shadow *sh, struct avs_mm *mm,
		  struct avs_mm *oldmm);
void avs_mmput(struct avs_shadow *sh, struct avs_mm *mm);
void avs_seed_vma(struct avs_shadow *sh, struct avs_proc *p,
		  const struct avs_event *ev);
void avs_swap_out(struct avs_shadow *sh, struct avs_mm *mm, uint32_t pid,
		  uint64_t start, uint64_t end, bool shared_too);
void avs_swap_in(struct avs_shadow *sh, struct avs_mm *mm, uint64_t start,
		 uint64_t end);
void avs_observe_pages(struct avs_shadow *sh, struct avs_mm *mm,
		       const struct avs_event *ev);
/* The PFN a page observation showed for a folio (0: forget it). */
struct avs_pfn {
	uint64_t pfn;
	struct avs_folio *folio;
	UT_hash_handle hh;		/* by pfn */
	UT_hash_handle fh;		/* by folio */
};
void avs_folio_set_pfn(struct avs_shadow *sh, struct avs_folio *folio,
		       uint64_t pfn);

#endif
