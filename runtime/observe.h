/* SPDX-License-Identifier: MIT */
/* Page observations from /proc/self/pagemap. */
#ifndef AVS_RT_OBSERVE_H
#define AVS_RT_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

/* Learn the zero page's PFN (before seeding: its scratch page is gone). */
void avs_observe_init(void);
/* Record the pages of every private VMA of this process. */
void avs_observe_all(int pid);
/*
 * Before a call on [start, end) that may split and merge VMAs or move
 * them: record the pages of the private VMAs it touches and of its
 * neighbours (the VMAs a merge would join).
 */
void avs_observe_vmas(int pid, uint64_t start, uint64_t end);

/* For observe_vma.c: one sampler at a time (a busy one is skipped, never
 * waited for); the pages of [start, end) read from pagemap_fd. */
bool avs_observe_begin(void);
void avs_observe_end(void);
void avs_observe_range(int pid, long pagemap_fd, uint64_t start,
		       uint64_t end);

#endif
