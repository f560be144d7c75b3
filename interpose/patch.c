/* SPDX-License-Identifier: MIT */
/*
 * Trampoline pages and the rewriting of text (avs_ip_apply).  Raw system
 * calls only: libc's own mmap/mprotect may sit on a page being rewritten.
 *
 * Per-site trampoline (mov-syscall and exit kinds):
 *
 *   48 8d 64 24 80            lea -0x80(%rsp),%rsp   skip the red zone
 *   b8 NR 00 00 00            mov $NR,%eax
 *   48 8d 0d <rel32>          lea site+len(%rip),%rcx  (for unwinding)
 *   49 bb <avs_ip_stub>       movabs $avs_ip_stub,%r11
 *   41 ff d3                  call *%r11             (r11, rcx: clobbered
 *   48 8d a4 24 80 00 00 00   lea 0x80(%rsp),%rsp     by syscall anyway)
 *   [be e7 00 00 00]          exit kind: the replaced mov $231,%esi
 *   e9 <rel32>                jmp site+len
 *
 * syscall() entry:
 *
 *   49 bb <avs_ip_syscall_entry> 41 ff e3      movabs; jmp *%r11
 *   orig: f3 0f 1e fa 48 89 f8 48 89 f7 e9 <rel32 syscall+6>
 *         endbr64; the two replaced movs; back into glibc's body
 *
 * The site itself becomes `e9 <rel32 trampoline>` followed by int3 for the
 * bytes left over: nothing may jump there (checked in sites.c), and if
 * something did, a trap is better than a silently skipped syscall.
 */
#define _GNU_SOURCE
#include "interpose/sites.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "interpose/raw.h"
#include "runtime/runtime.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096UL
#define STEP (1UL << 20)
#define REACH ((uintptr_t)1 << 31)
#define SLOT 64 /* room reserved per trampoline (the longest is 48 bytes) */

__attribute__((visibility("hidden"))) uintptr_t avs_ip_syscall_orig;

static struct tpage {
	uintptr_t addr;
	size_t used;
	int patched; /* sites patched through it */
} g_pages[2 * AVS_IP_NROLES];
static int g_npages;

int avs_ip_force_mprotect;

static const char *g_method = "none";
static long g_memfd = -2; /* -2: not tried, -1: unavailable */

static struct {
	uintptr_t start, end;
} g_written[AVS_IP_MAX_SITES];
static int g_nwritten;

const char *avs_ip_write_method(void)
{
	return g_method;
}

static bool is_err(long r)
{
	return (unsigned long)r > -4096UL;
}

/* Can code anywhere in [page, page+PAGE) reach all of [o->lo, o->hi) with
 * a rel32, both ways? */
static bool reaches(uintptr_t page, const struct avs_ip_obj *o)
{
	uintptr_t lo = page < o->lo ? page : o->lo;
	uintptr_t hi = page + PAGE > o->hi ? page + PAGE : o->hi;
	return hi - lo < REACH - PAGE;
}

static struct tpage *page_for(const struct avs_ip_obj *o)
{
	for (int i = 0; i < g_npages; i++)
		if (reaches(g_pages[i].addr, o) &&
		    g_pages[i].used + SLOT <= PAGE)
			return &g_pages[i];
	if (g_npages == (int)(sizeof(g_pages) / sizeof(g_pages[0])))
		return NULL;
	uintptr_t top = o->lo & ~(STEP - 1);
	for (uintptr_t k = 1; k < REACH / STEP && k * STEP < top; k++) {
		uintptr_t a = top - k * STEP;
		if (a < 0x10000 || !reaches(a, o))
			break;
		long r = avs_ip_raw6(SYS_mmap, (long)a, PAGE,
				     PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS |
					     MAP_FIXED_NOREPLACE,
				     -1, 0);
		if (is_err(r))
			continue; /* EEXIST: something there */
		if ((uintptr_t)r != a) { /* a kernel without NOREPLACE */
			avs_ip_raw(SYS_munmap, r, PAGE, 0);
			continue;
		}
		struct tpage *p = &g_pages[g_npages++];
		p->addr = a;
		p->used = 0;
		p->patched = 0;
		return p;
	}
	return NULL;
}

/* ---- code emission ---- */

struct emit {
	uint8_t *p;
	bool ok;
};

static void eb(struct emit *e, const void *b, size_t n)
{
	memcpy(e->p, b, n);
	e->p += n;
}

static void e64(struct emit *e, uint64_t v)
{
	eb(e, &v, 8);
}

