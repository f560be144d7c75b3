/* SPDX-License-Identifier: MIT */
/*
 * Rik van Riel's case for anon_vma_chain (5beb49305251): a parent with one
 * 1000-page anonymous VMA forks 1000 children, each of which writes
 * (COWs) every page.  KERNEL_MODEL section 12.
 */
#include <string.h>
#include "helpers.h"

#define BASE	0x40000000ULL
#define PAGES	1000
#define CHILDREN 1000

static void ev_apply(struct avs_shadow *sh, const struct avs_event *ev)
{
	cr_assert_eq(avs_shadow_apply(sh, ev), 0, "%s",
		     avs_shadow_last_warning(sh));
}

static void fault(struct avs_shadow *sh, uint32_t pid, uint64_t addr)
{
	struct avs_event ev = { .type = AVS_EV_FAULT, .pid = pid };

	ev.u.fault.addr = addr;
	ev.u.fault.access = AVS_FAULT_WRITE;
	ev_apply(sh, &ev);
}

static struct avs_shadow *build(bool children_cow)
{
	struct avs_shadow *sh = avs_shadow_new(NULL);
	struct avs_event ev = { .type = AVS_EV_START, .pid = 1 };
	uint32_t c, i;

	ev_apply(sh, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.type = AVS_EV_MMAP;
	ev.pid = 1;
	ev.u.mmap.start = BASE;
	ev.u.mmap.end = BASE + PAGES * 4096ULL;
	ev.u.mmap.prot = AVS_PROT_READ | AVS_PROT_WRITE;
	ev.u.mmap.flags = AVS_MAP_PRIVATE | AVS_MAP_ANONYMOUS;
	ev_apply(sh, &ev);
	for (i = 0; i < PAGES; i++)
		fault(sh, 1, BASE + i * 4096ULL);
	for (c = 0; c < CHILDREN; c++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = AVS_EV_FORK;
		ev.pid = 1;
		ev.u.fork.child = 2 + c;
		ev_apply(sh, &ev);
		if (children_cow)
			for (i = 0; i < PAGES; i++)
				fault(sh, 2 + c, BASE + i * 4096ULL);
	}
	return sh;
}

Test(rik, thousand_children_cow_every_page, .timeout = 120)
{
	struct avs_shadow *sh = build(true);
	const struct avs_counts *n = avs_shadow_counts(sh);
	struct avs_cost cost;
	struct avs_walk w;
	char msg[256];

	cr_assert_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0, "%s", msg);
	/* a child's page: only the child's own anon_vma, one VMA */
	w = t_walk(sh, 500, BASE + 123 * 4096ULL);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	/* a parent's page: the root's tree holds the parent and every child */
	w = t_walk(sh, 1, BASE + 123 * 4096ULL);
	cr_expect_eq(w.visited, CHILDREN + 1);
	cr_expect_eq(w.useful, 1);

	cr_expect_eq(n->anon_vmas, CHILDREN + 1);
	cr_expect_eq(n->avcs, 1 + 2 * CHILDREN);
	cr_expect_eq(n->pages, PAGES + CHILDREN * PAGES);
	avs_rmap_cost(sh, &cost, NULL, NULL);
	cr_expect_eq(cost.folios, PAGES + CHILDREN * PAGES);
	cr_expect_eq(cost.visits, CHILDREN * PAGES + PAGES * (CHILDREN + 1),
		     "2,001,000 visits in all");
	cr_expect_eq(cost.useful, cost.folios);
	cr_expect_eq(cost.max_visits, CHILDREN + 1);
	cr_expect_eq(cost.meta_bytes, 96096 + 128064);
	cr_expect_eq(cost.families, 1);
	cr_expect_eq(cost.family[0].vmas, CHILDREN + 1);
	avs_cost_release(&cost);
	avs_shadow_free(sh);
}

/* Without COW every page is shared by all 1001 processes: each walk visits
 * 1001 VMAs and every visit is useful. */
Test(rik, thousand_children_no_cow, .timeout = 120)
{
	struct avs_shadow *sh = build(false);
	struct avs_walk w = t_walk(sh, 777, BASE);

	cr_expect_eq(w.visited, CHILDREN + 1);
	cr_expect_eq(w.useful, CHILDREN + 1);
	cr_expect_eq(w.anon_vma_id, 1);
	avs_shadow_free(sh);
}
