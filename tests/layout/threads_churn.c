/* SPDX-License-Identifier: MIT */
/* Threads mapping and unmapping concurrently: each of 8 threads (on 2+
 * CPUs) keeps 8 slots of 64 KiB, replacing a slot's mapping (munmap of
 * the old, mmap of the new: an address freed by one thread is reused by
 * another at once), 5 phases of 5000 replacements; after each phase the
 * threads wait and the main thread checkpoints.  The layout must be the
 * shadow's whatever order the threads' records got. */
#include "layout.h"
#include <pthread.h>

#define NT 8
#define SLOTS 8
#define PHASES 5
#define ROUNDS 5000

static pthread_barrier_t bar;

static void *worker(void *arg)
{
	char *slot[SLOTS] = { 0 };
	unsigned s = (unsigned)(long)arg * 2654435761u;

	for (int ph = 0; ph < PHASES; ph++) {
		for (int r = 0; r < ROUNDS; r++) {
			int k = (int)((s = s * 1103515245 + 12345) >> 16) % SLOTS;

			if (slot[k])
				check(!munmap(slot[k], 16 * PG), "munmap");
			slot[k] = map_anon(16 * PG, PROT_READ | PROT_WRITE);
			if (r % 7 == 0)
				check(!mprotect(slot[k], PG, PROT_READ), "mprotect");
		}
		pthread_barrier_wait(&bar);	/* main checkpoints */
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NT];
	char cp[16];

	snap("cp0");
	pthread_barrier_init(&bar, NULL, NT + 1);
	for (long i = 0; i < NT; i++)
		check(!pthread_create(&t[i], NULL, worker, (void *)(i + 1)),
		      "pthread_create");
	for (int ph = 0; ph < PHASES; ph++) {
		pthread_barrier_wait(&bar);
		snprintf(cp, sizeof(cp), "cp%d", ph + 1);
		snap(cp);
		pthread_barrier_wait(&bar);
	}
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	snap("cp9");
	return 0;
}
