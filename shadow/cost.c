/* SPDX-License-Identifier: MIT */
/*
 * What mm/rmap.c rmap_walk_anon() would cost for every mapped anon folio:
 * the AVCs of tree(folio->mapping) whose VMA's pgoff interval overlaps the
 * folio are visited; a visit is useful when that VMA's page table maps the
 * folio at vma_address().  Totals per anon_vma family (one root lock).
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Does v map some page of f at the address the walk computes? */
static bool vma_maps_folio(const struct avs_vma *v, const struct avs_folio *f)
{
	uint64_t idx, last = f->index + folio_nr_pages(f) - 1;

	for (idx = f->index; idx <= last; idx++) {
		uint64_t a = vma_address(v, idx);

		if (a != (uint64_t)-1 && avs_pte_maps(avs_pte_get(v->vm_mm, a), f))
			return true;
	}
	return false;
}

static void walk_folio(const struct avs_folio *f, struct avs_walk *w)
{
	uint64_t last = f->index + folio_nr_pages(f) - 1;
	const struct avs_avc *avc;

	memset(w, 0, sizeof(*w));
	w->folio_id = f->id;
	w->index = f->index;
	if (!f->anon_vma)
		return;
	w->anon_vma_id = f->anon_vma->id;
	list_for_each_entry(avc, &f->anon_vma->rb_root, same_anon_vma) {
		const struct avs_vma *v = avc->vma;

		if (v->vm_pgoff > last || v->vm_pgoff + vma_pages(v) <= f->index)
			continue;
		w->visited++;
		if (vma_maps_folio(v, f))
			w->useful++;
	}
}

int avs_rmap_walk(const struct avs_shadow *sh, uint32_t pid, uint64_t addr,
		  struct avs_walk *out)
{
	const struct avs_proc *p = avs_shadow_find_proc(sh, pid);
	avs_pte_t pte;

	if (!p)
		return -1;
	pte = avs_pte_get(p->mm, addr & AVS_PAGE_MASK);
	if (!avs_pte_present(pte) || pte == AVS_PTE_ZERO)
		return -1;
	walk_folio(avs_pte_folio(pte), out);
	return 0;
}

/*
 * For a tree of many AVCs the walk above is linear per folio; sort the
 * intervals by start, with the running maximum of their ends, so a folio
 * only looks at the AVCs that can overlap it (what the interval tree's
 * augmented search does).
 */
struct ival {
	uint64_t start, last;
	uint64_t max_last;	/* max of last over this and all before */
	const struct avs_vma *vma;
};

