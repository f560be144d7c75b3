/* SPDX-License-Identifier: MIT */
/* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) names part of an anonymous
 * VMA: the kernel splits it ([anon:NAME]); naming it back to nothing
 * merges.  Skipped if the kernel lacks CONFIG_ANON_VMA_NAME. */
#include "layout.h"
#include <sys/prctl.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

int main(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE);

	touch(p, 16 * PG);
	snap("cp1");
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p + 4 * PG, 4 * PG,
		  "avshadow-test")) {
		fprintf(stderr, "PR_SET_VMA_ANON_NAME: %s, skipped\n",
			strerror(errno));
	}
	snap("cp2");
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p + 4 * PG, 4 * PG, NULL);
	snap("cp3");
	return 0;
}
