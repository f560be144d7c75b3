/* SPDX-License-Identifier: MIT */
/* A COW storm: 16 children of one parent each write a different part of
 * a shared 64-page region (and one all of it), with all of them alive at
 * the checkpoint; then they exit one by one. */
#include "layout.h"

#define KIDS 16

int main(void)
{
	char *p = map_anon(64 * PG, PROT_READ | PROT_WRITE);
	pid_t kids[KIDS];
	int i, go[2], done[2];
	char b;

	touch(p, 64 * PG);
	if (pipe(go) || pipe(done))
		die("pipe");
	for (i = 0; i < KIDS; i++) {
		kids[i] = fork_role("kid");
		if (kids[i] == 0) {
			close(go[1]);
			touch(p + (size_t)(i * 4) * PG, (i == KIDS - 1 ? 64 - i * 4 : 4) * PG);
			if (write(done[1], "x", 1) != 1)
				die("write");
			if (read(go[0], &b, 1) < 0)	/* EOF: the parent looked */
				die("read");
			_exit(0);
		}
	}
	for (i = 0; i < KIDS; i++)
		if (read(done[0], &b, 1) != 1)
			die("read");
	snap("all-written");
	close(go[1]);
	for (i = 0; i < KIDS; i++)
		wait_ok(kids[i]);
	snap("end");
	return 0;
}
