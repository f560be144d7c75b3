/* SPDX-License-Identifier: MIT */
/*
 * kgraph_scenarios: scenario processes that do real syscalls in a
 * PROT_NONE-reserved region and write the equivalent avshadow text events
 * (docs/EVENTS.md, real pids and addresses) to a pipe, then stop
 * themselves with SIGSTOP; the driver dumps the kernel's graph of the
 * stopped processes and compares it with a shadow fed the events.
 *
 * Scenario side (kgraph_scen_ops.c): no malloc, no stdio.  Lines on the
 * pipe that are not events:
 *   #R PID 0xBASE 0xEND     the region
 *   #S PID                  PID is about to stop (its checkpoint)
 *   #F PID MSG              the scenario failed
 */
#ifndef KGRAPH_SCEN_H
#define KGRAPH_SCEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define KS_PG		4096UL
#define KS_REGION_PAGES	256UL		/* 1 MiB */
#define KS_PROC_TIMEOUT	20		/* seconds, alarm() in each process */

struct ks_scenario {
	const char *name;
	const char *what;
	int nstop;			/* processes that stop at the end */
	void (*fn)(void);
};

extern const struct ks_scenario ks_scenarios[];
extern const unsigned ks_nr_scenarios;

/* Scenario side, run in the scenario processes. */
void ks_begin(int fd);				/* this process is P */
void ks_emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ks_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
uint64_t ks_pa(long page);			/* region base + page */
void ks_map(long p, long n, int prot);		/* MAP_FIXED private anon */
void ks_unmap(long p, long n);
void ks_prot(long p, long n, int prot);
void ks_move(long op, long n, long np);		/* mremap MAYMOVE|FIXED */
void ks_write(long p, long n);			/* a store to each page */
/* fork; the child returns 0 once the parent has written the event */
pid_t ks_fork(void);
/* in a fork child: wait until the parent has exited (reparented) */
void ks_wait_parent_gone(void);
void ks_wait_exit(pid_t child);			/* reap a child that exits */
void ks_wait_stopped(pid_t pid);		/* any process: state T */
void ks_exit(void) __attribute__((noreturn));	/* exit event, _exit(0) */
void ks_stop(void) __attribute__((noreturn));	/* checkpoint, #S, SIGSTOP */

#endif
