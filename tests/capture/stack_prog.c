/* SPDX-License-Identifier: MIT */
/*
 * A program whose memory-map calls come from known functions, for
 * tests/capture/stacks.sh: a direct mmap of 7 pages three calls deep, a
 * large malloc (glibc maps it), a fork, an mmap of 5 pages and a fork
 * from a thread (its first stack is taken inside fork, with malloc's
 * locks held), and an mmap of 3 pages from a signal handler.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define NOINLINE __attribute__((noinline))

static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(99);
	return p;
}

NOINLINE void stack_leaf(void)
{
	volatile char *p = map_pages(7);

	p[0] = 1;
	__asm__ volatile("" ::: "memory");
}

NOINLINE void stack_middle(void)
{
	stack_leaf();
	__asm__ volatile("" ::: "memory");
}

NOINLINE void stack_outer(void)
{
	stack_middle();
	__asm__ volatile("" ::: "memory");
}

NOINLINE void *stack_big_malloc(void)
{
	char *p = malloc(1 << 20);	/* above the mmap threshold */

	if (!p)
		_exit(99);
	memset(p, 1, 4096);
	return p;
}

NOINLINE void stack_fork(void)
{
	pid_t c = fork();

	if (c == 0)
		_exit(0);
	if (c < 0 || waitpid(c, NULL, 0) != c)
		_exit(99);
}

NOINLINE void *stack_thread(void *arg)
{
	(void)arg;
	stack_fork();
	map_pages(5);
	return NULL;
}

NOINLINE void stack_handler(int sig)
{
	(void)sig;
	map_pages(3);
}

int main(void)
{
	pthread_t t;
	void *big;

	stack_outer();
	big = stack_big_malloc();
	stack_fork();
	if (pthread_create(&t, NULL, stack_thread, NULL) ||
	    pthread_join(t, NULL))
		return 99;
	signal(SIGUSR1, stack_handler);
	raise(SIGUSR1);
	free(big);
	return 0;
}
