/* SPDX-License-Identifier: MIT */
/* MAP_FIXED over existing mappings: over the middle of a VMA, over parts
 * of two VMAs and the hole between, over a file mapping, with the same
 * flags as a neighbour (merge), and MAP_FIXED_NOREPLACE refused. */
#include "layout.h"

int main(void)
{
	int fd = temp_file("fixed", 16, 0);
	char *r = free_range(128 * PG), *p, *f;

	p = map_fixed(r, 32 * PG, PROT_READ | PROT_WRITE);
	touch(p, 32 * PG);
	snap("cp1");
	map_fixed(r + 8 * PG, 4 * PG, PROT_READ);		/* middle */
	snap("cp2");
	map_fixed(r + 40 * PG, 8 * PG, PROT_READ);
	map_fixed(r + 28 * PG, 16 * PG, PROT_READ | PROT_EXEC);	/* 2 + hole */
	snap("cp3");
	f = map_at(r + 64 * PG, 16 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED,
		   fd, 0);
	map_fixed(f + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE);	/* anon on file */
	map_at(f + 12 * PG, 8 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
	       4 * PG);				/* file over file + hole */
	snap("cp4");
	map_fixed(r + 12 * PG, 4 * PG, PROT_READ | PROT_WRITE);	/* merges */
	check(mmap(r, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED, "NOREPLACE");
	snap("cp5");
	return 0;
}
