/* SPDX-License-Identifier: MIT */
/* A signal handler that maps memory: a 50 us interval timer whose
 * SIGALRM handler maps 64 KiB and keeps it (up to 3000 times) while the
 * main thread replaces its own 8 slots of 64 KiB (munmap + mmap).  A
 * handler that runs at the return of one of main's munmaps gets the
 * address just freed.  Checkpoints after 3 phases (timer stopped). */
#include <signal.h>
#include <sys/time.h>
#include "layout.h"

static volatile unsigned hcount;

static void handler(int sig)
{
	int e = errno;

	(void)sig;
	if (hcount < 3000 && mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
		hcount++;
	errno = e;
}

static void timer(long us)
{
	struct itimerval it = { { 0, us }, { 0, us } };

	check(!setitimer(ITIMER_REAL, &it, NULL), "setitimer");
}

int main(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	char *slot[8] = { 0 }, cp[8];

	check(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	snap("cp0");
	for (int ph = 1; ph <= 3; ph++) {
		timer(50);
		for (int r = 0; r < 40000; r++) {
			int k = r % 8;

			if (slot[k])
				check(!munmap(slot[k], 16 * PG), "munmap");
			slot[k] = map_anon(16 * PG, PROT_READ | PROT_WRITE);
		}
		timer(0);
		snprintf(cp, sizeof(cp), "cp%d", ph);
		snap(cp);
	}
	return 0;
}
