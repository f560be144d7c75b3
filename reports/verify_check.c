/* SPDX-License-Identifier: MIT */
/*
 * The comparison half of avshadow verify (verify.h): one replay of the
 * capture folder; at each `checkpoint verify.N` the shadow's graph,
 * restricted to the processes the kernel's snapshot N holds, is compared
 * with it up to renaming of anon_vmas (avs_graph_compare).  A divergence
 * is shown with the events that touched its process and range before it.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_log.h"
#include "graph.h"
#include "input.h"
#include "verify.h"
#include "kernel/graph_compare.h"
#include "shadow/event_text.h"
#include "shadow/shadow.h"

#define EXPLAIN_EVENTS 10

struct snap {
	unsigned n;
	unsigned long long seq;
	char kind[16];
	int pid;
	int *pids;
	size_t npids;
	unsigned unsettled;
	bool seen;
};

struct vc {
	const char *dir;
	FILE *out;
	struct avs_shadow *sh;
	struct avs_event_log log;
	struct snap *s;
	size_t ns;
	unsigned compared, divergent;
};

static int read_index(struct vc *c)
{
	char path[4096], line[65536];
	FILE *f;

	snprintf(path, sizeof(path), "%s/verify/index", c->dir);
	f = fopen(path, "re");
	if (!f) {
		fprintf(c->out, "avshadow verify: no snapshots in %s (%s)\n",
			c->dir, path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct snap s = { 0 };
		char pids[65536], *p, *q;

		if (sscanf(line, "%u %llu %15s %d %65535s %u", &s.n, &s.seq,
			   s.kind, &s.pid, pids, &s.unsettled) != 6)
			continue;
		for (p = pids; *p; p = q) {
			s.pids = realloc(s.pids, (s.npids + 1) * sizeof(int));
			if (!s.pids)
				abort();
			s.pids[s.npids++] = (int)strtol(p, &q, 10);
			if (*q == ',')
				q++;
			else if (q == p)
				break;
		}
		c->s = realloc(c->s, (c->ns + 1) * sizeof(*c->s));
		if (!c->s)
			abort();
		c->s[c->ns++] = s;
	}
	fclose(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 262144;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The address range an event touches, false if none. */
static bool ev_range(const struct avs_event *ev, uint64_t *s, uint64_t *e)
{
	switch (ev->type) {
	case AVS_EV_VMA:
		*s = ev->u.vma.start, *e = ev->u.vma.end;
		return true;
	case AVS_EV_MMAP:
		*s = ev->u.mmap.start, *e = ev->u.mmap.end;
		return true;
	case AVS_EV_MPROTECT:
		*s = ev->u.mprotect.start, *e = ev->u.mprotect.end;
		return true;
	case AVS_EV_MADVISE:
		*s = ev->u.madvise.start, *e = ev->u.madvise.end;
		return true;
	case AVS_EV_MLOCK:
		*s = ev->u.mlock.start, *e = ev->u.mlock.end;
		return true;
	case AVS_EV_MREMAP:	/* either end of the move */
		*s = ev->u.mremap.old_start < ev->u.mremap.new_start ?
		     ev->u.mremap.old_start : ev->u.mremap.new_start;
		*e = ev->u.mremap.old_end > ev->u.mremap.new_end ?
		     ev->u.mremap.old_end : ev->u.mremap.new_end;
		return true;
	case AVS_EV_BRK:
		*s = ev->u.brk.old_brk < ev->u.brk.new_brk ?
		     ev->u.brk.old_brk : ev->u.brk.new_brk;
		*e = (ev->u.brk.old_brk > ev->u.brk.new_brk ?
		      ev->u.brk.old_brk : ev->u.brk.new_brk) + 1;
		return true;
	case AVS_EV_PAGES:
		*s = ev->u.pages.start;
		*e = *s + (uint64_t)ev->nwords * 4096;
		return true;
	case AVS_EV_MUNMAP:
	case AVS_EV_MUNLOCK:
		*s = ev->u.range.start, *e = ev->u.range.end;
		return true;
	default:
		return false;
	}
}

/* Events of pid (or forking it) that touched [lo, hi), or changed the
 * whole process, the last EXPLAIN_EVENTS of them, oldest first. */
static void explain(struct vc *c, int pid, uint64_t lo, uint64_t hi)
{
	size_t idx[EXPLAIN_EVENTS], n = 0, i = c->log.n;
	char line[4096];

	while (i-- > 0 && n < EXPLAIN_EVENTS) {
		const struct avs_event *ev = &c->log.ev[i];
		uint64_t s, e;
		bool mine = (int)ev->pid == pid ||
			    (ev->type == AVS_EV_FORK && (int)ev->u.fork.child == pid);

		if (!mine || ev->type == AVS_EV_CHECKPOINT ||
		    ev->type == AVS_EV_FRAME || ev->type == AVS_EV_LOAD)
			continue;
		if (!ev_range(ev, &s, &e) || (s < hi && e > lo))
			idx[n++] = i;
	}
	if (n)
		fprintf(c->out, "      events of pid %d there, the last %zu:\n",
			pid, n);
	while (n-- > 0) {
		int len = avs_event_format(&c->log.ev[idx[n]], line, sizeof(line));

		if (len < 0)
			continue;
		while (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 150)
			strcpy(line + 146, " ...");
		fprintf(c->out, "        %s\n", line);
	}
}

