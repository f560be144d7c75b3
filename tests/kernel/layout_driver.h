/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, driver side: run a scenario's processes, replay their
 * stream through a shadow and compare it with the kernel at each
 * checkpoint.
 */
#ifndef KERNEL_LAYOUT_DRIVER_H
#define KERNEL_LAYOUT_DRIVER_H

#include <stdbool.h>
#include <stdio.h>

#include "layout_harness.h"

/* kernel_layout.c: the options */
extern bool opt_verbose;	/* -v */
extern const char *opt_keep;	/* -k DIR */

struct layout_result {
	unsigned long vmas, checkpoints, diffs, problems, notes;
};

/*
 * layout_replay.c: replay a stream (modified: split in lines) through a
 * linux-6.18 shadow that checks its invariants after every event, and
 * compare each checkpoint.  Details go to out, the counts add up in res.
 */
void replay(char *text, FILE *out, struct layout_result *res);

/*
 * layout_run.c: run sc and replay its stream; prints the verdict and the
 * details.  Returns whether the shadow and the kernel agree.
 */
bool run_scenario(const struct scenario *sc);

#endif
