/* SPDX-License-Identifier: MIT */
/* remap_file_pages(2) (deprecated, emulated by the kernel with a
 * MAP_FIXED mapping of the sub-range): pages 2-3 of a shared file
 * mapping made to show file pages 12-13: a split, new offsets. */
#include "layout.h"

int main(void)
{
	int fd = temp_file("rfp", 16, 0);
	char *p = map_at(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 0);

	snap("cp1");
	check(!remap_file_pages(p + 2 * PG, 2 * PG, 0, 12, 0),
	      "remap_file_pages");
	check(p[2 * PG] == 13, "remapped content");
	snap("cp2");
	return 0;
}
