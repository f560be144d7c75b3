/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, scenario side: the operations.  Each is done for real
 * and written to the stream as the equivalent avshadow text event
 * (docs/EVENTS.md) with the real pid and addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "layout_harness.h"

/* "OP PID START-END[ TAIL]" for pages [p, p + n). */
static void emit_range(const char *op, long p, long n, const char *tail)
{
	emit("%s %d 0x%" PRIx64 "-0x%" PRIx64 "%s%s\n", op, (int)g_self,
	     PA(p), PA(p + n), *tail ? " " : "", tail);
}

/* "mremap PID OLD_START-OLD_END NEW_START-NEW_END[ TAIL]". */
static void emit_mremap(long op, long n, long np, long nn, const char *tail)
{
	emit("mremap %d 0x%" PRIx64 "-0x%" PRIx64 " 0x%" PRIx64 "-0x%" PRIx64
	     "%s%s\n", (int)g_self, PA(op), PA(op + n), PA(np), PA(np + nn),
	     *tail ? " " : "", tail);
}

static void prot3(int prot, char out[4])
{
	out[0] = prot & PROT_READ ? 'r' : '-';
	out[1] = prot & PROT_WRITE ? 'w' : '-';
	out[2] = prot & PROT_EXEC ? 'x' : '-';
	out[3] = '\0';
}

void do_map(long p, long n, int prot)
{
	char pr[4], tail[32];
	void *r = mmap((void *)PA(p), (size_t)n * PG, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (r != (void *)PA(p))
		fail("mmap %ld+%ld", p, n);
	prot3(prot, pr);
	snprintf(tail, sizeof(tail), "%sp anon flags=fixed", pr);
	emit_range("mmap", p, n, tail);
}

void do_unmap(long p, long n)
{
	if (munmap((void *)PA(p), (size_t)n * PG))
		fail("munmap %ld+%ld", p, n);
	emit_range("munmap", p, n, "");
}

void do_prot(long p, long n, int prot)
{
	char pr[4];

	if (mprotect((void *)PA(p), (size_t)n * PG, prot))
		fail("mprotect %ld+%ld", p, n);
	prot3(prot, pr);
	emit_range("mprotect", p, n, pr);
}

void do_madv(long p, long n, int advice, const char *name)
{
	if (madvise((void *)PA(p), (size_t)n * PG, advice))
		fail("madvise %s %ld+%ld", name, p, n);
	emit_range("madvise", p, n, name);
}

/* The system calls themselves: AddressSanitizer's mlock and munlock do
 * nothing. */
void do_mlock(long p, long n, bool lock)
{
	const char *op = lock ? "mlock" : "munlock";

	if (syscall(lock ? SYS_mlock : SYS_munlock, (void *)PA(p),
		    (size_t)n * PG))
		fail("%s %ld+%ld", op, p, n);
	emit_range(op, p, n, "");
}

/* mremap(MREMAP_MAYMOVE | MREMAP_FIXED [| MREMAP_DONTUNMAP]). */
void do_move(long op, long n, long np, bool dontunmap)
{
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED |
		    (dontunmap ? MREMAP_DONTUNMAP : 0);
	void *r = mremap((void *)PA(op), (size_t)n * PG, (size_t)n * PG, flags,
			 (void *)PA(np));

	if (r != (void *)PA(np))
		fail("mremap %ld+%ld -> %ld", op, n, np);
	emit_mremap(op, n, np, n, dontunmap ? "flags=maymove,fixed,dontunmap" :
					      "flags=maymove,fixed");
}

/* mremap(flags 0) in place from n to nn pages. */
static void resize(long p, long n, long nn, const char *what)
{
	void *r = mremap((void *)PA(p), (size_t)n * PG, (size_t)nn * PG, 0);

	if (r != (void *)PA(p))
		fail("mremap %s %ld+%ld -> %ld", what, p, n, nn);
	emit_mremap(p, n, p, nn, "");
}

/* To a smaller size: the tail is unmapped. */
void do_shrink(long p, long n, long nn)
{
	resize(p, n, nn, "shrink");
}

void do_grow(long p, long n, long nn)
{
	resize(p, n, nn, "grow");
}

static void write_at(uint64_t a)
{
	*(volatile char *)a = 1;
	emit("fault %d 0x%" PRIx64 " w\n", (int)g_self, a);
}

/* A real store to each page of [p, p + n): a write fault per page. */
void do_write(long p, long n)
{
	long i;

	for (i = 0; i < n; i++)
		write_at(PA(p + i));
}

/* Write each page through /proc/self/mem (FOLL_FORCE, even if not
 * writable). */
void do_memwrite(long p, long n)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	char c = 1;
	long i;

	if (fd < 0)
		fail("open /proc/self/mem");
	for (i = 0; i < n; i++) {
		if (pwrite(fd, &c, 1, (off_t)PA(p + i)) != 1)
			fail("pwrite /proc/self/mem %ld", p + i);
		emit("fault %d 0x%" PRIx64 " f\n", (int)g_self, PA(p + i));
	}
	close(fd);
}

/* brk(current + n pages, from the page-aligned break) and write the new
 * pages. */
void do_brk_grow(long n)
{
	uint64_t old = cur_brk();
	uint64_t from = (old + PG - 1) & ~(PG - 1);
	uint64_t want = from + (uint64_t)n * PG;
	uint64_t a;

	if (cur_brk() != old || (uint64_t)syscall(SYS_brk, want) != want)
		fail("brk +%ld", n);
	emit("brk %d 0x%" PRIx64 " 0x%" PRIx64 "\n", (int)g_self, old, want);
	for (a = from; a < want; a += PG)
		write_at(a);
}

/*
 * fork(); the child waits until the parent has written the fork event, so
 * the stream stays in causal order.  Returns 0 in the child.
 */
pid_t do_fork(void)
{
	int pp[2];
	pid_t c;
	char b;

	if (pipe2(pp, O_CLOEXEC))
		fail("pipe");
	c = fork();
	if (c < 0)
		fail("fork");
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(PROC_TIMEOUT);
		g_self = getpid();
		close(pp[1]);
		while (read(pp[0], &b, 1) < 0 && errno == EINTR)
			;
		close(pp[0]);
		return 0;
	}
	close(pp[0]);
	emit("fork %d %d\n", (int)g_self, (int)c);
	if (write(pp[1], "g", 1) != 1)
		fail("pipe write");
	close(pp[1]);
	return c;
}

void do_wait(pid_t c)
{
	int st;

	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		emit("#F %d child %d ended with status 0x%x\n", (int)g_self,
		     (int)c, st);
	emit("exit %d\n", (int)c);
}
