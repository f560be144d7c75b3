/* SPDX-License-Identifier: MIT */
/* Merges: unfaulted with unfaulted, a three-way merge when the middle of
 * three VMAs gets its neighbours' flags back (outer ones faulted), a new
 * mapping next to a faulted one, a faulted range growing into an
 * unfaulted neighbour by mprotect; then the same in a fork child, which
 * does not merge across faulted/unfaulted (6.16).  Each write is sampled
 * (snap) before the next split or merge: capture learns writes only at
 * samples (docs/CAPTURE.md). */
#include "layout.h"

int main(void)
{
	char *r = free_range(24 * PG);
	pid_t c;

	map_fixed(r, 4 * PG, PROT_READ | PROT_WRITE);
	map_fixed(r + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	snap("unfaulted");
	check(!mprotect(r + 2 * PG, 2 * PG, PROT_READ), "split");
	touch(r, 2 * PG);
	touch(r + 4 * PG, 2 * PG);
	snap("faulted-outer");
	check(!mprotect(r + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE), "3-way");
	snap("three-way");
	map_fixed(r + 8 * PG, 4 * PG, PROT_READ | PROT_WRITE);
	snap("adjacent");
	touch(r + 8 * PG, PG);
	snap("adjacent-written");
	map_fixed(r + 12 * PG, 4 * PG, PROT_READ);
	check(!mprotect(r + 12 * PG, 2 * PG, PROT_READ | PROT_WRITE), "grow");
	snap("faulted-into-unfaulted");
	c = fork_role("child");
	if (c == 0) {
		map_fixed(r + 18 * PG, 2 * PG, PROT_READ | PROT_WRITE);
		check(!mprotect(r + 14 * PG, 2 * PG, PROT_READ | PROT_WRITE),
		      "child mprotect");
		snap("child-unfaulted");
		touch(r + 18 * PG, PG);
		snap("child-written");
		_exit(0);
	}
	wait_ok(c);
	snap("end");
	return 0;
}
