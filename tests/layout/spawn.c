/* SPDX-License-Identifier: MIT */
/* posix_spawn and system(): vfork-style children (clone with CLONE_VM |
 * CLONE_VFORK, not recorded as forks) that exec /bin/true; the parent's
 * layout must stay the shadow's. */
#include "layout.h"
#include <spawn.h>

extern char **environ;

int main(void)
{
	char *argv[] = { "true", NULL };
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	pid_t pid;

	touch(p, 8 * PG);
	snap("cp1");
	check(!posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ),
	      "posix_spawn");
	wait_ok(pid);
	snap("cp2");
	check(system("exec /bin/true") == 0, "system");
	check(!mprotect(p, PG, PROT_READ), "mprotect");
	snap("cp3");
	pid = vfork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	check(pid > 0, "vfork");
	wait_ok(pid);
	snap("cp4");
	return 0;
}
