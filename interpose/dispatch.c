/* SPDX-License-Identifier: MIT */
/*
 * The generic syscall() dispatcher.  Reached from avs_ip_syscall_entry
 * (tramp.S) with the arguments of syscall(nr, a1..a6); built, like all of
 * interpose/, with -mgeneral-regs-only.
 */
#include <errno.h>

#include "interpose/raw.h"
#include "interpose/sites.h"
#include "runtime/runtime.h"

__attribute__((visibility("hidden")))
long avs_ip_syscall_c(long nr, long a1, long a2, long a3, long a4, long a5,
		      long a6)
{
	long r;
	if (avs_rt_wanted(nr))
		r = avs_rt_syscall(nr, a1, a2, a3, a4, a5, a6);
	else
		r = avs_ip_raw6(nr, a1, a2, a3, a4, a5, a6);
	/* as glibc's syscall(): cmp $-4095,%rax; jae -> errno, -1 */
	if ((unsigned long)r >= -4095UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
