/* SPDX-License-Identifier: MIT */
/* mremap shrinks: in place, to a part of a split VMA, across two VMAs,
 * and a shrink with MREMAP_MAYMOVE|MREMAP_FIXED (move + shrink). */
#include "layout.h"

int main(void)
{
	char *r = free_range(96 * PG), *p, *q;

	p = map_fixed(r, 32 * PG, PROT_READ | PROT_WRITE);
	touch(p, 32 * PG);
	snap("cp1");
	check(mremap(p, 32 * PG, 24 * PG, 0) == p, "shrink");
	snap("cp2");
	check(!mprotect(p + 8 * PG, 8 * PG, PROT_READ), "mprotect");
	/* old range covers three VMAs; new size ends inside the second */
	check(mremap(p, 24 * PG, 12 * PG, 0) == p, "shrink across VMAs");
	snap("cp3");
	q = mremap(p, 8 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   r + 64 * PG);
	check(q == r + 64 * PG, "move and shrink");
	snap("cp4");
	return 0;
}
