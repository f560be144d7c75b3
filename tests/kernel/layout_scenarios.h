/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout: the scenarios.  Page numbers are relative to the region
 * base.
 */
#ifndef KERNEL_LAYOUT_SCENARIOS_H
#define KERNEL_LAYOUT_SCENARIOS_H

#include "layout_harness.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define R	PROT_READ
#define FAR	4096		/* 16 MiB into the region */

/* layout_scenarios_merge.c */
void sc_o3(void);
void sc_o8(void);
void sc_o9(void);
void sc_threeway(void);
void sc_prot_none(void);
void sc_mmap_below(void);
void sc_partial_adjust(void);
/* layout_scenarios_fork.c */
void sc_o10(void);
void sc_o11(void);
void sc_o12(void);
void sc_o22(void);
void sc_dontfork(void);
void sc_mlock_fork(void);
/* layout_scenarios_mremap.c */
void sc_o13(void);
void sc_o14(void);
void sc_o16(void);
void sc_o18(void);
void sc_o27(void);
void sc_dontunmap(void);
void sc_grow_into_faulted(void);
void sc_copied_from(void);
void sc_multi_move(void);

#endif
