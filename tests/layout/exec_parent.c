/* SPDX-License-Identifier: MIT */
/* exec of another program: a forked child execs exec_target; then the
 * process itself, after changing its layout, execs exec_target (same pid,
 * a new image: the new image's checkpoints use the role "after-exec"). */
#include "layout.h"

int main(void)
{
	char path[4200];
	char *a = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(a, 8 * PG);
	snprintf(path, sizeof(path), "%s/exec_target", bin_dir());
	snap("cp1");
	c = fork_role("child");
	if (c == 0) {
		check(!munmap(a, 4 * PG), "munmap");
		execl(path, "exec_target", "exec-child", (char *)NULL);
		die("execl %s", path);
	}
	wait_ok(c);
	check(!mprotect(a, 2 * PG, PROT_READ), "mprotect");
	snap("cp2");
	execl(path, "exec_target", "after-exec", (char *)NULL);
	die("execl %s", path);
}
