/* SPDX-License-Identifier: MIT */
/* The sequence of LWN's 2010 anon_vma_chain article: a parent writes two
 * pages and forks; the child writes one (its own copy), leaves the other
 * shared and exits while the parent goes on; then the parent forks again
 * and the new child reuses what the first left behind. */
#include "layout.h"

int main(void)
{
	char *p = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	pid_t c;

	touch(p, 2 * PG);
	snap("one-process");
	c = fork_role("child");
	if (c == 0) {
		snap("after-fork");
		p[0] = 7;
		snap("after-child-cow");
		_exit(0);
	}
	wait_ok(c);
	snap("after-child-exit");
	c = fork_role("child2");
	if (c == 0) {
		p[PG] = 9;
		snap("second-child-cow");
		_exit(0);
	}
	wait_ok(c);
	snap("end");
	return 0;
}
