/* SPDX-License-Identifier: MIT */
/*
 * Before avshadow run starts a program: where libavshadow.so is, and
 * whether the program can be preloaded at all (static binaries, set-id
 * programs, another ELF class or machine cannot).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "preload_check.h"

#define LIB_NAME "libavshadow.so"

/* ---- where libavshadow.so is ---- */

int avs_find_lib(char *out, size_t outlen)
{
	const char *env = getenv("AVSHADOW_LIB");
	bool from_env = env && *env;
	char self[PATH_MAX], path[PATH_MAX + 32];
	const char *why = NULL;
	struct stat sb;
	ssize_t n;

	if (from_env) {
		snprintf(path, sizeof(path), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0) {
			fprintf(stderr, "avshadow: cannot find %s: /proc/self/exe: "
				"%s (set AVSHADOW_LIB to its path)\n", LIB_NAME,
				strerror(errno));
			return -1;
		}
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(path, sizeof(path), "%s/%s", self, LIB_NAME);
	}
	if (stat(path, &sb))
		why = strerror(errno);
	else if (!S_ISREG(sb.st_mode))
		why = "not a regular file";
	else if (!realpath(path, out) || strlen(out) >= outlen)
		why = strerror(errno);
	if (why) {
		fprintf(stderr, "avshadow: the recorder library is missing: "
			"%s%s: %s (%s)\n", from_env ? "AVSHADOW_LIB=" : "", path,
			why, from_env ? "unset AVSHADOW_LIB to use the one next "
			"to avshadow" : "build libavshadow.so, or set "
			"AVSHADOW_LIB to its path");
		return -1;
	}
	if (strpbrk(out, ": \t")) {
		fprintf(stderr, "avshadow: %s: a path with ':' or blanks "
			"cannot go in LD_PRELOAD\n", out);
		return -1;
	}
	return 0;
}

/* ---- can PROGRAM be preloaded? ---- */

/* PROGRAM as execvp would find it, into out; -1 if not found. */
int avs_resolve_program(const char *prog, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *e;

	if (strchr(prog, '/')) {
		snprintf(out, outlen, "%s", prog);
		return access(out, F_OK) ? -1 : 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = e + 1) {
		struct stat sb;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		snprintf(out, outlen, "%.*s%s%s", (int)(e - p), p,
			 e > p ? "/" : "", prog);
		if (!stat(out, &sb) && S_ISREG(sb.st_mode) &&
		    !access(out, X_OK))
			return 0;
		if (!*e)
			break;
	}
	return -1;
}

struct elf_id {
	unsigned char cls;
	uint16_t machine;
	bool interp;
};

/* The class, machine and PT_INTERP of an ELF file; -1 if not ELF. */
static int elf_identify(int fd, struct elf_id *id)
{
	unsigned char ident[EI_NIDENT];
	uint64_t phoff;
	unsigned phnum, phentsize, i;

	memset(id, 0, sizeof(*id));
	if (pread(fd, ident, sizeof(ident), 0) != sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG))
		return -1;
	id->cls = ident[EI_CLASS];
	if (id->cls == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
			return -1;
		id->machine = eh.e_machine;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else if (id->cls == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
			return -1;
		id->machine = eh.e_machine;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		return -1;
	}
	for (i = 0; i < phnum && i < 4096; i++) {
		uint32_t type;

		if (pread(fd, &type, 4, (off_t)(phoff + (uint64_t)i * phentsize)) != 4)
			return -1;
		if (type == PT_INTERP)
			id->interp = true;
	}
	return 0;
}

/*
 * NULL if path can be preloaded with the library lib, else why not.
 * Scripts are judged by their interpreter.
 */
const char *avs_why_not_preloadable(const char *path, const char *lib,
				    int depth, char *buf, size_t buflen)
{
	char head[256];
	struct elf_id pid, lid;
	struct stat sb;
	ssize_t n;
	int fd, lfd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		/* cannot tell (execute-only?): let execve decide */
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	n = pread(fd, head, sizeof(head) - 1, 0);
	head[n > 0 ? n : 0] = '\0';
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		char *s = head + 2, *e;

		close(fd);
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; *e && *e != ' ' && *e != '\t' && *e != '\n'; e++)
			;
		*e = '\0';
		if (!*s || depth >= 4)
			return NULL;	/* execve will say */
		return avs_why_not_preloadable(s, lib, depth + 1, buf, buflen);
	}
	if (elf_identify(fd, &pid)) {
		close(fd);
		return NULL;	/* not ELF nor #!: execve will say */
	}
	close(fd);
	if ((sb.st_mode & S_ISUID) && sb.st_uid != getuid())
		return "set-uid (the loader ignores LD_PRELOAD in secure execution)";
	if ((sb.st_mode & S_ISGID) && sb.st_gid != getgid())
		return "set-gid (the loader ignores LD_PRELOAD in secure execution)";
	if (getuid() != 0 &&
	    getxattr(path, "security.capability", NULL, 0) > 0)
		return "file capabilities (the loader ignores LD_PRELOAD in "
		       "secure execution)";
	if (!pid.interp)
		return "static (statically linked, no program interpreter)";
	lfd = open(lib, O_RDONLY | O_CLOEXEC);
	if (lfd >= 0 && !elf_identify(lfd, &lid) &&
	    (lid.cls != pid.cls || lid.machine != pid.machine)) {
		close(lfd);
		snprintf(buf, buflen, "%s-bit program, %s is %s-bit or for "
			 "another machine", pid.cls == ELFCLASS32 ? "32" : "64",
			 LIB_NAME, lid.cls == ELFCLASS32 ? "32" : "64");
		return buf;
	}
	if (lfd >= 0)
		close(lfd);
	return NULL;
}

