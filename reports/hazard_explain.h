/* SPDX-License-Identifier: MIT */
/* Hazards in words, and the shortest event sequence that still shows one. */
#ifndef AVS_REPORTS_HAZARD_EXPLAIN_H
#define AVS_REPORTS_HAZARD_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>
#include "shadow/shadow.h"

/* One sentence saying what went wrong. */
void avs_hazard_describe(const struct avs_hazard *h, char *buf, size_t len);

/*
 * ddmin over ev[0..n): the events kept (in order, indices into ev) still
 * produce a hazard of this kind under rules.  At most budget replays;
 * *exhausted set if the budget ran out (the result is then smaller than
 * the input but maybe not minimal).  Returns the number kept, indices in
 * keep (n entries of room).
 */
size_t avs_hazard_minimize(const struct avs_event *const *ev, size_t n,
			   const struct avs_rules *rules,
			   enum avs_hazard_kind kind, size_t budget,
			   size_t *keep, bool *exhausted);

/* Print events as text lines, indented. */
void avs_print_events(FILE *out, const struct avs_event *const *ev,
		      const size_t *idx, size_t n, const char *indent);

#endif
