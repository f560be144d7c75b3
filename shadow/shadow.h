/* SPDX-License-Identifier: MIT */
/*
 * The shadow: a deterministic model of the kernel's anonymous reverse
 * mapping (VMAs, anon_vmas, anon_vma_chains, anon folios) for a process
 * tree, driven by the event stream of event.h.  Pure C: no I/O, no globals.
 * Out of memory aborts the process (the shadow runs in analysis tools,
 * never inside a traced program).
 */
#ifndef AVS_SHADOW_H
#define AVS_SHADOW_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "event.h"

struct avs_shadow;
struct avs_proc;
struct avs_vma;
struct avs_anon_vma;
struct avs_folio;

#include "rules.h"

extern const struct avs_rules avs_rules_linux_6_18, avs_rules_linux_6_0,
	avs_rules_linux_3_19, avs_rules_linux_3_7, avs_rules_linux_2_6_35,
	avs_rules_linux_2_6_34, avs_rules_linux_2_6_34_rc3,
	avs_rules_linux_2_6_33, avs_rules_anonmm, avs_rules_pte_chains;

/* Live object counts. */
struct avs_counts {
	uint64_t procs, mms, vmas, anon_vmas, avcs, folios;
	uint64_t pages;			/* pages of the live folios */
	uint64_t forks, anon_vmas_allocated, anon_vmas_reused, avcs_allocated;
	uint64_t fork_anon_vmas, fork_avcs;	/* allocated by fork */
	uint64_t pages_unplaced;	/* observed pages the shadow could not
					   place (sampling raced a mapping) */
};

enum avs_hazard_kind {
	AVS_HAZ_STRANDED,	/* a mapped folio's anon_vma was freed */
	AVS_HAZ_UNREACHABLE,	/* a pte maps a folio rmap cannot reach */
	AVS_HAZ_NR
};

struct avs_hazard {
	enum avs_hazard_kind kind;
	uint32_t pid;
	uint64_t addr;
	uint64_t folio_id;
	uint64_t anon_vma_id;
	uint64_t seq;		/* event that caused it */
	uint64_t event_no;	/* its position in the stream, from 1 */
	uint16_t event_type;	/* and its type */
	uint32_t event_pid;	/* and its process */
};

typedef void (*avs_diag_fn)(void *arg, const char *msg);

struct avs_shadow *avs_shadow_new(const struct avs_rules *rules);
void avs_shadow_free(struct avs_shadow *sh);

/* Messages about events that do not fit the shadow (unknown pid, munmap of
 * nothing...): they are counted and, if set, passed to fn. */
void avs_shadow_set_diag(struct avs_shadow *sh, avs_diag_fn fn, void *arg);

/* Check the invariants after every event (slow; for tests). */
void avs_shadow_set_check_each_event(struct avs_shadow *sh, bool on);

/*
 * Apply one event.  Returns 0 if applied, 1 if it did not fit the shadow
 * and was ignored or partly applied (see avs_shadow_last_warning), and -1
 * if an invariant broke (with check-each-event on).
 */
int avs_shadow_apply(struct avs_shadow *sh, const struct avs_event *ev);

const char *avs_shadow_last_warning(const struct avs_shadow *sh);
unsigned long avs_shadow_warnings(const struct avs_shadow *sh);
uint64_t avs_shadow_events(const struct avs_shadow *sh);
const struct avs_counts *avs_shadow_counts(const struct avs_shadow *sh);
const struct avs_rules *avs_shadow_rules(const struct avs_shadow *sh);
size_t avs_shadow_mem_bytes(const struct avs_shadow *sh, size_t *peak);

/* Bytes the shadow holds now, by kind of object. */
struct avs_mem {
	size_t anon_vma, avc, vma, folio, page_table, mm, proc, other;
};
void avs_shadow_mem(const struct avs_shadow *sh, struct avs_mem *out);

const struct avs_hazard *avs_shadow_hazards(const struct avs_shadow *sh,
					     size_t *nr);
const char *avs_hazard_kind_name(enum avs_hazard_kind kind);

/* Iteration, for reports.  Processes in order of appearance. */
size_t avs_shadow_procs(const struct avs_shadow *sh,
			const struct avs_proc **out, size_t max);
const struct avs_proc *avs_shadow_find_proc(const struct avs_shadow *sh,
					    uint32_t pid);
/* The live anon_vmas, oldest first; *nr set to their number. */
const struct avs_anon_vma *avs_shadow_first_anon_vma(const struct avs_shadow *sh);
const struct avs_anon_vma *avs_shadow_next_anon_vma(const struct avs_shadow *sh,
						    const struct avs_anon_vma *av);

/* Every pte mapping an anon folio mapped more than once. */
void avs_shadow_shared_mappings(const struct avs_shadow *sh,
				void (*fn)(void *arg, uint64_t folio_id,
					   uint32_t pid, uint64_t addr),
				void *arg);

/*
 * Invariants of KERNEL_MODEL 10.1 (I1-I10): returns the number of
 * violations; the first is described in msg.
 */
unsigned avs_shadow_check(const struct avs_shadow *sh, char *msg, size_t len);

/* rmap cost (cost.c) */
struct avs_walk {
	unsigned visited;	/* VMAs rmap_walk_anon visits for the folio */
	unsigned useful;	/* of those, VMAs whose page table maps it */
	uint64_t anon_vma_id;	/* folio->mapping, 0 if none */
	uint64_t index;		/* folio->index */
	uint64_t folio_id;
};

/* The walk of the folio mapped at pid:addr.  -1 if no anon folio there. */
int avs_rmap_walk(const struct avs_shadow *sh, uint32_t pid, uint64_t addr,
		  struct avs_walk *out);

struct avs_family_cost {
	uint64_t root_id;
	uint64_t anon_vmas, avcs, vmas;	/* vmas: in the root's tree */
	uint64_t folios, pages;
	uint64_t visits, useful;
	uint64_t max_visits;
	uint64_t meta_bytes;
};

struct avs_cost {
	uint64_t folios, pages;		/* anon folios in core and mapped */
	uint64_t visits, useful, useless, max_visits;
	uint64_t anon_vmas, avcs, vmas;
	uint64_t meta_bytes;		/* rmap metadata of the rule set's
					   design and era */
	uint64_t chain_bytes;		/* pte-chains: the chain blocks */
	uint64_t mms;
	uint64_t families;
	struct avs_family_cost *family;	/* malloc'd, families entries,
					   most visits first */
};

/* Fill *out (family array malloc'd: free with avs_cost_release). Calls
 * per_folio, if not NULL, for every mapped anon folio. */
int avs_rmap_cost(const struct avs_shadow *sh, struct avs_cost *out,
		  void (*per_folio)(void *arg, const struct avs_walk *w),
		  void *arg);
void avs_cost_release(struct avs_cost *c);

#endif
