/* SPDX-License-Identifier: MIT */
/* Read faults map the zero page and give no anon_vma (KERNEL_MODEL O1,
 * O26); MADV_POPULATE_READ the same; a later write does; a fork of a
 * VMA holding only zero-page PTEs. */
#include "layout.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

int main(void)
{
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	volatile char sum = 0;
	pid_t c;

	for (size_t i = 0; i < 4; i++)
		sum += p[i * PG];
	check(!madvise(p + 4 * PG, 2 * PG, MADV_POPULATE_READ), "populate");
	snap("read");
	c = fork_role("child");
	if (c == 0) {
		sum += p[0];
		snap("child-read");
		p[PG] = 1;
		snap("child-write");
		_exit(0);
	}
	wait_ok(c);
	p[2 * PG] = (char)(sum + 1);
	snap("parent-write");
	return 0;
}
