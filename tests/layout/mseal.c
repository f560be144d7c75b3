/* SPDX-License-Identifier: MIT */
/* mseal(2) (Linux 6.10, syscall 462, no glibc wrapper here) on the middle
 * of a VMA: the kernel splits it (VM_SEALED); sealed VMAs then refuse
 * munmap and mprotect.  Skipped (checkpoints only) if the kernel has no
 * mseal. */
#include "layout.h"
#include <sys/syscall.h>

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

int main(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE);

	touch(p, 16 * PG);
	snap("cp1");
	if (syscall(SYS_mseal, p + 4 * PG, 4 * PG, 0) == 0) {
		check(munmap(p + 4 * PG, PG) == -1 && errno == EPERM, "sealed");
		check(!mprotect(p + 8 * PG, 2 * PG, PROT_READ), "mprotect");
	} else {
		check(errno == ENOSYS || errno == EINVAL, "mseal");
		fprintf(stderr, "mseal: not supported, skipped\n");
	}
	snap("cp2");
	return 0;
}
