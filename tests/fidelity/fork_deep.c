/* SPDX-License-Identifier: MIT */
/* Fork chains of 12 generations: each generation writes part of an
 * inherited region, forks the next and waits for it (chain lengths and
 * anon_vma reuse down a deep line); then a daemon that re-forks: each
 * generation forks its successor and exits at once, so the successor is
 * orphaned (reaped by the subreaper) and reuses the anon_vma its exited
 * parent left behind (KERNEL_MODEL O19/O20). */
#include "layout.h"

#define GENS 12

static void chain(char *p, int gen)
{
	pid_t c;

	p[(gen % 8) * PG] = (char)gen;
	snap(gen % 4 ? "chain-w" : "chain-w4");
	if (gen == GENS)
		return;
	c = fork_role("chain");
	if (c == 0) {
		chain(p, gen + 1);
		_exit(0);
	}
	wait_ok(c);
}

int main(void)
{
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	char *q = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	int gen, fd[2];
	pid_t c;
	char ok;

	touch(p, 8 * PG);
	touch(q, 8 * PG);
	chain(p, 1);
	snap("chain-done");
	if (pipe(fd))
		die("pipe");
	c = fork_role("daemon");
	if (c == 0) {
		for (gen = 0; gen < GENS; gen++) {
			pid_t me = getpid();

			q[(gen % 8) * PG] = (char)gen;
			snap("daemon-w");
			if (fork() != 0)
				_exit(0);	/* the successor goes on */
			/* once the predecessor's mm is gone: its exit is
			 * recorded before exit_group tears it down, so a fork
			 * racing that teardown is a known capture gap */
			while (getppid() == me)
				usleep(200);
		}
		snap("daemon-last");
		if (write(fd[1], "x", 1) != 1)
			die("write");
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &ok, 1) != 1)
		die("read");
	wait_ok(c);
	snap("end");
	return 0;
}
