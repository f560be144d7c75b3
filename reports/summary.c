/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdlib.h>
#include "summary.h"

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
