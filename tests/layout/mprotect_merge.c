/* SPDX-License-Identifier: MIT */
/* Separately mapped neighbours made alike by mprotect: merge or not,
 * depending on anon_vmas (none, one side, two different ones). */
#include "layout.h"

int main(void)
{
	char *r = free_range(64 * PG);
	char *a = map_fixed(r, 4 * PG, PROT_READ);
	char *b = map_fixed(r + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	char *c, *d, *e, *f;

	snap("cp1");
	check(!mprotect(a, 4 * PG, PROT_READ | PROT_WRITE), "a rw");	/* merge */
	snap("cp2");
	/* one side with an anon_vma, the other without: merge */
	c = map_fixed(r + 16 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	touch(c, 4 * PG);
	d = map_fixed(r + 20 * PG, 4 * PG, PROT_READ);
	check(!mprotect(d, 4 * PG, PROT_READ | PROT_WRITE), "d rw");
	snap("cp3");
	/* both sides with their own anon_vma: no merge */
	e = map_fixed(r + 32 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	f = map_fixed(r + 36 * PG, 4 * PG, PROT_READ);
	touch(e, 4 * PG);
	check(!mprotect(f, 4 * PG, PROT_READ | PROT_WRITE), "f rw");
	touch(f, 4 * PG);
	check(!mprotect(f, 4 * PG, PROT_READ), "f r");
	check(!mprotect(f, 4 * PG, PROT_READ | PROT_WRITE), "f rw again");
	snap("cp4");
	/* mprotect over two VMAs at once, into one protection */
	check(!mprotect(r + 32 * PG, 8 * PG, PROT_READ), "e and f r");
	snap("cp5");
	(void)b;
	return 0;
}
