/* SPDX-License-Identifier: MIT */
/* An event stream held in memory, so it can be replayed many times (what-if
 * search, minimising a hazard's sequence). */
#ifndef AVS_REPORTS_EVENT_LOG_H
#define AVS_REPORTS_EVENT_LOG_H

#include <stddef.h>
#include "shadow/event.h"
#include "input.h"

struct avs_event_log {
	struct avs_event *ev;	/* str and words point into owned copies */
	size_t n, cap;
};

/* Read a whole input into log.  Returns avs_read_input's result. */
int avs_event_log_read(struct avs_event_log *log, const char *path,
		       struct avs_input_status *st, char *err, size_t errlen);
/* Append a copy of ev (its str and words copied too). */
void avs_event_log_add(struct avs_event_log *log, const struct avs_event *ev);
void avs_event_log_free(struct avs_event_log *log);

#endif
