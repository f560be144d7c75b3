/* SPDX-License-Identifier: MIT */
/* The heap: brk growth, shrink (heap VMA shrinks, stays), growth again,
 * shrink to the start (heap VMA gone), and a fork in between. */
#include "layout.h"

int main(void)
{
	char *start, *p;
	pid_t c;

	snap("cp1");		/* first: whatever it allocates stays below */
	start = sbrk(0);
	p = sbrk(256 * PG);
	check(p != (void *)-1, "sbrk +1M");
	touch(p, 256 * PG);
	snap("cp2");
	check(sbrk(-(long)(128 * PG)) != (void *)-1, "sbrk -512K");
	snap("cp3");
	check(sbrk(3 * PG + 100) != (void *)-1, "sbrk +3 pages and a bit");
	p[130 * PG] = 1;
	snap("cp4");
	c = fork_role("child");
	if (c == 0) {
		check(sbrk(32 * PG) != (void *)-1, "sbrk child");
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	check(!brk(start), "brk start");
	snap("cp5");
	check(sbrk(PG) != (void *)-1, "sbrk 1 page");
	snap("cp6");
	return 0;
}
