/* SPDX-License-Identifier: MIT */
/*
 * Fork, fork-time reuse and teardown as observed on Linux 6.18.44
 * (KERNEL_MODEL sections 3, 4 and Appendix B).  The expected graphs are
 * derived from the kernel rules, not from the shadow's output.
 *
 * Layout: a PROT_NONE guard page below 0x1000000 and one at 0x1100000, the
 * test VMAs in between (page n of the region has pgoff 4096 + n).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"

#define SETUP(p)                                                        \
	"start " #p "\n"                                                \
	"mmap " #p " 0xfff000-0x1000000 ---p anon\n"                    \
	"mmap " #p " 0x1100000-0x1101000 ---p anon\n"
#define GLO(p) "pid " #p " 0xfff000-0x1000000 ---p pgoff=4095 - []\n"
#define GHI(p) "pid " #p " 0x1100000-0x1101000 ---p pgoff=4352 - []\n"

/* A growing text buffer for generated events and expected graphs. */
struct buf {
	char *s;
	size_t len;
	FILE *f;
};

static void b_open(struct buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->f = open_memstream(&b->s, &b->len);
	cr_assert_not_null(b->f);
}

static void b_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void b_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(b->f, fmt, ap);
	va_end(ap);
}

/* Closes the stream; the caller frees the returned text. */
static char *b_close(struct buf *b)
{
	fclose(b->f);
	return b->s;
}

static void guards(struct buf *b, unsigned pid, const char *middle)
{
	b_printf(b, "pid %u 0xfff000-0x1000000 ---p pgoff=4095 - []\n", pid);
	b_printf(b, "%s", middle);
	b_printf(b, "pid %u 0x1100000-0x1101000 ---p pgoff=4352 - []\n", pid);
}

static void expect_all_freed(const struct avs_shadow *sh)
{
	const struct avs_counts *c = avs_shadow_counts(sh);

	cr_expect_eq(c->procs, 0, "procs %llu", (unsigned long long)c->procs);
	cr_expect_eq(c->mms, 0, "mms %llu", (unsigned long long)c->mms);
	cr_expect_eq(c->vmas, 0, "vmas %llu", (unsigned long long)c->vmas);
	cr_expect_eq(c->anon_vmas, 0, "anon_vmas %llu",
		     (unsigned long long)c->anon_vmas);
	cr_expect_eq(c->avcs, 0, "avcs %llu", (unsigned long long)c->avcs);
	cr_expect_eq(c->folios, 0, "folios %llu",
		     (unsigned long long)c->folios);
	cr_expect_eq(c->pages, 0, "pages %llu", (unsigned long long)c->pages);
	t_expect_graph(sh, "");
}

/* KERNEL_MODEL O6 (3.3, 3.4, 4), observed on 6.18.44: fork, child COW,
 * child exit: root nc 1->2->1, ref 1->2->1; the child's anon_vma has
 * parent R, chain [X, R], nc=0 na=1 ref=1. */
Test(obs_fork, fork_cow_exit_counts)
{
	struct avs_shadow *sh = t_shadow();
	const struct avs_counts *c;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1001000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");

	t_apply(sh, "fork 100 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=2\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "fault 101 0x1000000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=2 avcs=2 folios=2\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=1\n");
	cr_expect_eq(t_walk(sh, 101, 0x1000000).anon_vma_id, 2);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).anon_vma_id, 1);

	t_apply(sh, "exit 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2\n");
	c = avs_shadow_counts(sh);
	cr_expect_eq(c->anon_vmas, 1);
	cr_expect_eq(c->avcs, 1);
	cr_expect_eq(c->folios, 2);

	t_apply(sh, "exit 100\n");
	expect_all_freed(sh);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O7 (3.1 steps 1 and 3), observed on 6.18.44: at fork a
 * MADV_DONTFORK VMA is absent in the child, a MADV_WIPEONFORK VMA and an
 * unfaulted VMA have no anon_vma; later child writes create independent
 * roots. */
