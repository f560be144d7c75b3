/* SPDX-License-Identifier: MIT */
/*
 * The figures of one rule set's shadow at the reported state: the summary,
 * the distribution of walk visits, the deepest chains, the largest lock
 * domains, hazards, and the costliest families with the stacks that built
 * them; and rmap visits per VMA attributed to stacks (folded output).
 */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "summary.h"
#include "shadow/model.h"

/* mm -> its first process, for naming VMAs */
struct owner {
	const struct avs_mm *mm;
	const struct avs_proc *p;
};

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *oa = a, *ob = b;
	uintptr_t x = (uintptr_t)oa->mm, y = (uintptr_t)ob->mm;

	if (x != y || !oa->p || !ob->p)
		return x < y ? -1 : x > y;
	return oa->p->id < ob->p->id ? -1 : oa->p->id > ob->p->id;
}

static struct owner *owners(const struct avs_shadow *sh, size_t *n)
{
	size_t cnt = avs_shadow_procs(sh, NULL, 0), i, k = 0;
	const struct avs_proc **p = calloc(cnt ? cnt : 1, sizeof(*p));
	struct owner *o = calloc(cnt ? cnt : 1, sizeof(*o));

	if (!p || !o)
		abort();
	cnt = avs_shadow_procs(sh, p, cnt);
	for (i = 0; i < cnt; i++)
		o[i] = (struct owner){ p[i]->mm, p[i] };
	/* by mm, then order of appearance: an mm's first process wins */
	qsort(o, cnt, sizeof(*o), cmp_owner);
	for (i = 0; i < cnt; i++)
		if (!k || o[k - 1].mm != o[i].mm)
			o[k++] = o[i];
	free(p);
	*n = k;
	return o;
}

static const struct avs_proc *owner_of(const struct owner *o, size_t n,
				       const struct avs_mm *mm)
{
	struct owner key = { mm, NULL };
	const struct owner *f = bsearch(&key, o, n, sizeof(*o), cmp_owner);

	return f ? f->p : NULL;
}

static unsigned bucket(unsigned visits)
{
	unsigned b = 0, top = 1;

	while (visits > top && b < AVS_REPORT_HIST_BUCKETS - 1) {
		b++;
		top *= 2;
	}
	return b;
}

static void hist_cb(void *arg, const struct avs_walk *w)
{
	uint64_t *hist = arg;

	hist[bucket(w->visited)]++;
}

static void add_origin(struct avs_report_family *f, bool fork, uint32_t stack)
{
	size_t i;

	for (i = 0; i < f->norigins; i++)
		if (f->origin[i].fork == fork && f->origin[i].stack == stack) {
			f->origin[i].vmas++;
			return;
		}
	if (f->norigins < AVS_REPORT_MAX_STACKS)
		f->origin[f->norigins++] = (struct avs_report_origin){
			fork, stack, 1 };
}

static int cmp_origin(const void *a, const void *b)
{
	const struct avs_report_origin *x = a, *y = b;

	if (x->vmas != y->vmas)
		return x->vmas > y->vmas ? -1 : 1;
	if (x->fork != y->fork)
		return x->fork ? 1 : -1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

static const struct avs_anon_vma *find_av(const struct avs_shadow *sh,
					  uint64_t id)
{
	const struct avs_anon_vma *av;

	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av))
		if (av->id == id)
			return av;
	return NULL;
}

static void family_origins(const struct avs_anon_vma *root,
			   const struct avs_origins *orig,
			   const struct owner *o, size_t no,
			   struct avs_report_family *f)
{
	const struct avs_avc *avc;

	list_for_each_entry(avc, &root->rb_root, same_anon_vma) {
		const struct avs_proc *p = owner_of(o, no, avc->vma->vm_mm);
		uint32_t pid = p ? p->pid : 0;
		uint32_t fs = avs_origins_fork(orig, pid);

		add_origin(f, false, avs_origins_mapping(orig, pid,
							 avc->vma->vm_start));
		if (fs)
			add_origin(f, true, fs);
	}
	qsort(f->origin, f->norigins, sizeof(f->origin[0]), cmp_origin);
}

