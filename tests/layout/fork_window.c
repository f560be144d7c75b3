/* SPDX-License-Identifier: MIT */
/* A fork whose child cannot get its trace window at the parent's
 * window's address: under avshadow, the parent maps one page right below
 * its runtime's trace mapping (found in /proc/self/maps), so the 2 MiB
 * aligned placement of the child's new 256 MiB window cannot reuse the
 * hole the old one leaves.  (Without avshadow: just a fork.)  Only the
 * runtime's own mappings change in the child. */
#include "layout.h"

static char buf[1 << 20];

static uintptr_t trace_window(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t have = 0;
	ssize_t n;
	char *line, *save;

	check(fd >= 0, "open maps");
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	close(fd);
	buf[have] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);

		if (len > 6 && !strcmp(line + len - 6, ".trace"))
			return (uintptr_t)strtoul(line, NULL, 16);
	}
	return 0;
}

int main(void)
{
	uintptr_t w = trace_window();
	pid_t c;

	if (w)
		mmap((void *)(w - PG), PG, PROT_READ, MAP_PRIVATE |
		     MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	snap("cp1");
	c = fork_role("child");
	if (c == 0) {
		snap("cp1");
		_exit(0);
	}
	wait_ok(c);
	snap("cp2");
	return 0;
}
