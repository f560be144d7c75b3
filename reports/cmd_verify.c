/* SPDX-License-Identifier: MIT */
/*
 * avshadow verify [-o DIR] [--model M] -- PROGRAM ARGS...: run PROGRAM as
 * `avshadow run` does and, at each of its sync points (a checkpoint, after
 * a fork, before an exit: runtime/sync.h), stop the tree where the traces
 * agree with the kernel (tree_stop.h), record the pages of every process
 * and `checkpoint verify.N` (snapshot.h), dump the kernel's anon_vma graph
 * of those processes with the BPF iterator, resume.  At the end the
 * shadow is compared with every snapshot (verify_check.c).
 *
 * Status: 0 all agree, 1 a divergence, 2 usage or capture failure, 77
 * when the kernel's graph cannot be read here (not root, no BTF, built
 * without the BPF iterator), PROGRAM's status if it failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "commands.h"
#include "launcher.h"
#include "model_option.h"
#include "snapshot.h"
#include "tree_stop.h"
#include "verify.h"
#ifdef AVS_HAVE_KGRAPH
#include "kernel/kgraph.h"
#endif

#define SKIP 77
#define TICK_MS 100
#define MAX_WAITERS 256
#define SYNC_MAGIC 0x73766124u	/* runtime/sync.c */

static const char usage_text[] =
	"usage: avshadow verify [-o DIR] [--model M] [--] PROGRAM [ARGS...]\n"
	"       avshadow verify --check [--model M] DIR\n";

struct verifier {
	int lfd;		/* the listening socket */
	char name[64];		/* its abstract name */
	char sync_env[80];
	int trace_fd;		/* DIR/verify.trace */
	FILE *index;
	unsigned n;
	uint64_t zero_pfn;
	bool failed;		/* a snapshot could not be taken */
};

static const char *kind_name(uint32_t k)
{
	return k == 1 ? "checkpoint" : k == 2 ? "fork" : k == 3 ? "exit" : "?";
}

#ifdef AVS_HAVE_KGRAPH
/* Can the kernel's graph be read here?  Try on ourselves. */
static int probe(void)
{
	char err[512];
	int self = (int)getpid();
	FILE *f = fopen("/dev/null", "w");
	int ret = f ? avs_kgraph_dump(&self, 1, f, err, sizeof(err)) : -1;

	if (f)
		fclose(f);
	if (ret)
		fprintf(stderr, "avshadow verify: cannot read the kernel's "
			"anon_vma graph here: %s\n", f ? err : "no /dev/null");
	return ret;
}

static int kernel_graph(const char *dir, unsigned n, const int *pids,
			size_t np)
{
	char path[PATH_MAX + 64], err[512];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/verify/%u.json", dir, n);
	f = fopen(path, "we");
	if (!f)
		return -1;
	ret = avs_kgraph_dump(pids, np, f, err, sizeof(err));
	if (fclose(f) || ret) {
		fprintf(stderr, "avshadow verify: snapshot %u: %s\n", n, err);
		return -1;
	}
	return 0;
}
#endif

/* Stop the tree, record and dump it, resume.  kind/pid: who asked. */
static void snapshot(struct avs_launch *l, struct verifier *v, uint32_t kind,
		     int pid)
{
	struct avs_tree t = { .self = getpid(), .dir = l->dir };
	char label[32];
	int *pids;
	size_t left, i, np = 0;
	uint64_t seq;

	left = avs_tree_stop(&t);
	pids = calloc(t.n + 1, sizeof(int));
	if (!pids)
		abort();
	for (i = 0; i < t.n; i++)
		if (t.p[i].state == AVS_TREE_SETTLED && t.p[i].traced)
			pids[np++] = t.p[i].pid;
	if (np) {
		snprintf(label, sizeof(label), "%s%u", AVS_VERIFY_LABEL, v->n + 1);
		seq = avs_snapshot_record(&t, l->seq, v->trace_fd, label, true,
					  false, v->zero_pfn);
#ifdef AVS_HAVE_KGRAPH
		if (seq != (uint64_t)-1 && seq &&
		    !kernel_graph(l->dir, v->n + 1, pids, np)) {
			v->n++;
			fprintf(v->index, "%u %llu %s %d ", v->n,
				(unsigned long long)seq, kind_name(kind), pid);
			for (i = 0; i < np; i++)
				fprintf(v->index, "%s%d", i ? "," : "", pids[i]);
			fprintf(v->index, " %zu\n", left);
			fflush(v->index);
		} else {
			v->failed = true;
		}
#else
		(void)seq;
#endif
	}
	avs_tree_resume(&t);
	free(pids);
}

