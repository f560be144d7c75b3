/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, scenario side: the stream, the region, and what the
 * kernel shows at a checkpoint (/proc/self/smaps and /proc/self/stat).
 * Runs in the forked scenario processes: no malloc, no stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layout_harness.h"
#include "layout_vmflags.h"

pid_t g_self;			/* getpid() of this scenario process */
static int g_fd = -1;		/* the stream, O_APPEND, shared by all */
static uint64_t g_base;		/* region base */
static bool g_heap;		/* report [heap] lines at checkpoints */
static char g_io[1 << 20];	/* /proc reads (in .bss, not in the region) */

static void put(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(g_fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(4);
		s += w;
		n -= (size_t)w;
	}
}

void emit(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		_exit(4);
	put(buf, (size_t)n);
}

void fail(const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit("#F %d %s (errno %d)\n", (int)g_self, buf, errno);
	_exit(3);
}

uint64_t PA(long page)
{
	return g_base + (uint64_t)page * PG;
}

/* Whole file into g_io, NUL-terminated; returns the length. */
static size_t read_proc(const char *path)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail("open %s", path);
	for (;;) {
		ssize_t r = read(fd, g_io + len, sizeof(g_io) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("read %s", path);
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == sizeof(g_io) - 1)
			fail("%s too large", path);
	}
	close(fd);
	g_io[len] = '\0';
	return len;
}

uint64_t cur_brk(void)
{
	return (uint64_t)syscall(SYS_brk, 0);
}

/* mm->start_brk: field 47 of /proc/self/stat. */
static uint64_t start_brk(void)
{
	char *p;
	int field;

	read_proc("/proc/self/stat");
	p = strrchr(g_io, ')');
	if (!p)
		fail("bad /proc/self/stat");
	p++;			/* now before field 3 */
	for (field = 3; field < 47; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			fail("short /proc/self/stat");
	}
	return strtoull(p + 1, NULL, 10);
}

/* One VMA of /proc/self/smaps. */
struct smaps_vma {
	unsigned long s, e;
	char perms[5];
	bool heap;		/* named [heap] */
	uint64_t anon_kb;	/* Anonymous: */
	uint64_t vmflags;	/* VmFlags: */
};

/*
 * fn for each VMA of /proc/self/smaps: its maps line, then its fields,
 * VmFlags last.  g_io is reused, fn must not read /proc.
 */
static void smaps_each(void (*fn)(const struct smaps_vma *, void *), void *arg)
{
	struct smaps_vma v = {0};
	bool in_vma = false;
	char *line, *next;

	read_proc("/proc/self/smaps");
	for (line = g_io; line && *line; line = next) {
		unsigned long s, e;
		char p[5];
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%lx-%lx %4s", &s, &e, p) == 3) {
			len = strlen(line);
			v.s = s;
			v.e = e;
			memcpy(v.perms, p, sizeof(v.perms));
			v.heap = len >= 6 && !strcmp(line + len - 6, "[heap]");
			v.anon_kb = 0;
			in_vma = true;
		} else if (!strncmp(line, "Anonymous:", 10)) {
			v.anon_kb = strtoull(line + 10, NULL, 10);
		} else if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			v.vmflags = vmflags_from_smaps(line + 8);
			fn(&v, arg);
			in_vma = false;
		}
	}
}

/* The driver D's [heap] as P sees it, as a `vma D ...` seed event. */
static void seed_heap(const struct smaps_vma *v, void *arg)
{
	pid_t d = *(const pid_t *)arg;

	if (v->heap)
		emit("vma %d 0x%lx-0x%lx %s vmflags=0x%" PRIx64 "%s\n",
		     (int)d, v->s, v->e, v->perms, v->vmflags,
		     v->anon_kb ? " anon_vma" : "");
}

/*
 * The start of every stream.  P is a fork child of the driver D, so its
 * inherited [heap] is a fork-child VMA: D is seeded with its heap as P saw
 * it right after the fork (VmFlags and, from Anonymous > 0, whether it has
 * an anon_vma), then `fork D P`.  Then the region is reserved: 64 MiB plus
 * a page on each side, the two outer pages unmapped again so that the
 * region never touches (and merges with) an unrelated VMA.
 */
static void harness_begin(bool heap)
{
	pid_t d = getppid();
	uint64_t sb, brk;
	void *r;

	g_self = getpid();
	g_heap = heap;
	sb = start_brk();
	brk = cur_brk();
	emit("start %d start_brk=0x%" PRIx64 " brk=0x%" PRIx64
	     " comm=kernel_layout\n", (int)d, sb, brk);
	smaps_each(seed_heap, &d);
	emit("fork %d %d\n", (int)d, (int)g_self);

	r = mmap(NULL, (REGION_PAGES + 2) * PG, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		fail("reserve");
	g_base = (uint64_t)r + PG;
	if (munmap(r, PG) || munmap((char *)g_base + REGION_PAGES * PG, PG))
		fail("trim reservation");
	emit("mmap %d 0x%" PRIx64 "-0x%" PRIx64 " ---p anon\n", (int)g_self,
	     g_base, g_base + REGION_PAGES * PG);
	emit("#R %d 0x%" PRIx64 " 0x%" PRIx64 "\n", (int)g_self, g_base,
	     g_base + REGION_PAGES * PG);
}

void scenario_main(const struct scenario *sc, int fd)
{
	g_fd = fd;
	harness_begin(sc->heap);
	sc->fn();
	_exit(0);
}

/* A checkpoint is written with one write(). */
static char cp_out[1 << 16];
static size_t cp_len;
static int cp_accessible;

static void cp_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cp_add(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cp_out + cp_len, sizeof(cp_out) - cp_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cp_out) - cp_len)
		fail("checkpoint buffer");
	cp_len += (size_t)n;
}

/* A #K line for a VMA inside the region, or a [heap] in a heap scenario. */
static void cp_vma(const struct smaps_vma *v, void *arg)
{
	bool in_region = v->s < PA(REGION_PAGES) && v->e > g_base;

	(void)arg;
	if (in_region && strcmp(v->perms, "---p"))
		cp_accessible++;
	if (in_region || (g_heap && v->heap))
		cp_add("#K %d 0x%lx-0x%lx %s vmflags=0x%" PRIx64 "%s\n",
		       (int)g_self, v->s, v->e, v->perms, v->vmflags,
		       in_region ? "" : " heap");
}

void checkpoint(const char *label, int expect)
{
	cp_len = 0;
	cp_accessible = 0;
	cp_add("checkpoint %d %s\n", (int)g_self, label);
	smaps_each(cp_vma, NULL);
	if (g_heap)
		cp_add("#H %d 0x%" PRIx64 " 0x%" PRIx64 "\n", (int)g_self,
		       start_brk(), cur_brk());
	cp_add("#E %d %d %d\n", (int)g_self, expect, cp_accessible);
	cp_add("#K %d end\n", (int)g_self);
	put(cp_out, cp_len);
}
