/* SPDX-License-Identifier: MIT */
/* Private file mappings: at an offset, written (COW pages), split by
 * mprotect and munmap (the tail's offset), grown by mremap, two mappings
 * of consecutive offsets placed side by side (merge), a read-only one. */
#include "layout.h"

int main(void)
{
	int fd = temp_file("private", 32, 0);
	char *r = free_range(64 * PG), *p, *a, *b, *ro;
	pid_t c;

	p = map_at(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		   4 * PG);
	check(p[0] == 5, "content");
	p[PG] = 'x';
	snap("cp1");
	check(!mprotect(p + 2 * PG, 2 * PG, PROT_READ), "mprotect");
	check(!munmap(p + 5 * PG, PG), "munmap");
	snap("cp2");
	p = mremap(p + 6 * PG, 2 * PG, 6 * PG, MREMAP_MAYMOVE);
	check(p != MAP_FAILED, "mremap");
	snap("cp3");
	a = map_at(r, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		   fd, 8 * PG);
	b = map_at(r + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_FIXED, fd, 12 * PG);	/* merges */
	snap("cp4");
	/* not consecutive offsets: no merge */
	map_at(r + 8 * PG, 4 * PG, PROT_READ | PROT_WRITE,
	       MAP_PRIVATE | MAP_FIXED, fd, 20 * PG);
	ro = map_at(NULL, 32 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	check(ro[31 * PG] == 32, "ro content");
	c = fork_role("child");
	if (c == 0) {
		a[0] = b[0] = 'c';
		check(!mprotect(a, 2 * PG, PROT_READ), "mprotect child");
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	snap("cp5");
	return 0;
}
