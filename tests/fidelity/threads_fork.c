/* SPDX-License-Identifier: MIT */
/* Threads that map and write, sampled, then split their mappings and
 * write a shared region while the main thread forks (the child gets one
 * thread) and checkpoints. */
#include <pthread.h>
#include "layout.h"

static char *region, *own[4];
static pthread_barrier_t bar;

static void *worker(void *arg)
{
	size_t i = (size_t)arg;

	own[i] = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	touch(own[i], 8 * PG);
	pthread_barrier_wait(&bar);	/* main samples */
	pthread_barrier_wait(&bar);
	check(!munmap(own[i] + 4 * PG, 2 * PG), "munmap");
	touch(region + i * 4 * PG, 4 * PG);
	pthread_barrier_wait(&bar);	/* main forks */
	pthread_barrier_wait(&bar);
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	size_t i;
	pid_t c;

	region = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	pthread_barrier_init(&bar, NULL, 5);
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			die("pthread_create");
	pthread_barrier_wait(&bar);
	snap("written");
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	c = fork_role("child");
	if (c == 0) {
		region[0] = 3;
		snap("child");
		_exit(0);
	}
	pthread_barrier_wait(&bar);
	wait_ok(c);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	snap("end");
	return 0;
}
