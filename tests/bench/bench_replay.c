/* SPDX-License-Identifier: MIT */
/*
 * Shadow throughput and memory.  Prints figures; asserts nothing.
 *
 *   bench_replay [EVENTS]   (default 10,000,000)
 *
 * 1. A generated stream: up to 48 processes in 256 MiB arenas doing
 *    faults, mmap, munmap, mprotect, mremap moves, madvise(DONTNEED), brk,
 *    fork and exit, with a fixed seed (so runs are comparable).
 * 2. Rik van Riel's case: 1000 children each COWing a 1000-page VMA.
 * For each: events per second, peak RSS, shadow bytes per VMA and per
 * mapped page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "shadow/shadow.h"
#include "shadow/model.h"

#define ARENA		(256ULL << 20)
#define ARENA_BASE(i)	(0x100000000000ULL + (uint64_t)(i) * (1ULL << 32))
#define MAX_PROCS	48
#define PG		4096ULL

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

struct gen {
	struct avs_shadow *sh;
	uint32_t pids[MAX_PROCS];
	unsigned arena[MAX_PROCS];	/* arena slot of each process */
	unsigned nprocs;
	uint32_t next_pid;
	unsigned next_arena;
	uint64_t brk[MAX_PROCS];
	uint64_t events, warnings;
};

static void emit(struct gen *g, struct avs_event *ev)
{
	ev->seq = ++g->events;
	if (avs_shadow_apply(g->sh, ev))
		g->warnings++;
}

static const struct avs_vma *random_vma(struct gen *g, uint32_t pid)
{
	const struct avs_proc *p = avs_shadow_find_proc(g->sh, pid);

	if (!p || !p->mm->nr_vmas)
		return NULL;
	return p->mm->vmas[rnd() % p->mm->nr_vmas];
}

static void random_range(uint64_t base, uint64_t *s, uint64_t *e,
			 unsigned max_pages)
{
	uint64_t pages = 1 + rnd() % max_pages;

	*s = base + (rnd() % (ARENA / PG - pages)) * PG;
	*e = *s + pages * PG;
}

static void add_process(struct gen *g, uint32_t pid)
{
	struct avs_event ev = { .type = AVS_EV_START, .pid = pid };
	unsigned i = g->nprocs++;

	g->pids[i] = pid;
	g->arena[i] = g->next_arena++;
	g->brk[i] = ARENA_BASE(g->arena[i]) + ARENA;
	ev.u.start.start_brk = ev.u.start.brk = g->brk[i];
	emit(g, &ev);
}

static void one_event(struct gen *g)
{
	unsigned i = (unsigned)(rnd() % g->nprocs);
	uint32_t pid = g->pids[i];
	uint64_t base = ARENA_BASE(g->arena[i]);
	struct avs_event ev = { .pid = pid };
	const struct avs_vma *v;
	unsigned op = (unsigned)(rnd() % 10000);

	if (op < 6000) {			/* write fault */
		v = random_vma(g, pid);
		if (!v)
			goto mmap;
		ev.type = AVS_EV_FAULT;
		ev.u.fault.addr = v->vm_start +
			(rnd() % ((v->vm_end - v->vm_start) / PG)) * PG;
		ev.u.fault.access = rnd() % 8 && (v->vm_flags & 0x2) ?
			AVS_FAULT_WRITE : AVS_FAULT_READ;	/* VM_WRITE */
	} else if (op < 7200) {
mmap:
		ev.type = AVS_EV_MMAP;
		random_range(base, &ev.u.mmap.start, &ev.u.mmap.end, 64);
		ev.u.mmap.prot = AVS_PROT_READ | (rnd() % 4 ? AVS_PROT_WRITE : 0);
		ev.u.mmap.flags = AVS_MAP_PRIVATE | AVS_MAP_ANONYMOUS |
				  AVS_MAP_FIXED;
	} else if (op < 8000) {
		ev.type = AVS_EV_MUNMAP;
		random_range(base, &ev.u.range.start, &ev.u.range.end, 32);
	} else if (op < 9000) {
		v = random_vma(g, pid);
		if (!v)
			goto mmap;
		ev.type = AVS_EV_MPROTECT;
		ev.u.mprotect.start = v->vm_start +
			(rnd() % ((v->vm_end - v->vm_start) / PG)) * PG;
		ev.u.mprotect.end = ev.u.mprotect.start + PG *
			(1 + rnd() % ((v->vm_end - ev.u.mprotect.start) / PG));
		ev.u.mprotect.prot = AVS_PROT_READ | (rnd() % 2 ? AVS_PROT_WRITE : 0);
	} else if (op < 9300) {
		uint64_t len;

		v = random_vma(g, pid);
		if (!v)
			goto mmap;
		len = v->vm_end - v->vm_start;
		ev.type = AVS_EV_MREMAP;
		ev.u.mremap.old_start = v->vm_start;
		ev.u.mremap.old_end = v->vm_end;
		ev.u.mremap.new_start = base + (rnd() % ((ARENA - len) / PG)) * PG;
		ev.u.mremap.new_end = ev.u.mremap.new_start + len;
		ev.u.mremap.flags = AVS_MREMAP_MAYMOVE | AVS_MREMAP_FIXED;
		if (ev.u.mremap.new_start < v->vm_end &&
		    ev.u.mremap.new_end > v->vm_start)
			return;		/* overlapping: EINVAL in the kernel */
	} else if (op < 9600) {
		ev.type = AVS_EV_MADVISE;
		random_range(base, &ev.u.madvise.start, &ev.u.madvise.end, 16);
		ev.u.madvise.advice = AVS_MADV_DONTNEED;
	} else if (op < 9990) {
		uint64_t old = g->brk[i];
		uint64_t delta = (1 + rnd() % 8) * PG;

		ev.type = AVS_EV_BRK;
		ev.u.brk.old_brk = old;
		ev.u.brk.new_brk = rnd() % 3 || old - delta < base + ARENA ?
			old + delta : old - delta;
		if (ev.u.brk.new_brk > base + ARENA + (64ULL << 20))
			ev.u.brk.new_brk = old;
		g->brk[i] = ev.u.brk.new_brk;
	} else if (op < 9996 && g->nprocs < MAX_PROCS) {
		unsigned c = g->nprocs++;

		ev.type = AVS_EV_FORK;
		ev.u.fork.child = g->next_pid++;
		g->pids[c] = ev.u.fork.child;
		g->arena[c] = g->arena[i];	/* same layout as the parent */
		g->brk[c] = g->brk[i];
	} else if (g->nprocs > 1) {
		ev.type = AVS_EV_EXIT;
		g->pids[i] = g->pids[g->nprocs - 1];
		g->arena[i] = g->arena[g->nprocs - 1];
		g->brk[i] = g->brk[g->nprocs - 1];
		g->nprocs--;
	} else {
		return;
	}
	emit(g, &ev);
}

