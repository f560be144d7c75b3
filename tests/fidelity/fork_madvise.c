/* SPDX-License-Identifier: MIT */
/* MADV_DONTFORK and MADV_WIPEONFORK on faulted ranges (sampled first),
 * then fork: the child has no VMA / a VMA without anon_vma there, and
 * its later writes make independent roots (KERNEL_MODEL O7). */
#include "layout.h"

int main(void)
{
	char *a = map_anon(12 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(a, 12 * PG);
	snap("written");
	check(!madvise(a + 2 * PG, 2 * PG, MADV_DONTFORK), "DONTFORK");
	check(!madvise(a + 6 * PG, 3 * PG, MADV_WIPEONFORK), "WIPEONFORK");
	snap("advised");
	c = fork_role("child");
	if (c == 0) {
		snap("forked");
		touch(a + 6 * PG, 3 * PG);
		map_fixed(a + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE);
		touch(a + 2 * PG, PG);
		snap("child-wrote");
		_exit(0);
	}
	wait_ok(c);
	check(!madvise(a + 2 * PG, 2 * PG, MADV_DOFORK), "DOFORK");
	check(!madvise(a + 6 * PG, 3 * PG, MADV_KEEPONFORK), "KEEPONFORK");
	snap("end");
	return 0;
}
