/* SPDX-License-Identifier: MIT */
/*
 * Constructor timestamps around the runtime's constructor.  Built twice:
 * -DSTAMP_FIRST (cap_stamp_first.so) and -DSTAMP_LAST (cap_stamp_last.so).
 * ld.so runs the constructors of LD_PRELOAD objects in reverse list order,
 * so LD_PRELOAD="cap_stamp_last.so libavshadow.so cap_stamp_first.so" runs
 * first's, the runtime's, then last's; cap_main prints last - first.
 */
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#ifdef STAMP_FIRST
long long cap_stamp_first;

__attribute__((constructor)) static void stamp(void)
{
	cap_stamp_first = now_ns();
}
#else
long long cap_stamp_last;

__attribute__((constructor)) static void stamp(void)
{
	cap_stamp_last = now_ns();
}
#endif
