/* SPDX-License-Identifier: MIT */
/*
 * mprotect and mremap of memory shared copy-on-write with a fork child.
 * The parent writes a region and forks; the child makes the middle of it
 * read-only (one VMA becomes three, each keeping the anon_vma chain of the
 * original), writes the rest (copies in its own anon_vma), then moves the
 * region with mremap to a bigger one (the pages move, their anon_vma
 * stays, and an rmap walk finds them at the new address) and writes the
 * new tail.  The parent meanwhile shrinks its own copy and protects the
 * tail.  Checkpoints after each step: "child-mprotect", "child-mremap",
 * "parent-mremap".
 *
 *   avshadow run -o out -- ./remap_after_fork [-m MIB]
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

static void touch(unsigned char *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		p[i * PAGE]++;
}

/* The child: split by mprotect, write, move to twice the size. */
static int child(unsigned char *p, size_t n)
{
	unsigned char *q;

	if (mprotect(p + n / 4 * PAGE, n / 2 * PAGE, PROT_READ))
		die("mprotect");
	touch(p, 0, n / 4);
	touch(p, n / 4 * 3, n);
	AVSHADOW_CHECKPOINT("child-mprotect");
	/* restore, so the three VMAs can merge back before the move */
	if (mprotect(p + n / 4 * PAGE, n / 2 * PAGE, PROT_READ | PROT_WRITE))
		die("mprotect");
	q = mremap(p, n * PAGE, 2 * n * PAGE, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		die("mremap");
	touch(q, n, 2 * n);
	AVSHADOW_CHECKPOINT("child-mremap");
	return munmap(q, 2 * n * PAGE) != 0;
}

int main(int argc, char **argv)
{
	size_t mib = 4, n;
	unsigned char *p;
	pid_t pid;
	int c, st, bad;

	while ((c = getopt(argc, argv, "m:")) != -1) {
		if (c != 'm') {
			fprintf(stderr, "usage: %s [-m MIB]\n", argv[0]);
			return 2;
		}
		mib = (size_t)atol(optarg);
	}
	if (mib < 1)
		return 2;
	n = mib * 256;
	p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	touch(p, 0, n);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(child(p, n));
	/* the parent: shrink in place, protect the new tail, write the head */
	if (mremap(p, n * PAGE, n / 2 * PAGE, 0) != p)
		die("mremap");
	if (mprotect(p + n / 4 * PAGE, n / 4 * PAGE, PROT_READ))
		die("mprotect");
	touch(p, 0, n / 8);
	AVSHADOW_CHECKPOINT("parent-mremap");
	bad = waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st);
	printf("remap_after_fork: %zu MiB: %s\n", mib, bad ? "FAILED" : "ok");
	return bad;
}
