/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, driver side: one checkpoint's kernel VMAs against the
 * shadow's.
 */
#ifndef KERNEL_LAYOUT_COMPARE_H
#define KERNEL_LAYOUT_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "shadow/shadow.h"

#define MAXV 256

struct lvma {
	uint64_t s, e;
	char perms[8];
	uint64_t flags;		/* vm_flags (kernel: smaps VmFlags) */
	bool has_flags;
	char extra[160];	/* shadow: pgoff, anon_vma, chain */
};

/* A checkpoint of one pid as the #-lines of the stream report it. */
struct layout_cp {
	uint64_t rs, re;	/* the region (#R) */
	uint32_t pid;
	char label[128];
	struct lvma k[MAXV];	/* the kernel's VMAs (#K) */
	int nk;
	bool have_heap;		/* #H: the heap window */
	uint64_t sbrk, brk;
};

/*
 * Compare the shadow's VMAs of cp->pid inside the region (or the heap
 * window) with cp's kernel lines: start, end, perms and the CMP_FLAGS
 * bits.  Prints both lists to out if they differ, or always if verbose.
 * Returns whether they are the same.
 */
bool compare_checkpoint(struct avs_shadow *sh, struct layout_cp *cp,
			bool verbose, FILE *out);

#endif