static void report(const char *name, struct avs_shadow *sh, uint64_t events,
		   double secs)
{
	const struct avs_counts *c = avs_shadow_counts(sh);
	struct avs_cost cost;
	struct avs_mem m;
	size_t peak;
	double t0 = now();

	avs_rmap_cost(sh, &cost, NULL, NULL);
	avs_shadow_mem(sh, &m);
	avs_shadow_mem_bytes(sh, &peak);
	printf("%s\n", name);
	printf("  events            %" PRIu64 " in %.2f s = %.0f events/s\n",
	       events, secs, (double)events / secs);
	printf("  cost analysis     %.3f s (%" PRIu64 " folios, %" PRIu64
	       " visits)\n", now() - t0, cost.folios, cost.visits);
	printf("  live              %" PRIu64 " procs, %" PRIu64 " VMAs, %" PRIu64
	       " anon_vmas, %" PRIu64 " AVCs, %" PRIu64 " folios\n",
	       c->procs, c->vmas, c->anon_vmas, c->avcs, c->folios);
	printf("  shadow memory     %.1f MiB now, %.1f MiB peak; process peak RSS %.1f MiB\n",
	       (double)avs_shadow_mem_bytes(sh, NULL) / 1048576.0,
	       (double)peak / 1048576.0, (double)peak_rss_kib() / 1024.0);
	if (c->vmas)
		printf("  bytes per VMA     %.1f (VMA %zu B + its share of "
		       "AVCs and anon_vmas)\n",
		       (double)(m.vma + m.avc + m.anon_vma) / (double)c->vmas,
		       sizeof(struct avs_vma));
	if (cost.pages)
		printf("  bytes per page    %.1f (folios + page tables, per "
		       "mapped anon page)\n",
		       (double)(m.folio + m.page_table) / (double)cost.pages);
	avs_cost_release(&cost);
}

static void bench_generated(uint64_t n)
{
	struct gen g = { .next_pid = 2 };
	double t0;

	g.sh = avs_shadow_new(NULL);
	add_process(&g, 1);
	t0 = now();
	while (g.events < n)
		one_event(&g);
	report("generated stream (48 processes at most, fixed seed)", g.sh,
	       g.events, now() - t0);
	printf("  did not fit       %" PRIu64 " events (expected: random "
	       "munmap/madvise of holes)\n", g.warnings);
	avs_shadow_free(g.sh);
}

static void bench_rik(void)
{
	struct avs_shadow *sh = avs_shadow_new(NULL);
	struct avs_event ev = { .type = AVS_EV_START, .pid = 1 };
	uint64_t events = 0, base = 0x40000000ULL;
	double t0 = now();
	uint32_t c, i;

	avs_shadow_apply(sh, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.type = AVS_EV_MMAP;
	ev.pid = 1;
	ev.u.mmap.start = base;
	ev.u.mmap.end = base + 1000 * PG;
	ev.u.mmap.prot = AVS_PROT_READ | AVS_PROT_WRITE;
	ev.u.mmap.flags = AVS_MAP_PRIVATE | AVS_MAP_ANONYMOUS;
	avs_shadow_apply(sh, &ev);
	events += 2;
	for (c = 0; c <= 1000; c++) {
		uint32_t pid = c ? 1 + c : 1;

		if (c) {
			memset(&ev, 0, sizeof(ev));
			ev.type = AVS_EV_FORK;
			ev.pid = 1;
			ev.u.fork.child = pid;
			avs_shadow_apply(sh, &ev);
			events++;
		}
		for (i = 0; i < 1000; i++) {
			memset(&ev, 0, sizeof(ev));
			ev.type = AVS_EV_FAULT;
			ev.pid = pid;
			ev.u.fault.addr = base + i * PG;
			ev.u.fault.access = AVS_FAULT_WRITE;
			avs_shadow_apply(sh, &ev);
			events++;
		}
	}
	report("1000 children x 1000 COWed pages", sh, events, now() - t0);
	avs_shadow_free(sh);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000ULL;

	bench_generated(n);
	bench_rik();
	return 0;
}
