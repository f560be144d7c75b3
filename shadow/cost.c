/* SPDX-License-Identifier: MIT */
/*
 * What mm/rmap.c rmap_walk_anon() would cost for every mapped anon folio.
 * A walk of folio F locks F's anon_vma's root and visits the AVCs of
 * tree(F->mapping): all of them when the anon_vma kept a list (up to 3.6),
 * the ones whose VMA's pgoff interval overlaps F when it kept an interval
 * tree (3.7+).  A visit is useful when that VMA's page table maps F at
 * vma_address().  Totals per anon_vma family (one root lock).
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static bool overlaps(const struct avs_vma *v, uint64_t lo, uint64_t hi)
{
	return v->vm_pgoff <= hi && v->vm_pgoff + vma_pages(v) > lo;
}

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

/* One folio's walk, AVC by AVC: for a single query. */
static void walk_folio(const struct avs_rules *rules,
		       const struct avs_folio *f, struct avs_walk *w)
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
		bool in = overlaps(avc->vma, f->index, last);

		if (in || rules->walk == AVS_WALK_LIST)
			w->visited++;
		if (in && vma_maps_folio(avc->vma, f))
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
	walk_folio(sh->rules, avs_pte_folio(pte), out);
	if (sh->rules->design == AVS_DESIGN_PTE_CHAINS) {
		/* the chain holds exactly the mapping ptes */
		out->visited = out->useful = avs_pte_folio(pte)->mapcount;
	} else if (sh->rules->design == AVS_DESIGN_ANONMM) {
		const struct avs_mm *mm;

		out->visited = 0;	/* every mm of the exec group */
		list_for_each_entry(mm, &sh->mms, node)
			out->visited += mm->exec_id == p->mm->exec_id;
	}
	return 0;
}

/* Live mms per exec group (anonmm), by exec_id. */
struct group_count {
	uint64_t exec_id;
	uint32_t mms;
	UT_hash_handle hh;
};

static struct group_count *count_groups(const struct avs_shadow *sh)
{
	struct group_count *map = NULL, *g;
	const struct avs_mm *mm;

	list_for_each_entry(mm, &sh->mms, node) {
		HASH_FIND(hh, map, &mm->exec_id, sizeof(mm->exec_id), g);
		if (!g) {
			g = calloc(1, sizeof(*g));
			if (!g)
				abort();
			g->exec_id = mm->exec_id;
			HASH_ADD(hh, map, exec_id, sizeof(g->exec_id), g);
		}
		g->mms++;
	}
	return map;
}

/*
 * One pass over the page tables fills, for every mapped folio:
 * scratch[0] = useful visits: VMAs that map it and that its walk reaches
 * (its anon_vma is in their chain); under pte-chains every pte;
 * scratch[1] = under anonmm, the mms of the group its walk goes through.
 */
static void count_mappings(const struct avs_shadow *sh)
{
	enum avs_design design = sh->rules->design;
	struct group_count *groups = NULL, *g, *tmp;
	const struct avs_mm *mm;
	size_t i;

	if (design == AVS_DESIGN_ANONMM)
		groups = count_groups(sh);
	list_for_each_entry(mm, &sh->mms, node) {
		uint32_t group_mms = 0;

		if (groups) {
			HASH_FIND(hh, groups, &mm->exec_id, sizeof(mm->exec_id), g);
			group_mms = g ? g->mms : 0;
		}
		for (i = 0; i < mm->nr_vmas; i++) {
			const struct avs_vma *v = mm->vmas[i];
			struct avs_folio *last = NULL;
			uint64_t a = v->vm_start;

			while (avs_pte_next(mm, &a, v->vm_end)) {
				avs_pte_t pte = avs_pte_get(mm, a);
				struct avs_folio *f = avs_pte_folio(pte);
				const struct avs_avc *avc;

				a += AVS_PAGE_SIZE;
				if (!f || !avs_pte_present(pte) || !f->anon_vma)
					continue;
				if (design == AVS_DESIGN_PTE_CHAINS) {
					f->scratch[0]++;
					continue;
				}
				if (f == last)	/* a large folio counts once */
					continue;
				last = f;
				f->scratch[1] = group_mms;
				list_for_each_entry(avc, &v->anon_vma_chain, same_vma)
					if (avc->anon_vma == f->anon_vma) {
						f->scratch[0]++;
						break;
					}
			}
		}
	}
	HASH_ITER(hh, groups, g, tmp) {
		HASH_DEL(groups, g);
		free(g);
	}
}

/* The AVC intervals of one tree, sorted, to count the overlapping ones
 * of each folio in O(log n) (what the augmented tree search finds). */
