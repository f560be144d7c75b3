/* SPDX-License-Identifier: MIT */
/* Fork after splits; the child merges by mprotect what the parent split
 * (its parts have different anon_vmas in the child: whether they merge
 * is the kernel's anon_vma rule), writes, and forks again. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(24 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(p, 24 * PG);
	check(!mprotect(p + 8 * PG, 8 * PG, PROT_READ), "split");
	snap("cp1");
	c = fork_role("child");
	if (c == 0) {
		check(!mprotect(p + 8 * PG, 8 * PG, PROT_READ | PROT_WRITE),
		      "merge?");
		touch(p, 24 * PG);
		snap("cp1");
		c = fork_role("grandchild");
		if (c == 0) {
			check(!mprotect(p, 24 * PG, PROT_READ), "all r");
			snap("cp1");
			_exit(0);
		}
		wait_ok(c);
		snap("cp2");
		_exit(0);
	}
	wait_ok(c);
	check(!mprotect(p + 8 * PG, 8 * PG, PROT_READ | PROT_WRITE), "merge");
	snap("cp2");
	return 0;
}
