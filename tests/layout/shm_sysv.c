/* SPDX-License-Identifier: MIT */
/* System V shared memory: shmat (kernel-chosen and at an address),
 * read-only attach, shmdt, and a fork (the child inherits attachments). */
#include "layout.h"
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void)
{
	int id = shmget(IPC_PRIVATE, 10 * PG, IPC_CREAT | 0600);
	char *a, *b, *r;
	pid_t c;

	check(id >= 0, "shmget");
	snap("cp1");
	a = shmat(id, NULL, 0);
	check(a != (void *)-1, "shmat");
	a[0] = 1;
	r = free_range(16 * PG);
	b = shmat(id, r, SHM_RDONLY);
	check(b == r, "shmat at");
	shmctl(id, IPC_RMID, NULL);
	snap("cp2");
	c = fork_role("child");
	if (c == 0) {
		check(!shmdt(a), "shmdt child");
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	check(!shmdt(b), "shmdt");
	snap("cp3");
	return 0;
}
