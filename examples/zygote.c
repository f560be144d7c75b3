/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * A zygote, as Android's or a browser's: a template process loads its
 * state once (an anonymous region, written) and forks a worker for each
 * request it reads on a pipe; each worker writes part of the template and
 * forks helpers that write their own part.  Workers are second generation
 * and helpers third: the anon_vma chain of a helper's VMA is three long
 * (its own, its worker's, the zygote's), and a template page that nobody
 * wrote is visited in every process by an rmap walk.
 *
 *   avshadow run -o out -- ./zygote [-n WORKERS] [-H HELPERS] [-m MIB]
 *
 * The first process starts the zygote, sends it the requests and "q",
 * and reads one line per finished worker until the zygote exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "avshadow/client.h"

#define PAGE 4096UL

static unsigned char *tmpl;
static size_t npages;
static unsigned helpers = 2;

__attribute__((noreturn)) static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void touch(size_t first, size_t n)
{
	for (size_t i = 0; i < n && first + i < npages; i++)
		tmpl[(first + i) * PAGE + 16]++;
}

/* wait for every child; nonzero if one did not exit 0 */
static int reap(unsigned n)
{
	int bad = 0, st;

	while (n--)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	return bad;
}

/* A worker: its own share of the template, then helpers for theirs. */
static int worker(unsigned id)
{
	size_t share = npages / 16 ? npages / 16 : 1;

	touch(id * share, share);
	for (unsigned h = 0; h < helpers; h++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (!p) {
			touch(id * share + h + 1, 1);
			AVSHADOW_CHECKPOINT("helper");
			_exit(0);
		}
	}
	AVSHADOW_CHECKPOINT("worker");
	return reap(helpers);
}

/* The zygote: a worker per request byte; at "q", a line per worker. */
static int zygote(int req, int rep)
{
	unsigned char r;
	unsigned live = 0;
	int bad = 0;

	for (size_t i = 0; i < npages; i++)
		tmpl[i * PAGE] = (unsigned char)i;
	AVSHADOW_CHECKPOINT("zygote-ready");
	while (read(req, &r, 1) == 1 && r != 'q') {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (!p) {
			close(req);
			close(rep);
			_exit(worker(r));
		}
		live++;
	}
	while (live--) {
		char line[64];
		int st, n;
		pid_t done = wait(&st);

		if (done < 0)
			die("wait");
		n = snprintf(line, sizeof(line), "%d %d\n", (int)done,
			     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		bad |= !WIFEXITED(st) || WEXITSTATUS(st);
		if (write(rep, line, (size_t)n) != n)
			die("write");
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned workers = 6, done = 0;
	size_t mib = 8;
	int req[2], rep[2], c, bad = 0, st;
	pid_t z;
	char buf[256];
	FILE *in;

	while ((c = getopt(argc, argv, "n:H:m:")) != -1) {
		if (c == 'n')
			workers = (unsigned)atoi(optarg);
		else if (c == 'H')
			helpers = (unsigned)atoi(optarg);
		else if (c == 'm')
			mib = (size_t)atol(optarg);
		else {
			fprintf(stderr, "usage: %s [-n WORKERS] [-H HELPERS] "
				"[-m MIB]\n", argv[0]);
			return 2;
		}
	}
	if (!mib || workers > 255)
		return 2;
	npages = mib * 256;
	tmpl = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmpl == MAP_FAILED || pipe(req) || pipe(rep))
		die("setup");
	z = fork();
	if (z < 0)
		die("fork");
	if (!z) {
		close(req[1]);
		close(rep[0]);
		_exit(zygote(req[0], rep[1]));
	}
	close(req[0]);
	close(rep[1]);
	in = fdopen(rep[0], "r");
	for (unsigned i = 0; i < workers; i++) {
		unsigned char r = (unsigned char)i;

		if (write(req[1], &r, 1) != 1)
			die("write");
	}
	if (write(req[1], "q", 1) != 1)
		die("write");
	while (fgets(buf, sizeof(buf), in)) {
		int pid, status;

		if (sscanf(buf, "%d %d", &pid, &status) != 2)
			die("reply");
		bad |= status != 0;
		done++;
	}
	bad |= done != workers;
	if (waitpid(z, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		bad = 1;
	printf("zygote: %u workers of %u helpers each, %zu MiB template: %s\n",
	       done, helpers, mib, bad ? "FAILED" : "ok");
	return bad;
}
