/* SPDX-License-Identifier: MIT */
/*
 * The invariants the kernel keeps for the anon rmap graph, checked on the
 * whole shadow: chain/tree consistency, counters, roots and parents, and
 * rmap completeness (every pte of an anon folio reachable from
 * folio->mapping).  Names follow KERNEL_MODEL.md section 10.1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

struct av_tally {
	const struct avs_anon_vma *av;
	long active_vmas;		/* VMAs with vma->anon_vma == av */
	long live_children;		/* others whose parent is av, tree != 0 */
	long nonroot_members;		/* root only: live non-root members */
	const struct avs_vma *rep;	/* a VMA using av, for I4 */
	UT_hash_handle hh;
};

struct folio_tally {
	const struct avs_folio *f;
	uint32_t mapped, swapped;
	UT_hash_handle hh;
};

struct checker {
	unsigned violations;
	char *msg;
	size_t len;
	struct av_tally *avs;
	struct folio_tally *folios;
};

static void fail(struct checker *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	if (c->violations++ == 0 && c->msg && c->len) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->len, fmt, ap);
		va_end(ap);
	}
}

static struct av_tally *tally(struct checker *c, const struct avs_anon_vma *av)
{
	struct av_tally *t;

	HASH_FIND_PTR(c->avs, &av, t);
	return t;
}

static bool in_chain(const struct avs_vma *vma, const struct avs_anon_vma *av)
{
	const struct avs_avc *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == av)
			return true;
	return false;
}

static bool same_chain(const struct avs_vma *a, const struct avs_vma *b)
{
	const struct list_head *x = a->anon_vma_chain.next;
	const struct list_head *y = b->anon_vma_chain.next;

	for (; x != &a->anon_vma_chain && y != &b->anon_vma_chain;
	     x = x->next, y = y->next)
		if (list_entry(x, struct avs_avc, same_vma)->anon_vma !=
		    list_entry(y, struct avs_avc, same_vma)->anon_vma)
			return false;
	return x == &a->anon_vma_chain && y == &b->anon_vma_chain;
}

/* I1-I5, I8 for one VMA; tallies active VMAs per anon_vma. */
static void check_vma(struct checker *c, const struct avs_vma *v)
{
	const struct avs_avc *avc, *other;
	const struct avs_anon_vma *root = NULL;
	struct av_tally *t;

	if (!v->anon_vma != list_empty(&v->anon_vma_chain))
		fail(c, "I1: VMA 0x%llx: anon_vma %s but chain %s",
		     (unsigned long long)v->vm_start,
		     v->anon_vma ? "set" : "NULL",
		     list_empty(&v->anon_vma_chain) ? "empty" : "not empty");
	if (!v->anon_vma)
		return;
	t = tally(c, v->anon_vma);
	if (!t) {
		fail(c, "I7: VMA 0x%llx uses a freed anon_vma",
		     (unsigned long long)v->vm_start);
		return;
	}
	t->active_vmas++;
	if (!in_chain(v, v->anon_vma))
		fail(c, "I2: VMA 0x%llx: own anon_vma av%llu not in chain",
		     (unsigned long long)v->vm_start,
		     (unsigned long long)v->anon_vma->id);
	list_for_each_entry(avc, &v->anon_vma_chain, same_vma) {
		const struct avs_anon_vma *b = avc->anon_vma;

		if (avc->vma != v || !tally(c, b)) {
			fail(c, "I3: VMA 0x%llx: bad AVC", (unsigned long long)v->vm_start);
			return;
		}
		if (root && b->root != root)
			fail(c, "I2: VMA 0x%llx: chain mixes families",
			     (unsigned long long)v->vm_start);
		root = b->root;
		for (other = list_entry(avc->same_vma.next, struct avs_avc, same_vma);
		     &other->same_vma != &v->anon_vma_chain;
		     other = list_entry(other->same_vma.next, struct avs_avc, same_vma))
			if (other->anon_vma == b)
				fail(c, "I3: VMA 0x%llx: av%llu chained twice",
				     (unsigned long long)v->vm_start,
				     (unsigned long long)b->id);
		/* I8: parent and root come later in the chain */
		if (b->root != b) {
			bool seen_parent = false, seen_root = false;

			for (other = list_entry(avc->same_vma.next, struct avs_avc, same_vma);
			     &other->same_vma != &v->anon_vma_chain;
			     other = list_entry(other->same_vma.next, struct avs_avc, same_vma)) {
				seen_parent |= other->anon_vma == b->parent;
				seen_root |= other->anon_vma == b->root;
			}
			if (!seen_parent || !seen_root)
				fail(c, "I8: VMA 0x%llx: av%llu chained without its %s after it",
				     (unsigned long long)v->vm_start,
				     (unsigned long long)b->id,
				     seen_parent ? "root" : "parent");
		}
	}
	if (list_last_entry(&v->anon_vma_chain, struct avs_avc, same_vma)->anon_vma != root)
		fail(c, "I2: VMA 0x%llx: chain tail is not the root",
		     (unsigned long long)v->vm_start);
	if (avs_chain_length(v) == 1 && v->anon_vma->root != v->anon_vma)
		fail(c, "I5: VMA 0x%llx: single-entry chain on a non-root",
		     (unsigned long long)v->vm_start);
	if (!t->rep)
		t->rep = v;
	else if (!same_chain(t->rep, v))
		fail(c, "I4: VMAs 0x%llx and 0x%llx share av%llu with different chains",
		     (unsigned long long)t->rep->vm_start,
		     (unsigned long long)v->vm_start,
		     (unsigned long long)v->anon_vma->id);
}

