/* SPDX-License-Identifier: MIT */
/* mremap moves: MREMAP_FIXED to a chosen free address, over an existing
 * mapping (replaced), of the middle of a VMA (splits it), back next to
 * its origin (merges), and MREMAP_DONTUNMAP (the old range stays). */
#include "layout.h"

int main(void)
{
	char *r = free_range(128 * PG), *p, *q, *v;

	p = map_fixed(r, 16 * PG, PROT_READ | PROT_WRITE);
	touch(p, 16 * PG);
	snap("cp1");
	q = mremap(p, 16 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   r + 32 * PG);
	check(q == r + 32 * PG, "mremap fixed");
	snap("cp2");
	v = map_fixed(r + 64 * PG, 8 * PG, PROT_READ);
	q = mremap(q, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, v);
	check(q == v, "mremap over a mapping");
	snap("cp3");
	/* the middle 2 pages of the rest (r+40..48) moved away: a split */
	q = mremap(r + 43 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   r + 100 * PG);
	check(q == r + 100 * PG, "mremap middle");
	snap("cp4");
	/* moved back where they were: the kernel merges them back */
	q = mremap(q, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   r + 43 * PG);
	check(q == r + 43 * PG, "mremap back");
	snap("cp5");
	q = mremap(r + 40 * PG, 8 * PG, 8 * PG,
		   MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);	/* NULL: read */
	check(q != MAP_FAILED, "mremap dontunmap");
	snap("cp6");
	return 0;
}
