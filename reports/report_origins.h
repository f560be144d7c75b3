/* SPDX-License-Identifier: MIT */
/*
 * Where each process's mappings come from: the interned call stack of the
 * mmap, mremap or brk that made each range, and of the fork that made each
 * process.  A fork child inherits its parent's ranges (its VMAs are
 * copies).  Kept only for events with a stack, and ranges they later
 * overlap.
 */
#ifndef AVS_REPORTS_REPORT_ORIGINS_H
#define AVS_REPORTS_REPORT_ORIGINS_H

#include <stdint.h>
#include "shadow/event.h"

struct avs_origins;

struct avs_origins *avs_origins_new(void);
void avs_origins_free(struct avs_origins *o);
void avs_origins_reset(struct avs_origins *o);

/* After ev (whose interned stack is stack, 0 if none). */
void avs_origins_event(struct avs_origins *o, const struct avs_event *ev,
		       uint32_t stack);

/* The stack that mapped addr in pid, 0 if unknown. */
uint32_t avs_origins_mapping(const struct avs_origins *o, uint32_t pid,
			     uint64_t addr);
/* The stack of the fork that made pid, 0 if unknown. */
uint32_t avs_origins_fork(const struct avs_origins *o, uint32_t pid);

#endif
