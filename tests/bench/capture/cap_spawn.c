/* SPDX-License-Identifier: MIT */
/*
 * Start-up cost: runs PROGRAM N times (fork + execve + waitpid) with
 * LD_PRELOAD=LIB and AVSHADOW_OUT=DIR, or without them when LIB is "-".
 * CAP_T0 (CLOCK_MONOTONIC ns, taken just before execve) is passed in the
 * environment; a PROGRAM that prints one number on stdout (cap_main: ns
 * from CAP_T0 to main, then ns spent in the constructors between the
 * two stamp libraries, or -1) gets them collected.  Prints, in
 * microseconds, "wall_median wall_best main_median main_best ctor_median
 * ctor_best" (0 where PROGRAM printed nothing).
 *   cap_spawn N LIB DIR PROGRAM [ARGS...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

extern char **environ;

int main(int argc, char **argv)
{
	int n, i, e = 0;
	const char *lib, *dir;
	static char *envp[4096];
	static char t0buf[64], libbuf[4096], dirbuf[4096];
	double wall[1000], main_t[1000], ctor[1000];
	int have_main = 1, have_ctor = 1;

	if (argc < 5)
		return 2;
	n = atoi(argv[1]);
	lib = argv[2];
	dir = argv[3];
	if (n < 1 || n > 1000)
		return 2;
	for (char **v = environ; *v && e < 4000; v++)
		if (strncmp(*v, "LD_PRELOAD=", 11) &&
		    strncmp(*v, "AVSHADOW_OUT=", 13) &&
		    strncmp(*v, "CAP_T0=", 7))
			envp[e++] = *v;
	if (strcmp(lib, "-")) {
		snprintf(libbuf, sizeof(libbuf), "LD_PRELOAD=%s", lib);
		snprintf(dirbuf, sizeof(dirbuf), "AVSHADOW_OUT=%s", dir);
		envp[e++] = libbuf;
		envp[e++] = dirbuf;
	}
	envp[e++] = t0buf;
	envp[e] = NULL;
	for (i = 0; i < n; i++) {
		int fds[2], st;
		long long t0, t1;
		char out[64] = "";
		ssize_t got;
		pid_t pid;

		if (pipe(fds))
			return 1;
		t0 = now_ns();
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			dup2(fds[1], 1);
			close(fds[0]);
			close(fds[1]);
			snprintf(t0buf, sizeof(t0buf), "CAP_T0=%lld", now_ns());
			execve(argv[4], argv + 4, envp);
			_exit(127);
		}
		close(fds[1]);
		got = read(fds[0], out, sizeof(out) - 1);
		close(fds[0]);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			return 1;
		t1 = now_ns();
		wall[i] = (t1 - t0) / 1e3;
		out[got > 0 ? got : 0] = '\0';
		{
			long long a = -1, b = -1;
			int k = sscanf(out, "%lld %lld", &a, &b);

			if (k < 1 || a < 0)
				have_main = 0;
			if (k < 2 || b < 0)
				have_ctor = 0;
			main_t[i] = a / 1e3;
			ctor[i] = b / 1e3;
		}
	}
	qsort(wall, (size_t)n, sizeof(wall[0]), cmp);
	if (have_main)
		qsort(main_t, (size_t)n, sizeof(main_t[0]), cmp);
	if (have_ctor)
		qsort(ctor, (size_t)n, sizeof(ctor[0]), cmp);
	printf("%.1f %.1f %.1f %.1f %.1f %.1f\n", wall[n / 2], wall[0],
	       have_main ? main_t[n / 2] : 0.0, have_main ? main_t[0] : 0.0,
	       have_ctor ? ctor[n / 2] : 0.0, have_ctor ? ctor[0] : 0.0);
	return 0;
}