/* Keep the n longest chains, earlier VMAs first among equals. */
static void note_chain(struct avs_report_model *m, uint32_t pid,
		       const struct avs_vma *v, uint64_t len)
{
	size_t i;

	if (m->ndeepest == AVS_REPORT_LIST_MAX &&
	    m->deepest[m->ndeepest - 1].length >= len)
		return;
	if (m->ndeepest < AVS_REPORT_LIST_MAX)
		m->ndeepest++;
	for (i = m->ndeepest - 1; i > 0 && m->deepest[i - 1].length < len; i--)
		m->deepest[i] = m->deepest[i - 1];
	m->deepest[i] = (struct avs_report_chain){ pid, v->vm_start, v->vm_end,
						   len };
}

/* In process order (not by mm address: reports must be reproducible). */
static void chains(const struct avs_shadow *sh, const struct owner *o,
		   size_t no, struct avs_report_model *m)
{
	size_t np = avs_shadow_procs(sh, NULL, 0), i, j;
	const struct avs_proc **p = calloc(np ? np : 1, sizeof(*p));

	if (!p)
		abort();
	np = avs_shadow_procs(sh, p, np);
	for (i = 0; i < np; i++) {
		if (owner_of(o, no, p[i]->mm) != p[i])
			continue;	/* an mm shared with an earlier one */
		for (j = 0; j < p[i]->mm->nr_vmas; j++) {
			const struct avs_vma *v = p[i]->mm->vmas[j];
			const struct avs_avc *avc;
			uint64_t len = 0;

			list_for_each_entry(avc, &v->anon_vma_chain, same_vma)
				len++;
			if (len)
				note_chain(m, p[i]->pid, v, len);
		}
	}
	free(p);
}

static void note_domain(struct avs_report_model *m,
			const struct avs_report_domain *d)
{
	size_t i;

	if (m->nlargest == AVS_REPORT_LIST_MAX &&
	    m->largest[m->nlargest - 1].vmas >= d->vmas)
		return;
	if (m->nlargest < AVS_REPORT_LIST_MAX)
		m->nlargest++;
	for (i = m->nlargest - 1; i > 0 && m->largest[i - 1].vmas < d->vmas; i--)
		m->largest[i] = m->largest[i - 1];
	m->largest[i] = *d;
}

static void domains(const struct avs_shadow *sh, struct avs_report_model *m)
{
	const struct avs_anon_vma *av, *x;

	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av)) {
		struct avs_report_domain d = { .root_id = av->id };

		if (av->root != av)
			continue;
		if (m->nlargest == AVS_REPORT_LIST_MAX &&
		    m->largest[m->nlargest - 1].vmas >= av->nr_avcs)
			continue;
		d.vmas = av->nr_avcs;
		for (x = avs_shadow_first_anon_vma(sh); x;
		     x = avs_shadow_next_anon_vma(sh, x))
			if (x->root == av) {
				d.anon_vmas++;
				d.avcs += x->nr_avcs;
			}
		d.procs = avs_domain_procs(av);
		note_domain(m, &d);
	}
}

void avs_report_figures(const struct avs_shadow *sh,
			const struct avs_origins *orig, unsigned top,
			struct avs_report_model *m)
{
	const struct avs_hazard *hz;
	struct avs_cost cost;
	struct owner *o;
	size_t no, i, nhz;

