/* SPDX-License-Identifier: MIT */
/* mprotect splits a VMA in three, then merges it back; a VMA with anon
 * pages in one part only; PROT_NONE at the start; the whole range. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(32 * PG, PROT_READ | PROT_WRITE);

	snap("cp1");
	check(!mprotect(p + 8 * PG, 8 * PG, PROT_READ), "mprotect middle");
	snap("cp2");
	check(!mprotect(p + 8 * PG, 8 * PG, PROT_READ | PROT_WRITE), "back");
	snap("cp3");
	touch(p + 16 * PG, 4 * PG);	/* anon_vma for the whole VMA */
	check(!mprotect(p, 4 * PG, PROT_NONE), "mprotect head");
	check(!mprotect(p + 28 * PG, 4 * PG, PROT_READ | PROT_EXEC), "tail");
	snap("cp4");
	check(!mprotect(p + 2 * PG, 28 * PG, PROT_READ), "across");
	snap("cp5");
	check(!mprotect(p, 32 * PG, PROT_READ | PROT_WRITE), "whole");
	snap("cp6");
	return 0;
}
