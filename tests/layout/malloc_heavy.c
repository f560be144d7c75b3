/* SPDX-License-Identifier: MIT */
/* glibc malloc as programs use it: small blocks (brk), large ones (mmap),
 * realloc of a large block (mremap), frees, malloc_trim (brk shrink and
 * MADV_DONTNEED), calloc, an aligned block. */
#include "layout.h"
#include <malloc.h>

int main(void)
{
	void *small[2000], *big[8], *al;
	char *r;

	snap("cp1");
	for (int i = 0; i < 2000; i++)
		small[i] = malloc(100 + i);
	for (int i = 0; i < 8; i++)
		big[i] = malloc((size_t)(i + 1) << 18);
	snap("cp2");
	r = realloc(big[3], 8 << 20);
	check(r != NULL, "realloc");
	big[3] = r;
	r = realloc(big[3], 2 << 20);
	big[3] = r;
	al = aligned_alloc(1 << 21, 1 << 22);
	snap("cp3");
	for (int i = 0; i < 2000; i += 2)
		free(small[i]);
	for (int i = 0; i < 8; i += 2)
		free(big[i]);
	free(calloc(1, 5 << 20));
	malloc_trim(0);
	snap("cp4");
	for (int i = 1; i < 2000; i += 2)
		free(small[i]);
	malloc_trim(0);
	free(al);
	snap("cp5");
	return 0;
}
