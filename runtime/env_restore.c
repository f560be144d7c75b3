/* SPDX-License-Identifier: MIT */
/*
 * A program that clears LD_PRELOAD or AVSHADOW_OUT before exec would take
 * its children out of the trace.  The execve hook puts them back.  The
 * hook may run in a posix_spawn child on a small stack, so the new
 * environment is built in static storage, taken with a try-lock: if two
 * threads exec at once, the second goes unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include "env_restore.h"

#define MAX_ENV 4096
#define VAL_MAX 4096

static char lib[VAL_MAX];		/* this library's path */
static char out_var[VAL_MAX];		/* "AVSHADOW_OUT=/abs/dir" */
static char preload_var[2 * VAL_MAX];	/* "LD_PRELOAD=lib[:theirs]" */
static char *new_env[MAX_ENV + 3];
static unsigned long busy;

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static bool prefix(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return false;
	return true;
}

static bool append(char *d, unsigned long *at, unsigned long cap,
		   const char *s)
{
	unsigned long n = len(s);

	if (*at + n + 1 > cap)
		return false;
	for (unsigned long i = 0; i <= n; i++)
		d[*at + i] = s[i];
	*at += n;
	return true;
}

void avs_env_init(const char *dir)
{
	Dl_info info;
	unsigned long at = 0;
	char cwd[VAL_MAX];

	if (dladdr((void *)avs_env_init, &info) && info.dli_fname &&
	    info.dli_fname[0] == '/') {
		at = 0;
		append(lib, &at, sizeof(lib), info.dli_fname);
	}
	at = 0;
	append(out_var, &at, sizeof(out_var), "AVSHADOW_OUT=");
	if (dir[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		append(out_var, &at, sizeof(out_var), cwd);
		append(out_var, &at, sizeof(out_var), "/");
	}
	if (!append(out_var, &at, sizeof(out_var), dir))
		out_var[0] = '\0';
}

/* Does the LD_PRELOAD value s (after '=') name our library? */
static bool names_lib(const char *s)
{
	unsigned long n = len(lib);

	while (*s) {
		const char *e = s;

		while (*e && *e != ':' && *e != ' ')
			e++;
		if ((unsigned long)(e - s) == n) {
			unsigned long i = 0;

			while (i < n && s[i] == lib[i])
				i++;
			if (i == n)
				return true;
		}
		s = *e ? e + 1 : e;
	}
	return false;
}

char *const *avs_env_for_exec(char *const *envp, bool *restored)
{
	const char *preload = NULL, *outdir = NULL;
	unsigned long n = 0, k = 0, i, at = 0;
	unsigned long expect = 0;

	*restored = false;
	if (!lib[0] || !out_var[0] || !envp)
		return envp;
	for (n = 0; envp[n]; n++) {
		if (prefix(envp[n], "LD_PRELOAD="))
			preload = envp[n] + 11;
		else if (prefix(envp[n], "AVSHADOW_OUT="))
			outdir = envp[n];
	}
	if ((preload && names_lib(preload)) && outdir)
		return envp;
	if (n > MAX_ENV ||
	    !__atomic_compare_exchange_n(&busy, &expect, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return envp;
	append(preload_var, &at, sizeof(preload_var), "LD_PRELOAD=");
	append(preload_var, &at, sizeof(preload_var), lib);
	if (preload && !names_lib(preload) && *preload) {
		append(preload_var, &at, sizeof(preload_var), ":");
		if (!append(preload_var, &at, sizeof(preload_var), preload))
			preload_var[at] = '\0';
	}
	for (i = 0; i < n; i++)
		if (!prefix(envp[i], "LD_PRELOAD=") &&
		    !(prefix(envp[i], "AVSHADOW_OUT=") && !outdir))
			new_env[k++] = envp[i];
	new_env[k++] = preload_var;
	if (!outdir)
		new_env[k++] = out_var;
	new_env[k] = NULL;
	*restored = true;
	/* released by the exec (or, if it fails, by the caller) */
	return new_env;
}

void avs_env_release(void)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}
