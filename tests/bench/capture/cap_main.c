/* SPDX-License-Identifier: MIT */
/*
 * Prints "A B": A, the ns from CAP_T0 (set by cap_spawn just before
 * execve) to the start of main: loading, relocation and every
 * constructor, the preloaded runtime's included; B, the ns between the
 * constructors of cap_stamp_first.so and cap_stamp_last.so when both are
 * preloaded (around libavshadow.so's constructor, see cap_stamp.c), else -1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void)
{
	struct timespec ts;
	const char *t0 = getenv("CAP_T0");
	long long now, *first, *last;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (!t0)
		return 1;
	first = dlsym(RTLD_DEFAULT, "cap_stamp_first");
	last = dlsym(RTLD_DEFAULT, "cap_stamp_last");
	printf("%lld %lld\n", now - atoll(t0),
	       first && last && *first && *last ? *last - *first : -1LL);
	return 0;
}
