/* SPDX-License-Identifier: MIT */
/* The task_vma iterator's lines (kgraph.bpf.c) parsed, and the graph
 * written as JSON or text. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "kgraph_internal.h"

void kg_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void *kg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

struct kg_proc *kg_find_proc(struct kg *kg, int pid)
{
	size_t i;

	for (i = 0; i < kg->nprocs; i++)
		if (kg->procs[i].pid == pid)
			return &kg->procs[i];
	return NULL;
}

static void add_av(struct kg *kg, const struct kg_av *a)
{
	if (kg->navs == kg->capavs) {
		kg->capavs = kg->capavs ? kg->capavs * 2 : 64;
		kg->avs = kg_xrealloc(kg->avs, kg->capavs * sizeof(*kg->avs));
	}
	kg->avs[kg->navs++] = *a;
}

static int av_cmp(const void *a, const void *b)
{
	const struct kg_av *x = a, *y = b;

	return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

static struct kg_av *lookup_av(struct kg *kg, uint64_t ptr)
{
	struct kg_av key = { .ptr = ptr };

	return bsearch(&key, kg->avs, kg->navs, sizeof(key), av_cmp);
}

int kg_parse(struct kg *kg, char *err, size_t errlen)
{
	struct kg_vma *cur = NULL;
	char *line, *next;
	unsigned long lineno = 0;
	size_t i, j;

	for (line = kg->raw; line && *line; line = next) {
		struct kg_av a = { 0 };
		unsigned long long s, e, pg, fl, av, n;
		unsigned int tgid;
		long idx;
		int trunc;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		switch (line[0]) {
		case 'V': {
			struct kg_proc *p;

			if (sscanf(line, "V %u %llx %llx %llu %llx %llx", &tgid,
				   &s, &e, &pg, &fl, &av) != 6)
				goto bad;
			p = kg_find_proc(kg, (int)tgid);
			if (!p) {	/* not asked for: cannot happen */
				cur = NULL;
				break;
			}
			if (p->n == p->cap) {
				p->cap = p->cap ? p->cap * 2 : 32;
				p->v = kg_xrealloc(p->v, p->cap * sizeof(*p->v));
			}
			cur = &p->v[p->n++];
			memset(cur, 0, sizeof(*cur));
			cur->start = s;
			cur->end = e;
			cur->pgoff = pg;
			cur->flags = fl;
			cur->av = av;
			break;
		}
		case 'A':
			if (sscanf(line, "A %llx %llx %llx %llu %llu %d", &av, &s,
				   &e, &pg, &fl, &a.ref) != 6)
				goto bad;
			a.ptr = av;
			a.root = s;
			a.parent = e;
			a.nc = pg;
			a.na = fl;
			add_av(kg, &a);
			break;
		case 'C':
			if (sscanf(line, "C %ld %llx %llx %llx %llu %llu %d", &idx,
				   &av, &s, &e, &pg, &fl, &a.ref) != 7)
				goto bad;
			a.ptr = av;
			a.root = s;
			a.parent = e;
			a.nc = pg;
			a.na = fl;
			add_av(kg, &a);
			if (!cur)
				break;
			if (idx != (long)cur->nchain)
				goto bad;
			if (cur->nchain == cur->cap) {
				cur->cap = cur->cap ? cur->cap * 2 : 8;
				cur->chain = kg_xrealloc(cur->chain,
						      cur->cap * sizeof(uint64_t));
			}
			cur->chain[cur->nchain++] = av;
			break;
		case 'E':
			if (sscanf(line, "E %u %llx %llu %d", &tgid, &s, &n,
				   &trunc) != 4)
				goto bad;
			if (cur) {
				if (s != cur->start || n != cur->nchain)
					goto bad;
				if (trunc) {
					kg_seterr(err, errlen, "pid %u vma 0x%llx-0x%"
					       PRIx64 ": anon_vma_chain longer than "
					       "the iterator's limit of 256 entries",
					       tgid, s, cur->end);
					return -1;
				}
			}
			cur = NULL;
			break;
		case '\0':
			break;
		default:
			goto bad;
		}
	}
	if (cur) {
		kg_seterr(err, errlen, "iterator output ends inside a VMA");
		return -1;
	}
	/* sort by address, one record per anon_vma (the iterator reads
	 * each anon_vma once per reference: the processes are expected to
	 * be stopped, so the records agree) */
	if (kg->navs) {
		qsort(kg->avs, kg->navs, sizeof(*kg->avs), av_cmp);
		for (i = 1, j = 0; i < kg->navs; i++)
			if (kg->avs[i].ptr != kg->avs[j].ptr)
				kg->avs[++j] = kg->avs[i];
		kg->navs = j + 1;
	}
	return 0;
