/* SPDX-License-Identifier: MIT */
/* Run by exec_parent (argv[1]: the role): checkpoints right at main, and
 * after mapping, splitting and growing the heap. */
#include "layout.h"

int main(int argc, char **argv)
{
	char *p;

	lay_role = argc > 1 ? argv[1] : "direct";
	snap("cp1");
	p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	touch(p, 8 * PG);
	check(!mprotect(p + 2 * PG, PG, PROT_NONE), "mprotect");
	check(sbrk(64 * PG) != (void *)-1, "sbrk");
	snap("cp2");
	return 0;
}