/* Serve every sync point waiting: one snapshot answers them all. */
static void on_event(struct avs_launch *l, int sig)
{
	struct verifier *v = l->arg;
	int w[MAX_WAITERS], nw = 0, fd, i, pid = 0;
	uint32_t kind = 0;

	(void)sig;
	while (nw < MAX_WAITERS &&
	       (fd = accept4(v->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		uint32_t msg[4];
		struct timeval tv = { 2, 0 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (read(fd, msg, sizeof(msg)) == (ssize_t)sizeof(msg) &&
		    msg[0] == SYNC_MAGIC && !kind) {
			kind = msg[1];
			pid = (int)msg[2];
		}
		w[nw++] = fd;
	}
	if (!nw)
		return;
	if (kind)
		snapshot(l, v, kind, pid);
	for (i = 0; i < nw; i++) {
		ssize_t r = write(w[i], "", 1);	/* gone if < 0: fine */

		(void)r;
		close(w[i]);
	}
}

static void no_op(int sig)
{
	(void)sig;
}

static int on_ready(struct avs_launch *l)
{
	struct sigaction sa = { .sa_handler = no_op };
	struct verifier *v = l->arg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char path[PATH_MAX + 64];
	size_t n;

	snprintf(v->name, sizeof(v->name), "avshadow-verify.%d", (int)getpid());
	snprintf(v->sync_env, sizeof(v->sync_env), "@%s", v->name);
	n = strlen(v->name);
	memcpy(a.sun_path + 1, v->name, n);
	v->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (v->lfd < 0 ||
	    bind(v->lfd, (struct sockaddr *)&a,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) ||
	    listen(v->lfd, 128) ||
	    fcntl(v->lfd, F_SETOWN, getpid()) ||
	    fcntl(v->lfd, F_SETFL, O_NONBLOCK | O_ASYNC)) {
		fprintf(stderr, "avshadow verify: socket: %s\n", strerror(errno));
		return -1;
	}
	/* a late SIGIO (an exit's sync point) must not end us once it is
	 * unblocked; a handler, unlike SIG_IGN, is not inherited by exec */
	sigaction(SIGIO, &sa, NULL);
	if (setenv("AVSHADOW_SYNC", v->sync_env, 1))
		return -1;
	snprintf(path, sizeof(path), "%s/verify", l->dir);
	if (mkdir(path, 0700)) {
		fprintf(stderr, "avshadow verify: %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/verify/index", l->dir);
	v->index = fopen(path, "wxe");
	v->trace_fd = avs_snapshot_open_trace(l->dir, "verify.trace");
	if (!v->index || v->trace_fd < 0)
		return -1;
	v->zero_pfn = avs_snapshot_zero_pfn();
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "model", required_argument, NULL, 'm' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct verifier v = { .lfd = -1, .trace_fd = -1 };
	struct avs_launch l = { .arg = &v };
	const struct avs_rules *rules;
	const char *model = "auto";
	bool check_only = false;
	char err[512];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			l.outdir = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 'c':
			check_only = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc || (check_only && optind != argc - 1)) {
		fputs(usage_text, stderr);
		return 2;
	}
	rules = avs_model_option(model, err, sizeof(err));
	if (!rules) {
		fprintf(stderr, "avshadow: %s\n", err);
		return 2;
	}
	if (check_only)
		return avs_verify_check(argv[optind], rules, stdout);
#ifndef AVS_HAVE_KGRAPH
	fprintf(stderr, "avshadow verify: this avshadow was built without the "
		"kernel graph reader (BPF iterator: needs clang, bpftool, "
		"libbpf and kernel BTF at build time); cannot verify\n");
	return SKIP;
#else
	if (probe())
		return SKIP;
	l.argv = argv + optind;
	l.sync = v.sync_env;	/* filled in by on_ready, before the start */
	l.sigs[0] = SIGIO;
	l.tick_ms = TICK_MS;
	l.on_event = on_event;
	l.on_ready = on_ready;
	l.no_report = true;
	ret = avs_launch_run(&l);
	if (v.index)
		fclose(v.index);
	if (v.trace_fd >= 0)
		close(v.trace_fd);
	if (v.lfd >= 0)
		close(v.lfd);
	if (!l.dir[0] || !v.index)
		return ret ? ret : 2;
	fflush(stdout);
	c = avs_verify_check(l.dir, rules, stdout);
	fprintf(stderr, "avshadow verify: capture in %s\n", l.dir);
	if (v.failed) {
		fprintf(stderr, "avshadow verify: some snapshots could not be "
			"taken\n");
		c = c ? c : 1;
	}
	if (ret)
		fprintf(stderr, "avshadow verify: %s exited with status %d\n",
			l.argv[0], ret);
	return ret && !c ? ret : c;
#endif
}
