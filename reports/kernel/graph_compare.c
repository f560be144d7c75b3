/* SPDX-License-Identifier: MIT */
/* Two graph documents compared up to renaming of anon_vma IDs. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "graph_compare.h"
#include "graph_doc.h"

struct pair {
	const char *a, *b;
	int64_t pid;			/* where first paired */
	uint64_t start, end;
	bool by_ref;			/* a VMA or chain refers to it */
};

struct cmp {
	struct gdoc A, B;
	FILE *report;
	json_object *a2b, *b2a;		/* the bijection */
	json_object *a2i;		/* A's ID -> its index in pairs */
	json_object *refs_a, *refs_b;	/* IDs compared VMAs refer to */
	struct pair *pairs;
	size_t npairs, cappairs;
	int divergences;
	struct avs_graph_agreement ag;
};

static void diverge(struct cmp *c, int64_t pid, uint64_t start, uint64_t end,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void diverge(struct cmp *c, int64_t pid, uint64_t start, uint64_t end,
		    const char *fmt, ...)
{
	va_list ap;

	c->divergences++;
	if (!c->report)
		return;
	fprintf(c->report, "pid %" PRId64 " vma 0x%" PRIx64 "-0x%" PRIx64 ": ",
		pid, start, end);
	va_start(ap, fmt);
	vfprintf(c->report, fmt, ap);
	va_end(ap);
	fputc('\n', c->report);
}

static const char *map_get(json_object *m, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(m, k, &v) ? json_object_get_string(v)
						   : NULL;
}

/*
 * Pair a (of A) with b (of B).  Returns true if consistent with the
 * bijection so far (pairing them if new); false with why[] explaining.
 */
static bool bind(struct cmp *c, const char *a, const char *b, int64_t pid,
		 uint64_t start, uint64_t end, bool by_ref, char *why,
		 size_t whylen)
{
	const char *ma = map_get(c->a2b, a), *mb = map_get(c->b2a, b);
	struct pair *p;

	if (ma && !strcmp(ma, b))
		goto ok;
	if (ma) {
		snprintf(why, whylen, "maps to a different anon_vma (%s %s "
			 "corresponds to %s %s)", c->A.name, a, c->B.name, ma);
		return false;
	}
	if (mb) {
		snprintf(why, whylen, "maps to a different anon_vma (%s %s "
			 "corresponds to %s %s)", c->B.name, b, c->A.name, mb);
		return false;
	}
	json_object_object_add(c->a2b, a, json_object_new_string(b));
	json_object_object_add(c->b2a, b, json_object_new_string(a));
	json_object_object_add(c->a2i, a,
			       json_object_new_int64((int64_t)c->npairs));
	if (c->npairs == c->cappairs) {
		c->cappairs = c->cappairs ? c->cappairs * 2 : 64;
		c->pairs = gdoc_xrealloc(c->pairs,
					 c->cappairs * sizeof(*c->pairs));
	}
	p = &c->pairs[c->npairs++];
	p->a = a;
	p->b = b;
	p->pid = pid;
	p->start = start;
	p->end = end;
	p->by_ref = false;
ok:
	if (by_ref) {
		json_object *idx;

		json_object_object_get_ex(c->a2i, a, &idx);
		c->pairs[json_object_get_int64(idx)].by_ref = true;
	}
	return true;
}

static void chain_str(const char **ch, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	off += (size_t)snprintf(buf, len, "[");
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", ch[i]);
	if (off < len)
		snprintf(buf + off, len - off, "]");
}

static void compare_vma(struct cmp *c, int64_t pid, const struct gvma *a,
			const struct gvma *b)
{
	bool ok = true;
	char why[512];
	size_t k;

	c->ag.vmas++;
	if (a->end != b->end) {
		diverge(c, pid, a->start, a->end, "end 0x%" PRIx64 " vs 0x%" PRIx64,
			a->end, b->end);
		ok = false;
	}
	if (strcmp(a->perms, b->perms)) {
		diverge(c, pid, a->start, a->end, "perms %s vs %s", a->perms,
			b->perms);
		ok = false;
	}
	if (a->pgoff != b->pgoff) {
		diverge(c, pid, a->start, a->end, "pgoff %" PRIu64 " vs %" PRIu64,
			a->pgoff, b->pgoff);
		ok = false;
	}
	gdoc_set_add(c->refs_a, a->av);
	gdoc_set_add(c->refs_b, b->av);
	for (k = 0; k < a->nchain; k++)
		gdoc_set_add(c->refs_a, a->chain[k]);
	for (k = 0; k < b->nchain; k++)
		gdoc_set_add(c->refs_b, b->chain[k]);
	if (!a->av != !b->av) {
		diverge(c, pid, a->start, a->end, "anon_vma %s vs %s",
			a->av ? a->av : "null", b->av ? b->av : "null");
		ok = false;
	} else if (a->av && !bind(c, a->av, b->av, pid, a->start, a->end, true,
				  why, sizeof(why))) {
		diverge(c, pid, a->start, a->end, "anon_vma %s vs %s: %s", a->av,
			b->av, why);
		ok = false;
	}
	if (ok)
		c->ag.vmas_agree++;

	if (!a->nchain && !b->nchain)
		return;
	c->ag.chains++;
	if (a->nchain != b->nchain) {
		char ca[1024], cb[1024];

		chain_str(a->chain, a->nchain, ca, sizeof(ca));
		chain_str(b->chain, b->nchain, cb, sizeof(cb));
		diverge(c, pid, a->start, a->end, "chain length %zu vs %zu: %s vs %s",
			a->nchain, b->nchain, ca, cb);
		return;
	}
	ok = true;
	for (k = 0; k < a->nchain; k++)
		if (!bind(c, a->chain[k], b->chain[k], pid, a->start, a->end,
			  true, why, sizeof(why))) {
			diverge(c, pid, a->start, a->end, "chain[%zu] %s vs %s: %s",
				k, a->chain[k], b->chain[k], why);
			ok = false;
		}
	if (ok)
		c->ag.chains_agree++;
}

static void compare_proc(struct cmp *c, const struct gproc *pa,
			 const struct gproc *pb)
{
	size_t i = 0, j = 0;

	while (i < pa->n || j < pb->n) {
		const struct gvma *a = i < pa->n ? &pa->v[i] : NULL;
		const struct gvma *b = j < pb->n ? &pb->v[j] : NULL;

		if (a && b && a->start == b->start) {
			compare_vma(c, pa->pid, a, b);
			i++;
			j++;
		} else if (a && (!b || a->start < b->start)) {
			c->ag.vmas++;
			diverge(c, pa->pid, a->start, a->end, "only in %s (%s, "
				"anon_vma %s)", c->A.name, a->perms,
				a->av ? a->av : "null");
			i++;
		} else {
			c->ag.vmas++;
			diverge(c, pa->pid, b->start, b->end, "only in %s (%s, "
				"anon_vma %s)", c->B.name, b->perms,
				b->av ? b->av : "null");
			j++;
		}
	}
}

/* Root, parent and counters of every pair (the list grows as roots and
 * parents are paired). */
static void compare_pairs(struct cmp *c)
{
	size_t i;

	for (i = 0; i < c->npairs; i++) {
		struct pair p = c->pairs[i];	/* bind() may move the array */
		const struct gav *ea = gdoc_av(&c->A, p.a);
		const struct gav *eb = gdoc_av(&c->B, p.b);
		char why[512];
		bool ok = true;

		if (!ea || !eb) {
			if (!p.by_ref)
				continue;	/* only a root/parent name */
			c->ag.anon_vmas++;
			diverge(c, p.pid, p.start, p.end, "anon_vma %s ~ %s: not "
				"in %s's anon_vmas", p.a, p.b,
				!ea ? c->A.name : c->B.name);
			continue;
		}
		c->ag.anon_vmas++;
		if (!bind(c, ea->root, eb->root, p.pid, p.start, p.end, false,
			  why, sizeof(why))) {
			diverge(c, p.pid, p.start, p.end, "anon_vma %s ~ %s: root "
				"%s vs %s: %s", p.a, p.b, ea->root, eb->root, why);
			ok = false;
		}
		if (!bind(c, ea->parent, eb->parent, p.pid, p.start, p.end, false,
			  why, sizeof(why))) {
			diverge(c, p.pid, p.start, p.end, "anon_vma %s ~ %s: "
				"parent %s vs %s: %s", p.a, p.b, ea->parent,
				eb->parent, why);
			ok = false;
		}
		if (ea->nc != eb->nc) {
			diverge(c, p.pid, p.start, p.end, "anon_vma %s ~ %s: "
				"num_children %" PRId64 " vs %" PRId64, p.a, p.b,
				ea->nc, eb->nc);
			ok = false;
		}
		if (ea->na != eb->na) {
			diverge(c, p.pid, p.start, p.end, "anon_vma %s ~ %s: "
				"num_active_vmas %" PRId64 " vs %" PRId64, p.a,
				p.b, ea->na, eb->na);
			ok = false;
		}
		if (ok)
			c->ag.anon_vmas_agree++;
	}
}

static unsigned long unpaired(json_object *refs, json_object *map)
{
	unsigned long n = 0;

	json_object_object_foreach(refs, k, v) {
		(void)v;
		if (!json_object_object_get_ex(map, k, NULL))
			n++;
	}
	return n;
}

void avs_graph_agreement_print(const struct avs_graph_agreement *ag,
			       FILE *out)
{
	fprintf(out, "agree: VMAS %lu/%lu, ANON_VMAS %lu/%lu, CHAINS %lu/%lu\n",
		ag->vmas_agree, ag->vmas, ag->anon_vmas_agree, ag->anon_vmas,
		ag->chains_agree, ag->chains);
}

int avs_graph_compare(const char *json_a, const char *json_b,
		      const char *name_a, const char *name_b, FILE *report,
		      struct avs_graph_agreement *out)
{
	struct cmp c;
	char err[512];
	size_t i;

	memset(&c, 0, sizeof(c));
	if (out)
		memset(out, 0, sizeof(*out));
	name_a = name_a ? name_a : "A";
	name_b = name_b ? name_b : "B";
	if (gdoc_parse(&c.A, json_a, name_a, err, sizeof(err)) ||
	    gdoc_parse(&c.B, json_b, name_b, err, sizeof(err))) {
		if (report)
			fprintf(report, "graph compare: %s\n", err);
		gdoc_free(&c.A);
		return -1;
	}
	c.report = report;
	c.a2b = json_object_new_object();
	c.b2a = json_object_new_object();
	c.a2i = json_object_new_object();
	c.refs_a = json_object_new_object();
	c.refs_b = json_object_new_object();
	if (!c.a2b || !c.b2a || !c.a2i || !c.refs_a || !c.refs_b)
		abort();
	for (i = 0; i < c.A.np; i++) {
		struct gproc *pb = gdoc_proc(&c.B, c.A.p[i].pid);

		if (c.A.p[i].matched)
			continue;	/* a pid listed twice: once */
		c.A.p[i].matched = true;
		if (!pb) {
			if (report)
				fprintf(report, "note: pid %" PRId64 " only in %s\n",
					c.A.p[i].pid, name_a);
			continue;
		}
		pb->matched = true;
		c.ag.pids++;
		compare_proc(&c, &c.A.p[i], pb);
	}
	for (i = 0; i < c.B.np; i++)
		if (!c.B.p[i].matched && report)
			fprintf(report, "note: pid %" PRId64 " only in %s\n",
				c.B.p[i].pid, name_b);
	compare_pairs(&c);
	c.ag.anon_vmas += unpaired(c.refs_a, c.a2b) + unpaired(c.refs_b, c.b2a);
	if (report)
		avs_graph_agreement_print(&c.ag, report);
	if (out)
		*out = c.ag;
	json_object_put(c.a2b);
	json_object_put(c.b2a);
	json_object_put(c.a2i);
	json_object_put(c.refs_a);
	json_object_put(c.refs_b);
	free(c.pairs);
	gdoc_free(&c.A);
	gdoc_free(&c.B);
	return c.divergences;
}
