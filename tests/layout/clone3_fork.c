/* SPDX-License-Identifier: MIT */
/* A child made by clone3(2) without CLONE_VM (a fork, as newer libcs and
 * other runtimes make it) through syscall(): the child maps memory and
 * checkpoints; so does the parent after it. */
#include "layout.h"
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>

int main(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	long pid;

	touch(p, 8 * PG);
	snap("cp1");
	pid = syscall(SYS_clone3, &args, sizeof(args));
	check(pid >= 0, "clone3");
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