Test(obs_fork, dontfork_wipeonfork_unfaulted)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"mmap 100 0x1010000-0x1014000 rw-p anon\n"
		"mmap 100 0x1020000-0x1024000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1010000 w\n"
		"madvise 100 0x1000000-0x1004000 dontfork\n"
		"madvise 100 0x1010000-0x1014000 wipeonfork\n"
		"fork 100 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1010000-0x1014000 rw-p pgoff=4112 av2 [av2]\n"
		"pid 100 0x1020000-0x1024000 rw-p pgoff=4128 - []\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1010000-0x1014000 rw-p pgoff=4112 - []\n"
		"pid 101 0x1020000-0x1024000 rw-p pgoff=4128 - []\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	/* WIPEONFORK: no pte copied, the child sees nothing there */
	{
		struct avs_walk w;

		cr_expect_eq(avs_rmap_walk(sh, 101, 0x1010000, &w), -1);
	}

	t_apply(sh, "fault 101 0x1010000 w\n"
		    "fault 101 0x1020000 w\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1010000-0x1014000 rw-p pgoff=4112 av2 [av2]\n"
		"pid 100 0x1020000-0x1024000 rw-p pgoff=4128 - []\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1010000-0x1014000 rw-p pgoff=4112 av3 [av3]\n"
		"pid 101 0x1020000-0x1024000 rw-p pgoff=4128 av4 [av4]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av2 root=av2 parent=av2 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av3 root=av3 parent=av3 nc=1 na=1 ref=1 avcs=1 folios=1\n"
		"av4 root=av4 parent=av4 nc=1 na=1 ref=1 avcs=1 folios=1\n");
	avs_shadow_free(sh);
}

/* The expected graph of the fork-and-exit chain at generation g (only pid
 * 100+g alive), KERNEL_MODEL 3.5. */
