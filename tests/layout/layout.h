/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the layout scenario programs (tests/layout/layout_capture.sh).
 *
 * snap("cpN") records the checkpoint "<program>.<role>.<pid>.cpN" with
 * AVSHADOW_CHECKPOINT, then saves /proc/self/maps as
 * $LAYOUT_MAPS_DIR/<pid>-<label>.maps with plain open/read/write into a
 * static buffer (nothing maps memory between the checkpoint and the read).
 * The label is unique in a capture as long as a process (pid and role)
 * uses each cpN once; the role tells apart the images of one pid across
 * an exec.  Without avshadow the programs run the same (the checkpoint is
 * a no-op) and still save their maps.
 *
 * Every scenario checks its syscalls and exits 99 (after a line on
 * stderr) when one fails that should not have.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "avshadow/client.h"

#define PG 4096UL
/* (declared by errno.h only if _GNU_SOURCE came before any header) */
extern char *program_invocation_short_name;
#define LAY_FN static __attribute__((unused))

static const char *lay_role = "main";
static char lay_maps_buf[1 << 20];

__attribute__((noreturn, format(printf, 1, 2)))
LAY_FN void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s[%d]: %s: %s\n", program_invocation_short_name,
		(int)getpid(), msg, strerror(e));
	_exit(99);
}

LAY_FN void lay_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			die("write maps");
		p += w;
		n -= (size_t)w;
	}
}

LAY_FN void snap(const char *cp)
{
	const char *dir = getenv("LAYOUT_MAPS_DIR");
	char label[256], path[4096];
	size_t have = 0;
	ssize_t n;
	int fd;

	snprintf(label, sizeof(label), "%s.%s.%d.%s",
		 program_invocation_short_name, lay_role, (int)getpid(), cp);
	if (dir)
		snprintf(path, sizeof(path), "%s/%d-%s.maps", dir,
			 (int)getpid(), label);
	AVSHADOW_CHECKPOINT(label);
	/* from here to the end of the read: no mapping changes */
	if (!dir)
		return;
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/maps");
	while ((n = read(fd, lay_maps_buf + have,
			 sizeof(lay_maps_buf) - have)) > 0)
		have += (size_t)n;
	close(fd);
	if (n < 0 || have == sizeof(lay_maps_buf))
		die("read /proc/self/maps");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create %s", path);
	lay_write_all(fd, lay_maps_buf, have);
	close(fd);
}

LAY_FN char *map_at(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	char *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		die("mmap %p %zu", addr, len);
	return p;
}

LAY_FN char *map_anon(size_t len, int prot)
{
	return map_at(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A free range of len bytes with a free guard of one page either side,
 * so mappings placed in it with MAP_FIXED touch nothing else. */
LAY_FN char *free_range(size_t len)
{
	char *p = map_at(NULL, len + 2 * PG, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (munmap(p, len + 2 * PG))
		die("munmap");
	return p + PG;
}

LAY_FN char *map_fixed(char *at, size_t len, int prot)
{
	return map_at(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		      -1, 0);
}

LAY_FN void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += PG)
		p[i] = (char)(i / PG + 1);
}

LAY_FN void check(int ok, const char *what)
{
	if (!ok)
		die("%s", what);
}

LAY_FN pid_t fork_role(const char *child_role)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		lay_role = child_role;
	return pid;
}

LAY_FN void wait_ok(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		errno = 0;
		die("child %d failed (status 0x%x)", (int)pid, st);
	}
}

/* A file of npages pages in $LAYOUT_TMP (or /tmp), page i filled with
 * byte i+1; opened O_RDWR, unlinked unless keep. */
LAY_FN int temp_file(const char *name, size_t npages, int keep)
{
	const char *dir = getenv("LAYOUT_TMP");
	char path[4096], page[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s.%d", dir ? dir : "/tmp", name,
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("create %s", path);
	for (size_t i = 0; i < npages; i++) {
		memset(page, (int)(i + 1), sizeof(page));
		lay_write_all(fd, page, sizeof(page));
	}
	if (!keep)
		unlink(path);
	return fd;
}

/* The folder of this program (the other scenario binaries live there). */
LAY_FN const char *bin_dir(void)
{
	static char dir[4096];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (n <= 0)
		die("readlink /proc/self/exe");
	dir[n] = '\0';
	*strrchr(dir, '/') = '\0';
	return dir;
}

#endif
