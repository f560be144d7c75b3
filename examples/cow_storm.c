/* SPDX-License-Identifier: MIT */
/*
 * The copy-on-write storm of the anon_vma_chain changelog (Rik van Riel,
 * 2010, "mm: change anon_vma linking to fix multi-process server
 * scalability issue"): a parent with a big anonymous region forks 1000
 * children that each write to it.  With one anon_vma per fork family
 * (linux-2.6.33) every page, copied or not, is in one anon_vma with 1001
 * VMAs, so each rmap walk visits them all; with anon_vma_chains a child's
 * copies are in its own anon_vma and a walk of one visits one VMA.  All
 * children live until the parent's checkpoint "storm"; compare
 *
 *   avshadow run -o out -- ./cow_storm [-n CHILDREN] [-m MIB] [-p PAGES]
 *   avshadow replay --model linux-2.6.33 --model linux-6.18 out
 *
 * Each child writes PAGES pages (default 4) from its own offset.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "avshadow/client.h"

#define PAGE 4096UL

__attribute__((noreturn)) static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned children = 1000, pages = 4, i, ready = 0;
	size_t mib = 16, npages;
	int c, bad = 0, ready_p[2], go[2];
	unsigned char *region;
	char b;

	while ((c = getopt(argc, argv, "n:m:p:")) != -1) {
		if (c == 'n')
			children = (unsigned)atoi(optarg);
		else if (c == 'm')
			mib = (size_t)atol(optarg);
		else if (c == 'p')
			pages = (unsigned)atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-n CHILDREN] [-m MIB] "
				"[-p PAGES]\n", argv[0]);
			return 2;
		}
	}
	if (!mib)
		return 2;
	npages = mib * 256;
	region = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || pipe(ready_p) || pipe(go))
		die("setup");
	for (size_t p = 0; p < npages; p++)
		region[p * PAGE] = 1;
	for (i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			close(go[1]);
			for (unsigned k = 0; k < pages; k++)
				region[((size_t)i * pages + k) % npages * PAGE]++;
			AVSHADOW_CHECKPOINT("child-wrote");
			/* ready, then wait until the parent has seen all */
			_exit(write(ready_p[1], "r", 1) != 1 ||
			      read(go[0], &b, 1) != 0);
		}
	}
	close(ready_p[1]);
	while (ready < children && read(ready_p[0], &b, 1) == 1)
		ready++;
	AVSHADOW_CHECKPOINT("storm");
	close(go[1]);
	for (i = 0; i < children; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	}
	bad |= ready != children;
	printf("cow_storm: %u children wrote %u pages each of %zu MiB: %s\n",
	       children, pages, mib, bad ? "FAILED" : "ok");
	return bad;
}