static char *chain_graph(unsigned g)
{
	struct buf b;
	char line[128];

	b_open(&b);
	if (g == 1) {
		guards(&b, 101, "pid 101 0x1000000-0x1004000 rw-p pgoff=4096 "
				"av2 [av2 av1]\n");
		b_printf(&b, "av1 root=av1 parent=av1 nc=2 na=0 ref=2 avcs=1 folios=1\n"
			     "av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
		return b_close(&b);
	}
	snprintf(line, sizeof(line), "pid %u 0x1000000-0x1004000 rw-p "
		 "pgoff=4096 av%u [av3 av2 av1]\n", 100 + g, g % 2 ? 2 : 3);
	guards(&b, 100 + g, line);
	b_printf(&b, "av1 root=av1 parent=av1 nc=2 na=0 ref=3 avcs=1 folios=1\n"
		     "av2 root=av1 parent=av1 nc=1 na=%u ref=1 avcs=1 folios=0\n"
		     "av3 root=av1 parent=av2 nc=0 na=%u ref=1 avcs=1 folios=0\n",
		 g % 2, 1 - g % 2);
	return b_close(&b);
}

/* KERNEL_MODEL O19 (3.2 reuse, 3.5 table), observed on 6.18.44: generation
 * g forks g+1 and exits, 10 generations: the chain stays [X2, X1, R], the
 * VMA's anon_vma alternates X1, X2 from generation 3 on, only 3 anon_vmas
 * are ever allocated. */
Test(obs_fork, fork_exit_generations_bounded_chain)
{
	struct avs_shadow *sh = t_shadow();
	const struct avs_counts *c = avs_shadow_counts(sh);
	unsigned g;

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n");
	for (g = 1; g <= 10; g++) {
		char ev[64], *want;

		snprintf(ev, sizeof(ev), "fork %u %u\nexit %u\n", 99 + g,
			 100 + g, 99 + g);
		t_apply(sh, ev);
		want = chain_graph(g);
		t_expect_graph(sh, want);
		free(want);
		cr_expect_eq(c->anon_vmas, g == 1 ? 2 : 3, "gen %u", g);
		cr_expect_eq(c->anon_vmas_allocated, g == 1 ? 2 : 3, "gen %u", g);
		cr_expect_eq(c->anon_vmas_reused, g <= 2 ? 0 : g - 2, "gen %u", g);
	}
	/* the page written by generation 0 is still found through the root */
	cr_expect_eq(t_walk(sh, 110, 0x1000000).anon_vma_id, 1);
	cr_expect_eq(t_walk(sh, 110, 0x1000000).visited, 1);
	t_apply(sh, "exit 110\n");
	expect_all_freed(sh);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O20 (3.5 sibling reuse), observed on 6.18.44: P->C1->G, C1
 * exits, G forks H: H reuses C1's anon_vma X1 (not its chain head),
 * chain(H) = [X_G, X1, R]; H forks J: J's new anon_vma has parent X1 and
 * chain(J) = [X_J, X_G, X1, R].  Then everything exits: all freed. */
Test(obs_fork, sibling_reuse)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n"
		"fork 101 102\n"
		"exit 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(102)
		"pid 102 0x1000000-0x1004000 rw-p pgoff=4096 av3 [av3 av2 av1]\n"
		GHI(102)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=3 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=1 na=0 ref=1 avcs=1 folios=0\n"
		"av3 root=av1 parent=av2 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "fork 102 103\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(102)
		"pid 102 0x1000000-0x1004000 rw-p pgoff=4096 av3 [av3 av2 av1]\n"
		GHI(102)
		GLO(103)
		"pid 103 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av3 av2 av1]\n"
		GHI(103)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=3 avcs=3 folios=1\n"
		"av2 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=2 folios=0\n"
		"av3 root=av1 parent=av2 nc=0 na=1 ref=1 avcs=2 folios=0\n");

	t_apply(sh, "fork 103 104\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1004000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(102)
		"pid 102 0x1000000-0x1004000 rw-p pgoff=4096 av3 [av3 av2 av1]\n"
		GHI(102)
		GLO(103)
		"pid 103 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av3 av2 av1]\n"
		GHI(103)
		GLO(104)
		"pid 104 0x1000000-0x1004000 rw-p pgoff=4096 av4 [av4 av3 av2 av1]\n"
		GHI(104)
		"av1 root=av1 parent=av1 nc=2 na=1 ref=4 avcs=4 folios=1\n"
		"av2 root=av1 parent=av1 nc=2 na=1 ref=1 avcs=3 folios=0\n"
		"av3 root=av1 parent=av2 nc=0 na=1 ref=1 avcs=3 folios=0\n"
		"av4 root=av1 parent=av2 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	/* a COW in J goes to J's own anon_vma; the walk of the shared page
	 * (mapping R) visits all four VMAs */
	t_apply(sh, "fault 104 0x1000000 w\n");
	cr_expect_eq(t_walk(sh, 104, 0x1000000).anon_vma_id, 4);
	cr_expect_eq(t_walk(sh, 104, 0x1000000).visited, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).anon_vma_id, 1);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).visited, 4);
	cr_expect_eq(t_walk(sh, 100, 0x1000000).useful, 3);

	/* exit of everything, in a mixed order, frees every anon_vma */
	t_apply(sh, "exit 100\nexit 103\nexit 102\nexit 104\n");
	expect_all_freed(sh);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O21 (3.4 identities, 8, 12), observed on 6.18.44: 20
 * children each COW 16 pages: root nc=21 ref=21 with 21 AVCs in its tree,
 * each child anon_vma nc=0 na=1 ref=1 with 1 AVC; a parent page's walk
 * visits 21 VMAs, 1 useful; a child's page visits 1. */
