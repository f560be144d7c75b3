/* SPDX-License-Identifier: MIT */
/*
 * Coverage test of the syscall-site patcher, run by coverage.sh.
 *
 *   ip_cov [nopatch|mprotect]
 *
 * Patches libc and ld.so (unless nopatch; with mprotect, through the
 * mprotect fallback instead of /proc/self/mem), then between the markers
 * write(-1,"AVS_MARK",8) and write(-1,"AVS_END",7) runs a workload that
 * makes libc and ld.so map memory in every way they do internally, and
 * checks that results and errno are what they must be.  Prints:
 *   site OBJ +OFF NR STATE [why]     every candidate site (patched run)
 *   range START END                  ranges declared to the runtime
 *   count NAME N                     calls the fake runtime saw between
 *                                    the markers (fork children included)
 *   check NAME ok|FAIL ...           behaviour checks
 * Exit status 1 if a check failed.  Built without sanitizers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/time.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interpose/interpose.h"
#include "interpose/sites.h"
#include "tests/interpose/fake_runtime.h"

static int g_failed;
static char g_checks[16384];
static size_t g_nchecks;

/* Collected, printed after the end marker (printing inside the window
 * would add the stdio buffer's own allocations on one side only). */
#define CHECKF(name, cond, fmt, ...)                                       \
	do {                                                               \
		bool ok_ = (cond);                                         \
		if (!ok_)                                                  \
			g_failed++;                                        \
		snprintf(g_checks + g_nchecks, sizeof(g_checks) - g_nchecks, \
			 "check %-22s %s " fmt "\n", name,                 \
			 ok_ ? "ok" : "FAIL", __VA_ARGS__);                \
		g_nchecks += strlen(g_checks + g_nchecks);                 \
	} while (0)

/* errno after a failing call: expect value v and errno e */
#define ERRCHECK(name, expr, bad, e)                                       \
	do {                                                               \
		errno = 0;                                                 \
		__typeof__(expr) r__ = (expr);                             \
		int e__ = errno;                                           \
		CHECKF(name, r__ == (bad) && e__ == (e),                   \
		       "(errno %d, want %d)", e__, (e));                   \
	} while (0)

static void *thread_fn(void *arg)
{
	long id = (long)arg, sum = 0;
	for (int i = 0; i < 20; i++) {
		char *big = malloc(300 << 10); /* mmap */
		char *small = malloc(100);     /* thread arena */
		if (!big || !small)
			return (void *)-1L;
		memset(big, (int)id, 300 << 10);
		small[0] = (char)id;
		sum += big[1000] + small[0];
		free(big);
		free(small);
	}
	void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (void *)-1L;
	munmap(p, 1 << 16);
	return (void *)(sum / 40);
}

static volatile sig_atomic_t g_sigs, g_sigbad;

/* maps and unmaps a page from inside a signal handler: may interrupt the
 * main loop while it is inside a trampoline */
static void on_alarm(int sig)
{
	(void)sig;
	int e = errno;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, 4096) != 0)
		g_sigbad = 1;
	g_sigs++;
	errno = e;
}

/* Call libc's munmap (a patched site at its entry) with known values in
 * the registers the syscall instruction preserves; check they survive. */
