/* SPDX-License-Identifier: MIT */
/* Accounted allocation, warnings and hazards of one shadow. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/*
 * The objects of one kind have one size; freed ones are kept on a list
 * (up to AVS_CACHE_BYTES of them) because fork and exit allocate and free
 * them by the thousand.
 */
#define AVS_CACHE_BYTES (8u << 20)

static bool cacheable(enum avs_mem_kind kind)
{
	return kind != AVS_MEM_OTHER;
}

void *avs_alloc(struct avs_shadow *sh, enum avs_mem_kind kind, size_t size)
{
	void *p = NULL;

	if (cacheable(kind) && sh->cached[kind] && sh->cache_size[kind] == size) {
		p = sh->cache[kind];
		sh->cache[kind] = *(void **)p;
		sh->cached[kind]--;
		memset(p, 0, size);
	} else {
		p = calloc(1, size);
	}
	if (!p)
		abort();	/* documented in shadow.h: OOM is fatal */
	sh->mem[kind] += size;
	sh->mem_total += size;
	if (sh->mem_total > sh->mem_peak)
		sh->mem_peak = sh->mem_total;
	return p;
}

void avs_free(struct avs_shadow *sh, enum avs_mem_kind kind, void *p,
	      size_t size)
{
	if (!p)
		return;
	sh->mem[kind] -= size;
	sh->mem_total -= size;
	if (cacheable(kind) && size >= sizeof(void *) &&
	    (sh->cached[kind] + 1) * size <= AVS_CACHE_BYTES &&
	    (!sh->cached[kind] || sh->cache_size[kind] == size)) {
		*(void **)p = sh->cache[kind];
		sh->cache[kind] = p;
		sh->cache_size[kind] = size;
		sh->cached[kind]++;
		return;
	}
	free(p);
}

void avs_cache_release(struct avs_shadow *sh)
{
	int k;

	for (k = 0; k < AVS_MEM_NR; k++) {
		while (sh->cached[k]) {
			void *p = sh->cache[k];

			sh->cache[k] = *(void **)p;
			sh->cached[k]--;
			free(p);
		}
	}
}

/* Grow an array of elem-sized entries to hold at least need entries. */
void *avs_grow_array(struct avs_shadow *sh, void *p, size_t *cap,
		     size_t elem, size_t need)
{
	size_t ncap = *cap ? *cap : 4;
	void *np;

	if (need <= *cap)
		return p;
	while (ncap < need)
		ncap *= 2;
	np = realloc(p, ncap * elem);
	if (!np)
		abort();
	sh->mem[AVS_MEM_OTHER] += (ncap - *cap) * elem;
	sh->mem_total += (ncap - *cap) * elem;
	if (sh->mem_total > sh->mem_peak)
		sh->mem_peak = sh->mem_total;
	*cap = ncap;
	return np;
}

void avs_warn(struct avs_shadow *sh, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (sh->cur)
		n = snprintf(sh->last_warning, sizeof(sh->last_warning),
			     "event %llu (%s pid %u): ",
			     (unsigned long long)sh->nr_events,
			     avs_event_type_name(sh->cur->type) ?: "?",
			     sh->cur->pid);
	if (n < 0 || (size_t)n >= sizeof(sh->last_warning))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(sh->last_warning + n, sizeof(sh->last_warning) - n, fmt, ap);
	va_end(ap);
	sh->warnings++;
	if (sh->diag)
		sh->diag(sh->diag_arg, sh->last_warning);
}

/* Some process and address where folio is mapped (hazards are rare: a
 * search is fine). */
static bool find_mapping(const struct avs_shadow *sh,
			 const struct avs_folio *folio, uint32_t *pid,
			 uint64_t *addr)
{
	const struct avs_proc *p;
	size_t i;

	for (p = sh->procs; p; p = p->hh.next) {
		for (i = 0; i < p->mm->nr_vmas; i++) {
			const struct avs_vma *v = p->mm->vmas[i];
			uint64_t a = v->vm_start;

			while (avs_pte_next(p->mm, &a, v->vm_end)) {
				if (avs_pte_maps(avs_pte_get(p->mm, a), folio)) {
					*pid = p->pid;
					*addr = a;
					return true;
				}
				a += AVS_PAGE_SIZE;
			}
		}
	}
	return false;
}

void avs_hazard(struct avs_shadow *sh, enum avs_hazard_kind kind,
		uint32_t pid, uint64_t addr, const struct avs_folio *folio,
		uint64_t anon_vma_id)
{
	struct avs_hazard *h;

	if (!pid && folio && !find_mapping(sh, folio, &pid, &addr))
		addr = 0;

	sh->hazards = avs_grow_array(sh, sh->hazards, &sh->cap_hazards,
				     sizeof(*h), sh->nr_hazards + 1);
	h = &sh->hazards[sh->nr_hazards++];
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->pid = pid;
	h->addr = addr;
	h->folio_id = folio ? folio->id : 0;
	h->anon_vma_id = anon_vma_id;
	h->seq = sh->cur ? sh->cur->seq : 0;
	h->event_no = sh->nr_events;
	h->event_type = sh->cur ? sh->cur->type : 0;
	h->event_pid = sh->cur ? sh->cur->pid : 0;
}

const char *avs_hazard_kind_name(enum avs_hazard_kind kind)
{
	switch (kind) {
	case AVS_HAZ_STRANDED:
		return "stranded";
	case AVS_HAZ_UNREACHABLE:
		return "unreachable";
	default:
		return "?";
	}
}
