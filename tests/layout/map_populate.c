/* SPDX-License-Identifier: MIT */
/* MAP_POPULATE: private anonymous (anon_vma at mmap time), read-only
 * anonymous, private and shared file mappings, shared anonymous. */
#include "layout.h"

int main(void)
{
	int fd = temp_file("populate", 16, 0);
	char *a, *b, *f1, *f2, *s;
	pid_t c;

	snap("cp1");
	a = map_at(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	b = map_at(NULL, 8 * PG, PROT_READ,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	f1 = map_at(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_POPULATE, fd, 4 * PG);
	f2 = map_at(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, 0);
	s = map_at(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	snap("cp2");
	c = fork_role("child");
	if (c == 0) {
		a[0] = f1[0] = f2[0] = s[0] = 9;
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	(void)b;
	snap("cp3");
	return 0;
}