bad:
	kg_seterr(err, errlen, "unexpected iterator output, line %lu: '%.80s'",
	       lineno, line);
	return -1;
}

/* ---- output ---- */

static void perms(uint64_t f, char out[5])
{
	out[0] = f & KG_VM_READ ? 'r' : '-';
	out[1] = f & KG_VM_WRITE ? 'w' : '-';
	out[2] = f & KG_VM_EXEC ? 'x' : '-';
	out[3] = f & KG_VM_MAYSHARE ? 's' : 'p';
	out[4] = '\0';
}

/* Print av's entry (once) in the anon_vmas list. */
static void list_av(struct kg *kg, uint64_t ptr, FILE *out, bool json,
		    size_t *count)
{
	struct kg_av *a = lookup_av(kg, ptr);

	if (!a || a->listed)
		return;
	a->listed = true;
	if (json)
		fprintf(out, "%s{\"id\":\"k%" PRIx64 "\",\"root\":\"k%" PRIx64
			"\",\"parent\":\"k%" PRIx64 "\",\"num_children\":%"
			PRIu64 ",\"num_active_vmas\":%" PRIu64 "}",
			*count ? "," : "", a->ptr, a->root, a->parent, a->nc,
			a->na);
	else
		fprintf(out, "k%" PRIx64 " root=k%" PRIx64 " parent=k%" PRIx64
			" nc=%" PRIu64 " na=%" PRIu64 " ref=%d\n", a->ptr,
			a->root, a->parent, a->nc, a->na, a->ref);
	(*count)++;
}

void kg_write(struct kg *kg, FILE *out, bool json)
{
	size_t i, j, k, count = 0;
	char pr[5];

	if (json)
		fputs("{\"processes\":[", out);
	for (i = 0; i < kg->nprocs; i++) {
		const struct kg_proc *p = &kg->procs[i];

		if (json)
			fprintf(out, "%s{\"pid\":%d,\"vmas\":[", i ? "," : "",
				p->pid);
		for (j = 0; j < p->n; j++) {
			const struct kg_vma *v = &p->v[j];

			perms(v->flags, pr);
			if (json) {
				fprintf(out, "%s{\"start\":\"0x%" PRIx64
					"\",\"end\":\"0x%" PRIx64 "\",\"pgoff\":%"
					PRIu64 ",\"perms\":\"%s\",\"anon_vma\":",
					j ? "," : "", v->start, v->end, v->pgoff,
					pr);
				if (v->av)
					fprintf(out, "\"k%" PRIx64 "\"", v->av);
				else
					fputs("null", out);
				fputs(",\"chain\":[", out);
				for (k = 0; k < v->nchain; k++)
					fprintf(out, "%s\"k%" PRIx64 "\"",
						k ? "," : "", v->chain[k]);
				fputs("]}", out);
			} else {
				fprintf(out, "pid %d 0x%" PRIx64 "-0x%" PRIx64
					" %s pgoff=%" PRIu64 " ", p->pid,
					v->start, v->end, pr, v->pgoff);
				if (v->av)
					fprintf(out, "k%" PRIx64, v->av);
				else
					fputs("-", out);
				fputs(" [", out);
				for (k = 0; k < v->nchain; k++)
					fprintf(out, "%sk%" PRIx64, k ? " " : "",
						v->chain[k]);
				fputs("]\n", out);
			}
		}
		if (json)
			fputs("]}", out);
	}
	if (json)
		fputs("],\"anon_vmas\":[", out);
	for (i = 0; i < kg->nprocs; i++) {
		const struct kg_proc *p = &kg->procs[i];

		for (j = 0; j < p->n; j++) {
			const struct kg_vma *v = &p->v[j];

			if (v->av)
				list_av(kg, v->av, out, json, &count);
			for (k = 0; k < v->nchain; k++)
				list_av(kg, v->chain[k], out, json, &count);
		}
	}
	if (json)
		fputs("]}\n", out);
}

void kg_free(struct kg *kg)
{
	size_t i, j;

	for (i = 0; i < kg->nprocs; i++) {
		for (j = 0; j < kg->procs[i].n; j++)
			free(kg->procs[i].v[j].chain);
		free(kg->procs[i].v);
	}
	free(kg->procs);
	free(kg->avs);
	free(kg->raw);
}
