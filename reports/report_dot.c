/* SPDX-License-Identifier: MIT */
/* The graph as a Graphviz picture (graph.h: avs_graph_dot). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"
#include "shadow/model.h"
#include "shadow/vm_flags.h"

static const struct avs_proc **procs_of(const struct avs_shadow *sh, size_t *n)
{
	size_t cnt = avs_shadow_procs(sh, NULL, 0);
	const struct avs_proc **v = calloc(cnt ? cnt : 1, sizeof(*v));

	if (!v)
		abort();
	*n = avs_shadow_procs(sh, v, cnt);
	return v;
}

/* A process name as a DOT string: only safe characters kept. */
static void safe(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20
			  || (unsigned char)s[i] >= 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

static void header(FILE *out, const char *title, const char *what)
{
	char t[128];

	safe(title ? title : "", t, sizeof(t));
	fprintf(out, "digraph anon_vma {\n"
		"  graph [rankdir=LR, ranksep=1.2, nodesep=0.2, labelloc=t, "
		"fontname=\"Helvetica\", label=\"anon_vma graph (%s): %s\"];\n"
		"  node [fontname=\"Helvetica\", fontsize=10];\n"
		"  edge [fontname=\"Helvetica\", fontsize=9];\n", t, what);
}

/* Every VMA with an anon_vma, each AVC, each anon_vma. */
static void detailed(const struct avs_shadow *sh, const struct avs_proc **p,
		     size_t np, FILE *out)
{
	const struct avs_anon_vma *av;
	uint64_t avc_no = 0;
	size_t i, j;

	for (i = 0; i < np; i++) {
		const struct avs_mm *mm = p[i]->mm;
		char comm[40];

		if (i && mm == p[i - 1]->mm)
			continue;	/* a vfork child shares the mm */
		safe(p[i]->comm, comm, sizeof(comm));
		fprintf(out, "  subgraph cluster_p%u {\n    label=\"pid %u%s%s\";"
			" style=rounded; color=gray50;\n", p[i]->pid,
			p[i]->pid, comm[0] ? " " : "", comm);
		for (j = 0; j < mm->nr_vmas; j++) {
			const struct avs_vma *v = mm->vmas[j];
			char perms[5];

			if (!v->anon_vma)
				continue;
			avs_vm_flags_perms(v->vm_flags, perms);
			fprintf(out, "    vma_%u_%zu [class=\"vma\", shape=box, "
				"style=filled, fillcolor=\"#dbe8f6\", label=\"VMA "
				"0x%" PRIx64 "-0x%" PRIx64 "\\n%s\"];\n",
				p[i]->pid, j, v->vm_start, v->vm_end, perms);
		}
		fputs("  }\n", out);
	}
	fputs("  { rank=max;\n", out);
	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av))
		fprintf(out, "    av_%" PRIu64 " [class=\"anon_vma\", shape=box, "
			"style=\"filled,bold\", fillcolor=\"#f6e3c8\", label="
			"\"anon_vma av%" PRIu64 "\\nroot av%" PRIu64
			"\\nfolios %lu\"];\n", av->id, av->id, av->root->id,
			av->nr_folios);
	fputs("  }\n", out);
	for (i = 0; i < np; i++) {
		const struct avs_mm *mm = p[i]->mm;

		if (i && mm == p[i - 1]->mm)
			continue;
		for (j = 0; j < mm->nr_vmas; j++) {
			const struct avs_vma *v = mm->vmas[j];
			const struct avs_avc *avc;
			unsigned k = 0;

			list_for_each_entry(avc, &v->anon_vma_chain, same_vma) {
				avc_no++;
				fprintf(out, "  avc_%" PRIu64 " [class=\"avc\", "
					"shape=ellipse, style=filled, fillcolor="
					"\"#e4f2dc\", label=\"AVC\"];\n"
					"  vma_%u_%zu -> avc_%" PRIu64 " [class="
					"\"same_vma\", label=\"%u\"];\n"
					"  avc_%" PRIu64 " -> av_%" PRIu64
					" [class=\"same_anon_vma\"];\n", avc_no,
					p[i]->pid, j, avc_no, ++k, avc_no,
					avc->anon_vma->id);
			}
		}
	}
	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av))
		if (av->parent != av)
			fprintf(out, "  av_%" PRIu64 " -> av_%" PRIu64
				" [class=\"parent\", style=dashed, "
				"constraint=false, label=\"parent\"];\n",
				av->id, av->parent->id);
}

/* Large graphs: one node per process name, one per family; the edges
 * count the AVCs from that name's VMAs into that family. */