Test(obs_fork, twenty_children_cow)
{
	struct avs_shadow *sh = t_shadow();
	struct buf ev, want;
	char *evs, *exp;
	struct avs_walk w;
	unsigned i, p;

	b_open(&ev);
	b_printf(&ev, SETUP(100) "mmap 100 0x1000000-0x1010000 rw-p anon\n");
	for (p = 0; p < 16; p++)
		b_printf(&ev, "fault 100 0x%x w\n", 0x1000000 + p * 0x1000);
	for (i = 1; i <= 20; i++)
		b_printf(&ev, "fork 100 %u\n", 100 + i);
	for (i = 1; i <= 20; i++)
		for (p = 0; p < 16; p++)
			b_printf(&ev, "fault %u 0x%x w\n", 100 + i,
				 0x1000000 + p * 0x1000);
	evs = b_close(&ev);
	t_apply(sh, evs);
	free(evs);

	b_open(&want);
	guards(&want, 100, "pid 100 0x1000000-0x1010000 rw-p pgoff=4096 av1 [av1]\n");
	for (i = 1; i <= 20; i++) {
		char line[128];

		snprintf(line, sizeof(line), "pid %u 0x1000000-0x1010000 rw-p "
			 "pgoff=4096 av%u [av%u av1]\n", 100 + i, i + 1, i + 1);
		guards(&want, 100 + i, line);
	}
	b_printf(&want, "av1 root=av1 parent=av1 nc=21 na=1 ref=21 avcs=21 folios=16\n");
	for (i = 1; i <= 20; i++)
		b_printf(&want, "av%u root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 "
			 "folios=16\n", i + 1);
	exp = b_close(&want);
	t_expect_graph(sh, exp);
	free(exp);

	w = t_walk(sh, 100, 0x1005000);
	cr_expect_eq(w.anon_vma_id, 1);
	cr_expect_eq(w.index, 4101);
	cr_expect_eq(w.visited, 21);
	cr_expect_eq(w.useful, 1);
	w = t_walk(sh, 113, 0x1005000);
	cr_expect_eq(w.anon_vma_id, 14);
	cr_expect_eq(w.index, 4101);
	cr_expect_eq(w.visited, 1);
	cr_expect_eq(w.useful, 1);

	for (i = 0; i <= 20; i++) {
		char e[32];

		snprintf(e, sizeof(e), "exit %u\n", 100 + i);
		t_apply(sh, e);
	}
	expect_all_freed(sh);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O22 (3.4, 13 item 6), observed on 6.18.44: a parent VMA
 * split in 3 by mprotect, then fork: the child gets 3 distinct anon_vmas
 * (the root has na=3, never reusable), root nc=4 ref=4; restoring the
 * flags in the child does not merge them (different anon_vmas), while the
 * parent's pieces do merge. */
Test(obs_fork, split_parent_fork_three_anon_vmas)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1006000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1002000 w\n"
		"fault 100 0x1004000 w\n"
		"mprotect 100 0x1002000-0x1004000 r--\n"
		"fork 100 101\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1002000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1002000-0x1004000 r--p pgoff=4098 av1 [av1]\n"
		"pid 100 0x1004000-0x1006000 rw-p pgoff=4100 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1002000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1002000-0x1004000 r--p pgoff=4098 av3 [av3 av1]\n"
		"pid 101 0x1004000-0x1006000 rw-p pgoff=4100 av4 [av4 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=4 na=3 ref=4 avcs=6 folios=3\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av4 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "mprotect 101 0x1002000-0x1004000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1002000 rw-p pgoff=4096 av1 [av1]\n"
		"pid 100 0x1002000-0x1004000 r--p pgoff=4098 av1 [av1]\n"
		"pid 100 0x1004000-0x1006000 rw-p pgoff=4100 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1002000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1002000-0x1004000 rw-p pgoff=4098 av3 [av3 av1]\n"
		"pid 101 0x1004000-0x1006000 rw-p pgoff=4100 av4 [av4 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=4 na=3 ref=4 avcs=6 folios=3\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av4 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "mprotect 100 0x1002000-0x1004000 rw-\n");
	t_expect_graph(sh,
		GLO(100)
		"pid 100 0x1000000-0x1006000 rw-p pgoff=4096 av1 [av1]\n"
		GHI(100)
		GLO(101)
		"pid 101 0x1000000-0x1002000 rw-p pgoff=4096 av2 [av2 av1]\n"
		"pid 101 0x1002000-0x1004000 rw-p pgoff=4098 av3 [av3 av1]\n"
		"pid 101 0x1004000-0x1006000 rw-p pgoff=4100 av4 [av4 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=4 na=1 ref=4 avcs=4 folios=3\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av3 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n"
		"av4 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");
	avs_shadow_free(sh);
}

