/* SPDX-License-Identifier: MIT */
/*
 * The diagrams of LWN's "The case of the overly anonymous anon_vma"
 * (13 April 2010), step by step, with the whole graph asserted at each.
 */
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"
#include "shadow/internal.h"

#define REGION "0x10000000-0x10004000"

static const char setup[] =
	"start 100\n"
	"mmap 100 " REGION " rw-p anon\n";

/* Diagram 1: one process, one anonymous VMA; its first write fault gives
 * it an anon_vma (a root) and one AVC. */
Test(lwn, one_process_one_vma)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, setup);
	t_expect_graph(sh, "pid 100 0x10000000-0x10004000 rw-p pgoff=65536 - []\n");
	t_apply(sh, "fault 100 0x10000000 w\n");
	t_expect_graph(sh,
		"pid 100 0x10000000-0x10004000 rw-p pgoff=65536 av1 [av1]\n"
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/*
 * Diagrams 2 and 3, the inside of anon_vma_fork(): the child's VMA starts
 * alone (vm_area_dup, anon_vma dropped), then anon_vma_clone() links it to
 * the parent's anon_vma with a new AVC in that anon_vma's tree.
 */
Test(lwn, fork_links_child_vma_to_parent_anon_vma)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_vma *pvma, *tmp;
	struct avs_mm *cmm;

	t_apply(sh, setup);
	t_apply(sh, "fault 100 0x10000000 w\n");
	pvma = ((struct avs_proc *)avs_shadow_find_proc(sh, 100))->mm->vmas[0];

	cmm = avs_mm_alloc(sh);
	tmp = vm_area_dup(sh, pvma);
	tmp->vm_mm = cmm;
	tmp->anon_vma = NULL;		/* diagram 2: a lonely new VMA */
	cr_expect(list_empty(&tmp->anon_vma_chain));
	cr_expect_eq(pvma->anon_vma->nr_avcs, 1);

	anon_vma_clone(sh, tmp, pvma);	/* diagram 3: the new AVC */
	cr_expect_eq(avs_chain_length(tmp), 1);
	cr_expect_eq(list_first_entry(&tmp->anon_vma_chain, struct avs_avc,
				      same_vma)->anon_vma, pvma->anon_vma);
	cr_expect_eq(pvma->anon_vma->nr_avcs, 2, "the parent's tree holds "
		     "both VMAs (the blue same_anon_vma list)");
	cr_expect_null(tmp->anon_vma, "no reuse: the parent's anon_vma "
		       "still has an active VMA");

	unlink_anon_vmas(sh, tmp);
	vm_area_free(sh, tmp);
	avs_mmput(sh, cmm);
	cr_expect_eq(pvma->anon_vma->nr_avcs, 1);
	avs_shadow_free(sh);
}

/* Diagram 4: after fork the child VMA has its own anon_vma too, at the
 * head of its chain; the parent's anon_vma counts it as a child and is
 * pinned by it.  The shared page still points to the parent's. */
Test(lwn, fork_gives_child_its_own_anon_vma)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, setup);
	t_apply(sh, "fault 100 0x10000000 w\nfork 100 101\n");
	t_expect_graph(sh,
		"pid 100 0x10000000-0x10004000 rw-p pgoff=65536 av1 [av1]\n"
		"pid 101 0x10000000-0x10004000 rw-p pgoff=65536 av2 [av2 av1]\n"
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
	/* diagram 5: the shared page maps back to the parent's anon_vma */
	w = t_walk(sh, 101, 0x10000000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 2);
	cr_expect_eq(w.useful, 2);
	avs_shadow_free(sh);
}

/* A write in the child copies the page; the copy maps back to the child's
 * own anon_vma, so reverse-mapping it visits only the child's VMA. */
Test(lwn, child_cow_page_goes_to_child_anon_vma)
{
	struct avs_shadow *sh = t_shadow();
	struct avs_walk w;

	t_apply(sh, setup);
	t_apply(sh, "fault 100 0x10000000 w\nfork 100 101\n"
		    "fault 101 0x10000000 w\n");
	t_expect_graph(sh,
		"pid 100 0x10000000-0x10004000 rw-p pgoff=65536 av1 [av1]\n"
		"pid 101 0x10000000-0x10004000 rw-p pgoff=65536 av2 [av2 av1]\n"
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=1\n");
	w = t_walk(sh, 101, 0x10000000);
	cr_expect_eq(w.anon_vma_id, 2);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	w = t_walk(sh, 100, 0x10000000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 2, "the parent's page: both VMAs are in av1");
	cr_expect_eq(w.useful, 1, "the child has its own copy now");
	avs_shadow_free(sh);
}

/*
 * Diagrams 5-7, the ordering behind the 2.6.34-rc3 oops, under the 6.18
 * rule: the shared page is swapped out of both, the child faults it in
 * first.  It is not exclusive, so __folio_set_anon() gives it the root
 * (the parent's anon_vma), not the child's; the child's exit then frees
 * the child's anon_vma and nothing is stranded.
 */
Test(lwn, shared_swapin_goes_to_root_and_survives_child_exit)
{
	struct avs_shadow *sh = t_shadow();
	const struct avs_hazard *hz;
	struct avs_walk w;
	size_t nhz;

	t_apply(sh, setup);
	t_apply(sh, "fault 100 0x10000000 w\n"
		    "fault 100 0x10001000 w\n"
		    "fork 100 101\n"
		    "fault 101 0x10000000 w\n"
		    "swapout 100 0x10001000-0x10002000\n");
	cr_expect_eq(avs_rmap_walk(sh, 100, 0x10001000, &w), -1,
		     "swapped out of the parent");
	cr_expect_eq(avs_rmap_walk(sh, 101, 0x10001000, &w), -1,
		     "swapped out of the child too: rmap found both");
	t_apply(sh, "swapin 101 0x10001000-0x10002000\n");
	w = t_walk(sh, 101, 0x10001000);
	cr_expect_eq(w.anon_vma_id, 1, "non-exclusive swap-in: the root");
	t_apply(sh, "swapin 100 0x10001000-0x10002000\n");
	w = t_walk(sh, 100, 0x10001000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 2);
	cr_expect_eq(w.useful, 2);

	t_apply(sh, "exit 101\n");
	t_expect_graph(sh,
		"pid 100 0x10000000-0x10004000 rw-p pgoff=65536 av1 [av1]\n"
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");
	w = t_walk(sh, 100, 0x10001000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);
	hz = avs_shadow_hazards(sh, &nhz);
	(void)hz;
	cr_expect_eq(nhz, 0, "no page stranded under linux-6.18");
	avs_shadow_free(sh);
}

/* The bundled example replays cleanly and ends like the last diagram. */
Test(lwn, bundled_example_file)
{
	struct avs_shadow *sh = t_shadow();
	char path[512], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/examples/lwn-2010.events",
		 AVS_SOURCE_DIR);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	t_apply(sh, text);
	free(text);
	t_expect_graph(sh,
		"pid 100 0x7f0000000000-0x7f0000004000 rw-p pgoff=34091302912 av1 [av1]\n"
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");
	avs_shadow_free(sh);
}
