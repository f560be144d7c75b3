/* SPDX-License-Identifier: MIT */
/*
 * The same event streams under past kernels' rules (KERNEL_MODEL section 9
 * and 12): the 2010 stranding, walk cost per design, and chain growth of a
 * re-forking daemon.
 */
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "shadow/internal.h"
#include "shadow/event_text.h"

static struct avs_shadow *shadow_with(const char *model)
{
	const struct avs_rules *r = avs_rules_find(model);
	struct avs_shadow *sh;

	cr_assert_not_null(r, "no rule set %s", model);
	sh = avs_shadow_new(r);
	cr_assert_not_null(sh);
	return sh;
}

static int apply_quiet(const struct avs_event *ev, void *arg)
{
	avs_shadow_apply(arg, ev);
	return 0;
}

static void feed(struct avs_shadow *sh, const char *events)
{
	char err[256];

	cr_assert_eq(avs_text_foreach(events, apply_quiet, sh, err, sizeof(err)),
		     0, "%s", err);
}

/* LWN 2010: a shared page swapped out of parent and child, swapped in by
 * the child first, then the child exits while the parent maps it. */
static const char lwn[] =
	"start 100\n"
	"mmap 100 0x10000000-0x10004000 rw-p anon\n"
	"fault 100 0x10001000 w\n"
	"fork 100 101\n"
	"swapout 100 0x10001000-0x10002000\n"
	"swapin 101 0x10001000-0x10002000\n"
	"swapin 100 0x10001000-0x10002000\n"
	"exit 101\n";

Test(rules, lwn_2010_strands_a_page_under_rc3_only)
{
	static const char *const fixed[] = {
		"linux-2.6.34", "linux-2.6.35", "linux-3.7", "linux-3.19",
		"linux-6.0", "linux-6.18", "linux-2.6.33",
	};
	struct avs_shadow *sh = shadow_with("linux-2.6.34-rc3");
	const struct avs_hazard *hz;
	char msg[256];
	size_t n, i;

	feed(sh, lwn);
	hz = avs_shadow_hazards(sh, &n);
	cr_assert_eq(n, 1, "one stranded page under 2.6.34-rc3");
	cr_expect_eq(hz[0].kind, AVS_HAZ_STRANDED);
	cr_expect_eq(hz[0].anon_vma_id, 2, "the child's anon_vma");
	cr_expect_gt(avs_shadow_check(sh, msg, sizeof(msg)), 0);
	cr_expect(strstr(msg, "I9") != NULL, "%s", msg);
	avs_shadow_free(sh);

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		sh = shadow_with(fixed[i]);
		feed(sh, lwn);
		avs_shadow_hazards(sh, &n);
		cr_expect_eq(n, 0, "%s strands nothing", fixed[i]);
		cr_expect_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0,
			     "%s: %s", fixed[i], msg);
		avs_shadow_free(sh);
	}
}

/* 2.6.34 sends the shared swap-in to the chain's oldest anon_vma, 2.6.35+
 * to the root: the same anon_vma here. */
Test(rules, non_exclusive_swapin_target)
{
	static const char before_exit[] =
		"start 100\n"
		"mmap 100 0x10000000-0x10004000 rw-p anon\n"
		"fault 100 0x10001000 w\n"
		"fork 100 101\n"
		"swapout 100 0x10001000-0x10002000\n"
		"swapin 101 0x10001000-0x10002000\n";
	static const struct { const char *model; uint64_t av; } want[] = {
		{ "linux-2.6.34-rc3", 2 }, { "linux-2.6.34", 1 },
		{ "linux-2.6.35", 1 }, { "linux-6.18", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct avs_shadow *sh = shadow_with(want[i].model);
		struct avs_walk w;

		feed(sh, before_exit);
		w = t_walk(sh, 101, 0x10001000);
		cr_expect_eq(w.anon_vma_id, want[i].av, "%s", want[i].model);
		avs_shadow_free(sh);
	}
}

/* KERNEL_MODEL 12: 1000 children each COW a 1000-page VMA.  Visits per
 * COWed (child) page: the whole family under one anon_vma per family,
 * one VMA under anon_vma_chain; metadata bytes per design. */
Test(rules, thousand_children_per_model, .timeout = 120)
{
	static const struct {
		const char *model;
		unsigned child_visits, parent_visits;
		uint64_t meta;
	} want[] = {
		{ "linux-2.6.33", 1001, 1001, 1 * 24 + 1001 * 16 },
		{ "linux-2.6.34", 1, 1001, 1001 * 24 + 2001 * 48 },
		{ "linux-3.7", 1, 1001, 1001 * 56 + 2001 * 64 },
		{ "linux-6.18", 1, 1001, 1001 * 96 + 2001 * 64 },
		/* pte-chains: a walk visits the mappings only; after every
		 * child COWed, each page is mapped once (pte.direct) */
		{ "pte-chains", 1, 1, 0 },
		/* anonmm: every mm of the group, for every page; one
		 * 40-byte struct anonmm per mm */
		{ "anonmm", 1001, 1001, 1001 * 40 },
	};
	size_t i;
	uint32_t c, p;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct avs_shadow *sh = shadow_with(want[i].model);
		struct avs_event ev;
		struct avs_cost cost;
		struct avs_walk w;
		char line[128];

		feed(sh, "start 1\nmmap 1 0x40000000-0x403e8000 rw-p anon\n");
		for (c = 0; c <= 1000; c++) {
			if (c) {
				memset(&ev, 0, sizeof(ev));
				ev.type = AVS_EV_FORK;
				ev.pid = 1;
				ev.u.fork.child = 1 + c;
				cr_assert_eq(avs_shadow_apply(sh, &ev), 0);
			}
			for (p = 0; p < 1000; p++) {
				memset(&ev, 0, sizeof(ev));
				ev.type = AVS_EV_FAULT;
				ev.pid = 1 + c;
				ev.u.fault.addr = 0x40000000ULL + p * 4096ULL;
				ev.u.fault.access = AVS_FAULT_WRITE;
				cr_assert_eq(avs_shadow_apply(sh, &ev), 0, "%s",
					     avs_shadow_last_warning(sh));
			}
		}
		w = t_walk(sh, 600, 0x40000000 + 7 * 4096);
		cr_expect_eq(w.visited, want[i].child_visits, "%s child",
			     want[i].model);
		cr_expect_eq(w.useful, 1);
		w = t_walk(sh, 1, 0x40000000 + 7 * 4096);
		cr_expect_eq(w.visited, want[i].parent_visits, "%s parent",
			     want[i].model);
		avs_rmap_cost(sh, &cost, NULL, NULL);
		cr_expect_eq(cost.max_visits,
			     want[i].child_visits > want[i].parent_visits ?
			     want[i].child_visits : want[i].parent_visits,
			     "%s max visits %llu", want[i].model,
			     (unsigned long long)cost.max_visits);
		cr_expect_eq(cost.visits, 1000000ULL * want[i].child_visits +
			     1000ULL * want[i].parent_visits,
			     "%s total visits %llu", want[i].model,
			     (unsigned long long)cost.visits);
		cr_expect_eq(cost.meta_bytes, want[i].meta, "%s metadata %llu",
			     want[i].model, (unsigned long long)cost.meta_bytes);
		cr_expect_eq(cost.useful, cost.folios, "%s: every page is found "
			     "once, by its own mapping", want[i].model);
		snprintf(line, sizeof(line), "%s", want[i].model);
		avs_cost_release(&cost);
		avs_shadow_free(sh);
	}
}

