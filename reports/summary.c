/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"
#include "shadow/model.h"

struct visits {
	unsigned *v;
	size_t n, cap;
};

static void collect(void *arg, const struct avs_walk *w)
{
	struct visits *vs = arg;

	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 1024;
		vs->v = realloc(vs->v, vs->cap * sizeof(*vs->v));
		if (!vs->v)
			abort();
	}
	vs->v[vs->n++] = w->visited;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

void avs_visit_stats(const struct avs_shadow *sh, struct avs_cost *cost,
		     struct avs_visit_stats *out)
{
	struct visits vs = { 0 };
	uint64_t sum = 0;
	size_t i;

	avs_rmap_cost(sh, cost, collect, &vs);
	out->folios = vs.n;
	out->mean = 0;
	out->p50 = out->p99 = out->max = 0;
	if (vs.n) {
		qsort(vs.v, vs.n, sizeof(*vs.v), cmp_unsigned);
		for (i = 0; i < vs.n; i++)
			sum += vs.v[i];
		out->mean = (double)sum / (double)vs.n;
		out->p50 = vs.v[(vs.n - 1) / 2];
		out->p99 = vs.v[(vs.n - 1) * 99 / 100];
		out->max = vs.v[vs.n - 1];
	}
	free(vs.v);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct mms among the VMAs a root's lock covers (its tree). */
uint64_t avs_domain_procs(const struct avs_anon_vma *root)
{
	uintptr_t *mm = malloc((root->nr_avcs ? root->nr_avcs : 1) * sizeof(*mm));
	const struct avs_avc *avc;
	uint64_t n = 0, i, distinct = 0;

	if (!mm)
		abort();
	list_for_each_entry(avc, &root->rb_root, same_anon_vma)
		mm[n++] = (uintptr_t)avc->vma->vm_mm;
	qsort(mm, n, sizeof(*mm), ptr_cmp);
	for (i = 0; i < n; i++)
		distinct += !i || mm[i] != mm[i - 1];
	free(mm);
	return distinct;
}

static void chain_stats(const struct avs_shadow *sh, struct avs_summary *s)
{
	size_t n = avs_shadow_procs(sh, NULL, 0), i, j;
	const struct avs_proc **p = calloc(n ? n : 1, sizeof(*p));
	uint64_t vmas = 0, sum = 0;

	if (!p)
		abort();
	n = avs_shadow_procs(sh, p, n);
	for (i = 0; i < n; i++) {
		if (i && p[i]->mm == p[i - 1]->mm)
			continue;	/* vfork children share the mm */
		for (j = 0; j < p[i]->mm->nr_vmas; j++) {
			const struct avs_vma *v = p[i]->mm->vmas[j];
			const struct avs_avc *avc;
			uint64_t len = 0;

			if (!v->anon_vma)
				continue;
			list_for_each_entry(avc, &v->anon_vma_chain, same_vma)
				len++;
			vmas++;
			sum += len;
			if (len > s->chain_max)
				s->chain_max = len;
		}
	}
	s->chain_mean = vmas ? (double)sum / (double)vmas : 0;
	free(p);
}

void avs_summary_compute(const struct avs_shadow *sh, struct avs_summary *s)
{
	const struct avs_anon_vma *av;

	memset(s, 0, sizeof(*s));
	s->rules = avs_shadow_rules(sh);
	s->events = avs_shadow_events(sh);
	s->misfits = avs_shadow_warnings(sh);
	s->counts = *avs_shadow_counts(sh);
	avs_visit_stats(sh, &s->cost, &s->visits);
	avs_cost_release(&s->cost);
	chain_stats(sh, s);
	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av)) {
		if (av->root != av)
			continue;
		s->domains++;
		if (av->nr_avcs > s->domain_max_vmas) {
			s->domain_max_vmas = av->nr_avcs;
			s->domain_max_procs = avs_domain_procs(av);
		}
	}
	avs_shadow_hazards(sh, &s->hazards);
}

