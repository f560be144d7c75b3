/* SPDX-License-Identifier: MIT */
/*
 * Launcher checkpoints of `avshadow run` (--checkpoint-signal,
 * --checkpoint-every): the tree is stopped where the traces agree with
 * the kernel (tree_stop.h); then, while it stands still, the pages of
 * each process are observed (so the shadow knows which VMAs were written
 * since their last sample), `checkpoint PID launcher.N` is recorded for
 * each, and /proc/PID/maps is copied beside the capture for comparison
 * with `avshadow graph --at launcher.N`.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "launcher.h"
#include "snapshot.h"
#include "tree_stop.h"

#define LAUNCHER_TRACE "launcher.trace"

void avs_launch_checkpoint(struct avs_launch *l,
			   struct avs_launch_checkpoints *c)
{
	struct avs_tree t = { .self = getpid(), .dir = l->dir };
	char label[32];
	size_t left, i, n = 0;
	uint64_t last;

	if (c->fd < 0) {
		c->fd = avs_snapshot_open_trace(l->dir, LAUNCHER_TRACE);
		c->zero_pfn = avs_snapshot_zero_pfn();
		if (c->fd < 0)
			return;
	}
	snprintf(label, sizeof(label), "launcher.%u", ++c->n);
	left = avs_tree_stop(&t);
	last = avs_snapshot_record(&t, l->seq, c->fd, label, true, true,
				   c->zero_pfn);
	avs_snapshot_maps(&t, l->dir, label);
	for (i = 0; i < t.n; i++)
		n += t.p[i].state == AVS_TREE_SETTLED && t.p[i].traced;
	avs_tree_resume(&t);
	if (last == (uint64_t)-1)
		fprintf(stderr, "avshadow: %s: cannot write %s/%s\n", label,
			l->dir, LAUNCHER_TRACE);
	if (left)
		fprintf(stderr, "avshadow: %s: %zu process(es) did not come to "
			"rest in time and were left out\n", label, left);
	if (getenv("AVSHADOW_VERBOSE"))
		fprintf(stderr, "avshadow: %s: %zu process(es) at seq %llu\n",
			label, n, (unsigned long long)last);
}