/* e9 rel32 to target */
static void ejmp(struct emit *e, uintptr_t target)
{
	intptr_t rel = (intptr_t)(target - ((uintptr_t)e->p + 5));
	if (rel != (int32_t)rel)
		e->ok = false;
	int32_t r32 = (int32_t)rel;
	eb(e, "\xe9", 1);
	eb(e, &r32, 4);
}

/* 48 8d 0d rel32: lea target(%rip),%rcx */
static void elea_rcx(struct emit *e, uintptr_t target)
{
	intptr_t rel = (intptr_t)(target - ((uintptr_t)e->p + 7));
	if (rel != (int32_t)rel)
		e->ok = false;
	int32_t r32 = (int32_t)rel;
	eb(e, "\x48\x8d\x0d", 3);
	eb(e, &r32, 4);
}

static bool emit_tramp(struct avs_ip_site *s, struct tpage *pg)
{
	uintptr_t at = pg->addr + pg->used;
	struct emit e = { (uint8_t *)at, true };

	if (s->kind == AVS_IP_SYSCALL_FN) {
		eb(&e, "\x49\xbb", 2);
		e64(&e, (uint64_t)(uintptr_t)avs_ip_syscall_entry);
		eb(&e, "\x41\xff\xe3", 3);
		uintptr_t orig = (uintptr_t)e.p;
		eb(&e, "\xf3\x0f\x1e\xfa", 4);
		eb(&e, s->orig, 6);
		ejmp(&e, s->addr + 6);
		if (e.ok)
			avs_ip_syscall_orig = orig;
	} else {
		uint32_t nr = (uint32_t)s->nr;
		eb(&e, "\x48\x8d\x64\x24\x80", 5);
		eb(&e, "\xb8", 1);
		eb(&e, &nr, 4);
		elea_rcx(&e, s->addr + s->len);
		eb(&e, "\x49\xbb", 2);
		e64(&e, (uint64_t)(uintptr_t)avs_ip_stub);
		eb(&e, "\x41\xff\xd3", 3);
		eb(&e, "\x48\x8d\xa4\x24\x80\x00\x00\x00", 8);
		if (s->kind == AVS_IP_EXIT)
			eb(&e, s->orig, 5);
		ejmp(&e, s->addr + s->len);
	}
	if (!e.ok)
		return false;
	s->tramp = at;
	pg->used += SLOT;
	return true;
}

/* ---- writing text ---- */

static bool write_proc_mem(uintptr_t a, const uint8_t *b, size_t n)
{
	if (g_memfd == -2 && avs_ip_force_mprotect)
		g_memfd = -1;
	if (g_memfd == -2) {
		g_memfd = avs_ip_raw(SYS_openat, AT_FDCWD, "/proc/self/mem",
				     O_RDWR | O_CLOEXEC);
		if (g_memfd < 0)
			g_memfd = -1;
	}
	if (g_memfd < 0)
		return false;
	long r = avs_ip_raw6(SYS_pwrite64, g_memfd, (long)b, (long)n, (long)a,
			     0, 0);
	return r == (long)n;
}

/* mprotect the pages writable, copy, restore r-x; signals blocked so that
 * no handler runs libc code from a page that is not executable. */
static bool write_mprotect(uintptr_t a, const uint8_t *b, size_t n)
{
	uint64_t all = ~0ULL, old;
	uintptr_t pg = a & ~(PAGE - 1);
	uintptr_t pe = (a + n + PAGE - 1) & ~(PAGE - 1);
	bool ok = false;

	avs_ip_raw6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, 8,
		    0, 0);
	long r = avs_ip_raw(SYS_mprotect, pg, pe - pg,
			    PROT_READ | PROT_WRITE | PROT_EXEC);
	if (is_err(r))
		r = avs_ip_raw(SYS_mprotect, pg, pe - pg, PROT_READ | PROT_WRITE);
	if (!is_err(r)) {
		volatile uint8_t *d = (volatile uint8_t *)a;
		for (size_t i = 0; i < n; i++)
			d[i] = b[i];
		ok = true;
		avs_ip_raw(SYS_mprotect, pg, pe - pg, PROT_READ | PROT_EXEC);
	}
	avs_ip_raw6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8, 0, 0);
	return ok;
}

static bool g_used_mem, g_used_mprotect;

