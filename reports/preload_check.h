/* SPDX-License-Identifier: MIT */
/* Finding libavshadow.so and judging whether a program can be preloaded. */
#ifndef AVS_REPORTS_PRELOAD_CHECK_H
#define AVS_REPORTS_PRELOAD_CHECK_H

#include <stddef.h>

/* AVSHADOW_LIB, or libavshadow.so beside this executable; -1 if absent. */
int avs_find_lib(char *out, size_t outlen);
/* PROGRAM as execvp would find it, into out; -1 if not found. */
int avs_resolve_program(const char *prog, char *out, size_t outlen);
/* NULL if path can be preloaded with lib, else why not (in buf or a
 * constant); scripts are judged by their interpreter (depth: recursion). */
const char *avs_why_not_preloadable(const char *path, const char *lib,
				    int depth, char *buf, size_t buflen);

#endif
