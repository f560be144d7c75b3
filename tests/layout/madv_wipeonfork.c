/* SPDX-License-Identifier: MIT */
/* MADV_WIPEONFORK on part of a VMA (split, VM_WIPEONFORK): the child has
 * the VMA, empty; MADV_KEEPONFORK merges the parts back. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(p, 16 * PG);
	check(!madvise(p + 8 * PG, 8 * PG, MADV_WIPEONFORK), "WIPEONFORK");
	snap("cp1");
	c = fork_role("child");
	if (c == 0) {
		check(p[8 * PG] == 0 && p[0] == 1, "wiped");
		snap("cp1");
		c = fork_role("grandchild");
		if (c == 0) {
			snap("cp1");
			_exit(0);
		}
		wait_ok(c);
		_exit(0);
	}
	wait_ok(c);
	check(!madvise(p + 8 * PG, 8 * PG, MADV_KEEPONFORK), "KEEPONFORK");
	snap("cp2");
	return 0;
}
