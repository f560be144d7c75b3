/* SPDX-License-Identifier: MIT */
/* Building paths in the hooks: no stdio, no libc string functions (which
 * may use vector registers, runtime/gpr_mem.c). */
#ifndef AVS_RT_STRBUF_H
#define AVS_RT_STRBUF_H

#include <stdint.h>

/* Copy s into d (cap bytes, NUL-terminated); its length, -1 if cut. */
static inline long avs_str_copy(char *d, const char *s, long cap)
{
	long i;

	for (i = 0; i + 1 < cap && s[i]; i++)
		d[i] = s[i];
	d[i] = '\0';
	return s[i] ? -1 : i;
}

/* v in decimal at d (room for 21 bytes), NUL-terminated; its length. */
static inline long avs_put_u64(char *d, uint64_t v)
{
	char tmp[24];
	long n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	d[n] = '\0';
	return n;
}

#endif
