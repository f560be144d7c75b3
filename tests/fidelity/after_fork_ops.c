/* SPDX-License-Identifier: MIT */
/* mprotect, mremap and munmap after fork, in the child and in the parent,
 * on VMAs faulted before the fork (both sides hold anon_vmas). */
#include "layout.h"

int main(void)
{
	char *a = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	char *far = free_range(32 * PG);
	pid_t c;

	touch(a, 16 * PG);
	snap("before-fork");
	c = fork_role("child");
	if (c == 0) {
		touch(a, 4 * PG);
		check(!mprotect(a + 2 * PG, 4 * PG, PROT_READ), "mprotect");
		snap("mprotect");
		check(mremap(a + 8 * PG, 4 * PG, 4 * PG,
			     MREMAP_MAYMOVE | MREMAP_FIXED, far) == far, "mremap");
		snap("mremap");
		check(!munmap(a + 12 * PG, 2 * PG), "munmap");
		check(!mprotect(a + 2 * PG, 4 * PG, PROT_READ | PROT_WRITE),
		      "mprotect back");
		snap("munmap");
		_exit(0);
	}
	check(!munmap(a + 6 * PG, PG), "parent munmap");
	check(!mprotect(a, 2 * PG, PROT_READ), "parent mprotect");
	snap("parent-ops");
	wait_ok(c);
	snap("end");
	return 0;
}
