/* SPDX-License-Identifier: MIT */
/* The figures of a shadow: structure, metadata, rmap walk cost, chains and
 * lock domains; printed for one rule set or side by side for several. */
#ifndef AVS_REPORTS_SUMMARY_H
#define AVS_REPORTS_SUMMARY_H

#include <stdio.h>
#include "shadow/shadow.h"

struct avs_anon_vma;

struct avs_visit_stats {
	uint64_t folios;
	double mean;
	uint64_t p50, p99, max;
};

struct avs_summary {
	const struct avs_rules *rules;
	uint64_t events, misfits;
	struct avs_counts counts;
	struct avs_cost cost;		/* family array released */
	struct avs_visit_stats visits;
	double chain_mean;		/* over VMAs with an anon_vma */
	uint64_t chain_max;
	uint64_t domains;		/* anon_vma families (root locks) */
	uint64_t domain_max_vmas;	/* VMAs under the busiest root lock */
	uint64_t domain_max_procs;	/* and their processes */
	size_t hazards;
};

void avs_summary_compute(const struct avs_shadow *sh, struct avs_summary *s);

/* Distinct processes among the VMAs a root anon_vma's lock covers. */
uint64_t avs_domain_procs(const struct avs_anon_vma *root);

/* Distribution of rmap walk visits over the mapped anon folios. */
void avs_visit_stats(const struct avs_shadow *sh, struct avs_cost *cost,
		     struct avs_visit_stats *out);

/* The report of one shadow; at most top families are listed. */
void avs_report_summary(const struct avs_shadow *sh, FILE *out, unsigned top);

/* One column per summary. */
void avs_report_table(const struct avs_summary *s, size_t n, FILE *out);

#endif
