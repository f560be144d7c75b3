/* SPDX-License-Identifier: MIT */
/* MADV_DONTFORK on the middle of a VMA (split, VM_DONTCOPY): a forked
 * child has no such VMA; MADV_DOFORK merges the parts back. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(p, 16 * PG);
	check(!madvise(p + 4 * PG, 4 * PG, MADV_DONTFORK), "DONTFORK");
	snap("cp1");
	c = fork_role("child");
	if (c == 0) {
		snap("cp1");
		/* map in the hole it left: the kernel merges as its anon_vmas
		 * allow (each part has its own in the child) */
		touch(p, PG);
		map_fixed(p + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE);
		snap("cp2");
		_exit(0);
	}
	wait_ok(c);
	check(!madvise(p + 4 * PG, 4 * PG, MADV_DOFORK), "DOFORK");
	snap("cp2");
	return 0;
}
