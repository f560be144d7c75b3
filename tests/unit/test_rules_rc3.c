/* SPDX-License-Identifier: MIT */
/*
 * The three other faults found while hunting the 2.6.34-rc3 oops (LWN,
 * 13 April 2010), each reproduced under linux-2.6.34-rc3 and gone under
 * linux-2.6.34, which has the rc4 fixes.
 */
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "reports/graph.h"
#include "shadow/event_text.h"

static int apply_quiet(const struct avs_event *ev, void *arg)
{
	avs_shadow_apply(arg, ev);
	return 0;
}

static struct avs_shadow *run(const char *model, const char *events)
{
	struct avs_shadow *sh = avs_shadow_new(avs_rules_find(model));
	char err[256];

	cr_assert_not_null(sh);
	cr_assert_eq(avs_text_foreach(events, apply_quiet, sh, err, sizeof(err)),
		     0, "%s", err);
	return sh;
}

static unsigned violations(struct avs_shadow *sh, char *msg, size_t len)
{
	return avs_shadow_check(sh, msg, len);
}

static size_t hazards(struct avs_shadow *sh, enum avs_hazard_kind kind,
		      uint32_t pid, uint64_t addr)
{
	const struct avs_hazard *h;
	size_t n, i, hits = 0;

	h = avs_shadow_hazards(sh, &n);
	for (i = 0; i < n; i++)
		hits += h[i].kind == kind && h[i].pid == pid && h[i].addr == addr;
	return hits;
}

/*
 * Excessive anon_vma reuse (fixed by d0e9fe1758f2): in the child, a fresh
 * VMA next to the inherited faulted one adopted its anon_vma although that
 * VMA's chain also holds the parent's anon_vma.  Two VMAs then shared an
 * anon_vma with different chains; when they merged, the survivor's short
 * chain covered pages still pointing to the parent's anon_vma.
 */
static const char reuse[] =
	"start 100\n"
	"mmap 100 0x10000000-0x10001000 ---p anon\n"
	"mmap 100 0x10001000-0x10003000 rwxp anon\n"
	"mmap 100 0x10003000-0x10005000 rw-p anon\n"
	"mmap 100 0x10005000-0x10006000 ---p anon\n"
	"fault 100 0x10003000 w\n"
	"fork 100 101\n"
	"fault 101 0x10001000 w\n";
static const char reuse_merge[] =
	"mprotect 101 0x10001000-0x10003000 rw-\n"
	"swapout 100 0x10003000-0x10004000\n";

