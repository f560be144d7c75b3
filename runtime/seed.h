/* SPDX-License-Identifier: MIT */
/* Seeding a new process image from /proc/self/smaps. */
#ifndef AVS_RT_SEED_H
#define AVS_RT_SEED_H

#include <stdint.h>

/* A range the runtime made or changed: its seeds carry AVS_EVF_RUNTIME. */
void avs_seed_runtime_range(uint64_t start, uint64_t end);
/* Write start and one vma seed per VMA of this process. */
void avs_seed_process(int pid, int ppid);

#endif
