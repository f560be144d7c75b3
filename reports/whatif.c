/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "whatif.h"

struct mapping {
	uint64_t folio;
	uint32_t pid;
	uint64_t addr;
};

struct mappings {
	struct mapping *v;
	size_t n, cap;
};

static void collect(void *arg, uint64_t folio, uint32_t pid, uint64_t addr)
{
	struct mappings *m = arg;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	m->v[m->n++] = (struct mapping){ folio, pid, addr };
}

static int by_folio(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	if (x->folio != y->folio)
		return x->folio < y->folio ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* A point where sharing is at its widest: right after a fork, right before
 * something that ends a mapping. */
static bool after_is_candidate(const struct avs_event_log *log, size_t i)
{
	unsigned next = i + 1 < log->n ? log->ev[i + 1].type : AVS_EV_NONE;

	return log->ev[i].type == AVS_EV_FORK || next == AVS_EV_EXIT ||
	       next == AVS_EV_MUNMAP || next == AVS_EV_MREMAP ||
	       next == AVS_EV_EXEC;
}

struct try {
	size_t after;
	struct mapping m[AVS_WHATIF_MAX_MAPPERS];
	size_t n;
	size_t first;
};

static void replay(const struct avs_event_log *log, const struct try *t,
		   const struct avs_event *ins, size_t nins,
		   const struct avs_rules *rules, struct avs_whatif_finding *out,
		   size_t baseline_prefix, bool *found)
{
	struct avs_shadow *sh = avs_shadow_new(rules);
	const struct avs_hazard *h;
	size_t i, j, nh;

	if (!sh)
		abort();
	*found = false;
	for (i = 0; i < log->n && !*found; i++) {
		avs_shadow_apply(sh, &log->ev[i]);
		if (i == t->after)
			for (j = 0; j < nins; j++)
				avs_shadow_apply(sh, &ins[j]);
		h = avs_shadow_hazards(sh, &nh);
		if (i >= t->after && nh > baseline_prefix) {
			*found = true;
			out->hazard = h[baseline_prefix];
			out->hazard_at = i;
		}
	}
	avs_shadow_free(sh);
}

/* Hazards the plain stream has up to and including event i. */
static size_t *baseline_counts(const struct avs_event_log *log,
			       const struct avs_rules *rules)
{
	struct avs_shadow *sh = avs_shadow_new(rules);
	size_t *c = calloc(log->n ? log->n : 1, sizeof(*c)), i;

	if (!sh || !c)
		abort();
	for (i = 0; i < log->n; i++) {
		avs_shadow_apply(sh, &log->ev[i]);
		avs_shadow_hazards(sh, &c[i]);
	}
	avs_shadow_free(sh);
	return c;
}

static void make_inserts(const struct try *t, struct avs_event *ins,
			 size_t *nins)
{
	size_t k, n = 0;

	memset(ins, 0, sizeof(*ins) * (1 + t->n));
	ins[n].type = AVS_EV_SWAPOUT;	/* reclaim unmaps it everywhere */
	ins[n].pid = t->m[0].pid;
	ins[n].flags = AVS_EVF_INFERRED;
	ins[n].u.range.start = t->m[0].addr;
	ins[n++].u.range.end = t->m[0].addr + 4096;
	for (k = 0; k < t->n; k++) {	/* first toucher, then the others */
		const struct mapping *m = &t->m[(t->first + k) % t->n];

		ins[n].type = AVS_EV_SWAPIN;
		ins[n].pid = m->pid;
		ins[n].flags = AVS_EVF_INFERRED;
		ins[n].u.range.start = m->addr;
		ins[n++].u.range.end = m->addr + 4096;
	}
	*nins = n;
}

/* Tries: for each candidate point and each group of processes sharing a
 * page there (one page per distinct group), each process first. */
static struct try *plan(const struct avs_event_log *log,
			const struct avs_rules *rules, size_t *ntries,
			size_t *candidates)
{
	struct avs_shadow *sh = avs_shadow_new(rules);
	struct mappings m = { 0 };
	struct try *tries = NULL;
	size_t n = 0, cap = 0, i, a, b, k;
	char (*seen)[64] = NULL;
	size_t nseen = 0, capseen = 0;

	if (!sh)
		abort();
	*candidates = 0;
	for (i = 0; i < log->n; i++) {
		avs_shadow_apply(sh, &log->ev[i]);
		if (!after_is_candidate(log, i))
			continue;
		m.n = 0;
		avs_shadow_shared_mappings(sh, collect, &m);
		if (m.n)
			qsort(m.v, m.n, sizeof(*m.v), by_folio);
		for (a = 0; a < m.n; a = b) {
			char key[64];
			size_t len = 0, s;

			for (b = a; b < m.n && m.v[b].folio == m.v[a].folio; b++)
				;
			if (b - a < 2 || b - a > AVS_WHATIF_MAX_MAPPERS)
				continue;
			for (k = a; k < b && len < sizeof(key) - 12; k++)
				len += (size_t)snprintf(key + len, sizeof(key) - len,
							"%u,", m.v[k].pid);
			for (s = 0; s < nseen && strcmp(seen[s], key); s++)
				;
			if (s < nseen)
				continue;	/* this group was planned already */
			if (nseen == capseen) {
				capseen = capseen ? capseen * 2 : 16;
				seen = realloc(seen, capseen * sizeof(*seen));
				if (!seen)
					abort();
			}
			memcpy(seen[nseen++], key, sizeof(key));
			(*candidates)++;
			for (k = 0; k < b - a; k++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					tries = realloc(tries, cap * sizeof(*tries));
					if (!tries)
						abort();
				}
				tries[n].after = i;
				tries[n].n = b - a;
				memcpy(tries[n].m, &m.v[a], (b - a) * sizeof(*m.v));
				tries[n++].first = k;
			}
		}
	}
	free(m.v);
	free(seen);
	avs_shadow_free(sh);
	*ntries = n;
	return tries;
}