static void compare(struct vc *c, struct snap *s)
{
	char *doc = NULL, *mine, *kernel, *rep = NULL, path[4096], err[512];
	size_t len = 0, rlen = 0;
	struct avs_graph_agreement ag = { 0 };
	FILE *f = open_memstream(&doc, &len);
	char *line, *save = NULL;
	int d, notes = 0;

	if (!f)
		abort();
	avs_graph_json(c->sh, f);
	fclose(f);
	mine = avs_graph_filter(doc, s->pids, s->npids, 0, UINT64_MAX, err,
				sizeof(err));
	free(doc);
	snprintf(path, sizeof(path), "%s/verify/%u.json", c->dir, s->n);
	kernel = slurp(path);
	c->compared++;
	if (!mine || !kernel) {
		fprintf(c->out, "verify.%u: cannot compare: %s\n", s->n,
			!mine ? err : "the kernel's graph is missing");
		c->divergent++;
		free(mine);
		free(kernel);
		return;
	}
	f = open_memstream(&rep, &rlen);
	d = avs_graph_compare(kernel, mine, "kernel", "shadow", f, &ag);
	fclose(f);
	for (line = strtok_r(rep, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		notes += !strncmp(line, "note:", 5);
	fprintf(c->out, "%s%u (%s %d, seq %llu, %zu processes%s): ",
		AVS_VERIFY_LABEL, s->n, s->kind, s->pid, s->seq, s->npids,
		s->unsettled ? ", some left out" : "");
	avs_graph_agreement_print(&ag, c->out);
	if (d || notes)
		c->divergent++;
	/* the report again, now with the events behind each line */
	free(rep);
	rep = NULL;
	f = open_memstream(&rep, &rlen);
	avs_graph_compare(kernel, mine, "kernel", "shadow", f, NULL);
	fclose(f);
	for (line = strtok_r(rep, "\n", &save); line && (d || notes);
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long lo = 0, hi = UINT64_MAX;
		int pid;

		if (!strncmp(line, "agree:", 6))
			continue;
		fprintf(c->out, "    DIVERGENCE %s\n", line);
		if (sscanf(line, "pid %d vma 0x%llx-0x%llx", &pid, &lo, &hi) >= 1 ||
		    sscanf(line, "note: pid %d", &pid) == 1)
			explain(c, pid, lo, hi);
	}
	free(rep);
	free(mine);
	free(kernel);
}

static int on_event(void *arg, const struct avs_event *ev)
{
	struct vc *c = arg;
	size_t pl = strlen(AVS_VERIFY_LABEL), i;
	unsigned n;

	avs_shadow_apply(c->sh, ev);
	if (ev->type != AVS_EV_CHECKPOINT) {
		avs_event_log_add(&c->log, ev);
		return 0;
	}
	if (ev->str_len <= pl || memcmp(ev->str, AVS_VERIFY_LABEL, pl))
		return 0;
	n = (unsigned)strtoul(ev->str + pl, NULL, 10);
	for (i = 0; i < c->ns; i++)
		if (c->s[i].n == n && !c->s[i].seen) {
			c->s[i].seen = true;
			compare(c, &c->s[i]);
		}
	return 0;
}

int avs_verify_check(const char *dir, const struct avs_rules *rules,
		     FILE *out)
{
	struct vc c = { .dir = dir, .out = out };
	struct avs_input_status st;
	char err[512];
	size_t i;
	int ret;

	if (read_index(&c))
		return 2;
	c.sh = avs_shadow_new(rules);
	if (!c.sh)
		abort();
	ret = avs_read_input(dir, on_event, &c, &st, err, sizeof(err));
	if (ret < 0)
		fprintf(out, "avshadow verify: %s\n", err);
	for (i = 0; i < c.ns; i++) {
		if (!c.s[i].seen) {
			fprintf(out, "%s%u: its checkpoint is not in the traces\n",
				AVS_VERIFY_LABEL, c.s[i].n);
			c.divergent++;
		}
		free(c.s[i].pids);
	}
	fprintf(out, "verify: %u snapshots compared with the %s shadow, %u "
		"agree, %u diverge\n", c.compared, avs_shadow_rules(c.sh)->name,
		c.compared - (c.divergent < c.compared ? c.divergent : c.compared),
		c.divergent);
	free(c.s);
	avs_event_log_free(&c.log);
	avs_shadow_free(c.sh);
	return ret < 0 ? 2 : c.divergent ? 1 : 0;
}
