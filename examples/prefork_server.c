/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * A prefork server: the parent builds a cache, listens on 127.0.0.1 (a
 * free port), forks the workers and then plays the client.  Each request
 * names a cache page; the worker that accepts it writes into that page (a
 * copy-on-write of the parent's page) and answers with a byte of it.  At
 * the end each worker samples its pages (checkpoint "worker-quit"); at
 * the parent's checkpoint "serving" every worker is still alive with its
 * copies:
 * the parent's anon_vma family has one VMA per process, the copied pages
 * one VMA each, the shared ones 1 + workers.
 *
 *   avshadow run -o out -- ./prefork_server [-w WORKERS] [-m CACHE_MIB]
 *                                           [-r REQUESTS]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "avshadow/client.h"

#define PAGE 4096UL

static unsigned char *cache;
static size_t npages;
static int go[2];		/* closed by the parent: workers may exit */

__attribute__((noreturn)) static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * Serve until a "Q" request: "R <page>" writes the page and answers.  On
 * "Q" the worker samples its pages (checkpoint), answers and stops
 * accepting, so each worker takes exactly one "Q"; it exits once the
 * parent has seen all of them alive.
 */
static void worker(int lfd)
{
	char b;

	close(go[1]);
	for (;;) {
		char req[32] = { 0 };
		unsigned char reply;
		int c = accept(lfd, NULL, NULL);
		ssize_t n;

		if (c < 0)
			die("accept");
		n = read(c, req, sizeof(req) - 1);
		if (n <= 0)
			die("read");
		if (req[0] == 'Q') {
			AVSHADOW_CHECKPOINT("worker-quit");
			if (write(c, "q", 1) != 1)
				die("write");
			close(c);
			_exit(read(go[0], &b, 1) != 0);
		}
		size_t pg = strtoul(req + 2, NULL, 10) % npages;
		cache[pg * PAGE + 8]++;		/* copy-on-write */
		reply = cache[pg * PAGE];
		if (write(c, &reply, 1) != 1)
			die("write");
		close(c);
	}
}

/* One request on a fresh connection; returns the reply byte. */
static int request(const struct sockaddr_in *sa, const char *msg)
{
	unsigned char b = 0;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (const struct sockaddr *)sa, sizeof(*sa)))
		die("connect");
	if (write(s, msg, strlen(msg)) != (ssize_t)strlen(msg))
		die("write");
	if (read(s, &b, 1) != 1)
		die("read");
	close(s);
	return b;
}

int main(int argc, char **argv)
{
	unsigned workers = 4, requests = 200, i;
	size_t mib = 16;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	pid_t *pids;
	int c, lfd, bad = 0;

	while ((c = getopt(argc, argv, "w:m:r:")) != -1) {
		if (c == 'w')
			workers = (unsigned)atoi(optarg);
		else if (c == 'm')
			mib = (size_t)atol(optarg);
		else if (c == 'r')
			requests = (unsigned)atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-w WORKERS] [-m CACHE_MIB] "
				"[-r REQUESTS]\n", argv[0]);
			return 2;
		}
	}
	if (!workers || !mib)
		return 2;
	npages = mib * 256;
	cache = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cache == MAP_FAILED)
		die("mmap");
	for (i = 0; i < npages; i++)
		cache[i * PAGE] = (unsigned char)i;
	AVSHADOW_CHECKPOINT("cache-built");

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 128) || getsockname(lfd, (struct sockaddr *)&sa, &len))
		die("listen");
	pids = calloc(workers, sizeof(*pids));
	if (!pids || pipe(go))
		die("pipe");
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (!pids[i])
			worker(lfd);
	}
	for (i = 0; i < requests; i++) {
		char msg[32];
		size_t pg = (i * 7919UL) % npages;

		snprintf(msg, sizeof(msg), "R %zu", pg);
		bad |= request(&sa, msg) != (unsigned char)pg;
	}
	for (i = 0; i < workers; i++)
		request(&sa, "Q");
	AVSHADOW_CHECKPOINT("serving");
	close(go[1]);
	for (i = 0; i < workers; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad = 1;
	}
	printf("prefork_server: %u workers, %u requests on port %d, %zu MiB "
	       "cache: %s\n", workers, requests, ntohs(sa.sin_port), mib,
	       bad ? "FAILED" : "ok");
	return bad;
}