static void check_registers(void)
{
	void *fn = dlsym(RTLD_NEXT, "munmap");
	static uint64_t out[6];
	static uint64_t xin[32], xout[32];
	for (int i = 0; i < 32; i++)
		xin[i] = 0x0101010101010101ULL * (uint64_t)(i + 1);
	long ret;
	__asm__ volatile(
		"movdqu 0(%[xi]), %%xmm0\n\t"
		"movdqu 16(%[xi]), %%xmm1\n\t"
		"movdqu 32(%[xi]), %%xmm2\n\t"
		"movdqu 48(%[xi]), %%xmm3\n\t"
		"movdqu 64(%[xi]), %%xmm4\n\t"
		"movdqu 80(%[xi]), %%xmm5\n\t"
		"movdqu 96(%[xi]), %%xmm6\n\t"
		"movdqu 112(%[xi]), %%xmm7\n\t"
		"movdqu 128(%[xi]), %%xmm8\n\t"
		"movdqu 144(%[xi]), %%xmm9\n\t"
		"movdqu 160(%[xi]), %%xmm10\n\t"
		"movdqu 176(%[xi]), %%xmm11\n\t"
		"movdqu 192(%[xi]), %%xmm12\n\t"
		"movdqu 208(%[xi]), %%xmm13\n\t"
		"movdqu 224(%[xi]), %%xmm14\n\t"
		"movdqu 240(%[xi]), %%xmm15\n\t"
		"movq %[fn], %%r11\n\t"
		"movq %%rsp, %%rbx\n\t"
		"subq $128, %%rsp\n\t"
		"andq $-16, %%rsp\n\t"
		"movq $1, %%rdi\n\t"       /* munmap(1, 0): EINVAL */
		"xorl %%esi, %%esi\n\t"
		"movabsq $0x1111111111111111, %%rdx\n\t"
		"movabsq $0x2222222222222222, %%r8\n\t"
		"movabsq $0x3333333333333333, %%r9\n\t"
		"movabsq $0x4444444444444444, %%r10\n\t"
		"call *%%r11\n\t"
		"movq %%rbx, %%rsp\n\t"
		"movq %%rdi, 0(%[o])\n\t"
		"movq %%rsi, 8(%[o])\n\t"
		"movq %%rdx, 16(%[o])\n\t"
		"movq %%r8, 24(%[o])\n\t"
		"movq %%r9, 32(%[o])\n\t"
		"movq %%r10, 40(%[o])\n\t"
		"movdqu %%xmm0, 0(%[xo])\n\t"
		"movdqu %%xmm1, 16(%[xo])\n\t"
		"movdqu %%xmm2, 32(%[xo])\n\t"
		"movdqu %%xmm3, 48(%[xo])\n\t"
		"movdqu %%xmm4, 64(%[xo])\n\t"
		"movdqu %%xmm5, 80(%[xo])\n\t"
		"movdqu %%xmm6, 96(%[xo])\n\t"
		"movdqu %%xmm7, 112(%[xo])\n\t"
		"movdqu %%xmm8, 128(%[xo])\n\t"
		"movdqu %%xmm9, 144(%[xo])\n\t"
		"movdqu %%xmm10, 160(%[xo])\n\t"
		"movdqu %%xmm11, 176(%[xo])\n\t"
		"movdqu %%xmm12, 192(%[xo])\n\t"
		"movdqu %%xmm13, 208(%[xo])\n\t"
		"movdqu %%xmm14, 224(%[xo])\n\t"
		"movdqu %%xmm15, 240(%[xo])\n\t"
		: "=&a"(ret)
		: [fn] "m"(fn), [o] "r"(out), [xi] "r"(xin), [xo] "r"(xout)
		: "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15", "memory", "cc");
	bool ok = ret == -1 && out[0] == 1 && out[1] == 0 &&
		  out[2] == 0x1111111111111111ULL &&
		  out[3] == 0x2222222222222222ULL &&
		  out[4] == 0x3333333333333333ULL &&
		  out[5] == 0x4444444444444444ULL;
	CHECKF("regs-preserved", ok, "(rax %ld rdx %#lx r10 %#lx)", ret,
	       (unsigned long)out[2], (unsigned long)out[5]);
	CHECKF("xmm-preserved", memcmp(xin, xout, sizeof(xin)) == 0, "%s", "");
}