/* KERNEL_MODEL O23 (3.4, 4), observed on 6.18.44: the parent exits before
 * the child: root na=0 nc=2 ref=2 and stays; the child forks D: D gets a
 * new anon_vma (parent X_C), root ref=3.  Exit of everything frees every
 * anon_vma, the root last. */
Test(obs_fork, parent_exits_first_child_forks)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1004000 rw-p anon\n"
		"fault 100 0x1000000 w\n"
		"fork 100 101\n"
		"exit 100\n");
	t_expect_graph(sh,
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		"av1 root=av1 parent=av1 nc=2 na=0 ref=2 avcs=1 folios=1\n"
		"av2 root=av1 parent=av1 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "fork 101 102\n");
	t_expect_graph(sh,
		GLO(101)
		"pid 101 0x1000000-0x1004000 rw-p pgoff=4096 av2 [av2 av1]\n"
		GHI(101)
		GLO(102)
		"pid 102 0x1000000-0x1004000 rw-p pgoff=4096 av3 [av3 av2 av1]\n"
		GHI(102)
		"av1 root=av1 parent=av1 nc=2 na=0 ref=3 avcs=2 folios=1\n"
		"av2 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=2 folios=0\n"
		"av3 root=av1 parent=av2 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "exit 101\n");
	t_expect_graph(sh,
		GLO(102)
		"pid 102 0x1000000-0x1004000 rw-p pgoff=4096 av3 [av3 av2 av1]\n"
		GHI(102)
		"av1 root=av1 parent=av1 nc=2 na=0 ref=3 avcs=1 folios=1\n"
		"av2 root=av1 parent=av1 nc=1 na=0 ref=1 avcs=1 folios=0\n"
		"av3 root=av1 parent=av2 nc=0 na=1 ref=1 avcs=1 folios=0\n");

	t_apply(sh, "exit 102\n");
	expect_all_freed(sh);
	avs_shadow_free(sh);
}

/* KERNEL_MODEL 4 (unlink_anon_vmas is the only place anon_vmas die, every
 * one dies once its tree is empty and its references are gone): a family
 * with splits, a move, COWs, a reused anon_vma and an adopted one; every
 * process exits, in an order where parents go before children: nothing is
 * left. */
Test(obs_fork, exit_everything_frees_everything)
{
	struct avs_shadow *sh = t_shadow();

	t_apply(sh, SETUP(100)
		"mmap 100 0x1000000-0x1008000 rw-p anon\n"
		"mmap 100 0x1008000-0x100c000 rwxp anon\n"
		"fault 100 0x1000000 w\n"
		"fault 100 0x1003000 w\n"
		"fault 100 0x1008000 w\n"
		"mprotect 100 0x1002000-0x1004000 r--\n"
		"fork 100 101\n"
		"fault 101 0x1000000 w\n"
		"fork 101 102\n"
		"exit 101\n"
		"fork 102 103\n"
		"mremap 103 0x1004000-0x1008000 0x1080000-0x1084000 flags=maymove,fixed\n"
		"fault 103 0x1080000 w\n"
		"swapout 100 0x1000000-0x1010000\n"
		"swapin 103 0x1000000-0x1010000\n"
		"exit 100\n");
	cr_expect_gt(avs_shadow_counts(sh)->anon_vmas, 0);
	t_apply(sh, "exit 102\nexit 103\n");
	expect_all_freed(sh);
	avs_shadow_free(sh);
}
