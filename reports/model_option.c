/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "model_option.h"

const struct avs_rules *avs_model_option(const char *name, char *err,
					 size_t errlen)
{
	const struct avs_rules *const *all;
	const struct avs_rules *r;
	struct utsname u;
	size_t n, i, off;

	if (!strcmp(name, "auto"))
		return avs_rules_for_release(uname(&u) ? "" : u.release);
	r = avs_rules_find(name);
	if (r)
		return r;
	all = avs_rules_all(&n);
	off = (size_t)snprintf(err, errlen, "unknown model '%s'; known: auto", name);
	for (i = 0; i < n && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, ", %s", all[i]->name);
	return NULL;
}