Test(rc3, excessive_reuse_when_vmas_merge)
{
	struct avs_shadow *sh = run("linux-2.6.34-rc3", reuse);
	char msg[256], *g;

	cr_expect_gt(violations(sh, msg, sizeof(msg)), 0);
	cr_expect(strstr(msg, "I4") != NULL || strstr(msg, "I8") != NULL,
		  "the adopted anon_vma is chained without its parent: %s", msg);
	cr_assert_eq(avs_text_foreach(reuse_merge, apply_quiet, sh, NULL, 0), 0);
	g = avs_graph_text_string(sh);
	cr_expect(strstr(g, "pid 101 0x10001000-0x10005000 rw-p") != NULL,
		  "the child's two VMAs merged:\n%s", g);
	free(g);
	cr_expect_eq(hazards(sh, AVS_HAZ_UNREACHABLE, 101, 0x10003000), 1,
		     "reclaim cannot find the child's mapping of the shared page");
	avs_shadow_free(sh);

	sh = run("linux-2.6.34", reuse);
	cr_expect_eq(violations(sh, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(avs_text_foreach(reuse_merge, apply_quiet, sh, NULL, 0), 0);
	g = avs_graph_text_string(sh);
	cr_expect(strstr(g, "pid 101 0x10001000-0x10003000 rw-p") != NULL,
		  "different anon_vmas: no merge:\n%s", g);
	free(g);
	cr_expect_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0, "%s", msg);
	cr_expect_eq(hazards(sh, AVS_HAZ_UNREACHABLE, 101, 0x10003000), 0);
	avs_shadow_free(sh);
}

/*
 * The wrong anon_vma after mprotect moved a boundary (287d97ac0321):
 * vma_adjust() let the unfaulted VMA below import the first page of its
 * faulted neighbour, giving it the neighbour's anon_vma but cloning the
 * chain from itself: no chain, so rmap cannot reach the imported page.
 */
static const char boundary[] =
	"start 100\n"
	"mmap 100 0x10000000-0x10001000 ---p anon\n"
	"mmap 100 0x10001000-0x10003000 rw-p anon\n"
	"mmap 100 0x10003000-0x10005000 rwxp anon\n"
	"mmap 100 0x10005000-0x10006000 ---p anon\n"
	"fault 100 0x10003000 w\n"
	"mprotect 100 0x10003000-0x10004000 rw-\n";

Test(rc3, wrong_anon_vma_after_mprotect_moves_a_boundary)
{
	struct avs_shadow *sh = run("linux-2.6.34-rc3", boundary);
	char msg[256], *g;

	g = avs_graph_text_string(sh);
	cr_expect(strstr(g, "pid 100 0x10001000-0x10004000 rw-p pgoff=65537 av1 []\n")
		  != NULL, "an anon_vma and no chain:\n%s", g);
	free(g);
	cr_expect_gt(violations(sh, msg, sizeof(msg)), 0);
	cr_expect(strstr(msg, "I1") != NULL, "%s", msg);
	cr_assert_eq(avs_text_foreach("swapout 100 0x10003000-0x10004000\n",
				      apply_quiet, sh, NULL, 0), 0);
	cr_expect_eq(hazards(sh, AVS_HAZ_UNREACHABLE, 100, 0x10003000), 1);
	avs_shadow_free(sh);

	sh = run("linux-2.6.34", boundary);
	g = avs_graph_text_string(sh);
	cr_expect(strstr(g, "pid 100 0x10001000-0x10004000 rw-p pgoff=65537 av1 [av1]\n")
		  != NULL, "chain cloned from the exporter:\n%s", g);
	free(g);
	cr_expect_eq(violations(sh, msg, sizeof(msg)), 0, "%s", msg);
	avs_shadow_free(sh);
}

/*
 * Chains cloned in the wrong order ("anon_vma: clone the anon_vma chain
 * in the right order", rc4): the grandchild's chain came out reversed, so
 * its last entry was no longer the oldest anon_vma, which the 2.6.34 rule
 * for shared pages relies on.
 */
static const char grandchild[] =
	"start 100\n"
	"mmap 100 0x10000000-0x10002000 rw-p anon\n"
	"fault 100 0x10000000 w\n"
	"fork 100 101\n"
	"fork 101 102\n";

Test(rc3, chain_cloned_in_the_wrong_order)
{
	struct avs_shadow *sh = run("linux-2.6.34-rc3", grandchild);
	char msg[256], *g;

	g = avs_graph_text_string(sh);
	cr_expect(strstr(g, "pid 102 0x10000000-0x10002000 rw-p pgoff=65536 av3 [av3 av1 av2]\n")
		  != NULL, "reversed:\n%s", g);
	free(g);
	cr_expect_gt(violations(sh, msg, sizeof(msg)), 0);
	cr_expect(strstr(msg, "I8") != NULL || strstr(msg, "I2") != NULL, "%s", msg);
	avs_shadow_free(sh);

	sh = run("linux-2.6.34", grandchild);
	g = avs_graph_text_string(sh);
	cr_expect(strstr(g, "pid 102 0x10000000-0x10002000 rw-p pgoff=65536 av3 [av3 av2 av1]\n")
		  != NULL, "oldest last:\n%s", g);
	free(g);
	cr_expect_eq(violations(sh, msg, sizeof(msg)), 0, "%s", msg);
	avs_shadow_free(sh);
}
