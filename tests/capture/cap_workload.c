/* SPDX-License-Identifier: MIT */
/*
 * A workload for tests/capture/coverage.sh: the memory-map syscalls a
 * real program makes through libc and ld.so.  Large malloc blocks (mmap),
 * realloc of them (mremap), 8 threads (stacks, guard pages, malloc
 * arenas, madvise of the stack at exit), dlopen of libz.so.1 (ld.so's
 * mmaps and mprotects), sbrk growth and shrink (brk), a fork whose child
 * maps, protects, remaps, advises and unmaps memory and exits.
 * Prints one line per step; status 0 when every step worked.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 8

static int fails;

static void step(const char *what, int ok)
{
	printf("%-8s %s\n", ok ? "ok" : "FAIL", what);
	fails += !ok;
}

static void *worker(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	char *blocks[16];
	size_t i;

	/* small blocks: a per-thread arena (mmap + mprotect of its heap) */
	for (i = 0; i < 16; i++) {
		blocks[i] = malloc(1000 + id * 64 + i);
		if (blocks[i])
			memset(blocks[i], (int)i, 1000);
	}
	/* a big one: its own mmap, grown by mremap */
	char *big = malloc(512 << 10);
	if (big) {
		memset(big, 1, 512 << 10);
		big = realloc(big, 2 << 20);
		if (big)
			big[(2 << 20) - 1] = 2;
	}
	free(big);
	for (i = 0; i < 16; i++)
		free(blocks[i]);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	unsigned i;
	int ok;

	setvbuf(stdout, NULL, _IOLBF, 0);

	/* 1. large blocks, realloc'ed (mremap), freed (munmap) */
	{
		char *a = malloc(1 << 20), *b = malloc(3 << 20);

		ok = a && b;
		if (ok) {
			memset(a, 'a', 1 << 20);
			memset(b, 'b', 3 << 20);
			a = realloc(a, 4 << 20);
			b = realloc(b, 1 << 20);	/* shrink in place */
			ok = a && b && a[(1 << 20) - 1] == 'a' && b[0] == 'b';
			if (a)
				a[(4 << 20) - 1] = 'z';
		}
		free(a);
		free(b);
		step("large malloc/realloc/free", ok);
	}

	/* 2. eight threads */
	ok = 1;
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i))
			ok = 0;
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	step("8 threads", ok);

	/* 3. dlopen libz */
	{
		void *z = dlopen("libz.so.1", RTLD_NOW);
		const char *(*ver)(void) = z ? (const char *(*)(void))
					     dlsym(z, "zlibVersion") : NULL;

		ok = ver && ver()[0] == '1';
		if (z)
			dlclose(z);
		step("dlopen libz.so.1", ok);
	}

	/* 4. the heap grown and shrunk with sbrk */
	{
		char *p = sbrk(0), *q = sbrk(1 << 20);

		ok = q != (void *)-1 && q == p;
		if (ok) {
			memset(q, 'h', 1 << 20);
			ok = sbrk(256 << 10) != (void *)-1 &&
			     sbrk(-(256 << 10)) != (void *)-1 &&
			     sbrk(-(1 << 20)) != (void *)-1 && sbrk(0) == p;
		}
		step("sbrk grow/shrink", ok);
	}

	/* 5. fork: the child maps memory and exits */
	{
		pid_t pid = fork();
		int st = -1;

		if (pid == 0) {
			char *m = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			char *f;

			if (m == MAP_FAILED)
				_exit(1);
			memset(m, 1, 64 << 10);
			mprotect(m, 16 << 10, PROT_READ);
			/* back to one VMA: mremap wants a single one */
			mprotect(m, 16 << 10, PROT_READ | PROT_WRITE);
			madvise(m + (32 << 10), 16 << 10, MADV_DONTNEED);
			f = mremap(m, 64 << 10, 256 << 10, MREMAP_MAYMOVE);
			if (f == MAP_FAILED)
				_exit(2);
			munmap(f, 256 << 10);
			m = malloc(8 << 20);	/* mmap'ed by malloc */
			if (!m)
				_exit(3);
			m[0] = 1;
			free(m);
			exit(0);
		}
		ok = pid > 0 && waitpid(pid, &st, 0) == pid &&
		     WIFEXITED(st) && WEXITSTATUS(st) == 0;
		step("fork, child maps and exits", ok);
		fprintf(stderr, "pid %d\npid %d\n", (int)getpid(), (int)pid);
	}

	/* 6. failed calls: not events */
	{
		void *m = mmap((void *)4096, 4096, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);
		ok = munmap((void *)1, 4096) == -1 &&
		     mprotect((void *)1, 4096, PROT_READ) == -1;
		if (m != MAP_FAILED)
			munmap(m, 4096);
		step("failed calls", ok);
	}
	return fails ? 1 : 0;
}
