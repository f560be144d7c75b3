/* SPDX-License-Identifier: MIT */
/* MADV_DONTNEED, MADV_FREE and MADV_COLD/PAGEOUT on written memory: no
 * VMA changes; then a fork, the child writes the dropped pages again. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(p, 32 * PG);
	snap("cp1");
	check(!madvise(p + 4 * PG, 8 * PG, MADV_DONTNEED), "DONTNEED");
	snap("cp2");
	check(!madvise(p + 16 * PG, 4 * PG, MADV_FREE), "FREE");
	madvise(p + 20 * PG, 4 * PG, MADV_COLD);	/* may be refused */
	snap("cp3");
	c = fork_role("child");
	if (c == 0) {
		touch(p + 4 * PG, 8 * PG);
		check(!madvise(p, 32 * PG, MADV_DONTNEED), "DONTNEED all");
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	snap("cp4");
	return 0;
}
