/* SPDX-License-Identifier: MIT */
/* A child made by the fork(2) system call itself (syscall(SYS_fork), as
 * code that bypasses glibc's clone-based fork does): the child maps
 * memory and checkpoints; so does the parent after it. */
#include "layout.h"
#include <sys/syscall.h>

int main(void)
{
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	long pid;

	touch(p, 8 * PG);
	snap("cp1");
	pid = syscall(SYS_fork);
	check(pid >= 0, "fork");
	if (pid == 0) {
		lay_role = "child";
		touch(map_anon(4 * PG, PROT_READ | PROT_WRITE), 4 * PG);
		check(!munmap(p, 2 * PG), "munmap");
		snap("cp1");
		_exit(0);
	}
	wait_ok((pid_t)pid);
	check(!mprotect(p + 4 * PG, PG, PROT_READ), "mprotect");
	snap("cp2");
	return 0;
}
