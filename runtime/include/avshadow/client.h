/* SPDX-License-Identifier: MIT */
/*
 * avshadow client requests.  A program built with this header runs
 * unchanged without avshadow; under it (libavshadow.so preloaded), each
 * AVSHADOW_CHECKPOINT("label") records a named checkpoint after what the
 * process has recorded so far.  Link with -ldl on glibc < 2.34.
 */
#ifndef AVSHADOW_CLIENT_H
#define AVSHADOW_CLIENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>

/* The runtime's entry, looked up once; NULL when it is not loaded. */
static inline void (*avshadow_checkpoint_fn(void))(const char *)
{
	static void (*fn)(const char *);
	static int looked;

	if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
		fn = (void (*)(const char *))dlsym(RTLD_DEFAULT,
						   "avshadow_checkpoint");
		__atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
	}
	return fn;
}

#define AVSHADOW_CHECKPOINT(label)                                            \
	do {                                                                  \
		void (*avs_fn_)(const char *) = avshadow_checkpoint_fn();     \
		if (avs_fn_)                                                  \
			avs_fn_(label);                                       \
	} while (0)

#endif
