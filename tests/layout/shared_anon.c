/* SPDX-License-Identifier: MIT */
/* Shared anonymous memory (shmem, "/dev/zero (deleted)"): forked, written
 * by both, grown and moved by mremap, its head unmapped (offsets of the
 * rest), split by mprotect; a shared anonymous mapping next to a private
 * one. */
#include "layout.h"

int main(void)
{
	char *s = map_at(NULL, 16 * PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t c;

	s[0] = 1;
	snap("cp1");
	c = fork_role("child");
	if (c == 0) {
		s[PG] = 2;
		check(!munmap(s, 4 * PG), "munmap head");
		check(!mprotect(s + 8 * PG, 4 * PG, PROT_READ), "mprotect");
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	check(s[PG] == 2, "shared write");
	s = mremap(s, 16 * PG, 32 * PG, MREMAP_MAYMOVE);
	check(s != MAP_FAILED, "mremap");
	s[15 * PG] = 3;	/* (the object stays 16 pages: no access beyond) */
	snap("cp2");
	check(!munmap(s, 2 * PG), "munmap");
	map_at(s, PG, PROT_READ | PROT_WRITE,
	       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	snap("cp3");
	return 0;
}
