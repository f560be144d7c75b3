/* SPDX-License-Identifier: MIT */
/* A parent that exits before its child: the orphan (reparented to the
 * launcher, the subreaper) changes its layout and checkpoints after the
 * parent is gone; it forks a child of its own too. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	pid_t parent = getpid(), c;
	int fds[2];

	touch(p, 16 * PG);
	check(!pipe(fds), "pipe");
	snap("cp1");
	c = fork_role("orphan");
	if (c == 0) {
		char x;

		close(fds[1]);
		/* EOF: the parent has exited */
		check(read(fds[0], &x, 1) == 0, "read");
		while (getppid() == parent)
			usleep(1000);
		check(!munmap(p + 4 * PG, 4 * PG), "munmap");
		touch(map_anon(4 * PG, PROT_READ | PROT_WRITE), 4 * PG);
		snap("cp1");
		c = fork_role("orphan-child");
		if (c == 0) {
			snap("cp1");
			_exit(0);
		}
		wait_ok(c);
		snap("cp2");
		_exit(0);
	}
	check(!mprotect(p, 4 * PG, PROT_READ), "mprotect");
	snap("cp2");
	return 0;	/* closes the pipe: the orphan goes on */
}