void avs_report_table(const struct avs_summary *s, size_t n, FILE *out)
{
	size_t i;

#define ROW(label, fmt, expr)                                                 \
	do {                                                                  \
		fprintf(out, "  %-30s", label);                               \
		for (i = 0; i < n; i++)                                       \
			fprintf(out, " %18" fmt, expr);                       \
		fputc('\n', out);                                            \
	} while (0)
	ROW("rule set", "s", s[i].rules->name);
	ROW("processes live", PRIu64, s[i].counts.procs);
	ROW("VMAs", PRIu64, s[i].counts.vmas);
	ROW("anon_vmas live", PRIu64, s[i].counts.anon_vmas);
	ROW("AVCs live", PRIu64, s[i].counts.avcs);
	ROW("anon_vmas allocated at fork", PRIu64, s[i].counts.fork_anon_vmas);
	ROW("AVCs allocated at fork", PRIu64, s[i].counts.fork_avcs);
	ROW("anon_vmas reused at fork", PRIu64, s[i].counts.anon_vmas_reused);
	ROW("rmap metadata bytes", PRIu64, s[i].cost.meta_bytes);
	ROW("chain length mean", ".2f", s[i].chain_mean);
	ROW("chain length max", PRIu64, s[i].chain_max);
	ROW("lock domains (roots)", PRIu64, s[i].domains);
	ROW("largest domain: VMAs", PRIu64, s[i].domain_max_vmas);
	ROW("largest domain: processes", PRIu64, s[i].domain_max_procs);
	ROW("anon folios mapped", PRIu64, s[i].cost.folios);
	ROW("walk visits, total", PRIu64, s[i].cost.visits);
	ROW("walk visits, useless", PRIu64, s[i].cost.useless);
	ROW("visits per folio, mean", ".2f", s[i].visits.mean);
	ROW("visits per folio, p50", PRIu64, s[i].visits.p50);
	ROW("visits per folio, p99", PRIu64, s[i].visits.p99);
	ROW("visits per folio, max", PRIu64, s[i].visits.max);
	ROW("hazards", "zu", s[i].hazards);
#undef ROW
}

void avs_report_summary(const struct avs_shadow *sh, FILE *out, unsigned top)
{
	const struct avs_counts *c = avs_shadow_counts(sh);
	struct avs_visit_stats st;
	struct avs_cost cost;
	const struct avs_hazard *hz;
	size_t nhz, i, peak;

	avs_visit_stats(sh, &cost, &st);
	hz = avs_shadow_hazards(sh, &nhz);
	avs_shadow_mem_bytes(sh, &peak);
	fprintf(out, "avshadow summary (rules %s)\n", avs_shadow_rules(sh)->name);
	fprintf(out, "  events           %" PRIu64 " (%lu did not fit the shadow)\n",
		avs_shadow_events(sh), avs_shadow_warnings(sh));
	fprintf(out, "  processes        %" PRIu64 " live, %" PRIu64 " forks\n",
		c->procs, c->forks);
	fprintf(out, "  VMAs             %" PRIu64 "\n", c->vmas);
	fprintf(out, "  anon_vmas        %" PRIu64 " live (%" PRIu64
		" allocated, %" PRIu64 " reused at fork)\n", c->anon_vmas,
		c->anon_vmas_allocated, c->anon_vmas_reused);
	fprintf(out, "  anon_vma_chains  %" PRIu64 " live\n", c->avcs);
	fprintf(out, "  rmap metadata    %" PRIu64 " bytes (anon_vma %u B, AVC %u B)\n",
		cost.meta_bytes, avs_shadow_rules(sh)->anon_vma_bytes,
		avs_shadow_rules(sh)->avc_bytes);
	fprintf(out, "  anon folios      %" PRIu64 " mapped (%" PRIu64 " pages)\n",
		cost.folios, cost.pages);
	fprintf(out, "  rmap walk        %" PRIu64 " VMA visits: %" PRIu64
		" useful, %" PRIu64 " useless\n", cost.visits, cost.useful,
		cost.useless);
	fprintf(out, "  visits per folio mean %.2f, p50 %" PRIu64 ", p99 %" PRIu64
		", max %" PRIu64 "\n", st.mean, st.p50, st.p99, st.max);
	fprintf(out, "  hazards          %zu\n", nhz);
	for (i = 0; i < nhz && i < 10; i++)
		fprintf(out, "    %s: pid %u addr 0x%" PRIx64 " folio %" PRIu64
			" av%" PRIu64 " (event %" PRIu64 ")\n",
			avs_hazard_kind_name(hz[i].kind), hz[i].pid, hz[i].addr,
			hz[i].folio_id, hz[i].anon_vma_id, hz[i].event_no);
	if (cost.families) {
		fprintf(out, "  families (one root lock each), by walk visits:\n");
		fprintf(out, "    %-8s %9s %6s %9s %9s %11s %11s %9s\n", "root",
			"anon_vmas", "AVCs", "VMAs", "folios", "visits",
			"useless", "max");
	}
	for (i = 0; i < cost.families && i < top; i++) {
		const struct avs_family_cost *f = &cost.family[i];

		fprintf(out, "    av%-6" PRIu64 " %9" PRIu64 " %6" PRIu64 " %9"
			PRIu64 " %9" PRIu64 " %11" PRIu64 " %11" PRIu64 " %9"
			PRIu64 "\n", f->root_id, f->anon_vmas, f->avcs, f->vmas,
			f->folios, f->visits, f->visits - f->useful,
			f->max_visits);
	}
	avs_cost_release(&cost);
}
