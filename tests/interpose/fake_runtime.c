/* SPDX-License-Identifier: MIT */
/* Built with -mgeneral-regs-only, like the real runtime must be. */
#include "tests/interpose/fake_runtime.h"

#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "interpose/raw.h"
#include "runtime/runtime.h"

static volatile long *g_counts;
static volatile int g_stopped;
void (*fake_flush_hook)(void);
static uint64_t g_ranges[16][2];
static int g_nranges;

__attribute__((constructor(101))) static void fake_init(void)
{
	long r = avs_ip_raw6(SYS_mmap, 0, FAKE_NR_MAX * sizeof(long),
			     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);
	if ((unsigned long)r < -4096UL)
		g_counts = (volatile long *)r;
}

volatile long *fake_counts(void)
{
	return g_counts;
}

void fake_reset(void)
{
	for (int i = 0; g_counts && i < FAKE_NR_MAX; i++)
		g_counts[i] = 0;
}

long fake_take(int nr)
{
	if (!g_counts || nr < 0 || nr >= FAKE_NR_MAX)
		return 0;
	return __atomic_exchange_n(&g_counts[nr], 0, __ATOMIC_RELAXED);
}

void fake_stop(void)
{
	g_stopped = 1;
}

int fake_ranges(uint64_t (*out)[2], int max)
{
	for (int i = 0; i < g_nranges && i < max; i++) {
		out[i][0] = g_ranges[i][0];
		out[i][1] = g_ranges[i][1];
	}
	return g_nranges;
}

/* The numbers of docs/CAPTURE.md. */
bool avs_rt_wanted(long nr)
{
	switch (nr) {
	case SYS_mmap: case SYS_munmap: case SYS_mprotect:
	case SYS_pkey_mprotect: case SYS_mremap: case SYS_madvise:
	case SYS_brk: case SYS_mlock: case SYS_mlock2: case SYS_munlock:
	case SYS_mlockall: case SYS_munlockall: case SYS_shmat:
	case SYS_shmdt: case SYS_clone: case SYS_clone3: case SYS_fork:
	case SYS_execve: case SYS_execveat: case SYS_exit_group:
		return true;
	default:
		return false;
	}
}

long avs_rt_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
		    long a6)
{
	/* count first: exit_group does not return, and a fork is counted
	 * once, not in both processes */
	if (g_counts && !g_stopped && nr >= 0 && nr < FAKE_NR_MAX) {
		__atomic_add_fetch(&g_counts[nr], 1, __ATOMIC_RELAXED);
		if (fake_flush_hook && (nr == SYS_execve || nr == SYS_execveat ||
					nr == SYS_exit_group))
			fake_flush_hook();
	}
	return avs_ip_raw6(nr, a1, a2, a3, a4, a5, a6);
}

void avs_rt_runtime_range(uint64_t start, uint64_t end)
{
	if (g_nranges < 16) {
		g_ranges[g_nranges][0] = start;
		g_ranges[g_nranges][1] = end;
	}
	g_nranges++;
}
