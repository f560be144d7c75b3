/* SPDX-License-Identifier: MIT */
/* mremap growth: in place into free space, with a move when blocked,
 * of a VMA with anon pages and of one without, and of a VMA that then
 * becomes adjacent to (and merges with) its neighbour. */
#include "layout.h"

int main(void)
{
	char *r = free_range(64 * PG), *p, *q, *blk;

	p = map_fixed(r, 4 * PG, PROT_READ | PROT_WRITE);
	touch(p, 4 * PG);
	snap("cp1");
	q = mremap(p, 4 * PG, 8 * PG, 0);		/* in place */
	check(q == p, "mremap in place");
	touch(q, 8 * PG);
	snap("cp2");
	blk = map_fixed(r + 12 * PG, PG, PROT_READ);	/* a blocker */
	q = mremap(p, 8 * PG, 16 * PG, MREMAP_MAYMOVE);	/* moves */
	check(q != MAP_FAILED && q != p, "mremap move");
	snap("cp3");
	/* empty VMA, grows in place up to the blocker: no merge (perms) */
	p = map_fixed(r, 4 * PG, PROT_READ);
	check(mremap(p, 4 * PG, 12 * PG, 0) == p, "mremap up to blocker");
	snap("cp4");
	/* grow a read-only VMA into the blocker's neighbourhood: it merges
	 * with the blocker (same flags, no anon pages on either side) */
	check(!munmap(blk, PG), "munmap");
	blk = map_fixed(r + 14 * PG, 2 * PG, PROT_READ);
	check(mremap(p, 12 * PG, 14 * PG, 0) == p, "mremap to merge");
	snap("cp5");
	q = mremap(q, 16 * PG, 64 * PG, MREMAP_MAYMOVE);
	check(q != MAP_FAILED, "mremap big");
	touch(q, 64 * PG);
	snap("cp6");
	return 0;
}