static int ival_cmp(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void walk_sorted(const struct ival *iv, size_t n,
			const struct avs_folio *f, struct avs_walk *w)
{
	uint64_t lo = f->index, hi = f->index + folio_nr_pages(f) - 1;
	size_t l = 0, r = n;

	memset(w, 0, sizeof(*w));
	w->folio_id = f->id;
	w->index = f->index;
	w->anon_vma_id = f->anon_vma->id;
	while (l < r) {		/* first interval starting after hi */
		size_t m = l + (r - l) / 2;

		if (iv[m].start <= hi)
			l = m + 1;
		else
			r = m;
	}
	while (l > 0 && iv[l - 1].max_last >= lo) {
		const struct ival *e = &iv[--l];

		if (e->last < lo)
			continue;
		w->visited++;
		if (vma_maps_folio(e->vma, f))
			w->useful++;
	}
}

#define SORT_THRESHOLD 32

/* root anon_vma -> its entry in out->family, while the cost is summed */
struct family_ref {
	const struct avs_anon_vma *root;
	size_t idx;
	UT_hash_handle hh;
};

/* Fills c->family with one entry per root; returns the lookup map, whose
 * entries live in the array *store (free it after HASH_CLEAR). */
static struct family_ref *family_refs(struct avs_cost *c,
				      const struct avs_shadow *sh,
				      struct family_ref **store)
{
	const struct avs_anon_vma *av;
	struct family_ref *map = NULL, *r;
	size_t n = 0;

	list_for_each_entry(av, &sh->anon_vmas, node)
		n += av->root == av;
	c->family = calloc(n ? n : 1, sizeof(*c->family));
	r = calloc(n ? n : 1, sizeof(*r));
	if (!c->family || !r)
		abort();
	list_for_each_entry(av, &sh->anon_vmas, node) {
		if (av->root != av)
			continue;
		r[c->families].root = av;
		r[c->families].idx = c->families;
		HASH_ADD_PTR(map, root, &r[c->families]);
		c->family[c->families].root_id = av->id;
		c->family[c->families].vmas = av->nr_avcs;
		c->families++;
	}
	*store = r;
	return map;
}

static int family_cmp(const void *a, const void *b)
{
	const struct avs_family_cost *x = a, *y = b;

	if (x->visits != y->visits)
		return x->visits > y->visits ? -1 : 1;
	return x->root_id < y->root_id ? -1 : x->root_id > y->root_id;
}

int avs_rmap_cost(const struct avs_shadow *sh, struct avs_cost *out,
		  void (*per_folio)(void *arg, const struct avs_walk *w),
		  void *arg)
{
	const struct avs_anon_vma *av;
	struct ival *iv = NULL;
	size_t iv_cap = 0, i;
	struct family_ref *refs, *store;

	memset(out, 0, sizeof(*out));
	refs = family_refs(out, sh, &store);
	list_for_each_entry(av, &sh->anon_vmas, node) {
		struct avs_family_cost *fc;
		const struct avs_folio *f;
		struct family_ref *ref;
		size_t n = 0;

		HASH_FIND_PTR(refs, &av->root, ref);
		if (!ref)
			abort();	/* a member without live root: shadow bug */
		fc = &out->family[ref->idx];
		fc->anon_vmas++;
		fc->avcs += av->nr_avcs;
		out->anon_vmas++;
		out->avcs += av->nr_avcs;
		if (!av->nr_folios)
			continue;
		if (av->nr_avcs > SORT_THRESHOLD) {
			const struct avs_avc *avc;

			if (av->nr_avcs > iv_cap) {
				iv_cap = av->nr_avcs;
				iv = realloc(iv, iv_cap * sizeof(*iv));
				if (!iv)
					abort();
			}
			list_for_each_entry(avc, &av->rb_root, same_anon_vma) {
				iv[n].start = avc->vma->vm_pgoff;
				iv[n].last = avc->vma->vm_pgoff + vma_pages(avc->vma) - 1;
				iv[n].vma = avc->vma;
				n++;
			}
			qsort(iv, n, sizeof(*iv), ival_cmp);
			for (i = 0; i < n; i++)
				iv[i].max_last = i && iv[i - 1].max_last > iv[i].last ?
					iv[i - 1].max_last : iv[i].last;
		}
		list_for_each_entry(f, &av->folios, anon_node) {
			struct avs_walk w;

			if (!f->mapcount)
				continue;
			if (n)
				walk_sorted(iv, n, f, &w);
			else
				walk_folio(f, &w);
			fc->folios++;
			fc->pages += folio_nr_pages(f);
			fc->visits += w.visited;
			fc->useful += w.useful;
			if (w.visited > fc->max_visits)
				fc->max_visits = w.visited;
			if (per_folio)
				per_folio(arg, &w);
		}
	}
	for (i = 0; i < out->families; i++) {
		struct avs_family_cost *fc = &out->family[i];

		fc->meta_bytes = fc->anon_vmas * AVS_KSIZE_ANON_VMA +
				 fc->avcs * AVS_KSIZE_AVC;
		out->folios += fc->folios;
		out->pages += fc->pages;
		out->visits += fc->visits;
		out->useful += fc->useful;
		if (fc->max_visits > out->max_visits)
			out->max_visits = fc->max_visits;
	}
	out->useless = out->visits - out->useful;
	out->vmas = sh->counts.vmas;
	out->meta_bytes = out->anon_vmas * AVS_KSIZE_ANON_VMA +
			  out->avcs * AVS_KSIZE_AVC;
	qsort(out->family, out->families, sizeof(*out->family), family_cmp);
	HASH_CLEAR(hh, refs);
	free(store);
	free(iv);
	return 0;
}

void avs_cost_release(struct avs_cost *c)
{
	free(c->family);
	c->family = NULL;
	c->families = 0;
}
