/* SPDX-License-Identifier: MIT */
/* Load and run the task_vma iterator (libbpf skeleton of kgraph.bpf.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kgraph.h"
#include "kgraph_internal.h"
#include "kgraph.skel.h"

#define KG_BTF_PATH	"/sys/kernel/btf/vmlinux"

/* ---- libbpf messages: keep the last few for error reports ---- */

static char kg_libbpf_log[1024];

static int kg_libbpf_print(enum libbpf_print_level level, const char *fmt,
			   va_list ap)
{
	char line[512];
	size_t have, len;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (!strncmp(line, "libbpf: ", 8))
		memmove(line, line + 8, strlen(line + 8) + 1);
	len = strlen(line);
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (!len)
		return 0;
	have = strlen(kg_libbpf_log);
	if (have + len + 3 >= sizeof(kg_libbpf_log)) {
		/* keep the newest: start over */
		kg_libbpf_log[0] = '\0';
		have = 0;
	}
	snprintf(kg_libbpf_log + have, sizeof(kg_libbpf_log) - have, "%s%s",
		 have ? "; " : "", line);
	return 0;
}

/* ---- checks before loading ---- */

/* 0: a process (thread-group leader); -1 with err otherwise. */
static int check_pid(int pid, char *err, size_t errlen)
{
	char path[64], line[256];
	FILE *f;
	long tgid = -1;

	if (pid <= 0) {
		kg_seterr(err, errlen, "bad pid %d", pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f) {
		kg_seterr(err, errlen, "no process %d (%s)", pid, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Tgid:", 5)) {
			tgid = strtol(line + 5, NULL, 10);
			break;
		}
	fclose(f);
	if (tgid != pid) {
		kg_seterr(err, errlen, "%d is not a process id (a thread of %ld)",
		       pid, tgid);
		return -1;
	}
	return 0;
}

/* ---- running the iterator ---- */

static int run_iter(struct kg *kg, const int *pids, size_t n, char *err,
		    size_t errlen)
{
	libbpf_print_fn_t old_print;
	struct kgraph_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	int iter_fd = -1, ret = -1;
	size_t i, cap = 0;

	kg_libbpf_log[0] = '\0';
	old_print = libbpf_set_print(kg_libbpf_print);
	skel = kgraph_bpf__open();
	if (!skel) {
		kg_seterr(err, errlen, "cannot open the BPF object: %s%s%s",
		       strerror(errno), kg_libbpf_log[0] ? "; libbpf: " : "",
		       kg_libbpf_log);
		goto out;
	}
	if (bpf_map__set_max_entries(skel->maps.wanted, (uint32_t)n)) {
		kg_seterr(err, errlen, "cannot size the pid map");
		goto out;
	}
	if (kgraph_bpf__load(skel)) {
		kg_seterr(err, errlen, "BPF load failed: %s%s%s", strerror(errno),
		       kg_libbpf_log[0] ? "; libbpf: " : "", kg_libbpf_log);
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t key = (uint32_t)pids[i];
		uint8_t one = 1;

		if (bpf_map__update_elem(skel->maps.wanted, &key, sizeof(key),
					 &one, sizeof(one), BPF_ANY)) {
			kg_seterr(err, errlen, "cannot add pid %d to the BPF map: %s",
			       pids[i], strerror(errno));
			goto out;
		}
	}
	link = bpf_program__attach_iter(skel->progs.kgraph, NULL);
	if (!link) {
		kg_seterr(err, errlen, "cannot attach the task_vma iterator: %s%s%s",
		       strerror(errno), kg_libbpf_log[0] ? "; libbpf: " : "",
		       kg_libbpf_log);
		goto out;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		kg_seterr(err, errlen, "cannot create the iterator: %s",
		       strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (cap - kg->rawlen < 8192) {
			cap = cap ? cap * 2 : 65536;
			kg->raw = kg_xrealloc(kg->raw, cap);
		}
		r = read(iter_fd, kg->raw + kg->rawlen, cap - kg->rawlen - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			kg_seterr(err, errlen, "reading the iterator: %s",
			       strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		kg->rawlen += (size_t)r;
	}
	if (!kg->raw)
		kg->raw = kg_xrealloc(NULL, 1);
	kg->raw[kg->rawlen] = '\0';
	ret = 0;
out:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	kgraph_bpf__destroy(skel);
	libbpf_set_print(old_print);
	return ret;
}

int avs_kgraph_write(const int *pids, size_t n, enum avs_kgraph_format fmt,
		     FILE *out, char *err, size_t errlen)
{
	struct kg kg = { 0 };
	size_t i;
	int ret = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!pids || !n) {
		kg_seterr(err, errlen, "no process given");
		return -1;
	}
	if (fmt != AVS_KGRAPH_JSON && fmt != AVS_KGRAPH_TEXT &&
	    fmt != AVS_KGRAPH_RAW) {
		kg_seterr(err, errlen, "unknown output format %d", (int)fmt);
		return -1;
	}
	if (geteuid() != 0) {
		kg_seterr(err, errlen, "reading the kernel's anon_vma graph needs "
		       "root (BPF iterators)");
		return -1;
	}
	if (access(KG_BTF_PATH, R_OK)) {
		kg_seterr(err, errlen, "no kernel BTF: %s: %s (a kernel built with "
		       "CONFIG_DEBUG_INFO_BTF is needed)", KG_BTF_PATH,
		       strerror(errno));
		return -1;
	}
	kg.procs = kg_xrealloc(NULL, n * sizeof(*kg.procs));
	for (i = 0; i < n; i++) {
		if (check_pid(pids[i], err, errlen))
			goto out;
		if (kg_find_proc(&kg, pids[i]))
			continue;
		memset(&kg.procs[kg.nprocs], 0, sizeof(kg.procs[0]));
		kg.procs[kg.nprocs++].pid = pids[i];
	}
	{
		int *uniq = kg_xrealloc(NULL, kg.nprocs * sizeof(int));

		for (i = 0; i < kg.nprocs; i++)
			uniq[i] = kg.procs[i].pid;
		ret = run_iter(&kg, uniq, kg.nprocs, err, errlen);
		free(uniq);
	}
	if (ret)
		goto out;
	if (fmt == AVS_KGRAPH_RAW) {
		fwrite(kg.raw, 1, kg.rawlen, out);
		goto out;
	}
	ret = kg_parse(&kg, err, errlen);
	if (ret)
		goto out;
	kg_write(&kg, out, fmt == AVS_KGRAPH_JSON);
out:
	kg_free(&kg);
	return ret;
}

int avs_kgraph_dump(const int *pids, size_t n, FILE *json_out, char *err,
		    size_t errlen)
{
	return avs_kgraph_write(pids, n, AVS_KGRAPH_JSON, json_out, err,
				errlen);
}
