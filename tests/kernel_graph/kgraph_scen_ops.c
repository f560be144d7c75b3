/* SPDX-License-Identifier: MIT */
/* The scenario side of kgraph_scenarios: real syscalls and their events. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kgraph_scen.h"

static int g_fd = -1;		/* the pipe, shared by all processes */
static pid_t g_self;		/* getpid() of this process */
static pid_t g_parent;		/* the process that forked this one */
static uint64_t g_base;		/* region base */

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

/* One line per call, < PIPE_BUF: written atomically. */
void ks_emit(const char *fmt, ...)
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

void ks_fail(const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ks_emit("#F %d %s (errno %d)\n", (int)g_self, buf, e);
	_exit(3);
}

uint64_t ks_pa(long page)
{
	return g_base + (uint64_t)page * KS_PG;
}

static void prot3(int prot, char out[4])
{
	out[0] = prot & PROT_READ ? 'r' : '-';
	out[1] = prot & PROT_WRITE ? 'w' : '-';
	out[2] = prot & PROT_EXEC ? 'x' : '-';
	out[3] = '\0';
}

/*
 * P appears as a started process without VMAs (the shadow only needs the
 * region).  The region: KS_REGION_PAGES plus a page on each side, the two
 * outer pages unmapped again so it never merges with another VMA.
 */
void ks_begin(int fd)
{
	void *r;

	g_fd = fd;
	g_self = getpid();
	ks_emit("start %d comm=kgraph_scenarios\n", (int)g_self);
	r = mmap(NULL, (KS_REGION_PAGES + 2) * KS_PG, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		ks_fail("reserve");
	g_base = (uint64_t)r + KS_PG;
	if (munmap(r, KS_PG) ||
	    munmap((char *)g_base + KS_REGION_PAGES * KS_PG, KS_PG))
		ks_fail("trim reservation");
	ks_emit("mmap %d 0x%" PRIx64 "-0x%" PRIx64 " ---p anon\n", (int)g_self,
		g_base, g_base + KS_REGION_PAGES * KS_PG);
	ks_emit("#R %d 0x%" PRIx64 " 0x%" PRIx64 "\n", (int)g_self, g_base,
		g_base + KS_REGION_PAGES * KS_PG);
}

void ks_map(long p, long n, int prot)
{
	char pr[4];
	void *r = mmap((void *)ks_pa(p), (size_t)n * KS_PG, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (r != (void *)ks_pa(p))
		ks_fail("mmap %ld+%ld", p, n);
	prot3(prot, pr);
	ks_emit("mmap %d 0x%" PRIx64 "-0x%" PRIx64 " %sp anon flags=fixed\n",
		(int)g_self, ks_pa(p), ks_pa(p + n), pr);
}

void ks_unmap(long p, long n)
{
	if (munmap((void *)ks_pa(p), (size_t)n * KS_PG))
		ks_fail("munmap %ld+%ld", p, n);
	ks_emit("munmap %d 0x%" PRIx64 "-0x%" PRIx64 "\n", (int)g_self,
		ks_pa(p), ks_pa(p + n));
}

void ks_prot(long p, long n, int prot)
{
	char pr[4];

	if (mprotect((void *)ks_pa(p), (size_t)n * KS_PG, prot))
		ks_fail("mprotect %ld+%ld", p, n);
	prot3(prot, pr);
	ks_emit("mprotect %d 0x%" PRIx64 "-0x%" PRIx64 " %s\n", (int)g_self,
		ks_pa(p), ks_pa(p + n), pr);
}

void ks_move(long op, long n, long np)
{
	void *r = mremap((void *)ks_pa(op), (size_t)n * KS_PG,
			 (size_t)n * KS_PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			 (void *)ks_pa(np));

	if (r != (void *)ks_pa(np))
		ks_fail("mremap %ld+%ld -> %ld", op, n, np);
	ks_emit("mremap %d 0x%" PRIx64 "-0x%" PRIx64 " 0x%" PRIx64 "-0x%" PRIx64
		" flags=maymove,fixed\n", (int)g_self, ks_pa(op), ks_pa(op + n),
		ks_pa(np), ks_pa(np + n));
}

void ks_write(long p, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		*(volatile char *)ks_pa(p + i) = 1;
		ks_emit("fault %d 0x%" PRIx64 " w\n", (int)g_self, ks_pa(p + i));
	}
}

pid_t ks_fork(void)
{
	int pp[2];
	pid_t c;
	char b;

	if (pipe2(pp, O_CLOEXEC))
		ks_fail("pipe");
	c = fork();
	if (c < 0)
		ks_fail("fork");
	if (c == 0) {
		/* no PR_SET_PDEATHSIG: some children outlive their parent;
		 * the driver kills the process group, alarm() the rest */
		alarm(KS_PROC_TIMEOUT);
		g_parent = g_self;
		g_self = getpid();
		close(pp[1]);
		while (read(pp[0], &b, 1) < 0 && errno == EINTR)
			;
		close(pp[0]);
		return 0;
	}
	close(pp[0]);
	ks_emit("fork %d %d\n", (int)g_self, (int)c);
	if (write(pp[1], "g", 1) != 1)
		ks_fail("pipe write");
	close(pp[1]);
	return c;
}

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* The parent's exit_mm() is done before its children are reparented. */
void ks_wait_parent_gone(void)
{
	while (getppid() == g_parent)
		nap();
}

void ks_wait_exit(pid_t c)
{
	int st;

	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			ks_fail("waitpid %d", (int)c);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		ks_fail("child %d ended with status 0x%x", (int)c, st);
}

void ks_wait_stopped(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		char *p;

		if (fd < 0)
			ks_fail("open %s", path);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			ks_fail("read %s", path);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && (p[2] == 'T' || p[2] == 't'))
			return;
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			ks_fail("process %d died", (int)pid);
		nap();
	}
}

void ks_exit(void)
{
	ks_emit("exit %d\n", (int)g_self);
	_exit(0);
}

void ks_stop(void)
{
	ks_emit("checkpoint %d stopped\n", (int)g_self);
	ks_emit("#S %d\n", (int)g_self);
	raise(SIGSTOP);
	/* continued: the driver is done with us */
	_exit(0);
}
