/* SPDX-License-Identifier: MIT */
/* Reading an event stream from a file: a binary trace or the text form. */
#ifndef AVS_REPORTS_INPUT_H
#define AVS_REPORTS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include "shadow/event.h"

struct avs_input_status {
	bool binary;
	bool truncated;		/* a partial record was cut off the end */
	size_t bytes_lost;	/* its size */
	unsigned long events;
};

/* Return nonzero from the callback to stop reading. */
typedef int (*avs_event_cb)(void *arg, const struct avs_event *ev);

/*
 * Read every event of path ("-" for standard input), in order.  Returns 0
 * at the end of the stream (a truncated binary tail is reported in st, not
 * an error), the callback's nonzero value if it stopped, or -1 with a
 * message in err for an unreadable file or a corrupt record / bad line.
 */
int avs_read_input(const char *path, avs_event_cb cb, void *arg,
		   struct avs_input_status *st, char *err, size_t errlen);

#endif
