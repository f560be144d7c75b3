/* SPDX-License-Identifier: MIT */
/*
 * Symbolization of recorded call sites with elfutils libdwfl: a module's
 * file offset (stacks.h) becomes function, source file and line, read from
 * the file named by the trace's `load` events (debug information found by
 * build-id or debuglink, as gdb finds it).  Works after the program has
 * exited; each module is opened once and each address looked up once.
 */
#ifndef AVS_REPORTS_SYMBOLIZE_H
#define AVS_REPORTS_SYMBOLIZE_H

#include <stdint.h>
#include "stacks.h"

struct avs_symbolizer;

struct avs_symbol {
	const char *function;	/* NULL if unknown */
	const char *file;	/* NULL if there is no line information */
	int line;
};

struct avs_symbolizer *avs_symbolizer_new(void);
void avs_symbolizer_free(struct avs_symbolizer *s);

/*
 * Look up offset (a file offset) in module m.  Returns 0 with *out filled
 * (strings live as long as s), -1 if the file is missing, is not the one
 * recorded (another device/inode) or has no symbol there.
 */
int avs_symbolize(struct avs_symbolizer *s, const struct avs_module *m,
		  uint64_t offset, struct avs_symbol *out);

/* Lookups so far, and how many were answered from the cache. */
void avs_symbolizer_stats(const struct avs_symbolizer *s,
			  unsigned long *lookups, unsigned long *cached);

#endif
