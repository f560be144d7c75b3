/* SPDX-License-Identifier: MIT */
/* Page observations from /proc/self/pagemap. */
#ifndef AVS_RT_OBSERVE_H
#define AVS_RT_OBSERVE_H

/* Learn the zero page's PFN (before seeding: its scratch page is gone). */
void avs_observe_init(void);
/* Record the pages of every private VMA of this process. */
void avs_observe_all(int pid);

#endif
