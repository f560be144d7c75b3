/* SPDX-License-Identifier: MIT */
/*
 * Rewriting syscall sites so that libc's and ld.so's own memory-map calls
 * (malloc, thread stacks, realloc's mremap, dlopen) reach the runtime.
 */
#ifndef AVS_INTERPOSE_H
#define AVS_INTERPOSE_H

#include <stddef.h>

/*
 * Find and rewrite the `mov $NR,%eax; syscall` sites of libc and ld.so
 * (and the entry of syscall()) for the numbers of avs_rt_wanted().  Each
 * site is checked byte by byte before it is changed; an object that does
 * not look as expected is left alone and named in msg.  Returns the number
 * of sites rewritten.  Must run before the program starts threads.
 */
int avs_ip_patch_all(char *msg, size_t len);

#endif
