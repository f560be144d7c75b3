/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdlib.h>
#include "graph.h"
#include "shadow/model.h"
#include "shadow/vm_flags.h"

static const struct avs_proc **sorted_procs(const struct avs_shadow *sh,
					    size_t *n)
{
	size_t cnt = avs_shadow_procs(sh, NULL, 0);
	const struct avs_proc **v = calloc(cnt ? cnt : 1, sizeof(*v));

	if (!v)
		abort();
	*n = avs_shadow_procs(sh, v, cnt);
	return v;
}

/*
 * {"processes":[{"pid":N,"vmas":[{"start":"0x..","end":"0x..","pgoff":N,
 *  "perms":"rw-p","anon_vma":ID|null,"chain":[ID,...]}]}],
 *  "anon_vmas":[{"id":ID,"root":ID,"parent":ID,"num_children":N,
 *  "num_active_vmas":N}]}
 * IDs are "avN"; chain in list order, the VMA's newest entry first.
 */
void avs_graph_json(const struct avs_shadow *sh, FILE *out)
{
	const struct avs_anon_vma *av;
	const struct avs_proc **procs;
	size_t np, i, j;

	procs = sorted_procs(sh, &np);
	fputs("{\"processes\":[", out);
	for (i = 0; i < np; i++) {
		const struct avs_mm *mm = procs[i]->mm;

		fprintf(out, "%s{\"pid\":%u,\"vmas\":[", i ? "," : "",
			procs[i]->pid);
		for (j = 0; j < mm->nr_vmas; j++) {
			const struct avs_vma *v = mm->vmas[j];
			const struct avs_avc *avc;
			char perms[5];
			bool first = true;

			avs_vm_flags_perms(v->vm_flags, perms);
			fprintf(out, "%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%"
				PRIx64 "\",\"pgoff\":%" PRIu64 ",\"perms\":\"%s\","
				"\"anon_vma\":", j ? "," : "", v->vm_start,
				v->vm_end, v->vm_pgoff, perms);
			if (v->anon_vma)
				fprintf(out, "\"av%" PRIu64 "\"", v->anon_vma->id);
			else
				fputs("null", out);
			fputs(",\"chain\":[", out);
			list_for_each_entry(avc, &v->anon_vma_chain, same_vma) {
				fprintf(out, "%s\"av%" PRIu64 "\"", first ? "" : ",",
					avc->anon_vma->id);
				first = false;
			}
			fputs("]}", out);
		}
		fputs("]}", out);
	}
	fputs("],\"anon_vmas\":[", out);
	for (av = avs_shadow_first_anon_vma(sh), i = 0; av;
	     av = avs_shadow_next_anon_vma(sh, av), i++)
		fprintf(out, "%s{\"id\":\"av%" PRIu64 "\",\"root\":\"av%" PRIu64
			"\",\"parent\":\"av%" PRIu64 "\",\"num_children\":%ld,"
			"\"num_active_vmas\":%ld}", i ? "," : "", av->id,
			av->root->id, av->parent->id, av->num_children,
			av->num_active_vmas);
	fputs("]}\n", out);
	free(procs);
}

/*
 * One line per process VMA and one per anon_vma:
 *   pid 100 0x10000-0x14000 rw-p pgoff=16 av1 [av1]
 *   av1 root=av1 parent=av1 nc=1 na=1 ref=1 avcs=1 folios=2
 */
void avs_graph_text(const struct avs_shadow *sh, FILE *out)
{
	const struct avs_anon_vma *av;
	const struct avs_proc **procs;
	size_t np, i, j;

	procs = sorted_procs(sh, &np);
	for (i = 0; i < np; i++) {
		const struct avs_mm *mm = procs[i]->mm;

		for (j = 0; j < mm->nr_vmas; j++) {
			const struct avs_vma *v = mm->vmas[j];
			const struct avs_avc *avc;
			char perms[5];
			bool first = true;

			avs_vm_flags_perms(v->vm_flags, perms);
			fprintf(out, "pid %u 0x%" PRIx64 "-0x%" PRIx64 " %s pgoff=%"
				PRIu64 " ", procs[i]->pid, v->vm_start, v->vm_end,
				perms, v->vm_pgoff);
			if (v->anon_vma)
				fprintf(out, "av%" PRIu64, v->anon_vma->id);
			else
				fputs("-", out);
			fputs(" [", out);
			list_for_each_entry(avc, &v->anon_vma_chain, same_vma) {
				fprintf(out, "%sav%" PRIu64, first ? "" : " ",
					avc->anon_vma->id);
				first = false;
			}
			fputs("]\n", out);
		}
	}
	for (av = avs_shadow_first_anon_vma(sh); av;
	     av = avs_shadow_next_anon_vma(sh, av))
		fprintf(out, "av%" PRIu64 " root=av%" PRIu64 " parent=av%" PRIu64
			" nc=%ld na=%ld ref=%ld avcs=%lu folios=%lu\n", av->id,
			av->root->id, av->parent->id, av->num_children,
			av->num_active_vmas, av->refcount, av->nr_avcs,
			av->nr_folios);
	free(procs);
}

char *avs_graph_text_string(const struct avs_shadow *sh)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	avs_graph_text(sh, f);
	fclose(f);
	return buf;
}
