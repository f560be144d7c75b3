/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * A snapshotter like Redis's BGSAVE: the parent holds its data in a big
 * anonymous region and in malloc'ed values, forks, and the child walks
 * everything and writes it out (to /dev/null by default) while the
 * parent keeps writing: every page the parent writes during the save is
 * copied, the child keeps the old one.  The child samples its pages
 * halfway (checkpoint "child-midway"), the parent after it has heard so
 * ("parent-midway"): the shadow then holds both sides of each copied page.
 *
 *   avshadow run -o out -- ./bgsave [-m MIB] [-s SAVES] [-o FILE]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "avshadow/client.h"

#define PAGE 4096UL
#define NVALS 4096

__attribute__((noreturn)) static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The save: write every page and value out, tell the parent halfway. */
static int save(const unsigned char *data, size_t npages, char **vals,
		const char *path, int midway)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	uint32_t sum = 0;

	if (fd < 0)
		return 1;
	for (size_t i = 0; i < npages; i++) {
		if (write(fd, data + i * PAGE, PAGE) != (ssize_t)PAGE)
			return 1;
		sum += data[i * PAGE];
		if (i == npages / 2) {
			AVSHADOW_CHECKPOINT("child-midway");
			if (write(midway, "m", 1) != 1)
				return 1;
		}
	}
	for (size_t i = 0; i < NVALS; i++)
		if (write(fd, vals[i], 64) != 64)
			return 1;
	return close(fd) || !sum;
}

int main(int argc, char **argv)
{
	size_t mib = 32, npages, writes = 0;
	unsigned saves = 2;
	const char *path = "/dev/null";
	unsigned char *data;
	char *vals[NVALS];
	int c, bad = 0;

	while ((c = getopt(argc, argv, "m:s:o:")) != -1) {
		if (c == 'm')
			mib = (size_t)atol(optarg);
		else if (c == 's')
			saves = (unsigned)atoi(optarg);
		else if (c == 'o')
			path = optarg;
		else {
			fprintf(stderr, "usage: %s [-m MIB] [-s SAVES] "
				"[-o FILE]\n", argv[0]);
			return 2;
		}
	}
	if (!mib)
		return 2;
	npages = mib * 256;
	data = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (data == MAP_FAILED)
		die("mmap");
	for (size_t i = 0; i < npages; i++)
		data[i * PAGE] = (unsigned char)(i | 1);
	for (size_t i = 0; i < NVALS; i++) {
		vals[i] = malloc(64);
		if (!vals[i])
			die("malloc");
		memset(vals[i], 'a' + (int)(i % 26), 64);
	}
	AVSHADOW_CHECKPOINT("loaded");

	for (unsigned s = 0; s < saves; s++) {
		int mid[2], st;
		char m;
		pid_t child;

		if (pipe2(mid, O_NONBLOCK))
			die("pipe");
		child = fork();
		if (child < 0)
			die("fork");
		if (!child) {
			close(mid[0]);
			_exit(save(data, npages, vals, path, mid[1]));
		}
		close(mid[1]);
		/* keep serving writes while the child saves: one page in 8,
		 * the values too, until the child is done */
		int seen_mid = 0;
		size_t i = 0;
		while (waitpid(child, &st, WNOHANG) == 0) {
			for (size_t k = 0; k < 64; k++, i += 8)
				data[(i % npages) * PAGE + 1]++;
			vals[i % NVALS][0]++;
			writes += 64;
			if (!seen_mid && read(mid[0], &m, 1) == 1) {
				seen_mid = 1;
				AVSHADOW_CHECKPOINT("parent-midway");
			}
		}
		close(mid[0]);
		bad |= !WIFEXITED(st) || WEXITSTATUS(st) || !seen_mid;
	}
	printf("bgsave: %u saves of %zu MiB, %zu page writes by the parent "
	       "during them: %s\n", saves, mib, writes, bad ? "FAILED" : "ok");
	return bad;
}