/* Before the children COW, pte-chains needs a chain of 1001 pte
 * addresses for every page: ceil(1001 / 7) = 143 blocks of 64 bytes. */
Test(rules, pte_chains_metadata_while_shared)
{
	struct avs_shadow *sh = shadow_with("pte-chains");
	struct avs_cost cost;
	char ev[64];
	uint32_t c;

	feed(sh, "start 1\nmmap 1 0x40000000-0x40002000 rw-p anon\n"
		 "fault 1 0x40000000 w\nfault 1 0x40001000 w\n");
	for (c = 2; c <= 1001; c++) {
		snprintf(ev, sizeof(ev), "fork 1 %u\n", c);
		feed(sh, ev);
	}
	avs_rmap_cost(sh, &cost, NULL, NULL);
	cr_expect_eq(cost.visits, 2 * 1001);
	cr_expect_eq(cost.useless, 0);
	cr_expect_eq(cost.meta_bytes, 2 * 143 * 64);
	avs_cost_release(&cost);
	avs_shadow_free(sh);
}

/* anonmm: moving a page still shared with another mm copies it; the
 * anon_vma designs move it and keep it shared (pgoff kept). */
Test(rules, anonmm_mremap_copies_shared_pages)
{
	static const char move[] =
		"start 1\nmmap 1 0x40000000-0x40002000 rw-p anon\n"
		"fault 1 0x40000000 w\nfault 1 0x40001000 w\nfork 1 2\n"
		"mremap 2 0x40000000-0x40002000 0x50000000-0x50002000 "
		"flags=maymove,fixed\n";
	struct avs_shadow *sh = shadow_with("anonmm");
	struct avs_walk a, b;

	feed(sh, move);
	a = t_walk(sh, 1, 0x40000000);
	b = t_walk(sh, 2, 0x50000000);
	cr_expect_neq(a.folio_id, b.folio_id, "copied at the move");
	avs_shadow_free(sh);

	sh = shadow_with("linux-6.18");
	feed(sh, move);
	a = t_walk(sh, 1, 0x40000000);
	b = t_walk(sh, 2, 0x50000000);
	cr_expect_eq(a.folio_id, b.folio_id, "still shared after the move");
	cr_expect_eq(b.visited, 2);
	cr_expect_eq(b.useful, 2);
	avs_shadow_free(sh);
}

/* Generation g forks g+1 and exits, 50 times (KERNEL_MODEL 3.5): without
 * reuse the chain grows by one per generation (2.6.34-3.18); with it the
 * chain stays at 3 (3.19+). */
Test(rules, reforking_daemon_chain_length)
{
	static const struct { const char *model; unsigned long len; } want[] = {
		{ "linux-3.7", 51 }, { "linux-3.19", 3 }, { "linux-6.0", 3 },
		{ "linux-6.18", 3 },
	};
	size_t i;
	uint32_t g;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct avs_shadow *sh = shadow_with(want[i].model);
		const struct avs_proc *p;
		char ev[128], msg[256];

		avs_shadow_set_check_each_event(sh, true);
		feed(sh, "start 1\nmmap 1 0x10000000-0x10004000 rw-p anon\n"
			 "fault 1 0x10000000 w\n");
		for (g = 1; g <= 50; g++) {
			snprintf(ev, sizeof(ev), "fork %u %u\nfault %u 0x10001000 w\n"
				 "exit %u\n", g, g + 1, g + 1, g);
			feed(sh, ev);
		}
		p = avs_shadow_find_proc(sh, 51);
		cr_assert_not_null(p);
		cr_expect_eq(avs_chain_length(p->mm->vmas[0]), want[i].len,
			     "%s: chain length %lu", want[i].model,
			     avs_chain_length(p->mm->vmas[0]));
		cr_expect_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0, "%s", msg);
		avs_shadow_free(sh);
	}
}