static void workload(void)
{
	/* 1. large blocks: malloc's mmap and free's munmap */
	char *big[20];
	for (int i = 0; i < 20; i++) {
		big[i] = malloc(1 << 20);
		memset(big[i], i, 1 << 20);
	}
	long s = 0;
	for (int i = 0; i < 20; i++) {
		s += big[i][12345];
		free(big[i]);
	}
	CHECKF("malloc-large", s == 190, "(%ld)", s);

	/* 2. small blocks: brk, and the trim on free */
	char *small[4000];
	for (int i = 0; i < 4000; i++) {
		small[i] = malloc(100);
		small[i][0] = (char)i;
	}
	s = 0;
	long want = 0;
	for (int i = 0; i < 4000; i++) {
		s += (unsigned char)small[i][0];
		want += i & 255;
		free(small[i]);
	}
	CHECKF("malloc-small", s == want, "(%ld)", s);

	/* 3. realloc growth of an mmapped block: mremap */
	size_t n = 256 << 10;
	unsigned char *r = malloc(n);
	for (size_t i = 0; i < n; i++)
		r[i] = (unsigned char)(i * 7);
	bool same = true;
	while (n < (16u << 20)) {
		r = realloc(r, n * 2);
		for (size_t i = 0; i < 256 << 10; i += 4093)
			same &= r[i] == (unsigned char)(i * 7);
		n *= 2;
	}
	free(r);
	CHECKF("realloc-mremap", same, "%s", "");

	/* 4. threads: stack mmap, guard mprotect, arenas, madvise at exit */
	pthread_t th[8];
	long tsum = 0;
	for (long i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, thread_fn, (void *)(i + 1));
	for (int i = 0; i < 8; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		tsum += (long)ret;
	}
	CHECKF("threads", tsum == 36, "(%ld)", tsum);

	/* 5. sbrk */
	void *b0 = sbrk(0);
	void *b1 = sbrk(64 << 10);
	void *b2 = sbrk(0);
	sbrk(-(64 << 10));
	void *b3 = sbrk(0);
	CHECKF("sbrk", b1 == b0 && (char *)b2 == (char *)b0 + (64 << 10) &&
		       b3 == b0, "(%p %p %p)", b0, b2, b3);
	ERRCHECK("sbrk-ENOMEM", sbrk((intptr_t)1 << 46), (void *)-1, ENOMEM);

	/* 6. dlopen: ld.so's private mmap/mprotect/munmap */
	void *z = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	const char *(*zver)(void) = z ? (const char *(*)(void))dlsym(z, "zlibVersion") : NULL;
	const char *v = zver ? zver() : NULL;
	CHECKF("dlopen-libz", v && v[0] == '1', "(%s)", v ? v : dlerror());
	if (z)
		dlclose(z);

	/* 7. the generic syscall() */
	long m = syscall(SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != -1)
		((char *)m)[4096] = 1;
	long u = syscall(SYS_munmap, m, 8192);
	CHECKF("syscall-mmap", m != -1 && u == 0, "(%#lx %ld)", m, u);
	CHECKF("syscall-getpid", syscall(SYS_getpid) == getpid(), "%s", "");
	ERRCHECK("syscall-mmap-EINVAL",
		 syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0), -1L, EINVAL);
	ERRCHECK("syscall-ENOSYS", syscall(999), -1L, ENOSYS);
	{
		/* a fork-like clone through syscall(): the child returns
		 * through the dispatcher's frames on its copy of the stack */
		long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			_exit(3);
		int st = 0;
		waitpid((pid_t)pid, &st, 0);
		CHECKF("syscall-clone", pid > 0 && WIFEXITED(st) &&
			       WEXITSTATUS(st) == 3, "(%ld %#x)", pid, st);
	}

	{
		/* vfork through syscall() must continue in glibc's own body (no
		 * C frames the child could pop); the child leaves with a raw
		 * exit, touching no stack */
		long pid = syscall(SYS_vfork);
		if (pid == 0)
			__asm__ volatile("syscall" ::"a"(SYS_exit), "D"(5)
					 : "memory");
		int st = 0;
		waitpid((pid_t)pid, &st, 0);
		CHECKF("syscall-vfork", pid > 0 && WIFEXITED(st) &&
			       WEXITSTATUS(st) == 5, "(%ld %#x)", pid, st);
	}

	/* 8. explicit calls of every wrapper */
	char *p = mmap(NULL, 16 << 12, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 1, 16 << 12);
	CHECKF("mprotect", mprotect(p + 4096, 4096, PROT_READ) == 0, "%s", "");
	CHECKF("madvise", madvise(p, 4096, MADV_DONTNEED) == 0 && p[0] == 0,
	       "%s", "");
	CHECKF("posix_madvise", posix_madvise(p, 4096, POSIX_MADV_RANDOM) == 0,
	       "%s", "");
	CHECKF("posix_madvise-EINVAL",
	       posix_madvise(p + 1, 4096, POSIX_MADV_RANDOM) == EINVAL, "%s", "");
	CHECKF("mlock", mlock(p, 4096) == 0 && munlock(p, 4096) == 0, "%s", "");
	CHECKF("mlock2", mlock2(p, 4096, 0) == 0 && munlock(p, 4096) == 0 &&
				 mlock2(p, 4096, MLOCK_ONFAULT) == 0 &&
				 munlock(p, 4096) == 0, "%s", "");
	int pk = pkey_mprotect(p, 4096, PROT_READ | PROT_WRITE, 0);
	int pke = errno;
	CHECKF("pkey_mprotect", pk == 0 || pke == EINVAL || pke == ENOSYS,
	       "(%d errno %d)", pk, pke);
	CHECKF("pkey_mprotect-1",
	       pkey_mprotect(p, 4096, PROT_READ | PROT_WRITE, -1) == 0, "%s", "");
	/* one VMA again, or mremap fails with EFAULT */
	CHECKF("mprotect-back", mprotect(p + 4096, 4096, PROT_READ | PROT_WRITE) == 0,
	       "%s", "");
	munmap(p, 16 << 12);
	p = mmap(NULL, 16 << 12, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 1, 16 << 12);
	char *q = mremap(p, 16 << 12, 32 << 12, MREMAP_MAYMOVE);
	CHECKF("mremap", q != MAP_FAILED && q[8192] == 1, "%s", "");
	char *dst = mmap(NULL, 64 << 12, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	char *f = mremap(q, 32 << 12, 32 << 12, MREMAP_MAYMOVE | MREMAP_FIXED,
			 dst + (16 << 12));
	CHECKF("mremap-fixed", f == dst + (16 << 12) && f[8192] == 1, "%s", "");
	munmap(dst, 64 << 12);

	/* 9. System V shared memory */
	int id = shmget(IPC_PRIVATE, 1 << 16, IPC_CREAT | 0600);
	char *sh = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;
	if (sh != (char *)-1)
		sh[100] = 5;
	CHECKF("shmat-shmdt", sh != (char *)-1 && sh[100] == 5 && shmdt(sh) == 0,
	       "(id %d)", id);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);

	/* 10. fork; the child tries execve/execveat (ENOENT) and _exits */
	pid_t pid = fork();
	if (pid == 0) {
		char *av[] = { "x", NULL };
		int code = 0;
		errno = 0;
		if (execve("/nonexistent/avs", av, environ) != -1 || errno != ENOENT)
			code |= 1;
		errno = 0;
		if (execveat(AT_FDCWD, "/nonexistent/avs", av, environ, 0) != -1 ||
		    errno != ENOENT)
			code |= 2;
		void *cm = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
		if (cm == MAP_FAILED || munmap(cm, 4096))
			code |= 4;
		_exit(40 + code);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECKF("fork-child", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 40,
	       "(status %#x)", st);

	/* 11. errno through the patched sites (and glibc's own checks) */
	ERRCHECK("mmap-EINVAL", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		 MAP_FAILED, EINVAL);
	ERRCHECK("mmap-ENOMEM", mmap(NULL, (size_t)1 << 62, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		 MAP_FAILED, ENOMEM);
	ERRCHECK("mmap-offset-EINVAL", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1),
		 MAP_FAILED, EINVAL);
	ERRCHECK("munmap-EINVAL", munmap((void *)1, 4096), -1, EINVAL);
	ERRCHECK("mprotect-EINVAL", mprotect((void *)1, 4096, PROT_READ), -1, EINVAL);
	ERRCHECK("madvise-EINVAL", madvise((void *)1, 4096, MADV_NORMAL), -1, EINVAL);
	ERRCHECK("mremap-EINVAL", mremap((void *)1, 4096, 8192, 0), MAP_FAILED, EINVAL);
	ERRCHECK("mremap-flags-EINVAL", mremap(f, 4096, 8192, 8), MAP_FAILED, EINVAL);
	munmap(f, 32 << 12);

	/* 12. registers across a patched site */
	check_registers();

	/* 13. signal handlers mapping memory while the main loop does */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	setitimer(ITIMER_REAL, &it, NULL);
	int loops = 0;
	bool loop_ok = true;
	while (g_sigs < 20 && loops < 200000) {
		char *lp = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (lp == MAP_FAILED) {
			loop_ok = false;
			break;
		}
		lp[0] = 1;
		loop_ok &= munmap(lp, 8192) == 0;
		loops++;
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_IGN);
	CHECKF("signal-handlers", loop_ok && !g_sigbad && g_sigs >= 20,
	       "(%d signals, %d loops)", (int)g_sigs, loops);

	/* 14. posix_spawn: its CLONE_VM|CLONE_VFORK child runs the patched
	 * execve on the small spawn stack */
	pid_t sp;
	char *tav[] = { "true", NULL };
	int sr = posix_spawn(&sp, "/bin/true", NULL, NULL, tav, environ);
	int sst = -1;
	if (sr == 0)
		waitpid(sp, &sst, 0);
	CHECKF("posix_spawn", sr == 0 && WIFEXITED(sst) && WEXITSTATUS(sst) == 0,
	       "(%d %#x)", sr, sst);
}

