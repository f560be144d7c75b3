/* SPDX-License-Identifier: MIT */
/*
 * A /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst) as
 * the page word of a `pages` event (event.h).  Shared by the recorder
 * (runtime/observe.c) and the verifier's snapshots (reports/snapshot.c);
 * inline and free of libc, as the recorder's hooks need.
 */
#ifndef AVS_PAGEMAP_WORD_H
#define AVS_PAGEMAP_WORD_H

#include <stdint.h>
#include "shadow/event.h"

#define AVS_PM_PRESENT		(1ULL << 63)
#define AVS_PM_SWAPPED		(1ULL << 62)
#define AVS_PM_FILE		(1ULL << 61)	/* page cache or shared anon */
#define AVS_PM_EXCLUSIVE	(1ULL << 56)	/* mapped exactly once */
#define AVS_PM_PFN		((1ULL << 55) - 1)	/* 0 unless root */

/* zero_pfn: the shared zero page's PFN, 0 when unknown. */
static inline uint64_t avs_pagemap_word(uint64_t e, uint64_t zero_pfn)
{
	uint64_t w = 0, pfn = e & AVS_PM_PFN;

	if (e & AVS_PM_PRESENT) {
		w |= AVS_PAGE_PRESENT;
		if (e & AVS_PM_EXCLUSIVE)
			w |= AVS_PAGE_EXCLUSIVE;
		if (pfn && pfn == zero_pfn)
			w |= AVS_PAGE_ZERO;
		else if (e & AVS_PM_FILE)
			w |= AVS_PAGE_FILE;
		if (pfn)
			w |= AVS_PAGE_PFN_KNOWN | pfn;
	} else if (e & AVS_PM_SWAPPED) {
		w |= AVS_PAGE_SWAPPED;
	}
	return w;
}

#endif
