/* SPDX-License-Identifier: MIT */
/* Threads moving memory with mremap while others free it: 8 threads,
 * each with 8 slots; a round either replaces a slot (munmap + mmap) or
 * grows it with MREMAP_MAYMOVE (moved to wherever the kernel finds room,
 * often a range another thread has just unmapped) and shrinks it back in
 * place.  5 phases; the main thread checkpoints between them. */
#include "layout.h"
#include <pthread.h>

#define NT 8
#define SLOTS 8
#define PHASES 5
#define ROUNDS 4000

static pthread_barrier_t bar;

static void *worker(void *arg)
{
	char *slot[SLOTS] = { 0 };
	unsigned s = (unsigned)(long)arg * 2654435761u;

	for (int ph = 0; ph < PHASES; ph++) {
		for (int r = 0; r < ROUNDS; r++) {
			unsigned x = (s = s * 1103515245 + 12345) >> 16;
			int k = (int)(x % SLOTS);

			if (!slot[k] || (x & 0x100)) {
				if (slot[k])
					check(!munmap(slot[k], 16 * PG), "munmap");
				slot[k] = map_anon(16 * PG, PROT_READ | PROT_WRITE);
				continue;
			}
			slot[k] = mremap(slot[k], 16 * PG, 48 * PG, MREMAP_MAYMOVE);
			check(slot[k] != MAP_FAILED, "mremap grow");
			check(mremap(slot[k], 48 * PG, 16 * PG, 0) == slot[k],
			      "mremap shrink");
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
