/* SPDX-License-Identifier: MIT */
/*
 * The what-if search and hazard minimisation (reports/whatif.c,
 * reports/hazard_explain.c) on a trace with no swap events: a parent and
 * its child share pages; the child writes one and exits.
 */
#include <string.h>
#include "helpers.h"
#include "reports/event_log.h"
#include "reports/hazard_explain.h"
#include "reports/whatif.h"
#include "shadow/event_text.h"

static const char trace[] =
	"start 100\n"
	"mmap 100 0x7f0000000000-0x7f0000004000 rw-p anon\n"
	"fault 100 0x7f0000000000 w\n"
	"fault 100 0x7f0000001000 w\n"
	"fork 100 101\n"
	"fault 101 0x7f0000000000 w\n"
	"exit 101\n";

static int add(const struct avs_event *ev, void *arg)
{
	avs_event_log_add(arg, ev);
	return 0;
}

static void load(struct avs_event_log *log)
{
	char err[128];

	cr_assert_eq(avs_text_foreach(trace, add, log, err, sizeof(err)), 0,
		     "%s", err);
}

Test(whatif, finds_the_2010_ordering_under_rc3_only)
{
	struct avs_event_log log = { 0 };
	struct avs_whatif w = { .rules = avs_rules_find("linux-2.6.34-rc3") };
	const struct avs_whatif_finding *f;
	static const char *const fixed[] = { "linux-2.6.34", "linux-2.6.35",
					     "linux-6.0", "linux-6.18" };
	size_t i;

	load(&log);
	cr_assert_eq(avs_whatif_search(&log, &w), 0);
	cr_assert_geq(w.nfound, 1);
	cr_expect_not(w.bound_hit);
	f = &w.found[0];
	cr_expect_eq(f->hazard.kind, AVS_HAZ_STRANDED);
	cr_expect_eq(f->first_pid, 101, "the child touches it first");
	cr_expect_eq(f->after, 4, "right after the fork");
	cr_expect_eq(f->hazard.pid, 100, "the parent is left mapping it");
	cr_expect_eq(f->hazard.event_type, AVS_EV_EXIT);
	cr_expect_eq(f->hazard.event_pid, 101);
	avs_whatif_release(&w);

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct avs_whatif v = { .rules = avs_rules_find(fixed[i]) };

		avs_whatif_search(&log, &v);
		cr_expect_gt(v.replays, 0);
		cr_expect_eq(v.nfound, 0, "%s", fixed[i]);
		avs_whatif_release(&v);
	}
	avs_event_log_free(&log);
}

/* The replay bound is respected and reported. */
Test(whatif, bound_is_reported)
{
	struct avs_event_log log = { 0 };
	struct avs_whatif w = { .rules = avs_rules_find("linux-6.18"),
				.max_replays = 1 };

	load(&log);
	avs_whatif_search(&log, &w);
	cr_expect_eq(w.replays, 2);
	cr_expect(w.bound_hit);
	avs_whatif_release(&w);
	avs_event_log_free(&log);
}

/* Minimising the rc3 finding keeps exactly LWN's sequence: the page's
 * write, the fork, swap-out, the child's swap-in, the parent's, the
 * child's exit (with start and mmap). */
Test(whatif, minimal_sequence_is_lwns)
{
	struct avs_event_log log = { 0 };
	struct avs_whatif w = { .rules = avs_rules_find("linux-2.6.34-rc3") };
	const struct avs_event **s;
	size_t n, keep[32], k, i;
	bool exhausted;
	static const unsigned want[] = {
		AVS_EV_START, AVS_EV_MMAP, AVS_EV_FAULT, AVS_EV_FORK,
		AVS_EV_SWAPOUT, AVS_EV_SWAPIN, AVS_EV_SWAPIN, AVS_EV_EXIT,
	};

	load(&log);
	avs_whatif_search(&log, &w);
	cr_assert_geq(w.nfound, 1);
	s = avs_whatif_stream(&log, &w.found[0], &n);
	cr_assert_leq(n, 32);
	k = avs_hazard_minimize(s, n, w.rules, AVS_HAZ_STRANDED, 1000, keep,
				&exhausted);
	cr_expect_not(exhausted);
	cr_assert_eq(k, 8, "kept %zu events", k);
	for (i = 0; i < k; i++)
		cr_expect_eq(s[keep[i]]->type, want[i], "event %zu", i);
	cr_expect_eq(s[keep[5]]->pid, 101, "the child swaps in first");
	free(s);
	avs_whatif_release(&w);
	avs_event_log_free(&log);
}