static struct folio_tally *folio_tally(struct checker *c,
				       const struct avs_folio *f)
{
	struct folio_tally *t;

	HASH_FIND_PTR(c->folios, &f, t);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			abort();
		t->f = f;
		HASH_ADD_PTR(c->folios, f, t);
	}
	return t;
}

/* I9 for every pte of one VMA. */
static void check_ptes(struct checker *c, const struct avs_vma *v)
{
	uint64_t a = v->vm_start;

	while (avs_pte_next(v->vm_mm, &a, v->vm_end)) {
		avs_pte_t pte = avs_pte_get(v->vm_mm, a);
		const struct avs_folio *f = avs_pte_folio(pte);
		uint64_t idx = linear_page_index(v, a);

		a += AVS_PAGE_SIZE;
		if (!f)
			continue;
		if (avs_pte_is_swap(pte)) {
			folio_tally(c, f)->swapped++;
			continue;
		}
		folio_tally(c, f)->mapped++;
		if (!f->anon_vma || (f->flags & AVS_FOLIO_STRANDED))
			fail(c, "I9: pte 0x%llx maps folio %llu whose anon_vma is gone",
			     (unsigned long long)(a - AVS_PAGE_SIZE),
			     (unsigned long long)f->id);
		else if (!in_chain(v, f->anon_vma))
			fail(c, "I9: pte 0x%llx maps folio %llu of av%llu, not in the VMA's chain",
			     (unsigned long long)(a - AVS_PAGE_SIZE),
			     (unsigned long long)f->id,
			     (unsigned long long)f->anon_vma->id);
		else if (idx < f->index || idx >= f->index + folio_nr_pages(f))
			fail(c, "I9: pte 0x%llx: folio index %llu does not cover page index %llu",
			     (unsigned long long)(a - AVS_PAGE_SIZE),
			     (unsigned long long)f->index,
			     (unsigned long long)idx);
	}
}

static void check_mm(struct checker *c, const struct avs_mm *mm)
{
	size_t i;

	for (i = 0; i < mm->nr_vmas; i++) {
		const struct avs_vma *v = mm->vmas[i];

		if (v->vm_start >= v->vm_end ||
		    ((v->vm_start | v->vm_end) & ~AVS_PAGE_MASK) ||
		    (i && mm->vmas[i - 1]->vm_end > v->vm_start))
			fail(c, "VMA set: bad or overlapping VMA 0x%llx-0x%llx",
			     (unsigned long long)v->vm_start,
			     (unsigned long long)v->vm_end);
		if (v->vm_mm != mm)
			fail(c, "VMA 0x%llx: wrong mm", (unsigned long long)v->vm_start);
		check_vma(c, v);
		check_ptes(c, v);
	}
}

