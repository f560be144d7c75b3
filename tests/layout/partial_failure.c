/* SPDX-License-Identifier: MIT */
/* Calls that fail after changing the layout: mprotect, madvise and
 * mlock over a range with a hole return ENOMEM, yet the kernel has
 * applied them to the VMAs before the hole (madvise: to every mapped
 * part).  The layout after each must still be the shadow's. */
#include "layout.h"

int main(void)
{
	char *r = free_range(48 * PG);

	map_fixed(r, 8 * PG, PROT_READ | PROT_WRITE);
	map_fixed(r + 12 * PG, 8 * PG, PROT_READ | PROT_WRITE);
	map_fixed(r + 24 * PG, 8 * PG, PROT_READ | PROT_WRITE);
	map_fixed(r + 36 * PG, 8 * PG, PROT_READ | PROT_WRITE);
	snap("cp1");
	/* r+4 .. r+16: the tail of the first, the hole, the head of the second */
	errno = 0;
	check(mprotect(r + 4 * PG, 12 * PG, PROT_READ) == -1 && errno == ENOMEM,
	      "mprotect across a hole fails");
	snap("cp2");
	errno = 0;
	check(madvise(r + 14 * PG, 14 * PG, MADV_DONTFORK) == -1 &&
	      errno == ENOMEM, "madvise across a hole fails");
	snap("cp3");
	errno = 0;
	/* r+30 .. r+40: splits the third VMA at r+30, then the hole */
	check(mlock(r + 30 * PG, 10 * PG) == -1 && errno == ENOMEM,
	      "mlock across a hole fails");
	snap("cp4");
	return 0;
}
