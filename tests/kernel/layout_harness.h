/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout: the scenario side, what runs in the forked scenario
 * processes (no malloc, no stdio there).  Each operation is done for real
 * and written to the stream as the equivalent avshadow text event;
 * checkpoint() copies the kernel's VMAs from /proc/self/smaps into the
 * stream (the protocol is described in kernel_layout.c).
 *
 * Page numbers are relative to the base of the process's private region
 * of REGION_PAGES pages.
 */
#ifndef KERNEL_LAYOUT_HARNESS_H
#define KERNEL_LAYOUT_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

#define PG		4096UL
#define REGION_PAGES	16384UL		/* 64 MiB */
#define PROC_TIMEOUT	20		/* seconds, alarm() per process */

struct scenario {
	const char *name;
	void (*fn)(void);
	bool heap;		/* report [heap] lines at checkpoints */
	const char *what;
};

/* layout_scenarios.c: every scenario, in the order they run. */
extern const struct scenario scenarios[];
extern const size_t nr_scenarios;

/*
 * layout_stream.c: the scenario process P, a fork child of the driver:
 * seed the stream (written to fd), reserve the region, run sc, exit.
 */
void scenario_main(const struct scenario *sc, int fd)
	__attribute__((noreturn));

/* layout_ops.c: mappings, in pages [p, p + n) */
void do_map(long p, long n, int prot);	/* private anonymous, MAP_FIXED */
void do_unmap(long p, long n);
void do_prot(long p, long n, int prot);
void do_madv(long p, long n, int advice, const char *name);
void do_mlock(long p, long n, bool lock);	/* mlock or munlock */
void do_move(long op, long n, long np, bool dontunmap);
void do_shrink(long p, long n, long nn);
void do_grow(long p, long n, long nn);
void do_write(long p, long n);		/* a write fault per page */
void do_memwrite(long p, long n);	/* via /proc/self/mem */
void do_brk_grow(long n);
pid_t do_fork(void);			/* returns 0 in the child */
void do_wait(pid_t c);

/*
 * layout_stream.c: a checkpoint, this process's kernel VMAs inside the
 * region (and its [heap] lines in a heap scenario).  expect: how many
 * accessible (not ---p) region VMAs KERNEL_MODEL predicts, -1 for no
 * prediction.
 */
void checkpoint(const char *label, int expect);

/* layout_stream.c, for layout_ops.c: the process and its stream */
extern pid_t g_self;		/* getpid() of this scenario process */
uint64_t PA(long page);		/* the address of a region page */
uint64_t cur_brk(void);
void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The scenario cannot go on: tell the driver and stop this process. */
void fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
