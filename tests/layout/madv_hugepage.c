/* SPDX-License-Identifier: MIT */
/* MADV_HUGEPAGE on a 2 MiB-aligned part of an 8 MiB VMA (split,
 * VM_HUGEPAGE), written (THPs where the kernel can); MADV_NOHUGEPAGE on
 * part of it; MADV_HUGEPAGE on all of it; then a fork. */
#include "layout.h"

#define MB (1UL << 20)

int main(void)
{
	char *raw = map_anon(10 * MB, PROT_READ | PROT_WRITE);
	char *p = (char *)(((uintptr_t)raw + 2 * MB - 1) & ~(2 * MB - 1));
	pid_t c;

	snap("cp1");
	check(!madvise(p + 2 * MB, 4 * MB, MADV_HUGEPAGE), "HUGEPAGE");
	touch(p, 8 * MB);
	snap("cp2");
	check(!madvise(p + 4 * MB, 2 * MB, MADV_NOHUGEPAGE), "NOHUGEPAGE");
	snap("cp3");
	check(!madvise(raw, 10 * MB, MADV_HUGEPAGE), "HUGEPAGE all");
	snap("cp4");
	c = fork_role("child");
	if (c == 0) {
		touch(p + 2 * MB, 2 * MB);
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	snap("cp5");
	return 0;
}
