/* SPDX-License-Identifier: MIT */
/* munmap of a middle part, of a range spanning a hole and several VMAs,
 * of nothing, and of a head and a tail. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(64 * PG, PROT_READ | PROT_WRITE);

	touch(p, 64 * PG);
	snap("cp1");
	check(!munmap(p + 16 * PG, 8 * PG), "middle");
	snap("cp2");
	check(!mprotect(p + 32 * PG, 4 * PG, PROT_READ), "mprotect");
	check(!munmap(p + 12 * PG, 24 * PG), "across hole and VMAs");
	snap("cp3");
	check(!munmap(p + 16 * PG, 8 * PG), "nothing");
	check(!munmap(p, PG), "head");
	check(!munmap(p + 60 * PG, 4 * PG), "tail");
	snap("cp4");
	return 0;
}
