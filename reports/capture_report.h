/* SPDX-License-Identifier: MIT */
/* The report of a capture folder (or of any input): how the folder's
 * traces were merged, then the summary of the shadow built from them, under
 * one or several rule sets.  Used by `avshadow report` and `avshadow run`. */
#ifndef AVS_REPORTS_CAPTURE_REPORT_H
#define AVS_REPORTS_CAPTURE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#define AVS_REPORT_MAX_MODELS 16

struct avs_report_opts {
	const char *models[AVS_REPORT_MAX_MODELS];	/* none: "auto" */
	size_t nmodels;
	bool check;		/* invariants after every event */
	bool at_end;		/* the state at the end, not at the peak */
	unsigned top;		/* families listed */
};

/*
 * Read path once (a capture folder, a binary trace or the text form),
 * feeding one shadow per rule set, and print the report on out; warnings
 * and errors go to warn ("avshadow: ..." lines).  Returns the exit status:
 * 0, 1 if an invariant broke, 2 for a bad model or an unreadable or
 * corrupt input (the report of what was read is still printed).
 */
int avs_report_path(const char *path, const struct avs_report_opts *o,
		    FILE *out, FILE *warn);

#endif
