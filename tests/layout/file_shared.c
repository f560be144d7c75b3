/* SPDX-License-Identifier: MIT */
/* Shared file mappings: written, split by mprotect, moved by mremap,
 * grown in place, a read-only shared mapping of a file opened O_RDONLY,
 * and a fork whose child writes them. */
#include "layout.h"

int main(void)
{
	int fd = temp_file("shared", 32, 1), rofd;
	char path[4096], *p, *q, *ro;
	const char *dir = getenv("LAYOUT_TMP");
	pid_t c;

	snprintf(path, sizeof(path), "%s/shared.%d", dir ? dir : "/tmp",
		 (int)getpid());
	rofd = open(path, O_RDONLY | O_CLOEXEC);
	check(rofd >= 0, "open ro");
	unlink(path);
	p = map_at(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   8 * PG);
	p[0] = 's';
	snap("cp1");
	check(!mprotect(p + 4 * PG, 4 * PG, PROT_READ), "mprotect");
	snap("cp2");
	q = mremap(p + 8 * PG, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   free_range(32 * PG));
	check(q != MAP_FAILED, "mremap move");
	check(mremap(q, 8 * PG, 12 * PG, 0) == q, "mremap grow");
	snap("cp3");
	ro = map_at(NULL, 8 * PG, PROT_READ, MAP_SHARED, rofd, 0);
	check(ro[0] == 1, "ro");
	c = fork_role("child");
	if (c == 0) {
		p[PG] = q[PG] = 'c';
		check(!munmap(p, PG), "munmap child");
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	snap("cp4");
	return 0;
}
