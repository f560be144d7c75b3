/* SPDX-License-Identifier: MIT */
/*
 * What the launcher records about a stopped tree (tree_stop.h): the pages
 * of each process's private VMAs read from /proc/PID/pagemap (`pages`
 * events, the words runtime/observe.c writes), a checkpoint event, and
 * copies of /proc/PID/maps.  Records go to a launcher-owned trace file
 * with seqs from the capture's counter, so the merge places them where
 * the tree stood.
 */
#ifndef AVS_REPORTS_SNAPSHOT_H
#define AVS_REPORTS_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include "tree_stop.h"

/* The PFN of the shared zero page (0 if PFNs are hidden: not root). */
uint64_t avs_snapshot_zero_pfn(void);

/* A new trace file DIR/name (header written), O_APPEND; fd or -1 with a
 * message on stderr. */
int avs_snapshot_open_trace(const char *dir, const char *name);

/*
 * Append to fd, with fresh seqs from *seq: the pages of every settled,
 * traced process (if observe), then `checkpoint PID label` for each such
 * process (all_pids) or for the first one only.  Returns the seq of the
 * last record written, 0 if nothing was (no settled traced process) or
 * -1 (cast) on a write error.
 */
uint64_t avs_snapshot_record(const struct avs_tree *t, uint64_t *seq, int fd,
			     const char *label, bool observe, bool all_pids,
			     uint64_t zero_pfn);

/* Copy /proc/PID/maps of every settled traced process to
 * DIR/maps/<pid>-<label>.maps.  0, or -1 (message on stderr). */
int avs_snapshot_maps(const struct avs_tree *t, const char *dir,
		      const char *label);

#endif
