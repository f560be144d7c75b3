/* SPDX-License-Identifier: MIT */
/* Reading /proc files line by line with raw syscalls into a caller's
 * buffer: no stdio, no malloc. */
#ifndef AVS_RT_PROCFILE_H
#define AVS_RT_PROCFILE_H

#include <stddef.h>

/* Call line(arg, start, end) for every line of path; a line longer than
 * the buffer is dropped.  0, or -errno if path cannot be opened. */
int avs_proc_lines(const char *path, char *buf, size_t size,
		   void (*line)(void *arg, const char *p, const char *end),
		   void *arg);

#endif