int avs_whatif_search(const struct avs_event_log *log, struct avs_whatif *w)
{
	size_t max_replays = w->max_replays ? w->max_replays : 500;
	size_t max_found = w->max_found ? w->max_found : 10;
	size_t ntries, i, *base;
	struct try *tries;

	w->replays = 0;
	w->bound_hit = false;
	tries = plan(log, w->rules, &ntries, &w->candidates);
	base = baseline_counts(log, w->rules);
	for (i = 0; i < ntries && w->nfound < max_found; i++) {
		struct avs_whatif_finding f = { 0 };
		bool found;

		if (w->replays++ >= max_replays) {
			w->bound_hit = true;
			break;
		}
		make_inserts(&tries[i], f.inserted, &f.ninserted);
		replay(log, &tries[i], f.inserted, f.ninserted, w->rules, &f,
		       base[tries[i].after], &found);
		if (!found)
			continue;
		f.after = tries[i].after;
		f.first_pid = tries[i].m[tries[i].first].pid;
		f.first_addr = tries[i].m[tries[i].first].addr;
		w->found = realloc(w->found, (w->nfound + 1) * sizeof(*w->found));
		if (!w->found)
			abort();
		w->found[w->nfound++] = f;
	}
	free(base);
	free(tries);
	return 0;
}

void avs_whatif_release(struct avs_whatif *w)
{
	free(w->found);
	w->found = NULL;
	w->nfound = 0;
}

const struct avs_event **avs_whatif_stream(const struct avs_event_log *log,
					   const struct avs_whatif_finding *f,
					   size_t *n)
{
	const struct avs_event **s = malloc((log->n + f->ninserted) * sizeof(*s));
	size_t i, j, k = 0;

	if (!s)
		abort();
	for (i = 0; i < log->n; i++) {
		s[k++] = &log->ev[i];
		if (i == f->after)
			for (j = 0; j < f->ninserted; j++)
				s[k++] = &f->inserted[j];
	}
	*n = k;
	return s;
}
