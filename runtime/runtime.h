/* SPDX-License-Identifier: MIT */
/*
 * The recording runtime of libavshadow.so, as the interpose layer and the
 * constructor see it.  Every function here is async-signal-safe, allocates
 * nothing, takes no lock and preserves errno.
 */
#ifndef AVS_RUNTIME_H
#define AVS_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Is this syscall number one the runtime records? */
bool avs_rt_wanted(long nr);

/*
 * Perform syscall nr with its six arguments (raw: the result is -errno on
 * failure, nothing touches errno) and record what it did to the address
 * space.  Called by the patched syscall sites for the numbers of
 * avs_rt_wanted(), and by the generic syscall() entry.
 */
long avs_rt_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
		    long a6);

/*
 * A range of the address space the runtime itself created or changed
 * (trampoline pages, libc text made private by patching, its trace
 * mapping): recorded as runtime VMAs so reports can separate the runtime's
 * footprint from the program's.  Call before avs_rt_seed().
 */
void avs_rt_runtime_range(uint64_t start, uint64_t end);

/* Exported for programs: record a checkpoint named label (after flushing
 * what this process has recorded); a no-op when recording is off. */
void avshadow_checkpoint(const char *label);

#endif
