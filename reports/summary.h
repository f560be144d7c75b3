/* SPDX-License-Identifier: MIT */
/* The text summary of a shadow: structure, metadata and rmap walk cost. */
#ifndef AVS_REPORTS_SUMMARY_H
#define AVS_REPORTS_SUMMARY_H

#include <stdio.h>
#include "shadow/shadow.h"

struct avs_visit_stats {
	uint64_t folios;
	double mean;
	uint64_t p50, p99, max;
};

/* Distribution of rmap walk visits over the mapped anon folios. */
void avs_visit_stats(const struct avs_shadow *sh, struct avs_cost *cost,
		     struct avs_visit_stats *out);

/* At most top families are listed. */
void avs_report_summary(const struct avs_shadow *sh, FILE *out, unsigned top);

#endif
