/* SPDX-License-Identifier: MIT */
/* Build a shadow from an input file, event by event. */
#ifndef AVS_REPORTS_REPLAY_H
#define AVS_REPORTS_REPLAY_H

#include <stdio.h>
#include "input.h"
#include "shadow/shadow.h"

struct avs_replay {
	struct avs_shadow *sh;		/* made by avs_replay_file */
	const struct avs_rules *rules;	/* NULL: linux-6.18 */
	bool check;			/* invariants after every event */
	FILE *diag;			/* where warnings go, NULL: nowhere */
	unsigned long max_diag;		/* warnings printed at most */
	unsigned long diag_printed;
	unsigned long invariant_failures;
	/* called after each checkpoint event has been applied */
	void (*on_checkpoint)(void *arg, const struct avs_shadow *sh,
			      const struct avs_event *ev);
	void *arg;
	struct avs_input_status st;
};

/* Returns 0, or -1 with a message in err (unreadable or corrupt input).
 * r->sh is valid in both cases (what was read before the error). */
int avs_replay_file(const char *path, struct avs_replay *r, char *err,
		    size_t errlen);

#endif
