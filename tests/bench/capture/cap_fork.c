/* SPDX-License-Identifier: MIT */
/*
 * fork + _exit + waitpid of a process with MIB MiB of private anonymous
 * memory written; K forks after 2 warm-up ones; prints the median and the
 * best, in microseconds: "median best".
 *   cap_fork [K [MIB]]   (default 20, 100)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int k = argc > 1 ? atoi(argv[1]) : 20, i;
	size_t size = (size_t)(argc > 2 ? atol(argv[2]) : 100) << 20;
	double d[1000];
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || k < 1 || k > 1000)
		return 1;
	memset(p, 1, size);
	for (i = -2; i < k; i++) {
		double t0 = now_us(), t1;
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			return 1;
		t1 = now_us();
		if (i >= 0)
			d[i] = t1 - t0;
	}
	qsort(d, (size_t)k, sizeof(d[0]), cmp);
	printf("%.1f %.1f\n", d[k / 2], d[0]);
	return 0;
}
