/* SPDX-License-Identifier: MIT */
/*
 * memcpy and memset for libavshadow.so.  Code reached from patched syscall
 * sites runs inside arbitrary functions whose vector registers may be
 * live; libc's versions use SSE/AVX.  These are hidden, so every call in
 * the library (the compiler's implicit ones too) binds here and the
 * program keeps libc's.  Build with -fno-builtin
 * -fno-tree-loop-distribute-patterns so the loops stay loops.
 */
#include <stddef.h>

__attribute__((visibility("hidden"))) void *memcpy(void *d, const void *s,
						    size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

__attribute__((visibility("hidden"))) void *memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;

	while (n--)
		*dp++ = (unsigned char)c;
	return d;
}
