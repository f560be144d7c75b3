/* SPDX-License-Identifier: MIT */
/*
 * Stress programs for tests/capture/stress.sh, one per mode:
 *
 *   stress threads-fork   4 threads map/protect/unmap while main forks 100
 *                         children (each maps, touches, unmaps, _exit)
 *   stress sigalrm        SIGALRM every 200us (setitimer); the handler maps,
 *                         touches, protects and unmaps while the main loop
 *                         maps and unmaps
 *   stress vfork-exec     10 x vfork + execv(self, "noop")
 *   stress spawn          10 x posix_spawn(self, "noop") + posix_spawnp(true)
 *   stress sigkill        a child mapping memory in a loop, killed with
 *                         SIGKILL once it runs
 *   stress exec-chain [N] re-execs itself N -> 5 (same pid), mapping between
 *   stress children       1000 short-lived children (fork + _exit(i % 100)),
 *                         in waves of 50
 *   stress raw-fork       children made by syscall(SYS_fork) and by
 *                         syscall(SYS_clone3) without CLONE_VM (what
 *                         docs/CAPTURE.md says is recorded as fork), each
 *                         mapping memory while the parent does too
 *   stress noop           maps a little, exits 0 (the target of the execs)
 *
 * stdout is deterministic (same with and without recording); stderr gets
 * "pid N" for this process and every process it creates, so the test can
 * compare them with what was recorded.  Exit status 0 when all went as
 * expected, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *self;

static void say_pid(pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "pid %d\n", (int)pid);

	if (write(2, buf, (size_t)n) != n)
		_exit(3);
}

/* map, touch, protect, unmap n pages; 0 on success (async-signal-safe) */
static int churn(size_t pages)
{
	size_t len = pages * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)i;
	if (pages > 1 && mprotect(p, 4096, PROT_READ))
		return -1;
	return munmap(p, len);
}

static int wait_ok(pid_t pid, int code)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* ---- threads-fork ---- */

static volatile int stop_threads;

static void *mapper(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	unsigned i;

	/* at least 2000 rounds each, so the forks meet busy threads */
	for (i = 0; i < 20000 && !(stop_threads && i >= 2000); i++)
		if (churn(1 + (i + id) % 16))
			return (void *)1;
	return NULL;
}

static int threads_fork(void)
{
	pthread_t th[4];
	pid_t kids[100];
	int ok = 1;
	unsigned i;
	char *shared = malloc(1 << 20);

	if (!shared)
		return 1;
	memset(shared, 1, 1 << 20);
	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, mapper, (void *)(uintptr_t)i))
			return 1;
	for (i = 0; i < 100; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			shared[i * 4096] = 2;	/* COW of an inherited page */
			_exit(churn(8) ? 1 : 0);
		}
		if (kids[i] < 0)
			ok = 0;
		else
			say_pid(kids[i]);
	}
	stop_threads = 1;
	for (i = 0; i < 4; i++) {
		void *r;

		pthread_join(th[i], &r);
		ok &= r == NULL;
	}
	for (i = 0; i < 100; i++)
		ok &= kids[i] > 0 && wait_ok(kids[i], 0);
	free(shared);
	printf("threads-fork: 100 children, 4 mapping threads: %s\n",
	       ok ? "ok" : "FAILED");
	return !ok;
}

/* ---- sigalrm ---- */

static volatile sig_atomic_t handled, handler_failed;

static void on_alarm(int sig)
{
	int e = errno;

	(void)sig;
	handled++;
	if (churn(1 + handled % 4))
		handler_failed = 1;
	errno = e;
}

static int sigalrm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	unsigned i;
	int ok = 1;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		return 1;
	for (i = 0; i < 60000 || handled < 100; i++)
		if (churn(1 + i % 8)) {
			ok = 0;
			break;
		}
	setitimer(ITIMER_REAL, &off, NULL);
	ok &= !handler_failed && handled > 0;
	printf("sigalrm: %s\n", ok ? "ok" : "FAILED");
	return !ok;
}

/* ---- vfork-exec, spawn ---- */

static int vfork_exec(void)
{
	volatile int ok = 1;
	volatile unsigned i;

	for (i = 0; i < 10; i++) {
		pid_t pid = vfork();

		if (pid == 0) {
			execl(self, self, "noop", (char *)NULL);
			_exit(127);
		}
		if (pid < 0) {
			ok = 0;
			continue;
		}
		say_pid(pid);
		ok &= wait_ok(pid, 0);
	}
	printf("vfork-exec: 10 children: %s\n", ok ? "ok" : "FAILED");
	return !ok;
}