static const struct {
	const char *name;
	int nr;
} g_names[] = {
	{ "mmap", SYS_mmap }, { "munmap", SYS_munmap },
	{ "mprotect", SYS_mprotect }, { "mremap", SYS_mremap },
	{ "madvise", SYS_madvise }, { "brk", SYS_brk },
	{ "pkey_mprotect", SYS_pkey_mprotect }, { "mlock", SYS_mlock },
	{ "munlock", SYS_munlock }, { "mlock2", SYS_mlock2 },
	{ "shmat", SYS_shmat }, { "shmdt", SYS_shmdt },
	{ "clone", SYS_clone }, { "execve", SYS_execve },
	{ "execveat", SYS_execveat }, { "exit_group", SYS_exit_group },
};

static const char *state_name(int s)
{
	static const char *const n[] = { "found", "patched", "skipped",
					 "rejected", "failed" };
	return s >= 0 && s < 5 ? n[s] : "?";
}

int main(int argc, char **argv)
{
	bool patch = !(argc > 1 && strcmp(argv[1], "nopatch") == 0);
	if (argc > 1 && strcmp(argv[1], "mprotect") == 0)
		avs_ip_force_mprotect = 1;
	char msg[2048] = "";
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (patch) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int np = avs_ip_patch_all(msg, sizeof(msg));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("patched %d in %.0f us\nmsg %s\n", np,
		       (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3,
		       msg);
		for (int i = 0; i < avs_ip_site_count(); i++) {
			const struct avs_ip_site *s = avs_ip_site_at(i);
			printf("site %-21s +0x%06lx nr %-4ld %-8s %s\n", s->obj,
			       (unsigned long)(s->addr - s->base), s->nr,
			       state_name(s->state), s->why ? s->why : "");
		}
		uint64_t rg[16][2];
		int nr = fake_ranges(rg, 16);
		for (int i = 0; i < nr && i < 16; i++)
			printf("range %#lx-%#lx (%lu pages)\n", (unsigned long)rg[i][0],
			       (unsigned long)rg[i][1],
			       (unsigned long)(rg[i][1] - rg[i][0]) >> 12);
		char again[64];
		CHECKF("patch-twice", avs_ip_patch_all(again, sizeof(again)) == 0,
		       "(%s)", again);
	}
	fflush(stdout);
	fake_reset();
	if (write(-1, "AVS_MARK", 8) != -1)
		return 2;
	workload();
	if (write(-1, "AVS_END", 7) != -1)
		return 2;
	long c[FAKE_NR_MAX];
	for (int i = 0; i < FAKE_NR_MAX; i++)
		c[i] = fake_counts()[i];
	for (size_t i = 0; i < sizeof(g_names) / sizeof(g_names[0]); i++)
		printf("count %-14s %ld\n", g_names[i].name, c[g_names[i].nr]);
	fputs(g_checks, stdout);
	printf("result %s\n", g_failed ? "FAIL" : "ok");
	return g_failed ? 1 : 0;
}