struct agg {
	char comm[32];
	uint64_t root;
	uint64_t avcs;
};

static int cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	int c = strcmp(x->comm, y->comm);

	return c ? c : x->root < y->root ? -1 : x->root > y->root;
}

static void summarised(const struct avs_shadow *sh, const struct avs_proc **p,
		       size_t np, FILE *out)
{
	const struct avs_anon_vma *av;
	struct agg *a = NULL;
	size_t n = 0, cap = 0, i, j, k;

	for (i = 0; i < np; i++) {
		const struct avs_mm *mm = p[i]->mm;

		if (i && mm == p[i - 1]->mm)
			continue;
		for (j = 0; j < mm->nr_vmas; j++) {
			const struct avs_avc *avc;

			list_for_each_entry(avc, &mm->vmas[j]->anon_vma_chain,
					    same_vma) {
				if (n == cap) {
					cap = cap ? cap * 2 : 256;
					a = realloc(a, cap * sizeof(*a));
					if (!a)
						abort();
				}
				memset(&a[n], 0, sizeof(a[n]));
				safe(p[i]->comm[0] ? p[i]->comm : "?", a[n].comm,
				     sizeof(a[n].comm));
				a[n].root = avc->anon_vma->root->id;
				a[n++].avcs = 1;
			}
		}
	}
	if (n)
		qsort(a, n, sizeof(*a), cmp_agg);
	for (i = 0, k = 0; i < n; i++) {
		if (k && !cmp_agg(&a[k - 1], &a[i]))
			a[k - 1].avcs++;
		else
			a[k++] = a[i];
	}
	for (i = 0; i < k; i++) {
		size_t procs = 0;

		if (i && !strcmp(a[i].comm, a[i - 1].comm))
			continue;
		for (j = 0; j < np; j++)
			procs += !strcmp(p[j]->comm[0] ? p[j]->comm : "?",
					 a[i].comm);
		fprintf(out, "  \"proc_%s\" [class=\"process\", shape=box, "
			"style=filled, fillcolor=\"#dbe8f6\", label=\"%s\\n%zu "
			"process%s\"];\n", a[i].comm, a[i].comm, procs,
			procs == 1 ? "" : "es");
	}
	fputs("  { rank=max;\n", out);
	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av)) {
		const struct avs_anon_vma *x;
		uint64_t navs = 0;

		if (av->root != av)
			continue;
		for (x = avs_shadow_first_anon_vma(sh); x;
		     x = avs_shadow_next_anon_vma(sh, x))
			navs += x->root == av;
		fprintf(out, "    fam_%" PRIu64 " [class=\"family\", shape=box, "
			"style=\"filled,bold\", fillcolor=\"#f6e3c8\", label="
			"\"family av%" PRIu64 "\\n%" PRIu64 " anon_vmas, %lu "
			"VMAs\"];\n", av->id, av->id, navs, av->nr_avcs);
	}
	fputs("  }\n", out);
	for (i = 0; i < k; i++)
		fprintf(out, "  \"proc_%s\" -> fam_%" PRIu64 " [class=\"avcs\", "
			"label=\"%" PRIu64 " AVCs\", penwidth=%.1f];\n",
			a[i].comm, a[i].root, a[i].avcs,
			1.0 + (a[i].avcs > 1000 ? 4.0 : (double)a[i].avcs / 250));
	free(a);
}

void avs_graph_dot(const struct avs_shadow *sh, const char *title, FILE *out)
{
	const struct avs_counts *c = avs_shadow_counts(sh);
	const struct avs_proc **p;
	uint64_t vmas = 0;
	size_t np, i, j;

	p = procs_of(sh, &np);
	for (i = 0; i < np; i++)
		if (!i || p[i]->mm != p[i - 1]->mm)
			for (j = 0; j < p[i]->mm->nr_vmas; j++)
				vmas += p[i]->mm->vmas[j]->anon_vma != NULL;
	if (vmas + c->avcs + c->anon_vmas <= AVS_GRAPH_DOT_MAX_NODES) {
		header(out, title, "VMAs with an anon_vma, AVCs, anon_vmas");
		detailed(sh, p, np, out);
	} else {
		char what[160];

		snprintf(what, sizeof(what), "%" PRIu64 " VMAs, %" PRIu64
			 " AVCs, %" PRIu64 " anon_vmas, grouped by process "
			 "name and family", vmas, c->avcs, c->anon_vmas);
		header(out, title, what);
		summarised(sh, p, np, out);
	}
	fputs("}\n", out);
	free(p);
}