static int spawn(void)
{
	char *argv_self[] = { (char *)self, "noop", NULL };
	char *argv_true[] = { "true", NULL };
	int ok = 1;
	unsigned i;

	for (i = 0; i < 11; i++) {
		pid_t pid;
		int r = i < 10 ? posix_spawn(&pid, self, NULL, NULL, argv_self,
					     environ)
			       : posix_spawnp(&pid, "true", NULL, NULL,
					      argv_true, environ);

		if (r) {
			ok = 0;
			continue;
		}
		say_pid(pid);
		ok &= wait_ok(pid, 0);
	}
	printf("spawn: 11 children: %s\n", ok ? "ok" : "FAILED");
	return !ok;
}

/* ---- sigkill ---- */

static int sigkill(void)
{
	int fd[2], st = 0, ok;
	char c;
	pid_t pid;

	if (pipe(fd))
		return 1;
	pid = fork();
	if (pid == 0) {
		unsigned i;

		close(fd[0]);
		for (i = 0;; i++) {
			churn(1 + i % 8);
			if (i == 100 && write(fd[1], "r", 1) != 1)
				_exit(2);
		}
	}
	if (pid < 0)
		return 1;
	say_pid(pid);
	close(fd[1]);
	ok = read(fd[0], &c, 1) == 1;
	kill(pid, SIGKILL);
	ok &= waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGKILL;
	printf("sigkill: child killed by signal %d: %s\n",
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0, ok ? "ok" : "FAILED");
	return !ok;
}

/* ---- exec-chain ---- */

static int exec_chain(int n)
{
	char arg[16];

	if (churn(4))
		return 1;
	printf("exec-chain: image %d\n", n);
	if (n == 5)
		return 0;
	fflush(stdout);
	snprintf(arg, sizeof(arg), "%d", n + 1);
	execl(self, self, "exec-chain", arg, (char *)NULL);
	perror("execl");
	return 1;
}

/* ---- raw-fork ---- */

struct clone_args_min {	/* struct clone_args, CLONE_ARGS_SIZE_VER0 */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		 stack_size, tls;
};

static int raw_fork(void)
{
	struct clone_args_min ca = { .exit_signal = SIGCHLD };
	pid_t kids[2];
	int ok = 1;
	unsigned k, i;

	for (k = 0; k < 2; k++) {
		kids[k] = k == 0 ? (pid_t)syscall(SYS_fork)
				 : (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (kids[k] == 0) {
			for (i = 0; i < 200; i++)
				if (churn(2))
					_exit(1);
			_exit(0);
		}
		if (kids[k] < 0)
			ok = 0;
		else
			say_pid(kids[k]);
	}
	for (i = 0; i < 200; i++)
		ok &= churn(3) == 0;
	for (k = 0; k < 2; k++)
		ok &= kids[k] > 0 && wait_ok(kids[k], 0);
	printf("raw-fork: 2 children: %s\n", ok ? "ok" : "FAILED");
	return !ok;
}

/* ---- children ---- */

static int children(void)
{
	pid_t kids[50];
	unsigned wave, i, good = 0;

	for (wave = 0; wave < 20; wave++) {
		for (i = 0; i < 50; i++) {
			kids[i] = fork();
			if (kids[i] == 0)
				_exit((int)((wave * 50 + i) % 100));
			if (kids[i] > 0)
				say_pid(kids[i]);
		}
		for (i = 0; i < 50; i++)
			good += kids[i] > 0 &&
				wait_ok(kids[i], (int)((wave * 50 + i) % 100));
	}
	printf("children: %u of 1000 exited as expected\n", good);
	return good != 1000;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	self = argv[0];
	if (!strcmp(mode, "noop")) {
		void *p = malloc(200 << 10);

		free(p);
		return churn(2) ? 1 : 0;
	}
	/* the first image of a chain says its pid; execs keep it */
	if (strcmp(mode, "exec-chain") || argc < 3)
		say_pid(getpid());
	if (!strcmp(mode, "threads-fork"))
		return threads_fork();
	if (!strcmp(mode, "sigalrm"))
		return sigalrm();
	if (!strcmp(mode, "vfork-exec"))
		return vfork_exec();
	if (!strcmp(mode, "spawn"))
		return spawn();
	if (!strcmp(mode, "sigkill"))
		return sigkill();
	if (!strcmp(mode, "exec-chain"))
		return exec_chain(argc > 2 ? atoi(argv[2]) : 0);
	if (!strcmp(mode, "children"))
		return children();
	if (!strcmp(mode, "raw-fork"))
		return raw_fork();
	fprintf(stderr, "usage: %s threads-fork|sigalrm|vfork-exec|spawn|"
		"sigkill|exec-chain|children|raw-fork|noop\n", argv[0]);
	return 2;
}