	memset(m, 0, sizeof(*m));
	avs_summary_compute(sh, &m->s);
	avs_rmap_cost(sh, &cost, hist_cb, m->hist);
	m->useful = cost.useful;
	o = owners(sh, &no);
	m->nfamilies = cost.families < top ? cost.families : top;
	m->family = calloc(m->nfamilies ? m->nfamilies : 1, sizeof(*m->family));
	if (!m->family)
		abort();
	for (i = 0; i < m->nfamilies; i++) {
		struct avs_report_family *f = &m->family[i];
		const struct avs_anon_vma *root;

		f->cost = cost.family[i];
		root = find_av(sh, f->cost.root_id);
		if (root) {
			f->procs = avs_domain_procs(root);
			family_origins(root, orig, o, no, f);
		}
	}
	avs_cost_release(&cost);
	chains(sh, o, no, m);
	domains(sh, m);
	hz = avs_shadow_hazards(sh, &nhz);
	m->nhazards_listed = nhz < 10 ? nhz : 10;
	m->hazards = calloc(m->nhazards_listed ? m->nhazards_listed : 1,
			    sizeof(*m->hazards));
	if (!m->hazards)
		abort();
	for (i = 0; i < m->nhazards_listed; i++)
		m->hazards[i] = hz[i];
	free(o);
}

void avs_report_model_release(struct avs_report_model *m)
{
	free(m->family);
	free(m->hazards);
	m->family = NULL;
	m->hazards = NULL;
}

static int cmp_cost(const void *a, const void *b)
{
	const struct avs_report_cost_line *x = a, *y = b;
	int c = strcmp(x->comm, y->comm);

	if (c)
		return c;
	if (x->map_stack != y->map_stack)
		return x->map_stack < y->map_stack ? -1 : 1;
	return x->fork_stack < y->fork_stack ? -1 : x->fork_stack > y->fork_stack;
}

/* Walk visits a VMA receives: the mapped folios of each anon_vma of its
 * chain whose index its pgoff range covers (every one on a list walk). */
static uint64_t vma_visits(const struct avs_vma *v, bool list_walk)
{
	uint64_t pages = (v->vm_end - v->vm_start) >> 12, n = 0;
	const struct avs_avc *avc;
	const struct avs_folio *f;

	list_for_each_entry(avc, &v->anon_vma_chain, same_vma)
		list_for_each_entry(f, &avc->anon_vma->folios, anon_node) {
			uint64_t last = f->index + (1ULL << f->order) - 1;

			if (!f->mapcount || !(f->flags & AVS_FOLIO_IN_CORE))
				continue;
			if (list_walk || (v->vm_pgoff <= last &&
					  v->vm_pgoff + pages > f->index))
				n++;
		}
	return n;
}

void avs_report_costs(const struct avs_shadow *sh,
		      const struct avs_origins *orig, struct avs_report *r)
{
	bool list_walk = avs_shadow_rules(sh)->walk == AVS_WALK_LIST;
	size_t no, i, j, n = 0, cap = 0;
	struct owner *o = owners(sh, &no);
	struct avs_report_cost_line *l = NULL;

	for (i = 0; i < no; i++)
		for (j = 0; j < o[i].mm->nr_vmas; j++) {
			const struct avs_vma *v = o[i].mm->vmas[j];
			uint64_t visits;

			if (!v->anon_vma || !(visits = vma_visits(v, list_walk)))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				l = realloc(l, cap * sizeof(*l));
				if (!l)
					abort();
			}
			memset(&l[n], 0, sizeof(l[n]));
			snprintf(l[n].comm, sizeof(l[n].comm), "%s",
				 o[i].p->comm[0] ? o[i].p->comm : "?");
			l[n].map_stack = avs_origins_mapping(orig, o[i].p->pid,
							     v->vm_start);
			l[n].fork_stack = avs_origins_fork(orig, o[i].p->pid);
			l[n].visits = visits;
			n++;
		}
	free(o);
	/* merge the lines of one (process name, stacks) */
	if (n)
		qsort(l, n, sizeof(*l), cmp_cost);
	for (i = 0, j = 0; i < n; i++) {
		if (j && !cmp_cost(&l[j - 1], &l[i]))
			l[j - 1].visits += l[i].visits;
		else
			l[j++] = l[i];
	}
	r->cost = l;
	r->ncost = j;
}
