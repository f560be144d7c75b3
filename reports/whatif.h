/* SPDX-License-Identifier: MIT */
/*
 * What-if search: real traces rarely show the swap-out and swap-in that
 * strand pages (the 2010 oops).  At points where pages are shared between
 * processes, insert "swap the page out of everyone, let one process touch
 * it first, then the others", replay the rest, and keep the orderings that
 * produce a hazard.
 */
#ifndef AVS_REPORTS_WHATIF_H
#define AVS_REPORTS_WHATIF_H

#include <stdbool.h>
#include "event_log.h"
#include "shadow/shadow.h"

#define AVS_WHATIF_MAX_MAPPERS 8

struct avs_whatif_finding {
	size_t after;			/* inserted after log event #after */
	uint32_t first_pid;		/* the process that touched it first */
	uint64_t first_addr;
	struct avs_hazard hazard;	/* the first new hazard */
	size_t hazard_at;		/* its event, index in the log */
	struct avs_event inserted[1 + AVS_WHATIF_MAX_MAPPERS];
	size_t ninserted;
};

struct avs_whatif {
	const struct avs_rules *rules;
	size_t max_replays;		/* bound on replays (0: 500) */
	size_t max_found;		/* stop after this many (0: 10) */
	size_t replays, candidates;
	bool bound_hit;
	struct avs_whatif_finding *found;
	size_t nfound;
};

int avs_whatif_search(const struct avs_event_log *log, struct avs_whatif *w);
void avs_whatif_release(struct avs_whatif *w);

/* The what-if stream of a finding: log with its events inserted; pointers
 * into log and f (n entries, malloc'd). */
const struct avs_event **avs_whatif_stream(const struct avs_event_log *log,
					   const struct avs_whatif_finding *f,
					   size_t *n);

#endif
