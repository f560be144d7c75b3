/* SPDX-License-Identifier: MIT */
/*
 * The process's memory at the start of main, for the runtime's footprint:
 *   status VmRSS RssAnon RssFile RssShmem VmSize   (kB, /proc/self/status)
 *   vma PERMS SIZE_KB RSS_KB ANON_KB PATH          (one per /proc/self/smaps
 *                                                  entry, [vsyscall] left out)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[4 << 20];

static size_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t have = 0;
	ssize_t n;

	if (fd < 0)
		exit(1);
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	close(fd);
	buf[have] = '\0';
	return have;
}

static long field(const char *name)
{
	const char *p = strstr(buf, name);

	return p ? atol(p + strlen(name)) : -1;
}

int main(void)
{
	char *line, *save;
	char perms[8] = "", path[512] = "";
	unsigned long start = 0, end = 0;
	long rss = 0, anon = 0;
	int have = 0;

	slurp("/proc/self/status");
	printf("status %ld %ld %ld %ld %ld\n", field("VmRSS:"),
	       field("RssAnon:"), field("RssFile:"), field("RssShmem:"),
	       field("VmSize:"));
	slurp("/proc/self/smaps");
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long s, e;
		char pr[8];
		int off = 0;

		if (sscanf(line, "%lx-%lx %7s %*x %*s %*u%n", &s, &e, pr,
			   &off) == 3 && off) {
			if (have && strcmp(path, "[vsyscall]"))
				printf("vma %s %lu %ld %ld %s\n", perms,
				       (end - start) >> 10, rss, anon,
				       path[0] ? path : "-");
			start = s;
			end = e;
			strcpy(perms, pr);
			while (line[off] == ' ')
				off++;
			snprintf(path, sizeof(path), "%s", line + off);
			rss = anon = 0;
			have = 1;
		} else if (!strncmp(line, "Rss:", 4)) {
			rss = atol(line + 4);
		} else if (!strncmp(line, "Anonymous:", 10)) {
			anon = atol(line + 10);
		}
	}
	if (have && strcmp(path, "[vsyscall]"))
		printf("vma %s %lu %ld %ld %s\n", perms, (end - start) >> 10,
		       rss, anon, path[0] ? path : "-");
	return 0;
}
