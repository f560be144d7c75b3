/* SPDX-License-Identifier: MIT */
/* Test helpers: feed the text form to a shadow, checking the invariants
 * after every event, and compare the whole graph with an expected text. */
#ifndef AVS_TEST_HELPERS_H
#define AVS_TEST_HELPERS_H

#include <criterion/criterion.h>
#include "shadow/shadow.h"

/* A new linux-6.18 shadow that checks its invariants after each event. */
struct avs_shadow *t_shadow(void);

/* Apply events in the text form; fails the test on a parse error, on an
 * event that does not fit the shadow, or on a broken invariant. */
void t_apply(struct avs_shadow *sh, const char *events);

/* The graph in the text form of reports/graph.c (malloc'd). */
char *t_graph(const struct avs_shadow *sh);

/* Fails the test, showing both, unless the graph equals expected. */
#define t_expect_graph(sh, expected)                                        \
	do {                                                                \
		char *g_ = t_graph(sh);                                     \
		cr_expect_str_eq(g_, expected, "graph differs:\n--- got\n%s" \
				 "--- expected\n%s", g_, expected);         \
		free(g_);                                                   \
	} while (0)

/* rmap walk of the folio at pid:addr; fails if there is none. */
struct avs_walk t_walk(const struct avs_shadow *sh, uint32_t pid,
		       uint64_t addr);

#endif
