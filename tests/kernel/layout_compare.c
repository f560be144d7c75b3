/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, driver side: the shadow's VMAs at a checkpoint, compared
 * with the kernel's and printed.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shadow/model.h"
#include "reports/graph.h"

#include "layout_compare.h"
#include "layout_harness.h"
#include "layout_vmflags.h"

/* An address as region page "R+n" or heap page "H+n". */
static const char *rel(const struct layout_cp *cp, uint64_t a, char *buf,
		       size_t n)
{
	if (a >= cp->rs && a <= cp->re)
		snprintf(buf, n, "R+%" PRIu64, (a - cp->rs) / PG);
	else if (cp->have_heap && a >= (cp->sbrk & ~(PG - 1)))
		snprintf(buf, n, "H+%" PRIu64,
			 (a - (cp->sbrk & ~(PG - 1))) / PG);
	else
		snprintf(buf, n, "0x%" PRIx64, a);
	return buf;
}

static int lvma_cmp(const void *a, const void *b)
{
	const struct lvma *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

/* The shadow's VMAs of pid that the kernel lines cover: inside the
 * region, or [heap]-like (vma_is_initial_heap) when a heap was reported. */
static int shadow_vmas(struct avs_shadow *sh, const struct layout_cp *cp,
		       struct lvma *v)
{
	char *g = avs_graph_text_string(sh), *line, *next;
	const struct avs_proc *proc = avs_shadow_find_proc(sh, cp->pid);
	int n = 0;

	for (line = g; line && *line; line = next) {
		unsigned gpid;
		uint64_t s, e, pgoff;
		char perms[8];
		int off = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "pid %u 0x%" SCNx64 "-0x%" SCNx64 " %7s pgoff=%"
			   SCNu64 " %n", &gpid, &s, &e, perms, &pgoff, &off) < 5 ||
		    gpid != cp->pid)
			continue;
		if (!((s < cp->re && e > cp->rs) ||
		      (cp->have_heap && s < cp->brk && e > cp->sbrk)))
			continue;
		if (n == MAXV)
			break;
		v[n].s = s;
		v[n].e = e;
		snprintf(v[n].perms, sizeof(v[n].perms), "%s", perms);
		v[n].has_flags = false;
		for (size_t i = 0; proc && i < proc->mm->nr_vmas; i++)
			if (proc->mm->vmas[i]->vm_start == s) {
				v[n].flags = proc->mm->vmas[i]->vm_flags;
				v[n].has_flags = true;
			}
		if (s >= cp->rs && s < cp->re)
			snprintf(v[n].extra, sizeof(v[n].extra),
				 "pgoff=R+%" PRId64 " %s",
				 (int64_t)(pgoff - cp->rs / PG), line + off);
		else
			snprintf(v[n].extra, sizeof(v[n].extra),
				 "pgoff=0x%" PRIx64 " %s", pgoff, line + off);
		n++;
	}
	free(g);
	qsort(v, (size_t)n, sizeof(*v), lvma_cmp);
	return n;
}

/* "      [R+0, R+4) rw-p  {rd wr mr mw me ac}[  EXTRA]" a VMA. */
static void print_vmas(FILE *out, const struct layout_cp *cp,
		       const char *who, const struct lvma *v, int n,
		       bool extra)
{
	char b1[32], b2[32], fl[128];
	int i;

	fprintf(out, "    %s:\n", who);
	for (i = 0; i < n; i++)
		fprintf(out, "      [%s, %s) %s  {%s}%s%s\n",
			rel(cp, v[i].s, b1, sizeof(b1)),
			rel(cp, v[i].e, b2, sizeof(b2)), v[i].perms,
			vmflags_str(v[i].flags, fl, sizeof(fl)),
			extra ? "  " : "", extra ? v[i].extra : "");
}

bool compare_checkpoint(struct avs_shadow *sh, struct layout_cp *cp,
			bool verbose, FILE *out)
{
	static struct lvma s[MAXV];
	int ns = shadow_vmas(sh, cp, s), i;
	bool same = ns == cp->nk;

	qsort(cp->k, (size_t)cp->nk, sizeof(cp->k[0]), lvma_cmp);
	for (i = 0; same && i < ns; i++)
		same = s[i].s == cp->k[i].s && s[i].e == cp->k[i].e &&
		       !strcmp(s[i].perms, cp->k[i].perms) &&
		       s[i].has_flags && cp->k[i].has_flags &&
		       !((s[i].flags ^ cp->k[i].flags) & CMP_FLAGS);
	if (same && !verbose)
		return true;
	fprintf(out, "  checkpoint %s (pid %u): %s\n", cp->label, cp->pid,
		same ? "same" : "DIFFERENT");
	print_vmas(out, cp, "kernel", cp->k, cp->nk, false);
	print_vmas(out, cp, "shadow", s, ns, true);
	return same;
}
