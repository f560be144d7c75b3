/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for runtime/ in the interpose tests: avs_rt_syscall performs
 * the raw syscall and counts it per number in a MAP_SHARED page (so fork
 * children count too); avs_rt_runtime_range keeps the ranges it is given.
 */
#ifndef AVS_TEST_FAKE_RUNTIME_H
#define AVS_TEST_FAKE_RUNTIME_H

#include <stdint.h>

#define FAKE_NR_MAX 512

/* The shared counters, indexed by syscall number. */
volatile long *fake_counts(void);
/* Zero the counters. */
void fake_reset(void);
/* Ranges declared so far: returns their number, fills up to max. */
int fake_ranges(uint64_t (*out)[2], int max);

/* Read and zero counter nr atomically (each count is taken once, even
 * with fork children sharing the page). */
long fake_take(int nr);

/* Stop counting in this process (and its later fork children). */
void fake_stop(void);

/* If set, called (while counting) just before execve, execveat and
 * exit_group are performed: an image that execs or _exits never reaches
 * its destructor.  Must be async-signal-safe and general-regs-only. */
extern void (*fake_flush_hook)(void);

#endif
