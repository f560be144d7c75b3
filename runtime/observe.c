/* SPDX-License-Identifier: MIT */
/*
 * Page observations at decision points.  The kernel gives a VMA its
 * anon_vma at the first write fault, which no hook sees; what a fork copies
 * depends on it.  So before a fork (and at checkpoints) the pages of every
 * private VMA are read from /proc/self/pagemap and recorded as `pages`
 * events: present, swapped, exclusive, page-cache, and the PFN when it is
 * readable (root), which tells shared pages from copies exactly.
 * Chunks with no page in memory or swap are not written.  Raw syscalls
 * and static buffers; if another thread is already sampling, this one
 * skips rather than waits.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "observe.h"
#include "shadow/pagemap_word.h"
#include "out.h"
#include "procfile.h"
#include "raw.h"

#define CHUNK_PAGES 512

static char maps[1 << 16];
static uint64_t pm[CHUNK_PAGES];
static uint64_t words[CHUNK_PAGES];
static uint64_t busy;
static uint64_t zero_pfn;

static long pagemap_open(void)
{
	return raw4(SYS_openat, AT_FDCWD, "/proc/self/pagemap",
		    O_RDONLY | O_CLOEXEC, 0);
}

/* The PFN of the shared zero page (0 when PFNs are hidden: not root). */
void avs_observe_init(void)
{
	volatile char *p = (char *)raw6(SYS_mmap, 0, 4096, PROT_READ,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long fd;
	uint64_t e = 0;

	if ((long)p < 0 && (long)p > -4096)
		return;
	(void)p[0];		/* a read fault maps the zero page */
	fd = pagemap_open();
	if (fd >= 0) {
		if (raw4(SYS_pread64, fd, &e, 8, ((uint64_t)p >> 12) * 8) == 8 &&
		    (e & AVS_PM_PRESENT))
			zero_pfn = e & AVS_PM_PFN;
		raw1(SYS_close, fd);
	}
	raw2(SYS_munmap, p, 4096);
}

struct ctx {
	long fd;
	int pid;
};

static void observe_range(struct ctx *c, uint64_t start, uint64_t end)
{
	uint64_t a;

	for (a = start; a < end; a += CHUNK_PAGES * 4096ULL) {
		uint64_t n = (end - a) >> 12, i;
		bool any = false;
		struct avs_event ev = { .type = AVS_EV_PAGES };

		if (n > CHUNK_PAGES)
			n = CHUNK_PAGES;
		/*
		 * Stamped before the read: a page another thread unmaps
		 * meanwhile took its seq before its munmap, so it sorts before
		 * this and the stale "present" lands on no VMA, never on a
		 * mapping made in its place (stamped after it completes).
		 */
		ev.seq = avs_out_seq();
		if (raw4(SYS_pread64, c->fd, pm, n * 8, (a >> 12) * 8) != (long)(n * 8))
			return;
		for (i = 0; i < n; i++) {
			words[i] = avs_pagemap_word(pm[i], zero_pfn);
			any |= words[i] != 0;
		}
		if (!any)
			continue;
		ev.pid = (uint32_t)c->pid;
		ev.u.pages.start = a;
		ev.words = words;
		ev.nwords = (uint32_t)n;
		avs_out_write(&ev);
	}
}

static const char *hexnum(const char *p, const char *end, uint64_t *v)
{
	*v = 0;
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9')
			*v = *v * 16 + (uint64_t)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			*v = *v * 16 + (uint64_t)(*p - 'a' + 10);
		else
			break;
	}
	return p;
}

/* One maps line: private, accessible, not a special mapping. */
static void maps_line(void *arg, const char *p, const char *end)
{
	uint64_t start, stop;
	const char *perms, *q;

	p = hexnum(p, end, &start) + 1;
	p = hexnum(p, end, &stop) + 1;
	perms = p;
	if (end - perms < 4 || perms[3] != 'p' ||
	    (perms[0] == '-' && perms[1] == '-' && perms[2] == '-'))
		return;
	for (q = end; q > perms && q[-1] != ' '; q--)
		;
	if (q < end && *q == '[' && q[1] == 'v')	/* [vdso] [vvar] ... */
		return;
	observe_range(arg, start, stop);
}

bool avs_observe_begin(void)
{
	uint64_t expect = 0;

	return avs_out_on() &&
	       __atomic_compare_exchange_n(&busy, &expect, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void avs_observe_end(void)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

void avs_observe_range(int pid, long pagemap_fd, uint64_t start,
		       uint64_t end)
{
	struct ctx c = { .fd = pagemap_fd, .pid = pid };

	observe_range(&c, start, end);
}

void avs_observe_all(int pid)
{
	struct ctx c = { .pid = pid };

	if (!avs_observe_begin())
		return;
	c.fd = pagemap_open();
	if (c.fd >= 0) {
		avs_proc_lines("/proc/self/maps", maps, sizeof(maps),
			       maps_line, &c);
		raw1(SYS_close, c.fd);
	}
	avs_observe_end();
}
