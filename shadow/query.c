/* SPDX-License-Identifier: MIT */
/* Read-only queries on the shadow for analyses (reports/). */
#include <stdlib.h>
#include "internal.h"

/*
 * Call fn for every pte mapping an anon folio that is mapped more than
 * once (shared between processes after fork, or aliased), in process and
 * address order.
 */
void avs_shadow_shared_mappings(const struct avs_shadow *sh,
				void (*fn)(void *arg, uint64_t folio_id,
					   uint32_t pid, uint64_t addr),
				void *arg)
{
	const struct avs_proc **procs;
	size_t n = avs_shadow_procs(sh, NULL, 0), i, j;

	procs = calloc(n ? n : 1, sizeof(*procs));
	if (!procs)
		abort();
	n = avs_shadow_procs(sh, procs, n);
	for (i = 0; i < n; i++) {
		const struct avs_mm *mm = procs[i]->mm;

		for (j = 0; j < mm->nr_vmas; j++) {
			const struct avs_vma *v = mm->vmas[j];
			uint64_t a = v->vm_start;

			while (avs_pte_next(mm, &a, v->vm_end)) {
				avs_pte_t pte = avs_pte_get(mm, a);
				const struct avs_folio *f = avs_pte_folio(pte);

				if (f && avs_pte_present(pte) &&
				    f->mapcount > folio_nr_pages(f))
					fn(arg, f->id, procs[i]->pid, a);
				a += AVS_PAGE_SIZE;
			}
		}
	}
	free(procs);
}