static bool write_text(uintptr_t a, const uint8_t *b, size_t n)
{
	if (g_memfd != -1 && write_proc_mem(a, b, n)) {
		g_used_mem = true;
	} else {
		if (g_memfd >= 0) { /* refused: mprotect from now on */
			avs_ip_raw(SYS_close, g_memfd, 0, 0);
			g_memfd = -1;
		}
		if (!write_mprotect(a, b, n))
			return false;
		g_used_mprotect = true;
	}
	g_method = g_used_mem && g_used_mprotect ? "/proc/self/mem+mprotect"
		   : g_used_mem			  ? "/proc/self/mem"
						  : "mprotect";
	if (memcmp((const void *)a, b, n) != 0)
		return false;
	if (g_nwritten < AVS_IP_MAX_SITES) {
		g_written[g_nwritten].start = a & ~(PAGE - 1);
		g_written[g_nwritten].end = (a + n + PAGE - 1) & ~(PAGE - 1);
		g_nwritten++;
	}
	return true;
}

static void patch_site(struct avs_ip_site *s)
{
	uint8_t b[8];
	int32_t rel = (int32_t)(s->tramp - (s->addr + 5));
	b[0] = 0xe9;
	memcpy(b + 1, &rel, 4);
	for (int i = 5; i < s->len; i++)
		b[i] = 0xcc;
	if (memcmp((const void *)s->addr, s->orig, s->len) != 0) {
		s->state = AVS_IP_FAILED;
		s->why = "changed since the scan";
	} else if (!write_text(s->addr, b, s->len)) {
		s->state = AVS_IP_FAILED;
		s->why = "text could not be written";
	} else {
		s->state = AVS_IP_PATCHED;
	}
}

/* ---- declaring ---- */

static void declare(void)
{
	for (int i = 0; i < g_npages; i++)
		if (g_pages[i].patched)
			avs_rt_runtime_range(g_pages[i].addr,
					     g_pages[i].addr + PAGE);
	/* insertion sort (at most AVS_IP_MAX_SITES), then merge */
	for (int i = 1; i < g_nwritten; i++)
		for (int j = i;
		     j > 0 && g_written[j - 1].start > g_written[j].start; j--) {
			uintptr_t s = g_written[j].start, e = g_written[j].end;
			g_written[j] = g_written[j - 1];
			g_written[j - 1].start = s;
			g_written[j - 1].end = e;
		}
	for (int i = 0; i < g_nwritten;) {
		uintptr_t s = g_written[i].start, e = g_written[i].end;
		int j = i + 1;
		for (; j < g_nwritten && g_written[j].start <= e; j++)
			if (g_written[j].end > e)
				e = g_written[j].end;
		avs_rt_runtime_range(s, e);
		i = j;
	}
}

int avs_ip_apply(struct avs_ip_site *sites, int n,
		 const struct avs_ip_obj objs[AVS_IP_NROLES])
{
	struct tpage *site_page[AVS_IP_MAX_SITES] = { 0 };
	int patched = 0;

	for (int i = 0; i < n; i++) {
		struct avs_ip_site *s = &sites[i];
		if (s->state != AVS_IP_FOUND)
			continue;
		struct tpage *pg = page_for(&objs[s->role]);
		if (!pg) {
			s->state = AVS_IP_FAILED;
			s->why = "no free page within 2 GiB for a trampoline";
		} else if (!emit_tramp(s, pg)) {
			s->state = AVS_IP_FAILED;
			s->why = "trampoline out of rel32 reach";
		} else {
			site_page[i] = pg;
		}
	}
	for (int i = 0; i < g_npages; i++) {
		long r = avs_ip_raw(SYS_mprotect, g_pages[i].addr, PAGE,
				    PROT_READ | PROT_EXEC);
		if (is_err(r)) {
			for (int k = 0; k < n; k++)
				if (site_page[k] == &g_pages[i]) {
					sites[k].state = AVS_IP_FAILED;
					sites[k].why = "trampoline page could "
						       "not be made executable";
					site_page[k] = NULL;
				}
		}
	}
	for (int i = 0; i < n; i++) {
		struct avs_ip_site *s = &sites[i];
		if (s->state != AVS_IP_FOUND)
			continue;
		if (s->kind == AVS_IP_SYSCALL_FN && !avs_ip_syscall_orig) {
			s->state = AVS_IP_FAILED;
			s->why = "no continuation for syscall()";
			continue;
		}
		patch_site(s);
		if (s->state == AVS_IP_PATCHED) {
			site_page[i]->patched++;
			patched++;
		}
	}
	if (g_memfd >= 0) {
		avs_ip_raw(SYS_close, g_memfd, 0, 0);
		g_memfd = -1;
	}
	for (int i = 0; i < g_npages; i++)
		if (!g_pages[i].patched)
			avs_ip_raw(SYS_munmap, g_pages[i].addr, PAGE, 0);
	declare();
	return patched;
}
