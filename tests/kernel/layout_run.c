/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, driver side: a scenario's processes, run in a process
 * group of their own under a time limit, their stream kept (-k), replayed
 * and the verdict printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "layout_driver.h"

#define SCEN_TIMEOUT	30		/* seconds, the driver's limit */

/* Wait for P, at most SCEN_TIMEOUT seconds; true if it ended (*st). */
static bool wait_timed(pid_t pid, int *st, FILE *out)
{
	struct timespec t0, now, nap = {0, 2000000};

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t w = waitpid(pid, st, WNOHANG);

		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR)
			return false;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > SCEN_TIMEOUT) {
			fprintf(out, "    timeout: killed\n");
			return false;
		}
		nanosleep(&nap, NULL);
	}
}

/* The whole of fd, malloc'd and NUL-terminated, or NULL. */
static char *read_all(int fd)
{
	struct stat sb;
	size_t len = 0;
	char *text;

	if (fstat(fd, &sb) || !(text = malloc((size_t)sb.st_size + 1)))
		return NULL;
	while (len < (size_t)sb.st_size) {
		ssize_t n = pread(fd, text + len, (size_t)sb.st_size - len,
				  (off_t)len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	return text;
}

/* Run the scenario in a process group of its own; returns the stream
 * (malloc'd) or NULL.  Everything of the group is killed and reaped. */
static char *run_process(const struct scenario *sc, FILE *out)
{
	char path[] = "/tmp/kernel_layout.XXXXXX";
	int fd = mkstemp(path), st = 0;
	bool done;
	pid_t pid;
	char *text;

	if (fd < 0) {
		fprintf(out, "    mkstemp: %s\n", strerror(errno));
		return NULL;
	}
	unlink(path);
	if (fcntl(fd, F_SETFL, O_APPEND)) {
		close(fd);
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(out, "    fork: %s\n", strerror(errno));
		close(fd);
		return NULL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(PROC_TIMEOUT);
		scenario_main(sc, fd);
	}
	setpgid(pid, pid);
	done = wait_timed(pid, &st, out);
	kill(-pid, SIGKILL);
	/* reap P if still there, and any orphan (we are a subreaper) */
	while (waitpid(-1, done ? NULL : &st, 0) > 0 || errno == EINTR)
		;
	if (!done || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(out, "    scenario process ended with status 0x%x%s\n",
			st, done ? "" : " (killed)");
		close(fd);
		return NULL;
	}
	text = read_all(fd);
	close(fd);
	return text;
}

static void keep_stream(const struct scenario *sc, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.events", opt_keep, sc->name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "kernel-layout: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "# kernel_layout %s: %s\n", sc->name, sc->what);
	fputs(text, f);
	fclose(f);
}

bool run_scenario(const struct scenario *sc)
{
	struct layout_result r = {0};
	char *buf = NULL, *text;
	size_t blen = 0;
	FILE *out;
	bool ok;

	out = open_memstream(&buf, &blen);
	if (!out)
		abort();
	text = run_process(sc, out);
	if (text) {
		if (opt_keep)
			keep_stream(sc, text);
		replay(text, out, &r);
		free(text);
	} else {
		r.problems++;
	}
	fclose(out);
	ok = !r.diffs && !r.problems;
	if (ok)
		printf("kernel-layout %s: agree (%lu VMAs)\n", sc->name, r.vmas);
	else
		printf("kernel-layout %s: DISAGREE (%lu of %lu checkpoints "
		       "differ, %lu other problems)\n", sc->name, r.diffs,
		       r.checkpoints, r.problems);
	fputs(buf, stdout);
	fflush(stdout);
	free(buf);
	return ok;
}
