/* SPDX-License-Identifier: MIT */
/* Threads that map memory: each, in turn (a mutex), maps, splits with
 * mprotect, unmaps and mallocs a large block (malloc arenas: mmap,
 * munmap, mprotect inside glibc), then checkpoints from the thread; the
 * main thread checkpoints with all threads alive and after joining. */
#include "layout.h"
#include <pthread.h>

#define NT 4
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t bar;
static char *keep[NT];

static void *worker(void *arg)
{
	long i = (long)arg;
	char cp[16], *p, *q;
	void *big;

	pthread_mutex_lock(&mu);
	p = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	touch(p, 16 * PG);
	check(!mprotect(p + 4 * PG, 4 * PG, PROT_READ), "mprotect");
	q = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	check(!munmap(q, 4 * PG), "munmap");
	big = malloc(300 << 10);	/* above the mmap threshold */
	check(big != NULL, "malloc");
	memset(big, 1, 300 << 10);
	free(malloc(1000));		/* a per-thread arena */
	keep[i] = p;
	snprintf(cp, sizeof(cp), "t%ld", i);
	snap(cp);
	pthread_mutex_unlock(&mu);
	pthread_barrier_wait(&bar);	/* all threads alive: main snaps */
	pthread_barrier_wait(&bar);
	free(big);
	return NULL;
}

int main(void)
{
	pthread_t t[NT];

	snap("cp1");
	pthread_barrier_init(&bar, NULL, NT + 1);
	for (long i = 0; i < NT; i++)
		check(!pthread_create(&t[i], NULL, worker, (void *)i),
		      "pthread_create");
	pthread_barrier_wait(&bar);
	snap("cp2");
	pthread_barrier_wait(&bar);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	snap("cp3");
	for (int i = 0; i < NT; i++)
		check(!munmap(keep[i], 8 * PG), "munmap");
	snap("cp4");
	return 0;
}