/* I6, I7 for every anon_vma, with the tallies of the VMA pass. */
static void check_counters(struct checker *c, const struct avs_shadow *sh)
{
	const struct avs_anon_vma *av;
	struct av_tally *t;

	list_for_each_entry(av, &sh->anon_vmas, node) {
		if (list_empty(&av->rb_root))
			continue;
		if (av->parent != av && (t = tally(c, av->parent)))
			t->live_children++;
		if (av->root != av && (t = tally(c, av->root)))
			t->nonroot_members++;
	}
	list_for_each_entry(av, &sh->anon_vmas, node) {
		long tree = !list_empty(&av->rb_root);
		long nc, ref;

		t = tally(c, av);
		nc = t->live_children + (av->root == av ? tree : 0);
		ref = tree + (av->root == av ? t->nonroot_members : 0);
		if (!tally(c, av->root))
			fail(c, "I7: av%llu outlives its root",
			     (unsigned long long)av->id);
		if (tree && !tally(c, av->parent))
			fail(c, "I7: av%llu outlives its parent",
			     (unsigned long long)av->id);
		if (av->num_active_vmas != t->active_vmas)
			fail(c, "I6: av%llu num_active_vmas %ld, VMAs using it %ld",
			     (unsigned long long)av->id, av->num_active_vmas,
			     t->active_vmas);
		if (av->num_children != nc)
			fail(c, "I6: av%llu num_children %ld, expected %ld",
			     (unsigned long long)av->id, av->num_children, nc);
		if (av->refcount != ref)
			fail(c, "I6: av%llu refcount %ld, expected %ld",
			     (unsigned long long)av->id, av->refcount, ref);
		if (!tree && !av->refcount)
			fail(c, "I7: av%llu is unused but not freed",
			     (unsigned long long)av->id);
	}
}

/* mapcount and swapcount match the ptes; folios hang on their anon_vma. */
static void check_folios(struct checker *c, const struct avs_shadow *sh)
{
	struct folio_tally *t, *tmp;
	const struct avs_anon_vma *av;
	const struct avs_folio *f;
	uint64_t pages = 0;

	HASH_ITER(hh, c->folios, t, tmp) {
		pages += folio_nr_pages(t->f);
		if (t->mapped != t->f->mapcount || t->swapped != t->f->swapcount)
			fail(c, "folio %llu: mapcount %u swapcount %u, ptes %u/%u",
			     (unsigned long long)t->f->id, t->f->mapcount,
			     t->f->swapcount, t->mapped, t->swapped);
	}
	if (HASH_COUNT(c->folios) != sh->counts.folios)
		fail(c, "%llu folios live, %u referenced by ptes",
		     (unsigned long long)sh->counts.folios,
		     HASH_COUNT(c->folios));
	if (pages != sh->counts.pages)
		fail(c, "%llu folio pages counted, %llu referenced by ptes",
		     (unsigned long long)sh->counts.pages,
		     (unsigned long long)pages);
	list_for_each_entry(av, &sh->anon_vmas, node)
		list_for_each_entry(f, &av->folios, anon_node)
			if (f->anon_vma != av)
				fail(c, "folio %llu on the wrong anon_vma list",
				     (unsigned long long)f->id);
}

unsigned avs_shadow_check(const struct avs_shadow *sh, char *msg, size_t len)
{
	struct checker c = { .msg = msg, .len = len };
	const struct avs_anon_vma *av;
	const struct avs_mm *mm;
	struct av_tally *t, *tt;
	struct folio_tally *ft, *ftt;

	if (msg && len)
		msg[0] = '\0';
	list_for_each_entry(av, &sh->anon_vmas, node) {
		t = calloc(1, sizeof(*t));
		if (!t)
			abort();
		t->av = av;
		HASH_ADD_PTR(c.avs, av, t);
	}
	list_for_each_entry(mm, &sh->mms, node)
		check_mm(&c, mm);
	check_counters(&c, sh);
	check_folios(&c, sh);
	HASH_ITER(hh, c.avs, t, tt) {
		HASH_DEL(c.avs, t);
		free(t);
	}
	HASH_ITER(hh, c.folios, ft, ftt) {
		HASH_DEL(c.folios, ft);
		free(ft);
	}
	return c.violations;
}
