/* SPDX-License-Identifier: MIT */
/* Three generations: each forks the next after changing the layout it
 * inherited; each checkpoints before and after its child exits. */
#include "layout.h"

int main(void)
{
	char *a = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	char *b;
	pid_t c1, c2;

	touch(a, 16 * PG);
	snap("cp1");
	c1 = fork_role("gen1");
	if (c1 == 0) {
		/* generation 1: a new mapping, part of A unmapped, COW */
		b = map_anon(8 * PG, PROT_READ | PROT_WRITE);
		touch(b, 4 * PG);
		check(!munmap(a + 12 * PG, 4 * PG), "munmap");
		a[PG] = 42;
		snap("cp1");
		c2 = fork_role("gen2");
		if (c2 == 0) {
			/* generation 2: mprotect splits A, mremap grows B */
			check(!mprotect(a + 4 * PG, 4 * PG, PROT_READ), "mprotect");
			b = mremap(b, 8 * PG, 32 * PG, MREMAP_MAYMOVE);
			check(b != MAP_FAILED, "mremap");
			touch(b, 32 * PG);
			snap("cp1");
			_exit(0);
		}
		snap("cp2");
		wait_ok(c2);
		snap("cp3");
		_exit(0);
	}
	snap("cp2");
	wait_ok(c1);
	check(!munmap(a, 2 * PG), "munmap");
	snap("cp3");
	return 0;
}