struct ivals {
	uint64_t *start, *last;
	size_t n, cap;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void ivals_load(struct ivals *iv, const struct avs_anon_vma *av)
{
	const struct avs_avc *avc;

	if (av->nr_avcs > iv->cap) {
		iv->cap = av->nr_avcs;
		iv->start = realloc(iv->start, iv->cap * sizeof(*iv->start));
		iv->last = realloc(iv->last, iv->cap * sizeof(*iv->last));
		if (!iv->start || !iv->last)
			abort();
	}
	iv->n = 0;
	list_for_each_entry(avc, &av->rb_root, same_anon_vma) {
		iv->start[iv->n] = avc->vma->vm_pgoff;
		iv->last[iv->n] = avc->vma->vm_pgoff + vma_pages(avc->vma) - 1;
		iv->n++;
	}
	if (!iv->n)
		return;
	qsort(iv->start, iv->n, sizeof(*iv->start), u64_cmp);
	qsort(iv->last, iv->n, sizeof(*iv->last), u64_cmp);
}

/* Number of values in the sorted array v that are < x. */
static size_t count_below(const uint64_t *v, size_t n, uint64_t x)
{
	size_t l = 0, r = n;

	while (l < r) {
		size_t m = l + (r - l) / 2;

		if (v[m] < x)
			l = m + 1;
		else
			r = m;
	}
	return l;
}

/* intervals overlapping [lo, hi] = those starting <= hi minus those
 * ending < lo (an interval ending before lo also starts before hi) */
static unsigned ivals_overlapping(const struct ivals *iv, uint64_t lo,
				  uint64_t hi)
{
	return (unsigned)(count_below(iv->start, iv->n, hi + 1) -
			  count_below(iv->last, iv->n, lo));
}

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

static void sum_families(struct avs_cost *out, const struct avs_rules *rules)
{
	size_t i;

	for (i = 0; i < out->families; i++) {
		struct avs_family_cost *fc = &out->family[i];

		fc->meta_bytes = fc->anon_vmas * rules->anon_vma_bytes +
				 fc->avcs * rules->avc_bytes;
		out->folios += fc->folios;
		out->pages += fc->pages;
		out->visits += fc->visits;
		out->useful += fc->useful;
		if (fc->max_visits > out->max_visits)
			out->max_visits = fc->max_visits;
	}
	out->useless = out->visits - out->useful;
	switch (rules->design) {
	case AVS_DESIGN_PTE_CHAINS:
		out->meta_bytes = out->chain_bytes;
		break;
	case AVS_DESIGN_ANONMM:
		out->meta_bytes = out->mms * rules->avc_bytes;
		break;
	default:
		out->meta_bytes = out->anon_vmas * rules->anon_vma_bytes +
				  out->avcs * rules->avc_bytes;
	}
	qsort(out->family, out->families, sizeof(*out->family), family_cmp);
}

int avs_rmap_cost(const struct avs_shadow *sh, struct avs_cost *out,
		  void (*per_folio)(void *arg, const struct avs_walk *w),
		  void *arg)
{
	const struct avs_rules *rules = sh->rules;
	struct ivals iv = { 0 };
	const struct avs_anon_vma *av;
	struct family_ref *refs, *store;

	memset(out, 0, sizeof(*out));
	count_mappings(sh);
	refs = family_refs(out, sh, &store);
	list_for_each_entry(av, &sh->anon_vmas, node) {
		struct avs_folio *f;
		struct family_ref *ref;
		struct avs_family_cost *fc;

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
		if (rules->walk == AVS_WALK_INTERVAL)
			ivals_load(&iv, av);
		list_for_each_entry(f, &av->folios, anon_node) {
			struct avs_walk w = {
				.folio_id = f->id,
				.index = f->index,
				.anon_vma_id = av->id,
				.useful = f->scratch[0],
			};
			uint32_t group_mms = f->scratch[1];

			f->scratch[0] = f->scratch[1] = 0;
			if (!f->mapcount)
				continue;
			if (rules->design == AVS_DESIGN_PTE_CHAINS) {
				w.visited = w.useful;	/* exactly the ptes */
				if (w.visited > 1)	/* else pte.direct */
					out->chain_bytes += rules->chain_block_bytes *
						((w.visited + rules->chain_block_entries - 1) /
						 rules->chain_block_entries);
			} else if (rules->design == AVS_DESIGN_ANONMM) {
				w.visited = group_mms;
			} else if (rules->walk == AVS_WALK_LIST) {
				w.visited = (unsigned)av->nr_avcs;
			} else {
				w.visited = ivals_overlapping(&iv, f->index,
					f->index + folio_nr_pages(f) - 1);
			}
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
	out->vmas = sh->counts.vmas;
	out->mms = sh->counts.mms;
	sum_families(out, rules);
	HASH_CLEAR(hh, refs);
	free(store);
	free(iv.start);
	free(iv.last);
	return 0;
}

void avs_cost_release(struct avs_cost *c)
{
	free(c->family);
	c->family = NULL;
	c->families = 0;
}
