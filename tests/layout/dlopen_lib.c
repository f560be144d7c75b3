/* SPDX-License-Identifier: MIT */
/* dlopen and dlclose: ld.so maps the library (its own mmap/mprotect
 * sites), resolves, unmaps it again. */
#include "layout.h"
#include <dlfcn.h>

int main(void)
{
	void *h;
	double (*fn)(double);

	snap("cp1");
	h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	check(h != NULL, "dlopen libm");
	fn = (double (*)(double))dlsym(h, "cos");
	check(fn && fn(0.0) == 1.0, "cos");
	snap("cp2");
	check(!dlclose(h), "dlclose");
	snap("cp3");
	h = dlopen("libz.so.1", RTLD_LAZY);	/* if present */
	snap("cp4");
	if (h)
		dlclose(h);
	snap("cp5");
	return 0;
}
