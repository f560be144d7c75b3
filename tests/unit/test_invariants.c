/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker must catch a broken graph: each test breaks one
 * thing by hand (as a wrong rule would) and expects the violation named.
 */
#include <string.h>
#include "helpers.h"
#include "shadow/internal.h"

static const char forked[] =
	"start 100\n"
	"mmap 100 0x10000000-0x10004000 rw-p anon\n"
	"fault 100 0x10000000 w\n"
	"fault 100 0x10001000 w\n"
	"fork 100 101\n";

static struct avs_vma *vma_of(struct avs_shadow *sh, uint32_t pid)
{
	return ((struct avs_proc *)avs_shadow_find_proc(sh, pid))->mm->vmas[0];
}

static void expect_violation(struct avs_shadow *sh, const char *what)
{
	char msg[256];

	cr_expect_gt(avs_shadow_check(sh, msg, sizeof(msg)), 0,
		     "no violation found");
	cr_expect(strstr(msg, what) != NULL, "expected %s, got: %s", what, msg);
}

Test(invariants, hold_on_a_correct_graph)
{
	struct avs_shadow *sh = t_shadow();
	char msg[256];

	t_apply(sh, forked);
	cr_expect_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0, "%s", msg);
	avs_shadow_free(sh);
}

Test(invariants, wrong_num_active_vmas)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, forked);
	vma_of(sh, 100)->anon_vma->num_active_vmas++;
	expect_violation(sh, "I6: av1 num_active_vmas");
	vma_of(sh, 100)->anon_vma->num_active_vmas--;
	avs_shadow_free(sh);
}

Test(invariants, wrong_num_children)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, forked);
	vma_of(sh, 100)->anon_vma->num_children--;
	expect_violation(sh, "I6: av1 num_children 1, expected 2");
	vma_of(sh, 100)->anon_vma->num_children++;
	avs_shadow_free(sh);
}

/* A child chain that lost the root: the shared pages are unreachable from
 * the child (I9) and the child's anon_vma is chained without its parent
 * (I8): what a wrong clone rule would produce. */
Test(invariants, chain_missing_the_root)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_vma *child;
	struct avs_avc *tail;
	char msg[256];

	t_apply(sh, forked);
	child = vma_of(sh, 101);
	tail = list_last_entry(&child->anon_vma_chain, struct avs_avc, same_vma);
	list_del(&tail->same_vma);	/* out of chain(child) only */
	cr_expect_gt(avs_shadow_check(sh, msg, sizeof(msg)), 0);
	expect_violation(sh, "I8");
	list_add_tail(&tail->same_vma, &child->anon_vma_chain);
	cr_expect_eq(avs_shadow_check(sh, msg, sizeof(msg)), 0, "%s", msg);
	avs_shadow_free(sh);
}

Test(invariants, mapcount_mismatch)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_folio *f;

	t_apply(sh, forked);
	f = avs_pte_folio(avs_pte_get(vma_of(sh, 100)->vm_mm, 0x10000000));
	f->mapcount++;
	expect_violation(sh, "mapcount 3 swapcount 0, ptes 2/0");
	f->mapcount--;
	avs_shadow_free(sh);
}

/*
 * The 2.6.34-rc3 rule by hand: the shared page swapped in by the child
 * is given the child's anon_vma instead of the root.  The parent's pte is
 * then unreachable (I9), and when the child exits its anon_vma is freed
 * under the mapped page: a stranded-page hazard is recorded.
 */
Test(invariants, rc3_rule_strands_the_page)
{
	struct avs_shadow *sh = avs_shadow_new(NULL);
	const struct avs_hazard *hz;
	struct avs_folio *f;
	size_t n;

	t_apply(sh, forked);
	t_apply(sh, "swapout 100 0x10001000-0x10002000\n"
		    "swapin 101 0x10001000-0x10002000\n"
		    "swapin 100 0x10001000-0x10002000\n");
	f = avs_pte_folio(avs_pte_get(vma_of(sh, 100)->vm_mm, 0x10001000));
	cr_assert_not_null(f);
	avs_folio_set_mapping(sh, f, vma_of(sh, 101)->anon_vma);
	expect_violation(sh, "I9: pte 0x10001000 maps folio");
	cr_expect_eq(avs_shadow_apply(sh, &(struct avs_event){
		.type = AVS_EV_EXIT, .pid = 101 }), 0);
	hz = avs_shadow_hazards(sh, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(hz[0].kind, AVS_HAZ_STRANDED);
	cr_expect_eq(hz[0].anon_vma_id, 2);
	expect_violation(sh, "whose anon_vma is gone");
	avs_shadow_free(sh);
}
