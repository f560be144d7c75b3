/* SPDX-License-Identifier: MIT */
/* mlock of a middle part (split, VM_LOCKED), munlock (merge), mlock2
 * MLOCK_ONFAULT, mlock of an unaligned range, mlockall(MCL_CURRENT |
 * MCL_ONFAULT) on every VMA and munlockall (which merges what mlock
 * had split). */
#include "layout.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

int main(void)
{
	char *p = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	char *q = map_anon(16 * PG, PROT_READ | PROT_WRITE);

	snap("cp1");
	check(!mlock(p + 8 * PG, 8 * PG), "mlock");
	snap("cp2");
	check(!munlock(p + 8 * PG, 8 * PG), "munlock");
	snap("cp3");
	check(!mlock2(p + 4 * PG, 4 * PG, MLOCK_ONFAULT), "mlock2 ONFAULT");
	check(!mlock(q + 100, 2 * PG), "mlock unaligned");	/* 3 pages */
	snap("cp4");
	check(!mlockall(MCL_CURRENT | MCL_ONFAULT), "mlockall");
	snap("cp5");
	check(!munlockall(), "munlockall");
	snap("cp6");
	return 0;
}
