/* SPDX-License-Identifier: MIT */
/* The stack grows by faults (no syscall): 2 MiB of recursion beyond the
 * initial stack, checkpointed at the deepest point and after returning
 * (the stack VMA does not shrink). */
#include "layout.h"

static int depth_cp(int n)
{
	volatile char frame[16 << 10];

	frame[0] = (char)n;
	frame[sizeof(frame) - 1] = (char)n;
	if (n == 0) {
		snap("cp2");
		return frame[0];
	}
	return depth_cp(n - 1) + frame[100];
}

int main(void)
{
	snap("cp1");
	check(depth_cp(128) >= 0, "recursion");	/* 128 x 16 KiB */
	snap("cp3");
	return 0;
}
